//! `Monitor`: a blocking iterator of the names added to and deleted from a
//! registry's run directory, waiting with the GIL released.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use netns_core::MonitorWait;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors::CoreResultExt;
use crate::namespace::lock;
use crate::values::MonitorEvent;

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
    pub(crate) fn new(m: netns_core::Monitor) -> Monitor {
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
