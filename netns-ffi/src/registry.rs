//! The registry of named namespaces (`/run/netns`): add, attach, delete,
//! list, open, nsids, identify, pids, exec.

use std::ffi::{c_char, c_int, CString};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;

use netns_core::{ExecOptions, IdFilter, Nsid, PidsOptions, Registry};

use crate::error::{netns_result, Failure};
use crate::namespace::netns_ns;
use crate::panic::{call, guard};
use crate::ptr::{
    argv_arg, bytes_arg, free, into_raw, opt_out, opt_ref, out_arg, ref_arg, slice_arg, str_arg,
    Out,
};
use crate::{c_string, opt_c_ptr};

/// A registry of named network namespaces: a run directory (default
/// `/run/netns`) and an etc directory (default `/etc/netns`). Opaque; free
/// with `netns_registry_free`. Immutable: may be shared between threads.
pub struct netns_registry {
    inner: Registry,
    run_dir: CString,
    etc_dir: CString,
}

impl netns_registry {
    fn wrap(inner: Registry) -> netns_registry {
        netns_registry {
            run_dir: c_string(inner.run_dir().as_os_str().as_bytes()),
            etc_dir: c_string(inner.etc_dir().as_os_str().as_bytes()),
            inner,
        }
    }
}

pub(crate) fn registry<'a>(reg: *const netns_registry) -> Result<&'a Registry, Failure> {
    Ok(&ref_arg(reg, "registry")?.inner)
}

fn nsid_arg(id: i32, what: &'static str) -> Result<Option<Nsid>, Failure> {
    match id {
        -1 => Ok(None),
        _ => Nsid::new(id)
            .map(Some)
            .ok_or_else(|| Failure::invalid(what, "an nsid is -1 (none) or from 0 to 2147483647")),
    }
}

/// A registry with the directories from the environment: `NETNS_RUN_DIR`
/// and `NETNS_ETC_DIR` when set and not empty, else `/run/netns` and
/// `/etc/netns`. Writes the new registry to `*out`.
#[no_mangle]
pub extern "C" fn netns_registry_from_env(out: *mut *mut netns_registry) -> netns_result {
    call("netns_registry_from_env", || {
        let out = out_arg(out, "out")?;
        out.set(into_raw(netns_registry::wrap(Registry::from_env())));
        Ok(())
    })
}

/// A registry with explicit run and etc directories (paths: any bytes but
/// NUL). Nothing is created until a namespace is added. Writes it to `*out`.
#[no_mangle]
pub extern "C" fn netns_registry_new(
    run_dir: *const c_char,
    etc_dir: *const c_char,
    out: *mut *mut netns_registry,
) -> netns_result {
    call("netns_registry_new", || {
        let run = bytes_arg(run_dir, "run_dir")?;
        let etc = bytes_arg(etc_dir, "etc_dir")?;
        let out = out_arg(out, "out")?;
        if run.is_empty() || etc.is_empty() {
            return Err(Failure::invalid(
                "directory",
                "a directory path is not empty",
            ));
        }
        let reg = Registry::new(
            std::ffi::OsStr::from_bytes(run),
            std::ffi::OsStr::from_bytes(etc),
        );
        out.set(into_raw(netns_registry::wrap(reg)));
        Ok(())
    })
}

/// Frees a registry. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_registry_free(reg: *mut netns_registry) {
    guard((), || free(reg))
}

/// The registry's run directory; valid while the registry lives. NULL for a NULL registry.
#[no_mangle]
pub extern "C" fn netns_registry_run_dir(reg: *const netns_registry) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(reg).map_or(std::ptr::null(), |r| r.run_dir.as_ptr())
    })
}

/// The registry's etc directory; valid while the registry lives. NULL for a NULL registry.
#[no_mangle]
pub extern "C" fn netns_registry_etc_dir(reg: *const netns_registry) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(reg).map_or(std::ptr::null(), |r| r.etc_dir.as_ptr())
    })
}

