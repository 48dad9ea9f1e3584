//! CPU time per phase of a W(N) runner (`"phases_cpu"` in its JSON line):
//! user + system time of the whole process (every thread, ended ones too)
//! between phase boundaries. On a loaded machine the wall time of a phase
//! is mostly waiting for a CPU; its CPU time is what compares across runs.
//! Work the kernel defers to its own threads (a namespace's teardown in
//! `cleanup_net`, IPv6 address configuration in `addrconf` workers) is not
//! in it.

/// User + system CPU seconds of this process so far (`getrusage(RUSAGE_SELF)`).
pub fn cpu_seconds() -> f64 {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage for the call to fill.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return f64::NAN;
    }
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(ru.ru_utime) + s(ru.ru_stime)
}

/// The JSON field of the CPU seconds between five marks (start, then the
/// end of create, configure, dump and delete).
pub fn json(marks: [f64; 5]) -> String {
    format!(
        "\"phases_cpu\": {{\"create\": {:.6}, \"configure\": {:.6}, \"dump\": {:.6}, \"delete\": {:.6}}}",
        marks[1] - marks[0],
        marks[2] - marks[1],
        marks[3] - marks[2],
        marks[4] - marks[3]
    )
}
