//! `Handle`: links, addresses and routes of one namespace over its rtnetlink
//! socket.
//!
//! The core handle sits behind a mutex, so one `Handle` can be shared by
//! threads (their requests are serialised on its socket). Every method
//! releases the GIL first and only then takes the mutex, so a thread holding
//! the mutex never waits for the GIL.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use std::os::fd::AsFd;

use netns_core::addr::{AddressOptions, Broadcast, Family, IpNet};
use netns_core::link::{CreatedLink as CoreCreated, HwAddr, IfIndex, LinkChange, LinkRef, MacAddr};
use netns_core::netlink::BatchError;
use netns_core::nsid;
use netns_core::route::{self, RouteSpec, RouteTable};
use netns_core::{Error, ErrorKind, NetNs};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString, PyTuple};

use crate::errors::CoreResultExt;
use crate::namespace::{lock, Namespace};
use crate::specs::{Bridge, Dummy, LinkSpec, Veth};
use crate::values::{Address, CreatedLink, Link, Route};

pub(crate) use netns_core::link::Dev;

/// `str` (a name) or `int` (an index) → [`Dev`].
pub(crate) fn dev_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Dev> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Dev::Name(s.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyInt>() {
        let i: u32 = obj.extract()?;
        return IfIndex::new(i).map(Dev::Index).ok_or_else(|| {
            PyValueError::new_err(format!("{what}: interface index 0 names no link"))
        });
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be an interface name (str) or index (int), not {}",
        obj.get_type().name()?
    )))
}

/// `str`, or an `ipaddress` object (`IPv4Address`, `IPv4Interface`,
/// `IPv4Network` …), as text.
pub(crate) fn ip_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    let module: String = obj.get_type().getattr("__module__")?.extract()?;
    if module == "ipaddress" {
        return Ok(obj.str()?.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a str or an ipaddress object, not {}",
        obj.get_type().name()?
    )))
}

fn parse_net(text: &str) -> netns_core::Result<IpNet> {
    text.parse()
}

pub(crate) fn parse_ip(text: &str, what: &'static str) -> netns_core::Result<IpAddr> {
    text.parse().map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            "parse",
            format!("{what} {text:?}"),
        )
        .with_detail("expected an IPv4 or IPv6 address")
    })
}

pub(crate) fn parse_mac(text: &str) -> netns_core::Result<MacAddr> {
    text.parse()
}

/// `"main"`, `"local"`, `"default"` or a number → a table.
fn table_arg(obj: &Bound<'_, PyAny>) -> PyResult<RouteTable> {
    if obj.is_instance_of::<PyInt>() {
        let id: u32 = obj.extract()?;
        return RouteTable::new(id)
            .ok_or_else(|| PyValueError::new_err("table 0 is not a routing table"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()?
            .parse()
            .map_err(|e: Error| crate::errors::to_py(obj.py(), e));
    }
    Err(PyTypeError::new_err(format!(
        "table must be an int or a name (main, local, default), not {}",
        obj.get_type().name()?
    )))
}

fn family_arg(family: Option<&str>) -> PyResult<Option<Family>> {
    match family {
        None => Ok(None),
        Some("inet" | "ipv4" | "4") => Ok(Some(Family::Inet)),
        Some("inet6" | "ipv6" | "6") => Ok(Some(Family::Inet6)),
        Some(other) => Err(PyValueError::new_err(format!(
            "family must be 'inet' or 'inet6', not {other:?}"
        ))),
    }
}

/// Where `link_set(netns=…)` moves a link.
enum Target {
    Ns(Arc<NetNs>),
    Pid(u32),
}

fn target_arg(obj: &Bound<'_, PyAny>) -> PyResult<Target> {
    if let Ok(ns) = obj.cast::<Namespace>() {
        return Ok(Target::Ns(ns.get().get()?));
    }
    if obj.is_instance_of::<PyInt>() {
        return Ok(Target::Pid(obj.extract()?));
    }
    Err(PyTypeError::new_err(format!(
        "netns must be a Namespace or a process id, not {}",
        obj.get_type().name()?
    )))
}

pub(crate) fn ns_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Arc<NetNs>>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => match o.cast::<Namespace>() {
            Ok(ns) => Ok(Some(ns.get().get()?)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "expected a Namespace, not {}",
                o.get_type().name()?
            ))),
        },
    }
}

