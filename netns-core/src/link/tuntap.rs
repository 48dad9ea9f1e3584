//! tun and tap devices (`ip tuntap`): created through `/dev/net/tun` inside
//! the namespace they belong to, read back from `IFLA_LINKINFO` (kind
//! `tun`), deleted with `RTM_DELLINK`.
//!
//! A tun/tap device is born in the network namespace of the thread that
//! issues `TUNSETIFF`, so [`NetNs::tuntap_add`] runs the ioctls on a
//! short-lived thread inside the namespace ([`NetNs::run`]); the caller's
//! thread never moves. The steps are iproute2's `ip tuntap add`: open
//! `/dev/net/tun`, `TUNSETIFF` with `IFF_TUN`/`IFF_TAP`, `IFF_NO_PI` unless
//! `pi`, `IFF_VNET_HDR`, `IFF_MULTI_QUEUE` and `IFF_TUN_EXCL` (an existing
//! device is refused, not attached to), then `TUNSETOWNER`, `TUNSETGROUP`,
//! `TUNSETPERSIST`. A failure before `TUNSETPERSIST` leaves nothing behind:
//! the device goes with the descriptor.

use std::fmt;
use std::fs::OpenOptions;
use std::os::fd::{AsFd, OwnedFd};

use nix::errno::Errno;
use nix::libc;

use super::{validate_link_name, Dev, Link, LinkRef};
use crate::netlink::attr;
use crate::netlink::uapi::{
    IFLA_INFO_DATA, IFLA_INFO_KIND, IFLA_TUN_GROUP, IFLA_TUN_MULTI_QUEUE,
    IFLA_TUN_NUM_DISABLED_QUEUES, IFLA_TUN_NUM_QUEUES, IFLA_TUN_OWNER, IFLA_TUN_PERSIST,
    IFLA_TUN_PI, IFLA_TUN_TYPE, IFLA_TUN_VNET_HDR,
};
use crate::sys::tun::{self, TunSet};
use crate::{Error, ErrorKind, Handle, NetNs, Result};

/// The character device every tun/tap device is made through.
const TUN_DEVICE: &str = "/dev/net/tun";

/// Layer 3 (`tun`: IP packets) or layer 2 (`tap`: Ethernet frames).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TunMode {
    /// `IFF_TUN`.
    Tun,
    /// `IFF_TAP`.
    Tap,
}

impl TunMode {
    /// `"tun"` or `"tap"`, as `ip` names them.
    pub fn name(self) -> &'static str {
        match self {
            TunMode::Tun => "tun",
            TunMode::Tap => "tap",
        }
    }

    /// Parses `tun` or `tap`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for another word.
    pub fn parse(word: &str) -> Result<TunMode> {
        match word {
            "tun" => Ok(TunMode::Tun),
            "tap" => Ok(TunMode::Tap),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                "parse",
                format!("tunnel mode {word:?}"),
            )
            .with_detail("a tun/tap mode is tun or tap")),
        }
    }

    fn flag(self) -> libc::c_int {
        match self {
            TunMode::Tun => libc::IFF_TUN,
            TunMode::Tap => libc::IFF_TAP,
        }
    }
}

impl fmt::Display for TunMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A tun or tap device to create (`ip tuntap add [name] NAME mode tun|tap
/// [user U] [group G] [pi] [vnet_hdr] [multi_queue]`), owned.
///
/// # Examples
/// ```
/// use netns_core::link::{TunMode, TunTapSpec};
/// let spec = TunTapSpec::new("tap0", TunMode::Tap).owner(1000);
/// spec.validate()?;
/// assert_eq!(spec.to_string(), "tap device \"tap0\"");
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TunTapSpec {
    /// The device's name; empty: the kernel picks `tunN` or `tapN`.
    pub name: String,
    /// tun or tap.
    pub mode: TunMode,
    /// `user`: the uid allowed to attach (`TUNSETOWNER`).
    pub owner: Option<u32>,
    /// `group`: the gid allowed to attach (`TUNSETGROUP`).
    pub group: Option<u32>,
    /// Keep the device after the creating descriptor closes
    /// (`TUNSETPERSIST`); `true` by default, as `ip tuntap add`. When
    /// `false` the device lives as long as [`TunTap::fd`].
    pub persist: bool,
    /// `pi`: packets carry the 4-byte packet information header (no
    /// `IFF_NO_PI`).
    pub pi: bool,
    /// `vnet_hdr`: packets carry a `virtio_net_hdr` (`IFF_VNET_HDR`).
    pub vnet_hdr: bool,
    /// `multi_queue`: one queue per attached descriptor (`IFF_MULTI_QUEUE`).
    pub multi_queue: bool,
}

