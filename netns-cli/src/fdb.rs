//! `netns bridge fdb …`: iproute2's `bridge fdb` syntax over netns-core's
//! fdb entries.
//!
//! ```text
//! netns [-n NAME] [-j] [-s] bridge fdb [show] [br BRIDGE] [brport DEV|dev DEV] [vlan VID]
//!                                      [state STATE] [dynamic]
//! netns [-n NAME] bridge fdb add|append|replace|del MAC dev DEV [dst IP] [vlan VID] [port PORT]
//!                            [vni VNI] [src_vni VNI] [via DEV] [self] [master] [router]
//!                            [permanent|local|static|dynamic] [extern_learn] [sticky]
//! netns [-n NAME] bridge fdb get MAC [br BRIDGE] [brport DEV|dev DEV] [vlan VID] [vni VNI]
//!                            [self] [master]
//! netns [-n NAME] bridge fdb flush dev DEV [brport DEV] [vlan VID] [self] [master]
//!                            [[no]permanent] [[no]static] [[no]dynamic] [[no]extern_learn] [[no]sticky]
//! ```
//!
//! Exit statuses as iproute2 6.1's `bridge`: 0; 255 for a usage error, a
//! device that does not exist or the kernel's refusal; 254 when `get`
//! finds nothing.

use std::net::IpAddr;

use netns_core::link::Dev;
use netns_core::neigh::{
    parse_mac, FdbDisplay, FdbFilter, FdbFlush, FdbQuery, FdbSpec, FdbState, NeighRef,
};
use serde_json::json;

use crate::output::Fields;
use crate::{Context, Usage};

const USAGE: &str = "\
Usage: netns bridge fdb { add | append | del | replace } ADDR dev DEV
              [ self ] [ master ] [ router ] [ extern_learn ] [ sticky ]
              [ local | static | dynamic ] [ vlan VID ] { [ dst IPADDR ] [ port PORT] [ vni VNI ] }
              [ via DEV ] [ src_vni VNI ]
       netns bridge fdb [ show [ br BRDEV ] [ brport DEV ] [ vlan VID ] [ state STATE ] [ dynamic ] ]
       netns bridge fdb get ADDR [ br BRDEV ] { brport | dev } DEV [ vlan VID ] [ vni VNI ] [ self ] [ master ]
       netns bridge fdb flush dev DEV [ brport DEV ] [ vlan VID ] [ self ] [ master ]
              [ [no]permanent | [no]static | [no]dynamic ] [ [no]extern_learn ] [ [no]sticky ]";

/// A parsed `bridge fdb` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FdbCommand {
    /// `show [selectors]`.
    Show(FdbFilter),
    /// `add|append|replace|del MAC dev DEV …`.
    Change(FdbOp, FdbSpec),
    /// `get MAC …`.
    Get(FdbQuery),
    /// `flush dev DEV …`.
    Flush(FdbFlush),
    /// `help`.
    Help,
}

/// What `add`, `append`, `replace` and `del` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdbOp {
    /// `add`.
    Add,
    /// `append`.
    Append,
    /// `replace`.
    Replace,
    /// `del`.
    Delete,
}

/// `bridge`'s usage errors exit 255.
fn usage(msg: &str) -> Usage {
    Usage::new(msg, 255)
}

/// iproute2's `matches`: `word` is a non-empty prefix of `keyword`.
fn matches(word: &str, keyword: &str) -> bool {
    !word.is_empty() && keyword.starts_with(word)
}

fn next_value<'a>(it: &mut std::slice::Iter<'a, String>, key: &str) -> Result<&'a str, Usage> {
    it.next().map(String::as_str).ok_or_else(|| {
        usage(&format!(
            "Command line is not complete. Try option \"{key}\" with an argument."
        ))
    })
}

