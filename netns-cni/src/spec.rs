//! The spec's data: versions, the result (`interfaces`, `ips`, `routes`,
//! `dns`) and its JSON in each supported version.
//!
//! Results are read leniently (any supported version, unknown fields
//! ignored: a `prevResult` from another plugin) and written in the version
//! of the configuration: 0.3.x/0.4.0 results carry `"version": "4"|"6"` in
//! each IP, 1.0.0 does not, 1.1.0 adds interface `mtu` and route
//! `mtu`/`advmss`/`priority`/`table`/`scope`.

use std::fmt;
use std::net::IpAddr;

use netns_core::addr::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{code, CniError, Result};

/// The versions this plugin speaks, oldest first (`VERSION` lists them).
pub const SUPPORTED_VERSIONS: &[&str] = &["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

/// The newest version: the one `VERSION` reports.
pub const CURRENT_VERSION: &str = "1.1.0";

/// A spec version `MAJOR.MINOR.PATCH`, compared numerically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// 0.4.0: the first with CHECK.
    pub const V0_4_0: Version = Version(0, 4, 0);
    /// 1.0.0: IPs lose their `version` field.
    pub const V1_0_0: Version = Version(1, 0, 0);
    /// 1.1.0: GC, STATUS, and the new result fields.
    pub const V1_1_0: Version = Version(1, 1, 0);

    /// Parses `A.B.C`.
    pub fn parse(s: &str) -> Option<Version> {
        let mut it = s.split('.').map(|p| {
            if p.is_empty() || p.len() > 9 || !p.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                p.parse::<u32>().ok()
            }
        });
        let v = Version(it.next()??, it.next()??, it.next()??);
        it.next().is_none().then_some(v)
    }

    /// Checks `s` is one of [`SUPPORTED_VERSIONS`].
    ///
    /// # Errors
    /// Code 1 (incompatible version), listing the supported ones.
    pub fn supported(s: &str) -> Result<Version> {
        match Version::parse(s) {
            Some(v) if SUPPORTED_VERSIONS.contains(&s) => Ok(v),
            _ => Err(
                CniError::new(code::INCOMPATIBLE_VERSION, "incompatible CNI versions")
                    .with_details(format!(
                        "config is {s:?}, plugin supports {SUPPORTED_VERSIONS:?}"
                    )),
            ),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// An address with its prefix length as the spec writes it (`10.1.0.5/24`),
/// host bits kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr(pub IpNet);

impl Serialize for Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Cidr, D::Error> {
        let s = String::deserialize(d)?;
        if !s.contains('/') {
            return Err(serde::de::Error::custom(format!(
                "{s:?} is not an address with a prefix length (like 10.1.0.0/16)"
            )));
        }
        s.parse::<IpNet>()
            .map(Cidr)
            .map_err(|e| serde::de::Error::custom(e.to_string()))
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One interface of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Interface {
    /// The interface name.
    pub name: String,
    /// Its hardware address, `aa:bb:cc:dd:ee:ff`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub mac: String,
    /// Its MTU (1.1.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// The namespace path, for interfaces inside the sandbox.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub sandbox: String,
    /// 1.1.0: a socket path (other plugins' field, passed through).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket_path: Option<String>,
    /// 1.1.0: a PCI id (other plugins' field, passed through).
    #[serde(default, rename = "pciID", skip_serializing_if = "Option::is_none")]
    pub pci_id: Option<String>,
}

/// One address of a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpConfig {
    /// 0.3.x/0.4.0 only: `"4"` or `"6"` (filled in when printing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The index in `interfaces` of the interface holding the address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<usize>,
    /// The address and prefix length.
    pub address: Cidr,
    /// The gateway of its subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
}

/// One route of a result (or of an IPAM configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    /// The destination.
    pub dst: Cidr,
    /// The next hop; none = the gateway of the interface's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gw: Option<IpAddr>,
    /// 1.1.0: the route's MTU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// 1.1.0: the route's advertised MSS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advmss: Option<u32>,
    /// 1.1.0: the route's priority (metric).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    /// 1.1.0: the routing table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<u32>,
    /// 1.1.0: the route's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<u8>,
}

impl Route {
    /// A route to `dst` via `gw`.
    pub fn new(dst: IpNet, gw: Option<IpAddr>) -> Route {
        Route {
            dst: Cidr(dst),
            gw,
            mtu: None,
            advmss: None,
            priority: None,
            table: None,
            scope: None,
        }
    }
}

/// The DNS settings of a result or configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Dns {
    /// Name servers, in priority order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nameservers: Vec<String>,
    /// The local domain.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub domain: String,
    /// Search domains.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search: Vec<String>,
    /// Resolver options.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

impl Dns {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        self.nameservers.is_empty()
            && self.domain.is_empty()
            && self.search.is_empty()
            && self.options.is_empty()
    }
}

