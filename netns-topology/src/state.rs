//! The state directory (`NETNS_STATE_DIR`, default `/run/netns-topology`):
//! per topology, a record of what its applies created or adopted
//! (`NAME.json`, replaced atomically) and a lock (`NAME.lock`, `flock`), both
//! opened relative to the directory's verified descriptor.
//!
//! The record is a journal written *before* the kernel objects are made: an
//! apply first records "created" for everything it is about to create, then
//! creates it; on a failure (everything undone) the record goes back to what
//! it was. After a crash the record may claim what does not exist yet (a
//! re-apply creates it; destroy skips what is missing), never the reverse.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::os::fd::AsFd;
use std::path::Path;

use nix::fcntl::{AtFlags, Flock, FlockArg, OFlag};
use serde::{Deserialize, Serialize};

use crate::model::{place_label, Place};
use netns_core::addr::IpNet;
use netns_core::error::Errno;
use netns_core::namespace::Found;
use netns_core::namespace::VerifiedDir;
use netns_core::{Error, ErrorKind, Result};

/// How a topology holds an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Held {
    /// An apply of the topology created it: destroy removes it.
    Created,
    /// It existed before and was adopted (`adopt = true`, `netns apply
    /// --adopt`): apply manages it, destroy leaves it.
    Adopted,
}

impl fmt::Display for Held {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Held::Created => "created",
            Held::Adopted => "adopted",
        })
    }
}

/// What a topology owns, as its record in the state directory says.
///
/// Links inside a namespace the topology created are its own whether
/// recorded or not (deleting the namespace deletes them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// Namespaces, by name.
    #[serde(default)]
    pub namespaces: BTreeMap<String, Held>,
    /// Links (each end of a veth pair, bridges), by `PLACE/NAME` (`PLACE`:
    /// a namespace, or `root`).
    #[serde(default)]
    pub links: BTreeMap<String, Held>,
    /// Addresses apply added to links it did not create (on adopted links),
    /// by `PLACE/IFACE/ADDRESS/LEN`.
    #[serde(default)]
    pub addresses: BTreeMap<String, Held>,
    /// Files under the etc directory, by `NAMESPACE/FILE`.
    #[serde(default)]
    pub files: BTreeMap<String, Held>,
    /// Directories `NAMESPACE` under the etc directory apply created.
    #[serde(default)]
    pub directories: BTreeMap<String, Held>,
    /// Masquerade tables (nftables, family ip) created, with their subnet.
    #[serde(default)]
    pub nat: BTreeMap<String, String>,
}

impl Ownership {
    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty()
            && self.links.is_empty()
            && self.addresses.is_empty()
            && self.files.is_empty()
            && self.directories.is_empty()
            && self.nat.is_empty()
    }

    /// Adds `other`'s entries; an entry already held keeps how it is held.
    pub(crate) fn merge(&mut self, other: &Ownership) {
        fn add(into: &mut BTreeMap<String, Held>, from: &BTreeMap<String, Held>) {
            for (k, v) in from {
                into.entry(k.clone()).or_insert(*v);
            }
        }
        add(&mut self.namespaces, &other.namespaces);
        add(&mut self.links, &other.links);
        add(&mut self.addresses, &other.addresses);
        add(&mut self.files, &other.files);
        add(&mut self.directories, &other.directories);
        for (k, v) in &other.nat {
            self.nat.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }

    /// `(what, name, how)` for every entry, in a stable order.
    pub fn entries(&self) -> Vec<(&'static str, &str, Held)> {
        let mut out = Vec::new();
        for (what, map) in [
            ("namespace", &self.namespaces),
            ("link", &self.links),
            ("address", &self.addresses),
            ("file", &self.files),
            ("directory", &self.directories),
        ] {
            out.extend(map.iter().map(|(k, v)| (what, k.as_str(), *v)));
        }
        out.extend(
            self.nat
                .keys()
                .map(|k| ("masquerade", k.as_str(), Held::Created)),
        );
        out
    }
}

/// The key of link `name` in `place`.
pub(crate) fn link_key(place: &Place, name: &str) -> String {
    format!("{}/{name}", place_label(place))
}