/// Parses `netns bridge fdb ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<FdbCommand, Usage> {
    let Some((cmd, rest)) = args.split_first() else {
        return parse_show(&[]);
    };
    let c = cmd.as_str();
    // bridge's order in do_fdb.
    if matches(c, "add") {
        parse_change(rest, FdbOp::Add)
    } else if matches(c, "append") {
        parse_change(rest, FdbOp::Append)
    } else if matches(c, "replace") {
        parse_change(rest, FdbOp::Replace)
    } else if matches(c, "delete") {
        parse_change(rest, FdbOp::Delete)
    } else if matches(c, "get") {
        parse_get(rest)
    } else if matches(c, "show") || matches(c, "lst") || matches(c, "list") {
        parse_show(rest)
    } else if c == "flush" {
        parse_flush(rest)
    } else if matches(c, "help") {
        Ok(FdbCommand::Help)
    } else {
        Err(usage(&format!(
            "Command \"{c}\" is unknown, try \"netns bridge fdb help\"."
        )))
    }
}

fn number<T: TryFrom<u64>>(s: &str, what: &str) -> Result<T, Usage> {
    let n = if let Some(h) = s.strip_prefix("0x") {
        u64::from_str_radix(h, 16).ok()
    } else {
        s.parse::<u64>().ok()
    };
    n.and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| usage(&format!("invalid {what} \"{s}\"")))
}

fn mac(s: &str) -> Result<[u8; 6], Usage> {
    parse_mac(s).map_err(|_| usage(&format!("Invalid mac address {s}")))
}

fn vni(s: &str, what: &str) -> Result<u32, Usage> {
    let v: u32 = number(s, what)?;
    if v >> 24 != 0 {
        return Err(usage(&format!("invalid {what} \"{s}\"")));
    }
    Ok(v)
}

fn parse_change(args: &[String], op: FdbOp) -> Result<FdbCommand, Usage> {
    let mut addr: Option<&str> = None;
    let mut dev: Option<&str> = None;
    let mut dst: Option<IpAddr> = None;
    let mut vlan: Option<u16> = None;
    let (mut port, mut vni_v, mut src_vni, mut via) = (None, None, None, None);
    let (mut self_, mut master, mut router, mut extern_learn, mut sticky) =
        (false, false, false, false, false);
    let mut state: Option<FdbState> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let a = arg.as_str();
        match a {
            "dev" => dev = Some(next_value(&mut it, "dev")?),
            "dst" => {
                let v = next_value(&mut it, "dst")?;
                if dst.is_some() {
                    return Err(usage(&format!(
                        "duplicate \"dst\": \"{v}\" is the second value."
                    )));
                }
                dst = Some(v.parse().map_err(|_| {
                    usage(&format!(
                        "any valid address is expected rather than \"{v}\""
                    ))
                })?);
            }
            "port" => port = Some(number::<u16>(next_value(&mut it, "port")?, "port")?),
            "vni" => vni_v = Some(vni(next_value(&mut it, "vni")?, "VNI")?),
            "src_vni" => src_vni = Some(vni(next_value(&mut it, "src_vni")?, "src VNI")?),
            "via" => via = Some(next_value(&mut it, "via")?),
            "self" => self_ = true,
            _ if matches(a, "master") => master = true,
            _ if matches(a, "router") => router = true,
            _ if matches(a, "local") || matches(a, "permanent") => {
                state = Some(FdbState::Permanent)
            }
            // As bridge: static after permanent keeps permanent.
            _ if matches(a, "temp") || matches(a, "static") => {
                if state != Some(FdbState::Permanent) {
                    state = Some(FdbState::Static);
                }
            }
            _ if matches(a, "dynamic") => {
                if state != Some(FdbState::Permanent) {
                    state = Some(FdbState::Dynamic);
                }
            }
            _ if matches(a, "vlan") => {
                if vlan.is_some() {
                    return Err(usage("duplicate \"vlan\""));
                }
                vlan = Some(number(next_value(&mut it, "vlan")?, "vlan")?);
            }
            _ if matches(a, "extern_learn") => extern_learn = true,
            _ if matches(a, "sticky") => sticky = true,
            _ => {
                let a = if a == "to" {
                    next_value(&mut it, "to")?
                } else {
                    a
                };
                if matches(a, "help") {
                    return Ok(FdbCommand::Help);
                }
                if addr.is_some() {
                    return Err(usage(&format!(
                        "duplicate \"to\": \"{a}\" is the second value."
                    )));
                }
                addr = Some(a);
            }
        }
    }
    let (Some(dev), Some(addr)) = (dev, addr) else {
        return Err(usage("Device and address are required arguments."));
    };
    let mut spec = FdbSpec::new(mac(addr)?, dev)
        .self_(self_)
        .master(master)
        .extern_learn(extern_learn)
        .sticky(sticky);
    spec.router = router;
    spec.dst = dst;
    spec.vlan = vlan;
    spec.port = port;
    spec.vni = vni_v;
    spec.src_vni = src_vni;
    spec.via = via.map(Dev::from);
    if let Some(s) = state {
        spec = spec.state(s);
    }
    Ok(FdbCommand::Change(op, spec))
}

