//! What ADD, DEL, CHECK and GC do with links, shared by both modes; the
//! mode-specific parts are in [`crate::bridge`] and [`crate::ptp`].

use std::collections::BTreeSet;
use std::path::Path;

use netns_core::{ErrorKind, Handle, NetNs};

use crate::attachment::Attachment;
use crate::config::{Mode, NetConf, ValidAttachment};
use crate::env::Command;
use crate::error::{code, CniError, Result};
use crate::spec::CniResult;
use crate::{bridge, masq, ptp, wiring};

/// Everything an ADD or CHECK works with: the configuration, the
/// attachment, the pod's namespace and a netlink handle in each namespace.
pub struct Ctx<'a> {
    /// The configuration.
    pub conf: &'a NetConf,
    /// The attachment.
    pub att: Attachment<'a>,
    /// `CNI_NETNS` as given (the result's `sandbox`).
    pub netns_path: String,
    /// The pod's namespace.
    pub ns: NetNs,
    /// A handle in the host namespace (this process's).
    pub host: Handle,
    /// A handle in the pod's namespace.
    pub pod: Handle,
    /// The MAC asked for the container interface (bridge mode).
    pub mac: Option<netns_core::link::MacAddr>,
}

/// Opens `CNI_NETNS`: a missing path or a file without a namespace is an
/// unknown container (code 3), a file that is not a network namespace an
/// invalid variable (code 4).
///
/// # Errors
/// As described.
pub fn open_netns(path: &Path) -> Result<NetNs> {
    NetNs::open_path(path).map_err(|e| {
        let kind = e.kind();
        // A file with no namespace at all (a plain file, a directory) is
        // `InvalidArgument` with errno EINVAL, as setns says of it; a
        // namespace of another type has no errno.
        let no_namespace = e.errno() == Some(netns_core::Errno::EINVAL);
        let err = CniError::from(e).context(format_args!(
            "failed to open netns {:?}",
            path.display().to_string()
        ));
        match kind {
            ErrorKind::NotFound | ErrorKind::Stale => err.with_code(code::UNKNOWN_CONTAINER),
            ErrorKind::InvalidArgument if no_namespace => err.with_code(code::UNKNOWN_CONTAINER),
            ErrorKind::InvalidArgument => err.with_code(code::INVALID_ENV),
            _ => err,
        }
    })
}

/// Whether `ns` is the plugin's own network namespace: the one its thread
/// is in (`/proc/thread-self/ns/net`), where it makes the host ends of its
/// links. Compared by identity (the nsfs files' `st_dev` and `st_ino`), so
/// every spelling of it counts: `/proc/self/ns/net`, another process's
/// `/proc/PID/ns/net`, a bind mount, a symlink.
///
/// # Errors
/// Code 5 when the plugin's own namespace cannot be opened (no `/proc`).
pub fn is_own_netns(ns: &NetNs) -> Result<bool> {
    let own = NetNs::current().map_err(|e| {
        CniError::from(e)
            .context("cannot compare CNI_NETNS with the plugin's own network namespace")
    })?;
    Ok(*ns == own)
}

/// Opens `CNI_NETNS` for `command` (ADD or CHECK) as [`open_netns`] does,
/// and refuses the plugin's own network namespace ([`is_own_netns`])
/// unless `allow_own` (the configuration's `allowOwnNetns`): wiring it
/// would make the container's interface, addresses and routes in the host.
///
/// # Errors
/// As [`open_netns`]; code 4 for the plugin's own namespace, naming the
/// path.
pub fn open_container_netns(path: &Path, command: Command, allow_own: bool) -> Result<NetNs> {
    let ns = open_netns(path)?;
    if !allow_own && is_own_netns(&ns)? {
        return Err(CniError::new(
            code::INVALID_ENV,
            format!(
                "cannot {}: CNI_NETNS {:?} is the plugin's own network namespace (net:[{}])",
                command.name(),
                path.display().to_string(),
                ns.inode()
            ),
        )
        .with_details(
            "the container's interface, addresses and routes would be made in the host; \
             CNI_NETNS must name the container's network namespace, or the network \
             configuration must say \"allowOwnNetns\": true",
        ));
    }
    Ok(ns)
}

