//! IP addresses of links: list, add, delete, flush (`RTM_*ADDR`), IPv4 and
//! IPv6, and the [`IpNet`] type (an address with a validated prefix length).
//!
//! | method                      | message                                   | `ip` equivalent                    |
//! |-----------------------------|-------------------------------------------|------------------------------------|
//! | [`Handle::addresses`]       | `RTM_GETADDR` dump, filtered by the kernel | `ip addr show [dev X]`             |
//! | [`Handle::address_add`]     | `RTM_NEWADDR` + `NLM_F_CREATE│NLM_F_EXCL`  | `ip addr add A/P dev X`            |
//! | [`Handle::address_add_with`]| the same, with broadcast / scope / label   | `ip addr add A/P brd + dev X`      |
//! | [`Handle::address_del`]     | `RTM_DELADDR`                              | `ip addr del A/P dev X`            |
//! | [`Handle::address_flush`]   | a filtered dump, then batched `RTM_DELADDR` | `ip addr flush dev X`              |
//!
//! Replies are read in place: [`Handle::addresses`] yields [`AddressRef`]s,
//! borrowed views over the socket's receive buffer whose accessors find the
//! `IFA_*` attributes where they lie; [`AddressRef::to_owned`]
//! gives an owned [`Address`] when one is wanted.
//!
//! # What is sent, as iproute2 6.x sends it
//!
//! `ip addr add 10.1.1.1/24 dev X` sends `ifa_prefixlen = 24`, `ifa_scope = 0`
//! (universe; `host` for `127.0.0.0/8`), `IFA_LOCAL = IFA_ADDRESS = 10.1.1.1`,
//! and **no** `IFA_BROADCAST`: iproute2 6.1 (checked on this machine) sets a
//! broadcast address only when asked with `brd +` (host bits set), `brd -`
//! (host bits clear) or `brd ADDR`. The kernel still adds the
//! `broadcast 10.1.1.255` route of the local table either way. [`Handle::address_add`]
//! does the same; [`Broadcast`] selects the other forms.
//!
//! # Interface names
//!
//! The methods take interface indexes. [`Handle::resolve_ifindex`] turns a
//! name into an index with the link module's kernel-side lookup
//! ([`Handle::link_index`]: one `RTM_GETLINK` + `IFLA_IFNAME` request, no
//! dump), and [`Handle::interface_names`] maps every index to its name (one
//! link dump), for printing.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeaderFlags, AddressMessage, AddressScope,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::netlink::uapi::{
    IFA_ADDRESS, IFA_BROADCAST, IFA_CACHEINFO, IFA_FLAGS, IFA_LABEL, IFA_LOCAL, IFA_PROTO,
    IFA_RT_PRIORITY,
};
use crate::netlink::{
    attr, BatchError, Request, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_NEWADDR,
};
use crate::{Errno, Error, ErrorKind, Handle, Result};

/// `AF_INET`.
const AF_INET: u8 = 2;
/// `AF_INET6`.
const AF_INET6: u8 = 10;
/// `sizeof(struct ifaddrmsg)`.
const IFADDRMSG_LEN: usize = 8;

/// `IFA_F_SECONDARY`: a secondary (not the first) IPv4 address of its subnet.
pub const IFA_F_SECONDARY: u32 = 0x01;
/// `IFA_F_NODAD`: no duplicate address detection (IPv6).
pub const IFA_F_NODAD: u32 = 0x02;
/// `IFA_F_DADFAILED`: duplicate address detection failed (IPv6).
pub const IFA_F_DADFAILED: u32 = 0x08;
/// `IFA_F_DEPRECATED`: the preferred lifetime is over (IPv6).
pub const IFA_F_DEPRECATED: u32 = 0x20;
/// `IFA_F_TENTATIVE`: duplicate address detection has not finished (IPv6).
pub const IFA_F_TENTATIVE: u32 = 0x40;
/// `IFA_F_PERMANENT`: configured, not autoconfigured (IPv6).
pub const IFA_F_PERMANENT: u32 = 0x80;
/// `IFA_F_NOPREFIXROUTE`: no prefix route was added for the address.
pub const IFA_F_NOPREFIXROUTE: u32 = 0x200;

/// An address family: IPv4 or IPv6. Filters take `Option<Family>`, `None`
/// meaning both.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// IPv4 (`AF_INET`).
    Inet,
    /// IPv6 (`AF_INET6`).
    Inet6,
}

impl Family {
    /// The family of `ip`.
    pub fn of(ip: &IpAddr) -> Family {
        match ip {
            IpAddr::V4(_) => Family::Inet,
            IpAddr::V6(_) => Family::Inet6,
        }
    }

