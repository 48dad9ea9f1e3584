//! `netns_cli::parse`: pure (no kernel, no sandbox needed), the values it
//! gives, the refusals (message and exit status) the CLI prints, and the
//! canonical rendering that parses back to the same value.
#![allow(clippy::unwrap_used)]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use netns_cli::{
    parse, AddrChange, AddrCommand, AddrOp, BridgeCommand, Command, Invocation, LinkCommand,
    LinkOptions, LinkSetArgs, NsCommand, RouteCommand, RouteOp,
};
use netns_core::link::{Dev, LinkKind, LinkSpec, MacVlanMode, NetNsRef, VethPeer};

fn argv(words: &[&str]) -> Vec<OsString> {
    std::iter::once("netns")
        .chain(words.iter().copied())
        .map(OsString::from)
        .collect()
}

fn ok(words: &[&str]) -> Invocation {
    let inv = parse(&argv(words)).unwrap_or_else(|u| panic!("{words:?}: {u}"));
    // The canonical rendering parses back to the same value.
    let back = parse(&inv.to_args()).unwrap();
    assert_eq!(back, inv, "{words:?} rendered as {:?}", inv.to_args());
    inv
}

fn refused(words: &[&str]) -> (String, u8) {
    match parse(&argv(words)) {
        Ok(inv) => panic!("{words:?} parsed to {inv:?}"),
        Err(u) => (u.message().to_owned(), u.status()),
    }
}

#[test]
fn no_command_is_list_and_globals_are_kept() {
    let inv = ok(&[]);
    assert_eq!(inv.command, Command::Namespace(NsCommand::List));
    let inv = ok(&["-j", "-p", "-n", "blue", "link"]);
    assert!(inv.json && inv.pretty);
    assert_eq!(inv.netns.as_deref(), Some("blue"));
    assert_eq!(
        inv.command,
        Command::Link(LinkCommand::Show {
            dev: None,
            filter: Default::default()
        })
    );
}

#[test]
fn link_words_become_typed_values_resolved_later() {
    let inv = ok(&[
        "link", "add", "veth0", "mtu", "1400", "type", "veth", "peer", "name", "veth1", "netns",
        "1234",
    ]);
    let Command::Link(LinkCommand::Add(add)) = inv.command else {
        panic!("{inv:?}")
    };
    // The core's spec, names unresolved: `netns 1234` is a registry name
    // or, if there is none, a pid (resolved by the core at execution).
    let mut peer = VethPeer::named("veth1");
    peer.netns = Some(NetNsRef::Name("1234".into()));
    let mut want = LinkSpec::new("veth0", LinkKind::Veth(peer));
    want.mtu = Some(1400);
    assert_eq!(add, want);

    let inv = ok(&["link", "set", "lo", "up", "nomaster", "name", "lo2"]);
    assert_eq!(
        inv.command,
        Command::Link(LinkCommand::Set(LinkSetArgs {
            dev: "lo".into(),
            up: Some(true),
            name: Some("lo2".into()),
            master: Some(None),
            options: LinkOptions::default(),
            flags: vec![],
            alias: None,
            kind: None,
        }))
    );
    let inv = ok(&["link", "add", "m0", "link", "eth0", "type", "macvlan"]);
    let Command::Link(LinkCommand::Add(add)) = inv.command else {
        panic!("{inv:?}")
    };
    assert_eq!(
        add.kind,
        LinkKind::MacVlan {
            parent: Dev::Name("eth0".into()),
            mode: MacVlanMode::Vepa
        }
    );
    assert_eq!(
        ok(&["link", "help"]).command,
        Command::Link(LinkCommand::Help)
    );
}

