//! The on-disk store of the reference `host-local` IPAM plugin, so both can
//! share one directory: `DATADIR/NETWORK/` holds one file per address,
//! named by the address, containing `CONTAINERID\r\nIFNAME`;
//! `last_reserved_ip.N` holds the last address given from range set N; and
//! every change happens under `flock(LOCK_EX)` on the file `lock`.

use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind as IoKind, Write};
use std::net::IpAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

use crate::error::{CniError, Result};

/// The name of the lock file.
const LOCK: &str = "lock";
/// The prefix of the last-reserved files.
const LAST_RESERVED: &str = "last_reserved_ip.";
/// host-local's separator between container id and interface name.
const LINE_BREAK: &str = "\r\n";

/// One allocation read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// The address.
    pub ip: IpAddr,
    /// The container id.
    pub container_id: String,
    /// The interface name (empty for the old one-line format).
    pub ifname: String,
}

/// The store of one network, locked for as long as it lives.
#[derive(Debug)]
pub struct Store {
    dir: PathBuf,
    _lock: Flock<File>,
}

impl Store {
    /// Creates `dir` if needed and takes the lock (waiting for it).
    ///
    /// # Errors
    /// Code 5 when the directory or lock cannot be made or taken.
    pub fn open(dir: &Path) -> Result<Store> {
        fs::create_dir_all(dir).map_err(|e| {
            CniError::io(
                format_args!("cannot create IPAM directory {}", dir.display()),
                &e,
            )
        })?;
        let path = dir.join(LOCK);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .custom_flags(nix::libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| {
                CniError::io(format_args!("cannot open IPAM lock {}", path.display()), &e)
            })?;
        let lock = Flock::lock(file, FlockArg::LockExclusive).map_err(|(_, errno)| {
            CniError::io(
                format_args!("cannot lock IPAM store {}", dir.display()),
                &std::io::Error::from(errno),
            )
        })?;
        Ok(Store {
            dir: dir.to_path_buf(),
            _lock: lock,
        })
    }

    /// Reserves `ip` for the attachment: creates its file with `O_EXCL`,
    /// then records it as the last address of range set `range_set`.
    /// `Ok(false)` when the address is taken.
    ///
    /// # Errors
    /// Code 5 on any other failure (the file is removed again).
    pub fn reserve(&self, ip: IpAddr, id: &str, ifname: &str, range_set: usize) -> Result<bool> {
        let path = self.dir.join(ip.to_string());
        let mut file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == IoKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(CniError::io(format_args!("cannot reserve {ip}"), &e)),
        };
        let content = format!("{}{LINE_BREAK}{ifname}", id.trim());
        if let Err(e) = file.write_all(content.as_bytes()) {
            let _ = fs::remove_file(&path);
            return Err(CniError::io(
                format_args!("cannot write {}", path.display()),
                &e,
            ));
        }
        drop(file);
        let last = self.dir.join(format!("{LAST_RESERVED}{range_set}"));
        if let Err(e) = fs::write(&last, ip.to_string()) {
            let _ = fs::remove_file(&path);
            return Err(CniError::io(
                format_args!("cannot write {}", last.display()),
                &e,
            ));
        }
        Ok(true)
    }

    /// The last address given from range set `range_set`, if recorded.
    pub fn last_reserved(&self, range_set: usize) -> Option<IpAddr> {
        fs::read_to_string(self.dir.join(format!("{LAST_RESERVED}{range_set}")))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Every allocation in the store (files that are not addresses are
    /// skipped).
    ///
    /// # Errors
    /// Code 5 when the directory cannot be read.
    pub fn allocations(&self) -> Result<Vec<Allocation>> {
        let entries = fs::read_dir(&self.dir)
            .map_err(|e| CniError::io(format_args!("cannot read {}", self.dir.display()), &e))?;
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(ip) = name.to_str().and_then(|n| n.parse::<IpAddr>().ok()) else {
                continue;
            };
            let Ok(content) = fs::read_to_string(entry.path()) else {
                continue;
            };
            let content = content.trim();
            let (id, ifname) = match content.split_once(LINE_BREAK) {
                Some((id, ifname)) => (id.trim(), ifname.trim()),
                None => (content, ""),
            };
            out.push(Allocation {
                ip,
                container_id: id.to_string(),
                ifname: ifname.to_string(),
            });
        }
        out.sort_by_key(|a| a.ip);
        Ok(out)
    }

    /// The addresses held by the attachment.
    ///
    /// # Errors
    /// As [`Store::allocations`].
    pub fn by_attachment(&self, id: &str, ifname: &str) -> Result<Vec<IpAddr>> {
        Ok(self
            .allocations()?
            .into_iter()
            .filter(|a| a.container_id == id.trim() && a.ifname == ifname)
            .map(|a| a.ip)
            .collect())
    }

    /// Releases every address of the attachment (and, when there is none,
    /// those of the old one-line format holding only the container id, as
    /// host-local does). Returns how many were released.
    ///
    /// # Errors
    /// Code 5 when a file cannot be removed.
    pub fn release(&self, id: &str, ifname: &str) -> Result<usize> {
        let all = self.allocations()?;
        let mut mine: Vec<&Allocation> = all
            .iter()
            .filter(|a| a.container_id == id.trim() && a.ifname == ifname)
            .collect();
        if mine.is_empty() {
            mine = all
                .iter()
                .filter(|a| a.container_id == id.trim() && a.ifname.is_empty())
                .collect();
        }
        for a in &mine {
            self.release_ip(a.ip)?;
        }
        Ok(mine.len())
    }

    /// Releases one address (missing is fine).
    ///
    /// # Errors
    /// Code 5 when the file cannot be removed.
    pub fn release_ip(&self, ip: IpAddr) -> Result<()> {
        match fs::remove_file(self.dir.join(ip.to_string())) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == IoKind::NotFound => Ok(()),
            Err(e) => Err(CniError::io(format_args!("cannot release {ip}"), &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("netns-cni-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn files_have_host_locals_format() {
        let d = tmp("format");
        let s = Store::open(&d).unwrap();
        let ip: IpAddr = "10.1.0.2".parse().unwrap();
        assert!(s.reserve(ip, "c1", "eth0", 0).unwrap());
        assert!(!s.reserve(ip, "c2", "eth0", 0).unwrap());
        assert_eq!(fs::read(d.join("10.1.0.2")).unwrap(), b"c1\r\neth0");
        assert_eq!(fs::read(d.join("last_reserved_ip.0")).unwrap(), b"10.1.0.2");
        assert_eq!(s.last_reserved(0), Some(ip));
        assert_eq!(s.last_reserved(1), None);
        let v6: IpAddr = "fd00::2".parse().unwrap();
        assert!(s.reserve(v6, "c1", "eth0", 1).unwrap());
        assert!(d.join("fd00::2").exists());
        assert_eq!(s.by_attachment("c1", "eth0").unwrap(), vec![ip, v6]);
        assert_eq!(s.release("c1", "eth1").unwrap(), 0);
        assert_eq!(s.release("c1", "eth0").unwrap(), 2);
        assert_eq!(s.release("c1", "eth0").unwrap(), 0);
        // The old format: the container id alone.
        fs::write(d.join("10.1.0.9"), "old\n").unwrap();
        assert_eq!(s.release("old", "eth0").unwrap(), 1);
        assert!(d.join("lock").exists());
        drop(s);
        fs::remove_dir_all(&d).unwrap();
    }
}
