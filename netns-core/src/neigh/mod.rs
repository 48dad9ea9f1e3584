//! Neighbours (the ARP and NDP caches, and proxy entries): add, replace,
//! change, delete, get, list and flush (`RTM_*NEIGH`), as `ip neigh` does.
//!
//! | method                    | message                                                  | `ip` equivalent                        |
//! |---------------------------|----------------------------------------------------------|----------------------------------------|
//! | [`Handle::neigh_add`]     | `RTM_NEWNEIGH` + `NLM_F_CREATE│NLM_F_EXCL`                | `ip neigh add ADDR lladdr L dev X`     |
//! | [`Handle::neighs_add`]    | many `RTM_NEWNEIGH`, batched                              | `ip -batch`                            |
//! | [`Handle::neigh_replace`] | `RTM_NEWNEIGH` + `NLM_F_CREATE│NLM_F_REPLACE`             | `ip neigh replace …`                   |
//! | [`Handle::neigh_change`]  | `RTM_NEWNEIGH` + `NLM_F_REPLACE`                          | `ip neigh change …`                    |
//! | [`Handle::neigh_del`]     | `RTM_DELNEIGH`                                            | `ip neigh del ADDR dev X`              |
//! | [`Handle::neigh_get`]     | `RTM_GETNEIGH` for one entry (no dump)                    | `ip neigh get ADDR dev X`              |
//! | [`Handle::neighbours`]    | `RTM_GETNEIGH` dump, device and proxy filtered by the kernel | `ip neigh show [dev X] [nud S] [proxy]` |
//! | [`Handle::neigh_flush`]   | filtered dumps, then batched `RTM_DELNEIGH`s              | `ip neigh flush dev X`                 |
//!
//! A [`NeighSpec`] is sent as iproute2 sends it: state `permanent` unless
//! another is given, `NDA_DST`, `NDA_LLADDR` when given, `ndm_flags` with
//! `NTF_PROXY`/`NTF_ROUTER`/`NTF_EXT_LEARNED`; its device is named in the
//! caller's words ([`Dev`]) and resolved here.
//!
//! iproute2's filters (6.x): `ip neigh show` without `nud` hides `noarp`
//! entries (and those in state `none`); `ip neigh flush` without `nud`
//! leaves `permanent` and `noarp` entries alone, and deletes `failed` ones
//! in its first round only; proxy and externally learned entries pass any
//! state filter. [`NeighFilter`] with no state does the same
//! ([`NeighFilter::states`]).
//!
//! Replies are read in place ([`NeighRef`]); [`NeighRef::to_owned`] gives an
//! owned [`Neighbour`].
//!
//! Bridge and vxlan forwarding entries (`bridge fdb`: family `AF_BRIDGE`)
//! use the same view and encoder: [`FdbSpec`], [`FdbFilter`], [`FdbQuery`],
//! [`FdbFlush`] and `Handle::fdb_*` ([`Handle::fdb_add`] …).
//! The idempotent forms (`neigh_add_exist_ok`, `fdb_del_missing_ok` …) are
//! described in [`crate::ensure`].

use crate::link::IfIndex;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourExtFlags, NeighbourFlags, NeighbourMessage,
    NeighbourState,
};
use netlink_packet_route::route::RouteProtocol;
use netlink_packet_route::RouteNetlinkMessage;

use crate::addr::{Family, IpNet};
use crate::link::{validate_link_name, Dev, HwAddr, LinkType};
use crate::netlink::uapi::{
    NTF_EXT_LEARNED, NTF_EXT_MANAGED, NTF_OFFLOADED, NTF_PROXY, NTF_ROUTER,
};
use crate::netlink::{BatchError, Request, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE};
use crate::{Errno, Error, ErrorKind, Handle, Result};

mod ensure;
mod fdb;
#[cfg(test)]
mod tests;
mod view;

pub use fdb::{
    parse_mac, FdbDisplay, FdbEntries, FdbEntry, FdbFilter, FdbFlush, FdbQuery, FdbSpec, FdbState,
    AF_BRIDGE, ETH_ALEN, NTF_MASTER, NTF_SELF, NTF_STICKY,
};
pub use view::{NeighCacheInfo, NeighRef, Neighbour, Neighbours};

/// `sizeof(struct ndmsg)`.
const NDMSG_LEN: usize = 12;
/// `MAX_ADDR_LEN`: the longest hardware address the kernel keeps.
pub const MAX_LLADDR_LEN: usize = 32;
/// How many dump-and-delete rounds [`Handle::neigh_flush`] runs at most
/// (iproute2's `MAX_ROUNDS`).
pub const MAX_FLUSH_ROUNDS: usize = 10;

