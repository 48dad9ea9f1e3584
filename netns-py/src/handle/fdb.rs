//! `Handle`'s bridge fdb methods (``bridge fdb``): add, append, replace,
//! delete, get, list, flush. Arguments become the core's `FdbSpec`,
//! `FdbQuery`, `FdbFilter`, `FdbFlush`.

use std::collections::BTreeMap;

use netns_core::link::{Dev, HwAddr, LinkType};
use netns_core::neigh::{
    parse_mac, FdbDisplay, FdbEntry as CoreEntry, FdbFilter, FdbFlush, FdbQuery, FdbSpec, FdbState,
};
use pyo3::prelude::*;

use super::Handle;
use crate::args::{dev_arg, ip_text, parse_ip};
use crate::values::FdbEntry;

/// The Python value of a core entry, devices named from `names`.
fn entry_of(e: &CoreEntry, names: &BTreeMap<u32, String>) -> FdbEntry {
    FdbEntry {
        mac: HwAddr::new(LinkType::ETHER, &e.mac).to_string(),
        dev: names.get(&e.ifindex).cloned(),
        ifindex: e.ifindex,
        dst: e.dst.map(|d| d.to_string()),
        vlan: e.vlan,
        port: e.port,
        vni: e.vni,
        master: e.master.and_then(|m| names.get(&m).cloned()),
        state: e.fdb_state().name().to_owned(),
        flags: FdbDisplay::flag_words(e.flags).map(str::to_owned).collect(),
        line: e.display(names, true).to_string(),
    }
}

/// The arguments of one entry, read while attached.
struct FdbArgs {
    mac: String,
    dev: Dev,
    dst: Option<String>,
    via: Option<Dev>,
    state: Option<String>,
    spec: FdbSpec,
}

impl FdbArgs {
    /// The core spec (addresses parsed here, devices resolved by the handle).
    fn spec(&self) -> netns_core::Result<FdbSpec> {
        let mut s = self.spec.clone();
        s.mac = parse_mac(&self.mac)?;
        s.dev = self.dev.clone();
        if let Some(d) = &self.dst {
            s.dst = Some(parse_ip(d, "dst")?);
        }
        s.via = self.via.clone();
        if let Some(st) = &self.state {
            s.state = st.parse::<FdbState>()?;
        }
        Ok(s)
    }
}

#[allow(clippy::too_many_arguments)]
fn fdb_args(
    mac: &str,
    dev: &Bound<'_, PyAny>,
    dst: Option<&Bound<'_, PyAny>>,
    vlan: Option<u16>,
    port: Option<u16>,
    vni: Option<u32>,
    via: Option<&Bound<'_, PyAny>>,
    self_: bool,
    master: bool,
    state: Option<String>,
    extern_learn: bool,
    sticky: bool,
) -> PyResult<FdbArgs> {
    let dev = dev_arg(dev, "dev")?;
    let mut spec = FdbSpec::new([0; 6], dev.clone())
        .self_(self_)
        .master(master)
        .extern_learn(extern_learn)
        .sticky(sticky);
    spec.vlan = vlan;
    spec.port = port;
    spec.vni = vni;
    Ok(FdbArgs {
        mac: mac.to_owned(),
        dev,
        dst: dst.map(|d| ip_text(d, "dst")).transpose()?,
        via: via.map(|v| dev_arg(v, "via")).transpose()?,
        state,
        spec,
    })
}

