//! Forwarding database entries of bridges and vxlan devices (`bridge fdb`):
//! `RTM_*NEIGH` with family `AF_BRIDGE`, read with the neighbour view
//! ([`NeighRef`]) and built with the neighbour encoder.
//!
//! | method                   | message                                              | `bridge` equivalent                      |
//! |--------------------------|------------------------------------------------------|------------------------------------------|
//! | [`Handle::fdb_add`]      | `RTM_NEWNEIGH` + `NLM_F_CREATE│NLM_F_EXCL`            | `bridge fdb add MAC dev X [dst IP] …`   |
//! | [`Handle::fdb_append`]   | `RTM_NEWNEIGH` + `NLM_F_CREATE│NLM_F_APPEND`          | `bridge fdb append …` (another remote)  |
//! | [`Handle::fdb_replace`]  | `RTM_NEWNEIGH` + `NLM_F_CREATE│NLM_F_REPLACE`         | `bridge fdb replace …`                  |
//! | [`Handle::fdb_del`]      | `RTM_DELNEIGH`                                        | `bridge fdb del MAC dev X [dst IP] …`   |
//! | [`Handle::fdb_get`]      | `RTM_GETNEIGH` for one entry (no dump)                | `bridge fdb get MAC br B`               |
//! | [`Handle::fdb_entries`]  | `RTM_GETNEIGH` dump, port and bridge filtered by the kernel | `bridge fdb show [br B] [brport P]` |
//! | [`Handle::fdb_flush`]    | one `RTM_DELNEIGH` + `NLM_F_BULK` (Linux 6.0)         | `bridge fdb flush dev B [brport P] …`   |
//!
//! An [`FdbSpec`] is sent as iproute2 6.1's `bridge fdb` sends it:
//! `NTF_SELF` unless `master` is asked, state `permanent` (`NUD_NOARP |
//! NUD_PERMANENT`) unless `static` (`NUD_NOARP | NUD_REACHABLE`) or
//! `dynamic` (`NUD_REACHABLE`), `NDA_LLADDR` always, `NDA_DST`, `NDA_VLAN`,
//! `NDA_PORT`, `NDA_VNI`, `NDA_SRC_VNI`, `NDA_IFINDEX` (`via`) when given.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use netlink_packet_core::DefaultNla;
use netlink_packet_route::neighbour::{
    NeighbourAttribute, NeighbourFlags, NeighbourMessage, NeighbourState,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use super::{neighbour_address, NeighRef, NeighState};
use crate::link::{Dev, HwAddr, IfIndex, LinkType};
use crate::netlink::uapi::{NDA_CACHEINFO, NDA_DST, NDA_LLADDR};
use crate::netlink::{attr, Messages, Request, NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL};
use crate::netlink::{NLM_F_REPLACE, RTM_DELNEIGH, RTM_NEWNEIGH};
use crate::{Error, ErrorKind, Handle, Result};

/// `AF_BRIDGE`.
pub const AF_BRIDGE: u8 = 7;
/// `NDA_VLAN`: the entry's VLAN id (u16).
pub(crate) const NDA_VLAN: u16 = 5;
/// `NDA_PORT`: a vxlan remote's UDP port (be16).
pub(crate) const NDA_PORT: u16 = 6;
/// `NDA_VNI`: a vxlan remote's VNI (u32).
pub(crate) const NDA_VNI: u16 = 7;
/// `NDA_IFINDEX`: a vxlan remote's outgoing device; the port in a dump
/// request or a bulk delete.
pub(crate) const NDA_IFINDEX: u16 = 8;
/// `NDA_LINK_NETNSID`.
pub(crate) const NDA_LINK_NETNSID: u16 = 10;
/// `NDA_SRC_VNI`.
pub(crate) const NDA_SRC_VNI: u16 = 11;
/// `NDA_NH_ID`.
pub(crate) const NDA_NH_ID: u16 = 13;
/// `NDA_NDM_STATE_MASK` (bulk delete).
const NDA_NDM_STATE_MASK: u16 = 16;
/// `NDA_NDM_FLAGS_MASK` (bulk delete).
const NDA_NDM_FLAGS_MASK: u16 = 17;
/// `NTF_SELF`: the device's own table (a vxlan's remotes, a port's
/// unicast filter).
pub const NTF_SELF: u8 = 0x02;
/// `NTF_MASTER`: the master bridge's table.
pub const NTF_MASTER: u8 = 0x04;
/// `NTF_EXT_LEARNED`.
pub const NTF_EXT_LEARNED: u8 = 0x10;
/// `NTF_OFFLOADED`.
pub const NTF_OFFLOADED: u8 = 0x20;
/// `NTF_STICKY`: the entry never moves to another port.
pub const NTF_STICKY: u8 = 0x40;
/// `NTF_ROUTER`.
pub const NTF_ROUTER: u8 = 0x80;
/// `NLM_F_BULK`: a delete of every entry a request selects.
const NLM_F_BULK: u16 = 0x200;
/// `ETH_ALEN`.
pub const ETH_ALEN: usize = 6;

/// The state of an fdb entry, in `bridge fdb`'s words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum FdbState {
    /// `permanent` (or `local`): `NUD_NOARP | NUD_PERMANENT`, the default;
    /// on a bridge a local address (the bridge receives the frame).
    #[default]
    Permanent,
    /// `static`: `NUD_NOARP | NUD_REACHABLE`, never ages out.
    Static,
    /// `dynamic`: `NUD_REACHABLE`, ages out as a learned entry.
    Dynamic,
}

