//! The six commands: checks first (environment, configuration, IPAM
//! configuration, the namespace), then the work, undone on failure.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::attachment::Attachment;
use crate::config::{invalid, peek_version, NetConf, ValidAttachment};
use crate::env::{Command, Env};
use crate::error::{code, CniError, Result};
use crate::ipam::Ipam;
use crate::modes::{self, Ctx};
use crate::spec::{CniResult, Version, CURRENT_VERSION, SUPPORTED_VERSIONS};

/// What the plugin prints and its exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Bytes for stdout (a result, VERSION's answer, an error, or nothing).
    pub stdout: Vec<u8>,
    /// The exit status: 0 on success, 1 on error.
    pub status: i32,
}

/// Runs the command `env` names with `stdin` as the configuration.
pub fn run(env: &Env, stdin: &[u8]) -> Outcome {
    match dispatch(env, stdin) {
        Ok(None) => Outcome {
            stdout: Vec::new(),
            status: 0,
        },
        Ok(Some(v)) => Outcome {
            stdout: json_line(&v),
            status: 0,
        },
        Err(e) => {
            let version = peek_version(stdin)
                .filter(|v| SUPPORTED_VERSIONS.contains(&v.as_str()))
                .unwrap_or_else(|| CURRENT_VERSION.to_string());
            Outcome {
                stdout: json_line(&e.to_json(&version)),
                status: 1,
            }
        }
    }
}

fn json_line(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec(v).unwrap_or_default();
    out.push(b'\n');
    out
}

fn dispatch(env: &Env, stdin: &[u8]) -> Result<Option<Value>> {
    let command = env.command()?;
    if command == Command::Version {
        return Ok(Some(json!({
            "cniVersion": CURRENT_VERSION,
            "supportedVersions": SUPPORTED_VERSIONS,
        })));
    }
    let conf = NetConf::parse(stdin)?;
    let needs = |min: Version| {
        if conf.version < min {
            Err(CniError::new(
                code::INCOMPATIBLE_VERSION,
                format!("config version does not allow {}", command.name()),
            )
            .with_details(format!(
                "{} needs cniVersion {min} or later, config is {}",
                command.name(),
                conf.cni_version
            )))
        } else {
            Ok(())
        }
    };
    match command {
        Command::Add => add(&conf, env).map(Some),
        Command::Del => del(&conf, env).map(|()| None),
        Command::Check => {
            needs(Version::V0_4_0)?;
            check(&conf, env).map(|()| None)
        }
        Command::Gc => {
            needs(Version::V1_1_0)?;
            gc(&conf, env).map(|()| None)
        }
        Command::Status => {
            needs(Version::V1_1_0)?;
            status(&conf, env).map(|()| None)
        }
        Command::Version => Ok(None),
    }
}

fn add(conf: &NetConf, env: &Env) -> Result<Value> {
    let (id, ifname) = env.attachment(true)?;
    let ipam = Ipam::of(conf, env)?;
    let att = Attachment::new(&conf.name, &id, &ifname);
    let netns = env.netns.clone().unwrap_or_default();
    let mac = conf.container_mac(env)?;
    let mut ctx = Ctx::open(conf, att, &netns, Command::Add)?;
    ctx.mac = mac;
    let ipam_result = match &ipam {
        Some(i) => i.add(conf, &id, &ifname, env)?,
        None => CniResult::default(),
    };
    let ipam_dns = ipam_result.dns.clone();
    let made = match ctx.add(ipam_result) {
        Ok(r) => r,
        Err(e) => {
            if let Some(i) = &ipam {
                if let Err(release) = i.del(conf, &id, &ifname) {
                    return Err(
                        e.with_details(format!("and releasing the addresses failed: {release}"))
                    );
                }
            }
            return Err(e);
        }
    };
    let mut result = merge(conf.prev_result.clone(), made);
    result.dns = match &conf.dns {
        Some(d) if !d.is_empty() => d.clone(),
        _ if !ipam_dns.is_empty() => ipam_dns,
        _ => result.dns,
    };
    Ok(result.to_json(&conf.cni_version))
}

/// ADD's output in a chain: the previous result with this plugin's
/// interfaces, addresses (their interface indexes shifted) and routes
/// appended.
fn merge(prev: Option<CniResult>, mut made: CniResult) -> CniResult {
    let Some(mut out) = prev else { return made };
    let offset = out.interfaces.len();
    for ip in &mut made.ips {
        ip.interface = ip.interface.map(|i| i + offset);
    }
    out.interfaces.append(&mut made.interfaces);
    out.ips.append(&mut made.ips);
    out.routes.append(&mut made.routes);
    if !made.dns.is_empty() {
        out.dns = made.dns;
    }
    out
}

fn del(conf: &NetConf, env: &Env) -> Result<()> {
    let (id, ifname) = env.attachment(false)?;
    if let Some(ipam) = Ipam::of(conf, env)? {
        ipam.del(conf, &id, &ifname)?;
    }
    let att = Attachment::new(&conf.name, &id, &ifname);
    modes::del(conf, &att, env.netns.as_deref())
}

fn check(conf: &NetConf, env: &Env) -> Result<()> {
    let (id, ifname) = env.attachment(true)?;
    let prev = conf
        .prev_result
        .as_ref()
        .ok_or_else(|| invalid("Required prevResult missing"))?;
    let ipam = Ipam::of(conf, env)?;
    // The namespace first: CHECK refuses the plugin's own as ADD does.
    let netns = env.netns.clone().unwrap_or_default();
    let att = Attachment::new(&conf.name, &id, &ifname);
    let mut ctx = Ctx::open(conf, att, &netns, Command::Check)?;
    if let Some(ipam) = &ipam {
        ipam.check(conf, &id, &ifname)?;
    }
    ctx.check(prev)
}

fn gc(conf: &NetConf, env: &Env) -> Result<()> {
    let valid: BTreeSet<ValidAttachment> = conf
        .valid_attachments
        .clone()
        .ok_or_else(|| invalid("GC needs cni.dev/valid-attachments"))?
        .into_iter()
        .collect();
    if let Some(ipam) = Ipam::of(conf, env)? {
        ipam.gc(conf, &valid)?;
    }
    modes::gc(conf, &valid).map(|_| ())
}

fn status(conf: &NetConf, env: &Env) -> Result<()> {
    netns_core::Handle::current().map_err(|e| {
        CniError::from(e)
            .with_code(code::NOT_AVAILABLE)
            .context("cannot open a netlink socket")
    })?;
    if let Some(ipam) = Ipam::of(conf, env).map_err(|e| e.with_code(code::NOT_AVAILABLE))? {
        ipam.status(conf)?;
    }
    Ok(())
}
