//! Netlink attributes (`struct nlattr` TLVs) read in place: the one walker
//! every reader of the crate uses (links, addresses, routes, nsids,
//! extended acks), and the value decoders they share.
//!
//! Framing rules (as the kernel's `nla_ok` and netlink-packet-core's
//! `NlasIterator`): a length of at least 4 that stays within the buffer, the
//! next attribute at the 4-aligned end; the type is read without the
//! `NLA_F_NESTED` / `NLA_F_NET_BYTEORDER` bits.

use std::net::IpAddr;

use netlink_packet_core::NLA_TYPE_MASK;

/// The attributes of a message, walked in place: `(type, value, offset of
/// the value in the walked bytes)`; one `Err(())` at the first badly framed
/// attribute, then the end.
#[derive(Debug, Clone)]
pub(crate) struct Walk<'a> {
    attrs: &'a [u8],
    at: usize,
    failed: bool,
}

/// Walks the attributes in `attrs`.
pub(crate) fn walk(attrs: &[u8]) -> Walk<'_> {
    Walk {
        attrs,
        at: 0,
        failed: false,
    }
}

impl Walk<'_> {
    /// How many bytes were left unread where a badly framed attribute
    /// stopped the walk (0 when it did not stop).
    pub(crate) fn left_at_failure(&self) -> usize {
        if self.failed {
            self.attrs.len().saturating_sub(self.at)
        } else {
            0
        }
    }
}

impl<'a> Iterator for Walk<'a> {
    type Item = Result<(u16, &'a [u8], usize), ()>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let rest = self.attrs.get(self.at..).filter(|r| !r.is_empty())?;
        let Some(header) = rest.first_chunk::<4>() else {
            self.failed = true;
            return Some(Err(()));
        };
        let len = usize::from(u16::from_ne_bytes([header[0], header[1]]));
        let kind = u16::from_ne_bytes([header[2], header[3]]) & NLA_TYPE_MASK;
        match rest.get(4..len.max(4)) {
            Some(value) if len >= 4 => {
                let start = self.at + 4;
                self.at += align(len);
                Some(Ok((kind, value, start)))
            }
            _ => {
                self.failed = true;
                Some(Err(()))
            }
        }
    }
}

/// `(type, value)` pairs up to the first badly framed attribute.
pub(crate) fn pairs(attrs: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    walk(attrs).map_while(Result::ok).map(|(k, v, _)| (k, v))
}

/// The value of the first attribute of type `kind`, borrowed in place.
pub(crate) fn find(attrs: &[u8], kind: u16) -> Option<&[u8]> {
    pairs(attrs).find(|&(k, _)| k == kind).map(|(_, v)| v)
}

/// Splits the payload of an rtnetlink message into its fixed header
/// (`header_len` bytes, `struct ifaddrmsg`, `rtmsg` …) and its attributes,
/// checking both: the one parser of every view (`AddressRef`, `RouteRef`,
/// `NeighRef`, `RuleRef`). `what` names the message (`"route message"`)
/// and `header` its header (`"struct rtmsg"`) in the error.
pub(crate) fn split_payload<'a>(
    payload: &'a [u8],
    header_len: usize,
    what: &'static str,
    header: &'static str,
) -> crate::Result<(&'a [u8], &'a [u8])> {
    let bad = || crate::Error::new(crate::ErrorKind::Protocol, "read", what);
    if payload.len() < header_len {
        return Err(bad().with_detail(format!("shorter than {header}")));
    }
    let (head, attrs) = payload.split_at(header_len);
    if !well_formed(attrs) {
        return Err(bad().with_detail("badly framed attributes"));
    }
    Ok((head, attrs))
}

/// Whether every attribute in `attrs` is correctly framed.
pub(crate) fn well_formed(attrs: &[u8]) -> bool {
    walk(attrs).all(|a| a.is_ok())
}

