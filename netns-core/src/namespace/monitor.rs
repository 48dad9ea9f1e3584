//! `monitor`: names appearing in and disappearing from the run directory.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::File;
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::eventfd::{EfdFlags, EventFd};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};
use nix::sys::statfs::NSFS_MAGIC;

use super::registry::Registry;
use super::Shown;
use crate::error::{Errno, Error, Result};

/// An event of [`Monitor`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MonitorEvent {
    /// A name was added and its namespace is mounted.
    Add(String),
    /// A name was deleted.
    Delete(String),
}

/// What [`Monitor::next_timeout`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MonitorWait {
    /// A name was added or deleted.
    Event(MonitorEvent),
    /// Nothing happened before the timeout, or a signal interrupted the
    /// wait (the caller gets to handle it, e.g. Ctrl-C, and waits again).
    TimedOut,
    /// The monitor was closed through its [`MonitorCloser`]: it reports
    /// nothing more.
    Closed,
}

/// The closed flag and the eventfd that wakes a waiting [`Monitor`].
#[derive(Debug)]
struct CloseSignal {
    closed: AtomicBool,
    wake: EventFd,
}

/// Closes a [`Monitor`] from any thread, waking it if it is waiting (from
/// [`Monitor::closer`]; cheap to clone, `Send` and `Sync`).
///
/// # Examples
/// ```no_run
/// let reg = netns_core::Registry::from_env();
/// let monitor = reg.monitor()?;
/// let closer = monitor.closer();
/// let watcher = std::thread::spawn(move || monitor.count());
/// closer.close(); // the watcher's blocked `next()` returns None at once
/// assert_eq!(watcher.join().ok(), Some(0));
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct MonitorCloser {
    signal: Arc<CloseSignal>,
}

impl MonitorCloser {
    /// Closes the monitor: a wait in progress ([`Iterator::next`],
    /// [`Monitor::next_timeout`]) returns at once, and so does every later
    /// one: `next()` with `None`, `next_timeout` with
    /// [`MonitorWait::Closed`]. Events not yet taken are dropped.
    /// Idempotent; sets a flag and `write`s to an eventfd the monitor
    /// polls (never blocks).
    pub fn close(&self) {
        self.signal.closed.store(true, Ordering::Release);
        // EAGAIN (the counter at its maximum) still leaves it readable.
        let _ = self.signal.wake.write(1);
    }

    /// Whether [`MonitorCloser::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.signal.closed.load(Ordering::Acquire)
    }
}

/// A blocking iterator of [`MonitorEvent`]s from [`Registry::monitor`].
///
/// [`Monitor::next_timeout`] waits at most a given time (and returns early
/// on a signal), for callers that must stay responsive (a Ctrl-C, a
/// shutdown); [`Monitor::closer`] gives a handle that ends the iteration
/// from another thread, waking a blocked `next()`.
#[derive(Debug)]
pub struct Monitor {
    signal: Arc<CloseSignal>,
    inotify: Inotify,
    mountinfo: File,
    run_dir: PathBuf,
    /// Names created but not yet seen mounted, each with whether the mount
    /// table changed since its creation was read.
    pending: Vec<(OsString, bool)>,
    queue: VecDeque<MonitorEvent>,
}

impl Registry {
    /// Watches the run directory (created if missing) with inotify
    /// (`IN_CREATE|IN_DELETE|IN_MOVED_*`). Unlike `ip netns monitor`, an
    /// `Add` is reported only once the namespace is mounted on the new file
    /// (the mount table is watched through `poll` on
    /// `/proc/thread-self/mountinfo`); a file created and removed without a
    /// mount (a failed add) is reported not at all.
    ///
    /// # Errors
    /// When the directory cannot be created or watched.
    #[doc(alias = "ip netns monitor")]
    pub fn monitor(&self) -> Result<Monitor> {
        let dir = self.run_dir();
        let object = || format!("run directory {}", Shown(dir));
        // Created if missing (not its parents), and refused when it is a
        // symbolic link, as every other operation on the run directory.
        let verified = super::VerifiedDir::open_or_create(dir, "run directory", 0o755)
            .map_err(|e| e.context("monitor", object()))?;
        let inotify =
            Inotify::init(InitFlags::IN_CLOEXEC).map_err(|e| Error::sys(e, "monitor", object()))?;
        let mask = AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_MOVED_FROM;
        // The very directory verified above, through its descriptor.
        let at = format!(
            "/proc/thread-self/fd/{}",
            std::os::fd::AsRawFd::as_raw_fd(&verified.as_fd())
        );
        inotify
            .add_watch(at.as_str(), mask)
            .map_err(|e| Error::sys(e, "monitor", object()))?;
        let mountinfo = File::open("/proc/thread-self/mountinfo")
            .map_err(|e| Error::io(&e, "monitor", "mount table"))?;
        let wake = EventFd::from_flags(EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK)
            .map_err(|e| Error::sys(e, "monitor", "wake-up eventfd"))?;
        Ok(Monitor {
            signal: Arc::new(CloseSignal {
                closed: AtomicBool::new(false),
                wake,
            }),
            inotify,
            mountinfo,
            run_dir: dir.to_path_buf(),
            pending: Vec::new(),
            queue: VecDeque::new(),
        })
    }
}

impl Monitor {
    fn mounted(&self, name: &OsString) -> bool {
        nix::sys::statfs::statfs(&self.run_dir.join(name))
            .map(|fs| fs.filesystem_type() == NSFS_MAGIC)
            .unwrap_or(false)
    }

    fn settle_pending(&mut self) {
        let mut i = 0;
        while i < self.pending.len() {
            if self.mounted(&self.pending[i].0) {
                let (name, _) = self.pending.swap_remove(i);
                self.queue
                    .push_back(MonitorEvent::Add(name.to_string_lossy().into_owned()));
            } else {
                i += 1;
            }
        }
    }

