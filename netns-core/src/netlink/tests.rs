//! Unit tests: answers captured from the kernel, and a scripted fake kernel
//! for the logic that a real kernel will not reproduce on demand
//! (`NLM_F_DUMP_INTR`).

use std::collections::VecDeque;
use std::io;

/// Turns one datagram sent into the datagrams answered.
type Answer = Box<dyn FnMut(&[u8]) -> Vec<Vec<u8>> + Send>;

/// A scripted kernel: every datagram sent is answered with the datagrams
/// `answer` returns for it.
pub(crate) struct FakeKernel {
    answer: Answer,
    queue: VecDeque<Vec<u8>>,
}

impl FakeKernel {
    pub(crate) fn new(answer: impl FnMut(&[u8]) -> Vec<Vec<u8>> + Send + 'static) -> Self {
        FakeKernel {
            answer: Box::new(answer),
            queue: VecDeque::new(),
        }
    }
}

impl Socket {
    /// A socket whose datagrams go to `kernel`.
    pub(crate) fn fake(kernel: FakeKernel) -> Socket {
        Socket::with_conn(Box::new(kernel))
    }
}

impl Transport for FakeKernel {
    fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
        let answers = (self.answer)(datagram);
        self.queue.extend(answers);
        Ok(())
    }

    fn recv(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let datagram = self
            .queue
            .pop_front()
            .ok_or_else(|| io::Error::from(io::ErrorKind::WouldBlock))?;
        buf.extend_from_slice(&datagram);
        Ok(datagram.len())
    }
}

use netlink_packet_core::{NLM_F_ACK, NLM_F_DUMP_INTR, NLM_F_REQUEST};
use netlink_packet_route::nsid::{NsidAttribute, NsidMessage};
use netlink_packet_route::RouteNetlinkMessage;

use super::ack::{parse_done, parse_error};
use super::socket::serialize_for_test;
use super::{
    split_message, Request, Socket, Transport, DUMP_RETRY_PAUSE, MAX_DUMP_ATTEMPTS, RTM_NEWNSID,
};
use crate::{Errno, ErrorKind};

// Captured from Linux 6.18 (x86_64, little endian) with NETLINK_EXT_ACK and
// NETLINK_GET_STRICT_CHK on, in a fresh network namespace, with a second
// fresh namespace open on fd 3.

/// `RTM_NEWNSID` request: NETNSA_FD 3, NETNSA_NSID 7, flags REQUEST|ACK, seq 1.
#[rustfmt::skip]
const SET_NSID_REQUEST: [u8; 36] = [
    0x24, 0x00, 0x00, 0x00, 0x58, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00,
];

