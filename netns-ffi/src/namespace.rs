//! Open network namespaces (`netns_ns`): opening by path, pid or the
//! caller's own; running a C callback inside; sysctls; the nsid.

use std::ffi::{c_char, c_int, c_void};
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::ffi::OsStrExt;

use netns_core::netlink::Socket;
use netns_core::{nsid, NetNs, Nsid};

use crate::error::{netns_result, Failure};
use crate::panic::{call, guard};
use crate::ptr::{bytes_arg, free, into_raw, opt_ref, out_arg, ref_arg, str_arg, SendPtr};

/// An open network namespace (a file descriptor on its nsfs file): the
/// namespace lives at least as long as the handle. Opaque; free with
/// `netns_ns_free`. Immutable: may be shared between threads.
pub struct netns_ns {
    pub(crate) inner: NetNs,
}

impl netns_ns {
    pub(crate) fn wrap(inner: NetNs) -> netns_ns {
        netns_ns { inner }
    }
}

/// `ns` as a reference, or `NETNS_NULL_ARGUMENT`.
pub(crate) fn ns_arg<'a>(ns: *const netns_ns, what: &'static str) -> Result<&'a NetNs, Failure> {
    Ok(&ref_arg(ns, what)?.inner)
}

fn open_into(
    out: *mut *mut netns_ns,
    open: impl FnOnce() -> netns_core::Result<NetNs>,
) -> Result<(), Failure> {
    let out = out_arg(out, "out")?;
    out.set(into_raw(netns_ns::wrap(open()?)));
    Ok(())
}

/// Opens the namespace file at `path` (any bytes but NUL) and checks it is a
/// network namespace. Writes the handle to `*out`.
///
/// Errors: `NETNS_NOT_FOUND`; `NETNS_INVALID_ARGUMENT` (errno `EINVAL`) for
/// a file that is not a network namespace ("not a network namespace file")
/// or a namespace of another type. (`netns_open` of a registry entry with
/// nothing mounted on it gives `NETNS_STALE`.)
#[no_mangle]
pub extern "C" fn netns_ns_open_path(path: *const c_char, out: *mut *mut netns_ns) -> netns_result {
    call("netns_ns_open_path", || {
        let path = std::ffi::OsStr::from_bytes(bytes_arg(path, "path")?);
        open_into(out, || NetNs::open_path(path))
    })
}

/// Opens the network namespace of process `pid` through a pidfd (no
/// pid-recycling race). Writes the handle to `*out`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for `pid <= 0`; `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_ns_open_pid(pid: i32, out: *mut *mut netns_ns) -> netns_result {
    call("netns_ns_open_pid", || {
        open_into(out, || NetNs::open_pid(pid))
    })
}

/// Opens the calling thread's network namespace. Writes the handle to `*out`.
#[no_mangle]
pub extern "C" fn netns_ns_current(out: *mut *mut netns_ns) -> netns_result {
    call("netns_ns_current", || open_into(out, NetNs::current))
}

/// Creates a new anonymous network namespace (no name; it lives while the
/// handle or anything inside it does). Writes the handle to `*out`.
///
/// Errors: `NETNS_PERMISSION_DENIED` without `CAP_SYS_ADMIN`.
#[no_mangle]
pub extern "C" fn netns_ns_new_anonymous(out: *mut *mut netns_ns) -> netns_result {
    call("netns_ns_new_anonymous", || {
        open_into(out, NetNs::new_anonymous)
    })
}

/// Closes the handle. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_ns_free(ns: *mut netns_ns) {
    guard((), || free(ns))
}

/// The namespace's inode number (as in `net:[4026531840]`); 0 for NULL.
#[no_mangle]
pub extern "C" fn netns_ns_inode(ns: *const netns_ns) -> u64 {
    guard(0, || opt_ref(ns).map_or(0, |ns| ns.inner.inode()))
}

/// The handle's file descriptor (still owned by the handle: do not close
/// it); -1 for NULL. Usable with `setns(2)` in a thread or child of your own.
#[no_mangle]
pub extern "C" fn netns_ns_fd(ns: *const netns_ns) -> c_int {
    guard(-1, || {
        opt_ref(ns).map_or(-1, |ns| ns.inner.as_fd().as_raw_fd())
    })
}

