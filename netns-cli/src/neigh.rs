//! `netns neigh …`: ip neigh's syntax over netns-core's neighbours.
//!
//! ```text
//! netns [-n NAME] [-j] neigh [show|list] [to PREFIX] [dev NAME] [nud STATE] [proxy] [unused]
//! netns [-n NAME] neigh add|replace|change|del ADDR [lladdr LLADDR] [nud STATE] [proxy]
//!                       [router] [extern_learn] [managed] [protocol P] dev NAME
//! netns [-n NAME] neigh get ADDR [proxy] dev NAME
//! netns [-n NAME] neigh flush [to PREFIX] [dev NAME] [nud STATE]
//! ```
//!
//! Exit statuses as iproute2 6.1's `ip neigh`: 0; 1 for a device that does
//! not exist, a bad link-layer address or a flush without arguments; 2 when
//! the kernel refuses; 255 for other usage errors (an unknown command, a bad
//! state or address).

use std::net::IpAddr;

use netns_core::addr::IpNet;
use netns_core::link::Dev;
use netns_core::neigh::{parse_lladdr, NeighFilter, NeighSpec, NeighState};
use netns_core::route::parse_protocol;
use serde_json::{json, Map, Value};

use crate::output::{self, Failure, Group, Outcome, Stage};
use crate::{Context, Usage};

const USAGE: &str = "\
Usage: netns [-n NAME] [-j] neigh [show|list] [to PREFIX] [dev DEV] [nud STATE] [proxy] [unused]
       netns [-n NAME] neigh {add|replace|change|del} ADDR [lladdr LLADDR] [nud STATE] [proxy]
                             [router] [extern_learn] [managed] [protocol P] dev DEV
       netns [-n NAME] neigh get ADDR [proxy] dev DEV
       netns [-n NAME] neigh flush [to PREFIX] [dev DEV] [nud STATE]
STATE := { delay | failed | incomplete | noarp | none | permanent | probe | reachable | stale }";

/// A parsed `neigh` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NeighCommand {
    /// `show [selectors]`.
    Show(NeighFilter),
    /// `flush selectors`.
    Flush(NeighFilter),
    /// `add|replace|change|del ADDR … dev NAME`.
    Change(NeighOp, NeighSpec),
    /// `get ADDR [proxy] dev NAME`.
    Get {
        /// The neighbour's address.
        dst: IpAddr,
        /// The device.
        dev: Dev,
        /// A proxy entry.
        proxy: bool,
    },
    /// `help`.
    Help,
}

/// What `add`, `replace`, `change` and `del` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeighOp {
    /// `add`.
    Add,
    /// `replace`.
    Replace,
    /// `change`.
    Change,
    /// `del`.
    Delete,
}

/// A usage error of `neigh` (and `rule`): 255, as `ip`'s `invarg`.
pub(crate) fn usage(msg: &str) -> Usage {
    Usage::new(msg, output::usage_status(Group::NeighRule))
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

/// Parses `netns neigh ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<NeighCommand, Usage> {
    let Some((cmd, rest)) = args.split_first() else {
        return parse_filter(&[]).map(NeighCommand::Show);
    };
    let c = cmd.as_str();
    // iproute2's order in do_ipneigh.
    if matches(c, "add") {
        parse_change(rest, NeighOp::Add)
    } else if matches(c, "change") || c == "chg" {
        parse_change(rest, NeighOp::Change)
    } else if matches(c, "replace") {
        parse_change(rest, NeighOp::Replace)
    } else if matches(c, "delete") {
        parse_change(rest, NeighOp::Delete)
    } else if matches(c, "get") {
        parse_get(rest)
    } else if matches(c, "show") || matches(c, "list") || matches(c, "lst") {
        parse_filter(rest).map(NeighCommand::Show)
    } else if matches(c, "flush") {
        if rest.is_empty() {
            return Err(Usage::new("Flush requires arguments.", 1));
        }
        parse_filter(rest).map(NeighCommand::Flush)
    } else if matches(c, "help") {
        Ok(NeighCommand::Help)
    } else {
        Err(usage(&format!(
            "Command \"{c}\" is unknown, try \"netns neigh help\"."
        )))
    }
}

