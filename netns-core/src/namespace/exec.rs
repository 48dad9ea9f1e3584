//! `exec`: run a program inside a named namespace, as `ip netns exec` does,
//! or inside any open namespace ([`NetNs::spawn`]).

use std::convert::Infallible;
use std::ffi::{CString, OsStr, OsString};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use nix::fcntl::OFlag;
use nix::mount::MsFlags;
use nix::sys::stat::SFlag;
use nix::sys::statvfs::FsFlags;
use nix::sys::wait::WaitStatus;
use nix::unistd::Pid;

use super::dir::{Found, VerifiedDir};
use super::registry::Registry;
use super::{NetNs, Shown};
use crate::error::{Capability, Errno, Error, ErrorKind, Result};
use crate::sys::{self, EtcBind, ExecPlan, ExecStep};

/// Options of [`Registry::exec`], [`Registry::spawn`] and [`NetNs::spawn`]:
/// the standard streams of the child and its environment (inherited when
/// unset).
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct ExecOptions {
    /// The child's standard input.
    pub stdin: Option<OwnedFd>,
    /// The child's standard output.
    pub stdout: Option<OwnedFd>,
    /// The child's standard error.
    pub stderr: Option<OwnedFd>,
    /// The child's whole environment, as `KEY=VALUE` entries (`execvpe`'s
    /// `envp`); `None` inherits the caller's. The program is still looked
    /// up in the caller's `PATH`, as `execvpe` does.
    pub env: Option<Vec<OsString>>,
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
    /// Gives the child exactly the environment `entries` (`KEY=VALUE` each;
    /// none at all for an empty list) instead of the caller's.
    ///
    /// # Examples
    /// ```
    /// let opts = netns_core::ExecOptions::new().env(["LANG=C", "MODE=test"]);
    /// assert_eq!(opts.env.as_ref().map(Vec::len), Some(2));
    /// ```
    pub fn env<I, S>(mut self, entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.env = Some(entries.into_iter().map(Into::into).collect());
        self
    }
}

/// The `KEY=VALUE` entries of `env` as C strings, checked: each has a
/// non-empty key before its `=` and no NUL byte.
fn env_entries(
    env: Option<Vec<OsString>>,
    object: &dyn Fn() -> String,
) -> Result<Option<Vec<CString>>> {
    let Some(env) = env else { return Ok(None) };
    let mut out = Vec::with_capacity(env.len());
    for entry in env {
        let bytes = entry.as_bytes();
        let refuse = |why: &str| {
            Error::new(ErrorKind::InvalidArgument, "exec", object()).with_detail(format!(
                "environment entry {:?}: {why}",
                entry.to_string_lossy()
            ))
        };
        match bytes.iter().position(|b| *b == b'=') {
            Some(0) => return Err(refuse("the name before \"=\" is empty")),
            None => return Err(refuse("not KEY=VALUE")),
            Some(_) => {}
        }
        out.push(CString::new(bytes).map_err(|_| refuse("contains a NUL byte"))?);
    }
    Ok(Some(out))
}

/// A program started by [`Registry::spawn`]; [`ExecChild::wait`] reaps it.
#[derive(Debug)]
pub struct ExecChild {
    pid: Pid,
    pidfd: Option<OwnedFd>,
    waited: bool,
}

impl ExecChild {
    /// The child's process id.
    pub fn pid(&self) -> i32 {
        self.pid.as_raw()
    }

