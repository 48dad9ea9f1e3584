//! `exec`: run a program inside a named namespace, as `ip netns exec` does.

use std::ffi::{CString, OsStr};
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use nix::mount::MsFlags;
use nix::sys::statvfs::FsFlags;
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;

use super::registry::Registry;
use super::NetNs;
use crate::error::{Capability, Errno, Error, ErrorKind, Result};
use crate::sys::{self, EtcBind, ExecPlan, ExecStep};

/// Options of [`Registry::exec`] and [`Registry::spawn`]: the standard
/// streams of the child (inherited when unset).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ExecOptions {
    /// The child's standard input.
    pub stdin: Option<OwnedFd>,
    /// The child's standard output.
    pub stdout: Option<OwnedFd>,
    /// The child's standard error.
    pub stderr: Option<OwnedFd>,
}

impl ExecOptions {
    /// Streams inherited.
    pub fn new() -> Self {
        ExecOptions::default()
    }
    /// Sets the child's standard input.
    pub fn stdin(mut self, fd: OwnedFd) -> Self {
        self.stdin = Some(fd);
        self
    }
    /// Sets the child's standard output.
    pub fn stdout(mut self, fd: OwnedFd) -> Self {
        self.stdout = Some(fd);
        self
    }
    /// Sets the child's standard error.
    pub fn stderr(mut self, fd: OwnedFd) -> Self {
        self.stderr = Some(fd);
        self
    }
}

/// A program started by [`Registry::spawn`]; [`ExecChild::wait`] reaps it.
#[derive(Debug)]
pub struct ExecChild {
    pid: Pid,
    waited: bool,
}

impl ExecChild {
    /// The child's process id.
    pub fn pid(&self) -> i32 {
        self.pid.as_raw()
    }

    /// Waits for the child to end (`waitpid`) and returns its status.
    ///
    /// # Errors
    /// When `waitpid` fails (the child was reaped elsewhere).
    pub fn wait(mut self) -> Result<ExitStatus> {
        self.waited = true;
        loop {
            match nix::sys::wait::waitpid(self.pid, None) {
                Ok(WaitStatus::Exited(_, code)) => {
                    return Ok(ExitStatus::from_raw((code & 0xff) << 8))
                }
                Ok(WaitStatus::Signaled(_, sig, core)) => {
                    return Ok(ExitStatus::from_raw(
                        sig as i32 | if core { 0x80 } else { 0 },
                    ))
                }
                Ok(_) | Err(Errno::EINTR) => continue,
                Err(e) => return Err(Error::sys(e, "wait for", format!("process {}", self.pid))),
            }
        }
    }
}

/// The alias used by the exit status of [`Registry::exec`].
pub type ExecStatus = ExitStatus;

fn object(argv0: &OsStr, name: &str) -> String {
    format!(
        "{:?} in network namespace {name:?}",
        argv0.to_string_lossy()
    )
}

