//! `Namespace` (an open namespace fd) and the functions that open one;
//! `Registry` (the named namespaces) is in `registry.rs`, `Monitor` in
//! `monitor.rs`.
//!
//! Every call that can block runs detached from the interpreter
//! (`Python::detach`), so other Python threads go on meanwhile.

use std::os::fd::{AsFd, AsRawFd};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use netns_core::{NetNs, Nsid};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::CoreResultExt;
use crate::handle::Handle;

/// Locks `m`, going on past a poisoned lock (the data is an `Option` that a
/// panicking holder cannot leave half-changed).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An open network namespace (a file descriptor on it).
///
/// Holding it keeps the namespace alive. Usable from any thread; `close()`
/// is idempotent and waits for no one: calls already running keep their own
/// reference to the descriptor until they end.
#[pyclass(frozen, module = "netns")]
pub(crate) struct Namespace {
    ns: Mutex<Option<Arc<NetNs>>>,
    name: Option<String>,
    inode: u64,
    device: u64,
}

impl Namespace {
    pub(crate) fn new(ns: NetNs, name: Option<String>) -> Namespace {
        Namespace {
            inode: ns.inode(),
            device: ns.device(),
            ns: Mutex::new(Some(Arc::new(ns))),
            name,
        }
    }

    /// The open namespace, or `ValueError` once closed.
    pub(crate) fn get(&self) -> PyResult<Arc<NetNs>> {
        lock(&self.ns)
            .clone()
            .ok_or_else(|| PyValueError::new_err("operation on a closed Namespace"))
    }
}

#[pymethods]
impl Namespace {
    /// The registry name it was opened by, or None.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The namespace's inode number, as in ``net:[4026531840]``.
    #[getter]
    fn inode(&self) -> u64 {
        self.inode
    }

    /// The ``st_dev`` of the namespace file.
    #[getter]
    fn device(&self) -> u64 {
        self.device
    }

    /// True once ``close()`` was called.
    #[getter]
    fn closed(&self) -> bool {
        lock(&self.ns).is_none()
    }

    /// The file descriptor (for ``setns`` in a child process, or ``os.fstat``).
    fn fileno(&self) -> PyResult<i32> {
        Ok(self.get()?.as_fd().as_raw_fd())
    }

    /// Closes the descriptor (idempotent).
    fn close(&self) {
        let taken = lock(&self.ns).take();
        drop(taken);
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, PyTuple>) -> bool {
        self.close();
        false
    }

    fn __repr__(&self) -> String {
        let state = if self.closed() { " closed" } else { "" };
        match &self.name {
            Some(n) => format!("<Namespace {n:?} net:[{}]{state}>", self.inode),
            None => format!("<Namespace net:[{}]{state}>", self.inode),
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<Namespace>() {
            Ok(o) => {
                let o = o.get();
                (o.device, o.inode) == (self.device, self.inode)
            }
            Err(_) => false,
        }
    }

    fn __hash__(&self) -> u64 {
        self.inode ^ self.device.rotate_left(32)
    }

    /// Calls ``func(*args, **kwargs)`` inside this namespace and returns its
    /// result; its exceptions propagate.
    ///
    /// ``func`` runs on a short-lived dedicated thread that entered the
    /// namespace (``setns``); the calling thread never changes namespace and
    /// releases the GIL while it waits. Sockets ``func`` opens stay bound to
    /// this namespace after it returns.
    ///
    /// Only that thread is inside: files of ``/proc`` that follow the network
    /// namespace must be read through ``/proc/thread-self/net/...``.
    /// ``/proc/net`` is ``/proc/self/net``, which follows the process's main
    /// thread, so it shows the caller's namespace::
    ///
    ///     ns.run(lambda: open("/proc/thread-self/net/dev").read())
    #[pyo3(signature = (func, /, *args, **kwargs))]
    fn run(
        &self,
        py: Python<'_>,
        func: Py<PyAny>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        let ns = self.get()?;
        let args = args.clone().unbind();
        let kwargs = kwargs.map(|k| k.clone().unbind());
        let result = py.detach(move || {
            ns.run(move || {
                Python::attach(|py| {
                    func.bind(py)
                        .call(args.bind(py), kwargs.as_ref().map(|k| k.bind(py)))
                        .map(Bound::unbind)
                })
            })
        });
        result.py(py)?
    }

    /// An rtnetlink ``Handle`` bound to this namespace (the socket is opened
    /// on a thread inside it).
    fn handle(&self, py: Python<'_>) -> PyResult<Handle> {
        let ns = self.get()?;
        let h = py.detach(move || ns.handle()).py(py)?;
        Ok(Handle::new(h))
    }

    /// Reads ``/proc/sys/KEY`` inside this namespace (``net.ipv4.ip_forward``
    /// or ``net/ipv4/ip_forward``), without the trailing newline.
    fn sysctl_get(&self, py: Python<'_>, key: &str) -> PyResult<String> {
        let ns = self.get()?;
        py.detach(move || ns.sysctl_get(key)).py(py)
    }

    /// Writes ``value`` to ``/proc/sys/KEY`` inside this namespace.
    fn sysctl_set(&self, py: Python<'_>, key: &str, value: &str) -> PyResult<()> {
        let ns = self.get()?;
        py.detach(move || ns.sysctl_set(key, value)).py(py)
    }
}

/// Opens the namespace file at ``path`` (e.g. ``/proc/1/ns/net`` or
/// ``/run/netns/blue``).
#[pyfunction]
pub(crate) fn open_path(py: Python<'_>, path: PathBuf) -> PyResult<Namespace> {
    let ns = py.detach(|| NetNs::open_path(&path)).py(py)?;
    Ok(Namespace::new(ns, None))
}

/// Opens the network namespace of process ``pid`` (through a pidfd, so a
/// recycled pid cannot substitute another process's namespace).
#[pyfunction]
pub(crate) fn open_pid(py: Python<'_>, pid: i32) -> PyResult<Namespace> {
    let ns = py.detach(|| NetNs::open_pid(pid)).py(py)?;
    Ok(Namespace::new(ns, None))
}

/// The calling thread's network namespace.
#[pyfunction]
pub(crate) fn current(py: Python<'_>) -> PyResult<Namespace> {
    let ns = py.detach(NetNs::current).py(py)?;
    Ok(Namespace::new(ns, None))
}

pub(crate) fn nsid(id: i32) -> PyResult<Nsid> {
    Nsid::new(id).ok_or_else(|| PyValueError::new_err(format!("invalid nsid {id}: must be >= 0")))
}
