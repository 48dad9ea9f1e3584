//! Races between processes: several `netns add` at once, in a sandbox.
#![allow(clippy::unwrap_used)]

use std::process::{Child, Output, Stdio};

use netns_testkit::{sandbox, Sandbox};

fn spawn_add(sb: &Sandbox, name: &str) -> Child {
    sb.command(env!("CARGO_BIN_EXE_netns"))
        .args(["add", name])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finish(children: Vec<Child>) -> Vec<Output> {
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

#[test]
fn processes_adding_the_same_name_have_exactly_one_winner_and_leave_no_stale_file() {
    let sb = sandbox();
    for round in 0..5 {
        let name = format!("same{round}");
        let outputs = finish((0..8).map(|_| spawn_add(&sb, &name)).collect());
        let winners = outputs.iter().filter(|o| o.status.success()).count();
        assert_eq!(winners, 1, "round {round}: {outputs:?}");
        for o in outputs.iter().filter(|o| !o.status.success()) {
            assert_eq!(o.status.code(), Some(1));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains("already exists"), "{err}");
        }
        // The one entry is a mounted namespace, not a stale file.
        assert_eq!(sb.mounts_under(sb.run_dir().join(&name)).len(), 1);
        let listed = sb.run_checked(env!("CARGO_BIN_EXE_netns"), ["list"]);
        assert!(!listed.contains("stale"), "{listed}");
    }
    let del = sb.run(env!("CARGO_BIN_EXE_netns"), ["delete", "--all"]);
    assert!(del.status.success(), "{del:?}");
    sb.assert_clean();
}

#[test]
fn concurrent_first_adds_in_processes_make_one_shared_mount_not_a_pile() {
    let sb = sandbox();
    let names: Vec<String> = (0..12).map(|i| format!("first{i}")).collect();
    let outputs = finish(names.iter().map(|n| spawn_add(&sb, n)).collect());
    assert!(outputs.iter().all(|o| o.status.success()), "{outputs:?}");
    let mounts = sb.mounts_under(sb.run_dir());
    let dir = sb.run_dir().to_str().unwrap();
    assert_eq!(
        mounts.iter().filter(|m| m.as_str() == dir).count(),
        1,
        "{mounts:?}"
    );
    assert_eq!(mounts.len(), 1 + names.len(), "{mounts:?}");
    // ip sees every one of them.
    let ip = sb.run_checked("ip", ["netns", "list"]);
    for n in &names {
        assert!(
            ip.lines().any(|l| l.split_whitespace().next() == Some(n)),
            "{n}: {ip}"
        );
    }
    let del = sb.run(env!("CARGO_BIN_EXE_netns"), ["delete", "--all"]);
    assert!(del.status.success(), "{del:?}");
    sb.assert_clean();
}
