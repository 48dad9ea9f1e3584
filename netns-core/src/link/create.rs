//! Creating links: [`LinkAdd`], one `RTM_NEWLINK` per link.

use std::fmt;
use std::net::IpAddr;
use std::os::fd::{AsFd, AsRawFd};

use netlink_packet_route::link::{
    InfoData, InfoKind, InfoMacVlan, InfoVeth, InfoVxlan, LinkAttribute, LinkFlags as NlFlags,
    LinkInfo, LinkMessage, MacVlanMode as NlMacVlanMode,
};
use netlink_packet_route::RouteNetlinkMessage;

use super::change::LinkChange;
use super::types::{validate_link_name, IfIndex, LinkFlags, MacAddr};
use super::view::LinkRef;
use crate::netlink::{BatchError, RawMessage, Request, NLM_F_CREATE, NLM_F_EXCL, RTM_NEWLINK};
use crate::{Error, ErrorKind, Handle, NetNs, Result};

/// `NLM_F_ECHO`: the kernel sends the request's result back to the sender.
const NLM_F_ECHO: u16 = netlink_packet_core::NLM_F_ECHO;

/// Mode of a macvlan device (`IFLA_MACVLAN_MODE`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MacVlanMode {
    /// `MACVLAN_MODE_PRIVATE`: no traffic between macvlans of one parent.
    Private,
    /// `MACVLAN_MODE_VEPA`: traffic between macvlans goes out to the switch.
    Vepa,
    /// `MACVLAN_MODE_BRIDGE`: macvlans of one parent talk directly (ip's
    /// default is `vepa`; this crate's is bridge, the useful one for
    /// containers).
    #[default]
    Bridge,
    /// `MACVLAN_MODE_PASSTHRU`: one macvlan takes over the parent.
    Passthru,
    /// `MACVLAN_MODE_SOURCE`: accept by source MAC.
    Source,
}

impl MacVlanMode {
    /// Parses ip's names: `private`, `vepa`, `bridge`, `passthru`, `source`.
    pub fn from_name(name: &str) -> Option<MacVlanMode> {
        Some(match name {
            "private" => MacVlanMode::Private,
            "vepa" => MacVlanMode::Vepa,
            "bridge" => MacVlanMode::Bridge,
            "passthru" => MacVlanMode::Passthru,
            "source" => MacVlanMode::Source,
            _ => return None,
        })
    }

    pub(super) fn to_netlink(self) -> NlMacVlanMode {
        match self {
            MacVlanMode::Private => NlMacVlanMode::Private,
            MacVlanMode::Vepa => NlMacVlanMode::Vepa,
            MacVlanMode::Bridge => NlMacVlanMode::Bridge,
            MacVlanMode::Passthru => NlMacVlanMode::Passthrough,
            MacVlanMode::Source => NlMacVlanMode::Source,
        }
    }
}

/// Options of a vxlan device (`IFLA_VXLAN_*`); everything left `None` takes
/// the kernel's default.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VxlanOptions {
    /// `IFLA_VXLAN_PORT`: the UDP destination port (the kernel's default is
    /// 8472; IANA's is 4789).
    pub port: Option<u16>,
    /// `IFLA_VXLAN_LINK`: the device for the underlay.
    pub parent: Option<IfIndex>,
    /// `IFLA_VXLAN_GROUP`/`GROUP6`: the remote (unicast) or multicast group.
    pub remote: Option<IpAddr>,
    /// `IFLA_VXLAN_LOCAL`/`LOCAL6`: the source address.
    pub local: Option<IpAddr>,
    /// `IFLA_VXLAN_TTL`.
    pub ttl: Option<u8>,
    /// `IFLA_VXLAN_LEARNING`.
    pub learning: Option<bool>,
}

