//! The one error type of the library.
//!
//! Every failure is an [`Error`]: a [`ErrorKind`], the operation that was
//! attempted (`"add"`, `"delete"`, `"list"` …), the object it was attempted on
//! (`network namespace "blue"`, `link "veth0"` …), and, when the kernel said
//! no, its `errno` and the text of its extended acknowledgement
//! (`NLMSGERR_ATTR_MSG`). It displays the way people read it:
//!
//! ```text
//! cannot add network namespace "x": already exists
//! cannot add route default via 10.9.9.9: Network is unreachable (kernel: Nexthop has invalid gateway)
//! cannot add network namespace "x": permission denied (needs CAP_SYS_ADMIN)
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

pub use nix::errno::Errno;

/// What kind of failure an [`Error`] is. Front ends (CLI exit codes, C result
/// codes, Python exception classes) translate this, once, in one place.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The object does not exist (`ENOENT`, `ENODEV`, `ESRCH`, `EADDRNOTAVAIL` on delete …).
    NotFound,
    /// The object exists already (`EEXIST`).
    AlreadyExists,
    /// The caller lacks a privilege; [`Error::capability`] names it when known.
    PermissionDenied,
    /// A namespace name was refused before anything touched the system.
    InvalidName,
    /// An argument was refused (by us before the kernel, or by the kernel with `EINVAL`/`ERANGE`).
    InvalidArgument,
    /// The object is in use (`EBUSY`); the message says what holds it when known.
    Busy,
    /// The kernel or this machine does not support the operation (`EOPNOTSUPP`, no driver …).
    Unsupported,
    /// The kernel refused a netlink request for another reason; see [`Error::errno`] and
    /// [`Error::kernel_message`].
    Kernel,
    /// A registry entry exists but no namespace is mounted on it (a "stale" file).
    Stale,
    /// A dump kept changing under us (`NLM_F_DUMP_INTR`) past the retry
    /// budget. The core's dumps no longer fail this way: they return the last
    /// attempt's data marked inconsistent (`is_consistent()` on
    /// [`Messages`](crate::netlink::Messages), `Links`, `Addresses`,
    /// `Routes`, [`Listing`](crate::netlink::Listing)); the kind stays for
    /// callers that refuse such data themselves.
    Interrupted,
    /// A reply from the kernel could not be parsed.
    Protocol,
    /// Any other system-call failure.
    Io,
}

impl ErrorKind {
    /// The short phrase used in messages for this kind, when it has a fixed one.
    fn phrase(self) -> Option<&'static str> {
        Some(match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::InvalidName => "invalid name",
            ErrorKind::Busy => "busy",
            ErrorKind::Stale => "stale entry (no namespace is mounted on it)",
            ErrorKind::Interrupted => "the dump kept changing while it ran",
            ErrorKind::Unsupported => "not supported",
            _ => return None,
        })
    }

    /// The kind a bare `errno` stands for. `fallback` is used when the errno
    /// has no class of its own ([`ErrorKind::Kernel`] for netlink replies,
    /// [`ErrorKind::Io`] for system calls).
    pub fn from_errno(errno: Errno, fallback: ErrorKind) -> ErrorKind {
        match errno {
            Errno::ENOENT | Errno::ENODEV | Errno::ESRCH => ErrorKind::NotFound,
            Errno::EEXIST => ErrorKind::AlreadyExists,
            Errno::EPERM | Errno::EACCES => ErrorKind::PermissionDenied,
            Errno::EBUSY => ErrorKind::Busy,
            Errno::EOPNOTSUPP | Errno::EAFNOSUPPORT | Errno::EPROTONOSUPPORT | Errno::ENOSYS => {
                ErrorKind::Unsupported
            }
            // One rule for every front end: an argument the kernel refuses
            // (netlink or system call) is the same kind as one refused here.
            Errno::EINVAL | Errno::ERANGE => ErrorKind::InvalidArgument,
            _ => fallback,
        }
    }

    /// The `errno` this kind stands for when an error carries none of its own
    /// (one refused before reaching the kernel, e.g. a bad name): `ENOENT`,
    /// `EEXIST`, `EPERM`, `EINVAL` (also for a stale entry: what `setns`
    /// says of it), `EBUSY`, `EOPNOTSUPP`, `EPROTO` for a malformed reply;
    /// `None` for the others. The C library's `netns_last_errno`, Python's
    /// `OSError.errno` and `From<Error> for std::io::Error` use it.
    pub fn errno(self) -> Option<Errno> {
        Some(match self {
            ErrorKind::NotFound => Errno::ENOENT,
            ErrorKind::AlreadyExists => Errno::EEXIST,
            ErrorKind::PermissionDenied => Errno::EPERM,
            ErrorKind::InvalidName | ErrorKind::InvalidArgument | ErrorKind::Stale => Errno::EINVAL,
            ErrorKind::Busy => Errno::EBUSY,
            ErrorKind::Unsupported => Errno::EOPNOTSUPP,
            ErrorKind::Protocol => Errno::EPROTO,
            _ => return None,
        })
    }
}

