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

use netns_core::addr::{Family, IpNet};
use netns_core::link::{
    CreatedLink as CoreCreated, IfIndex, LinkAdd, LinkChange, LinkId, LinkRef, MacAddr,
};
use netns_core::netlink::BatchError;
use netns_core::route::{self, RouteSpec, RouteTable};
use netns_core::{Error, ErrorKind, NetNs};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString, PyTuple};

use crate::errors::CoreResultExt;
use crate::namespace::{lock, Namespace};
use crate::values::{Address, CreatedLink, Link, Route};

/// A link named by the caller: its name or its index.
enum Dev {
    Name(String),
    Index(IfIndex),
}

impl Dev {
    fn id(&self) -> LinkId<'_> {
        match self {
            Dev::Name(n) => LinkId::Name(n),
            Dev::Index(i) => LinkId::Index(*i),
        }
    }
}

/// `str` (a name) or `int` (an index) → [`Dev`].
fn dev_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Dev> {
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
fn ip_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
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

fn parse_ip(text: &str, what: &'static str) -> netns_core::Result<IpAddr> {
    text.parse().map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            "parse",
            format!("{what} {text:?}"),
        )
        .with_detail("expected an IPv4 or IPv6 address")
    })
}

fn parse_mac(text: &str) -> netns_core::Result<MacAddr> {
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

fn ns_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Arc<NetNs>>> {
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

fn mac_text(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
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
        mac: l.address().map(mac_text),
        master: l.master().map(IfIndex::get),
        link: l.link().map(IfIndex::get),
        link_netnsid: l.link_netnsid().map(|n| n.get()),
        txqlen: l.txqlen(),
        carrier: l.carrier(),
        qdisc: l.qdisc().map(str::to_owned),
        alias: l.alias().map(str::to_owned),
    }
}

fn name_or_number(name: Option<&'static str>, n: u8) -> String {
    name.map(str::to_owned).unwrap_or_else(|| n.to_string())
}

/// Options of a new link.
struct NewLink {
    mtu: Option<u32>,
    mac: Option<String>,
    up: bool,
}

impl NewLink {
    fn apply<'a>(&self, mut add: LinkAdd<'a>) -> netns_core::Result<LinkAdd<'a>> {
        if let Some(m) = self.mtu {
            add = add.mtu(m);
        }
        if let Some(mac) = &self.mac {
            add = add.address(parse_mac(mac)?);
        }
        if self.up {
            add = add.up();
        }
        Ok(add)
    }
}

/// A veth pair to create with ``Handle.links_add``: ``name`` in the
/// handle's namespace (up in the same message with ``up=True``), its
/// ``peer`` born in ``peer_ns`` when given (never created and moved).
/// Names and MAC addresses are checked here (``InvalidArgumentError``).
#[pyclass(frozen, module = "netns")]
pub(crate) struct Veth {
    name: String,
    peer: String,
    peer_ns: Option<Arc<NetNs>>,
    mtu: Option<u32>,
    peer_mtu: Option<u32>,
    mac: Option<MacAddr>,
    peer_mac: Option<MacAddr>,
    up: bool,
}

impl Veth {
    fn link_add(&self) -> LinkAdd<'_> {
        let mut add = LinkAdd::veth(&self.name, &self.peer);
        if let Some(ns) = &self.peer_ns {
            add = add.peer_netns(ns);
        }
        if let Some(m) = self.mtu {
            add = add.mtu(m);
        }
        if let Some(m) = self.peer_mtu {
            add = add.peer_mtu(m);
        }
        if let Some(m) = self.mac {
            add = add.address(m);
        }
        if let Some(m) = self.peer_mac {
            add = add.peer_address(m);
        }
        if self.up {
            add = add.up();
        }
        add
    }
}

