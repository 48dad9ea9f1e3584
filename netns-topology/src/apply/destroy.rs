//! Destroy: removing what a topology's record says it created.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use super::{topology_group, DestroyReport, Options};
use crate::model::Topology;
use crate::plan::{read_links, At};
use crate::state::{clear_tmp, place_of_key, Held, Record, StateDir};
use netns_core::addr::{AddressSpec, IpNet};
use netns_core::link::{IfIndex, LinkChange, LinkId};
use netns_core::namespace::{Found, VerifiedDir};
use netns_core::{ErrorKind, Handle, Registry, Result};

/// A device group for deleting `doomed` (indexes in `have`) together: one
/// no link of the namespace is in.
fn free_group(have: &crate::plan::PlaceState) -> u32 {
    let used: HashSet<u32> = have.links.values().map(|l| l.group).collect();
    // "nt" and the pid: unlikely to be anyone else's; the next free one.
    let mut g = 0x6e74_0000 | (std::process::id() & 0xffff);
    while used.contains(&g) || g == 0 {
        g = g.wrapping_add(1);
    }
    g
}

/// Deletes the links `doomed` of `h`'s namespace (`have` its links, read
/// just before). Many links go together, with one `RTM_DELLINK` of a
/// device group holding exactly them (the kernel's per-deletion
/// synchronisation paid once): `group` (the topology's, which apply gives
/// the links it creates in root) when no other link is in it, else a free
/// one. Only the doomed links not already in the group join it (one batch
/// of `RTM_SETLINK`, then the group is read again to check it holds only
/// them); for the links an apply made, none has to. Otherwise, and when
/// the group cannot be used, one by one. Links already gone are skipped.
fn delete_links(
    h: &mut Handle,
    have: &crate::plan::PlaceState,
    doomed: &[(IfIndex, &str)],
    group: u32,
) -> Result<()> {
    if doomed.len() > 1 {
        let ours: HashSet<IfIndex> = doomed.iter().map(|(ix, _)| *ix).collect();
        let foreign_in = |g: u32| {
            have.links
                .values()
                .any(|l| l.group == g && !ours.contains(&l.index))
        };
        let group = if foreign_in(group) {
            free_group(have)
        } else {
            group
        };
        let strays: Vec<LinkChange<'_>> = doomed
            .iter()
            .filter(|(_, name)| have.links.get(*name).is_none_or(|l| l.group != group))
            .map(|(ix, _)| LinkChange::new(LinkId::Index(*ix)).group(group))
            .collect();
        let only_ours = strays.is_empty() || {
            let requests = strays
                .iter()
                .map(LinkChange::request)
                .collect::<Result<Vec<_>>>()?;
            let grouped = h.socket().batch(&requests).is_ok();
            drop(requests);
            grouped
                && read_links(h)?
                    .links
                    .values()
                    .filter(|l| l.group == group)
                    .all(|l| ours.contains(&l.index))
        };
        if only_ours {
            return delete_group(h, doomed, group);
        }
    }
    delete_each(h, doomed)
}

/// Whether device group `group` of `have` holds exactly the links `doomed`
/// (more than one): then one `RTM_DELLINK` of the group deletes them, with
/// no `RTM_SETLINK` first.
fn group_holds_exactly(
    have: &crate::plan::PlaceState,
    doomed: &[(IfIndex, &str)],
    group: u32,
) -> bool {
    let ours: HashSet<IfIndex> = doomed.iter().map(|(ix, _)| *ix).collect();
    doomed.len() > 1
        && doomed
            .iter()
            .all(|(_, name)| have.links.get(*name).is_some_and(|l| l.group == group))
        && have
            .links
            .values()
            .all(|l| l.group != group || ours.contains(&l.index))
}

/// Deletes device group `group` (holding `doomed`) with one `RTM_DELLINK`;
/// a group already empty is fine; when the kernel refuses, the links one by
/// one.
fn delete_group(h: &mut Handle, doomed: &[(IfIndex, &str)], group: u32) -> Result<()> {
    match h.link_delete_group(group) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(_) => delete_each(h, doomed),
    }
}

