//! cargo-fuzz target: see netns_fuzz::topology.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    netns_fuzz::topology(data);
});
