//! rtnetlink (`NETLINK_ROUTE`) without an async runtime and without copies.
//!
//! A [`Socket`] talks to the kernel of the network namespace it was **opened
//! in** (a netlink socket stays bound to that namespace whichever thread uses
//! it later). Requests are [`RouteNetlinkMessage`]s from
//! `netlink-packet-route`; answers are read in place:
//!
//! * [`Socket::dump`] sends an `NLM_F_DUMP` request, reads the whole dump into
//!   the socket's one receive buffer (retrying, with pauses, when the kernel
//!   marks it `NLM_F_DUMP_INTR`, and marking the data inconsistent if every
//!   attempt was) and returns [`Messages`], an iterator of [`RawMessage`]s
//!   borrowed from that buffer;
//! * [`Socket::request`] sends one request that expects a reply (e.g.
//!   `RTM_GETLINK` for one index) and returns its reply the same way;
//! * [`Socket::execute`] sends one request and waits for its acknowledgement;
//! * [`Socket::batch`] sends many requests in as few `send` calls as possible
//!   and matches the acknowledgements by sequence number.
//!
//! Every refusal of the kernel becomes an [`Error`] carrying the
//! `errno`, the extended-ack text (`NLMSGERR_ATTR_MSG`) and offset
//! (`NLMSGERR_ATTR_OFFS`), and the caller's operation and object. The object
//! is passed as `&dyn Display` and formatted only when something fails, so a
//! successful call allocates nothing for error reporting (a `&format_args!(…)`
//! object works when the [`Request`] is built inside the call that sends it).
//!
//! ```no_run
//! use netlink_packet_route::{link::LinkMessage, RouteNetlinkMessage};
//! use netns_core::netlink::{Request, Socket, RTM_NEWLINK};
//!
//! let mut sock = Socket::open()?;
//! let request = Request::new(
//!     RouteNetlinkMessage::GetLink(LinkMessage::default()),
//!     "list",
//!     &"links",
//! );
//! let mut count = 0;
//! for msg in sock.dump(&request)? {
//!     assert_eq!(msg.message_type(), RTM_NEWLINK);
//!     count += 1; // msg.payload() is the ifinfomsg and its attributes, in place
//! }
//! println!("{count} links");
//! # Ok::<(), netns_core::Error>(())
//! ```

pub(crate) mod ack;
pub(crate) mod attr;
mod socket;
#[cfg(test)]
pub(crate) mod tests;
pub(crate) mod uapi;

use std::fmt;

