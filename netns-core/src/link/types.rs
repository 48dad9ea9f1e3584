//! Types mirroring the kernel's: interface index, `IFF_*` flags, operational
//! state, link mode, `ARPHRD_*` type, MAC address, and the owned [`Link`].

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use crate::{Error, ErrorKind, Nsid, Result};

/// Longest interface name, in bytes (`IFNAMSIZ - 1`).
pub const MAX_NAME_LEN: usize = 15;

/// An interface index (`ifi_index`): never 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IfIndex(NonZeroU32);

impl IfIndex {
    /// The loopback device's index in every namespace (1).
    pub const LOOPBACK: IfIndex = IfIndex(NonZeroU32::MIN);

    /// The index `index`, or `None` for 0 (which names no link).
    pub const fn new(index: u32) -> Option<IfIndex> {
        match NonZeroU32::new(index) {
            Some(n) => Some(IfIndex(n)),
            None => None,
        }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0.get()
    }
}

impl fmt::Display for IfIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<IfIndex> for u32 {
    fn from(i: IfIndex) -> u32 {
        i.get()
    }
}

/// Device flags (`ifi_flags`, the kernel's `IFF_*`). Unknown bits are kept.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct LinkFlags(u32);

impl LinkFlags {
    /// `IFF_UP`: administratively up.
    pub const UP: LinkFlags = LinkFlags(1 << 0);
    /// `IFF_BROADCAST`.
    pub const BROADCAST: LinkFlags = LinkFlags(1 << 1);
    /// `IFF_DEBUG`.
    pub const DEBUG: LinkFlags = LinkFlags(1 << 2);
    /// `IFF_LOOPBACK`.
    pub const LOOPBACK: LinkFlags = LinkFlags(1 << 3);
    /// `IFF_POINTOPOINT`.
    pub const POINTOPOINT: LinkFlags = LinkFlags(1 << 4);
    /// `IFF_NOTRAILERS`.
    pub const NOTRAILERS: LinkFlags = LinkFlags(1 << 5);
    /// `IFF_RUNNING`: operationally up (RFC 2863 `UP`).
    pub const RUNNING: LinkFlags = LinkFlags(1 << 6);
    /// `IFF_NOARP`.
    pub const NOARP: LinkFlags = LinkFlags(1 << 7);
    /// `IFF_PROMISC`.
    pub const PROMISC: LinkFlags = LinkFlags(1 << 8);
    /// `IFF_ALLMULTI`.
    pub const ALLMULTI: LinkFlags = LinkFlags(1 << 9);
    /// `IFF_MASTER` (bonding master).
    pub const MASTER: LinkFlags = LinkFlags(1 << 10);
    /// `IFF_SLAVE` (bonding port).
    pub const SLAVE: LinkFlags = LinkFlags(1 << 11);
    /// `IFF_MULTICAST`.
    pub const MULTICAST: LinkFlags = LinkFlags(1 << 12);
    /// `IFF_PORTSEL`.
    pub const PORTSEL: LinkFlags = LinkFlags(1 << 13);
    /// `IFF_AUTOMEDIA`.
    pub const AUTOMEDIA: LinkFlags = LinkFlags(1 << 14);
    /// `IFF_DYNAMIC`.
    pub const DYNAMIC: LinkFlags = LinkFlags(1 << 15);
    /// `IFF_LOWER_UP`: the driver signals carrier.
    pub const LOWER_UP: LinkFlags = LinkFlags(1 << 16);
    /// `IFF_DORMANT`.
    pub const DORMANT: LinkFlags = LinkFlags(1 << 17);
    /// `IFF_ECHO`.
    pub const ECHO: LinkFlags = LinkFlags(1 << 18);

