//! The namespace API against the real kernel, each test in its own sandbox
//! (a private mount + network namespace with an empty /run/netns).
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use netns_core::{
    ErrorKind, ExecOptions, IdFilter, MonitorEvent, MonitorWait, NetNs, Nsid, PidsOptions, Registry,
};
use netns_testkit::{current_netns_id, sandbox, Sandbox};

fn registry(sb: &Sandbox) -> Registry {
    Registry::new(sb.run_dir(), sb.etc_dir())
}

fn ip_netns_list(sb: &Sandbox) -> Vec<String> {
    let mut lines: Vec<String> = sb
        .run_checked("ip", ["netns", "list"])
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

#[test]
fn add_list_delete_agree_with_ip_netns() {
    let sb = sandbox();
    let reg = registry(&sb);
    let ns = reg.add("a").unwrap();
    reg.add("b").unwrap();
    let names: Vec<String> = reg.list().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(ip_netns_list(&sb), ["a", "b"]);
    // The handle is the namespace ip enters.
    let inside = sb.run_checked(
        "ip",
        ["netns", "exec", "a", "readlink", "/proc/self/ns/net"],
    );
    assert_eq!(inside.trim(), format!("net:[{}]", ns.inode()));
    assert_eq!(sb.mounts_under(sb.run_dir().join("a")).len(), 1);
    reg.delete("a").unwrap();
    reg.delete("b").unwrap();
    assert!(ip_netns_list(&sb).is_empty());
    drop(ns);
    sb.assert_clean();
}

#[test]
fn ip_made_namespaces_are_ours_too() {
    let sb = sandbox();
    let reg = registry(&sb);
    sb.run_checked("ip", ["netns", "add", "fromip"]);
    sb.run_checked("ip", ["netns", "set", "fromip", "7"]);
    let list = reg.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "fromip");
    assert_eq!(list[0].id, Nsid::new(7));
    assert!(!list[0].stale);
    reg.delete("fromip").unwrap();
    sb.assert_clean();
}

#[test]
fn add_of_an_existing_name_is_refused_and_leaves_it_intact() {
    let sb = sandbox();
    let reg = registry(&sb);
    let first = reg.add("x").unwrap();
    let err = reg.add("x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    assert!(
        err.to_string()
            .starts_with("cannot add network namespace \"x\": already exists"),
        "{err}"
    );
    assert_eq!(reg.open("x").unwrap(), first);
    reg.delete("x").unwrap();
    sb.assert_clean();
}

#[test]
fn bad_names_are_refused_before_the_filesystem_is_touched() {
    let sb = sandbox();
    let reg = Registry::new(sb.run_dir().join("never-created"), sb.etc_dir());
    let long = "x".repeat(256);
    for bad in ["../x", "a/b", ".", "..", "", long.as_str(), "nul\0byte"] {
        let e = reg.add(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidName, "{bad:?}: {e}");
        assert_eq!(reg.delete(bad).unwrap_err().kind(), ErrorKind::InvalidName);
        assert_eq!(
            reg.attach(bad, 1).unwrap_err().kind(),
            ErrorKind::InvalidName
        );
    }
    assert!(!sb.run_dir().join("never-created").exists());
    sb.assert_clean();
}

/// An empty mode-0 file, as `ip netns add` creates before mounting.
fn stale_entry(path: &std::path::Path) {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o000)
        .open(path)
        .unwrap();
}

#[test]
fn stale_files_are_listed_replaced_by_add_and_removed_by_delete() {
    let sb = sandbox();
    let reg = registry(&sb);
    // What an interrupted `ip netns add` leaves: an empty file, mode 0, no mount.
    stale_entry(&sb.run_dir().join("stale"));
    let list = reg.list().unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].stale);
    assert_eq!(reg.open("stale").unwrap_err().kind(), ErrorKind::Stale);
    let ns = reg.add("stale").unwrap();
    assert_eq!(reg.open("stale").unwrap(), ns);
    assert!(!reg.list().unwrap()[0].stale);
    reg.delete("stale").unwrap();
    stale_entry(&sb.run_dir().join("stale2"));
    reg.delete("stale2").unwrap();
    sb.assert_clean();
}

