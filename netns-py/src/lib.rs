//! `netns._native`: the Rust half of the `netns` Python package.
//!
//! Thin: every call becomes one `netns-core` call made with the GIL released,
//! its result a small frozen class (`values.rs`) and its error translated once
//! (`errors.rs`). The public API, with its docs and types, is the Python
//! package in `python/netns/`.
#![deny(unsafe_code)]

mod args;
mod errors;
mod events;
mod exec;
mod handle;
mod monitor;
mod namespace;
mod objects;
mod registry;
mod specs;
mod topology;
mod tuntap;
mod values;

use pyo3::prelude::*;

/// The extension module. `gil_used = false`: every class is frozen and keeps
/// its mutable state behind a mutex, so the module is safe on free-threaded
/// Python.
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::add_to_module(m)?;
    m.add_class::<namespace::Namespace>()?;
    m.add_class::<registry::Registry>()?;
    m.add_class::<monitor::Monitor>()?;
    m.add_class::<handle::Handle>()?;
    handle::add_nexthop_classes(m)?;
    m.add_class::<specs::LinkSpec>()?;
    m.add_class::<specs::Veth>()?;
    m.add_class::<specs::Bridge>()?;
    m.add_class::<specs::Dummy>()?;
    m.add_class::<specs::Ifb>()?;
    m.add_class::<specs::MacVlan>()?;
    m.add_class::<specs::Vxlan>()?;
    m.add_class::<values::CreatedLink>()?;
    m.add_class::<values::NamespaceEntry>()?;
    m.add_class::<values::IdEntry>()?;
    m.add_class::<values::MonitorEvent>()?;
    m.add_class::<values::Link>()?;
    m.add_class::<values::Address>()?;
    m.add_class::<values::FdbEntry>()?;
    m.add_class::<values::Route>()?;
    m.add_class::<values::NextHop>()?;
    m.add_function(wrap_pyfunction!(namespace::open_path, m)?)?;
    m.add_function(wrap_pyfunction!(namespace::open_pid, m)?)?;
    m.add_function(wrap_pyfunction!(namespace::current, m)?)?;
    m.add_function(wrap_pyfunction!(handle::handle, m)?)?;
    m.add_function(wrap_pyfunction!(handle::handles, m)?)?;
    m.add_class::<objects::Neighbour>()?;
    m.add_class::<objects::Rule>()?;
    m.add_class::<objects::LinkStats>()?;
    m.add_class::<objects::TunTap>()?;
    m.add_class::<events::Event>()?;
    m.add_class::<events::Subscription>()?;
    m.add_function(wrap_pyfunction!(events::subscribe, m)?)?;
    m.add_function(wrap_pyfunction!(tuntap::tuntap_add, m)?)?;
    m.add_function(wrap_pyfunction!(topology::topology_apply, m)?)?;
    m.add_function(wrap_pyfunction!(topology::topology_destroy, m)?)?;
    m.add_function(wrap_pyfunction!(topology::topology_status, m)?)?;
    m.add_function(wrap_pyfunction!(topology::topology_check, m)?)?;
    m.add_function(wrap_pyfunction!(errors::_error_for_errno, m)?)?;
    Ok(())
}