/// The key of address `net` on `iface` in `place`.
pub(crate) fn address_key(place: &Place, iface: &str, net: &IpNet) -> String {
    format!("{}/{iface}/{net}", place_label(place))
}

/// A place from the `PLACE` part of a key.
pub(crate) fn place_of_key(label: &str) -> Place {
    (label != "root").then(|| label.to_string())
}

/// The key of etc file `file` of namespace `ns`.
pub(crate) fn file_key(ns: &str, file: &str) -> String {
    format!("{ns}/{file}")
}

/// A topology's record: what it owns, the root sysctl values from before its
/// first apply, the contents it wrote to its etc files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The format (1); a file without it is the older record of sysctls only.
    pub version: u32,
    #[serde(flatten)]
    pub owns: Ownership,
    /// Root sysctls before the first apply that changed them.
    #[serde(default)]
    pub sysctls: BTreeMap<String, String>,
    /// What apply wrote to each etc file it created, by `NAMESPACE/FILE`
    /// (destroy removes a file only while it still holds exactly that).
    #[serde(default)]
    pub written: BTreeMap<String, String>,
}

impl Record {
    const VERSION: u32 = 1;

    pub(crate) fn is_empty(&self) -> bool {
        self.owns.is_empty() && self.sysctls.is_empty()
    }
}

/// The state directory, opened and verified.
pub(crate) struct StateDir {
    dir: VerifiedDir,
}

/// A held topology lock; released when dropped.
pub(crate) struct Lock {
    file: Flock<File>,
    name: String,
}