/// A neighbour's state (`ndm_state`): a set of `NUD_*` bits, usually one.
///
/// Parsed from and printed as `ip` does: [`NeighState::from_str`] takes the
/// names of `ip neigh … nud STATE` (lower case, or a number of one bit);
/// `Display` prints the upper-case names `ip neigh show` prints, separated
/// by spaces (`REACHABLE`, `STALE`, `PERMANENT` …), nothing for `none`.
///
/// # Examples
/// ```
/// use netns_core::neigh::NeighState;
/// let s: NeighState = "reachable".parse()?;
/// assert_eq!(s, NeighState::REACHABLE);
/// assert_eq!(s.to_string(), "REACHABLE");
/// assert_eq!(NeighState::NONE.name(), Some("none"));
/// assert!("bogus".parse::<NeighState>().is_err());
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NeighState(pub u16);

impl NeighState {
    /// `NUD_NONE` (0): no state.
    pub const NONE: NeighState = NeighState(0x00);
    /// `NUD_INCOMPLETE`: resolution in progress.
    pub const INCOMPLETE: NeighState = NeighState(0x01);
    /// `NUD_REACHABLE`: confirmed recently.
    pub const REACHABLE: NeighState = NeighState(0x02);
    /// `NUD_STALE`: valid but unconfirmed.
    pub const STALE: NeighState = NeighState(0x04);
    /// `NUD_DELAY`: waiting before probing.
    pub const DELAY: NeighState = NeighState(0x08);
    /// `NUD_PROBE`: being probed.
    pub const PROBE: NeighState = NeighState(0x10);
    /// `NUD_FAILED`: resolution failed.
    pub const FAILED: NeighState = NeighState(0x20);
    /// `NUD_NOARP`: valid, no resolution needed (never expires).
    pub const NOARP: NeighState = NeighState(0x40);
    /// `NUD_PERMANENT`: set by the administrator, never expires (the state
    /// `ip neigh add` gives by default).
    pub const PERMANENT: NeighState = NeighState(0x80);

    /// Every state, by its `ip` name, in the order `ip` prints them.
    pub const NAMES: [(NeighState, &'static str); 8] = [
        (NeighState::INCOMPLETE, "incomplete"),
        (NeighState::REACHABLE, "reachable"),
        (NeighState::STALE, "stale"),
        (NeighState::DELAY, "delay"),
        (NeighState::PROBE, "probe"),
        (NeighState::FAILED, "failed"),
        (NeighState::NOARP, "noarp"),
        (NeighState::PERMANENT, "permanent"),
    ];

    /// The raw `NUD_*` bits.
    pub fn bits(self) -> u16 {
        self.0
    }

    /// Whether every bit of `other` is set here (`NONE` contains only
    /// `NONE`).
    pub fn contains(self, other: NeighState) -> bool {
        if other.0 == 0 {
            return self.0 == 0;
        }
        self.0 & other.0 == other.0
    }

    /// The lower-case `ip` name of a single state (`"reachable"`, `"none"`);
    /// `None` for a combination or an unknown bit.
    pub fn name(self) -> Option<&'static str> {
        if self.0 == 0 {
            return Some("none");
        }
        NeighState::NAMES
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, n)| *n)
    }
}

impl FromStr for NeighState {
    type Err = Error;

    /// `ip neigh … nud STATE`: `permanent`, `noarp`, `stale`, `reachable`,
    /// `none`, `incomplete`, `delay`, `probe`, `failed` (iproute2 also takes
    /// an unambiguous prefix of `permanent`, `reachable` and `failed`, and a
    /// number with one bit below 0x100).
    fn from_str(s: &str) -> Result<NeighState> {
        let prefix_of = |full: &str| !s.is_empty() && full.starts_with(s);
        let exact = match s {
            "noarp" => Some(NeighState::NOARP),
            "none" => Some(NeighState::NONE),
            "stale" => Some(NeighState::STALE),
            "incomplete" => Some(NeighState::INCOMPLETE),
            "delay" => Some(NeighState::DELAY),
            "probe" => Some(NeighState::PROBE),
            _ => None,
        };
        // ip tries permanent, reachable, … failed in this order, the first
        // three with `matches` (a prefix).
        let found = if prefix_of("permanent") {
            Some(NeighState::PERMANENT)
        } else if prefix_of("reachable") {
            Some(NeighState::REACHABLE)
        } else if exact.is_some() {
            exact
        } else if prefix_of("failed") {
            Some(NeighState::FAILED)
        } else {
            parse_number(s).and_then(|n| {
                (n < 0x100 && n & n.wrapping_sub(1) == 0).then_some(NeighState(n as u16))
            })
        };
        found.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                "parse",
                format!("neighbour state {s:?}"),
            )
            .with_detail(
                "a state is permanent, noarp, stale, reachable, none, incomplete, delay, probe or failed",
            )
        })
    }
}

/// A number as iproute2's `get_unsigned(…, 0)` reads it: decimal, `0x` hex
/// or `0` octal.
fn parse_number(s: &str) -> Option<u32> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

