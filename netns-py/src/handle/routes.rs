//! `Handle`'s route methods: list, add, replace, delete.

use std::collections::BTreeMap;

use netns_core::addr::Family;
use netns_core::link::Dev;
use netns_core::route::{self, RouteSpec, RouteTable};
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::names::{family_name, name_or_number, names_if};
use super::Handle;
use crate::args::{dev_arg, family_arg, ip_text, named_u8, parse_ip, table_arg};
use crate::values::Route;

impl Handle {
    /// Builds the route of `spec` on the core handle (its link looked up
    /// there) and runs `op` on it, with the GIL released.
    fn change_route(
        &self,
        py: Python<'_>,
        spec: &RouteArgs,
        op: fn(&mut netns_core::Handle, &RouteSpec) -> netns_core::Result<()>,
    ) -> PyResult<()> {
        self.with(py, |h| {
            let route = spec.build(h)?;
            op(h, &route)
        })
    }
}

/// Python route objects from the core's, devices named from `names`.
fn route_objects(
    owned: Vec<netns_core::route::Route>,
    names: &BTreeMap<u32, String>,
) -> Vec<Route> {
    owned
        .into_iter()
        .map(|r| Route {
            family: family_name(r.family),
            dst: r
                .destination
                .map(|d| d.to_string())
                .unwrap_or_else(|| "default".into()),
            gateway: r.gateway.map(|g| g.to_string()),
            dev: r.oif.and_then(|i| names.get(&i).cloned()),
            oif: r.oif,
            table: r.table,
            protocol: name_or_number(route::protocol_name(r.protocol), r.protocol),
            scope: name_or_number(route::scope_name(r.scope), r.scope),
            kind: name_or_number(route::type_name(r.kind), r.kind),
            metric: r.metric,
            prefsrc: r.prefsrc.map(|p| p.to_string()),
        })
        .collect()
}

#[pymethods]
impl Handle {
    /// The routes of ``table`` (``'main'`` by default; a number, a name, or
    /// ``'all'``) and ``family`` (both when None), filtered by the kernel.
    #[pyo3(signature = (*, table=None, family=None))]
    fn routes(
        &self,
        py: Python<'_>,
        table: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
    ) -> PyResult<Vec<Route>> {
        let table = match table {
            None => Some(RouteTable::MAIN),
            Some(t)
                if t.cast::<PyString>()
                    .is_ok_and(|s| s.to_cow().is_ok_and(|s| s == "all")) =>
            {
                None
            }
            Some(t) => Some(table_arg(t)?),
        };
        let family = family_arg(family)?;
        let (routes, consistent) = self.with(py, |h| {
            let dump = h.routes(table, family)?;
            let consistent = dump.is_consistent();
            let owned: Vec<netns_core::route::Route> = dump.map(|r| r.to_owned()).collect();
            let names = names_if(h, owned.iter().any(|r| r.oif.is_some()))?;
            Ok((route_objects(owned, &names), consistent))
        })?;
        crate::errors::warn_if_inconsistent(py, consistent, "routes")?;
        Ok(routes)
    }

    /// Adds a route to ``dst`` (``'default'``, ``'10.2.0.0/16'`` or an
    /// ``ipaddress`` network) via gateway ``via`` and/or link ``dev``, as
    /// ``ip route add``; ``table``, ``metric``, ``src`` (preferred source),
    /// ``scope``, ``protocol`` and ``kind`` (the route type: ``'unicast'``,
    /// ``'blackhole'``, ``'unreachable'`` …) take names as ``ip`` prints
    /// them or numbers; ``family`` (``'inet6'``) for a default route with
    /// no address to tell.
    #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None, src=None, scope=None, protocol=None, kind=None, family=None))]
    #[allow(clippy::too_many_arguments)]
    fn route_add(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        via: Option<&Bound<'_, PyAny>>,
        dev: Option<&Bound<'_, PyAny>>,
        table: Option<&Bound<'_, PyAny>>,
        metric: Option<u32>,
        src: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        protocol: Option<&Bound<'_, PyAny>>,
        kind: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
    ) -> PyResult<()> {
        let spec = RouteArgs::new(dst, via, dev, table, metric, src)?
            .with_kind(scope, protocol, kind, family)?;
        self.change_route(py, &spec, netns_core::Handle::route_add)
    }

