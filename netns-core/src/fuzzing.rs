//! Entry points for the fuzz targets of `fuzz/` (cargo feature `fuzzing`).
//! Not part of the API: each takes untrusted bytes, drives one parser over
//! them, and must return without panicking whatever the bytes are.

use netlink_packet_core::{NLMSG_DONE, NLMSG_ERROR};
use netlink_packet_route::link::LinkMessage;
use netlink_packet_route::RouteNetlinkMessage;

use crate::addr::AddressRef;
use crate::link::LinkRef;
use crate::link::Links;
use crate::netlink::{ack, split_message, Request, Socket, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWROUTE};
use crate::route::RouteRef;

/// Answers are datagrams given in advance, whatever is sent.
struct Replay(std::collections::VecDeque<Vec<u8>>);

impl crate::netlink::Transport for Replay {
    fn send(&mut self, _datagram: &[u8]) -> std::io::Result<()> {
        Ok(())
    }
    fn recv(&mut self, buf: &mut Vec<u8>) -> std::io::Result<usize> {
        let datagram = self
            .0
            .pop_front()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::WouldBlock))?;
        buf.extend_from_slice(&datagram);
        Ok(datagram.len())
    }
}

/// A socket that talks to no kernel: every `recv` returns the next of
/// `datagrams` (then `EAGAIN`), whatever was sent.
fn replay(datagrams: Vec<Vec<u8>>) -> Socket {
    Socket::with_conn(Box::new(Replay(datagrams.into())))
}

/// Splits fuzz input into datagrams: each is a little-endian `u16` length
/// then that many bytes; a length past the end takes the rest.
pub fn datagrams(mut data: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while data.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        out.push(rest[..take].to_vec());
        data = &rest[take..];
    }
    out
}

/// The inverse of [`datagrams`], for writing seeds.
pub fn encode_datagrams(datagrams: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for d in datagrams {
        let len = u16::try_from(d.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&d[..usize::from(len)]);
    }
    out
}

/// Every reader of a kernel reply over `data` (see [`datagrams`]): the
/// framing of each datagram, `NLMSG_ERROR`/`NLMSG_DONE` with their
/// extended-ack TLVs, the link/address/route views and their accessors, the
/// owned parse of `netlink-packet-route`; then the same datagrams as the
/// answers of a socket's dump, request and batch (sequence numbers from 1).
pub fn netlink_reply(data: &[u8]) {
    let grams = datagrams(data);
    for gram in &grams {
        let mut rest = gram.as_slice();
        while let Ok(Some((message, after))) = split_message(rest) {
            rest = after;
            let flags = message.flags();
            match message.message_type() {
                NLMSG_ERROR => {
                    if let Ok(Some(r)) = ack::parse_error(flags, message.payload()) {
                        let _ = r.into_error("fuzz", &"reply").to_string();
                    }
                }
                NLMSG_DONE => {
                    if let Ok(Some(r)) = ack::parse_done(flags, message.payload()) {
                        let _ = r.into_error("fuzz", &"reply").to_string();
                    }
                }
                RTM_NEWLINK => {
                    if let Ok(link) = LinkRef::parse(message.payload()) {
                        let _ = format!("{link:?}");
                        let _ = link.attributes().count();
                        let _ = link.to_owned();
                    }
                }
                RTM_NEWADDR => {
                    if let Ok(a) = AddressRef::parse(message.payload()) {
                        let _ = format!("{a:?}");
                        let _ = (a.net(), a.broadcast(), a.label(), a.lifetimes());
                    }
                }
                RTM_NEWROUTE => {
                    if let Ok(r) = RouteRef::parse(message.payload()) {
                        let _ = format!("{r:?}");
                        let _ = (r.destination(), r.source(), r.gateway(), r.oif());
                    }
                }
                _ => {}
            }
            let _ = message.parse();
        }
    }

    let get_links = RouteNetlinkMessage::GetLink(LinkMessage::default());
    let object = "links";
    let request = Request::new(get_links.clone(), "list", &object);

    let mut sock = replay(grams.clone());
    if let Ok(messages) = sock.dump(&request) {
        if let Ok(links) = Links::checked(messages.clone()) {
            for link in links {
                let _ = link.name();
            }
        }
        for m in messages.parsed() {
            let _ = m;
        }
    }

    let mut sock = replay(grams.clone());
    if let Ok(messages) = sock.request(&request) {
        let _ = messages.count();
    }

    let mut sock = replay(grams);
    let set = RouteNetlinkMessage::SetLink(LinkMessage::default());
    let batch = [
        Request::new(set.clone(), "set", &object),
        Request::new(set.clone(), "set", &object),
        Request::new(set, "set", &object),
    ];
    let _ = sock.batch_with_replies(&batch, |_, m| {
        let _ = m.parse();
        Ok(())
    });
}
