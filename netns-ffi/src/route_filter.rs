//! Route selection as `ip route show|flush` selects: a `netns_route_filter`
//! (the core's `RouteFilter`) for `netns_routes_matching` and
//! `netns_route_flush_matching`.

use std::ffi::{c_char, c_int};

use netns_core::route::{self, RouteFilter, RouteTable};

use crate::addr::family_arg;
use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_out, opt_ref, out_arg, str_arg};
use crate::route::{netns_route, netns_route_iter};
use crate::route_spec::{ip_arg, named_arg};

/// Which routes to list or flush. Opaque; made by `netns_route_filter_new`
/// (table main, both families, every route), freed by
/// `netns_route_filter_free`. Each selector set must match.
pub struct netns_route_filter {
    inner: RouteFilter,
}

/// A new filter: the routes of table main, both families. Writes it to `*out`.
#[no_mangle]
pub extern "C" fn netns_route_filter_new(out: *mut *mut netns_route_filter) -> netns_result {
    call("netns_route_filter_new", || {
        out_arg(out, "out")?.set(into_raw(netns_route_filter {
            inner: RouteFilter::new(),
        }));
        Ok(())
    })
}

/// Frees the filter. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_route_filter_free(filter: *mut netns_route_filter) {
    guard((), || free(filter))
}

fn set(
    function: &'static str,
    filter: *mut netns_route_filter,
    f: impl FnOnce(&mut RouteFilter) -> Result<(), Failure>,
) -> netns_result {
    call(function, || f(&mut mut_arg(filter, "filter")?.inner))
}

/// `table T` (254 = main; 0 = every table, `table all`).
#[no_mangle]
pub extern "C" fn netns_route_filter_table(
    filter: *mut netns_route_filter,
    table: u32,
) -> netns_result {
    set("netns_route_filter_table", filter, |f| {
        match RouteTable::new(table) {
            Some(t) => *f = std::mem::take(f).table(t),
            None => f.all_tables = true,
        }
        Ok(())
    })
}

/// The family: 0 (both), `AF_INET` or `AF_INET6`.
#[no_mangle]
pub extern "C" fn netns_route_filter_family(
    filter: *mut netns_route_filter,
    family: c_int,
) -> netns_result {
    set("netns_route_filter_family", filter, |f| {
        f.family = family_arg(family)?;
        Ok(())
    })
}

/// `dev NAME`: the route's own output device (as ip, not a path's).
#[no_mangle]
pub extern "C" fn netns_route_filter_dev(
    filter: *mut netns_route_filter,
    dev: *const c_char,
) -> netns_result {
    set("netns_route_filter_dev", filter, |f| {
        *f = std::mem::take(f).dev(str_arg(dev, "dev")?);
        Ok(())
    })
}

/// `via ADDRESS`: the route's own gateway.
#[no_mangle]
pub extern "C" fn netns_route_filter_via(
    filter: *mut netns_route_filter,
    gateway: *const c_char,
) -> netns_result {
    set("netns_route_filter_via", filter, |f| {
        *f = std::mem::take(f).via(ip_arg(gateway, "gateway")?);
        Ok(())
    })
}

/// `protocol P`, `scope S` or `type T` (`what`: `"protocol"`, `"scope"`,
/// `"type"`), each a name as `ip` takes it or a number.
#[no_mangle]
pub extern "C" fn netns_route_filter_set(
    filter: *mut netns_route_filter,
    what: *const c_char,
    value: *const c_char,
) -> netns_result {
    set("netns_route_filter_set", filter, |f| {
        match str_arg(what, "what")? {
            "protocol" => f.protocol = Some(named_arg(value, "protocol", route::parse_protocol)?),
            "scope" => f.scope = Some(named_arg(value, "scope", route::parse_scope)?),
            "type" => f.kind = Some(named_arg(value, "route type", route::parse_type)?),
            other => {
                return Err(Failure::invalid(
                    &format!("route filter field {other:?}"),
                    "not protocol, scope or type",
                ))
            }
        }
        Ok(())
    })
}

/// `metric N`.
#[no_mangle]
pub extern "C" fn netns_route_filter_metric(
    filter: *mut netns_route_filter,
    metric: u32,
) -> netns_result {
    set("netns_route_filter_metric", filter, |f| {
        f.metric = Some(metric);
        Ok(())
    })
}

/// A prefix selector (`how`: `"root"`: routes inside `prefix`; `"match"`:
/// routes containing it; `"exact"`: that prefix only; `"src"`: routes
/// whose preferred source lies in it). `prefix` is `A/N`, an address, or
/// `"default"`.
#[no_mangle]
pub extern "C" fn netns_route_filter_prefix(
    filter: *mut netns_route_filter,
    how: *const c_char,
    prefix: *const c_char,
) -> netns_result {
    set("netns_route_filter_prefix", filter, |f| {
        let net = route::parse_selector(str_arg(prefix, "prefix")?)?;
        match str_arg(how, "how")? {
            "root" => f.root = Some(net),
            "match" => f.matching = Some(net),
            "exact" => f.exact = Some(net),
            "src" => f.src = Some(net),
            other => {
                return Err(Failure::invalid(
                    &format!("prefix selector {other:?}"),
                    "not root, match, exact or src",
                ))
            }
        }
        Ok(())
    })
}

/// The routes `filter` selects (NULL: table main, both families), as `ip
/// route show` lists them: one dump filtered by the kernel, the rest while
/// reading. Writes an iterator to `*out` (free it with
/// `netns_route_iter_free`); `netns_route_iter_consistent` says whether the
/// dump was consistent.
///
/// Errors: `NETNS_NOT_FOUND` for no such device or a table that does not
/// exist (as `ip route show table 7`).
#[no_mangle]
pub extern "C" fn netns_routes_matching(
    h: *mut netns_handle,
    filter: *const netns_route_filter,
    out: *mut *mut netns_route_iter,
) -> netns_result {
    call("netns_routes_matching", || {
        let h = handle_arg(h)?;
        let out = out_arg(out, "out")?;
        let default = RouteFilter::new();
        let filter = opt_ref(filter).map_or(&default, |f| &f.inner);
        let routes = h.routes_matching(filter)?;
        let consistent = routes.is_consistent();
        let items = routes
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

/// Deletes the routes `filter` selects (NULL: every route of table main),
/// as `ip route flush` (one dump, one batch of deletes). Writes how many were
/// deleted to `*removed` when it is not NULL.
///
/// Errors: as `netns_routes_matching`; a delete's refusal.
#[no_mangle]
pub extern "C" fn netns_route_flush_matching(
    h: *mut netns_handle,
    filter: *const netns_route_filter,
    removed: *mut usize,
) -> netns_result {
    call("netns_route_flush_matching", || {
        let h = handle_arg(h)?;
        let default = RouteFilter::new();
        let filter = opt_ref(filter).map_or(&default, |f| &f.inner);
        let n = h.route_flush(filter)?;
        if let Some(out) = opt_out(removed) {
            out.set(n);
        }
        Ok(())
    })
}
