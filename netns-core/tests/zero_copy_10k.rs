//! Dumps of 10,000 neighbours and of 10,000 routes read in place: the heap
//! allocations of a whole dump — the request and the iteration over every
//! entry — do not grow with the number of entries. Each dump is counted at
//! 1,000 entries and again at 10,000 (the same namespace, 9,000 more added),
//! once the receive buffer has grown (a first dump at each size).
//!
//! The counting allocator counts per thread, and the dumps run on the
//! calling thread (a `Handle`'s socket is used where it is called): other
//! tests running at the same time do not disturb the counts.
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};

use netns_core::addr::{Family, IpNet};
use netns_core::neigh::{NeighFilter, NeighSpec, NeighState};
use netns_core::route::{RouteSpec, RouteTable};
use netns_core::Handle;

#[global_allocator]
static GLOBAL: netns_testkit::Counting = netns_testkit::Counting;

use netns_testkit::allocations;

/// At most this many allocations for a whole dump, whatever its size: the
/// request (its message, a filter copy) — not one per entry.
const PER_DUMP: usize = 8;

/// veth0 (up, 10.1.0.1/16) and its peer; returns veth0's index.
fn setup(sb: &netns_testkit::Sandbox, h: &mut Handle) -> u32 {
    for args in [
        &[
            "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
        ][..],
        &["link", "set", "veth0", "up"],
        &["link", "set", "veth1", "up"],
        &["addr", "add", "10.1.0.1/16", "dev", "veth0"],
    ] {
        sb.run_checked("ip", args);
    }
    h.link_index("veth0").unwrap().get()
}

/// Neighbour `i`: 10.1.x.y (x.y = i + 2), a permanent entry with its own MAC.
/// Permanent entries are exempt from the neighbour table's garbage
/// collection and do not count towards its gc_thresh3 limit, so no sysctl
/// is needed (and net.ipv4.neigh.default.gc_thresh* set in a namespace
/// would change the one IPv4 table every namespace shares).
fn neigh(i: u32) -> NeighSpec {
    let k = i + 2;
    NeighSpec::new(
        IpAddr::V4(Ipv4Addr::new(10, 1, (k >> 8) as u8, k as u8)),
        "veth0",
    )
    .mac(vec![2, 0, 0, (i >> 16) as u8, (i >> 8) as u8, i as u8])
}

/// One dump of veth0's IPv4 neighbours, every entry read; returns (entries,
/// allocations of the request, allocations of the iteration).
fn neighbour_dump(h: &mut Handle, filter: &NeighFilter) -> (usize, usize, usize) {
    let a0 = allocations();
    let dump = h.neighbours(filter).unwrap();
    let a1 = allocations();
    let (mut count, mut sum) = (0, 0u64);
    for n in dump {
        assert_eq!(n.state(), NeighState::PERMANENT);
        let Some(IpAddr::V4(ip)) = n.dst() else {
            panic!("an IPv4 neighbour without an IPv4 destination")
        };
        let mac = n.mac().unwrap();
        assert_eq!(mac.len(), 6);
        sum += u64::from(u32::from(ip)) + u64::from(mac[5]) + u64::from(n.ifindex());
        count += 1;
    }
    let a2 = allocations();
    assert!(sum > 0);
    (count, a1 - a0, a2 - a1)
}

/// One dump of the IPv4 routes of table main, every entry read; returns
/// (routes of table main, allocations of the request, of the iteration).
fn route_dump(h: &mut Handle) -> (usize, usize, usize) {
    let a0 = allocations();
    let dump = h
        .routes(Some(RouteTable::MAIN), Some(Family::Inet))
        .unwrap();
    let a1 = allocations();
    let (mut count, mut sum) = (0, 0u64);
    for r in dump {
        if r.table() != 254 {
            continue;
        }
        let dst = r.destination().unwrap();
        if let IpAddr::V4(ip) = dst.addr() {
            sum += u64::from(u32::from(ip));
        }
        sum += u64::from(r.oif().unwrap_or(0)) + u64::from(r.scope()) + u64::from(dst.prefix_len());
        count += 1;
    }
    let a2 = allocations();
    assert!(sum > 0);
    (count, a1 - a0, a2 - a1)
}

/// Dumps twice (the first grows the receive buffer) and returns the second.
fn steady<T>(mut dump: impl FnMut() -> T) -> T {
    dump();
    dump()
}

#[test]
fn dumps_of_ten_thousand_neighbours_allocate_nothing_per_entry() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    setup(&sb, &mut h);
    let filter = NeighFilter::new().dev("veth0").family(Family::Inet);

    let specs: Vec<NeighSpec> = (0..10_000).map(neigh).collect();
    h.neighs_add(&specs[..1_000]).unwrap();
    let (n1, req1, iter1) = steady(|| neighbour_dump(&mut h, &filter));
    h.neighs_add(&specs[1_000..]).unwrap();
    let (n10, req10, iter10) = steady(|| neighbour_dump(&mut h, &filter));

    eprintln!(
        "neighbour dumps: {n1} entries: request {req1}, iteration {iter1} allocations; \
         {n10} entries: request {req10}, iteration {iter10} allocations"
    );
    assert_eq!((n1, n10), (1_000, 10_000));
    // What iproute2 sees: the entries are really there.
    assert_eq!(
        sb.run_checked("ip", ["-4", "neigh", "show", "dev", "veth0"])
            .lines()
            .count(),
        10_000
    );
    assert_eq!(iter10, 0, "iterating 10,000 neighbours allocated");
    assert_eq!(iter10, iter1);
    assert_eq!(
        req10, req1,
        "the request's allocations grew with the entries"
    );
    assert!(
        req10 + iter10 <= PER_DUMP,
        "{req10} + {iter10} allocations per dump"
    );
}

#[test]
fn dumps_of_ten_thousand_routes_allocate_nothing_per_entry() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    setup(&sb, &mut h);
    let add = |h: &mut Handle, range: std::ops::Range<u32>| {
        for i in range {
            let dst = Ipv4Addr::new(10, 200, (i >> 8) as u8, i as u8);
            h.route_add(&RouteSpec::to(IpNet::host(IpAddr::V4(dst))).dev("veth0"))
                .unwrap();
        }
    };
    // Table main also holds veth0's prefix route (10.1.0.0/16).
    add(&mut h, 0..999);
    let (n1, req1, iter1) = steady(|| route_dump(&mut h));
    add(&mut h, 999..9_999);
    let (n10, req10, iter10) = steady(|| route_dump(&mut h));

    eprintln!(
        "route dumps: {n1} routes: request {req1}, iteration {iter1} allocations; \
         {n10} routes: request {req10}, iteration {iter10} allocations"
    );
    assert_eq!((n1, n10), (1_000, 10_000));
    assert_eq!(
        sb.run_checked("ip", ["-4", "route", "show"])
            .lines()
            .count(),
        10_000
    );
    assert_eq!(iter10, 0, "iterating 10,000 routes allocated");
    assert_eq!(iter10, iter1);
    assert_eq!(
        req10, req1,
        "the request's allocations grew with the entries"
    );
    assert!(
        req10 + iter10 <= PER_DUMP,
        "{req10} + {iter10} allocations per dump"
    );
}
