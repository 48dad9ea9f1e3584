//! The route builder: `netns_route_spec`, every attribute of a route
//! (`ip route add` takes them all), sent by `netns_route_add_spec`,
//! `netns_route_replace_spec` and `netns_route_del_spec`. Each setter is one
//! builder call of the core's `RouteSpec`; names (scope, protocol, type)
//! are read by the core's parsers, as `ip` reads them.

use std::ffi::{c_char, c_int};
use std::net::IpAddr;

use netns_core::route::{self, NextHop, RouteSpec, RouteTable};

use crate::addr::family_arg;
use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_str_arg, out_arg, ref_arg, str_arg};

/// A route to add, replace or delete, built by the `netns_route_spec_*`
/// setters. Free with `netns_route_spec_free`.
pub struct netns_route_spec {
    pub(crate) spec: RouteSpec,
}

/// An address argument (`what` names it in the error).
pub(crate) fn ip_arg(p: *const c_char, what: &'static str) -> Result<IpAddr, Failure> {
    let text = str_arg(p, what)?;
    text.parse()
        .map_err(|_| Failure::invalid(&format!("{what} {text:?}"), "not an IP address"))
}

/// A one-byte route field given as `ip` takes it: a name or a number.
pub(crate) fn named_arg(
    p: *const c_char,
    what: &'static str,
    parse: fn(&str) -> Option<u8>,
) -> Result<u8, Failure> {
    let text = str_arg(p, what)?;
    parse(text).ok_or_else(|| Failure::invalid(&format!("{what} {text:?}"), "unknown name"))
}

/// Runs setter `function`: `f` changes the spec behind `spec`.
fn set(
    function: &'static str,
    spec: *mut netns_route_spec,
    f: impl FnOnce(RouteSpec) -> Result<RouteSpec, Failure>,
) -> netns_result {
    call(function, || {
        let s = mut_arg(spec, "spec")?;
        s.spec = f(std::mem::take(&mut s.spec))?;
        Ok(())
    })
}

/// A new route to `dst`: a prefix (`"10.2.0.0/16"`, or an address for a
/// host route), or NULL / `"default"` for the default route. Protocol
/// `boot`, type `unicast`, table `main` and scope `link` for an IPv4 route
/// without a gateway (else `global`) unless set, as `ip route add` does.
/// Writes the builder to `*out`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed prefix.
#[no_mangle]
pub extern "C" fn netns_route_spec_new(
    dst: *const c_char,
    out: *mut *mut netns_route_spec,
) -> netns_result {
    call("netns_route_spec_new", || {
        let out = out_arg(out, "out")?;
        let spec = match opt_str_arg(dst, "dst")? {
            None => RouteSpec::default_route(),
            Some(dst) => RouteSpec::towards(dst)?,
        };
        out.set(into_raw(netns_route_spec { spec }));
        Ok(())
    })
}

/// Frees a route builder. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_route_spec_free(spec: *mut netns_route_spec) {
    guard((), || free(spec))
}

/// `via GATEWAY` (`"10.1.1.2"`, `"fe80::1"`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed address.
#[no_mangle]
pub extern "C" fn netns_route_spec_via(
    spec: *mut netns_route_spec,
    gateway: *const c_char,
) -> netns_result {
    set("netns_route_spec_via", spec, |s| {
        Ok(s.via(ip_arg(gateway, "gateway")?))
    })
}

/// `dev DEV`: the output device, by name (looked up when the route is sent).
#[no_mangle]
pub extern "C" fn netns_route_spec_dev(
    spec: *mut netns_route_spec,
    dev: *const c_char,
) -> netns_result {
    set("netns_route_spec_dev", spec, |s| {
        Ok(s.dev(str_arg(dev, "dev")?))
    })
}

/// `table ID` (254 main, 255 local, or any other id). Without it the
/// route goes to `main`, or to `local` for the types `ip` puts there
/// (`local`, `broadcast`, `anycast`, `nat`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for 0.
#[no_mangle]
pub extern "C" fn netns_route_spec_table(spec: *mut netns_route_spec, table: u32) -> netns_result {
    set("netns_route_spec_table", spec, |s| {
        let t = RouteTable::new(table)
            .ok_or_else(|| Failure::invalid("table", "0 is not a routing table"))?;
        Ok(s.table(t))
    })
}

/// `metric N` (the priority).
#[no_mangle]
pub extern "C" fn netns_route_spec_metric(
    spec: *mut netns_route_spec,
    metric: u32,
) -> netns_result {
    set("netns_route_spec_metric", spec, |s| Ok(s.metric(metric)))
}

