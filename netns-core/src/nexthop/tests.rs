//! Encoding and reading of nexthop messages without the kernel: the bytes
//! iproute2 6.1's `ipnh_modify` sends, and `ip nexthop show`'s lines for
//! the messages the kernel sends back.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::netlink::attr;

fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    push_attr(&mut v, kind, value);
    v
}

/// A kernel-style `RTM_NEWNEXTHOP` payload.
fn message(family: u8, scope: u8, protocol: u8, flags: u32, attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut m = vec![family, scope, protocol, 0];
    m.extend_from_slice(&flags.to_ne_bytes());
    for a in attrs {
        m.extend_from_slice(a);
    }
    m
}

#[test]
fn a_gateway_is_sent_as_ip_sends_it() {
    let spec = NexthopSpec::new(1)
        .via("10.0.0.1".parse().unwrap())
        .dev("veth0")
        .onlink(true)
        .protocol(4);
    let p = spec.payload(Some(7));
    // struct nhmsg: AF_INET, scope 0, protocol 4, flags RTNH_F_ONLINK.
    assert_eq!(&p[..4], &[2, 0, 4, 0]);
    assert_eq!(
        u32::from_ne_bytes(p[4..8].try_into().unwrap()),
        RTNH_F_ONLINK
    );
    let attrs = &p[8..];
    assert_eq!(attr::find(attrs, NHA_ID).and_then(attr::u32_ne), Some(1));
    assert_eq!(attr::find(attrs, NHA_OIF).and_then(attr::u32_ne), Some(7));
    assert_eq!(attr::find(attrs, NHA_GATEWAY), Some(&[10, 0, 0, 1][..]));
    assert!(attr::find(attrs, NHA_BLACKHOLE).is_none());
}

#[test]
fn a_group_travels_with_weights_less_one_and_no_family() {
    let spec = NexthopSpec::new(5).group([GroupMember::weighted(1, 10), GroupMember::new(2)]);
    let p = spec.payload(None);
    assert_eq!(p[0], 0, "AF_UNSPEC");
    let g = attr::find(&p[8..], NHA_GROUP).unwrap();
    assert_eq!(g.len(), 16);
    assert_eq!(u32::from_ne_bytes(g[..4].try_into().unwrap()), 1);
    assert_eq!(&g[4..8], &[9, 0, 0, 0]);
    assert_eq!(u32::from_ne_bytes(g[8..12].try_into().unwrap()), 2);
    assert_eq!(g[12], 0);
    assert!(attr::find(&p[8..], NHA_GROUP_TYPE).is_none());
}

#[test]
fn a_resilient_group_nests_its_arguments_in_hundredths() {
    let spec = NexthopSpec::new(8)
        .group([GroupMember::new(1), GroupMember::new(2)])
        .resilient(Resilient {
            buckets: Some(8),
            idle_timer: Some(120),
            unbalanced_timer: None,
        });
    spec.validate().unwrap();
    let p = spec.payload(None);
    let attrs = &p[8..];
    let t = attr::find(attrs, NHA_GROUP_TYPE).unwrap();
    assert_eq!(u16::from_ne_bytes([t[0], t[1]]), 1);
    let nest = attr::find(attrs, NHA_RES_GROUP).unwrap();
    let b = attr::find(nest, NHA_RES_GROUP_BUCKETS).unwrap();
    assert_eq!(u16::from_ne_bytes([b[0], b[1]]), 8);
    assert_eq!(
        attr::find(nest, NHA_RES_GROUP_IDLE_TIMER).and_then(attr::u32_ne),
        Some(12000)
    );
    // The nested flag is set on the wire (the walker masks it off).
    let res_at = attrs.len() - 8 - (4 + 8 + 8);
    let raw_type = u16::from_ne_bytes([attrs[res_at + 2], attrs[res_at + 3]]);
    assert_eq!(raw_type, NHA_RES_GROUP | NLA_F_NESTED);
}

#[test]
fn a_blackhole_is_inet_unless_told() {
    let p = NexthopSpec::new(4).blackhole().payload(None);
    assert_eq!(p[0], 2);
    assert!(attr::find(&p[8..], NHA_BLACKHOLE).is_some());
    let p = NexthopSpec::new(4)
        .blackhole()
        .family(Family::Inet6)
        .payload(None);
    assert_eq!(p[0], 10);
}

#[test]
fn bad_specs_are_refused_before_the_kernel() {
    let gw: IpAddr = "10.0.0.1".parse().unwrap();
    for (spec, why) in [
        (NexthopSpec::new(1), "needs"),
        (NexthopSpec::new(1).blackhole().via(gw), "blackhole"),
        (
            NexthopSpec::new(1)
                .group([GroupMember::new(2)])
                .dev("veth0"),
            "group takes",
        ),
        (
            NexthopSpec::new(1).group([GroupMember::weighted(2, 257)]),
            "weight",
        ),
        (
            NexthopSpec::new(1).group([GroupMember::weighted(2, 0)]),
            "weight",
        ),
        (
            NexthopSpec::new(1).via(gw).group_type(GroupType::Mpath),
            "group type",
        ),
        (
            NexthopSpec::new(1)
                .via(gw)
                .dev("veth0")
                .family(Family::Inet6),
            "family",
        ),
        (NexthopSpec::new(1).dev("bad/name"), "name"),
        (NexthopSpec::new(1).via(gw), "needs its device"),
    ] {
        let e = spec.validate().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{spec:?}");
        assert!(e.to_string().contains(why), "{e} lacks {why:?}");
        assert!(e.to_string().contains("nexthop 1"), "{e}");
    }
}

