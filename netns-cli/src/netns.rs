//! The namespace subcommands: add, attach, delete, list, list-id, set,
//! identify, pids, exec, monitor.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;

use netns_core::{ErrorKind, ExecOptions, IdFilter, MonitorEvent, Nsid, PidsOptions, Registry};
use serde::Serialize;

use crate::output::{fail, Output};
use crate::Command;

/// Runs one namespace subcommand; returns the exit status.
pub fn run(reg: &Registry, out: &Output, cmd: Command) -> u8 {
    match cmd {
        Command::Add { name } => match reg.add(&name) {
            Ok(_) => 0,
            Err(e) => fail(&e, 1),
        },
        Command::Attach { name, pid } => match reg.attach(&name, pid) {
            Ok(_) => 0,
            Err(e) => fail(&e, 1),
        },
        Command::Delete { all: true, .. } => delete_all(reg),
        Command::Delete { names, .. } => {
            let mut status = 0;
            for name in names {
                if let Err(e) = reg.delete(&name) {
                    status = fail(&e, 1);
                }
            }
            status
        }
        Command::List => list(reg, out),
        Command::ListId { args } => list_id(reg, out, &args),
        Command::Set { name, id } => set(reg, &name, &id),
        Command::Identify { pid } => identify(reg, out, pid),
        Command::Pids { name, threads } => {
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
                Err(e) => fail(&e, 1),
            }
        }
        Command::Exec { all, args } => exec(reg, all, args),
        Command::Monitor => monitor(reg, out),
        Command::Link { .. }
        | Command::Addr { .. }
        | Command::Route { .. }
        | Command::Topology(_) => {
            unreachable!("dispatched in main")
        }
    }
}

fn delete_all(reg: &Registry) -> u8 {
    match reg.delete_all() {
        Ok(report) => {
            let mut status = 0;
            for (_, e) in &report.failed {
                status = fail(e, 1);
            }
            status
        }
        Err(e) => fail(&e, 1),
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
        Err(e) => return fail(&e, 1),
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

fn parse_nsid(word: &str, value: Option<&String>) -> Result<Nsid, String> {
    let value = value.ok_or_else(|| format!("{word} needs a number"))?;
    value
        .parse::<Nsid>()
        .map_err(|_| format!("invalid {word} {value:?}: expected a non-negative number"))
}

fn list_id(reg: &Registry, out: &Output, args: &[String]) -> u8 {
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
            eprintln!("netns: list-id: {msg}");
            return 255;
        }
    }
    if filter.nsid.is_some() && filter.target_nsid.is_none() {
        eprintln!("netns: list-id: nsid needs target-nsid");
        return 255;
    }
    let ids = match reg.list_ids(filter) {
        Ok(ids) => ids,
        Err(e) => return fail(&e, 1),
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
    0
}

fn set(reg: &Registry, name: &str, id: &str) -> u8 {
    let id = match id {
        "auto" => None,
        n => match n.parse::<Nsid>() {
            Ok(v) => Some(v),
            Err(_) => {
                eprintln!("netns: invalid id {n:?}: expected \"auto\" or a non-negative number");
                return 255;
            }
        },
    };
    match reg.set_id(name, id) {
        Ok(()) => 0,
        Err(e) => fail(
            &e,
            if e.kind() == ErrorKind::NotFound {
                1
            } else {
                2
            },
        ),
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
        Err(e) => fail(&e, 1),
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
    // As `ip netns exec`: 255 when the namespace cannot be opened, 1 when the
    // command cannot be run, else the command's own status.
    let ns = match reg.open(name) {
        Ok(ns) => ns,
        Err(e) => return fail(&e, 255),
    };
    match reg
        .spawn_in(name, ns, argv, ExecOptions::new())
        .and_then(|child| child.wait())
    {
        Ok(status) => status_code(status),
        Err(e) => fail(&e, 1),
    }
}

fn exec(reg: &Registry, all: bool, args: Vec<OsString>) -> u8 {
    if !all {
        let Some((name, argv)) = args.split_first() else {
            return 255;
        };
        if argv.is_empty() {
            eprintln!("netns: exec: no command given");
            return 255;
        }
        let Some(name) = name.to_str() else {
            eprintln!("netns: exec: the namespace name is not valid UTF-8");
            return 255;
        };
        return exec_one(reg, name, argv);
    }
    let names = match reg.names() {
        Ok(n) => n,
        Err(e) => return fail(&e, 1),
    };
    let mut status = 0;
    for name in names {
        println!("\nnetns: {name}");
        let code = exec_one(reg, &name, &args);
        if code != 0 && status == 0 {
            status = code;
        }
    }
    status
}

fn monitor(reg: &Registry, out: &Output) -> u8 {
    let events = match reg.monitor() {
        Ok(m) => m,
        Err(e) => return fail(&e, 1),
    };
    for ev in events {
        let (kind, name) = match ev {
            Ok(MonitorEvent::Add(n)) => ("add", n),
            Ok(MonitorEvent::Delete(n)) => ("delete", n),
            Ok(_) => continue,
            Err(e) => return fail(&e, 1),
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
