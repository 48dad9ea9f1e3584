//! Alternative names, interface flags, kind changes, bridge port settings
//! and ip's statistics block against the real kernel, each test in its own
//! sandbox, read back with `ip` and `bridge`.
#![allow(clippy::unwrap_used)]

use netns_core::link::{
    BridgeOptions, BridgePortSpec, LinkChange, LinkFlags, LinkSpec, LinkTypeChange, VxlanOptions,
};
use netns_core::{ErrorKind, Handle};

#[test]
fn altnames_are_added_listed_found_and_removed() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::veth("v0", "v1")).unwrap();
    let long = "an-alternative-name-of-forty-bytes-long!";
    h.link_altname_add("v0".into(), long).unwrap();
    h.link_altname_add("v0".into(), "alt0").unwrap();
    let shown = sb.run_checked("ip", ["link", "show", "dev", "v0"]);
    assert!(shown.contains(&format!("altname {long}")), "{shown}");
    assert!(shown.contains("altname alt0"), "{shown}");
    let link = h.link_by_name("v0").unwrap();
    assert_eq!(link.altnames, vec![long.to_owned(), "alt0".to_owned()]);
    assert_eq!(
        h.links()
            .unwrap()
            .find(|l| l.name() == "v0")
            .unwrap()
            .altnames()
            .count(),
        2
    );
    // Every lookup finds the link by either name (IFLA_ALT_IFNAME for the
    // long one, IFLA_IFNAME for the short).
    assert_eq!(h.link_index(long).unwrap(), link.index);
    assert_eq!(h.link_index("alt0").unwrap(), link.index);
    h.link_set(&LinkChange::new(long.into()).mtu(1300)).unwrap();
    assert_eq!(h.link_by_name("v0").unwrap().mtu, Some(1300));
    // A master by altname.
    h.link_add(&LinkSpec::bridge("br0")).unwrap();
    h.link_altname_add("br0".into(), "the-bridge-of-this-test")
        .unwrap();
    h.link_add(&LinkSpec::veth("v2", "v3").master("the-bridge-of-this-test"))
        .unwrap();
    assert!(sb
        .run_checked("ip", ["link", "show", "v2"])
        .contains("master br0"));

    h.link_altname_del(long.into(), "alt0").unwrap();
    assert_eq!(
        h.link_by_name("v0").unwrap().altnames,
        vec![long.to_owned()]
    );
    let err = h.link_altname_del("v0".into(), "alt0").unwrap_err();
    assert_eq!(err.errno(), Some(netns_core::Errno::ENOENT), "{err}");
    let err = h.link_altname_add("v1".into(), long).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    let err = h.link_altname_add("nosuch".into(), "x1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    let err = h.link_altname_add("v0".into(), "a b").unwrap_err();
    assert_eq!(
        (err.kind(), err.errno()),
        (ErrorKind::InvalidArgument, None)
    );
    let err = h.link_index("no-link-has-this-long-name").unwrap_err();
    assert!(err.is_lookup(), "{err}");
}

#[test]
fn flags_are_set_and_cleared_in_one_change() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::dummy("d0")).unwrap_or_else(|_| {
        h.link_add(&LinkSpec::veth("d0", "d1")).unwrap();
    });
    h.link_set(
        &LinkChange::new("d0".into())
            .arp(false)
            .multicast(false)
            .allmulticast(true)
            .dynamic(true)
            .trailers(false)
            .up(),
    )
    .unwrap();
    let flags = h.link_by_name("d0").unwrap().flags;
    for f in [
        LinkFlags::NOARP,
        LinkFlags::ALLMULTI,
        LinkFlags::DYNAMIC,
        LinkFlags::NOTRAILERS,
        LinkFlags::UP,
    ] {
        assert!(flags.contains(f), "{flags:?} lacks {f:?}");
    }
    assert!(!flags.contains(LinkFlags::MULTICAST), "{flags:?}");
    let shown = sb.run_checked("ip", ["link", "show", "d0"]);
    assert!(
        shown.contains("NOARP,ALLMULTI,DYNAMIC,NOTRAILERS"),
        "{shown}"
    );
    h.link_set(
        &LinkChange::new("d0".into())
            .arp(true)
            .multicast(true)
            .allmulticast(false)
            .dynamic(false)
            .trailers(true),
    )
    .unwrap();
    let flags = h.link_by_name("d0").unwrap().flags;
    assert!(
        flags.contains(LinkFlags::MULTICAST) && flags.is_up(),
        "{flags:?}"
    );
    for f in [
        LinkFlags::NOARP,
        LinkFlags::ALLMULTI,
        LinkFlags::DYNAMIC,
        LinkFlags::NOTRAILERS,
    ] {
        assert!(!flags.contains(f), "{flags:?} keeps {f:?}");
    }
}

