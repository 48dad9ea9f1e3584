//! Reading what exists: links, addresses and routes of the root and the
//! declared namespaces, their sysctls, NAT and etc files; then [`plan`].

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{plan, read_etc, Plan, Seen};
use crate::model::{Namespace, Place, Topology};
use crate::pool;
use crate::state::Record;
use netns_core::addr::{AddressFilter, IpNet};
use netns_core::link::{IfIndex, MacAddr};
use netns_core::namespace::VerifiedDir;
use netns_core::route::{Route, RouteTable};
use netns_core::{ErrorKind, Handle, NetNs, Registry, Result};

/// A link as read from the kernel.
#[derive(Debug, Clone)]
pub(crate) struct LinkState {
    pub index: IfIndex,
    pub kind: Option<String>,
    pub mtu: Option<u32>,
    pub mac: Option<MacAddr>,
    pub master: Option<IfIndex>,
    pub up: bool,
    /// `IFLA_LINK`: a veth's peer index (in the peer's namespace).
    pub peer: Option<IfIndex>,
    /// `IFLA_GROUP`: the device group.
    pub group: u32,
}

/// What exists in one namespace.
#[derive(Debug, Default)]
pub(crate) struct PlaceState {
    pub links: BTreeMap<String, LinkState>,
    pub names: HashMap<IfIndex, String>,
    /// By interface name, in the kernel's order.
    pub addresses: HashMap<String, Vec<IpNet>>,
    pub routes: Vec<Route>,
}

/// The links of `h`'s namespace (one dump): `links` and `names` only.
pub(crate) fn read_links(h: &mut Handle) -> Result<PlaceState> {
    let mut st = PlaceState::default();
    for l in h.links()? {
        let mac = l
            .address()
            .and_then(|a| <[u8; 6]>::try_from(a).ok())
            .map(MacAddr);
        st.names.insert(l.index(), l.name().to_string());
        st.links.insert(
            l.name().to_string(),
            LinkState {
                index: l.index(),
                kind: l.kind().map(str::to_owned),
                mtu: l.mtu(),
                mac,
                master: l.master(),
                up: l.flags().is_up(),
                peer: l.link(),
                group: l.group().unwrap_or(0),
            },
        );
    }
    Ok(st)
}

/// What exists in `h`'s namespace: one dump of links, one of addresses, and
/// (`with_routes`) one of the main table's routes.
pub(crate) fn read_place(h: &mut Handle, with_routes: bool) -> Result<PlaceState> {
    let mut st = read_links(h)?;
    let mut addrs = Vec::new();
    for a in h.addresses(AddressFilter::new())? {
        if let (Some(net), Some(ix)) = (a.net(), IfIndex::new(a.ifindex())) {
            addrs.push((ix, net));
        }
    }
    for (ix, net) in addrs {
        if let Some(n) = st.names.get(&ix) {
            st.addresses.entry(n.clone()).or_default().push(net);
        }
    }
    if with_routes {
        st.routes = h
            .routes(Some(RouteTable::MAIN), None)?
            .map(|r| r.to_owned())
            .collect();
    }
    Ok(st)
}

/// Namespaces and handles opened while reading the system, kept for the
/// apply that follows (so nothing is opened twice).
#[derive(Debug, Default)]
pub(crate) struct Opened {
    pub nss: HashMap<String, NetNs>,
    /// By place; the root namespace's under `None`.
    pub handles: HashMap<Place, Handle>,
}

/// What one existing declared namespace holds, read through its handle.
type Read = (
    String,
    NetNs,
    Handle,
    PlaceState,
    Vec<(String, Option<String>)>,
);

/// Reads one share of the existing declared namespaces: their handles
/// opened from one thread ([`NetNs::handles`]), then one dump of links,
/// addresses and routes each, and their declared sysctls.
fn read_share(share: Vec<(&Namespace, NetNs)>) -> Result<Vec<Read>> {
    let refs: Vec<&NetNs> = share.iter().map(|(_, ns)| ns).collect();
    let handles = NetNs::handles(&refs)?;
    share
        .into_iter()
        .zip(handles)
        .map(|((decl, ns), mut h)| {
            let st = read_place(&mut h, true)?;
            let sysctls = decl
                .sysctls
                .iter()
                .map(|(k, _)| (k.clone(), ns.sysctl_get(k).ok()))
                .collect();
            Ok((decl.name.clone(), ns, h, st, sysctls))
        })
        .collect()
}

/// Everything [`plan`] needs, read from the system: one listing of the
/// registry, then for each declared namespace that exists, its handle and
/// one dump of each kind, in parallel (a thread per core). Returns the
/// namespaces and handles opened, for the apply.
///
/// A declared name whose registry entry is stale (an interrupted add) is
/// planned as missing (adding replaces a stale entry); one whose entry is
/// not a namespace (a symbolic link, a user's file) is a conflict.
pub(crate) fn survey(
    topo: &Topology,
    registry: &Registry,
    record: &Record,
    adopt_all: bool,
) -> Result<(Plan, Opened)> {
    let mut root_h = Handle::current()?;
    let root = read_place(&mut root_h, false)?;
    let mut sysctl_values = HashMap::new();
    for (k, _) in &topo.root_sysctls {
        sysctl_values.insert((None, k.clone()), netns_core::sysctl::get(k).ok());
    }
    let present: HashSet<String> = registry.names()?.into_iter().collect();
    let mut existing = Vec::new();
    let mut stale = HashSet::new();
    let mut foreign = HashMap::new();
    for ns in &topo.namespaces {
        if !present.contains(&ns.name) {
            continue;
        }
        match registry.open(&ns.name) {
            Ok(h) => existing.push((ns, h)),
            // Deleted since the listing.
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            // Stale: an empty mode-0 file (an interrupted add), which an
            // add replaces; any other file is someone else's.
            Err(e) if e.kind() == ErrorKind::Stale => {
                let found = VerifiedDir::open_as(registry.run_dir(), "run directory")
                    .and_then(|d| d.lookup(&ns.name));
                match found {
                    Ok(f) if f.is_stale_entry() => {
                        stale.insert(ns.name.clone());
                    }
                    Ok(f) => {
                        let path = registry.run_dir().join(&ns.name);
                        foreign.insert(
                            ns.name.clone(),
                            format!(
                                "{} is {}, not a namespace; left untouched",
                                path.display(),
                                f.describe()
                            ),
                        );
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) if e.kind() == ErrorKind::InvalidArgument => {
                foreign.insert(ns.name.clone(), e.to_string());
            }
            Err(e) => return Err(e),
        }
    }
    let mut opened = Opened::default();
    let mut states = HashMap::new();
    for share in pool::on_workers(existing, read_share) {
        for (name, ns, h, st, sysctls) in share? {
            for (k, v) in sysctls {
                sysctl_values.insert((Some(name.clone()), k), v);
            }
            states.insert(name.clone(), st);
            opened.handles.insert(Some(name.clone()), h);
            opened.nss.insert(name, ns);
        }
    }
    opened.handles.insert(None, root_h);
    let mut nat_present = Vec::new();
    for n in &topo.nats {
        nat_present.push(crate::masquerade(n).exists()?);
    }
    let etc = read_etc(topo, registry);
    let seen = Seen {
        root: &root,
        states: &states,
        sysctl_values: &sysctl_values,
        nat_present: &nat_present,
        stale: &stale,
        foreign: &foreign,
        etc: &etc,
        record,
        adopt_all,
    };
    let plan = plan(topo, registry, &seen)?;
    Ok((plan, opened))
}
