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

/// Which routes [`Handle::route_flush`] removes, as `ip route flush`
/// selects them: one table (`main` unless set; [`RouteFilter::all_tables`]
/// for every table), one family or both, and optionally a device, a
/// protocol, a type, a destination prefix (routes inside it, `root`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteFilter {
    /// The table (`None`: `main`).
    pub table: Option<RouteTable>,
    /// Every table (`table all`).
    pub all_tables: bool,
    /// The family (`None`: both).
    pub family: Option<Family>,
    /// `dev`: routes out of this device.
    pub dev: Option<Dev>,
    /// `proto`.
    pub protocol: Option<u8>,
    /// `type`.
    pub kind: Option<u8>,
    /// `root PREFIX`: routes whose destination lies inside it.
    pub root: Option<IpNet>,
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

    fn admits(&self, r: &RouteRef<'_>, oif: Option<u32>) -> bool {
        let dst_inside = |root: &IpNet| match r.destination() {
            Some(d) => d.prefix_len() >= root.prefix_len() && root.contains(&d.addr()),
            None => root.prefix_len() == 0,
        };
        r.flags() & RTM_F_CLONED == 0
            && oif.is_none_or(|i| {
                r.oif() == Some(i)
                    || r.nexthops()
                        .any(|h| h.dev == IfIndex::new(i).map(Dev::Index))
            })
            && self.protocol.is_none_or(|p| r.protocol() == p)
            && self.kind.is_none_or(|k| r.kind() == k)
            && self.root.as_ref().is_none_or(dst_inside)
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
        let doomed: Vec<RouteSpec> = self
            .routes(table, filter.family)?
            .filter(|r| filter.admits(r, oif))
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