fn parse_state(s: &str) -> Result<NeighState, Usage> {
    s.parse::<NeighState>()
        .map_err(|_| usage(&format!("argument \"{s}\" is wrong: nud state is bad")))
}

fn parse_ip(s: &str) -> Result<IpAddr, Usage> {
    s.parse().map_err(|_| {
        usage(&format!(
            "any valid address is expected rather than \"{s}\""
        ))
    })
}

fn parse_change(args: &[String], op: NeighOp) -> Result<NeighCommand, Usage> {
    let mut dst: Option<IpAddr> = None;
    let mut dev: Option<&str> = None;
    let mut lladdr: Option<Vec<u8>> = None;
    let mut state: Option<NeighState> = None;
    let (mut proxy, mut router, mut extern_learn, mut managed) = (false, false, false, false);
    let mut protocol: Option<u8> = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "lladdr" => {
                let v = next_value(&mut it, "lladdr")?;
                if v != "null" {
                    lladdr = Some(
                        parse_lladdr(v)
                            .map_err(|_| Usage::new(format!("\"{v}\" is invalid lladdr."), 1))?,
                    );
                }
            }
            "nud" => state = Some(parse_state(next_value(&mut it, "nud")?)?),
            "proxy" => proxy = true,
            "router" => router = true,
            "extern_learn" => extern_learn = true,
            "managed" => managed = true,
            "dev" => dev = Some(next_value(&mut it, "dev")?),
            "protocol" => {
                let v = next_value(&mut it, "protocol")?;
                protocol = Some(parse_protocol(v).ok_or_else(|| {
                    usage(&format!(
                        "argument \"{v}\" is wrong: \"protocol\" value is invalid"
                    ))
                })?);
            }
            "to" => dst = Some(parse_ip(next_value(&mut it, "to")?)?),
            a if dst.is_none() => dst = Some(parse_ip(a)?),
            a => {
                return Err(usage(&format!(
                    "either \"to\" is duplicate, or \"{a}\" is a garbage."
                )))
            }
        }
    }
    let dst =
        dst.ok_or_else(|| Usage::new("Device and destination are required arguments.", 255))?;
    let dev =
        dev.ok_or_else(|| Usage::new("Device and destination are required arguments.", 255))?;
    let mut spec = if proxy {
        NeighSpec::proxy(dst, dev)
    } else {
        NeighSpec::new(dst, dev)
    };
    if let Some(l) = lladdr {
        spec = spec.mac(l);
    }
    if let Some(s) = state {
        spec = spec.state(s);
    }
    spec = spec
        .router(router)
        .extern_learn(extern_learn)
        .managed(managed);
    if let Some(p) = protocol {
        spec = spec.protocol(p);
    }
    Ok(NeighCommand::Change(op, spec))
}

fn parse_get(args: &[String]) -> Result<NeighCommand, Usage> {
    let mut dst = None;
    let mut dev = None;
    let mut proxy = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "dev" => dev = Some(next_value(&mut it, "dev")?),
            "proxy" => proxy = true,
            "to" => dst = Some(parse_ip(next_value(&mut it, "to")?)?),
            a if dst.is_none() => dst = Some(parse_ip(a)?),
            a => {
                return Err(usage(&format!(
                    "either \"to\" is duplicate, or \"{a}\" is a garbage."
                )))
            }
        }
    }
    match (dst, dev) {
        (Some(dst), Some(dev)) => Ok(NeighCommand::Get {
            dst,
            dev: Dev::from(dev),
            proxy,
        }),
        _ => Err(Usage::new(
            "Device and address are required arguments.",
            255,
        )),
    }
}

