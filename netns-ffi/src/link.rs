//! Links: create (veth with its peer born in a namespace, bridge, dummy, any
//! kind), change (one `RTM_SETLINK` each), delete, look up, list.

use std::ffi::{c_char, CString};

use netns_core::link::{LinkChange, LinkId, LinkKind, LinkRef, LinkSpec, MacAddr};

use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::namespace::{netns_ns, ns_arg};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_ref, out_arg, str_arg};
use crate::registry::next_of;
use crate::{c_string, opt_c_ptr};

/// Creates a veth pair `name` ↔ `peer` in the handle's namespace (one
/// `RTM_NEWLINK`); when `peer_netns` is not NULL the peer is born in that
/// namespace (no create-then-move).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a name no link can have;
/// `NETNS_ALREADY_EXISTS`; the kernel's refusal with its text.
#[no_mangle]
pub extern "C" fn netns_link_add_veth(
    h: *mut netns_handle,
    name: *const c_char,
    peer: *const c_char,
    peer_netns: *const netns_ns,
) -> netns_result {
    call("netns_link_add_veth", || {
        let h = handle_arg(h)?;
        let name = str_arg(name, "name")?;
        let peer = str_arg(peer, "peer")?;
        let peer_netns = crate::ptr::opt_ref(peer_netns).map(|ns| &ns.inner);
        h.veth(name, peer, peer_netns)?;
        Ok(())
    })
}

/// Creates a bridge `name`.
///
/// Errors: as `netns_link_add_veth`.
#[no_mangle]
pub extern "C" fn netns_link_add_bridge(h: *mut netns_handle, name: *const c_char) -> netns_result {
    call("netns_link_add_bridge", || {
        let h = handle_arg(h)?;
        let name = str_arg(name, "name")?;
        h.link_add(&LinkSpec::new(name, LinkKind::Bridge))?;
        Ok(())
    })
}

/// Creates a dummy link `name`.
///
/// Errors: as `netns_link_add_veth`; `NETNS_UNSUPPORTED` when the kernel has
/// no dummy driver (message: `… (kernel: Unknown device type)`).
#[no_mangle]
pub extern "C" fn netns_link_add_dummy(h: *mut netns_handle, name: *const c_char) -> netns_result {
    call("netns_link_add_dummy", || {
        let h = handle_arg(h)?;
        let name = str_arg(name, "name")?;
        h.link_add(&LinkSpec::new(name, LinkKind::Dummy))?;
        Ok(())
    })
}

/// Creates a link `name` of any kind the kernel knows (`"ifb"`,
/// `"bridge"`…) with no kind-specific attributes.
///
/// Errors: as `netns_link_add_dummy`.
#[no_mangle]
pub extern "C" fn netns_link_add(
    h: *mut netns_handle,
    name: *const c_char,
    kind: *const c_char,
) -> netns_result {
    call("netns_link_add", || {
        let h = handle_arg(h)?;
        let name = str_arg(name, "name")?;
        let kind = str_arg(kind, "kind")?;
        h.link_add(&LinkSpec::new(name, LinkKind::Other(kind.to_owned())))?;
        Ok(())
    })
}

/// Runs `body` with the handle and the name of link `dev`, as C function `function`.
fn on_link(
    function: &'static str,
    h: *mut netns_handle,
    dev: *const c_char,
    body: impl FnOnce(&mut netns_core::Handle, &str) -> Result<(), Failure>,
) -> netns_result {
    call(function, || {
        let h = handle_arg(h)?;
        let dev = str_arg(dev, "dev")?;
        body(h, dev)
    })
}

/// Sends `change` (one `RTM_SETLINK`).
fn apply(h: &mut netns_core::Handle, change: LinkChange<'_>) -> Result<(), Failure> {
    Ok(h.link_set(&change)?)
}

