//! tun/tap devices (`ip tuntap add|del`), one link by name or index, an
//! index's name, and a link's 64-bit statistics (`ip -s link`).

use std::ffi::{c_char, c_int};
use std::os::fd::IntoRawFd;

use netns_core::link::{
    tuntap_add_current, Dev, IfIndex, LinkId, LinkStats64, TunMode, TunTapSpec,
};

use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::into_c_string;
use crate::link::netns_link;
use crate::namespace::{netns_ns, ns_arg};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, opt_out, out_arg, str_arg};

/// `pi`: packets carry the 4-byte packet information header.
pub const NETNS_TUNTAP_PI: u32 = 1;
/// `vnet_hdr`: packets carry a `virtio_net_hdr`.
pub const NETNS_TUNTAP_VNET_HDR: u32 = 2;
/// `multi_queue`: one queue per attached descriptor.
pub const NETNS_TUNTAP_MULTI_QUEUE: u32 = 4;
/// Not persistent: the device lives as long as the descriptor written to
/// `*fd` (persistent is the default, as `ip tuntap add`).
pub const NETNS_TUNTAP_NO_PERSIST: u32 = 8;

/// Creates a tun or tap device, as `ip tuntap add NAME mode MODE [user
/// OWNER] [group GROUP] [pi] [vnet_hdr] [multi_queue]`, in namespace `ns`
/// (the calling thread's when NULL; the device is born in the namespace of
/// the short-lived thread that makes it). `name` may be `""` (the kernel
/// picks `tunN`/`tapN`); `mode` is `"tun"` or `"tap"`; `owner` and `group`
/// are a uid and gid, or -1 for none; `flags` ORs `NETNS_TUNTAP_*`.
/// Writes the device's name to `*name_out` unless NULL (free it with
/// `netns_string_free`), and to `*fd` unless NULL the descriptor attached
/// to a device that is not persistent (the caller owns it), else -1.
///
/// Errors: `NETNS_ALREADY_EXISTS`; `NETNS_INVALID_ARGUMENT`;
/// `NETNS_PERMISSION_DENIED` without `CAP_NET_ADMIN`.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn netns_tuntap_add(
    ns: *const netns_ns,
    name: *const c_char,
    mode: *const c_char,
    owner: i64,
    group: i64,
    flags: u32,
    name_out: *mut *mut c_char,
    fd: *mut c_int,
) -> netns_result {
    call("netns_tuntap_add", || {
        let name = str_arg(name, "name")?;
        let mode = TunMode::parse(str_arg(mode, "mode")?)?;
        let id = |v: i64, what: &str| -> Result<Option<u32>, Failure> {
            if v == -1 {
                return Ok(None);
            }
            u32::try_from(v)
                .map(Some)
                .map_err(|_| Failure::invalid(what, "an id is 0 to 4294967295, or -1 for none"))
        };
        let mut spec = TunTapSpec::new(name, mode)
            .pi(flags & NETNS_TUNTAP_PI != 0)
            .vnet_hdr(flags & NETNS_TUNTAP_VNET_HDR != 0)
            .multi_queue(flags & NETNS_TUNTAP_MULTI_QUEUE != 0)
            .persist(flags & NETNS_TUNTAP_NO_PERSIST == 0);
        if let Some(u) = id(owner, "owner")? {
            spec = spec.owner(u);
        }
        if let Some(g) = id(group, "group")? {
            spec = spec.group(g);
        }
        let made = if ns.is_null() {
            tuntap_add_current(&spec)?
        } else {
            ns_arg(ns, "ns")?.tuntap_add(&spec)?
        };
        if let Some(out) = opt_out(name_out) {
            out.set(into_c_string(made.name));
        }
        let raw = made.fd.map_or(-1, IntoRawFd::into_raw_fd);
        match opt_out(fd) {
            Some(out) => out.set(raw),
            None if raw >= 0 => {
                // Nobody to hand it to: closing it removes the device, as
                // the caller asked for a device without keeping its descriptor.
                drop(crate::ptr::owned_fd(raw));
            }
            None => {}
        }
        Ok(())
    })
}

/// Deletes the tun/tap device `dev` (`ip tuntap del`); a link of another
/// kind is refused with `NETNS_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn netns_tuntap_del(h: *mut netns_handle, dev: *const c_char) -> netns_result {
    call("netns_tuntap_del", || {
        let h = handle_arg(h)?;
        let dev = Dev::from(str_arg(dev, "dev")?);
        h.tuntap_del(&dev)?;
        Ok(())
    })
}

