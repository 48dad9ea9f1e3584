//! `netns route …`: ip route's syntax over netns-core.
//!
//! ```text
//! netns [-n NAME] [-j] route [show|list] [table main|local|N|all]
//! netns [-n NAME] route add|del|replace [TYPE] default|PREFIX [via GW] [dev NAME] [metric N]
//!                                       [table N] [scope link|host|global] [proto P] [src ADDR]
//! ```
//!
//! The text is `ip route`'s, byte for byte (iproute2 6.1 ends each field with
//! a space, so lines end with one); `-j` uses its JSON names. Exit status as
//! `ip`: 0, 1 for a usage error or unknown device, 2 when the kernel refuses.

use crate::keywords::{lookup, Verb, ROUTE_VERBS};
use std::collections::BTreeMap;
use std::net::IpAddr;

use netns_core::addr::Family;
use netns_core::link::Dev;
use netns_core::route::{
    gateway_words, parse_protocol, parse_scope, parse_type, protocol_name, scope_name, type_name,
    NextHop, RouteFilter, RouteRef, RouteSpec, RouteTable, PROTO_BOOT, RTM_F_CLONED, RTNH_F_DEAD,
    RTNH_F_LINKDOWN, RTNH_F_ONLINK, SCOPE_UNIVERSE, TYPE_UNICAST,
};
use serde_json::{json, Value};

use crate::addr::{failure, open_handle, usage};
use crate::keywords::{keyword, Family as KwFamily, ROUTE_WORDS};
use crate::output::{self, Failure, Fields, Group, Outcome, Stage};
use crate::route_get::{self, RouteFlush, RouteGet};
use crate::{Context, Usage};

pub(crate) const USAGE: &str = "\
Usage: netns [-n NAME] [-j] route [show|list] [table TABLE_ID|all]
       netns [-n NAME] route {add|del|replace|change|append|prepend} [TYPE] {default|PREFIX} [via [inet|inet6] ADDRESS] [dev IFNAME]
                         [metric N] [table TABLE_ID] [scope SCOPE] [proto RTPROTO] [src ADDRESS]";

/// A parsed `route` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteCommand {
    /// `show` with ip's selectors (`table T|all`, `-4|-6`, `dev`, `via`,
    /// `src`, `proto`, `scope`, `type`, `[root|match|exact] PREFIX`).
    Show(RouteFilter),
    /// `add|del|replace …`.
    Change {
        /// The operation.
        op: RouteOp,
        /// The route (its device by name, looked up by the core).
        spec: RouteSpec,
    },
    /// `get ADDRESS …`.
    Get(RouteGet),
    /// `flush …`.
    Flush(RouteFlush),
    /// `help`: the usage on stdout, exit 0.
    Help,
}

/// What `add`, `replace` and `del` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteOp {
    /// `add`.
    Add,
    /// `replace`.
    Replace,
    /// `del`.
    Delete,
    /// `change`: an existing route takes the new attributes.
    Change,
    /// `append`: after the routes with the same key.
    Append,
    /// `prepend`: before them.
    Prepend,
}

/// Parses `netns route ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<RouteCommand, Usage> {
    let (cmd, rest) = match args.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    // iproute2's order (`do_iproute`): `ip route s` is show, `a` add.
    match lookup(ROUTE_VERBS, cmd) {
        Some(Verb::Show) => parse_show(rest),
        Some(Verb::Add) => parse_change(rest, RouteOp::Add),
        Some(Verb::Replace) => parse_change(rest, RouteOp::Replace),
        Some(Verb::Delete) => parse_change(rest, RouteOp::Delete),
        Some(Verb::Change) => parse_change(rest, RouteOp::Change),
        Some(Verb::Append) => parse_change(rest, RouteOp::Append),
        Some(Verb::Prepend) => parse_change(rest, RouteOp::Prepend),
        Some(Verb::Get) => route_get::parse_get(rest).map(RouteCommand::Get),
        Some(Verb::Flush) => route_get::parse_flush(rest).map(RouteCommand::Flush),
        Some(Verb::Help) => Ok(RouteCommand::Help),
        Some(_) => Err(crate::keywords::pending("route", cmd, ROUTE_VERBS)),
        None => Err(crate::keywords::unknown("route", cmd)),
    }
}

