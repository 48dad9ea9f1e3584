//! Unit tests: message types to events, group words, nsid payloads.

use netlink_packet_core::Emitable;
use netlink_packet_route::link::{LinkAttribute, LinkMessage};

use super::*;

fn link_payload(index: u32, name: &str) -> Vec<u8> {
    let mut msg = LinkMessage::default();
    msg.header.index = index;
    msg.attributes.push(LinkAttribute::IfName(name.to_owned()));
    let mut out = vec![0; msg.buffer_len()];
    msg.emit(&mut out);
    out
}

#[test]
fn message_types_become_new_and_del_events() {
    let p = link_payload(4, "v0");
    match event_of(RTM_NEWLINK, &p).unwrap() {
        Some(EventRef::New(ObjectRef::Link(l))) => assert_eq!(l.name(), "v0"),
        other => panic!("{other:?}"),
    }
    match event_of(RTM_DELLINK, &p).unwrap().map(|e| e.to_owned()) {
        Some(Event::Del(Object::Link(l))) => {
            assert_eq!((l.index.get(), l.name.as_str()), (4, "v0"))
        }
        other => panic!("{other:?}"),
    }
    assert!(is_event(RTM_NEWRULE) && is_event(RTM_DELNSID) && !is_event(3));
    assert!(event_of(2, &p).unwrap().is_none());
    // A malformed payload is a protocol error, not a panic.
    assert_eq!(
        event_of(RTM_NEWADDR, &[1, 2]).unwrap_err().kind(),
        ErrorKind::Protocol
    );
}

#[test]
fn nsid_payloads_read_their_id() {
    // rtgenmsg (4 bytes), NETNSA_NSID = 7.
    let mut p = vec![0u8; 4];
    p.extend_from_slice(&8u16.to_ne_bytes());
    p.extend_from_slice(&NETNSA_NSID.to_ne_bytes());
    p.extend_from_slice(&7i32.to_ne_bytes());
    match event_of(RTM_NEWNSID, &p).unwrap() {
        Some(EventRef::New(ObjectRef::Nsid(n))) => assert_eq!(n.nsid, Nsid::new(7)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ip_monitor_words_name_groups() {
    assert_eq!(EventGroup::from_word("link").unwrap(), [EventGroup::Link]);
    assert_eq!(
        EventGroup::from_word("address").unwrap(),
        [EventGroup::Ipv4Address, EventGroup::Ipv6Address]
    );
    assert_eq!(EventGroup::from_word("all").unwrap(), EventGroup::ALL);
    assert!(EventGroup::from_word("bogus").is_err());
    let numbers: Vec<u32> = EventGroup::ALL.iter().map(|g| g.number()).collect();
    assert_eq!(numbers, [1, 5, 9, 7, 11, 3, 8, 19, 28]);
    assert_eq!(
        Subscription::current(&[]).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}
