//! The namespace subcommands: add, attach, delete, list, list-id, set,
//! identify, pids, exec, monitor.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use netns_core::{ExecOptions, IdFilter, MonitorEvent, Nsid, PidsOptions, Registry};
use serde::Serialize;

use crate::output::{fail, usage_status, Group, Output, Stage};
use crate::Usage;

/// `netns netns help` (ip's `ip netns help`), on stderr with exit 255 as ip.
pub(crate) const USAGE: &str = "\
Usage:\tnetns [netns] list
\tnetns [netns] add NAME
\tnetns [netns] attach NAME PID
\tnetns [netns] set NAME NETNSID
\tnetns [-all] [netns] delete [NAME]
\tnetns [netns] identify [PID]
\tnetns [netns] pids NAME
\tnetns [-all] [netns] exec [NAME] cmd ...
\tnetns [netns] monitor
\tnetns [netns] list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT";

/// A parsed namespace command (`ip netns`'s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NsCommand {
    /// `add NAME`: create a namespace and name it.
    Add {
        /// The name (validated by the registry at execution).
        name: String,
    },
    /// `attach NAME PID`: name a process's namespace.
    Attach {
        /// The name to give.
        name: String,
        /// The process.
        pid: i32,
    },
    /// `delete NAME…`.
    Delete {
        /// The names, in order.
        names: Vec<String>,
    },
    /// `delete --all`.
    DeleteAll,
    /// `list`.
    List,
    /// `list-id [target-nsid N] [nsid N]`.
    ListId(IdFilter),
    /// `set NAME auto|N`.
    Set {
        /// The namespace's name.
        name: String,
        /// The id; `None` for `auto`.
        id: Option<Nsid>,
    },
    /// `identify [PID]`.
    Identify {
        /// The process; `None` for netns itself.
        pid: Option<i32>,
    },
    /// `pids NAME [--threads]`.
    Pids {
        /// The namespace's name.
        name: String,
        /// Also list threads whose own namespace it is.
        threads: bool,
    },
    /// `exec NAME CMD…`.
    Exec {
        /// The namespace's name.
        name: String,
        /// The command and its arguments (not empty).
        argv: Vec<OsString>,
    },
    /// `exec --all CMD…`: in every named namespace, one after the other.
    ExecAll {
        /// The command and its arguments (not empty).
        argv: Vec<OsString>,
    },
    /// `monitor`.
    Monitor,
}

#[cfg(any(test, feature = "fuzzing"))]
impl NsCommand {
    /// Appends the canonical words of the command (subcommand first).
    pub(crate) fn render(&self, out: &mut Vec<OsString>) {
        let mut push = |w: &str| out.push(w.into());
        match self {
            NsCommand::Add { name } => {
                push("add");
                push("--");
                push(name);
            }
            NsCommand::Attach { name, pid } => {
                push("attach");
                push("--");
                push(name);
                push(&pid.to_string());
            }
            NsCommand::Delete { names } => {
                push("delete");
                push("--");
                for n in names {
                    push(n);
                }
            }
            NsCommand::DeleteAll => {
                push("delete");
                push("--all");
            }
            NsCommand::List => push("list"),
            NsCommand::ListId(filter) => {
                push("list-id");
                if let Some(t) = filter.target_nsid {
                    push("target-nsid");
                    push(&t.get().to_string());
                }
                if let Some(n) = filter.nsid {
                    push("nsid");
                    push(&n.get().to_string());
                }
            }
            NsCommand::Set { name, id } => {
                push("set");
                push("--");
                push(name);
                push(&id.map_or_else(|| "auto".to_owned(), |i| i.get().to_string()));
            }
            NsCommand::Identify { pid } => {
                push("identify");
                if let Some(p) = pid {
                    push("--");
                    push(&p.to_string());
                }
            }
            NsCommand::Pids { name, threads } => {
                push("pids");
                if *threads {
                    push("--threads");
                }
                push("--");
                push(name);
            }
            NsCommand::Exec { name, argv } => {
                push("exec");
                push("--");
                push(name);
                out.extend(argv.iter().cloned());
            }
            NsCommand::ExecAll { argv } => {
                push("exec");
                push("--all");
                push("--");
                out.extend(argv.iter().cloned());
            }
            NsCommand::Monitor => push("monitor"),
        }
    }
}

fn parse_nsid(word: &str, value: Option<&String>) -> Result<Nsid, String> {
    let value = value.ok_or_else(|| format!("{word} needs a number"))?;
    value
        .parse::<Nsid>()
        .map_err(|_| format!("invalid {word} {value:?}: expected a non-negative number"))
}