    /// The flags with their kernel names (without `IFF_`), in the order
    /// `ip link` prints them (`IFF_RUNNING` is not printed by ip).
    pub const NAMED: [(LinkFlags, &'static str); 18] = [
        (LinkFlags::LOOPBACK, "LOOPBACK"),
        (LinkFlags::BROADCAST, "BROADCAST"),
        (LinkFlags::POINTOPOINT, "POINTOPOINT"),
        (LinkFlags::MULTICAST, "MULTICAST"),
        (LinkFlags::NOARP, "NOARP"),
        (LinkFlags::ALLMULTI, "ALLMULTI"),
        (LinkFlags::PROMISC, "PROMISC"),
        (LinkFlags::MASTER, "MASTER"),
        (LinkFlags::SLAVE, "SLAVE"),
        (LinkFlags::DEBUG, "DEBUG"),
        (LinkFlags::DYNAMIC, "DYNAMIC"),
        (LinkFlags::AUTOMEDIA, "AUTOMEDIA"),
        (LinkFlags::PORTSEL, "PORTSEL"),
        (LinkFlags::NOTRAILERS, "NOTRAILERS"),
        (LinkFlags::UP, "UP"),
        (LinkFlags::LOWER_UP, "LOWER_UP"),
        (LinkFlags::DORMANT, "DORMANT"),
        (LinkFlags::ECHO, "ECHO"),
    ];

    /// No flag set.
    pub const fn empty() -> LinkFlags {
        LinkFlags(0)
    }
    /// The flags of `bits`, unknown bits included.
    pub const fn from_bits_retain(bits: u32) -> LinkFlags {
        LinkFlags(bits)
    }
    /// The raw bits.
    pub const fn bits(self) -> u32 {
        self.0
    }
    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: LinkFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// `IFF_UP`.
    pub const fn is_up(self) -> bool {
        self.contains(LinkFlags::UP)
    }
    /// `IFF_RUNNING`.
    pub const fn is_running(self) -> bool {
        self.contains(LinkFlags::RUNNING)
    }
    /// `IFF_LOWER_UP`.
    pub const fn is_lower_up(self) -> bool {
        self.contains(LinkFlags::LOWER_UP)
    }
    /// `IFF_LOOPBACK`.
    pub const fn is_loopback(self) -> bool {
        self.contains(LinkFlags::LOOPBACK)
    }
    /// The flags set here that have a name, in `ip`'s order, then the
    /// remaining bits (without `IFF_RUNNING`) as a number, if any.
    pub fn names(self) -> (impl Iterator<Item = &'static str>, u32) {
        let mut rest = self.0 & !LinkFlags::RUNNING.0;
        for (flag, _) in LinkFlags::NAMED {
            rest &= !flag.0;
        }
        let names = LinkFlags::NAMED
            .into_iter()
            .filter(move |(flag, _)| self.contains(*flag))
            .map(|(_, name)| name);
        (names, rest)
    }
}

impl std::ops::BitOr for LinkFlags {
    type Output = LinkFlags;
    fn bitor(self, rhs: LinkFlags) -> LinkFlags {
        LinkFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for LinkFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkFlags(")?;
        let (names, rest) = self.names();
        let mut first = true;
        let running = self.is_running().then_some("RUNNING");
        for name in names.chain(running) {
            if !first {
                f.write_str("|")?;
            }
            first = false;
            f.write_str(name)?;
        }
        if rest != 0 {
            write!(f, "{}{rest:#x}", if first { "" } else { "|" })?;
        }
        write!(f, ")")
    }
}

/// RFC 2863 operational state (`IFLA_OPERSTATE`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperState {
    /// `IF_OPER_UNKNOWN` (0): the driver does not say (e.g. `lo`).
    Unknown,
    /// `IF_OPER_NOTPRESENT` (1).
    NotPresent,
    /// `IF_OPER_DOWN` (2).
    Down,
    /// `IF_OPER_LOWERLAYERDOWN` (3): e.g. a veth whose peer is down.
    LowerLayerDown,
    /// `IF_OPER_TESTING` (4).
    Testing,
    /// `IF_OPER_DORMANT` (5).
    Dormant,
    /// `IF_OPER_UP` (6).
    Up,
    /// A value this crate does not know.
    Other(u8),
}

impl OperState {
    /// The state of the kernel's value `v`.
    pub const fn from_raw(v: u8) -> OperState {
        match v {
            0 => OperState::Unknown,
            1 => OperState::NotPresent,
            2 => OperState::Down,
            3 => OperState::LowerLayerDown,
            4 => OperState::Testing,
            5 => OperState::Dormant,
            6 => OperState::Up,
            v => OperState::Other(v),
        }
    }
    /// The kernel's value.
    pub const fn to_raw(self) -> u8 {
        match self {
            OperState::Unknown => 0,
            OperState::NotPresent => 1,
            OperState::Down => 2,
            OperState::LowerLayerDown => 3,
            OperState::Testing => 4,
            OperState::Dormant => 5,
            OperState::Up => 6,
            OperState::Other(v) => v,
        }
    }
    /// The name `ip` prints (`UP`, `DOWN`, `LOWERLAYERDOWN` …); `None` for
    /// an unknown value.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self {
            OperState::Unknown => "UNKNOWN",
            OperState::NotPresent => "NOTPRESENT",
            OperState::Down => "DOWN",
            OperState::LowerLayerDown => "LOWERLAYERDOWN",
            OperState::Testing => "TESTING",
            OperState::Dormant => "DORMANT",
            OperState::Up => "UP",
            OperState::Other(_) => return None,
        })
    }
}

