//! The tun/tap ioctls on a `/dev/net/tun` descriptor (`linux/if_tun.h`):
//! `TUNSETIFF` (attach the descriptor to a new or existing device),
//! `TUNSETOWNER`, `TUNSETGROUP`, `TUNSETPERSIST`.

use std::os::fd::{AsRawFd, BorrowedFd};

use nix::errno::Errno;
use nix::libc;

/// `ioctl(fd, TUNSETIFF, &ifr)` with `ifr_name` = `name` (empty: the
/// kernel picks `tunN`/`tapN`) and `ifr_flags` = `flags`; returns the
/// device's name, which the kernel writes back.
pub(crate) fn set_iff(
    fd: BorrowedFd<'_>,
    name: &str,
    flags: libc::c_short,
) -> Result<String, Errno> {
    // SAFETY: ifreq is plain old data; all zeros is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    let bytes = name.as_bytes();
    if bytes.len() >= ifr.ifr_name.len() || bytes.contains(&0) {
        return Err(Errno::EINVAL);
    }
    for (dst, src) in ifr.ifr_name.iter_mut().zip(bytes) {
        *dst = *src as libc::c_char;
    }
    ifr.ifr_ifru.ifru_flags = flags;
    // SAFETY: `fd` is an open descriptor; TUNSETIFF reads and writes one
    // `struct ifreq`, which `ifr` is, alive for the call.
    let r = unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            libc::TUNSETIFF,
            &mut ifr as *mut libc::ifreq,
        )
    };
    Errno::result(r)?;
    let len = ifr
        .ifr_name
        .iter()
        .position(|&c| c == 0)
        .unwrap_or(ifr.ifr_name.len());
    let name: Vec<u8> = ifr.ifr_name[..len].iter().map(|&c| c as u8).collect();
    Ok(String::from_utf8_lossy(&name).into_owned())
}

/// One of the integer-valued tun ioctls.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TunSet {
    /// `TUNSETOWNER`: the uid allowed to attach.
    Owner,
    /// `TUNSETGROUP`: the gid allowed to attach.
    Group,
    /// `TUNSETPERSIST`: keep the device when the last descriptor closes.
    Persist,
}

/// `ioctl(fd, TUNSET…, value)`.
pub(crate) fn set(fd: BorrowedFd<'_>, what: TunSet, value: libc::c_ulong) -> Result<(), Errno> {
    let request = match what {
        TunSet::Owner => libc::TUNSETOWNER,
        TunSet::Group => libc::TUNSETGROUP,
        TunSet::Persist => libc::TUNSETPERSIST,
    };
    // SAFETY: `fd` is an open descriptor; these ioctls take their argument
    // by value (an integer), not a pointer.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), request, value) };
    Errno::result(r).map(drop)
}