impl fmt::Display for NeighState {
    /// As `ip neigh show` prints a state: the upper-case names of its bits
    /// separated by spaces; nothing for `NUD_NONE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (state, name) in NeighState::NAMES {
            if self.0 & state.0 != 0 {
                if !first {
                    f.write_str(" ")?;
                }
                first = false;
                for c in name.chars() {
                    write!(f, "{}", c.to_ascii_uppercase())?;
                }
            }
        }
        Ok(())
    }
}

/// Parses a link-layer address as `ip neigh … lladdr` takes it: bytes in
/// hexadecimal separated by `:` (`02:00:00:00:00:01`), at most
/// [`MAX_LLADDR_LEN`] bytes. (`ip`'s `lladdr null` is "no address":
/// leave [`NeighSpec::mac`] unset.)
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] naming the text.
///
/// # Examples
/// ```
/// let mac = netns_core::neigh::parse_lladdr("02:00:00:00:00:0a")?;
/// assert_eq!(mac, vec![2, 0, 0, 0, 0, 10]);
/// assert!(netns_core::neigh::parse_lladdr("02:00:zz").is_err());
/// # Ok::<(), netns_core::Error>(())
/// ```
pub fn parse_lladdr(s: &str) -> Result<Vec<u8>> {
    let bad = |why: &str| {
        Error::new(
            ErrorKind::InvalidArgument,
            "parse",
            format!("link-layer address {s:?}"),
        )
        .with_detail(why.to_owned())
    };
    let mut out = Vec::new();
    for part in s.split(':') {
        if part.is_empty() || part.len() > 2 {
            return Err(bad("expected hexadecimal bytes separated by ':'"));
        }
        out.push(
            u8::from_str_radix(part, 16)
                .map_err(|_| bad("expected hexadecimal bytes separated by ':'"))?,
        );
    }
    if out.len() > MAX_LLADDR_LEN {
        return Err(bad("longer than 32 bytes"));
    }
    Ok(out)
}

/// A neighbour entry to add, replace, change or delete (`ip neigh add|
/// replace|change|del ADDR [lladdr L] [nud S] [proxy] [router]
/// [extern_learn] dev X`), owned; its device is resolved on the handle it is
/// sent on.
///
/// # Examples
/// ```
/// use netns_core::neigh::{NeighSpec, NeighState};
/// let spec = NeighSpec::new("10.0.0.2".parse().unwrap(), "veth0")
///     .mac(vec![2, 0, 0, 0, 0, 2])
///     .state(NeighState::REACHABLE);
/// spec.validate()?;
/// assert_eq!(spec.to_string(), "neighbour 10.0.0.2 on link \"veth0\"");
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NeighSpec {
    /// The protocol address (`NDA_DST`): IPv4 for ARP, IPv6 for NDP.
    pub dst: IpAddr,
    /// The device (`ndm_ifindex`).
    pub dev: Dev,
    /// The link-layer address (`NDA_LLADDR`), e.g. a MAC address.
    pub mac: Option<Vec<u8>>,
    /// `ndm_state`: [`NeighState::PERMANENT`] by default, as `ip`.
    pub state: NeighState,
    /// A proxy entry (`NTF_PROXY`: answer ARP/NDP for `dst` on `dev`).
    pub proxy: bool,
    /// The neighbour is a router (`NTF_ROUTER`, IPv6).
    pub router: bool,
    /// Learned by an external control plane (`NTF_EXT_LEARNED`).
    pub extern_learn: bool,
    /// Kept resolved by the kernel (`managed`: `NTF_EXT_MANAGED` in
    /// `NDA_FLAGS_EXT`, Linux 5.16); as `ip`, a managed entry is sent with
    /// state `none` unless a state was set after [`NeighSpec::managed`].
    pub managed: bool,
    /// `NDA_PROTOCOL`: who installed the entry (`ip neigh … protocol P`).
    pub protocol: Option<u8>,
}

impl NeighSpec {
    /// A permanent entry for `dst` on `dev`, no link-layer address yet.
    pub fn new(dst: IpAddr, dev: impl Into<Dev>) -> NeighSpec {
        NeighSpec {
            dst,
            dev: dev.into(),
            mac: None,
            state: NeighState::PERMANENT,
            proxy: false,
            router: false,
            extern_learn: false,
            managed: false,
            protocol: None,
        }
    }
    /// A proxy entry for `dst` on `dev` (`ip neigh add proxy ADDR dev X`).
    pub fn proxy(dst: IpAddr, dev: impl Into<Dev>) -> NeighSpec {
        NeighSpec {
            proxy: true,
            ..NeighSpec::new(dst, dev)
        }
    }
    /// Sets the link-layer address.
    pub fn mac(mut self, mac: impl Into<Vec<u8>>) -> NeighSpec {
        self.mac = Some(mac.into());
        self
    }
    /// Sets the state.
    pub fn state(mut self, state: NeighState) -> NeighSpec {
        self.state = state;
        self
    }
    /// Sets the router flag.
    pub fn router(mut self, yes: bool) -> NeighSpec {
        self.router = yes;
        self
    }
    /// Sets the externally-learned flag.
    pub fn extern_learn(mut self, yes: bool) -> NeighSpec {
        self.extern_learn = yes;
        self
    }
    /// Makes the entry managed (`ip neigh add … managed`): the state
    /// becomes [`NeighState::NONE`], as ip sends it.
    pub fn managed(mut self, yes: bool) -> NeighSpec {
        self.managed = yes;
        if yes {
            self.state = NeighState::NONE;
        }
        self
    }
    /// Sets who installed the entry (`NDA_PROTOCOL`).
    pub fn protocol(mut self, protocol: u8) -> NeighSpec {
        self.protocol = Some(protocol);
        self
    }

