//! Addresses, routes and sysctls against the real kernel, each test in its
//! own sandbox (private mount + network namespace, see netns-testkit).
#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use netns_core::addr::{AddressFilter, AddressSpec, Broadcast, Family, IpNet, IFA_F_NODAD};
use netns_core::route::{RouteSpec, RouteTable, PROTO_KERNEL, PROTO_STATIC, SCOPE_LINK};
use netns_core::{Errno, ErrorKind, Handle, NetNs, Registry};

// --- a per-thread allocation counter, for the zero-copy claims -------------

#[global_allocator]
static GLOBAL: netns_testkit::Counting = netns_testkit::Counting;

use netns_testkit::allocations;

// --- helpers ----------------------------------------------------------------

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// A veth pair veth0/veth1 in the sandbox, both up; returns their indexes.
fn veth_pair(sb: &netns_testkit::Sandbox, h: &mut Handle) -> (u32, u32) {
    sb.run_checked(
        "ip",
        [
            "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
        ],
    );
    sb.run_checked("ip", ["link", "set", "veth0", "up"]);
    sb.run_checked("ip", ["link", "set", "veth1", "up"]);
    (
        h.link_index("veth0").unwrap().get(),
        h.link_index("veth1").unwrap().get(),
    )
}

fn ip_json(sb: &netns_testkit::Sandbox, args: &[&str]) -> String {
    let mut all = vec!["-j"];
    all.extend_from_slice(args);
    sb.run_checked("ip", all)
}

// --- names ------------------------------------------------------------------

#[test]
fn interface_names_resolve_in_the_kernel() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    assert_eq!(h.link_index("lo").unwrap().get(), 1);
    let e = h.link_index("nosuch0").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(e.errno(), Some(Errno::ENODEV));
    // Longer than a link name: looked up as an alternative name.
    assert_eq!(
        h.link_index("x".repeat(16).as_str()).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        h.link_index("x".repeat(128).as_str()).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let (v0, v1) = veth_pair(&sb, &mut h);
    let names = h.interface_names().unwrap();
    assert_eq!(names.get(&v0).map(String::as_str), Some("veth0"));
    assert_eq!(names.get(&v1).map(String::as_str), Some("veth1"));
    assert_eq!(names.get(&1).map(String::as_str), Some("lo"));
}

// --- addresses --------------------------------------------------------------

#[test]
fn addresses_add_list_and_delete_like_ip() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let (v0, v1) = veth_pair(&sb, &mut h);

    h.address_add(&AddressSpec::new(dev(v0), net("10.1.1.2/24")))
        .unwrap();
    h.address_add(&AddressSpec::new(dev(v0), net("10.2.1.1/24")).broadcast(Broadcast::HostBitsSet))
        .unwrap();
    h.address_add(&AddressSpec::new(dev(v0), net("2001:db8::2/64")).flags(IFA_F_NODAD))
        .unwrap();
    h.address_add(&AddressSpec::new(dev(v1), net("10.1.1.3/24")))
        .unwrap();

    // What ip sees is what we added: no brd without `brd +`, as iproute2 6.x.
    let shown = sb.run_checked("ip", ["-4", "-o", "addr", "show", "dev", "veth0"]);
    assert!(
        shown.contains("inet 10.1.1.2/24 scope global veth0"),
        "{shown}"
    );
    assert!(
        shown.contains("inet 10.2.1.1/24 brd 10.2.1.255 scope global veth0"),
        "{shown}"
    );

    // Kernel-side filters: one interface, one family.
    let v4: Vec<_> = h
        .addresses(AddressFilter::new().dev(dev(v0)).family(Family::Inet))
        .unwrap()
        .map(|a| a.to_owned())
        .collect();
    assert_eq!(v4.len(), 2, "{v4:?}");
    assert!(v4
        .iter()
        .all(|a| a.ifindex == v0 && a.family == Some(Family::Inet)));
    assert_eq!(v4[0].net(), Some(net("10.1.1.2/24")));
    assert_eq!(v4[0].broadcast, None);
    assert_eq!(v4[0].label.as_deref(), Some("veth0"));
    assert_eq!(v4[0].scope, 0);
    assert_eq!(v4[1].broadcast, Some(Ipv4Addr::new(10, 2, 1, 255)));
    assert_eq!(
        (v4[1].valid_lifetime, v4[1].preferred_lifetime),
        (u32::MAX, u32::MAX)
    );

    let v6: Vec<IpNet> = h
        .addresses(AddressFilter::new().dev(dev(v0)).family(Family::Inet6))
        .unwrap()
        .filter_map(|a| a.net())
        .collect();
    assert!(v6.contains(&net("2001:db8::2/64")), "{v6:?}");
    assert!(v6.iter().all(|n| n.family() == Family::Inet6));

    let everything = h.addresses(AddressFilter::new()).unwrap().count();
    let json = ip_json(&sb, &["addr", "show"]);
    assert_eq!(everything, json.matches("\"local\"").count(), "{json}");

    // Refusals carry the kernel's words.
    let e = h
        .address_add(&AddressSpec::new(dev(v0), net("10.1.1.2/24")))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert_eq!(
        e.kernel_message(),
        Some("ipv4: Address already assigned"),
        "{e}"
    );
    let e = h
        .address_del(&AddressSpec::new(dev(v0), net("10.3.3.3/24")))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.to_string(), format!("cannot delete address 10.3.3.3/24 dev #{v0}: not found (kernel: ipv4: Address not found)"));
    let e = h.addresses(AddressFilter::new().dev(dev(999))).unwrap_err();
    assert_eq!(e.errno(), Some(Errno::ENODEV), "{e}");

    h.address_del(&AddressSpec::new(dev(v0), net("10.1.1.2/24")))
        .unwrap();
    assert!(!sb
        .run_checked("ip", ["addr", "show", "dev", "veth0"])
        .contains("10.1.1.2/"));
    // Same address on the other link is untouched.
    assert!(sb
        .run_checked("ip", ["addr", "show", "dev", "veth1"])
        .contains("10.1.1.3/24"));
}

