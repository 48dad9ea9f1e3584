//! Network namespaces: handles ([`NetNs`]), the named registry under
//! `/run/netns` ([`Registry`]), running code inside a namespace without ever
//! switching the caller's thread ([`NetNs::run`]), `exec`, and `monitor`.

mod dir;
mod exec;
mod monitor;
mod name;
mod registry;

pub use dir::{Found, VerifiedDir};
pub use exec::{ExecChild, ExecOptions, ExecStatus};
pub use monitor::{Monitor, MonitorCloser, MonitorEvent, MonitorWait};
pub use name::validate_name;
pub use registry::{
    DeleteAllReport, Entry, IdEntry, IdFilter, PidsOptions, Registry, DELETE_THREADS,
};

use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::Path;

use nix::fcntl::OFlag;
use nix::sched::CloneFlags;
use nix::sys::stat::Mode;
use nix::sys::statfs::NSFS_MAGIC;

use crate::error::{Capability, Errno, Error, ErrorKind, Result};
use crate::sys;
use crate::Handle;

/// An open network namespace: an owned file descriptor on an nsfs file, kept
/// open for as long as the handle lives (so the namespace lives at least as
/// long). Two handles are equal when they refer to the same namespace, i.e.
/// their files have the same `(st_dev, st_ino)`.
///
/// No method of `NetNs` changes the calling thread's namespace: work inside
/// the namespace runs on a short-lived dedicated thread ([`NetNs::run`]) or in
/// a forked child ([`Registry::exec`]).
#[derive(Debug)]
pub struct NetNs {
    fd: OwnedFd,
    dev: u64,
    ino: u64,
}

impl PartialEq for NetNs {
    fn eq(&self, other: &NetNs) -> bool {
        self.dev == other.dev && self.ino == other.ino
    }
}
impl Eq for NetNs {}

impl std::hash::Hash for NetNs {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.dev, self.ino).hash(state);
    }
}

impl AsFd for NetNs {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// The detail of [`NetNs::open_path`]'s error for a file that is not a namespace.
pub(crate) const NOT_NETNS_FILE: &str = "not a network namespace file";

/// A path shown in messages.
pub(crate) struct Shown<'a>(pub(crate) &'a Path);
impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.display())
    }
}