    /// The address family of [`NeighSpec::dst`].
    pub fn family(&self) -> Family {
        Family::of(&self.dst)
    }

    /// Checks what can be checked without the kernel: the device name, the
    /// link-layer address's length, the state's bits.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the entry and what is wrong.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| {
            Error::new(ErrorKind::InvalidArgument, "use", self.to_string()).with_detail(why)
        };
        if let Dev::Name(n) = &self.dev {
            validate_link_name(n).map_err(|e| e.context("use", self.to_string()))?;
        }
        if let Some(l) = &self.mac {
            if l.is_empty() || l.len() > MAX_LLADDR_LEN {
                return Err(bad(format!(
                    "a link-layer address has 1 to {MAX_LLADDR_LEN} bytes, not {}",
                    l.len()
                )));
            }
        }
        if self.state.0 > 0xff {
            return Err(bad(format!("unknown state bits {:#x}", self.state.0)));
        }
        Ok(())
    }

    /// The message for this entry on `ifindex`.
    fn message(&self, ifindex: u32, with_body: bool) -> NeighbourMessage {
        let mut msg = NeighbourMessage::default();
        msg.header.family = self.family().to_packet();
        msg.header.ifindex = ifindex;
        let mut flags = 0u8;
        if self.proxy {
            flags |= NTF_PROXY;
        }
        if with_body {
            msg.header.state = NeighbourState::from(self.state.0);
            if self.router {
                flags |= NTF_ROUTER;
            }
            if self.extern_learn {
                flags |= NTF_EXT_LEARNED;
            }
        }
        msg.header.flags = NeighbourFlags::from_bits_retain(flags);
        msg.attributes
            .push(NeighbourAttribute::Destination(neighbour_address(self.dst)));
        if with_body {
            if let Some(l) = &self.mac {
                msg.attributes
                    .push(NeighbourAttribute::LinkLayerAddress(l.clone()));
            }
            if let Some(p) = self.protocol {
                msg.attributes
                    .push(NeighbourAttribute::Protocol(RouteProtocol::from(p)));
            }
            if self.managed {
                msg.attributes.push(NeighbourAttribute::ExtFlags(
                    NeighbourExtFlags::from_bits_retain(NTF_EXT_MANAGED),
                ));
            }
        }
        msg
    }
}

fn neighbour_address(ip: IpAddr) -> NeighbourAddress {
    match ip {
        IpAddr::V4(a) => NeighbourAddress::Inet(a),
        IpAddr::V6(a) => NeighbourAddress::Inet6(a),
    }
}

impl fmt::Display for NeighSpec {
    /// How errors name the entry: `neighbour 10.0.0.2 on link "veth0"`
    /// (`proxy neighbour …` for a proxy entry).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.proxy {
            f.write_str("proxy ")?;
        }
        write!(f, "neighbour {} on {}", self.dst, self.dev)
    }
}

/// Which neighbours [`Handle::neighbours`] and [`Handle::neigh_flush`] are
/// about (`ip neigh show|flush [proxy] [to PREFIX] [dev X] [nud S]`).
///
/// The device and `proxy` are applied by the kernel (`NDA_IFINDEX` and
/// `NTF_PROXY` in the dump request); family too (`ndm_family`); the states
/// and the prefix while reading the dump, in place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NeighFilter {
    /// Only this device.
    pub dev: Option<Dev>,
    /// Only this family; `None` = both.
    pub family: Option<Family>,
    /// Only entries in one of these states (`nud S`, repeatable: the
    /// states are OR-ed; [`NeighState::NONE`] selects entries with no
    /// state). `None` = iproute2's default: every state but `noarp` (and
    /// `none`) for a listing; every state but `permanent` and `noarp` for a
    /// flush. Use [`NeighFilter::all_states`] for `nud all`.
    pub states: Option<NeighStateMask>,
    /// Proxy entries instead of the neighbour cache (`proxy`).
    pub proxy: bool,
    /// Only destinations inside this prefix (`to PREFIX`).
    pub to: Option<IpNet>,
    /// Only entries whose device is a port of this master (`master X`,
    /// `vrf X`: `NDA_MASTER`, applied by the kernel).
    pub master: Option<Dev>,
    /// Only entries installed by this protocol (`protocol P`).
    pub protocol: Option<u8>,
    /// Only entries nothing refers to (`unused`: `ndm_refcnt` 0).
    pub unused: bool,
}

