//! `Handle`'s address methods: add, replace, delete, flush, list.

use std::collections::BTreeMap;
use std::net::IpAddr;

use netns_core::addr::{parse_lifetime, AddressOptions, AddressSpec, Broadcast, FOREVER};
use netns_core::link::Dev;
use netns_core::route;
use netns_core::{Error, ErrorKind};
use pyo3::prelude::*;

use super::links::link_of;
use super::names::{family_name, name_or_number, names_if};
use super::{unsent_entry, Handle};
use crate::args::{dev_arg, each, family_arg, ip_text, named_u8, parse_ip, parse_net};
use crate::values::{Address, Link};

/// Python address objects from the core's, devices named from `names`.
pub(crate) fn address_objects(
    owned: Vec<netns_core::addr::Address>,
    names: &BTreeMap<u32, String>,
) -> Vec<Address> {
    owned
        .into_iter()
        .filter_map(|a| {
            let ip = a.ip()?;
            let peer = a.peer().map(|p| p.to_string());
            Some(Address {
                index: a.ifindex,
                dev: names.get(&a.ifindex).cloned(),
                family: family_name(a.family),
                address: ip.to_string(),
                prefixlen: a.prefix_len,
                cidr: format!("{ip}/{}", a.prefix_len),
                scope: name_or_number(route::scope_name(a.scope), a.scope),
                label: a.label,
                broadcast: a.broadcast.map(|b| b.to_string()),
                flags: a.flags,
                metric: a.route_priority,
                peer,
                valid_lft: (a.valid_lifetime != FOREVER).then_some(a.valid_lifetime),
                preferred_lft: (a.preferred_lifetime != FOREVER).then_some(a.preferred_lifetime),
            })
        })
        .collect()
}

#[pymethods]
impl Handle {
    /// Adds ``address`` (``"10.1.1.1/24"`` or an ``ipaddress`` interface) to
    /// link ``dev``, as ``ip addr add``; ``broadcast`` (``'+'``: host bits
    /// set, ``'-'``: clear, or an IPv4 address), ``scope`` (a name such as
    /// ``'link'``, or a number), ``label`` (IPv4: the link's name, or it
    /// followed by ``:`` and more), ``metric`` (of the prefix route),
    /// ``flags`` (``IFA_F_*`` bits, e.g. ``0x02`` nodad), ``peer`` (the
    /// other end of a point-to-point address: ``address_add('ppp0',
    /// '10.0.0.1', peer='10.0.0.2/32')``), ``valid_lft`` and
    /// ``preferred_lft`` (seconds, or ``'forever'``/None). With
    /// ``exist_ok=True`` an identical existing address is accepted (a
    /// different one with the same address is still ``FileExistsError``,
    /// naming the field). Returns whether the address was added.
    #[pyo3(signature = (dev, address, *, broadcast=None, scope=None, label=None, metric=None, flags=0, peer=None, valid_lft=None, preferred_lft=None, exist_ok=false))]
    #[allow(clippy::too_many_arguments)]
    fn address_add(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
        broadcast: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        label: Option<String>,
        metric: Option<u32>,
        flags: u32,
        peer: Option<&Bound<'_, PyAny>>,
        valid_lft: Option<&Bound<'_, PyAny>>,
        preferred_lft: Option<&Bound<'_, PyAny>>,
        exist_ok: bool,
    ) -> PyResult<bool> {
        let args = AddressArgs::new(dev, address, broadcast, scope, label, metric, flags)?.extra(
            peer,
            valid_lft,
            preferred_lft,
        )?;
        self.with(py, |h| {
            let spec = args.spec()?;
            if exist_ok {
                h.address_add_exist_ok(&spec)
            } else {
                h.address_add(&spec).map(|()| true)
            }
        })
    }

    /// Adds ``address`` or replaces it if the link has it already (as ``ip
    /// addr replace``, e.g. to change its options); arguments as
    /// ``address_add``.
    #[pyo3(signature = (dev, address, *, broadcast=None, scope=None, label=None, metric=None, flags=0, peer=None, valid_lft=None, preferred_lft=None))]
    #[allow(clippy::too_many_arguments)]
    fn address_replace(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
        broadcast: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        label: Option<String>,
        metric: Option<u32>,
        flags: u32,
        peer: Option<&Bound<'_, PyAny>>,
        valid_lft: Option<&Bound<'_, PyAny>>,
        preferred_lft: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let args = AddressArgs::new(dev, address, broadcast, scope, label, metric, flags)?.extra(
            peer,
            valid_lft,
            preferred_lft,
        )?;
        self.with(py, |h| h.address_replace(&args.spec()?))
    }

