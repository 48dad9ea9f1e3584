//! Events (`ip monitor`): a `netns_subscription` to rtnetlink groups of one
//! namespace, polled through its descriptor and read with a timeout; each
//! event is converted to the same objects as the listings (`netns_link`,
//! `netns_addr`, `netns_route`, `netns_neigh`, `netns_rule`).

use std::collections::BTreeMap;
use std::os::fd::AsRawFd;
use std::time::Duration;

use netns_core::event::{Event, EventGroup, EventRef, Object, ObjectRef, Subscription};

use crate::addr::netns_addr;
use crate::error::{netns_result, Failure};
use crate::link::netns_link;
use crate::namespace::{netns_ns, ns_arg};
use crate::neigh::netns_neigh;
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_ref, out_arg};
use crate::registry::next_of;
use crate::route::netns_route;
use crate::rule::netns_rule;

/// Links (`RTNLGRP_LINK`).
pub const NETNS_EVENT_LINK: u32 = 1;
/// IPv4 and IPv6 addresses.
pub const NETNS_EVENT_ADDRESS: u32 = 2;
/// IPv4 and IPv6 routes.
pub const NETNS_EVENT_ROUTE: u32 = 4;
/// Neighbours (`RTNLGRP_NEIGH`).
pub const NETNS_EVENT_NEIGH: u32 = 8;
/// IPv4 and IPv6 rules.
pub const NETNS_EVENT_RULE: u32 = 16;
/// Namespace ids (`RTNLGRP_NSID`).
pub const NETNS_EVENT_NSID: u32 = 32;
/// Every group above (`ip monitor all`).
pub const NETNS_EVENT_ALL: u32 = 63;

/// What an event says.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum netns_event_type {
    /// An object appeared or changed (`RTM_NEW*`).
    NETNS_EVENT_NEW = 1,
    /// An object went (`RTM_DEL*`).
    NETNS_EVENT_DEL = 2,
    /// The kernel dropped events because they were not read fast enough
    /// (`ENOBUFS`): the state is unknown; call `netns_subscription_resync`.
    NETNS_EVENT_OVERRUN = 3,
}

/// The object of an event.
enum Item {
    Link(netns_link),
    Addr(netns_addr),
    Route(netns_route),
    Neigh(netns_neigh),
    Rule(netns_rule),
    Nsid(i32),
    None,
}

/// One event. Borrowed from its subscription (valid until the next
/// `netns_subscription_next`, `_resync` or `_free`) or its iterator.
pub struct netns_event {
    kind: netns_event_type,
    item: Item,
}

/// A subscription to the events of one namespace. Opaque; free with
/// `netns_subscription_free`. One thread at a time.
pub struct netns_subscription {
    sub: Subscription,
    names: BTreeMap<u32, String>,
    last: Option<netns_event>,
}

impl netns_subscription {
    /// The interface names, re-read once when `index` is unknown.
    fn names_for(&mut self, index: u32) -> &BTreeMap<u32, String> {
        if !self.names.contains_key(&index) {
            if let Ok(names) = self.sub.handle().interface_names() {
                self.names = names;
            }
        }
        &self.names
    }

    fn item_of_owned(&mut self, o: &Object) -> Item {
        match o {
            Object::Link(l) => Item::Link(netns_link::from_owned(l)),
            Object::Address(a) => Item::Addr(netns_addr::from_owned(a)),
            Object::Route(r) => Item::Route(netns_route::from_owned(r)),
            Object::Neigh(n) => {
                let names = self.names_for(n.ifindex);
                Item::Neigh(netns_neigh::of(n, names))
            }
            Object::Rule(r) => Item::Rule(netns_rule::of(r)),
            Object::Nsid(n) => Item::Nsid(n.nsid.map_or(-1, |n| n.get())),
            _ => Item::None,
        }
    }
}

fn groups_of(mask: u32) -> Result<Vec<EventGroup>, Failure> {
    if mask == 0 || mask & !NETNS_EVENT_ALL != 0 {
        return Err(Failure::invalid(
            "groups",
            "a mask of NETNS_EVENT_LINK, _ADDRESS, _ROUTE, _NEIGH, _RULE, _NSID",
        ));
    }
    let mut out = Vec::new();
    for (bit, word) in [
        (NETNS_EVENT_LINK, "link"),
        (NETNS_EVENT_ADDRESS, "address"),
        (NETNS_EVENT_ROUTE, "route"),
        (NETNS_EVENT_NEIGH, "neigh"),
        (NETNS_EVENT_RULE, "rule"),
        (NETNS_EVENT_NSID, "nsid"),
    ] {
        if mask & bit != 0 {
            out.extend(EventGroup::from_word(word)?);
        }
    }
    Ok(out)
}

