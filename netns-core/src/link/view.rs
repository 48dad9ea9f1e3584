//! [`LinkRef`]: a view of one `RTM_NEWLINK` message where it lies in the
//! socket's receive buffer.

use std::fmt;

use super::bridge_port::BridgePort;
use super::stats::LinkStats64;
use super::types::{IfIndex, Link, LinkFlags, LinkMode, LinkType, OperState};
use crate::netlink::uapi::{
    IFLA_ADDRESS, IFLA_BROADCAST, IFLA_CARRIER, IFLA_GROUP, IFLA_IFALIAS, IFLA_IFNAME,
    IFLA_INFO_KIND, IFLA_INFO_SLAVE_KIND, IFLA_LINK, IFLA_LINKINFO, IFLA_LINKMODE,
    IFLA_LINK_NETNSID, IFLA_MASTER, IFLA_MAX_MTU, IFLA_MIN_MTU, IFLA_MTU, IFLA_OPERSTATE,
    IFLA_PERM_ADDRESS, IFLA_PROMISCUITY, IFLA_QDISC, IFLA_STATS64, IFLA_TXQLEN,
};
use crate::netlink::{attr, protocol_error, Messages, RawMessage, RTM_NEWLINK};
use crate::{Nsid, Result};

/// Length of `struct ifinfomsg`.
const IFINFOMSG_LEN: usize = 16;

/// Where the attributes of one link message lie and the values of its
/// numeric ones, found in one pass over the message: a fixed array of `u32`
/// words (see the `S_*`, `V_*` and `B_*` constants), so that a dump's links
/// can be indexed in one flat, reusable `Vec<u32>` while they are received
/// ([`index_link`]) and their views rebuilt without reading the message again.
type Slots = [u32; SLOT_WORDS];

// Byte spans, relative to the payload: `(offset, length)` word pairs,
// offset 0 = absent (no value starts there: the `ifinfomsg` does).
const S_NAME: usize = 0;
const S_ADDRESS: usize = 2;
const S_BROADCAST: usize = 4;
const S_PERM_ADDRESS: usize = 6;
const S_QDISC: usize = 8;
const S_ALIAS: usize = 10;
const S_LINKINFO: usize = 12;
// Numeric values, present when their bit (1 << (V_* - V_FIRST)) is set in
// the word at `PRESENT`.
const V_FIRST: usize = 14;
const V_MTU: usize = 14;
const V_MIN_MTU: usize = 15;
const V_MAX_MTU: usize = 16;
const V_LINK: usize = 17;
const V_MASTER: usize = 18;
const V_TXQLEN: usize = 19;
const V_GROUP: usize = 20;
const V_PROMISCUITY: usize = 21;
const V_LINK_NETNSID: usize = 22;
const V_OPERSTATE: usize = 23;
const V_LINKMODE: usize = 24;
const V_CARRIER: usize = 25;
const PRESENT: usize = 26;
// A span after the numbers (added with the statistics).
const S_STATS64: usize = 27;
// Spans added with altnames and bridge ports.
const S_PROP_LIST: usize = 29;
const S_PROTINFO: usize = 31;
const SLOT_WORDS: usize = 33;

/// `IFLA_PROTINFO` (`linux/if_link.h`): a bridge port's settings in an
/// `AF_BRIDGE` dump.
const IFLA_PROTINFO: u16 = 12;
/// `IFLA_PROP_LIST`: the nested list of a link's alternative names.
const IFLA_PROP_LIST: u16 = 52;
/// `IFLA_ALT_IFNAME`: one alternative name (in `IFLA_PROP_LIST`).
pub(crate) const IFLA_ALT_IFNAME: u16 = 53;
/// `IFLA_CARRIER_CHANGES`.
const IFLA_CARRIER_CHANGES: u16 = 35;
/// `IFLA_INFO_SLAVE_DATA`.
const IFLA_INFO_SLAVE_DATA: u16 = 5;

/// Words per link in a dump's index: the payload's offset in the receive
/// buffer, its length, then its [`Slots`].
pub(crate) const INDEX_STRIDE: usize = 2 + SLOT_WORDS;

