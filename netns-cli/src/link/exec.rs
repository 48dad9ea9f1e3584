//! `link add`, `link set` and `link delete`.

use netns_core::link::{LinkChange, LinkId, LinkSpec, NetNsRef};

use super::LinkSetArgs;
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
    h.link_set(&change)?;
    Ok(())
}

/// `link delete`.
pub(super) fn delete(ctx: &Context, dev: &str) -> Outcome {
    open(ctx)?.link_delete(LinkId::Name(dev))?;
    Ok(())
}