impl StateDir {
    /// Opens the state directory, creating it (mode 0700) when `create`;
    /// `None` when it does not exist and `create` is false.
    pub(crate) fn open(path: &Path, create: bool) -> Result<Option<StateDir>> {
        let dir = if create {
            VerifiedDir::open_or_create(path, "state directory", 0o700)
        } else {
            VerifiedDir::open_as(path, "state directory")
        };
        match dir {
            Ok(dir) => Ok(Some(StateDir { dir })),
            Err(e) if !create && e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Takes topology `topo`'s lock (`flock(LOCK_EX)` on `NAME.lock`),
    /// waiting for another apply or destroy to finish unless `wait` is false
    /// (then [`ErrorKind::Busy`]). A lock file removed by the holder (destroy
    /// removes it) before this one got it is opened again.
    pub(crate) fn lock(&self, topo: &str, wait: bool) -> Result<Lock> {
        let name = format!("{topo}.lock");
        let object = || format!("topology {topo:?}");
        loop {
            let fd = self.dir.open_beneath(
                &name,
                OFlag::O_RDWR | OFlag::O_CREAT | OFlag::O_NOFOLLOW,
                0o600,
            )?;
            let how = if wait {
                FlockArg::LockExclusive
            } else {
                FlockArg::LockExclusiveNonblock
            };
            let file = match Flock::lock(File::from(fd), how) {
                Ok(f) => f,
                Err((_, Errno::EWOULDBLOCK)) => {
                    return Err(
                        Error::new(ErrorKind::Busy, "lock", object()).with_detail(format!(
                            "another apply or destroy holds {} (--no-wait)",
                            format_args!("\"{}\"", self.dir.shown(&name).display())
                        )),
                    )
                }
                Err((_, e)) => return Err(Error::sys(e, "lock", object())),
            };
            if same_file(&file, &self.dir, &name) {
                return Ok(Lock { file, name });
            }
        }
    }

    /// Removes what a writer killed mid-write left (`.NAME.json.netns-tmp.*`);
    /// only lock holders write, so with the lock held these are dead.
    pub(crate) fn clear_leftovers(&self, topo: &str) {
        clear_tmp(&self.dir, &format!("{topo}.json"));
    }

    /// Topology `topo`'s record (empty when there is none).
    pub(crate) fn read(&self, topo: &str) -> Result<Record> {
        let name = format!("{topo}.json");
        let Some(bytes) = self.dir.read(name.as_str())? else {
            return Ok(Record::default());
        };
        parse_record(&bytes).map_err(|e| {
            Error::new(
                ErrorKind::InvalidArgument,
                "read",
                format!(
                    "state file {}",
                    format_args!("\"{}\"", self.dir.shown(&name).display())
                ),
            )
            .with_detail(e)
        })
    }

    /// Replaces topology `topo`'s record (removes it when empty).
    pub(crate) fn write(&self, topo: &str, rec: &Record) -> Result<()> {
        let name = format!("{topo}.json");
        if rec.is_empty() {
            return self.dir.remove_file(&name);
        }
        let rec = Record {
            version: Record::VERSION,
            ..rec.clone()
        };
        let text = serde_json::to_vec_pretty(&rec).map_err(|e| {
            Error::new(ErrorKind::InvalidArgument, "write", "state").with_detail(e.to_string())
        })?;
        self.dir.write_atomic(&name, &text, 0o600)
    }

    /// Releases `lock`, first removing the lock file when the topology's
    /// record is gone (nothing owned: the state directory keeps nothing of it).
    pub(crate) fn release(&self, lock: Lock, topo: &str) {
        let record = format!("{topo}.json");
        if matches!(self.dir.lookup(&record), Ok(Found::Missing)) {
            let _ = self.dir.remove_file(&lock.name);
        }
        drop(lock.file);
    }
}

/// A record from its JSON; a file without `version` is the older format (the
/// saved root sysctls, nothing owned).
fn parse_record(bytes: &[u8]) -> std::result::Result<Record, String> {
    if let Ok(rec) = serde_json::from_slice::<Record>(bytes) {
        return Ok(rec);
    }
    serde_json::from_slice::<BTreeMap<String, String>>(bytes)
        .map(|sysctls| Record {
            sysctls,
            ..Record::default()
        })
        .map_err(|e| e.to_string())
}

/// Whether the locked `file` is still the file `name` of `dir`.
fn same_file(file: &Flock<File>, dir: &VerifiedDir, name: &str) -> bool {
    let (Ok(mine), Ok(now)) = (
        nix::sys::stat::fstat(file.as_fd()),
        nix::sys::stat::fstatat(dir.as_fd(), name, AtFlags::AT_SYMLINK_NOFOLLOW),
    ) else {
        return false;
    };
    mine.st_dev == now.st_dev && mine.st_ino == now.st_ino
}

/// Removes `.FILE.netns-tmp.*` in `dir`: the temporary files of
/// [`VerifiedDir::write_atomic`] writers that were killed.
pub(crate) fn clear_tmp(dir: &VerifiedDir, file: &str) {
    let prefix = format!(".{file}.netns-tmp.");
    if let Ok(names) = dir.names() {
        for n in names.iter().filter(|n| n.starts_with(&prefix)) {
            let _ = dir.remove_file(n);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_older_record_is_sysctls_only_and_a_record_round_trips() {
        let old = parse_record(br#"{"net.ipv4.ip_forward": "0"}"#).unwrap();
        assert_eq!(old.sysctls.get("net.ipv4.ip_forward").unwrap(), "0");
        assert!(old.owns.is_empty());

        let mut rec = Record {
            version: Record::VERSION,
            ..Record::default()
        };
        rec.owns.namespaces.insert("a".into(), Held::Adopted);
        rec.owns
            .links
            .insert(link_key(&None, "veth0"), Held::Created);
        rec.written.insert(file_key("a", "hosts"), "x\n".into());
        let text = serde_json::to_string(&rec).unwrap();
        assert!(text.contains(r#""a":"adopted""#), "{text}");
        assert_eq!(parse_record(text.as_bytes()).unwrap(), rec);
        assert!(parse_record(b"[1]").is_err());
    }

    #[test]
    fn keys_name_their_place() {
        assert_eq!(link_key(&Some("ns1".into()), "eth0"), "ns1/eth0");
        assert_eq!(place_of_key("root"), None);
        assert_eq!(place_of_key("ns1"), Some("ns1".to_string()));
        let net: IpNet = "10.1.1.1/24".parse().unwrap();
        assert_eq!(address_key(&None, "veth0", &net), "root/veth0/10.1.1.1/24");
    }
}