/// One link of a reply, read in place: the `ifinfomsg` header and the
/// attributes the accessors need, found in one pass over the message when
/// the view is made (or when the dump was received, for
/// [`Handle::links`](crate::Handle::links)). Accessors return integers and
/// slices borrowed from the receive buffer; nothing allocates.
///
/// An accessor returns `None` when the kernel did not send the attribute (or
/// sent one of the wrong size).
#[derive(Clone, Copy)]
pub struct LinkRef<'a> {
    /// The whole payload: `ifinfomsg` then attributes (at least
    /// `IFINFOMSG_LEN` bytes, checked when the view was made).
    payload: &'a [u8],
    slots: Slots,
}

/// The longest UTF-8 prefix of `bytes` (all of it for a valid name).
fn str_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    }
}

/// Reads one link payload in one pass: checks the framing and a non-zero
/// index, and returns where each attribute an accessor needs lies.
fn slots_of(payload: &[u8]) -> std::result::Result<Slots, &'static str> {
    let attributes = payload
        .get(IFINFOMSG_LEN..)
        .ok_or("shorter than an ifinfomsg")?;
    if payload[4..8] == [0; 4] {
        return Err("ifi_index 0");
    }
    let mut slots: Slots = [0; SLOT_WORDS];
    for nla in attr::walk(attributes) {
        let (kind, v, at) = nla.map_err(|()| "badly framed attribute")?;
        // Offsets fit: a payload is one netlink message (u32 length).
        let at = (IFINFOMSG_LEN + at) as u32;
        let mut span = |slot: usize, len: usize| {
            slots[slot] = at;
            slots[slot + 1] = len as u32;
        };
        match kind {
            IFLA_IFNAME => span(S_NAME, attr::c_bytes(v).len()),
            IFLA_ADDRESS => span(S_ADDRESS, v.len()),
            IFLA_BROADCAST => span(S_BROADCAST, v.len()),
            IFLA_PERM_ADDRESS => span(S_PERM_ADDRESS, v.len()),
            IFLA_QDISC => span(S_QDISC, attr::c_bytes(v).len()),
            IFLA_IFALIAS => span(S_ALIAS, attr::c_bytes(v).len()),
            IFLA_LINKINFO => span(S_LINKINFO, v.len()),
            IFLA_STATS64 => span(S_STATS64, v.len()),
            IFLA_PROP_LIST => span(S_PROP_LIST, v.len()),
            IFLA_PROTINFO => span(S_PROTINFO, v.len()),
            _ => {
                let (slot, number) = match kind {
                    IFLA_MTU => (V_MTU, attr::u32_ne(v)),
                    IFLA_MIN_MTU => (V_MIN_MTU, attr::u32_ne(v)),
                    IFLA_MAX_MTU => (V_MAX_MTU, attr::u32_ne(v)),
                    IFLA_LINK => (V_LINK, attr::u32_ne(v)),
                    IFLA_MASTER => (V_MASTER, attr::u32_ne(v)),
                    IFLA_TXQLEN => (V_TXQLEN, attr::u32_ne(v)),
                    IFLA_GROUP => (V_GROUP, attr::u32_ne(v)),
                    IFLA_PROMISCUITY => (V_PROMISCUITY, attr::u32_ne(v)),
                    IFLA_LINK_NETNSID => (V_LINK_NETNSID, attr::u32_ne(v)),
                    IFLA_OPERSTATE => (V_OPERSTATE, v.first().map(|&b| u32::from(b))),
                    IFLA_LINKMODE => (V_LINKMODE, v.first().map(|&b| u32::from(b))),
                    IFLA_CARRIER => (V_CARRIER, v.first().map(|&b| u32::from(b))),
                    _ => continue,
                };
                // A later attribute of the same type wins, as before; one of
                // the wrong size reads as absent.
                let bit = 1 << (slot - V_FIRST);
                match number {
                    Some(n) => {
                        slots[slot] = n;
                        slots[PRESENT] |= bit;
                    }
                    None => slots[PRESENT] &= !bit,
                }
            }
        }
    }
    Ok(slots)
}