    /// Removes ``address`` from link ``dev`` (with its ``peer`` for a
    /// point-to-point address). With ``missing_ok=True`` an address that is
    /// not there is accepted (a missing link is still an error). Returns
    /// whether one was removed.
    #[pyo3(signature = (dev, address, *, peer=None, missing_ok=false))]
    fn address_del(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
        peer: Option<&Bound<'_, PyAny>>,
        missing_ok: bool,
    ) -> PyResult<bool> {
        let dev = dev_arg(dev, "dev")?;
        let text = ip_text(address, "address")?;
        let peer = peer.map(|p| ip_text(p, "peer")).transpose()?;
        self.with(py, |h| {
            let mut spec = AddressSpec::new(dev, parse_net(&text)?);
            if let Some(p) = &peer {
                spec = spec.peer(parse_net(p)?);
            }
            if missing_ok {
                h.address_del_missing_ok(&spec)
            } else {
                h.address_del(&spec).map(|()| true)
            }
        })
    }

    /// Removes every address of ``family`` (``'inet'``, ``'inet6'``; both
    /// when None) from link ``dev``, as ``ip addr flush dev X``: one
    /// filtered dump, then the deletes in one batch (IPv4 secondaries
    /// first). Returns how many were removed.
    #[pyo3(signature = (dev, *, family=None))]
    fn address_flush(
        &self,
        py: Python<'_>,
        dev: &Bound<'_, PyAny>,
        family: Option<&str>,
    ) -> PyResult<usize> {
        let dev = dev_arg(dev, "dev")?;
        let family = family_arg(family)?;
        self.with(py, |h| h.address_flush(&dev, family))
    }

    /// The addresses of link ``dev`` (every link when None), of ``family``
    /// (``'inet'``, ``'inet6'``; both when None), filtered by the kernel.
    #[pyo3(signature = (dev=None, *, family=None))]
    fn addresses(
        &self,
        py: Python<'_>,
        dev: Option<&Bound<'_, PyAny>>,
        family: Option<&str>,
    ) -> PyResult<Vec<Address>> {
        let dev = dev.map(|d| dev_arg(d, "dev")).transpose()?;
        let family = family_arg(family)?;
        let (addresses, consistent) = self.with(py, |h| {
            let mut filter = netns_core::addr::AddressFilter::new();
            if let Some(f) = family {
                filter = filter.family(f);
            }
            if let Some(d) = &dev {
                filter = filter.dev(d.clone());
            }
            let dump = h.addresses(filter)?;
            let consistent = dump.is_consistent();
            let owned: Vec<netns_core::addr::Address> = dump.map(|a| a.to_owned()).collect();
            let names = names_if(h, !owned.is_empty())?;
            Ok((address_objects(owned, &names), consistent))
        })?;
        crate::errors::warn_if_inconsistent(py, consistent, "addresses")?;
        Ok(addresses)
    }

    /// Every link and every address, as ``(links(), addresses())`` gives
    /// them, in two dumps instead of three: the link dump also names the
    /// addresses' devices (``addresses()`` dumps the links for that).
    fn links_and_addresses(&self, py: Python<'_>) -> PyResult<(Vec<Link>, Vec<Address>)> {
        let (links, addresses, links_consistent, addresses_consistent) = self.with(py, |h| {
            let dump = h.links()?;
            let links_consistent = dump.is_consistent();
            let links: Vec<Link> = dump.map(|l| link_of(&l)).collect();
            let names: BTreeMap<u32, String> =
                links.iter().map(|l| (l.index, l.name.clone())).collect();
            let dump = h.addresses(netns_core::addr::AddressFilter::new())?;
            let addresses_consistent = dump.is_consistent();
            let owned: Vec<netns_core::addr::Address> = dump.map(|a| a.to_owned()).collect();
            Ok((
                links,
                address_objects(owned, &names),
                links_consistent,
                addresses_consistent,
            ))
        })?;
        crate::errors::warn_if_inconsistent(py, links_consistent, "links")?;
        crate::errors::warn_if_inconsistent(py, addresses_consistent, "addresses")?;
        Ok((links, addresses))
    }

