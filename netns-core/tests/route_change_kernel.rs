//! `ip route change`, `append` and `prepend` (`NLM_F_REPLACE` without
//! `NLM_F_CREATE`, `NLM_F_CREATE | NLM_F_APPEND`, `NLM_F_CREATE` alone),
//! each compared with what `ip` does with the same words on a twin prefix,
//! in its own sandbox (netns-testkit). The cases follow pyroute2's
//! `tests/test_linux/test_ipr/test_route.py` (`test_route_change_existing`,
//! `test_route_change_not_existing_fail`, `test_route_replace_*`).
#![allow(clippy::unwrap_used)]

use netns_core::addr::{AddressSpec, IpNet};
use netns_core::route::RouteSpec;
use netns_core::{Errno, ErrorKind, Handle};

fn net(s: &str) -> IpNet {
    s.parse().unwrap()
}

fn setup(sb: &netns_testkit::Sandbox, h: &mut Handle) {
    sb.run_checked(
        "ip",
        [
            "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
        ],
    );
    sb.run_checked("ip", ["link", "set", "veth0", "up"]);
    sb.run_checked("ip", ["link", "set", "veth1", "up"]);
    h.address_add(&AddressSpec::new("veth0", net("10.1.1.1/24")))
        .unwrap();
}

/// `ip route show PREFIX`'s lines with the prefix blanked, so netns's route
/// (on 10.50/16) and ip's twin (on 10.60/16) compare equal.
fn shown(sb: &netns_testkit::Sandbox, prefix: &str) -> String {
    sb.run_checked("ip", ["route", "show", prefix])
        .replace(prefix.trim_end_matches("/16"), "P")
}

#[test]
fn change_moves_an_existing_route_and_refuses_a_missing_one_as_ip_does() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    setup(&sb, &mut h);
    let gw = |s: &str| s.parse().unwrap();

    let missing = RouteSpec::to(net("10.50.0.0/16")).via(gw("10.1.1.3"));
    let err = h.route_change(&missing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert_eq!(err.errno(), Some(Errno::ENOENT), "{err}");
    let ip = sb.run("ip", ["route", "change", "10.60.0.0/16", "via", "10.1.1.3"]);
    assert!(
        !ip.status.success(),
        "ip route change of a missing route succeeded"
    );

    h.route_add(&RouteSpec::to(net("10.50.0.0/16")).via(gw("10.1.1.2")))
        .unwrap();
    h.route_change(&missing).unwrap();
    sb.run_checked("ip", ["route", "add", "10.60.0.0/16", "via", "10.1.1.2"]);
    sb.run_checked("ip", ["route", "change", "10.60.0.0/16", "via", "10.1.1.3"]);
    let ours = shown(&sb, "10.50.0.0/16");
    assert_eq!(ours, "P/16 via 10.1.1.3 dev veth0 \n");
    assert_eq!(ours, shown(&sb, "10.60.0.0/16"));
}

#[test]
fn append_and_prepend_order_routes_as_ip_does() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    setup(&sb, &mut h);
    let gw = |s: &str| s.parse().unwrap();
    let to = |via: &str| RouteSpec::to(net("10.50.0.0/16")).via(gw(via));

    h.route_add(&to("10.1.1.2")).unwrap();
    h.route_append(&to("10.1.1.3")).unwrap();
    h.route_prepend(&to("10.1.1.4")).unwrap();
    // An identical route is refused by append, as by add.
    let err = h.route_append(&to("10.1.1.3")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");

    for (verb, via) in [
        ("add", "10.1.1.2"),
        ("append", "10.1.1.3"),
        ("prepend", "10.1.1.4"),
    ] {
        sb.run_checked("ip", ["route", verb, "10.60.0.0/16", "via", via]);
    }
    let ours = shown(&sb, "10.50.0.0/16");
    assert_eq!(ours.lines().count(), 3, "{ours}");
    assert!(ours.starts_with("P/16 via 10.1.1.4"), "{ours}");
    assert_eq!(ours, shown(&sb, "10.60.0.0/16"));
}
