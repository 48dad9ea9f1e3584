//! `netns_handle`: an rtnetlink socket bound to one namespace, on which the
//! link, address and route functions work.

use netns_core::Handle;

use crate::error::{netns_result, Failure};
use crate::namespace::{netns_ns, ns_arg};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, out_arg};

/// An rtnetlink socket bound to one network namespace. Opaque; free with
/// `netns_handle_free`. Not for concurrent use: one thread at a time (it
/// may move between threads).
pub struct netns_handle {
    pub(crate) inner: Handle,
}

/// `h` as an exclusive reference, or `NETNS_NULL_ARGUMENT`.
pub(crate) fn handle_arg<'a>(h: *mut netns_handle) -> Result<&'a mut Handle, Failure> {
    Ok(&mut mut_arg(h, "handle")?.inner)
}

/// A handle on namespace `ns`: the socket is opened on a short-lived thread
/// inside it, and stays bound to it. Writes the handle to `*out`.
#[no_mangle]
pub extern "C" fn netns_ns_handle(
    ns: *const netns_ns,
    out: *mut *mut netns_handle,
) -> netns_result {
    call("netns_ns_handle", || {
        let ns = ns_arg(ns, "ns")?;
        let out = out_arg(out, "out")?;
        let inner = ns.handle()?;
        out.set(into_raw(netns_handle { inner }));
        Ok(())
    })
}

/// A handle on the calling thread's own namespace. Writes it to `*out`.
#[no_mangle]
pub extern "C" fn netns_handle_current(out: *mut *mut netns_handle) -> netns_result {
    call("netns_handle_current", || {
        let out = out_arg(out, "out")?;
        let inner = Handle::current()?;
        out.set(into_raw(netns_handle { inner }));
        Ok(())
    })
}

/// Closes the handle. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_handle_free(h: *mut netns_handle) {
    guard((), || free(h))
}