    /// The kernel's `AF_*` number.
    pub fn to_raw(self) -> u8 {
        match self {
            Family::Inet => AF_INET,
            Family::Inet6 => AF_INET6,
        }
    }

    /// The family of an `AF_*` number, when it is IPv4 or IPv6.
    pub fn from_raw(af: u8) -> Option<Family> {
        match af {
            AF_INET => Some(Family::Inet),
            AF_INET6 => Some(Family::Inet6),
            _ => None,
        }
    }

    /// `"inet"` or `"inet6"`, as `ip` names them.
    pub fn name(self) -> &'static str {
        match self {
            Family::Inet => "inet",
            Family::Inet6 => "inet6",
        }
    }

    /// The length of an address of this family in bits (32 or 128).
    pub fn max_prefix_len(self) -> u8 {
        match self {
            Family::Inet => 32,
            Family::Inet6 => 128,
        }
    }

    pub(crate) fn to_packet(self) -> AddressFamily {
        match self {
            Family::Inet => AddressFamily::Inet,
            Family::Inet6 => AddressFamily::Inet6,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An IP address with a prefix length that fits its family
/// (`10.1.1.1/24`, `2001:db8::1/64`). The host bits are kept: `10.1.1.1/24`
/// is the address 10.1.1.1 on the subnet 10.1.1.0/24.
///
/// # Examples
/// ```
/// use netns_core::addr::IpNet;
/// let net: IpNet = "10.1.1.1/24".parse()?;
/// assert_eq!(net.prefix_len(), 24);
/// assert_eq!(net.network().to_string(), "10.1.1.0/24");
/// assert_eq!(net.broadcast().map(|b| b.to_string()).as_deref(), Some("10.1.1.255"));
/// assert!("10.1.1.1/33".parse::<IpNet>().is_err());
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpNet {
    addr: IpAddr,
    prefix_len: u8,
}

impl IpNet {
    /// `addr/prefix_len`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when the prefix length is longer than
    /// the address (32 for IPv4, 128 for IPv6).
    pub fn new(addr: IpAddr, prefix_len: u8) -> Result<IpNet> {
        let max = Family::of(&addr).max_prefix_len();
        if prefix_len > max {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "use",
                format!("prefix {addr}/{prefix_len}"),
            )
            .with_detail(format!(
                "the prefix length of an {} address is at most {max}",
                Family::of(&addr)
            )));
        }
        Ok(IpNet { addr, prefix_len })
    }

    /// The host prefix of `addr` (`/32` or `/128`).
    pub fn host(addr: IpAddr) -> IpNet {
        IpNet {
            addr,
            prefix_len: Family::of(&addr).max_prefix_len(),
        }
    }

    /// The address (host bits kept).
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length.
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// The family of the address.
    pub fn family(&self) -> Family {
        Family::of(&self.addr)
    }

    /// Whether the prefix is a single host (`/32`, `/128`).
    pub fn is_host(&self) -> bool {
        self.prefix_len == self.family().max_prefix_len()
    }

    /// The subnet: the address with its host bits cleared.
    pub fn network(&self) -> IpNet {
        let addr = match self.addr {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & v4_mask(self.prefix_len))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & v6_mask(self.prefix_len))),
        };
        IpNet {
            addr,
            prefix_len: self.prefix_len,
        }
    }

    /// The IPv4 broadcast address of the subnet (host bits set), as `brd +`
    /// computes it; `None` for IPv6 and for `/31` and `/32`, where `ip` sets
    /// none either.
    pub fn broadcast(&self) -> Option<Ipv4Addr> {
        match self.addr {
            IpAddr::V4(a) if self.prefix_len < 31 => {
                Some(Ipv4Addr::from(u32::from(a) | !v4_mask(self.prefix_len)))
            }
            _ => None,
        }
    }

    /// Whether `ip` lies in this prefix.
    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let m = v4_mask(self.prefix_len);
                u32::from(a) & m == u32::from(*b) & m
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let m = v6_mask(self.prefix_len);
                u128::from(a) & m == u128::from(*b) & m
            }
            _ => false,
        }
    }
}

fn v4_mask(len: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(len.min(32)))
        .unwrap_or(0)
}

fn v6_mask(len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(len.min(128)))
        .unwrap_or(0)
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

impl FromStr for IpNet {
    type Err = Error;

