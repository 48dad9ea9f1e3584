//! Neighbours (`ip neigh`): add, replace, change, delete, get, list, flush.
//! C arguments become the core's `NeighSpec` / `NeighFilter`.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, CString};

use netns_core::link::{Dev, HwAddr, LinkType};
use netns_core::neigh::{parse_lladdr, NeighFilter, NeighSpec, NeighState, Neighbour};
use netns_core::Handle;

use crate::addr::family_arg;
use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_out, opt_ref, opt_str_arg, out_arg, str_arg};
use crate::registry::next_of;
use crate::{c_string, opt_c_ptr};

/// A proxy entry (`ip neigh … proxy`, `NTF_PROXY`).
pub const NETNS_NEIGH_PROXY: u32 = 1;
/// The neighbour is a router (`router`, `NTF_ROUTER`).
pub const NETNS_NEIGH_ROUTER: u32 = 2;
/// Learned by an external control plane (`extern_learn`).
pub const NETNS_NEIGH_EXTERN_LEARN: u32 = 4;
/// Listing and flushing: every state (`nud all`), not only the states `ip
/// neigh show` lists by default (all but `noarp` and `none`).
pub const NETNS_NEIGH_ALL_STATES: u32 = 8;

/// The spec of C arguments: `dst` an address, `dev` a name, `mac` optional
/// (`"02:00:00:00:00:01"`), `state` optional (a name as `ip neigh … nud`
/// takes it: `"permanent"`, `"reachable"`, `"stale"`, `"noarp"` …).
fn spec(
    dst: *const c_char,
    dev: *const c_char,
    mac: *const c_char,
    state: *const c_char,
    flags: u32,
) -> Result<NeighSpec, Failure> {
    let dst_text = str_arg(dst, "dst")?;
    let dst = dst_text.parse().map_err(|_| {
        Failure::invalid(
            &format!("neighbour address {dst_text:?}"),
            "not an IP address",
        )
    })?;
    let dev = str_arg(dev, "dev")?;
    let mut s = if flags & NETNS_NEIGH_PROXY != 0 {
        NeighSpec::proxy(dst, dev)
    } else {
        NeighSpec::new(dst, dev)
    };
    if let Some(m) = opt_str_arg(mac, "mac")? {
        s = s.mac(parse_lladdr(m)?);
    }
    if let Some(st) = opt_str_arg(state, "state")? {
        s = s.state(st.parse::<NeighState>()?);
    }
    Ok(s.router(flags & NETNS_NEIGH_ROUTER != 0)
        .extern_learn(flags & NETNS_NEIGH_EXTERN_LEARN != 0))
}

fn change(
    function: &'static str,
    h: *mut netns_handle,
    args: (
        *const c_char,
        *const c_char,
        *const c_char,
        *const c_char,
        u32,
    ),
    op: fn(&mut Handle, &NeighSpec) -> netns_core::Result<()>,
) -> netns_result {
    call(function, || {
        let h = handle_arg(h)?;
        let s = spec(args.0, args.1, args.2, args.3, args.4)?;
        op(h, &s)?;
        Ok(())
    })
}

/// Adds a neighbour entry, as `ip neigh add DST dev DEV [lladdr MAC] [nud
/// STATE] [router] [proxy]` (`RTM_NEWNEIGH`): `mac` and `state` may be NULL
/// (`state` NULL is `permanent`, as `ip`); `flags` ORs `NETNS_NEIGH_PROXY`,
/// `NETNS_NEIGH_ROUTER`, `NETNS_NEIGH_EXTERN_LEARN`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` (address, MAC or state malformed);
/// `NETNS_NOT_FOUND` for no such link; `NETNS_ALREADY_EXISTS`.
#[no_mangle]
pub extern "C" fn netns_neigh_add(
    h: *mut netns_handle,
    dst: *const c_char,
    dev: *const c_char,
    mac: *const c_char,
    state: *const c_char,
    flags: u32,
) -> netns_result {
    change(
        "netns_neigh_add",
        h,
        (dst, dev, mac, state, flags),
        Handle::neigh_add,
    )
}

/// Adds or replaces a neighbour entry (`ip neigh replace`); arguments as
/// `netns_neigh_add`.
#[no_mangle]
pub extern "C" fn netns_neigh_replace(
    h: *mut netns_handle,
    dst: *const c_char,
    dev: *const c_char,
    mac: *const c_char,
    state: *const c_char,
    flags: u32,
) -> netns_result {
    change(
        "netns_neigh_replace",
        h,
        (dst, dev, mac, state, flags),
        Handle::neigh_replace,
    )
}

/// Changes an existing neighbour entry (`ip neigh change`); arguments as
/// `netns_neigh_add`. Errors: `NETNS_NOT_FOUND` when there is none.
#[no_mangle]
pub extern "C" fn netns_neigh_change(
    h: *mut netns_handle,
    dst: *const c_char,
    dev: *const c_char,
    mac: *const c_char,
    state: *const c_char,
    flags: u32,
) -> netns_result {
    change(
        "netns_neigh_change",
        h,
        (dst, dev, mac, state, flags),
        Handle::neigh_change,
    )
}

