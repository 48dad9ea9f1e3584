//! Nexthop objects against the real kernel, each test in its own sandbox,
//! compared with what `ip nexthop` (iproute2 6.1) shows. The cases follow
//! the kernel's selftest `tools/testing/selftests/net/fib_nexthops.sh`
//! (`ipv4_fcnal`, `ipv4_grp_fcnal`, `ipv4_res_torture` …): a gateway with
//! its device, groups and weights, a group member that does not exist,
//! deleting a member shrinks the group and the last one takes the group
//! with it, a route using a nexthop id, blackholes needing `lo` up.
#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use netns_core::addr::Family;
use netns_core::nexthop::{
    GroupMember, GroupType, NexthopFilter, NexthopSpec, Resilient, MAX_TIMER_SECONDS,
};
use netns_core::route::RouteSpec;
use netns_core::{Errno, ErrorKind, Handle};

#[global_allocator]
static GLOBAL: netns_testkit::Counting = netns_testkit::Counting;

use netns_testkit::allocations;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// lo and veth0/veth1 up, 10.0.0.2/24 and 2001:db8::2/64 on veth0.
fn setup(sb: &netns_testkit::Sandbox) -> Handle {
    for args in [
        &["link", "set", "lo", "up"][..],
        &[
            "link", "add", "veth0", "type", "veth", "peer", "name", "veth1",
        ],
        &["link", "set", "veth0", "up"],
        &["link", "set", "veth1", "up"],
        &["addr", "add", "10.0.0.2/24", "dev", "veth0"],
        &[
            "-6",
            "addr",
            "add",
            "2001:db8::2/64",
            "dev",
            "veth0",
            "nodad",
        ],
    ] {
        sb.run_checked("ip", args);
    }
    Handle::current().unwrap()
}

/// `ip nexthop ARGS…`'s lines, without ip's trailing spaces.
fn ip_nexthop(sb: &netns_testkit::Sandbox, args: &[&str]) -> Vec<String> {
    let mut all = vec!["nexthop"];
    all.extend_from_slice(args);
    sb.run_checked("ip", all)
        .lines()
        .map(|l| l.trim_end().to_owned())
        .collect()
}

/// Our lines for `filter`, names resolved as ip does.
fn ours(h: &mut Handle, filter: &NexthopFilter) -> Vec<String> {
    let names = h.interface_names().unwrap();
    h.nexthops(filter)
        .unwrap()
        .map(|n| {
            let dev = n.oif().and_then(|i| names.get(&i)).map(String::as_str);
            n.display(dev).to_string()
        })
        .collect()
}

fn add_the_usual(h: &mut Handle) {
    h.nexthop_add(&NexthopSpec::new(1).via(ip("10.0.0.1")).dev("veth0"))
        .unwrap();
    h.nexthop_add(
        &NexthopSpec::new(2)
            .via(ip("10.0.0.3"))
            .dev("veth0")
            .onlink(true),
    )
    .unwrap();
    h.nexthop_add(&NexthopSpec::new(3).group([GroupMember::new(1), GroupMember::new(2)]))
        .unwrap();
    h.nexthop_add(&NexthopSpec::new(4).blackhole()).unwrap();
    h.nexthop_add(
        &NexthopSpec::new(5).group([GroupMember::weighted(1, 10), GroupMember::weighted(2, 20)]),
    )
    .unwrap();
    h.nexthop_add(&NexthopSpec::new(6).dev("veth0")).unwrap();
    h.nexthop_add(&NexthopSpec::new(7).via(ip("2001:db8::1")).dev("veth0"))
        .unwrap();
    h.nexthop_add(
        &NexthopSpec::new(8)
            .group([GroupMember::new(1), GroupMember::new(2)])
            .resilient(Resilient {
                buckets: Some(8),
                idle_timer: Some(120),
                unbalanced_timer: None,
            }),
    )
    .unwrap();
    h.nexthop_add(
        &NexthopSpec::new(9)
            .via(ip("10.0.0.9"))
            .dev("veth0")
            .protocol(4),
    )
    .unwrap();
}