fn parse_show(args: &[String]) -> Result<FdbCommand, Usage> {
    let mut filter = FdbFilter::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "brport" | "dev" => filter = filter.dev(next_value(&mut it, "dev")?),
            "br" => filter = filter.br(next_value(&mut it, "br")?),
            "vlan" => {
                if filter.vlan.is_some() {
                    return Err(usage("duplicate \"vlan\""));
                }
                filter = filter.vlan(number(next_value(&mut it, "vlan")?, "vlan")?);
            }
            "state" => {
                let v = next_value(&mut it, "state")?;
                let bits = state_bits(v)
                    .ok_or_else(|| usage(&format!("argument \"{v}\" is wrong: invalid state")))?;
                filter.states = Some(filter.states.unwrap_or(0) | bits);
            }
            "dynamic" => filter.dynamic = true,
            w if matches(w, "help") => return Ok(FdbCommand::Help),
            // bridge ignores other words.
            _ => {}
        }
    }
    Ok(FdbCommand::Show(filter))
}

/// `bridge fdb show … state S`, as bridge's `state_a2n`: `permanent`,
/// `static`/`temp`, `stale`, `reachable`/`dynamic`, `all`, or a number.
fn state_bits(v: &str) -> Option<u16> {
    if matches(v, "permanent") {
        Some(0x80)
    } else if matches(v, "static") || matches(v, "temp") {
        Some(0x40)
    } else if matches(v, "stale") {
        Some(0x04)
    } else if matches(v, "reachable") || matches(v, "dynamic") {
        Some(0x02)
    } else if v == "all" {
        Some(0xffff)
    } else {
        number::<u16>(v, "state").ok()
    }
}

fn parse_get(args: &[String]) -> Result<FdbCommand, Usage> {
    let (mut addr, mut dev, mut br) = (None, None, None);
    let (mut vlan, mut vni_v) = (None, None);
    let (mut self_, mut master) = (false, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let a = arg.as_str();
        match a {
            "brport" | "dev" => dev = Some(next_value(&mut it, "dev")?),
            "br" => br = Some(next_value(&mut it, "br")?),
            "vni" => vni_v = Some(vni(next_value(&mut it, "vni")?, "VNI")?),
            "self" => self_ = true,
            _ if matches(a, "master") => master = true,
            _ if matches(a, "vlan") => vlan = Some(number(next_value(&mut it, "vlan")?, "vlan")?),
            _ if matches(a, "dynamic") => {}
            _ => {
                let a = if a == "to" {
                    next_value(&mut it, "to")?
                } else {
                    a
                };
                if matches(a, "help") {
                    return Ok(FdbCommand::Help);
                }
                if addr.is_some() {
                    return Err(usage(&format!(
                        "duplicate \"to\": \"{a}\" is the second value."
                    )));
                }
                addr = Some(a);
            }
        }
    }
    let Some(addr) = addr.filter(|_| dev.is_some() || br.is_some()) else {
        return Err(usage(
            "Device or master and address are required arguments.",
        ));
    };
    let mac = mac(addr)?;
    let mut q = match (dev, br) {
        (Some(d), b) => {
            let mut q = FdbQuery::dev(mac, d);
            q.br = b.map(Dev::from);
            q
        }
        (None, Some(b)) => FdbQuery::br(mac, b),
        (None, None) => unreachable!("checked above"),
    };
    q.vlan = vlan;
    q.vni = vni_v;
    Ok(FdbCommand::Get(q.self_(self_).master(master)))
}

