//! `Handle`'s link methods: read, create (from specs, one or many), change,
//! delete.

use std::sync::Arc;

use netns_core::link::{CreatedLink as CoreCreated, HwAddr, IfIndex, LinkChange, LinkRef};
use netns_core::NetNs;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyInt;

use super::{unsent_entry, Handle};
use crate::args::{dev_arg, each, parse_mac};
use crate::errors::CoreResultExt;
use crate::namespace::Namespace;
use crate::specs::{Bridge, Dummy, LinkSpec, Veth};
use crate::values::{CreatedLink, Link};

/// Where `link_set(netns=…)` moves a link.
enum Target {
    Ns(Arc<NetNs>),
    Pid(u32),
}

/// A ``Namespace`` or a process id → [`Target`].
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

/// The Python `Link` of a link read from the kernel.
pub(crate) fn link_of(l: &LinkRef<'_>) -> Link {
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
        stats: l.stats64().as_ref().map(crate::objects::stats_of),
        altnames: l.altnames().map(str::to_owned).collect(),
    }
}

/// What the kernel gave a created link, from its echo.
fn created_of(c: CoreCreated) -> CreatedLink {
    CreatedLink {
        index: c.index.map(IfIndex::get),
        peer: c.peer.map(IfIndex::get),
    }
}

#[pymethods]
impl Handle {
    /// Every link of the namespace (one ``RTM_GETLINK`` dump).
    /// Warns with ``InconsistentDumpWarning`` if the dump was interrupted on
    /// every attempt.
    fn links(&self, py: Python<'_>) -> PyResult<Vec<Link>> {
        let (links, consistent) = self.with(py, |h| {
            let links = h.links()?;
            let consistent = links.is_consistent();
            Ok((links.map(|l| link_of(&l)).collect(), consistent))
        })?;
        crate::errors::warn_if_inconsistent(py, consistent, "links")?;
        Ok(links)
    }