    /// Whether the mount table changed since the last `poll` of it
    /// (`POLLPRI` on mountinfo, without waiting).
    fn mount_table_changed(&self) -> bool {
        let mut fds = [PollFd::new(self.mountinfo.as_fd(), PollFlags::POLLPRI)];
        matches!(nix::poll::poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
    }

    /// Waits up to `timeout` for the run directory, the mount table or the
    /// closer, and queues what happened. `Ok(false)` when a signal
    /// interrupted the wait.
    fn wait(&mut self, timeout: PollTimeout) -> Result<bool> {
        let (ino_ready, mnt_ready) = {
            let mut fds = [
                PollFd::new(self.inotify.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.mountinfo.as_fd(), PollFlags::POLLPRI),
                PollFd::new(self.signal.wake.as_fd(), PollFlags::POLLIN),
            ];
            match nix::poll::poll(&mut fds, timeout) {
                Ok(_) => {}
                Err(Errno::EINTR) => return Ok(false),
                Err(e) => return Err(Error::sys(e, "monitor", "run directory")),
            }
            let ready = |f: &PollFd<'_>| f.revents().is_some_and(|r| !r.is_empty());
            (ready(&fds[0]), ready(&fds[1]))
        };
        let mut mounts_changed = mnt_ready;
        if ino_ready {
            let events = self
                .inotify
                .read_events()
                .map_err(|e| Error::sys(e, "monitor", "run directory"))?;
            for ev in events {
                let Some(name) = ev.name else { continue };
                if ev
                    .mask
                    .intersects(AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MOVED_TO)
                {
                    self.pending.push((name, false));
                    continue;
                }
                if let Some(i) = self.pending.iter().position(|p| p.0 == name) {
                    // Created and removed before we saw it mounted: a failed
                    // add, unless the mount table changed meanwhile (the
                    // mount and its removal both came between two of our
                    // looks at the file).
                    let (_, seen) = self.pending.swap_remove(i);
                    mounts_changed = mounts_changed || self.mount_table_changed();
                    if !(seen || mounts_changed) {
                        continue;
                    }
                    let shown = name.to_string_lossy().into_owned();
                    self.queue.push_back(MonitorEvent::Add(shown));
                }
                self.queue
                    .push_back(MonitorEvent::Delete(name.to_string_lossy().into_owned()));
            }
        }
        if mounts_changed {
            // The change may be a mount on a pending name that is undone
            // before `settle_pending` looks: remember it for its delete.
            for p in &mut self.pending {
                p.1 = true;
            }
        }
        self.settle_pending();
        Ok(true)
    }

    /// A handle that closes this monitor from any thread, waking a wait in
    /// progress (see [`MonitorCloser::close`]).
    pub fn closer(&self) -> MonitorCloser {
        MonitorCloser {
            signal: Arc::clone(&self.signal),
        }
    }

    /// Waits at most `timeout` for the next event: one `poll` of the
    /// inotify descriptor, the mount table and the closer's eventfd, with
    /// the time left (rounded up to a millisecond), as often as events that
    /// report nothing (a name created but not yet mounted) come in. Returns
    /// [`MonitorWait::TimedOut`] early when a signal interrupts the wait
    /// (`EINTR`), so the caller can act on it; a zero `timeout` takes what
    /// is ready without blocking.
    ///
    /// # Errors
    /// When the descriptors cannot be polled or read; the monitor stays
    /// usable.
    ///
    /// # Examples
    /// ```no_run
    /// use std::time::Duration;
    /// use netns_core::MonitorWait;
    /// let mut monitor = netns_core::Registry::from_env().monitor()?;
    /// loop {
    ///     match monitor.next_timeout(Duration::from_millis(200))? {
    ///         MonitorWait::Event(ev) => println!("{ev:?}"),
    ///         MonitorWait::TimedOut => { /* check for shutdown, then wait again */ }
    ///         _ => break, // closed
    ///     }
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<MonitorWait> {
        self.next_until(Instant::now().checked_add(timeout))
    }

    /// The next event, waiting until `deadline` (`None`: for ever, going on
    /// past signals).
    fn next_until(&mut self, deadline: Option<Instant>) -> Result<MonitorWait> {
        loop {
            if self.signal.closed.load(Ordering::Acquire) {
                self.queue.clear();
                return Ok(MonitorWait::Closed);
            }
            if let Some(ev) = self.queue.pop_front() {
                return Ok(MonitorWait::Event(ev));
            }
            let timeout = match deadline {
                None => PollTimeout::NONE,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    // Rounded up, so a sub-millisecond rest does not spin.
                    let ms = left.as_nanos().div_ceil(1_000_000);
                    PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
                }
            };
            let interrupted = !self.wait(timeout)?;
            let expired = deadline.is_some_and(|d| Instant::now() >= d);
            if self.queue.is_empty()
                && !self.signal.closed.load(Ordering::Acquire)
                && (expired || (interrupted && deadline.is_some()))
            {
                return Ok(MonitorWait::TimedOut);
            }
        }
    }
}

impl Iterator for Monitor {
    type Item = Result<MonitorEvent>;

    /// The next event, waiting as long as it takes; `None` once the
    /// monitor is closed ([`MonitorCloser::close`]).
    fn next(&mut self) -> Option<Self::Item> {
        match self.next_until(None) {
            Ok(MonitorWait::Event(ev)) => Some(Ok(ev)),
            Ok(_) => None,
            Err(e) => Some(Err(e)),
        }
    }
}

impl std::iter::FusedIterator for Monitor {}
