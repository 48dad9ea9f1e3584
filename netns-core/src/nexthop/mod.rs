//! Nexthop objects (`ip nexthop`): gateways, blackholes and groups that
//! routes point at by id (`ip route add … nhid N`), added, replaced,
//! deleted, read and flushed with `RTM_*NEXTHOP` (Linux 5.3).
//!
//! | method                      | message                                           | `ip` equivalent                           |
//! |-----------------------------|---------------------------------------------------|-------------------------------------------|
//! | [`Handle::nexthop_add`]     | `RTM_NEWNEXTHOP` + `NLM_F_CREATE│NLM_F_EXCL`       | `ip nexthop add id 1 via GW dev X`        |
//! | [`Handle::nexthop_replace`] | `RTM_NEWNEXTHOP` + `NLM_F_CREATE│NLM_F_REPLACE`    | `ip nexthop replace id 1 …`               |
//! | [`Handle::nexthop_del`]     | `RTM_DELNEXTHOP` with `NHA_ID`                     | `ip nexthop del id 1`                     |
//! | [`Handle::nexthop_get`]     | `RTM_GETNEXTHOP` with `NHA_ID` (no dump)           | `ip nexthop get id 1`                     |
//! | [`Handle::nexthops`]        | `RTM_GETNEXTHOP` dump, filtered by the kernel      | `ip nexthop show [dev X] [groups] [fdb]`  |
//! | [`Handle::nexthop_flush`]   | filtered dump, then batched `RTM_DELNEXTHOP`s      | `ip nexthop flush …`                      |
//!
//! `netlink-packet-route` 0.34 has no nexthop messages, so the requests are
//! built here (`struct nhmsg` and `NHA_*` attributes, `linux/nexthop.h`)
//! and sent with [`Request::raw`] over the same socket, batching,
//! acknowledgement and dump-retry path as every other request; replies are
//! read in place ([`NexthopRef`]).
//!
//! A [`NexthopSpec`] is sent as iproute2 6.1's `ipnh_modify` sends it: the
//! family is the gateway's, `AF_INET` for a device or a blackhole alone,
//! `AF_UNSPEC` for a group (or the one given); `onlink` is `RTNH_F_ONLINK`
//! in `nh_flags`; a group's weights travel as `weight - 1`; resilient
//! timers in seconds are sent in hundredths (`clock_t`).

use std::fmt;
use std::net::IpAddr;

use crate::addr::Family;
use crate::link::{validate_link_name, Dev, IfIndex};
use crate::netlink::{
    BatchError, Request, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELNEXTHOP, RTM_GETNEXTHOP,
    RTM_NEWNEXTHOP,
};
use crate::route::{RTNH_F_DEAD, RTNH_F_LINKDOWN, RTNH_F_ONLINK};
use crate::{Errno, Error, ErrorKind, Handle, Result};

#[cfg(test)]
mod tests;
mod view;

pub use view::{GroupMembers, Nexthop, NexthopRef, Nexthops, ResilientState};

/// `sizeof(struct nhmsg)`: family, scope, protocol, reserved (u8 each),
/// flags (u32).
pub(crate) const NHMSG_LEN: usize = 8;
/// `sizeof(struct nexthop_grp)`: id (u32), weight (u8), weight_high (u8),
/// reserved (u16).
pub(crate) const NEXTHOP_GRP_LEN: usize = 8;

// linux/nexthop.h: NHA_*
pub(crate) const NHA_ID: u16 = 1;
pub(crate) const NHA_GROUP: u16 = 2;
pub(crate) const NHA_GROUP_TYPE: u16 = 3;
pub(crate) const NHA_BLACKHOLE: u16 = 4;
pub(crate) const NHA_OIF: u16 = 5;
pub(crate) const NHA_GATEWAY: u16 = 6;
pub(crate) const NHA_ENCAP_TYPE: u16 = 7;
pub(crate) const NHA_GROUPS: u16 = 9;
pub(crate) const NHA_MASTER: u16 = 10;
pub(crate) const NHA_FDB: u16 = 11;
pub(crate) const NHA_RES_GROUP: u16 = 12;
// NHA_RES_GROUP's nested attributes (NHA_RES_GROUP_*)
pub(crate) const NHA_RES_GROUP_BUCKETS: u16 = 1;
pub(crate) const NHA_RES_GROUP_IDLE_TIMER: u16 = 2;
pub(crate) const NHA_RES_GROUP_UNBALANCED_TIMER: u16 = 3;
pub(crate) const NHA_RES_GROUP_UNBALANCED_TIME: u16 = 4;
/// `NLA_F_NESTED`, set on `NHA_RES_GROUP` as iproute2 does.
const NLA_F_NESTED: u16 = 0x8000;
/// `RTNH_F_PERVASIVE`, `RTNH_F_OFFLOAD`, `RTNH_F_TRAP`, `RTM_F_NOTIFY`,
/// `RTNH_F_UNRESOLVED`, `RTM_F_OFFLOAD`, `RTM_F_TRAP`,
/// `RTM_F_OFFLOAD_FAILED`: the other words of iproute2's `print_rt_flags`,
/// in its order.
const FLAG_WORDS: [(u32, &str); 11] = [
    (RTNH_F_DEAD, "dead"),
    (RTNH_F_ONLINK, "onlink"),
    (0x2, "pervasive"),
    (0x8, "offload"),
    (0x40, "trap"),
    (0x100, "notify"),
    (RTNH_F_LINKDOWN, "linkdown"),
    (0x20, "unresolved"),
    (0x2000, "rt_offload"),
    (0x4000, "rt_trap"),
    (0x20000, "rt_offload_failed"),
];
/// Most resilient timer, in seconds: iproute2 refuses `UINT32_MAX / 100`
/// and above (the kernel takes hundredths in a u32).
pub const MAX_TIMER_SECONDS: u32 = u32::MAX / 100 - 1;
/// How many dump-and-delete rounds [`Handle::nexthop_flush`] runs at most.
pub const MAX_FLUSH_ROUNDS: usize = 10;

