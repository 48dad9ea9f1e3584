//! `Handle`'s rule methods (``ip rule``): add, delete, list, flush.
//! Arguments become the core's `RuleSpec`.

use netns_core::addr::Family;
use netns_core::link::Dev;
use netns_core::route::RouteTable;
use netns_core::rule::{RuleAction, RuleSpec};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::Handle;
use crate::args::{dev_arg, family_arg, ip_text, parse_net, table_arg};
use crate::objects::{rule_of, Rule};

/// The arguments of one rule, read while attached.
#[derive(Default)]
struct RuleArgs {
    priority: Option<u32>,
    from: Option<String>,
    to: Option<String>,
    not: bool,
    tos: u8,
    fwmark: Option<u32>,
    fwmask: Option<u32>,
    iif: Option<Dev>,
    oif: Option<Dev>,
    table: Option<RouteTable>,
    goto: Option<u32>,
    action: Option<String>,
    suppress_prefixlength: Option<u32>,
    protocol: Option<u8>,
    family: Option<Family>,
}

impl RuleArgs {
    /// The core spec (prefixes parsed here, devices resolved by the handle).
    fn spec(&self) -> netns_core::Result<RuleSpec> {
        let mut s = RuleSpec::new();
        s.priority = self.priority;
        s.from = self.from.as_deref().map(parse_net).transpose()?;
        s.to = self.to.as_deref().map(parse_net).transpose()?;
        s.not = self.not;
        s.tos = self.tos;
        s.fwmark = self.fwmark;
        s.fwmask = self.fwmask;
        s.iif = self.iif.clone();
        s.oif = self.oif.clone();
        s.suppress_prefixlength = self.suppress_prefixlength;
        s.protocol = self.protocol;
        s.family = self.family;
        if let Some(word) = &self.action {
            s = s.action(RuleAction::parse_type(word)?);
        }
        if let Some(g) = self.goto {
            s = s.action(RuleAction::Goto(g));
        }
        if let Some(t) = self.table {
            s = s.table(t);
        }
        Ok(s)
    }
}

/// Reads the keyword arguments shared by ``rule_add`` and ``rule_del``.
#[allow(clippy::too_many_arguments)]
fn rule_args(
    priority: Option<u32>,
    from_: Option<&Bound<'_, PyAny>>,
    to: Option<&Bound<'_, PyAny>>,
    not_: bool,
    tos: u8,
    fwmark: Option<u32>,
    fwmask: Option<u32>,
    iif: Option<&Bound<'_, PyAny>>,
    oif: Option<&Bound<'_, PyAny>>,
    table: Option<&Bound<'_, PyAny>>,
    goto: Option<u32>,
    action: Option<&str>,
    suppress_prefixlength: Option<u32>,
    protocol: Option<u8>,
    family: Option<&str>,
) -> PyResult<RuleArgs> {
    if action.is_some() && goto.is_some() {
        return Err(PyValueError::new_err(
            "action is for blackhole, unreachable, prohibit or nop: give goto= alone",
        ));
    }
    if table.is_some() && goto.is_some() {
        return Err(PyValueError::new_err(
            "a rule takes table= or goto=, not both",
        ));
    }
    Ok(RuleArgs {
        priority,
        from: from_.map(|f| ip_text(f, "from_")).transpose()?,
        to: to.map(|t| ip_text(t, "to")).transpose()?,
        not: not_,
        tos,
        fwmark,
        fwmask,
        iif: iif.map(|d| dev_arg(d, "iif")).transpose()?,
        oif: oif.map(|d| dev_arg(d, "oif")).transpose()?,
        table: table.map(table_arg).transpose()?,
        goto,
        action: action.map(str::to_owned),
        suppress_prefixlength,
        protocol,
        family: family_arg(family)?,
    })
}

