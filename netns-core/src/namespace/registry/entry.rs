//! The run directory's entries, each opened relative to the verified run
//! directory: creating one (refusing what is not ours), opening one,
//! checking it is still the one created, the lock, who still mounts one.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The file name of a registry path (checked by [`Registry::path`]).
pub(super) fn entry_name(path: &Path) -> Result<&str> {
    path.file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::new(ErrorKind::InvalidName, "create", ""))
}

/// Takes `lock` on the run directory (its own open file description).
pub(super) fn lock_dir(dir: &VerifiedDir, how: FlockArg) -> Result<Flock<File>> {
    let object = || format!("run directory {}", Shown(dir.path()));
    let fd = dir
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| Error::io(&e, "lock", object()))?;
    Flock::lock(File::from(fd), how).map_err(|(_, e)| Error::sys(e, "lock", object()))
}

/// Opens `dir`'s path again (the mount on top, if one was made) and checks
/// it is still the same directory.
pub(super) fn reopen_same(dir: &VerifiedDir) -> Result<VerifiedDir> {
    let again = VerifiedDir::open_as(dir.path(), "run directory")?;
    if again.identity()? != dir.identity()? {
        return Err(Error::new(
            ErrorKind::Busy,
            "open",
            format!("run directory {}", Shown(dir.path())),
        )
        .with_detail("replaced by another directory while being prepared"));
    }
    Ok(again)
}

/// Creates the registry file `name` (`O_CREAT|O_EXCL|O_NOFOLLOW`, mode 0,
/// relative to the verified run directory); replaces a stale one (see
/// [`Registry::add`]). Anything else already there (a namespace, a file with
/// content or another mode, a symbolic link, a directory) is refused and left
/// as it is.
pub(super) fn create_entry(
    dir: &VerifiedDir,
    lock: &mut Flock<File>,
    name: &str,
) -> Result<OwnedFd> {
    let flags = OFlag::O_RDONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW;
    let create = || dir.open_beneath(name, flags, 0);
    let refuse = |found: Found| {
        let path = dir.shown(name);
        match found {
            Found::Namespace => Error::sys(Errno::EEXIST, "create", ""),
            other => not_ours("create", &path, other).with_kind(ErrorKind::AlreadyExists),
        }
    };
    match create() {
        Ok(fd) => return Ok(fd),
        Err(e) if e.errno() == Some(Errno::EEXIST) => {}
        Err(e) => return Err(e),
    }
    let found = dir.lookup(name)?;
    if !found.is_stale_entry() {
        return Err(refuse(found));
    }
    // No add of ours is between create and mount while we hold this exclusively.
    lock.relock(FlockArg::LockExclusive)
        .map_err(|e| Error::sys(e, "lock", "run directory"))?;
    let found = dir.lookup(name);
    if matches!(found, Ok(f) if f.is_stale_entry()) {
        let _ = dir.remove_file(name);
    }
    let created = create();
    lock.relock(FlockArg::LockShared)
        .map_err(|e| Error::sys(e, "lock", "run directory"))?;
    match created {
        Ok(fd) => Ok(fd),
        Err(e) if e.errno() == Some(Errno::EEXIST) => Err(refuse(dir.lookup(name)?)),
        Err(e) => Err(e),
    }
}

/// Opens the registry entry `name` as [`NetNs::open_path`] does, but
/// relative to the verified run directory and without following a symlink:
/// an entry is a file of the run directory, and a symlink there (planted by
/// someone else) could point at any namespace.
pub(super) fn open_entry(dir: &VerifiedDir, name: &str) -> Result<NetNs> {
    let object = || format!("network namespace file {}", Shown(&dir.shown(name)));
    let fd = match dir.open_beneath(name, OFlag::O_RDONLY | OFlag::O_NOFOLLOW, 0) {
        Ok(fd) => fd,
        Err(e) if e.kind() == ErrorKind::InvalidArgument => {
            return Err(
                Error::new(ErrorKind::InvalidArgument, "open", object()).with_detail(format!(
                    "{} is a symbolic link, not a namespace file (not followed)",
                    object()
                )),
            )
        }
        Err(e) => return Err(e.context("open", object())),
    };
    NetNs::from_fd_checked(fd).map_err(|e| {
        if e.detail() == Some(crate::namespace::NOT_NETNS_FILE) {
            // Not a namespace file: here, an entry with nothing mounted on it.
            Error::sys(Errno::EINVAL, "open", object()).with_kind(ErrorKind::Stale)
        } else {
            e.context("open", object())
        }
    })
}

/// Whether `name` is still the registry file `entry` was created as (same
/// device and inode, not followed through a symlink).
pub(super) fn still_ours(entry: &OwnedFd, dir: &VerifiedDir, name: &str) -> bool {
    let (Ok(mine), Ok(now)) = (
        nix::sys::stat::fstat(entry),
        nix::sys::stat::fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW),
    ) else {
        return false;
    };
    mine.st_dev == now.st_dev && mine.st_ino == now.st_ino
}

/// The numeric entries of `dir` (`/proc` or `/proc/PID/task`): `(id, path)`.
/// An unreadable directory has none.
pub(super) fn numeric_entries(dir: &Path) -> impl Iterator<Item = (i32, PathBuf)> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let id = e.file_name().to_str()?.parse::<i32>().ok()?;
            Some((id, e.path()))
        })
}

/// Pids (one per mount namespace) whose mount table still has `path` mounted.
pub(super) fn mount_holders(path: &Path) -> Vec<i32> {
    let Some(target) = path.to_str() else {
        return Vec::new();
    };
    let mut seen = Vec::new();
    let mut pids = Vec::new();
    for (pid, dir) in numeric_entries(Path::new("/proc")) {
        let Ok(mnt) = std::fs::metadata(dir.join("ns/mnt")) else {
            continue;
        };
        if seen.contains(&mnt.ino()) {
            continue;
        }
        seen.push(mnt.ino());
        let Ok(info) = std::fs::read_to_string(dir.join("mountinfo")) else {
            continue;
        };
        if info.lines().any(|l| l.split(' ').nth(4) == Some(target)) {
            pids.push(pid);
        }
    }
    pids
}

pub(super) fn join(pids: &[i32]) -> String {
    pids.iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
