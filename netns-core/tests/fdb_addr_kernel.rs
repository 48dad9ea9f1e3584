//! Bridge fdb entries, addresses with a peer and lifetimes, and the
//! idempotent adds and deletes, against the real kernel, each test in its
//! own sandbox, compared with what `bridge` and `ip` show.
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use netns_core::addr::{AddressSpec, FOREVER};
use netns_core::link::LinkSpec;
use netns_core::neigh::{FdbFilter, FdbFlush, FdbQuery, FdbSpec, FdbState, NeighSpec, NeighState};
use netns_core::route::RouteSpec;
use netns_core::rule::RuleSpec;
use netns_core::{ErrorKind, Handle};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn mac(last: u8) -> [u8; 6] {
    [2, 0, 0, 0, 0, last]
}

/// A vxlan vx0, a bridge br0 with port d0 (a veth), all up.
fn setup(sb: &netns_testkit::Sandbox) {
    for args in [
        &["link", "add", "br0", "type", "bridge"][..],
        &["link", "add", "d0", "type", "veth", "peer", "name", "d1"],
        &["link", "set", "d0", "master", "br0"],
        // No learning on d0: d1's IPv6 traffic would add dynamic entries at
        // any moment, between two listings compared.
        &[
            "link",
            "set",
            "d0",
            "type",
            "bridge_slave",
            "learning",
            "off",
        ],
        &["link", "set", "br0", "up"],
        &["link", "set", "d0", "up"],
        &["link", "set", "d1", "up"],
        &[
            "link",
            "add",
            "vx0",
            "type",
            "vxlan",
            "id",
            "42",
            "dstport",
            "4789",
            "local",
            "10.0.0.1",
            "nolearning",
        ],
        &["link", "set", "vx0", "up"],
    ] {
        sb.run_checked("ip", args);
    }
}

/// Our lines for `filter`, as `bridge fdb show` prints them.
fn our_lines(h: &mut Handle, filter: &FdbFilter, show_dev: bool) -> Vec<String> {
    let names = h.interface_names().unwrap();
    let lines: Vec<String> = h
        .fdb_entries(filter)
        .unwrap()
        .map(|e| e.fdb_display(&names, show_dev, false).to_string())
        .collect();
    lines
}

