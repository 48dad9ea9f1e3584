//! Desired against actual: reading what exists, the steps that make it match
//! the file ([`Plan`]), and the differences ([`Drift`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use serde::Serialize;

use crate::model::{place_label, Namespace, Nat, Place, RouteDecl, Topology};
use crate::pool;
use crate::state::{address_key, file_key, link_key, Held, Ownership, Record};
use netns_core::addr::{AddressFilter, IpNet};
use netns_core::link::{IfIndex, MacAddr};
use netns_core::namespace::{Found, VerifiedDir};
use netns_core::route::{Route, RouteTable, PROTO_KERNEL};
use netns_core::{Error, ErrorKind, Handle, NetNs, Registry, Result};

/// Which file under `/etc/netns/NAME/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum EtcFile {
    ResolvConf,
    Hosts,
}

impl EtcFile {
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            EtcFile::ResolvConf => "resolv.conf",
            EtcFile::Hosts => "hosts",
        }
    }
}

/// One change an apply makes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    AddNamespace(String),
    WriteEtc {
        ns: String,
        file: EtcFile,
        contents: String,
        /// Where, for messages (the registry's etc directory).
        path: PathBuf,
    },
    AddBridge {
        place: Place,
        name: String,
        mac: Option<MacAddr>,
        mtu: Option<u32>,
    },
    /// Index into `Topology::links`.
    AddVeth(usize),
    SetLink {
        place: Place,
        name: String,
        mtu: Option<u32>,
        mac: Option<MacAddr>,
        /// `Some(None)`: no master.
        master: Option<Option<String>>,
        /// `Some(true)`: bring it up; `Some(false)`: down.
        up: Option<bool>,
    },
    DelAddress {
        place: Place,
        iface: String,
        net: IpNet,
    },
    AddAddress {
        place: Place,
        iface: String,
        net: IpNet,
    },
    SetSysctl {
        place: Place,
        key: String,
        value: String,
    },
    DelRoute {
        place: Place,
        route: Route,
    },
    AddRoute {
        place: Place,
        route: RouteDecl,
    },
    AddNat(Nat),
}

/// `link "x" in ns1`.
pub(crate) struct At<'a>(pub &'a Place, pub &'a str);
impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} in {}", self.1, place_label(self.0))
    }
}

fn route_text(r: &Route) -> String {
    let mut s = match r.destination {
        Some(d) => d.network().to_string(),
        None => "default".to_string(),
    };
    if let Some(g) = r.gateway {
        s.push_str(&format!(" via {g}"));
    }
    if let Some(m) = r.metric {
        s.push_str(&format!(" metric {m}"));
    }
    s
}

impl Step {
    pub(crate) fn describe(&self, topo: &Topology) -> String {
        match self {
            Step::AddNamespace(n) => format!("add namespace {n:?}"),
            Step::WriteEtc { path, .. } => format!("write {}", path.display()),
            Step::AddBridge { place, name, .. } => format!("add bridge {}", At(place, name)),
            Step::AddVeth(i) => {
                let l = &topo.links[*i];
                format!(
                    "add veth {} <-> {}",
                    At(&l.a.netns, &l.a.name),
                    At(&l.b.netns, &l.b.name)
                )
            }
            Step::SetLink {
                place,
                name,
                mtu,
                mac,
                master,
                up,
            } => {
                let mut s = format!("set link {}", At(place, name));
                if let Some(m) = mtu {
                    s.push_str(&format!(" mtu {m}"));
                }
                if let Some(m) = mac {
                    s.push_str(&format!(" address {m}"));
                }
                match master {
                    Some(Some(b)) => s.push_str(&format!(" master {b}")),
                    Some(None) => s.push_str(" nomaster"),
                    None => {}
                }
                match up {
                    Some(true) => s.push_str(" up"),
                    Some(false) => s.push_str(" down"),
                    None => {}
                }
                s
            }
            Step::DelAddress { place, iface, net } => {
                format!("delete address {net} from {}", At(place, iface))
            }
            Step::AddAddress { place, iface, net } => {
                format!("add address {net} to {}", At(place, iface))
            }
            Step::SetSysctl { place, key, value } => {
                format!("set sysctl {key}={value} in {}", place_label(place))
            }
            Step::DelRoute { place, route } => {
                format!(
                    "delete route {} in {}",
                    route_text(route),
                    place_label(place)
                )
            }
            Step::AddRoute { place, route } => {
                format!("add route {route} in {}", place_label(place))
            }
            Step::AddNat(n) => format!("add masquerade {} (nftables table {})", n.source, n.table),
        }
    }
}

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

