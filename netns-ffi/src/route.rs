//! Routes: add, delete, list.

use std::ffi::{c_char, c_int, CString};
use std::net::IpAddr;

use netns_core::route::{RouteRef, RouteSpec, RouteTable};

use crate::addr::family_arg;
use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_ref, opt_str_arg, out_arg};
use crate::registry::next_of;
use crate::{c_string, opt_c_ptr};

/// The route described by C arguments: `dst` NULL or `"default"` for the
/// default route, else a prefix; `gateway` and `dev` optional.
fn spec(
    dst: *const c_char,
    gateway: *const c_char,
    dev: *const c_char,
) -> Result<RouteSpec, Failure> {
    let mut route = match opt_str_arg(dst, "dst")? {
        None => RouteSpec::default_route(),
        Some(dst) => RouteSpec::towards(dst)?,
    };
    if let Some(gw) = opt_str_arg(gateway, "gateway")? {
        let ip: IpAddr = gw
            .parse()
            .map_err(|_| Failure::invalid(&format!("gateway {gw:?}"), "not an IP address"))?;
        route = route.via(ip);
    }
    if let Some(dev) = opt_str_arg(dev, "dev")? {
        route = route.dev(dev);
    }
    Ok(route)
}

/// Adds a route to the main table, as `ip route add DST [via GATEWAY] [dev
/// DEV]` (`RTM_NEWROUTE`): `dst` is a prefix (`"10.2.0.0/16"`) or NULL /
/// `"default"`; `gateway` (`"10.1.1.2"`) and `dev` may be NULL.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed prefix or gateway, or
/// when both `gateway` and `dev` are NULL (a route needs one); `NETNS_NOT_FOUND`
/// for no such link; `NETNS_ALREADY_EXISTS`; the kernel's
/// refusal with its text (`Network is unreachable (kernel: Nexthop has
/// invalid gateway)`).
#[no_mangle]
pub extern "C" fn netns_route_add(
    h: *mut netns_handle,
    dst: *const c_char,
    gateway: *const c_char,
    dev: *const c_char,
) -> netns_result {
    call("netns_route_add", || {
        let h = handle_arg(h)?;
        let route = spec(dst, gateway, dev)?;
        h.route_add(&route)?;
        Ok(())
    })
}

/// Deletes the first route matching `dst` / `gateway` / `dev` (as for
/// `netns_route_add`; NULL `gateway` and `dev` match any), as `ip route del`.
///
/// Errors: `NETNS_NOT_FOUND` when no route matches.
#[no_mangle]
pub extern "C" fn netns_route_del(
    h: *mut netns_handle,
    dst: *const c_char,
    gateway: *const c_char,
    dev: *const c_char,
) -> netns_result {
    call("netns_route_del", || {
        let h = handle_arg(h)?;
        let route = spec(dst, gateway, dev)?;
        h.route_del(&route)?;
        Ok(())
    })
}

/// One route of a `netns_route_iter`. Borrowed from the iterator.
pub struct netns_route {
    family: c_int,
    dst: CString,
    dst_len: u8,
    gateway: Option<CString>,
    oif: u32,
    table: u32,
    protocol: u8,
    scope: u8,
    kind: u8,
    metric: u32,
    prefsrc: Option<CString>,
}

impl netns_route {
    fn snapshot(r: &RouteRef<'_>) -> netns_route {
        let dst = match r.destination() {
            Some(net) if r.dst_len() > 0 => net.to_string(),
            _ => "default".to_string(),
        };
        netns_route {
            family: c_int::from(r.family_raw()),
            dst: c_string(dst),
            dst_len: r.dst_len(),
            gateway: r.gateway().map(|g| c_string(g.to_string())),
            oif: r.oif().unwrap_or(0),
            table: r.table(),
            protocol: r.protocol(),
            scope: r.scope(),
            kind: r.kind(),
            metric: r.metric().unwrap_or(0),
            prefsrc: r.prefsrc().map(|p| c_string(p.to_string())),
        }
    }
}