#[pymethods]
impl Handle {
    /// Adds a policy rule, as ``ip rule add [not] [from PREFIX] [to PREFIX]
    /// [tos N] [fwmark N[/MASK]] [iif DEV] [oif DEV] [pref N] [lookup TABLE
    /// | goto N | ACTION] [suppress_prefixlength N] [protocol N]``:
    /// ``from_`` and ``to`` are prefixes (``'10.0.0.0/8'``, an address, an
    /// ``ipaddress`` object); ``table`` a number or name; ``action`` one of
    /// ``'blackhole'``, ``'unreachable'``, ``'prohibit'``, ``'nop'``
    /// (neither: ``lookup main``); ``family`` when no prefix tells
    /// (``'inet6'``).
    #[pyo3(signature = (*, priority=None, from_=None, to=None, not_=false, tos=0, fwmark=None, fwmask=None, iif=None, oif=None, table=None, goto=None, action=None, suppress_prefixlength=None, protocol=None, family=None, exist_ok=false))]
    #[allow(clippy::too_many_arguments)]
    fn rule_add(
        &self,
        py: Python<'_>,
        priority: Option<u32>,
        from_: Option<&Bound<'_, PyAny>>,
        to: Option<&Bound<'_, PyAny>>,
        not_: bool,
        tos: u8,
        fwmark: Option<u32>,
        fwmask: Option<u32>,
        iif: Option<&Bound<'_, PyAny>>,
        oif: Option<&Bound<'_, PyAny>>,
        table: Option<&Bound<'_, PyAny>>,
        goto: Option<u32>,
        action: Option<&str>,
        suppress_prefixlength: Option<u32>,
        protocol: Option<u8>,
        family: Option<&str>,
        exist_ok: bool,
    ) -> PyResult<bool> {
        let a = rule_args(
            priority,
            from_,
            to,
            not_,
            tos,
            fwmark,
            fwmask,
            iif,
            oif,
            table,
            goto,
            action,
            suppress_prefixlength,
            protocol,
            family,
        )?;
        // exist_ok: an identical existing rule is accepted; returns whether
        // the rule was added.
        self.with(py, |h| {
            let spec = a.spec()?;
            if exist_ok {
                h.rule_add_exist_ok(&spec)
            } else {
                h.rule_add(&spec).map(|()| true)
            }
        })
    }

    /// Deletes the first rule matching the arguments (``ip rule del``;
    /// unset ones match anything: ``rule_del(priority=100)`` deletes the
    /// rule of priority 100).
    #[pyo3(signature = (*, priority=None, from_=None, to=None, not_=false, tos=0, fwmark=None, fwmask=None, iif=None, oif=None, table=None, goto=None, action=None, suppress_prefixlength=None, protocol=None, family=None, missing_ok=false))]
    #[allow(clippy::too_many_arguments)]
    fn rule_del(
        &self,
        py: Python<'_>,
        priority: Option<u32>,
        from_: Option<&Bound<'_, PyAny>>,
        to: Option<&Bound<'_, PyAny>>,
        not_: bool,
        tos: u8,
        fwmark: Option<u32>,
        fwmask: Option<u32>,
        iif: Option<&Bound<'_, PyAny>>,
        oif: Option<&Bound<'_, PyAny>>,
        table: Option<&Bound<'_, PyAny>>,
        goto: Option<u32>,
        action: Option<&str>,
        suppress_prefixlength: Option<u32>,
        protocol: Option<u8>,
        family: Option<&str>,
        missing_ok: bool,
    ) -> PyResult<bool> {
        let a = rule_args(
            priority,
            from_,
            to,
            not_,
            tos,
            fwmark,
            fwmask,
            iif,
            oif,
            table,
            goto,
            action,
            suppress_prefixlength,
            protocol,
            family,
        )?;
        // missing_ok: no such rule is accepted; returns whether one went.
        self.with(py, |h| {
            let spec = a.spec()?;
            if missing_ok {
                h.rule_del_missing_ok(&spec)
            } else {
                h.rule_del(&spec).map(|()| true)
            }
        })
    }

    /// The rules of ``family`` (``'inet'`` by default, as ``ip rule``;
    /// ``'all'`` for both), in the kernel's order.
    #[pyo3(signature = (*, family=None))]
    fn rules(&self, py: Python<'_>, family: Option<&str>) -> PyResult<Vec<Rule>> {
        let family = match family {
            Some("all") => None,
            f => Some(family_arg(f)?.unwrap_or(Family::Inet)),
        };
        self.with(py, |h| {
            let owned = match family {
                Some(f) => h.rules(f)?.map(|r| r.to_owned()).collect(),
                None => h.rules_all()?,
            };
            Ok(owned.iter().map(rule_of).collect())
        })
    }

    /// Deletes every rule of ``family`` but priority 0 (``ip rule flush``;
    /// ``'inet'`` by default); returns how many went.
    #[pyo3(signature = (*, family=None))]
    fn rule_flush(&self, py: Python<'_>, family: Option<&str>) -> PyResult<usize> {
        let family = family_arg(family)?.unwrap_or(Family::Inet);
        self.with(py, |h| h.rule_flush(family))
    }
}
