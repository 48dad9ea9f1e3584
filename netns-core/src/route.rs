//! Routes: list, add, replace, delete (`RTM_*ROUTE`), in the main table or
//! any table by id; default routes via a gateway, device routes, metrics.
//!
//! | method                    | message                                              | `ip` equivalent                   |
//! |---------------------------|------------------------------------------------------|-----------------------------------|
//! | [`Handle::routes`]        | `RTM_GETROUTE` dump, table and family filtered by the kernel | `ip route show [table N]`  |
//! | [`Handle::route_add`]     | `RTM_NEWROUTE` + `NLM_F_CREATE│NLM_F_EXCL`            | `ip route add …`                  |
//! | [`Handle::route_replace`] | `RTM_NEWROUTE` + `NLM_F_CREATE│NLM_F_REPLACE`         | `ip route replace …`              |
//! | [`Handle::route_del`]     | `RTM_DELROUTE`                                        | `ip route del …`                  |
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
use std::net::IpAddr;
use std::str::FromStr;

use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::addr::{Family, IpNet};
use crate::netlink::attr;
use crate::netlink::uapi::{
    RTA_DST, RTA_GATEWAY, RTA_IIF, RTA_OIF, RTA_PREF, RTA_PREFSRC, RTA_PRIORITY, RTA_SRC, RTA_TABLE,
};
use crate::netlink::{Request, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_NEWROUTE};
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

// ---------------------------------------------------------------------------
// Reading routes.

/// One route as the kernel sent it (`RTM_NEWROUTE`: `struct rtmsg` and
/// `RTA_*` attributes), read in place in the socket's receive buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RouteRef<'a> {
    header: &'a [u8],
    attrs: &'a [u8],
}