/// A Linux capability an operation needs; named in permission errors.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// Mounting, `setns`, `unshare(CLONE_NEWNET)`.
    SysAdmin,
    /// Changing links, addresses, routes, nsids.
    NetAdmin,
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Capability::SysAdmin => "CAP_SYS_ADMIN",
            Capability::NetAdmin => "CAP_NET_ADMIN",
        })
    }
}

/// The error of every fallible operation in this crate.
///
/// `Display` gives one line: `cannot OP OBJECT: REASON[ (kernel: TEXT)]`.
///
/// Where a `std::io::Error` was the cause ([`Error::io`]), [`source`] returns
/// it. An `Error` converts into a `std::io::Error` (`?` in a function
/// returning `io::Result`) whose [`kind`] follows the errno and whose inner
/// error is this one, errno and all:
///
/// ```
/// use netns_core::{Errno, Error};
/// let e = Error::sys(Errno::ESRCH, "open", "network namespace of process 999999");
/// let io = std::io::Error::from(e);
/// assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
/// let inner = io.get_ref().and_then(|e| e.downcast_ref::<Error>()).unwrap();
/// assert_eq!(inner.errno(), Some(Errno::ESRCH));
/// assert_eq!(io.to_string(), "cannot open network namespace of process 999999: not found");
/// ```
///
/// [`source`]: std::error::Error::source
/// [`kind`]: std::io::Error::kind
#[derive(Debug, Clone)]
pub struct Error {
    kind: ErrorKind,
    op: &'static str,
    object: Cow<'static, str>,
    errno: Option<Errno>,
    // Boxed strings (16 bytes, not 24): errors travel in `Result`s, keep them small.
    kernel_message: Option<Box<str>>,
    kernel_offset: Option<u32>,
    capability: Option<Capability>,
    detail: Option<Box<str>>,
    /// The `std::io::Error` this one was made from ([`Error::io`]).
    source: Option<Arc<std::io::Error>>,
}