/// The `IFLA_VXLAN_*` attributes of `options` (and `IFLA_VXLAN_ID` when
/// `vni` is given): the one encoder of vxlan data, for creating a vxlan and
/// for changing one ([`LinkTypeChange`](super::LinkTypeChange)).
pub(super) fn vxlan_info(vni: Option<u32>, options: &VxlanOptions) -> Vec<InfoVxlan> {
    let mut v = Vec::new();
    if let Some(vni) = vni {
        v.push(InfoVxlan::Id(vni));
    }
    if let Some(port) = options.port {
        v.push(InfoVxlan::Port(port));
    }
    if let Some(parent) = options.parent {
        v.push(InfoVxlan::Link(parent.get()));
    }
    match options.remote {
        Some(IpAddr::V4(a)) => v.push(InfoVxlan::Group(a)),
        Some(IpAddr::V6(a)) => v.push(InfoVxlan::Group6(a)),
        None => {}
    }
    match options.local {
        Some(IpAddr::V4(a)) => v.push(InfoVxlan::Local(a)),
        Some(IpAddr::V6(a)) => v.push(InfoVxlan::Local6(a)),
        None => {}
    }
    if let Some(ttl) = options.ttl {
        v.push(InfoVxlan::Ttl(ttl));
    }
    if let Some(learning) = options.learning {
        v.push(InfoVxlan::Learning(learning));
    }
    v
}

/// What kind of link to create, with its kind-specific data.
#[derive(Debug, Clone)]
enum Kind<'a> {
    Veth {
        peer: &'a str,
        peer_netns: Option<&'a NetNs>,
        peer_mac: Option<MacAddr>,
        peer_mtu: Option<u32>,
        peer_txqlen: Option<u32>,
        peer_group: Option<u32>,
    },
    Bridge,
    Dummy,
    Ifb,
    MacVlan {
        parent: IfIndex,
        mode: MacVlanMode,
    },
    Vxlan {
        vni: u32,
        options: VxlanOptions,
    },
    /// Any other driver, by name, without `IFLA_INFO_DATA`.
    Other(&'a str),
}

/// The encoder of one link creation: `RTM_NEWLINK` with `NLM_F_CREATE |
/// NLM_F_EXCL`, `IFLA_IFNAME`, `IFLA_LINKINFO` (kind and data) and the
/// options set on it, borrowed from a resolved [`LinkSpec`](super::LinkSpec)
/// (the public form; see `spec.rs`). Names are checked here, before the
/// kernel sees them ([`validate_link_name`]); MAC addresses must be unicast.
#[derive(Debug, Clone)]
#[must_use = "a LinkAdd does nothing until sent"]
pub(crate) struct LinkAdd<'a> {
    name: &'a str,
    kind: Kind<'a>,
    netns: Option<&'a NetNs>,
    mac: Option<MacAddr>,
    mtu: Option<u32>,
    txqlen: Option<u32>,
    master: Option<IfIndex>,
    group: Option<u32>,
    up: bool,
}

impl<'a> LinkAdd<'a> {
    fn new(name: &'a str, kind: Kind<'a>) -> Self {
        LinkAdd {
            name,
            kind,
            netns: None,
            mac: None,
            mtu: None,
            txqlen: None,
            master: None,
            group: None,
            up: false,
        }
    }

    /// A veth pair `name` ↔ `peer` (`IFLA_INFO_KIND` `veth`; the peer's
    /// `ifinfomsg` and attributes inside `IFLA_INFO_DATA` →
    /// `VETH_INFO_PEER`).
    pub fn veth(name: &'a str, peer: &'a str) -> Self {
        LinkAdd::new(
            name,
            Kind::Veth {
                peer,
                peer_netns: None,
                peer_mac: None,
                peer_mtu: None,
                peer_txqlen: None,
                peer_group: None,
            },
        )
    }

    /// A bridge (`bridge`).
    pub fn bridge(name: &'a str) -> Self {
        LinkAdd::new(name, Kind::Bridge)
    }

