//! Namespace ids (nsids): the small integers by which one network namespace
//! names another.
//!
//! An nsid is local to the namespace that assigned it: namespace A may call
//! namespace B `3` while B calls A `0` or nothing at all. The kernel shows
//! nsids in `IFLA_LINK_NETNSID` (where the peer of a veth lives) and accepts
//! them in `IFLA_TARGET_NETNSID` (query another namespace through this
//! socket). Every function here talks rtnetlink through a [`Socket`] and
//! works in **the socket's** namespace:
//!
//! | function     | message                                           | `ip` equivalent          |
//! |--------------|---------------------------------------------------|--------------------------|
//! | [`get`]      | `RTM_GETNSID` + `NETNSA_FD` → `RTM_NEWNSID`        | `ip netns list` (ids)    |
//! | [`get_many`] | many `RTM_GETNSID`, batched                        | `ip netns list` (ids)    |
//! | [`set`]      | `RTM_NEWNSID` + `NETNSA_FD` + `NETNSA_NSID`        | `ip netns set NAME ID`   |
//! | [`list`]     | `RTM_GETNSID` dump [+ `NETNSA_TARGET_NSID`]        | `ip netns list-id`       |
//!
//! The kernel encodes "no nsid" as `-1` (`NETNSA_NSID_NOT_ASSIGNED`); here it
//! is `Option<Nsid>::None`.

use std::fmt;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::str::FromStr;

use netlink_packet_route::nsid::{NsidAttribute, NsidMessage};
use netlink_packet_route::RouteNetlinkMessage;

use crate::netlink::uapi::{NETNSA_CURRENT_NSID, NETNSA_NSID};
use crate::netlink::{attr, BatchError, Listing, RawMessage, Request, Socket, RTM_NEWNSID};
use crate::{Errno, Error, ErrorKind, Result};

/// Length of `struct rtgenmsg` (family + padding) before the attributes.
const RTGENMSG_LEN: usize = 4;

/// A namespace id: a non-negative `i32` (the kernel's `-1`, "not assigned",
/// is `Option<Nsid>::None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Nsid(i32);

impl Nsid {
    /// The nsid `id`, or `None` if it is negative (the kernel's "none").
    pub const fn new(id: i32) -> Option<Nsid> {
        if id >= 0 {
            Some(Nsid(id))
        } else {
            None
        }
    }

    /// The id as the kernel writes it.
    pub const fn get(self) -> i32 {
        self.0
    }

    /// The kernel's encoding of an optional nsid: `-1` for none.
    fn to_kernel(id: Option<Nsid>) -> i32 {
        id.map_or(-1, Nsid::get)
    }
}

impl fmt::Display for Nsid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<Nsid> for i32 {
    fn from(id: Nsid) -> i32 {
        id.0
    }
}

impl TryFrom<i32> for Nsid {
    type Error = Error;

    /// Refuses a negative id with [`ErrorKind::InvalidArgument`].
    fn try_from(id: i32) -> Result<Nsid> {
        Nsid::new(id).ok_or_else(|| invalid(&id))
    }
}

impl FromStr for Nsid {
    type Err = Error;

    /// Parses a decimal id between 0 and 2³¹−1.
    fn from_str(s: &str) -> Result<Nsid> {
        s.parse::<i32>()
            .ok()
            .and_then(Nsid::new)
            .ok_or_else(|| invalid(&s))
    }
}

fn invalid(what: &dyn fmt::Display) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        "parse",
        format!("nsid \"{what}\""),
    )
    .with_detail("expected an integer between 0 and 2147483647")
}

/// One nsid known in a namespace: a line of `ip netns list-id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct NsidEntry {
    /// The nsid (`NETNSA_NSID`), as seen from the listed namespace.
    pub nsid: Nsid,
    /// With a target namespace ([`list`]'s `target_nsid`): the id the socket's
    /// own namespace gives the same peer (`NETNSA_CURRENT_NSID`), if any.
    pub current_nsid: Option<Nsid>,
}

/// The object named in errors about the namespace open on `fd`.
struct FdObject(RawFd);

impl fmt::Display for FdObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "network namespace (fd {})", self.0)
    }
}

