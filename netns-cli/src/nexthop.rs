//! `netns nexthop …`: ip nexthop's syntax over netns-core's nexthop objects.
//!
//! ```text
//! netns [-n NAME] [-4|-6] [-d] [-j] nexthop [show|list] [id ID] [dev DEV] [master DEV]
//!                                           [groups] [fdb] [protocol ID]
//! netns [-n NAME] [-6] nexthop add|replace [id ID] { blackhole | [via ADDR] [dev DEV] [onlink]
//!                         | group ID[,WEIGHT]/… [type mpath|resilient [buckets N]
//!                           [idle_timer S] [unbalanced_timer S]] } [fdb] [protocol P]
//! netns [-n NAME] nexthop get|del id ID
//! netns [-n NAME] nexthop flush [id ID] [dev DEV] [master DEV] [groups] [fdb] [protocol ID]
//! ```
//!
//! Words and exit statuses as iproute2 6.1's `ip/ipnexthop.c` (measured on
//! this machine): 0; 255 for usage errors, a device that does not exist
//! and a bad group, type or protocol; 1 for an address of the wrong family
//! and a `flush id` of nothing; 2 when the kernel refuses. `flush` prints
//! `Flushed N nexthops` or `Nothing to flush`, even with `-j`.

use std::collections::BTreeMap;
use std::net::IpAddr;

use netns_core::link::Dev;
use netns_core::nexthop::{
    flag_words, format_hundredths, parse_group, parse_number, GroupType, Nexthop, NexthopFilter,
    NexthopSpec, MAX_TIMER_SECONDS,
};
use netns_core::route::{parse_protocol, protocol_name, scope_name};
use serde_json::json;

use crate::keywords::{self, Verb, NEXTHOP_VERBS};
use crate::output::{Failure, Fields, Group, Outcome, Stage};
use crate::{Context, Usage};

pub(crate) const USAGE: &str = "\
Usage: netns nexthop { list | flush } [ protocol ID ] SELECTOR
       netns nexthop { add | replace } id ID NH [ protocol ID ]
       netns nexthop { get | del } id ID
SELECTOR := [ id ID ] [ dev DEV ] [ vrf NAME ] [ master DEV ]
            [ groups ] [ fdb ]
NH := { blackhole | [ via ADDRESS ] [ dev DEV ] [ onlink ]
        group GROUP [ fdb ] [ type TYPE [ TYPE_ARGS ] ] }
GROUP := [ <id[,weight]>/<id[,weight]>/... ]
TYPE := { mpath | resilient }
TYPE_ARGS := [ RESILIENT_ARGS ]
RESILIENT_ARGS := [ buckets BUCKETS ] [ idle_timer IDLE ]
                  [ unbalanced_timer UNBALANCED ]";

/// A parsed `nexthop` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NexthopCommand {
    /// `show [selectors]` (`show id ID` is a get).
    Show(NexthopFilter),
    /// `flush [selectors]`.
    Flush(NexthopFilter),
    /// `add|replace …`.
    Change(NexthopOp, NexthopSpec),
    /// `del id ID` (`None`: no id given; the refusal is the core's, as
    /// ip's is the kernel's).
    Delete(Option<u32>),
    /// `get id ID`.
    Get(u32),
}

/// What `add` and `replace` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NexthopOp {
    /// `add`.
    Add,
    /// `replace`.
    Replace,
}

/// ip's `invarg`: `argument "X" is wrong: WHY`, 255.
fn invarg(why: &str, arg: &str) -> Usage {
    let why = why.trim_end();
    if why.is_empty() {
        Usage::new(format!("argument \"{arg}\" is wrong"), 255)
    } else {
        Usage::new(format!("argument \"{arg}\" is wrong: {why}"), 255)
    }
}

fn usage() -> Usage {
    Usage::new(USAGE, 255)
}

fn next_value<'a>(it: &mut std::slice::Iter<'a, String>) -> Result<&'a str, Usage> {
    it.next()
        .map(String::as_str)
        .ok_or_else(|| Usage::new("Command line is not complete. Try option \"help\"", 255))
}