#[pymethods]
impl Veth {
    #[new]
    #[pyo3(signature = (name, peer, peer_ns=None, *, mtu=None, peer_mtu=None, mac=None, peer_mac=None, up=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        name: String,
        peer: String,
        peer_ns: Option<&Bound<'_, PyAny>>,
        mtu: Option<u32>,
        peer_mtu: Option<u32>,
        mac: Option<&str>,
        peer_mac: Option<&str>,
        up: bool,
    ) -> PyResult<Veth> {
        let veth = Veth {
            peer_ns: ns_arg(peer_ns)?,
            mac: mac.map(parse_mac).transpose().py(py)?,
            peer_mac: peer_mac.map(parse_mac).transpose().py(py)?,
            name,
            peer,
            mtu,
            peer_mtu,
            up,
        };
        veth.link_add().message().py(py)?;
        Ok(veth)
    }

    /// The name of the end created in the handle's namespace.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The peer's name.
    #[getter]
    fn peer(&self) -> &str {
        &self.peer
    }

    /// Whether ``name`` is brought up by the creating message.
    #[getter]
    fn up(&self) -> bool {
        self.up
    }

    fn __repr__(&self) -> String {
        let mut text = format!("Veth({:?}, {:?}", self.name, self.peer);
        if self.peer_ns.is_some() {
            text.push_str(", peer_ns=<Namespace>");
        }
        if self.up {
            text.push_str(", up=True");
        }
        text.push(')');
        text
    }
}

/// A bridge to create with ``Handle.links_add`` (up with ``up=True``).
#[pyclass(frozen, module = "netns")]
pub(crate) struct Bridge {
    name: String,
    mtu: Option<u32>,
    mac: Option<MacAddr>,
    up: bool,
}

impl Bridge {
    fn link_add(&self) -> LinkAdd<'_> {
        let mut add = LinkAdd::bridge(&self.name);
        if let Some(m) = self.mtu {
            add = add.mtu(m);
        }
        if let Some(m) = self.mac {
            add = add.address(m);
        }
        if self.up {
            add = add.up();
        }
        add
    }
}

#[pymethods]
impl Bridge {
    #[new]
    #[pyo3(signature = (name, *, mtu=None, mac=None, up=false))]
    fn new(
        py: Python<'_>,
        name: String,
        mtu: Option<u32>,
        mac: Option<&str>,
        up: bool,
    ) -> PyResult<Bridge> {
        let bridge = Bridge {
            mac: mac.map(parse_mac).transpose().py(py)?,
            name,
            mtu,
            up,
        };
        bridge.link_add().message().py(py)?;
        Ok(bridge)
    }

    /// The bridge's name.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// Whether the bridge is brought up by the creating message.
    #[getter]
    fn up(&self) -> bool {
        self.up
    }

    fn __repr__(&self) -> String {
        let up = if self.up { ", up=True" } else { "" };
        format!("Bridge({:?}{up})", self.name)
    }
}

/// A link spec taken from a ``links_add`` argument.
enum Spec {
    Veth(Py<Veth>),
    Bridge(Py<Bridge>),
}

impl Spec {
    fn link_add(&self) -> LinkAdd<'_> {
        match self {
            Spec::Veth(v) => v.get().link_add(),
            Spec::Bridge(b) => b.get().link_add(),
        }
    }
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

    /// Runs `f` on the core handle with the GIL released.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut netns_core::Handle) -> netns_core::Result<T> + Send,
    ) -> PyResult<T> {
        let result = py.detach(|| lock(&self.inner).as_mut().map(f));
        match result {
            None => Err(PyValueError::new_err("operation on a closed Handle")),
            Some(r) => r.py(py),
        }
    }
}

