//! The topology file: its serde form (with source spans), and the checked
//! model every other part of the module works on.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::net::IpAddr;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use netns_core::addr::IpNet;
use netns_core::link::{validate_link_name, MacAddr};
use netns_core::namespace::validate_name;
use netns_core::{Error, ErrorKind, Result};

// ---------------------------------------------------------------- raw form

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopology {
    name: Option<Spanned<String>>,
    #[serde(default, rename = "namespace")]
    namespaces: Vec<RawNamespace>,
    #[serde(default, rename = "bridge")]
    bridges: Vec<RawBridge>,
    #[serde(default, rename = "link")]
    links: Vec<RawLink>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNamespace {
    name: Spanned<String>,
    #[serde(default)]
    sysctls: BTreeMap<Spanned<String>, Spanned<SysctlValue>>,
    #[serde(default)]
    routes: Vec<RawRoute>,
    resolv_conf: Option<String>,
    hosts: Option<String>,
    uplink: Option<RawUplink>,
    /// `"up"` (the default) or `"down"`.
    lo: Option<Spanned<String>>,
    #[serde(default)]
    adopt: bool,
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[serde(untagged)]
enum SysctlValue {
    Text(String),
    Number(i64),
    Bool(bool),
}

impl fmt::Display for SysctlValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SysctlValue::Text(t) => f.write_str(t),
            SysctlValue::Number(n) => write!(f, "{n}"),
            SysctlValue::Bool(b) => f.write_str(if *b { "1" } else { "0" }),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    to: Spanned<String>,
    via: Option<Spanned<String>>,
    dev: Option<Spanned<String>>,
    metric: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUplink {
    mode: Spanned<String>,
    address: Spanned<String>,
    gateway: Spanned<String>,
    iface: Option<Spanned<String>>,
    host_iface: Option<Spanned<String>>,
    bridge: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBridge {
    name: Spanned<String>,
    #[serde(default)]
    netns: Option<Spanned<String>>,
    address: Option<Spanned<String>>,
    #[serde(default)]
    addresses: Vec<Spanned<String>>,
    mac: Option<Spanned<String>>,
    mtu: Option<Spanned<u32>>,
    #[serde(default)]
    ports: Vec<Spanned<String>>,
    #[serde(default)]
    nat: bool,
    #[serde(default)]
    adopt: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    a: RawEnd,
    b: RawEnd,
    #[serde(default)]
    adopt: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnd {
    #[serde(default)]
    netns: Option<Spanned<String>>,
    name: Spanned<String>,
    address: Option<Spanned<String>>,
    #[serde(default)]
    addresses: Vec<Spanned<String>>,
    mac: Option<Spanned<String>>,
    mtu: Option<Spanned<u32>>,
}

// ---------------------------------------------------------------- diagnostics

/// One problem found in a topology file: where, which field, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field path, e.g. `link[1].b.address`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Every problem found in a topology file (validation never stops at the
/// first one). Displays one line per problem: `FILE:LINE:COL: PATH: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The file name (or `<string>`).
    pub origin: String,
    /// The problems, in file order.
    pub items: Vec<Diagnostic>,
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{}:{}: ", self.origin, d.line, d.column)?;
            if !d.path.is_empty() {
                write!(f, "{}: ", d.path)?;
            }
            f.write_str(&d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Error {
        let n = d.items.len();
        Error::new(
            ErrorKind::InvalidArgument,
            "load",
            format!("topology file {:?}", d.origin),
        )
        .with_detail(format!(
            "{n} problem{}:\n{d}",
            if n == 1 { "" } else { "s" }
        ))
    }
}

struct Collector<'t> {
    text: &'t str,
    items: Vec<(usize, Diagnostic)>,
}

impl Collector<'_> {
    fn at(&mut self, span: Range<usize>, path: impl Into<String>, message: impl Into<String>) {
        let (line, column) = line_col(self.text, span.start);
        self.items.push((
            span.start,
            Diagnostic {
                line,
                column,
                path: path.into(),
                message: message.into(),
            },
        ));
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, col)
}

// ---------------------------------------------------------------- checked model

/// Where a declared object lives: `None` is the root namespace (the one the
/// caller's thread is in), `Some(name)` a declared named namespace.
pub type Place = Option<String>;

/// The label of a place in messages: `root` or the name.
pub fn place_label(place: &Place) -> &str {
    place.as_deref().unwrap_or("root")
}

/// One end of a veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct End {
    /// Its namespace.
    pub netns: Place,
    /// Its interface name.
    pub name: String,
    /// Its addresses.
    pub addresses: Vec<IpNet>,
    /// Its hardware address.
    pub mac: Option<MacAddr>,
    /// Its MTU.
    pub mtu: Option<u32>,
    /// The bridge (in the same namespace) it is a port of.
    pub master: Option<String>,
}

/// A veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Veth {
    /// The end the pair is created from.
    pub a: End,
    /// The peer, born in its namespace.
    pub b: End,
    /// `adopt = true`: a pair that exists before the first apply is taken
    /// over (recorded as adopted; destroy leaves it) instead of refused.
    pub adopt: bool,
}

