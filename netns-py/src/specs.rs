//! Link specs: what `Handle.link_add` and `Handle.links_add` create.
//!
//! `LinkSpec` is the base class; `Veth`, `Bridge`, `Dummy`, `Ifb`,
//! `MacVlan` and `Vxlan` derive from it and only construct it. A spec is
//! checked when it is made (names, MAC addresses, modes, VNIs: the core's
//! `LinkAdd::message` runs once); the links it names by name (`master`, a
//! macvlan's `parent`, a vxlan's underlay) are looked up in the handle's
//! namespace when it is sent, indexes need no lookup.

use std::net::IpAddr;
use std::sync::Arc;

use netns_core::link::{IfIndex, LinkAdd, MacAddr, MacVlanMode, VxlanOptions};
use netns_core::NetNs;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::errors::CoreResultExt;
use crate::handle::{dev_arg, ns_arg, parse_ip, parse_mac, Dev};

/// The options every kind takes.
struct Common {
    mtu: Option<u32>,
    mac: Option<MacAddr>,
    txqlen: Option<u32>,
    master: Option<Dev>,
    group: Option<u32>,
    ns: Option<Arc<NetNs>>,
    up: bool,
}

/// The common keyword arguments, as Python passes them.
struct CommonArgs<'a, 'py> {
    mtu: Option<u32>,
    mac: Option<&'a str>,
    txqlen: Option<u32>,
    master: Option<&'a Bound<'py, PyAny>>,
    group: Option<u32>,
    ns: Option<&'a Bound<'py, PyAny>>,
    up: bool,
}

impl CommonArgs<'_, '_> {
    fn parse(self, py: Python<'_>) -> PyResult<Common> {
        Ok(Common {
            mtu: self.mtu,
            mac: self.mac.map(parse_mac).transpose().py(py)?,
            txqlen: self.txqlen,
            master: self.master.map(|m| dev_arg(m, "master")).transpose()?,
            group: self.group,
            ns: ns_arg(self.ns)?,
            up: self.up,
        })
    }
}

enum Kind {
    Veth {
        peer: String,
        peer_ns: Option<Arc<NetNs>>,
        peer_mtu: Option<u32>,
        peer_mac: Option<MacAddr>,
        peer_group: Option<u32>,
    },
    Bridge,
    Dummy,
    Ifb,
    MacVlan {
        parent: Dev,
        mode: MacVlanMode,
        mode_name: String,
    },
    Vxlan {
        vni: u32,
        parent: Option<Dev>,
        options: VxlanOptions,
    },
}

/// A link to create, as the core builds it.
pub(crate) struct Spec {
    name: String,
    kind: Kind,
    common: Common,
}

impl Spec {
    /// A checked spec (the message is built once, with any name of a link
    /// standing for index 1).
    fn new(py: Python<'_>, name: String, kind: Kind, common: CommonArgs<'_, '_>) -> PyResult<Spec> {
        let spec = Spec {
            name,
            kind,
            common: common.parse(py)?,
        };
        spec.build(&mut |_| Ok(IfIndex::LOOPBACK))
            .and_then(|add| add.message())
            .py(py)?;
        Ok(spec)
    }

