//! The `netns-cni` binary run as a runtime runs it, each test in its own
//! sandbox (a private mount + network namespace for the test thread; the
//! plugin, a child of that thread, inherits it). Pods are namespaces made
//! in the sandbox's `/run/netns`; IPAM stores live on the sandbox's tmpfs.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use netns_core::{Handle, NetNs, Registry};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_netns-cni");
const DATA: &str = "/run/cni-test/ipam";

struct Call<'a> {
    command: &'a str,
    id: &'a str,
    netns: &'a str,
    ifname: &'a str,
    path: &'a str,
    args: &'a str,
}

impl<'a> Call<'a> {
    fn new(command: &'a str, id: &'a str, netns: &'a str) -> Self {
        Call {
            command,
            id,
            netns,
            ifname: "eth0",
            path: "/usr/lib/cni",
            args: "",
        }
    }

    fn spawn(&self, conf: &Value) -> Child {
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            .env("CNI_COMMAND", self.command)
            .env("CNI_CONTAINERID", self.id)
            .env("CNI_NETNS", self.netns)
            .env("CNI_IFNAME", self.ifname)
            .env("CNI_PATH", self.path)
            .env("CNI_ARGS", self.args)
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(conf.to_string().as_bytes())
            .unwrap();
        child
    }

    /// (exit code, stdout parsed, or Null when empty).
    fn run(&self, conf: &Value) -> (i32, Value) {
        finish(self.spawn(conf))
    }
}

fn finish(child: Child) -> (i32, Value) {
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let v = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"))
    };
    (out.status.code().unwrap_or(-1), v)
}

fn bridge_conf(name: &str, subnet: &str) -> Value {
    json!({
        "cniVersion": "1.0.0", "name": name, "type": "netns-cni",
        "bridge": "cni0", "isGateway": true, "isDefaultGateway": true, "hairpinMode": true,
        "ipam": {"type": "host-local", "subnet": subnet, "dataDir": DATA,
                 "routes": [{"dst": "10.99.0.0/16"}]}
    })
}

fn pod(reg: &Registry, name: &str) -> (NetNs, String) {
    let ns = reg.add(name).unwrap();
    (ns, format!("/run/netns/{name}"))
}

fn registry(sb: &netns_testkit::Sandbox) -> Registry {
    Registry::new(sb.run_dir(), sb.etc_dir())
}

/// Link names of the sandbox's own namespace.
fn host_links() -> BTreeSet<String> {
    let mut h = Handle::current().unwrap();
    h.links().unwrap().map(|l| l.name().to_string()).collect()
}

/// Address files in the network's store.
fn ip_files(network: &str) -> Vec<String> {
    let dir = Path::new(DATA).join(network);
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.parse::<std::net::IpAddr>().is_ok())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn ping(sb: &netns_testkit::Sandbox, from: &str, to: &str) -> bool {
    sb.run("ip", ["netns", "exec", from, "ping", "-c1", "-W2", to])
        .status
        .success()
}