/// How a group spreads traffic over its members (`NHA_GROUP_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum GroupType {
    /// `mpath` (`NEXTHOP_GRP_TYPE_MPATH`, 0): hash-threshold multipath,
    /// the default.
    #[default]
    Mpath,
    /// `resilient` (`NEXTHOP_GRP_TYPE_RES`, 1, Linux 5.13): a table of
    /// buckets that keeps flows on their member when members change.
    Resilient,
}

impl GroupType {
    /// The kernel's number.
    pub fn to_raw(self) -> u16 {
        match self {
            GroupType::Mpath => 0,
            GroupType::Resilient => 1,
        }
    }
    /// The type of a kernel number; `None` for one this crate does not know.
    pub fn from_raw(raw: u16) -> Option<GroupType> {
        match raw {
            0 => Some(GroupType::Mpath),
            1 => Some(GroupType::Resilient),
            _ => None,
        }
    }
    /// `mpath` or `resilient`, as `ip nexthop` spells them.
    pub fn name(self) -> &'static str {
        match self {
            GroupType::Mpath => "mpath",
            GroupType::Resilient => "resilient",
        }
    }
}

impl std::str::FromStr for GroupType {
    type Err = Error;
    /// `mpath` or `resilient` (whole words, as iproute2's `strcmp`).
    fn from_str(s: &str) -> Result<GroupType> {
        match s {
            "mpath" => Ok(GroupType::Mpath),
            "resilient" => Ok(GroupType::Resilient),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                "parse",
                format!("nexthop group type {s:?}"),
            )
            .with_detail("a group type is mpath or resilient")),
        }
    }
}

impl fmt::Display for GroupType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One member of a group: a nexthop id and its weight (`struct
/// nexthop_grp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupMember {
    /// The member's nexthop id.
    pub id: u32,
    /// Its weight, 1 to 256 as `ip nexthop … group 1,WEIGHT` takes it (the
    /// kernel keeps one less).
    pub weight: u16,
}

impl GroupMember {
    /// Member `id` with weight 1.
    pub fn new(id: u32) -> GroupMember {
        GroupMember { id, weight: 1 }
    }
    /// Member `id` with `weight`.
    pub fn weighted(id: u32, weight: u16) -> GroupMember {
        GroupMember { id, weight }
    }
}

/// Parses a group as `ip nexthop add … group` takes it: members separated
/// by `/`, each `ID` or `ID,WEIGHT` (weight 1 to 256); numbers decimal,
/// `0x` hex or `0` octal.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] naming the text.
///
/// # Examples
/// ```
/// use netns_core::nexthop::{parse_group, GroupMember};
/// assert_eq!(
///     parse_group("1,10/2")?,
///     vec![GroupMember::weighted(1, 10), GroupMember::new(2)]
/// );
/// assert!(parse_group("1,0").is_err());
/// # Ok::<(), netns_core::Error>(())
/// ```
pub fn parse_group(s: &str) -> Result<Vec<GroupMember>> {
    let bad = |why: &str| {
        Error::new(
            ErrorKind::InvalidArgument,
            "parse",
            format!("nexthop group {s:?}"),
        )
        .with_detail(why.to_owned())
    };
    if s.is_empty() {
        return Err(bad("a group has at least one member"));
    }
    s.split('/')
        .map(|member| {
            let (id, weight) = match member.split_once(',') {
                Some((id, w)) => (id, Some(w)),
                None => (member, None),
            };
            let id = parse_number(id).ok_or_else(|| bad("a member is ID or ID,WEIGHT"))?;
            let weight = match weight {
                None => 1,
                Some(w) => parse_number(w)
                    .filter(|w| (1..=256).contains(w))
                    .and_then(|w| u16::try_from(w).ok())
                    .ok_or_else(|| bad("a weight is 1 to 256"))?,
            };
            Ok(GroupMember { id, weight })
        })
        .collect()
}

/// A number as iproute2's `get_unsigned(…, 0)` reads ids, weights and
/// timers: decimal, `0x` hex or `0` octal.
///
/// # Examples
/// ```
/// use netns_core::nexthop::parse_number;
/// assert_eq!(parse_number("0x10"), Some(16));
/// assert_eq!(parse_number("010"), Some(8));
/// assert_eq!(parse_number("x"), None);
/// ```
pub fn parse_number(s: &str) -> Option<u32> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u32::from_str_radix(hex, 16).ok()
    } else if s.len() > 1 && s.starts_with('0') {
        u32::from_str_radix(&s[1..], 8).ok()
    } else {
        s.parse().ok()
    }
}

