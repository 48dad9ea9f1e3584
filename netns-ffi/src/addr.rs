//! Addresses: add, delete, list.

use std::ffi::{c_char, c_int, CString};

use netns_core::addr::{AddressFilter, AddressRef, AddressSpec, Family, IpNet};

use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_ref, opt_str_arg, out_arg, str_arg};
use crate::registry::next_of;
use crate::{c_string, opt_c_ptr};

/// `AF_UNSPEC` (0: both), `AF_INET` or `AF_INET6`, as a filter.
pub(crate) fn family_arg(family: c_int) -> Result<Option<Family>, Failure> {
    if family == 0 {
        return Ok(None);
    }
    u8::try_from(family)
        .ok()
        .and_then(Family::from_raw)
        .map(Some)
        .ok_or_else(|| Failure::invalid("family", "a family is 0 (both), AF_INET or AF_INET6"))
}

/// `"10.1.1.1/24"` → an [`IpNet`].
fn net_arg(cidr: *const c_char, what: &'static str) -> Result<IpNet, Failure> {
    Ok(str_arg(cidr, what)?.parse()?)
}

/// Adds address `cidr` (`"10.1.1.1/24"`, `"fd00::1/64"`) to link `dev`, as
/// `ip addr add CIDR dev DEV` (`RTM_NEWADDR`); the kernel adds the prefix route.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed address;
/// `NETNS_NOT_FOUND` for no such link; `NETNS_ALREADY_EXISTS`.
#[no_mangle]
pub extern "C" fn netns_addr_add(
    h: *mut netns_handle,
    dev: *const c_char,
    cidr: *const c_char,
) -> netns_result {
    call("netns_addr_add", || {
        let h = handle_arg(h)?;
        let dev = str_arg(dev, "dev")?;
        let net = net_arg(cidr, "cidr")?;
        h.address_add(&AddressSpec::new(dev, net))?;
        Ok(())
    })
}

/// Removes address `cidr` from link `dev` (`RTM_DELADDR`).
///
/// Errors: as `netns_addr_add`; `NETNS_NOT_FOUND` when the link has no such address.
#[no_mangle]
pub extern "C" fn netns_addr_del(
    h: *mut netns_handle,
    dev: *const c_char,
    cidr: *const c_char,
) -> netns_result {
    call("netns_addr_del", || {
        let h = handle_arg(h)?;
        let dev = str_arg(dev, "dev")?;
        let net = net_arg(cidr, "cidr")?;
        h.address_del(&AddressSpec::new(dev, net))?;
        Ok(())
    })
}

/// One address of a `netns_addr_iter`. Borrowed from the iterator.
pub struct netns_addr {
    ifindex: u32,
    family: c_int,
    prefix_len: u8,
    scope: u8,
    ip: Option<CString>,
    cidr: Option<CString>,
    label: Option<CString>,
}

impl netns_addr {
    /// An address of an owned core address (events' resync).
    pub(crate) fn from_owned(a: &netns_core::addr::Address) -> netns_addr {
        netns_addr {
            ifindex: a.ifindex,
            family: a.family.map_or(0, |f| c_int::from(f.to_raw())),
            prefix_len: a.prefix_len,
            scope: a.scope,
            ip: a.ip().map(|ip| c_string(ip.to_string())),
            cidr: a.ip().map(|ip| c_string(format!("{ip}/{}", a.prefix_len))),
            label: a.label.as_deref().map(c_string),
        }
    }

    pub(crate) fn snapshot(a: &AddressRef<'_>) -> netns_addr {
        netns_addr {
            ifindex: a.ifindex(),
            family: c_int::from(a.family_raw()),
            prefix_len: a.prefix_len(),
            scope: a.scope(),
            ip: a.ip().map(|ip| c_string(ip.to_string())),
            cidr: a
                .ip()
                .map(|ip| c_string(format!("{ip}/{}", a.prefix_len()))),
            label: a.label().map(c_string),
        }
    }
}

/// The addresses of `netns_addrs`, in the kernel's order: a snapshot taken
/// by the call. Free with `netns_addr_iter_free`.
pub struct netns_addr_iter {
    items: Vec<netns_addr>,
    next: usize,
    consistent: bool,
}

