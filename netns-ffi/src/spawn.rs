//! Processes in a namespace: `netns_spawn` starts a program (as `ip netns
//! exec`, without waiting; in a named namespace or any open `netns_ns`,
//! with the caller's environment or exactly `envp`) and gives a
//! `netns_child` with its pid and pidfd; `netns_child_wait` and
//! `netns_child_kill`.

use std::ffi::{c_char, c_int, OsStr};
use std::os::fd::AsRawFd;
use std::os::unix::process::ExitStatusExt;

use netns_core::{Error, ExecChild, ExecOptions};

use crate::error::{netns_result, Failure};
use crate::namespace::netns_ns;
use crate::panic::{call, guard};
use crate::ptr::{
    argv_arg, dup_fd, free, into_raw, mut_arg, opt_ref, opt_str_arg, out_arg, str_arg,
};
use crate::registry::{netns_registry, registry};

/// A program started by `netns_spawn`. Opaque; free with
/// `netns_child_free` (which neither waits for nor signals it).
pub struct netns_child {
    pid: i32,
    child: Option<ExecChild>,
}

/// Starts program `argv[0]` (searched in `PATH`; `argv` NULL-terminated)
/// inside a namespace, as `ip netns exec` does but without waiting: a
/// forked child enters the namespace, gets a private mount namespace with
/// the namespace's `/sys` (and, for a registry name, the files of
/// `ETC_DIR/name/` bound over `/etc`), then execs. The namespace is:
/// - `ns` with `name` NULL: any open namespace (anonymous, a process's, one
///   opened by path); no `/etc` files; `reg` may be NULL;
/// - `ns` with `name`: `ns`, with the `/etc` files and `/sys` label of `name`;
/// - `ns` NULL: the registry `reg`'s namespace `name`.
///
/// `envp`: NULL inherits the caller's environment; else a NULL-terminated
/// array of `"KEY=VALUE"` strings that is exactly the child's environment
/// (`execvpe`; `{NULL}` gives an empty one; the program is still looked up
/// in the caller's `PATH`). `stdin_fd`, `stdout_fd`, `stderr_fd`:
/// descriptors for the child's standard streams (duplicated; the caller
/// keeps its own), or -1 to inherit. The child is killed when the thread
/// that spawned it ends (`PR_SET_PDEATHSIG`): wait for it from that thread.
///
/// Writes the child to `*out`. Errors: `NETNS_NULL_ARGUMENT` for a NULL
/// `argv`, or NULL `ns` and `name`; `NETNS_INVALID_ARGUMENT` for an empty
/// `argv`, an `envp` entry that is not `KEY=VALUE`, or a bad descriptor;
/// the errors of `netns_open`; `NETNS_NOT_FOUND` when the program does not
/// exist.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn netns_spawn(
    reg: *const netns_registry,
    name: *const c_char,
    ns: *const netns_ns,
    argv: *const *const c_char,
    envp: *const *const c_char,
    stdin_fd: c_int,
    stdout_fd: c_int,
    stderr_fd: c_int,
    out: *mut *mut netns_child,
) -> netns_result {
    call("netns_spawn", || {
        let ns = opt_ref(ns).map(|ns| &ns.inner);
        // NULL is a name only when `ns` says where.
        let name = match ns {
            Some(_) => opt_str_arg(name, "name")?,
            None => Some(str_arg(name, "name")?),
        };
        let argv = argv_arg(argv, "argv")?;
        let out = out_arg(out, "out")?;
        let mut opts = ExecOptions::new();
        if !envp.is_null() {
            let env = argv_arg(envp, "envp")?;
            opts = opts.env(env.into_iter().map(OsStr::to_os_string));
        }
        if stdin_fd != -1 {
            opts = opts.stdin(dup_fd(stdin_fd, "stdin_fd")?);
        }
        if stdout_fd != -1 {
            opts = opts.stdout(dup_fd(stdout_fd, "stdout_fd")?);
        }
        if stderr_fd != -1 {
            opts = opts.stderr(dup_fd(stderr_fd, "stderr_fd")?);
        }
        let child = match (ns, name) {
            (Some(ns), None) => ns.spawn(&argv, opts)?,
            (Some(ns), Some(name)) => {
                registry(reg)?.spawn_in(name, ns.try_clone()?, &argv, opts)?
            }
            (None, name) => registry(reg)?.spawn(name.unwrap_or_default(), &argv, opts)?,
        };
        out.set(into_raw(netns_child {
            pid: child.pid(),
            child: Some(child),
        }));
        Ok(())
    })
}

/// The child's process id (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_child_pid(c: *const netns_child) -> i32 {
    guard(0, || opt_ref(c).map_or(0, |c| c.pid))
}

/// A pidfd of the child (`pidfd_open`, made before anyone could reap it):
/// poll it for the child's end, signal it with `pidfd_send_signal`. Owned
/// by the `netns_child`, valid until it is waited for or freed; -1 when the
/// kernel has no pidfds, after the wait, or for NULL.
#[no_mangle]
pub extern "C" fn netns_child_pidfd(c: *const netns_child) -> c_int {
    guard(-1, || {
        opt_ref(c)
            .and_then(|c| c.child.as_ref())
            .and_then(|c| c.pidfd())
            .map_or(-1, |fd| fd.as_raw_fd())
    })
}

/// Waits for the child to end (`waitpid`) and writes its wait status to
/// `*wstatus` (read it with `WIFEXITED`, `WEXITSTATUS`, `WTERMSIG` …).
/// Errors: `NETNS_INVALID_ARGUMENT` when it was already waited for.
#[no_mangle]
pub extern "C" fn netns_child_wait(c: *mut netns_child, wstatus: *mut c_int) -> netns_result {
    call("netns_child_wait", || {
        let c = mut_arg(c, "child")?;
        let out = out_arg(wstatus, "wstatus")?;
        let child = c
            .child
            .take()
            .ok_or_else(|| Failure::invalid("child", "already waited for"))?;
        let status = child.wait()?;
        out.set(status.into_raw());
        Ok(())
    })
}

/// Sends signal `signal` to the child (`kill`; the pid cannot have been
/// reused: the child is not reaped before `netns_child_wait`). Errors:
/// `NETNS_INVALID_ARGUMENT` for a bad signal or a child already waited for.
#[no_mangle]
pub extern "C" fn netns_child_kill(c: *mut netns_child, signal: c_int) -> netns_result {
    call("netns_child_kill", || {
        let c = mut_arg(c, "child")?;
        if c.child.is_none() {
            return Err(Failure::invalid("child", "already waited for"));
        }
        let sig = nix::sys::signal::Signal::try_from(signal)
            .map_err(|_| Failure::invalid("signal", "not a signal number"))?;
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(c.pid), sig)
            .map_err(|e| Error::sys(e, "signal", format!("process {}", c.pid)))?;
        Ok(())
    })
}

/// Frees the child object (the process is neither waited for nor
/// signalled). NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_child_free(c: *mut netns_child) {
    guard((), || free(c))
}