use netlink_packet_core::{NetlinkDeserializable, NetlinkHeader};
use netlink_packet_core::{NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN};
pub use netlink_packet_core::{
    NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE, NLM_F_DUMP, NLM_F_DUMP_FILTERED, NLM_F_DUMP_INTR,
    NLM_F_EXCL, NLM_F_MULTIPART, NLM_F_REPLACE, NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;

#[cfg(any(test, feature = "fuzzing"))]
pub(crate) use self::socket::Transport;
pub use self::socket::{Socket, DUMP_RETRY_PAUSE, MAX_DUMP_ATTEMPTS};
use crate::{Error, ErrorKind, Result};

/// `RTM_NEWLINK`: a link (answer of `RTM_GETLINK`, or a request to create one).
pub const RTM_NEWLINK: u16 = 16;
/// `RTM_DELLINK`: delete a link.
pub const RTM_DELLINK: u16 = 17;
/// `RTM_GETLINK`: get one link or dump all.
pub const RTM_GETLINK: u16 = 18;
/// `RTM_SETLINK`: change a link.
pub const RTM_SETLINK: u16 = 19;
/// `RTM_NEWADDR`: an address (answer of `RTM_GETADDR`, or a request to add one).
pub const RTM_NEWADDR: u16 = 20;
/// `RTM_DELADDR`: delete an address.
pub const RTM_DELADDR: u16 = 21;
/// `RTM_GETADDR`: dump addresses.
pub const RTM_GETADDR: u16 = 22;
/// `RTM_NEWROUTE`: a route (answer of `RTM_GETROUTE`, or a request to add one).
pub const RTM_NEWROUTE: u16 = 24;
/// `RTM_DELROUTE`: delete a route.
pub const RTM_DELROUTE: u16 = 25;
/// `RTM_GETROUTE`: get one route or dump all.
pub const RTM_GETROUTE: u16 = 26;
/// `RTM_NEWNEIGH`: a neighbour entry (answer of `RTM_GETNEIGH`, or a request to add one).
pub const RTM_NEWNEIGH: u16 = 28;
/// `RTM_DELNEIGH`: delete a neighbour entry.
pub const RTM_DELNEIGH: u16 = 29;
/// `RTM_GETNEIGH`: get one neighbour entry or dump all.
pub const RTM_GETNEIGH: u16 = 30;
/// `RTM_NEWRULE`: a routing rule (answer of `RTM_GETRULE`, or a request to add one).
pub const RTM_NEWRULE: u16 = 32;
/// `RTM_DELRULE`: delete a routing rule.
pub const RTM_DELRULE: u16 = 33;
/// `RTM_GETRULE`: dump the routing rules.
pub const RTM_GETRULE: u16 = 34;
/// `RTM_NEWNSID`: an nsid (answer of `RTM_GETNSID`, or a request to assign one).
pub const RTM_NEWNSID: u16 = 88;
/// `RTM_DELNSID`: notification that an nsid went away.
pub const RTM_DELNSID: u16 = 89;
/// `RTM_GETNSID`: get the nsid of one namespace or dump all.
pub const RTM_GETNSID: u16 = 90;
/// `RTM_NEWNEXTHOP`: a nexthop object (answer of `RTM_GETNEXTHOP`, or a
/// request to add one). Not in `netlink-packet-route` 0.34: sent with
/// [`Request::raw`].
pub const RTM_NEWNEXTHOP: u16 = 104;
/// `RTM_DELNEXTHOP`: delete a nexthop object.
pub const RTM_DELNEXTHOP: u16 = 105;
/// `RTM_GETNEXTHOP`: get one nexthop object or dump all.
pub const RTM_GETNEXTHOP: u16 = 106;

/// One netlink message of a reply, borrowed from the socket's receive buffer.
///
/// Only data messages are handed out: `NLMSG_ERROR`, `NLMSG_DONE` and
/// `NLMSG_NOOP` are consumed by the [`Socket`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMessage<'a> {
    message_type: u16,
    flags: u16,
    seq: u32,
    port: u32,
    bytes: &'a [u8],
}

impl<'a> RawMessage<'a> {
    /// `nlmsg_type`, e.g. [`RTM_NEWLINK`].
    pub fn message_type(&self) -> u16 {
        self.message_type
    }
    /// `nlmsg_flags` (`NLM_F_MULTIPART`, `NLM_F_DUMP_FILTERED` …).
    pub fn flags(&self) -> u16 {
        self.flags
    }
    /// `nlmsg_seq`: the sequence number of the request this answers.
    pub fn sequence_number(&self) -> u32 {
        self.seq
    }
    /// `nlmsg_pid`: the port of the socket this was sent to.
    pub fn port_number(&self) -> u32 {
        self.port
    }
    /// The payload after the 16-byte netlink header (e.g. `ifinfomsg` and its
    /// attributes for `RTM_NEWLINK`).
    pub fn payload(&self) -> &'a [u8] {
        &self.bytes[ack::HEADER_LEN..]
    }
    /// The whole message, header included (without trailing alignment padding).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Parses the payload into an owned [`RouteNetlinkMessage`] (this
    /// allocates; read [`RawMessage::payload`] in place to avoid it).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Protocol`] when `netlink-packet-route` cannot parse the
    /// message; wrap it with [`Error::context`] to say what was being read.
    pub fn parse(&self) -> Result<RouteNetlinkMessage> {
        let mut header = NetlinkHeader::default();
        header.length = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        header.message_type = self.message_type;
        header.flags = self.flags;
        header.sequence_number = self.seq;
        header.port_number = self.port;
        RouteNetlinkMessage::deserialize(&header, self.payload()).map_err(|e| {
            protocol_error(&format_args!(
                "rtnetlink message type {}",
                self.message_type
            ))
            .with_detail(e.to_string())
        })
    }
}

/// The error for a reply that could not be parsed.
pub(crate) fn protocol_error(object: &dyn fmt::Display) -> Error {
    Error::new(ErrorKind::Protocol, "read", object.to_string())
}

