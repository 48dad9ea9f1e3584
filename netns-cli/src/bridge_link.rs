//! `netns bridge link …`: the `bridge link` command of iproute2's `bridge`
//! tool over netns-core's bridge ports ([`BridgePortSpec`],
//! [`Handle::bridge_ports`](netns_core::Handle::bridge_ports)).
//!
//! ```text
//! netns [-n NAME] [-d] [-j] bridge link [show] [dev NAME]
//! netns [-n NAME] bridge link set dev NAME [learning|flood|mcast_flood|bcast_flood|hairpin|
//!       guard|root_block|fastleave|isolated|neigh_suppress|mcast_to_unicast|vlan_tunnel|
//!       locked|proxy_arp on|off] [cost N] [priority N] [state N] [mcast_router N]
//! ```

use netns_core::link::{BridgePortSpec, LinkId};

use crate::link::show::Links;
use crate::link::LinkFilter;
use crate::output::{self, Failure, Fields, Group, Outcome, Stage};
use crate::{Context, Usage};

const USAGE: &str = "\
Usage: netns bridge link set dev DEV [ cost COST ] [ priority PRIO ] [ state STATE ]
                                 [ guard {on | off} ] [ hairpin {on | off} ]
                                 [ fastleave {on | off} ] [ root_block {on | off} ]
                                 [ learning {on | off} ] [ flood {on | off} ]
                                 [ mcast_flood {on | off} ] [ bcast_flood {on | off} ]
                                 [ mcast_to_unicast {on | off} ] [ neigh_suppress {on | off} ]
                                 [ vlan_tunnel {on | off} ] [ isolated {on | off} ]
                                 [ locked {on | off} ] [ proxy_arp {on | off} ]
                                 [ mcast_router MULTICAST_ROUTER ]
       netns bridge link [show] [dev DEV]";

/// bridge's exit status for an on/off value that is neither (`-EINVAL`).
const BRIDGE_ON_OFF_STATUS: u8 = 234;

/// A parsed `bridge link` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BridgeLinkCommand {
    /// `show [dev NAME]`.
    Show {
        /// Only this port.
        dev: Option<String>,
    },
    /// `set dev NAME …`.
    Set {
        /// The port.
        dev: String,
        /// What to change.
        spec: BridgePortSpec,
    },
    /// `help`.
    Help,
}

fn usage(message: &str) -> Usage {
    Usage::new(message, 255)
}

/// Reads one bridge port setting `word` (and its value, from `value`) into
/// `spec` through the core ([`BridgePortSpec::set_word`]); `Ok(false)` when
/// `word` is no setting. A value that is neither `on` nor `off` exits
/// `on_off_status`, any other bad value 255.
pub(crate) fn port_setting<'a>(
    spec: &mut BridgePortSpec,
    word: &str,
    on_off_status: u8,
    value: impl FnOnce() -> Result<&'a str, Usage>,
) -> Result<bool, Usage> {
    if !BridgePortSpec::words().any(|w| w == word) {
        return Ok(false);
    }
    spec.set_word(word, value()?).map_err(|e| {
        let detail = e.detail().unwrap_or("invalid value");
        let status = if detail.starts_with("argument of") {
            on_off_status
        } else {
            255
        };
        Usage::new(format!("Error: {detail}"), status)
    })
}

/// The canonical words of `spec` (for the parse round trip).
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) fn port_words(spec: &BridgePortSpec, out: &mut Vec<String>) {
    let onoff = |on: bool| if on { "on" } else { "off" }.to_owned();
    if let Some(c) = spec.cost {
        out.extend(["cost".into(), c.to_string()]);
    }
    if let Some(p) = spec.priority {
        out.extend(["priority".into(), p.to_string()]);
    }
    if let Some(s) = spec.state {
        out.extend(["state".into(), s.to_string()]);
    }
    if let Some(r) = spec.mcast_router {
        out.extend(["mcast_router".into(), r.to_string()]);
    }
    if let Some(on) = spec.proxy_arp {
        out.extend(["proxy_arp".into(), onoff(on)]);
    }
    for w in BridgePortSpec::switch_names() {
        if let Some(on) = spec.get(w) {
            out.extend([w.to_owned(), onoff(on)]);
        }
    }
}

impl BridgeLinkCommand {
    /// The canonical words (after `bridge link`).
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn words(&self) -> Vec<String> {
        let mut out = Vec::new();
        match self {
            BridgeLinkCommand::Show { dev } => {
                out.push("show".into());
                if let Some(d) = dev {
                    out.extend(["dev".into(), d.clone()]);
                }
            }
            BridgeLinkCommand::Set { dev, spec } => {
                out.extend(["set".into(), "dev".into(), dev.clone()]);
                port_words(spec, &mut out);
            }
            BridgeLinkCommand::Help => out.push("help".into()),
        }
        out
    }
}