#[test]
fn link_refusals_keep_ip_messages_and_exit_255() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["link", "set", "lo", "mtu"],
            "Command line is not complete",
        ),
        (
            &["link", "set", "lo", "mtu", "abc"],
            "Invalid \"mtu\" value",
        ),
        (
            &["link", "set", "lo", "address", "02:00"],
            "\"02:00\" is invalid lladdr.",
        ),
        (
            &["link", "add", "type", "bridge"],
            "\"dev\" argument is required",
        ),
        (&["link", "add", "x"], "\"type\" argument is required"),
        (
            &["link", "add", "x", "y", "type", "bridge"],
            "\"y\" is a garbage",
        ),
        (
            &["link", "add", "b", "type", "bridge", "x"],
            "\"x\" is a garbage",
        ),
        (
            &["link", "add", "mv0", "type", "macvlan"],
            "macvlan needs a lower device",
        ),
        (
            &["link", "add", "mv0", "type", "macvlan", "mode", "x"],
            "Invalid \"mode\" value",
        ),
        (
            &["link", "add", "v", "type", "vxlan"],
            "missing virtual network identifier",
        ),
        (
            &["link", "frob"],
            "Command \"frob\" is unknown, try \"netns link help\".",
        ),
    ];
    for (words, text) in cases {
        let (message, status) = refused(words);
        assert!(message.contains(text), "{words:?}: {message}");
        assert_eq!(status, 255, "{words:?}");
    }
}

#[test]
fn addr_and_route_refusals_exit_as_ip() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["addr", "add", "10.0.0.1/33", "dev", "lo"],
            "rather than \"10.0.0.1/33\"",
        ),
        (
            &["addr", "add", "10.0.0.1/24"],
            "\"dev\" argument is required",
        ),
        (&["addr", "add", "dev", "lo"], "an address is required"),
        (
            &["addr", "add", "10.0.0.1/24", "dev"],
            "argument \"dev\" needs a value",
        ),
        (&["addr", "flush"], "Flush requires arguments."),
        (
            &["route", "add", "default", "via", "1.2.3.999"],
            "any valid address is expected rather than \"1.2.3.999\"",
        ),
        (
            &["route", "add", "10.0.0.0/8", "via", "fe80::1"],
            "inet address is expected rather than \"fe80::1\"",
        ),
        (
            &["route", "add", "via", "10.0.0.1"],
            "a destination is required",
        ),
    ];
    for (words, text) in cases {
        let (message, status) = refused(words);
        assert!(message.contains(text), "{words:?}: {message}");
        assert_eq!(status, 1, "{words:?}");
    }
    // ip's `invarg` (`exit(-1)`: 255), as iproute2 6.1 exits for `ip route
    // show table x` (tests/shell/route_select_cli.sh compares the two).
    let (message, status) = refused(&["route", "show", "table", "x"]);
    assert_eq!(
        message,
        "argument \"x\" is wrong: \"table\" value is invalid"
    );
    assert_eq!(status, 255);
    // A second device is ip's `duparg2`, and an unknown subcommand ip's
    // `exit(-1)`: 255.
    let (message, status) = refused(&["addr", "show", "a", "b"]);
    assert_eq!(
        message,
        "either \"dev\" is duplicate, or \"b\" is a garbage."
    );
    assert_eq!(status, 255);
    let (message, status) = refused(&["route", "frob"]);
    assert!(message.contains("try \"netns route help\""), "{message}");
    assert_eq!(status, 255);
    let inv = ok(&[
        "addr",
        "replace",
        "10.1.1.1/24",
        "dev",
        "v0",
        "brd",
        "+",
        "scope",
        "link",
        "nodad",
    ]);
    let Command::Addr(AddrCommand::Change(AddrChange { op, spec })) = inv.command else {
        panic!("{inv:?}")
    };
    assert_eq!((op, spec.dev.word()), (AddrOp::Replace, "v0".to_owned()));
    assert_eq!(spec.options.scope, Some(253));
    let inv = ok(&[
        "route",
        "add",
        "blackhole",
        "10.9.0.0/16",
        "metric",
        "7",
        "table",
        "100",
        "proto",
        "static",
    ]);
    let Command::Route(RouteCommand::Change { op, spec }) = inv.command else {
        panic!("{inv:?}")
    };
    assert_eq!(
        (op, spec.dev, spec.metric, spec.kind),
        (RouteOp::Add, None, Some(7), Some(6))
    );
    ok(&["route", "show", "table", "all", "-6"]);
}

