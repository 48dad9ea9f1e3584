//! netns-core: Linux network namespaces and rtnetlink, done carefully.
#![deny(unsafe_code)]

pub mod error;
pub mod netlink;
pub mod nsid;

pub use error::{Capability, Errno, Error, ErrorKind, Result};
