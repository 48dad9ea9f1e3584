//! 64-bit link statistics (`IFLA_STATS64`, `struct rtnl_link_stats64`), as
//! `ip -s link` shows them. The kernel puts them in every link message
//! (`RTEXT_FILTER_SKIP_STATS`, which [`Handle::links`] sends, skips only
//! the statistics of SR-IOV virtual functions), so every [`LinkRef`](super::LinkRef) has
//! them ([`LinkRef::stats64`](super::LinkRef::stats64)), read in place.

use std::fmt;

use super::LinkId;
use crate::{Error, ErrorKind, Handle, Result};

/// `struct rtnl_link_stats64` (`linux/if_link.h`): the counters of a link
/// since it was created. Fields a kernel does not send (older kernels send
/// fewer) read as 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct LinkStats64 {
    /// Packets received.
    pub rx_packets: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Bad packets received.
    pub rx_errors: u64,
    /// Packets that could not be sent.
    pub tx_errors: u64,
    /// Received packets dropped (no space, unknown protocol …).
    pub rx_dropped: u64,
    /// Packets dropped on the way out.
    pub tx_dropped: u64,
    /// Multicast packets received.
    pub multicast: u64,
    /// Collisions.
    pub collisions: u64,
    /// `rx_length_errors`.
    pub rx_length_errors: u64,
    /// `rx_over_errors`: receiver ring overflows.
    pub rx_over_errors: u64,
    /// `rx_crc_errors`.
    pub rx_crc_errors: u64,
    /// `rx_frame_errors`.
    pub rx_frame_errors: u64,
    /// `rx_fifo_errors`.
    pub rx_fifo_errors: u64,
    /// `rx_missed_errors`: missed by the host.
    pub rx_missed_errors: u64,
    /// `tx_aborted_errors`.
    pub tx_aborted_errors: u64,
    /// `tx_carrier_errors`.
    pub tx_carrier_errors: u64,
    /// `tx_fifo_errors`.
    pub tx_fifo_errors: u64,
    /// `tx_heartbeat_errors`.
    pub tx_heartbeat_errors: u64,
    /// `tx_window_errors`.
    pub tx_window_errors: u64,
    /// `rx_compressed`.
    pub rx_compressed: u64,
    /// `tx_compressed`.
    pub tx_compressed: u64,
    /// `rx_nohandler`: dropped for lack of a protocol handler.
    pub rx_nohandler: u64,
    /// `rx_otherhost_dropped` (Linux 5.19): dropped as not for this host.
    pub rx_otherhost_dropped: u64,
}

/// How many `u64`s [`LinkStats64`] reads.
const FIELDS: usize = 25;

impl LinkStats64 {
    /// Reads an `IFLA_STATS64` value (native-endian `u64`s; a shorter value
    /// leaves the later fields 0). `None` when it holds not even the first
    /// eight counters.
    pub fn parse(value: &[u8]) -> Option<LinkStats64> {
        if value.len() < 8 * 8 {
            return None;
        }
        let mut v = [0u64; FIELDS];
        for (slot, chunk) in v.iter_mut().zip(value.chunks_exact(8)) {
            // chunks_exact yields 8-byte chunks.
            *slot = u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8]));
        }
        Some(LinkStats64 {
            rx_packets: v[0],
            tx_packets: v[1],
            rx_bytes: v[2],
            tx_bytes: v[3],
            rx_errors: v[4],
            tx_errors: v[5],
            rx_dropped: v[6],
            tx_dropped: v[7],
            multicast: v[8],
            collisions: v[9],
            rx_length_errors: v[10],
            rx_over_errors: v[11],
            rx_crc_errors: v[12],
            rx_frame_errors: v[13],
            rx_fifo_errors: v[14],
            rx_missed_errors: v[15],
            tx_aborted_errors: v[16],
            tx_carrier_errors: v[17],
            tx_fifo_errors: v[18],
            tx_heartbeat_errors: v[19],
            tx_window_errors: v[20],
            rx_compressed: v[21],
            tx_compressed: v[22],
            rx_nohandler: v[23],
            rx_otherhost_dropped: v[24],
        })
    }

    /// The counters as `ip -s link` prints them (two header lines and two
    /// value lines, each indented by four spaces, without the final
    /// newline).
    pub fn display(&self) -> StatsDisplay<'_> {
        StatsDisplay(self)
    }
}

