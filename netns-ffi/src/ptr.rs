//! The only module with `unsafe`: turning the raw pointers C passes in into
//! references, strings and boxes, after checking them for NULL.
//!
//! Every function here takes a pointer that the C caller promised (in the
//! header's documentation) to be either NULL or valid for the duration of the
//! call; NULL is always refused with [`Failure::null`], never dereferenced.

use std::ffi::{c_char, c_void, CStr, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::ptr::NonNull;

use crate::error::Failure;

/// A NUL-terminated UTF-8 string argument.
pub(crate) fn str_arg<'a>(p: *const c_char, what: &'static str) -> Result<&'a str, Failure> {
    let bytes = bytes_arg(p, what)?;
    std::str::from_utf8(bytes).map_err(|_| Failure::utf8(what))
}

/// An optional string argument: NULL is `None`.
pub(crate) fn opt_str_arg<'a>(
    p: *const c_char,
    what: &'static str,
) -> Result<Option<&'a str>, Failure> {
    if p.is_null() {
        return Ok(None);
    }
    str_arg(p, what).map(Some)
}

/// A NUL-terminated string argument taken as bytes (a path, a program
/// argument: any bytes but NUL).
pub(crate) fn bytes_arg<'a>(p: *const c_char, what: &'static str) -> Result<&'a [u8], Failure> {
    if p.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: `p` is not NULL and, by the function's documented contract, points to a
    // NUL-terminated string that stays valid and unchanged during the call.
    let s = unsafe { CStr::from_ptr(p) };
    Ok(s.to_bytes())
}

/// A NULL-terminated array of strings (`argv`), as OS strings.
pub(crate) fn argv_arg<'a>(
    p: *const *const c_char,
    what: &'static str,
) -> Result<Vec<&'a OsStr>, Failure> {
    if p.is_null() {
        return Err(Failure::null(what));
    }
    let mut args = Vec::new();
    for i in 0.. {
        // SAFETY: `p` is not NULL and, by contract, points to an array of string pointers
        // ending with a NULL entry; `i` never passes that entry (the loop stops on it).
        let item = unsafe { *p.add(i) };
        if item.is_null() {
            break;
        }
        args.push(OsStr::from_bytes(bytes_arg(item, what)?));
    }
    Ok(args)
}

/// An array argument of `n` elements; NULL is refused unless `n` is 0.
pub(crate) fn slice_arg<'a, T>(
    p: *const T,
    n: usize,
    what: &'static str,
) -> Result<&'a [T], Failure> {
    if n == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Failure::null(what));
    }
    // SAFETY: `p` is not NULL and, by the function's documented contract, points to `n`
    // initialised elements that stay valid and unchanged during the call.
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
}

/// A shared reference to an object the library handed out (or NULL).
pub(crate) fn ref_arg<'a, T>(p: *const T, what: &'static str) -> Result<&'a T, Failure> {
    opt_ref(p).ok_or_else(|| Failure::null(what))
}

/// An optional object argument: NULL is `None`.
pub(crate) fn opt_ref<'a, T>(p: *const T) -> Option<&'a T> {
    // SAFETY: a non-NULL `p` is, by contract, a pointer this library returned (from
    // `Box::into_raw`) and has not freed yet; C only reads through it during this call.
    unsafe { p.as_ref() }
}

/// An exclusive reference to an object the library handed out (or NULL).
pub(crate) fn mut_arg<'a, T>(p: *mut T, what: &'static str) -> Result<&'a mut T, Failure> {
    // SAFETY: a non-NULL `p` is, by contract, a live pointer this library returned, used
    // by one thread at a time (the header says so of every mutable handle).
    unsafe { p.as_mut() }.ok_or_else(|| Failure::null(what))
}

/// An out-pointer, checked for NULL before any work is done and written only
/// once the work succeeded.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// Writes `value`, without reading or dropping what was there before.
    pub(crate) fn set(self, value: T) {
        // SAFETY: the pointer is not NULL and, by contract, points to writable memory for
        // one `T`, suitably aligned; the old contents are not read (they may be garbage).
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// A required out-pointer.
pub(crate) fn out_arg<T>(p: *mut T, what: &'static str) -> Result<Out<T>, Failure> {
    NonNull::new(p).map(Out).ok_or_else(|| Failure::null(what))
}

/// An optional out-pointer: NULL means the caller does not want the value.
pub(crate) fn opt_out<T>(p: *mut T) -> Option<Out<T>> {
    NonNull::new(p).map(Out)
}

/// Hands an owned object to C.
pub(crate) fn into_raw<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back and drops an object handed to C; NULL is ignored.
pub(crate) fn free<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: `p` came from `into_raw::<T>` (the `_free` function of each type takes only
        // its own type) and, by contract, is freed once and not used afterwards.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// Takes back and drops a string handed to C by [`crate::into_c_string`]; NULL is ignored.
pub(crate) fn free_c_string(p: *mut c_char) {
    if !p.is_null() {
        // SAFETY: `p` came from `CString::into_raw` (netns_ns_sysctl_get) and, by contract,
        // is freed once, with netns_string_free, and not used afterwards.
        drop(unsafe { std::ffi::CString::from_raw(p) });
    }
}

/// The `void *user` of `netns_ns_run`, carried to the thread inside the namespace.
pub(crate) struct SendPtr(*mut c_void);

impl SendPtr {
    /// Wraps the pointer.
    pub(crate) fn new(p: *mut c_void) -> SendPtr {
        SendPtr(p)
    }
    /// The pointer (taking `self` whole, so a closure captures the wrapper, not the field).
    pub(crate) fn get(self) -> *mut c_void {
        self.0
    }
}

// SAFETY: Rust never dereferences the pointer; it only hands it to the caller's callback on
// the worker thread while the calling thread waits in netns_ns_run. The header tells the
// caller that what `user` points to is used from that thread.
unsafe impl Send for SendPtr {}

/// Takes ownership of descriptor `fd` (one this library made and has not
/// handed out), to close it.
pub(crate) fn owned_fd(fd: std::os::fd::RawFd) -> std::os::fd::OwnedFd {
    use std::os::fd::FromRawFd;
    // SAFETY: `fd` was just returned by `IntoRawFd::into_raw_fd` on a descriptor this
    // library owned; nothing else holds or closes it.
    unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) }
}

/// A duplicate (`F_DUPFD_CLOEXEC`) of the caller's descriptor `fd`; the
/// caller keeps its own.
pub(crate) fn dup_fd(
    fd: std::os::fd::RawFd,
    what: &'static str,
) -> Result<std::os::fd::OwnedFd, Failure> {
    if fd < 0 {
        return Err(Failure::invalid(what, "not a file descriptor"));
    }
    // SAFETY: by the function's documented contract `fd` is an open descriptor of the
    // caller's that stays open during the call; it is only borrowed to be duplicated.
    let borrowed = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    borrowed
        .try_clone_to_owned()
        .map_err(|e| Failure::invalid(what, &e.to_string()))
}
