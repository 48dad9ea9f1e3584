//! `netns addr …`: ip addr's syntax over netns-core.
//!
//! ```text
//! netns [-n NAME] [-j] addr [show|list|ls] [dev NAME]
//! netns [-n NAME] addr add|replace ADDR[/PLEN] [peer ADDR/PLEN] dev NAME [brd +|-|ADDR] [scope S]
//!                     [label L] [metric N] [valid_lft N|forever] [preferred_lft N|forever]
//!                     [noprefixroute] [nodad]
//! netns [-n NAME] addr del ADDR/PLEN dev NAME
//! netns [-n NAME] addr flush dev NAME
//! ```
//!
//! Exit status as `ip`: 0 on success, 1 for a usage error or an unknown
//! device, 2 when the kernel refuses.

use crate::keywords::{lookup, Verb, ADDR_VERBS};
use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use netns_core::addr::{
    lifetime_text, parse_lifetime, AddressFilter, AddressOptions, AddressRef, AddressSpec,
    Broadcast, Family, IpNet, IFA_F_NODAD, IFA_F_NOPREFIXROUTE,
};
use netns_core::link::Dev;
use netns_core::route::{parse_scope, scope_name};
use netns_core::{Error, Handle};
use serde_json::json;

use crate::keywords::{keyword, Family as KwFamily, ADDR_WORDS};
use crate::link::show::{oneline, Header, Links};
use crate::link::LinkFilter;
use crate::output::Fields;
use crate::output::{self, Failure, Group, Outcome, Stage};
use crate::{Context, Usage};

pub(crate) const USAGE: &str = "\
Usage: netns [-n NAME] [-j] addr [show|list] [dev IFNAME]
       netns [-n NAME] addr {add|replace|del} IFADDR [peer PREFIX] dev IFNAME [brd {+|-|ADDR}]
                                [scope SCOPE] [label LABEL] [metric N] [noprefixroute] [nodad]
                                [valid_lft LFT] [preferred_lft LFT]
LFT := forever | SECONDS
       netns [-n NAME] addr flush dev IFNAME";

/// A parsed `addr` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddrCommand {
    /// `show [[dev] NAME] [up] [master DEVICE] [type KIND]`.
    Show {
        /// Only this device (by name).
        dev: Option<String>,
        /// `up`, `master DEVICE`, `type KIND`.
        filter: LinkFilter,
    },
    /// `add|replace|del ADDR dev NAME …`.
    Change(AddrChange),
    /// `flush [dev] NAME`.
    Flush {
        /// The device (by name).
        dev: String,
    },
    /// `help`: the usage on stdout, exit 0.
    Help,
}

/// What `add`, `replace` and `del` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddrOp {
    /// `add`.
    Add,
    /// `replace` (or `change`).
    Replace,
    /// `del`.
    Delete,
}

/// `addr add|replace|del`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrChange {
    /// The operation.
    pub op: AddrOp,
    /// The address, its device (by name) and `brd`, `scope`, `label`,
    /// `metric`, `noprefixroute`, `nodad`.
    pub spec: AddressSpec,
}

/// Parses `netns addr ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<AddrCommand, Usage> {
    let (cmd, rest) = match args.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    // iproute2's order (`do_ipaddr`): `ip addr s` is show, `a` add.
    match lookup(ADDR_VERBS, cmd) {
        Some(Verb::Show) => show_args(rest),
        Some(Verb::Add) => parse_change(rest, AddrOp::Add),
        Some(Verb::Replace | Verb::Change) => parse_change(rest, AddrOp::Replace),
        Some(Verb::Delete) => parse_change(rest, AddrOp::Delete),
        Some(Verb::Flush) => match dev_arg(rest)? {
            Some(dev) => Ok(AddrCommand::Flush { dev }),
            None => Err(usage("Flush requires arguments.")),
        },
        Some(Verb::Help) => Ok(AddrCommand::Help),
        Some(_) => Err(crate::keywords::pending("address", cmd, ADDR_VERBS)),
        None => Err(crate::keywords::unknown("address", cmd)),
    }
}

/// Parses and runs `netns addr ARGS…` (the demo's steps); returns the exit status.
pub fn run(ctx: &Context, args: &[String]) -> u8 {
    match parse(args) {
        Ok(cmd) => execute(ctx, cmd),
        Err(u) => u.report(),
    }
}

/// Runs a parsed `addr` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: AddrCommand) -> u8 {
    output::status(match cmd {
        AddrCommand::Show { dev, filter } => show(ctx, dev.as_deref(), &filter),
        AddrCommand::Change(c) => change(ctx, &c),
        AddrCommand::Flush { dev } => flush(ctx, &dev),
        AddrCommand::Help => {
            println!("{USAGE}");
            return 0;
        }
    })
}

