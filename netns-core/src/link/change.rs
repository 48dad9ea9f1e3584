//! Changing, moving and deleting links: [`LinkChange`] (one `RTM_SETLINK`
//! for any number of changes) and `RTM_DELLINK`.

use std::fmt;
use std::os::fd::{AsFd, AsRawFd};

use netlink_packet_route::link::{
    BridgeStpState, InfoBridge, InfoData, InfoKind, InfoMacVlan, LinkAttribute,
    LinkFlags as NlFlags, LinkInfo, LinkMessage,
};
use netlink_packet_route::RouteNetlinkMessage;

use super::bridge_port::BridgePortSpec;
use super::create::{vxlan_info, MacVlanMode, VxlanOptions};
use super::types::{validate_link_name, IfIndex, LinkFlags, MacAddr};
use super::LinkId;
use crate::netlink::Request;
use crate::{Error, ErrorKind, Handle, NetNs, Result};

/// Where to move a link.
#[derive(Debug, Clone, Copy)]
enum Target<'a> {
    Netns(&'a NetNs),
    Pid(u32),
}

/// Options of a bridge device (`IFLA_BR_*`), all optional (`None`:
/// unchanged), as `ip link set dev BR type bridge …` takes them; times in
/// hundredths of a second, as ip and the kernel count them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BridgeOptions {
    /// `stp_state 0|1` (`IFLA_BR_STP_STATE`).
    pub stp_state: Option<u32>,
    /// `forward_delay N` (`IFLA_BR_FORWARD_DELAY`).
    pub forward_delay: Option<u32>,
    /// `hello_time N` (`IFLA_BR_HELLO_TIME`).
    pub hello_time: Option<u32>,
    /// `max_age N` (`IFLA_BR_MAX_AGE`).
    pub max_age: Option<u32>,
    /// `ageing_time N` (`IFLA_BR_AGEING_TIME`).
    pub ageing_time: Option<u32>,
    /// `priority N` (`IFLA_BR_PRIORITY`).
    pub priority: Option<u16>,
    /// `vlan_filtering 0|1` (`IFLA_BR_VLAN_FILTERING`).
    pub vlan_filtering: Option<bool>,
    /// `mcast_snooping 0|1` (`IFLA_BR_MCAST_SNOOPING`).
    pub mcast_snooping: Option<bool>,
}

impl BridgeOptions {
    /// The `IFLA_BR_*` attributes: the one encoder of bridge data.
    fn info(&self) -> Vec<InfoBridge> {
        let mut v = Vec::new();
        if let Some(s) = self.stp_state {
            v.push(InfoBridge::StpState(BridgeStpState::from(s)));
        }
        if let Some(t) = self.forward_delay {
            v.push(InfoBridge::ForwardDelay(t));
        }
        if let Some(t) = self.hello_time {
            v.push(InfoBridge::HelloTime(t));
        }
        if let Some(t) = self.max_age {
            v.push(InfoBridge::MaxAge(t));
        }
        if let Some(t) = self.ageing_time {
            v.push(InfoBridge::AgeingTime(t));
        }
        if let Some(p) = self.priority {
            v.push(InfoBridge::Priority(p));
        }
        if let Some(on) = self.vlan_filtering {
            v.push(InfoBridge::VlanFiltering(on));
        }
        if let Some(on) = self.mcast_snooping {
            v.push(InfoBridge::MulticastSnooping(on));
        }
        v
    }
}

/// A change of an existing link's kind-specific settings, as `ip link set
/// dev X type KIND …` says: sent as `RTM_NEWLINK` without `NLM_F_CREATE`,
/// carrying `IFLA_LINKINFO` with the kind's data (the same encoders as
/// creation). The kernel refuses what its driver cannot change (`Cannot
/// change VNI.`), and a kind that is not the link's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkTypeChange {
    /// `type vxlan [id VNI] [dstport P] [remote IP] [local IP] [ttl N]
    /// [[no]learning]`.
    Vxlan {
        /// `IFLA_VXLAN_ID`: sent only when given (the kernel refuses a
        /// different one).
        vni: Option<u32>,
        /// The options to change.
        options: VxlanOptions,
    },
    /// `type macvlan mode MODE`.
    MacVlan {
        /// The new mode.
        mode: MacVlanMode,
    },
    /// `type bridge …`.
    Bridge(BridgeOptions),
    /// `type bridge_slave …`: the port's settings in
    /// `IFLA_INFO_SLAVE_KIND`/`IFLA_INFO_SLAVE_DATA` (see also
    /// [`Handle::bridge_port_set`]).
    BridgePort(BridgePortSpec),
}

