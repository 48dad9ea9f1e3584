//! Unit tests: requests as ip builds them, views over kernel bytes, ip's
//! printed line.

use netlink_packet_core::Emitable;

use super::*;

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn bytes(msg: &RuleMessage) -> Vec<u8> {
    let mut out = vec![0; msg.buffer_len()];
    msg.emit(&mut out);
    out
}

/// The payload `ip rule add from 10.0.0.0/8 lookup 100` sends (strace of
/// iproute2 6.1): fib_rule_hdr {AF_INET, dst_len 0, src_len 8, tos 0,
/// table 100, action FR_ACT_TO_TBL, flags 0}, FRA_SRC 10.0.0.0.
const IP_RULE_ADD: [u8; 20] = [
    0x02, 0x00, 0x08, 0x00, 0x64, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00,
    0x0a, 0x00, 0x00, 0x00,
];

#[test]
fn requests_are_what_ip_sends() {
    let spec = RuleSpec::new()
        .from(net("10.0.0.0/8"))
        .table(RouteTable::new(100).unwrap());
    assert_eq!(
        bytes(&spec.message(false, [None, None]).unwrap()),
        IP_RULE_ADD
    );
    // No action on add: lookup main (table 254 in the header).
    let m = RuleSpec::new()
        .priority(5)
        .message(false, [None, None])
        .unwrap();
    assert_eq!(m.header.table, 254);
    assert_eq!(m.header.action, PacketAction::ToTable);
    // No action on delete: a wildcard; a table on delete keeps it one.
    let m = RuleSpec::new()
        .priority(5)
        .message(true, [None, None])
        .unwrap();
    assert_eq!((m.header.table, m.header.action), (0, PacketAction::Unspec));
    let m = RuleSpec::new()
        .table(RouteTable::new(7).unwrap())
        .message(true, [None, None])
        .unwrap();
    assert_eq!((m.header.table, m.header.action), (7, PacketAction::Unspec));
    // A table above 255 goes in FRA_TABLE.
    let m = RuleSpec::new()
        .table(RouteTable::new(1000).unwrap())
        .message(false, [None, None])
        .unwrap();
    assert_eq!(m.header.table, 0);
    assert!(m.attributes.contains(&RuleAttribute::Table(1000)));
    // Family from the prefixes.
    let m = RuleSpec::new()
        .to(net("2001:db8::/32"))
        .message(false, [None, None])
        .unwrap();
    assert_eq!(m.header.family, Family::Inet6.to_packet());
    assert_eq!(m.header.dst_len, 32);
}

#[test]
fn specs_are_checked_before_the_kernel() {
    let e = RuleSpec::new()
        .from(net("10.0.0.0/8"))
        .to(net("2001:db8::/32"))
        .validate()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("is not an inet prefix"), "{e}");
    let e = RuleSpec::new().iif("a/b").validate().unwrap_err();
    assert!(e.to_string().contains("iif \"a/b\""), "{e}");
    let mut s = RuleSpec::new();
    s.sport = Some(PortRange { start: 9, end: 1 });
    assert!(s.validate().unwrap_err().to_string().contains("reversed"));
    let mut s = RuleSpec::new();
    s.fwmask = Some(0xff);
    assert!(s.validate().is_err());
    assert_eq!(PortRange::parse("80").unwrap(), PortRange::single(80));
    assert_eq!(PortRange::parse("1-2").unwrap().to_string(), "1-2");
    assert!(PortRange::parse("x").is_err());
    assert_eq!(parse_ipproto("tcp"), Some(6));
    assert_eq!(parse_ipproto("200"), Some(200));
    assert_eq!(parse_ipproto("nope"), None);
    assert_eq!(
        RuleAction::parse_type("prohibit").unwrap(),
        RuleAction::Prohibit
    );
    assert!(RuleAction::parse_type("lookup").is_err());
}

#[test]
fn views_read_and_print_as_ip() {
    // A rule as the kernel reports one: priority, fwmark/mask, iif,
    // not, table 100, protocol 0.
    let mut spec = RuleSpec::new()
        .priority(100)
        .from(net("10.0.0.0/8"))
        .fwmark(1, Some(0xff))
        .iif("eth0")
        .not(true)
        .table(RouteTable::new(100).unwrap());
    spec.suppress_prefixlength = Some(0);
    spec.ipproto = Some(6);
    spec.dport = Some(PortRange { start: 80, end: 90 });
    let b = bytes(&spec.message(false, [Some("eth0"), None]).unwrap());
    let r = RuleRef::parse(&b).unwrap();
    assert_eq!(r.priority(), 100);
    assert_eq!(r.from(), Some(net("10.0.0.0/8")));
    assert_eq!(r.iif(), Some("eth0"));
    assert_eq!(
        r.action(),
        Some(RuleAction::Table(RouteTable::new(100).unwrap()))
    );
    assert_eq!(
        r.display().to_string(),
        "100:\tnot from 10.0.0.0/8 fwmark 0x1/0xff iif eth0 ipproto tcp dport 80-90 lookup 100 suppress_prefixlength 0"
    );
    let g = bytes(
        &RuleSpec::new()
            .priority(5)
            .to(net("10.1.2.3/32"))
            .action(RuleAction::Goto(9))
            .message(false, [None, None])
            .unwrap(),
    );
    assert_eq!(
        RuleRef::parse(&g).unwrap().display().to_string(),
        "5:\tfrom all to 10.1.2.3 goto 9"
    );
    let bh = bytes(
        &RuleSpec::new()
            .priority(6)
            .action(RuleAction::Blackhole)
            .message(false, [None, None])
            .unwrap(),
    );
    assert_eq!(
        RuleRef::parse(&bh).unwrap().to_owned().to_string(),
        "6:\tfrom all blackhole"
    );
    assert!(RuleRef::parse(&b[..11]).is_err());
}
