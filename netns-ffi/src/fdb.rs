//! Bridge fdb entries (`bridge fdb`): add, append, replace, delete, get,
//! list, flush. C arguments become the core's `FdbSpec` / `FdbFilter` /
//! `FdbQuery` / `FdbFlush`.

use std::collections::BTreeMap;
use std::ffi::{c_char, CString};

use netns_core::link::{Dev, HwAddr, LinkType};
use netns_core::neigh::{
    parse_mac, FdbEntry, FdbFilter, FdbFlush, FdbQuery, FdbSpec, FdbState, NTF_MASTER, NTF_SELF,
    NTF_STICKY,
};
use netns_core::Handle;

use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_out, opt_ref, opt_str_arg, out_arg, str_arg};
use crate::registry::next_of;
use crate::route_spec::ip_arg;
use crate::{c_string, opt_c_ptr};

/// The device's own table (`self`, `NTF_SELF`): the default when neither
/// this nor `NETNS_FDB_MASTER` is given.
pub const NETNS_FDB_SELF: u32 = 1;
/// The master bridge's table (`master`, `NTF_MASTER`).
pub const NETNS_FDB_MASTER: u32 = 2;
/// `extern_learn` (`NTF_EXT_LEARNED`).
pub const NETNS_FDB_EXTERN_LEARN: u32 = 4;
/// `sticky` (`NTF_STICKY`).
pub const NETNS_FDB_STICKY: u32 = 8;

/// An fdb entry being described, for `netns_fdb_add` and the others.
/// Opaque; made by `netns_fdb_spec_new`, freed by `netns_fdb_spec_free`.
pub struct netns_fdb_spec {
    pub(crate) inner: FdbSpec,
}

/// A new permanent entry for MAC address `mac` (`"00:11:22:33:44:55"`) on
/// link `dev`, in the device's own table. Writes it to `*out`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed MAC address.
#[no_mangle]
pub extern "C" fn netns_fdb_spec_new(
    mac: *const c_char,
    dev: *const c_char,
    out: *mut *mut netns_fdb_spec,
) -> netns_result {
    call("netns_fdb_spec_new", || {
        let mac = parse_mac(str_arg(mac, "mac")?)?;
        let dev = str_arg(dev, "dev")?;
        out_arg(out, "out")?.set(into_raw(netns_fdb_spec {
            inner: FdbSpec::new(mac, dev),
        }));
        Ok(())
    })
}

/// Frees the spec. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_fdb_spec_free(spec: *mut netns_fdb_spec) {
    guard((), || free(spec))
}

fn set(
    function: &'static str,
    spec: *mut netns_fdb_spec,
    f: impl FnOnce(&mut FdbSpec) -> Result<(), Failure>,
) -> netns_result {
    call(function, || f(&mut mut_arg(spec, "spec")?.inner))
}

/// `dst IP`: a vxlan remote.
#[no_mangle]
pub extern "C" fn netns_fdb_spec_set_dst(
    spec: *mut netns_fdb_spec,
    dst: *const c_char,
) -> netns_result {
    set("netns_fdb_spec_set_dst", spec, |s| {
        s.dst = Some(ip_arg(dst, "dst")?);
        Ok(())
    })
}

/// `vlan VID`.
#[no_mangle]
pub extern "C" fn netns_fdb_spec_set_vlan(spec: *mut netns_fdb_spec, vlan: u16) -> netns_result {
    set("netns_fdb_spec_set_vlan", spec, |s| {
        s.vlan = Some(vlan);
        Ok(())
    })
}

/// `port PORT`: a vxlan remote's UDP port.
#[no_mangle]
pub extern "C" fn netns_fdb_spec_set_port(spec: *mut netns_fdb_spec, port: u16) -> netns_result {
    set("netns_fdb_spec_set_port", spec, |s| {
        s.port = Some(port);
        Ok(())
    })
}

