//! `check`: every declared link and route proved by an ICMP echo sent from
//! inside the source namespace, to addresses the file declares only.

use std::collections::HashSet;
use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use serde::Serialize;

use crate::model::{place_label, Place, Topology};
use crate::ping::ping;
use netns_core::{NetNs, Registry, Result};

/// One probe: an echo from a namespace to a declared address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    /// Where the echo is sent from (`root` or a namespace name).
    pub from: String,
    /// The source address (when the probe tests one link end).
    pub src: Option<IpAddr>,
    /// The destination.
    pub to: IpAddr,
    /// What it proves, e.g. `link "veth1" in ns1 -> "veth0" in root`.
    pub proves: String,
}

/// The outcome of one probe.
#[derive(Debug, Clone, Serialize)]
pub struct ProbeResult {
    /// The probe.
    #[serde(flatten)]
    pub probe: Probe,
    /// The round-trip time in milliseconds, when a reply came.
    pub rtt_ms: Option<f64>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Every probe of a check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The topology's name.
    pub topology: String,
    /// The probes, in the order they were planned.
    pub results: Vec<ProbeResult>,
}

impl CheckReport {
    /// Whether every probe got its reply.
    pub fn ok(&self) -> bool {
        self.results.iter().all(|r| r.error.is_none())
    }

    /// How many probes failed.
    pub fn failures(&self) -> usize {
        self.results.iter().filter(|r| r.error.is_some()).count()
    }
}

impl fmt::Display for CheckReport {
    /// The reachability table.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w_from = self
            .results
            .iter()
            .map(|r| r.probe.from.len())
            .max()
            .unwrap_or(4)
            .max(4);
        let w_to = self
            .results
            .iter()
            .map(|r| r.probe.to.to_string().len())
            .max()
            .unwrap_or(2)
            .max(2);
        writeln!(
            f,
            "{:<w_from$}  {:<w_to$}  {:>9}  {:<6}  PROVES",
            "FROM", "TO", "RTT", "RESULT"
        )?;
        for r in &self.results {
            let rtt = r
                .rtt_ms
                .map(|m| format!("{m:.3} ms"))
                .unwrap_or_else(|| "-".into());
            let result = if r.error.is_none() { "ok" } else { "FAIL" };
            write!(
                f,
                "{:<w_from$}  {:<w_to$}  {:>9}  {:<6}  {}",
                r.probe.from,
                r.probe.to.to_string(),
                rtt,
                result,
                r.probe.proves
            )?;
            if let Some(e) = &r.error {
                write!(f, ": {e}")?;
            }
            writeln!(f)?;
        }
        write!(
            f,
            "{} probe{}, {} failed",
            self.results.len(),
            if self.results.len() == 1 { "" } else { "s" },
            self.failures()
        )
    }
}

/// The probes of a topology. Every destination is an address the file
/// declares, so no probe ever leaves the topology's own namespaces.
pub(crate) fn probes(topo: &Topology) -> Vec<(Place, Probe)> {
    let mut probes = ProbeSet::default();
    // Links: each end with addresses pings the other end's addresses in its
    // subnet, or, when the other end is a bridge port, the bridge's
    // addresses and the other ports' peers.
    for l in &topo.links {
        for (x, y) in [(&l.a, &l.b), (&l.b, &l.a)] {
            let targets = link_targets(topo, x, y);
            for src in &x.addresses {
                for (to, proves) in &targets {
                    if src.contains(to) {
                        probes.push(&x.netns, Some(src.addr()), *to, proves.clone());
                    }
                }
            }
        }
    }
    route_probes(topo, &mut probes);
    probes.out
}

/// The probes so far, each `(place, source, target)` once.
#[derive(Default)]
struct ProbeSet {
    out: Vec<(Place, Probe)>,
    seen: HashSet<(Place, Option<IpAddr>, IpAddr)>,
}

impl ProbeSet {
    fn push(&mut self, place: &Place, src: Option<IpAddr>, to: IpAddr, proves: String) {
        if self.seen.insert((place.clone(), src, to)) {
            self.out.push((
                place.clone(),
                Probe {
                    from: place_label(place).to_string(),
                    src,
                    to,
                    proves,
                },
            ));
        }
    }
}

