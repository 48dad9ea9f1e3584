//! Bridge port settings: [`BridgePortSpec`] (what to change) and
//! [`BridgePort`] (what a port's settings are), as `bridge link set|show`
//! and `ip link set … type bridge_slave` use them.
//!
//! One list of `IFLA_BRPORT_*` attributes is encoded once
//! ([`BridgePortSpec::attributes`]); it travels either in `IFLA_PROTINFO` of
//! an `AF_BRIDGE` `RTM_SETLINK` (`bridge link set`,
//! [`Handle::bridge_port_set`]) or in `IFLA_LINKINFO` →
//! `IFLA_INFO_SLAVE_DATA` of an `RTM_NEWLINK` (`ip link set … type
//! bridge_slave`, [`LinkChange::bridge_port`](super::LinkChange::bridge_port)).

use std::fmt;

use netlink_packet_core::{DefaultNla, Emitable};
use netlink_packet_route::link::{
    InfoPortData, InfoPortKind, LinkAttribute, LinkExtentMask, LinkInfo, LinkMessage,
    LinkProtoInfoBridge,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use super::view::{index_link, Links};
use super::LinkId;
use crate::netlink::uapi::IFLA_BRPORT_MODE as BRPORT_MODE;
use crate::netlink::{attr, Request};
use crate::{Error, ErrorKind, Handle, Result};

// linux/if_link.h: IFLA_BRPORT_*.
const BRPORT_STATE: u16 = 1;
const BRPORT_PRIORITY: u16 = 2;
const BRPORT_COST: u16 = 3;
const BRPORT_GUARD: u16 = 5;
const BRPORT_PROTECT: u16 = 6;
const BRPORT_FAST_LEAVE: u16 = 7;
const BRPORT_LEARNING: u16 = 8;
const BRPORT_UNICAST_FLOOD: u16 = 9;
const BRPORT_PROXYARP: u16 = 10;
const BRPORT_MULTICAST_ROUTER: u16 = 25;
const BRPORT_MCAST_FLOOD: u16 = 27;
const BRPORT_MCAST_TO_UCAST: u16 = 28;
const BRPORT_VLAN_TUNNEL: u16 = 29;
const BRPORT_BCAST_FLOOD: u16 = 30;
const BRPORT_NEIGH_SUPPRESS: u16 = 32;
const BRPORT_ISOLATED: u16 = 33;
const BRPORT_LOCKED: u16 = 39;

/// The on/off settings of a bridge port: `(IFLA_BRPORT_*, bridge's word)`
/// in `bridge -d link show`'s order (iproute2 6.1).
const SWITCHES: [(u16, &str); 13] = [
    (BRPORT_MODE, "hairpin"),
    (BRPORT_GUARD, "guard"),
    (BRPORT_PROTECT, "root_block"),
    (BRPORT_FAST_LEAVE, "fastleave"),
    (BRPORT_LEARNING, "learning"),
    (BRPORT_UNICAST_FLOOD, "flood"),
    (BRPORT_MCAST_FLOOD, "mcast_flood"),
    (BRPORT_BCAST_FLOOD, "bcast_flood"),
    (BRPORT_MCAST_TO_UCAST, "mcast_to_unicast"),
    (BRPORT_NEIGH_SUPPRESS, "neigh_suppress"),
    (BRPORT_VLAN_TUNNEL, "vlan_tunnel"),
    (BRPORT_ISOLATED, "isolated"),
    (BRPORT_LOCKED, "locked"),
];

/// Changes to a bridge port's settings, all optional (`None`: unchanged),
/// owned: what `bridge link set dev X …` and `ip link set dev X type
/// bridge_slave …` say. The on/off settings are kept by their
/// `bridge` word ([`BridgePortSpec::set`]).
///
/// # Examples
/// ```no_run
/// use netns_core::link::BridgePortSpec;
/// let mut h = netns_core::Handle::current()?;
/// let mut spec = BridgePortSpec::default();
/// spec.set("learning", false)?.set("isolated", true)?;
/// spec.cost = Some(7);
/// h.bridge_port_set("veth0".into(), &spec)?;
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BridgePortSpec {
    /// `cost N` (`IFLA_BRPORT_COST`): the STP path cost.
    pub cost: Option<u32>,
    /// `priority N` (`IFLA_BRPORT_PRIORITY`): the STP port priority (0–63).
    pub priority: Option<u16>,
    /// `state N` (`IFLA_BRPORT_STATE`): 0 disabled … 4 blocking.
    pub state: Option<u8>,
    /// `mcast_router N` (`IFLA_BRPORT_MULTICAST_ROUTER`, 0–3).
    pub mcast_router: Option<u8>,
    /// `proxy_arp on|off` (`IFLA_BRPORT_PROXYARP`).
    pub proxy_arp: Option<bool>,
    /// The on/off settings, by `IFLA_BRPORT_*` type (sorted by type).
    switches: Vec<(u16, bool)>,
}

impl BridgePortSpec {
    /// The words `set` takes: `hairpin`, `guard`, `root_block`, `fastleave`,
    /// `learning`, `flood`, `mcast_flood`, `bcast_flood`, `mcast_to_unicast`,
    /// `neigh_suppress`, `vlan_tunnel`, `isolated`, `locked`.
    pub fn switch_names() -> impl Iterator<Item = &'static str> {
        SWITCHES.iter().map(|(_, w)| *w)
    }

    /// Every word [`BridgePortSpec::set_word`] takes.
    pub fn words() -> impl Iterator<Item = &'static str> {
        ["cost", "priority", "state", "mcast_router", "proxy_arp"]
            .into_iter()
            .chain(Self::switch_names())
    }

    /// Turns the on/off setting `word` (bridge's word, see
    /// [`BridgePortSpec::switch_names`]; `flood` is unicast flooding) on or
    /// off.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a word that names no setting.
    pub fn set(&mut self, word: &str, on: bool) -> Result<&mut Self> {
        let (kind, _) = SWITCHES.iter().find(|(_, w)| *w == word).ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, "set", "bridge port")
                .with_detail(format!("no bridge port setting is called {word:?}"))
        })?;
        self.switches.retain(|(k, _)| k != kind);
        self.switches.push((*kind, on));
        // One order, so that equal specs compare equal.
        self.switches.sort_unstable_by_key(|(k, _)| *k);
        Ok(self)
    }

    /// Reads one setting in `bridge link set`'s words (also `ip link set …
    /// type bridge_slave`'s): `word` and its `value` — `cost N`, `priority
    /// N`, `state N`, `mcast_router N`, `proxy_arp on|off`, or an on/off
    /// setting of [`BridgePortSpec::switch_names`]. `Ok(false)` when `word`
    /// names no setting (nothing changed).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a value that is not a number in
    /// range, or not `on`/`off` (the detail says `argument of "learning"
    /// must be one of "off", "on", not "maybe"`).
    pub fn set_word(&mut self, word: &str, value: &str) -> Result<bool> {
        let bad = |what: &str| {
            Error::new(ErrorKind::InvalidArgument, "set", "bridge port")
                .with_detail(format!("Invalid argument \"{value}\" for {what}"))
        };
        match word {
            "cost" => self.cost = Some(value.parse().map_err(|_| bad(word))?),
            "priority" => self.priority = Some(value.parse().map_err(|_| bad(word))?),
            "state" => self.state = Some(value.parse().map_err(|_| bad(word))?),
            "mcast_router" => self.mcast_router = Some(value.parse().map_err(|_| bad(word))?),
            "proxy_arp" => self.proxy_arp = Some(parse_on_off(word, value)?),
            w if SWITCHES.iter().any(|(_, s)| *s == w) => {
                let on = parse_on_off(w, value)?;
                self.set(w, on)?;
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The value asked for the on/off setting `word`, if any.
    pub fn get(&self, word: &str) -> Option<bool> {
        let (kind, _) = SWITCHES.iter().find(|(_, w)| *w == word)?;
        self.switches
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, on)| *on)
    }

    /// Whether nothing is to change.
    pub fn is_empty(&self) -> bool {
        self == &BridgePortSpec::default()
    }

    /// The `IFLA_BRPORT_*` attributes, in one place for both messages.
    pub(crate) fn attributes(&self) -> Vec<DefaultNla> {
        let mut out = Vec::new();
        if let Some(s) = self.state {
            out.push(DefaultNla::new(BRPORT_STATE, vec![s]));
        }
        if let Some(p) = self.priority {
            out.push(DefaultNla::new(BRPORT_PRIORITY, p.to_ne_bytes().to_vec()));
        }
        if let Some(c) = self.cost {
            out.push(DefaultNla::new(BRPORT_COST, c.to_ne_bytes().to_vec()));
        }
        if let Some(r) = self.mcast_router {
            out.push(DefaultNla::new(BRPORT_MULTICAST_ROUTER, vec![r]));
        }
        if let Some(on) = self.proxy_arp {
            out.push(DefaultNla::new(BRPORT_PROXYARP, vec![u8::from(on)]));
        }
        for (kind, on) in &self.switches {
            out.push(DefaultNla::new(*kind, vec![u8::from(*on)]));
        }
        out
    }

    /// `IFLA_LINKINFO`'s `IFLA_INFO_SLAVE_KIND` `bridge` and
    /// `IFLA_INFO_SLAVE_DATA`, for `ip link set … type bridge_slave`.
    pub(crate) fn port_linkinfo(&self) -> Vec<LinkInfo> {
        let attrs = self.attributes();
        let mut data = vec![0u8; attrs.as_slice().buffer_len()];
        attrs.as_slice().emit(&mut data);
        vec![
            LinkInfo::PortKind(InfoPortKind::Bridge),
            LinkInfo::PortData(InfoPortData::Other(data)),
        ]
    }
}

