//! Routes: list, add, replace, delete (`RTM_*ROUTE`), in the main table or
//! any table by id; default routes via a gateway, device routes, metrics.
//!
//! | method                    | message                                              | `ip` equivalent                   |
//! |---------------------------|------------------------------------------------------|-----------------------------------|
//! | [`Handle::routes`]        | `RTM_GETROUTE` dump, table and family filtered by the kernel | `ip route show [table N]`  |
//! | [`Handle::route_add`]     | `RTM_NEWROUTE` + `NLM_F_CREATE│NLM_F_EXCL`            | `ip route add …`                  |
//! | [`Handle::route_replace`] | `RTM_NEWROUTE` + `NLM_F_CREATE│NLM_F_REPLACE`         | `ip route replace …`              |
//! | [`Handle::route_del`]     | `RTM_DELROUTE`                                        | `ip route del …`                  |
//! | [`Handle::route_change`]  | `RTM_NEWROUTE` + `NLM_F_REPLACE` (no `NLM_F_CREATE`)  | `ip route change …`               |
//! | [`Handle::route_append`]  | `RTM_NEWROUTE` + `NLM_F_CREATE│NLM_F_APPEND`          | `ip route append …`               |
//! | [`Handle::route_prepend`] | `RTM_NEWROUTE` + `NLM_F_CREATE`                       | `ip route prepend …`              |
//!
//! A [`RouteSpec`] is built as iproute2 builds its request: protocol `boot`,
//! type `unicast`, scope `global`, or scope `link` for an IPv4 route without
//! a gateway (a device route); a table id below 256 goes in `rtm_table`, a
//! larger one in `RTA_TABLE`. Deleting leaves protocol, type and scope as
//! wildcards unless given.
//!
//! Replies are read in place ([`RouteRef`]), with an owned [`Route`] on
//! demand. Refusals carry the kernel's words:
//!
//! ```text
//! cannot add route default via 10.9.9.9: Network is unreachable (kernel: Nexthop has invalid gateway)
//! cannot list routes of table 123: not found (kernel: ipv4: FIB table does not exist)
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteFlags, RouteHeader, RouteMessage, RouteMetric,
    RouteProtocol, RouteScope, RouteType, RouteVia,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::addr::{Family, IpNet};
use crate::link::{Dev, IfIndex};
use crate::netlink::attr;
use crate::netlink::uapi::{
    RTAX_ADVMSS, RTAX_MTU, RTA_DST, RTA_GATEWAY, RTA_IIF, RTA_MARK, RTA_METRICS, RTA_MULTIPATH,
    RTA_NH_ID, RTA_OIF, RTA_PREF, RTA_PREFSRC, RTA_PRIORITY, RTA_SRC, RTA_TABLE, RTA_UID, RTA_VIA,
    RTM_F_FIB_MATCH,
};
use crate::netlink::{
    Request, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_NEWROUTE,
};
use crate::{Error, ErrorKind, Handle, Result};

/// `sizeof(struct rtmsg)`.
const RTMSG_LEN: usize = 12;

/// `RT_SCOPE_UNIVERSE`: `scope global`.
pub const SCOPE_UNIVERSE: u8 = 0;
/// `RT_SCOPE_SITE`.
pub const SCOPE_SITE: u8 = 200;
/// `RT_SCOPE_LINK`: directly reachable on the link.
pub const SCOPE_LINK: u8 = 253;
/// `RT_SCOPE_HOST`: this host's own addresses.
pub const SCOPE_HOST: u8 = 254;
/// `RT_SCOPE_NOWHERE`: no destination (and the wildcard of a delete).
pub const SCOPE_NOWHERE: u8 = 255;

/// `RTPROT_KERNEL`: installed by the kernel (prefix routes of addresses).
pub const PROTO_KERNEL: u8 = 2;
/// `RTPROT_BOOT`: installed by `ip route add` (the default protocol).
pub const PROTO_BOOT: u8 = 3;
/// `RTPROT_STATIC`: installed by an administrator.
pub const PROTO_STATIC: u8 = 4;

/// `RTN_UNICAST`.
pub const TYPE_UNICAST: u8 = 1;

/// `RTM_F_CLONED`: a cached (exception) route.
pub const RTM_F_CLONED: u32 = 0x200;
/// `RTNH_F_ONLINK`.
pub const RTNH_F_ONLINK: u32 = 0x4;
/// `RTNH_F_LINKDOWN`: the route's device has no carrier.
pub const RTNH_F_LINKDOWN: u32 = 0x10;
/// `RTNH_F_DEAD`.
pub const RTNH_F_DEAD: u32 = 0x1;

