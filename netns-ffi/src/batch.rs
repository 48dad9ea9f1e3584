//! The fast path: a namespace and its handle from one thread
//! (`netns_add_with_handle`), many link requests in one `send`
//! (`netns_link_batch`, with the indexes the kernel gave each new link and
//! veth peer), many addresses in one batch (`netns_addrs_add`), and link
//! changes by index (no lookup by name).

use std::ffi::c_char;

use netns_core::addr::{AddressSpec, IpNet};
use netns_core::link::{
    CreatedLink, Dev, IfIndex, LinkChange, LinkId, LinkKind, LinkRequest, LinkSpec, NetNsRef,
    VethPeer,
};
use netns_core::netlink::BatchError;
use netns_core::NetNs;

use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::namespace::netns_ns;
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_out, opt_ref, out_arg, slice_arg, str_arg};

/// The failure of a batch: its error, with the failing entry's index written
/// to `failed_at` when the caller gave one.
fn batch_failure(e: BatchError, failed_at: *mut usize) -> Failure {
    if let Some(out) = opt_out(failed_at) {
        out.set(e.index);
    }
    Failure::from(e.error)
}

/// A nonzero interface index, or `NETNS_INVALID_ARGUMENT`.
fn ifindex_arg(ifindex: u32, what: &'static str) -> Result<IfIndex, Failure> {
    IfIndex::new(ifindex).ok_or_else(|| Failure::invalid(what, "interface index 0 names no link"))
}

// ---------------------------------------------------------------------------
// A namespace with its handle.

/// Creates namespace `name` as `netns_add` does, and opens an rtnetlink
/// handle inside it on the same short-lived thread that created it (one
/// thread and no `setns`, where `netns_add` then `netns_ns_handle` cost
/// two). The fast way to create many namespaces, e.g. from one thread per
/// core. Writes the handle to `*h_out` and, when `ns_out` is not NULL, the
/// open namespace to `*ns_out` (free them with `netns_handle_free` and
/// `netns_ns_free`). On failure nothing is left behind.
///
/// Errors: as `netns_add`.
#[no_mangle]
pub extern "C" fn netns_add_with_handle(
    reg: *const crate::registry::netns_registry,
    name: *const c_char,
    ns_out: *mut *mut netns_ns,
    h_out: *mut *mut netns_handle,
) -> netns_result {
    call("netns_add_with_handle", || {
        let reg = crate::registry::registry(reg)?;
        let name = str_arg(name, "name")?;
        let h_out = out_arg(h_out, "h_out")?;
        let ns_out = opt_out(ns_out);
        let (ns, inner) = reg.add_with_handle(name)?;
        h_out.set(into_raw(netns_handle { inner }));
        if let Some(out) = ns_out {
            out.set(into_raw(netns_ns::wrap(ns)));
        }
        Ok(())
    })
}

