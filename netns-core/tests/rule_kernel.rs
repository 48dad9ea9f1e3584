//! Routing rules against the real kernel, each test in its own sandbox,
//! compared line for line with what `ip rule` prints.
#![allow(clippy::unwrap_used)]

use netns_core::addr::Family;
use netns_core::route::RouteTable;
use netns_core::rule::{PortRange, RuleAction, RuleSpec};
use netns_core::{Errno, ErrorKind, Handle};

fn table(id: u32) -> RouteTable {
    RouteTable::new(id).unwrap()
}

fn ours(h: &mut Handle, family: Family) -> Vec<String> {
    h.rules(family)
        .unwrap()
        .map(|r| r.display().to_string())
        .collect()
}

fn theirs(sb: &netns_testkit::Sandbox, family: &str) -> Vec<String> {
    sb.run_checked("ip", [family, "rule", "show"])
        .lines()
        .map(|l| l.trim_end().to_owned())
        .collect()
}

#[test]
fn a_fresh_namespace_has_ips_three_rules() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    assert_eq!(
        ours(&mut h, Family::Inet),
        [
            "0:\tfrom all lookup local",
            "32766:\tfrom all lookup main",
            "32767:\tfrom all lookup default"
        ]
    );
    assert_eq!(ours(&mut h, Family::Inet), theirs(&sb, "-4"));
    assert_eq!(ours(&mut h, Family::Inet6), theirs(&sb, "-6"));
    assert_eq!(h.rules_all().unwrap().len(), 5);
}

#[test]
fn add_show_and_delete_like_ip() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    // Default priorities as the kernel gives them: below the first
    // non-zero rule, each new one above the last.
    h.rule_add(
        &RuleSpec::new()
            .from("10.0.0.0/8".parse().unwrap())
            .table(table(100)),
    )
    .unwrap();
    h.rule_add(
        &RuleSpec::new()
            .to("192.168.1.0/24".parse().unwrap())
            .table(table(1000)),
    )
    .unwrap();
    let mut spec = RuleSpec::new()
        .priority(100)
        .not(true)
        .from("10.1.0.0/16".parse().unwrap())
        .fwmark(0x10, Some(0xff))
        .iif("eth9")
        .oif("eth8")
        .table(RouteTable::MAIN);
    spec.suppress_prefixlength = Some(0);
    spec.ipproto = Some(6);
    spec.sport = Some(PortRange::single(22));
    spec.dport = Some(PortRange {
        start: 1000,
        end: 2000,
    });
    spec.tos = 0x10;
    spec.uid_range = Some((1000, 1999));
    h.rule_add(&spec).unwrap();
    h.rule_add(&RuleSpec::new().priority(200).action(RuleAction::Goto(300)))
        .unwrap();
    h.rule_add(&RuleSpec::new().priority(300).action(RuleAction::Blackhole))
        .unwrap();
    h.rule_add(
        &RuleSpec::new()
            .priority(301)
            .action(RuleAction::Unreachable),
    )
    .unwrap();
    h.rule_add(&RuleSpec::new().priority(302).action(RuleAction::Prohibit))
        .unwrap();
    h.rule_add(&RuleSpec::new().priority(303).action(RuleAction::Nop))
        .unwrap();
    let mut v6 = RuleSpec::new()
        .from("2001:db8::/32".parse().unwrap())
        .table(table(6));
    v6.protocol = Some(4);
    h.rule_add(&v6).unwrap();

    let mine = ours(&mut h, Family::Inet);
    assert_eq!(mine, theirs(&sb, "-4"));
    assert!(
        mine.contains(&"32765:\tfrom 10.0.0.0/8 lookup 100".to_owned()),
        "{mine:#?}"
    );
    assert!(
        mine.contains(&"32764:\tfrom all to 192.168.1.0/24 lookup 1000".to_owned()),
        "{mine:#?}"
    );
    assert!(
        mine.contains(&"200:\tfrom all goto 300".to_owned()),
        "{mine:#?}"
    );
    assert_eq!(ours(&mut h, Family::Inet6), theirs(&sb, "-6"));
    assert!(ours(&mut h, Family::Inet6)
        .contains(&"32765:\tfrom 2001:db8::/32 lookup 6 proto static".to_owned()));

    // Owned copies read back what was sent.
    let r = h
        .rules(Family::Inet)
        .unwrap()
        .find(|r| r.priority() == 100)
        .unwrap()
        .to_owned();
    assert!(r.is_inverted());
    assert_eq!((r.fwmark, r.fwmask), (Some(0x10), Some(0xff)));
    assert_eq!(
        (r.iif.as_deref(), r.oif.as_deref()),
        (Some("eth9"), Some("eth8"))
    );
    assert_eq!(r.suppress_prefixlength, Some(0));
    assert_eq!(
        r.dport,
        Some(PortRange {
            start: 1000,
            end: 2000
        })
    );

    // An identical rule: EEXIST in our words.
    let e = h
        .rule_add(&RuleSpec::new().priority(300).action(RuleAction::Blackhole))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    assert_eq!(
        e.to_string(),
        "cannot add rule pref 300 from all blackhole: already exists"
    );
    // A backward goto: the kernel's words.
    let e = h
        .rule_add(&RuleSpec::new().priority(400).action(RuleAction::Goto(10)))
        .unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EINVAL), "{e}");
    assert!(e.kernel_message().is_some(), "{e}");

    // Delete by priority alone; by selector and table.
    h.rule_del(&RuleSpec::new().priority(300)).unwrap();
    h.rule_del(
        &RuleSpec::new()
            .from("10.0.0.0/8".parse().unwrap())
            .table(table(100)),
    )
    .unwrap();
    let mine = ours(&mut h, Family::Inet);
    assert_eq!(mine, theirs(&sb, "-4"));
    assert!(!mine
        .iter()
        .any(|l| l.starts_with("300:") || l.contains("10.0.0.0/8")));
    let e = h.rule_del(&RuleSpec::new().priority(300)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(
        e.to_string(),
        "cannot delete rule pref 300 from all: not found"
    );

    // Flush: everything with a priority goes, as ip rule flush.
    let n = h.rule_flush(Family::Inet).unwrap();
    assert_eq!(n, 8);
    assert_eq!(ours(&mut h, Family::Inet), ["0:\tfrom all lookup local"]);
    assert_eq!(ours(&mut h, Family::Inet), theirs(&sb, "-4"));
}