#[test]
fn namespace_commands_parse_their_words() {
    // ip's `list-id nsid N`: the one entry, in the current namespace.
    assert!(matches!(
        ok(&["list-id", "nsid", "3"]).command,
        Command::Namespace(NsCommand::ListId(_))
    ));
    let (m, s) = refused(&["set", "a", "x1"]);
    assert!(m.starts_with("invalid id \"x1\""), "{m}");
    assert_eq!(s, 255);
    assert_eq!(
        ok(&["set", "a", "auto"]).command,
        Command::Namespace(NsCommand::Set {
            name: "a".into(),
            id: None
        })
    );
    let (m, s) = refused(&["exec", "a"]);
    assert_eq!((m.as_str(), s), ("exec: no command given", 255));
    let bad_name = vec![
        OsString::from("netns"),
        OsString::from("exec"),
        OsString::from_vec(vec![0xff]),
        OsString::from("true"),
    ];
    let u = parse(&bad_name).unwrap_err();
    assert_eq!(u.message(), "exec: the namespace name is not valid UTF-8");
    assert_eq!(
        ok(&["delete", "--all"]).command,
        Command::Namespace(NsCommand::DeleteAll)
    );
    // clap's refusals and its help: the text clap prints, exit 255 or 0.
    let (m, s) = refused(&["add"]);
    assert!(m.contains("required"), "{m}");
    assert_eq!(s, 255);
    let (m, s) = refused(&["--help"]);
    assert!(m.contains("Usage: netns"), "{m}");
    assert_eq!(s, 0);
    let (_, s) = refused(&["--version"]);
    assert_eq!(s, 0);
}

#[test]
fn link_properties_flags_kind_changes_and_bridge_ports_parse() {
    for words in [
        &[
            "link",
            "set",
            "dev",
            "v0",
            "arp",
            "off",
            "multicast",
            "on",
            "trailers",
            "off",
            "alias",
            "x y",
            "type",
            "bridge_slave",
            "learning",
            "off",
            "cost",
            "3",
        ][..],
        &[
            "link",
            "property",
            "add",
            "dev",
            "v0",
            "altname",
            "a-long-alternative-name",
        ],
        &[
            "link", "property", "del", "dev", "v0", "altname", "a", "altname", "b",
        ],
        &[
            "link",
            "set",
            "vx",
            "type",
            "vxlan",
            "ttl",
            "9",
            "nolearning",
        ],
        &[
            "link",
            "set",
            "br",
            "type",
            "bridge",
            "stp_state",
            "1",
            "vlan_filtering",
            "1",
        ],
        &["link", "set", "mv", "type", "macvlan", "mode", "private"],
        &[
            "bridge", "link", "set", "dev", "v0", "flood", "off", "priority", "3", "hairpin", "on",
            "learning", "on",
        ],
        &["bridge", "link", "show", "dev", "v0"],
        &["bridge", "l"],
    ] {
        ok(words);
    }
    let (_, s) = refused(&["link", "set", "v0", "arp", "maybe"]);
    assert_eq!(s, 1);
    let (_, s) = refused(&["link", "set", "v0", "type", "bridge_slave", "bogus", "1"]);
    assert_eq!(s, 1);
    let (m, s) = refused(&["bridge", "bogus"]);
    assert_eq!(s, 255, "{m}");
    let (_, s) = refused(&["bridge", "link", "set", "dev", "v0", "learning", "maybe"]);
    assert_eq!(s, 234);
}

#[test]
fn odd_words_survive_the_round_trip() {
    for words in [
        &["--netns=-n", "link", "show", "dev", "-j"][..],
        &["-n", "", "addr", "show", "dev", "dev"],
        &["exec", "a", "--", "sh", "-c", "echo --"],
        &["exec", "--all", "--", "--"],
        &["delete", "--", "-a", ""],
        &["attach", "x", "-7"],
        &["identify", "--", "-1"],
        &["pids", "--threads", "--", "--x"],
        &["apply", "--dry-run", "--", "-f.toml"],
        &["check", "--timeout-ms", "5", "t.toml"],
        &[
            "link", "add", "name", "a b", "type", "macvtap", "mode", "vepa", "junk",
        ],
        &[
            "link",
            "add",
            "v",
            "type",
            "vxlan",
            "id",
            "1",
            "dev",
            "-e",
            "nolearning",
        ],
    ] {
        ok(words);
    }
}

