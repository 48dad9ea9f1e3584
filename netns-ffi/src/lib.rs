//! libnetns: the C ABI of netns.
//!
//! C programs link `libnetns.so` (soname `libnetns.so.MAJOR`) or `libnetns.a`
//! and include `netns.h`, generated from this crate by cbindgen (`make
//! header`). They get the namespace, link, address and route operations of
//! `netns-core`, with the same error messages.
//!
//! # Conventions (the header repeats them)
//!
//! * Objects are opaque: `netns_registry`, `netns_ns` (an open namespace),
//!   `netns_handle` (an rtnetlink socket bound to a namespace), and the
//!   listings (`netns_entry_iter`, `netns_link_iter`, `netns_addr_iter`,
//!   `netns_route_iter`, `netns_string_list`, `netns_pid_list`), and the
//!   `netns_link_batch` builder. Each owned
//!   type has one `_free` function; `_free(NULL)` does nothing.
//! * Fallible functions return a `netns_result` (fixed values, `NETNS_OK` = 0)
//!   and write their outputs to the trailing out-pointers only on success.
//!   `netns_last_error_message()` gives the full text of the calling thread's
//!   last failure (operation, object, reason and the kernel's extended-ack
//!   text); `netns_last_errno()` its errno.
//! * A NULL pointer where one is required gives `NETNS_NULL_ARGUMENT`; a
//!   string that is not UTF-8 gives `NETNS_INVALID_ARGUMENT`; a panic inside
//!   the library gives `NETNS_PANIC` and never unwinds into C.
//! * No function changes the namespace of the calling thread: work inside a
//!   namespace runs on a short-lived dedicated thread.
//! * Batch functions (`netns_link_batch_send`, `netns_addrs_add`) send many
//!   requests in few `send` calls; on failure they also write the index of
//!   the first entry that failed to their optional `failed_at`.
//!
//! # The fast path (many namespaces)
//!
//! `netns_add_with_handle` (namespace and handle from one thread),
//! a `netns_link_batch` per namespace (`lo` up and a veth whose peer is born
//! in the root namespace, in one `send`; the kernel's echo gives the peer's
//! index), then in the root namespace one batch bringing the peers up by
//! index and one `netns_addrs_add`: no lookup by name anywhere.
//!
//! The only `unsafe` blocks are in `ptr.rs`, each with a `// SAFETY:`
//! comment; the translation of core errors into result codes is in
//! `error.rs`; the panic boundary in `panic.rs`.
// `#[no_mangle]` counts as unsafe code, and every C function needs it, so the
// workspace's `deny(unsafe_code)` cannot hold here; unsafe blocks must still
// say why they are sound.
#![allow(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
// The C names (`netns_ns`, `netns_result`…) are the ABI.
#![allow(non_camel_case_types)]

mod addr;
mod batch;
mod ensure;
mod error;
mod event;
mod fdb;
mod handle;
mod link;
mod link_spec;
mod namespace;
mod neigh;
mod nexthop;
mod panic;
mod ptr;
mod registry;
mod route;
mod route_filter;
mod route_spec;
mod rule;
mod spawn;
mod topology;
mod tuntap;

use std::ffi::{c_char, c_int, CString};

pub use addr::*;
pub use batch::*;
pub use ensure::*;
pub use error::netns_result;
pub use event::*;
pub use fdb::*;
pub use handle::*;
pub use link::*;
pub use namespace::*;
pub use neigh::*;
pub use registry::*;
pub use route::*;
pub use route_spec::*;
pub use rule::*;
pub use spawn::*;
pub use topology::*;
pub use tuntap::*;

use panic::guard;

/// `text` as a C string; a NUL byte (which no kernel name contains) is dropped.
pub(crate) fn c_string(text: impl Into<Vec<u8>>) -> CString {
    CString::new(text).unwrap_or_else(|e| {
        let mut bytes = e.into_vec();
        bytes.retain(|&b| b != 0);
        CString::new(bytes).unwrap_or_default()
    })
}

/// The pointer of an optional C string held by a listing item (NULL for `None`).
pub(crate) fn opt_c_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

/// The version of the library, `"MAJOR.MINOR.PATCH"` (as `NETNS_VERSION`
/// in the header the program was compiled with). A static string.
#[no_mangle]
pub extern "C" fn netns_version() -> *const c_char {
    guard(std::ptr::null(), || {
        static VERSION: &std::ffi::CStr = match std::ffi::CStr::from_bytes_with_nul(
            concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
        ) {
            Ok(v) => v,
            Err(_) => c"",
        };
        VERSION.as_ptr()
    })
}

/// A short static description of result code `code` (`"not found"`…);
/// `"unknown result code"` for a value that is not a `netns_result`.
#[no_mangle]
pub extern "C" fn netns_result_str(code: u32) -> *const c_char {
    guard(c"".as_ptr(), || error::result_text_raw(code).as_ptr())
}

/// The full message of the calling thread's last failure, e.g. `cannot add
/// link "d0" (dummy): not supported (kernel: Unknown device type)`: the
/// operation, the object, the reason and the kernel's extended-ack text.
/// `""` when the last fallible call on this thread succeeded. Never NULL.
/// The string belongs to the library and stays valid until the next
/// fallible call on this thread.
#[no_mangle]
pub extern "C" fn netns_last_error_message() -> *const c_char {
    guard(c"".as_ptr(), error::last_error_message)
}

/// The errno behind the calling thread's last failure (`EEXIST`,
/// `EOPNOTSUPP`…): the system's, else the one the result stands for
/// (`EINVAL` for an argument or name refused before any system call,
/// `ENOENT` for `NETNS_NOT_FOUND` …); 0 after a success, a NULL argument or
/// a failure with no errno (`NETNS_INTERRUPTED`, `NETNS_IO` without one).
#[no_mangle]
pub extern "C" fn netns_last_errno() -> c_int {
    guard(0, error::last_errno)
}

/// Frees a string returned by the library (`netns_ns_sysctl_get`). NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_string_free(s: *mut c_char) {
    guard((), || ptr::free_c_string(s))
}

/// Hands a string to C; freed by `netns_string_free`.
pub(crate) fn into_c_string(text: impl Into<Vec<u8>>) -> *mut c_char {
    c_string(text).into_raw()
}
