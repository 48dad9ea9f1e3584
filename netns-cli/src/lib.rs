//! The `netns` command as a library: [`parse`] turns an argv into an
//! [`Invocation`] without touching the kernel, the filesystem or the
//! environment, and [`execute`] runs it. The `netns` binary is
//! `execute(parse(args)?)`; the fuzz targets call [`parse`] alone.
//!
//! Words whose meaning depends on the system (a namespace name or pid, a
//! device name) are parsed into the core's specs unresolved
//! ([`netns_core::link::NetNsRef::Name`], [`netns_core::link::Dev::Name`])
//! and resolved by the core at execution. The canonical rendering
//! (`Invocation::to_args`) exists only for tests and the fuzz round trip
//! (feature `fuzzing`).
#![deny(unsafe_code)]

mod addr;
mod batch;
mod bridge_link;
mod demo;
mod fdb;
mod ip;
pub mod keywords;
mod link;
mod monitor;
mod neigh;
mod netns;
mod nexthop;
mod output;
mod route;
mod route_get;
mod rule;
mod topology;
mod tuntap;

use std::ffi::OsString;

use clap::{Parser, Subcommand};

use netns_core::{Error, Handle, Registry};
use output::Output;

pub use addr::{AddrChange, AddrCommand, AddrOp};
pub use bridge_link::BridgeLinkCommand;
pub use fdb::{FdbCommand, FdbOp};
pub use ip::IpOptions;
pub use link::{LinkCommand, LinkFilter, LinkOptions, LinkSetArgs};
pub use monitor::MonitorCommand;
pub use neigh::{NeighCommand, NeighOp};
pub use netns::NsCommand;
pub use nexthop::{NexthopCommand, NexthopOp};
pub use route::{RouteCommand, RouteOp};
pub use rule::RuleCommand;
pub use topology::TopologyCommand;
pub use tuntap::TuntapCommand;

const EXAMPLES: &str = "\
Examples:
  netns add blue                      create the namespace /run/netns/blue
  netns list                          list namespaces with their ids (the default)
  netns exec blue ip link             run a command inside blue
  netns identify $$                   which names the shell's namespace has
  netns pids blue                     processes inside blue
  netns set blue auto                 give blue an id in the current namespace
  netns delete blue                   remove the name (the namespace lives while used)
  netns -j list                       the same listing as JSON
  netns demo                          the walk-through and a topology, in a throwaway sandbox
  netns apply examples/bridge-nat.toml   build a topology (see docs/topology.md)

ip's command lines work as they are (docs/cli.md): its global options before the
command, in any order: -4 -6 -0 -f FAMILY, -o (one line), -br (brief), -s (counters),
-j, -p, -n NAME, -b FILE / -batch - [-force] (one command per line), -a (all names);
its objects and words by prefix, in ip's order: `netns a`, `netns ro sh`,
`netns l s v0 up`, `netns netns add blue`; `netns help OBJECT` as `ip OBJECT help`.

Environment: NETNS_RUN_DIR (default /run/netns), NETNS_ETC_DIR (default /etc/netns).";

/// Create, wire and inspect Linux network namespaces (iproute2's `ip netns`
/// semantics, without its sharp edges).
#[derive(Debug, Parser)]
#[command(name = "netns", version, after_help = EXAMPLES, disable_help_subcommand = true)]
struct Cli {
    /// Print JSON instead of text.
    #[arg(short, long, global = true)]
    json: bool,
    /// Pretty-print JSON.
    #[arg(short, long, global = true)]
    pretty: bool,
    /// Run link/addr/route commands inside this named namespace (as `ip -n NAME`).
    #[arg(short = 'n', long = "netns", global = true, value_name = "NAME")]
    netns: Option<String>,
    #[command(subcommand)]
    command: Option<ClapCommand>,
}

