//! `Handle`'s neighbour methods (``ip neigh``): add, replace, delete, get,
//! list, flush. Arguments become the core's `NeighSpec` / `NeighFilter`.

use netns_core::link::Dev;
use netns_core::neigh::{parse_lladdr, NeighFilter, NeighSpec, NeighState};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString};

use super::names::names_if;
use super::{unsent_entry, Handle};
use crate::args::{dev_arg, each, family_arg, ip_text, parse_ip, parse_net};
use crate::errors::CoreResultExt;
use crate::objects::{neighbour_of, Neighbour};

/// A state: a name as ``ip neigh … nud`` takes it (``'permanent'``) or the
/// ``NUD_*`` number.
fn state_arg(obj: &Bound<'_, PyAny>) -> PyResult<NeighState> {
    if obj.is_instance_of::<PyInt>() {
        let n: u16 = obj.extract()?;
        return Ok(NeighState(n));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s.to_cow()?.to_lowercase().parse().py(obj.py());
    }
    Err(PyTypeError::new_err(format!(
        "state must be a name (str) or a NUD_* number (int), not {}",
        obj.get_type().name()?
    )))
}

/// The arguments of one neighbour, read while attached.
struct NeighArgs {
    dst: String,
    dev: Dev,
    mac: Option<String>,
    state: Option<NeighState>,
    proxy: bool,
    router: bool,
    extern_learn: bool,
    protocol: Option<u8>,
}

impl NeighArgs {
    #[allow(clippy::too_many_arguments)]
    fn new(
        dst: &Bound<'_, PyAny>,
        dev: &Bound<'_, PyAny>,
        mac: Option<&str>,
        state: Option<&Bound<'_, PyAny>>,
        proxy: bool,
        router: bool,
        extern_learn: bool,
        protocol: Option<u8>,
    ) -> PyResult<NeighArgs> {
        Ok(NeighArgs {
            dst: ip_text(dst, "dst")?,
            dev: dev_arg(dev, "dev")?,
            mac: mac.map(str::to_owned),
            state: state.map(state_arg).transpose()?,
            proxy,
            router,
            extern_learn,
            protocol,
        })
    }

    /// The core spec (addresses parsed here, the device resolved by the handle).
    fn spec(&self) -> netns_core::Result<NeighSpec> {
        let dst = parse_ip(&self.dst, "neighbour address")?;
        let mut spec = if self.proxy {
            NeighSpec::proxy(dst, self.dev.clone())
        } else {
            NeighSpec::new(dst, self.dev.clone())
        };
        if let Some(m) = &self.mac {
            spec = spec.mac(parse_lladdr(m)?);
        }
        if let Some(s) = self.state {
            spec = spec.state(s);
        }
        spec = spec.router(self.router).extern_learn(self.extern_learn);
        if let Some(p) = self.protocol {
            spec = spec.protocol(p);
        }
        Ok(spec)
    }
}

/// The filter of ``neighbours`` and ``neigh_flush``.
fn filter_of(
    dev: Option<&Bound<'_, PyAny>>,
    family: Option<&str>,
    state: Option<&Bound<'_, PyAny>>,
    proxy: bool,
    to: Option<&Bound<'_, PyAny>>,
    master: Option<&Bound<'_, PyAny>>,
) -> PyResult<(NeighFilter, Option<String>)> {
    let mut f = NeighFilter::new().proxy(proxy);
    if let Some(d) = dev {
        f = f.dev(dev_arg(d, "dev")?);
    }
    if let Some(fam) = family_arg(family)? {
        f = f.family(fam);
    }
    if let Some(s) = state {
        if s.cast::<PyString>()
            .is_ok_and(|t| t.to_cow().is_ok_and(|t| t == "all"))
        {
            f = f.all_states();
        } else {
            f = f.state(state_arg(s)?);
        }
    }
    if let Some(m) = master {
        f = f.master(dev_arg(m, "master")?);
    }
    Ok((f, to.map(|t| ip_text(t, "to")).transpose()?))
}

