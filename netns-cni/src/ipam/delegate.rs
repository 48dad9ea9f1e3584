//! Delegation to an IPAM plugin found on `CNI_PATH`, as the spec describes:
//! the plugin runs with this process's environment (`CNI_COMMAND` set to
//! the operation) and the same configuration on stdin; its result or error
//! comes back on its stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use serde::Deserialize;

use crate::config::invalid;
use crate::env::Command;
use crate::error::{code, CniError, Result};
use crate::spec::CniResult;

/// An IPAM plugin binary.
#[derive(Debug, Clone)]
pub struct Delegate {
    /// Its `ipam.type`.
    pub name: String,
    /// Where it was found.
    pub path: PathBuf,
}

#[derive(Deserialize)]
struct PluginError {
    code: u32,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    details: Option<String>,
}

impl Delegate {
    /// Finds plugin `name` in the directories of `CNI_PATH`.
    ///
    /// # Errors
    /// Code 7 for a name with a path separator, or when no directory holds
    /// it.
    pub fn find(name: &str, dirs: &[PathBuf]) -> Result<Delegate> {
        if name.is_empty()
            || name.contains('/')
            || name.contains('\\')
            || name == "."
            || name == ".."
        {
            return Err(invalid(format!("invalid ipam type {name:?}")));
        }
        dirs.iter()
            .map(|d| d.join(name))
            .find(|p| p.is_file())
            .map(|path| Delegate {
                name: name.to_string(),
                path,
            })
            .ok_or_else(|| {
                invalid(format!("failed to find plugin {name:?} in path {dirs:?}"))
                    .with_details("set CNI_PATH to the directories holding the IPAM plugin")
            })
    }

    /// Runs the plugin for `command` with `config` on stdin; its stdout on
    /// success.
    ///
    /// # Errors
    /// The plugin's own error (its code, its message prefixed with the
    /// plugin's name); code 5 when it cannot be run; code 6 when it failed
    /// without printing an error.
    pub fn run(&self, command: Command, config: &[u8]) -> Result<Vec<u8>> {
        let what = || format!("ipam plugin {}", self.name);
        let mut child = Process::new(&self.path)
            .env("CNI_COMMAND", command.name())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| CniError::io(format_args!("cannot run {}", self.path.display()), &e))?;
        if let Some(mut stdin) = child.stdin.take() {
            // A plugin may exit without reading; EPIPE is then not ours to report.
            let _ = stdin.write_all(config);
        }
        let out = child
            .wait_with_output()
            .map_err(|e| CniError::io(format_args!("cannot wait for {}", what()), &e))?;
        if out.status.success() {
            return Ok(out.stdout);
        }
        match serde_json::from_slice::<PluginError>(&out.stdout) {
            Ok(e) => Err(CniError {
                code: e.code,
                msg: format!("{}: {}", what(), e.msg),
                details: e.details,
            }),
            Err(_) => Err(CniError::new(
                code::DECODE,
                format!("{} failed ({})", what(), out.status),
            )
            .with_details(String::from_utf8_lossy(&out.stdout).into_owned())),
        }
    }

    /// ADD: the plugin's result.
    ///
    /// # Errors
    /// As [`Delegate::run`]; code 6 when the output is not a result.
    pub fn add(&self, config: &[u8]) -> Result<CniResult> {
        let out = self.run(Command::Add, config)?;
        let v: serde_json::Value = serde_json::from_slice(&out).map_err(|e| {
            CniError::new(
                code::DECODE,
                format!("cannot decode the result of ipam plugin {}", self.name),
            )
            .with_details(e.to_string())
        })?;
        CniResult::from_value(&v, "the ipam plugin's result")
    }

    /// Runs `command` (DEL, CHECK, GC, STATUS), ignoring its output.
    ///
    /// # Errors
    /// As [`Delegate::run`].
    pub fn call(&self, command: Command, config: &[u8]) -> Result<()> {
        self.run(command, config).map(|_| ())
    }

    /// The plugin's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