/// Splits the first netlink message off `buf`. `Ok(None)` at the end of the
/// buffer; an error when the framing is broken (the caller names the context).
pub(crate) fn split_message(buf: &[u8]) -> Result<Option<(RawMessage<'_>, &[u8])>, &'static str> {
    if buf.is_empty() {
        return Ok(None);
    }
    if buf.len() < ack::HEADER_LEN {
        return Err("truncated netlink header");
    }
    let field = |at: usize| [buf[at], buf[at + 1], buf[at + 2], buf[at + 3]];
    let len = u32::from_ne_bytes(field(0)) as usize;
    if len < ack::HEADER_LEN || len > buf.len() {
        return Err("netlink message length out of bounds");
    }
    let message = RawMessage {
        message_type: u16::from_ne_bytes([buf[4], buf[5]]),
        flags: u16::from_ne_bytes([buf[6], buf[7]]),
        seq: u32::from_ne_bytes(field(8)),
        port: u32::from_ne_bytes(field(12)),
        bytes: &buf[..len],
    };
    let rest = buf.get(attr::align(len)..).unwrap_or(&[]);
    Ok(Some((message, rest)))
}

/// Whether a message is a control message the socket consumes itself.
fn is_control(message_type: u16) -> bool {
    matches!(
        message_type,
        NLMSG_NOOP | NLMSG_ERROR | NLMSG_DONE | NLMSG_OVERRUN
    )
}

/// The data messages of a reply ([`Socket::dump`], [`Socket::request`]), in
/// the order the kernel sent them, borrowed from the socket's receive buffer.
///
/// The framing was checked when the reply was received, so iteration cannot
/// fail; parsing a message's payload can ([`RawMessage::parse`]).
///
/// [`Messages::is_consistent`] is false when the kernel marked the dump
/// `NLM_F_DUMP_INTR` on every attempt: the messages are the last attempt's,
/// and may miss or repeat entries that changed while it ran.
#[derive(Debug, Clone)]
pub struct Messages<'a> {
    rest: &'a [u8],
    seq: u32,
    consistent: bool,
}

impl<'a> Messages<'a> {
    pub(crate) fn new(buf: &'a [u8], seq: u32) -> Self {
        Messages {
            rest: buf,
            seq,
            consistent: true,
        }
    }

    pub(crate) fn with_consistency(mut self, consistent: bool) -> Self {
        self.consistent = consistent;
        self
    }

    /// False when the dump was interrupted (`NLM_F_DUMP_INTR`) on every
    /// attempt ([`MAX_DUMP_ATTEMPTS`]): the data is what the last attempt
    /// got and may be inconsistent, as `ip` warns ("Dump was interrupted and
    /// may be inconsistent"). True otherwise.
    #[doc(alias = "NLM_F_DUMP_INTR")]
    pub fn is_consistent(&self) -> bool {
        self.consistent
    }

    /// The messages parsed into owned [`RouteNetlinkMessage`]s (allocates).
    pub fn parsed(self) -> impl Iterator<Item = Result<RouteNetlinkMessage>> + 'a {
        self.map(|m| m.parse())
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = RawMessage<'a>;

    fn next(&mut self) -> Option<RawMessage<'a>> {
        loop {
            // The buffer was validated by the socket; a framing error here
            // cannot happen, and ends the iteration if it does.
            let (message, rest) = split_message(self.rest).ok().flatten()?;
            self.rest = rest;
            if message.seq == self.seq && !is_control(message.message_type) {
                return Some(message);
            }
        }
    }
}

impl std::iter::FusedIterator for Messages<'_> {}

/// The entries of a dump collected into owned values (e.g. the nsids of
/// [`nsid::list`](crate::nsid::list)), with whether the dump was consistent.
///
/// It reads as a slice (`Deref<Target = [T]>`) and iterates as a `Vec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    entries: Vec<T>,
    consistent: bool,
}

impl<T> Listing<T> {
    /// `entries`, consistent or not.
    pub fn new(entries: Vec<T>, consistent: bool) -> Self {
        Listing {
            entries,
            consistent,
        }
    }

    /// False when the dump was interrupted (`NLM_F_DUMP_INTR`) on every
    /// attempt: the entries are the last attempt's and may be inconsistent.
    /// See [`Messages::is_consistent`].
    #[doc(alias = "NLM_F_DUMP_INTR")]
    pub fn is_consistent(&self) -> bool {
        self.consistent
    }

    /// The entries.
    pub fn into_vec(self) -> Vec<T> {
        self.entries
    }

    /// The same listing with each entry mapped.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Listing<U> {
        Listing {
            entries: self.entries.into_iter().map(f).collect(),
            consistent: self.consistent,
        }
    }
}

impl<T> std::ops::Deref for Listing<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.entries
    }
}