/// The object named in errors about [`list`].
struct ListObject(Option<Nsid>);

impl fmt::Display for ListObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => f.write_str("nsids"),
            Some(target) => write!(f, "nsids of the namespace with nsid {target}"),
        }
    }
}

/// `RTM_GETNSID` asking about the namespace open on `fd`.
fn getnsid_by_fd(fd: BorrowedFd<'_>) -> RouteNetlinkMessage {
    let mut message = NsidMessage::default();
    message
        .attributes
        .push(NsidAttribute::Fd(fd.as_raw_fd() as u32));
    RouteNetlinkMessage::GetNsId(message)
}

/// The `NETNSA_NSID` and `NETNSA_CURRENT_NSID` of an `RTM_NEWNSID`, read in
/// place.
fn read_newnsid(
    message: &RawMessage<'_>,
) -> std::result::Result<(Option<Nsid>, Option<Nsid>), String> {
    if message.message_type() != RTM_NEWNSID {
        return Err(format!(
            "expected RTM_NEWNSID, got message type {}",
            message.message_type()
        ));
    }
    let attributes = message
        .payload()
        .get(RTGENMSG_LEN..)
        .ok_or("RTM_NEWNSID shorter than its header")?;
    let mut nsid = None;
    let mut current = None;
    if !attr::well_formed(attributes) {
        return Err("badly framed attribute".to_owned());
    }
    for (kind, value) in attr::pairs(attributes) {
        let read = || attr::i32_ne(value).ok_or("short nsid attribute");
        match kind {
            NETNSA_NSID => nsid = Some(read()?),
            NETNSA_CURRENT_NSID => current = Some(read()?),
            _ => {}
        }
    }
    let nsid = nsid.ok_or("RTM_NEWNSID without NETNSA_NSID")?;
    Ok((Nsid::new(nsid), current.and_then(Nsid::new)))
}

fn protocol(op: &'static str, object: &dyn fmt::Display, why: String) -> Error {
    Error::new(ErrorKind::Protocol, op, object.to_string()).with_detail(why)
}

/// The nsid that the socket's namespace gives to the namespace open on `fd`
/// (`RTM_GETNSID` with `NETNSA_FD`; the kernel answers `RTM_NEWNSID` with
/// `NETNSA_NSID`). `None` when it has none.
///
/// # Errors
///
/// The kernel's refusal (e.g. `EINVAL` when `fd` is not a network
/// namespace), as `get nsid of network namespace (fd N)`.
#[doc(alias = "RTM_GETNSID")]
pub fn get(sock: &mut Socket, fd: BorrowedFd<'_>) -> Result<Option<Nsid>> {
    const OP: &str = "get nsid of";
    let object = FdObject(fd.as_raw_fd());
    let request = Request::new(getnsid_by_fd(fd), OP, &object);
    let mut found = None;
    for message in sock.request(&request)? {
        let (nsid, _) = read_newnsid(&message).map_err(|why| protocol(OP, &object, why))?;
        found = Some(nsid);
    }
    found.ok_or_else(|| protocol(OP, &object, "no RTM_NEWNSID in the reply".into()))
}

