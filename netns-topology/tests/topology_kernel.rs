//! Topologies against the kernel, each test in its own sandbox: every
//! example applies, checks and destroys cleanly; a second apply changes
//! nothing; an edited file changes only what changed; a failure injected at
//! every step of an apply leaves the sandbox exactly as before.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use netns_core::{Handle, Registry};
use netns_topology::{DriftKind, Options, Topology};

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
        nft_tables: netns_topology::nat::tables().unwrap(),
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
    // Off before the apply, so that its change shows (a new namespace copies
    // ip_forward from the host's, and a Docker host forwards).
    netns_core::sysctl::set("net.ipv4.ip_forward", "0").unwrap();
    let topo = Topology::from_path(example("lab-dns.toml")).unwrap();
    let report = topo.apply(&mut options(&sb)).unwrap();
    assert!(
        report.changes.iter().any(|c| c.contains("ip_forward")),
        "{:?}",
        report.changes
    );
    let resolv = std::fs::read_to_string(sb.etc_dir().join("client/resolv.conf")).unwrap();
    assert_eq!(resolv, "nameserver 10.40.0.53\nsearch lab.test\n");
    let hosts = std::fs::read_to_string(sb.etc_dir().join("client/hosts")).unwrap();
    assert!(hosts.contains("10.40.0.53  dns.lab.test dns"));
    assert_eq!(netns_core::sysctl::get("net.ipv4.ip_forward").unwrap(), "1");
    assert!(netns_topology::nat::tables()
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

/// Forwarding that was on before the apply is not planned, and the destroy
/// leaves it on: what a Docker or Kubernetes host has.
#[test]
fn forwarding_already_on_is_left_on() {
    let sb = netns_testkit::sandbox();
    netns_core::sysctl::set("net.ipv4.ip_forward", "1").unwrap();
    let topo = Topology::from_path(example("lab-dns.toml")).unwrap();
    let report = topo.apply(&mut options(&sb)).unwrap();
    assert!(
        !report.changes.iter().any(|c| c.contains("ip_forward")),
        "{:?}",
        report.changes
    );
    assert_eq!(netns_core::sysctl::get("net.ipv4.ip_forward").unwrap(), "1");
    topo.destroy(&options(&sb)).unwrap();
    assert_eq!(netns_core::sysctl::get("net.ipv4.ip_forward").unwrap(), "1");
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

/// W(n) as the benchmark's apply runner writes it: n namespaces, each with
/// a veth pair (eth0 inside, bvI in root with a /32).
fn w_topology(n: usize) -> String {
    let mut t = String::from("name = \"w\"\n");
    for i in 0..n {
        t.push_str(&format!("[[namespace]]\nname = \"w{i}\"\n"));
    }
    for i in 0..n {
        t.push_str(&format!(
            "[[link]]\na = {{ netns = \"w{i}\", name = \"eth0\" }}\n\
             b = {{ name = \"bv{i}\", address = \"10.77.{}.{}/32\" }}\n",
            (i + 1) >> 8,
            (i + 1) & 255
        ));
    }
    t
}

#[test]
fn many_namespaces_apply_in_batches_and_destroy_at_once() {
    let sb = netns_testkit::sandbox();
    let n = 40;
    let topo = Topology::from_str(&w_topology(n)).unwrap();
    let before = snapshot(&sb);
    let plan = topo.plan(&options(&sb)).unwrap();
    // n namespaces, n lo up, n veths, n host ends up, n addresses.
    assert_eq!(plan.len(), 5 * n);
    let report = topo.apply(&mut options(&sb)).unwrap();
    assert_eq!(report.changes.len(), 5 * n);
    assert!(topo.status(&options(&sb)).unwrap().is_clean());
    // As the kernel has it: every host end up with its address, every
    // inner end up and the peer of its host end.
    let mut h = Handle::current().unwrap();
    let host: Vec<(String, bool)> = h
        .links()
        .unwrap()
        .filter(|l| l.name().starts_with("bv"))
        .map(|l| (l.name().to_string(), l.flags().is_up()))
        .collect();
    assert_eq!(host.len(), n);
    assert!(host.iter().all(|(_, up)| *up), "{host:?}");
    let v4 = h
        .addresses(netns_core::addr::AddressFilter::new())
        .unwrap()
        .filter(|a| a.net().is_some_and(|x| x.to_string().starts_with("10.77.")))
        .count();
    assert_eq!(v4, n);
    let out = sb.run_checked("ip", ["-n", "w7", "-o", "link", "show", "eth0"]);
    assert!(out.contains("state UP") || out.contains(",UP"), "{out}");
    assert!(out.contains("eth0@if"), "{out}");
    for i in [0, n / 2, n - 1] {
        let out = sb.run_checked("ip", ["-n", &format!("w{i}"), "-o", "link", "show", "lo"]);
        assert!(out.contains(",UP"), "lo of w{i}: {out}");
    }
    // Idempotent.
    assert!(topo.apply(&mut options(&sb)).unwrap().changes.is_empty());
    // Destroy: root back as before, no namespace left; twice is a no-op.
    let gone = topo.destroy(&options(&sb)).unwrap();
    assert_eq!(gone.removed.len(), 2 * n);
    assert_eq!(snapshot(&sb), before);
    // As `ip` sees it the moment destroy returns: only the sandbox's lo
    // (the namespaces' own teardown is the kernel's, later).
    let links = sb.run_checked("ip", ["-o", "link", "show"]);
    assert_eq!(links.lines().count(), 1, "{links}");
    assert!(links.contains(": lo:"), "{links}");
    assert!(topo.destroy(&options(&sb)).unwrap().removed.is_empty());
}

#[test]
fn a_failure_inside_each_batch_of_many_is_undone() {
    let sb = netns_testkit::sandbox();
    let n = 12;
    let topo = Topology::from_str(&w_topology(n)).unwrap();
    let before = snapshot(&sb);
    let total = 5 * n;
    // First, middle and last step of each batched run (namespaces, lo up
    // and veths made with their namespaces, host ends up, addresses).
    let mut at = Vec::new();
    for run in 0..5 {
        at.extend([run * n, run * n + n / 2, run * n + n - 1]);
    }
    for k in at {
        let err = topo
            .apply(&mut options(&sb).fail_at(Some(k)))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("step {} of {total} (", k + 1)),
            "step {k}: {err}"
        );
        // Exactly the steps before K were made, and undone.
        assert!(err.contains(&format!("the {k} change")), "step {k}: {err}");
        assert_eq!(snapshot(&sb), before, "failure at step {k}: {err}");
    }
}