/// The arguments of a resilient group (`NHA_RES_GROUP`): `buckets N
/// idle_timer S unbalanced_timer S`, timers in seconds; unset ones are left
/// to the kernel (128 buckets, 120 s idle timer, no unbalanced timer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Resilient {
    /// `buckets`: the size of the bucket table.
    pub buckets: Option<u16>,
    /// `idle_timer`: seconds a bucket must be idle before it may move.
    pub idle_timer: Option<u32>,
    /// `unbalanced_timer`: seconds the table may stay unbalanced.
    pub unbalanced_timer: Option<u32>,
}

impl Resilient {
    fn is_empty(&self) -> bool {
        self.buckets.is_none() && self.idle_timer.is_none() && self.unbalanced_timer.is_none()
    }
}

/// A nexthop object to add or replace (`ip nexthop add|replace id ID
/// { blackhole | [via GW] [dev X] [onlink] | group G [type T …] } [fdb]
/// [protocol P]`), owned; its device is named in the caller's words and
/// resolved on the handle it is sent on.
///
/// # Examples
/// ```
/// use netns_core::nexthop::{GroupMember, NexthopSpec};
/// let gw = NexthopSpec::new(1).via("10.0.0.1".parse().unwrap()).dev("veth0");
/// gw.validate()?;
/// let group = NexthopSpec::new(3).group([GroupMember::new(1), GroupMember::weighted(2, 5)]);
/// group.validate()?;
/// assert_eq!(group.to_string(), "nexthop 3");
/// assert!(NexthopSpec::new(4).blackhole().dev("veth0").validate().is_err());
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct NexthopSpec {
    /// `NHA_ID`; `None` (or 0) lets the kernel choose one.
    pub id: Option<u32>,
    /// `nh_family`: `None` takes iproute2's choice (the gateway's family,
    /// else IPv4 for a device or blackhole, unspecified for a group).
    pub family: Option<Family>,
    /// `via`: the gateway (`NHA_GATEWAY`).
    pub gateway: Option<IpAddr>,
    /// `dev`: the output device (`NHA_OIF`).
    pub dev: Option<Dev>,
    /// `onlink` (`RTNH_F_ONLINK`): the gateway is on the link even without
    /// a matching route.
    pub onlink: bool,
    /// `blackhole` (`NHA_BLACKHOLE`): drop the packets.
    pub blackhole: bool,
    /// `fdb` (`NHA_FDB`): for the bridge fdb (VXLAN), not for routes.
    pub fdb: bool,
    /// `group` (`NHA_GROUP`): the members; empty for a single nexthop.
    pub group: Vec<GroupMember>,
    /// `type` (`NHA_GROUP_TYPE`); `None` sends none (`mpath`).
    pub group_type: Option<GroupType>,
    /// The arguments of a resilient group.
    pub resilient: Resilient,
    /// `protocol` (`nh_protocol`): who installed it.
    pub protocol: Option<u8>,
}

impl NexthopSpec {
    /// Nexthop `id`, nothing else yet (`0` lets the kernel choose an id).
    pub fn new(id: u32) -> NexthopSpec {
        NexthopSpec {
            id: Some(id),
            ..NexthopSpec::default()
        }
    }
    /// Sets the gateway (`via`).
    pub fn via(mut self, gateway: IpAddr) -> NexthopSpec {
        self.gateway = Some(gateway);
        self
    }
    /// Sets the output device (`dev`).
    pub fn dev(mut self, dev: impl Into<Dev>) -> NexthopSpec {
        self.dev = Some(dev.into());
        self
    }
    /// Sets `onlink`.
    pub fn onlink(mut self, yes: bool) -> NexthopSpec {
        self.onlink = yes;
        self
    }
    /// Makes it a blackhole.
    pub fn blackhole(mut self) -> NexthopSpec {
        self.blackhole = true;
        self
    }
    /// Marks it for the fdb (`fdb`).
    pub fn fdb(mut self, yes: bool) -> NexthopSpec {
        self.fdb = yes;
        self
    }
    /// Makes it a group of `members`.
    pub fn group(mut self, members: impl IntoIterator<Item = GroupMember>) -> NexthopSpec {
        self.group = members.into_iter().collect();
        self
    }
    /// Sets the group type.
    pub fn group_type(mut self, kind: GroupType) -> NexthopSpec {
        self.group_type = Some(kind);
        self
    }
    /// Makes the group resilient, with `args`.
    pub fn resilient(mut self, args: Resilient) -> NexthopSpec {
        self.group_type = Some(GroupType::Resilient);
        self.resilient = args;
        self
    }
    /// Sets the protocol (`nh_protocol`).
    pub fn protocol(mut self, protocol: u8) -> NexthopSpec {
        self.protocol = Some(protocol);
        self
    }
    /// Sets the family (`ip -4`/`ip -6`).
    pub fn family(mut self, family: Family) -> NexthopSpec {
        self.family = Some(family);
        self
    }