    /// Parses `ADDR/LEN`, or a bare `ADDR` as a host prefix.
    fn from_str(s: &str) -> Result<IpNet> {
        let bad = |why: &str| {
            Error::new(ErrorKind::InvalidArgument, "parse", format!("prefix {s:?}"))
                .with_detail(why.to_string())
        };
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| bad("not an IPv4 or IPv6 address"))?;
        match len {
            None => Ok(IpNet::host(addr)),
            Some(l) => {
                let len: u8 = l
                    .parse()
                    .ok()
                    .filter(|_| !l.starts_with('+'))
                    .ok_or_else(|| bad("the prefix length is not a number"))?;
                IpNet::new(addr, len).map_err(|e| e.context("parse", format!("prefix {s:?}")))
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Reading addresses.

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
        let bad = || Error::new(ErrorKind::Protocol, "read", "address message");
        if payload.len() < IFADDRMSG_LEN {
            return Err(bad().with_detail("shorter than struct ifaddrmsg"));
        }
        let (header, attrs) = payload.split_at(IFADDRMSG_LEN);
        if !attr::well_formed(attrs) {
            return Err(bad().with_detail("badly framed attributes"));
        }
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
#[derive(Debug, Clone)]
pub struct Addresses<'a> {
    messages: crate::netlink::Messages<'a>,
}

impl<'a> Iterator for Addresses<'a> {
    type Item = AddressRef<'a>;

    fn next(&mut self) -> Option<AddressRef<'a>> {
        self.messages
            .by_ref()
            .filter(|m| m.message_type() == RTM_NEWADDR)
            .find_map(|m| AddressRef::parse(m.payload()).ok())
    }
}

/// Which addresses [`Handle::addresses`] asks for; both fields are applied
/// by the kernel (`NETLINK_GET_STRICT_CHK`), not by filtering a full dump.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AddressFilter {
    /// Only this family (`ifa_family` of the request); `None` = both.
    pub family: Option<Family>,
    /// Only this interface (`ifa_index` of the request); `None` = all.
    pub ifindex: Option<u32>,
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
    /// Only addresses of interface `ifindex`.
    pub fn ifindex(mut self, ifindex: u32) -> Self {
        self.ifindex = Some(ifindex);
        self
    }
}

