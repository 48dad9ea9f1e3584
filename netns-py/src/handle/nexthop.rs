//! `Handle`'s nexthop-object methods (``ip nexthop``): add, replace,
//! delete, get, list, flush. Arguments become the core's `NexthopSpec` /
//! `NexthopFilter`; results are `Nexthop`s whose `str()` is the core's
//! line.

use std::collections::BTreeMap;

use netns_core::nexthop::{
    parse_group, GroupMember, GroupType, Nexthop as CoreNexthop, NexthopFilter, NexthopSpec,
    Resilient,
};
use netns_core::route::parse_protocol;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyString, PyTuple};
use pyo3::IntoPyObjectExt;

use super::names::names_if;
use super::Handle;
use crate::args::{dev_arg, family_arg, ip_text, parse_ip};
use crate::errors::CoreResultExt;

/// A nexthop object (``RTM_NEWNEXTHOP``), as ``Handle.nexthops()`` returns
/// it; ``str()`` is the line ``ip nexthop show`` prints.
#[pyclass(frozen, eq, hash, module = "netns")]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Nexthop {
    /// The id.
    #[pyo3(get)]
    id: u32,
    /// ``'inet'``, ``'inet6'``, or None (a group).
    #[pyo3(get)]
    family: Option<String>,
    /// The gateway (``via``), or None.
    #[pyo3(get)]
    gateway: Option<String>,
    /// The output interface's name, or None.
    #[pyo3(get)]
    dev: Option<String>,
    /// The output interface's index, or None.
    #[pyo3(get)]
    oif: Option<u32>,
    /// ``onlink``.
    #[pyo3(get)]
    onlink: bool,
    /// A blackhole.
    #[pyo3(get)]
    blackhole: bool,
    /// An fdb nexthop.
    #[pyo3(get)]
    fdb: bool,
    /// The members of a group as ``(id, weight)`` pairs (weights 1 to
    /// 256); empty for a single nexthop.
    #[pyo3(get)]
    group: Vec<(u32, u16)>,
    /// ``'mpath'`` or ``'resilient'`` for a group, else None.
    #[pyo3(get)]
    group_type: Option<String>,
    /// A resilient group's bucket count, or None.
    #[pyo3(get)]
    buckets: Option<u16>,
    /// A resilient group's idle timer in whole seconds, or None.
    #[pyo3(get)]
    idle_timer: Option<u32>,
    /// A resilient group's unbalanced timer in whole seconds, or None.
    #[pyo3(get)]
    unbalanced_timer: Option<u32>,
    /// ``nh_protocol`` (0 unspec, 4 static …).
    #[pyo3(get)]
    protocol: u8,
    /// ``nh_scope`` (0 global, 253 link, 254 host).
    #[pyo3(get)]
    scope: u8,
    /// ``nh_flags`` (``RTNH_F_*``).
    #[pyo3(get)]
    flags: u32,
    /// What ``str()`` returns.
    line: String,
}

impl Nexthop {
    /// The Python `Nexthop` of the core's, its device named from `names`.
    fn of(n: &CoreNexthop, names: &BTreeMap<u32, String>) -> Nexthop {
        let dev = n.oif.and_then(|i| names.get(&i)).cloned();
        let res = n.resilient;
        Nexthop {
            id: n.id,
            family: n.family.map(|f| {
                if f == netns_core::addr::Family::Inet6 {
                    "inet6".to_owned()
                } else {
                    "inet".to_owned()
                }
            }),
            gateway: n.gateway.map(|g| g.to_string()),
            line: n.display(dev.as_deref()).to_string(),
            dev,
            oif: n.oif,
            onlink: n.is_onlink(),
            blackhole: n.blackhole,
            fdb: n.fdb,
            group: n.group.iter().map(|m| (m.id, m.weight)).collect(),
            group_type: n.group_type().map(|t| t.name().to_owned()),
            buckets: res.map(|r| r.buckets),
            idle_timer: res.map(|r| r.idle_timer / 100),
            unbalanced_timer: res.map(|r| r.unbalanced_timer / 100),
            protocol: n.protocol,
            scope: n.scope,
            flags: n.flags,
        }
    }

