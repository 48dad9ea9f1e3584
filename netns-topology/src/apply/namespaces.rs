//! Namespace creation on the worker pool, with the `lo` up and the veths
//! each new namespace's worker makes right after creating it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use super::execute::Run;
use super::journal::{first_failure, Failed, Undo};
use super::links::LinkJob;
use crate::model::Topology;
use crate::plan::Step;
use crate::pool;
use netns_core::NetNs;

impl Run<'_, '_> {
    /// Creates the namespaces of `run` (all `AddNamespace`) on the worker
    /// pool, each with its handle ([`Registry::add_with_handle`]); the
    /// handles are kept for the steps that follow. Right after a namespace
    /// is created, its worker sends, through the new handle and in one
    /// batch, `lo` up (the step in `lo`, by namespace) and the `AddVeth`
    /// steps made from it (`then`, by namespace; see [`fusable_veths`]).
    pub(super) fn add_namespaces(
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
}

/// The namespace of a step that only brings `lo` up.
pub(super) fn lo_up_of(step: &Step) -> Option<&str> {
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
pub(super) fn fusable_veths<'a>(
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