/// Deletes the neighbour entry `dst` on `dev` (`ip neigh del`;
/// `NETNS_NEIGH_PROXY` in `flags` for a proxy entry). Errors:
/// `NETNS_NOT_FOUND` when there is none.
#[no_mangle]
pub extern "C" fn netns_neigh_del(
    h: *mut netns_handle,
    dst: *const c_char,
    dev: *const c_char,
    flags: u32,
) -> netns_result {
    let null = std::ptr::null();
    change(
        "netns_neigh_del",
        h,
        (dst, dev, null, null, flags),
        Handle::neigh_del,
    )
}

/// One neighbour entry. Borrowed from its iterator, or owned when it came
/// from `netns_neigh_get` (free that one with `netns_neigh_free`).
pub struct netns_neigh {
    family: c_int,
    dst: Option<CString>,
    dev: Option<CString>,
    ifindex: u32,
    mac: Option<CString>,
    state: u16,
    flags: u8,
    line: CString,
}

impl netns_neigh {
    /// The entry, its device named from `names`.
    pub(crate) fn of(n: &Neighbour, names: &BTreeMap<u32, String>) -> netns_neigh {
        let dev = names.get(&n.ifindex).map(String::as_str);
        netns_neigh {
            family: n.family.map_or(0, |f| c_int::from(f.to_raw())),
            dst: n.dst.map(|d| c_string(d.to_string())),
            dev: dev.map(c_string),
            ifindex: n.ifindex,
            mac: n
                .mac
                .as_deref()
                .map(|l| c_string(HwAddr::new(LinkType::ETHER, l).to_string())),
            state: n.state.bits(),
            flags: n.flags,
            line: c_string(n.display(dev).to_string()),
        }
    }
}

/// The neighbours of `netns_neighs`: a snapshot taken by the call. Free
/// with `netns_neigh_iter_free`.
pub struct netns_neigh_iter {
    items: Vec<netns_neigh>,
    next: usize,
}

/// The filter of C arguments.
fn filter(family: c_int, dev: *const c_char, flags: u32) -> Result<NeighFilter, Failure> {
    let mut f = NeighFilter::new().proxy(flags & NETNS_NEIGH_PROXY != 0);
    if let Some(fam) = family_arg(family)? {
        f = f.family(fam);
    }
    if let Some(d) = opt_str_arg(dev, "dev")? {
        f = f.dev(Dev::from(d));
    }
    if flags & NETNS_NEIGH_ALL_STATES != 0 {
        f = f.all_states();
    }
    Ok(f)
}

/// Lists the neighbour entries (`ip neigh show`): of `family` (0 both,
/// `AF_INET`, `AF_INET6`), of link `dev` unless NULL; `flags`:
/// `NETNS_NEIGH_PROXY` for the proxy entries, `NETNS_NEIGH_ALL_STATES` for
/// every state. Writes an iterator to `*out`.
#[no_mangle]
pub extern "C" fn netns_neighs(
    h: *mut netns_handle,
    family: c_int,
    dev: *const c_char,
    flags: u32,
    out: *mut *mut netns_neigh_iter,
) -> netns_result {
    call("netns_neighs", || {
        let h = handle_arg(h)?;
        let f = filter(family, dev, flags)?;
        let out = out_arg(out, "out")?;
        let owned: Vec<Neighbour> = h.neighbours(&f)?.map(|n| n.to_owned()).collect();
        let names = if owned.is_empty() {
            BTreeMap::new()
        } else {
            h.interface_names()?
        };
        let items = owned.iter().map(|n| netns_neigh::of(n, &names)).collect();
        out.set(into_raw(netns_neigh_iter { items, next: 0 }));
        Ok(())
    })
}

/// Deletes the neighbour entries `netns_neighs` with the same arguments
/// would list (`ip neigh flush`); writes how many went to `*flushed`
/// unless it is NULL.
#[no_mangle]
pub extern "C" fn netns_neigh_flush(
    h: *mut netns_handle,
    family: c_int,
    dev: *const c_char,
    flags: u32,
    flushed: *mut usize,
) -> netns_result {
    call("netns_neigh_flush", || {
        let h = handle_arg(h)?;
        let f = filter(family, dev, flags)?;
        let n = h.neigh_flush(&f)?;
        if let Some(out) = opt_out(flushed) {
            out.set(n);
        }
        Ok(())
    })
}

