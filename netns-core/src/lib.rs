//! netns-core: Linux network namespaces and rtnetlink, done carefully.
//!
//! # A tour
//!
//! The LWN walk-through (`ip netns add`, a veth pair whose peer is born in
//! the namespace, an address each side, `ip netns exec … ping`), as a
//! program (run it as root, ideally in a throwaway `unshare -n -m`):
//!
//! ```no_run
//! use netns_core::addr::AddressSpec;
//! use netns_core::link::{LinkSpec, NetNsRef};
//! use netns_core::{ExecOptions, Handle, Registry};
//!
//! let reg = Registry::from_env(); // /run/netns (or $NETNS_RUN_DIR)
//! let blue = reg.add("blue")?; // ip netns add blue
//! let mut inside = blue.handle()?; // an rtnetlink socket made inside blue
//! let mut here = Handle::current()?;
//! // ip link add veth0 type veth peer name eth0 netns blue: the peer is
//! // born in blue, never created here and moved.
//! let spec = LinkSpec::veth("veth0", "eth0").peer_netns(NetNsRef::Name("blue".into()));
//! here.link_add(&spec.up(true))?;
//! here.address_add(&AddressSpec::new("veth0", "10.1.1.2/24".parse()?))?;
//! inside.link_set_up("lo".into())?;
//! inside.link_set_up("eth0".into())?;
//! inside.address_add(&AddressSpec::new("eth0", "10.1.1.1/24".parse()?))?;
//! for link in inside.links()? {
//!     println!("{} {}", link.index().get(), link.name());
//! }
//! let ping = reg.exec("blue", &["ping", "-c1", "10.1.1.2"], ExecOptions::new())?;
//! assert!(ping.success());
//! reg.delete("blue")?; // ip netns delete blue
//! # Ok::<(), netns_core::Error>(())
//! ```
//!
//! * The calling thread never changes namespace: [`NetNs::run`] and
//!   [`NetNs::handle`] work on a short-lived thread inside it; a [`Handle`]
//!   is a socket that stays bound to the namespace it was made in.
//! * Every failure is an [`Error`]: an [`ErrorKind`], the errno, the kernel's
//!   extended-ack text, and what was done to what, in the caller's words
//!   (`cannot find device "veth9"`). It converts into a `std::io::Error`.
//!
//! # From async code
//!
//! Every call blocks (a netlink round trip, a thread join, a fork): from an
//! async runtime, run it on the runtime's blocking pool, never on an
//! executor thread. With tokio, a [`Handle`] moves into the closure and back:
//!
//! ```ignore
//! let mut h = netns_core::Handle::current()?;
//! let (h, names) = tokio::task::spawn_blocking(move || {
//!     let names: Vec<String> = h.links()?.map(|l| l.name().to_owned()).collect();
//!     Ok::<_, netns_core::Error>((h, names))
//! })
//! .await
//! .expect("the blocking task panicked")?;
//! ```
//!
//! (`async_std::task::spawn_blocking`, `smol::unblock` and
//! `asyncio.to_thread` in Python are the same pattern.)
#![deny(unsafe_code)]

pub mod addr;
pub mod announce;
pub mod ensure;
pub mod error;
pub mod event;
#[cfg(feature = "fault-injection")]
pub mod fault;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod handle;
pub mod link;
pub mod namespace;
pub mod neigh;
pub mod netlink;
pub mod nexthop;
pub mod nsid;
pub mod route;
pub mod rule;
mod sys;
pub mod sysctl;

pub use error::{Capability, Errno, Error, ErrorKind, Result};
pub use handle::Handle;
pub use namespace::{
    validate_name, DeleteAllReport, Entry, ExecChild, ExecOptions, ExecStatus, IdEntry, IdFilter,
    Monitor, MonitorCloser, MonitorEvent, MonitorWait, NetNs, PidsOptions, Registry,
    DELETE_THREADS,
};
pub use nsid::Nsid;
