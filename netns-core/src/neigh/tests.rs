//! Unit tests: the state table both ways, filters as iproute2 applies
//! them, requests as ip builds them, views over kernel bytes.

use netlink_packet_core::{Emitable, Parseable};
use netlink_packet_route::neighbour::NeighbourMessage;

use super::*;

#[test]
fn state_names_parse_and_print_as_ip() {
    for (state, name) in NeighState::NAMES {
        assert_eq!(name.parse::<NeighState>().unwrap(), state);
        assert_eq!(state.name(), Some(name));
        assert_eq!(state.to_string(), name.to_ascii_uppercase());
    }
    assert_eq!("none".parse::<NeighState>().unwrap(), NeighState::NONE);
    assert_eq!(NeighState::NONE.to_string(), "");
    // ip's prefixes (matches()) for permanent, reachable, failed only.
    assert_eq!("perm".parse::<NeighState>().unwrap(), NeighState::PERMANENT);
    assert_eq!("p".parse::<NeighState>().unwrap(), NeighState::PERMANENT);
    assert_eq!(
        "reach".parse::<NeighState>().unwrap(),
        NeighState::REACHABLE
    );
    assert_eq!("fail".parse::<NeighState>().unwrap(), NeighState::FAILED);
    assert!("sta".parse::<NeighState>().is_err());
    assert!("".parse::<NeighState>().is_err());
    // Numbers of one bit below 0x100.
    assert_eq!("0x40".parse::<NeighState>().unwrap(), NeighState::NOARP);
    assert_eq!("2".parse::<NeighState>().unwrap(), NeighState::REACHABLE);
    assert!("3".parse::<NeighState>().is_err());
    assert!("0x100".parse::<NeighState>().is_err());
    let e = "bogus".parse::<NeighState>().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string()
            .starts_with("cannot parse neighbour state \"bogus\""),
        "{e}"
    );
    // A combination prints every bit, in ip's order.
    assert_eq!(NeighState(0x84).to_string(), "STALE PERMANENT");
    assert_eq!(NeighState(0x84).name(), None);
}

#[test]
fn filters_follow_iproute2_defaults() {
    let show = NeighFilter::new().effective_states(Pass::Show);
    let flush0 = NeighFilter::new().effective_states(Pass::Flush(0));
    let flush1 = NeighFilter::new().effective_states(Pass::Flush(1));
    for (state, _) in NeighState::NAMES {
        let shown = state != NeighState::NOARP;
        assert_eq!(show.admits(state, false), shown, "{state:?}");
        let flushed = ![NeighState::NOARP, NeighState::PERMANENT].contains(&state);
        assert_eq!(flush0.admits(state, false), flushed, "{state:?}");
        // failed entries only in the first round
        assert_eq!(
            flush1.admits(state, false),
            flushed && state != NeighState::FAILED,
            "{state:?}"
        );
    }
    assert!(!show.admits(NeighState::NONE, false));
    assert!(flush0.admits(NeighState::NONE, false));
    // Proxy and externally learned entries pass whatever their state.
    assert!(show.admits(NeighState::NONE, true));
    // nud none selects entries with no state only.
    let none = NeighFilter::new()
        .state(NeighState::NONE)
        .effective_states(Pass::Show);
    assert!(none.admits(NeighState::NONE, false));
    assert!(!none.admits(NeighState::REACHABLE, false));
    // nud all: everything when listing; all but noarp when flushing.
    let all = NeighFilter::new().all_states();
    assert!(all
        .effective_states(Pass::Show)
        .admits(NeighState::NOARP, false));
    assert!(!all
        .effective_states(Pass::Flush(0))
        .admits(NeighState::NOARP, false));
    assert!(all
        .effective_states(Pass::Flush(0))
        .admits(NeighState::PERMANENT, false));
    // nud permanent on a flush deletes permanent entries.
    let perm = NeighFilter::new().state(NeighState::PERMANENT);
    assert!(perm
        .effective_states(Pass::Flush(0))
        .admits(NeighState::PERMANENT, false));
    assert!(!perm
        .effective_states(Pass::Flush(0))
        .admits(NeighState::STALE, false));
}