    /// `(name, value)` of every attribute, in order.
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Vec<(&'static str, Bound<'py, PyAny>)>> {
        Ok(vec![
            ("id", self.id.into_bound_py_any(py)?),
            ("family", self.family.clone().into_bound_py_any(py)?),
            ("gateway", self.gateway.clone().into_bound_py_any(py)?),
            ("dev", self.dev.clone().into_bound_py_any(py)?),
            ("oif", self.oif.into_bound_py_any(py)?),
            ("onlink", self.onlink.into_bound_py_any(py)?),
            ("blackhole", self.blackhole.into_bound_py_any(py)?),
            ("fdb", self.fdb.into_bound_py_any(py)?),
            ("group", self.group.clone().into_bound_py_any(py)?),
            ("group_type", self.group_type.clone().into_bound_py_any(py)?),
            ("buckets", self.buckets.into_bound_py_any(py)?),
            ("idle_timer", self.idle_timer.into_bound_py_any(py)?),
            (
                "unbalanced_timer",
                self.unbalanced_timer.into_bound_py_any(py)?,
            ),
            ("protocol", self.protocol.into_bound_py_any(py)?),
            ("scope", self.scope.into_bound_py_any(py)?),
            ("flags", self.flags.into_bound_py_any(py)?),
        ])
    }
}

#[pymethods]
impl Nexthop {
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let mut parts = Vec::new();
        for (k, v) in self.fields(py)? {
            parts.push(format!("{k}={}", v.repr()?.to_cow()?));
        }
        Ok(format!("Nexthop({})", parts.join(", ")))
    }

    fn __str__(&self) -> String {
        self.line.clone()
    }

    /// The attributes as a new dict (for JSON and the like).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (k, v) in self.fields(py)? {
            dict.set_item(PyString::intern(py, k), v)?;
        }
        Ok(dict)
    }
}

/// A protocol: a name as ``ip`` takes it (``'static'``) or a number.
fn protocol_arg(obj: &Bound<'_, PyAny>) -> PyResult<u8> {
    if obj.is_instance_of::<PyInt>() {
        return obj.extract();
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_cow()?;
        return parse_protocol(&text)
            .ok_or_else(|| PyValueError::new_err(format!("unknown protocol {text:?}")));
    }
    Err(PyTypeError::new_err(format!(
        "protocol must be a name (str) or a number (int), not {}",
        obj.get_type().name()?
    )))
}

/// A group: ``'1,10/2'`` as ``ip`` takes it, or a list of ids and
/// ``(id, weight)`` pairs.
fn group_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<GroupMember>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return parse_group(&s.to_cow()?).py(obj.py());
    }
    let mut out = Vec::new();
    for item in obj.try_iter()? {
        let item = item?;
        if item.is_instance_of::<PyInt>() {
            out.push(GroupMember::new(item.extract()?));
        } else if let Ok(t) = item.cast::<PyTuple>() {
            let (id, weight): (u32, u16) = t.extract()?;
            out.push(GroupMember::weighted(id, weight));
        } else {
            return Err(PyTypeError::new_err(
                "a group member is an id (int) or an (id, weight) tuple",
            ));
        }
    }
    Ok(out)
}

/// The arguments of one nexthop, read while attached.
struct NexthopArgs {
    spec: NexthopSpec,
    via: Option<String>,
}

