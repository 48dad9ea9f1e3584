//! `link show`: text and JSON in ip's format.

use std::collections::HashMap;

use netns_core::link::{HwAddr, IfIndex, LinkFlags, LinkRef, LinkStats64};
use netns_core::{Error, ErrorKind, Handle, Nsid};
use serde::Serialize;

use super::LinkFilter;
use crate::output::{Failure, Fields, Group, Outcome, Stage};
use crate::Context;

/// `link show [[dev] NAME]`: every link, or the one named (1 when it does
/// not exist); plain, `-o` (one line per link), `-br` or `-j`.
pub(super) fn show(ctx: &Context, dev: Option<&str>, filter: &LinkFilter) -> Outcome {
    let mut h = super::exec::open(ctx)?;
    let links = Links::read(ctx, &mut h, dev, filter)?;
    if let (Some(d), true) = (dev, links.rows.is_empty()) {
        let err = Error::new(ErrorKind::NotFound, "show", format!("link {d:?}"))
            .with_detail(format!("device \"{d}\" does not exist"));
        return Err(Failure::new(Group::Link, Stage::Lookup, err));
    }
    if ctx.out.json() && ctx.options.brief {
        let json: Vec<Fields> = links
            .rows
            .iter()
            .map(|r| {
                let mut f = links.brief_json(r.link.index.get());
                if let Some(a) = r.address(r.link.address.as_ref()) {
                    f.push("address", a.into());
                }
                f.push("flags", r.flag_words(&links.known).into());
                f
            })
            .collect();
        ctx.out.print_json(&json);
        crate::output::warn_if_inconsistent(links.consistent);
        return Ok(());
    }
    if ctx.out.json() {
        let level = ctx.options.stats;
        let json: Vec<JsonLink<'_>> = links
            .rows
            .iter()
            .map(|r| {
                let mut j = r.json(&links.known);
                if level > 0 {
                    j.stats64 = r
                        .stats
                        .as_ref()
                        .map(|s| stats_json(s, r.carrier_changes, level));
                }
                j
            })
            .collect();
        ctx.out.print_json(&json);
        crate::output::warn_if_inconsistent(links.consistent);
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
            if ctx.options.stats > 0 {
                row.stats(ctx.options.stats, &mut record);
            }
            row.altname_lines(&mut record);
            text.push_str(&oneline(record, ctx.options.oneline));
        }
    }
    print!("{text}");
    crate::output::warn_if_inconsistent(links.consistent);
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
    /// Whether the link dump was consistent (not interrupted on every try).
    pub(crate) consistent: bool,
}

impl Links {
    /// Every link of `h`'s namespace (only `dev` when given), in the
    /// kernel's order; the names of peer namespaces when a link has one.
    pub(crate) fn read(
        ctx: &Context,
        h: &mut Handle,
        dev: Option<&str>,
        filter: &LinkFilter,
    ) -> Result<Links, Error> {
        let mut known: HashMap<IfIndex, (String, LinkFlags)> = HashMap::new();
        let mut rows = Vec::new();
        let mut need_nsids = false;
        let dump = h.links()?;
        let consistent = dump.is_consistent();
        for link in dump {
            known.insert(link.index(), (link.name().to_owned(), link.flags()));
            if dev.is_none_or(|d| link.is_named(d)) {
                need_nsids |= link.has_link_netnsid();
                rows.push(Row::from_view(&link));
            }
        }
        if filter.up {
            rows.retain(|r| r.link.flags.is_up());
        }
        if let Some(kind) = &filter.kind {
            rows.retain(|r| r.kind.as_deref() == Some(kind.as_str()));
        }
        if let Some(master) = &filter.master {
            // ip: `argument "BR" is wrong: Device does not exist` (255).
            let Some(index) = known
                .iter()
                .find(|(_, (name, _))| name == master)
                .map(|(i, _)| *i)
            else {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "show",
                    format!("links of master {master:?}"),
                )
                .with_detail(format!(
                    "argument \"{master}\" is wrong: Device does not exist"
                )));
            };
            rows.retain(|r| r.link.master == Some(index));
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
            consistent,
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

