//! `netns route …`: ip route's syntax over netns-core.

use crate::Context;

/// Runs `netns route ARGS…`; returns the exit status.
pub fn run(ctx: &Context, args: &[String]) -> u8 {
    let _ = (ctx, args);
    eprintln!("netns: route: being written");
    255
}