/// ip's and bridge's `on|off` for `word`.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`]: `argument of "WORD" must be one of
/// "off", "on", not "VALUE"`.
pub fn parse_on_off(word: &str, value: &str) -> Result<bool> {
    match value {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(
            Error::new(ErrorKind::InvalidArgument, "read", format!("{word:?}")).with_detail(
                format!("argument of \"{word}\" must be one of \"off\", \"on\", not \"{value}\""),
            ),
        ),
    }
}

/// The `AF_BRIDGE` `RTM_SETLINK` that applies `spec` to port `index`.
fn set_message(index: u32, spec: &BridgePortSpec) -> RouteNetlinkMessage {
    let mut msg = LinkMessage::default();
    msg.header.interface_family = AddressFamily::Bridge;
    msg.header.index = index;
    msg.attributes.push(LinkAttribute::ProtoInfoBridge(
        spec.attributes()
            .into_iter()
            .map(LinkProtoInfoBridge::Other)
            .collect(),
    ));
    RouteNetlinkMessage::SetLink(msg)
}

/// A bridge port's settings, as the kernel reports them in `IFLA_PROTINFO`
/// (an `AF_BRIDGE` link dump) or `IFLA_INFO_SLAVE_DATA`: owned, small.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BridgePort {
    /// `IFLA_BRPORT_STATE` (0 disabled, 1 listening, 2 learning, 3
    /// forwarding, 4 blocking).
    pub state: Option<u8>,
    /// `IFLA_BRPORT_PRIORITY`.
    pub priority: Option<u16>,
    /// `IFLA_BRPORT_COST`.
    pub cost: Option<u32>,
    /// `IFLA_BRPORT_MULTICAST_ROUTER`.
    pub mcast_router: Option<u8>,
    /// `IFLA_BRPORT_PROXYARP` (`ip link set … type bridge_slave proxy_arp
    /// on`; not in `bridge -d link show`'s line).
    pub proxy_arp: Option<bool>,
    /// The on/off settings the kernel sent, by their place in
    /// [`BridgePortSpec::switch_names`]'s order.
    switches: [Option<bool>; SWITCHES.len()],
}