/// The 64-bit statistics of a link (`IFLA_STATS64`), as `ip -s link` shows them.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct netns_link_stats {
    /// Packets received.
    pub rx_packets: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Receive errors.
    pub rx_errors: u64,
    /// Transmit errors.
    pub tx_errors: u64,
    /// Received packets dropped.
    pub rx_dropped: u64,
    /// Packets dropped on transmit.
    pub tx_dropped: u64,
    /// Multicast packets received.
    pub multicast: u64,
    /// Collisions.
    pub collisions: u64,
    /// Received packets missed.
    pub rx_missed_errors: u64,
    /// Carrier errors on transmit.
    pub tx_carrier_errors: u64,
    /// Packets dropped for want of a protocol handler.
    pub rx_nohandler: u64,
}

impl From<&LinkStats64> for netns_link_stats {
    fn from(s: &LinkStats64) -> netns_link_stats {
        netns_link_stats {
            rx_packets: s.rx_packets,
            tx_packets: s.tx_packets,
            rx_bytes: s.rx_bytes,
            tx_bytes: s.tx_bytes,
            rx_errors: s.rx_errors,
            tx_errors: s.tx_errors,
            rx_dropped: s.rx_dropped,
            tx_dropped: s.tx_dropped,
            multicast: s.multicast,
            collisions: s.collisions,
            rx_missed_errors: s.rx_missed_errors,
            tx_carrier_errors: s.tx_carrier_errors,
            rx_nohandler: s.rx_nohandler,
        }
    }
}

/// Writes the 64-bit statistics of link `dev` to `*stats` (`ip -s link
/// show dev DEV`: one `RTM_GETLINK`, no dump). Errors: `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_link_stats_get(
    h: *mut netns_handle,
    dev: *const c_char,
    stats: *mut netns_link_stats,
) -> netns_result {
    call("netns_link_stats_get", || {
        let h = handle_arg(h)?;
        let dev = str_arg(dev, "dev")?;
        let out = out_arg(stats, "stats")?;
        let s = h.link_stats(LinkId::Name(dev))?;
        out.set(netns_link_stats::from(&s));
        Ok(())
    })
}

/// Looks one link up by name (`RTM_GETLINK`, no dump) and writes it to
/// `*out` (read it with the `netns_link_*` accessors; free it with
/// `netns_link_free`). Errors: `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_link_get(
    h: *mut netns_handle,
    dev: *const c_char,
    out: *mut *mut netns_link,
) -> netns_result {
    call("netns_link_get", || {
        let h = handle_arg(h)?;
        let dev = str_arg(dev, "dev")?;
        let out = out_arg(out, "out")?;
        let link = h.link(LinkId::Name(dev))?;
        out.set(into_raw(netns_link::snapshot(&link)));
        Ok(())
    })
}

/// As `netns_link_get`, by interface index.
#[no_mangle]
pub extern "C" fn netns_link_get_by_index(
    h: *mut netns_handle,
    ifindex: u32,
    out: *mut *mut netns_link,
) -> netns_result {
    call("netns_link_get_by_index", || {
        let h = handle_arg(h)?;
        let index = IfIndex::new(ifindex)
            .ok_or_else(|| Failure::invalid("ifindex", "interface index 0 names no link"))?;
        let out = out_arg(out, "out")?;
        let link = h.link(LinkId::Index(index))?;
        out.set(into_raw(netns_link::snapshot(&link)));
        Ok(())
    })
}

/// Frees a link from `netns_link_get` (never one from an iterator or an
/// event). NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_link_free(l: *mut netns_link) {
    guard((), || free(l))
}

/// The name of the link with index `ifindex` (`RTM_GETLINK` by index, no
/// dump), written to `*name` (free it with `netns_string_free`). Errors:
/// `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_link_name_by_index(
    h: *mut netns_handle,
    ifindex: u32,
    name: *mut *mut c_char,
) -> netns_result {
    call("netns_link_name_by_index", || {
        let h = handle_arg(h)?;
        let index = IfIndex::new(ifindex)
            .ok_or_else(|| Failure::invalid("ifindex", "interface index 0 names no link"))?;
        let out = out_arg(name, "name")?;
        let link = h.link(LinkId::Index(index))?;
        out.set(into_c_string(link.name()));
        Ok(())
    })
}
