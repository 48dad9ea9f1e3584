//! `Namespace` (an open namespace fd), `Registry` (the named namespaces under
//! a run directory) and `Monitor`.
//!
//! Every call that can block runs detached from the interpreter
//! (`Python::detach`), so other Python threads go on meanwhile.

use std::ffi::OsString;
use std::os::fd::{AsFd, AsRawFd};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use netns_core::{IdFilter, MonitorWait, NetNs, Nsid, PidsOptions};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::errors::CoreResultExt;
use crate::exec::{self, ExecRequest};
use crate::handle::Handle;
use crate::values::{IdEntry, MonitorEvent, NamespaceEntry};

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
pub(crate) fn from_pid(py: Python<'_>, pid: i32) -> PyResult<Namespace> {
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

/// The named network namespaces: a run directory (default ``/run/netns``,
/// or ``$NETNS_RUN_DIR``) where each name is a file with a namespace mounted
/// on it, as ``ip netns`` keeps them, and an etc directory (default
/// ``/etc/netns``, or ``$NETNS_ETC_DIR``) whose ``NAME/`` files ``exec``
/// binds over ``/etc``.
#[pyclass(frozen, module = "netns")]
pub(crate) struct Registry {
    inner: netns_core::Registry,
}

#[pymethods]
impl Registry {
    #[new]
    #[pyo3(signature = (run_dir=None, etc_dir=None))]
    fn new(run_dir: Option<PathBuf>, etc_dir: Option<PathBuf>) -> Registry {
        let env = netns_core::Registry::from_env();
        let run = run_dir.unwrap_or_else(|| env.run_dir().to_path_buf());
        let etc = etc_dir.unwrap_or_else(|| env.etc_dir().to_path_buf());
        Registry {
            inner: netns_core::Registry::new(run, etc),
        }
    }

    /// The run directory.
    #[getter]
    fn run_dir(&self) -> PathBuf {
        self.inner.run_dir().to_path_buf()
    }

    /// The etc directory.
    #[getter]
    fn etc_dir(&self) -> PathBuf {
        self.inner.etc_dir().to_path_buf()
    }

    fn __repr__(&self) -> String {
        format!(
            "Registry(run_dir={:?}, etc_dir={:?})",
            self.inner.run_dir().display().to_string(),
            self.inner.etc_dir().display().to_string()
        )
    }

    /// Creates a namespace named ``name`` (as ``ip netns add``) and returns
    /// it open. Nothing is left behind on failure.
    fn add(&self, py: Python<'_>, name: &str) -> PyResult<Namespace> {
        let ns = py.detach(|| self.inner.add(name)).py(py)?;
        Ok(Namespace::new(ns, Some(name.to_owned())))
    }

    /// Creates a namespace named ``name`` as ``add`` does, and returns it
    /// open with an rtnetlink ``Handle`` inside it, both made on one
    /// short-lived thread (``add`` then ``handle()`` costs two, and a
    /// ``setns``). The fast way to create many namespaces, e.g. from a
    /// thread per core.
    fn add_with_handle(&self, py: Python<'_>, name: &str) -> PyResult<(Namespace, Handle)> {
        let (ns, h) = py.detach(|| self.inner.add_with_handle(name)).py(py)?;
        Ok((Namespace::new(ns, Some(name.to_owned())), Handle::new(h)))
    }

    /// Names the network namespace of process ``pid`` (as ``ip netns attach``).
    fn attach(&self, py: Python<'_>, name: &str, pid: i32) -> PyResult<Namespace> {
        let ns = py.detach(|| self.inner.attach(name, pid)).py(py)?;
        Ok(Namespace::new(ns, Some(name.to_owned())))
    }

    /// Removes the name (as ``ip netns delete``); the namespace itself lives
    /// on while processes or open handles use it.
    fn delete(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        py.detach(|| self.inner.delete(name)).py(py)
    }

    /// Removes each of ``names`` as ``delete`` does, on several threads
    /// (the fast way to delete many: an unmount sometimes waits for the
    /// kernel, and the waits overlap), going on past failures. Every name is
    /// checked first (``ValueError``, nothing deleted). Returns the names
    /// deleted, in the order given; when some failed, raises the first
    /// failure (``NetnsError``) once every name was tried.
    fn delete_many(&self, py: Python<'_>, names: Vec<String>) -> PyResult<Vec<String>> {
        for name in &names {
            netns_core::validate_name(name).py(py)?;
        }
        let report = py.detach(|| self.inner.delete_many(&names));
        match report.failed.into_iter().next() {
            Some((_, first)) => Err(first).py(py),
            None => Ok(report.deleted),
        }
    }

    /// Opens the namespace named ``name``.
    fn open(&self, py: Python<'_>, name: &str) -> PyResult<Namespace> {
        let ns = py.detach(|| self.inner.open(name)).py(py)?;
        Ok(Namespace::new(ns, Some(name.to_owned())))
    }

    /// Every name, sorted, with its nsid (or None) and whether it is stale.
    fn list(&self, py: Python<'_>) -> PyResult<Vec<NamespaceEntry>> {
        let entries = py.detach(|| self.inner.list()).py(py)?;
        Ok(entries
            .into_iter()
            .map(|e| NamespaceEntry {
                name: e.name,
                id: e.id.map(Nsid::get),
                stale: e.stale,
            })
            .collect())
    }

    /// The nsids known in the caller's namespace (as ``ip netns list-id``).
    #[pyo3(signature = (*, target_nsid=None, nsid=None))]
    fn list_ids(
        &self,
        py: Python<'_>,
        target_nsid: Option<i32>,
        nsid: Option<i32>,
    ) -> PyResult<Vec<IdEntry>> {
        let mut filter = IdFilter::new();
        if let Some(t) = target_nsid {
            filter = filter.target_nsid(self::nsid(t)?);
        }
        if let Some(n) = nsid {
            filter = filter.nsid(self::nsid(n)?);
        }
        let entries = py.detach(|| self.inner.list_ids(filter)).py(py)?;
        Ok(entries
            .into_iter()
            .map(|e| IdEntry {
                nsid: e.nsid.get(),
                current_nsid: e.current_nsid.map(Nsid::get),
                name: e.name,
            })
            .collect())
    }

    /// Assigns nsid ``id`` to namespace ``name`` (None: the kernel chooses).
    #[pyo3(signature = (name, id=None))]
    fn set_id(&self, py: Python<'_>, name: &str, id: Option<i32>) -> PyResult<()> {
        let id = id.map(nsid).transpose()?;
        py.detach(|| self.inner.set_id(name, id)).py(py)
    }

    /// The names of the namespace of process ``pid`` (the calling thread's
    /// when None), sorted.
    #[pyo3(signature = (pid=None))]
    fn identify(&self, py: Python<'_>, pid: Option<i32>) -> PyResult<Vec<String>> {
        py.detach(|| self.inner.identify(pid)).py(py)
    }

    /// The processes in namespace ``name`` (thread ids too with ``threads``).
    #[pyo3(signature = (name, *, threads=false))]
    fn pids(&self, py: Python<'_>, name: &str, threads: bool) -> PyResult<Vec<i32>> {
        py.detach(|| self.inner.pids(name, PidsOptions::new().threads(threads)))
            .py(py)
    }

    /// Watches the run directory: an iterator of ``MonitorEvent``.
    fn monitor(&self, py: Python<'_>) -> PyResult<Monitor> {
        let m = py.detach(|| self.inner.monitor()).py(py)?;
        Ok(Monitor::new(m))
    }

    /// Runs ``argv`` inside namespace ``name`` (as ``ip netns exec``) and
    /// returns a ``subprocess.CompletedProcess``; see ``netns.exec``.
    #[pyo3(signature = (name, argv, *, capture_output=false, check=false, input=None, timeout=None, text=false))]
    #[allow(clippy::too_many_arguments)]
    fn exec(
        &self,
        py: Python<'_>,
        name: &str,
        argv: &Bound<'_, PyAny>,
        capture_output: bool,
        check: bool,
        input: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        text: bool,
    ) -> PyResult<Py<PyAny>> {
        if argv.is_instance_of::<pyo3::types::PyString>() || argv.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "argv must be a sequence of arguments, not a string",
            ));
        }
        let args: Vec<OsString> = argv.extract()?;
        let input: Option<Vec<u8>> = match input {
            None => None,
            Some(i) if text => Some(i.extract::<String>()?.into_bytes()),
            Some(i) => Some(i.extract::<Vec<u8>>()?),
        };
        let timeout = match timeout {
            None => None,
            Some(t) if t.is_finite() && t >= 0.0 => Some(Duration::from_secs_f64(t)),
            Some(t) => return Err(PyValueError::new_err(format!("invalid timeout {t}"))),
        };
        let request = ExecRequest {
            name,
            argv: &args,
            capture: capture_output,
            input,
            timeout,
        };
        let outcome = py.detach(|| exec::run(&self.inner, request)).py(py)?;
        exec::to_python(py, argv, outcome, check, text, timeout)
    }
}