impl LinkTypeChange {
    /// Reads `ip link set … type KIND WORDS…`: `kind` is `vxlan`, `macvlan`,
    /// `bridge` or `bridge_slave`, `words` what follows it in ip's syntax
    /// (`ttl 9 nolearning`, `mode bridge`, `stp_state 1 forward_delay 400`,
    /// `learning off cost 7`), values parsed here once for every front end.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] for another kind;
    /// [`ErrorKind::InvalidArgument`] for a word the kind does not have
    /// (`vxlan: unknown option "x"`), a missing or malformed value, or a
    /// macvlan change without `mode`.
    ///
    /// # Examples
    /// ```
    /// use netns_core::link::LinkTypeChange;
    /// let change = LinkTypeChange::parse("vxlan", ["ttl", "9", "nolearning"])?;
    /// assert!(matches!(change, LinkTypeChange::Vxlan { vni: None, .. }));
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn parse<'w>(
        kind: &str,
        words: impl IntoIterator<Item = &'w str>,
    ) -> Result<LinkTypeChange> {
        let err = |detail: String| {
            Error::new(ErrorKind::InvalidArgument, "read", format!("type {kind}"))
                .with_detail(detail)
        };
        let mut words = words.into_iter();
        fn value<'w>(
            words: &mut impl Iterator<Item = &'w str>,
            word: &str,
            err: impl Fn(String) -> Error,
        ) -> Result<&'w str> {
            words
                .next()
                .ok_or_else(|| err(format!("{word} needs a value")))
        }
        fn number<T: std::str::FromStr>(
            word: &str,
            v: &str,
            err: impl Fn(String) -> Error,
        ) -> Result<T> {
            v.parse()
                .map_err(|_| err(format!("invalid {word} \"{v}\"")))
        }
        let unknown = |w: &str| err(format!("{kind}: unknown option \"{w}\""));
        match kind {
            "vxlan" => {
                let mut vni = None;
                let mut o = VxlanOptions::default();
                while let Some(word) = words.next() {
                    match word {
                        "id" | "vni" => {
                            vni = Some(number(word, value(&mut words, word, err)?, err)?)
                        }
                        "dstport" => {
                            o.port = Some(number(word, value(&mut words, word, err)?, err)?)
                        }
                        "remote" | "group" => {
                            o.remote = Some(number(word, value(&mut words, word, err)?, err)?)
                        }
                        "local" => {
                            o.local = Some(number(word, value(&mut words, word, err)?, err)?)
                        }
                        "ttl" | "hoplimit" => {
                            o.ttl = Some(number(word, value(&mut words, word, err)?, err)?)
                        }
                        "learning" => o.learning = Some(true),
                        "nolearning" => o.learning = Some(false),
                        w => return Err(unknown(w)),
                    }
                }
                Ok(LinkTypeChange::Vxlan { vni, options: o })
            }
            "macvlan" => {
                let mut mode = None;
                while let Some(word) = words.next() {
                    match word {
                        "mode" => {
                            let m = value(&mut words, word, err)?;
                            mode = Some(
                                MacVlanMode::from_name(m)
                                    .ok_or_else(|| err(format!("invalid mode \"{m}\"")))?,
                            );
                        }
                        w => return Err(unknown(w)),
                    }
                }
                let mode = mode.ok_or_else(|| err("nothing to change (mode MODE)".into()))?;
                Ok(LinkTypeChange::MacVlan { mode })
            }
            "bridge" => {
                let mut o = BridgeOptions::default();
                while let Some(word) = words.next() {
                    let v = value(&mut words, word, err)?;
                    match word {
                        "stp_state" => o.stp_state = Some(number(word, v, err)?),
                        "forward_delay" => o.forward_delay = Some(number(word, v, err)?),
                        "hello_time" => o.hello_time = Some(number(word, v, err)?),
                        "max_age" => o.max_age = Some(number(word, v, err)?),
                        "ageing_time" => o.ageing_time = Some(number(word, v, err)?),
                        "priority" => o.priority = Some(number(word, v, err)?),
                        "vlan_filtering" => {
                            o.vlan_filtering = Some(number::<u8>(word, v, err)? != 0)
                        }
                        "mcast_snooping" => {
                            o.mcast_snooping = Some(number::<u8>(word, v, err)? != 0)
                        }
                        w => return Err(unknown(w)),
                    }
                }
                Ok(LinkTypeChange::Bridge(o))
            }
            "bridge_slave" => {
                let mut spec = BridgePortSpec::default();
                while let Some(word) = words.next() {
                    let v = value(&mut words, word, err)?;
                    if !spec.set_word(word, v)? {
                        return Err(unknown(word));
                    }
                }
                Ok(LinkTypeChange::BridgePort(spec))
            }
            other => Err(
                Error::new(ErrorKind::Unsupported, "read", format!("type {other}")).with_detail(
                    "kinds whose settings can change: vxlan, macvlan, bridge, bridge_slave",
                ),
            ),
        }
    }

    /// The `IFLA_LINKINFO` value.
    fn linkinfo(&self) -> Vec<LinkInfo> {
        match self {
            LinkTypeChange::Vxlan { vni, options } => vec![
                LinkInfo::Kind(InfoKind::Vxlan),
                LinkInfo::Data(InfoData::Vxlan(vxlan_info(*vni, options))),
            ],
            LinkTypeChange::MacVlan { mode } => vec![
                LinkInfo::Kind(InfoKind::MacVlan),
                LinkInfo::Data(InfoData::MacVlan(vec![InfoMacVlan::Mode(
                    mode.to_netlink(),
                )])),
            ],
            LinkTypeChange::Bridge(options) => vec![
                LinkInfo::Kind(InfoKind::Bridge),
                LinkInfo::Data(InfoData::Bridge(options.info())),
            ],
            LinkTypeChange::BridgePort(spec) => spec.port_linkinfo(),
        }
    }

    /// Checks what can be checked before the kernel (a VNI of 24 bits).
    fn validate(&self, op: &'static str, id: &LinkId<'_>) -> Result<()> {
        match self {
            LinkTypeChange::Vxlan { vni: Some(v), .. } if *v >= 1 << 24 => {
                Err(Error::new(ErrorKind::InvalidArgument, op, id.to_string())
                    .with_detail(format!("VNI {v} does not fit in 24 bits")))
            }
            _ => Ok(()),
        }
    }
}