#[test]
fn a_kernel_refusal_inside_a_batch_names_its_step_and_is_undone() {
    let sb = netns_testkit::sandbox();
    let n = 6;
    // Host end 3 gets an IPv6 address, and new links in the sandbox's root
    // have IPv6 disabled: its add, in the middle of the address batch, is
    // refused by the kernel.
    let text = w_topology(n).replace("10.77.0.4/32", "fd00::4/128");
    let topo = Topology::from_str(&text).unwrap();
    let key = "net.ipv6.conf.default.disable_ipv6";
    let old = netns_core::sysctl::get(key).unwrap();
    netns_core::sysctl::set(key, "1").unwrap();
    let before = snapshot(&sb);
    let err = topo.apply(&mut options(&sb)).unwrap_err().to_string();
    netns_core::sysctl::set(key, &old).unwrap();
    assert!(
        err.contains(&format!(
            "step {} of {} (add address fd00::4/128 to \"bv3\" in root)",
            4 * n + 4,
            5 * n
        )),
        "{err}"
    );
    assert!(err.contains("IPv6 is disabled"), "the kernel's text: {err}");
    assert!(err.contains("undone"), "{err}");
    assert_eq!(snapshot(&sb), before);
}

/// `ip -n NS -o link show lo` says UP.
fn lo_is_up(sb: &netns_testkit::Sandbox, ns: &str) -> bool {
    let out = sb.run_checked("ip", ["-n", ns, "-o", "link", "show", "lo"]);
    out.contains(",UP") || out.contains("<UP")
}