// ---------------------------------------------------------------------------
// Changing addresses.

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
    fn resolve(self, net: &IpNet) -> Option<Ipv4Addr> {
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
fn address_message(ifindex: u32, net: &IpNet, opts: Option<&AddressOptions>) -> AddressMessage {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipnet_parses_and_refuses_with_clear_errors() {
        let n: IpNet = "10.1.1.1/24".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (n.addr(), n.prefix_len()),
            (IpAddr::from([10, 1, 1, 1]), 24)
        );
        assert_eq!(n.network().to_string(), "10.1.1.0/24");
        assert_eq!(n.broadcast(), Some(Ipv4Addr::new(10, 1, 1, 255)));
        assert_eq!(
            "10.0.0.1".parse::<IpNet>().map(|n| n.prefix_len()).ok(),
            Some(32)
        );
        assert_eq!(
            "2001:db8::1/64"
                .parse::<IpNet>()
                .map(|n| n.network().to_string())
                .ok()
                .as_deref(),
            Some("2001:db8::/64")
        );
        let e = "10.1.1.1/33".parse::<IpNet>().err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("cannot parse prefix \"10.1.1.1/33\": invalid argument: the prefix length of an inet address is at most 32")
        );
        let e = "10.1.1/24".parse::<IpNet>().err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some(
                "cannot parse prefix \"10.1.1/24\": invalid argument: not an IPv4 or IPv6 address"
            )
        );
        assert!("10.1.1.1/+4".parse::<IpNet>().is_err());
        assert!("10.1.1.1/".parse::<IpNet>().is_err());
        assert!("::1/129".parse::<IpNet>().is_err());
        assert_eq!(
            "0.0.0.0/0"
                .parse::<IpNet>()
                .map(|n| n.network().to_string())
                .ok()
                .as_deref(),
            Some("0.0.0.0/0")
        );
    }

    #[test]
    fn broadcast_forms_follow_iproute2() {
        let n: IpNet = "10.2.1.1/24".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Broadcast::Unset.resolve(&n), None);
        assert_eq!(
            Broadcast::HostBitsSet.resolve(&n),
            Some(Ipv4Addr::new(10, 2, 1, 255))
        );
        assert_eq!(
            Broadcast::HostBitsClear.resolve(&n),
            Some(Ipv4Addr::new(10, 2, 1, 0))
        );
        let p2p: IpNet = "10.2.1.1/31".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Broadcast::HostBitsSet.resolve(&p2p), None);
        let v6: IpNet = "2001:db8::1/64".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(Broadcast::HostBitsSet.resolve(&v6), None);
    }

    /// `ip addr add 10.1.1.1/24 brd + dev veth0` (ifindex 3), as the kernel
    /// dumps it (RTM_NEWADDR payload, captured on kernel 6.18).
    const ADDR_V4: [u8; 72] = [
        0x02, 0x18, 0x80, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x01,
        0x01, 0x08, 0x00, 0x02, 0x00, 0x0a, 0x01, 0x01, 0x01, 0x08, 0x00, 0x04, 0x00, 0x0a, 0x01,
        0x01, 0xff, 0x0a, 0x00, 0x03, 0x00, 0x76, 0x65, 0x74, 0x68, 0x30, 0x00, 0x00, 0x00, 0x08,
        0x00, 0x08, 0x00, 0x80, 0x00, 0x00, 0x00, 0x14, 0x00, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0x1a, 0x5d, 0x01, 0x00, 0x1a, 0x5d, 0x01, 0x00,
    ];

    /// `ip addr add 2001:db8::1/64 dev veth0 nodad`, as dumped.
    const ADDR_V6_NODAD: [u8; 56] = [
        0x0a, 0x40, 0x82, 0x00, 0x03, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x20, 0x01, 0x0d,
        0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x14, 0x00,
        0x06, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1a, 0x5d, 0x01, 0x00, 0x1a,
        0x5d, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x82, 0x00, 0x00, 0x00,
    ];

    /// The request `ip addr add 10.1.1.1/24 brd + dev veth0` sends (payload
    /// after the netlink header, from strace of iproute2 6.1).
    const IP_ADD_REQUEST: [u8; 32] = [
        0x02, 0x18, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x02, 0x00, 0x0a, 0x01, 0x01,
        0x01, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x01, 0x01, 0x01, 0x08, 0x00, 0x04, 0x00, 0x0a, 0x01,
        0x01, 0xff,
    ];

    #[test]
    fn kernel_ipv4_address_reads_in_place_and_round_trips() {
        let a = AddressRef::parse(&ADDR_V4).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.family(), Some(Family::Inet));
        assert_eq!((a.ifindex(), a.prefix_len(), a.scope()), (3, 24, 0));
        assert_eq!(a.flags(), IFA_F_PERMANENT);
        assert_eq!(a.local(), Some(IpAddr::from([10, 1, 1, 1])));
        assert_eq!(a.address(), Some(IpAddr::from([10, 1, 1, 1])));
        assert_eq!(a.broadcast(), Some(Ipv4Addr::new(10, 1, 1, 255)));
        assert_eq!(a.label(), Some("veth0"));
        assert_eq!(a.lifetimes(), Some((u32::MAX, u32::MAX)));
        assert_eq!(
            a.net().map(|n| n.to_string()).as_deref(),
            Some("10.1.1.1/24")
        );
        // netlink-packet-route reads the same bytes the same way, and emits
        // them back unchanged.
        use netlink_packet_core::{Emitable, Parseable};
        let owned = AddressMessage::parse(&ADDR_V4[..]).unwrap_or_else(|e| panic!("{e}"));
        assert!(owned
            .attributes
            .contains(&AddressAttribute::Broadcast(Ipv4Addr::new(10, 1, 1, 255))));
        let mut out = vec![0; owned.buffer_len()];
        owned.emit(&mut out);
        assert_eq!(out, ADDR_V4);
    }

    #[test]
    fn kernel_ipv6_address_flags_come_from_ifa_flags() {
        let a = AddressRef::parse(&ADDR_V6_NODAD).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.family(), Some(Family::Inet6));
        assert_eq!(a.local(), None);
        assert_eq!(
            a.ip().map(|i| i.to_string()).as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(a.flags(), IFA_F_PERMANENT | IFA_F_NODAD);
        assert_eq!(a.label(), None);
        let owned = a.to_owned();
        assert_eq!(
            (owned.ifindex, owned.prefix_len, owned.broadcast),
            (3, 64, None)
        );
    }

    #[test]
    fn requests_are_byte_for_byte_what_ip_sends() {
        use netlink_packet_core::Emitable;
        let net: IpNet = "10.1.1.1/24".parse().unwrap_or_else(|e| panic!("{e}"));
        let msg = address_message(
            3,
            &net,
            Some(&AddressOptions::new().broadcast(Broadcast::HostBitsSet)),
        );
        let mut out = vec![0; msg.buffer_len()];
        msg.emit(&mut out);
        assert_eq!(out, IP_ADD_REQUEST);
    }

    #[test]
    fn truncated_or_badly_framed_messages_are_refused() {
        assert!(AddressRef::parse(&ADDR_V4[..7]).is_err());
        assert!(AddressRef::parse(&ADDR_V4[..10]).is_err());
        let mut bad = ADDR_V4;
        bad[8] = 0xff; // first attribute claims 255 bytes
        assert_eq!(
            AddressRef::parse(&bad).err().map(|e| e.kind()),
            Some(ErrorKind::Protocol)
        );
    }
}
