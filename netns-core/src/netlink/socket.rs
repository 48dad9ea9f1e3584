//! The rtnetlink socket: one send buffer, one receive buffer, one sequence
//! counter.

use std::fmt;
use std::io;

use netlink_packet_core::{
    NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR,
    NLM_F_REQUEST,
};
use netlink_sys::{protocols::NETLINK_ROUTE, SocketAddr};
use nix::libc;

use super::ack::{self, HEADER_LEN};
use super::attr::align;
use super::{split_message, BatchError, Messages, Payload, RawMessage, Request};
use crate::{Error, ErrorKind, Result};

/// How many times [`Socket::dump`] runs a dump that the kernel marks
/// `NLM_F_DUMP_INTR` (it changed while it ran) before returning the last
/// attempt's data marked inconsistent ([`Messages::is_consistent`]).
pub const MAX_DUMP_ATTEMPTS: usize = 5;
/// The pause before the second attempt of an interrupted dump; it doubles
/// before each further attempt (2, 4, 8, 16 ms: 30 ms in all for
/// [`MAX_DUMP_ATTEMPTS`] = 5), so that a burst of changes (e.g. IPv6
/// link-local addresses still being added after thousands of links came up)
/// can pass instead of interrupting every retry at once.
pub const DUMP_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(2);

/// Most bytes of requests [`Socket::batch`] puts in one `send`.
const MAX_BATCH_BYTES: usize = 64 * 1024;
/// Most requests in one `send`: bounds the acknowledgements queued on the
/// socket at once, so they fit its receive buffer even without
/// `SO_RCVBUFFORCE` (each ack costs about 1 KiB of buffer).
const MAX_BATCH_MESSAGES: usize = 128;
/// Receive buffer asked of the kernel (`SO_RCVBUFFORCE`, else `SO_RCVBUF`).
const RECEIVE_BUFFER: libc::c_int = 4 << 20;
/// Free space kept in the receive buffer for each `recv`: the kernel sizes the
/// datagrams of a dump after the largest buffer offered (up to 32 KiB).
const MIN_RECV_SPACE: usize = 32 * 1024;

/// Reads one data message of a dump as it arrives: `(index, offset of the
/// message in the receive buffer, message)`; appends what it found to
/// `index`, or refuses the message.
pub(crate) type Indexer = fn(&mut Vec<u32>, usize, RawMessage<'_>) -> Result<()>;

/// An rtnetlink (`NETLINK_ROUTE`) socket, bound to the network namespace of
/// the thread that opened it.
///
/// It keeps one send buffer, one receive buffer and a sequence counter; after
/// the buffers have grown to the size of the largest exchange, requests and
/// dumps allocate nothing. Every request waits for its answer: there are no
/// multicast subscriptions and no concurrent requests.
///
/// `Socket` is `Send`: open it on a thread that has entered a namespace
/// (`setns`), hand it back, and it keeps talking to that namespace.
pub struct Socket {
    conn: Box<dyn Transport>,
    seq: u32,
    send_buf: Vec<u8>,
    recv_buf: Vec<u8>,
    /// What an [`Indexer`] recorded about the messages of the last dump
    /// (reused, like the buffers).
    index: Vec<u32>,
    /// The sequence number of a dump abandoned half-way (a `recv` failed,
    /// e.g. `ENOBUFS`): the kernel keeps it running on this socket and
    /// refuses another dump with `EBUSY` until it has been read to its end,
    /// which the next exchange does first.
    abandoned_dump: Option<u32>,
}

/// Where a [`Socket`]'s datagrams go: the kernel ([`KernelTransport`]),
/// or, outside production, a scripted fake kernel (unit tests) or a replay
/// of given datagrams (feature `fuzzing`). The socket's logic (sequence
/// numbers, batching, acks, dumps) is the same over each.
pub(crate) trait Transport: Send {
    /// Sends one datagram whole.
    fn send(&mut self, datagram: &[u8]) -> io::Result<()>;
    /// Appends one received datagram to `buf`, returning its length;
    /// `WouldBlock` when none will come.
    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize>;
    /// The descriptor, for `Debug` (`None` for a fake).
    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }
}