#[test]
fn flush_removes_secondaries_and_primaries_in_one_batch() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let (v0, v1) = veth_pair(&sb, &mut h);
    for a in [
        "10.1.1.1/24",
        "10.1.1.2/24",
        "10.1.1.3/24",
        "10.9.0.1/16",
        "2001:db8::1/64",
    ] {
        h.address_add(&AddressSpec::new(dev(v0), net(a))).unwrap();
    }
    h.address_add(&AddressSpec::new(dev(v1), net("10.7.7.7/24")))
        .unwrap();
    // IPv4 only first: the IPv6 addresses stay.
    assert_eq!(h.address_flush(&dev(v0), Some(Family::Inet)).unwrap(), 4);
    assert_eq!(
        h.addresses(AddressFilter::new().dev(dev(v0)).family(Family::Inet))
            .unwrap()
            .count(),
        0
    );
    assert!(
        h.addresses(AddressFilter::new().dev(dev(v0)).family(Family::Inet6))
            .unwrap()
            .count()
            >= 1
    );
    // Then everything (global and link-local IPv6 too, as `ip addr flush dev`).
    assert!(h.address_flush(&dev(v0), None).unwrap() >= 1);
    assert_eq!(
        h.addresses(AddressFilter::new().dev(dev(v0)))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(h.address_flush(&dev(v0), None).unwrap(), 0);
    assert!(sb
        .run_checked("ip", ["addr", "show", "dev", "veth1"])
        .contains("10.7.7.7/24"));
}