impl BridgePort {
    /// Reads the nested `IFLA_BRPORT_*` attributes of `value`.
    pub fn parse(value: &[u8]) -> BridgePort {
        let mut port = BridgePort::default();
        for (kind, v) in attr::pairs(value) {
            let byte = v.first().copied();
            match kind {
                BRPORT_STATE => port.state = byte,
                BRPORT_PRIORITY => {
                    port.priority = v.get(..2).map(|b| u16::from_ne_bytes([b[0], b[1]]));
                }
                BRPORT_COST => port.cost = attr::u32_ne(v),
                BRPORT_MULTICAST_ROUTER => port.mcast_router = byte,
                BRPORT_PROXYARP => port.proxy_arp = byte.map(|b| b != 0),
                _ => {
                    if let Some(i) = SWITCHES.iter().position(|(k, _)| *k == kind) {
                        port.switches[i] = byte.map(|b| b != 0);
                    }
                }
            }
        }
        port
    }

    /// The on/off setting `word` (see [`BridgePortSpec::switch_names`]).
    pub fn get(&self, word: &str) -> Option<bool> {
        let i = SWITCHES.iter().position(|(_, w)| *w == word)?;
        self.switches[i]
    }

    /// The setting `word` as a number (on/off as 1/0): `cost`, `priority`,
    /// `state`, `mcast_router` or a word of
    /// [`BridgePortSpec::switch_names`]; `None` when the kernel did not
    /// report it.
    pub fn value(&self, word: &str) -> Option<u64> {
        match word {
            "cost" => self.cost.map(u64::from),
            "priority" => self.priority.map(u64::from),
            "state" => self.state.map(u64::from),
            "mcast_router" => self.mcast_router.map(u64::from),
            "proxy_arp" => self.proxy_arp.map(u64::from),
            w => self.get(w).map(u64::from),
        }
    }

