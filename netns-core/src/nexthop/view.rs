//! Reading nexthop objects: [`NexthopRef`] (a view of one `RTM_NEWNEXTHOP`
//! in the receive buffer), [`Nexthop`] (an owned copy) and the dump
//! iterator.

use std::fmt;
use std::net::IpAddr;

use super::{
    GroupMember, GroupType, NexthopDisplay, NEXTHOP_GRP_LEN, NHA_BLACKHOLE, NHA_ENCAP_TYPE,
    NHA_FDB, NHA_GATEWAY, NHA_GROUP, NHA_GROUP_TYPE, NHA_ID, NHA_OIF, NHA_RES_GROUP,
    NHA_RES_GROUP_BUCKETS, NHA_RES_GROUP_IDLE_TIMER, NHA_RES_GROUP_UNBALANCED_TIME,
    NHA_RES_GROUP_UNBALANCED_TIMER, NHMSG_LEN,
};
use crate::addr::Family;
use crate::netlink::{attr, Messages, RTM_DELNEXTHOP, RTM_NEWNEXTHOP};
use crate::route::RTNH_F_ONLINK;
use crate::Result;

/// The state of a resilient group as the kernel reports it
/// (`NHA_RES_GROUP`); timers in hundredths of a second (`clock_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResilientState {
    /// `NHA_RES_GROUP_BUCKETS`.
    pub buckets: u16,
    /// `NHA_RES_GROUP_IDLE_TIMER`, hundredths of a second.
    pub idle_timer: u32,
    /// `NHA_RES_GROUP_UNBALANCED_TIMER`, hundredths of a second.
    pub unbalanced_timer: u32,
    /// `NHA_RES_GROUP_UNBALANCED_TIME`: how long the table has been
    /// unbalanced, hundredths of a second.
    pub unbalanced_time: u64,
}

impl ResilientState {
    fn parse(nest: &[u8]) -> ResilientState {
        let mut r = ResilientState::default();
        for (kind, v) in attr::pairs(nest) {
            match kind {
                NHA_RES_GROUP_BUCKETS => {
                    if let Some(b) = v.first_chunk::<2>() {
                        r.buckets = u16::from_ne_bytes(*b);
                    }
                }
                NHA_RES_GROUP_IDLE_TIMER => r.idle_timer = attr::u32_ne(v).unwrap_or(0),
                NHA_RES_GROUP_UNBALANCED_TIMER => {
                    r.unbalanced_timer = attr::u32_ne(v).unwrap_or(0);
                }
                NHA_RES_GROUP_UNBALANCED_TIME => {
                    if let Some(b) = v.first_chunk::<8>() {
                        r.unbalanced_time = u64::from_ne_bytes(*b);
                    }
                }
                _ => {}
            }
        }
        r
    }
}

/// The members of a group (`NHA_GROUP`), read in place or from an owned
/// [`Nexthop`]; weights as `ip` prints them (1 to 256).
#[derive(Debug, Clone)]
pub struct GroupMembers<'a> {
    raw: &'a [u8],
    owned: &'a [GroupMember],
}

impl<'a> GroupMembers<'a> {
    pub(crate) fn raw(raw: &'a [u8]) -> GroupMembers<'a> {
        // A value that is not a whole number of members is ignored, as
        // iproute2 refuses it.
        let raw = if raw.len().is_multiple_of(NEXTHOP_GRP_LEN) {
            raw
        } else {
            &[]
        };
        GroupMembers { raw, owned: &[] }
    }
    pub(crate) fn owned(owned: &'a [GroupMember]) -> GroupMembers<'a> {
        GroupMembers { raw: &[], owned }
    }
    /// Whether there are none (not a group).
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty() && self.owned.is_empty()
    }
}

impl Iterator for GroupMembers<'_> {
    type Item = GroupMember;

    fn next(&mut self) -> Option<GroupMember> {
        if let Some((first, rest)) = self.owned.split_first() {
            self.owned = rest;
            return Some(*first);
        }
        let m = self.raw.get(..NEXTHOP_GRP_LEN)?;
        self.raw = &self.raw[NEXTHOP_GRP_LEN..];
        let id = u32::from_ne_bytes([m[0], m[1], m[2], m[3]]);
        // weight, then weight_high (Linux 6.12; 0 before).
        let weight = u16::from_le_bytes([m[4], m[5]]) + 1;
        Some(GroupMember { id, weight })
    }
}

/// One nexthop object as the kernel sent it (`RTM_NEWNEXTHOP` /
/// `RTM_DELNEXTHOP`: `struct nhmsg` and `NHA_*` attributes), read in place.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NexthopRef<'a> {
    header: &'a [u8],
    attrs: &'a [u8],
}