/// The states a [`NeighFilter`] selects, as iproute2 keeps them: the
/// `NUD_*` bits, plus bit 0x100 for "no state" (`nud none`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NeighStateMask(pub u32);

impl NeighStateMask {
    /// Every state, `none` included (`nud all`).
    pub const ALL: NeighStateMask = NeighStateMask(0x1ff);
    /// The bit standing for [`NeighState::NONE`].
    const NONE_BIT: u32 = 0x100;

    /// Adds `state` (`nud none` adds the "no state" bit).
    pub fn with(self, state: NeighState) -> NeighStateMask {
        let bits = if state.0 == 0 {
            NeighStateMask::NONE_BIT
        } else {
            u32::from(state.0)
        };
        NeighStateMask(self.0 | bits)
    }

    /// Whether an entry in `state` passes, as iproute2 decides: one of its
    /// bits is selected, or it has no state and "no state" is selected, or
    /// it is a proxy or externally learned entry (`exempt`).
    pub fn admits(self, state: NeighState, exempt: bool) -> bool {
        exempt
            || u32::from(state.0) & self.0 != 0
            || (state.0 == 0 && self.0 & NeighStateMask::NONE_BIT != 0)
    }
}

impl NeighFilter {
    /// Every entry `ip neigh show` shows (every state but `noarp`).
    pub fn new() -> NeighFilter {
        NeighFilter::default()
    }
    /// Only entries of `dev`.
    pub fn dev(mut self, dev: impl Into<Dev>) -> NeighFilter {
        self.dev = Some(dev.into());
        self
    }
    /// Only entries of `family`.
    pub fn family(mut self, family: Family) -> NeighFilter {
        self.family = Some(family);
        self
    }
    /// Adds `state` to the states selected (`nud S`).
    pub fn state(mut self, state: NeighState) -> NeighFilter {
        self.states = Some(self.states.unwrap_or_default().with(state));
        self
    }
    /// Every state (`nud all`; for a flush, every state but `noarp`, as
    /// iproute2).
    pub fn all_states(mut self) -> NeighFilter {
        self.states = Some(NeighStateMask::ALL);
        self
    }
    /// Proxy entries instead of the cache.
    pub fn proxy(mut self, yes: bool) -> NeighFilter {
        self.proxy = yes;
        self
    }
    /// Only destinations inside `prefix`.
    pub fn to(mut self, prefix: IpNet) -> NeighFilter {
        self.to = Some(prefix);
        self
    }

    /// Only entries installed by `protocol`.
    pub fn protocol(mut self, protocol: u8) -> NeighFilter {
        self.protocol = Some(protocol);
        self
    }
    /// Only entries of ports of `master`.
    pub fn master(mut self, master: impl Into<Dev>) -> NeighFilter {
        self.master = Some(master.into());
        self
    }

    /// The state mask in force for a listing (`Pass::Show`) or a flush
    /// round, iproute2's defaults filled in: a flush leaves `permanent` and
    /// `noarp` unless asked (`nud all` still spares `noarp`), and deletes
    /// `failed` entries in its first round only.
    pub fn effective_states(&self, pass: Pass) -> NeighStateMask {
        let noarp = u32::from(NeighState::NOARP.0);
        let permanent = u32::from(NeighState::PERMANENT.0);
        let failed = u32::from(NeighState::FAILED.0);
        let mask = match (self.states, pass) {
            (None, Pass::Show) => 0xff & !noarp,
            (Some(m), Pass::Show) => m.0,
            (None, Pass::Flush(_)) => 0x1ff & !(permanent | noarp),
            (Some(NeighStateMask::ALL), Pass::Flush(_)) => 0x1ff & !noarp,
            (Some(m), Pass::Flush(_)) => m.0,
        };
        match pass {
            Pass::Flush(round) if round > 0 => NeighStateMask(mask & !failed),
            _ => NeighStateMask(mask),
        }
    }

    /// Whether `n` passes the parts of the filter applied in user space
    /// (states, prefix, protocol, unused, and the device/family again).
    fn admits(&self, n: &NeighRef<'_>, ifindex: Option<u32>, pass: Pass) -> bool {
        if ifindex.is_some_and(|i| i != n.ifindex()) {
            return false;
        }
        if self.family.is_some_and(|f| Some(f) != n.family()) {
            return false;
        }
        if let Some(to) = &self.to {
            match n.dst() {
                Some(ip) if to.contains(&ip) => {}
                _ => return false,
            }
        }
        if self.protocol.is_some_and(|p| Some(p) != n.protocol()) {
            return false;
        }
        if self.unused && n.cache_info().is_some_and(|c| c.refcnt != 0) {
            return false;
        }
        self.effective_states(pass)
            .admits(n.state(), n.is_proxy() || n.is_extern_learn())
    }
}