/// Deletes the links `doomed` one by one; those already gone are skipped.
fn delete_each(h: &mut Handle, doomed: &[(IfIndex, &str)]) -> Result<()> {
    for (ix, _) in doomed {
        match h.link_delete(LinkId::Index(*ix)) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Destroy's removals besides the root links, from the record: links
/// created in namespaces the topology did not create, addresses added to
/// adopted links, root sysctls back, etc files (only while they hold what
/// apply wrote), and the namespaces it created (one listing, deleted on
/// several threads; their links go with them).
fn remove_rest(
    opts: &Options,
    rec: &Record,
    removed: &mut Vec<String>,
    kept: &mut Vec<String>,
) -> Result<()> {
    let reg = &opts.registry;
    let created_ns = |n: &str| rec.owns.namespaces.get(n) == Some(&Held::Created);
    // Links made inside namespaces the topology did not create.
    for (key, held) in &rec.owns.links {
        let Some((label, name)) = key.split_once('/') else {
            continue;
        };
        let place = place_of_key(label);
        let Some(ns) = place.as_deref() else { continue };
        if *held != Held::Created || created_ns(ns) {
            continue;
        }
        let mut h = match reg.open(ns).and_then(|n| n.handle()) {
            Ok(h) => h,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Stale) => continue,
            Err(e) => return Err(e),
        };
        match h.link_delete(LinkId::Name(name)) {
            Ok(()) => removed.push(format!("link {}", At(&place, name))),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    // Addresses added to links the topology did not create.
    for (key, held) in &rec.owns.addresses {
        let mut parts = key.splitn(3, '/');
        let (Some(label), Some(iface), Some(net)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(net), Held::Created) = (net.parse::<IpNet>(), held) else {
            continue;
        };
        let place = place_of_key(label);
        let handle = match &place {
            None => Handle::current(),
            Some(n) => reg.open(n).and_then(|n| n.handle()),
        };
        let mut h = match handle {
            Ok(h) => h,
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Stale) => continue,
            Err(e) => return Err(e),
        };
        // A device gone is a lookup failure (not found): nothing to remove.
        match h.address_del(&AddressSpec::new(iface, net)) {
            Ok(()) => removed.push(format!("address {net} on {}", At(&place, iface))),
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidArgument) => {}
            Err(e) => return Err(e),
        }
    }
    // Root sysctls back to their values before the first apply.
    for (k, v) in &rec.sysctls {
        netns_core::sysctl::set(k, v)?;
        removed.push(format!("sysctl {k} in root (back to {v})"));
    }
    remove_etc(reg, rec, removed, kept);
    let present: HashSet<String> = reg.names()?.into_iter().collect();
    let targets: Vec<&str> = rec
        .owns
        .namespaces
        .iter()
        .filter(|(n, held)| **held == Held::Created && present.contains(*n))
        .map(|(n, _)| n.as_str())
        .collect();
    // On several threads (Registry::delete_many): an unmount sometimes
    // waits for the kernel, and the waits overlap.
    let report = reg.delete_many(&targets);
    for name in &report.deleted {
        removed.push(format!("namespace {name:?}"));
    }
    let first_error = report
        .failed
        .into_iter()
        .map(|(_, e)| e)
        .find(|e| e.kind() != ErrorKind::NotFound);
    first_error.map_or(Ok(()), Err)
}

/// Removes the etc files the topology created, relative to the verified
/// etc directory: only a regular file still holding what apply wrote (a
/// symbolic link, a directory or a file changed since is kept, and said
/// so), then its directory when apply created it and it is empty.
fn remove_etc(reg: &Registry, rec: &Record, removed: &mut Vec<String>, kept: &mut Vec<String>) {
    if rec.owns.files.is_empty() && rec.owns.directories.is_empty() {
        return;
    }
    let top = match VerifiedDir::open_as(reg.etc_dir(), "etc directory") {
        Ok(top) => top,
        Err(e) if e.kind() == ErrorKind::NotFound => return,
        Err(e) => {
            kept.push(format!("{} ({e})", reg.etc_dir().display()));
            return;
        }
    };
    let mut dirs: BTreeMap<&str, Option<VerifiedDir>> = BTreeMap::new();
    for (key, held) in &rec.owns.files {
        let Some((ns, file)) = key.split_once('/') else {
            continue;
        };
        if *held != Held::Created {
            continue;
        }
        let path = reg.etc_dir().join(ns).join(file);
        let dir = dirs.entry(ns).or_insert_with(|| match top.lookup(ns) {
            Ok(Found::Directory) => top.subdir(ns).ok(),
            Ok(Found::Missing) => None,
            Ok(other) => {
                kept.push(format!(
                    "{} ({}, not followed)",
                    reg.etc_dir().join(ns).display(),
                    other.describe()
                ));
                None
            }
            Err(_) => None,
        });
        let Some(dir) = dir else { continue };
        clear_tmp(dir, file);
        let found = match dir.lookup(file) {
            Ok(f) => f,
            Err(e) => {
                kept.push(format!("{} ({e})", path.display()));
                continue;
            }
        };
        match found {
            Found::Missing => {}
            Found::File { .. } => {
                let same = dir.read(file).ok().flatten().as_deref()
                    == rec.written.get(key).map(String::as_bytes);
                if !same {
                    kept.push(format!("{} (changed since apply wrote it)", path.display()));
                } else if dir.remove_file(file).is_ok() {
                    removed.push(format!("file {}", path.display()));
                }
            }
            other => kept.push(format!(
                "{} ({} now, not what apply wrote; not followed)",
                path.display(),
                other.describe()
            )),
        }
    }
    for (ns, held) in &rec.owns.directories {
        if *held == Held::Created && top.lookup(ns).ok() == Some(Found::Directory) {
            if let Ok(true) = top.remove_dir(ns) {
                removed.push(format!("directory {}", reg.etc_dir().join(ns).display()));
            }
        }
    }
}

/// Destroys under the topology's lock what its record says it created
/// (adopted objects are left), then removes the record and the lock file.
pub(crate) fn destroy(topo: &Topology, opts: &Options) -> Result<DestroyReport> {
    let start = Instant::now();
    let mut report = DestroyReport {
        topology: topo.name.clone(),
        removed: Vec::new(),
        kept: Vec::new(),
        elapsed: Duration::ZERO,
    };
    // No state directory: nothing recorded, nothing to remove.
    if let Some(state) = StateDir::open(&opts.state_dir, false)? {
        let lock = state.lock(&topo.name, opts.wait)?;
        let result = destroy_locked(topo, &state, opts, &mut report);
        state.release(lock, &topo.name);
        result?;
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

fn destroy_locked(
    topo: &Topology,
    state: &StateDir,
    opts: &Options,
    report: &mut DestroyReport,
) -> Result<()> {
    state.clear_leftovers(&topo.name);
    let rec = state.read(&topo.name)?;
    let removed = &mut report.removed;
    // NAT tables.
    for (table, source) in &rec.owns.nat {
        let Ok(source) = source.parse::<IpNet>() else {
            continue;
        };
        if crate::nat::Masquerade::new(table.clone(), source).remove()? {
            removed.push(format!("masquerade {source} (nftables table ip {table})"));
        }
    }
    // The root links the topology created (veth ends, bridges): found with
    // one dump, deleted together.
    let mut root = Handle::current()?;
    let have = read_links(&mut root)?;
    let mut doomed: Vec<(IfIndex, &str)> = Vec::new();
    let mut seen = HashSet::new();
    for (key, held) in &rec.owns.links {
        let Some(name) = key.strip_prefix("root/") else {
            continue;
        };
        if *held != Held::Created {
            continue;
        }
        if let Some(l) = have.links.get(name) {
            if seen.insert(l.index) {
                doomed.push((l.index, name));
                let what = l.kind.as_deref().unwrap_or("link");
                removed.push(format!("{what} {}", At(&None, name)));
            }
        }
    }
    // Deleting a namespace deletes its veths, root ends included, but
    // asynchronously (cleanup_net, under the rtnl lock). When the root links
    // are exactly the topology's group (as apply made them), the one
    // RTM_DELLINK of the group goes on its own thread while the namespaces
    // go: whichever of the two deletes a root end first, it is gone when
    // the DELLINK returns, and the kernel's grace periods of the two
    // overlap. Otherwise links must join a group first (RTM_SETLINK by
    // index, which the namespaces' teardown would race: ENODEV): the root
    // links are deleted first, then the namespaces.
    let group = topology_group(topo);
    let mut kept = Vec::new();
    if group_holds_exactly(&have, &doomed, group) {
        let (links, rest) = std::thread::scope(|s| {
            let links = s.spawn(|| delete_group(&mut root, &doomed, group));
            let rest = remove_rest(opts, &rec, removed, &mut kept);
            (links.join(), rest)
        });
        links.unwrap_or_else(|p| std::panic::resume_unwind(p))?;
        rest?;
    } else {
        delete_links(&mut root, &have, &doomed, group)?;
        remove_rest(opts, &rec, removed, &mut kept)?;
    }
    report.kept = kept;
    // Everything removed (or left, when adopted): the record goes.
    state.write(&topo.name, &Record::default())
}
