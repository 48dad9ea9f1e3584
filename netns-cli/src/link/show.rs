//! `link show`: text and JSON in ip's format.

use std::collections::HashMap;

use netns_core::link::{HwAddr, IfIndex, LinkFlags, LinkRef};
use netns_core::{Error, ErrorKind, Handle, Nsid};
use serde::Serialize;

use crate::output::{Failure, Group, Outcome, Stage};
use crate::Context;

/// `link show [[dev] NAME]`: every link, or the one named (1 when it does
/// not exist).
pub(super) fn show(ctx: &Context, dev: Option<&str>) -> Outcome {
    let mut h = ctx.handle()?;
    // Names and flags of every link, to print `@peer` and `master BR` by name.
    let mut known: HashMap<IfIndex, (String, LinkFlags)> = HashMap::new();
    let mut rows = Vec::new();
    let mut need_nsids = false;
    let consistent;
    {
        let links = h.links()?;
        consistent = links.is_consistent();
        for link in links {
            known.insert(link.index(), (link.name().to_owned(), link.flags()));
            if dev.is_none_or(|d| d.as_bytes() == link.name_bytes()) {
                need_nsids |= link.has_link_netnsid();
                rows.push(Row::from_view(&link));
            }
        }
    }
    if let (Some(d), true) = (dev, rows.is_empty()) {
        let err = Error::new(ErrorKind::NotFound, "show", format!("link {d:?}"))
            .with_detail(format!("device \"{d}\" does not exist"));
        return Err(Failure::new(Group::Link, Stage::Lookup, err));
    }
    let nsid_names = if need_nsids {
        nsid_names(ctx, &mut h)
    } else {
        HashMap::new()
    };
    if ctx.out.json() {
        let json: Vec<JsonLink<'_>> = rows.iter().map(|r| r.json(&known)).collect();
        ctx.out.print_json(&json);
    } else {
        let mut text = String::new();
        for row in &rows {
            row.text(&known, &nsid_names, &mut text);
        }
        print!("{text}");
    }
    crate::output::warn_if_inconsistent(consistent);
    Ok(())
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

    fn text(
        &self,
        known: &HashMap<IfIndex, (String, LinkFlags)>,
        nsid_names: &HashMap<Nsid, String>,
        out: &mut String,
    ) {
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
        if let Some(q) = &l.qdisc {
            let _ = write!(out, " qdisc {q}");
        }
        if let Some(m) = self.master(known) {
            let _ = write!(out, " master {m}");
        }
        let _ = write!(out, " state {}", l.operstate);
        if let Some(mode) = l.link_mode.name() {
            let _ = write!(out, " mode {mode}");
        }
        if let Some(g) = self.group() {
            let _ = write!(out, " group {g}");
        }
        if let Some(q) = l.txqlen {
            let _ = write!(out, " qlen {q}");
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
        out.push('\n');
    }
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
    Row::from_view(view).text(known, &HashMap::new(), &mut text);
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