/// What a dump of [`NeighFilter`] is for: a listing, or round `N` (from 0)
/// of a flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// `ip neigh show`.
    Show,
    /// Round `N` of `ip neigh flush`.
    Flush(usize),
}

/// What errors call a listing.
struct NeighboursObject<'a>(&'a NeighFilter);

impl fmt::Display for NeighboursObject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.proxy {
            "proxy neighbours"
        } else {
            "neighbours"
        })?;
        if let Some(dev) = &self.0.dev {
            write!(f, " of {dev}")?;
        }
        Ok(())
    }
}

/// An entry of a flush: what the delete needs.
struct Doomed {
    dst: IpAddr,
    ifindex: u32,
    proxy: bool,
}

impl fmt::Display for Doomed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.proxy {
            f.write_str("proxy ")?;
        }
        write!(
            f,
            "neighbour {} on link with index {}",
            self.dst, self.ifindex
        )
    }
}

impl Handle {
    fn neigh_new(&mut self, spec: &NeighSpec, flags: u16, op: &'static str) -> Result<()> {
        spec.validate()
            .map_err(|e| e.context(op, spec.to_string()))?;
        let ifindex = self.dev_index(&spec.dev).map(IfIndex::get)?;
        let msg = spec.message(ifindex, true);
        self.socket().execute(
            &Request::new(RouteNetlinkMessage::NewNeighbour(msg), op, spec).with_flags(flags),
        )
    }

    /// Adds a neighbour entry as `ip neigh add` does: `RTM_NEWNEIGH` with
    /// `NLM_F_CREATE | NLM_F_EXCL`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] before the kernel (see
    /// [`NeighSpec::validate`]); [`ErrorKind::NotFound`] for a device that
    /// does not exist; [`ErrorKind::AlreadyExists`] for an existing entry;
    /// another refusal with the kernel's text.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::neigh::NeighSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// h.neigh_add(&NeighSpec::new("10.0.0.2".parse().unwrap(), "veth0").mac(vec![2, 0, 0, 0, 0, 2]))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_NEWNEIGH")]
    pub fn neigh_add(&mut self, spec: &NeighSpec) -> Result<()> {
        self.neigh_new(spec, NLM_F_CREATE | NLM_F_EXCL, "add")
    }