impl TunTapSpec {
    /// A persistent device `name` of `mode`, no owner or group.
    pub fn new(name: impl Into<String>, mode: TunMode) -> TunTapSpec {
        TunTapSpec {
            name: name.into(),
            mode,
            owner: None,
            group: None,
            persist: true,
            pi: false,
            vnet_hdr: false,
            multi_queue: false,
        }
    }
    /// Sets the owner.
    pub fn owner(mut self, uid: u32) -> TunTapSpec {
        self.owner = Some(uid);
        self
    }
    /// Sets the group.
    pub fn group(mut self, gid: u32) -> TunTapSpec {
        self.group = Some(gid);
        self
    }
    /// Sets multi-queue.
    pub fn multi_queue(mut self, yes: bool) -> TunTapSpec {
        self.multi_queue = yes;
        self
    }
    /// Sets the virtio-net header.
    pub fn vnet_hdr(mut self, yes: bool) -> TunTapSpec {
        self.vnet_hdr = yes;
        self
    }
    /// Sets the packet information header.
    pub fn pi(mut self, yes: bool) -> TunTapSpec {
        self.pi = yes;
        self
    }
    /// Sets persistence.
    pub fn persist(mut self, yes: bool) -> TunTapSpec {
        self.persist = yes;
        self
    }

    /// Checks the name (when one is given) and the ids: `u32::MAX` is the
    /// kernel's "no owner".
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the device.
    pub fn validate(&self) -> Result<()> {
        if !self.name.is_empty() {
            validate_link_name(&self.name).map_err(|e| e.context("add", self.to_string()))?;
        }
        for (what, id) in [("owner", self.owner), ("group", self.group)] {
            if id == Some(u32::MAX) {
                return Err(
                    Error::new(ErrorKind::InvalidArgument, "add", self.to_string())
                        .with_detail(format!("{what} {} is not a valid id", u32::MAX)),
                );
            }
        }
        Ok(())
    }

    fn flags(&self) -> libc::c_short {
        let mut flags = self.mode.flag() | libc::IFF_TUN_EXCL;
        if !self.pi {
            flags |= libc::IFF_NO_PI;
        }
        if self.vnet_hdr {
            flags |= libc::IFF_VNET_HDR;
        }
        if self.multi_queue {
            flags |= libc::IFF_MULTI_QUEUE;
        }
        // All of them fit the 16 bits of ifr_flags.
        flags as libc::c_short
    }