/// The dump indexer of [`Handle::links`](crate::Handle::links)
/// (see `Socket::dump_indexed`): checks the `RTM_NEWLINK` message at
/// `offset` of the receive buffer as [`LinkRef::parse`] does and appends
/// its payload's place and [`Slots`] to `index`, while the message is still
/// in the CPU's cache.
pub(crate) fn index_link(
    index: &mut Vec<u32>,
    offset: usize,
    message: RawMessage<'_>,
) -> Result<()> {
    if message.message_type() != RTM_NEWLINK {
        return Ok(());
    }
    let payload = message.payload();
    let slots = slots_of(payload).map_err(|why| {
        protocol_error(&"link message")
            .with_detail(why.to_owned())
            .context("list", "links")
    })?;
    // The receive buffer of one dump stays far below 4 GiB.
    let start = u32::try_from(offset + crate::netlink::ack::HEADER_LEN)
        .map_err(|_| protocol_error(&"links").with_detail("dump larger than 4 GiB"))?;
    index.push(start);
    index.push(payload.len() as u32);
    index.extend_from_slice(&slots);
    Ok(())
}

impl<'a> LinkRef<'a> {
    /// Reads the payload of an `RTM_NEWLINK` message (`ifinfomsg` followed
    /// by attributes), e.g. [`RawMessage::payload`](crate::netlink::RawMessage::payload).
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`](crate::ErrorKind::Protocol) when the payload
    /// is shorter than an `ifinfomsg` or its attributes are badly framed.
    pub fn parse(payload: &'a [u8]) -> Result<LinkRef<'a>> {
        let slots = slots_of(payload)
            .map_err(|why| protocol_error(&"link message").with_detail(why.to_owned()))?;
        Ok(LinkRef { payload, slots })
    }

    fn header(&self) -> &'a [u8; IFINFOMSG_LEN] {
        // parse() checked the length.
        self.payload
            .first_chunk::<IFINFOMSG_LEN>()
            .unwrap_or(&[0; IFINFOMSG_LEN])
    }

    fn span(&self, slot: usize) -> Option<&'a [u8]> {
        let at = self.slots[slot] as usize;
        if at == 0 {
            return None;
        }
        self.payload.get(at..at + self.slots[slot + 1] as usize)
    }

    fn number(&self, slot: usize) -> Option<u32> {
        (self.slots[PRESENT] & (1 << (slot - V_FIRST)) != 0).then(|| self.slots[slot])
    }

    fn byte(&self, slot: usize) -> Option<u8> {
        self.number(slot).map(|n| n as u8)
    }

    fn attributes_bytes(&self) -> &'a [u8] {
        self.payload.get(IFINFOMSG_LEN..).unwrap_or(&[])
    }

    fn raw_index(&self) -> u32 {
        let h = self.header();
        u32::from_ne_bytes([h[4], h[5], h[6], h[7]])
    }

    /// `ifi_index`.
    pub fn index(&self) -> IfIndex {
        // parse() refused index 0.
        IfIndex::new(self.raw_index()).unwrap_or(IfIndex::LOOPBACK)
    }

    /// `ifi_type` (`ARPHRD_*`).
    pub fn link_type(&self) -> LinkType {
        let h = self.header();
        LinkType(u16::from_ne_bytes([h[2], h[3]]))
    }

    /// `ifi_flags`.
    pub fn flags(&self) -> LinkFlags {
        let h = self.header();
        LinkFlags::from_bits_retain(u32::from_ne_bytes([h[8], h[9], h[10], h[11]]))
    }

    /// `IFLA_IFNAME` as text: the longest valid UTF-8 prefix of
    /// [`LinkRef::name_bytes`] (the whole name unless a program gave the link
    /// a non-UTF-8 name), `""` if absent.
    pub fn name(&self) -> &'a str {
        str_prefix(self.name_bytes())
    }

    /// `IFLA_IFNAME`, exactly as the kernel sent it (without the NUL).
    pub fn name_bytes(&self) -> &'a [u8] {
        self.span(S_NAME).unwrap_or(&[])
    }

    /// `IFLA_MTU`.
    pub fn mtu(&self) -> Option<u32> {
        self.number(V_MTU)
    }
    /// `IFLA_MIN_MTU`.
    pub fn min_mtu(&self) -> Option<u32> {
        self.number(V_MIN_MTU)
    }
    /// `IFLA_MAX_MTU`.
    pub fn max_mtu(&self) -> Option<u32> {
        self.number(V_MAX_MTU)
    }

    /// `IFLA_ADDRESS`: the hardware address (6 bytes for Ethernet).
    pub fn address(&self) -> Option<&'a [u8]> {
        self.span(S_ADDRESS)
    }
    /// `IFLA_BROADCAST`: the hardware broadcast (or point-to-point peer) address.
    pub fn broadcast(&self) -> Option<&'a [u8]> {
        self.span(S_BROADCAST)
    }
    /// `IFLA_PERM_ADDRESS`: the permanent hardware address, when the driver has one.
    pub fn perm_address(&self) -> Option<&'a [u8]> {
        self.span(S_PERM_ADDRESS)
    }

    /// `IFLA_OPERSTATE` ([`OperState::Unknown`] when absent).
    pub fn operstate(&self) -> OperState {
        OperState::from_raw(self.byte(V_OPERSTATE).unwrap_or(0))
    }
    /// `IFLA_LINKMODE` ([`LinkMode::Default`] when absent).
    pub fn link_mode(&self) -> LinkMode {
        LinkMode::from_raw(self.byte(V_LINKMODE).unwrap_or(0))
    }
    /// `IFLA_CARRIER`.
    pub fn carrier(&self) -> Option<bool> {
        self.byte(V_CARRIER).map(|c| c != 0)
    }

    /// `IFLA_QDISC`: the root queueing discipline (`noqueue`, `noop` …).
    pub fn qdisc(&self) -> Option<&'a str> {
        self.span(S_QDISC).map(str_prefix)
    }
    /// `IFLA_TXQLEN`.
    pub fn txqlen(&self) -> Option<u32> {
        self.number(V_TXQLEN)
    }
    /// `IFLA_GROUP` (0 is ip's `default`).
    pub fn group(&self) -> Option<u32> {
        self.number(V_GROUP)
    }
    /// `IFLA_PROMISCUITY`: the promiscuity counter.
    pub fn promiscuity(&self) -> Option<u32> {
        self.number(V_PROMISCUITY)
    }
    /// `IFLA_IFALIAS`.
    pub fn alias(&self) -> Option<&'a str> {
        self.span(S_ALIAS).map(str_prefix)
    }

    /// `IFLA_MASTER`: the bridge (or bond, vrf) this link is a port of.
    pub fn master(&self) -> Option<IfIndex> {
        self.number(V_MASTER).and_then(IfIndex::new)
    }

    /// `IFLA_LINK`: the veth peer's or the parent device's index, in the
    /// namespace of [`LinkRef::link_netnsid`] when there is one, else in this
    /// namespace. The kernel sends it only when it differs from the link's
    /// own index.
    pub fn link(&self) -> Option<IfIndex> {
        self.number(V_LINK).and_then(IfIndex::new)
    }

    /// `IFLA_LINK_NETNSID`: where [`LinkRef::link`] lives (e.g. the peer of a
    /// veth moved or born elsewhere), as an nsid of this link's namespace.
    pub fn link_netnsid(&self) -> Option<Nsid> {
        self.number(V_LINK_NETNSID)
            .and_then(|n| Nsid::new(n as i32))
    }

    /// Whether the kernel sent `IFLA_LINK_NETNSID` at all (even a negative,
    /// unassigned one: `ip` prints `link-netnsid unknown` then).
    pub fn has_link_netnsid(&self) -> bool {
        self.number(V_LINK_NETNSID).is_some()
    }

    /// `IFLA_LINKINFO` → `IFLA_INFO_KIND`: the driver (`veth`, `bridge`,
    /// `vxlan` …); `None` for devices without rtnl link ops (`lo`, physical
    /// NICs).
    pub fn kind(&self) -> Option<&'a str> {
        self.linkinfo_string(IFLA_INFO_KIND)
    }

    /// `IFLA_LINKINFO` → `IFLA_INFO_SLAVE_KIND`: the kind of the master this
    /// link is a port of (`bridge` for a bridge port).
    pub fn port_kind(&self) -> Option<&'a str> {
        self.linkinfo_string(IFLA_INFO_SLAVE_KIND)
    }

    /// `IFLA_STATS64`: the 64-bit counters (`ip -s link`), read in place.
    pub fn stats64(&self) -> Option<LinkStats64> {
        self.span(S_STATS64).and_then(LinkStats64::parse)
    }

    /// `IFLA_CARRIER_CHANGES`: how often the carrier came and went (`ip
    /// -s -s link`'s `transns`).
    pub fn carrier_changes(&self) -> Option<u32> {
        self.attributes()
            .find(|(kind, _)| *kind == IFLA_CARRIER_CHANGES)
            .and_then(|(_, v)| attr::u32_ne(v))
    }

