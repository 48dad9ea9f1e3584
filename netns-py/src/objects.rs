//! The value classes of neighbours, rules, link statistics and tun/tap
//! devices: frozen, with `to_dict`, `__eq__`, `__hash__`, `__repr__`; a
//! neighbour's and a rule's `str()` is the line `ip neigh` / `ip rule`
//! prints (the core's `Display`).

use std::collections::BTreeMap;

use netns_core::link::{HwAddr, LinkStats64, LinkType, TunInfo};
use netns_core::neigh::Neighbour as CoreNeighbour;
use netns_core::rule::{Rule as CoreRule, RuleAction};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use pyo3::IntoPyObjectExt;

use crate::values::value_class;

/// Declares a frozen value class as `value_class!` does, plus a `str()`:
/// the line `ip` prints, kept in a field that is not an attribute.
macro_rules! line_class {
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
            /// What `str()` returns.
            pub(crate) line: String,
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

            fn __str__(&self) -> String {
                self.line.clone()
            }

            /// The attributes as a new dict (for JSON and the like).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let dict = PyDict::new(py);
                $( dict.set_item(PyString::intern(py, stringify!($field)), self.$field.clone())?; )*
                Ok(dict)
            }
        }
    };
}

line_class! {
    /// A neighbour entry (``RTM_NEWNEIGH``), as ``Handle.neighbours()``
    /// returns it; ``str()`` is the line ``ip neigh show`` prints.
    Neighbour {
        /// ``'inet'`` or ``'inet6'``.
        family: String,
        /// The neighbour's address, e.g. ``'10.1.1.2'`` (None for an entry without one).
        dst: Option<String>,
        /// The interface name (None when unknown).
        dev: Option<String>,
        /// The interface index.
        ifindex: u32,
        /// The link-layer address, ``'02:00:00:00:00:01'``, or None.
        mac: Option<String>,
        /// The ``NUD_*`` state bits (``0x80`` is ``PERMANENT``).
        state: u16,
        /// The state as ``ip`` prints it (``'PERMANENT'``, ``'REACHABLE'`` …; ``''`` for none).
        state_name: String,
        /// A proxy entry (``NTF_PROXY``).
        proxy: bool,
        /// The neighbour is a router (``NTF_ROUTER``).
        router: bool,
        /// The ``NTF_*`` flags.
        flags: u8,
        /// The protocol that installed it (``NDA_PROTOCOL``), or None.
        protocol: Option<u8>,
        /// The master device's index (``NDA_MASTER``), or None.
        master: Option<u32>,
        /// How many probes were sent (``NDA_PROBES``), or None.
        probes: Option<u32>,
    }
}

line_class! {
    /// A routing policy rule (``RTM_NEWRULE``), as ``Handle.rules()``
    /// returns it; ``str()`` is the line ``ip rule show`` prints.
    Rule {
        /// ``'inet'`` or ``'inet6'``.
        family: String,
        /// The priority (``pref``).
        priority: u32,
        /// The source prefix (``from``), None for ``all``.
        from_: Option<String>,
        /// The destination prefix (``to``), None for ``all``.
        to: Option<String>,
        /// ``not``: the selector is inverted.
        not_: bool,
        /// The table looked up (0 when the action is not a lookup).
        table: u32,
        /// The action: ``'lookup'``, ``'goto'``, ``'nop'``, ``'blackhole'``, ``'unreachable'``, ``'prohibit'``.
        action: String,
        /// The ``goto`` target priority, or None.
        goto: Option<u32>,
        /// The type of service.
        tos: u8,
        /// The firewall mark, or None.
        fwmark: Option<u32>,
        /// The firewall mark's mask, or None.
        fwmask: Option<u32>,
        /// The input interface name, or None.
        iif: Option<String>,
        /// The output interface name, or None.
        oif: Option<String>,
        /// ``suppress_prefixlength``, or None.
        suppress_prefixlength: Option<u32>,
        /// The protocol that installed it, or None.
        protocol: Option<u8>,
        /// The IP protocol matched (``ipproto``), or None.
        ipproto: Option<u8>,
    }
}

