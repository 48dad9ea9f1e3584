//! Python arguments → core values: devices, namespaces, addresses, tables,
//! families and the one-byte route fields, shared by `Handle`'s methods
//! (`handle/`) and the link specs (`specs.rs`). Each error names the
//! argument and the type it was given.

use std::net::IpAddr;
use std::sync::Arc;

use netns_core::addr::{Family, IpNet};
use netns_core::link::{Dev, IfIndex, MacAddr};
use netns_core::route::RouteTable;
use netns_core::{Error, ErrorKind, NetNs};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyInt, PyString};

use crate::namespace::Namespace;

/// `str` (a name) or `int` (an index) → [`Dev`].
pub(crate) fn dev_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Dev> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Dev::Name(s.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyInt>() {
        let i: u32 = obj.extract()?;
        return IfIndex::new(i).map(Dev::Index).ok_or_else(|| {
            PyValueError::new_err(format!("{what}: interface index 0 names no link"))
        });
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be an interface name (str) or index (int), not {}",
        obj.get_type().name()?
    )))
}

/// `str`, or an `ipaddress` object (`IPv4Address`, `IPv4Interface`,
/// `IPv4Network` …), as text.
pub(crate) fn ip_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    let module: String = obj.get_type().getattr("__module__")?.extract()?;
    if module == "ipaddress" {
        return Ok(obj.str()?.to_cow()?.into_owned());
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a str or an ipaddress object, not {}",
        obj.get_type().name()?
    )))
}

pub(crate) fn parse_net(text: &str) -> netns_core::Result<IpNet> {
    text.parse()
}

pub(crate) fn parse_ip(text: &str, what: &'static str) -> netns_core::Result<IpAddr> {
    text.parse().map_err(|_| {
        Error::new(
            ErrorKind::InvalidArgument,
            "parse",
            format!("{what} {text:?}"),
        )
        .with_detail("expected an IPv4 or IPv6 address")
    })
}

pub(crate) fn parse_mac(text: &str) -> netns_core::Result<MacAddr> {
    text.parse()
}

/// `"main"`, `"local"`, `"default"` or a number → a table.
pub(crate) fn table_arg(obj: &Bound<'_, PyAny>) -> PyResult<RouteTable> {
    if obj.is_instance_of::<PyInt>() {
        let id: u32 = obj.extract()?;
        return RouteTable::new(id)
            .ok_or_else(|| PyValueError::new_err("table 0 is not a routing table"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()?
            .parse()
            .map_err(|e: Error| crate::errors::to_py(obj.py(), e));
    }
    Err(PyTypeError::new_err(format!(
        "table must be an int or a name (main, local, default), not {}",
        obj.get_type().name()?
    )))
}

pub(crate) fn family_arg(family: Option<&str>) -> PyResult<Option<Family>> {
    match family {
        None => Ok(None),
        Some("inet" | "ipv4" | "4") => Ok(Some(Family::Inet)),
        Some("inet6" | "ipv6" | "6") => Ok(Some(Family::Inet6)),
        Some(other) => Err(PyValueError::new_err(format!(
            "family must be 'inet' or 'inet6', not {other:?}"
        ))),
    }
}

pub(crate) fn ns_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Arc<NetNs>>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => match o.cast::<Namespace>() {
            Ok(ns) => Ok(Some(ns.get().get()?)),
            Err(_) => Err(PyTypeError::new_err(format!(
                "expected a Namespace, not {}",
                o.get_type().name()?
            ))),
        },
    }
}

/// A name such as ``ip`` prints (parsed by `parse`) or a number, for the
/// one-byte route and address fields.
pub(crate) fn named_u8(
    obj: &Bound<'_, PyAny>,
    what: &str,
    parse: fn(&str) -> Option<u8>,
) -> PyResult<u8> {
    if obj.is_instance_of::<PyInt>() {
        return obj.extract();
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_cow()?;
        return parse(&text)
            .ok_or_else(|| PyValueError::new_err(format!("unknown {what} {text:?}")));
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a name (str) or a number (int), not {}",
        obj.get_type().name()?
    )))
}

/// The entries of an iterable argument, converted by `convert`.
pub(crate) fn each<T>(
    items: &Bound<'_, PyAny>,
    mut convert: impl FnMut(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let mut out = Vec::new();
    for item in items.try_iter()? {
        out.push(convert(&item?)?);
    }
    Ok(out)
}