/// A bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bridge {
    /// Its namespace.
    pub netns: Place,
    /// Its name.
    pub name: String,
    /// Its addresses.
    pub addresses: Vec<IpNet>,
    /// Its hardware address.
    pub mac: Option<MacAddr>,
    /// Its MTU.
    pub mtu: Option<u32>,
    /// `adopt = true`: a bridge that exists before the first apply is taken
    /// over (recorded as adopted; destroy leaves it) instead of refused.
    pub adopt: bool,
}

/// A route of a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDecl {
    /// The destination, `None` for `default`.
    pub to: Option<IpNet>,
    /// The gateway.
    pub via: Option<IpAddr>,
    /// The output interface.
    pub dev: Option<String>,
    /// The metric.
    pub metric: Option<u32>,
}

impl fmt::Display for RouteDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.to {
            Some(n) => write!(f, "{}", n.network())?,
            None => f.write_str("default")?,
        }
        if let Some(g) = &self.via {
            write!(f, " via {g}")?;
        }
        if let Some(d) = &self.dev {
            write!(f, " dev {d}")?;
        }
        if let Some(m) = &self.metric {
            write!(f, " metric {m}")?;
        }
        Ok(())
    }
}

/// A named namespace and what lives in it besides links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace {
    /// The name under the registry's run directory.
    pub name: String,
    /// Sysctls set inside, in file order.
    pub sysctls: Vec<(String, String)>,
    /// Routes (main table).
    pub routes: Vec<RouteDecl>,
    /// `/etc/netns/NAME/resolv.conf`.
    pub resolv_conf: Option<String>,
    /// `/etc/netns/NAME/hosts`.
    pub hosts: Option<String>,
    /// Whether `lo` is up (the file's `lo = "up"`, the default) or down
    /// (`lo = "down"`); apply makes it so, status reports the difference.
    pub lo_up: bool,
    /// `adopt = true`: a namespace (and `/etc/netns` files) that exist
    /// before the first apply are taken over (recorded as adopted; destroy
    /// leaves them) instead of refused.
    pub adopt: bool,
}

/// Masquerade of a subnet in the root namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nat {
    /// The nftables table (one per uplink interface).
    pub table: String,
    /// The masqueraded subnet.
    pub source: IpNet,
}

/// A checked topology: every name resolved, every address parsed, every rule
/// of the [module docs](super) verified. Build one with
/// [`Topology::from_str`] or [`Topology::from_path`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub(crate) name: String,
    pub(crate) origin: String,
    pub(crate) namespaces: Vec<Namespace>,
    pub(crate) bridges: Vec<Bridge>,
    pub(crate) links: Vec<Veth>,
    pub(crate) nats: Vec<Nat>,
    pub(crate) root_sysctls: Vec<(String, String)>,
}

