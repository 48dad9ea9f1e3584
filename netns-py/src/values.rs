//! The small immutable result classes: each is a frozen pyclass with read-only
//! attributes, `__repr__` (`Link(index=1, name='lo', …)`), `__eq__`,
//! `__hash__` and `to_dict()`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use pyo3::IntoPyObjectExt;

/// Declares a frozen value class: the struct, its getters, `__repr__` and
/// `to_dict`.
macro_rules! value_class {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[pyclass(frozen, eq, hash, module = "netns")]
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub(crate) struct $name {
            $( $(#[$fmeta])* #[pyo3(get)] pub(crate) $field: $ty, )*
        }

        #[pymethods]
        impl $name {
            fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
                let mut fields: Vec<String> = Vec::new();
                $(
                    let value = self.$field.clone().into_bound_py_any(py)?;
                    fields.push(format!("{}={}", stringify!($field), value.repr()?.to_cow()?));
                )*
                Ok(format!("{}({})", stringify!($name), fields.join(", ")))
            }

            /// The attributes as a new dict (for JSON and the like): nested
            /// values (a route's ``nexthops``, a link's ``stats``) as dicts too.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let dict = PyDict::new(py);
                $(
                    let value = $crate::values::plain(self.$field.clone().into_bound_py_any(py)?)?;
                    dict.set_item(PyString::intern(py, stringify!($field)), value)?;
                )*
                Ok(dict)
            }
        }
    };
}