/// Its acknowledgement: NLMSG_ERROR 0, flags NLM_F_CAPPED, the request header echoed.
#[rustfmt::skip]
const ACK: [u8; 36] = [
    0x24, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0xab, 0x0d, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    0x24, 0x00, 0x00, 0x00, 0x58, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// The same request again (seq 2): -EEXIST, the whole request echoed,
/// NLM_F_ACK_TLVS: "Peer netns already has a nsid assigned", offset 20.
#[rustfmt::skip]
const EEXIST_WITH_EXT_ACK: [u8; 108] = [
    0x6c, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0xab, 0x0d, 0x00, 0x00,
    0xef, 0xff, 0xff, 0xff,
    0x24, 0x00, 0x00, 0x00, 0x58, 0x00, 0x05, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00,
    0x07, 0x00, 0x00, 0x00,
    0x2b, 0x00, 0x01, 0x00, 0x50, 0x65, 0x65, 0x72, 0x20, 0x6e, 0x65, 0x74, 0x6e, 0x73, 0x20, 0x61,
    0x6c, 0x72, 0x65, 0x61, 0x64, 0x79, 0x20, 0x68, 0x61, 0x73, 0x20, 0x61, 0x20, 0x6e, 0x73, 0x69,
    0x64, 0x20, 0x61, 0x73, 0x73, 0x69, 0x67, 0x6e, 0x65, 0x64, 0x00, 0x00,
    0x08, 0x00, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00,
];

/// `RTM_GETNSID` with NETNSA_FD (seq 3, REQUEST|ACK): the reply
/// `RTM_NEWNSID` NETNSA_NSID 7, then the acknowledgement.
#[rustfmt::skip]
const NEWNSID_REPLY: [u8; 28] = [
    0x1c, 0x00, 0x00, 0x00, 0x58, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x46, 0x0e, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00,
];
#[rustfmt::skip]
const NEWNSID_ACK: [u8; 36] = [
    0x24, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x03, 0x00, 0x00, 0x00, 0x46, 0x0e, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
    0x1c, 0x00, 0x00, 0x00, 0x5a, 0x00, 0x05, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// A `RTM_GETNSID` dump (seq 4): one datagram, `RTM_NEWNSID` (MULTI) and
/// `NLMSG_DONE` (MULTI, error 0).
#[rustfmt::skip]
const NSID_DUMP: [u8; 48] = [
    0x1c, 0x00, 0x00, 0x00, 0x58, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x46, 0x0e, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00,
    0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x46, 0x0e, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00,
];

/// A `RTM_GETNSID` dump with NETNSA_TARGET_NSID 99 (unknown), seq 5:
/// `NLMSG_DONE` with -EINVAL and NLM_F_ACK_TLVS: "Invalid target network
/// namespace id", offset 20.
#[rustfmt::skip]
const DONE_EINVAL: [u8; 68] = [
    0x44, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x02, 0x05, 0x00, 0x00, 0x00, 0x9f, 0x0e, 0x00, 0x00,
    0xea, 0xff, 0xff, 0xff,
    0x28, 0x00, 0x01, 0x00, 0x49, 0x6e, 0x76, 0x61, 0x6c, 0x69, 0x64, 0x20, 0x74, 0x61, 0x72, 0x67,
    0x65, 0x74, 0x20, 0x6e, 0x65, 0x74, 0x77, 0x6f, 0x72, 0x6b, 0x20, 0x6e, 0x61, 0x6d, 0x65, 0x73,
    0x70, 0x61, 0x63, 0x65, 0x20, 0x69, 0x64, 0x00,
    0x08, 0x00, 0x02, 0x00, 0x14, 0x00, 0x00, 0x00,
];

/// `RTM_NEWLINK` of kind "dummy" (not built into this kernel), seq 7:
/// -EOPNOTSUPP, request echoed, "Unknown device type", no offset.
#[rustfmt::skip]
const EOPNOTSUPP_UNKNOWN_KIND: [u8; 100] = [
    0x64, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x02, 0x07, 0x00, 0x00, 0x00, 0x9f, 0x0e, 0x00, 0x00,
    0xa1, 0xff, 0xff, 0xff,
    0x38, 0x00, 0x00, 0x00, 0x10, 0x00, 0x05, 0x06, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x03, 0x00, 0x64, 0x30, 0x00, 0x00, 0x10, 0x00, 0x12, 0x80, 0x0a, 0x00, 0x01, 0x00,
    0x64, 0x75, 0x6d, 0x6d, 0x79, 0x00, 0x00, 0x00,
    0x18, 0x00, 0x01, 0x00, 0x55, 0x6e, 0x6b, 0x6e, 0x6f, 0x77, 0x6e, 0x20, 0x64, 0x65, 0x76, 0x69,
    0x63, 0x65, 0x20, 0x74, 0x79, 0x70, 0x65, 0x00,
];

fn flags_of(message: &[u8]) -> u16 {
    u16::from_ne_bytes([message[6], message[7]])
}

/// The sequence number of the first message of a datagram.
fn seq_of(datagram: &[u8]) -> u32 {
    u32::from_ne_bytes([datagram[8], datagram[9], datagram[10], datagram[11]])
}

/// `datagram` with every message's sequence number set to `seq`.
fn with_seq(datagram: &[u8], seq: u32) -> Vec<u8> {
    let mut out = datagram.to_vec();
    let mut at = 0;
    while at + 16 <= out.len() {
        let len = u32::from_ne_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]) as usize;
        out[at + 8..at + 12].copy_from_slice(&seq.to_ne_bytes());
        at += (len + 3) & !3;
    }
    out
}

/// `datagram` with `flags` added to every message.
fn with_flags(datagram: &[u8], flags: u16) -> Vec<u8> {
    let mut out = datagram.to_vec();
    let mut at = 0;
    while at + 16 <= out.len() {
        let len = u32::from_ne_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]) as usize;
        let f = flags_of(&out[at..]) | flags;
        out[at + 6..at + 8].copy_from_slice(&f.to_ne_bytes());
        at += (len + 3) & !3;
    }
    out
}

fn payload(message: &[u8]) -> &[u8] {
    &message[16..]
}

