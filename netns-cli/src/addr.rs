//! `netns addr …`: ip addr's syntax over netns-core.

use crate::Context;

/// Runs `netns addr ARGS…`; returns the exit status.
pub fn run(ctx: &Context, args: &[String]) -> u8 {
    let _ = (ctx, args);
    eprintln!("netns: addr: being written");
    255
}