    /// Adds many addresses: ``(dev, address)`` pairs (``dev`` a name or an
    /// index; ``address`` as ``address_add`` takes it), in order, in as few
    /// ``send`` calls as possible, with the GIL released. Indexes need no
    /// lookup; each name is looked up once. Every address is parsed first.
    /// Failure as ``links_add``.
    fn addresses_add(&self, py: Python<'_>, addresses: &Bound<'_, PyAny>) -> PyResult<()> {
        let items = each(addresses, |item| {
            let (dev, address): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            Ok((dev_arg(&dev, "dev")?, ip_text(&address, "address")?))
        })?;
        self.with_batch(py, |h| {
            let mut specs = Vec::with_capacity(items.len());
            for (i, (dev, text)) in items.into_iter().enumerate() {
                let net = parse_net(&text).map_err(unsent_entry(i))?;
                specs.push(AddressSpec::new(dev, net));
            }
            h.addresses_add(&specs)
        })
    }
}

/// The arguments of `address_add`/`address_replace`, read while attached.
struct AddressArgs {
    dev: Dev,
    address: String,
    broadcast: Option<String>,
    peer: Option<String>,
    opts: AddressOptions,
}

/// A lifetime: seconds (an int), or ``'forever'``.
fn lifetime_arg(v: &Bound<'_, PyAny>, what: &str) -> PyResult<u32> {
    if let Ok(n) = v.extract::<u32>() {
        return Ok(n);
    }
    match v.extract::<String>() {
        Ok(s) => parse_lifetime(&s)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("{what}: {e}"))),
        Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "{what} must be a number of seconds (int) or 'forever'"
        ))),
    }
}

impl AddressArgs {
    #[allow(clippy::too_many_arguments)]
    fn new(
        dev: &Bound<'_, PyAny>,
        address: &Bound<'_, PyAny>,
        broadcast: Option<&Bound<'_, PyAny>>,
        scope: Option<&Bound<'_, PyAny>>,
        label: Option<String>,
        metric: Option<u32>,
        flags: u32,
    ) -> PyResult<AddressArgs> {
        let mut opts = AddressOptions::default();
        opts.scope = scope
            .map(|s| named_u8(s, "scope", route::parse_scope))
            .transpose()?;
        opts.metric = metric;
        opts.label = label;
        opts.flags = flags;
        Ok(AddressArgs {
            dev: dev_arg(dev, "dev")?,
            address: ip_text(address, "address")?,
            broadcast: broadcast.map(|b| ip_text(b, "broadcast")).transpose()?,
            peer: None,
            opts,
        })
    }

    /// Adds the peer and the lifetimes.
    fn extra(
        mut self,
        peer: Option<&Bound<'_, PyAny>>,
        valid_lft: Option<&Bound<'_, PyAny>>,
        preferred_lft: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<AddressArgs> {
        self.peer = peer.map(|p| ip_text(p, "peer")).transpose()?;
        self.opts.valid_lft = valid_lft
            .map(|v| lifetime_arg(v, "valid_lft"))
            .transpose()?;
        self.opts.preferred_lft = preferred_lft
            .map(|v| lifetime_arg(v, "preferred_lft"))
            .transpose()?;
        Ok(self)
    }

    /// The spec (the addresses parsed; the handle resolves the link).
    fn spec(&self) -> netns_core::Result<AddressSpec> {
        let mut spec = AddressSpec::new(self.dev.clone(), parse_net(&self.address)?);
        spec.options = self.opts.clone();
        if let Some(p) = &self.peer {
            spec.options.peer = Some(parse_net(p)?);
        }
        if let Some(b) = &self.broadcast {
            spec = spec.broadcast(match b.as_str() {
                "+" => Broadcast::HostBitsSet,
                "-" => Broadcast::HostBitsClear,
                other => match parse_ip(other, "broadcast address")? {
                    IpAddr::V4(a) => Broadcast::Explicit(a),
                    IpAddr::V6(_) => {
                        return Err(Error::new(
                            ErrorKind::InvalidArgument,
                            "parse",
                            format!("broadcast address {other:?}"),
                        )
                        .with_detail("a broadcast address is IPv4"))
                    }
                },
            });
        }
        Ok(spec)
    }
}
