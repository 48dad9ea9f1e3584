//! `netns link …`: ip link's syntax over netns-core.
//!
//! ```text
//! netns [-n NAME] [-j] link [list|show|ls] [[dev] NAME]
//! netns [-n NAME] link add [link PARENT] [name] NAME [address MAC] [mtu N] [txqlen N]
//!                          [master BR] [netns NS] [up] type KIND [KIND ARGS]
//!     veth     peer [name] NAME [address MAC] [mtu N] [txqlen N] [netns NS]
//!     macvlan  mode private|vepa|bridge|passthru|source   (needs `link PARENT`)
//!     vxlan    id VNI [dstport P] [dev PARENT] [remote IP|group IP] [local IP] [ttl N] [[no]learning]
//!     bridge | dummy | ifb | any other kind (sent as is; the kernel decides)
//! netns [-n NAME] link set [dev] NAME [up|down] [mtu N] [name NEW] [address MAC]
//!                          [master BR|nomaster] [txqlen N] [netns NS]
//! netns [-n NAME] link del|delete [dev] NAME
//! ```
//!
//! `NS` is a registry name, or a process id when numeric and no such name
//! exists (ip's rule); a pid is opened through a pidfd. Exit status (as
//! ip's): 0; 1 for a device that does not exist; 2 when the kernel refuses;
//! 255 for a usage error or an argument refused before the kernel.

use std::collections::HashMap;
use std::str::FromStr;

use netns_core::link::{
    Dev, HwAddr, IfIndex, LinkChange, LinkFlags, LinkId, LinkKind, LinkRef, LinkSpec, MacAddr,
    MacVlanMode, NetNsRef, VethPeer, VxlanOptions,
};
use netns_core::{Error, ErrorKind, Handle, Nsid};
use serde::Serialize;

use crate::output::{self, usage_status, Failure, Group, Outcome, Stage};
use crate::{Context, Usage};

const USAGE: &str = "\
Usage: netns link [list|show] [[dev] NAME]
       netns link add [link PARENT] [name] NAME [address MAC] [mtu N] [txqlen N]
                      [master BR] [netns NS] [up] type TYPE [ARGS]
           TYPE := veth peer [name] NAME [address MAC] [mtu N] [netns NS]
                 | macvlan mode {private|vepa|bridge|passthru|source}
                 | vxlan id VNI [dstport P] [dev PARENT] [remote IP] [local IP] [ttl N]
                 | bridge | dummy | ifb | ...
       netns link set [dev] NAME [up|down] [mtu N] [name NEW] [address MAC]
                      [master BR | nomaster] [txqlen N] [netns NS]
       netns link del [dev] NAME
NS := a name under the run directory, or a process id";

// ---------------------------------------------------------------- parsed commands

/// A parsed `link` command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkCommand {
    /// `show [[dev] NAME]`.
    Show {
        /// Only this device (by name).
        dev: Option<String>,
    },
    /// `add …`: the core's spec, names unresolved.
    Add(LinkSpec),
    /// `set …`.
    Set(LinkSetArgs),
    /// `del [dev] NAME`.
    Delete {
        /// The device's name.
        dev: String,
    },
    /// `help`: the usage on stderr, exit 255 (as ip).
    Help,
}

/// Options of a link (and of a veth's peer): `address`, `mtu`, `txqlen`, `netns`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkOptions {
    /// `address MAC`.
    pub address: Option<MacAddr>,
    /// `mtu N`.
    pub mtu: Option<u32>,
    /// `txqlen N` (ignored for a veth's peer, as before).
    pub txqlen: Option<u32>,
    /// `netns NS`: a registry name, or a process id when numeric and no
    /// such name exists (ip's rule; resolved by the core).
    pub netns: Option<NetNsRef>,
}

/// `link set …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSetArgs {
    /// The device, by name.
    pub dev: String,
    /// `up` / `down`.
    pub up: Option<bool>,
    /// `name NEW`.
    pub name: Option<String>,
    /// `master BR` (`Some(Some(BR))`) or `nomaster` (`Some(None)`).
    pub master: Option<Option<String>>,
    /// `address`, `mtu`, `txqlen`, `netns`.
    pub options: LinkOptions,
}