/// A usage error of `addr` and `route`: exit 1, as `ip`.
pub(crate) fn usage(msg: &str) -> Usage {
    Usage::new(msg, output::usage_status(Group::AddrRoute))
}

/// A handle on the target namespace (`-n NAME` or the current one).
pub(crate) fn open_handle(ctx: &Context) -> Result<Handle, Failure> {
    ctx.handle()
        .map_err(|e| Failure::new(Group::AddrRoute, Stage::Open, e))
}

/// The failure of `verb` on `object` (an `addr` or `route` command): a
/// device not found exits 1 with the core's words (`cannot find device
/// "veth9"`, ip's `Cannot find device`), anything else 2, named as the user
/// wrote it.
pub(crate) fn failure(e: Error, verb: &'static str, object: impl fmt::Display) -> Failure {
    if e.is_lookup() {
        Failure::new(Group::AddrRoute, Stage::Lookup, e)
    } else {
        Failure::new(
            Group::AddrRoute,
            Stage::Run,
            e.context(verb, object.to_string()),
        )
    }
}

fn next_value<'a>(it: &mut std::slice::Iter<'a, String>, key: &str) -> Result<&'a str, Usage> {
    it.next()
        .map(String::as_str)
        .ok_or_else(|| usage(&format!("argument \"{key}\" needs a value")))
}

fn parse_change(args: &[String], op: AddrOp) -> Result<AddrCommand, Usage> {
    let mut net: Option<IpNet> = None;
    let mut dev: Option<&str> = None;
    let mut opts = AddressOptions::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match keyword(ADDR_WORDS, arg) {
            "dev" => dev = Some(next_value(&mut it, "dev")?),
            "brd" | "broadcast" => {
                let v = next_value(&mut it, "brd")?;
                opts.broadcast = match v {
                    "+" => Broadcast::HostBitsSet,
                    "-" => Broadcast::HostBitsClear,
                    a => Broadcast::Explicit(
                        a.parse::<Ipv4Addr>()
                            .map_err(|_| usage(&format!("invalid broadcast address \"{a}\"")))?,
                    ),
                };
            }
            "scope" => {
                let v = next_value(&mut it, "scope")?;
                opts.scope =
                    Some(parse_scope(v).ok_or_else(|| usage(&format!("invalid scope \"{v}\"")))?);
            }
            "label" => opts.label = Some(next_value(&mut it, "label")?.to_string()),
            "metric" | "priority" | "preference" => {
                let v = next_value(&mut it, "metric")?;
                opts.metric = Some(
                    v.parse()
                        .map_err(|_| usage(&format!("invalid metric \"{v}\"")))?,
                );
            }
            "peer" | "remote" => {
                if opts.peer.is_some() {
                    return Err(usage("either \"peer\" is duplicate, or it is a garbage."));
                }
                opts.peer = Some(parse_net(next_value(&mut it, "peer")?)?);
            }
            "valid_lft" | "preferred_lft" => {
                let key = if arg == "valid_lft" {
                    "valid_lft"
                } else {
                    "preferred_lft"
                };
                let v = next_value(&mut it, key)?;
                // ip's invarg: exit 255.
                let secs = parse_lifetime(v)
                    .map_err(|_| Usage::new(format!("invalid {key} value \"{v}\""), 255))?;
                if key == "valid_lft" {
                    opts.valid_lft = Some(secs);
                } else {
                    opts.preferred_lft = Some(secs);
                }
            }
            "noprefixroute" => opts.flags |= IFA_F_NOPREFIXROUTE,
            "nodad" => opts.flags |= IFA_F_NODAD,
            "local" => net = Some(parse_net(next_value(&mut it, "local")?)?),
            a if net.is_none() => net = Some(parse_net(a)?),
            a => {
                return Err(usage(&format!(
                    "either \"local\" is duplicate, or \"{a}\" is a garbage."
                )))
            }
        }
    }
    let net = net.ok_or_else(|| usage("an address is required, e.g. 10.1.1.1/24"))?;
    let dev = dev.ok_or_else(|| usage("Not enough information: \"dev\" argument is required."))?;
    let mut spec = AddressSpec::new(dev, net);
    spec.options = opts;
    // ip's own checks of the lifetimes, with its words.
    if let Err(e) = spec.validate() {
        if let Some(d) = e.detail().filter(|d| d.contains("_lft")) {
            return Err(usage(d));
        }
    }
    Ok(AddrCommand::Change(AddrChange { op, spec }))
}

