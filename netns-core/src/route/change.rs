//! Changing routes: [`RouteSpec`] and add, replace, delete
//! (`RTM_NEWROUTE`, `RTM_DELROUTE`).

#[allow(clippy::wildcard_imports)]
use super::*;

/// A route to add, replace or delete, with iproute2's defaults.
///
/// # Examples
/// ```
/// use netns_core::route::RouteSpec;
/// let default = RouteSpec::default_route().via("10.1.1.2".parse().unwrap());
/// assert_eq!(default.to_string(), "default via 10.1.1.2");
/// let device = RouteSpec::to("10.6.0.0/16".parse()?).dev("veth0").metric(5);
/// assert_eq!(device.to_string(), "10.6.0.0/16 dev veth0 metric 5");
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
    /// `dev`: the output device, by name (looked up when the route is sent)
    /// or index.
    pub dev: Option<Dev>,
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
    /// `nexthop …` paths of a multipath route (instead of `via`/`dev`).
    pub nexthops: Vec<NextHop>,
    /// `onlink`: the gateway is on the link even without a route to it.
    pub onlink: bool,
    /// `mtu` (`RTA_METRICS` → `RTAX_MTU`).
    pub mtu: Option<u32>,
    /// `advmss` (`RTA_METRICS` → `RTAX_ADVMSS`).
    pub advmss: Option<u32>,
    /// `nhid`: a nexthop object (`ip nexthop`) instead of a gateway.
    pub nhid: Option<u32>,
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
    /// Sets the output device.
    pub fn dev(mut self, dev: impl Into<Dev>) -> Self {
        self.dev = Some(dev.into());
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
    /// Sets the route type (`local`, `blackhole` … see
    /// [`parse_type`](super::parse_type)); `local`, `broadcast`, `anycast`
    /// and `nat` go to table `local` unless a table is set, as iproute2
    /// puts them.
    pub fn kind(mut self, kind: u8) -> Self {
        self.kind = Some(kind);
        self
    }
    /// Adds a path of a multipath route.
    pub fn nexthop(mut self, hop: NextHop) -> Self {
        self.nexthops.push(hop);
        self
    }
    /// `onlink`.
    pub fn onlink(mut self, on: bool) -> Self {
        self.onlink = on;
        self
    }
    /// Sets the path MTU metric.
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }
    /// Sets the advertised MSS metric.
    pub fn advmss(mut self, advmss: u32) -> Self {
        self.advmss = Some(advmss);
        self
    }
    /// Uses nexthop object `id`.
    pub fn nhid(mut self, id: u32) -> Self {
        self.nhid = Some(id);
        self
    }

    /// The table the route goes to: the one set, else `local` for the
    /// types iproute2 puts there (`local`, `broadcast`, `anycast`, `nat`),
    /// else `main`.
    pub fn effective_table(&self) -> RouteTable {
        match (self.table, self.kind) {
            (Some(t), _) => t,
            (None, Some(2..=4 | 10)) => RouteTable::LOCAL,
            (None, _) => RouteTable::MAIN,
        }
    }

    /// The family the route belongs to, checked for consistency: the
    /// destination's, the source's and [`RouteSpec::family`] must agree; a
    /// gateway of the other family is allowed for an IPv4 route (sent as
    /// `RTA_VIA`: `via inet6 fe80::1`); without any of those, the first
    /// gateway's family.
    pub(super) fn resolve_family(&self) -> Result<Family> {
        let mixed = |why: &str| {
            Err(
                Error::new(ErrorKind::InvalidArgument, "use", format!("route {self}"))
                    .with_detail(why.to_owned()),
            )
        };
        let mut family: Option<Family> = self.family;
        for ip in [self.destination.map(|d| d.addr()), self.prefsrc]
            .into_iter()
            .flatten()
        {
            let f = Family::of(&ip);
            match family {
                Some(g) if g != f => return mixed("IPv4 and IPv6 addresses mixed in one route"),
                _ => family = Some(f),
            }
        }
        let gateways = self
            .gateway
            .into_iter()
            .chain(self.nexthops.iter().filter_map(|h| h.gateway));
        for gw in gateways {
            match (family, Family::of(&gw)) {
                (None, f) => family = Some(f),
                (Some(Family::Inet6), Family::Inet) => return mixed(
                    "an IPv6 route cannot go via an IPv4 gateway (IPv6 does not support RTA_VIA)",
                ),
                _ => {}
            }
        }
        Ok(family.unwrap_or(Family::Inet))
    }

    /// Checks what can be checked before the kernel: one family throughout,
    /// a device name an interface can have.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when IPv4 and IPv6 are mixed;
    /// [`ErrorKind::InvalidName`] for the device's name.
    pub fn validate(&self) -> Result<()> {
        self.resolve_family()?;
        if let Some(d) = &self.dev {
            crate::link::validate_dev(d)?;
        }
        for hop in &self.nexthops {
            hop.validate(self)?;
        }
        Ok(())
    }

    /// The `RTM_NEWROUTE` (`delete == false`) or `RTM_DELROUTE` message, as
    /// iproute2 builds it, the device resolved to `oif` and the nexthops'
    /// to `hop_oifs` (in order).
    pub(super) fn message(
        &self,
        oif: Option<IfIndex>,
        hop_oifs: &[Option<IfIndex>],
        delete: bool,
    ) -> Result<RouteMessage> {
        let family = self.resolve_family()?;
        let mut msg = RouteMessage::default();
        let h = &mut msg.header;
        h.address_family = family.to_packet();
        let table = self.effective_table().id();
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
                // ip: a device route unless a gateway, paths or a nexthop
                // object say where to go.
                (_, 0 | 1)
                    if self.gateway.is_none()
                        && self.nexthops.is_empty()
                        && self.nhid.is_none() =>
                {
                    SCOPE_LINK
                }
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
            msg.attributes.push(gateway_attribute(gw, family));
        }
        if let Some(oif) = oif {
            msg.attributes.push(RouteAttribute::Oif(oif.get()));
        }
        if let Some(src) = self.prefsrc {
            msg.attributes
                .push(RouteAttribute::PrefSource(route_address(src)));
        }
        if let Some(m) = self.metric {
            msg.attributes.push(RouteAttribute::Priority(m));
        }
        if self.onlink {
            msg.header.flags = RouteFlags::from_bits_retain(RTNH_F_ONLINK);
        }
        let metrics: Vec<RouteMetric> = [
            self.mtu.map(RouteMetric::Mtu),
            self.advmss.map(RouteMetric::Advmss),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !metrics.is_empty() {
            msg.attributes.push(RouteAttribute::Metrics(metrics));
        }
        if !self.nexthops.is_empty() {
            let hops = self
                .nexthops
                .iter()
                .enumerate()
                .map(|(i, h)| h.encode(hop_oifs.get(i).copied().flatten(), family))
                .collect();
            msg.attributes.push(RouteAttribute::MultiPath(hops));
        }
        if let Some(id) = self.nhid {
            msg.attributes.push(RouteAttribute::NhId(id));
        }
        Ok(msg)
    }
}

