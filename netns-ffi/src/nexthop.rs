//! Nexthop objects (`ip nexthop`): a `netns_nexthop_spec` built by setters
//! (each one builder call of the core's `NexthopSpec`), sent by
//! `netns_nexthop_add` / `netns_nexthop_replace`; delete, get, list and
//! flush by id or by the core's `NexthopFilter`. Routes use them with
//! `netns_route_spec_nhid`.

use std::collections::BTreeMap;
use std::ffi::{c_char, c_int, CString};

use netns_core::link::Dev;
use netns_core::nexthop::{
    parse_group, GroupMember, GroupType, Nexthop, NexthopFilter, NexthopSpec,
};
use netns_core::route;
use netns_core::Handle;

use crate::addr::family_arg;
use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{
    free, into_raw, mut_arg, opt_out, opt_ref, opt_str_arg, out_arg, ref_arg, str_arg,
};
use crate::registry::next_of;
use crate::route_spec::ip_arg;
use crate::{c_string, opt_c_ptr};

/// Listing and flushing: groups only (`ip nexthop show groups`).
pub const NETNS_NEXTHOP_GROUPS: u32 = 1;
/// Listing and flushing: fdb nexthops only (`ip nexthop show fdb`).
pub const NETNS_NEXTHOP_FDB: u32 = 2;

/// A nexthop object to add or replace, built by the `netns_nexthop_spec_*`
/// setters. Free with `netns_nexthop_spec_free`.
pub struct netns_nexthop_spec {
    spec: NexthopSpec,
}

/// Runs setter `function`: `f` changes the spec behind `spec`.
fn set(
    function: &'static str,
    spec: *mut netns_nexthop_spec,
    f: impl FnOnce(&mut NexthopSpec) -> Result<(), Failure>,
) -> netns_result {
    call(function, || {
        let s = mut_arg(spec, "spec")?;
        f(&mut s.spec)
    })
}

/// A new nexthop `id` (0: the kernel chooses one), nothing else yet: give
/// it a gateway and device, a device, `blackhole` or a group. Writes the
/// builder to `*out`.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_new(
    id: u32,
    out: *mut *mut netns_nexthop_spec,
) -> netns_result {
    call("netns_nexthop_spec_new", || {
        let out = out_arg(out, "out")?;
        out.set(into_raw(netns_nexthop_spec {
            spec: NexthopSpec::new(id),
        }));
        Ok(())
    })
}

/// Frees a nexthop builder. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_free(spec: *mut netns_nexthop_spec) {
    guard((), || free(spec))
}

/// `via GATEWAY` (`"10.0.0.1"`, `"fe80::1"`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed address.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_via(
    spec: *mut netns_nexthop_spec,
    gateway: *const c_char,
) -> netns_result {
    set("netns_nexthop_spec_via", spec, |s| {
        s.gateway = Some(ip_arg(gateway, "gateway")?);
        Ok(())
    })
}

/// `dev DEV`: the output device, by name (looked up when the nexthop is
/// sent).
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_dev(
    spec: *mut netns_nexthop_spec,
    dev: *const c_char,
) -> netns_result {
    set("netns_nexthop_spec_dev", spec, |s| {
        s.dev = Some(Dev::from(str_arg(dev, "dev")?));
        Ok(())
    })
}

/// `onlink`: the gateway is on the link even without a route to it.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_onlink(
    spec: *mut netns_nexthop_spec,
    onlink: bool,
) -> netns_result {
    set("netns_nexthop_spec_onlink", spec, |s| {
        s.onlink = onlink;
        Ok(())
    })
}

/// `blackhole`: drop what is routed through it (needs `lo` up).
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_blackhole(spec: *mut netns_nexthop_spec) -> netns_result {
    set("netns_nexthop_spec_blackhole", spec, |s| {
        s.blackhole = true;
        Ok(())
    })
}

/// `fdb`: a nexthop for the bridge fdb (VXLAN), not for routes.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_fdb(spec: *mut netns_nexthop_spec, fdb: bool) -> netns_result {
    set("netns_nexthop_spec_fdb", spec, |s| {
        s.fdb = fdb;
        Ok(())
    })
}

/// `group GROUP` as `ip nexthop` takes it: `"1/2"`, `"1,10/2,20"` (id,
/// weight 1 to 256). Replaces the members set so far.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed group.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_group(
    spec: *mut netns_nexthop_spec,
    group: *const c_char,
) -> netns_result {
    set("netns_nexthop_spec_group", spec, |s| {
        s.group = parse_group(str_arg(group, "group")?)?;
        Ok(())
    })
}

