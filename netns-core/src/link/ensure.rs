//! The idempotent form of [`Handle::link_add`] (see [`crate::ensure`]):
//! a link of the same name is accepted when it is of the same kind and,
//! for a veth, its peer has the name the spec gives.

use super::{LinkId, LinkKind, LinkSpec};
use crate::ensure::{self, Compared, Comparison};
use crate::{ErrorKind, Handle, Result};

/// What the comparison needs of a link, read before the next request.
struct Seen {
    kind: Option<String>,
    index: u32,
    link: Option<u32>,
}

/// The link `name` in `h`'s namespace, or `None`.
fn seen(h: &mut Handle, name: &str) -> Result<Option<Seen>> {
    match h.link(LinkId::Name(name)) {
        Ok(l) => Ok(Some(Seen {
            kind: l.kind().map(str::to_owned),
            index: l.index().get(),
            link: l.link().map(|i| i.get()),
        })),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

fn compare(h: &mut Handle, spec: &LinkSpec) -> Result<Compared> {
    let mut there;
    let h_link: &mut Handle = match &spec.netns {
        Some(ns) => {
            there = ns.open()?.handle()?;
            &mut there
        }
        None => h,
    };
    let Some(link) = seen(h_link, &spec.name)? else {
        return Ok(Compared::Gone);
    };
    let mut c = Comparison::default();
    c.check(
        "type",
        Some(link.kind.clone().unwrap_or_else(|| "none".to_owned())),
        Some(spec.kind.name().to_owned()),
    );
    let kind = c.outcome();
    let (LinkKind::Veth(peer), Compared::Same) = (&spec.kind, &kind) else {
        return Ok(kind);
    };
    let Some(peer_name) = &peer.name else {
        return Ok(Compared::Same);
    };
    // The peer is born in its own namespace when one is given, else in the
    // caller's (the veth driver's source namespace).
    let mut peer_ns;
    let h_peer: &mut Handle = match &peer.netns {
        Some(ns) => {
            peer_ns = ns.open()?.handle()?;
            &mut peer_ns
        }
        None => h,
    };
    let other = seen(h_peer, peer_name)?;
    let paired = other.as_ref().is_some_and(|p| {
        p.kind.as_deref() == Some("veth")
            && p.link == Some(link.index)
            && link.link == Some(p.index)
    });
    let mut c = Comparison::default();
    if !paired {
        c.check(
            "peer",
            Some("another link".to_owned()),
            Some(peer_name.clone()),
        );
    }
    Ok(c.outcome())
}

impl Handle {
    /// [`Handle::link_add`], accepting an existing link of the same name
    /// that is of the same kind and, for a veth whose peer the spec names,
    /// paired with a veth of that name (each one's `IFLA_LINK` the other's
    /// index). Other options (mtu, mac, master …) are not compared: set
    /// them with [`Handle::link_set`](crate::Handle) afterwards if they
    /// matter. Returns whether the link was created.
    ///
    /// # Errors
    /// As [`Handle::link_add`]; [`ErrorKind::AlreadyExists`] when the
    /// existing link is of another kind (`it exists with type bridge, not
    /// veth`) or its peer is not the one named (`it exists with peer
    /// another link, not veth1`).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::LinkSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// let spec = LinkSpec::veth("veth0", "veth1");
    /// h.link_add_exist_ok(&spec)?;
    /// assert!(!h.link_add_exist_ok(&spec)?);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "exist_ok")]
    pub fn link_add_exist_ok(&mut self, spec: &LinkSpec) -> Result<bool> {
        ensure::exist_ok(self, |h| h.link_add(spec), |h| compare(h, spec))
    }

    /// Deletes link `id` (`RTM_DELLINK`, as [`Handle::link_delete`]),
    /// accepting that it is already gone: `Ok(false)` then, `Ok(true)` when
    /// it was deleted.
    ///
    /// # Errors
    /// As [`Handle::link_delete`], less `NotFound`.
    #[doc(alias = "missing_ok")]
    pub fn link_delete_missing_ok(&mut self, id: LinkId<'_>) -> Result<bool> {
        match self.link_delete(id) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}
