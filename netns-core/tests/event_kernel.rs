//! Events against the real kernel: subscribe in a sandbox, change things,
//! see exactly those changes.
#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::os::fd::AsFd;
use std::time::{Duration, Instant};

use netns_core::event::{Event, EventGroup, EventRef, Object, ObjectRef, Subscription};
use netns_core::link::LinkSpec;
use netns_core::neigh::NeighState;
use netns_core::{Handle, NetNs};

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

const WAIT: Duration = Duration::from_secs(2);

/// IPv6 off, so that no autoconfiguration adds events of its own.
fn no_ipv6(sb: &netns_testkit::Sandbox) {
    for key in [
        "net.ipv6.conf.all.disable_ipv6=1",
        "net.ipv6.conf.default.disable_ipv6=1",
    ] {
        sb.run_checked("sysctl", ["-qw", key]);
    }
}

/// Every event that comes within a short quiet period.
fn drain(sub: &mut Subscription) -> Vec<Event> {
    let mut out = Vec::new();
    while let Some(e) = sub.next_timeout(Duration::from_millis(200)).unwrap() {
        out.push(e);
    }
    out
}

fn describe(e: &Event) -> String {
    let (sign, o) = match e {
        Event::New(o) => ("+", o),
        Event::Del(o) => ("-", o),
        _ => return "overrun".to_owned(),
    };
    let what = match o {
        Object::Link(l) => format!("link {}", l.name),
        Object::Address(a) => format!("address {}", a.net().unwrap()),
        Object::Route(r) => format!(
            "route {} table {} type {}",
            r.destination
                .map_or("default".to_owned(), |d| d.to_string()),
            r.table,
            r.kind
        ),
        Object::Neigh(n) => format!("neigh {} {}", n.dst.unwrap(), n.state),
        Object::Rule(r) => format!("rule {r}"),
        Object::Nsid(n) => format!("nsid {:?}", n.nsid),
        _ => "other".to_owned(),
    };
    format!("{sign}{what}")
}

#[test]
fn changes_in_the_namespace_arrive_as_events_in_order() {
    let sb = netns_testkit::sandbox();
    no_ipv6(&sb);
    let mut sub = Subscription::current(&[
        EventGroup::Link,
        EventGroup::Ipv4Address,
        EventGroup::Ipv4Route,
        EventGroup::Neigh,
        EventGroup::Ipv4Rule,
    ])
    .unwrap();
    // Nothing yet.
    let t = Instant::now();
    assert!(sub
        .next_timeout(Duration::from_millis(100))
        .unwrap()
        .is_none());
    assert!(t.elapsed() >= Duration::from_millis(100));

    for args in [
        &[
            "link", "add", "dummy0", "type", "veth", "peer", "name", "peer0",
        ][..],
        &["addr", "add", "10.9.0.1/24", "dev", "dummy0"],
        &[
            "neigh",
            "add",
            "10.9.0.2",
            "lladdr",
            "02:00:00:00:00:02",
            "dev",
            "dummy0",
        ],
        &["rule", "add", "pref", "100", "lookup", "100"],
        &["rule", "del", "pref", "100"],
    ] {
        sb.run_checked("ip", args);
    }
    let got: Vec<String> = drain(&mut sub).iter().map(describe).collect();
    assert_eq!(
        got,
        [
            "+link peer0",
            "+link dummy0",
            "+address 10.9.0.1/24",
            "+route 10.9.0.1/32 table 255 type 2",
            "+neigh 10.9.0.2 PERMANENT",
            "+rule 100:\tfrom all lookup 100",
            "-rule 100:\tfrom all lookup 100",
        ]
    );

    // Views: the same events read in place.
    sb.run_checked("ip", ["link", "set", "dummy0", "mtu", "1400"]);
    let ev = sub.next_ref(Some(WAIT)).unwrap().unwrap();
    match ev {
        EventRef::New(ObjectRef::Link(l)) => {
            assert_eq!((l.name(), l.mtu()), ("dummy0", Some(1400)));
        }
        other => panic!("{other:?}"),
    }
    assert!(drain(&mut sub).is_empty());

    // Deleting the link: its neighbour, address and route go with it, then
    // the link.
    sb.run_checked("ip", ["link", "del", "dummy0"]);
    let got: Vec<String> = drain(&mut sub).iter().map(describe).collect();
    assert!(got.iter().all(|e| e.starts_with('-')), "{got:?}");
    assert!(got.contains(&"-link dummy0".to_owned()), "{got:?}");
    assert!(got.contains(&"-link peer0".to_owned()), "{got:?}");
    for gone in ["-address 10.9.0.1/24", "-neigh 10.9.0.2 "] {
        assert!(
            got.iter().any(|e| e.starts_with(gone)),
            "{gone} not in {got:?}"
        );
    }
}

#[test]
fn a_subscription_sees_its_own_namespace_only() {
    let sb = netns_testkit::sandbox();
    let other = NetNs::new_anonymous().unwrap();
    // Opened on a dedicated thread inside `other`; this thread stays put.
    let before = netns_testkit::current_netns_id();
    let mut sub = other.subscribe(&[EventGroup::Link]).unwrap();
    assert_eq!(netns_testkit::current_netns_id(), before);
    // A change here is not seen there...
    sb.run_checked(
        "ip",
        [
            "link", "add", "here0", "type", "veth", "peer", "name", "here1",
        ],
    );
    // ...a change there is.
    let mut h = other.handle().unwrap();
    h.link_add(&LinkSpec::veth("there0", "there1")).unwrap();
    let got: Vec<String> = drain(&mut sub).iter().map(describe).collect();
    assert_eq!(got, ["+link there1", "+link there0"]);
    // Read from another thread: the socket stays bound to `other`.
    let handle = std::thread::spawn(move || {
        let mut sub = sub;
        let mut h = h;
        h.link_delete("there0".into()).unwrap();
        drain(&mut sub).iter().map(describe).collect::<Vec<_>>()
    });
    let got = handle.join().unwrap();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.contains(&"-link there0".to_owned()) && got.contains(&"-link there1".to_owned()));
}

