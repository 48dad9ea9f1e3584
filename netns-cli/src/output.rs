//! Printing: ip-like text, or JSON with ip's field names.

use std::io::Write;

use netns_core::{Error, ErrorKind};
use serde::Serialize;

/// Where and how results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    json: bool,
    pretty: bool,
}

impl Output {
    pub fn new(json: bool, pretty: bool) -> Self {
        Output { json, pretty }
    }

    pub fn json(&self) -> bool {
        self.json
    }

    /// Prints `value` as JSON (one document, newline-terminated).
    pub fn print_json<T: Serialize + ?Sized>(&self, value: &T) {
        let text = if self.pretty {
            ip_pretty(value)
        } else {
            serde_json::to_string(value)
        };
        match text {
            Ok(t) => println!("{t}"),
            Err(e) => eprintln!("netns: cannot encode JSON: {e}"),
        }
    }

    /// Prints one line of text and flushes (for streams such as `monitor`).
    pub fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

/// After the data of a dump the kernel interrupted (`NLM_F_DUMP_INTR`) on
/// every attempt, says so on stderr in `ip`'s words; the exit status stays 0,
/// as `ip`'s does.
pub fn warn_if_inconsistent(consistent: bool) {
    if !consistent {
        eprintln!("Dump was interrupted and may be inconsistent.");
    }
}

/// The command group an error comes from: iproute2's exit statuses differ
/// between `ip netns`, `ip link`, `ip address`/`ip route` and (ours)
/// topologies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `netns add|delete|list|exec|…` (`ip netns`).
    Netns,
    /// `netns set NAME ID` (`ip netns set`: the kernel's refusals are 2).
    NetnsId,
    /// `link …` (`ip link`).
    Link,
    /// `addr …` and `route …` (`ip address`, `ip route`).
    AddrRoute,
    /// `neigh …` and `rule …` (`ip neigh`, `ip rule`).
    NeighRule,
    /// `apply|status|check|destroy FILE`.
    Topology,
}

/// Where in the command it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Opening the namespace the command works in (`-n NAME`, or `exec`'s).
    Open,
    /// Looking up a device named in the command.
    Lookup,
    /// The operation itself (the kernel's or the system's refusal).
    Run,
}

/// The one table of exit statuses, as iproute2's: a refused name is 255
/// everywhere; otherwise by group and stage.
///
/// | group | open | lookup | run |
/// |---|---|---|---|
/// | `Netns` | 255 (`exec`) | 1 | 1 |
/// | `NetnsId` | not found 1, else 2 | not found 1, else 2 | not found 1, else 2 |
/// | `Link` | 255 | by kind | by kind: not found 1, refused before the kernel 255, else 2 |
/// | `AddrRoute` | 255 | 1 | 2 |
/// | `NeighRule` | 255 | 1 | 2 |
/// | `Topology` | 2 | 2 | 2 (drift is 1, not an error) |
pub fn exit_status(group: Group, stage: Stage, err: &Error) -> u8 {
    if err.kind() == ErrorKind::InvalidName {
        return 255;
    }
    match (group, stage) {
        (Group::Netns, Stage::Open) => 255,
        (Group::Netns, _) => 1,
        (Group::NetnsId, _) if err.kind() == ErrorKind::NotFound => 1,
        (Group::NetnsId, _) => 2,
        (Group::Link, Stage::Open) => 255,
        (Group::Link, _) => match (err.kind(), err.errno()) {
            (ErrorKind::NotFound, _) => 1,
            (ErrorKind::InvalidArgument, None) => 255,
            _ => 2,
        },
        (Group::AddrRoute, Stage::Open) => 255,
        (Group::AddrRoute, Stage::Lookup) => 1,
        (Group::AddrRoute, Stage::Run) => 2,
        (Group::NeighRule, Stage::Open) => 255,
        (Group::NeighRule, Stage::Lookup) => 1,
        (Group::NeighRule, Stage::Run) => 2,
        (Group::Topology, _) => 2,
    }
}

/// `status FILE` with drift, `check FILE` with a failed probe.
pub const EXIT_DRIFT: u8 = 1;
/// `apply --dry-run FILE` that apply would refuse.
pub const EXIT_REFUSED: u8 = 2;

/// The exit status of a usage error (refused by [`crate::parse`]): 1 for
/// `addr` and `route`, 255 otherwise, as iproute2.
pub fn usage_status(group: Group) -> u8 {
    match group {
        Group::AddrRoute => 1,
        _ => 255,
    }
}