impl<T> IntoIterator for Listing<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Listing<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// One request of a [`Socket::batch`]: a message, the extra `NLM_F_*` flags
/// it needs, and what to call it if the kernel refuses it.
///
/// `NLM_F_REQUEST | NLM_F_ACK` are always added.
pub struct Request<'a> {
    message: Payload,
    flags: u16,
    op: &'static str,
    object: &'a dyn fmt::Display,
}

impl<'a> Request<'a> {
    /// A request for operation `op` (e.g. `"add"`) on `object` (e.g.
    /// `link "veth0"`); `object` is formatted only if the request fails.
    pub fn new(
        message: RouteNetlinkMessage,
        op: &'static str,
        object: &'a dyn fmt::Display,
    ) -> Self {
        Request {
            message: Payload::Route(message),
            flags: 0,
            op,
            object,
        }
    }

    /// A request whose payload (the fixed header and attributes after the
    /// netlink header) was built by hand, for the messages
    /// `netlink-packet-route` does not know (`RTM_*NEXTHOP`):
    /// `message_type` is its `nlmsg_type`. Sent, batched, acknowledged and
    /// dumped exactly as [`Request::new`]'s.
    pub fn raw(
        message_type: u16,
        payload: Vec<u8>,
        op: &'static str,
        object: &'a dyn fmt::Display,
    ) -> Self {
        Request {
            message: Payload::Raw {
                message_type,
                bytes: payload,
            },
            flags: 0,
            op,
            object,
        }
    }

    /// Adds `NLM_F_*` flags, e.g. `NLM_F_CREATE | NLM_F_EXCL` for a creation.
    pub fn with_flags(mut self, flags: u16) -> Self {
        self.flags |= flags;
        self
    }

    /// The message this request sends; `None` for a [`Request::raw`].
    pub fn message(&self) -> Option<&RouteNetlinkMessage> {
        match &self.message {
            Payload::Route(m) => Some(m),
            Payload::Raw { .. } => None,
        }
    }
}

/// What a [`Request`] sends after the netlink header: a message of
/// `netlink-packet-route`, or bytes built by hand ([`Request::raw`]).
#[derive(Debug)]
pub(crate) enum Payload {
    Route(RouteNetlinkMessage),
    Raw { message_type: u16, bytes: Vec<u8> },
}

impl Payload {
    /// `nlmsg_type`.
    pub(crate) fn message_type(&self) -> u16 {
        match self {
            Payload::Route(m) => m.message_type(),
            Payload::Raw { message_type, .. } => *message_type,
        }
    }
    /// Length of the payload, without the netlink header.
    pub(crate) fn buffer_len(&self) -> usize {
        match self {
            Payload::Route(m) => netlink_packet_core::Emitable::buffer_len(m),
            Payload::Raw { bytes, .. } => bytes.len(),
        }
    }
    /// Writes the payload into `buf` (exactly [`Payload::buffer_len`] bytes).
    pub(crate) fn emit(&self, buf: &mut [u8]) {
        match self {
            Payload::Route(m) => netlink_packet_core::Emitable::emit(m, buf),
            Payload::Raw { bytes, .. } => buf.copy_from_slice(bytes),
        }
    }
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("message", &self.message)
            .field("flags", &format_args!("{:#x}", self.flags))
            .field("op", &self.op)
            .field("object", &format_args!("{}", self.object))
            .finish()
    }
}

/// The first failure of a [`Socket::batch`].
///
/// The kernel processes the requests of one `send` in order and does **not**
/// stop at a failure: requests after [`BatchError::index`] that were sent
/// (those before [`BatchError::sent`]) may have been applied. Requests from
/// `sent` on were never sent. Requests before `index` were all applied, so a
/// caller can roll them back.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchError {
    /// Index of the first request that failed.
    pub index: usize,
    /// How many requests (from index 0) reached the kernel.
    pub sent: usize,
    /// The failure, with the failing request's operation and object.
    pub error: Error,
}

impl BatchError {
    /// The failure of entry `index`, found before anything was sent (a name
    /// that could not be resolved, a message that could not be built): for
    /// `map_err`.
    pub fn unsent(index: usize) -> impl Fn(Error) -> BatchError {
        move |error| BatchError {
            index,
            sent: 0,
            error,
        }
    }
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for BatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<BatchError> for Error {
    fn from(e: BatchError) -> Error {
        e.error
    }
}