impl fmt::Display for OperState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "state {:#x}", self.to_raw()),
        }
    }
}

/// Link mode (`IFLA_LINKMODE`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkMode {
    /// `IF_LINK_MODE_DEFAULT` (0).
    Default,
    /// `IF_LINK_MODE_DORMANT` (1): user space decides when the link is up.
    Dormant,
    /// `IF_LINK_MODE_TESTING` (2).
    Testing,
    /// A value this crate does not know.
    Other(u8),
}

impl LinkMode {
    /// The mode of the kernel's value `v`.
    pub const fn from_raw(v: u8) -> LinkMode {
        match v {
            0 => LinkMode::Default,
            1 => LinkMode::Dormant,
            2 => LinkMode::Testing,
            v => LinkMode::Other(v),
        }
    }
    /// The name `ip` prints (`DEFAULT`, `DORMANT`, `TESTING`).
    pub const fn name(self) -> Option<&'static str> {
        match self {
            LinkMode::Default => Some("DEFAULT"),
            LinkMode::Dormant => Some("DORMANT"),
            LinkMode::Testing => Some("TESTING"),
            LinkMode::Other(_) => None,
        }
    }
}

/// Hardware type (`ifi_type`, the kernel's `ARPHRD_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LinkType(pub u16);

impl LinkType {
    /// `ARPHRD_ETHER`.
    pub const ETHER: LinkType = LinkType(1);
    /// `ARPHRD_LOOPBACK`.
    pub const LOOPBACK: LinkType = LinkType(772);
    /// `ARPHRD_NONE` (e.g. wireguard, tun).
    pub const NONE: LinkType = LinkType(65534);

    /// The name `ip` prints after `link/` (`ether`, `loopback`, `none` …),
    /// when known.
    pub const fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "netrom",
            1 => "ether",
            2 => "eether",
            3 => "ax25",
            4 => "pronet",
            5 => "chaos",
            6 => "ieee802",
            7 => "arcnet",
            8 => "atalk",
            15 => "dlci",
            19 => "atm",
            23 => "metricom",
            24 => "ieee1394",
            27 => "eui64",
            32 => "infiniband",
            256 => "slip",
            257 => "cslip",
            258 => "slip6",
            259 => "cslip6",
            260 => "rsrvd",
            264 => "adapt",
            270 => "rose",
            271 => "x25",
            272 => "hwx25",
            280 => "can",
            512 => "ppp",
            513 => "hdlc",
            516 => "lapb",
            517 => "ddcmp",
            518 => "rawhdlc",
            768 => "ipip",
            769 => "tunnel6",
            770 => "frad",
            771 => "skip",
            772 => "loopback",
            773 => "localtlk",
            774 => "fddi",
            775 => "bif",
            776 => "sit",
            777 => "ip/ddp",
            778 => "gre",
            779 => "pimreg",
            780 => "hippi",
            781 => "ash",
            782 => "econet",
            783 => "irda",
            784 => "fcpp",
            785 => "fcal",
            786 => "fcpl",
            787 => "fcfb0",
            800 => "tr",
            801 => "ieee802.11",
            802 => "ieee802.11/prism",
            803 => "ieee802.11/radiotap",
            804 => "ieee802.15.4",
            805 => "ieee802.15.4/monitor",
            820 => "phonet",
            821 => "phonet_pipe",
            822 => "caif",
            823 => "gre6",
            824 => "netlink",
            825 => "6lowpan",
            65534 => "none",
            65535 => "void",
            _ => return None,
        })
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "[{}]", self.0),
        }
    }
}