/// `list-id`'s words: `[target-nsid N] [nsid N]`.
pub(crate) fn parse_list_id(args: &[String]) -> Result<NsCommand, Usage> {
    let mut filter = IdFilter::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let parsed = match word.as_str() {
            "target-nsid" => {
                parse_nsid(word, words.next()).map(|id| filter = filter.target_nsid(id))
            }
            "nsid" => parse_nsid(word, words.next()).map(|id| filter = filter.nsid(id)),
            other => Err(format!(
                "unknown argument {other:?}: expected target-nsid N or nsid N"
            )),
        };
        if let Err(msg) = parsed {
            return Err(Usage::new(
                format!("list-id: {msg}"),
                usage_status(Group::Netns),
            ));
        }
    }
    // `nsid N` alone is the entry of N in the current namespace (ip's
    // `list-id nsid N`).
    Ok(NsCommand::ListId(filter))
}

/// `set NAME ID`: ID is `auto` or a non-negative number.
pub(crate) fn parse_set(name: String, id: &str) -> Result<NsCommand, Usage> {
    let id = match id {
        "auto" => None,
        n => match n.parse::<Nsid>() {
            Ok(v) => Some(v),
            Err(_) => {
                return Err(Usage::new(
                    format!("invalid id {n:?}: expected \"auto\" or a non-negative number"),
                    255,
                ))
            }
        },
    };
    Ok(NsCommand::Set { name, id })
}

/// `exec NAME CMD…` or `exec --all CMD…`.
pub(crate) fn parse_exec(all: bool, mut args: Vec<OsString>) -> Result<NsCommand, Usage> {
    if all {
        if args.is_empty() {
            return Err(Usage::new(
                "exec: no command given",
                usage_status(Group::Netns),
            ));
        }
        return Ok(NsCommand::ExecAll { argv: args });
    }
    if args.is_empty() {
        return Err(Usage::new(
            "exec: no namespace given",
            usage_status(Group::Netns),
        ));
    }
    let name = args.remove(0);
    if args.is_empty() {
        return Err(Usage::new(
            "exec: no command given",
            usage_status(Group::Netns),
        ));
    }
    let Ok(name) = name.into_string() else {
        return Err(Usage::new(
            "exec: the namespace name is not valid UTF-8",
            255,
        ));
    };
    Ok(NsCommand::Exec { name, argv: args })
}

/// Runs one namespace command; returns the exit status.
pub fn run(reg: &Registry, out: &Output, cmd: NsCommand) -> u8 {
    match cmd {
        NsCommand::Add { name } => match reg.add(&name) {
            Ok(_) => 0,
            Err(e) => fail(Group::Netns, Stage::Run, &e),
        },
        NsCommand::Attach { name, pid } => match reg.attach(&name, pid) {
            Ok(_) => 0,
            Err(e) => fail(Group::Netns, Stage::Run, &e),
        },
        NsCommand::DeleteAll => delete_all(reg),
        NsCommand::Delete { names } => {
            let mut status = 0;
            for name in names {
                if let Err(e) = reg.delete(&name) {
                    status = fail(Group::Netns, Stage::Run, &e);
                }
            }
            status
        }
        NsCommand::List => list(reg, out),
        NsCommand::ListId(filter) => list_id(reg, out, filter),
        NsCommand::Set { name, id } => set(reg, &name, id),
        NsCommand::Identify { pid } => identify(reg, out, pid),
        NsCommand::Pids { name, threads } => {
            match reg.pids(&name, PidsOptions::new().threads(threads)) {
                Ok(pids) if out.json() => {
                    out.print_json(&pids);
                    0
                }
                Ok(pids) => {
                    for pid in pids {
                        println!("{pid}");
                    }
                    0
                }
                Err(e) => fail(Group::Netns, Stage::Run, &e),
            }
        }
        NsCommand::Exec { name, argv } => exec_one(reg, &name, &argv),
        NsCommand::ExecAll { argv } => exec_all(reg, &argv),
        NsCommand::Monitor => monitor(reg, out),
    }
}

fn delete_all(reg: &Registry) -> u8 {
    match reg.delete_all() {
        Ok(report) => {
            let mut status = 0;
            for (_, e) in &report.failed {
                status = fail(Group::Netns, Stage::Run, e);
            }
            status
        }
        Err(e) => fail(Group::Netns, Stage::Run, &e),
    }
}

#[derive(Serialize)]
struct ListEntry<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<i32>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stale: bool,
}

fn list(reg: &Registry, out: &Output) -> u8 {
    let entries = match reg.list() {
        Ok(entries) => entries,
        Err(e) => return fail(Group::Netns, Stage::Run, &e),
    };
    if out.json() {
        let rows: Vec<ListEntry<'_>> = entries
            .iter()
            .map(|e| ListEntry {
                name: &e.name,
                id: e.id.map(Nsid::get),
                stale: e.stale,
            })
            .collect();
        out.print_json(&rows);
        return 0;
    }
    for e in &entries {
        match (e.id, e.stale) {
            (_, true) => println!("{} (stale: no namespace mounted)", e.name),
            (Some(id), false) => println!("{} (id: {})", e.name, id.get()),
            (None, false) => println!("{}", e.name),
        }
    }
    0
}