#[test]
fn lo_is_up_in_every_new_namespace_and_127_0_0_1_answers() {
    let sb = netns_testkit::sandbox();
    let topo = Topology::from_path(example("routed-chain.toml")).unwrap();
    let plan = topo.plan(&options(&sb)).unwrap();
    for ns in topo.namespaces() {
        let step = format!("set link \"lo\" in {} up", ns.name);
        assert!(plan.steps().contains(&step), "{:?}", plan.steps());
    }
    topo.apply(&mut options(&sb)).unwrap();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    for ns in topo.namespaces() {
        assert!(lo_is_up(&sb, &ns.name), "{}", ns.name);
        let rtt = netns_topology::ping(
            &reg.open(&ns.name).unwrap(),
            None,
            "127.0.0.1".parse().unwrap(),
            std::time::Duration::from_secs(1),
        );
        assert!(rtt.is_ok(), "{}: {rtt:?}", ns.name);
    }
    // Reapplied: nothing to do, lo included.
    assert!(topo.apply(&mut options(&sb)).unwrap().changes.is_empty());

    // Someone brings lo down: status names it, 127.0.0.1 is unreachable,
    // and an apply brings it back with one change.
    sb.run_checked("ip", ["-n", "mid", "link", "set", "lo", "down"]);
    let status = topo.status(&options(&sb)).unwrap();
    assert_eq!(status.pending_changes, 1, "{status}");
    assert!(
        status
            .drift
            .iter()
            .any(|d| d.kind == DriftKind::Different && d.object == "link \"lo\" in mid"),
        "{status}"
    );
    let mid = reg.open("mid").unwrap();
    let timeout = std::time::Duration::from_millis(300);
    let down = netns_topology::ping(&mid, None, "127.0.0.1".parse().unwrap(), timeout);
    assert!(down.is_err(), "127.0.0.1 answered with lo down");
    assert_eq!(
        topo.apply(&mut options(&sb)).unwrap().changes,
        vec!["set link \"lo\" in mid up".to_string()]
    );
    assert!(lo_is_up(&sb, "mid"));
    assert!(topo.check(&options(&sb)).unwrap().ok());
    topo.destroy(&options(&sb)).unwrap();
}

#[test]
fn lo_down_is_left_down_and_kept_down() {
    let sb = netns_testkit::sandbox();
    let text = std::fs::read_to_string(example("walkthrough.toml"))
        .unwrap()
        .replace("name = \"netns1\"\n", "name = \"netns1\"\nlo = \"down\"\n");
    let topo = Topology::from_str(&text).unwrap();
    assert!(!topo.namespaces()[0].lo_up);
    let report = topo.apply(&mut options(&sb)).unwrap();
    assert!(
        !report.changes.iter().any(|c| c.contains("\"lo\"")),
        "{:?}",
        report.changes
    );
    assert!(!lo_is_up(&sb, "netns1"));
    assert!(topo.status(&options(&sb)).unwrap().is_clean());
    // Brought up by hand: drift, and apply takes it down again.
    sb.run_checked("ip", ["-n", "netns1", "link", "set", "lo", "up"]);
    let status = topo.status(&options(&sb)).unwrap();
    assert!(!status.is_clean(), "{status}");
    assert_eq!(
        topo.apply(&mut options(&sb)).unwrap().changes,
        vec!["set link \"lo\" in netns1 down".to_string()]
    );
    assert!(!lo_is_up(&sb, "netns1"));
    // The file with lo up (the default) and a moved address: lo comes up
    // first, and a failure after it puts it back down.
    let up = Topology::from_str(
        &text
            .replace("lo = \"down\"\n", "")
            .replace("10.1.1.1/24", "10.1.1.3/24"),
    )
    .unwrap();
    let plan = up.plan(&options(&sb)).unwrap();
    assert_eq!(plan.steps()[0], "set link \"lo\" in netns1 up");
    assert_eq!(plan.len(), 3, "{:?}", plan.steps());
    let err = up
        .apply(&mut options(&sb).fail_at(Some(1)))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the 1 change made before were undone"),
        "{err}"
    );
    assert!(!lo_is_up(&sb, "netns1"), "undo left lo up");
    topo.destroy(&options(&sb)).unwrap();
}

/// The device group of root link `name`, as `ip -d link show` prints it.
fn group_of(sb: &netns_testkit::Sandbox, name: &str) -> String {
    let out = sb.run_checked("ip", ["-d", "-o", "link", "show", name]);
    let words: Vec<&str> = out.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "group").unwrap();
    words[at + 1].to_string()
}

#[test]
fn root_links_are_born_in_one_group_and_destroy_deletes_only_the_files_links() {
    let sb = netns_testkit::sandbox();
    let n = 5;
    let topo = Topology::from_str(&w_topology(n)).unwrap();
    topo.apply(&mut options(&sb)).unwrap();
    let group = group_of(&sb, "bv0");
    assert_ne!(group, "default");
    for i in 1..n {
        assert_eq!(group_of(&sb, &format!("bv{i}")), group);
    }
    // A link that is not the file's joins the group: destroy must not take
    // it with the group, and still removes every link of the file.
    sb.run_checked("ip", ["link", "add", "foreign", "type", "bridge"]);
    sb.run_checked("ip", ["link", "set", "foreign", "group", &group]);
    let gone = topo.destroy(&options(&sb)).unwrap();
    assert_eq!(gone.removed.len(), 2 * n);
    let links = sb.run_checked("ip", ["-o", "link", "show"]);
    let names: Vec<&str> = links.lines().filter_map(|l| l.split(": ").nth(1)).collect();
    assert_eq!(names, ["lo", "foreign"], "{links}");
    sb.run_checked("ip", ["link", "del", "foreign"]);
}

