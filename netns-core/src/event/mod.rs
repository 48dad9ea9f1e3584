//! Events: what changes in one network namespace — links, addresses,
//! routes, neighbours, rules, nsids — as the kernel announces it to
//! rtnetlink multicast groups (`ip monitor`).
//!
//! A [`Subscription`] is an rtnetlink socket joined to the groups asked for
//! (`NETLINK_ADD_MEMBERSHIP` with `RTNLGRP_*`). It is opened **inside** the
//! namespace it watches — on a short-lived dedicated thread
//! ([`NetNs::subscribe`]) or in the calling thread's own namespace
//! ([`Subscription::current`]) — and stays bound to it whichever thread
//! reads it later; the caller's thread never moves.
//!
//! Reading:
//! * [`Subscription::next_ref`] yields [`EventRef`]s, views into the
//!   subscription's receive buffer (the same views as dumps: [`LinkRef`],
//!   [`AddressRef`], [`RouteRef`], [`NeighRef`], [`RuleRef`]): nothing is
//!   allocated per event;
//! * [`Subscription::next`] (blocking) and [`Subscription::next_timeout`]
//!   yield owned [`Event`]s;
//! * the descriptor ([`AsRawFd`], [`AsFd`]) can be polled by an event loop:
//!   it is readable when events wait. The socket is non-blocking.
//!
//! When events come faster than they are read, the kernel drops them and
//! the next `recv` fails once with `ENOBUFS`: that is reported as
//! [`Event::Overrun`] (and [`EventRef::Overrun`]); the events lost cannot be
//! known. [`Subscription::resync`] then dumps the current state of every
//! subscribed group (as `New` events), after which events continue
//! normally (some may repeat what the dump showed: apply them
//! idempotently).
//!
//! ```no_run
//! use netns_core::event::{Event, EventGroup, Subscription};
//! let mut sub = Subscription::current(&[EventGroup::Link, EventGroup::Ipv4Address])?;
//! loop {
//!     match sub.next()? {
//!         Event::Overrun => { let state = sub.resync()?; println!("resync: {} objects", state.len()); }
//!         event => println!("{event:?}"),
//!     }
//! }
//! # Ok::<(), netns_core::Error>(())
//! ```

use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::{Duration, Instant};

use netlink_sys::protocols::NETLINK_ROUTE;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use crate::addr::{Address, AddressFilter, AddressRef, Family};
use crate::link::{Link, LinkRef};
use crate::neigh::{NeighFilter, NeighRef, Neighbour};
use crate::netlink::uapi::NETNSA_NSID;
use crate::netlink::{attr, split_message};
use crate::netlink::{
    RTM_DELADDR, RTM_DELLINK, RTM_DELNEIGH, RTM_DELNSID, RTM_DELROUTE, RTM_DELRULE, RTM_NEWADDR,
    RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWNSID, RTM_NEWROUTE, RTM_NEWRULE,
};
use crate::route::{Route, RouteRef};
use crate::rule::{Rule, RuleRef};
use crate::{Error, ErrorKind, Handle, NetNs, Nsid, Result};

#[cfg(test)]
mod tests;

/// Receive buffer asked of the kernel (`SO_RCVBUFFORCE`, else `SO_RCVBUF`):
/// the larger, the longer a burst can be before events are lost.
const RECEIVE_BUFFER: usize = 8 << 20;
/// The receive buffer's first size; it grows to the largest datagram.
const INITIAL_BUFFER: usize = 64 * 1024;

/// An rtnetlink multicast group (`RTNLGRP_*`) a [`Subscription`] can join.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventGroup {
    /// Links (`RTNLGRP_LINK`).
    Link,
    /// IPv4 addresses (`RTNLGRP_IPV4_IFADDR`).
    Ipv4Address,
    /// IPv6 addresses (`RTNLGRP_IPV6_IFADDR`).
    Ipv6Address,
    /// IPv4 routes (`RTNLGRP_IPV4_ROUTE`).
    Ipv4Route,
    /// IPv6 routes (`RTNLGRP_IPV6_ROUTE`).
    Ipv6Route,
    /// Neighbours, both families (`RTNLGRP_NEIGH`).
    Neigh,
    /// IPv4 rules (`RTNLGRP_IPV4_RULE`).
    Ipv4Rule,
    /// IPv6 rules (`RTNLGRP_IPV6_RULE`).
    Ipv6Rule,
    /// Namespace ids (`RTNLGRP_NSID`).
    Nsid,
}