/// An Ethernet (EUI-48) MAC address, as accepted for `address`.
///
/// Parsed from `aa:bb:cc:dd:ee:ff` (also `-` separated); displayed the same
/// way, lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// Whether a device may use it as its own address: not multicast (the
    /// low bit of the first byte) and not all zeros, the kernel's
    /// `is_valid_ether_addr`.
    pub fn is_valid_unicast(&self) -> bool {
        self.0[0] & 1 == 0 && self.0 != [0; 6]
    }

    /// Checks [`MacAddr::is_valid_unicast`] for operation `op` on `object`.
    pub(crate) fn check_unicast(&self, op: &'static str, object: &dyn fmt::Display) -> Result<()> {
        if self.is_valid_unicast() {
            return Ok(());
        }
        Err(
            Error::new(ErrorKind::InvalidArgument, op, object.to_string()).with_detail(format!(
                "{self} is not a unicast address (multicast or all zeros)"
            )),
        )
    }
}

impl FromStr for MacAddr {
    type Err = Error;

    /// Parses `aa:bb:cc:dd:ee:ff`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when it is not six hexadecimal bytes.
    fn from_str(s: &str) -> Result<MacAddr> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidArgument,
                "parse",
                format!("MAC address {s:?}"),
            )
            .with_detail("expected six hexadecimal bytes such as 02:00:00:00:00:01")
        };
        let mut out = [0u8; 6];
        let mut parts = s.split([':', '-']);
        for byte in &mut out {
            let part = parts.next().ok_or_else(bad)?;
            if part.is_empty() || part.len() > 2 {
                return Err(bad());
            }
            *byte = u8::from_str_radix(part, 16).map_err(|_| bad())?;
        }
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(MacAddr(out))
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        HwAddr::new(LinkType::ETHER, &self.0).fmt(f)
    }
}

/// A hardware address shown as `ip` shows it (`link/ether 02:00:…`): the
/// IPv4 or IPv6 address for IP tunnels (`ipip`, `sit`, `gre`, `ip6tnl`,
/// `ip6gre`), else hex bytes separated by colons. The one formatter every
/// front end uses.
///
/// # Examples
/// ```
/// use netns_core::link::{HwAddr, LinkType};
/// assert_eq!(HwAddr::new(LinkType::ETHER, &[2, 0, 0, 0, 0, 0xab]).to_string(), "02:00:00:00:00:ab");
/// assert_eq!(HwAddr::new(LinkType(768), &[10, 0, 0, 1]).to_string(), "10.0.0.1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HwAddr<'a> {
    link_type: LinkType,
    bytes: &'a [u8],
}

