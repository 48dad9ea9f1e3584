//! `NetNs::announce` against the real kernel, each test in its own sandbox:
//! a neighbour in another namespace holding a stale entry (another MAC) for
//! an address sees the announcing link's MAC right after the call, as
//! `ip neigh` shows it; refusals name the link or the address.
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;
use std::time::Duration;

use netns_core::announce::Announcement;
use netns_core::{ErrorKind, NetNs, Registry};

const OLD_MAC: &str = "02:00:00:00:00:99";

/// Two namespaces `a` and `b` joined by the veth pair `va`/`vb`, both up,
/// IPv6 enabled; `b` has 10.9.0.2/24 and fd00:9::2/64 and stale entries
/// for 10.9.0.1 and fd00:9::1 at OLD_MAC. Returns `a`.
fn pair(sb: &netns_testkit::Sandbox) -> NetNs {
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let a = reg.add("a").unwrap();
    reg.add("b").unwrap();
    for ns in ["a", "b"] {
        sb.run_checked(
            "ip",
            [
                "netns",
                "exec",
                ns,
                "sysctl",
                "-qw",
                "net.ipv6.conf.all.disable_ipv6=0",
                "net.ipv6.conf.default.disable_ipv6=0",
            ],
        );
    }
    sb.run_checked(
        "ip",
        [
            "-n", "a", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", "b",
        ],
    );
    for (ns, dev) in [("a", "va"), ("b", "vb")] {
        sb.run_checked("ip", ["-n", ns, "link", "set", dev, "up"]);
    }
    sb.run_checked("ip", ["-n", "b", "addr", "add", "10.9.0.2/24", "dev", "vb"]);
    sb.run_checked(
        "ip",
        [
            "-n",
            "b",
            "addr",
            "add",
            "fd00:9::2/64",
            "dev",
            "vb",
            "nodad",
        ],
    );
    for addr in ["10.9.0.1", "fd00:9::1"] {
        sb.run_checked(
            "ip",
            [
                "-n", "b", "neigh", "replace", addr, "lladdr", OLD_MAC, "dev", "vb", "nud", "stale",
            ],
        );
    }
    a
}

/// The MAC `ip -n b neigh` shows for `addr`.
fn neigh_in_b(sb: &netns_testkit::Sandbox, addr: &str) -> String {
    let out = sb.run_checked("ip", ["-n", "b", "neigh", "show", "to", addr, "dev", "vb"]);
    out.split_whitespace()
        .skip_while(|w| *w != "lladdr")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

fn mac_in_a(sb: &netns_testkit::Sandbox) -> String {
    let out = sb.run_checked("ip", ["-n", "a", "-br", "link", "show", "va"]);
    out.split_whitespace().nth(2).unwrap().to_string()
}

#[test]
fn stale_entries_of_a_neighbour_take_the_announced_mac() {
    let sb = netns_testkit::sandbox();
    let a = pair(&sb);
    let mac = mac_in_a(&sb);
    assert_ne!(mac, OLD_MAC);
    assert_eq!(neigh_in_b(&sb, "10.9.0.1"), OLD_MAC);
    assert_eq!(neigh_in_b(&sb, "fd00:9::1"), OLD_MAC);
    let own = netns_testkit::current_netns_id();
    let sent = a
        .announce(
            &Announcement::new("va")
                .address("10.9.0.1".parse().unwrap())
                .address("fd00:9::1".parse().unwrap()),
        )
        .unwrap();
    assert_eq!((sent.arp, sent.na), (1, 1));
    let hex: Vec<String> = sent.mac.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex.join(":"), mac);
    // The caller's thread stayed where it was.
    assert_eq!(netns_testkit::current_netns_id(), own);
    assert_eq!(neigh_in_b(&sb, "10.9.0.1"), mac, "after the gratuitous ARP");
    assert_eq!(neigh_in_b(&sb, "fd00:9::1"), mac, "after the advertisement");
}

#[test]
fn refusals_name_the_link_or_the_address() {
    let sb = netns_testkit::sandbox();
    let a = pair(&sb);
    let v4: IpAddr = "10.9.0.1".parse().unwrap();

    let err = a
        .announce(&Announcement::new("nope0").address(v4))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("nope0"), "{err}");

    let err = a
        .announce(&Announcement::new("lo").address(v4))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains("lo"), "{err}");

    let bad = Announcement::new("va").address("224.0.0.1".parse().unwrap());
    let err = a.announce(&bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert!(err.to_string().contains("224.0.0.1"), "{err}");

    // A link that is down never transmits: refused after the wait, nothing
    // sent (the neighbour's entry keeps the old MAC).
    sb.run_checked("ip", ["-n", "a", "link", "set", "va", "down"]);
    let err = a
        .announce(
            &Announcement::new("va")
                .address(v4)
                .wait_up(Duration::from_millis(50)),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Busy, "{err}");
    assert!(err.to_string().contains("va"), "{err}");
    // Nothing was sent: b's entry is not va's address. (The entry itself
    // may be gone: the kernel flushes a stale entry when its link loses
    // carrier, as vb does when va goes down, asynchronously.)
    let left = neigh_in_b(&sb, "10.9.0.1");
    assert!(left == OLD_MAC || left.is_empty(), "{left}");
}
