//! "Touch only what is ours" (issue 12, items 1-2) for the registry: what
//! `add` and `delete` find at a name or as the run directory that netns did
//! not make is refused and left exactly as it was. Each test runs in its own
//! sandbox (a private mount + network namespace with an empty /run/netns).
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::{symlink, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use netns_core::{ErrorKind, Registry};
use netns_testkit::{sandbox, Sandbox};

fn registry(sb: &Sandbox) -> Registry {
    Registry::new(sb.run_dir(), sb.etc_dir())
}

/// `ip netns add` refuses these with "File exists"; netns used to mount over
/// the file and `delete` then unlinked it.
#[test]
fn add_refuses_a_users_file_and_delete_leaves_it() {
    let sb = sandbox();
    let reg = registry(&sb);
    let file = sb.run_dir().join("mine");
    std::fs::write(&file, b"precious\n").unwrap();
    let err = reg.add("mine").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    let text = err.to_string();
    assert!(text.contains("regular file (9 bytes"), "{text}");
    assert!(text.contains("/mine"), "{text}");
    assert!(sb.mounts_under(&file).is_empty());
    let err = reg.delete("mine").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(err.to_string().contains("not an entry netns made"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"precious\n");
    // An empty file with a mode other than 0 is not a stale entry either.
    let empty = sb.run_dir().join("empty");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        reg.add("empty").unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(
        reg.delete("empty").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert!(empty.exists());
    // delete --all goes on past them and reports them.
    reg.add("ours").unwrap();
    let report = reg.delete_all().unwrap();
    assert_eq!(report.deleted, ["ours"]);
    let failed: Vec<&str> = report.failed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(failed, ["empty", "mine"]);
    assert_eq!(std::fs::read(&file).unwrap(), b"precious\n");
    std::fs::remove_file(&file).unwrap();
    std::fs::remove_file(&empty).unwrap();
    sb.assert_clean();
}

#[test]
fn add_and_delete_refuse_symlinks_and_directories_at_a_name() {
    let sb = sandbox();
    let reg = registry(&sb);
    let target = sb.etc_dir().join("target");
    std::fs::write(&target, b"keep").unwrap();
    let link = sb.run_dir().join("link");
    symlink(&target, &link).unwrap();
    let err = reg.add("link").unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    let err = reg.delete("link").unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    assert!(sb.mounts_under(&target).is_empty());
    // A dangling symlink: add must not create the file it points at.
    let dangling = sb.run_dir().join("dangling");
    let nowhere = sb.etc_dir().join("nowhere");
    symlink(&nowhere, &dangling).unwrap();
    assert!(reg.add("dangling").is_err());
    assert!(!nowhere.exists());
    // A directory.
    let dir = sb.run_dir().join("dir");
    std::fs::create_dir(&dir).unwrap();
    let err = reg.add("dir").unwrap_err();
    assert!(err.to_string().contains("a directory"), "{err}");
    assert!(reg.delete("dir").is_err());
    assert!(dir.is_dir());
    for p in [&link, &dangling] {
        std::fs::remove_file(p).unwrap();
    }
    std::fs::remove_dir(&dir).unwrap();
    std::fs::remove_file(&target).unwrap();
    sb.assert_clean();
}

#[test]
fn a_run_directory_that_is_a_symlink_is_refused() {
    let sb = sandbox();
    let elsewhere = sb.etc_dir().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let linked = sb.etc_dir().join("run-link");
    symlink(&elsewhere, &linked).unwrap();
    let reg = Registry::new(&linked, sb.etc_dir());
    let err = reg.add("a").unwrap_err();
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(err.to_string().contains("run directory"), "{err}");
    assert!(reg.list().is_err());
    assert!(reg.delete("a").is_err());
    assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
    assert!(sb.mounts_under(&elsewhere).is_empty());
    // A run directory that is a file.
    let file = sb.etc_dir().join("run-file");
    std::fs::write(&file, b"x").unwrap();
    let err = Registry::new(&file, sb.etc_dir()).add("a").unwrap_err();
    assert!(err.to_string().contains("not a directory"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
    sb.assert_clean();
}

/// What an interrupted add leaves (empty, mode 0, nothing mounted) is ours:
/// replaced by add, removed by delete, as before.
#[test]
fn a_stale_mode_zero_entry_is_still_replaced_and_removed() {
    let sb = sandbox();
    let reg = registry(&sb);
    let stale = |p: &Path| {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o000)
            .open(p)
            .unwrap();
        assert_eq!(
            std::fs::metadata(p).unwrap().permissions().mode() & 0o777,
            0
        );
    };
    stale(&sb.run_dir().join("s"));
    reg.add("s").unwrap();
    reg.delete("s").unwrap();
    stale(&sb.run_dir().join("t"));
    reg.delete("t").unwrap();
    sb.assert_clean();
}
