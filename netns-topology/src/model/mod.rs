//! The topology file: its serde form (with source spans), and the checked
//! model every other part of the module works on.
//!
//! Here: the checked model ([`Topology`] and its parts) and parsing. The
//! serde form is in `raw`, the diagnostics in `diagnostics`, one field's
//! checks in `fields`; `build` checks and builds the model section by
//! section (an uplink in `uplink`), then runs the checks across sections
//! (`cross_checks`).

use std::fmt;
use std::net::IpAddr;
use std::path::Path;

use netns_core::addr::IpNet;
use netns_core::link::MacAddr;
use netns_core::{Error, Result};

mod build;
mod cross_checks;
mod diagnostics;
mod fields;
mod raw;
mod uplink;

use build::build;
use diagnostics::Collector;
pub use diagnostics::{Diagnostic, Diagnostics};
use raw::deserialize;

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
    /// [`ErrorKind::InvalidArgument`](netns_core::ErrorKind::InvalidArgument) whose detail lists every diagnostic.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Topology> {
        Ok(Topology::parse(text, "<string>")?)
    }

    /// Parses and validates a topology given as JSON (the same keys and
    /// values as the TOML file; what language front ends build from a
    /// dictionary): the JSON is read into TOML values and checked as
    /// [`Topology::parse`] checks a file, `origin` naming it (diagnostics
    /// point into the TOML rendering).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`](netns_core::ErrorKind::InvalidArgument)
    /// for JSON that is not an object of TOML values (`null` has none), or
    /// listing every diagnostic.
    pub fn from_json(json: &str, origin: &str) -> Result<Topology> {
        let bad = |why: String| {
            Error::new(
                netns_core::ErrorKind::InvalidArgument,
                "parse",
                format!("topology {origin}"),
            )
            .with_detail(why)
        };
        let value: toml::Table = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
        let text = toml::to_string(&value).map_err(|e| bad(e.to_string()))?;
        Ok(Topology::parse(&text, origin)?)
    }

    /// Reads and validates the topology file at `path`.
    ///
    /// # Errors
    /// When the file cannot be read; [`ErrorKind::InvalidArgument`](netns_core::ErrorKind::InvalidArgument) listing
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