/// The neighbour entry `dst` on `dev` (`ip neigh get`: one
/// `RTM_GETNEIGH`); `NETNS_NEIGH_PROXY` in `flags` for a proxy entry.
/// Writes an entry to `*out`, freed with `netns_neigh_free`. Errors:
/// `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_neigh_get(
    h: *mut netns_handle,
    dst: *const c_char,
    dev: *const c_char,
    flags: u32,
    out: *mut *mut netns_neigh,
) -> netns_result {
    call("netns_neigh_get", || {
        let h = handle_arg(h)?;
        let s = spec(dst, dev, std::ptr::null(), std::ptr::null(), flags)?;
        let out = out_arg(out, "out")?;
        let n = h.neigh_get(s.dst, &s.dev, flags & NETNS_NEIGH_PROXY != 0)?;
        let names = h.interface_names()?;
        out.set(into_raw(netns_neigh::of(&n, &names)));
        Ok(())
    })
}

/// Frees an entry from `netns_neigh_get` (never one from an iterator).
/// NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_neigh_free(n: *mut netns_neigh) {
    guard((), || free(n))
}

/// The next entry, or NULL at the end (or for NULL). Valid until the iterator is freed.
#[no_mangle]
pub extern "C" fn netns_neigh_iter_next(it: *mut netns_neigh_iter) -> *const netns_neigh {
    guard(std::ptr::null(), || match mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many entries the iterator holds in all (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_neigh_iter_len(it: *const netns_neigh_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Frees the iterator and its entries. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_neigh_iter_free(it: *mut netns_neigh_iter) {
    guard((), || free(it))
}

/// The family (`AF_INET`, `AF_INET6`; 0 for NULL).
#[no_mangle]
pub extern "C" fn netns_neigh_family(n: *const netns_neigh) -> c_int {
    guard(0, || opt_ref(n).map_or(0, |n| n.family))
}

/// The neighbour's address as text, or NULL.
#[no_mangle]
pub extern "C" fn netns_neigh_dst(n: *const netns_neigh) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(n).map_or(std::ptr::null(), |n| opt_c_ptr(&n.dst))
    })
}

/// The interface name, or NULL when unknown.
#[no_mangle]
pub extern "C" fn netns_neigh_dev(n: *const netns_neigh) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(n).map_or(std::ptr::null(), |n| opt_c_ptr(&n.dev))
    })
}

/// The interface index (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_neigh_ifindex(n: *const netns_neigh) -> u32 {
    guard(0, || opt_ref(n).map_or(0, |n| n.ifindex))
}

/// The link-layer address (`"02:00:00:00:00:01"`), or NULL.
#[no_mangle]
pub extern "C" fn netns_neigh_mac(n: *const netns_neigh) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(n).map_or(std::ptr::null(), |n| opt_c_ptr(&n.mac))
    })
}

/// The `NUD_*` state bits (`0x80` permanent, `0x02` reachable …).
#[no_mangle]
pub extern "C" fn netns_neigh_state(n: *const netns_neigh) -> u16 {
    guard(0, || opt_ref(n).map_or(0, |n| n.state))
}

/// The `NTF_*` flags (`0x08` proxy, `0x80` router).
#[no_mangle]
pub extern "C" fn netns_neigh_flags(n: *const netns_neigh) -> u8 {
    guard(0, || opt_ref(n).map_or(0, |n| n.flags))
}

/// The entry as `ip neigh show` prints it (`"10.0.0.2 dev veth0 lladdr
/// 02:00:00:00:00:02 PERMANENT"`). NULL for NULL.
#[no_mangle]
pub extern "C" fn netns_neigh_line(n: *const netns_neigh) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(n).map_or(std::ptr::null(), |n| n.line.as_ptr())
    })
}

/// `netns_neigh_add`, accepting an identical existing entry (`exist_ok`):
/// writes whether it was added to `*added` unless NULL.
///
/// Errors: as `netns_neigh_add`; `NETNS_ALREADY_EXISTS` when the existing
/// entry differs (the message names the field: `it exists with lladdr …`).
#[no_mangle]
pub extern "C" fn netns_neigh_add_exist_ok(
    h: *mut netns_handle,
    dst: *const c_char,
    dev: *const c_char,
    mac: *const c_char,
    state: *const c_char,
    flags: u32,
    added: *mut bool,
) -> netns_result {
    call("netns_neigh_add_exist_ok", || {
        let h = handle_arg(h)?;
        let s = spec(dst, dev, mac, state, flags)?;
        let a = h.neigh_add_exist_ok(&s)?;
        if let Some(out) = opt_out(added) {
            out.set(a);
        }
        Ok(())
    })
}

/// `netns_neigh_del`, accepting a missing entry (`missing_ok`): writes
/// whether one was deleted to `*deleted` unless NULL.
#[no_mangle]
pub extern "C" fn netns_neigh_del_missing_ok(
    h: *mut netns_handle,
    dst: *const c_char,
    dev: *const c_char,
    flags: u32,
    deleted: *mut bool,
) -> netns_result {
    call("netns_neigh_del_missing_ok", || {
        let h = handle_arg(h)?;
        let s = spec(dst, dev, std::ptr::null(), std::ptr::null(), flags)?;
        let d = h.neigh_del_missing_ok(&s)?;
        if let Some(out) = opt_out(deleted) {
            out.set(d);
        }
        Ok(())
    })
}