impl FdbState {
    /// The `ndm_state` bits `bridge fdb add` sends.
    pub fn bits(self) -> NeighState {
        NeighState(match self {
            FdbState::Permanent => NeighState::NOARP.0 | NeighState::PERMANENT.0,
            FdbState::Static => NeighState::NOARP.0 | NeighState::REACHABLE.0,
            FdbState::Dynamic => NeighState::REACHABLE.0,
        })
    }

    /// The state of an entry the kernel reports, as `bridge fdb show` reads
    /// it (`NUD_PERMANENT` → permanent, `NUD_NOARP` → static, else
    /// dynamic).
    pub fn of(state: NeighState) -> FdbState {
        if state.0 & NeighState::PERMANENT.0 != 0 {
            FdbState::Permanent
        } else if state.0 & NeighState::NOARP.0 != 0 {
            FdbState::Static
        } else {
            FdbState::Dynamic
        }
    }

    /// `permanent`, `static` or `dynamic`.
    pub fn name(self) -> &'static str {
        match self {
            FdbState::Permanent => "permanent",
            FdbState::Static => "static",
            FdbState::Dynamic => "dynamic",
        }
    }
}

impl std::str::FromStr for FdbState {
    type Err = Error;

    /// `permanent`, `local`, `static`, `temp`, `dynamic` (or a prefix, as
    /// `bridge` matches them).
    fn from_str(s: &str) -> Result<FdbState> {
        let m = |k: &str| !s.is_empty() && k.starts_with(s);
        if m("local") || m("permanent") {
            Ok(FdbState::Permanent)
        } else if m("temp") || m("static") {
            Ok(FdbState::Static)
        } else if m("dynamic") {
            Ok(FdbState::Dynamic)
        } else {
            Err(Error::new(
                ErrorKind::InvalidArgument,
                "parse",
                format!("fdb state {s:?}"),
            )
            .with_detail("a state is permanent, local, static or dynamic"))
        }
    }
}

/// Parses a MAC address as `bridge fdb` takes it: six hexadecimal bytes
/// separated by `:`.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] naming the text.
///
/// # Examples
/// ```
/// let mac = netns_core::neigh::parse_mac("00:11:22:33:44:55")?;
/// assert_eq!(mac, [0, 0x11, 0x22, 0x33, 0x44, 0x55]);
/// assert!(netns_core::neigh::parse_mac("00:11:22").is_err());
/// # Ok::<(), netns_core::Error>(())
/// ```
pub fn parse_mac(s: &str) -> Result<[u8; ETH_ALEN]> {
    super::parse_lladdr(s)
        .ok()
        .and_then(|v| <[u8; ETH_ALEN]>::try_from(v).ok())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                "parse",
                format!("mac address {s:?}"),
            )
            .with_detail("expected six hexadecimal bytes separated by ':'")
        })
}

/// An fdb entry to add, append, replace or delete (`bridge fdb add|append|
/// replace|del MAC dev X [dst IP] [vlan V] [port P] [vni N] [src_vni N]
/// [via DEV] [self] [master] [permanent|static|dynamic] [extern_learn]
/// [sticky]`), owned; its devices are resolved on the handle it is sent on.
///
/// # Examples
/// ```
/// use netns_core::neigh::FdbSpec;
/// let spec = FdbSpec::new([0, 0x11, 0x22, 0x33, 0x44, 0x55], "vx0").dst("10.0.0.2".parse().unwrap());
/// spec.validate()?;
/// assert_eq!(spec.to_string(), "fdb entry 00:11:22:33:44:55 on link \"vx0\" dst 10.0.0.2");
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FdbSpec {
    /// The MAC address (`NDA_LLADDR`).
    pub mac: [u8; ETH_ALEN],
    /// The device: a bridge port, a bridge, a vxlan device (`ndm_ifindex`).
    pub dev: Dev,
    /// A vxlan remote (`NDA_DST`).
    pub dst: Option<IpAddr>,
    /// The VLAN (`NDA_VLAN`).
    pub vlan: Option<u16>,
    /// A vxlan remote's UDP port (`NDA_PORT`).
    pub port: Option<u16>,
    /// A vxlan remote's VNI (`NDA_VNI`, 24 bits).
    pub vni: Option<u32>,
    /// The source VNI of a collect-metadata vxlan (`NDA_SRC_VNI`).
    pub src_vni: Option<u32>,
    /// A vxlan remote's outgoing device (`via DEV`: `NDA_IFINDEX`).
    pub via: Option<Dev>,
    /// The device's own table (`self`: `NTF_SELF`); the default when
    /// neither this nor [`FdbSpec::master`] is set, as `bridge`.
    pub self_: bool,
    /// The master bridge's table (`master`: `NTF_MASTER`).
    pub master: bool,
    /// `permanent` (default), `static` or `dynamic`.
    pub state: FdbState,
    /// `extern_learn` (`NTF_EXT_LEARNED`).
    pub extern_learn: bool,
    /// `sticky` (`NTF_STICKY`).
    pub sticky: bool,
    /// `router` (`NTF_ROUTER`).
    pub router: bool,
}

