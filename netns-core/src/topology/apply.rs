//! Making the system match: steps run with an undo journal, rolled back in
//! reverse on the first failure; and destroy.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::model::{place_label, Place, Topology};
use super::plan::{survey, At, EtcFile, Plan, Step};
use crate::addr::IpNet;
use crate::link::{IfIndex, LinkAdd, LinkChange, LinkId, MacAddr};
use crate::route::RouteSpec;
use crate::{Error, ErrorKind, Handle, NetNs, Registry, Result};

/// A progress callback: `(done, total, step)`.
type ProgressFn = Box<dyn FnMut(usize, usize, &str) + Send>;

/// How [`Topology::apply`] and [`Topology::destroy`] run.
pub struct Options {
    registry: Registry,
    state_dir: PathBuf,
    fail_at: Option<usize>,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("registry", &self.registry)
            .field("state_dir", &self.state_dir)
            .field("fail_at", &self.fail_at)
            .finish_non_exhaustive()
    }
}

impl Default for Options {
    /// [`Registry::from_env`], the state directory from `NETNS_STATE_DIR`
    /// (default `/run/netns-topology`), and a failure injected at the step
    /// named by `NETNS_APPLY_FAIL_AT` when set (for tests of rollback).
    fn default() -> Self {
        let state_dir = std::env::var_os("NETNS_STATE_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(Options::DEFAULT_STATE_DIR));
        let fail_at = std::env::var("NETNS_APPLY_FAIL_AT")
            .ok()
            .and_then(|v| v.parse().ok());
        Options {
            registry: Registry::from_env(),
            state_dir,
            fail_at,
            progress: None,
        }
    }
}

impl Options {
    /// Where the values a topology's root-namespace sysctls had before its
    /// first apply are kept (restored by destroy).
    pub const DEFAULT_STATE_DIR: &'static str = "/run/netns-topology";

    /// Options with the defaults (see [`Options::default`]).
    pub fn new() -> Options {
        Options::default()
    }

    /// Uses `registry` for named namespaces and `/etc/netns` files.
    pub fn registry(mut self, registry: Registry) -> Options {
        self.registry = registry;
        self
    }

    /// Keeps saved root-namespace sysctl values under `dir`.
    pub fn state_dir(mut self, dir: impl Into<PathBuf>) -> Options {
        self.state_dir = dir.into();
        self
    }

    /// Test hook: step `index` (0-based, in plan order) fails before it
    /// runs, as if the kernel had refused it; `None` disables.
    pub fn fail_at(mut self, index: Option<usize>) -> Options {
        self.fail_at = index;
        self
    }

    /// Calls `f(done, total, step)` after each step.
    pub fn progress(mut self, f: impl FnMut(usize, usize, &str) + Send + 'static) -> Options {
        self.progress = Some(Box::new(f));
        self
    }

    /// The registry in use.
    pub fn registry_ref(&self) -> &Registry {
        &self.registry
    }
}

/// What an apply did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApplyReport {
    /// The topology's name.
    pub topology: String,
    /// The changes made, in order (empty when the system already matched).
    pub changes: Vec<String>,
    /// Wall time.
    #[serde(serialize_with = "as_millis")]
    pub elapsed: Duration,
}

/// What a destroy removed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DestroyReport {
    /// The topology's name.
    pub topology: String,
    /// What was removed, in order.
    pub removed: Vec<String>,
    /// Wall time.
    #[serde(serialize_with = "as_millis")]
    pub elapsed: Duration,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// One entry of the undo journal: how to take back one change.
#[derive(Debug)]
enum Undo {
    DeleteNamespace(String),
    RestoreEtc {
        path: PathBuf,
        old: Option<String>,
        dir: Option<PathBuf>,
    },
    DeleteLink {
        place: Place,
        name: String,
    },
    RevertLink {
        place: Place,
        name: String,
        mtu: Option<u32>,
        mac: Option<MacAddr>,
        master: Option<Option<IfIndex>>,
        down: bool,
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
        /// The namespace's routes before, restored too (the kernel flushes
        /// a device's routes with its last IPv4 address).
        routes: Vec<RouteSpec>,
    },
    RestoreSysctl {
        place: Place,
        key: String,
        old: String,
    },
    DelRoute {
        place: Place,
        spec: RouteSpec,
    },
    AddRoute {
        place: Place,
        spec: RouteSpec,
    },
    RemoveNat(crate::nat::Masquerade),
}

