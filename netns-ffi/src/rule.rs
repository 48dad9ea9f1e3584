//! Policy rules (`ip rule`): a `netns_rule_spec` builder, add, delete,
//! list, flush. The builder holds the core's `RuleSpec`.

use std::ffi::{c_char, c_int, CString};

use netns_core::route::RouteTable;
use netns_core::rule::{Rule, RuleAction, RuleSpec};

use crate::addr::family_arg;
use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_out, opt_ref, out_arg, str_arg};
use crate::registry::next_of;
use crate::{c_string, opt_c_ptr};

/// A rule being described, for `netns_rule_add` / `netns_rule_del`. Opaque;
/// made by `netns_rule_spec_new`, freed by `netns_rule_spec_free`. Unset
/// fields are the defaults of `ip rule add` (`from all lookup main`, the
/// kernel's priority) and wildcards for `netns_rule_del`.
pub struct netns_rule_spec {
    pub(crate) inner: RuleSpec,
}

/// A new, empty rule spec. Writes it to `*out`.
#[no_mangle]
pub extern "C" fn netns_rule_spec_new(out: *mut *mut netns_rule_spec) -> netns_result {
    call("netns_rule_spec_new", || {
        out_arg(out, "out")?.set(into_raw(netns_rule_spec {
            inner: RuleSpec::new(),
        }));
        Ok(())
    })
}

/// Frees the spec. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_rule_spec_free(spec: *mut netns_rule_spec) {
    guard((), || free(spec))
}

fn set(
    function: &'static str,
    spec: *mut netns_rule_spec,
    f: impl FnOnce(&mut RuleSpec) -> Result<(), Failure>,
) -> netns_result {
    call(function, || f(&mut mut_arg(spec, "spec")?.inner))
}

/// `pref N`.
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_priority(
    spec: *mut netns_rule_spec,
    priority: u32,
) -> netns_result {
    set("netns_rule_spec_set_priority", spec, |s| {
        s.priority = Some(priority);
        Ok(())
    })
}

/// `from PREFIX` (`"10.0.0.0/8"`, or an address).
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_from(
    spec: *mut netns_rule_spec,
    from: *const c_char,
) -> netns_result {
    set("netns_rule_spec_set_from", spec, |s| {
        s.from = Some(str_arg(from, "from")?.parse()?);
        Ok(())
    })
}

/// `to PREFIX`.
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_to(
    spec: *mut netns_rule_spec,
    to: *const c_char,
) -> netns_result {
    set("netns_rule_spec_set_to", spec, |s| {
        s.to = Some(str_arg(to, "to")?.parse()?);
        Ok(())
    })
}

/// `not`: the selector is inverted.
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_not(
    spec: *mut netns_rule_spec,
    inverted: bool,
) -> netns_result {
    set("netns_rule_spec_set_not", spec, |s| {
        s.not = inverted;
        Ok(())
    })
}

/// `fwmark MARK[/MASK]` (`mask` 0: none).
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_fwmark(
    spec: *mut netns_rule_spec,
    mark: u32,
    mask: u32,
) -> netns_result {
    set("netns_rule_spec_set_fwmark", spec, |s| {
        s.fwmark = Some(mark);
        s.fwmask = (mask != 0).then_some(mask);
        Ok(())
    })
}

/// `iif NAME` (the interface need not exist).
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_iif(
    spec: *mut netns_rule_spec,
    iif: *const c_char,
) -> netns_result {
    set("netns_rule_spec_set_iif", spec, |s| {
        s.iif = Some(str_arg(iif, "iif")?.into());
        Ok(())
    })
}

/// `oif NAME`.
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_oif(
    spec: *mut netns_rule_spec,
    oif: *const c_char,
) -> netns_result {
    set("netns_rule_spec_set_oif", spec, |s| {
        s.oif = Some(str_arg(oif, "oif")?.into());
        Ok(())
    })
}

/// `table TABLE` (a table id; 254 is main): `lookup TABLE`, or the table
/// kept with an action (`prohibit`), as `ip rule add table 15 prohibit`.
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_table(
    spec: *mut netns_rule_spec,
    table: u32,
) -> netns_result {
    set("netns_rule_spec_set_table", spec, |s| {
        let t = RouteTable::new(table)
            .ok_or_else(|| Failure::invalid("table", "table 0 is not a routing table"))?;
        *s = std::mem::take(s).table(t);
        Ok(())
    })
}