#[test]
fn delete_of_a_missing_name_is_not_found_and_delete_all_reports_each() {
    let sb = sandbox();
    let reg = registry(&sb);
    assert_eq!(reg.delete("nope").unwrap_err().kind(), ErrorKind::NotFound);
    for n in ["a", "b", "c"] {
        reg.add(n).unwrap();
    }
    let report = reg.delete_all().unwrap();
    assert_eq!(report.deleted, ["a", "b", "c"]);
    assert!(report.failed.is_empty());
    sb.assert_clean();
}

#[test]
fn attach_identify_and_pids() {
    let sb = sandbox();
    let reg = registry(&sb);
    reg.add("a").unwrap();
    let mut child = sb.command("sleep").arg("30").spawn().unwrap();
    let pid = child.id() as i32;
    // The child runs in the sandbox's namespace; name it twice.
    reg.attach("here", pid).unwrap();
    reg.attach("here-too", pid).unwrap();
    assert_eq!(reg.identify(Some(pid)).unwrap(), ["here", "here-too"]);
    assert_eq!(reg.identify(None).unwrap(), ["here", "here-too"]);
    // ip prints only the last match; ours are all of them.
    let ip = sb.run_checked("ip", ["netns", "identify", &pid.to_string()]);
    assert!(["here", "here-too"].contains(&ip.trim()), "{ip}");
    assert!(reg.pids("here", PidsOptions::new()).unwrap().contains(&pid));
    assert!(reg.pids("a", PidsOptions::new()).unwrap().is_empty());

    let inside = reg
        .spawn("a", &["sleep", "30"], ExecOptions::new())
        .unwrap();
    assert_eq!(reg.pids("a", PidsOptions::new()).unwrap(), [inside.pid()]);
    assert_eq!(
        reg.pids("a", PidsOptions::new().threads(true)).unwrap(),
        [inside.pid()]
    );
    assert_eq!(reg.identify(Some(inside.pid())).unwrap(), ["a"]);
    let ip_pids = sb.run_checked("ip", ["netns", "pids", "a"]);
    assert_eq!(ip_pids.trim(), inside.pid().to_string());
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(inside.pid()),
        nix::sys::signal::SIGKILL,
    )
    .unwrap();
    assert!(!inside.wait().unwrap().success());

    child.kill().unwrap();
    child.wait().unwrap();
    for n in ["a", "here", "here-too"] {
        reg.delete(n).unwrap();
    }
    sb.assert_clean();
}