#[pymethods]
impl Handle {
    /// Adds a bridge fdb entry, as ``bridge fdb add MAC dev DEV [dst IP]
    /// [vlan V] [port P] [vni N] [via DEV] [self] [master]
    /// [permanent|static|dynamic] [extern_learn] [sticky]``: ``self_=True``
    /// is the device's own table (the default), ``master=True`` the master
    /// bridge's; ``state`` ``'permanent'`` (default), ``'static'`` or
    /// ``'dynamic'``. With ``exist_ok=True`` an identical existing entry is
    /// accepted (another ``dst``, ``state`` … is still ``FileExistsError``,
    /// naming the field). Returns whether the entry was added.
    #[pyo3(signature = (mac, dev, *, dst=None, vlan=None, port=None, vni=None, via=None, self_=false, master=false, state=None, extern_learn=false, sticky=false, exist_ok=false))]
    #[allow(clippy::too_many_arguments)]
    fn fdb_add(
        &self,
        py: Python<'_>,
        mac: &str,
        dev: &Bound<'_, PyAny>,
        dst: Option<&Bound<'_, PyAny>>,
        vlan: Option<u16>,
        port: Option<u16>,
        vni: Option<u32>,
        via: Option<&Bound<'_, PyAny>>,
        self_: bool,
        master: bool,
        state: Option<String>,
        extern_learn: bool,
        sticky: bool,
        exist_ok: bool,
    ) -> PyResult<bool> {
        let a = fdb_args(
            mac,
            dev,
            dst,
            vlan,
            port,
            vni,
            via,
            self_,
            master,
            state,
            extern_learn,
            sticky,
        )?;
        self.with(py, |h| {
            let spec = a.spec()?;
            if exist_ok {
                h.fdb_add_exist_ok(&spec)
            } else {
                h.fdb_add(&spec).map(|()| true)
            }
        })
    }

    /// Deletes an fdb entry (``bridge fdb del``; ``dst`` selects one vxlan
    /// remote). With ``missing_ok=True`` an entry that is not there is
    /// accepted. Returns whether one was deleted.
    #[pyo3(signature = (mac, dev, *, dst=None, vlan=None, port=None, vni=None, self_=false, master=false, missing_ok=false))]
    #[allow(clippy::too_many_arguments)]
    fn fdb_del(
        &self,
        py: Python<'_>,
        mac: &str,
        dev: &Bound<'_, PyAny>,
        dst: Option<&Bound<'_, PyAny>>,
        vlan: Option<u16>,
        port: Option<u16>,
        vni: Option<u32>,
        self_: bool,
        master: bool,
        missing_ok: bool,
    ) -> PyResult<bool> {
        let a = fdb_args(
            mac, dev, dst, vlan, port, vni, None, self_, master, None, false, false,
        )?;
        self.with(py, |h| {
            let spec = a.spec()?;
            if missing_ok {
                h.fdb_del_missing_ok(&spec)
            } else {
                h.fdb_del(&spec).map(|()| true)
            }
        })
    }

    /// One fdb entry, looked up by the kernel (``bridge fdb get MAC [br BR]
    /// [dev DEV] [self] [master] [vlan V] [vni N]``): ``br`` and/or ``dev``.
    #[pyo3(signature = (mac, *, dev=None, br=None, vlan=None, vni=None, self_=false, master=false))]
    #[allow(clippy::too_many_arguments)]
    fn fdb_get(
        &self,
        py: Python<'_>,
        mac: &str,
        dev: Option<&Bound<'_, PyAny>>,
        br: Option<&Bound<'_, PyAny>>,
        vlan: Option<u16>,
        vni: Option<u32>,
        self_: bool,
        master: bool,
    ) -> PyResult<FdbEntry> {
        let mac = mac.to_owned();
        let dev = dev.map(|d| dev_arg(d, "dev")).transpose()?;
        let br = br.map(|b| dev_arg(b, "br")).transpose()?;
        self.with(py, |h| {
            let mac = parse_mac(&mac)?;
            let mut q = match (dev, br.clone()) {
                (Some(d), _) => FdbQuery::dev(mac, d),
                (None, Some(b)) => FdbQuery::br(mac, b),
                (None, None) => {
                    // The core refuses it: a device or a bridge is required.
                    let mut q = FdbQuery::br(mac, Dev::Name(String::new()));
                    q.br = None;
                    q
                }
            };
            if q.dev.is_some() {
                q.br = br;
            }
            q.vlan = vlan;
            q.vni = vni;
            let e = h.fdb_get(&q.self_(self_).master(master))?;
            let names = h.interface_names()?;
            Ok(entry_of(&e, &names))
        })
    }