#[test]
fn added_nexthops_read_back_as_ip_shows_them() {
    let sb = netns_testkit::sandbox();
    let mut h = setup(&sb);
    add_the_usual(&mut h);

    let theirs = ip_nexthop(&sb, &["show"]);
    assert_eq!(ours(&mut h, &NexthopFilter::new()), theirs);
    // The lines themselves (iproute2 6.1 on this kernel).
    assert_eq!(
        theirs,
        [
            "id 1 via 10.0.0.1 dev veth0 scope link",
            "id 2 via 10.0.0.3 dev veth0 scope link onlink",
            "id 3 group 1/2",
            "id 4 blackhole",
            "id 5 group 1,10/2,20",
            "id 6 dev veth0 scope host",
            "id 7 via 2001:db8::1 dev veth0 scope link",
            "id 8 group 1/2 type resilient buckets 8 idle_timer 120 unbalanced_timer 0 unbalanced_time 0",
            "id 9 via 10.0.0.9 dev veth0 scope link proto static",
        ]
    );
    // Kernel-side filters: the same selection as ip's.
    for (filter, args) in [
        (
            NexthopFilter::new().dev("veth0"),
            &["show", "dev", "veth0"][..],
        ),
        (NexthopFilter::new().groups(true), &["show", "groups"]),
        (NexthopFilter::new().protocol(4), &["show", "protocol", "4"]),
        (
            NexthopFilter::new().family(Family::Inet6),
            &["-6", "show"][..],
        ),
    ] {
        let args: Vec<&str> = if args[0] == "-6" {
            vec![]
        } else {
            args.to_vec()
        };
        let theirs = if args.is_empty() {
            sb.run_checked("ip", ["-6", "nexthop", "show"])
                .lines()
                .map(|l| l.trim_end().to_owned())
                .collect()
        } else {
            ip_nexthop(&sb, &args)
        };
        assert_eq!(ours(&mut h, &filter), theirs, "{filter:?}");
    }
    assert_eq!(
        ours(&mut h, &NexthopFilter::new().groups(true)).len(),
        3,
        "groups 3, 5, 8"
    );

    // -d: scope and protocol always.
    let names = h.interface_names().unwrap();
    let detailed: Vec<String> = h
        .nexthops(&NexthopFilter::new())
        .unwrap()
        .map(|n| {
            let dev = n.oif().and_then(|i| names.get(&i)).map(String::as_str);
            n.display(dev).details(true).to_string()
        })
        .collect();
    let theirs: Vec<String> = sb
        .run_checked("ip", ["-d", "nexthop", "show"])
        .lines()
        .map(|l| l.trim_end().to_owned())
        .collect();
    assert_eq!(detailed, theirs);

    // get: one nexthop, owned.
    let g = h.nexthop_get(5).unwrap();
    assert_eq!(
        g.group,
        [GroupMember::weighted(1, 10), GroupMember::weighted(2, 20)]
    );
    assert_eq!(g.group_type(), Some(GroupType::Mpath));
    assert_eq!(
        g.display(None).to_string(),
        ip_nexthop(&sb, &["get", "id", "5"])[0]
    );
    let r = h.nexthop_get(8).unwrap();
    assert_eq!(r.group_type(), Some(GroupType::Resilient));
    assert_eq!(r.resilient.unwrap().buckets, 8);
    assert_eq!(r.resilient.unwrap().idle_timer, 12_000);
    let one = h.nexthop_get(2).unwrap();
    assert!(one.is_onlink());
    assert_eq!(one.gateway, Some(ip("10.0.0.3")));
    assert_eq!(one.family, Some(Family::Inet));
    // show id N is a get.
    assert_eq!(
        ours(&mut h, &NexthopFilter::new().id(7)),
        ip_nexthop(&sb, &["show", "id", "7"])
    );
}