/// Creates an anonymous namespace (as `netns_ns_new_anonymous`) with an
/// rtnetlink handle inside it, both from one short-lived thread. Writes the
/// namespace to `*ns_out` and the handle to `*h_out`.
///
/// Errors: `NETNS_PERMISSION_DENIED` without `CAP_SYS_ADMIN`.
#[no_mangle]
pub extern "C" fn netns_ns_new_anonymous_with_handle(
    ns_out: *mut *mut netns_ns,
    h_out: *mut *mut netns_handle,
) -> netns_result {
    call("netns_ns_new_anonymous_with_handle", || {
        let ns_out = out_arg(ns_out, "ns_out")?;
        let h_out = out_arg(h_out, "h_out")?;
        let (ns, inner) = NetNs::new_anonymous_with_handle()?;
        ns_out.set(into_raw(netns_ns::wrap(ns)));
        h_out.set(into_raw(netns_handle { inner }));
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Link changes by index.

/// Brings link `ifindex` up (one `RTM_SETLINK` by index: no lookup).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for index 0; `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_link_set_up_index(h: *mut netns_handle, ifindex: u32) -> netns_result {
    call("netns_link_set_up_index", || {
        let h = handle_arg(h)?;
        let index = ifindex_arg(ifindex, "ifindex")?;
        Ok(h.link_set(&LinkChange::new(index.into()).up())?)
    })
}

/// Brings link `ifindex` down (one `RTM_SETLINK` by index).
///
/// Errors: as `netns_link_set_up_index`.
#[no_mangle]
pub extern "C" fn netns_link_set_down_index(h: *mut netns_handle, ifindex: u32) -> netns_result {
    call("netns_link_set_down_index", || {
        let h = handle_arg(h)?;
        let index = ifindex_arg(ifindex, "ifindex")?;
        Ok(h.link_set(&LinkChange::new(index.into()).down())?)
    })
}

// ---------------------------------------------------------------------------
// Addresses by index, one or many.

/// Adds address `cidr` to link `ifindex` (`RTM_NEWADDR`; no lookup by name).
///
/// Errors: as `netns_addr_add`; `NETNS_INVALID_ARGUMENT` for index 0.
#[no_mangle]
pub extern "C" fn netns_addr_add_index(
    h: *mut netns_handle,
    ifindex: u32,
    cidr: *const c_char,
) -> netns_result {
    call("netns_addr_add_index", || {
        let h = handle_arg(h)?;
        let index = ifindex_arg(ifindex, "ifindex")?;
        let net: IpNet = str_arg(cidr, "cidr")?.parse()?;
        Ok(h.address_add(&AddressSpec::new(index, net))?)
    })
}

/// Adds `n` addresses at once: `cidrs[i]` (`"10.1.1.1/24"`) to link
/// `ifindexes[i]`, in order, in as few `send` calls as possible (up to 128
/// requests each). Every address is parsed before anything is sent.
///
/// On failure, when `failed_at` is not NULL, the index `i` of the first
/// address that failed is written to `*failed_at`: the addresses before it
/// were added; the kernel goes on past a refusal within one `send`, so
/// later ones of the same `send` may have been added too, and none of the
/// following `send`s were made (see `netns_last_error_message` for which
/// and why). `n` = 0 does nothing (the arrays may then be NULL).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed address or index 0
/// (nothing sent); `NETNS_NOT_FOUND`, `NETNS_ALREADY_EXISTS` or the
/// kernel's refusal of entry `*failed_at`.
#[no_mangle]
pub extern "C" fn netns_addrs_add(
    h: *mut netns_handle,
    ifindexes: *const u32,
    cidrs: *const *const c_char,
    n: usize,
    failed_at: *mut usize,
) -> netns_result {
    call("netns_addrs_add", || {
        let h = handle_arg(h)?;
        let ifindexes = slice_arg(ifindexes, n, "ifindexes")?;
        let cidrs = slice_arg(cidrs, n, "cidrs")?;
        let mut addrs = Vec::with_capacity(n);
        for (i, (&ifindex, &cidr)) in ifindexes.iter().zip(cidrs).enumerate() {
            let parsed = ifindex_arg(ifindex, "ifindex").and_then(|index| {
                let net: IpNet = str_arg(cidr, "cidr")?.parse()?;
                Ok(AddressSpec::new(index, net))
            });
            match parsed {
                Ok(a) => addrs.push(a),
                Err(e) => {
                    if let Some(out) = opt_out(failed_at) {
                        out.set(i);
                    }
                    return Err(e);
                }
            }
        }
        h.addresses_add(&addrs)
            .map_err(|e| batch_failure(e, failed_at))
    })
}

// ---------------------------------------------------------------------------
// The link batch.

/// A list of link requests to send together with `netns_link_batch_send`:
/// veth pairs and bridges to create, links to bring up or down (by name or
/// index), in order. Built once, sent, then read (the indexes of what was
/// created), cleared and reused. Opaque; free with `netns_link_batch_free`.
/// Not for concurrent use.
pub struct netns_link_batch {
    pub(crate) entries: Vec<LinkRequest>,
    /// After a send: what the kernel gave each entry (default for changes).
    created: Vec<CreatedLink>,
}

/// A new, empty batch. Writes it to `*out`.
#[no_mangle]
pub extern "C" fn netns_link_batch_new(out: *mut *mut netns_link_batch) -> netns_result {
    call("netns_link_batch_new", || {
        let out = out_arg(out, "out")?;
        out.set(into_raw(netns_link_batch {
            entries: Vec::new(),
            created: Vec::new(),
        }));
        Ok(())
    })
}

/// Frees the batch (and the namespace descriptors it holds). NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_link_batch_free(b: *mut netns_link_batch) {
    guard((), || free(b))
}

/// Empties the batch (its entries and the indexes of the last send), keeping
/// its memory for the next one. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_link_batch_clear(b: *mut netns_link_batch) {
    guard((), || {
        if let Ok(b) = mut_arg(b, "batch") {
            b.entries.clear();
            b.created.clear();
        }
    })
}

/// How many entries the batch holds (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_link_batch_len(b: *const netns_link_batch) -> usize {
    guard(0, || opt_ref(b).map_or(0, |b| b.entries.len()))
}

/// Runs `body` on the batch as C function `function`, then appends its entry.
fn push(
    function: &'static str,
    b: *mut netns_link_batch,
    body: impl FnOnce() -> Result<LinkRequest, Failure>,
) -> netns_result {
    call(function, || {
        let b = mut_arg(b, "batch")?;
        let entry = body()?;
        b.entries.push(entry);
        Ok(())
    })
}