/// Brings link `dev` up (`IFF_UP`).
///
/// Errors: `NETNS_NOT_FOUND` when there is no such link; the kernel's refusal.
#[no_mangle]
pub extern "C" fn netns_link_set_up(h: *mut netns_handle, dev: *const c_char) -> netns_result {
    on_link("netns_link_set_up", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).up())
    })
}

/// Brings link `dev` down.
///
/// Errors: as `netns_link_set_up`.
#[no_mangle]
pub extern "C" fn netns_link_set_down(h: *mut netns_handle, dev: *const c_char) -> netns_result {
    on_link("netns_link_set_down", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).down())
    })
}

/// Sets the MTU of link `dev`.
///
/// Errors: as `netns_link_set_up`; the kernel's refusal (`mtu greater than
/// device maximum`).
#[no_mangle]
pub extern "C" fn netns_link_set_mtu(
    h: *mut netns_handle,
    dev: *const c_char,
    mtu: u32,
) -> netns_result {
    on_link("netns_link_set_mtu", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).mtu(mtu))
    })
}

/// Renames link `dev` to `new_name`. Linux 6.2 and later rename a link that
/// is up; earlier kernels refuse while it is up (`NETNS_BUSY`: bring it down
/// first, as `ip link set dev X name Y` needs there).
///
/// Errors: as `netns_link_set_up`; `NETNS_INVALID_ARGUMENT` for a bad name;
/// `NETNS_ALREADY_EXISTS` for a name taken; `NETNS_BUSY` as above.
#[no_mangle]
pub extern "C" fn netns_link_set_name(
    h: *mut netns_handle,
    dev: *const c_char,
    new_name: *const c_char,
) -> netns_result {
    on_link("netns_link_set_name", h, dev, |h, dev| {
        let new_name = str_arg(new_name, "new_name")?;
        apply(h, LinkChange::new(dev.into()).name(new_name))
    })
}

/// Sets the hardware address of link `dev` (`mac`: `"aa:bb:cc:dd:ee:ff"`).
///
/// Errors: as `netns_link_set_up`; `NETNS_INVALID_ARGUMENT` for a malformed
/// or multicast address.
#[no_mangle]
pub extern "C" fn netns_link_set_mac(
    h: *mut netns_handle,
    dev: *const c_char,
    mac: *const c_char,
) -> netns_result {
    on_link("netns_link_set_mac", h, dev, |h, dev| {
        let mac: MacAddr = str_arg(mac, "mac")?.parse()?;
        apply(h, LinkChange::new(dev.into()).mac(mac))
    })
}

/// Makes link `dev` a port of `master` (a bridge, bond, team or VRF),
/// looked up by name.
///
/// Errors: as `netns_link_set_up`, for either link; `NETNS_UNSUPPORTED` when
/// `master` cannot take ports (`lo`, a veth …), the message saying so.
#[no_mangle]
pub extern "C" fn netns_link_set_master(
    h: *mut netns_handle,
    dev: *const c_char,
    master: *const c_char,
) -> netns_result {
    on_link("netns_link_set_master", h, dev, |h, dev| {
        let index = h.link_index(str_arg(master, "master")?)?;
        apply(h, LinkChange::new(dev.into()).master(index))
    })
}

/// Removes link `dev` from its master.
///
/// Errors: as `netns_link_set_up`.
#[no_mangle]
pub extern "C" fn netns_link_set_nomaster(
    h: *mut netns_handle,
    dev: *const c_char,
) -> netns_result {
    on_link("netns_link_set_nomaster", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).nomaster())
    })
}

/// Moves link `dev` into namespace `netns` (`IFLA_NET_NS_FD`); further
/// changes to it need a handle on `netns`.
///
/// Errors: as `netns_link_set_up`; `NETNS_ALREADY_EXISTS` when `netns` has
/// a link of that name.
#[no_mangle]
pub extern "C" fn netns_link_set_netns(
    h: *mut netns_handle,
    dev: *const c_char,
    netns: *const netns_ns,
) -> netns_result {
    on_link("netns_link_set_netns", h, dev, |h, dev| {
        let ns = ns_arg(netns, "netns")?;
        apply(h, LinkChange::new(dev.into()).netns(ns))
    })
}