    /// A dummy device (`dummy`; needs the kernel's dummy driver).
    pub fn dummy(name: &'a str) -> Self {
        LinkAdd::new(name, Kind::Dummy)
    }

    /// An intermediate functional block device (`ifb`).
    pub fn ifb(name: &'a str) -> Self {
        LinkAdd::new(name, Kind::Ifb)
    }

    /// A macvlan on `parent` (`macvlan`, `IFLA_LINK` = parent,
    /// `IFLA_MACVLAN_MODE`).
    pub fn macvlan(name: &'a str, parent: IfIndex, mode: MacVlanMode) -> Self {
        LinkAdd::new(name, Kind::MacVlan { parent, mode })
    }

    /// A vxlan with network identifier `vni` (`vxlan`, `IFLA_VXLAN_ID`) and
    /// `options`.
    pub fn vxlan(name: &'a str, vni: u32, options: VxlanOptions) -> Self {
        LinkAdd::new(name, Kind::Vxlan { vni, options })
    }

    /// A link of any other kind, by driver name (`vlan`, `bond`, `vrf`,
    /// `wireguard` …), with no kind-specific data.
    pub fn other(name: &'a str, kind: &'a str) -> Self {
        LinkAdd::new(name, Kind::Other(kind))
    }

    /// The driver name (`veth`, `bridge` …).
    pub fn kind(&self) -> &'a str {
        match self.kind {
            Kind::Veth { .. } => "veth",
            Kind::Bridge => "bridge",
            Kind::Dummy => "dummy",
            Kind::Ifb => "ifb",
            Kind::MacVlan { .. } => "macvlan",
            Kind::Vxlan { .. } => "vxlan",
            Kind::Other(k) => k,
        }
    }

    /// Creates the link directly in `netns` (`IFLA_NET_NS_FD`); for a veth,
    /// this is where the first end goes (see [`LinkAdd::peer_netns`] for the
    /// peer).
    pub fn netns(mut self, netns: &'a NetNs) -> Self {
        self.netns = Some(netns);
        self
    }

    /// Sets the hardware address (`IFLA_ADDRESS`).
    pub fn mac(mut self, mac: MacAddr) -> Self {
        self.mac = Some(mac);
        self
    }

    /// Sets the MTU (`IFLA_MTU`).
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }

    /// Sets the transmit queue length (`IFLA_TXQLEN`).
    pub fn txqlen(mut self, txqlen: u32) -> Self {
        self.txqlen = Some(txqlen);
        self
    }

    /// Makes the new link a port of `master` (`IFLA_MASTER`).
    pub fn master(mut self, master: IfIndex) -> Self {
        self.master = Some(master);
        self
    }

    /// Puts the new link in device group `group` (`IFLA_GROUP`; 0 is the
    /// default group), as `ip link add … group N`.
    pub fn group(mut self, group: u32) -> Self {
        self.group = Some(group);
        self
    }

    /// Brings the new link up in the same message (`IFF_UP` in `ifi_flags`
    /// and `ifi_change`), as `ip link add … up`.
    pub fn up(mut self) -> Self {
        self.up = true;
        self
    }

    fn veth_field(
        mut self,
        f: impl FnOnce(&mut Option<&'a NetNs>, &mut Option<MacAddr>, &mut Option<u32>),
    ) -> Self {
        if let Kind::Veth {
            peer_netns,
            peer_mac,
            peer_mtu,
            ..
        } = &mut self.kind
        {
            f(peer_netns, peer_mac, peer_mtu);
        }
        self
    }

    /// Veth only (ignored otherwise): the peer is born in `netns` (its own
    /// `IFLA_NET_NS_FD` inside `VETH_INFO_PEER`), never created here and
    /// moved.
    pub fn peer_netns(self, netns: &'a NetNs) -> Self {
        self.veth_field(|ns, _, _| *ns = Some(netns))
    }

    /// Veth only: the peer's hardware address.
    pub fn peer_mac(self, mac: MacAddr) -> Self {
        self.veth_field(|_, a, _| *a = Some(mac))
    }

    /// Veth only: the peer's MTU.
    pub fn peer_mtu(self, mtu: u32) -> Self {
        self.veth_field(|_, _, m| *m = Some(mtu))
    }

    /// Veth only: the peer's transmit queue length (its own `IFLA_TXQLEN`).
    pub fn peer_txqlen(mut self, txqlen: u32) -> Self {
        if let Kind::Veth { peer_txqlen, .. } = &mut self.kind {
            *peer_txqlen = Some(txqlen);
        }
        self
    }

    /// Veth only: the peer's device group (its own `IFLA_GROUP`).
    pub fn peer_group(mut self, group: u32) -> Self {
        if let Kind::Veth { peer_group, .. } = &mut self.kind {
            *peer_group = Some(group);
        }
        self
    }

    /// Checks names and addresses, then builds the `RTM_NEWLINK` message.
    ///
    /// The message holds the raw descriptors of the namespaces given to
    /// [`LinkAdd::netns`] and [`LinkAdd::peer_netns`]; they stay open as long
    /// as this `LinkAdd` borrows them.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a bad name or address.
    pub fn message(&self) -> Result<RouteNetlinkMessage> {
        let check_name =
            |name: &str| validate_link_name(name).map_err(|e| e.context("add", self.to_string()));
        check_name(self.name)?;
        let mut msg = LinkMessage::default();
        if self.up {
            msg.header.flags = NlFlags::from_bits_retain(LinkFlags::UP.bits());
            msg.header.change_mask = NlFlags::from_bits_retain(LinkFlags::UP.bits());
        }
        let attrs = &mut msg.attributes;
        attrs.push(LinkAttribute::IfName(self.name.to_owned()));
        if let Some(mac) = self.mac {
            mac.check_unicast("add", self)?;
            attrs.push(LinkAttribute::Address(mac.0.to_vec()));
        }
        if let Some(mtu) = self.mtu {
            attrs.push(LinkAttribute::Mtu(mtu));
        }
        if let Some(txqlen) = self.txqlen {
            attrs.push(LinkAttribute::TxQueueLen(txqlen));
        }
        if let Some(master) = self.master {
            attrs.push(LinkAttribute::Controller(master.get()));
        }
        if let Some(group) = self.group {
            attrs.push(LinkAttribute::Group(group));
        }
        if let Some(ns) = self.netns {
            attrs.push(LinkAttribute::NetNsFd(ns.as_fd().as_raw_fd()));
        }
        let (kind, data) = match &self.kind {
            Kind::Veth {
                peer,
                peer_netns,
                peer_mac,
                peer_mtu,
                peer_txqlen,
                peer_group,
            } => {
                // Name the peer: the error's object is the link being added.
                validate_link_name(peer).map_err(|e| {
                    let why = format!("peer {peer:?}: {}", e.detail().unwrap_or("invalid name"));
                    e.context("add", self.to_string()).with_detail(why)
                })?;
                let mut p = LinkMessage::default();
                p.attributes.push(LinkAttribute::IfName((*peer).to_owned()));
                if let Some(mac) = peer_mac {
                    mac.check_unicast("add", self)?;
                    p.attributes.push(LinkAttribute::Address(mac.0.to_vec()));
                }
                if let Some(mtu) = peer_mtu {
                    p.attributes.push(LinkAttribute::Mtu(*mtu));
                }
                if let Some(txqlen) = peer_txqlen {
                    p.attributes.push(LinkAttribute::TxQueueLen(*txqlen));
                }
                if let Some(group) = peer_group {
                    p.attributes.push(LinkAttribute::Group(*group));
                }
                if let Some(ns) = peer_netns {
                    p.attributes
                        .push(LinkAttribute::NetNsFd(ns.as_fd().as_raw_fd()));
                }
                (InfoKind::Veth, Some(InfoData::Veth(InfoVeth::Peer(p))))
            }
            Kind::Bridge => (InfoKind::Bridge, None),
            Kind::Dummy => (InfoKind::Dummy, None),
            Kind::Ifb => (InfoKind::Ifb, None),
            Kind::MacVlan { parent, mode } => {
                attrs.push(LinkAttribute::Link(parent.get()));
                (
                    InfoKind::MacVlan,
                    Some(InfoData::MacVlan(vec![InfoMacVlan::Mode(
                        mode.to_netlink(),
                    )])),
                )
            }
            Kind::Vxlan { vni, options } => {
                if *vni >= 1 << 24 {
                    return Err(
                        Error::new(ErrorKind::InvalidArgument, "add", self.to_string())
                            .with_detail(format!("VNI {vni} does not fit in 24 bits")),
                    );
                }
                let v = vxlan_info(Some(*vni), options);
                (InfoKind::Vxlan, Some(InfoData::Vxlan(v)))
            }
            Kind::Other(k) => {
                let kind = match *k {
                    "vlan" => InfoKind::Vlan,
                    "bond" => InfoKind::Bond,
                    "vrf" => InfoKind::Vrf,
                    "wireguard" => InfoKind::Wireguard,
                    other => InfoKind::Other(other.to_owned()),
                };
                (kind, None)
            }
        };
        let mut info = vec![LinkInfo::Kind(kind)];
        info.extend(data.map(LinkInfo::Data));
        attrs.push(LinkAttribute::LinkInfo(info));
        Ok(RouteNetlinkMessage::NewLink(msg))
    }

    /// The request [`Handle::link_add`] sends, for callers that batch link
    /// creation with other requests ([`Socket::batch`](crate::netlink::Socket::batch)).
    ///
    /// # Errors
    /// As [`LinkAdd::message`].
    pub fn request(&self) -> Result<Request<'_>> {
        Ok(Request::new(self.message()?, "add", self).with_flags(NLM_F_CREATE | NLM_F_EXCL))
    }

    /// [`LinkAdd::request`] with `NLM_F_ECHO`: the kernel also answers with
    /// the new link's `RTM_NEWLINK` (read it with [`CreatedLink::from_echo`]
    /// in [`Socket::batch_with_replies`](crate::netlink::Socket::batch_with_replies)).
    ///
    /// # Errors
    /// As [`LinkAdd::message`].
    pub fn request_echo(&self) -> Result<Request<'_>> {
        Ok(self.request()?.with_flags(NLM_F_ECHO))
    }
}

