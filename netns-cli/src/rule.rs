//! `netns rule …`: ip rule's syntax over netns-core's policy routing rules.
//!
//! ```text
//! netns [-n NAME] [-j] rule [list|show] [-4|-6]
//! netns [-n NAME] rule add|del [not] [from PREFIX] [to PREFIX] [tos TOS] [fwmark MARK[/MASK]]
//!                     [iif DEV] [oif DEV] [pref N] [ipproto P] [sport R] [dport R]
//!                     [uidrange A-B] [protocol P] [suppress_prefixlength N]
//!                     [table T | lookup T | goto N | nop | blackhole | unreachable | prohibit]
//! netns [-n NAME] rule flush [-4|-6]
//! ```
//!
//! Exit statuses as iproute2 6.1's `ip rule`: 0; 2 when the kernel refuses;
//! 255 for usage errors.

use netns_core::addr::{Family, IpNet};
use netns_core::route::{parse_protocol, RouteTable};
use netns_core::rule::{parse_ipproto, PortRange, Rule, RuleAction, RuleSpec};
use serde_json::{json, Map, Value};

use crate::neigh::{failure, open_handle, usage};
use crate::output::{self, Outcome};
use crate::{Context, Usage};

const USAGE: &str = "\
Usage: netns [-n NAME] [-j] rule [list|show] [-4|-6]
       netns [-n NAME] rule {add|del} [not] [from PREFIX] [to PREFIX] [tos TOS]
                 [fwmark MARK[/MASK]] [iif DEV] [oif DEV] [pref NUMBER] [ipproto PROTO]
                 [sport NUMBER[-NUMBER]] [dport NUMBER[-NUMBER]] [uidrange A-B]
                 [protocol PROTO] [suppress_prefixlength N]
                 [table TABLE | lookup TABLE | goto NUMBER | nop | blackhole | unreachable | prohibit]
       netns [-n NAME] rule flush [-4|-6]";

/// A parsed `rule` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleCommand {
    /// `list [-4|-6]`.
    Show(Family),
    /// `add …`.
    Add(RuleSpec),
    /// `del …`.
    Delete(RuleSpec),
    /// `flush [-4|-6]`.
    Flush(Family),
    /// `help`.
    Help,
}

fn matches(word: &str, keyword: &str) -> bool {
    !word.is_empty() && keyword.starts_with(word)
}

/// Parses `netns rule ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<RuleCommand, Usage> {
    let (family, args) = family_words(args);
    let Some((cmd, rest)) = args.split_first() else {
        return Ok(RuleCommand::Show(family.unwrap_or(Family::Inet)));
    };
    let c = cmd.as_str();
    // iproute2's order in do_iprule.
    if matches(c, "add") {
        parse_spec(rest, family).map(RuleCommand::Add)
    } else if matches(c, "delete") {
        parse_spec(rest, family).map(RuleCommand::Delete)
    } else if matches(c, "list") || matches(c, "show") || matches(c, "lst") {
        match rest.first() {
            None => Ok(RuleCommand::Show(family.unwrap_or(Family::Inet))),
            Some(a) => Err(usage(&format!("unexpected argument \"{a}\""))),
        }
    } else if matches(c, "flush") {
        Ok(RuleCommand::Flush(family.unwrap_or(Family::Inet)))
    } else if matches(c, "help") {
        Ok(RuleCommand::Help)
    } else {
        Err(usage(&format!(
            "Command \"{c}\" is unknown, try \"netns rule help\"."
        )))
    }
}

/// `-4`/`-6` anywhere in the words (ip takes them before the object).
fn family_words(args: &[String]) -> (Option<Family>, Vec<String>) {
    let mut family = None;
    let mut rest = Vec::with_capacity(args.len());
    for a in args {
        match a.as_str() {
            "-4" => family = Some(Family::Inet),
            "-6" => family = Some(Family::Inet6),
            _ => rest.push(a.clone()),
        }
    }
    (family, rest)
}

