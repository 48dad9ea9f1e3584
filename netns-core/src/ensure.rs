//! Idempotent forms of add and delete, as scripts reach for them: an add
//! that accepts an identical existing object (`exist_ok`) and a delete that
//! accepts a missing one (`missing_ok`).
//!
//! | object      | add, `exist_ok`                     | delete, `missing_ok`                 |
//! |-------------|-------------------------------------|--------------------------------------|
//! | address     | [`Handle::address_add_exist_ok`]    | [`Handle::address_del_missing_ok`]   |
//! | route       | [`Handle::route_add_exist_ok`]      | [`Handle::route_del_missing_ok`]     |
//! | neighbour   | [`Handle::neigh_add_exist_ok`]      | [`Handle::neigh_del_missing_ok`]     |
//! | rule        | [`Handle::rule_add_exist_ok`]       | [`Handle::rule_del_missing_ok`]      |
//! | fdb entry   | [`Handle::fdb_add_exist_ok`]        | [`Handle::fdb_del_missing_ok`]       |
//! | link        | [`Handle::link_add_exist_ok`]       | —                                    |
//!
//! Each returns `Ok(true)` when it changed something and `Ok(false)` when
//! the object already was (or already was not) there.
//!
//! An `exist_ok` add sends the ordinary add (`NLM_F_CREATE | NLM_F_EXCL`);
//! only when the kernel answers `EEXIST` does it read the existing object
//! (one get or one filtered dump) and compare it with the spec, field by
//! field: the fields the spec sets must be equal; a field the spec leaves
//! unset accepts what the kernel chose. A different object with the same
//! key stays an [`ErrorKind::AlreadyExists`] error, whose detail names the
//! first field that differs (`it exists with scope host, not global`). If
//! the object vanished between the refusal and the comparison, the add is
//! tried once more.
//!
//! A `missing_ok` delete accepts the kernel's "no such object" (`ENOENT`,
//! `ESRCH`, `EADDRNOTAVAIL`); a device that does not exist is still an
//! error ([`Error::is_lookup`]): it names something the caller expected.

use std::fmt;

#[cfg(doc)]
use crate::Handle;
use crate::{Error, ErrorKind, Result};

/// The first field in which an existing object differs from a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The field, in `ip`'s words (`scope`, `lladdr`, `via` …).
    pub field: &'static str,
    /// Its value on the existing object.
    pub existing: String,
    /// Its value in the spec.
    pub wanted: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "it exists with {} {}, not {}",
            self.field, self.existing, self.wanted
        )
    }
}

/// What the comparison of an existing object with a spec found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Compared {
    /// Every field the spec sets is equal.
    Same,
    /// This field differs.
    Differs(Difference),
    /// No such object any more.
    Gone,
}

/// Collects the first difference; `check` records one field.
#[derive(Debug, Default)]
pub(crate) struct Comparison {
    first: Option<Difference>,
}

impl Comparison {
    /// Records `field` as different when `wanted` is set and not equal to
    /// `existing`.
    pub(crate) fn check<T: PartialEq + fmt::Display>(
        &mut self,
        field: &'static str,
        existing: Option<T>,
        wanted: Option<T>,
    ) -> &mut Self {
        if self.first.is_some() {
            return self;
        }
        if let Some(w) = wanted {
            if existing.as_ref() != Some(&w) {
                self.first = Some(Difference {
                    field,
                    existing: existing.map_or_else(|| "none".to_owned(), |e| e.to_string()),
                    wanted: w.to_string(),
                });
            }
        }
        self
    }

    /// The outcome.
    pub(crate) fn outcome(&mut self) -> Compared {
        match self.first.take() {
            Some(d) => Compared::Differs(d),
            None => Compared::Same,
        }
    }
}

/// Runs `add`; on `EEXIST` compares the existing object (`compare`) and
/// accepts an identical one (`Ok(false)`). See the module's description.
pub(crate) fn exist_ok<H>(
    h: &mut H,
    mut add: impl FnMut(&mut H) -> Result<()>,
    mut compare: impl FnMut(&mut H) -> Result<Compared>,
) -> Result<bool> {
    let mut last: Option<Error> = None;
    for _ in 0..2 {
        match add(h) {
            Ok(()) => return Ok(true),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => match compare(h)? {
                Compared::Same => return Ok(false),
                Compared::Differs(d) => return Err(e.with_detail(d.to_string())),
                Compared::Gone => last = Some(e),
            },
            Err(e) => return Err(e),
        }
    }
    Err(last
        .map(|e| e.with_detail("it kept appearing and vanishing while it was compared"))
        .unwrap_or_else(|| Error::new(ErrorKind::Busy, "add", "object")))
}

/// `result` of a delete, a missing object accepted (`Ok(false)`).
pub(crate) fn missing_ok(result: Result<()>) -> Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound && !e.is_lookup() => Ok(false),
        Err(e) => Err(e),
    }
}