fn matches(word: &str, keyword: &str) -> bool {
    keywords::matches(word, keyword)
}

fn parse_id(s: &str) -> Result<u32, Usage> {
    parse_number(s).ok_or_else(|| invarg("invalid id value", s))
}

/// Parses `netns nexthop ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<NexthopCommand, Usage> {
    let Some((cmd, rest)) = args.split_first() else {
        return Ok(NexthopCommand::Show(NexthopFilter::new()));
    };
    match keywords::lookup(NEXTHOP_VERBS, cmd) {
        Some(Verb::Add) => parse_change(rest, NexthopOp::Add),
        Some(Verb::Replace) => parse_change(rest, NexthopOp::Replace),
        Some(Verb::Delete) => {
            let spec = parse_spec(rest)?;
            Ok(NexthopCommand::Delete(spec.id))
        }
        Some(Verb::Show) => parse_filter(rest).map(NexthopCommand::Show),
        Some(Verb::Get) => parse_get(rest),
        Some(Verb::Flush) => parse_filter(rest).map(NexthopCommand::Flush),
        Some(Verb::Bucket) => Err(Usage::new(
            "\"nexthop bucket\" is not supported by netns yet (docs/cli.md).",
            255,
        )),
        Some(Verb::Help) => Err(usage()),
        _ => Err(Usage::new(
            format!("Command \"{cmd}\" is unknown, try \"netns nexthop help\"."),
            255,
        )),
    }
}

fn parse_change(args: &[String], op: NexthopOp) -> Result<NexthopCommand, Usage> {
    Ok(NexthopCommand::Change(op, parse_spec(args)?))
}

/// `ipnh_modify`'s words.
fn parse_spec(args: &[String]) -> Result<NexthopSpec, Usage> {
    let mut spec = NexthopSpec::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let a = arg.as_str();
        match a {
            "id" => spec.id = Some(parse_id(next_value(&mut it)?)?),
            "dev" => spec.dev = Some(Dev::from(next_value(&mut it)?)),
            "via" => {
                let mut v = next_value(&mut it)?;
                let mut family = None;
                if let Some(f) = keywords::read_family(v) {
                    family = Some(f);
                    v = next_value(&mut it)?;
                }
                let addr: IpAddr = v.parse().map_err(|_| {
                    Usage::new(
                        format!("any valid address is expected rather than \"{v}\"."),
                        1,
                    )
                })?;
                let expected = match (family, spec.gateway) {
                    (Some(keywords::Family::Inet), _) => Some(false),
                    (Some(keywords::Family::Inet6), _) => Some(true),
                    (_, Some(gw)) => Some(gw.is_ipv6()),
                    _ => None,
                };
                if let Some(v6) = expected.filter(|&v6| v6 != addr.is_ipv6()) {
                    let word = if v6 { "inet6" } else { "inet" };
                    return Err(Usage::new(
                        format!("{word} address is expected rather than \"{v}\"."),
                        1,
                    ));
                }
                spec.gateway = Some(addr);
            }
            "encap" => {
                return Err(Usage::new(
                    "nexthop \"encap\" is not supported by netns yet (docs/cli.md).",
                    255,
                ))
            }
            "blackhole" => spec.blackhole = true,
            "fdb" => spec.fdb = true,
            "onlink" => spec.onlink = true,
            "group" => {
                let v = next_value(&mut it)?;
                spec.group = parse_group(v).map_err(|_| {
                    // ip names the bad weight when that is what is wrong.
                    let bad_weight = v.split('/').find_map(|m| {
                        let (_, w) = m.split_once(',')?;
                        let ok = parse_number(w).is_some_and(|w| (1..=256).contains(&w));
                        (!ok).then_some(w)
                    });
                    match bad_weight {
                        Some(w) => invarg("\"weight\" is invalid\n", w),
                        None => invarg("\"group\" value is invalid\n", v),
                    }
                })?;
            }
            "type" => {
                let v = next_value(&mut it)?;
                let t: GroupType = v
                    .parse()
                    .map_err(|_| invarg("\"type\" value is invalid\n", v))?;
                spec.group_type = Some(t);
                if t == GroupType::Resilient {
                    parse_resilient(&mut it, &mut spec)?;
                }
            }
            "help" => return Err(usage()),
            a if matches(a, "protocol") => {
                let v = next_value(&mut it)?;
                spec.protocol = Some(
                    parse_protocol(v)
                        .ok_or_else(|| invarg("\"protocol\" value is invalid\n", v))?,
                );
            }
            a => return Err(invarg("", a)),
        }
    }
    Ok(spec)
}

