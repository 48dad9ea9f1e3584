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

    /// The counters as `ip -s link` prints them (iproute2 6.1's
    /// `print_stats64`): two header lines and two value lines, each
    /// indented by four spaces, without the final newline;
    /// [`StatsDisplay::level`] 2 (`-s -s`) adds the error lines.
    pub fn display(&self) -> StatsDisplay<'_> {
        StatsDisplay {
            stats: self,
            level: 1,
            carrier_changes: None,
        }
    }

    /// The counters as `ip -s -j link` names them in its `stats64` object:
    /// `[rx, tx]`, each a list of `(name, value)` in ip's order; `level` 2
    /// adds the error counters, `carrier_changes` (from
    /// [`LinkRef::carrier_changes`](super::LinkRef::carrier_changes)) goes
    /// in tx at level 2.
    pub fn fields(&self, level: u8, carrier_changes: Option<u32>) -> [Vec<(&'static str, u64)>; 2] {
        let s = self;
        let mut rx = vec![
            ("bytes", s.rx_bytes),
            ("packets", s.rx_packets),
            ("errors", s.rx_errors),
            ("dropped", s.rx_dropped),
            ("over_errors", s.rx_over_errors),
            ("multicast", s.multicast),
        ];
        if s.rx_compressed != 0 {
            rx.push(("compressed", s.rx_compressed));
        }
        if level > 1 {
            rx.extend([
                ("length_errors", s.rx_length_errors),
                ("crc_errors", s.rx_crc_errors),
                ("frame_errors", s.rx_frame_errors),
                ("fifo_errors", s.rx_fifo_errors),
                ("missed_errors", s.rx_missed_errors),
            ]);
            if s.rx_nohandler != 0 {
                rx.push(("nohandler", s.rx_nohandler));
            }
            if s.rx_otherhost_dropped != 0 {
                rx.push(("otherhost", s.rx_otherhost_dropped));
            }
        }
        let mut tx = vec![
            ("bytes", s.tx_bytes),
            ("packets", s.tx_packets),
            ("errors", s.tx_errors),
            ("dropped", s.tx_dropped),
            ("carrier_errors", s.tx_carrier_errors),
            ("collisions", s.collisions),
        ];
        if s.tx_compressed != 0 {
            tx.push(("compressed", s.tx_compressed));
        }
        if level > 1 {
            tx.extend([
                ("aborted_errors", s.tx_aborted_errors),
                ("fifo_errors", s.tx_fifo_errors),
                ("window_errors", s.tx_window_errors),
                ("heartbeat_errors", s.tx_heartbeat_errors),
            ]);
            if let Some(cc) = carrier_changes {
                tx.push(("carrier_changes", u64::from(cc)));
            }
        }
        [rx, tx]
    }
}

/// [`LinkStats64::display`]: ip's `-s` block.
#[derive(Debug, Clone, Copy)]
pub struct StatsDisplay<'a> {
    stats: &'a LinkStats64,
    level: u8,
    carrier_changes: Option<u32>,
}

impl StatsDisplay<'_> {
    /// How many `-s` (1: the RX/TX lines; 2 or more: also the error lines).
    #[must_use]
    pub fn level(mut self, level: u8) -> Self {
        self.level = level;
        self
    }

    /// The carrier changes (`IFLA_CARRIER_CHANGES`), shown as `transns` at
    /// level 2.
    #[must_use]
    pub fn carrier_changes(mut self, changes: Option<u32>) -> Self {
        self.carrier_changes = changes;
        self
    }
}

