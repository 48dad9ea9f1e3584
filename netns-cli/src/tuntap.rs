//! `netns tuntap …`: ip tuntap's syntax over netns-core's tun/tap devices.
//!
//! ```text
//! netns [-n NAME] tuntap add [dev] NAME mode {tun|tap} [user UID] [group GID]
//!                           [pi] [vnet_hdr] [multi_queue] [one_queue]
//! netns [-n NAME] tuntap del [dev] NAME [mode {tun|tap}]
//! netns [-n NAME] tuntap [show|list]
//! ```
//!
//! Devices are persistent, as `ip tuntap add` makes them; `show` reads the
//! kernel's `IFLA_LINKINFO` of the namespace (not sysfs, which shows the
//! namespace of whoever mounted it).

use netns_core::link::{tuntap_add_current, Dev, TunMode, TunTapSpec};

use crate::neigh::{failure, open_handle, usage};
use crate::output::{self, Failure, Group, Outcome, Stage};
use crate::{Context, Usage};

const USAGE: &str = "\
Usage: netns [-n NAME] tuntap {add|del} [dev] NAME mode {tun|tap} [user UID] [group GID]
                                [pi] [vnet_hdr] [multi_queue]
       netns [-n NAME] tuntap [show|list]";

/// A parsed `tuntap` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TuntapCommand {
    /// `add …`.
    Add(TunTapSpec),
    /// `del NAME`.
    Delete(String),
    /// `show`.
    Show,
    /// `help`.
    Help,
}

fn matches(word: &str, keyword: &str) -> bool {
    !word.is_empty() && keyword.starts_with(word)
}

fn value<'a>(it: &mut std::slice::Iter<'a, String>, key: &str) -> Result<&'a str, Usage> {
    it.next().map(String::as_str).ok_or_else(|| {
        usage(&format!(
            "Command line is not complete. Try option \"{key}\" with an argument."
        ))
    })
}

fn id(v: &str, what: &str) -> Result<u32, Usage> {
    v.parse()
        .map_err(|_| usage(&format!("invalid {what} \"{v}\" (a number)")))
}

/// Parses `netns tuntap ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<TuntapCommand, Usage> {
    let Some((cmd, rest)) = args.split_first() else {
        return Ok(TuntapCommand::Show);
    };
    let c = cmd.as_str();
    let add = matches(c, "add");
    if !add && !matches(c, "delete") {
        return if matches(c, "show") || matches(c, "list") || c == "lst" {
            Ok(TuntapCommand::Show)
        } else if matches(c, "help") {
            Ok(TuntapCommand::Help)
        } else {
            Err(usage(&format!(
                "Command \"{c}\" is unknown, try \"netns tuntap help\"."
            )))
        };
    }
    let mut name: Option<&str> = None;
    let mut mode: Option<TunMode> = None;
    let (mut owner, mut group) = (None, None);
    let (mut pi, mut vnet_hdr, mut multi_queue) = (false, false, false);
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "mode" => {
                let v = value(&mut it, "mode")?;
                mode = Some(
                    TunMode::parse(v)
                        .map_err(|_| usage(&format!("Unknown tunnel mode \"{v}\"")))?,
                );
            }
            "user" => owner = Some(id(value(&mut it, "user")?, "user")?),
            "group" => group = Some(id(value(&mut it, "group")?, "group")?),
            "pi" => pi = true,
            "vnet_hdr" => vnet_hdr = true,
            "multi_queue" => multi_queue = true,
            "one_queue" => {}
            "dev" | "name" => name = Some(value(&mut it, "dev")?),
            a if name.is_none() => name = Some(a),
            a => return Err(usage(&format!("Unknown argument \"{a}\""))),
        }
    }
    let name = name.ok_or_else(|| usage("a device name is required"))?;
    if !add {
        return Ok(TuntapCommand::Delete(name.to_owned()));
    }
    let mode = mode.ok_or_else(|| usage("You failed to specify a tunnel mode"))?;
    let mut spec = TunTapSpec::new(name, mode)
        .pi(pi)
        .vnet_hdr(vnet_hdr)
        .multi_queue(multi_queue);
    if let Some(u) = owner {
        spec = spec.owner(u);
    }
    if let Some(g) = group {
        spec = spec.group(g);
    }
    Ok(TuntapCommand::Add(spec))
}

/// Runs a parsed `tuntap` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: TuntapCommand) -> u8 {
    output::status(match cmd {
        TuntapCommand::Add(spec) => add(ctx, &spec),
        TuntapCommand::Delete(name) => {
            open_handle(ctx).and_then(|mut h| h.tuntap_del(&Dev::from(name)).map_err(failure))
        }
        TuntapCommand::Show => show(ctx),
        TuntapCommand::Help => {
            println!("{USAGE}");
            return 0;
        }
    })
}

fn add(ctx: &Context, spec: &TunTapSpec) -> Outcome {
    let made = match &ctx.netns {
        Some(name) => ctx
            .registry
            .open(name)
            .map_err(|e| Failure::new(Group::NeighRule, Stage::Open, e))?
            .tuntap_add(spec),
        None => tuntap_add_current(spec),
    };
    made.map(drop).map_err(failure)
}

fn show(ctx: &Context) -> Outcome {
    let mut h = open_handle(ctx)?;
    for (link, info) in h.tuntaps().map_err(failure)? {
        println!("{}", info.show_line(&link.name));
    }
    Ok(())
}

#[cfg(any(test, feature = "fuzzing"))]
impl TuntapCommand {
    /// The canonical words of the command (after `tuntap`).
    pub fn words(&self) -> Vec<String> {
        match self {
            TuntapCommand::Help => vec!["help".into()],
            TuntapCommand::Show => vec!["show".into()],
            TuntapCommand::Delete(n) => vec!["del".into(), "dev".into(), n.clone()],
            TuntapCommand::Add(s) => {
                let mut out = vec![
                    "add".into(),
                    "dev".into(),
                    s.name.clone(),
                    "mode".into(),
                    s.mode.name().into(),
                ];
                if let Some(u) = s.owner {
                    out.extend(["user".into(), u.to_string()]);
                }
                if let Some(g) = s.group {
                    out.extend(["group".into(), g.to_string()]);
                }
                for (on, w) in [
                    (s.pi, "pi"),
                    (s.vnet_hdr, "vnet_hdr"),
                    (s.multi_queue, "multi_queue"),
                ] {
                    if on {
                        out.push(w.into());
                    }
                }
                out
            }
        }
    }
}
