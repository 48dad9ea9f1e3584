//! The idempotent forms of [`Handle::rule_add`] and [`Handle::rule_del`]
//! (see [`crate::ensure`]).

use std::fmt;

use super::{RuleAction, RuleRef, RuleSpec};
use crate::ensure::{self, Compared, Comparison};
use crate::link::Dev;
use crate::route::RouteTable;
use crate::{Handle, Result};

/// A boolean selector printed as `ip rule` does.
#[derive(PartialEq)]
struct Not(bool);

impl fmt::Display for Not {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "not" } else { "no not" })
    }
}

fn name(dev: &Option<Dev>) -> Option<String> {
    dev.as_ref().map(Dev::word)
}

impl RuleSpec {
    /// Compares `r` with the fields this spec sets (the action defaults to
    /// `lookup main`, as on add).
    fn compare(&self, r: &RuleRef<'_>) -> Compared {
        let all =
            |n: Option<crate::addr::IpNet>| n.map_or_else(|| "all".to_owned(), |n| n.to_string());
        let mut c = Comparison::default();
        c.check("pref", Some(r.priority()), self.priority)
            .check("from", Some(all(r.from())), Some(all(self.from)))
            .check("to", Some(all(r.to())), Some(all(self.to)))
            .check("not", Some(Not(r.is_inverted())), Some(Not(self.not)))
            .check("tos", Some(r.tos()), Some(self.tos))
            .check("fwmark", r.fwmark(), self.fwmark)
            .check("fwmask", r.fwmask(), self.fwmask)
            .check("iif", r.iif().map(str::to_owned), name(&self.iif))
            .check("oif", r.oif().map(str::to_owned), name(&self.oif))
            .check(
                "action",
                r.action(),
                Some(self.action.unwrap_or(RuleAction::Table(RouteTable::MAIN))),
            )
            .check(
                "suppress_prefixlength",
                r.suppress_prefixlength(),
                self.suppress_prefixlength,
            )
            .check("ipproto", r.ipproto(), self.ipproto)
            .check("sport", r.sport(), self.sport)
            .check("dport", r.dport(), self.dport)
            .check("protocol", r.protocol(), self.protocol);
        c.outcome()
    }
}

impl Handle {
    /// [`Handle::rule_add`], accepting an identical existing rule. The
    /// kernel refuses with `EEXIST` only a rule equal in every attribute
    /// to one it has; the rules of the family are then dumped and the spec
    /// compared with them (each field it sets), so an `Ok(false)` names a
    /// rule that is there. Returns whether the rule was added.
    ///
    /// # Errors
    /// As [`Handle::rule_add`]; [`ErrorKind::AlreadyExists`](crate::ErrorKind::AlreadyExists)
    /// naming the field that differs from the rule of the same priority.
    #[doc(alias = "exist_ok")]
    pub fn rule_add_exist_ok(&mut self, spec: &RuleSpec) -> Result<bool> {
        ensure::exist_ok(
            self,
            |h| h.rule_add(spec),
            |h| {
                let family = spec.resolved_family()?;
                let mut found = Compared::Gone;
                for r in h.rules(family)? {
                    match spec.compare(&r) {
                        Compared::Same => return Ok(Compared::Same),
                        d @ Compared::Differs(_)
                            if spec.priority == Some(r.priority()) && found == Compared::Gone =>
                        {
                            found = d;
                        }
                        _ => {}
                    }
                }
                Ok(found)
            },
        )
    }

    /// [`Handle::rule_del`], accepting a rule that is not there (`ENOENT`).
    /// Returns whether one was deleted.
    ///
    /// # Errors
    /// As [`Handle::rule_del`], but for the missing rule.
    #[doc(alias = "missing_ok")]
    pub fn rule_del_missing_ok(&mut self, spec: &RuleSpec) -> Result<bool> {
        ensure::missing_ok(self.rule_del(spec))
    }
}
