//! Unit tests: views over bytes captured from the kernel, and the requests
//! built for it, parsed back with netlink-packet-route.

use netlink_packet_core::{Emitable, Parseable};
use netlink_packet_route::link::{
    InfoData, InfoKind, InfoVeth, LinkAttribute, LinkInfo, LinkMessage,
};
use netlink_packet_route::RouteNetlinkMessage;

use super::create::LinkAdd;
use super::*;
use crate::{ErrorKind, Nsid};

/// The payload (ifinfomsg + attributes) of the `RTM_NEWLINK` reply to
/// `RTM_GETLINK` for `v0`, captured on Linux 6.18: one end of a veth pair
/// whose peer (index 2) was born in another namespace (nsid 0), address
/// 02:00:00:00:00:01, down, `IFLA_EXT_MASK` = `RTEXT_FILTER_SKIP_STATS`.
const VETH_V0_HEX: &[&str] = &[
    "00000100020000000210000000000000070003007630000008000d00e803000005001000020000000500110000000000",
    "050043000000000008000400dc050000080032004400000008003300ffff000008001b000000000008001e0000000000",
    "08003d000000000008001f000200000008002800ffff0000080029000000010008003a000000010008003f0000000100",
    "080040000000010008003b00f8ff070008003c00ffff0000080042000000000008002000020000000500210000000000",
    "080023000100000008002f00000000000800300001000000060044000000000006004500000000000500270000000000",
    "0a00010002000000000100000a000200ffffffffffff0000cc0017000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000640007000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000c002b0005000200",
    "000000001000120009000100766574680000000008002500000000000800050002000000090006006e6f6f7000000000",
    "c0011a008c00020088000100000000000000000000000000010000000100000001000000010000000000000001000000",
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
    "000000000000000000000000000000000000000010270000e80300000000000000000000000000000000000001000000",
    "30010a00080001000000000014000500ffff00005f320100407e0000e8030000f40002000000000040000000dc050000",
    "01000000010000000100000001000000ffffffffa00f0000e803000000000000803a0900805101000300000058020000",
    "100000000000000001000000010000000100000060ea0000000000000000000000000000000000000000000000000000",
    "01000000000000000000000010270000e803000001000000000000000000000001000000000000000000000001000000",
    "0000000000000000000000000000000080ee360000000000000000000100000000000000000000000000000000000000",
    "000000000004000000000000ffff0000ffffffff01000000000000000000000000000000140007000000000000000000",
    "0000000000000000050008000000000024000e0000000000000000000000000000000000000000000000000000000000",
    "0000000004003e8004004180",
];