fn value<'a>(it: &mut std::slice::Iter<'a, String>, key: &str) -> Result<&'a str, Usage> {
    it.next().map(String::as_str).ok_or_else(|| {
        usage(&format!(
            "Command line is not complete. Try option \"{key}\" with an argument."
        ))
    })
}

fn number(v: &str, what: &str) -> Result<u32, Usage> {
    let parsed = if let Some(h) = v.strip_prefix("0x") {
        u32::from_str_radix(h, 16).ok()
    } else {
        v.parse().ok()
    };
    parsed.ok_or_else(|| usage(&format!("argument \"{v}\" is wrong: {what}")))
}

fn prefix(v: &str) -> Result<IpNet, Usage> {
    v.parse()
        .map_err(|_| usage(&format!("any valid prefix is expected rather than \"{v}\"")))
}

fn parse_spec(args: &[String], family: Option<Family>) -> Result<RuleSpec, Usage> {
    let mut spec = RuleSpec::new();
    if let Some(f) = family {
        spec = spec.family(f);
    }
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let a = keyword(arg);
        match a {
            "not" => spec = spec.not(true),
            "from" => {
                let v = value(&mut it, "from")?;
                if v != "all" {
                    spec = spec.from(prefix(v)?);
                }
            }
            "to" => {
                let v = value(&mut it, "to")?;
                if v != "all" {
                    spec = spec.to(prefix(v)?);
                }
            }
            "tos" => {
                let v = value(&mut it, "tos")?;
                spec.tos = u8::from_str_radix(v.trim_start_matches("0x"), 16).map_err(|_| {
                    usage(&format!("argument \"{v}\" is wrong: TOS value is invalid"))
                })?;
            }
            "fwmark" => {
                let v = value(&mut it, "fwmark")?;
                let (m, mask) = match v.split_once('/') {
                    Some((m, k)) => (
                        number(m, "fwmark value is invalid")?,
                        Some(number(k, "fwmask value is invalid")?),
                    ),
                    None => (number(v, "fwmark value is invalid")?, None),
                };
                spec = spec.fwmark(m, mask);
            }
            "iif" | "dev" => spec = spec.iif(value(&mut it, "iif")?),
            "oif" => spec = spec.oif(value(&mut it, "oif")?),
            "pref" => {
                spec = spec.priority(number(
                    value(&mut it, "pref")?,
                    "preference value is invalid",
                )?)
            }
            "table" => {
                let v = value(&mut it, "table")?;
                let t: RouteTable = v
                    .parse()
                    .map_err(|_| usage(&format!("argument \"{v}\" is wrong: invalid table ID")))?;
                spec = spec.table(t);
            }
            "goto" => {
                spec = spec.action(RuleAction::Goto(number(
                    value(&mut it, "goto")?,
                    "invalid target",
                )?))
            }
            "type" => {
                let v = value(&mut it, "type")?;
                spec = spec.action(action_word(v)?);
            }
            "suppress_prefixlength" => {
                spec.suppress_prefixlength = Some(number(
                    value(&mut it, a)?,
                    "suppress_prefixlength value is invalid",
                )?)
            }
            "ipproto" => {
                let v = value(&mut it, "ipproto")?;
                spec.ipproto = Some(parse_ipproto(v).ok_or_else(|| {
                    usage(&format!(
                        "argument \"{v}\" is wrong: Invalid \"ipproto\" value"
                    ))
                })?);
            }
            "sport" | "dport" => {
                let v = value(&mut it, a)?;
                let r = PortRange::parse(v).map_err(|_| {
                    usage(&format!("argument \"{v}\" is wrong: invalid port range"))
                })?;
                if a == "sport" {
                    spec.sport = Some(r);
                } else {
                    spec.dport = Some(r);
                }
            }
            "uidrange" => {
                let v = value(&mut it, "uidrange")?;
                let bad = || usage(&format!("argument \"{v}\" is wrong: invalid UID range"));
                let (x, y) = v.split_once('-').ok_or_else(bad)?;
                spec.uid_range =
                    Some((x.parse().map_err(|_| bad())?, y.parse().map_err(|_| bad())?));
            }
            "protocol" => {
                let v = value(&mut it, "protocol")?;
                spec.protocol = Some(parse_protocol(v).ok_or_else(|| {
                    usage(&format!("argument \"{v}\" is wrong: invalid \"protocol\""))
                })?);
            }
            _ => spec = spec.action(action_word(a)?),
        }
    }
    Ok(spec)
}