/// Open namespaces and handles, by place.
struct Places<'r> {
    registry: &'r Registry,
    nss: HashMap<String, NetNs>,
    /// The root namespace (the caller's), for peers born there.
    root: Option<NetNs>,
    handles: HashMap<Place, Handle>,
}

impl Places<'_> {
    fn ns(&mut self, name: &str) -> Result<&NetNs> {
        if !self.nss.contains_key(name) {
            let ns = self.registry.open(name)?;
            self.nss.insert(name.to_string(), ns);
        }
        self.nss
            .get(name)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "open", format!("namespace {name:?}")))
    }

    fn handle(&mut self, place: &Place) -> Result<&mut Handle> {
        if !self.handles.contains_key(place) {
            let h = match place {
                None => Handle::current()?,
                Some(n) => self.ns(n)?.handle()?,
            };
            self.handles.insert(place.clone(), h);
        }
        self.handles
            .get_mut(place)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "open", "handle"))
    }

    fn ifindex(&mut self, place: &Place, name: &str) -> Result<IfIndex> {
        self.handle(place)?.link_index(name)
    }

    fn sysctl_get(&mut self, place: &Place, key: &str) -> Result<String> {
        match place {
            None => crate::sysctl::get(key),
            Some(n) => self.ns(n)?.sysctl_get(key),
        }
    }

    fn sysctl_set(&mut self, place: &Place, key: &str, value: &str) -> Result<()> {
        match place {
            None => crate::sysctl::set(key, value),
            Some(n) => self.ns(n)?.sysctl_set(key, value),
        }
    }
}

/// The error of a step failed on purpose by [`Options::fail_at`].
fn injected(step: &str) -> Error {
    Error::new(ErrorKind::Io, INJECTED, format!("step {step:?}"))
        .with_detail("failure injected by the fail_at test hook")
}

const INJECTED: &str = "inject failure into";

fn route_spec(
    places: &mut Places<'_>,
    place: &Place,
    d: &super::model::RouteDecl,
) -> Result<RouteSpec> {
    let mut spec = match d.to {
        Some(n) => RouteSpec::to(n.network()),
        None => RouteSpec::default_route(),
    };
    if let Some(g) = d.via {
        spec = spec.via(g);
    }
    if let Some(dev) = &d.dev {
        spec = spec.dev(places.ifindex(place, dev)?.get());
    }
    if let Some(m) = d.metric {
        spec = spec.metric(m);
    }
    Ok(spec)
}

fn spec_of_route(r: &crate::route::Route) -> RouteSpec {
    let mut spec = match r.destination {
        Some(n) => RouteSpec::to(n),
        None => RouteSpec::default_route(),
    };
    if let Some(f) = r.family {
        spec = spec.family(f);
    }
    if let Some(g) = r.gateway {
        spec = spec.via(g);
    }
    if let Some(o) = r.oif {
        spec = spec.dev(o);
    }
    if let Some(m) = r.metric {
        spec = spec.metric(m);
    }
    spec.protocol(r.protocol).scope(r.scope)
}

struct Run<'t, 'r> {
    topo: &'t Topology,
    places: Places<'r>,
    journal: Vec<Undo>,
    root_saved: BTreeMap<String, String>,
}