fn set_nsid_message(fd: u32, id: i32) -> RouteNetlinkMessage {
    let mut message = NsidMessage::default();
    message.attributes.push(NsidAttribute::Fd(fd));
    message.attributes.push(NsidAttribute::Id(id));
    RouteNetlinkMessage::NewNsId(message)
}

fn get_nsids() -> RouteNetlinkMessage {
    RouteNetlinkMessage::GetNsId(NsidMessage::default())
}

#[test]
fn requests_serialize_to_the_bytes_iproute2_and_the_kernel_use() {
    let bytes = serialize_for_test(&set_nsid_message(3, 7), NLM_F_REQUEST | NLM_F_ACK, 1);
    assert_eq!(bytes, SET_NSID_REQUEST);
    // And the echoed copy inside the kernel's refusal is the same request.
    assert_eq!(
        &EEXIST_WITH_EXT_ACK[20..56],
        &with_seq(&SET_NSID_REQUEST, 2)[..]
    );
}

#[test]
fn an_ack_is_not_a_refusal() {
    assert_eq!(parse_error(flags_of(&ACK), payload(&ACK)), Ok(None));
    assert_eq!(
        parse_error(flags_of(&NEWNSID_ACK), payload(&NEWNSID_ACK)),
        Ok(None)
    );
}

#[test]
fn a_refusal_carries_errno_text_and_offset() {
    let refusal = parse_error(
        flags_of(&EEXIST_WITH_EXT_ACK),
        payload(&EEXIST_WITH_EXT_ACK),
    )
    .unwrap()
    .unwrap();
    assert_eq!(refusal.errno, Errno::EEXIST);
    assert_eq!(
        refusal.message,
        Some(&b"Peer netns already has a nsid assigned"[..])
    );
    // Offset 20 = nlmsghdr (16) + rtgenmsg (4): the NETNSA_FD attribute,
    // which names the peer that already has an nsid.
    assert_eq!(refusal.offset, Some(20));
    let error = refusal.into_error("set nsid of", &"network namespace \"a\"");
    assert_eq!(error.kind(), ErrorKind::AlreadyExists);
    assert_eq!(
        error.to_string(),
        "cannot set nsid of network namespace \"a\": already exists \
         (kernel: Peer netns already has a nsid assigned)"
    );
    assert_eq!(error.kernel_offset(), Some(20));
}

#[test]
fn a_capped_refusal_is_read_the_same() {
    // What a NETLINK_CAP_ACK socket would get: only the request header echoed.
    let full = &EEXIST_WITH_EXT_ACK;
    let mut capped = Vec::new();
    capped.extend_from_slice(&full[..36]); // header, error, echoed nlmsghdr
    capped.extend_from_slice(&full[56..]); // the TLVs
    let len = capped.len() as u32;
    capped[0..4].copy_from_slice(&len.to_ne_bytes());
    let flags = flags_of(full) | netlink_packet_core::NLM_F_CAPPED;
    capped[6..8].copy_from_slice(&flags.to_ne_bytes());
    let refusal = parse_error(flags, payload(&capped)).unwrap().unwrap();
    assert_eq!(refusal.errno, Errno::EEXIST);
    assert_eq!(
        refusal.message,
        Some(&b"Peer netns already has a nsid assigned"[..])
    );
    assert_eq!(refusal.offset, Some(20));
}

#[test]
fn an_unknown_link_kind_is_explained() {
    let m = &EOPNOTSUPP_UNKNOWN_KIND;
    let refusal = parse_error(flags_of(m), payload(m)).unwrap().unwrap();
    assert_eq!(refusal.errno, Errno::EOPNOTSUPP);
    assert_eq!(refusal.message, Some(&b"Unknown device type"[..]));
    assert_eq!(refusal.offset, None);
    assert_eq!(
        refusal.into_error("add", &"link \"d0\"").kind(),
        ErrorKind::Unsupported
    );
}

#[test]
fn done_carries_the_dump_error() {
    let (_, rest) = split_message(&NSID_DUMP).unwrap().unwrap();
    let (done, _) = split_message(rest).unwrap().unwrap();
    assert_eq!(done.message_type(), netlink_packet_core::NLMSG_DONE);
    assert_eq!(parse_done(done.flags(), done.payload()), Ok(None));

    let refusal = parse_done(flags_of(&DONE_EINVAL), payload(&DONE_EINVAL))
        .unwrap()
        .unwrap();
    assert_eq!(refusal.errno, Errno::EINVAL);
    assert_eq!(
        refusal.message,
        Some(&b"Invalid target network namespace id"[..])
    );
    assert_eq!(refusal.offset, Some(20));
    // An empty NLMSG_DONE (old kernels) ends a dump well.
    assert_eq!(parse_done(0, &[]), Ok(None));
}

