//! IPAM: the built-in host-local compatible allocator, or delegation to the
//! plugin named by `ipam.type` on `CNI_PATH`.
//!
//! `ipam.type` `"host-local"` (or `"netns-host-local"`) selects the
//! built-in allocator: it reads the same keys and shares the same store as
//! the reference plugin, without a process per call. Any other type is run
//! as a plugin.

pub mod delegate;
pub mod host_local;
pub mod store;

use std::collections::BTreeSet;
use std::net::IpAddr;

use crate::config::{NetConf, ValidAttachment};
use crate::env::{Command, Env};
use crate::error::{code, CniError, Result};
use crate::spec::CniResult;

pub use delegate::Delegate;
pub use host_local::HostLocal;

/// The `ipam.type` names served by the built-in allocator.
pub const BUILTIN_TYPES: &[&str] = &["host-local", "netns-host-local"];

/// The IPAM of a network.
#[derive(Debug, Clone)]
pub enum Ipam {
    /// The built-in allocator.
    Builtin(HostLocal),
    /// A plugin on `CNI_PATH`.
    Delegate(Delegate),
}

impl Ipam {
    /// The IPAM of `conf`, checked (a built-in configuration fully; a
    /// delegate is found on `CNI_PATH`); `None` without an `ipam` section.
    ///
    /// # Errors
    /// Code 7 for a bad configuration or a plugin not found.
    pub fn of(conf: &NetConf, env: &Env) -> Result<Option<Ipam>> {
        let Some(section) = &conf.ipam else {
            return Ok(None);
        };
        let kind = match section.get("type") {
            Some(serde_json::Value::String(s)) => s.as_str(),
            _ => return Err(crate::config::invalid("ipam: missing type")),
        };
        if BUILTIN_TYPES.contains(&kind) {
            Ok(Some(Ipam::Builtin(HostLocal::parse(section, &conf.name)?)))
        } else {
            Ok(Some(Ipam::Delegate(Delegate::find(
                kind,
                &env.plugin_dirs(),
            )?)))
        }
    }

    /// ADD: one address per range set (built-in), or the delegate's result.
    /// A result without any address is refused (and released).
    ///
    /// # Errors
    /// As [`HostLocal::allocate`] / [`Delegate::add`].
    pub fn add(&self, conf: &NetConf, id: &str, ifname: &str, env: &Env) -> Result<CniResult> {
        let result = match self {
            Ipam::Builtin(h) => h.allocate(id, ifname, &requested_ips(env)?)?,
            Ipam::Delegate(d) => d.add(&conf.bytes)?,
        };
        if result.ips.is_empty() {
            let _ = self.del(conf, id, ifname);
            return Err(CniError::new(
                code::INVALID_CONFIG,
                "IPAM plugin returned missing IP config",
            ));
        }
        Ok(result)
    }

    /// DEL: releases the attachment's addresses (idempotent).
    ///
    /// # Errors
    /// As [`HostLocal::release`] / [`Delegate::call`].
    pub fn del(&self, conf: &NetConf, id: &str, ifname: &str) -> Result<()> {
        match self {
            Ipam::Builtin(h) => h.release(id, ifname),
            Ipam::Delegate(d) => d.call(Command::Del, &conf.bytes),
        }
    }

    /// CHECK.
    ///
    /// # Errors
    /// As [`HostLocal::check`] / [`Delegate::call`].
    pub fn check(&self, conf: &NetConf, id: &str, ifname: &str) -> Result<()> {
        match self {
            Ipam::Builtin(h) => h.check(id, ifname),
            Ipam::Delegate(d) => d.call(Command::Check, &conf.bytes),
        }
    }

    /// GC: releases allocations of attachments outside `valid`.
    ///
    /// # Errors
    /// As [`HostLocal::gc`] / [`Delegate::call`].
    pub fn gc(&self, conf: &NetConf, valid: &BTreeSet<ValidAttachment>) -> Result<()> {
        match self {
            Ipam::Builtin(h) => h.gc(valid).map(|_| ()),
            Ipam::Delegate(d) => d.call(Command::Gc, &conf.bytes),
        }
    }

    /// STATUS.
    ///
    /// # Errors
    /// As [`HostLocal::status`] / [`Delegate::call`].
    pub fn status(&self, conf: &NetConf) -> Result<()> {
        match self {
            Ipam::Builtin(h) => h.status(),
            Ipam::Delegate(d) => d.call(Command::Status, &conf.bytes),
        }
    }
}

/// The addresses asked for with `CNI_ARGS` `IP=A[,B]` (host-local's key).
///
/// # Errors
/// Code 4 for a value that is not a list of addresses.
fn requested_ips(env: &Env) -> Result<Vec<IpAddr>> {
    let args = env.cni_args()?;
    let Some(list) = args.get("IP") else {
        return Ok(Vec::new());
    };
    list.split(',')
        .map(|s| {
            let s = s.trim();
            let s = s.split_once('/').map_or(s, |(a, _)| a);
            s.parse().map_err(|_| {
                CniError::new(code::INVALID_ENV, format!("CNI_ARGS: invalid IP {s:?}"))
            })
        })
        .collect()
}
