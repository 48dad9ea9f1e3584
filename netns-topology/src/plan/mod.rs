//! Desired against actual: reading what exists, the steps that make it match
//! the file ([`Plan`]), and the differences ([`Drift`]).
//!
//! Here: [`Plan`], [`Drift`] and [`plan`], which plans each kind of object
//! in turn: namespaces, sysctls and NAT here; `/etc/netns` files in
//! `etc_files`, bridges, veths and `lo` in `links`, addresses in
//! `addresses`, routes in `routes`. The steps are in `step`; reading the
//! system in `survey`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::Serialize;

use crate::model::{place_label, Place, Topology};
use crate::state::{link_key, Held, Ownership, Record};
use netns_core::{Error, ErrorKind, Registry, Result};

mod addresses;
mod etc_files;
mod links;
mod routes;
mod step;
mod survey;

pub(crate) use etc_files::{read_etc, EtcSeen};
use links::lo_step;
pub(crate) use routes::managed_route;
pub(crate) use step::{At, EtcFile, Step};
pub(crate) use survey::{read_links, survey, LinkState, Opened, PlaceState};

/// What a difference between the file and the system is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftKind {
    /// Declared, absent.
    Missing,
    /// Present, not declared (inside what the file owns).
    Extra,
    /// Present, but not as declared.
    Different,
    /// Present, but not this topology's: it existed before and is not
    /// adopted, or it is something netns does not write through (a symbolic
    /// link, a directory where a file goes). Apply refuses the file.
    Conflict,
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DriftKind::Missing => "missing",
            DriftKind::Extra => "extra",
            DriftKind::Different => "different",
            DriftKind::Conflict => "conflict",
        })
    }
}

/// One difference between the file and the system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Missing, extra or different.
    pub kind: DriftKind,
    /// What, e.g. `address 10.1.1.1/24 on "veth1" in ns1`.
    pub object: String,
    /// How it differs (empty for missing/extra).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:<9} {}", self.kind.to_string(), self.object)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

/// The steps that make the system match a topology, and the differences
/// found on the way.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) steps: Vec<Step>,
    drift: Vec<Drift>,
    descriptions: Vec<String>,
    /// What apply records before it runs the steps: everything they create
    /// (as created) and what exists and is adopted now.
    pub(crate) claims: Ownership,
    /// The contents of the etc files the steps write that the topology
    /// created, by key.
    pub(crate) written: BTreeMap<String, String>,
    /// Root sysctls the steps change, with their values now.
    pub(crate) sysctls_before: BTreeMap<String, String>,
    /// Why apply refuses (objects that are not the topology's), if it does.
    pub(crate) conflicts: Vec<String>,
}

impl Plan {
    /// How many changes an apply would make (0: the system matches).
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the system already matches.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Each change, in the order an apply makes them, e.g. `add veth "veth0"
    /// in root <-> "veth1" in ns1`.
    pub fn steps(&self) -> &[String] {
        &self.descriptions
    }

    /// The differences between the file and the system.
    pub fn drift(&self) -> &[Drift] {
        &self.drift
    }

    /// Objects that exist but are not the topology's (not created by it,
    /// not adopted), or are in the way (symbolic links): an apply refuses
    /// the whole file, before any change, when there is any.
    pub fn conflicts(&self) -> &[String] {
        &self.conflicts
    }
}

/// A plan being made: the steps and drift so far, what the steps claim,
/// and what the planning of one kind of object tells the next.
struct Planner<'s> {
    topo: &'s Topology,
    seen: &'s Seen<'s>,
    steps: Vec<Step>,
    drift: Vec<Drift>,
    conflicts: Vec<String>,
    claims: Ownership,
    written: BTreeMap<String, String>,
    sysctls_before: BTreeMap<String, String>,
    /// Namespaces whose contents are the topology's: those it created
    /// (recorded, or claimed now). Known once namespaces are planned.
    created_ns: HashSet<String>,
    /// Declared namespaces the topology adopted (recorded, or claimed now).
    adopted_ns: HashSet<String>,
}

