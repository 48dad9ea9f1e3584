//! The registry of named namespaces: files under the run directory
//! (`/run/netns`), each with a network namespace bind-mounted on it, as
//! iproute2's `ip netns` keeps them.

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::fcntl::{AtFlags, Flock, FlockArg, OFlag};
use nix::mount::{MntFlags, MsFlags};
use nix::unistd::UnlinkatFlags;

use super::dir::{not_ours, Found, VerifiedDir};
use super::name::validate_name;
use super::{NetNs, Shown};
use crate::error::{Capability, Errno, Error, ErrorKind, Result};
use crate::netlink::Socket;
use crate::nsid::{self, Nsid};
use crate::Handle;

mod entry;
mod query;

use entry::{
    create_entry, entry_name, join, lock_dir, mount_holders, numeric_entries, open_entry,
    reopen_same, still_ours,
};

/// The registry of named network namespaces: a run directory (default
/// `/run/netns`, where each name is a file with the namespace bind-mounted on
/// it) and an etc directory (default `/etc/netns`, whose `NAME/` subdirectory
/// holds files bound over `/etc` by [`Registry::exec`]).
///
/// # Examples
/// ```no_run
/// use netns_core::Registry;
/// let reg = Registry::from_env();
/// let ns = reg.add("blue")?;
/// for entry in reg.list()? {
///     println!("{} {:?}", entry.name, entry.id);
/// }
/// reg.delete("blue")?;
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    run_dir: PathBuf,
    etc_dir: PathBuf,
}

/// One entry of [`Registry::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The name (the file name under the run directory).
    pub name: String,
    /// The namespace's id as seen from the caller's namespace, if it has one.
    pub id: Option<Nsid>,
    /// True when the file has no namespace mounted on it (an interrupted add,
    /// or a mount made in another mount namespace that never reached this one).
    pub stale: bool,
}

/// One entry of [`Registry::list_ids`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdEntry {
    /// The nsid, as seen from the namespace the query was made in.
    pub nsid: Nsid,
    /// The id the same peer has as seen from the target namespace
    /// (`NETNSA_CURRENT_NSID`), when a target was given and the kernel said.
    pub current_nsid: Option<Nsid>,
    /// The registry name of the namespace with that nsid, if any.
    pub name: Option<String>,
}

/// Kernel-side filters for [`Registry::list_ids`], as `ip netns list-id
/// [target-nsid N] [nsid N]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct IdFilter {
    /// List the ids as seen from the namespace that has this nsid here.
    pub target_nsid: Option<Nsid>,
    /// Only this nsid (requires `target_nsid`, as in iproute2).
    pub nsid: Option<Nsid>,
}

impl IdFilter {
    /// No filter.
    pub fn new() -> Self {
        IdFilter::default()
    }
    /// Sets `target_nsid`.
    pub fn target_nsid(mut self, id: Nsid) -> Self {
        self.target_nsid = Some(id);
        self
    }
    /// Sets `nsid`.
    pub fn nsid(mut self, id: Nsid) -> Self {
        self.nsid = Some(id);
        self
    }
}

/// Options of [`Registry::pids`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PidsOptions {
    /// Also report threads (by thread id) whose own namespace is this one,
    /// not only thread-group leaders.
    pub threads: bool,
}

impl PidsOptions {
    /// Thread-group leaders only (iproute2's behaviour).
    pub fn new() -> Self {
        PidsOptions::default()
    }
    /// Sets `threads`.
    pub fn threads(mut self, yes: bool) -> Self {
        self.threads = yes;
        self
    }
}

/// How many threads [`Registry::delete_many`] deletes on, at most.
pub const DELETE_THREADS: usize = 8;

/// What [`Registry::delete_all`] and [`Registry::delete_many`] did: they go
/// on past a failure.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct DeleteAllReport {
    /// Names deleted.
    pub deleted: Vec<String>,
    /// Names that could not be deleted, with why.
    pub failed: Vec<(String, Error)>,
}