impl FdbSpec {
    /// A permanent entry for `mac` on `dev`, in the device's own table.
    pub fn new(mac: [u8; ETH_ALEN], dev: impl Into<Dev>) -> FdbSpec {
        FdbSpec {
            mac,
            dev: dev.into(),
            dst: None,
            vlan: None,
            port: None,
            vni: None,
            src_vni: None,
            via: None,
            self_: false,
            master: false,
            state: FdbState::Permanent,
            extern_learn: false,
            sticky: false,
            router: false,
        }
    }
    /// Sets the vxlan remote.
    pub fn dst(mut self, dst: IpAddr) -> FdbSpec {
        self.dst = Some(dst);
        self
    }
    /// Sets the VLAN.
    pub fn vlan(mut self, vlan: u16) -> FdbSpec {
        self.vlan = Some(vlan);
        self
    }
    /// Sets the remote's UDP port.
    pub fn port(mut self, port: u16) -> FdbSpec {
        self.port = Some(port);
        self
    }
    /// Sets the remote's VNI.
    pub fn vni(mut self, vni: u32) -> FdbSpec {
        self.vni = Some(vni);
        self
    }
    /// Puts the entry in the master bridge's table.
    pub fn master(mut self, yes: bool) -> FdbSpec {
        self.master = yes;
        self
    }
    /// Puts the entry in the device's own table (with
    /// [`FdbSpec::master`]: in both).
    pub fn self_(mut self, yes: bool) -> FdbSpec {
        self.self_ = yes;
        self
    }
    /// Sets the state.
    pub fn state(mut self, state: FdbState) -> FdbSpec {
        self.state = state;
        self
    }
    /// Sets `extern_learn`.
    pub fn extern_learn(mut self, yes: bool) -> FdbSpec {
        self.extern_learn = yes;
        self
    }
    /// Sets `sticky`.
    pub fn sticky(mut self, yes: bool) -> FdbSpec {
        self.sticky = yes;
        self
    }

    /// `ndm_flags` as sent: `NTF_SELF` when neither table is named.
    pub fn flags(&self) -> u8 {
        let mut f = 0;
        if self.self_ || !self.master {
            f |= NTF_SELF;
        }
        for (on, bit) in [
            (self.master, NTF_MASTER),
            (self.extern_learn, NTF_EXT_LEARNED),
            (self.sticky, NTF_STICKY),
            (self.router, NTF_ROUTER),
        ] {
            if on {
                f |= bit;
            }
        }
        f
    }

    /// Checks what can be checked before the kernel: device names, a VNI of
    /// 24 bits, a VLAN id below 4096.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the entry and what is wrong.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: String| {
            Error::new(ErrorKind::InvalidArgument, "use", self.to_string()).with_detail(why)
        };
        crate::link::validate_dev(&self.dev).map_err(|e| e.context("use", self.to_string()))?;
        if let Some(v) = &self.via {
            crate::link::validate_dev(v).map_err(|e| e.context("use", self.to_string()))?;
        }
        for (name, v) in [("vni", self.vni), ("src_vni", self.src_vni)] {
            if v.is_some_and(|v| v >> 24 != 0) {
                return Err(bad(format!("a {name} has 24 bits, not {}", v.unwrap_or(0))));
            }
        }
        if self.vlan.is_some_and(|v| v >= 4096) {
            return Err(bad(format!(
                "a VLAN id is below 4096, not {}",
                self.vlan.unwrap_or(0)
            )));
        }
        Ok(())
    }

    /// The message for this entry on `ifindex` (`via` resolved).
    fn message(&self, ifindex: u32, via: Option<u32>) -> NeighbourMessage {
        let mut msg = NeighbourMessage::default();
        msg.header.family = AddressFamily::Bridge;
        msg.header.ifindex = ifindex;
        msg.header.state = NeighbourState::from(self.state.bits().0);
        msg.header.flags = NeighbourFlags::from_bits_retain(self.flags());
        let a = &mut msg.attributes;
        a.push(NeighbourAttribute::LinkLayerAddress(self.mac.to_vec()));
        if let Some(d) = self.dst {
            a.push(NeighbourAttribute::Destination(neighbour_address(d)));
        }
        if let Some(v) = self.vlan {
            a.push(NeighbourAttribute::Vlan(v));
        }
        if let Some(p) = self.port {
            a.push(NeighbourAttribute::Port(p));
        }
        if let Some(v) = self.vni {
            a.push(NeighbourAttribute::Vni(v));
        }
        if let Some(v) = self.src_vni {
            a.push(NeighbourAttribute::SourceVni(v));
        }
        if let Some(v) = via {
            a.push(NeighbourAttribute::IfIndex(v));
        }
        msg
    }
}

impl fmt::Display for FdbSpec {
    /// How errors name the entry: `fdb entry 00:11:22:33:44:55 on link
    /// "vx0" dst 10.0.0.2 vlan 10`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fdb entry {} on {}",
            HwAddr::new(LinkType::ETHER, &self.mac),
            self.dev
        )?;
        if let Some(d) = self.dst {
            write!(f, " dst {d}")?;
        }
        if let Some(v) = self.vlan {
            write!(f, " vlan {v}")?;
        }
        Ok(())
    }
}