#[test]
fn bad_pids_are_refused() {
    let sb = sandbox();
    let reg = registry(&sb);
    assert_eq!(
        reg.attach("p", 0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        reg.attach("p", -5).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    // pid_max is at most 2^22: this one cannot exist.
    assert_eq!(
        reg.attach("p", 99_999_999).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        reg.identify(Some(99_999_999)).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    sb.assert_clean();
}

#[test]
fn run_executes_inside_and_never_moves_the_caller() {
    let sb = sandbox();
    let before = current_netns_id();
    let ns = NetNs::new_anonymous().unwrap();
    let seen = ns
        .run(|| std::fs::metadata("/proc/thread-self/ns/net").map(|m| m.ino()))
        .unwrap()
        .unwrap();
    assert_eq!(seen, ns.inode());
    assert_eq!(current_netns_id(), before);
    // A panic inside reaches the caller as a panic, and the caller stays put.
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ns.run(|| panic!("boom"))));
    assert!(r.is_err());
    assert_eq!(current_netns_id(), before);
    assert_ne!(NetNs::current().unwrap(), ns);
    drop(sb);
}

#[test]
fn exec_runs_inside_with_sysfs_and_etc_binds_and_returns_the_status() {
    let sb = sandbox();
    let reg = registry(&sb);
    let ns = reg.add("a").unwrap();
    let status = reg
        .exec("a", &["sh", "-c", "exit 3"], ExecOptions::new())
        .unwrap();
    assert_eq!(status.code(), Some(3));

    let out = |argv: &[&str]| -> String {
        let (mut r, w) = std::io::pipe().unwrap();
        let child = reg
            .spawn("a", argv, ExecOptions::new().stdout(OwnedFd::from(w)))
            .unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert!(child.wait().unwrap().success(), "{argv:?}");
        s
    };
    assert_eq!(
        out(&["readlink", "/proc/self/ns/net"]).trim(),
        format!("net:[{}]", ns.inode())
    );
    // /sys belongs to the namespace: only lo under /sys/class/net.
    assert_eq!(out(&["ls", "/sys/class/net"]).trim(), "lo");

    // ETC_DIR/a/hosts is bound over /etc/hosts; a symlink there is not followed.
    let etc = sb.etc_dir().join("a");
    std::fs::create_dir(&etc).unwrap();
    std::fs::write(etc.join("hosts"), "10.9.8.7 inside\n").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", etc.join("hostname")).unwrap();
    assert_eq!(out(&["cat", "/etc/hosts"]), "10.9.8.7 inside\n");
    assert_ne!(
        out(&["cat", "/etc/hostname"]),
        std::fs::read_to_string("/etc/passwd").unwrap()
    );

    let e = reg
        .exec("a", &["/no/such/program"], ExecOptions::new())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        reg.exec("missing", &["true"], ExecOptions::new())
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let empty: [&str; 0] = [];
    assert_eq!(
        reg.exec("a", &empty, ExecOptions::new())
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    std::fs::remove_dir_all(&etc).unwrap();
    reg.delete("a").unwrap();
    sb.assert_clean();
}

/// Runs `argv` in `name` through `reg`; returns its standard output and
/// standard error.
fn exec_output(reg: &Registry, name: &str, argv: &[&str]) -> (String, String) {
    let (mut out_r, out_w) = std::io::pipe().unwrap();
    let (mut err_r, err_w) = std::io::pipe().unwrap();
    let opts = ExecOptions::new()
        .stdout(OwnedFd::from(out_w))
        .stderr(OwnedFd::from(err_w));
    let child = reg.spawn(name, argv, opts).unwrap();
    let (mut out, mut err) = (String::new(), String::new());
    out_r.read_to_string(&mut out).unwrap();
    err_r.read_to_string(&mut err).unwrap();
    assert!(child.wait().unwrap().success(), "{argv:?}: {err}");
    (out, err)
}

const PLANTED: &str = "10.6.6.6 planted\n";

#[test]
fn exec_binds_nothing_through_a_symlinked_etc_directory() {
    let sb = sandbox();
    let reg = registry(&sb);
    reg.add("a").unwrap();
    let etc = sb.etc_dir();
    let elsewhere = etc.join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("hosts"), PLANTED).unwrap();

    // ETC_DIR/a is a symbolic link to a directory holding `hosts`.
    std::os::unix::fs::symlink(&elsewhere, etc.join("a")).unwrap();
    let (out, err) = exec_output(&reg, "a", &["cat", "/etc/hosts"]);
    assert_ne!(out, PLANTED, "bound through the symlinked ETC_DIR/a");
    assert_eq!(
        err,
        format!(
            "netns: warning: not binding {}: it is a symbolic link\n",
            etc.join("a").display()
        )
    );
    std::fs::remove_file(etc.join("a")).unwrap();

    // The etc directory itself is a symbolic link (to a directory with a/hosts).
    std::fs::create_dir(elsewhere.join("a")).unwrap();
    std::fs::write(elsewhere.join("a/hosts"), PLANTED).unwrap();
    let linked = etc.join("linked-etc");
    std::os::unix::fs::symlink(&elsewhere, &linked).unwrap();
    let via_link = Registry::new(sb.run_dir(), &linked);
    let (out, err) = exec_output(&via_link, "a", &["cat", "/etc/hosts"]);
    assert_ne!(out, PLANTED, "bound through a symlinked etc directory");
    assert_eq!(
        err,
        format!(
            "netns: warning: not binding {}: {} is a symbolic link\n",
            linked.join("a").display(),
            linked.display()
        )
    );
    // The same directory, not through the link: bound.
    let direct = Registry::new(sb.run_dir(), &elsewhere);
    assert_eq!(
        exec_output(&direct, "a", &["cat", "/etc/hosts"]),
        (PLANTED.to_owned(), String::new())
    );

    std::fs::remove_dir_all(&elsewhere).unwrap();
    std::fs::remove_file(&linked).unwrap();
    reg.delete("a").unwrap();
    sb.assert_clean();
}

#[test]
fn exec_never_binds_through_links_swapped_in_while_it_runs() {
    let sb = sandbox();
    let reg = registry(&sb);
    reg.add("a").unwrap();
    let etc = sb.etc_dir().to_path_buf();
    // ETC_DIR/a is a real directory with `hosts` ("real"), and ETC_DIR/a-link a
    // symlink to a directory with a planted `hosts`; inside the real one,
    // `hosts-link` is a symlink to a planted file. A thread keeps exchanging
    // (renameat2(RENAME_EXCHANGE)) a <-> a-link and hosts <-> hosts-link.
    let planted = etc.join("planted");
    std::fs::create_dir(&planted).unwrap();
    std::fs::write(planted.join("hosts"), PLANTED).unwrap();
    std::fs::create_dir(etc.join("a")).unwrap();
    std::fs::write(etc.join("a/hosts"), "10.1.1.1 real\n").unwrap();
    std::os::unix::fs::symlink(planted.join("hosts"), etc.join("a/hosts-link")).unwrap();
    std::os::unix::fs::symlink(&planted, etc.join("a-link")).unwrap();

    let stop = std::sync::atomic::AtomicBool::new(false);
    let seen = std::thread::scope(|s| {
        let flipper = s.spawn(|| {
            use nix::fcntl::{renameat2, RenameFlags, AT_FDCWD};
            let mut dir_at_a = true;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let real = if dir_at_a { "a" } else { "a-link" };
                renameat2(
                    AT_FDCWD,
                    &etc.join(real).join("hosts"),
                    AT_FDCWD,
                    &etc.join(real).join("hosts-link"),
                    RenameFlags::RENAME_EXCHANGE,
                )
                .unwrap();
                renameat2(
                    AT_FDCWD,
                    &etc.join("a"),
                    AT_FDCWD,
                    &etc.join("a-link"),
                    RenameFlags::RENAME_EXCHANGE,
                )
                .unwrap();
                dir_at_a = !dir_at_a;
            }
        });
        let seen: Vec<String> = (0..200)
            .map(|_| exec_output(&reg, "a", &["cat", "/etc/hosts"]).0)
            .collect();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        flipper.join().unwrap();
        seen
    });
    let planted_runs = seen.iter().filter(|o| o.as_str() == PLANTED).count();
    let real_runs = seen
        .iter()
        .filter(|o| o.as_str() == "10.1.1.1 real\n")
        .count();
    assert_eq!(
        planted_runs, 0,
        "bound a planted file through a swapped-in link"
    );
    assert!(real_runs > 0, "never bound the real file in 200 runs");

    for p in ["a", "a-link", "planted"] {
        let p = etc.join(p);
        if p.is_symlink() {
            std::fs::remove_file(p).unwrap();
        } else {
            std::fs::remove_dir_all(p).unwrap();
        }
    }
    reg.delete("a").unwrap();
    sb.assert_clean();
}

