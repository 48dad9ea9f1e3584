//! Result codes, and the one place where a [`netns_core::Error`] becomes a
//! C result: [`Failure::from`]. The full message and the errno of the last
//! failure are kept per thread for `netns_last_error_message` and
//! `netns_last_errno`.

use std::cell::RefCell;
use std::ffi::{c_char, c_int, CString};

use netns_core::ErrorKind;

/// The result of every fallible function of libnetns.
///
/// The values are part of the ABI: they never change, and a value that is
/// retired stays reserved (listed in a comment) so it is never reused.
/// `netns_result_str` gives a short description of each code;
/// `netns_last_error_message` the full text of the last failure on the
/// calling thread.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum netns_result {
    /// Success.
    NETNS_OK = 0,
    /// A required pointer argument was NULL.
    NETNS_NULL_ARGUMENT = 1,
    /// The library panicked (a bug in libnetns); nothing was unwound into C.
    NETNS_PANIC = 2,
    /// An argument was refused: malformed (not UTF-8, not an address…), out of
    /// range, or refused by the kernel with `EINVAL`/`ERANGE` (a system call or
    /// a netlink request). `netns_last_errno()` is `EINVAL` (or `ERANGE`).
    NETNS_INVALID_ARGUMENT = 3,
    /// A namespace name was refused (empty, longer than 255 bytes, `/`, `.`, `..`).
    NETNS_INVALID_NAME = 4,
    /// The object does not exist (`ENOENT`, `ENODEV`, `ESRCH`, `EADDRNOTAVAIL` on delete).
    NETNS_NOT_FOUND = 5,
    /// The object exists already (`EEXIST`).
    NETNS_ALREADY_EXISTS = 6,
    /// The caller lacks a privilege (`EPERM`, `EACCES`); the message names the capability.
    NETNS_PERMISSION_DENIED = 7,
    /// The object is in use (`EBUSY`).
    NETNS_BUSY = 8,
    /// The kernel or the machine does not support the operation (no driver, `EOPNOTSUPP`).
    NETNS_UNSUPPORTED = 9,
    /// The kernel refused a netlink request for another reason: see the errno and the message.
    NETNS_KERNEL = 10,
    /// A registry entry exists but has no namespace mounted on it (a "stale" file).
    NETNS_STALE = 11,
    /// A dump kept changing while it ran, past the retry budget.
    NETNS_INTERRUPTED = 12,
    /// A reply from the kernel could not be parsed.
    NETNS_PROTOCOL = 13,
    /// Another system-call failure: see the errno.
    NETNS_IO = 14,
    /// A failure of a kind this version of libnetns does not name yet.
    NETNS_OTHER = 15,
    // Next free value: 16. Retired values (never reuse): none yet.
}

use netns_result::*;

/// The text of `netns_result_str`, NUL-terminated for C.
pub(crate) fn result_text(code: netns_result) -> &'static std::ffi::CStr {
    match code {
        NETNS_OK => c"success",
        NETNS_NULL_ARGUMENT => c"a required argument is NULL",
        NETNS_PANIC => c"internal error (panic in libnetns)",
        NETNS_INVALID_ARGUMENT => c"invalid argument",
        NETNS_INVALID_NAME => c"invalid namespace name",
        NETNS_NOT_FOUND => c"not found",
        NETNS_ALREADY_EXISTS => c"already exists",
        NETNS_PERMISSION_DENIED => c"permission denied",
        NETNS_BUSY => c"busy",
        NETNS_UNSUPPORTED => c"not supported",
        NETNS_KERNEL => c"refused by the kernel",
        NETNS_STALE => c"stale entry (no namespace is mounted on it)",
        NETNS_INTERRUPTED => c"the dump kept changing while it ran",
        NETNS_PROTOCOL => c"malformed reply from the kernel",
        NETNS_IO => c"system call failed",
        NETNS_OTHER => c"failed",
    }
}

/// `netns_result_str` for a raw value (C may pass any number).
pub(crate) fn result_text_raw(code: u32) -> &'static std::ffi::CStr {
    const ALL: [netns_result; 16] = [
        NETNS_OK,
        NETNS_NULL_ARGUMENT,
        NETNS_PANIC,
        NETNS_INVALID_ARGUMENT,
        NETNS_INVALID_NAME,
        NETNS_NOT_FOUND,
        NETNS_ALREADY_EXISTS,
        NETNS_PERMISSION_DENIED,
        NETNS_BUSY,
        NETNS_UNSUPPORTED,
        NETNS_KERNEL,
        NETNS_STALE,
        NETNS_INTERRUPTED,
        NETNS_PROTOCOL,
        NETNS_IO,
        NETNS_OTHER,
    ];
    ALL.iter()
        .find(|c| **c as u32 == code)
        .map_or(c"unknown result code", |c| result_text(*c))
}

/// Why a call failed, ready for C: the code, the full message, the errno.
#[derive(Debug)]
pub(crate) struct Failure {
    code: netns_result,
    message: String,
    errno: c_int,
    /// True for failures found by this crate (NULL, bad UTF-8, panic): their
    /// message gets the name of the C function in front.
    local: bool,
}