/// A link as read from the kernel.
#[derive(Debug, Clone)]
pub(crate) struct LinkState {
    pub index: IfIndex,
    pub kind: Option<String>,
    pub mtu: Option<u32>,
    pub mac: Option<MacAddr>,
    pub master: Option<IfIndex>,
    pub up: bool,
    /// `IFLA_LINK`: a veth's peer index (in the peer's namespace).
    pub peer: Option<IfIndex>,
    /// `IFLA_GROUP`: the device group.
    pub group: u32,
}

/// What exists in one namespace.
#[derive(Debug, Default)]
pub(crate) struct PlaceState {
    pub links: BTreeMap<String, LinkState>,
    pub names: HashMap<IfIndex, String>,
    /// By interface name, in the kernel's order.
    pub addresses: HashMap<String, Vec<IpNet>>,
    pub routes: Vec<Route>,
}

/// The links of `h`'s namespace (one dump): `links` and `names` only.
pub(crate) fn read_links(h: &mut Handle) -> Result<PlaceState> {
    let mut st = PlaceState::default();
    for l in h.links()? {
        let mac = l
            .address()
            .and_then(|a| <[u8; 6]>::try_from(a).ok())
            .map(MacAddr);
        st.names.insert(l.index(), l.name().to_string());
        st.links.insert(
            l.name().to_string(),
            LinkState {
                index: l.index(),
                kind: l.kind().map(str::to_owned),
                mtu: l.mtu(),
                mac,
                master: l.master(),
                up: l.flags().is_up(),
                peer: l.link(),
                group: l.group().unwrap_or(0),
            },
        );
    }
    Ok(st)
}

/// What exists in `h`'s namespace: one dump of links, one of addresses, and
/// (`with_routes`) one of the main table's routes.
pub(crate) fn read_place(h: &mut Handle, with_routes: bool) -> Result<PlaceState> {
    let mut st = read_links(h)?;
    let mut addrs = Vec::new();
    for a in h.addresses(AddressFilter::new())? {
        if let (Some(net), Some(ix)) = (a.net(), IfIndex::new(a.ifindex())) {
            addrs.push((ix, net));
        }
    }
    for (ix, net) in addrs {
        if let Some(n) = st.names.get(&ix) {
            st.addresses.entry(n.clone()).or_default().push(net);
        }
    }
    if with_routes {
        st.routes = h
            .routes(Some(RouteTable::MAIN), None)?
            .map(|r| r.to_owned())
            .collect();
    }
    Ok(st)
}

fn is_link_local(net: &IpNet) -> bool {
    match net.addr() {
        IpAddr::V6(a) => (a.segments()[0] & 0xffc0) == 0xfe80,
        IpAddr::V4(_) => false,
    }
}

/// Routes apply manages: not installed by the kernel, not IPv6 multicast or
/// link-local, not router-advertised.
pub(crate) fn managed_route(r: &Route) -> bool {
    const PROTO_RA: u8 = 9;
    if r.protocol == PROTO_KERNEL || r.protocol == PROTO_RA {
        return false;
    }
    if let Some(d) = &r.destination {
        if let IpAddr::V6(a) = d.addr() {
            let s0 = a.segments()[0];
            if (s0 & 0xff00) == 0xff00 || (s0 & 0xffc0) == 0xfe80 {
                return false;
            }
        }
    }
    true
}

