//! IP addresses of links: list, add, delete, flush (`RTM_*ADDR`), IPv4 and
//! IPv6, and the [`IpNet`] type (an address with a validated prefix length).
//!
//! | method                      | message                                   | `ip` equivalent                    |
//! |-----------------------------|-------------------------------------------|------------------------------------|
//! | [`Handle::addresses`]       | `RTM_GETADDR` dump, filtered by the kernel | `ip addr show [dev X]`             |
//! | [`Handle::address_add`]     | `RTM_NEWADDR` + `NLM_F_CREATE│NLM_F_EXCL`  | `ip addr add A/P dev X [brd +]`    |
//! | [`Handle::address_replace`] | `RTM_NEWADDR` + `NLM_F_CREATE│NLM_F_REPLACE` | `ip addr replace A/P dev X`      |
//! | [`Handle::addresses_add`]   | many `RTM_NEWADDR`, batched                | `ip -batch`                        |
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
//! # Devices
//!
//! An [`AddressSpec`] names its device by name or index ([`Dev`]); the
//! handle looks names up itself ([`Handle::dev_index`]: one `RTM_GETLINK` +
//! `IFLA_IFNAME` request, or one link dump for a batch naming many), and a
//! device that does not exist is an error whose [`Error::is_lookup`] is
//! true. [`Handle::interface_names`] maps every index to its name (one link
//! dump), for printing.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use netlink_packet_route::address::{
    AddressAttribute, AddressFlags, AddressHeaderFlags, AddressMessage, AddressScope, CacheInfo,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use crate::link::{Dev, IfIndex};
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

mod change;
mod ensure;
#[cfg(test)]
mod tests;
mod view;

pub use change::{lifetime_text, parse_lifetime, AddressOptions, AddressSpec, Broadcast, FOREVER};
pub use view::{Address, AddressFilter, AddressRef, Addresses};