impl EventGroup {
    /// Every group, as `ip monitor all` joins them (of those listed here).
    pub const ALL: [EventGroup; 9] = [
        EventGroup::Link,
        EventGroup::Ipv4Address,
        EventGroup::Ipv6Address,
        EventGroup::Ipv4Route,
        EventGroup::Ipv6Route,
        EventGroup::Neigh,
        EventGroup::Ipv4Rule,
        EventGroup::Ipv6Rule,
        EventGroup::Nsid,
    ];

    /// The kernel's `RTNLGRP_*` number.
    pub fn number(self) -> u32 {
        match self {
            EventGroup::Link => 1,
            EventGroup::Neigh => 3,
            EventGroup::Ipv4Address => 5,
            EventGroup::Ipv4Route => 7,
            EventGroup::Ipv4Rule => 8,
            EventGroup::Ipv6Address => 9,
            EventGroup::Ipv6Route => 11,
            EventGroup::Ipv6Rule => 19,
            EventGroup::Nsid => 28,
        }
    }

    /// The groups an `ip monitor` object word stands for: `link`,
    /// `address`, `route`, `neigh`, `rule`, `nsid` (both families where
    /// there are two), or `all`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for another word.
    ///
    /// # Examples
    /// ```
    /// use netns_core::event::EventGroup;
    /// assert_eq!(EventGroup::from_word("route")?, [EventGroup::Ipv4Route, EventGroup::Ipv6Route]);
    /// assert_eq!(EventGroup::from_word("all")?.len(), 9);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    pub fn from_word(word: &str) -> Result<Vec<EventGroup>> {
        Ok(match word {
            "link" => vec![EventGroup::Link],
            "address" => vec![EventGroup::Ipv4Address, EventGroup::Ipv6Address],
            "route" => vec![EventGroup::Ipv4Route, EventGroup::Ipv6Route],
            "neigh" => vec![EventGroup::Neigh],
            "rule" => vec![EventGroup::Ipv4Rule, EventGroup::Ipv6Rule],
            "nsid" => vec![EventGroup::Nsid],
            "all" => EventGroup::ALL.to_vec(),
            _ => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "parse",
                    format!("event group {word:?}"),
                )
                .with_detail("a group is link, address, route, neigh, rule, nsid or all"))
            }
        })
    }
}

/// An nsid assigned or removed (`RTM_NEWNSID` / `RTM_DELNSID`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NsidEvent {
    /// `NETNSA_NSID`: the id (as this namespace calls the peer).
    pub nsid: Option<Nsid>,
}

impl NsidEvent {
    fn parse(payload: &[u8]) -> Result<NsidEvent> {
        // struct rtgenmsg (1 byte, padded to 4), then NETNSA_* attributes.
        let attrs = payload.get(4..).unwrap_or(&[]);
        if !attr::well_formed(attrs) {
            return Err(Error::new(ErrorKind::Protocol, "read", "nsid message")
                .with_detail("badly framed attributes"));
        }
        Ok(NsidEvent {
            nsid: attr::find(attrs, NETNSA_NSID)
                .and_then(attr::i32_ne)
                .and_then(Nsid::new),
        })
    }
}

