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
    let mixed = RouteSpec::to("10.6.0.0/16".parse().unwrap_or_else(|e| panic!("{e}")))
        .via("2001:db8::1".parse().unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(
        msg(&mixed, false).err().map(|e| e.kind()),
        Some(ErrorKind::InvalidArgument)
    );
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
