//! Changing addresses: add, replace, delete, flush (`RTM_NEWADDR`,
//! `RTM_DELADDR`), with [`AddressOptions`] and [`Broadcast`].

#[allow(clippy::wildcard_imports)]
use super::*;

/// The broadcast address of a new IPv4 address (`ip addr add … brd X`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Broadcast {
    /// None (`ip addr add` without `brd`: iproute2 6.x sends no
    /// `IFA_BROADCAST`).
    #[default]
    Unset,
    /// `brd +`: the host bits set (10.1.1.255 for 10.1.1.1/24).
    HostBitsSet,
    /// `brd -`: the host bits clear (10.1.1.0 for 10.1.1.1/24).
    HostBitsClear,
    /// `brd ADDR`.
    Explicit(Ipv4Addr),
}

impl Broadcast {
    pub(super) fn resolve(self, net: &IpNet) -> Option<Ipv4Addr> {
        let IpAddr::V4(a) = net.addr() else {
            return None;
        };
        match self {
            Broadcast::Unset => None,
            // As iproute2: only when the prefix leaves host bits (< /31).
            Broadcast::HostBitsSet => net.broadcast(),
            Broadcast::HostBitsClear if net.prefix_len() < 31 => {
                Some(Ipv4Addr::from(u32::from(a) & v4_mask(net.prefix_len())))
            }
            Broadcast::HostBitsClear => None,
            Broadcast::Explicit(b) => Some(b),
        }
    }
}

/// Options of [`Handle::address_add_with`] beyond the address itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddressOptions {
    /// The IPv4 broadcast address.
    pub broadcast: Broadcast,
    /// `ifa_scope`; by default `host` (254) for 127.0.0.0/8 and `global` (0)
    /// otherwise, as `ip` chooses.
    pub scope: Option<u8>,
    /// `IFA_LABEL` (IPv4): must be the interface name or start with it
    /// followed by `:`.
    pub label: Option<String>,
    /// `IFA_RT_PRIORITY`: the metric of the prefix route (`ip … metric N`).
    pub metric: Option<u32>,
    /// Replace an existing address (`ip addr replace`) instead of refusing it.
    pub replace: bool,
    /// Extra `IFA_F_*` flags (e.g. [`IFA_F_NODAD`], [`IFA_F_NOPREFIXROUTE`]).
    pub flags: u32,
}

impl AddressOptions {
    /// The defaults of `ip addr add`.
    pub fn new() -> Self {
        AddressOptions::default()
    }
    /// Sets the broadcast address.
    pub fn broadcast(mut self, b: Broadcast) -> Self {
        self.broadcast = b;
        self
    }
    /// Sets the scope.
    pub fn scope(mut self, scope: u8) -> Self {
        self.scope = Some(scope);
        self
    }
    /// Replace instead of refusing an existing address.
    pub fn replace(mut self, yes: bool) -> Self {
        self.replace = yes;
        self
    }
    /// Sets the prefix route's metric.
    pub fn metric(mut self, metric: u32) -> Self {
        self.metric = Some(metric);
        self
    }
}

/// The scope `ip addr add` gives an address when none is asked: `host` for
/// 127.0.0.0/8, `global` otherwise.
fn default_scope(ip: &IpAddr) -> u8 {
    match ip {
        IpAddr::V4(a) if a.octets()[0] == 127 => 254,
        _ => 0,
    }
}

/// The `RTM_NEWADDR`/`RTM_DELADDR` message for `net` on `ifindex`, built as
/// iproute2 builds it.
pub(super) fn address_message(
    ifindex: u32,
    net: &IpNet,
    opts: Option<&AddressOptions>,
) -> AddressMessage {
    let mut msg = AddressMessage::default();
    msg.header.family = net.family().to_packet();
    msg.header.prefix_len = net.prefix_len();
    msg.header.index = ifindex;
    let ip = net.addr();
    msg.attributes.push(AddressAttribute::Local(ip));
    msg.attributes.push(AddressAttribute::Address(ip));
    if let Some(opts) = opts {
        msg.header.scope = AddressScope::from(opts.scope.unwrap_or_else(|| default_scope(&ip)));
        if let Some(b) = opts.broadcast.resolve(net) {
            msg.attributes.push(AddressAttribute::Broadcast(b));
        }
        if let Some(label) = &opts.label {
            msg.attributes.push(AddressAttribute::Label(label.clone()));
        }
        if let Some(m) = opts.metric {
            msg.attributes.push(AddressAttribute::RoutePriority(m));
        }
        if opts.flags != 0 {
            // ip puts the low 8 bits in the header and all 32 in IFA_FLAGS.
            msg.header.flags = AddressHeaderFlags::from_bits_retain((opts.flags & 0xff) as u8);
            msg.attributes
                .push(AddressAttribute::Flags(AddressFlags::from_bits_retain(
                    opts.flags,
                )));
        }
    }
    msg
}

