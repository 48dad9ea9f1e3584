//! `monitor`: names appearing in and disappearing from the run directory.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{DirBuilder, File};
use std::os::fd::AsFd;
use std::os::unix::fs::DirBuilderExt;
use std::path::PathBuf;

use nix::poll::{PollFd, PollFlags, PollTimeout};
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

/// A blocking iterator of [`MonitorEvent`]s from [`Registry::monitor`].
#[derive(Debug)]
pub struct Monitor {
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
        match DirBuilder::new().mode(0o755).recursive(true).create(dir) {
            Ok(()) => {}
            Err(e) => return Err(Error::io(&e, "monitor", object())),
        }
        let inotify =
            Inotify::init(InitFlags::IN_CLOEXEC).map_err(|e| Error::sys(e, "monitor", object()))?;
        let mask = AddWatchFlags::IN_CREATE
            | AddWatchFlags::IN_DELETE
            | AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_MOVED_FROM;
        inotify
            .add_watch(dir, mask)
            .map_err(|e| Error::sys(e, "monitor", object()))?;
        let mountinfo = File::open("/proc/thread-self/mountinfo")
            .map_err(|e| Error::io(&e, "monitor", "mount table"))?;
        Ok(Monitor {
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

    fn wait(&mut self) -> Result<()> {
        let (ino_ready, mnt_ready) = {
            let mut fds = [
                PollFd::new(self.inotify.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.mountinfo.as_fd(), PollFlags::POLLPRI),
            ];
            match nix::poll::poll(&mut fds, PollTimeout::NONE) {
                Ok(_) | Err(Errno::EINTR) => {}
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
        Ok(())
    }
}

impl Iterator for Monitor {
    type Item = Result<MonitorEvent>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(ev) = self.queue.pop_front() {
                return Some(Ok(ev));
            }
            if let Err(e) = self.wait() {
                return Some(Err(e));
            }
        }
    }
}
