//! The calls made for deleting many links and reading many namespaces fast
//! (topology destroy and the survey of apply): `LinkChange::group`,
//! `Handle::link_delete_group`, `NetNs::handles`; against the real kernel,
//! each test in its own sandbox.
#![allow(clippy::unwrap_used)]

use netns_core::link::{LinkChange, LinkSpec};
use netns_core::{ErrorKind, Handle, NetNs, Registry};
use netns_testkit::sandbox;

#[test]
fn a_group_of_veths_is_deleted_at_once_with_their_peers() {
    let sb = sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let root = NetNs::current().unwrap();
    let mut h = Handle::current().unwrap();
    let mut inner = Vec::new();
    for i in 0..5 {
        let (ns, mut nh) = reg.add_with_handle(&format!("g{i}")).unwrap();
        nh.link_add(
            &LinkSpec::veth("eth0", format!("gv{i}")).peer_netns(root.try_clone().unwrap()),
        )
        .unwrap();
        inner.push((ns, nh));
    }
    h.link_add(&LinkSpec::veth("keep0", "keep1")).unwrap();
    for i in 0..5 {
        h.link_set(&LinkChange::new(format!("gv{i}").as_str().into()).group(4242))
            .unwrap();
    }
    assert_eq!(h.link_by_name("gv3").unwrap().group, Some(4242));
    assert_eq!(h.link_by_name("keep0").unwrap().group, Some(0));

    h.link_delete_group(4242).unwrap();
    let names = sb.link_names();
    assert!(!names.iter().any(|n| n.starts_with("gv")), "{names:?}");
    assert!(names.contains(&"keep0".to_string()) && names.contains(&"keep1".to_string()));
    // The peers went with them.
    for (_, nh) in &mut inner {
        let inside: Vec<String> = nh.links().unwrap().map(|l| l.name().to_string()).collect();
        assert_eq!(inside, vec!["lo".to_string()]);
    }
    // Nothing left in the group.
    let e = h.link_delete_group(4242).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    drop(inner);
    for i in 0..5 {
        reg.delete(&format!("g{i}")).unwrap();
    }
    h.link_delete("keep0".into()).unwrap();
}

#[test]
fn a_group_holding_an_undeletable_link_deletes_nothing() {
    let _sb = sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::veth("ga0", "ga1")).unwrap();
    h.link_set(&LinkChange::new("ga0".into()).group(99))
        .unwrap();
    h.link_set(&LinkChange::new("lo".into()).group(99)).unwrap();
    let e = h.link_delete_group(99).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(
        h.link_index("ga0").is_ok(),
        "ga0 deleted although lo was refused"
    );
    h.link_set(&LinkChange::new("lo".into()).group(0)).unwrap();
    h.link_delete("ga0".into()).unwrap();
}

#[test]
fn group_zero_is_refused_before_the_kernel() {
    let _sb = sandbox();
    let mut h = Handle::current().unwrap();
    let e = h.link_delete_group(0).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("group 0"), "{e}");
    assert!(h.link_index("lo").is_ok());
}

#[test]
fn handles_are_bound_to_their_namespaces_in_order() {
    let sb = sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let names = ["ha", "hb", "hc"];
    let nss: Vec<NetNs> = names.iter().map(|n| reg.add(n).unwrap()).collect();
    let refs: Vec<&NetNs> = nss.iter().collect();
    let mut handles = NetNs::handles(&refs).unwrap();
    assert_eq!(handles.len(), 3);
    for (h, n) in handles.iter_mut().zip(names) {
        h.link_add(&LinkSpec::veth(format!("{n}0"), format!("{n}1")))
            .unwrap();
    }
    // Each link is in its own namespace only, and none in the caller's.
    assert!(!sb.link_names().iter().any(|l| l.starts_with('h')));
    for n in names {
        let out = sb.run_checked("ip", ["-n", n, "-o", "link", "show"]);
        for m in names {
            assert_eq!(out.contains(&format!("{m}0")), m == n, "{n}: {out}");
        }
    }
    assert!(NetNs::handles(&[]).unwrap().is_empty());
    drop(handles);
    drop(nss);
    for n in names {
        reg.delete(n).unwrap();
    }
}
