//! The link builder: `netns_link_spec`, a link of any kind the core knows
//! (`veth`, `bridge`, `dummy`, `ifb`, `macvlan`, `vxlan`) with its common
//! options (`mtu`, `mac`, `master`, `netns`, `up` …) and its kind's own
//! (a veth's peer, a macvlan's mode, a vxlan's id, remote, port …), sent by
//! `netns_link_add_spec` or appended to a `netns_link_batch` by
//! `netns_link_batch_add_spec`. Each setter is one change to the core's
//! `LinkSpec`; a setter that is not an option of the spec's kind is refused
//! when it is called, before anything reaches the kernel.

use std::ffi::c_char;
use std::net::IpAddr;

use netns_core::link::{
    Dev, LinkKind, LinkRequest, LinkSpec, MacAddr, MacVlanMode, NetNsRef, VethPeer, VxlanOptions,
};

use crate::batch::netns_link_batch;
use crate::error::{netns_result, Failure};
use crate::handle::{handle_arg, netns_handle};
use crate::namespace::{netns_ns, ns_arg};
use crate::panic::{call, guard};
use crate::ptr::{free, into_raw, mut_arg, opt_out, out_arg, ref_arg, str_arg};
use crate::route_spec::ip_arg;

/// The kinds a `netns_link_spec` can describe, as `ip link add … type KIND`
/// names them.
const KINDS: &str = "veth, bridge, dummy, ifb, macvlan, vxlan";

/// A link to create, built by the `netns_link_spec_*` setters. Opaque; free
/// with `netns_link_spec_free`. Not for concurrent use.
pub struct netns_link_spec {
    spec: LinkSpec,
    /// A vxlan's id was given (`netns_link_spec_vxlan_id`).
    has_vni: bool,
    /// A macvlan's lower device was given (`netns_link_spec_parent`).
    has_parent: bool,
}

impl netns_link_spec {
    /// The spec, once it says everything its kind needs.
    fn complete(&self) -> Result<&LinkSpec, Failure> {
        let missing = match &self.spec.kind {
            LinkKind::Vxlan { .. } if !self.has_vni => {
                "vxlan: missing virtual network identifier (netns_link_spec_vxlan_id)"
            }
            LinkKind::MacVlan { .. } if !self.has_parent => {
                "macvlan: missing lower device (netns_link_spec_parent)"
            }
            _ => {
                self.spec.validate()?;
                return Ok(&self.spec);
            }
        };
        Err(Failure::invalid(&self.spec.to_string(), missing))
    }
}

/// The refusal of setter `what` on a spec of another kind.
fn not_for(spec: &LinkSpec, what: &str, kinds: &str) -> Failure {
    Failure::invalid(
        &spec.to_string(),
        &format!(
            "{what} is not an option of a {} link (only of {kinds})",
            spec.kind.name()
        ),
    )
}

/// A unicast MAC address argument.
fn unicast(mac: *const c_char) -> Result<MacAddr, Failure> {
    let mac: MacAddr = str_arg(mac, "mac")?.parse()?;
    if !mac.is_valid_unicast() {
        return Err(Failure::invalid(
            &format!("mac {mac}"),
            "not a unicast address (multicast or all zeros)",
        ));
    }
    Ok(mac)
}

/// Runs setter `function`: `f` changes the spec behind `spec`.
fn set(
    function: &'static str,
    spec: *mut netns_link_spec,
    f: impl FnOnce(&mut netns_link_spec) -> Result<(), Failure>,
) -> netns_result {
    call(function, || f(mut_arg(spec, "spec")?))
}

/// Runs setter `function` on a veth spec's peer.
fn set_peer(
    function: &'static str,
    spec: *mut netns_link_spec,
    what: &str,
    f: impl FnOnce(&mut VethPeer) -> Result<(), Failure>,
) -> netns_result {
    set(function, spec, |s| match &mut s.spec.kind {
        LinkKind::Veth(peer) => f(peer),
        _ => Err(not_for(&s.spec, what, "veth")),
    })
}