fn veth_v0() -> Vec<u8> {
    let hex: String = VETH_V0_HEX.concat();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn view_reads_captured_veth_in_place() {
    let bytes = veth_v0();
    assert_eq!(bytes.len(), 1116);
    let link = LinkRef::parse(&bytes).unwrap();
    assert_eq!(link.index(), IfIndex::new(2).unwrap());
    assert_eq!(link.name(), "v0");
    assert_eq!(link.link_type(), LinkType::ETHER);
    assert_eq!(link.flags(), LinkFlags::BROADCAST | LinkFlags::MULTICAST);
    assert!(!link.flags().is_up());
    assert_eq!(link.mtu(), Some(1500));
    assert_eq!((link.min_mtu(), link.max_mtu()), (Some(68), Some(65535)));
    assert_eq!(link.address(), Some(&[2, 0, 0, 0, 0, 1][..]));
    assert_eq!(link.broadcast(), Some(&[0xff; 6][..]));
    assert_eq!(link.operstate(), OperState::Down);
    assert_eq!(link.link_mode(), LinkMode::Default);
    assert_eq!(link.kind(), Some("veth"));
    assert_eq!(link.port_kind(), None);
    assert_eq!(link.qdisc(), Some("noop"));
    assert_eq!(link.txqlen(), Some(1000));
    assert_eq!(link.group(), Some(0));
    assert_eq!(link.master(), None);
    assert_eq!(link.link(), IfIndex::new(2));
    assert_eq!(link.link_netnsid(), Nsid::new(0));
    assert_eq!(link.carrier(), Some(false));
    // The slices point into the buffer: no copy was made.
    let name = link.name_bytes();
    let within = bytes.as_ptr_range();
    assert!(within.contains(&name.as_ptr()));
}

#[test]
fn view_agrees_with_netlink_packet_route() {
    let bytes = veth_v0();
    let view = LinkRef::parse(&bytes).unwrap();
    let parsed = LinkMessage::parse(bytes.as_slice()).unwrap();
    assert_eq!(parsed.header.index, view.index().get());
    assert_eq!(parsed.header.flags.bits(), view.flags().bits());
    let mut seen = 0;
    for attr in &parsed.attributes {
        match attr {
            LinkAttribute::IfName(n) => assert_eq!(n, view.name()),
            LinkAttribute::Mtu(m) => assert_eq!(Some(*m), view.mtu()),
            LinkAttribute::Address(a) => assert_eq!(Some(a.as_slice()), view.address()),
            LinkAttribute::LinkNetNsId(id) => assert_eq!(Nsid::new(*id), view.link_netnsid()),
            LinkAttribute::Link(l) => assert_eq!(IfIndex::new(*l), view.link()),
            LinkAttribute::Qdisc(q) => assert_eq!(Some(q.as_str()), view.qdisc()),
            _ => continue,
        }
        seen += 1;
    }
    assert_eq!(seen, 6);
    // The raw attribute iterator sees every attribute netlink-packet-route does.
    assert_eq!(view.attributes().count(), parsed.attributes.len());
}

#[test]
fn owned_copy_matches_the_view() {
    let bytes = veth_v0();
    let link = LinkRef::parse(&bytes).unwrap().to_owned();
    assert_eq!(link.name, "v0");
    assert_eq!(link.kind.as_deref(), Some("veth"));
    assert_eq!(link.address.as_deref(), Some(&[2, 0, 0, 0, 0, 1][..]));
    assert_eq!(link.link_netnsid, Nsid::new(0));
    assert_eq!(link.operstate, OperState::Down);
}

#[test]
fn malformed_messages_are_refused() {
    let bytes = veth_v0();
    assert_eq!(
        LinkRef::parse(&bytes[..10]).unwrap_err().kind(),
        ErrorKind::Protocol
    );
    // Cut in the middle of an attribute.
    assert_eq!(
        LinkRef::parse(&bytes[..19]).unwrap_err().kind(),
        ErrorKind::Protocol
    );
    // Index 0.
    let mut zero = bytes.clone();
    zero[4..8].copy_from_slice(&0u32.to_ne_bytes());
    assert!(LinkRef::parse(&zero).is_err());
}

fn emitted(msg: &RouteNetlinkMessage) -> LinkMessage {
    let link = match msg {
        RouteNetlinkMessage::NewLink(l)
        | RouteNetlinkMessage::SetLink(l)
        | RouteNetlinkMessage::DelLink(l)
        | RouteNetlinkMessage::GetLink(l) => l,
        other => panic!("not a link message: {other:?}"),
    };
    let mut buf = vec![0; link.buffer_len()];
    link.emit(&mut buf);
    LinkMessage::parse(buf.as_slice()).unwrap()
}

#[test]
fn veth_request_nests_the_peer_with_its_namespace() {
    let ns = crate::NetNs::current().unwrap();
    let add = LinkAdd::veth("veth0", "eth0")
        .peer_netns(&ns)
        .peer_mtu(1400)
        .mac("02:00:00:00:00:01".parse().unwrap())
        .up();
    let msg = emitted(&add.message().unwrap());
    assert_eq!(msg.header.flags.bits(), LinkFlags::UP.bits());
    assert_eq!(msg.header.change_mask.bits(), LinkFlags::UP.bits());
    assert!(msg
        .attributes
        .contains(&LinkAttribute::IfName("veth0".into())));
    assert!(msg
        .attributes
        .contains(&LinkAttribute::Address(vec![2, 0, 0, 0, 0, 1])));
    let info = msg
        .attributes
        .iter()
        .find_map(|a| match a {
            LinkAttribute::LinkInfo(i) => Some(i),
            _ => None,
        })
        .unwrap();
    assert_eq!(info[0], LinkInfo::Kind(InfoKind::Veth));
    let LinkInfo::Data(InfoData::Veth(InfoVeth::Peer(peer))) = &info[1] else {
        panic!("no VETH_INFO_PEER: {info:?}");
    };
    use std::os::fd::{AsFd, AsRawFd};
    assert!(peer
        .attributes
        .contains(&LinkAttribute::IfName("eth0".into())));
    assert!(peer.attributes.contains(&LinkAttribute::Mtu(1400)));
    assert!(peer
        .attributes
        .contains(&LinkAttribute::NetNsFd(ns.as_fd().as_raw_fd())));
}

#[test]
fn one_setlink_carries_every_change() {
    let change = LinkChange::new(IfIndex::new(7).unwrap().into())
        .up()
        .mtu(1400)
        .name("eth0")
        .nomaster();
    let msg = emitted(&change.message(IfIndex::new(7)).unwrap());
    assert_eq!(msg.header.index, 7);
    assert_eq!(msg.header.flags.bits(), LinkFlags::UP.bits());
    assert_eq!(
        msg.attributes,
        vec![
            LinkAttribute::Mtu(1400),
            LinkAttribute::IfName("eth0".into()),
            LinkAttribute::Controller(0),
        ]
    );
    let down = LinkChange::new("x".into()).down().netns_pid(42);
    let msg = emitted(&down.message(None).unwrap());
    assert_eq!(msg.header.index, 0);
    assert_eq!(
        (msg.header.flags.bits(), msg.header.change_mask.bits()),
        (0, 1)
    );
    assert_eq!(
        msg.attributes,
        vec![
            LinkAttribute::IfName("x".into()),
            LinkAttribute::NetNsPid(42)
        ]
    );
}

#[test]
fn names_and_addresses_are_checked_before_the_kernel() {
    for bad in [
        "",
        ".",
        "..",
        "a/b",
        "a b",
        "tab\t",
        "a:b",
        "sixteen-bytes-xx",
    ] {
        let e = LinkAdd::bridge(bad).message().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
    }
    let e = LinkAdd::veth("ok", "bad/peer").message().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string().starts_with("cannot add link \"ok\" (veth): "),
        "{e}"
    );
    assert!(validate_link_name("fifteen-bytes-x").is_ok());
    let multicast: MacAddr = "01:00:5e:00:00:01".parse().unwrap();
    assert!(LinkAdd::bridge("b").mac(multicast).message().is_err());
    assert!(LinkChange::new("b".into())
        .mac(MacAddr([0; 6]))
        .message(None)
        .is_err());
    assert!("02:00:00:00:00".parse::<MacAddr>().is_err());
    assert!("02:00:00:00:00:01:02".parse::<MacAddr>().is_err());
    assert!("zz:00:00:00:00:01".parse::<MacAddr>().is_err());
    assert_eq!(
        "2-0-0-0-0-a".parse::<MacAddr>().unwrap().to_string(),
        "02:00:00:00:00:0a"
    );
}