#[test]
fn bridge_add_check_del_twice() {
    let sb = netns_testkit::sandbox();
    sb.run_checked("ip", ["link", "set", "lo", "up"]);
    let reg = registry(&sb);
    let (ns1, p1) = pod(&reg, "p1");
    let (_ns2, p2) = pod(&reg, "p2");
    let conf = bridge_conf("net1", "10.22.0.0/24");

    let (rc, r1) = Call::new("ADD", "c1", &p1).run(&conf);
    assert_eq!(rc, 0, "{r1}");
    assert_eq!(r1["cniVersion"], "1.0.0");
    assert_eq!(
        r1["ips"],
        json!([{"interface": 2, "address": "10.22.0.2/24", "gateway": "10.22.0.1"}])
    );
    assert_eq!(
        r1["routes"],
        json!([{"dst": "10.99.0.0/16"}, {"dst": "0.0.0.0/0", "gw": "10.22.0.1"}])
    );
    assert_eq!(r1["dns"], json!({}));
    let ifs = r1["interfaces"].as_array().unwrap();
    assert_eq!(ifs.len(), 3);
    assert_eq!(ifs[0]["name"], "cni0");
    assert_eq!(ifs[2]["name"], "eth0");
    assert_eq!(ifs[2]["sandbox"], p1.as_str());
    let host_veth = ifs[1]["name"].as_str().unwrap().to_string();

    // The kernel agrees with the result.
    let mut h1 = ns1.handle().unwrap();
    let eth0 = h1.link_by_name("eth0").unwrap();
    assert_eq!(
        netns_cni::wiring::mac_of(&eth0),
        ifs[2]["mac"].as_str().unwrap()
    );
    let mut host = Handle::current().unwrap();
    let veth = host.link_by_name(&host_veth).unwrap();
    let bridge = host.link_by_name("cni0").unwrap();
    assert_eq!(veth.master, Some(bridge.index));
    assert!(sb
        .run_checked("ip", ["-d", "link", "show", &host_veth])
        .contains("hairpin on"));
    let routes = sb.run_checked("ip", ["-n", "p1", "route"]);
    assert!(
        routes.contains("default via 10.22.0.1 dev eth0"),
        "{routes}"
    );
    assert!(
        routes.contains("10.99.0.0/16 via 10.22.0.1 dev eth0"),
        "{routes}"
    );
    assert!(sb
        .run_checked("ip", ["addr", "show", "cni0"])
        .contains("10.22.0.1/24"));
    assert_eq!(
        std::fs::read(Path::new(DATA).join("net1/10.22.0.2")).unwrap(),
        b"c1\r\neth0"
    );

    let (rc, r2) = Call::new("ADD", "c2", &p2).run(&conf);
    assert_eq!(rc, 0, "{r2}");
    assert_eq!(r2["ips"][0]["address"], "10.22.0.3/24");
    // The bridge keeps its address as ports join.
    assert_eq!(r2["interfaces"][0]["mac"], ifs[0]["mac"]);
    assert!(ping(&sb, "p1", "10.22.0.3"), "pod to pod");
    assert!(ping(&sb, "p2", "10.22.0.2"), "pod to pod");
    assert!(ping(&sb, "p1", "10.22.0.1"), "pod to host");

    // CHECK with the ADD's result; then after breaking it.
    let mut with_prev = conf.clone();
    with_prev["prevResult"] = r1.clone();
    let (rc, out) = Call::new("CHECK", "c1", &p1).run(&with_prev);
    assert_eq!((rc, &out), (0, &Value::Null));
    let (rc, out) = Call::new("CHECK", "c1", &p1).run(&conf);
    assert_eq!(
        (rc, out["code"].as_u64()),
        (1, Some(7)),
        "no prevResult: {out}"
    );
    sb.run_checked("ip", ["-n", "p1", "addr", "flush", "dev", "eth0"]);
    let (rc, out) = Call::new("CHECK", "c1", &p1).run(&with_prev);
    assert_eq!((rc, out["code"].as_u64()), (1, Some(103)), "{out}");

    // DEL twice, and DEL of what never existed.
    for _ in 0..2 {
        let (rc, out) = Call::new("DEL", "c1", &p1).run(&conf);
        assert_eq!((rc, &out), (0, &Value::Null));
    }
    assert!(h1.link_by_name("eth0").is_err());
    assert!(!host_links().contains(&host_veth));
    assert_eq!(ip_files("net1"), vec!["10.22.0.3"]);
    let (rc, out) = Call::new("DEL", "never", "/run/netns/gone").run(&conf);
    assert_eq!((rc, &out), (0, &Value::Null));
    // DEL after the pod's namespace is gone.
    reg.delete("p2").unwrap();
    drop(_ns2);
    let (rc, out) = Call::new("DEL", "c2", &p2).run(&conf);
    assert_eq!((rc, &out), (0, &Value::Null));
    assert!(ip_files("net1").is_empty());
}

#[test]
fn ptp_add_reach_del() {
    let sb = netns_testkit::sandbox();
    sb.run_checked("ip", ["link", "set", "lo", "up"]);
    let reg = registry(&sb);
    let (_a, p1) = pod(&reg, "p1");
    let (_b, p2) = pod(&reg, "p2");
    let conf = json!({
        "cniVersion": "0.4.0", "name": "net2", "type": "netns-cni", "mode": "ptp", "mtu": 1400,
        "dns": {"nameservers": ["10.1.1.1"]},
        "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.33.0.0/24", "rangeStart": "10.33.0.10"}]],
                 "dataDir": DATA, "routes": [{"dst": "0.0.0.0/0"}]}
    });
    let (rc, r1) = Call::new("ADD", "c1", &p1).run(&conf);
    assert_eq!(rc, 0, "{r1}");
    assert_eq!(
        r1["ips"],
        json!([{"version": "4", "interface": 1, "address": "10.33.0.10/24", "gateway": "10.33.0.1"}])
    );
    assert_eq!(r1["dns"], json!({"nameservers": ["10.1.1.1"]}));
    assert_eq!(r1["interfaces"].as_array().unwrap().len(), 2);
    let (rc, r2) = Call::new("ADD", "c2", &p2).run(&conf);
    assert_eq!(rc, 0, "{r2}");
    let routes = sb.run_checked("ip", ["-n", "p1", "route"]);
    assert!(
        routes.contains("default via 10.33.0.1 dev eth0"),
        "{routes}"
    );
    assert!(
        routes.contains("10.33.0.0/24 via 10.33.0.1 dev eth0 src 10.33.0.10"),
        "{routes}"
    );
    assert!(
        routes.contains("10.33.0.1 dev eth0 scope link src 10.33.0.10"),
        "{routes}"
    );
    assert!(sb
        .run_checked("ip", ["-n", "p1", "link", "show", "eth0"])
        .contains("mtu 1400"));
    let host_routes = sb.run_checked("ip", ["route"]);
    assert!(host_routes.contains("10.33.0.10 dev veth"), "{host_routes}");
    assert!(ping(&sb, "p1", "10.33.0.11"), "pod to pod through the host");
    assert!(ping(&sb, "p1", "10.33.0.1"), "pod to host");
    let mut with_prev = conf.clone();
    with_prev["prevResult"] = r1.clone();
    assert_eq!(Call::new("CHECK", "c1", &p1).run(&with_prev).0, 0);
    for (id, p) in [("c1", &p1), ("c2", &p2), ("c1", &p1)] {
        assert_eq!(Call::new("DEL", id, p).run(&conf), (0, Value::Null));
    }
    assert_eq!(host_links(), BTreeSet::from(["lo".to_string()]));
    assert!(ip_files("net2").is_empty());
}