fn parse_filter(args: &[String]) -> Result<NeighFilter, Usage> {
    let mut filter = NeighFilter::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "dev" => filter = filter.dev(next_value(&mut it, "dev")?),
            "master" => filter = filter.master(next_value(&mut it, "master")?),
            "nud" => {
                let v = next_value(&mut it, "nud")?;
                filter = if v == "all" {
                    filter.all_states()
                } else {
                    filter.state(parse_state(v)?)
                };
            }
            "proxy" => filter = filter.proxy(true),
            "unused" => filter.unused = true,
            "protocol" => {
                let v = next_value(&mut it, "protocol")?;
                filter = filter.protocol(parse_protocol(v).ok_or_else(|| {
                    usage(&format!(
                        "argument \"{v}\" is wrong: \"protocol\" value is invalid"
                    ))
                })?);
            }
            "to" => filter = filter.to(parse_prefix(next_value(&mut it, "to")?)?),
            a => filter = filter.to(parse_prefix(a)?),
        }
    }
    Ok(filter)
}

fn parse_prefix(s: &str) -> Result<IpNet, Usage> {
    s.parse()
        .map_err(|_| usage(&format!("any valid prefix is expected rather than \"{s}\"")))
}

/// Runs a parsed `neigh` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: NeighCommand) -> u8 {
    output::status(match cmd {
        NeighCommand::Show(f) => show(ctx, &f),
        NeighCommand::Flush(f) => flush(ctx, &f),
        NeighCommand::Change(op, spec) => change(ctx, op, &spec),
        NeighCommand::Get { dst, dev, proxy } => get(ctx, dst, &dev, proxy),
        NeighCommand::Help => {
            println!("{USAGE}");
            return 0;
        }
    })
}

/// The failure of `neigh`/`rule` work: a device that cannot be found exits
/// 1, anything else 2.
pub(crate) fn failure(e: netns_core::Error) -> Failure {
    let stage = if e.is_lookup() {
        Stage::Lookup
    } else {
        Stage::Run
    };
    Failure::new(Group::NeighRule, stage, e)
}

pub(crate) fn open_handle(ctx: &Context) -> Result<netns_core::Handle, Failure> {
    ctx.handle()
        .map_err(|e| Failure::new(Group::NeighRule, Stage::Open, e))
}

fn change(ctx: &Context, op: NeighOp, spec: &NeighSpec) -> Outcome {
    let mut h = open_handle(ctx)?;
    match op {
        NeighOp::Add => h.neigh_add(spec),
        NeighOp::Replace => h.neigh_replace(spec),
        NeighOp::Change => h.neigh_change(spec),
        NeighOp::Delete => h.neigh_del(spec),
    }
    .map_err(failure)
}

fn get(ctx: &Context, dst: IpAddr, dev: &Dev, proxy: bool) -> Outcome {
    let mut h = open_handle(ctx)?;
    let n = h.neigh_get(dst, dev, proxy).map_err(failure)?;
    let names = h.interface_names().map_err(failure)?;
    let name = names.get(&n.ifindex).map(String::as_str);
    if ctx.out.json() {
        let mut m = Map::new();
        m.insert("dst".into(), json!(n.dst.map(|d| d.to_string())));
        m.insert("dev".into(), json!(name));
        if let Some(l) = &n.mac {
            m.insert("lladdr".into(), json!(mac_text(l)));
        }
        m.insert("state".into(), json!(state_words(n.state)));
        ctx.out.print_json(&[Value::Object(m)]);
    } else {
        println!("{} ", n.display(name));
    }
    Ok(())
}

fn flush(ctx: &Context, filter: &NeighFilter) -> Outcome {
    let mut h = open_handle(ctx)?;
    h.neigh_flush(filter).map(|_| ()).map_err(failure)
}

fn mac_text(l: &[u8]) -> String {
    netns_core::link::HwAddr::new(netns_core::link::LinkType::ETHER, l).to_string()
}