impl NexthopArgs {
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: u32,
        via: Option<&Bound<'_, PyAny>>,
        dev: Option<&Bound<'_, PyAny>>,
        onlink: bool,
        blackhole: bool,
        fdb: bool,
        group: Option<&Bound<'_, PyAny>>,
        group_type: Option<&str>,
        buckets: Option<u16>,
        idle_timer: Option<u32>,
        unbalanced_timer: Option<u32>,
        protocol: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
        py: Python<'_>,
    ) -> PyResult<NexthopArgs> {
        let mut spec = NexthopSpec::new(id).onlink(onlink).fdb(fdb);
        if let Some(d) = dev {
            spec = spec.dev(dev_arg(d, "dev")?);
        }
        if blackhole {
            spec = spec.blackhole();
        }
        if let Some(g) = group {
            spec = spec.group(group_arg(g)?);
        }
        if let Some(t) = group_type {
            spec = spec.group_type(t.parse::<GroupType>().py(py)?);
        }
        let resilient = Resilient {
            buckets,
            idle_timer,
            unbalanced_timer,
        };
        if resilient != Resilient::default() {
            spec = spec.resilient(resilient);
        }
        if let Some(p) = protocol {
            spec = spec.protocol(protocol_arg(p)?);
        }
        if let Some(f) = family_arg(family)? {
            spec = spec.family(f);
        }
        Ok(NexthopArgs {
            spec,
            via: via.map(|v| ip_text(v, "via")).transpose()?,
        })
    }

    /// The core spec (the gateway parsed here, the device resolved by the
    /// handle).
    fn spec(&self) -> netns_core::Result<NexthopSpec> {
        let mut spec = self.spec.clone();
        if let Some(v) = &self.via {
            spec = spec.via(parse_ip(v, "gateway")?);
        }
        Ok(spec)
    }
}

/// The filter of ``nexthops`` and ``nexthop_flush``.
#[allow(clippy::too_many_arguments)]
fn filter_of(
    id: Option<u32>,
    dev: Option<&Bound<'_, PyAny>>,
    master: Option<&Bound<'_, PyAny>>,
    groups: bool,
    fdb: bool,
    protocol: Option<u8>,
    family: Option<&str>,
) -> PyResult<NexthopFilter> {
    let mut f = NexthopFilter::new().groups(groups).fdb(fdb);
    if let Some(i) = id {
        f = f.id(i);
    }
    if let Some(d) = dev {
        f = f.dev(dev_arg(d, "dev")?);
    }
    if let Some(m) = master {
        f = f.master(dev_arg(m, "master")?);
    }
    if let Some(p) = protocol {
        f = f.protocol(p);
    }
    if let Some(fam) = family_arg(family)? {
        f = f.family(fam);
    }
    Ok(f)
}

#[pymethods]
impl Handle {
    /// Deletes nexthop ``id`` (``ip nexthop del id ID``); routes using it
    /// go with it.
    fn nexthop_del(&self, py: Python<'_>, id: u32) -> PyResult<()> {
        self.with(py, |h| h.nexthop_del(id))
    }

    /// Nexthop ``id`` (``ip nexthop get id ID``: one ``RTM_GETNEXTHOP``).
    fn nexthop_get(&self, py: Python<'_>, id: u32) -> PyResult<Nexthop> {
        self.with(py, |h| {
            let n = h.nexthop_get(id)?;
            let names = names_if(h, n.oif.is_some())?;
            Ok(Nexthop::of(&n, &names))
        })
    }

    /// The nexthop objects (``ip nexthop show``), filtered by the kernel:
    /// ``id`` (one), ``dev``, ``master``, ``groups=True`` (groups only),
    /// ``fdb=True``; ``protocol`` (a number) and ``family`` too.
    #[pyo3(signature = (*, id=None, dev=None, master=None, groups=false, fdb=false, protocol=None, family=None))]
    #[allow(clippy::too_many_arguments)]
    fn nexthops(
        &self,
        py: Python<'_>,
        id: Option<u32>,
        dev: Option<&Bound<'_, PyAny>>,
        master: Option<&Bound<'_, PyAny>>,
        groups: bool,
        fdb: bool,
        protocol: Option<u8>,
        family: Option<&str>,
    ) -> PyResult<Vec<Nexthop>> {
        let filter = filter_of(id, dev, master, groups, fdb, protocol, family)?;
        self.with(py, |h| {
            let owned: Vec<CoreNexthop> = h.nexthops(&filter)?.map(|n| n.to_owned()).collect();
            let names = names_if(h, owned.iter().any(|n| n.oif.is_some()))?;
            Ok(owned.iter().map(|n| Nexthop::of(n, &names)).collect())
        })
    }