/// Parses and runs `netns route ARGS…` (the demo's steps); returns the exit status.
pub fn run(ctx: &Context, args: &[String]) -> u8 {
    match parse(args) {
        Ok(cmd) => execute(ctx, cmd),
        Err(u) => u.report(),
    }
}

/// Runs a parsed `route` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: RouteCommand) -> u8 {
    output::status(match cmd {
        RouteCommand::Show(filter) => show(ctx, &filter),
        RouteCommand::Change { op, spec } => change(ctx, op, &spec),
        RouteCommand::Get(g) => return route_get::get(ctx, &g),
        RouteCommand::Flush(f) => return route_get::flush(ctx, &f),
        RouteCommand::Help => {
            println!("{USAGE}");
            return 0;
        }
    })
}

fn value<'a>(it: &mut std::slice::Iter<'a, String>, key: &str) -> Result<&'a str, Usage> {
    it.next()
        .map(String::as_str)
        .ok_or_else(|| usage(&format!("argument \"{key}\" needs a value")))
}

fn parse_table(s: &str) -> Result<RouteTable, Usage> {
    s.parse()
        .map_err(|_| usage(&format!("\"table\" value is invalid: {s}")))
}

fn parse_change(args: &[String], op: RouteOp) -> Result<RouteCommand, Usage> {
    let mut spec = RouteSpec::default_route();
    let mut have_dst = false;
    let mut dev: Option<&str> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match keyword(ROUTE_WORDS, arg) {
            "via" => spec.gateway = Some(parse_via(&mut it, route_family(&spec))?),
            "dev" | "oif" => dev = Some(value(&mut it, "dev")?),
            "mtu" | "advmss" => {
                let key = arg.as_str();
                let mut v = value(&mut it, key)?;
                if v == "lock" {
                    v = value(&mut it, key)?;
                }
                let n = v
                    .parse()
                    .map_err(|_| usage(&format!("\"{key}\" value is invalid: {v}")))?;
                if key == "mtu" {
                    spec = spec.mtu(n);
                } else {
                    spec = spec.advmss(n);
                }
            }
            "onlink" => spec = spec.onlink(true),
            "nhid" => {
                let v = value(&mut it, "nhid")?;
                spec = spec.nhid(
                    v.parse()
                        .map_err(|_| usage(&format!("\"id\" value is invalid: {v}")))?,
                );
            }
            "nexthop" => {
                let family = route_family(&spec);
                spec = spec.nexthop(parse_nexthop(&mut it, family)?);
            }
            "metric" | "priority" | "preference" => {
                let v = value(&mut it, "metric")?;
                spec.metric = Some(
                    v.parse()
                        .map_err(|_| usage(&format!("\"metric\" value is invalid: {v}")))?,
                );
            }
            "table" => spec.table = Some(parse_table(value(&mut it, "table")?)?),
            "scope" => {
                let v = value(&mut it, "scope")?;
                spec.scope = Some(
                    parse_scope(v)
                        .ok_or_else(|| usage(&format!("invalid \"scope\" value: {v}")))?,
                );
            }
            "proto" | "protocol" => {
                let v = value(&mut it, "proto")?;
                spec.protocol = Some(
                    parse_protocol(v)
                        .ok_or_else(|| usage(&format!("\"protocol\" value is invalid: {v}")))?,
                );
            }
            "src" => {
                let v = value(&mut it, "src")?;
                spec.prefsrc = Some(
                    v.parse()
                        .map_err(|_| usage(&format!("invalid source address \"{v}\"")))?,
                );
            }
            "to" => {
                let v = value(&mut it, "to")?;
                set_destination(&mut spec, &mut have_dst, v)?;
            }
            a if !have_dst
                && spec.kind.is_none()
                && a != "default"
                && parse_type(a).is_some()
                && a.parse::<u8>().is_err() =>
            {
                spec.kind = parse_type(a);
            }
            a if !have_dst => set_destination(&mut spec, &mut have_dst, a)?,
            a => {
                return Err(usage(&format!(
                    "either \"to\" is duplicate, or \"{a}\" is a garbage."
                )))
            }
        }
    }
    if !have_dst {
        return Err(usage("a destination is required: default or PREFIX"));
    }
    if let Some(d) = dev {
        spec = spec.dev(d);
    }
    Ok(RouteCommand::Change { op, spec })
}