    /// The family sent in `nh_family`: as iproute2 chooses it.
    pub fn effective_family(&self) -> Option<Family> {
        if let Some(f) = self.family {
            return Some(f);
        }
        if let Some(gw) = &self.gateway {
            return Some(Family::of(gw));
        }
        if self.dev.is_some() || self.blackhole {
            return Some(Family::Inet);
        }
        None
    }

    /// Checks what can be checked without the kernel: a group has members
    /// with weights 1 to 256 and no gateway, device or blackhole; a
    /// blackhole has no gateway, device or `onlink`; a single nexthop has a
    /// gateway, a device or is a blackhole; `type` and resilient arguments
    /// only on a group; the gateway's family matches the family; the
    /// device's name is a valid name.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the nexthop and what is wrong.
    pub fn validate(&self) -> Result<()> {
        let bad = |why: &str| {
            Error::new(ErrorKind::InvalidArgument, "use", self.to_string())
                .with_detail(why.to_owned())
        };
        if let Some(Dev::Name(n)) = &self.dev {
            validate_link_name(n).map_err(|e| e.context("use", self.to_string()))?;
        }
        if !self.group.is_empty() {
            if self.gateway.is_some() || self.dev.is_some() || self.blackhole || self.onlink {
                return Err(bad(
                    "a group takes no gateway (via), device (dev), blackhole or onlink",
                ));
            }
            if let Some(m) = self.group.iter().find(|m| !(1..=256).contains(&m.weight)) {
                return Err(bad(&format!(
                    "member {} has weight {}: a weight is 1 to 256",
                    m.id, m.weight
                )));
            }
            if let Some(m) = self.group.iter().find(|m| m.id == 0) {
                return Err(bad(&format!("member id {} is not a nexthop id", m.id)));
            }
        } else {
            if self.group_type.is_some() || !self.resilient.is_empty() {
                return Err(bad("a group type is for a group"));
            }
            if self.blackhole && (self.gateway.is_some() || self.dev.is_some() || self.onlink) {
                return Err(bad(
                    "a blackhole takes no gateway (via), device (dev) or onlink",
                ));
            }
            if !self.blackhole && self.gateway.is_none() && self.dev.is_none() {
                return Err(bad(
                    "a nexthop needs a gateway (via), a device (dev), blackhole or a group",
                ));
            }
            if !self.blackhole && !self.fdb && self.dev.is_none() {
                return Err(bad(
                    "a nexthop other than a blackhole or an fdb one needs its device (dev)",
                ));
            }
            if self.fdb && (self.blackhole || self.dev.is_some()) {
                return Err(bad("an fdb nexthop takes no device (dev) or blackhole"));
            }
        }
        if self.group_type != Some(GroupType::Resilient) && !self.resilient.is_empty() {
            return Err(bad("buckets and timers are for a resilient group"));
        }
        for t in [self.resilient.idle_timer, self.resilient.unbalanced_timer]
            .into_iter()
            .flatten()
        {
            if t > MAX_TIMER_SECONDS {
                return Err(bad(&format!(
                    "a timer is at most {MAX_TIMER_SECONDS} seconds"
                )));
            }
        }
        if let (Some(f), Some(gw)) = (self.family, &self.gateway) {
            if Family::of(gw) != f {
                return Err(bad("the gateway's family is not the nexthop's"));
            }
        }
        Ok(())
    }

    /// The payload of `RTM_NEWNEXTHOP` for this spec, its device on
    /// `ifindex`.
    pub(crate) fn payload(&self, ifindex: Option<u32>) -> Vec<u8> {
        let family = self.effective_family().map_or(0, Family::to_raw);
        let flags = if self.onlink { RTNH_F_ONLINK } else { 0 };
        let mut buf = nhmsg(family, self.protocol.unwrap_or(0), flags);
        if let Some(id) = self.id.filter(|&i| i != 0) {
            push_attr(&mut buf, NHA_ID, &id.to_ne_bytes());
        }
        if !self.group.is_empty() {
            let mut members = Vec::with_capacity(self.group.len() * NEXTHOP_GRP_LEN);
            for m in &self.group {
                let w = m.weight.saturating_sub(1);
                members.extend_from_slice(&m.id.to_ne_bytes());
                // weight (low 8 bits), weight_high (Linux 6.12), resvd2.
                members.push((w & 0xff) as u8);
                members.push((w >> 8) as u8);
                members.extend_from_slice(&[0, 0]);
            }
            push_attr(&mut buf, NHA_GROUP, &members);
        }
        if let Some(t) = self.group_type {
            if !self.resilient.is_empty() || t == GroupType::Resilient {
                let mut nest = Vec::new();
                if let Some(b) = self.resilient.buckets {
                    push_attr(&mut nest, NHA_RES_GROUP_BUCKETS, &b.to_ne_bytes());
                }
                if let Some(s) = self.resilient.idle_timer {
                    push_attr(
                        &mut nest,
                        NHA_RES_GROUP_IDLE_TIMER,
                        &(s * 100).to_ne_bytes(),
                    );
                }
                if let Some(s) = self.resilient.unbalanced_timer {
                    let hundredths = (s * 100).to_ne_bytes();
                    push_attr(&mut nest, NHA_RES_GROUP_UNBALANCED_TIMER, &hundredths);
                }
                push_attr(&mut buf, NHA_RES_GROUP | NLA_F_NESTED, &nest);
            }
            push_attr(&mut buf, NHA_GROUP_TYPE, &t.to_raw().to_ne_bytes());
        }
        if let Some(i) = ifindex {
            push_attr(&mut buf, NHA_OIF, &i.to_ne_bytes());
        }
        match self.gateway {
            Some(IpAddr::V4(a)) => push_attr(&mut buf, NHA_GATEWAY, &a.octets()),
            Some(IpAddr::V6(a)) => push_attr(&mut buf, NHA_GATEWAY, &a.octets()),
            None => {}
        }
        if self.blackhole {
            push_attr(&mut buf, NHA_BLACKHOLE, &[]);
        }
        if self.fdb {
            push_attr(&mut buf, NHA_FDB, &[]);
        }
        buf
    }
}