    /// Deletes the nexthops the filter selects (``ip nexthop flush``;
    /// arguments as ``nexthops``; with none, every nexthop, groups first);
    /// returns how many went.
    #[pyo3(signature = (*, id=None, dev=None, master=None, groups=false, fdb=false, protocol=None, family=None))]
    #[allow(clippy::too_many_arguments)]
    fn nexthop_flush(
        &self,
        py: Python<'_>,
        id: Option<u32>,
        dev: Option<&Bound<'_, PyAny>>,
        master: Option<&Bound<'_, PyAny>>,
        groups: bool,
        fdb: bool,
        protocol: Option<u8>,
        family: Option<&str>,
    ) -> PyResult<usize> {
        let filter = filter_of(id, dev, master, groups, fdb, protocol, family)?;
        self.with(py, |h| h.nexthop_flush(&filter))
    }
}

/// Registers the `Nexthop` class.
pub(crate) fn add_to_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Nexthop>()
}

/// One `#[pymethods]` block per way of writing a nexthop object (`add`,
/// `replace`): the same arguments, one core operation each.
macro_rules! nexthop_write_method {
    ($name:ident, $op:path, $doc:expr) => {
        #[pymethods]
        impl Handle {
            #[doc = $doc]
            #[pyo3(signature = (id=0, *, via=None, dev=None, onlink=false, blackhole=false, fdb=false, group=None, group_type=None, buckets=None, idle_timer=None, unbalanced_timer=None, protocol=None, family=None))]
            #[allow(clippy::too_many_arguments)]
            fn $name(
                &self,
                py: Python<'_>,
                id: u32,
                via: Option<&Bound<'_, PyAny>>,
                dev: Option<&Bound<'_, PyAny>>,
                onlink: bool,
                blackhole: bool,
                fdb: bool,
                group: Option<&Bound<'_, PyAny>>,
                group_type: Option<&str>,
                buckets: Option<u16>,
                idle_timer: Option<u32>,
                unbalanced_timer: Option<u32>,
                protocol: Option<&Bound<'_, PyAny>>,
                family: Option<&str>,
            ) -> PyResult<()> {
                let a = NexthopArgs::new(
                    id,
                    via,
                    dev,
                    onlink,
                    blackhole,
                    fdb,
                    group,
                    group_type,
                    buckets,
                    idle_timer,
                    unbalanced_timer,
                    protocol,
                    family,
                    py,
                )?;
                self.with(py, |h| $op(h, &a.spec()?))
            }
        }
    };
}

nexthop_write_method!(
    nexthop_add,
    netns_core::Handle::nexthop_add,
    "Adds a nexthop object, as ``ip nexthop add id ID { blackhole | [via
GW] [dev DEV] [onlink] | group G [type T …] } [fdb] [protocol P]``:
``group`` is ``'1,10/2'`` or a list of ids and ``(id, weight)``
pairs; ``group_type`` ``'mpath'`` or ``'resilient'`` (``buckets``,
``idle_timer``, ``unbalanced_timer`` in seconds make it resilient);
``protocol`` a name or number; ``id=0`` lets the kernel choose."
);
nexthop_write_method!(
    nexthop_replace,
    netns_core::Handle::nexthop_replace,
    "Adds or replaces a nexthop object (``ip nexthop replace``); arguments as
``nexthop_add``. Routes using it follow."
);