fn parse_flush(args: &[String]) -> Result<FdbCommand, Usage> {
    let mut dev = None;
    let mut f = FdbFlush::new("");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "dev" => dev = Some(next_value(&mut it, "dev")?),
            "master" => f.master = true,
            "self" => f.self_ = true,
            "permanent" => f.permanent = Some(true),
            "nopermanent" => f.permanent = Some(false),
            "static" => f.static_ = Some(true),
            "nostatic" => f.static_ = Some(false),
            "dynamic" => f.dynamic = Some(true),
            "nodynamic" => f.dynamic = Some(false),
            "extern_learn" => f.extern_learn = Some(true),
            "noextern_learn" => f.extern_learn = Some(false),
            "sticky" => f.sticky = Some(true),
            "nosticky" => f.sticky = Some(false),
            "brport" => {
                if f.port.is_some() {
                    return Err(usage("duplicate \"brport\""));
                }
                f.port = Some(next_value(&mut it, "brport")?.into());
            }
            "vlan" => {
                if f.vlan.is_some() {
                    return Err(usage("duplicate \"vlan\""));
                }
                let v = next_value(&mut it, "vlan")?;
                let vid: u16 = number(v, "vlan")?;
                if vid >= 4096 {
                    return Err(usage(&format!("Invalid VLAN ID \"{vid}\"")));
                }
                f.vlan = Some(vid);
            }
            "help" => return Ok(FdbCommand::Help),
            // bridge skips what it does not know.
            _ => {}
        }
    }
    let Some(dev) = dev else {
        return Err(usage("Device is a required argument."));
    };
    f.dev = Dev::from(dev);
    Ok(FdbCommand::Flush(f))
}

/// Runs a parsed `bridge fdb` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: FdbCommand) -> u8 {
    let result = match cmd {
        FdbCommand::Help => {
            eprintln!("{USAGE}");
            return 255;
        }
        FdbCommand::Show(f) => show(ctx, &f),
        FdbCommand::Get(q) => get(ctx, &q),
        FdbCommand::Flush(f) => ctx.handle().and_then(|mut h| h.fdb_flush(&f)).map_err(fail),
        FdbCommand::Change(op, spec) => ctx
            .handle()
            .and_then(|mut h| match op {
                FdbOp::Add => h.fdb_add(&spec),
                FdbOp::Append => h.fdb_append(&spec),
                FdbOp::Replace => h.fdb_replace(&spec),
                FdbOp::Delete => h.fdb_del(&spec),
            })
            .map_err(fail),
    };
    match result {
        Ok(()) => 0,
        Err(status) => status,
    }
}

/// Reports `e`; `bridge` exits 255 for any failure.
fn fail(e: netns_core::Error) -> u8 {
    eprintln!("netns: {e}");
    255
}

/// Parses and runs `netns bridge fdb ARGS…` (for a `bridge` dispatch that
/// runs objects directly); returns the exit status.
#[allow(dead_code)]
pub(crate) fn run(ctx: &Context, args: &[String]) -> u8 {
    match parse(args) {
        Ok(cmd) => execute(ctx, cmd),
        Err(u) => u.report(),
    }
}

fn show(ctx: &Context, filter: &FdbFilter) -> Result<(), u8> {
    let mut h = ctx.handle().map_err(fail)?;
    let names = h.interface_names().map_err(fail)?;
    let stats = ctx.options.stats > 0;
    let show_dev = filter.dev.is_none();
    let mut out = String::new();
    let mut rows = Vec::new();
    for e in h.fdb_entries(filter).map_err(fail)? {
        if ctx.out.json() {
            rows.push(entry_json(&e, &names, show_dev, stats));
        } else {
            out.push_str(&e.fdb_display(&names, show_dev, stats).to_string());
            out.push('\n');
        }
    }
    if ctx.out.json() {
        ctx.out.print_json(&rows);
    } else {
        print!("{out}");
    }
    Ok(())
}