/// Moves link `dev` into the namespace of process `pid` (`IFLA_NET_NS_PID`).
///
/// Errors: as `netns_link_set_netns`; `NETNS_NOT_FOUND` for no such process.
#[no_mangle]
pub extern "C" fn netns_link_set_netns_pid(
    h: *mut netns_handle,
    dev: *const c_char,
    pid: u32,
) -> netns_result {
    on_link("netns_link_set_netns_pid", h, dev, |h, dev| {
        Ok(h.link_move_to_pid(LinkId::Name(dev), pid)?)
    })
}

/// Deletes link `dev` (`RTM_DELLINK`); deleting one end of a veth pair
/// deletes both.
///
/// Errors: `NETNS_NOT_FOUND`; the kernel's refusal.
#[no_mangle]
pub extern "C" fn netns_link_delete(h: *mut netns_handle, dev: *const c_char) -> netns_result {
    on_link("netns_link_delete", h, dev, |h, dev| {
        Ok(h.link_delete(LinkId::Name(dev))?)
    })
}

/// Deletes link `dev` as `netns_link_delete`, accepting that it is already
/// gone. Writes to `*deleted` (when not NULL) whether a link was deleted.
///
/// Errors: as `netns_link_delete`, less `NETNS_NOT_FOUND`.
#[no_mangle]
pub extern "C" fn netns_link_delete_missing_ok(
    h: *mut netns_handle,
    dev: *const c_char,
    deleted: *mut bool,
) -> netns_result {
    on_link("netns_link_delete_missing_ok", h, dev, |h, dev| {
        let done = h.link_delete_missing_ok(LinkId::Name(dev))?;
        if let Some(out) = crate::ptr::opt_out(deleted) {
            out.set(done);
        }
        Ok(())
    })
}

/// Writes the interface index of link `dev` to `*ifindex` (one
/// `RTM_GETLINK` by name: no dump).
///
/// Errors: `NETNS_NOT_FOUND`; `NETNS_INVALID_ARGUMENT` for a name no link can have.
#[no_mangle]
pub extern "C" fn netns_link_index(
    h: *mut netns_handle,
    dev: *const c_char,
    ifindex: *mut u32,
) -> netns_result {
    call("netns_link_index", || {
        let h = handle_arg(h)?;
        let dev = str_arg(dev, "dev")?;
        let out = out_arg(ifindex, "ifindex")?;
        out.set(h.link_index(dev)?.get());
        Ok(())
    })
}

// ---------------------------------------------------------------------------
// Listing.

/// One link of a `netns_link_iter`. Borrowed from the iterator.
pub struct netns_link {
    index: u32,
    name: CString,
    flags: u32,
    mtu: u32,
    kind: Option<CString>,
    master: u32,
    mac: Option<CString>,
    operstate: CString,
    netnsid: i32,
}

impl netns_link {
    /// A link of an owned core link (events' resync).
    pub(crate) fn from_owned(l: &netns_core::link::Link) -> netns_link {
        netns_link {
            index: l.index.get(),
            name: c_string(l.name.as_str()),
            flags: l.flags.bits(),
            mtu: l.mtu.unwrap_or(0),
            kind: l.kind.as_deref().map(c_string),
            master: l.master.map_or(0, |m| m.get()),
            mac: l
                .address
                .as_deref()
                .and_then(|a| <[u8; 6]>::try_from(a).ok())
                .map(|a| c_string(MacAddr(a).to_string())),
            operstate: c_string(l.operstate.to_string()),
            netnsid: l.link_netnsid.map_or(-1, |n| n.get()),
        }
    }

