//! [`LinkRef`]: a view of one `RTM_NEWLINK` message where it lies in the
//! socket's receive buffer.

use std::fmt;

use netlink_packet_core::NlasIterator;

use super::types::{IfIndex, Link, LinkFlags, LinkMode, LinkType, OperState};
use crate::netlink::{protocol_error, Messages, RTM_NEWLINK};
use crate::{Nsid, Result};

/// Length of `struct ifinfomsg`.
const IFINFOMSG_LEN: usize = 16;

const IFLA_ADDRESS: u16 = 1;
const IFLA_BROADCAST: u16 = 2;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINK: u16 = 5;
const IFLA_QDISC: u16 = 6;
const IFLA_MASTER: u16 = 10;
const IFLA_TXQLEN: u16 = 13;
const IFLA_OPERSTATE: u16 = 16;
const IFLA_LINKMODE: u16 = 17;
const IFLA_LINKINFO: u16 = 18;
const IFLA_IFALIAS: u16 = 20;
const IFLA_GROUP: u16 = 27;
const IFLA_PROMISCUITY: u16 = 30;
const IFLA_CARRIER: u16 = 33;
const IFLA_LINK_NETNSID: u16 = 37;
const IFLA_MIN_MTU: u16 = 50;
const IFLA_MAX_MTU: u16 = 51;
const IFLA_PERM_ADDRESS: u16 = 54;

const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_SLAVE_KIND: u16 = 4;

/// One link of a reply, read in place: the `ifinfomsg` header and the
/// attributes the accessors need, found in one pass over the message when
/// the view is made. Accessors return integers and slices borrowed from the
/// receive buffer; nothing allocates.
///
/// An accessor returns `None` when the kernel did not send the attribute (or
/// sent one of the wrong size).
#[derive(Clone, Copy)]
pub struct LinkRef<'a> {
    header: &'a [u8; IFINFOMSG_LEN],
    attributes: &'a [u8],
    name: Option<&'a [u8]>,
    address: Option<&'a [u8]>,
    broadcast: Option<&'a [u8]>,
    perm_address: Option<&'a [u8]>,
    qdisc: Option<&'a [u8]>,
    alias: Option<&'a [u8]>,
    linkinfo: Option<&'a [u8]>,
    mtu: Option<u32>,
    min_mtu: Option<u32>,
    max_mtu: Option<u32>,
    link: Option<u32>,
    master: Option<u32>,
    txqlen: Option<u32>,
    group: Option<u32>,
    promiscuity: Option<u32>,
    link_netnsid: Option<i32>,
    operstate: Option<u8>,
    linkmode: Option<u8>,
    carrier: Option<u8>,
}

/// The value of an attribute, with the lifetime of the buffer.
fn value(nla: netlink_packet_core::NlaBuffer<&[u8]>) -> &[u8] {
    let len = usize::from(nla.length());
    // new_checked guaranteed 4 <= len <= buffer length.
    nla.into_inner().get(4..len).unwrap_or(&[])
}

fn u32_of(v: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(v.get(..4)?.try_into().ok()?))
}

fn u8_of(v: &[u8]) -> Option<u8> {
    v.first().copied()
}

/// A NUL-terminated string attribute without its terminator(s).
fn c_string(v: &[u8]) -> &[u8] {
    match v.iter().position(|&b| b == 0) {
        Some(end) => &v[..end],
        None => v,
    }
}

/// The longest UTF-8 prefix of `bytes` (all of it for a valid name).
fn str_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
    }
}