/// Runs setter `function` on a vxlan spec's options.
fn set_vxlan(
    function: &'static str,
    spec: *mut netns_link_spec,
    what: &str,
    f: impl FnOnce(&mut VxlanOptions) -> Result<(), Failure>,
) -> netns_result {
    set(function, spec, |s| match &mut s.spec.kind {
        LinkKind::Vxlan { options, .. } => f(options),
        _ => Err(not_for(&s.spec, what, "vxlan")),
    })
}

/// A new link `name` of kind `kind` (`"veth"`, `"bridge"`, `"dummy"`,
/// `"ifb"`, `"macvlan"`, `"vxlan"`), every option unset: as `ip link add
/// NAME type KIND`. A veth's peer is then the first free `vethN` unless
/// `netns_link_spec_peer` names it; a macvlan needs `netns_link_spec_parent`
/// (its mode is `bridge` unless set; ip's default is `vepa`); a vxlan needs
/// `netns_link_spec_vxlan_id`. Writes the builder to `*out`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a kind the library does not know
/// (the message lists those it does; `netns_link_add` creates a link of
/// any other kind the kernel has, without options) or a name no link can
/// have.
#[no_mangle]
pub extern "C" fn netns_link_spec_new(
    kind: *const c_char,
    name: *const c_char,
    out: *mut *mut netns_link_spec,
) -> netns_result {
    call("netns_link_spec_new", || {
        let kind = str_arg(kind, "kind")?;
        let name = str_arg(name, "name")?;
        let out = out_arg(out, "out")?;
        let kind = match kind {
            "veth" => LinkKind::Veth(VethPeer::default()),
            "bridge" => LinkKind::Bridge,
            "dummy" => LinkKind::Dummy,
            "ifb" => LinkKind::Ifb,
            "macvlan" => LinkKind::MacVlan {
                parent: Dev::Name(String::new()),
                mode: MacVlanMode::default(),
            },
            "vxlan" => LinkKind::Vxlan {
                vni: 0,
                parent: None,
                options: VxlanOptions::default(),
            },
            other => {
                return Err(Failure::invalid(
                    &format!("kind {other:?}"),
                    &format!("unknown link kind (a spec takes {KINDS})"),
                ))
            }
        };
        let spec = LinkSpec::new(name, kind);
        netns_core::link::validate_link_name(&spec.name)
            .map_err(|e| e.context("add", spec.to_string()))?;
        out.set(into_raw(netns_link_spec {
            spec,
            has_vni: false,
            has_parent: false,
        }));
        Ok(())
    })
}

/// Frees a link builder (and the namespace descriptors it holds). NULL is
/// ignored.
#[no_mangle]
pub extern "C" fn netns_link_spec_free(spec: *mut netns_link_spec) {
    guard((), || free(spec))
}

/// `mtu N`.
#[no_mangle]
pub extern "C" fn netns_link_spec_mtu(spec: *mut netns_link_spec, mtu: u32) -> netns_result {
    set("netns_link_spec_mtu", spec, |s| {
        s.spec.mtu = Some(mtu);
        Ok(())
    })
}

/// `address MAC` (`"02:00:00:00:00:01"`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a malformed or multicast address.
#[no_mangle]
pub extern "C" fn netns_link_spec_mac(
    spec: *mut netns_link_spec,
    mac: *const c_char,
) -> netns_result {
    set("netns_link_spec_mac", spec, |s| {
        s.spec.mac = Some(unicast(mac)?);
        Ok(())
    })
}

/// `txqlen N`.
#[no_mangle]
pub extern "C" fn netns_link_spec_txqlen(spec: *mut netns_link_spec, txqlen: u32) -> netns_result {
    set("netns_link_spec_txqlen", spec, |s| {
        s.spec.txqlen = Some(txqlen);
        Ok(())
    })
}

/// `group N`.
#[no_mangle]
pub extern "C" fn netns_link_spec_group(spec: *mut netns_link_spec, group: u32) -> netns_result {
    set("netns_link_spec_group", spec, |s| {
        s.spec.group = Some(group);
        Ok(())
    })
}

