//! `ipMasq`: source NAT of the pod's traffic leaving its subnet.
//!
//! Waiting for netns-core's nftables module: until it lands, a
//! configuration asking for `ipMasq` is refused before anything is made.

use std::collections::BTreeSet;

use crate::attachment::Attachment;
use crate::config::ValidAttachment;
use crate::error::{code, CniError, Result};
use crate::spec::CniResult;

/// Whether `ipMasq` can be served.
pub const AVAILABLE: bool = false;

fn unavailable() -> CniError {
    CniError::new(
        code::UNSUPPORTED_FIELD,
        "unsupported field in network configuration: ipMasq",
    )
    .with_details("this build of netns-cni has no nftables support")
}

/// Masquerades the attachment's subnets.
///
/// # Errors
/// Code 2 (not available in this build).
pub fn apply(_att: &Attachment<'_>, _result: &CniResult) -> Result<()> {
    Err(unavailable())
}

/// Removes the attachment's masquerade (none is fine).
///
/// # Errors
/// None in this build.
pub fn remove(_att: &Attachment<'_>, _result: &CniResult) -> Result<()> {
    Ok(())
}

/// Removes masquerades of attachments of `network` outside `valid`.
///
/// # Errors
/// None in this build.
pub fn gc(_network: &str, _valid: &BTreeSet<ValidAttachment>) -> Result<()> {
    Ok(())
}