/// `vni VNI`: a vxlan remote's VNI (24 bits).
#[no_mangle]
pub extern "C" fn netns_fdb_spec_set_vni(spec: *mut netns_fdb_spec, vni: u32) -> netns_result {
    set("netns_fdb_spec_set_vni", spec, |s| {
        s.vni = Some(vni);
        Ok(())
    })
}

/// `via DEV`: a vxlan remote's outgoing device.
#[no_mangle]
pub extern "C" fn netns_fdb_spec_set_via(
    spec: *mut netns_fdb_spec,
    dev: *const c_char,
) -> netns_result {
    set("netns_fdb_spec_set_via", spec, |s| {
        s.via = Some(Dev::from(str_arg(dev, "via")?));
        Ok(())
    })
}

/// The state, as `bridge fdb add` takes it: `"permanent"` (or `"local"`,
/// the default), `"static"`, `"dynamic"`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another word.
#[no_mangle]
pub extern "C" fn netns_fdb_spec_set_state(
    spec: *mut netns_fdb_spec,
    state: *const c_char,
) -> netns_result {
    set("netns_fdb_spec_set_state", spec, |s| {
        s.state = str_arg(state, "state")?.parse::<FdbState>()?;
        Ok(())
    })
}

/// `NETNS_FDB_SELF`, `NETNS_FDB_MASTER`, `NETNS_FDB_EXTERN_LEARN`,
/// `NETNS_FDB_STICKY`, OR-ed (replacing the flags set before).
#[no_mangle]
pub extern "C" fn netns_fdb_spec_set_flags(spec: *mut netns_fdb_spec, flags: u32) -> netns_result {
    set("netns_fdb_spec_set_flags", spec, |s| {
        s.self_ = flags & NETNS_FDB_SELF != 0;
        s.master = flags & NETNS_FDB_MASTER != 0;
        s.extern_learn = flags & NETNS_FDB_EXTERN_LEARN != 0;
        s.sticky = flags & NETNS_FDB_STICKY != 0;
        Ok(())
    })
}

fn send(
    function: &'static str,
    h: *mut netns_handle,
    spec: *const netns_fdb_spec,
    op: fn(&mut Handle, &FdbSpec) -> netns_core::Result<()>,
) -> netns_result {
    call(function, || {
        let h = handle_arg(h)?;
        let spec = opt_ref(spec).ok_or_else(|| Failure::null("spec"))?;
        op(h, &spec.inner)?;
        Ok(())
    })
}

/// Adds the entry (`bridge fdb add`, `RTM_NEWNEIGH` of family `AF_BRIDGE`
/// with `NLM_F_EXCL`).
///
/// Errors: `NETNS_NOT_FOUND` for no such link; `NETNS_ALREADY_EXISTS`;
/// the kernel's refusal with its text.
#[no_mangle]
pub extern "C" fn netns_fdb_add(h: *mut netns_handle, spec: *const netns_fdb_spec) -> netns_result {
    send("netns_fdb_add", h, spec, Handle::fdb_add)
}

/// Appends the entry (`bridge fdb append`: another vxlan remote for the
/// same MAC address).
#[no_mangle]
pub extern "C" fn netns_fdb_append(
    h: *mut netns_handle,
    spec: *const netns_fdb_spec,
) -> netns_result {
    send("netns_fdb_append", h, spec, Handle::fdb_append)
}

/// Adds or replaces the entry (`bridge fdb replace`).
#[no_mangle]
pub extern "C" fn netns_fdb_replace(
    h: *mut netns_handle,
    spec: *const netns_fdb_spec,
) -> netns_result {
    send("netns_fdb_replace", h, spec, Handle::fdb_replace)
}

/// Deletes the entry (`bridge fdb del`; `dst` selects one vxlan remote).
///
/// Errors: `NETNS_NOT_FOUND` when there is no such entry or link.
#[no_mangle]
pub extern "C" fn netns_fdb_del(h: *mut netns_handle, spec: *const netns_fdb_spec) -> netns_result {
    send("netns_fdb_del", h, spec, Handle::fdb_del)
}