/// A keyword of `ip rule add|del` as iproute2 6.1's `iprule_modify`
/// matches it (`prio` is `priority`, `lookup` may be `look` …); other words
/// as they are.
fn keyword(a: &str) -> &str {
    match a {
        "not" | "from" | "to" | "tos" | "fwmark" | "iif" | "dev" | "oif" | "goto" | "type"
        | "uidrange" | "sport" | "dport" | "ipproto" => a,
        _ if matches(a, "preference") || matches(a, "order") || matches(a, "priority") => "pref",
        _ if matches(a, "dsfield") => "tos",
        _ if matches(a, "protocol") => "protocol",
        _ if matches(a, "table") || matches(a, "lookup") => "table",
        _ if matches(a, "suppress_prefixlength") || a == "sup_pl" => "suppress_prefixlength",
        _ => a,
    }
}

fn action_word(a: &str) -> Result<RuleAction, Usage> {
    RuleAction::parse_type(a).map_err(|_| {
        usage(&format!(
            "either \"{a}\" is duplicate, or \"{a}\" is a garbage."
        ))
    })
}

/// Runs a parsed `rule` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: RuleCommand) -> u8 {
    output::status(match cmd {
        RuleCommand::Show(f) => show(ctx, f),
        RuleCommand::Add(spec) => {
            open_handle(ctx).and_then(|mut h| h.rule_add(&spec).map_err(failure))
        }
        RuleCommand::Delete(spec) => {
            open_handle(ctx).and_then(|mut h| h.rule_del(&spec).map_err(failure))
        }
        RuleCommand::Flush(f) => {
            open_handle(ctx).and_then(|mut h| h.rule_flush(f).map(|_| ()).map_err(failure))
        }
        RuleCommand::Help => {
            println!("{USAGE}");
            return 0;
        }
    })
}

/// One rule with `ip -j rule`'s names.
fn rule_json(r: &Rule) -> Value {
    let mut m = Map::new();
    m.insert("priority".into(), json!(r.priority));
    if r.flags & 0x2 != 0 {
        m.insert("not".into(), Value::Null);
    }
    match &r.from {
        Some(n) => {
            m.insert("src".into(), json!(n.addr().to_string()));
            if !n.is_host() {
                m.insert("srclen".into(), json!(n.prefix_len()));
            }
        }
        None => {
            m.insert("src".into(), json!("all"));
        }
    }
    if let Some(n) = &r.to {
        m.insert("dst".into(), json!(n.addr().to_string()));
        if !n.is_host() {
            m.insert("dstlen".into(), json!(n.prefix_len()));
        }
    }
    if let Some(i) = &r.iif {
        m.insert("iif".into(), json!(i));
    }
    if let Some(o) = &r.oif {
        m.insert("oif".into(), json!(o));
    }
    if let Some(f) = r.fwmark {
        m.insert("fwmark".into(), json!(format!("{f:#x}")));
    }
    if let Some(k) = r.fwmask.filter(|k| *k != u32::MAX) {
        m.insert("fwmask".into(), json!(format!("{k:#x}")));
    }
    match r.action_raw {
        1 => {
            m.insert(
                "table".into(),
                json!(
                    RouteTable::new(r.table).map_or_else(|| r.table.to_string(), |t| t.to_string())
                ),
            );
        }
        _ => {
            let words = r.to_string();
            let last = words.rsplit(' ').next().unwrap_or_default().to_owned();
            m.insert("action".into(), json!(last));
        }
    }
    Value::Object(m)
}