pub(crate) fn route_matches(decl: &RouteDecl, r: &Route, names: &HashMap<IfIndex, String>) -> bool {
    let dst_ok = match (&decl.to, &r.destination) {
        (None, None) => true,
        (Some(a), Some(b)) => a.network() == b.network(),
        _ => false,
    };
    let fam_ok = match (&decl.to, &decl.via) {
        (Some(n), _) => Some(n.family()) == r.family,
        (None, Some(g)) => Some(netns_core::addr::Family::of(g)) == r.family,
        _ => true,
    };
    let via_ok = decl.via == r.gateway;
    let metric_ok = decl.metric.is_none() || decl.metric == r.metric;
    let dev_ok = match &decl.dev {
        None => true,
        Some(d) => r
            .oif
            .and_then(IfIndex::new)
            .and_then(|i| names.get(&i))
            .is_some_and(|n| n == d),
    };
    dst_ok && fam_ok && via_ok && metric_ok && dev_ok
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

struct Planner {
    steps: Vec<Step>,
    drift: Vec<Drift>,
    conflicts: Vec<String>,
}

impl Planner {
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

/// What an etc file is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EtcHave {
    Missing,
    File(Vec<u8>),
    /// Something netns does not write through: why.
    Refused(String),
}

/// The etc files of the declared namespaces as they are, read relative to
/// the verified etc directory without following anything.
#[derive(Debug, Default)]
pub(crate) struct EtcSeen {
    pub files: HashMap<(String, EtcFile), EtcHave>,
    /// Namespaces whose directory under the etc directory is missing.
    pub no_dir: HashSet<String>,
}

/// The files a namespace declares, with their contents.
pub(crate) fn etc_files(ns: &Namespace) -> impl Iterator<Item = (EtcFile, &String)> {
    [
        (EtcFile::ResolvConf, &ns.resolv_conf),
        (EtcFile::Hosts, &ns.hosts),
    ]
    .into_iter()
    .filter_map(|(f, c)| c.as_ref().map(|c| (f, c)))
}

/// Why netns will not use what it found at `path` (where it expects a
/// regular file or directory of its own).
fn refused_etc(path: &std::path::Path, found: Found) -> String {
    format!(
        "{} is {}; netns neither follows nor replaces it (left untouched)",
        path.display(),
        found.describe()
    )
}

/// Reads the declared etc files: the etc directory opened once
/// (`O_NOFOLLOW`), each `NAMESPACE/` and file below looked at and read
/// without following a symbolic link.
pub(crate) fn read_etc(topo: &Topology, registry: &Registry) -> EtcSeen {
    let mut seen = EtcSeen::default();
    let with_files: Vec<&Namespace> = topo
        .namespaces
        .iter()
        .filter(|ns| etc_files(ns).next().is_some())
        .collect();
    if with_files.is_empty() {
        return seen;
    }
    let top = match VerifiedDir::open_as(registry.etc_dir(), "etc directory") {
        Ok(d) => Some(d),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => {
            for ns in with_files {
                for (f, _) in etc_files(ns) {
                    seen.files
                        .insert((ns.name.clone(), f), EtcHave::Refused(e.to_string()));
                }
            }
            return seen;
        }
    };
    for ns in with_files {
        let dir_path = registry.etc_dir().join(&ns.name);
        let sub = match top.as_ref().map(|t| (t, t.lookup(&ns.name))) {
            None | Some((_, Ok(Found::Missing))) => Ok(None),
            Some((t, Ok(Found::Directory))) => {
                t.subdir(&ns.name).map(Some).map_err(|e| e.to_string())
            }
            Some((_, Ok(found))) => Err(refused_etc(&dir_path, found)),
            Some((_, Err(e))) => Err(e.to_string()),
        };
        for (f, _) in etc_files(ns) {
            let path = dir_path.join(f.file_name());
            let have = match &sub {
                Err(why) => EtcHave::Refused(why.clone()),
                Ok(None) => EtcHave::Missing,
                Ok(Some(d)) => match d.lookup(f.file_name()) {
                    Ok(Found::Missing) => EtcHave::Missing,
                    Ok(Found::File { .. }) => match d.read(f.file_name()) {
                        Ok(Some(bytes)) => EtcHave::File(bytes),
                        Ok(None) => EtcHave::Missing,
                        Err(e) => EtcHave::Refused(e.to_string()),
                    },
                    Ok(found) => EtcHave::Refused(refused_etc(&path, found)),
                    Err(e) => EtcHave::Refused(e.to_string()),
                },
            };
            seen.files.insert((ns.name.clone(), f), have);
        }
        if matches!(sub, Ok(None)) {
            seen.no_dir.insert(ns.name.clone());
        }
    }
    seen
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

/// Reads the system and plans.
pub(crate) fn plan(topo: &Topology, registry: &Registry, seen: &Seen<'_>) -> Result<Plan> {
    let Seen {
        root,
        states,
        sysctl_values,
        nat_present,
        ..
    } = *seen;
    let owns = &seen.record.owns;
    let mut p = Planner {
        steps: Vec::new(),
        drift: Vec::new(),
        conflicts: Vec::new(),
    };
    let mut claims = Ownership::default();
    let mut written = BTreeMap::new();
    let mut sysctls_before = BTreeMap::new();
    // `what` empty: the object itself (named by the drift).
    let not_ours = |what: String, did: &str| {
        let what = if what.is_empty() { what } else { what + " " };
        format!(
            "{what}exists and was not {did} by topology {:?}; adopt it (adopt = true in the file, \
             or netns apply --adopt) to manage it and leave it at destroy, or remove it",
            topo.name
        )
    };
    let state_of = |place: &Place| -> Option<&PlaceState> {
        match place {
            None => Some(root),
            Some(n) => states.get(n),
        }
    };
    let refuse = |what: String| {
        Err(Error::new(
            ErrorKind::AlreadyExists,
            "plan",
            format!("topology {:?}", topo.name),
        )
        .with_detail(what))
    };

    // Namespaces, then `lo` up in the new ones (made by the worker that
    // creates the namespace, in its first batch: see apply).
    let mut new_lo = Vec::new();
    for ns in &topo.namespaces {
        let object = format!("namespace {:?}", ns.name);
        let adopt = seen.adopt_all || ns.adopt;
        if let Some(why) = seen.foreign.get(&ns.name) {
            p.conflict(object, why.clone());
            continue;
        }
        let stale = seen.stale.contains(&ns.name);
        if stale || !states.contains_key(&ns.name) {
            if stale {
                p.missing_because(
                    object,
                    "stale entry: an empty file with no namespace mounted on it; apply replaces it"
                        .into(),
                );
            } else {
                p.missing(object);
            }
            p.steps.push(Step::AddNamespace(ns.name.clone()));
            claims.namespaces.insert(ns.name.clone(), Held::Created);
            if ns.lo_up {
                new_lo.push(lo_step(&ns.name, true));
            }
        } else if !owns.namespaces.contains_key(&ns.name) {
            if adopt {
                claims.namespaces.insert(ns.name.clone(), Held::Adopted);
            } else {
                p.conflict(object, not_ours(String::new(), "created"));
            }
        }
    }
    p.steps.extend(new_lo);
    // Held by the topology: recorded, or claimed now.
    let ns_held = |n: &str| owns.namespaces.get(n).or(claims.namespaces.get(n)).copied();
    // Namespaces whose contents are the topology's: those it created.
    let created_ns: HashSet<String> = topo
        .namespaces
        .iter()
        .filter(|ns| ns_held(&ns.name) == Some(Held::Created))
        .map(|ns| ns.name.clone())
        .collect();
    let adopted_ns: HashSet<String> = topo
        .namespaces
        .iter()
        .filter(|ns| ns_held(&ns.name) == Some(Held::Adopted))
        .map(|ns| ns.name.clone())
        .collect();
    let in_created = |place: &Place| place.as_ref().is_some_and(|n| created_ns.contains(n));
    // How a link is held: recorded, or inside a namespace the topology created.
    let link_held = |place: &Place, name: &str| -> Option<Held> {
        owns.links
            .get(&link_key(place, name))
            .copied()
            .or_else(|| in_created(place).then_some(Held::Created))
    };
    // /etc/netns files.
    for ns in &topo.namespaces {
        let adopt = seen.adopt_all || ns.adopt;
        for (file, want) in etc_files(ns) {
            let path = registry.etc_dir().join(&ns.name).join(file.file_name());
            let object = format!("file {}", path.display());
            let key = file_key(&ns.name, file.file_name());
            let have = seen
                .etc
                .files
                .get(&(ns.name.clone(), file))
                .cloned()
                .unwrap_or(EtcHave::Missing);
            match have {
                EtcHave::Refused(why) => {
                    p.conflict(object, why);
                    continue;
                }
                EtcHave::Missing => {
                    p.missing(object);
                    claims.files.insert(key.clone(), Held::Created);
                    written.insert(key, want.clone());
                    if seen.etc.no_dir.contains(&ns.name) {
                        claims.directories.insert(ns.name.clone(), Held::Created);
                    }
                }
                EtcHave::File(bytes) => {
                    let held = owns.files.get(&key).copied();
                    if held.is_none() {
                        if adopt {
                            claims.files.insert(key.clone(), Held::Adopted);
                        } else {
                            p.conflict(object, not_ours(String::new(), "written"));
                            continue;
                        }
                    }
                    if bytes == want.as_bytes() {
                        continue;
                    }
                    p.different(object, "contents differ".into());
                    if held == Some(Held::Created) {
                        written.insert(key, want.clone());
                    }
                }
            }
            p.steps.push(Step::WriteEtc {
                ns: ns.name.clone(),
                file,
                contents: want.clone(),
                path,
            });
        }
    }
    // Bridges.
    let mut new_links: Vec<(Place, String)> = Vec::new();
    for b in &topo.bridges {
        let object = format!("bridge {}", At(&b.netns, &b.name));
        let existing = state_of(&b.netns).and_then(|s| s.links.get(&b.name));
        if existing.is_some() && link_held(&b.netns, &b.name).is_none() {
            if seen.adopt_all || b.adopt {
                claims
                    .links
                    .insert(link_key(&b.netns, &b.name), Held::Adopted);
            } else {
                p.conflict(
                    object.clone(),
                    not_ours(format!("link {}", At(&b.netns, &b.name)), "created"),
                );
                continue;
            }
        }
        match existing {
            None => {
                p.missing(object);
                if !in_created(&b.netns) {
                    claims
                        .links
                        .insert(link_key(&b.netns, &b.name), Held::Created);
                }
                p.steps.push(Step::AddBridge {
                    place: b.netns.clone(),
                    name: b.name.clone(),
                    mac: b.mac,
                    mtu: b.mtu,
                });
                new_links.push((b.netns.clone(), b.name.clone()));
            }
            Some(l) if l.kind.as_deref() != Some("bridge") => {
                return refuse(format!(
                    "{object}: a link of that name exists and is a {}, not a bridge",
                    l.kind.as_deref().unwrap_or("device of no kind")
                ))
            }
            Some(l) => {
                let (mtu, mac) = (
                    b.mtu.filter(|m| Some(*m) != l.mtu),
                    b.mac.filter(|m| Some(*m) != l.mac),
                );
                if mtu.is_some() || mac.is_some() || !l.up {
                    p.different(object, link_diff(mtu, mac, None, !l.up));
                    p.steps.push(Step::SetLink {
                        place: b.netns.clone(),
                        name: b.name.clone(),
                        mtu,
                        mac,
                        master: None,
                        up: (!l.up).then_some(true),
                    });
                }
            }
        }
    }
    // `lo` in the namespaces that exist.
    let mut set_links = Vec::new();
    for ns in &topo.namespaces {
        let Some(lo) = states.get(&ns.name).and_then(|s| s.links.get("lo")) else {
            continue;
        };
        if lo.up != ns.lo_up {
            p.different(
                format!("link {}", At(&Some(ns.name.clone()), "lo")),
                if ns.lo_up {
                    "down"
                } else {
                    "up, declared down"
                }
                .to_string(),
            );
            set_links.push(lo_step(&ns.name, ns.lo_up));
        }
    }
    // Veths.
    for (i, l) in topo.links.iter().enumerate() {
        let object = format!(
            "veth {} <-> {}",
            At(&l.a.netns, &l.a.name),
            At(&l.b.netns, &l.b.name)
        );
        let a = state_of(&l.a.netns).and_then(|s| s.links.get(&l.a.name));
        let b = state_of(&l.b.netns).and_then(|s| s.links.get(&l.b.name));
        for (e, st) in [(&l.a, a), (&l.b, b)] {
            if let Some(st) = st {
                if st.kind.as_deref() != Some("veth") {
                    return refuse(format!(
                        "link {} exists and is a {}, not a veth",
                        At(&e.netns, &e.name),
                        st.kind.as_deref().unwrap_or("device of no kind")
                    ));
                }
            }
        }
        let foreign: Vec<&crate::model::End> = [(&l.a, a), (&l.b, b)]
            .into_iter()
            .filter(|(e, st)| st.is_some() && link_held(&e.netns, &e.name).is_none())
            .map(|(e, _)| e)
            .collect();
        if let Some(e) = foreign.first() {
            if seen.adopt_all || l.adopt {
                for e in &foreign {
                    claims
                        .links
                        .insert(link_key(&e.netns, &e.name), Held::Adopted);
                }
            } else {
                p.conflict(
                    object.clone(),
                    not_ours(format!("link {}", At(&e.netns, &e.name)), "created"),
                );
                continue;
            }
        }
        match (a, b) {
            (None, None) => {
                p.missing(object);
                for e in [&l.a, &l.b] {
                    if !in_created(&e.netns) {
                        claims
                            .links
                            .insert(link_key(&e.netns, &e.name), Held::Created);
                    }
                }
                p.steps.push(Step::AddVeth(i));
                // The peer: up, and its bridge (the first end gets both in
                // its creation message; a veth's peer cannot be brought up
                // in it: the kernel opens it before pairing it, ENOTCONN).
                set_links.push(Step::SetLink {
                    place: l.b.netns.clone(),
                    name: l.b.name.clone(),
                    mtu: None,
                    mac: None,
                    master: l.b.master.clone().map(Some),
                    up: Some(true),
                });
                new_links.push((l.a.netns.clone(), l.a.name.clone()));
                new_links.push((l.b.netns.clone(), l.b.name.clone()));
            }
            (Some(a), Some(b)) if a.peer == Some(b.index) && b.peer == Some(a.index) => {
                for (e, st) in [(&l.a, a), (&l.b, b)] {
                    let names = &state_of(&e.netns).map(|s| &s.names);
                    let have_master = st
                        .master
                        .and_then(|m| names.and_then(|n| n.get(&m)).cloned());
                    let master = if have_master != e.master {
                        Some(e.master.clone())
                    } else {
                        None
                    };
                    let mtu = e.mtu.filter(|m| Some(*m) != st.mtu);
                    let mac = e.mac.filter(|m| Some(*m) != st.mac);
                    if mtu.is_some() || mac.is_some() || master.is_some() || !st.up {
                        p.different(
                            format!("link {}", At(&e.netns, &e.name)),
                            link_diff(mtu, mac, master.as_ref(), !st.up),
                        );
                        set_links.push(Step::SetLink {
                            place: e.netns.clone(),
                            name: e.name.clone(),
                            mtu,
                            mac,
                            master,
                            up: (!st.up).then_some(true),
                        });
                    }
                }
            }
            _ => {
                return refuse(format!(
                    "{object}: one end exists without the other as its peer; destroy it first"
                ))
            }
        }
    }
    p.steps.extend(set_links);

    // Addresses, on every declared interface.
    let mut want: BTreeMap<(Place, String), Vec<IpNet>> = BTreeMap::new();
    for (place, iface, net) in topo.all_addresses() {
        want.entry((place, iface)).or_default().push(net);
    }
    let mut declared_ifaces: Vec<(Place, String)> = topo
        .bridges
        .iter()
        .map(|b| (b.netns.clone(), b.name.clone()))
        .collect();
    for l in &topo.links {
        declared_ifaces.push((l.a.netns.clone(), l.a.name.clone()));
        declared_ifaces.push((l.b.netns.clone(), l.b.name.clone()));
    }
    let mut adds = Vec::new();
    // Namespaces where an IPv4 address goes: when a device loses its last
    // IPv4 address the kernel flushes the routes through it, so their
    // declared routes are asserted again after the address changes.
    let mut v4_deleted: HashSet<Place> = HashSet::new();
    // Links the topology did not create (adopted, or not its own at all):
    // only addresses it added are its to remove.
    let claimed = &claims;
    let not_created = |place: &Place, iface: &str| {
        let key = link_key(place, iface);
        let held = owns.links.get(&key).or(claimed.links.get(&key)).copied();
        !in_created(place) && held != Some(Held::Created)
    };
    let mut address_claims = Vec::new();
    for (place, iface) in &declared_ifaces {
        let foreign_link = not_created(place, iface);
        let wanted = want
            .get(&(place.clone(), iface.clone()))
            .cloned()
            .unwrap_or_default();
        let have: Vec<IpNet> = state_of(place)
            .and_then(|s| s.addresses.get(iface))
            .cloned()
            .unwrap_or_default();
        for h in &have {
            let ours = !foreign_link
                || owns.addresses.get(&address_key(place, iface, h)) == Some(&Held::Created);
            if !wanted.contains(h) && !is_link_local(h) && ours {
                if h.family() == netns_core::addr::Family::Inet {
                    v4_deleted.insert(place.clone());
                }
                p.extra(format!("address {h} on {}", At(place, iface)));
                p.steps.push(Step::DelAddress {
                    place: place.clone(),
                    iface: iface.clone(),
                    net: *h,
                });
            }
        }
        for w in &wanted {
            if !have.contains(w) {
                p.missing(format!("address {w} on {}", At(place, iface)));
                if foreign_link {
                    address_claims.push(address_key(place, iface, w));
                }
                adds.push(Step::AddAddress {
                    place: place.clone(),
                    iface: iface.clone(),
                    net: *w,
                });
            }
        }
    }
    p.steps.extend(adds);
    for k in address_claims {
        claims.addresses.insert(k, Held::Created);
    }

    // Sysctls.
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
        let have = sysctl_values
            .get(&(place.clone(), key.clone()))
            .cloned()
            .flatten();
        if have.as_deref().map(str::trim) != Some(value.trim()) {
            let object = format!("sysctl {key} in {}", place_label(&place));
            match &have {
                Some(h) => p.different(object, format!("{h}, not {value}")),
                None => p.missing(object),
            }
            if let (None, Some(h)) = (&place, &have) {
                sysctls_before.insert(key.clone(), h.trim().to_string());
            }
            p.steps.push(Step::SetSysctl {
                place,
                key: key.clone(),
                value: value.clone(),
            });
        }
    }

    // Routes, in declared namespaces.
    let mut route_adds = Vec::new();
    for ns in &topo.namespaces {
        let place = Some(ns.name.clone());
        let st = states.get(&ns.name);
        let empty_names = HashMap::new();
        let names = st.map(|s| &s.names).unwrap_or(&empty_names);
        let have: Vec<&Route> = st
            .map(|s| s.routes.iter().filter(|r| managed_route(r)).collect())
            .unwrap_or_default();
        // In an adopted namespace, routes the file does not declare are
        // its owner's.
        let manage_all = !adopted_ns.contains(&ns.name);
        for r in &have {
            if manage_all && !ns.routes.iter().any(|d| route_matches(d, r, names)) {
                p.extra(format!("route {} in {}", route_text(r), ns.name));
                p.steps.push(Step::DelRoute {
                    place: place.clone(),
                    route: (*r).clone(),
                });
            }
        }
        for d in &ns.routes {
            let present = have.iter().any(|r| route_matches(d, r, names));
            if !present {
                p.missing(format!("route {d} in {}", ns.name));
            }
            if !present || v4_deleted.contains(&place) {
                route_adds.push(Step::AddRoute {
                    place: place.clone(),
                    route: d.clone(),
                });
            }
        }
    }
    p.steps.extend(route_adds);

    // NAT.
    for (n, present) in topo.nats.iter().zip(nat_present) {
        // Named after the topology: its own, present or not.
        claims.nat.insert(n.table.clone(), n.source.to_string());
        if !present {
            p.missing(format!(
                "masquerade {} (nftables table ip {})",
                n.source, n.table
            ));
            p.steps.push(Step::AddNat(n.clone()));
        }
    }

    // Extra links inside declared namespaces (reported, never deleted by apply).
    let declared: HashSet<(Option<&str>, &str)> = declared_ifaces
        .iter()
        .map(|(pl, n)| (pl.as_deref(), n.as_str()))
        .collect();
    for ns in &topo.namespaces {
        if adopted_ns.contains(&ns.name) {
            continue;
        }
        if let Some(st) = states.get(&ns.name) {
            let place = Some(ns.name.clone());
            for name in st.links.keys() {
                let declared = name == "lo" || declared.contains(&(Some(&ns.name), name));
                if !declared {
                    p.extra(format!("link {}", At(&place, name)));
                }
            }
        }
    }

    let descriptions = p.steps.iter().map(|s| s.describe(topo)).collect();
    Ok(Plan {
        steps: p.steps,
        drift: p.drift,
        descriptions,
        claims,
        written,
        sysctls_before,
        conflicts: p.conflicts,
    })
}

/// `lo` of namespace `ns` up (or down).
fn lo_step(ns: &str, up: bool) -> Step {
    Step::SetLink {
        place: Some(ns.to_string()),
        name: "lo".to_string(),
        mtu: None,
        mac: None,
        master: None,
        up: Some(up),
    }
}

fn link_diff(
    mtu: Option<u32>,
    mac: Option<MacAddr>,
    master: Option<&Option<String>>,
    down: bool,
) -> String {
    let mut v = Vec::new();
    if let Some(m) = mtu {
        v.push(format!("mtu should be {m}"));
    }
    if let Some(m) = mac {
        v.push(format!("address should be {m}"));
    }
    match master {
        Some(Some(b)) => v.push(format!("should be a port of {b}")),
        Some(None) => v.push("should have no master".to_string()),
        None => {}
    }
    if down {
        v.push("down".to_string());
    }
    v.join(", ")
}

/// Namespaces and handles opened while reading the system, kept for the
/// apply that follows (so nothing is opened twice).
#[derive(Debug, Default)]
pub(crate) struct Opened {
    pub nss: HashMap<String, NetNs>,
    /// By place; the root namespace's under `None`.
    pub handles: HashMap<Place, Handle>,
}

/// What one existing declared namespace holds, read through its handle.
type Read = (
    String,
    NetNs,
    Handle,
    PlaceState,
    Vec<(String, Option<String>)>,
);

/// Reads one share of the existing declared namespaces: their handles
/// opened from one thread ([`NetNs::handles`]), then one dump of links,
/// addresses and routes each, and their declared sysctls.
fn read_share(share: Vec<(&Namespace, NetNs)>) -> Result<Vec<Read>> {
    let refs: Vec<&NetNs> = share.iter().map(|(_, ns)| ns).collect();
    let handles = NetNs::handles(&refs)?;
    share
        .into_iter()
        .zip(handles)
        .map(|((decl, ns), mut h)| {
            let st = read_place(&mut h, true)?;
            let sysctls = decl
                .sysctls
                .iter()
                .map(|(k, _)| (k.clone(), ns.sysctl_get(k).ok()))
                .collect();
            Ok((decl.name.clone(), ns, h, st, sysctls))
        })
        .collect()
}

/// Everything [`plan`] needs, read from the system: one listing of the
/// registry, then for each declared namespace that exists, its handle and
/// one dump of each kind, in parallel (a thread per core). Returns the
/// namespaces and handles opened, for the apply.
///
/// A declared name whose registry entry is stale (an interrupted add) is
/// planned as missing (adding replaces a stale entry); one whose entry is
/// not a namespace (a symbolic link, a user's file) is a conflict.
pub(crate) fn survey(
    topo: &Topology,
    registry: &Registry,
    record: &Record,
    adopt_all: bool,
) -> Result<(Plan, Opened)> {
    let mut root_h = Handle::current()?;
    let root = read_place(&mut root_h, false)?;
    let mut sysctl_values = HashMap::new();
    for (k, _) in &topo.root_sysctls {
        sysctl_values.insert((None, k.clone()), netns_core::sysctl::get(k).ok());
    }
    let present: HashSet<String> = registry.names()?.into_iter().collect();
    let mut existing = Vec::new();
    let mut stale = HashSet::new();
    let mut foreign = HashMap::new();
    for ns in &topo.namespaces {
        if !present.contains(&ns.name) {
            continue;
        }
        match registry.open(&ns.name) {
            Ok(h) => existing.push((ns, h)),
            // Deleted since the listing.
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            // Stale: an empty mode-0 file (an interrupted add), which an
            // add replaces; any other file is someone else's.
            Err(e) if e.kind() == ErrorKind::Stale => {
                let found = VerifiedDir::open_as(registry.run_dir(), "run directory")
                    .and_then(|d| d.lookup(&ns.name));
                match found {
                    Ok(f) if f.is_stale_entry() => {
                        stale.insert(ns.name.clone());
                    }
                    Ok(f) => {
                        let path = registry.run_dir().join(&ns.name);
                        foreign.insert(
                            ns.name.clone(),
                            format!(
                                "{} is {}, not a namespace; left untouched",
                                path.display(),
                                f.describe()
                            ),
                        );
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) if e.kind() == ErrorKind::InvalidArgument => {
                foreign.insert(ns.name.clone(), e.to_string());
            }
            Err(e) => return Err(e),
        }
    }
    let mut opened = Opened::default();
    let mut states = HashMap::new();
    for share in pool::on_workers(existing, read_share) {
        for (name, ns, h, st, sysctls) in share? {
            for (k, v) in sysctls {
                sysctl_values.insert((Some(name.clone()), k), v);
            }
            states.insert(name.clone(), st);
            opened.handles.insert(Some(name.clone()), h);
            opened.nss.insert(name, ns);
        }
    }
    opened.handles.insert(None, root_h);
    let mut nat_present = Vec::new();
    for n in &topo.nats {
        nat_present.push(crate::masquerade(n).exists()?);
    }
    let etc = read_etc(topo, registry);
    let seen = Seen {
        root: &root,
        states: &states,
        sysctl_values: &sysctl_values,
        nat_present: &nat_present,
        stale: &stale,
        foreign: &foreign,
        etc: &etc,
        record,
        adopt_all,
    };
    let plan = plan(topo, registry, &seen)?;
    Ok((plan, opened))
}