/// Appends the creation of a veth pair `name` ↔ `peer` (as
/// `netns_link_add_veth`) to the batch; when `peer_netns` is not NULL the peer
/// is born in that namespace (the batch keeps its own descriptor on it, so
/// `peer_netns` may be freed before the send). With `up`, `name` is brought up
/// in the same message. (A peer cannot be brought up by the message that
/// creates it: the kernel refuses; bring it up by index after the send,
/// with `netns_link_batch_peer_ifindex`.)
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a name no link can have (checked
/// here, before anything is sent).
#[no_mangle]
pub extern "C" fn netns_link_batch_add_veth(
    b: *mut netns_link_batch,
    name: *const c_char,
    peer: *const c_char,
    peer_netns: *const netns_ns,
    up: bool,
) -> netns_result {
    push("netns_link_batch_add_veth", b, || {
        let mut p = VethPeer::named(str_arg(peer, "peer")?);
        p.netns = opt_ref(peer_netns)
            .map(|ns| ns.inner.try_clone())
            .transpose()?
            .map(NetNsRef::from);
        let spec = LinkSpec::new(str_arg(name, "name")?, LinkKind::Veth(p)).up(up);
        spec.validate()?;
        Ok(LinkRequest::Add(spec))
    })
}

/// Appends the creation of a bridge `name` (up with `up`) to the batch.
///
/// Errors: as `netns_link_batch_add_veth`.
#[no_mangle]
pub extern "C" fn netns_link_batch_add_bridge(
    b: *mut netns_link_batch,
    name: *const c_char,
    up: bool,
) -> netns_result {
    push("netns_link_batch_add_bridge", b, || {
        let spec = LinkSpec::new(str_arg(name, "name")?, LinkKind::Bridge).up(up);
        spec.validate()?;
        Ok(LinkRequest::Add(spec))
    })
}

/// Appends bringing link `dev` up (`up` true) or down, by name (one
/// `RTM_SETLINK` naming it: no lookup), to the batch.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a name no link can have.
#[no_mangle]
pub extern "C" fn netns_link_batch_set_up(
    b: *mut netns_link_batch,
    dev: *const c_char,
    up: bool,
) -> netns_result {
    push("netns_link_batch_set_up", b, || {
        let dev = str_arg(dev, "dev")?;
        LinkChange::new(LinkId::Name(dev)).request()?;
        Ok(LinkRequest::SetUp(Dev::from(dev), up))
    })
}

/// Appends bringing link `ifindex` up (`up` true) or down to the batch.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for index 0.
#[no_mangle]
pub extern "C" fn netns_link_batch_set_up_index(
    b: *mut netns_link_batch,
    ifindex: u32,
    up: bool,
) -> netns_result {
    push("netns_link_batch_set_up_index", b, || {
        Ok(LinkRequest::SetUp(
            Dev::Index(ifindex_arg(ifindex, "ifindex")?),
            up,
        ))
    })
}

/// Sends every entry of batch `b` on handle `h`, in order, in as few `send`
/// calls as possible (up to 128 requests each), and records the indexes the
/// kernel gave each created link and veth peer (`netns_link_batch_ifindex`,
/// `netns_link_batch_peer_ifindex`; read from the kernel's echo, no lookup).
/// The batch is left as it was (clear it to reuse it).
///
/// On failure, when `failed_at` is not NULL, the index of the first entry
/// that failed is written to `*failed_at`: the entries before it were
/// applied; the kernel goes on past a refusal within one `send`, so later
/// entries of the same `send` may have been applied too, and none of the
/// following `send`s were made (the kernel's text of the refusal is in
/// `netns_last_error_message`). An empty batch sends nothing.
///
/// Errors: the first entry's refusal (`NETNS_ALREADY_EXISTS`,
/// `NETNS_NOT_FOUND`, …).
#[no_mangle]
pub extern "C" fn netns_link_batch_send(
    h: *mut netns_handle,
    b: *mut netns_link_batch,
    failed_at: *mut usize,
) -> netns_result {
    call("netns_link_batch_send", || {
        let h = handle_arg(h)?;
        let b = mut_arg(b, "batch")?;
        let sent = h.links_apply(&b.entries, &mut b.created);
        sent.map_err(|e| batch_failure(e, failed_at))
    })
}

/// After `netns_link_batch_send`: the index the kernel gave the link
/// created by entry `i`, in the handle's namespace; 0 for an entry that
/// creates nothing, before a send, for `i` out of range, or when the kernel
/// sent no echo (an entry that was not applied).
#[no_mangle]
pub extern "C" fn netns_link_batch_ifindex(b: *const netns_link_batch, i: usize) -> u32 {
    guard(0, || {
        opt_ref(b)
            .and_then(|b| b.created.get(i))
            .and_then(|c| c.index)
            .map_or(0, IfIndex::get)
    })
}

/// After `netns_link_batch_send`: for entry `i` that created a veth pair,
/// the peer's index, in the namespace the peer was born in (e.g. the host
/// end's index in the root namespace, for a veth created inside a
/// namespace with its peer born in root); 0 otherwise (as
/// `netns_link_batch_ifindex`).
#[no_mangle]
pub extern "C" fn netns_link_batch_peer_ifindex(b: *const netns_link_batch, i: usize) -> u32 {
    guard(0, || {
        opt_ref(b)
            .and_then(|b| b.created.get(i))
            .and_then(|c| c.peer)
            .map_or(0, IfIndex::get)
    })
}
