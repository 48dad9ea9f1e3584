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
//!                          [master BR|nomaster] [txqlen N] [netns NS] [alias TEXT]
//!                          [arp|multicast|allmulticast|promisc|dynamic|trailers on|off]
//!                          [type vxlan|macvlan|bridge|bridge_slave ARGS]
//! netns [-n NAME] link property add|del dev NAME altname ALT…
//! netns [-n NAME] link del|delete [dev] NAME
//! ```
//!
//! `NS` is a registry name, or a process id when numeric and no such name
//! exists (ip's rule); a pid is opened through a pidfd. Exit status (as
//! ip's): 0; 1 for a device that does not exist; 2 when the kernel refuses;
//! 255 for a usage error or an argument refused before the kernel.
//!
//! Here: the command types, `parse` and `execute`. Beside: `parse` (ip's
//! words into the types), `render` (the canonical words, for tests and the
//! fuzz round trip only), `show` (ip's text and JSON) and `exec` (add, set,
//! delete).

mod exec;
mod parse;
#[cfg(any(test, feature = "fuzzing"))]
mod render;
pub(crate) mod show;

pub(crate) use show::link_event_text;

use crate::keywords::{lookup, Verb, LINK_VERBS};
use netns_core::link::{LinkSpec, LinkTypeChange, MacAddr, NetNsRef};

use crate::output::{self, usage_status, Group};
use crate::{Context, Usage};

pub(crate) const USAGE: &str = "\
Usage: netns link [list|show] [[dev] NAME]
       netns link add [link PARENT] [name] NAME [address MAC] [mtu N] [txqlen N]
                      [master BR] [netns NS] [up] type TYPE [ARGS]
           TYPE := veth peer [name] NAME [address MAC] [mtu N] [netns NS]
                 | macvlan mode {private|vepa|bridge|passthru|source}
                 | vxlan id VNI [dstport P] [dev PARENT] [remote IP] [local IP] [ttl N]
                 | bridge | dummy | ifb | ...
       netns link set [dev] NAME [up|down] [mtu N] [name NEW] [address MAC]
                      [master BR | nomaster] [txqlen N] [netns NS] [alias TEXT]
                      [arp|multicast|allmulticast|promisc|dynamic|trailers on|off]
                      [type TYPE ARGS]
           TYPE := vxlan [id VNI] [dstport P] [remote IP] [local IP] [ttl N] [[no]learning]
                 | macvlan mode MODE
                 | bridge [stp_state N] [forward_delay N] [hello_time N] [max_age N]
                          [ageing_time N] [priority N] [vlan_filtering 0|1] [mcast_snooping 0|1]
                 | bridge_slave [learning|flood|hairpin|guard|isolated|... on|off]
                                [cost N] [priority N] [state N]
       netns link property {add|del} dev NAME altname ALT [altname ALT ...]
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
        /// `up`, `master BR`, `type KIND`.
        filter: LinkFilter,
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
    /// `property add|del dev NAME altname ALT [altname ALT …]`.
    Property {
        /// `add` (true) or `del`.
        add: bool,
        /// The device (a name or alternative name).
        dev: String,
        /// The alternative names, in order.
        altnames: Vec<String>,
    },
    /// `help`: the usage on stderr, exit 255 (as ip).
    Help,
}

/// The selectors of `link show` and `addr show` (`ip link show [up]
/// [master DEVICE] [type KIND]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkFilter {
    /// `up`: only links that are administratively up.
    pub up: bool,
    /// `master DEVICE`: only the ports of this device.
    pub master: Option<String>,
    /// `type KIND`: only links of this kind (`IFLA_INFO_KIND`).
    pub kind: Option<String>,
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
    /// `arp|multicast|allmulticast|promisc|dynamic|trailers on|off`, in order.
    pub flags: Vec<(LinkFlagWord, bool)>,
    /// `alias TEXT`.
    pub alias: Option<String>,
    /// `type KIND ARGS`: the kind-specific settings to change.
    pub kind: Option<LinkTypeChange>,
}

/// The interface flags `link set` turns on or off, by ip's word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkFlagWord {
    /// `arp` (`IFF_NOARP` inverted).
    Arp,
    /// `multicast`.
    Multicast,
    /// `allmulticast`.
    Allmulticast,
    /// `promisc`.
    Promisc,
    /// `dynamic`.
    Dynamic,
    /// `trailers` (`IFF_NOTRAILERS` inverted).
    Trailers,
}

impl LinkFlagWord {
    /// Every word, with its keyword.
    pub(crate) const ALL: [(LinkFlagWord, &'static str); 6] = [
        (LinkFlagWord::Arp, "arp"),
        (LinkFlagWord::Multicast, "multicast"),
        (LinkFlagWord::Allmulticast, "allmulticast"),
        (LinkFlagWord::Promisc, "promisc"),
        (LinkFlagWord::Dynamic, "dynamic"),
        (LinkFlagWord::Trailers, "trailers"),
    ];

    /// ip's word.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn word(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(w, _)| *w == self)
            .map_or("arp", |(_, k)| k)
    }
}

// ---------------------------------------------------------------- parsing

/// Parses `netns link ARGS…`.
pub(crate) fn parse(args: &[String]) -> Result<LinkCommand, Usage> {
    let (command, rest) = match args.split_first() {
        None => ("show", &[][..]),
        Some((c, rest)) => (c.as_str(), rest),
    };
    if matches!(command, "-h" | "--help") {
        return Ok(LinkCommand::Help);
    }
    // iproute2's order (`do_iplink`): `ip link s` is set, `l` list.
    match lookup(LINK_VERBS, command) {
        Some(Verb::Show) => parse::show(rest),
        Some(Verb::Add) => parse::add(rest).map(LinkCommand::Add),
        Some(Verb::Set | Verb::Change) => parse::set(rest).map(LinkCommand::Set),
        Some(Verb::Delete) => parse::delete(rest),
        Some(Verb::Property) => parse::property(rest),
        Some(Verb::Help) => Ok(LinkCommand::Help),
        Some(_) => Err(crate::keywords::pending("link", command, LINK_VERBS)),
        None => Err(crate::keywords::unknown("link", command)),
    }
}

/// Parses and runs `netns link ARGS…` (the demo's steps); returns the exit status.
pub fn run(ctx: &Context, args: &[String]) -> u8 {
    match parse(args) {
        Ok(cmd) => execute(ctx, cmd),
        Err(u) => u.report(),
    }
}

// ---------------------------------------------------------------- execution

/// Runs a parsed `link` command; returns the exit status.
pub(crate) fn execute(ctx: &Context, cmd: LinkCommand) -> u8 {
    let outcome = match cmd {
        LinkCommand::Show { dev, filter } => show::show(ctx, dev.as_deref(), &filter),
        LinkCommand::Add(args) => exec::add(ctx, args),
        LinkCommand::Set(args) => exec::set(ctx, args),
        LinkCommand::Delete { dev } => exec::delete(ctx, &dev),
        LinkCommand::Property { add, dev, altnames } => exec::property(ctx, add, &dev, &altnames),
        LinkCommand::Help => {
            eprintln!("{USAGE}");
            return usage_status(Group::Link);
        }
    };
    output::status(outcome)
}
