//! The built-in IPAM: the reference `host-local` plugin's configuration
//! (`ranges`, the legacy `subnet`/`rangeStart`/`rangeEnd`/`gateway`,
//! `routes`, `dataDir`, `resolvConf`) and allocation order (per range set,
//! round-robin after `last_reserved_ip.N`, skipping the gateway), on the
//! same store ([`super::store`]).

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use netns_core::addr::IpNet;
use serde::Deserialize;
use serde_json::Value;

use super::store::Store;
use crate::config::{invalid, ValidAttachment};
use crate::error::{code, CniError, Result};
use crate::spec::{Cidr, CniResult, Dns, IpConfig, Route};

/// Where allocations live when `dataDir` is not given (host-local's default).
pub const DEFAULT_DATA_DIR: &str = "/var/lib/cni/networks";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRange {
    subnet: Option<String>,
    range_start: Option<String>,
    range_end: Option<String>,
    gateway: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIpam {
    ranges: Option<Vec<Vec<RawRange>>>,
    subnet: Option<String>,
    range_start: Option<String>,
    range_end: Option<String>,
    gateway: Option<String>,
    routes: Option<Vec<Route>>,
    data_dir: Option<String>,
    resolv_conf: Option<String>,
}

/// One range: the addresses `start..=end` of `subnet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    /// The subnet (network address, prefix length).
    pub subnet: IpNet,
    /// The first address given.
    pub start: IpAddr,
    /// The last address given.
    pub end: IpAddr,
    /// The gateway (never given out; the subnet's first address by default).
    pub gateway: IpAddr,
}

/// A checked host-local configuration.
#[derive(Debug, Clone)]
pub struct HostLocal {
    /// Range sets: each attachment gets one address from each.
    pub range_sets: Vec<Vec<Range>>,
    /// Routes put in the result.
    pub routes: Vec<Route>,
    /// `dataDir/NETWORK`: the store.
    pub dir: PathBuf,
    /// DNS read from `resolvConf`.
    pub dns: Dns,
}

fn to_u128(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(u32::from(a)),
        IpAddr::V6(a) => u128::from(a),
    }
}

fn from_u128(like: IpAddr, n: u128) -> IpAddr {
    match like {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(n as u32)),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(n)),
    }
}

fn parse_ip(what: &str, s: &str) -> Result<IpAddr> {
    s.parse()
        .map_err(|_| invalid(format!("invalid {what} {s:?}: not an IP address")))
}

impl Range {
    fn canonical(raw: &RawRange) -> Result<Range> {
        let text = raw
            .subnet
            .as_deref()
            .ok_or_else(|| invalid("a range lacks its subnet"))?;
        if !text.contains('/') {
            return Err(invalid(format!("invalid subnet {text:?}"))
                .with_details("a subnet is ADDRESS/PREFIX-LENGTH"));
        }
        let given: IpNet = text.parse().map_err(|e: netns_core::Error| {
            invalid(format!("invalid subnet {text:?}")).with_details(e.to_string())
        })?;
        let subnet = given.network();
        if given.addr() != subnet.addr() {
            return Err(invalid(format!(
                "network has host bits set: for a subnet mask of length {} the network address is {}",
                subnet.prefix_len(),
                subnet.addr()
            )));
        }
        let max = subnet.family().max_prefix_len();
        if subnet.prefix_len() + 2 > max {
            return Err(invalid(format!(
                "network {subnet} too small to allocate from"
            )));
        }
        let base = to_u128(subnet.addr());
        let host_bits = u32::from(max - subnet.prefix_len());
        let last = base | (u128::MAX >> (128 - host_bits));
        let last = if subnet.addr().is_ipv4() {
            last - 1
        } else {
            last
        };
        let first = from_u128(subnet.addr(), base + 1);
        let last = from_u128(subnet.addr(), last);
        let in_subnet = |what: &str, ip: IpAddr| {
            if subnet.contains(&ip) {
                Ok(ip)
            } else {
                Err(invalid(format!("{what} {ip} not in network {subnet}")))
            }
        };
        let start = match &raw.range_start {
            Some(s) => in_subnet("rangeStart", parse_ip("rangeStart", s)?)?,
            None => first,
        };
        let end = match &raw.range_end {
            Some(s) => in_subnet("rangeEnd", parse_ip("rangeEnd", s)?)?,
            None => last,
        };
        if to_u128(start) > to_u128(end) {
            return Err(invalid(format!(
                "rangeStart {start} is after rangeEnd {end}"
            )));
        }
        let gateway = match &raw.gateway {
            Some(s) => parse_ip("gateway", s)?,
            None => first,
        };
        if gateway.is_ipv4() != subnet.addr().is_ipv4() {
            return Err(invalid(format!(
                "gateway {gateway} is not in the family of {subnet}"
            )));
        }
        Ok(Range {
            subnet,
            start,
            end,
            gateway,
        })
    }

