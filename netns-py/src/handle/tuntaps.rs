//! `Handle`'s tun/tap methods (``ip tuntap show``/``del``) and link
//! statistics (``ip -s link``).

use pyo3::prelude::*;

use super::Handle;
use crate::args::dev_arg;
use crate::objects::{stats_of, tuntap_of, LinkStats, TunTap};

#[pymethods]
impl Handle {
    /// The tun/tap devices of the namespace with their settings (``ip
    /// tuntap show``).
    fn tuntaps(&self, py: Python<'_>) -> PyResult<Vec<TunTap>> {
        self.with(py, |h| {
            Ok(h.tuntaps()?
                .iter()
                .map(|(l, info)| tuntap_of(l.name.clone(), l.index.get(), info))
                .collect())
        })
    }

    /// Deletes the tun/tap device ``dev`` (``ip tuntap del``); a link of
    /// another kind is refused.
    fn tuntap_del(&self, py: Python<'_>, dev: &Bound<'_, PyAny>) -> PyResult<()> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| h.tuntap_del(&dev))
    }

    /// The 64-bit statistics of link ``dev`` (a name or an index), as ``ip
    /// -s link show dev DEV`` (one ``RTM_GETLINK``, no dump).
    fn link_stats(&self, py: Python<'_>, dev: &Bound<'_, PyAny>) -> PyResult<LinkStats> {
        let dev = dev_arg(dev, "dev")?;
        self.with(py, |h| Ok(stats_of(&h.link_stats(dev.as_id())?)))
    }
}