/// Adds member `id` with `weight` (1 to 256; 0 is taken as 1) to the group.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_member(
    spec: *mut netns_nexthop_spec,
    id: u32,
    weight: u16,
) -> netns_result {
    set("netns_nexthop_spec_member", spec, |s| {
        s.group.push(GroupMember::weighted(id, weight.max(1)));
        Ok(())
    })
}

/// `type TYPE`: `"mpath"` or `"resilient"`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another word.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_group_type(
    spec: *mut netns_nexthop_spec,
    kind: *const c_char,
) -> netns_result {
    set("netns_nexthop_spec_group_type", spec, |s| {
        s.group_type = Some(str_arg(kind, "kind")?.parse::<GroupType>()?);
        Ok(())
    })
}

/// A resilient group's `buckets` (makes the group resilient).
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_buckets(
    spec: *mut netns_nexthop_spec,
    buckets: u16,
) -> netns_result {
    set("netns_nexthop_spec_buckets", spec, |s| {
        s.group_type = Some(GroupType::Resilient);
        s.resilient.buckets = Some(buckets);
        Ok(())
    })
}

/// A resilient group's `idle_timer` and `unbalanced_timer`, in seconds
/// (makes the group resilient; 0 for `unbalanced` leaves it unset).
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_timers(
    spec: *mut netns_nexthop_spec,
    idle: u32,
    unbalanced: u32,
) -> netns_result {
    set("netns_nexthop_spec_timers", spec, |s| {
        s.group_type = Some(GroupType::Resilient);
        s.resilient.idle_timer = Some(idle);
        s.resilient.unbalanced_timer = (unbalanced != 0).then_some(unbalanced);
        Ok(())
    })
}

/// `proto PROTOCOL`: a name (`"static"`, `"bird"` …) or a number.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for an unknown name.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_protocol(
    spec: *mut netns_nexthop_spec,
    protocol: *const c_char,
) -> netns_result {
    set("netns_nexthop_spec_protocol", spec, |s| {
        let text = str_arg(protocol, "protocol")?;
        s.protocol = Some(
            route::parse_protocol(text)
                .ok_or_else(|| Failure::invalid(&format!("protocol {text:?}"), "unknown name"))?,
        );
        Ok(())
    })
}

/// The family (`AF_INET`, `AF_INET6`; 0: the gateway's, else IPv4), as
/// `ip -4`/`-6 nexthop add`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another family.
#[no_mangle]
pub extern "C" fn netns_nexthop_spec_family(
    spec: *mut netns_nexthop_spec,
    family: c_int,
) -> netns_result {
    set("netns_nexthop_spec_family", spec, |s| {
        s.family = family_arg(family)?;
        Ok(())
    })
}

fn send(
    function: &'static str,
    h: *mut netns_handle,
    spec: *const netns_nexthop_spec,
    op: fn(&mut Handle, &NexthopSpec) -> netns_core::Result<()>,
) -> netns_result {
    call(function, || {
        let h = handle_arg(h)?;
        let s = ref_arg(spec, "spec")?;
        op(h, &s.spec)?;
        Ok(())
    })
}

/// Adds the nexthop (`ip nexthop add`: `RTM_NEWNEXTHOP` with
/// `NLM_F_CREATE|NLM_F_EXCL`). The spec is not consumed.
///
/// Errors: `NETNS_INVALID_ARGUMENT` (checked before the kernel, or the
/// kernel's refusal, e.g. a group member that does not exist);
/// `NETNS_NOT_FOUND` for no such device; `NETNS_ALREADY_EXISTS`.
#[no_mangle]
pub extern "C" fn netns_nexthop_add(
    h: *mut netns_handle,
    spec: *const netns_nexthop_spec,
) -> netns_result {
    send("netns_nexthop_add", h, spec, Handle::nexthop_add)
}

/// Adds or replaces the nexthop (`ip nexthop replace`); routes using it
/// follow.
#[no_mangle]
pub extern "C" fn netns_nexthop_replace(
    h: *mut netns_handle,
    spec: *const netns_nexthop_spec,
) -> netns_result {
    send("netns_nexthop_replace", h, spec, Handle::nexthop_replace)
}

/// Deletes nexthop `id` (`ip nexthop del id ID`). Errors:
/// `NETNS_NOT_FOUND` when there is none; `NETNS_INVALID_ARGUMENT` for 0.
#[no_mangle]
pub extern "C" fn netns_nexthop_del(h: *mut netns_handle, id: u32) -> netns_result {
    call("netns_nexthop_del", || {
        handle_arg(h)?.nexthop_del(id)?;
        Ok(())
    })
}

