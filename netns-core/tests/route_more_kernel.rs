//! Route lookups, multipath, metrics, onlink, route types and their tables,
//! and flushing, against the real kernel and compared with what `ip` shows,
//! each test in its own sandbox (netns-testkit).
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use netns_core::addr::{AddressSpec, Family, IpNet};
use netns_core::route::{
    parse_type, NextHop, RouteFilter, RouteQuery, RouteSpec, RouteTable, PROTO_STATIC,
};
use netns_core::{ErrorKind, Handle};

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// veth0 (10.1.1.1/24) and veth2 (10.2.2.1/24), each paired and up, so
/// 10.1.1.2 and 10.2.2.2 are reachable gateways.
fn two_links(sb: &netns_testkit::Sandbox, h: &mut Handle) {
    for (a, b, addr) in [
        ("veth0", "veth1", "10.1.1.1/24"),
        ("veth2", "veth3", "10.2.2.1/24"),
    ] {
        sb.run_checked("ip", ["link", "add", a, "type", "veth", "peer", "name", b]);
        sb.run_checked("ip", ["link", "set", a, "up"]);
        sb.run_checked("ip", ["link", "set", b, "up"]);
        h.address_add(&AddressSpec::new(a, net(addr))).unwrap();
    }
}

#[test]
fn local_broadcast_anycast_and_nat_routes_go_to_table_local_as_ip_puts_them() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    two_links(&sb, &mut h);
    let local = parse_type("local").unwrap();
    h.route_add(&RouteSpec::to(net("10.77.0.1/32")).dev("veth0").kind(local))
        .unwrap();
    // Not in main (the silent wrong result of before), in local as ip puts it.
    assert!(!sb.run_checked("ip", ["route"]).contains("10.77.0.1"));
    let in_local = sb.run_checked("ip", ["route", "show", "table", "local"]);
    assert!(
        in_local.contains("local 10.77.0.1 dev veth0 scope host"),
        "{in_local}"
    );
    // The same route through ip lands in the same place.
    sb.run_checked("ip", ["route", "add", "local", "10.77.0.2", "dev", "veth0"]);
    let in_local = sb.run_checked("ip", ["route", "show", "table", "local"]);
    assert!(
        in_local.contains("local 10.77.0.2 dev veth0 scope host"),
        "{in_local}"
    );
    // An explicit table wins; unicast stays in main.
    let spec = RouteSpec::to(net("10.77.0.3/32"))
        .dev("veth0")
        .kind(local)
        .table(RouteTable::new(100).unwrap());
    assert_eq!(spec.effective_table().id(), 100);
    assert_eq!(
        RouteSpec::to(net("10.0.0.0/8")).effective_table(),
        RouteTable::MAIN
    );
    // Deleting finds it in table local too.
    h.route_del(&RouteSpec::to(net("10.77.0.1/32")).dev("veth0").kind(local))
        .unwrap();
    assert!(!sb
        .run_checked("ip", ["route", "show", "table", "local"])
        .contains("10.77.0.1 "));
}

#[test]
fn multipath_routes_are_shown_by_ip_as_added_and_read_back() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    two_links(&sb, &mut h);
    let spec = RouteSpec::to(net("10.9.0.0/16"))
        .nexthop(NextHop::via(ip("10.1.1.2")).dev("veth0").weight(2))
        .nexthop(NextHop::via(ip("10.2.2.2")).dev("veth2"));
    h.route_add(&spec).unwrap();
    let shown = sb.run_checked("ip", ["route", "show", "10.9.0.0/16"]);
    assert_eq!(
        shown,
        "10.9.0.0/16 \n\tnexthop via 10.1.1.2 dev veth0 weight 2 \n\tnexthop via 10.2.2.2 dev veth2 weight 1 \n"
    );
    // What ip adds reads back the same way.
    sb.run_checked(
        "ip",
        [
            "route",
            "add",
            "10.8.0.0/16",
            "nexthop",
            "via",
            "10.1.1.2",
            "weight",
            "3",
            "nexthop",
            "via",
            "10.2.2.2",
        ],
    );
    let r = h
        .routes(Some(RouteTable::MAIN), Some(Family::Inet))
        .unwrap()
        .map(|r| r.to_owned())
        .find(|r| r.destination == Some(net("10.8.0.0/16")))
        .unwrap();
    let v0 = h.link_index("veth0").unwrap();
    let v2 = h.link_index("veth2").unwrap();
    assert_eq!(
        r.nexthops,
        vec![
            NextHop::via(ip("10.1.1.2")).dev(v0).weight(3),
            NextHop::via(ip("10.2.2.2")).dev(v2).weight(1),
        ]
    );
    // Deleting by the read-back route removes exactly it.
    h.route_del(&RouteSpec::from(&r)).unwrap();
    assert!(!sb.run_checked("ip", ["route"]).contains("10.8.0.0/16"));
    // A weight out of range is refused before the kernel.
    let e = h
        .route_add(
            &RouteSpec::to(net("10.7.0.0/16")).nexthop(NextHop::via(ip("10.1.1.2")).weight(257)),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
}

