//! Thread confinement: 8 threads each make `CALLS` calls (default 1,000;
//! `make soak` sets RELIABILITY_CALLS=10000) of the operations that work in
//! another namespace — `NetNs::run`, `NetNs::handle` and a link dump through
//! it, a dump through a handle opened earlier — round-robin over several
//! namespaces, plus `CALLS / 100` execs each; after every call the calling
//! thread's own `/proc/thread-self/ns/net` is checked: it never changes.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::MetadataExt;

use netns_core::{ExecOptions, NetNs, Registry};
use netns_testkit::sandbox;

fn own_netns() -> (u64, u64) {
    let md = std::fs::metadata("/proc/thread-self/ns/net").unwrap();
    (md.dev(), md.ino())
}

fn calls() -> usize {
    std::env::var("RELIABILITY_CALLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000)
}

#[test]
fn calling_threads_never_change_namespace() {
    let sb = sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let names = ["c0", "c1", "c2", "c3"];
    let spaces: Vec<NetNs> = names.iter().map(|n| reg.add(n).unwrap()).collect();
    let sandbox_ns = own_netns();
    let calls = calls();
    let totals: Vec<(usize, usize)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..8)
            .map(|t| {
                let spaces = &spaces;
                let reg = &reg;
                let names = &names;
                s.spawn(move || {
                    let mine = own_netns();
                    assert_eq!(mine, sandbox_ns, "thread {t} did not start in the sandbox");
                    let mut handles: Vec<_> =
                        spaces.iter().map(|ns| ns.handle().unwrap()).collect();
                    let (mut done, mut execs) = (0, 0);
                    for i in 0..calls {
                        let k = (i + t) % spaces.len();
                        let ns = &spaces[k];
                        match i % 4 {
                            0 => {
                                let inside = ns.run(own_netns).unwrap();
                                assert_eq!(inside.1, ns.inode(), "run() ran elsewhere");
                            }
                            1 => {
                                let mut h = ns.handle().unwrap();
                                assert_eq!(h.links().unwrap().count(), 1, "only lo inside");
                            }
                            2 => {
                                assert_eq!(handles[k].links().unwrap().count(), 1);
                            }
                            _ => {
                                let inside =
                                    ns.run(|| NetNs::current().map(|n| n.inode())).unwrap();
                                assert_eq!(inside.unwrap(), ns.inode());
                            }
                        }
                        done += 1;
                        if i % 100 == 0 {
                            let status = reg.exec(names[k], &["true"], ExecOptions::new()).unwrap();
                            assert!(status.success(), "exec true in {}: {status:?}", names[k]);
                            execs += 1;
                        }
                        assert_eq!(own_netns(), mine, "thread {t} moved after call {i}");
                    }
                    (done, execs)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    assert_eq!(own_netns(), sandbox_ns);
    let calls_total: usize = totals.iter().map(|t| t.0).sum();
    let execs_total: usize = totals.iter().map(|t| t.1).sum();
    println!("confinement: 8 threads, {calls_total} run/handle calls, {execs_total} execs, no thread moved");
    drop(spaces);
    for n in names {
        reg.delete(n).unwrap();
    }
    sb.assert_clean();
}