    /// A pidfd of the child (`pidfd_open`, made right after `fork`, before
    /// anyone could reap it): it keeps referring to this very process even
    /// after its pid is reused, can be polled for its end (`POLLIN`) and
    /// signalled with `pidfd_send_signal`. `None` on a kernel without
    /// `pidfd_open` (before 5.3), or when the child was already reaped by
    /// someone else (`SIGCHLD` ignored).
    #[doc(alias = "pidfd_open")]
    pub fn pidfd(&self) -> Option<BorrowedFd<'_>> {
        self.pidfd.as_ref().map(AsFd::as_fd)
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
    /// `ETC_DIR/NAME/` over `/etc/ENTRY`, then `execvp`. The caller's threads
    /// never change namespace. Everything the child needs is prepared before
    /// `fork`, so the child makes only system calls.
    ///
    /// The etc files: the etc directory is opened `O_NOFOLLOW` and `NAME`
    /// below it with `openat2(RESOLVE_NO_SYMLINKS)` ([`VerifiedDir`]); each
    /// entry is opened `O_PATH|O_NOFOLLOW` relative to that descriptor and
    /// copied as a detached mount (`open_tree(OPEN_TREE_CLONE)`) before
    /// `fork`, and the child attaches exactly that copy over `/etc/ENTRY`
    /// (`move_mount`). A symbolic link at the etc directory, at `NAME` or at
    /// an entry is not followed: nothing is bound from it, and a warning
    /// naming its path goes to the command's standard error; a link swapped
    /// in after the check changes nothing. A missing directory means no binds.
    ///
    /// The child asks the kernel for `SIGKILL` when its parent ends
    /// (`prctl(PR_SET_PDEATHSIG)`, then checks `getppid()` against the pid
    /// from before `fork`, so a parent that died in between is caught too):
    /// a command never outlives the program that started it unseen. The
    /// kernel's "parent" is the *thread* that forked, which is the caller's
    /// own thread: a thread that calls `spawn` and then exits kills the child
    /// (wait for it, or spawn from a thread that lives as long). The setting
    /// is cleared when the command execs a set-user-ID or file-capability
    /// program that gains privilege.
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

    /// Becomes `argv` inside namespace `name`, as `ip netns exec` does: the
    /// calling thread makes the child's steps of [`Registry::spawn`] itself
    /// (`setns`, `unshare(CLONE_NEWNS)`, `/sys`, the etc binds, with the
    /// same refusals) and `execvp`s, so the process *is* the command: its
    /// pid, its signals, its exit status. No fork, no parent death signal.
    ///
    /// For a program that is about to become the command (the `netns exec`
    /// command line): it breaks the library's rule that the caller's thread
    /// never changes namespace, and it never returns on success.
    ///
    /// # Errors
    /// As [`Registry::spawn`]. On an error after the namespace was opened the
    /// calling thread may already be inside the namespace and a mount
    /// namespace of its own: report the error and exit.
    #[doc(alias = "execvp")]
    pub fn exec_in_place<S: AsRef<OsStr>>(&self, name: &str, argv: &[S]) -> Result<Infallible> {
        let ns = self
            .open(name)
            .map_err(|e| e.context("exec", format!("in network namespace {name:?}")))?;
        self.exec_in_place_in(name, ns, argv)
    }

    /// As [`Registry::exec_in_place`], in the already opened namespace `ns`.
    ///
    /// # Errors
    /// As [`Registry::exec_in_place`], less the errors of opening the
    /// namespace.
    pub fn exec_in_place_in<S: AsRef<OsStr>>(
        &self,
        name: &str,
        ns: NetNs,
        argv: &[S],
    ) -> Result<Infallible> {
        let plan = self.exec_plan(name, ns, argv, ExecOptions::new())?;
        let (step, e) = sys::exec_in_place(&plan);
        Err(exec_error(step, e, &plan, name))
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
        let plan = self.exec_plan(name, ns, argv, opts)?;
        fork(&plan, name)
    }

    /// Everything the child (or [`Registry::exec_in_place`]) needs, prepared
    /// before `fork`: the namespace `name`'s etc binds included.
    fn exec_plan<S: AsRef<OsStr>>(
        &self,
        name: &str,
        ns: NetNs,
        argv: &[S],
        opts: ExecOptions,
    ) -> Result<ExecPlan> {
        let mut plan = plan(name, ns, argv, opts)?;
        let mut notes = Vec::new();
        plan.binds = self.etc_binds(name, &mut notes);
        plan.notes = notes;
        Ok(plan)
    }

