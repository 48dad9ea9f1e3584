//! Routes: add, delete, list, look up (`netns_route_get`), flush; every
//! attribute of a listed route, its multipath paths included. The builder
//! of routes with every attribute is in `route_spec.rs`.

use std::ffi::{c_char, c_int, CString};

use netns_core::link::Dev;
use netns_core::route::{self, Route, RouteFilter, RouteQuery, RouteSpec, RouteTable};

use crate::addr::family_arg;
use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_out, opt_ref, opt_str_arg, out_arg};
use crate::registry::next_of;
use crate::route_spec::{ip_arg, named_arg};
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
    if !gateway.is_null() {
        route = route.via(ip_arg(gateway, "gateway")?);
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
    iif: u32,
    flags: u32,
    mtu: u32,
    advmss: u32,
    nhid: u32,
    nexthops: Vec<Path>,
}

/// One path of a multipath route, as C reads it.
struct Path {
    gateway: Option<CString>,
    oif: u32,
    weight: u32,
    flags: u32,
}

impl netns_route {
    /// A route of an owned core route (events' resync).
    pub(crate) fn from_owned(r: &Route) -> netns_route {
        netns_route::snapshot(r, r.family.map_or(0, |f| c_int::from(f.to_raw())))
    }

    pub(crate) fn snapshot(r: &Route, family: c_int) -> netns_route {
        let dst = match r.destination {
            Some(net) if r.dst_len > 0 => net.to_string(),
            _ => "default".to_string(),
        };
        let nexthops = r
            .nexthops
            .iter()
            .map(|h| Path {
                gateway: h.gateway.map(|g| c_string(g.to_string())),
                oif: match h.dev {
                    Some(Dev::Index(i)) => i.get(),
                    _ => 0,
                },
                weight: u32::from(h.weight.unwrap_or(1)),
                flags: h.flags,
            })
            .collect();
        netns_route {
            family,
            dst: c_string(dst),
            dst_len: r.dst_len,
            gateway: r.gateway.map(|g| c_string(g.to_string())),
            oif: r.oif.unwrap_or(0),
            table: r.table,
            protocol: r.protocol,
            scope: r.scope,
            kind: r.kind,
            metric: r.metric.unwrap_or(0),
            prefsrc: r.prefsrc.map(|p| c_string(p.to_string())),
            iif: r.iif.unwrap_or(0),
            flags: r.flags,
            mtu: r.mtu.unwrap_or(0),
            advmss: r.advmss.unwrap_or(0),
            nhid: r.nhid.unwrap_or(0),
            nexthops,
        }
    }

    /// Path `i`, when there is one.
    fn path<'a>(r: *const netns_route, i: usize) -> Option<&'a Path> {
        opt_ref::<'a>(r).and_then(|r| r.nexthops.get(i))
    }
}

/// The routes of `netns_routes`, in the kernel's order: a snapshot taken by
/// the call. Free with `netns_route_iter_free`.
pub struct netns_route_iter {
    pub(crate) items: Vec<netns_route>,
    pub(crate) next: usize,
    pub(crate) consistent: bool,
}

/// Lists the routes of the handle's namespace, filtered by the kernel:
/// `table` (254 = main, as `ip route`; 0 = every table) and `family` (0 =
/// both, `AF_INET`, `AF_INET6`). Writes an iterator to `*out`;
/// `netns_route_iter_consistent` says whether the kernel's dump was consistent.
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
        let routes = h.routes(RouteTable::new(table), family)?;
        let consistent = routes.is_consistent();
        let items = routes
            .filter(|r| table == 0 || r.table() == table)
            .map(|r| netns_route::snapshot(&r.to_owned(), c_int::from(r.family_raw())))
            .collect();
        out.set(into_raw(netns_route_iter {
            items,
            next: 0,
            consistent,
        }));
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

/// Whether the dump behind the iterator was consistent: false when the
/// kernel interrupted it (`NLM_F_DUMP_INTR`, its routes changed while it ran)
/// on every attempt, so that the routes are the last attempt's and some may be
/// missing or listed twice (`ip` then warns "Dump was interrupted and may be
/// inconsistent"). The listing call itself still returns `NETNS_OK`. True
/// for NULL.
#[no_mangle]
pub extern "C" fn netns_route_iter_consistent(it: *const netns_route_iter) -> bool {
    guard(true, || opt_ref(it).is_none_or(|it| it.consistent))
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

/// The incoming interface index (`RTA_IIF`, in an answer of
/// `netns_route_get` with `iif`), or 0.
#[no_mangle]
pub extern "C" fn netns_route_iif(r: *const netns_route) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.iif))
}

/// The flags (`rtm_flags`: `RTNH_F_ONLINK` 4, `RTNH_F_LINKDOWN` 16,
/// `RTM_F_CLONED` 0x200 …), 0 for NULL.
#[no_mangle]
pub extern "C" fn netns_route_flags(r: *const netns_route) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.flags))
}

/// The path MTU metric (`mtu`, `RTAX_MTU`), or 0 when not set.
#[no_mangle]
pub extern "C" fn netns_route_mtu(r: *const netns_route) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.mtu))
}

/// The advertised MSS metric (`advmss`, `RTAX_ADVMSS`), or 0 when not set.
#[no_mangle]
pub extern "C" fn netns_route_advmss(r: *const netns_route) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.advmss))
}