fn family_name(f: Option<Family>) -> String {
    f.map(|f| f.name().to_owned())
        .unwrap_or_else(|| "unspec".into())
}

fn link_of(l: &LinkRef<'_>) -> Link {
    let flags = l.flags();
    Link {
        index: l.index().get(),
        name: l.name().to_owned(),
        kind: l.kind().map(str::to_owned),
        up: flags.is_up(),
        flags: flags.bits(),
        operstate: l.operstate().to_string(),
        mtu: l.mtu(),
        mac: l
            .address()
            .map(|b| HwAddr::new(l.link_type(), b).to_string()),
        master: l.master().map(IfIndex::get),
        link: l.link().map(IfIndex::get),
        link_netnsid: l.link_netnsid().map(|n| n.get()),
        txqlen: l.txqlen(),
        carrier: l.carrier(),
        qdisc: l.qdisc().map(str::to_owned),
        alias: l.alias().map(str::to_owned),
        group: l.group(),
        promiscuity: l.promiscuity(),
    }
}

fn name_or_number(name: Option<&'static str>, n: u8) -> String {
    name.map(str::to_owned).unwrap_or_else(|| n.to_string())
}

fn created_of(c: CoreCreated) -> CreatedLink {
    CreatedLink {
        index: c.index.map(IfIndex::get),
        peer: c.peer.map(IfIndex::get),
    }
}

/// The entries of an iterable argument, converted by `convert`.
fn each<T>(
    items: &Bound<'_, PyAny>,
    mut convert: impl FnMut(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    for item in items.try_iter()? {
        out.push(convert(&item?)?);
    }
    Ok(out)
}

/// An rtnetlink handle bound to one network namespace (from
/// ``Namespace.handle()`` or ``netns.handle()``): links, addresses, routes.
///
/// Safe to share between threads (requests are serialised on its socket);
/// ``close()`` is idempotent; a context manager.
#[pyclass(frozen, module = "netns")]
pub(crate) struct Handle {
    inner: Mutex<Option<netns_core::Handle>>,
}

impl Handle {
    pub(crate) fn new(h: netns_core::Handle) -> Handle {
        Handle {
            inner: Mutex::new(Some(h)),
        }
    }

    /// Runs `f` on the core handle with the GIL released (`ValueError`
    /// once closed).
    fn on_handle<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut netns_core::Handle) -> R + Send,
    ) -> PyResult<R> {
        py.detach(|| lock(&self.inner).as_mut().map(f))
            .ok_or_else(|| PyValueError::new_err("operation on a closed Handle"))
    }

    /// Runs `f` on the core handle with the GIL released; its error
    /// translated once.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut netns_core::Handle) -> netns_core::Result<T> + Send,
    ) -> PyResult<T> {
        self.on_handle(py, f)?.py(py)
    }

    /// Runs the batch `f` on the core handle with the GIL released; its
    /// failure carries the failing entry's index (``batch_index``).
    fn with_batch<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut netns_core::Handle) -> Result<T, BatchError> + Send,
    ) -> PyResult<T> {
        self.on_handle(py, f)?
            .map_err(|e| crate::errors::batch_to_py(py, e))
    }

    /// Builds the route of `spec` on the core handle (its link looked up
    /// there) and runs `op` on it, with the GIL released.
    fn change_route(
        &self,
        py: Python<'_>,
        spec: &SpecArgs,
        op: fn(&mut netns_core::Handle, &RouteSpec) -> netns_core::Result<()>,
    ) -> PyResult<()> {
        self.with(py, |h| {
            let route = spec.build(h)?;
            op(h, &route)
        })
    }
}