fn list_id(reg: &Registry, out: &Output, filter: IdFilter) -> u8 {
    let ids = match reg.list_ids(filter) {
        Ok(ids) => ids,
        Err(e) => return fail(Group::Netns, Stage::Run, &e),
    };
    if out.json() {
        #[derive(Serialize)]
        struct Row<'a> {
            nsid: i32,
            #[serde(rename = "current-nsid", skip_serializing_if = "Option::is_none")]
            current_nsid: Option<i32>,
            #[serde(skip_serializing_if = "Option::is_none")]
            name: Option<&'a str>,
        }
        let rows: Vec<Row<'_>> = ids
            .iter()
            .map(|e| Row {
                nsid: e.nsid.get(),
                current_nsid: e.current_nsid.map(Nsid::get),
                name: e.name.as_deref(),
            })
            .collect();
        out.print_json(&rows);
        crate::output::warn_if_inconsistent(ids.is_consistent());
        return 0;
    }
    for e in &ids {
        let mut line = format!("nsid {}", e.nsid.get());
        if let Some(c) = e.current_nsid {
            line.push_str(&format!(" current-nsid {}", c.get()));
        }
        if let Some(name) = &e.name {
            line.push_str(&format!(" (iproute2 netns name: {name})"));
        }
        println!("{line}");
    }
    crate::output::warn_if_inconsistent(ids.is_consistent());
    0
}

fn set(reg: &Registry, name: &str, id: Option<Nsid>) -> u8 {
    match reg.set_id(name, id) {
        Ok(()) => 0,
        Err(e) => fail(Group::NetnsId, Stage::Run, &e),
    }
}

fn identify(reg: &Registry, out: &Output, pid: Option<i32>) -> u8 {
    // Without a pid: this process (the CLI's main thread is its own).
    let pid = pid.unwrap_or_else(|| std::process::id() as i32);
    match reg.identify(Some(pid)) {
        Ok(names) if out.json() => {
            out.print_json(&names);
            0
        }
        Ok(names) => {
            for n in names {
                println!("{n}");
            }
            0
        }
        Err(e) => fail(Group::Netns, Stage::Run, &e),
    }
}

/// The shell's convention: the exit code, or 128 + the signal.
fn status_code(status: ExitStatus) -> u8 {
    match (status.code(), status.signal()) {
        (Some(code), _) => code as u8,
        (None, Some(sig)) => 128u8.wrapping_add(sig as u8),
        (None, None) => 1,
    }
}

fn exec_one(reg: &Registry, name: &str, argv: &[OsString]) -> u8 {
    // As `ip netns exec`: this process becomes the command (same pid, so a
    // signal sent to `netns exec` reaches the command, and its exit status is
    // the command's own). 255 when the namespace cannot be opened, 1 when the
    // command cannot be run.
    let ns = match reg.open(name) {
        Ok(ns) => ns,
        Err(e) => return fail(Group::Netns, Stage::Open, &e),
    };
    // The command inherits fd 1, not what is still buffered here.
    let _ = std::io::stdout().flush();
    match reg.exec_in_place_in(name, ns, argv) {
        Ok(never) => match never {},
        Err(e) => fail(Group::Netns, Stage::Run, &e),
    }
}

/// One namespace of `exec --all`: a forked child (it dies with this process,
/// see [`Registry::spawn`]), waited for.
fn exec_forked(reg: &Registry, name: &str, argv: &[OsString]) -> u8 {
    let ns = match reg.open(name) {
        Ok(ns) => ns,
        Err(e) => return fail(Group::Netns, Stage::Open, &e),
    };
    match reg
        .spawn_in(name, ns, argv, ExecOptions::new())
        .and_then(|child| child.wait())
    {
        Ok(status) => status_code(status),
        Err(e) => fail(Group::Netns, Stage::Run, &e),
    }
}

fn exec_all(reg: &Registry, argv: &[OsString]) -> u8 {
    let names = match reg.names() {
        Ok(n) => n,
        Err(e) => return fail(Group::Netns, Stage::Run, &e),
    };
    let mut status = 0;
    for name in names {
        println!("\nnetns: {name}");
        let code = exec_forked(reg, &name, argv);
        if code != 0 && status == 0 {
            status = code;
        }
    }
    status
}

fn monitor(reg: &Registry, out: &Output) -> u8 {
    let events = match reg.monitor() {
        Ok(m) => m,
        Err(e) => return fail(Group::Netns, Stage::Run, &e),
    };
    for ev in events {
        let (kind, name) = match ev {
            Ok(MonitorEvent::Add(n)) => ("add", n),
            Ok(MonitorEvent::Delete(n)) => ("delete", n),
            Ok(_) => continue,
            Err(e) => return fail(Group::Netns, Stage::Run, &e),
        };
        if out.json() {
            #[derive(Serialize)]
            struct Ev<'a> {
                event: &'a str,
                name: &'a str,
            }
            out.print_json(&Ev {
                event: kind,
                name: &name,
            });
        } else {
            out.line(&format!("{kind} {name}"));
        }
    }
    0
}