#[pymethods]
impl Handle {
    /// Adds a neighbour entry, as ``ip neigh add DST dev DEV [lladdr MAC]
    /// [nud STATE] [router] [proxy]``: ``state`` is a name (``'permanent'``,
    /// ``'reachable'``, ``'stale'``, ``'noarp'`` …) or a ``NUD_*`` number
    /// (``permanent`` by default, as ``ip``); ``proxy=True`` makes a proxy
    /// entry (no ``mac``); ``protocol`` a number.
    /// With ``exist_ok=True`` an identical existing entry is accepted (one
    /// with another ``mac`` or state is still ``FileExistsError``, naming
    /// the field). Returns whether the entry was added.
    #[pyo3(signature = (dst, dev, *, mac=None, state=None, proxy=false, router=false, extern_learn=false, protocol=None, exist_ok=false))]
    #[allow(clippy::too_many_arguments)]
    fn neigh_add(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        dev: &Bound<'_, PyAny>,
        mac: Option<&str>,
        state: Option<&Bound<'_, PyAny>>,
        proxy: bool,
        router: bool,
        extern_learn: bool,
        protocol: Option<u8>,
        exist_ok: bool,
    ) -> PyResult<bool> {
        let a = NeighArgs::new(dst, dev, mac, state, proxy, router, extern_learn, protocol)?;
        self.with(py, |h| {
            let spec = a.spec()?;
            if exist_ok {
                h.neigh_add_exist_ok(&spec)
            } else {
                h.neigh_add(&spec).map(|()| true)
            }
        })
    }

    /// Adds or replaces a neighbour entry (``ip neigh replace``); arguments
    /// as ``neigh_add``.
    #[pyo3(signature = (dst, dev, *, mac=None, state=None, proxy=false, router=false, extern_learn=false, protocol=None))]
    #[allow(clippy::too_many_arguments)]
    fn neigh_replace(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        dev: &Bound<'_, PyAny>,
        mac: Option<&str>,
        state: Option<&Bound<'_, PyAny>>,
        proxy: bool,
        router: bool,
        extern_learn: bool,
        protocol: Option<u8>,
    ) -> PyResult<()> {
        let a = NeighArgs::new(dst, dev, mac, state, proxy, router, extern_learn, protocol)?;
        self.with(py, |h| h.neigh_replace(&a.spec()?))
    }

    /// Changes an existing neighbour entry (``ip neigh change``); arguments
    /// as ``neigh_add``.
    #[pyo3(signature = (dst, dev, *, mac=None, state=None, proxy=false, router=false, extern_learn=false, protocol=None))]
    #[allow(clippy::too_many_arguments)]
    fn neigh_change(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        dev: &Bound<'_, PyAny>,
        mac: Option<&str>,
        state: Option<&Bound<'_, PyAny>>,
        proxy: bool,
        router: bool,
        extern_learn: bool,
        protocol: Option<u8>,
    ) -> PyResult<()> {
        let a = NeighArgs::new(dst, dev, mac, state, proxy, router, extern_learn, protocol)?;
        self.with(py, |h| h.neigh_change(&a.spec()?))
    }

    /// Deletes the neighbour entry ``dst`` on ``dev`` (``ip neigh del``;
    /// ``proxy=True`` for a proxy entry). With ``missing_ok=True`` an entry
    /// that is not there is accepted. Returns whether one was deleted.
    #[pyo3(signature = (dst, dev, *, proxy=false, missing_ok=false))]
    fn neigh_del(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        dev: &Bound<'_, PyAny>,
        proxy: bool,
        missing_ok: bool,
    ) -> PyResult<bool> {
        let a = NeighArgs::new(dst, dev, None, None, proxy, false, false, None)?;
        self.with(py, |h| {
            let spec = a.spec()?;
            if missing_ok {
                h.neigh_del_missing_ok(&spec)
            } else {
                h.neigh_del(&spec).map(|()| true)
            }
        })
    }