/// The error of entry `index` of a batch that was not sent.
fn at(index: usize) -> impl FnOnce(Error) -> BatchError {
    move |error| BatchError {
        index,
        sent: 0,
        error,
    }
}

/// The interface names of `h`'s namespace, when some index needs one.
/// Python address objects from the core's, devices named from `names`.
fn address_objects(
    owned: Vec<netns_core::addr::Address>,
    names: &BTreeMap<u32, String>,
) -> Vec<Address> {
    owned
        .into_iter()
        .filter_map(|a| {
            let ip = a.ip()?;
            Some(Address {
                index: a.ifindex,
                dev: names.get(&a.ifindex).cloned(),
                family: family_name(a.family),
                address: ip.to_string(),
                prefixlen: a.prefix_len,
                cidr: format!("{ip}/{}", a.prefix_len),
                scope: name_or_number(route::scope_name(a.scope), a.scope),
                label: a.label,
                broadcast: a.broadcast.map(|b| b.to_string()),
                flags: a.flags,
                metric: a.route_priority,
            })
        })
        .collect()
}

fn names_if(h: &mut netns_core::Handle, needed: bool) -> netns_core::Result<BTreeMap<u32, String>> {
    if needed {
        h.interface_names()
    } else {
        Ok(BTreeMap::new())
    }
}

