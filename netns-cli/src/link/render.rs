//! The canonical words of a parsed `link` command (only under `cfg(test)`
//! or feature `fuzzing`): [`crate::parse`] turns them back into an equal
//! value.

use netns_core::link::{Dev, LinkKind, LinkSpec, LinkTypeChange, MacVlanMode, VxlanOptions};

use super::{LinkCommand, LinkOptions};

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

impl LinkCommand {
    /// The canonical words of the command (after `link`): [`crate::parse`]
    /// turns them back into an equal value.
    pub fn words(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        match self {
            LinkCommand::Show { dev, filter } => {
                out.push("show".into());
                if let Some(d) = dev {
                    out.extend(["dev".into(), d.clone()]);
                }
                if filter.up {
                    out.push("up".into());
                }
                if let Some(m) = &filter.master {
                    out.extend(["master".into(), m.clone()]);
                }
                if let Some(k) = &filter.kind {
                    out.extend(["type".into(), k.clone()]);
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
                for (flag, on) in &s.flags {
                    out.extend([flag.word().into(), if *on { "on" } else { "off" }.into()]);
                }
                if let Some(a) = &s.alias {
                    out.extend(["alias".into(), a.clone()]);
                }
                if let Some(k) = &s.kind {
                    type_change_words(k, &mut out);
                }
            }
            LinkCommand::Property { add, dev, altnames } => {
                out.extend([
                    "property".into(),
                    if *add { "add" } else { "del" }.into(),
                    "dev".into(),
                    dev.clone(),
                ]);
                for a in altnames {
                    out.extend(["altname".into(), a.clone()]);
                }
            }
            LinkCommand::Add(a) => add_words(a, &mut out),
        }
        out
    }
}

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
            address: a.mac,
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
                    address: peer.mac,
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

/// The vxlan options' words (after `id`).
fn vxlan_words(options: &VxlanOptions, out: &mut Vec<String>) {
    if let Some(p) = options.port {
        out.extend(["dstport".into(), p.to_string()]);
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

/// `type KIND ARGS` of `link set`.
fn type_change_words(k: &LinkTypeChange, out: &mut Vec<String>) {
    out.push("type".into());
    match k {
        LinkTypeChange::Vxlan { vni, options } => {
            out.push("vxlan".into());
            if let Some(v) = vni {
                out.extend(["id".into(), v.to_string()]);
            }
            vxlan_words(options, out);
        }
        LinkTypeChange::MacVlan { mode } => out.extend([
            "macvlan".into(),
            "mode".into(),
            macvlan_mode_name(*mode).into(),
        ]),
        LinkTypeChange::Bridge(o) => {
            out.push("bridge".into());
            let mut n = |w: &str, v: Option<u64>| {
                if let Some(v) = v {
                    out.extend([w.to_owned(), v.to_string()]);
                }
            };
            n("stp_state", o.stp_state.map(u64::from));
            n("forward_delay", o.forward_delay.map(u64::from));
            n("hello_time", o.hello_time.map(u64::from));
            n("max_age", o.max_age.map(u64::from));
            n("ageing_time", o.ageing_time.map(u64::from));
            n("priority", o.priority.map(u64::from));
            n("vlan_filtering", o.vlan_filtering.map(u64::from));
            n("mcast_snooping", o.mcast_snooping.map(u64::from));
        }
        LinkTypeChange::BridgePort(spec) => {
            out.push("bridge_slave".into());
            crate::bridge_link::port_words(spec, out);
        }
        _ => {}
    }
}