/// `master DEV`: a port of bridge (bond, VRF) `master`, by name, looked up
/// when the link is created.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a name no link can have.
#[no_mangle]
pub extern "C" fn netns_link_spec_master(
    spec: *mut netns_link_spec,
    master: *const c_char,
) -> netns_result {
    set("netns_link_spec_master", spec, |s| {
        let master = str_arg(master, "master")?;
        netns_core::link::validate_link_name(master)
            .map_err(|e| e.context("add", s.spec.to_string()))?;
        s.spec.master = Some(Dev::from(master));
        Ok(())
    })
}

/// `netns NS`: the link is born in `netns` (`IFLA_NET_NS_FD`; for a veth,
/// the first end). The builder keeps its own descriptor: `netns` may be
/// freed afterwards.
#[no_mangle]
pub extern "C" fn netns_link_spec_netns(
    spec: *mut netns_link_spec,
    netns: *const netns_ns,
) -> netns_result {
    set("netns_link_spec_netns", spec, |s| {
        let ns = ns_arg(netns, "netns")?.try_clone()?;
        s.spec.netns = Some(NetNsRef::from(ns));
        Ok(())
    })
}

/// `up`: brought up by the message that creates it (`true`), or left down.
#[no_mangle]
pub extern "C" fn netns_link_spec_up(spec: *mut netns_link_spec, up: bool) -> netns_result {
    set("netns_link_spec_up", spec, |s| {
        s.spec.up = up;
        Ok(())
    })
}

/// A veth's `peer name NAME`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind, or a name no link
/// can have.
#[no_mangle]
pub extern "C" fn netns_link_spec_peer(
    spec: *mut netns_link_spec,
    peer: *const c_char,
) -> netns_result {
    set_peer("netns_link_spec_peer", spec, "peer", |p| {
        let name = str_arg(peer, "peer")?;
        netns_core::link::validate_link_name(name)
            .map_err(|e| e.context("add", format!("veth peer {name:?}")))?;
        p.name = Some(name.to_owned());
        Ok(())
    })
}

/// A veth's peer is born in `netns` (no create-then-move); the builder
/// keeps its own descriptor.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind.
#[no_mangle]
pub extern "C" fn netns_link_spec_peer_netns(
    spec: *mut netns_link_spec,
    netns: *const netns_ns,
) -> netns_result {
    set_peer("netns_link_spec_peer_netns", spec, "peer_netns", |p| {
        p.netns = Some(NetNsRef::from(ns_arg(netns, "netns")?.try_clone()?));
        Ok(())
    })
}

/// A veth peer's MAC address.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind, a malformed or a
/// multicast address.
#[no_mangle]
pub extern "C" fn netns_link_spec_peer_mac(
    spec: *mut netns_link_spec,
    mac: *const c_char,
) -> netns_result {
    set_peer("netns_link_spec_peer_mac", spec, "peer_mac", |p| {
        p.mac = Some(unicast(mac)?);
        Ok(())
    })
}

/// A veth peer's MTU.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind.
#[no_mangle]
pub extern "C" fn netns_link_spec_peer_mtu(spec: *mut netns_link_spec, mtu: u32) -> netns_result {
    set_peer("netns_link_spec_peer_mtu", spec, "peer_mtu", |p| {
        p.mtu = Some(mtu);
        Ok(())
    })
}

/// The parent: the lower device of a macvlan, or the underlay device of a
/// vxlan (ip's `dev DEV`), by name, looked up when the link is created.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind or a name no link can
/// have.
#[no_mangle]
pub extern "C" fn netns_link_spec_parent(
    spec: *mut netns_link_spec,
    parent: *const c_char,
) -> netns_result {
    set("netns_link_spec_parent", spec, |s| {
        let name = str_arg(parent, "parent")?;
        netns_core::link::validate_link_name(name)
            .map_err(|e| e.context("add", s.spec.to_string()))?;
        match &mut s.spec.kind {
            LinkKind::MacVlan { parent, .. } => {
                *parent = Dev::from(name);
                s.has_parent = true;
            }
            LinkKind::Vxlan { parent, .. } => *parent = Some(Dev::from(name)),
            _ => return Err(not_for(&s.spec, "parent", "macvlan, vxlan")),
        }
        Ok(())
    })
}