/// Reports `err` on stderr and returns its exit status ([`exit_status`]).
pub fn fail(group: Group, stage: Stage, err: &Error) -> u8 {
    eprintln!("netns: {err}");
    exit_status(group, stage, err)
}

/// Why a command failed at execution: a core error, where, and so its exit
/// status (usage errors are refused earlier, by [`crate::parse`]).
pub struct Failure {
    error: Error,
    group: Group,
    stage: Stage,
}

impl Failure {
    /// `error` of `group` at `stage`.
    pub fn new(group: Group, stage: Stage, error: Error) -> Failure {
        Failure {
            error,
            group,
            stage,
        }
    }

    /// Reports the error on stderr; returns the exit status.
    pub fn report(&self) -> u8 {
        fail(self.group, self.stage, &self.error)
    }
}

impl From<Error> for Failure {
    /// `link`'s failures (the only group that uses `?` on core errors).
    fn from(e: Error) -> Failure {
        Failure::new(Group::Link, Stage::Run, e)
    }
}

/// The result of executing a command.
pub type Outcome = Result<(), Failure>;

/// The exit status of an outcome, the failure reported.
pub fn status(outcome: Outcome) -> u8 {
    match outcome {
        Ok(()) => 0,
        Err(f) => f.report(),
    }
}

/// C's `strerror` text of an I/O error (`No such file or directory`), as ip
/// prints it; the error's own text when it has no errno.
pub fn strerror(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => nix::errno::Errno::from_raw(code).desc().to_owned(),
        None => e.to_string(),
    }
}

/// A JSON object whose keys keep the order they were pushed in (ip's field
/// order), whatever serde_json's map does.
#[derive(Debug, Default)]
pub struct Fields(Vec<(&'static str, FieldValue)>);

/// A value of [`Fields`]: a plain value or a list of ordered objects.
#[derive(Debug)]
enum FieldValue {
    Value(serde_json::Value),
    List(Vec<Fields>),
    Object(Fields),
}

impl Fields {
    /// Appends `key: value`.
    pub fn push(&mut self, key: &'static str, value: serde_json::Value) {
        self.0.push((key, FieldValue::Value(value)));
    }

    /// Appends `key: {object}`, keeping its order.
    pub fn push_object(&mut self, key: &'static str, object: Fields) {
        self.0.push((key, FieldValue::Object(object)));
    }

    /// Appends `key: [objects…]`, each keeping its order.
    pub fn push_list(&mut self, key: &'static str, list: Vec<Fields>) {
        self.0.push((key, FieldValue::List(list)));
    }
}

impl Serialize for Fields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            match v {
                FieldValue::Value(v) => map.serialize_entry(k, v)?,
                FieldValue::List(l) => map.serialize_entry(k, l)?,
                FieldValue::Object(o) => map.serialize_entry(k, o)?,
            }
        }
        map.end()
    }
}

/// `value` as `ip -j -p` prints JSON (iproute2's `lib/json_writer.c`):
/// members on their own lines indented by four spaces a level, arrays on
/// one line as `[ a,b ]`, a list of objects as `[ {` … `},{` … `} ]`.
fn ip_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut buf = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, IpPretty::default());
    value.serialize(&mut ser)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The layout of iproute2's JSON writer in pretty mode.
#[derive(Default)]
struct IpPretty {
    depth: usize,
    /// Whether each open array or object has had a member yet.
    open: Vec<bool>,
}

impl IpPretty {
    fn eol<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.depth {
            w.write_all(b"    ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for IpPretty {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.open.push(false);
        w.write_all(b"[ ")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.open.pop() == Some(true) {
            w.write_all(b" ")?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if let Some(top) = self.open.last_mut() {
            *top = true;
        }
        if first {
            Ok(())
        } else {
            w.write_all(b",")
        }
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth += 1;
        self.open.push(false);
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.depth -= 1;
        if self.open.pop() == Some(true) {
            self.eol(w)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        if let Some(top) = self.open.last_mut() {
            *top = true;
        }
        if !first {
            w.write_all(b",")?;
        }
        self.eol(w)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_is_laid_out_as_ip_does() {
        let v = serde_json::json!([{"a": 1, "f": ["X", "Y"], "e": [], "o": {"b": true}}, {}]);
        // serde_json's json! sorts keys: a, e, f, o.
        assert_eq!(
            ip_pretty(&v).unwrap(),
            "[ {\n        \"a\": 1,\n        \"e\": [ ],\n        \"f\": [ \"X\",\"Y\" ],\n        \"o\": {\n            \"b\": true\n        }\n    },{} ]"
        );
    }
}