/// Which fdb entries [`Handle::fdb_entries`] lists (`bridge fdb show [br B]
/// [brport P | dev P] [vlan V] [state S] [dynamic]`): the port and the
/// bridge are applied by the kernel (`ndm_ifindex`, `NDA_MASTER`), the rest
/// while reading the dump in place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FdbFilter {
    /// Only entries of this device (`brport P`, `dev P`).
    pub dev: Option<Dev>,
    /// Only entries of this bridge and its ports (`br B`).
    pub br: Option<Dev>,
    /// Only this VLAN.
    pub vlan: Option<u16>,
    /// Only entries with one of these `NUD_*` bits (`state S`, OR-ed).
    pub states: Option<u16>,
    /// Only entries that are not permanent (`dynamic`).
    pub dynamic: bool,
}

impl FdbFilter {
    /// Every entry.
    pub fn new() -> FdbFilter {
        FdbFilter::default()
    }
    /// Only entries of `dev`.
    pub fn dev(mut self, dev: impl Into<Dev>) -> FdbFilter {
        self.dev = Some(dev.into());
        self
    }
    /// Only entries of bridge `br`.
    pub fn br(mut self, br: impl Into<Dev>) -> FdbFilter {
        self.br = Some(br.into());
        self
    }
    /// Only VLAN `vlan`.
    pub fn vlan(mut self, vlan: u16) -> FdbFilter {
        self.vlan = Some(vlan);
        self
    }
    /// Adds `state` to the states selected (`state S`).
    pub fn state(mut self, state: FdbState) -> FdbFilter {
        let bit = match state {
            FdbState::Permanent => NeighState::PERMANENT.0,
            FdbState::Static => NeighState::NOARP.0,
            FdbState::Dynamic => NeighState::REACHABLE.0,
        };
        self.states = Some(self.states.unwrap_or(0) | bit);
        self
    }

    fn admits(&self, n: &NeighRef<'_>, ifindex: Option<u32>) -> bool {
        n.family_raw() == AF_BRIDGE
            && ifindex.is_none_or(|i| i == n.ifindex())
            && self.states.is_none_or(|s| n.state().0 & s != 0)
            && self.vlan.is_none_or(|v| n.vlan().unwrap_or(0) == v)
            && !(self.dynamic && n.state().0 & NeighState::PERMANENT.0 != 0)
    }
}

impl fmt::Display for FdbFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("fdb entries")?;
        if let Some(b) = &self.br {
            write!(f, " of bridge {}", b.word())?;
        }
        if let Some(d) = &self.dev {
            write!(f, " of {d}")?;
        }
        Ok(())
    }
}

/// Which entries [`Handle::fdb_flush`] deletes (`bridge fdb flush dev B
/// [brport P] [vlan V] [self] [master] [[no]permanent] [[no]static]
/// [[no]dynamic] [[no]extern_learn] [[no]sticky]`): the kernel selects
/// them (`NLM_F_BULK`); a `Some(false)` is the `no…` form.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FdbFlush {
    /// The bridge (or vxlan device with `self`).
    pub dev: Dev,
    /// Only entries of this port (`NDA_IFINDEX`).
    pub port: Option<Dev>,
    /// Only this VLAN.
    pub vlan: Option<u16>,
    /// The device's own table; the default when neither table is named.
    pub self_: bool,
    /// The master's table.
    pub master: bool,
    /// `permanent` / `nopermanent`.
    pub permanent: Option<bool>,
    /// `static` / `nostatic`.
    pub static_: Option<bool>,
    /// `dynamic` / `nodynamic`.
    pub dynamic: Option<bool>,
    /// `extern_learn` / `noextern_learn`.
    pub extern_learn: Option<bool>,
    /// `sticky` / `nosticky`.
    pub sticky: Option<bool>,
}

impl FdbFlush {
    /// Every entry the kernel lets a bulk delete remove on `dev`.
    pub fn new(dev: impl Into<Dev>) -> FdbFlush {
        FdbFlush {
            dev: dev.into(),
            port: None,
            vlan: None,
            self_: false,
            master: false,
            permanent: None,
            static_: None,
            dynamic: None,
            extern_learn: None,
            sticky: None,
        }
    }

    /// `(ndm_state, state mask, ndm_flags, flags mask)` as `bridge fdb
    /// flush` computes them, in its order of keywords.
    fn masks(&self) -> (u16, u16, u8, u8) {
        let (noarp, perm) = (NeighState::NOARP.0, NeighState::PERMANENT.0);
        let (mut state, mut smask) = (0u16, 0u16);
        if let Some(p) = self.permanent {
            state = if p { state | perm } else { state & !perm };
            smask |= perm;
        }
        match self.static_ {
            Some(true) => {
                state |= noarp;
                smask |= noarp | perm;
            }
            Some(false) => {
                state &= !noarp;
                smask |= noarp;
            }
            None => {}
        }
        match self.dynamic {
            Some(true) => {
                state &= !noarp | perm;
                smask |= noarp | perm;
            }
            Some(false) => {
                state |= noarp;
                smask |= noarp;
            }
            None => {}
        }
        let (mut flags, mut fmask) = (0u8, 0u8);
        for (v, bit) in [
            (self.extern_learn, NTF_EXT_LEARNED),
            (self.sticky, NTF_STICKY),
        ] {
            if let Some(on) = v {
                flags = if on { flags | bit } else { flags & !bit };
                fmask |= bit;
            }
        }
        if self.master {
            flags |= NTF_MASTER;
        }
        if self.self_ || !self.master {
            flags |= NTF_SELF;
        }
        (state, smask, flags, fmask)
    }
}

