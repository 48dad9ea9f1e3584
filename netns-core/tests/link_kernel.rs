//! Links against the real kernel, each test in its own sandbox (a private
//! mount + network namespace for the test thread), compared with `ip`.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use netns_core::link::{
    CreatedLink, IfIndex, LinkChange, LinkId, LinkKind, LinkRequest, LinkSpec, MacAddr,
    MacVlanMode, VethPeer, VxlanOptions,
};
use netns_core::{ErrorKind, ExecOptions, Handle, NetNs, Registry};

fn registry(sb: &netns_testkit::Sandbox) -> Registry {
    Registry::new(sb.run_dir(), sb.etc_dir())
}

/// `ip -o link show dev NAME` fields: (index, name, flags, mtu, address).
fn ip_link(
    sb: &netns_testkit::Sandbox,
    args: &[&str],
) -> Vec<(u32, String, Vec<String>, u32, String)> {
    let mut full = vec!["-o"];
    if args.first() == Some(&"-n") {
        full.extend_from_slice(&args[..2]);
    }
    full.extend_from_slice(&["link", "show"]);
    full.extend(
        args.iter()
            .skip(if args.first() == Some(&"-n") { 2 } else { 0 }),
    );
    sb.run_checked("ip", &full)
        .lines()
        .map(|line| {
            let mut parts = line.splitn(3, ": ");
            let index = parts.next().unwrap().parse().unwrap();
            let name = parts.next().unwrap().split('@').next().unwrap().to_string();
            let rest = parts.next().unwrap();
            let flags = rest[1..rest.find('>').unwrap()]
                .split(',')
                // ip's own additions, not kernel flags.
                .filter(|f| !f.is_empty() && *f != "M-DOWN" && *f != "NO-CARRIER")
                .map(str::to_string)
                .collect();
            let words: Vec<&str> = rest.split_whitespace().collect();
            let after = |key: &str| {
                words
                    .iter()
                    .position(|w| *w == key || w.starts_with(key))
                    .map(|i| words[i + 1].to_string())
                    .unwrap_or_default()
            };
            (
                index,
                name,
                flags,
                after("mtu").parse().unwrap(),
                after("link/"),
            )
        })
        .collect()
}

fn mac_text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn veth_peer_is_born_in_the_target_namespace() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let ns = reg.add("n1").unwrap();
    let mut h = Handle::current().unwrap();
    let mac: MacAddr = "02:00:00:00:00:02".parse().unwrap();
    h.link_add(
        &LinkSpec::veth(
            "v0",
            VethPeer::named("v1")
                .netns(ns.try_clone().unwrap())
                .mac(mac)
                .mtu(1400),
        )
        .mtu(1450)
        .up(true),
    )
    .unwrap();

    // Here: v0 only, up, its peer in another namespace.
    assert_eq!(sb.link_names(), ["lo", "v0"]);
    let v0 = h.link_by_name("v0").unwrap();
    assert!(v0.flags.is_up());
    assert_eq!(v0.mtu, Some(1450));
    assert_eq!(v0.kind.as_deref(), Some("veth"));
    let nsid = v0.link_netnsid.expect("the peer's namespace is reported");
    assert_eq!(
        h.link_by_name("v1").unwrap_err().kind(),
        ErrorKind::NotFound
    );

    // There: v1, with the address and MTU it was born with.
    let mut inside = ns.handle().unwrap();
    let v1 = inside.link_by_name("v1").unwrap();
    assert_eq!(v1.address.as_deref(), Some(&mac.0[..]));
    assert_eq!(v1.mtu, Some(1400));
    assert_eq!(v1.link, Some(v0.index));
    assert!(v1.link_netnsid.is_some());
    assert_eq!(v0.link, Some(v1.index));
    let seen = ip_link(&sb, &["-n", "n1", "dev", "v1"]);
    assert_eq!(seen[0].1, "v1");
    assert_eq!(seen[0].4, "02:00:00:00:00:02");
    let ip_text = sb.run_checked("ip", ["link", "show", "dev", "v0"]);
    assert!(ip_text.contains("link-netns n1"), "{ip_text}");
    let _ = nsid;

    h.link_delete("v0".into()).unwrap();
    assert_eq!(
        inside.link_by_name("v1").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    drop(inside);
    drop(ns);
    reg.delete("n1").unwrap();
    sb.assert_clean();
}

