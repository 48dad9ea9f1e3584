//! `exec` with `subprocess.run`'s shape: the program is started by
//! [`netns_core::Registry::spawn`] (as `ip netns exec`), its output read
//! through pipes by threads while the caller waits with the GIL released.
//!
//! The timeout never races with pid reuse: a waiter thread blocks in
//! `waitid(WEXITED | WNOWAIT)`, which does not reap, so the pid stays ours
//! until the child is reaped after the kill.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::sync::mpsc;
use std::time::Duration;

use netns_core::{Error, ExecOptions, Registry};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitid, Id, WaitPidFlag};
use nix::unistd::Pid;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// What to run.
pub(crate) struct ExecRequest<'a> {
    pub(crate) name: &'a str,
    pub(crate) argv: &'a [OsString],
    pub(crate) capture: bool,
    pub(crate) input: Option<Vec<u8>>,
    pub(crate) timeout: Option<Duration>,
    /// The child's whole environment (`KEY=VALUE` entries); `None` inherits.
    pub(crate) env: Option<Vec<OsString>>,
}

/// `env=` as `subprocess.run` takes it: a mapping of names to values
/// (`str` or `bytes`), made into the core's `KEY=VALUE` entries; `None`
/// inherits the caller's environment.
///
/// # Errors
/// `TypeError` for something that is not a mapping of strings;
/// `ValueError` for a name that is empty or contains `=`, as `subprocess`.
pub(crate) fn env_arg(env: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<OsString>>> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let Some(env) = env.filter(|e| !e.is_none()) else {
        return Ok(None);
    };
    let os_bytes = |v: &Bound<'_, PyAny>| -> PyResult<Vec<u8>> {
        match v.extract::<OsString>() {
            Ok(s) => Ok(s.as_bytes().to_vec()),
            Err(_) => v.extract::<Vec<u8>>().map_err(|_| {
                pyo3::exceptions::PyTypeError::new_err("env: names and values must be str or bytes")
            }),
        }
    };
    let items = env.call_method0("items").map_err(|_| {
        pyo3::exceptions::PyTypeError::new_err("env must be a mapping of names to values")
    })?;
    let mut out = Vec::new();
    for item in items.try_iter()? {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
        let mut entry = os_bytes(&k)?;
        if entry.is_empty() || entry.contains(&b'=') {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "illegal environment variable name {:?}",
                String::from_utf8_lossy(&entry)
            )));
        }
        entry.push(b'=');
        entry.extend_from_slice(&os_bytes(&v)?);
        out.push(OsString::from_vec(entry));
    }
    Ok(Some(out))
}

/// How it ended.
pub(crate) struct ExecOutcome {
    /// `subprocess`'s convention: the exit code, or minus the signal number.
    returncode: i32,
    stdout: Option<Vec<u8>>,
    stderr: Option<Vec<u8>>,
    timed_out: bool,
}

fn pipe(object: &str) -> netns_core::Result<(OwnedFd, OwnedFd)> {
    let (r, w) = std::io::pipe().map_err(|e| Error::io(&e, "exec", object.to_owned()))?;
    Ok((r.into(), w.into()))
}

fn read_all(fd: Option<OwnedFd>) -> Option<Vec<u8>> {
    let mut file = std::fs::File::from(fd?);
    let mut out = Vec::new();
    // A read error ends the output there (the child closed it oddly).
    let _ = file.read_to_end(&mut out);
    Some(out)
}

/// Spawns, feeds, reads and reaps; runs detached from the interpreter.
pub(crate) fn run(reg: &Registry, req: ExecRequest<'_>) -> netns_core::Result<ExecOutcome> {
    let object = format!("in network namespace {:?}", req.name);
    let mut opts = ExecOptions::new();
    if let Some(env) = req.env {
        opts = opts.env(env);
    }
    let mut stdin_w = None;
    if req.input.is_some() {
        let (r, w) = pipe(&object)?;
        opts = opts.stdin(r);
        stdin_w = Some(w);
    }
    let (mut out_r, mut err_r) = (None, None);
    if req.capture {
        let (r, w) = pipe(&object)?;
        opts = opts.stdout(w);
        out_r = Some(r);
        let (r, w) = pipe(&object)?;
        opts = opts.stderr(w);
        err_r = Some(r);
    }
    // The child's ends are closed here once spawned (opts is consumed).
    let child = reg.spawn(req.name, req.argv, opts)?;
    let pid = Pid::from_raw(child.pid());
    let input = req.input;

    std::thread::scope(|s| {
        let writer = s.spawn(move || {
            if let (Some(w), Some(data)) = (stdin_w, input) {
                let mut file = std::fs::File::from(w);
                // EPIPE: the child did not read it all; not an error, as in subprocess.
                let _ = file.write_all(&data);
            }
        });
        let out = s.spawn(move || read_all(out_r));
        let err = s.spawn(move || read_all(err_r));

        let mut timed_out = false;
        if let Some(limit) = req.timeout {
            let (tx, rx) = mpsc::channel();
            s.spawn(move || {
                // Blocks until the child has ended, leaving it unreaped.
                let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT;
                while let Err(nix::errno::Errno::EINTR) = waitid(Id::Pid(pid), flags) {}
                let _ = tx.send(());
            });
            if rx.recv_timeout(limit).is_err() {
                timed_out = true;
                // Not reaped yet (WNOWAIT), so `pid` is still this child.
                let _ = kill(pid, Signal::SIGKILL);
                let _ = rx.recv();
            }
        }
        let status = child.wait()?;
        let stdout = out.join().unwrap_or_default();
        let stderr = err.join().unwrap_or_default();
        let _ = writer.join();
        use std::os::unix::process::ExitStatusExt;
        let returncode = match (status.code(), status.signal()) {
            (Some(code), _) => code,
            (None, Some(sig)) => -sig,
            (None, None) => -1,
        };
        Ok(ExecOutcome {
            returncode,
            stdout,
            stderr,
            timed_out,
        })
    })
}

/// `subprocess.CompletedProcess(argv, returncode, stdout, stderr)`, or
/// `subprocess.TimeoutExpired` / `subprocess.CalledProcessError` as
/// `subprocess.run` raises them.
pub(crate) fn to_python(
    py: Python<'_>,
    argv: &Bound<'_, PyAny>,
    outcome: ExecOutcome,
    check: bool,
    text: bool,
    timeout: Option<Duration>,
) -> PyResult<Py<PyAny>> {
    let subprocess = py.import("subprocess")?;
    let convert = |data: Option<Vec<u8>>| -> PyResult<Py<PyAny>> {
        match data {
            None => Ok(py.None()),
            Some(d) if text => Ok(String::from_utf8_lossy(&d)
                .into_owned()
                .into_pyobject(py)?
                .into_any()
                .unbind()),
            Some(d) => Ok(PyBytes::new(py, &d).into_any().unbind()),
        }
    };
    let stdout = convert(outcome.stdout)?;
    let stderr = convert(outcome.stderr)?;
    if outcome.timed_out {
        let secs = timeout.map(|t| t.as_secs_f64()).unwrap_or_default();
        let exc = subprocess
            .getattr("TimeoutExpired")?
            .call1((argv, secs, stdout, stderr))?;
        return Err(PyErr::from_value(exc));
    }
    if check && outcome.returncode != 0 {
        let exc = subprocess.getattr("CalledProcessError")?.call1((
            outcome.returncode,
            argv,
            stdout,
            stderr,
        ))?;
        return Err(PyErr::from_value(exc));
    }
    Ok(subprocess
        .getattr("CompletedProcess")?
        .call1((argv, outcome.returncode, stdout, stderr))?
        .unbind())
}