/// Lists the addresses of the handle's namespace, filtered by the kernel:
/// of link `dev` only when it is not NULL, of `family` only (`AF_INET`,
/// `AF_INET6`) when it is not 0. Writes an iterator to `*out`;
/// `netns_addr_iter_consistent` says whether the kernel's dump was consistent.
///
/// Errors: `NETNS_NOT_FOUND` for no such link; `NETNS_INVALID_ARGUMENT` for
/// another family.
#[no_mangle]
pub extern "C" fn netns_addrs(
    h: *mut netns_handle,
    dev: *const c_char,
    family: c_int,
    out: *mut *mut netns_addr_iter,
) -> netns_result {
    call("netns_addrs", || {
        let h = handle_arg(h)?;
        let dev = opt_str_arg(dev, "dev")?;
        let family = family_arg(family)?;
        let out = out_arg(out, "out")?;
        let mut filter = AddressFilter::new();
        if let Some(f) = family {
            filter = filter.family(f);
        }
        if let Some(dev) = dev {
            filter = filter.dev(dev);
        }
        let addresses = h.addresses(filter)?;
        let consistent = addresses.is_consistent();
        let items = addresses.map(|a| netns_addr::snapshot(&a)).collect();
        out.set(into_raw(netns_addr_iter {
            items,
            next: 0,
            consistent,
        }));
        Ok(())
    })
}

/// The next address, or NULL at the end (or for NULL). Valid until the iterator is freed.
#[no_mangle]
pub extern "C" fn netns_addr_iter_next(it: *mut netns_addr_iter) -> *const netns_addr {
    guard(std::ptr::null(), || match mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many addresses the iterator holds in all (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_addr_iter_len(it: *const netns_addr_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Whether the dump behind the iterator was consistent: false when the
/// kernel interrupted it (`NLM_F_DUMP_INTR`, its addresses changed while it ran)
/// on every attempt, so that the addresses are the last attempt's and some may be
/// missing or listed twice (`ip` then warns "Dump was interrupted and may be
/// inconsistent"). The listing call itself still returns `NETNS_OK`. True
/// for NULL.
#[no_mangle]
pub extern "C" fn netns_addr_iter_consistent(it: *const netns_addr_iter) -> bool {
    guard(true, || opt_ref(it).is_none_or(|it| it.consistent))
}

/// Frees the iterator and its addresses. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_addr_iter_free(it: *mut netns_addr_iter) {
    guard((), || free(it))
}

/// The index of the address's link (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_addr_ifindex(a: *const netns_addr) -> u32 {
    guard(0, || opt_ref(a).map_or(0, |a| a.ifindex))
}

/// The address family (`AF_INET`, `AF_INET6`; 0 for NULL).
#[no_mangle]
pub extern "C" fn netns_addr_family(a: *const netns_addr) -> c_int {
    guard(0, || opt_ref(a).map_or(0, |a| a.family))
}

/// The prefix length.
#[no_mangle]
pub extern "C" fn netns_addr_prefix_len(a: *const netns_addr) -> u8 {
    guard(0, || opt_ref(a).map_or(0, |a| a.prefix_len))
}

/// The scope (`RT_SCOPE_*`: 0 global, 253 link, 254 host).
#[no_mangle]
pub extern "C" fn netns_addr_scope(a: *const netns_addr) -> u8 {
    guard(0, || opt_ref(a).map_or(0, |a| a.scope))
}

/// The address as text (`"10.1.1.1"`), or NULL when the kernel sent none.
#[no_mangle]
pub extern "C" fn netns_addr_ip(a: *const netns_addr) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(a).map_or(std::ptr::null(), |a| opt_c_ptr(&a.ip))
    })
}

/// The address with its prefix length (`"10.1.1.1/24"`), or NULL.
#[no_mangle]
pub extern "C" fn netns_addr_cidr(a: *const netns_addr) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(a).map_or(std::ptr::null(), |a| opt_c_ptr(&a.cidr))
    })
}

/// The IPv4 label (`"veth0"`), or NULL.
#[no_mangle]
pub extern "C" fn netns_addr_label(a: *const netns_addr) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(a).map_or(std::ptr::null(), |a| opt_c_ptr(&a.label))
    })
}
