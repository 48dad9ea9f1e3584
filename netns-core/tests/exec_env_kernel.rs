//! `ExecOptions::env` (the child's whole environment) and `NetNs::spawn`
//! (a namespace without a registry name), against the real kernel in a
//! sandbox (netns-testkit).
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::os::fd::OwnedFd;

use netns_core::{ErrorKind, ExecOptions, NetNs};

/// Runs `argv` in `ns` with `opts` and returns its stdout and exit code.
fn output(ns: &NetNs, argv: &[&str], opts: ExecOptions) -> (String, i32) {
    let (r, w) = std::io::pipe().unwrap();
    let child = ns.spawn(argv, opts.stdout(OwnedFd::from(w))).unwrap();
    let mut out = String::new();
    std::fs::File::from(OwnedFd::from(r))
        .read_to_string(&mut out)
        .unwrap();
    let status = child.wait().unwrap();
    (out, status.code().unwrap_or(-1))
}

#[test]
fn a_child_gets_exactly_the_environment_given_in_any_namespace() {
    let _sb = netns_testkit::sandbox();
    let pod = NetNs::new_anonymous().unwrap();
    let opts = ExecOptions::new().env(["FOO=bar baz", "ONLY=1"]);
    assert_eq!(
        output(&pod, &["env"], opts),
        ("FOO=bar baz\nONLY=1\n".to_owned(), 0)
    );
    let empty: [&str; 0] = [];
    assert_eq!(
        output(&pod, &["env"], ExecOptions::new().env(empty)),
        (String::new(), 0)
    );
    // Spawned in the anonymous namespace itself, with its /sys.
    let (ns, _) = output(&pod, &["readlink", "/proc/self/ns/net"], ExecOptions::new());
    assert_eq!(ns.trim_end(), format!("net:[{}]", pod.inode()));
    let (links, _) = output(&pod, &["ls", "/sys/class/net"], ExecOptions::new());
    assert_eq!(links.trim_end(), "lo");
    // A process's namespace, opened by pid, is one too.
    let sleeper = pod.spawn(&["sleep", "30"], ExecOptions::new()).unwrap();
    let by_pid = NetNs::open_pid(sleeper.pid()).unwrap();
    let (ns2, _) = output(
        &by_pid,
        &["readlink", "/proc/self/ns/net"],
        ExecOptions::new(),
    );
    assert_eq!(ns2, ns);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(sleeper.pid()),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    sleeper.wait().unwrap();

    // Entries that are not KEY=VALUE are refused before fork.
    for bad in ["NOEQUALS", "=value", "A=\0"] {
        let err = pod
            .spawn(&["true"], ExecOptions::new().env([bad]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}: {err}");
    }
}