/// `src ADDR`: the preferred source address.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed address.
#[no_mangle]
pub extern "C" fn netns_route_spec_src(
    spec: *mut netns_route_spec,
    src: *const c_char,
) -> netns_result {
    set("netns_route_spec_src", spec, |s| {
        Ok(s.src(ip_arg(src, "src")?))
    })
}

/// `scope SCOPE`: a name as `ip` takes it (`"global"`, `"link"`, `"host"`)
/// or a number (`"253"`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for an unknown name.
#[no_mangle]
pub extern "C" fn netns_route_spec_scope(
    spec: *mut netns_route_spec,
    scope: *const c_char,
) -> netns_result {
    set("netns_route_spec_scope", spec, |s| {
        Ok(s.scope(named_arg(scope, "scope", route::parse_scope)?))
    })
}

/// `proto PROTOCOL`: a name (`"static"`, `"kernel"`, `"bird"` …) or a number.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for an unknown name.
#[no_mangle]
pub extern "C" fn netns_route_spec_protocol(
    spec: *mut netns_route_spec,
    protocol: *const c_char,
) -> netns_result {
    set("netns_route_spec_protocol", spec, |s| {
        Ok(s.protocol(named_arg(protocol, "protocol", route::parse_protocol)?))
    })
}

/// The route type: a name (`"unicast"`, `"local"`, `"broadcast"`,
/// `"blackhole"`, `"unreachable"`, `"prohibit"`, `"throw"`, `"nat"` …) or
/// a number. `local`, `broadcast`, `anycast` and `nat` routes go to table
/// `local` unless a table is set, as `ip` puts them.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for an unknown name.
#[no_mangle]
pub extern "C" fn netns_route_spec_type(
    spec: *mut netns_route_spec,
    kind: *const c_char,
) -> netns_result {
    set("netns_route_spec_type", spec, |s| {
        Ok(s.kind(named_arg(kind, "route type", route::parse_type)?))
    })
}

/// The family of a default route with no address to tell (`AF_INET6`
/// for `::/0`); 0 leaves it to the addresses (IPv4 when there are none).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another family.
#[no_mangle]
pub extern "C" fn netns_route_spec_family(
    spec: *mut netns_route_spec,
    family: c_int,
) -> netns_result {
    set("netns_route_spec_family", spec, |mut s| {
        s.family = family_arg(family)?;
        Ok(s)
    })
}

/// `mtu N`: the path MTU metric (`RTAX_MTU`).
#[no_mangle]
pub extern "C" fn netns_route_spec_mtu(spec: *mut netns_route_spec, mtu: u32) -> netns_result {
    set("netns_route_spec_mtu", spec, |s| Ok(s.mtu(mtu)))
}

/// `advmss N`: the advertised MSS metric (`RTAX_ADVMSS`).
#[no_mangle]
pub extern "C" fn netns_route_spec_advmss(
    spec: *mut netns_route_spec,
    advmss: u32,
) -> netns_result {
    set("netns_route_spec_advmss", spec, |s| Ok(s.advmss(advmss)))
}

/// `onlink`: the gateway is on the link even without a route to it.
#[no_mangle]
pub extern "C" fn netns_route_spec_onlink(
    spec: *mut netns_route_spec,
    onlink: bool,
) -> netns_result {
    set("netns_route_spec_onlink", spec, |s| Ok(s.onlink(onlink)))
}

/// `nhid ID`: the route uses nexthop object `id` (`ip nexthop`).
#[no_mangle]
pub extern "C" fn netns_route_spec_nhid(spec: *mut netns_route_spec, id: u32) -> netns_result {
    set("netns_route_spec_nhid", spec, |s| Ok(s.nhid(id)))
}

/// Adds a path of a multipath route, `nexthop [via GATEWAY] [dev DEV]
/// [weight N] [onlink]`: `gateway` and `dev` may be NULL (not both);
/// `weight` is 1 to 256, 0 for the default (1). Paths are sent in the
/// order they were added.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed gateway (a weight out
/// of range, or a path with neither gateway nor device, is refused when the
/// route is sent).
#[no_mangle]
pub extern "C" fn netns_route_spec_nexthop(
    spec: *mut netns_route_spec,
    gateway: *const c_char,
    dev: *const c_char,
    weight: u32,
    onlink: bool,
) -> netns_result {
    set("netns_route_spec_nexthop", spec, |s| {
        let mut hop = NextHop::default();
        if !gateway.is_null() {
            hop = NextHop::via(ip_arg(gateway, "gateway")?);
        }
        if let Some(d) = opt_str_arg(dev, "dev")? {
            hop = hop.dev(d);
        }
        if weight != 0 {
            let w = u16::try_from(weight)
                .map_err(|_| Failure::invalid("weight", "a weight is 1 to 256"))?;
            hop = hop.weight(w);
        }
        Ok(s.nexthop(hop.onlink(onlink)))
    })
}

