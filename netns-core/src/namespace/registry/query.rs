//! What the registry holds: names, entries with their nsids, ids, the
//! names of a process's namespace, the processes in a namespace.

use std::collections::HashMap;

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::netlink::Listing;

impl Registry {
    /// The names in the run directory, sorted. A missing run directory is an
    /// empty registry.
    ///
    /// # Errors
    /// When the directory exists but cannot be read.
    pub fn names(&self) -> Result<Vec<String>> {
        match self.open_run_dir()? {
            Some(dir) => dir.names(),
            None => Ok(Vec::new()),
        }
    }

    /// Every name, sorted, each with its nsid as seen from the calling
    /// thread's namespace (`RTM_GETNSID` with `NETNSA_FD`, all over one
    /// netlink socket); stale entries are flagged, not hidden.
    ///
    /// # Errors
    /// When the run directory cannot be read or netlink fails.
    #[doc(alias = "ip netns list")]
    pub fn list(&self) -> Result<Vec<Entry>> {
        let (names, handles) = self.open_all()?;
        let ids = self.ids_of(&handles)?;
        Ok(names
            .into_iter()
            .zip(handles.iter().zip(ids))
            .map(|(name, (ns, id))| Entry {
                name,
                id,
                stale: ns.is_none(),
            })
            .collect())
    }

    /// Opens every entry; `None` for stale ones. Entries deleted meanwhile are
    /// dropped.
    fn open_all(&self) -> Result<(Vec<String>, Vec<Option<NetNs>>)> {
        let mut names = Vec::new();
        let mut handles = Vec::new();
        let Some(dir) = self.open_run_dir()? else {
            return Ok((names, handles));
        };
        for name in dir.names()? {
            match open_entry(&dir, &name) {
                Ok(ns) => handles.push(Some(ns)),
                // A symlink planted in the run directory is listed as stale
                // (never followed); `delete` removes it.
                Err(e) if matches!(e.kind(), ErrorKind::Stale | ErrorKind::InvalidArgument) => {
                    handles.push(None)
                }
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(e.context("list", ns_object(&name))),
            }
            names.push(name);
        }
        Ok((names, handles))
    }

    fn ids_of(&self, handles: &[Option<NetNs>]) -> Result<Vec<Option<Nsid>>> {
        let fds: Vec<BorrowedFd<'_>> = handles.iter().flatten().map(|ns| ns.as_fd()).collect();
        let mut found = if fds.is_empty() {
            Vec::new().into_iter()
        } else {
            let mut sock =
                Socket::open().map_err(|e| e.context("list", "network namespace ids"))?;
            nsid::get_many(&mut sock, &fds)
                .map_err(|e| e.error)?
                .into_iter()
        };
        Ok(handles
            .iter()
            .map(|h| h.as_ref().and_then(|_| found.next().flatten()))
            .collect())
    }

    /// The nsids known in the calling thread's namespace (an `RTM_GETNSID`
    /// dump, filtered by the kernel), each with the registry name that has it
    /// (the names' nsids asked in one batch, as [`Registry::list`]).
    ///
    /// A dump interrupted on every attempt is returned marked
    /// ([`Listing::is_consistent`] false).
    ///
    /// Without a target, the nsids of named namespaces that the dump did not
    /// show are added (sorted in by nsid): this kernel (Linux 6.18) ends an
    /// `RTM_GETNSID` dump after its first message buffer, so with 1,000 named
    /// namespaces holding nsids the dump, and `ip netns list-id`, show only
    /// the first 134. Unnamed peers past that buffer stay missing.
    ///
    /// # Errors
    /// When netlink fails or the kernel refuses the filter.
    #[doc(alias = "ip netns list-id")]
    pub fn list_ids(&self, filter: IdFilter) -> Result<Listing<IdEntry>> {
        let mut sock = Socket::open().map_err(|e| e.context("list", "network namespace ids"))?;
        let ids = nsid::list(&mut sock, filter.target_nsid, filter.nsid)?;
        let (names, handles) = self.open_all()?;
        let fds: Vec<BorrowedFd<'_>> = handles.iter().flatten().map(|ns| ns.as_fd()).collect();
        // nsid -> the first name (sorted) that has it.
        let mut named: HashMap<Nsid, String> = HashMap::with_capacity(fds.len());
        if !fds.is_empty() {
            let mut found = nsid::get_many(&mut sock, &fds)
                .map_err(|e| e.error)?
                .into_iter();
            for (name, _) in names.into_iter().zip(&handles).filter(|(_, h)| h.is_some()) {
                if let Some(id) = found.next().flatten() {
                    named.entry(id).or_insert(name);
                }
            }
        }
        let consistent = ids.is_consistent();
        let mut entries: Vec<IdEntry> = ids
            .into_iter()
            .map(|e| IdEntry {
                name: named.get(&e.nsid).cloned(),
                nsid: e.nsid,
                current_nsid: e.current_nsid,
            })
            .collect();
        if filter.target_nsid.is_none() {
            let dumped: std::collections::HashSet<Nsid> = entries.iter().map(|e| e.nsid).collect();
            let before = entries.len();
            entries.extend(
                named
                    .into_iter()
                    .filter(|(id, _)| !dumped.contains(id))
                    .filter(|(id, _)| filter.nsid.is_none_or(|wanted| wanted == *id))
                    .map(|(nsid, name)| IdEntry {
                        nsid,
                        current_nsid: None,
                        name: Some(name),
                    }),
            );
            if entries.len() > before {
                entries.sort_by_key(|e| e.nsid);
            }
        }
        Ok(Listing::new(entries, consistent))
    }