    /// The fdb entries (``bridge fdb show [br BR] [brport DEV] [vlan V]``):
    /// of bridge ``br`` and of link ``dev`` (filtered by the kernel), of
    /// ``vlan``.
    #[pyo3(signature = (*, dev=None, br=None, vlan=None))]
    fn fdb_entries(
        &self,
        py: Python<'_>,
        dev: Option<&Bound<'_, PyAny>>,
        br: Option<&Bound<'_, PyAny>>,
        vlan: Option<u16>,
    ) -> PyResult<Vec<FdbEntry>> {
        let mut f = FdbFilter::new();
        if let Some(d) = dev {
            f = f.dev(dev_arg(d, "dev")?);
        }
        if let Some(b) = br {
            f = f.br(dev_arg(b, "br")?);
        }
        f.vlan = vlan;
        self.with(py, |h| {
            let owned: Vec<CoreEntry> = h.fdb_entries(&f)?.map(|e| e.to_fdb_entry()).collect();
            let names = h.interface_names()?;
            Ok(owned.iter().map(|e| entry_of(e, &names)).collect())
        })
    }

    /// Deletes the entries of bridge (or vxlan) ``dev`` the kernel selects
    /// (``bridge fdb flush dev DEV [brport PORT] [vlan V] [self] [master]
    /// [[no]static] [[no]dynamic] [[no]permanent]``: one bulk delete, Linux
    /// 6.0): ``static``, ``dynamic``, ``permanent`` True or False for the
    /// ``no…`` form.
    #[pyo3(signature = (dev, *, port=None, vlan=None, self_=false, master=false, permanent=None, static_=None, dynamic=None))]
    #[allow(clippy::too_many_arguments)]
    fn fdb_flush(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        port: Option<&Bound<'_, PyAny>>,
        vlan: Option<u16>,
        self_: bool,
        master: bool,
        permanent: Option<bool>,
        static_: Option<bool>,
        dynamic: Option<bool>,
    ) -> PyResult<()> {
        let mut f = FdbFlush::new(dev_arg(dev, "dev")?);
        f.port = port.map(|p| dev_arg(p, "port")).transpose()?;
        f.vlan = vlan;
        f.self_ = self_;
        f.master = master;
        f.permanent = permanent;
        f.static_ = static_;
        f.dynamic = dynamic;
        self.with(py, |h| h.fdb_flush(&f))
    }
}

/// One `#[pymethods]` block per way of writing an fdb entry besides
/// `fdb_add` (`append`, `replace`): the same arguments, one core
/// operation each.
macro_rules! fdb_write_method {
    ($name:ident, $op:path, $doc:expr) => {
        #[pymethods]
        impl Handle {
            #[doc = $doc]
            #[pyo3(signature = (mac, dev, *, dst=None, vlan=None, port=None, vni=None, via=None, self_=false, master=false, state=None, extern_learn=false, sticky=false))]
            #[allow(clippy::too_many_arguments)]
            fn $name(
                &self,
                py: Python<'_>,
                mac: &str,
                dev: &Bound<'_, PyAny>,
                dst: Option<&Bound<'_, PyAny>>,
                vlan: Option<u16>,
                port: Option<u16>,
                vni: Option<u32>,
                via: Option<&Bound<'_, PyAny>>,
                self_: bool,
                master: bool,
                state: Option<String>,
                extern_learn: bool,
                sticky: bool,
            ) -> PyResult<()> {
                let a = fdb_args(
                    mac,
                    dev,
                    dst,
                    vlan,
                    port,
                    vni,
                    via,
                    self_,
                    master,
                    state,
                    extern_learn,
                    sticky,
                )?;
                self.with(py, |h| $op(h, &a.spec()?))
            }
        }
    };
}

fdb_write_method!(
    fdb_append,
    netns_core::Handle::fdb_append,
    "Appends an fdb entry (``bridge fdb append``: another vxlan remote for
the same MAC address); arguments as ``fdb_add``."
);
fdb_write_method!(
    fdb_replace,
    netns_core::Handle::fdb_replace,
    "Adds or replaces an fdb entry (``bridge fdb replace``); arguments as
``fdb_add``."
);
