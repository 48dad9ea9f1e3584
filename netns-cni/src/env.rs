//! The `CNI_*` environment variables, read once and checked per command
//! before anything touches the system.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use crate::error::{code, CniError, Result};

/// The operation asked for in `CNI_COMMAND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// Attach a container to the network.
    Add,
    /// Detach it (idempotent).
    Del,
    /// Check an attachment against its `prevResult`.
    Check,
    /// Report the supported versions.
    Version,
    /// Report whether ADD can be served (1.1.0).
    Status,
    /// Release what attachments outside `cni.dev/valid-attachments` hold (1.1.0).
    Gc,
}

impl Command {
    /// Parses the spec's names (`ADD`, `DEL`, `CHECK`, `VERSION`, `STATUS`, `GC`).
    pub fn parse(s: &str) -> Option<Command> {
        Some(match s {
            "ADD" => Command::Add,
            "DEL" => Command::Del,
            "CHECK" => Command::Check,
            "VERSION" => Command::Version,
            "STATUS" => Command::Status,
            "GC" => Command::Gc,
            _ => return None,
        })
    }

    /// The spec's name.
    pub fn name(self) -> &'static str {
        match self {
            Command::Add => "ADD",
            Command::Del => "DEL",
            Command::Check => "CHECK",
            Command::Version => "VERSION",
            Command::Status => "STATUS",
            Command::Gc => "GC",
        }
    }
}

/// The plugin's parameters, as the runtime set them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// `CNI_COMMAND`.
    pub command: Option<String>,
    /// `CNI_CONTAINERID`.
    pub container_id: Option<String>,
    /// `CNI_NETNS`: a path such as `/var/run/netns/X` or `/proc/PID/ns/net`.
    pub netns: Option<PathBuf>,
    /// `CNI_IFNAME`: the interface to create inside the container.
    pub ifname: Option<String>,
    /// `CNI_ARGS`: `KEY=VALUE;…`.
    pub args: Option<String>,
    /// `CNI_PATH`: where plugins (delegated IPAM) are looked up.
    pub path: Option<OsString>,
}

impl Env {
    /// Reads the `CNI_*` variables of this process (unset and empty are the
    /// same, as in the reference runtime).
    pub fn from_process() -> Env {
        let get = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        let text = |k: &str| get(k).map(|v| v.to_string_lossy().into_owned());
        Env {
            command: text("CNI_COMMAND"),
            container_id: text("CNI_CONTAINERID"),
            netns: get("CNI_NETNS").map(PathBuf::from),
            ifname: text("CNI_IFNAME"),
            args: text("CNI_ARGS"),
            path: get("CNI_PATH"),
        }
    }

    /// The command, checked.
    ///
    /// # Errors
    /// Code 4 when `CNI_COMMAND` is missing or unknown.
    pub fn command(&self) -> Result<Command> {
        let c = self
            .command
            .as_deref()
            .ok_or_else(|| missing(&["CNI_COMMAND"]))?;
        Command::parse(c)
            .ok_or_else(|| CniError::new(code::INVALID_ENV, format!("unknown CNI_COMMAND: {c}")))
    }

    /// The attachment of ADD/DEL/CHECK: container id and interface name,
    /// checked as libcni checks them; with `netns_required`, `CNI_NETNS` too.
    ///
    /// # Errors
    /// Code 4 for a missing or malformed variable.
    pub fn attachment(&self, netns_required: bool) -> Result<(String, String)> {
        let mut absent = Vec::new();
        if self.container_id.is_none() {
            absent.push("CNI_CONTAINERID");
        }
        if netns_required && self.netns.is_none() {
            absent.push("CNI_NETNS");
        }
        if self.ifname.is_none() {
            absent.push("CNI_IFNAME");
        }
        if !absent.is_empty() {
            return Err(missing(&absent));
        }
        let id = self.container_id.clone().unwrap_or_default();
        let ifname = self.ifname.clone().unwrap_or_default();
        validate_container_id(&id)?;
        validate_ifname(&ifname)?;
        Ok((id, ifname))
    }