/// `buckets N idle_timer S unbalanced_timer S` after `type resilient`:
/// consumed while they come (the next other word is parsed as usual).
fn parse_resilient(
    it: &mut std::slice::Iter<'_, String>,
    spec: &mut NexthopSpec,
) -> Result<(), Usage> {
    loop {
        let mut peek = it.clone();
        match peek.next().map(String::as_str) {
            Some("buckets") => {
                *it = peek;
                let v = next_value(it)?;
                let b = parse_number(v)
                    .and_then(|b| u16::try_from(b).ok())
                    .ok_or_else(|| invarg("invalid buckets value", v))?;
                spec.resilient.buckets = Some(b);
            }
            Some(word @ ("idle_timer" | "unbalanced_timer")) => {
                *it = peek;
                let v = next_value(it)?;
                let what = if word == "idle_timer" {
                    "invalid idle timer value"
                } else {
                    "invalid unbalanced timer value"
                };
                let s = parse_number(v)
                    .filter(|&s| s <= MAX_TIMER_SECONDS)
                    .ok_or_else(|| invarg(what, v))?;
                if word == "idle_timer" {
                    spec.resilient.idle_timer = Some(s);
                } else {
                    spec.resilient.unbalanced_timer = Some(s);
                }
            }
            _ => return Ok(()),
        }
    }
}

fn parse_get(args: &[String]) -> Result<NexthopCommand, Usage> {
    let mut id = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "id" => id = Some(parse_id(next_value(&mut it)?)?),
            _ => return Err(usage()),
        }
    }
    match id {
        Some(id) if id != 0 => Ok(NexthopCommand::Get(id)),
        _ => Err(usage()),
    }
}

/// `ipnh_list_flush`'s words, in its order of `matches`.
fn parse_filter(args: &[String]) -> Result<NexthopFilter, Usage> {
    let mut filter = NexthopFilter::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let a = arg.as_str();
        if matches(a, "dev") {
            filter.dev = Some(Dev::from(next_value(&mut it)?));
        } else if matches(a, "groups") {
            filter.groups = true;
        } else if matches(a, "master") || matches(a, "vrf") {
            filter.master = Some(Dev::from(next_value(&mut it)?));
        } else if a == "id" {
            // ip acts on the id at once and reads no further.
            filter.id = Some(parse_id(next_value(&mut it)?)?);
            return Ok(filter);
        } else if matches(a, "protocol") {
            let v = next_value(&mut it)?;
            let p = parse_number(v)
                .and_then(|p| u8::try_from(p).ok())
                .ok_or_else(|| invarg("invalid protocol value", v))?;
            filter.protocol = Some(p);
        } else if matches(a, "fdb") {
            filter.fdb = true;
        } else if matches(a, "help") {
            return Err(usage());
        } else {
            return Err(invarg("", a));
        }
    }
    Ok(filter)
}