impl<'a> HwAddr<'a> {
    /// The address `bytes` of a link of type `link_type`.
    pub fn new(link_type: LinkType, bytes: &'a [u8]) -> HwAddr<'a> {
        HwAddr { link_type, bytes }
    }
}

impl fmt::Display for HwAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // ARPHRD_TUNNEL, ARPHRD_SIT, ARPHRD_IPGRE, ARPHRD_TUNNEL6, ARPHRD_IP6GRE.
        const IP_TUNNELS: [u16; 5] = [768, 776, 778, 769, 823];
        if IP_TUNNELS.contains(&self.link_type.0) {
            if let Ok(v4) = <[u8; 4]>::try_from(self.bytes) {
                return std::net::IpAddr::from(v4).fmt(f);
            }
            if let Ok(v6) = <[u8; 16]>::try_from(self.bytes) {
                return std::net::IpAddr::from(v6).fmt(f);
            }
        }
        for (i, b) in self.bytes.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Checks an interface name as the kernel's `dev_valid_name` does, before
/// anything is sent: not empty, at most [`MAX_NAME_LEN`] bytes, not `.` or
/// `..`, no `/`, `:` or whitespace.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] saying what is wrong.
///
/// # Examples
/// ```
/// use netns_core::link::validate_link_name;
/// assert!(validate_link_name("veth0").is_ok());
/// assert!(validate_link_name("a-name-longer-than-15").is_err());
/// ```
pub fn validate_link_name(name: &str) -> Result<()> {
    let why = if name.is_empty() {
        "a link name cannot be empty"
    } else if name.len() > MAX_NAME_LEN {
        "a link name has at most 15 bytes"
    } else if name == "." || name == ".." {
        "a link name cannot be \".\" or \"..\""
    } else if name.contains('/') {
        "a link name cannot contain '/'"
    } else if name.contains(':') {
        "a link name cannot contain ':'"
    } else if name.contains(|c: char| c.is_whitespace()) {
        "a link name cannot contain whitespace"
    } else if name.contains('\0') {
        "a link name cannot contain a NUL byte"
    } else {
        return Ok(());
    };
    Err(Error::new(
        ErrorKind::InvalidArgument,
        "use",
        format!("link name {name:?}"),
    )
    .with_detail(why))
}

/// A link, owned: what [`LinkRef::to_owned`](super::LinkRef::to_owned)
/// copies out of a reply.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// `ifi_index`.
    pub index: IfIndex,
    /// `IFLA_IFNAME` (lossily decoded if not UTF-8).
    pub name: String,
    /// `ifi_type`.
    pub link_type: LinkType,
    /// `ifi_flags`.
    pub flags: LinkFlags,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_MIN_MTU`.
    pub min_mtu: Option<u32>,
    /// `IFLA_MAX_MTU`.
    pub max_mtu: Option<u32>,
    /// `IFLA_QDISC`.
    pub qdisc: Option<String>,
    /// `IFLA_OPERSTATE`.
    pub operstate: OperState,
    /// `IFLA_LINKMODE`.
    pub link_mode: LinkMode,
    /// `IFLA_GROUP`.
    pub group: Option<u32>,
    /// `IFLA_TXQLEN`.
    pub txqlen: Option<u32>,
    /// `IFLA_ADDRESS`.
    pub address: Option<Vec<u8>>,
    /// `IFLA_BROADCAST`.
    pub broadcast: Option<Vec<u8>>,
    /// `IFLA_PERM_ADDRESS`.
    pub perm_address: Option<Vec<u8>>,
    /// `IFLA_LINKINFO` → `IFLA_INFO_KIND` (`veth`, `bridge` …).
    pub kind: Option<String>,
    /// `IFLA_LINKINFO` → `IFLA_INFO_SLAVE_KIND` (`bridge` for a bridge port).
    pub port_kind: Option<String>,
    /// `IFLA_MASTER`.
    pub master: Option<IfIndex>,
    /// `IFLA_LINK`: the peer (veth) or parent (macvlan, vlan) index, in the
    /// namespace named by [`Link::link_netnsid`] if there is one.
    pub link: Option<IfIndex>,
    /// `IFLA_LINK_NETNSID`: the namespace of [`Link::link`], as an nsid seen
    /// from this link's namespace.
    pub link_netnsid: Option<Nsid>,
    /// `IFLA_IFALIAS`.
    pub alias: Option<String>,
    /// `IFLA_PROMISCUITY`.
    pub promiscuity: Option<u32>,
    /// `IFLA_CARRIER`.
    pub carrier: Option<bool>,
    /// `IFLA_STATS64`: the 64-bit counters (`ip -s link`).
    pub stats64: Option<super::LinkStats64>,
    /// The alternative names (`IFLA_PROP_LIST`), in the kernel's order.
    pub altnames: Vec<String>,
}