fn send_ok(
    function: &'static str,
    h: *mut netns_handle,
    spec: *const netns_fdb_spec,
    changed: *mut bool,
    op: fn(&mut Handle, &FdbSpec) -> netns_core::Result<bool>,
) -> netns_result {
    call(function, || {
        let h = handle_arg(h)?;
        let spec = opt_ref(spec).ok_or_else(|| Failure::null("spec"))?;
        let c = op(h, &spec.inner)?;
        if let Some(out) = opt_out(changed) {
            out.set(c);
        }
        Ok(())
    })
}

/// `netns_fdb_add`, accepting an identical existing entry (`exist_ok`):
/// writes whether it was added to `*added` unless NULL.
///
/// Errors: as `netns_fdb_add`; `NETNS_ALREADY_EXISTS` when the existing
/// entry differs (the message names the field).
#[no_mangle]
pub extern "C" fn netns_fdb_add_exist_ok(
    h: *mut netns_handle,
    spec: *const netns_fdb_spec,
    added: *mut bool,
) -> netns_result {
    send_ok(
        "netns_fdb_add_exist_ok",
        h,
        spec,
        added,
        Handle::fdb_add_exist_ok,
    )
}

/// `netns_fdb_del`, accepting a missing entry (`missing_ok`): writes
/// whether one was deleted to `*deleted` unless NULL.
#[no_mangle]
pub extern "C" fn netns_fdb_del_missing_ok(
    h: *mut netns_handle,
    spec: *const netns_fdb_spec,
    deleted: *mut bool,
) -> netns_result {
    send_ok(
        "netns_fdb_del_missing_ok",
        h,
        spec,
        deleted,
        Handle::fdb_del_missing_ok,
    )
}

/// One fdb entry. Borrowed from its iterator, or owned when it came from
/// `netns_fdb_get` (free that one with `netns_fdb_free`).
pub struct netns_fdb {
    mac: CString,
    dev: Option<CString>,
    ifindex: u32,
    dst: Option<CString>,
    vlan: u16,
    vni: u32,
    port: u16,
    master: Option<CString>,
    state: &'static std::ffi::CStr,
    flags: u8,
    line: CString,
}

impl netns_fdb {
    fn of(e: &FdbEntry, names: &BTreeMap<u32, String>) -> netns_fdb {
        let name = |i: u32| names.get(&i).map(|n| c_string(n.as_str()));
        netns_fdb {
            mac: c_string(HwAddr::new(LinkType::ETHER, &e.mac).to_string()),
            dev: name(e.ifindex),
            ifindex: e.ifindex,
            dst: e.dst.map(|d| c_string(d.to_string())),
            vlan: e.vlan.unwrap_or(0),
            vni: e.vni.unwrap_or(0),
            port: e.port.unwrap_or(0),
            master: e.master.and_then(name),
            state: match e.fdb_state() {
                FdbState::Static => c"static",
                FdbState::Dynamic => c"dynamic",
                _ => c"permanent",
            },
            flags: e.flags,
            line: c_string(e.display(names, true).to_string()),
        }
    }
}

/// The entries of `netns_fdbs`: a snapshot taken by the call. Free with
/// `netns_fdb_iter_free`.
pub struct netns_fdb_iter {
    items: Vec<netns_fdb>,
    next: usize,
}