fn get(ctx: &Context, q: &FdbQuery) -> Result<(), u8> {
    let mut h = ctx.handle().map_err(fail)?;
    let entry = match h.fdb_get(q) {
        Ok(e) => e,
        // bridge: a device lookup fails with 255, the kernel's refusal 254.
        Err(e) if e.is_lookup() => return Err(fail(e)),
        Err(e) => {
            eprintln!("netns: {e}");
            return Err(254);
        }
    };
    let names = h.interface_names().map_err(fail)?;
    if ctx.out.json() {
        let mut f = Fields::default();
        f.push(
            "mac",
            json!(
                netns_core::link::HwAddr::new(netns_core::link::LinkType::ETHER, &entry.mac)
                    .to_string()
            ),
        );
        f.push("ifname", json!(name(&names, entry.ifindex)));
        push_common(&mut f, &names, Common::of(&entry, None));
        ctx.out.print_json(&[f]);
    } else {
        println!("{}", entry.display(&names, true));
    }
    Ok(())
}

fn name(names: &std::collections::BTreeMap<u32, String>, i: u32) -> String {
    names.get(&i).cloned().unwrap_or_else(|| format!("if{i}"))
}

/// The fields after `ifname`, shared by `show` and `get`.
struct Common {
    dst: Option<IpAddr>,
    vlan: Option<u16>,
    port: Option<u16>,
    vni: Option<u32>,
    src_vni: Option<u32>,
    via: Option<u32>,
    used: Option<(u32, u32)>,
    flags: u8,
    master: Option<u32>,
    state: netns_core::neigh::NeighState,
}

impl Common {
    fn of(e: &netns_core::neigh::FdbEntry, used: Option<(u32, u32)>) -> Common {
        Common {
            dst: e.dst,
            vlan: e.vlan,
            port: e.port,
            vni: e.vni,
            src_vni: e.src_vni,
            via: e.via,
            used,
            flags: e.flags,
            master: e.master,
            state: e.state,
        }
    }
}

fn push_common(f: &mut Fields, names: &std::collections::BTreeMap<u32, String>, c: Common) {
    if let Some(d) = c.dst {
        f.push("dst", json!(d.to_string()));
    }
    if let Some(v) = c.vlan.filter(|v| *v != 0) {
        f.push("vlan", json!(v));
    }
    if let Some(p) = c.port {
        f.push("port", json!(p));
    }
    if let Some(v) = c.vni {
        f.push("vni", json!(v));
    }
    if let Some(v) = c.src_vni {
        f.push("src_vni", json!(v));
    }
    if let Some(v) = c.via {
        f.push("viaIf", json!(name(names, v)));
    }
    if let Some((used, updated)) = c.used {
        // NDA_CACHEINFO is in USER_HZ ticks.
        f.push("used", json!(used / 100));
        f.push("updated", json!(updated / 100));
    }
    let flags: Vec<&str> = FdbDisplay::flag_words(c.flags).collect();
    f.push("flags", json!(flags));
    if let Some(m) = c.master {
        f.push("master", json!(name(names, m)));
    }
    let state = FdbDisplay::state_word(c.state);
    let state = state.strip_prefix("state=").unwrap_or(&state).to_owned();
    f.push("state", json!(state));
}

/// One entry with `bridge -j fdb show`'s field names and order.
fn entry_json(
    e: &NeighRef<'_>,
    names: &std::collections::BTreeMap<u32, String>,
    show_dev: bool,
    stats: bool,
) -> Fields {
    let mut f = Fields::default();
    if let Some(m) = e.mac() {
        f.push(
            "mac",
            json!(netns_core::link::HwAddr::new(netns_core::link::LinkType::ETHER, m).to_string()),
        );
    }
    if show_dev && e.ifindex() != 0 {
        f.push("ifname", json!(name(names, e.ifindex())));
    }
    let used = e
        .cache_info()
        .filter(|_| stats)
        .map(|c| (c.used, c.updated));
    push_common(&mut f, names, Common::of(&e.to_fdb_entry(), used));
    f
}

