//! Point-to-point mode, as the reference `ptp` plugin: a veth pair per
//! container; in the pod each address without its prefix route, a link
//! route to the gateway and the subnet through it; on the host the gateway
//! as a host address of the host end and a host route to the pod; the pod's
//! addresses announced from inside it (gratuitous ARP, unsolicited NA).

use netns_core::addr::IpNet;
use netns_core::link::IfIndex;
use netns_core::route::{RouteSpec, SCOPE_HOST, SCOPE_LINK};
use netns_core::ErrorKind;

use crate::config::invalid;
use crate::error::{code, CniError, Result};
use crate::masq;
use crate::modes::Ctx;
use crate::spec::CniResult;
use crate::wiring::{self, address_spec, interface};

/// The index of the container interface in a ptp result
/// (`[host veth, container]`).
pub const POD_INDEX: usize = 1;

/// ADD in ptp mode; `result` is the IPAM result, which must give every
/// address a gateway. Everything made is undone on failure.
///
/// # Errors
/// Code 7 without IPAM or without gateways; the first kernel failure.
pub fn add(ctx: &mut Ctx<'_>, mut result: CniResult) -> Result<CniResult> {
    if result.ips.is_empty() {
        return Err(invalid("ptp mode needs an ipam section"));
    }
    for ip in &mut result.ips {
        if ip.gateway.is_none() {
            return Err(invalid(format!(
                "ptp mode needs a gateway for {}",
                ip.address
            )));
        }
        ip.interface = Some(POD_INDEX);
    }
    wiring::enable_forwarding(&result)?;
    let veth = wiring::create_veth(
        &mut ctx.host,
        &mut ctx.pod,
        &ctx.ns,
        &ctx.att,
        ctx.conf.mtu,
        None,
        None,
    )?;
    match finish(ctx, &mut result, veth.host_index) {
        Ok(()) => Ok(result),
        Err(e) => {
            let _ = ctx.host.link_delete(veth.host_index.into());
            if ctx.conf.ip_masq {
                let _ = masq::remove(&ctx.att);
            }
            Err(e)
        }
    }
}

fn finish(ctx: &mut Ctx<'_>, result: &mut CniResult, host_index: IfIndex) -> Result<()> {
    let pod_index = ctx.pod.link_index(ctx.att.ifname)?;
    ctx.pod.link_set_up(pod_index.into())?;
    let dev = pod_index;
    for ip in &result.ips {
        let net = ip.address.0;
        let Some(gw) = ip.gateway else { continue };
        ctx.pod.address_add(&address_spec(dev, net, true))?;
        ctx.pod.route_add(
            &RouteSpec::to(IpNet::host(gw))
                .dev(dev)
                .scope(SCOPE_LINK)
                .src(net.addr()),
        )?;
        ctx.pod.route_add(
            &RouteSpec::to(net.network())
                .via(gw)
                .dev(dev)
                .src(net.addr()),
        )?;
    }
    wiring::add_routes(&mut ctx.pod, dev, result, POD_INDEX)?;
    let host_dev = host_index;
    for ip in &result.ips {
        let Some(gw) = ip.gateway else { continue };
        let gw_net = IpNet::host(gw);
        ctx.host
            .address_add(&address_spec(host_dev, gw_net, false))?;
        let pod_ip = IpNet::host(ip.address.0.addr());
        // A host route already there is kept, as the reference does.
        match ctx
            .host
            .route_add(&RouteSpec::to(pod_ip).dev(host_dev).scope(SCOPE_HOST))
        {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e.into()),
        }
    }
    if ctx.conf.ip_masq {
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
    let host_link = ctx.host.link_by_index(host_index)?;
    let pod_link = ctx.pod.link_by_index(pod_index)?;
    result.interfaces = vec![
        interface(&host_link, None),
        interface(&pod_link, Some(&ctx.netns_path)),
    ];
    Ok(())
}

/// CHECK's host side in ptp mode: the host end exists and routes to the pod.
///
/// # Errors
/// Code 103 naming what differs.
pub fn check_host(ctx: &mut Ctx<'_>, prev: &CniResult) -> Result<()> {
    let failed = |m: String| CniError::new(code::CHECK_FAILED, m);
    for i in prev.interfaces.iter().filter(|i| i.sandbox.is_empty()) {
        ctx.host
            .link_by_name(&i.name)
            .map_err(|_| failed(format!("host interface {} not found", i.name)))?;
    }
    for ip in &prev.ips {
        let pod_ip = IpNet::host(ip.address.0.addr());
        if !wiring::has_route(&mut ctx.host, pod_ip, None)? {
            return Err(failed(format!("no host route to {}", pod_ip.addr())));
        }
    }
    Ok(())
}