#[test]
fn gc_removes_leftovers_and_keeps_valid_attachments() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let (_a, p1) = pod(&reg, "p1");
    let (_b, p2) = pod(&reg, "p2");
    let conf = bridge_conf("net3", "10.44.0.0/24");
    let (rc, r1) = Call::new("ADD", "c1", &p1).run(&conf);
    assert_eq!(rc, 0, "{r1}");
    let (rc, r2) = Call::new("ADD", "c2", &p2).run(&conf);
    assert_eq!(rc, 0, "{r2}");
    // A leftover allocation nobody links to (a runtime crashed mid-ADD).
    std::fs::write(Path::new(DATA).join("net3/10.44.0.200"), "c9\r\neth0").unwrap();
    let mut gc = conf.clone();
    gc["cniVersion"] = "1.1.0".into();
    gc["cni.dev/valid-attachments"] = json!([{"containerID": "c2", "ifname": "eth0"}]);
    // GC needs 1.1.0.
    let mut old = gc.clone();
    old["cniVersion"] = "1.0.0".into();
    assert_eq!(Call::new("GC", "", "").run(&old).1["code"], 1);
    assert_eq!(Call::new("GC", "", "").run(&gc), (0, Value::Null));
    assert_eq!(ip_files("net3"), vec!["10.44.0.3"]);
    let links = host_links();
    assert!(
        !links.contains(r1["interfaces"][1]["name"].as_str().unwrap()),
        "{links:?}"
    );
    assert!(
        links.contains(r2["interfaces"][1]["name"].as_str().unwrap()),
        "{links:?}"
    );
    // Links of another network's attachments are not ours to collect.
    let mut other = bridge_conf("net4", "10.45.0.0/24");
    other["bridge"] = "cni1".into();
    let (_c, p3) = pod(&reg, "p3");
    let (rc, r3) = Call::new("ADD", "c3", &p3).run(&other);
    assert_eq!(rc, 0, "{r3}");
    assert_eq!(Call::new("GC", "", "").run(&gc), (0, Value::Null));
    assert!(host_links().contains(r3["interfaces"][1]["name"].as_str().unwrap()));
}

#[test]
fn fifty_concurrent_adds_get_distinct_addresses() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let pods: Vec<(NetNs, String)> = (0..50).map(|i| pod(&reg, &format!("q{i}"))).collect();
    let conf = bridge_conf("net5", "10.55.0.0/24");
    let ids: Vec<String> = (0..50).map(|i| format!("ctr{i}")).collect();
    // All spawned from this (sandboxed) thread, then waited for.
    let children: Vec<Child> = pods
        .iter()
        .zip(&ids)
        .map(|((_, p), id)| Call::new("ADD", id, p).spawn(&conf))
        .collect();
    let mut addresses = BTreeSet::new();
    for child in children {
        let (rc, r) = finish(child);
        assert_eq!(rc, 0, "{r}");
        addresses.insert(r["ips"][0]["address"].as_str().unwrap().to_string());
    }
    assert_eq!(addresses.len(), 50, "{addresses:?}");
    assert_eq!(ip_files("net5").len(), 50);
    assert_eq!(
        host_links()
            .iter()
            .filter(|n| n.starts_with("veth"))
            .count(),
        50
    );
    let children: Vec<Child> = pods
        .iter()
        .zip(&ids)
        .map(|((_, p), id)| Call::new("DEL", id, p).spawn(&conf))
        .collect();
    for child in children {
        assert_eq!(finish(child), (0, Value::Null));
    }
    assert!(ip_files("net5").is_empty());
    assert_eq!(
        host_links()
            .iter()
            .filter(|n| n.starts_with("veth"))
            .count(),
        0
    );
}