/// The family of the route as far as the words so far tell (ip reads a
/// gateway in it).
fn route_family(spec: &RouteSpec) -> Option<Family> {
    spec.family.or_else(|| {
        spec.destination
            .map(|d| d.addr())
            .or(spec.prefsrc)
            .map(|a| Family::of(&a))
    })
}

/// `via [inet|inet6] ADDR` after `via`, in a route of `family` (the core's
/// reader: `via inet6 fe80::1` in an IPv4 route is `RTA_VIA`).
fn parse_via(
    it: &mut std::slice::Iter<'_, String>,
    family: Option<Family>,
) -> Result<IpAddr, Usage> {
    let mut v = value(it, "via")?;
    let mut word = None;
    if v == "inet" || v == "inet6" {
        word = Some(v);
        v = value(it, "via")?;
    }
    netns_core::route::parse_gateway(word, v, family)
        .map_err(|e| usage(&format!("{}.", e.detail().unwrap_or("invalid gateway"))))
}

/// One `nexthop via GW dev X weight N onlink` group: the words up to the
/// next `nexthop` (which is left for the caller) or the end.
fn parse_nexthop(
    it: &mut std::slice::Iter<'_, String>,
    family: Option<Family>,
) -> Result<NextHop, Usage> {
    let mut hop = NextHop::default();
    while let Some(word) = it.as_slice().first().map(String::as_str) {
        if !matches!(word, "via" | "dev" | "weight" | "onlink") {
            break;
        }
        it.next();
        match word {
            "via" => hop.gateway = Some(parse_via(it, family)?),
            "dev" => hop = hop.dev(value(it, "dev")?),
            "weight" => {
                let v = value(it, "weight")?;
                hop = hop.weight(
                    v.parse()
                        .map_err(|_| usage(&format!("\"weight\" value is invalid: {v}")))?,
                );
            }
            _ => hop = hop.onlink(true),
        }
    }
    Ok(hop)
}

fn change(ctx: &Context, op: RouteOp, spec: &RouteSpec) -> Outcome {
    // `ip -6 route add unreachable default`: the family of a route whose
    // words name none comes from ip's `-4`/`-6` (the spec checks that the
    // addresses agree with it).
    let mut with_family;
    let mut spec = spec;
    if spec.family.is_none() {
        let family = match ctx.options.family {
            Some(KwFamily::Inet) => Some(Family::Inet),
            Some(KwFamily::Inet6) => Some(Family::Inet6),
            _ => None,
        };
        if let Some(f) = family {
            with_family = spec.clone();
            with_family.family = Some(f);
            spec = &with_family;
        }
    }
    let mut h = open_handle(ctx)?;
    let (verb, result) = match op {
        RouteOp::Add => ("add", h.route_add(spec)),
        RouteOp::Replace => ("replace", h.route_replace(spec)),
        RouteOp::Delete => ("delete", h.route_del(spec)),
        RouteOp::Change => ("change", h.route_change(spec)),
        RouteOp::Append => ("append", h.route_append(spec)),
        RouteOp::Prepend => ("prepend", h.route_prepend(spec)),
    };
    result.map_err(|e| failure(e, verb, format_args!("route {spec}")))
}

fn set_destination(spec: &mut RouteSpec, have_dst: &mut bool, s: &str) -> Result<(), Usage> {
    *have_dst = true;
    let parsed =
        RouteSpec::towards(s).map_err(|e| usage(&format!("{}.", e.detail().unwrap_or(""))))?;
    spec.destination = parsed.destination;
    Ok(())
}

fn parse_show(args: &[String]) -> Result<RouteCommand, Usage> {
    route_get::parse_selectors(args).map(RouteCommand::Show)
}

#[cfg(any(test, feature = "fuzzing"))]
fn word_of(name: Option<&str>, value: u8) -> String {
    name.map_or_else(|| value.to_string(), str::to_owned)
}

