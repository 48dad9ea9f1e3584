//! `netns demo`: the walk-through of "Namespaces in operation, part 7" step
//! by step, each step shown as the `ip` line it replaces followed by its
//! output, then a three-namespace topology with a bridge and a NAT uplink,
//! checked. Everything runs in a throwaway sandbox on a dedicated thread
//! (`unshare(CLONE_NEWNS | CLONE_NEWNET)`, a private tmpfs on `/run`): when
//! the thread ends, the sandbox and everything in it vanish.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use netns_core::Registry;
use netns_topology::{ping_here, Options, Topology};
use nix::mount::{mount, MsFlags};
use nix::sched::{unshare, CloneFlags};

use crate::netns::NsCommand;
use crate::output::Output;
use crate::Context;

/// The demo's topology (also `examples/bridge-nat.toml`).
const TOPOLOGY: &str = include_str!("../../examples/bridge-nat.toml");

const RUN_DIR: &str = "/run/netns";
const ETC_DIR: &str = "/run/netns-demo-etc";
const STATE_DIR: &str = "/run/netns-topology";

/// Runs the demo on a sandboxed thread; returns the exit status.
pub fn run() -> u8 {
    let start = Instant::now();
    let result = std::thread::Builder::new()
        .name("netns-demo".into())
        .spawn(|| sandbox().and_then(|()| demo()))
        .map_err(|e| format!("cannot start the demo thread: {e}"))
        .and_then(|t| t.join().unwrap_or_else(|_| Err("the demo panicked".into())));
    match result {
        Ok(()) => {
            println!(
                "\ndemo: done in {:.2} s; the sandbox and everything in it are gone",
                start.elapsed().as_secs_f64()
            );
            0
        }
        Err(e) => {
            eprintln!("demo: FAILED: {e}");
            1
        }
    }
}

/// Moves this thread into a private mount + network namespace with a tmpfs
/// on /run (nothing made inside reaches the host).
fn sandbox() -> Result<(), String> {
    unshare(CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWNET)
        .map_err(|e| format!("unshare(CLONE_NEWNS | CLONE_NEWNET): {e} (the demo needs root)"))?;
    let none = None::<&str>;
    mount(none, "/", none, MsFlags::MS_REC | MsFlags::MS_PRIVATE, none)
        .map_err(|e| format!("making / private: {e}"))?;
    mount(
        Some("netns-demo"),
        "/run",
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some("mode=0755"),
    )
    .map_err(|e| format!("tmpfs on /run: {e}"))?;
    for d in [RUN_DIR, ETC_DIR] {
        std::fs::create_dir_all(d).map_err(|e| format!("mkdir {d}: {e}"))?;
    }
    Ok(())
}

fn header(ip: &str) {
    println!("\n$ {ip}");
}

fn ping_step(ns: Option<&str>, reg: &Registry, dst: &str, expect_ok: bool) -> Result<(), String> {
    let line = match ns {
        Some(n) => format!("ip netns exec {n} ping -c 1 {dst}"),
        None => format!("ping -c 1 {dst}"),
    };
    header(&line);
    let ip: IpAddr = dst.parse().map_err(|_| format!("bad address {dst}"))?;
    let attempt = || -> netns_core::Result<Duration> {
        match ns {
            Some(n) => netns_topology::ping(&reg.open(n)?, None, ip, Duration::from_secs(1)),
            None => ping_here(None, ip, Duration::from_secs(1)),
        }
    };
    let mut r = attempt();
    if expect_ok && r.is_err() {
        r = attempt();
    }
    match (r, expect_ok) {
        (Ok(rtt), true) => {
            println!(
                "reply from {dst}: icmp_seq=1 time={:.3} ms",
                rtt.as_secs_f64() * 1000.0
            );
            Ok(())
        }
        (Err(e), false) => {
            let text = e
                .errno()
                .map(|e| e.desc().to_string())
                .unwrap_or_else(|| e.to_string());
            println!("connect: {text}");
            Ok(())
        }
        (Ok(_), false) => Err(format!("{line}: answered, but lo is down and should not")),
        (Err(e), true) => Err(format!("{line}: {e}")),
    }
}

fn demo() -> Result<(), String> {
    let reg = Registry::new(RUN_DIR, ETC_DIR);
    walkthrough(&reg)?;
    bridge_nat(&reg)
}