/// A result: what ADD made (or an IPAM plugin allocated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CniResult {
    /// The version the result is written in.
    #[serde(default)]
    pub cni_version: String,
    /// Interfaces made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<Interface>,
    /// Addresses given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<IpConfig>,
    /// Routes set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// DNS settings (always printed, `{}` when empty, as the reference
    /// plugins print it).
    #[serde(default)]
    pub dns: Dns,
}

impl CniResult {
    /// Reads a result of any supported version (a `prevResult`, or a
    /// delegated IPAM plugin's output); unknown fields are ignored.
    ///
    /// # Errors
    /// Code 6 (decode) when it is not a result.
    pub fn from_value(v: &serde_json::Value, what: &str) -> Result<CniResult> {
        CniResult::deserialize(v).map_err(|e| {
            CniError::new(code::DECODE, format!("cannot decode {what}")).with_details(e.to_string())
        })
    }

    /// The result as the spec prints it in `version`: IP `version` fields
    /// before 1.0.0, no 1.1.0 fields before 1.1.0.
    pub fn to_json(&self, version: &str) -> serde_json::Value {
        let v = Version::parse(version).unwrap_or(Version::V1_1_0);
        let mut out = self.clone();
        out.cni_version = version.to_string();
        for ip in &mut out.ips {
            ip.version = (v < Version::V1_0_0).then(|| {
                match ip.address.0.addr() {
                    IpAddr::V4(_) => "4",
                    IpAddr::V6(_) => "6",
                }
                .to_string()
            });
        }
        if v < Version::V1_1_0 {
            for i in &mut out.interfaces {
                i.mtu = None;
                i.socket_path = None;
                i.pci_id = None;
            }
            for r in &mut out.routes {
                r.mtu = None;
                r.advmss = None;
                r.priority = None;
                r.table = None;
                r.scope = None;
            }
        }
        serde_json::to_value(&out).unwrap_or(serde_json::Value::Null)
    }

    /// The first gateway among the addresses of interface `index` (or of
    /// any interface when `None`) in the family of `like`.
    pub fn gateway_for(&self, like: &IpAddr, index: Option<usize>) -> Option<IpAddr> {
        self.ips
            .iter()
            .filter(|ip| index.is_none() || ip.interface == index)
            .filter(|ip| ip.address.0.addr().is_ipv4() == like.is_ipv4())
            .find_map(|ip| ip.gateway)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn versions_parse_and_order() {
        assert_eq!(Version::parse("1.1.0"), Some(Version(1, 1, 0)));
        assert!(Version::parse("0.3.1").unwrap() < Version::V0_4_0);
        assert_eq!(Version::parse("1.0"), None);
        assert_eq!(Version::parse("1.0.0.0"), None);
        assert_eq!(Version::parse("a.b.c"), None);
        assert_eq!(Version::parse("-1.0.0"), None);
        assert!(Version::supported("0.4.0").is_ok());
        let e = Version::supported("0.2.0").unwrap_err();
        assert_eq!(e.code, 1);
        assert!(e.details.unwrap().contains("1.1.0"));
    }

    #[test]
    fn results_print_per_version() {
        let r: CniResult = serde_json::from_value(serde_json::json!({
            "cniVersion": "0.4.0",
            "interfaces": [{"name": "eth0", "mac": "02:00:00:00:00:01", "mtu": 1400, "sandbox": "/x"}],
            "ips": [{"version": "4", "interface": 0, "address": "10.1.0.5/24", "gateway": "10.1.0.1"},
                    {"address": "fd00::5/64"}],
            "routes": [{"dst": "0.0.0.0/0", "priority": 5}],
            "somethingElse": true
        }))
        .unwrap();
        let old = r.to_json("0.4.0");
        assert_eq!(old["ips"][0]["version"], "4");
        assert_eq!(old["ips"][1]["version"], "6");
        assert!(old["interfaces"][0].get("mtu").is_none());
        assert!(old["routes"][0].get("priority").is_none());
        assert_eq!(old["dns"], serde_json::json!({}));
        let v1 = r.to_json("1.0.0");
        assert!(v1["ips"][0].get("version").is_none());
        assert_eq!(v1["cniVersion"], "1.0.0");
        let v11 = r.to_json("1.1.0");
        assert_eq!(v11["interfaces"][0]["mtu"], 1400);
        assert_eq!(v11["routes"][0]["priority"], 5);
        assert_eq!(v11["ips"][0]["address"], "10.1.0.5/24");
    }

    #[test]
    fn addresses_need_a_prefix() {
        let bad: std::result::Result<Cidr, _> = serde_json::from_str("\"10.1.0.5\"");
        assert!(bad.is_err());
        let bad: std::result::Result<Cidr, _> = serde_json::from_str("\"10.1.0.5/33\"");
        assert!(bad.is_err());
    }
}
