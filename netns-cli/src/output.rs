//! Printing: ip-like text, or JSON with ip's field names.

use std::io::Write;

use netns_core::{Error, ErrorKind};
use serde::Serialize;

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
    pretty: bool,
}

impl Output {
    pub fn new(json: bool, pretty: bool) -> Self {
        Output { json, pretty }
    }

    pub fn json(&self) -> bool {
        self.json
    }

    /// Prints `value` as JSON (one document, newline-terminated).
    pub fn print_json<T: Serialize + ?Sized>(&self, value: &T) {
        let text = if self.pretty {
            serde_json::to_string_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        match text {
            Ok(t) => println!("{t}"),
            Err(e) => eprintln!("netns: cannot encode JSON: {e}"),
        }
    }

    /// Prints one line of text and flushes (for streams such as `monitor`).
    pub fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

/// Reports `err` on stderr and returns the exit status: 255 for a refused
/// name (as `ip netns`), `default` otherwise.
pub fn fail(err: &Error, default: u8) -> u8 {
    eprintln!("netns: {err}");
    if err.kind() == ErrorKind::InvalidName {
        255
    } else {
        default
    }
}

/// Why a command failed at execution: a core error and the exit status it
/// maps to (usage errors are refused earlier, by [`crate::parse`]).
pub struct Failure {
    error: Error,
    status: u8,
}

impl Failure {
    /// `error`, exiting with `status`.
    pub fn new(error: Error, status: u8) -> Failure {
        Failure { error, status }
    }

    /// Reports the error on stderr; returns the exit status.
    pub fn report(&self) -> u8 {
        fail(&self.error, self.status)
    }
}

/// Exit status for a device that does not exist (`ip link`'s).
pub const EXIT_NO_DEVICE: u8 = 1;
/// Exit status when the kernel (or the system) refuses (`ip`'s).
pub const EXIT_KERNEL: u8 = 2;

impl From<Error> for Failure {
    /// Exit status as `ip link`'s: 1 for a device that does not exist, 255
    /// for an argument refused before the kernel saw it, 2 for the kernel's
    /// refusals.
    fn from(e: Error) -> Failure {
        let status = match (e.kind(), e.errno()) {
            (ErrorKind::NotFound, _) => EXIT_NO_DEVICE,
            (ErrorKind::InvalidArgument | ErrorKind::InvalidName, None) => crate::EXIT_USAGE,
            _ => EXIT_KERNEL,
        };
        Failure { error: e, status }
    }
}

/// The result of executing a command.
pub type Outcome = Result<(), Failure>;

/// The exit status of an outcome, the failure reported.
pub fn status(outcome: Outcome) -> u8 {
    match outcome {
        Ok(()) => 0,
        Err(f) => f.report(),
    }
}
