//! `netns`: create, wire and inspect Linux network namespaces, with
//! iproute2's `ip netns` arguments, output and exit codes. The parsing and
//! the commands live in the `netns_cli` library.
#![deny(unsafe_code)]

use std::ffi::OsString;
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<OsString> = std::env::args_os().collect();
    ExitCode::from(netns_cli::main_with(&argv))
}