impl fmt::Display for FdbFlush {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fdb entries of {}", self.dev)?;
        if let Some(p) = &self.port {
            write!(f, " port {}", p.word())?;
        }
        Ok(())
    }
}

/// What [`Handle::fdb_get`] looks up (`bridge fdb get MAC [br B] [brport P |
/// dev P] [vlan V] [vni N] [self] [master]`): a device, a bridge, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FdbQuery {
    /// The MAC address.
    pub mac: [u8; ETH_ALEN],
    /// The device (`ndm_ifindex`).
    pub dev: Option<Dev>,
    /// The bridge (`NDA_MASTER`).
    pub br: Option<Dev>,
    /// The VLAN.
    pub vlan: Option<u16>,
    /// The VNI.
    pub vni: Option<u32>,
    /// The device's own table.
    pub self_: bool,
    /// The master's table.
    pub master: bool,
}

impl FdbQuery {
    /// The entry for `mac` on device `dev`.
    pub fn dev(mac: [u8; ETH_ALEN], dev: impl Into<Dev>) -> FdbQuery {
        FdbQuery {
            mac,
            dev: Some(dev.into()),
            br: None,
            vlan: None,
            vni: None,
            self_: false,
            master: false,
        }
    }
    /// The entry for `mac` in bridge `br`'s table.
    pub fn br(mac: [u8; ETH_ALEN], br: impl Into<Dev>) -> FdbQuery {
        FdbQuery {
            br: Some(br.into()),
            dev: None,
            ..FdbQuery::dev(mac, Dev::Name(String::new()))
        }
    }
    /// Looks in the device's own table (`self`: a vxlan's remotes).
    pub fn self_(mut self, yes: bool) -> FdbQuery {
        self.self_ = yes;
        self
    }
    /// Looks in the master bridge's table (`master`).
    pub fn master(mut self, yes: bool) -> FdbQuery {
        self.master = yes;
        self
    }
}

impl fmt::Display for FdbQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fdb entry {}", HwAddr::new(LinkType::ETHER, &self.mac))?;
        if let Some(d) = &self.dev {
            write!(f, " on {d}")?;
        }
        if let Some(b) = &self.br {
            write!(f, " of bridge {}", b.word())?;
        }
        Ok(())
    }
}

/// An owned fdb entry ([`NeighRef::to_fdb_entry`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FdbEntry {
    /// `ndm_ifindex`.
    pub ifindex: u32,
    /// `NDA_LLADDR`.
    pub mac: Vec<u8>,
    /// `NDA_DST`.
    pub dst: Option<IpAddr>,
    /// `NDA_VLAN`.
    pub vlan: Option<u16>,
    /// `NDA_PORT`.
    pub port: Option<u16>,
    /// `NDA_VNI`.
    pub vni: Option<u32>,
    /// `NDA_SRC_VNI`.
    pub src_vni: Option<u32>,
    /// `NDA_IFINDEX` (`via`).
    pub via: Option<u32>,
    /// `NDA_MASTER`: the bridge.
    pub master: Option<u32>,
    /// `ndm_state`.
    pub state: NeighState,
    /// `ndm_flags` (`NTF_*`).
    pub flags: u8,
}

impl FdbEntry {
    /// The state in `bridge`'s words.
    pub fn fdb_state(&self) -> FdbState {
        FdbState::of(self.state)
    }
    /// The entry as `bridge fdb show` prints it (see [`NeighRef::fdb_display`]).
    pub fn display<'b>(
        &'b self,
        names: &'b BTreeMap<u32, String>,
        show_dev: bool,
    ) -> FdbDisplay<'b> {
        FdbDisplay {
            mac: &self.mac,
            ifindex: show_dev.then_some(self.ifindex),
            dst: self.dst,
            vlan: self.vlan,
            port: self.port,
            vni: self.vni,
            src_vni: self.src_vni,
            via: self.via,
            nhid: None,
            link_netnsid: None,
            used: None,
            flags: self.flags,
            master: self.master,
            state: self.state,
            names,
        }
    }
}

impl<'a> NeighRef<'a> {
    /// `NDA_VLAN`.
    pub fn vlan(&self) -> Option<u16> {
        self.attr(NDA_VLAN)
            .and_then(|v| Some(u16::from_ne_bytes([*v.first()?, *v.get(1)?])))
    }
    /// `NDA_PORT` (sent big-endian).
    pub fn port(&self) -> Option<u16> {
        self.attr(NDA_PORT)
            .and_then(|v| Some(u16::from_be_bytes([*v.first()?, *v.get(1)?])))
    }
    /// `NDA_VNI`.
    pub fn vni(&self) -> Option<u32> {
        self.attr(NDA_VNI).and_then(attr::u32_ne)
    }
    /// `NDA_SRC_VNI`.
    pub fn src_vni(&self) -> Option<u32> {
        self.attr(NDA_SRC_VNI).and_then(attr::u32_ne)
    }
    /// `NDA_IFINDEX`: a vxlan remote's outgoing device.
    pub fn via(&self) -> Option<u32> {
        self.attr(NDA_IFINDEX).and_then(attr::u32_ne)
    }
    /// Whether the entry is in the device's own table (`NTF_SELF`).
    pub fn is_self(&self) -> bool {
        self.flags() & NTF_SELF != 0
    }
    /// `NTF_STICKY`.
    pub fn is_sticky(&self) -> bool {
        self.flags() & NTF_STICKY != 0
    }