#[test]
fn malformed_input_gets_the_spec_code_and_leaves_nothing() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let (_a, p1) = pod(&reg, "p1");
    let good = bridge_conf("bad", "10.66.0.0/24");
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    let with_ipam = |k: &str, v: Value| {
        let mut c = good.clone();
        c["ipam"][k] = v;
        c
    };
    let cases: Vec<(&str, Value, u64)> = vec![
        ("unsupported version", with("cniVersion", "0.2.0".into()), 1),
        ("vlan", with("vlan", 7.into()), 2),
        (
            "no name",
            {
                let mut c = good.clone();
                c.as_object_mut().unwrap().remove("name");
                c
            },
            7,
        ),
        ("bad mode", with("mode", "macvlan".into()), 7),
        ("bad mtu", with("mtu", 20.into()), 7),
        ("mtu type", with("mtu", "x".into()), 7),
        (
            "long bridge name",
            with("bridge", "bridge-name-too-long".into()),
            7,
        ),
        ("hairpin+promisc", with("promiscMode", true.into()), 7),
        ("host bits", with_ipam("subnet", "10.66.0.1/24".into()), 7),
        ("tiny subnet", with_ipam("subnet", "10.66.0.0/31".into()), 7),
        (
            "range outside",
            with_ipam("rangeStart", "10.67.0.1".into()),
            7,
        ),
        (
            "ipam without type",
            {
                let mut c = good.clone();
                c["ipam"].as_object_mut().unwrap().remove("type");
                c
            },
            7,
        ),
        (
            "unknown ipam plugin",
            with_ipam("type", "no-such-ipam".into()),
            7,
        ),
        (
            "bad prevResult",
            with("prevResult", json!({"ips": [{"address": "x"}]})),
            6,
        ),
    ];
    for (what, conf, code) in &cases {
        let (rc, out) = Call::new("ADD", "c1", &p1).run(conf);
        assert_eq!(rc, 1, "{what}: {out}");
        assert_eq!(out["code"].as_u64(), Some(*code), "{what}: {out}");
        assert!(
            !out["msg"].as_str().unwrap_or("").is_empty(),
            "{what}: {out}"
        );
    }
    // Not JSON at all.
    let out = Command::new(BIN)
        .env_clear()
        .env("CNI_COMMAND", "ADD")
        .env("CNI_CONTAINERID", "c1")
        .env("CNI_NETNS", &p1)
        .env("CNI_IFNAME", "eth0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(b"{\"cniVersion\":")?;
            c.wait_with_output()
        })
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["code"], 6, "{v}");
    // Bad environments.
    let env_cases: Vec<(Call, u64)> = vec![
        (
            Call {
                command: "FROB",
                ..Call::new("", "c1", &p1)
            },
            4,
        ),
        (Call::new("ADD", "bad/id", &p1), 4),
        (
            Call {
                ifname: "a-name-too-long-x",
                ..Call::new("ADD", "c1", &p1)
            },
            4,
        ),
        (Call::new("ADD", "c1", "/run/netns/nope"), 3),
        (Call::new("ADD", "c1", "/proc/self/ns/mnt"), 4),
    ];
    for (call, code) in &env_cases {
        let (rc, out) = call.run(&good);
        assert_eq!(
            (rc, out["code"].as_u64()),
            (1, Some(*code)),
            "{}: {out}",
            call.command
        );
    }
    // The interface name taken in the pod: refused, and the addresses
    // allocated for the attempt released.
    sb.run_checked(
        "ip",
        [
            "-n", "p1", "link", "add", "eth0", "type", "veth", "peer", "name", "x0",
        ],
    );
    let (rc, out) = Call::new("ADD", "c1", &p1).run(&good);
    assert_eq!((rc, out["code"].as_u64()), (1, Some(102)), "{out}");
    sb.run_checked("ip", ["-n", "p1", "link", "del", "eth0"]);
    // Nothing left behind: not even the bridge the last attempt made.
    assert_eq!(host_links(), BTreeSet::from(["lo".to_string()]));
    assert!(ip_files("bad").is_empty(), "{:?}", ip_files("bad"));
    assert_eq!(
        sb.run_checked("ip", ["-n", "p1", "-o", "link"])
            .lines()
            .count(),
        1
    );
}

#[test]
fn version_and_status() {
    let sb = netns_testkit::sandbox();
    let (rc, v) = Call::new("VERSION", "", "").run(&json!({"cniVersion": "1.1.0"}));
    assert_eq!(rc, 0);
    assert_eq!(
        v,
        json!({"cniVersion": "1.1.0", "supportedVersions": ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]})
    );
    let reg = registry(&sb);
    let mut conf = bridge_conf("st", "10.77.0.0/29");
    conf["cniVersion"] = "1.1.0".into();
    assert_eq!(Call::new("STATUS", "", "").run(&conf), (0, Value::Null));
    let pods: Vec<_> = (0..5).map(|i| pod(&reg, &format!("s{i}"))).collect();
    for (i, (_, p)) in pods.iter().enumerate() {
        let (rc, out) = Call::new("ADD", &format!("c{i}"), p).run(&conf);
        assert_eq!(rc, 0, "{out}");
    }
    // .2 to .6 given: the range is full; STATUS says ADD cannot be served.
    let (rc, out) = Call::new("STATUS", "", "").run(&conf);
    assert_eq!((rc, out["code"].as_u64()), (1, Some(50)), "{out}");
    let (_x, px) = pod(&reg, "sx");
    let (rc, out) = Call::new("ADD", "cx", &px).run(&conf);
    assert_eq!((rc, out["code"].as_u64()), (1, Some(101)), "{out}");
    assert_eq!(
        sb.run_checked("ip", ["-n", "sx", "-o", "link"])
            .lines()
            .count(),
        1
    );
}