    fn contains(&self, ip: &IpAddr) -> bool {
        ip.is_ipv4() == self.start.is_ipv4()
            && (to_u128(self.start)..=to_u128(self.end)).contains(&to_u128(*ip))
    }

    fn overlaps(&self, other: &Range) -> bool {
        self.contains(&other.start)
            || self.contains(&other.end)
            || other.contains(&self.start)
            || other.contains(&self.end)
    }

    /// How many addresses the range gives (the gateway excluded).
    fn size(&self) -> u128 {
        let n = (to_u128(self.end) - to_u128(self.start)).saturating_add(1);
        n - u128::from(self.contains(&self.gateway))
    }
}

fn set_text(set: &[Range]) -> String {
    set.iter()
        .map(|r| format!("{}-{}", r.start, r.end))
        .collect::<Vec<_>>()
        .join(",")
}

/// The address after `(index, ip)` in `set`, wrapping to the next range.
fn next_in(set: &[Range], (i, ip): (usize, IpAddr)) -> (usize, IpAddr) {
    if to_u128(ip) >= to_u128(set[i].end) {
        let n = (i + 1) % set.len();
        (n, set[n].start)
    } else {
        (i, from_u128(ip, to_u128(ip) + 1))
    }
}

impl HostLocal {
    /// Reads and checks the `ipam` section of network `network`.
    ///
    /// # Errors
    /// Code 7 with what is wrong (host bits in a subnet, a range outside its
    /// subnet, overlapping ranges, no range at all …).
    pub fn parse(ipam: &Value, network: &str) -> Result<HostLocal> {
        let raw: RawIpam = serde_json::from_value(ipam.clone())
            .map_err(|e| invalid("invalid ipam configuration").with_details(e.to_string()))?;
        let mut raw_sets = Vec::new();
        if raw.subnet.is_some() {
            raw_sets.push(vec![RawRange {
                subnet: raw.subnet.clone(),
                range_start: raw.range_start.clone(),
                range_end: raw.range_end.clone(),
                gateway: raw.gateway.clone(),
            }]);
        }
        raw_sets.extend(raw.ranges.unwrap_or_default());
        if raw_sets.is_empty() {
            return Err(invalid("no IP ranges specified"));
        }
        let mut range_sets: Vec<Vec<Range>> = Vec::new();
        for (n, raw_set) in raw_sets.iter().enumerate() {
            if raw_set.is_empty() {
                return Err(invalid(format!("invalid range set {n}: empty range set")));
            }
            let set = raw_set
                .iter()
                .map(Range::canonical)
                .collect::<Result<Vec<_>>>()
                .map_err(|e| e.context(format_args!("invalid range set {n}")))?;
            let v4 = set[0].start.is_ipv4();
            if set.iter().any(|r| r.start.is_ipv4() != v4) {
                return Err(invalid(format!(
                    "invalid range set {n}: mixed address families"
                )));
            }
            for (i, a) in set.iter().enumerate() {
                for b in &set[i + 1..] {
                    if a.overlaps(b) {
                        return Err(invalid(format!(
                            "invalid range set {n}: subnets {} and {} overlap",
                            a.subnet, b.subnet
                        )));
                    }
                }
            }
            for (m, other) in range_sets.iter().enumerate() {
                if other.iter().any(|a| set.iter().any(|b| a.overlaps(b))) {
                    return Err(invalid(format!("range set {m} overlaps with {n}")));
                }
            }
            range_sets.push(set);
        }
        let data_dir = raw.data_dir.unwrap_or_else(|| DEFAULT_DATA_DIR.to_string());
        let dns = match &raw.resolv_conf {
            Some(p) => parse_resolv_conf(Path::new(p))?,
            None => Dns::default(),
        };
        Ok(HostLocal {
            range_sets,
            routes: raw.routes.unwrap_or_default(),
            dir: Path::new(&data_dir).join(network),
            dns,
        })
    }