/// Issue 12: a namespace that existed before the first apply is refused
/// (nothing changed) unless adopted; destroy then leaves it, and status says
/// who owns what.
#[test]
fn a_namespace_that_existed_is_refused_unless_adopted_and_left_by_destroy() {
    let sb = netns_testkit::sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    reg.add("netns1").unwrap();
    let before = snapshot(&sb);
    let topo = Topology::from_path(example("walkthrough.toml")).unwrap();
    let err = topo.apply(&mut options(&sb)).unwrap_err().to_string();
    assert!(
        err.contains(
            "namespace \"netns1\": exists and was not created by topology \"walkthrough\""
        ),
        "{err}"
    );
    assert_eq!(snapshot(&sb), before, "a refused apply changed something");
    let status = topo.status(&options(&sb)).unwrap();
    assert!(
        status.drift.iter().any(|d| d.kind == DriftKind::Conflict),
        "{status}"
    );

    topo.apply(&mut options(&sb).adopt(true)).unwrap();
    assert!(topo.apply(&mut options(&sb)).unwrap().changes.is_empty());
    let status = topo.status(&options(&sb)).unwrap();
    assert!(status.is_clean(), "{status}");
    assert_eq!(
        status.ownership.namespaces.get("netns1"),
        Some(&netns_topology::Held::Adopted)
    );
    assert_eq!(
        status.ownership.links.get("root/veth0"),
        Some(&netns_topology::Held::Created)
    );
    topo.destroy(&options(&sb)).unwrap();
    assert_eq!(reg.names().unwrap(), vec!["netns1".to_string()]);
    let mut h = reg.open("netns1").unwrap().handle().unwrap();
    let inside: Vec<String> = h.links().unwrap().map(|l| l.name().to_string()).collect();
    assert_eq!(inside, vec!["lo".to_string()], "links apply made in it");
    assert!(!sb.link_names().contains(&"veth0".to_string()));
}

/// Issue 12: `/etc/netns` files are never written through a symbolic link,
/// neither a link at the file nor at the namespace's directory.
#[test]
fn etc_files_are_never_written_through_a_symlink() {
    let sb = netns_testkit::sandbox();
    let victim = sb.etc_dir().join("victim");
    std::fs::write(&victim, "precious\n").unwrap();
    let topo = Topology::from_path(example("lab-dns.toml")).unwrap();
    let client = sb.etc_dir().join("client");
    for planted in ["file", "directory"] {
        let _ = std::fs::remove_dir_all(&client);
        let _ = std::fs::remove_file(&client);
        if planted == "file" {
            std::fs::create_dir(&client).unwrap();
            std::os::unix::fs::symlink(&victim, client.join("resolv.conf")).unwrap();
        } else {
            std::os::unix::fs::symlink(sb.etc_dir().join("elsewhere"), &client).unwrap();
        }
        let before = snapshot(&sb);
        let err = topo.apply(&mut options(&sb)).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{planted}: {err}");
        assert!(
            err.contains(&client.display().to_string()),
            "{planted}: {err}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
        assert!(!sb.etc_dir().join("elsewhere").exists());
        assert_eq!(
            snapshot(&sb),
            before,
            "{planted}: the refused apply changed something"
        );
    }
}

/// Issue 12: a stale registry entry (what an add killed before its mount
/// leaves) is a missing namespace for status and is replaced by apply.
#[test]
fn a_stale_entry_is_missing_for_status_and_replaced_by_apply() {
    let sb = netns_testkit::sandbox();
    let entry = sb.run_dir().join("netns1");
    std::fs::File::create(&entry).unwrap();
    std::fs::set_permissions(&entry, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    let topo = Topology::from_path(example("walkthrough.toml")).unwrap();
    let status = topo.status(&options(&sb)).unwrap();
    assert!(
        status
            .drift
            .iter()
            .any(|d| d.kind == DriftKind::Missing && d.detail.contains("stale entry")),
        "{status}"
    );
    topo.apply(&mut options(&sb)).unwrap();
    assert!(topo.check(&options(&sb)).unwrap().ok());
    topo.destroy(&options(&sb)).unwrap();
    sb.assert_clean();
}
