//! ICMP echo from inside a namespace over a raw socket: no `ping` binary,
//! no fork.

use std::net::{IpAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::AsFd;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

use nix::poll::{PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{
    bind, recvfrom, sendto, socket, AddressFamily, MsgFlags, SockFlag, SockProtocol, SockType,
    SockaddrIn, SockaddrIn6, SockaddrStorage,
};

use netns_core::{Error, NetNs, Result};

static SEQ: AtomicU16 = AtomicU16::new(1);

fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for chunk in data.chunks(2) {
        let word = u16::from_be_bytes([chunk[0], *chunk.get(1).unwrap_or(&0)]);
        sum += u32::from(word);
    }
    while sum >> 16 != 0 {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// Sends one ICMP echo request to `dst` from the namespace `ns` (on a
/// thread inside it, [`NetNs::run`]) and waits up to `timeout` for the
/// matching reply; returns the round-trip time.
///
/// The socket is `socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)` (or
/// `AF_INET6`/`IPPROTO_ICMPV6`, whose checksum the kernel computes), bound
/// to `src` when given; replies are matched on identifier, sequence number
/// and source address. Needs `CAP_NET_RAW`.
///
/// # Errors
/// The `sendto` refusal (`Network is unreachable` when no route leads to
/// `dst`), or [`netns_core::ErrorKind::Io`] with `ETIMEDOUT` when no reply came.
pub fn ping(ns: &NetNs, src: Option<IpAddr>, dst: IpAddr, timeout: Duration) -> Result<Duration> {
    ns.run(|| ping_here(src, dst, timeout))?
}

/// As [`ping`], in the calling thread's own namespace.
///
/// # Errors
/// As [`ping`].
pub fn ping_here(src: Option<IpAddr>, dst: IpAddr, timeout: Duration) -> Result<Duration> {
    let object = || format!("ICMP echo to {dst}");
    let v6 = dst.is_ipv6();
    let (af, proto) = if v6 {
        (AddressFamily::Inet6, SockProtocol::IcmpV6)
    } else {
        (AddressFamily::Inet, SockProtocol::Icmp)
    };
    let fd = socket(af, SockType::Raw, SockFlag::SOCK_CLOEXEC, proto)
        .map_err(|e| Error::sys(e, "send", object()))?;
    if let Some(src) = src {
        let r = match src {
            IpAddr::V4(a) => bind(fd.as_raw_fd_(), &SockaddrIn::from(SocketAddrV4::new(a, 0))),
            IpAddr::V6(a) => bind(
                fd.as_raw_fd_(),
                &SockaddrIn6::from(SocketAddrV6::new(a, 0, 0, 0)),
            ),
        };
        r.map_err(|e| Error::sys(e, "send", object()).with_detail(format!("binding to {src}")))?;
    }
    let id = (std::process::id() as u16) ^ SEQ.fetch_add(1, Ordering::Relaxed).rotate_left(7);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    let mut pkt = vec![if v6 { 128 } else { 8 }, 0, 0, 0];
    pkt.extend_from_slice(&id.to_be_bytes());
    pkt.extend_from_slice(&seq.to_be_bytes());
    pkt.extend_from_slice(b"netns-check-0123456789abcdefghij");
    if !v6 {
        let c = checksum(&pkt);
        pkt[2..4].copy_from_slice(&c.to_be_bytes());
    }
    let start = Instant::now();
    let sent = match dst {
        IpAddr::V4(a) => sendto(
            fd.as_raw_fd_(),
            &pkt,
            &SockaddrIn::from(SocketAddrV4::new(a, 0)),
            MsgFlags::empty(),
        ),
        IpAddr::V6(a) => sendto(
            fd.as_raw_fd_(),
            &pkt,
            &SockaddrIn6::from(SocketAddrV6::new(a, 0, 0, 0)),
            MsgFlags::empty(),
        ),
    };
    sent.map_err(|e| Error::sys(e, "send", object()))?;
    let mut buf = [0u8; 2048];
    loop {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return Err(
                Error::sys(nix::errno::Errno::ETIMEDOUT, "receive", object())
                    .with_detail(format!("no reply within {} ms", timeout.as_millis())),
            );
        }
        let ms = u16::try_from(left.as_millis().max(1)).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match nix::poll::poll(&mut fds, PollTimeout::from(ms)) {
            Ok(0) => continue,
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(Error::sys(e, "receive", object())),
        }
        let (n, from) = match recvfrom::<SockaddrStorage>(fd.as_raw_fd_(), &mut buf) {
            Ok(r) => r,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(Error::sys(e, "receive", object())),
        };
        let from_ip: Option<IpAddr> = from.and_then(|s| {
            s.as_sockaddr_in()
                .map(|a| IpAddr::V4(a.ip()))
                .or_else(|| s.as_sockaddr_in6().map(|a| IpAddr::V6(a.ip())))
        });
        let data = &buf[..n];
        let icmp = if v6 {
            data
        } else {
            let ihl = usize::from(data.first().map_or(0, |b| b & 0x0f)) * 4;
            data.get(ihl..).unwrap_or(&[])
        };
        if icmp.len() < 8 {
            continue;
        }
        let reply_type = if v6 { 129 } else { 0 };
        let rid = u16::from_be_bytes([icmp[4], icmp[5]]);
        let rseq = u16::from_be_bytes([icmp[6], icmp[7]]);
        if icmp[0] == reply_type && rid == id && rseq == seq && from_ip == Some(dst) {
            return Ok(start.elapsed());
        }
    }
}

/// `AsRawFd` without importing the trait everywhere.
trait RawFdExt {
    fn as_raw_fd_(&self) -> std::os::fd::RawFd;
}
impl RawFdExt for std::os::fd::OwnedFd {
    fn as_raw_fd_(&self) -> std::os::fd::RawFd {
        std::os::fd::AsRawFd::as_raw_fd(self)
    }
}