#[test]
fn lladdr_parses_as_ip_reads_it() {
    assert_eq!(
        parse_lladdr("2:0:0:0:0:a").unwrap(),
        vec![2, 0, 0, 0, 0, 10]
    );
    assert_eq!(parse_lladdr("0a:0b").unwrap(), vec![10, 11]);
    assert!(parse_lladdr("").is_err());
    assert!(parse_lladdr("02::01").is_err());
    assert!(parse_lladdr("123").is_err());
    assert!(parse_lladdr(&vec!["00"; 33].join(":")).is_err());
}

#[test]
fn specs_validate_before_the_kernel() {
    let dst: IpAddr = "10.0.0.2".parse().unwrap();
    NeighSpec::new(dst, "veth0").validate().unwrap();
    let e = NeighSpec::new(dst, "bad/name").validate().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string()
            .contains("neighbour 10.0.0.2 on link \"bad/name\""),
        "{e}"
    );
    let e = NeighSpec::new(dst, "veth0")
        .lladdr(vec![])
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("1 to 32 bytes"), "{e}");
    let e = NeighSpec::new(dst, "veth0")
        .state(NeighState(0x100))
        .validate()
        .unwrap_err();
    assert!(e.to_string().contains("unknown state"), "{e}");
    assert_eq!(
        NeighSpec::proxy(dst, "veth0").to_string(),
        "proxy neighbour 10.0.0.2 on link \"veth0\""
    );
}

/// The payload `ip neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev X`
/// sends (X = index 3; checked with strace of iproute2 6.1): ndmsg {AF_INET, ifindex 3, NUD_PERMANENT, flags 0,
/// type 0}, NDA_DST, NDA_LLADDR.
const IP_NEIGH_ADD: [u8; 32] = [
    0x02, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00,
    0x0a, 0x00, 0x00, 0x02, 0x0a, 0x00, 0x02, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
];

#[test]
fn requests_are_what_ip_sends() {
    let spec = NeighSpec::new("10.0.0.2".parse().unwrap(), "X").lladdr(vec![2, 0, 0, 0, 0, 2]);
    let msg = spec.message(3, true);
    let mut out = vec![0; msg.buffer_len()];
    msg.emit(&mut out);
    assert_eq!(out, IP_NEIGH_ADD);
    // Delete: destination and device only, state 0.
    let del = spec.message(3, false);
    let mut out = vec![0; del.buffer_len()];
    del.emit(&mut out);
    assert_eq!(out.len(), 20);
    assert_eq!(&out[8..10], &[0, 0]);
}

#[test]
fn views_read_kernel_bytes_in_place() {
    // A reply as the kernel builds it, emitted by netlink-packet-route.
    let spec = NeighSpec::new("2001:db8::2".parse().unwrap(), "X")
        .lladdr(vec![2, 0, 0, 0, 0, 2])
        .state(NeighState::STALE)
        .router(true);
    let mut msg = spec.message(7, true);
    msg.attributes
        .push(netlink_packet_route::neighbour::NeighbourAttribute::Probes(
            3,
        ));
    let mut bytes = vec![0; msg.buffer_len()];
    msg.emit(&mut bytes);
    let n = NeighRef::parse(&bytes).unwrap();
    assert_eq!(n.family(), Some(Family::Inet6));
    assert_eq!(n.ifindex(), 7);
    assert_eq!(n.dst(), Some("2001:db8::2".parse().unwrap()));
    assert_eq!(n.lladdr(), Some(&[2, 0, 0, 0, 0, 2][..]));
    assert_eq!(n.state(), NeighState::STALE);
    assert!(n.is_router() && !n.is_proxy());
    assert_eq!(n.probes(), Some(3));
    assert_eq!(
        n.display(Some("veth0")).to_string(),
        "2001:db8::2 dev veth0 lladdr 02:00:00:00:00:02 router STALE"
    );
    let owned = n.to_owned();
    let managed = NeighSpec::new("10.0.0.9".parse().unwrap(), "X")
        .managed(true)
        .protocol(4);
    assert_eq!(managed.state, NeighState::NONE);
    let mut b = vec![0; managed.message(1, true).buffer_len()];
    managed.message(1, true).emit(&mut b);
    assert_eq!(
        NeighRef::parse(&b).unwrap().display(None).to_string(),
        "10.0.0.9 managed proto static"
    );
    assert_eq!(
        owned.display(None).to_string(),
        "2001:db8::2 lladdr 02:00:00:00:00:02 router STALE"
    );
    // netlink-packet-route reads the same bytes.
    let parsed = NeighbourMessage::parse(&bytes[..]).unwrap();
    assert_eq!(parsed.header.ifindex, 7);
    // Truncated or badly framed: refused.
    assert!(NeighRef::parse(&bytes[..11]).is_err());
    let mut bad = bytes.clone();
    bad[12] = 0xff;
    assert_eq!(
        NeighRef::parse(&bad).unwrap_err().kind(),
        ErrorKind::Protocol
    );
}

