//! Reading neighbours: [`NeighRef`] (a view of one `RTM_NEWNEIGH` in the
//! receive buffer), [`Neighbour`] (an owned copy) and the dump iterator.

use std::fmt;
use std::net::IpAddr;

use super::{NeighDisplay, NeighFilter, NeighState, Pass, NDMSG_LEN};
use crate::addr::Family;
use crate::netlink::uapi::{
    NDA_CACHEINFO, NDA_DST, NDA_FLAGS_EXT, NDA_LLADDR, NDA_MASTER, NDA_PROBES, NDA_PROTOCOL,
    NTF_EXT_LEARNED, NTF_PROXY, NTF_ROUTER,
};
use crate::netlink::{attr, Messages, RTM_DELNEIGH, RTM_NEWNEIGH};
use crate::{Error, ErrorKind, Result};

/// `NDA_CACHEINFO`: the entry's ages, in clock ticks (`USER_HZ`, 100 per
/// second: `ip -s neigh` prints them divided by it), and its reference
/// count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NeighCacheInfo {
    /// Since the entry was last confirmed (`ndm_confirmed`).
    pub confirmed: u32,
    /// Since the entry was last used (`ndm_used`).
    pub used: u32,
    /// Since the entry was last updated (`ndm_updated`).
    pub updated: u32,
    /// `ndm_refcnt`.
    pub refcnt: u32,
}

/// One neighbour entry as the kernel sent it (`RTM_NEWNEIGH` /
/// `RTM_DELNEIGH`: `struct ndmsg` and `NDA_*` attributes), read in place.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NeighRef<'a> {
    header: &'a [u8],
    attrs: &'a [u8],
}

impl<'a> NeighRef<'a> {
    /// A view over the payload of an `RTM_NEWNEIGH`/`RTM_DELNEIGH` message
    /// (after the netlink header).
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`] when the payload is shorter than `struct
    /// ndmsg` or its attributes are badly framed.
    pub fn parse(payload: &'a [u8]) -> Result<NeighRef<'a>> {
        let bad = || Error::new(ErrorKind::Protocol, "read", "neighbour message");
        if payload.len() < NDMSG_LEN {
            return Err(bad().with_detail("shorter than struct ndmsg"));
        }
        let (header, attrs) = payload.split_at(NDMSG_LEN);
        if !attr::well_formed(attrs) {
            return Err(bad().with_detail("badly framed attributes"));
        }
        Ok(NeighRef { header, attrs })
    }

    /// `ndm_family` as the kernel wrote it (`AF_BRIDGE` for fdb entries).
    pub fn family_raw(&self) -> u8 {
        self.header[0]
    }
    /// The family, when IPv4 or IPv6.
    pub fn family(&self) -> Option<Family> {
        Family::from_raw(self.family_raw())
    }
    /// `ndm_ifindex`: the device.
    pub fn ifindex(&self) -> u32 {
        u32::from_ne_bytes([
            self.header[4],
            self.header[5],
            self.header[6],
            self.header[7],
        ])
    }
    /// `ndm_state`.
    pub fn state(&self) -> NeighState {
        NeighState(u16::from_ne_bytes([self.header[8], self.header[9]]))
    }
    /// `ndm_flags` (`NTF_*`).
    pub fn flags(&self) -> u8 {
        self.header[10]
    }
    /// `ndm_type` (`RTN_*`: unicast, multicast …).
    pub fn kind(&self) -> u8 {
        self.header[11]
    }
    /// A proxy entry (`NTF_PROXY`).
    pub fn is_proxy(&self) -> bool {
        self.flags() & NTF_PROXY != 0
    }
    /// The neighbour is a router (`NTF_ROUTER`).
    pub fn is_router(&self) -> bool {
        self.flags() & NTF_ROUTER != 0
    }
    /// Learned by an external control plane (`NTF_EXT_LEARNED`).
    pub fn is_extern_learn(&self) -> bool {
        self.flags() & NTF_EXT_LEARNED != 0
    }
    /// `NDA_DST`: the protocol address.
    pub fn dst(&self) -> Option<IpAddr> {
        self.attr(NDA_DST).and_then(attr::ip)
    }
    /// `NDA_LLADDR`: the link-layer address, in place.
    pub fn lladdr(&self) -> Option<&'a [u8]> {
        self.attr(NDA_LLADDR)
    }
    /// `NDA_PROBES`: probes sent.
    pub fn probes(&self) -> Option<u32> {
        self.attr(NDA_PROBES).and_then(attr::u32_ne)
    }
    /// `NDA_MASTER`: the master device (a VRF or bridge).
    pub fn master(&self) -> Option<u32> {
        self.attr(NDA_MASTER).and_then(attr::u32_ne)
    }
    /// `NDA_PROTOCOL`: who installed the entry.
    pub fn protocol(&self) -> Option<u8> {
        self.attr(NDA_PROTOCOL).and_then(|v| v.first().copied())
    }
    /// `NDA_FLAGS_EXT` (`NTF_EXT_*`, e.g. managed).
    pub fn flags_ext(&self) -> Option<u32> {
        self.attr(NDA_FLAGS_EXT).and_then(attr::u32_ne)
    }
    /// `NDA_CACHEINFO`.
    pub fn cache_info(&self) -> Option<NeighCacheInfo> {
        let v = self.attr(NDA_CACHEINFO)?;
        let at = |i: usize| v.get(i * 4..).and_then(attr::u32_ne);
        Some(NeighCacheInfo {
            confirmed: at(0)?,
            used: at(1)?,
            updated: at(2)?,
            refcnt: at(3)?,
        })
    }
    /// The value of any attribute, borrowed in place.
    pub fn attr(&self, kind: u16) -> Option<&'a [u8]> {
        attr::find(self.attrs, kind)
    }

    /// The entry as `ip neigh show` prints it, with the device called
    /// `dev` (`None` leaves `dev …` out, as `ip neigh show dev X` does).
    pub fn display<'b>(&'b self, dev: Option<&'b str>) -> NeighDisplay<'b> {
        NeighDisplay {
            dst: self.dst(),
            dev,
            lladdr: self.lladdr(),
            flags: self.flags(),
            flags_ext: self.flags_ext().unwrap_or(0),
            state: self.state(),
            protocol: self.protocol(),
        }
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Neighbour {
        Neighbour {
            family: self.family(),
            ifindex: self.ifindex(),
            dst: self.dst(),
            lladdr: self.lladdr().map(<[u8]>::to_vec),
            state: self.state(),
            flags: self.flags(),
            kind: self.kind(),
            probes: self.probes(),
            master: self.master(),
            protocol: self.protocol(),
            flags_ext: self.flags_ext().unwrap_or(0),
            cache_info: self.cache_info(),
        }
    }
}

