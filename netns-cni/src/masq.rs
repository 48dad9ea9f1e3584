//! `ipMasq`: source NAT of the pod's traffic leaving its subnet, through
//! netns-core's nftables masquerade ([`netns_topology::nat::Masquerade`], which
//! runs `nft` in this process's — the host's — namespace).
//!
//! Each attachment owns its tables, one per address, named
//! `netns-cni-NETTAG-ATTACHMENTHASH-N` (family `ip` or `ip6`), each with one
//! rule `saddr SUBNET daddr != SUBNET masquerade`, as the reference plugins
//! give each container its own chain: DEL and GC remove exactly the tables
//! of the attachments they release and nothing else of the ruleset.

use std::collections::BTreeSet;

use netns_core::addr::IpNet;
use netns_topology::nat::{self, Masquerade};

use crate::attachment::Attachment;
use crate::config::ValidAttachment;
use crate::error::Result;
use crate::spec::CniResult;

/// Masquerades the subnet of each of the result's addresses.
///
/// # Errors
/// The failure of `nft` (not installed, refused), translated.
pub fn apply(att: &Attachment<'_>, result: &CniResult) -> Result<()> {
    for (i, ip) in result.ips.iter().enumerate() {
        Masquerade::new(format!("{}-{i}", att.nat_table()), ip.address.0).apply()?;
    }
    Ok(())
}

/// The tables of the ruleset whose names start with `prefix`, as
/// `(family, name)`.
fn tables_with(prefix: &str) -> Result<Vec<(String, String)>> {
    Ok(nat::tables()?
        .into_iter()
        .filter_map(|t| {
            let (family, name) = t.split_once(' ')?;
            name.starts_with(prefix)
                .then(|| (family.to_string(), name.to_string()))
        })
        .collect())
}

/// Deletes table `family name` (one of ours).
fn remove_table(family: &str, name: &str) -> Result<()> {
    let any: std::net::IpAddr = if family == "ip6" {
        [0u16; 8].into()
    } else {
        [0u8; 4].into()
    };
    let source = IpNet::new(any, 0)?;
    Masquerade::new(name, source).remove()?;
    Ok(())
}

/// Removes the attachment's masquerade tables (none is fine).
///
/// # Errors
/// The failure of `nft`, translated.
pub fn remove(att: &Attachment<'_>) -> Result<()> {
    for (family, name) in tables_with(&format!("{}-", att.nat_table()))? {
        remove_table(&family, &name)?;
    }
    Ok(())
}

/// Removes the masquerade tables of attachments of `network` outside
/// `valid`.
///
/// # Errors
/// The failure of `nft`, translated.
pub fn gc(network: &str, valid: &BTreeSet<ValidAttachment>) -> Result<()> {
    let keep: Vec<String> = valid
        .iter()
        .map(|v| {
            format!(
                "{}-",
                Attachment::new(network, &v.container_id, &v.ifname).nat_table()
            )
        })
        .collect();
    for (family, name) in tables_with(&Attachment::network_table_prefix(network))? {
        if !keep.iter().any(|k| name.starts_with(k)) {
            remove_table(&family, &name)?;
        }
    }
    Ok(())
}