/// A macvlan's `mode`: `"private"`, `"vepa"`, `"bridge"`, `"passthru"` or
/// `"source"`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind or another mode.
#[no_mangle]
pub extern "C" fn netns_link_spec_macvlan_mode(
    spec: *mut netns_link_spec,
    mode: *const c_char,
) -> netns_result {
    set("netns_link_spec_macvlan_mode", spec, |s| {
        let text = str_arg(mode, "mode")?;
        let LinkKind::MacVlan { mode, .. } = &mut s.spec.kind else {
            return Err(not_for(&s.spec, "mode", "macvlan"));
        };
        *mode = MacVlanMode::from_name(text).ok_or_else(|| {
            Failure::invalid(
                &format!("macvlan mode {text:?}"),
                "a mode is private, vepa, bridge, passthru or source",
            )
        })?;
        Ok(())
    })
}

/// A vxlan's `id VNI` (24 bits; required).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind or an id of more than
/// 24 bits.
#[no_mangle]
pub extern "C" fn netns_link_spec_vxlan_id(spec: *mut netns_link_spec, id: u32) -> netns_result {
    set("netns_link_spec_vxlan_id", spec, |s| {
        if id >= 1 << 24 {
            return Err(Failure::invalid(
                &s.spec.to_string(),
                &format!("VNI {id} does not fit in 24 bits"),
            ));
        }
        let LinkKind::Vxlan { vni, .. } = &mut s.spec.kind else {
            return Err(not_for(&s.spec, "vxlan id", "vxlan"));
        };
        *vni = id;
        s.has_vni = true;
        Ok(())
    })
}

/// The vxlan destination `ip` means by `what` (`remote`: unicast; `group`:
/// multicast).
fn vxlan_peer(
    function: &'static str,
    spec: *mut netns_link_spec,
    addr: *const c_char,
    what: &'static str,
    multicast: bool,
) -> netns_result {
    set_vxlan(function, spec, what, |o| {
        let ip: IpAddr = ip_arg(addr, what)?;
        if ip.is_multicast() != multicast {
            let want = if multicast { "multicast" } else { "unicast" };
            return Err(Failure::invalid(
                &format!("{what} {ip}"),
                &format!("a vxlan {what} is a {want} address"),
            ));
        }
        o.remote = Some(ip);
        Ok(())
    })
}

/// A vxlan's `remote ADDR`: the unicast address of the other end
/// (`IFLA_VXLAN_GROUP`/`GROUP6`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind, a malformed or a
/// multicast address.
#[no_mangle]
pub extern "C" fn netns_link_spec_vxlan_remote(
    spec: *mut netns_link_spec,
    remote: *const c_char,
) -> netns_result {
    vxlan_peer(
        "netns_link_spec_vxlan_remote",
        spec,
        remote,
        "remote",
        false,
    )
}

/// A vxlan's `group ADDR`: the multicast group it joins (the kernel then
/// wants `netns_link_spec_parent` too).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind, a malformed or a
/// unicast address.
#[no_mangle]
pub extern "C" fn netns_link_spec_vxlan_group(
    spec: *mut netns_link_spec,
    group: *const c_char,
) -> netns_result {
    vxlan_peer("netns_link_spec_vxlan_group", spec, group, "group", true)
}

/// A vxlan's `local ADDR`: the source address of its packets.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind or a malformed address.
#[no_mangle]
pub extern "C" fn netns_link_spec_vxlan_local(
    spec: *mut netns_link_spec,
    local: *const c_char,
) -> netns_result {
    set_vxlan("netns_link_spec_vxlan_local", spec, "local", |o| {
        o.local = Some(ip_arg(local, "local")?);
        Ok(())
    })
}

/// A vxlan's `dstport PORT`: the UDP destination port (the kernel's
/// default is 8472; IANA's is 4789).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind.
#[no_mangle]
pub extern "C" fn netns_link_spec_vxlan_dstport(
    spec: *mut netns_link_spec,
    port: u16,
) -> netns_result {
    set_vxlan("netns_link_spec_vxlan_dstport", spec, "dstport", |o| {
        o.port = Some(port);
        Ok(())
    })
}

