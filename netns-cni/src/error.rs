//! The plugin's one error type, [`CniError`]: the spec's `{code, msg,
//! details}`, printed on stdout with a non-zero exit status. Errors of
//! netns-core are translated here, once ([`From<netns_core::Error>`]).

use std::fmt;

use netns_core::ErrorKind;
use serde::Serialize;

/// The spec's well-known error codes (0–99) and this plugin's own (100+).
pub mod code {
    /// Incompatible CNI version.
    pub const INCOMPATIBLE_VERSION: u32 = 1;
    /// Unsupported field in the network configuration: a field this plugin
    /// knows but does not implement (e.g. `vlan`).
    pub const UNSUPPORTED_FIELD: u32 = 2;
    /// Container unknown or does not exist (e.g. the network namespace path
    /// names nothing).
    pub const UNKNOWN_CONTAINER: u32 = 3;
    /// Invalid necessary environment variables (`CNI_COMMAND`,
    /// `CNI_CONTAINERID`, `CNI_IFNAME` …).
    pub const INVALID_ENV: u32 = 4;
    /// I/O failure (the IPAM store, running a delegated plugin).
    pub const IO: u32 = 5;
    /// Failed to decode content (stdin is not JSON, a delegate's output is
    /// not a result).
    pub const DECODE: u32 = 6;
    /// Invalid network configuration (a value refused before the kernel).
    pub const INVALID_CONFIG: u32 = 7;
    /// Try again later (the IPAM store is locked past the wait).
    pub const TRY_AGAIN: u32 = 11;
    /// STATUS: the plugin cannot service ADD.
    pub const NOT_AVAILABLE: u32 = 50;
    /// STATUS: limited connectivity.
    pub const LIMITED_CONNECTIVITY: u32 = 51;
    /// The kernel refused a request (errno and its extended-ack text in
    /// `details`).
    pub const KERNEL: u32 = 100;
    /// The IPAM ranges have no free address.
    pub const NO_ADDRESS: u32 = 101;
    /// Already attached: the container interface or an allocation for this
    /// container and interface exists.
    pub const ALREADY_ATTACHED: u32 = 102;
    /// CHECK found the attachment different from its `prevResult`.
    pub const CHECK_FAILED: u32 = 103;
}

/// An error as the spec prints it: `{"cniVersion", "code", "msg", "details"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CniError {
    /// The error code ([`code`]).
    pub code: u32,
    /// A short message.
    pub msg: String,
    /// The long form, when there is more to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
}

/// What the plugin's functions return.
pub type Result<T, E = CniError> = std::result::Result<T, E>;

impl CniError {
    /// An error with `code` and `msg`.
    pub fn new(code: u32, msg: impl Into<String>) -> CniError {
        CniError {
            code,
            msg: msg.into(),
            details: None,
        }
    }

    /// Adds the long form.
    pub fn with_details(mut self, details: impl Into<String>) -> CniError {
        self.details = Some(details.into());
        self
    }

    /// Replaces the code (where the caller knows better what a failure
    /// means, e.g. a missing namespace file is an unknown container).
    pub fn with_code(mut self, code: u32) -> CniError {
        self.code = code;
        self
    }

    /// An I/O failure while doing `what` (the IPAM store, a delegate).
    pub fn io(what: impl fmt::Display, e: &std::io::Error) -> CniError {
        CniError::new(code::IO, format!("{what}: {e}"))
    }

    /// Prefixes the message with what was being done.
    pub fn context(mut self, what: impl fmt::Display) -> CniError {
        self.msg = format!("{what}: {}", self.msg);
        self
    }

    /// The JSON the spec prints on stdout, in `cni_version`.
    pub fn to_json(&self, cni_version: &str) -> serde_json::Value {
        let mut v = serde_json::json!({
            "cniVersion": cni_version,
            "code": self.code,
            "msg": self.msg,
        });
        if let (Some(d), Some(obj)) = (&self.details, v.as_object_mut()) {
            obj.insert("details".into(), d.clone().into());
        }
        v
    }
}

impl fmt::Display for CniError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.msg, self.code)?;
        if let Some(d) = &self.details {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CniError {}

impl From<netns_core::Error> for CniError {
    /// The one translation of the library's errors: its message (operation,
    /// object, errno text and the kernel's extended-ack text) becomes `msg`;
    /// the errno and the kind go to `details`; system-call failures are I/O
    /// failures, bad arguments invalid configuration, the rest kernel
    /// refusals.
    fn from(e: netns_core::Error) -> CniError {
        let code = match e.kind() {
            ErrorKind::Io => code::IO,
            ErrorKind::InvalidArgument | ErrorKind::InvalidName => code::INVALID_CONFIG,
            _ => code::KERNEL,
        };
        let mut details = format!("kind {:?}", e.kind());
        if let Some(errno) = e.errno() {
            details.push_str(&format!(", errno {} ({})", errno as i32, errno));
        }
        if let Some(m) = e.kernel_message() {
            details.push_str(&format!(", kernel: {m}"));
        }
        CniError::new(code, e.to_string()).with_details(details)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netns_core::{Errno, Error};

    /// A kernel `EEXIST` is a kernel refusal (100), as any other: code 102
    /// ("already attached") is only for what the plugin itself finds
    /// attached (a podman `network connect` once failed with 102 on a
    /// route that existed).
    #[test]
    fn kernel_eexist_is_a_kernel_refusal() {
        let e = Error::kernel(
            Errno::EEXIST,
            Some("File exists".into()),
            None,
            "add route",
            "0.0.0.0/0 via 10.89.2.1",
        );
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
        let c = CniError::from(e);
        assert_eq!(c.code, code::KERNEL);
        assert!(
            c.details.as_deref().unwrap_or_default().contains("EEXIST"),
            "{c}"
        );
        let gone = Error::kernel(Errno::ENODEV, None, None, "set up", "eth0");
        assert_eq!(CniError::from(gone).code, code::KERNEL);
        let bad = Error::new(ErrorKind::InvalidArgument, "parse", "MAC address");
        assert_eq!(CniError::from(bad).code, code::INVALID_CONFIG);
    }
}