// ---------------------------------------------------------------- parsing

fn incomplete() -> Usage {
    Usage::new(
        "Command line is not complete. Try option \"help\"",
        usage_status(Group::Link),
    )
}

fn garbage(word: &str) -> Usage {
    Usage::new(
        format!("either \"dev\" is duplicate, or \"{word}\" is a garbage."),
        usage_status(Group::Link),
    )
}

fn invalid(what: &str, value: &str) -> Usage {
    Usage::new(
        format!("argument \"{value}\" is wrong: Invalid \"{what}\" value"),
        usage_status(Group::Link),
    )
}

fn usage(message: &str) -> Usage {
    Usage::new(message, usage_status(Group::Link))
}

/// Parses `netns link ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<LinkCommand, Usage> {
    let (command, rest) = match args.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    match command {
        "show" | "list" | "ls" | "lst" | "sh" | "l" => parse_show(rest),
        "add" | "a" => parse_add(rest).map(LinkCommand::Add),
        "set" | "s" | "change" | "chg" => parse_set(rest).map(LinkCommand::Set),
        "delete" | "del" | "d" => parse_delete(rest),
        "help" | "-h" | "--help" => Ok(LinkCommand::Help),
        other => Err(usage(&format!(
            "Command \"{other}\" is unknown, try \"netns link help\"."
        ))),
    }
}

/// Parses and runs `netns link ARGS…` (the demo's steps); returns the exit status.
pub fn run(ctx: &Context, args: &[String]) -> u8 {
    match parse(args) {
        Ok(cmd) => execute(ctx, cmd),
        Err(u) => u.report(),
    }
}

/// The words of a command, consumed left to right.
struct Words<'a> {
    words: std::slice::Iter<'a, String>,
}

impl<'a> Words<'a> {
    fn new(args: &'a [String]) -> Self {
        Words { words: args.iter() }
    }
    fn next(&mut self) -> Option<&'a str> {
        self.words.next().map(String::as_str)
    }
    /// The argument of a keyword; missing → "Command line is not complete".
    fn value(&mut self) -> Result<&'a str, Usage> {
        self.next().ok_or_else(incomplete)
    }
    fn parsed<T: FromStr>(&mut self, what: &str) -> Result<T, Usage> {
        let v = self.value()?;
        v.parse().map_err(|_| invalid(what, v))
    }
    fn mac(&mut self) -> Result<MacAddr, Usage> {
        let v = self.value()?;
        v.parse()
            .map_err(|_| usage(&format!("\"{v}\" is invalid lladdr.")))
    }
}

/// Sets `slot` to the device name `word`, refusing a second one.
fn set_name(slot: &mut Option<String>, word: &str) -> Result<(), Usage> {
    if slot.is_some() {
        return Err(garbage(word));
    }
    *slot = Some(word.to_owned());
    Ok(())
}

fn parse_show(args: &[String]) -> Result<LinkCommand, Usage> {
    let mut words = Words::new(args);
    let mut dev = None;
    while let Some(word) = words.next() {
        match word {
            "dev" => set_name(&mut dev, words.value()?)?,
            w => set_name(&mut dev, w)?,
        }
    }
    Ok(LinkCommand::Show { dev })
}

/// A name and the options common to a link and (for veth) its peer.
#[derive(Default)]
struct Common {
    name: Option<String>,
    options: LinkOptions,
}