/// Creates network namespace `name` and binds it at `RUN_DIR/name` (as `ip
/// netns add`): a dedicated thread calls `unshare(CLONE_NEWNET)`; the
/// calling thread never changes namespace. On failure nothing is left
/// behind. When `out` is not NULL, an open handle on the new namespace is
/// written to `*out` (free it with `netns_ns_free`).
///
/// Errors: `NETNS_INVALID_NAME` (before anything is touched),
/// `NETNS_ALREADY_EXISTS`, `NETNS_PERMISSION_DENIED`.
#[no_mangle]
pub extern "C" fn netns_add(
    reg: *const netns_registry,
    name: *const c_char,
    out: *mut *mut netns_ns,
) -> netns_result {
    call("netns_add", || {
        let reg = registry(reg)?;
        let name = str_arg(name, "name")?;
        let out = opt_out(out);
        let ns = reg.add(name)?;
        if let Some(out) = out {
            out.set(into_raw(netns_ns::wrap(ns)));
        }
        Ok(())
    })
}

/// Names the network namespace of process `pid` `name` (as `ip netns
/// attach`); the process is opened through a pidfd, so a recycled pid cannot
/// substitute another namespace. `out` as for `netns_add` (may be NULL).
///
/// Errors: as `netns_add`; `NETNS_INVALID_ARGUMENT` for `pid <= 0`,
/// `NETNS_NOT_FOUND` for no such process.
#[no_mangle]
pub extern "C" fn netns_attach(
    reg: *const netns_registry,
    name: *const c_char,
    pid: i32,
    out: *mut *mut netns_ns,
) -> netns_result {
    call("netns_attach", || {
        let reg = registry(reg)?;
        let name = str_arg(name, "name")?;
        let out = opt_out(out);
        let ns = reg.attach(name, pid)?;
        if let Some(out) = out {
            out.set(into_raw(netns_ns::wrap(ns)));
        }
        Ok(())
    })
}

/// Deletes the name `name` (`umount2(MNT_DETACH)` then `unlink`, as `ip
/// netns delete`); the namespace lives on while processes or handles use it.
///
/// Errors: `NETNS_INVALID_NAME`, `NETNS_NOT_FOUND`, `NETNS_BUSY`,
/// `NETNS_PERMISSION_DENIED`.
#[no_mangle]
pub extern "C" fn netns_delete(reg: *const netns_registry, name: *const c_char) -> netns_result {
    call("netns_delete", || {
        let reg = registry(reg)?;
        let name = str_arg(name, "name")?;
        reg.delete(name)?;
        Ok(())
    })
}

/// Deletes every name of the registry, going on past failures. On success
/// writes the number deleted to `*deleted` (which may be NULL). When some
/// could not be deleted, returns the code of the first failure, and the last
/// error message lists every failure.
#[no_mangle]
pub extern "C" fn netns_delete_all(
    reg: *const netns_registry,
    deleted: *mut usize,
) -> netns_result {
    call("netns_delete_all", || {
        let reg = registry(reg)?;
        let out = opt_out(deleted);
        deletions(reg.delete_all()?, out)
    })
}

/// Deletes the `n` names of array `names`, as `netns_delete` does each,
/// going on past failures, on several threads (an unmount sometimes waits
/// for the kernel; the waits overlap): the fast way to delete many. On
/// success writes the number deleted (`n`) to `*deleted` (which may be
/// NULL). When some could not be deleted, returns the code of the first
/// failure in array order, and the last error message lists every failure.
/// Every name is checked first: a NULL or invalid one deletes nothing.
///
/// Errors: `NETNS_NULL_ARGUMENT` (NULL `names` with `n` > 0, or a NULL
/// name), `NETNS_INVALID_ARGUMENT` (a non-UTF-8 name), `NETNS_INVALID_NAME`;
/// then those of `netns_delete`.
#[no_mangle]
pub extern "C" fn netns_delete_many(
    reg: *const netns_registry,
    names: *const *const c_char,
    n: usize,
    deleted: *mut usize,
) -> netns_result {
    call("netns_delete_many", || {
        let reg = registry(reg)?;
        let out = opt_out(deleted);
        let mut list = Vec::with_capacity(n);
        for &p in slice_arg(names, n, "names")? {
            let name = str_arg(p, "name")?;
            reg.path(name)
                .map_err(|e| e.context("delete", format!("network namespace {name:?}")))?;
            list.push(name);
        }
        deletions(reg.delete_many(&list), out)
    })
}

/// The result of many deletes: the first failure's code with every failure
/// in the message, or the number deleted written to `out`.
fn deletions(report: netns_core::DeleteAllReport, out: Option<Out<usize>>) -> Result<(), Failure> {
    let mut failed = report.failed.into_iter();
    if let Some((_, first)) = failed.next() {
        let mut message = first.to_string();
        for (_, e) in failed {
            message.push_str("; ");
            message.push_str(&e.to_string());
        }
        return Err(Failure::from(first).with_message(message));
    }
    if let Some(out) = out {
        out.set(report.deleted.len());
    }
    Ok(())
}

