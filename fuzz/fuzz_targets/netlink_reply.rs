//! cargo-fuzz target: see netns_fuzz::netlink_reply.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    netns_fuzz::netlink_reply(data);
});
