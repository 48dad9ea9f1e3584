//! `Handle`'s route methods: list, add, replace, delete, look up (`ip
//! route get`), flush; and the `NextHop` class of multipath routes.

use std::collections::BTreeMap;

use netns_core::addr::Family;
use netns_core::link::{Dev, IfIndex};
use netns_core::route::{self, RouteFilter, RouteQuery, RouteSpec, RouteTable, RTNH_F_ONLINK};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use super::names::{family_name, name_or_number, names_if};
use super::Handle;
use crate::args::{dev_arg, each, family_arg, ip_text, named_u8, parse_ip, table_arg};
use crate::errors::CoreResultExt;
use crate::values::{NextHop, Route};

impl Handle {
    /// Builds the route of `spec` and runs `op` on it on the core handle,
    /// with the GIL released.
    fn change_route(
        &self,
        py: Python<'_>,
        spec: &RouteArgs,
        op: fn(&mut netns_core::Handle, &RouteSpec) -> netns_core::Result<()>,
    ) -> PyResult<()> {
        self.with(py, |h| {
            let route = spec.build()?;
            op(h, &route)
        })
    }
}

/// Python route objects from the core's, devices named from `names`.
pub(crate) fn route_objects(
    owned: Vec<netns_core::route::Route>,
    names: &BTreeMap<u32, String>,
) -> Vec<Route> {
    owned.into_iter().map(|r| route_object(r, names)).collect()
}

/// Whether naming the devices of `routes` needs the interface names.
fn needs_names<'a>(mut routes: impl Iterator<Item = &'a netns_core::route::Route>) -> bool {
    routes.any(|r| r.oif.is_some() || !r.nexthops.is_empty())
}

/// The index of a device the kernel reported.
fn dev_index(dev: &Option<Dev>) -> Option<u32> {
    match dev {
        Some(Dev::Index(i)) => Some(i.get()),
        _ => None,
    }
}

/// One Python route from the core's, devices named from `names`.
fn route_object(r: netns_core::route::Route, names: &BTreeMap<u32, String>) -> Route {
    let nexthops = r
        .nexthops
        .iter()
        .map(|h| {
            let oif = dev_index(&h.dev);
            NextHop {
                via: h.gateway.map(|g| g.to_string()),
                dev: oif.and_then(|i| names.get(&i).cloned()),
                oif,
                weight: h.weight.unwrap_or(1),
                onlink: h.flags & RTNH_F_ONLINK != 0,
                flags: h.flags,
            }
        })
        .collect();
    Route {
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
        nexthops,
        mtu: r.mtu,
        advmss: r.advmss,
        nhid: r.nhid,
        onlink: r.flags & RTNH_F_ONLINK != 0,
    }
}

/// A ``table`` argument where ``'all'`` means every table: `None` for
/// every table, else the table (`main` when not given).
fn table_or_all(table: Option<&Bound<'_, PyAny>>) -> PyResult<Option<RouteTable>> {
    match table {
        None => Ok(Some(RouteTable::MAIN)),
        Some(t)
            if t.cast::<PyString>()
                .is_ok_and(|s| s.to_cow().is_ok_and(|s| s == "all")) =>
        {
            Ok(None)
        }
        Some(t) => table_arg(t).map(Some),
    }
}

#[pymethods]
impl NextHop {
    /// One path of a multipath route: gateway ``via`` and/or device
    /// ``dev`` (a name, or an index as an ``int``), ``weight`` (1 to 256)
    /// and ``onlink``, as ``ip route add … nexthop via GW dev X weight N
    /// onlink`` takes them.
    #[new]
    #[pyo3(signature = (via=None, dev=None, *, weight=1, onlink=false))]
    fn new(
        py: Python<'_>,
        via: Option<&Bound<'_, PyAny>>,
        dev: Option<&Bound<'_, PyAny>>,
        weight: u16,
        onlink: bool,
    ) -> PyResult<NextHop> {
        let via = via
            .map(|v| -> PyResult<String> {
                let text = ip_text(v, "via")?;
                Ok(parse_ip(&text, "gateway").py(py)?.to_string())
            })
            .transpose()?;
        let (dev, oif) = match dev.map(|d| dev_arg(d, "dev")).transpose()? {
            None => (None, None),
            Some(Dev::Name(n)) => (Some(n), None),
            Some(Dev::Index(i)) => (None, Some(i.get())),
        };
        Ok(NextHop {
            via,
            dev,
            oif,
            weight,
            onlink,
            flags: if onlink { RTNH_F_ONLINK } else { 0 },
        })
    }
}