    /// Adds many neighbour entries, each as [`Handle::neigh_add`] builds
    /// it, in as few `send` calls as possible
    /// ([`Socket::batch`](crate::netlink::Socket::batch)); each device name
    /// is looked up once.
    ///
    /// # Errors
    /// A [`BatchError`]: the index of the first entry that failed (checked
    /// or resolved before anything was sent, or refused by the kernel), how
    /// many were sent, and the error. Entries before the index were added.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::neigh::NeighSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// let specs: Vec<NeighSpec> = (2..100u8)
    ///     .map(|i| NeighSpec::new([10, 0, 0, i].into(), "veth0").mac(vec![2, 0, 0, 0, 0, i]))
    ///     .collect();
    /// h.neighs_add(&specs)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn neighs_add(&mut self, specs: &[NeighSpec]) -> Result<(), BatchError> {
        let unsent = |index: usize, error: Error| BatchError {
            index,
            sent: 0,
            error,
        };
        let mut names: Vec<(&str, u32)> = Vec::new();
        let mut messages = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            spec.validate()
                .map_err(|e| unsent(i, e.context("add", spec.to_string())))?;
            let ifindex = match &spec.dev {
                Dev::Index(x) => x.get(),
                Dev::Name(n) => match names.iter().find(|(k, _)| k == n) {
                    Some((_, x)) => *x,
                    None => {
                        let x = self
                            .dev_index(&spec.dev)
                            .map(IfIndex::get)
                            .map_err(|e| unsent(i, e))?;
                        names.push((n, x));
                        x
                    }
                },
            };
            messages.push(spec.message(ifindex, true));
        }
        let requests: Vec<Request<'_>> = messages
            .into_iter()
            .zip(specs)
            .map(|(m, spec)| {
                Request::new(RouteNetlinkMessage::NewNeighbour(m), "add", spec)
                    .with_flags(NLM_F_CREATE | NLM_F_EXCL)
            })
            .collect();
        self.socket().batch(&requests)
    }

    /// Adds or replaces a neighbour entry (`ip neigh replace`):
    /// `RTM_NEWNEIGH` with `NLM_F_CREATE | NLM_F_REPLACE`.
    ///
    /// # Errors
    /// As [`Handle::neigh_add`], without `AlreadyExists`.
    pub fn neigh_replace(&mut self, spec: &NeighSpec) -> Result<()> {
        self.neigh_new(spec, NLM_F_CREATE | NLM_F_REPLACE, "replace")
    }

    /// Changes an existing neighbour entry (`ip neigh change`):
    /// `RTM_NEWNEIGH` with `NLM_F_REPLACE` only.
    ///
    /// # Errors
    /// As [`Handle::neigh_add`]; [`ErrorKind::NotFound`] when there is no
    /// such entry.
    pub fn neigh_change(&mut self, spec: &NeighSpec) -> Result<()> {
        self.neigh_new(spec, NLM_F_REPLACE, "change")
    }

    /// Deletes a neighbour entry (`ip neigh del ADDR dev X`, `proxy` for a
    /// proxy entry): `RTM_DELNEIGH` with `NDA_DST` and the device; the
    /// spec's state, address and flags other than proxy are not used.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such entry (`ENOENT`) or
    /// device.
    #[doc(alias = "RTM_DELNEIGH")]
    pub fn neigh_del(&mut self, spec: &NeighSpec) -> Result<()> {
        const OP: &str = "delete";
        spec.validate()
            .map_err(|e| e.context(OP, spec.to_string()))?;
        let ifindex = self.dev_index(&spec.dev).map(IfIndex::get)?;
        let msg = spec.message(ifindex, false);
        self.socket().execute(&Request::new(
            RouteNetlinkMessage::DelNeighbour(msg),
            OP,
            spec,
        ))
    }

    /// One neighbour entry, looked up by the kernel (`ip neigh get ADDR dev
    /// X`): `RTM_GETNEIGH` with `NDA_DST` and `ndm_ifindex` (and `NTF_PROXY`
    /// when `proxy`), no dump. Needs Linux 5.0.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such entry or device.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// let n = h.neigh_get("10.0.0.2".parse().unwrap(), &"veth0".into(), false)?;
    /// println!("{}", n.state);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_GETNEIGH")]
    pub fn neigh_get(&mut self, dst: IpAddr, dev: &Dev, proxy: bool) -> Result<Neighbour> {
        const OP: &str = "get";
        let mut spec = NeighSpec::new(dst, dev.clone());
        spec.proxy = proxy;
        spec.validate()
            .map_err(|e| e.context(OP, spec.to_string()))?;
        let ifindex = self.dev_index(dev).map(IfIndex::get)?;
        let msg = spec.message(ifindex, false);
        let request = Request::new(RouteNetlinkMessage::GetNeighbour(msg), OP, &spec);
        let mut messages = self.socket().request(&request)?;
        let found = messages
            .find(|m| m.message_type() == crate::netlink::RTM_NEWNEIGH)
            .ok_or_else(|| {
                Error::new(ErrorKind::Protocol, OP, spec.to_string())
                    .with_detail("the kernel acknowledged without an entry")
            })?;
        NeighRef::parse(found.payload())
            .map(|n| n.to_owned())
            .map_err(|e| e.context(OP, spec.to_string()))
    }

    /// The neighbour entries `filter` selects: one `RTM_GETNEIGH` dump
    /// whose device (`NDA_IFINDEX`), family (`ndm_family`) and proxy flag
    /// (`NTF_PROXY`: the proxy table instead of the cache) the kernel
    /// applies; the states and the prefix are applied while iterating.
    /// Yields views into the socket's receive buffer: iterating allocates
    /// nothing.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a device that does not exist; the
    /// kernel's refusal; a socket error.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::neigh::NeighFilter;
    /// let mut h = netns_core::Handle::current()?;
    /// for n in h.neighbours(&NeighFilter::new().dev("veth0"))? {
    ///     println!("{:?} {:?} {}", n.dst(), n.mac(), n.state());
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "ip neigh show")]
    pub fn neighbours(&mut self, filter: &NeighFilter) -> Result<Neighbours<'_>> {
        self.neighbours_for(filter, Pass::Show)
    }

    fn neighbours_for(&mut self, filter: &NeighFilter, pass: Pass) -> Result<Neighbours<'_>> {
        const OP: &str = "list";
        let object = NeighboursObject(filter);
        let ifindex = match &filter.dev {
            Some(dev) => Some(self.dev_index(dev).map(IfIndex::get)?),
            None => None,
        };
        let mut msg = NeighbourMessage::default();
        if let Some(f) = filter.family {
            msg.header.family = f.to_packet();
        }
        if filter.proxy {
            msg.header.flags = NeighbourFlags::from_bits_retain(NTF_PROXY);
        }
        if let Some(i) = ifindex {
            msg.attributes.push(NeighbourAttribute::IfIndex(i));
        }
        if let Some(dev) = &filter.master {
            let master = self.dev_index(dev).map(IfIndex::get)?;
            msg.attributes.push(NeighbourAttribute::Controller(master));
        }
        let request = Request::new(RouteNetlinkMessage::GetNeighbour(msg), OP, &object);
        let messages = self.socket().dump(&request)?;
        Ok(Neighbours::new(messages, filter.clone(), ifindex, pass))
    }

    /// Deletes the entries `filter` selects, as `ip neigh flush` does:
    /// without states, every entry but `permanent` and `noarp` ones; dump,
    /// then all the `RTM_DELNEIGH`s in one batch, repeated until a dump
    /// finds nothing to delete (at most [`MAX_FLUSH_ROUNDS`] rounds; `failed`
    /// entries only in the first, since a deleted entry that is still
    /// referenced stays behind as `failed`). Entries that vanished meanwhile
    /// (`ENOENT`) are not errors. Returns how many entries were deleted.
    ///
    /// # Errors
    /// The dump's refusal, the first delete's refusal, or
    /// [`ErrorKind::Busy`] when entries kept coming back for
    /// [`MAX_FLUSH_ROUNDS`] rounds.
    #[doc(alias = "ip neigh flush")]
    pub fn neigh_flush(&mut self, filter: &NeighFilter) -> Result<usize> {
        let mut total = 0;
        for round in 0..MAX_FLUSH_ROUNDS {
            let doomed: Vec<Doomed> = self
                .neighbours_for(filter, Pass::Flush(round))?
                .filter_map(|n| {
                    Some(Doomed {
                        dst: n.dst()?,
                        ifindex: n.ifindex(),
                        proxy: n.is_proxy(),
                    })
                })
                .collect();
            if doomed.is_empty() {
                return Ok(total);
            }
            let requests: Vec<Request<'_>> = doomed
                .iter()
                .map(|d| {
                    let mut spec = NeighSpec::new(d.dst, Dev::Name(String::new()));
                    spec.proxy = d.proxy;
                    Request::new(
                        RouteNetlinkMessage::DelNeighbour(spec.message(d.ifindex, false)),
                        "flush",
                        d,
                    )
                })
                .collect();
            let mut rest = &requests[..];
            while !rest.is_empty() {
                match self.socket().batch(rest) {
                    Ok(()) => {
                        total += rest.len();
                        break;
                    }
                    Err(e) if e.error.errno() == Some(Errno::ENOENT) => {
                        // Gone meanwhile (e.g. garbage-collected). The
                        // kernel went on with the rest of that send; its
                        // other results are unknown, and the next round's
                        // dump finds what is left. Go on with what was not
                        // sent.
                        total += e.sent.saturating_sub(1);
                        rest = rest.get(e.sent..).unwrap_or(&[]);
                    }
                    Err(e) => return Err(e.error),
                }
            }
        }
        Err(Error::new(
            ErrorKind::Busy,
            "flush",
            NeighboursObject(filter).to_string(),
        )
        .with_detail(format!(
            "entries kept appearing for {MAX_FLUSH_ROUNDS} rounds"
        )))
    }
}