    pub(crate) fn snapshot(l: &LinkRef<'_>) -> netns_link {
        let mac = l
            .address()
            .and_then(|a| <[u8; 6]>::try_from(a).ok())
            .map(|a| c_string(MacAddr(a).to_string()));
        netns_link {
            index: l.index().get(),
            name: c_string(l.name()),
            flags: l.flags().bits(),
            mtu: l.mtu().unwrap_or(0),
            kind: l.kind().map(c_string),
            master: l.master().map_or(0, |m| m.get()),
            mac,
            operstate: c_string(l.operstate().to_string()),
            netnsid: l.link_netnsid().map_or(-1, |n| n.get()),
        }
    }
}

/// The links of `netns_links`, in the kernel's order: a snapshot taken by
/// the call. Free with `netns_link_iter_free`.
pub struct netns_link_iter {
    items: Vec<netns_link>,
    next: usize,
    consistent: bool,
}

/// Lists the links of the handle's namespace (one `RTM_GETLINK` dump, as
/// `ip link show`). Writes an iterator to `*out`; `netns_link_iter_consistent`
/// says whether the kernel's dump was consistent.
#[no_mangle]
pub extern "C" fn netns_links(
    h: *mut netns_handle,
    out: *mut *mut netns_link_iter,
) -> netns_result {
    call("netns_links", || {
        let h = handle_arg(h)?;
        let out = out_arg(out, "out")?;
        let links = h.links()?;
        let consistent = links.is_consistent();
        let items = links.map(|l| netns_link::snapshot(&l)).collect();
        out.set(into_raw(netns_link_iter {
            items,
            next: 0,
            consistent,
        }));
        Ok(())
    })
}

/// The next link, or NULL at the end (or for NULL). Valid until the iterator is freed.
#[no_mangle]
pub extern "C" fn netns_link_iter_next(it: *mut netns_link_iter) -> *const netns_link {
    guard(std::ptr::null(), || match mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many links the iterator holds in all (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_link_iter_len(it: *const netns_link_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Whether the dump behind the iterator was consistent: false when the
/// kernel interrupted it (`NLM_F_DUMP_INTR`, its links changed while it ran)
/// on every attempt, so that the links are the last attempt's and some may be
/// missing or listed twice (`ip` then warns "Dump was interrupted and may be
/// inconsistent"). The listing call itself still returns `NETNS_OK`. True
/// for NULL.
#[no_mangle]
pub extern "C" fn netns_link_iter_consistent(it: *const netns_link_iter) -> bool {
    guard(true, || opt_ref(it).is_none_or(|it| it.consistent))
}

/// Frees the iterator and its links. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_link_iter_free(it: *mut netns_link_iter) {
    guard((), || free(it))
}

/// The link's interface index (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_link_ifindex(l: *const netns_link) -> u32 {
    guard(0, || opt_ref(l).map_or(0, |l| l.index))
}

/// The link's name (NULL for NULL).
#[no_mangle]
pub extern "C" fn netns_link_name(l: *const netns_link) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(l).map_or(std::ptr::null(), |l| l.name.as_ptr())
    })
}

/// The link's `IFF_*` flags (`ifi_flags`).
#[no_mangle]
pub extern "C" fn netns_link_flags(l: *const netns_link) -> u32 {
    guard(0, || opt_ref(l).map_or(0, |l| l.flags))
}

/// True when the link is administratively up (`IFF_UP`).
#[no_mangle]
pub extern "C" fn netns_link_is_up(l: *const netns_link) -> bool {
    guard(false, || opt_ref(l).is_some_and(|l| l.flags & 1 != 0))
}

/// The link's MTU (0 when the kernel did not say).
#[no_mangle]
pub extern "C" fn netns_link_mtu(l: *const netns_link) -> u32 {
    guard(0, || opt_ref(l).map_or(0, |l| l.mtu))
}

/// The link's kind (`"veth"`, `"bridge"`…), or NULL for a link without one (`lo`).
#[no_mangle]
pub extern "C" fn netns_link_kind(l: *const netns_link) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(l).map_or(std::ptr::null(), |l| opt_c_ptr(&l.kind))
    })
}