/// How long `Monitor.__next__` waits with the GIL released before it looks
/// for signals (a Ctrl-C raises `KeyboardInterrupt` within this time, or at
/// once when the signal interrupts the wait).
const MONITOR_SLICE: Duration = Duration::from_millis(100);

/// A blocking iterator of ``MonitorEvent``: ``next()`` waits (with the GIL
/// released) until a name is added (and mounted) or deleted.
#[pyclass(frozen, module = "netns")]
pub(crate) struct Monitor {
    inner: Mutex<Option<netns_core::Monitor>>,
    closer: netns_core::MonitorCloser,
}

impl Monitor {
    fn new(m: netns_core::Monitor) -> Monitor {
        Monitor {
            closer: m.closer(),
            inner: Mutex::new(Some(m)),
        }
    }

    /// One wait of at most `timeout`, with the GIL released; `None` once
    /// closed.
    fn wait(&self, py: Python<'_>, timeout: Duration) -> PyResult<Option<MonitorWait>> {
        let got = py.detach(|| lock(&self.inner).as_mut().map(|m| m.next_timeout(timeout)));
        match got {
            None | Some(Ok(MonitorWait::Closed)) => Ok(None),
            Some(r) => r.py(py).map(Some),
        }
    }
}

fn event_of(event: netns_core::MonitorEvent) -> MonitorEvent {
    match event {
        netns_core::MonitorEvent::Add(name) => MonitorEvent {
            kind: "add".into(),
            name,
        },
        netns_core::MonitorEvent::Delete(name) => MonitorEvent {
            kind: "delete".into(),
            name,
        },
        other => MonitorEvent {
            kind: "other".into(),
            name: format!("{other:?}"),
        },
    }
}

