//! Bridge port settings: `RTM_SETLINK` with `ifi_family = AF_BRIDGE` and a
//! nested `IFLA_PROTINFO`, the message `bridge link set` and `ip link set …
//! type bridge_slave` build.

use netlink_packet_core::DefaultNla;
use netlink_packet_route::link::{LinkAttribute, LinkMessage, LinkProtoInfoBridge};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};

use super::LinkId;
use crate::netlink::uapi::IFLA_BRPORT_MODE;
use crate::netlink::Request;
use crate::{Handle, Result};

/// The `RTM_SETLINK` that sets the hairpin mode of bridge port `index`.
fn hairpin_message(index: u32, on: bool) -> RouteNetlinkMessage {
    let mut msg = LinkMessage::default();
    msg.header.interface_family = AddressFamily::Bridge;
    msg.header.index = index;
    msg.attributes.push(LinkAttribute::ProtoInfoBridge(vec![
        LinkProtoInfoBridge::Other(DefaultNla::new(IFLA_BRPORT_MODE, vec![u8::from(on)])),
    ]));
    RouteNetlinkMessage::SetLink(msg)
}

impl Handle {
    /// Turns hairpin mode of bridge port `id` on or off: the bridge then
    /// sends a frame back out of the port it came in on (a pod reaching
    /// itself through a service address). One `RTM_SETLINK` with
    /// `ifi_family = AF_BRIDGE` and `IFLA_PROTINFO | NLA_F_NESTED` holding
    /// `IFLA_BRPORT_MODE`, as `bridge link set dev X hairpin on`; a name is
    /// first resolved to an index (the bridge code finds the port by index
    /// only).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when there is no
    /// such link; the kernel's refusal when the link is not a bridge port
    /// (`EOPNOTSUPP`/`EINVAL`).
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.bridge_port_set_hairpin("veth0".into(), true)?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "IFLA_BRPORT_MODE")]
    #[doc(alias = "bridge link set hairpin")]
    pub fn bridge_port_set_hairpin(&mut self, id: LinkId<'_>, on: bool) -> Result<()> {
        let index = match id {
            LinkId::Index(i) => i,
            LinkId::Name(n) => self
                .link_index(n)
                .map_err(|e| e.context("set hairpin", id.to_string()))?,
        };
        let request = Request::new(hairpin_message(index.get(), on), "set hairpin", &id);
        self.socket().execute(&request)
    }
}

#[cfg(test)]
mod tests {
    use netlink_packet_core::Emitable;

    use super::*;

    #[test]
    fn hairpin_message_is_a_nested_protinfo_with_brport_mode() {
        let RouteNetlinkMessage::SetLink(msg) = hairpin_message(7, true) else {
            unreachable!("hairpin_message builds a SetLink")
        };
        let mut bytes = vec![0u8; msg.buffer_len()];
        msg.emit(&mut bytes);
        // ifinfomsg: family AF_BRIDGE (7), index 7.
        assert_eq!(bytes[0], 7);
        assert_eq!(
            u32::from_ne_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
            7
        );
        // One attribute: IFLA_PROTINFO (12) | NLA_F_NESTED, holding
        // IFLA_BRPORT_MODE = 1 (len 5, padded to 8).
        let attrs = &bytes[16..];
        assert_eq!(u16::from_ne_bytes([attrs[0], attrs[1]]), 4 + 8);
        assert_eq!(u16::from_ne_bytes([attrs[2], attrs[3]]), 12 | 0x8000);
        assert_eq!(u16::from_ne_bytes([attrs[4], attrs[5]]), 5);
        assert_eq!(u16::from_ne_bytes([attrs[6], attrs[7]]), IFLA_BRPORT_MODE);
        assert_eq!(attrs[8], 1);
        let RouteNetlinkMessage::SetLink(off) = hairpin_message(7, false) else {
            unreachable!("hairpin_message builds a SetLink")
        };
        let mut bytes = vec![0u8; off.buffer_len()];
        off.emit(&mut bytes);
        assert_eq!(bytes[16 + 8], 0);
    }
}