/// The interface indexes the kernel gave a new link, read from its echo
/// (`NLM_F_ECHO`): what [`Handle::links_add`] returns, so that the
/// caller can address the link (and a veth's peer) by index without looking
/// it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CreatedLink {
    /// The new link's index, in the namespace it was created in. `None` when
    /// the kernel sent no echo: the echo goes to the new link's namespace,
    /// so a link created elsewhere ([`LinkSpec::netns`](super::LinkSpec::netns)) has none.
    pub index: Option<IfIndex>,
    /// A veth's peer index (`IFLA_LINK`), in the peer's namespace (see
    /// [`VethPeer::netns`](super::VethPeer::netns)); `None` for other kinds.
    pub peer: Option<IfIndex>,
}

impl CreatedLink {
    /// Reads the echo of a link creation (an `RTM_NEWLINK` message answering
    /// a creation sent with `NLM_F_ECHO`); `None` for any other message.
    pub fn from_echo(message: &RawMessage<'_>) -> Option<CreatedLink> {
        if message.message_type() != RTM_NEWLINK {
            return None;
        }
        let link = LinkRef::parse(message.payload()).ok()?;
        let index = link.index();
        // Kernels before 6.9 omit IFLA_LINK when the peer's index equals the
        // link's own (in another namespace, that is common).
        let peer = (link.kind() == Some("veth")).then(|| link.link().unwrap_or(index));
        Some(CreatedLink {
            index: Some(index),
            peer,
        })
    }
}