/// A netlink message: header (`kind`, `flags`, `seq`) and payload.
fn nl(kind: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = 16 + payload.len();
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&(len as u32).to_ne_bytes());
    m.extend_from_slice(&kind.to_ne_bytes());
    m.extend_from_slice(&flags.to_ne_bytes());
    m.extend_from_slice(&seq.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    m.extend_from_slice(payload);
    m.resize((len + 3) & !3, 0);
    m
}

/// `NLMSG_ERROR` answering `seq` with `-errno` (0: an acknowledgement).
fn ack(seq: u32, errno: i32) -> Vec<u8> {
    let mut p = (-errno).to_ne_bytes().to_vec();
    p.extend_from_slice(&nl(crate::netlink::RTM_DELNEIGH, 0, seq, &[])[..16]);
    nl(netlink_packet_core::NLMSG_ERROR, 0x100, seq, &p)
}

#[test]
fn a_flush_goes_on_past_entries_that_vanished() {
    use crate::netlink::{split_message, Socket, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH};
    let mut dumps = 0;
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log2 = std::sync::Arc::clone(&log);
    let kernel = crate::netlink::tests::FakeKernel::new(move |datagram| {
        let mut rest = datagram;
        let mut out = Vec::new();
        while let Ok(Some((m, after))) = split_message(rest) {
            rest = after;
            let seq = m.sequence_number();
            match m.message_type() {
                RTM_GETNEIGH => {
                    dumps += 1;
                    let mut d = Vec::new();
                    if dumps == 1 {
                        for last in [2u8, 3, 4] {
                            let spec = NeighSpec::new(IpAddr::from([10, 0, 0, last]), "X")
                                .lladdr(vec![2, 0, 0, 0, 0, last])
                                .state(NeighState::STALE);
                            let msg = spec.message(5, true);
                            let mut b = vec![0; msg.buffer_len()];
                            msg.emit(&mut b);
                            d.extend(nl(RTM_NEWNEIGH, 2, seq, &b));
                        }
                    }
                    d.extend(nl(
                        netlink_packet_core::NLMSG_DONE,
                        2,
                        seq,
                        &0i32.to_ne_bytes(),
                    ));
                    out.push(d);
                }
                RTM_DELNEIGH => {
                    let n = NeighRef::parse(m.payload()).unwrap();
                    log2.lock().unwrap().push(n.dst().unwrap());
                    // The second entry is gone already.
                    let errno = if n.dst() == Some(IpAddr::from([10, 0, 0, 3])) {
                        2
                    } else {
                        0
                    };
                    out.push(ack(seq, errno));
                }
                other => panic!("unexpected message type {other}"),
            }
        }
        out
    });
    let mut h = Handle::from(Socket::fake(kernel));
    let flushed = h
        .neigh_flush(&NeighFilter::new().dev(crate::link::Dev::Index(
            crate::link::IfIndex::new(5).unwrap(),
        )))
        .unwrap();
    // 10.0.0.2 and 10.0.0.4 deleted; 10.0.0.3 had vanished; nothing sent twice.
    assert_eq!(flushed, 2);
    assert_eq!(log.lock().unwrap().len(), 3);
}
