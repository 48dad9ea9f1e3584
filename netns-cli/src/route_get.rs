//! `netns route get` and `netns route flush`: ip route's syntax over the
//! core's route lookup ([`RouteQuery`]) and flush ([`RouteFilter`]).
//!
//! ```text
//! netns [-n NAME] [-j] route get ADDRESS [from ADDRESS] [iif DEV] [oif DEV] [mark N] [fibmatch]
//! netns [-n NAME] route flush [table T|all] [dev DEV] [proto P] [type T] [root PREFIX] [-4|-6]
//! netns [-n NAME] route flush cache
//! ```
//!
//! Exit statuses as iproute2 6.1's: 0; 1 for a usage error or a device that
//! does not exist (and `flush` without arguments); 2 when the kernel
//! refuses (`Network is unreachable`).

use std::collections::BTreeMap;
use std::net::IpAddr;

use netns_core::addr::{Family, IpNet};
use netns_core::route::{
    parse_protocol, parse_scope, parse_selector, parse_type, protocol_name, scope_name, type_name,
    Route, RouteFilter, RouteQuery, RouteTable, PROTO_BOOT, RTM_F_CLONED, SCOPE_UNIVERSE,
    TYPE_UNICAST,
};
use serde_json::{json, Map, Value};

use crate::addr::{failure, open_handle, usage};
use crate::output::{self, Outcome};
use crate::{Context, Usage};

/// `route get …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteGet {
    /// The lookup.
    pub query: RouteQuery,
}

/// `route flush …`: the routes, or the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteFlush {
    /// The routes `filter` selects.
    Routes(RouteFilter),
    /// `flush cache`: nothing to do on Linux ≥ 3.6 (no IPv4 route cache);
    /// accepted as ip accepts it.
    Cache,
}

fn value<'a>(it: &mut std::slice::Iter<'a, String>, key: &str) -> Result<&'a str, Usage> {
    it.next()
        .map(String::as_str)
        .ok_or_else(|| usage(&format!("argument \"{key}\" needs a value")))
}

/// Parses the words after `route get`.
pub(crate) fn parse_get(args: &[String]) -> Result<RouteGet, Usage> {
    let mut to: Option<IpAddr> = None;
    let (mut from, mut iif, mut oif, mut mark, mut fibmatch) = (None, None, None, None, false);
    let mut it = args.iter();
    let addr = |v: &str| {
        v.split('/')
            .next()
            .and_then(|a| a.parse::<IpAddr>().ok())
            .ok_or_else(|| {
                usage(&format!(
                    "any valid prefix is expected rather than \"{v}\"."
                ))
            })
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "from" => from = Some(addr(value(&mut it, "from")?)?),
            "iif" => iif = Some(value(&mut it, "iif")?.to_owned()),
            "oif" | "dev" => oif = Some(value(&mut it, "oif")?.to_owned()),
            "mark" => {
                let v = value(&mut it, "mark")?;
                let n = match v.strip_prefix("0x") {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => v.parse().ok(),
                };
                mark = Some(n.ok_or_else(|| usage(&format!("invalid mark \"{v}\"")))?);
            }
            "fibmatch" => fibmatch = true,
            "to" => to = Some(addr(value(&mut it, "to")?)?),
            a if to.is_none() => to = Some(addr(a)?),
            a => {
                return Err(usage(&format!(
                    "either \"to\" is duplicate, or \"{a}\" is a garbage."
                )))
            }
        }
    }
    let to = to.ok_or_else(|| usage("need at least a destination address"))?;
    let mut query = RouteQuery::to(to).fibmatch(fibmatch);
    if let Some(a) = from {
        query = query.from(a);
    }
    if let Some(d) = iif {
        query = query.iif(d);
    }
    if let Some(d) = oif {
        query = query.oif(d);
    }
    if let Some(m) = mark {
        query = query.mark(m);
    }
    Ok(RouteGet { query })
}

