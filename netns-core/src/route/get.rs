//! Route lookups (`ip route get`, [`RouteQuery`]) and flushing
//! (`ip route flush`, [`RouteFilter`]).

#[allow(clippy::wildcard_imports)]
use super::*;

/// A route lookup, as `ip route get TO [from ADDR] [iif DEV] [oif DEV]
/// [mark N] [fibmatch]` asks it: the kernel answers with the route a packet
/// would take (resolved, with its source address), or with the FIB entry
/// that matched (`fibmatch`).
///
/// # Examples
/// ```no_run
/// use netns_core::route::RouteQuery;
/// let mut h = netns_core::Handle::current()?;
/// let r = h.route_get(&RouteQuery::to("10.1.1.1".parse().unwrap()))?;
/// println!("via {:?} dev {:?} src {:?}", r.gateway, r.oif, r.prefsrc);
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteQuery {
    /// The destination.
    pub to: IpAddr,
    /// `from`: the source address.
    pub from: Option<IpAddr>,
    /// `iif`: the input device (a packet arriving there; needs `from`).
    pub iif: Option<Dev>,
    /// `oif`: the output device.
    pub oif: Option<Dev>,
    /// `mark`: the firewall mark.
    pub mark: Option<u32>,
    /// `fibmatch`: the FIB entry that matched, not the resolved route.
    pub fibmatch: bool,
}

impl RouteQuery {
    /// A lookup of `to`.
    pub fn to(to: IpAddr) -> RouteQuery {
        RouteQuery {
            to,
            from: None,
            iif: None,
            oif: None,
            mark: None,
            fibmatch: false,
        }
    }
    /// Sets the source address.
    pub fn from(mut self, from: IpAddr) -> Self {
        self.from = Some(from);
        self
    }
    /// Sets the input device.
    pub fn iif(mut self, dev: impl Into<Dev>) -> Self {
        self.iif = Some(dev.into());
        self
    }
    /// Sets the output device.
    pub fn oif(mut self, dev: impl Into<Dev>) -> Self {
        self.oif = Some(dev.into());
        self
    }
    /// Sets the firewall mark.
    pub fn mark(mut self, mark: u32) -> Self {
        self.mark = Some(mark);
        self
    }
    /// Asks for the matching FIB entry.
    pub fn fibmatch(mut self, on: bool) -> Self {
        self.fibmatch = on;
        self
    }
}

impl fmt::Display for RouteQuery {
    /// `route to 10.1.1.1 from 10.2.2.2 iif veth0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "route to {}", self.to)?;
        if let Some(a) = self.from {
            write!(f, " from {a}")?;
        }
        if let Some(d) = &self.iif {
            write!(f, " iif {}", d.word())?;
        }
        if let Some(d) = &self.oif {
            write!(f, " oif {}", d.word())?;
        }
        if let Some(m) = self.mark {
            write!(f, " mark {m:#x}")?;
        }
        Ok(())
    }
}

/// Which routes [`Handle::routes_matching`] lists and
/// [`Handle::route_flush`] removes, with the selectors of `ip route show` and
/// `ip route flush`: one table (`main` unless set;
/// [`RouteFilter::all_tables`] for every table), one family or both, and
/// optionally a device, a gateway, a preferred source, a protocol, a scope,
/// a type, and a destination selector (`root`, `match`, `exact`; a bare
/// prefix is `exact`, as in ip). Cached (cloned) routes are never selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteFilter {
    /// The table (`None`: `main`).
    pub table: Option<RouteTable>,
    /// Every table (`table all`).
    pub all_tables: bool,
    /// The family (`None`: both).
    pub family: Option<Family>,
    /// `dev`: routes out of this device (their own, as ip: not a multipath
    /// route's paths).
    pub dev: Option<Dev>,
    /// `proto`.
    pub protocol: Option<u8>,
    /// `type`.
    pub kind: Option<u8>,
    /// `root PREFIX`: routes whose destination lies inside it.
    pub root: Option<IpNet>,
    /// `match PREFIX`: routes whose destination contains it (`match
    /// 10.0.0.0/16` selects 10.0.0.0/16, 10.0.0.0/8 and the default route).
    pub matching: Option<IpNet>,
    /// `exact PREFIX` (or the prefix alone): routes to exactly this
    /// destination; a prefix of length 0 is `default`, of either family.
    pub exact: Option<IpNet>,
    /// `via ADDRESS`: routes through this gateway (their own, as ip: not a
    /// multipath route's paths).
    pub via: Option<IpAddr>,
    /// `metric N`: routes of this metric (priority).
    pub metric: Option<u32>,
    /// `src PREFIX`: routes whose preferred source lies inside it.
    pub src: Option<IpNet>,
    /// `scope SCOPE`.
    pub scope: Option<u8>,
}