/// Rounds `len` up to the netlink alignment (4).
pub(crate) const fn align(len: usize) -> usize {
    (len + 3) & !3
}

/// An IPv4 or IPv6 address from a value of 4 or 16 bytes.
pub(crate) fn ip(value: &[u8]) -> Option<IpAddr> {
    if let Ok(b) = <[u8; 4]>::try_from(value) {
        Some(IpAddr::from(b))
    } else if let Ok(b) = <[u8; 16]>::try_from(value) {
        Some(IpAddr::from(b))
    } else {
        None
    }
}

/// A native-endian `u32` from the first 4 bytes of a value.
pub(crate) fn u32_ne(value: &[u8]) -> Option<u32> {
    value.first_chunk::<4>().map(|b| u32::from_ne_bytes(*b))
}

/// A native-endian `i32` from the first 4 bytes of a value.
pub(crate) fn i32_ne(value: &[u8]) -> Option<i32> {
    value.first_chunk::<4>().map(|b| i32::from_ne_bytes(*b))
}

/// A NUL-terminated string value without its terminator(s).
pub(crate) fn c_bytes(value: &[u8]) -> &[u8] {
    match value.iter().position(|&b| b == 0) {
        Some(end) => &value[..end],
        None => value,
    }
}

/// A NUL-terminated UTF-8 string value, without its NUL.
pub(crate) fn c_str(value: &[u8]) -> Option<&str> {
    std::str::from_utf8(c_bytes(value)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nla(kind: u16, value: &[u8]) -> Vec<u8> {
        let len = (4 + value.len()) as u16;
        let mut v = len.to_ne_bytes().to_vec();
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(value);
        v.resize(align(v.len()), 0);
        v
    }

    #[test]
    fn walks_finds_and_masks_the_flag_bits() {
        let mut buf = nla(3, b"eth0\0");
        buf.extend(nla(0x8000 | 18, &nla(1, b"veth\0")));
        buf.extend(nla(4, &1500u32.to_ne_bytes()));
        assert!(well_formed(&buf));
        assert_eq!(find(&buf, 3).and_then(c_str), Some("eth0"));
        assert_eq!(find(&buf, 4).and_then(u32_ne), Some(1500));
        let info = find(&buf, 18).unwrap();
        assert_eq!(find(info, 1).and_then(c_str), Some("veth"));
        assert_eq!(pairs(&buf).count(), 3);
        let offsets: Vec<usize> = walk(&buf).map(|a| a.unwrap().2).collect();
        assert_eq!(offsets, [4, 16, 32]);
    }

    #[test]
    fn bad_framing_ends_the_walk_with_one_error() {
        let mut buf = nla(3, b"ok\0");
        let good = buf.len();
        buf.extend_from_slice(&[40, 0, 1, 0, 0, 0]); // claims 40 bytes
        assert!(!well_formed(&buf));
        let items: Vec<_> = walk(&buf).collect();
        assert_eq!(items.len(), 2);
        assert!(items[1].is_err());
        assert_eq!(pairs(&buf).count(), 1);
        let mut w = walk(&buf);
        assert!(w.nth(1).unwrap().is_err());
        assert_eq!(w.left_at_failure(), 6);
        assert!(w.next().is_none());
        assert!(well_formed(&buf[..good]));
        assert!(!well_formed(&[1, 0, 1])); // shorter than a header
        assert!(!well_formed(&[2, 0, 1, 0])); // length below 4
    }

    #[test]
    fn decoders() {
        assert_eq!(ip(&[10, 0, 0, 1]), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(ip(&[0; 16]), Some("::".parse().unwrap()));
        assert_eq!(ip(&[1, 2, 3]), None);
        assert_eq!(u32_ne(&[1, 0]), None);
        assert_eq!(i32_ne(&(-1i32).to_ne_bytes()), Some(-1));
        assert_eq!(c_bytes(b"ab\0\0"), b"ab");
        assert_eq!(c_str(b"\xff\0"), None);
    }
}
