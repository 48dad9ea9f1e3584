//! The undo journal: what each change takes back, and the undo, in
//! reverse, on the first failure.

use super::execute::Run;
use crate::model::Place;
use netns_core::addr::{AddressSpec, IpNet};
use netns_core::link::{IfIndex, LinkChange, LinkId, MacAddr};
use netns_core::namespace::VerifiedDir;
use netns_core::netlink::BatchError;
use netns_core::route::RouteSpec;
use netns_core::{Error, ErrorKind, Result};

/// One entry of the undo journal: how to take back one change.
#[derive(Debug)]
pub(super) enum Undo {
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

/// A failed step: its index in the plan, and why.
pub(super) type Failed = (usize, Error);

/// The failure of the lower step.
pub(super) fn first_failure(a: Option<Failed>, b: Option<Failed>) -> Option<Failed> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

impl Run<'_, '_> {
    /// Journals the undo of every request of a batch that may have been
    /// applied (those sent, but the refused one) and returns the failure,
    /// by plan index: the batch's, else `refused` (a step not sent because
    /// it could not be built).
    pub(super) fn journal_batch(
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

    pub(super) fn undo_all(&mut self) -> Vec<String> {
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
                    c = c.mac(*m);
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
                h.address_del(&AddressSpec::new(iface.as_str(), *net))
            }
            Undo::AddAddress {
                place,
                iface,
                net,
                routes,
            } => {
                let h = self.places.handle(place)?;
                h.address_add(&AddressSpec::new(iface.as_str(), *net))?;
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