#[test]
fn malformed_answers_are_refused_not_trusted() {
    assert!(parse_error(0, &[0xef, 0xff]).is_err());
    // A TLV longer than the message.
    let mut m = EEXIST_WITH_EXT_ACK.to_vec();
    m[56] = 0xff;
    assert!(parse_error(flags_of(&m), payload(&m)).is_err());
    // A message length beyond the datagram.
    let mut d = NSID_DUMP.to_vec();
    d[0] = 0xff;
    assert!(split_message(&d).is_err());
    assert!(split_message(&d[..10]).is_err());
    // A message length below the header size.
    d[0] = 8;
    assert!(split_message(&d).is_err());
}

/// A fake kernel answering every request with `answer(seq)`.
fn kernel(mut answer: impl FnMut(u32) -> Vec<Vec<u8>> + Send + 'static) -> Socket {
    Socket::fake(FakeKernel::new(move |request| answer(seq_of(request))))
}

#[test]
fn a_request_returns_its_reply_borrowed_from_the_socket() {
    let mut sock = kernel(|seq| vec![with_seq(&NEWNSID_REPLY, seq), with_seq(&NEWNSID_ACK, seq)]);
    let request = Request::new(get_nsids(), "get nsid of", &"x");
    let messages: Vec<_> = sock.request(&request).unwrap().collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].message_type(), RTM_NEWNSID);
    assert_eq!(messages[0].payload(), &NEWNSID_REPLY[16..]);
    let parsed = messages[0].parse().unwrap();
    let RouteNetlinkMessage::NewNsId(nsid) = parsed else {
        panic!("{parsed:?}")
    };
    assert_eq!(nsid.attributes, vec![NsidAttribute::Id(7)]);
}

#[test]
fn a_dump_returns_its_messages_and_stops_at_done() {
    let mut sock = kernel(|seq| vec![with_seq(&NSID_DUMP, seq)]);
    let request = Request::new(get_nsids(), "list", &"nsids");
    let messages: Vec<_> = sock.dump(&request).unwrap().collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].message_type(), RTM_NEWNSID);
    assert_eq!(messages[0].flags(), netlink_packet_core::NLM_F_MULTIPART);
}

#[test]
fn a_dump_refused_in_done_reports_the_kernel_text() {
    let mut sock = kernel(|seq| vec![with_seq(&DONE_EINVAL, seq)]);
    let target = 99;
    let object = format!("nsids of the namespace with nsid {target}");
    let error = sock
        .dump(&Request::new(get_nsids(), "list", &object))
        .unwrap_err();
    assert_eq!(error.errno(), Some(Errno::EINVAL));
    assert_eq!(
        error.kernel_message(),
        Some("Invalid target network namespace id")
    );
    assert_eq!(error.operation(), "list");
    assert_eq!(error.object(), object);
}

#[test]
fn a_dump_spread_over_datagrams_is_read_whole_and_stale_answers_are_skipped() {
    let mut sock = kernel(|seq| {
        let (first, done) = NSID_DUMP.split_at(28);
        vec![
            with_seq(&NEWNSID_REPLY, seq.wrapping_sub(1)), // left over from an abandoned request
            with_seq(first, seq),
            with_seq(first, seq),
            with_seq(done, seq),
        ]
    });
    let n = sock
        .dump(&Request::new(get_nsids(), "list", &"nsids"))
        .unwrap()
        .count();
    assert_eq!(n, 2);
}

#[test]
fn an_interrupted_dump_is_run_again() {
    let mut sends = 0;
    let mut sock = Socket::fake(FakeKernel::new(move |request| {
        sends += 1;
        let seq = seq_of(request);
        let dump = with_seq(&NSID_DUMP, seq);
        // The first two runs change under the kernel's feet.
        if sends <= 2 {
            vec![with_flags(&dump, NLM_F_DUMP_INTR)]
        } else {
            vec![dump]
        }
    }));
    let messages: Vec<_> = sock
        .dump(&Request::new(get_nsids(), "list", &"nsids"))
        .unwrap()
        .collect();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].flags() & NLM_F_DUMP_INTR, 0);
    // Each run had its own sequence number, and the answer is the third.
    assert_eq!(messages[0].sequence_number(), 3);
}