/// Parses the words after `route flush`.
pub(crate) fn parse_flush(args: &[String]) -> Result<RouteFlush, Usage> {
    if args.is_empty() {
        return Err(usage("\"ip route flush\" requires arguments."));
    }
    if args.len() == 1 && args[0] == "cache" {
        return Ok(RouteFlush::Cache);
    }
    parse_selectors(args).map(RouteFlush::Routes)
}

/// The selectors of `ip route show` and `ip route flush` (iproute2's
/// `iproute_list_flush_or_save`): `table T|all`, `-4|-6`, `dev|oif DEV`,
/// `proto P`, `type T`, `scope S`, `via ADDRESS`, `src PREFIX`, and the
/// destination: `[to] [root|match|exact] PREFIX|default` (a prefix alone is
/// `exact`). The table is `main` and the family IPv4 unless given, as ip's.
pub(crate) fn parse_selectors(args: &[String]) -> Result<RouteFilter, Usage> {
    use crate::keywords::{keyword, ROUTE_SHOW_WORDS, ROUTE_TO_WORDS};
    let mut filter = RouteFilter::new().family(Family::Inet);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match keyword(ROUTE_SHOW_WORDS, arg) {
            "table" => match value(&mut it, "table")? {
                "all" | "0" => {
                    filter.all_tables = true;
                    filter.table = None;
                    filter.family = None;
                }
                t => {
                    // The last `table` wins; a family `table all` cleared
                    // stays cleared, as in ip.
                    filter.all_tables = false;
                    filter = filter.table(
                        t.parse::<RouteTable>()
                            .map_err(|_| invarg(t, "\"table\" value is invalid"))?,
                    )
                }
            },
            "dev" | "oif" => filter = filter.dev(value(&mut it, "dev")?),
            "protocol" => {
                let v = value(&mut it, "protocol")?;
                if v != "all" {
                    filter = filter.protocol(
                        parse_protocol(v).ok_or_else(|| invarg(v, "invalid \"protocol\""))?,
                    );
                }
            }
            "type" => {
                let v = value(&mut it, "type")?;
                filter.kind = Some(parse_type(v).ok_or_else(|| {
                    usage(&format!(
                        "argument \"{v}\" is wrong: node type value is invalid"
                    ))
                })?);
            }
            "scope" => {
                let v = value(&mut it, "scope")?;
                if v != "all" {
                    filter.scope =
                        Some(parse_scope(v).ok_or_else(|| invarg(v, "invalid \"scope\""))?);
                }
            }
            "via" => {
                let v = value(&mut it, "via")?;
                filter = filter.via(v.parse().map_err(|_| {
                    usage(&format!(
                        "any valid address is expected rather than \"{v}\"."
                    ))
                })?);
            }
            "src" => {
                let v = value(&mut it, "src")?;
                filter.src = Some(prefix(v)?);
            }
            "metric" | "preference" => {
                let v = value(&mut it, "metric")?;
                filter.metric = Some(
                    v.parse()
                        .map_err(|_| invarg(v, "\"metric\" value is invalid"))?,
                );
            }
            "-4" => filter.family = Some(Family::Inet),
            "-6" => filter.family = Some(Family::Inet6),
            word => {
                // `[to] [root|match|exact] PREFIX`: every other word, the
                // last one winning, as ip reads them.
                let mut word = word;
                if keyword(ROUTE_TO_WORDS, word) == "to" {
                    word = value(&mut it, "to")?;
                }
                let how = keyword(ROUTE_TO_WORDS, word);
                let v = match how {
                    "root" | "match" | "exact" => value(&mut it, how)?,
                    _ => word,
                };
                let net = prefix(v)?;
                (filter.root, filter.matching, filter.exact) = match how {
                    "root" => (Some(net), None, None),
                    "match" => (None, Some(net), None),
                    _ => (None, None, Some(net)),
                };
            }
        }
    }
    Ok(filter)
}

/// ip's `invarg`: `argument "V" is wrong: WHY`, exit 255.
fn invarg(value: &str, why: &str) -> Usage {
    Usage::new(format!("argument \"{value}\" is wrong: {why}"), 255)
}