    /// The link's alternative names (`IFLA_PROP_LIST` → `IFLA_ALT_IFNAME`,
    /// `ip link property add … altname`), in the kernel's order, borrowed.
    #[doc(alias = "IFLA_ALT_IFNAME")]
    pub fn altnames(&self) -> impl Iterator<Item = &'a str> + 'a {
        attr::pairs(self.span(S_PROP_LIST).unwrap_or(&[]))
            .filter(|(kind, _)| *kind == IFLA_ALT_IFNAME)
            .map(|(_, v)| str_prefix(attr::c_bytes(v)))
    }

    /// Whether `name` is the link's name or one of its alternative names.
    pub fn is_named(&self, name: &str) -> bool {
        self.name_bytes() == name.as_bytes() || self.altnames().any(|a| a == name)
    }

    /// A bridge port's settings: `IFLA_PROTINFO` of an `AF_BRIDGE` dump
    /// ([`Handle::bridge_ports`](crate::Handle::bridge_ports)), else
    /// `IFLA_LINKINFO` → `IFLA_INFO_SLAVE_DATA` of a port's link message.
    /// `None` for a link that is no bridge port.
    pub fn bridge_port(&self) -> Option<BridgePort> {
        if let Some(p) = self.span(S_PROTINFO) {
            return Some(BridgePort::parse(p));
        }
        if self.port_kind() != Some("bridge") {
            return None;
        }
        attr::find(self.span(S_LINKINFO)?, IFLA_INFO_SLAVE_DATA).map(BridgePort::parse)
    }

