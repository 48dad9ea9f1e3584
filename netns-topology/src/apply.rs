//! Making the system match: steps run with an undo journal, rolled back in
//! reverse on the first failure; and destroy.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::model::{Place, Topology};
use crate::plan::{read_links, survey, At, Opened, Plan, Step};
use crate::pool;
use crate::state::{clear_tmp, place_of_key, Held, Record, StateDir};
use netns_core::addr::IpNet;
use netns_core::link::{
    Dev, IfIndex, LinkChange, LinkId, LinkKind, LinkRequest, LinkSpec, MacAddr, NetNsRef, VethPeer,
};
use netns_core::namespace::{Found, VerifiedDir};
use netns_core::netlink::BatchError;
use netns_core::route::RouteSpec;
use netns_core::{Error, ErrorKind, Handle, NetNs, Registry, Result};

/// A progress callback: `(done, total, step)`.
type ProgressFn = Box<dyn FnMut(usize, usize, &str) + Send>;

/// How [`Topology::apply`] and [`Topology::destroy`] run.
pub struct Options {
    registry: Registry,
    state_dir: PathBuf,
    fail_at: Option<usize>,
    progress: Option<ProgressFn>,
    adopt: bool,
    wait: bool,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("registry", &self.registry)
            .field("state_dir", &self.state_dir)
            .field("fail_at", &self.fail_at)
            .field("adopt", &self.adopt)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

impl Default for Options {
    /// [`Registry::from_env`] and the state directory from `NETNS_STATE_DIR`
    /// (default `/run/netns-topology`); no failure injected.
    fn default() -> Self {
        let state_dir = std::env::var_os("NETNS_STATE_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(Options::DEFAULT_STATE_DIR));
        Options {
            registry: Registry::from_env(),
            state_dir,
            fail_at: None,
            progress: None,
            adopt: false,
            wait: true,
        }
    }
}

impl Options {
    /// Where each topology's record (what it created or adopted, the values
    /// its root-namespace sysctls had before its first apply) and lock are
    /// kept.
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

    /// Keeps the topologies' records and locks under `dir`.
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

    /// Adopts every declared namespace, link and `/etc/netns` file that
    /// exists and is not the topology's (`netns apply --adopt`), instead of
    /// refusing the file: recorded as adopted, managed by apply, left by
    /// destroy. Per object, the file's `adopt = true` does the same.
    pub fn adopt(mut self, yes: bool) -> Options {
        self.adopt = yes;
        self
    }

    /// Whether apply and destroy wait for the topology's lock while another
    /// apply or destroy of it holds it (the default), or fail at once with
    /// [`ErrorKind::Busy`] (`--no-wait`).
    pub fn wait(mut self, yes: bool) -> Options {
        self.wait = yes;
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

    /// Whether [`Options::adopt`] is set.
    pub fn adopts(&self) -> bool {
        self.adopt
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
    /// What the topology created but destroy left, with why (an etc file
    /// changed since apply wrote it, or a symbolic link now in its place).
    pub kept: Vec<String>,
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
    /// An etc file written: its old contents back (or removed), and its
    /// directory removed when this apply created it.
    RestoreEtc {
        ns: String,
        file: &'static str,
        old: Option<Vec<u8>>,
        made_dir: bool,
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
        /// `Some(true)`: bring it back up; `Some(false)`: down.
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
    /// A change inside a namespace this apply created (its `lo` up):
    /// undone by deleting that namespace, which the journal holds before it.
    WithNamespace,
}

/// Open namespaces and handles, by place: those the survey opened, those
/// created, and (rarely) any other opened on demand.
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
            None => netns_core::sysctl::get(key),
            Some(n) => self.ns(n)?.sysctl_get(key),
        }
    }

