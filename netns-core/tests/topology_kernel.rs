//! Topologies against the kernel, each test in its own sandbox: every
//! example applies, checks and destroys cleanly; a second apply changes
//! nothing; an edited file changes only what changed; a failure injected at
//! every step of an apply leaves the sandbox exactly as before.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use netns_core::topology::{DriftKind, Options, Topology};
use netns_core::{Handle, Registry};

const EXAMPLES: [&str; 4] = [
    "walkthrough.toml",
    "bridge-nat.toml",
    "routed-chain.toml",
    "lab-dns.toml",
];

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(name)
}

fn options(sb: &netns_testkit::Sandbox) -> Options {
    Options::new()
        .registry(Registry::new(sb.run_dir(), sb.etc_dir()))
        .state_dir("/run/netns-topology-test")
        .fail_at(None)
}

/// Everything an apply may touch, as seen from the sandbox's root.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    namespaces: Vec<String>,
    root_links: BTreeSet<String>,
    root_addresses: BTreeSet<String>,
    nft_tables: Vec<String>,
    etc: BTreeSet<String>,
    state: BTreeSet<String>,
    sysctls: Vec<String>,
}

fn walk(dir: &Path, out: &mut BTreeSet<String>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            let content = std::fs::read_to_string(&p).unwrap_or_default();
            out.insert(format!("{} {}", p.display(), content.len()));
            if p.is_dir() {
                walk(&p, out);
            }
        }
    }
}

fn snapshot(sb: &netns_testkit::Sandbox) -> Snapshot {
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let mut h = Handle::current().unwrap();
    let root_links = h
        .links()
        .unwrap()
        .map(|l| {
            format!(
                "{} {:?} up={} mtu={:?}",
                l.name(),
                l.kind(),
                l.flags().is_up(),
                l.mtu()
            )
        })
        .collect();
    let root_addresses = h
        .addresses(netns_core::addr::AddressFilter::new())
        .unwrap()
        .map(|a| format!("{} {:?}", a.ifindex(), a.net()))
        .collect();
    let mut etc = BTreeSet::new();
    walk(sb.etc_dir(), &mut etc);
    let mut state = BTreeSet::new();
    walk(Path::new("/run/netns-topology-test"), &mut state);
    Snapshot {
        namespaces: reg.names().unwrap(),
        root_links,
        root_addresses,
        nft_tables: netns_core::nat::tables().unwrap(),
        etc,
        state,
        sysctls: ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"]
            .iter()
            .map(|k| format!("{k}={}", netns_core::sysctl::get(k).unwrap()))
            .collect(),
    }
}

#[test]
fn every_example_applies_checks_and_destroys_cleanly() {
    let sb = netns_testkit::sandbox();
    let before = snapshot(&sb);
    for name in EXAMPLES {
        let topo = Topology::from_path(example(name)).unwrap();
        let report = topo.apply(&mut options(&sb)).unwrap();
        assert!(!report.changes.is_empty(), "{name}: nothing applied");
        let status = topo.status(&options(&sb)).unwrap();
        assert!(status.is_clean(), "{name}: drift after apply:\n{status}");
        let check = topo.check(&options(&sb)).unwrap();
        assert!(check.ok(), "{name}: check failed:\n{check}");
        assert!(
            !check.results.is_empty(),
            "{name}: check sent no probe at all"
        );
        for ns in topo.namespaces() {
            assert!(sb.run_dir().join(&ns.name).exists(), "{name}: {}", ns.name);
        }
        let gone = topo.destroy(&options(&sb)).unwrap();
        assert!(!gone.removed.is_empty());
        assert_eq!(snapshot(&sb), before, "{name}: destroy left something");
        // Destroying again finds nothing to remove.
        assert!(topo.destroy(&options(&sb)).unwrap().removed.is_empty());
    }
}

