//! The checks across sections, once every interface is known: bridge
//! ports, subnets, addresses declared twice, routes.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use toml::Spanned;

use super::build::{Builder, Iface};
use super::diagnostics::Collector;
use super::fields::place_of;
use super::raw::{RawBridge, RawNamespace};
use super::{place_label, Place};
use netns_core::addr::IpNet;

impl Builder<'_> {
    /// Bridge ports: declared veth ends in the bridge's namespace.
    pub(super) fn check_ports(&self, c: &mut Collector<'_>, bridges: &[RawBridge]) {
        for (i, b) in bridges.iter().enumerate() {
            let place = place_of(&b.netns);
            for (j, p) in b.ports.iter().enumerate() {
                let is_end = self.links.iter().any(|l| {
                    [&l.a, &l.b]
                        .iter()
                        .any(|e| e.netns == place && &e.name == p.get_ref())
                });
                if !is_end {
                    c.at(
                        p.span(),
                        format!("bridge[{i}].ports[{j}]"),
                        format!(
                            "port {:?} is not a veth end declared in namespace {}",
                            p.get_ref(),
                            place_label(&place)
                        ),
                    );
                }
            }
        }
    }

    /// The interface `name` of `place`, if declared.
    fn iface(&self, place: &Place, name: &str) -> Option<&Iface> {
        self.ifaces.get(place).and_then(|m| m.get(name))
    }

    /// Subnets: both ends of a veth share a subnet; a bridge port's peer is
    /// in the bridge's subnet.
    pub(super) fn check_subnets(&self, c: &mut Collector<'_>) {
        for l in &self.links {
            for (x, y) in [(&l.a, &l.b), (&l.b, &l.a)] {
                let (Some(xi), Some(yi)) =
                    (self.iface(&x.netns, &x.name), self.iface(&y.netns, &y.name))
                else {
                    continue;
                };
                // The subnets x's addresses must fall in: y's own, or y's bridge's.
                let mut nets: Vec<IpNet> = yi.addresses.iter().map(|a| a.0).collect();
                let mut what = format!("the other end ({} in {})", y.name, place_label(&y.netns));
                if let Some(br) = &y.master {
                    if let Some(bi) = self.iface(&y.netns, br) {
                        nets.extend(bi.addresses.iter().map(|a| a.0));
                        what = format!("bridge {br:?} (the other end is its port)");
                    }
                }
                for (addr, span, path) in &xi.addresses {
                    let same_family: Vec<&IpNet> = nets
                        .iter()
                        .filter(|n| n.family() == addr.family())
                        .collect();
                    if !same_family.is_empty()
                        && !same_family.iter().any(|n| n.contains(&addr.addr()))
                    {
                        let list: Vec<String> = same_family
                            .iter()
                            .map(|n| n.network().to_string())
                            .collect();
                        c.at(
                            span.clone(),
                            path.clone(),
                            format!(
                                "address {addr} is outside the subnet of {what}: {}",
                                list.join(", ")
                            ),
                        );
                    }
                }
                let _ = &xi.path;
            }
        }
    }

    /// The same address twice in one namespace.
    pub(super) fn check_addresses_once(&self, c: &mut Collector<'_>) {
        for (place, map) in &self.ifaces {
            let mut seen: HashMap<IpAddr, &str> = HashMap::new();
            for (name, i) in map {
                for (a, span, path) in &i.addresses {
                    if let Some(other) = seen.insert(a.addr(), name) {
                        c.at(
                            span.clone(),
                            path.clone(),
                            format!(
                                "address {} is declared twice in namespace {} (also on {other:?})",
                                a.addr(),
                                place_label(place)
                            ),
                        );
                    }
                }
            }
        }
    }

    /// Routes: dev declared; gateway reachable from a declared address.
    pub(super) fn check_routes(&self, c: &mut Collector<'_>, namespaces: &[RawNamespace]) {
        let empty = BTreeMap::new();
        for (ns, j, r) in &self.routes_raw {
            let i = namespaces
                .iter()
                .position(|n| n.name.get_ref() == ns)
                .unwrap_or(0);
            let rb = format!("namespace[{i}].routes[{j}]");
            let place = Some(ns.clone());
            let map = self.ifaces.get(&place).unwrap_or(&empty);
            if let Some(d) = &r.dev {
                if !map.contains_key(d.get_ref()) {
                    c.at(
                        d.span(),
                        format!("{rb}.dev"),
                        format!(
                            "no interface {:?} is declared in namespace {ns}",
                            d.get_ref()
                        ),
                    );
                }
            }
            if let Some(v) = &r.via {
                check_gateway(c, v, &rb, ns, map);
            }
        }
    }
}

/// A route's gateway `v` (of namespace `ns`, interfaces `map`): not an
/// address of the namespace, in the subnet of one of its addresses.
fn check_gateway(
    c: &mut Collector<'_>,
    v: &Spanned<String>,
    rb: &str,
    ns: &str,
    map: &BTreeMap<String, Iface>,
) {
    if let Ok(gw) = v.get_ref().parse::<IpAddr>() {
        let own = map
            .values()
            .flat_map(|i| i.addresses.iter())
            .any(|(a, _, _)| a.addr() == gw);
        let reach = map
            .values()
            .flat_map(|i| i.addresses.iter())
            .any(|(a, _, _)| a.contains(&gw) && a.addr() != gw);
        if own || !reach {
            c.at(
                v.span(),
                format!("{rb}.via"),
                if own {
                    format!("gateway {gw} is an address of namespace {ns} itself")
                } else {
                    format!(
                        "gateway {gw} is not in the subnet of any address declared in namespace {ns}"
                    )
                },
            );
        }
    }
}