/// One entry of a batch of encoded link requests: a link to create or a
/// change to make.
#[derive(Debug)]
pub(crate) enum LinkOp<'a> {
    /// Create a link (its echo gives its indexes).
    Add(LinkAdd<'a>),
    /// Change a link (one `RTM_SETLINK`).
    Change(LinkChange<'a>),
}

/// Every item's request, built (and checked) before anything is sent; the
/// first that cannot be built is reported as the batch's failure.
fn requests_of<'a, T>(
    items: &'a [T],
    request: impl Fn(&'a T) -> Result<Request<'a>>,
) -> Result<Vec<Request<'a>>, BatchError> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| request(item).map_err(BatchError::unsent(index)))
        .collect()
}

impl fmt::Display for LinkAdd<'_> {
    /// How errors name the link: `link "veth0" (veth)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "link {:?} ({})", self.name, self.kind())
    }
}

impl Handle {
    /// Sends one encoded link creation (`NLM_F_CREATE | NLM_F_EXCL`),
    /// acknowledged by the kernel.
    pub(crate) fn link_add_encoded(&mut self, link: &LinkAdd<'_>) -> Result<()> {
        let request = link.request()?;
        self.socket().execute(&request)
    }

    /// Creates many encoded links and changes in one batch, in order, with
    /// as few `send` calls as possible, writing into `created` (cleared,
    /// then one entry per op; its allocation reused) the indexes the kernel
    /// gave what each created, from its echo; when a later entry fails,
    /// `created` keeps the indexes of what the entries before it created.
    pub(crate) fn links_batch_into(
        &mut self,
        ops: &[LinkOp<'_>],
        created: &mut Vec<CreatedLink>,
    ) -> Result<(), BatchError> {
        created.clear();
        created.resize(ops.len(), CreatedLink::default());
        let requests = requests_of(ops, |op| match op {
            LinkOp::Add(add) => add.request_echo(),
            LinkOp::Change(change) => change.request(),
        })?;
        self.send_indexed(&requests, created)
    }

    /// Sends `requests` as one batch and reads the echo of each link
    /// created (`NLM_F_ECHO`) into `created`, by request.
    fn send_indexed(
        &mut self,
        requests: &[Request<'_>],
        created: &mut [CreatedLink],
    ) -> Result<(), BatchError> {
        self.socket().batch_with_replies(requests, |i, message| {
            if let (Some(slot), Some(echo)) = (created.get_mut(i), CreatedLink::from_echo(&message))
            {
                if slot.index.is_none() {
                    *slot = echo;
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    /// Creates a veth pair `name` ↔ `peer`, the peer born in `peer_netns`
    /// when given (one `RTM_NEWLINK`, as [`Handle::link_add`] sends it).
    ///
    /// # Errors
    /// As [`Handle::link_add`].
    ///
    /// # Examples
    /// ```no_run
    /// let pod = netns_core::NetNs::new_anonymous()?;
    /// let mut h = netns_core::Handle::current()?;
    /// h.veth("veth0", "eth0", Some(&pod))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn veth(&mut self, name: &str, peer: &str, peer_netns: Option<&NetNs>) -> Result<()> {
        let mut add = LinkAdd::veth(name, peer);
        if let Some(ns) = peer_netns {
            add = add.peer_netns(ns);
        }
        self.link_add_encoded(&add)
    }

    /// Creates a bridge (one `RTM_NEWLINK`, as [`Handle::link_add`] sends
    /// it).
    ///
    /// # Errors
    /// As [`Handle::link_add`].
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.bridge("br0")?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn bridge(&mut self, name: &str) -> Result<()> {
        self.link_add_encoded(&LinkAdd::bridge(name))
    }
}
