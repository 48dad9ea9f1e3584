//! Link specs: what `Handle.link_add` and `Handle.links_add` create.
//!
//! `LinkSpec` is the base class; `Veth`, `Bridge`, `Dummy`, `Ifb`,
//! `MacVlan` and `Vxlan` derive from it and only construct it: each holds
//! the core's `LinkSpec`, checked when it is made (names, MAC addresses,
//! modes, VNIs: `LinkSpec::validate`); the links it names by name
//! (`master`, a macvlan's `parent`, a vxlan's underlay) are looked up by the
//! core in the handle's namespace when it is sent, indexes need no lookup.

use std::net::IpAddr;

use netns_core::link::{
    Dev, LinkKind, LinkSpec as CoreSpec, MacVlanMode, NetNsRef, VethPeer, VxlanOptions,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::args::{dev_arg, ip_text, ns_arg, parse_ip, parse_mac};
use crate::errors::CoreResultExt;

/// The common keyword arguments, as Python passes them.
struct CommonArgs<'a, 'py> {
    mtu: Option<u32>,
    mac: Option<&'a str>,
    txqlen: Option<u32>,
    master: Option<&'a Bound<'py, PyAny>>,
    group: Option<u32>,
    netns: Option<&'a Bound<'py, PyAny>>,
    up: bool,
}

/// A link to create: the core's spec (checked when made; its names are
/// resolved by the core when it is sent), and how Python wrote the macvlan
/// mode, for `repr`.
pub(crate) struct Spec {
    pub(crate) core: CoreSpec,
    mode_name: Option<String>,
}

impl Spec {
    /// The core's spec of `name` and `kind` with the common options,
    /// checked (names, MACs, VNI) before anything is sent.
    fn new(
        py: Python<'_>,
        name: String,
        kind: LinkKind,
        common: CommonArgs<'_, '_>,
        mode_name: Option<String>,
    ) -> PyResult<Spec> {
        let mut core = CoreSpec::new(name, kind).up(common.up);
        core.mtu = common.mtu;
        core.mac = common.mac.map(parse_mac).transpose().py(py)?;
        core.txqlen = common.txqlen;
        core.master = common.master.map(|m| dev_arg(m, "master")).transpose()?;
        core.group = common.group;
        core.netns = ns_arg(common.netns)?.map(NetNsRef::Open);
        core.validate().py(py)?;
        Ok(Spec { core, mode_name })
    }
}

/// A device as Python wrote it: a quoted name or a number.
fn dev_repr(dev: &Dev) -> String {
    match dev {
        Dev::Name(n) => format!("{n:?}"),
        Dev::Index(i) => i.to_string(),
    }
}

/// A link to create with ``Handle.link_add`` or ``Handle.links_add``: made
/// by one of its subclasses (``Veth``, ``Bridge``, ``Dummy``, ``Ifb``,
/// ``MacVlan``, ``Vxlan``), which all take the keyword arguments ``mtu``,
/// ``mac``, ``txqlen``, ``master`` (a bridge's name or index: the new link
/// is its port), ``group`` (its device group, for ``link_delete_group``; a
/// veth's peer takes ``peer_group``), ``netns`` (a ``Namespace`` to create the
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
    /// namespace, or in ``netns``).
    #[getter]
    fn name(&self) -> &str {
        &self.spec.core.name
    }

    /// The driver: ``'veth'``, ``'bridge'``, ``'dummy'``, ``'ifb'``,
    /// ``'macvlan'`` or ``'vxlan'``.
    #[getter]
    fn kind(&self) -> &str {
        self.spec.core.kind.name()
    }

    /// Whether the link is brought up by the creating message.
    #[getter]
    fn up(&self) -> bool {
        self.spec.core.up
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let class = slf.get_type().name()?;
        let spec = &slf.get().spec;
        let s = &spec.core;
        let mut text = format!("{class}({:?}", s.name);
        match &s.kind {
            LinkKind::Veth(peer) => {
                text.push_str(&format!(", {:?}", peer.name.as_deref().unwrap_or("")));
                if peer.netns.is_some() {
                    text.push_str(", peer_netns=<Namespace>");
                }
            }
            LinkKind::MacVlan { parent, .. } => text.push_str(&format!(
                ", {}, {:?}",
                dev_repr(parent),
                spec.mode_name.as_deref().unwrap_or("bridge")
            )),
            LinkKind::Vxlan { vni, .. } => text.push_str(&format!(", {vni}")),
            _ => {}
        }
        if s.netns.is_some() {
            text.push_str(", netns=<Namespace>");
        }
        if s.up {
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

/// A veth pair: ``name`` in the handle's namespace (or ``netns``), its
/// ``peer`` born in ``peer_netns`` when given (never created and moved).
/// ``up=True`` brings up ``name`` only; the peer is created down (bring it
/// up with ``Handle.link_set(peer, up=True)`` in its namespace).
#[pyclass(frozen, extends = LinkSpec, module = "netns")]
pub(crate) struct Veth;

#[pymethods]
impl Veth {
    #[new]
    #[pyo3(signature = (name, peer, peer_netns=None, *, peer_mtu=None, peer_mac=None, peer_group=None, mtu=None, mac=None, txqlen=None, master=None, group=None, netns=None, up=false))]
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        py: Python<'_>,
        name: String,
        peer: String,
        peer_netns: Option<&Bound<'_, PyAny>>,
        peer_mtu: Option<u32>,
        peer_mac: Option<&str>,
        peer_group: Option<u32>,
        mtu: Option<u32>,
        mac: Option<&str>,
        txqlen: Option<u32>,
        master: Option<&Bound<'_, PyAny>>,
        group: Option<u32>,
        netns: Option<&Bound<'_, PyAny>>,
        up: bool,
    ) -> PyResult<PyClassInitializer<Veth>> {
        let mut p = VethPeer::named(peer);
        p.netns = ns_arg(peer_netns)?.map(NetNsRef::Open);
        p.mtu = peer_mtu;
        p.mac = peer_mac.map(parse_mac).transpose().py(py)?;
        p.group = peer_group;
        let kind = LinkKind::Veth(p);
        let common = CommonArgs {
            mtu,
            mac,
            txqlen,
            master,
            group,
            netns,
            up,
        };
        Ok(init(Spec::new(py, name, kind, common, None)?, Veth))
    }

    /// The peer's name.
    #[getter]
    fn peer(slf: &Bound<'_, Self>) -> String {
        match &slf.as_super().get().spec.core.kind {
            LinkKind::Veth(peer) => peer.name.clone().unwrap_or_default(),
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
            #[pyo3(signature = (name, *, mtu=None, mac=None, txqlen=None, master=None, group=None, netns=None, up=false))]
            #[allow(clippy::too_many_arguments)]
            pub(crate) fn new(
                py: Python<'_>,
                name: String,
                mtu: Option<u32>,
                mac: Option<&str>,
                txqlen: Option<u32>,
                master: Option<&Bound<'_, PyAny>>,
                group: Option<u32>,
                netns: Option<&Bound<'_, PyAny>>,
                up: bool,
            ) -> PyResult<PyClassInitializer<$class>> {
                let common = CommonArgs { mtu, mac, txqlen, master, group, netns, up };
                Ok(init(Spec::new(py, name, $kind, common, None)?, $class))
            }
        }
    };
}

simple_spec!(
    /// A bridge.
    Bridge,
    LinkKind::Bridge
);
simple_spec!(
    /// A dummy device (needs the kernel's ``dummy`` driver:
    /// ``UnsupportedError`` without it).
    Dummy,
    LinkKind::Dummy
);
simple_spec!(
    /// An intermediate functional block device (``ifb``), for redirecting
    /// ingress traffic to a queueing discipline.
    Ifb,
    LinkKind::Ifb
);

/// A macvlan on ``parent`` (a name or index in the handle's namespace),
/// in ``mode`` ``'bridge'`` (the default: macvlans of one parent talk
/// directly), ``'private'``, ``'vepa'``, ``'passthru'`` or ``'source'``.
/// With ``netns``, the macvlan is born in that namespace while its parent
/// stays here.
#[pyclass(frozen, extends = LinkSpec, module = "netns")]
pub(crate) struct MacVlan;

#[pymethods]
impl MacVlan {
    #[new]
    #[pyo3(signature = (name, parent, mode="bridge", *, mtu=None, mac=None, txqlen=None, master=None, group=None, netns=None, up=false))]
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
        netns: Option<&Bound<'_, PyAny>>,
        up: bool,
    ) -> PyResult<PyClassInitializer<MacVlan>> {
        let parsed = MacVlanMode::from_name(mode).ok_or_else(|| {
            PyValueError::new_err(format!(
                "mode must be 'bridge', 'private', 'vepa', 'passthru' or 'source', not {mode:?}"
            ))
        })?;
        let kind = LinkKind::MacVlan {
            parent: dev_arg(parent, "parent")?,
            mode: parsed,
        };
        let common = CommonArgs {
            mtu,
            mac,
            txqlen,
            master,
            group,
            netns,
            up,
        };
        Ok(init(
            Spec::new(py, name, kind, common, Some(mode.to_owned()))?,
            MacVlan,
        ))
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
    #[pyo3(signature = (name, vni, *, remote=None, local=None, parent=None, port=None, ttl=None, learning=None, mtu=None, mac=None, txqlen=None, master=None, group=None, netns=None, up=false))]
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
        netns: Option<&Bound<'_, PyAny>>,
        up: bool,
    ) -> PyResult<PyClassInitializer<Vxlan>> {
        let ip = |obj: Option<&Bound<'_, PyAny>>, what: &'static str| -> PyResult<Option<IpAddr>> {
            obj.map(|o| {
                let text = ip_text(o, what)?;
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
        let kind = LinkKind::Vxlan {
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
            netns,
            up,
        };
        Ok(init(Spec::new(py, name, kind, common, None)?, Vxlan))
    }

    /// The network identifier.
    #[getter]
    fn vni(slf: &Bound<'_, Self>) -> u32 {
        match &slf.as_super().get().spec.core.kind {
            LinkKind::Vxlan { vni, .. } => *vni,
            _ => 0,
        }
    }
}
