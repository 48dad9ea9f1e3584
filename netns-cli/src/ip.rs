//! iproute2's command line: the global options before the object, the
//! object by prefix, and `ip netns …` in ip's own forms (so a script's
//! `ip` calls run unchanged as `netns` calls).
//!
//! The option loop follows `main` in iproute2's `ip/ip.c` (6.1.0): options
//! are read until the first word that does not start with `-` (or `--`,
//! which is dropped); a `--word` is read as `-word`; each is matched by
//! prefix in ip's order ([`crate::keywords::GLOBAL_OPTS`]). The object is
//! then looked up in `cmds[]` order ([`crate::keywords::OBJECTS`]), after
//! netns's own commands (`add`, `list`, `exec`, `apply` …), which match
//! only whole.

use std::ffi::OsString;

use crate::keywords::{lookup, read_family, Family, GlobalOpt, NetnsVerb, NETNS_VERBS};
use crate::netns::{parse_exec, parse_list_id, parse_set};
use crate::output::{usage_status, Group};
use crate::{NsCommand, Usage};

/// The global options of `ip` that change what a command does or prints.
///
/// Accepted and ignored (cosmetic for the commands netns has, or about
/// ip's own process): `-human`, `-iec`, `-resolve`, `-timestamp`,
/// `-tshort`, `-color[=WHEN]`, `-Numeric`, `-loops N`, `-rcvbuf N`,
/// `-echo` (docs/cli.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpOptions {
    /// `-4`, `-6`, `-0`, `-M`, `-B`, `-f FAMILY`: the family shown or meant.
    pub family: Option<Family>,
    /// `-o`: one line per record (`\` for line breaks).
    pub oneline: bool,
    /// `-br`: the brief, tabular view.
    pub brief: bool,
    /// `-s` (repeatable): statistics.
    pub stats: u8,
    /// `-d` (repeatable): details.
    pub details: u8,
    /// `-force`: a batch goes on past failures.
    pub force: bool,
    /// `-a`: `netns delete`/`exec` on every name.
    pub all: bool,
}

/// What the option loop read: the options and where the object starts.
pub(crate) struct Globals {
    pub json: bool,
    pub pretty: bool,
    pub netns: Option<String>,
    pub batch: Option<String>,
    pub options: IpOptions,
    /// `-help`, `-Version`, or `-h` with no object: clap's help or version.
    pub clap_flag: Option<&'static str>,
    /// Index in `args` of the object.
    pub rest: usize,
}

fn incomplete() -> Usage {
    Usage::new(
        "Command line is not complete. Try option \"help\"",
        usage_status(Group::Netns),
    )
}

/// Reads the global options of `args` (argv without argv[0]).
pub(crate) fn globals(args: &[OsString]) -> Result<Globals, Usage> {
    let mut g = Globals {
        json: false,
        pretty: false,
        netns: None,
        batch: None,
        options: IpOptions::default(),
        clap_flag: None,
        rest: 0,
    };
    let mut human = false;
    let mut i = 0;
    while i < args.len() {
        let Some(word) = args[i].to_str() else { break };
        if word == "--" {
            i += 1;
            break;
        }
        if !word.starts_with('-') {
            break;
        }
        // ip reads `--word` as `-word`.
        let opt = if word.starts_with("--") {
            &word[1..]
        } else {
            word
        };
        // netns's own spelling: `--netns=NAME`, `-color=WHEN` (ip's).
        let (name, inline) = match opt.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (opt, None),
        };
        if matches!(name, "-help" | "-Version" | "-version" | "-V") && inline.is_none() {
            g.clap_flag = Some(if name == "-help" {
                "--help"
            } else {
                "--version"
            });
            i += 1;
            continue;
        }
        let Some(which) = lookup(crate::keywords::GLOBAL_OPTS, name) else {
            return Err(Usage::new(
                format!("Option \"{word}\" is unknown, try \"netns -help\"."),
                usage_status(Group::Netns),
            ));
        };
        let takes_value = matches!(
            which,
            GlobalOpt::Loops
                | GlobalOpt::Family
                | GlobalOpt::Batch
                | GlobalOpt::Rcvbuf
                | GlobalOpt::Netns
        );
        let value = if takes_value {
            match inline {
                Some(v) => Some(v.to_owned()),
                None => {
                    i += 1;
                    let v = args.get(i).ok_or_else(incomplete)?;
                    Some(v.to_str().ok_or_else(incomplete)?.to_owned())
                }
            }
        } else {
            if inline.is_some() && which != GlobalOpt::Color {
                return Err(Usage::new(
                    format!("Option \"{word}\" is unknown, try \"netns -help\"."),
                    usage_status(Group::Netns),
                ));
            }
            None
        };
        let o = &mut g.options;
        match (which, value) {
            (GlobalOpt::Family, Some(v)) => {
                o.family = Some(read_family(&v).ok_or_else(|| {
                    Usage::new(
                        format!("Error: argument \"{v}\" is wrong: invalid protocol family"),
                        usage_status(Group::Netns),
                    )
                })?);
            }
            (GlobalOpt::Inet, _) => o.family = Some(Family::Inet),
            (GlobalOpt::Inet6, _) => o.family = Some(Family::Inet6),
            (GlobalOpt::Packet, _) => o.family = Some(Family::Packet),
            (GlobalOpt::Mpls, _) => o.family = Some(Family::Mpls),
            (GlobalOpt::Bridge, _) => o.family = Some(Family::Bridge),
            (GlobalOpt::Stats, _) => o.stats = o.stats.saturating_add(1),
            (GlobalOpt::Details, _) => o.details = o.details.saturating_add(1),
            (GlobalOpt::Oneline, _) => o.oneline = true,
            (GlobalOpt::Brief, _) => o.brief = true,
            (GlobalOpt::Force, _) => o.force = true,
            (GlobalOpt::All, _) => o.all = true,
            (GlobalOpt::Json, _) => g.json = true,
            (GlobalOpt::Pretty, _) => g.pretty = true,
            (GlobalOpt::Batch, v) => g.batch = v,
            (GlobalOpt::Netns, v) => g.netns = v,
            (GlobalOpt::Help, _) => g.clap_flag = Some("--help"),
            (GlobalOpt::Version, _) => g.clap_flag = Some("--version"),
            (GlobalOpt::Human, _) => human = true,
            (GlobalOpt::Color, _) => {
                if let Some(v) = inline {
                    if !matches!(v, "always" | "auto" | "never") {
                        return Err(Usage::new(
                            format!("Option \"{word}\" is unknown, try \"netns -help\"."),
                            usage_status(Group::Netns),
                        ));
                    }
                }
            }
            // Cosmetic here, or about ip's own process: accepted, ignored.
            _ => {}
        }
        i += 1;
    }
    // `netns -h` alone asks for help (ip's `-h` is `-human`, and ip alone
    // prints its usage).
    if human && i == args.len() && g.batch.is_none() {
        g.clap_flag = Some("--help");
    }
    g.rest = i;
    Ok(g)
}