#[cfg(any(test, feature = "fuzzing"))]
impl RouteCommand {
    /// The canonical words of the command (after `route`): [`crate::parse`]
    /// turns them back into an equal value.
    pub fn words(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        match self {
            RouteCommand::Help => out.push("help".into()),
            RouteCommand::Get(g) => {
                out.push("get".into());
                out.extend(g.words());
            }
            RouteCommand::Flush(f) => {
                out.push("flush".into());
                out.extend(f.words());
            }
            RouteCommand::Show(filter) => {
                out.push("show".into());
                out.extend(route_get::filter_words(filter));
            }
            RouteCommand::Change { op, spec } => {
                out.push(
                    match op {
                        RouteOp::Add => "add",
                        RouteOp::Replace => "replace",
                        RouteOp::Delete => "delete",
                        RouteOp::Change => "change",
                        RouteOp::Append => "append",
                        RouteOp::Prepend => "prepend",
                    }
                    .into(),
                );
                if let Some(k) = spec.kind {
                    out.push(word_of(type_name(k), k));
                }
                out.push("to".into());
                out.push(
                    spec.destination
                        .map_or_else(|| "default".into(), |d| d.to_string()),
                );
                let family = route_family(spec);
                if let Some(g) = spec.gateway {
                    out.push("via".into());
                    out.extend(gateway_words(g, family).split(' ').map(str::to_owned));
                }
                if let Some(d) = &spec.dev {
                    out.extend(["dev".into(), d.word()]);
                }
                if let Some(m) = spec.metric {
                    out.extend(["metric".into(), m.to_string()]);
                }
                if let Some(t) = spec.table {
                    out.extend(["table".into(), t.id().to_string()]);
                }
                if let Some(s) = spec.scope {
                    out.extend(["scope".into(), word_of(scope_name(s), s)]);
                }
                if let Some(p) = spec.protocol {
                    out.extend(["proto".into(), word_of(protocol_name(p), p)]);
                }
                if let Some(s) = spec.prefsrc {
                    out.extend(["src".into(), s.to_string()]);
                }
                if let Some(m) = spec.mtu {
                    out.extend(["mtu".into(), m.to_string()]);
                }
                if let Some(m) = spec.advmss {
                    out.extend(["advmss".into(), m.to_string()]);
                }
                if spec.onlink {
                    out.push("onlink".into());
                }
                if let Some(id) = spec.nhid {
                    out.extend(["nhid".into(), id.to_string()]);
                }
                for hop in &spec.nexthops {
                    out.extend(hop.words(family).split(' ').map(str::to_owned));
                }
            }
        }
        out
    }
}

fn show(ctx: &Context, filter: &RouteFilter) -> Outcome {
    let mut h = open_handle(ctx)?;
    let names = h
        .interface_names()
        .map_err(|e| Failure::new(Group::AddrRoute, Stage::Run, e))?;
    let mut filter = filter.clone();
    // `-4` / `-6` before the object (ip's global options) as after it.
    match ctx.options.family {
        Some(KwFamily::Inet) => filter.family = Some(Family::Inet),
        Some(KwFamily::Inet6) => filter.family = Some(Family::Inet6),
        _ => {}
    }
    let show_table = filter.all_tables;
    // ip leaves out what the selection pinned.
    let hide: Vec<&str> = [
        ("dev", filter.dev.is_some()),
        ("protocol", filter.protocol.is_some()),
        ("scope", filter.scope.is_some()),
        ("gateway", filter.via.is_some()),
        ("metric", filter.metric.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, pinned)| pinned.then_some(name))
    .collect();
    let main = !filter.all_tables && filter.table.is_none_or(|t| t == RouteTable::MAIN);
    let routes = match h.routes_matching(&filter) {
        Ok(r) => Some(r),
        // The main table exists only once a route was put in it (`FIB table
        // does not exist`): ip shows it as empty. Any other table that does
        // not exist is ip's error too (exit 2).
        Err(e) if e.kind() == netns_core::ErrorKind::NotFound && main => None,
        Err(e) if e.is_lookup() => {
            let dev = filter.dev.as_ref().map(|d| d.word()).unwrap_or_default();
            return Err(failure(e, "show", dev));
        }
        Err(e) => return Err(Failure::new(Group::AddrRoute, Stage::Run, e)),
    };
    let consistent = routes.as_ref().is_none_or(|r| r.is_consistent());
    if ctx.out.json() {
        let list: Vec<Fields> = routes
            .into_iter()
            .flatten()
            .map(|r| route_json(&r, &names, show_table, &hide))
            .collect();
        ctx.out.print_json(&list);
    } else {
        let mut out = String::new();
        for r in routes.into_iter().flatten() {
            out.push_str(&route_text(&r, &names, show_table, &hide));
        }
        print!("{out}");
    }
    crate::output::warn_if_inconsistent(consistent);
    Ok(())
}