/// `/proc/PID/stat`'s state and start time, `None` once the process is gone.
fn proc_state(pid: i32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After "PID (COMM) ": state, then 18 fields to the start time.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    Some((fields[0].chars().next()?, fields[19].parse().ok()?))
}

#[test]
#[ignore = "a helper: spawned_commands_die_with_the_process_that_spawned_them runs it"]
fn spawn_sleep_and_wait_to_be_killed() {
    let Ok(name) = std::env::var("NETNS_TEST_SPAWN_IN") else {
        return;
    };
    let reg = Registry::from_env();
    let child = reg
        .spawn(&name, &["sleep", "100"], ExecOptions::new())
        .unwrap();
    println!("spawned {}", child.pid());
    std::thread::sleep(Duration::from_secs(100));
}

#[test]
fn spawned_commands_die_with_the_process_that_spawned_them() {
    use std::io::BufRead;
    let sb = sandbox();
    let reg = registry(&sb);
    reg.add("a").unwrap();
    // A process of its own (this test binary, running only the helper above)
    // spawns `sleep 100` in "a" through the library and prints its pid.
    let mut helper = sb
        .command(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "spawn_sleep_and_wait_to_be_killed",
            "--nocapture",
        ])
        .env("NETNS_TEST_SPAWN_IN", "a")
        .env("NETNS_RUN_DIR", sb.run_dir())
        .env("NETNS_ETC_DIR", sb.etc_dir())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(helper.stdout.take().unwrap()).lines();
    let sleep: i32 = lines
        .map_while(std::result::Result::ok)
        .find_map(|l| l.strip_prefix("spawned ").map(|p| p.parse().unwrap()))
        .expect("the helper printed no pid");
    let (_, started) = proc_state(sleep).unwrap();
    assert_eq!(reg.pids("a", PidsOptions::new()).unwrap(), [sleep]);

    helper.kill().unwrap(); // SIGKILL
    helper.wait().unwrap();
    let alive = || proc_state(sleep).is_some_and(|(st, t)| t == started && st != 'Z');
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let outlived = alive();
    if outlived {
        let _ =
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(sleep), nix::sys::signal::SIGKILL);
    }
    assert!(
        !outlived,
        "sleep {sleep} outlived the process that spawned it"
    );
    reg.delete("a").unwrap();
    sb.assert_clean();
}