    /// The neighbour entry ``dst`` on ``dev`` (``ip neigh get``: one
    /// ``RTM_GETNEIGH``, no dump).
    #[pyo3(signature = (dst, dev, *, proxy=false))]
    fn neigh_get(
        &self,
        py: Python<'_>,
        dst: &Bound<'_, PyAny>,
        dev: &Bound<'_, PyAny>,
        proxy: bool,
    ) -> PyResult<Neighbour> {
        let dst = ip_text(dst, "dst")?;
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| {
            let n = h.neigh_get(parse_ip(&dst, "neighbour address")?, &dev, proxy)?;
            let names = names_if(h, true)?;
            Ok(neighbour_of(&n, &names))
        })
    }

    /// The neighbour entries (``ip neigh show``), filtered: ``dev``,
    /// ``family``, ``state`` (a name, a number, or ``'all'``; by default
    /// every state but ``noarp`` and ``none``, as ``ip``), ``proxy=True``
    /// for the proxy entries, ``to`` (a prefix), ``master``.
    #[pyo3(signature = (*, dev=None, family=None, state=None, proxy=false, to=None, master=None))]
    #[allow(clippy::too_many_arguments)]
    fn neighbours(
        &self,
        py: Python<'_>,
        dev: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
        state: Option<&Bound<'_, PyAny>>,
        proxy: bool,
        to: Option<&Bound<'_, PyAny>>,
        master: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Neighbour>> {
        let (filter, to) = filter_of(dev, family, state, proxy, to, master)?;
        self.with(py, |h| {
            let filter = match &to {
                Some(t) => filter.to(parse_net(t)?),
                None => filter,
            };
            let owned: Vec<_> = h.neighbours(&filter)?.map(|n| n.to_owned()).collect();
            let names = names_if(h, !owned.is_empty())?;
            Ok(owned.iter().map(|n| neighbour_of(n, &names)).collect())
        })
    }

    /// Deletes the neighbour entries the filter selects (``ip neigh
    /// flush``; arguments as ``neighbours``, at least one of ``dev``,
    /// ``to``, ``state``, ``family`` or ``proxy`` is wise); returns how many
    /// went.
    #[pyo3(signature = (*, dev=None, family=None, state=None, proxy=false, to=None, master=None))]
    #[allow(clippy::too_many_arguments)]
    fn neigh_flush(
        &self,
        py: Python<'_>,
        dev: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
        state: Option<&Bound<'_, PyAny>>,
        proxy: bool,
        to: Option<&Bound<'_, PyAny>>,
        master: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<usize> {
        let (filter, to) = filter_of(dev, family, state, proxy, to, master)?;
        self.with(py, |h| {
            let filter = match &to {
                Some(t) => filter.to(parse_net(t)?),
                None => filter,
            };
            h.neigh_flush(&filter)
        })
    }

    /// Adds many neighbour entries in one batch: ``entries`` holds dicts
    /// with the keywords of ``neigh_add`` (``dst`` and ``dev`` required).
    /// On failure the exception's ``batch_index`` names the entry.
    fn neighs_add(&self, py: Python<'_>, entries: &Bound<'_, PyAny>) -> PyResult<()> {
        let args = each(entries, |item| {
            let get = |k: &str| item.get_item(k).ok().filter(|v| !v.is_none());
            let flag = |k: &str| -> PyResult<bool> {
                get(k)
                    .map(|v| v.extract::<bool>())
                    .transpose()
                    .map(|b| b.unwrap_or(false))
            };
            let dst = get("dst").ok_or_else(|| PyValueError::new_err("an entry has no 'dst'"))?;
            let dev = get("dev").ok_or_else(|| PyValueError::new_err("an entry has no 'dev'"))?;
            let mac: Option<String> = get("mac").map(|m| m.extract()).transpose()?;
            let protocol: Option<u8> = get("protocol").map(|p| p.extract()).transpose()?;
            NeighArgs::new(
                &dst,
                &dev,
                mac.as_deref(),
                get("state").as_ref(),
                flag("proxy")?,
                flag("router")?,
                flag("extern_learn")?,
                protocol,
            )
        })?;
        self.with_batch(py, |h| {
            let specs = args
                .iter()
                .enumerate()
                .map(|(i, a)| a.spec().map_err(unsent_entry(i)))
                .collect::<Result<Vec<_>, _>>()?;
            h.neighs_add(&specs)
        })
    }
}