/// One nexthop object. Borrowed from its iterator, or owned when it came
/// from `netns_nexthop_get` (free that one with `netns_nexthop_free`).
pub struct netns_nexthop {
    nexthop: Nexthop,
    gateway: Option<CString>,
    dev: Option<CString>,
    line: CString,
}

impl netns_nexthop {
    fn of(n: Nexthop, names: &BTreeMap<u32, String>) -> netns_nexthop {
        let dev = n.oif.and_then(|i| names.get(&i)).map(String::as_str);
        let line = c_string(n.display(dev).to_string());
        netns_nexthop {
            gateway: n.gateway.map(|g| c_string(g.to_string())),
            dev: dev.map(c_string),
            line,
            nexthop: n,
        }
    }
}

/// The nexthops of `netns_nexthops`: a snapshot taken by the call. Free
/// with `netns_nexthop_iter_free`.
pub struct netns_nexthop_iter {
    items: Vec<netns_nexthop>,
    next: usize,
}

/// The filter of C arguments.
fn filter(family: c_int, dev: *const c_char, flags: u32) -> Result<NexthopFilter, Failure> {
    let mut f = NexthopFilter::new()
        .groups(flags & NETNS_NEXTHOP_GROUPS != 0)
        .fdb(flags & NETNS_NEXTHOP_FDB != 0);
    if let Some(fam) = family_arg(family)? {
        f = f.family(fam);
    }
    if let Some(d) = opt_str_arg(dev, "dev")? {
        f = f.dev(Dev::from(d));
    }
    Ok(f)
}

/// Lists nexthop objects (`ip nexthop show`): of `family` (0 every),
/// out of link `dev` unless NULL; `flags` ORs `NETNS_NEXTHOP_GROUPS` and
/// `NETNS_NEXTHOP_FDB`. The kernel filters. Writes an iterator to `*out`.
#[no_mangle]
pub extern "C" fn netns_nexthops(
    h: *mut netns_handle,
    family: c_int,
    dev: *const c_char,
    flags: u32,
    out: *mut *mut netns_nexthop_iter,
) -> netns_result {
    call("netns_nexthops", || {
        let h = handle_arg(h)?;
        let f = filter(family, dev, flags)?;
        let out = out_arg(out, "out")?;
        let owned: Vec<Nexthop> = h.nexthops(&f)?.map(|n| n.to_owned()).collect();
        let names = if owned.iter().any(|n| n.oif.is_some()) {
            h.interface_names()?
        } else {
            BTreeMap::new()
        };
        let items = owned
            .into_iter()
            .map(|n| netns_nexthop::of(n, &names))
            .collect();
        out.set(into_raw(netns_nexthop_iter { items, next: 0 }));
        Ok(())
    })
}

/// Deletes the nexthops `netns_nexthops` with the same arguments would
/// list, groups first when all are selected (`ip nexthop flush`); writes
/// how many went to `*flushed` unless it is NULL.
#[no_mangle]
pub extern "C" fn netns_nexthop_flush(
    h: *mut netns_handle,
    family: c_int,
    dev: *const c_char,
    flags: u32,
    flushed: *mut usize,
) -> netns_result {
    call("netns_nexthop_flush", || {
        let h = handle_arg(h)?;
        let f = filter(family, dev, flags)?;
        let n = h.nexthop_flush(&f)?;
        if let Some(out) = opt_out(flushed) {
            out.set(n);
        }
        Ok(())
    })
}

/// Nexthop `id` (`ip nexthop get id ID`: one `RTM_GETNEXTHOP`). Writes it
/// to `*out`, freed with `netns_nexthop_free`. Errors: `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_nexthop_get(
    h: *mut netns_handle,
    id: u32,
    out: *mut *mut netns_nexthop,
) -> netns_result {
    call("netns_nexthop_get", || {
        let h = handle_arg(h)?;
        let out = out_arg(out, "out")?;
        let n = h.nexthop_get(id)?;
        let names = if n.oif.is_some() {
            h.interface_names()?
        } else {
            BTreeMap::new()
        };
        out.set(into_raw(netns_nexthop::of(n, &names)));
        Ok(())
    })
}

/// Frees a nexthop from `netns_nexthop_get` (never one from an iterator).
/// NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_nexthop_free(n: *mut netns_nexthop) {
    guard((), || free(n))
}

