//! From the serde form to the checked model, one section at a time.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::diagnostics::{line_col, Collector};
use super::fields::{
    addresses, check_iface, check_mac, check_mtu, detail_of, parse_cidr, parse_ip, place_of,
    push_forwarding, table_part,
};
use super::raw::{RawBridge, RawEnd, RawLink, RawNamespace, RawRoute, RawTopology};
use super::{place_label, Bridge, End, Namespace, Nat, Place, RouteDecl, Topology, Veth};
use netns_core::addr::IpNet;
use netns_core::namespace::validate_name;

/// An interface as validation sees it.
pub(super) struct Iface {
    pub(super) span: Range<usize>,
    pub(super) path: String,
    pub(super) addresses: Vec<(IpNet, Range<usize>, String)>,
}

/// The model being built: what each section adds, and what later sections
/// and the checks across sections look up.
pub(super) struct Builder<'r> {
    /// The topology's name (NAT table names derive from it).
    pub(super) name: String,
    /// The declared namespaces, with the span of their name.
    pub(super) ns_names: HashMap<String, Range<usize>>,
    /// The interfaces of each place, as validation sees them.
    pub(super) ifaces: HashMap<Place, BTreeMap<String, Iface>>,
    /// Each bridge port: its bridge, and where it is listed.
    pub(super) port_of: HashMap<(Place, String), (String, Range<usize>)>,
    pub(super) bridges: Vec<Bridge>,
    pub(super) links: Vec<Veth>,
    pub(super) namespaces: Vec<Namespace>,
    pub(super) nats: Vec<Nat>,
    pub(super) root_sysctls: Vec<(String, String)>,
    /// The routes as written, by namespace name and index, for the checks
    /// once every interface is known.
    pub(super) routes_raw: Vec<(String, usize, &'r RawRoute)>,
}

/// Checks `raw` section by section (every problem into `c`) and builds the
/// model: the topology's name, namespace names, bridges, links, each
/// namespace's own fields and uplink; then the checks across sections
/// (bridge ports, subnets, addresses declared twice, routes).
pub(super) fn build(raw: RawTopology, origin: &str, c: &mut Collector<'_>) -> Option<Topology> {
    let mut b = Builder {
        name: topology_name(&raw, origin, c),
        ns_names: HashMap::new(),
        ifaces: HashMap::new(),
        port_of: HashMap::new(),
        bridges: Vec::new(),
        links: Vec::new(),
        namespaces: Vec::new(),
        nats: Vec::new(),
        root_sysctls: Vec::new(),
        routes_raw: Vec::new(),
    };
    b.namespace_names(c, &raw.namespaces);
    b.bridges(c, &raw.bridges);
    b.links(c, &raw.links);
    b.namespaces(c, &raw.namespaces);
    b.check_ports(c, &raw.bridges);
    b.check_subnets(c);
    b.check_addresses_once(c);
    b.check_routes(c, &raw.namespaces);
    let mut seen_tables = HashSet::new();
    b.nats
        .retain(|n| seen_tables.insert((n.table.clone(), n.source)));

    Some(Topology {
        name: b.name,
        origin: origin.to_string(),
        namespaces: b.namespaces,
        bridges: b.bridges,
        links: b.links,
        nats: b.nats,
        root_sysctls: b.root_sysctls,
    })
}

/// The topology's name: its `name` key (checked), else the file stem.
fn topology_name(raw: &RawTopology, origin: &str, c: &mut Collector<'_>) -> String {
    match &raw.name {
        Some(n) => {
            let v = n.get_ref();
            if v.is_empty()
                || v.len() > 32
                || !v
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
            {
                c.at(
                    n.span(),
                    "name",
                    format!("topology name {v:?}: 1 to 32 letters, digits, '-' or '_'"),
                );
            }
            v.clone()
        }
        None => {
            let stem = Path::new(origin)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("topology");
            let mut n = table_part(stem);
            n.truncate(32);
            if n.is_empty() || n.starts_with('<') {
                "topology".to_string()
            } else {
                n
            }
        }
    }
}

/// A namespace's sysctls, each key checked.
fn namespace_sysctls(
    c: &mut Collector<'_>,
    ns: &RawNamespace,
    base: &str,
) -> Vec<(String, String)> {
    let mut sysctls = Vec::new();
    for (k, v) in &ns.sysctls {
        if let Err(e) = netns_core::sysctl::sysctl_path(k.get_ref()) {
            c.at(
                k.span(),
                format!("{base}.sysctls.{}", k.get_ref()),
                format!("bad sysctl key: {}", detail_of(&e)),
            );
        }
        sysctls.push((k.get_ref().clone(), v.get_ref().to_string()));
    }
    sysctls
}