/// What end `x` of a link pings, with what each ping proves: the other end
/// `y`'s addresses, or, when `y` is a bridge port, the bridge's addresses
/// and the next port's peer.
fn link_targets(
    topo: &Topology,
    x: &crate::model::End,
    y: &crate::model::End,
) -> Vec<(IpAddr, String)> {
    let mut targets: Vec<(IpAddr, String)> = y
        .addresses
        .iter()
        .map(|a| {
            (
                a.addr(),
                format!(
                    "link {:?} in {} -> {:?} in {}",
                    x.name,
                    place_label(&x.netns),
                    y.name,
                    place_label(&y.netns)
                ),
            )
        })
        .collect();
    if let Some(br) = &y.master {
        if let Some(b) = topo
            .bridges
            .iter()
            .find(|b| b.netns == y.netns && &b.name == br)
        {
            for a in &b.addresses {
                targets.push((
                    a.addr(),
                    format!(
                        "link {:?} in {} -> bridge {br:?} in {}",
                        x.name,
                        place_label(&x.netns),
                        place_label(&y.netns)
                    ),
                ));
            }
        }
        // The ports' peers form a ring in file order; each pings the
        // next: every port proven with a linear number of probes.
        let mut ring: Vec<&crate::model::End> = Vec::new();
        for other in &topo.links {
            for (p, q) in [(&other.a, &other.b), (&other.b, &other.a)] {
                if p.netns == y.netns && p.master.as_ref() == Some(br) {
                    ring.push(q);
                }
            }
        }
        if let Some(pos) = ring.iter().position(|q| std::ptr::eq(*q, x)) {
            let next = ring[(pos + 1) % ring.len()];
            if !std::ptr::eq(next, x) {
                for a in &next.addresses {
                    targets.push((
                        a.addr(),
                        format!(
                            "bridge {br:?}: {:?} in {} -> {:?} in {}",
                            x.name,
                            place_label(&x.netns),
                            next.name,
                            place_label(&next.netns)
                        ),
                    ));
                }
            }
        }
    }
    targets
}

/// Routes: each gateway, and a declared address behind each route.
fn route_probes(topo: &Topology, probes: &mut ProbeSet) {
    let all = topo.all_addresses();
    for ns in &topo.namespaces {
        let place = Some(ns.name.clone());
        for r in &ns.routes {
            if let Some(g) = r.via {
                probes.push(
                    &place,
                    None,
                    g,
                    format!("route {r} in {}: gateway", ns.name),
                );
            }
            if let Some(dst) = r.to {
                // Prefer an address beyond the gateway's own namespace: it
                // proves forwarding, not just the first hop.
                let gw_place = r
                    .via
                    .and_then(|g| all.iter().find(|(_, _, a)| a.addr() == g))
                    .map(|(p, _, _)| p.clone());
                let candidates = || {
                    all.iter()
                        .filter(|(p, _, a)| p != &place && dst.contains(&a.addr()))
                };
                let behind = candidates()
                    .find(|(p, _, _)| Some(p) != gw_place.as_ref())
                    .or_else(|| candidates().next());
                if let Some((p, iface, a)) = behind {
                    probes.push(
                        &place,
                        None,
                        a.addr(),
                        format!(
                            "route {r} in {}: reaches {iface:?} in {}",
                            ns.name,
                            place_label(p)
                        ),
                    );
                }
            }
        }
    }
}

/// Probes in flight at once.
const MAX_PARALLEL_PROBES: usize = 32;

pub(crate) fn check(
    topo: &Topology,
    registry: &Registry,
    timeout: Duration,
) -> Result<CheckReport> {
    let list = probes(topo);
    let mut nss: Vec<(Place, std::result::Result<NetNs, String>)> = Vec::new();
    let mut places: Vec<Place> = list.iter().map(|(p, _)| p.clone()).collect();
    places.dedup();
    for p in places {
        if nss.iter().any(|(q, _)| q == &p) {
            continue;
        }
        let ns = match &p {
            None => NetNs::current().map_err(|e| e.to_string()),
            Some(n) => registry.open(n).map_err(|e| e.to_string()),
        };
        nss.push((p, ns));
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<ProbeResult>>> =
        list.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let workers = list.len().min(MAX_PARALLEL_PROBES);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some((place, probe)) = list.get(i) else {
                    return;
                };
                let ns = nss.iter().find(|(q, _)| q == place).map(|(_, n)| n);
                let outcome = match ns {
                    Some(Ok(ns)) => {
                        // A first echo may wait for neighbour resolution;
                        // up to three tries.
                        let mut r = ping(ns, probe.src, probe.to, timeout);
                        for _ in 0..2 {
                            if r.is_ok() {
                                break;
                            }
                            r = ping(ns, probe.src, probe.to, timeout);
                        }
                        r.map_err(|e| e.to_string())
                    }
                    Some(Err(e)) => Err(e.clone()),
                    None => Err("namespace not opened".to_string()),
                };
                let result = ProbeResult {
                    probe: probe.clone(),
                    rtt_ms: outcome.as_ref().ok().map(|d| d.as_secs_f64() * 1000.0),
                    error: outcome.err(),
                };
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(result);
                }
            });
        }
    });
    let results = slots
        .into_iter()
        .zip(&list)
        .map(|(slot, (_, probe))| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| ProbeResult {
                    probe: probe.clone(),
                    rtt_ms: None,
                    error: Some("probe thread panicked".into()),
                })
        })
        .collect();
    Ok(CheckReport {
        topology: topo.name.clone(),
        results,
    })
}