/// Runs a parsed `nexthop` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: NexthopCommand) -> u8 {
    let family = match ctx.options.family {
        Some(keywords::Family::Inet) => Some(netns_core::addr::Family::Inet),
        Some(keywords::Family::Inet6) => Some(netns_core::addr::Family::Inet6),
        _ => None,
    };
    crate::output::status(match cmd {
        NexthopCommand::Show(mut f) => {
            if f.family.is_none() {
                f.family = family;
            }
            show(ctx, &f)
        }
        NexthopCommand::Flush(mut f) => {
            if f.family.is_none() {
                f.family = family;
            }
            if f.id.is_some() {
                // ip: a failed `flush id` exits 1.
                return match flush(ctx, &f) {
                    Ok(()) => 0,
                    Err(e) => {
                        e.report();
                        1
                    }
                };
            }
            flush(ctx, &f)
        }
        NexthopCommand::Change(op, mut spec) => {
            if spec.family.is_none() && spec.group.is_empty() {
                spec.family = family;
            }
            change(ctx, op, &spec)
        }
        NexthopCommand::Delete(id) => delete(ctx, id),
        NexthopCommand::Get(id) => get(ctx, id),
    })
}

/// A failure: a device that cannot be found is ip's `invarg` (255); any
/// other refusal 2.
fn failure(e: netns_core::Error) -> Failure {
    let stage = if e.is_lookup() {
        Stage::Open
    } else {
        Stage::Run
    };
    Failure::new(Group::NeighRule, stage, e)
}

fn open_handle(ctx: &Context) -> Result<netns_core::Handle, Failure> {
    ctx.handle()
        .map_err(|e| Failure::new(Group::NeighRule, Stage::Open, e))
}

fn change(ctx: &Context, op: NexthopOp, spec: &NexthopSpec) -> Outcome {
    let mut h = open_handle(ctx)?;
    match op {
        NexthopOp::Add => h.nexthop_add(spec),
        NexthopOp::Replace => h.nexthop_replace(spec),
    }
    .map_err(failure)
}

fn delete(ctx: &Context, id: Option<u32>) -> Outcome {
    let mut h = open_handle(ctx)?;
    h.nexthop_del(id.unwrap_or(0)).map_err(failure)
}

fn get(ctx: &Context, id: u32) -> Outcome {
    let mut h = open_handle(ctx)?;
    let nh = h.nexthop_get(id).map_err(failure)?;
    let names = h.interface_names().map_err(failure)?;
    print(ctx, &[nh], &names);
    Ok(())
}

fn show(ctx: &Context, filter: &NexthopFilter) -> Outcome {
    let mut h = open_handle(ctx)?;
    let names = h.interface_names().map_err(failure)?;
    let details = ctx.options.details > 0;
    let nexthops = h.nexthops(filter).map_err(failure)?;
    let consistent = nexthops.is_consistent();
    if ctx.out.json() {
        let owned: Vec<Nexthop> = nexthops.map(|n| n.to_owned()).collect();
        print(ctx, &owned, &names);
    } else {
        let mut out = String::new();
        for n in nexthops {
            let dev = n.oif().and_then(|i| names.get(&i)).map(String::as_str);
            line(
                &mut out,
                &n.display(dev).details(details).to_string(),
                n.is_fdb(),
            );
        }
        print!("{out}");
    }
    crate::output::warn_if_inconsistent(consistent);
    Ok(())
}

/// ip's line: a space after every field but `fdb`.
fn line(out: &mut String, text: &str, fdb: bool) {
    out.push_str(text);
    if !fdb {
        out.push(' ');
    }
    out.push('\n');
}

fn print(ctx: &Context, nexthops: &[Nexthop], names: &BTreeMap<u32, String>) {
    let details = ctx.options.details > 0;
    if ctx.out.json() {
        let rows: Vec<Fields> = nexthops
            .iter()
            .map(|n| json_of(n, names, details))
            .collect();
        ctx.out.print_json(&rows);
    } else {
        let mut out = String::new();
        for n in nexthops {
            let dev = n.oif.and_then(|i| names.get(&i)).map(String::as_str);
            line(
                &mut out,
                &n.display(dev).details(details).to_string(),
                n.fdb,
            );
        }
        print!("{out}");
    }
}

