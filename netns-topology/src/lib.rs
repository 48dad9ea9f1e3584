//! Declarative topologies: namespaces, veth links, bridges, routes, sysctls,
//! `/etc/netns` files and uplinks (bridged or NAT) described in a TOML file,
//! then applied, checked, compared and destroyed.
//!
//! The schema is documented in `docs/topology.md`; `examples/*.toml` hold
//! complete files. In short:
//!
//! ```toml
//! name = "lab"                           # default: the file stem
//!
//! [[namespace]]
//! name = "ns1"
//! sysctls = { "net.ipv4.ip_forward" = 1 }
//! routes = [ { to = "default", via = "10.1.1.2" } ]
//! resolv_conf = "nameserver 10.1.1.2\n" # /etc/netns/ns1/resolv.conf
//! uplink = { mode = "nat", address = "10.9.0.2/30", gateway = "10.9.0.1" }
//! lo = "up"                              # the default; "down" keeps it down
//!
//! [[bridge]]                             # netns defaults to the root namespace
//! name = "br0"
//! address = "10.30.0.1/24"
//! ports = ["veth-a"]
//! nat = true                             # masquerade 10.30.0.0/24 in root
//!
//! [[link]]                               # a veth pair; netns "root" or omitted = root
//! a = { netns = "ns1", name = "veth1", address = "10.1.1.1/24", mtu = 1400 }
//! b = { name = "veth0", address = "10.1.1.2/24" }
//! ```
//!
//! | call | does |
//! |---|---|
//! | [`Topology::from_str`], [`Topology::from_path`] | parse and validate every rule, each problem with `FILE:LINE:COL: FIELD` ([`Diagnostics`]) |
//! | [`Topology::plan`] | the changes an apply would make |
//! | [`Topology::apply`] | make the system match: namespaces created in parallel, link creations batched per namespace, every change journaled and undone in reverse on the first failure |
//! | [`Topology::status`] | the drift: missing, extra, different, conflict; what the topology owns |
//! | [`Topology::check`] | an ICMP echo per declared link end and route, sent from inside the source namespace |
//! | [`Topology::destroy`] | remove what the topology's applies created (its record), nothing else |
//!
//! Ownership: each topology has a record in the state directory
//! ([`Options::state_dir`], `NETNS_STATE_DIR`, default `/run/netns-topology`)
//! of what its applies created and adopted ([`Ownership`]), written before
//! the objects are made, and a lock there that serialises its applies and
//! destroys. A declared namespace, link or `/etc/netns` file that exists
//! and is not the topology's is refused unless adopted ([`Options::adopt`],
//! or `adopt = true` in the file); destroy leaves what was adopted.
//!
//! "Root" is the network namespace of the calling thread. Nothing here
//! changes the caller's thread: work inside a namespace runs on
//! [`NetNs::run`](netns_core::NetNs::run) threads or through handles bound to it.
//!
//! ```no_run
//! use netns_topology::{Options, Topology};
//! let topo = Topology::from_path("examples/walkthrough.toml")?;
//! let report = topo.apply(&mut Options::new())?;
//! println!("{} changes", report.changes.len());
//! assert!(topo.check(&Options::new())?.ok());
//! topo.destroy(&Options::new())?;
//! # Ok::<(), netns_core::Error>(())
//! ```

mod apply;
mod check;
mod model;
pub mod nat;
mod ping;
mod plan;
mod pool;
mod state;

use std::time::Duration;

pub use apply::{ApplyReport, DestroyReport, Options};
pub use check::{CheckReport, Probe, ProbeResult};
pub use model::{
    place_label, Bridge, Diagnostic, Diagnostics, End, Namespace, Nat, Place, RouteDecl, Topology,
    Veth,
};
pub use ping::{ping, ping_here};
pub use plan::{Drift, DriftKind, Plan};
pub use state::{Held, Ownership};

use crate::nat::Masquerade;
use netns_core::Result;

/// The drift of a topology: what [`Topology::status`] returns.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    /// The topology's name.
    pub topology: String,
    /// Every difference (empty: the system matches the file).
    pub drift: Vec<Drift>,
    /// How many changes an apply would make.
    pub pending_changes: usize,
    /// What the topology's record says it created or adopted.
    pub ownership: Ownership,
}

impl Status {
    /// Whether the system matches the file.
    pub fn is_clean(&self) -> bool {
        self.drift.is_empty()
    }
}

impl std::fmt::Display for Status {
    /// One line per difference, one per adopted object (`adopted   namespace
    /// "a"`), then a summary with what the topology created and adopted.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for d in &self.drift {
            writeln!(f, "{d}")?;
        }
        let entries = self.ownership.entries();
        for (what, name, held) in &entries {
            if *held == Held::Adopted {
                writeln!(
                    f,
                    "{:<9} {what} {}",
                    held.to_string(),
                    shown_key(what, name)
                )?;
            }
        }
        if self.drift.is_empty() {
            write!(f, "topology {:?}: in sync", self.topology)?;
        } else {
            write!(
                f,
                "topology {:?}: {} difference{}, {} change{} pending",
                self.topology,
                self.drift.len(),
                if self.drift.len() == 1 { "" } else { "s" },
                self.pending_changes,
                if self.pending_changes == 1 { "" } else { "s" },
            )?;
        }
        for held in [Held::Created, Held::Adopted] {
            let mut counts: Vec<(&str, usize)> = Vec::new();
            for (what, _, h) in &entries {
                if *h != held {
                    continue;
                }
                match counts.iter_mut().find(|(w, _)| w == what) {
                    Some(c) => c.1 += 1,
                    None => counts.push((what, 1)),
                }
            }
            if !counts.is_empty() {
                let list: Vec<String> = counts
                    .iter()
                    .map(|(w, n)| format!("{n} {w}{}", if *n == 1 { "" } else { "s" }))
                    .collect();
                write!(f, "; {held}: {}", list.join(", "))?;
            }
        }
        Ok(())
    }
}

