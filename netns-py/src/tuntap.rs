//! tun/tap devices (``ip tuntap``) and link statistics (``ip -s link``):
//! ``netns.tuntap_add`` / ``Namespace.tuntap_add`` (the device is born in
//! the namespace of the thread that makes it: the core does that on a
//! short-lived thread inside it), ``Handle.tuntaps``, ``Handle.tuntap_del``
//! and ``Handle.link_stats`` are in `handle/tuntaps.rs`.

use std::os::fd::IntoRawFd;
use std::sync::Arc;

use netns_core::link::{tuntap_add_current, TunMode, TunTapSpec};
use netns_core::NetNs;
use pyo3::prelude::*;

use crate::args::ns_arg;
use crate::errors::CoreResultExt;
use crate::namespace::Namespace;

/// The spec of ``tuntap_add``'s arguments.
#[allow(clippy::too_many_arguments)]
fn spec_of(
    py: Python<'_>,
    name: &str,
    mode: &str,
    owner: Option<u32>,
    group: Option<u32>,
    persist: bool,
    pi: bool,
    vnet_hdr: bool,
    multi_queue: bool,
) -> PyResult<TunTapSpec> {
    let mode = TunMode::parse(mode).py(py)?;
    let mut spec = TunTapSpec::new(name, mode)
        .persist(persist)
        .pi(pi)
        .vnet_hdr(vnet_hdr)
        .multi_queue(multi_queue);
    if let Some(u) = owner {
        spec = spec.owner(u);
    }
    if let Some(g) = group {
        spec = spec.group(g);
    }
    spec.validate().py(py)?;
    Ok(spec)
}

/// Creates the device in `ns` (the caller's namespace when None); returns
/// its name and, for a device that is not persistent, the descriptor
/// attached to it (the caller owns it: the device goes when it is closed).
fn add(
    py: Python<'_>,
    ns: Option<Arc<NetNs>>,
    spec: TunTapSpec,
) -> PyResult<(String, Option<i32>)> {
    let made = py
        .detach(|| match ns {
            Some(ns) => ns.tuntap_add(&spec),
            None => tuntap_add_current(&spec),
        })
        .py(py)?;
    Ok((made.name, made.fd.map(IntoRawFd::into_raw_fd)))
}

/// Creates a tun or tap device, as ``ip tuntap add NAME mode MODE [user U]
/// [group G] [pi] [vnet_hdr] [multi_queue]``, in ``netns`` (a
/// ``Namespace``; the caller's namespace when None). ``name=''`` lets the
/// kernel pick ``tunN``/``tapN``. Returns ``(name, fd)``: ``fd`` is None for
/// a persistent device (the default), else a descriptor attached to the
/// device that the caller owns (the device goes when it is closed).
#[pyfunction]
#[pyo3(signature = (name, mode, *, owner=None, group=None, persist=true, pi=false, vnet_hdr=false, multi_queue=false, netns=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn tuntap_add(
    py: Python<'_>,
    name: &str,
    mode: &str,
    owner: Option<u32>,
    group: Option<u32>,
    persist: bool,
    pi: bool,
    vnet_hdr: bool,
    multi_queue: bool,
    netns: Option<&Bound<'_, PyAny>>,
) -> PyResult<(String, Option<i32>)> {
    let ns = ns_arg(netns)?;
    let spec = spec_of(
        py,
        name,
        mode,
        owner,
        group,
        persist,
        pi,
        vnet_hdr,
        multi_queue,
    )?;
    add(py, ns, spec)
}

#[pymethods]
impl Namespace {
    /// ``netns.tuntap_add(..., netns=self)``.
    #[pyo3(signature = (name, mode, *, owner=None, group=None, persist=true, pi=false, vnet_hdr=false, multi_queue=false))]
    #[allow(clippy::too_many_arguments)]
    fn tuntap_add(
        &self,
        py: Python<'_>,
        name: &str,
        mode: &str,
        owner: Option<u32>,
        group: Option<u32>,
        persist: bool,
        pi: bool,
        vnet_hdr: bool,
        multi_queue: bool,
    ) -> PyResult<(String, Option<i32>)> {
        let ns = self.get()?;
        let spec = spec_of(
            py,
            name,
            mode,
            owner,
            group,
            persist,
            pi,
            vnet_hdr,
            multi_queue,
        )?;
        add(py, Some(ns), spec)
    }
}
