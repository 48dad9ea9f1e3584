//! Events (``ip monitor``): ``netns.subscribe(groups, netns=None)`` and
//! ``Namespace.subscribe(groups)`` return a ``Subscription`` over the
//! core's (`netns_core::event::Subscription`, opened inside the namespace
//! and bound to it); events are read in place and converted to the same
//! value classes as the dumps (``Link``, ``Address``, ``Route``,
//! ``Neighbour``, ``Rule``), waiting with the GIL released.

use std::collections::BTreeMap;
use std::os::fd::AsRawFd;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use netns_core::event::{Event as CoreEvent, EventGroup, EventRef, Object, ObjectRef};
use netns_core::link::{HwAddr, IfIndex};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};
use pyo3::IntoPyObjectExt;

use crate::args::{each, ns_arg};
use crate::errors::CoreResultExt;
use crate::handle::{address_objects, link_of, route_objects};
use crate::namespace::{lock, Namespace};
use crate::objects::{neighbour_of, rule_of, stats_of, Neighbour, Rule};
use crate::values::{Address, Link, Route};

/// How long a wait lasts with the GIL released before signals are looked
/// at (a Ctrl-C raises ``KeyboardInterrupt`` within this time).
const SLICE: Duration = Duration::from_millis(100);

/// The object of an event, converted while detached.
enum Got {
    Link(Link),
    Address(Address),
    Route(Route),
    Neighbour(Neighbour),
    Rule(Rule),
    Nsid(Option<i32>),
    Overrun,
}

/// One event: ``kind`` is ``'new'``, ``'del'`` or ``'overrun'`` (the kernel
/// dropped events because they were not read fast enough: call
/// ``Subscription.resync()``); ``object`` the ``Link``, ``Address``,
/// ``Route``, ``Neighbour`` or ``Rule`` (an ``int`` nsid, or None, for an
/// nsid event; None for an overrun); ``group`` the object's word
/// (``'link'``, ``'address'``, ``'route'``, ``'neigh'``, ``'rule'``,
/// ``'nsid'``; ``''`` for an overrun).
#[pyclass(frozen, module = "netns")]
pub(crate) struct Event {
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    group: &'static str,
    #[pyo3(get)]
    object: Py<PyAny>,
}

#[pymethods]
impl Event {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let object = self.object.bind(py).repr()?;
        Ok(format!(
            "Event(kind={:?}, group={:?}, object={})",
            self.kind,
            self.group,
            object.to_cow()?
        ))
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<Event>() else {
            return Ok(false);
        };
        let other = other.get();
        Ok(self.kind == other.kind
            && self.group == other.group
            && self.object.bind(py).eq(other.object.bind(py))?)
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        let t = (self.kind, self.group, self.object.clone_ref(py)).into_pyobject(py)?;
        t.hash()
    }

    /// ``{'kind': …, 'group': …, 'object': …}`` (the object as its ``to_dict()``).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        d.set_item("kind", self.kind)?;
        d.set_item("group", self.group)?;
        let o = self.object.bind(py);
        if o.hasattr("to_dict")? {
            d.set_item("object", o.call_method0("to_dict")?)?;
        } else {
            d.set_item("object", o)?;
        }
        Ok(d)
    }
}

fn event_py(py: Python<'_>, kind: &'static str, got: Got) -> PyResult<Event> {
    let (group, object) = match got {
        Got::Link(l) => ("link", l.into_py_any(py)?),
        Got::Address(a) => ("address", a.into_py_any(py)?),
        Got::Route(r) => ("route", r.into_py_any(py)?),
        Got::Neighbour(n) => ("neigh", n.into_py_any(py)?),
        Got::Rule(r) => ("rule", r.into_py_any(py)?),
        Got::Nsid(n) => ("nsid", n.into_py_any(py)?),
        Got::Overrun => ("", py.None()),
    };
    let kind = if group.is_empty() { "overrun" } else { kind };
    Ok(Event {
        kind,
        group,
        object,
    })
}

/// A subscription and the interface names it has seen.
struct State {
    sub: netns_core::event::Subscription,
    names: BTreeMap<u32, String>,
}

impl State {
    /// The name of interface `index`, the names re-read once when unknown.
    fn names_for(&mut self, index: u32) -> &BTreeMap<u32, String> {
        if !self.names.contains_key(&index) {
            if let Ok(names) = self.sub.handle().interface_names() {
                self.names = names;
            }
        }
        &self.names
    }