#[pymethods]
impl Monitor {
    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    /// Waits in slices with the GIL released, handling signals between
    /// them (a Ctrl-C raises ``KeyboardInterrupt``); ``StopIteration`` once
    /// closed, also when ``close()`` is called while it waits.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<MonitorEvent>> {
        loop {
            match self.wait(py, MONITOR_SLICE)? {
                None => return Ok(None),
                Some(MonitorWait::Event(e)) => return Ok(Some(event_of(e))),
                Some(_) => py.check_signals()?,
            }
        }
    }

    /// The next event, waiting at most ``timeout`` seconds (None: as
    /// ``next()``); None when the time ran out or the monitor is closed.
    /// Signals are handled while it waits, as in ``next()``.
    #[pyo3(signature = (timeout=None))]
    fn wait_event(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<MonitorEvent>> {
        let Some(timeout) = timeout else {
            return self.__next__(py);
        };
        if !(timeout.is_finite() && timeout >= 0.0) {
            return Err(PyValueError::new_err(format!("invalid timeout {timeout}")));
        }
        let deadline = Instant::now() + Duration::from_secs_f64(timeout.min(1e9));
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.wait(py, left.min(MONITOR_SLICE))? {
                None => return Ok(None),
                Some(MonitorWait::Event(e)) => return Ok(Some(event_of(e))),
                Some(_) if left.is_zero() => return Ok(None),
                Some(_) => py.check_signals()?,
            }
        }
    }

    /// True once ``close()`` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.closer.is_closed()
    }

    /// Stops watching: idempotent, from any thread; a ``next()`` waiting in
    /// another thread wakes at once and raises ``StopIteration``, as does
    /// every later one.
    fn close(&self, py: Python<'_>) {
        self.closer.close();
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

    fn __repr__(&self) -> &'static str {
        if self.closed() {
            "<Monitor closed>"
        } else {
            "<Monitor>"
        }
    }
}