    /// Creates the device in the calling thread's namespace.
    fn create_here(&self) -> Result<TunTap> {
        self.validate()?;
        let fail = |e: Errno, step: &'static str| {
            let e = Error::sys(e, "add", self.to_string()).with_detail(step);
            match e.errno() {
                // IFF_TUN_EXCL on an existing device.
                Some(Errno::EBUSY) => e.with_kind(ErrorKind::AlreadyExists),
                _ => e,
            }
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(TUN_DEVICE)
            .map_err(|e| {
                Error::io(&e, "add", self.to_string()).with_detail(format!("opening {TUN_DEVICE}"))
            })?;
        let fd: OwnedFd = file.into();
        let name =
            tun::set_iff(fd.as_fd(), &self.name, self.flags()).map_err(|e| fail(e, "TUNSETIFF"))?;
        // From here on a failure closes `fd`, which removes the device
        // (not persistent yet).
        if let Some(uid) = self.owner {
            tun::set(fd.as_fd(), TunSet::Owner, libc::c_ulong::from(uid))
                .map_err(|e| fail(e, "TUNSETOWNER"))?;
        }
        if let Some(gid) = self.group {
            tun::set(fd.as_fd(), TunSet::Group, libc::c_ulong::from(gid))
                .map_err(|e| fail(e, "TUNSETGROUP"))?;
        }
        if self.persist {
            tun::set(fd.as_fd(), TunSet::Persist, 1).map_err(|e| fail(e, "TUNSETPERSIST"))?;
        }
        Ok(TunTap {
            name,
            fd: (!self.persist).then_some(fd),
        })
    }
}

impl fmt::Display for TunTapSpec {
    /// How errors name the device: `tap device "tap0"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "new {} device", self.mode)
        } else {
            write!(f, "{} device {:?}", self.mode, self.name)
        }
    }
}

/// A device [`NetNs::tuntap_add`] created.
#[derive(Debug)]
#[non_exhaustive]
pub struct TunTap {
    /// Its name (the kernel's choice when the spec gave none).
    pub name: String,
    /// For a device that is not persistent: the descriptor attached to it
    /// (read and write packets on it); the device goes when it closes.
    pub fd: Option<OwnedFd>,
}

/// Creates the tun/tap device `spec` describes in the calling thread's own
/// network namespace (see [`NetNs::tuntap_add`] for another namespace).
///
/// # Errors
/// As [`NetNs::tuntap_add`].
pub fn tuntap_add_current(spec: &TunTapSpec) -> Result<TunTap> {
    spec.create_here()
}

impl NetNs {
    /// Creates the tun/tap device `spec` describes in this namespace, as
    /// `ip -n NS tuntap add` does: on a short-lived thread inside the
    /// namespace (a device is born in the namespace of the thread that
    /// issues `TUNSETIFF`; the caller's thread never moves), open
    /// `/dev/net/tun`, `TUNSETIFF` with `IFF_TUN`/`IFF_TAP`, `IFF_NO_PI`
    /// unless `pi`, `IFF_VNET_HDR`, `IFF_MULTI_QUEUE` and `IFF_TUN_EXCL` (an
    /// existing device is refused, not attached to), then `TUNSETOWNER`,
    /// `TUNSETGROUP`, `TUNSETPERSIST`. A failure before `TUNSETPERSIST`
    /// leaves nothing behind: the device goes with the descriptor.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] before anything is done;
    /// [`ErrorKind::AlreadyExists`] for an existing device (`EBUSY` with
    /// `IFF_TUN_EXCL`); [`ErrorKind::NotFound`] without `/dev/net/tun`;
    /// [`ErrorKind::PermissionDenied`] without `CAP_NET_ADMIN`; each saying
    /// which step failed.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::{TunMode, TunTapSpec};
    /// let ns = netns_core::NetNs::new_anonymous()?;
    /// let tap = ns.tuntap_add(&TunTapSpec::new("tap0", TunMode::Tap).owner(1000))?;
    /// assert_eq!(tap.name, "tap0");
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "TUNSETIFF")]
    #[doc(alias = "ip tuntap add")]
    pub fn tuntap_add(&self, spec: &TunTapSpec) -> Result<TunTap> {
        let spec = spec.clone();
        self.run(move || spec.create_here())?
    }
}