fn change(ctx: &Context, c: &AddrChange) -> Outcome {
    let mut h = open_handle(ctx)?;
    let (verb, result) = match c.op {
        AddrOp::Delete => ("delete", h.address_del(&c.spec)),
        AddrOp::Add => ("add", h.address_add(&c.spec)),
        AddrOp::Replace => ("add", h.address_replace(&c.spec)),
    };
    result.map_err(|e| failure(e, verb, &c.spec))
}

fn parse_net(s: &str) -> Result<IpNet, Usage> {
    s.parse().map_err(|_| {
        usage(&format!(
            "any valid prefix is expected rather than \"{s}\"."
        ))
    })
}

/// `show [[dev] NAME] [up] [master DEVICE] [type KIND]` (the selectors of
/// `ip addr show` netns has; the others are refused by name).
fn show_args(args: &[String]) -> Result<AddrCommand, Usage> {
    let mut dev = None;
    let mut filter = LinkFilter::default();
    let mut it = args.iter();
    while let Some(word) = it.next() {
        match word.as_str() {
            "dev" => dev = Some(next_value(&mut it, "dev")?.to_owned()),
            "up" => filter.up = true,
            "master" => filter.master = Some(next_value(&mut it, "master")?.to_owned()),
            "type" => filter.kind = Some(next_value(&mut it, "type")?.to_owned()),
            w @ ("scope" | "to" | "label" | "permanent" | "dynamic" | "secondary" | "primary"
            | "tentative" | "deprecated" | "dadfailed" | "temporary" | "vrf" | "nomaster"
            | "proto") => {
                return Err(usage(&format!(
                    "\"addr show {w}\" is not supported by netns yet (docs/cli.md)."
                )))
            }
            w if dev.is_none() => dev = Some(w.to_owned()),
            w => {
                return Err(Usage::new(
                    format!("either \"dev\" is duplicate, or \"{w}\" is a garbage."),
                    255,
                ))
            }
        }
    }
    Ok(AddrCommand::Show { dev, filter })
}

fn dev_arg(args: &[String]) -> Result<Option<String>, Usage> {
    match args {
        [] => Ok(None),
        [d, name] if d == "dev" => Ok(Some(name.clone())),
        [name] if name != "dev" => Ok(Some(name.clone())),
        _ => Err(usage(&format!("unexpected arguments: {}", args.join(" ")))),
    }
}

fn flush(ctx: &Context, dev: &str) -> Outcome {
    let mut h = open_handle(ctx)?;
    h.address_flush(&Dev::from(dev), None)
        .map(|_| ())
        .map_err(|e| failure(e, "flush", format_args!("addresses of {dev}")))
}

#[cfg(any(test, feature = "fuzzing"))]
impl AddrCommand {
    /// The canonical words of the command (after `addr`): [`crate::parse`]
    /// turns them back into an equal value.
    pub fn words(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        match self {
            AddrCommand::Show { dev, filter } => {
                out.push("show".into());
                if let Some(d) = dev {
                    out.extend(["dev".into(), d.clone()]);
                }
                if filter.up {
                    out.push("up".into());
                }
                if let Some(m) = &filter.master {
                    out.extend(["master".into(), m.clone()]);
                }
                if let Some(k) = &filter.kind {
                    out.extend(["type".into(), k.clone()]);
                }
            }
            AddrCommand::Flush { dev } => out.extend(["flush".into(), "dev".into(), dev.clone()]),
            AddrCommand::Help => out.push("help".into()),
            AddrCommand::Change(c) => {
                out.push(
                    match c.op {
                        AddrOp::Add => "add",
                        AddrOp::Replace => "replace",
                        AddrOp::Delete => "delete",
                    }
                    .into(),
                );
                out.extend([
                    "local".into(),
                    c.spec.net.to_string(),
                    "dev".into(),
                    c.spec.dev.word(),
                ]);
                let o = &c.spec.options;
                if let Some(p) = o.peer {
                    out.extend(["peer".into(), p.to_string()]);
                }
                if let Some(v) = o.valid_lft {
                    out.extend(["valid_lft".into(), v.to_string()]);
                }
                if let Some(v) = o.preferred_lft {
                    out.extend(["preferred_lft".into(), v.to_string()]);
                }
                match o.broadcast {
                    Broadcast::HostBitsSet => out.extend(["brd".into(), "+".into()]),
                    Broadcast::HostBitsClear => out.extend(["brd".into(), "-".into()]),
                    Broadcast::Explicit(a) => out.extend(["brd".into(), a.to_string()]),
                    _ => {}
                }
                if let Some(s) = o.scope {
                    out.extend(["scope".into(), scope_text(s)]);
                }
                if let Some(l) = &o.label {
                    out.extend(["label".into(), l.clone()]);
                }
                if let Some(m) = o.metric {
                    out.extend(["metric".into(), m.to_string()]);
                }
                if o.flags & IFA_F_NOPREFIXROUTE != 0 {
                    out.push("noprefixroute".into());
                }
                if o.flags & IFA_F_NODAD != 0 {
                    out.push("nodad".into());
                }
            }
        }
        out
    }
}