/// Sends `spec` with `op` (a core handle method).
fn send(
    function: &'static str,
    h: *mut netns_handle,
    spec: *const netns_route_spec,
    op: fn(&mut netns_core::Handle, &RouteSpec) -> netns_core::Result<()>,
) -> netns_result {
    call(function, || {
        let h = handle_arg(h)?;
        let spec = ref_arg(spec, "spec")?;
        op(h, &spec.spec)?;
        Ok(())
    })
}

/// Adds the route `spec` describes (`RTM_NEWROUTE` with `NLM_F_CREATE |
/// NLM_F_EXCL`), as `ip route add`. The builder is left as it was (free it
/// with `netns_route_spec_free`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` (IPv4 and IPv6 mixed, a bad weight…)
/// before the kernel; `NETNS_NOT_FOUND` for no such device;
/// `NETNS_ALREADY_EXISTS`; the kernel's refusal with its text.
#[no_mangle]
pub extern "C" fn netns_route_add_spec(
    h: *mut netns_handle,
    spec: *const netns_route_spec,
) -> netns_result {
    send(
        "netns_route_add_spec",
        h,
        spec,
        netns_core::Handle::route_add,
    )
}

/// Adds or replaces the route `spec` describes (`NLM_F_CREATE |
/// NLM_F_REPLACE`), as `ip route replace`.
///
/// Errors: as `netns_route_add_spec` (without `NETNS_ALREADY_EXISTS`).
#[no_mangle]
pub extern "C" fn netns_route_replace_spec(
    h: *mut netns_handle,
    spec: *const netns_route_spec,
) -> netns_result {
    send(
        "netns_route_replace_spec",
        h,
        spec,
        netns_core::Handle::route_replace,
    )
}

/// Changes the existing route `spec` describes (`NLM_F_REPLACE` without
/// `NLM_F_CREATE`), as `ip route change`: the route with the same
/// destination, table and metric takes the new gateway, device and
/// attributes.
///
/// Errors: `NETNS_NOT_FOUND` when there is no such route; as
/// `netns_route_add_spec`.
#[no_mangle]
pub extern "C" fn netns_route_change_spec(
    h: *mut netns_handle,
    spec: *const netns_route_spec,
) -> netns_result {
    send(
        "netns_route_change_spec",
        h,
        spec,
        netns_core::Handle::route_change,
    )
}

/// Adds the route `spec` describes after those with the same destination,
/// table and metric (`NLM_F_CREATE | NLM_F_APPEND`), as `ip route append`.
///
/// Errors: as `netns_route_add_spec`.
#[no_mangle]
pub extern "C" fn netns_route_append_spec(
    h: *mut netns_handle,
    spec: *const netns_route_spec,
) -> netns_result {
    send(
        "netns_route_append_spec",
        h,
        spec,
        netns_core::Handle::route_append,
    )
}

/// Adds the route `spec` describes before those with the same destination,
/// table and metric (`NLM_F_CREATE` alone), as `ip route prepend`.
///
/// Errors: as `netns_route_add_spec`.
#[no_mangle]
pub extern "C" fn netns_route_prepend_spec(
    h: *mut netns_handle,
    spec: *const netns_route_spec,
) -> netns_result {
    send(
        "netns_route_prepend_spec",
        h,
        spec,
        netns_core::Handle::route_prepend,
    )
}

/// Deletes the first route matching `spec` (`RTM_DELROUTE`), as `ip route
/// del`: protocol, scope and type match any unless set; a `local` (…)
/// route is looked for in table `local` unless a table is set.
///
/// Errors: `NETNS_NOT_FOUND` when no route matches.
#[no_mangle]
pub extern "C" fn netns_route_del_spec(
    h: *mut netns_handle,
    spec: *const netns_route_spec,
) -> netns_result {
    send(
        "netns_route_del_spec",
        h,
        spec,
        netns_core::Handle::route_del,
    )
}