#[test]
fn spawned_child_has_a_pidfd() {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let sb = sandbox();
    let reg = registry(&sb);
    reg.add("a").unwrap();
    let child = reg
        .spawn("a", &["sleep", "100"], ExecOptions::new())
        .unwrap();
    let pidfd = child.pidfd().expect("a pidfd");
    let readable = || {
        let mut fds = [PollFd::new(pidfd, PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(100u16)).unwrap() == 1
    };
    assert!(!readable(), "the pidfd says it ended while it runs");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.pid()),
        nix::sys::signal::SIGKILL,
    )
    .unwrap();
    assert!(readable(), "the pidfd did not report the end");
    assert!(!child.wait().unwrap().success());
    reg.delete("a").unwrap();
    sb.assert_clean();
}

#[test]
fn nsids_set_list_and_kernel_refusals() {
    let sb = sandbox();
    let reg = registry(&sb);
    reg.add("a").unwrap();
    reg.add("b").unwrap();
    assert_eq!(reg.list().unwrap()[0].id, None);
    reg.set_id("a", None).unwrap();
    reg.set_id("b", Nsid::new(5)).unwrap();
    let ids: Vec<_> = reg.list().unwrap().into_iter().map(|e| e.id).collect();
    assert_eq!(ids, [Nsid::new(0), Nsid::new(5)]);
    let ip = sb.run_checked("ip", ["netns", "list-id"]);
    assert!(ip.contains("nsid 0 (iproute2 netns name: a)"), "{ip}");
    let listed = reg.list_ids(IdFilter::new()).unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].name.as_deref(), Some("a"));
    assert_eq!(listed[1].nsid, Nsid::new(5).unwrap());

    let e = reg.set_id("a", Nsid::new(9)).unwrap_err();
    assert_eq!(
        e.kernel_message(),
        Some("Peer netns already has a nsid assigned"),
        "{e}"
    );
    reg.add("c").unwrap();
    let e = reg.set_id("c", Nsid::new(5)).unwrap_err();
    assert_eq!(
        e.kernel_message(),
        Some("The specified nsid is already used"),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("(kernel: The specified nsid is already used)"),
        "{e}"
    );
    reg.delete_all().unwrap();
    sb.assert_clean();
}

#[test]
fn monitor_reports_add_once_mounted_and_delete() {
    let sb = sandbox();
    let reg = registry(&sb);
    let monitor = reg.monitor().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for ev in monitor {
            if tx.send(ev.unwrap()).is_err() {
                break;
            }
        }
    });
    let ns = reg.add("m").unwrap();
    let ev = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(ev, MonitorEvent::Add("m".into()));
    assert_eq!(reg.open("m").unwrap(), ns);
    reg.delete("m").unwrap();
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        MonitorEvent::Delete("m".into())
    );
    // A failed add (file created then removed, never mounted) reports nothing.
    std::fs::write(sb.run_dir().join("half"), b"").unwrap();
    std::fs::remove_file(sb.run_dir().join("half")).unwrap();
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
    sb.assert_clean();
}