impl fmt::Display for StatsDisplay<'_> {
    /// iproute2 6.1's `ip -s link` block: columns as wide as the widest
    /// number or their title, each number followed by a space; a
    /// `compressed` column when there are compressed packets:
    ///
    /// ```text
    ///     RX:  bytes packets errors dropped  missed   mcast           
    ///            684       8      0       0       0       0
    ///     TX:  bytes packets errors dropped carrier collsns           
    ///            684       8      0       0       0       0
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (s, level, carrier_changes) = (self.stats, self.level, self.carrier_changes);
        // The titles' widths: "*X errors:", packets, errors, dropped,
        // heartbt, overrun, compressed, otherhost.
        let mut cols = [10usize, 7, 6, 7, 7, 7, 10, 9];
        let mut size = |values: [u64; 8]| {
            for (c, v) in cols.iter_mut().zip(values) {
                *c = (*c).max(v.to_string().len());
            }
        };
        let cc = u64::from(carrier_changes.unwrap_or(0));
        size([
            s.rx_bytes,
            s.rx_packets,
            s.rx_errors,
            s.rx_dropped,
            s.rx_missed_errors,
            s.multicast,
            s.rx_compressed,
            0,
        ]);
        if level > 1 {
            size([
                0,
                s.rx_length_errors,
                s.rx_crc_errors,
                s.rx_frame_errors,
                s.rx_fifo_errors,
                s.rx_over_errors,
                s.rx_nohandler,
                s.rx_otherhost_dropped,
            ]);
        }
        size([
            s.tx_bytes,
            s.tx_packets,
            s.tx_errors,
            s.tx_dropped,
            s.tx_carrier_errors,
            s.collisions,
            s.tx_compressed,
            0,
        ]);
        if level > 1 {
            size([
                0,
                0,
                s.tx_aborted_errors,
                s.tx_fifo_errors,
                s.tx_window_errors,
                s.tx_heartbeat_errors,
                cc,
                0,
            ]);
        }
        let c = cols;
        let nums = |f: &mut fmt::Formatter<'_>, values: &[(usize, u64)]| -> fmt::Result {
            for (w, v) in values {
                write!(f, "{v:>w$} ")?;
            }
            Ok(())
        };
        let comp = |on: u64| if on != 0 { "compressed" } else { "" };
        writeln!(
            f,
            "    RX: {:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}",
            "bytes",
            "packets",
            "errors",
            "dropped",
            "missed",
            "mcast",
            comp(s.rx_compressed),
            w0 = c[0] - 4,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
            w6 = c[6],
        )?;
        f.write_str("    ")?;
        nums(
            f,
            &[
                (c[0], s.rx_bytes),
                (c[1], s.rx_packets),
                (c[2], s.rx_errors),
                (c[3], s.rx_dropped),
                (c[4], s.rx_missed_errors),
                (c[5], s.multicast),
            ],
        )?;
        if s.rx_compressed != 0 {
            nums(f, &[(c[6], s.rx_compressed)])?;
        }
        if level > 1 {
            let (nh_w, nh) = if s.rx_nohandler != 0 {
                (c[6] + 1, " nohandler")
            } else {
                (0, "")
            };
            let (oh_w, oh) = if s.rx_otherhost_dropped != 0 {
                (c[7] + 1, " otherhost")
            } else {
                (0, "")
            };
            write!(
                f,
                "\n    RX errors:{:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}{nh:>nh_w$}{oh:>oh_w$}\n{:w$}",
                "",
                "length",
                "crc",
                "frame",
                "fifo",
                "overrun",
                "",
                w0 = c[0] - 10,
                w1 = c[1],
                w2 = c[2],
                w3 = c[3],
                w4 = c[4],
                w5 = c[5],
                w = c[0] + 5,
            )?;
            nums(
                f,
                &[
                    (c[1], s.rx_length_errors),
                    (c[2], s.rx_crc_errors),
                    (c[3], s.rx_frame_errors),
                    (c[4], s.rx_fifo_errors),
                    (c[5], s.rx_over_errors),
                ],
            )?;
            if s.rx_nohandler != 0 {
                nums(f, &[(c[6], s.rx_nohandler)])?;
            }
            if s.rx_otherhost_dropped != 0 {
                nums(f, &[(c[7], s.rx_otherhost_dropped)])?;
            }
        }
        writeln!(
            f,
            "\n    TX: {:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$} {:>w6$}",
            "bytes",
            "packets",
            "errors",
            "dropped",
            "carrier",
            "collsns",
            comp(s.tx_compressed),
            w0 = c[0] - 4,
            w1 = c[1],
            w2 = c[2],
            w3 = c[3],
            w4 = c[4],
            w5 = c[5],
            w6 = c[6],
        )?;
        f.write_str("    ")?;
        nums(
            f,
            &[
                (c[0], s.tx_bytes),
                (c[1], s.tx_packets),
                (c[2], s.tx_errors),
                (c[3], s.tx_dropped),
                (c[4], s.tx_carrier_errors),
                (c[5], s.collisions),
            ],
        )?;
        if s.tx_compressed != 0 {
            nums(f, &[(c[6], s.tx_compressed)])?;
        }
        if level > 1 {
            write!(
                f,
                "\n    TX errors:{:>w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$} {:>w5$}\n{:w$}",
                "",
                "aborted",
                "fifo",
                "window",
                "heartbt",
                if carrier_changes.is_some() {
                    "transns"
                } else {
                    ""
                },
                "",
                w0 = c[0] - 10,
                w1 = c[1],
                w2 = c[2],
                w3 = c[3],
                w4 = c[4],
                w5 = c[5],
                w = c[0] + 5,
            )?;
            nums(
                f,
                &[
                    (c[1], s.tx_aborted_errors),
                    (c[2], s.tx_fifo_errors),
                    (c[3], s.tx_window_errors),
                    (c[4], s.tx_heartbeat_errors),
                ],
            )?;
            if carrier_changes.is_some() {
                nums(f, &[(c[5], cc)])?;
            }
        }
        Ok(())
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
            "    RX:  bytes packets errors dropped  missed   mcast           \n           684       8      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n           684       8      0       0       0       0 "
        );
        // ip -s -s on a fresh lo (iproute2 6.1), carrier changes known.
        let zero = LinkStats64::default();
        assert_eq!(
            zero.display().level(2).carrier_changes(Some(0)).to_string(),
            "    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    RX errors:  length    crc   frame    fifo overrun\n                     0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n    TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       0 "
        );
        let [rx, tx] = lo.fields(1, None);
        assert_eq!(rx[0], ("bytes", 684));
        assert_eq!(tx.len(), 6);
        assert_eq!(
            lo.fields(2, Some(3))[1].last(),
            Some(&("carrier_changes", 3))
        );
    }
}
