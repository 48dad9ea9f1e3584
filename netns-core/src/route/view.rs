//! Reading routes: [`RouteRef`] (a view of one `RTM_NEWROUTE` in the
//! receive buffer), [`Route`] (an owned copy) and the dump iterator.

#[allow(clippy::wildcard_imports)]
use super::*;

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
        let (header, attrs) =
            attr::split_payload(payload, RTMSG_LEN, "route message", "struct rtmsg")?;
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
    /// The next hop (`via`): `RTA_GATEWAY`, or the address of `RTA_VIA`
    /// (a gateway of the other family: an IPv4 route via an IPv6 gateway,
    /// which `ip` shows as `via inet6 fe80::1`; [`gateway_words`] writes it
    /// so). A gateway whose family is not the route's came from `RTA_VIA`.
    pub fn gateway(&self) -> Option<IpAddr> {
        gateway_in(self.attrs)
    }
    /// Whether the gateway came as `RTA_VIA` (of another family than the
    /// route's).
    pub fn gateway_is_via(&self) -> bool {
        self.attr(RTA_GATEWAY).is_none() && self.attr(RTA_VIA).and_then(via_address).is_some()
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
    /// `RTA_MULTIPATH`: the paths of a multipath route (empty otherwise).
    pub fn nexthops(&self) -> NextHops<'a> {
        NextHops::new(self.attr(RTA_MULTIPATH).unwrap_or(&[]))
    }
    /// A member of `RTA_METRICS` (`RTAX_*`).
    fn metric_attr(&self, kind: u16) -> Option<u32> {
        self.attr(RTA_METRICS)
            .and_then(|m| attr::find(m, kind))
            .and_then(attr::u32_ne)
    }
    /// The path MTU metric (`mtu`).
    pub fn mtu(&self) -> Option<u32> {
        self.metric_attr(RTAX_MTU)
    }
    /// The advertised MSS metric (`advmss`).
    pub fn advmss(&self) -> Option<u32> {
        self.metric_attr(RTAX_ADVMSS)
    }
    /// `RTA_NH_ID`: the nexthop object the route uses.
    pub fn nhid(&self) -> Option<u32> {
        self.attr(RTA_NH_ID).and_then(attr::u32_ne)
    }
    /// `RTA_UID`: the uid a route lookup was made for (`ip route get`).
    pub fn uid(&self) -> Option<u32> {
        self.attr(RTA_UID).and_then(attr::u32_ne)
    }
    /// `RTA_MARK`: the firewall mark a route lookup was made for.
    pub fn mark(&self) -> Option<u32> {
        self.attr(RTA_MARK).and_then(attr::u32_ne)
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
            nexthops: self.nexthops().collect(),
            mtu: self.mtu(),
            advmss: self.advmss(),
            nhid: self.nhid(),
            uid: self.uid(),
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
    /// `RTA_GATEWAY`, or `RTA_VIA`'s address (then of the other family).
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
    /// `RTA_MULTIPATH`: the paths of a multipath route.
    pub nexthops: Vec<NextHop>,
    /// `RTA_METRICS` → `RTAX_MTU`.
    pub mtu: Option<u32>,
    /// `RTA_METRICS` → `RTAX_ADVMSS`.
    pub advmss: Option<u32>,
    /// `RTA_NH_ID`.
    pub nhid: Option<u32>,
    /// `RTA_UID` (an answer of `ip route get`).
    pub uid: Option<u32>,
}

impl From<&Route> for RouteSpec {
    /// The spec matching exactly this route: deleting it removes this route
    /// (destination, table, type, protocol, scope, tos-free match on
    /// gateway, device, metric and paths), as `ip route flush` sends back
    /// what it dumped.
    fn from(r: &Route) -> RouteSpec {
        let mut spec = match r.destination {
            Some(n) => RouteSpec::to(n),
            None => RouteSpec::default_route(),
        };
        spec.family = r.family;
        spec.gateway = r.gateway;
        spec.dev = r.oif.and_then(IfIndex::new).map(Dev::Index);
        spec.metric = r.metric;
        spec.table = RouteTable::new(r.table);
        spec.protocol = Some(r.protocol);
        spec.scope = Some(r.scope);
        spec.kind = Some(r.kind);
        spec.prefsrc = r.prefsrc;
        spec.nexthops = r.nexthops.clone();
        spec.nhid = r.nhid;
        spec
    }
}

/// The routes of a dump, in the kernel's order, borrowed from the socket's
/// receive buffer.
///
/// [`Routes::is_consistent`] says whether the kernel's dump was consistent.
#[derive(Debug, Clone)]
pub struct Routes<'a> {
    pub(super) messages: crate::netlink::Messages<'a>,
}

impl Routes<'_> {
    /// False when the route dump was interrupted (`NLM_F_DUMP_INTR`) on every
    /// attempt: these are the last attempt's routes, and some may be missing
    /// or shown twice. See
    /// [`Messages::is_consistent`](crate::netlink::Messages::is_consistent).
    #[doc(alias = "NLM_F_DUMP_INTR")]
    pub fn is_consistent(&self) -> bool {
        self.messages.is_consistent()
    }
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