/// One route of a namespace (`rb` its path); `None` when its destination or
/// gateway does not parse.
fn route_decl(c: &mut Collector<'_>, r: &RawRoute, rb: &str) -> Option<RouteDecl> {
    let to = if r.to.get_ref() == "default" {
        None
    } else {
        Some(parse_cidr(c, &r.to, &format!("{rb}.to"))?)
    };
    let via = match &r.via {
        Some(v) => Some(parse_ip(c, v, &format!("{rb}.via"))?),
        None => None,
    };
    if via.is_none() && r.dev.is_none() {
        c.at(
            r.to.span(),
            rb,
            "a route needs via = GATEWAY or dev = INTERFACE",
        );
    }
    Some(RouteDecl {
        to,
        via,
        dev: r.dev.as_ref().map(|d| d.get_ref().clone()),
        metric: r.metric,
    })
}

/// A namespace's `lo`: up unless `"down"`.
fn lo_up(c: &mut Collector<'_>, ns: &RawNamespace, base: &str) -> bool {
    match ns.lo.as_ref().map(|l| (l, l.get_ref().as_str())) {
        None | Some((_, "up")) => true,
        Some((_, "down")) => false,
        Some((l, other)) => {
            c.at(
                l.span(),
                format!("{base}.lo"),
                format!("{other:?}: lo is \"up\" (the default) or \"down\""),
            );
            true
        }
    }
}

impl<'r> Builder<'r> {
    /// Namespace names: not root, valid, declared once.
    fn namespace_names(&mut self, c: &mut Collector<'_>, namespaces: &[RawNamespace]) {
        for (i, ns) in namespaces.iter().enumerate() {
            let path = format!("namespace[{i}].name");
            let n = ns.name.get_ref();
            if n == "root" || n.is_empty() {
                c.at(
                    ns.name.span(),
                    &path,
                    format!("{n:?} is reserved for the root namespace"),
                );
            } else if let Err(e) = validate_name(n) {
                c.at(
                    ns.name.span(),
                    &path,
                    format!("bad namespace name {n:?}: {}", detail_of(&e)),
                );
            } else if let Some(first) = self.ns_names.get(n) {
                let (l, _) = line_col(c.text, first.start);
                c.at(
                    ns.name.span(),
                    &path,
                    format!("duplicate namespace {n:?} (first declared on line {l})"),
                );
            } else {
                self.ns_names.insert(n.clone(), ns.name.span());
            }
        }
    }

    /// A `netns` field names a declared namespace (or root).
    fn check_place(&self, c: &mut Collector<'_>, raw: &Option<Spanned<String>>, path: &str) {
        if let (Some(s), Some(n)) = (raw, place_of(raw)) {
            if !self.ns_names.contains_key(&n) {
                c.at(
                    s.span(),
                    path,
                    format!("namespace {n:?} is not declared (declare it in [[namespace]], or use \"root\")"),
                );
            }
        }
    }

    /// Records an interface of `place`: a valid name, not `lo`, declared
    /// once per place.
    pub(super) fn add_iface(
        &mut self,
        c: &mut Collector<'_>,
        place: &Place,
        name: &Spanned<String>,
        path: String,
        addrs: Vec<(IpNet, Range<usize>, String)>,
    ) {
        check_iface(c, name, &path);
        let map = self.ifaces.entry(place.clone()).or_default();
        let n = name.get_ref();
        if n == "lo" {
            c.at(name.span(), &path, "\"lo\" exists in every namespace");
        } else if let Some(first) = map.get(n) {
            let (l, _) = line_col(c.text, first.span.start);
            c.at(
                name.span(),
                &path,
                format!(
                    "duplicate interface {n:?} in namespace {} (first declared on line {l})",
                    place_label(place)
                ),
            );
        } else {
            map.insert(
                n.clone(),
                Iface {
                    span: name.span(),
                    path,
                    addresses: addrs,
                },
            );
        }
    }