/// `Result<T, netns_core::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` for operation `op` on `object`.
    pub fn new(kind: ErrorKind, op: &'static str, object: impl Into<Cow<'static, str>>) -> Self {
        Error {
            kind,
            op,
            object: object.into(),
            errno: None,
            kernel_message: None,
            kernel_offset: None,
            capability: None,
            detail: None,
            source: None,
        }
    }

    /// A failed system call: the kind follows from `errno` ([`ErrorKind::Io`] when
    /// it has no class of its own).
    pub fn sys(errno: Errno, op: &'static str, object: impl Into<Cow<'static, str>>) -> Self {
        let mut e = Error::new(ErrorKind::from_errno(errno, ErrorKind::Io), op, object);
        e.errno = Some(errno);
        e
    }

    /// A netlink request the kernel refused with `errno` and, if it said more,
    /// its extended-ack text and the offset of the offending attribute. An
    /// `EPERM`/`EACCES` names `CAP_NET_ADMIN`, which every rtnetlink change needs.
    pub fn kernel(
        errno: Errno,
        message: Option<String>,
        offset: Option<u32>,
        op: &'static str,
        object: impl Into<Cow<'static, str>>,
    ) -> Self {
        let mut e = Error::new(ErrorKind::from_errno(errno, ErrorKind::Kernel), op, object);
        e.errno = Some(errno);
        e.kernel_message = message
            .filter(|m| !m.is_empty())
            .map(String::into_boxed_str);
        e.kernel_offset = offset;
        if e.kind == ErrorKind::PermissionDenied {
            e.capability = Some(Capability::NetAdmin);
        }
        e
    }

    /// A failure of `std::io` (which carries an OS errno when there was
    /// one); [`std::error::Error::source`] gives it back (the OS error as
    /// such, or the same kind and text).
    pub fn io(
        err: &std::io::Error,
        op: &'static str,
        object: impl Into<Cow<'static, str>>,
    ) -> Self {
        let (mut e, source) = match err.raw_os_error() {
            Some(code) => (
                Error::sys(Errno::from_raw(code), op, object),
                std::io::Error::from_raw_os_error(code),
            ),
            None => (
                Error::new(ErrorKind::Io, op, object).with_detail(err.to_string()),
                std::io::Error::new(err.kind(), err.to_string()),
            ),
        };
        e.source = Some(Arc::new(source));
        e
    }

    /// Adds the capability the operation needs; shown when the kind is
    /// [`ErrorKind::PermissionDenied`].
    pub fn with_capability(mut self, cap: Capability) -> Self {
        self.capability = Some(cap);
        self
    }

    /// Adds a free-form explanation, shown after the reason (e.g. what holds a
    /// busy mount, or which step of a multi-step call failed).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into().into_boxed_str());
        self
    }

    /// Replaces the kind (for a caller that knows better, e.g. `EINVAL` from
    /// `setns` on a file that is not a namespace means "stale").
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Replaces the operation and object, keeping the cause (used when a
    /// lower layer's error is reported as part of a higher-level call).
    pub fn context(mut self, op: &'static str, object: impl Into<Cow<'static, str>>) -> Self {
        self.op = op;
        self.object = object.into();
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    /// The operation that failed, e.g. `"add"`.
    pub fn operation(&self) -> &str {
        self.op
    }
    /// The object the operation was applied to, e.g. `network namespace "blue"`.
    pub fn object(&self) -> &str {
        &self.object
    }
    /// The `errno` behind the failure, when there was one.
    pub fn errno(&self) -> Option<Errno> {
        self.errno
    }
    /// The kernel's extended-ack message (`NLMSGERR_ATTR_MSG`), when it sent one.
    pub fn kernel_message(&self) -> Option<&str> {
        self.kernel_message.as_deref()
    }
    /// The offset of the offending attribute in the request (`NLMSGERR_ATTR_OFFS`).
    pub fn kernel_offset(&self) -> Option<u32> {
        self.kernel_offset
    }
    /// The capability the operation needs, when a permission error is about one.
    pub fn capability(&self) -> Option<Capability> {
        self.capability
    }
    /// Whether this is a device named by the caller that does not exist or
    /// cannot (`cannot find device "veth9"`), found while resolving a spec's names,
    /// before its operation was sent: iproute2's `Cannot find device`, which
    /// `ip address` and `ip route` report with status 1, not 2.
    pub fn is_lookup(&self) -> bool {
        self.op == crate::link::OP_FIND
    }
    /// The extra explanation, if any.
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot {} {}: ", self.op, self.object)?;
        match (self.kind.phrase(), self.errno) {
            (Some(p), _) => f.write_str(p)?,
            (None, Some(errno)) => f.write_str(errno.desc())?,
            (None, None) => f.write_str(match self.kind {
                ErrorKind::InvalidArgument => "invalid argument",
                ErrorKind::Protocol => "malformed reply from the kernel",
                _ => "failed",
            })?,
        }
        if self.kind == ErrorKind::PermissionDenied {
            if let Some(cap) = self.capability {
                write!(f, " (needs {cap})")?;
            }
        }
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        if let Some(m) = &self.kernel_message {
            write!(f, " (kernel: {m})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<Error> for std::io::Error {
    /// An `io::Error` of the kind std gives the errno the error's kind
    /// stands for ([`ErrorKind::errno`]: `NotFound` for an `ESRCH` too), else
    /// the errno the error carries (`ENETUNREACH`: `NetworkUnreachable`),
    /// holding `e` itself: `get_ref()` and a downcast to [`Error`] give back
    /// the errno, the kernel's text, the operation and the object; its
    /// `Display` is `e`'s.
    fn from(e: Error) -> std::io::Error {
        let kind = match e.kind.errno().or(e.errno) {
            Some(errno) => std::io::Error::from_raw_os_error(errno as i32).kind(),
            None => std::io::ErrorKind::Other,
        };
        std::io::Error::new(kind, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_operation_object_and_reason() {
        let e = Error::sys(Errno::EEXIST, "add", "network namespace \"x\"");
        assert_eq!(
            e.to_string(),
            "cannot add network namespace \"x\": already exists"
        );
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
    }

    #[test]
    fn kernel_errors_carry_errno_text_and_ext_ack() {
        let e = Error::kernel(
            Errno::ENETUNREACH,
            Some("Nexthop has invalid gateway".into()),
            None,
            "add",
            "route default via 10.9.9.9",
        );
        assert_eq!(
            e.to_string(),
            "cannot add route default via 10.9.9.9: Network is unreachable (kernel: Nexthop has invalid gateway)"
        );
        assert_eq!(e.kind(), ErrorKind::Kernel);
        assert_eq!(e.errno(), Some(Errno::ENETUNREACH));
    }

    #[test]
    fn permission_errors_name_the_capability() {
        let e = Error::sys(Errno::EPERM, "add", "network namespace \"x\"")
            .with_capability(Capability::SysAdmin);
        assert_eq!(
            e.to_string(),
            "cannot add network namespace \"x\": permission denied (needs CAP_SYS_ADMIN)"
        );
    }

    #[test]
    fn kernel_permission_errors_name_cap_net_admin() {
        let e = Error::kernel(Errno::EPERM, None, None, "add", "link \"v0\"");
        assert_eq!(
            e.to_string(),
            "cannot add link \"v0\": permission denied (needs CAP_NET_ADMIN)"
        );
    }

    #[test]
    fn einval_and_erange_are_argument_errors_from_the_kernel_and_from_syscalls() {
        for errno in [Errno::EINVAL, Errno::ERANGE] {
            let kernel = Error::kernel(errno, Some("MTU too big".into()), None, "set", "x");
            assert_eq!(kernel.kind(), ErrorKind::InvalidArgument);
            assert_eq!(kernel.errno(), Some(errno));
            assert_eq!(
                Error::sys(errno, "set", "x").kind(),
                ErrorKind::InvalidArgument
            );
        }
        let e = Error::kernel(Errno::EINVAL, Some("MTU too big".into()), None, "set", "x");
        assert_eq!(
            e.to_string(),
            "cannot set x: Invalid argument (kernel: MTU too big)"
        );
    }

    #[test]
    fn into_io_error_keeps_the_kind_the_errno_and_the_message() {
        let e = Error::kernel(Errno::EINVAL, None, None, "set", "link \"v0\"");
        let io = std::io::Error::from(e);
        assert_eq!(io.kind(), std::io::ErrorKind::InvalidInput);
        let inner = io.get_ref().and_then(|e| e.downcast_ref::<Error>());
        assert_eq!(inner.and_then(Error::errno), Some(Errno::EINVAL));
        assert!(io.to_string().starts_with("cannot set link \"v0\": "));
        // An error with no errno of its own: the one its kind stands for.
        let e = Error::new(ErrorKind::AlreadyExists, "add", "network namespace \"x\"");
        assert_eq!(
            std::io::Error::from(e).kind(),
            std::io::ErrorKind::AlreadyExists
        );
        let e = Error::new(ErrorKind::Interrupted, "list", "links");
        assert_eq!(std::io::Error::from(e).kind(), std::io::ErrorKind::Other);
        // The kind's errno first (std has no kind of its own for ESRCH), else the error's.
        let e = Error::sys(Errno::ESRCH, "open", "process 9");
        assert_eq!(std::io::Error::from(e).kind(), std::io::ErrorKind::NotFound);
        let e = Error::kernel(Errno::ENETUNREACH, None, None, "add", "route");
        assert_eq!(
            std::io::Error::from(e).kind(),
            std::io::ErrorKind::NetworkUnreachable
        );
    }

    #[test]
    fn source_is_the_io_error_it_was_made_from() {
        use std::error::Error as _;
        let os = std::io::Error::from_raw_os_error(Errno::ENOENT as i32);
        let e = Error::io(&os, "open", "file");
        assert_eq!(e.kind(), ErrorKind::NotFound);
        let source = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(
            source.and_then(std::io::Error::raw_os_error),
            Some(Errno::ENOENT as i32)
        );
        let other = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "short read");
        let e = Error::io(&other, "read", "file");
        let source = e.source().and_then(|s| s.downcast_ref::<std::io::Error>());
        assert_eq!(
            source.map(std::io::Error::kind),
            Some(std::io::ErrorKind::UnexpectedEof)
        );
        assert!(Error::sys(Errno::EEXIST, "add", "x").source().is_none());
    }

    #[test]
    fn every_kind_with_an_errno_maps_back_to_itself() {
        for kind in [
            ErrorKind::NotFound,
            ErrorKind::AlreadyExists,
            ErrorKind::PermissionDenied,
            ErrorKind::InvalidArgument,
            ErrorKind::Busy,
            ErrorKind::Unsupported,
        ] {
            let errno = kind.errno().unwrap();
            assert_eq!(ErrorKind::from_errno(errno, ErrorKind::Kernel), kind);
        }
    }
}