fn ns_object(name: &str) -> String {
    format!("network namespace {name:?}")
}

impl Default for Registry {
    /// `/run/netns` and `/etc/netns`, ignoring the environment.
    fn default() -> Self {
        Registry::new(Registry::DEFAULT_RUN_DIR, Registry::DEFAULT_ETC_DIR)
    }
}

impl Registry {
    /// iproute2's run directory.
    pub const DEFAULT_RUN_DIR: &'static str = "/run/netns";
    /// iproute2's etc directory.
    pub const DEFAULT_ETC_DIR: &'static str = "/etc/netns";

    /// A registry with explicit directories.
    pub fn new(run_dir: impl Into<PathBuf>, etc_dir: impl Into<PathBuf>) -> Registry {
        Registry {
            run_dir: run_dir.into(),
            etc_dir: etc_dir.into(),
        }
    }

    /// The directories from `NETNS_RUN_DIR` and `NETNS_ETC_DIR` when set (and
    /// not empty), else the defaults.
    pub fn from_env() -> Registry {
        let var = |k: &str, d: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(d))
        };
        Registry::new(
            var("NETNS_RUN_DIR", Registry::DEFAULT_RUN_DIR),
            var("NETNS_ETC_DIR", Registry::DEFAULT_ETC_DIR),
        )
    }

    /// The run directory.
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// The etc directory.
    pub fn etc_dir(&self) -> &Path {
        &self.etc_dir
    }

    /// The file of namespace `name`, after checking the name.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidName`].
    pub fn path(&self, name: &str) -> Result<PathBuf> {
        validate_name(name)?;
        Ok(self.run_dir.join(name))
    }

    /// Creates a new network namespace named `name` and returns a handle on it.
    ///
    /// iproute2's sequence: the run directory is created (mode 0755), locked
    /// (`flock`) and made a shared mount (if it is not a mount point yet, it
    /// is bind-mounted onto itself, made `MS_PRIVATE|MS_REC` to get a peer
    /// group of its own, and made `MS_SHARED|MS_REC`), so parallel first adds
    /// never stack mounts. Once it is a mount point, an add makes only the
    /// directory's own mount shared (`MS_SHARED` without `MS_REC`: the
    /// namespaces mounted below a shared mount are shared already), where
    /// `ip netns add` repeats the recursive change, which walks every
    /// namespace mounted below and made each add cost O(N). Then the file is created
    /// (`O_CREAT|O_EXCL|O_NOFOLLOW`, mode 0), a dedicated thread calls
    /// `unshare(CLONE_NEWNET)`, and the new namespace is bind-mounted onto the
    /// file. The calling thread never changes namespace and nothing forks.
    ///
    /// A stale entry of the same name (an empty mode-0 file with no namespace
    /// mounted on it, what an interrupted add leaves) is replaced, under an
    /// exclusive lock that no add of this library holds between creating its
    /// file and mounting on it. Anything else at the name (a file with
    /// content or another mode, a symbolic link, a directory) is refused and
    /// left untouched, as is a run directory that is a symbolic link: every
    /// entry is opened relative to the run directory's verified descriptor
    /// ([`VerifiedDir`]) and the namespace is mounted on the very file created.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidName`] before anything is touched;
    /// [`ErrorKind::AlreadyExists`]; [`ErrorKind::PermissionDenied`] naming
    /// `CAP_SYS_ADMIN`. On any failure the file is removed and the mount undone.
    #[doc(alias = "ip netns add")]
    pub fn add(&self, name: &str) -> Result<NetNs> {
        let path = self
            .path(name)
            .map_err(|e| e.context("add", ns_object(name)))?;
        self.register(&path, NetNs::new_anonymous)
            .map_err(|e| e.context("add", ns_object(name)))
    }

    /// [`Registry::add`], also returning an rtnetlink [`Handle`] bound to the
    /// new namespace: the socket is opened on the same dedicated thread that
    /// called `unshare(CLONE_NEWNET)`, which saves the second thread and
    /// `setns` that [`NetNs::handle`] would cost. For creating many
    /// namespaces fast (e.g. from several threads at once, one per core).
    ///
    /// # Errors
    /// As [`Registry::add`], or when the socket cannot be opened (nothing is
    /// left behind then either).
    ///
    /// # Examples
    /// ```no_run
    /// let reg = netns_core::Registry::from_env();
    /// let (ns, mut handle) = reg.add_with_handle("blue")?;
    /// handle.link_set_up("lo".into())?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn add_with_handle(&self, name: &str) -> Result<(NetNs, Handle)> {
        let path = self
            .path(name)
            .map_err(|e| e.context("add", ns_object(name)))?;
        self.register_with(&path, NetNs::new_anonymous_with_handle, |made| &made.0)
            .map_err(|e| e.context("add", ns_object(name)))
    }

    /// Gives the network namespace of process `pid` the name `name` (as `ip
    /// netns attach`): the same sequence as [`Registry::add`], binding the
    /// process's namespace, opened through a pidfd so a recycled pid cannot
    /// substitute another process's namespace.
    ///
    /// # Errors
    /// As [`Registry::add`]; [`ErrorKind::InvalidArgument`] for pid ≤ 0,
    /// [`ErrorKind::NotFound`] for no such process.
    pub fn attach(&self, name: &str, pid: i32) -> Result<NetNs> {
        let op = "attach";
        let path = self
            .path(name)
            .map_err(|e| e.context(op, ns_object(name)))?;
        let ns = NetNs::open_pid(pid).map_err(|e| {
            let detail = match e.detail() {
                Some(d) => format!("process {pid}: {d}"),
                None => format!("process {pid}"),
            };
            e.context(op, ns_object(name)).with_detail(detail)
        })?;
        self.register(&path, || Ok(ns))
            .map_err(|e| e.context(op, ns_object(name)))
    }

    /// Opens the namespace named `name`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidName`], [`ErrorKind::NotFound`],
    /// [`ErrorKind::Stale`] for a file with no namespace mounted on it.
    pub fn open(&self, name: &str) -> Result<NetNs> {
        let ctx = |e: Error| e.context("open", ns_object(name));
        self.path(name).map_err(ctx)?;
        let dir = self
            .open_run_dir()
            .map_err(ctx)?
            .ok_or_else(|| Error::sys(Errno::ENOENT, "open", ""))
            .map_err(ctx)?;
        open_entry(&dir, name).map_err(ctx)
    }

    /// Creates the registry file at `path`, then the namespace (`make`), then
    /// binds the namespace onto the file; on failure the file is removed.
    fn register(&self, path: &Path, make: impl FnOnce() -> Result<NetNs>) -> Result<NetNs> {
        self.register_with(path, make, |ns| ns)
    }

    /// [`Registry::register`] for a `make` that returns the namespace with
    /// something else (`ns_of` finds the namespace in it).
    fn register_with<T>(
        &self,
        path: &Path,
        make: impl FnOnce() -> Result<T>,
        ns_of: fn(&T) -> &NetNs,
    ) -> Result<T> {
        let name = entry_name(path)?;
        let (dir, mut lock) = self.prepare_run_dir()?;
        let entry = create_entry(&dir, &mut lock, name)?;
        // Removes the registry file, but only while it is still the one
        // created here: a name taken by someone else half-way is theirs.
        let undo = || {
            if still_ours(&entry, &dir, name) {
                let _ = dir.remove_file(name);
            }
        };
        #[cfg(feature = "fault-injection")]
        if let Some(e) = crate::fault::hit(crate::fault::Point::AddAfterCreate) {
            undo();
            return Err(Error::sys(e, "create", "").with_detail("injected fault"));
        }
        let made = match make() {
            Ok(made) => made,
            Err(e) => {
                undo();
                return Err(e);
            }
        };
        #[cfg(feature = "fault-injection")]
        if let Some(e) = crate::fault::hit(crate::fault::Point::AddBeforeMount) {
            undo();
            return Err(Error::sys(e, "bind", "").with_detail("injected fault"));
        }
        if !still_ours(&entry, &dir, name) {
            // Deleted (or deleted and re-created) by someone else between
            // create and mount, e.g. by `ip netns delete`, which takes no lock.
            return Err(Error::new(ErrorKind::Busy, "bind", "").with_detail(
                "the name was removed or replaced by someone else while being added",
            ));
        }
        let ns = ns_of(&made);
        let source = format!("/proc/thread-self/fd/{}", ns.raw_fd());
        // The target is the very file created above (through its descriptor),
        // whatever the path has become meanwhile.
        let target = format!("/proc/thread-self/fd/{}", entry.as_raw_fd());
        if let Err(e) = nix::mount::mount(
            Some(source.as_str()),
            target.as_str(),
            Some("none"),
            MsFlags::MS_BIND,
            None::<&str>,
        ) {
            undo();
            return Err(Error::sys(e, "bind", "").with_capability(Capability::SysAdmin));
        }
        Ok(made)
    }

    /// Opens the run directory, refusing one that is a symbolic link or not
    /// a directory. `None` when it does not exist.
    fn open_run_dir(&self) -> Result<Option<VerifiedDir>> {
        match VerifiedDir::open_as(&self.run_dir, "run directory") {
            Ok(dir) => Ok(Some(dir)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates the run directory, locks it and makes it a shared mount.
    /// Returns it (verified: not a symbolic link) and the lock, held shared
    /// (so a stale-entry cleanup, which takes it exclusively, never sees
    /// another add between create and mount).
    ///
    /// Adds run in parallel: making an existing mount point shared is
    /// idempotent, so it is done under the shared lock, and for the
    /// directory's own mount only (`MS_SHARED` without `MS_REC`: a recursive
    /// change would walk every namespace mounted below, O(N) per add, and
    /// those are shared already, since a bind mount made below a shared
    /// mount joins the propagation); only when the
    /// directory is not a mount point yet (`EINVAL`) is the lock taken
    /// exclusively for the bind-onto-itself dance, which must not run twice
    /// at once (stacked mounts, Debian bug 949235), and the whole step is
    /// tried again. Every mount call names the directory through its verified
    /// descriptor; after a bind onto itself the directory is opened again
    /// (the old descriptor is below the new mount) and must be the same one.
    fn prepare_run_dir(&self) -> Result<(VerifiedDir, Flock<File>)> {
        let dir_path = &self.run_dir;
        let object = || format!("run directory {}", Shown(dir_path));
        let dir = VerifiedDir::open_or_create(dir_path, "run directory", 0o755)?;
        let lock = lock_dir(&dir, FlockArg::LockShared)?;
        let shared = MsFlags::MS_SHARED | MsFlags::MS_REC;
        let shared_here = MsFlags::MS_SHARED;
        let none = None::<&str>;
        // The type is ignored for these flags; "none", as iproute2 passes.
        let fstype = Some("none");
        let perm = |e| Error::sys(e, "mount", object()).with_capability(Capability::SysAdmin);
        let at = |d: &VerifiedDir| format!("/proc/thread-self/fd/{}", d.as_fd().as_raw_fd());
        match nix::mount::mount(none, at(&dir).as_str(), fstype, shared_here, none) {
            Ok(()) => return Ok((dir, lock)),
            Err(Errno::EINVAL) => {}
            Err(e) => return Err(perm(e)),
        }
        lock.relock(FlockArg::LockExclusive)
            .map_err(|e| Error::sys(e, "lock", object()))?;
        // Another add may have made it a mount point meanwhile: look again.
        let dir = reopen_same(&dir)?;
        match nix::mount::mount(none, at(&dir).as_str(), fstype, shared, none) {
            Ok(()) => {}
            Err(Errno::EINVAL) => {
                // Not a mount point yet: make it one, with a peer group of its own.
                let here = at(&dir);
                nix::mount::mount(
                    Some(here.as_str()),
                    here.as_str(),
                    fstype,
                    MsFlags::MS_BIND | MsFlags::MS_REC,
                    none,
                )
                .map_err(perm)?;
                let undo = |e| {
                    let _ = nix::mount::umount2(dir_path, MntFlags::MNT_DETACH);
                    perm(e)
                };
                let mounted = reopen_same(&dir).inspect_err(|_| {
                    let _ = nix::mount::umount2(dir_path, MntFlags::MNT_DETACH);
                })?;
                let there = at(&mounted);
                nix::mount::mount(
                    none,
                    there.as_str(),
                    fstype,
                    MsFlags::MS_PRIVATE | MsFlags::MS_REC,
                    none,
                )
                .map_err(undo)?;
                nix::mount::mount(none, there.as_str(), fstype, shared, none).map_err(undo)?;
                lock.relock(FlockArg::LockShared)
                    .map_err(|e| Error::sys(e, "lock", object()))?;
                return Ok((mounted, lock));
            }
            Err(e) => return Err(perm(e)),
        }
        lock.relock(FlockArg::LockShared)
            .map_err(|e| Error::sys(e, "lock", object()))?;
        Ok((dir, lock))
    }

    /// Deletes the name `name`: `umount2(MNT_DETACH)` then `unlinkat`. The
    /// namespace itself lives on while processes or handles use it. A stale
    /// entry (empty, mode 0, nothing mounted) is removed too; anything else
    /// at the name (a user's file, a symbolic link, a directory) is refused
    /// with [`ErrorKind::InvalidArgument`] and left as it is. `EBUSY` (a copy of the mount held elsewhere) is
    /// retried briefly, then reported with the processes that hold it.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidName`], [`ErrorKind::NotFound`],
    /// [`ErrorKind::Busy`], [`ErrorKind::PermissionDenied`] naming `CAP_SYS_ADMIN`.
    #[doc(alias = "ip netns delete")]
    pub fn delete(&self, name: &str) -> Result<()> {
        let op = "delete";
        let path = self
            .path(name)
            .map_err(|e| e.context(op, ns_object(name)))?;
        let Some(dir) = self
            .open_run_dir()
            .map_err(|e| e.context(op, ns_object(name)))?
        else {
            return Err(Error::sys(Errno::ENOENT, op, ns_object(name)));
        };
        // Deletes run in parallel under the run directory's lock held
        // shared. An entry found not mounted may be an add of this library
        // between its create and its mount (adds hold the lock shared too):
        // then the lock is taken exclusively, which waits for that add to
        // finish, and the entry is looked at again.
        let lock = lock_dir(&dir, FlockArg::LockShared)?;
        let mut exclusive = false;
        // Set once this delete has unmounted the entry: the stale file left
        // is then ours to unlink, with no need to wait for adds.
        let mut unmounted = false;
        let mut delay = Duration::from_millis(2);
        let mut tries = 0;
        while tries < 8 {
            let found = dir
                .lookup(name)
                .map_err(|e| e.context(op, ns_object(name)))?;
            match found {
                // Gone meanwhile: after our unmount, someone else's unlink.
                Found::Missing if unmounted => return Ok(()),
                Found::Missing => return Err(Error::sys(Errno::ENOENT, op, ns_object(name))),
                Found::Namespace => {
                    // UMOUNT_NOFOLLOW: never followed out of the run directory.
                    match nix::mount::umount2(
                        &path,
                        MntFlags::MNT_DETACH | MntFlags::UMOUNT_NOFOLLOW,
                    ) {
                        Ok(()) => {
                            // What is left is the file this entry was
                            // mounted on: unlinked at once, as before the
                            // detach (no second lookup racing the detach).
                            unmounted = true;
                            match nix::unistd::unlinkat(
                                dir.as_fd(),
                                name,
                                UnlinkatFlags::NoRemoveDir,
                            ) {
                                Ok(()) | Err(Errno::ENOENT) => return Ok(()),
                                Err(Errno::EBUSY) => std::thread::sleep(delay),
                                Err(e) => return Err(Error::sys(e, op, ns_object(name))),
                            }
                            delay *= 2;
                            tries += 1;
                        }
                        Err(Errno::ENOENT | Errno::EINVAL) => {
                            tries += 1;
                            std::thread::sleep(delay);
                        }
                        Err(e) => {
                            return Err(Error::sys(e, op, ns_object(name))
                                .with_capability(Capability::SysAdmin))
                        }
                    }
                    continue;
                }
                f if f.is_stale_entry() && !exclusive && !unmounted => {
                    lock.relock(FlockArg::LockExclusive)
                        .map_err(|e| Error::sys(e, "lock", "run directory"))?;
                    exclusive = true;
                    continue;
                }
                f if f.is_stale_entry() => {}
                other => {
                    return Err(not_ours(op, &path, other).context(op, ns_object(name)));
                }
            }
            match nix::unistd::unlinkat(dir.as_fd(), name, UnlinkatFlags::NoRemoveDir) {
                Ok(()) => return Ok(()),
                Err(Errno::ENOENT) if unmounted => return Ok(()),
                Err(Errno::EBUSY) => std::thread::sleep(delay),
                Err(e) => return Err(Error::sys(e, op, ns_object(name))),
            }
            delay *= 2;
            tries += 1;
        }
        let holders = mount_holders(&path);
        let detail = if holders.is_empty() {
            "still a mount point after repeated detaches".to_string()
        } else {
            format!(
                "still mounted in the mount namespace of pid {}",
                join(&holders)
            )
        };
        Err(Error::new(ErrorKind::Busy, op, ns_object(name)).with_detail(detail))
    }

    /// Deletes every name, going on past failures and reporting each one
    /// (on several threads, as [`Registry::delete_many`]).
    ///
    /// # Errors
    /// Only when the run directory cannot be read.
    pub fn delete_all(&self) -> Result<DeleteAllReport> {
        let names = self.names()?;
        let mut report = self.delete_many(&names);
        // Gone meanwhile (deleted by someone else): not a failure of ours.
        report
            .failed
            .retain(|(_, e)| e.kind() != ErrorKind::NotFound);
        Ok(report)
    }

    /// Deletes each of `names` as [`Registry::delete`] does, going on past
    /// failures and reporting each one (a missing name is a failure with
    /// [`ErrorKind::NotFound`]), in the order given.
    ///
    /// The deletes run on up to [`DELETE_THREADS`] short-lived threads: an
    /// unmount sometimes waits for the kernel (an RCU grace period, tens of
    /// milliseconds while earlier namespaces are being torn down), and waits
    /// on several threads overlap. Measured here on 2 cores, 1,000
    /// namespaces with a veth each: 2 threads 0.013–0.34 s, 8 threads
    /// 0.018–0.020 s. The calling thread never changes namespace.
    ///
    /// # Examples
    /// ```no_run
    /// let reg = netns_core::Registry::from_env();
    /// let report = reg.delete_many(&["blue", "red"]);
    /// assert!(report.failed.is_empty(), "{:?}", report.failed);
    /// ```
    pub fn delete_many<S: AsRef<str> + Sync>(&self, names: &[S]) -> DeleteAllReport {
        let threads = DELETE_THREADS.clamp(1, names.len().max(1));
        let results: Vec<Vec<(usize, Result<()>)>> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|k| {
                    s.spawn(move || {
                        (k..names.len())
                            .step_by(threads)
                            .map(|i| (i, self.delete(names[i].as_ref())))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut all: Vec<(usize, Result<()>)> = results.into_iter().flatten().collect();
        all.sort_unstable_by_key(|(i, _)| *i);
        let mut report = DeleteAllReport::default();
        for (i, r) in all {
            let name = names[i].as_ref().to_owned();
            match r {
                Ok(()) => report.deleted.push(name),
                Err(e) => report.failed.push((name, e)),
            }
        }
        report
    }
}