value_class! {
    /// The 64-bit statistics of a link (``IFLA_STATS64``, ``ip -s link``).
    LinkStats {
        /// Packets received.
        rx_packets: u64,
        /// Packets sent.
        tx_packets: u64,
        /// Bytes received.
        rx_bytes: u64,
        /// Bytes sent.
        tx_bytes: u64,
        /// Receive errors.
        rx_errors: u64,
        /// Transmit errors.
        tx_errors: u64,
        /// Received packets dropped.
        rx_dropped: u64,
        /// Packets dropped on transmit.
        tx_dropped: u64,
        /// Multicast packets received.
        multicast: u64,
        /// Collisions.
        collisions: u64,
        /// Received packets missed.
        rx_missed_errors: u64,
        /// Carrier errors on transmit.
        tx_carrier_errors: u64,
        /// Packets dropped for want of a protocol handler.
        rx_nohandler: u64,
    }
}

value_class! {
    /// A tun/tap device, as ``Handle.tuntaps()`` returns it (``ip tuntap show``).
    TunTap {
        /// The device's name.
        name: String,
        /// The interface index.
        index: u32,
        /// ``'tun'`` or ``'tap'`` (None when the kernel did not say).
        mode: Option<String>,
        /// Packets carry the packet-information header (``pi``).
        pi: bool,
        /// Packets carry a virtio-net header (``vnet_hdr``).
        vnet_hdr: bool,
        /// The device outlives its descriptors (``persist``).
        persist: bool,
        /// One queue per descriptor (``multi_queue``).
        multi_queue: bool,
        /// The uid allowed to attach, or None.
        owner: Option<u32>,
        /// The gid allowed to attach, or None.
        group: Option<u32>,
    }
}

/// The Python `LinkStats` of the core's.
pub(crate) fn stats_of(s: &LinkStats64) -> LinkStats {
    LinkStats {
        rx_packets: s.rx_packets,
        tx_packets: s.tx_packets,
        rx_bytes: s.rx_bytes,
        tx_bytes: s.tx_bytes,
        rx_errors: s.rx_errors,
        tx_errors: s.tx_errors,
        rx_dropped: s.rx_dropped,
        tx_dropped: s.tx_dropped,
        multicast: s.multicast,
        collisions: s.collisions,
        rx_missed_errors: s.rx_missed_errors,
        tx_carrier_errors: s.tx_carrier_errors,
        rx_nohandler: s.rx_nohandler,
    }
}

/// The Python `TunTap` of a link and its tun/tap settings.
pub(crate) fn tuntap_of(name: String, index: u32, info: &TunInfo) -> TunTap {
    TunTap {
        name,
        index,
        mode: info.mode.map(|m| m.name().to_owned()),
        pi: info.pi,
        vnet_hdr: info.vnet_hdr,
        persist: info.persist,
        multi_queue: info.multi_queue,
        owner: info.owner,
        group: info.group,
    }
}

fn family_text(f: Option<netns_core::addr::Family>) -> String {
    f.map(|f| f.name().to_owned())
        .unwrap_or_else(|| "unspec".into())
}

/// The Python `Neighbour` of the core's, its device named from `names`.
pub(crate) fn neighbour_of(n: &CoreNeighbour, names: &BTreeMap<u32, String>) -> Neighbour {
    let dev = names.get(&n.ifindex).cloned();
    Neighbour {
        family: family_text(n.family),
        dst: n.dst.map(|d| d.to_string()),
        ifindex: n.ifindex,
        mac: n
            .mac
            .as_deref()
            .map(|l| HwAddr::new(LinkType::ETHER, l).to_string()),
        state: n.state.bits(),
        state_name: n.state.to_string(),
        proxy: n.is_proxy(),
        router: n.is_router(),
        flags: n.flags,
        protocol: n.protocol,
        master: n.master,
        probes: n.probes,
        line: n.display(dev.as_deref()).to_string(),
        dev,
    }
}

/// The Python `Rule` of the core's.
pub(crate) fn rule_of(r: &CoreRule) -> Rule {
    let action = r.action();
    Rule {
        family: family_text(r.family),
        priority: r.priority,
        from_: r.from.map(|n| n.to_string()),
        to: r.to.map(|n| n.to_string()),
        not_: r.is_inverted(),
        table: if matches!(action, Some(RuleAction::Table(_))) {
            r.table
        } else {
            0
        },
        action: action.map_or_else(|| r.action_raw.to_string(), |a| a.word().to_owned()),
        goto: r.goto_target,
        tos: r.tos,
        fwmark: r.fwmark,
        fwmask: r.fwmask,
        iif: r.iif.clone(),
        oif: r.oif.clone(),
        suppress_prefixlength: r.suppress_prefixlength,
        protocol: r.protocol,
        ipproto: r.ipproto,
        line: r.to_string(),
    }
}
