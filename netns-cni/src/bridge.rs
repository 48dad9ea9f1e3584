//! Bridge mode, as the reference `bridge` plugin: the bridge (created if
//! missing), a veth pair per container with the host end a port of the
//! bridge and the container end born in the pod's namespace, the gateway
//! address on the bridge (`isGateway`), a default route in the pod
//! (`isDefaultGateway`), hairpin and promiscuous modes, the MTU; the pod's
//! addresses announced from inside it (gratuitous ARP, unsolicited NA).

use netns_core::addr::{AddressFilter, AddressSpec, Family, IpNet};
use netns_core::link::{IfIndex, Link, LinkFlags, LinkKind, LinkSpec, MacAddr};
use netns_core::{ErrorKind, Handle};

use crate::config::{invalid, NetConf};
use crate::error::{code, CniError, Result};
use crate::masq;
use crate::modes::Ctx;
use crate::spec::{CniResult, Route};
use crate::wiring::{self, address_spec, interface};

/// The index of the container interface in a bridge result
/// (`[bridge, host veth, container]`).
pub const POD_INDEX: usize = 2;

/// The first address of `net`'s subnet: the gateway when IPAM gives none.
fn first_address(net: &IpNet) -> std::net::IpAddr {
    let n = net.network();
    match n.addr() {
        std::net::IpAddr::V4(a) => std::net::IpAddr::V4((u32::from(a) + 1).into()),
        std::net::IpAddr::V6(a) => std::net::IpAddr::V6((u128::from(a) + 1).into()),
    }
}

/// Fills in gateways (`isGateway`) and the default routes
/// (`isDefaultGateway`) of the IPAM result, as the reference does, and
/// points every address at the container interface.
pub fn plan(conf: &NetConf, result: &mut CniResult) {
    for ip in &mut result.ips {
        ip.interface = Some(POD_INDEX);
        if conf.is_gateway && ip.gateway.is_none() {
            ip.gateway = Some(first_address(&ip.address.0));
        }
    }
    if conf.is_default_gateway {
        let mut families: Vec<(bool, std::net::IpAddr)> = Vec::new();
        for ip in &result.ips {
            if let Some(gw) = ip.gateway {
                if !families.iter().any(|(v4, _)| *v4 == gw.is_ipv4()) {
                    families.push((gw.is_ipv4(), gw));
                }
            }
        }
        for (v4, gw) in families {
            let has_default = result.routes.iter().any(|r| {
                r.dst.0.prefix_len() == 0 && r.dst.0.addr().is_ipv4() == v4 && r.gw.is_some()
            });
            if !has_default {
                let any: std::net::IpAddr = if v4 {
                    [0u8; 4].into()
                } else {
                    [0u16; 8].into()
                };
                if let Ok(dst) = IpNet::new(any, 0) {
                    result.routes.push(Route::new(dst, Some(gw)));
                }
            }
        }
    }
}

/// Finds or creates the bridge (up, with the MTU and promiscuous mode
/// asked for). Returns it and whether this call created it.
fn ensure_bridge(host: &mut Handle, conf: &NetConf) -> Result<(Link, bool)> {
    let mut created = false;
    let link = match host.link_by_name(&conf.bridge) {
        Ok(l) => l,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            // A fixed address: without one the bridge takes the lowest of
            // its ports' and changes it as pods come and go (stale ARP
            // entries for the gateway in every pod).
            let mut spec = LinkSpec::new(conf.bridge.clone(), LinkKind::Bridge).up(true);
            spec.mac = Some(random_mac()?);
            spec.mtu = conf.mtu;
            match host.link_add(&spec) {
                Ok(()) => created = true,
                // Another ADD made it in between: use theirs.
                Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e.into()),
            }
            host.link_by_name(&conf.bridge)?
        }
        Err(e) => return Err(e.into()),
    };
    if link.kind.as_deref() != Some("bridge") {
        return Err(invalid(format!(
            "{:?} already exists but is not a bridge",
            conf.bridge
        )));
    }
    if !link.flags.contains(LinkFlags::UP) {
        host.link_set_up(link.index.into())?;
    }
    if conf.promisc_mode && !link.flags.contains(LinkFlags::PROMISC) {
        host.link_set_promisc(link.index.into(), true)?;
    }
    Ok((link, created))
}

/// A random locally administered unicast address (`/dev/urandom`).
fn random_mac() -> Result<MacAddr> {
    let mut b = [0u8; 6];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut b))
        .map_err(|e| CniError::io("cannot read /dev/urandom", &e))?;
    b[0] = (b[0] & 0xfe) | 0x02;
    Ok(MacAddr(b))
}

/// Deletes a bridge this ADD created, if no port joined it meanwhile.
fn remove_new_bridge(host: &mut Handle, bridge: IfIndex) {
    let has_ports = match host.links() {
        Ok(mut links) => links.any(|l| l.master() == Some(bridge)),
        Err(_) => true,
    };
    if !has_ports {
        let _ = host.link_delete(bridge.into());
    }
}