impl fmt::Display for NexthopSpec {
    /// `nexthop ID` (`nexthop` when the kernel chooses the id): the object
    /// errors name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.id.filter(|&i| i != 0) {
            Some(id) => write!(f, "nexthop {id}"),
            None => f.write_str("nexthop"),
        }
    }
}

/// A `struct nhmsg` (scope 0: the kernel chooses it).
fn nhmsg(family: u8, protocol: u8, flags: u32) -> Vec<u8> {
    let mut buf = Vec::with_capacity(64);
    buf.extend_from_slice(&[family, 0, protocol, 0]);
    buf.extend_from_slice(&flags.to_ne_bytes());
    buf
}

/// Appends one attribute (`struct nlattr` + value, padded to 4).
fn push_attr(buf: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = 4 + value.len();
    buf.extend_from_slice(&(len as u16).to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(value);
    buf.resize(crate::netlink::attr::align(buf.len()), 0);
}

/// The payload of a request about one nexthop id (get, delete).
fn id_payload(id: u32) -> Vec<u8> {
    let mut buf = nhmsg(0, 0, 0);
    push_attr(&mut buf, NHA_ID, &id.to_ne_bytes());
    buf
}

/// Which nexthops [`Handle::nexthops`] and [`Handle::nexthop_flush`]
/// select (`ip nexthop show|flush [id ID] [dev X] [master X] [groups]
/// [fdb] [protocol P]`). Device, master, groups and fdb are filtered by the
/// kernel (`NHA_OIF`, `NHA_MASTER`, `NHA_GROUPS`, `NHA_FDB` in the dump
/// request); family by `nh_family`; the protocol while reading, as ip.
///
/// # Examples
/// ```
/// use netns_core::nexthop::NexthopFilter;
/// let f = NexthopFilter::new().dev("veth0");
/// assert!(!f.is_all());
/// assert!(NexthopFilter::new().is_all());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct NexthopFilter {
    /// One nexthop by id (a get instead of a dump).
    pub id: Option<u32>,
    /// Nexthops out of this device (`NHA_OIF`).
    pub dev: Option<Dev>,
    /// Nexthops whose device is enslaved to this master (a VRF)
    /// (`NHA_MASTER`).
    pub master: Option<Dev>,
    /// Groups only (`NHA_GROUPS`).
    pub groups: bool,
    /// fdb nexthops only (`NHA_FDB`).
    pub fdb: bool,
    /// Nexthops of this protocol.
    pub protocol: Option<u8>,
    /// Nexthops of this family (`ip -4`/`-6`).
    pub family: Option<Family>,
}

impl NexthopFilter {
    /// Every nexthop.
    pub fn new() -> NexthopFilter {
        NexthopFilter::default()
    }
    /// Only nexthop `id`.
    pub fn id(mut self, id: u32) -> NexthopFilter {
        self.id = Some(id);
        self
    }
    /// Only nexthops out of `dev`.
    pub fn dev(mut self, dev: impl Into<Dev>) -> NexthopFilter {
        self.dev = Some(dev.into());
        self
    }
    /// Only nexthops under master `dev`.
    pub fn master(mut self, dev: impl Into<Dev>) -> NexthopFilter {
        self.master = Some(dev.into());
        self
    }
    /// Only groups.
    pub fn groups(mut self, yes: bool) -> NexthopFilter {
        self.groups = yes;
        self
    }
    /// Only fdb nexthops.
    pub fn fdb(mut self, yes: bool) -> NexthopFilter {
        self.fdb = yes;
        self
    }
    /// Only nexthops of `protocol`.
    pub fn protocol(mut self, protocol: u8) -> NexthopFilter {
        self.protocol = Some(protocol);
        self
    }
    /// Only nexthops of `family`.
    pub fn family(mut self, family: Family) -> NexthopFilter {
        self.family = Some(family);
        self
    }
    /// Whether it selects every nexthop of every family (`ip nexthop
    /// flush` without arguments).
    pub fn is_all(&self) -> bool {
        *self == NexthopFilter::default()
    }
}