impl RouteFilter {
    /// The routes of table `main`, both families.
    pub fn new() -> RouteFilter {
        RouteFilter::default()
    }
    /// Only table `table`.
    pub fn table(mut self, table: RouteTable) -> Self {
        self.table = Some(table);
        self
    }
    /// Only `family`.
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }
    /// Only routes out of `dev`.
    pub fn dev(mut self, dev: impl Into<Dev>) -> Self {
        self.dev = Some(dev.into());
        self
    }
    /// Only protocol `protocol`.
    pub fn protocol(mut self, protocol: u8) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// Only routes through `gateway`.
    pub fn via(mut self, gateway: IpAddr) -> Self {
        self.via = Some(gateway);
        self
    }
    /// Only routes to exactly `prefix` (length 0: `default`).
    pub fn exact(mut self, prefix: IpNet) -> Self {
        self.exact = Some(prefix);
        self
    }
    /// Only routes inside `prefix` (`root`).
    pub fn root(mut self, prefix: IpNet) -> Self {
        self.root = Some(prefix);
        self
    }

    /// Whether `r` is selected, with `oif` the index of [`RouteFilter::dev`]
    /// (looked up by the caller). The table and the family are the dump's.
    pub(crate) fn admits(&self, r: &RouteRef<'_>, oif: Option<u32>) -> bool {
        // The destination as a prefix of its family (`default` is /0).
        let dst = || {
            r.destination().or_else(|| {
                let unspecified: IpAddr = match r.family()? {
                    Family::Inet => Ipv4Addr::UNSPECIFIED.into(),
                    Family::Inet6 => Ipv6Addr::UNSPECIFIED.into(),
                };
                IpNet::new(unspecified, 0).ok()
            })
        };
        // A /0 holds every prefix of either family (`root default`).
        let inside = |outer: &IpNet, inner: &IpNet| {
            outer.prefix_len() == 0
                || (inner.prefix_len() >= outer.prefix_len() && outer.contains(&inner.addr()))
        };
        // As ip: the route's own device and gateway, not its paths'.
        r.flags() & RTM_F_CLONED == 0
            && oif.is_none_or(|i| r.oif() == Some(i))
            && self.metric.is_none_or(|m| r.metric().unwrap_or(0) == m)
            && self.protocol.is_none_or(|p| r.protocol() == p)
            && self.kind.is_none_or(|k| r.kind() == k)
            && self.scope.is_none_or(|s| r.scope() == s)
            && self
                .root
                .as_ref()
                .is_none_or(|root| dst().is_some_and(|d| inside(root, &d)))
            && self
                .matching
                .as_ref()
                .is_none_or(|m| dst().is_some_and(|d| inside(&d, m)))
            && self.exact.as_ref().is_none_or(|e| {
                if e.prefix_len() == 0 {
                    r.dst_len() == 0
                } else {
                    r.destination() == Some(*e)
                }
            })
            && self.via.is_none_or(|g| r.gateway() == Some(g))
            && self
                .src
                .as_ref()
                .is_none_or(|s| r.prefsrc().is_some_and(|a| s.contains(&a)))
    }
}

/// A destination or source selector of `ip route show|flush` (`root`,
/// `match`, `exact`, `src`): `A/N`, an address (a host prefix), or
/// `default` (also `all`, `any`): a prefix of length 0, which selects the
/// default routes of either family.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for anything else, in ip's words (`any
/// valid prefix is expected rather than "x"`).
pub fn parse_selector(word: &str) -> Result<IpNet> {
    if matches!(word, "default" | "all" | "any") {
        return IpNet::new(Ipv4Addr::UNSPECIFIED.into(), 0);
    }
    word.parse().map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            "parse",
            format!("prefix {word:?}"),
        )
        .with_detail(format!(
            "any valid prefix is expected rather than \"{word}\""
        ))
    })
}

/// The routes a [`RouteFilter`] selects from one dump
/// ([`Handle::routes_matching`]), borrowed from the socket's receive buffer.
#[derive(Debug, Clone)]
pub struct MatchingRoutes<'a> {
    routes: Routes<'a>,
    filter: &'a RouteFilter,
    oif: Option<u32>,
}

impl MatchingRoutes<'_> {
    /// `false` when the kernel marked the dump inconsistent
    /// (`NLM_F_DUMP_INTR` on every retry), as [`Routes::is_consistent`].
    pub fn is_consistent(&self) -> bool {
        self.routes.is_consistent()
    }
}

impl<'a> Iterator for MatchingRoutes<'a> {
    type Item = RouteRef<'a>;
    fn next(&mut self) -> Option<RouteRef<'a>> {
        let (filter, oif) = (self.filter, self.oif);
        self.routes.by_ref().find(|r| filter.admits(r, oif))
    }
}

