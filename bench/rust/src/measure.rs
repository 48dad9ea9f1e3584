//! `netns-bench measure CMD ARG…`: runs CMD, then prints one JSON line with
//! its wall time and the resources it and its descendants used
//! (`getrusage(RUSAGE_CHILDREN)` once it was waited for). The benchmark
//! driver starts every run through this small process, so the peak RSS is
//! not inflated by a large parent: a forked child's `ru_maxrss` starts at
//! its parent's size, which exec records.

use std::process::Command;
use std::time::Instant;

use nix::sys::resource::{getrusage, UsageWho};

use crate::BoxError;

fn seconds(t: nix::sys::time::TimeVal) -> f64 {
    t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6
}

/// Runs `cmd` and returns the JSON line; fails when `cmd` fails.
pub fn run(cmd: &[String]) -> Result<String, BoxError> {
    let (program, args) = cmd.split_first().ok_or("measure: no command")?;
    let start = Instant::now();
    let status = Command::new(program).args(args).status()?;
    let wall = start.elapsed().as_secs_f64();
    if !status.success() {
        return Err(format!("{program} failed: {status}").into());
    }
    let ru = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    Ok(format!(
        "{{\"rusage\": {{\"wall\": {wall:.6}, \"user\": {:.6}, \"sys\": {:.6}, \"maxrss_kib\": {}}}}}",
        seconds(ru.user_time()),
        seconds(ru.system_time()),
        ru.max_rss()
    ))
}