impl Run<'_, '_> {
    /// Runs one (non-batched) step, journaling its undo.
    fn step(&mut self, step: &Step) -> Result<()> {
        match step {
            Step::AddNamespace(_) | Step::AddVeth(_) | Step::AddBridge { .. } => unreachable_step(),
            Step::WriteEtc { ns, file, contents } => {
                let dir = self.places.registry.etc_dir().join(ns);
                let path = dir.join(file.file_name());
                let obj = || format!("file {}", path.display());
                let made_dir = if dir.is_dir() {
                    None
                } else {
                    let top = self.places.registry.etc_dir();
                    let made_top = !top.is_dir();
                    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&e, "create", obj()))?;
                    Some(if made_top {
                        top.to_path_buf()
                    } else {
                        dir.clone()
                    })
                };
                let old = std::fs::read_to_string(&path).ok();
                self.journal.push(Undo::RestoreEtc {
                    path: path.clone(),
                    old,
                    dir: made_dir,
                });
                std::fs::write(&path, contents).map_err(|e| Error::io(&e, "write", obj()))
            }
            Step::SetLink {
                place,
                name,
                mtu,
                mac,
                master,
                up,
            } => {
                let h = self.places.handle(place)?;
                let before = h.link_by_name(name)?;
                let master_ix = match master {
                    Some(Some(b)) => Some(Some(h.link_index(b)?)),
                    Some(None) => Some(None),
                    None => None,
                };
                let mut change = LinkChange::new(LinkId::Name(name));
                if let Some(m) = mtu {
                    change = change.mtu(*m);
                }
                if let Some(m) = mac {
                    change = change.address(*m);
                }
                match master_ix {
                    Some(Some(ix)) => change = change.master(ix),
                    Some(None) => change = change.nomaster(),
                    None => {}
                }
                if *up {
                    change = change.up();
                }
                self.journal.push(Undo::RevertLink {
                    place: place.clone(),
                    name: name.clone(),
                    mtu: mtu.and(before.mtu),
                    mac: mac.and_then(|_| {
                        before
                            .address
                            .as_deref()
                            .and_then(|a| <[u8; 6]>::try_from(a).ok())
                            .map(MacAddr)
                    }),
                    master: master.as_ref().map(|_| before.master),
                    down: *up && !before.flags.is_up(),
                });
                h.link_set(&change)
            }
            Step::DelAddress { place, iface, net } => {
                let h = self.places.handle(place)?;
                let ix = h.link_index(iface)?;
                let routes: Vec<RouteSpec> = h
                    .routes(Some(crate::route::RouteTable::MAIN), None)?
                    .map(|r| r.to_owned())
                    .filter(super::plan::managed_route)
                    .map(|r| spec_of_route(&r))
                    .collect();
                h.address_del(ix.get(), *net)?;
                self.journal.push(Undo::AddAddress {
                    place: place.clone(),
                    iface: iface.clone(),
                    net: *net,
                    routes,
                });
                Ok(())
            }
            Step::AddAddress { place, iface, net } => {
                let h = self.places.handle(place)?;
                let ix = h.link_index(iface)?;
                h.address_add(ix.get(), *net)?;
                self.journal.push(Undo::DelAddress {
                    place: place.clone(),
                    iface: iface.clone(),
                    net: *net,
                });
                Ok(())
            }
            Step::SetSysctl { place, key, value } => {
                let old = self.places.sysctl_get(place, key)?;
                self.places.sysctl_set(place, key, value)?;
                if place.is_none() {
                    self.root_saved.entry(key.clone()).or_insert(old.clone());
                }
                self.journal.push(Undo::RestoreSysctl {
                    place: place.clone(),
                    key: key.clone(),
                    old,
                });
                Ok(())
            }
            Step::DelRoute { place, route } => {
                let spec = spec_of_route(route);
                self.places.handle(place)?.route_del(&spec)?;
                self.journal.push(Undo::AddRoute {
                    place: place.clone(),
                    spec,
                });
                Ok(())
            }
            Step::AddRoute { place, route } => {
                let spec = route_spec(&mut self.places, place, route)?;
                let h = self.places.handle(place)?;
                match h.route_add(&spec) {
                    Ok(()) => {
                        self.journal.push(Undo::DelRoute {
                            place: place.clone(),
                            spec,
                        });
                        Ok(())
                    }
                    // Re-asserted and still there: already as declared.
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
                    Err(e) => Err(e),
                }
            }
            Step::AddNat(n) => {
                let m = super::masquerade(n);
                m.apply()?;
                self.journal.push(Undo::RemoveNat(m));
                Ok(())
            }
        }
    }

    /// Creates the links of `steps` (all AddBridge, or all AddVeth from the
    /// same place) in one batch. Returns the index in `steps` of the failure.
    fn links_batch(
        &mut self,
        place: &Place,
        steps: &[&Step],
    ) -> std::result::Result<(), (usize, Error)> {
        let topo = self.topo;
        // Resolve what the messages borrow: peer namespaces, masters.
        let mut peer_names: Vec<String> = Vec::new();
        for s in steps {
            if let Step::AddVeth(i) = s {
                if let Some(n) = &topo.links[*i].b.netns {
                    peer_names.push(n.clone());
                }
            }
        }
        for n in &peer_names {
            self.places.ns(n).map_err(|e| (0, e))?;
        }
        if self.places.root.is_none() {
            self.places.root = Some(NetNs::current().map_err(|e| (0, e))?);
        }
        let mut masters = Vec::new();
        for s in steps {
            let m = match s {
                Step::AddVeth(i) => match &topo.links[*i].a.master {
                    Some(b) => Some(self.places.ifindex(place, b).map_err(|e| (0, e))?),
                    None => None,
                },
                _ => None,
            };
            masters.push(m);
        }
        // Open the handle before borrowing the namespaces for the messages.
        self.places.handle(place).map_err(|e| (0, e))?;
        let Places {
            nss, handles, root, ..
        } = &mut self.places;
        let Some(h) = handles.get_mut(place) else {
            return Err((0, Error::new(ErrorKind::NotFound, "open", "handle")));
        };
        let mut adds = Vec::with_capacity(steps.len());
        let mut undo = Vec::with_capacity(steps.len());
        for (s, master) in steps.iter().zip(&masters) {
            match s {
                Step::AddBridge { name, mac, mtu, .. } => {
                    let mut add = LinkAdd::bridge(name).up();
                    if let Some(m) = mac {
                        add = add.address(*m);
                    }
                    if let Some(m) = mtu {
                        add = add.mtu(*m);
                    }
                    adds.push(add);
                    undo.push(name.clone());
                }
                Step::AddVeth(i) => {
                    let l = &topo.links[*i];
                    let mut add = LinkAdd::veth(&l.a.name, &l.b.name).up();
                    // The peer is born in its namespace: a named one, or
                    // root when the pair is created from a named one.
                    let peer_ns = match &l.b.netns {
                        Some(n) => nss.get(n),
                        None if place.is_some() => root.as_ref(),
                        None => None,
                    };
                    if let Some(ns) = peer_ns {
                        add = add.peer_netns(ns);
                    }
                    if let Some(m) = l.a.mac {
                        add = add.address(m);
                    }
                    if let Some(m) = l.a.mtu {
                        add = add.mtu(m);
                    }
                    if let Some(m) = l.b.mac {
                        add = add.peer_address(m);
                    }
                    if let Some(m) = l.b.mtu {
                        add = add.peer_mtu(m);
                    }
                    if let Some(m) = master {
                        add = add.master(*m);
                    }
                    adds.push(add);
                    undo.push(l.a.name.clone());
                }
                _ => {}
            }
        }
        let result = h.links_add(&adds);
        let done = match &result {
            Ok(()) => adds.len(),
            // Requests after the failed one that were sent may have been
            // applied: journal them too (deleting a missing link is ignored).
            Err(e) => e.sent.max(e.index),
        };
        for (k, name) in undo.into_iter().enumerate().take(done) {
            if result.as_ref().err().is_some_and(|e| e.index == k) {
                continue;
            }
            self.journal.push(Undo::DeleteLink {
                place: place.clone(),
                name,
            });
        }
        result.map_err(|e| (e.index, e.error))
    }

    fn undo_all(&mut self) -> Vec<String> {
        let mut failures = Vec::new();
        while let Some(u) = self.journal.pop() {
            if let Err(e) = self.undo(&u) {
                if e.kind() != ErrorKind::NotFound {
                    failures.push(format!("{u:?}: {e}"));
                }
            }
        }
        failures
    }

    fn undo(&mut self, u: &Undo) -> Result<()> {
        match u {
            Undo::DeleteNamespace(n) => {
                self.places.handles.remove(&Some(n.clone()));
                self.places.nss.remove(n);
                self.places.registry.delete(n)
            }
            Undo::RestoreEtc { path, old, dir } => {
                let obj = || format!("file {}", path.display());
                match old {
                    Some(t) => {
                        std::fs::write(path, t).map_err(|e| Error::io(&e, "restore", obj()))?
                    }
                    None => {
                        std::fs::remove_file(path).map_err(|e| Error::io(&e, "remove", obj()))?
                    }
                }
                if let Some(d) = dir {
                    remove_empty_dirs(d, path);
                }
                Ok(())
            }
            Undo::DeleteLink { place, name } => {
                self.places.handle(place)?.link_delete(LinkId::Name(name))
            }
            Undo::RevertLink {
                place,
                name,
                mtu,
                mac,
                master,
                down,
            } => {
                let mut c = LinkChange::new(LinkId::Name(name));
                if let Some(m) = mtu {
                    c = c.mtu(*m);
                }
                if let Some(m) = mac {
                    c = c.address(*m);
                }
                match master {
                    Some(Some(ix)) => c = c.master(*ix),
                    Some(None) => c = c.nomaster(),
                    None => {}
                }
                if *down {
                    c = c.down();
                }
                if c.is_empty() {
                    return Ok(());
                }
                self.places.handle(place)?.link_set(&c)
            }
            Undo::DelAddress { place, iface, net } => {
                let h = self.places.handle(place)?;
                let ix = h.link_index(iface)?;
                h.address_del(ix.get(), *net)
            }
            Undo::AddAddress {
                place,
                iface,
                net,
                routes,
            } => {
                let h = self.places.handle(place)?;
                let ix = h.link_index(iface)?;
                h.address_add(ix.get(), *net)?;
                for r in routes {
                    // Those still there are left as they are.
                    let _ = h.route_add(r);
                }
                Ok(())
            }
            Undo::RestoreSysctl { place, key, old } => {
                if place.is_none() {
                    self.root_saved.remove(key);
                }
                self.places.sysctl_set(place, key, old)
            }
            Undo::DelRoute { place, spec } => self.places.handle(place)?.route_del(spec),
            Undo::AddRoute { place, spec } => self.places.handle(place)?.route_add(spec),
            Undo::RemoveNat(m) => m.remove().map(|_| ()),
        }
    }
}