impl<'a> Ctx<'a> {
    /// Opens the pod's namespace (refusing the plugin's own, see
    /// [`open_container_netns`]) and a handle in each namespace.
    ///
    /// # Errors
    /// As [`open_container_netns`]; the kernel's refusal.
    pub fn open(
        conf: &'a NetConf,
        att: Attachment<'a>,
        netns: &Path,
        command: Command,
    ) -> Result<Ctx<'a>> {
        let ns = open_container_netns(netns, command, conf.allow_own_netns)?;
        let pod = ns.handle()?;
        let host = Handle::current()?;
        Ok(Ctx {
            conf,
            att,
            netns_path: netns.to_string_lossy().into_owned(),
            ns,
            host,
            pod,
            mac: None,
        })
    }

    /// ADD's kernel work in the configured mode.
    ///
    /// # Errors
    /// As [`bridge::add`] / [`ptp::add`].
    pub fn add(&mut self, ipam_result: CniResult) -> Result<CniResult> {
        match self.conf.mode {
            Mode::Bridge => bridge::add(self, ipam_result),
            Mode::Ptp => ptp::add(self, ipam_result),
        }
    }

    /// CHECK against `prev`: the container interface (name, MAC), its
    /// addresses and routes, then the host side of the mode.
    ///
    /// # Errors
    /// Code 103 naming the first difference.
    pub fn check(&mut self, prev: &CniResult) -> Result<()> {
        let failed = |m: String| CniError::new(code::CHECK_FAILED, m);
        let ifname = self.att.ifname;
        let link = self.pod.link_by_name(ifname).map_err(|_| {
            failed(format!(
                "interface {ifname} not found in {}",
                self.netns_path
            ))
        })?;
        let index = prev
            .interfaces
            .iter()
            .position(|i| i.name == ifname && !i.sandbox.is_empty())
            .ok_or_else(|| failed(format!("prevResult has no interface {ifname} in a sandbox")))?;
        let want_mac = &prev.interfaces[index].mac;
        let mac = wiring::mac_of(&link);
        if !want_mac.is_empty() && !want_mac.eq_ignore_ascii_case(&mac) {
            return Err(failed(format!(
                "interface {ifname} has MAC {mac}, prevResult says {want_mac}"
            )));
        }
        let present = wiring::addresses_of(&mut self.pod, link.index)?;
        for ip in prev.ips.iter().filter(|ip| ip.interface == Some(index)) {
            if !present.contains(&ip.address.0) {
                return Err(failed(format!(
                    "interface {ifname} lacks address {}",
                    ip.address
                )));
            }
        }
        for r in &prev.routes {
            let spec = wiring::route_spec(r, prev, index, link.index);
            if let Some(dst) = spec.destination {
                // ADD let a route of an earlier attachment to the same
                // destination win: that one counts.
                if !wiring::has_route(&mut self.pod, dst, spec.gateway)?
                    && !wiring::has_route_elsewhere(&mut self.pod, dst, link.index.get())?
                {
                    return Err(failed(format!(
                        "route to {} missing in the container",
                        r.dst
                    )));
                }
            }
        }
        match self.conf.mode {
            Mode::Bridge => bridge::check_host(self, prev),
            Mode::Ptp => ptp::check_host(self, prev),
        }
    }
}

/// DEL's link work (idempotent): deletes the pair through its host end
/// (found by name and alias, from the host: no thread enters the pod's
/// namespace); when there is none (an interface made by another plugin
/// version, a renamed host end), deletes the container interface inside
/// the pod; a missing namespace or interface is fine. When `CNI_NETNS` is
/// the plugin's own namespace ([`is_own_netns`]) that interface is the
/// host's as far as the plugin can tell: it is left alone, with or without
/// `allowOwnNetns`. Removes the masquerade.
///
/// # Errors
/// The kernel's refusals other than "not found".
pub fn del(conf: &NetConf, att: &Attachment<'_>, netns: Option<&Path>) -> Result<()> {
    let mut host = Handle::current()?;
    let deleted = wiring::delete_host_end(&mut host, att)?;
    if let (false, Some(path)) = (deleted, netns) {
        match open_netns(path) {
            Ok(ns) if is_own_netns(&ns)? => {}
            Ok(ns) => match ns.handle()?.link_delete(att.ifname.into()) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            },
            Err(e) if e.code == code::UNKNOWN_CONTAINER => {}
            Err(e) => return Err(e),
        }
    }
    if conf.ip_masq {
        masq::remove(att)?;
    }
    Ok(())
}

/// GC's link work: deletes host interfaces of this network's attachments
/// outside `valid` (found by their alias), and their masquerades. Returns
/// the names deleted.
///
/// # Errors
/// The kernel's refusals other than "not found".
pub fn gc(conf: &NetConf, valid: &BTreeSet<ValidAttachment>) -> Result<Vec<String>> {
    let keep: BTreeSet<String> = valid
        .iter()
        .map(|v| Attachment::new(&conf.name, &v.container_id, &v.ifname).alias())
        .collect();
    let prefix = Attachment::network_alias_prefix(&conf.name);
    let mut host = Handle::current()?;
    let stale: Vec<(netns_core::link::IfIndex, String)> = host
        .links()?
        .filter(|l| {
            l.alias()
                .is_some_and(|a| a.starts_with(&prefix) && !keep.contains(a))
        })
        .map(|l| (l.index(), l.name().to_string()))
        .collect();
    let mut deleted = Vec::new();
    for (index, name) in stale {
        match host.link_delete(index.into()) {
            Ok(()) => deleted.push(name),
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    masq::gc(&conf.name, valid)?;
    Ok(deleted)
}