fn matches(word: &str, keyword: &str) -> bool {
    !word.is_empty() && keyword.starts_with(word)
}

/// Parses `bridge link ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<BridgeLinkCommand, Usage> {
    let Some((cmd, rest)) = args.split_first() else {
        return Ok(BridgeLinkCommand::Show { dev: None });
    };
    let c = cmd.as_str();
    let mut it = rest.iter().map(String::as_str);
    let missing = || usage("Command line is not complete. Try option \"help\"");
    if matches(c, "set") || matches(c, "change") {
        let mut dev = None;
        let mut spec = BridgePortSpec::default();
        while let Some(word) = it.next() {
            if word == "dev" {
                dev = Some(it.next().ok_or_else(missing)?.to_owned());
                continue;
            }
            if !port_setting(&mut spec, word, BRIDGE_ON_OFF_STATUS, || {
                it.next().ok_or_else(missing)
            })? {
                return Err(usage(&format!("Unknown argument \"{word}\"")));
            }
        }
        let dev = dev.ok_or_else(|| usage("Device is a required argument."))?;
        return Ok(BridgeLinkCommand::Set { dev, spec });
    }
    if matches(c, "show") || matches(c, "list") || c == "lst" {
        let mut dev = None;
        while let Some(word) = it.next() {
            match word {
                "dev" => dev = Some(it.next().ok_or_else(missing)?.to_owned()),
                w => dev = Some(w.to_owned()),
            }
        }
        return Ok(BridgeLinkCommand::Show { dev });
    }
    if matches(c, "help") {
        return Ok(BridgeLinkCommand::Help);
    }
    Err(usage(&format!(
        "Command \"{c}\" is unknown, try \"bridge link help\"."
    )))
}

/// Runs a parsed `bridge link` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: BridgeLinkCommand) -> u8 {
    let outcome = match cmd {
        BridgeLinkCommand::Show { dev } => show(ctx, dev.as_deref()),
        // bridge exits 255 whatever the refusal.
        BridgeLinkCommand::Set { dev, spec } => {
            return match set(ctx, &dev, &spec) {
                Ok(()) => 0,
                Err(f) => {
                    f.report();
                    255
                }
            };
        }
        BridgeLinkCommand::Help => {
            eprintln!("{USAGE}");
            return 255;
        }
    };
    output::status(outcome)
}

fn open(ctx: &Context) -> Result<netns_core::Handle, Failure> {
    ctx.handle()
        .map_err(|e| Failure::new(Group::Link, Stage::Open, e))
}

fn set(ctx: &Context, dev: &str, spec: &BridgePortSpec) -> Outcome {
    open(ctx)?.bridge_port_set(LinkId::Name(dev), spec)?;
    Ok(())
}

/// `bridge [-d] [-j] link show [dev X]`: the ports of the namespace's
/// bridges, each with `state … priority … cost …`, and with `-d` its
/// settings.
fn show(ctx: &Context, dev: Option<&str>) -> Outcome {
    let mut h = open(ctx)?;
    let links = Links::read(ctx, &mut h, dev, &LinkFilter::default())?;
    let details = ctx.options.details > 0;
    let mut text = String::new();
    let mut json = Vec::new();
    for port in h.bridge_ports()? {
        let index = port.index().get();
        if dev.is_some_and(|d| !port.is_named(d)) {
            continue;
        }
        let settings = port.bridge_port().unwrap_or_default();
        if ctx.out.json() {
            let Some(mut f) = links.bridge_json(index) else {
                continue;
            };
            if let Some(s) = settings.state_name() {
                f.push("state", s.into());
            }
            if let Some(p) = settings.priority {
                f.push("priority", p.into());
            }
            if let Some(c) = settings.cost {
                f.push("cost", c.into());
            }
            if details {
                for (k, v) in settings.fields() {
                    f.push(
                        k,
                        if k == "mcast_router" {
                            v.into()
                        } else {
                            (v != 0).into()
                        },
                    );
                }
            }
            json.push(f);
            continue;
        }
        let Some(prefix) = links.bridge_prefix(index) else {
            continue;
        };
        text.push_str(&format!("{prefix} {} \n", settings.summary()));
        if details {
            text.push_str(&format!("    {}\n", settings.details()));
        }
    }
    if ctx.out.json() {
        let json: Vec<Fields> = json;
        ctx.out.print_json(&json);
    } else {
        print!("{text}");
    }
    Ok(())
}