fn word(args: &[OsString], i: usize) -> Option<String> {
    args.get(i).map(|w| w.to_string_lossy().into_owned())
}

fn need_name(args: &[OsString]) -> Result<String, Usage> {
    word(args, 0).ok_or_else(|| Usage::new("No netns name specified", usage_status(Group::Netns)))
}

/// `ip netns ARGS…` as ip reads them (`do_netns`, `ip/ipnetns.c`): the
/// subcommand by prefix, extra words ignored where ip ignores them
/// (`list |`, `delete NAME (id: 0)`).
pub(crate) fn netns_object(args: &[OsString], all: bool) -> Result<NsCommand, Usage> {
    let Some(verb) = args.first() else {
        return Ok(NsCommand::List);
    };
    let verb_word = verb.to_string_lossy();
    let rest = &args[1..];
    let Some(verb) = lookup(NETNS_VERBS, &verb_word) else {
        return Err(Usage::new(
            format!("Command \"{verb_word}\" is unknown, try \"netns netns help\"."),
            usage_status(Group::Netns),
        ));
    };
    let strings = || -> Vec<String> {
        rest.iter()
            .map(|w| w.to_string_lossy().into_owned())
            .collect()
    };
    Ok(match verb {
        NetnsVerb::List => NsCommand::List,
        NetnsVerb::ListId => parse_list_id(&strings())?,
        NetnsVerb::Help => {
            return Err(Usage::plain(
                crate::netns::USAGE,
                usage_status(Group::Netns),
            ));
        }
        NetnsVerb::Add => NsCommand::Add {
            name: need_name(rest)?,
        },
        NetnsVerb::Set => {
            let (Some(name), Some(id)) = (word(rest, 0), word(rest, 1)) else {
                return Err(Usage::new(
                    "No netns name specified",
                    usage_status(Group::Netns),
                ));
            };
            parse_set(name, &id)?
        }
        NetnsVerb::Delete if all => NsCommand::DeleteAll,
        NetnsVerb::Delete => NsCommand::Delete {
            names: vec![need_name(rest)?],
        },
        NetnsVerb::Identify => NsCommand::Identify {
            pid: match word(rest, 0) {
                None => None,
                Some(p) => Some(p.parse().map_err(|_| {
                    Usage::new(format!("Invalid pid \"{p}\""), usage_status(Group::Netns))
                })?),
            },
        },
        NetnsVerb::Pids => NsCommand::Pids {
            name: need_name(rest)?,
            threads: false,
        },
        NetnsVerb::Exec => parse_exec(all, rest.to_vec())?,
        NetnsVerb::Monitor => NsCommand::Monitor,
        NetnsVerb::Attach => {
            let (Some(name), Some(pid)) = (word(rest, 0), word(rest, 1)) else {
                return Err(Usage::new(
                    "No netns name and pid specified",
                    usage_status(Group::Netns),
                ));
            };
            NsCommand::Attach {
                name,
                pid: pid.parse().map_err(|_| {
                    Usage::new(format!("Invalid pid \"{pid}\""), usage_status(Group::Netns))
                })?,
            }
        }
    })
}

/// The names of `netns delete NAME…` without a copied `list` line's
/// trailing `(id: N)` (ip reads only the first word after `delete`).
pub(crate) fn strip_list_id(mut names: Vec<String>) -> Vec<String> {
    if let [.., open, close] = names.as_slice() {
        let is_id = close
            .strip_suffix(')')
            .is_some_and(|n| n.parse::<i64>().is_ok());
        if open == "(id:" && is_id {
            names.truncate(names.len() - 2);
        }
    }
    names
}