/// Lists fdb entries (`bridge fdb show [br BR] [brport DEV]`): of bridge
/// `br` unless NULL, of link `dev` unless NULL (both filtered by the
/// kernel). Writes an iterator to `*out`.
///
/// Errors: `NETNS_NOT_FOUND` for no such link.
#[no_mangle]
pub extern "C" fn netns_fdbs(
    h: *mut netns_handle,
    br: *const c_char,
    dev: *const c_char,
    out: *mut *mut netns_fdb_iter,
) -> netns_result {
    call("netns_fdbs", || {
        let h = handle_arg(h)?;
        let mut f = FdbFilter::new();
        if let Some(b) = opt_str_arg(br, "br")? {
            f = f.br(b);
        }
        if let Some(d) = opt_str_arg(dev, "dev")? {
            f = f.dev(d);
        }
        let out = out_arg(out, "out")?;
        let owned: Vec<FdbEntry> = h.fdb_entries(&f)?.map(|e| e.to_fdb_entry()).collect();
        let names = h.interface_names()?;
        let items = owned.iter().map(|e| netns_fdb::of(e, &names)).collect();
        out.set(into_raw(netns_fdb_iter { items, next: 0 }));
        Ok(())
    })
}

/// One entry, looked up by the kernel (`bridge fdb get MAC [br BR] [dev
/// DEV] [self] [master]`): `br` and/or `dev` (one may be NULL); `flags`
/// `NETNS_FDB_SELF` / `NETNS_FDB_MASTER`. Writes an owned entry to `*out`.
///
/// Errors: `NETNS_NOT_FOUND` when there is no such entry or link.
#[no_mangle]
pub extern "C" fn netns_fdb_get(
    h: *mut netns_handle,
    mac: *const c_char,
    br: *const c_char,
    dev: *const c_char,
    flags: u32,
    out: *mut *mut netns_fdb,
) -> netns_result {
    call("netns_fdb_get", || {
        let h = handle_arg(h)?;
        let mac = parse_mac(str_arg(mac, "mac")?)?;
        let br = opt_str_arg(br, "br")?;
        let dev = opt_str_arg(dev, "dev")?;
        let out = out_arg(out, "out")?;
        let mut q = match (dev, br) {
            (Some(d), _) => FdbQuery::dev(mac, d),
            (None, Some(b)) => FdbQuery::br(mac, b),
            (None, None) => {
                return Err(Failure::invalid(
                    "fdb entry",
                    "a bridge (br) or a device (dev) is required",
                ))
            }
        };
        if dev.is_some() {
            q.br = br.map(Dev::from);
        }
        q = q
            .self_(flags & NETNS_FDB_SELF != 0)
            .master(flags & NETNS_FDB_MASTER != 0);
        let e = h.fdb_get(&q)?;
        let names = h.interface_names()?;
        out.set(into_raw(netns_fdb::of(&e, &names)));
        Ok(())
    })
}

/// Deletes the entries of bridge (or vxlan) `dev` the kernel selects
/// (`bridge fdb flush dev DEV [brport PORT] [self|master]`, one bulk
/// `RTM_DELNEIGH`, Linux 6.0): of port `port` unless NULL; `flags`
/// `NETNS_FDB_SELF` / `NETNS_FDB_MASTER` pick the table, `NETNS_FDB_STICKY`
/// / `NETNS_FDB_EXTERN_LEARN` only such entries.
#[no_mangle]
pub extern "C" fn netns_fdb_flush(
    h: *mut netns_handle,
    dev: *const c_char,
    port: *const c_char,
    flags: u32,
) -> netns_result {
    call("netns_fdb_flush", || {
        let h = handle_arg(h)?;
        let mut f = FdbFlush::new(str_arg(dev, "dev")?);
        f.port = opt_str_arg(port, "port")?.map(Dev::from);
        f.self_ = flags & NETNS_FDB_SELF != 0;
        f.master = flags & NETNS_FDB_MASTER != 0;
        if flags & NETNS_FDB_STICKY != 0 {
            f.sticky = Some(true);
        }
        if flags & NETNS_FDB_EXTERN_LEARN != 0 {
            f.extern_learn = Some(true);
        }
        h.fdb_flush(&f)?;
        Ok(())
    })
}

/// Frees an entry of `netns_fdb_get`. NULL is ignored (never an
/// iterator's entry).
#[no_mangle]
pub extern "C" fn netns_fdb_free(e: *mut netns_fdb) {
    guard((), || free(e))
}