#[test]
fn a_dump_interrupted_every_time_returns_the_last_attempt_marked_inconsistent() {
    let sends = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = sends.clone();
    let mut sock = kernel(move |seq| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Only the DONE carries the flag: that is enough.
        let (first, done) = NSID_DUMP.split_at(28);
        vec![
            with_seq(first, seq),
            with_flags(&with_seq(done, seq), NLM_F_DUMP_INTR),
        ]
    });
    let started = std::time::Instant::now();
    let messages = sock
        .dump(&Request::new(get_nsids(), "list", &"links"))
        .unwrap();
    let waited = started.elapsed();
    assert!(!messages.is_consistent());
    let messages: Vec<_> = messages.collect();
    assert_eq!(messages.len(), 1);
    // The data is the last attempt's.
    assert_eq!(messages[0].sequence_number(), MAX_DUMP_ATTEMPTS as u32);
    assert_eq!(
        sends.load(std::sync::atomic::Ordering::Relaxed),
        MAX_DUMP_ATTEMPTS
    );
    // The retries were spaced out: 2 + 4 + 8 + 16 ms at least.
    let pauses: u32 = (0..MAX_DUMP_ATTEMPTS as u32 - 1).map(|k| 1 << k).sum();
    assert!(waited >= DUMP_RETRY_PAUSE * pauses, "{waited:?}");
}

#[test]
fn a_consistent_dump_and_a_retried_one_are_marked_consistent() {
    let mut sock = kernel(|seq| vec![with_seq(&NSID_DUMP, seq)]);
    let request = Request::new(get_nsids(), "list", &"nsids");
    assert!(sock.dump(&request).unwrap().is_consistent());
    let mut sends = 0;
    let mut sock = Socket::fake(FakeKernel::new(move |request| {
        sends += 1;
        let dump = with_seq(&NSID_DUMP, seq_of(request));
        if sends < MAX_DUMP_ATTEMPTS {
            vec![with_flags(&dump, NLM_F_DUMP_INTR)]
        } else {
            vec![dump]
        }
    }));
    assert!(sock.dump(&request).unwrap().is_consistent());
}

#[test]
fn nsid_list_carries_the_inconsistency_of_its_dump() {
    let mut sock = kernel(|seq| vec![with_flags(&with_seq(&NSID_DUMP, seq), NLM_F_DUMP_INTR)]);
    let listing = crate::nsid::list(&mut sock, None, None).unwrap();
    assert!(!listing.is_consistent());
    assert_eq!(listing.len(), 1);
    assert_eq!(listing[0].nsid.get(), 7);
    let mut sock = kernel(|seq| vec![with_seq(&NSID_DUMP, seq)]);
    assert!(crate::nsid::list(&mut sock, None, None)
        .unwrap()
        .is_consistent());
}

#[test]
fn the_receive_buffer_is_reused_across_dumps() {
    let mut sock = kernel(|seq| {
        let (first, done) = NSID_DUMP.split_at(28);
        let mut datagrams = vec![with_seq(first, seq); 40];
        datagrams.push(with_seq(done, seq));
        datagrams
    });
    let request = Request::new(get_nsids(), "list", &"nsids");
    assert_eq!(sock.dump(&request).unwrap().count(), 40);
    let warm = sock.buffer_capacities();
    for _ in 0..10 {
        assert_eq!(sock.dump(&request).unwrap().count(), 40);
    }
    assert_eq!(sock.buffer_capacities(), warm);
}

/// A fake kernel acknowledging every request of every datagram, one ack per
/// datagram, refusing those whose NETNSA_NSID is negative with the captured
/// EEXIST; it records the number of requests in each datagram.
fn batch_kernel(sizes: std::sync::Arc<std::sync::Mutex<Vec<usize>>>) -> Socket {
    Socket::fake(FakeKernel::new(move |datagram| {
        let mut answers = Vec::new();
        let mut rest = datagram;
        let mut count = 0;
        while let Some((m, after)) = split_message(rest).unwrap() {
            rest = after;
            count += 1;
            let id = i32::from_ne_bytes(m.bytes()[32..36].try_into().unwrap());
            let answer = if id < 0 {
                &EEXIST_WITH_EXT_ACK[..]
            } else {
                &ACK[..]
            };
            answers.push(with_seq(answer, m.sequence_number()));
        }
        sizes.lock().unwrap().push(count);
        answers
    }))
}