#[test]
fn monitor_reports_an_add_and_delete_done_between_two_reads() {
    let sb = sandbox();
    let reg = registry(&sb);
    let mut monitor = reg.monitor().unwrap();
    // Both happen before the monitor reads: the name is already gone when
    // its creation is seen, but it was mounted meanwhile.
    reg.add("quick").unwrap();
    reg.delete("quick").unwrap();
    assert_eq!(
        monitor.next().unwrap().unwrap(),
        MonitorEvent::Add("quick".into())
    );
    assert_eq!(
        monitor.next().unwrap().unwrap(),
        MonitorEvent::Delete("quick".into())
    );
    sb.assert_clean();
}

#[test]
fn monitor_reports_an_add_whose_mount_is_gone_when_looked_at() {
    use nix::mount::{mount, umount, MsFlags};
    let sb = sandbox();
    let reg = registry(&sb);
    let mut monitor = reg.monitor().unwrap();
    // The file is created, mounted and unmounted before the monitor looks:
    // it wakes, finds the file not mounted, and keeps waiting. The unlink
    // comes later, with no mount-table change of its own.
    let path = sb.run_dir().join("brief");
    std::fs::write(&path, b"").unwrap();
    mount(
        Some("/proc/thread-self/ns/net"),
        &path,
        None::<&str>,
        MsFlags::MS_BIND,
        None::<&str>,
    )
    .unwrap();
    umount(&path).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..2 {
            if tx.send(monitor.next().unwrap().unwrap()).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    std::fs::remove_file(&path).unwrap();
    let got: Vec<_> = (0..2)
        .map(|_| rx.recv_timeout(Duration::from_secs(5)).unwrap())
        .collect();
    assert_eq!(
        got,
        [
            MonitorEvent::Add("brief".into()),
            MonitorEvent::Delete("brief".into())
        ]
    );
    sb.assert_clean();
}

#[test]
fn monitor_next_timeout_times_out_then_reports_events() {
    let sb = sandbox();
    let reg = registry(&sb);
    let mut monitor = reg.monitor().unwrap();
    let t = std::time::Instant::now();
    assert_eq!(
        monitor.next_timeout(Duration::from_millis(150)).unwrap(),
        MonitorWait::TimedOut
    );
    let waited = t.elapsed();
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(2),
        "{waited:?}"
    );
    // A zero timeout takes what is ready without blocking.
    assert_eq!(
        monitor.next_timeout(Duration::ZERO).unwrap(),
        MonitorWait::TimedOut
    );
    reg.add("t").unwrap();
    assert_eq!(
        monitor.next_timeout(Duration::from_secs(5)).unwrap(),
        MonitorWait::Event(MonitorEvent::Add("t".into()))
    );
    reg.delete("t").unwrap();
    assert_eq!(
        monitor.next_timeout(Duration::ZERO).unwrap(),
        MonitorWait::Event(MonitorEvent::Delete("t".into()))
    );
    // A failed add (never mounted) is no event: the wait runs to its end.
    std::fs::write(sb.run_dir().join("half"), b"").unwrap();
    std::fs::remove_file(sb.run_dir().join("half")).unwrap();
    assert_eq!(
        monitor.next_timeout(Duration::from_millis(100)).unwrap(),
        MonitorWait::TimedOut
    );
    sb.assert_clean();
}

#[test]
fn monitor_closer_wakes_a_blocked_next_from_another_thread() {
    let sb = sandbox();
    let reg = registry(&sb);
    let mut monitor = reg.monitor().unwrap();
    let closer = monitor.closer();
    assert!(!closer.is_closed());
    let (tx, rx) = std::sync::mpsc::channel();
    let watcher = std::thread::spawn(move || {
        let first = monitor.next().map(Result::unwrap);
        tx.send(first).unwrap();
        // Closed for good: every later wait returns at once.
        let t = std::time::Instant::now();
        let again = monitor.next_timeout(Duration::from_secs(10)).unwrap();
        (monitor.next().is_none(), again, t.elapsed())
    });
    // The watcher blocks in next() (no timeout) until closed.
    assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
    let t = std::time::Instant::now();
    closer.close();
    closer.close(); // idempotent
    assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), None);
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    let (ended, again, took) = watcher.join().unwrap();
    assert!(ended);
    assert_eq!(again, MonitorWait::Closed);
    assert!(took < Duration::from_secs(1), "{took:?}");
    assert!(closer.is_closed());
    sb.assert_clean();
}

