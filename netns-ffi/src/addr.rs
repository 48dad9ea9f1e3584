//! Addresses: add, delete, list.

use std::ffi::{c_char, c_int, CString};

use netns_core::addr::{AddressFilter, AddressRef, AddressSpec, Family, IpNet, FOREVER};
use netns_core::Handle;

use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_out, opt_ref, opt_str_arg, out_arg, str_arg};
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

/// A lifetime of `forever` (`valid_lft forever`, `preferred_lft forever`).
pub const NETNS_LIFETIME_FOREVER: u32 = 0xffff_ffff;
const _: () = assert!(NETNS_LIFETIME_FOREVER == FOREVER);

/// An address being described, with the options `netns_addr_add` has no
/// room for (a point-to-point peer, lifetimes, scope). Opaque; made by
/// `netns_addr_spec_new`, freed by `netns_addr_spec_free`.
pub struct netns_addr_spec {
    inner: AddressSpec,
}

/// A new spec: address `cidr` (`"10.1.1.1/24"`, or `"10.0.0.1"` with a
/// peer) on link `dev`, with `ip addr add`'s defaults. Writes it to `*out`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed address.
#[no_mangle]
pub extern "C" fn netns_addr_spec_new(
    dev: *const c_char,
    cidr: *const c_char,
    out: *mut *mut netns_addr_spec,
) -> netns_result {
    call("netns_addr_spec_new", || {
        let dev = str_arg(dev, "dev")?;
        let net = net_arg(cidr, "cidr")?;
        out_arg(out, "out")?.set(into_raw(netns_addr_spec {
            inner: AddressSpec::new(dev, net),
        }));
        Ok(())
    })
}

/// Frees the spec. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_addr_spec_free(spec: *mut netns_addr_spec) {
    guard((), || free(spec))
}

/// `peer CIDR` (`IFA_ADDRESS`): the other end of a point-to-point address
/// (`"10.0.0.2/32"`); its prefix length is the address's.
#[no_mangle]
pub extern "C" fn netns_addr_spec_set_peer(
    spec: *mut netns_addr_spec,
    peer: *const c_char,
) -> netns_result {
    call("netns_addr_spec_set_peer", || {
        let peer = net_arg(peer, "peer")?;
        mut_arg(spec, "spec")?.inner.options.peer = Some(peer);
        Ok(())
    })
}

/// `valid_lft VALID preferred_lft PREFERRED` in seconds
/// (`NETNS_LIFETIME_FOREVER`: never), sent as `IFA_CACHEINFO`.
///
/// Errors (when the spec is sent): `NETNS_INVALID_ARGUMENT` for a zero
/// valid lifetime or a preferred one above it.
#[no_mangle]
pub extern "C" fn netns_addr_spec_set_lifetimes(
    spec: *mut netns_addr_spec,
    valid: u32,
    preferred: u32,
) -> netns_result {
    call("netns_addr_spec_set_lifetimes", || {
        let s = mut_arg(spec, "spec")?;
        s.inner.options.valid_lft = Some(valid);
        s.inner.options.preferred_lft = Some(preferred);
        Ok(())
    })
}

/// `scope SCOPE` (`RT_SCOPE_*`: 0 global, 253 link, 254 host).
#[no_mangle]
pub extern "C" fn netns_addr_spec_set_scope(spec: *mut netns_addr_spec, scope: u8) -> netns_result {
    call("netns_addr_spec_set_scope", || {
        mut_arg(spec, "spec")?.inner.options.scope = Some(scope);
        Ok(())
    })
}

fn send_spec(
    function: &'static str,
    h: *mut netns_handle,
    spec: *const netns_addr_spec,
    changed: *mut bool,
    op: fn(&mut Handle, &AddressSpec) -> netns_core::Result<bool>,
) -> netns_result {
    call(function, || {
        let h = handle_arg(h)?;
        let spec = opt_ref(spec).ok_or_else(|| Failure::null("spec"))?;
        let c = op(h, &spec.inner)?;
        if let Some(out) = opt_out(changed) {
            out.set(c);
        }
        Ok(())
    })
}

