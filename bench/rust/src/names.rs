//! Setup of the listing benchmark: N named namespaces (`bnsI`, added on
//! one thread per core with [`Registry::add`]), each given an nsid in the
//! root namespace (`RTM_NEWNSID`, the kernel choosing), so that `list` shows
//! ids and `list-id` has N entries. Prints how long that took.

use std::sync::Mutex;
use std::time::Instant;

use netns_core::netlink::Socket;
use netns_core::{nsid, NetNs, Registry};

use crate::{ns_name, BoxError};

/// Adds the n namespaces; returns the JSON line.
pub fn run(n: usize) -> Result<String, BoxError> {
    let start = Instant::now();
    let reg = Registry::from_env();
    let threads = std::thread::available_parallelism()
        .map_or(1, |c| c.get())
        .clamp(1, n.max(1));
    let made: Mutex<Vec<NetNs>> = Mutex::new(Vec::with_capacity(n));
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|k| {
                let (reg, made) = (&reg, &made);
                s.spawn(move || -> Result<(), BoxError> {
                    for i in (k..n).step_by(threads) {
                        let ns = reg.add(&ns_name(i))?;
                        made.lock().map_err(|_| "poisoned")?.push(ns);
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().map_err(|_| BoxError::from("worker panicked"))?)
    })?;
    let added = start.elapsed().as_secs_f64();
    let mut sock = Socket::open()?;
    for ns in made.lock().map_err(|_| "poisoned")?.iter() {
        nsid::set(&mut sock, std::os::fd::AsFd::as_fd(ns), None)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    Ok(format!(
        "{{\"impl\": \"names\", \"n\": {n}, \"added\": {added:.6}, \"seconds\": {seconds:.6}}}"
    ))
}