impl Handle {
    /// Looks a route up as `ip route get` does (`RTM_GETROUTE` without
    /// `NLM_F_DUMP`, `RTA_DST` a host address): the route a packet to
    /// `query.to` would take, with its output device, gateway and source.
    ///
    /// # Errors
    /// A device that does not exist ([`Error::is_lookup`]); the kernel's
    /// refusal, e.g. `Network is unreachable` when no route matches.
    #[doc(alias = "ip route get")]
    pub fn route_get(&mut self, query: &RouteQuery) -> Result<Route> {
        let family = Family::of(&query.to);
        if query.from.is_some_and(|a| Family::of(&a) != family) {
            return Err(
                Error::new(ErrorKind::InvalidArgument, "look up", query.to_string())
                    .with_detail("IPv4 and IPv6 addresses mixed in one lookup"),
            );
        }
        let iif = query.iif.as_ref().map(|d| self.dev_index(d)).transpose()?;
        let oif = query.oif.as_ref().map(|d| self.dev_index(d)).transpose()?;
        let mut msg = RouteMessage::default();
        msg.header.address_family = family.to_packet();
        msg.header.destination_prefix_length = family.max_prefix_len();
        msg.attributes
            .push(RouteAttribute::Destination(route_address(query.to)));
        if let Some(a) = query.from {
            msg.header.source_prefix_length = family.max_prefix_len();
            msg.attributes
                .push(RouteAttribute::Source(route_address(a)));
        }
        if let Some(i) = iif {
            msg.attributes.push(RouteAttribute::Iif(i.get()));
        }
        if let Some(i) = oif {
            msg.attributes.push(RouteAttribute::Oif(i.get()));
        }
        if let Some(m) = query.mark {
            msg.attributes.push(RouteAttribute::Mark(m));
        }
        if query.fibmatch {
            msg.header.flags = RouteFlags::from_bits_retain(RTM_F_FIB_MATCH);
        }
        let request = Request::new(RouteNetlinkMessage::GetRoute(msg), "look up", query);
        let mut replies = self.socket().request(&request)?;
        let reply = replies
            .find(|m| m.message_type() == RTM_NEWROUTE)
            .ok_or_else(|| {
                Error::new(ErrorKind::Protocol, "look up", query.to_string())
                    .with_detail("the kernel acknowledged without a route")
            })?;
        RouteRef::parse(reply.payload())
            .map(|r| r.to_owned())
            .map_err(|e| e.context("look up", query.to_string()))
    }

    /// The routes `filter` selects, as `ip route show` selects them: one
    /// dump filtered by the kernel (table and family), the rest of the
    /// filter applied while reading, in place (no allocation per route).
    ///
    /// # Errors
    /// A device that does not exist ([`Error::is_lookup`]); as
    /// [`Handle::routes`] for the dump (a table that does not exist is
    /// `NotFound`, as `ip route show table 7` fails).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::route::RouteFilter;
    /// let mut h = netns_core::Handle::current()?;
    /// let filter = RouteFilter::new().dev("veth0").via("10.1.1.2".parse().unwrap());
    /// for r in h.routes_matching(&filter)? {
    ///     println!("{:?}", r.destination());
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "ip route show")]
    pub fn routes_matching<'a>(
        &'a mut self,
        filter: &'a RouteFilter,
    ) -> Result<MatchingRoutes<'a>> {
        let oif = filter
            .dev
            .as_ref()
            .map(|d| self.dev_index(d))
            .transpose()?
            .map(IfIndex::get);
        let table = if filter.all_tables {
            None
        } else {
            Some(filter.table.unwrap_or(RouteTable::MAIN))
        };
        let routes = self.routes(table, filter.family)?;
        Ok(MatchingRoutes {
            routes,
            filter,
            oif,
        })
    }

    /// Removes the routes `filter` selects, as `ip route flush` does: one
    /// dump filtered by the kernel (table and family), the rest of the
    /// filter applied while reading, then every matching route deleted
    /// exactly as dumped, in one batch. Cached (cloned) routes are left
    /// alone. Returns how many routes were removed.
    ///
    /// # Errors
    /// A device that does not exist ([`Error::is_lookup`]); the dump's or a
    /// delete's refusal.
    #[doc(alias = "ip route flush")]
    pub fn route_flush(&mut self, filter: &RouteFilter) -> Result<usize> {
        let doomed: Vec<RouteSpec> = self
            .routes_matching(filter)?
            .map(|r| RouteSpec::from(&r.to_owned()))
            .collect();
        let messages = doomed
            .iter()
            .map(|spec| self.route_message(spec, true))
            .collect::<Result<Vec<_>>>()?;
        let objects: Vec<String> = doomed.iter().map(|s| format!("route {s}")).collect();
        let requests: Vec<Request<'_>> = messages
            .into_iter()
            .zip(&objects)
            .map(|(m, o)| Request::new(RouteNetlinkMessage::DelRoute(m), "delete", o))
            .collect();
        self.socket().batch(&requests).map_err(|e| e.error)?;
        Ok(requests.len())
    }
}
