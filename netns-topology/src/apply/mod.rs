//! Making the system match: steps run with an undo journal, rolled back in
//! reverse on the first failure; and destroy.
//!
//! Here: [`Options`], the reports and the entry points (the lock, the
//! record written before the steps run). The steps' order and batching in
//! `execute`, the namespaces and handles they use in `places`, the undo
//! journal in `journal`, namespace creation in `namespaces`, link batches
//! in `links`, the other steps in `steps`, destroy in `destroy`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::model::Topology;
use crate::plan::{survey, Opened, Plan};
use crate::state::{Record, StateDir};
use netns_core::{Error, ErrorKind, Registry, Result};

mod destroy;
mod execute;
mod journal;
mod links;
mod namespaces;
mod places;
mod steps;

pub(crate) use destroy::destroy;
use execute::execute;

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