impl<'a> RouteRef<'a> {
    /// A view over the payload of an `RTM_NEWROUTE`/`RTM_DELROUTE` message.
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`] when the payload is shorter than
    /// `struct rtmsg` or its attributes are badly framed.
    pub fn parse(payload: &'a [u8]) -> Result<RouteRef<'a>> {
        let bad = || Error::new(ErrorKind::Protocol, "read", "route message");
        if payload.len() < RTMSG_LEN {
            return Err(bad().with_detail("shorter than struct rtmsg"));
        }
        let (header, attrs) = payload.split_at(RTMSG_LEN);
        if !attr::well_formed(attrs) {
            return Err(bad().with_detail("badly framed attributes"));
        }
        Ok(RouteRef { header, attrs })
    }

    /// `rtm_family` as the kernel wrote it.
    pub fn family_raw(&self) -> u8 {
        self.header[0]
    }
    /// The family, when IPv4 or IPv6.
    pub fn family(&self) -> Option<Family> {
        Family::from_raw(self.family_raw())
    }
    /// `rtm_dst_len`: the destination's prefix length (0 for a default route).
    pub fn dst_len(&self) -> u8 {
        self.header[1]
    }
    /// `rtm_src_len`.
    pub fn src_len(&self) -> u8 {
        self.header[2]
    }
    /// `rtm_tos`.
    pub fn tos(&self) -> u8 {
        self.header[3]
    }
    /// The table: `RTA_TABLE` when present (ids ≥ 256 are only there), else
    /// `rtm_table`.
    pub fn table(&self) -> u32 {
        self.attr(RTA_TABLE)
            .and_then(attr::u32_ne)
            .unwrap_or(u32::from(self.header[4]))
    }
    /// `rtm_protocol` ([`protocol_name`]).
    pub fn protocol(&self) -> u8 {
        self.header[5]
    }
    /// `rtm_scope` ([`scope_name`]).
    pub fn scope(&self) -> u8 {
        self.header[6]
    }
    /// `rtm_type` ([`type_name`]).
    pub fn kind(&self) -> u8 {
        self.header[7]
    }
    /// `rtm_flags` (`RTM_F_*`, `RTNH_F_*`).
    pub fn flags(&self) -> u32 {
        u32::from_ne_bytes([
            self.header[8],
            self.header[9],
            self.header[10],
            self.header[11],
        ])
    }
    /// The destination prefix; `None` for a default route (`rtm_dst_len`
    /// 0, no `RTA_DST`).
    pub fn destination(&self) -> Option<IpNet> {
        let ip = self.attr(RTA_DST).and_then(attr::ip)?;
        IpNet::new(ip, self.dst_len()).ok()
    }
    /// Whether this is a default route (`0.0.0.0/0`, `::/0`).
    pub fn is_default(&self) -> bool {
        self.dst_len() == 0
    }
    /// `RTA_SRC` (source-specific routes).
    pub fn source(&self) -> Option<IpNet> {
        let ip = self.attr(RTA_SRC).and_then(attr::ip)?;
        IpNet::new(ip, self.src_len()).ok()
    }
    /// `RTA_GATEWAY`: the next hop (`via`).
    pub fn gateway(&self) -> Option<IpAddr> {
        self.attr(RTA_GATEWAY).and_then(attr::ip)
    }
    /// `RTA_OIF`: the output interface index (`dev`).
    pub fn oif(&self) -> Option<u32> {
        self.attr(RTA_OIF).and_then(attr::u32_ne)
    }
    /// `RTA_IIF`: the input interface index.
    pub fn iif(&self) -> Option<u32> {
        self.attr(RTA_IIF).and_then(attr::u32_ne)
    }
    /// `RTA_PREFSRC`: the preferred source address (`src`).
    pub fn prefsrc(&self) -> Option<IpAddr> {
        self.attr(RTA_PREFSRC).and_then(attr::ip)
    }
    /// `RTA_PRIORITY`: the metric.
    pub fn metric(&self) -> Option<u32> {
        self.attr(RTA_PRIORITY).and_then(attr::u32_ne)
    }
    /// `RTA_PREF`: IPv6 router preference (0 medium, 1 high, 3 low).
    pub fn pref(&self) -> Option<u8> {
        self.attr(RTA_PREF).and_then(|v| v.first().copied())
    }
    /// The value of any attribute, borrowed in place.
    pub fn attr(&self, kind: u16) -> Option<&'a [u8]> {
        attr::find(self.attrs, kind)
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Route {
        Route {
            family: self.family(),
            destination: self.destination(),
            dst_len: self.dst_len(),
            source: self.source(),
            tos: self.tos(),
            table: self.table(),
            protocol: self.protocol(),
            scope: self.scope(),
            kind: self.kind(),
            flags: self.flags(),
            gateway: self.gateway(),
            oif: self.oif(),
            iif: self.iif(),
            prefsrc: self.prefsrc(),
            metric: self.metric(),
            pref: self.pref(),
        }
    }
}

impl fmt::Debug for RouteRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RouteRef")
            .field("destination", &self.destination())
            .field("gateway", &self.gateway())
            .field("oif", &self.oif())
            .field("table", &self.table())
            .field("protocol", &self.protocol())
            .field("scope", &self.scope())
            .field("kind", &self.kind())
            .field("metric", &self.metric())
            .finish()
    }
}

/// An owned route: [`RouteRef::to_owned`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Route {
    /// IPv4 or IPv6 (`None` for another family).
    pub family: Option<Family>,
    /// The destination; `None` for a default route.
    pub destination: Option<IpNet>,
    /// `rtm_dst_len`.
    pub dst_len: u8,
    /// `RTA_SRC`.
    pub source: Option<IpNet>,
    /// `rtm_tos`.
    pub tos: u8,
    /// The table id.
    pub table: u32,
    /// `rtm_protocol`.
    pub protocol: u8,
    /// `rtm_scope`.
    pub scope: u8,
    /// `rtm_type`.
    pub kind: u8,
    /// `rtm_flags`.
    pub flags: u32,
    /// `RTA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `RTA_OIF`.
    pub oif: Option<u32>,
    /// `RTA_IIF`.
    pub iif: Option<u32>,
    /// `RTA_PREFSRC`.
    pub prefsrc: Option<IpAddr>,
    /// `RTA_PRIORITY`.
    pub metric: Option<u32>,
    /// `RTA_PREF`.
    pub pref: Option<u8>,
}