impl Common {
    /// Consumes `word` (and its value) if it is a common keyword; `Ok(false)`
    /// if it is not one.
    fn take(&mut self, word: &str, words: &mut Words<'_>) -> Result<bool, Usage> {
        let o = &mut self.options;
        match word {
            "name" | "dev" => set_name(&mut self.name, words.value()?)?,
            "address" => o.address = Some(words.mac()?),
            "mtu" => o.mtu = Some(words.parsed("mtu")?),
            "txqueuelen" | "txqlen" | "qlen" => o.txqlen = Some(words.parsed("txqlen")?),
            "netns" => o.netns = Some(NetNsRef::Name(words.value()?.to_owned())),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn parse_add(args: &[String]) -> Result<LinkSpec, Usage> {
    let mut words = Words::new(args);
    let mut own = Common::default();
    let mut parent = None;
    let mut master = None;
    let mut up = false;
    let mut kind = None;
    while let Some(word) = words.next() {
        if own.take(word, &mut words)? {
            continue;
        }
        match word {
            "link" => parent = Some(words.value()?.to_owned()),
            "master" => master = Some(words.value()?.to_owned()),
            "up" => up = true,
            "down" => up = false,
            "type" => {
                kind = Some(words.value()?);
                break;
            }
            w => set_name(&mut own.name, w)?,
        }
    }
    let Some(name) = own.name else {
        return Err(usage(
            "Not enough information: \"dev\" argument is required.",
        ));
    };
    let Some(kind) = kind else {
        return Err(usage(
            "Not enough information: \"type\" argument is required.",
        ));
    };

    // Kind-specific arguments.
    let mut peer = Common::default();
    let mut macvlan_mode = MacVlanMode::Vepa;
    let mut vni = None;
    let mut vx = VxlanOptions::default();
    let mut vx_parent = None;
    while let Some(word) = words.next() {
        match (kind, word) {
            ("veth", "peer") => {
                while let Some(w) = words.next() {
                    if !peer.take(w, &mut words)? {
                        set_name(&mut peer.name, w)?;
                    }
                }
            }
            ("macvlan" | "macvtap", "mode") => {
                let m = words.value()?;
                macvlan_mode = MacVlanMode::from_name(m).ok_or_else(|| invalid("mode", m))?;
            }
            ("vxlan", "id" | "vni") => vni = Some(words.parsed::<u32>("id")?),
            ("vxlan", "dstport") => vx.port = Some(words.parsed("dstport")?),
            ("vxlan", "dev") => vx_parent = Some(words.value()?.to_owned()),
            ("vxlan", "remote" | "group") => vx.remote = Some(words.parsed("remote")?),
            ("vxlan", "local") => vx.local = Some(words.parsed("local")?),
            ("vxlan", "ttl" | "hoplimit") => vx.ttl = Some(words.parsed("ttl")?),
            ("vxlan", "learning") => vx.learning = Some(true),
            ("vxlan", "nolearning") => vx.learning = Some(false),
            ("veth" | "macvlan" | "vxlan" | "bridge" | "dummy" | "ifb", w) => {
                return Err(garbage(w))
            }
            // Kinds this tool does not model go to the kernel as they are.
            _ => {}
        }
    }
    let kind = match kind {
        "veth" => {
            let mut p = VethPeer::default();
            p.name = peer.name;
            p.address = peer.options.address;
            p.mtu = peer.options.mtu;
            p.txqlen = peer.options.txqlen;
            p.netns = peer.options.netns;
            LinkKind::Veth(p)
        }
        "bridge" => LinkKind::Bridge,
        "dummy" => LinkKind::Dummy,
        "ifb" => LinkKind::Ifb,
        "macvlan" => {
            let Some(parent) = parent else {
                return Err(usage("macvlan needs a lower device: link PARENT"));
            };
            LinkKind::MacVlan {
                parent: Dev::Name(parent),
                mode: macvlan_mode,
            }
        }
        "vxlan" => {
            let Some(vni) = vni else {
                return Err(usage("vxlan: missing virtual network identifier (id VNI)"));
            };
            LinkKind::Vxlan {
                vni,
                parent: vx_parent.map(Dev::Name),
                options: vx,
            }
        }
        other => LinkKind::Other(other.to_owned()),
    };
    let mut spec = LinkSpec::new(name, kind).up(up);
    spec.address = own.options.address;
    spec.mtu = own.options.mtu;
    spec.txqlen = own.options.txqlen;
    spec.netns = own.options.netns;
    spec.master = master.map(Dev::Name);
    Ok(spec)
}

fn parse_set(args: &[String]) -> Result<LinkSetArgs, Usage> {
    let mut words = Words::new(args);
    let mut dev = None;
    let mut up = None;
    let mut common = Common::default();
    let mut new_name = None;
    let mut master: Option<Option<String>> = None;
    while let Some(word) = words.next() {
        match word {
            "dev" => set_name(&mut dev, words.value()?)?,
            "up" => up = Some(true),
            "down" => up = Some(false),
            "name" => new_name = Some(words.value()?.to_owned()),
            "master" => master = Some(Some(words.value()?.to_owned())),
            "nomaster" => master = Some(None),
            w if common.take(w, &mut words)? => {}
            w => set_name(&mut dev, w)?,
        }
    }
    let Some(dev) = dev else {
        return Err(usage(
            "Not enough information: \"dev\" argument is required.",
        ));
    };
    Ok(LinkSetArgs {
        dev,
        up,
        name: new_name,
        master,
        options: common.options,
    })
}

fn parse_delete(args: &[String]) -> Result<LinkCommand, Usage> {
    let mut words = Words::new(args);
    let mut dev = None;
    while let Some(word) = words.next() {
        match word {
            "dev" => set_name(&mut dev, words.value()?)?,
            // `type X` is accepted and ignored, as by ip for a named device.
            "type" => {
                words.value()?;
            }
            w => set_name(&mut dev, w)?,
        }
    }
    let Some(dev) = dev else {
        return Err(usage(
            "Not enough information: \"dev\" argument is required.",
        ));
    };
    Ok(LinkCommand::Delete { dev })
}

// ---------------------------------------------------------------- rendering

#[cfg(any(test, feature = "fuzzing"))]
fn macvlan_mode_name(mode: MacVlanMode) -> &'static str {
    match mode {
        MacVlanMode::Private => "private",
        MacVlanMode::Vepa => "vepa",
        MacVlanMode::Passthru => "passthru",
        MacVlanMode::Source => "source",
        // Bridge, and any mode a later netns-core adds (none parse to it).
        _ => "bridge",
    }
}

#[cfg(any(test, feature = "fuzzing"))]
impl LinkOptions {
    fn words(&self, out: &mut Vec<String>) {
        if let Some(a) = self.address {
            out.extend(["address".into(), a.to_string()]);
        }
        if let Some(m) = self.mtu {
            out.extend(["mtu".into(), m.to_string()]);
        }
        if let Some(q) = self.txqlen {
            out.extend(["txqlen".into(), q.to_string()]);
        }
        if let Some(ns) = &self.netns {
            out.extend(["netns".into(), ns.to_string()]);
        }
    }
}

#[cfg(any(test, feature = "fuzzing"))]
impl LinkCommand {
    /// The canonical words of the command (after `link`): [`crate::parse`]
    /// turns them back into an equal value.
    pub fn words(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        match self {
            LinkCommand::Show { dev } => {
                out.push("show".into());
                if let Some(d) = dev {
                    out.extend(["dev".into(), d.clone()]);
                }
            }
            LinkCommand::Help => out.push("help".into()),
            LinkCommand::Delete { dev } => out.extend(["delete".into(), "dev".into(), dev.clone()]),
            LinkCommand::Set(s) => {
                out.extend(["set".into(), "dev".into(), s.dev.clone()]);
                match s.up {
                    Some(true) => out.push("up".into()),
                    Some(false) => out.push("down".into()),
                    None => {}
                }
                s.options.words(&mut out);
                if let Some(n) = &s.name {
                    out.extend(["name".into(), n.clone()]);
                }
                match &s.master {
                    Some(Some(m)) => out.extend(["master".into(), m.clone()]),
                    Some(None) => out.push("nomaster".into()),
                    None => {}
                }
            }
            LinkCommand::Add(a) => add_words(a, &mut out),
        }
        out
    }
}

#[cfg(any(test, feature = "fuzzing"))]
/// The canonical words of `add` (after `link`).
fn add_words(a: &LinkSpec, out: &mut Vec<String>) {
    let dev_word = |d: &Dev| match d {
        Dev::Name(n) => n.clone(),
        Dev::Index(i) => i.to_string(),
    };
    let options = |o: LinkOptions, out: &mut Vec<String>| o.words(out);
    out.extend(["add".into(), "name".into(), a.name.clone()]);
    if let LinkKind::MacVlan { parent, .. } = &a.kind {
        out.extend(["link".into(), dev_word(parent)]);
    }
    options(
        LinkOptions {
            address: a.address,
            mtu: a.mtu,
            txqlen: a.txqlen,
            netns: a.netns.clone(),
        },
        out,
    );
    if let Some(m) = &a.master {
        out.extend(["master".into(), dev_word(m)]);
    }
    if a.up {
        out.push("up".into());
    }
    out.push("type".into());
    match &a.kind {
        LinkKind::Veth(peer) => {
            out.extend(["veth".into(), "peer".into()]);
            if let Some(p) = &peer.name {
                out.extend(["name".into(), p.clone()]);
            }
            options(
                LinkOptions {
                    address: peer.address,
                    mtu: peer.mtu,
                    txqlen: peer.txqlen,
                    netns: peer.netns.clone(),
                },
                out,
            );
        }
        LinkKind::MacVlan { mode, .. } => out.extend([
            "macvlan".into(),
            "mode".into(),
            macvlan_mode_name(*mode).into(),
        ]),
        LinkKind::Vxlan {
            vni,
            parent,
            options,
        } => {
            out.extend(["vxlan".into(), "id".into(), vni.to_string()]);
            if let Some(p) = options.port {
                out.extend(["dstport".into(), p.to_string()]);
            }
            if let Some(d) = parent {
                out.extend(["dev".into(), dev_word(d)]);
            }
            if let Some(r) = options.remote {
                out.extend(["remote".into(), r.to_string()]);
            }
            if let Some(l) = options.local {
                out.extend(["local".into(), l.to_string()]);
            }
            if let Some(t) = options.ttl {
                out.extend(["ttl".into(), t.to_string()]);
            }
            match options.learning {
                Some(true) => out.push("learning".into()),
                Some(false) => out.push("nolearning".into()),
                None => {}
            }
        }
        other => out.push(other.name().to_owned()),
    }
}

// ---------------------------------------------------------------- execution

/// Runs a parsed `link` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: LinkCommand) -> u8 {
    let outcome = match cmd {
        LinkCommand::Show { dev } => show(ctx, dev.as_deref()),
        LinkCommand::Add(args) => add(ctx, args),
        LinkCommand::Set(args) => set(ctx, args),
        LinkCommand::Delete { dev } => delete(ctx, &dev),
        LinkCommand::Help => {
            eprintln!("{USAGE}");
            return usage_status(Group::Link);
        }
    };
    output::status(outcome)
}

fn show(ctx: &Context, dev: Option<&str>) -> Outcome {
    let mut h = ctx.handle()?;
    // Names and flags of every link, to print `@peer` and `master BR` by name.
    let mut known: HashMap<IfIndex, (String, LinkFlags)> = HashMap::new();
    let mut rows = Vec::new();
    let mut need_nsids = false;
    {
        let links = h.links()?;
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

// ---------------------------------------------------------------- add

fn add(ctx: &Context, spec: LinkSpec) -> Outcome {
    ctx.handle()?.link_add_spec(&spec)?;
    Ok(())
}

// ---------------------------------------------------------------- set, delete

fn set(ctx: &Context, args: LinkSetArgs) -> Outcome {
    let mut h = ctx.handle()?;
    let target = args
        .options
        .netns
        .as_ref()
        .map(NetNsRef::open)
        .transpose()?;
    let master = match &args.master {
        Some(Some(m)) => Some(Some(h.link_index(m)?)),
        Some(None) => Some(None),
        None => None,
    };
    let mut change = LinkChange::new(LinkId::Name(&args.dev));
    change = match args.up {
        Some(true) => change.up(),
        Some(false) => change.down(),
        None => change,
    };
    if let Some(m) = args.options.mtu {
        change = change.mtu(m);
    }
    if let Some(n) = &args.name {
        change = change.name(n);
    }
    if let Some(a) = args.options.address {
        change = change.address(a);
    }
    if let Some(q) = args.options.txqlen {
        change = change.txqlen(q);
    }
    change = match master {
        Some(Some(m)) => change.master(m),
        Some(None) => change.nomaster(),
        None => change,
    };
    if let Some(ns) = &target {
        change = change.netns(ns);
    }
    h.link_set(&change)?;
    Ok(())
}

fn delete(ctx: &Context, dev: &str) -> Outcome {
    ctx.handle()?.link_delete(LinkId::Name(dev))?;
    Ok(())
}