#[test]
fn ip_global_options_in_any_order_before_the_object() {
    let inv = ok(&[
        "-6", "-netns", "blue", "-o", "-br", "-s", "-s", "-d", "-j", "-p", "-force", "-a", "-c",
        "-t", "link",
    ]);
    assert_eq!(inv.netns.as_deref(), Some("blue"));
    assert!(inv.json && inv.pretty);
    let o = &inv.options;
    assert_eq!(o.family, Some(netns_cli::keywords::Family::Inet6));
    assert!(o.oneline && o.brief && o.force && o.all);
    assert_eq!((o.stats, o.details), (2, 1));
    for (words, family) in [
        (&["-4", "r"][..], "inet"),
        (&["-0", "a"], "link"),
        (&["-f", "inet6", "r"], "inet6"),
        (&["--family", "bridge", "l"], "bridge"),
    ] {
        assert_eq!(ok(words).options.family.map(|f| f.word()), Some(family));
    }
    // `-n`, `-ne`, `-net`, `-netns`, `--netns` all name a namespace.
    for opt in ["-n", "-ne", "-net", "-netns", "--netns"] {
        assert_eq!(ok(&[opt, "x", "l"]).netns.as_deref(), Some("x"));
    }
    // `-b` is `-batch` (before `-brief` in ip's order); `-br` is brief.
    assert_eq!(
        ok(&["-b", "cmds", "-force"]).command,
        Command::Batch {
            file: "cmds".into()
        }
    );
    assert!(ok(&["-br", "a"]).options.brief);
    let (m, s) = refused(&["-x", "link"]);
    assert_eq!(
        (m.as_str(), s),
        ("Option \"-x\" is unknown, try \"netns -help\".", 255)
    );
    let (m, s) = refused(&["-f", "foo", "link"]);
    assert!(m.contains("invalid protocol family"), "{m}");
    assert_eq!(s, 255);
    let (m, _) = refused(&["-n"]);
    assert!(m.starts_with("Command line is not complete"), "{m}");
}

#[test]
fn objects_and_subcommands_match_by_prefix_in_ip_order() {
    let show = Command::Link(LinkCommand::Show {
        dev: None,
        filter: Default::default(),
    });
    for w in ["l", "li", "lin", "link"] {
        assert_eq!(ok(&[w]).command, show);
    }
    assert_eq!(ok(&["link", "l"]).command, show);
    assert_eq!(ok(&["link", "sh"]).command, show);
    for w in ["a", "ad", "addr", "address"] {
        assert!(matches!(
            ok(&[w, "s"]).command,
            Command::Addr(AddrCommand::Show { .. })
        ));
    }
    for w in ["r", "ro", "rou", "route"] {
        assert!(matches!(
            ok(&[w, "li"]).command,
            Command::Route(RouteCommand::Show { .. })
        ));
    }
    // `ip link s` is set (set comes before show in ip's table).
    assert!(matches!(
        ok(&["l", "s", "v0", "up"]).command,
        Command::Link(LinkCommand::Set(_))
    ));
    // netns's own commands match whole and first: `add` is not `address`.
    assert_eq!(
        ok(&["add", "blue"]).command,
        Command::Namespace(NsCommand::Add {
            name: "blue".into()
        })
    );
    // ip's objects netns has since: neighbours, rules, tun/tap, by prefix.
    assert!(matches!(ok(&["n"]).command, Command::Neigh(_)));
    assert!(matches!(
        ok(&["neighbour", "show"]).command,
        Command::Neigh(_)
    ));
    assert!(matches!(ok(&["ru"]).command, Command::Rule(_)));
    assert!(matches!(
        ok(&["tuntap", "show"]).command,
        Command::Tuntap(_)
    ));
    assert!(matches!(ok(&["nexthop"]).command, Command::Nexthop(_)));
    assert!(matches!(ok(&["nex", "sh"]).command, Command::Nexthop(_)));
    // Objects ip has and netns does not (yet) say so.
    for w in ["xfrm", "l2tp"] {
        let (m, s) = refused(&[w]);
        assert!(m.contains("not supported by netns yet"), "{w}: {m}");
        assert_eq!(s, 255);
    }
    let (m, s) = refused(&["frob"]);
    assert_eq!(
        (m.as_str(), s),
        ("Object \"frob\" is unknown, try \"netns help\".", 1)
    );
    // Keywords inside a command, by prefix in ip's order: `a` is address,
    // `t` txqueuelen (before type), `ty` type; route `t` table, `p` priority.
    let Command::Link(LinkCommand::Add(spec)) = ok(&[
        "l",
        "a",
        "x0",
        "a",
        "02:00:00:00:00:01",
        "t",
        "500",
        "ty",
        "bridge",
    ])
    .command
    else {
        panic!()
    };
    assert_eq!((spec.name.as_str(), spec.txqlen), ("x0", Some(500)));
    assert!(spec.mac.is_some());
    let Command::Route(RouteCommand::Change { spec, .. }) =
        ok(&["r", "a", "10.9.0.0/16", "dev", "x0", "t", "100", "p", "9"]).command
    else {
        panic!()
    };
    assert_eq!(
        (spec.table.map(|t| t.id()), spec.metric),
        (Some(100), Some(9))
    );
    assert!(matches!(
        ok(&["ro", "g", "1.1.1.1", "from", "10.0.0.1", "oif", "v0"]).command,
        Command::Route(RouteCommand::Get(_))
    ));
    assert!(matches!(
        ok(&["route", "flush", "table", "main", "dev", "v0"]).command,
        Command::Route(RouteCommand::Flush(_))
    ));
    let (m, s) = refused(&["route", "save"]);
    assert!(m.contains("\"route save\" is not supported"), "{m}");
    assert_eq!(s, 255);
}

