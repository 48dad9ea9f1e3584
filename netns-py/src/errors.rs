//! The one translation of [`netns_core::Error`] into Python exceptions.
//!
//! Every core error becomes an instance of `netns.NetnsError` (a subclass of
//! `OSError`) or of one of its subclasses, chosen by the error's
//! [`ErrorKind`]; each subclass also derives from the built-in exception
//! Python code already catches for that case:
//!
//! | kind                          | class                   | also a              |
//! |-------------------------------|-------------------------|---------------------|
//! | `AlreadyExists`               | `AlreadyExistsError`    | `FileExistsError`   |
//! | `NotFound`                    | `NotFoundError`         | `FileNotFoundError` |
//! | `PermissionDenied`            | `PermissionDeniedError` | `PermissionError`   |
//! | `InvalidName`, `InvalidArgument` (`EINVAL`, `ERANGE`) | `InvalidArgumentError` | `ValueError` |
//! | `Busy`                        | `BusyError`             |                     |
//! | `Stale`                       | `StaleError`            |                     |
//! | `Unsupported`                 | `UnsupportedError`      |                     |
//! | anything else                 | `NetnsError`            | `OSError`           |
//!
//! The kernel's `EINVAL` and `ERANGE` are argument errors too (core rule:
//! `ErrorKind::from_errno`), so `except ValueError` catches every errno-22
//! failure, whether netns or the kernel refused the argument.
//!
//! Each exception is also an instance of the `OSError` subclass CPython picks
//! for its errno (`OSError(errno, …)` builds it: `ESRCH` a
//! `ProcessLookupError`, `EAGAIN` a `BlockingIOError`, `ETIMEDOUT` a
//! `TimeoutError` …): when the class of the table is not one already, the
//! exception's class is a subclass of both with the same name
//! (`NotFoundError` and `ProcessLookupError` for `ESRCH`), made once.
//!
//! The exception's `errno` is the system's when there was one (else the one
//! the kind stands for: `ErrorKind::errno`, e.g. `EEXIST`), its message the core error's one
//! line (`cannot add network namespace "x": already exists`), and it carries
//! `kernel_message` (the netlink extended-ack text), `operation`, `object`
//! and `batch_index` (for the failure of a batched call, the index of the
//! entry that failed; else None).
//!
//! The classes are built once, when the module is imported
//! ([`add_to_module`]), with `type(name, bases, namespace)`, since a class with
//! two bases cannot be declared with `create_exception!`.