impl NetNs {
    /// Opens the namespace file at `path` (`open(O_RDONLY|O_CLOEXEC)`) and
    /// checks it is a network namespace (`statfs` gives `NSFS_MAGIC`, and
    /// `ioctl(NS_GET_NSTYPE)` gives `CLONE_NEWNET`).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when the path does not exist;
    /// [`ErrorKind::InvalidArgument`] (errno `EINVAL`) for a file that is not
    /// a network namespace (`not a network namespace file`) or a namespace of
    /// another type. (A registry entry with no namespace mounted on it is
    /// [`ErrorKind::Stale`]: `Registry::open`.)
    #[doc(alias = "open")]
    pub fn open_path(path: impl AsRef<Path>) -> Result<NetNs> {
        let path = path.as_ref();
        let object = || format!("network namespace file {}", Shown(path));
        let fd = nix::fcntl::open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty())
            .map_err(|e| Error::sys(e, "open", object()))?;
        NetNs::from_fd_checked(fd).map_err(|e| e.context("open", object()))
    }

    /// Takes ownership of `fd`, which must refer to a network namespace.
    ///
    /// # Errors
    /// As [`NetNs::open_path`].
    pub fn from_fd(fd: OwnedFd) -> Result<NetNs> {
        NetNs::from_fd_checked(fd)
            .map_err(|e| e.context("use", "file descriptor as a network namespace"))
    }

    fn from_fd_checked(fd: OwnedFd) -> Result<NetNs> {
        let fs = nix::sys::statfs::fstatfs(&fd).map_err(|e| Error::sys(e, "check", ""))?;
        if fs.filesystem_type() != NSFS_MAGIC {
            // EINVAL is what setns says of it. A registry entry is "stale" instead.
            return Err(Error::sys(Errno::EINVAL, "check", "").with_detail(NOT_NETNS_FILE));
        }
        match sys::ns_type(fd.as_fd()) {
            Ok(t) if t == CloneFlags::CLONE_NEWNET.bits() => {}
            Ok(_) => {
                return Err(Error::new(ErrorKind::InvalidArgument, "check", "")
                    .with_detail("a namespace of another type, not a network namespace"))
            }
            Err(e) => return Err(Error::sys(e, "check", "")),
        }
        let st = nix::sys::stat::fstat(&fd).map_err(|e| Error::sys(e, "check", ""))?;
        Ok(NetNs {
            fd,
            dev: st.st_dev,
            ino: st.st_ino,
        })
    }

    /// Opens the network namespace of process `pid` (`/proc/PID/ns/net`)
    /// without the pid-recycling race: a pidfd is opened first
    /// (`pidfd_open`), then the namespace file, then the pidfd proves the
    /// process was alive the whole time (`pidfd_send_signal(0)`), so the file
    /// belongs to that process and not to a later one with the same number.
    /// Thread ids (which have no pidfd) are opened without that check.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for pid ≤ 0; [`ErrorKind::NotFound`]
    /// when no such process exists (or it exited meanwhile).
    #[doc(alias = "pidfd_open")]
    pub fn open_pid(pid: i32) -> Result<NetNs> {
        let object = || format!("network namespace of process {pid}");
        if pid <= 0 {
            return Err(Error::new(ErrorKind::InvalidArgument, "open", object())
                .with_detail("a process id must be a positive number"));
        }
        let pidfd = match sys::pidfd_open(pid) {
            Ok(fd) => Some(fd),
            // EINVAL: a thread id, not a thread-group leader. ENOSYS: no
            // pidfds here (old kernel, seccomp, valgrind): open by path alone.
            Err(Errno::EINVAL | Errno::ENOSYS) => None,
            Err(e) => return Err(Error::sys(e, "open", object())),
        };
        let ns = NetNs::open_path(format!("/proc/{pid}/ns/net"))
            .map_err(|e| e.context("open", object()))?;
        if let Some(pidfd) = pidfd {
            sys::pidfd_alive(pidfd.as_fd()).map_err(|e| {
                Error::sys(e, "open", object())
                    .with_detail("the process exited while its namespace was opened")
            })?;
        }
        Ok(ns)
    }

    /// The calling thread's network namespace (`/proc/thread-self/ns/net`).
    ///
    /// # Errors
    /// Only if `/proc` is not mounted.
    pub fn current() -> Result<NetNs> {
        NetNs::open_path("/proc/thread-self/ns/net")
            .map_err(|e| e.context("open", "the current network namespace"))
    }

    /// Creates a new anonymous network namespace: a dedicated thread calls
    /// `unshare(CLONE_NEWNET)` and opens its `/proc/thread-self/ns/net`, then
    /// exits. The namespace has no name and lives while the handle (or
    /// anything inside it) does.
    ///
    /// # Errors
    /// [`ErrorKind::PermissionDenied`] without `CAP_SYS_ADMIN`.
    #[doc(alias = "unshare")]
    pub fn new_anonymous() -> Result<NetNs> {
        NetNs::new_anonymous_then(|| Ok(()))
            .map(|(ns, ())| ns)
            .map_err(|e| e.context("create", "anonymous network namespace"))
    }

    /// [`NetNs::new_anonymous`], also returning an rtnetlink [`Handle`]
    /// bound to the new namespace, opened on the same dedicated thread right
    /// after `unshare` (one thread instead of the two that
    /// `new_anonymous()?.handle()` costs).
    ///
    /// # Errors
    /// As [`NetNs::new_anonymous`], or when the socket cannot be opened.
    ///
    /// # Examples
    /// ```no_run
    /// let (ns, mut handle) = netns_core::NetNs::new_anonymous_with_handle()?;
    /// handle.link_set_up("lo".into())?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn new_anonymous_with_handle() -> Result<(NetNs, Handle)> {
        NetNs::new_anonymous_then(Handle::current)
            .map_err(|e| e.context("create", "anonymous network namespace"))
    }

    /// On a dedicated thread: `unshare(CLONE_NEWNET)`, open the new
    /// namespace, then run `then` inside it.
    fn new_anonymous_then<T: Send>(then: impl FnOnce() -> Result<T> + Send) -> Result<(NetNs, T)> {
        on_new_thread(|| {
            nix::sched::unshare(CloneFlags::CLONE_NEWNET)
                .map_err(|e| Error::sys(e, "create", "").with_capability(Capability::SysAdmin))?;
            let ns = NetNs::current()?;
            Ok((ns, then()?))
        })
        .and_then(|r| r)
    }

    /// Runs `f` inside this namespace and returns its value. `f` runs on a
    /// short-lived dedicated thread that calls `setns(fd, CLONE_NEWNET)` and
    /// exits afterwards, so no thread is ever left in the wrong namespace and
    /// the caller's thread never moves. Sockets `f` opens stay bound to this
    /// namespace after they are returned.
    ///
    /// A panic in `f` is resumed in the caller, after the thread has ended.
    ///
    /// # Errors
    /// [`ErrorKind::PermissionDenied`] when `setns` is refused.
    ///
    /// # Examples
    /// ```no_run
    /// let ns = netns_core::NetNs::new_anonymous()?;
    /// let inside = ns.run(|| std::fs::read_to_string("/proc/net/dev"))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "setns")]
    pub fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce() -> T + Send,
        T: Send,
    {
        let fd = self.fd.as_fd();
        on_new_thread(move || {
            nix::sched::setns(fd, CloneFlags::CLONE_NEWNET).map_err(|e| {
                Error::sys(e, "enter", "network namespace").with_capability(Capability::SysAdmin)
            })?;
            Ok(f())
        })
        .and_then(|r| r)
    }

    /// The descriptor's `st_ino`: the namespace's inode number, as in
    /// `net:[4026531840]`.
    pub fn inode(&self) -> u64 {
        self.ino
    }

    /// The descriptor's `st_dev`.
    pub fn device(&self) -> u64 {
        self.dev
    }

    /// Duplicates the handle (`fcntl(F_DUPFD_CLOEXEC)`).
    ///
    /// # Errors
    /// When the process is out of descriptors.
    pub fn try_clone(&self) -> Result<NetNs> {
        let fd = self
            .fd
            .try_clone()
            .map_err(|e| Error::io(&e, "duplicate", "network namespace handle"))?;
        Ok(NetNs {
            fd,
            dev: self.dev,
            ino: self.ino,
        })
    }

    /// Gives up the handle, returning its descriptor.
    pub fn into_fd(self) -> OwnedFd {
        self.fd
    }

    pub(crate) fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }
}

/// Runs `f` on a fresh scoped thread and returns its value; a panic is resumed
/// on the caller's thread once the other thread has ended.
fn on_new_thread<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .name("netns-worker".into())
            .spawn_scoped(s, f)
            .map_err(|e| Error::io(&e, "spawn", "namespace worker thread"))?;
        match handle.join() {
            Ok(v) => Ok(v),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}
