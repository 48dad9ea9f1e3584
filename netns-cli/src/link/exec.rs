//! `link add`, `link set` and `link delete`.

use netns_core::link::{LinkChange, LinkId, LinkSpec, NetNsRef};

use super::{LinkFlagWord, LinkSetArgs};
use crate::output::{Failure, Group, Outcome, Stage};
use crate::Context;

/// A handle on `-n NAME`'s namespace or the current one; failing to open
/// it is ip's `Cannot open network namespace` (exit 255).
pub(super) fn open(ctx: &Context) -> Result<netns_core::Handle, Failure> {
    ctx.handle()
        .map_err(|e| Failure::new(Group::Link, Stage::Open, e))
}

// ---------------------------------------------------------------- add

/// `link add`: the spec, names resolved by the core.
pub(super) fn add(ctx: &Context, spec: LinkSpec) -> Outcome {
    open(ctx)?.link_add(&spec)?;
    Ok(())
}

// ---------------------------------------------------------------- set, delete

/// `link set`: the master and the target namespace resolved here, all sent
/// as one change.
pub(super) fn set(ctx: &Context, args: LinkSetArgs) -> Outcome {
    let mut h = open(ctx)?;
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
        change = change.mac(a);
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
    for (flag, on) in &args.flags {
        change = match flag {
            LinkFlagWord::Arp => change.arp(*on),
            LinkFlagWord::Multicast => change.multicast(*on),
            LinkFlagWord::Allmulticast => change.allmulticast(*on),
            LinkFlagWord::Promisc => change.promisc(*on),
            LinkFlagWord::Dynamic => change.dynamic(*on),
            LinkFlagWord::Trailers => change.trailers(*on),
        };
    }
    if let Some(kind) = args.kind {
        change = change.kind(kind);
    }
    h.link_set(&change)?;
    if let Some(alias) = &args.alias {
        let id = match &args.name {
            Some(n) => LinkId::Name(n),
            None => LinkId::Name(&args.dev),
        };
        h.link_set_alias(id, alias)?;
    }
    Ok(())
}

/// `link property add|del dev X altname Y…`: the device looked up first
/// (`Cannot find device`, 1), then one request per name, as ip; every
/// refusal of the kernel is 2 then, "no such altname" (`ENOENT`) included.
pub(super) fn property(ctx: &Context, add: bool, dev: &str, altnames: &[String]) -> Outcome {
    let mut h = open(ctx)?;
    let index = h
        .link_index(dev)
        .map_err(|e| Failure::new(Group::Link, Stage::Lookup, e))?;
    for alt in altnames {
        let done = if add {
            h.link_altname_add(LinkId::Index(index), alt)
        } else {
            h.link_altname_del(LinkId::Index(index), alt)
        };
        // A name refused before the kernel is ip's usage error (255).
        let group = if e_is_local(&done) {
            Group::Link
        } else {
            Group::NeighRule
        };
        done.map_err(|e| Failure::new(group, Stage::Run, e))?;
    }
    Ok(())
}

/// `link delete`.
pub(super) fn delete(ctx: &Context, dev: &str) -> Outcome {
    open(ctx)?.link_delete(LinkId::Name(dev))?;
    Ok(())
}

/// Whether `r` failed before reaching the kernel (no errno).
fn e_is_local(r: &netns_core::Result<()>) -> bool {
    matches!(r, Err(e) if e.errno().is_none())
}