/// The nsids of many namespaces at once, in the order of `fds`, over one
/// socket: one `RTM_GETNSID` per fd, sent in batches ([`Socket::batch`])
/// and matched to their `RTM_NEWNSID` replies by sequence number.
///
/// # Errors
///
/// The first refusal, with the index of its fd ([`BatchError::index`]).
pub fn get_many(
    sock: &mut Socket,
    fds: &[BorrowedFd<'_>],
) -> Result<Vec<Option<Nsid>>, BatchError> {
    const OP: &str = "get nsid of";
    let objects: Vec<FdObject> = fds.iter().map(|fd| FdObject(fd.as_raw_fd())).collect();
    let requests: Vec<Request<'_>> = fds
        .iter()
        .zip(&objects)
        .map(|(fd, object)| Request::new(getnsid_by_fd(*fd), OP, object))
        .collect();
    let mut ids = vec![None; fds.len()];
    let mut answered = vec![false; fds.len()];
    sock.batch_with_replies(&requests, |index, message| {
        let (nsid, _) = read_newnsid(&message).map_err(|why| protocol(OP, &objects[index], why))?;
        ids[index] = nsid;
        answered[index] = true;
        Ok(())
    })?;
    if let Some(index) = answered.iter().position(|a| !a) {
        let error = protocol(OP, &objects[index], "no RTM_NEWNSID in the reply".into());
        return Err(BatchError {
            index,
            sent: fds.len(),
            error,
        });
    }
    Ok(ids)
}

/// Assigns `nsid` to the namespace open on `fd`, in the socket's namespace
/// (`RTM_NEWNSID` with `NETNSA_FD` and `NETNSA_NSID`); `None` sends `-1` and
/// lets the kernel choose the lowest free id (`ip netns set NAME auto`).
///
/// # Errors
///
/// The kernel's refusal with its text, as `set nsid of network namespace (fd
/// N)`: `EEXIST` "Peer netns already has a nsid assigned" (an nsid cannot be
/// changed once assigned), `EEXIST` "The specified nsid is already used".
#[doc(alias = "RTM_NEWNSID")]
pub fn set(sock: &mut Socket, fd: BorrowedFd<'_>, nsid: Option<Nsid>) -> Result<()> {
    let object = FdObject(fd.as_raw_fd());
    let mut message = NsidMessage::default();
    message
        .attributes
        .push(NsidAttribute::Fd(fd.as_raw_fd() as u32));
    message
        .attributes
        .push(NsidAttribute::Id(Nsid::to_kernel(nsid)));
    sock.execute(&Request::new(
        RouteNetlinkMessage::NewNsId(message),
        "set nsid of",
        &object,
    ))
}

/// Every nsid the socket's namespace has assigned (an `RTM_GETNSID` dump),
/// like `ip netns list-id [target-nsid T] [nsid N]`.
///
/// * `target_nsid`: list the ids of the namespace that the socket's namespace
///   calls `T` instead (`NETNSA_TARGET_NSID`, filtered by the kernel); each
///   entry then carries [`NsidEntry::current_nsid`].
/// * `nsid`: keep only the entry with this nsid (filtered here: the kernel
///   accepts no other dump attribute).
///
/// # Errors
///
/// The kernel's refusal, e.g. `EINVAL` "Invalid target network namespace id"
/// for an unknown `target_nsid`. The kernel answers `EAGAIN` when two dumps
/// with a target contend; that is retried like an interrupted dump (with the
/// same pauses). A dump interrupted on every attempt is returned marked
/// ([`Listing::is_consistent`] false), not refused.
#[doc(alias = "ip netns list-id")]
pub fn list(
    sock: &mut Socket,
    target_nsid: Option<Nsid>,
    nsid: Option<Nsid>,
) -> Result<Listing<NsidEntry>> {
    const OP: &str = "list";
    let object = &ListObject(target_nsid);
    let mut message = NsidMessage::default();
    if let Some(target) = target_nsid {
        message
            .attributes
            .push(NsidAttribute::TargetNsid(target.get()));
    }
    let request = Request::new(RouteNetlinkMessage::GetNsId(message), OP, object);
    let mut attempts = 0;
    let mut pause = crate::netlink::DUMP_RETRY_PAUSE;
    loop {
        attempts += 1;
        match sock.dump(&request) {
            Ok(messages) => {
                let consistent = messages.is_consistent();
                let mut entries = Vec::new();
                for message in messages {
                    let (id, current) =
                        read_newnsid(&message).map_err(|why| protocol(OP, object, why))?;
                    let Some(id) = id else { continue };
                    if nsid.is_none_or(|wanted| wanted == id) {
                        entries.push(NsidEntry {
                            nsid: id,
                            current_nsid: current,
                        });
                    }
                }
                return Ok(Listing::new(entries, consistent));
            }
            Err(e)
                if e.errno() == Some(Errno::EAGAIN)
                    && attempts < crate::netlink::MAX_DUMP_ATTEMPTS =>
            {
                std::thread::sleep(pause);
                pause *= 2;
            }
            Err(e) => return Err(e),
        }
    }
}
