//! Network devices ("links") over rtnetlink: list, look up, create, change,
//! move between namespaces, delete.
//!
//! Every operation is a method of [`Handle`] and works in the
//! handle's network namespace:
//!
//! | method                                   | message                                              | `ip` equivalent                    |
//! |------------------------------------------|------------------------------------------------------|------------------------------------|
//! | [`links`](crate::Handle::links)          | `RTM_GETLINK` + `NLM_F_DUMP`                          | `ip link show`                     |
//! | [`link`](crate::Handle::link), [`link_by_name`](crate::Handle::link_by_name), [`link_by_index`](crate::Handle::link_by_index), [`link_index`](crate::Handle::link_index) | `RTM_GETLINK` for one `ifi_index` or `IFLA_IFNAME` | `ip link show dev X` |
//! | [`link_add`](crate::Handle::link_add)    | `RTM_NEWLINK` + `NLM_F_CREATE \| NLM_F_EXCL` for a [`LinkSpec`] | `ip link add …`        |
//! | [`links_add`](crate::Handle::links_add), [`links_apply`](crate::Handle::links_apply) | many `RTM_NEWLINK` (and `RTM_SETLINK`), batched | `ip -batch` |
//! | [`link_set`](crate::Handle::link_set)    | one `RTM_SETLINK` carrying every change               | `ip link set dev X …`              |
//! | [`link_delete`](crate::Handle::link_delete) | `RTM_DELLINK`                                      | `ip link del dev X`                |
//!
//! Replies are read in place: [`LinkRef`] is a view of one `RTM_NEWLINK`
//! message in the socket's receive buffer, whose accessors return integers
//! and borrowed slices; [`LinkRef::to_owned`] makes an owned [`Link`] when
//! one is needed.
//!
//! A veth pair can be created with its peer **born** in another namespace
//! ([`LinkSpec::peer_netns`]): the peer's `IFLA_NET_NS_FD` travels inside
//! `IFLA_LINKINFO` → `IFLA_INFO_DATA` → `VETH_INFO_PEER`, so there is no
//! create-then-move (which costs an `rcu_barrier` under `rtnl_lock` per link).
//!
//! ```no_run
//! use netns_core::{link::LinkSpec, Handle, NetNs};
//!
//! let pod = NetNs::new_anonymous()?;
//! let mut host = Handle::current()?;
//! host.link_add(&LinkSpec::veth("veth0", "eth0").peer_netns(pod).up(true))?;
//! for link in host.links()? {
//!     println!("{}: {} mtu {:?}", link.index(), link.name(), link.mtu());
//! }
//! # Ok::<(), netns_core::Error>(())
//! ```

mod alias;
mod altname;
mod bridge_port;
mod change;
mod create;
mod ensure;
mod promisc;
mod resolve;
mod spec;
mod stats;
mod tuntap;
mod types;
mod view;

#[cfg(test)]
mod tests;

use std::fmt;

use netlink_packet_route::link::{LinkAttribute, LinkExtentMask, LinkMessage};
use netlink_packet_route::RouteNetlinkMessage;

pub use self::alias::MAX_ALIAS_LEN;
pub use self::altname::{validate_altname, MAX_ALTNAME_LEN};
pub use self::bridge_port::{
    parse_on_off, BridgePort, BridgePortDetails, BridgePortSpec, BridgePortSummary,
};
pub use self::change::{BridgeOptions, LinkChange, LinkTypeChange};
pub use self::create::{CreatedLink, MacVlanMode, VxlanOptions};
pub(crate) use self::resolve::{validate_dev, DevTable, OP_FIND};
pub use self::spec::{Dev, LinkKind, LinkRequest, LinkSpec, NetNsRef, VethPeer};
pub use self::stats::{LinkStats64, StatsDisplay};
pub use self::tuntap::{tuntap_add_current, TunInfo, TunMode, TunTap, TunTapSpec};
pub use self::types::{
    validate_link_name, HwAddr, IfIndex, Link, LinkFlags, LinkMode, LinkType, MacAddr, OperState,
    MAX_NAME_LEN,
};
pub(crate) use self::view::index_link;
#[cfg(test)]
pub(crate) use self::view::INDEX_STRIDE;
pub use self::view::{LinkAttributes, LinkRef, Links};

use crate::netlink::{Request, RTM_NEWLINK};
use crate::{Error, ErrorKind, Handle, Result};

/// Which link an operation is about: by index (`ifi_index`) or by name
/// (`IFLA_IFNAME`, looked up by the kernel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LinkId<'a> {
    /// By interface index.
    Index(IfIndex),
    /// By interface name.
    Name(&'a str),
}

impl<'a> From<&'a str> for LinkId<'a> {
    fn from(name: &'a str) -> Self {
        LinkId::Name(name)
    }
}

impl<'a> From<&'a String> for LinkId<'a> {
    fn from(name: &'a String) -> Self {
        LinkId::Name(name)
    }
}

impl From<IfIndex> for LinkId<'_> {
    fn from(index: IfIndex) -> Self {
        LinkId::Index(index)
    }
}

impl fmt::Display for LinkId<'_> {
    /// How messages name the link: `link "veth0"` or `link with index 5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkId::Index(i) => write!(f, "link with index {i}"),
            LinkId::Name(n) => write!(f, "link {n:?}"),
        }
    }
}