impl Topology {
    /// Parses and validates a topology from TOML text. `origin` names it in
    /// diagnostics (a file name, or `<string>`); the topology's name defaults
    /// to `origin`'s file stem.
    ///
    /// # Errors
    /// [`Diagnostics`]: every problem, each with line, column and field path.
    pub fn parse(text: &str, origin: &str) -> std::result::Result<Topology, Diagnostics> {
        let mut c = Collector {
            text,
            items: Vec::new(),
        };
        let raw = match deserialize(text) {
            Ok(raw) => Some(raw),
            Err((span, path, message)) => {
                c.at(span, path, message);
                None
            }
        };
        let topo = raw.and_then(|raw| build(raw, origin, &mut c));
        match topo {
            Some(t) if c.items.is_empty() => Ok(t),
            _ => {
                c.items.sort_by_key(|(off, _)| *off);
                Err(Diagnostics {
                    origin: origin.to_string(),
                    items: c.items.into_iter().map(|(_, d)| d).collect(),
                })
            }
        }
    }

    /// As [`Topology::parse`], named `<string>`, with the one error type.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] whose detail lists every diagnostic.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Topology> {
        Ok(Topology::parse(text, "<string>")?)
    }

    /// Reads and validates the topology file at `path`.
    ///
    /// # Errors
    /// When the file cannot be read; [`ErrorKind::InvalidArgument`] listing
    /// every diagnostic as `FILE:LINE:COL: PATH: MESSAGE`.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Topology> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(&e, "read", format!("topology file {shown:?}")))?;
        Ok(Topology::parse(&text, &shown)?)
    }

    /// The topology's name (its `name` key, or the file stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The declared namespaces.
    pub fn namespaces(&self) -> &[Namespace] {
        &self.namespaces
    }

    /// The declared veth pairs (uplinks included).
    pub fn links(&self) -> &[Veth] {
        &self.links
    }

    /// The declared bridges.
    pub fn bridges(&self) -> &[Bridge] {
        &self.bridges
    }

    /// The masquerades in the root namespace.
    pub fn nats(&self) -> &[Nat] {
        &self.nats
    }

    /// Sysctls set in the root namespace (forwarding for NAT uplinks).
    pub fn root_sysctls(&self) -> &[(String, String)] {
        &self.root_sysctls
    }

    /// Every (place, interface, address) declared, in file order.
    pub(crate) fn all_addresses(&self) -> Vec<(Place, String, IpNet)> {
        let mut v = Vec::new();
        for b in &self.bridges {
            for a in &b.addresses {
                v.push((b.netns.clone(), b.name.clone(), *a));
            }
        }
        for l in &self.links {
            for e in [&l.a, &l.b] {
                for a in &e.addresses {
                    v.push((e.netns.clone(), e.name.clone(), *a));
                }
            }
        }
        v
    }
}

type DeError = (Range<usize>, String, String);

fn deserialize(text: &str) -> std::result::Result<RawTopology, DeError> {
    let de = toml::Deserializer::parse(text).map_err(|e| {
        (
            e.span().unwrap_or(0..0),
            String::new(),
            e.message().to_string(),
        )
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // A wrong type inside a `Spanned` names serde_spanned's private
        // field: the user's path ends before it.
        let path = path.replace(".$__serde_spanned_private_value", "");
        let path = if path == "." { String::new() } else { path };
        (
            inner.span().unwrap_or(0..0),
            path,
            inner.message().to_string(),
        )
    })
}

fn place_of(raw: &Option<Spanned<String>>) -> Place {
    match raw.as_ref().map(|s| s.get_ref().as_str()) {
        None | Some("") | Some("root") => None,
        Some(n) => Some(n.to_string()),
    }
}