#[test]
fn ip_netns_forms_behave_as_ip() {
    let ns = |words: &[&str]| ok(words).command;
    assert_eq!(ns(&["netns"]), Command::Namespace(NsCommand::List));
    assert_eq!(ns(&["netns", "l"]), Command::Namespace(NsCommand::List));
    // ip ignores what follows `list` (scripts pass a stray `|`).
    assert_eq!(
        ns(&["netns", "list", "|"]),
        Command::Namespace(NsCommand::List)
    );
    assert_eq!(ns(&["list", "|", "x"]), Command::Namespace(NsCommand::List));
    assert_eq!(
        ns(&["netns", "a", "blue"]),
        Command::Namespace(NsCommand::Add {
            name: "blue".into()
        })
    );
    // A copied `list` line: ip deletes the name and ignores `(id: 0)`.
    let del = Command::Namespace(NsCommand::Delete {
        names: vec!["blue".into()],
    });
    assert_eq!(ns(&["netns", "del", "blue", "(id:", "0)"]), del);
    assert_eq!(ns(&["delete", "blue", "(id:", "0)"]), del);
    assert_eq!(
        ns(&["-all", "netns", "delete"]),
        Command::Namespace(NsCommand::DeleteAll)
    );
    assert_eq!(
        ns(&["-a", "netns", "exec", "true"]),
        Command::Namespace(NsCommand::ExecAll {
            argv: vec!["true".into()]
        })
    );
    assert_eq!(
        ns(&["netns", "attach", "x", "12"]),
        Command::Namespace(NsCommand::Attach {
            name: "x".into(),
            pid: 12
        })
    );
    let (m, s) = refused(&["netns", "frob"]);
    assert!(m.starts_with("Command \"frob\" is unknown"), "{m}");
    assert_eq!(s, 255);
}