#[test]
fn kind_changes_reach_the_driver_and_its_refusals_come_back() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let mut options = VxlanOptions::default();
    options.port = Some(4789);
    h.link_add(&LinkSpec::vxlan("vx0", 5, options)).unwrap();
    let mut change = VxlanOptions::default();
    change.ttl = Some(9);
    change.learning = Some(false);
    h.link_set(&LinkChange::new("vx0".into()).kind(LinkTypeChange::Vxlan {
        vni: None,
        options: change,
    }))
    .unwrap();
    let shown = sb.run_checked("ip", ["-d", "link", "show", "vx0"]);
    assert!(
        shown.contains("ttl 9") && shown.contains("nolearning"),
        "{shown}"
    );
    let err = h
        .link_set(&LinkChange::new("vx0".into()).kind(LinkTypeChange::Vxlan {
            vni: Some(6),
            options: VxlanOptions::default(),
        }))
        .unwrap_err();
    assert_eq!(err.kernel_message(), Some("Cannot change VNI"), "{err}");
    assert!(err.to_string().contains("vx0"), "{err}");
    let err = h
        .link_set(&LinkChange::new("vx0".into()).kind(LinkTypeChange::Vxlan {
            vni: Some(1 << 24),
            options: VxlanOptions::default(),
        }))
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.errno()),
        (ErrorKind::InvalidArgument, None)
    );

    h.link_add(&LinkSpec::bridge("br0")).unwrap();
    let mut br = BridgeOptions::default();
    br.stp_state = Some(1);
    br.forward_delay = Some(400);
    // With another change in the same message.
    h.link_set(
        &LinkChange::new("br0".into())
            .mtu(1400)
            .kind(LinkTypeChange::Bridge(br)),
    )
    .unwrap();
    let shown = sb.run_checked("ip", ["-d", "link", "show", "br0"]);
    for want in ["stp_state 1", "forward_delay 400", "mtu 1400"] {
        assert!(shown.contains(want), "{want}: {shown}");
    }
    // A change for another kind is the kernel's to refuse.
    let err = h
        .link_set(&LinkChange::new("br0".into()).kind(LinkTypeChange::Vxlan {
            vni: None,
            options: VxlanOptions::default(),
        }))
        .unwrap_err();
    assert!(err.errno().is_some(), "{err}");
}

#[test]
fn bridge_port_settings_both_ways_and_the_ports_listing() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_add(&LinkSpec::bridge("br0")).unwrap();
    h.link_add(&LinkSpec::veth("p0", "p1").master("br0"))
        .unwrap();
    h.link_add(&LinkSpec::veth("q0", "q1")).unwrap();
    let mut spec = BridgePortSpec::default();
    spec.set("learning", false).unwrap();
    spec.set("flood", false).unwrap();
    spec.set("isolated", true).unwrap();
    spec.set("neigh_suppress", true).unwrap();
    spec.cost = Some(7);
    spec.priority = Some(3);
    h.bridge_port_set("p0".into(), &spec).unwrap();
    let shown = sb.run_checked("bridge", ["-d", "link", "show", "dev", "p0"]);
    for want in [
        "priority 3 cost 7",
        "learning off",
        "flood off",
        "isolated on",
        "neigh_suppress on",
    ] {
        assert!(shown.contains(want), "{want}: {shown}");
    }
    // The listing: ports only, their settings read in place.
    let ports: Vec<(String, BridgePortSettings)> = h
        .bridge_ports()
        .unwrap()
        .map(|p| (p.name().to_owned(), settings(&p.bridge_port().unwrap())))
        .collect();
    assert_eq!(ports.len(), 1, "{ports:?}");
    assert_eq!(ports[0].0, "p0");
    assert_eq!(ports[0].1, (Some(7), Some(3), Some(false), Some(true)));
    // ip link set … type bridge_slave: the same attributes in
    // IFLA_INFO_SLAVE_DATA; the link view reads them back from there.
    let mut again = BridgePortSpec::default();
    again.set("learning", true).unwrap();
    again.cost = Some(9);
    h.link_set(&LinkChange::new("p0".into()).bridge_port(again))
        .unwrap();
    let port = h.link("p0".into()).unwrap().bridge_port();
    assert_eq!(
        port.map(|p| settings(&p)),
        Some((Some(9), Some(3), Some(true), Some(true)))
    );
    assert!(h.link("q0".into()).unwrap().bridge_port().is_none());
    // Refusals: a link that is no port, a priority out of range, no link.
    let err = h.bridge_port_set("q0".into(), &spec).unwrap_err();
    assert_eq!(err.errno(), Some(netns_core::Errno::EOPNOTSUPP), "{err}");
    let mut bad = BridgePortSpec::default();
    bad.priority = Some(99);
    let err = h.bridge_port_set("p0".into(), &bad).unwrap_err();
    assert_eq!(err.errno(), Some(netns_core::Errno::ERANGE), "{err}");
    let err = h.bridge_port_set("nosuch".into(), &spec).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

type BridgePortSettings = (Option<u32>, Option<u16>, Option<bool>, Option<bool>);

fn settings(p: &netns_core::link::BridgePort) -> BridgePortSettings {
    (p.cost, p.priority, p.get("learning"), p.get("isolated"))
}

#[test]
fn stats_block_is_ips() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.link_set(&LinkChange::new("lo".into()).up()).unwrap();
    let _ = sb.run("ping", ["-c", "2", "-i", "0.2", "-q", "127.0.0.1"]);
    for (level, args) in [
        (1u8, &["-s", "link", "show", "lo"][..]),
        (2, &["-s", "-s", "link", "show", "lo"]),
    ] {
        let ip = sb.run_checked("ip", args.iter().copied());
        let link = h.link("lo".into()).unwrap();
        let ours = link
            .stats64()
            .unwrap()
            .display()
            .level(level)
            .carrier_changes(link.carrier_changes())
            .to_string();
        let ip_block: Vec<&str> = ip.lines().skip(2).collect();
        assert_eq!(ours, ip_block.join("\n"), "level {level}");
    }
}