/// The kernel: an `AF_NETLINK` socket.
struct KernelTransport(netlink_sys::Socket);

impl Transport for KernelTransport {
    fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
        loop {
            match self.0.send(datagram, 0) {
                Ok(n) if n == datagram.len() => return Ok(()),
                Ok(_) => return Err(io::Error::new(io::ErrorKind::WriteZero, "short send")),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Grows `buf` first if the datagram would not fit (its size is read
    /// with `MSG_PEEK | MSG_TRUNC`, so nothing is ever truncated).
    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let sock = &self.0;
        let size = loop {
            let mut nothing: &mut [u8] = &mut [];
            // Feature `fault-injection`: the errno recv would return
            // (EINTR takes the same path as a real signal's).
            #[cfg(feature = "fault-injection")]
            let peeked = match crate::fault::hit(crate::fault::Point::Recv) {
                Some(e) => Err(io::Error::from(e)),
                None => sock.recv(&mut nothing, libc::MSG_PEEK | libc::MSG_TRUNC),
            };
            #[cfg(not(feature = "fault-injection"))]
            let peeked = sock.recv(&mut nothing, libc::MSG_PEEK | libc::MSG_TRUNC);
            match peeked {
                Ok(size) => break size,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        buf.reserve(size.max(MIN_RECV_SPACE));
        let before = buf.len();
        loop {
            match sock.recv(buf, 0) {
                Ok(got) => {
                    if got != buf.len() - before {
                        // Cannot happen: the datagram was measured and this
                        // socket has a single reader.
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            "datagram larger than measured",
                        ));
                    }
                    return Ok(got);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn raw_fd(&self) -> Option<std::os::fd::RawFd> {
        Some(std::os::fd::AsRawFd::as_raw_fd(&self.0))
    }
}

const _: () = {
    const fn assert_send<T: Send>() {}
    assert_send::<Socket>();
};

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("fd", &self.conn.raw_fd())
            .field("seq", &self.seq)
            .field("send_capacity", &self.send_buf.capacity())
            .field("recv_capacity", &self.recv_buf.capacity())
            .finish()
    }
}

impl Socket {
    /// Opens an rtnetlink socket in the calling thread's network namespace.
    ///
    /// `socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE)`, bound
    /// to a kernel-chosen port and connected to the kernel, with
    /// `NETLINK_EXT_ACK` (refusals carry the kernel's text) and
    /// `NETLINK_GET_STRICT_CHK` (dump requests are checked and their filters
    /// applied by the kernel) enabled, and a 4 MiB receive buffer
    /// (`SO_RCVBUFFORCE`, falling back to `SO_RCVBUF` capped by
    /// `net.core.rmem_max`; a refusal of both is ignored).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Io`] (or the kind of the errno) if a system call fails;
    /// `NETLINK_GET_STRICT_CHK` needs Linux 4.20.
    #[doc(alias = "NETLINK_ROUTE")]
    pub fn open() -> Result<Socket> {
        const OP: &str = "open";
        const OBJECT: &str = "rtnetlink socket";
        let fail = |e: io::Error, what: &'static str| Error::io(&e, OP, OBJECT).with_detail(what);
        let mut sock = netlink_sys::Socket::new(NETLINK_ROUTE).map_err(|e| fail(e, "socket"))?;
        sock.bind_auto().map_err(|e| fail(e, "bind"))?;
        sock.connect(&SocketAddr::new(0, 0))
            .map_err(|e| fail(e, "connect"))?;
        sock.set_ext_ack(true)
            .map_err(|e| fail(e, "NETLINK_EXT_ACK"))?;
        sock.set_netlink_get_strict_chk(true)
            .map_err(|e| fail(e, "NETLINK_GET_STRICT_CHK"))?;
        let forced = nix::sys::socket::setsockopt(
            &sock,
            nix::sys::socket::sockopt::RcvBufForce,
            &(RECEIVE_BUFFER as usize),
        );
        if forced.is_err() {
            // Capped by net.core.rmem_max; a smaller buffer still works
            // because batches bound how many answers are queued at once.
            let _ = sock.set_rx_buf_sz(RECEIVE_BUFFER);
        }
        Ok(Socket::with_conn(Box::new(KernelTransport(sock))))
    }

    pub(crate) fn with_conn(conn: Box<dyn Transport>) -> Socket {
        Socket {
            conn,
            seq: 0,
            send_buf: Vec::new(),
            recv_buf: Vec::new(),
            index: Vec::new(),
            abandoned_dump: None,
        }
    }

    /// The capacities of the send and receive buffers, in bytes: they grow
    /// to the largest exchange so far and are then reused.
    pub fn buffer_capacities(&self) -> (usize, usize) {
        (self.send_buf.capacity(), self.recv_buf.capacity())
    }

    /// Reads an abandoned dump (see `abandoned_dump`) to its end and drops
    /// it, so that the kernel takes new requests on this socket again.
    fn drain_abandoned_dump(&mut self, request: &Request<'_>) -> Result<()> {
        let Some(seq) = self.abandoned_dump else {
            return Ok(());
        };
        self.recv_buf.clear();
        match self.receive_answer(seq, request, None) {
            Err(e) if e.kind() == ErrorKind::Io => return Err(e),
            _ => {}
        }
        self.abandoned_dump = None;
        self.recv_buf.clear();
        Ok(())
    }

    fn next_seq(&mut self) -> u32 {
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    /// Sends a dump request (`NLM_F_REQUEST | NLM_F_DUMP` added to the
    /// request's flags) and reads the whole dump into the socket's receive
    /// buffer.
    ///
    /// If any message of the dump carries `NLM_F_DUMP_INTR` (the kernel's
    /// tables changed while it ran, so the dump may be inconsistent), the dump
    /// is thrown away and run again after a pause ([`DUMP_RETRY_PAUSE`],
    /// doubling), up to [`MAX_DUMP_ATTEMPTS`] times in all. If the last
    /// attempt is interrupted too, its data is returned marked:
    /// [`Messages::is_consistent`] is false (as `ip` prints "Dump was
    /// interrupted and may be inconsistent" and shows what it got). A dump
    /// never fails for being interrupted.
    ///
    /// The request's message is e.g. `RTM_GETLINK` with an empty
    /// `LinkMessage`; with `NETLINK_GET_STRICT_CHK` its header fields and
    /// attributes are kernel-side filters.
    ///
    /// # Errors
    ///
    /// The kernel's refusal (from `NLMSG_ERROR` or the error of
    /// `NLMSG_DONE`, with its extended-ack text), [`ErrorKind::Protocol`] for
    /// a malformed answer, or the socket's I/O error; all with the request's
    /// operation and object.
    #[doc(alias = "NLM_F_DUMP")]
    pub fn dump(&mut self, request: &Request<'_>) -> Result<Messages<'_>> {
        let (seq, consistent) = self.run_dump(request, None)?;
        Ok(Messages::new(&self.recv_buf, seq).with_consistency(consistent))
    }

    /// [`Socket::dump`] that also runs `indexer` over every data message of
    /// the dump as it is received (while it is still in the CPU's cache),
    /// letting it check the message and record what it needs in the socket's
    /// reusable index; returns the receive buffer, that index, and whether
    /// the dump was consistent (see [`Socket::dump`]).
    ///
    /// The first error of `indexer` is returned once the dump has been read
    /// to its end (so the socket stays usable).
    pub(crate) fn dump_indexed(
        &mut self,
        request: &Request<'_>,
        indexer: Indexer,
    ) -> Result<(&[u8], &[u32], bool)> {
        let (_, consistent) = self.run_dump(request, Some(indexer))?;
        Ok((&self.recv_buf, &self.index, consistent))
    }

    /// Sends the dump and reads it whole, with the retries and their pauses;
    /// returns its sequence number and whether it was consistent (false: every
    /// attempt was interrupted, and the buffer holds the last one).
    fn run_dump(&mut self, request: &Request<'_>, indexer: Option<Indexer>) -> Result<(u32, bool)> {
        self.send_buf.clear();
        let mut seq = self.next_seq();
        append_request(
            &mut self.send_buf,
            &request.message,
            request.flags | NLM_F_REQUEST | NLM_F_DUMP,
            seq,
        );
        let mut pause = DUMP_RETRY_PAUSE;
        let mut attempt = 1;
        loop {
            self.drain_abandoned_dump(request)?;
            self.recv_buf.clear();
            self.index.clear();
            self.send(request)?;
            self.abandoned_dump = Some(seq);
            let answer = self.receive_answer(seq, request, indexer);
            if !matches!(&answer, Err(e) if e.kind() == ErrorKind::Io) {
                // Ended (well or with the kernel's refusal) at its NLMSG_DONE.
                self.abandoned_dump = None;
            }
            let interrupted = answer?;
            if !interrupted || attempt >= MAX_DUMP_ATTEMPTS {
                return Ok((seq, !interrupted));
            }
            std::thread::sleep(pause);
            pause *= 2;
            attempt += 1;
            seq = self.next_seq();
            self.send_buf[8..12].copy_from_slice(&seq.to_ne_bytes());
        }
    }

    /// Sends one request that expects a reply (`NLM_F_REQUEST | NLM_F_ACK`
    /// added), e.g. `RTM_GETLINK` for one index or `RTM_GETNSID` for one
    /// namespace, and returns the reply's messages, read up to the
    /// acknowledgement. (A request the kernel runs as a dump is read up to its
    /// `NLMSG_DONE`, without [`Socket::dump`]'s retries.)
    ///
    /// # Errors
    ///
    /// As for [`Socket::dump`]. (A reply the kernel ran as a dump and marked
    /// `NLM_F_DUMP_INTR` is not retried; [`Messages::is_consistent`] says so.)
    pub fn request(&mut self, request: &Request<'_>) -> Result<Messages<'_>> {
        self.drain_abandoned_dump(request)?;
        self.send_buf.clear();
        self.recv_buf.clear();
        let seq = self.next_seq();
        append_request(
            &mut self.send_buf,
            &request.message,
            request.flags | NLM_F_REQUEST | NLM_F_ACK,
            seq,
        );
        self.send(request)?;
        let interrupted = self.receive_answer(seq, request, None)?;
        Ok(Messages::new(&self.recv_buf, seq).with_consistency(!interrupted))
    }

    /// Sends one request (`NLM_F_REQUEST | NLM_F_ACK` added) and waits for its
    /// acknowledgement: a batch of one.
    ///
    /// # Errors
    ///
    /// The kernel's refusal, with its extended-ack text and the request's
    /// operation and object; or the socket's I/O error.
    pub fn execute(&mut self, request: &Request<'_>) -> Result<()> {
        self.batch(std::slice::from_ref(request))
            .map_err(|e| e.error)
    }

    /// Sends many requests, each with `NLM_F_REQUEST | NLM_F_ACK` and its own
    /// sequence number, concatenated into as few `send` calls as possible
    /// (up to 64 KiB and 128 requests per `send`), and matches the
    /// acknowledgements by sequence number.
    ///
    /// The kernel processes the requests of one `send` in order and does not
    /// stop at a failure. After a `send` whose requests had a failure, no
    /// further requests are sent; the first failure is returned with its
    /// index (see [`BatchError`] for what was and was not applied).
    ///
    /// Dump requests (`RTM_GET*` with `NLM_F_DUMP`) are refused with
    /// [`ErrorKind::InvalidArgument`] before their chunk is sent: the kernel
    /// would not acknowledge them.
    ///
    /// # Errors
    ///
    /// [`BatchError`]: the index of the first failing request and the error,
    /// with that request's operation and object.
    pub fn batch(&mut self, requests: &[Request<'_>]) -> Result<(), BatchError> {
        self.batch_with_replies(requests, |_, _| Ok(()))
    }

    /// [`Socket::batch`] for requests that also get a reply (e.g. many
    /// `RTM_GETNSID`): `on_reply(index, message)` is called for every data
    /// message answering request `index`, in order, before its
    /// acknowledgement. An error returned by `on_reply` stops the batch like
    /// a refusal of that request.
    ///
    /// # Errors
    ///
    /// As for [`Socket::batch`].
    pub fn batch_with_replies<F>(
        &mut self,
        requests: &[Request<'_>],
        mut on_reply: F,
    ) -> Result<(), BatchError>
    where
        F: FnMut(usize, RawMessage<'_>) -> Result<()>,
    {
        if let Some(first) = requests.first() {
            self.drain_abandoned_dump(first)
                .map_err(|error| BatchError {
                    index: 0,
                    sent: 0,
                    error,
                })?;
        }
        let mut next = 0;
        while next < requests.len() {
            let first = next;
            let base = self.seq.wrapping_add(1);
            self.send_buf.clear();
            while let Some(request) = requests.get(next) {
                if is_dump(request) {
                    // The kernel would answer with a dump and no
                    // acknowledgement: refuse it before sending anything.
                    let error = Error::new(
                        ErrorKind::InvalidArgument,
                        request.op,
                        request.object.to_string(),
                    )
                    .with_detail("a dump request (NLM_F_DUMP) cannot be part of a batch");
                    return Err(BatchError {
                        index: next,
                        sent: first,
                        error,
                    });
                }
                let count = next - first;
                let len = align(HEADER_LEN + request.message.buffer_len());
                if count > 0
                    && (count >= MAX_BATCH_MESSAGES || self.send_buf.len() + len > MAX_BATCH_BYTES)
                {
                    break;
                }
                append_request(
                    &mut self.send_buf,
                    &request.message,
                    request.flags | NLM_F_REQUEST | NLM_F_ACK,
                    base.wrapping_add(count as u32),
                );
                next += 1;
            }
            let count = next - first;
            self.seq = base.wrapping_add(count as u32 - 1);
            let failed =
                |index: usize, sent: usize, error: Error| BatchError { index, sent, error };

            self.send(&requests[first])
                .map_err(|e| failed(first, first, e))?;

            let mut acked = 0;
            let mut failure: Option<(usize, Error)> = None;
            while acked < count {
                self.recv_buf.clear();
                let pending = &requests[first + acked];
                self.recv_datagram()
                    .map_err(|e| failed(first + acked, next, io_error(&e, pending)))?;
                let mut rest = &self.recv_buf[..];
                loop {
                    let split = split_message(rest)
                        .map_err(|why| failed(first + acked, next, malformed(why, pending)))?;
                    let Some((message, after)) = split else { break };
                    rest = after;
                    let relative = message.seq.wrapping_sub(base) as usize;
                    if relative >= count {
                        continue; // an answer to an earlier, abandoned request
                    }
                    let index = first + relative;
                    let request = &requests[index];
                    let first_failure = failure.as_ref().is_none_or(|(i, _)| index < *i);
                    match message.message_type {
                        NLMSG_ERROR => {
                            acked += 1;
                            let refusal = ack::parse_error(message.flags, message.payload())
                                .map_err(|why| failed(index, next, malformed(why, request)))?;
                            if let (Some(refusal), true) = (refusal, first_failure) {
                                failure =
                                    Some((index, refusal.into_error(request.op, request.object)));
                            }
                        }
                        NLMSG_DONE | NLMSG_NOOP => {}
                        NLMSG_OVERRUN => {
                            return Err(failed(index, next, malformed("NLMSG_OVERRUN", request)))
                        }
                        _ => {
                            if failure.is_none() {
                                if let Err(e) = on_reply(index, message) {
                                    failure = Some((index, e));
                                }
                            }
                        }
                    }
                }
            }
            if let Some((index, error)) = failure {
                return Err(failed(index, next, error));
            }
        }
        Ok(())
    }

    /// Sends the send buffer as one datagram.
    fn send(&mut self, request: &Request<'_>) -> Result<()> {
        #[cfg(feature = "fault-injection")]
        if let Some(e) = crate::fault::hit(crate::fault::Point::Send) {
            return Err(io_error(&io::Error::from(e), request).with_detail("sending the request"));
        }
        let result = self.conn.send(&self.send_buf);
        result.map_err(|e| io_error(&e, request).with_detail("sending the request"))
    }

    /// Appends one datagram to the receive buffer, growing the buffer first
    /// if the datagram would not fit (its size is read with
    /// `MSG_PEEK | MSG_TRUNC`, so nothing is ever truncated).
    fn recv_datagram(&mut self) -> io::Result<usize> {
        self.conn.recv(&mut self.recv_buf)
    }

    /// Receives datagrams until the answer to `seq` ends (`NLMSG_DONE` or
    /// `NLMSG_ERROR`), appending them to the receive buffer. Returns whether a
    /// message of the answer carried `NLM_F_DUMP_INTR`. `indexer` sees every
    /// data message of the answer; its first error is returned at the end.
    fn receive_answer(
        &mut self,
        seq: u32,
        request: &Request<'_>,
        indexer: Option<Indexer>,
    ) -> Result<bool> {
        let mut interrupted = false;
        let mut index_error = None;
        loop {
            let start = self.recv_buf.len();
            self.recv_datagram()
                .map_err(|e| io_error(&e, request).with_detail("receiving the answer"))?;
            let end = self.recv_buf.len();
            let mut rest = &self.recv_buf[start..];
            while let Some((message, after)) =
                split_message(rest).map_err(|why| malformed(why, request))?
            {
                let offset = end - rest.len();
                rest = after;
                if message.seq != seq {
                    continue; // an answer to an earlier, abandoned request
                }
                if message.flags & NLM_F_DUMP_INTR != 0 {
                    interrupted = true;
                }
                let refusal = match message.message_type {
                    NLMSG_ERROR => ack::parse_error(message.flags, message.payload()),
                    // Also ends a request() that the kernel ran as a dump.
                    NLMSG_DONE => ack::parse_done(message.flags, message.payload()),
                    NLMSG_OVERRUN => Err("NLMSG_OVERRUN"),
                    NLMSG_NOOP => continue,
                    _ => {
                        if let (Some(indexer), None) = (indexer, &index_error) {
                            if let Err(e) = indexer(&mut self.index, offset, message) {
                                index_error = Some(e);
                            }
                        }
                        continue;
                    }
                };
                match refusal.map_err(|why| malformed(why, request))? {
                    Some(refusal) => return Err(refusal.into_error(request.op, request.object)),
                    None => return index_error.map_or(Ok(interrupted), Err),
                }
            }
        }
    }
}

/// The error for an I/O failure while talking about `request`.
fn io_error(e: &io::Error, request: &Request<'_>) -> Error {
    Error::io(e, request.op, request.object.to_string())
}

/// The error for a malformed answer to `request`.
fn malformed(why: &'static str, request: &Request<'_>) -> Error {
    Error::new(ErrorKind::Protocol, request.op, request.object.to_string()).with_detail(why)
}

/// Whether the kernel runs `request` as a dump: an rtnetlink `RTM_GET*`
/// (type & 3 == 2) with any bit of `NLM_F_DUMP` (`rtnetlink_rcv_msg`).
fn is_dump(request: &Request<'_>) -> bool {
    request.message.message_type() & 3 == 2 && request.flags & NLM_F_DUMP != 0
}

/// Appends `message` with a netlink header (`flags`, `seq`, port 0 = let the
/// kernel fill it in) to `buf`, padded to the netlink alignment.
fn append_request(buf: &mut Vec<u8>, message: &Payload, flags: u16, seq: u32) {
    let start = buf.len();
    let len = HEADER_LEN + message.buffer_len();
    buf.resize(start + align(len), 0);
    let header = &mut buf[start..start + HEADER_LEN];
    header[0..4].copy_from_slice(&(len as u32).to_ne_bytes());
    header[4..6].copy_from_slice(&message.message_type().to_ne_bytes());
    header[6..8].copy_from_slice(&flags.to_ne_bytes());
    header[8..12].copy_from_slice(&seq.to_ne_bytes());
    header[12..16].copy_from_slice(&0u32.to_ne_bytes());
    message.emit(&mut buf[start + HEADER_LEN..start + len]);
}

#[cfg(test)]
pub(super) fn serialize_for_test(
    message: &netlink_packet_route::RouteNetlinkMessage,
    flags: u16,
    seq: u32,
) -> Vec<u8> {
    let mut buf = Vec::new();
    append_request(&mut buf, &Payload::Route(message.clone()), flags, seq);
    buf
}

/// The indexed dump of `Handle::links` against a scripted kernel: the index
/// is built while receiving, rebuilt on an `NLM_F_DUMP_INTR` retry, and a
/// malformed message fails the dump only once it has been read to its end.
#[cfg(test)]
mod indexed_dump_tests {
    #![allow(clippy::unwrap_used)]

    use netlink_packet_core::{Emitable, NLMSG_DONE, NLM_F_DUMP_INTR, NLM_F_MULTIPART};
    use netlink_packet_route::link::{LinkAttribute, LinkMessage};
    use netlink_packet_route::RouteNetlinkMessage;

    use super::super::tests::FakeKernel;
    use super::super::RTM_NEWLINK;
    use super::{Request, Socket};
    use crate::link::{index_link, Links, INDEX_STRIDE};
    use crate::ErrorKind;

    /// One `RTM_NEWLINK` message of a dump: index, name, mtu.
    fn link(seq: u32, flags: u16, index: u32, name: &str, mtu: u32) -> Vec<u8> {
        let mut msg = LinkMessage::default();
        msg.header.index = index;
        msg.attributes.push(LinkAttribute::IfName(name.to_owned()));
        msg.attributes.push(LinkAttribute::Mtu(mtu));
        let mut payload = vec![0; msg.buffer_len()];
        msg.emit(&mut payload);
        message(RTM_NEWLINK, flags | NLM_F_MULTIPART, seq, &payload)
    }

    fn message(kind: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
        let len = 16 + payload.len();
        let mut m = Vec::with_capacity(len);
        m.extend_from_slice(&(len as u32).to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&flags.to_ne_bytes());
        m.extend_from_slice(&seq.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(payload);
        m.resize((len + 3) & !3, 0);
        m
    }

    fn done(seq: u32) -> Vec<u8> {
        message(NLMSG_DONE, NLM_F_MULTIPART, seq, &0i32.to_ne_bytes())
    }

    fn seq_of(request: &[u8]) -> u32 {
        u32::from_ne_bytes(request[8..12].try_into().unwrap())
    }

    fn get_links() -> RouteNetlinkMessage {
        RouteNetlinkMessage::GetLink(LinkMessage::default())
    }

    fn names(sock: &mut Socket) -> crate::Result<Vec<(u32, String, Option<u32>)>> {
        let request = Request::new(get_links(), "list", &"links");
        let (buffer, index, consistent) = sock.dump_indexed(&request, index_link)?;
        assert!(consistent);
        let links = Links::indexed(buffer, index, consistent);
        assert_eq!(links.len(), index.len() / INDEX_STRIDE);
        Ok(links
            .map(|l| (l.index().get(), l.name().to_owned(), l.mtu()))
            .collect())
    }

    #[test]
    fn links_are_indexed_across_datagrams_and_after_a_retry() {
        let mut attempt = 0;
        let mut sock = Socket::fake(FakeKernel::new(move |request| {
            let seq = seq_of(request);
            attempt += 1;
            if attempt == 1 {
                // Interrupted: a link that the retry no longer has.
                return vec![link(seq, NLM_F_DUMP_INTR, 9, "gone", 1000), done(seq)];
            }
            let mut first = link(seq, 0, 1, "lo", 65536);
            first.extend(link(seq, 0, 2, "veth0", 1500));
            let mut second = link(seq, 0, 3, "veth1", 9000);
            second.extend(done(seq));
            vec![first, second]
        }));
        let got = names(&mut sock).unwrap();
        assert_eq!(
            got,
            vec![
                (1, "lo".to_owned(), Some(65536)),
                (2, "veth0".to_owned(), Some(1500)),
                (3, "veth1".to_owned(), Some(9000)),
            ]
        );
    }

    /// A kernel whose every dump is interrupted: each answer is one message
    /// (`payload` as type `kind`) and `NLMSG_DONE`, both `NLM_F_DUMP_INTR`.
    fn always_interrupted(kind: u16, payload: Vec<u8>) -> crate::Handle {
        crate::Handle::from(Socket::fake(FakeKernel::new(move |request| {
            let seq = seq_of(request);
            let mut answer = message(kind, NLM_F_MULTIPART | NLM_F_DUMP_INTR, seq, &payload);
            answer.extend(message(
                NLMSG_DONE,
                NLM_F_MULTIPART | NLM_F_DUMP_INTR,
                seq,
                &0i32.to_ne_bytes(),
            ));
            vec![answer]
        })))
    }

    fn emitted(message: &impl Emitable) -> Vec<u8> {
        let mut payload = vec![0; message.buffer_len()];
        message.emit(&mut payload);
        payload
    }

    #[test]
    fn every_dump_of_the_handle_returns_its_data_marked_when_always_interrupted() {
        use netlink_packet_route::address::{AddressAttribute, AddressMessage};
        use netlink_packet_route::route::{RouteAddress, RouteAttribute, RouteMessage};

        let mut link = LinkMessage::default();
        link.header.index = 1;
        link.attributes.push(LinkAttribute::IfName("lo".to_owned()));
        let mut h = always_interrupted(RTM_NEWLINK, emitted(&link));
        let links = h.links().unwrap();
        assert!(!links.is_consistent());
        assert_eq!(
            links.map(|l| l.name().to_owned()).collect::<Vec<_>>(),
            ["lo"]
        );

        let mut addr = AddressMessage::default();
        addr.header.family = netlink_packet_route::AddressFamily::Inet;
        addr.header.index = 1;
        addr.header.prefix_len = 8;
        let lo = std::net::IpAddr::from([127, 0, 0, 1]);
        addr.attributes.push(AddressAttribute::Local(lo));
        addr.attributes.push(AddressAttribute::Address(lo));
        let mut h = always_interrupted(crate::netlink::RTM_NEWADDR, emitted(&addr));
        let addresses = h.addresses(crate::addr::AddressFilter::new()).unwrap();
        assert!(!addresses.is_consistent());
        assert_eq!(addresses.map(|a| a.ip()).collect::<Vec<_>>(), [Some(lo)]);

        let mut route = RouteMessage::default();
        route.header.address_family = netlink_packet_route::AddressFamily::Inet;
        route.header.destination_prefix_length = 8;
        route.header.table = 254;
        route
            .attributes
            .push(RouteAttribute::Destination(RouteAddress::Inet(
                [127, 0, 0, 0].into(),
            )));
        route.attributes.push(RouteAttribute::Oif(1));
        let mut h = always_interrupted(crate::netlink::RTM_NEWROUTE, emitted(&route));
        let routes = h.routes(None, None).unwrap();
        assert!(!routes.is_consistent());
        assert_eq!(routes.count(), 1);
    }

    #[test]
    fn a_malformed_link_fails_the_dump_and_leaves_the_socket_usable() {
        let mut calls = 0;
        let mut sock = Socket::fake(FakeKernel::new(move |request| {
            let seq = seq_of(request);
            calls += 1;
            let mut bad = link(seq, 0, 2, "veth0", 1500);
            if calls == 1 {
                // The name attribute claims more bytes than the message has.
                bad[16 + 16] = 0xff;
            }
            vec![
                link(seq, 0, 1, "lo", 65536),
                bad,
                [link(seq, 0, 3, "veth1", 9000), done(seq)].concat(),
            ]
        }));
        let e = names(&mut sock).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        assert!(e.to_string().contains("badly framed"), "{e}");
        // The whole dump was read: the next one is answered normally.
        assert_eq!(names(&mut sock).unwrap().len(), 3);
    }
}