#[test]
fn monitor_closed_drops_pending_events() {
    let sb = sandbox();
    let reg = registry(&sb);
    let mut monitor = reg.monitor().unwrap();
    reg.add("x").unwrap();
    reg.delete("x").unwrap();
    assert_eq!(
        monitor.next_timeout(Duration::from_secs(5)).unwrap(),
        MonitorWait::Event(MonitorEvent::Add("x".into()))
    );
    // The delete is queued; closing drops it.
    monitor.closer().close();
    assert_eq!(
        monitor.next_timeout(Duration::ZERO).unwrap(),
        MonitorWait::Closed
    );
    assert!(monitor.next().is_none());
    sb.assert_clean();
}

#[test]
fn concurrent_adds_of_one_name_have_one_winner_and_first_adds_do_not_stack_mounts() {
    let sb = sandbox();
    let reg = registry(&sb);
    // The run dir is a plain directory: every thread races the first-add mount dance.
    let results: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..16)
            .map(|_| s.spawn(|| reg.add("same").map(|_| ())))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.kind(), ErrorKind::AlreadyExists, "{r}");
    }
    std::thread::scope(|s| {
        for i in 0..16 {
            let reg = &reg;
            s.spawn(move || reg.add(&format!("n{i}")).unwrap());
        }
    });
    // One bind of the run dir onto itself, plus one mount per name.
    let mounts = sb.mounts_under(sb.run_dir());
    let dir = sb.run_dir().to_str().unwrap();
    assert_eq!(
        mounts.iter().filter(|m| m.as_str() == dir).count(),
        1,
        "{mounts:?}"
    );
    assert_eq!(mounts.len(), 1 + 17, "{mounts:?}");
    let report = reg.delete_all().unwrap();
    assert_eq!(report.deleted.len(), 17);
    sb.assert_clean();
}

#[test]
fn anonymous_namespaces_and_open_by_pid() {
    let _sb = sandbox();
    let a = NetNs::new_anonymous().unwrap();
    let b = NetNs::new_anonymous().unwrap();
    assert_ne!(a, b);
    assert_eq!(a, a.try_clone().unwrap());
    let me = NetNs::open_pid(std::process::id() as i32).unwrap();
    // The process's main thread is not sandboxed: another namespace than ours.
    assert_ne!(me, NetNs::current().unwrap());
    assert_eq!(
        NetNs::open_path("/proc/thread-self/ns/mnt")
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    // A file that is not a namespace: one clear message, errno EINVAL (what
    // setns says); "stale" is for registry entries only.
    for path in ["/etc/hostname", "/proc/self/status"] {
        let e = NetNs::open_path(path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert_eq!(e.errno(), Some(netns_core::Errno::EINVAL));
        assert_eq!(
            e.to_string(),
            format!(
                "cannot open network namespace file \"{path}\": Invalid argument: \
                 not a network namespace file"
            )
        );
    }
}

#[test]
fn delete_many_deletes_on_threads_goes_on_past_failures_and_keeps_the_order() {
    let sb = sandbox();
    let reg = registry(&sb);
    let names: Vec<String> = (0..20).map(|i| format!("many{i}")).collect();
    for n in &names {
        reg.add(n).unwrap();
    }
    let mut asked: Vec<&str> = names.iter().map(String::as_str).collect();
    asked.insert(7, "missing");
    let report = reg.delete_many(&asked);
    assert_eq!(report.deleted, names);
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed[0].0, "missing");
    assert_eq!(report.failed[0].1.kind(), ErrorKind::NotFound);
    assert!(reg.names().unwrap().is_empty());
    assert!(reg.delete_many::<&str>(&[]).deleted.is_empty());
    sb.assert_clean();
}

/// The mount points of process `pid` (field 5 of its mountinfo) with their
/// optional fields (e.g. `shared:12`).
fn mountinfo(pid: &str) -> Vec<(String, String)> {
    std::fs::read_to_string(format!("/proc/{pid}/mountinfo"))
        .unwrap()
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            let end = f.iter().position(|x| *x == "-").unwrap();
            (f[4].to_string(), f[6..end].join(" "))
        })
        .collect()
}