/// `goto PRIORITY`.
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_goto(
    spec: *mut netns_rule_spec,
    target: u32,
) -> netns_result {
    set("netns_rule_spec_set_goto", spec, |s| {
        *s = std::mem::take(s).action(RuleAction::Goto(target));
        Ok(())
    })
}

/// An action without a value: `"blackhole"`, `"unreachable"`,
/// `"prohibit"` or `"nop"`.
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_action(
    spec: *mut netns_rule_spec,
    action: *const c_char,
) -> netns_result {
    set("netns_rule_spec_set_action", spec, |s| {
        let action = RuleAction::parse_type(str_arg(action, "action")?)?;
        *s = std::mem::take(s).action(action);
        Ok(())
    })
}

/// The family (`AF_INET`, `AF_INET6`) when no prefix tells it (IPv4 by default).
#[no_mangle]
pub extern "C" fn netns_rule_spec_set_family(
    spec: *mut netns_rule_spec,
    family: c_int,
) -> netns_result {
    set("netns_rule_spec_set_family", spec, |s| {
        s.family = family_arg(family)?;
        Ok(())
    })
}

/// Adds the rule (`ip rule add`, `RTM_NEWRULE`). Errors:
/// `NETNS_ALREADY_EXISTS`; `NETNS_INVALID_ARGUMENT` for an inconsistent spec
/// (an IPv6 prefix in an IPv4 rule …).
#[no_mangle]
pub extern "C" fn netns_rule_add(
    h: *mut netns_handle,
    spec: *const netns_rule_spec,
) -> netns_result {
    call("netns_rule_add", || {
        let h = handle_arg(h)?;
        let spec = opt_ref(spec).ok_or_else(|| Failure::null("spec"))?;
        h.rule_add(&spec.inner)?;
        Ok(())
    })
}

/// Deletes the first rule matching the spec (`ip rule del`; unset fields
/// match anything). Errors: `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_rule_del(
    h: *mut netns_handle,
    spec: *const netns_rule_spec,
) -> netns_result {
    call("netns_rule_del", || {
        let h = handle_arg(h)?;
        let spec = opt_ref(spec).ok_or_else(|| Failure::null("spec"))?;
        h.rule_del(&spec.inner)?;
        Ok(())
    })
}

/// Deletes every rule of `family` (`AF_INET`, `AF_INET6`; 0 is `AF_INET`)
/// but priority 0 (`ip rule flush`); writes how many went to `*flushed`
/// unless NULL.
#[no_mangle]
pub extern "C" fn netns_rule_flush(
    h: *mut netns_handle,
    family: c_int,
    flushed: *mut usize,
) -> netns_result {
    call("netns_rule_flush", || {
        let h = handle_arg(h)?;
        let family = family_arg(family)?.unwrap_or(netns_core::addr::Family::Inet);
        let n = h.rule_flush(family)?;
        if let Some(out) = opt_out(flushed) {
            out.set(n);
        }
        Ok(())
    })
}

/// One rule of a `netns_rule_iter`. Borrowed from the iterator (or the
/// event it came with).
pub struct netns_rule {
    family: c_int,
    priority: u32,
    from: Option<CString>,
    to: Option<CString>,
    table: u32,
    action: u8,
    goto_target: u32,
    fwmark: u32,
    fwmask: u32,
    iif: Option<CString>,
    oif: Option<CString>,
    inverted: bool,
    line: CString,
}

impl netns_rule {
    pub(crate) fn of(r: &Rule) -> netns_rule {
        netns_rule {
            family: r.family.map_or(0, |f| c_int::from(f.to_raw())),
            priority: r.priority,
            from: r.from.map(|n| c_string(n.to_string())),
            to: r.to.map(|n| c_string(n.to_string())),
            table: match r.action() {
                Some(RuleAction::Table(t)) => t.id(),
                _ => 0,
            },
            action: r.action_raw,
            goto_target: r.goto_target.unwrap_or(0),
            fwmark: r.fwmark.unwrap_or(0),
            fwmask: r.fwmask.unwrap_or(0),
            iif: r.iif.as_deref().map(c_string),
            oif: r.oif.as_deref().map(c_string),
            inverted: r.is_inverted(),
            line: c_string(r.to_string()),
        }
    }
}