/// Changes to one link, sent together as **one** `RTM_SETLINK`: the kernel
/// applies them in its own order (namespace move, address, MTU, name, then
/// flags), so `name` and `up` can be combined on a down link.
///
/// # Examples
/// ```no_run
/// use netns_core::link::LinkChange;
/// let mut h = netns_core::Handle::current()?;
/// // ip link set dev veth0 up mtu 1400 name eth0
/// h.link_set(&LinkChange::new("veth0".into()).up().mtu(1400).name("eth0"))?;
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a LinkChange does nothing until given to Handle::link_set"]
pub struct LinkChange<'a> {
    id: LinkId<'a>,
    up: Option<bool>,
    mtu: Option<u32>,
    name: Option<&'a str>,
    mac: Option<MacAddr>,
    master: Option<Option<IfIndex>>,
    txqlen: Option<u32>,
    group: Option<u32>,
    target: Option<Target<'a>>,
    /// Interface flags to set (`flags`, within `flag_mask`), besides `up`.
    flags: u32,
    flag_mask: u32,
    kind: Option<LinkTypeChange>,
}

impl<'a> LinkChange<'a> {
    /// No change yet to link `id`.
    pub fn new(id: LinkId<'a>) -> Self {
        LinkChange {
            id,
            up: None,
            mtu: None,
            name: None,
            mac: None,
            master: None,
            txqlen: None,
            group: None,
            target: None,
            flags: 0,
            flag_mask: 0,
            kind: None,
        }
    }