#[test]
fn bridge_fdb_commands_parse_and_render_back() {
    use netns_cli::{FdbCommand, FdbOp};
    let inv = ok(&[
        "bridge",
        "fdb",
        "add",
        "00:11:22:33:44:55",
        "dev",
        "vx0",
        "dst",
        "10.0.0.2",
        "self",
        "permanent",
    ]);
    match inv.command {
        Command::Bridge(BridgeCommand::Fdb(FdbCommand::Change(FdbOp::Add, spec))) => {
            assert_eq!(spec.mac, [0, 0x11, 0x22, 0x33, 0x44, 0x55]);
            assert_eq!(spec.dst, Some("10.0.0.2".parse().unwrap()));
            assert!(spec.self_ && !spec.master);
        }
        other => panic!("{other:?}"),
    }
    ok(&[
        "bridge",
        "fdb",
        "append",
        "00:00:00:00:00:00",
        "dev",
        "vx0",
        "dst",
        "10.0.0.4",
        "vni",
        "100",
        "port",
        "4790",
    ]);
    ok(&[
        "bridge",
        "fdb",
        "a",
        "02:00:00:00:00:01",
        "dev",
        "p0",
        "master",
        "static",
        "sticky",
        "vlan",
        "10",
    ]);
    ok(&[
        "bridge",
        "fdb",
        "del",
        "02:00:00:00:00:01",
        "dev",
        "p0",
        "master",
    ]);
    ok(&[
        "bridge",
        "fdb",
        "replace",
        "02:00:00:00:00:01",
        "dev",
        "vx0",
        "dynamic",
        "via",
        "p0",
    ]);
    ok(&["bridge", "fdb"]);
    ok(&[
        "bridge", "fdb", "show", "br", "br0", "brport", "p0", "vlan", "5", "state", "static",
        "dynamic",
    ]);
    ok(&[
        "bridge",
        "fdb",
        "get",
        "02:00:00:00:00:01",
        "br",
        "br0",
        "vni",
        "7",
        "master",
    ]);
    ok(&[
        "bridge", "fdb", "flush", "dev", "br0", "brport", "p0", "nostatic", "sticky", "master",
    ]);
    assert_eq!(
        refused(&["bridge", "fdb", "add", "00:11:22:33:44:55"]).1,
        255
    );
    assert_eq!(
        refused(&["bridge", "fdb", "add", "00:11:zz", "dev", "x"]).1,
        255
    );
    assert_eq!(refused(&["bridge", "fdb", "bogus"]).1, 255);
    assert_eq!(refused(&["bridge", "fdb", "flush"]).1, 255);
    assert_eq!(
        refused(&[
            "bridge",
            "fdb",
            "add",
            "0:1:2:3:4:5",
            "dev",
            "v",
            "vni",
            "16777216"
        ])
        .1,
        255
    );
    assert_eq!(refused(&["bridge", "mdb"]).1, 255);
}

#[test]
fn addr_peer_and_lifetimes_parse_and_render_back() {
    let inv = ok(&[
        "addr",
        "add",
        "10.0.0.1",
        "peer",
        "10.0.0.2/32",
        "dev",
        "v0",
    ]);
    let Command::Addr(AddrCommand::Change(AddrChange { spec, .. })) = inv.command else {
        panic!("not an addr change");
    };
    assert_eq!(spec.options.peer, Some("10.0.0.2/32".parse().unwrap()));
    assert_eq!(spec.to_string(), "address 10.0.0.1 peer 10.0.0.2/32 dev v0");
    let inv = ok(&[
        "addr",
        "add",
        "10.1.0.1/24",
        "dev",
        "v0",
        "valid_lft",
        "forever",
        "preferred_lft",
        "100",
    ]);
    let Command::Addr(AddrCommand::Change(AddrChange { spec, .. })) = inv.command else {
        panic!("not an addr change");
    };
    assert_eq!(
        (spec.options.valid_lft, spec.options.preferred_lft),
        (Some(u32::MAX), Some(100))
    );
    assert_eq!(
        refused(&[
            "addr",
            "add",
            "10.1.0.1/24",
            "dev",
            "v0",
            "valid_lft",
            "soon"
        ])
        .1,
        255
    );
    let (msg, status) = refused(&[
        "addr",
        "add",
        "10.1.0.1/24",
        "dev",
        "v0",
        "valid_lft",
        "10",
        "preferred_lft",
        "20",
    ]);
    assert_eq!(
        (msg.as_str(), status),
        ("preferred_lft is greater than valid_lft", 1)
    );
}