/// The next entry, or NULL at the end (or for NULL).
#[no_mangle]
pub extern "C" fn netns_fdb_iter_next(it: *mut netns_fdb_iter) -> *const netns_fdb {
    guard(std::ptr::null(), || match mut_arg(it, "it") {
        Ok(it) => next_of(&it.items, &mut it.next),
        Err(_) => std::ptr::null(),
    })
}

/// How many entries the iterator holds (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_fdb_iter_len(it: *const netns_fdb_iter) -> usize {
    guard(0, || opt_ref(it).map_or(0, |it| it.items.len()))
}

/// Frees the iterator and its entries. NULL is ignored.
#[no_mangle]
pub extern "C" fn netns_fdb_iter_free(it: *mut netns_fdb_iter) {
    guard((), || free(it))
}

/// The MAC address (`"00:11:22:33:44:55"`); NULL for NULL.
#[no_mangle]
pub extern "C" fn netns_fdb_mac(e: *const netns_fdb) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(e).map_or(std::ptr::null(), |e| e.mac.as_ptr())
    })
}

/// The link's name, or NULL.
#[no_mangle]
pub extern "C" fn netns_fdb_dev(e: *const netns_fdb) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(e).map_or(std::ptr::null(), |e| opt_c_ptr(&e.dev))
    })
}

/// The link's index (0 for NULL).
#[no_mangle]
pub extern "C" fn netns_fdb_ifindex(e: *const netns_fdb) -> u32 {
    guard(0, || opt_ref(e).map_or(0, |e| e.ifindex))
}

/// The vxlan remote (`dst`), or NULL.
#[no_mangle]
pub extern "C" fn netns_fdb_dst(e: *const netns_fdb) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(e).map_or(std::ptr::null(), |e| opt_c_ptr(&e.dst))
    })
}

/// The VLAN (0 when none).
#[no_mangle]
pub extern "C" fn netns_fdb_vlan(e: *const netns_fdb) -> u16 {
    guard(0, || opt_ref(e).map_or(0, |e| e.vlan))
}

/// The vxlan remote's VNI (0 when none).
#[no_mangle]
pub extern "C" fn netns_fdb_vni(e: *const netns_fdb) -> u32 {
    guard(0, || opt_ref(e).map_or(0, |e| e.vni))
}

/// The vxlan remote's UDP port (0 when none).
#[no_mangle]
pub extern "C" fn netns_fdb_port(e: *const netns_fdb) -> u16 {
    guard(0, || opt_ref(e).map_or(0, |e| e.port))
}

/// The bridge (`master BR`), or NULL.
#[no_mangle]
pub extern "C" fn netns_fdb_master(e: *const netns_fdb) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(e).map_or(std::ptr::null(), |e| opt_c_ptr(&e.master))
    })
}

/// The state: `"permanent"`, `"static"` or `"dynamic"`; NULL for NULL.
#[no_mangle]
pub extern "C" fn netns_fdb_state(e: *const netns_fdb) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(e).map_or(std::ptr::null(), |e| e.state.as_ptr())
    })
}

/// The `NTF_*` flags (`0x02` self, `0x04` master, `0x10` extern_learn,
/// `0x40` sticky).
#[no_mangle]
pub extern "C" fn netns_fdb_flags(e: *const netns_fdb) -> u8 {
    guard(0, || opt_ref(e).map_or(0, |e| e.flags))
}

/// The entry as `bridge fdb show` prints it (`"00:11:22:33:44:55 dev vx0
/// dst 10.0.0.2 self permanent"`). NULL for NULL.
#[no_mangle]
pub extern "C" fn netns_fdb_line(e: *const netns_fdb) -> *const c_char {
    guard(std::ptr::null(), || {
        opt_ref(e).map_or(std::ptr::null(), |e| e.line.as_ptr())
    })
}

// The NTF_* bits the flags accessor reports, checked against the core's.
const _: () = assert!(NTF_SELF == 0x02 && NTF_MASTER == 0x04 && NTF_STICKY == 0x40);
