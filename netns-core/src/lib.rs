//! netns-core: Linux network namespaces and rtnetlink, done carefully.
#![deny(unsafe_code)]

pub mod error;
pub mod namespace;
pub mod netlink;
pub mod nsid;
mod sys;

pub use error::{Capability, Errno, Error, ErrorKind, Result};
pub use namespace::{
    validate_name, DeleteAllReport, Entry, ExecChild, ExecOptions, ExecStatus, IdEntry, IdFilter, Monitor,
    MonitorEvent, NetNs, PidsOptions, Registry,
};
pub use nsid::Nsid;