    /// The value of `IFLA_LINKINFO` (its nested `IFLA_INFO_*`), in place.
    pub(crate) fn linkinfo(&self) -> Option<&'a [u8]> {
        self.span(S_LINKINFO)
    }

    fn linkinfo_string(&self, kind: u16) -> Option<&'a str> {
        attr::find(self.span(S_LINKINFO)?, kind).map(|v| str_prefix(attr::c_bytes(v)))
    }

    /// Every attribute of the message as `(type, value)`, for those without
    /// an accessor.
    pub fn attributes(&self) -> LinkAttributes<'a> {
        LinkAttributes {
            inner: attr::walk(self.attributes_bytes()),
        }
    }

    /// The message's attribute bytes (after the `ifinfomsg`).
    pub fn attribute_bytes(&self) -> &'a [u8] {
        self.attributes_bytes()
    }

    /// Copies the view into an owned [`Link`].
    pub fn to_owned(&self) -> Link {
        let bytes = |b: Option<&[u8]>| b.map(<[u8]>::to_vec);
        let text = |b: Option<&[u8]>| b.map(|b| String::from_utf8_lossy(b).into_owned());
        Link {
            index: self.index(),
            name: String::from_utf8_lossy(self.name_bytes()).into_owned(),
            link_type: self.link_type(),
            flags: self.flags(),
            mtu: self.mtu(),
            min_mtu: self.min_mtu(),
            max_mtu: self.max_mtu(),
            qdisc: text(self.span(S_QDISC)),
            operstate: self.operstate(),
            link_mode: self.link_mode(),
            group: self.group(),
            txqlen: self.txqlen(),
            address: bytes(self.address()),
            broadcast: bytes(self.broadcast()),
            perm_address: bytes(self.perm_address()),
            kind: self.kind().map(str::to_owned),
            port_kind: self.port_kind().map(str::to_owned),
            master: self.master(),
            link: self.link(),
            link_netnsid: self.link_netnsid(),
            alias: text(self.span(S_ALIAS)),
            promiscuity: self.promiscuity(),
            carrier: self.carrier(),
            stats64: self.stats64(),
            altnames: self.altnames().map(str::to_owned).collect(),
        }
    }
}

impl fmt::Debug for LinkRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkRef")
            .field("index", &self.index())
            .field("name", &self.name())
            .field("flags", &self.flags())
            .field("mtu", &self.mtu())
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