fn show(ctx: &Context, dev: Option<&str>, selector: &LinkFilter) -> Outcome {
    let mut h = open_handle(ctx)?;
    let mut filter = AddressFilter::new();
    let mut only = None;
    if let Some(d) = dev {
        let index = h
            .dev_index(&Dev::from(d))
            .map_err(|e| failure(e, "show", d))?;
        only = Some(index.get());
        filter = filter.dev(index);
    }
    let o = &ctx.options;
    let wanted = match o.family {
        Some(KwFamily::Inet) => Some(Family::Inet),
        Some(KwFamily::Inet6) => Some(Family::Inet6),
        _ => None,
    };
    // By interface, in the kernel's order of links, as ip.
    let mut json: BTreeMap<u32, Vec<Fields>> = BTreeMap::new();
    let mut text: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    // `-br`: address, prefix length, metric (ip prints the metric there too).
    let mut brief: BTreeMap<u32, Vec<(String, u8, Option<u32>)>> = BTreeMap::new();
    let addresses = h
        .addresses(filter)
        .map_err(|e| failure(e, "list", "addresses"))?;
    let consistent = addresses.is_consistent();
    for a in addresses {
        if wanted.is_some() && a.family() != wanted {
            continue;
        }
        json.entry(a.ifindex()).or_default().push(address_json(&a));
        text.entry(a.ifindex()).or_default().push(address_text(&a));
        if let Some(ip) = a.ip() {
            brief.entry(a.ifindex()).or_default().push((
                ip.to_string(),
                a.prefix_len(),
                a.route_priority(),
            ));
        }
    }
    let links = Links::read(ctx, &mut h, None, selector).map_err(|e| {
        // `master NAME` naming no device is ip's invalid argument (255).
        let group = if e.kind() == netns_core::ErrorKind::InvalidArgument {
            Group::Link
        } else {
            Group::AddrRoute
        };
        Failure::new(group, Stage::Run, e)
    })?;
    let shown: Vec<u32> = links
        .indexes()
        .filter(|i| only.is_none_or(|o| o == *i))
        // `ip -4 addr` / `-6`: only the links with an address of that family.
        .filter(|i| wanted.is_none() || text.contains_key(i))
        .collect();
    let packet = o.family == Some(KwFamily::Packet);
    if ctx.out.json() && o.brief {
        let rows: Vec<Fields> = shown
            .iter()
            .map(|i| {
                let addrs: Vec<Fields> = brief
                    .get(i)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|(ip, len, metric)| {
                        let mut f = Fields::default();
                        f.push("local", json!(ip));
                        f.push("prefixlen", json!(len));
                        if let Some(m) = metric {
                            f.push("metric", json!(m));
                        }
                        f
                    })
                    .collect();
                let mut f = links.brief_json(*i);
                f.push_list("addr_info", addrs);
                f
            })
            .collect();
        ctx.out.print_json(&rows);
        crate::output::warn_if_inconsistent(consistent);
        return Ok(());
    }
    if ctx.out.json() {
        let rows: Vec<_> = shown
            .iter()
            .filter_map(|i| {
                let addrs = if packet {
                    Vec::new()
                } else {
                    json.remove(i).unwrap_or_default()
                };
                links.json_with(*i, addrs)
            })
            .collect();
        ctx.out.print_json(&rows);
        crate::output::warn_if_inconsistent(consistent);
        return Ok(());
    }
    let style = match o.family {
        Some(KwFamily::Inet) if o.details == 0 => Header::Inet,
        Some(KwFamily::Inet6) if o.details == 0 => Header::Inet6,
        _ => Header::Addr,
    };
    let mut out = String::new();
    for i in shown {
        let lines = text.get(&i).map(Vec::as_slice).unwrap_or_default();
        if o.brief {
            links.brief_of(i, packet, &mut out);
            let none = &[][..];
            let addrs = if packet {
                none
            } else {
                brief.get(&i).map(Vec::as_slice).unwrap_or_default()
            };
            for (ip, len, metric) in addrs {
                out.push_str(&format!("{ip}/{len} "));
                if let Some(m) = metric {
                    out.push_str(&format!("metric {m} "));
                }
            }
            out.push('\n');
        } else if o.oneline {
            // ip -o addr: one line per address, no link header.
            let name = links.name(i).unwrap_or("?");
            for line in lines.iter().filter(|_| !packet) {
                out.push_str(&format!("{i}: {name}"));
                out.push_str(&oneline(line.clone(), true));
            }
            if packet {
                let mut header = String::new();
                links.header(i, style, &mut header);
                out.push_str(&oneline(header, true));
            }
        } else {
            links.header(i, style, &mut out);
            if !packet {
                lines.iter().for_each(|l| out.push_str(l));
            }
            if o.stats > 0 {
                links.stats(i, o.stats, &mut out);
            }
        }
    }
    print!("{out}");
    crate::output::warn_if_inconsistent(consistent);
    Ok(())
}