/// The index of the link's master (a bridge), or 0 when it has none.
#[no_mangle]
pub extern "C" fn netns_link_master(l: *const netns_link) -> u32 {
    guard(0, || opt_ref(l).map_or(0, |l| l.master))
}

/// The link's Ethernet address as `"aa:bb:cc:dd:ee:ff"`, or NULL when it has
/// no 6-byte address.
#[no_mangle]
pub extern "C" fn netns_link_mac(l: *const netns_link) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(l).map_or(std::ptr::null(), |l| opt_c_ptr(&l.mac))
    })
}

/// The link's operational state as `ip` prints it (`"UP"`, `"DOWN"`,
/// `"UNKNOWN"`, `"LOWERLAYERDOWN"`…).
#[no_mangle]
pub extern "C" fn netns_link_operstate(l: *const netns_link) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(l).map_or(std::ptr::null(), |l| l.operstate.as_ptr())
    })
}

/// For a link whose peer is in another namespace (a veth end), that
/// namespace's nsid as seen from the link's namespace; -1 otherwise.
#[no_mangle]
pub extern "C" fn netns_link_netnsid(l: *const netns_link) -> i32 {
    guard(-1, || opt_ref(l).map_or(-1, |l| l.netnsid))
}

// ---------------------------------------------------------------- altnames, flags, kind changes, bridge ports, ip's counters

/// Gives link `dev` the alternative name `altname` (up to 127 bytes;
/// `RTM_NEWLINKPROP`, as `ip link property add dev DEV altname ALT`). Every
/// function taking a device name then finds the link by it too.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a name no link can have;
/// `NETNS_NOT_FOUND` when there is no such link; `NETNS_ALREADY_EXISTS`
/// when a link has that name already.
#[no_mangle]
pub extern "C" fn netns_link_altname_add(
    h: *mut netns_handle,
    dev: *const c_char,
    altname: *const c_char,
) -> netns_result {
    on_link("netns_link_altname_add", h, dev, |h, dev| {
        let altname = str_arg(altname, "altname")?;
        Ok(h.link_altname_add(dev.into(), altname)?)
    })
}

/// Removes the alternative name `altname` of link `dev` (`RTM_DELLINKPROP`).
///
/// Errors: as `netns_link_altname_add`; `NETNS_NOT_FOUND` when the link
/// has no such alternative name.
#[no_mangle]
pub extern "C" fn netns_link_altname_del(
    h: *mut netns_handle,
    dev: *const c_char,
    altname: *const c_char,
) -> netns_result {
    on_link("netns_link_altname_del", h, dev, |h, dev| {
        let altname = str_arg(altname, "altname")?;
        Ok(h.link_altname_del(dev.into(), altname)?)
    })
}

/// The alternative names of link `dev`, one per line (each ending in a
/// newline; empty when it has none), written to `*altnames` (free it with
/// `netns_string_free`). One `RTM_GETLINK`.
///
/// Errors: `NETNS_NOT_FOUND` when there is no such link.
#[no_mangle]
pub extern "C" fn netns_link_altnames(
    h: *mut netns_handle,
    dev: *const c_char,
    altnames: *mut *mut c_char,
) -> netns_result {
    on_link("netns_link_altnames", h, dev, |h, dev| {
        let out = out_arg(altnames, "altnames")?;
        let text: String = h
            .link(dev.into())?
            .altnames()
            .flat_map(|a| [a, "\n"])
            .collect();
        out.set(crate::into_c_string(text));
        Ok(())
    })
}

/// Turns ARP on link `dev` on or off (`off` sets `IFF_NOARP`), as `ip link
/// set dev DEV arp on|off`.
///
/// Errors: as `netns_link_set_up`.
#[no_mangle]
pub extern "C" fn netns_link_set_arp(
    h: *mut netns_handle,
    dev: *const c_char,
    on: bool,
) -> netns_result {
    on_link("netns_link_set_arp", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).arp(on))
    })
}