/// The routes of `netns_routes`, in the kernel's order: a snapshot taken by
/// the call. Free with `netns_route_iter_free`.
pub struct netns_route_iter {
    items: Vec<netns_route>,
    next: usize,
}

/// Lists the routes of the handle's namespace, filtered by the kernel:
/// `table` (254 = main, as `ip route`; 0 = every table) and `family` (0 =
/// both, `AF_INET`, `AF_INET6`). Writes an iterator to `*out`.
#[no_mangle]
pub extern "C" fn netns_routes(
    h: *mut netns_handle,
    family: c_int,
    table: u32,
    out: *mut *mut netns_route_iter,
) -> netns_result {
    call("netns_routes", || {
        let h = handle_arg(h)?;
        let family = family_arg(family)?;
        let out = out_arg(out, "out")?;
        let items = h
            .routes(RouteTable::new(table), family)?
            .filter(|r| table == 0 || r.table() == table)
            .map(|r| netns_route::snapshot(&r))
            .collect();
        out.set(into_raw(netns_route_iter { items, next: 0 }));
        Ok(())
    })
}

/// The next route, or NULL at the end (or for NULL). Valid until the iterator is freed.
#[no_mangle]
pub extern "C" fn netns_route_iter_next(it: *mut netns_route_iter) -> *const netns_route {
    guard(std::ptr::null(), || match mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many routes the iterator holds in all (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_route_iter_len(it: *const netns_route_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Frees the iterator and its routes. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_route_iter_free(it: *mut netns_route_iter) {
    guard((), || free(it))
}

/// The family (`AF_INET`, `AF_INET6`; 0 for NULL).
#[no_mangle]
pub extern "C" fn netns_route_family(r: *const netns_route) -> c_int {
    guard(0, || opt_ref(r).map_or(0, |r| r.family))
}

/// The destination as `ip route` prints it: `"10.1.1.0/24"`, a host
/// address with its length (`"10.1.1.1/32"`), or `"default"`. NULL for NULL.
#[no_mangle]
pub extern "C" fn netns_route_dst(r: *const netns_route) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(r).map_or(std::ptr::null(), |r| r.dst.as_ptr())
    })
}

/// The destination prefix length (0 for the default route).
#[no_mangle]
pub extern "C" fn netns_route_dst_len(r: *const netns_route) -> u8 {
    guard(0, || opt_ref(r).map_or(0, |r| r.dst_len))
}

/// The gateway as text, or NULL for a route without one.
#[no_mangle]
pub extern "C" fn netns_route_gateway(r: *const netns_route) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(r).map_or(std::ptr::null(), |r| opt_c_ptr(&r.gateway))
    })
}

/// The output interface index, or 0.
#[no_mangle]
pub extern "C" fn netns_route_oif(r: *const netns_route) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.oif))
}

/// The table id (254 main, 255 local).
#[no_mangle]
pub extern "C" fn netns_route_table(r: *const netns_route) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.table))
}

/// The protocol (`RTPROT_*`: 2 kernel, 3 boot, 4 static).
#[no_mangle]
pub extern "C" fn netns_route_protocol(r: *const netns_route) -> u8 {
    guard(0, || opt_ref(r).map_or(0, |r| r.protocol))
}

/// The scope (`RT_SCOPE_*`: 0 universe, 253 link, 254 host).
#[no_mangle]
pub extern "C" fn netns_route_scope(r: *const netns_route) -> u8 {
    guard(0, || opt_ref(r).map_or(0, |r| r.scope))
}

/// The route type (`RTN_*`: 1 unicast, 2 local, 3 broadcast…).
#[no_mangle]
pub extern "C" fn netns_route_type(r: *const netns_route) -> u8 {
    guard(0, || opt_ref(r).map_or(0, |r| r.kind))
}

/// The metric (priority), or 0 when the kernel sent none.
#[no_mangle]
pub extern "C" fn netns_route_metric(r: *const netns_route) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.metric))
}

/// The preferred source address as text, or NULL.
#[no_mangle]
pub extern "C" fn netns_route_prefsrc(r: *const netns_route) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(r).map_or(std::ptr::null(), |r| opt_c_ptr(&r.prefsrc))
    })
}
