//! Kernel work shared by the modes: the veth pair with its container end
//! born in the pod's namespace, addresses and routes inside the pod, and
//! reading back what CHECK compares.

use std::net::IpAddr;

use netns_core::addr::{
    AddressFilter, AddressSpec, Broadcast, Family, IpNet, IFA_F_NODAD, IFA_F_NOPREFIXROUTE,
};
use netns_core::announce::{self, Announcement};
use netns_core::link::{
    Dev, HwAddr, IfIndex, Link, LinkId, LinkKind, LinkSpec, MacAddr, NetNsRef, VethPeer,
};
use netns_core::route::RouteSpec;
use netns_core::{ErrorKind, Handle, NetNs};

use crate::attachment::{Attachment, NAME_TRIES};
use crate::error::{code, CniError, Result};
use crate::spec::{CniResult, Interface, Route};

/// `link`'s hardware address as text (`aa:bb:cc:dd:ee:ff`; empty when it
/// has none).
pub fn mac_of(link: &Link) -> String {
    let bytes = link.address.as_deref().unwrap_or_default();
    HwAddr::new(link.link_type, bytes).to_string()
}

/// A result interface for `link`.
pub fn interface(link: &Link, sandbox: Option<&str>) -> Interface {
    Interface {
        name: link.name.clone(),
        mac: mac_of(link),
        mtu: link.mtu,
        sandbox: sandbox.unwrap_or_default().to_string(),
        ..Interface::default()
    }
}

/// A veth pair made for an attachment.
#[derive(Debug)]
pub struct Veth {
    /// The host end's name.
    pub host: String,
    /// The host end's index.
    pub host_index: IfIndex,
}

/// Creates the veth pair: the host end (named from the attachment, up,
/// optionally a port of `master`) and the container end `ifname` (with
/// the MAC `mac` when given), **born**
/// in `pod` (never created here and moved), then marks the host end with
/// the attachment's alias. A taken host name (a hash collision) is retried
/// with the next name.
///
/// # Errors
/// Code 102 when `ifname` exists in the pod; the kernel's refusal otherwise.
pub fn create_veth(
    host: &mut Handle,
    pod: &mut Handle,
    ns: &NetNs,
    att: &Attachment<'_>,
    mtu: Option<u32>,
    master: Option<IfIndex>,
    mac: Option<MacAddr>,
) -> Result<Veth> {
    let pod_ns = NetNsRef::from(ns.try_clone()?);
    for n in 0..NAME_TRIES {
        let name = att.host_name(n);
        let mut peer = VethPeer::named(att.ifname);
        peer.netns = Some(pod_ns.clone());
        peer.mtu = mtu;
        peer.mac = mac;
        let mut spec = LinkSpec::new(name.clone(), LinkKind::Veth(peer)).up(true);
        spec.mtu = mtu;
        spec.master = master.map(Dev::Index);
        match host.link_add(&spec) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                if pod.link_index(att.ifname).is_ok() {
                    return Err(CniError::new(
                        code::ALREADY_ATTACHED,
                        format!(
                            "container veth name provided ({}) already exists",
                            att.ifname
                        ),
                    ));
                }
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        let mut finish = || -> Result<Veth> {
            let index = host.link_index(&name)?;
            host.link_set_alias(index.into(), &att.alias())?;
            Ok(Veth {
                host: name.clone(),
                host_index: index,
            })
        };
        return match finish() {
            Ok(v) => Ok(v),
            Err(e) => {
                let _ = host.link_delete(LinkId::Name(&name));
                Err(e)
            }
        };
    }
    Err(CniError::new(
        code::ALREADY_ATTACHED,
        format!(
            "every host interface name for {}/{} is taken",
            att.container_id, att.ifname
        ),
    ))
}

