//! The sandbox's own guarantees, checked on the real kernel (root needed).
//!
//! These also pin down the kernel facts the rest of the test suite relies
//! on: `unshare(CLONE_NEWNS | CLONE_NEWNET)` works per thread in a
//! multi-threaded process; threads and child processes started from a
//! sandboxed thread inherit its namespaces; `/proc/self` is the main
//! thread's view, `/proc/thread-self` the calling thread's.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::{Arc, Barrier};

use netns_testkit::{anonymous_netns, current_mntns_id, current_netns_id, ns_id, sandbox};

fn fd_ns_id(fd: OwnedFd) -> (u64, u64) {
    let meta = File::from(fd).metadata().expect("fstat on a namespace fd");
    (meta.dev(), meta.ino())
}

/// `ls -A` of a directory as the process's main thread sees it (through
/// `/proc/self/root`), or None when it does not exist.
fn host_entries(dir: &str) -> Option<Vec<String>> {
    let path = Path::new("/proc/self/root").join(dir.trim_start_matches('/'));
    let mut names: Vec<String> = std::fs::read_dir(path)
        .ok()?
        .map(|e| {
            e.expect("readdir")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    Some(names)
}

#[test]
fn fresh_sandbox_has_only_lo_down_and_an_empty_run_dir() {
    let sb = sandbox();
    assert_eq!(sb.link_names(), vec!["lo"]);
    let link = sb.run_checked("ip", ["link"]);
    assert!(link.contains("state DOWN"), "lo should be down: {link}");
    assert!(sb.run_dir_entries().is_empty());
    assert_eq!(sb.run_checked("ip", ["netns", "list"]), "");
    assert_eq!(sb.mounts_under(sb.run_dir()), Vec::<String>::new());
    assert_eq!(
        sb.mounts_under(sb.etc_dir()),
        vec![sb.etc_dir().to_string_lossy()]
    );
    assert!(std::fs::read_dir(sb.etc_dir())
        .expect("etc dir")
        .next()
        .is_none());
    sb.assert_clean();
}

#[test]
fn child_processes_inherit_the_sandbox_namespaces() {
    let sb = sandbox();
    let (_, ino) = current_netns_id();
    let seen = sb.run_checked("readlink", ["/proc/self/ns/net"]);
    assert_eq!(seen.trim(), format!("net:[{ino}]"));
    let (_, mnt_ino) = current_mntns_id();
    let seen = sb.run_checked("readlink", ["/proc/self/ns/mnt"]);
    assert_eq!(seen.trim(), format!("mnt:[{mnt_ino}]"));
}

#[test]
fn main_thread_and_host_are_untouched() {
    let host_net = ns_id("/proc/self/ns/net");
    let host_mnt = ns_id("/proc/self/ns/mnt");
    let before_net = current_netns_id();
    let before_mnt = current_mntns_id();
    let host_run_netns = host_entries("/run/netns");

    let sb = sandbox();
    assert_ne!(current_netns_id(), before_net);
    assert_ne!(current_mntns_id(), before_mnt);
    // /proc/self is the main thread: still in the host's namespaces.
    assert_eq!(ns_id("/proc/self/ns/net"), host_net);
    assert_eq!(ns_id("/proc/self/ns/mnt"), host_mnt);

    let name = "testkit-host-untouched";
    sb.run_checked("ip", ["netns", "add", name]);
    assert_eq!(sb.run_dir_entries(), vec![name]);
    assert_eq!(
        sb.mounts_under(sb.run_dir()),
        vec!["/run/netns".to_string(), format!("/run/netns/{name}")]
    );
    // The main thread's /run/netns is the host's: unchanged.
    assert_eq!(host_entries("/run/netns"), host_run_netns);
    sb.run_checked("ip", ["netns", "delete", name]);
    sb.assert_clean();
    drop(sb);

    assert_eq!(current_netns_id(), before_net);
    assert_eq!(current_mntns_id(), before_mnt);
    assert_eq!(host_entries("/run/netns"), host_run_netns);
}

#[test]
fn drop_restores_namespaces_and_working_directory() {
    let cwd = std::env::current_dir().expect("cwd");
    let net = current_netns_id();
    let mnt = current_mntns_id();
    {
        let _sb = sandbox();
        assert_eq!(std::env::current_dir().expect("cwd in sandbox"), cwd);
    }
    assert_eq!(current_netns_id(), net);
    assert_eq!(current_mntns_id(), mnt);
    assert_eq!(std::env::current_dir().expect("cwd after"), cwd);
    // And a second sandbox on the same thread starts fresh.
    let sb = sandbox();
    assert!(sb.run_dir_entries().is_empty());
}

#[test]
fn parallel_sandboxes_do_not_see_each_other() {
    const N: usize = 4;
    let barrier = Arc::new(Barrier::new(N));
    let workers: Vec<_> = (0..N)
        .map(|i| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                let sb = sandbox();
                let name = format!("par{i}");
                sb.run_checked("ip", ["netns", "add", &name]);
                barrier.wait(); // every sandbox now holds one namespace
                assert_eq!(sb.run_dir_entries(), vec![name.clone()]);
                assert_eq!(sb.run_checked("ip", ["netns", "list"]).trim(), name);
                let ids = (current_netns_id(), current_mntns_id());
                barrier.wait();
                sb.run_checked("ip", ["netns", "delete", &name]);
                sb.assert_clean();
                ids
            })
        })
        .collect();
    let mut ids: Vec<_> = workers
        .into_iter()
        .map(|w| w.join().expect("sandbox thread"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        ids.len(),
        N,
        "each thread had its own mount + net namespace"
    );
}

#[test]
fn threads_spawned_in_a_sandbox_inherit_it() {
    let sb = sandbox();
    let here = (current_netns_id(), current_mntns_id());
    sb.run_checked("ip", ["netns", "add", "inherited"]);
    let there = std::thread::spawn(|| {
        let ids = (current_netns_id(), current_mntns_id());
        let seen = std::fs::read_dir("/run/netns")
            .expect("run dir from the child thread")
            .map(|e| {
                e.expect("readdir")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect::<Vec<_>>();
        (ids, seen)
    })
    .join()
    .expect("child thread");
    assert_eq!(there.0, here);
    assert_eq!(there.1, vec!["inherited"]);
    sb.run_checked("ip", ["netns", "delete", "inherited"]);
    sb.assert_clean();
}

#[test]
#[should_panic(expected = "sandbox not clean")]
fn assert_clean_reports_leftovers() {
    let sb = sandbox();
    sb.run_checked("ip", ["netns", "add", "leftover"]);
    sb.assert_clean();
}

#[test]
fn anonymous_namespaces_are_new_and_leave_the_caller_alone() {
    let before = current_netns_id();
    // Keep both alive: a freed namespace's inode number can be reused.
    let (fa, fb) = (anonymous_netns(), anonymous_netns());
    let a = fd_ns_id(fa.try_clone().expect("dup"));
    let b = fd_ns_id(fb.try_clone().expect("dup"));
    assert_ne!(a, before);
    assert_ne!(b, before);
    assert_ne!(a, b);
    assert_eq!(current_netns_id(), before);
}