#[test]
fn delegated_ipam_shares_the_store_with_the_builtin_one() {
    let sb = netns_testkit::sandbox();
    if !Path::new("/usr/lib/cni/host-local").exists() {
        panic!(
            "/usr/lib/cni/host-local missing: run scripts/setup.sh (containernetworking-plugins)"
        );
    }
    // The reference host-local under another name, so it is delegated to.
    let dir = Path::new("/run/cni-test/bin");
    std::fs::create_dir_all(dir).unwrap();
    std::os::unix::fs::symlink("/usr/lib/cni/host-local", dir.join("ref-host-local")).unwrap();
    let reg = registry(&sb);
    let (_a, p1) = pod(&reg, "p1");
    let (_b, p2) = pod(&reg, "p2");
    let mut delegated = bridge_conf("shared", "10.88.0.0/24");
    delegated["ipam"]["type"] = "ref-host-local".into();
    let call = |id, p| Call {
        path: "/run/cni-test/bin",
        ..Call::new("ADD", id, p)
    };
    let (rc, r1) = call("c1", &p1).run(&delegated);
    assert_eq!(rc, 0, "{r1}");
    assert_eq!(r1["ips"][0]["address"], "10.88.0.2/24");
    // The built-in allocator continues after the reference's last address.
    let builtin = bridge_conf("shared", "10.88.0.0/24");
    let (rc, r2) = Call::new("ADD", "c2", &p2).run(&builtin);
    assert_eq!(rc, 0, "{r2}");
    assert_eq!(r2["ips"][0]["address"], "10.88.0.3/24");
    // Each releases what the other allocated.
    assert_eq!(Call::new("DEL", "c1", &p1).run(&builtin), (0, Value::Null));
    let del = Call {
        command: "DEL",
        ..call("c2", &p2)
    };
    assert_eq!(del.run(&delegated), (0, Value::Null));
    assert!(ip_files("shared").is_empty());
    // A delegate's error comes back with its code.
    let mut bad = delegated.clone();
    bad["ipam"]["subnet"] = "10.88.0.0".into();
    let (rc, out) = call("c3", &p1).run(&bad);
    assert_eq!(rc, 1);
    assert!(
        out["msg"]
            .as_str()
            .unwrap()
            .starts_with("ipam plugin ref-host-local"),
        "{out}"
    );
}

#[test]
fn ip_masq_table_per_attachment() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let (_a, p1) = pod(&reg, "p1");
    let mut conf = bridge_conf("masq", "10.91.0.0/24");
    conf["ipMasq"] = true.into();
    let (rc, r) = Call::new("ADD", "c1", &p1).run(&conf);
    assert_eq!(rc, 0, "{r}");
    let rules = sb.run_checked("nft", ["list", "ruleset"]);
    assert!(
        rules.contains("ip saddr 10.91.0.0/24 ip daddr != 10.91.0.0/24 masquerade"),
        "{rules}"
    );
    assert_eq!(Call::new("DEL", "c1", &p1).run(&conf), (0, Value::Null));
    assert!(sb.run_checked("nft", ["list", "tables"]).trim().is_empty());
}

/// Link names of a pod's namespace.
fn pod_links(ns: &NetNs) -> BTreeSet<String> {
    let mut h = ns.handle().unwrap();
    h.links().unwrap().map(|l| l.name().to_string()).collect()
}