#[pymethods]
impl Handle {
    /// True once ``close()`` was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> bool {
        py.detach(|| lock(&self.inner).is_none())
    }

    /// Closes the socket (idempotent).
    fn close(&self, py: Python<'_>) {
        let taken = py.detach(|| lock(&self.inner).take());
        drop(taken);
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        if self.closed(py) {
            "<Handle closed>".into()
        } else {
            "<Handle>".into()
        }
    }

    // ----- links ---------------------------------------------------------

    /// Every link of the namespace (one ``RTM_GETLINK`` dump).
    fn links(&self, py: Python<'_>) -> PyResult<Vec<Link>> {
        self.with(py, |h| Ok(h.links()?.map(|l| link_of(&l)).collect()))
    }

    /// One link, by name or index (one ``RTM_GETLINK`` request, no dump).
    fn link(&self, py: Python<'_>, dev: &Bound<'_, PyAny>) -> PyResult<Link> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| Ok(link_of(&h.link(dev.as_id())?)))
    }

    /// Creates one link from a spec (``Veth``, ``Bridge``, ``Dummy``,
    /// ``Ifb``, ``MacVlan``, ``Vxlan``): one ``RTM_NEWLINK``, the links it
    /// names by name looked up first. Returns what the kernel gave it, read
    /// from its echo: ``CreatedLink(index, peer)``.
    fn link_add(&self, py: Python<'_>, spec: &Bound<'_, LinkSpec>) -> PyResult<CreatedLink> {
        let spec = spec.clone().unbind();
        let mut created = self.with(py, |h| {
            h.links_add_specs(std::slice::from_ref(&spec.get().spec.core))
                .map_err(|e| e.error)
        })?;
        Ok(created.pop().map(created_of).unwrap_or(CreatedLink {
            index: None,
            peer: None,
        }))
    }

    /// Creates a veth pair ``name`` ↔ ``peer``: ``link_add(Veth(...))``
    /// with the same arguments (the peer born in ``peer_ns`` when given,
    /// the first end in ``ns``).
    #[pyo3(signature = (name, peer, peer_ns=None, *, ns=None, mtu=None, peer_mtu=None, mac=None, peer_mac=None, up=false))]
    #[allow(clippy::too_many_arguments)]
    fn veth(
        &self,
        py: Python<'_>,
        name: String,
        peer: String,
        peer_ns: Option<&Bound<'_, PyAny>>,
        ns: Option<&Bound<'_, PyAny>>,
        mtu: Option<u32>,
        peer_mtu: Option<u32>,
        mac: Option<&str>,
        peer_mac: Option<&str>,
        up: bool,
    ) -> PyResult<()> {
        let spec = Bound::new(
            py,
            Veth::new(
                py, name, peer, peer_ns, peer_mtu, peer_mac, None, mtu, mac, None, None, None, ns,
                up,
            )?,
        )?;
        self.link_add(py, spec.as_super()).map(drop)
    }

    /// Creates a bridge: ``link_add(Bridge(...))``.
    #[pyo3(signature = (name, *, mtu=None, mac=None, up=false))]
    fn bridge(
        &self,
        py: Python<'_>,
        name: String,
        mtu: Option<u32>,
        mac: Option<&str>,
        up: bool,
    ) -> PyResult<()> {
        let spec = Bound::new(
            py,
            Bridge::new(py, name, mtu, mac, None, None, None, None, up)?,
        )?;
        self.link_add(py, spec.as_super()).map(drop)
    }

    /// Creates a dummy device: ``link_add(Dummy(...))`` (needs the
    /// kernel's ``dummy`` driver: ``UnsupportedError`` without it).
    #[pyo3(signature = (name, *, mtu=None, mac=None, up=false))]
    fn dummy(
        &self,
        py: Python<'_>,
        name: String,
        mtu: Option<u32>,
        mac: Option<&str>,
        up: bool,
    ) -> PyResult<()> {
        let spec = Bound::new(
            py,
            Dummy::new(py, name, mtu, mac, None, None, None, None, up)?,
        )?;
        self.link_add(py, spec.as_super()).map(drop)
    }

    /// Changes link ``dev`` (a name, or an index: no lookup either way
    /// unless renaming by name) with one ``RTM_SETLINK``: ``up`` (True/False),
    /// ``mtu``, ``name`` (rename), ``mac``, ``master`` (a name or index;
    /// ``nomaster=True`` to leave it), ``txqlen``, ``group`` (the device
    /// group; see ``link_delete_group``), ``netns`` (a Namespace or a pid:
    /// moves the link).
    #[pyo3(signature = (dev, *, up=None, mtu=None, name=None, mac=None, master=None, nomaster=false, txqlen=None, group=None, netns=None))]
    #[allow(clippy::too_many_arguments)]
    fn link_set(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        up: Option<bool>,
        mtu: Option<u32>,
        name: Option<String>,
        mac: Option<&str>,
        master: Option<&Bound<'_, PyAny>>,
        nomaster: bool,
        txqlen: Option<u32>,
        group: Option<u32>,
        netns: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        let master = master.map(|m| dev_arg(m, "master")).transpose()?;
        let target = netns.map(target_arg).transpose()?;
        let mac = mac.map(parse_mac).transpose().py(py)?;
        self.with(py, |h| {
            let master = match &master {
                Some(m) => Some(h.resolve_link(m.as_id())?),
                None => None,
            };
            let mut change = LinkChange::new(dev.as_id());
            match up {
                Some(true) => change = change.up(),
                Some(false) => change = change.down(),
                None => {}
            }
            if let Some(m) = mtu {
                change = change.mtu(m);
            }
            if let Some(n) = &name {
                change = change.name(n);
            }
            if let Some(m) = mac {
                change = change.address(m);
            }
            if let Some(m) = master {
                change = change.master(m);
            }
            if nomaster {
                change = change.nomaster();
            }
            if let Some(t) = txqlen {
                change = change.txqlen(t);
            }
            if let Some(g) = group {
                change = change.group(g);
            }
            match &target {
                Some(Target::Ns(ns)) => change = change.netns(ns),
                Some(Target::Pid(pid)) => change = change.netns_pid(*pid),
                None => {}
            }
            h.link_set(&change)
        })
    }

    /// Creates many links (specs: ``Veth``, ``Bridge``, ``MacVlan`` …) in
    /// as few ``send`` calls as possible (up to 128 requests each), in
    /// order, with the GIL released, and returns what the kernel gave each
    /// one: a ``CreatedLink(index, peer)`` per spec, read from the kernel's
    /// echo (no lookup). ``peer`` is a veth peer's index in the namespace it
    /// was born in (e.g. the host end, in root, of a veth created inside a
    /// namespace with ``peer_ns=netns.current()``). Links named by name
    /// (``master``, ``parent``) are looked up first.
    ///
    /// On failure the exception's ``batch_index`` is the first failing
    /// spec: those before it were created; the kernel goes on past a
    /// refusal within one ``send``, so later ones of that ``send`` may have
    /// been created too; none after it were sent.
    fn links_add(&self, py: Python<'_>, links: &Bound<'_, PyAny>) -> PyResult<Vec<CreatedLink>> {
        let specs = each(links, |item| match item.cast::<LinkSpec>() {
            Ok(spec) => Ok(spec.clone().unbind()),
            Err(_) => Err(PyTypeError::new_err(format!(
                "links_add takes link specs (Veth, Bridge, MacVlan …), not {}",
                item.get_type().name()?
            ))),
        })?;
        let cores: Vec<_> = specs.iter().map(|s| s.get().spec.core.clone()).collect();
        let created = self.with_batch(py, |h| h.links_add_specs(&cores))?;
        Ok(created.into_iter().map(created_of).collect())
    }

    /// Changes every link of ``devs`` (names or indexes; neither needs a
    /// lookup) with one ``RTM_SETLINK`` each: up (``up=True``) or down,
    /// and/or into device ``group`` (see ``link_delete_group``), in as few
    /// ``send`` calls as possible, with the GIL released. Failure as
    /// ``links_add``.
    #[pyo3(signature = (devs, *, up=None, group=None))]
    fn links_set(
        &self,
        py: Python<'_>,
        devs: &Bound<'_, PyAny>,
        up: Option<bool>,
        group: Option<u32>,
    ) -> PyResult<()> {
        if up.is_none() && group.is_none() {
            return Err(PyValueError::new_err("links_set needs up= or group="));
        }
        let devs = each(devs, |d| dev_arg(d, "dev"))?;
        self.with_batch(py, |h| {
            let changes: Vec<LinkChange<'_>> = devs
                .iter()
                .map(|d| {
                    let mut c = LinkChange::new(d.as_id());
                    match up {
                        Some(true) => c = c.up(),
                        Some(false) => c = c.down(),
                        None => {}
                    }
                    if let Some(g) = group {
                        c = c.group(g);
                    }
                    c
                })
                .collect();
            let mut requests = Vec::with_capacity(changes.len());
            for (i, c) in changes.iter().enumerate() {
                requests.push(c.request().map_err(at(i))?);
            }
            h.socket().batch(&requests)
        })
    }

    /// Adds many addresses: ``(dev, address)`` pairs (``dev`` a name or an
    /// index; ``address`` as ``address_add`` takes it), in order, in as few
    /// ``send`` calls as possible, with the GIL released. Indexes need no
    /// lookup; each name is looked up once. Every address is parsed first.
    /// Failure as ``links_add``.
    fn addresses_add(&self, py: Python<'_>, addresses: &Bound<'_, PyAny>) -> PyResult<()> {
        let items = each(addresses, |item| {
            let (dev, address): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            Ok((dev_arg(&dev, "dev")?, ip_text(&address, "address")?))
        })?;
        self.with_batch(py, |h| {
            let mut pairs = Vec::with_capacity(items.len());
            for (i, (dev, text)) in items.iter().enumerate() {
                let net = parse_net(text).map_err(at(i))?;
                let index = match dev {
                    Dev::Index(x) => *x,
                    Dev::Name(_) => h.resolve_link(dev.as_id()).map_err(at(i))?,
                };
                pairs.push((index.get(), net));
            }
            h.addresses_add(&pairs)
        })
    }

    /// Deletes link ``dev`` (both ends of a veth pair).
    fn link_delete(&self, py: Python<'_>, dev: &Bound<'_, PyAny>) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| h.link_delete(dev.as_id()))
    }

    /// Deletes every link in device ``group`` with one ``RTM_DELLINK``, as
    /// ``ip link del group N``: the kernel pays its synchronisation once for
    /// the group, not once per link. Put links in a group with
    /// ``link_set(dev, group=N)`` or ``links_set(devs, group=N)``. Group 0
    /// (every link's default) is refused (``InvalidArgumentError``); no
    /// link in the group is ``NotFoundError``.
    fn link_delete_group(&self, py: Python<'_>, group: u32) -> PyResult<()> {
        self.with(py, |h| h.link_delete_group(group))
    }

    /// Sets the alias of link ``dev`` (``IFLA_IFALIAS``, as ``ip link set
    /// dev X alias TEXT``; at most 255 bytes); ``''`` removes it.
    fn link_set_alias(&self, py: Python<'_>, dev: &Bound<'_, PyAny>, alias: &str) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| h.link_set_alias(dev.as_id(), alias))
    }

    /// Turns promiscuous mode of link ``dev`` on or off (``IFF_PROMISC``,
    /// as ``ip link set dev X promisc on``).
    fn link_set_promisc(&self, py: Python<'_>, dev: &Bound<'_, PyAny>, on: bool) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| h.link_set_promisc(dev.as_id(), on))
    }

    /// Turns hairpin mode of bridge port ``dev`` on or off (the bridge
    /// sends a frame back out of the port it came in on), as ``bridge link
    /// set dev X hairpin on``.
    fn bridge_port_set_hairpin(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        on: bool,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| h.bridge_port_set_hairpin(dev.as_id(), on))
    }

    // ----- addresses -----------------------------------------------------

    /// Adds ``address`` (``"10.1.1.1/24"`` or an ``ipaddress`` interface) to
    /// link ``dev``, as ``ip addr add``; ``broadcast`` (``'+'``: host bits
    /// set, ``'-'``: clear, or an IPv4 address), ``scope`` (a name such as
    /// ``'link'``, or a number), ``label`` (IPv4: the link's name, or it
    /// followed by ``:`` and more), ``metric`` (of the prefix route),
    /// ``flags`` (``IFA_F_*`` bits, e.g. ``0x02`` nodad).
    #[pyo3(signature = (dev, address, *, broadcast=None, scope=None, label=None, metric=None, flags=0))]
    #[allow(clippy::too_many_arguments)]
    fn address_add(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
        broadcast: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        label: Option<String>,
        metric: Option<u32>,
        flags: u32,
    ) -> PyResult<()> {
        let args = AddressArgs::new(dev, address, broadcast, scope, label, metric, flags, false)?;
        self.with(py, |h| args.add(h))
    }

    /// Adds ``address`` or replaces it if the link has it already (as ``ip
    /// addr replace``, e.g. to change its options); arguments as
    /// ``address_add``.
    #[pyo3(signature = (dev, address, *, broadcast=None, scope=None, label=None, metric=None, flags=0))]
    #[allow(clippy::too_many_arguments)]
    fn address_replace(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
        broadcast: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        label: Option<String>,
        metric: Option<u32>,
        flags: u32,
    ) -> PyResult<()> {
        let args = AddressArgs::new(dev, address, broadcast, scope, label, metric, flags, true)?;
        self.with(py, |h| args.add(h))
    }

    /// Removes ``address`` from link ``dev``.
    fn address_del(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        let text = ip_text(address, "address")?;
        self.with(py, |h| {
            let net = parse_net(&text)?;
            let index = h.resolve_link(dev.as_id())?;
            h.address_del(index.get(), net)
        })
    }

    /// Removes every address of ``family`` (``'inet'``, ``'inet6'``; both
    /// when None) from link ``dev``, as ``ip addr flush dev X``: one
    /// filtered dump, then the deletes in one batch (IPv4 secondaries
    /// first). Returns how many were removed.
    #[pyo3(signature = (dev, *, family=None))]
    fn address_flush(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        family: Option<&str>,
    ) -> PyResult<usize> {
        let dev = dev_arg(dev, "dev")?;
        let family = family_arg(family)?;
        self.with(py, |h| {
            let index = h.resolve_link(dev.as_id())?;
            h.address_flush(index.get(), family)
        })
    }

    /// The addresses of link ``dev`` (every link when None), of ``family``
    /// (``'inet'``, ``'inet6'``; both when None), filtered by the kernel.
    #[pyo3(signature = (dev=None, *, family=None))]
    fn addresses(
        &self,
        py: Python<'_>,
        dev: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
    ) -> PyResult<Vec<Address>> {
        let dev = dev.map(|d| dev_arg(d, "dev")).transpose()?;
        let family = family_arg(family)?;
        self.with(py, |h| {
            let mut filter = netns_core::addr::AddressFilter::new();
            if let Some(f) = family {
                filter = filter.family(f);
            }
            if let Some(d) = &dev {
                filter = filter.ifindex(h.resolve_link(d.as_id())?.get());
            }
            let owned: Vec<netns_core::addr::Address> =
                h.addresses(filter)?.map(|a| a.to_owned()).collect();
            let names = names_if(h, !owned.is_empty())?;
            Ok(address_objects(owned, &names))
        })
    }

    /// Every link and every address, as ``(links(), addresses())`` gives
    /// them, in two dumps instead of three: the link dump also names the
    /// addresses' devices (``addresses()`` dumps the links for that).
    fn links_and_addresses(&self, py: Python<'_>) -> PyResult<(Vec<Link>, Vec<Address>)> {
        self.with(py, |h| {
            let links: Vec<Link> = h.links()?.map(|l| link_of(&l)).collect();
            let names: BTreeMap<u32, String> =
                links.iter().map(|l| (l.index, l.name.clone())).collect();
            let owned: Vec<netns_core::addr::Address> = h
                .addresses(netns_core::addr::AddressFilter::new())?
                .map(|a| a.to_owned())
                .collect();
            Ok((links, address_objects(owned, &names)))
        })
    }

    // ----- routes --------------------------------------------------------

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
        self.with(py, |h| {
            let owned: Vec<netns_core::route::Route> =
                h.routes(table, family)?.map(|r| r.to_owned()).collect();
            let names = names_if(h, owned.iter().any(|r| r.oif.is_some()))?;
            Ok(owned
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
                .collect())
        })
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
        let spec = SpecArgs::new(dst, via, dev, table, metric, src)?
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
        let spec = SpecArgs::new(dst, via, dev, table, metric, src)?
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
        let spec = SpecArgs::new(dst, via, dev, table, metric, None)?
            .with_kind(scope, protocol, kind, family)?;
        self.change_route(py, &spec, netns_core::Handle::route_del)
    }

    // ----- nsids ---------------------------------------------------------

    /// The nsid this handle's namespace gives namespace ``ns``
    /// (``RTM_GETNSID``), or None when it has none.
    fn nsid(&self, py: Python<'_>, ns: &Bound<'_, Namespace>) -> PyResult<Option<i32>> {
        let ns = ns.get().get()?;
        self.with(py, |h| {
            Ok(nsid::get(h.socket(), ns.as_fd())?.map(|n| n.get()))
        })
    }

    /// Assigns nsid ``id`` to namespace ``ns`` in this handle's namespace
    /// (``RTM_NEWNSID``; None: the kernel chooses), as ``ip netns set``
    /// run inside it. Returns the nsid it has now.
    #[pyo3(signature = (ns, id=None))]
    fn set_nsid(
        &self,
        py: Python<'_>,
        ns: &Bound<'_, Namespace>,
        id: Option<i32>,
    ) -> PyResult<Option<i32>> {
        let id = id.map(crate::namespace::nsid).transpose()?;
        let ns = ns.get().get()?;
        self.with(py, |h| {
            nsid::set(h.socket(), ns.as_fd(), id)?;
            Ok(nsid::get(h.socket(), ns.as_fd())?.map(|n| n.get()))
        })
    }
}