#[test]
fn bridge_master_and_nomaster() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.bridge("br0").unwrap();
    h.veth("v0", "v1", None).unwrap();
    let br = h.link_index("br0").unwrap();
    h.link_set(&LinkChange::new("v0".into()).master(br).up())
        .unwrap();
    let v0 = h.link_by_name("v0").unwrap();
    assert_eq!(v0.master, Some(br));
    assert_eq!(v0.port_kind.as_deref(), Some("bridge"));
    assert!(sb
        .run_checked("ip", ["link", "show", "dev", "v0"])
        .contains("master br0"));
    h.link_set(&LinkChange::new("v0".into()).nomaster())
        .unwrap();
    assert_eq!(h.link_by_name("v0").unwrap().master, None);
    assert!(!sb
        .run_checked("ip", ["link", "show", "dev", "v0"])
        .contains("master"));
    h.link_delete("br0".into()).unwrap();
    h.link_delete("v1".into()).unwrap();
    assert_eq!(sb.link_names(), ["lo"]);
}

#[test]
fn set_up_down_mtu_name_and_address() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.veth("a0", "a1", None).unwrap();

    // ip link set dev a0 up mtu 1400 name b0 address 02:…: one RTM_SETLINK.
    let mac: MacAddr = "02:aa:bb:cc:dd:ee".parse().unwrap();
    h.link_set(
        &LinkChange::new("a0".into())
            .up()
            .mtu(1400)
            .name("b0")
            .mac(mac),
    )
    .unwrap();
    let b0 = h.link_by_name("b0").unwrap();
    assert!(b0.flags.is_up());
    assert_eq!(b0.mtu, Some(1400));
    assert_eq!(b0.address.as_deref(), Some(&mac.0[..]));
    let ip = ip_link(&sb, &["dev", "b0"]);
    assert!(ip[0].2.contains(&"UP".to_string()), "{ip:?}");
    assert_eq!(ip[0].3, 1400);
    assert_eq!(ip[0].4, "02:aa:bb:cc:dd:ee");

    // One by one, by index.
    let id = LinkId::Index(b0.index);
    h.link_set_down(id).unwrap();
    assert!(!h.link_by_index(b0.index).unwrap().flags.is_up());
    h.link_set(&LinkChange::new(id).mtu(9000)).unwrap();
    h.link_set(&LinkChange::new(id).name("c0")).unwrap();
    let c0 = h.link_by_index(b0.index).unwrap();
    assert_eq!((c0.name.as_str(), c0.mtu), ("c0", Some(9000)));
    h.link_set_up("c0".into()).unwrap();
    h.link_set_up("a1".into()).unwrap();
    let c0 = h.link("c0".into()).unwrap();
    assert!(c0.flags().is_up() && c0.flags().is_lower_up(), "{c0:?}");

    // The kernel's own words come through.
    let e = h
        .link_set(&LinkChange::new("c0".into()).mtu(100_000))
        .unwrap_err();
    assert_eq!(e.kernel_message(), Some("mtu greater than device maximum"));
    assert_eq!(
        e.to_string(),
        "cannot set link \"c0\": Invalid argument (kernel: mtu greater than device maximum)"
    );
    // By name, renamed while up (the old name is resolved to an index first).
    h.link_set(&LinkChange::new("c0".into()).name("d0"))
        .unwrap();
    assert_eq!(h.link_by_index(b0.index).unwrap().name, "d0");

    h.link_delete(LinkId::Index(b0.index)).unwrap();
    assert_eq!(sb.link_names(), ["lo"]);
}

#[test]
fn move_by_namespace_and_by_pid() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let ns = reg.add("n1").unwrap();
    let mut h = Handle::current().unwrap();
    h.veth("m0", "m1", None).unwrap();
    h.veth("p0", "p1", None).unwrap();

    h.link_move("m1".into(), &ns).unwrap();
    assert!(h.link_by_name("m1").is_err());
    assert_eq!(ns.handle().unwrap().link_by_name("m1").unwrap().name, "m1");
    assert!(h.link_by_name("m0").unwrap().link_netnsid.is_some());

    let child = reg
        .spawn("n1", &["sleep", "30"], ExecOptions::new())
        .unwrap();
    let pid = u32::try_from(child.pid()).unwrap();
    h.link_move_to_pid("p1".into(), pid).unwrap();
    let names: Vec<String> = ip_link(&sb, &["-n", "n1"])
        .into_iter()
        .map(|l| l.1)
        .collect();
    assert_eq!(names, ["lo", "m1", "p1"]);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.pid()),
        nix::sys::signal::SIGKILL,
    )
    .unwrap();
    child.wait().unwrap();

    // lo cannot leave its namespace: the kernel says so.
    let e = h.link_move("lo".into(), &ns).unwrap_err();
    assert!(e.kernel_message().is_some(), "{e}");
    assert_eq!(
        h.link_move_to_pid("m0".into(), 0).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );

    h.link_delete("m0".into()).unwrap();
    h.link_delete("p0".into()).unwrap();
    drop(ns);
    reg.delete("n1").unwrap();
    assert_eq!(sb.link_names(), ["lo"]);
    sb.assert_clean();
}