/// `ip link set dev DEV multicast on|off` (`IFF_MULTICAST`).
///
/// Errors: as `netns_link_set_up`.
#[no_mangle]
pub extern "C" fn netns_link_set_multicast(
    h: *mut netns_handle,
    dev: *const c_char,
    on: bool,
) -> netns_result {
    on_link("netns_link_set_multicast", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).multicast(on))
    })
}

/// `ip link set dev DEV allmulticast on|off` (`IFF_ALLMULTI`).
///
/// Errors: as `netns_link_set_up`.
#[no_mangle]
pub extern "C" fn netns_link_set_allmulticast(
    h: *mut netns_handle,
    dev: *const c_char,
    on: bool,
) -> netns_result {
    on_link("netns_link_set_allmulticast", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).allmulticast(on))
    })
}

/// `ip link set dev DEV promisc on|off` (`IFF_PROMISC`).
///
/// Errors: as `netns_link_set_up`.
#[no_mangle]
pub extern "C" fn netns_link_set_promisc(
    h: *mut netns_handle,
    dev: *const c_char,
    on: bool,
) -> netns_result {
    on_link("netns_link_set_promisc", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).promisc(on))
    })
}

/// `ip link set dev DEV dynamic on|off` (`IFF_DYNAMIC`).
///
/// Errors: as `netns_link_set_up`.
#[no_mangle]
pub extern "C" fn netns_link_set_dynamic(
    h: *mut netns_handle,
    dev: *const c_char,
    on: bool,
) -> netns_result {
    on_link("netns_link_set_dynamic", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).dynamic(on))
    })
}

/// `ip link set dev DEV trailers on|off` (`off` sets `IFF_NOTRAILERS`).
///
/// Errors: as `netns_link_set_up`.
#[no_mangle]
pub extern "C" fn netns_link_set_trailers(
    h: *mut netns_handle,
    dev: *const c_char,
    on: bool,
) -> netns_result {
    on_link("netns_link_set_trailers", h, dev, |h, dev| {
        apply(h, LinkChange::new(dev.into()).trailers(on))
    })
}

/// The strings of a NULL-terminated array, as UTF-8.
fn words_arg<'a>(
    words: *const *const c_char,
    function: &'static str,
) -> Result<Vec<&'a str>, Failure> {
    crate::ptr::argv_arg(words, "words")?
        .into_iter()
        .map(|w| {
            w.to_str().ok_or_else(|| {
                netns_core::Error::new(netns_core::ErrorKind::InvalidArgument, "read", function)
                    .with_detail("a word is not UTF-8")
                    .into()
            })
        })
        .collect()
}

/// Changes the kind-specific settings of link `dev`, as `ip link set dev
/// DEV type KIND WORDS…`: `kind` is `"vxlan"`, `"macvlan"`, `"bridge"` or
/// `"bridge_slave"`, `words` a NULL-terminated array of ip's words after
/// it (`{"ttl", "9", "nolearning", NULL}`), read by the core. One
/// `RTM_NEWLINK` without `NLM_F_CREATE` carrying `IFLA_LINKINFO`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a word or value the kind does not
/// take (`vxlan: unknown option "x"`); `NETNS_UNSUPPORTED` for another
/// kind, and when the kernel refuses the change (message: `… (kernel:
/// Cannot change VNI)`); `NETNS_NOT_FOUND` when there is no such link.
#[no_mangle]
pub extern "C" fn netns_link_set_type(
    h: *mut netns_handle,
    dev: *const c_char,
    kind: *const c_char,
    words: *const *const c_char,
) -> netns_result {
    on_link("netns_link_set_type", h, dev, |h, dev| {
        let kind = str_arg(kind, "kind")?;
        let words = words_arg(words, "netns_link_set_type")?;
        let change = netns_core::link::LinkTypeChange::parse(kind, words)?;
        apply(h, LinkChange::new(dev.into()).kind(change))
    })
}

