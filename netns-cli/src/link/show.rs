//! `link show`: text and JSON in ip's format.

use std::collections::HashMap;

use netns_core::link::{HwAddr, IfIndex, LinkFlags, LinkRef};
use netns_core::{Error, ErrorKind, Handle, Nsid};
use serde::Serialize;

use crate::output::{Failure, Group, Outcome, Stage};
use crate::Context;

/// `link show [[dev] NAME]`: every link, or the one named (1 when it does
/// not exist); plain, `-o` (one line per link), `-br` or `-j`.
pub(super) fn show(ctx: &Context, dev: Option<&str>) -> Outcome {
    let mut h = ctx.handle()?;
    let links = Links::read(ctx, &mut h, dev)?;
    if let (Some(d), true) = (dev, links.rows.is_empty()) {
        let err = Error::new(ErrorKind::NotFound, "show", format!("link {d:?}"))
            .with_detail(format!("device \"{d}\" does not exist"));
        return Err(Failure::new(Group::Link, Stage::Lookup, err));
    }
    if ctx.out.json() {
        let json: Vec<JsonLink<'_>> = links.rows.iter().map(|r| r.json(&links.known)).collect();
        ctx.out.print_json(&json);
        return Ok(());
    }
    let mut text = String::new();
    for row in &links.rows {
        if ctx.options.brief {
            links.brief(row, true, &mut text);
            text.push('\n');
        } else {
            let mut record = String::new();
            row.text(&links.known, &links.nsid_names, Header::Link, &mut record);
            text.push_str(&oneline(record, ctx.options.oneline));
        }
    }
    print!("{text}");
    Ok(())
}

/// ip's `-o`: the line breaks inside a record become `\`.
pub(crate) fn oneline(record: String, on: bool) -> String {
    if !on {
        return record;
    }
    let body = record.strip_suffix('\n').unwrap_or(&record);
    format!("{}\n", body.replace('\n', "\\"))
}

/// Which header ip prints for a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Header {
    /// `ip link show`: with `mode`.
    Link,
    /// `ip addr show` (and `-0`): without `mode`.
    Addr,
    /// `ip -4 addr show`: no `link/…` line (iproute2 prints it only without
    /// a family, with `-0` or `-d`).
    Inet,
    /// `ip -6 addr show`: the kernel's IPv6 link dump (`inet6_fill_ifinfo`)
    /// has no qdisc, master or group; no `link/…` line.
    Inet6,
}

/// The links of a namespace as ip prints them (for `link show` and the
/// headers of `addr show`).
pub(crate) struct Links {
    rows: Vec<Row>,
    known: HashMap<IfIndex, (String, LinkFlags)>,
    nsid_names: HashMap<Nsid, String>,
}

impl Links {
    /// Every link of `h`'s namespace (only `dev` when given), in the
    /// kernel's order; the names of peer namespaces when a link has one.
    pub(crate) fn read(ctx: &Context, h: &mut Handle, dev: Option<&str>) -> Result<Links, Error> {
        let mut known: HashMap<IfIndex, (String, LinkFlags)> = HashMap::new();
        let mut rows = Vec::new();
        let mut need_nsids = false;
        for link in h.links()? {
            known.insert(link.index(), (link.name().to_owned(), link.flags()));
            if dev.is_none_or(|d| d.as_bytes() == link.name_bytes()) {
                need_nsids |= link.has_link_netnsid();
                rows.push(Row::from_view(&link));
            }
        }
        let nsid_names = if need_nsids {
            nsid_names(ctx, h)
        } else {
            HashMap::new()
        };
        Ok(Links {
            rows,
            known,
            nsid_names,
        })
    }

    fn row(&self, index: u32) -> Option<&Row> {
        self.rows.iter().find(|r| r.link.index.get() == index)
    }

    /// The header `ip addr` prints for a link.
    pub(crate) fn header(&self, index: u32, style: Header, out: &mut String) {
        if let Some(row) = self.row(index) {
            row.text(&self.known, &self.nsid_names, style, out);
        }
    }