/// Sanitized for an nftables table name.
fn table_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn parse_cidr(c: &mut Collector<'_>, s: &Spanned<String>, path: &str) -> Option<IpNet> {
    let text = s.get_ref();
    if !text.contains('/') {
        c.at(
            s.span(),
            path,
            format!("{text:?} has no prefix length (write it as ADDRESS/LEN, e.g. 10.0.0.1/24)"),
        );
        return None;
    }
    match text.parse::<IpNet>() {
        Ok(n) => Some(n),
        Err(e) => {
            c.at(
                s.span(),
                path,
                format!("{text:?} is not a CIDR address: {}", detail_of(&e)),
            );
            None
        }
    }
}

fn detail_of(e: &Error) -> String {
    e.detail()
        .map(str::to_owned)
        .unwrap_or_else(|| e.to_string())
}

fn parse_ip(c: &mut Collector<'_>, s: &Spanned<String>, path: &str) -> Option<IpAddr> {
    match s.get_ref().parse::<IpAddr>() {
        Ok(ip) => Some(ip),
        Err(_) => {
            c.at(
                s.span(),
                path,
                format!("{:?} is not an IP address", s.get_ref()),
            );
            None
        }
    }
}

fn check_iface(c: &mut Collector<'_>, s: &Spanned<String>, path: &str) {
    if let Err(e) = validate_link_name(s.get_ref()) {
        c.at(
            s.span(),
            path,
            format!("bad interface name {:?}: {}", s.get_ref(), detail_of(&e)),
        );
    }
}

fn check_mac(c: &mut Collector<'_>, s: &Option<Spanned<String>>, path: &str) -> Option<MacAddr> {
    let s = s.as_ref()?;
    match s.get_ref().parse::<MacAddr>() {
        Ok(m) if m.is_valid_unicast() => Some(m),
        Ok(_) => {
            c.at(
                s.span(),
                path,
                format!("{:?} is not a unicast MAC address", s.get_ref()),
            );
            None
        }
        Err(_) => {
            c.at(
                s.span(),
                path,
                format!("{:?} is not a MAC address", s.get_ref()),
            );
            None
        }
    }
}

fn check_mtu(c: &mut Collector<'_>, s: &Option<Spanned<u32>>, path: &str) -> Option<u32> {
    let s = s.as_ref()?;
    let v = *s.get_ref();
    if !(68..=65535).contains(&v) {
        c.at(s.span(), path, format!("MTU {v} is outside 68..=65535"));
        return None;
    }
    Some(v)
}

fn addresses(
    c: &mut Collector<'_>,
    one: &Option<Spanned<String>>,
    many: &[Spanned<String>],
    path: &str,
) -> Vec<(IpNet, Range<usize>, String)> {
    let mut out = Vec::new();
    if let Some(a) = one {
        let p = format!("{path}.address");
        if let Some(n) = parse_cidr(c, a, &p) {
            out.push((n, a.span(), p));
        }
    }
    for (i, a) in many.iter().enumerate() {
        let p = format!("{path}.addresses[{i}]");
        if let Some(n) = parse_cidr(c, a, &p) {
            out.push((n, a.span(), p));
        }
    }
    out
}

/// An interface as validation sees it.
struct Iface {
    span: Range<usize>,
    path: String,
    addresses: Vec<(IpNet, Range<usize>, String)>,
}

