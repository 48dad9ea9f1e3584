//! Resolving the devices a spec names ([`Dev`]) to indexes, once, in the
//! core: every spec ([`LinkSpec`](super::LinkSpec),
//! [`AddressSpec`](crate::addr::AddressSpec),
//! [`RouteSpec`](crate::route::RouteSpec)) is resolved here, so no front end
//! looks a name up itself and every "no such device" reads the same.

use std::collections::HashMap;

use super::spec::Dev;
use super::types::IfIndex;
use crate::{Errno, Error, Handle, Result};

/// The operation of a device that could not be found ([`Error::is_lookup`]).
pub(crate) const OP_FIND: &str = "find";

/// Checks a device name a spec gives, as a lookup would refuse it: `cannot
/// find device "aaaaaaaaaaaaaaaa": invalid argument: …`.
pub(crate) fn validate_dev(dev: &Dev) -> Result<()> {
    match dev {
        Dev::Name(n) => {
            super::validate_altname(n).map_err(|e| e.context(OP_FIND, device_object(n)))
        }
        Dev::Index(_) => Ok(()),
    }
}

/// The error for a device name no link has: `cannot find device "veth9":
/// not found` (iproute2: `Cannot find device "veth9"`).
pub(crate) fn no_such_device(name: &str) -> Error {
    Error::sys(Errno::ENODEV, OP_FIND, device_object(name))
}

/// How a lookup names a device: `device "veth9"`.
pub(crate) fn device_object(name: &str) -> String {
    format!("device {name:?}")
}

/// The names of a namespace's links, dumped once for a batch that names
/// more than a few devices; empty (each name asked for separately) otherwise.
#[derive(Debug, Default)]
pub(crate) struct DevTable {
    names: Option<HashMap<String, IfIndex>>,
}

impl DevTable {
    /// How many names make one dump cheaper than one request per name.
    const DUMP_ABOVE: usize = 2;
}

impl Handle {
    /// The index of `dev` in this handle's namespace: an index as is, a
    /// name by one `RTM_GETLINK` carrying `IFLA_IFNAME`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for a name no
    /// link has (`cannot find device "veth9"`),
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument)
    /// for a name no link can have; both with [`Error::is_lookup`] true.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::Dev;
    /// let mut h = netns_core::Handle::current()?;
    /// assert_eq!(h.dev_index(&Dev::from("lo"))?.get(), 1);
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "if_nametoindex")]
    pub fn dev_index(&mut self, dev: &Dev) -> Result<IfIndex> {
        match dev {
            Dev::Index(i) => Ok(*i),
            Dev::Name(n) => self.link_index(n),
        }
    }

    /// A table for resolving `devs`: one link dump when they name more than
    /// a few distinct devices, nothing otherwise.
    pub(crate) fn dev_table<'a>(
        &mut self,
        devs: impl IntoIterator<Item = &'a Dev>,
    ) -> Result<DevTable> {
        let mut named: Vec<&str> = devs
            .into_iter()
            .filter_map(|d| match d {
                Dev::Name(n) => Some(n.as_str()),
                Dev::Index(_) => None,
            })
            .collect();
        named.sort_unstable();
        named.dedup();
        if named.len() <= DevTable::DUMP_ABOVE {
            return Ok(DevTable::default());
        }
        let mut names = HashMap::new();
        for l in self.links()? {
            names.insert(l.name().to_owned(), l.index());
            for alt in l.altnames() {
                names.insert(alt.to_owned(), l.index());
            }
        }
        Ok(DevTable { names: Some(names) })
    }

    /// [`Handle::dev_index`] through `table`.
    pub(crate) fn dev_index_in(&mut self, table: &DevTable, dev: &Dev) -> Result<IfIndex> {
        match (dev, &table.names) {
            (Dev::Name(n), Some(names)) => names.get(n).copied().ok_or_else(|| no_such_device(n)),
            _ => self.dev_index(dev),
        }
    }
}
