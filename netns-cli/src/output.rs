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
