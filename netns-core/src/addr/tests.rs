use super::change::address_message;
use super::*;

#[test]
fn ipnet_parses_and_refuses_with_clear_errors() {
    let n: IpNet = "10.1.1.1/24".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (n.addr(), n.prefix_len()),
        (IpAddr::from([10, 1, 1, 1]), 24)
    );
    assert_eq!(n.network().to_string(), "10.1.1.0/24");
    assert_eq!(n.broadcast(), Some(Ipv4Addr::new(10, 1, 1, 255)));
    assert_eq!(
        "10.0.0.1".parse::<IpNet>().map(|n| n.prefix_len()).ok(),
        Some(32)
    );
    assert_eq!(
        "2001:db8::1/64"
            .parse::<IpNet>()
            .map(|n| n.network().to_string())
            .ok()
            .as_deref(),
        Some("2001:db8::/64")
    );
    let e = "10.1.1.1/33".parse::<IpNet>().err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("cannot parse prefix \"10.1.1.1/33\": invalid argument: the prefix length of an inet address is at most 32")
    );
    let e = "10.1.1/24".parse::<IpNet>().err().map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("cannot parse prefix \"10.1.1/24\": invalid argument: not an IPv4 or IPv6 address")
    );
    assert!("10.1.1.1/+4".parse::<IpNet>().is_err());
    assert!("10.1.1.1/".parse::<IpNet>().is_err());
    assert!("::1/129".parse::<IpNet>().is_err());
    assert_eq!(
        "0.0.0.0/0"
            .parse::<IpNet>()
            .map(|n| n.network().to_string())
            .ok()
            .as_deref(),
        Some("0.0.0.0/0")
    );
}

#[test]
fn broadcast_forms_follow_iproute2() {
    let n: IpNet = "10.2.1.1/24".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Broadcast::Unset.resolve(&n), None);
    assert_eq!(
        Broadcast::HostBitsSet.resolve(&n),
        Some(Ipv4Addr::new(10, 2, 1, 255))
    );
    assert_eq!(
        Broadcast::HostBitsClear.resolve(&n),
        Some(Ipv4Addr::new(10, 2, 1, 0))
    );
    let p2p: IpNet = "10.2.1.1/31".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Broadcast::HostBitsSet.resolve(&p2p), None);
    let v6: IpNet = "2001:db8::1/64".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(Broadcast::HostBitsSet.resolve(&v6), None);
}

/// `ip addr add 10.1.1.1/24 brd + dev veth0` (ifindex 3), as the kernel
/// dumps it (RTM_NEWADDR payload, captured on kernel 6.18).
const ADDR_V4: [u8; 72] = [
    0x02, 0x18, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x01, 0x01,
    0x08, 0x00, 0x02, 0x00, 0x0a, 0x01, 0x01, 0x01, 0x08, 0x00, 0x04, 0x00, 0x0a, 0x01, 0x01, 0xff,
    0x0a, 0x00, 0x03, 0x00, 0x76, 0x65, 0x74, 0x68, 0x30, 0x00, 0x00, 0x00, 0x08, 0x00, 0x08, 0x00,
    0x80, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x1a, 0x5d, 0x01, 0x00, 0x1a, 0x5d, 0x01, 0x00,
];

/// `ip addr add 2001:db8::1/64 dev veth0 nodad`, as dumped.
const ADDR_V6_NODAD: [u8; 56] = [
    0x0a, 0x40, 0x82, 0x00, 0x03, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x14, 0x00, 0x06, 0x00,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1a, 0x5d, 0x01, 0x00, 0x1a, 0x5d, 0x01, 0x00,
    0x08, 0x00, 0x08, 0x00, 0x82, 0x00, 0x00, 0x00,
];

/// The request `ip addr add 10.1.1.1/24 brd + dev veth0` sends (payload
/// after the netlink header, from strace of iproute2 6.1).
const IP_ADD_REQUEST: [u8; 32] = [
    0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00, 0x0a, 0x01, 0x01, 0x01,
    0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x01, 0x01, 0x08, 0x00, 0x04, 0x00, 0x0a, 0x01, 0x01, 0xff,
];

#[test]
fn kernel_ipv4_address_reads_in_place_and_round_trips() {
    let a = AddressRef::parse(&ADDR_V4).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.family(), Some(Family::Inet));
    assert_eq!((a.ifindex(), a.prefix_len(), a.scope()), (3, 24, 0));
    assert_eq!(a.flags(), IFA_F_PERMANENT);
    assert_eq!(a.local(), Some(IpAddr::from([10, 1, 1, 1])));
    assert_eq!(a.address(), Some(IpAddr::from([10, 1, 1, 1])));
    assert_eq!(a.broadcast(), Some(Ipv4Addr::new(10, 1, 1, 255)));
    assert_eq!(a.label(), Some("veth0"));
    assert_eq!(a.lifetimes(), Some((u32::MAX, u32::MAX)));
    assert_eq!(
        a.net().map(|n| n.to_string()).as_deref(),
        Some("10.1.1.1/24")
    );
    // netlink-packet-route reads the same bytes the same way, and emits
    // them back unchanged.
    use netlink_packet_core::{Emitable, Parseable};
    let owned = AddressMessage::parse(&ADDR_V4[..]).unwrap_or_else(|e| panic!("{e}"));
    assert!(owned
        .attributes
        .contains(&AddressAttribute::Broadcast(Ipv4Addr::new(10, 1, 1, 255))));
    let mut out = vec![0; owned.buffer_len()];
    owned.emit(&mut out);
    assert_eq!(out, ADDR_V4);
}

#[test]
fn kernel_ipv6_address_flags_come_from_ifa_flags() {
    let a = AddressRef::parse(&ADDR_V6_NODAD).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.family(), Some(Family::Inet6));
    assert_eq!(a.local(), None);
    assert_eq!(
        a.ip().map(|i| i.to_string()).as_deref(),
        Some("2001:db8::1")
    );
    assert_eq!(a.flags(), IFA_F_PERMANENT | IFA_F_NODAD);
    assert_eq!(a.label(), None);
    let owned = a.to_owned();
    assert_eq!(
        (owned.ifindex, owned.prefix_len, owned.broadcast),
        (3, 64, None)
    );
}

#[test]
fn requests_are_byte_for_byte_what_ip_sends() {
    use netlink_packet_core::Emitable;
    let net: IpNet = "10.1.1.1/24".parse().unwrap_or_else(|e| panic!("{e}"));
    let msg = address_message(
        3,
        &net,
        Some(&AddressOptions {
            broadcast: Broadcast::HostBitsSet,
            ..AddressOptions::default()
        }),
    );
    let mut out = vec![0; msg.buffer_len()];
    msg.emit(&mut out);
    assert_eq!(out, IP_ADD_REQUEST);
}

#[test]
fn truncated_or_badly_framed_messages_are_refused() {
    assert!(AddressRef::parse(&ADDR_V4[..7]).is_err());
    assert!(AddressRef::parse(&ADDR_V4[..10]).is_err());
    let mut bad = ADDR_V4;
    bad[8] = 0xff; // first attribute claims 255 bytes
    assert_eq!(
        AddressRef::parse(&bad).err().map(|e| e.kind()),
        Some(ErrorKind::Protocol)
    );
}