/// Opens the namespace named `name` and writes the handle to `*out` (free it
/// with `netns_ns_free`).
///
/// Errors: `NETNS_INVALID_NAME`, `NETNS_NOT_FOUND`, `NETNS_STALE` (a file
/// with no namespace mounted on it).
#[no_mangle]
pub extern "C" fn netns_open(
    reg: *const netns_registry,
    name: *const c_char,
    out: *mut *mut netns_ns,
) -> netns_result {
    call("netns_open", || {
        let reg = registry(reg)?;
        let name = str_arg(name, "name")?;
        let out = out_arg(out, "out")?;
        out.set(into_raw(netns_ns::wrap(reg.open(name)?)));
        Ok(())
    })
}

/// Assigns nsid `id` to namespace `name`, as seen from the calling thread's
/// namespace (`RTM_NEWNSID`, as `ip netns set NAME ID`); `id` -1 lets the
/// kernel choose (`auto`).
///
/// Errors: the kernel's refusal with its text (`NETNS_ALREADY_EXISTS`,
/// "Peer netns already has a nsid assigned" or "The specified nsid is
/// already used"); `NETNS_INVALID_ARGUMENT` for an id below -1.
#[no_mangle]
pub extern "C" fn netns_set_id(
    reg: *const netns_registry,
    name: *const c_char,
    id: i32,
) -> netns_result {
    call("netns_set_id", || {
        let reg = registry(reg)?;
        let name = str_arg(name, "name")?;
        let id = nsid_arg(id, "id")?;
        reg.set_id(name, id)?;
        Ok(())
    })
}