/// A selector's prefix, by the core's rule ([`parse_selector`]).
fn prefix(word: &str) -> Result<IpNet, Usage> {
    parse_selector(word).map_err(|e| usage(&format!("{}.", e.detail().unwrap_or(word))))
}

/// Runs `route get`.
pub(crate) fn get(ctx: &Context, cmd: &RouteGet) -> u8 {
    output::status(get_outcome(ctx, cmd))
}

fn get_outcome(ctx: &Context, cmd: &RouteGet) -> Outcome {
    let mut h = open_handle(ctx)?;
    let r = h
        .route_get(&cmd.query)
        .map_err(|e| failure(e, "look up", &cmd.query))?;
    let names: BTreeMap<u32, String> = h
        .interface_names()
        .map_err(|e| failure(e, "list", "links"))?;
    if ctx.out.json() {
        ctx.out.print_json(&[get_json(&r, &names)]);
    } else {
        print!("{}", get_text(&r, &names));
    }
    Ok(())
}

/// The fields of a lookup's answer in ip's order: (JSON name, text word,
/// value).
fn get_fields(
    r: &Route,
    names: &BTreeMap<u32, String>,
) -> Vec<(&'static str, &'static str, Value)> {
    let mut f = Vec::new();
    if r.kind != TYPE_UNICAST {
        f.push((
            "type",
            "",
            json!(type_name(r.kind).map_or_else(|| r.kind.to_string(), str::to_owned)),
        ));
    }
    let dst = match r.destination {
        Some(d) if d.is_host() => d.addr().to_string(),
        Some(d) => d.to_string(),
        None => "default".to_owned(),
    };
    f.push(("dst", "", json!(dst)));
    if let Some(g) = r.gateway {
        f.push(("gateway", "via", json!(g.to_string())));
    }
    if let Some(o) = r.oif {
        f.push((
            "dev",
            "dev",
            json!(names.get(&o).cloned().unwrap_or_else(|| format!("if{o}"))),
        ));
    }
    let cloned = r.flags & RTM_F_CLONED != 0;
    if !cloned {
        if r.table != 0 && r.table != RouteTable::MAIN.id() {
            let t = RouteTable::new(r.table).map_or_else(|| r.table.to_string(), |t| t.to_string());
            f.push(("table", "table", json!(t)));
        }
        if r.protocol != PROTO_BOOT {
            f.push((
                "protocol",
                "proto",
                json!(
                    protocol_name(r.protocol).map_or_else(|| r.protocol.to_string(), str::to_owned)
                ),
            ));
        }
        if r.scope != SCOPE_UNIVERSE {
            f.push((
                "scope",
                "scope",
                json!(scope_name(r.scope).map_or_else(|| r.scope.to_string(), str::to_owned)),
            ));
        }
    }
    if let Some(s) = r.prefsrc {
        f.push(("prefsrc", "src", json!(s.to_string())));
    }
    if let Some(m) = r.metric {
        f.push(("metric", "metric", json!(m)));
    }
    if let Some(u) = r.uid {
        f.push(("uid", "uid", json!(u)));
    }
    f
}

/// ip's text: `10.6.1.1 via 10.1.1.2 dev v0 src 10.1.1.1 uid 0 \n    cache \n`.
fn get_text(r: &Route, names: &BTreeMap<u32, String>) -> String {
    let mut s = String::new();
    for (_, word, v) in get_fields(r, names) {
        if !word.is_empty() {
            s.push_str(word);
            s.push(' ');
        }
        match v {
            Value::String(t) => s.push_str(&t),
            other => s.push_str(&other.to_string()),
        }
        s.push(' ');
    }
    s.push('\n');
    if r.flags & RTM_F_CLONED != 0 {
        s.push_str("    cache ");
        if let Some(m) = r.mtu {
            s.push_str(&format!("mtu {m} "));
        }
        if let Some(m) = r.advmss {
            s.push_str(&format!("advmss {m} "));
        }
        s.push('\n');
    }
    s
}