impl<'s> Planner<'s> {
    fn new(topo: &'s Topology, seen: &'s Seen<'s>) -> Planner<'s> {
        Planner {
            topo,
            seen,
            steps: Vec::new(),
            drift: Vec::new(),
            conflicts: Vec::new(),
            claims: Ownership::default(),
            written: BTreeMap::new(),
            sysctls_before: BTreeMap::new(),
            created_ns: HashSet::new(),
            adopted_ns: HashSet::new(),
        }
    }

    /// Why an object that exists is refused; `what` empty: the object
    /// itself (named by the drift).
    fn not_ours(&self, what: String, did: &str) -> String {
        let what = if what.is_empty() { what } else { what + " " };
        format!(
            "{what}exists and was not {did} by topology {:?}; adopt it (adopt = true in the file, \
             or netns apply --adopt) to manage it and leave it at destroy, or remove it",
            self.topo.name
        )
    }

    /// What exists in `place`, if it exists.
    fn state_of(&self, place: &Place) -> Option<&'s PlaceState> {
        match place {
            None => Some(self.seen.root),
            Some(n) => self.seen.states.get(n),
        }
    }

    /// The error of a plan that cannot be made (`what` says why).
    fn refused(&self, what: String) -> Error {
        Error::new(
            ErrorKind::AlreadyExists,
            "plan",
            format!("topology {:?}", self.topo.name),
        )
        .with_detail(what)
    }

    /// Whether `place` is a namespace the topology created.
    fn in_created(&self, place: &Place) -> bool {
        place.as_ref().is_some_and(|n| self.created_ns.contains(n))
    }

    /// How a link is held: recorded, or inside a namespace the topology
    /// created.
    fn link_held(&self, place: &Place, name: &str) -> Option<Held> {
        self.seen
            .record
            .owns
            .links
            .get(&link_key(place, name))
            .copied()
            .or_else(|| self.in_created(place).then_some(Held::Created))
    }

    fn missing(&mut self, object: String) {
        self.drift.push(Drift {
            kind: DriftKind::Missing,
            object,
            detail: String::new(),
        });
    }
    fn different(&mut self, object: String, detail: String) {
        self.drift.push(Drift {
            kind: DriftKind::Different,
            object,
            detail,
        });
    }
    fn conflict(&mut self, object: String, detail: String) {
        self.conflicts.push(format!("{object}: {detail}"));
        self.drift.push(Drift {
            kind: DriftKind::Conflict,
            object,
            detail,
        });
    }
    fn missing_because(&mut self, object: String, detail: String) {
        self.drift.push(Drift {
            kind: DriftKind::Missing,
            object,
            detail,
        });
    }
    fn extra(&mut self, object: String) {
        self.drift.push(Drift {
            kind: DriftKind::Extra,
            object,
            detail: String::new(),
        });
    }
}

/// The plan that makes the system (as `seen`) match `topo`: namespaces
/// (then `lo` up in the new ones), etc files, bridges, veths (then link
/// changes), addresses, sysctls, routes, NAT; and the extra links found.
pub(crate) fn plan(topo: &Topology, registry: &Registry, seen: &Seen<'_>) -> Result<Plan> {
    let mut p = Planner::new(topo, seen);
    p.namespaces();
    p.etc_files(registry);
    p.bridges()?;
    let mut set_links = p.lo_of_existing();
    p.veths(&mut set_links)?;
    p.steps.extend(set_links);
    let declared = declared_ifaces(topo);
    let v4_deleted = p.addresses(&declared);
    p.sysctls();
    p.routes(&v4_deleted);
    p.nat();
    p.extra_links(&declared);

    let descriptions = p.steps.iter().map(|s| s.describe(topo)).collect();
    Ok(Plan {
        steps: p.steps,
        drift: p.drift,
        descriptions,
        claims: p.claims,
        written: p.written,
        sysctls_before: p.sysctls_before,
        conflicts: p.conflicts,
    })
}

/// Every declared interface: bridges, then both ends of each veth.
fn declared_ifaces(topo: &Topology) -> Vec<(Place, String)> {
    let mut declared_ifaces: Vec<(Place, String)> = topo
        .bridges
        .iter()
        .map(|b| (b.netns.clone(), b.name.clone()))
        .collect();
    for l in &topo.links {
        declared_ifaces.push((l.a.netns.clone(), l.a.name.clone()));
        declared_ifaces.push((l.b.netns.clone(), l.b.name.clone()));
    }
    declared_ifaces
}