/// `value` with what `to_dict` gives for a value class, and a list of them
/// as a list of dicts: plain data all the way down (`json.dumps` takes it).
pub(crate) fn plain(value: Bound<'_, PyAny>) -> PyResult<Bound<'_, PyAny>> {
    let py = value.py();
    if let Ok(list) = value.cast::<pyo3::types::PyList>() {
        let items = list.iter().map(plain).collect::<PyResult<Vec<_>>>()?;
        return Ok(pyo3::types::PyList::new(py, items)?.into_any());
    }
    let basic = value.is_none()
        || value.is_instance_of::<PyString>()
        || value.is_instance_of::<pyo3::types::PyInt>()
        || value.is_instance_of::<pyo3::types::PyBool>()
        || value.is_instance_of::<pyo3::types::PyFloat>();
    if !basic && value.hasattr(pyo3::intern!(py, "to_dict"))? {
        return value.call_method0(pyo3::intern!(py, "to_dict"));
    }
    Ok(value)
}

value_class! {
    /// One named namespace, as ``netns.list()`` returns it.
    NamespaceEntry {
        /// The name (the file name under the run directory).
        name: String,
        /// The namespace's nsid as seen from the caller's namespace, or None.
        id: Option<i32>,
        /// True when no namespace is mounted on the file (an interrupted add).
        stale: bool,
    }
}

value_class! {
    /// One nsid known in the caller's namespace, as ``netns.list_ids()`` returns it.
    IdEntry {
        /// The nsid.
        nsid: i32,
        /// The same peer's id as seen from the target namespace, when one was given.
        current_nsid: Option<i32>,
        /// The registry name of the namespace with that nsid, or None.
        name: Option<String>,
    }
}

value_class! {
    /// A change in the run directory, yielded by ``netns.monitor()``.
    MonitorEvent {
        /// ``'add'`` (the namespace is mounted) or ``'delete'``.
        kind: String,
        /// The name added or deleted.
        name: String,
    }
}

value_class! {
    /// A network interface (``RTM_NEWLINK``), as ``Handle.links()`` returns it.
    Link {
        /// The interface index.
        index: u32,
        /// The interface name.
        name: String,
        /// The driver (``'veth'``, ``'bridge'`` …), or None.
        kind: Option<String>,
        /// True when administratively up (``IFF_UP``).
        up: bool,
        /// The ``IFF_*`` flags.
        flags: u32,
        /// The operational state as ``ip`` prints it (``'UP'``, ``'DOWN'`` …).
        operstate: String,
        /// The MTU.
        mtu: Option<u32>,
        /// The hardware address, ``'aa:bb:cc:dd:ee:ff'``.
        mac: Option<String>,
        /// The index of the master device (bridge …), or None.
        master: Option<u32>,
        /// The peer's (veth) or parent's index, or None.
        link: Option<u32>,
        /// The nsid of the namespace of ``link``, as seen from this namespace.
        link_netnsid: Option<i32>,
        /// The transmit queue length.
        txqlen: Option<u32>,
        /// The carrier state.
        carrier: Option<bool>,
        /// The queueing discipline.
        qdisc: Option<String>,
        /// The alias.
        alias: Option<String>,
        /// The device group (0 is the default; see ``Handle.link_delete_group``).
        group: Option<u32>,
        /// The promiscuity count (``Handle.link_set_promisc`` adds one).
        promiscuity: Option<u32>,
        /// The 64-bit statistics (``IFLA_STATS64``), or None.
        stats: Option<crate::objects::LinkStats>,
        /// The alternative names (``ip link property add … altname``), in order.
        altnames: Vec<String>,
    }
}

value_class! {
    /// An interface address (``RTM_NEWADDR``), as ``Handle.addresses()`` returns it.
    Address {
        /// The interface index.
        index: u32,
        /// The interface name.
        dev: Option<String>,
        /// ``'inet'`` or ``'inet6'``.
        family: String,
        /// The address, e.g. ``'10.1.1.1'``.
        address: String,
        /// The prefix length.
        prefixlen: u8,
        /// ``address/prefixlen``, e.g. ``'10.1.1.1/24'``.
        cidr: String,
        /// The scope as ``ip`` names it (``'global'``, ``'host'``, ``'link'`` …).
        scope: String,
        /// The IPv4 label, or None.
        label: Option<String>,
        /// The IPv4 broadcast address, or None.
        broadcast: Option<String>,
        /// The ``IFA_F_*`` flags.
        flags: u32,
        /// The metric of the prefix route (``IFA_RT_PRIORITY``), or None.
        metric: Option<u32>,
        /// The other end of a point-to-point address (``peer``), or None.
        peer: Option<String>,
        /// Seconds until the address is removed, or None (``forever``).
        valid_lft: Option<u32>,
        /// Seconds until the address is deprecated, or None (``forever``).
        preferred_lft: Option<u32>,
    }
}

value_class! {
    /// A bridge fdb entry (``bridge fdb``), as ``Handle.fdb_entries()`` and
    /// ``Handle.fdb_get()`` return it; ``str()`` is ``bridge fdb show``'s line.
    FdbEntry {
        /// The MAC address, e.g. ``'00:11:22:33:44:55'``.
        mac: String,
        /// The link's name, or None.
        dev: Option<String>,
        /// The link's index.
        ifindex: u32,
        /// A vxlan remote (``dst``), or None.
        dst: Option<String>,
        /// The VLAN, or None.
        vlan: Option<u16>,
        /// A vxlan remote's UDP port, or None.
        port: Option<u16>,
        /// A vxlan remote's VNI, or None.
        vni: Option<u32>,
        /// The bridge (``master BR``), or None.
        master: Option<String>,
        /// ``'permanent'``, ``'static'`` or ``'dynamic'``.
        state: String,
        /// The flag words, in ``bridge``'s order (``'self'``, ``'extern_learn'``, ``'sticky'`` …).
        flags: Vec<String>,
        /// The line ``bridge fdb show`` prints.
        line: String,
    }
}

#[pymethods]
impl FdbEntry {
    fn __str__(&self) -> String {
        self.line.clone()
    }
}

value_class! {
    /// A route (``RTM_NEWROUTE``), as ``Handle.routes()`` returns it.
    Route {
        /// ``'inet'`` or ``'inet6'``.
        family: String,
        /// ``'default'`` or the destination prefix, e.g. ``'10.1.1.0/24'``.
        dst: String,
        /// The gateway, or None.
        gateway: Option<String>,
        /// The output interface name, or None.
        dev: Option<String>,
        /// The output interface index, or None.
        oif: Option<u32>,
        /// The table id (254 is ``main``).
        table: u32,
        /// The protocol as ``ip`` names it (``'kernel'``, ``'boot'`` …).
        protocol: String,
        /// The scope as ``ip`` names it (``'link'``, ``'global'`` …).
        scope: String,
        /// The route type as ``ip`` names it (``'unicast'``, ``'local'`` …).
        kind: String,
        /// The metric (priority), or None.
        metric: Option<u32>,
        /// The preferred source address, or None.
        prefsrc: Option<String>,
        /// The paths of a multipath route (``RTA_MULTIPATH``); empty for
        /// a route with one path.
        nexthops: Vec<NextHop>,
        /// The path MTU metric (``mtu``), or None.
        mtu: Option<u32>,
        /// The advertised MSS metric (``advmss``), or None.
        advmss: Option<u32>,
        /// The nexthop object the route uses (``nhid``), or None.
        nhid: Option<u32>,
        /// True when the gateway is on the link without a route to it
        /// (``onlink``, ``RTNH_F_ONLINK``).
        onlink: bool,
    }
}

value_class! {
    /// One path of a multipath route (``nexthop via GW dev X weight N
    /// onlink``): given to ``Handle.route_add(..., nexthops=[...])`` and
    /// read back in ``Route.nexthops``.
    NextHop {
        /// The gateway, or None.
        via: Option<String>,
        /// The output interface name, or None.
        dev: Option<String>,
        /// The output interface index, or None (given when ``dev`` was an
        /// ``int``, and always when read from the kernel).
        oif: Option<u32>,
        /// The weight, 1 to 256.
        weight: u16,
        /// True when the gateway is on the link without a route to it.
        onlink: bool,
        /// The ``RTNH_F_*`` flags as the kernel reports them (``onlink``
        /// 4, ``dead`` 1, ``linkdown`` 16); for a path built here, only
        /// ``onlink``'s.
        flags: u32,
    }
}

value_class! {
    /// What the kernel gave a link created by ``Handle.links_add`` (from
    /// its echo: no lookup).
    CreatedLink {
        /// The new link's index in the handle's namespace (None when the
        /// kernel sent no echo).
        index: Option<u32>,
        /// A veth peer's index, in the namespace it was born in; None for
        /// other kinds.
        peer: Option<u32>,
    }
}

/// For the value classes of other modules (`objects.rs`).
pub(crate) use value_class;