/// The routes of a dump, in the kernel's order, borrowed from the socket's
/// receive buffer.
#[derive(Debug, Clone)]
pub struct Routes<'a> {
    messages: crate::netlink::Messages<'a>,
}

impl<'a> Iterator for Routes<'a> {
    type Item = RouteRef<'a>;

    fn next(&mut self) -> Option<RouteRef<'a>> {
        self.messages
            .by_ref()
            .filter(|m| m.message_type() == RTM_NEWROUTE)
            .find_map(|m| RouteRef::parse(m.payload()).ok())
    }
}

// ---------------------------------------------------------------------------
// Changing routes.

/// A route to add, replace or delete, with iproute2's defaults.
///
/// # Examples
/// ```
/// use netns_core::route::RouteSpec;
/// let default = RouteSpec::default_route().via("10.1.1.2".parse().unwrap());
/// assert_eq!(default.to_string(), "default via 10.1.1.2");
/// let device = RouteSpec::to("10.6.0.0/16".parse()?).dev(3).metric(5);
/// assert_eq!(device.to_string(), "10.6.0.0/16 dev #3 metric 5");
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteSpec {
    /// The destination; `None` = `default`.
    pub destination: Option<IpNet>,
    /// The family of a default route without a gateway (IPv4 if unset).
    pub family: Option<Family>,
    /// `via`: the gateway.
    pub gateway: Option<IpAddr>,
    /// `dev`: the output interface index.
    pub oif: Option<u32>,
    /// `metric`.
    pub metric: Option<u32>,
    /// `table` (main if unset).
    pub table: Option<RouteTable>,
    /// `scope`; by default `link` for an IPv4 route without a gateway,
    /// `global` otherwise (a wildcard on delete).
    pub scope: Option<u8>,
    /// `proto`; `boot` by default (a wildcard on delete).
    pub protocol: Option<u8>,
    /// The route type; `unicast` by default (a wildcard on delete).
    pub kind: Option<u8>,
    /// `src`: the preferred source address.
    pub prefsrc: Option<IpAddr>,
}