/// Adds the address `spec` describes (`RTM_NEWADDR`, as `ip addr add …
/// [peer P] [valid_lft V preferred_lft P]`).
///
/// Errors: as `netns_addr_add`.
#[no_mangle]
pub extern "C" fn netns_addr_add_spec(
    h: *mut netns_handle,
    spec: *const netns_addr_spec,
) -> netns_result {
    send_spec(
        "netns_addr_add_spec",
        h,
        spec,
        std::ptr::null_mut(),
        |h, s| h.address_add(s).map(|()| true),
    )
}

/// Deletes the address `spec` describes (with its peer, if any).
///
/// Errors: as `netns_addr_del`.
#[no_mangle]
pub extern "C" fn netns_addr_del_spec(
    h: *mut netns_handle,
    spec: *const netns_addr_spec,
) -> netns_result {
    send_spec(
        "netns_addr_del_spec",
        h,
        spec,
        std::ptr::null_mut(),
        |h, s| h.address_del(s).map(|()| true),
    )
}

/// `netns_addr_add_spec`, accepting an identical existing address
/// (`exist_ok`): writes whether it was added to `*added` unless NULL.
///
/// Errors: as `netns_addr_add`; `NETNS_ALREADY_EXISTS` when the existing
/// address differs (the message names the field: `it exists with scope
/// host, not global`).
#[no_mangle]
pub extern "C" fn netns_addr_add_exist_ok(
    h: *mut netns_handle,
    spec: *const netns_addr_spec,
    added: *mut bool,
) -> netns_result {
    send_spec(
        "netns_addr_add_exist_ok",
        h,
        spec,
        added,
        Handle::address_add_exist_ok,
    )
}

/// `netns_addr_del_spec`, accepting a missing address (`missing_ok`):
/// writes whether one was deleted to `*deleted` unless NULL. A missing
/// link is still `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_addr_del_missing_ok(
    h: *mut netns_handle,
    spec: *const netns_addr_spec,
    deleted: *mut bool,
) -> netns_result {
    send_spec(
        "netns_addr_del_missing_ok",
        h,
        spec,
        deleted,
        Handle::address_del_missing_ok,
    )
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
    peer: Option<CString>,
    valid_lft: u32,
    preferred_lft: u32,
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
            peer: a.peer().map(|p| c_string(p.to_string())),
            valid_lft: a.valid_lifetime,
            preferred_lft: a.preferred_lifetime,
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
            peer: a.peer().map(|p| c_string(p.to_string())),
            valid_lft: a.lifetimes().map_or(FOREVER, |l| l.1),
            preferred_lft: a.lifetimes().map_or(FOREVER, |l| l.0),
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

/// The point-to-point peer (`IFA_ADDRESS` when it differs from the
/// address: `"10.0.0.2"`), or NULL.
#[no_mangle]
pub extern "C" fn netns_addr_peer(a: *const netns_addr) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(a).map_or(std::ptr::null(), |a| opt_c_ptr(&a.peer))
    })
}

/// The valid lifetime left, in seconds (`NETNS_LIFETIME_FOREVER`: never;
/// 0 for NULL).
#[no_mangle]
pub extern "C" fn netns_addr_valid_lft(a: *const netns_addr) -> u32 {
    guard(0, || opt_ref(a).map_or(0, |a| a.valid_lft))
}

/// The preferred lifetime left, in seconds (`NETNS_LIFETIME_FOREVER`:
/// never; 0 for NULL).
#[no_mangle]
pub extern "C" fn netns_addr_preferred_lft(a: *const netns_addr) -> u32 {
    guard(0, || opt_ref(a).map_or(0, |a| a.preferred_lft))
}
