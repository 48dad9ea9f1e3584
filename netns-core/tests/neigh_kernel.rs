//! Neighbours against the real kernel, each test in its own sandbox,
//! compared with what `ip neigh` shows.
#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::net::IpAddr;

use netns_core::addr::Family;
use netns_core::link::{Dev, IfIndex};
use netns_core::neigh::{NeighFilter, NeighSpec, NeighState};
use netns_core::{Errno, ErrorKind, Handle};

// A test-only counting allocator, for the zero-copy claim.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn mac(last: u8) -> Vec<u8> {
    vec![2, 0, 0, 0, 0, last]
}

/// veth0/veth1, both up, with addresses; returns veth0's index.
fn setup(sb: &netns_testkit::Sandbox, h: &mut Handle) -> u32 {
    for args in [
        &[
            "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
        ][..],
        &["link", "set", "veth0", "up"],
        &["link", "set", "veth1", "up"],
        &["addr", "add", "10.0.0.1/24", "dev", "veth0"],
    ] {
        sb.run_checked("ip", args);
    }
    h.link_index("veth0").unwrap().get()
}

fn ip_neigh(sb: &netns_testkit::Sandbox, args: &[&str]) -> String {
    let mut all = vec!["neigh"];
    all.extend_from_slice(args);
    sb.run_checked("ip", all)
}