/// A vxlan's `learning` (`true`) or `nolearning`.
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind.
#[no_mangle]
pub extern "C" fn netns_link_spec_vxlan_learning(
    spec: *mut netns_link_spec,
    learning: bool,
) -> netns_result {
    set_vxlan("netns_link_spec_vxlan_learning", spec, "learning", |o| {
        o.learning = Some(learning);
        Ok(())
    })
}

/// A vxlan's `ttl N` (0 inherits the inner packet's).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for another kind.
#[no_mangle]
pub extern "C" fn netns_link_spec_vxlan_ttl(spec: *mut netns_link_spec, ttl: u8) -> netns_result {
    set_vxlan("netns_link_spec_vxlan_ttl", spec, "ttl", |o| {
        o.ttl = Some(ttl);
        Ok(())
    })
}

/// Creates the link `spec` describes (one `RTM_NEWLINK` with
/// `NLM_F_CREATE | NLM_F_EXCL`, its master and lower device looked up by
/// name in the handle's namespace), as `ip link add`. When `ifindex` is not
/// NULL the index the kernel gave the link is written to it (from the
/// kernel's echo: no lookup; 0 when the kernel sent none). The builder is
/// left as it was (free it with `netns_link_spec_free`).
///
/// Errors: `NETNS_INVALID_ARGUMENT` for a spec its kind needs more of (a
/// vxlan without an id, a macvlan without a lower device) — before the
/// kernel; `NETNS_NOT_FOUND` for a master or lower device that does not
/// exist; `NETNS_ALREADY_EXISTS`; `NETNS_UNSUPPORTED` when the kernel has
/// no such driver; the kernel's refusal with its text.
#[no_mangle]
pub extern "C" fn netns_link_add_spec(
    h: *mut netns_handle,
    spec: *const netns_link_spec,
    ifindex: *mut u32,
) -> netns_result {
    call("netns_link_add_spec", || {
        let h = handle_arg(h)?;
        let spec = ref_arg(spec, "spec")?.complete()?;
        let created = h
            .links_add(std::slice::from_ref(spec))
            .map_err(|e| Failure::from(e.error))?;
        if let Some(out) = opt_out(ifindex) {
            out.set(created.first().and_then(|c| c.index).map_or(0, |i| i.get()));
        }
        Ok(())
    })
}

/// Creates the link `spec` describes unless a link of that name is already
/// there of the same kind (for a veth: with the spec's peer), as
/// `netns_link_add_spec`. Writes to `*added` (when not NULL) whether it was
/// created.
///
/// Errors: `NETNS_ALREADY_EXISTS` when a link of that name differs (the
/// message says how); as `netns_link_add_spec`.
#[no_mangle]
pub extern "C" fn netns_link_add_spec_exist_ok(
    h: *mut netns_handle,
    spec: *const netns_link_spec,
    added: *mut bool,
) -> netns_result {
    call("netns_link_add_spec_exist_ok", || {
        let h = handle_arg(h)?;
        let spec = ref_arg(spec, "spec")?.complete()?;
        let done = h.link_add_exist_ok(spec)?;
        if let Some(out) = opt_out(added) {
            out.set(done);
        }
        Ok(())
    })
}

/// Appends the creation of the link `spec` describes to batch `b` (sent
/// with the others by `netns_link_batch_send`; its index is then
/// `netns_link_batch_ifindex`). The batch keeps its own copy: `spec` may be
/// changed or freed afterwards.
///
/// Errors: as `netns_link_add_spec` before the kernel (checked here).
#[no_mangle]
pub extern "C" fn netns_link_batch_add_spec(
    b: *mut netns_link_batch,
    spec: *const netns_link_spec,
) -> netns_result {
    call("netns_link_batch_add_spec", || {
        let b = mut_arg(b, "batch")?;
        let spec = ref_arg(spec, "spec")?.complete()?;
        b.entries.push(LinkRequest::Add(spec.clone()));
        Ok(())
    })
}