/// What an address is called in errors.
struct AddressObject<'a>(&'a IpNet, u32);

impl fmt::Display for AddressObject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "address {} on interface {}", self.0, self.1)
    }
}

impl Handle {
    /// The addresses of this namespace, filtered by the kernel
    /// (`RTM_GETADDR` dump with `ifa_family` and `ifa_index` set; with
    /// `NETLINK_GET_STRICT_CHK` the kernel returns only what matches).
    ///
    /// The whole dump is read into the socket's receive buffer; the iterator
    /// yields views into it, so iterating allocates nothing.
    ///
    /// # Errors
    /// The kernel's refusal ([`ErrorKind::NotFound`] with `ENODEV` for an
    /// interface index that does not exist), or a socket error.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::addr::{AddressFilter, Family};
    /// let mut h = netns_core::Handle::current()?;
    /// let lo = h.resolve_ifindex("lo")?;
    /// for a in h.addresses(AddressFilter::new().ifindex(lo).family(Family::Inet))? {
    ///     println!("{:?}/{}", a.ip(), a.prefix_len());
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_GETADDR")]
    pub fn addresses(&mut self, filter: AddressFilter) -> Result<Addresses<'_>> {
        let mut msg = AddressMessage::default();
        if let Some(f) = filter.family {
            msg.header.family = f.to_packet();
        }
        msg.header.index = filter.ifindex.unwrap_or(0);
        let request = RouteNetlinkMessage::GetAddress(msg);
        let object: &dyn fmt::Display = match &filter.ifindex {
            Some(i) => &IfindexAddresses(*i),
            None => &"addresses",
        };
        let messages = self.socket().dump(&Request::new(request, "list", object))?;
        Ok(Addresses { messages })
    }

    /// Adds `net` to interface `ifindex` as `ip addr add NET dev X` does:
    /// `RTM_NEWADDR` with `NLM_F_CREATE | NLM_F_EXCL`, `IFA_LOCAL` and
    /// `IFA_ADDRESS` both set to the address, scope `global` (`host` for
    /// 127.0.0.0/8), no broadcast address (see [`Handle::address_add_with`]).
    /// The kernel adds the prefix route (`proto kernel scope link`) and the
    /// local-table routes.
    ///
    /// # Errors
    /// [`ErrorKind::AlreadyExists`] (kernel: `ipv4: Address already
    /// assigned`), [`ErrorKind::NotFound`] for a missing interface, or
    /// another refusal with the kernel's text.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// let veth0 = h.resolve_ifindex("veth0")?;
    /// h.address_add(veth0, "10.1.1.2/24".parse()?)?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_NEWADDR")]
    pub fn address_add(&mut self, ifindex: u32, net: IpNet) -> Result<()> {
        self.address_add_with(ifindex, net, &AddressOptions::new())
    }

    /// [`Handle::address_add`] with a broadcast address, scope, label,
    /// metric, flags, or replacing (`NLM_F_REPLACE`, as `ip addr replace`).
    ///
    /// # Errors
    /// As [`Handle::address_add`].
    pub fn address_add_with(
        &mut self,
        ifindex: u32,
        net: IpNet,
        opts: &AddressOptions,
    ) -> Result<()> {
        let msg = address_message(ifindex, &net, Some(opts));
        let flags = if opts.replace {
            NLM_F_CREATE | NLM_F_REPLACE
        } else {
            NLM_F_CREATE | NLM_F_EXCL
        };
        let object = AddressObject(&net, ifindex);
        self.socket().execute(
            &Request::new(RouteNetlinkMessage::NewAddress(msg), "add", &object).with_flags(flags),
        )
    }

    /// Adds many addresses, each as [`Handle::address_add`] builds it, with
    /// as few `send` calls as possible
    /// ([`Socket::batch`](crate::netlink::Socket::batch)): `(ifindex, net)`
    /// pairs, in order.
    ///
    /// # Errors
    /// A [`BatchError`]: the index of the first address that failed, how
    /// many were sent, and the error (with the kernel's text). Addresses
    /// before the index were added.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// let veth0 = h.resolve_ifindex("veth0")?;
    /// h.addresses_add(&[(veth0, "10.1.1.2/32".parse()?), (veth0, "10.1.1.3/32".parse()?)])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn addresses_add(&mut self, addresses: &[(u32, IpNet)]) -> Result<(), BatchError> {
        let objects: Vec<AddressObject<'_>> = addresses
            .iter()
            .map(|(ifindex, net)| AddressObject(net, *ifindex))
            .collect();
        let opts = AddressOptions::new();
        let requests: Vec<Request<'_>> = objects
            .iter()
            .map(|object| {
                let msg = address_message(object.1, object.0, Some(&opts));
                Request::new(RouteNetlinkMessage::NewAddress(msg), "add", object)
                    .with_flags(NLM_F_CREATE | NLM_F_EXCL)
            })
            .collect();
        self.socket().batch(&requests)
    }

    /// Removes `net` from interface `ifindex` (`RTM_DELADDR` with
    /// `IFA_LOCAL` = `IFA_ADDRESS` = the address and its prefix length: the
    /// kernel deletes the address matching all three).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] (`EADDRNOTAVAIL`, kernel: `ipv4: Address not
    /// found`) when no such address is on the interface.
    #[doc(alias = "RTM_DELADDR")]
    pub fn address_del(&mut self, ifindex: u32, net: IpNet) -> Result<()> {
        let msg = address_message(ifindex, &net, None);
        let object = AddressObject(&net, ifindex);
        self.socket()
            .execute(&Request::new(
                RouteNetlinkMessage::DelAddress(msg),
                "delete",
                &object,
            ))
            .map_err(not_found_on_eaddrnotavail)
    }

    /// Removes every address of `family` (`None` = both) from interface
    /// `ifindex`, as `ip addr flush dev X`: one filtered dump, then all the
    /// `RTM_DELADDR`s in one batch, IPv4 secondaries before primaries (the
    /// kernel deletes a primary's secondaries with it). Returns how many
    /// addresses were removed.
    ///
    /// # Errors
    /// The dump's or the first delete's refusal.
    pub fn address_flush(&mut self, ifindex: u32, family: Option<Family>) -> Result<usize> {
        let filter = AddressFilter {
            family,
            ifindex: Some(ifindex),
        };
        let mut doomed: Vec<(bool, IpNet)> = self
            .addresses(filter)?
            .filter(|a| a.ifindex() == ifindex)
            .filter_map(|a| Some((a.flags() & IFA_F_SECONDARY == 0, a.net()?)))
            .collect();
        // Secondaries (false) first.
        doomed.sort_by_key(|(primary, _)| *primary);
        let objects: Vec<AddressObject<'_>> = doomed
            .iter()
            .map(|(_, n)| AddressObject(n, ifindex))
            .collect();
        let requests: Vec<Request<'_>> = doomed
            .iter()
            .zip(&objects)
            .map(|((_, net), object)| {
                Request::new(
                    RouteNetlinkMessage::DelAddress(address_message(ifindex, net, None)),
                    "delete",
                    object,
                )
            })
            .collect();
        self.socket()
            .batch(&requests)
            .map_err(|e| not_found_on_eaddrnotavail(e.error))?;
        Ok(requests.len())
    }

    /// The index of the interface called `name` in this namespace, as a
    /// plain number for the methods here: [`Handle::link_index`] (one
    /// `RTM_GETLINK` request carrying `IFLA_IFNAME`; the kernel looks the name
    /// up, nothing is dumped).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] (`ENODEV`) when there is no such interface;
    /// [`ErrorKind::InvalidArgument`] for a name no interface can have.
    #[doc(alias = "if_nametoindex")]
    pub fn resolve_ifindex(&mut self, name: &str) -> Result<u32> {
        self.link_index(name).map(|i| i.get())
    }

    /// Every interface of this namespace, index → name, for printing
    /// `dev NAME`: one link dump ([`Handle::links`]), names read in place.
    ///
    /// # Errors
    /// The kernel's refusal or a socket error.
    pub fn interface_names(&mut self) -> Result<BTreeMap<u32, String>> {
        Ok(self
            .links()?
            .map(|l| (l.index().get(), l.name().to_owned()))
            .collect())
    }
}

/// `EADDRNOTAVAIL` on a delete means "no such address".
fn not_found_on_eaddrnotavail(e: Error) -> Error {
    if e.errno() == Some(Errno::EADDRNOTAVAIL) {
        e.with_kind(ErrorKind::NotFound)
    } else {
        e
    }
}

struct IfindexAddresses(u32);

impl fmt::Display for IfindexAddresses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "addresses of interface {}", self.0)
    }
}
