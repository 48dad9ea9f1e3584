//! Directories netns writes in (the run directory, the etc directory, the
//! topology state directory), held by a verified file descriptor.
//!
//! Every path below such a directory is resolved relative to its descriptor
//! with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)`
//! (on a kernel without `openat2`, one `openat(O_NOFOLLOW)` per component), so
//! a symbolic link planted anywhere below is refused, never followed, and no
//! `..` leads out. Files are replaced by writing a temporary file in the same
//! directory and renaming it over the name (`renameat`), so a reader sees the
//! old or the new content, never a mix, and a symlink at the name is replaced,
//! not written through.

use std::ffi::OsStr;
use std::io::Write;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};

use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{FileStat, Mode, SFlag};
use nix::sys::statfs::NSFS_MAGIC;
use nix::unistd::UnlinkatFlags;

use super::Shown;
use crate::error::{Errno, Error, ErrorKind, Result};

/// What is found at a name inside a [`VerifiedDir`], looked at without
/// following anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Found {
    /// Nothing.
    Missing,
    /// A symbolic link (never followed).
    Symlink,
    /// A directory.
    Directory,
    /// A network namespace (or another nsfs file) mounted on the name.
    Namespace,
    /// A regular file with no namespace mounted on it.
    File {
        /// Its size in bytes.
        len: u64,
        /// Its permission bits.
        mode: u32,
    },
    /// A device, socket or fifo.
    Other,
}

impl Found {
    /// An empty regular file with mode 0: what `ip netns add` and netns leave
    /// when interrupted between creating a registry entry and mounting on it.
    pub fn is_stale_entry(self) -> bool {
        matches!(self, Found::File { len: 0, mode: 0 })
    }

    /// Words for messages: "a symbolic link", "a directory", …
    pub fn describe(self) -> String {
        match self {
            Found::Missing => "nothing".into(),
            Found::Symlink => "a symbolic link".into(),
            Found::Directory => "a directory".into(),
            Found::Namespace => "a namespace".into(),
            Found::File { len, mode } => {
                format!("a regular file ({len} bytes, mode {mode:04o})")
            }
            Found::Other => "a device, socket or fifo".into(),
        }
    }
}

/// A directory opened once and checked (a directory, not reached through a
/// symbolic link in its last component); every name below it is resolved
/// relative to its descriptor without following symbolic links.
#[derive(Debug)]
pub struct VerifiedDir {
    fd: OwnedFd,
    path: PathBuf,
    what: &'static str,
}

fn dir_object(path: &Path) -> String {
    format!("directory {}", Shown(path))
}

/// Checks `rel` is a relative path of plain components (no `..`, no root).
fn check_relative(rel: &Path) -> Result<()> {
    let plain = !rel.as_os_str().is_empty()
        && rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if plain {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidArgument,
            "resolve",
            format!("path {}", Shown(rel)),
        )
        .with_detail("not a plain relative path"))
    }
}

impl VerifiedDir {
    /// Opens the directory at `path` (`O_DIRECTORY|O_NOFOLLOW`).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`]; [`ErrorKind::InvalidArgument`] when `path` is
    /// a symbolic link or not a directory.
    pub fn open(path: impl Into<PathBuf>) -> Result<VerifiedDir> {
        VerifiedDir::open_as(path, "directory")
    }

    /// [`VerifiedDir::open`], naming the directory `what` in messages (e.g.
    /// "run directory").
    ///
    /// # Errors
    /// As [`VerifiedDir::open`].
    pub fn open_as(path: impl Into<PathBuf>, what: &'static str) -> Result<VerifiedDir> {
        let path = path.into();
        let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
        match nix::fcntl::open(&path, flags, Mode::empty()) {
            Ok(fd) => Ok(VerifiedDir { fd, path, what }),
            Err(e) => Err(refused_dir(e, what, &path)),
        }
    }

