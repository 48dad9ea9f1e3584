//! An IPv4 route via an IPv6 gateway (`RTA_VIA`, `ip route add 10.0.0.0/24
//! via inet6 fe80::1 dev X`) against the real kernel, compared with what
//! `ip` shows in the same sandbox (netns-testkit).
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use netns_core::addr::{Family, IpNet};
use netns_core::route::{NextHop, RouteFilter, RouteSpec, RouteTable};
use netns_core::{ErrorKind, Handle};

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn ipv4_routes_via_ipv6_gateways_are_sent_read_and_deleted_as_ip_does() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    for (a, b) in [("v0", "v1"), ("v2", "v3")] {
        sb.run_checked("ip", ["link", "add", a, "type", "veth", "peer", "name", b]);
        sb.run_checked("ip", ["link", "set", a, "up"]);
        sb.run_checked("ip", ["link", "set", b, "up"]);
    }
    h.route_add(
        &RouteSpec::to(net("10.0.0.0/24"))
            .via(ip("fe80::1"))
            .dev("v0"),
    )
    .unwrap();
    let shown = sb.run_checked("ip", ["route", "show", "10.0.0.0/24"]);
    assert_eq!(shown.trim_end(), "10.0.0.0/24 via inet6 fe80::1 dev v0");

    // The same route added by ip reads back the same way.
    sb.run_checked(
        "ip",
        [
            "route",
            "add",
            "10.0.1.0/24",
            "via",
            "inet6",
            "fe80::2",
            "dev",
            "v2",
        ],
    );
    let routes: Vec<_> = h
        .routes(Some(RouteTable::MAIN), Some(Family::Inet))
        .unwrap()
        .map(|r| (r.destination(), r.gateway(), r.gateway_is_via()))
        .collect();
    assert!(routes.contains(&(Some(net("10.0.0.0/24")), Some(ip("fe80::1")), true)));
    assert!(routes.contains(&(Some(net("10.0.1.0/24")), Some(ip("fe80::2")), true)));

    // Multipath, each path via an IPv6 gateway.
    let multi = RouteSpec::to(net("10.0.2.0/24"))
        .nexthop(NextHop::via(ip("fe80::3")).dev("v0"))
        .nexthop(NextHop::via(ip("fe80::4")).dev("v2"));
    h.route_add(&multi).unwrap();
    let shown = sb.run_checked("ip", ["route", "show", "10.0.2.0/24"]);
    assert!(
        shown.contains("nexthop via inet6 fe80::3 dev v0 weight 1")
            && shown.contains("nexthop via inet6 fe80::4 dev v2 weight 1"),
        "{shown}"
    );

    // An IPv6 route via an IPv4 gateway: refused before the kernel.
    let err = h
        .route_add(
            &RouteSpec::to(net("2001:db8::/64"))
                .via(ip("10.0.0.1"))
                .dev("v0"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("RTA_VIA"), "{err}");

    // Deleted by spec (RTA_VIA matched) and flushed by what was dumped.
    h.route_del(
        &RouteSpec::to(net("10.0.0.0/24"))
            .via(ip("fe80::1"))
            .dev("v0"),
    )
    .unwrap();
    assert!(!sb.run_checked("ip", ["route"]).contains("10.0.0.0/24"));
    let n = h
        .route_flush(&RouteFilter::new().family(Family::Inet).dev("v2"))
        .unwrap();
    assert!(n >= 1);
    assert!(!sb.run_checked("ip", ["route"]).contains("10.0.1.0/24"));
}