/// Writes to `*id` the nsid of namespace `name` as seen from the calling
/// thread's namespace (`RTM_GETNSID`), or -1 when it has none.
#[no_mangle]
pub extern "C" fn netns_get_id(
    reg: *const netns_registry,
    name: *const c_char,
    id: *mut i32,
) -> netns_result {
    call("netns_get_id", || {
        let reg = registry(reg)?;
        let name = str_arg(name, "name")?;
        let out = out_arg(id, "id")?;
        out.set(crate::namespace::nsid_of(&reg.open(name)?)?);
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Listing.

/// One registry entry of a `netns_entry_iter`. Borrowed from the iterator.
pub struct netns_entry {
    name: CString,
    id: i32,
    stale: bool,
}

/// The entries of `netns_list`, sorted by name: a snapshot taken by the
/// call. Free with `netns_entry_iter_free`.
pub struct netns_entry_iter {
    items: Vec<netns_entry>,
    next: usize,
}

/// Lists the registry (as `ip netns list`): every name, sorted, with its nsid
/// as seen from the calling thread's namespace, stale entries flagged.
/// Writes an iterator to `*out`.
#[no_mangle]
pub extern "C" fn netns_list(
    reg: *const netns_registry,
    out: *mut *mut netns_entry_iter,
) -> netns_result {
    call("netns_list", || {
        let reg = registry(reg)?;
        let out = out_arg(out, "out")?;
        let items = reg
            .list()?
            .into_iter()
            .map(|e| netns_entry {
                name: c_string(e.name),
                id: e.id.map_or(-1, Nsid::get),
                stale: e.stale,
            })
            .collect();
        out.set(into_raw(netns_entry_iter { items, next: 0 }));
        Ok(())
    })
}

/// The next entry, or NULL at the end (or for a NULL iterator). The entry
/// stays valid until the iterator is freed.
#[no_mangle]
pub extern "C" fn netns_entry_iter_next(it: *mut netns_entry_iter) -> *const netns_entry {
    guard(std::ptr::null(), || match crate::ptr::mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many entries the iterator holds in all (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_entry_iter_len(it: *const netns_entry_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Frees the iterator and its entries. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_entry_iter_free(it: *mut netns_entry_iter) {
    guard((), || free(it))
}

/// The entry's name (NULL for a NULL entry).
#[no_mangle]
pub extern "C" fn netns_entry_name(e: *const netns_entry) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(e).map_or(std::ptr::null(), |e| e.name.as_ptr())
    })
}

/// The entry's nsid as seen from the caller's namespace, or -1 when it has none.
#[no_mangle]
pub extern "C" fn netns_entry_id(e: *const netns_entry) -> i32 {
    guard(-1, || opt_ref(e).map_or(-1, |e| e.id))
}

/// True when the entry is stale: a file with no namespace mounted on it.
#[no_mangle]
pub extern "C" fn netns_entry_is_stale(e: *const netns_entry) -> bool {
    guard(false, || opt_ref(e).is_some_and(|e| e.stale))
}

/// The item at the cursor, advancing it; NULL at the end.
pub(crate) fn next_of<T>(items: &[T], next: &mut usize) -> *const T {
    match items.get(*next) {
        Some(item) => {
            *next += 1;
            item
        }
        None => std::ptr::null(),
    }
}

/// A list of strings (names). Free with `netns_string_list_free`.
pub struct netns_string_list {
    items: Vec<CString>,
}

/// The number of strings (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_string_list_len(list: *const netns_string_list) -> usize {
    guard(0, || opt_ref(list).map_or(0, |l| l.items.len()))
}

/// String `index`, valid while the list lives; NULL when `index` is out of range.
#[no_mangle]
pub extern "C" fn netns_string_list_get(
    list: *const netns_string_list,
    index: usize,
) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(list)
            .and_then(|l| l.items.get(index))
            .map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// Frees the list. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_string_list_free(list: *mut netns_string_list) {
    guard((), || free(list))
}

/// Every name whose namespace is that of process `pid` (0: the calling
/// thread), sorted (as `ip netns identify`, which prints only the last).
/// Writes the list to `*out`; it may be empty.
///
/// Errors: `NETNS_NOT_FOUND` when there is no such process.
#[no_mangle]
pub extern "C" fn netns_identify(
    reg: *const netns_registry,
    pid: i32,
    out: *mut *mut netns_string_list,
) -> netns_result {
    call("netns_identify", || {
        let reg = registry(reg)?;
        let out = out_arg(out, "out")?;
        let names = reg.identify((pid != 0).then_some(pid))?;
        let items = names.into_iter().map(c_string).collect();
        out.set(into_raw(netns_string_list { items }));
        Ok(())
    })
}

/// A list of process ids. Free with `netns_pid_list_free`.
pub struct netns_pid_list {
    items: Vec<i32>,
}

/// The number of pids (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_pid_list_len(list: *const netns_pid_list) -> usize {
    guard(0, || opt_ref(list).map_or(0, |l| l.items.len()))
}

/// Pid `index`; 0 when `index` is out of range.
#[no_mangle]
pub extern "C" fn netns_pid_list_get(list: *const netns_pid_list, index: usize) -> i32 {
    guard(0, || {
        opt_ref(list)
            .and_then(|l| l.items.get(index).copied())
            .unwrap_or(0)
    })
}

/// Frees the list. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_pid_list_free(list: *mut netns_pid_list) {
    guard((), || free(list))
}

/// The processes in namespace `name`, sorted (as `ip netns pids`:
/// thread-group leaders whose `/proc/PID/ns/net` is the namespace). Writes
/// the list to `*out`.
#[no_mangle]
pub extern "C" fn netns_pids(
    reg: *const netns_registry,
    name: *const c_char,
    out: *mut *mut netns_pid_list,
) -> netns_result {
    call("netns_pids", || {
        let reg = registry(reg)?;
        let name = str_arg(name, "name")?;
        let out = out_arg(out, "out")?;
        let items = reg.pids(name, PidsOptions::new())?;
        out.set(into_raw(netns_pid_list { items }));
        Ok(())
    })
}

/// Runs program `argv[0]` (searched in `PATH`) with arguments `argv` (a
/// NULL-terminated array) inside namespace `name` and waits for it, as `ip
/// netns exec`: a forked child enters the namespace, gets a private mount
/// namespace with the namespace's `/sys` and the files of `ETC_DIR/name/`
/// bound over `/etc`, then `execvp`s. Standard streams are inherited.
///
/// On success writes the program's exit status to `*status`: its exit code,
/// or 128 + the signal number when a signal ended it (as a shell reports).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for an empty `argv`; the errors of
/// `netns_open`; `NETNS_NOT_FOUND` when the program does not exist.
#[no_mangle]
pub extern "C" fn netns_exec(
    reg: *const netns_registry,
    name: *const c_char,
    argv: *const *const c_char,
    status: *mut c_int,
) -> netns_result {
    call("netns_exec", || {
        let reg = registry(reg)?;
        let name = str_arg(name, "name")?;
        let argv = argv_arg(argv, "argv")?;
        let out = out_arg(status, "status")?;
        let exit = reg.exec(name, &argv, ExecOptions::new())?;
        let code = match (exit.code(), exit.signal()) {
            (Some(code), _) => code,
            (None, Some(signal)) => 128 + signal,
            (None, None) => 255,
        };
        out.set(code);
        Ok(())
    })
}