/// The bad-input table of `CNI_NETNS`: the plugin's own network namespace
/// however it is spelled (compared by identity, not by path), and paths
/// that name no network namespace. Each row: what, `CNI_NETNS`, the code
/// ADD and CHECK give, a part of the message, DEL's exit status. ADD must
/// create nothing; DEL must never delete the interface it is given in the
/// plugin's own namespace (`host0` stands in for the host's uplink).
#[test]
fn cni_netns_bad_inputs_table() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    sb.run_checked(
        "ip",
        [
            "link", "add", "host0", "type", "veth", "peer", "name", "host0p",
        ],
    );
    let dir = Path::new("/run/cni-test");
    std::fs::create_dir_all(dir).unwrap();
    // A bind mount of the plugin's own namespace (the sandbox's: the plugin
    // is this thread's child), and a symlink to it.
    let bind = "/run/cni-test/own.bind";
    std::fs::write(bind, "").unwrap();
    sb.run_checked("mount", ["--bind", "/proc/self/ns/net", bind]);
    std::os::unix::fs::symlink(bind, dir.join("own.link")).unwrap();
    std::fs::write(dir.join("plain"), "").unwrap();
    // Another process in the same namespace, and `ip netns attach` of it.
    let mut sibling = Command::new("sleep").arg("120").spawn().unwrap();
    let sibling_path = format!("/proc/{}/ns/net", sibling.id());
    sb.run_checked("ip", ["netns", "attach", "own", &sibling.id().to_string()]);
    let own = "is the plugin's own network namespace";
    let cases: Vec<(&str, &str, u64, &str, i32)> = vec![
        ("own via /proc/self", "/proc/self/ns/net", 4, own, 0),
        (
            "own via /proc/thread-self",
            "/proc/thread-self/ns/net",
            4,
            own,
            0,
        ),
        ("own via a bind mount", bind, 4, own, 0),
        (
            "own via a symlink to the bind mount",
            "/run/cni-test/own.link",
            4,
            own,
            0,
        ),
        (
            "own via another process's /proc/PID",
            &sibling_path,
            4,
            own,
            0,
        ),
        ("own via ip netns attach", "/run/netns/own", 4, own, 0),
        (
            "a regular file",
            "/run/cni-test/plain",
            3,
            "failed to open netns",
            0,
        ),
        ("a directory", "/run/cni-test", 3, "failed to open netns", 0),
        (
            "a missing path",
            "/run/cni-test/missing",
            3,
            "failed to open netns",
            0,
        ),
        (
            "a mount namespace",
            "/proc/self/ns/mnt",
            4,
            "not a network namespace",
            1,
        ),
    ];
    let conf = bridge_conf("ownns", "10.120.0.0/24");
    let mut with_prev = conf.clone();
    with_prev["prevResult"] = json!({
        "cniVersion": "1.0.0",
        "interfaces": [{"name": "eth0", "sandbox": "/proc/self/ns/net"}],
        "ips": [{"interface": 0, "address": "10.120.0.2/24"}]
    });
    let before = host_links();
    assert_eq!(
        before,
        BTreeSet::from(["lo", "host0", "host0p"].map(String::from))
    );
    for (what, netns, code, msg, del_status) in &cases {
        let (rc, out) = Call::new("ADD", "c1", netns).run(&conf);
        assert_eq!(
            (rc, out["code"].as_u64()),
            (1, Some(*code)),
            "{what}: {out}"
        );
        let text = out["msg"].as_str().unwrap_or("");
        assert!(
            text.contains(msg) && text.contains(&format!("{netns:?}")),
            "{what}: {out}"
        );
        assert_eq!(host_links(), before, "{what}: ADD left links");
        assert!(
            ip_files("ownns").is_empty(),
            "{what}: ADD left an allocation"
        );
        let (rc, out) = Call::new("CHECK", "c1", netns).run(&with_prev);
        assert_eq!(
            (rc, out["code"].as_u64()),
            (1, Some(*code)),
            "CHECK {what}: {out}"
        );
        let del = Call {
            ifname: "host0",
            ..Call::new("DEL", "c1", netns)
        };
        let (rc, out) = del.run(&conf);
        assert_eq!(rc, *del_status, "DEL {what}: {out}");
        assert_eq!(host_links(), before, "DEL {what} deleted a host link");
    }
    // A pod's namespace is wired; the same network and container in the
    // plugin's own namespace only with "allowOwnNetns": true.
    let (pod_ns, p1) = pod(&reg, "p1");
    let (rc, out) = Call::new("ADD", "c2", &p1).run(&conf);
    assert_eq!(rc, 0, "{out}");
    assert!(pod_links(&pod_ns).contains("eth0"));
    assert_eq!(Call::new("DEL", "c2", &p1).run(&conf), (0, Value::Null));
    let mut allowed = conf.clone();
    allowed["allowOwnNetns"] = true.into();
    let (rc, out) = Call::new("ADD", "c3", "/proc/self/ns/net").run(&allowed);
    assert_eq!(rc, 0, "{out}");
    assert!(host_links().contains("eth0"));
    let mut allowed_prev = allowed.clone();
    allowed_prev["prevResult"] = out.clone();
    assert_eq!(
        Call::new("CHECK", "c3", "/proc/self/ns/net").run(&allowed_prev),
        (0, Value::Null)
    );
    assert_eq!(
        Call::new("DEL", "c3", "/proc/self/ns/net").run(&allowed),
        (0, Value::Null)
    );
    let mut after = before.clone();
    after.insert("cni0".to_string());
    assert_eq!(host_links(), after);
    let mut wrong_type = conf.clone();
    wrong_type["allowOwnNetns"] = "yes".into();
    let (rc, out) = Call::new("ADD", "c4", "/proc/self/ns/net").run(&wrong_type);
    assert_eq!((rc, out["code"].as_u64()), (1, Some(7)), "{out}");
    sibling.kill().unwrap();
    sibling.wait().unwrap();
}

/// DEL with `CNI_NETNS` naming the plugin's own namespace and no veth of
/// the attachment left: the interface named by `CNI_IFNAME` there (the
/// host's, as far as the plugin can tell) is not deleted, with or without
/// `allowOwnNetns`; DEL still succeeds and releases the allocation.
#[test]
fn del_in_own_namespace_never_deletes_the_named_interface() {
    let sb = netns_testkit::sandbox();
    sb.run_checked(
        "ip",
        [
            "link", "add", "host0", "type", "veth", "peer", "name", "host0p",
        ],
    );
    let conf = bridge_conf("owndel", "10.121.0.0/24");
    std::fs::create_dir_all(Path::new(DATA).join("owndel")).unwrap();
    std::fs::write(Path::new(DATA).join("owndel/10.121.0.9"), "c1\r\nhost0").unwrap();
    let mut allowed = conf.clone();
    allowed["allowOwnNetns"] = true.into();
    for c in [&conf, &allowed] {
        for netns in ["/proc/self/ns/net", "/proc/thread-self/ns/net"] {
            let del = Call {
                ifname: "host0",
                ..Call::new("DEL", "c1", netns)
            };
            assert_eq!(del.run(c), (0, Value::Null), "{netns}");
            assert!(host_links().contains("host0"), "DEL {netns} deleted host0");
        }
    }
    assert!(ip_files("owndel").is_empty());
}
/// Brings up IPv6 in the sandbox and in `pods` (sysctls set here, not read
/// from the host).
fn enable_ipv6(sb: &netns_testkit::Sandbox, pods: &[&str]) {
    let keys = [
        "net.ipv6.conf.all.disable_ipv6=0",
        "net.ipv6.conf.default.disable_ipv6=0",
    ];
    let mut args = vec!["-qw"];
    args.extend(keys);
    sb.run_checked("sysctl", args.clone());
    for p in pods {
        let mut a = vec!["netns", "exec", p, "sysctl"];
        a.extend(args.iter().copied());
        sb.run_checked("ip", a);
    }
}