impl RouteSpec {
    /// A default route (`0.0.0.0/0`, or `::/0` with an IPv6 gateway).
    pub fn default_route() -> RouteSpec {
        RouteSpec::default()
    }
    /// A route to `destination` as `ip route` reads it: `default` (or
    /// `all`, `any`) for the default route, else a prefix (`10.2.0.0/16`, or
    /// a bare address for a host route). The one parser of a route's
    /// destination every front end uses.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the text, in ip's words ("any
    /// valid prefix is expected rather than …").
    ///
    /// # Examples
    /// ```
    /// use netns_core::route::RouteSpec;
    /// assert_eq!(RouteSpec::towards("default")?, RouteSpec::default_route());
    /// assert_eq!(RouteSpec::towards("10.2.0.0/16")?.to_string(), "10.2.0.0/16");
    /// assert!(RouteSpec::towards("10.2.0.0/33").is_err());
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn towards(destination: &str) -> Result<RouteSpec> {
        match destination {
            "default" | "all" | "any" => Ok(RouteSpec::default_route()),
            text => text.parse::<IpNet>().map(RouteSpec::to).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    "parse",
                    format!("route destination {text:?}"),
                )
                .with_detail(format!(
                    "any valid prefix is expected rather than \"{text}\""
                ))
            }),
        }
    }

    /// A route to `destination`.
    pub fn to(destination: IpNet) -> RouteSpec {
        RouteSpec {
            destination: Some(destination),
            ..RouteSpec::default()
        }
    }
    /// Sets the gateway.
    pub fn via(mut self, gateway: IpAddr) -> Self {
        self.gateway = Some(gateway);
        self
    }
    /// Sets the output interface.
    pub fn dev(mut self, ifindex: u32) -> Self {
        self.oif = Some(ifindex);
        self
    }
    /// Sets the metric.
    pub fn metric(mut self, metric: u32) -> Self {
        self.metric = Some(metric);
        self
    }
    /// Sets the table.
    pub fn table(mut self, table: RouteTable) -> Self {
        self.table = Some(table);
        self
    }
    /// Sets the scope.
    pub fn scope(mut self, scope: u8) -> Self {
        self.scope = Some(scope);
        self
    }
    /// Sets the protocol.
    pub fn protocol(mut self, protocol: u8) -> Self {
        self.protocol = Some(protocol);
        self
    }
    /// Sets the family (for a default route without a gateway).
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }
    /// Sets the preferred source address.
    pub fn src(mut self, src: IpAddr) -> Self {
        self.prefsrc = Some(src);
        self
    }

    /// The family the route belongs to, checked for consistency.
    fn resolve_family(&self) -> Result<Family> {
        let mut family: Option<Family> = self.family;
        let ips = [
            self.destination.map(|d| d.addr()),
            self.gateway,
            self.prefsrc,
        ];
        for ip in ips.iter().flatten() {
            let f = Family::of(ip);
            match family {
                Some(g) if g != f => {
                    return Err(Error::new(
                        ErrorKind::InvalidArgument,
                        "use",
                        format!("route {self}"),
                    )
                    .with_detail("IPv4 and IPv6 addresses mixed in one route"))
                }
                _ => family = Some(f),
            }
        }
        Ok(family.unwrap_or(Family::Inet))
    }

    /// The `RTM_NEWROUTE` (`delete == false`) or `RTM_DELROUTE` message, as
    /// iproute2 builds it.
    fn message(&self, delete: bool) -> Result<RouteMessage> {
        let family = self.resolve_family()?;
        let mut msg = RouteMessage::default();
        let h = &mut msg.header;
        h.address_family = family.to_packet();
        let table = self.table.unwrap_or_default().id();
        h.table = u8::try_from(table).unwrap_or(RouteHeader::RT_TABLE_UNSPEC);
        if delete {
            h.protocol = RouteProtocol::from(self.protocol.unwrap_or(0));
            h.scope = RouteScope::from(self.scope.unwrap_or(SCOPE_NOWHERE));
            h.kind = RouteType::from(self.kind.unwrap_or(0));
        } else {
            h.protocol = RouteProtocol::from(self.protocol.unwrap_or(PROTO_BOOT));
            let kind = self.kind.unwrap_or(TYPE_UNICAST);
            h.kind = RouteType::from(kind);
            let default_scope = match (family, kind) {
                (Family::Inet6, _) => SCOPE_UNIVERSE,
                (_, 2 | 10) => SCOPE_HOST, // local, nat
                (_, 3..=5) => SCOPE_LINK,  // broadcast, anycast, multicast
                (_, 0 | 1) if self.gateway.is_none() => SCOPE_LINK,
                _ => SCOPE_UNIVERSE,
            };
            h.scope = RouteScope::from(self.scope.unwrap_or(default_scope));
        }
        if let Some(dst) = self.destination {
            h.destination_prefix_length = dst.prefix_len();
            msg.attributes
                .push(RouteAttribute::Destination(route_address(dst.addr())));
        }
        if table > 255 {
            msg.attributes.push(RouteAttribute::Table(table));
        }
        if let Some(gw) = self.gateway {
            msg.attributes
                .push(RouteAttribute::Gateway(route_address(gw)));
        }
        if let Some(oif) = self.oif {
            msg.attributes.push(RouteAttribute::Oif(oif));
        }
        if let Some(src) = self.prefsrc {
            msg.attributes
                .push(RouteAttribute::PrefSource(route_address(src)));
        }
        if let Some(m) = self.metric {
            msg.attributes.push(RouteAttribute::Priority(m));
        }
        Ok(msg)
    }
}

fn route_address(ip: IpAddr) -> RouteAddress {
    match ip {
        IpAddr::V4(a) => RouteAddress::Inet(a),
        IpAddr::V6(a) => RouteAddress::Inet6(a),
    }
}

impl fmt::Display for RouteSpec {
    /// `default via 10.9.9.9`, `10.6.0.0/16 dev #3 table 100 metric 5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.destination {
            Some(d) => write!(f, "{d}")?,
            None => f.write_str("default")?,
        }
        if let Some(gw) = self.gateway {
            write!(f, " via {gw}")?;
        }
        if let Some(oif) = self.oif {
            write!(f, " dev #{oif}")?;
        }
        if let Some(t) = self.table.filter(|t| *t != RouteTable::MAIN) {
            write!(f, " table {t}")?;
        }
        if let Some(m) = self.metric {
            write!(f, " metric {m}")?;
        }
        Ok(())
    }
}