/// What errors call a listing.
struct NexthopsObject<'a>(&'a NexthopFilter);

impl fmt::Display for NexthopsObject<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = self.0.id {
            return write!(f, "nexthop {id}");
        }
        f.write_str(if self.0.groups {
            "nexthop groups"
        } else {
            "nexthops"
        })?;
        if let Some(dev) = &self.0.dev {
            write!(f, " of {dev}")?;
        }
        if let Some(dev) = &self.0.master {
            write!(f, " under {dev}")?;
        }
        Ok(())
    }
}

/// Refuses id 0 before the kernel: ids start at 1 (0 asks the kernel to
/// choose one when adding).
fn check_id(id: u32, op: &'static str, object: &dyn fmt::Display) -> Result<()> {
    if id == 0 {
        return Err(
            Error::new(ErrorKind::InvalidArgument, op, object.to_string())
                .with_detail("a nexthop id is 1 or more"),
        );
    }
    Ok(())
}

/// The object of a request about one id.
struct IdObject(u32);

impl fmt::Display for IdObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "nexthop {}", self.0)
    }
}

impl Handle {
    fn nexthop_new(&mut self, spec: &NexthopSpec, flags: u16, op: &'static str) -> Result<()> {
        spec.validate()
            .map_err(|e| e.context(op, spec.to_string()))?;
        let ifindex = match &spec.dev {
            Some(dev) => Some(self.dev_index(dev).map(IfIndex::get)?),
            None => None,
        };
        let request =
            Request::raw(RTM_NEWNEXTHOP, spec.payload(ifindex), op, spec).with_flags(flags);
        self.socket().execute(&request)
    }

    /// Adds a nexthop object as `ip nexthop add` does: `RTM_NEWNEXTHOP`
    /// with `NLM_F_CREATE | NLM_F_EXCL`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] before the kernel (see
    /// [`NexthopSpec::validate`]); [`ErrorKind::NotFound`] for a device that
    /// does not exist; [`ErrorKind::AlreadyExists`] for an id in use; the
    /// kernel's refusal with its text (e.g. "Device for nexthop is not up",
    /// "Invalid nexthop id" for a missing group member).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::nexthop::{GroupMember, NexthopSpec};
    /// let mut h = netns_core::Handle::current()?;
    /// h.nexthop_add(&NexthopSpec::new(1).via("10.0.0.1".parse().unwrap()).dev("veth0"))?;
    /// h.nexthop_add(&NexthopSpec::new(2).group([GroupMember::new(1)]))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_NEWNEXTHOP")]
    pub fn nexthop_add(&mut self, spec: &NexthopSpec) -> Result<()> {
        self.nexthop_new(spec, NLM_F_CREATE | NLM_F_EXCL, "add")
    }

    /// Adds or replaces a nexthop object (`ip nexthop replace`):
    /// `RTM_NEWNEXTHOP` with `NLM_F_CREATE | NLM_F_REPLACE`. Routes using
    /// it follow the new definition.
    ///
    /// # Errors
    /// As [`Handle::nexthop_add`], without `AlreadyExists` (the kernel
    /// refuses to turn a single nexthop into a group and back).
    pub fn nexthop_replace(&mut self, spec: &NexthopSpec) -> Result<()> {
        self.nexthop_new(spec, NLM_F_CREATE | NLM_F_REPLACE, "replace")
    }

