//! The idempotent forms of [`Handle::route_add`] and [`Handle::route_del`]
//! (see [`crate::ensure`]).

use std::fmt;
use std::net::IpAddr;

use super::{protocol_name, scope_name, type_name, RouteRef, RouteSpec};
use crate::addr::Family;
use crate::ensure::{self, Compared, Comparison};
use crate::{Handle, Result};

/// A number printed by `ip`'s name when it has one.
struct Named(u8, fn(u8) -> Option<&'static str>);

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.1)(self.0) {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0),
        }
    }
}

impl PartialEq for Named {
    fn eq(&self, other: &Named) -> bool {
        self.0 == other.0
    }
}

impl RouteSpec {
    /// The family: the one set, else that of an address the spec names,
    /// else IPv4 (as `ip route add` without `-6`).
    fn ensure_family(&self) -> Family {
        let ips = [
            self.destination.map(|d| d.addr()),
            self.gateway,
            self.prefsrc,
        ];
        self.family
            .or_else(|| ips.into_iter().flatten().next().map(|ip| Family::of(&ip)))
            .unwrap_or(Family::Inet)
    }

    /// Whether `r` has this route's key: table (checked by the dump),
    /// destination, tos 0 and metric (the kernel's default when unset: 0
    /// for IPv4, 1024 for IPv6).
    fn same_key(&self, r: &RouteRef<'_>, family: Family) -> bool {
        let default_metric = if family == Family::Inet6 { 1024 } else { 0 };
        r.family() == Some(family)
            && r.tos() == 0
            && r.destination() == self.destination.filter(|d| d.prefix_len() != 0)
            && (self.destination.is_some_and(|d| d.prefix_len() != 0) || r.is_default())
            && r.metric().unwrap_or(0) == self.metric.unwrap_or(default_metric)
    }

    /// Compares `r` (same key) with the fields this spec sets.
    fn compare(&self, r: &RouteRef<'_>, oif: Option<u32>) -> Compared {
        let mut c = Comparison::default();
        c.check("via", r.gateway(), self.gateway)
            .check("dev", r.oif().map(Dev), oif.map(Dev))
            .check("src", r.prefsrc(), self.prefsrc)
            .check(
                "scope",
                Some(Named(r.scope(), scope_name)),
                self.scope.map(|s| Named(s, scope_name)),
            )
            .check(
                "proto",
                Some(Named(r.protocol(), protocol_name)),
                self.protocol.map(|p| Named(p, protocol_name)),
            )
            .check(
                "type",
                Some(Named(r.kind(), type_name)),
                Some(Named(self.kind.unwrap_or(1), type_name)),
            )
            .check("mtu", r.mtu(), self.mtu)
            .check("advmss", r.advmss(), self.advmss)
            .check("nhid", r.nhid(), self.nhid);
        if !self.nexthops.is_empty() {
            let existing: Vec<Option<IpAddr>> = r.nexthops().map(|h| h.gateway).collect();
            let wanted: Vec<Option<IpAddr>> = self.nexthops.iter().map(|h| h.gateway).collect();
            c.check("nexthops", Some(Paths(existing)), Some(Paths(wanted)));
        }
        c.outcome()
    }
}

/// An interface index, as a comparison prints it.
#[derive(PartialEq)]
struct Dev(u32);

impl fmt::Display for Dev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "with index {}", self.0)
    }
}

/// The gateways of a multipath route.
#[derive(PartialEq)]
struct Paths(Vec<Option<IpAddr>>);

impl fmt::Display for Paths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = self
            .0
            .iter()
            .map(|g| g.map_or_else(|| "dev".to_owned(), |g| format!("via {g}")))
            .collect();
        write!(f, "[{}]", words.join(", "))
    }
}

impl Handle {
    /// [`Handle::route_add`], accepting an identical existing route: on
    /// `EEXIST` the route's table is dumped, the routes with its key
    /// (destination, tos, metric) are compared with the fields the spec
    /// sets (gateway, device, source, scope, protocol, type, mtu, advmss,
    /// nexthop object, paths). Returns whether the route was added.
    ///
    /// # Errors
    /// As [`Handle::route_add`]; [`ErrorKind::AlreadyExists`](crate::ErrorKind::AlreadyExists)
    /// naming the first field that differs (`it exists with via 10.0.0.1,
    /// not 10.0.0.2`).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::route::RouteSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// let spec = RouteSpec::default_route().via("10.1.1.2".parse().unwrap());
    /// h.route_add_exist_ok(&spec)?;
    /// assert!(!h.route_add_exist_ok(&spec)?);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "exist_ok")]
    pub fn route_add_exist_ok(&mut self, spec: &RouteSpec) -> Result<bool> {
        ensure::exist_ok(
            self,
            |h| h.route_add(spec),
            |h| {
                let oif = match &spec.dev {
                    Some(d) => Some(h.dev_index(d)?.get()),
                    None => None,
                };
                let family = spec.ensure_family();
                let mut found = Compared::Gone;
                for r in h.routes(Some(spec.effective_table()), Some(family))? {
                    if !spec.same_key(&r, family) {
                        continue;
                    }
                    found = spec.compare(&r, oif);
                    if found == Compared::Same {
                        break;
                    }
                }
                Ok(found)
            },
        )
    }

    /// [`Handle::route_del`], accepting a route that is not there (`ESRCH`).
    /// Returns whether one was deleted.
    ///
    /// # Errors
    /// As [`Handle::route_del`], but for the missing route; a device that
    /// does not exist is still an error.
    #[doc(alias = "missing_ok")]
    pub fn route_del_missing_ok(&mut self, spec: &RouteSpec) -> Result<bool> {
        ensure::missing_ok(self.route_del(spec))
    }
}