#[test]
fn groups_parse_as_ip_reads_them() {
    assert_eq!(
        parse_group("1/2").unwrap(),
        vec![GroupMember::new(1), GroupMember::new(2)]
    );
    assert_eq!(
        parse_group("0x10,256").unwrap(),
        vec![GroupMember::weighted(16, 256)]
    );
    for bad in ["", "1/", "a", "1,", "1,257", "1,0", "1,2,3"] {
        assert!(parse_group(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn lines_are_ip_nexthop_shows() {
    // As the kernel (6.18) answers iproute2 6.1's `ip nexthop show` after
    // `ip nexthop add id 1 via 10.0.0.1 dev veth0 onlink`: scope link.
    let m = message(
        2,
        253,
        0,
        RTNH_F_ONLINK,
        &[
            nla(NHA_ID, &1u32.to_ne_bytes()),
            nla(NHA_OIF, &7u32.to_ne_bytes()),
            nla(NHA_GATEWAY, &[10, 0, 0, 1]),
        ],
    );
    let nh = NexthopRef::parse(&m).unwrap();
    assert_eq!(
        nh.display(Some("veth0")).to_string(),
        "id 1 via 10.0.0.1 dev veth0 scope link onlink"
    );
    assert_eq!(
        nh.display(None).to_string(),
        "id 1 via 10.0.0.1 dev if7 scope link onlink"
    );
    assert_eq!(
        nh.display(Some("veth0")).details(true).to_string(),
        "id 1 via 10.0.0.1 dev veth0 scope link proto unspec onlink"
    );
    assert_eq!(
        nh.to_owned().display(Some("veth0")).to_string(),
        nh.display(Some("veth0")).to_string()
    );

    let mut members = Vec::new();
    for (id, w) in [(1u32, 9u8), (2, 19)] {
        members.extend_from_slice(&id.to_ne_bytes());
        members.extend_from_slice(&[w, 0, 0, 0]);
    }
    let m = message(
        0,
        0,
        0,
        0,
        &[nla(NHA_ID, &5u32.to_ne_bytes()), nla(NHA_GROUP, &members)],
    );
    let nh = NexthopRef::parse(&m).unwrap();
    assert_eq!(nh.display(None).to_string(), "id 5 group 1,10/2,20");
    assert_eq!(nh.group_type(), Some(GroupType::Mpath));
    assert_eq!(
        nh.to_owned().group,
        vec![GroupMember::weighted(1, 10), GroupMember::weighted(2, 20)]
    );

    let m = message(
        2,
        0,
        123,
        0,
        &[nla(NHA_ID, &4u32.to_ne_bytes()), nla(NHA_BLACKHOLE, &[])],
    );
    let nh = NexthopRef::parse(&m).unwrap();
    assert_eq!(nh.display(None).to_string(), "id 4 blackhole proto 123");

    let mut res = Vec::new();
    push_attr(&mut res, NHA_RES_GROUP_BUCKETS, &8u16.to_ne_bytes());
    push_attr(&mut res, NHA_RES_GROUP_IDLE_TIMER, &12000u32.to_ne_bytes());
    push_attr(
        &mut res,
        NHA_RES_GROUP_UNBALANCED_TIMER,
        &0u32.to_ne_bytes(),
    );
    push_attr(
        &mut res,
        NHA_RES_GROUP_UNBALANCED_TIME,
        &50u64.to_ne_bytes(),
    );
    let members: Vec<u8> = [1u32, 2]
        .iter()
        .flat_map(|id| [id.to_ne_bytes(), [0; 4]].concat())
        .collect();
    let m = message(
        0,
        0,
        0,
        0,
        &[
            nla(NHA_ID, &8u32.to_ne_bytes()),
            nla(NHA_GROUP, &members),
            nla(NHA_GROUP_TYPE, &1u16.to_ne_bytes()),
            nla(NHA_RES_GROUP | NLA_F_NESTED, &res),
        ],
    );
    let nh = NexthopRef::parse(&m).unwrap();
    assert_eq!(
        nh.display(None).to_string(),
        "id 8 group 1/2 type resilient buckets 8 idle_timer 120 unbalanced_timer 0 unbalanced_time 0.5"
    );

    let m = message(
        2,
        0,
        0,
        0,
        &[
            nla(NHA_ID, &9u32.to_ne_bytes()),
            nla(NHA_GATEWAY, &[10, 0, 0, 9]),
            nla(NHA_FDB, &[]),
        ],
    );
    assert_eq!(
        NexthopRef::parse(&m).unwrap().display(None).to_string(),
        "id 9 via 10.0.0.9 fdb"
    );
}

#[test]
fn malformed_messages_are_refused() {
    assert!(NexthopRef::parse(&[2, 0, 0]).is_err());
    let mut m = message(2, 0, 0, 0, &[]);
    m.extend_from_slice(&[40, 0, 1, 0]);
    assert!(NexthopRef::parse(&m).is_err());
    // A group whose length is not a whole number of members reads as none.
    let m = message(0, 0, 0, 0, &[nla(NHA_GROUP, &[1, 0, 0, 0, 0])]);
    assert!(NexthopRef::parse(&m).unwrap().group().is_empty());
}

#[test]
fn hundredths_print_as_percent_g() {
    assert_eq!(format_hundredths(12000), "120");
    assert_eq!(format_hundredths(50), "0.5");
    assert_eq!(format_hundredths(125), "1.25");
    assert_eq!(format_hundredths(2), "0.02");
    assert_eq!(format_hundredths(0), "0");
}