    /// The link's name, as `ip -o addr` prints it before each address.
    pub(crate) fn name(&self, index: u32) -> Option<&str> {
        self.row(index).map(|r| r.link.name.as_str())
    }

    /// `-br`: `NAME@PEER` (16 wide), the state (14 wide); for `link` the
    /// address and the flags. No line break.
    pub(crate) fn brief_of(&self, index: u32, out: &mut String) {
        if let Some(row) = self.row(index) {
            self.brief(row, false, out);
        }
    }

    fn brief(&self, row: &Row, link: bool, out: &mut String) {
        use std::fmt::Write;
        let l = &row.link;
        let mut name = l.name.clone();
        if let Some(peer) = row.peer(&self.known) {
            name = format!("{name}@{peer}");
        }
        let _ = write!(out, "{name:<16} {:<14} ", l.operstate.to_string());
        if link {
            if let Some(a) = row.address(l.address.as_ref()) {
                let _ = write!(out, "{a} ");
            }
            let _ = write!(out, "<{}> ", row.flag_words(&self.known).join(","));
        }
    }
}

fn nsid_names(ctx: &Context, h: &mut Handle) -> HashMap<Nsid, String> {
    let mut map = HashMap::new();
    let Ok(names) = ctx.registry.names() else {
        return map;
    };
    for name in names {
        let Ok(ns) = ctx.registry.open(&name) else {
            continue;
        };
        if let Ok(Some(id)) = netns_core::nsid::get(h.socket(), std::os::fd::AsFd::as_fd(&ns)) {
            map.entry(id).or_insert(name);
        }
    }
    map
}

/// What is printed of one link.
struct Row {
    link: netns_core::link::Link,
    has_netnsid: bool,
    raw_netnsid: Option<Nsid>,
}

/// `ip -j link` field names and order.
#[derive(Serialize)]
struct JsonLink<'a> {
    ifindex: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    link_index: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link: Option<String>,
    ifname: &'a str,
    flags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mtu: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    qdisc: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    master: Option<String>,
    operstate: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    linkmode: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    txqlen: Option<u32>,
    link_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    broadcast: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link_pointtopoint: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link_netnsid: Option<i32>,
}

impl Row {
    fn from_view(view: &LinkRef<'_>) -> Row {
        Row {
            link: view.to_owned(),
            has_netnsid: view.has_link_netnsid(),
            raw_netnsid: view.link_netnsid(),
        }
    }

    /// `@peer`: by name in this namespace, `ifN` when it is elsewhere or unknown.
    fn peer(&self, known: &HashMap<IfIndex, (String, LinkFlags)>) -> Option<String> {
        let peer = self.link.link?;
        if self.has_netnsid {
            return Some(format!("if{peer}"));
        }
        Some(match known.get(&peer) {
            Some((name, _)) => name.clone(),
            None => format!("if{peer}"),
        })
    }

    /// ip's flag list: NO-CARRIER first when up without carrier, the known
    /// flags in ip's order, unknown bits in hex, M-DOWN when the lower
    /// device (in this namespace) is down.
    fn flag_words(&self, known: &HashMap<IfIndex, (String, LinkFlags)>) -> Vec<String> {
        let flags = self.link.flags;
        let mut out = Vec::new();
        if flags.is_up() && !flags.is_running() {
            out.push("NO-CARRIER".to_owned());
        }
        let (names, rest) = flags.names();
        out.extend(names.map(str::to_owned));
        if rest != 0 {
            out.push(format!("{rest:x}"));
        }
        if !self.has_netnsid {
            if let Some(lower) = self.link.link.and_then(|l| known.get(&l)) {
                if !lower.1.is_up() {
                    out.push("M-DOWN".to_owned());
                }
            }
        }
        out
    }

    fn master(&self, known: &HashMap<IfIndex, (String, LinkFlags)>) -> Option<String> {
        let m = self.link.master?;
        Some(
            known
                .get(&m)
                .map_or_else(|| format!("if{m}"), |(n, _)| n.clone()),
        )
    }

    fn group(&self) -> Option<String> {
        self.link.group.map(|g| {
            if g == 0 {
                "default".to_owned()
            } else {
                g.to_string()
            }
        })
    }

