//! The namespaces and handles an apply works through, by place.

use std::collections::HashMap;

use crate::model::Place;
use netns_core::link::IfIndex;
use netns_core::{Error, ErrorKind, Handle, NetNs, Registry, Result};

/// Open namespaces and handles, by place: those the survey opened, those
/// created, and (rarely) any other opened on demand.
pub(super) struct Places<'r> {
    pub(super) registry: &'r Registry,
    pub(super) nss: HashMap<String, NetNs>,
    /// The root namespace (the caller's), for peers born there.
    pub(super) root: Option<NetNs>,
    pub(super) handles: HashMap<Place, Handle>,
}

impl Places<'_> {
    pub(super) fn ns(&mut self, name: &str) -> Result<&NetNs> {
        if !self.nss.contains_key(name) {
            let ns = self.registry.open(name)?;
            self.nss.insert(name.to_string(), ns);
        }
        self.nss
            .get(name)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "open", format!("namespace {name:?}")))
    }

    pub(super) fn handle(&mut self, place: &Place) -> Result<&mut Handle> {
        if !self.handles.contains_key(place) {
            let h = match place {
                None => Handle::current()?,
                Some(n) => self.ns(n)?.handle()?,
            };
            self.handles.insert(place.clone(), h);
        }
        self.handles
            .get_mut(place)
            .ok_or_else(|| Error::new(ErrorKind::NotFound, "open", "handle"))
    }

    pub(super) fn ifindex(&mut self, place: &Place, name: &str) -> Result<IfIndex> {
        self.handle(place)?.link_index(name)
    }

    pub(super) fn sysctl_get(&mut self, place: &Place, key: &str) -> Result<String> {
        match place {
            None => netns_core::sysctl::get(key),
            Some(n) => self.ns(n)?.sysctl_get(key),
        }
    }

    pub(super) fn sysctl_set(&mut self, place: &Place, key: &str, value: &str) -> Result<()> {
        match place {
            None => netns_core::sysctl::set(key, value),
            Some(n) => self.ns(n)?.sysctl_set(key, value),
        }
    }
}