    /// An owned fdb entry.
    pub fn to_fdb_entry(&self) -> FdbEntry {
        FdbEntry {
            ifindex: self.ifindex(),
            mac: self.mac().map(<[u8]>::to_vec).unwrap_or_default(),
            dst: self.attr(NDA_DST).and_then(attr::ip),
            vlan: self.vlan(),
            port: self.port(),
            vni: self.vni(),
            src_vni: self.src_vni(),
            via: self.via(),
            master: self.master(),
            state: self.state(),
            flags: self.flags(),
        }
    }

    /// The entry as `bridge fdb show` prints it, device names from `names`
    /// (`dev X` left out when `show_dev` is false, as `bridge fdb show
    /// brport X` does); `stats` adds `used U/T` (`bridge -s`).
    pub fn fdb_display<'b>(
        &'b self,
        names: &'b BTreeMap<u32, String>,
        show_dev: bool,
        stats: bool,
    ) -> FdbDisplay<'b> {
        FdbDisplay {
            mac: self.attr(NDA_LLADDR).unwrap_or_default(),
            ifindex: (show_dev && self.ifindex() != 0).then_some(self.ifindex()),
            dst: self.attr(NDA_DST).and_then(attr::ip),
            vlan: self.vlan(),
            port: self.port(),
            vni: self.vni(),
            src_vni: self.src_vni(),
            via: self.via(),
            nhid: self.attr(NDA_NH_ID).and_then(attr::u32_ne),
            link_netnsid: self.attr(NDA_LINK_NETNSID).and_then(attr::u32_ne),
            used: if stats {
                self.attr(NDA_CACHEINFO)
                    .and_then(|v| Some((attr::u32_ne(v.get(4..)?)?, attr::u32_ne(v.get(8..)?)?)))
            } else {
                None
            },
            flags: self.flags(),
            master: self.master(),
            state: self.state(),
            names,
        }
    }
}

/// How `bridge fdb show` prints an entry: [`NeighRef::fdb_display`],
/// [`FdbEntry::display`].
pub struct FdbDisplay<'a> {
    mac: &'a [u8],
    ifindex: Option<u32>,
    dst: Option<IpAddr>,
    vlan: Option<u16>,
    port: Option<u16>,
    vni: Option<u32>,
    src_vni: Option<u32>,
    via: Option<u32>,
    nhid: Option<u32>,
    link_netnsid: Option<u32>,
    used: Option<(u32, u32)>,
    flags: u8,
    master: Option<u32>,
    state: NeighState,
    names: &'a BTreeMap<u32, String>,
}

/// `USER_HZ`: clock ticks per second in `NDA_CACHEINFO`.
const USER_HZ: u32 = 100;

impl FdbDisplay<'_> {
    fn name(&self, i: u32) -> String {
        self.names
            .get(&i)
            .cloned()
            .unwrap_or_else(|| format!("if{i}"))
    }

    /// The state word `bridge` prints: `permanent`, `static`, `stale`,
    /// nothing for a reachable (dynamic) entry, else `state=0x…`.
    pub fn state_word(state: NeighState) -> String {
        let s = state.0;
        if s & NeighState::PERMANENT.0 != 0 {
            "permanent".into()
        } else if s & NeighState::NOARP.0 != 0 {
            "static".into()
        } else if s & NeighState::STALE.0 != 0 {
            "stale".into()
        } else if s & NeighState::REACHABLE.0 != 0 {
            String::new()
        } else {
            format!("state={s:#x}")
        }
    }

    /// The flag words, in `bridge`'s order.
    pub fn flag_words(flags: u8) -> impl Iterator<Item = &'static str> {
        [
            (NTF_SELF, "self"),
            (NTF_ROUTER, "router"),
            (NTF_EXT_LEARNED, "extern_learn"),
            (NTF_OFFLOADED, "offload"),
            (NTF_MASTER, "master"),
            (NTF_STICKY, "sticky"),
        ]
        .into_iter()
        .filter(move |(b, _)| flags & b != 0)
        .map(|(_, w)| w)
    }
}

impl fmt::Display for FdbDisplay<'_> {
    /// `00:11:22:33:44:55 dev vx0 dst 10.0.0.2 port 4790 vni 100 self
    /// permanent`, as iproute2 6.1 orders it (a dynamic entry ends with a
    /// space, as there).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.mac.is_empty() {
            write!(f, "{} ", HwAddr::new(LinkType::ETHER, self.mac))?;
        }
        if let Some(i) = self.ifindex {
            write!(f, "dev {} ", self.name(i))?;
        }
        if let Some(d) = self.dst {
            write!(f, "dst {d} ")?;
        }
        if let Some(v) = self.vlan.filter(|v| *v != 0) {
            write!(f, "vlan {v} ")?;
        }
        if let Some(p) = self.port {
            write!(f, "port {p} ")?;
        }
        if let Some(v) = self.vni {
            write!(f, "vni {v} ")?;
        }
        if let Some(v) = self.src_vni {
            write!(f, "src_vni {v} ")?;
        }
        if let Some(v) = self.via {
            if self.link_netnsid.is_some() {
                write!(f, "via ifindex {v} ")?;
            } else {
                write!(f, "via {} ", self.name(v))?;
            }
        }
        if let Some(n) = self.nhid {
            write!(f, "nhid {n} ")?;
        }
        if let Some(n) = self.link_netnsid {
            write!(f, "link-netnsid {n} ")?;
        }
        if let Some((used, updated)) = self.used {
            write!(f, "used {}/{} ", used / USER_HZ, updated / USER_HZ)?;
        }
        for w in FdbDisplay::flag_words(self.flags) {
            write!(f, "{w} ")?;
        }
        if let Some(m) = self.master {
            write!(f, "master {} ", self.name(m))?;
        }
        f.write_str(&FdbDisplay::state_word(self.state))
    }
}

