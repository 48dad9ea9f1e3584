//! `netns link …`: ip link's syntax over netns-core.

use crate::Context;

/// Runs `netns link ARGS…`; returns the exit status.
pub fn run(ctx: &Context, args: &[String]) -> u8 {
    let _ = (ctx, args);
    eprintln!("netns: link: being written");
    255
}
