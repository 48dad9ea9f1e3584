//! netns-cni: a [CNI](https://github.com/containernetworking/cni) 1.1.0
//! plugin on netns-core.
//!
//! The binary reads the `CNI_*` environment ([`mod@env`]) and the network
//! configuration on stdin ([`config`]), runs the command
//! ([`commands::run`]) and prints the result or the error ([`spec`],
//! [`error`]) on stdout. Two modes wire the pod: [`bridge`] and [`ptp`],
//! as the reference plugins of the same names (installed under those
//! names, the configuration's `type` selects the mode: a drop-in);
//! addresses come from the built-in host-local compatible allocator or a
//! delegated IPAM plugin ([`ipam`]), and ADD announces them from inside the
//! pod ([`wiring::announce`]).
//!
//! The calling thread never changes namespace: work inside the pod goes
//! through a netlink socket opened in it ([`netns_core::NetNs::handle`]),
//! and the container end of each veth pair is created directly in the
//! pod's namespace.

pub mod attachment;
pub mod bridge;
pub mod commands;
pub mod config;
pub mod env;
pub mod error;
pub mod ipam;
pub mod masq;
pub mod modes;
pub mod ptp;
pub mod spec;
pub mod wiring;

pub use commands::{run, Outcome};
pub use env::Env;
pub use error::CniError;