#[cfg(any(test, feature = "fuzzing"))]
impl FdbCommand {
    /// The canonical words of the command (after `bridge fdb`):
    /// [`crate::parse`] turns them back into an equal value.
    pub fn words(&self) -> Vec<String> {
        let mac = |m: &[u8]| {
            netns_core::link::HwAddr::new(netns_core::link::LinkType::ETHER, m).to_string()
        };
        let mut out: Vec<String> = Vec::new();
        match self {
            FdbCommand::Help => out.push("help".into()),
            FdbCommand::Show(f) => {
                out.push("show".into());
                if let Some(d) = &f.dev {
                    out.extend(["dev".into(), d.word()]);
                }
                if let Some(b) = &f.br {
                    out.extend(["br".into(), b.word()]);
                }
                if let Some(v) = f.vlan {
                    out.extend(["vlan".into(), v.to_string()]);
                }
                if let Some(s) = f.states {
                    out.extend(["state".into(), s.to_string()]);
                }
                if f.dynamic {
                    out.push("dynamic".into());
                }
            }
            FdbCommand::Get(q) => {
                out.extend(["get".into(), "to".into(), mac(&q.mac)]);
                if let Some(d) = &q.dev {
                    out.extend(["dev".into(), d.word()]);
                }
                if let Some(b) = &q.br {
                    out.extend(["br".into(), b.word()]);
                }
                if let Some(v) = q.vlan {
                    out.extend(["vlan".into(), v.to_string()]);
                }
                if let Some(v) = q.vni {
                    out.extend(["vni".into(), v.to_string()]);
                }
                if q.self_ {
                    out.push("self".into());
                }
                if q.master {
                    out.push("master".into());
                }
            }
            FdbCommand::Flush(f) => {
                out.extend(["flush".into(), "dev".into(), f.dev.word()]);
                if let Some(p) = &f.port {
                    out.extend(["brport".into(), p.word()]);
                }
                if let Some(v) = f.vlan {
                    out.extend(["vlan".into(), v.to_string()]);
                }
                for (on, w) in [(f.self_, "self"), (f.master, "master")] {
                    if on {
                        out.push(w.into());
                    }
                }
                for (v, w) in [
                    (f.permanent, "permanent"),
                    (f.static_, "static"),
                    (f.dynamic, "dynamic"),
                    (f.extern_learn, "extern_learn"),
                    (f.sticky, "sticky"),
                ] {
                    match v {
                        Some(true) => out.push(w.into()),
                        Some(false) => out.push(format!("no{w}")),
                        None => {}
                    }
                }
            }
            FdbCommand::Change(op, s) => {
                out.push(
                    match op {
                        FdbOp::Add => "add",
                        FdbOp::Append => "append",
                        FdbOp::Replace => "replace",
                        FdbOp::Delete => "delete",
                    }
                    .into(),
                );
                out.extend(["to".into(), mac(&s.mac), "dev".into(), s.dev.word()]);
                if let Some(d) = s.dst {
                    out.extend(["dst".into(), d.to_string()]);
                }
                if let Some(v) = s.vlan {
                    out.extend(["vlan".into(), v.to_string()]);
                }
                if let Some(v) = s.port {
                    out.extend(["port".into(), v.to_string()]);
                }
                if let Some(v) = s.vni {
                    out.extend(["vni".into(), v.to_string()]);
                }
                if let Some(v) = s.src_vni {
                    out.extend(["src_vni".into(), v.to_string()]);
                }
                if let Some(v) = &s.via {
                    out.extend(["via".into(), v.word()]);
                }
                for (on, w) in [
                    (s.self_, "self"),
                    (s.master, "master"),
                    (s.router, "router"),
                    (s.extern_learn, "extern_learn"),
                    (s.sticky, "sticky"),
                ] {
                    if on {
                        out.push(w.into());
                    }
                }
                out.push(s.state.name().into());
            }
        }
        out
    }
}
