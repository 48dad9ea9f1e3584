//! tun/tap devices against the real kernel, each test in its own sandbox,
//! compared with what `ip` shows.
#![allow(clippy::unwrap_used)]

use netns_core::link::{tuntap_add_current, Dev, TunMode, TunTapSpec};
use netns_core::{ErrorKind, Handle, NetNs};

#[test]
fn create_show_and_delete_like_ip_tuntap() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let tap = tuntap_add_current(
        &TunTapSpec::new("tap0", TunMode::Tap)
            .owner(4242)
            .group(4343),
    )
    .unwrap();
    assert_eq!(tap.name, "tap0");
    assert!(tap.fd.is_none());
    let tun = tuntap_add_current(
        &TunTapSpec::new("tun0", TunMode::Tun)
            .multi_queue(true)
            .vnet_hdr(true)
            .pi(true),
    )
    .unwrap();
    assert_eq!(tun.name, "tun0");
    // The kernel's choice of name when none is given.
    let auto = tuntap_add_current(&TunTapSpec::new("", TunMode::Tun)).unwrap();
    assert_eq!(auto.name, "tun1");

    // (`ip tuntap show` reads sysfs, which shows the host's devices here:
    // the comparison is with `ip -d link show`, read over netlink.)
    // What ip -d link prints, we read from IFLA_LINKINFO.
    let tuntaps = h.tuntaps().unwrap();
    assert_eq!(tuntaps.len(), 3);
    for (link, info) in &tuntaps {
        let details = sb.run_checked("ip", ["-d", "link", "show", "dev", &link.name]);
        let want = format!("tun {info}");
        assert!(details.contains(&want), "{want:?} not in {details}");
    }
    let (_, tap_info) = tuntaps.iter().find(|(l, _)| l.name == "tap0").unwrap();
    assert_eq!(tap_info.mode, Some(TunMode::Tap));
    assert_eq!((tap_info.owner, tap_info.group), (Some(4242), Some(4343)));
    assert!(tap_info.persist && !tap_info.pi && !tap_info.multi_queue);
    let (_, tun_info) = tuntaps.iter().find(|(l, _)| l.name == "tun0").unwrap();
    assert!(tun_info.pi && tun_info.vnet_hdr && tun_info.multi_queue);
    assert_eq!(tun_info.owner, None);

    // An existing name is refused, not attached to.
    let e = tuntap_add_current(&TunTapSpec::new("tap0", TunMode::Tap)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists, "{e}");
    assert!(
        e.to_string().starts_with("cannot add tap device \"tap0\""),
        "{e}"
    );

    // Delete: only tun/tap devices.
    sb.run_checked(
        "ip",
        ["link", "add", "v0", "type", "veth", "peer", "name", "v1"],
    );
    let e = h.tuntap_del(&Dev::from("v0")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(
        e.to_string().contains("not a tun/tap device (kind veth)"),
        "{e}"
    );
    h.tuntap_del(&Dev::from("tap0")).unwrap();
    h.tuntap_del(&Dev::from("tun0")).unwrap();
    let e = h.tuntap_del(&Dev::from("tap0")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    let shown = sb.run_checked("ip", ["-o", "link", "show", "type", "tun"]);
    assert_eq!(shown.lines().count(), 1, "{shown}");
    assert!(shown.contains(": tun1: "), "{shown}");
}

#[test]
fn a_device_is_born_in_the_namespace_asked_for() {
    let sb = netns_testkit::sandbox();
    let ns = NetNs::new_anonymous().unwrap();
    let before = netns_testkit::current_netns_id();
    let tap = ns
        .tuntap_add(&TunTapSpec::new("tap7", TunMode::Tap))
        .unwrap();
    assert_eq!(netns_testkit::current_netns_id(), before);
    assert_eq!(tap.name, "tap7");
    assert!(!sb.link_names().contains(&"tap7".to_owned()));
    let mut there = ns.handle().unwrap();
    assert!(there.link_by_name("tap7").is_ok());
    assert_eq!(there.tuntaps().unwrap().len(), 1);
}

#[test]
fn a_device_that_is_not_persistent_lives_with_its_descriptor() {
    let _sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let tun = tuntap_add_current(
        &TunTapSpec::new("tmp0", TunMode::Tun)
            .persist(false)
            .multi_queue(true),
    )
    .unwrap();
    assert!(tun.fd.is_some());
    let (_, info) = h.tuntaps().unwrap().pop().unwrap();
    assert!(!info.persist);
    assert_eq!(info.num_queues, Some(1));
    drop(tun);
    assert_eq!(
        h.link_by_name("tmp0").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // Bad input is refused before anything is made.
    let e = tuntap_add_current(&TunTapSpec::new("a/b", TunMode::Tap)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    let e = tuntap_add_current(&TunTapSpec::new("x", TunMode::Tap).owner(u32::MAX)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
}