/// What `IFLA_LINKINFO` → `IFLA_INFO_DATA` says about a tun/tap device
/// (kind `tun`), as `ip -d link show` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TunInfo {
    /// `IFLA_TUN_TYPE`: tun or tap.
    pub mode: Option<TunMode>,
    /// `IFLA_TUN_PI`.
    pub pi: bool,
    /// `IFLA_TUN_VNET_HDR`.
    pub vnet_hdr: bool,
    /// `IFLA_TUN_PERSIST`.
    pub persist: bool,
    /// `IFLA_TUN_MULTI_QUEUE`.
    pub multi_queue: bool,
    /// `IFLA_TUN_NUM_QUEUES`: descriptors attached.
    pub num_queues: Option<u32>,
    /// `IFLA_TUN_NUM_DISABLED_QUEUES`.
    pub num_disabled_queues: Option<u32>,
    /// `IFLA_TUN_OWNER`, when set.
    pub owner: Option<u32>,
    /// `IFLA_TUN_GROUP`, when set.
    pub group: Option<u32>,
}

impl TunInfo {
    /// Reads the `IFLA_INFO_DATA` of a tun link.
    fn parse(data: &[u8]) -> TunInfo {
        let byte = |k| attr::find(data, k).and_then(|v| v.first().copied());
        let word = |k| attr::find(data, k).and_then(attr::u32_ne);
        TunInfo {
            mode: match byte(IFLA_TUN_TYPE).map(libc::c_int::from) {
                Some(libc::IFF_TUN) => Some(TunMode::Tun),
                Some(libc::IFF_TAP) => Some(TunMode::Tap),
                _ => None,
            },
            pi: byte(IFLA_TUN_PI).is_some_and(|b| b != 0),
            vnet_hdr: byte(IFLA_TUN_VNET_HDR).is_some_and(|b| b != 0),
            persist: byte(IFLA_TUN_PERSIST).is_some_and(|b| b != 0),
            multi_queue: byte(IFLA_TUN_MULTI_QUEUE).is_some_and(|b| b != 0),
            num_queues: word(IFLA_TUN_NUM_QUEUES),
            num_disabled_queues: word(IFLA_TUN_NUM_DISABLED_QUEUES),
            owner: word(IFLA_TUN_OWNER),
            group: word(IFLA_TUN_GROUP),
        }
    }
}

impl fmt::Display for TunInfo {
    /// As `ip -d link show` prints the tun part, with numeric ids:
    /// `type tap pi off vnet_hdr off persist on user 1000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let on = |b: bool| if b { "on" } else { "off" };
        if let Some(m) = self.mode {
            write!(f, "type {m} ")?;
        }
        write!(f, "pi {} vnet_hdr {}", on(self.pi), on(self.vnet_hdr))?;
        if self.multi_queue {
            f.write_str(" multi_queue")?;
            if let Some(n) = self.num_queues {
                write!(f, " numqueues {n}")?;
            }
            if let Some(n) = self.num_disabled_queues {
                write!(f, " numdisabled {n}")?;
            }
        }
        write!(f, " persist {}", on(self.persist))?;
        if let Some(u) = self.owner {
            write!(f, " user {u}")?;
        }
        if let Some(g) = self.group {
            write!(f, " group {g}")?;
        }
        Ok(())
    }
}

impl LinkRef<'_> {
    /// The tun/tap settings of a link of kind `tun` (`None` for other
    /// kinds), read in place from `IFLA_LINKINFO`.
    pub fn tun_info(&self) -> Option<TunInfo> {
        let info = self.linkinfo()?;
        if attr::find(info, IFLA_INFO_KIND).map(attr::c_bytes) != Some(b"tun") {
            return None;
        }
        Some(TunInfo::parse(
            attr::find(info, IFLA_INFO_DATA).unwrap_or(&[]),
        ))
    }
}

impl Handle {
    /// The tun/tap devices of this namespace with their settings (`ip
    /// tuntap show`): one link dump, kind `tun` kept.
    ///
    /// # Errors
    /// The kernel's refusal or a socket error.
    pub fn tuntaps(&mut self) -> Result<Vec<(Link, TunInfo)>> {
        Ok(self
            .links()?
            .filter_map(|l| Some((l.to_owned(), l.tun_info()?)))
            .collect())
    }

