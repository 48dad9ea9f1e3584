//! The calls made for building many namespaces fast (the benchmark's W(N)):
//! `Registry::add_with_handle`, `NetNs::new_anonymous_with_handle`,
//! `LinkChange::request`, `Handle::addresses_add`; against the real kernel, each
//! test in its own sandbox.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};

use netns_core::addr::{AddressFilter, AddressSpec, Family, IpNet};
use netns_core::link::{LinkFlags, LinkRequest, LinkSpec};
use netns_core::{ErrorKind, Handle, Registry};
use netns_testkit::sandbox;

fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> IpNet {
    IpNet::new(IpAddr::V4(Ipv4Addr::new(a, b, c, d)), len).unwrap()
}

#[test]
fn add_with_handle_binds_the_handle_to_the_new_namespace() {
    let sb = sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let (ns, mut h) = reg.add_with_handle("blue").unwrap();
    // The registry entry is the namespace returned.
    assert_eq!(reg.open("blue").unwrap(), ns);
    // The handle talks to the new namespace: a veth made here is not seen
    // in the sandbox, and ip sees it inside "blue".
    h.link_add(&LinkSpec::veth("in0", "in1")).unwrap();
    h.link_set_up("lo".into()).unwrap();
    assert!(!sb.link_names().contains(&"in0".to_string()));
    let inside = sb.run_checked("ip", ["-n", "blue", "-o", "link", "show"]);
    assert!(inside.contains("in0"), "{inside}");
    assert!(inside.contains("lo: <LOOPBACK,UP,LOWER_UP>"), "{inside}");
    // A second add of the same name is refused and changes nothing.
    let e = reg.add_with_handle("blue").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    assert_eq!(reg.names().unwrap(), ["blue"]);
    // A bad name is refused before anything is touched.
    let e = reg.add_with_handle("a/b").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidName, "{e}");
    drop(h);
    reg.delete("blue").unwrap();
    drop(ns);
    sb.assert_clean();
}

#[test]
fn anonymous_with_handle_is_a_fresh_namespace() {
    let sb = sandbox();
    let (ns, mut h) = netns_core::NetNs::new_anonymous_with_handle().unwrap();
    assert_ne!(ns, netns_core::NetNs::current().unwrap());
    let names: Vec<String> = h.links().unwrap().map(|l| l.name().to_string()).collect();
    assert_eq!(names, ["lo"]);
    // The caller's own namespace is untouched.
    assert_eq!(sb.link_names(), ["lo"]);
}

#[test]
fn a_veth_made_from_inside_has_its_peer_born_in_the_callers_namespace() {
    // The benchmark's per-namespace step: from the creation handle, lo up and
    // a veth whose peer is born in the root namespace, in one batch.
    let sb = sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let root = netns_core::NetNs::current().unwrap();
    let (pod, mut inside) = reg.add_with_handle("pod").unwrap();
    let mut created = Vec::new();
    inside
        .links_apply(
            &[
                LinkRequest::SetUp("lo".into(), true),
                LinkRequest::Add(LinkSpec::veth("eth0", "host0").peer_netns(root).up(true)),
            ],
            &mut created,
        )
        .unwrap();
    let eth0 = inside.link_by_name("eth0").unwrap();
    assert!(eth0.flags.contains(LinkFlags::UP), "{:?}", eth0.flags);
    let lo = inside.link_by_name("lo").unwrap();
    assert!(lo.flags.contains(LinkFlags::UP), "{:?}", lo.flags);
    assert_eq!(sb.link_names(), ["lo", "host0"]);
    // A rename by old name cannot be batched; by index it can.
    let e = netns_core::link::LinkChange::new("eth0".into())
        .name("eth1")
        .request()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    let by_index = netns_core::link::LinkChange::new(eth0.index.into()).name("eth1");
    inside
        .socket()
        .execute(&by_index.request().unwrap())
        .unwrap();
    assert_eq!(inside.link_index("eth1").unwrap(), eth0.index);
    drop(inside);
    reg.delete("pod").unwrap();
    drop(pod);
    sb.assert_clean();
}

#[test]
fn addresses_add_adds_in_order_and_reports_the_first_refusal() {
    let sb = sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::veth("a0", "a1")).unwrap();
    let a0 = h.link_index("a0").unwrap().get();
    let a1 = h.link_index("a1").unwrap().get();
    let want = [
        (a0, v4(10, 77, 0, 1, 32)),
        (a1, v4(10, 77, 0, 2, 32)),
        (a0, v4(10, 78, 0, 1, 24)),
    ];
    let specs = |pairs: &[(u32, IpNet)]| -> Vec<AddressSpec> {
        pairs
            .iter()
            .map(|(i, n)| AddressSpec::new(dev(*i), *n))
            .collect()
    };
    h.addresses_add(&specs(&want)).unwrap();
    let mut got: Vec<(u32, IpNet)> = h
        .addresses(AddressFilter::new().family(Family::Inet))
        .unwrap()
        .map(|a| (a.ifindex(), a.net().unwrap()))
        .collect();
    got.sort_by_key(|(i, n)| (*i, n.to_string()));
    let mut want_sorted = want.to_vec();
    want_sorted.sort_by_key(|(i, n)| (*i, n.to_string()));
    assert_eq!(got, want_sorted);
    // The second one already exists: index 1, with the kernel's refusal.
    let again = [(a1, v4(10, 77, 0, 3, 32)), (a0, v4(10, 77, 0, 1, 32))];
    let e = h.addresses_add(&specs(&again)).unwrap_err();
    assert_eq!(e.index, 1, "{e}");
    assert_eq!(e.error.kind(), ErrorKind::AlreadyExists, "{e}");
    assert!(e.error.to_string().contains("10.77.0.1/32"), "{e}");
    // The one before it was applied.
    let n = h
        .addresses(AddressFilter::new().family(Family::Inet).dev(dev(a1)))
        .unwrap()
        .count();
    assert_eq!(n, 2);
    // An unknown interface is the kernel's refusal, not a panic.
    let e = h
        .addresses_add(&specs(&[(999_999, v4(10, 1, 1, 1, 32))]))
        .unwrap_err();
    assert_eq!(e.index, 0);
    // An unknown name is found missing before anything is sent, named as
    // the caller named it.
    let e = h
        .addresses_add(&[
            AddressSpec::new("a0", v4(10, 79, 0, 1, 32)),
            AddressSpec::new("nosuch0", v4(10, 79, 0, 2, 32)),
        ])
        .unwrap_err();
    assert_eq!((e.index, e.sent), (1, 0), "{e}");
    assert!(e.error.is_lookup(), "{e}");
    assert_eq!(
        e.error.to_string(),
        "cannot find device \"nosuch0\": not found"
    );
    assert_eq!(
        h.addresses(AddressFilter::new().dev("a0").family(Family::Inet))
            .unwrap()
            .filter(|a| a.net() == Some(v4(10, 79, 0, 1, 32)))
            .count(),
        0
    );
    drop(sb);
}

/// The device with index `i`.
fn dev(i: u32) -> netns_core::link::Dev {
    netns_core::link::Dev::Index(netns_core::link::IfIndex::new(i).unwrap())
}