#[test]
fn lookups_by_name_and_index_agree_with_ip() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.veth("x0", "x1", None).unwrap();
    h.link_add(&LinkSpec::ifb("ifb0")).unwrap();
    let listed: Vec<_> = h.links().unwrap().map(|l| l.to_owned()).collect();
    let ip = ip_link(&sb, &[]);
    assert_eq!(listed.len(), ip.len());
    for (ours, theirs) in listed.iter().zip(&ip) {
        assert_eq!(ours.index.get(), theirs.0);
        assert_eq!(ours.name, theirs.1);
        assert_eq!(ours.mtu, Some(theirs.3));
        assert_eq!(mac_text(ours.address.as_deref().unwrap()), theirs.4);
        let (names, _) = ours.flags.names();
        let names: Vec<&str> = names.collect();
        let theirs_flags: Vec<&str> = theirs.2.iter().map(String::as_str).collect();
        assert_eq!(names, theirs_flags);
        assert_eq!(h.link_by_index(ours.index).unwrap(), *ours);
        assert_eq!(h.link_by_name(&ours.name).unwrap(), *ours);
    }
    assert_eq!(listed[3].kind.as_deref(), Some("ifb"));
    let e = h.link_by_name("nope").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(
        h.link_by_index(IfIndex::new(999).unwrap())
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    h.link_delete("x0".into()).unwrap();
    h.link_delete("ifb0".into()).unwrap();
}

#[test]
fn macvlan_and_vxlan() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.veth("u0", "u1", None).unwrap();
    let parent = h.link_index("u0").unwrap();
    h.link_add(&LinkSpec::macvlan("mv0", parent, MacVlanMode::Bridge))
        .unwrap();
    let mut opts = VxlanOptions::default();
    opts.port = Some(4789);
    opts.parent = Some(parent);
    h.link_add(&LinkSpec::vxlan("vx0", 42, opts)).unwrap();
    let mv0 = h.link_by_name("mv0").unwrap();
    assert_eq!(
        (mv0.kind.as_deref(), mv0.link),
        (Some("macvlan"), Some(parent))
    );
    let details = sb.run_checked("ip", ["-d", "link", "show", "dev", "vx0"]);
    assert!(details.contains("vxlan id 42"), "{details}");
    assert!(details.contains("dstport 4789"), "{details}");
    assert!(sb
        .run_checked("ip", ["-d", "link", "show", "dev", "mv0"])
        .contains("macvlan mode bridge"));
    let e = h
        .link_add(&LinkSpec::vxlan("vx1", 1 << 24, VxlanOptions::default()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    h.link_delete("vx0".into()).unwrap();
    h.link_delete("u0".into()).unwrap();
    assert_eq!(sb.link_names(), ["lo"]);
}

#[test]
fn missing_drivers_fail_with_the_kernels_words() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let e = h.link_add(&LinkSpec::dummy("d0")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    assert_eq!(e.errno(), Some(nix::errno::Errno::EOPNOTSUPP));
    assert_eq!(e.kernel_message(), Some("Unknown device type"));
    assert_eq!(
        e.to_string(),
        "cannot add link \"d0\" (dummy): not supported (kernel: Unknown device type)"
    );
    for kind in ["vlan", "bond", "vrf", "wireguard"] {
        let e = h
            .link_add(&LinkSpec::new("z0", LinkKind::Other(kind.to_string())))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Unsupported, "{kind}: {e}");
        assert_eq!(e.kernel_message(), Some("Unknown device type"), "{kind}");
    }
    // A duplicate name is the kernel's EEXIST.
    h.bridge("br0").unwrap();
    assert_eq!(
        h.bridge("br0").unwrap_err().kind(),
        ErrorKind::AlreadyExists
    );
    h.link_delete("br0".into()).unwrap();
    assert_eq!(sb.link_names(), ["lo"]);
}