/// What an event is about, read in place ([`EventRef`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy)]
pub enum ObjectRef<'a> {
    /// A link.
    Link(LinkRef<'a>),
    /// An address.
    Address(AddressRef<'a>),
    /// A route.
    Route(RouteRef<'a>),
    /// A neighbour entry.
    Neigh(NeighRef<'a>),
    /// A rule.
    Rule(RuleRef<'a>),
    /// An nsid.
    Nsid(NsidEvent),
}

impl ObjectRef<'_> {
    /// An owned copy.
    pub fn to_owned(&self) -> Object {
        match self {
            ObjectRef::Link(l) => Object::Link(Box::new(l.to_owned())),
            ObjectRef::Address(a) => Object::Address(a.to_owned()),
            ObjectRef::Route(r) => Object::Route(r.to_owned()),
            ObjectRef::Neigh(n) => Object::Neigh(n.to_owned()),
            ObjectRef::Rule(r) => Object::Rule(r.to_owned()),
            ObjectRef::Nsid(n) => Object::Nsid(*n),
        }
    }
}

/// What an event is about, owned ([`Event`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Object {
    /// A link (boxed: a link with its statistics is large).
    Link(Box<Link>),
    /// An address.
    Address(Address),
    /// A route.
    Route(Route),
    /// A neighbour entry.
    Neigh(Neighbour),
    /// A rule.
    Rule(Rule),
    /// An nsid.
    Nsid(NsidEvent),
}

/// One event, read in place in the subscription's receive buffer (valid
/// until the subscription is read again).
#[non_exhaustive]
#[derive(Debug, Clone, Copy)]
pub enum EventRef<'a> {
    /// An object appeared or changed (`RTM_NEW*`).
    New(ObjectRef<'a>),
    /// An object went away (`RTM_DEL*`).
    Del(ObjectRef<'a>),
    /// Events were lost (`ENOBUFS`): see [`Subscription::resync`].
    Overrun,
}

impl EventRef<'_> {
    /// An owned copy.
    pub fn to_owned(&self) -> Event {
        match self {
            EventRef::New(o) => Event::New(o.to_owned()),
            EventRef::Del(o) => Event::Del(o.to_owned()),
            EventRef::Overrun => Event::Overrun,
        }
    }
}

/// One event, owned.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An object appeared or changed (`RTM_NEW*`).
    New(Object),
    /// An object went away (`RTM_DEL*`).
    Del(Object),
    /// Events were lost (`ENOBUFS`): see [`Subscription::resync`].
    Overrun,
}

/// Whether messages of this type are events [`event_of`] reads.
fn is_event(message_type: u16) -> bool {
    matches!(
        message_type,
        RTM_NEWLINK
            | RTM_DELLINK
            | RTM_NEWADDR
            | RTM_DELADDR
            | RTM_NEWROUTE
            | RTM_DELROUTE
            | RTM_NEWNEIGH
            | RTM_DELNEIGH
            | RTM_NEWRULE
            | RTM_DELRULE
            | RTM_NEWNSID
            | RTM_DELNSID
    )
}

/// Reads one rtnetlink message as an event; `Ok(None)` for a message type
/// that is not one ([`is_event`]).
fn event_of(message_type: u16, payload: &[u8]) -> Result<Option<EventRef<'_>>> {
    let object = match message_type {
        RTM_NEWLINK | RTM_DELLINK => ObjectRef::Link(LinkRef::parse(payload)?),
        RTM_NEWADDR | RTM_DELADDR => ObjectRef::Address(AddressRef::parse(payload)?),
        RTM_NEWROUTE | RTM_DELROUTE => ObjectRef::Route(RouteRef::parse(payload)?),
        RTM_NEWNEIGH | RTM_DELNEIGH => ObjectRef::Neigh(NeighRef::parse(payload)?),
        RTM_NEWRULE | RTM_DELRULE => ObjectRef::Rule(RuleRef::parse(payload)?),
        RTM_NEWNSID | RTM_DELNSID => ObjectRef::Nsid(NsidEvent::parse(payload)?),
        _ => return Ok(None),
    };
    // RTM_NEW* and RTM_DEL* are consecutive; NEW is the multiple of 4.
    Ok(Some(if message_type.is_multiple_of(4) {
        EventRef::New(object)
    } else {
        EventRef::Del(object)
    }))
}

/// A subscription to the events of one network namespace: see the
/// [module documentation](self).
///
/// `Send`: open it in a namespace, read it from any thread.
pub struct Subscription {
    sock: netlink_sys::Socket,
    groups: Vec<EventGroup>,
    buf: Vec<u8>,
    /// The unread part of the last datagram: `buf[pos..len]`.
    pos: usize,
    len: usize,
    /// A handle in the same namespace, for [`Subscription::resync`].
    handle: Handle,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("fd", &self.sock.as_raw_fd())
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

impl AsRawFd for Subscription {
    /// The socket, for `poll`/`epoll`: readable when events wait.
    fn as_raw_fd(&self) -> RawFd {
        self.sock.as_raw_fd()
    }
}

impl AsFd for Subscription {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

const OBJECT: &str = "event subscription";

impl Subscription {
    /// Subscribes to `groups` in the calling thread's network namespace:
    /// `socket(AF_NETLINK, SOCK_DGRAM|SOCK_CLOEXEC, NETLINK_ROUTE)`, bound
    /// to a kernel-chosen port, `NETLINK_ADD_MEMBERSHIP` for each group, an
    /// 8 MiB receive buffer (`SO_RCVBUFFORCE`, else `SO_RCVBUF` capped by
    /// `net.core.rmem_max`), non-blocking; plus an rtnetlink [`Handle`] in
    /// the same namespace for [`Subscription::resync`].
    ///
    /// # Errors
    /// A system call's failure; [`ErrorKind::InvalidArgument`] for no group.
    pub fn current(groups: &[EventGroup]) -> Result<Subscription> {
        const OP: &str = "open";
        if groups.is_empty() {
            return Err(Error::new(ErrorKind::InvalidArgument, OP, OBJECT)
                .with_detail("no event group to subscribe to"));
        }
        let fail =
            |e: std::io::Error, what: &'static str| Error::io(&e, OP, OBJECT).with_detail(what);
        let mut sock = netlink_sys::Socket::new(NETLINK_ROUTE).map_err(|e| fail(e, "socket"))?;
        sock.bind_auto().map_err(|e| fail(e, "bind"))?;
        for g in groups {
            sock.add_membership(g.number())
                .map_err(|e| fail(e, "NETLINK_ADD_MEMBERSHIP"))?;
        }
        if nix::sys::socket::setsockopt(
            &sock,
            nix::sys::socket::sockopt::RcvBufForce,
            &RECEIVE_BUFFER,
        )
        .is_err()
        {
            let _ = nix::sys::socket::setsockopt(
                &sock,
                nix::sys::socket::sockopt::RcvBuf,
                &RECEIVE_BUFFER,
            );
        }
        sock.set_non_blocking(true)
            .map_err(|e| fail(e, "O_NONBLOCK"))?;
        let handle = Handle::current()?;
        let mut groups = groups.to_vec();
        groups.dedup();
        Ok(Subscription {
            sock,
            groups,
            buf: vec![0; INITIAL_BUFFER],
            pos: 0,
            len: 0,
            handle,
        })
    }