    /// Opens the directory at `path`, creating it first with `mode` when
    /// missing (its parent must exist).
    ///
    /// # Errors
    /// As [`VerifiedDir::open`], or when it cannot be created.
    pub fn open_or_create(
        path: impl Into<PathBuf>,
        what: &'static str,
        mode: u32,
    ) -> Result<VerifiedDir> {
        let path = path.into();
        match nix::unistd::mkdir(&path, Mode::from_bits_truncate(mode)) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(Error::sys(e, "create", format!("{what} {}", Shown(&path)))),
        }
        VerifiedDir::open_as(path, what)
    }

    /// The path it was opened at.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `rel` below it, for messages.
    pub fn shown(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path.join(rel)
    }

    /// Opens `rel` below this directory with `flags` (`O_CLOEXEC` added) and
    /// `mode` (for `O_CREAT`), refusing symbolic links in every component and
    /// any path leading outside.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a symbolic link or a path that is
    /// not plain; otherwise the system call's errno.
    pub fn open_beneath(&self, rel: impl AsRef<Path>, flags: OFlag, mode: u32) -> Result<OwnedFd> {
        let rel = rel.as_ref();
        check_relative(rel)?;
        let object = || format!("{}", Shown(&self.path.join(rel)));
        open_beneath_fd(self.fd.as_fd(), rel, flags | OFlag::O_CLOEXEC, mode).map_err(|e| {
            if e == Errno::ELOOP {
                Error::new(ErrorKind::InvalidArgument, "open", object()).with_detail(format!(
                    "{}: a symbolic link is in the way (not followed)",
                    object()
                ))
            } else {
                Error::sys(e, "open", object())
            }
        })
    }

    /// Opens the existing subdirectory `rel` as a verified directory.
    ///
    /// # Errors
    /// As [`VerifiedDir::open_beneath`]; [`ErrorKind::InvalidArgument`] when
    /// it is not a directory.
    pub fn subdir(&self, rel: impl AsRef<Path>) -> Result<VerifiedDir> {
        let rel = rel.as_ref();
        let fd = self
            .open_beneath(rel, OFlag::O_RDONLY | OFlag::O_DIRECTORY, 0)
            .map_err(|e| {
                if e.errno() == Some(Errno::ENOTDIR) {
                    let shown = format!("{} is not a directory", Shown(&self.path.join(rel)));
                    e.with_kind(ErrorKind::InvalidArgument).with_detail(shown)
                } else {
                    e
                }
            })?;
        Ok(VerifiedDir {
            fd,
            path: self.path.join(rel),
            what: "directory",
        })
    }

    /// Opens subdirectory `name` (one component), creating it with `mode`
    /// when missing. Returns it and whether it was created here.
    ///
    /// # Errors
    /// As [`VerifiedDir::subdir`].
    pub fn create_subdir(&self, name: &str, mode: u32) -> Result<(VerifiedDir, bool)> {
        check_name(name)?;
        let created =
            match nix::sys::stat::mkdirat(self.fd.as_fd(), name, Mode::from_bits_truncate(mode)) {
                Ok(()) => true,
                Err(Errno::EEXIST) => false,
                Err(e) => return Err(Error::sys(e, "create", dir_object(&self.path.join(name)))),
            };
        Ok((self.subdir(name)?, created))
    }

    /// What is at `name` (one component), not followed.
    ///
    /// # Errors
    /// When it cannot be looked at (other than missing).
    pub fn lookup(&self, name: &str) -> Result<Found> {
        check_name(name)?;
        let object = || format!("{}", Shown(&self.path.join(name)));
        let st = match nix::sys::stat::fstatat(
            self.fd.as_fd(),
            name,
            nix::fcntl::AtFlags::AT_SYMLINK_NOFOLLOW,
        ) {
            Ok(st) => st,
            Err(Errno::ENOENT) => return Ok(Found::Missing),
            Err(e) => return Err(Error::sys(e, "look at", object())),
        };
        Ok(
            match SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT {
                SFlag::S_IFLNK => Found::Symlink,
                SFlag::S_IFDIR => Found::Directory,
                SFlag::S_IFREG => {
                    // A namespace bind-mounted on the name shows as an nsfs file.
                    match self.open_beneath(name, OFlag::O_PATH | OFlag::O_NOFOLLOW, 0) {
                        Ok(fd) => match nix::sys::statfs::fstatfs(&fd) {
                            Ok(fs) if fs.filesystem_type() == NSFS_MAGIC => Found::Namespace,
                            _ => file_found(&nix::sys::stat::fstat(&fd).unwrap_or(st)),
                        },
                        Err(e) if e.errno() == Some(Errno::ENOENT) => Found::Missing,
                        Err(_) => file_found(&st),
                    }
                }
                _ => Found::Other,
            },
        )
    }

    /// Replaces (or creates) the regular file `rel` with `contents`: a
    /// temporary file is written in the same directory (`O_CREAT|O_EXCL`,
    /// `mode`), synced, and renamed over `rel` (`renameat`). A symbolic link
    /// at `rel` is refused, as is a directory.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a symbolic link, directory or
    /// other non-file at `rel` or in the way; I/O errors.
    pub fn write_atomic(&self, rel: impl AsRef<Path>, contents: &[u8], mode: u32) -> Result<()> {
        let rel = rel.as_ref();
        check_relative(rel)?;
        let (dir, name) = self.split(rel)?;
        let dir = dir.as_ref().unwrap_or(self);
        let found = dir.lookup(&name)?;
        if !matches!(found, Found::Missing | Found::File { .. }) {
            return Err(not_ours("write", &dir.path.join(&name), found));
        }
        let shown = dir.path.join(&name);
        let object = || format!("{}", Shown(&shown));
        let tmp = format!(".{name}.netns-tmp.{}", std::process::id());
        let _ = nix::unistd::unlinkat(dir.fd.as_fd(), tmp.as_str(), UnlinkatFlags::NoRemoveDir);
        let fd = dir.open_beneath(
            &tmp,
            OFlag::O_WRONLY | OFlag::O_CREAT | OFlag::O_EXCL | OFlag::O_NOFOLLOW,
            mode,
        )?;
        let mut file = std::fs::File::from(fd);
        let written = file
            .write_all(contents)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(&e, "write", object()));
        let renamed = written.and_then(|()| {
            // fchmod: the umask may have narrowed `mode`.
            nix::sys::stat::fchmod(&file, Mode::from_bits_truncate(mode))
                .map_err(|e| Error::sys(e, "write", object()))?;
            nix::fcntl::renameat(dir.fd.as_fd(), tmp.as_str(), dir.fd.as_fd(), name.as_str())
                .map_err(|e| Error::sys(e, "write", object()))
        });
        if renamed.is_err() {
            let _ = nix::unistd::unlinkat(dir.fd.as_fd(), tmp.as_str(), UnlinkatFlags::NoRemoveDir);
        }
        renamed
    }

    /// Reads the regular file `rel` (not through a symbolic link); `None` when
    /// it is missing.
    ///
    /// # Errors
    /// As [`VerifiedDir::open_beneath`], and read errors.
    pub fn read(&self, rel: impl AsRef<Path>) -> Result<Option<Vec<u8>>> {
        let rel = rel.as_ref();
        let fd = match self.open_beneath(rel, OFlag::O_RDONLY | OFlag::O_NOFOLLOW, 0) {
            Ok(fd) => fd,
            Err(e) if e.errno() == Some(Errno::ENOENT) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut std::fs::File::from(fd), &mut out)
            .map_err(|e| Error::io(&e, "read", format!("{}", Shown(&self.path.join(rel)))))?;
        Ok(Some(out))
    }

    /// Removes the file `name` (one component) with `unlinkat`: a symbolic
    /// link itself, never its target. Missing is not an error.
    ///
    /// # Errors
    /// When the kernel refuses.
    pub fn remove_file(&self, name: &str) -> Result<()> {
        check_name(name)?;
        match nix::unistd::unlinkat(self.fd.as_fd(), name, UnlinkatFlags::NoRemoveDir) {
            Ok(()) | Err(Errno::ENOENT) => Ok(()),
            Err(e) => Err(Error::sys(
                e,
                "remove",
                format!("{}", Shown(&self.path.join(name))),
            )),
        }
    }

    /// Removes the empty subdirectory `name` (one component). Missing or not
    /// empty is not an error (returns false).
    ///
    /// # Errors
    /// When the kernel refuses for another reason.
    pub fn remove_dir(&self, name: &str) -> Result<bool> {
        check_name(name)?;
        match nix::unistd::unlinkat(self.fd.as_fd(), name, UnlinkatFlags::RemoveDir) {
            Ok(()) => Ok(true),
            Err(Errno::ENOENT | Errno::ENOTEMPTY | Errno::EEXIST) => Ok(false),
            Err(e) => Err(Error::sys(e, "remove", dir_object(&self.path.join(name)))),
        }
    }

    /// The names in this directory (not `.`/`..`), sorted; names that are not
    /// UTF-8 are skipped.
    ///
    /// # Errors
    /// When it cannot be read.
    pub fn names(&self) -> Result<Vec<String>> {
        let fd = self.open_beneath(".", OFlag::O_RDONLY | OFlag::O_DIRECTORY, 0)?;
        let mut dir = nix::dir::Dir::from_fd(fd)
            .map_err(|e| Error::sys(e, "read", format!("{} {}", self.what, Shown(&self.path))))?;
        let mut names = Vec::new();
        for entry in dir.iter() {
            let entry = entry.map_err(|e| {
                Error::sys(e, "read", format!("{} {}", self.what, Shown(&self.path)))
            })?;
            let bytes = entry.file_name().to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            if let Ok(name) = std::str::from_utf8(bytes) {
                names.push(name.to_owned());
            }
        }
        names.sort_unstable();
        Ok(names)
    }

    /// `(st_dev, st_ino)` of the directory.
    ///
    /// # Errors
    /// When `fstat` fails.
    pub fn identity(&self) -> Result<(u64, u64)> {
        let st = nix::sys::stat::fstat(&self.fd).map_err(|e| {
            Error::sys(e, "look at", format!("{} {}", self.what, Shown(&self.path)))
        })?;
        Ok((st.st_dev, st.st_ino))
    }

    /// Splits `rel` into its parent (opened, verified; `None` for this
    /// directory) and its last component.
    fn split(&self, rel: &Path) -> Result<(Option<VerifiedDir>, String)> {
        let name = rel
            .file_name()
            .and_then(OsStr::to_str)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidArgument,
                    "resolve",
                    format!("path {}", Shown(rel)),
                )
                .with_detail("no file name, or not UTF-8")
            })?
            .to_owned();
        let parent = rel.parent().filter(|p| !p.as_os_str().is_empty());
        Ok((parent.map(|p| self.subdir(p)).transpose()?, name))
    }
}