/// Subscribes to the event groups `groups` (a mask of `NETNS_EVENT_*`) of
/// namespace `ns`, or of the calling thread's namespace when `ns` is NULL,
/// as `ip monitor`: the socket is opened inside the namespace (on a
/// short-lived thread) and stays bound to it. Writes it to `*out`.
#[no_mangle]
pub extern "C" fn netns_subscribe(
    ns: *const netns_ns,
    groups: u32,
    out: *mut *mut netns_subscription,
) -> netns_result {
    call("netns_subscribe", || {
        let groups = groups_of(groups)?;
        let out = out_arg(out, "out")?;
        let sub = if ns.is_null() {
            Subscription::current(&groups)?
        } else {
            ns_arg(ns, "ns")?.subscribe(&groups)?
        };
        out.set(into_raw(netns_subscription {
            sub,
            names: BTreeMap::new(),
            last: None,
        }));
        Ok(())
    })
}

/// The subscription's descriptor, for `poll`/`epoll`: readable when events
/// wait. Owned by the subscription. -1 for NULL.
#[no_mangle]
pub extern "C" fn netns_subscription_fd(sub: *const netns_subscription) -> i32 {
    guard(-1, || opt_ref(sub).map_or(-1, |s| s.sub.as_raw_fd()))
}

/// Waits up to `timeout_ms` milliseconds (-1: for ever, 0: only what
/// already waits) for the next event and writes it to `*event`, or NULL
/// when none came. The event belongs to the subscription and stays valid
/// until the next call on it. An event of kind `NETNS_EVENT_OVERRUN` says
/// events were lost: call `netns_subscription_resync`.
#[no_mangle]
pub extern "C" fn netns_subscription_next(
    sub: *mut netns_subscription,
    timeout_ms: i32,
    event: *mut *const netns_event,
) -> netns_result {
    call("netns_subscription_next", || {
        let s = mut_arg(sub, "sub")?;
        let out = out_arg(event, "event")?;
        s.last = None;
        let timeout = u64::try_from(timeout_ms).ok().map(Duration::from_millis);
        let got = loop {
            let next = match s.sub.next_ref(timeout)? {
                None if timeout.is_none() => continue,
                None => break None,
                Some(e) => e,
            };
            let (kind, object) = match next {
                EventRef::New(o) => (netns_event_type::NETNS_EVENT_NEW, o),
                EventRef::Del(o) => (netns_event_type::NETNS_EVENT_DEL, o),
                EventRef::Overrun => {
                    break Some(netns_event {
                        kind: netns_event_type::NETNS_EVENT_OVERRUN,
                        item: Item::None,
                    })
                }
                _ => continue,
            };
            let item = match object {
                ObjectRef::Link(l) => {
                    if kind == netns_event_type::NETNS_EVENT_NEW {
                        s.names.insert(l.index().get(), l.name().to_owned());
                    }
                    Item::Link(netns_link::snapshot(&l))
                }
                ObjectRef::Address(a) => Item::Addr(netns_addr::snapshot(&a)),
                ObjectRef::Route(r) => Item::Route(netns_route::snapshot(
                    &r.to_owned(),
                    std::ffi::c_int::from(r.family_raw()),
                )),
                other => {
                    let owned = other.to_owned();
                    s.item_of_owned(&owned)
                }
            };
            break Some(netns_event { kind, item });
        };
        s.last = got;
        out.set(s.last.as_ref().map_or(std::ptr::null(), |e| e as *const _));
        Ok(())
    })
}

/// The current state of every subscribed group as `NETNS_EVENT_NEW`
/// events (one dump per group), for after an overrun; events read later
/// may repeat part of it. Writes an iterator to `*out`, freed with
/// `netns_event_iter_free`.
#[no_mangle]
pub extern "C" fn netns_subscription_resync(
    sub: *mut netns_subscription,
    out: *mut *mut netns_event_iter,
) -> netns_result {
    call("netns_subscription_resync", || {
        let s = mut_arg(sub, "sub")?;
        let out = out_arg(out, "out")?;
        s.last = None;
        let events = s.sub.resync()?;
        let items = events
            .iter()
            .filter_map(|e| match e {
                Event::New(o) => Some((netns_event_type::NETNS_EVENT_NEW, o)),
                Event::Del(o) => Some((netns_event_type::NETNS_EVENT_DEL, o)),
                _ => None,
            })
            .map(|(kind, o)| netns_event {
                kind,
                item: s.item_of_owned(o),
            })
            .collect();
        out.set(into_raw(netns_event_iter { items, next: 0 }));
        Ok(())
    })
}