#[test]
fn flags_keep_unknown_bits_and_name_known_ones_in_ip_order() {
    let f = LinkFlags::from_bits_retain(1 | 8 | 64 | (1 << 16) | (1 << 30));
    let (names, rest) = f.names();
    assert_eq!(names.collect::<Vec<_>>(), ["LOOPBACK", "UP", "LOWER_UP"]);
    assert_eq!(rest, 1 << 30);
    assert_eq!(f.bits() & (1 << 30), 1 << 30);
    assert_eq!(OperState::from_raw(9), OperState::Other(9));
    assert_eq!(LinkType(772).name(), Some("loopback"));
}

#[test]
fn hardware_addresses_print_as_ip_does() {
    use super::{HwAddr, LinkType, MacAddr};
    let mac = [2, 0, 0, 0, 0, 0xab];
    assert_eq!(
        HwAddr::new(LinkType::ETHER, &mac).to_string(),
        "02:00:00:00:00:ab"
    );
    assert_eq!(MacAddr(mac).to_string(), "02:00:00:00:00:ab");
    assert_eq!(
        HwAddr::new(LinkType(768), &[10, 0, 0, 1]).to_string(),
        "10.0.0.1"
    );
    let v6: [u8; 16] = "fd00::1".parse::<std::net::Ipv6Addr>().unwrap().octets();
    assert_eq!(HwAddr::new(LinkType(823), &v6).to_string(), "fd00::1");
    // Not a tunnel: bytes, whatever their count.
    assert_eq!(
        HwAddr::new(LinkType::ETHER, &[10, 0, 0, 1]).to_string(),
        "0a:00:00:01"
    );
    assert_eq!(HwAddr::new(LinkType::NONE, &[]).to_string(), "");
}