impl AsFd for VerifiedDir {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

fn file_found(st: &FileStat) -> Found {
    Found::File {
        len: st.st_size as u64,
        mode: st.st_mode & 0o7777,
    }
}

/// The error for `found` at `path`, where netns expected its own entry.
pub(crate) fn not_ours(op: &'static str, path: &Path, found: Found) -> Error {
    Error::new(ErrorKind::InvalidArgument, op, format!("{}", Shown(path))).with_detail(format!(
        "{} is {}, not an entry netns made; left untouched",
        Shown(path),
        found.describe()
    ))
}

fn refused_dir(e: Errno, what: &str, path: &Path) -> Error {
    let object = format!("{what} {}", Shown(path));
    // O_DIRECTORY|O_NOFOLLOW on a symbolic link fails with ENOTDIR.
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    match e {
        Errno::ELOOP | Errno::ENOTDIR if is_link => {
            Error::new(ErrorKind::InvalidArgument, "open", object.clone()).with_detail(format!(
                "{object} is a symbolic link (refused, not followed)"
            ))
        }
        Errno::ENOTDIR => Error::new(ErrorKind::InvalidArgument, "open", object.clone())
            .with_detail(format!("{object} is not a directory")),
        e => Error::sys(e, "open", object),
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') || name.contains('\0') {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            "resolve",
            format!("name {name:?}"),
        )
        .with_detail("not a single path component"));
    }
    Ok(())
}

