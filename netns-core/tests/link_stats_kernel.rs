//! 64-bit link statistics against the real kernel, compared with `ip -s
//! link`.
#![allow(clippy::unwrap_used)]

use netns_core::link::{IfIndex, LinkId};
use netns_core::Handle;

#[test]
fn counters_match_ip_s_link() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    sb.run_checked("ip", ["link", "set", "lo", "up"]);
    sb.run_checked("ping", ["-c", "3", "-i", "0.01", "-q", "127.0.0.1"]);

    let stats = h.link_stats(LinkId::Name("lo")).unwrap();
    // 3 echo requests and 3 replies, each seen once on lo's rx and tx.
    assert!(
        stats.rx_packets >= 6 && stats.rx_packets == stats.tx_packets,
        "{stats:?}"
    );
    assert_eq!(stats.rx_bytes, stats.tx_bytes);
    let shown = sb.run_checked("ip", ["-s", "link", "show", "lo"]);
    // Exactly ip's lines, the spaces it leaves at their ends included.
    let ip_block: Vec<&str> = shown.lines().skip(2).take(4).collect();
    let ours = stats.display().to_string();
    let ours: Vec<&str> = ours.lines().collect();
    assert_eq!(ours, ip_block, "ip printed:\n{shown}");

    // Every link of a dump carries them, read in place; the owned copy
    // keeps them.
    sb.run_checked(
        "ip",
        ["link", "add", "v0", "type", "veth", "peer", "name", "v1"],
    );
    let with: Vec<(String, u64)> = h
        .links()
        .unwrap()
        .filter_map(|l| Some((l.name().to_owned(), l.stats64()?.rx_packets)))
        .collect();
    assert_eq!(with.len(), 3, "{with:?}");
    assert!(with.contains(&("v0".to_owned(), 0)));
    let lo = h.link_by_index(IfIndex::LOOPBACK).unwrap();
    assert_eq!(lo.stats64.map(|s| s.rx_packets), Some(stats.rx_packets));
}