use netns_core::{Error, ErrorKind};
use pyo3::exceptions::{
    PyFileExistsError, PyFileNotFoundError, PyOSError, PyPermissionError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// The exception classes, created once per process.
struct Classes {
    base: Py<PyType>,
    exists: Py<PyType>,
    not_found: Py<PyType>,
    permission: Py<PyType>,
    invalid: Py<PyType>,
    busy: Py<PyType>,
    stale: Py<PyType>,
    unsupported: Py<PyType>,
    /// `(class of the table, CPython's class for the errno)` → the class of
    /// both, made when first needed.
    mixed: Py<PyDict>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

const BASE_DOC: &str = "A failed netns operation: an OSError carrying ``errno``, the kernel's \
extended-ack text (``kernel_message``, or None), the ``operation`` attempted (e.g. ``'add'``), \
the ``object`` it was attempted on (e.g. ``'network namespace \"blue\"'``) and, for a batched \
call (``links_add``, ``links_set``, ``addresses_add``), the index of the entry that failed \
(``batch_index``, else None).";

/// `type(name, bases, {"__module__": "netns", "__doc__": doc})`.
fn make_class<'py>(
    py: Python<'py>,
    name: &str,
    bases: &[Bound<'py, PyType>],
    doc: &str,
) -> PyResult<Py<PyType>> {
    let namespace = PyDict::new(py);
    namespace.set_item("__module__", "netns")?;
    namespace.set_item("__doc__", doc)?;
    let bases = PyTuple::new(py, bases)?;
    let class = py
        .get_type::<PyType>()
        .call1((name, bases, namespace))?
        .cast_into::<PyType>()?;
    Ok(class.unbind())
}

fn classes(py: Python<'_>) -> PyResult<&'static Classes> {
    CLASSES.get_or_try_init(py, || {
        let base = make_class(py, "NetnsError", &[py.get_type::<PyOSError>()], BASE_DOC)?;
        let b = base.bind(py).clone();
        let sub = |name: &str, other: Option<Bound<'_, PyType>>, doc: &str| {
            let mut bases = vec![b.clone()];
            bases.extend(other);
            make_class(py, name, &bases, doc)
        };
        Ok::<_, PyErr>(Classes {
            exists: sub(
                "AlreadyExistsError",
                Some(py.get_type::<PyFileExistsError>()),
                "The object exists already (EEXIST): a FileExistsError.",
            )?,
            not_found: sub(
                "NotFoundError",
                Some(py.get_type::<PyFileNotFoundError>()),
                "The object does not exist (ENOENT, ENODEV, ESRCH …): a FileNotFoundError.",
            )?,
            permission: sub(
                "PermissionDeniedError",
                Some(py.get_type::<PyPermissionError>()),
                "The caller lacks a privilege (EPERM, EACCES): a PermissionError.",
            )?,
            invalid: sub(
                "InvalidArgumentError",
                Some(py.get_type::<PyValueError>()),
                "A name, address or other argument was refused, before reaching the kernel \
                 or by the kernel (EINVAL, ERANGE): a ValueError.",
            )?,
            busy: sub(
                "BusyError",
                None,
                "The object is in use (EBUSY); the message says what holds it when known.",
            )?,
            stale: sub(
                "StaleError",
                None,
                "A registry entry exists but no namespace is mounted on it.",
            )?,
            unsupported: sub(
                "UnsupportedError",
                None,
                "The kernel or this machine does not support the operation (EOPNOTSUPP, \
                 no driver …).",
            )?,
            mixed: PyDict::new(py).unbind(),
            base,
        })
    })
}

pyo3::create_exception!(
    netns,
    InconsistentDumpWarning,
    pyo3::exceptions::PyRuntimeWarning,
    "A listing whose kernel dump was interrupted (NLM_F_DUMP_INTR) on every attempt: the \
     result is the last attempt's and may miss or repeat entries that changed meanwhile \
     (ip warns \"Dump was interrupted and may be inconsistent\"). A RuntimeWarning; turn it \
     into an error with warnings.simplefilter('error', netns.InconsistentDumpWarning)."
);

/// Warns with [`InconsistentDumpWarning`] (through `warnings.warn`, so the
/// caller's filters apply: an "error" filter makes it raise) when a dump of
/// `what` (e.g. `"links"`) was not consistent.
pub(crate) fn warn_if_inconsistent(py: Python<'_>, consistent: bool, what: &str) -> PyResult<()> {
    if consistent {
        return Ok(());
    }
    let message = std::ffi::CString::new(format!(
        "the dump of {what} was interrupted and may be inconsistent \
         (NLM_F_DUMP_INTR on every attempt)"
    ))
    .unwrap_or_default();
    PyErr::warn(py, &py.get_type::<InconsistentDumpWarning>(), &message, 1)
}

/// Adds the exception classes to the module.
pub(crate) fn add_to_module(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add(
        "InconsistentDumpWarning",
        m.py().get_type::<InconsistentDumpWarning>(),
    )?;
    let c = classes(m.py())?;
    for class in [
        &c.base,
        &c.exists,
        &c.not_found,
        &c.permission,
        &c.invalid,
        &c.busy,
        &c.stale,
        &c.unsupported,
    ] {
        let class = class.bind(m.py());
        m.add(class.name()?, class)?;
    }
    Ok(())
}

/// Builds the Python exception for `err` (the one conversion).
pub(crate) fn to_py(py: Python<'_>, err: Error) -> PyErr {
    match build(py, &err, None) {
        Ok(e) => e,
        // Building the exception itself failed (out of memory …): raise that.
        Err(e) => e,
    }
}

fn build(py: Python<'_>, err: &Error, batch_index: Option<usize>) -> PyResult<PyErr> {
    let c = classes(py)?;
    let class = match err.kind() {
        ErrorKind::AlreadyExists => &c.exists,
        ErrorKind::NotFound => &c.not_found,
        ErrorKind::PermissionDenied => &c.permission,
        ErrorKind::InvalidName | ErrorKind::InvalidArgument => &c.invalid,
        ErrorKind::Busy => &c.busy,
        ErrorKind::Stale => &c.stale,
        ErrorKind::Unsupported => &c.unsupported,
        _ => &c.base,
    };
    let message = err.to_string();
    let errno = err.errno().or_else(|| err.kind().errno());
    let value = match errno {
        Some(errno) => {
            let class = with_errno_class(py, c, class.bind(py), errno as i32)?;
            class.call1((errno as i32, message))?
        }
        None => class.bind(py).call1((message,))?,
    };
    value.setattr("kernel_message", err.kernel_message())?;
    value.setattr("operation", err.operation())?;
    value.setattr("object", err.object())?;
    value.setattr("batch_index", batch_index)?;
    Ok(PyErr::from_value(value))
}

/// `class` if it is already an instance of the `OSError` subclass CPython
/// uses for `errno` (`type(OSError(errno, ""))`), else the subclass of both,
/// named as `class` (made once per pair).
fn with_errno_class<'py>(
    py: Python<'py>,
    c: &Classes,
    class: &Bound<'py, PyType>,
    errno: i32,
) -> PyResult<Bound<'py, PyType>> {
    let cpython = py.get_type::<PyOSError>().call1((errno, ""))?.get_type();
    if class.is_subclass(&cpython)? {
        return Ok(class.clone());
    }
    let key = (class, &cpython);
    let mixed = c.mixed.bind(py);
    if let Some(found) = mixed.get_item(key)? {
        return Ok(found.cast_into::<PyType>()?);
    }
    let doc: String = class.getattr("__doc__")?.extract()?;
    let made = make_class(
        py,
        &class.name()?.to_cow()?,
        &[class.clone(), cpython.clone()],
        &doc,
    )?;
    // Two threads may make one each: both are right, the first is kept.
    let kept = mixed.call_method1("setdefault", (key, made))?;
    Ok(kept.cast_into::<PyType>()?)
}

/// The exception of an error the core would give for a system call (or,
/// with `kernel`, a netlink request) failing with `errno`: the conversion
/// itself, for the test over every errno of the `errno` module.
#[pyfunction]
pub(crate) fn _error_for_errno(py: Python<'_>, errno: i32, kernel: bool) -> PyResult<Py<PyAny>> {
    let errno = netns_core::Errno::from_raw(errno);
    let err = if kernel {
        Error::kernel(errno, None, None, "test", "errno")
    } else {
        Error::sys(errno, "test", "errno")
    };
    Ok(build(py, &err, None)?.into_value(py).into_any())
}

/// Builds the Python exception for the failure of a batch: as [`to_py`],
/// with ``batch_index`` the index of the entry that failed.
pub(crate) fn batch_to_py(py: Python<'_>, err: netns_core::netlink::BatchError) -> PyErr {
    match build(py, &err.error, Some(err.index)) {
        Ok(e) => e,
        Err(e) => e,
    }
}

/// `.py(py)` on a core result: the error translated by [`to_py`].
pub(crate) trait CoreResultExt<T> {
    /// Translates the error, if any.
    fn py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> CoreResultExt<T> for netns_core::Result<T> {
    fn py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
