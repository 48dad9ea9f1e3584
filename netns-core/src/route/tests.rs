use super::*;

#[test]
fn tables_parse_by_name_and_number() {
    assert_eq!("main".parse::<RouteTable>().ok(), Some(RouteTable::MAIN));
    assert_eq!(
        "100".parse::<RouteTable>().ok().map(RouteTable::id),
        Some(100)
    );
    assert_eq!(RouteTable::LOCAL.to_string(), "local");
    assert!("0".parse::<RouteTable>().is_err());
    assert!("all".parse::<RouteTable>().is_err());
}

#[test]
fn names_round_trip() {
    assert_eq!(scope_name(SCOPE_LINK), Some("link"));
    assert_eq!(parse_scope("host"), Some(SCOPE_HOST));
    assert_eq!(parse_scope("17"), Some(17));
    assert_eq!(protocol_name(PROTO_KERNEL), Some("kernel"));
    assert_eq!(parse_protocol("static"), Some(PROTO_STATIC));
    assert_eq!(type_name(6), Some("blackhole"));
}

#[test]
fn specs_get_iproute2_defaults() {
    let dev = RouteSpec::to("10.6.0.0/16".parse().unwrap_or_else(|e| panic!("{e}")))
        .dev(IfIndex::new(3).unwrap_or_else(|| panic!("3")));
    let m = msg(&dev, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(u8::from(m.header.scope), SCOPE_LINK);
    assert_eq!(u8::from(m.header.protocol), PROTO_BOOT);
    assert_eq!(m.header.table, 254);
    let gw = RouteSpec::default_route()
        .via("10.1.1.2".parse().unwrap_or_else(|e| panic!("{e}")))
        .table(RouteTable::new(1000).unwrap_or_default());
    let m = msg(&gw, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(u8::from(m.header.scope), SCOPE_UNIVERSE);
    assert_eq!(m.header.table, 0);
    assert!(m.attributes.contains(&RouteAttribute::Table(1000)));
    let del = msg(&dev, true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(u8::from(del.header.scope), SCOPE_NOWHERE);
    assert_eq!(u8::from(del.header.protocol), 0);
    // An IPv6 route cannot go via an IPv4 gateway (the kernel's IPv6 has no
    // RTA_VIA): refused before the kernel.
    let mixed = RouteSpec::to("2001:db8::/64".parse().unwrap_or_else(|e| panic!("{e}")))
        .via("10.1.1.2".parse().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(
        msg(&mixed, false).err().map(|e| e.kind()),
        Some(ErrorKind::InvalidArgument)
    );
    let mixed = RouteSpec::to("10.6.0.0/16".parse().unwrap_or_else(|e| panic!("{e}")))
        .src("2001:db8::1".parse().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(
        msg(&mixed, false).err().map(|e| e.kind()),
        Some(ErrorKind::InvalidArgument)
    );
}

/// `ip route add 10.0.0.0/24 via inet6 fe80::1 dev v0`, as dumped: `RTA_VIA`
/// (`struct rtvia`: family 10, then the address), no `RTA_GATEWAY`.
const ROUTE_VIA_INET6: [u8; 60] = [
    0x02, 0x18, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
    0xfe, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x16, 0x00, 0x12, 0x00,
    0x0a, 0x00, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
];

/// `ip route add 10.0.2.0/24 nexthop via inet6 fe80::2 dev v0 nexthop via
/// inet6 fe80::3 dev v1`, as dumped: each `rtnexthop` with its `RTA_VIA`.
const ROUTE_MULTIPATH_VIA_INET6: [u8; 96] = [
    0x02, 0x18, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
    0xfe, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x02, 0x00, 0x44, 0x00, 0x09, 0x00,
    0x20, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x16, 0x00, 0x12, 0x00, 0x0a, 0x00, 0xfe, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
    0x20, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x16, 0x00, 0x12, 0x00, 0x0a, 0x00, 0xfe, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00,
];

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn ipv4_routes_via_an_ipv6_gateway_read_in_place() {
    let r = parse(&ROUTE_VIA_INET6);
    assert_eq!(r.family(), Some(Family::Inet));
    assert_eq!(r.gateway(), Some(ip("fe80::1")));
    assert!(r.gateway_is_via());
    assert_eq!(r.oif(), Some(3));
    assert_eq!(gateway_words(ip("fe80::1"), r.family()), "inet6 fe80::1");
    assert!(!parse(&ROUTE_DEFAULT).gateway_is_via());

    let r = parse(&ROUTE_MULTIPATH_VIA_INET6);
    let hops: Vec<NextHop> = r.nexthops().collect();
    let gws: Vec<Option<IpAddr>> = hops.iter().map(|h| h.gateway).collect();
    assert_eq!(gws, [Some(ip("fe80::2")), Some(ip("fe80::3"))]);
    assert_eq!(
        hops[0].words(r.family()),
        "nexthop via inet6 fe80::2 dev #3"
    );

    // Deleting what was dumped (as `route flush` does) sends RTA_VIA back.
    let spec = RouteSpec::from(&parse(&ROUTE_VIA_INET6).to_owned());
    let m = msg(&spec, true).unwrap_or_else(|e| panic!("{e}"));
    assert!(m.attributes.contains(&RouteAttribute::Via(RouteVia::Inet6(
        "fe80::1".parse().unwrap_or_else(|e| panic!("{e}"))
    ))));
}

#[test]
fn ipv4_routes_via_an_ipv6_gateway_send_rta_via() {
    use netlink_packet_core::Emitable;
    let spec = RouteSpec::to("10.0.0.0/24".parse().unwrap_or_else(|e| panic!("{e}")))
        .via(ip("fe80::1"))
        .dev(IfIndex::new(3).unwrap_or_else(|| panic!("3")));
    assert_eq!(spec.to_string(), "10.0.0.0/24 via inet6 fe80::1 dev #3");
    let m = msg(&spec, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.header.address_family, AddressFamily::Inet);
    assert_eq!(u8::from(m.header.scope), SCOPE_UNIVERSE);
    assert!(!m
        .attributes
        .iter()
        .any(|a| matches!(a, RouteAttribute::Gateway(_))));
    // The attribute is the kernel's own bytes: the dump's RTA_VIA (offset
    // 28, 24 bytes with its padding).
    let via = m
        .attributes
        .iter()
        .find(|a| matches!(a, RouteAttribute::Via(_)))
        .unwrap_or_else(|| panic!("no RTA_VIA"));
    let mut out = vec![0; via.buffer_len()];
    via.emit(&mut out);
    assert_eq!(out, ROUTE_VIA_INET6[28..28 + 24]);

    // An IPv4 default route names its family; without it, an IPv6 gateway
    // makes the default route IPv6 (as `ip route add default via inet6 …`).
    let v4 = RouteSpec::default_route()
        .family(Family::Inet)
        .via(ip("fe80::9"));
    let m = msg(&v4, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.header.address_family, AddressFamily::Inet);
    assert!(m
        .attributes
        .iter()
        .any(|a| matches!(a, RouteAttribute::Via(_))));
    let v6 = RouteSpec::default_route().via(ip("fe80::9"));
    let m = msg(&v6, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.header.address_family, AddressFamily::Inet6);
    assert!(m
        .attributes
        .iter()
        .any(|a| matches!(a, RouteAttribute::Gateway(_))));

    // A path of a multipath route too.
    let multi = RouteSpec::to("10.0.2.0/24".parse().unwrap_or_else(|e| panic!("{e}")))
        .nexthop(NextHop::via(ip("fe80::2")).dev(IfIndex::new(3).unwrap_or_else(|| panic!("3"))));
    assert_eq!(
        multi.to_string(),
        "10.0.2.0/24 nexthop via inet6 fe80::2 dev #3"
    );
    let m = multi
        .message(None, &[IfIndex::new(3)], false)
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(RouteAttribute::MultiPath(hops)) = m
        .attributes
        .iter()
        .find(|a| matches!(a, RouteAttribute::MultiPath(_)))
    else {
        panic!("no RTA_MULTIPATH")
    };
    assert!(hops[0]
        .attributes
        .iter()
        .any(|a| matches!(a, RouteAttribute::Via(RouteVia::Inet6(_)))));
}

/// `ip route add 10.8.0.0/16 dev veth0 table 100000`, as dumped (the
/// table id only fits in RTA_TABLE; rtm_table says 252, RT_TABLE_COMPAT).
const ROUTE_TABLE_100000: [u8; 36] = [
    0x02, 0x10, 0x00, 0x00, 0xfc, 0x03, 0xfd, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
    0xa0, 0x86, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x08, 0x00, 0x00, 0x08, 0x00, 0x04, 0x00,
    0x03, 0x00, 0x00, 0x00,
];

/// `ip route add default via 10.1.1.2 metric 7`, as dumped.
const ROUTE_DEFAULT: [u8; 44] = [
    0x02, 0x00, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
    0xfe, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08, 0x00, 0x05, 0x00,
    0x0a, 0x01, 0x01, 0x02, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
];

/// The kernel's prefix route of 10.1.1.1/24 on veth0.
const ROUTE_PREFIX: [u8; 44] = [
    0x02, 0x18, 0x00, 0x00, 0xfe, 0x02, 0xfd, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
    0xfe, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x01, 0x00, 0x08, 0x00, 0x07, 0x00,
    0x0a, 0x01, 0x01, 0x01, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
];

/// The kernel's IPv6 prefix route of 2001:db8::1/64 (metric 256, pref medium).
const ROUTE_V6_PREFIX: [u8; 100] = [
    0x0a, 0x40, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f, 0x00,
    0xfe, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x24, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x14, 0x00,
    0x00, 0x00, 0x00, 0x00,
];

fn parse(bytes: &[u8]) -> RouteRef<'_> {
    RouteRef::parse(bytes).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn kernel_routes_read_in_place() {
    let r = parse(&ROUTE_DEFAULT);
    assert!(r.is_default());
    assert_eq!(r.destination(), None);
    assert_eq!(r.gateway(), Some(IpAddr::from([10, 1, 1, 2])));
    assert_eq!((r.oif(), r.metric(), r.table()), (Some(3), Some(7), 254));
    assert_eq!(
        (r.protocol(), r.scope(), r.kind()),
        (PROTO_BOOT, SCOPE_UNIVERSE, TYPE_UNICAST)
    );

    let r = parse(&ROUTE_TABLE_100000);
    assert_eq!(r.table(), 100_000);
    assert_eq!(
        r.destination().map(|d| d.to_string()).as_deref(),
        Some("10.8.0.0/16")
    );
    assert_eq!((r.scope(), r.gateway()), (SCOPE_LINK, None));

    let r = parse(&ROUTE_PREFIX).to_owned();
    assert_eq!(
        r.destination.map(|d| d.to_string()).as_deref(),
        Some("10.1.1.0/24")
    );
    assert_eq!(
        (r.protocol, r.scope, r.prefsrc),
        (PROTO_KERNEL, SCOPE_LINK, Some(IpAddr::from([10, 1, 1, 1])))
    );

    let r = parse(&ROUTE_V6_PREFIX);
    assert_eq!(r.family(), Some(Family::Inet6));
    assert_eq!(
        r.destination().map(|d| d.to_string()).as_deref(),
        Some("2001:db8::/64")
    );
    assert_eq!(
        (r.metric(), r.pref(), r.oif()),
        (Some(256), Some(0), Some(3))
    );
}

#[test]
fn kernel_routes_round_trip_through_netlink_packet_route() {
    use netlink_packet_core::{Emitable, Parseable};
    for bytes in [
        &ROUTE_DEFAULT[..],
        &ROUTE_TABLE_100000,
        &ROUTE_PREFIX,
        &ROUTE_V6_PREFIX,
        &ROUTE_VIA_INET6,
        &ROUTE_MULTIPATH_VIA_INET6,
    ] {
        let owned = RouteMessage::parse(bytes).unwrap_or_else(|e| panic!("{e}"));
        let mut out = vec![0; owned.buffer_len()];
        owned.emit(&mut out);
        assert_eq!(out, bytes);
    }
}

#[test]
fn request_headers_match_what_ip_sends() {
    // strace of `ip route add 10.6.0.0/16 dev veth0 metric 5`:
    // rtm_table=MAIN, rtm_protocol=BOOT, rtm_scope=LINK, rtm_type=UNICAST.
    let spec = RouteSpec::to("10.6.0.0/16".parse().unwrap_or_else(|e| panic!("{e}")))
        .dev(IfIndex::new(3).unwrap_or_else(|| panic!("3")))
        .metric(5);
    let m = msg(&spec, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (
            m.header.table,
            u8::from(m.header.protocol),
            u8::from(m.header.scope),
            u8::from(m.header.kind)
        ),
        (254, PROTO_BOOT, SCOPE_LINK, TYPE_UNICAST)
    );
    assert_eq!(m.header.destination_prefix_length, 16);
    // `ip route add default via 10.1.1.2 table 1000`: RT_TABLE_UNSPEC + RTA_TABLE.
    let spec = RouteSpec::default_route()
        .via("10.1.1.2".parse().unwrap_or_else(|e| panic!("{e}")))
        .table(RouteTable::new(1000).unwrap_or_default());
    let m = msg(&spec, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (m.header.table, u8::from(m.header.scope)),
        (0, SCOPE_UNIVERSE)
    );
    assert_eq!(m.header.destination_prefix_length, 0);
    assert!(m.attributes.contains(&RouteAttribute::Table(1000)));
}

/// `spec`'s message, its device given by index (no handle resolves it here).
fn msg(spec: &RouteSpec, delete: bool) -> Result<RouteMessage> {
    let oif = match &spec.dev {
        Some(Dev::Index(i)) => Some(*i),
        Some(Dev::Name(n)) => panic!("a unit test names device {n}"),
        None => None,
    };
    spec.message(oif, &[], delete)
}