/// Changes settings of bridge port `dev`, as `bridge link set dev DEV
/// WORDS…`: `words` is a NULL-terminated array of setting/value pairs in
/// bridge's words (`{"learning", "off", "cost", "7", NULL}`: `cost`,
/// `priority`, `state`, `mcast_router`, `proxy_arp`, `hairpin`, `guard`,
/// `root_block`, `fastleave`, `learning`, `flood`, `mcast_flood`,
/// `bcast_flood`, `mcast_to_unicast`, `neigh_suppress`, `vlan_tunnel`,
/// `isolated`, `locked`), all sent in one `AF_BRIDGE` `RTM_SETLINK`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for an unknown setting, a missing or
/// malformed value; `NETNS_NOT_FOUND` when there is no such link;
/// `NETNS_UNSUPPORTED` when it is no bridge port.
#[no_mangle]
pub extern "C" fn netns_bridge_port_set(
    h: *mut netns_handle,
    dev: *const c_char,
    words: *const *const c_char,
) -> netns_result {
    on_link("netns_bridge_port_set", h, dev, |h, dev| {
        let words = words_arg(words, "netns_bridge_port_set")?;
        let mut spec = netns_core::link::BridgePortSpec::default();
        let bad = |detail: String| -> Failure {
            netns_core::Error::new(
                netns_core::ErrorKind::InvalidArgument,
                "set",
                format!("bridge port {dev:?}"),
            )
            .with_detail(detail)
            .into()
        };
        for pair in words.chunks(2) {
            let [word, value] = pair else {
                return Err(bad(format!("{} needs a value", pair[0])));
            };
            if !spec.set_word(word, value)? {
                return Err(bad(format!("no bridge port setting is called {word:?}")));
            }
        }
        Ok(h.bridge_port_set(dev.into(), &spec)?)
    })
}

/// Reads one setting of bridge port `dev` into `*value`: `cost`,
/// `priority`, `state`, `mcast_router`, or an on/off setting (1 on, 0 off)
/// by bridge's word. One `RTM_GETLINK` (`IFLA_INFO_SLAVE_DATA`).
///
/// Errors: `NETNS_NOT_FOUND` when there is no such link, when it is no
/// bridge port, or when the kernel does not report that setting.
#[no_mangle]
pub extern "C" fn netns_bridge_port_get(
    h: *mut netns_handle,
    dev: *const c_char,
    setting: *const c_char,
    value: *mut u64,
) -> netns_result {
    on_link("netns_bridge_port_get", h, dev, |h, dev| {
        let setting = str_arg(setting, "setting")?;
        let out = out_arg(value, "value")?;
        let port = h.link(dev.into())?.bridge_port();
        let v = port.and_then(|p| p.value(setting)).ok_or_else(|| {
            netns_core::Error::new(
                netns_core::ErrorKind::NotFound,
                "get",
                format!("{setting} of bridge port {dev:?}"),
            )
        })?;
        out.set(v);
        Ok(())
    })
}

/// The counters of link `dev` as `ip -s link` prints them (`level` 1; 2
/// as `ip -s -s` with the error lines), lines indented by four spaces, the
/// last without a newline; written to `*text` (free it with
/// `netns_string_free`). The same block as the CLI's, from the core.
///
/// Errors: as `netns_link_stats_get`.
#[no_mangle]
pub extern "C" fn netns_link_stats_text(
    h: *mut netns_handle,
    dev: *const c_char,
    level: u8,
    text: *mut *mut c_char,
) -> netns_result {
    on_link("netns_link_stats_text", h, dev, |h, dev| {
        let out = out_arg(text, "text")?;
        let link = h.link(dev.into())?;
        let changes = link.carrier_changes();
        let stats = link.stats64().ok_or_else(|| {
            netns_core::Error::new(
                netns_core::ErrorKind::Protocol,
                "get",
                format!("statistics of {dev:?}"),
            )
            .with_detail("the kernel sent no IFLA_STATS64")
        })?;
        let block = stats.display().level(level.max(1)).carrier_changes(changes);
        out.set(crate::into_c_string(block.to_string()));
        Ok(())
    })
}