impl Registry {
    /// Runs `argv` inside namespace `name` and waits for it: see
    /// [`Registry::spawn`].
    ///
    /// # Errors
    /// As [`Registry::spawn`].
    ///
    /// # Examples
    /// ```no_run
    /// let reg = netns_core::Registry::from_env();
    /// let status = reg.exec("blue", &["ip", "link"], netns_core::ExecOptions::new())?;
    /// assert!(status.success());
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "ip netns exec")]
    pub fn exec<S: AsRef<OsStr>>(
        &self,
        name: &str,
        argv: &[S],
        opts: ExecOptions,
    ) -> Result<ExitStatus> {
        self.spawn(name, argv, opts)?.wait()
    }

    /// Starts `argv` inside namespace `name`, as `ip netns exec`: a forked
    /// child calls `setns(CLONE_NEWNET)`, `unshare(CLONE_NEWNS)`, makes `/`
    /// `MS_SLAVE|MS_REC` (so nothing it mounts reaches the caller), mounts a
    /// sysfs of the namespace over `/sys` (read-only if the old one was; a
    /// warning and the old `/sys` if that fails), binds each entry of
    /// `ETC_DIR/NAME/` over `/etc/ENTRY` (symlinks inside `ETC_DIR/NAME` are
    /// not followed: they are skipped with a warning), then `execvp`. The
    /// caller's threads never change namespace. Everything the child needs is
    /// prepared before `fork`, so the child makes only system calls.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an empty `argv` or a NUL byte in it;
    /// the namespace errors of [`Registry::open`]; [`ErrorKind::NotFound`] when
    /// the program does not exist (the errno of `execvp`).
    pub fn spawn<S: AsRef<OsStr>>(
        &self,
        name: &str,
        argv: &[S],
        opts: ExecOptions,
    ) -> Result<ExecChild> {
        let ns = self
            .open(name)
            .map_err(|e| e.context("exec", format!("in network namespace {name:?}")))?;
        self.spawn_in(name, ns, argv, opts)
    }

    /// As [`Registry::spawn`], in the already opened namespace `ns`; `name`
    /// selects the `ETC_DIR/NAME/` files and names the sysfs mount.
    ///
    /// # Errors
    /// As [`Registry::spawn`], less the errors of opening the namespace.
    pub fn spawn_in<S: AsRef<OsStr>>(
        &self,
        name: &str,
        ns: NetNs,
        argv: &[S],
        opts: ExecOptions,
    ) -> Result<ExecChild> {
        let Some(argv0) = argv.first().map(|a| a.as_ref()) else {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "exec",
                format!("in network namespace {name:?}"),
            )
            .with_detail("no command given"));
        };
        let obj = || object(argv0, name);
        let cargv = argv
            .iter()
            .map(|a| CString::new(a.as_ref().as_bytes()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| {
                Error::new(ErrorKind::InvalidArgument, "exec", obj())
                    .with_detail("an argument contains a NUL byte")
            })?;
        let netns = ns.into_fd();
        let readonly = nix::sys::statvfs::statvfs("/sys")
            .map(|s| s.flags().contains(FsFlags::ST_RDONLY))
            .unwrap_or(false);
        let mut sysfs_flags = MsFlags::empty();
        if readonly {
            sysfs_flags |= MsFlags::MS_RDONLY;
        }
        let plan = ExecPlan {
            netns,
            sysfs_source: CString::new(name).unwrap_or_default(),
            sysfs_flags: sysfs_flags.bits(),
            sysfs_warning: format!(
                "netns: warning: cannot mount a sysfs for network namespace {name:?} on /sys; /sys shows the caller's\n"
            )
            .into_bytes(),
            binds: self.etc_binds(name),
            stdio: [opts.stdin, opts.stdout, opts.stderr],
            argv: cargv,
        };
        match sys::fork_exec(&plan) {
            Ok(pid) => Ok(ExecChild { pid, waited: false }),
            Err((ExecStep::EnterNetns, e)) => Err(Error::sys(e, "exec", obj())
                .with_capability(Capability::SysAdmin)
                .with_detail("setns failed")),
            Err((ExecStep::UnshareMounts | ExecStep::MakeSlave, e)) => {
                Err(Error::sys(e, "exec", obj())
                    .with_capability(Capability::SysAdmin)
                    .with_detail("cannot make a private mount namespace"))
            }
            Err((ExecStep::Stdio, e)) => {
                Err(Error::sys(e, "exec", obj()).with_detail("cannot set up standard streams"))
            }
            Err((ExecStep::Exec, e)) => Err(Error::sys(e, "exec", obj())),
        }
    }

    /// The binds of `ETC_DIR/NAME/*` over `/etc/*`; symlinks are skipped
    /// with a warning (and checked again by the child, see [`EtcBind`]).
    fn etc_binds(&self, name: &str) -> Vec<EtcBind> {
        let dir = self.etc_dir().join(name);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Vec::new();
        };
        let mut binds = Vec::new();
        for entry in entries.flatten() {
            let file = entry.file_name();
            let src = dir.join(&file);
            let skip = format!(
                "netns: warning: not binding {}: it is a symlink\n",
                src.display()
            );
            if entry.file_type().map(|t| t.is_symlink()).unwrap_or(true) {
                eprint!("{skip}");
                continue;
            }
            let mut target = b"/etc/".to_vec();
            target.extend_from_slice(file.as_bytes());
            let (Ok(source), Ok(target)) = (
                CString::new(src.as_os_str().as_bytes()),
                CString::new(target),
            ) else {
                continue;
            };
            binds.push(EtcBind {
                warning: format!(
                    "netns: warning: bind {} -> {} failed\n",
                    src.display(),
                    target.to_string_lossy()
                )
                .into_bytes(),
                symlink_warning: skip.into_bytes(),
                source,
                target,
            });
        }
        binds
    }
}

impl Drop for ExecChild {
    fn drop(&mut self) {
        if !self.waited {
            // Reap without blocking if it already ended; otherwise it is the
            // caller's to wait for by pid.
            let _ = nix::sys::wait::waitpid(self.pid, Some(nix::sys::wait::WaitPidFlag::WNOHANG));
        }
    }
}