    /// The core's `LinkAdd`, the links named by name resolved by `resolve`.
    fn build<'a>(
        &'a self,
        resolve: &mut dyn FnMut(&Dev) -> netns_core::Result<IfIndex>,
    ) -> netns_core::Result<LinkAdd<'a>> {
        let mut add = match &self.kind {
            Kind::Veth {
                peer,
                peer_ns,
                peer_mtu,
                peer_mac,
                peer_group,
            } => {
                let mut add = LinkAdd::veth(&self.name, peer);
                if let Some(ns) = peer_ns {
                    add = add.peer_netns(ns);
                }
                if let Some(m) = *peer_mtu {
                    add = add.peer_mtu(m);
                }
                if let Some(m) = *peer_mac {
                    add = add.peer_address(m);
                }
                if let Some(g) = *peer_group {
                    add = add.peer_group(g);
                }
                add
            }
            Kind::Bridge => LinkAdd::bridge(&self.name),
            Kind::Dummy => LinkAdd::dummy(&self.name),
            Kind::Ifb => LinkAdd::ifb(&self.name),
            Kind::MacVlan { parent, mode, .. } => {
                LinkAdd::macvlan(&self.name, resolve(parent)?, *mode)
            }
            Kind::Vxlan {
                vni,
                parent,
                options,
            } => {
                let mut options = options.clone();
                options.parent = parent.as_ref().map(&mut *resolve).transpose()?;
                LinkAdd::vxlan(&self.name, *vni, options)
            }
        };
        let c = &self.common;
        if let Some(ns) = &c.ns {
            add = add.netns(ns);
        }
        if let Some(m) = c.mtu {
            add = add.mtu(m);
        }
        if let Some(m) = c.mac {
            add = add.address(m);
        }
        if let Some(t) = c.txqlen {
            add = add.txqlen(t);
        }
        if let Some(m) = &c.master {
            add = add.master(resolve(m)?);
        }
        if let Some(g) = c.group {
            add = add.group(g);
        }
        if c.up {
            add = add.up();
        }
        Ok(add)
    }

    /// The `LinkAdd` to send on `h` (names looked up in its namespace).
    pub(crate) fn link_add<'a>(
        &'a self,
        h: &mut netns_core::Handle,
    ) -> netns_core::Result<LinkAdd<'a>> {
        self.build(&mut |d| h.resolve_link(d.id()))
    }
}

/// A link to create with ``Handle.link_add`` or ``Handle.links_add``: made
/// by one of its subclasses (``Veth``, ``Bridge``, ``Dummy``, ``Ifb``,
/// ``MacVlan``, ``Vxlan``), which all take the keyword arguments ``mtu``,
/// ``mac``, ``txqlen``, ``master`` (a bridge's name or index: the new link
/// is its port), ``group`` (its device group, for ``link_delete_group``; a
/// veth's peer takes ``peer_group``), ``ns`` (a ``Namespace`` to create the
/// link in, e.g. a macvlan on a host device born in a pod) and ``up``
/// (brought up by the creating message). Checked when made
/// (``InvalidArgumentError``).
#[pyclass(frozen, subclass, module = "netns")]
pub(crate) struct LinkSpec {
    pub(crate) spec: Spec,
}

#[pymethods]
impl LinkSpec {
    /// The name of the link (for a veth: the end created in the handle's
    /// namespace, or in ``ns``).
    #[getter]
    fn name(&self) -> &str {
        &self.spec.name
    }

    /// The driver: ``'veth'``, ``'bridge'``, ``'dummy'``, ``'ifb'``,
    /// ``'macvlan'`` or ``'vxlan'``.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.spec.kind {
            Kind::Veth { .. } => "veth",
            Kind::Bridge => "bridge",
            Kind::Dummy => "dummy",
            Kind::Ifb => "ifb",
            Kind::MacVlan { .. } => "macvlan",
            Kind::Vxlan { .. } => "vxlan",
        }
    }

    /// Whether the link is brought up by the creating message.
    #[getter]
    fn up(&self) -> bool {
        self.spec.common.up
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let class = slf.get_type().name()?;
        let s = &slf.get().spec;
        let mut text = format!("{class}({:?}", s.name);
        match &s.kind {
            Kind::Veth { peer, peer_ns, .. } => {
                text.push_str(&format!(", {peer:?}"));
                if peer_ns.is_some() {
                    text.push_str(", peer_ns=<Namespace>");
                }
            }
            Kind::MacVlan {
                parent, mode_name, ..
            } => text.push_str(&format!(", {parent}, {mode_name:?}")),
            Kind::Vxlan { vni, .. } => text.push_str(&format!(", {vni}")),
            Kind::Bridge | Kind::Dummy | Kind::Ifb => {}
        }
        if s.common.ns.is_some() {
            text.push_str(", ns=<Namespace>");
        }
        if s.common.up {
            text.push_str(", up=True");
        }
        text.push(')');
        Ok(text)
    }
}

