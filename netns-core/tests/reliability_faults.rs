//! Fault injection (feature `fault-injection`): a failure at every step of
//! `Registry::add`, a name taken or a namespace deleted half-way through an
//! add, ENOBUFS and EINTR on a dump, a veth whose target namespace loses its
//! name between the steps or whose peer name is taken. Each time: a clear
//! error (kind, errno, operation and object in the message) and the state as
//! before (no file, no mount, no link).
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::MetadataExt;

use netns_core::fault::{self, Point};
use netns_core::{Errno, ErrorKind, Handle, Registry};
use netns_testkit::{sandbox, Sandbox};

fn registry(sb: &Sandbox) -> Registry {
    Registry::new(sb.run_dir(), sb.etc_dir())
}

/// Nothing of an add is left: no file, no mount below the run directory.
fn assert_nothing_added(sb: &Sandbox) {
    assert_eq!(fault::clear(), 0, "an armed fault did not fire");
    sb.assert_clean();
}

#[test]
fn add_fails_cleanly_at_every_step() {
    let sb = sandbox();
    let reg = registry(&sb);
    for (point, errno) in [
        (Point::AddAfterCreate, Errno::EIO),
        (Point::AddBeforeMount, Errno::ENOMEM),
    ] {
        fault::fail(point, errno, 1);
        let e = reg.add("f").unwrap_err();
        assert_eq!(e.errno(), Some(errno), "{point:?}: {e}");
        let text = e.to_string();
        assert!(
            text.starts_with("cannot add network namespace \"f\""),
            "{text}"
        );
        assert_nothing_added(&sb);
        // The same name can be added right after.
        reg.add("f").unwrap();
        reg.delete("f").unwrap();
    }
    // add_with_handle goes through the same steps.
    fault::fail(Point::AddBeforeMount, Errno::EIO, 1);
    assert!(reg.add_with_handle("g").is_err());
    assert_nothing_added(&sb);
    sb.assert_clean();
}

#[test]
fn a_name_taken_half_way_is_left_to_its_owner() {
    let sb = sandbox();
    let reg = registry(&sb);
    let path = sb.run_dir().join("t");
    let p = path.clone();
    // Between our create and our mount, someone (an `ip netns delete` then
    // another adder, neither taking our lock) replaces the file.
    fault::run_at(Point::AddBeforeMount, move || {
        std::fs::remove_file(&p).unwrap();
        std::fs::write(&p, b"someone else's").unwrap();
    });
    let e = reg.add("t").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
    assert!(e.to_string().contains("removed or replaced"), "{e}");
    // Their file is untouched and nothing is mounted on it.
    assert_eq!(std::fs::read(&path).unwrap(), b"someone else's");
    assert!(sb.mounts_under(&path).is_empty());
    std::fs::remove_file(&path).unwrap();
    assert_nothing_added(&sb);
}

#[test]
fn a_name_deleted_half_way_leaves_nothing() {
    let sb = sandbox();
    let reg = registry(&sb);
    let p = sb.run_dir().join("d");
    fault::run_at(Point::AddBeforeMount, move || {
        // `ip netns delete d` while our add is between create and mount.
        std::fs::remove_file(&p).unwrap();
    });
    let e = reg.add("d").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Busy, "{e}");
    assert_nothing_added(&sb);
}

#[test]
fn enobufs_on_a_dump_is_reported_and_the_handle_recovers() {
    let sb = sandbox();
    let reg = registry(&sb);
    let ns = reg.add("n").unwrap();
    let mut h = ns.handle().unwrap();
    for i in 0..20 {
        h.link_add(&netns_core::link::LinkSpec::bridge(format!("br{i}")))
            .unwrap();
    }
    let before: Vec<String> = h.links().unwrap().map(|l| l.name().to_string()).collect();
    assert_eq!(before.len(), 21);

    // The socket overran: the dump fails with ENOBUFS, named.
    fault::fail(Point::Recv, Errno::ENOBUFS, 1);
    let e = h.links().map(|l| l.count()).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::ENOBUFS), "{e}");
    assert!(e.to_string().contains("links"), "{e}");
    // The same handle works again: the abandoned answer is skipped by
    // sequence number, the next dump is whole.
    let again: Vec<String> = h.links().unwrap().map(|l| l.name().to_string()).collect();
    assert_eq!(again, before);

    // ENOBUFS half-way through a multi-datagram dump, too.
    fault::fail(Point::Recv, Errno::ENOBUFS, 1);
    let _ = h.links().map(|l| l.count()); // first recv fails
    let again: Vec<String> = h.links().unwrap().map(|l| l.name().to_string()).collect();
    assert_eq!(again, before);

    // EINTR (a signal) is retried: the dump succeeds, whole.
    fault::fail(Point::Recv, Errno::EINTR, 3);
    let with_eintr: Vec<String> = h.links().unwrap().map(|l| l.name().to_string()).collect();
    assert_eq!(with_eintr, before);

    // A send that fails changes nothing.
    fault::fail(Point::Send, Errno::ENOBUFS, 1);
    let e = h
        .link_add(&netns_core::link::LinkSpec::bridge("brx"))
        .unwrap_err();
    assert_eq!(e.errno(), Some(Errno::ENOBUFS), "{e}");
    assert_eq!(h.links().unwrap().count(), 21);
    assert_eq!(fault::clear(), 0);
    drop(h);
    drop(ns);
    reg.delete("n").unwrap();
    sb.assert_clean();
}

#[test]
fn veth_into_a_namespace_whose_name_goes_away() {
    let sb = sandbox();
    let reg = registry(&sb);
    let target = reg.add("v").unwrap();
    // Between opening the target and creating the pair, its name is deleted:
    // the open handle still pins the namespace, the pair is made whole.
    reg.delete("v").unwrap();
    let mut host = Handle::current().unwrap();
    host.veth("hv0", "eth0", Some(&target)).unwrap();
    let mut inside = target.handle().unwrap();
    assert!(inside.link_by_name("eth0").is_ok());
    assert!(host.link_by_name("hv0").is_ok());

    // Peer name taken in the target: refused, and no host end is left.
    let e = host.veth("hv1", "eth0", Some(&target)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    assert!(host.link_by_name("hv1").is_err());

    // A failure injected at the send: neither end exists.
    fault::fail(Point::Send, Errno::EIO, 1);
    assert!(host.veth("hv2", "eth1", Some(&target)).is_err());
    assert!(host.link_by_name("hv2").is_err());
    assert!(inside.link_by_name("eth1").is_err());

    // When the last handle goes, the namespace and both ends of the pair go.
    drop(inside);
    let ino = target.inode();
    drop(target);
    let gone = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(25));
        host.link_by_name("hv0").is_err()
    });
    assert!(gone, "host end of the veth outlived namespace {ino}");
    assert!(std::fs::metadata(sb.run_dir().join("v")).is_err());
    let _ = std::fs::metadata("/proc/thread-self/ns/net").unwrap().ino();
    sb.assert_clean();
}
