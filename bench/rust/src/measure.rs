//! `netns-bench measure CMD ARG…`: runs CMD, then prints one JSON line with
//! its wall time and the resources it and its descendants used
//! (`getrusage(RUSAGE_CHILDREN)` once it was waited for). The benchmark
//! driver starts every run through this small process, so the peak RSS is
//! not inflated by a large parent: a forked child's `ru_maxrss` starts at
//! its parent's size, which exec records.

use std::process::Command;
use std::time::Instant;

use crate::BoxError;

fn seconds(t: libc::timeval) -> f64 {
    t.tv_sec as f64 + t.tv_usec as f64 / 1e6
}

/// `getrusage(RUSAGE_CHILDREN)`.
fn children_usage() -> std::io::Result<libc::rusage> {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage for the call to fill.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(ru)
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
    let ru = children_usage()?;
    Ok(format!(
        "{{\"rusage\": {{\"wall\": {wall:.6}, \"user\": {:.6}, \"sys\": {:.6}, \"maxrss_kib\": {}}}}}",
        seconds(ru.ru_utime),
        seconds(ru.ru_stime),
        ru.ru_maxrss
    ))
}