#[test]
fn an_overrun_is_reported_and_resync_dumps_the_state() {
    let sb = netns_testkit::sandbox();
    no_ipv6(&sb);
    let mut sub = Subscription::current(&[EventGroup::Link, EventGroup::Neigh]).unwrap();
    // The smallest receive buffer the kernel allows, so that a burst
    // overflows it.
    nix::sys::socket::setsockopt(&sub.as_fd(), nix::sys::socket::sockopt::RcvBuf, &1).unwrap();
    let mut h = Handle::current().unwrap();
    let names: Vec<(String, String)> = (0..100)
        .map(|i| (format!("d{i}"), format!("e{i}")))
        .collect();
    let adds: Vec<LinkSpec> = names.iter().map(|(a, b)| LinkSpec::veth(a, b)).collect();
    h.links_add(&adds).unwrap();
    let mut overruns = 0;
    let mut links = 0;
    while let Some(e) = sub.next_timeout(Duration::from_millis(200)).unwrap() {
        match e {
            Event::Overrun => overruns += 1,
            Event::New(Object::Link(_)) => links += 1,
            _ => {}
        }
    }
    assert!(overruns >= 1, "no overrun, {links} links seen");
    assert!(links < 200, "{links}");
    // The resync has every link: lo and the 200.
    let state = sub.resync().unwrap();
    let names: Vec<String> = state
        .iter()
        .filter_map(|e| match e {
            Event::New(Object::Link(l)) => Some(l.name.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(names.len(), 201, "{names:?}");
    assert!(names.contains(&"d99".to_owned()) && names.contains(&"e99".to_owned()));
    // Neighbour state too (none here but the group was dumped).
    assert!(state
        .iter()
        .all(|e| !matches!(e, Event::New(Object::Neigh(n)) if n.state == NeighState::NONE)));
    // After the overrun, with room again, events flow again.
    nix::sys::socket::setsockopt(
        &sub.as_fd(),
        nix::sys::socket::sockopt::RcvBufForce,
        &(1 << 20),
    )
    .unwrap();
    sb.run_checked("ip", ["link", "del", "d0"]);
    let got: Vec<String> = drain(&mut sub).iter().map(describe).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got.contains(&"-link d0".to_owned()) && got.contains(&"-link e0".to_owned()),
        "{got:?}"
    );
}

#[test]
fn events_read_in_place_allocate_nothing() {
    let sb = netns_testkit::sandbox();
    no_ipv6(&sb);
    let mut sub = Subscription::current(&[EventGroup::Link]).unwrap();
    let mut h = Handle::current().unwrap();
    let names: Vec<(String, String)> = (0..50)
        .map(|i| (format!("a{i}"), format!("b{i}")))
        .collect();
    let adds: Vec<LinkSpec> = names.iter().map(|(a, b)| LinkSpec::veth(a, b)).collect();
    h.links_add(&adds).unwrap();
    // The first event: the receive buffer is there already.
    assert!(sub.next_ref(Some(WAIT)).unwrap().is_some());
    let before = allocations();
    let mut links = 1;
    let mut mtu_sum = 0u64;
    while let Some(e) = sub.next_ref(Some(Duration::from_millis(100))).unwrap() {
        if let EventRef::New(ObjectRef::Link(l)) = e {
            links += 1;
            mtu_sum += u64::from(l.mtu().unwrap_or(0));
        }
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!(links, 100);
    assert_eq!(mtu_sum, 99 * 1500);
}

#[test]
fn datagrams_not_from_the_kernel_are_dropped() {
    use nix::sys::socket::{getsockname, sendto, MsgFlags, NetlinkAddr};
    use std::os::fd::AsRawFd;
    let sb = netns_testkit::sandbox();
    no_ipv6(&sb);
    let mut sub = Subscription::current(&[EventGroup::Link]).unwrap();
    let port = getsockname::<NetlinkAddr>(sub.as_raw_fd()).unwrap().pid();
    // A forged RTM_NEWLINK for "forged0" (index 77) from another socket
    // (root may send to any port).
    let mut forged = Vec::new();
    let name = b"forged0\0";
    let len = 16 + 16 + 4 + name.len();
    forged.extend_from_slice(&(len as u32).to_ne_bytes());
    forged.extend_from_slice(&16u16.to_ne_bytes());
    forged.extend_from_slice(&0u16.to_ne_bytes());
    forged.extend_from_slice(&[0; 8]);
    forged.extend_from_slice(&[0, 0, 0, 0, 77, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    forged.extend_from_slice(&((4 + name.len()) as u16).to_ne_bytes());
    forged.extend_from_slice(&3u16.to_ne_bytes());
    forged.extend_from_slice(name);
    let mut other = netlink_sys::Socket::new(netlink_sys::protocols::NETLINK_ROUTE).unwrap();
    other.bind_auto().unwrap();
    sendto(
        other.as_raw_fd(),
        &forged,
        &NetlinkAddr::new(port, 0),
        MsgFlags::empty(),
    )
    .unwrap();
    sb.run_checked(
        "ip",
        [
            "link", "add", "real0", "type", "veth", "peer", "name", "real1",
        ],
    );
    let got: Vec<String> = drain(&mut sub).iter().map(describe).collect();
    assert_eq!(got, ["+link real1", "+link real0"]);
}