#[test]
fn add_replace_change_get_and_delete_like_ip() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let v0 = setup(&sb, &mut h);

    h.neigh_add(&NeighSpec::new(ip("10.0.0.2"), "veth0").lladdr(mac(2)))
        .unwrap();
    h.neigh_add(
        &NeighSpec::new(ip("10.0.0.3"), "veth0")
            .lladdr(mac(3))
            .state(NeighState::REACHABLE),
    )
    .unwrap();
    h.neigh_add(
        &NeighSpec::new(ip("2001:db8::9"), Dev::Index(IfIndex::new(v0).unwrap()))
            .lladdr(mac(9))
            .state(NeighState::STALE)
            .router(true),
    )
    .unwrap();

    // ip sees exactly what we added, and our formatting matches ip's lines.
    let shown = ip_neigh(&sb, &["show", "dev", "veth0"]);
    let mut ours: Vec<String> = h
        .neighbours(&NeighFilter::new().dev("veth0"))
        .unwrap()
        .map(|n| n.display(None).to_string())
        .collect();
    let mut theirs: Vec<String> = shown.lines().map(|l| l.trim().to_owned()).collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs, "ip printed:\n{shown}");
    assert!(
        shown.contains("10.0.0.2 lladdr 02:00:00:00:00:02 PERMANENT"),
        "{shown}"
    );
    assert!(
        shown.contains("2001:db8::9 lladdr 02:00:00:00:00:09 router STALE"),
        "{shown}"
    );

    // Adding it again: EEXIST in our words.
    let e = h
        .neigh_add(&NeighSpec::new(ip("10.0.0.2"), "veth0").lladdr(mac(2)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    assert!(
        e.to_string()
            .starts_with("cannot add neighbour 10.0.0.2 on link \"veth0\""),
        "{e}"
    );

    // Replace changes the address; change refuses a missing entry.
    h.neigh_replace(&NeighSpec::new(ip("10.0.0.2"), "veth0").lladdr(mac(0x22)))
        .unwrap();
    let got = h.neigh_get(ip("10.0.0.2"), &"veth0".into(), false).unwrap();
    assert_eq!(got.lladdr, Some(mac(0x22)));
    assert_eq!(got.state, NeighState::PERMANENT);
    assert_eq!(got.ifindex, v0);
    assert_eq!(got.family, Some(Family::Inet));
    let e = h
        .neigh_change(&NeighSpec::new(ip("10.0.0.77"), "veth0").lladdr(mac(7)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    h.neigh_change(
        &NeighSpec::new(ip("10.0.0.3"), "veth0")
            .lladdr(mac(0x33))
            .state(NeighState::PERMANENT),
    )
    .unwrap();
    assert!(ip_neigh(&sb, &["show", "10.0.0.3", "dev", "veth0"])
        .contains("02:00:00:00:00:33 PERMANENT"));

    // Family filter (kernel side).
    let v6: Vec<_> = h
        .neighbours(&NeighFilter::new().family(Family::Inet6).dev("veth0"))
        .unwrap()
        .map(|n| n.dst().unwrap())
        .collect();
    assert_eq!(v6, vec![ip("2001:db8::9")]);

    // Delete; deleting again is NotFound; an unknown device names it.
    h.neigh_del(&NeighSpec::new(ip("10.0.0.2"), "veth0"))
        .unwrap();
    assert!(!ip_neigh(&sb, &["show"]).contains("10.0.0.2 "));
    let e = h
        .neigh_del(&NeighSpec::new(ip("10.0.0.2"), "veth0"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(e.errno(), Some(Errno::ENOENT));
    let e = h
        .neigh_get(ip("10.0.0.2"), &"veth0".into(), false)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    let e = h
        .neigh_add(&NeighSpec::new(ip("10.0.0.2"), "nosuch0"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert!(
        e.to_string()
            .starts_with("cannot add neighbour 10.0.0.2 on link \"nosuch0\": not found"),
        "{e}"
    );
}

#[test]
fn proxy_entries_live_in_their_own_table() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    setup(&sb, &mut h);
    h.neigh_add(&NeighSpec::proxy(ip("10.0.0.50"), "veth0"))
        .unwrap();
    let shown = ip_neigh(&sb, &["show", "proxy"]);
    assert!(shown.contains("10.0.0.50 dev veth0 proxy"), "{shown}");
    let proxies: Vec<_> = h
        .neighbours(&NeighFilter::new().proxy(true))
        .unwrap()
        .map(|n| n.to_owned())
        .collect();
    assert_eq!(proxies.len(), 1);
    assert!(proxies[0].is_proxy());
    assert_eq!(proxies[0].dst, Some(ip("10.0.0.50")));
    // Not in the cache listing.
    assert!(h
        .neighbours(&NeighFilter::new())
        .unwrap()
        .all(|n| n.dst() != Some(ip("10.0.0.50"))));
    let got = h.neigh_get(ip("10.0.0.50"), &"veth0".into(), true).unwrap();
    assert!(got.is_proxy());
    h.neigh_del(&NeighSpec::proxy(ip("10.0.0.50"), "veth0"))
        .unwrap();
    assert_eq!(ip_neigh(&sb, &["show", "proxy"]), "");
}

#[test]
fn show_and_flush_follow_iproute2() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    setup(&sb, &mut h);
    let states = [
        ("10.0.0.2", NeighState::PERMANENT),
        ("10.0.0.3", NeighState::NOARP),
        ("10.0.0.4", NeighState::STALE),
        ("10.0.0.5", NeighState::REACHABLE),
        ("10.0.0.6", NeighState::STALE),
    ];
    for (i, (addr, state)) in states.iter().enumerate() {
        h.neigh_add(
            &NeighSpec::new(ip(addr), "veth0")
                .lladdr(mac(i as u8 + 2))
                .state(*state),
        )
        .unwrap();
    }
    let dsts = |h: &mut Handle, f: &NeighFilter| -> Vec<String> {
        let mut v: Vec<String> = h
            .neighbours(f)
            .unwrap()
            .map(|n| n.dst().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    // IPv4 only: IPv6 multicast traffic makes noarp entries of its own
    // at any time.
    let ip_dsts = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["-4", "neigh"];
        all.extend_from_slice(args);
        let mut v: Vec<String> = sb
            .run_checked("ip", all)
            .lines()
            .map(|l| l.split_whitespace().next().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    // show hides noarp, as ip.
    assert_eq!(
        dsts(
            &mut h,
            &NeighFilter::new().family(Family::Inet).dev("veth0")
        ),
        ip_dsts(&["show", "dev", "veth0"])
    );
    assert!(
        !dsts(&mut h, &NeighFilter::new().family(Family::Inet)).contains(&"10.0.0.3".to_owned())
    );
    // nud filters, one and several, and all.
    assert_eq!(
        dsts(
            &mut h,
            &NeighFilter::new()
                .family(Family::Inet)
                .state(NeighState::STALE)
        ),
        ip_dsts(&["show", "nud", "stale"])
    );
    assert_eq!(
        dsts(
            &mut h,
            &NeighFilter::new()
                .family(Family::Inet)
                .state(NeighState::STALE)
                .state(NeighState::NOARP)
        ),
        ip_dsts(&["show", "nud", "stale", "nud", "noarp"])
    );
    assert_eq!(
        dsts(
            &mut h,
            &NeighFilter::new().family(Family::Inet).all_states()
        ),
        ip_dsts(&["show", "nud", "all"])
    );
    assert_eq!(
        dsts(
            &mut h,
            &NeighFilter::new()
                .family(Family::Inet)
                .to("10.0.0.4/31".parse().unwrap())
        ),
        ip_dsts(&["show", "to", "10.0.0.4/31"])
    );

    // flush leaves permanent and noarp entries, as ip flush does.
    let flushed = h
        .neigh_flush(&NeighFilter::new().family(Family::Inet).dev("veth0"))
        .unwrap();
    assert_eq!(flushed, 3);
    assert_eq!(
        dsts(
            &mut h,
            &NeighFilter::new().family(Family::Inet).all_states()
        ),
        vec!["10.0.0.2".to_owned(), "10.0.0.3".to_owned()]
    );
    assert_eq!(
        h.neigh_flush(&NeighFilter::new().family(Family::Inet).dev("veth0"))
            .unwrap(),
        0
    );
    // nud permanent flushes the permanent one; noarp stays (ip: all but noarp).
    assert_eq!(
        h.neigh_flush(&NeighFilter::new().family(Family::Inet).all_states())
            .unwrap(),
        1
    );
    assert_eq!(
        dsts(
            &mut h,
            &NeighFilter::new().family(Family::Inet).all_states()
        ),
        vec!["10.0.0.3".to_owned()]
    );
    assert_eq!(
        h.neigh_flush(
            &NeighFilter::new()
                .family(Family::Inet)
                .state(NeighState::NOARP)
        )
        .unwrap(),
        1
    );
    assert!(dsts(
        &mut h,
        &NeighFilter::new().family(Family::Inet).all_states()
    )
    .is_empty());
}

#[test]
fn flags_protocols_and_states_print_as_ip_prints_them() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    setup(&sb, &mut h);
    let mut learned = NeighSpec::new(ip("10.0.0.2"), "veth0")
        .lladdr(mac(2))
        .router(true)
        .extern_learn(true);
    learned.protocol = Some(4);
    h.neigh_add(&learned).unwrap();
    h.neigh_add(
        &NeighSpec::new(ip("10.0.0.3"), "veth0")
            .lladdr(mac(3))
            .state(NeighState::STALE),
    )
    .unwrap();
    h.neigh_add(&NeighSpec::new(ip("10.0.0.4"), "veth0").state(NeighState::NONE))
        .unwrap();
    h.neigh_add(
        &NeighSpec::new(ip("10.0.0.5"), "veth0")
            .lladdr(mac(5))
            .state(NeighState::NOARP),
    )
    .unwrap();
    // Our lines are ip's (without its trailing space), for each filter.
    let filters: [(NeighFilter, &[&str]); 5] = [
        (NeighFilter::new(), &[]),
        (NeighFilter::new().all_states(), &["nud", "all"]),
        (NeighFilter::new().state(NeighState::NONE), &["nud", "none"]),
        (
            NeighFilter::new().state(NeighState::NOARP),
            &["nud", "noarp"],
        ),
        (NeighFilter::new().protocol(4), &["protocol", "static"]),
    ];
    for (filter, words) in filters {
        let filter = filter.family(Family::Inet);
        // Every IPv4 entry is on veth0.
        let mut ours: Vec<String> = h
            .neighbours(&filter)
            .unwrap()
            .map(|n| n.display(Some("veth0")).to_string())
            .collect();
        let mut args = vec!["-4", "neigh", "show"];
        args.extend_from_slice(words);
        let shown = sb.run_checked("ip", args);
        let mut theirs: Vec<String> = shown.lines().map(|l| l.trim_end().to_owned()).collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{words:?}");
    }
    assert!(sb
        .run_checked("ip", ["neigh", "show", "10.0.0.2"])
        .contains("router extern_learn PERMANENT proto static"));
}

#[test]
fn a_dump_of_ten_thousand_entries_allocates_nothing_per_entry() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    setup(&sb, &mut h);
    sb.run_checked("ip", ["addr", "add", "10.1.0.1/16", "dev", "veth0"]);
    let specs: Vec<NeighSpec> = (0..10_000u32)
        .map(|i| {
            let a = IpAddr::from([10, 1, (i / 250) as u8, (i % 250) as u8 + 2]);
            NeighSpec::new(a, "veth0").lladdr(mac(i as u8))
        })
        .collect();
    // One name lookup, then batches (permanent entries are not subject to
    // the table's gc_thresh3 limit).
    h.neighs_add(&specs).unwrap();
    let filter = NeighFilter::new().dev("veth0");
    assert_eq!(h.neighbours(&filter).unwrap().count(), 10_000);
    // The same dump again, buffers grown: reading every entry in place
    // allocates nothing (the filter is cloned once per dump).
    let dump = h.neighbours(&filter).unwrap();
    let before = allocations();
    let mut seen = 0;
    for n in dump {
        assert!(n.lladdr().is_some() && n.state() == NeighState::PERMANENT);
        assert!(n.dst().is_some());
        seen += 1;
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(seen, 10_000);
    assert_eq!(
        sb.run_checked("ip", ["-4", "neigh", "show", "dev", "veth0"])
            .lines()
            .count(),
        10_000
    );
    // A batch stops at its first refusal, named in the caller's words.
    let e = h.neighs_add(&specs[..3]).unwrap_err();
    assert_eq!(e.index, 0);
    assert_eq!(e.error.kind(), ErrorKind::AlreadyExists);
    let bad = [
        NeighSpec::new(ip("10.1.0.2"), "veth0"),
        NeighSpec::new(ip("10.1.0.3"), "nosuch"),
    ];
    let e = h.neighs_add(&bad).unwrap_err();
    assert_eq!((e.index, e.sent), (1, 0));
    assert!(
        e.error.to_string().contains("on link \"nosuch\""),
        "{}",
        e.error
    );
}