    /// Sets or clears interface flag `flag` (`ifi_flags` within
    /// `ifi_change`); the flags below say it in ip's words.
    pub fn flag(mut self, flag: LinkFlags, on: bool) -> Self {
        let bit = flag.bits();
        self.flag_mask |= bit;
        if on {
            self.flags |= bit;
        } else {
            self.flags &= !bit;
        }
        self
    }

    /// `arp on|off`: ARP on the link (`off` sets `IFF_NOARP`, shown as
    /// `NOARP`).
    pub fn arp(self, on: bool) -> Self {
        self.flag(LinkFlags::NOARP, !on)
    }

    /// `multicast on|off` (`IFF_MULTICAST`).
    pub fn multicast(self, on: bool) -> Self {
        self.flag(LinkFlags::MULTICAST, on)
    }

    /// `allmulticast on|off` (`IFF_ALLMULTI`: receive every multicast frame).
    pub fn allmulticast(self, on: bool) -> Self {
        self.flag(LinkFlags::ALLMULTI, on)
    }

    /// `promisc on|off` (`IFF_PROMISC`).
    pub fn promisc(self, on: bool) -> Self {
        self.flag(LinkFlags::PROMISC, on)
    }

    /// `dynamic on|off` (`IFF_DYNAMIC`).
    pub fn dynamic(self, on: bool) -> Self {
        self.flag(LinkFlags::DYNAMIC, on)
    }

    /// `trailers on|off` (`off` sets `IFF_NOTRAILERS`).
    pub fn trailers(self, on: bool) -> Self {
        self.flag(LinkFlags::NOTRAILERS, !on)
    }

    /// Changes the kind-specific settings (`ip link set dev X type KIND
    /// …`): the change is then sent as `RTM_NEWLINK` without
    /// `NLM_F_CREATE`, which the kernel reads as "change this link", with
    /// `IFLA_LINKINFO` (`RTM_SETLINK` ignores it).
    pub fn kind(mut self, change: LinkTypeChange) -> Self {
        self.kind = Some(change);
        self
    }

    /// `ip link set dev X type bridge_slave …`: the bridge port settings of
    /// `spec`, in this same message ([`LinkChange::kind`] with
    /// [`LinkTypeChange::BridgePort`]).
    pub fn bridge_port(self, spec: BridgePortSpec) -> Self {
        self.kind(LinkTypeChange::BridgePort(spec))
    }

