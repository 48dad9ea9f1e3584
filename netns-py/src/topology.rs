//! Topologies (``netns.topology``): apply, destroy, status and check of a
//! TOML file or a dict, thin over `netns_topology`; the reports come back
//! as plain dicts (their serde form, as ``netns topology … -j`` prints).

use std::path::PathBuf;

use netns_topology::{Options, Topology};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3::IntoPyObjectExt;

use crate::errors::CoreResultExt;

/// A path (``str`` or ``os.PathLike``) or a dict → the topology.
fn topology_arg(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Topology> {
    if source.is_instance_of::<PyDict>() {
        let json: String = py
            .import("json")?
            .call_method1("dumps", (source,))?
            .extract()?;
        return py.detach(|| Topology::from_json(&json, "<dict>")).py(py);
    }
    let path: PathBuf = source.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "a topology is a path or a dict, not {}",
            source
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    py.detach(|| Topology::from_path(&path)).py(py)
}

fn options(adopt: bool, wait: bool, state_dir: Option<PathBuf>) -> Options {
    let mut o = Options::new().adopt(adopt).wait(wait);
    if let Some(d) = state_dir {
        o = o.state_dir(d);
    }
    o
}

/// A JSON value as plain Python objects.
fn py_of(py: Python<'_>, v: &serde_json::Value) -> PyResult<Py<PyAny>> {
    use serde_json::Value;
    Ok(match v {
        Value::Null => py.None(),
        Value::Bool(b) => b.into_py_any(py)?,
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_py_any(py)?,
            (None, Some(u)) => u.into_py_any(py)?,
            _ => n.as_f64().unwrap_or(f64::NAN).into_py_any(py)?,
        },
        Value::String(s) => s.into_py_any(py)?,
        Value::Array(items) => {
            let list = PyList::empty(py);
            for i in items {
                list.append(py_of(py, i)?)?;
            }
            list.into_any().unbind()
        }
        Value::Object(map) => {
            let d = PyDict::new(py);
            for (k, v) in map {
                d.set_item(k, py_of(py, v)?)?;
            }
            d.into_any().unbind()
        }
    })
}

/// A report as a dict, with `extra` keys added.
fn report<T: serde::Serialize>(
    py: Python<'_>,
    r: &T,
    extra: &[(&str, bool)],
) -> PyResult<Py<PyAny>> {
    let mut v = serde_json::to_value(r)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    if let serde_json::Value::Object(map) = &mut v {
        for (k, b) in extra {
            map.insert((*k).to_owned(), serde_json::Value::Bool(*b));
        }
    }
    py_of(py, &v)
}

/// Makes the system match the topology (``netns topology apply``): a path
/// to a TOML file or a dict of the same keys. Returns ``{'topology': name,
/// 'changes': [...], 'elapsed': ms}``.
#[pyfunction]
#[pyo3(signature = (source, *, adopt=false, wait=true, state_dir=None))]
pub(crate) fn topology_apply(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    adopt: bool,
    wait: bool,
    state_dir: Option<PathBuf>,
) -> PyResult<Py<PyAny>> {
    let topo = topology_arg(py, source)?;
    let r = py
        .detach(|| topo.apply(&mut options(adopt, wait, state_dir)))
        .py(py)?;
    report(py, &r, &[])
}

/// Removes what the topology's applies created (``netns topology
/// destroy``). Returns ``{'topology', 'removed', 'kept', 'elapsed'}``.
#[pyfunction]
#[pyo3(signature = (source, *, wait=true, state_dir=None))]
pub(crate) fn topology_destroy(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    wait: bool,
    state_dir: Option<PathBuf>,
) -> PyResult<Py<PyAny>> {
    let topo = topology_arg(py, source)?;
    let r = py
        .detach(|| topo.destroy(&options(false, wait, state_dir)))
        .py(py)?;
    report(py, &r, &[])
}

/// The drift between the topology and the system (``netns topology
/// status``). Returns ``{'topology', 'drift': [{'kind', 'object',
/// 'detail'?}], 'pending_changes', 'ownership', 'clean'}``.
#[pyfunction]
#[pyo3(signature = (source, *, adopt=false, state_dir=None))]
pub(crate) fn topology_status(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    adopt: bool,
    state_dir: Option<PathBuf>,
) -> PyResult<Py<PyAny>> {
    let topo = topology_arg(py, source)?;
    let r = py
        .detach(|| topo.status(&options(adopt, true, state_dir)))
        .py(py)?;
    report(py, &r, &[("clean", r.is_clean())])
}

/// Pings every declared link end and route (``netns topology check``).
/// Returns ``{'topology', 'results': [{'from', 'src', 'to', 'proves',
/// 'rtt_ms', 'error'}], 'ok'}``.
#[pyfunction]
#[pyo3(signature = (source, *, timeout=None))]
pub(crate) fn topology_check(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    timeout: Option<f64>,
) -> PyResult<Py<PyAny>> {
    let topo = topology_arg(py, source)?;
    let timeout = std::time::Duration::from_secs_f64(timeout.unwrap_or(1.0).clamp(0.001, 3600.0));
    let r = py
        .detach(|| topo.check_with_timeout(&Options::new(), timeout))
        .py(py)?;
    report(py, &r, &[("ok", r.ok())])
}
