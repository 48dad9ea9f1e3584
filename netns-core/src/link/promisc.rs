//! Promiscuous mode (`IFF_PROMISC`), as `ip link set dev X promisc on|off`.

use super::{LinkChange, LinkId};
use crate::{Handle, Result};

impl Handle {
    /// Turns promiscuous mode of link `id` on or off: one `RTM_SETLINK` with
    /// `IFF_PROMISC` in `ifi_change`, and in `ifi_flags` when `on`
    /// ([`LinkChange::promisc`]; the
    /// kernel keeps a count: this is the administrative flag `ip` sets, shown
    /// as `PROMISC`).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) when there is no
    /// such link; the kernel's refusal otherwise.
    ///
    /// # Examples
    /// ```no_run
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_set_promisc("br0".into(), true)?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "IFF_PROMISC")]
    #[doc(alias = "ip link set promisc")]
    pub fn link_set_promisc(&mut self, id: LinkId<'_>, on: bool) -> Result<()> {
        self.link_set(&LinkChange::new(id).promisc(on))
    }
}