impl<'a> NexthopRef<'a> {
    /// A view over the payload of an `RTM_NEWNEXTHOP`/`RTM_DELNEXTHOP`
    /// message (after the netlink header).
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`](crate::ErrorKind::Protocol) when the payload
    /// is shorter than `struct nhmsg` or its attributes are badly framed.
    pub fn parse(payload: &'a [u8]) -> Result<NexthopRef<'a>> {
        let (header, attrs) =
            attr::split_payload(payload, NHMSG_LEN, "nexthop message", "struct nhmsg")?;
        Ok(NexthopRef { header, attrs })
    }

    /// `nh_family` as the kernel wrote it (`AF_UNSPEC` for a group).
    pub fn family_raw(&self) -> u8 {
        self.header[0]
    }
    /// The family, when IPv4 or IPv6.
    pub fn family(&self) -> Option<Family> {
        Family::from_raw(self.family_raw())
    }
    /// `nh_scope` (`RT_SCOPE_*`: `link` for a gateway, `host` for a device
    /// alone).
    pub fn scope(&self) -> u8 {
        self.header[1]
    }
    /// `nh_protocol`.
    pub fn protocol(&self) -> u8 {
        self.header[2]
    }
    /// `nh_flags` (`RTNH_F_*`: `onlink`, `dead`, `linkdown` …).
    pub fn flags(&self) -> u32 {
        u32::from_ne_bytes([
            self.header[4],
            self.header[5],
            self.header[6],
            self.header[7],
        ])
    }
    /// `NHA_ID` (0 when absent).
    pub fn id(&self) -> u32 {
        self.attr(NHA_ID).and_then(attr::u32_ne).unwrap_or(0)
    }
    /// `NHA_GATEWAY`.
    pub fn gateway(&self) -> Option<IpAddr> {
        self.attr(NHA_GATEWAY).and_then(attr::ip)
    }
    /// `NHA_OIF`: the output device's index.
    pub fn oif(&self) -> Option<u32> {
        self.attr(NHA_OIF).and_then(attr::u32_ne)
    }
    /// `NHA_BLACKHOLE`.
    pub fn is_blackhole(&self) -> bool {
        self.attr(NHA_BLACKHOLE).is_some()
    }
    /// `NHA_FDB`.
    pub fn is_fdb(&self) -> bool {
        self.attr(NHA_FDB).is_some()
    }
    /// `RTNH_F_ONLINK`.
    pub fn is_onlink(&self) -> bool {
        self.flags() & RTNH_F_ONLINK != 0
    }
    /// Whether it is a group (`NHA_GROUP`).
    pub fn is_group(&self) -> bool {
        self.attr(NHA_GROUP).is_some()
    }
    /// The members of a group (`NHA_GROUP`), read in place; none for a
    /// single nexthop.
    pub fn group(&self) -> GroupMembers<'a> {
        GroupMembers::raw(self.attr(NHA_GROUP).unwrap_or(&[]))
    }
    /// `NHA_GROUP_TYPE` as the kernel sent it (0 `mpath` when absent).
    pub fn group_type_raw(&self) -> u16 {
        self.attr(NHA_GROUP_TYPE)
            .and_then(|v| v.first_chunk::<2>())
            .map_or(0, |b| u16::from_ne_bytes(*b))
    }
    /// The group type; `None` for a single nexthop or an unknown type.
    pub fn group_type(&self) -> Option<GroupType> {
        if !self.is_group() {
            return None;
        }
        GroupType::from_raw(self.group_type_raw())
    }
    /// `NHA_RES_GROUP`: a resilient group's buckets and timers.
    pub fn resilient(&self) -> Option<ResilientState> {
        self.attr(NHA_RES_GROUP).map(ResilientState::parse)
    }
    /// `NHA_ENCAP_TYPE` (`LWTUNNEL_ENCAP_*`, e.g. 1 for MPLS).
    pub fn encap_type(&self) -> Option<u16> {
        self.attr(NHA_ENCAP_TYPE)
            .and_then(|v| v.first_chunk::<2>())
            .map(|b| u16::from_ne_bytes(*b))
    }
    /// The value of any attribute, borrowed in place.
    pub fn attr(&self, kind: u16) -> Option<&'a [u8]> {
        attr::find(self.attrs, kind)
    }

    /// The nexthop as `ip nexthop show` prints it, with its device called
    /// `dev` (`None`: `if` and the index).
    pub fn display<'b>(&'b self, dev: Option<&'b str>) -> NexthopDisplay<'b> {
        NexthopDisplay {
            id: self.id(),
            group: self.group(),
            group_type: self.group_type_raw(),
            resilient: self.resilient(),
            gateway: self.gateway(),
            dev,
            oif: self.oif(),
            scope: self.scope(),
            blackhole: self.is_blackhole(),
            protocol: self.protocol(),
            flags: self.flags(),
            fdb: self.is_fdb(),
            details: false,
        }
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Nexthop {
        Nexthop {
            id: self.id(),
            family: self.family(),
            scope: self.scope(),
            protocol: self.protocol(),
            flags: self.flags(),
            gateway: self.gateway(),
            oif: self.oif(),
            blackhole: self.is_blackhole(),
            fdb: self.is_fdb(),
            group: self.group().collect(),
            group_type: self.group_type_raw(),
            resilient: self.resilient(),
        }
    }
}

impl fmt::Debug for NexthopRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NexthopRef")
            .field("id", &self.id())
            .field("gateway", &self.gateway())
            .field("oif", &self.oif())
            .field("blackhole", &self.is_blackhole())
            .field("group", &self.group().collect::<Vec<_>>())
            .finish()
    }
}

/// An owned nexthop object: [`NexthopRef::to_owned`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Nexthop {
    /// `NHA_ID`.
    pub id: u32,
    /// IPv4 or IPv6 (`None` for a group).
    pub family: Option<Family>,
    /// `nh_scope`.
    pub scope: u8,
    /// `nh_protocol`.
    pub protocol: u8,
    /// `nh_flags` (`RTNH_F_*`).
    pub flags: u32,
    /// `NHA_GATEWAY`.
    pub gateway: Option<IpAddr>,
    /// `NHA_OIF`.
    pub oif: Option<u32>,
    /// `NHA_BLACKHOLE`.
    pub blackhole: bool,
    /// `NHA_FDB`.
    pub fdb: bool,
    /// `NHA_GROUP`: the members (empty for a single nexthop).
    pub group: Vec<GroupMember>,
    /// `NHA_GROUP_TYPE` as sent (0 `mpath`, 1 `resilient`).
    pub group_type: u16,
    /// `NHA_RES_GROUP`.
    pub resilient: Option<ResilientState>,
}

impl Nexthop {
    /// `RTNH_F_ONLINK`.
    pub fn is_onlink(&self) -> bool {
        self.flags & RTNH_F_ONLINK != 0
    }
    /// The group type; `None` for a single nexthop or an unknown type.
    pub fn group_type(&self) -> Option<GroupType> {
        if self.group.is_empty() {
            return None;
        }
        GroupType::from_raw(self.group_type)
    }
    /// The nexthop as `ip nexthop show` prints it (see
    /// [`NexthopRef::display`]).
    pub fn display<'b>(&'b self, dev: Option<&'b str>) -> NexthopDisplay<'b> {
        NexthopDisplay {
            id: self.id,
            group: GroupMembers::owned(&self.group),
            group_type: self.group_type,
            resilient: self.resilient,
            gateway: self.gateway,
            dev,
            oif: self.oif,
            scope: self.scope,
            blackhole: self.blackhole,
            protocol: self.protocol,
            flags: self.flags,
            fdb: self.fdb,
            details: false,
        }
    }
}

/// The nexthops of a dump ([`Handle::nexthops`](crate::Handle::nexthops)),
/// in the kernel's order, borrowed from the socket's receive buffer.
#[derive(Debug, Clone)]
pub struct Nexthops<'a> {
    messages: Messages<'a>,
    protocol: Option<u8>,
    fdb_only: bool,
}

impl<'a> Nexthops<'a> {
    pub(super) fn new(
        messages: Messages<'a>,
        protocol: Option<u8>,
        fdb_only: bool,
    ) -> Nexthops<'a> {
        Nexthops {
            messages,
            protocol,
            fdb_only,
        }
    }

    /// False when the dump was interrupted on every attempt
    /// (`NLM_F_DUMP_INTR`): see
    /// [`Messages::is_consistent`](crate::netlink::Messages::is_consistent).
    pub fn is_consistent(&self) -> bool {
        self.messages.is_consistent()
    }
}

impl<'a> Iterator for Nexthops<'a> {
    type Item = NexthopRef<'a>;

    fn next(&mut self) -> Option<NexthopRef<'a>> {
        loop {
            let m = self.messages.next()?;
            if m.message_type() != RTM_NEWNEXTHOP && m.message_type() != RTM_DELNEXTHOP {
                continue;
            }
            let Ok(n) = NexthopRef::parse(m.payload()) else {
                continue;
            };
            if self.protocol.is_none_or(|p| p == n.protocol()) && (!self.fdb_only || n.is_fdb()) {
                return Some(n);
            }
        }
    }
}

impl std::iter::FusedIterator for Nexthops<'_> {}