#[test]
fn lab_files_and_forwarding_are_really_set() {
    let sb = netns_testkit::sandbox();
    let topo = Topology::from_path(example("lab-dns.toml")).unwrap();
    topo.apply(&mut options(&sb)).unwrap();
    let resolv = std::fs::read_to_string(sb.etc_dir().join("client/resolv.conf")).unwrap();
    assert_eq!(resolv, "nameserver 10.40.0.53\nsearch lab.test\n");
    let hosts = std::fs::read_to_string(sb.etc_dir().join("client/hosts")).unwrap();
    assert!(hosts.contains("10.40.0.53  dns.lab.test dns"));
    assert_eq!(netns_core::sysctl::get("net.ipv4.ip_forward").unwrap(), "1");
    assert!(netns_core::nat::tables()
        .unwrap()
        .contains(&"ip netns-lab-dns-lab-client".to_string()));
    // The route with a metric, as the kernel has it.
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let mut h = reg.open("dns").unwrap().handle().unwrap();
    let routes: Vec<_> = h
        .routes(Some(netns_core::route::RouteTable::MAIN), None)
        .unwrap()
        .map(|r| (r.is_default(), r.gateway(), r.metric()))
        .collect();
    assert!(routes.contains(&(true, Some("10.40.0.1".parse().unwrap()), Some(100))));
    drop(h);
    topo.destroy(&options(&sb)).unwrap();
    assert!(!sb.etc_dir().join("client").exists());
    assert_eq!(netns_core::sysctl::get("net.ipv4.ip_forward").unwrap(), "0");
}

#[test]
fn a_second_apply_changes_nothing() {
    let sb = netns_testkit::sandbox();
    for name in EXAMPLES {
        let topo = Topology::from_path(example(name)).unwrap();
        topo.apply(&mut options(&sb)).unwrap();
        let again = topo.apply(&mut options(&sb)).unwrap();
        assert_eq!(again.changes, Vec::<String>::new(), "{name}");
        topo.destroy(&options(&sb)).unwrap();
    }
}

#[test]
fn an_edited_file_changes_only_what_changed() {
    let sb = netns_testkit::sandbox();
    let text = std::fs::read_to_string(example("routed-chain.toml")).unwrap();
    let topo = Topology::from_str(&text).unwrap();
    topo.apply(&mut options(&sb)).unwrap();

    // A new MTU on one end, a moved address on the other link.
    let edited = text
        .replace(
            "name = \"to-right\", address = \"10.0.2.2/24\"",
            "name = \"to-right\", address = \"10.0.2.2/24\", mtu = 1300",
        )
        .replace("10.0.2.1/24", "10.0.2.3/24");
    let topo2 = Topology::from_str(&edited).unwrap();
    let status = topo2.status(&options(&sb)).unwrap();
    assert!(!status.is_clean());
    let kinds: BTreeSet<DriftKind> = status.drift.iter().map(|d| d.kind).collect();
    assert!(kinds.contains(&DriftKind::Different) && kinds.contains(&DriftKind::Extra));
    let report = topo2.apply(&mut options(&sb)).unwrap();
    assert_eq!(
        report.changes,
        vec![
            "set link \"to-right\" in mid mtu 1300".to_string(),
            "delete address 10.0.2.1/24 from \"eth0\" in right".to_string(),
            "add address 10.0.2.3/24 to \"eth0\" in right".to_string(),
            // The kernel flushed it with the device's last IPv4 address.
            "add route default via 10.0.2.2 in right".to_string(),
        ]
    );
    assert!(topo2.check(&options(&sb)).unwrap().ok());
    let status = topo2.status(&options(&sb)).unwrap();
    assert!(status.is_clean(), "{status}");
    // Back to the original (an undeclared MTU is left as it is).
    assert_eq!(
        topo.apply(&mut options(&sb)).unwrap().changes,
        vec![
            "delete address 10.0.2.3/24 from \"eth0\" in right".to_string(),
            "add address 10.0.2.1/24 to \"eth0\" in right".to_string(),
            "add route default via 10.0.2.2 in right".to_string(),
        ]
    );
    assert!(topo.check(&options(&sb)).unwrap().ok());
    topo.destroy(&options(&sb)).unwrap();
}