fn bridge_lines(sb: &netns_testkit::Sandbox, args: &[&str]) -> Vec<String> {
    let mut all = vec!["fdb", "show"];
    all.extend_from_slice(args);
    sb.run_checked("bridge", all)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn fdb_entries_are_added_listed_got_and_deleted_as_bridge_does() {
    let sb = netns_testkit::sandbox();
    setup(&sb);
    let mut h = Handle::current().unwrap();

    let remote = FdbSpec::new([0, 0x11, 0x22, 0x33, 0x44, 0x55], "vx0").dst(ip("10.0.0.2"));
    h.fdb_add(&remote).unwrap();
    let flood = FdbSpec::new([0; 6], "vx0").dst(ip("10.0.0.3"));
    h.fdb_append(&flood).unwrap();
    h.fdb_append(
        &FdbSpec::new([0; 6], "vx0")
            .dst(ip("10.0.0.4"))
            .vni(100)
            .port(4790),
    )
    .unwrap();
    h.fdb_add(
        &FdbSpec::new(mac(1), "d0")
            .master(true)
            .state(FdbState::Static),
    )
    .unwrap();
    h.fdb_add(&FdbSpec::new(mac(4), "d0")).unwrap();

    // Every entry, then by device, bridge and port, line for line.
    assert_eq!(
        our_lines(&mut h, &FdbFilter::new(), true),
        bridge_lines(&sb, &[])
    );
    let vx = our_lines(&mut h, &FdbFilter::new().dev("vx0"), false);
    assert_eq!(vx, bridge_lines(&sb, &["dev", "vx0"]));
    assert!(vx.contains(&"00:11:22:33:44:55 dst 10.0.0.2 self permanent".to_owned()));
    assert!(
        vx.contains(&"00:00:00:00:00:00 dst 10.0.0.4 port 4790 vni 100 self permanent".to_owned())
    );
    let br = our_lines(&mut h, &FdbFilter::new().br("br0"), true);
    assert_eq!(br, bridge_lines(&sb, &["br", "br0"]));
    assert!(br.contains(&"02:00:00:00:00:01 dev d0 master br0 static".to_owned()));
    assert_eq!(
        our_lines(&mut h, &FdbFilter::new().dev("d0"), false),
        bridge_lines(&sb, &["brport", "d0"])
    );
    assert_eq!(
        our_lines(
            &mut h,
            &FdbFilter::new().br("br0").state(FdbState::Static),
            true
        ),
        bridge_lines(&sb, &["br", "br0", "state", "static"])
    );

    // get: by device, by bridge.
    let got = h
        .fdb_get(&FdbQuery::dev(remote.mac, "vx0").self_(true))
        .unwrap();
    assert_eq!(got.dst, Some(ip("10.0.0.2")));
    assert_eq!(got.fdb_state(), FdbState::Permanent);
    let got = h.fdb_get(&FdbQuery::br(mac(1), "br0")).unwrap();
    assert_eq!(got.fdb_state(), FdbState::Static);
    assert_eq!(Some(got.ifindex), h.link_index("d0").ok().map(|i| i.get()));
    let e = h.fdb_get(&FdbQuery::br(mac(9), "br0")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");

    // add again: EEXIST; replace moves the remote; del; del again: ENOENT.
    let e = h.fdb_add(&remote).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    h.fdb_replace(&remote.clone().dst(ip("10.0.0.9"))).unwrap();
    assert!(bridge_lines(&sb, &["dev", "vx0"])
        .contains(&"00:11:22:33:44:55 dst 10.0.0.9 self permanent".to_owned()));
    h.fdb_del(&remote.clone().dst(ip("10.0.0.9"))).unwrap();
    let e = h.fdb_del(&remote).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(e.to_string().contains("00:11:22:33:44:55"), "{e}");
    // A missing device is named.
    let e = h.fdb_add(&FdbSpec::new(mac(5), "nosuch")).unwrap_err();
    assert!(e.is_lookup(), "{e}");

    // flush: the bridge's entries of port d0 go, d0's own table stays.
    let mut flush = FdbFlush::new("br0");
    flush.port = Some("d0".into());
    h.fdb_flush(&flush).unwrap();
    let left = bridge_lines(&sb, &["br", "br0"]);
    assert!(
        !left.iter().any(|l| l.starts_with("02:00:00:00:00:01")),
        "{left:?}"
    );
    assert!(!left.iter().any(|l| l.contains("master br0")), "{left:?}");
    assert!(
        left.contains(&"02:00:00:00:00:04 dev d0 self permanent".to_owned()),
        "{left:?}"
    );
}

#[test]
fn fdb_exist_ok_and_missing_ok() {
    let sb = netns_testkit::sandbox();
    setup(&sb);
    let mut h = Handle::current().unwrap();
    let spec = FdbSpec::new(mac(7), "vx0").dst(ip("10.0.0.2"));
    assert!(h.fdb_add_exist_ok(&spec).unwrap());
    assert!(!h.fdb_add_exist_ok(&spec).unwrap());
    let e = h
        .fdb_add_exist_ok(&spec.clone().dst(ip("10.0.0.3")))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert!(
        e.to_string()
            .contains("it exists with dst 10.0.0.2, not 10.0.0.3"),
        "{e}"
    );
    let port = FdbSpec::new(mac(8), "d0")
        .master(true)
        .state(FdbState::Static);
    assert!(h.fdb_add_exist_ok(&port).unwrap());
    assert!(!h.fdb_add_exist_ok(&port).unwrap());
    assert!(h.fdb_del_missing_ok(&spec).unwrap());
    assert!(!h.fdb_del_missing_ok(&spec).unwrap());
    assert!(h
        .fdb_del_missing_ok(&FdbSpec::new(mac(7), "nosuch"))
        .is_err());
}

#[test]
fn addresses_with_a_peer_and_lifetimes_show_as_ip_shows_them() {
    let sb = netns_testkit::sandbox();
    sb.run_checked(
        "ip",
        ["link", "add", "v0", "type", "veth", "peer", "name", "v1"],
    );
    let mut h = Handle::current().unwrap();

    let p2p =
        AddressSpec::new("v0", "10.0.0.1/32".parse().unwrap()).peer("10.0.0.2/32".parse().unwrap());
    assert_eq!(p2p.to_string(), "address 10.0.0.1 peer 10.0.0.2/32 dev v0");
    h.address_add(&p2p).unwrap();
    let timed = AddressSpec::new("v0", "10.1.0.1/24".parse().unwrap()).lifetimes(100, 50);
    h.address_add(&timed).unwrap();

    let shown = sb.run_checked("ip", ["-4", "addr", "show", "dev", "v0"]);
    assert!(
        shown.contains("inet 10.0.0.1 peer 10.0.0.2/32 scope global v0"),
        "{shown}"
    );
    assert!(
        shown.contains("inet 10.1.0.1/24 scope global dynamic v0"),
        "{shown}"
    );
    assert!(
        shown.contains("valid_lft 100sec preferred_lft 50sec")
            || shown.contains("valid_lft 99sec preferred_lft 49sec"),
        "{shown}"
    );
    let mut seen = 0;
    for a in h
        .addresses(netns_core::addr::AddressFilter::new().dev("v0"))
        .unwrap()
    {
        match a.local() {
            Some(l) if l == ip("10.0.0.1") => {
                assert_eq!(a.peer(), Some(ip("10.0.0.2")));
                assert_eq!(a.prefix_len(), 32);
                assert_eq!(a.lifetimes(), Some((FOREVER, FOREVER)));
                seen += 1;
            }
            Some(l) if l == ip("10.1.0.1") => {
                assert_eq!(a.peer(), None);
                let (preferred, valid) = a.lifetimes().unwrap();
                assert!((49..=50).contains(&preferred) && (99..=100).contains(&valid));
                seen += 1;
            }
            _ => {}
        }
    }
    assert_eq!(seen, 2);

    // Refused before the kernel, as ip refuses them.
    let e = h
        .address_add(&AddressSpec::new("v0", "10.2.0.1/24".parse().unwrap()).lifetimes(10, 20))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string()
            .contains("preferred_lft is greater than valid_lft"),
        "{e}"
    );
    let e = h
        .address_add(&AddressSpec::new("v0", "10.2.0.1/24".parse().unwrap()).lifetimes(0, 0))
        .unwrap_err();
    assert!(e.to_string().contains("valid_lft is zero"), "{e}");

    // Deleted with its peer.
    h.address_del(&p2p).unwrap();
    let shown = sb.run_checked("ip", ["-4", "addr", "show", "dev", "v0"]);
    assert!(!shown.contains("10.0.0.1"), "{shown}");
}

#[test]
fn exist_ok_accepts_the_same_object_and_names_the_field_that_differs() {
    let sb = netns_testkit::sandbox();
    for args in [
        &["link", "add", "v0", "type", "veth", "peer", "name", "v1"][..],
        &["link", "set", "v0", "up"],
        &["link", "set", "v1", "up"],
    ] {
        sb.run_checked("ip", args);
    }
    let mut h = Handle::current().unwrap();

    // Addresses.
    let a = AddressSpec::new("v0", "10.0.0.1/24".parse().unwrap());
    assert!(h.address_add_exist_ok(&a).unwrap());
    assert!(!h.address_add_exist_ok(&a).unwrap());
    let e = h.address_add_exist_ok(&a.clone().scope(253)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert!(
        e.to_string()
            .contains("it exists with scope global, not link"),
        "{e}"
    );
    let e = h
        .address_add_exist_ok(&a.clone().lifetimes(100, 100))
        .unwrap_err();
    assert!(e.to_string().contains("valid_lft"), "{e}");
    assert!(h.address_del_missing_ok(&a).unwrap());
    assert!(!h.address_del_missing_ok(&a).unwrap());
    assert!(h
        .address_del_missing_ok(&AddressSpec::new("nosuch", "10.0.0.1/24".parse().unwrap()))
        .unwrap_err()
        .is_lookup());
    h.address_add(&a).unwrap();

    // Routes.
    let r = RouteSpec::towards("10.9.0.0/16")
        .unwrap()
        .via(ip("10.0.0.2"));
    assert!(h.route_add_exist_ok(&r).unwrap());
    assert!(!h.route_add_exist_ok(&r).unwrap());
    let e = h
        .route_add_exist_ok(
            &RouteSpec::towards("10.9.0.0/16")
                .unwrap()
                .via(ip("10.0.0.3")),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert!(
        e.to_string()
            .contains("it exists with via 10.0.0.2, not 10.0.0.3"),
        "{e}"
    );
    assert!(h.route_del_missing_ok(&r).unwrap());
    assert!(!h.route_del_missing_ok(&r).unwrap());

    // Neighbours.
    let n = NeighSpec::new(ip("10.0.0.5"), "v0").mac(vec![2, 0, 0, 0, 0, 5]);
    assert!(h.neigh_add_exist_ok(&n).unwrap());
    assert!(!h.neigh_add_exist_ok(&n).unwrap());
    let e = h
        .neigh_add_exist_ok(&n.clone().mac(vec![2, 0, 0, 0, 0, 6]))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("it exists with lladdr 02:00:00:00:00:05, not 02:00:00:00:00:06"),
        "{e}"
    );
    let e = h
        .neigh_add_exist_ok(&n.clone().state(NeighState::NOARP))
        .unwrap_err();
    assert!(e.to_string().contains("nud"), "{e}");
    assert!(h.neigh_del_missing_ok(&n).unwrap());
    assert!(!h.neigh_del_missing_ok(&n).unwrap());

    // Rules.
    let rule = RuleSpec::new()
        .priority(1000)
        .from("10.0.0.0/8".parse().unwrap());
    assert!(h.rule_add_exist_ok(&rule).unwrap());
    assert!(!h.rule_add_exist_ok(&rule).unwrap());
    assert!(h.rule_del_missing_ok(&rule).unwrap());
    assert!(!h.rule_del_missing_ok(&rule).unwrap());

    // Links: same kind and peer, or an error naming what differs.
    let veth = LinkSpec::veth("va", "vb");
    assert!(h.link_add_exist_ok(&veth).unwrap());
    assert!(!h.link_add_exist_ok(&veth).unwrap());
    let e = h
        .link_add_exist_ok(&LinkSpec::veth("va", "vc"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert!(
        e.to_string()
            .contains("it exists with peer another link, not vc"),
        "{e}"
    );
    let e = h
        .link_add_exist_ok(&LinkSpec::new("va", netns_core::link::LinkKind::Bridge))
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("it exists with type veth, not bridge"),
        "{e}"
    );
}