fn show(ctx: &Context, family: Family) -> Outcome {
    let mut h = open_handle(ctx)?;
    let rules: Vec<Rule> = h
        .rules(family)
        .map_err(failure)?
        .map(|r| r.to_owned())
        .collect();
    if ctx.out.json() {
        let rows: Vec<Value> = rules.iter().map(rule_json).collect();
        ctx.out.print_json(&rows);
    } else {
        for r in &rules {
            println!("{r}");
        }
    }
    Ok(())
}

#[cfg(any(test, feature = "fuzzing"))]
impl RuleCommand {
    /// The canonical words of the command (after `rule`): [`crate::parse`]
    /// turns them back into an equal value.
    pub fn words(&self) -> Vec<String> {
        let fam = |f: &Family| if *f == Family::Inet6 { "-6" } else { "-4" };
        match self {
            RuleCommand::Help => vec!["help".into()],
            RuleCommand::Show(f) => vec![fam(f).into(), "show".into()],
            RuleCommand::Flush(f) => vec![fam(f).into(), "flush".into()],
            RuleCommand::Add(s) | RuleCommand::Delete(s) => {
                let mut out = Vec::new();
                if let Some(f) = &s.family {
                    out.push(fam(f).to_string());
                }
                out.push(
                    if matches!(self, RuleCommand::Add(_)) {
                        "add"
                    } else {
                        "delete"
                    }
                    .into(),
                );
                spec_words(s, &mut out);
                out
            }
        }
    }
}

#[cfg(any(test, feature = "fuzzing"))]
fn spec_words(s: &RuleSpec, out: &mut Vec<String>) {
    if s.not {
        out.push("not".into());
    }
    if let Some(p) = s.priority {
        out.extend(["pref".into(), p.to_string()]);
    }
    if let Some(n) = s.from {
        out.extend(["from".into(), n.to_string()]);
    }
    if let Some(n) = s.to {
        out.extend(["to".into(), n.to_string()]);
    }
    if s.tos != 0 {
        out.extend(["tos".into(), format!("{:x}", s.tos)]);
    }
    if let Some(m) = s.fwmark {
        out.extend([
            "fwmark".into(),
            match s.fwmask {
                Some(k) => format!("{m}/{k}"),
                None => m.to_string(),
            },
        ]);
    }
    if let Some(d) = &s.iif {
        out.extend(["iif".into(), d.word()]);
    }
    if let Some(d) = &s.oif {
        out.extend(["oif".into(), d.word()]);
    }
    if let Some(n) = s.suppress_prefixlength {
        out.extend(["suppress_prefixlength".into(), n.to_string()]);
    }
    if let Some(p) = s.ipproto {
        out.extend(["ipproto".into(), p.to_string()]);
    }
    if let Some(r) = s.sport {
        out.extend(["sport".into(), r.to_string()]);
    }
    if let Some(r) = s.dport {
        out.extend(["dport".into(), r.to_string()]);
    }
    if let Some((a, b)) = s.uid_range {
        out.extend(["uidrange".into(), format!("{a}-{b}")]);
    }
    if let Some(p) = s.protocol {
        out.extend(["protocol".into(), p.to_string()]);
    }
    if let Some(t) = s.table {
        out.extend(["table".into(), t.id().to_string()]);
    }
    match s.action {
        Some(RuleAction::Table(t)) => out.extend(["table".into(), t.id().to_string()]),
        Some(RuleAction::Goto(n)) => out.extend(["goto".into(), n.to_string()]),
        Some(RuleAction::Nop) => out.push("nop".into()),
        Some(RuleAction::Blackhole) => out.push("blackhole".into()),
        Some(RuleAction::Unreachable) => out.push("unreachable".into()),
        Some(RuleAction::Prohibit) => out.push("prohibit".into()),
        Some(_) | None => {}
    }
}
