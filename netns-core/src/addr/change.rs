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

/// Options of an [`AddressSpec`] beyond the device and the address.
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
    /// Extra `IFA_F_*` flags (e.g. [`IFA_F_NODAD`], [`IFA_F_NOPREFIXROUTE`]).
    pub flags: u32,
    /// The other end of a point-to-point address (`peer ADDR/PLEN`):
    /// sent as `IFA_ADDRESS` while the spec's address goes in `IFA_LOCAL`,
    /// and its prefix length is the address's (`ip addr add 10.0.0.1 peer
    /// 10.0.0.2/32`).
    pub peer: Option<IpNet>,
    /// `valid_lft N`: seconds until the address is removed
    /// ([`FOREVER`] or `None`: never). With either lifetime set,
    /// `IFA_CACHEINFO` is sent, the other one `forever`.
    pub valid_lft: Option<u32>,
    /// `preferred_lft N`: seconds until the address is deprecated
    /// ([`FOREVER`] or `None`: never); at most [`AddressOptions::valid_lft`].
    pub preferred_lft: Option<u32>,
}

/// A lifetime of `forever` (`INFINITY_LIFE_TIME`).
pub const FOREVER: u32 = u32::MAX;

/// Parses a lifetime as `ip addr … valid_lft|preferred_lft` takes it:
/// `forever` or a number of seconds.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] naming the text.
///
/// # Examples
/// ```
/// use netns_core::addr::{parse_lifetime, FOREVER};
/// assert_eq!(parse_lifetime("forever")?, FOREVER);
/// assert_eq!(parse_lifetime("100")?, 100);
/// assert!(parse_lifetime("soon").is_err());
/// # Ok::<(), netns_core::Error>(())
/// ```
pub fn parse_lifetime(s: &str) -> Result<u32> {
    if s == "forever" {
        return Ok(FOREVER);
    }
    s.parse::<u32>().map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            "parse",
            format!("lifetime {s:?}"),
        )
        .with_detail("a lifetime is \"forever\" or a number of seconds")
    })
}

/// A lifetime as `ip addr` prints it: `forever` or `100sec`.
pub fn lifetime_text(secs: u32) -> String {
    if secs == FOREVER {
        "forever".to_owned()
    } else {
        format!("{secs}sec")
    }
}

/// An address on a device, owned and complete, as every front end describes
/// it (`ip addr add 10.1.1.2/24 dev veth0 brd +`): the device by name or
/// index, resolved by the core when the spec is sent.
///
/// # Examples
/// ```
/// use netns_core::addr::{AddressSpec, Broadcast};
/// let spec = AddressSpec::new("veth0", "10.1.1.2/24".parse()?).broadcast(Broadcast::HostBitsSet);
/// assert_eq!(spec.to_string(), "address 10.1.1.2/24 dev veth0");
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddressSpec {
    /// The device (`dev X`).
    pub dev: Dev,
    /// The address and its prefix length.
    pub net: IpNet,
    /// Broadcast, scope, label, metric, flags.
    pub options: AddressOptions,
}

impl AddressSpec {
    /// `net` on `dev`, with `ip addr add`'s defaults.
    pub fn new(dev: impl Into<Dev>, net: IpNet) -> AddressSpec {
        AddressSpec {
            dev: dev.into(),
            net,
            options: AddressOptions::default(),
        }
    }
    /// Sets the broadcast address.
    pub fn broadcast(mut self, b: Broadcast) -> Self {
        self.options.broadcast = b;
        self
    }
    /// Sets the scope.
    pub fn scope(mut self, scope: u8) -> Self {
        self.options.scope = Some(scope);
        self
    }
    /// Sets the label (IPv4).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.options.label = Some(label.into());
        self
    }
    /// Sets the prefix route's metric.
    pub fn metric(mut self, metric: u32) -> Self {
        self.options.metric = Some(metric);
        self
    }
    /// Adds `IFA_F_*` flags.
    pub fn flags(mut self, flags: u32) -> Self {
        self.options.flags |= flags;
        self
    }
    /// Sets the point-to-point peer (`peer ADDR/PLEN`).
    pub fn peer(mut self, peer: IpNet) -> Self {
        self.options.peer = Some(peer);
        self
    }
    /// Sets the valid and preferred lifetimes in seconds ([`FOREVER`]:
    /// never).
    pub fn lifetimes(mut self, valid: u32, preferred: u32) -> Self {
        self.options.valid_lft = Some(valid);
        self.options.preferred_lft = Some(preferred);
        self
    }

    /// The prefix length sent: the peer's with a peer, else the address's.
    pub fn prefix_len(&self) -> u8 {
        self.options
            .peer
            .map_or(self.net.prefix_len(), |p| p.prefix_len())
    }

    /// Checks what can be checked before the kernel: a device name an
    /// interface can have; a label of at most 15 bytes that starts with the
    /// device's name when the device is named (iproute2: "label must begin
    /// with interface name").
    ///
    /// # Errors
    /// [`ErrorKind::InvalidName`] or [`ErrorKind::InvalidArgument`] naming
    /// the address.
    pub fn validate(&self) -> Result<()> {
        crate::link::validate_dev(&self.dev)?;
        let refuse = |why: String| {
            Error::new(ErrorKind::InvalidArgument, "use", self.to_string()).with_detail(why)
        };
        if let Some(p) = self.options.peer {
            if p.family() != self.net.family() {
                return Err(refuse(format!(
                    "peer {p} is not of the address's family ({})",
                    self.net.family().name()
                )));
            }
        }
        let o = &self.options;
        if o.valid_lft.is_some() || o.preferred_lft.is_some() {
            let (valid, preferred) = o.lifetimes();
            if valid == 0 {
                return Err(refuse("valid_lft is zero".to_owned()));
            }
            if preferred > valid {
                return Err(refuse("preferred_lft is greater than valid_lft".to_owned()));
            }
        }
        let Some(label) = &self.options.label else {
            return Ok(());
        };
        if label.len() > crate::link::MAX_NAME_LEN {
            return Err(refuse(format!("label {label:?} is longer than 15 bytes")));
        }
        match &self.dev {
            Dev::Name(n) if !label.starts_with(n.as_str()) => Err(refuse(format!(
                "label {label:?} must begin with the interface name {n:?}"
            ))),
            _ => Ok(()),
        }
    }

    /// The message for this address on `ifindex`; `opts` for a new address.
    fn message(&self, ifindex: IfIndex, new: bool) -> AddressMessage {
        let mut msg = address_message(ifindex.get(), &self.net, new.then_some(&self.options));
        if let Some(peer) = self.options.peer {
            msg.header.prefix_len = peer.prefix_len();
            for a in &mut msg.attributes {
                if let AddressAttribute::Address(ip) = a {
                    *ip = peer.addr();
                }
            }
        }
        msg
    }
}