/// As `ip netns add` leaves it, the run directory is a shared mount point,
/// though an add after the first changes only its own mount (not every
/// namespace mounted below): a namespace added later reaches a copy of the
/// mount namespace made before, and a delete unmounts it there too (which is
/// what lets the kernel free the namespace).
#[test]
fn the_run_directory_stays_a_shared_mount_and_adds_and_deletes_propagate() {
    let sb = sandbox();
    let reg = registry(&sb);
    let run_dir = sb.run_dir().to_string_lossy().into_owned();
    let at = |name: &str| format!("{run_dir}/{name}");
    reg.add("a").unwrap();
    let mine = mountinfo("thread-self");
    let (_, fields) = mine.iter().rev().find(|(m, _)| *m == run_dir).unwrap();
    assert!(fields.contains("shared:"), "run directory: {fields:?}");
    let (_, fields) = mine.iter().rev().find(|(m, _)| *m == at("a")).unwrap();
    assert!(fields.contains("shared:"), "entry a: {fields:?}");

    // A copy of this mount namespace whose mounts stay peers of ours.
    let mut copy = std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "unchanged", "sleep", "60"])
        .spawn()
        .unwrap();
    let pid = copy.id().to_string();
    let ours = std::fs::read_link("/proc/thread-self/ns/mnt").unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::fs::read_link(format!("/proc/{pid}/ns/mnt")).ok() == Some(ours.clone()) {
        assert!(
            std::time::Instant::now() < deadline,
            "unshare did not start"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let has = |name: &str| mountinfo(&pid).iter().any(|(m, _)| *m == at(name));
    assert!(has("a"));
    for name in ["b", "c"] {
        reg.add(name).unwrap();
    }
    assert!(has("b") && has("c"), "later adds did not reach the copy");
    reg.delete("a").unwrap();
    reg.delete("b").unwrap();
    assert!(
        !has("a") && !has("b") && has("c"),
        "deletes did not reach the copy"
    );
    reg.delete("c").unwrap();
    assert!(!has("c"));
    copy.kill().unwrap();
    copy.wait().unwrap();
    sb.assert_clean();
}

/// `list_ids` shows the nsid of every named namespace, though this kernel
/// ends the `RTM_GETNSID` dump after its first message buffer (134 of 1,000
/// entries on Linux 6.18, as `ip netns list-id` shows).
#[test]
fn list_ids_shows_every_named_nsid_past_the_kernels_first_dump_buffer() {
    let sb = sandbox();
    let reg = registry(&sb);
    const NAMES: usize = 400;
    let names: Vec<String> = (0..NAMES).map(|i| format!("n{i:03}")).collect();
    for name in &names {
        reg.add(name).unwrap();
        reg.set_id(name, None).unwrap();
    }
    let ids = reg.list_ids(IdFilter::new()).unwrap();
    assert!(ids.is_consistent());
    let mut named: Vec<&str> = ids.iter().filter_map(|e| e.name.as_deref()).collect();
    named.sort_unstable();
    assert_eq!(named, names.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        ids.windows(2).all(|w| w[0].nsid < w[1].nsid),
        "sorted by nsid"
    );
    // Each name's nsid is the one `list` gives it.
    let listed: std::collections::HashMap<String, Option<Nsid>> = reg
        .list()
        .unwrap()
        .into_iter()
        .map(|e| (e.name, e.id))
        .collect();
    for e in ids.iter() {
        assert_eq!(listed[e.name.as_deref().unwrap()], Some(e.nsid));
    }
    let ip = sb.run_checked("ip", ["netns", "list-id"]).lines().count();
    eprintln!("list_ids: {} entries; ip netns list-id: {ip}", ids.len());
    reg.delete_all().unwrap();
    sb.assert_clean();
}
