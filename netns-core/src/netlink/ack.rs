//! The kernel's answers: `NLMSG_ERROR` (an acknowledgement or a refusal) and
//! the error of `NLMSG_DONE`, with their extended-ack attributes.
//!
//! Layout of an `NLMSG_ERROR` payload (`struct nlmsgerr`, `linux/netlink.h`):
//!
//! ```text
//! i32 error                     0 = acknowledgement, -errno = refusal
//! nlmsghdr of the request       always echoed (16 bytes)
//! [rest of the request]         only if NLM_F_CAPPED is not set in the ERROR's flags
//! [TLVs, 4-aligned]             only if NLM_F_ACK_TLVS is set: NLMSGERR_ATTR_MSG (text),
//!                               NLMSGERR_ATTR_OFFS (u32 offset into the request) …
//! ```
//!
//! An `NLMSG_DONE` payload is an `i32` error, followed by the same TLVs when
//! `NLM_F_ACK_TLVS` is set.

use std::fmt;

use netlink_packet_core::{NLM_F_ACK_TLVS, NLM_F_CAPPED};

use super::attr;
use crate::netlink::uapi::{NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS};
use crate::{Errno, Error};

/// Length of `struct nlmsghdr`.
pub(crate) const HEADER_LEN: usize = 16;

/// A refusal read from an `NLMSG_ERROR` or `NLMSG_DONE`, borrowed from the
/// receive buffer: nothing is allocated until it becomes an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal<'a> {
    /// The errno (positive).
    pub(crate) errno: Errno,
    /// `NLMSGERR_ATTR_MSG` without its NUL.
    pub(crate) message: Option<&'a [u8]>,
    /// `NLMSGERR_ATTR_OFFS`.
    pub(crate) offset: Option<u32>,
}

impl Refusal<'_> {
    /// The crate's error for this refusal, for operation `op` on `object`.
    pub(crate) fn into_error(self, op: &'static str, object: &dyn fmt::Display) -> Error {
        Error::kernel(
            self.errno,
            self.message
                .map(|m| String::from_utf8_lossy(m).into_owned()),
            self.offset,
            op,
            object.to_string(),
        )
    }
}

/// Why an `NLMSG_ERROR`/`NLMSG_DONE` payload could not be read.
pub(crate) type Malformed = &'static str;

fn refusal(code: i32, flags: u16, tlvs: &[u8]) -> Result<Option<Refusal<'_>>, Malformed> {
    if code == 0 {
        return Ok(None);
    }
    let mut refusal = Refusal {
        // The kernel sends -errno; be lenient with a positive value.
        errno: Errno::from_raw(code.checked_abs().unwrap_or(i32::MAX)),
        message: None,
        offset: None,
    };
    if flags & NLM_F_ACK_TLVS != 0 {
        read_tlvs(tlvs, &mut refusal)?;
    }
    Ok(Some(refusal))
}

/// Reads `NLMSGERR_ATTR_MSG` and `NLMSGERR_ATTR_OFFS` from a run of TLVs;
/// other attributes (cookie, policy, missing type …) are skipped.
fn read_tlvs<'a>(tlvs: &'a [u8], refusal: &mut Refusal<'a>) -> Result<(), Malformed> {
    let mut walk = attr::walk(tlvs);
    while let Some(item) = walk.next() {
        let Ok((kind, value, _)) = item else {
            // 1–3 trailing bytes (no room for a header) are padding.
            if walk.left_at_failure() < 4 {
                break;
            }
            return Err("extended-ack attribute overruns the message");
        };
        match kind {
            NLMSGERR_ATTR_MSG => refusal.message = Some(attr::c_bytes(value)),
            NLMSGERR_ATTR_OFFS => {
                refusal.offset = Some(attr::u32_ne(value).ok_or("short NLMSGERR_ATTR_OFFS")?);
            }
            _ => {}
        }
    }
    Ok(())
}

/// Reads the payload of an `NLMSG_ERROR` message whose own header flags are
/// `flags`. `Ok(None)` is an acknowledgement (error 0).
pub(crate) fn parse_error(flags: u16, payload: &[u8]) -> Result<Option<Refusal<'_>>, Malformed> {
    let code = attr::i32_ne(payload).ok_or("NLMSG_ERROR shorter than its error code")?;
    if code == 0 && flags & NLM_F_ACK_TLVS == 0 {
        return Ok(None);
    }
    // The echoed request: its header always, its payload unless capped.
    let echoed_len = payload
        .get(4..)
        .and_then(attr::u32_ne)
        .ok_or("NLMSG_ERROR without the echoed request header")?;
    let echoed = if flags & NLM_F_CAPPED != 0 {
        HEADER_LEN
    } else {
        usize::try_from(echoed_len)
            .map_err(|_| "echoed request length overflows")?
            .max(HEADER_LEN)
    };
    let tlvs_at = 4 + attr::align(echoed);
    let tlvs = payload.get(tlvs_at..).unwrap_or(&[]);
    refusal(code, flags, tlvs)
}

/// Reads the payload of an `NLMSG_DONE` message whose own header flags are
/// `flags`. `Ok(None)` is a dump that ended well. An empty payload (allowed by
/// old kernels) counts as success.
pub(crate) fn parse_done(flags: u16, payload: &[u8]) -> Result<Option<Refusal<'_>>, Malformed> {
    if payload.is_empty() {
        return Ok(None);
    }
    let code = attr::i32_ne(payload).ok_or("NLMSG_DONE shorter than its error code")?;
    refusal(code, flags, payload.get(4..).unwrap_or(&[]))
}