struct RouteObject<'a>(&'a RouteSpec);

impl fmt::Display for RouteObject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "route {}", self.0)
    }
}

struct TableObject(Option<RouteTable>);

impl fmt::Display for TableObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(t) => write!(f, "routes of table {t}"),
            None => f.write_str("routes"),
        }
    }
}

impl Handle {
    /// The routes of `table` (`None` = every table) and `family` (`None` =
    /// both), filtered by the kernel: an `RTM_GETROUTE` dump with
    /// `rtm_family`, `rtm_table` (ids below 256) and `RTA_TABLE` set, which
    /// `NETLINK_GET_STRICT_CHK` makes the kernel apply. Cached (cloned)
    /// routes are not included.
    ///
    /// The dump is read into the socket's receive buffer; iterating
    /// allocates nothing.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when an IPv4 dump names a table that does not
    /// exist (kernel: `ipv4: FIB table does not exist`; an IPv6 or
    /// both-family dump of such a table is just empty), or a socket error.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::{addr::Family, route::RouteTable};
    /// let mut h = netns_core::Handle::current()?;
    /// for r in h.routes(Some(RouteTable::MAIN), Some(Family::Inet))? {
    ///     println!("{:?} via {:?} dev {:?}", r.destination(), r.gateway(), r.oif());
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_GETROUTE")]
    pub fn routes(
        &mut self,
        table: Option<RouteTable>,
        family: Option<Family>,
    ) -> Result<Routes<'_>> {
        let mut msg = RouteMessage::default();
        if let Some(f) = family {
            msg.header.address_family = f.to_packet();
        } else {
            msg.header.address_family = AddressFamily::Unspec;
        }
        if let Some(t) = table {
            msg.header.table = u8::try_from(t.id()).unwrap_or(RouteHeader::RT_TABLE_UNSPEC);
            msg.attributes.push(RouteAttribute::Table(t.id()));
        }
        let object = TableObject(table);
        let messages = self.socket().dump(&Request::new(
            RouteNetlinkMessage::GetRoute(msg),
            "list",
            &object,
        ))?;
        Ok(Routes { messages })
    }

    /// Adds a route (`RTM_NEWROUTE` with `NLM_F_CREATE | NLM_F_EXCL`), as
    /// `ip route add` does.
    ///
    /// # Errors
    /// [`ErrorKind::AlreadyExists`] for an existing route; the kernel's
    /// refusal with its text, e.g. `Network is unreachable (kernel: Nexthop
    /// has invalid gateway)` for a gateway no route reaches, or `Invalid
    /// prefix for given prefix length` when the destination has host bits;
    /// [`ErrorKind::InvalidArgument`] when IPv4 and IPv6 are mixed.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::route::RouteSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// h.route_add(&RouteSpec::default_route().via("10.1.1.2".parse().unwrap()))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_NEWROUTE")]
    pub fn route_add(&mut self, route: &RouteSpec) -> Result<()> {
        self.change_route(route, "add", NLM_F_CREATE | NLM_F_EXCL)
    }

    /// Adds a route or replaces the one with the same destination, table,
    /// tos and metric (`RTM_NEWROUTE` with `NLM_F_CREATE | NLM_F_REPLACE`),
    /// as `ip route replace`.
    ///
    /// # Errors
    /// As [`Handle::route_add`], less `AlreadyExists`.
    pub fn route_replace(&mut self, route: &RouteSpec) -> Result<()> {
        self.change_route(route, "replace", NLM_F_CREATE | NLM_F_REPLACE)
    }

    /// Deletes the first route matching `route` (`RTM_DELROUTE`); fields
    /// left unset match anything, as with `ip route del`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] (`ESRCH`, "No such process" in `ip`'s words)
    /// when no route matches.
    #[doc(alias = "RTM_DELROUTE")]
    pub fn route_del(&mut self, route: &RouteSpec) -> Result<()> {
        let msg = route.message(true)?;
        self.socket().execute(&Request::new(
            RouteNetlinkMessage::DelRoute(msg),
            "delete",
            &RouteObject(route),
        ))
    }

    fn change_route(&mut self, route: &RouteSpec, op: &'static str, flags: u16) -> Result<()> {
        let msg = route.message(false)?;
        self.socket().execute(
            &Request::new(RouteNetlinkMessage::NewRoute(msg), op, &RouteObject(route))
                .with_flags(flags),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_by_name_and_number() {
        assert_eq!("main".parse::<RouteTable>().ok(), Some(RouteTable::MAIN));
        assert_eq!(
            "100".parse::<RouteTable>().ok().map(RouteTable::id),
            Some(100)
        );
        assert_eq!(RouteTable::LOCAL.to_string(), "local");
        assert!("0".parse::<RouteTable>().is_err());
        assert!("all".parse::<RouteTable>().is_err());
    }

    #[test]
    fn names_round_trip() {
        assert_eq!(scope_name(SCOPE_LINK), Some("link"));
        assert_eq!(parse_scope("host"), Some(SCOPE_HOST));
        assert_eq!(parse_scope("17"), Some(17));
        assert_eq!(protocol_name(PROTO_KERNEL), Some("kernel"));
        assert_eq!(parse_protocol("static"), Some(PROTO_STATIC));
        assert_eq!(type_name(6), Some("blackhole"));
    }

    #[test]
    fn specs_get_iproute2_defaults() {
        let dev = RouteSpec::to("10.6.0.0/16".parse().unwrap_or_else(|e| panic!("{e}"))).dev(3);
        let m = dev.message(false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u8::from(m.header.scope), SCOPE_LINK);
        assert_eq!(u8::from(m.header.protocol), PROTO_BOOT);
        assert_eq!(m.header.table, 254);
        let gw = RouteSpec::default_route()
            .via("10.1.1.2".parse().unwrap_or_else(|e| panic!("{e}")))
            .table(RouteTable::new(1000).unwrap_or_default());
        let m = gw.message(false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u8::from(m.header.scope), SCOPE_UNIVERSE);
        assert_eq!(m.header.table, 0);
        assert!(m.attributes.contains(&RouteAttribute::Table(1000)));
        let del = dev.message(true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(u8::from(del.header.scope), SCOPE_NOWHERE);
        assert_eq!(u8::from(del.header.protocol), 0);
        let mixed = RouteSpec::to("10.6.0.0/16".parse().unwrap_or_else(|e| panic!("{e}")))
            .via("2001:db8::1".parse().unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(
            mixed.message(false).err().map(|e| e.kind()),
            Some(ErrorKind::InvalidArgument)
        );
    }

    /// `ip route add 10.8.0.0/16 dev veth0 table 100000`, as dumped (the
    /// table id only fits in RTA_TABLE; rtm_table says 252, RT_TABLE_COMPAT).
    const ROUTE_TABLE_100000: [u8; 36] = [
        0x02, 0x10, 0x00, 0x00, 0xfc, 0x03, 0xfd, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f,
        0x00, 0xa0, 0x86, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x08, 0x00, 0x00, 0x08, 0x00,
        0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
    ];

    /// `ip route add default via 10.1.1.2 metric 7`, as dumped.
    const ROUTE_DEFAULT: [u8; 44] = [
        0x02, 0x00, 0x00, 0x00, 0xfe, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f,
        0x00, 0xfe, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x07, 0x00, 0x00, 0x00, 0x08, 0x00,
        0x05, 0x00, 0x0a, 0x01, 0x01, 0x02, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
    ];

    /// The kernel's prefix route of 10.1.1.1/24 on veth0.
    const ROUTE_PREFIX: [u8; 44] = [
        0x02, 0x18, 0x00, 0x00, 0xfe, 0x02, 0xfd, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f,
        0x00, 0xfe, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x01, 0x00, 0x08, 0x00,
        0x07, 0x00, 0x0a, 0x01, 0x01, 0x01, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
    ];

    /// The kernel's IPv6 prefix route of 2001:db8::1/64 (metric 256, pref medium).
    const ROUTE_V6_PREFIX: [u8; 100] = [
        0x0a, 0x40, 0x00, 0x00, 0xfe, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x0f,
        0x00, 0xfe, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x06, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x08, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00, 0x24, 0x00, 0x0c, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x05, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    fn parse(bytes: &[u8]) -> RouteRef<'_> {
        RouteRef::parse(bytes).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn kernel_routes_read_in_place() {
        let r = parse(&ROUTE_DEFAULT);
        assert!(r.is_default());
        assert_eq!(r.destination(), None);
        assert_eq!(r.gateway(), Some(IpAddr::from([10, 1, 1, 2])));
        assert_eq!((r.oif(), r.metric(), r.table()), (Some(3), Some(7), 254));
        assert_eq!(
            (r.protocol(), r.scope(), r.kind()),
            (PROTO_BOOT, SCOPE_UNIVERSE, TYPE_UNICAST)
        );

        let r = parse(&ROUTE_TABLE_100000);
        assert_eq!(r.table(), 100_000);
        assert_eq!(
            r.destination().map(|d| d.to_string()).as_deref(),
            Some("10.8.0.0/16")
        );
        assert_eq!((r.scope(), r.gateway()), (SCOPE_LINK, None));

        let r = parse(&ROUTE_PREFIX).to_owned();
        assert_eq!(
            r.destination.map(|d| d.to_string()).as_deref(),
            Some("10.1.1.0/24")
        );
        assert_eq!(
            (r.protocol, r.scope, r.prefsrc),
            (PROTO_KERNEL, SCOPE_LINK, Some(IpAddr::from([10, 1, 1, 1])))
        );

        let r = parse(&ROUTE_V6_PREFIX);
        assert_eq!(r.family(), Some(Family::Inet6));
        assert_eq!(
            r.destination().map(|d| d.to_string()).as_deref(),
            Some("2001:db8::/64")
        );
        assert_eq!(
            (r.metric(), r.pref(), r.oif()),
            (Some(256), Some(0), Some(3))
        );
    }

    #[test]
    fn kernel_routes_round_trip_through_netlink_packet_route() {
        use netlink_packet_core::{Emitable, Parseable};
        for bytes in [
            &ROUTE_DEFAULT[..],
            &ROUTE_TABLE_100000,
            &ROUTE_PREFIX,
            &ROUTE_V6_PREFIX,
        ] {
            let owned = RouteMessage::parse(bytes).unwrap_or_else(|e| panic!("{e}"));
            let mut out = vec![0; owned.buffer_len()];
            owned.emit(&mut out);
            assert_eq!(out, bytes);
        }
    }

    #[test]
    fn request_headers_match_what_ip_sends() {
        // strace of `ip route add 10.6.0.0/16 dev veth0 metric 5`:
        // rtm_table=MAIN, rtm_protocol=BOOT, rtm_scope=LINK, rtm_type=UNICAST.
        let spec = RouteSpec::to("10.6.0.0/16".parse().unwrap_or_else(|e| panic!("{e}")))
            .dev(3)
            .metric(5);
        let m = spec.message(false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                m.header.table,
                u8::from(m.header.protocol),
                u8::from(m.header.scope),
                u8::from(m.header.kind)
            ),
            (254, PROTO_BOOT, SCOPE_LINK, TYPE_UNICAST)
        );
        assert_eq!(m.header.destination_prefix_length, 16);
        // `ip route add default via 10.1.1.2 table 1000`: RT_TABLE_UNSPEC + RTA_TABLE.
        let spec = RouteSpec::default_route()
            .via("10.1.1.2".parse().unwrap_or_else(|e| panic!("{e}")))
            .table(RouteTable::new(1000).unwrap_or_default());
        let m = spec.message(false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (m.header.table, u8::from(m.header.scope)),
            (0, SCOPE_UNIVERSE)
        );
        assert_eq!(m.header.destination_prefix_length, 0);
        assert!(m.attributes.contains(&RouteAttribute::Table(1000)));
    }
}