/// How `ip neigh show` prints an entry, for front ends: see
/// [`NeighRef::display`] and [`Neighbour::display`].
pub struct NeighDisplay<'a> {
    pub(super) dst: Option<IpAddr>,
    pub(super) dev: Option<&'a str>,
    pub(super) mac: Option<&'a [u8]>,
    pub(super) flags: u8,
    pub(super) flags_ext: u32,
    pub(super) state: NeighState,
    pub(super) protocol: Option<u8>,
}

impl fmt::Display for NeighDisplay<'_> {
    /// `10.0.0.2 dev veth0 lladdr 02:00:00:00:00:02 router extern_learn
    /// PERMANENT proto static`, as iproute2 6.x orders it, without its
    /// trailing space (`dev` only when a name was given, as `ip neigh show
    /// dev X` leaves it out; protocols by the names of `ip route`'s table).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(dst) = self.dst {
            write!(f, "{dst}")?;
            sep = " ";
        }
        if let Some(dev) = self.dev {
            write!(f, "{sep}dev {dev}")?;
            sep = " ";
        }
        if let Some(l) = self.mac {
            write!(f, "{sep}lladdr {}", HwAddr::new(LinkType::ETHER, l))?;
            sep = " ";
        }
        if self.flags & NTF_ROUTER != 0 {
            write!(f, "{sep}router")?;
            sep = " ";
        }
        if self.flags & NTF_PROXY != 0 {
            write!(f, "{sep}proxy")?;
            sep = " ";
        }
        if self.flags_ext & NTF_EXT_MANAGED != 0 {
            write!(f, "{sep}managed")?;
            sep = " ";
        }
        if self.flags & NTF_EXT_LEARNED != 0 {
            write!(f, "{sep}extern_learn")?;
            sep = " ";
        }
        if self.flags & NTF_OFFLOADED != 0 {
            write!(f, "{sep}offload")?;
            sep = " ";
        }
        if self.state.0 != 0 {
            write!(f, "{sep}{}", self.state)?;
            sep = " ";
        }
        if let Some(p) = self.protocol.filter(|p| *p != 0) {
            match crate::route::protocol_name(p) {
                Some(name) => write!(f, "{sep}proto {name}")?,
                None => write!(f, "{sep}proto {p}")?,
            }
        }
        Ok(())
    }
}