    /// Bridges: fields, ports (each a port of one bridge), NAT.
    fn bridges(&mut self, c: &mut Collector<'_>, bridges: &[RawBridge]) {
        for (i, b) in bridges.iter().enumerate() {
            let base = format!("bridge[{i}]");
            self.check_place(c, &b.netns, &format!("{base}.netns"));
            let place = place_of(&b.netns);
            let addrs = addresses(c, &b.address, &b.addresses, &base);
            let mac = check_mac(c, &b.mac, &format!("{base}.mac"));
            let mtu = check_mtu(c, &b.mtu, &format!("{base}.mtu"));
            for (j, p) in b.ports.iter().enumerate() {
                let key = (place.clone(), p.get_ref().clone());
                if let Some((other, _)) = self.port_of.get(&key) {
                    c.at(
                        p.span(),
                        format!("{base}.ports[{j}]"),
                        format!("{:?} is already a port of bridge {other:?}", p.get_ref()),
                    );
                } else {
                    self.port_of
                        .insert(key, (b.name.get_ref().clone(), p.span()));
                }
            }
            if b.nat {
                self.bridge_nat(c, b, &base, &place, &addrs);
            }
            self.bridges.push(Bridge {
                netns: place.clone(),
                name: b.name.get_ref().clone(),
                addresses: addrs.iter().map(|a| a.0).collect(),
                mac,
                mtu,
                adopt: b.adopt,
            });
            self.add_iface(c, &place, &b.name, format!("{base}.name"), addrs);
        }
    }

    /// A bridge's `nat = true`: in root, with an address; a masquerade of
    /// each of its subnets, forwarding on.
    fn bridge_nat(
        &mut self,
        c: &mut Collector<'_>,
        b: &RawBridge,
        base: &str,
        place: &Place,
        addrs: &[(IpNet, Range<usize>, String)],
    ) {
        if place.is_some() {
            c.at(
                b.name.span(),
                format!("{base}.nat"),
                "nat = true is for a bridge in the root namespace",
            );
        }
        if addrs.is_empty() {
            c.at(
                b.name.span(),
                format!("{base}.nat"),
                "nat = true needs an address on the bridge (the gateway of its subnet)",
            );
        }
        for (n, _, _) in addrs {
            self.nats.push(Nat {
                table: format!("netns-{}-{}", self.name, table_part(b.name.get_ref())),
                source: n.network(),
            });
            push_forwarding(&mut self.root_sysctls, n);
        }
    }

    /// Veth pairs, both ends.
    fn links(&mut self, c: &mut Collector<'_>, links: &[RawLink]) {
        for (i, l) in links.iter().enumerate() {
            let a = self.end(c, &l.a, format!("link[{i}].a"));
            let b = self.end(c, &l.b, format!("link[{i}].b"));
            self.links.push(Veth {
                a,
                b,
                adopt: l.adopt,
            });
        }
    }

    /// One end of a veth pair (its master: the bridge listing it as a port).
    fn end(&mut self, c: &mut Collector<'_>, e: &RawEnd, base: String) -> End {
        self.check_place(c, &e.netns, &format!("{base}.netns"));
        let place = place_of(&e.netns);
        let addrs = addresses(c, &e.address, &e.addresses, &base);
        let mac = check_mac(c, &e.mac, &format!("{base}.mac"));
        let mtu = check_mtu(c, &e.mtu, &format!("{base}.mtu"));
        let out = End {
            netns: place.clone(),
            name: e.name.get_ref().clone(),
            addresses: addrs.iter().map(|a| a.0).collect(),
            mac,
            mtu,
            master: self
                .port_of
                .get(&(place.clone(), e.name.get_ref().clone()))
                .map(|(b, _)| b.clone()),
        };
        self.add_iface(c, &place, &e.name, format!("{base}.name"), addrs);
        out
    }

    /// Namespaces' own fields: sysctls, uplink (a namespace whose uplink is
    /// refused is left out), routes, `lo`.
    fn namespaces(&mut self, c: &mut Collector<'_>, namespaces: &'r [RawNamespace]) {
        for (i, ns) in namespaces.iter().enumerate() {
            let base = format!("namespace[{i}]");
            let nsname = ns.name.get_ref().clone();
            let sysctls = namespace_sysctls(c, ns, &base);
            let mut routes = Vec::new();
            if let Some(u) = &ns.uplink {
                let Some(default) = self.uplink(c, ns, u, &base) else {
                    continue;
                };
                routes.push(default);
            }
            for (j, r) in ns.routes.iter().enumerate() {
                self.routes_raw.push((nsname.clone(), j, r));
                if let Some(d) = route_decl(c, r, &format!("{base}.routes[{j}]")) {
                    routes.push(d);
                }
            }
            let lo_up = lo_up(c, ns, &base);
            self.namespaces.push(Namespace {
                name: nsname,
                sysctls,
                routes,
                resolv_conf: ns.resolv_conf.clone(),
                hosts: ns.hosts.clone(),
                lo_up,
                adopt: ns.adopt,
            });
        }
    }
}
