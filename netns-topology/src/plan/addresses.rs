//! Planning addresses on every declared interface.

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use super::{At, Planner, Step};
use crate::model::Place;
use crate::state::{address_key, link_key, Held};
use netns_core::addr::IpNet;

fn is_link_local(net: &IpNet) -> bool {
    match net.addr() {
        IpAddr::V6(a) => (a.segments()[0] & 0xffc0) == 0xfe80,
        IpAddr::V4(_) => false,
    }
}

impl Planner<'_> {
    /// Addresses, on every declared interface (`declared_ifaces`): extra
    /// ones deleted (on links the topology did not create, only those it
    /// added), missing ones added. Returns the places where an IPv4 address
    /// goes: when a device loses its last IPv4 address the kernel flushes
    /// the routes through it, so their declared routes are asserted again
    /// after the address changes.
    pub(super) fn addresses(&mut self, declared_ifaces: &[(Place, String)]) -> HashSet<Place> {
        let owns = &self.seen.record.owns;
        let mut want: BTreeMap<(Place, String), Vec<IpNet>> = BTreeMap::new();
        for (place, iface, net) in self.topo.all_addresses() {
            want.entry((place, iface)).or_default().push(net);
        }
        let mut adds = Vec::new();
        let mut v4_deleted: HashSet<Place> = HashSet::new();
        let mut address_claims = Vec::new();
        for (place, iface) in declared_ifaces {
            // Links the topology did not create (adopted, or not its own at
            // all): only addresses it added are its to remove.
            let key = link_key(place, iface);
            let held = owns
                .links
                .get(&key)
                .or(self.claims.links.get(&key))
                .copied();
            let foreign_link = !self.in_created(place) && held != Some(Held::Created);
            let wanted = want
                .get(&(place.clone(), iface.clone()))
                .cloned()
                .unwrap_or_default();
            let have: Vec<IpNet> = self
                .state_of(place)
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
                    self.extra(format!("address {h} on {}", At(place, iface)));
                    self.steps.push(Step::DelAddress {
                        place: place.clone(),
                        iface: iface.clone(),
                        net: *h,
                    });
                }
            }
            for w in &wanted {
                if !have.contains(w) {
                    self.missing(format!("address {w} on {}", At(place, iface)));
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
        self.steps.extend(adds);
        for k in address_claims {
            self.claims.addresses.insert(k, Held::Created);
        }
        v4_deleted
    }
}
