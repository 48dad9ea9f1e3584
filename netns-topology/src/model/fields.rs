//! Parsing and checking one field: addresses, names, MAC, MTU.

use std::net::IpAddr;
use std::ops::Range;

use toml::Spanned;

use super::diagnostics::Collector;
use super::Place;
use netns_core::addr::IpNet;
use netns_core::link::{validate_link_name, MacAddr};
use netns_core::Error;

pub(super) fn place_of(raw: &Option<Spanned<String>>) -> Place {
    match raw.as_ref().map(|s| s.get_ref().as_str()) {
        None | Some("") | Some("root") => None,
        Some(n) => Some(n.to_string()),
    }
}

/// Sanitized for an nftables table name.
pub(super) fn table_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub(super) fn parse_cidr(c: &mut Collector<'_>, s: &Spanned<String>, path: &str) -> Option<IpNet> {
    let text = s.get_ref();
    if !text.contains('/') {
        c.at(
            s.span(),
            path,
            format!("{text:?} has no prefix length (write it as ADDRESS/LEN, e.g. 10.0.0.1/24)"),
        );
        return None;
    }
    match text.parse::<IpNet>() {
        Ok(n) => Some(n),
        Err(e) => {
            c.at(
                s.span(),
                path,
                format!("{text:?} is not a CIDR address: {}", detail_of(&e)),
            );
            None
        }
    }
}

pub(super) fn detail_of(e: &Error) -> String {
    e.detail()
        .map(str::to_owned)
        .unwrap_or_else(|| e.to_string())
}

pub(super) fn parse_ip(c: &mut Collector<'_>, s: &Spanned<String>, path: &str) -> Option<IpAddr> {
    match s.get_ref().parse::<IpAddr>() {
        Ok(ip) => Some(ip),
        Err(_) => {
            c.at(
                s.span(),
                path,
                format!("{:?} is not an IP address", s.get_ref()),
            );
            None
        }
    }
}

pub(super) fn check_iface(c: &mut Collector<'_>, s: &Spanned<String>, path: &str) {
    if let Err(e) = validate_link_name(s.get_ref()) {
        c.at(
            s.span(),
            path,
            format!("bad interface name {:?}: {}", s.get_ref(), detail_of(&e)),
        );
    }
}

pub(super) fn check_mac(
    c: &mut Collector<'_>,
    s: &Option<Spanned<String>>,
    path: &str,
) -> Option<MacAddr> {
    let s = s.as_ref()?;
    match s.get_ref().parse::<MacAddr>() {
        Ok(m) if m.is_valid_unicast() => Some(m),
        Ok(_) => {
            c.at(
                s.span(),
                path,
                format!("{:?} is not a unicast MAC address", s.get_ref()),
            );
            None
        }
        Err(_) => {
            c.at(
                s.span(),
                path,
                format!("{:?} is not a MAC address", s.get_ref()),
            );
            None
        }
    }
}

pub(super) fn check_mtu(
    c: &mut Collector<'_>,
    s: &Option<Spanned<u32>>,
    path: &str,
) -> Option<u32> {
    let s = s.as_ref()?;
    let v = *s.get_ref();
    if !(68..=65535).contains(&v) {
        c.at(s.span(), path, format!("MTU {v} is outside 68..=65535"));
        return None;
    }
    Some(v)
}

pub(super) fn addresses(
    c: &mut Collector<'_>,
    one: &Option<Spanned<String>>,
    many: &[Spanned<String>],
    path: &str,
) -> Vec<(IpNet, Range<usize>, String)> {
    let mut out = Vec::new();
    if let Some(a) = one {
        let p = format!("{path}.address");
        if let Some(n) = parse_cidr(c, a, &p) {
            out.push((n, a.span(), p));
        }
    }
    for (i, a) in many.iter().enumerate() {
        let p = format!("{path}.addresses[{i}]");
        if let Some(n) = parse_cidr(c, a, &p) {
            out.push((n, a.span(), p));
        }
    }
    out
}

pub(super) fn push_forwarding(sysctls: &mut Vec<(String, String)>, net: &IpNet) {
    let key = match net.family() {
        netns_core::addr::Family::Inet6 => "net.ipv6.conf.all.forwarding",
        _ => "net.ipv4.ip_forward",
    };
    if !sysctls.iter().any(|(k, _)| k == key) {
        sysctls.push((key.to_string(), "1".to_string()));
    }
}