impl Handle {
    /// Runs the batch `f` on the core handle with the GIL released; its
    /// failure carries the failing entry's index (``batch_index``).
    fn with_batch<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut netns_core::Handle) -> Result<T, BatchError> + Send,
    ) -> PyResult<T> {
        let result = py.detach(|| lock(&self.inner).as_mut().map(f));
        match result {
            None => Err(PyValueError::new_err("operation on a closed Handle")),
            Some(r) => r.map_err(|e| crate::errors::batch_to_py(py, e)),
        }
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
        self.with(py, |h| Ok(link_of(&h.link(dev.id())?)))
    }

    /// Creates a veth pair ``name`` ↔ ``peer``; the peer is born in
    /// ``peer_ns`` when given (never created here and moved), the first end
    /// in ``ns`` when given (else in this handle's namespace).
    #[pyo3(signature = (name, peer, peer_ns=None, *, ns=None, mtu=None, peer_mtu=None, mac=None, peer_mac=None, up=false))]
    #[allow(clippy::too_many_arguments)]
    fn veth(
        &self,
        py: Python<'_>,
        name: &str,
        peer: &str,
        peer_ns: Option<&Bound<'_, PyAny>>,
        ns: Option<&Bound<'_, PyAny>>,
        mtu: Option<u32>,
        peer_mtu: Option<u32>,
        mac: Option<String>,
        peer_mac: Option<String>,
        up: bool,
    ) -> PyResult<()> {
        let peer_ns = ns_arg(peer_ns)?;
        let ns = ns_arg(ns)?;
        let opts = NewLink { mtu, mac, up };
        self.with(py, |h| {
            let mut add = opts.apply(LinkAdd::veth(name, peer))?;
            if let Some(p) = &peer_ns {
                add = add.peer_netns(p);
            }
            if let Some(n) = &ns {
                add = add.netns(n);
            }
            if let Some(m) = peer_mtu {
                add = add.peer_mtu(m);
            }
            if let Some(m) = &peer_mac {
                add = add.peer_address(parse_mac(m)?);
            }
            h.link_add(&add)
        })
    }

    /// Creates a bridge.
    #[pyo3(signature = (name, *, mtu=None, mac=None, up=false))]
    fn bridge(
        &self,
        py: Python<'_>,
        name: &str,
        mtu: Option<u32>,
        mac: Option<String>,
        up: bool,
    ) -> PyResult<()> {
        let opts = NewLink { mtu, mac, up };
        self.with(py, |h| h.link_add(&opts.apply(LinkAdd::bridge(name))?))
    }

    /// Creates a dummy device (needs the kernel's ``dummy`` driver:
    /// ``UnsupportedError`` without it).
    #[pyo3(signature = (name, *, mtu=None, mac=None, up=false))]
    fn dummy(
        &self,
        py: Python<'_>,
        name: &str,
        mtu: Option<u32>,
        mac: Option<String>,
        up: bool,
    ) -> PyResult<()> {
        let opts = NewLink { mtu, mac, up };
        self.with(py, |h| h.link_add(&opts.apply(LinkAdd::dummy(name))?))
    }

    /// Changes link ``dev`` (a name, or an index: no lookup either way
    /// unless renaming by name) with one ``RTM_SETLINK``: ``up`` (True/False),
    /// ``mtu``, ``name`` (rename), ``mac``, ``master`` (a name or index;
    /// ``nomaster=True`` to leave it), ``netns`` (a Namespace or a pid:
    /// moves the link).
    #[pyo3(signature = (dev, *, up=None, mtu=None, name=None, mac=None, master=None, nomaster=false, netns=None))]
    #[allow(clippy::too_many_arguments)]
    fn link_set(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        up: Option<bool>,
        mtu: Option<u32>,
        name: Option<String>,
        mac: Option<String>,
        master: Option<&Bound<'_, PyAny>>,
        nomaster: bool,
        netns: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        let master = master.map(|m| dev_arg(m, "master")).transpose()?;
        let target = netns.map(target_arg).transpose()?;
        self.with(py, |h| {
            let master = match &master {
                Some(m) => Some(h.resolve_link(m.id())?),
                None => None,
            };
            let mut change = LinkChange::new(dev.id());
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
            if let Some(m) = &mac {
                change = change.address(parse_mac(m)?);
            }
            if let Some(m) = master {
                change = change.master(m);
            }
            if nomaster {
                change = change.nomaster();
            }
            match &target {
                Some(Target::Ns(ns)) => change = change.netns(ns),
                Some(Target::Pid(pid)) => change = change.netns_pid(*pid),
                None => {}
            }
            h.link_set(&change)
        })
    }

    /// Creates many links (``Veth`` and ``Bridge`` specs) in as few
    /// ``send`` calls as possible (up to 128 requests each), in order, with
    /// the GIL released, and returns what the kernel gave each one: a
    /// ``CreatedLink(index, peer)`` per spec, read from the kernel's echo
    /// (no lookup). ``peer`` is a veth peer's index in the namespace it was
    /// born in (e.g. the host end, in root, of a veth created inside a
    /// namespace with ``peer_ns=netns.current()``).
    ///
    /// On failure the exception's ``batch_index`` is the first failing
    /// spec: those before it were created; the kernel goes on past a
    /// refusal within one ``send``, so later ones of that ``send`` may have
    /// been created too; none after it were sent.
    fn links_add(&self, py: Python<'_>, links: &Bound<'_, PyAny>) -> PyResult<Vec<CreatedLink>> {
        let specs = each(links, |item| {
            if let Ok(v) = item.cast::<Veth>() {
                return Ok(Spec::Veth(v.clone().unbind()));
            }
            if let Ok(b) = item.cast::<Bridge>() {
                return Ok(Spec::Bridge(b.clone().unbind()));
            }
            Err(PyTypeError::new_err(format!(
                "links_add takes Veth or Bridge specs, not {}",
                item.get_type().name()?
            )))
        })?;
        let created = self.with_batch(py, |h| {
            let adds: Vec<LinkAdd<'_>> = specs.iter().map(Spec::link_add).collect();
            h.links_add_indexed(&adds)
        })?;
        Ok(created.into_iter().map(created_of).collect())
    }

    /// Brings every link of ``devs`` (names or indexes; an index needs no
    /// lookup, nor does a name) up (``up=True``) or down, one
    /// ``RTM_SETLINK`` each, in as few ``send`` calls as possible, with the
    /// GIL released. Failure as ``links_add``.
    #[pyo3(signature = (devs, *, up))]
    fn links_set(&self, py: Python<'_>, devs: &Bound<'_, PyAny>, up: bool) -> PyResult<()> {
        let devs = each(devs, |d| dev_arg(d, "dev"))?;
        self.with_batch(py, |h| {
            let changes: Vec<LinkChange<'_>> = devs
                .iter()
                .map(|d| {
                    let c = LinkChange::new(d.id());
                    if up {
                        c.up()
                    } else {
                        c.down()
                    }
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
                    Dev::Name(_) => h.resolve_link(dev.id()).map_err(at(i))?,
                };
                pairs.push((index.get(), net));
            }
            h.addresses_add(&pairs)
        })
    }

    /// Deletes link ``dev`` (both ends of a veth pair).
    fn link_delete(&self, py: Python<'_>, dev: &Bound<'_, PyAny>) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| h.link_delete(dev.id()))
    }

    // ----- addresses -----------------------------------------------------

    /// Adds ``address`` (``"10.1.1.1/24"`` or an ``ipaddress`` interface) to
    /// link ``dev``, as ``ip addr add``.
    fn address_add(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        let text = ip_text(address, "address")?;
        self.with(py, |h| {
            let net = parse_net(&text)?;
            let index = h.resolve_link(dev.id())?;
            h.address_add(index.get(), net)
        })
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
            let index = h.resolve_link(dev.id())?;
            h.address_del(index.get(), net)
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
                filter = filter.ifindex(h.resolve_link(d.id())?.get());
            }
            let owned: Vec<netns_core::addr::Address> =
                h.addresses(filter)?.map(|a| a.to_owned()).collect();
            let names = names_if(h, !owned.is_empty())?;
            Ok(owned
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
                    })
                })
                .collect())
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
    /// ``ip route add``.
    #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None, src=None))]
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
    ) -> PyResult<()> {
        let spec = SpecArgs::new(dst, via, dev, table, metric, src)?;
        self.with(py, |h| {
            let route = spec.build(h)?;
            h.route_add(&route)
        })
    }

    /// Adds or replaces a route (as ``ip route replace``); arguments as
    /// ``route_add``.
    #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None, src=None))]
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
    ) -> PyResult<()> {
        let spec = SpecArgs::new(dst, via, dev, table, metric, src)?;
        self.with(py, |h| {
            let route = spec.build(h)?;
            h.route_replace(&route)
        })
    }

    /// Deletes the first route matching the arguments (unset ones match
    /// anything), as ``ip route del``.
    #[pyo3(signature = (dst, *, via=None, dev=None, table=None, metric=None))]
    fn route_del(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        via: Option<&Bound<'_, PyAny>>,
        dev: Option<&Bound<'_, PyAny>>,
        table: Option<&Bound<'_, PyAny>>,
        metric: Option<u32>,
    ) -> PyResult<()> {
        let spec = SpecArgs::new(dst, via, dev, table, metric, None)?;
        self.with(py, |h| {
            let route = spec.build(h)?;
            h.route_del(&route)
        })
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
        })
    }

    /// Parses the addresses and resolves the link (on the handle: the
    /// link is looked up in its namespace).
    fn build(&self, h: &mut netns_core::Handle) -> netns_core::Result<RouteSpec> {
        let mut spec = if self.dst == "default" {
            RouteSpec::default_route()
        } else {
            RouteSpec::to(parse_net(&self.dst)?)
        };
        if let Some(v) = &self.via {
            spec = spec.via(parse_ip(v, "gateway")?);
        }
        if let Some(d) = &self.dev {
            spec = spec.dev(h.resolve_link(d.id())?.get());
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
        Ok(spec)
    }
}

/// A ``Handle`` on the calling thread's current network namespace.
#[pyfunction]
pub(crate) fn handle(py: Python<'_>) -> PyResult<Handle> {
    let h = py.detach(netns_core::Handle::current).py(py)?;
    Ok(Handle::new(h))
}