#[test]
fn address_dump_iterates_without_allocating() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let (v0, _) = veth_pair(&sb, &mut h);
    let t = Instant::now();
    for i in 0..1000u32 {
        let a = Ipv4Addr::from(0x0a40_0000 + i);
        h.address_add(&AddressSpec::new(
            dev(v0),
            IpNet::new(IpAddr::V4(a), 16).unwrap(),
        ))
        .unwrap();
    }
    let added = t.elapsed();
    // Warm the buffers, then count.
    let _ = h
        .addresses(AddressFilter::new().dev(dev(v0)).family(Family::Inet))
        .unwrap()
        .count();
    let t = Instant::now();
    let dump = h
        .addresses(AddressFilter::new().dev(dev(v0)).family(Family::Inet))
        .unwrap();
    let dumped = t.elapsed();
    let before = allocations();
    let mut n = 0;
    let mut sum = 0u64;
    for a in dump {
        n += 1;
        if let Some(IpAddr::V4(ip)) = a.ip() {
            sum += u64::from(u32::from(ip));
        }
        sum += u64::from(a.prefix_len())
            + u64::from(a.flags())
            + u64::from(a.label().map_or(0, str::len) as u32);
    }
    let during = allocations() - before;
    assert_eq!(n, 1000);
    assert!(sum > 0);
    assert_eq!(during, 0, "allocations while iterating 1,000 addresses");
    eprintln!("1,000 address adds: {added:?}; filtered dump of 1,000: {dumped:?}; allocations while iterating: {during}");
    let t = Instant::now();
    assert_eq!(h.address_flush(&dev(v0), Some(Family::Inet)).unwrap(), 1000);
    eprintln!("flush of 1,000 addresses (one batch): {:?}", t.elapsed());
}

// --- routes -----------------------------------------------------------------

#[test]
fn routes_add_replace_delete_in_main_and_other_tables() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let (v0, _) = veth_pair(&sb, &mut h);
    h.address_add(&AddressSpec::new(dev(v0), net("10.1.1.1/24")))
        .unwrap();

    // The kernel's prefix route, read in place.
    let main: Vec<_> = h
        .routes(Some(RouteTable::MAIN), Some(Family::Inet))
        .unwrap()
        .map(|r| r.to_owned())
        .collect();
    assert_eq!(main.len(), 1, "{main:?}");
    assert_eq!(main[0].destination, Some(net("10.1.1.0/24")));
    assert_eq!(
        (main[0].oif, main[0].protocol, main[0].scope),
        (Some(v0), PROTO_KERNEL, SCOPE_LINK)
    );
    assert_eq!(main[0].prefsrc, Some(ip("10.1.1.1")));
    assert_eq!(main[0].table, 254);

    h.route_add(&RouteSpec::default_route().via(ip("10.1.1.254")))
        .unwrap();
    // By name: the handle looks the device up; a missing one is a lookup
    // failure named as the caller named it, before anything is sent.
    h.route_add(&RouteSpec::to(net("10.6.0.0/16")).dev("veth0"))
        .unwrap();
    let e = h
        .route_add(&RouteSpec::to(net("10.9.0.0/16")).dev("nosuch0"))
        .unwrap_err();
    assert!(e.is_lookup(), "{e}");
    assert_eq!(e.to_string(), "cannot find device \"nosuch0\": not found");
    h.route_add(
        &RouteSpec::to(net("10.5.0.0/16"))
            .via(ip("10.1.1.5"))
            .metric(100),
    )
    .unwrap();
    let table100 = RouteTable::new(100).unwrap();
    h.route_add(
        &RouteSpec::to(net("10.7.0.0/16"))
            .dev(dev(v0))
            .table(table100)
            .protocol(PROTO_STATIC)
            .metric(5),
    )
    .unwrap();
    let big = RouteTable::new(100_000).unwrap();
    h.route_add(&RouteSpec::to(net("10.8.0.0/16")).dev(dev(v0)).table(big))
        .unwrap();

    assert_eq!(
        sb.run_checked("ip", ["route"]),
        "default via 10.1.1.254 dev veth0 \n\
         10.1.1.0/24 dev veth0 proto kernel scope link src 10.1.1.1 \n\
         10.5.0.0/16 via 10.1.1.5 dev veth0 metric 100 \n\
         10.6.0.0/16 dev veth0 scope link \n"
    );
    assert_eq!(
        sb.run_checked("ip", ["route", "show", "table", "100"]),
        "10.7.0.0/16 dev veth0 proto static scope link metric 5 \n"
    );
    assert_eq!(
        sb.run_checked("ip", ["route", "show", "table", "100000"]),
        "10.8.0.0/16 dev veth0 scope link \n"
    );

    // Kernel-side table filters, small and large ids.
    let t100: Vec<_> = h
        .routes(Some(table100), None)
        .unwrap()
        .map(|r| r.to_owned())
        .collect();
    assert_eq!(t100.len(), 1);
    assert_eq!(
        (t100[0].table, t100[0].metric, t100[0].protocol),
        (100, Some(5), PROTO_STATIC)
    );
    let tbig: Vec<_> = h
        .routes(Some(big), Some(Family::Inet))
        .unwrap()
        .map(|r| r.to_owned())
        .collect();
    assert_eq!(tbig.len(), 1);
    assert_eq!(tbig[0].table, 100_000);
    assert_eq!(tbig[0].destination, Some(net("10.8.0.0/16")));
    // Main holds exactly what ip shows; every table includes local ones.
    assert_eq!(
        h.routes(Some(RouteTable::MAIN), Some(Family::Inet))
            .unwrap()
            .count(),
        4
    );
    let all: Vec<_> = h
        .routes(None, Some(Family::Inet))
        .unwrap()
        .map(|r| r.table())
        .collect();
    assert!(
        all.contains(&255) && all.contains(&100) && all.contains(&100_000),
        "{all:?}"
    );
    let default = h
        .routes(Some(RouteTable::MAIN), Some(Family::Inet))
        .unwrap()
        .find(|r| r.is_default())
        .map(|r| r.to_owned());
    assert_eq!(default.and_then(|r| r.gateway), Some(ip("10.1.1.254")));

    // Replace: same destination, new gateway.
    h.route_replace(&RouteSpec::default_route().via(ip("10.1.1.253")))
        .unwrap();
    assert!(sb
        .run_checked("ip", ["route", "show", "default"])
        .starts_with("default via 10.1.1.253 dev veth0"));
    let e = h
        .route_add(&RouteSpec::default_route().via(ip("10.1.1.252")))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");

    // Delete.
    h.route_del(&RouteSpec::default_route()).unwrap();
    h.route_del(&RouteSpec::to(net("10.7.0.0/16")).table(table100))
        .unwrap();
    assert_eq!(sb.run_checked("ip", ["route", "show", "table", "100"]), "");
    let e = h
        .route_del(&RouteSpec::to(net("10.99.0.0/16")))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.errno()),
        (ErrorKind::NotFound, Some(Errno::ESRCH)),
        "{e}"
    );
}