/// The entries of an fdb dump ([`Handle::fdb_entries`]), in the kernel's
/// order, borrowed from the socket's receive buffer and filtered in place.
#[derive(Debug, Clone)]
pub struct FdbEntries<'a> {
    messages: Messages<'a>,
    filter: FdbFilter,
    ifindex: Option<u32>,
}

impl<'a> Iterator for FdbEntries<'a> {
    type Item = NeighRef<'a>;

    fn next(&mut self) -> Option<NeighRef<'a>> {
        loop {
            let m = self.messages.next()?;
            if m.message_type() != RTM_NEWNEIGH && m.message_type() != RTM_DELNEIGH {
                continue;
            }
            let Ok(n) = NeighRef::parse(m.payload()) else {
                continue;
            };
            if self.filter.admits(&n, self.ifindex) {
                return Some(n);
            }
        }
    }
}

impl std::iter::FusedIterator for FdbEntries<'_> {}

impl Handle {
    fn fdb_message(&mut self, spec: &FdbSpec, op: &'static str) -> Result<NeighbourMessage> {
        spec.validate()
            .map_err(|e| e.context(op, spec.to_string()))?;
        let ifindex = self.dev_index(&spec.dev).map(IfIndex::get)?;
        let via = match &spec.via {
            Some(v) => Some(self.dev_index(v).map(IfIndex::get)?),
            None => None,
        };
        Ok(spec.message(ifindex, via))
    }

    fn fdb_new(&mut self, spec: &FdbSpec, flags: u16, op: &'static str) -> Result<()> {
        let msg = self.fdb_message(spec, op)?;
        self.socket().execute(
            &Request::new(RouteNetlinkMessage::NewNeighbour(msg), op, spec).with_flags(flags),
        )
    }

    /// Adds an fdb entry as `bridge fdb add` does: `RTM_NEWNEIGH` (family
    /// `AF_BRIDGE`) with `NLM_F_CREATE | NLM_F_EXCL`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] before the kernel
    /// ([`FdbSpec::validate`]); [`ErrorKind::NotFound`] for a device that
    /// does not exist; [`ErrorKind::AlreadyExists`] for an existing entry;
    /// another refusal with the kernel's text.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::neigh::FdbSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// h.fdb_add(&FdbSpec::new([0, 0x11, 0x22, 0x33, 0x44, 0x55], "vx0").dst("10.0.0.2".parse().unwrap()))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "bridge fdb add")]
    pub fn fdb_add(&mut self, spec: &FdbSpec) -> Result<()> {
        self.fdb_new(spec, NLM_F_CREATE | NLM_F_EXCL, "add")
    }

    /// Appends an fdb entry (`bridge fdb append`: `NLM_F_CREATE |
    /// NLM_F_APPEND`): on a vxlan device, another remote for the same MAC
    /// (the all-zeros MAC: flooding to several remotes).
    ///
    /// # Errors
    /// As [`Handle::fdb_add`].
    pub fn fdb_append(&mut self, spec: &FdbSpec) -> Result<()> {
        self.fdb_new(spec, NLM_F_CREATE | NLM_F_APPEND, "append")
    }

    /// Adds or replaces an fdb entry (`bridge fdb replace`: `NLM_F_CREATE |
    /// NLM_F_REPLACE`).
    ///
    /// # Errors
    /// As [`Handle::fdb_add`], without `AlreadyExists`.
    pub fn fdb_replace(&mut self, spec: &FdbSpec) -> Result<()> {
        self.fdb_new(spec, NLM_F_CREATE | NLM_F_REPLACE, "replace")
    }

    /// Deletes an fdb entry (`bridge fdb del`): `RTM_DELNEIGH` with the
    /// whole spec (on a vxlan device, `dst`, `port`, `vni` select one remote).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such entry or device.
    #[doc(alias = "bridge fdb del")]
    pub fn fdb_del(&mut self, spec: &FdbSpec) -> Result<()> {
        const OP: &str = "delete";
        let msg = self.fdb_message(spec, OP)?;
        self.socket().execute(&Request::new(
            RouteNetlinkMessage::DelNeighbour(msg),
            OP,
            spec,
        ))
    }