    /// Adds many nexthop objects, each as [`Handle::nexthop_add`] builds
    /// it, in as few `send` calls as possible (members before the groups
    /// that use them: the kernel applies them in order).
    ///
    /// # Errors
    /// A [`BatchError`]: the index of the first spec that failed, how many
    /// were sent, and the error. Specs before the index were added.
    pub fn nexthops_add(&mut self, specs: &[NexthopSpec]) -> Result<(), BatchError> {
        let mut payloads = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            spec.validate()
                .map_err(|e| BatchError::unsent(i)(e.context("add", spec.to_string())))?;
            let ifindex = match &spec.dev {
                Some(dev) => Some(
                    self.dev_index(dev)
                        .map(IfIndex::get)
                        .map_err(BatchError::unsent(i))?,
                ),
                None => None,
            };
            payloads.push(spec.payload(ifindex));
        }
        let requests: Vec<Request<'_>> = payloads
            .into_iter()
            .zip(specs)
            .map(|(p, spec)| {
                Request::raw(RTM_NEWNEXTHOP, p, "add", spec).with_flags(NLM_F_CREATE | NLM_F_EXCL)
            })
            .collect();
        self.socket().batch(&requests)
    }

    /// Deletes nexthop `id` (`ip nexthop del id ID`): `RTM_DELNEXTHOP` with
    /// `NHA_ID`. Routes using it go with it; a group that loses its last
    /// member goes too.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such nexthop (`ENOENT`).
    #[doc(alias = "RTM_DELNEXTHOP")]
    pub fn nexthop_del(&mut self, id: u32) -> Result<()> {
        let object = IdObject(id);
        check_id(id, "delete", &object)?;
        self.socket().execute(&Request::raw(
            RTM_DELNEXTHOP,
            id_payload(id),
            "delete",
            &object,
        ))
    }

    /// Nexthop `id`, looked up by the kernel (`ip nexthop get id ID`):
    /// `RTM_GETNEXTHOP` with `NHA_ID`, no dump.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such nexthop.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// let nh = h.nexthop_get(1)?;
    /// println!("{}", nh.display(None));
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_GETNEXTHOP")]
    pub fn nexthop_get(&mut self, id: u32) -> Result<Nexthop> {
        const OP: &str = "get";
        let object = IdObject(id);
        check_id(id, OP, &object)?;
        let request = Request::raw(RTM_GETNEXTHOP, id_payload(id), OP, &object);
        let mut messages = self.socket().request(&request)?;
        let found = messages
            .find(|m| m.message_type() == RTM_NEWNEXTHOP)
            .ok_or_else(|| {
                Error::new(ErrorKind::Protocol, OP, object.to_string())
                    .with_detail("the kernel acknowledged without a nexthop")
            })?;
        NexthopRef::parse(found.payload())
            .map(|n| n.to_owned())
            .map_err(|e| e.context(OP, object.to_string()))
    }

    /// The nexthops `filter` selects: one `RTM_GETNEXTHOP` dump whose
    /// device, master, groups-only and fdb-only filters the kernel applies
    /// (with `id`, a get of that one nexthop instead); the protocol is
    /// applied while iterating. Yields views into the socket's receive
    /// buffer: iterating allocates nothing.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a device that does not exist, or a
    /// missing `id`; the kernel's refusal; a socket error.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::nexthop::NexthopFilter;
    /// let mut h = netns_core::Handle::current()?;
    /// for nh in h.nexthops(&NexthopFilter::new().groups(true))? {
    ///     println!("{}", nh.display(None));
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "ip nexthop show")]
    pub fn nexthops(&mut self, filter: &NexthopFilter) -> Result<Nexthops<'_>> {
        const OP: &str = "list";
        let object = NexthopsObject(filter);
        if let Some(id) = filter.id {
            check_id(id, OP, &object)?;
            let request = Request::raw(RTM_GETNEXTHOP, id_payload(id), OP, &object);
            let messages = self.socket().request(&request)?;
            return Ok(Nexthops::new(messages, filter.protocol, filter.fdb));
        }
        let mut buf = nhmsg(filter.family.map_or(0, Family::to_raw), 0, 0);
        if let Some(dev) = &filter.dev {
            let i = self.dev_index(dev).map(IfIndex::get)?;
            push_attr(&mut buf, NHA_OIF, &i.to_ne_bytes());
        }
        if filter.groups {
            push_attr(&mut buf, NHA_GROUPS, &[]);
        }
        if let Some(dev) = &filter.master {
            let i = self.dev_index(dev).map(IfIndex::get)?;
            push_attr(&mut buf, NHA_MASTER, &i.to_ne_bytes());
        }
        if filter.fdb {
            push_attr(&mut buf, NHA_FDB, &[]);
        }
        let request = Request::raw(RTM_GETNEXTHOP, buf, OP, &object);
        let messages = self.socket().dump(&request)?;
        Ok(Nexthops::new(messages, filter.protocol, filter.fdb))
    }

    /// Deletes the nexthops `filter` selects, as `ip nexthop flush` does:
    /// with every nexthop selected ([`NexthopFilter::is_all`]) the groups
    /// go first, then the rest; each round is a dump, then all its
    /// `RTM_DELNEXTHOP`s in one batch; rounds repeat until a dump finds
    /// nothing (at most [`MAX_FLUSH_ROUNDS`]). Nexthops that vanished
    /// meanwhile (`ENOENT`, e.g. a group gone with its last member) are not
    /// errors. With `id`, deletes that one. Returns how many were deleted.
    ///
    /// # Errors
    /// The dump's refusal, the first delete's refusal other than `ENOENT`,
    /// or [`ErrorKind::Busy`] when nexthops kept coming back.
    #[doc(alias = "ip nexthop flush")]
    pub fn nexthop_flush(&mut self, filter: &NexthopFilter) -> Result<usize> {
        if let Some(id) = filter.id {
            self.nexthop_del(id)?;
            return Ok(1);
        }
        let mut total = 0;
        if filter.is_all() {
            total += self.nexthop_flush_rounds(&NexthopFilter::new().groups(true))?;
        }
        total += self.nexthop_flush_rounds(filter)?;
        Ok(total)
    }

    fn nexthop_flush_rounds(&mut self, filter: &NexthopFilter) -> Result<usize> {
        let mut total = 0;
        for _ in 0..MAX_FLUSH_ROUNDS {
            let doomed: Vec<IdObject> = self.nexthops(filter)?.map(|n| IdObject(n.id())).collect();
            if doomed.is_empty() {
                return Ok(total);
            }
            let requests: Vec<Request<'_>> = doomed
                .iter()
                .map(|d| Request::raw(RTM_DELNEXTHOP, id_payload(d.0), "flush", d))
                .collect();
            let mut rest = &requests[..];
            while !rest.is_empty() {
                match self.socket().batch(rest) {
                    Ok(()) => {
                        total += rest.len();
                        break;
                    }
                    Err(e) if e.error.errno() == Some(Errno::ENOENT) => {
                        // Gone meanwhile; the kernel went on with the rest
                        // of that send, and the next round's dump finds what
                        // is left.
                        total += e.sent.saturating_sub(1);
                        rest = rest.get(e.sent..).unwrap_or(&[]);
                    }
                    Err(e) => return Err(e.error),
                }
            }
        }
        Err(
            Error::new(ErrorKind::Busy, "flush", NexthopsObject(filter).to_string()).with_detail(
                format!("nexthops kept appearing for {MAX_FLUSH_ROUNDS} rounds"),
            ),
        )
    }
}