    fn sysctl_set(&mut self, place: &Place, key: &str, value: &str) -> Result<()> {
        match place {
            None => netns_core::sysctl::set(key, value),
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
    d: &crate::model::RouteDecl,
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

fn spec_of_route(r: &netns_core::route::Route) -> RouteSpec {
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
    /// The links of a place as [`Run::set_links`] read them, for the
    /// indexes [`Run::add_addresses`] needs next (no second dump); cleared
    /// whenever links are created.
    links_read: HashMap<Place, crate::plan::PlaceState>,
}

impl Run<'_, '_> {
    /// Runs one (non-batched) step, journaling its undo.
    fn step(&mut self, step: &Step) -> Result<()> {
        match step {
            Step::AddNamespace(_)
            | Step::AddVeth(_)
            | Step::AddBridge { .. }
            | Step::SetLink { .. }
            | Step::AddAddress { .. } => unreachable_step(),
            Step::WriteEtc {
                ns, file, contents, ..
            } => {
                // Relative to the verified etc directory: a symbolic link
                // anywhere below is refused, never followed; the file is
                // replaced by a rename, never written through.
                let top = VerifiedDir::open_or_create(
                    self.places.registry.etc_dir(),
                    "etc directory",
                    0o755,
                )?;
                let (dir, made_dir) = top.create_subdir(ns, 0o755)?;
                let name = file.file_name();
                clear_tmp(&dir, name);
                let old = dir.read(name)?;
                self.journal.push(Undo::RestoreEtc {
                    ns: ns.clone(),
                    file: name,
                    old,
                    made_dir,
                });
                dir.write_atomic(name, contents.as_bytes(), 0o644)
            }
            Step::DelAddress { place, iface, net } => {
                let h = self.places.handle(place)?;
                let ix = h.link_index(iface)?;
                let routes: Vec<RouteSpec> = h
                    .routes(Some(netns_core::route::RouteTable::MAIN), None)?
                    .map(|r| r.to_owned())
                    .filter(crate::plan::managed_route)
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
            Step::SetSysctl { place, key, value } => {
                let old = self.places.sysctl_get(place, key)?;
                self.places.sysctl_set(place, key, value)?;
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
                let m = crate::masquerade(n);
                m.apply()?;
                self.journal.push(Undo::RemoveNat(m));
                Ok(())
            }
        }
    }

    /// Creates the namespaces of `run` (all `AddNamespace`) on the worker
    /// pool, each with its handle ([`Registry::add_with_handle`]); the
    /// handles are kept for the steps that follow. Right after a namespace
    /// is created, its worker sends, through the new handle and in one
    /// batch, `lo` up (the step in `lo`, by namespace) and the `AddVeth`
    /// steps made from it (`then`, by namespace; see [`fusable_veths`]).
    fn add_namespaces(
        &mut self,
        run: &[(usize, &Step)],
        lo: &HashMap<&str, usize>,
        then: &HashMap<&str, Vec<(usize, &Step)>>,
    ) -> std::result::Result<(), Failed> {
        let topo = self.topo;
        let registry = self.places.registry;
        self.links_read.clear();
        if !then.is_empty() && self.places.root.is_none() {
            let k = run.first().map_or(0, |r| r.0);
            self.places.root = Some(NetNs::current().map_err(|e| (k, e))?);
        }
        let root = self.places.root.as_ref();
        let work: Vec<(usize, &str)> = run
            .iter()
            .filter_map(|(k, s)| match s {
                Step::AddNamespace(n) => Some((*k, n.as_str())),
                _ => None,
            })
            .collect();
        let stop = AtomicBool::new(false);
        let none = HashMap::new();
        let shares = pool::on_workers(work, |share| {
            let mut made = Vec::with_capacity(share.len());
            let mut links = Vec::new();
            let mut los = Vec::new();
            for (k, name) in share {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let (ns, mut h) = match registry.add_with_handle(name) {
                    Ok(x) => x,
                    Err(e) => {
                        stop.store(true, Ordering::Relaxed);
                        return (made, los, links, Some((k, e)));
                    }
                };
                let steps = then.get(name);
                let lo_step = lo.get(name).copied();
                if steps.is_some() || lo_step.is_some() {
                    let steps = steps.cloned().unwrap_or_default();
                    let job = LinkJob {
                        place: Some(name.to_string()),
                        handle: h,
                        masters: vec![None; steps.len()],
                        steps,
                        lo: lo_step,
                    };
                    let done = job.send(topo, &none, root, Some((name, &ns)));
                    h = done.handle;
                    if let Some(j) = done.lo_made {
                        los.push((j, name));
                    }
                    links.extend(done.made.into_iter().map(|(j, l)| (j, name, l)));
                    if let Some(f) = done.failure {
                        stop.store(true, Ordering::Relaxed);
                        made.push((k, name, ns, h));
                        return (made, los, links, Some(f));
                    }
                }
                made.push((k, name, ns, h));
            }
            (made, los, links, None)
        });
        let mut failure: Option<Failed> = None;
        let mut made = Vec::new();
        let mut los = Vec::new();
        let mut links = Vec::new();
        for (m, o, l, f) in shares {
            made.extend(m);
            los.extend(o);
            links.extend(l);
            failure = first_failure(failure, f);
        }
        made.sort_by_key(|m| m.0);
        for (_, name, ns, h) in made {
            self.journal.push(Undo::DeleteNamespace(name.to_string()));
            self.places.handles.insert(Some(name.to_string()), h);
            self.places.nss.insert(name.to_string(), ns);
        }
        los.sort_by_key(|l| l.0);
        for _ in los {
            self.journal.push(Undo::WithNamespace);
        }
        links.sort_by_key(|l| l.0);
        for (_, place, name) in links {
            self.journal.push(Undo::DeleteLink {
                place: Some(place.to_string()),
                name,
            });
        }
        failure.map_or(Ok(()), Err)
    }

    /// Creates the links of `run` (all `AddBridge`, or all `AddVeth`): one
    /// batch (one `send`) per place; the veth batches of different places
    /// on the worker pool.
    fn add_links(&mut self, run: &[(usize, &Step)]) -> std::result::Result<(), Failed> {
        let topo = self.topo;
        self.links_read.clear();
        let groups = by_place(run, |s| match s {
            Step::AddBridge { place, .. } => place.clone(),
            Step::AddVeth(i) => topo.links[*i].a.netns.clone(),
            _ => None,
        });
        // Open what the messages need: handles, peer namespaces, the root
        // namespace, masters.
        if self.places.root.is_none() {
            let k = run.first().map_or(0, |r| r.0);
            self.places.root = Some(NetNs::current().map_err(|e| (k, e))?);
        }
        let mut jobs = Vec::with_capacity(groups.len());
        for (place, steps) in groups {
            let mut masters = Vec::with_capacity(steps.len());
            for (k, s) in &steps {
                let mut master = None;
                if let Step::AddVeth(i) = s {
                    let l = &topo.links[*i];
                    if let Some(n) = &l.b.netns {
                        self.places.ns(n).map_err(|e| (*k, e))?;
                    }
                    if let Some(b) = &l.a.master {
                        master = Some(self.places.ifindex(&place, b).map_err(|e| (*k, e))?);
                    }
                }
                masters.push(master);
            }
            let k = steps.first().map_or(0, |r| r.0);
            self.places.handle(&place).map_err(|e| (k, e))?;
            jobs.push((place, steps, masters));
        }
        let Places {
            nss, handles, root, ..
        } = &mut self.places;
        let mut work = Vec::with_capacity(jobs.len());
        for (place, steps, masters) in jobs {
            // Present: opened just above.
            if let Some(h) = handles.remove(&place) {
                work.push(LinkJob {
                    place,
                    handle: h,
                    steps,
                    masters,
                    lo: None,
                });
            }
        }
        let (nss, root) = (&*nss, root.as_ref());
        let veths = run.iter().all(|(_, s)| matches!(s, Step::AddVeth(_)));
        let done: Vec<LinkJobDone> = if veths && work.len() > 1 {
            pool::on_workers(work, |share| {
                share
                    .into_iter()
                    .map(|job| job.send(topo, nss, root, None))
                    .collect::<Vec<_>>()
            })
            .into_iter()
            .flatten()
            .collect()
        } else {
            work.into_iter()
                .map(|job| job.send(topo, nss, root, None))
                .collect()
        };
        let mut made = Vec::new();
        let mut failure = None;
        for d in done {
            made.extend(
                d.made
                    .into_iter()
                    .map(|(k, name)| (k, d.place.clone(), name)),
            );
            handles.insert(d.place, d.handle);
            failure = first_failure(failure, d.failure);
        }
        made.sort_by_key(|m| m.0);
        for (_, place, name) in made {
            self.journal.push(Undo::DeleteLink { place, name });
        }
        failure.map_or(Ok(()), Err)
    }

    /// Changes the links of `run` (all `SetLink`): per place, one link dump
    /// (the values to put back on undo, the masters' indexes) and one batch.
    fn set_links(&mut self, run: &[(usize, &Step)]) -> std::result::Result<(), Failed> {
        let groups = by_place(run, |s| match s {
            Step::SetLink { place, .. } => place.clone(),
            _ => None,
        });
        for (place, steps) in groups {
            let k0 = steps.first().map_or(0, |r| r.0);
            let h = self.places.handle(&place).map_err(|e| (k0, e))?;
            let have = read_links(h).map_err(|e| (k0, e))?;
            let mut changes = Vec::with_capacity(steps.len());
            let mut undo = Vec::with_capacity(steps.len());
            let mut refused = None;
            for (k, s) in &steps {
                let Step::SetLink {
                    name,
                    mtu,
                    mac,
                    master,
                    up,
                    ..
                } = s
                else {
                    continue;
                };
                let Some(before) = have.links.get(name) else {
                    refused = Some((*k, no_link("set", &place, name)));
                    break;
                };
                let master_ix = match master {
                    Some(Some(b)) => match have.links.get(b) {
                        Some(l) => Some(Some(l.index)),
                        None => {
                            refused = Some((*k, no_link("set", &place, b)));
                            break;
                        }
                    },
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
                match up {
                    Some(true) => change = change.up(),
                    Some(false) => change = change.down(),
                    None => {}
                }
                changes.push(change);
                undo.push((
                    *k,
                    Undo::RevertLink {
                        place: place.clone(),
                        name: name.clone(),
                        mtu: mtu.and(before.mtu),
                        mac: mac.and(before.mac),
                        master: master.as_ref().map(|_| before.master),
                        up: up.filter(|u| *u != before.up).map(|_| before.up),
                    },
                ));
            }
            let mut requests = Vec::with_capacity(changes.len());
            for (j, c) in changes.iter().enumerate() {
                match c.request() {
                    Ok(r) => requests.push(r),
                    Err(e) => {
                        refused = Some((undo[j].0, e));
                        break;
                    }
                }
            }
            let result = h.socket().batch(&requests);
            undo.truncate(requests.len());
            drop(requests);
            // Names and indexes stay as read: only MTU, MAC, master and
            // state changed.
            self.links_read.insert(place.clone(), have);
            self.journal_batch(undo, result, refused)?;
        }
        Ok(())
    }

    /// Adds the addresses of `run` (all `AddAddress`): per place, one link
    /// dump for the indexes (none when [`Run::set_links`] just read them)
    /// and one batch.
    fn add_addresses(&mut self, run: &[(usize, &Step)]) -> std::result::Result<(), Failed> {
        let groups = by_place(run, |s| match s {
            Step::AddAddress { place, .. } => place.clone(),
            _ => None,
        });
        for (place, steps) in groups {
            let k0 = steps.first().map_or(0, |r| r.0);
            let have = match self.links_read.remove(&place) {
                Some(have) => have,
                None => {
                    let h = self.places.handle(&place).map_err(|e| (k0, e))?;
                    read_links(h).map_err(|e| (k0, e))?
                }
            };
            let h = self.places.handle(&place).map_err(|e| (k0, e))?;
            let mut pairs = Vec::with_capacity(steps.len());
            let mut undo = Vec::with_capacity(steps.len());
            let mut refused = None;
            for (k, s) in &steps {
                let Step::AddAddress { iface, net, .. } = s else {
                    continue;
                };
                let Some(l) = have.links.get(iface) else {
                    refused = Some((*k, no_link("add address to", &place, iface)));
                    break;
                };
                pairs.push((l.index.get(), *net));
                undo.push((
                    *k,
                    Undo::DelAddress {
                        place: place.clone(),
                        iface: iface.clone(),
                        net: *net,
                    },
                ));
            }
            let result = h.addresses_add(&pairs);
            self.journal_batch(undo, result, refused)?;
        }
        Ok(())
    }

    /// Journals the undo of every request of a batch that may have been
    /// applied (those sent, but the refused one) and returns the failure,
    /// by plan index: the batch's, else `refused` (a step not sent because
    /// it could not be built).
    fn journal_batch(
        &mut self,
        undo: Vec<(usize, Undo)>,
        result: std::result::Result<(), BatchError>,
        refused: Option<Failed>,
    ) -> std::result::Result<(), Failed> {
        let (done, failed) = match result {
            Ok(()) => (undo.len(), None),
            Err(e) => {
                let k = undo.get(e.index).map_or(0, |u| u.0);
                (e.sent.max(e.index), Some((e.index, k, e.error)))
            }
        };
        let skip = failed.as_ref().map(|f| f.0);
        for (j, (_, u)) in undo.into_iter().enumerate().take(done) {
            if Some(j) != skip {
                self.journal.push(u);
            }
        }
        let failure = failed.map(|(_, k, e)| (k, e)).or(refused);
        failure.map_or(Ok(()), Err)
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
            Undo::RestoreEtc {
                ns,
                file,
                old,
                made_dir,
            } => {
                let top = VerifiedDir::open_as(self.places.registry.etc_dir(), "etc directory")?;
                let dir = top.subdir(ns)?;
                match old {
                    Some(t) => dir.write_atomic(file, t, 0o644)?,
                    None => dir.remove_file(file)?,
                }
                if *made_dir {
                    top.remove_dir(ns)?;
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
                up,
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
                match up {
                    Some(true) => c = c.up(),
                    Some(false) => c = c.down(),
                    None => {}
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
            Undo::RestoreSysctl { place, key, old } => self.places.sysctl_set(place, key, old),
            Undo::DelRoute { place, spec } => self.places.handle(place)?.route_del(spec),
            Undo::AddRoute { place, spec } => self.places.handle(place)?.route_add(spec),
            Undo::RemoveNat(m) => m.remove().map(|_| ()),
            Undo::WithNamespace => Ok(()),
        }
    }
}

/// A failed step: its index in the plan, and why.
type Failed = (usize, Error);

/// The failure of the lower step.
fn first_failure(a: Option<Failed>, b: Option<Failed>) -> Option<Failed> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// `run`'s steps grouped by `place_of`, each group in plan order, the
/// groups in the order of their first step.
fn by_place<'s>(
    run: &[(usize, &'s Step)],
    place_of: impl Fn(&Step) -> Place,
) -> Vec<(Place, Vec<(usize, &'s Step)>)> {
    let mut groups: Vec<(Place, Vec<(usize, &'s Step)>)> = Vec::new();
    let mut at: HashMap<Place, usize> = HashMap::new();
    for &(k, s) in run {
        let place = place_of(s);
        let g = *at.entry(place.clone()).or_insert_with(|| {
            groups.push((place, Vec::new()));
            groups.len() - 1
        });
        groups[g].1.push((k, s));
    }
    groups
}

/// A link a step needs is not there (as the kernel's lookup would say).
fn no_link(op: &'static str, place: &Place, name: &str) -> Error {
    Error::new(ErrorKind::NotFound, op, format!("link {}", At(place, name)))
        .with_detail("no such link")
}

/// The namespace of a step that only brings `lo` up.
fn lo_up_of(step: &Step) -> Option<&str> {
    match step {
        Step::SetLink {
            place: Some(ns),
            name,
            mtu: None,
            mac: None,
            master: None,
            up: Some(true),
        } if name == "lo" => Some(ns),
        _ => None,
    }
}

/// The `AddVeth` steps among `veths` that can be made by the worker that
/// creates their namespace, right after creating it (as one batch through
/// its new handle): those made from a namespace `created` now, with no
/// master, whose peer is born in root or in that same namespace. By
/// namespace.
fn fusable_veths<'a>(
    topo: &'a Topology,
    created: &HashSet<&str>,
    veths: &[(usize, &'a Step)],
) -> HashMap<&'a str, Vec<(usize, &'a Step)>> {
    let mut then: HashMap<&str, Vec<(usize, &Step)>> = HashMap::new();
    for &(k, s) in veths {
        let Step::AddVeth(i) = s else { continue };
        let l = &topo.links[*i];
        let Some(a) = l.a.netns.as_deref() else {
            continue;
        };
        let peer_ok = l.b.netns.is_none() || l.b.netns.as_deref() == Some(a);
        if l.a.master.is_none() && peer_ok && created.contains(a) {
            then.entry(a).or_default().push((k, s));
        }
    }
    then
}

/// The link creations of one place, sent in one batch.
struct LinkJob<'s> {
    place: Place,
    handle: Handle,
    steps: Vec<(usize, &'s Step)>,
    /// The index of each `AddVeth`'s master in `place`.
    masters: Vec<Option<IfIndex>>,
    /// The step bringing `lo` up in `place`, sent first in the batch.
    lo: Option<usize>,
}

/// What a [`LinkJob`] made: `(step, name)` for each link that may exist,
/// and the `lo` step when it may have been applied.
struct LinkJobDone {
    place: Place,
    handle: Handle,
    made: Vec<(usize, String)>,
    lo_made: Option<usize>,
    failure: Option<Failed>,
}

impl LinkJob<'_> {
    /// Builds every message (each veth's peer born in its namespace, up,
    /// with MAC, MTU and master; links born in the root namespace
    /// in the topology's device group) and sends them in one batch, after
    /// `lo` up when the job has it.
    fn send(
        mut self,
        topo: &Topology,
        nss: &HashMap<String, NetNs>,
        root: Option<&NetNs>,
        fresh: Option<(&str, &NetNs)>,
    ) -> LinkJobDone {
        let group = topology_group(topo);
        // The requests: `lo` up first (when the job has it), then the links.
        let mut requests = Vec::with_capacity(self.steps.len() + 1);
        let mut names = Vec::with_capacity(self.steps.len());
        if self.lo.is_some() {
            requests.push(LinkRequest::SetUp(Dev::from("lo"), true));
        }
        let first = requests.len();
        let mut built = Ok(());
        for ((k, s), master) in self.steps.iter().zip(&self.masters) {
            let spec = match s {
                Step::AddBridge { name, mac, mtu, .. } => {
                    let mut spec = LinkSpec::new(name.clone(), LinkKind::Bridge).up(true);
                    spec.group = self.place.is_none().then_some(group);
                    spec.address = *mac;
                    spec.mtu = *mtu;
                    spec
                }
                Step::AddVeth(i) => {
                    let l = &topo.links[*i];
                    let mut peer = VethPeer::named(l.b.name.clone());
                    peer.group = l.b.netns.is_none().then_some(group);
                    peer.address = l.b.mac;
                    peer.mtu = l.b.mtu;
                    // The peer is born in its namespace: a named one, or
                    // root when the pair is created from a named one.
                    let peer_ns = match &l.b.netns {
                        Some(n) => match fresh {
                            Some((f, ns)) if f == n => Some(ns),
                            _ => nss.get(n),
                        },
                        None if self.place.is_some() => root,
                        None => None,
                    };
                    match peer_ns.map(NetNs::try_clone).transpose() {
                        Ok(ns) => peer.netns = ns.map(NetNsRef::from),
                        Err(error) => {
                            built = Err(BatchError {
                                index: first + names.len(),
                                sent: 0,
                                error,
                            });
                            break;
                        }
                    }
                    let mut spec = LinkSpec::new(l.a.name.clone(), LinkKind::Veth(peer)).up(true);
                    spec.group = self.place.is_none().then_some(group);
                    spec.address = l.a.mac;
                    spec.mtu = l.a.mtu;
                    spec.master = master.map(Dev::Index);
                    spec
                }
                _ => continue,
            };
            names.push((*k, spec.name.clone()));
            requests.push(LinkRequest::Add(spec));
        }
        let mut steps_of: Vec<usize> = self.lo.into_iter().collect();
        steps_of.extend(names.iter().map(|n| n.0));
        let mut created = Vec::new();
        let result = built.and_then(|()| self.handle.links_apply(&requests, &mut created));
        drop(requests);
        let (made, lo_made, failure) = match result {
            Ok(()) => (names, self.lo, None),
            Err(e) => {
                let k = steps_of.get(e.index).copied().unwrap_or(0);
                // Requests after the failed one that were sent may have
                // been applied: journal them too (deleting a missing link
                // is ignored).
                let applied = |pos: usize| pos < e.sent.max(e.index) && pos != e.index;
                let lo_made = self.lo.filter(|_| applied(0));
                let made = names
                    .into_iter()
                    .enumerate()
                    .filter(|(j, _)| applied(first + j))
                    .map(|(_, n)| n)
                    .collect();
                (made, lo_made, Some((k, e.error)))
            }
        };
        LinkJobDone {
            place: self.place,
            handle: self.handle,
            made,
            lo_made,
            failure,
        }
    }
}

/// The device group of the links a topology creates in the root namespace
/// (veth ends and bridges), so that destroy can delete them all with one
/// `RTM_DELLINK` without regrouping them first: a hash of the topology's
/// name in 2^30..2^31 (never 0, the default group, far from the small
/// numbers people give groups, and below 2^31, which `ip` prints as a
/// negative number it cannot read back). Destroy checks that the group
/// holds only the file's links before deleting it.
pub(crate) fn topology_group(topo: &Topology) -> u32 {
    // FNV-1a.
    let mut h: u32 = 0x811c_9dc5;
    for b in topo.name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    (h & 0x7fff_ffff) | 0x4000_0000
}

fn unreachable_step() -> Result<()> {
    Err(Error::new(ErrorKind::InvalidArgument, "run", "step").with_detail("batched step run alone"))
}

/// The record of `topo` as it is now (no lock taken; a record is replaced
/// atomically, so this is one apply's or another's, never a mix).
pub(crate) fn record_now(topo: &Topology, opts: &Options) -> Result<Record> {
    match StateDir::open(&opts.state_dir, false)? {
        Some(state) => state.read(&topo.name),
        None => Ok(Record::default()),
    }
}

/// The plan against the system and the topology's record.
pub(crate) fn plan_now(topo: &Topology, opts: &Options) -> Result<(Plan, Opened)> {
    let record = record_now(topo, opts)?;
    survey(topo, &opts.registry, &record, opts.adopt)
}

/// The error for a plan with conflicts: every object named.
fn refused(topo: &Topology, plan: &Plan) -> Error {
    Error::new(
        ErrorKind::AlreadyExists,
        "apply",
        format!("topology {:?}", topo.name),
    )
    .with_detail(format!(
        "nothing was changed: {}",
        plan.conflicts().join("; ")
    ))
}

/// Applies under the topology's lock: the record is read, the system
/// surveyed and planned against it (refused on any conflict), the claims of
/// the plan (what it will create, what it adopts) written to the record, and
/// only then the steps run. On a failure, once every step is undone, the
/// record goes back to what it was.
pub(crate) fn apply(topo: &Topology, opts: &mut Options) -> Result<ApplyReport> {
    let start = Instant::now();
    let state = StateDir::open(&opts.state_dir, true)?
        .ok_or_else(|| Error::new(ErrorKind::NotFound, "open", "state directory"))?;
    let lock = state.lock(&topo.name, opts.wait)?;
    let result = apply_locked(topo, opts, &state, start);
    state.release(lock, &topo.name);
    result
}

fn apply_locked(
    topo: &Topology,
    opts: &mut Options,
    state: &StateDir,
    start: Instant,
) -> Result<ApplyReport> {
    state.clear_leftovers(&topo.name);
    let before = state.read(&topo.name)?;
    let (plan, opened) = survey(topo, &opts.registry, &before, opts.adopt)?;
    if !plan.conflicts().is_empty() {
        return Err(refused(topo, &plan));
    }
    // The journal: what this apply is about to create, recorded first.
    let mut claimed = before.clone();
    claimed.owns.merge(&plan.claims);
    for (k, v) in &plan.written {
        claimed.written.insert(k.clone(), v.clone());
    }
    for (k, v) in &plan.sysctls_before {
        claimed
            .sysctls
            .entry(k.clone())
            .or_insert_with(|| v.clone());
    }
    if claimed != before {
        state.write(&topo.name, &claimed)?;
    }
    match execute(topo, opts, plan, opened, start) {
        Ok(report) => Ok(report),
        Err((e, undone)) => {
            // Everything undone: the record as before. Otherwise the claims
            // stay, so that a re-apply or destroy knows what may be left.
            if undone {
                state.write(&topo.name, &before)?;
            }
            Err(e)
        }
    }
}

/// How a step runs: with the steps of its kind next to it, or alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Namespace,
    Bridge,
    Veth,
    SetLink,
    AddAddress,
    Alone,
}

fn kind(step: &Step) -> Kind {
    match step {
        Step::AddNamespace(_) => Kind::Namespace,
        Step::AddBridge { .. } => Kind::Bridge,
        Step::AddVeth(_) => Kind::Veth,
        Step::SetLink { .. } => Kind::SetLink,
        Step::AddAddress { .. } => Kind::AddAddress,
        _ => Kind::Alone,
    }
}

/// Runs the steps; on a failure, undoes them and returns the error and
/// whether every undo succeeded.
fn execute(
    topo: &Topology,
    opts: &mut Options,
    plan: Plan,
    opened: Opened,
    start: Instant,
) -> std::result::Result<ApplyReport, (Error, bool)> {
    let total = plan.steps.len();
    let names = plan.steps().to_vec();
    let mut run = Run {
        topo,
        places: Places {
            registry: &opts.registry,
            nss: opened.nss,
            root: None,
            handles: opened.handles,
        },
        journal: Vec::new(),
        links_read: HashMap::new(),
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

    // In plan order, each run of consecutive steps of one batched kind
    // together: namespaces on the worker pool, link creations one batch
    // per place (veths of different places on the pool), link changes and
    // addresses one batch per place; the other steps one by one. A
    // failure injected at step K cuts its run there: steps before K are
    // made, K fails.
    // Veth steps already made with their namespaces.
    let mut fused: HashSet<usize> = HashSet::new();
    let mut k = 0;
    while k < steps.len() {
        let kind = kind(&steps[k]);
        let mut end = k + 1;
        if kind != Kind::Alone {
            while end < steps.len() && self::kind(&steps[end]) == kind {
                end += 1;
            }
        }
        let cut = fail_at.filter(|f| (k..end).contains(f));
        let stop = cut.unwrap_or(end);
        if stop > k {
            let batch: Vec<(usize, &Step)> = (k..stop).map(|j| (j, &steps[j])).collect();
            let result = match kind {
                Kind::Namespace => {
                    // The new namespaces' `lo` up (planned right after
                    // them), then, when the veths come next, those made
                    // from the new namespaces go with them, up to a cut.
                    let created: HashSet<&str> = batch
                        .iter()
                        .filter_map(|(_, s)| match s {
                            Step::AddNamespace(n) => Some(n.as_str()),
                            _ => None,
                        })
                        .collect();
                    let mut lo: HashMap<&str, usize> = HashMap::new();
                    let mut j = end;
                    let mut open = cut.is_none();
                    while open && j < steps.len() {
                        let Some(n) = lo_up_of(&steps[j]).filter(|n| created.contains(n)) else {
                            break;
                        };
                        if Some(j) == fail_at {
                            open = false;
                            break;
                        }
                        lo.insert(n, j);
                        j += 1;
                    }
                    let mut veths = Vec::new();
                    while open && j < steps.len() && Some(j) != fail_at {
                        if self::kind(&steps[j]) != Kind::Veth {
                            break;
                        }
                        veths.push((j, &steps[j]));
                        j += 1;
                    }
                    let then = fusable_veths(topo, &created, &veths);
                    fused.extend(lo.values().copied());
                    fused.extend(then.values().flatten().map(|(j, _)| *j));
                    run.add_namespaces(&batch, &lo, &then)
                }
                Kind::Veth | Kind::SetLink => {
                    let rest: Vec<(usize, &Step)> = batch
                        .iter()
                        .filter(|(j, _)| !fused.contains(j))
                        .copied()
                        .collect();
                    if rest.is_empty() {
                        Ok(())
                    } else if kind == Kind::Veth {
                        run.add_links(&rest)
                    } else {
                        run.set_links(&rest)
                    }
                }
                Kind::Bridge => run.add_links(&batch),
                Kind::AddAddress => run.add_addresses(&batch),
                Kind::Alone => run.step(&steps[k]).map_err(|e| (k, e)),
            };
            if let Err((j, e)) = result {
                (k..j).for_each(&mut tick);
                failure = Some((j, e));
                break;
            }
            (k..stop).for_each(&mut tick);
        }
        if let Some(f) = cut {
            failure = Some((f, injected(&names[f])));
            break;
        }
        k = end;
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
        return Err((e, undo_failures.is_empty()));
    }
    drop(run);
    opts.progress = progress;
    Ok(ApplyReport {
        topology: topo.name.clone(),
        changes: names,
        elapsed: start.elapsed(),
    })
}

/// A device group for deleting `doomed` (indexes in `have`) together: one
/// no link of the namespace is in.
fn free_group(have: &crate::plan::PlaceState) -> u32 {
    let used: HashSet<u32> = have.links.values().map(|l| l.group).collect();
    // "nt" and the pid: unlikely to be anyone else's; the next free one.
    let mut g = 0x6e74_0000 | (std::process::id() & 0xffff);
    while used.contains(&g) || g == 0 {
        g = g.wrapping_add(1);
    }
    g
}

/// Deletes the links `doomed` of `h`'s namespace (`have` its links, read
/// just before). Many links go together, with one `RTM_DELLINK` of a
/// device group holding exactly them (the kernel's per-deletion
/// synchronisation paid once): `group` (the topology's, which apply gives
/// the links it creates in root) when no other link is in it, else a free
/// one. Only the doomed links not already in the group join it (one batch
/// of `RTM_SETLINK`, then the group is read again to check it holds only
/// them); for the links an apply made, none has to. Otherwise, and when
/// the group cannot be used, one by one. Links already gone are skipped.
fn delete_links(
    h: &mut Handle,
    have: &crate::plan::PlaceState,
    doomed: &[(IfIndex, &str)],
    group: u32,
) -> Result<()> {
    if doomed.len() > 1 {
        let ours: HashSet<IfIndex> = doomed.iter().map(|(ix, _)| *ix).collect();
        let foreign_in = |g: u32| {
            have.links
                .values()
                .any(|l| l.group == g && !ours.contains(&l.index))
        };
        let group = if foreign_in(group) {
            free_group(have)
        } else {
            group
        };
        let strays: Vec<LinkChange<'_>> = doomed
            .iter()
            .filter(|(_, name)| have.links.get(*name).is_none_or(|l| l.group != group))
            .map(|(ix, _)| LinkChange::new(LinkId::Index(*ix)).group(group))
            .collect();
        let only_ours = strays.is_empty() || {
            let requests = strays
                .iter()
                .map(LinkChange::request)
                .collect::<Result<Vec<_>>>()?;
            let grouped = h.socket().batch(&requests).is_ok();
            drop(requests);
            grouped
                && read_links(h)?
                    .links
                    .values()
                    .filter(|l| l.group == group)
                    .all(|l| ours.contains(&l.index))
        };
        if only_ours {
            return delete_group(h, doomed, group);
        }
    }
    delete_each(h, doomed)
}

/// Whether device group `group` of `have` holds exactly the links `doomed`
/// (more than one): then one `RTM_DELLINK` of the group deletes them, with
/// no `RTM_SETLINK` first.
fn group_holds_exactly(
    have: &crate::plan::PlaceState,
    doomed: &[(IfIndex, &str)],
    group: u32,
) -> bool {
    let ours: HashSet<IfIndex> = doomed.iter().map(|(ix, _)| *ix).collect();
    doomed.len() > 1
        && doomed
            .iter()
            .all(|(_, name)| have.links.get(*name).is_some_and(|l| l.group == group))
        && have
            .links
            .values()
            .all(|l| l.group != group || ours.contains(&l.index))
}

/// Deletes device group `group` (holding `doomed`) with one `RTM_DELLINK`;
/// a group already empty is fine; when the kernel refuses, the links one by
/// one.
fn delete_group(h: &mut Handle, doomed: &[(IfIndex, &str)], group: u32) -> Result<()> {
    match h.link_delete_group(group) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(_) => delete_each(h, doomed),
    }
}

/// Deletes the links `doomed` one by one; those already gone are skipped.
fn delete_each(h: &mut Handle, doomed: &[(IfIndex, &str)]) -> Result<()> {
    for (ix, _) in doomed {
        match h.link_delete(LinkId::Index(*ix)) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Destroy's removals besides the root links, from the record: links
/// created in namespaces the topology did not create, addresses added to
/// adopted links, root sysctls back, etc files (only while they hold what
/// apply wrote), and the namespaces it created (one listing, deleted on
/// several threads; their links go with them).
fn remove_rest(
    opts: &Options,
    rec: &Record,
    removed: &mut Vec<String>,
    kept: &mut Vec<String>,
) -> Result<()> {
    let reg = &opts.registry;
    let created_ns = |n: &str| rec.owns.namespaces.get(n) == Some(&Held::Created);
    // Links made inside namespaces the topology did not create.
    for (key, held) in &rec.owns.links {
        let Some((label, name)) = key.split_once('/') else {
            continue;
        };
        let place = place_of_key(label);
        let Some(ns) = place.as_deref() else { continue };
        if *held != Held::Created || created_ns(ns) {
            continue;
        }
        let mut h = match reg.open(ns).and_then(|n| n.handle()) {
            Ok(h) => h,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Stale) => continue,
            Err(e) => return Err(e),
        };
        match h.link_delete(LinkId::Name(name)) {
            Ok(()) => removed.push(format!("link {}", At(&place, name))),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    // Addresses added to links the topology did not create.
    for (key, held) in &rec.owns.addresses {
        let mut parts = key.splitn(3, '/');
        let (Some(label), Some(iface), Some(net)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(net), Held::Created) = (net.parse::<IpNet>(), held) else {
            continue;
        };
        let place = place_of_key(label);
        let handle = match &place {
            None => Handle::current(),
            Some(n) => reg.open(n).and_then(|n| n.handle()),
        };
        let mut h = match handle {
            Ok(h) => h,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Stale) => continue,
            Err(e) => return Err(e),
        };
        let Ok(ix) = h.link_index(iface) else {
            continue;
        };
        match h.address_del(ix.get(), net) {
            Ok(()) => removed.push(format!("address {net} on {}", At(&place, iface))),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidArgument) => {}
            Err(e) => return Err(e),
        }
    }
    // Root sysctls back to their values before the first apply.
    for (k, v) in &rec.sysctls {
        netns_core::sysctl::set(k, v)?;
        removed.push(format!("sysctl {k} in root (back to {v})"));
    }
    remove_etc(reg, rec, removed, kept);
    let present: HashSet<String> = reg.names()?.into_iter().collect();
    let targets: Vec<&str> = rec
        .owns
        .namespaces
        .iter()
        .filter(|(n, held)| **held == Held::Created && present.contains(*n))
        .map(|(n, _)| n.as_str())
        .collect();
    // On several threads (Registry::delete_many): an unmount sometimes
    // waits for the kernel, and the waits overlap.
    let report = reg.delete_many(&targets);
    for name in &report.deleted {
        removed.push(format!("namespace {name:?}"));
    }
    let first_error = report
        .failed
        .into_iter()
        .map(|(_, e)| e)
        .find(|e| e.kind() != ErrorKind::NotFound);
    first_error.map_or(Ok(()), Err)
}

/// Removes the etc files the topology created, relative to the verified
/// etc directory: only a regular file still holding what apply wrote (a
/// symbolic link, a directory or a file changed since is kept, and said
/// so), then its directory when apply created it and it is empty.
fn remove_etc(reg: &Registry, rec: &Record, removed: &mut Vec<String>, kept: &mut Vec<String>) {
    if rec.owns.files.is_empty() && rec.owns.directories.is_empty() {
        return;
    }
    let top = match VerifiedDir::open_as(reg.etc_dir(), "etc directory") {
        Ok(top) => top,
        Err(e) if e.kind() == ErrorKind::NotFound => return,
        Err(e) => {
            kept.push(format!("{} ({e})", reg.etc_dir().display()));
            return;
        }
    };
    let mut dirs: BTreeMap<&str, Option<VerifiedDir>> = BTreeMap::new();
    for (key, held) in &rec.owns.files {
        let Some((ns, file)) = key.split_once('/') else {
            continue;
        };
        if *held != Held::Created {
            continue;
        }
        let path = reg.etc_dir().join(ns).join(file);
        let dir = dirs.entry(ns).or_insert_with(|| match top.lookup(ns) {
            Ok(Found::Directory) => top.subdir(ns).ok(),
            Ok(Found::Missing) => None,
            Ok(other) => {
                kept.push(format!(
                    "{} ({}, not followed)",
                    reg.etc_dir().join(ns).display(),
                    other.describe()
                ));
                None
            }
            Err(_) => None,
        });
        let Some(dir) = dir else { continue };
        clear_tmp(dir, file);
        let found = match dir.lookup(file) {
            Ok(f) => f,
            Err(e) => {
                kept.push(format!("{} ({e})", path.display()));
                continue;
            }
        };
        match found {
            Found::Missing => {}
            Found::File { .. } => {
                let same = dir.read(file).ok().flatten().as_deref()
                    == rec.written.get(key).map(String::as_bytes);
                if !same {
                    kept.push(format!("{} (changed since apply wrote it)", path.display()));
                } else if dir.remove_file(file).is_ok() {
                    removed.push(format!("file {}", path.display()));
                }
            }
            other => kept.push(format!(
                "{} ({} now, not what apply wrote; not followed)",
                path.display(),
                other.describe()
            )),
        }
    }
    for (ns, held) in &rec.owns.directories {
        if *held == Held::Created && top.lookup(ns).ok() == Some(Found::Directory) {
            if let Ok(true) = top.remove_dir(ns) {
                removed.push(format!("directory {}", reg.etc_dir().join(ns).display()));
            }
        }
    }
}

/// Destroys under the topology's lock what its record says it created
/// (adopted objects are left), then removes the record and the lock file.
pub(crate) fn destroy(topo: &Topology, opts: &Options) -> Result<DestroyReport> {
    let start = Instant::now();
    let mut report = DestroyReport {
        topology: topo.name.clone(),
        removed: Vec::new(),
        kept: Vec::new(),
        elapsed: Duration::ZERO,
    };
    // No state directory: nothing recorded, nothing to remove.
    if let Some(state) = StateDir::open(&opts.state_dir, false)? {
        let lock = state.lock(&topo.name, opts.wait)?;
        let result = destroy_locked(topo, &state, opts, &mut report);
        state.release(lock, &topo.name);
        result?;
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

fn destroy_locked(
    topo: &Topology,
    state: &StateDir,
    opts: &Options,
    report: &mut DestroyReport,
) -> Result<()> {
    state.clear_leftovers(&topo.name);
    let rec = state.read(&topo.name)?;
    let removed = &mut report.removed;
    // NAT tables.
    for (table, source) in &rec.owns.nat {
        let Ok(source) = source.parse::<IpNet>() else {
            continue;
        };
        if crate::nat::Masquerade::new(table.clone(), source).remove()? {
            removed.push(format!("masquerade {source} (nftables table ip {table})"));
        }
    }
    // The root links the topology created (veth ends, bridges): found with
    // one dump, deleted together.
    let mut root = Handle::current()?;
    let have = read_links(&mut root)?;
    let mut doomed: Vec<(IfIndex, &str)> = Vec::new();
    let mut seen = HashSet::new();
    for (key, held) in &rec.owns.links {
        let Some(name) = key.strip_prefix("root/") else {
            continue;
        };
        if *held != Held::Created {
            continue;
        }
        if let Some(l) = have.links.get(name) {
            if seen.insert(l.index) {
                doomed.push((l.index, name));
                let what = l.kind.as_deref().unwrap_or("link");
                removed.push(format!("{what} {}", At(&None, name)));
            }
        }
    }
    // Deleting a namespace deletes its veths, root ends included, but
    // asynchronously (cleanup_net, under the rtnl lock). When the root links
    // are exactly the topology's group (as apply made them), the one
    // RTM_DELLINK of the group goes on its own thread while the namespaces
    // go: whichever of the two deletes a root end first, it is gone when
    // the DELLINK returns, and the kernel's grace periods of the two
    // overlap. Otherwise links must join a group first (RTM_SETLINK by
    // index, which the namespaces' teardown would race: ENODEV): the root
    // links are deleted first, then the namespaces.
    let group = topology_group(topo);
    let mut kept = Vec::new();
    if group_holds_exactly(&have, &doomed, group) {
        let (links, rest) = std::thread::scope(|s| {
            let links = s.spawn(|| delete_group(&mut root, &doomed, group));
            let rest = remove_rest(opts, &rec, removed, &mut kept);
            (links.join(), rest)
        });
        links.unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        rest?;
    } else {
        delete_links(&mut root, &have, &doomed, group)?;
        remove_rest(opts, &rec, removed, &mut kept)?;
    }
    report.kept = kept;
    // Everything removed (or left, when adopted): the record goes.
    state.write(&topo.name, &Record::default())
}