/// An ownership key as status shows it: `"veth0" in root` for a link.
fn shown_key(what: &str, key: &str) -> String {
    match (what, key.split_once('/')) {
        ("link", Some((place, name))) => format!("{name:?} in {place}"),
        ("namespace", _) => format!("{key:?}"),
        _ => key.to_string(),
    }
}

pub(crate) fn masquerade(n: &Nat) -> Masquerade {
    Masquerade::new(n.table.clone(), n.source)
}

impl Topology {
    /// Reads the system and returns the changes an apply would make.
    ///
    /// # Errors
    /// When the system cannot be read, or when something declared exists in
    /// a form apply cannot change in place (a link of the wrong kind, a veth
    /// end without its declared peer).
    pub fn plan(&self, opts: &Options) -> Result<Plan> {
        // The handles opened for reading are closed here: a plan keeps no
        // namespace alive.
        apply::plan_now(self, opts).map(|(plan, _)| plan)
    }

    /// Makes the system match the file, changing only what differs: a
    /// second apply makes no change. Every change is journaled; on the first
    /// failure, every change this apply made is undone in reverse, and the
    /// error names the failing step (`cannot apply topology "lab": step 7 of
    /// 20 (add address …)`).
    ///
    /// Links in declared namespaces that the file does not declare are left
    /// alone (see [`Topology::status`]); addresses on declared interfaces and
    /// routes in declared namespaces that the file does not declare are
    /// removed. Every declared namespace's `lo` is brought up (in a new
    /// namespace, in the first batch its worker sends), or down when the
    /// file says `lo = "down"`.
    ///
    /// Runs under the topology's lock (waiting for another apply or destroy
    /// of it, unless [`Options::wait`] is false). A declared namespace, link
    /// or `/etc/netns` file that exists and was neither created nor adopted
    /// by the topology is refused before anything changes (see
    /// [`Plan::conflicts`]) unless adopted. What the steps will create is
    /// recorded before they run, so that after a crash a re-apply and a
    /// destroy know what is the topology's.
    ///
    /// # Errors
    /// As [`Topology::plan`]; [`netns_core::ErrorKind::AlreadyExists`] naming
    /// every conflict; [`netns_core::ErrorKind::Busy`] (no wait); then the
    /// failing step's error.
    pub fn apply(&self, opts: &mut Options) -> Result<ApplyReport> {
        apply::apply(self, opts)
    }

    /// The differences between the file and the system (objects that are
    /// not the topology's as [`DriftKind::Conflict`], a stale registry entry
    /// as a missing namespace), and what the topology owns.
    ///
    /// # Errors
    /// As [`Topology::plan`].
    pub fn status(&self, opts: &Options) -> Result<Status> {
        let record = apply::record_now(self, opts)?;
        let (plan, _) = plan::survey(self, opts.registry_ref(), &record, opts.adopts())?;
        Ok(Status {
            topology: self.name.clone(),
            drift: plan.drift().to_vec(),
            pending_changes: plan.len(),
            ownership: record.owns,
        })
    }

    /// Sends an ICMP echo for every declared link end (to the other end, or
    /// through a bridge to the bridge and the other ports) and every route
    /// (its gateway, and a declared address behind it), from inside the
    /// source namespace, in parallel, each with up to three tries of
    /// `timeout`. Only addresses the file declares are probed.
    ///
    /// # Errors
    /// Only when the probes cannot be set up; unreachable addresses are
    /// failures in the report ([`CheckReport::ok`]).
    pub fn check_with_timeout(&self, opts: &Options, timeout: Duration) -> Result<CheckReport> {
        check::check(self, opts.registry_ref(), timeout)
    }

    /// [`Topology::check_with_timeout`] with a 1 s timeout.
    ///
    /// # Errors
    /// As [`Topology::check_with_timeout`].
    pub fn check(&self, opts: &Options) -> Result<CheckReport> {
        self.check_with_timeout(opts, Duration::from_secs(1))
    }

    /// The probes [`Topology::check`] sends.
    pub fn probes(&self) -> Vec<Probe> {
        check::probes(self).into_iter().map(|(_, p)| p).collect()
    }

    /// Removes what the topology's record says its applies created, under
    /// its lock: its masquerade tables, the links it created in the root
    /// namespace (first, with one `RTM_DELLINK` of a device group holding
    /// only them: gone when this returns) and in namespaces it adopted,
    /// addresses it added to adopted links, root sysctls back to their
    /// values before the first apply, the `/etc/netns` files it wrote (only
    /// while each is still a regular file holding what it wrote; otherwise
    /// kept and listed in [`DestroyReport::kept`]), and the namespaces it
    /// created (with everything in them). Adopted objects are left. What is
    /// already gone is skipped; then the record and the lock file go.
    ///
    /// # Errors
    /// [`netns_core::ErrorKind::Busy`] with [`Options::wait`] false while
    /// another apply or destroy holds the lock; the first removal that fails
    /// (the record is kept then, so destroy can run again).
    pub fn destroy(&self, opts: &Options) -> Result<DestroyReport> {
        apply::destroy(self, opts)
    }
}
