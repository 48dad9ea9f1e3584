//! `Registry`: the named namespaces under a run directory, as ``ip netns``
//! keeps them.
//!
//! Every call that can block runs detached from the interpreter
//! (`Python::detach`), so other Python threads go on meanwhile.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use netns_core::{IdFilter, Nsid, PidsOptions};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::CoreResultExt;
use crate::exec::{self, ExecRequest};
use crate::handle::Handle;
use crate::monitor::Monitor;
use crate::namespace::{nsid, Namespace};
use crate::values::{IdEntry, NamespaceEntry};

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
        crate::errors::warn_if_inconsistent(py, entries.is_consistent(), "nsids")?;
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
    #[pyo3(signature = (name, argv, *, capture_output=false, check=false, input=None, timeout=None, text=false, env=None))]
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
        env: Option<&Bound<'_, PyAny>>,
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
            env: exec::env_arg(env)?,
        };
        let outcome = py.detach(|| exec::run(&self.inner, request)).py(py)?;
        exec::to_python(py, argv, outcome, check, text, timeout)
    }
}
