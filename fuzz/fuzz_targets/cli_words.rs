//! cargo-fuzz target: see netns_fuzz::cli_words.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    netns_fuzz::cli_words(data);
});