/// [`LinkStats64::display`].
#[derive(Debug, Clone, Copy)]
pub struct StatsDisplay<'a>(&'a LinkStats64);

impl fmt::Display for StatsDisplay<'_> {
    /// iproute2 6.x's `ip -s link` block:
    ///
    /// ```text
    ///     RX:  bytes packets errors dropped  missed   mcast
    ///            684       8      0       0       0       0
    ///     TX:  bytes packets errors dropped carrier collsns
    ///            684       8      0       0       0       0
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let row = |f: &mut fmt::Formatter<'_>, v: [u64; 6]| {
            write!(
                f,
                "    {:>10} {:>7} {:>6} {:>7} {:>7} {:>7}",
                v[0], v[1], v[2], v[3], v[4], v[5]
            )
        };
        f.write_str("    RX:  bytes packets errors dropped  missed   mcast\n")?;
        row(
            f,
            [
                s.rx_bytes,
                s.rx_packets,
                s.rx_errors,
                s.rx_dropped,
                s.rx_missed_errors,
                s.multicast,
            ],
        )?;
        f.write_str("\n    TX:  bytes packets errors dropped carrier collsns\n")?;
        row(
            f,
            [
                s.tx_bytes,
                s.tx_packets,
                s.tx_errors,
                s.tx_dropped,
                s.tx_carrier_errors,
                s.collisions,
            ],
        )
    }
}

impl Handle {
    /// The 64-bit statistics of one link (`ip -s link show dev X`): one
    /// `RTM_GETLINK` ([`Handle::link`]), `IFLA_STATS64` read in place.
    ///
    /// # Errors
    /// As [`Handle::link`]; [`ErrorKind::Protocol`] when the kernel sent
    /// no `IFLA_STATS64`.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// let s = h.link_stats("lo".into())?;
    /// println!("{}", s.display());
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "IFLA_STATS64")]
    #[doc(alias = "ip -s link")]
    pub fn link_stats(&mut self, id: LinkId<'_>) -> Result<LinkStats64> {
        let link = self.link(id)?;
        link.stats64().ok_or_else(|| {
            Error::new(ErrorKind::Protocol, "get", format!("statistics of {id}"))
                .with_detail("the kernel sent no IFLA_STATS64")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_field_and_prints_as_ip() {
        let mut raw = Vec::new();
        for i in 1..=FIELDS as u64 {
            raw.extend_from_slice(&(i * 10).to_ne_bytes());
        }
        let s = LinkStats64::parse(&raw).unwrap();
        assert_eq!(
            (s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes),
            (10, 20, 30, 40)
        );
        assert_eq!((s.multicast, s.collisions), (90, 100));
        assert_eq!(s.rx_nohandler, 240);
        assert_eq!(s.rx_otherhost_dropped, 250);
        // An older kernel's 23 fields: the rest reads 0.
        let old = LinkStats64::parse(&raw[..23 * 8]).unwrap();
        assert_eq!((old.tx_compressed, old.rx_nohandler), (230, 0));
        assert!(LinkStats64::parse(&raw[..63]).is_none());
        let lo = LinkStats64 {
            rx_bytes: 684,
            rx_packets: 8,
            tx_bytes: 684,
            tx_packets: 8,
            ..LinkStats64::default()
        };
        assert_eq!(
            lo.display().to_string(),
            "    RX:  bytes packets errors dropped  missed   mcast\n           684       8      0       0       0       0\n    TX:  bytes packets errors dropped carrier collsns\n           684       8      0       0       0       0"
        );
    }
}