    /// The groups joined.
    pub fn groups(&self) -> &[EventGroup] {
        &self.groups
    }

    /// The handle opened with the subscription, in the same namespace (for
    /// looking up names, e.g. an address event's interface).
    pub fn handle(&mut self) -> &mut Handle {
        &mut self.handle
    }

    /// Waits until the socket is readable or `deadline` passes; `false` on
    /// timeout.
    fn wait(&self, deadline: Option<Instant>) -> Result<bool> {
        loop {
            let timeout = match deadline {
                None => PollTimeout::NONE,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    // Round up: a 0 ms poll of a sub-millisecond rest spins.
                    let ms = left.as_micros().div_ceil(1000);
                    PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
                }
            };
            let mut fds = [PollFd::new(self.sock.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, timeout) {
                Ok(0) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Ok(false);
                    }
                }
                Ok(_) => return Ok(true),
                Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(Error::sys(e, "read", OBJECT).with_detail("poll")),
            }
        }
    }

    /// Receives one datagram from the kernel into the buffer (growing it
    /// first if needed). `Ok(false)`: nothing waits (`EAGAIN`); `Err` with
    /// `ENOBUFS`: overrun.
    fn receive(&mut self) -> std::result::Result<bool, nix::errno::Errno> {
        use nix::sys::socket::{recv, recvfrom, MsgFlags, NetlinkAddr};
        let fd = self.sock.as_raw_fd();
        loop {
            let peek = recv(
                fd,
                &mut [],
                MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC | MsgFlags::MSG_DONTWAIT,
            );
            let size = match peek {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::EAGAIN) => return Ok(false),
                Err(e) => return Err(e),
            };
            if size > self.buf.len() {
                self.buf.resize(size, 0);
            }
            // The socket is non-blocking. Datagrams from anyone but the
            // kernel (port 0) are dropped.
            match recvfrom::<NetlinkAddr>(fd, &mut self.buf) {
                Ok((_, Some(from))) if from.pid() != 0 => continue,
                Ok((n, _)) => {
                    self.pos = 0;
                    self.len = n.min(self.buf.len());
                    return Ok(true);
                }
                Err(nix::errno::Errno::EINTR) => continue,
                Err(nix::errno::Errno::EAGAIN) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }

    /// The next event, read in place: waits up to `timeout` (`None`: for
    /// ever) and returns `Ok(None)` when none came. Messages of other
    /// types (acknowledgements, kinds this crate does not read) are
    /// skipped.
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`] for a malformed message (the rest of its
    /// datagram is dropped); a socket error.
    pub fn next_ref(&mut self, timeout: Option<Duration>) -> Result<Option<EventRef<'_>>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let (start, end, message_type) = loop {
            if self.pos < self.len {
                let rest = &self.buf[self.pos..self.len];
                match split_message(rest) {
                    Ok(Some((m, after))) => {
                        let start = self.pos + 16;
                        let end = self.pos + m.bytes().len();
                        self.pos = self.len - after.len();
                        if !is_event(m.message_type()) {
                            continue; // NLMSG_*, kinds this crate does not read
                        }
                        break (start, end, m.message_type());
                    }
                    Ok(None) => self.pos = self.len,
                    Err(why) => {
                        self.pos = self.len;
                        return Err(
                            Error::new(ErrorKind::Protocol, "read", OBJECT).with_detail(why)
                        );
                    }
                }
                continue;
            }
            match self.receive() {
                Ok(true) => continue,
                Ok(false) => {}
                Err(nix::errno::Errno::ENOBUFS) => return Ok(Some(EventRef::Overrun)),
                Err(e) => return Err(Error::sys(e, "read", OBJECT)),
            }
            if !self.wait(deadline)? {
                return Ok(None);
            }
        };
        let payload = &self.buf[start..end];
        event_of(message_type, payload).map_err(|e| e.context("read", OBJECT))
    }

    /// The next event, owned; blocks until one comes.
    ///
    /// # Errors
    /// As [`Subscription::next_ref`].
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Event> {
        loop {
            if let Some(e) = self.next_ref(None)? {
                return Ok(e.to_owned());
            }
        }
    }

    /// The next event, owned, waiting at most `timeout`; `Ok(None)` when
    /// none came.
    ///
    /// # Errors
    /// As [`Subscription::next_ref`].
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<Event>> {
        Ok(self.next_ref(Some(timeout))?.map(|e| e.to_owned()))
    }

    /// The current state of every subscribed group, as `New` events, read
    /// with the subscription's handle (one dump per group: links,
    /// addresses and routes by family, neighbours in every state and proxy
    /// entries, rules by family, nsids). For after an [`Event::Overrun`];
    /// events read afterwards may repeat part of it.
    ///
    /// # Errors
    /// The first dump that fails.
    pub fn resync(&mut self) -> Result<Vec<Event>> {
        let h = &mut self.handle;
        let mut out = Vec::new();
        let new = Event::New;
        for g in self.groups.clone() {
            match g {
                EventGroup::Link => out.extend(
                    h.links()?
                        .map(|l| new(Object::Link(Box::new(l.to_owned())))),
                ),
                EventGroup::Ipv4Address | EventGroup::Ipv6Address => {
                    let f = if g == EventGroup::Ipv4Address {
                        Family::Inet
                    } else {
                        Family::Inet6
                    };
                    out.extend(
                        h.addresses(AddressFilter::new().family(f))?
                            .map(|a| new(Object::Address(a.to_owned()))),
                    );
                }
                EventGroup::Ipv4Route | EventGroup::Ipv6Route => {
                    let f = if g == EventGroup::Ipv4Route {
                        Family::Inet
                    } else {
                        Family::Inet6
                    };
                    out.extend(
                        h.routes(None, Some(f))?
                            .map(|r| new(Object::Route(r.to_owned()))),
                    );
                }
                EventGroup::Neigh => {
                    for proxy in [false, true] {
                        let filter = NeighFilter::new().all_states().proxy(proxy);
                        out.extend(
                            h.neighbours(&filter)?
                                .map(|n| new(Object::Neigh(n.to_owned()))),
                        );
                    }
                }
                EventGroup::Ipv4Rule | EventGroup::Ipv6Rule => {
                    let f = if g == EventGroup::Ipv4Rule {
                        Family::Inet
                    } else {
                        Family::Inet6
                    };
                    out.extend(h.rules(f)?.map(|r| new(Object::Rule(r.to_owned()))));
                }
                EventGroup::Nsid => out.extend(
                    crate::nsid::list(h.socket(), None, None)?
                        .into_iter()
                        .map(|e| new(Object::Nsid(NsidEvent { nsid: Some(e.nsid) }))),
                ),
            }
        }
        Ok(out)
    }
}

const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Subscription>();
};

impl NetNs {
    /// Subscribes to `groups` in this namespace: the socket is opened on a
    /// short-lived thread that entered it ([`NetNs::run`]) and stays bound
    /// to it; the caller's thread never moves.
    ///
    /// # Errors
    /// As [`Subscription::current`], or when the namespace cannot be
    /// entered.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::event::EventGroup;
    /// let ns = netns_core::Registry::from_env().open("blue")?;
    /// let mut sub = ns.subscribe(&EventGroup::ALL)?;
    /// if let Some(event) = sub.next_timeout(std::time::Duration::from_secs(1))? {
    ///     println!("{event:?}");
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "ip monitor")]
    pub fn subscribe(&self, groups: &[EventGroup]) -> Result<Subscription> {
        let groups = groups.to_vec();
        self.run(move || Subscription::current(&groups))?
    }
}
