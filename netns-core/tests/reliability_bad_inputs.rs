//! The `rust` rows of tests/reliability/bad_inputs.tsv: each bad input gives
//! an error of the expected kind whose message contains the expected text,
//! and creates nothing (no run-directory entry, no link).
#![allow(clippy::unwrap_used)]

use std::str::FromStr;

use netns_core::addr::IpNet;
use netns_core::link::{LinkChange, LinkSpec, MacAddr};
use netns_core::{Error, ExecOptions, Handle, NetNs, Registry};
use netns_testkit::sandbox;

/// One word of the table: `{N}` is N times `a`, `\s` a space, `\xHH` a byte.
fn decode(word: &str) -> String {
    if let Some(n) = word.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
        return "a".repeat(n.parse().unwrap());
    }
    let mut out = Vec::new();
    let b = word.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
            out.push(u8::from_str_radix(&word[i + 2..i + 4], 16).unwrap());
            i += 4;
        } else if b[i] == b'\\' && b.get(i + 1) == Some(&b's') {
            out.push(b' ');
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("rust rows hold UTF-8 (a &str cannot be anything else)")
}

fn run_op(reg: &Registry, op: &str, args: &[String]) -> Result<(), Error> {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("");
    match op {
        "add" => reg.add(arg(0)).map(drop),
        "attach" => reg.attach(arg(0), arg(1).parse().unwrap()).map(drop),
        "open" => reg.open(arg(0)).map(drop),
        "open_path" => NetNs::open_path(arg(0)).map(drop),
        "open_pid" => NetNs::open_pid(arg(0).parse().unwrap()).map(drop),
        "ipnet" => IpNet::from_str(arg(0)).map(drop),
        "mac" => MacAddr::from_str(arg(0)).map(drop),
        "bridge" => Handle::current()?.link_add(&LinkSpec::bridge(arg(0))),
        "veth" => Handle::current()?.veth(arg(0), arg(1), None),
        "mtu" => {
            let mut h = Handle::current()?;
            h.link_add(&LinkSpec::bridge(arg(0)))?;
            let r = h.link_set(&LinkChange::new(arg(0).into()).mtu(arg(1).parse().unwrap()));
            h.link_delete(arg(0).into())?;
            r
        }
        "exec" => reg.exec(arg(0), &args[1..], ExecOptions::new()).map(drop),
        "exec_nul" => reg
            .exec(arg(0), &["echo", "a\0b"], ExecOptions::new())
            .map(drop),
        other => panic!("unknown rust op {other}"),
    }
}

#[test]
fn every_rust_row_fails_clearly_and_creates_nothing() {
    let sb = sandbox();
    let reg = Registry::new(sb.run_dir(), sb.etc_dir());
    let table = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/reliability/bad_inputs.tsv"
    ))
    .unwrap();
    // exec_nul needs a real namespace to get as far as the argv check.
    let mut rows = 0;
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [id, front, op, args, expect, message] = cols[..] else {
            panic!("bad row: {line:?}")
        };
        if front != "rust" {
            continue;
        }
        rows += 1;
        let args: Vec<String> = if args == "-" {
            vec![String::new()]
        } else {
            args.split(' ').map(decode).collect()
        };
        std::os::unix::fs::symlink("/proc/1/ns/net", sb.run_dir().join("symlink")).unwrap();
        let made = if op == "exec_nul" {
            Some(reg.add(&args[0]).unwrap())
        } else {
            None
        };
        let result = run_op(&reg, op, &args);
        if made.is_some() {
            reg.delete(&args[0]).unwrap();
        }
        std::fs::remove_file(sb.run_dir().join("symlink")).unwrap();
        let want = if message.starts_with('{') {
            decode(message)
        } else {
            message.to_string()
        };
        match result {
            Ok(()) => failures.push(format!("{id}: {op} {args:?} succeeded")),
            Err(e) => {
                let text = e.to_string();
                let kind = format!("{:?}", e.kind());
                if kind != expect || (want != "-" && !text.contains(&want)) {
                    failures.push(format!(
                        "{id}: {op} {args:?}: {kind} {text:?}, expected {expect} with {want:?}"
                    ));
                } else {
                    println!("ok - {id} {op}: {text}");
                }
            }
        }
        let entries = sb.run_dir_entries();
        let links = sb.link_names();
        if !entries.is_empty() || links != ["lo"] {
            failures.push(format!("{id}: left {entries:?} {links:?}"));
            // Clean up so that one failure does not cascade.
            for e in entries {
                let _ = reg.delete(&e);
            }
        }
    }
    assert!(rows >= 20, "only {rows} rust rows");
    assert!(failures.is_empty(), "{failures:#?}");
    sb.assert_clean();
}