    /// The next event, converted; `Ok(None)` when none came in `timeout`.
    fn next(&mut self, timeout: Duration) -> netns_core::Result<Option<(&'static str, Got)>> {
        let Some(event) = self.sub.next_ref(Some(timeout))? else {
            return Ok(None);
        };
        let (kind, object) = match event {
            EventRef::New(o) => ("new", o),
            EventRef::Del(o) => ("del", o),
            EventRef::Overrun => return Ok(Some(("overrun", Got::Overrun))),
            _ => return Ok(None),
        };
        // Owned before the names are looked up (the view borrows the buffer).
        let owned = match object {
            ObjectRef::Link(l) => {
                let link = link_of(&l);
                if kind == "new" {
                    self.names.insert(link.index, link.name.clone());
                }
                return Ok(Some((kind, Got::Link(link))));
            }
            other => other.to_owned(),
        };
        Ok(Some((kind, self.got(owned))))
    }

    /// The Python value of an owned object (not a link).
    fn got(&mut self, owned: Object) -> Got {
        match owned {
            Object::Link(l) => Got::Link(link_of_owned(&l)),
            Object::Address(a) => {
                let names = self.names_for(a.ifindex);
                match address_objects(vec![a], names).pop() {
                    Some(a) => Got::Address(a),
                    None => Got::Nsid(None),
                }
            }
            Object::Route(r) => {
                let none = BTreeMap::new();
                let names = match r.oif {
                    Some(i) => self.names_for(i),
                    None => &none,
                };
                match route_objects(vec![r], names).pop() {
                    Some(r) => Got::Route(r),
                    None => Got::Nsid(None),
                }
            }
            Object::Neigh(n) => {
                let names = self.names_for(n.ifindex);
                Got::Neighbour(neighbour_of(&n, names))
            }
            Object::Rule(r) => Got::Rule(rule_of(&r)),
            Object::Nsid(n) => Got::Nsid(n.nsid.map(|n| n.get())),
            _ => Got::Nsid(None),
        }
    }
}

/// The Python `Link` of an owned core link (from a resync).
fn link_of_owned(l: &netns_core::link::Link) -> Link {
    Link {
        index: l.index.get(),
        name: l.name.clone(),
        kind: l.kind.clone(),
        up: l.flags.is_up(),
        flags: l.flags.bits(),
        operstate: l.operstate.to_string(),
        mtu: l.mtu,
        mac: l
            .address
            .as_deref()
            .map(|b| HwAddr::new(l.link_type, b).to_string()),
        master: l.master.map(IfIndex::get),
        link: l.link.map(IfIndex::get),
        link_netnsid: l.link_netnsid.map(|n| n.get()),
        txqlen: l.txqlen,
        carrier: l.carrier,
        qdisc: l.qdisc.clone(),
        alias: l.alias.clone(),
        group: l.group,
        promiscuity: l.promiscuity,
        stats: l.stats64.as_ref().map(stats_of),
        altnames: l.altnames.clone(),
    }
}

/// A subscription to the events of one namespace (``ip monitor``): an
/// iterator of ``Event`` (blocking), ``next(timeout)``, ``fileno()`` for
/// ``selectors``/``asyncio`` (readable when events wait), ``resync()``
/// after an overrun; a context manager, ``close()`` idempotent.
#[pyclass(frozen, module = "netns")]
pub(crate) struct Subscription {
    inner: Mutex<Option<State>>,
    groups: Vec<&'static str>,
}

impl Subscription {
    fn new(sub: netns_core::event::Subscription, groups: Vec<&'static str>) -> Subscription {
        Subscription {
            inner: Mutex::new(Some(State {
                sub,
                names: BTreeMap::new(),
            })),
            groups,
        }
    }

    /// One wait of at most `timeout` with the GIL released; `Err(None)`
    /// once closed.
    fn wait(&self, py: Python<'_>, timeout: Duration) -> PyResult<Option<Option<Event>>> {
        let got = py.detach(|| lock(&self.inner).as_mut().map(|s| s.next(timeout)));
        match got {
            None => Ok(None),
            Some(r) => match r.py(py)? {
                None => Ok(Some(None)),
                Some((kind, got)) => Ok(Some(Some(event_py(py, kind, got)?))),
            },
        }
    }
}

/// The group words of `groups` (a word or an iterable of words).
fn groups_arg(groups: &Bound<'_, PyAny>) -> PyResult<(Vec<EventGroup>, Vec<&'static str>)> {
    let words: Vec<String> = if let Ok(s) = groups.cast::<PyString>() {
        vec![s.to_cow()?.into_owned()]
    } else {
        each(groups, |g| {
            g.extract::<String>().map_err(|_| {
                PyTypeError::new_err(
                    "groups must be words: link, address, route, neigh, rule, nsid, all",
                )
            })
        })?
    };
    let mut out = Vec::new();
    let mut names = Vec::new();
    for w in &words {
        for g in EventGroup::from_word(w).py(groups.py())? {
            if !out.contains(&g) {
                out.push(g);
            }
        }
    }
    for (word, probe) in [
        ("link", EventGroup::Link),
        ("address", EventGroup::Ipv4Address),
        ("route", EventGroup::Ipv4Route),
        ("neigh", EventGroup::Neigh),
        ("rule", EventGroup::Ipv4Rule),
        ("nsid", EventGroup::Nsid),
    ] {
        if out.contains(&probe) {
            names.push(word);
        }
    }
    Ok((out, names))
}