    /// `CNI_ARGS` as key/value pairs.
    ///
    /// # Errors
    /// Code 4 for a pair without `=`.
    pub fn cni_args(&self) -> Result<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for pair in self.args.as_deref().unwrap_or("").split(';') {
            if pair.is_empty() {
                continue;
            }
            let (k, v) = pair.split_once('=').ok_or_else(|| {
                CniError::new(
                    code::INVALID_ENV,
                    format!("CNI_ARGS: invalid pair {pair:?}"),
                )
                .with_details("CNI_ARGS is KEY=VALUE pairs separated by ';'")
            })?;
            out.insert(k.to_string(), v.to_string());
        }
        Ok(out)
    }

    /// The directories of `CNI_PATH`.
    pub fn plugin_dirs(&self) -> Vec<PathBuf> {
        self.path
            .as_ref()
            .map(|p| {
                std::env::split_paths(p)
                    .filter(|d| !d.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn missing(names: &[&str]) -> CniError {
    CniError::new(
        code::INVALID_ENV,
        format!("required env variables [{}] missing", names.join(" ")),
    )
}

/// Checks a container id as libcni does: a letter or digit, then letters,
/// digits, `_`, `.` and `-`.
///
/// # Errors
/// Code 4.
pub fn validate_container_id(id: &str) -> Result<()> {
    if is_identifier(id) {
        Ok(())
    } else {
        Err(
            CniError::new(code::INVALID_ENV, "invalid characters in containerID").with_details(
                format!("{id:?}: a letter or digit first, then letters, digits, '_', '.' or '-'"),
            ),
        )
    }
}

/// Whether `s` is a letter or digit followed by letters, digits, `_`, `.`
/// and `-` (container ids and network names).
pub fn is_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphanumeric())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

/// Checks an interface name as libcni does (and as the kernel will): 1 to
/// 15 bytes, not `.` or `..`, no `/`, `:` or whitespace.
///
/// # Errors
/// Code 4.
pub fn validate_ifname(name: &str) -> Result<()> {
    let why = if name.is_empty() {
        Some("interface name is empty")
    } else if name.len() > 15 {
        Some("interface name is too long")
    } else if name == "." || name == ".." {
        Some("interface name is . or ..")
    } else if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace() || c == '\0')
    {
        Some("interface name contains an invalid character")
    } else {
        None
    };
    match why {
        Some(w) => {
            Err(CniError::new(code::INVALID_ENV, w).with_details(format!("CNI_IFNAME={name:?}")))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn attachment_checks_like_libcni() {
        let mut env = Env {
            command: Some("ADD".into()),
            container_id: Some("abc-1.2_x".into()),
            netns: Some("/run/netns/p".into()),
            ifname: Some("eth0".into()),
            ..Env::default()
        };
        assert_eq!(env.command().unwrap(), Command::Add);
        assert_eq!(
            env.attachment(true).unwrap(),
            ("abc-1.2_x".into(), "eth0".into())
        );
        env.netns = None;
        let e = env.attachment(true).unwrap_err();
        assert_eq!(
            (e.code, e.msg.as_str()),
            (4, "required env variables [CNI_NETNS] missing")
        );
        assert!(env.attachment(false).is_ok());
        env.container_id = Some("-bad".into());
        assert_eq!(env.attachment(false).unwrap_err().code, 4);
        env.container_id = Some("ok".into());
        for bad in ["", "a/b", "a:b", "a b", ".", "..", "0123456789abcdef"] {
            env.ifname = Some(bad.into());
            if bad.is_empty() {
                env.ifname = None;
            }
            assert_eq!(env.attachment(false).unwrap_err().code, 4, "{bad:?}");
        }
        env.command = Some("FROB".into());
        assert_eq!(env.command().unwrap_err().code, 4);
    }

    #[test]
    fn cni_args_pairs() {
        let env = Env {
            args: Some("IgnoreUnknown=1;IP=10.1.0.9;;K8S_POD_NAME=a=b".into()),
            ..Env::default()
        };
        let a = env.cni_args().unwrap();
        assert_eq!(a["IP"], "10.1.0.9");
        assert_eq!(a["K8S_POD_NAME"], "a=b");
        let env = Env {
            args: Some("novalue".into()),
            ..Env::default()
        };
        assert_eq!(env.cni_args().unwrap_err().code, 4);
    }
}