    /// Allocates one address from each range set for the attachment
    /// (`requested`: addresses asked for with `CNI_ARGS` `IP=`), under the
    /// store's lock. Nothing stays reserved on failure.
    ///
    /// # Errors
    /// Code 102 when the attachment already holds an address; 101 when a
    /// range set is full; 7 for a requested address outside every range or
    /// taken; 5 for store failures.
    pub fn allocate(&self, id: &str, ifname: &str, requested: &[IpAddr]) -> Result<CniResult> {
        let store = Store::open(&self.dir)?;
        let held = store.by_attachment(id, ifname)?;
        for (n, set) in self.range_sets.iter().enumerate() {
            if let Some(ip) = held.iter().find(|ip| set.iter().any(|r| r.contains(ip))) {
                return Err(CniError::new(
                    code::ALREADY_ATTACHED,
                    format!(
                        "failed to allocate for range {n}: {ip} has been allocated to {id}, duplicate allocation is not allowed"
                    ),
                ));
            }
        }
        for ip in requested {
            if !self.range_sets.iter().flatten().any(|r| r.contains(ip)) {
                return Err(invalid(format!(
                    "requested IP address {ip} is not in any range"
                )));
            }
        }
        let mut taken: Vec<IpAddr> = Vec::new();
        let outcome = self.allocate_locked(&store, id, ifname, requested, &mut taken);
        if outcome.is_err() {
            for ip in taken {
                let _ = store.release_ip(ip);
            }
        }
        outcome
    }

    fn allocate_locked(
        &self,
        store: &Store,
        id: &str,
        ifname: &str,
        requested: &[IpAddr],
        taken: &mut Vec<IpAddr>,
    ) -> Result<CniResult> {
        let mut result = CniResult::default();
        for (n, set) in self.range_sets.iter().enumerate() {
            let asked = requested
                .iter()
                .find(|ip| set.iter().any(|r| r.contains(ip)));
            let (range, ip) = match asked {
                Some(ip) => {
                    let r = set.iter().find(|r| r.contains(ip)).unwrap_or(&set[0]);
                    if *ip == r.gateway || !store.reserve(*ip, id, ifname, n)? {
                        return Err(invalid(format!(
                            "requested IP address {ip} is not available in range set {}",
                            set_text(set)
                        )));
                    }
                    (r, *ip)
                }
                None => self.reserve_next(store, set, n, id, ifname)?,
            };
            taken.push(ip);
            let address = IpNet::new(ip, range.subnet.prefix_len()).map_err(CniError::from)?;
            result.ips.push(IpConfig {
                version: None,
                interface: None,
                address: Cidr(address),
                gateway: Some(range.gateway),
            });
        }
        result.routes = self.routes.clone();
        result.dns = self.dns.clone();
        Ok(result)
    }

