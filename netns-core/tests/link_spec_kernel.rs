//! [`LinkSpec`]: owned link specs whose names the core resolves, against the
//! real kernel, each test in its own sandbox, checked with `ip`.
#![allow(clippy::unwrap_used)]

use netns_core::link::{Dev, LinkKind, LinkSpec, MacVlanMode, NetNsRef, VethPeer, VxlanOptions};
use netns_core::{ErrorKind, Handle, Registry};

fn registry(sb: &netns_testkit::Sandbox) -> Registry {
    Registry::new(sb.run_dir(), sb.etc_dir())
}

fn ip(sb: &netns_testkit::Sandbox, args: &[&str]) -> String {
    sb.run_checked("ip", args)
}

#[test]
fn a_veth_peer_is_born_in_a_namespace_named_by_the_registry_or_opened() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let blue = reg.add("blue").unwrap();
    let mut h = Handle::current().unwrap();
    // By registry name (resolved by the core, as `ip link … netns blue`).
    let mut peer = VethPeer::named("eth0");
    peer.netns = Some(NetNsRef::Name("blue".into()));
    peer.txqlen = Some(123);
    peer.mtu = Some(1400);
    h.link_add(&LinkSpec::new("v0", LinkKind::Veth(peer)).up(true))
        .unwrap();
    let inside = ip(&sb, &["-n", "blue", "-o", "link", "show", "eth0"]);
    assert!(inside.contains("mtu 1400"), "{inside}");
    assert!(inside.contains("qlen 123"), "{inside}");
    assert!(ip(&sb, &["-o", "link", "show", "v0"]).contains("v0@"));
    // Already open, shared by two specs.
    let open = NetNsRef::from(blue);
    let specs: Vec<LinkSpec> = (1..=2)
        .map(|i| {
            let mut p = VethPeer::named(format!("eth{i}"));
            p.netns = Some(open.clone());
            LinkSpec::new(format!("v{i}"), LinkKind::Veth(p))
        })
        .collect();
    let created = h.links_add(&specs).unwrap();
    assert_eq!(created.len(), 2);
    assert!(created
        .iter()
        .all(|c| c.index.is_some() && c.peer.is_some()));
    let names = ip(&sb, &["-n", "blue", "-o", "link"]);
    assert!(
        names.contains("eth1@") && names.contains("eth2@"),
        "{names}"
    );
    reg.delete("blue").unwrap();
}

#[test]
fn an_unnamed_peer_takes_the_first_free_veth_name_as_ip_does() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::new("veth0", LinkKind::Veth(VethPeer::default())))
        .unwrap();
    // veth0 is taken by the first end: the peer is veth1, as `ip link add
    // veth0 type veth` names it.
    let out = ip(&sb, &["-o", "link", "show", "veth1"]);
    assert!(out.contains("veth1@veth0"), "{out}");
}

#[test]
fn masters_and_parents_are_resolved_by_name_one_by_one_or_from_one_dump() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::new("br0", LinkKind::Bridge)).unwrap();
    let mut port = LinkSpec::new("p0", LinkKind::Veth(VethPeer::named("p0b")));
    port.master = Some(Dev::from("br0"));
    h.link_add(&port).unwrap();
    assert!(ip(&sb, &["-o", "link", "show", "p0"]).contains("master br0"));
    // Three names in one batch: resolved from one dump.
    let mut specs = Vec::new();
    for i in 1..=3 {
        let mut s = LinkSpec::new(
            format!("q{i}"),
            LinkKind::Veth(VethPeer::named(format!("q{i}b"))),
        );
        s.master = Some(Dev::from("br0"));
        specs.push(s);
    }
    specs.push(LinkSpec::new(
        "mv0",
        LinkKind::MacVlan {
            parent: Dev::from("q1b"),
            mode: MacVlanMode::Bridge,
        },
    ));
    // q1b exists only once the batch's first spec ran: a dump taken before
    // cannot see it, so the batch is refused before anything is sent.
    let err = h.links_add(&specs).unwrap_err();
    assert_eq!(err.index, 3);
    assert_eq!(err.sent, 0);
    assert_eq!(err.error.kind(), ErrorKind::NotFound, "{}", err.error);
    assert!(err.error.to_string().contains("q1b"), "{}", err.error);
    specs.pop();
    h.links_add(&specs).unwrap();
    for i in 1..=3 {
        assert!(ip(&sb, &["-o", "link", "show", &format!("q{i}")]).contains("master br0"));
    }
    let vx = LinkSpec::new(
        "vx0",
        LinkKind::Vxlan {
            vni: 42,
            parent: Some(Dev::from("br0")),
            options: VxlanOptions::default(),
        },
    );
    h.link_add(&vx).unwrap();
    let d = ip(&sb, &["-d", "-o", "link", "show", "vx0"]);
    assert!(d.contains("id 42") && d.contains("dev br0"), "{d}");
}

#[test]
fn bad_specs_are_refused_before_the_kernel_naming_what_is_wrong() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let long = LinkSpec::new("x".repeat(16), LinkKind::Bridge);
    assert_eq!(
        h.link_add(&long).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let peer = LinkSpec::new("v0", LinkKind::Veth(VethPeer::named("a/b")));
    let e = h.link_add(&peer).unwrap_err();
    assert!(e.to_string().contains("peer \"a/b\""), "{e}");
    let vx = LinkSpec::new(
        "vx0",
        LinkKind::Vxlan {
            vni: 1 << 24,
            parent: None,
            options: VxlanOptions::default(),
        },
    );
    assert!(h.link_add(&vx).unwrap_err().to_string().contains("24 bits"));
    let mut m = LinkSpec::new("p0", LinkKind::Bridge);
    m.master = Some(Dev::from("nosuch"));
    let e = h.link_add(&m).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(e.to_string().contains("link \"p0\" (bridge)"), "{e}");
    let mut n = LinkSpec::new("v1", LinkKind::Veth(VethPeer::named("v1b")));
    n.netns = Some(NetNsRef::Name("nosuchns".into()));
    assert_eq!(h.link_add(&n).unwrap_err().kind(), ErrorKind::NotFound);
    // Nothing was created.
    assert_eq!(sb.link_names(), ["lo"]);
}
