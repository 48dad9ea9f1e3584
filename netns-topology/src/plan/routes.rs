//! Planning routes in the declared namespaces, and which routes apply
//! manages.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use super::step::route_text;
use super::{Planner, Step};
use crate::model::{Place, RouteDecl};
use netns_core::link::IfIndex;
use netns_core::route::{Route, PROTO_KERNEL};

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

impl Planner<'_> {
    /// Routes, in declared namespaces: extra ones deleted (none in an
    /// adopted namespace), missing ones added, and those of the places in
    /// `v4_deleted` (an IPv4 address deleted there) asserted again.
    pub(super) fn routes(&mut self, v4_deleted: &HashSet<Place>) {
        let topo = self.topo;
        let mut route_adds = Vec::new();
        for ns in &topo.namespaces {
            let place = Some(ns.name.clone());
            let st = self.seen.states.get(&ns.name);
            let empty_names = HashMap::new();
            let names = st.map(|s| &s.names).unwrap_or(&empty_names);
            let have: Vec<&Route> = st
                .map(|s| s.routes.iter().filter(|r| managed_route(r)).collect())
                .unwrap_or_default();
            // In an adopted namespace, routes the file does not declare are
            // its owner's.
            let manage_all = !self.adopted_ns.contains(&ns.name);
            for r in &have {
                if manage_all && !ns.routes.iter().any(|d| route_matches(d, r, names)) {
                    self.extra(format!("route {} in {}", route_text(r), ns.name));
                    self.steps.push(Step::DelRoute {
                        place: place.clone(),
                        route: (*r).clone(),
                    });
                }
            }
            for d in &ns.routes {
                let present = have.iter().any(|r| route_matches(d, r, names));
                if !present {
                    self.missing(format!("route {d} in {}", ns.name));
                }
                if !present || v4_deleted.contains(&place) {
                    route_adds.push(Step::AddRoute {
                        place: place.clone(),
                        route: d.clone(),
                    });
                }
            }
        }
        self.steps.extend(route_adds);
    }
}