    /// The next free address of `set` after the last one given, round-robin.
    fn reserve_next<'s>(
        &self,
        store: &Store,
        set: &'s [Range],
        n: usize,
        id: &str,
        ifname: &str,
    ) -> Result<(&'s Range, IpAddr)> {
        let start = match store.last_reserved(n) {
            Some(last) => match set.iter().position(|r| r.contains(&last)) {
                Some(i) => next_in(set, (i, last)),
                None => (0, set[0].start),
            },
            None => (0, set[0].start),
        };
        let mut cur = start;
        loop {
            let range = &set[cur.0];
            if cur.1 != range.gateway && store.reserve(cur.1, id, ifname, n)? {
                return Ok((range, cur.1));
            }
            cur = next_in(set, cur);
            if cur == start {
                return Err(CniError::new(
                    code::NO_ADDRESS,
                    format!("no IP addresses available in range set: {}", set_text(set)),
                ));
            }
        }
    }

    /// Releases the attachment's addresses (none held is fine).
    ///
    /// # Errors
    /// Code 5 for store failures.
    pub fn release(&self, id: &str, ifname: &str) -> Result<()> {
        if !self.dir.exists() {
            return Ok(());
        }
        Store::open(&self.dir)?.release(id, ifname).map(|_| ())
    }

    /// CHECK: the attachment holds an address in every range set.
    ///
    /// # Errors
    /// Code 103 when it does not.
    pub fn check(&self, id: &str, ifname: &str) -> Result<()> {
        let held = if self.dir.exists() {
            Store::open(&self.dir)?.by_attachment(id, ifname)?
        } else {
            Vec::new()
        };
        for (n, set) in self.range_sets.iter().enumerate() {
            if !held.iter().any(|ip| set.iter().any(|r| r.contains(ip))) {
                return Err(CniError::new(
                    code::CHECK_FAILED,
                    format!("failed to find address added by container {id} in range set {n}"),
                ));
            }
        }
        Ok(())
    }

    /// GC: releases every allocation whose attachment is not in `valid`.
    /// Returns the addresses released.
    ///
    /// # Errors
    /// Code 5 for store failures.
    pub fn gc(&self, valid: &BTreeSet<ValidAttachment>) -> Result<Vec<IpAddr>> {
        if !self.dir.exists() {
            return Ok(Vec::new());
        }
        let store = Store::open(&self.dir)?;
        let mut released = Vec::new();
        for a in store.allocations()? {
            let keep = valid.iter().any(|v| {
                v.container_id == a.container_id && (a.ifname.is_empty() || v.ifname == a.ifname)
            });
            if !keep {
                store.release_ip(a.ip)?;
                released.push(a.ip);
            }
        }
        Ok(released)
    }

    /// STATUS: every range set still has a free address.
    ///
    /// # Errors
    /// Code 50 naming the full range set.
    pub fn status(&self) -> Result<()> {
        if !self.dir.exists() {
            return Ok(());
        }
        let held = Store::open(&self.dir)?.allocations()?;
        for set in &self.range_sets {
            let size: u128 = set.iter().map(Range::size).fold(0, u128::saturating_add);
            let used = held
                .iter()
                .filter(|a| set.iter().any(|r| r.contains(&a.ip) && a.ip != r.gateway))
                .count() as u128;
            if used >= size {
                return Err(CniError::new(
                    code::NOT_AVAILABLE,
                    format!("no IP addresses available in range set: {}", set_text(set)),
                ));
            }
        }
        Ok(())
    }
}