impl LinkId<'_> {
    /// Writes the identification into a request: `ifi_index`, or
    /// `IFLA_IFNAME` with `ifi_index` 0 (after checking the name).
    fn apply(&self, op: &'static str, msg: &mut LinkMessage) -> Result<()> {
        match *self {
            LinkId::Index(i) => msg.header.index = i.get(),
            // A name longer than a link name can be is an alternative name:
            // the kernel looks it up from IFLA_ALT_IFNAME (as ip sends it).
            LinkId::Name(n) if n.len() > types::MAX_NAME_LEN => {
                validate_altname(n).map_err(|e| e.context(op, self.to_string()))?;
                let mut value = n.as_bytes().to_vec();
                value.push(0);
                msg.attributes
                    .push(LinkAttribute::Other(netlink_packet_core::DefaultNla::new(
                        view::IFLA_ALT_IFNAME,
                        value,
                    )));
            }
            LinkId::Name(n) => {
                validate_link_name(n).map_err(|e| e.context(op, self.to_string()))?;
                msg.attributes.push(LinkAttribute::IfName(n.to_owned()));
            }
        }
        Ok(())
    }
}

/// `RTM_GETLINK` (with `IFLA_EXT_MASK` = `RTEXT_FILTER_SKIP_STATS`: the
/// kernel leaves out the statistics of SR-IOV virtual functions; the link's
/// own `IFLA_STATS64` still comes, see [`LinkRef::stats64`]).
fn get_message(id: Option<LinkId<'_>>, op: &'static str) -> Result<RouteNetlinkMessage> {
    let mut msg = LinkMessage::default();
    if let Some(id) = id {
        id.apply(op, &mut msg)?;
    }
    msg.attributes
        .push(LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats]));
    Ok(RouteNetlinkMessage::GetLink(msg))
}

impl Handle {
    /// Lists every link of the namespace: one `RTM_GETLINK` dump
    /// (`NLM_F_DUMP`, statistics skipped with `IFLA_EXT_MASK`), read whole
    /// into the socket's receive buffer (retried, with pauses, if the kernel
    /// marks it `NLM_F_DUMP_INTR`; if every attempt is interrupted, the last
    /// one's links are returned with [`Links::is_consistent`] false); each
    /// message is checked, and where its attributes lie recorded in the
    /// socket's reusable index, as it arrives. The iterator then yields
    /// [`LinkRef`] views into that buffer without allocating or reading the
    /// attributes again.
    ///
    /// # Errors
    /// The kernel's refusal; [`ErrorKind::Protocol`] for a malformed message.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// let up = h.links()?.filter(|l| l.flags().is_up()).count();
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_GETLINK")]
    #[doc(alias = "ip link show")]
    pub fn links(&mut self) -> Result<Links<'_>> {
        let request = Request::new(get_message(None, "list")?, "list", &"links");
        let (buffer, index, consistent) = self.socket().dump_indexed(&request, index_link)?;
        Ok(Links::indexed(buffer, index, consistent))
    }

    /// Looks one link up in the kernel (`RTM_GETLINK` with `ifi_index` or
    /// `IFLA_IFNAME`: no dump) and returns a view of the reply, valid until
    /// the handle is used again.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such link (the kernel says
    /// `ENODEV`); [`ErrorKind::InvalidArgument`] for a name no link can have.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// let lo = h.link("lo".into())?;
    /// assert!(lo.flags().is_loopback());
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn link(&mut self, id: LinkId<'_>) -> Result<LinkRef<'_>> {
        let request = Request::new(get_message(Some(id), "get")?, "get", &id);
        let mut messages = self.socket().request(&request)?;
        let message = messages
            .find(|m| m.message_type() == RTM_NEWLINK)
            .ok_or_else(|| {
                Error::new(ErrorKind::Protocol, "get", id.to_string())
                    .with_detail("the kernel acknowledged without a link")
            })?;
        LinkRef::parse(message.payload()).map_err(|e| e.context("get", id.to_string()))
    }

    /// [`Handle::link`] by name, as an owned [`Link`].
    ///
    /// # Errors
    /// As [`Handle::link`].
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// let lo = h.link_by_name("lo")?;
    /// assert_eq!(lo.index.get(), 1);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn link_by_name(&mut self, name: &str) -> Result<Link> {
        Ok(self.link(LinkId::Name(name))?.to_owned())
    }

    /// [`Handle::link`] by index, as an owned [`Link`].
    ///
    /// # Errors
    /// As [`Handle::link`].
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::IfIndex;
    /// let mut h = netns_core::Handle::current()?;
    /// let lo = h.link_by_index(IfIndex::LOOPBACK)?;
    /// assert_eq!(lo.name, "lo");
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn link_by_index(&mut self, index: IfIndex) -> Result<Link> {
        Ok(self.link(LinkId::Index(index))?.to_owned())
    }

    /// The index of the link called `name` (`RTM_GETLINK` with
    /// `IFLA_IFNAME`; nothing is allocated for the reply).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] (`cannot find device "veth9"`) when no link
    /// has the name, [`ErrorKind::InvalidArgument`] for a name no link can
    /// have, both with [`Error::is_lookup`] true; otherwise as
    /// [`Handle::link`].
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// assert_eq!(h.link_index("lo")?.get(), 1);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn link_index(&mut self, name: &str) -> Result<IfIndex> {
        match self.link(LinkId::Name(name)) {
            Ok(link) => Ok(link.index()),
            // No such link, or a name no link can have (refused before the
            // kernel): either way the device cannot be found, as ip says.
            Err(e) if e.kind() == ErrorKind::NotFound || e.errno().is_none() => {
                Err(e.context(resolve::OP_FIND, resolve::device_object(name)))
            }
            Err(e) => Err(e),
        }
    }
}