#[test]
fn refusals_carry_errno_and_the_kernels_words() {
    let sb = netns_testkit::sandbox();
    let mut h = setup(&sb);
    h.nexthop_add(&NexthopSpec::new(1).via(ip("10.0.0.1")).dev("veth0"))
        .unwrap();

    let e = h
        .nexthop_add(&NexthopSpec::new(1).via(ip("10.0.0.1")).dev("veth0"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    assert!(e.to_string().contains("nexthop 1"), "{e}");

    for e in [
        h.nexthop_del(99).unwrap_err(),
        h.nexthop_get(99).unwrap_err(),
        h.nexthops(&NexthopFilter::new().id(99))
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
        assert_eq!(e.errno(), Some(Errno::ENOENT));
        assert!(e.to_string().contains("nexthop 99"), "{e}");
    }

    // A group member that does not exist: the kernel's text
    // (fib_nexthops.sh: "Nexthop group with invalid nexthop id").
    let e = h
        .nexthop_add(&NexthopSpec::new(10).group([GroupMember::new(1), GroupMember::new(42)]))
        .unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EINVAL));
    assert!(
        e.kernel_message()
            .unwrap_or("")
            .contains("Invalid nexthop id"),
        "{e}"
    );

    // A missing device is named in the caller's words, before the kernel.
    let e = h
        .nexthop_add(&NexthopSpec::new(11).via(ip("10.0.0.1")).dev("nosuch"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("nosuch"), "{e}");

    // Bad input never reaches the kernel.
    let e = h
        .nexthop_add(
            &NexthopSpec::new(12)
                .group([GroupMember::new(1)])
                .resilient(Resilient {
                    idle_timer: Some(MAX_TIMER_SECONDS + 1),
                    ..Resilient::default()
                }),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert_eq!(e.errno(), None);
    for e in [
        h.nexthop_del(0).unwrap_err(),
        h.nexthop_get(0).unwrap_err(),
        h.nexthop_add(&NexthopSpec::new(13).via(ip("10.0.0.1")))
            .unwrap_err(),
    ] {
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        assert_eq!(e.errno(), None, "{e}");
    }
    assert_eq!(ip_nexthop(&sb, &["show"]).len(), 1);
    // An fdb nexthop needs no device.
    h.nexthop_add(&NexthopSpec::new(14).via(ip("10.0.0.1")).fdb(true))
        .unwrap();
    assert_eq!(
        ours(&mut h, &NexthopFilter::new().fdb(true)),
        ["id 14 via 10.0.0.1 scope link fdb"]
    );
}

#[test]
fn replace_routes_by_id_and_deleting_members() {
    let sb = netns_testkit::sandbox();
    let mut h = setup(&sb);
    add_the_usual(&mut h);

    // A route through a nexthop id, and one through a group.
    h.route_add(&RouteSpec::towards("10.8.0.0/16").unwrap().nhid(1))
        .unwrap();
    h.route_add(&RouteSpec::towards("10.9.0.0/16").unwrap().nhid(3))
        .unwrap();
    let routes = sb.run_checked("ip", ["route", "show"]);
    assert!(
        routes.contains("10.8.0.0/16 nhid 1 via 10.0.0.1 dev veth0"),
        "{routes}"
    );
    let nhids: Vec<Option<u32>> = h
        .routes(None, Some(Family::Inet))
        .unwrap()
        .filter(|r| r.dst_len() == 16)
        .map(|r| r.nhid())
        .collect();
    assert_eq!(nhids, [Some(1), Some(3)]);

    // Replace moves the routes using it.
    h.nexthop_replace(&NexthopSpec::new(1).via(ip("10.0.0.7")).dev("veth0"))
        .unwrap();
    let routes = sb.run_checked("ip", ["route", "show"]);
    assert!(
        routes.contains("10.8.0.0/16 nhid 1 via 10.0.0.7 dev veth0"),
        "{routes}"
    );
    // The kernel refuses to turn a single nexthop into a group.
    let e = h
        .nexthop_replace(&NexthopSpec::new(1).group([GroupMember::new(2)]))
        .unwrap_err();
    assert_eq!(e.errno(), Some(Errno::EINVAL));

    // Deleting a member shrinks its groups; the route via nexthop 1 goes.
    h.nexthop_del(1).unwrap();
    assert_eq!(h.nexthop_get(3).unwrap().group, [GroupMember::new(2)]);
    assert!(!sb.run_checked("ip", ["route", "show"]).contains("10.8.0.0"));
    // The last member takes group 3 (and 5 and 8) with it.
    h.nexthop_del(2).unwrap();
    assert_eq!(h.nexthop_get(3).unwrap_err().kind(), ErrorKind::NotFound);
    assert!(ours(&mut h, &NexthopFilter::new().groups(true)).is_empty());
}

#[test]
fn flush_deletes_what_the_filter_selects_groups_first() {
    let sb = netns_testkit::sandbox();
    let mut h = setup(&sb);
    add_the_usual(&mut h);

    // By device: the five single nexthops out of veth0 (and the groups
    // go with their last members).
    let n = h.nexthop_flush(&NexthopFilter::new().dev("veth0")).unwrap();
    assert_eq!(n, 5);
    assert_eq!(ip_nexthop(&sb, &["show"]), ["id 4 blackhole"]);
    add_the_usual_again(&mut h);
    // Everything: groups first, as ip (its count: 9 for these).
    let n = h.nexthop_flush(&NexthopFilter::new()).unwrap();
    assert_eq!(n, 9);
    assert!(ip_nexthop(&sb, &["show"]).is_empty());
    assert_eq!(h.nexthop_flush(&NexthopFilter::new()).unwrap(), 0);
}

fn add_the_usual_again(h: &mut Handle) {
    h.nexthop_del(4).unwrap();
    add_the_usual(h);
}

#[test]
fn a_batch_of_nexthops_and_a_dump_read_in_place() {
    let sb = netns_testkit::sandbox();
    let mut h = setup(&sb);
    let mut specs: Vec<NexthopSpec> = (1..=1000u32)
        .map(|i| {
            NexthopSpec::new(i)
                .via(IpAddr::from([10, 0, 0, (i % 250 + 3) as u8]))
                .dev("veth0")
        })
        .collect();
    specs.push(NexthopSpec::new(2000).group((1..=32).map(GroupMember::new)));
    h.nexthops_add(&specs).unwrap();
    assert_eq!(
        sb.run_checked("ip", ["nexthop", "show"]).lines().count(),
        1001
    );
    // A refused spec in a batch: its index.
    let e = h
        .nexthops_add(&[
            NexthopSpec::new(3000).blackhole(),
            NexthopSpec::new(1).blackhole(),
        ])
        .unwrap_err();
    assert_eq!(e.index, 1);
    assert_eq!(e.error.kind(), ErrorKind::AlreadyExists);

    let filter = NexthopFilter::new();
    assert_eq!(h.nexthops(&filter).unwrap().count(), 1002);
    // Buffers grown: reading every entry in place allocates nothing.
    let dump = h.nexthops(&filter).unwrap();
    assert!(dump.is_consistent());
    let before = allocations();
    let mut members = 0;
    let mut seen = 0;
    for n in dump {
        assert!(n.id() != 0);
        members += n.group().count();
        seen += 1;
    }
    assert_eq!(allocations() - before, 0);
    assert_eq!((seen, members), (1002, 32));
}
