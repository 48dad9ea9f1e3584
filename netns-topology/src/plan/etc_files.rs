//! The `/etc/netns` files: reading them without following anything, and
//! planning their writes.

use std::collections::{HashMap, HashSet};

use super::{EtcFile, Planner, Step};
use crate::model::{Namespace, Topology};
use crate::state::{file_key, Held};
use netns_core::namespace::{Found, VerifiedDir};
use netns_core::{ErrorKind, Registry};

/// What an etc file is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EtcHave {
    Missing,
    File(Vec<u8>),
    /// Something netns does not write through: why.
    Refused(String),
}

/// The etc files of the declared namespaces as they are, read relative to
/// the verified etc directory without following anything.
#[derive(Debug, Default)]
pub(crate) struct EtcSeen {
    pub files: HashMap<(String, EtcFile), EtcHave>,
    /// Namespaces whose directory under the etc directory is missing.
    pub no_dir: HashSet<String>,
}

/// The files a namespace declares, with their contents.
pub(crate) fn etc_files(ns: &Namespace) -> impl Iterator<Item = (EtcFile, &String)> {
    [
        (EtcFile::ResolvConf, &ns.resolv_conf),
        (EtcFile::Hosts, &ns.hosts),
    ]
    .into_iter()
    .filter_map(|(f, c)| c.as_ref().map(|c| (f, c)))
}

/// Why netns will not use what it found at `path` (where it expects a
/// regular file or directory of its own).
fn refused_etc(path: &std::path::Path, found: Found) -> String {
    format!(
        "{} is {}; netns neither follows nor replaces it (left untouched)",
        path.display(),
        found.describe()
    )
}

/// Reads the declared etc files: the etc directory opened once
/// (`O_NOFOLLOW`), each `NAMESPACE/` and file below looked at and read
/// without following a symbolic link.
pub(crate) fn read_etc(topo: &Topology, registry: &Registry) -> EtcSeen {
    let mut seen = EtcSeen::default();
    let with_files: Vec<&Namespace> = topo
        .namespaces
        .iter()
        .filter(|ns| etc_files(ns).next().is_some())
        .collect();
    if with_files.is_empty() {
        return seen;
    }
    let top = match VerifiedDir::open_as(registry.etc_dir(), "etc directory") {
        Ok(d) => Some(d),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => {
            for ns in with_files {
                for (f, _) in etc_files(ns) {
                    seen.files
                        .insert((ns.name.clone(), f), EtcHave::Refused(e.to_string()));
                }
            }
            return seen;
        }
    };
    for ns in with_files {
        let dir_path = registry.etc_dir().join(&ns.name);
        let sub = match top.as_ref().map(|t| (t, t.lookup(&ns.name))) {
            None | Some((_, Ok(Found::Missing))) => Ok(None),
            Some((t, Ok(Found::Directory))) => {
                t.subdir(&ns.name).map(Some).map_err(|e| e.to_string())
            }
            Some((_, Ok(found))) => Err(refused_etc(&dir_path, found)),
            Some((_, Err(e))) => Err(e.to_string()),
        };
        for (f, _) in etc_files(ns) {
            let path = dir_path.join(f.file_name());
            let have = match &sub {
                Err(why) => EtcHave::Refused(why.clone()),
                Ok(None) => EtcHave::Missing,
                Ok(Some(d)) => match d.lookup(f.file_name()) {
                    Ok(Found::Missing) => EtcHave::Missing,
                    Ok(Found::File { .. }) => match d.read(f.file_name()) {
                        Ok(Some(bytes)) => EtcHave::File(bytes),
                        Ok(None) => EtcHave::Missing,
                        Err(e) => EtcHave::Refused(e.to_string()),
                    },
                    Ok(found) => EtcHave::Refused(refused_etc(&path, found)),
                    Err(e) => EtcHave::Refused(e.to_string()),
                },
            };
            seen.files.insert((ns.name.clone(), f), have);
        }
        if matches!(sub, Ok(None)) {
            seen.no_dir.insert(ns.name.clone());
        }
    }
    seen
}

impl Planner<'_> {
    /// The `/etc/netns` files of each namespace: written when missing or
    /// different; refused when in the way or not the topology's.
    pub(super) fn etc_files(&mut self, registry: &Registry) {
        let seen = self.seen;
        let owns = &seen.record.owns;
        let topo = self.topo;
        for ns in &topo.namespaces {
            let adopt = seen.adopt_all || ns.adopt;
            for (file, want) in etc_files(ns) {
                let path = registry.etc_dir().join(&ns.name).join(file.file_name());
                let object = format!("file {}", path.display());
                let key = file_key(&ns.name, file.file_name());
                let have = seen
                    .etc
                    .files
                    .get(&(ns.name.clone(), file))
                    .cloned()
                    .unwrap_or(EtcHave::Missing);
                match have {
                    EtcHave::Refused(why) => {
                        self.conflict(object, why);
                        continue;
                    }
                    EtcHave::Missing => {
                        self.missing(object);
                        self.claims.files.insert(key.clone(), Held::Created);
                        self.written.insert(key, want.clone());
                        if seen.etc.no_dir.contains(&ns.name) {
                            self.claims
                                .directories
                                .insert(ns.name.clone(), Held::Created);
                        }
                    }
                    EtcHave::File(bytes) => {
                        let held = owns.files.get(&key).copied();
                        if held.is_none() {
                            if adopt {
                                self.claims.files.insert(key.clone(), Held::Adopted);
                            } else {
                                self.conflict(object, self.not_ours(String::new(), "written"));
                                continue;
                            }
                        }
                        if bytes == want.as_bytes() {
                            continue;
                        }
                        self.different(object, "contents differ".into());
                        if held == Some(Held::Created) {
                            self.written.insert(key, want.clone());
                        }
                    }
                }
                self.steps.push(Step::WriteEtc {
                    ns: ns.name.clone(),
                    file,
                    contents: want.clone(),
                    path,
                });
            }
        }
    }
}
