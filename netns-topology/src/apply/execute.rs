//! Running a plan's steps in order, batching runs of one kind, and undoing
//! them all on the first failure.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use super::journal::{Failed, Undo};
use super::namespaces::{fusable_veths, lo_up_of};
use super::places::Places;
use super::{ApplyReport, Options};
use crate::model::{Place, Topology};
use crate::plan::{Opened, Plan, Step};
use netns_core::{Error, ErrorKind, Result};

pub(super) struct Run<'t, 'r> {
    pub(super) topo: &'t Topology,
    pub(super) places: Places<'r>,
    pub(super) journal: Vec<Undo>,
    /// The links of a place as [`Run::set_links`] read them, for the
    /// indexes [`Run::add_addresses`] needs next (no second dump); cleared
    /// whenever links are created.
    pub(super) links_read: HashMap<Place, crate::plan::PlaceState>,
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
pub(super) fn execute(
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
    let failure = run.run_steps(&plan.steps, opts.fail_at, &names, &mut tick);

    if let Some((k, err)) = failure {
        let undone = run.journal.len();
        let undo_failures = run.undo_all();
        drop(run);
        let e = apply_error(topo, &names, k, &err, undone, &undo_failures);
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

impl Run<'_, '_> {
    /// Runs `steps` in plan order, each run of consecutive steps of one
    /// batched kind together: namespaces on the worker pool, link creations
    /// one batch per place (veths of different places on the pool), link
    /// changes and addresses one batch per place; the other steps one by
    /// one. A failure injected at step K (`fail_at`) cuts its run there:
    /// steps before K are made, K fails. Calls `tick(k)` for each step
    /// made; returns the first failure.
    fn run_steps(
        &mut self,
        steps: &[Step],
        fail_at: Option<usize>,
        names: &[String],
        tick: &mut impl FnMut(usize),
    ) -> Option<Failed> {
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
                        let open = cut.is_none();
                        let (lo, then) =
                            made_with_namespaces(self.topo, steps, &batch, end, open, fail_at);
                        fused.extend(lo.values().copied());
                        fused.extend(then.values().flatten().map(|(j, _)| *j));
                        self.add_namespaces(&batch, &lo, &then)
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
                            self.add_links(&rest)
                        } else {
                            self.set_links(&rest)
                        }
                    }
                    Kind::Bridge => self.add_links(&batch),
                    Kind::AddAddress => self.add_addresses(&batch),
                    Kind::Alone => self.step(&steps[k]).map_err(|e| (k, e)),
                };
                if let Err((j, e)) = result {
                    (k..j).for_each(&mut *tick);
                    return Some((j, e));
                }
                (k..stop).for_each(&mut *tick);
            }
            if let Some(f) = cut {
                return Some((f, injected(&names[f])));
            }
            k = end;
        }
        None
    }
}

/// The step bringing `lo` up in each new namespace, by namespace.
type LoSteps<'s> = HashMap<&'s str, usize>;

/// `AddVeth` steps by the namespace they are made from.
type VethsByNamespace<'s> = HashMap<&'s str, Vec<(usize, &'s Step)>>;

/// The steps made with the namespaces of `batch` (a run ending at `end`),
/// by namespace: the new namespaces' `lo` up (planned right after them),
/// then, when the veths come next, those made from the new namespaces, up
/// to a cut (`open` false: the run itself was cut, nothing follows).
fn made_with_namespaces<'s>(
    topo: &'s Topology,
    steps: &'s [Step],
    batch: &[(usize, &'s Step)],
    end: usize,
    open: bool,
    fail_at: Option<usize>,
) -> (LoSteps<'s>, VethsByNamespace<'s>) {
    let created: HashSet<&str> = batch
        .iter()
        .filter_map(|(_, s)| match s {
            Step::AddNamespace(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let mut lo: HashMap<&str, usize> = HashMap::new();
    let mut j = end;
    let mut open = open;
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
        if kind(&steps[j]) != Kind::Veth {
            break;
        }
        veths.push((j, &steps[j]));
        j += 1;
    }
    let then = fusable_veths(topo, &created, &veths);
    (lo, then)
}

/// The error of a failed apply: the step (`k`, 1-based in the message) and
/// its cause, how many changes were undone, which undos failed; with the
/// kernel's errno and message when the cause has them.
fn apply_error(
    topo: &Topology,
    names: &[String],
    k: usize,
    err: &Error,
    undone: usize,
    undo_failures: &[String],
) -> Error {
    let total = names.len();
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
    e
}

/// The error of a step failed on purpose by [`Options::fail_at`].
fn injected(step: &str) -> Error {
    Error::new(ErrorKind::Io, INJECTED, format!("step {step:?}"))
        .with_detail("failure injected by the fail_at test hook")
}

const INJECTED: &str = "inject failure into";

pub(super) fn unreachable_step() -> Result<()> {
    Err(Error::new(ErrorKind::InvalidArgument, "run", "step").with_detail("batched step run alone"))
}