/// `openat2(dirfd, rel, RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS)`,
/// or per component with `O_NOFOLLOW` where the kernel has no `openat2`.
fn open_beneath_fd(
    dirfd: BorrowedFd<'_>,
    rel: &Path,
    flags: OFlag,
    mode: u32,
) -> std::result::Result<OwnedFd, Errno> {
    let resolve = ResolveFlag::RESOLVE_BENEATH
        | ResolveFlag::RESOLVE_NO_SYMLINKS
        | ResolveFlag::RESOLVE_NO_MAGICLINKS;
    let how = OpenHow::new()
        .flags(flags)
        .mode(Mode::from_bits_truncate(mode))
        .resolve(resolve);
    // EAGAIN and EXDEV: a mount or rename elsewhere raced the lookup (a
    // namespace entry lazily unmounted by a concurrent delete while the
    // lookup stood on it is no longer "beneath"; no `..` or symlink is ever
    // followed here, so nothing else escapes): look again, which then sees
    // the entry as it now is.
    let mut tries = 0;
    loop {
        match nix::fcntl::openat2(dirfd, rel, how) {
            Err(Errno::ENOSYS) => break,
            Err(Errno::EAGAIN | Errno::EXDEV) if tries < 16 => tries += 1,
            other => return other,
        }
    }
    // Fallback: walk the components, each opened O_NOFOLLOW.
    let parts: Vec<&OsStr> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect();
    let Some((last, dirs)) = parts.split_last() else {
        return nix::fcntl::openat(dirfd, ".", flags, Mode::from_bits_truncate(mode));
    };
    let mut held: Option<OwnedFd> = None;
    for part in dirs {
        let at = held.as_ref().map_or(dirfd, |f| f.as_fd());
        let next = nix::fcntl::openat(
            at,
            Path::new(part),
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        held = Some(next);
    }
    let at = held.as_ref().map_or(dirfd, |f| f.as_fd());
    nix::fcntl::openat(
        at,
        Path::new(last),
        flags | OFlag::O_NOFOLLOW,
        Mode::from_bits_truncate(mode),
    )
}