/// One nexthop with `ip -j nexthop`'s names, in its order.
fn json_of(n: &Nexthop, names: &BTreeMap<u32, String>, details: bool) -> Fields {
    let mut m = Fields::default();
    m.push("id", json!(n.id));
    if !n.group.is_empty() {
        let members = n
            .group
            .iter()
            .map(|g| {
                let mut f = Fields::default();
                f.push("id", json!(g.id));
                if g.weight != 1 {
                    f.push("weight", json!(g.weight));
                }
                f
            })
            .collect();
        m.push_list("group", members);
    }
    if n.group_type != 0 {
        let t = GroupType::from_raw(n.group_type).map_or("<unknown type>", GroupType::name);
        m.push("type", json!(t));
    }
    if let Some(r) = &n.resilient {
        let seconds = |h: u64| -> serde_json::Value {
            let text = format_hundredths(h);
            text.parse::<u64>()
                .map(|s| json!(s))
                .unwrap_or_else(|_| json!(text.parse::<f64>().unwrap_or(0.0)))
        };
        let mut f = Fields::default();
        f.push("buckets", json!(r.buckets));
        f.push("idle_timer", seconds(u64::from(r.idle_timer)));
        f.push("unbalanced_timer", seconds(u64::from(r.unbalanced_timer)));
        f.push("unbalanced_time", seconds(r.unbalanced_time));
        m.push_object("resilient_args", f);
    }
    if let Some(gw) = n.gateway {
        m.push("gateway", json!(gw.to_string()));
    }
    if let Some(i) = n.oif {
        m.push(
            "dev",
            json!(names.get(&i).cloned().unwrap_or_else(|| format!("if{i}"))),
        );
    }
    if n.scope != 0 || details {
        let s = scope_name(n.scope).map_or_else(|| n.scope.to_string(), str::to_owned);
        m.push("scope", json!(s));
    }
    if n.blackhole {
        m.push("blackhole", serde_json::Value::Null);
    }
    if n.protocol != 0 || details {
        let p = protocol_name(n.protocol).map_or_else(|| n.protocol.to_string(), str::to_owned);
        m.push("protocol", json!(p));
    }
    m.push("flags", json!(flag_words(n.flags).collect::<Vec<_>>()));
    if n.fdb {
        m.push("fdb", serde_json::Value::Null);
    }
    m
}

fn flush(ctx: &Context, filter: &NexthopFilter) -> Outcome {
    let mut h = open_handle(ctx)?;
    let n = h.nexthop_flush(filter).map_err(failure)?;
    if filter.id.is_none() {
        if n == 0 {
            println!("Nothing to flush");
        } else {
            println!("Flushed {n} nexthops");
        }
    }
    Ok(())
}

#[cfg(any(test, feature = "fuzzing"))]
impl NexthopCommand {
    /// The canonical words of the command (after `nexthop`):
    /// [`crate::parse`] turns them back into an equal value.
    pub fn words(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        match self {
            NexthopCommand::Show(f) => {
                out.push("show".into());
                filter_words(f, &mut out);
            }
            NexthopCommand::Flush(f) => {
                out.push("flush".into());
                filter_words(f, &mut out);
            }
            NexthopCommand::Get(id) => out.extend(["get".into(), "id".into(), id.to_string()]),
            NexthopCommand::Delete(id) => {
                out.push("delete".into());
                if let Some(id) = id {
                    out.extend(["id".into(), id.to_string()]);
                }
            }
            NexthopCommand::Change(op, spec) => {
                out.push(
                    match op {
                        NexthopOp::Add => "add",
                        NexthopOp::Replace => "replace",
                    }
                    .into(),
                );
                spec_words(spec, &mut out);
            }
        }
        out
    }
}