    /// Deletes the tun/tap device `dev` (`ip tuntap del`): checked to be
    /// of kind `tun` first (another link of that name is left alone), then
    /// `RTM_DELLINK` by index.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no such link;
    /// [`ErrorKind::InvalidArgument`] when it is not a tun/tap device.
    pub fn tuntap_del(&mut self, dev: &Dev) -> Result<()> {
        const OP: &str = "delete";
        let object = || format!("tun/tap device {}", DevName(dev));
        let link = self
            .link(dev.as_id())
            .map_err(|e| e.context(OP, object()))?;
        let index = link.index();
        if link.tun_info().is_none() {
            let kind = link.kind().unwrap_or("none").to_owned();
            return Err(Error::new(ErrorKind::InvalidArgument, OP, object())
                .with_detail(format!("not a tun/tap device (kind {kind})")));
        }
        self.link_delete(super::LinkId::Index(index))
            .map_err(|e| e.context(OP, object()))
    }
}

/// A [`Dev`] as the caller named it: `"tap0"` or `#5`.
struct DevName<'a>(&'a Dev);

impl fmt::Display for DevName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Dev::Name(n) => write!(f, "{n:?}"),
            Dev::Index(i) => write!(f, "with index {i}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_what_ip_tuntap_sets() {
        let tap = TunTapSpec::new("tap0", TunMode::Tap);
        // ifr_flags is 16 bits: IFF_TUN_EXCL (0x8000) is its sign bit.
        assert_eq!(
            libc::c_int::from(tap.flags()) & 0xffff,
            libc::IFF_TAP | libc::IFF_NO_PI | libc::IFF_TUN_EXCL
        );
        let tun = TunTapSpec::new("tun0", TunMode::Tun)
            .pi(true)
            .vnet_hdr(true)
            .multi_queue(true);
        assert_eq!(
            libc::c_int::from(tun.flags()) & 0xffff,
            (libc::IFF_TUN | libc::IFF_VNET_HDR | libc::IFF_MULTI_QUEUE | libc::IFF_TUN_EXCL)
                & 0xffff
        );
        assert_eq!(TunMode::parse("tap").unwrap(), TunMode::Tap);
        assert!(TunMode::parse("tip").is_err());
        assert_eq!(
            TunTapSpec::new("", TunMode::Tun).to_string(),
            "new tun device"
        );
    }

    #[test]
    fn info_reads_and_prints_as_ip() {
        // IFLA_INFO_DATA of a multi-queue tun owned by 4242, as the kernel
        // fills it (tun_fill_info): type, pi, vnet_hdr, persist, owner,
        // multi_queue, num_queues, num_disabled_queues.
        let mut data = Vec::new();
        let mut nla = |kind: u16, value: &[u8]| {
            let len = 4 + value.len() as u16;
            data.extend_from_slice(&len.to_ne_bytes());
            data.extend_from_slice(&kind.to_ne_bytes());
            data.extend_from_slice(value);
            data.resize(attr::align(data.len()), 0);
        };
        nla(IFLA_TUN_TYPE, &[1]);
        nla(IFLA_TUN_PI, &[1]);
        nla(IFLA_TUN_VNET_HDR, &[0]);
        nla(IFLA_TUN_PERSIST, &[1]);
        nla(IFLA_TUN_OWNER, &4242u32.to_ne_bytes());
        nla(IFLA_TUN_MULTI_QUEUE, &[1]);
        nla(IFLA_TUN_NUM_QUEUES, &2u32.to_ne_bytes());
        nla(IFLA_TUN_NUM_DISABLED_QUEUES, &0u32.to_ne_bytes());
        let info = TunInfo::parse(&data);
        assert_eq!(info.mode, Some(TunMode::Tun));
        assert_eq!((info.owner, info.group), (Some(4242), None));
        assert_eq!(
            info.to_string(),
            "type tun pi on vnet_hdr off multi_queue numqueues 2 numdisabled 0 persist on user 4242"
        );
    }
}