fn unreachable_step() -> Result<()> {
    Err(Error::new(ErrorKind::InvalidArgument, "run", "step").with_detail("batched step run alone"))
}

/// Removes `path`'s parent directories up to and including `top` while empty.
fn remove_empty_dirs(top: &Path, path: &Path) {
    let mut dir = path.parent();
    while let Some(d) = dir {
        if std::fs::remove_dir(d).is_err() || d == top {
            break;
        }
        dir = d.parent();
    }
}

/// The state file of a topology: root sysctl values before its first apply.
fn state_path(opts: &Options, topo: &Topology) -> PathBuf {
    opts.state_dir.join(format!("{}.json", topo.name))
}

fn read_saved(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

pub(crate) fn apply(topo: &Topology, opts: &mut Options) -> Result<ApplyReport> {
    let start = Instant::now();
    let plan = survey(topo, &opts.registry)?;
    execute(topo, opts, plan, start)
}

fn execute(topo: &Topology, opts: &mut Options, plan: Plan, start: Instant) -> Result<ApplyReport> {
    let total = plan.steps.len();
    let names = plan.steps().to_vec();
    let mut run = Run {
        topo,
        places: Places {
            registry: &opts.registry,
            nss: HashMap::new(),
            root: None,
            handles: HashMap::new(),
        },
        journal: Vec::new(),
        root_saved: BTreeMap::new(),
    };
    let mut progress = opts.progress.take();
    let mut tick = |k: usize| {
        if let Some(p) = progress.as_mut() {
            p(k + 1, total, &names[k]);
        }
    };
    let fail_at = opts.fail_at;
    let steps = &plan.steps;
    let mut failure: Option<(usize, Error)> = None;

    // 1. Namespaces, in parallel.
    let ns_steps: Vec<(usize, &String)> = steps
        .iter()
        .enumerate()
        .filter_map(|(k, s)| match s {
            Step::AddNamespace(n) => Some((k, n)),
            _ => None,
        })
        .collect();
    if !ns_steps.is_empty() {
        let made: Mutex<Vec<(usize, NetNs, String)>> = Mutex::new(Vec::new());
        let failed: Mutex<Option<(usize, Error)>> = Mutex::new(None);
        let workers = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .min(ns_steps.len());
        let chunk = ns_steps.len().div_ceil(workers);
        let registry = &opts.registry;
        std::thread::scope(|s| {
            for part in ns_steps.chunks(chunk) {
                let (made, failed, names) = (&made, &failed, &names);
                s.spawn(move || {
                    for (k, name) in part {
                        if failed.lock().map(|f| f.is_some()).unwrap_or(true) {
                            return;
                        }
                        let r = if Some(*k) == fail_at {
                            Err(injected(&names[*k]))
                        } else {
                            registry.add(name)
                        };
                        match r {
                            Ok(ns) => {
                                if let Ok(mut m) = made.lock() {
                                    m.push((*k, ns, (*name).clone()));
                                }
                            }
                            Err(e) => {
                                if let Ok(mut f) = failed.lock() {
                                    if f.as_ref().is_none_or(|(fk, _)| k < fk) {
                                        *f = Some((*k, e));
                                    }
                                }
                                return;
                            }
                        }
                    }
                });
            }
        });
        let mut made = made.into_inner().unwrap_or_default();
        made.sort_by_key(|(k, _, _)| *k);
        for (k, ns, name) in made {
            run.journal.push(Undo::DeleteNamespace(name.clone()));
            run.places.nss.insert(name, ns);
            tick(k);
        }
        failure = failed.into_inner().unwrap_or(None);
    }

    // 2. Everything else, in plan order; link creations batched per place.
    let mut k = ns_steps.len();
    while failure.is_none() && k < steps.len() {
        let step = &steps[k];
        let batch_place = match step {
            Step::AddBridge { place, .. } => Some((place.clone(), true)),
            Step::AddVeth(i) => Some((topo.links[*i].a.netns.clone(), false)),
            _ => None,
        };
        if let Some((place, bridge)) = batch_place {
            let mut end = k;
            while end < steps.len() {
                let same = match &steps[end] {
                    Step::AddBridge { place: p, .. } => bridge && p == &place,
                    Step::AddVeth(i) => !bridge && topo.links[*i].a.netns == place,
                    _ => false,
                };
                if !same {
                    break;
                }
                end += 1;
            }
            let cut = fail_at.filter(|f| (k..end).contains(f));
            let stop = cut.unwrap_or(end);
            let group: Vec<&Step> = steps[k..stop].iter().collect();
            if !group.is_empty() {
                if let Err((i, e)) = run.links_batch(&place, &group) {
                    failure = Some((k + i, e));
                    break;
                }
            }
            for j in k..stop {
                tick(j);
            }
            if let Some(f) = cut {
                failure = Some((f, injected(&names[f])));
                break;
            }
            k = end;
            continue;
        }
        if Some(k) == fail_at {
            failure = Some((k, injected(&names[k])));
            break;
        }
        if let Err(e) = run.step(step) {
            failure = Some((k, e));
            break;
        }
        tick(k);
        k += 1;
    }

    if let Some((k, err)) = failure {
        let undone = run.journal.len();
        let undo_failures = run.undo_all();
        drop(run);
        let cause = if err.operation() == INJECTED {
            "injected failure (fail_at test hook)".to_string()
        } else {
            err.to_string()
        };
        let mut detail = format!(
            "{cause}; the {undone} change{} made before were undone",
            if undone == 1 { "" } else { "s" }
        );
        if !undo_failures.is_empty() {
            detail.push_str(&format!("; undo failed for: {}", undo_failures.join("; ")));
        }
        let mut e = Error::new(
            err.kind(),
            "apply",
            format!(
                "topology {:?}: step {} of {total} ({})",
                topo.name,
                k + 1,
                names.get(k).map(String::as_str).unwrap_or("?")
            ),
        )
        .with_detail(detail);
        if let Some(errno) = err.errno() {
            e = Error::kernel(
                errno,
                err.kernel_message().map(str::to_owned),
                None,
                "apply",
                e.object().to_string(),
            )
            .with_kind(err.kind())
            .with_detail(e.detail().unwrap_or_default().to_string());
        }
        return Err(e);
    }

    // Remember root sysctl values from before the first apply.
    if !run.root_saved.is_empty() {
        let path = state_path(opts, topo);
        let mut saved = read_saved(&path);
        for (k, v) in std::mem::take(&mut run.root_saved) {
            saved.entry(k).or_insert(v);
        }
        let write = std::fs::create_dir_all(&opts.state_dir).and_then(|_| {
            std::fs::write(
                &path,
                serde_json::to_string_pretty(&saved).unwrap_or_default(),
            )
        });
        if let Err(e) = write {
            let err = Error::io(&e, "write", format!("state file {}", path.display()));
            run.undo_all();
            return Err(err);
        }
    }
    drop(run);
    opts.progress = progress;
    Ok(ApplyReport {
        topology: topo.name.clone(),
        changes: names,
        elapsed: start.elapsed(),
    })
}

pub(crate) fn destroy(topo: &Topology, opts: &Options) -> Result<DestroyReport> {
    let start = Instant::now();
    let mut removed = Vec::new();
    let reg = &opts.registry;
    let mut root = Handle::current()?;
    // NAT tables.
    for n in &topo.nats {
        if super::masquerade(n).remove()? {
            removed.push(format!(
                "masquerade {} (nftables table ip {})",
                n.source, n.table
            ));
        }
    }
    // Links with an end in the root namespace, then root bridges.
    let mut delete_root = |name: &str, what: &str, removed: &mut Vec<String>| -> Result<()> {
        match root.link_delete(LinkId::Name(name)) {
            Ok(()) => {
                removed.push(format!("{what} {}", At(&None, name)));
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    };
    for l in &topo.links {
        if l.a.netns.is_none() {
            delete_root(&l.a.name, "veth", &mut removed)?;
        } else if l.b.netns.is_none() {
            delete_root(&l.b.name, "veth", &mut removed)?;
        }
    }
    for b in topo.bridges.iter().filter(|b| b.netns.is_none()) {
        delete_root(&b.name, "bridge", &mut removed)?;
    }
    drop(root);
    // Root sysctls back to their values before the first apply.
    let path = state_path(opts, topo);
    let saved = read_saved(&path);
    for (k, v) in &saved {
        if topo.root_sysctls.iter().any(|(key, _)| key == k) {
            crate::sysctl::set(k, v)?;
            removed.push(format!("sysctl {k} in root (back to {v})"));
        }
    }
    if path.exists() {
        std::fs::remove_file(&path)
            .map_err(|e| Error::io(&e, "remove", format!("state file {}", path.display())))?;
    }
    // /etc/netns files, then namespaces.
    for ns in &topo.namespaces {
        for (file, decl) in [
            (EtcFile::ResolvConf, &ns.resolv_conf),
            (EtcFile::Hosts, &ns.hosts),
        ] {
            if decl.is_none() {
                continue;
            }
            let p = reg.etc_dir().join(&ns.name).join(file.file_name());
            match std::fs::remove_file(&p) {
                Ok(()) => {
                    removed.push(format!("file {}", p.display()));
                    let _ = std::fs::remove_dir(reg.etc_dir().join(&ns.name));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&e, "remove", format!("file {}", p.display()))),
            }
        }
    }
    for ns in &topo.namespaces {
        match reg.delete(&ns.name) {
            Ok(()) => removed.push(format!("namespace {:?}", ns.name)),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    let _ = place_label;
    Ok(DestroyReport {
        topology: topo.name.clone(),
        removed,
        elapsed: start.elapsed(),
    })
}