    /// One link, by name or index (one ``RTM_GETLINK`` request, no dump).
    fn link(&self, py: Python<'_>, dev: &Bound<'_, PyAny>) -> PyResult<Link> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| Ok(link_of(&h.link(dev.as_id())?)))
    }

    /// The index of the link called ``name`` (one ``RTM_GETLINK`` request
    /// carrying the name; the kernel looks it up). ``NotFoundError`` when no
    /// link has the name.
    fn link_index(&self, py: Python<'_>, name: &str) -> PyResult<u32> {
        self.with(py, |h| Ok(h.link_index(name)?.get()))
    }

    /// Creates one link from a spec (``Veth``, ``Bridge``, ``Dummy``,
    /// ``Ifb``, ``MacVlan``, ``Vxlan``): one ``RTM_NEWLINK``, the links it
    /// names by name looked up first. Returns what the kernel gave it, read
    /// from its echo: ``CreatedLink(index, peer)``. ``exist_ok=True``
    /// accepts a link of that name that is already there when it is of the
    /// same kind (and, for a veth, has the spec's peer); then the index is
    /// the existing link's (None when it is in another namespace) and
    /// ``peer`` is None.
    #[pyo3(signature = (spec, *, exist_ok=false))]
    fn link_add(
        &self,
        py: Python<'_>,
        spec: &Bound<'_, LinkSpec>,
        exist_ok: bool,
    ) -> PyResult<CreatedLink> {
        let spec = spec.clone().unbind();
        if exist_ok {
            return self.with(py, |h| {
                let core = &spec.get().spec.core;
                h.link_add_exist_ok(core)?;
                // The index only when the link is in this handle's namespace.
                let index = match core.netns {
                    None => Some(h.link_index(&core.name)?.get()),
                    Some(_) => None,
                };
                Ok(CreatedLink { index, peer: None })
            });
        }
        let mut created = self.with(py, |h| {
            h.links_add(std::slice::from_ref(&spec.get().spec.core))
                .map_err(|e| e.error)
        })?;
        Ok(created.pop().map(created_of).unwrap_or(CreatedLink {
            index: None,
            peer: None,
        }))
    }

    /// Creates a veth pair ``name`` ↔ ``peer``: ``link_add(Veth(...))``
    /// with the same arguments (the peer born in ``peer_netns`` when given,
    /// the first end in ``netns``). ``up=True`` brings up the first end
    /// (``name``) only, in the same message; the peer is created down (bring
    /// it up with ``link_set(peer, up=True)`` on a handle in its namespace).
    #[pyo3(signature = (name, peer, peer_netns=None, *, netns=None, mtu=None, peer_mtu=None, mac=None, peer_mac=None, up=false))]
    #[allow(clippy::too_many_arguments)]
    fn veth(
        &self,
        py: Python<'_>,
        name: String,
        peer: String,
        peer_netns: Option<&Bound<'_, PyAny>>,
        netns: Option<&Bound<'_, PyAny>>,
        mtu: Option<u32>,
        peer_mtu: Option<u32>,
        mac: Option<&str>,
        peer_mac: Option<&str>,
        up: bool,
    ) -> PyResult<()> {
        let spec = Bound::new(
            py,
            Veth::new(
                py, name, peer, peer_netns, peer_mtu, peer_mac, None, mtu, mac, None, None, None,
                netns, up,
            )?,
        )?;
        self.link_add(py, spec.as_super(), false).map(drop)
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
        self.link_add(py, spec.as_super(), false).map(drop)
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
        self.link_add(py, spec.as_super(), false).map(drop)
    }

    /// Changes link ``dev`` (a name, or an index: no lookup either way
    /// unless renaming by name) with one ``RTM_SETLINK``: ``up`` (True/False),
    /// ``mtu``, ``name`` (rename), ``mac``, ``master`` (a name or index;
    /// ``nomaster=True`` to leave it), ``txqlen``, ``group`` (the device
    /// group; see ``link_delete_group``), ``netns`` (a Namespace or a pid:
    /// moves the link); the interface flags as ip's ``on|off`` words:
    /// ``arp`` (False sets ``NOARP``), ``multicast``, ``allmulticast``,
    /// ``promisc``, ``dynamic``, ``trailers`` (False sets ``NOTRAILERS``).
    /// All in one ``RTM_SETLINK``.
    #[pyo3(signature = (dev, *, up=None, mtu=None, name=None, mac=None, master=None, nomaster=false, txqlen=None, group=None, netns=None, arp=None, multicast=None, allmulticast=None, promisc=None, dynamic=None, trailers=None))]
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
        arp: Option<bool>,
        multicast: Option<bool>,
        allmulticast: Option<bool>,
        promisc: Option<bool>,
        dynamic: Option<bool>,
        trailers: Option<bool>,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        let master = master.map(|m| dev_arg(m, "master")).transpose()?;
        let target = netns.map(target_arg).transpose()?;
        let mac = mac.map(parse_mac).transpose().py(py)?;
        self.with(py, |h| {
            let master = match &master {
                Some(m) => Some(h.dev_index(m)?),
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
                change = change.mac(m);
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
            type Flag<'a> = fn(LinkChange<'a>, bool) -> LinkChange<'a>;
            let flags: [(Option<bool>, Flag<'_>); 6] = [
                (arp, LinkChange::arp),
                (multicast, LinkChange::multicast),
                (allmulticast, LinkChange::allmulticast),
                (promisc, LinkChange::promisc),
                (dynamic, LinkChange::dynamic),
                (trailers, LinkChange::trailers),
            ];
            for (on, set) in flags {
                if let Some(on) = on {
                    change = set(change, on);
                }
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
    /// namespace with ``peer_netns=netns.current()``). Links named by name
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
        let created = self.with_batch(py, |h| h.links_add(&cores))?;
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
                requests.push(c.request().map_err(unsent_entry(i))?);
            }
            h.socket().batch(&requests)
        })
    }

    /// Deletes link ``dev`` (both ends of a veth pair). ``missing_ok=True``
    /// accepts that it is already gone. Returns whether a link was deleted.
    #[pyo3(signature = (dev, *, missing_ok=false))]
    fn link_delete(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        missing_ok: bool,
    ) -> PyResult<bool> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| {
            if missing_ok {
                h.link_delete_missing_ok(dev.as_id())
            } else {
                h.link_delete(dev.as_id()).map(|()| true)
            }
        })
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

    /// Gives link ``dev`` the alternative name ``altname`` (up to 127
    /// bytes; ``RTM_NEWLINKPROP``, as ``ip link property add dev X altname
    /// Y``). Every method then finds the link by that name too; ``Link.altnames``
    /// lists them.
    fn link_altname_add(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        altname: &str,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| h.link_altname_add(dev.as_id(), altname))
    }

    /// Removes the alternative name ``altname`` of link ``dev``
    /// (``RTM_DELLINKPROP``); ``FileNotFoundError`` when it has no such name.
    fn link_altname_del(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        altname: &str,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| h.link_altname_del(dev.as_id(), altname))
    }

    /// Changes the kind-specific settings of link ``dev``, as ``ip link set
    /// dev X type KIND WORDS…``: ``kind`` is ``'vxlan'``, ``'macvlan'``,
    /// ``'bridge'`` or ``'bridge_slave'``, ``words`` ip's words after it
    /// (``['ttl', '9', 'nolearning']``), read by the core. One
    /// ``RTM_NEWLINK`` without ``NLM_F_CREATE``; the kernel's refusal comes
    /// back with its text (``Cannot change VNI``).
    #[pyo3(signature = (dev, kind, words=Vec::new()))]
    fn link_set_type(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        kind: &str,
        words: Vec<String>,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        let change =
            netns_core::link::LinkTypeChange::parse(kind, words.iter().map(String::as_str))
                .py(py)?;
        self.with(py, |h| {
            h.link_set(&LinkChange::new(dev.as_id()).kind(change))
        })
    }

    /// Changes settings of bridge port ``dev`` in one ``AF_BRIDGE``
    /// ``RTM_SETLINK``, as ``bridge link set``: keywords by bridge's words,
    /// on/off settings as bools (``learning``, ``flood``, ``mcast_flood``,
    /// ``bcast_flood``, ``hairpin``, ``guard``, ``root_block``,
    /// ``fastleave``, ``isolated``, ``neigh_suppress``,
    /// ``mcast_to_unicast``, ``vlan_tunnel``, ``locked``, ``proxy_arp``),
    /// numbers as ints (``cost``, ``priority``, ``state``,
    /// ``mcast_router``). ``ValueError`` for an unknown setting.
    #[pyo3(signature = (dev, **settings))]
    fn bridge_port_set(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        settings: Option<&Bound<'_, pyo3::types::PyDict>>,
    ) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        let mut spec = netns_core::link::BridgePortSpec::default();
        for (key, value) in settings.into_iter().flatten() {
            let word: String = key.extract()?;
            let text = if let Ok(on) = value.cast::<pyo3::types::PyBool>() {
                if on.is_true() { "on" } else { "off" }.to_owned()
            } else if value.is_instance_of::<PyInt>() {
                value.extract::<u64>()?.to_string()
            } else {
                return Err(PyTypeError::new_err(format!(
                    "{word} must be a bool or an int, not {}",
                    value.get_type().name()?
                )));
            };
            if !spec.set_word(&word, &text).py(py)? {
                return Err(PyValueError::new_err(format!(
                    "no bridge port setting is called {word:?}"
                )));
            }
        }
        self.with(py, |h| h.bridge_port_set(dev.as_id(), &spec))
    }

    /// The settings of bridge port ``dev`` as ``bridge -d link show`` shows
    /// them: ``{'state': 0, 'priority': 32, 'cost': 2, 'hairpin': False,
    /// 'learning': True, …}`` (what the kernel reports); None when ``dev``
    /// is no bridge port. One ``RTM_GETLINK``.
    fn bridge_port<'py>(
        &self,
        py: Python<'py>,
        dev: &Bound<'_, PyAny>,
    ) -> PyResult<Option<Bound<'py, pyo3::types::PyDict>>> {
        let dev = dev_arg(dev, "dev")?;
        let port = self.with(py, |h| Ok(h.link(dev.as_id())?.bridge_port()))?;
        let Some(port) = port else {
            return Ok(None);
        };
        let dict = pyo3::types::PyDict::new(py);
        for (word, v) in [
            ("state", port.state.map(u64::from)),
            ("priority", port.priority.map(u64::from)),
            ("cost", port.cost.map(u64::from)),
        ] {
            if let Some(v) = v {
                dict.set_item(word, v)?;
            }
        }
        for (word, v) in port.fields() {
            if word == "mcast_router" {
                dict.set_item(word, v)?;
            } else {
                dict.set_item(word, v != 0)?;
            }
        }
        if let Some(on) = port.proxy_arp {
            dict.set_item("proxy_arp", on)?;
        }
        Ok(Some(dict))
    }

    /// The counters of link ``dev`` as ``ip -s link`` prints them
    /// (``level`` 2: ``ip -s -s``, with the error lines): the core's block,
    /// the same text as the CLI's, lines indented by four spaces.
    #[pyo3(signature = (dev, level=1))]
    fn link_stats_text(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        level: u8,
    ) -> PyResult<String> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| {
            let link = h.link(dev.as_id())?;
            let changes = link.carrier_changes();
            let stats = link.stats64().ok_or_else(|| {
                netns_core::Error::new(
                    netns_core::ErrorKind::Protocol,
                    "get",
                    format!("statistics of {dev}"),
                )
                .with_detail("the kernel sent no IFLA_STATS64")
            })?;
            Ok(stats
                .display()
                .level(level.max(1))
                .carrier_changes(changes)
                .to_string())
        })
    }
}