/// Closes the subscription. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_subscription_free(sub: *mut netns_subscription) {
    guard((), || free(sub))
}

/// The events of a resync. Free with `netns_event_iter_free`.
pub struct netns_event_iter {
    items: Vec<netns_event>,
    next: usize,
}

/// The next event, or NULL at the end (or for NULL).
#[no_mangle]
pub extern "C" fn netns_event_iter_next(it: *mut netns_event_iter) -> *const netns_event {
    guard(std::ptr::null(), || match mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many events the iterator holds (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_event_iter_len(it: *const netns_event_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Frees the iterator and its events. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_event_iter_free(it: *mut netns_event_iter) {
    guard((), || free(it))
}

/// The event's kind (`NETNS_EVENT_OVERRUN` for NULL).
#[no_mangle]
pub extern "C" fn netns_event_kind(e: *const netns_event) -> netns_event_type {
    guard(netns_event_type::NETNS_EVENT_OVERRUN, || {
        opt_ref(e).map_or(netns_event_type::NETNS_EVENT_OVERRUN, |e| e.kind)
    })
}

/// The group of the event's object (one `NETNS_EVENT_*` bit; 0 for an
/// overrun or NULL).
#[no_mangle]
pub extern "C" fn netns_event_group(e: *const netns_event) -> u32 {
    guard(0, || {
        opt_ref(e).map_or(0, |e| match e.item {
            Item::Link(_) => NETNS_EVENT_LINK,
            Item::Addr(_) => NETNS_EVENT_ADDRESS,
            Item::Route(_) => NETNS_EVENT_ROUTE,
            Item::Neigh(_) => NETNS_EVENT_NEIGH,
            Item::Rule(_) => NETNS_EVENT_RULE,
            Item::Nsid(_) => NETNS_EVENT_NSID,
            Item::None => 0,
        })
    })
}

/// The link of a link event (read with the `netns_link_*` accessors), else NULL.
#[no_mangle]
pub extern "C" fn netns_event_link(e: *const netns_event) -> *const netns_link {
    guard(std::ptr::null(), || match opt_ref(e).map(|e| &e.item) {
        Some(Item::Link(l)) => l,
        _ => std::ptr::null(),
    })
}

/// The address of an address event, else NULL.
#[no_mangle]
pub extern "C" fn netns_event_addr(e: *const netns_event) -> *const netns_addr {
    guard(std::ptr::null(), || match opt_ref(e).map(|e| &e.item) {
        Some(Item::Addr(a)) => a,
        _ => std::ptr::null(),
    })
}

/// The route of a route event, else NULL.
#[no_mangle]
pub extern "C" fn netns_event_route(e: *const netns_event) -> *const netns_route {
    guard(std::ptr::null(), || match opt_ref(e).map(|e| &e.item) {
        Some(Item::Route(r)) => r,
        _ => std::ptr::null(),
    })
}

/// The neighbour of a neighbour event, else NULL.
#[no_mangle]
pub extern "C" fn netns_event_neigh(e: *const netns_event) -> *const netns_neigh {
    guard(std::ptr::null(), || match opt_ref(e).map(|e| &e.item) {
        Some(Item::Neigh(n)) => n,
        _ => std::ptr::null(),
    })
}

/// The rule of a rule event, else NULL.
#[no_mangle]
pub extern "C" fn netns_event_rule(e: *const netns_event) -> *const netns_rule {
    guard(std::ptr::null(), || match opt_ref(e).map(|e| &e.item) {
        Some(Item::Rule(r)) => r,
        _ => std::ptr::null(),
    })
}

/// The nsid of an nsid event (-1 when it has none, or another event).
#[no_mangle]
pub extern "C" fn netns_event_nsid(e: *const netns_event) -> i32 {
    guard(-1, || match opt_ref(e).map(|e| &e.item) {
        Some(Item::Nsid(n)) => *n,
        _ => -1,
    })
}