    /// Adds or replaces a route (as ``ip route replace``); arguments as
    /// ``route_add``.
    #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None, src=None, scope=None, protocol=None, kind=None, family=None))]
    #[allow(clippy::too_many_arguments)]
    fn route_replace(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        via: Option<&Bound<'_, PyAny>>,
        dev: Option<&Bound<'_, PyAny>>,
        table: Option<&Bound<'_, PyAny>>,
        metric: Option<u32>,
        src: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        protocol: Option<&Bound<'_, PyAny>>,
        kind: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
    ) -> PyResult<()> {
        let spec = RouteArgs::new(dst, via, dev, table, metric, src)?
            .with_kind(scope, protocol, kind, family)?;
        self.change_route(py, &spec, netns_core::Handle::route_replace)
    }

    /// Deletes the first route matching the arguments (unset ones match
    /// anything), as ``ip route del``.
    #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None, scope=None, protocol=None, kind=None, family=None))]
    #[allow(clippy::too_many_arguments)]
    fn route_del(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        via: Option<&Bound<'_, PyAny>>,
        dev: Option<&Bound<'_, PyAny>>,
        table: Option<&Bound<'_, PyAny>>,
        metric: Option<u32>,
        scope: Option<&Bound<'_, PyAny>>,
        protocol: Option<&Bound<'_, PyAny>>,
        kind: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
    ) -> PyResult<()> {
        let spec = RouteArgs::new(dst, via, dev, table, metric, None)?
            .with_kind(scope, protocol, kind, family)?;
        self.change_route(py, &spec, netns_core::Handle::route_del)
    }
}

/// The arguments of `route_add`/`route_del`, read while attached.
struct RouteArgs {
    dst: String,
    via: Option<String>,
    dev: Option<Dev>,
    table: Option<RouteTable>,
    metric: Option<u32>,
    src: Option<String>,
    scope: Option<u8>,
    protocol: Option<u8>,
    kind: Option<u8>,
    family: Option<Family>,
}

impl RouteArgs {
    fn new(
        dst: &Bound<'_, PyAny>,
        via: Option<&Bound<'_, PyAny>>,
        dev: Option<&Bound<'_, PyAny>>,
        table: Option<&Bound<'_, PyAny>>,
        metric: Option<u32>,
        src: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<RouteArgs> {
        Ok(RouteArgs {
            dst: ip_text(dst, "dst")?,
            via: via.map(|v| ip_text(v, "via")).transpose()?,
            dev: dev.map(|d| dev_arg(d, "dev")).transpose()?,
            table: table.map(table_arg).transpose()?,
            metric,
            src: src.map(|s| ip_text(s, "src")).transpose()?,
            scope: None,
            protocol: None,
            kind: None,
            family: None,
        })
    }

    /// Adds the scope, protocol, route type and family.
    fn with_kind(
        mut self,
        scope: Option<&Bound<'_, PyAny>>,
        protocol: Option<&Bound<'_, PyAny>>,
        kind: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
    ) -> PyResult<RouteArgs> {
        self.scope = scope
            .map(|s| named_u8(s, "scope", route::parse_scope))
            .transpose()?;
        self.protocol = protocol
            .map(|p| named_u8(p, "protocol", route::parse_protocol))
            .transpose()?;
        self.kind = kind
            .map(|k| named_u8(k, "route type", route::parse_type))
            .transpose()?;
        self.family = family_arg(family)?;
        Ok(self)
    }

    /// Parses the addresses and resolves the link (on the handle: the
    /// link is looked up in its namespace).
    fn build(&self, h: &mut netns_core::Handle) -> netns_core::Result<RouteSpec> {
        let mut spec = RouteSpec::towards(&self.dst)?;
        if let Some(v) = &self.via {
            spec = spec.via(parse_ip(v, "gateway")?);
        }
        if let Some(d) = &self.dev {
            spec = spec.dev(h.resolve_link(d.as_id())?.get());
        }
        if let Some(t) = self.table {
            spec = spec.table(t);
        }
        if let Some(m) = self.metric {
            spec = spec.metric(m);
        }
        if let Some(s) = &self.src {
            spec = spec.src(parse_ip(s, "source address")?);
        }
        if let Some(s) = self.scope {
            spec = spec.scope(s);
        }
        if let Some(p) = self.protocol {
            spec = spec.protocol(p);
        }
        if let Some(f) = self.family {
            spec = spec.family(f);
        }
        spec.kind = self.kind;
        Ok(spec)
    }
}