/// A container on two bridge networks whose IPAM both give default routes
/// (and the same extra route): the second ADD succeeds, the first
/// network's routes stay (the first one wins), CHECK of both passes, and
/// DEL of the second leaves the first's routes.
#[test]
fn second_bridge_attachment_keeps_the_first_default_route() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let (pod_ns, p1) = pod(&reg, "p1");
    enable_ipv6(&sb, &["p1"]);
    let net = |name: &str, bridge: &str, v4: &str, v6: &str| {
        json!({
            "cniVersion": "1.0.0", "name": name, "type": "netns-cni",
            "bridge": bridge, "isDefaultGateway": true,
            "ipam": {"type": "host-local", "dataDir": DATA,
                     "ranges": [[{"subnet": v4}], [{"subnet": v6}]],
                     "routes": [{"dst": "10.99.0.0/16"}, {"dst": "0.0.0.0/0"}]}
        })
    };
    let a = net("neta", "cni-a", "10.101.0.0/24", "fd00:101::/64");
    let b = net("netb", "cni-b", "10.102.0.0/24", "fd00:102::/64");
    let (rc, ra) = Call::new("ADD", "c1", &p1).run(&a);
    assert_eq!(rc, 0, "{ra}");
    let (rc, rb) = Call {
        ifname: "eth1",
        ..Call::new("ADD", "c1", &p1)
    }
    .run(&b);
    assert_eq!(rc, 0, "second attachment: {rb}");
    assert!(pod_links(&pod_ns).contains("eth1"));
    let v4 = sb.run_checked("ip", ["-n", "p1", "-4", "route"]);
    assert!(v4.contains("default via 10.101.0.1 dev eth0"), "{v4}");
    assert!(!v4.contains("default via 10.102.0.1"), "{v4}");
    assert!(v4.contains("10.99.0.0/16 via 10.101.0.1 dev eth0"), "{v4}");
    let v6 = sb.run_checked("ip", ["-n", "p1", "-6", "route"]);
    assert!(v6.contains("default via fd00:101::1 dev eth0"), "{v6}");
    assert!(!v6.contains("fd00:102::1"), "{v6}");
    for (conf, r, ifname) in [(&a, &ra, "eth0"), (&b, &rb, "eth1")] {
        let mut with_prev = conf.clone();
        with_prev["prevResult"] = r.clone();
        let check = Call {
            ifname,
            ..Call::new("CHECK", "c1", &p1)
        };
        assert_eq!(check.run(&with_prev), (0, Value::Null), "CHECK {ifname}");
    }
    let del_b = Call {
        ifname: "eth1",
        ..Call::new("DEL", "c1", &p1)
    };
    assert_eq!(del_b.run(&b), (0, Value::Null));
    let v4 = sb.run_checked("ip", ["-n", "p1", "-4", "route"]);
    assert!(v4.contains("default via 10.101.0.1 dev eth0"), "{v4}");
    assert_eq!(Call::new("DEL", "c1", &p1).run(&a), (0, Value::Null));
    assert!(ip_files("neta").is_empty() && ip_files("netb").is_empty());
}

/// The same in ptp mode.
#[test]
fn second_ptp_attachment_keeps_the_first_default_route() {
    let sb = netns_testkit::sandbox();
    let reg = registry(&sb);
    let (_pod_ns, p1) = pod(&reg, "p1");
    let net = |name: &str, subnet: &str| {
        json!({
            "cniVersion": "1.0.0", "name": name, "type": "netns-cni", "mode": "ptp",
            "ipam": {"type": "host-local", "dataDir": DATA, "subnet": subnet,
                     "routes": [{"dst": "0.0.0.0/0"}, {"dst": "10.99.0.0/16"}]}
        })
    };
    let c = net("netc", "10.103.0.0/24");
    let d = net("netd", "10.104.0.0/24");
    let (rc, rc_) = Call::new("ADD", "c1", &p1).run(&c);
    assert_eq!(rc, 0, "{rc_}");
    let second = |cmd| Call {
        ifname: "eth1",
        ..Call::new(cmd, "c1", &p1)
    };
    let (rc, rd) = second("ADD").run(&d);
    assert_eq!(rc, 0, "second attachment: {rd}");
    let v4 = sb.run_checked("ip", ["-n", "p1", "-4", "route"]);
    assert!(v4.contains("default via 10.103.0.1 dev eth0"), "{v4}");
    assert!(!v4.contains("default via 10.104.0.1"), "{v4}");
    assert!(v4.contains("10.99.0.0/16 via 10.103.0.1 dev eth0"), "{v4}");
    assert!(
        v4.contains("10.104.0.0/24 via 10.104.0.1 dev eth1"),
        "the second network's own routes: {v4}"
    );
    let mut with_prev = d.clone();
    with_prev["prevResult"] = rd.clone();
    assert_eq!(second("CHECK").run(&with_prev), (0, Value::Null));
    assert_eq!(second("DEL").run(&d), (0, Value::Null));
    assert_eq!(Call::new("DEL", "c1", &p1).run(&c), (0, Value::Null));
    assert!(ip_files("netc").is_empty() && ip_files("netd").is_empty());
}

