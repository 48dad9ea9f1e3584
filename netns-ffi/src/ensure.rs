//! The idempotent forms of route and rule changes (`exist_ok`,
//! `missing_ok`; addresses, neighbours and fdb entries have theirs beside
//! their other functions). Each writes whether it changed something to its
//! trailing `bool *` unless NULL.

use netns_core::Handle;

use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::call;
use crate::ptr::{opt_out, opt_ref};
use crate::route_spec::netns_route_spec;
use crate::rule::netns_rule_spec;

fn route(
    function: &'static str,
    h: *mut netns_handle,
    spec: *const netns_route_spec,
    changed: *mut bool,
    op: fn(&mut Handle, &netns_core::route::RouteSpec) -> netns_core::Result<bool>,
) -> netns_result {
    call(function, || {
        let h = handle_arg(h)?;
        let spec = opt_ref(spec).ok_or_else(|| Failure::null("spec"))?;
        let c = op(h, &spec.spec)?;
        if let Some(out) = opt_out(changed) {
            out.set(c);
        }
        Ok(())
    })
}

fn rule(
    function: &'static str,
    h: *mut netns_handle,
    spec: *const netns_rule_spec,
    changed: *mut bool,
    op: fn(&mut Handle, &netns_core::rule::RuleSpec) -> netns_core::Result<bool>,
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

/// `netns_route_add_spec`, accepting an identical existing route
/// (`exist_ok`: same destination, table, metric, and every field the spec
/// sets): writes whether it was added to `*added` unless NULL.
///
/// Errors: as `netns_route_add_spec`; `NETNS_ALREADY_EXISTS` when the
/// existing route differs (the message names the field: `it exists with
/// via 10.0.0.2, not 10.0.0.3`).
#[no_mangle]
pub extern "C" fn netns_route_add_exist_ok(
    h: *mut netns_handle,
    spec: *const netns_route_spec,
    added: *mut bool,
) -> netns_result {
    route(
        "netns_route_add_exist_ok",
        h,
        spec,
        added,
        Handle::route_add_exist_ok,
    )
}

/// `netns_route_del_spec`, accepting a missing route (`missing_ok`):
/// writes whether one was deleted to `*deleted` unless NULL.
#[no_mangle]
pub extern "C" fn netns_route_del_missing_ok(
    h: *mut netns_handle,
    spec: *const netns_route_spec,
    deleted: *mut bool,
) -> netns_result {
    route(
        "netns_route_del_missing_ok",
        h,
        spec,
        deleted,
        Handle::route_del_missing_ok,
    )
}

/// `netns_rule_add`, accepting an identical existing rule (`exist_ok`):
/// writes whether it was added to `*added` unless NULL.
#[no_mangle]
pub extern "C" fn netns_rule_add_exist_ok(
    h: *mut netns_handle,
    spec: *const netns_rule_spec,
    added: *mut bool,
) -> netns_result {
    rule(
        "netns_rule_add_exist_ok",
        h,
        spec,
        added,
        Handle::rule_add_exist_ok,
    )
}

/// `netns_rule_del`, accepting a missing rule (`missing_ok`): writes
/// whether one was deleted to `*deleted` unless NULL.
#[no_mangle]
pub extern "C" fn netns_rule_del_missing_ok(
    h: *mut netns_handle,
    spec: *const netns_rule_spec,
    deleted: *mut bool,
) -> netns_result {
    rule(
        "netns_rule_del_missing_ok",
        h,
        spec,
        deleted,
        Handle::rule_del_missing_ok,
    )
}
