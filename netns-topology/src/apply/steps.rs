//! The steps that are neither namespace nor link creations nor link
//! changes: etc files, addresses, sysctls, routes, NAT.

use super::execute::{unreachable_step, Run};
use super::journal::{Failed, Undo};
use super::links::{by_place, no_link};
use super::places::Places;
use crate::model::Place;
use crate::plan::{read_links, Step};
use crate::state::clear_tmp;
use netns_core::addr::AddressSpec;
use netns_core::namespace::VerifiedDir;
use netns_core::route::RouteSpec;
use netns_core::{ErrorKind, Result};

impl Run<'_, '_> {
    /// Runs one (non-batched) step, journaling its undo.
    pub(super) fn step(&mut self, step: &Step) -> Result<()> {
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
                let routes: Vec<RouteSpec> = h
                    .routes(Some(netns_core::route::RouteTable::MAIN), None)?
                    .map(|r| r.to_owned())
                    .filter(crate::plan::managed_route)
                    .map(|r| RouteSpec::from(&r))
                    .collect();
                h.address_del(&AddressSpec::new(iface.as_str(), *net))?;
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
                let spec = RouteSpec::from(route);
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

    /// Adds the addresses of `run` (all `AddAddress`): per place, one link
    /// dump for the indexes (none when [`Run::set_links`] just read them)
    /// and one batch.
    pub(super) fn add_addresses(
        &mut self,
        run: &[(usize, &Step)],
    ) -> std::result::Result<(), Failed> {
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
                pairs.push(AddressSpec::new(l.index, *net));
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
}

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
        spec = spec.dev(places.ifindex(place, dev)?);
    }
    if let Some(m) = d.metric {
        spec = spec.metric(m);
    }
    Ok(spec)
}