    /// The link changed.
    pub fn id(&self) -> LinkId<'a> {
        self.id
    }

    /// Brings the link up (`IFF_UP` in `ifi_flags` and `ifi_change`).
    pub fn up(mut self) -> Self {
        self.up = Some(true);
        self
    }

    /// Brings the link down (`IFF_UP` in `ifi_change` only).
    pub fn down(mut self) -> Self {
        self.up = Some(false);
        self
    }

    /// Sets the MTU (`IFLA_MTU`).
    pub fn mtu(mut self, mtu: u32) -> Self {
        self.mtu = Some(mtu);
        self
    }

    /// Renames the link (`IFLA_IFNAME`; the kernel refuses to rename a link
    /// that is up unless this same change brings it up).
    pub fn name(mut self, name: &'a str) -> Self {
        self.name = Some(name);
        self
    }

    /// Sets the hardware address (`IFLA_ADDRESS`); must be unicast.
    pub fn mac(mut self, mac: MacAddr) -> Self {
        self.mac = Some(mac);
        self
    }

    /// Makes the link a port of `master` (`IFLA_MASTER`).
    pub fn master(mut self, master: IfIndex) -> Self {
        self.master = Some(Some(master));
        self
    }

    /// Removes the link from its master (`IFLA_MASTER` 0).
    pub fn nomaster(mut self) -> Self {
        self.master = Some(None);
        self
    }

    /// Sets the transmit queue length (`IFLA_TXQLEN`).
    pub fn txqlen(mut self, txqlen: u32) -> Self {
        self.txqlen = Some(txqlen);
        self
    }

    /// Puts the link in device group `group` (`IFLA_GROUP`; 0 is the
    /// default group). [`Handle::link_delete_group`] deletes a whole group
    /// at once.
    pub fn group(mut self, group: u32) -> Self {
        self.group = Some(group);
        self
    }

    /// Moves the link into `netns` (`IFLA_NET_NS_FD`). Physical devices and
    /// `lo` cannot move (the kernel says why).
    pub fn netns(mut self, netns: &'a NetNs) -> Self {
        self.target = Some(Target::Netns(netns));
        self
    }

    /// Moves the link into the network namespace of process `pid`
    /// (`IFLA_NET_NS_PID`; the kernel resolves the pid when it receives the
    /// message). Prefer [`LinkChange::netns`] with a namespace opened by
    /// [`NetNs::open_pid`], which is immune to pid reuse.
    pub fn netns_pid(mut self, pid: u32) -> Self {
        self.target = Some(Target::Pid(pid));
        self
    }

    /// Whether no change was asked for.
    pub fn is_empty(&self) -> bool {
        self.up.is_none()
            && self.mtu.is_none()
            && self.name.is_none()
            && self.mac.is_none()
            && self.master.is_none()
            && self.txqlen.is_none()
            && self.group.is_none()
            && self.target.is_none()
            && self.flag_mask == 0
            && self.kind.is_none()
    }

    /// The operation word of errors: `move` for a pure namespace move, else `set`.
    fn op(&self) -> &'static str {
        let only_move = self.target.is_some()
            && self.up.is_none()
            && self.mtu.is_none()
            && self.name.is_none()
            && self.mac.is_none()
            && self.master.is_none()
            && self.txqlen.is_none()
            && self.group.is_none()
            && self.flag_mask == 0
            && self.kind.is_none();
        if only_move {
            "move"
        } else {
            "set"
        }
    }

    /// The request [`Handle::link_set`] sends, for callers that batch link
    /// changes with other requests
    /// ([`Socket::batch`](crate::netlink::Socket::batch)); `NLM_F_REQUEST |
    /// NLM_F_ACK` only, as `link_set`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a bad new name or address, and for
    /// a rename of a link given by name (the kernel finds a link by
    /// `IFLA_IFNAME` only when it is not renamed in the same message: give
    /// its index, or use [`Handle::link_set`], which looks it up).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::LinkChange;
    /// let mut h = netns_core::Handle::current()?;
    /// let lo = LinkChange::new("lo".into()).up();
    /// let veth0 = LinkChange::new("veth0".into()).up();
    /// h.socket().batch(&[lo.request()?, veth0.request()?])?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn request(&self) -> Result<Request<'_>> {
        let index = match (self.id, self.name) {
            (LinkId::Name(old), Some(new)) if old != new => {
                return Err(
                    Error::new(ErrorKind::InvalidArgument, self.op(), self.id.to_string())
                        .with_detail(
                            "a rename in a batch needs the link's index, not its old name",
                        ),
                )
            }
            (LinkId::Index(i), _) => Some(i),
            _ => None,
        };
        Ok(Request::new(self.message(index)?, self.op(), &self.id))
    }

    /// Checks the arguments and builds the `RTM_SETLINK` message for the link
    /// `index` (or, when `None`, by the name in [`LinkChange::id`]).
    pub(super) fn message(&self, index: Option<IfIndex>) -> Result<RouteNetlinkMessage> {
        let op = self.op();
        let mut msg = LinkMessage::default();
        match index {
            Some(i) => msg.header.index = i.get(),
            None => self.id.apply(op, &mut msg)?,
        }
        let (mut flags, mut mask) = (self.flags, self.flag_mask);
        if let Some(up) = self.up {
            let bit = LinkFlags::UP.bits();
            mask |= bit;
            if up {
                flags |= bit;
            }
        }
        if mask != 0 {
            msg.header.flags = NlFlags::from_bits_retain(flags & mask);
            msg.header.change_mask = NlFlags::from_bits_retain(mask);
        }
        let attrs = &mut msg.attributes;
        match self.target {
            Some(Target::Netns(ns)) => attrs.push(LinkAttribute::NetNsFd(ns.as_fd().as_raw_fd())),
            Some(Target::Pid(pid)) => attrs.push(LinkAttribute::NetNsPid(pid)),
            None => {}
        }
        if let Some(mac) = self.mac {
            mac.check_unicast(op, &self.id)?;
            attrs.push(LinkAttribute::Address(mac.0.to_vec()));
        }
        if let Some(mtu) = self.mtu {
            attrs.push(LinkAttribute::Mtu(mtu));
        }
        if let Some(name) = self.name {
            validate_link_name(name).map_err(|e| e.context(op, self.id.to_string()))?;
            attrs.push(LinkAttribute::IfName(name.to_owned()));
        }
        if let Some(txqlen) = self.txqlen {
            attrs.push(LinkAttribute::TxQueueLen(txqlen));
        }
        if let Some(master) = self.master {
            attrs.push(LinkAttribute::Controller(master.map_or(0, IfIndex::get)));
        }
        if let Some(group) = self.group {
            attrs.push(LinkAttribute::Group(group));
        }
        if let Some(kind) = &self.kind {
            kind.validate(op, &self.id)?;
            attrs.push(LinkAttribute::LinkInfo(kind.linkinfo()));
            // RTM_NEWLINK without NLM_F_CREATE: change the existing link
            // (its kind data and every other attribute above).
            return Ok(RouteNetlinkMessage::NewLink(msg));
        }
        Ok(RouteNetlinkMessage::SetLink(msg))
    }
}