impl From<netns_core::Error> for Failure {
    /// The one translation of a core error: its kind picks the code, its
    /// `Display` (operation, object, reason, kernel ext-ack text) is the message.
    fn from(e: netns_core::Error) -> Failure {
        let code = match e.kind() {
            ErrorKind::NotFound => NETNS_NOT_FOUND,
            ErrorKind::AlreadyExists => NETNS_ALREADY_EXISTS,
            ErrorKind::PermissionDenied => NETNS_PERMISSION_DENIED,
            ErrorKind::InvalidName => NETNS_INVALID_NAME,
            ErrorKind::InvalidArgument => NETNS_INVALID_ARGUMENT,
            ErrorKind::Busy => NETNS_BUSY,
            ErrorKind::Unsupported => NETNS_UNSUPPORTED,
            ErrorKind::Kernel => NETNS_KERNEL,
            ErrorKind::Stale => NETNS_STALE,
            ErrorKind::Interrupted => NETNS_INTERRUPTED,
            ErrorKind::Protocol => NETNS_PROTOCOL,
            ErrorKind::Io => NETNS_IO,
            _ => NETNS_OTHER,
        };
        Failure {
            code,
            message: e.to_string(),
            errno: e
                .errno()
                .or_else(|| e.kind().errno())
                .map_or(0, |errno| errno as c_int),
            local: false,
        }
    }
}

impl Failure {
    fn local(code: netns_result, message: String) -> Failure {
        Failure {
            code,
            message,
            errno: 0,
            local: true,
        }
    }

    /// A required pointer argument `what` was NULL.
    pub(crate) fn null(what: &'static str) -> Failure {
        Failure::local(NETNS_NULL_ARGUMENT, format!("{what} is NULL"))
    }

    /// String argument `what` is not UTF-8.
    pub(crate) fn utf8(what: &'static str) -> Failure {
        Failure::invalid(what, "not valid UTF-8").with_message(format!("{what} is not valid UTF-8"))
    }

    /// Argument `what` was refused for reason `why` (errno `EINVAL`, as the
    /// core's argument errors).
    pub(crate) fn invalid(what: &str, why: &str) -> Failure {
        Failure {
            errno: libc_einval(),
            ..Failure::local(NETNS_INVALID_ARGUMENT, format!("{what}: {why}"))
        }
    }

    /// The library panicked with `message`.
    pub(crate) fn panic(message: &str) -> Failure {
        Failure::local(NETNS_PANIC, format!("panic: {message}"))
    }

    /// The same failure with another message (e.g. several errors joined).
    pub(crate) fn with_message(mut self, message: String) -> Failure {
        self.message = message;
        self
    }

    /// The code.
    pub(crate) fn code(&self) -> netns_result {
        self.code
    }
}

/// `EINVAL`, the errno of every argument refused before the kernel.
fn libc_einval() -> c_int {
    netns_core::Errno::EINVAL as c_int
}

/// The last failure of this thread: message (NUL-terminated) and errno.
struct LastError {
    message: CString,
    errno: c_int,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// Forgets the last failure (every fallible call starts with this).
pub(crate) fn clear_last_error() {
    LAST_ERROR.with(|last| last.borrow_mut().take());
}

/// Records `failure` as the last one of this thread, from C function `function`.
pub(crate) fn set_last_error(function: &str, failure: &Failure) {
    let text = if failure.local {
        format!("{function}: {}", failure.message)
    } else {
        failure.message.clone()
    };
    let message = crate::c_string(text);
    LAST_ERROR.with(|last| {
        *last.borrow_mut() = Some(LastError {
            message,
            errno: failure.errno,
        })
    });
}

/// The message of the last failure, or "" when the last call succeeded. The
/// pointer stays valid until the next fallible call on this thread.
pub(crate) fn last_error_message() -> *const c_char {
    LAST_ERROR.with(|last| match &*last.borrow() {
        Some(e) => e.message.as_ptr(),
        None => c"".as_ptr(),
    })
}

/// The errno of the last failure, or 0.
pub(crate) fn last_errno() -> c_int {
    LAST_ERROR.with(|last| last.borrow().as_ref().map_or(0, |e| e.errno))
}

#[cfg(test)]
mod tests {
    use super::*;
    use netns_core::{Errno, Error};

    #[test]
    fn every_kind_maps_to_its_code_and_keeps_errno_and_kernel_text() {
        let e = Error::kernel(
            Errno::EOPNOTSUPP,
            Some("Unknown device type".into()),
            None,
            "add",
            "link \"d0\" (dummy)",
        );
        let f = Failure::from(e);
        assert_eq!(f.code(), NETNS_UNSUPPORTED);
        assert_eq!(f.errno, Errno::EOPNOTSUPP as c_int);
        assert!(
            f.message.ends_with("(kernel: Unknown device type)"),
            "{}",
            f.message
        );
        let f = Failure::from(Error::sys(Errno::EEXIST, "add", "x"));
        assert_eq!(f.code(), NETNS_ALREADY_EXISTS);
    }

    #[test]
    fn codes_have_fixed_values_and_texts() {
        assert_eq!(NETNS_OK as u32, 0);
        assert_eq!(NETNS_PANIC as u32, 2);
        assert_eq!(NETNS_OTHER as u32, 15);
        assert_eq!(result_text_raw(5).to_str().ok(), Some("not found"));
        assert_eq!(
            result_text_raw(9999).to_str().ok(),
            Some("unknown result code")
        );
    }
}