/// The fields of one route, in `ip route`'s order: (JSON name, text
/// format, value). Text is `format` with `{}` replaced by the value.
fn route_fields(
    r: &RouteRef<'_>,
    names: &BTreeMap<u32, String>,
    show_table: bool,
) -> Vec<(&'static str, &'static str, Value)> {
    let mut f: Vec<(&'static str, &'static str, Value)> = Vec::new();
    let kind = r.kind();
    if kind != TYPE_UNICAST {
        f.push((
            "type",
            "{} ",
            json!(type_name(kind).map_or_else(|| kind.to_string(), str::to_string)),
        ));
    }
    let dst = match r.destination() {
        Some(d) if d.is_host() => d.addr().to_string(),
        Some(d) => d.to_string(),
        None if r.dst_len() == 0 => "default".to_string(),
        None => format!("0/{}", r.dst_len()),
    };
    f.push(("dst", "{} ", json!(dst)));
    if let Some(src) = r.source() {
        f.push(("src", "from {} ", json!(src.to_string())));
    }
    // ip prints nhid right after the source (iproute.c, print_route).
    if let Some(id) = r.nhid() {
        f.push(("nhid", "nhid {} ", json!(id)));
    }
    if r.tos() != 0 {
        f.push(("tos", "tos {} ", json!(format!("{:#x}", r.tos()))));
    }
    if let Some(gw) = r.gateway() {
        if r.gateway_is_via() {
            // RTA_VIA: ip writes the family (`via inet6 fe80::1`), and in
            // JSON an object.
            f.push((
                "via",
                "via {} ",
                json!({"family": family_word(gw), "host": gw.to_string()}),
            ));
        } else {
            f.push(("gateway", "via {} ", json!(gw.to_string())));
        }
    }
    if let Some(oif) = r.oif() {
        f.push((
            "dev",
            "dev {} ",
            json!(names
                .get(&oif)
                .cloned()
                .unwrap_or_else(|| format!("if{oif}"))),
        ));
    }
    let table = r.table();
    if show_table && table != 0 && table != RouteTable::MAIN.id() {
        let t = RouteTable::new(table).map_or_else(|| table.to_string(), |t| t.to_string());
        f.push(("table", "table {} ", json!(t)));
    }
    if r.flags() & RTM_F_CLONED == 0 {
        if r.protocol() != PROTO_BOOT {
            let p = r.protocol();
            f.push((
                "protocol",
                "proto {} ",
                json!(protocol_name(p).map_or_else(|| p.to_string(), str::to_string)),
            ));
        }
        if r.scope() != SCOPE_UNIVERSE {
            let s = r.scope();
            f.push((
                "scope",
                "scope {} ",
                json!(scope_name(s).map_or_else(|| s.to_string(), str::to_string)),
            ));
        }
    }
    if let Some(src) = r.prefsrc() {
        f.push(("prefsrc", "src {} ", json!(src.to_string())));
    }
    if let Some(m) = r.metric() {
        f.push(("metric", "metric {} ", json!(m)));
    }
    if let Some(m) = r.mtu() {
        f.push(("mtu", "mtu {} ", json!(m)));
    }
    if let Some(m) = r.advmss() {
        f.push(("advmss", "advmss {} ", json!(m)));
    }
    f
}

/// The paths of a multipath route as ip prints them: `\tnexthop via GW dev
/// X weight N ` lines.
fn nexthop_text(r: &RouteRef<'_>, names: &BTreeMap<u32, String>) -> String {
    let mut s = String::new();
    for hop in r.nexthops() {
        s.push_str("\n\tnexthop ");
        if let Some(gw) = hop.gateway {
            s.push_str(&format!("via {} ", gateway_words(gw, r.family())));
        }
        if let Some(netns_core::link::Dev::Index(i)) = &hop.dev {
            let name = names
                .get(&i.get())
                .cloned()
                .unwrap_or_else(|| format!("if{i}"));
            s.push_str(&format!("dev {name} "));
        }
        s.push_str(&format!("weight {} ", hop.weight.unwrap_or(1)));
        for w in flag_words(hop.flags) {
            s.push_str(w);
            s.push(' ');
        }
    }
    s
}