    /// The binds of `ETC_DIR/NAME/*` over `/etc/*`, each entry opened
    /// relative to the verified `ETC_DIR/NAME` and copied as a detached mount;
    /// what is refused is described in `notes`.
    fn etc_binds(&self, name: &str, notes: &mut Vec<u8>) -> Vec<EtcBind> {
        let shown = self.etc_dir().join(name);
        let mut note = |why: &str| {
            notes.extend_from_slice(
                format!("netns: warning: not binding {}: {why}\n", shown.display()).as_bytes(),
            );
        };
        let etc = match VerifiedDir::open_as(self.etc_dir(), "etc directory") {
            Ok(etc) => etc,
            Err(e) if e.kind() == ErrorKind::NotFound => return Vec::new(),
            Err(e) => {
                // Say so only when there is something there to refuse (looked
                // at through the link, never read).
                if std::fs::symlink_metadata(self.etc_dir()).is_ok_and(|m| m.is_symlink()) {
                    if shown.exists() {
                        note(&format!("{} is a symbolic link", self.etc_dir().display()));
                    }
                } else {
                    note(&e.to_string());
                }
                return Vec::new();
            }
        };
        let dir = match etc.lookup(name) {
            Ok(Found::Missing) => return Vec::new(),
            Ok(Found::Symlink) => {
                note("it is a symbolic link");
                return Vec::new();
            }
            Ok(Found::Directory) => match etc.subdir(name) {
                Ok(dir) => dir,
                Err(e) => {
                    note(&e.to_string());
                    return Vec::new();
                }
            },
            Ok(_) => {
                note("it is not a directory");
                return Vec::new();
            }
            Err(e) => {
                note(&e.to_string());
                return Vec::new();
            }
        };
        let entries = match dir.names() {
            Ok(entries) => entries,
            Err(e) => {
                note(&e.to_string());
                return Vec::new();
            }
        };
        let mut binds = Vec::new();
        for entry in entries {
            let src = dir.shown(&entry);
            let mut skip = |why: &str| {
                notes.extend_from_slice(
                    format!("netns: warning: not binding {}: {why}\n", src.display()).as_bytes(),
                );
            };
            let fd = match dir.open_beneath(&entry, OFlag::O_PATH | OFlag::O_NOFOLLOW, 0) {
                Ok(fd) => fd,
                Err(e) => {
                    skip(&e.to_string());
                    continue;
                }
            };
            // O_PATH|O_NOFOLLOW opens a symbolic link itself: refuse it.
            match nix::sys::stat::fstat(&fd) {
                Ok(st)
                    if SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFLNK =>
                {
                    skip("it is a symbolic link");
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    skip(&Error::sys(e, "look at", format!("{}", Shown(&src))).to_string());
                    continue;
                }
            }
            let tree = match sys::clone_tree(fd.as_fd()) {
                Ok(tree) => tree,
                Err(e) => {
                    skip(&Error::sys(e, "copy a mount of", format!("{}", Shown(&src))).to_string());
                    continue;
                }
            };
            let Ok(target) = CString::new(format!("/etc/{entry}")) else {
                continue;
            };
            binds.push(EtcBind {
                warning: format!(
                    "netns: warning: bind {} -> {} failed\n",
                    src.display(),
                    target.to_string_lossy()
                )
                .into_bytes(),
                tree,
                target,
            });
        }
        binds
    }
}