/// A name such as ``ip`` prints (parsed by `parse`) or a number, for the
/// one-byte route and address fields.
fn named_u8(obj: &Bound<'_, PyAny>, what: &str, parse: fn(&str) -> Option<u8>) -> PyResult<u8> {
    if obj.is_instance_of::<PyInt>() {
        return obj.extract();
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_cow()?;
        return parse(&text)
            .ok_or_else(|| PyValueError::new_err(format!("unknown {what} {text:?}")));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a name (str) or a number (int), not {}",
        obj.get_type().name()?
    )))
}

/// The arguments of `address_add`/`address_replace`, read while attached.
struct AddressArgs {
    dev: Dev,
    address: String,
    broadcast: Option<String>,
    opts: AddressOptions,
}

impl AddressArgs {
    #[allow(clippy::too_many_arguments)]
    fn new(
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
        broadcast: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        label: Option<String>,
        metric: Option<u32>,
        flags: u32,
        replace: bool,
    ) -> PyResult<AddressArgs> {
        let mut opts = AddressOptions::new().replace(replace);
        if let Some(s) = scope {
            opts = opts.scope(named_u8(s, "scope", route::parse_scope)?);
        }
        if let Some(m) = metric {
            opts = opts.metric(m);
        }
        opts.label = label;
        opts.flags = flags;
        Ok(AddressArgs {
            dev: dev_arg(dev, "dev")?,
            address: ip_text(address, "address")?,
            broadcast: broadcast.map(|b| ip_text(b, "broadcast")).transpose()?,
            opts,
        })
    }