fn build(raw: RawTopology, origin: &str, c: &mut Collector<'_>) -> Option<Topology> {
    let name = match &raw.name {
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
    };

    // Namespaces.
    let mut ns_names: HashMap<String, Range<usize>> = HashMap::new();
    for (i, ns) in raw.namespaces.iter().enumerate() {
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
        } else if let Some(first) = ns_names.get(n) {
            let (l, _) = line_col(c.text, first.start);
            c.at(
                ns.name.span(),
                &path,
                format!("duplicate namespace {n:?} (first declared on line {l})"),
            );
        } else {
            ns_names.insert(n.clone(), ns.name.span());
        }
    }
    let check_place = |c: &mut Collector<'_>, raw: &Option<Spanned<String>>, path: &str| {
        if let (Some(s), Some(n)) = (raw, place_of(raw)) {
            if !ns_names.contains_key(&n) {
                c.at(
                    s.span(),
                    path,
                    format!("namespace {n:?} is not declared (declare it in [[namespace]], or use \"root\")"),
                );
            }
        }
    };

    // Interfaces per place.
    let mut ifaces: HashMap<Place, BTreeMap<String, Iface>> = HashMap::new();
    let mut add_iface = |c: &mut Collector<'_>,
                         place: &Place,
                         name: &Spanned<String>,
                         path: String,
                         addrs: Vec<(IpNet, Range<usize>, String)>| {
        check_iface(c, name, &path);
        let map = ifaces.entry(place.clone()).or_default();
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
    };

    let mut bridges = Vec::new();
    let mut port_of: HashMap<(Place, String), (String, Range<usize>)> = HashMap::new();
    let mut nats = Vec::new();
    let mut root_sysctls: Vec<(String, String)> = Vec::new();
    for (i, b) in raw.bridges.iter().enumerate() {
        let base = format!("bridge[{i}]");
        check_place(c, &b.netns, &format!("{base}.netns"));
        let place = place_of(&b.netns);
        let addrs = addresses(c, &b.address, &b.addresses, &base);
        let mac = check_mac(c, &b.mac, &format!("{base}.mac"));
        let mtu = check_mtu(c, &b.mtu, &format!("{base}.mtu"));
        for (j, p) in b.ports.iter().enumerate() {
            let key = (place.clone(), p.get_ref().clone());
            if let Some((other, _)) = port_of.get(&key) {
                c.at(
                    p.span(),
                    format!("{base}.ports[{j}]"),
                    format!("{:?} is already a port of bridge {other:?}", p.get_ref()),
                );
            } else {
                port_of.insert(key, (b.name.get_ref().clone(), p.span()));
            }
        }
        if b.nat {
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
            for (n, _, _) in &addrs {
                nats.push(Nat {
                    table: format!("netns-{name}-{}", table_part(b.name.get_ref())),
                    source: n.network(),
                });
                push_forwarding(&mut root_sysctls, n);
            }
        }
        bridges.push(Bridge {
            netns: place.clone(),
            name: b.name.get_ref().clone(),
            addresses: addrs.iter().map(|a| a.0).collect(),
            mac,
            mtu,
            adopt: b.adopt,
        });
        add_iface(c, &place, &b.name, format!("{base}.name"), addrs);
    }

    let mut links = Vec::new();
    let mut end = |c: &mut Collector<'_>, e: &RawEnd, base: String| -> End {
        check_place(c, &e.netns, &format!("{base}.netns"));
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
            master: port_of
                .get(&(place.clone(), e.name.get_ref().clone()))
                .map(|(b, _)| b.clone()),
        };
        add_iface(c, &place, &e.name, format!("{base}.name"), addrs);
        out
    };
    let mut raw_link_addrs = Vec::new();
    for (i, l) in raw.links.iter().enumerate() {
        let a = end(c, &l.a, format!("link[{i}].a"));
        let b = end(c, &l.b, format!("link[{i}].b"));
        raw_link_addrs.push(i);
        links.push(Veth {
            a,
            b,
            adopt: l.adopt,
        });
    }

    // Namespaces' own fields, uplinks.
    let mut namespaces = Vec::new();
    let mut routes_raw: Vec<(String, usize, &RawRoute)> = Vec::new();
    for (i, ns) in raw.namespaces.iter().enumerate() {
        let base = format!("namespace[{i}]");
        let nsname = ns.name.get_ref().clone();
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
        let mut routes = Vec::new();
        if let Some(u) = &ns.uplink {
            let ub = format!("{base}.uplink");
            let mode = u.mode.get_ref().as_str();
            let addr = parse_cidr(c, &u.address, &format!("{ub}.address"));
            let gw = parse_ip(c, &u.gateway, &format!("{ub}.gateway"));
            let iface = u
                .iface
                .clone()
                .unwrap_or_else(|| Spanned::new(u.mode.span(), "eth0".to_string()));
            let mut host_name = format!("u-{nsname}");
            host_name.truncate(15);
            let host = u
                .host_iface
                .clone()
                .unwrap_or_else(|| Spanned::new(u.mode.span(), host_name));
            let (Some(addr), Some(gw)) = (addr, gw) else {
                continue;
            };
            if !addr.contains(&gw) || addr.addr() == gw {
                c.at(
                    u.gateway.span(),
                    format!("{ub}.gateway"),
                    format!(
                        "gateway {gw} is not another address of the uplink's subnet {}",
                        addr.network()
                    ),
                );
                continue;
            }
            let (host_addrs, master) = match mode {
                "nat" => {
                    if u.bridge.is_some() {
                        c.at(
                            u.mode.span(),
                            format!("{ub}.bridge"),
                            "bridge is for mode = \"bridge\"",
                        );
                    }
                    let gw_net = IpNet::new(gw, addr.prefix_len()).ok();
                    nats.push(Nat {
                        table: format!("netns-{name}-{}", table_part(host.get_ref())),
                        source: addr.network(),
                    });
                    push_forwarding(&mut root_sysctls, &addr);
                    (
                        gw_net
                            .map(|n| vec![(n, u.gateway.span(), format!("{ub}.gateway"))])
                            .unwrap_or_default(),
                        None,
                    )
                }
                "bridge" => {
                    let Some(br) = &u.bridge else {
                        c.at(
                            u.mode.span(),
                            format!("{ub}.bridge"),
                            "mode = \"bridge\" needs bridge = NAME (a [[bridge]] in the root namespace)",
                        );
                        continue;
                    };
                    match bridges
                        .iter()
                        .find(|b| b.netns.is_none() && &b.name == br.get_ref())
                    {
                        None => c.at(
                            br.span(),
                            format!("{ub}.bridge"),
                            format!(
                                "no bridge {:?} is declared in the root namespace",
                                br.get_ref()
                            ),
                        ),
                        Some(b) => {
                            if !b.addresses.iter().any(|a| a.addr() == gw) {
                                c.at(
                                    u.gateway.span(),
                                    format!("{ub}.gateway"),
                                    format!(
                                        "gateway {gw} is not an address of bridge {:?}",
                                        b.name
                                    ),
                                );
                            }
                        }
                    }
                    (Vec::new(), Some(br.get_ref().clone()))
                }
                other => {
                    c.at(
                        u.mode.span(),
                        format!("{ub}.mode"),
                        format!("unknown uplink mode {other:?} (expected \"nat\" or \"bridge\")"),
                    );
                    continue;
                }
            };
            let a_end = End {
                netns: Some(nsname.clone()),
                name: iface.get_ref().clone(),
                addresses: vec![addr],
                mac: None,
                mtu: None,
                master: None,
            };
            let b_end = End {
                netns: None,
                name: host.get_ref().clone(),
                addresses: host_addrs.iter().map(|a| a.0).collect(),
                mac: None,
                mtu: None,
                master,
            };
            add_iface(
                c,
                &Some(nsname.clone()),
                &iface,
                format!("{ub}.iface"),
                vec![(addr, u.address.span(), format!("{ub}.address"))],
            );
            add_iface(c, &None, &host, format!("{ub}.host_iface"), host_addrs);
            links.push(Veth {
                a: a_end,
                b: b_end,
                adopt: ns.adopt,
            });
            routes.push(RouteDecl {
                to: None,
                via: Some(gw),
                dev: None,
                metric: None,
            });
        }
        for (j, r) in ns.routes.iter().enumerate() {
            routes_raw.push((nsname.clone(), j, r));
            let rb = format!("{base}.routes[{j}]");
            let to = if r.to.get_ref() == "default" {
                None
            } else {
                match parse_cidr(c, &r.to, &format!("{rb}.to")) {
                    Some(n) => Some(n),
                    None => continue,
                }
            };
            let via = match &r.via {
                Some(v) => match parse_ip(c, v, &format!("{rb}.via")) {
                    Some(ip) => Some(ip),
                    None => continue,
                },
                None => None,
            };
            if via.is_none() && r.dev.is_none() {
                c.at(
                    r.to.span(),
                    &rb,
                    "a route needs via = GATEWAY or dev = INTERFACE",
                );
            }
            routes.push(RouteDecl {
                to,
                via,
                dev: r.dev.as_ref().map(|d| d.get_ref().clone()),
                metric: r.metric,
            });
        }
        let lo_up = match ns.lo.as_ref().map(|l| (l, l.get_ref().as_str())) {
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
        };
        namespaces.push(Namespace {
            name: nsname,
            sysctls,
            routes,
            resolv_conf: ns.resolv_conf.clone(),
            hosts: ns.hosts.clone(),
            lo_up,
            adopt: ns.adopt,
        });
    }

    // Bridge ports: declared veth ends in the bridge's namespace.
    for (i, b) in raw.bridges.iter().enumerate() {
        let place = place_of(&b.netns);
        for (j, p) in b.ports.iter().enumerate() {
            let is_end = links.iter().any(|l| {
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

    // Subnets: both ends of a veth share a subnet; a bridge port's peer is in
    // the bridge's subnet.
    let empty = BTreeMap::new();
    let lookup = |place: &Place, name: &str| ifaces.get(place).unwrap_or(&empty).get(name);
    for l in &links {
        for (x, y) in [(&l.a, &l.b), (&l.b, &l.a)] {
            let (Some(xi), Some(yi)) = (lookup(&x.netns, &x.name), lookup(&y.netns, &y.name))
            else {
                continue;
            };
            // The subnets x's addresses must fall in: y's own, or y's bridge's.
            let mut nets: Vec<IpNet> = yi.addresses.iter().map(|a| a.0).collect();
            let mut what = format!("the other end ({} in {})", y.name, place_label(&y.netns));
            if let Some(br) = &y.master {
                if let Some(bi) = lookup(&y.netns, br) {
                    nets.extend(bi.addresses.iter().map(|a| a.0));
                    what = format!("bridge {br:?} (the other end is its port)");
                }
            }
            for (addr, span, path) in &xi.addresses {
                let same_family: Vec<&IpNet> = nets
                    .iter()
                    .filter(|n| n.family() == addr.family())
                    .collect();
                if !same_family.is_empty() && !same_family.iter().any(|n| n.contains(&addr.addr()))
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

    // The same address twice in one namespace.
    for (place, map) in &ifaces {
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

    // Routes: dev declared; gateway reachable from a declared address.
    for (ns, j, r) in &routes_raw {
        let i = raw
            .namespaces
            .iter()
            .position(|n| n.name.get_ref() == ns)
            .unwrap_or(0);
        let rb = format!("namespace[{i}].routes[{j}]");
        let place = Some(ns.clone());
        let map = ifaces.get(&place).unwrap_or(&empty);
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
    }
    let _ = raw_link_addrs;
    let mut seen_tables = HashSet::new();
    nats.retain(|n| seen_tables.insert((n.table.clone(), n.source)));

    Some(Topology {
        name,
        origin: origin.to_string(),
        namespaces,
        bridges,
        links,
        nats,
        root_sysctls,
    })
}

fn push_forwarding(sysctls: &mut Vec<(String, String)>, net: &IpNet) {
    let key = match net.family() {
        netns_core::addr::Family::Inet6 => "net.ipv6.conf.all.forwarding",
        _ => "net.ipv4.ip_forward",
    };
    if !sysctls.iter().any(|(k, _)| k == key) {
        sysctls.push((key.to_string(), "1".to_string()));
    }
}
