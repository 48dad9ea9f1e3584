//! `Handle`: links, addresses and routes of one namespace over its rtnetlink
//! socket.
//!
//! The core handle sits behind a mutex, so one `Handle` can be shared by
//! threads (their requests are serialised on its socket). Every method
//! releases the GIL first and only then takes the mutex, so a thread holding
//! the mutex never waits for the GIL.
//!
//! One `#[pymethods]` block per concern (pyo3's `multiple-pymethods`):
//! `links.rs`, `addrs.rs`, `routes.rs`, `nsids.rs`; this file holds the class,
//! the GIL-releasing runners every method goes through, and the lifecycle.

mod addrs;
mod fdb;
mod links;
mod names;
mod neigh;
mod nexthop;
mod nsids;
mod routes;
mod rules;
mod tuntaps;

pub(crate) use addrs::address_objects;
pub(crate) use links::link_of;
pub(crate) use nexthop::add_to_module as add_nexthop_classes;
pub(crate) use routes::route_objects;

use std::sync::Mutex;

use netns_core::netlink::BatchError;
use netns_core::{Error, NetNs};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::args::each;
use crate::errors::CoreResultExt;
use crate::namespace::{lock, Namespace};

/// An rtnetlink handle bound to one network namespace (from
/// ``Namespace.handle()`` or ``netns.handle()``): links, addresses, routes.
///
/// Safe to share between threads (requests are serialised on its socket);
/// ``close()`` is idempotent; a context manager.
#[pyclass(frozen, module = "netns")]
pub(crate) struct Handle {
    inner: Mutex<Option<netns_core::Handle>>,
}

impl Handle {
    pub(crate) fn new(h: netns_core::Handle) -> Handle {
        Handle {
            inner: Mutex::new(Some(h)),
        }
    }

    /// Runs `f` on the core handle with the GIL released (`ValueError`
    /// once closed).
    fn on_handle<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut netns_core::Handle) -> R + Send,
    ) -> PyResult<R> {
        py.detach(|| lock(&self.inner).as_mut().map(f))
            .ok_or_else(|| PyValueError::new_err("operation on a closed Handle"))
    }

    /// Runs `f` on the core handle with the GIL released; its error
    /// translated once.
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut netns_core::Handle) -> netns_core::Result<T> + Send,
    ) -> PyResult<T> {
        self.on_handle(py, f)?.py(py)
    }

    /// Runs the batch `f` on the core handle with the GIL released; its
    /// failure carries the failing entry's index (``batch_index``).
    fn with_batch<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut netns_core::Handle) -> Result<T, BatchError> + Send,
    ) -> PyResult<T> {
        self.on_handle(py, f)?
            .map_err(|e| crate::errors::batch_to_py(py, e))
    }
}

/// The error of entry `index` of a batch that was not sent.
fn unsent_entry(index: usize) -> impl Fn(Error) -> BatchError {
    BatchError::unsent(index)
}

#[pymethods]
impl Handle {
    /// True once ``close()`` was called.
    #[getter]
    fn closed(&self, py: Python<'_>) -> bool {
        py.detach(|| lock(&self.inner).is_none())
    }

    /// Closes the socket (idempotent).
    fn close(&self, py: Python<'_>) {
        let taken = py.detach(|| lock(&self.inner).take());
        drop(taken);
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, py: Python<'_>, _exc: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        if self.closed(py) {
            "<Handle closed>".into()
        } else {
            "<Handle>".into()
        }
    }
}

/// A ``Handle`` on the calling thread's current network namespace.
#[pyfunction]
pub(crate) fn handle(py: Python<'_>) -> PyResult<Handle> {
    let h = py.detach(netns_core::Handle::current).py(py)?;
    Ok(Handle::new(h))
}

/// One ``Handle`` in each of ``namespaces``, in order, all opened from one
/// short-lived thread that enters them in turn (``Namespace.handle()``
/// spends a thread per namespace); the calling thread never moves.
#[pyfunction]
pub(crate) fn handles(py: Python<'_>, namespaces: &Bound<'_, PyAny>) -> PyResult<Vec<Handle>> {
    let nss = each(namespaces, |item| match item.cast::<Namespace>() {
        Ok(ns) => ns.get().get(),
        Err(_) => Err(PyTypeError::new_err(format!(
            "handles takes Namespace objects, not {}",
            item.get_type().name()?
        ))),
    })?;
    let hs = py
        .detach(|| {
            let refs: Vec<&NetNs> = nss.iter().map(|n| n.as_ref()).collect();
            NetNs::handles(&refs)
        })
        .py(py)?;
    Ok(hs.into_iter().map(Handle::new).collect())
}