fn get_json(r: &Route, names: &BTreeMap<u32, String>) -> Value {
    let mut m = Map::new();
    let fields = get_fields(r, names);
    let (before, after): (Vec<_>, Vec<_>) = fields.into_iter().partition(|(n, _, _)| *n != "uid");
    for (n, _, v) in before {
        m.insert(n.into(), v);
    }
    m.insert("flags".into(), json!([]));
    for (n, _, v) in after {
        m.insert(n.into(), v);
    }
    if r.flags & RTM_F_CLONED != 0 {
        m.insert("cache".into(), json!([]));
    }
    let mut metrics = Map::new();
    if let Some(v) = r.mtu {
        metrics.insert("mtu".into(), json!(v));
    }
    if let Some(v) = r.advmss {
        metrics.insert("advmss".into(), json!(v));
    }
    if !metrics.is_empty() {
        m.insert("metrics".into(), json!([Value::Object(metrics)]));
    }
    Value::Object(m)
}

/// Runs `route flush`.
pub(crate) fn flush(ctx: &Context, cmd: &RouteFlush) -> u8 {
    output::status(match cmd {
        RouteFlush::Cache => Ok(()),
        RouteFlush::Routes(filter) => open_handle(ctx).and_then(|mut h| {
            h.route_flush(filter)
                .map(drop)
                .map_err(|e| failure(e, "flush", "routes"))
        }),
    })
}

#[cfg(any(test, feature = "fuzzing"))]
impl RouteGet {
    /// The canonical words (after `route get`).
    pub fn words(&self) -> Vec<String> {
        let q = &self.query;
        let mut out = vec!["to".to_owned(), q.to.to_string()];
        if let Some(a) = q.from {
            out.extend(["from".into(), a.to_string()]);
        }
        if let Some(d) = &q.iif {
            out.extend(["iif".into(), d.word()]);
        }
        if let Some(d) = &q.oif {
            out.extend(["oif".into(), d.word()]);
        }
        if let Some(m) = q.mark {
            out.extend(["mark".into(), m.to_string()]);
        }
        if q.fibmatch {
            out.push("fibmatch".into());
        }
        out
    }
}

#[cfg(any(test, feature = "fuzzing"))]
impl RouteFlush {
    /// The canonical words (after `route flush`).
    pub fn words(&self) -> Vec<String> {
        match self {
            RouteFlush::Routes(f) => filter_words(f),
            RouteFlush::Cache => vec!["cache".into()],
        }
    }
}

/// The canonical words of a filter ([`parse_selectors`] turns them back
/// into an equal value).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn filter_words(f: &RouteFilter) -> Vec<String> {
    let mut out = Vec::new();
    // `table all` clears the family; a `table N` after it keeps that.
    if f.all_tables || f.family.is_none() {
        out.extend(["table".into(), "all".into()]);
    }
    if let (false, Some(t)) = (f.all_tables, f.table) {
        out.extend(["table".into(), t.id().to_string()]);
    }
    match f.family {
        Some(Family::Inet6) => out.push("-6".into()),
        Some(_) => out.push("-4".into()),
        None => {}
    }
    if let Some(d) = &f.dev {
        out.extend(["dev".into(), d.word()]);
    }
    if let Some(p) = f.protocol {
        out.extend(["proto".into(), p.to_string()]);
    }
    if let Some(k) = f.kind {
        out.extend(["type".into(), k.to_string()]);
    }
    if let Some(s) = f.scope {
        out.extend(["scope".into(), s.to_string()]);
    }
    if let Some(g) = f.via {
        out.extend(["via".into(), g.to_string()]);
    }
    if let Some(m) = f.metric {
        out.extend(["metric".into(), m.to_string()]);
    }
    if let Some(s) = f.src {
        out.extend(["src".into(), s.to_string()]);
    }
    for (word, net) in [("root", f.root), ("match", f.matching), ("exact", f.exact)] {
        if let Some(n) = net {
            out.extend([word.into(), n.to_string()]);
        }
    }
    out
}