impl fmt::Display for RouteSpec {
    /// `default via 10.9.9.9`, `10.6.0.0/16 dev #3 table 100 metric 5`,
    /// `local 10.0.0.1 dev lo table local`, `10.0.0.0/24 via inet6 fe80::1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The family as far as the destination and source tell (not
        // `resolve_family`, which names the route in its own errors).
        let family = self.family.or_else(|| {
            self.destination
                .map(|d| d.addr())
                .or(self.prefsrc)
                .map(|a| Family::of(&a))
        });
        if let Some(k) = self.kind.filter(|k| *k != TYPE_UNICAST) {
            match type_name(k) {
                Some(n) => write!(f, "{n} ")?,
                None => write!(f, "{k} ")?,
            }
        }
        match self.destination {
            Some(d) => write!(f, "{d}")?,
            None => f.write_str("default")?,
        }
        if let Some(gw) = self.gateway {
            write!(f, " via {}", gateway_words(gw, family))?;
        }
        if let Some(d) = &self.dev {
            write!(f, " dev {}", d.word())?;
        }
        if let Some(t) = self.table.filter(|t| *t != RouteTable::MAIN) {
            write!(f, " table {t}")?;
        }
        if let Some(m) = self.metric {
            write!(f, " metric {m}")?;
        }
        if let Some(id) = self.nhid {
            write!(f, " nhid {id}")?;
        }
        for hop in &self.nexthops {
            write!(f, " {}", hop.words(family))?;
        }
        if self.onlink {
            f.write_str(" onlink")?;
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
    /// [`ErrorKind::InvalidArgument`] when IPv4 and IPv6 are mixed, or for a
    /// unicast route with neither gateway nor device (`a route needs a
    /// gateway (via) or a device (dev)`).
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

    /// Changes an existing route (`RTM_NEWROUTE` with `NLM_F_REPLACE` and
    /// no `NLM_F_CREATE`), as `ip route change`: the route with the same
    /// destination, table, tos and metric takes the new gateway, device and
    /// attributes.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] (`ENOENT`) when no such route exists; otherwise
    /// as [`Handle::route_add`].
    pub fn route_change(&mut self, route: &RouteSpec) -> Result<()> {
        self.change_route(route, "change", NLM_F_REPLACE)
    }

    /// Adds a route after the existing ones with the same destination, table,
    /// tos and metric (`RTM_NEWROUTE` with `NLM_F_CREATE | NLM_F_APPEND`), as
    /// `ip route append`. For IPv6 the kernel adds it as another path of the
    /// existing route.
    ///
    /// # Errors
    /// As [`Handle::route_add`]; an identical route is `AlreadyExists`.
    pub fn route_append(&mut self, route: &RouteSpec) -> Result<()> {
        self.change_route(route, "append", NLM_F_CREATE | NLM_F_APPEND)
    }

    /// Adds a route before the existing ones with the same destination,
    /// table, tos and metric (`RTM_NEWROUTE` with only `NLM_F_CREATE`), as
    /// `ip route prepend`.
    ///
    /// # Errors
    /// As [`Handle::route_add`].
    pub fn route_prepend(&mut self, route: &RouteSpec) -> Result<()> {
        self.change_route(route, "prepend", NLM_F_CREATE)
    }

    /// Deletes the first route matching `route` (`RTM_DELROUTE`); fields
    /// left unset match anything, as with `ip route del`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] (`ESRCH`, "No such process" in `ip`'s words)
    /// when no route matches.
    #[doc(alias = "RTM_DELROUTE")]
    pub fn route_del(&mut self, route: &RouteSpec) -> Result<()> {
        let msg = self.route_message(route, true)?;
        self.socket().execute(&Request::new(
            RouteNetlinkMessage::DelRoute(msg),
            "delete",
            &RouteObject(route),
        ))
    }

    /// `route`'s message, checked and its devices looked up.
    pub(super) fn route_message(
        &mut self,
        route: &RouteSpec,
        delete: bool,
    ) -> Result<RouteMessage> {
        route.validate()?;
        let oif = route.dev.as_ref().map(|d| self.dev_index(d)).transpose()?;
        let mut hop_oifs = Vec::with_capacity(route.nexthops.len());
        for hop in &route.nexthops {
            hop_oifs.push(hop.dev.as_ref().map(|d| self.dev_index(d)).transpose()?);
        }
        route.message(oif, &hop_oifs, delete)
    }

    fn change_route(&mut self, route: &RouteSpec, op: &'static str, flags: u16) -> Result<()> {
        if route.gateway.is_none()
            && route.dev.is_none()
            && route.nexthops.is_empty()
            && route.nhid.is_none()
            && route.kind.is_none_or(|k| k == TYPE_UNICAST)
        {
            // The kernel would say only ENODEV ("No such device").
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                op,
                RouteObject(route).to_string(),
            )
            .with_detail("a route needs a gateway (via), a device (dev), paths (nexthop) or a nexthop object (nhid)"));
        }
        let msg = self.route_message(route, false)?;
        self.socket().execute(
            &Request::new(RouteNetlinkMessage::NewRoute(msg), op, &RouteObject(route))
                .with_flags(flags),
        )
    }
}