/// The nexthop object the route uses (`nhid`), or 0.
#[no_mangle]
pub extern "C" fn netns_route_nhid(r: *const netns_route) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.nhid))
}

/// How many paths a multipath route has (`RTA_MULTIPATH`); 0 for a route
/// with one path (its gateway and device are the route's own) and for NULL.
#[no_mangle]
pub extern "C" fn netns_route_nexthop_count(r: *const netns_route) -> usize {
    guard(0, || opt_ref(r).map_or(0, |r| r.nexthops.len()))
}

/// The gateway of path `i` as text, or NULL (no gateway, no such path).
#[no_mangle]
pub extern "C" fn netns_route_nexthop_gateway(r: *const netns_route, i: usize) -> *const c_char {
    guard(std::ptr::null(), || {
        netns_route::path(r, i).map_or(std::ptr::null(), |p| opt_c_ptr(&p.gateway))
    })
}

/// The output interface index of path `i`, or 0.
#[no_mangle]
pub extern "C" fn netns_route_nexthop_oif(r: *const netns_route, i: usize) -> u32 {
    guard(0, || netns_route::path(r, i).map_or(0, |p| p.oif))
}

/// The weight of path `i` (1 to 256), or 0 for no such path.
#[no_mangle]
pub extern "C" fn netns_route_nexthop_weight(r: *const netns_route, i: usize) -> u32 {
    guard(0, || netns_route::path(r, i).map_or(0, |p| p.weight))
}

/// The flags of path `i` (`RTNH_F_ONLINK` 4, `RTNH_F_DEAD` 1,
/// `RTNH_F_LINKDOWN` 16), or 0.
#[no_mangle]
pub extern "C" fn netns_route_nexthop_flags(r: *const netns_route, i: usize) -> u32 {
    guard(0, || netns_route::path(r, i).map_or(0, |p| p.flags))
}

/// Looks up the route a packet to `dst` (an address) would take, as `ip
/// route get DST [from FROM] [iif IIF] [oif OIF] [mark MARK] [fibmatch]`
/// (`RTM_GETROUTE` for one address): `from`, `iif` and `oif` may be NULL,
/// `mark` 0 is no mark; `fibmatch` asks for the FIB entry that matched
/// instead of the resolved route. Writes an iterator holding that one route
/// to `*out` (read it with `netns_route_iter_next`, free it with
/// `netns_route_iter_free`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed address or families
/// mixed; `NETNS_NOT_FOUND` for no such device; the kernel's refusal when no
/// route matches (`NETNS_KERNEL`, errno `ENETUNREACH`).
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn netns_route_get(
    h: *mut netns_handle,
    dst: *const c_char,
    from: *const c_char,
    iif: *const c_char,
    oif: *const c_char,
    mark: u32,
    fibmatch: bool,
    out: *mut *mut netns_route_iter,
) -> netns_result {
    call("netns_route_get", || {
        let h = handle_arg(h)?;
        let out = out_arg(out, "out")?;
        let mut query = RouteQuery::to(ip_arg(dst, "dst")?).fibmatch(fibmatch);
        if !from.is_null() {
            query = query.from(ip_arg(from, "from")?);
        }
        if let Some(d) = opt_str_arg(iif, "iif")? {
            query = query.iif(d);
        }
        if let Some(d) = opt_str_arg(oif, "oif")? {
            query = query.oif(d);
        }
        if mark != 0 {
            query = query.mark(mark);
        }
        let r = h.route_get(&query)?;
        let family = r.family.map_or(0, |f| c_int::from(f.to_raw()));
        let items = vec![netns_route::snapshot(&r, family)];
        out.set(into_raw(netns_route_iter {
            items,
            next: 0,
            consistent: true,
        }));
        Ok(())
    })
}

/// Deletes the routes of `table` (254 = main; 0 = every table) out of
/// `dev` (NULL = any) of `family` (0 = both, `AF_INET`, `AF_INET6`) with
/// protocol `protocol` and route type `kind` (each a name as `ip` takes it,
/// `"static"`, `"blackhole"` …, or a number; NULL = any), as `ip route
/// flush [table T] [dev D] [proto P] [type T]` (one dump, one batch of
/// deletes; cached routes are left alone). Writes how many were deleted to
/// `*removed` when it is not NULL.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for an unknown protocol or type name
/// (nothing deleted); `NETNS_NOT_FOUND` for no such device (nothing
/// deleted); a delete's refusal.
#[no_mangle]
pub extern "C" fn netns_route_flush(
    h: *mut netns_handle,
    table: u32,
    dev: *const c_char,
    family: c_int,
    protocol: *const c_char,
    kind: *const c_char,
    removed: *mut usize,
) -> netns_result {
    call("netns_route_flush", || {
        let h = handle_arg(h)?;
        let mut filter = RouteFilter::new();
        match RouteTable::new(table) {
            Some(t) => filter = filter.table(t),
            None => filter.all_tables = true,
        }
        if let Some(d) = opt_str_arg(dev, "dev")? {
            filter = filter.dev(d);
        }
        filter.family = family_arg(family)?;
        if !protocol.is_null() {
            filter.protocol = Some(named_arg(protocol, "protocol", route::parse_protocol)?);
        }
        if !kind.is_null() {
            filter.kind = Some(named_arg(kind, "route type", route::parse_type)?);
        }
        let n = h.route_flush(&filter)?;
        if let Some(out) = opt_out(removed) {
            out.set(n);
        }
        Ok(())
    })
}