#[test]
fn bad_names_are_refused_before_the_kernel() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    for bad in ["", ".", "..", "a/b", "a b", "x\ty", "sixteen-bytes-xx"] {
        let e = h.bridge(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        assert_eq!(e.errno(), None, "{bad:?} reached the kernel: {e}");
        let e = h.veth("ok0", bad, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{bad:?}");
    }
    let e = h
        .link_set(&LinkChange::new("lo".into()).name("a/b"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(sb.link_names(), ["lo"]);
}

#[test]
fn a_thousand_links_in_one_dump() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let names: Vec<(String, String)> = (0..500)
        .map(|i| (format!("va{i}"), format!("vb{i}")))
        .collect();
    let adds: Vec<LinkSpec> = names.iter().map(|(a, b)| LinkSpec::veth(a, b)).collect();
    let start = Instant::now();
    h.links_add(&adds).unwrap();
    let created = start.elapsed();

    let start = Instant::now();
    let links = h.links().unwrap();
    let count = links.len();
    let mut up = 0;
    for l in links {
        up += usize::from(l.flags().is_up());
    }
    let dumped = start.elapsed();
    assert_eq!(count, 1001);
    assert_eq!(up, 0);
    eprintln!(
        "500 veth pairs created in {created:?} (batched); 1,001-link dump read in {dumped:?}"
    );

    let start = Instant::now();
    for (a, _) in names.iter().step_by(50) {
        h.link_index(a).unwrap();
    }
    eprintln!(
        "10 lookups by name among 1,001 links: {:?}",
        start.elapsed()
    );

    // A batch stops at the first failure and says which.
    let again = [LinkSpec::bridge("newbr"), LinkSpec::veth("va7", "other")];
    let e = h.links_add(&again).unwrap_err();
    assert_eq!((e.index, e.error.kind()), (1, ErrorKind::AlreadyExists));
    h.link_delete("newbr".into()).unwrap();

    let dels: Vec<String> = names.iter().map(|(a, _)| a.clone()).collect();
    for a in &dels {
        h.link_delete(a.as_str().into()).unwrap();
    }
    assert_eq!(h.links().unwrap().count(), 1);
    drop(sb);
}

#[test]
fn handle_in_another_namespace_sees_only_its_links() {
    let sb = netns_testkit::sandbox();
    let ns = NetNs::new_anonymous().unwrap();
    let mut there = ns.handle().unwrap();
    there.link_set_up("lo".into()).unwrap();
    there.bridge("brx").unwrap();
    let names: Vec<String> = there
        .links()
        .unwrap()
        .map(|l| l.name().to_string())
        .collect();
    assert_eq!(names, ["lo", "brx"]);
    assert_eq!(sb.link_names(), ["lo"]);
}

#[test]
fn links_batch_mixes_changes_and_creations_and_keeps_indexes_up_to_a_failure() {
    let sb = netns_testkit::sandbox();
    let root = NetNs::current().unwrap();
    let (_pod, mut inside) = NetNs::new_anonymous_with_handle().unwrap();
    let mut created = Vec::new();
    inside
        .links_apply(
            &[
                LinkRequest::SetUp("lo".into(), true),
                LinkRequest::Add(LinkSpec::veth("eth0", "hv1").peer_netns(root).up(true)),
            ],
            &mut created,
        )
        .unwrap();
    assert_eq!(created[0], CreatedLink::default());
    assert_eq!(created[1].index, Some(inside.link_index("eth0").unwrap()));
    let mut host = Handle::current().unwrap();
    assert_eq!(created[1].peer, Some(host.link_index("hv1").unwrap()));
    assert!(inside.link("lo".into()).unwrap().flags().is_up());
    // The second entry fails: the first's index is kept, the error says which.
    let mut out = Vec::new();
    let e = inside
        .links_apply(
            &[
                LinkRequest::Add(LinkSpec::bridge("br7")),
                LinkRequest::SetUp("nosuch".into(), true),
            ],
            &mut out,
        )
        .unwrap_err();
    assert_eq!((e.index, e.error.kind()), (1, ErrorKind::NotFound));
    assert_eq!(out[0].index, Some(inside.link_index("br7").unwrap()));
    assert_eq!(out[1], CreatedLink::default());
    drop(sb);
}

#[test]
fn links_add_indexed_gives_each_link_and_peer_index_from_the_echo() {
    let sb = netns_testkit::sandbox();
    let root = NetNs::current().unwrap();
    let (_pod, mut inside) = NetNs::new_anonymous_with_handle().unwrap();
    let adds = [
        LinkSpec::veth("eth0", "hv0")
            .peer_netns(root.try_clone().unwrap())
            .up(true),
        LinkSpec::bridge("br9"),
        LinkSpec::veth("in1", "in2"),
    ];
    let created = inside.links_add(&adds).unwrap();
    assert_eq!(created.len(), 3);
    let index_in = |h: &mut Handle, name: &str| Some(h.link_index(name).unwrap());
    assert_eq!(created[0].index, index_in(&mut inside, "eth0"));
    assert_eq!(created[1].index, index_in(&mut inside, "br9"));
    assert_eq!(created[1].peer, None);
    assert_eq!(created[2].index, index_in(&mut inside, "in1"));
    assert_eq!(created[2].peer, index_in(&mut inside, "in2"));
    let mut host = Handle::current().unwrap();
    assert_eq!(created[0].peer, index_in(&mut host, "hv0"));
    // A batch stops at the first failure and says which.
    let e = inside
        .links_add(&[LinkSpec::bridge("br8"), LinkSpec::bridge("br9")])
        .unwrap_err();
    assert_eq!((e.index, e.error.kind()), (1, ErrorKind::AlreadyExists));
    drop(sb);
}