    /// The STP state's name, as bridge prints it (`disabled`, `listening`,
    /// `learning`, `forwarding`, `blocking`).
    pub fn state_name(&self) -> Option<&'static str> {
        Some(match self.state? {
            0 => "disabled",
            1 => "listening",
            2 => "learning",
            3 => "forwarding",
            4 => "blocking",
            _ => return None,
        })
    }

    /// The end of `bridge link show`'s line: `state S priority P cost C`
    /// (each when known), as iproute2 6.1 prints it.
    pub fn summary(&self) -> BridgePortSummary<'_> {
        BridgePortSummary(self)
    }

    /// `bridge -d link show`'s second line (without its indentation or the
    /// final newline): `hairpin off guard off … mcast_router 1 …`, each
    /// setting followed by a space, as iproute2 6.1 prints it.
    pub fn details(&self) -> BridgePortDetails<'_> {
        BridgePortDetails(self)
    }

    /// The settings as `(word, value)` pairs in bridge's order, for `-j`
    /// and Python: on/off as 0/1, numbers as they are.
    pub fn fields(&self) -> Vec<(&'static str, u64)> {
        let mut out = Vec::new();
        for (i, (_, word)) in SWITCHES.iter().enumerate() {
            if let Some(on) = self.switches[i] {
                out.push((*word, u64::from(on)));
            }
        }
        if let Some(r) = self.mcast_router {
            out.push(("mcast_router", u64::from(r)));
        }
        out
    }
}

/// [`BridgePort::summary`].
#[derive(Debug, Clone, Copy)]
pub struct BridgePortSummary<'a>(&'a BridgePort);

impl fmt::Display for BridgePortSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.0;
        let mut sep = "";
        if let Some(s) = p.state_name() {
            write!(f, "state {s}")?;
            sep = " ";
        }
        if let Some(pr) = p.priority {
            write!(f, "{sep}priority {pr}")?;
            sep = " ";
        }
        if let Some(c) = p.cost {
            write!(f, "{sep}cost {c}")?;
        }
        Ok(())
    }
}

/// [`BridgePort::details`].
#[derive(Debug, Clone, Copy)]
pub struct BridgePortDetails<'a>(&'a BridgePort);

impl fmt::Display for BridgePortDetails<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.0;
        let onoff = |on: bool| if on { "on" } else { "off" };
        // iproute2 6.1 prints mcast_router after bcast_flood.
        for (i, (_, word)) in SWITCHES.iter().enumerate() {
            if let Some(on) = p.switches[i] {
                write!(f, "{word} {} ", onoff(on))?;
            }
            if *word == "bcast_flood" {
                if let Some(r) = p.mcast_router {
                    write!(f, "mcast_router {r} ")?;
                }
            }
        }
        Ok(())
    }
}

impl Handle {
    /// Applies `spec` to bridge port `id`: one `RTM_SETLINK` with
    /// `ifi_family = AF_BRIDGE` and `IFLA_PROTINFO | NLA_F_NESTED` holding
    /// the `IFLA_BRPORT_*` asked for, as `bridge link set dev X …`; a name
    /// is first resolved to an index (the bridge code finds the port by
    /// index only). Nothing is sent for an empty spec.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such link; the kernel's
    /// refusal when the link is not a bridge port (`EOPNOTSUPP`) or a value
    /// is out of range (`ERANGE` for a priority above 63).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::BridgePortSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// let mut spec = BridgePortSpec::default();
    /// spec.set("hairpin", true)?;
    /// h.bridge_port_set("veth0".into(), &spec)?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "IFLA_PROTINFO")]
    #[doc(alias = "bridge link set")]
    pub fn bridge_port_set(&mut self, id: LinkId<'_>, spec: &BridgePortSpec) -> Result<()> {
        if spec.is_empty() {
            return Ok(());
        }
        let index = match id {
            LinkId::Index(i) => i,
            LinkId::Name(n) => self
                .link_index(n)
                .map_err(|e| e.context("set", format!("bridge port {n:?}")))?,
        };
        let object = format!("bridge port {}", id_words(id));
        let request = Request::new(set_message(index.get(), spec), "set", &object);
        self.socket().execute(&request)
    }