/// One nsid of a `netns_id_iter`. Borrowed from the iterator.
pub struct netns_id_entry {
    nsid: i32,
    current_nsid: i32,
    name: Option<CString>,
}

/// The nsids of `netns_list_ids`. Free with `netns_id_iter_free`.
pub struct netns_id_iter {
    items: Vec<netns_id_entry>,
    next: usize,
    consistent: bool,
}

/// Lists the nsids the calling thread's namespace knows (an `RTM_GETNSID`
/// dump, as `ip netns list-id [target-nsid T] [nsid N]`), each with the
/// registry name that has it. `target_nsid` -1 = no target; `nsid` -1 = all
/// (with or without a target, as iproute2). Writes an iterator to
/// `*out`; `netns_id_iter_consistent` says whether the kernel's dump was
/// consistent.
///
/// Errors: the kernel's refusal, e.g. "Invalid
/// target network namespace id".
#[no_mangle]
pub extern "C" fn netns_list_ids(
    reg: *const netns_registry,
    target_nsid: i32,
    nsid: i32,
    out: *mut *mut netns_id_iter,
) -> netns_result {
    call("netns_list_ids", || {
        let reg = registry(reg)?;
        let target = nsid_arg(target_nsid, "target_nsid")?;
        let only = nsid_arg(nsid, "nsid")?;
        let out = out_arg(out, "out")?;
        let mut filter = IdFilter::new();
        if let Some(t) = target {
            filter = filter.target_nsid(t);
        }
        if let Some(n) = only {
            filter = filter.nsid(n);
        }
        let ids = reg.list_ids(filter)?;
        let consistent = ids.is_consistent();
        let items = ids
            .into_iter()
            .map(|e| netns_id_entry {
                nsid: e.nsid.get(),
                current_nsid: e.current_nsid.map_or(-1, Nsid::get),
                name: e.name.map(c_string),
            })
            .collect();
        out.set(into_raw(netns_id_iter {
            items,
            next: 0,
            consistent,
        }));
        Ok(())
    })
}

/// The next nsid entry, or NULL at the end (or for NULL). Valid until the iterator is freed.
#[no_mangle]
pub extern "C" fn netns_id_iter_next(it: *mut netns_id_iter) -> *const netns_id_entry {
    guard(std::ptr::null(), || match crate::ptr::mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many entries the iterator holds in all (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_id_iter_len(it: *const netns_id_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Whether the dump behind the iterator was consistent: false when the
/// kernel interrupted it (`NLM_F_DUMP_INTR`, its nsids changed while it ran)
/// on every attempt, so that the nsids are the last attempt's and some may be
/// missing or listed twice (`ip` then warns "Dump was interrupted and may be
/// inconsistent"). The listing call itself still returns `NETNS_OK`. True
/// for NULL.
#[no_mangle]
pub extern "C" fn netns_id_iter_consistent(it: *const netns_id_iter) -> bool {
    guard(true, || opt_ref(it).is_none_or(|it| it.consistent))
}

/// Frees the iterator. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_id_iter_free(it: *mut netns_id_iter) {
    guard((), || free(it))
}

/// The nsid (-1 for NULL).
#[no_mangle]
pub extern "C" fn netns_id_entry_nsid(e: *const netns_id_entry) -> i32 {
    guard(-1, || opt_ref(e).map_or(-1, |e| e.nsid))
}

/// With a target: the id of the same peer as seen from the target namespace; else -1.
#[no_mangle]
pub extern "C" fn netns_id_entry_current_nsid(e: *const netns_id_entry) -> i32 {
    guard(-1, || opt_ref(e).map_or(-1, |e| e.current_nsid))
}

/// The registry name of the namespace with that nsid, or NULL when none has it.
#[no_mangle]
pub extern "C" fn netns_id_entry_name(e: *const netns_id_entry) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(e).map_or(std::ptr::null(), |e| opt_c_ptr(&e.name))
    })
}