/// The next nexthop, or NULL at the end (or for NULL). Valid until the
/// iterator is freed.
#[no_mangle]
pub extern "C" fn netns_nexthop_iter_next(it: *mut netns_nexthop_iter) -> *const netns_nexthop {
    guard(std::ptr::null(), || match mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many nexthops the iterator holds in all (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_nexthop_iter_len(it: *const netns_nexthop_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Frees the iterator and its nexthops. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_nexthop_iter_free(it: *mut netns_nexthop_iter) {
    guard((), || free(it))
}

/// The id (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_nexthop_id(n: *const netns_nexthop) -> u32 {
    guard(0, || opt_ref(n).map_or(0, |n| n.nexthop.id))
}

/// The gateway as text, or NULL.
#[no_mangle]
pub extern "C" fn netns_nexthop_gateway(n: *const netns_nexthop) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(n).map_or(std::ptr::null(), |n| opt_c_ptr(&n.gateway))
    })
}

/// The output device's name, or NULL (none, or unknown).
#[no_mangle]
pub extern "C" fn netns_nexthop_dev(n: *const netns_nexthop) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(n).map_or(std::ptr::null(), |n| opt_c_ptr(&n.dev))
    })
}

/// The output device's index (0: none, or NULL).
#[no_mangle]
pub extern "C" fn netns_nexthop_oif(n: *const netns_nexthop) -> u32 {
    guard(0, || opt_ref(n).and_then(|n| n.nexthop.oif).unwrap_or(0))
}

/// Whether it is a blackhole.
#[no_mangle]
pub extern "C" fn netns_nexthop_is_blackhole(n: *const netns_nexthop) -> bool {
    guard(false, || opt_ref(n).is_some_and(|n| n.nexthop.blackhole))
}

/// Whether it is an fdb nexthop.
#[no_mangle]
pub extern "C" fn netns_nexthop_is_fdb(n: *const netns_nexthop) -> bool {
    guard(false, || opt_ref(n).is_some_and(|n| n.nexthop.fdb))
}

/// `nh_flags` (`RTNH_F_*`: 0x4 onlink, 0x1 dead, 0x10 linkdown).
#[no_mangle]
pub extern "C" fn netns_nexthop_flags(n: *const netns_nexthop) -> u32 {
    guard(0, || opt_ref(n).map_or(0, |n| n.nexthop.flags))
}

/// `nh_protocol`.
#[no_mangle]
pub extern "C" fn netns_nexthop_protocol(n: *const netns_nexthop) -> u8 {
    guard(0, || opt_ref(n).map_or(0, |n| n.nexthop.protocol))
}

/// `nh_family` (`AF_INET`, `AF_INET6`; 0 for a group or NULL).
#[no_mangle]
pub extern "C" fn netns_nexthop_family(n: *const netns_nexthop) -> c_int {
    guard(0, || {
        opt_ref(n)
            .and_then(|n| n.nexthop.family)
            .map_or(0, |f| c_int::from(f.to_raw()))
    })
}

/// How many members the group has (0: not a group, or NULL).
#[no_mangle]
pub extern "C" fn netns_nexthop_group_count(n: *const netns_nexthop) -> usize {
    guard(0, || opt_ref(n).map_or(0, |n| n.nexthop.group.len()))
}

/// Member `i`'s id (0 when out of range).
#[no_mangle]
pub extern "C" fn netns_nexthop_group_id(n: *const netns_nexthop, i: usize) -> u32 {
    guard(0, || {
        opt_ref(n)
            .and_then(|n| n.nexthop.group.get(i))
            .map_or(0, |m| m.id)
    })
}

/// Member `i`'s weight, 1 to 256 (0 when out of range).
#[no_mangle]
pub extern "C" fn netns_nexthop_group_weight(n: *const netns_nexthop, i: usize) -> u16 {
    guard(0, || {
        opt_ref(n)
            .and_then(|n| n.nexthop.group.get(i))
            .map_or(0, |m| m.weight)
    })
}

/// The group type: 0 `mpath`, 1 `resilient` (0 for a single nexthop).
#[no_mangle]
pub extern "C" fn netns_nexthop_group_type(n: *const netns_nexthop) -> u16 {
    guard(0, || opt_ref(n).map_or(0, |n| n.nexthop.group_type))
}

/// The nexthop as `ip nexthop show` prints it (`"id 1 via 10.0.0.1 dev
/// veth0 scope link"`, `"id 3 group 1/2"`, `"id 4 blackhole"`). NULL for
/// NULL.
#[no_mangle]
pub extern "C" fn netns_nexthop_line(n: *const netns_nexthop) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(n).map_or(std::ptr::null(), |n| n.line.as_ptr())
    })
}