/// Puts each gateway on the bridge (`isGateway`): an address already there
/// is kept; another address of the same IPv4 family (or an overlapping IPv6
/// one) is an error unless `forceAddress`, which replaces it.
fn ensure_gateway_addresses(
    host: &mut Handle,
    conf: &NetConf,
    bridge: IfIndex,
    result: &CniResult,
) -> Result<()> {
    let index = bridge;
    for ip in &result.ips {
        let Some(gw) = ip.gateway else { continue };
        let want = IpNet::new(gw, ip.address.0.prefix_len())?;
        let present: Vec<IpNet> = host
            .addresses(AddressFilter::new().dev(index).family(want.family()))?
            .filter_map(|a| a.net())
            .collect();
        if present.iter().any(|a| a.addr() == want.addr()) {
            continue;
        }
        for other in present {
            let clash = want.family() == Family::Inet
                || other.contains(&want.addr())
                || want.contains(&other.addr());
            if !clash {
                continue;
            }
            if conf.force_address {
                host.address_del(&AddressSpec::new(index, other))?;
            } else {
                return Err(invalid(format!(
                    "{:?} already has an IP address different from {want}",
                    conf.bridge
                )));
            }
        }
        match host.address_add(&address_spec(index, want, false)) {
            Ok(()) => {}
            // A concurrent ADD put it there first.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// ADD in bridge mode; `result` is the IPAM result (empty without IPAM).
/// Everything made is undone on failure (a bridge made by this call too,
/// when no other port joined it); releasing the addresses is the caller's.
///
/// # Errors
/// The first failure, translated.
pub fn add(ctx: &mut Ctx<'_>, mut result: CniResult) -> Result<CniResult> {
    let conf = ctx.conf;
    plan(conf, &mut result);
    let (bridge, created) = ensure_bridge(&mut ctx.host, conf)?;
    let veth = match wiring::create_veth(
        &mut ctx.host,
        &mut ctx.pod,
        &ctx.ns,
        &ctx.att,
        conf.mtu,
        Some(bridge.index),
        ctx.mac,
    ) {
        Ok(v) => v,
        Err(e) => {
            if created {
                remove_new_bridge(&mut ctx.host, bridge.index);
            }
            return Err(e);
        }
    };
    match finish(ctx, &mut result, &bridge, veth.host_index) {
        Ok(()) => Ok(result),
        Err(e) => {
            let _ = ctx.host.link_delete(veth.host_index.into());
            if conf.ip_masq {
                let _ = masq::remove(&ctx.att);
            }
            if created {
                remove_new_bridge(&mut ctx.host, bridge.index);
            }
            Err(e)
        }
    }
}

fn finish(
    ctx: &mut Ctx<'_>,
    result: &mut CniResult,
    bridge: &Link,
    host_index: IfIndex,
) -> Result<()> {
    let conf = ctx.conf;
    if conf.hairpin_mode {
        ctx.host.bridge_port_set_hairpin(host_index.into(), true)?;
    }
    let pod_index = ctx.pod.link_index(ctx.att.ifname)?;
    ctx.pod.link_set_up(pod_index.into())?;
    wiring::add_addresses(&mut ctx.pod, pod_index, result, POD_INDEX, false)?;
    wiring::add_routes(&mut ctx.pod, pod_index, result, POD_INDEX)?;
    if conf.is_gateway {
        ensure_gateway_addresses(&mut ctx.host, conf, bridge.index, result)?;
        wiring::enable_forwarding(result)?;
    }
    if conf.ip_masq {
        masq::apply(&ctx.att, result)?;
    }
    wiring::announce(
        &ctx.ns,
        ctx.att.ifname,
        &mut ctx.host,
        host_index,
        result,
        POD_INDEX,
    )?;
    // The bridge's address can change as ports join: read it last.
    let bridge_now = ctx.host.link_by_index(bridge.index)?;
    let host_link = ctx.host.link_by_index(host_index)?;
    let pod_link = ctx.pod.link_by_index(pod_index)?;
    result.interfaces = vec![
        interface(&bridge_now, None),
        interface(&host_link, None),
        interface(&pod_link, Some(&ctx.netns_path)),
    ];
    Ok(())
}

/// CHECK's host side in bridge mode: the bridge exists and the host end of
/// the pair (the result's interface without a sandbox) is its port.
///
/// # Errors
/// Code 103 naming what differs.
pub fn check_host(ctx: &mut Ctx<'_>, prev: &CniResult) -> Result<()> {
    let failed = |m: String| CniError::new(code::CHECK_FAILED, m);
    let bridge = ctx
        .host
        .link_by_name(&ctx.conf.bridge)
        .map_err(|_| failed(format!("bridge {} not found", ctx.conf.bridge)))?;
    if bridge.kind.as_deref() != Some("bridge") {
        return Err(failed(format!("{} is not a bridge", ctx.conf.bridge)));
    }
    for i in prev
        .interfaces
        .iter()
        .filter(|i| i.sandbox.is_empty() && i.name != ctx.conf.bridge)
    {
        let link = ctx
            .host
            .link_by_name(&i.name)
            .map_err(|_| failed(format!("host interface {} not found", i.name)))?;
        if link.master != Some(bridge.index) {
            return Err(failed(format!(
                "host interface {} is not a port of {}",
                i.name, ctx.conf.bridge
            )));
        }
    }
    Ok(())
}