    /// One fdb entry, looked up by the kernel (`bridge fdb get`):
    /// `RTM_GETNEIGH` with `NDA_LLADDR`, the device and/or `NDA_MASTER`, no
    /// dump.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such entry or device
    /// (kernel: `Fdb entry not found`).
    #[doc(alias = "bridge fdb get")]
    pub fn fdb_get(&mut self, query: &FdbQuery) -> Result<FdbEntry> {
        const OP: &str = "get";
        if query.dev.is_none() && query.br.is_none() {
            return Err(
                Error::new(ErrorKind::InvalidArgument, OP, query.to_string())
                    .with_detail("a device or a bridge is required"),
            );
        }
        let mut msg = NeighbourMessage::default();
        msg.header.family = AddressFamily::Bridge;
        if let Some(d) = &query.dev {
            msg.header.ifindex = self.dev_index(d)?.get();
        }
        let mut flags = 0;
        if query.self_ {
            flags |= NTF_SELF;
        }
        if query.master {
            flags |= NTF_MASTER;
        }
        msg.header.flags = NeighbourFlags::from_bits_retain(flags);
        msg.attributes
            .push(NeighbourAttribute::LinkLayerAddress(query.mac.to_vec()));
        if let Some(v) = query.vlan {
            msg.attributes.push(NeighbourAttribute::Vlan(v));
        }
        if let Some(v) = query.vni {
            msg.attributes.push(NeighbourAttribute::Vni(v));
        }
        if let Some(b) = &query.br {
            let b = self.dev_index(b)?.get();
            msg.attributes.push(NeighbourAttribute::Controller(b));
        }
        let request = Request::new(RouteNetlinkMessage::GetNeighbour(msg), OP, query);
        let mut messages = self.socket().request(&request)?;
        let found = messages
            .find(|m| m.message_type() == RTM_NEWNEIGH)
            .ok_or_else(|| {
                Error::new(ErrorKind::Protocol, OP, query.to_string())
                    .with_detail("the kernel acknowledged without an entry")
            })?;
        NeighRef::parse(found.payload())
            .map(|n| n.to_fdb_entry())
            .map_err(|e| e.context(OP, query.to_string()))
    }

    /// The fdb entries `filter` selects: one `RTM_GETNEIGH` dump of family
    /// `AF_BRIDGE` whose device (`ndm_ifindex`) and bridge (`NDA_MASTER`)
    /// the kernel applies (`NETLINK_GET_STRICT_CHK`); VLAN and states are
    /// applied while iterating. Yields views into the receive buffer.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a device that does not exist; the
    /// kernel's refusal.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::neigh::FdbFilter;
    /// let mut h = netns_core::Handle::current()?;
    /// let names = h.interface_names()?;
    /// for e in h.fdb_entries(&FdbFilter::new().br("br0"))? {
    ///     println!("{}", e.fdb_display(&names, true, false));
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "bridge fdb show")]
    pub fn fdb_entries(&mut self, filter: &FdbFilter) -> Result<FdbEntries<'_>> {
        let ifindex = match &filter.dev {
            Some(d) => Some(self.dev_index(d)?.get()),
            None => None,
        };
        let mut msg = NeighbourMessage::default();
        msg.header.family = AddressFamily::Bridge;
        msg.header.ifindex = ifindex.unwrap_or(0);
        if let Some(b) = &filter.br {
            let b = self.dev_index(b)?.get();
            msg.attributes.push(NeighbourAttribute::Controller(b));
        }
        let request = Request::new(RouteNetlinkMessage::GetNeighbour(msg), "list", filter);
        let messages = self.socket().dump(&request)?;
        Ok(FdbEntries {
            messages,
            filter: filter.clone(),
            ifindex,
        })
    }

    /// Deletes the entries `flush` selects, as `bridge fdb flush` does: one
    /// `RTM_DELNEIGH` with `NLM_F_BULK`, the port in `NDA_IFINDEX`, the
    /// states and flags with their masks (`NDA_NDM_STATE_MASK`,
    /// `NDA_NDM_FLAGS_MASK`); the kernel selects and deletes (Linux 6.0). On a
    /// bridge, `self` (the default) is the bridge's own table: its ports'
    /// learned, static and local entries.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a device that does not exist; the
    /// kernel's refusal (`EOPNOTSUPP` from a device without bulk delete).
    #[doc(alias = "bridge fdb flush")]
    pub fn fdb_flush(&mut self, flush: &FdbFlush) -> Result<()> {
        const OP: &str = "flush";
        if flush.vlan.is_some_and(|v| v >= 4096) {
            return Err(
                Error::new(ErrorKind::InvalidArgument, OP, flush.to_string())
                    .with_detail(format!("invalid VLAN id {}", flush.vlan.unwrap_or(0))),
            );
        }
        let ifindex = self.dev_index(&flush.dev)?.get();
        let port = match &flush.port {
            Some(p) => Some(self.dev_index(p)?.get()),
            None => None,
        };
        let (state, smask, flags, fmask) = flush.masks();
        let mut msg = NeighbourMessage::default();
        msg.header.family = AddressFamily::Bridge;
        msg.header.ifindex = ifindex;
        msg.header.state = NeighbourState::from(state);
        msg.header.flags = NeighbourFlags::from_bits_retain(flags);
        let a = &mut msg.attributes;
        if let Some(p) = port {
            a.push(NeighbourAttribute::IfIndex(p));
        }
        if let Some(v) = flush.vlan {
            a.push(NeighbourAttribute::Vlan(v));
        }
        if fmask != 0 {
            a.push(NeighbourAttribute::Other(DefaultNla::new(
                NDA_NDM_FLAGS_MASK,
                vec![fmask],
            )));
        }
        if smask != 0 {
            a.push(NeighbourAttribute::Other(DefaultNla::new(
                NDA_NDM_STATE_MASK,
                smask.to_ne_bytes().to_vec(),
            )));
        }
        self.socket().execute(
            &Request::new(RouteNetlinkMessage::DelNeighbour(msg), OP, flush).with_flags(NLM_F_BULK),
        )
    }
}
