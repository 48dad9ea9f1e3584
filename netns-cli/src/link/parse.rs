//! ip's words of `link add|set|show|delete` into [`LinkCommand`], the
//! core's [`LinkSpec`] and [`LinkSetArgs`], names unresolved.

use std::str::FromStr;

use netns_core::link::{
    parse_on_off, Dev, LinkKind, LinkSpec, LinkTypeChange, MacAddr, MacVlanMode, NetNsRef,
    VethPeer, VxlanOptions,
};

use super::{LinkCommand, LinkFilter, LinkFlagWord, LinkOptions, LinkSetArgs};
use crate::keywords::{keyword, LINK_WORDS};
use crate::output::{usage_status, Group};
use crate::Usage;

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

pub(super) fn usage(message: &str) -> Usage {
    Usage::new(message, usage_status(Group::Link))
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

/// `show [[dev] NAME] [up] [master DEVICE] [type KIND]`.
pub(super) fn show(args: &[String]) -> Result<LinkCommand, Usage> {
    let mut words = Words::new(args);
    let mut dev = None;
    let mut filter = LinkFilter::default();
    while let Some(word) = words.next() {
        match word {
            "dev" => set_name(&mut dev, words.value()?)?,
            "up" => filter.up = true,
            "master" => filter.master = Some(words.value()?.to_owned()),
            "type" => filter.kind = Some(words.value()?.to_owned()),
            w => set_name(&mut dev, w)?,
        }
    }
    Ok(LinkCommand::Show { dev, filter })
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
        match keyword(LINK_WORDS, word) {
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

/// `add …`: the spec, names unresolved.
pub(super) fn add(args: &[String]) -> Result<LinkSpec, Usage> {
    let mut words = Words::new(args);
    let mut own = Common::default();
    let mut parent = None;
    let mut master = None;
    let mut up = false;
    let mut kind = None;
    while let Some(raw) = words.next() {
        if own.take(raw, &mut words)? {
            continue;
        }
        match keyword(LINK_WORDS, raw) {
            "link" => parent = Some(words.value()?.to_owned()),
            "master" => master = Some(words.value()?.to_owned()),
            "up" => up = true,
            "down" => up = false,
            "type" => {
                kind = Some(words.value()?);
                break;
            }
            _ => set_name(&mut own.name, raw)?,
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

    let kind = kind_args(kind, parent, &mut words)?;
    let mut spec = LinkSpec::new(name, kind).up(up);
    spec.mac = own.options.address;
    spec.mtu = own.options.mtu;
    spec.txqlen = own.options.txqlen;
    spec.netns = own.options.netns;
    spec.master = master.map(Dev::Name);
    Ok(spec)
}

/// The words after `type KIND`: the kind with its arguments (`parent` is
/// `link PARENT`, for macvlan).
fn kind_args(kind: &str, parent: Option<String>, words: &mut Words<'_>) -> Result<LinkKind, Usage> {
    let mut peer = Common::default();
    let mut macvlan_mode = MacVlanMode::Vepa;
    let mut vni = None;
    let mut vx = VxlanOptions::default();
    let mut vx_parent = None;
    while let Some(word) = words.next() {
        match (kind, word) {
            ("veth", "peer") => {
                while let Some(w) = words.next() {
                    if !peer.take(w, words)? {
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
            p.mac = peer.options.address;
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
    Ok(kind)
}

/// ip's `on|off` after `word` (the core's [`parse_on_off`]); exit
/// `status` when it is neither (ip: 1, bridge: 234).
pub(crate) fn on_off(word: &str, value: &str, status: u8) -> Result<bool, Usage> {
    parse_on_off(word, value).map_err(|e| {
        Usage::new(
            format!("Error: {}", e.detail().unwrap_or("on or off")),
            status,
        )
    })
}

/// The words after `link set … type KIND`, read by the core (ip: exit 1
/// for what it refuses).
fn type_change(kind: &str, words: &mut Words<'_>) -> Result<LinkTypeChange, Usage> {
    let rest: Vec<&str> = std::iter::from_fn(|| words.next()).collect();
    LinkTypeChange::parse(kind, rest)
        .map_err(|e| Usage::new(e.detail().map_or_else(|| e.to_string(), str::to_owned), 1))
}

/// `set …`.
pub(super) fn set(args: &[String]) -> Result<LinkSetArgs, Usage> {
    let mut words = Words::new(args);
    let mut dev = None;
    let mut up = None;
    let mut common = Common::default();
    let mut new_name = None;
    let mut master: Option<Option<String>> = None;
    let mut flags = Vec::new();
    let mut alias = None;
    let mut kind = None;
    while let Some(raw) = words.next() {
        if let Some((flag, w)) = LinkFlagWord::ALL.iter().find(|(_, w)| *w == raw) {
            flags.push((*flag, on_off(w, words.value()?, 1)?));
            continue;
        }
        match keyword(LINK_WORDS, raw) {
            "dev" => set_name(&mut dev, words.value()?)?,
            "up" => up = Some(true),
            "down" => up = Some(false),
            "name" => new_name = Some(words.value()?.to_owned()),
            "master" => master = Some(Some(words.value()?.to_owned())),
            "nomaster" => master = Some(None),
            "alias" => alias = Some(words.value()?.to_owned()),
            "type" => {
                let k = words.value()?;
                kind = Some(type_change(k, &mut words)?);
            }
            _ if common.take(raw, &mut words)? => {}
            _ => set_name(&mut dev, raw)?,
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
        flags,
        alias,
        kind,
    })
}

/// `property add|del dev NAME altname ALT [altname ALT …]`.
pub(super) fn property(args: &[String]) -> Result<LinkCommand, Usage> {
    let mut words = Words::new(args);
    let add = match words.next() {
        Some(w) if !w.is_empty() && "add".starts_with(w) => true,
        Some(w) if !w.is_empty() && "delete".starts_with(w) => false,
        Some(w) => {
            return Err(usage(&format!(
                "Command \"{w}\" is unknown, try \"netns link help\"."
            )))
        }
        None => return Err(incomplete()),
    };
    let mut dev = None;
    let mut altnames = Vec::new();
    while let Some(word) = words.next() {
        match word {
            "dev" => set_name(&mut dev, words.value()?)?,
            "altname" => altnames.push(words.value()?.to_owned()),
            w => set_name(&mut dev, w)?,
        }
    }
    let Some(dev) = dev else {
        return Err(usage(
            "Not enough information: \"dev\" argument is required.",
        ));
    };
    Ok(LinkCommand::Property { add, dev, altnames })
}

/// `delete [dev] NAME` (`type X` accepted and ignored).
pub(super) fn delete(args: &[String]) -> Result<LinkCommand, Usage> {
    let mut words = Words::new(args);
    let mut dev = None;
    while let Some(raw) = words.next() {
        match keyword(LINK_WORDS, raw) {
            "dev" => set_name(&mut dev, words.value()?)?,
            // `type X` is accepted and ignored, as by ip for a named device.
            "type" => {
                words.value()?;
            }
            _ => set_name(&mut dev, raw)?,
        }
    }
    let Some(dev) = dev else {
        return Err(usage(
            "Not enough information: \"dev\" argument is required.",
        ));
    };
    Ok(LinkCommand::Delete { dev })
}
