//! Interface aliases (`IFLA_IFALIAS`): a free-form label of up to 255 bytes
//! the kernel keeps with a link (`ip link set X alias TEXT`). Programs that
//! create links use it to mark them as theirs.

use netlink_packet_core::DefaultNla;
use netlink_packet_route::link::{LinkAttribute, LinkMessage};
use netlink_packet_route::RouteNetlinkMessage;

use super::LinkId;
use crate::netlink::uapi::IFLA_IFALIAS;
use crate::netlink::Request;
use crate::{Error, ErrorKind, Handle, Result};

/// The longest alias the kernel stores (`IFALIASZ` − 1).
pub const MAX_ALIAS_LEN: usize = 255;

impl Handle {
    /// Sets the alias of link `id` (`RTM_SETLINK` with `IFLA_IFALIAS`, as
    /// `ip link set dev X alias TEXT`); an empty `alias` removes it. The
    /// kernel reads aliases back in `IFLA_IFALIAS` of every `RTM_GETLINK`
    /// answer ([`LinkRef::alias`](super::LinkRef::alias)). It cannot be set
    /// in the `RTM_NEWLINK` that creates a link (the kernel ignores it there).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an alias longer than
    /// [`MAX_ALIAS_LEN`] bytes or holding a NUL byte (before the kernel);
    /// [`ErrorKind::NotFound`] when there is no such link.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_set_alias("veth0".into(), "pod web-1")?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "IFLA_IFALIAS")]
    #[doc(alias = "ip link set alias")]
    pub fn link_set_alias(&mut self, id: LinkId<'_>, alias: &str) -> Result<()> {
        if alias.len() > MAX_ALIAS_LEN || alias.contains('\0') {
            return Err(
                Error::new(ErrorKind::InvalidArgument, "set alias", id.to_string()).with_detail(
                    format!("an alias has at most {MAX_ALIAS_LEN} bytes and no NUL byte"),
                ),
            );
        }
        let mut msg = LinkMessage::default();
        id.apply("set alias", &mut msg)?;
        // The text without a trailing NUL, as ip sends it: the kernel takes
        // the attribute's length as the alias length, so 255 bytes fit and
        // an empty attribute removes the alias.
        msg.attributes.push(LinkAttribute::Other(DefaultNla::new(
            IFLA_IFALIAS,
            alias.as_bytes().to_vec(),
        )));
        let request = Request::new(RouteNetlinkMessage::SetLink(msg), "set alias", &id);
        self.socket().execute(&request)
    }
}