#[cfg(any(test, feature = "fuzzing"))]
fn filter_words(f: &NexthopFilter, out: &mut Vec<String>) {
    if let Some(d) = &f.dev {
        out.extend(["dev".into(), d.word()]);
    }
    if f.groups {
        out.push("groups".into());
    }
    if let Some(d) = &f.master {
        out.extend(["master".into(), d.word()]);
    }
    if let Some(p) = f.protocol {
        out.extend(["protocol".into(), p.to_string()]);
    }
    if f.fdb {
        out.push("fdb".into());
    }
    if let Some(id) = f.id {
        out.extend(["id".into(), id.to_string()]);
    }
}

#[cfg(any(test, feature = "fuzzing"))]
fn spec_words(s: &NexthopSpec, out: &mut Vec<String>) {
    if let Some(id) = s.id {
        out.extend(["id".into(), id.to_string()]);
    }
    if let Some(gw) = s.gateway {
        out.extend(["via".into(), gw.to_string()]);
    }
    if let Some(d) = &s.dev {
        out.extend(["dev".into(), d.word()]);
    }
    if s.onlink {
        out.push("onlink".into());
    }
    if s.blackhole {
        out.push("blackhole".into());
    }
    if !s.group.is_empty() {
        let g: Vec<String> = s
            .group
            .iter()
            .map(|m| format!("{},{}", m.id, m.weight))
            .collect();
        out.extend(["group".into(), g.join("/")]);
    }
    if let Some(t) = s.group_type {
        out.extend(["type".into(), t.name().into()]);
        if let Some(b) = s.resilient.buckets {
            out.extend(["buckets".into(), b.to_string()]);
        }
        if let Some(t) = s.resilient.idle_timer {
            out.extend(["idle_timer".into(), t.to_string()]);
        }
        if let Some(t) = s.resilient.unbalanced_timer {
            out.extend(["unbalanced_timer".into(), t.to_string()]);
        }
    }
    if s.fdb {
        out.push("fdb".into());
    }
    if let Some(p) = s.protocol {
        out.extend(["protocol".into(), p.to_string()]);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use netns_core::nexthop::GroupMember;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn ip_words_become_specs_and_back() {
        let NexthopCommand::Change(NexthopOp::Add, spec) = parse(&words(
            "add id 5 group 1,10/2 type resilient buckets 8 idle_timer 120 proto static",
        ))
        .unwrap() else {
            panic!()
        };
        assert_eq!(spec.id, Some(5));
        assert_eq!(
            spec.group,
            [GroupMember::weighted(1, 10), GroupMember::new(2)]
        );
        assert_eq!(spec.group_type, Some(GroupType::Resilient));
        assert_eq!(spec.resilient.buckets, Some(8));
        assert_eq!(spec.resilient.idle_timer, Some(120));
        assert_eq!(spec.protocol, Some(4));
        for line in [
            "add id 1 via 10.0.0.1 dev veth0 onlink",
            "replace id 4 blackhole protocol 99",
            "show dev veth0 groups fdb",
            "flush id 3",
            "get id 7",
            "delete id 9",
            "add id 2 group 1,10/2,1 type mpath fdb",
        ] {
            let cmd = parse(&words(line)).unwrap();
            assert_eq!(parse(&cmd.words()).unwrap(), cmd, "{line}");
        }
    }

    #[test]
    fn refusals_have_ips_statuses() {
        for (line, status) in [
            ("add id 1 group 1,0", 255),
            ("add id 1 bogus", 255),
            ("add id x", 255),
            ("add id 1 via 1.2.3.4 via 2001:db8::1", 1),
            ("add id 1 group 1 type bogus", 255),
            ("get", 255),
            ("get 5", 255),
            ("bogus", 255),
            ("show bogus", 255),
            ("show id", 255),
            ("show protocol static", 255),
            ("help", 255),
        ] {
            let e = parse(&words(line)).unwrap_err();
            assert_eq!(e.status(), status, "{line}: {}", e.message());
        }
        // show's words by prefix, as ip's matches.
        assert_eq!(
            parse(&words("sh d veth0 g")).unwrap(),
            NexthopCommand::Show(NexthopFilter::new().dev("veth0").groups(true))
        );
    }
}