    /// The indexes of the links shown, in the kernel's order.
    pub(crate) fn indexes(&self) -> impl Iterator<Item = u32> + '_ {
        self.rows.iter().map(|r| r.link.index.get())
    }

    /// `ip -j addr show`'s object for a link: its `ip -j link` fields, then
    /// `addr_info`.
    pub(crate) fn json_with(&self, index: u32, addr_info: Vec<Fields>) -> Option<JsonAddrs<'_>> {
        let row = self.row(index)?;
        let mut link = row.json(&self.known);
        // `ip addr` prints no link mode, nor the alias.
        link.linkmode = None;
        link.ifalias = None;
        Some(JsonAddrs { link, addr_info })
    }

    /// `ip -br -j addr show`'s fields for a link: `link` (its peer, when
    /// shown as `@peer`), `ifname`, `operstate`.
    pub(crate) fn brief_json(&self, index: u32) -> Fields {
        let mut f = Fields::default();
        if let Some(row) = self.row(index) {
            if let Some(peer) = row.peer(&self.known).filter(|_| !row.has_netnsid) {
                f.push("link", peer.into());
            }
            f.push("ifname", row.link.name.clone().into());
            f.push("operstate", row.link.operstate.to_string().into());
        }
        f
    }

    /// ip's `-s` block for the link (after its addresses in `addr show`).
    pub(crate) fn stats(&self, index: u32, level: u8, out: &mut String) {
        if let Some(row) = self.row(index) {
            row.stats(level, out);
        }
    }

    /// The start of `bridge link show`'s line for port `index`: `4:
    /// v0@v1: <FLAGS> mtu 1500 master br0` (without the port's settings).
    pub(crate) fn bridge_prefix(&self, index: u32) -> Option<String> {
        use std::fmt::Write;
        let row = self.row(index)?;
        let l = &row.link;
        let mut out = format!("{}: {}", l.index, l.name);
        if let Some(peer) = row.peer(&self.known) {
            let _ = write!(out, "@{peer}");
        }
        let _ = write!(out, ": <{}>", row.flag_words(&self.known).join(","));
        if let Some(mtu) = l.mtu {
            let _ = write!(out, " mtu {mtu}");
        }
        if let Some(m) = row.master(&self.known) {
            let _ = write!(out, " master {m}");
        }
        Some(out)
    }

    /// `bridge -j link show`'s first fields for port `index`: `ifindex`,
    /// `link`, `ifname`, `flags`, `mtu`, `master`.
    pub(crate) fn bridge_json(&self, index: u32) -> Option<Fields> {
        let row = self.row(index)?;
        let l = &row.link;
        let mut f = Fields::default();
        f.push("ifindex", l.index.get().into());
        if let Some(peer) = row.peer(&self.known) {
            f.push("link", peer.into());
        }
        f.push("ifname", l.name.clone().into());
        f.push("flags", row.flag_words(&self.known).into());
        if let Some(mtu) = l.mtu {
            f.push("mtu", mtu.into());
        }
        if let Some(m) = row.master(&self.known) {
            f.push("master", m.into());
        }
        Some(f)
    }

    /// The link's name, as `ip -o addr` prints it before each address.
    pub(crate) fn name(&self, index: u32) -> Option<&str> {
        self.row(index).map(|r| r.link.name.as_str())
    }

    /// `-br`: `NAME@PEER` (16 wide), the state (14 wide); with `link`
    /// (`link show`, `addr show -0`) the address and the flags. No line
    /// break.
    pub(crate) fn brief_of(&self, index: u32, link: bool, out: &mut String) {
        if let Some(row) = self.row(index) {
            self.brief(row, link, out);
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
    kind: Option<String>,
    stats: Option<LinkStats64>,
    carrier_changes: Option<u32>,
    has_netnsid: bool,
    raw_netnsid: Option<Nsid>,
}

/// `ip -j addr show`: a link's fields, then its addresses.
#[derive(Serialize)]
pub(crate) struct JsonAddrs<'a> {
    #[serde(flatten)]
    link: JsonLink<'a>,
    addr_info: Vec<Fields>,
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
    /// `alias TEXT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    ifalias: Option<&'a str>,
    /// `-s`: the counters.
    #[serde(skip_serializing_if = "Option::is_none")]
    stats64: Option<Fields>,
    /// `altname` lines.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    altnames: &'a [String],
}