/// Everything the child needs but the etc binds, prepared before `fork`;
/// `name` names the namespace in errors and labels the sysfs mount.
fn plan<S: AsRef<OsStr>>(name: &str, ns: NetNs, argv: &[S], opts: ExecOptions) -> Result<ExecPlan> {
    let Some(argv0) = argv.first().map(|a| a.as_ref()) else {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "exec",
            format!("in network namespace {name:?}"),
        )
        .with_detail("no command given"));
    };
    let cargv = argv
        .iter()
        .map(|a| CString::new(a.as_ref().as_bytes()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|_| {
            Error::new(ErrorKind::InvalidArgument, "exec", object(argv0, name))
                .with_detail("an argument contains a NUL byte")
        })?;
    let env = env_entries(opts.env, &|| object(argv0, name))?;
    let readonly = nix::sys::statvfs::statvfs("/sys")
        .map(|s| s.flags().contains(FsFlags::ST_RDONLY))
        .unwrap_or(false);
    let mut sysfs_flags = MsFlags::empty();
    if readonly {
        sysfs_flags |= MsFlags::MS_RDONLY;
    }
    Ok(ExecPlan {
        netns: ns.into_fd(),
        sysfs_source: CString::new(name).unwrap_or_default(),
        sysfs_flags: sysfs_flags.bits(),
        sysfs_warning: format!(
            "netns: warning: cannot mount a sysfs for network namespace {name:?} on /sys; /sys shows the caller's\n"
        )
        .into_bytes(),
        binds: Vec::new(),
        notes: Vec::new(),
        stdio: [opts.stdin, opts.stdout, opts.stderr],
        argv: cargv,
        env,
    })
}

impl NetNs {
    /// Starts `argv` inside this namespace, which needs no registry name (an
    /// anonymous namespace, a process's, one opened by path): as
    /// [`Registry::spawn`] (a forked child calls `setns(CLONE_NEWNET)`,
    /// `unshare(CLONE_NEWNS)`, mounts a sysfs of the namespace over `/sys`,
    /// then `execvp`, or `execvpe` with [`ExecOptions::env`]), without the
    /// `ETC_DIR/NAME/` binds, which belong to a registry name. Errors name
    /// the namespace `net:[INODE]`. The child gets `SIGKILL` when the
    /// calling thread ends, as there.
    ///
    /// # Errors
    /// As [`Registry::spawn`], less the errors of opening the namespace.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::{ExecOptions, NetNs};
    /// let pod = NetNs::new_anonymous()?;
    /// let child = pod.spawn(&["ip", "link"], ExecOptions::new().env(["LANG=C"]))?;
    /// assert!(child.wait()?.success());
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "setns")]
    pub fn spawn<S: AsRef<OsStr>>(&self, argv: &[S], opts: ExecOptions) -> Result<ExecChild> {
        let name = format!("net:[{}]", self.inode());
        let plan = plan(&name, self.try_clone()?, argv, opts)?;
        fork(&plan, &name)
    }
}

/// Forks and execs `plan` (see [`sys::fork_exec`]).
fn fork(plan: &ExecPlan, name: &str) -> Result<ExecChild> {
    match sys::fork_exec(plan) {
        Ok(pid) => Ok(ExecChild {
            pid,
            pidfd: sys::pidfd_open(pid.as_raw()).ok(),
            waited: false,
        }),
        Err((step, e)) => Err(exec_error(step, e, plan, name)),
    }
}

/// The error of a failed exec step.
fn exec_error(step: ExecStep, e: Errno, plan: &ExecPlan, name: &str) -> Error {
    let argv0 = OsStr::from_bytes(plan.argv[0].as_bytes());
    let obj = object(argv0, name);
    match step {
        ExecStep::EnterNetns => Error::sys(e, "exec", obj)
            .with_capability(Capability::SysAdmin)
            .with_detail("setns failed"),
        ExecStep::UnshareMounts | ExecStep::MakeSlave => Error::sys(e, "exec", obj)
            .with_capability(Capability::SysAdmin)
            .with_detail("cannot make a private mount namespace"),
        ExecStep::Stdio => Error::sys(e, "exec", obj).with_detail("cannot set up standard streams"),
        ExecStep::ParentDeath => {
            Error::sys(e, "exec", obj).with_detail("prctl(PR_SET_PDEATHSIG) failed")
        }
        ExecStep::Exec => Error::sys(e, "exec", obj),
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
