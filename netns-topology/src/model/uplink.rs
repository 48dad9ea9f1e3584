//! A namespace's uplink: its veth to the root namespace, NAT'd or bridged.

use std::net::IpAddr;
use std::ops::Range;

use toml::Spanned;

use super::build::Builder;
use super::diagnostics::Collector;
use super::fields::{parse_cidr, parse_ip, push_forwarding, table_part};
use super::raw::{RawNamespace, RawUplink};
use super::{End, Nat, RouteDecl, Veth};
use netns_core::addr::IpNet;

impl Builder<'_> {
    /// A namespace's uplink: a veth from the namespace (`iface`, its
    /// address) to root (`host_iface`), NAT'd or a port of a root bridge.
    /// Returns the namespace's default route through the gateway; `None`
    /// when the uplink is refused (the namespace is then left out).
    pub(super) fn uplink(
        &mut self,
        c: &mut Collector<'_>,
        ns: &RawNamespace,
        u: &RawUplink,
        base: &str,
    ) -> Option<RouteDecl> {
        let nsname = ns.name.get_ref().clone();
        let ub = format!("{base}.uplink");
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
            return None;
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
            return None;
        }
        let (host_addrs, master) = self.uplink_host_side(c, u, &ub, &host, addr, gw)?;
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
        self.add_iface(
            c,
            &Some(nsname.clone()),
            &iface,
            format!("{ub}.iface"),
            vec![(addr, u.address.span(), format!("{ub}.address"))],
        );
        self.add_iface(c, &None, &host, format!("{ub}.host_iface"), host_addrs);
        self.links.push(Veth {
            a: a_end,
            b: b_end,
            adopt: ns.adopt,
        });
        Some(RouteDecl {
            to: None,
            via: Some(gw),
            dev: None,
            metric: None,
        })
    }

    /// The root end of an uplink by its mode: for `"nat"`, the gateway's
    /// address and a masquerade of the subnet; for `"bridge"`, no address
    /// and the bridge as master. `None` when the mode or its bridge is
    /// refused.
    #[allow(clippy::type_complexity)]
    fn uplink_host_side(
        &mut self,
        c: &mut Collector<'_>,
        u: &RawUplink,
        ub: &str,
        host: &Spanned<String>,
        addr: IpNet,
        gw: IpAddr,
    ) -> Option<(Vec<(IpNet, Range<usize>, String)>, Option<String>)> {
        match u.mode.get_ref().as_str() {
            "nat" => {
                if u.bridge.is_some() {
                    c.at(
                        u.mode.span(),
                        format!("{ub}.bridge"),
                        "bridge is for mode = \"bridge\"",
                    );
                }
                let gw_net = IpNet::new(gw, addr.prefix_len()).ok();
                self.nats.push(Nat {
                    table: format!("netns-{}-{}", self.name, table_part(host.get_ref())),
                    source: addr.network(),
                });
                push_forwarding(&mut self.root_sysctls, &addr);
                Some((
                    gw_net
                        .map(|n| vec![(n, u.gateway.span(), format!("{ub}.gateway"))])
                        .unwrap_or_default(),
                    None,
                ))
            }
            "bridge" => {
                let Some(br) = &u.bridge else {
                    c.at(
                        u.mode.span(),
                        format!("{ub}.bridge"),
                        "mode = \"bridge\" needs bridge = NAME (a [[bridge]] in the root namespace)",
                    );
                    return None;
                };
                match self
                    .bridges
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
                                format!("gateway {gw} is not an address of bridge {:?}", b.name),
                            );
                        }
                    }
                }
                Some((Vec::new(), Some(br.get_ref().clone())))
            }
            other => {
                c.at(
                    u.mode.span(),
                    format!("{ub}.mode"),
                    format!("unknown uplink mode {other:?} (expected \"nat\" or \"bridge\")"),
                );
                None
            }
        }
    }
}