    /// Parses, resolves the link on `h` and sends.
    fn add(&self, h: &mut netns_core::Handle) -> netns_core::Result<()> {
        let net = parse_net(&self.address)?;
        let mut opts = self.opts.clone();
        if let Some(b) = &self.broadcast {
            opts = opts.broadcast(match b.as_str() {
                "+" => Broadcast::HostBitsSet,
                "-" => Broadcast::HostBitsClear,
                other => match parse_ip(other, "broadcast address")? {
                    IpAddr::V4(a) => Broadcast::Explicit(a),
                    IpAddr::V6(_) => {
                        return Err(Error::new(
                            ErrorKind::InvalidArgument,
                            "parse",
                            format!("broadcast address {other:?}"),
                        )
                        .with_detail("a broadcast address is IPv4"))
                    }
                },
            });
        }
        let index = h.resolve_link(self.dev.as_id())?;
        h.address_add_with(index.get(), net, &opts)
    }
}

/// The arguments of `route_add`/`route_del`, read while attached.
struct SpecArgs {
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

impl SpecArgs {
    fn new(
        dst: &Bound<'_, PyAny>,
        via: Option<&Bound<'_, PyAny>>,
        dev: Option<&Bound<'_, PyAny>>,
        table: Option<&Bound<'_, PyAny>>,
        metric: Option<u32>,
        src: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<SpecArgs> {
        Ok(SpecArgs {
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
    ) -> PyResult<SpecArgs> {
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

/// A ``Handle`` on the calling thread's current network namespace.
#[pyfunction]
pub(crate) fn handle(py: Python<'_>) -> PyResult<Handle> {
    let h = py.detach(netns_core::Handle::current).py(py)?;
    Ok(Handle::new(h))
}

/// One ``Handle`` in each of ``namespaces``, in order, all opened from one
/// short-lived thread that enters them in turn (``Namespace.handle()``
/// spends a thread per namespace); the calling thread never moves.
#[pyfunction]
pub(crate) fn handles(py: Python<'_>, namespaces: &Bound<'_, PyAny>) -> PyResult<Vec<Handle>> {
    let nss = each(namespaces, |item| match item.cast::<Namespace>() {
        Ok(ns) => ns.get().get(),
        Err(_) => Err(PyTypeError::new_err(format!(
            "handles takes Namespace objects, not {}",
            item.get_type().name()?
        ))),
    })?;
    let hs = py
        .detach(|| {
            let refs: Vec<&NetNs> = nss.iter().map(|n| n.as_ref()).collect();
            NetNs::handles(&refs)
        })
        .py(py)?;
    Ok(hs.into_iter().map(Handle::new).collect())
}
