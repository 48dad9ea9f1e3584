//! Per-namespace network sysctls (`net.ipv4.ip_forward`,
//! `net.ipv6.conf.all.forwarding`, `net.ipv4.conf.veth0.rp_filter` …), read
//! and written inside the namespace.
//!
//! # Mechanism
//!
//! The files under `/proc/sys/net/` belong to the network namespace of the
//! **thread** that looks them up: the kernel resolves the `net` sysctl tree
//! through `current->nsproxy->net_ns` (`net_ctl_header_lookup`) and refuses to
//! reuse a cached entry seen from another namespace (`sysctl_is_seen`). This
//! was checked on this machine (kernel 6.18, see
//! `netns-core/tests/addr_route_kernel.rs`): a thread that entered a namespace
//! with `setns` reads that namespace's values through plain
//! `/proc/sys/net/...`, while the process's other threads keep reading their
//! own — no `/proc/thread-self` detour is needed, unlike `/proc/net`, which
//! follows the thread-group leader. So [`NetNs::sysctl_get`] and
//! [`NetNs::sysctl_set`] open and read or write the file on the short-lived
//! thread of [`NetNs::run`]; the caller's thread never moves.
//!
//! # Keys
//!
//! A key is written as `sysctl(8)` takes it: dotted (`net.ipv4.ip_forward`),
//! or, when it contains a `/`, with `/` as the separator so that an interface
//! name with dots stays whole (`net/ipv4/conf/eth0.100/rp_filter`). It must be
//! under `net`; empty components, `.` and `..` are refused, so a key can never
//! name a file outside `/proc/sys/net`.
//!
//! # Examples
//! ```no_run
//! let ns = netns_core::NetNs::new_anonymous()?;
//! ns.sysctl_set("net.ipv4.ip_forward", "1")?;
//! assert_eq!(ns.sysctl_get("net.ipv4.ip_forward")?, "1");
//! # Ok::<(), netns_core::Error>(())
//! ```

use std::io::{Read, Write};
use std::path::PathBuf;

use crate::{Error, ErrorKind, NetNs, Result};

/// Where the sysctl tree is mounted.
const PROC_SYS: &str = "/proc/sys";

/// The file of a network sysctl key, checked: `net.ipv4.ip_forward` →
/// `/proc/sys/net/ipv4/ip_forward`.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a key outside `net`, with an empty,
/// `.` or `..` component, or with a NUL byte.
pub fn sysctl_path(key: &str) -> Result<PathBuf> {
    let bad = |why: &str| {
        Error::new(ErrorKind::InvalidArgument, "use", format!("sysctl {key:?}"))
            .with_detail(why.to_string())
    };
    if key.contains('\0') {
        return Err(bad("a key has no NUL byte"));
    }
    let sep = if key.contains('/') { '/' } else { '.' };
    let mut path = PathBuf::from(PROC_SYS);
    for (i, part) in key.split(sep).enumerate() {
        if part.is_empty() || part == "." || part == ".." {
            return Err(bad("empty, '.' and '..' components are refused"));
        }
        if i == 0 && part != "net" {
            return Err(bad("only network sysctls (net.…) are per namespace"));
        }
        path.push(part);
    }
    if path.components().count() < 5 {
        // "/", "proc", "sys", "net", and at least one more.
        return Err(bad("a key names a file under net"));
    }
    Ok(path)
}

/// Reads `key` in the calling thread's network namespace (the value without
/// its trailing newline).
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] for a bad key, [`ErrorKind::NotFound`] when
/// the namespace has no such sysctl (e.g. an interface that is elsewhere),
/// or the error of reading the file.
pub fn get(key: &str) -> Result<String> {
    let path = sysctl_path(key)?;
    let fail = |e: std::io::Error| Error::io(&e, "read", format!("sysctl {key}"));
    let mut text = String::new();
    std::fs::File::open(&path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(fail)?;
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

/// Writes `value` to `key` in the calling thread's network namespace (one
/// `write` of the value followed by a newline, as `sysctl -w` does).
///
/// # Errors
/// As [`get`]; the kernel refuses values it does not accept with `EINVAL`
/// ([`ErrorKind::InvalidArgument`]).
pub fn set(key: &str, value: &str) -> Result<()> {
    let path = sysctl_path(key)?;
    let fail = |e: std::io::Error| Error::io(&e, "set", format!("sysctl {key} to {value:?}"));
    let mut line = String::with_capacity(value.len() + 1);
    line.push_str(value);
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .map_err(fail)?;
    file.write_all(line.as_bytes()).map_err(fail)
}

impl NetNs {
    /// Reads the network sysctl `key` of this namespace, on a short-lived
    /// thread inside it ([`NetNs::run`]); see the [module docs](crate::sysctl).
    ///
    /// # Errors
    /// As [`get`], and the errors of entering the namespace.
    #[doc(alias = "sysctl")]
    pub fn sysctl_get(&self, key: &str) -> Result<String> {
        sysctl_path(key)?;
        self.run(|| get(key))?
    }

    /// Writes the network sysctl `key` of this namespace, on a short-lived
    /// thread inside it.
    ///
    /// # Errors
    /// As [`set`], and the errors of entering the namespace.
    #[doc(alias = "sysctl")]
    pub fn sysctl_set(&self, key: &str, value: &str) -> Result<()> {
        sysctl_path(key)?;
        self.run(|| set(key, value))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_paths_under_proc_sys_net() {
        let p = |k: &str| {
            sysctl_path(k)
                .map(|p| p.display().to_string())
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            p("net.ipv4.ip_forward").as_deref(),
            Ok("/proc/sys/net/ipv4/ip_forward")
        );
        assert_eq!(
            p("net/ipv4/conf/eth0.100/rp_filter").as_deref(),
            Ok("/proc/sys/net/ipv4/conf/eth0.100/rp_filter")
        );
        for bad in [
            "kernel.hostname",
            "net",
            "net.",
            "net..ipv4",
            "net/../kernel/x",
            "net.ipv4./x",
            "",
            "net/./x",
        ] {
            assert!(p(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(
            p("kernel.hostname").err().as_deref(),
            Some("cannot use sysctl \"kernel.hostname\": invalid argument: only network sysctls (net.…) are per namespace")
        );
    }
}
