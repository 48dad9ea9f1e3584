//! Leaks: fds (`/proc/self/fd`), mounts (under the run directory), threads
//! (`/proc/self/task`) and memory (`VmRSS`) stay flat over create/delete
//! cycles. `RELIABILITY_CYCLES` cycles (default 1,000; `make soak` runs
//! 10,000); each cycle adds a name with a handle, sets lo up and dumps links
//! through the handle, runs a closure inside, adds a veth pair with its peer
//! in the namespace, lists, then deletes the name.
//!
//! One test in this binary: the counts are process-wide.
#![allow(clippy::unwrap_used)]

use netns_core::Registry;
use netns_testkit::sandbox;

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Sample {
    fds: usize,
    threads: usize,
    mounts: usize,
    rss_kib: u64,
}

#[test]
fn create_delete_cycles_leak_nothing() {
    let sb = sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let cycles: usize = std::env::var("RELIABILITY_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let sample = || Sample {
        fds: count("/proc/self/fd"),
        threads: count("/proc/self/task"),
        mounts: sb.mounts_under(sb.run_dir()).len(),
        rss_kib: rss_kib(),
    };
    let cycle = |i: usize| {
        let name = format!("leak{}", i % 7);
        let (ns, mut h) = reg.add_with_handle(&name).unwrap();
        h.link_set_up("lo".into()).unwrap();
        assert_eq!(h.links().unwrap().count(), 1);
        let ino = ns.run(|| {
            std::fs::metadata("/proc/thread-self/ns/net").map(|m| {
                use std::os::unix::fs::MetadataExt;
                m.ino()
            })
        });
        assert_eq!(ino.unwrap().unwrap(), ns.inode());
        let mut host = netns_core::Handle::current().unwrap();
        host.veth(&format!("lk{}", i % 7), "eth0", Some(&ns))
            .unwrap();
        assert_eq!(reg.list().unwrap().len(), 1);
        drop(h);
        drop(ns);
        reg.delete(&name).unwrap();
        // The host end goes with the namespace: delete it explicitly so the
        // kernel's asynchronous namespace teardown does not matter here.
        let _ = host.link_delete(format!("lk{}", i % 7).as_str().into());
    };
    // Warm up: buffers, thread-locals, the allocator's arenas.
    let warm = (cycles / 10).max(10);
    for i in 0..warm {
        cycle(i);
    }
    let before = sample();
    for i in warm..cycles {
        cycle(i);
    }
    let after = sample();
    println!(
        "leaks: {cycles} cycles (after {warm} warm-up): fds {} -> {}, threads {} -> {}, mounts under run dir {} -> {}, VmRSS {} KiB -> {} KiB",
        before.fds, after.fds, before.threads, after.threads, before.mounts, after.mounts, before.rss_kib, after.rss_kib
    );
    assert_eq!(after.fds, before.fds, "fd leak");
    assert_eq!(after.threads, before.threads, "thread leak");
    assert_eq!(after.mounts, before.mounts, "mount leak");
    // Memory: allow allocator noise, not growth per cycle (1 KiB per cycle
    // over 1,000 cycles would be 1 MiB).
    assert!(
        after.rss_kib <= before.rss_kib + 1024,
        "RSS grew by {} KiB over {} cycles",
        after.rss_kib.saturating_sub(before.rss_kib),
        cycles - warm
    );
    sb.assert_clean();
}