#[test]
fn interfaces_go_by_name_and_an_index_is_looked_up() {
    use netns_core::link::{Dev, IfIndex};
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    sb.run_checked(
        "ip",
        [
            "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
        ],
    );
    let v0 = h.link_index("veth0").unwrap();
    // By index: sent as the name the kernel knows.
    h.rule_add(
        &RuleSpec::new()
            .priority(10)
            .iif(Dev::Index(v0))
            .table(table(10)),
    )
    .unwrap();
    // By name: sent as given, even for an interface that does not exist.
    h.rule_add(&RuleSpec::new().priority(11).oif("later0").table(table(11)))
        .unwrap();
    let shown = theirs(&sb, "-4");
    assert!(
        shown.contains(&"10:\tfrom all iif veth0 lookup 10".to_owned()),
        "{shown:?}"
    );
    assert!(
        shown.contains(&"11:\tfrom all oif later0 [detached] lookup 11".to_owned()),
        "{shown:?}"
    );
    assert_eq!(ours(&mut h, Family::Inet), shown);
    // An index that names nothing: refused in the caller's words.
    let e = h
        .rule_add(
            &RuleSpec::new()
                .priority(12)
                .iif(Dev::Index(IfIndex::new(999).unwrap())),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(
        e.to_string(),
        "cannot add rule pref 12 iif #999: not found: link with index 999"
    );
    h.rule_del(&RuleSpec::new().iif(Dev::Index(v0))).unwrap();
    assert!(!theirs(&sb, "-4").iter().any(|l| l.starts_with("10:")));
}