impl<'a> LinkRef<'a> {
    /// Reads the payload of an `RTM_NEWLINK` message (`ifinfomsg` followed
    /// by attributes), e.g. [`RawMessage::payload`](crate::netlink::RawMessage::payload).
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`](crate::ErrorKind::Protocol) when the payload
    /// is shorter than an `ifinfomsg` or its attributes are badly framed.
    pub fn parse(payload: &'a [u8]) -> Result<LinkRef<'a>> {
        let malformed = |why: &str| protocol_error(&"link message").with_detail(why.to_owned());
        let (header, attributes) = match payload.split_first_chunk::<IFINFOMSG_LEN>() {
            Some(split) => split,
            None => return Err(malformed("shorter than an ifinfomsg")),
        };
        let mut view = LinkRef {
            header,
            attributes,
            name: None,
            address: None,
            broadcast: None,
            perm_address: None,
            qdisc: None,
            alias: None,
            linkinfo: None,
            mtu: None,
            min_mtu: None,
            max_mtu: None,
            link: None,
            master: None,
            txqlen: None,
            group: None,
            promiscuity: None,
            link_netnsid: None,
            operstate: None,
            linkmode: None,
            carrier: None,
        };
        for nla in NlasIterator::new(attributes) {
            let Ok(nla) = nla else {
                return Err(malformed("badly framed attribute"));
            };
            let kind = nla.kind();
            let v = value(nla);
            match kind {
                IFLA_IFNAME => view.name = Some(c_string(v)),
                IFLA_ADDRESS => view.address = Some(v),
                IFLA_BROADCAST => view.broadcast = Some(v),
                IFLA_PERM_ADDRESS => view.perm_address = Some(v),
                IFLA_QDISC => view.qdisc = Some(c_string(v)),
                IFLA_IFALIAS => view.alias = Some(c_string(v)),
                IFLA_LINKINFO => view.linkinfo = Some(v),
                IFLA_MTU => view.mtu = u32_of(v),
                IFLA_MIN_MTU => view.min_mtu = u32_of(v),
                IFLA_MAX_MTU => view.max_mtu = u32_of(v),
                IFLA_LINK => view.link = u32_of(v),
                IFLA_MASTER => view.master = u32_of(v),
                IFLA_TXQLEN => view.txqlen = u32_of(v),
                IFLA_GROUP => view.group = u32_of(v),
                IFLA_PROMISCUITY => view.promiscuity = u32_of(v),
                IFLA_LINK_NETNSID => view.link_netnsid = u32_of(v).map(|n| n as i32),
                IFLA_OPERSTATE => view.operstate = u8_of(v),
                IFLA_LINKMODE => view.linkmode = u8_of(v),
                IFLA_CARRIER => view.carrier = u8_of(v),
                _ => {}
            }
        }
        if IfIndex::new(view.raw_index()).is_none() {
            return Err(malformed("ifi_index 0"));
        }
        Ok(view)
    }

    fn raw_index(&self) -> u32 {
        let h = self.header;
        u32::from_ne_bytes([h[4], h[5], h[6], h[7]])
    }

    /// `ifi_index`.
    pub fn index(&self) -> IfIndex {
        // parse() refused index 0.
        IfIndex::new(self.raw_index()).unwrap_or(IfIndex::LOOPBACK)
    }

    /// `ifi_type` (`ARPHRD_*`).
    pub fn link_type(&self) -> LinkType {
        LinkType(u16::from_ne_bytes([self.header[2], self.header[3]]))
    }

    /// `ifi_flags`.
    pub fn flags(&self) -> LinkFlags {
        let h = self.header;
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
        self.name.unwrap_or(&[])
    }

    /// `IFLA_MTU`.
    pub fn mtu(&self) -> Option<u32> {
        self.mtu
    }
    /// `IFLA_MIN_MTU`.
    pub fn min_mtu(&self) -> Option<u32> {
        self.min_mtu
    }
    /// `IFLA_MAX_MTU`.
    pub fn max_mtu(&self) -> Option<u32> {
        self.max_mtu
    }

    /// `IFLA_ADDRESS`: the hardware address (6 bytes for Ethernet).
    pub fn address(&self) -> Option<&'a [u8]> {
        self.address
    }
    /// `IFLA_BROADCAST`: the hardware broadcast (or point-to-point peer) address.
    pub fn broadcast(&self) -> Option<&'a [u8]> {
        self.broadcast
    }
    /// `IFLA_PERM_ADDRESS`: the permanent hardware address, when the driver has one.
    pub fn perm_address(&self) -> Option<&'a [u8]> {
        self.perm_address
    }

    /// `IFLA_OPERSTATE` ([`OperState::Unknown`] when absent).
    pub fn operstate(&self) -> OperState {
        OperState::from_raw(self.operstate.unwrap_or(0))
    }
    /// `IFLA_LINKMODE` ([`LinkMode::Default`] when absent).
    pub fn link_mode(&self) -> LinkMode {
        LinkMode::from_raw(self.linkmode.unwrap_or(0))
    }
    /// `IFLA_CARRIER`.
    pub fn carrier(&self) -> Option<bool> {
        self.carrier.map(|c| c != 0)
    }

    /// `IFLA_QDISC`: the root queueing discipline (`noqueue`, `noop` …).
    pub fn qdisc(&self) -> Option<&'a str> {
        self.qdisc.map(str_prefix)
    }
    /// `IFLA_TXQLEN`.
    pub fn txqlen(&self) -> Option<u32> {
        self.txqlen
    }
    /// `IFLA_GROUP` (0 is ip's `default`).
    pub fn group(&self) -> Option<u32> {
        self.group
    }
    /// `IFLA_PROMISCUITY`: the promiscuity counter.
    pub fn promiscuity(&self) -> Option<u32> {
        self.promiscuity
    }
    /// `IFLA_IFALIAS`.
    pub fn alias(&self) -> Option<&'a str> {
        self.alias.map(str_prefix)
    }

    /// `IFLA_MASTER`: the bridge (or bond, vrf) this link is a port of.
    pub fn master(&self) -> Option<IfIndex> {
        self.master.and_then(IfIndex::new)
    }

    /// `IFLA_LINK`: the veth peer's or the parent device's index, in the
    /// namespace of [`LinkRef::link_netnsid`] when there is one, else in this
    /// namespace. The kernel sends it only when it differs from the link's
    /// own index.
    pub fn link(&self) -> Option<IfIndex> {
        self.link.and_then(IfIndex::new)
    }

    /// `IFLA_LINK_NETNSID`: where [`LinkRef::link`] lives (e.g. the peer of a
    /// veth moved or born elsewhere), as an nsid of this link's namespace.
    pub fn link_netnsid(&self) -> Option<Nsid> {
        self.link_netnsid.and_then(Nsid::new)
    }

    /// Whether the kernel sent `IFLA_LINK_NETNSID` at all (even a negative,
    /// unassigned one: `ip` prints `link-netnsid unknown` then).
    pub fn has_link_netnsid(&self) -> bool {
        self.link_netnsid.is_some()
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

    fn linkinfo_string(&self, kind: u16) -> Option<&'a str> {
        NlasIterator::new(self.linkinfo?)
            .map_while(|nla| nla.ok())
            .find(|nla| nla.kind() == kind)
            .map(|nla| str_prefix(c_string(value(nla))))
    }

    /// Every attribute of the message as `(type, value)`, for those without
    /// an accessor.
    pub fn attributes(&self) -> LinkAttributes<'a> {
        LinkAttributes {
            inner: NlasIterator::new(self.attributes),
        }
    }

    /// The message's attribute bytes (after the `ifinfomsg`).
    pub fn attribute_bytes(&self) -> &'a [u8] {
        self.attributes
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
            mtu: self.mtu,
            min_mtu: self.min_mtu,
            max_mtu: self.max_mtu,
            qdisc: text(self.qdisc),
            operstate: self.operstate(),
            link_mode: self.link_mode(),
            group: self.group,
            txqlen: self.txqlen,
            address: bytes(self.address),
            broadcast: bytes(self.broadcast),
            perm_address: bytes(self.perm_address),
            kind: self.kind().map(str::to_owned),
            port_kind: self.port_kind().map(str::to_owned),
            master: self.master(),
            link: self.link(),
            link_netnsid: self.link_netnsid(),
            alias: text(self.alias),
            promiscuity: self.promiscuity,
            carrier: self.carrier(),
        }
    }
}

impl fmt::Debug for LinkRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkRef")
            .field("index", &self.index())
            .field("name", &self.name())
            .field("flags", &self.flags())
            .field("mtu", &self.mtu)
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

/// The raw attributes of a [`LinkRef`]: `(IFLA_* type, value)` pairs, the
/// type without the `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER` bits.
#[derive(Debug, Clone)]
pub struct LinkAttributes<'a> {
    inner: NlasIterator<&'a [u8]>,
}

impl<'a> Iterator for LinkAttributes<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        // The framing was checked when the view was made.
        let nla = self.inner.next()?.ok()?;
        Some((nla.kind(), value(nla)))
    }
}

/// The links of a dump ([`Handle::links`](crate::Handle::links)), borrowed
/// from the socket's receive buffer. Every message was checked before the
/// iterator was handed out, so iteration cannot fail and does not allocate.
#[derive(Debug, Clone)]
pub struct Links<'a> {
    messages: Messages<'a>,
    remaining: usize,
}

impl<'a> Links<'a> {
    /// Checks every link message of `messages` (header length, attribute
    /// framing, non-zero index).
    pub(crate) fn checked(messages: Messages<'a>) -> Result<Links<'a>> {
        let mut remaining = 0;
        for m in messages.clone() {
            if m.message_type() == RTM_NEWLINK {
                LinkRef::parse(m.payload()).map_err(|e| e.context("list", "links"))?;
                remaining += 1;
            }
        }
        Ok(Links {
            messages,
            remaining,
        })
    }
}

impl<'a> Iterator for Links<'a> {
    type Item = LinkRef<'a>;

    fn next(&mut self) -> Option<LinkRef<'a>> {
        loop {
            let m = self.messages.next()?;
            if m.message_type() != RTM_NEWLINK {
                continue;
            }
            if let Ok(link) = LinkRef::parse(m.payload()) {
                self.remaining -= 1;
                return Some(link);
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Links<'_> {}
impl std::iter::FusedIterator for Links<'_> {}