#[test]
fn a_batch_reports_the_first_failure_with_its_index_and_context() {
    let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut sock = batch_kernel(sizes.clone());
    let names: Vec<String> = (0..300)
        .map(|i| format!("network namespace \"ns{i}\""))
        .collect();
    let requests: Vec<Request<'_>> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let id = if i == 150 || i == 160 { -1 } else { i as i32 };
            Request::new(set_nsid_message(3, id), "set nsid of", name)
        })
        .collect();
    let failure = sock.batch(&requests).unwrap_err();
    assert_eq!(failure.index, 150);
    // The chunk holding 150 (128..256) went out whole; nothing after it.
    assert_eq!(failure.sent, 256);
    assert_eq!(*sizes.lock().unwrap(), vec![128, 128]);
    assert_eq!(failure.error.object(), "network namespace \"ns150\"");
    assert_eq!(failure.error.operation(), "set nsid of");
    assert_eq!(
        failure.error.kernel_message(),
        Some("Peer netns already has a nsid assigned")
    );

    // The socket stays usable: the next batch matches its own acks.
    sizes.lock().unwrap().clear();
    sock.batch(&requests[..100]).unwrap();
    sock.batch(&requests[200..]).unwrap();
    assert_eq!(*sizes.lock().unwrap(), vec![100, 100]);
    let one = Request::new(set_nsid_message(3, -1), "set nsid of", &"x");
    assert_eq!(sock.execute(&one).unwrap_err().errno(), Some(Errno::EEXIST));
}

#[test]
fn a_batch_of_nothing_sends_nothing() {
    let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut sock = batch_kernel(sizes.clone());
    sock.batch(&[]).unwrap();
    assert!(sizes.lock().unwrap().is_empty());
}

#[test]
fn batch_replies_reach_the_callback_with_their_request_index() {
    let mut sock = Socket::fake(FakeKernel::new(|datagram| {
        let mut answers = Vec::new();
        let mut rest = datagram;
        while let Some((m, after)) = split_message(rest).unwrap() {
            rest = after;
            // Answer request i with nsid i, then the ack.
            let mut reply = with_seq(&NEWNSID_REPLY, m.sequence_number());
            let i = m.sequence_number() as i32;
            reply[24..28].copy_from_slice(&i.to_ne_bytes());
            answers.push(reply);
            answers.push(with_seq(&NEWNSID_ACK, m.sequence_number()));
        }
        answers
    }));
    let requests: Vec<_> = (0..10)
        .map(|_| Request::new(get_nsids(), "get nsid of", &"x"))
        .collect();
    let mut seen = Vec::new();
    sock.batch_with_replies(&requests, |index, m| {
        seen.push((
            index,
            i32::from_ne_bytes(m.payload()[8..12].try_into().unwrap()),
        ));
        Ok(())
    })
    .unwrap();
    // Sequence numbers start at 1: request i is answered with nsid i + 1.
    assert_eq!(seen, (0..10).map(|i| (i, i as i32 + 1)).collect::<Vec<_>>());
}

#[test]
fn raw_messages_parse_into_route_messages() {
    let (m, _) = split_message(&NSID_DUMP).unwrap().unwrap();
    assert!(matches!(
        m.parse().unwrap(),
        RouteNetlinkMessage::NewNsId(_)
    ));
    // A link message that is too short is a protocol error.
    let mut bad = NEWNSID_REPLY.to_vec();
    bad[4] = 16; // RTM_NEWLINK with a 12-byte payload (ifinfomsg needs 16)
    let (m, _) = split_message(&bad).unwrap().unwrap();
    assert_eq!(m.parse().unwrap_err().kind(), ErrorKind::Protocol);
}

#[test]
fn a_dump_request_in_a_batch_is_refused_before_sending() {
    let sizes = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut sock = batch_kernel(sizes.clone());
    let requests = [
        Request::new(set_nsid_message(3, 1), "set nsid of", &"a"),
        Request::new(get_nsids(), "list", &"nsids").with_flags(netlink_packet_core::NLM_F_DUMP),
    ];
    let failure = sock.batch(&requests).unwrap_err();
    assert_eq!((failure.index, failure.sent), (1, 0));
    assert_eq!(failure.error.kind(), ErrorKind::InvalidArgument);
    assert!(sizes.lock().unwrap().is_empty());
    // NLM_F_EXCL (same bit as NLM_F_MATCH) on a creation is not a dump.
    let create = Request::new(set_nsid_message(3, 1), "set nsid of", &"a")
        .with_flags(super::NLM_F_CREATE | super::NLM_F_EXCL);
    sock.batch(std::slice::from_ref(&create)).unwrap();
}