impl Handle {
    /// Applies every change of `change` with one `RTM_SETLINK` (see
    /// [`LinkChange`]). A link named for a rename is first looked up
    /// (`RTM_GETLINK`), since the kernel finds a link by `IFLA_IFNAME` only
    /// when it is not renamed in the same message; nothing is sent for an
    /// empty change.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a bad new name or address (before
    /// the kernel); [`ErrorKind::NotFound`] when there is no such link; the
    /// kernel's refusals with their text (`mtu greater than device maximum.`,
    /// `The interface netns is immutable.` …).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::LinkChange;
    /// let pod = netns_core::NetNs::new_anonymous()?;
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_set(&LinkChange::new("veth1".into()).netns(&pod))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_SETLINK")]
    #[doc(alias = "ip link set")]
    pub fn link_set(&mut self, change: &LinkChange<'_>) -> Result<()> {
        if change.is_empty() {
            return Ok(());
        }
        let index = match (change.id, change.name) {
            (LinkId::Name(old), Some(new)) if old != new => Some(
                self.link_index(old)
                    .map_err(|e| e.context(change.op(), change.id.to_string()))?,
            ),
            (LinkId::Index(i), _) => Some(i),
            _ => None,
        };
        let message = change.message(index)?;
        self.socket()
            .execute(&Request::new(message, change.op(), &change.id))
            .map_err(|e| match change.master {
                // The kernel says only EOPNOTSUPP when the master has no
                // ports (no ndo_add_slave): `lo`, a veth, a dummy …
                Some(Some(_))
                    if e.errno() == Some(crate::Errno::EOPNOTSUPP)
                        && e.kernel_message().is_none() =>
                {
                    e.with_detail(
                        "the master cannot take ports (it is not a bridge, bond, team or VRF)",
                    )
                }
                _ => e,
            })
    }

    /// Brings link `id` up: [`LinkChange::up`].
    ///
    /// # Errors
    /// As [`Handle::link_set`].
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_set_up("lo".into())?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn link_set_up(&mut self, id: LinkId<'_>) -> Result<()> {
        self.link_set(&LinkChange::new(id).up())
    }