const SCOPES: &[(u8, &str)] = &[
    (SCOPE_UNIVERSE, "global"),
    (SCOPE_SITE, "site"),
    (SCOPE_LINK, "link"),
    (SCOPE_HOST, "host"),
    (SCOPE_NOWHERE, "nowhere"),
];

const PROTOCOLS: &[(u8, &str)] = &[
    (0, "unspec"),
    (1, "redirect"),
    (2, "kernel"),
    (3, "boot"),
    (4, "static"),
    (8, "gated"),
    (9, "ra"),
    (10, "mrt"),
    (11, "zebra"),
    (12, "bird"),
    (13, "dnrouted"),
    (14, "xorp"),
    (15, "ntk"),
    (16, "dhcp"),
    (18, "keepalived"),
    (42, "babel"),
    (99, "openr"),
    (186, "bgp"),
    (187, "isis"),
    (188, "ospf"),
    (189, "rip"),
    (192, "eigrp"),
];

const TYPES: &[(u8, &str)] = &[
    (0, "none"),
    (1, "unicast"),
    (2, "local"),
    (3, "broadcast"),
    (4, "anycast"),
    (5, "multicast"),
    (6, "blackhole"),
    (7, "unreachable"),
    (8, "prohibit"),
    (9, "throw"),
    (10, "nat"),
    (11, "xresolve"),
];

/// An address as netlink-packet-route carries it.
fn route_address(ip: IpAddr) -> RouteAddress {
    match ip {
        IpAddr::V4(a) => RouteAddress::Inet(a),
        IpAddr::V6(a) => RouteAddress::Inet6(a),
    }
}

/// The gateway attribute of a route (or path) of family `family`:
/// `RTA_GATEWAY` for a gateway of the same family, else `RTA_VIA` (an IPv4
/// route via an IPv6 gateway: `via inet6 fe80::1`).
fn gateway_attribute(gateway: IpAddr, family: Family) -> RouteAttribute {
    if Family::of(&gateway) == family {
        return RouteAttribute::Gateway(route_address(gateway));
    }
    RouteAttribute::Via(match gateway {
        IpAddr::V4(a) => RouteVia::Inet(a),
        IpAddr::V6(a) => RouteVia::Inet6(a),
    })
}

/// The address of an `RTA_VIA` value (`struct rtvia`: a `u16` family, then
/// the address), when it is IPv4 or IPv6.
fn via_address(value: &[u8]) -> Option<IpAddr> {
    let (family, addr) = value.split_first_chunk::<2>()?;
    match i32::from(u16::from_ne_bytes(*family)) {
        nix::libc::AF_INET | nix::libc::AF_INET6 => attr::ip(addr),
        _ => None,
    }
}

/// The gateway of a route or path whose attributes are `attrs`:
/// `RTA_GATEWAY`, else `RTA_VIA`'s address.
fn gateway_in(attrs: &[u8]) -> Option<IpAddr> {
    attr::find(attrs, RTA_GATEWAY)
        .and_then(attr::ip)
        .or_else(|| attr::find(attrs, RTA_VIA).and_then(via_address))
}

/// `GW` as `ip` writes a gateway of a route of family `family`: `inet6
/// fe80::1` when the families differ (`RTA_VIA`), else the bare address.
pub fn gateway_words(gateway: IpAddr, family: Option<Family>) -> String {
    match (gateway, family) {
        (IpAddr::V6(a), Some(Family::Inet)) => format!("inet6 {a}"),
        (IpAddr::V4(a), Some(Family::Inet6)) => format!("inet {a}"),
        (a, _) => a.to_string(),
    }
}