// The subcommands as clap sees them; `parse` turns each into a `Command`,
// parsing the word lists of link/addr/route/list-id/set/exec.
#[derive(Debug, Subcommand)]
enum ClapCommand {
    /// Create a network namespace and name it.
    Add {
        /// The name (a file under the run directory).
        name: String,
    },
    /// Name the network namespace of a running process.
    Attach {
        /// The name to give.
        name: String,
        /// The process whose namespace is named.
        #[arg(allow_negative_numbers = true)]
        pid: i32,
    },
    /// Remove names; each namespace lives on while processes use it.
    #[command(visible_alias = "del")]
    Delete {
        /// Delete every name (goes on past failures).
        #[arg(short, long, conflicts_with = "names")]
        all: bool,
        /// The names to delete.
        #[arg(required_unless_present = "all")]
        names: Vec<String>,
    },
    /// List names, sorted, with their ids in the current namespace (default command).
    #[command(visible_alias = "ls", alias = "show")]
    List {
        /// Ignored, as `ip netns list` ignores them (scripts pass a stray `|`).
        #[arg(hide = true, trailing_var_arg = true, allow_hyphen_values = true)]
        ignored: Vec<OsString>,
    },
    /// List the ids known in the current namespace: [target-nsid N] [nsid N].
    ListId {
        /// `target-nsid N` and/or `nsid N`, as `ip netns list-id`.
        args: Vec<String>,
    },
    /// Give a namespace an id in the current namespace: `auto` or a number.
    Set {
        /// The namespace's name.
        name: String,
        /// `auto` or a non-negative number.
        id: String,
    },
    /// Print every name of a process's namespace (default: this process).
    Identify {
        /// The process (default: netns itself).
        #[arg(allow_negative_numbers = true)]
        pid: Option<i32>,
    },
    /// Print the processes inside a namespace.
    Pids {
        /// The namespace's name.
        name: String,
        /// Also list threads (by thread id) whose own namespace it is.
        #[arg(long)]
        threads: bool,
    },
    /// Run a command inside a namespace: `exec NAME CMD...` or `exec --all CMD...`.
    Exec {
        /// Run the command in every named namespace, one after the other.
        #[arg(short, long)]
        all: bool,
        /// NAME then the command and its arguments (without NAME with --all).
        #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Print names as they are added (once mounted) and deleted; with
    /// objects (`link address route neigh rule nsid all`), their events as
    /// `ip monitor` prints them.
    Monitor {
        /// `ip monitor` objects; none: namespace names (`ip netns monitor`).
        objects: Vec<String>,
    },
    /// Network devices, with `ip link`'s syntax: list, add, delete, set.
    #[command(visible_alias = "l", after_long_help = link::USAGE)]
    Link {
        /// `ip link` arguments, e.g. `add veth0 type veth peer name veth1`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Addresses, with `ip addr`'s syntax: show, add, del, flush.
    #[command(visible_aliases = ["a", "address"], after_long_help = addr::USAGE)]
    Addr {
        /// `ip addr` arguments, e.g. `add 10.1.1.1/24 dev veth1`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Routes, with `ip route`'s syntax: show, add, del, replace.
    #[command(visible_alias = "r", after_long_help = route::USAGE)]
    Route {
        /// `ip route` arguments, e.g. `add default via 10.1.1.2`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Neighbours (ARP/NDP), with `ip neigh`'s syntax: show, add, del, replace, get, flush.
    #[command(visible_alias = "n", alias = "neighbour", alias = "neighbor")]
    Neigh {
        /// `ip neigh` arguments, e.g. `add 10.0.0.2 lladdr 02:00:00:00:00:01 dev veth0`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Nexthop objects, with `ip nexthop`'s syntax: show, add, replace, del, get, flush.
    #[command(after_long_help = nexthop::USAGE)]
    Nexthop {
        /// `ip nexthop` arguments, e.g. `add id 1 via 10.0.0.1 dev veth0`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Bridge ports and forwarding entries, with iproute2 `bridge`'s syntax:
    /// `bridge link [show|set]`, `bridge fdb …`.
    Bridge {
        /// `bridge` arguments, e.g. `link set dev veth0 learning off`, `fdb
        /// add 00:11:22:33:44:55 dev vx0 dst 10.0.0.2`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// tun/tap devices, with `ip tuntap`'s syntax: add, del, show.
    Tuntap {
        /// `ip tuntap` arguments, e.g. `add tap0 mode tap user 1000`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Policy routing rules, with `ip rule`'s syntax: list, add, del, flush.
    #[command(visible_alias = "ru")]
    Rule {
        /// `ip rule` arguments, e.g. `add from 10.0.0.0/8 table 100`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    #[command(flatten)]
    Topology(topology::TopologyCommand),
}

/// A parsed command line: the global options and one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// `-j`: print JSON instead of text.
    pub json: bool,
    /// `-p`: pretty-print JSON.
    pub pretty: bool,
    /// `-n NAME`: run link/addr/route commands inside this named namespace.
    pub netns: Option<String>,
    /// ip's other global options (`-4`, `-o`, `-br`, `-s`, `-d`, `-force`, `-a` …).
    pub options: IpOptions,
    /// What to do.
    pub command: Command,
}

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// The `ip netns`-style commands (`add`, `list`, `exec` …).
    Namespace(NsCommand),
    /// `link …`.
    Link(LinkCommand),
    /// `addr …`.
    Addr(AddrCommand),
    /// `route …`.
    Route(RouteCommand),
    /// `neigh …`.
    Neigh(NeighCommand),
    /// `monitor OBJECT…`.
    Monitor(MonitorCommand),
    /// `rule …`.
    Rule(RuleCommand),
    /// `tuntap …`.
    Tuntap(TuntapCommand),
    /// `nexthop …`.
    Nexthop(NexthopCommand),
    /// `bridge OBJECT …` (iproute2's `bridge` tool).
    Bridge(BridgeCommand),
    /// `apply|destroy|status|check FILE`, `demo`.
    Topology(TopologyCommand),
    /// `-b FILE` / `-batch FILE` (`-` for stdin): one command per line.
    Batch {
        /// The file, or `-`.
        file: String,
    },
    /// `help [OBJECT]`: netns's help, or an object's usage (as `ip OBJECT help`).
    Help {
        /// The object, as written.
        object: Option<String>,
    },
}

/// A command line refused by [`parse`] (or help and version, which clap
/// reports the same way): what to print and the exit status.
#[derive(Debug)]
pub struct Usage {
    message: String,
    status: u8,
    /// Printed as it is (a usage text), without the `netns: ` prefix.
    plain: bool,
    /// clap's own error, kept to print it as clap does (colours on a tty,
    /// help and version on stdout).
    clap: Option<clap::Error>,
}

impl Usage {
    /// A refusal printed as `netns: MESSAGE` on stderr with exit `status`.
    fn new(message: impl Into<String>, status: u8) -> Usage {
        Usage {
            message: message.into(),
            status,
            plain: false,
            clap: None,
        }
    }

    /// A usage text printed as it is on stderr, with exit `status`.
    fn plain(message: impl Into<String>, status: u8) -> Usage {
        Usage {
            plain: true,
            ..Usage::new(message, status)
        }
    }

    fn from_clap(e: clap::Error) -> Usage {
        Usage {
            message: e.render().to_string(),
            status: if e.use_stderr() {
                output::usage_status(output::Group::Netns)
            } else {
                0
            },
            plain: false,
            clap: Some(e),
        }
    }

    /// The message, without the `netns: ` prefix (clap's text for clap's errors).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The exit status: 255 (or 1 for `addr`/`route`, as `ip`), 0 for
    /// `--help` and `--version`.
    pub fn status(&self) -> u8 {
        self.status
    }

    /// Prints the message as the CLI does and returns the exit status.
    pub fn report(&self) -> u8 {
        match &self.clap {
            Some(e) => {
                let _ = e.print();
            }
            None if self.plain => eprintln!("{}", self.message),
            None => eprintln!("netns: {}", self.message),
        }
        self.status
    }
}

impl PartialEq for Usage {
    fn eq(&self, other: &Usage) -> bool {
        self.message == other.message
            && self.status == other.status
            && self.clap.as_ref().map(clap::Error::kind)
                == other.clap.as_ref().map(clap::Error::kind)
    }
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Usage {}

/// Parses a command line (`argv[0]` first, as `std::env::args_os`). Pure:
/// no kernel, no filesystem, no environment; never panics.
///
/// ip's global options come first, in any order (`-4 -o -br -s -d -j -p
/// -n NAME -b FILE -force -a` …); then netns's own commands by their whole
/// word, or ip's objects by prefix in ip's order ([`keywords::OBJECTS`]):
/// `netns a`, `netns ro sh`, `netns netns del X`.
pub fn parse(argv: &[OsString]) -> Result<Invocation, Usage> {
    let argv0 = argv.first().cloned().unwrap_or_else(|| "netns".into());
    let args = argv.get(1..).unwrap_or_default();
    let g = ip::globals(args)?;
    let rest = &args[g.rest..];
    let mut inv = Invocation {
        json: g.json,
        pretty: g.pretty,
        netns: g.netns,
        options: g.options,
        command: Command::Namespace(NsCommand::List),
    };
    if let Some(flag) = g.clap_flag {
        let e = Cli::try_parse_from([argv0, flag.into()]).err();
        return Err(e.map_or_else(|| Usage::new("", 0), Usage::from_clap));
    }
    if let Some(file) = g.batch {
        inv.command = Command::Batch { file };
        return Ok(inv);
    }
    let mut clap_argv: Vec<OsString> = vec![argv0];
    if let Some(first) = rest.first() {
        let word = first.to_string_lossy();
        if !own_command(&word) && !word.starts_with('-') {
            use keywords::Object;
            let canonical = match keywords::lookup(keywords::OBJECTS, &word) {
                Some(Object::Address) => "addr",
                Some(Object::Route) => "route",
                Some(Object::Link) => "link",
                Some(Object::Netns) => {
                    inv.command =
                        Command::Namespace(ip::netns_object(&rest[1..], inv.options.all)?);
                    return Ok(inv);
                }
                Some(Object::Help) => {
                    inv.command = Command::Help {
                        object: rest.get(1).map(|w| w.to_string_lossy().into_owned()),
                    };
                    return Ok(inv);
                }
                Some(Object::Rule) => "rule",
                Some(Object::Neigh) => "neigh",
                Some(Object::Unsupported("tuntap")) => "tuntap",
                Some(Object::Nexthop) => "nexthop",
                Some(Object::Unsupported(name)) => return Err(not_yet(name)),
                None => {
                    return Err(Usage::new(
                        format!("Object \"{word}\" is unknown, try \"netns help\"."),
                        1,
                    ))
                }
            };
            clap_argv.push(canonical.into());
            clap_argv.extend(rest[1..].iter().cloned());
        } else {
            clap_argv.extend(rest.iter().cloned());
        }
    }
    let cli = Cli::try_parse_from(&clap_argv).map_err(Usage::from_clap)?;
    inv.json |= cli.json;
    inv.pretty |= cli.pretty;
    if cli.netns.is_some() {
        inv.netns = cli.netns;
    }
    let all = inv.options.all;
    inv.command = match cli.command.unwrap_or(ClapCommand::List { ignored: vec![] }) {
        ClapCommand::Link { args } => Command::Link(link::parse(&args)?),
        ClapCommand::Addr { args } => Command::Addr(addr::parse(&args)?),
        ClapCommand::Route { args } => Command::Route(route::parse(&args)?),
        ClapCommand::Neigh { args } => Command::Neigh(neigh::parse(&args)?),
        ClapCommand::Rule { args } => Command::Rule(rule::parse(&args)?),
        ClapCommand::Tuntap { args } => Command::Tuntap(tuntap::parse(&args)?),
        ClapCommand::Nexthop { args } => Command::Nexthop(nexthop::parse(&args)?),
        ClapCommand::Bridge { args } => Command::Bridge(parse_bridge(&args)?),
        ClapCommand::Topology(cmd) => Command::Topology(cmd),
        ClapCommand::Add { name } => Command::Namespace(NsCommand::Add { name }),
        ClapCommand::Attach { name, pid } => Command::Namespace(NsCommand::Attach { name, pid }),
        ClapCommand::Delete { all: true, .. } => Command::Namespace(NsCommand::DeleteAll),
        ClapCommand::Delete { .. } if all => Command::Namespace(NsCommand::DeleteAll),
        ClapCommand::Delete { names, .. } => Command::Namespace(NsCommand::Delete {
            names: ip::strip_list_id(names),
        }),
        ClapCommand::List { .. } => Command::Namespace(NsCommand::List),
        ClapCommand::ListId { args } => Command::Namespace(netns::parse_list_id(&args)?),
        ClapCommand::Set { name, id } => Command::Namespace(netns::parse_set(name, &id)?),
        ClapCommand::Identify { pid } => Command::Namespace(NsCommand::Identify { pid }),
        ClapCommand::Pids { name, threads } => {
            Command::Namespace(NsCommand::Pids { name, threads })
        }
        ClapCommand::Exec { all: a, args } => {
            Command::Namespace(netns::parse_exec(a || all, args)?)
        }
        ClapCommand::Monitor { objects } if objects.is_empty() => {
            Command::Namespace(NsCommand::Monitor)
        }
        ClapCommand::Monitor { objects } => Command::Monitor(monitor::parse(&objects)?),
    };
    Ok(inv)
}

/// The command line's clap definition (netns's own commands and options;
/// ip's global options and objects are read before clap, see [`parse`]):
/// what man pages and shell completions are generated from
/// (`examples/gen_docs.rs`, `make cli-docs`).
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command()
}

/// Whether `word` is one of netns's own commands (or their aliases), which
/// match only whole and come before ip's objects (so `netns add X` adds a
/// namespace, where ip would read `add` as a prefix of `address`).
fn own_command(word: &str) -> bool {
    use clap::CommandFactory;
    Cli::command()
        .get_subcommands()
        .any(|c| c.get_name() == word || c.get_all_aliases().any(|a| a == word))
}

/// A parsed `bridge OBJECT …` command.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BridgeCommand {
    /// `bridge link …`.
    Link(bridge_link::BridgeLinkCommand),
    /// `bridge fdb …`.
    Fdb(FdbCommand),
}

/// `bridge OBJECT ARGS…`: the object by prefix, as `bridge` matches it
/// (`link`, then `fdb`); `mdb`, `vlan` and the rest are not there yet.
fn parse_bridge(args: &[String]) -> Result<BridgeCommand, Usage> {
    let object = args.first().map_or("", String::as_str);
    match object {
        w if !w.is_empty() && "link".starts_with(w) => {
            Ok(BridgeCommand::Link(bridge_link::parse(&args[1..])?))
        }
        w if !w.is_empty() && "fdb".starts_with(w) => {
            Ok(BridgeCommand::Fdb(fdb::parse(&args[1..])?))
        }
        "" => Err(Usage::new("Usage: netns bridge {link|fdb} ...", 255)),
        w if ["mdb", "vlan", "vni", "monitor", "mst"]
            .iter()
            .any(|o| !w.is_empty() && o.starts_with(w)) =>
        {
            Err(not_yet(&format!("bridge {w}")))
        }
        w => Err(Usage::new(
            format!("Object \"{w}\" is unknown, try \"bridge help\"."),
            255,
        )),
    }
}

/// An object of ip that netns does not have (yet): exit 255.
fn not_yet(object: &str) -> Usage {
    Usage::new(
        format!("Object \"{object}\" is not supported by netns yet (docs/cli.md)."),
        output::usage_status(output::Group::Netns),
    )
}

#[cfg(any(test, feature = "fuzzing"))]
impl Invocation {
    /// The canonical command line of this invocation (`netns` first): one
    /// that [`parse`] turns back into an equal value.
    pub fn to_args(&self) -> Vec<OsString> {
        let mut out: Vec<OsString> = vec!["netns".into()];
        if self.json {
            out.push("--json".into());
        }
        if self.pretty {
            out.push("--pretty".into());
        }
        if let Some(n) = &self.netns {
            out.push(format!("--netns={n}").into());
        }
        let o = &self.options;
        if let Some(f) = o.family {
            out.push(format!("-family={}", f.word()).into());
        }
        for (on, flag) in [
            (o.oneline, "-oneline"),
            (o.brief, "-brief"),
            (o.force, "-force"),
            (o.all, "-all"),
        ] {
            if on {
                out.push(flag.into());
            }
        }
        out.extend((0..o.stats).map(|_| OsString::from("-stats")));
        out.extend((0..o.details).map(|_| OsString::from("-details")));
        match &self.command {
            Command::Namespace(c) => c.render(&mut out),
            Command::Link(c) => {
                out.push("link".into());
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Addr(c) => {
                out.push("addr".into());
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Route(c) => {
                out.push("route".into());
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Monitor(c) => {
                out.push("monitor".into());
                out.extend(c.words.iter().map(OsString::from));
            }
            Command::Neigh(c) => {
                out.push("neigh".into());
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Tuntap(c) => {
                out.push("tuntap".into());
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Nexthop(c) => {
                out.push("nexthop".into());
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Bridge(BridgeCommand::Link(c)) => {
                out.extend(["bridge".into(), "link".into()]);
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Rule(c) => {
                out.push("rule".into());
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Bridge(BridgeCommand::Fdb(c)) => {
                out.extend(["bridge".into(), "fdb".into()]);
                out.extend(c.words().into_iter().map(OsString::from));
            }
            Command::Topology(c) => topology_words(c, &mut out),
            Command::Batch { file } => out.push(format!("-batch={file}").into()),
            Command::Help { object } => {
                out.push("help".into());
                out.extend(object.iter().map(OsString::from));
            }
        }
        out
    }
}

#[cfg(any(test, feature = "fuzzing"))]
fn topology_words(cmd: &TopologyCommand, out: &mut Vec<OsString>) {
    let mut file = |verb: &str, file: &std::path::Path| {
        out.push(verb.into());
        out.push("--".into());
        out.push(file.as_os_str().to_owned());
    };
    match cmd {
        TopologyCommand::Apply {
            file: f,
            dry_run,
            adopt,
            no_wait,
        } => {
            file("apply", f);
            // After `--` a flag would be a file: put them before.
            let at = out.len() - 2;
            for (on, flag) in [
                (*no_wait, "--no-wait"),
                (*adopt, "--adopt"),
                (*dry_run, "--dry-run"),
            ] {
                if on {
                    out.insert(at, flag.into());
                }
            }
        }
        TopologyCommand::Destroy { file: f, no_wait } => {
            file("destroy", f);
            if *no_wait {
                let at = out.len() - 2;
                out.insert(at, "--no-wait".into());
            }
        }
        TopologyCommand::Status { file: f } => file("status", f),
        TopologyCommand::Check {
            file: f,
            timeout_ms,
        } => {
            file("check", f);
            let at = out.len() - 2;
            out.insert(at, format!("--timeout-ms={timeout_ms}").into());
        }
        TopologyCommand::Demo => out.push("demo".into()),
    }
}

/// What every link/addr/route command needs: where to act, and how to print.
struct Context {
    /// The registry of named namespaces.
    registry: Registry,
    /// `-n NAME`: act inside that namespace instead of the current one.
    netns: Option<String>,
    /// How to print.
    out: Output,
    /// ip's global options (family, `-o`, `-br`, `-s`, `-d`).
    options: IpOptions,
}

impl Context {
    /// A handle on `-n NAME`'s namespace, or on the current one.
    fn handle(&self) -> Result<Handle, Error> {
        match &self.netns {
            Some(name) => self.registry.open(name)?.handle(),
            None => Handle::current(),
        }
    }
}

/// Runs a parsed invocation (the registry from `NETNS_RUN_DIR` and
/// `NETNS_ETC_DIR`); returns the exit status.
pub fn execute(inv: Invocation) -> u8 {
    let ctx = Context {
        registry: Registry::from_env(),
        netns: inv.netns,
        out: Output::new(inv.json, inv.pretty),
        options: inv.options,
    };
    run(&ctx, inv.command)
}

/// Runs one command in `ctx`; returns the exit status.
fn run(ctx: &Context, command: Command) -> u8 {
    match command {
        Command::Namespace(cmd) => netns::run(&ctx.registry, &ctx.out, cmd),
        Command::Link(cmd) => link::execute(ctx, cmd),
        Command::Addr(cmd) => addr::execute(ctx, cmd),
        Command::Route(cmd) => route::execute(ctx, cmd),
        Command::Neigh(cmd) => neigh::execute(ctx, cmd),
        Command::Monitor(cmd) => monitor::execute(ctx, &cmd),
        Command::Rule(cmd) => rule::execute(ctx, cmd),
        Command::Bridge(BridgeCommand::Fdb(cmd)) => fdb::execute(ctx, cmd),
        Command::Tuntap(cmd) => tuntap::execute(ctx, cmd),
        Command::Nexthop(cmd) => nexthop::execute(ctx, cmd),
        Command::Bridge(BridgeCommand::Link(cmd)) => bridge_link::execute(ctx, cmd),
        Command::Topology(cmd) => topology::run(&ctx.registry, &ctx.out, cmd),
        Command::Batch { file } => batch::run(ctx, &file),
        Command::Help { object } => help(object.as_deref()),
    }
}

/// `netns help [OBJECT]`: netns's help on stdout (exit 0), or the object's
/// usage as `netns OBJECT help` prints it.
fn help(object: Option<&str>) -> u8 {
    use clap::CommandFactory;
    let Some(object) = object else {
        let _ = Cli::command().print_long_help();
        return 0;
    };
    match parse(&["netns".into(), object.into(), "help".into()]) {
        Ok(inv) => execute(inv),
        Err(u) => u.report(),
    }
}

/// The whole command: [`parse`] then [`execute`], or the refusal printed.
pub fn main_with(argv: &[OsString]) -> u8 {
    match parse(argv) {
        Ok(inv) => execute(inv),
        Err(usage) => usage.report(),
    }
}
