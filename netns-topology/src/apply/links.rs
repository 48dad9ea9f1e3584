//! Link creations and changes, batched per place ([`LinkJob`]).

use std::collections::HashMap;

use super::execute::Run;
use super::journal::{first_failure, Failed, Undo};
use super::places::Places;
use super::topology_group;
use crate::model::{Place, Topology};
use crate::plan::{read_links, At, Step};
use crate::pool;
use netns_core::link::{
    Dev, IfIndex, LinkChange, LinkId, LinkKind, LinkRequest, LinkSpec, NetNsRef, VethPeer,
};
use netns_core::netlink::BatchError;
use netns_core::{Error, ErrorKind, Handle, NetNs};

impl Run<'_, '_> {
    /// Creates the links of `run` (all `AddBridge`, or all `AddVeth`): one
    /// batch (one `send`) per place; the veth batches of different places
    /// on the worker pool.
    pub(super) fn add_links(&mut self, run: &[(usize, &Step)]) -> std::result::Result<(), Failed> {
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
    pub(super) fn set_links(&mut self, run: &[(usize, &Step)]) -> std::result::Result<(), Failed> {
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
                    change = change.mac(*m);
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
}

/// `run`'s steps grouped by `place_of`, each group in plan order, the
/// groups in the order of their first step.
pub(super) fn by_place<'s>(
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
pub(super) fn no_link(op: &'static str, place: &Place, name: &str) -> Error {
    Error::new(ErrorKind::NotFound, op, format!("link {}", At(place, name)))
        .with_detail("no such link")
}

/// The link creations of one place, sent in one batch.
pub(super) struct LinkJob<'s> {
    pub(super) place: Place,
    pub(super) handle: Handle,
    pub(super) steps: Vec<(usize, &'s Step)>,
    /// The index of each `AddVeth`'s master in `place`.
    pub(super) masters: Vec<Option<IfIndex>>,
    /// The step bringing `lo` up in `place`, sent first in the batch.
    pub(super) lo: Option<usize>,
}

/// What a [`LinkJob`] made: `(step, name)` for each link that may exist,
/// and the `lo` step when it may have been applied.
pub(super) struct LinkJobDone {
    pub(super) place: Place,
    pub(super) handle: Handle,
    pub(super) made: Vec<(usize, String)>,
    pub(super) lo_made: Option<usize>,
    pub(super) failure: Option<Failed>,
}

impl LinkJob<'_> {
    /// Builds every message (each veth's peer born in its namespace, up,
    /// with MAC, MTU and master; links born in the root namespace
    /// in the topology's device group) and sends them in one batch, after
    /// `lo` up when the job has it.
    pub(super) fn send(
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
                    spec.mac = *mac;
                    spec.mtu = *mtu;
                    spec
                }
                Step::AddVeth(i) => {
                    let l = &topo.links[*i];
                    let mut peer = VethPeer::named(l.b.name.clone());
                    peer.group = l.b.netns.is_none().then_some(group);
                    peer.mac = l.b.mac;
                    peer.mtu = l.b.mtu;
                    // The peer is born in its namespace: a named one, or
                    // root when the pair is created from a named one.
                    let peer_netns = match &l.b.netns {
                        Some(n) => match fresh {
                            Some((f, ns)) if f == n => Some(ns),
                            _ => nss.get(n),
                        },
                        None if self.place.is_some() => root,
                        None => None,
                    };
                    match peer_netns.map(NetNs::try_clone).transpose() {
                        Ok(ns) => peer.netns = ns.map(NetNsRef::from),
                        Err(error) => {
                            built = Err(BatchError::unsent(first + names.len())(error));
                            break;
                        }
                    }
                    let mut spec = LinkSpec::new(l.a.name.clone(), LinkKind::Veth(peer)).up(true);
                    spec.group = self.place.is_none().then_some(group);
                    spec.mac = l.a.mac;
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