impl Row {
    fn from_view(view: &LinkRef<'_>) -> Row {
        Row {
            link: view.to_owned(),
            kind: view.kind().map(str::to_owned),
            stats: view.stats64(),
            carrier_changes: view.carrier_changes(),
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
            ifalias: l.alias.as_deref(),
            stats64: None,
            altnames: &l.altnames,
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
        if style == Header::Link {
            if let Some(a) = &l.alias {
                let _ = writeln!(out, "    alias {a}");
            }
        }
        // `ip link` prints the altnames after the counters (see show).
        if style != Header::Link {
            self.altname_lines(out);
        }
    }

    /// `    altname NAME` lines.
    fn altname_lines(&self, out: &mut String) {
        use std::fmt::Write;
        for alt in &self.link.altnames {
            let _ = writeln!(out, "    altname {alt}");
        }
    }

    /// `-s` (`level` 1) and `-s -s` (2): ip's counters block.
    fn stats(&self, level: u8, out: &mut String) {
        use std::fmt::Write;
        if let Some(s) = &self.stats {
            let block = s
                .display()
                .level(level)
                .carrier_changes(self.carrier_changes);
            let _ = writeln!(out, "{block}");
        }
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

/// `ip -s -j`'s `stats64` object: the core's field list
/// ([`LinkStats64::fields`]).
fn stats_json(s: &LinkStats64, carrier_changes: Option<u32>, level: u8) -> Fields {
    let [rx_fields, tx_fields] = s.fields(level, carrier_changes);
    let obj = |fields: Vec<(&'static str, u64)>| {
        let mut f = Fields::default();
        for (k, v) in fields {
            f.push(k, v.into());
        }
        f
    };
    let mut all = Fields::default();
    all.push_object("rx", obj(rx_fields));
    all.push_object("tx", obj(tx_fields));
    all
}

/// One link as `ip monitor link` prints it (iproute2 6.1): the `ip link
/// show` lines without `mode` and `qlen`, `@NONE` for a peer that is gone
/// (`IFLA_LINK` 0), the first line ending in a space; the `@peer` and master
/// named from `known` (index → name and flags).
pub(crate) fn link_event_text(
    view: &LinkRef<'_>,
    known: &HashMap<IfIndex, (String, LinkFlags)>,
) -> String {
    /// `IFLA_LINK`.
    const IFLA_LINK: u16 = 5;
    let mut text = String::new();
    let row = Row::from_view(view);
    row.text(known, &HashMap::new(), Header::Link, &mut text);
    row.altname_lines(&mut text);
    let (first, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let mut words: Vec<&str> = Vec::new();
    let mut it = first.split(' ').peekable();
    while let Some(w) = it.next() {
        if (w == "mode" || w == "qlen") && it.peek().is_some() {
            it.next();
            continue;
        }
        words.push(w);
    }
    let mut line = words.join(" ");
    let peer_gone = view
        .attributes()
        .any(|(k, v)| k == IFLA_LINK && v.get(..4) == Some(&[0, 0, 0, 0]));
    if peer_gone {
        let name_end = format!("{}: {}", view.index(), view.name()).len();
        if line.get(name_end..name_end + 1) == Some(":") {
            line.insert_str(name_end, "@NONE");
        }
    }
    format!("{line} \n{rest}")
}