impl NextHop {
    /// The core's path: the device by name when there is one (so a path
    /// read in one namespace names the same device in another), else by
    /// index.
    fn to_core(&self) -> netns_core::Result<route::NextHop> {
        let mut hop = route::NextHop::default();
        if let Some(v) = &self.via {
            hop = route::NextHop::via(parse_ip(v, "gateway")?);
        }
        if let Some(n) = &self.dev {
            hop = hop.dev(n.as_str());
        } else if let Some(i) = self.oif.and_then(IfIndex::new) {
            hop = hop.dev(i);
        }
        Ok(hop.weight(self.weight).onlink(self.onlink))
    }
}

/// The ``nexthops`` argument: an iterable of ``NextHop``.
fn nexthops_arg(
    py: Python<'_>,
    nexthops: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<route::NextHop>> {
    let Some(items) = nexthops else {
        return Ok(Vec::new());
    };
    each(items, |item| match item.cast::<NextHop>() {
        Ok(hop) => hop.get().to_core().py(py),
        Err(_) => Err(PyTypeError::new_err(format!(
            "nexthops must hold NextHop objects, not {}",
            item.get_type().name()?
        ))),
    })
}

#[pymethods]
impl Handle {
    /// The routes of ``table`` (``'main'`` by default; a number, a name, or
    /// ``'all'``) and ``family`` (both when None), filtered by the kernel,
    /// then by ``ip route show``'s selectors, each given one must match:
    /// ``dev`` (the route's own device), ``via`` (its own gateway), ``src``
    /// (its preferred source lies in this prefix), ``protocol``, ``scope``,
    /// ``kind`` (names as ``ip`` prints them, or numbers), ``metric``, and
    /// the destination: ``root`` (routes inside the prefix), ``match``
    /// (routes containing it), ``exact`` (that prefix; ``'default'``).
    #[pyo3(signature = (*, table=None, family=None, dev=None, via=None, src=None, protocol=None, scope=None, kind=None, metric=None, root=None, r#match=None, exact=None))]
    #[allow(clippy::too_many_arguments)]
    fn routes(
        &self,
        py: Python<'_>,
        table: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
        dev: Option<&Bound<'_, PyAny>>,
        via: Option<&Bound<'_, PyAny>>,
        src: Option<&Bound<'_, PyAny>>,
        protocol: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        kind: Option<&Bound<'_, PyAny>>,
        metric: Option<u32>,
        root: Option<&Bound<'_, PyAny>>,
        r#match: Option<&Bound<'_, PyAny>>,
        exact: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Route>> {
        let filter = Selectors {
            table,
            family,
            dev,
            via,
            src,
            protocol,
            scope,
            kind,
            metric,
            root,
            matching: r#match,
            exact,
        }
        .read()?;
        let (routes, consistent) = self.with(py, |h| {
            let filter = filter.build()?;
            let dump = h.routes_matching(&filter)?;
            let consistent = dump.is_consistent();
            let owned: Vec<netns_core::route::Route> = dump.map(|r| r.to_owned()).collect();
            let names = names_if(h, needs_names(owned.iter()))?;
            Ok((route_objects(owned, &names), consistent))
        })?;
        crate::errors::warn_if_inconsistent(py, consistent, "routes")?;
        Ok(routes)
    }

    /// Adds a route to ``dst`` (``'default'``, ``'10.2.0.0/16'`` or an
    /// ``ipaddress`` network) via gateway ``via`` and/or link ``dev``, as
    /// ``ip route add``; ``table``, ``metric``, ``src`` (preferred source),
    /// ``scope``, ``protocol`` and ``kind`` (the route type: ``'unicast'``,
    /// ``'local'``, ``'blackhole'`` …) take names as ``ip`` prints them or
    /// numbers; ``family`` (``'inet6'``) for a default route with no
    /// address to tell. A ``local``, ``broadcast``, ``anycast`` or ``nat``
    /// route goes to table ``local`` unless ``table`` is given, as ``ip``
    /// puts it. ``nexthops`` (``NextHop`` objects) makes a multipath route;
    /// ``onlink``, ``mtu``, ``advmss`` and ``nhid`` (a nexthop object) as
    /// ``ip route add`` takes them.
    #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None, src=None, scope=None, protocol=None, kind=None, family=None, nexthops=None, onlink=false, mtu=None, advmss=None, nhid=None, exist_ok=false))]
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
        nexthops: Option<&Bound<'_, PyAny>>,
        onlink: bool,
        mtu: Option<u32>,
        advmss: Option<u32>,
        nhid: Option<u32>,
        exist_ok: bool,
    ) -> PyResult<bool> {
        let spec = RouteArgs::new(dst, via, dev, table, metric, src)?
            .with_kind(scope, protocol, kind, family)?
            .with_paths(py, nexthops, onlink, mtu, advmss, nhid)?;
        // exist_ok: an identical existing route is accepted (see
        // netns_core::ensure); returns whether the route was added.
        self.with(py, |h| {
            let route = spec.build()?;
            if exist_ok {
                h.route_add_exist_ok(&route)
            } else {
                h.route_add(&route).map(|()| true)
            }
        })
    }

    /// Deletes the first route matching the arguments (unset ones match
    /// anything), as ``ip route del``; a ``local`` (``broadcast`` …) route
    /// is looked for in table ``local`` unless ``table`` is given.
    #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None, scope=None, protocol=None, kind=None, family=None, nexthops=None, onlink=false, mtu=None, advmss=None, nhid=None, missing_ok=false))]
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
        nexthops: Option<&Bound<'_, PyAny>>,
        onlink: bool,
        mtu: Option<u32>,
        advmss: Option<u32>,
        nhid: Option<u32>,
        missing_ok: bool,
    ) -> PyResult<bool> {
        let spec = RouteArgs::new(dst, via, dev, table, metric, None)?
            .with_kind(scope, protocol, kind, family)?
            .with_paths(py, nexthops, onlink, mtu, advmss, nhid)?;
        // missing_ok: no such route is accepted; returns whether one went.
        self.with(py, |h| {
            let route = spec.build()?;
            if missing_ok {
                h.route_del_missing_ok(&route)
            } else {
                h.route_del(&route).map(|()| true)
            }
        })
    }

    /// The route a packet to ``dst`` (an address) would take, as ``ip
    /// route get`` asks the kernel (``RTM_GETROUTE`` for one address):
    /// with source address ``src`` (``from``), arriving on ``iif``, leaving
    /// by ``oif``, with firewall mark ``mark``; ``fibmatch`` gives the FIB
    /// entry that matched instead of the resolved route. Raises the
    /// kernel's refusal (``Network is unreachable``) when none matches.
    #[pyo3(signature = (dst, *, src=None, iif=None, oif=None, mark=None, fibmatch=false))]
    #[allow(clippy::too_many_arguments)]
    fn route_get(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        src: Option<&Bound<'_, PyAny>>,
        iif: Option<&Bound<'_, PyAny>>,
        oif: Option<&Bound<'_, PyAny>>,
        mark: Option<u32>,
        fibmatch: bool,
    ) -> PyResult<Route> {
        let to = ip_text(dst, "dst")?;
        let from = src.map(|s| ip_text(s, "src")).transpose()?;
        let iif = iif.map(|d| dev_arg(d, "iif")).transpose()?;
        let oif = oif.map(|d| dev_arg(d, "oif")).transpose()?;
        self.with(py, |h| {
            let mut query = RouteQuery::to(parse_ip(&to, "destination")?).fibmatch(fibmatch);
            if let Some(a) = from {
                query = query.from(parse_ip(&a, "source address")?);
            }
            if let Some(d) = iif {
                query = query.iif(d);
            }
            if let Some(d) = oif {
                query = query.oif(d);
            }
            if let Some(m) = mark {
                query = query.mark(m);
            }
            let r = h.route_get(&query)?;
            let names = names_if(h, needs_names(std::iter::once(&r)))?;
            Ok(route_object(r, &names))
        })
    }

    /// Deletes the routes ``routes()`` would list with the same arguments,
    /// as ``ip route flush`` (one dump, one batch of deletes; cached routes
    /// are left alone). Returns how many were deleted.
    #[pyo3(signature = (*, table=None, family=None, dev=None, via=None, src=None, protocol=None, scope=None, kind=None, metric=None, root=None, r#match=None, exact=None))]
    #[allow(clippy::too_many_arguments)]
    fn route_flush(
        &self,
        py: Python<'_>,
        table: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
        dev: Option<&Bound<'_, PyAny>>,
        via: Option<&Bound<'_, PyAny>>,
        src: Option<&Bound<'_, PyAny>>,
        protocol: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        kind: Option<&Bound<'_, PyAny>>,
        metric: Option<u32>,
        root: Option<&Bound<'_, PyAny>>,
        r#match: Option<&Bound<'_, PyAny>>,
        exact: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<usize> {
        let filter = Selectors {
            table,
            family,
            dev,
            via,
            src,
            protocol,
            scope,
            kind,
            metric,
            root,
            matching: r#match,
            exact,
        }
        .read()?;
        self.with(py, |h| h.route_flush(&filter.build()?))
    }
}

/// The selectors of `routes` and `route_flush`, as Python gave them.
struct Selectors<'a, 'py> {
    table: Option<&'a Bound<'py, PyAny>>,
    family: Option<&'a str>,
    dev: Option<&'a Bound<'py, PyAny>>,
    via: Option<&'a Bound<'py, PyAny>>,
    src: Option<&'a Bound<'py, PyAny>>,
    protocol: Option<&'a Bound<'py, PyAny>>,
    scope: Option<&'a Bound<'py, PyAny>>,
    kind: Option<&'a Bound<'py, PyAny>>,
    metric: Option<u32>,
    root: Option<&'a Bound<'py, PyAny>>,
    matching: Option<&'a Bound<'py, PyAny>>,
    exact: Option<&'a Bound<'py, PyAny>>,
}

/// The selectors read while attached; addresses and prefixes parsed by the
/// core ([`FilterArgs::build`]).
struct FilterArgs {
    filter: RouteFilter,
    via: Option<String>,
    prefixes: [Option<String>; 4],
}

impl Selectors<'_, '_> {
    fn read(&self) -> PyResult<FilterArgs> {
        let mut filter = RouteFilter::new();
        match table_or_all(self.table)? {
            Some(t) => filter = filter.table(t),
            None => filter.all_tables = true,
        }
        filter.family = family_arg(self.family)?;
        if let Some(d) = self.dev {
            filter = filter.dev(dev_arg(d, "dev")?);
        }
        if let Some(p) = self.protocol {
            filter = filter.protocol(named_u8(p, "protocol", route::parse_protocol)?);
        }
        filter.scope = self
            .scope
            .map(|s| named_u8(s, "scope", route::parse_scope))
            .transpose()?;
        filter.kind = self
            .kind
            .map(|k| named_u8(k, "route type", route::parse_type))
            .transpose()?;
        filter.metric = self.metric;
        let text = |v: Option<&Bound<'_, PyAny>>, what| v.map(|v| ip_text(v, what)).transpose();
        Ok(FilterArgs {
            filter,
            via: text(self.via, "via")?,
            prefixes: [
                text(self.src, "src")?,
                text(self.root, "root")?,
                text(self.matching, "match")?,
                text(self.exact, "exact")?,
            ],
        })
    }
}

impl FilterArgs {
    fn build(&self) -> netns_core::Result<RouteFilter> {
        let mut filter = self.filter.clone();
        if let Some(v) = &self.via {
            filter = filter.via(parse_ip(v, "gateway")?);
        }
        let [src, root, matching, exact] = self
            .prefixes
            .clone()
            .map(|p| p.map(|p| route::parse_selector(&p)).transpose());
        (filter.src, filter.root, filter.matching, filter.exact) = (src?, root?, matching?, exact?);
        Ok(filter)
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
    nexthops: Vec<route::NextHop>,
    onlink: bool,
    mtu: Option<u32>,
    advmss: Option<u32>,
    nhid: Option<u32>,
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
            nexthops: Vec::new(),
            onlink: false,
            mtu: None,
            advmss: None,
            nhid: None,
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

    /// Adds the paths, `onlink`, the metrics and the nexthop object.
    fn with_paths(
        mut self,
        py: Python<'_>,
        nexthops: Option<&Bound<'_, PyAny>>,
        onlink: bool,
        mtu: Option<u32>,
        advmss: Option<u32>,
        nhid: Option<u32>,
    ) -> PyResult<RouteArgs> {
        self.nexthops = nexthops_arg(py, nexthops)?;
        self.onlink = onlink;
        self.mtu = mtu;
        self.advmss = advmss;
        self.nhid = nhid;
        Ok(self)
    }

    /// The spec, its addresses parsed (the handle looks the link up in its
    /// namespace when the spec is sent).
    fn build(&self) -> netns_core::Result<RouteSpec> {
        let mut spec = RouteSpec::towards(&self.dst)?;
        if let Some(v) = &self.via {
            spec = spec.via(parse_ip(v, "gateway")?);
        }
        if let Some(d) = &self.dev {
            spec = spec.dev(d.clone());
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
        for hop in &self.nexthops {
            spec = spec.nexthop(hop.clone());
        }
        if let Some(m) = self.mtu {
            spec = spec.mtu(m);
        }
        if let Some(m) = self.advmss {
            spec = spec.advmss(m);
        }
        if let Some(id) = self.nhid {
            spec = spec.nhid(id);
        }
        Ok(spec.onlink(self.onlink))
    }
}

/// One `#[pymethods]` block per way of writing a route (`add`, `replace`,
/// `change`, `append`, `prepend`): the same arguments, one core operation
/// each.
macro_rules! route_write_method {
    ($name:ident, $op:path, $doc:expr) => {
        #[pymethods]
        impl Handle {
            #[doc = $doc]
            #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None, src=None, scope=None, protocol=None, kind=None, family=None, nexthops=None, onlink=false, mtu=None, advmss=None, nhid=None))]
            #[allow(clippy::too_many_arguments)]
            fn $name(
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
                nexthops: Option<&Bound<'_, PyAny>>,
                onlink: bool,
                mtu: Option<u32>,
                advmss: Option<u32>,
                nhid: Option<u32>,
            ) -> PyResult<()> {
                let spec = RouteArgs::new(dst, via, dev, table, metric, src)?
                    .with_kind(scope, protocol, kind, family)?
                    .with_paths(py, nexthops, onlink, mtu, advmss, nhid)?;
                self.change_route(py, &spec, $op)
            }
        }
    };
}

route_write_method!(
    route_replace,
    netns_core::Handle::route_replace,
    "Adds or replaces a route (as ``ip route replace``); arguments as
``route_add``."
);
route_write_method!(
    route_change,
    netns_core::Handle::route_change,
    "Changes an existing route (as ``ip route change``: the route with the
same destination, table and metric takes the new gateway, device and
attributes); ``NotFoundError`` when there is none. Arguments as
``route_add``."
);
route_write_method!(
    route_append,
    netns_core::Handle::route_append,
    "Adds a route after those with the same destination, table and metric
(as ``ip route append``; for IPv6 a path of the existing route). Arguments as
``route_add``."
);
route_write_method!(
    route_prepend,
    netns_core::Handle::route_prepend,
    "Adds a route before those with the same destination, table and metric
(as ``ip route prepend``). Arguments as ``route_add``."
);