/// Seconds from hundredths (`clock_t`) as iproute2's `print_tv` prints
/// them (`%g`): `120`, `0.5`, `1.25`.
pub fn format_hundredths(hundredths: u64) -> String {
    let (s, frac) = (hundredths / 100, hundredths % 100);
    if frac == 0 {
        format!("{s}")
    } else if frac % 10 == 0 {
        format!("{s}.{}", frac / 10)
    } else {
        format!("{s}.{frac:02}")
    }
}

/// How `ip nexthop show` prints a nexthop, for front ends: see
/// [`NexthopRef::display`] and [`Nexthop::display`].
///
/// `id 1 via 10.0.0.1 dev veth0 scope link onlink`, `id 3 group 1/2`,
/// `id 5 group 1,10/2,20`, `id 4 blackhole`, `id 8 group 1/2 type
/// resilient buckets 8 idle_timer 120 unbalanced_timer 0 unbalanced_time
/// 0`: iproute2 6.1's order (`__print_nexthop_entry`), without the
/// trailing space ip prints after each field (and `fdb` last, which it
/// prints without one).
pub struct NexthopDisplay<'a> {
    pub(crate) id: u32,
    pub(crate) group: GroupMembers<'a>,
    pub(crate) group_type: u16,
    pub(crate) resilient: Option<ResilientState>,
    pub(crate) gateway: Option<IpAddr>,
    pub(crate) dev: Option<&'a str>,
    pub(crate) oif: Option<u32>,
    pub(crate) scope: u8,
    pub(crate) blackhole: bool,
    pub(crate) protocol: u8,
    pub(crate) flags: u32,
    pub(crate) fdb: bool,
    pub(crate) details: bool,
}

impl NexthopDisplay<'_> {
    /// As `ip -d nexthop show`: scope and protocol even when 0.
    pub fn details(mut self, yes: bool) -> Self {
        self.details = yes;
        self
    }
}

/// The words of `nh_flags` as iproute2's `print_rt_flags` prints them.
pub fn flag_words(flags: u32) -> impl Iterator<Item = &'static str> {
    FLAG_WORDS
        .iter()
        .filter(move |(bit, _)| flags & bit != 0)
        .map(|(_, w)| *w)
}

impl fmt::Display for NexthopDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "id {}", self.id)?;
        if !self.group.is_empty() {
            f.write_str(" group ")?;
            for (i, m) in self.group.clone().enumerate() {
                if i > 0 {
                    f.write_str("/")?;
                }
                write!(f, "{}", m.id)?;
                if m.weight != 1 {
                    write!(f, ",{}", m.weight)?;
                }
            }
        }
        if self.group_type != 0 {
            match GroupType::from_raw(self.group_type) {
                Some(t) => write!(f, " type {t}")?,
                None => f.write_str(" type <unknown type>")?,
            }
        }
        if let Some(r) = &self.resilient {
            write!(
                f,
                " buckets {} idle_timer {} unbalanced_timer {} unbalanced_time {}",
                r.buckets,
                format_hundredths(u64::from(r.idle_timer)),
                format_hundredths(u64::from(r.unbalanced_timer)),
                format_hundredths(r.unbalanced_time)
            )?;
        }
        if let Some(gw) = self.gateway {
            write!(f, " via {gw}")?;
        }
        match (self.dev, self.oif) {
            (Some(name), _) => write!(f, " dev {name}")?,
            (None, Some(i)) => write!(f, " dev if{i}")?,
            (None, None) => {}
        }
        if self.scope != 0 || self.details {
            match crate::route::scope_name(self.scope) {
                Some(name) => write!(f, " scope {name}")?,
                None => write!(f, " scope {}", self.scope)?,
            }
        }
        if self.blackhole {
            f.write_str(" blackhole")?;
        }
        if self.protocol != 0 || self.details {
            match crate::route::protocol_name(self.protocol) {
                Some(name) => write!(f, " proto {name}")?,
                None => write!(f, " proto {}", self.protocol)?,
            }
        }
        for w in flag_words(self.flags) {
            write!(f, " {w}")?;
        }
        if self.fdb {
            f.write_str(" fdb")?;
        }
        Ok(())
    }
}
