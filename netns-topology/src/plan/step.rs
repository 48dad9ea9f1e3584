//! The steps of a plan, and how each is described.

use std::fmt;
use std::path::PathBuf;

use crate::model::{place_label, Nat, Place, RouteDecl, Topology};
use netns_core::addr::IpNet;
use netns_core::link::MacAddr;
use netns_core::route::Route;

/// Which file under `/etc/netns/NAME/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum EtcFile {
    ResolvConf,
    Hosts,
}

impl EtcFile {
    pub(crate) fn file_name(self) -> &'static str {
        match self {
            EtcFile::ResolvConf => "resolv.conf",
            EtcFile::Hosts => "hosts",
        }
    }
}

/// One change an apply makes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    AddNamespace(String),
    WriteEtc {
        ns: String,
        file: EtcFile,
        contents: String,
        /// Where, for messages (the registry's etc directory).
        path: PathBuf,
    },
    AddBridge {
        place: Place,
        name: String,
        mac: Option<MacAddr>,
        mtu: Option<u32>,
    },
    /// Index into `Topology::links`.
    AddVeth(usize),
    SetLink {
        place: Place,
        name: String,
        mtu: Option<u32>,
        mac: Option<MacAddr>,
        /// `Some(None)`: no master.
        master: Option<Option<String>>,
        /// `Some(true)`: bring it up; `Some(false)`: down.
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
    },
    SetSysctl {
        place: Place,
        key: String,
        value: String,
    },
    DelRoute {
        place: Place,
        route: Route,
    },
    AddRoute {
        place: Place,
        route: RouteDecl,
    },
    AddNat(Nat),
}

/// `link "x" in ns1`.
pub(crate) struct At<'a>(pub &'a Place, pub &'a str);

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} in {}", self.1, place_label(self.0))
    }
}

pub(super) fn route_text(r: &Route) -> String {
    let mut s = match r.destination {
        Some(d) => d.network().to_string(),
        None => "default".to_string(),
    };
    if let Some(g) = r.gateway {
        s.push_str(&format!(" via {g}"));
    }
    if let Some(m) = r.metric {
        s.push_str(&format!(" metric {m}"));
    }
    s
}

impl Step {
    pub(crate) fn describe(&self, topo: &Topology) -> String {
        match self {
            Step::AddNamespace(n) => format!("add namespace {n:?}"),
            Step::WriteEtc { path, .. } => format!("write {}", path.display()),
            Step::AddBridge { place, name, .. } => format!("add bridge {}", At(place, name)),
            Step::AddVeth(i) => {
                let l = &topo.links[*i];
                format!(
                    "add veth {} <-> {}",
                    At(&l.a.netns, &l.a.name),
                    At(&l.b.netns, &l.b.name)
                )
            }
            Step::SetLink {
                place,
                name,
                mtu,
                mac,
                master,
                up,
            } => {
                let mut s = format!("set link {}", At(place, name));
                if let Some(m) = mtu {
                    s.push_str(&format!(" mtu {m}"));
                }
                if let Some(m) = mac {
                    s.push_str(&format!(" address {m}"));
                }
                match master {
                    Some(Some(b)) => s.push_str(&format!(" master {b}")),
                    Some(None) => s.push_str(" nomaster"),
                    None => {}
                }
                match up {
                    Some(true) => s.push_str(" up"),
                    Some(false) => s.push_str(" down"),
                    None => {}
                }
                s
            }
            Step::DelAddress { place, iface, net } => {
                format!("delete address {net} from {}", At(place, iface))
            }
            Step::AddAddress { place, iface, net } => {
                format!("add address {net} to {}", At(place, iface))
            }
            Step::SetSysctl { place, key, value } => {
                format!("set sysctl {key}={value} in {}", place_label(place))
            }
            Step::DelRoute { place, route } => {
                format!(
                    "delete route {} in {}",
                    route_text(route),
                    place_label(place)
                )
            }
            Step::AddRoute { place, route } => {
                format!("add route {route} in {}", place_label(place))
            }
            Step::AddNat(n) => format!("add masquerade {} (nftables table {})", n.source, n.table),
        }
    }
}