/// Part 1: the LWN walk-through, each `ip` line done by the library.
fn walkthrough(reg: &Registry) -> Result<(), String> {
    let out = Output::new(false, false);
    let root = Context {
        registry: reg.clone(),
        netns: None,
        out,
        options: Default::default(),
    };
    let in_ns1 = Context {
        registry: reg.clone(),
        netns: Some("netns1".into()),
        out,
        options: Default::default(),
    };
    let step = |ip: &str, ctx: &Context, what: fn(&Context, &[String]) -> u8, args: &str| {
        header(ip);
        let args: Vec<String> = args.split_whitespace().map(str::to_owned).collect();
        match what(ctx, &args) {
            0 => Ok(()),
            s => Err(format!("{ip}: exit status {s}")),
        }
    };
    let ns_cmd = |ip: &str, cmd: NsCommand| {
        header(ip);
        match crate::netns::run(reg, &out, cmd) {
            0 => Ok(()),
            s => Err(format!("{ip}: exit status {s}")),
        }
    };

    println!("Part 1: the walk-through of \"Namespaces in operation, part 7\" (LWN),");
    println!("each step as the `ip` line it replaces, done by the netns library.");
    ns_cmd(
        "ip netns add netns1",
        NsCommand::Add {
            name: "netns1".into(),
        },
    )?;
    step(
        "ip netns exec netns1 ip link list",
        &in_ns1,
        crate::link::run,
        "list",
    )?;
    ping_step(Some("netns1"), reg, "127.0.0.1", false)?;
    step(
        "ip netns exec netns1 ip link set dev lo up",
        &in_ns1,
        crate::link::run,
        "set dev lo up",
    )?;
    ping_step(Some("netns1"), reg, "127.0.0.1", true)?;
    step(
        "ip link add veth0 type veth peer name veth1",
        &root,
        crate::link::run,
        "add veth0 type veth peer name veth1",
    )?;
    step(
        "ip link set veth1 netns netns1",
        &root,
        crate::link::run,
        "set veth1 netns netns1",
    )?;
    step(
        "ip netns exec netns1 ip addr add 10.1.1.1/24 dev veth1",
        &in_ns1,
        crate::addr::run,
        "add 10.1.1.1/24 dev veth1",
    )?;
    step(
        "ip netns exec netns1 ip link set dev veth1 up",
        &in_ns1,
        crate::link::run,
        "set dev veth1 up",
    )?;
    step(
        "ip addr add 10.1.1.2/24 dev veth0",
        &root,
        crate::addr::run,
        "add 10.1.1.2/24 dev veth0",
    )?;
    step(
        "ip link set dev veth0 up",
        &root,
        crate::link::run,
        "set dev veth0 up",
    )?;
    ping_step(None, reg, "10.1.1.1", true)?;
    ping_step(Some("netns1"), reg, "10.1.1.2", true)?;
    step(
        "ip netns exec netns1 ip route",
        &in_ns1,
        crate::route::run,
        "show",
    )?;
    ns_cmd("ip netns list", NsCommand::List)?;
    step("ip link del veth0", &root, crate::link::run, "del veth0")?;
    ns_cmd(
        "ip netns delete netns1",
        NsCommand::Delete {
            names: vec!["netns1".into()],
        },
    )?;
    ns_cmd("ip netns list", NsCommand::List)
}

/// Part 2: examples/bridge-nat.toml applied, checked, re-applied (no
/// change), its NAT listed, its status shown, destroyed.
fn bridge_nat(reg: &Registry) -> Result<(), String> {
    println!("\nPart 2: a topology (examples/bridge-nat.toml): three namespaces on a bridge");
    println!("in the root namespace, which is their gateway and masquerades their subnet.\n");
    print!("{TOPOLOGY}");
    let topo = Topology::parse(TOPOLOGY, "examples/bridge-nat.toml").map_err(|d| d.to_string())?;
    let opts = || {
        Options::new()
            .registry(reg.clone())
            .state_dir(STATE_DIR)
            .fail_at(None)
    };
    header("netns apply examples/bridge-nat.toml");
    let report = topo.apply(&mut opts()).map_err(|e| e.to_string())?;
    for c in &report.changes {
        println!("{c}");
    }
    println!(
        "topology {:?}: {} changes in {:.1} ms",
        report.topology,
        report.changes.len(),
        report.elapsed.as_secs_f64() * 1000.0
    );
    header("netns check examples/bridge-nat.toml");
    let check = topo.check(&opts()).map_err(|e| e.to_string())?;
    println!("{check}");
    if !check.ok() {
        return Err("check found unreachable addresses".into());
    }
    header("netns apply examples/bridge-nat.toml   # again: nothing to do");
    let again = topo.apply(&mut opts()).map_err(|e| e.to_string())?;
    println!(
        "topology {:?}: {} changes",
        again.topology,
        again.changes.len()
    );
    if !again.changes.is_empty() {
        return Err("the second apply changed something".into());
    }
    for n in topo.nats() {
        header(&format!(
            "nft list table ip {}   # what the NAT uplink added",
            n.table
        ));
        let listed = std::process::Command::new("nft")
            .args(["list", "table", "ip", &n.table])
            .status()
            .map_err(|e| format!("cannot run nft: {e}"))?;
        if !listed.success() {
            return Err(format!("nft list table ip {}: {listed}", n.table));
        }
    }
    header("netns status examples/bridge-nat.toml");
    let status = topo.status(&opts()).map_err(|e| e.to_string())?;
    println!("{status}");
    header("netns destroy examples/bridge-nat.toml");
    let gone = topo.destroy(&opts()).map_err(|e| e.to_string())?;
    for r in &gone.removed {
        println!("removed {r}");
    }
    let left = reg.names().map_err(|e| e.to_string())?;
    if !left.is_empty() {
        return Err(format!("namespaces left after destroy: {left:?}"));
    }
    Ok(())
}
