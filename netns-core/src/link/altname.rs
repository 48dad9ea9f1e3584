//! Alternative names (`IFLA_PROP_LIST` → `IFLA_ALT_IFNAME`, Linux 5.5): up
//! to 127 bytes each, as many as a link needs, found by every lookup as its
//! name is (`ip link property add dev X altname Y`).

use netlink_packet_route::link::{LinkAttribute, LinkMessage, Prop};
use netlink_packet_route::RouteNetlinkMessage;

use super::types::MAX_NAME_LEN;
use super::LinkId;
use crate::netlink::Request;
use crate::{Error, ErrorKind, Handle, Result};

/// The longest alternative name the kernel keeps (`ALTIFNAMSIZ` − 1).
pub const MAX_ALTNAME_LEN: usize = 127;

/// Checks an alternative name as the kernel would (`dev_valid_name` with
/// `ALTIFNAMSIZ`): 1 to 127 bytes, not `.` or `..`, no `/`, `:`,
/// whitespace or NUL; names of up to 15 bytes are also valid link names.
///
/// # Errors
/// [`ErrorKind::InvalidArgument`] saying what is wrong.
pub fn validate_altname(name: &str) -> Result<()> {
    if name.len() <= MAX_NAME_LEN {
        return super::validate_link_name(name);
    }
    let why = if name.len() > MAX_ALTNAME_LEN {
        "an alternative name has at most 127 bytes"
    } else if name.contains(['/', ':', '\0']) || name.contains(char::is_whitespace) {
        "a link name cannot contain '/', ':', whitespace or a NUL byte"
    } else {
        return Ok(());
    };
    Err(Error::new(
        ErrorKind::InvalidArgument,
        "use",
        format!("link name {name:?}"),
    )
    .with_detail(why))
}

/// `RTM_NEWLINKPROP` (`add`) or `RTM_DELLINKPROP` for link `id` with one
/// `IFLA_ALT_IFNAME` in `IFLA_PROP_LIST`.
fn message(
    id: LinkId<'_>,
    altname: &str,
    add: bool,
    op: &'static str,
) -> Result<RouteNetlinkMessage> {
    validate_altname(altname).map_err(|e| e.context(op, id.to_string()))?;
    let mut msg = LinkMessage::default();
    id.apply(op, &mut msg)?;
    msg.attributes
        .push(LinkAttribute::PropList(vec![Prop::AltIfName(
            altname.to_owned(),
        )]));
    Ok(if add {
        RouteNetlinkMessage::NewLinkProp(msg)
    } else {
        RouteNetlinkMessage::DelLinkProp(msg)
    })
}

impl Handle {
    /// Gives link `id` the alternative name `altname`: one
    /// `RTM_NEWLINKPROP` with `IFLA_PROP_LIST` → `IFLA_ALT_IFNAME`, as `ip
    /// link property add dev X altname Y`. Every lookup then finds the link
    /// by that name too ([`Handle::link_index`], any spec's device), and
    /// [`LinkRef::altnames`](super::LinkRef::altnames) lists it.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a name no link can have (before
    /// the kernel, see [`validate_altname`]); [`ErrorKind::NotFound`] when
    /// there is no such link; [`ErrorKind::AlreadyExists`] when a link
    /// already has that name or alternative name.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_altname_add("veth0".into(), "pod-web-1-eth0")?;
    /// assert_eq!(h.link_index("pod-web-1-eth0")?, h.link_index("veth0")?);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_NEWLINKPROP")]
    #[doc(alias = "ip link property add")]
    pub fn link_altname_add(&mut self, id: LinkId<'_>, altname: &str) -> Result<()> {
        let op = "add altname to";
        let request = Request::new(message(id, altname, true, op)?, op, &id);
        self.socket().execute(&request)
    }

    /// Removes the alternative name `altname` of link `id`: one
    /// `RTM_DELLINKPROP`, as `ip link property del dev X altname Y`.
    ///
    /// # Errors
    /// As [`Handle::link_altname_add`]; [`ErrorKind::NotFound`] when the
    /// link has no such alternative name (the kernel says `ENOENT`).
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_altname_del("veth0".into(), "pod-web-1-eth0")?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_DELLINKPROP")]
    #[doc(alias = "ip link property del")]
    pub fn link_altname_del(&mut self, id: LinkId<'_>, altname: &str) -> Result<()> {
        let op = "delete altname of";
        let request = Request::new(message(id, altname, false, op)?, op, &id);
        self.socket().execute(&request)
    }
}

#[cfg(test)]
mod tests {
    use netlink_packet_core::Emitable;

    use super::*;

    #[test]
    fn altname_message_nests_alt_ifname_in_prop_list() {
        let RouteNetlinkMessage::NewLinkProp(msg) = message(
            LinkId::Name("veth0"),
            "a-very-long-alternative",
            true,
            "add",
        )
        .unwrap() else {
            unreachable!("add builds NewLinkProp")
        };
        let mut bytes = vec![0u8; msg.buffer_len()];
        msg.emit(&mut bytes);
        let attrs = &bytes[16..];
        // IFLA_IFNAME "veth0\0" (len 10, padded to 12), then IFLA_PROP_LIST
        // (52) | NLA_F_NESTED holding IFLA_ALT_IFNAME (53).
        assert_eq!(u16::from_ne_bytes([attrs[2], attrs[3]]), 3);
        let list = &attrs[12..];
        assert_eq!(u16::from_ne_bytes([list[2], list[3]]), 52 | 0x8000);
        assert_eq!(u16::from_ne_bytes([list[6], list[7]]), 53);
        assert_eq!(&list[8..8 + 23], b"a-very-long-alternative");
        assert!(message(LinkId::Name("v"), &"x".repeat(128), true, "add").is_err());
        assert!(message(LinkId::Name("v"), "a b", false, "del").is_err());
        assert!(validate_altname(&"y".repeat(127)).is_ok());
    }
}