/// True when both handles refer to the same namespace (same device and
/// inode); false when either is NULL.
#[no_mangle]
pub extern "C" fn netns_ns_same(a: *const netns_ns, b: *const netns_ns) -> bool {
    guard(false, || match (opt_ref(a), opt_ref(b)) {
        (Some(a), Some(b)) => a.inner == b.inner,
        _ => false,
    })
}

/// A C function run inside a namespace by `netns_ns_run`; `user` is the
/// pointer given to `netns_ns_run`. Its return value is handed back.
pub type netns_run_fn = Option<extern "C" fn(user: *mut c_void) -> c_int>;

/// Runs `fn(user)` inside namespace `ns` on a short-lived dedicated thread
/// that enters the namespace (`setns(CLONE_NEWNET)`) and exits afterwards;
/// the calling thread never changes namespace and waits until `fn`
/// returns. Sockets `fn` opens stay bound to `ns`. What `user` points to
/// must be safe to use from that other thread. On success writes `fn`'s
/// return value to `*ret` (which may be NULL).
///
/// Errors: `NETNS_NULL_ARGUMENT` for a NULL `ns` or `fn`;
/// `NETNS_PERMISSION_DENIED` when `setns` is refused.
#[no_mangle]
pub extern "C" fn netns_ns_run(
    ns: *const netns_ns,
    r#fn: netns_run_fn,
    user: *mut c_void,
    ret: *mut c_int,
) -> netns_result {
    call("netns_ns_run", || {
        let ns = ns_arg(ns, "ns")?;
        let f = r#fn.ok_or_else(|| Failure::null("fn"))?;
        let out = crate::ptr::opt_out(ret);
        let user = SendPtr::new(user);
        let value = ns.run(move || f(user.get()))?;
        if let Some(out) = out {
            out.set(value);
        }
        Ok(())
    })
}

/// Reads network sysctl `key` of namespace `ns` (`net.ipv4.ip_forward`, or
/// `net/ipv4/conf/eth0.100/rp_filter` with `/`), inside the namespace. On
/// success writes the value (without its trailing newline) to `*value`, to be
/// freed with `netns_string_free`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a key outside `net` or with `..`;
/// `NETNS_NOT_FOUND` for no such key.
#[no_mangle]
pub extern "C" fn netns_ns_sysctl_get(
    ns: *const netns_ns,
    key: *const c_char,
    value: *mut *mut c_char,
) -> netns_result {
    call("netns_ns_sysctl_get", || {
        let ns = ns_arg(ns, "ns")?;
        let key = str_arg(key, "key")?;
        let out = out_arg(value, "value")?;
        let text = ns.sysctl_get(key)?;
        out.set(crate::into_c_string(text));
        Ok(())
    })
}

/// Writes network sysctl `key` of namespace `ns`, inside the namespace.
///
/// Errors: as `netns_ns_sysctl_get`; `NETNS_INVALID_ARGUMENT` when the
/// kernel refuses the value.
#[no_mangle]
pub extern "C" fn netns_ns_sysctl_set(
    ns: *const netns_ns,
    key: *const c_char,
    value: *const c_char,
) -> netns_result {
    call("netns_ns_sysctl_set", || {
        let ns = ns_arg(ns, "ns")?;
        let key = str_arg(key, "key")?;
        let value = str_arg(value, "value")?;
        ns.sysctl_set(key, value)?;
        Ok(())
    })
}

/// Writes to `*id` the nsid that the calling thread's namespace gives to
/// `ns` (`RTM_GETNSID`), or -1 when it has none.
#[no_mangle]
pub extern "C" fn netns_ns_get_id(ns: *const netns_ns, id: *mut i32) -> netns_result {
    call("netns_ns_get_id", || {
        let ns = ns_arg(ns, "ns")?;
        let out = out_arg(id, "id")?;
        out.set(nsid_of(ns)?);
        Ok(())
    })
}

/// The nsid the calling thread's namespace gives to `ns`, -1 for none.
pub(crate) fn nsid_of(ns: &NetNs) -> Result<i32, Failure> {
    let mut sock = Socket::open()?;
    Ok(nsid::get(&mut sock, ns.as_fd())?.map_or(-1, Nsid::get))
}
