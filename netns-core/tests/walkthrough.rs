//! The walk-through of "Namespaces in operation, part 7" (REFERENCE.md
//! section 1), done with the library alone, in a sandbox: a named namespace,
//! ping failing while lo is down, lo up, a veth pair with one end moved
//! inside, addresses, ping both ways, the namespace's routes, a default
//! route, and a refused route with the kernel's own words.
#![allow(clippy::unwrap_used)]

use std::io::Read;
use std::os::fd::OwnedFd;

use netns_core::addr::{AddressFilter, AddressSpec, Family, IpNet};
use netns_core::route::{RouteSpec, RouteTable, PROTO_KERNEL, SCOPE_LINK};
use netns_core::{Errno, ExecOptions, Handle, Registry};

/// Runs `argv` inside `name` (as `netns exec`), capturing stdout and stderr
/// through one pipe; returns (success, output).
fn exec_captured(reg: &Registry, name: &str, argv: &[&str]) -> (bool, String) {
    let (mut reader, writer) = std::io::pipe().unwrap();
    let writer = OwnedFd::from(writer);
    let opts = ExecOptions::new()
        .stdout(writer.try_clone().unwrap())
        .stderr(writer);
    let child = reg.spawn(name, argv, opts).unwrap();
    // Our copies of the write end went into `opts` and were closed after
    // the fork, so reading ends when the child does.
    let mut out = String::new();
    reader.read_to_string(&mut out).unwrap();
    let status = child.wait().unwrap();
    (status.success(), out)
}

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

#[test]
fn walkthrough_of_the_article_with_the_library() {
    let sb = netns_testkit::sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());

    // netns add netns1
    let ns1 = reg.add("netns1").unwrap();
    let mut h1 = ns1.handle().unwrap();

    // netns exec netns1 ip link list: only lo, down.
    let links: Vec<(String, bool)> = h1
        .links()
        .unwrap()
        .map(|l| (l.name().to_string(), l.flags().is_up()))
        .collect();
    assert_eq!(links, vec![("lo".to_string(), false)]);

    // ping 127.0.0.1 while lo is down: "Network is unreachable".
    let (ok, out) = exec_captured(&reg, "netns1", &["ping", "-c1", "-W1", "127.0.0.1"]);
    assert!(!ok, "{out}");
    assert!(out.contains("Network is unreachable"), "{out}");

    // link set dev lo up: it answers.
    h1.link_set_up("lo".into()).unwrap();
    let (ok, out) = exec_captured(&reg, "netns1", &["ping", "-c1", "-W1", "127.0.0.1"]);
    assert!(ok, "{out}");
    assert!(out.contains("1 received"), "{out}");

    // link add veth0 type veth peer name veth1; link set veth1 netns netns1
    let mut h0 = Handle::current().unwrap();
    h0.veth("veth0", "veth1", None).unwrap();
    h0.link_move("veth1".into(), &ns1).unwrap();
    assert!(
        h0.link_index("veth1").is_err(),
        "veth1 left the sandbox's namespace"
    );

    // -n netns1 addr add 10.1.1.1/24 dev veth1; -n netns1 link set veth1 up
    let v1 = h1.link_index("veth1").unwrap().get();
    h1.address_add(&AddressSpec::new("veth1", net("10.1.1.1/24")))
        .unwrap();
    h1.link_set_up("veth1".into()).unwrap();
    // addr add 10.1.1.2/24 dev veth0; link set veth0 up
    h0.address_add(&AddressSpec::new("veth0", net("10.1.1.2/24")))
        .unwrap();
    h0.link_set_up("veth0".into()).unwrap();

    let inside: Vec<IpNet> = h1
        .addresses(AddressFilter::new().dev(dev(v1)).family(Family::Inet))
        .unwrap()
        .filter_map(|a| a.net())
        .collect();
    assert_eq!(inside, vec![net("10.1.1.1/24")]);

    // ping 10.1.1.1; netns exec netns1 ping 10.1.1.2: both answer.
    let out = sb.run("ping", ["-c1", "-W2", "10.1.1.1"]);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (ok, out) = exec_captured(&reg, "netns1", &["ping", "-c1", "-W2", "10.1.1.2"]);
    assert!(ok, "{out}");

    // -n netns1 route: only 10.1.1.0/24 dev veth1 proto kernel scope link src 10.1.1.1.
    let routes: Vec<_> = h1
        .routes(Some(RouteTable::MAIN), Some(Family::Inet))
        .unwrap()
        .map(|r| r.to_owned())
        .collect();
    assert_eq!(routes.len(), 1, "{routes:?}");
    let r = &routes[0];
    assert_eq!(r.destination, Some(net("10.1.1.0/24")));
    assert_eq!(
        (r.oif, r.gateway, r.protocol, r.scope),
        (Some(v1), None, PROTO_KERNEL, SCOPE_LINK)
    );
    assert_eq!(r.prefsrc, Some("10.1.1.1".parse().unwrap()));

    // A gateway nothing reaches: refused, in the kernel's words.
    let e = h1
        .route_add(&RouteSpec::default_route().via("10.9.9.9".parse().unwrap()))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot add route default via 10.9.9.9: Network is unreachable (kernel: Nexthop has invalid gateway)"
    );
    assert_eq!(e.errno(), Some(Errno::ENETUNREACH));

    // -n netns1 route add default via 10.1.1.2
    h1.route_add(&RouteSpec::default_route().via("10.1.1.2".parse().unwrap()))
        .unwrap();
    let default: Vec<_> = h1
        .routes(Some(RouteTable::MAIN), Some(Family::Inet))
        .unwrap()
        .filter(|r| r.is_default())
        .map(|r| (r.gateway(), r.oif()))
        .collect();
    assert_eq!(default, vec![(Some("10.1.1.2".parse().unwrap()), Some(v1))]);
    // What ip sees inside agrees.
    let shown = sb.run_checked("ip", ["-n", "netns1", "route"]);
    assert_eq!(
        shown,
        "default via 10.1.1.2 dev veth1 \n10.1.1.0/24 dev veth1 proto kernel scope link src 10.1.1.1 \n"
    );

    // netns list; netns delete netns1
    assert_eq!(reg.names().unwrap(), vec!["netns1".to_string()]);
    drop(h1);
    drop(ns1);
    reg.delete("netns1").unwrap();
    // veth0 goes away with its peer once the namespace is torn down
    // (asynchronously); remove it now so the sandbox ends clean.
    if h0.link_index("veth0").is_ok() {
        let _ = h0.link_delete("veth0".into());
    }
    sb.assert_clean();
}

/// The device with index `i`.
fn dev(i: u32) -> netns_core::link::Dev {
    netns_core::link::Dev::Index(netns_core::link::IfIndex::new(i).unwrap())
}