fn state_words(s: NeighState) -> Vec<String> {
    s.to_string()
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn show(ctx: &Context, filter: &NeighFilter) -> Outcome {
    let mut h = open_handle(ctx)?;
    let names = h.interface_names().map_err(failure)?;
    // `ip neigh show dev X` leaves `dev X` out of each line.
    let one_dev = filter.dev.is_some();
    let mut json_rows = Vec::new();
    for n in h.neighbours(filter).map_err(failure)? {
        let name = names.get(&n.ifindex()).map(String::as_str);
        if ctx.out.json() {
            let mut m = Map::new();
            m.insert("dst".into(), json!(n.dst().map(|d| d.to_string())));
            if !one_dev {
                m.insert("dev".into(), json!(name));
            }
            if let Some(l) = n.mac() {
                m.insert("lladdr".into(), json!(mac_text(l)));
            }
            if n.is_router() {
                m.insert("router".into(), Value::Null);
            }
            if n.is_proxy() {
                m.insert("proxy".into(), Value::Null);
            }
            if n.is_extern_learn() {
                m.insert("extern_learn".into(), Value::Null);
            }
            if !n.is_proxy() {
                m.insert("state".into(), json!(state_words(n.state())));
            }
            json_rows.push(Value::Object(m));
        } else {
            println!("{} ", n.display(if one_dev { None } else { name }));
        }
    }
    if ctx.out.json() {
        ctx.out.print_json(&json_rows);
    }
    Ok(())
}

#[cfg(any(test, feature = "fuzzing"))]
fn filter_words(f: &NeighFilter, out: &mut Vec<String>) {
    if let Some(d) = &f.dev {
        out.extend(["dev".into(), d.word()]);
    }
    if let Some(d) = &f.master {
        out.extend(["master".into(), d.word()]);
    }
    if let Some(m) = f.states {
        if m == netns_core::neigh::NeighStateMask::ALL {
            out.extend(["nud".into(), "all".into()]);
        } else {
            for (state, name) in NeighState::NAMES {
                if m.0 & u32::from(state.0) != 0 {
                    out.extend(["nud".into(), (*name).into()]);
                }
            }
            if m.0 & 0x100 != 0 {
                out.extend(["nud".into(), "none".into()]);
            }
        }
    }
    if f.proxy {
        out.push("proxy".into());
    }
    if f.unused {
        out.push("unused".into());
    }
    if let Some(p) = f.protocol {
        out.extend(["protocol".into(), p.to_string()]);
    }
    if let Some(t) = f.to {
        out.extend(["to".into(), t.to_string()]);
    }
}

#[cfg(any(test, feature = "fuzzing"))]
impl NeighCommand {
    /// The canonical words of the command (after `neigh`): [`crate::parse`]
    /// turns them back into an equal value.
    pub fn words(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        match self {
            NeighCommand::Help => out.push("help".into()),
            NeighCommand::Show(f) => {
                out.push("show".into());
                filter_words(f, &mut out);
            }
            NeighCommand::Flush(f) => {
                out.push("flush".into());
                filter_words(f, &mut out);
            }
            NeighCommand::Get { dst, dev, proxy } => {
                out.extend([
                    "get".into(),
                    "to".into(),
                    dst.to_string(),
                    "dev".into(),
                    dev.word(),
                ]);
                if *proxy {
                    out.push("proxy".into());
                }
            }
            NeighCommand::Change(op, spec) => {
                out.push(
                    match op {
                        NeighOp::Add => "add",
                        NeighOp::Replace => "replace",
                        NeighOp::Change => "change",
                        NeighOp::Delete => "delete",
                    }
                    .into(),
                );
                out.extend([
                    "to".into(),
                    spec.dst.to_string(),
                    "dev".into(),
                    spec.dev.word(),
                ]);
                if let Some(l) = &spec.mac {
                    out.extend(["lladdr".into(), mac_text(l)]);
                }
                out.extend(["nud".into(), format!("{:#x}", spec.state.0)]);
                for (on, word) in [
                    (spec.proxy, "proxy"),
                    (spec.router, "router"),
                    (spec.extern_learn, "extern_learn"),
                    (spec.managed, "managed"),
                ] {
                    if on {
                        out.push(word.into());
                    }
                }
                if let Some(p) = spec.protocol {
                    out.extend(["protocol".into(), p.to_string()]);
                }
            }
        }
        out
    }
}