#[pymethods]
impl Subscription {
    /// The groups joined, as words.
    #[getter]
    fn groups(&self) -> Vec<&'static str> {
        self.groups.clone()
    }

    /// True once ``close()`` was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> bool {
        py.detach(|| lock(&self.inner).is_none())
    }

    /// The socket's descriptor, for ``selectors`` and event loops: readable
    /// when events wait (then ``next(0)`` returns one without waiting).
    fn fileno(&self, py: Python<'_>) -> PyResult<i32> {
        py.detach(|| lock(&self.inner).as_ref().map(|s| s.sub.as_raw_fd()))
            .ok_or_else(|| PyValueError::new_err("operation on a closed Subscription"))
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Waits (GIL released, signals handled) for the next event;
    /// ``StopIteration`` once closed.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Event>> {
        loop {
            match self.wait(py, SLICE)? {
                None => return Ok(None),
                Some(Some(e)) => return Ok(Some(e)),
                Some(None) => py.check_signals()?,
            }
        }
    }

    /// The next event, waiting at most ``timeout`` seconds (None: until one
    /// comes; 0: only what already waits); None when none came.
    /// ``ValueError`` once closed.
    #[pyo3(signature = (timeout=None))]
    fn next(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Event>> {
        let deadline = match timeout {
            None => None,
            Some(t) if t.is_finite() && t >= 0.0 => {
                Some(Instant::now() + Duration::from_secs_f64(t.min(1e9)))
            }
            Some(t) => return Err(PyValueError::new_err(format!("invalid timeout {t}"))),
        };
        loop {
            let left = deadline.map_or(SLICE, |d| d.saturating_duration_since(Instant::now()));
            match self.wait(py, left.min(SLICE))? {
                None => return Err(PyValueError::new_err("operation on a closed Subscription")),
                Some(Some(e)) => return Ok(Some(e)),
                Some(None) if deadline.is_some() && left.is_zero() => return Ok(None),
                Some(None) => py.check_signals()?,
            }
        }
    }

    /// The current state of every subscribed group as ``'new'`` events
    /// (one dump per group), for after an ``'overrun'`` event; events read
    /// afterwards may repeat part of it.
    fn resync(&self, py: Python<'_>) -> PyResult<Vec<Event>> {
        let got = py
            .detach(|| {
                let mut guard = lock(&self.inner);
                let state = guard.as_mut()?;
                Some(state.sub.resync().map(|events| {
                    events
                        .into_iter()
                        .filter_map(|e| match e {
                            CoreEvent::New(o) => Some(("new", state.got(o))),
                            CoreEvent::Del(o) => Some(("del", state.got(o))),
                            _ => None,
                        })
                        .collect::<Vec<_>>()
                }))
            })
            .ok_or_else(|| PyValueError::new_err("operation on a closed Subscription"))?
            .py(py)?;
        got.into_iter()
            .map(|(kind, g)| event_py(py, kind, g))
            .collect()
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
            "<Subscription closed>".into()
        } else {
            format!("<Subscription {}>", self.groups.join(" "))
        }
    }
}

/// Subscribes to the events of ``groups`` (``'link'``, ``'address'``,
/// ``'route'``, ``'neigh'``, ``'rule'``, ``'nsid'``, ``'all'``, or a list
/// of them) in ``netns`` (a ``Namespace``; the caller's namespace when
/// None), as ``ip monitor``.
#[pyfunction]
#[pyo3(signature = (groups, netns=None))]
pub(crate) fn subscribe(
    py: Python<'_>,
    groups: &Bound<'_, PyAny>,
    netns: Option<&Bound<'_, PyAny>>,
) -> PyResult<Subscription> {
    let (groups, words) = groups_arg(groups)?;
    let ns = ns_arg(netns)?;
    let sub = py
        .detach(|| match ns {
            Some(ns) => ns.subscribe(&groups),
            None => netns_core::event::Subscription::current(&groups),
        })
        .py(py)?;
    Ok(Subscription::new(sub, words))
}

#[pymethods]
impl Namespace {
    /// ``netns.subscribe(groups, netns=self)``.
    fn subscribe(&self, py: Python<'_>, groups: &Bound<'_, PyAny>) -> PyResult<Subscription> {
        let (groups, words) = groups_arg(groups)?;
        let ns = self.get()?;
        let sub = py.detach(|| ns.subscribe(&groups)).py(py)?;
        Ok(Subscription::new(sub, words))
    }
}
