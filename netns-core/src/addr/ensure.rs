//! The idempotent forms of [`Handle::address_add`] and
//! [`Handle::address_del`] (see [`crate::ensure`]).

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::ensure::{self, Compared, Comparison};
use change::default_scope;

/// A scope by `ip`'s name, or its number.
struct Scope(u8);

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match crate::route::scope_name(self.0) {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

impl PartialEq for Scope {
    fn eq(&self, other: &Scope) -> bool {
        self.0 == other.0
    }
}

/// Whether a lifetime is `forever` or a number of seconds (a finite one
/// counts down, so only its finiteness is compared).
#[derive(PartialEq)]
enum Lifetime {
    Forever,
    Finite,
}

impl fmt::Display for Lifetime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lifetime::Forever => "forever",
            Lifetime::Finite => "a finite lifetime",
        })
    }
}

fn lifetime(secs: u32) -> Lifetime {
    if secs == FOREVER {
        Lifetime::Forever
    } else {
        Lifetime::Finite
    }
}

impl AddressSpec {
    /// Compares `a`, an address with the same local address, with this
    /// spec: prefix length, peer, scope, and the broadcast, label, metric,
    /// flags and lifetimes the spec sets.
    fn compare(&self, a: &AddressRef<'_>) -> Compared {
        let o = &self.options;
        let ip = self.net.addr();
        let mut c = Comparison::default();
        c.check(
            "prefix length",
            Some(a.prefix_len()),
            Some(self.prefix_len()),
        )
        .check(
            "peer",
            Some(
                a.peer()
                    .map_or_else(|| "none".to_owned(), |p| p.to_string()),
            ),
            Some(
                o.peer
                    .map_or_else(|| "none".to_owned(), |p| p.addr().to_string()),
            ),
        )
        .check(
            "scope",
            Some(Scope(a.scope())),
            Some(Scope(o.scope.unwrap_or_else(|| default_scope(&ip)))),
        )
        .check("brd", a.broadcast(), o.broadcast.resolve(&self.net))
        .check("label", a.label(), o.label.as_deref())
        .check("metric", a.route_priority(), o.metric);
        for (flag, name) in [
            (IFA_F_NODAD, "nodad"),
            (IFA_F_NOPREFIXROUTE, "noprefixroute"),
        ] {
            if o.flags & flag != 0 && a.flags() & flag == 0 {
                c.check("flag", Some("none"), Some(name));
            }
        }
        let (valid, preferred) = o.lifetimes();
        let (a_preferred, a_valid) = a.lifetimes().unwrap_or((FOREVER, FOREVER));
        c.check("valid_lft", Some(lifetime(a_valid)), Some(lifetime(valid)))
            .check(
                "preferred_lft",
                Some(lifetime(a_preferred)),
                Some(lifetime(preferred)),
            );
        c.outcome()
    }
}

impl Handle {
    /// [`Handle::address_add`], accepting an identical existing address:
    /// on `EEXIST` the device's addresses are dumped and the one with the
    /// spec's local address is compared with the spec (prefix length, peer,
    /// scope, and the broadcast, label, metric, flags and lifetimes the spec
    /// sets; finite lifetimes count down, so only `forever` or not is
    /// compared). Returns whether the address was added.
    ///
    /// # Errors
    /// As [`Handle::address_add`]; [`ErrorKind::AlreadyExists`] when the
    /// existing address differs, its detail naming the field (`it exists
    /// with scope host, not global`).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::addr::AddressSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// let spec = AddressSpec::new("veth0", "10.1.1.2/24".parse()?);
    /// h.address_add_exist_ok(&spec)?;
    /// assert!(!h.address_add_exist_ok(&spec)?); // already there
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "exist_ok")]
    pub fn address_add_exist_ok(&mut self, spec: &AddressSpec) -> Result<bool> {
        ensure::exist_ok(
            self,
            |h| h.address_add(spec),
            |h| {
                let index = h.dev_index(&spec.dev)?;
                let filter = AddressFilter::new().dev(index).family(spec.net.family());
                let ip = spec.net.addr();
                let mut found = Compared::Gone;
                for a in h.addresses(filter)? {
                    if a.local().or(a.address()) != Some(ip) {
                        continue;
                    }
                    found = spec.compare(&a);
                    if found == Compared::Same {
                        break;
                    }
                }
                Ok(found)
            },
        )
    }

    /// [`Handle::address_del`], accepting an address that is not there
    /// (`EADDRNOTAVAIL`). Returns whether one was deleted.
    ///
    /// # Errors
    /// As [`Handle::address_del`], but for the missing address; a missing
    /// device is still an error.
    #[doc(alias = "missing_ok")]
    pub fn address_del_missing_ok(&mut self, spec: &AddressSpec) -> Result<bool> {
        ensure::missing_ok(self.address_del(spec))
    }
}