#[test]
fn metrics_onlink_and_lookups_as_ip_route_get() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    two_links(&sb, &mut h);
    h.route_add(
        &RouteSpec::to(net("10.6.0.0/16"))
            .via(ip("10.1.1.2"))
            .mtu(1400)
            .advmss(1360)
            .protocol(PROTO_STATIC),
    )
    .unwrap();
    assert_eq!(
        sb.run_checked("ip", ["route", "show", "10.6.0.0/16"]),
        "10.6.0.0/16 via 10.1.1.2 dev veth0 proto static mtu 1400 advmss 1360 \n"
    );
    // onlink: a gateway no route reaches, accepted only with onlink.
    let far = RouteSpec::to(net("10.5.0.0/16"))
        .via(ip("192.0.2.1"))
        .dev("veth2");
    assert!(h.route_add(&far).is_err());
    h.route_add(&far.clone().onlink(true)).unwrap();
    assert_eq!(
        sb.run_checked("ip", ["route", "show", "10.5.0.0/16"]),
        "10.5.0.0/16 via 192.0.2.1 dev veth2 onlink \n"
    );

    // route get: the same answer as ip's.
    let r = h.route_get(&RouteQuery::to(ip("10.6.1.1"))).unwrap();
    assert_eq!(r.gateway, Some(ip("10.1.1.2")));
    assert_eq!(r.oif, Some(h.link_index("veth0").unwrap().get()));
    assert_eq!(r.prefsrc, Some(ip("10.1.1.1")));
    let ip_says = sb.run_checked("ip", ["route", "get", "10.6.1.1"]);
    assert!(
        ip_says.starts_with("10.6.1.1 via 10.1.1.2 dev veth0 src 10.1.1.1 "),
        "{ip_says}"
    );
    let r = h.route_get(&RouteQuery::to(ip("10.2.2.9"))).unwrap();
    assert_eq!(
        (r.gateway, r.oif),
        (None, Some(h.link_index("veth2").unwrap().get()))
    );
    // fibmatch gives the FIB entry: its prefix, not the host address.
    let r = h
        .route_get(&RouteQuery::to(ip("10.6.1.1")).fibmatch(true))
        .unwrap();
    assert_eq!(r.destination, Some(net("10.6.0.0/16")));
    // oif chooses the way out; a missing device is a lookup failure.
    let r = h
        .route_get(&RouteQuery::to(ip("10.6.1.1")).oif("veth2"))
        .unwrap();
    assert_eq!(r.oif, Some(h.link_index("veth2").unwrap().get()));
    let e = h
        .route_get(&RouteQuery::to(ip("10.6.1.1")).oif("nosuch0"))
        .unwrap_err();
    assert!(e.is_lookup(), "{e}");
    // Nothing matches: the kernel's refusal, as ip's "Network is unreachable".
    h.route_flush(&RouteFilter::new().family(Family::Inet))
        .unwrap();
    let e = h.route_get(&RouteQuery::to(ip("10.200.0.1"))).unwrap_err();
    assert_eq!(e.errno(), Some(netns_core::Errno::ENETUNREACH), "{e}");
}

#[test]
fn flush_removes_what_ip_route_flush_would() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    two_links(&sb, &mut h);
    for (dst, dev) in [
        ("10.11.0.0/16", "veth0"),
        ("10.12.0.0/16", "veth0"),
        ("10.13.0.0/16", "veth2"),
    ] {
        h.route_add(&RouteSpec::to(net(dst)).dev(dev)).unwrap();
    }
    h.route_add(
        &RouteSpec::to(net("10.14.0.0/16"))
            .dev("veth2")
            .protocol(PROTO_STATIC),
    )
    .unwrap();
    let t100 = RouteTable::new(100).unwrap();
    h.route_add(&RouteSpec::to(net("10.15.0.0/16")).dev("veth0").table(t100))
        .unwrap();
    // By protocol: only the static one.
    assert_eq!(
        h.route_flush(&RouteFilter::new().protocol(PROTO_STATIC))
            .unwrap(),
        1
    );
    assert!(!sb.run_checked("ip", ["route"]).contains("10.14.0.0"));
    // By device: veth0's routes of main, the kernel's prefix route included
    // (as `ip route flush dev veth0`), table 100 untouched.
    let n = h
        .route_flush(&RouteFilter::new().dev("veth0").family(Family::Inet))
        .unwrap();
    assert_eq!(n, 3, "10.11, 10.12 and the prefix route 10.1.1.0/24");
    assert_eq!(
        sb.run_checked("ip", ["route"]),
        "10.2.2.0/24 dev veth2 proto kernel scope link src 10.2.2.1 \n10.13.0.0/16 dev veth2 scope link \n"
    );
    assert_eq!(
        sb.run_checked("ip", ["route", "show", "table", "100"]),
        "10.15.0.0/16 dev veth0 scope link \n"
    );
    // A table of its own.
    assert_eq!(h.route_flush(&RouteFilter::new().table(t100)).unwrap(), 1);
    assert_eq!(sb.run_checked("ip", ["route", "show", "table", "100"]), "");
    // A missing device is a lookup failure, nothing removed.
    let e = h
        .route_flush(&RouteFilter::new().dev("nosuch0"))
        .unwrap_err();
    assert!(e.is_lookup(), "{e}");
    assert!(sb.run_checked("ip", ["route"]).contains("10.13.0.0/16"));
}