/// The hardware address `ip neigh` shows for `addr` (in `pod`, or the
/// sandbox itself when `None`), lowercase; empty when there is no entry.
fn neigh_mac(sb: &netns_testkit::Sandbox, pod: Option<&str>, addr: &str) -> String {
    let mut args = Vec::new();
    if let Some(p) = pod {
        args.extend(["-n", p]);
    }
    args.extend(["neigh", "show", "to", addr]);
    let out = sb.run_checked("ip", args);
    out.split_whitespace()
        .skip_while(|w| *w != "lladdr")
        .nth(1)
        .unwrap_or_default()
        .to_lowercase()
}

/// A container restarted with the same addresses and a new veth (new MAC):
/// its neighbours' entries (another pod's, the bridge's in the host) hold
/// the old MAC until ADD's gratuitous ARP and unsolicited NA, sent from
/// inside the new pod, replace it: right after ADD, `ip neigh` shows the
/// new MAC for both addresses, before the new pod sent anything else.
#[test]
fn add_announces_the_addresses_to_stale_neighbours() {
    let sb = netns_testkit::sandbox();
    sb.run_checked("ip", ["link", "set", "lo", "up"]);
    let reg = registry(&sb);
    let (_n1, p1) = pod(&reg, "p1");
    let (_n2, p2) = pod(&reg, "p2");
    let (_n3, p3) = pod(&reg, "p3");
    enable_ipv6(&sb, &["p1", "p2", "p3"]);
    let conf = json!({
        "cniVersion": "1.0.0", "name": "garp", "type": "bridge", "bridge": "cni-g",
        "isGateway": true,
        "ipam": {"type": "host-local", "dataDir": DATA,
                 "ranges": [[{"subnet": "10.77.0.0/24"}], [{"subnet": "fd00:77::/64"}]]}
    });
    let (rc, r1) = Call::new("ADD", "c1", &p1).run(&conf);
    assert_eq!(rc, 0, "{r1}");
    let (rc, r2) = Call::new("ADD", "c2", &p2).run(&conf);
    assert_eq!(rc, 0, "{r2}");
    let addr = |r: &Value, i: usize| {
        r["ips"][i]["address"]
            .as_str()
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string()
    };
    let (v4, v6) = (addr(&r1, 0), addr(&r1, 1));
    let old_mac = r1["interfaces"][2]["mac"].as_str().unwrap().to_lowercase();
    // Entries for c1's addresses in p2 and in the host (the bridge).
    assert!(ping(&sb, "p2", &v4) && ping(&sb, "p2", &v6));
    sb.run_checked("ping", ["-c1", "-W2", &v4]);
    sb.run_checked("ping", ["-c1", "-W2", &v6]);
    for (pod, a) in [
        (Some("p2"), &v4),
        (Some("p2"), &v6),
        (None, &v4),
        (None, &v6),
    ] {
        assert_eq!(neigh_mac(&sb, pod, a), old_mac, "{pod:?} {a} before");
    }
    // The "restart": c1 goes, c3 comes in a new pod with the same addresses.
    assert_eq!(Call::new("DEL", "c1", &p1).run(&conf), (0, Value::Null));
    let ask = format!("IP={v4},{v6}");
    let (rc, r3) = Call {
        args: &ask,
        ..Call::new("ADD", "c3", &p3)
    }
    .run(&conf);
    assert_eq!(rc, 0, "{r3}");
    assert_eq!((addr(&r3, 0), addr(&r3, 1)), (v4.clone(), v6.clone()));
    let new_mac = r3["interfaces"][2]["mac"].as_str().unwrap().to_lowercase();
    assert_ne!(new_mac, old_mac);
    let seen: Vec<String> = [
        (Some("p2"), &v4),
        (Some("p2"), &v6),
        (None, &v4),
        (None, &v6),
    ]
    .iter()
    .map(|(pod, a)| neigh_mac(&sb, *pod, a))
    .collect();
    assert_eq!(seen, vec![new_mac.clone(); 4], "old {old_mac}");
    for (id, p) in [("c2", &p2), ("c3", &p3)] {
        assert_eq!(Call::new("DEL", id, p).run(&conf), (0, Value::Null));
    }
    assert!(ip_files("garp").is_empty());
}