impl AddressOptions {
    /// `(valid, preferred)` as sent: each `forever` unless set.
    pub fn lifetimes(&self) -> (u32, u32) {
        (
            self.valid_lft.unwrap_or(FOREVER),
            self.preferred_lft.unwrap_or(FOREVER),
        )
    }
}

impl fmt::Display for AddressSpec {
    /// How errors name it, in the caller's words: `address 10.1.1.2/24 dev
    /// veth0` (`dev #3` for an index).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.options.peer {
            Some(p) => write!(f, "address {} peer {p}", self.net.addr())?,
            None => write!(f, "address {}", self.net)?,
        }
        write!(f, " dev {}", self.dev.word())
    }
}

/// The scope `ip addr add` gives an address when none is asked: `host` for
/// 127.0.0.0/8, `global` otherwise.
pub(super) fn default_scope(ip: &IpAddr) -> u8 {
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
        if opts.valid_lft.is_some() || opts.preferred_lft.is_some() {
            let (valid, preferred) = opts.lifetimes();
            let mut info = CacheInfo::default();
            info.ifa_preferred = preferred;
            info.ifa_valid = valid;
            msg.attributes.push(AddressAttribute::CacheInfo(info));
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

impl Handle {
    /// The addresses of this namespace, filtered by the kernel
    /// (`RTM_GETADDR` dump with `ifa_family` and `ifa_index` set; with
    /// `NETLINK_GET_STRICT_CHK` the kernel returns only what matches). A
    /// device named in the filter is looked up first.
    ///
    /// The whole dump is read into the socket's receive buffer; the iterator
    /// yields views into it, so iterating allocates nothing.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a device that does not exist
    /// ([`Error::is_lookup`]), or a socket error.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::addr::{AddressFilter, Family};
    /// let mut h = netns_core::Handle::current()?;
    /// for a in h.addresses(AddressFilter::new().dev("lo").family(Family::Inet))? {
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
        let index = filter.dev.as_ref().map(|d| self.dev_index(d)).transpose()?;
        msg.header.index = index.map_or(0, IfIndex::get);
        let request = RouteNetlinkMessage::GetAddress(msg);
        let object = match &filter.dev {
            Some(d) => format!("addresses of {}", d.as_id()),
            None => "addresses".to_owned(),
        };
        let messages = self
            .socket()
            .dump(&Request::new(request, "list", &object))?;
        Ok(Addresses {
            messages,
            index: index.map(IfIndex::get),
        })
    }

    /// Adds an address as `ip addr add NET dev X [brd …] [scope …]` does:
    /// the device looked up, then `RTM_NEWADDR` with `NLM_F_CREATE |
    /// NLM_F_EXCL`, `IFA_LOCAL` and `IFA_ADDRESS` both set to the address,
    /// scope `global` (`host` for 127.0.0.0/8), no broadcast address unless
    /// asked. The kernel adds the prefix route (`proto kernel scope link`)
    /// and the local-table routes.
    ///
    /// # Errors
    /// [`AddressSpec::validate`]'s refusal; [`ErrorKind::NotFound`] for a
    /// missing device ([`Error::is_lookup`]); [`ErrorKind::AlreadyExists`]
    /// (kernel: `ipv4: Address already assigned`), or another refusal with
    /// the kernel's text.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::addr::AddressSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// h.address_add(&AddressSpec::new("veth0", "10.1.1.2/24".parse()?))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_NEWADDR")]
    pub fn address_add(&mut self, spec: &AddressSpec) -> Result<()> {
        self.change_address(spec, "add", NLM_F_CREATE | NLM_F_EXCL)
    }

    /// Adds an address or replaces the one the device already has with the
    /// same address and prefix length (`NLM_F_CREATE | NLM_F_REPLACE`), as
    /// `ip addr replace`.
    ///
    /// # Errors
    /// As [`Handle::address_add`], less `AlreadyExists`.
    pub fn address_replace(&mut self, spec: &AddressSpec) -> Result<()> {
        self.change_address(spec, "replace", NLM_F_CREATE | NLM_F_REPLACE)
    }

    fn change_address(&mut self, spec: &AddressSpec, op: &'static str, flags: u16) -> Result<()> {
        spec.validate()?;
        let index = self.dev_index(&spec.dev)?;
        let msg = spec.message(index, true);
        self.socket().execute(
            &Request::new(RouteNetlinkMessage::NewAddress(msg), op, spec).with_flags(flags),
        )
    }

    /// Adds many addresses, each as [`Handle::address_add`] does, with as
    /// few `send` calls as possible
    /// ([`Socket::batch`](crate::netlink::Socket::batch)); the devices are
    /// resolved first (one link dump when more than a few are named), so
    /// nothing is sent when one is missing.
    ///
    /// # Errors
    /// A [`BatchError`]: the index of the first address that failed, how
    /// many were sent, and the error (with the kernel's text). Addresses
    /// before the index were added.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::addr::AddressSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// h.addresses_add(&[
    ///     AddressSpec::new("veth0", "10.1.1.2/32".parse()?),
    ///     AddressSpec::new("veth0", "10.1.1.3/32".parse()?),
    /// ])?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn addresses_add(&mut self, specs: &[AddressSpec]) -> Result<(), BatchError> {
        let fail = BatchError::unsent;
        let table = self
            .dev_table(specs.iter().map(|s| &s.dev))
            .map_err(fail(0))?;
        let mut requests = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            spec.validate().map_err(fail(i))?;
            let index = self.dev_index_in(&table, &spec.dev).map_err(fail(i))?;
            requests.push(
                Request::new(
                    RouteNetlinkMessage::NewAddress(spec.message(index, true)),
                    "add",
                    spec,
                )
                .with_flags(NLM_F_CREATE | NLM_F_EXCL),
            );
        }
        self.socket().batch(&requests)
    }

    /// Removes an address from its device (`RTM_DELADDR` with `IFA_LOCAL` =
    /// `IFA_ADDRESS` = the address and its prefix length: the kernel deletes
    /// the address matching all three). Only the spec's device and address
    /// are used.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`]: for a missing device ([`Error::is_lookup`]),
    /// or (`EADDRNOTAVAIL`, kernel: `ipv4: Address not found`) when no such
    /// address is on the device.
    #[doc(alias = "RTM_DELADDR")]
    pub fn address_del(&mut self, spec: &AddressSpec) -> Result<()> {
        let index = self.dev_index(&spec.dev)?;
        self.socket()
            .execute(&Request::new(
                RouteNetlinkMessage::DelAddress(spec.message(index, false)),
                "delete",
                spec,
            ))
            .map_err(not_found_on_eaddrnotavail)
    }

    /// Removes every address of `family` (`None` = both) from `dev`, as `ip
    /// addr flush dev X`: one filtered dump, then all the `RTM_DELADDR`s in
    /// one batch, IPv4 secondaries before primaries (the kernel deletes a
    /// primary's secondaries with it). Returns how many addresses were
    /// removed.
    ///
    /// # Errors
    /// A missing device ([`Error::is_lookup`]), the dump's or the first
    /// delete's refusal.
    pub fn address_flush(&mut self, dev: &Dev, family: Option<Family>) -> Result<usize> {
        let index = self.dev_index(dev)?;
        let filter = AddressFilter {
            family,
            dev: Some(Dev::Index(index)),
        };
        let mut doomed: Vec<(bool, AddressSpec)> = self
            .addresses(filter)?
            .filter_map(|a| {
                let spec = AddressSpec::new(dev.clone(), a.net()?);
                Some((a.flags() & IFA_F_SECONDARY == 0, spec))
            })
            .collect();
        // Secondaries (false) first.
        doomed.sort_by_key(|(primary, _)| *primary);
        let requests: Vec<Request<'_>> = doomed
            .iter()
            .map(|(_, spec)| {
                Request::new(
                    RouteNetlinkMessage::DelAddress(spec.message(index, false)),
                    "delete",
                    spec,
                )
            })
            .collect();
        self.socket()
            .batch(&requests)
            .map_err(|e| not_found_on_eaddrnotavail(e.error))?;
        Ok(requests.len())
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