/// `PyClassInitializer` of a subclass `T` holding `spec`.
fn init<T: pyo3::PyClass<BaseType = LinkSpec>>(spec: Spec, sub: T) -> PyClassInitializer<T> {
    PyClassInitializer::from(LinkSpec { spec }).add_subclass(sub)
}

/// A veth pair: ``name`` in the handle's namespace (or ``ns``), its
/// ``peer`` born in ``peer_ns`` when given (never created and moved).
#[pyclass(frozen, extends = LinkSpec, module = "netns")]
pub(crate) struct Veth;

#[pymethods]
impl Veth {
    #[new]
    #[pyo3(signature = (name, peer, peer_ns=None, *, peer_mtu=None, peer_mac=None, peer_group=None, mtu=None, mac=None, txqlen=None, master=None, group=None, ns=None, up=false))]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        py: Python<'_>,
        name: String,
        peer: String,
        peer_ns: Option<&Bound<'_, PyAny>>,
        peer_mtu: Option<u32>,
        peer_mac: Option<&str>,
        peer_group: Option<u32>,
        mtu: Option<u32>,
        mac: Option<&str>,
        txqlen: Option<u32>,
        master: Option<&Bound<'_, PyAny>>,
        group: Option<u32>,
        ns: Option<&Bound<'_, PyAny>>,
        up: bool,
    ) -> PyResult<PyClassInitializer<Veth>> {
        let kind = Kind::Veth {
            peer,
            peer_ns: ns_arg(peer_ns)?,
            peer_mtu,
            peer_mac: peer_mac.map(parse_mac).transpose().py(py)?,
            peer_group,
        };
        let common = CommonArgs {
            mtu,
            mac,
            txqlen,
            master,
            group,
            ns,
            up,
        };
        Ok(init(Spec::new(py, name, kind, common)?, Veth))
    }

    /// The peer's name.
    #[getter]
    fn peer(slf: &Bound<'_, Self>) -> String {
        match &slf.as_super().get().spec.kind {
            Kind::Veth { peer, .. } => peer.clone(),
            _ => String::new(),
        }
    }
}