/// Reads `nameserver`, `domain`, `search` and `options` lines of a
/// resolv.conf, as host-local's `resolvConf` does.
///
/// # Errors
/// Code 5 when the file cannot be read.
pub fn parse_resolv_conf(path: &Path) -> Result<Dns> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CniError::io(
            format_args!("cannot read resolvConf {}", path.display()),
            &e,
        )
    })?;
    let mut dns = Dns::default();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => dns.nameservers.extend(words.map(str::to_string)),
            Some("domain") => dns.domain = words.next().unwrap_or("").to_string(),
            Some("search") => dns.search = words.map(str::to_string).collect(),
            Some("options") => dns.options.extend(words.map(str::to_string)),
            _ => {}
        }
    }
    Ok(dns)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn conf(v: Value) -> Result<HostLocal> {
        HostLocal::parse(&v, "net1")
    }

    #[test]
    fn canonical_ranges_as_host_local() {
        let h = conf(json!({"type": "host-local", "subnet": "10.22.0.0/24"})).unwrap();
        let r = &h.range_sets[0][0];
        assert_eq!(r.start.to_string(), "10.22.0.1");
        assert_eq!(r.end.to_string(), "10.22.0.254");
        assert_eq!(r.gateway.to_string(), "10.22.0.1");
        assert_eq!(r.size(), 253);
        assert_eq!(h.dir, Path::new("/var/lib/cni/networks/net1"));
        let h = conf(json!({"ranges": [[{"subnet": "fd00::/120", "rangeStart": "fd00::10"}]], "dataDir": "/run/x"})).unwrap();
        assert_eq!(h.range_sets[0][0].end.to_string(), "fd00::ff");
        assert_eq!(h.dir, Path::new("/run/x/net1"));
    }

    #[test]
    fn bad_ranges_are_invalid_config() {
        for (v, words) in [
            (json!({}), "no IP ranges specified"),
            (json!({"subnet": "10.22.0.1/24"}), "host bits set"),
            (json!({"subnet": "10.22.0.0/31"}), "too small"),
            (json!({"subnet": "10.22.0.0"}), "invalid subnet"),
            (json!({"subnet": "nonsense/8"}), "invalid subnet"),
            (
                json!({"subnet": "10.22.0.0/24", "rangeStart": "10.23.0.1"}),
                "not in network",
            ),
            (
                json!({"subnet": "10.22.0.0/24", "rangeStart": "10.22.0.9", "rangeEnd": "10.22.0.3"}),
                "after",
            ),
            (
                json!({"subnet": "10.22.0.0/24", "gateway": "fd00::1"}),
                "family",
            ),
            (
                json!({"ranges": [[{"subnet": "10.1.0.0/16"}, {"subnet": "10.1.2.0/24"}]]}),
                "overlap",
            ),
            (
                json!({"ranges": [[{"subnet": "10.1.0.0/16"}], [{"subnet": "10.1.2.0/24"}]]}),
                "overlaps",
            ),
            (
                json!({"ranges": [[{"subnet": "10.1.0.0/16"}, {"subnet": "fd00::/64"}]]}),
                "mixed",
            ),
            (json!({"ranges": [[]]}), "empty"),
            (json!({"ranges": "x"}), "invalid ipam"),
        ] {
            let e = conf(v.clone()).unwrap_err();
            assert_eq!(e.code, 7, "{v}: {e}");
            assert!(e.msg.contains(words), "{v}: {e}");
        }
    }

    #[test]
    fn allocation_round_robin_skip_gateway_and_exhaustion() {
        let dir = std::env::temp_dir().join(format!("netns-cni-hl-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let h = conf(
            json!({"subnet": "10.9.0.0/29", "dataDir": dir, "routes": [{"dst": "0.0.0.0/0"}]}),
        )
        .unwrap();
        let a = h.allocate("c1", "eth0", &[]).unwrap();
        assert_eq!(a.ips[0].address.to_string(), "10.9.0.2/29");
        assert_eq!(a.ips[0].gateway.unwrap().to_string(), "10.9.0.1");
        assert_eq!(a.routes.len(), 1);
        assert_eq!(h.allocate("c1", "eth0", &[]).unwrap_err().code, 102);
        let b = h.allocate("c2", "eth0", &[]).unwrap();
        assert_eq!(b.ips[0].address.to_string(), "10.9.0.3/29");
        h.release("c1", "eth0").unwrap();
        // Round robin: after .3 comes .4, not the freed .2.
        let c = h.allocate("c3", "eth0", &[]).unwrap();
        assert_eq!(c.ips[0].address.to_string(), "10.9.0.4/29");
        for id in ["c4", "c5", "c6"] {
            h.allocate(id, "eth0", &[]).unwrap();
        }
        // .2 .. .6 taken (.7 is the broadcast, .1 the gateway).
        let e = h.allocate("c7", "eth0", &[]).unwrap_err();
        assert_eq!(e.code, 101, "{e}");
        assert_eq!(h.status().unwrap_err().code, 50);
        h.check("c2", "eth0").unwrap();
        assert_eq!(h.check("c1", "eth0").unwrap_err().code, 103);
        let valid: BTreeSet<ValidAttachment> = [ValidAttachment {
            container_id: "c2".into(),
            ifname: "eth0".into(),
        }]
        .into();
        assert_eq!(h.gc(&valid).unwrap().len(), 4);
        h.status().unwrap();
        let asked: IpAddr = "10.9.0.6".parse().unwrap();
        let d = h.allocate("c8", "eth0", &[asked]).unwrap();
        assert_eq!(d.ips[0].address.0.addr(), asked);
        assert_eq!(h.allocate("c9", "eth0", &[asked]).unwrap_err().code, 7);
        assert_eq!(
            h.allocate("c9", "eth0", &["10.99.0.1".parse().unwrap()])
                .unwrap_err()
                .code,
            7
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