#[test]
fn route_refusals_carry_the_kernels_text() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let (v0, _) = veth_pair(&sb, &mut h);
    h.address_add(&AddressSpec::new(dev(v0), net("10.1.1.1/24")))
        .unwrap();

    let e = h
        .route_add(&RouteSpec::default_route().via(ip("10.9.9.9")))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot add route default via 10.9.9.9: Network is unreachable (kernel: Nexthop has invalid gateway)"
    );
    assert_eq!(e.errno(), Some(Errno::ENETUNREACH));

    let e = h
        .route_add(&RouteSpec::to(net("10.6.1.0/16")).dev(dev(v0)))
        .unwrap_err();
    assert_eq!(
        e.kernel_message(),
        Some("Invalid prefix for given prefix length"),
        "{e}"
    );
    assert_eq!(e.errno(), Some(Errno::EINVAL));

    let e = h
        .routes(RouteTable::new(123), Some(Family::Inet))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot list routes of table 123: not found (kernel: ipv4: FIB table does not exist)"
    );
    // Both families: no table is not an error, just nothing.
    assert_eq!(h.routes(RouteTable::new(123), None).unwrap().count(), 0);
}

#[test]
fn ipv6_routes_and_default_via_ipv6_gateway() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let (v0, _) = veth_pair(&sb, &mut h);
    h.address_add(&AddressSpec::new(dev(v0), net("2001:db8:1::1/64")).flags(IFA_F_NODAD))
        .unwrap();
    h.route_add(
        &RouteSpec::default_route()
            .via(ip("2001:db8:1::fe"))
            .dev(dev(v0)),
    )
    .unwrap();
    h.route_add(&RouteSpec::to(net("2001:db8:7::/48")).dev(dev(v0)).metric(7))
        .unwrap();
    let v6: Vec<_> = h
        .routes(Some(RouteTable::MAIN), Some(Family::Inet6))
        .unwrap()
        .map(|r| r.to_owned())
        .collect();
    assert!(
        v6.iter()
            .any(|r| r.destination.is_none() && r.gateway == Some(ip("2001:db8:1::fe"))),
        "{v6:?}"
    );
    assert!(v6
        .iter()
        .any(|r| r.destination == Some(net("2001:db8:7::/48")) && r.metric == Some(7)));
    assert!(v6
        .iter()
        .all(|r| r.family == Some(Family::Inet6) && r.table == 254));
    let shown = sb.run_checked("ip", ["-6", "route", "show", "default"]);
    assert!(
        shown.starts_with("default via 2001:db8:1::fe dev veth0 metric 1024"),
        "{shown}"
    );
    h.route_del(&RouteSpec::default_route().family(Family::Inet6))
        .unwrap();
}