impl Planner<'_> {
    /// Namespaces, then `lo` up in the new ones (made by the worker that
    /// creates the namespace, in its first batch: see apply); then which
    /// declared namespaces the topology created or adopted.
    fn namespaces(&mut self) {
        let seen = self.seen;
        let owns = &seen.record.owns;
        let mut new_lo = Vec::new();
        for ns in &self.topo.namespaces {
            let object = format!("namespace {:?}", ns.name);
            let adopt = seen.adopt_all || ns.adopt;
            if let Some(why) = seen.foreign.get(&ns.name) {
                self.conflict(object, why.clone());
                continue;
            }
            let stale = seen.stale.contains(&ns.name);
            if stale || !seen.states.contains_key(&ns.name) {
                if stale {
                    self.missing_because(
                        object,
                        "stale entry: an empty file with no namespace mounted on it; apply replaces it"
                            .into(),
                    );
                } else {
                    self.missing(object);
                }
                self.steps.push(Step::AddNamespace(ns.name.clone()));
                self.claims
                    .namespaces
                    .insert(ns.name.clone(), Held::Created);
                if ns.lo_up {
                    new_lo.push(lo_step(&ns.name, true));
                }
            } else if !owns.namespaces.contains_key(&ns.name) {
                if adopt {
                    self.claims
                        .namespaces
                        .insert(ns.name.clone(), Held::Adopted);
                } else {
                    self.conflict(object, self.not_ours(String::new(), "created"));
                }
            }
        }
        self.steps.extend(new_lo);
        // Held by the topology: recorded, or claimed now.
        let claims = &self.claims;
        let ns_held = |n: &str| owns.namespaces.get(n).or(claims.namespaces.get(n)).copied();
        let held = |h: Held| -> HashSet<String> {
            self.topo
                .namespaces
                .iter()
                .filter(|ns| ns_held(&ns.name) == Some(h))
                .map(|ns| ns.name.clone())
                .collect()
        };
        let (created, adopted) = (held(Held::Created), held(Held::Adopted));
        self.created_ns = created;
        self.adopted_ns = adopted;
    }

    /// Sysctls, root's (forwarding for NAT) then each namespace's.
    fn sysctls(&mut self) {
        let topo = self.topo;
        let mut sysctls: Vec<(Place, &String, &String)> = topo
            .root_sysctls
            .iter()
            .map(|(k, v)| (None, k, v))
            .collect();
        for ns in &topo.namespaces {
            sysctls.extend(
                ns.sysctls
                    .iter()
                    .map(|(k, v)| (Some(ns.name.clone()), k, v)),
            );
        }
        for (place, key, value) in sysctls {
            let have = self
                .seen
                .sysctl_values
                .get(&(place.clone(), key.clone()))
                .cloned()
                .flatten();
            if have.as_deref().map(str::trim) != Some(value.trim()) {
                let object = format!("sysctl {key} in {}", place_label(&place));
                match &have {
                    Some(h) => self.different(object, format!("{h}, not {value}")),
                    None => self.missing(object),
                }
                if let (None, Some(h)) = (&place, &have) {
                    self.sysctls_before
                        .insert(key.clone(), h.trim().to_string());
                }
                self.steps.push(Step::SetSysctl {
                    place,
                    key: key.clone(),
                    value: value.clone(),
                });
            }
        }
    }

    /// NAT: the masquerades, each in its own nftables table.
    fn nat(&mut self) {
        let topo = self.topo;
        for (n, present) in topo.nats.iter().zip(self.seen.nat_present) {
            // Named after the topology: its own, present or not.
            self.claims
                .nat
                .insert(n.table.clone(), n.source.to_string());
            if !present {
                self.missing(format!(
                    "masquerade {} (nftables table ip {})",
                    n.source, n.table
                ));
                self.steps.push(Step::AddNat(n.clone()));
            }
        }
    }
}

/// What [`plan`] compares the file with.
pub(crate) struct Seen<'a> {
    /// The root namespace's state.
    pub root: &'a PlaceState,
    /// The state of every declared namespace that exists.
    pub states: &'a HashMap<String, PlaceState>,
    pub sysctl_values: &'a HashMap<(Place, String), Option<String>>,
    pub nat_present: &'a [bool],
    /// Declared namespaces whose registry entry is stale (nothing mounted).
    pub stale: &'a HashSet<String>,
    /// Declared names whose registry entry is not a namespace (why).
    pub foreign: &'a HashMap<String, String>,
    pub etc: &'a EtcSeen,
    /// The topology's record.
    pub record: &'a Record,
    /// Adopt everything declared that exists (`netns apply --adopt`).
    pub adopt_all: bool,
}
