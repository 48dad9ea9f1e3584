//! `Handle`'s nsid methods: the ids its namespace gives other namespaces.

use std::os::fd::AsFd;

use netns_core::nsid;
use pyo3::prelude::*;

use super::Handle;
use crate::namespace::Namespace;

#[pymethods]
impl Handle {
    /// The nsid this handle's namespace gives namespace ``netns``
    /// (``RTM_GETNSID``), or None when it has none.
    fn nsid(&self, py: Python<'_>, netns: &Bound<'_, Namespace>) -> PyResult<Option<i32>> {
        let ns = netns.get().get()?;
        self.with(py, |h| {
            Ok(nsid::get(h.socket(), ns.as_fd())?.map(|n| n.get()))
        })
    }

    /// Assigns nsid ``id`` to namespace ``netns`` in this handle's namespace
    /// (``RTM_NEWNSID``; None: the kernel chooses), as ``ip netns set``
    /// run inside it. Returns the nsid it has now.
    #[pyo3(signature = (netns, id=None))]
    fn set_nsid(
        &self,
        py: Python<'_>,
        netns: &Bound<'_, Namespace>,
        id: Option<i32>,
    ) -> PyResult<Option<i32>> {
        let id = id.map(crate::namespace::nsid).transpose()?;
        let ns = netns.get().get()?;
        self.with(py, |h| {
            nsid::set(h.socket(), ns.as_fd(), id)?;
            Ok(nsid::get(h.socket(), ns.as_fd())?.map(|n| n.get()))
        })
    }
}
