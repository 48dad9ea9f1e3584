//! Reading addresses: [`AddressRef`] (a view of one `RTM_NEWADDR` in the
//! receive buffer), [`Address`] (an owned copy), the dump iterator and its
//! kernel-side filter.

#[allow(clippy::wildcard_imports)]
use super::*;

/// One address as the kernel sent it (`RTM_NEWADDR`: `struct ifaddrmsg` and
/// `IFA_*` attributes), read in place in the socket's receive buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct AddressRef<'a> {
    header: &'a [u8],
    attrs: &'a [u8],
}

impl<'a> AddressRef<'a> {
    /// A view over the payload of an `RTM_NEWADDR`/`RTM_DELADDR` message
    /// (after the netlink header).
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`] when the payload is shorter than
    /// `struct ifaddrmsg` or its attributes are badly framed.
    pub fn parse(payload: &'a [u8]) -> Result<AddressRef<'a>> {
        let (header, attrs) = attr::split_payload(
            payload,
            IFADDRMSG_LEN,
            "address message",
            "struct ifaddrmsg",
        )?;
        Ok(AddressRef { header, attrs })
    }

    /// `ifa_family` as the kernel wrote it.
    pub fn family_raw(&self) -> u8 {
        self.header[0]
    }
    /// The family, when IPv4 or IPv6.
    pub fn family(&self) -> Option<Family> {
        Family::from_raw(self.family_raw())
    }
    /// `ifa_prefixlen`.
    pub fn prefix_len(&self) -> u8 {
        self.header[1]
    }
    /// `ifa_scope` (`0` global, `253` link, `254` host; see
    /// [`crate::route::scope_name`]).
    pub fn scope(&self) -> u8 {
        self.header[3]
    }
    /// `ifa_index`: the interface index.
    pub fn ifindex(&self) -> u32 {
        u32::from_ne_bytes([
            self.header[4],
            self.header[5],
            self.header[6],
            self.header[7],
        ])
    }
    /// The `IFA_F_*` flags: `IFA_FLAGS` (32 bits) when present, else the
    /// 8 bits of `ifa_flags`.
    pub fn flags(&self) -> u32 {
        self.attr(IFA_FLAGS)
            .and_then(attr::u32_ne)
            .unwrap_or(u32::from(self.header[2]))
    }
    /// `IFA_LOCAL`: the interface's own address (IPv4; absent for IPv6).
    pub fn local(&self) -> Option<IpAddr> {
        self.attr(IFA_LOCAL).and_then(attr::ip)
    }
    /// `IFA_ADDRESS`: the prefix address (the peer on point-to-point links;
    /// the address itself for IPv6).
    pub fn address(&self) -> Option<IpAddr> {
        self.attr(IFA_ADDRESS).and_then(attr::ip)
    }
    /// The other end of a point-to-point address: `IFA_ADDRESS` when it
    /// differs from `IFA_LOCAL` (`ip addr` prints `peer ADDR/PLEN`).
    pub fn peer(&self) -> Option<IpAddr> {
        match (self.local(), self.address()) {
            (Some(l), Some(a)) if l != a => Some(a),
            _ => None,
        }
    }
    /// The address `ip addr` prints: `IFA_LOCAL`, or `IFA_ADDRESS` without it.
    pub fn ip(&self) -> Option<IpAddr> {
        self.local().or_else(|| self.address())
    }
    /// [`AddressRef::ip`] with the prefix length.
    pub fn net(&self) -> Option<IpNet> {
        self.ip()
            .and_then(|ip| IpNet::new(ip, self.prefix_len()).ok())
    }
    /// `IFA_BROADCAST` (IPv4).
    pub fn broadcast(&self) -> Option<Ipv4Addr> {
        match self.attr(IFA_BROADCAST).and_then(attr::ip) {
            Some(IpAddr::V4(b)) => Some(b),
            _ => None,
        }
    }
    /// `IFA_LABEL` (IPv4): the interface name, or an alias such as `eth0:1`.
    pub fn label(&self) -> Option<&'a str> {
        self.attr(IFA_LABEL).and_then(attr::c_str)
    }
    /// `IFA_RT_PRIORITY`: the metric of the prefix route.
    pub fn route_priority(&self) -> Option<u32> {
        self.attr(IFA_RT_PRIORITY).and_then(attr::u32_ne)
    }
    /// `IFA_PROTO`: who added the address, when recorded.
    pub fn protocol(&self) -> Option<u8> {
        self.attr(IFA_PROTO).and_then(|v| v.first().copied())
    }
    /// `(preferred, valid)` lifetimes in seconds from `IFA_CACHEINFO`
    /// (`u32::MAX` = forever).
    pub fn lifetimes(&self) -> Option<(u32, u32)> {
        let v = self.attr(IFA_CACHEINFO)?;
        Some((attr::u32_ne(v)?, attr::u32_ne(v.get(4..)?)?))
    }
    /// The value of any attribute, borrowed in place.
    pub fn attr(&self, kind: u16) -> Option<&'a [u8]> {
        attr::find(self.attrs, kind)
    }

    /// An owned copy of what `ip addr` shows.
    pub fn to_owned(&self) -> Address {
        let (preferred_lifetime, valid_lifetime) = self.lifetimes().unwrap_or((u32::MAX, u32::MAX));
        Address {
            ifindex: self.ifindex(),
            family: self.family(),
            prefix_len: self.prefix_len(),
            scope: self.scope(),
            flags: self.flags(),
            local: self.local(),
            address: self.address(),
            broadcast: self.broadcast(),
            label: self.label().map(str::to_owned),
            route_priority: self.route_priority(),
            preferred_lifetime,
            valid_lifetime,
        }
    }
}

impl fmt::Debug for AddressRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddressRef")
            .field("ifindex", &self.ifindex())
            .field("ip", &self.ip())
            .field("prefix_len", &self.prefix_len())
            .field("scope", &self.scope())
            .field("flags", &format_args!("{:#x}", self.flags()))
            .finish()
    }
}

/// An owned address: [`AddressRef::to_owned`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Address {
    /// The interface index.
    pub ifindex: u32,
    /// IPv4 or IPv6 (`None` for another family).
    pub family: Option<Family>,
    /// The prefix length.
    pub prefix_len: u8,
    /// `ifa_scope`.
    pub scope: u8,
    /// `IFA_F_*` flags.
    pub flags: u32,
    /// `IFA_LOCAL`.
    pub local: Option<IpAddr>,
    /// `IFA_ADDRESS`.
    pub address: Option<IpAddr>,
    /// `IFA_BROADCAST`.
    pub broadcast: Option<Ipv4Addr>,
    /// `IFA_LABEL`.
    pub label: Option<String>,
    /// `IFA_RT_PRIORITY`.
    pub route_priority: Option<u32>,
    /// Preferred lifetime in seconds (`u32::MAX` = forever).
    pub preferred_lifetime: u32,
    /// Valid lifetime in seconds (`u32::MAX` = forever).
    pub valid_lifetime: u32,
}

impl Address {
    /// The other end of a point-to-point address: `IFA_ADDRESS` when it
    /// differs from `IFA_LOCAL` (`ip addr` prints `peer ADDR/PLEN`).
    pub fn peer(&self) -> Option<IpAddr> {
        match (self.local, self.address) {
            (Some(l), Some(a)) if l != a => Some(a),
            _ => None,
        }
    }
    /// The address `ip addr` prints: `IFA_LOCAL`, or `IFA_ADDRESS` without it.
    pub fn ip(&self) -> Option<IpAddr> {
        self.local.or(self.address)
    }
    /// [`Address::ip`] with the prefix length.
    pub fn net(&self) -> Option<IpNet> {
        self.ip()
            .and_then(|ip| IpNet::new(ip, self.prefix_len).ok())
    }
}

/// The addresses of a dump, in the kernel's order, borrowed from the
/// socket's receive buffer (checked when the dump was received).
///
/// [`Addresses::is_consistent`] says whether the kernel's dump was consistent.
#[derive(Debug, Clone)]
pub struct Addresses<'a> {
    pub(super) messages: crate::netlink::Messages<'a>,
    /// The filter's device, checked again here (the kernel filters with
    /// strict checking; this keeps the promise without it).
    pub(super) index: Option<u32>,
}

impl Addresses<'_> {
    /// False when the address dump was interrupted (`NLM_F_DUMP_INTR`) on
    /// every attempt (e.g. IPv6 link-local addresses still being added after
    /// many links came up): these are the last attempt's addresses, and some
    /// may be missing or shown twice. See
    /// [`Messages::is_consistent`](crate::netlink::Messages::is_consistent).
    #[doc(alias = "NLM_F_DUMP_INTR")]
    pub fn is_consistent(&self) -> bool {
        self.messages.is_consistent()
    }
}

impl<'a> Iterator for Addresses<'a> {
    type Item = AddressRef<'a>;

    fn next(&mut self) -> Option<AddressRef<'a>> {
        self.messages
            .by_ref()
            .filter(|m| m.message_type() == RTM_NEWADDR)
            .filter_map(|m| AddressRef::parse(m.payload()).ok())
            .find(|a| self.index.is_none_or(|i| a.ifindex() == i))
    }
}

/// Which addresses [`Handle::addresses`] asks for; both fields are applied
/// by the kernel (`NETLINK_GET_STRICT_CHK`), not by filtering a full dump.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AddressFilter {
    /// Only this family (`ifa_family` of the request); `None` = both.
    pub family: Option<Family>,
    /// Only this device (`ifa_index` of the request, a name looked up by
    /// [`Handle::addresses`]); `None` = all.
    pub dev: Option<Dev>,
}

impl AddressFilter {
    /// Every address.
    pub fn new() -> Self {
        AddressFilter::default()
    }
    /// Only addresses of `family`.
    pub fn family(mut self, family: Family) -> Self {
        self.family = Some(family);
        self
    }
    /// Only addresses of `dev` (a name or an index).
    pub fn dev(mut self, dev: impl Into<Dev>) -> Self {
        self.dev = Some(dev.into());
        self
    }
}