    /// Brings link `id` down: [`LinkChange::down`].
    ///
    /// # Errors
    /// As [`Handle::link_set`].
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_set_down("veth0".into())?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn link_set_down(&mut self, id: LinkId<'_>) -> Result<()> {
        self.link_set(&LinkChange::new(id).down())
    }

    /// Moves link `id` into `netns` (`RTM_SETLINK` with `IFLA_NET_NS_FD`).
    ///
    /// # Errors
    /// As [`Handle::link_set`]; a name taken in the target namespace is
    /// [`ErrorKind::AlreadyExists`].
    ///
    /// # Examples
    /// ```no_run
    /// let ns = netns_core::Registry::from_env().open("netns1")?;
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_move("veth1".into(), &ns)?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn link_move(&mut self, id: LinkId<'_>, netns: &NetNs) -> Result<()> {
        self.link_set(&LinkChange::new(id).netns(netns))
    }

    /// Moves link `id` into the namespace of process `pid` (`RTM_SETLINK`
    /// with `IFLA_NET_NS_PID`), as `ip link set X netns PID`.
    ///
    /// # Errors
    /// As [`Handle::link_set`]; [`ErrorKind::NotFound`] when no process has
    /// that pid; [`ErrorKind::InvalidArgument`] for pid 0.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_move_to_pid("veth1".into(), 4242)?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn link_move_to_pid(&mut self, id: LinkId<'_>, pid: u32) -> Result<()> {
        if pid == 0 {
            return Err(
                Error::new(ErrorKind::InvalidArgument, "move", id.to_string())
                    .with_detail("process id 0 names no process"),
            );
        }
        self.link_set(&LinkChange::new(id).netns_pid(pid))
    }

    /// Deletes link `id` (`RTM_DELLINK` by `ifi_index` or `IFLA_IFNAME`).
    /// Deleting one end of a veth pair deletes both.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such link; the kernel's
    /// refusal otherwise (e.g. `lo` cannot be deleted).
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_delete("veth0".into())?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_DELLINK")]
    #[doc(alias = "ip link del")]
    pub fn link_delete(&mut self, id: LinkId<'_>) -> Result<()> {
        let mut msg = LinkMessage::default();
        id.apply("delete", &mut msg)?;
        let request = Request::new(RouteNetlinkMessage::DelLink(msg), "delete", &id);
        self.socket().execute(&request)
    }

    /// Deletes every link in device group `group` with one `RTM_DELLINK`
    /// (`IFLA_GROUP`, no index or name), as `ip link del group N`: the
    /// kernel unregisters them all together, paying its synchronisation
    /// once for the whole group instead of once per link (deleting links
    /// one by one costs milliseconds each). Deleting a veth deletes its
    /// peer too. Put the links in a group of their own first
    /// ([`LinkChange::group`]).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for group 0 (every link starts there;
    /// refused before the kernel); [`ErrorKind::NotFound`] when no link is
    /// in the group; [`ErrorKind::Unsupported`] when a link of the group
    /// cannot be deleted (e.g. `lo`, a physical device): then nothing is
    /// deleted.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::LinkChange;
    /// let mut h = netns_core::Handle::current()?;
    /// let changes = [LinkChange::new("veth0".into()).group(77), LinkChange::new("veth2".into()).group(77)];
    /// for c in &changes {
    ///     h.link_set(c)?;
    /// }
    /// h.link_delete_group(77)?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "ip link del group")]
    pub fn link_delete_group(&mut self, group: u32) -> Result<()> {
        let object = format!("link group {group}");
        if group == 0 {
            return Err(Error::new(ErrorKind::InvalidArgument, "delete", object)
                .with_detail("group 0 is every link's default group"));
        }
        let mut msg = LinkMessage::default();
        msg.attributes.push(LinkAttribute::Group(group));
        let request = Request::new(RouteNetlinkMessage::DelLink(msg), "delete", &object);
        self.socket().execute(&request)
    }
}

impl fmt::Display for LinkChange<'_> {
    /// How errors name the link: as its [`LinkId`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id.fmt(f)
    }
}