impl fmt::Debug for NeighRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NeighRef")
            .field("ifindex", &self.ifindex())
            .field("dst", &self.dst())
            .field("lladdr", &self.lladdr())
            .field("state", &self.state())
            .field("flags", &format_args!("{:#x}", self.flags()))
            .finish()
    }
}

/// An owned neighbour entry: [`NeighRef::to_owned`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Neighbour {
    /// IPv4 or IPv6 (`None` for another family).
    pub family: Option<Family>,
    /// `ndm_ifindex`.
    pub ifindex: u32,
    /// `NDA_DST`.
    pub dst: Option<IpAddr>,
    /// `NDA_LLADDR`.
    pub lladdr: Option<Vec<u8>>,
    /// `ndm_state`.
    pub state: NeighState,
    /// `ndm_flags` (`NTF_*`).
    pub flags: u8,
    /// `ndm_type`.
    pub kind: u8,
    /// `NDA_PROBES`.
    pub probes: Option<u32>,
    /// `NDA_MASTER`.
    pub master: Option<u32>,
    /// `NDA_PROTOCOL`.
    pub protocol: Option<u8>,
    /// `NDA_FLAGS_EXT` (`NTF_EXT_*`; 0 when absent).
    pub flags_ext: u32,
    /// `NDA_CACHEINFO`.
    pub cache_info: Option<NeighCacheInfo>,
}

impl Neighbour {
    /// A proxy entry.
    pub fn is_proxy(&self) -> bool {
        self.flags & NTF_PROXY != 0
    }
    /// A router.
    pub fn is_router(&self) -> bool {
        self.flags & NTF_ROUTER != 0
    }
    /// The entry as `ip neigh show` prints it (see [`NeighRef::display`]).
    pub fn display<'b>(&'b self, dev: Option<&'b str>) -> NeighDisplay<'b> {
        NeighDisplay {
            dst: self.dst,
            dev,
            lladdr: self.lladdr.as_deref(),
            flags: self.flags,
            flags_ext: self.flags_ext,
            state: self.state,
            protocol: self.protocol,
        }
    }
}

/// The neighbours of a dump ([`Handle::neighbours`](crate::Handle::neighbours)),
/// in the kernel's order, borrowed from the socket's receive buffer and
/// filtered in place.
#[derive(Debug, Clone)]
pub struct Neighbours<'a> {
    messages: Messages<'a>,
    filter: NeighFilter,
    ifindex: Option<u32>,
    pass: Pass,
}

impl<'a> Neighbours<'a> {
    pub(super) fn new(
        messages: Messages<'a>,
        filter: NeighFilter,
        ifindex: Option<u32>,
        pass: Pass,
    ) -> Neighbours<'a> {
        Neighbours {
            messages,
            filter,
            ifindex,
            pass,
        }
    }
}

impl<'a> Iterator for Neighbours<'a> {
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
            if self.filter.admits(&n, self.ifindex, self.pass) {
                return Some(n);
            }
        }
    }
}

impl std::iter::FusedIterator for Neighbours<'_> {}