/// Deletes the host end of the attachment's veth pair if one is left (the
/// name and the alias both match). Returns whether one was.
///
/// # Errors
/// The kernel's refusal to delete.
pub fn delete_host_end(host: &mut Handle, att: &Attachment<'_>) -> Result<bool> {
    let alias = att.alias();
    for n in 0..NAME_TRIES {
        let name = att.host_name(n);
        let Ok(link) = host.link_by_name(&name) else {
            continue;
        };
        if link.alias.as_deref() == Some(alias.as_str()) {
            match host.link_delete(link.index.into()) {
                Ok(()) => return Ok(true),
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(false)
}

/// The options of an address given to a pod or bridge: the IPv4 broadcast
/// set (as the reference plugins set it), no DAD for IPv6 (the reference
/// turns DAD off in the container), and with `no_prefix_route` no prefix
/// route (ptp routes the subnet through the gateway instead).
pub fn address_spec(dev: IfIndex, net: IpNet, no_prefix_route: bool) -> AddressSpec {
    let mut spec = AddressSpec::new(dev, net).broadcast(Broadcast::HostBitsSet);
    if net.family() == Family::Inet6 {
        spec = spec.flags(IFA_F_NODAD);
    }
    if no_prefix_route {
        spec = spec.flags(IFA_F_NOPREFIXROUTE);
    }
    spec
}

/// Adds the result's addresses of interface `index` to `ifindex` in the pod.
///
/// # Errors
/// The kernel's refusal.
pub fn add_addresses(
    pod: &mut Handle,
    ifindex: IfIndex,
    result: &CniResult,
    index: usize,
    no_prefix_route: bool,
) -> Result<()> {
    for ip in result.ips.iter().filter(|ip| ip.interface == Some(index)) {
        let net = ip.address.0;
        pod.address_add(&address_spec(ifindex, net, no_prefix_route))?;
    }
    Ok(())
}

/// The kernel route for a result route: its gateway, or the gateway of the
/// interface's address in the same family (the reference's rule).
pub fn route_spec(route: &Route, result: &CniResult, index: usize, ifindex: IfIndex) -> RouteSpec {
    let dst = route.dst.0.network();
    let gw = route
        .gw
        .or_else(|| result.gateway_for(&dst.addr(), Some(index)));
    let mut spec = RouteSpec::to(dst).dev(ifindex);
    if let Some(gw) = gw {
        spec = spec.via(gw);
    }
    if let Some(m) = route.priority {
        spec = spec.metric(m);
    }
    if let Some(s) = route.scope {
        spec = spec.scope(s);
    }
    if let Some(t) = route.table.and_then(netns_core::route::RouteTable::new) {
        spec = spec.table(t);
    }
    spec
}

/// Adds the result's routes through `ifindex` in the pod (a route repeated
/// in the result is added once). A route the kernel already has for the
/// same destination, table and metric (`RTM_NEWROUTE` with `NLM_F_EXCL`
/// answers `EEXIST`), e.g. the default route of the container's first
/// network when a second attachment's IPAM also gives one, is kept and
/// this one skipped: the first one wins, as in the reference plugins'
/// `ipam.ConfigureIface` before 1.0 (see docs/cni.md).
///
/// # Errors
/// The kernel's refusal other than `EEXIST`.
pub fn add_routes(
    pod: &mut Handle,
    ifindex: IfIndex,
    result: &CniResult,
    index: usize,
) -> Result<()> {
    let mut done: Vec<RouteSpec> = Vec::new();
    for r in &result.routes {
        let spec = route_spec(r, result, index, ifindex);
        if done.contains(&spec) {
            continue;
        }
        match pod.route_add(&spec) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
        done.push(spec);
    }
    Ok(())
}

/// Announces the result's addresses of interface `index` from inside the
/// pod, on its interface `ifname`: a gratuitous ARP per IPv4 address and
/// an unsolicited neighbour advertisement per IPv6 address
/// ([`NetNs::announce`]), so that neighbours holding an entry for an
/// address from an earlier container (a restart: same address, new veth,
/// new MAC) update it at once instead of after it goes stale (~20 s).
///
/// The host end `host_index` is waited for first (up to a second) until
/// it transmits too: the kernel's link watch brings both ends of the pair
/// up one after the other, and a frame crossing into a host end not yet
/// up (a bridge port not yet forwarding) is lost.
///
/// # Errors
/// The kernel's refusal to send; an end not up within a second.
pub fn announce(
    ns: &NetNs,
    ifname: &str,
    host: &mut Handle,
    host_index: IfIndex,
    result: &CniResult,
    index: usize,
) -> Result<()> {
    let host_link = host.link_by_index(host_index)?;
    let host_name = host_link.name.clone();
    announce::wait_until_transmitting(host, host_link, announce::DEFAULT_WAIT_UP, &host_name)?;
    let mut what = Announcement::new(ifname);
    for ip in result.ips.iter().filter(|ip| ip.interface == Some(index)) {
        what = what.address(ip.address.0.addr());
    }
    if !what.addresses.is_empty() {
        ns.announce(&what)?;
    }
    Ok(())
}

/// The addresses on `ifindex`.
///
/// # Errors
/// The kernel's refusal.
pub fn addresses_of(h: &mut Handle, ifindex: IfIndex) -> Result<Vec<IpNet>> {
    Ok(h.addresses(AddressFilter::new().dev(ifindex))?
        .filter_map(|a| a.net())
        .collect())
}

/// Whether the main table has a route to `dst` (via `gw` when given).
///
/// # Errors
/// The kernel's refusal.
pub fn has_route(h: &mut Handle, dst: IpNet, gw: Option<IpAddr>) -> Result<bool> {
    let want = dst.network();
    Ok(h.routes(None, Some(dst.family()))?.any(|r| {
        let same_dst = match r.destination() {
            Some(d) => d.network() == want,
            None => want.prefix_len() == 0,
        };
        same_dst && (gw.is_none() || r.gateway() == gw)
    }))
}

/// Whether a route to `dst` goes through an interface other than
/// `ifindex`: the route an earlier attachment made, which
/// [`add_routes`] let win over this attachment's.
///
/// # Errors
/// The kernel's refusal.
pub fn has_route_elsewhere(h: &mut Handle, dst: IpNet, ifindex: u32) -> Result<bool> {
    let want = dst.network();
    Ok(h.routes(None, Some(dst.family()))?.any(|r| {
        let same_dst = match r.destination() {
            Some(d) => d.network() == want,
            None => want.prefix_len() == 0,
        };
        same_dst && r.oif().is_some_and(|o| o != ifindex)
    }))
}

/// Turns on forwarding in the host for the families of `result`'s
/// addresses (`net.ipv4.ip_forward`, `net.ipv6.conf.all.forwarding`),
/// writing only what is not on already.
///
/// # Errors
/// Code 5 when the sysctl cannot be read or written.
pub fn enable_forwarding(result: &CniResult) -> Result<()> {
    let mut keys = Vec::new();
    if result.ips.iter().any(|ip| ip.address.0.addr().is_ipv4()) {
        keys.push("net.ipv4.ip_forward");
    }
    if result.ips.iter().any(|ip| ip.address.0.addr().is_ipv6()) {
        keys.push("net.ipv6.conf.all.forwarding");
    }
    for key in keys {
        if netns_core::sysctl::get(key)?.trim() != "1" {
            netns_core::sysctl::set(key, "1")?;
        }
    }
    Ok(())
}