/// The raw attributes of a [`LinkRef`]: `(IFLA_* type, value)` pairs, the
/// type without the `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER` bits.
#[derive(Debug, Clone)]
pub struct LinkAttributes<'a> {
    inner: attr::Walk<'a>,
}

impl<'a> Iterator for LinkAttributes<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        // The framing was checked when the view was made.
        let (kind, value, _) = self.inner.next()?.ok()?;
        Some((kind, value))
    }
}

/// The links of a dump ([`Handle::links`](crate::Handle::links)), borrowed
/// from the socket's receive buffer. Every message was checked while the
/// dump was received, and where its attributes lie recorded in the socket's
/// reusable index, so iteration cannot fail, allocates nothing and does not
/// read a message's attributes again.
///
/// [`Links::is_consistent`] says whether the kernel's dump was consistent.
#[derive(Debug, Clone)]
pub struct Links<'a> {
    source: Source<'a>,
    consistent: bool,
}

#[derive(Debug, Clone)]
enum Source<'a> {
    /// The receive buffer and the index built while receiving it
    /// ([`index_link`]: [`INDEX_STRIDE`] words per link).
    Indexed { buffer: &'a [u8], index: &'a [u32] },
    /// Messages checked in a pass of their own (the fuzzing harness; each
    /// message is read again when iterated).
    #[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
    Checked {
        messages: Messages<'a>,
        remaining: usize,
    },
}

impl<'a> Links<'a> {
    /// The links of a dump received with [`index_link`] as its indexer.
    pub(crate) fn indexed(buffer: &'a [u8], index: &'a [u32], consistent: bool) -> Links<'a> {
        Links {
            source: Source::Indexed { buffer, index },
            consistent,
        }
    }

    /// False when the link dump was interrupted (`NLM_F_DUMP_INTR`) on every
    /// attempt: these are the last attempt's links, and links added, removed
    /// or renamed meanwhile may be missing or shown twice (`ip` warns "Dump
    /// was interrupted and may be inconsistent"). See
    /// [`Messages::is_consistent`].
    #[doc(alias = "NLM_F_DUMP_INTR")]
    pub fn is_consistent(&self) -> bool {
        self.consistent
    }

    /// Checks every link message of `messages` (header length, attribute
    /// framing, non-zero index).
    #[cfg_attr(not(feature = "fuzzing"), allow(dead_code))]
    pub(crate) fn checked(messages: Messages<'a>) -> Result<Links<'a>> {
        let mut remaining = 0;
        for m in messages.clone() {
            if m.message_type() == RTM_NEWLINK {
                LinkRef::parse(m.payload()).map_err(|e| e.context("list", "links"))?;
                remaining += 1;
            }
        }
        Ok(Links {
            consistent: messages.is_consistent(),
            source: Source::Checked {
                messages,
                remaining,
            },
        })
    }

    fn remaining(&self) -> usize {
        match &self.source {
            Source::Indexed { index, .. } => index.len() / INDEX_STRIDE,
            Source::Checked { remaining, .. } => *remaining,
        }
    }
}

impl<'a> Iterator for Links<'a> {
    type Item = LinkRef<'a>;

    #[inline]
    fn next(&mut self) -> Option<LinkRef<'a>> {
        match &mut self.source {
            Source::Indexed { buffer, index } => loop {
                let (entry, rest) = index.split_first_chunk::<INDEX_STRIDE>()?;
                *index = rest;
                let start = entry[0] as usize;
                let Some(payload) = buffer.get(start..start + entry[1] as usize) else {
                    continue; // cannot happen: the indexer took it from there
                };
                let mut slots: Slots = [0; SLOT_WORDS];
                slots.copy_from_slice(&entry[2..]);
                return Some(LinkRef { payload, slots });
            },
            Source::Checked {
                messages,
                remaining,
            } => loop {
                let m = messages.next()?;
                if m.message_type() != RTM_NEWLINK {
                    continue;
                }
                if let Ok(link) = LinkRef::parse(m.payload()) {
                    *remaining -= 1;
                    return Some(link);
                }
            },
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining(), Some(self.remaining()))
    }
}

impl ExactSizeIterator for Links<'_> {}
impl std::iter::FusedIterator for Links<'_> {}
