//! `netns`: create, wire and inspect Linux network namespaces, with
//! iproute2's `ip netns` arguments, output and exit codes.
#![deny(unsafe_code)]

mod addr;
mod demo;
mod link;
mod netns;
mod output;
mod route;
mod topology;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use netns_core::{Error, Handle, Registry};
use output::Output;

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
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
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
    List,
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
    /// Print names as they are added (once mounted) and deleted.
    Monitor,
    /// Network devices, with `ip link`'s syntax: list, add, delete, set.
    #[command(visible_alias = "l")]
    Link {
        /// `ip link` arguments, e.g. `add veth0 type veth peer name veth1`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Addresses, with `ip addr`'s syntax: show, add, del, flush.
    #[command(visible_aliases = ["a", "address"])]
    Addr {
        /// `ip addr` arguments, e.g. `add 10.1.1.1/24 dev veth1`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Routes, with `ip route`'s syntax: show, add, del, replace.
    #[command(visible_alias = "r")]
    Route {
        /// `ip route` arguments, e.g. `add default via 10.1.1.2`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    #[command(flatten)]
    Topology(topology::TopologyCommand),
}

/// What every link/addr/route command needs: where to act, and how to print.
pub struct Context {
    /// The registry of named namespaces.
    pub registry: Registry,
    /// `-n NAME`: act inside that namespace instead of the current one.
    pub netns: Option<String>,
    /// How to print.
    pub out: Output,
}

impl Context {
    /// A handle on `-n NAME`'s namespace, or on the current one.
    pub fn handle(&self) -> Result<Handle, Error> {
        match &self.netns {
            Some(name) => self.registry.open(name)?.handle(),
            None => Handle::current(),
        }
    }
}

/// Exit status of a failed `ip` command (its `return -1`).
const EXIT_USAGE: u8 = 255;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let ctx = Context {
        registry: Registry::from_env(),
        netns: cli.netns,
        out: Output::new(cli.json, cli.pretty),
    };
    let status = match cli.command.unwrap_or(Command::List) {
        Command::Link { args } => link::run(&ctx, &args),
        Command::Addr { args } => addr::run(&ctx, &args),
        Command::Route { args } => route::run(&ctx, &args),
        Command::Topology(cmd) => topology::run(&ctx.registry, &ctx.out, cmd),
        command => netns::run(&ctx.registry, &ctx.out, command),
    };
    ExitCode::from(status)
}