/// Reads a gateway as `ip route` takes it after `via`: `[inet|inet6]
/// ADDR`. With a family word the address must be of that family; without
/// one, of `route_family` when the route's family is already known (ip's
/// order: the words before `via` decide), else any. An IPv4 route then
/// goes via an IPv6 gateway only when asked (`via inet6 fe80::1`).
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] in ip's words: `inet address is expected
/// rather than "fe80::1"`, or for an unknown family word.
///
/// # Examples
/// ```
/// use netns_core::{addr::Family, route::parse_gateway};
/// let v4 = Some(Family::Inet);
/// assert_eq!(parse_gateway(Some("inet6"), "fe80::1", v4)?.to_string(), "fe80::1");
/// assert!(parse_gateway(None, "fe80::1", v4).is_err());
/// assert!(parse_gateway(None, "fe80::1", None).is_ok());
/// # Ok::<(), netns_core::Error>(())
/// ```
pub fn parse_gateway(
    family: Option<&str>,
    text: &str,
    route_family: Option<Family>,
) -> Result<IpAddr> {
    let refuse = |why: String| {
        Err(Error::new(
            ErrorKind::InvalidArgument,
            "parse",
            format!("gateway {text:?}"),
        )
        .with_detail(why))
    };
    let want = match family {
        Some("inet") => Some(Family::Inet),
        Some("inet6") => Some(Family::Inet6),
        Some(other) => return refuse(format!("unsupported family \"{other}\" of a gateway")),
        None => route_family,
    };
    let parsed = text.parse::<IpAddr>().ok();
    match (parsed, want) {
        (Some(a), None) => Ok(a),
        (Some(a), Some(f)) if Family::of(&a) == f => Ok(a),
        (_, Some(f)) => {
            let name = if f == Family::Inet { "inet" } else { "inet6" };
            refuse(format!("{name} address is expected rather than \"{text}\""))
        }
        (None, None) => refuse(format!(
            "any valid address is expected rather than \"{text}\""
        )),
    }
}

fn name_of(table: &[(u8, &'static str)], v: u8) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == v).map(|(_, n)| *n)
}

fn value_of(table: &[(u8, &'static str)], name: &str) -> Option<u8> {
    table
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(k, _)| *k)
        .or_else(|| name.parse().ok())
}

/// `ip`'s name of a scope (`global`, `link`, `host` …), `None` for other numbers.
pub fn scope_name(scope: u8) -> Option<&'static str> {
    name_of(SCOPES, scope)
}
/// A scope from its `ip` name or number.
pub fn parse_scope(s: &str) -> Option<u8> {
    value_of(SCOPES, s)
}
/// `ip`'s name of a route protocol (`kernel`, `boot`, `static` …).
pub fn protocol_name(proto: u8) -> Option<&'static str> {
    name_of(PROTOCOLS, proto)
}
/// A route protocol from its `ip` name or number.
pub fn parse_protocol(s: &str) -> Option<u8> {
    value_of(PROTOCOLS, s)
}
/// `ip`'s name of a route type (`unicast`, `local`, `broadcast` …).
pub fn type_name(kind: u8) -> Option<&'static str> {
    name_of(TYPES, kind)
}
/// A route type from its `ip` name or number.
pub fn parse_type(s: &str) -> Option<u8> {
    value_of(TYPES, s)
}

/// A routing table id (`1..=u32::MAX`): `main` (254), `local` (255),
/// `default` (253), or any other number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RouteTable(u32);

impl RouteTable {
    /// `RT_TABLE_MAIN` (254): where `ip route` adds and looks by default.
    pub const MAIN: RouteTable = RouteTable(254);
    /// `RT_TABLE_LOCAL` (255): local and broadcast routes the kernel keeps.
    pub const LOCAL: RouteTable = RouteTable(255);
    /// `RT_TABLE_DEFAULT` (253).
    pub const DEFAULT: RouteTable = RouteTable(253);

    /// The table `id`; `None` for 0 (`RT_TABLE_UNSPEC`, not a table).
    pub const fn new(id: u32) -> Option<RouteTable> {
        if id == 0 {
            None
        } else {
            Some(RouteTable(id))
        }
    }
    /// The id.
    pub const fn id(self) -> u32 {
        self.0
    }
}

impl Default for RouteTable {
    fn default() -> Self {
        RouteTable::MAIN
    }
}

impl fmt::Display for RouteTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            253 => f.write_str("default"),
            254 => f.write_str("main"),
            255 => f.write_str("local"),
            n => n.fmt(f),
        }
    }
}

impl FromStr for RouteTable {
    type Err = Error;
    /// `main`, `local`, `default` or a number from 1.
    fn from_str(s: &str) -> Result<RouteTable> {
        match s {
            "main" => Ok(RouteTable::MAIN),
            "local" => Ok(RouteTable::LOCAL),
            "default" => Ok(RouteTable::DEFAULT),
            _ => s.parse().ok().and_then(RouteTable::new).ok_or_else(|| {
                Error::new(ErrorKind::InvalidArgument, "parse", format!("table {s:?}"))
                    .with_detail("a table is main, local, default or a number from 1 to 4294967295")
            }),
        }
    }
}

mod change;
mod ensure;
mod get;
mod nexthop;
#[cfg(test)]
mod tests;
mod view;

pub use change::RouteSpec;
pub use get::{parse_selector, MatchingRoutes, RouteFilter, RouteQuery};
pub use nexthop::{NextHop, NextHops};
pub use view::{Route, RouteRef, Routes};