/// The rules of `netns_rules`: a snapshot. Free with `netns_rule_iter_free`.
pub struct netns_rule_iter {
    items: Vec<netns_rule>,
    next: usize,
}

/// Lists the rules of `family` (`AF_INET`, `AF_INET6`; 0 both, IPv4
/// first), as `ip rule show`. Writes an iterator to `*out`.
#[no_mangle]
pub extern "C" fn netns_rules(
    h: *mut netns_handle,
    family: c_int,
    out: *mut *mut netns_rule_iter,
) -> netns_result {
    call("netns_rules", || {
        let h = handle_arg(h)?;
        let family = family_arg(family)?;
        let out = out_arg(out, "out")?;
        let owned: Vec<Rule> = match family {
            Some(f) => h.rules(f)?.map(|r| r.to_owned()).collect(),
            None => h.rules_all()?,
        };
        let items = owned.iter().map(netns_rule::of).collect();
        out.set(into_raw(netns_rule_iter { items, next: 0 }));
        Ok(())
    })
}

/// The next rule, or NULL at the end (or for NULL).
#[no_mangle]
pub extern "C" fn netns_rule_iter_next(it: *mut netns_rule_iter) -> *const netns_rule {
    guard(std::ptr::null(), || match mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many rules the iterator holds (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_rule_iter_len(it: *const netns_rule_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Frees the iterator and its rules. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_rule_iter_free(it: *mut netns_rule_iter) {
    guard((), || free(it))
}

/// The family (`AF_INET`, `AF_INET6`).
#[no_mangle]
pub extern "C" fn netns_rule_family(r: *const netns_rule) -> c_int {
    guard(0, || opt_ref(r).map_or(0, |r| r.family))
}

/// The priority.
#[no_mangle]
pub extern "C" fn netns_rule_priority(r: *const netns_rule) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.priority))
}

/// The source prefix (`from`), or NULL for `all`.
#[no_mangle]
pub extern "C" fn netns_rule_from(r: *const netns_rule) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(r).map_or(std::ptr::null(), |r| opt_c_ptr(&r.from))
    })
}

/// The destination prefix (`to`), or NULL for `all`.
#[no_mangle]
pub extern "C" fn netns_rule_to(r: *const netns_rule) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(r).map_or(std::ptr::null(), |r| opt_c_ptr(&r.to))
    })
}

/// The table looked up, or 0 when the action is not a lookup.
#[no_mangle]
pub extern "C" fn netns_rule_table(r: *const netns_rule) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.table))
}

/// The action (`FR_ACT_*`: 1 lookup, 2 goto, 3 nop, 6 blackhole, 7
/// unreachable, 8 prohibit).
#[no_mangle]
pub extern "C" fn netns_rule_action(r: *const netns_rule) -> u8 {
    guard(0, || opt_ref(r).map_or(0, |r| r.action))
}

/// The `goto` target, or 0.
#[no_mangle]
pub extern "C" fn netns_rule_goto(r: *const netns_rule) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.goto_target))
}

/// The firewall mark, or 0.
#[no_mangle]
pub extern "C" fn netns_rule_fwmark(r: *const netns_rule) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.fwmark))
}

/// The firewall mark's mask, or 0.
#[no_mangle]
pub extern "C" fn netns_rule_fwmask(r: *const netns_rule) -> u32 {
    guard(0, || opt_ref(r).map_or(0, |r| r.fwmask))
}

/// The input interface name, or NULL.
#[no_mangle]
pub extern "C" fn netns_rule_iif(r: *const netns_rule) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(r).map_or(std::ptr::null(), |r| opt_c_ptr(&r.iif))
    })
}

/// The output interface name, or NULL.
#[no_mangle]
pub extern "C" fn netns_rule_oif(r: *const netns_rule) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(r).map_or(std::ptr::null(), |r| opt_c_ptr(&r.oif))
    })
}

/// True for `not` (an inverted selector).
#[no_mangle]
pub extern "C" fn netns_rule_not(r: *const netns_rule) -> bool {
    guard(false, || opt_ref(r).is_some_and(|r| r.inverted))
}

/// The rule as `ip rule show` prints it (`"0:\tfrom all lookup local"`).
#[no_mangle]
pub extern "C" fn netns_rule_line(r: *const netns_rule) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(r).map_or(std::ptr::null(), |r| r.line.as_ptr())
    })
}