/// `ip`'s flag words for `IFA_F_*`, in its order; `None` marks
/// `IFA_F_PERMANENT`, printed as `dynamic` when absent.
const FLAG_NAMES: &[(u32, Option<&str>)] = &[
    (0x01, Some("secondary")),
    (0x02, Some("nodad")),
    (0x04, Some("optimistic")),
    (0x08, Some("dadfailed")),
    (0x10, Some("home")),
    (0x20, Some("deprecated")),
    (0x40, Some("tentative")),
    (0x80, None),
    (0x100, Some("mngtmpaddr")),
    (0x200, Some("noprefixroute")),
    (0x400, Some("autojoin")),
    (0x800, Some("stable-privacy")),
];

fn flag_words(a: &AddressRef<'_>) -> Vec<&'static str> {
    let flags = a.flags();
    let mut words = Vec::new();
    for (mask, name) in FLAG_NAMES {
        match name {
            None if flags & mask == 0 => words.push("dynamic"),
            None => {}
            Some("secondary") if flags & mask != 0 && a.family() == Some(Family::Inet6) => {
                words.push("temporary")
            }
            Some(n) if flags & mask != 0 => words.push(n),
            Some(_) => {}
        }
    }
    words
}

fn scope_text(scope: u8) -> String {
    scope_name(scope).map_or_else(|| scope.to_string(), str::to_string)
}

/// Two lines as `ip addr` prints an address.
pub(crate) fn address_text(a: &AddressRef<'_>) -> String {
    let family = a.family().map_or("?", Family::name);
    let mut s = format!("    {family} ");
    if let Some(ip) = a.ip() {
        s.push_str(&ip.to_string());
    }
    if let Some(peer) = a.peer() {
        s.push_str(&format!(" peer {peer}"));
    }
    s.push_str(&format!("/{} ", a.prefix_len()));
    // ip prints the metric before `brd` (`print_addrinfo`).
    if let Some(m) = a.route_priority() {
        s.push_str(&format!("metric {m} "));
    }
    if let Some(b) = a.broadcast() {
        s.push_str(&format!("brd {b} "));
    }
    s.push_str(&format!("scope {} ", scope_text(a.scope())));
    for w in flag_words(a) {
        s.push_str(w);
        s.push(' ');
    }
    if let Some(l) = a.label() {
        s.push_str(l);
    }
    s.push('\n');
    let (preferred, valid) = a.lifetimes().unwrap_or((u32::MAX, u32::MAX));
    s.push_str(&format!(
        "       valid_lft {} preferred_lft {}\n",
        lifetime_text(valid),
        lifetime_text(preferred)
    ));
    s
}

/// One `addr_info` entry with ip's JSON names.
fn address_json(a: &AddressRef<'_>) -> Fields {
    let mut m = Fields::default();
    m.push("family", json!(a.family().map_or("?", Family::name)));
    m.push("local", json!(a.ip().map(|i: IpAddr| i.to_string())));
    if let Some(peer) = a.peer() {
        m.push("address", json!(peer.to_string()));
    }
    m.push("prefixlen", json!(a.prefix_len()));
    if let Some(p) = a.route_priority() {
        m.push("metric", json!(p));
    }
    if let Some(b) = a.broadcast() {
        m.push("broadcast", json!(b.to_string()));
    }
    m.push("scope", json!(scope_text(a.scope())));
    for w in flag_words(a) {
        m.push(w, json!(true));
    }
    if let Some(l) = a.label() {
        m.push("label", json!(l));
    }
    let (preferred, valid) = a.lifetimes().unwrap_or((u32::MAX, u32::MAX));
    m.push("valid_life_time", json!(valid));
    m.push("preferred_life_time", json!(preferred));
    m
}