/// ip's name of an address's family (`inet`, `inet6`).
fn family_word(ip: IpAddr) -> &'static str {
    if ip.is_ipv4() {
        "inet"
    } else {
        "inet6"
    }
}

fn flag_words(flags: u32) -> Vec<&'static str> {
    let mut w = Vec::new();
    for (mask, name) in [
        (RTNH_F_DEAD, "dead"),
        (RTNH_F_ONLINK, "onlink"),
        (RTNH_F_LINKDOWN, "linkdown"),
    ] {
        if flags & mask != 0 {
            w.push(name);
        }
    }
    w
}

fn pref_word(p: u8) -> String {
    match p {
        0 => "medium".into(),
        1 => "high".into(),
        3 => "low".into(),
        n => n.to_string(),
    }
}

/// One route as ip prints it, without the fields the selection pinned
/// (`hide`: `dev`, `protocol`, `scope`, `gateway`, as ip leaves them out).
pub(crate) fn route_text(
    r: &RouteRef<'_>,
    names: &BTreeMap<u32, String>,
    show_table: bool,
    hide: &[&str],
) -> String {
    let mut s = String::new();
    for (name, fmt, v) in route_fields(r, names, show_table) {
        if hide.contains(&name) {
            continue;
        }
        let text = match &v {
            Value::String(t) => t.clone(),
            Value::Object(o) if name == "via" => format!(
                "{} {}",
                o.get("family").and_then(Value::as_str).unwrap_or_default(),
                o.get("host").and_then(Value::as_str).unwrap_or_default()
            ),
            other => other.to_string(),
        };
        s.push_str(&fmt.replacen("{}", &text, 1));
    }
    for w in flag_words(r.flags()) {
        s.push_str(w);
        s.push(' ');
    }
    if let Some(p) = r.pref() {
        s.push_str(&format!("pref {}", pref_word(p)));
    }
    s.push_str(&nexthop_text(r, names));
    s.push('\n');
    s
}

/// One route with ip's JSON names.
fn route_json(
    r: &RouteRef<'_>,
    names: &BTreeMap<u32, String>,
    show_table: bool,
    hide: &[&str],
) -> Fields {
    let mut m = Fields::default();
    for (name, _, v) in route_fields(r, names, show_table) {
        if hide.contains(&name) {
            continue;
        }
        m.push(name, v);
    }
    m.push("flags", json!(flag_words(r.flags())));
    if let Some(p) = r.pref() {
        m.push("pref", json!(pref_word(p)));
    }
    let hops: Vec<Value> = r
        .nexthops()
        .map(|h| nexthop_json(&h, r.family(), names))
        .collect();
    if !hops.is_empty() {
        m.push("nexthops", Value::Array(hops));
    }
    m
}

/// One path of a multipath route of `family` with ip's JSON names.
fn nexthop_json(hop: &NextHop, family: Option<Family>, names: &BTreeMap<u32, String>) -> Value {
    let mut o = serde_json::Map::new();
    match hop.gateway {
        // Of the other family: it came as RTA_VIA, an object in ip's JSON.
        Some(gw) if family.is_some_and(|f| f != Family::of(&gw)) => {
            o.insert(
                "via".into(),
                json!({"family": family_word(gw), "host": gw.to_string()}),
            );
        }
        Some(gw) => {
            o.insert("gateway".into(), json!(gw.to_string()));
        }
        None => {}
    }
    if let Some(Dev::Index(i)) = &hop.dev {
        let name = names
            .get(&i.get())
            .cloned()
            .unwrap_or_else(|| format!("if{i}"));
        o.insert("dev".into(), json!(name));
    }
    o.insert("weight".into(), json!(hop.weight.unwrap_or(1)));
    o.insert("flags".into(), json!(flag_words(hop.flags)));
    Value::Object(o)
}