    /// Turns hairpin mode of bridge port `id` on or off: the bridge then
    /// sends a frame back out of the port it came in on (a pod reaching
    /// itself through a service address). [`Handle::bridge_port_set`] with
    /// only `hairpin` (`IFLA_BRPORT_MODE`).
    ///
    /// # Errors
    /// As [`Handle::bridge_port_set`].
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.bridge_port_set_hairpin("veth0".into(), true)?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "IFLA_BRPORT_MODE")]
    #[doc(alias = "bridge link set hairpin")]
    pub fn bridge_port_set_hairpin(&mut self, id: LinkId<'_>, on: bool) -> Result<()> {
        let mut spec = BridgePortSpec::default();
        spec.set("hairpin", on)?;
        self.bridge_port_set(id, &spec)
    }

    /// Every bridge port of the namespace with its settings, as `bridge
    /// link show` lists them: one `RTM_GETLINK` dump with `ifi_family =
    /// AF_BRIDGE` (the kernel answers for ports only, each with
    /// `IFLA_PROTINFO`: [`LinkRef::bridge_port`](super::LinkRef::bridge_port)),
    /// read in place as [`Handle::links`] is.
    ///
    /// # Errors
    /// The kernel's refusal; [`ErrorKind::Protocol`] for a malformed message.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// for port in h.bridge_ports()? {
    ///     let settings = port.bridge_port().unwrap_or_default();
    ///     println!("{} {}", port.name(), settings.summary());
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "bridge link show")]
    pub fn bridge_ports(&mut self) -> Result<Links<'_>> {
        let mut msg = LinkMessage::default();
        msg.header.interface_family = AddressFamily::Bridge;
        msg.attributes
            .push(LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats]));
        let request = Request::new(RouteNetlinkMessage::GetLink(msg), "list", &"bridge ports");
        let (buffer, index, consistent) = self.socket().dump_indexed(&request, index_link)?;
        Ok(Links::indexed(buffer, index, consistent))
    }
}

/// `"veth0"` or `#5`.
fn id_words(id: LinkId<'_>) -> String {
    match id {
        LinkId::Name(n) => format!("{n:?}"),
        LinkId::Index(i) => format!("#{i}"),
    }
}

#[cfg(test)]
mod tests {
    use netlink_packet_core::Emitable;

    use super::*;

    #[test]
    fn hairpin_message_is_a_nested_protinfo_with_brport_mode() {
        let mut spec = BridgePortSpec::default();
        spec.set("hairpin", true).unwrap();
        let RouteNetlinkMessage::SetLink(msg) = set_message(7, &spec) else {
            unreachable!("set_message builds a SetLink")
        };
        let mut bytes = vec![0u8; msg.buffer_len()];
        msg.emit(&mut bytes);
        // ifinfomsg: family AF_BRIDGE (7), index 7.
        assert_eq!(bytes[0], 7);
        assert_eq!(
            u32::from_ne_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
            7
        );
        // One attribute: IFLA_PROTINFO (12) | NLA_F_NESTED, holding
        // IFLA_BRPORT_MODE = 1 (len 5, padded to 8).
        let attrs = &bytes[16..];
        assert_eq!(u16::from_ne_bytes([attrs[0], attrs[1]]), 4 + 8);
        assert_eq!(u16::from_ne_bytes([attrs[2], attrs[3]]), 12 | 0x8000);
        assert_eq!(u16::from_ne_bytes([attrs[4], attrs[5]]), 5);
        assert_eq!(u16::from_ne_bytes([attrs[6], attrs[7]]), BRPORT_MODE);
        assert_eq!(attrs[8], 1);
        spec.set("hairpin", false).unwrap();
        let RouteNetlinkMessage::SetLink(off) = set_message(7, &spec) else {
            unreachable!("set_message builds a SetLink")
        };
        let mut bytes = vec![0u8; off.buffer_len()];
        off.emit(&mut bytes);
        assert_eq!(bytes[16 + 8], 0);
    }

    #[test]
    fn spec_round_trips_through_the_view_and_prints_as_bridge() {
        let mut spec = BridgePortSpec::default();
        spec.set("learning", false)
            .unwrap()
            .set("isolated", true)
            .unwrap();
        spec.cost = Some(7);
        spec.priority = Some(3);
        spec.state = Some(0);
        assert!(spec.set("nosuch", true).is_err());
        let attrs = spec.attributes();
        let mut raw = vec![0u8; attrs.as_slice().buffer_len()];
        attrs.as_slice().emit(&mut raw);
        let port = BridgePort::parse(&raw);
        assert_eq!(port.get("learning"), Some(false));
        assert_eq!(port.get("isolated"), Some(true));
        assert_eq!(port.get("hairpin"), None);
        assert_eq!(
            port.summary().to_string(),
            "state disabled priority 3 cost 7"
        );
        assert_eq!(port.details().to_string(), "learning off isolated on ");
    }
}