    /// Assigns an nsid to namespace `name` in the calling thread's namespace
    /// (`RTM_NEWNSID` with `NETNSA_FD` and `NETNSA_NSID`); `None` lets the
    /// kernel choose (`auto`).
    ///
    /// # Errors
    /// The kernel's refusal with its text, e.g. `Peer netns already has a nsid
    /// assigned` or `The specified nsid is already used`.
    #[doc(alias = "ip netns set")]
    pub fn set_id(&self, name: &str, id: Option<Nsid>) -> Result<()> {
        let ns = self
            .open(name)
            .map_err(|e| e.context("set id of", ns_object(name)))?;
        let mut sock = Socket::open().map_err(|e| e.context("set id of", ns_object(name)))?;
        nsid::set(&mut sock, ns.as_fd(), id).map_err(|e| e.context("set id of", ns_object(name)))
    }

    /// Every name whose namespace is the one of process `pid` (the calling
    /// thread's when `None`), sorted. iproute2 prints only the last match.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when the process does not exist.
    #[doc(alias = "ip netns identify")]
    pub fn identify(&self, pid: Option<i32>) -> Result<Vec<String>> {
        let target = match pid {
            Some(pid) => NetNs::open_pid(pid),
            None => NetNs::current(),
        }
        .map_err(|e| {
            e.context(
                "identify",
                pid.map_or("the current thread".to_string(), |p| format!("process {p}")),
            )
        })?;
        let mut names = Vec::new();
        let Some(dir) = self.open_run_dir()? else {
            return Ok(names);
        };
        for name in dir.names()? {
            let st =
                nix::sys::stat::fstatat(dir.as_fd(), name.as_str(), AtFlags::AT_SYMLINK_NOFOLLOW);
            if let Ok(st) = st {
                if st.st_dev == target.device() && st.st_ino == target.inode() {
                    names.push(name);
                }
            }
        }
        Ok(names)
    }

    /// The processes whose network namespace is `name`'s, sorted: every
    /// numeric `/proc/PID` whose `ns/net` matches (thread-group leaders; with
    /// [`PidsOptions::threads`], every thread id whose own namespace matches).
    ///
    /// # Errors
    /// As [`Registry::open`].
    #[doc(alias = "ip netns pids")]
    pub fn pids(&self, name: &str, opts: PidsOptions) -> Result<Vec<i32>> {
        let ns = self
            .open(name)
            .map_err(|e| e.context("list processes of", ns_object(name)))?;
        let same = |p: &Path| {
            std::fs::metadata(p)
                .map(|m| m.dev() == ns.device() && m.ino() == ns.inode())
                .unwrap_or(false)
        };
        // /proc itself must be readable; a process gone meanwhile is skipped.
        std::fs::metadata("/proc").map_err(|e| Error::io(&e, "read", "/proc"))?;
        let mut pids = Vec::new();
        for (pid, dir) in numeric_entries(Path::new("/proc")) {
            if !opts.threads {
                if same(&dir.join("ns/net")) {
                    pids.push(pid);
                }
                continue;
            }
            for (tid, task) in numeric_entries(&dir.join("task")) {
                if same(&task.join("ns/net")) {
                    pids.push(tid);
                }
            }
        }
        pids.sort_unstable();
        Ok(pids)
    }
}