    fn address(&self, bytes: Option<&Vec<u8>>) -> Option<String> {
        bytes.map(|b| HwAddr::new(self.link.link_type, b).to_string())
    }

    fn json<'a>(&'a self, known: &HashMap<IfIndex, (String, LinkFlags)>) -> JsonLink<'a> {
        let l = &self.link;
        let p2p = l.flags.contains(LinkFlags::POINTOPOINT) && l.broadcast.is_some();
        JsonLink {
            ifindex: l.index.get(),
            link_index: if self.has_netnsid {
                l.link.map(IfIndex::get)
            } else {
                None
            },
            link: if self.has_netnsid {
                None
            } else {
                self.peer(known)
            },
            ifname: &l.name,
            flags: self.flag_words(known),
            mtu: l.mtu,
            qdisc: l.qdisc.as_deref(),
            master: self.master(known),
            operstate: l.operstate.to_string(),
            linkmode: l.link_mode.name(),
            group: self.group(),
            txqlen: l.txqlen,
            link_type: l.link_type.to_string(),
            address: self.address(l.address.as_ref()),
            broadcast: self.address(l.broadcast.as_ref()),
            link_pointtopoint: p2p.then_some(true),
            link_netnsid: if self.has_netnsid {
                Some(self.raw_netnsid.map_or(-1, i32::from))
            } else {
                None
            },
        }
    }

    /// ip's two lines for the link; `mode` for `link show` (`addr show`
    /// prints no link mode).
    fn text(
        &self,
        known: &HashMap<IfIndex, (String, LinkFlags)>,
        nsid_names: &HashMap<Nsid, String>,
        style: Header,
        out: &mut String,
    ) {
        let full = style != Header::Inet6;
        use std::fmt::Write;
        let l = &self.link;
        let _ = write!(out, "{}: {}", l.index, l.name);
        if let Some(peer) = self.peer(known) {
            let _ = write!(out, "@{peer}");
        }
        let _ = write!(out, ": <{}>", self.flag_words(known).join(","));
        if let Some(mtu) = l.mtu {
            let _ = write!(out, " mtu {mtu}");
        }
        if let Some(q) = l.qdisc.as_ref().filter(|_| full) {
            let _ = write!(out, " qdisc {q}");
        }
        if let Some(m) = self.master(known).filter(|_| full) {
            let _ = write!(out, " master {m}");
        }
        let _ = write!(out, " state {}", l.operstate);
        if let Some(mode) = l.link_mode.name().filter(|_| style == Header::Link) {
            let _ = write!(out, " mode {mode}");
        }
        if let Some(g) = self.group().filter(|_| full) {
            let _ = write!(out, " group {g}");
        }
        if let Some(q) = l.txqlen {
            let _ = write!(out, " qlen {q}");
        }
        if matches!(style, Header::Inet | Header::Inet6) {
            // ip prints the peer's namespace on the header line then.
            self.netnsid_words(nsid_names, out);
            out.push('\n');
            return;
        }
        let _ = write!(out, "\n    link/{} ", l.link_type);
        if let Some(a) = self.address(l.address.as_ref()) {
            out.push_str(&a);
        }
        if let Some(b) = self.address(l.broadcast.as_ref()) {
            let word = if l.flags.contains(LinkFlags::POINTOPOINT) {
                "peer"
            } else {
                "brd"
            };
            let _ = write!(out, " {word} {b}");
        }
        self.netnsid_words(nsid_names, out);
        out.push('\n');
    }

    /// ` link-netns NAME`, ` link-netnsid N` or ` link-netnsid unknown`.
    fn netnsid_words(&self, nsid_names: &HashMap<Nsid, String>, out: &mut String) {
        use std::fmt::Write;
        if self.has_netnsid {
            match self.raw_netnsid {
                Some(id) => match nsid_names.get(&id) {
                    Some(name) => {
                        let _ = write!(out, " link-netns {name}");
                    }
                    None => {
                        let _ = write!(out, " link-netnsid {id}");
                    }
                },
                None => out.push_str(" link-netnsid unknown"),
            }
        }
    }
}
