//! [`Handle`]: an rtnetlink socket bound to one network namespace, on which
//! the link, address, route and sysctl operations are defined (`link.rs`,
//! `addr.rs`, `route.rs`, `sysctl.rs` each add their own `impl Handle`).

use crate::error::{Capability, Error, Result};
use crate::namespace::NetNs;
use crate::netlink::Socket;

/// An rtnetlink handle bound to one network namespace.
///
/// The socket is opened on a short-lived thread that entered the namespace
/// ([`NetNs::handle`]) or in the calling thread's own namespace
/// ([`Handle::current`]); a netlink socket stays bound to the namespace it was
/// created in, so after that no thread ever switches. A handle is `Send`: it
/// can be moved to another thread, but is used by one thread at a time
/// (`&mut self`).
///
/// # Examples
/// ```no_run
/// let ns = netns_core::NetNs::new_anonymous()?;
/// let mut handle = ns.handle()?;
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug)]
pub struct Handle {
    sock: Socket,
}

impl Handle {
    /// A handle on the calling thread's current network namespace.
    ///
    /// # Errors
    /// When the netlink socket cannot be opened.
    pub fn current() -> Result<Handle> {
        Ok(Handle {
            sock: Socket::open()?,
        })
    }

    /// The underlying socket, for requests this crate has no method for.
    pub fn socket(&mut self) -> &mut Socket {
        &mut self.sock
    }
}

impl From<Socket> for Handle {
    fn from(sock: Socket) -> Handle {
        Handle { sock }
    }
}

impl NetNs {
    /// An rtnetlink handle bound to this namespace: the socket is opened on a
    /// dedicated thread inside it (see [`NetNs::run`]); the caller's thread
    /// never moves.
    ///
    /// # Errors
    /// When the namespace cannot be entered or the socket opened.
    pub fn handle(&self) -> Result<Handle> {
        self.run(Handle::current)?
    }

    /// One rtnetlink handle in each of `namespaces`, in order, all opened
    /// from one short-lived dedicated thread that enters the namespaces in
    /// turn and exits afterwards ([`NetNs::handle`] spends a thread per
    /// namespace); the caller's thread never moves. For reading or changing
    /// many namespaces at once; several callers (e.g. one thread per core)
    /// can each open their share.
    ///
    /// # Errors
    /// When a namespace cannot be entered or a socket opened; no handle is
    /// returned then.
    ///
    /// # Examples
    /// ```no_run
    /// let reg = netns_core::Registry::from_env();
    /// let (blue, red) = (reg.open("blue")?, reg.open("red")?);
    /// let handles = netns_core::NetNs::handles(&[&blue, &red])?;
    /// assert_eq!(handles.len(), 2);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn handles(namespaces: &[&NetNs]) -> Result<Vec<Handle>> {
        let Some((first, rest)) = namespaces.split_first() else {
            return Ok(Vec::new());
        };
        first.run(|| {
            let mut handles = Vec::with_capacity(namespaces.len());
            handles.push(Handle::current()?);
            for ns in rest {
                nix::sched::setns(ns, nix::sched::CloneFlags::CLONE_NEWNET).map_err(|e| {
                    Error::sys(e, "enter", "network namespace")
                        .with_capability(Capability::SysAdmin)
                })?;
                handles.push(Handle::current()?);
            }
            Ok(handles)
        })?
    }
}