// --- sysctl -----------------------------------------------------------------

#[test]
fn sysctl_reads_and_writes_follow_the_namespace_of_the_thread() {
    let sb = netns_testkit::sandbox();
    // A new namespace copies IPv4 forwarding and rp_filter from the host's
    // (net.core.devconf_inherit_init_net; a Docker host forwards): the
    // sandbox's own values are set here, not assumed.
    netns_core::sysctl::set("net.ipv4.ip_forward", "0").unwrap();
    netns_core::sysctl::set("net.ipv4.conf.default.rp_filter", "0").unwrap();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let ns = reg.add("s1").unwrap();

    // s1 starts with whatever the host has; off, then on, seen from s1 only.
    ns.sysctl_set("net.ipv4.ip_forward", "0").unwrap();
    assert_eq!(ns.sysctl_get("net.ipv4.ip_forward").unwrap(), "0");
    ns.sysctl_set("net.ipv4.ip_forward", "1").unwrap();
    ns.sysctl_set("net.ipv6.conf.all.forwarding", "1").unwrap();
    // Seen from inside s1 (plain /proc/sys on the thread that entered it)
    // and from ip inside s1; the sandbox's own value did not move.
    assert_eq!(ns.sysctl_get("net.ipv4.ip_forward").unwrap(), "1");
    assert_eq!(ns.sysctl_get("net.ipv6.conf.all.forwarding").unwrap(), "1");
    let inside = sb.run_checked(
        "ip",
        [
            "netns",
            "exec",
            "s1",
            "cat",
            "/proc/sys/net/ipv4/ip_forward",
        ],
    );
    assert_eq!(inside, "1\n");
    assert_eq!(netns_core::sysctl::get("net.ipv4.ip_forward").unwrap(), "0");
    assert_eq!(
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").unwrap(),
        "0\n"
    );

    // Per-interface keys exist only where the interface is.
    sb.run_checked(
        "ip",
        [
            "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", "s1",
        ],
    );
    ns.sysctl_set("net.ipv4.conf.veth1.rp_filter", "2").unwrap();
    assert_eq!(ns.sysctl_get("net/ipv4/conf/veth1/rp_filter").unwrap(), "2");
    let e = netns_core::sysctl::get("net.ipv4.conf.veth1.rp_filter").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    assert_eq!(
        netns_core::sysctl::get("net.ipv4.conf.veth0.rp_filter").unwrap(),
        "0"
    );

    // Bad keys and values.
    assert_eq!(
        ns.sysctl_get("kernel.hostname").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        ns.sysctl_get("net.ipv4.../x").unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let e = ns.sysctl_set("net.ipv4.ip_forward", "banana").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");

    drop(ns);
    reg.delete("s1").unwrap();
    sb.assert_clean();
}

#[test]
fn sysctl_on_an_anonymous_namespace() {
    let _sb = netns_testkit::sandbox();
    // Set, not assumed: a new namespace copies forwarding from the host's.
    netns_core::sysctl::set("net.ipv4.ip_forward", "0").unwrap();
    let ns = NetNs::new_anonymous().unwrap();
    ns.sysctl_set("net.ipv4.conf.all.forwarding", "0").unwrap();
    assert_eq!(ns.sysctl_get("net.ipv4.ip_forward").unwrap(), "0");
    ns.sysctl_set("net.ipv4.conf.all.forwarding", "1").unwrap();
    assert_eq!(ns.sysctl_get("net.ipv4.ip_forward").unwrap(), "1");
    assert_eq!(netns_core::sysctl::get("net.ipv4.ip_forward").unwrap(), "0");
}

/// The device with index `i`.
fn dev(i: u32) -> netns_core::link::Dev {
    netns_core::link::Dev::Index(netns_core::link::IfIndex::new(i).unwrap())
}
