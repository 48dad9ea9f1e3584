//! netns-core: Linux network namespaces and rtnetlink, done carefully.
#![deny(unsafe_code)]

pub mod addr;
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
