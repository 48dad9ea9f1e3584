//! Bridge-port hairpin mode, promiscuous mode and link aliases against the real kernel, each
//! test in its own sandbox, read back with `ip -d link show`.
#![allow(clippy::unwrap_used)]

use netns_core::link::{LinkChange, LinkSpec, MAX_ALIAS_LEN};
use netns_core::{ErrorKind, Handle};

#[test]
fn hairpin_on_and_off_as_ip_shows_it() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::bridge("br0")).unwrap();
    let br = h.link_index("br0").unwrap();
    h.link_add(&LinkSpec::veth("p0", "p1").master(br)).unwrap();

    let shown = || sb.run_checked("ip", ["-d", "link", "show", "p0"]);
    assert!(shown().contains("hairpin off"), "{}", shown());
    h.bridge_port_set_hairpin("p0".into(), true).unwrap();
    assert!(shown().contains("hairpin on"), "{}", shown());
    let index = h.link_index("p0").unwrap();
    h.bridge_port_set_hairpin(index.into(), false).unwrap();
    assert!(shown().contains("hairpin off"), "{}", shown());
}

#[test]
fn hairpin_refused_on_missing_link_and_non_port() {
    let _sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let err = h.bridge_port_set_hairpin("nope0".into(), true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    h.link_add(&LinkSpec::veth("q0", "q1")).unwrap();
    let err = h.bridge_port_set_hairpin("q0".into(), true).unwrap_err();
    assert!(err.errno().is_some(), "{err}");
    assert_eq!(err.operation(), "set");
    assert!(err.object().contains("bridge port"), "{err}");
}

#[test]
fn alias_set_read_back_and_removed() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::veth("a0", "a1")).unwrap();
    h.link_set_alias("a0".into(), "netns-cni/net1/c1/eth0")
        .unwrap();
    assert_eq!(
        h.link_by_name("a0").unwrap().alias.as_deref(),
        Some("netns-cni/net1/c1/eth0")
    );
    assert!(sb
        .run_checked("ip", ["link", "show", "a0"])
        .contains("alias netns-cni/net1/c1/eth0"));
    let longest = "x".repeat(MAX_ALIAS_LEN);
    h.link_set_alias("a0".into(), &longest).unwrap();
    assert_eq!(h.link("a0".into()).unwrap().alias(), Some(longest.as_str()));
    let err = h
        .link_set_alias("a0".into(), &"x".repeat(MAX_ALIAS_LEN + 1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    h.link_set_alias("a0".into(), "").unwrap();
    assert!(!sb
        .run_checked("ip", ["link", "show", "a0"])
        .contains("alias"));
    // Other changes leave the alias alone.
    h.link_set_alias("a0".into(), "kept").unwrap();
    h.link_set(&LinkChange::new("a0".into()).up()).unwrap();
    assert_eq!(h.link("a0".into()).unwrap().alias(), Some("kept"));
}

#[test]
fn promisc_on_and_off_as_ip_shows_it() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::bridge("br1")).unwrap();
    let flags = || sb.run_checked("ip", ["link", "show", "br1"]);
    assert!(!flags().contains("PROMISC"), "{}", flags());
    h.link_set_promisc("br1".into(), true).unwrap();
    assert!(flags().contains("PROMISC"), "{}", flags());
    assert!(h
        .link_by_name("br1")
        .unwrap()
        .flags
        .contains(netns_core::link::LinkFlags::PROMISC));
    h.link_set_promisc("br1".into(), false).unwrap();
    assert!(!flags().contains("PROMISC"), "{}", flags());
    let err = h.link_set_promisc("nope1".into(), true).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}