#[test]
fn a_failure_at_any_step_leaves_the_sandbox_as_before() {
    let sb = netns_testkit::sandbox();
    for name in ["lab-dns.toml", "bridge-nat.toml"] {
        let topo = Topology::from_path(example(name)).unwrap();
        let before = snapshot(&sb);
        let total = topo.plan(&options(&sb)).unwrap().len();
        assert!(total > 10, "{name}: {total} steps");
        for k in 0..total {
            let err = topo
                .apply(&mut options(&sb).fail_at(Some(k)))
                .expect_err("the injected failure must fail the apply");
            let text = err.to_string();
            assert!(
                text.contains(&format!("step {} of {total} (", k + 1)),
                "{name}: step {k}: {text}"
            );
            assert!(
                text.contains("injected failure (fail_at test hook); the "),
                "{text}"
            );
            assert_eq!(snapshot(&sb), before, "{name}: failure at step {k}: {text}");
        }
        // And without the failure, it all applies.
        assert_eq!(topo.apply(&mut options(&sb)).unwrap().changes.len(), total);
        topo.destroy(&options(&sb)).unwrap();
        assert_eq!(snapshot(&sb), before);
    }
}

#[test]
fn a_kernel_refusal_mid_apply_is_undone_and_named() {
    let sb = netns_testkit::sandbox();
    // The sysctl of a device that does not exist: refused by the kernel
    // (no such file under /proc/sys), after namespaces, a veth pair and
    // addresses were made.
    let text = r#"
name = "refused"
[[namespace]]
name = "x"
[[link]]
a = { netns = "x", name = "eth0", address = "10.9.0.1/24" }
b = { name = "x-root", address = "10.9.0.2/24" }
[[namespace]]
name = "y"
sysctls = { "net.ipv4.conf.nosuchdev.forwarding" = 1 }
"#;
    let before = snapshot(&sb);
    let topo = Topology::from_str(text).unwrap();
    let err = topo.apply(&mut options(&sb)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("set sysctl net.ipv4.conf.nosuchdev.forwarding=1 in y"),
        "{msg}"
    );
    assert!(msg.contains("undone"), "{msg}");
    assert_eq!(snapshot(&sb), before);
}

#[test]
fn plan_refuses_a_link_of_the_wrong_kind() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    h.bridge("veth0").unwrap();
    let topo = Topology::from_path(example("walkthrough.toml")).unwrap();
    let before = snapshot(&sb);
    let err = topo.apply(&mut options(&sb)).unwrap_err().to_string();
    assert!(err.contains("is a bridge, not a veth"), "{err}");
    assert_eq!(snapshot(&sb), before);
}

#[test]
fn a_failure_at_any_step_of_an_edit_leaves_the_previous_state() {
    let sb = netns_testkit::sandbox();
    let text = std::fs::read_to_string(example("routed-chain.toml")).unwrap();
    let topo = Topology::from_str(&text).unwrap();
    topo.apply(&mut options(&sb)).unwrap();
    let edited = text
        .replace("mtu = 1400 }", "mtu = 1300 }")
        .replace("10.0.2.1/24", "10.0.2.3/24")
        .replace(
            "\"net.ipv4.ip_forward\" = 1",
            "\"net.ipv4.ip_forward\" = 1, \"net.ipv4.conf.all.rp_filter\" = 2",
        );
    let topo2 = Topology::from_str(&edited).unwrap();
    let total = topo2.plan(&options(&sb)).unwrap().len();
    assert!(total >= 5, "{total}");
    for k in 0..total {
        let err = topo2
            .apply(&mut options(&sb).fail_at(Some(k)))
            .unwrap_err()
            .to_string();
        assert!(err.contains(&format!("step {} of {total}", k + 1)), "{err}");
        let status = topo.status(&options(&sb)).unwrap();
        assert!(status.is_clean(), "failure at step {k}: {err}\n{status}");
        assert!(topo.check(&options(&sb)).unwrap().ok(), "step {k}");
    }
    topo.destroy(&options(&sb)).unwrap();
}