/// Declares a spec class whose constructor takes the name and the common
/// options only.
macro_rules! simple_spec {
    ($(#[$meta:meta])* $class:ident, $kind:expr) => {
        $(#[$meta])*
        #[pyclass(frozen, extends = LinkSpec, module = "netns")]
        pub(crate) struct $class;

        #[pymethods]
        impl $class {
            #[new]
            #[pyo3(signature = (name, *, mtu=None, mac=None, txqlen=None, master=None, group=None, ns=None, up=false))]
            #[allow(clippy::too_many_arguments)]
            pub(crate) fn new(
                py: Python<'_>,
                name: String,
                mtu: Option<u32>,
                mac: Option<&str>,
                txqlen: Option<u32>,
                master: Option<&Bound<'_, PyAny>>,
                group: Option<u32>,
                ns: Option<&Bound<'_, PyAny>>,
                up: bool,
            ) -> PyResult<PyClassInitializer<$class>> {
                let common = CommonArgs { mtu, mac, txqlen, master, group, ns, up };
                Ok(init(Spec::new(py, name, $kind, common)?, $class))
            }
        }
    };
}

simple_spec!(
    /// A bridge.
    Bridge,
    Kind::Bridge
);
simple_spec!(
    /// A dummy device (needs the kernel's ``dummy`` driver:
    /// ``UnsupportedError`` without it).
    Dummy,
    Kind::Dummy
);
simple_spec!(
    /// An intermediate functional block device (``ifb``), for redirecting
    /// ingress traffic to a queueing discipline.
    Ifb,
    Kind::Ifb
);

/// A macvlan on ``parent`` (a name or index in the handle's namespace),
/// in ``mode`` ``'bridge'`` (the default: macvlans of one parent talk
/// directly), ``'private'``, ``'vepa'``, ``'passthru'`` or ``'source'``.
/// With ``ns``, the macvlan is born in that namespace while its parent
/// stays here.
#[pyclass(frozen, extends = LinkSpec, module = "netns")]
pub(crate) struct MacVlan;

#[pymethods]
impl MacVlan {
    #[new]
    #[pyo3(signature = (name, parent, mode="bridge", *, mtu=None, mac=None, txqlen=None, master=None, group=None, ns=None, up=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        name: String,
        parent: &Bound<'_, PyAny>,
        mode: &str,
        mtu: Option<u32>,
        mac: Option<&str>,
        txqlen: Option<u32>,
        master: Option<&Bound<'_, PyAny>>,
        group: Option<u32>,
        ns: Option<&Bound<'_, PyAny>>,
        up: bool,
    ) -> PyResult<PyClassInitializer<MacVlan>> {
        let parsed = MacVlanMode::from_name(mode).ok_or_else(|| {
            PyValueError::new_err(format!(
                "mode must be 'bridge', 'private', 'vepa', 'passthru' or 'source', not {mode:?}"
            ))
        })?;
        let kind = Kind::MacVlan {
            parent: dev_arg(parent, "parent")?,
            mode: parsed,
            mode_name: mode.to_owned(),
        };
        let common = CommonArgs {
            mtu,
            mac,
            txqlen,
            master,
            group,
            ns,
            up,
        };
        Ok(init(Spec::new(py, name, kind, common)?, MacVlan))
    }
}

/// A vxlan with network identifier ``vni`` (24 bits): ``remote`` (a
/// unicast peer or a multicast group), ``local`` (the source address),
/// ``parent`` (the underlay device, a name or index), ``port`` (UDP
/// destination port; the kernel's default is 8472, IANA's 4789), ``ttl``,
/// ``learning``; unset ones take the kernel's defaults.
#[pyclass(frozen, extends = LinkSpec, module = "netns")]
pub(crate) struct Vxlan;

#[pymethods]
impl Vxlan {
    #[new]
    #[pyo3(signature = (name, vni, *, remote=None, local=None, parent=None, port=None, ttl=None, learning=None, mtu=None, mac=None, txqlen=None, master=None, group=None, ns=None, up=false))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        name: String,
        vni: u32,
        remote: Option<&Bound<'_, PyAny>>,
        local: Option<&Bound<'_, PyAny>>,
        parent: Option<&Bound<'_, PyAny>>,
        port: Option<u16>,
        ttl: Option<u8>,
        learning: Option<bool>,
        mtu: Option<u32>,
        mac: Option<&str>,
        txqlen: Option<u32>,
        master: Option<&Bound<'_, PyAny>>,
        group: Option<u32>,
        ns: Option<&Bound<'_, PyAny>>,
        up: bool,
    ) -> PyResult<PyClassInitializer<Vxlan>> {
        let ip = |obj: Option<&Bound<'_, PyAny>>, what: &'static str| -> PyResult<Option<IpAddr>> {
            obj.map(|o| {
                let text = crate::handle::ip_text(o, what)?;
                parse_ip(&text, what).py(py)
            })
            .transpose()
        };
        let mut options = VxlanOptions::default();
        options.remote = ip(remote, "remote")?;
        options.local = ip(local, "local")?;
        options.port = port;
        options.ttl = ttl;
        options.learning = learning;
        let kind = Kind::Vxlan {
            vni,
            parent: parent.map(|p| dev_arg(p, "parent")).transpose()?,
            options,
        };
        let common = CommonArgs {
            mtu,
            mac,
            txqlen,
            master,
            group,
            ns,
            up,
        };
        Ok(init(Spec::new(py, name, kind, common)?, Vxlan))
    }

    /// The network identifier.
    #[getter]
    fn vni(slf: &Bound<'_, Self>) -> u32 {
        match &slf.as_super().get().spec.kind {
            Kind::Vxlan { vni, .. } => *vni,
            _ => 0,
        }
    }
}
