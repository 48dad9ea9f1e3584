//! One attachment — (network, container id, interface name) — and the names
//! and marks this plugin derives from it: the host end of the veth pair
//! (`vethXXXXXXXX`, from a hash, so DEL and GC find it without state), its
//! alias (`IFLA_IFALIAS`: which attachment owns the link) and the nftables
//! table of its masquerade.

use std::fmt::Write as _;

use netns_core::link::MAX_ALIAS_LEN;

/// The prefix of every alias this plugin sets.
pub const ALIAS_PREFIX: &str = "netns-cni/";

/// The prefix of every nftables table this plugin makes.
pub const TABLE_PREFIX: &str = "netns-cni-";

/// How many host names are tried when one is taken (hash collisions).
pub const NAME_TRIES: u32 = 4;

/// FNV-1a, 64 bits: a stable hash (not `DefaultHasher`, whose output may
/// change between Rust releases and would orphan existing links).
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0xff; // never a byte of UTF-8: parts cannot run together
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in p.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// An attachment of a container to a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attachment<'a> {
    /// The network's name.
    pub network: &'a str,
    /// The container id.
    pub container_id: &'a str,
    /// The interface name inside the container.
    pub ifname: &'a str,
}

/// The 8 hex digits naming a network in aliases and tables.
pub fn network_tag(network: &str) -> String {
    format!("{:08x}", fnv1a(&[network]) as u32)
}

impl<'a> Attachment<'a> {
    /// The attachment.
    pub fn new(network: &'a str, container_id: &'a str, ifname: &'a str) -> Self {
        Attachment {
            network,
            container_id,
            ifname,
        }
    }

    fn hash(&self, salt: u32) -> u64 {
        let salt = salt.to_string();
        fnv1a(&[self.network, self.container_id, self.ifname, &salt])
    }

    /// The host end's name, try `n` (0 first): `veth` and 8 hex digits.
    pub fn host_name(&self, n: u32) -> String {
        format!("veth{:08x}", self.hash(n) as u32)
    }

    /// The alias marking links of this attachment:
    /// `netns-cni/NETTAG/IFNAME/CONTAINERID` (a container id too long for
    /// the kernel's 255 bytes is replaced by `#` and its hash).
    pub fn alias(&self) -> String {
        let mut s = format!(
            "{ALIAS_PREFIX}{}/{}/",
            network_tag(self.network),
            self.ifname
        );
        if s.len() + self.container_id.len() <= MAX_ALIAS_LEN {
            s.push_str(self.container_id);
        } else {
            let _ = write!(s, "#{:016x}", fnv1a(&[self.container_id]));
        }
        s
    }

    /// The prefix of the aliases of every attachment of `network`.
    pub fn network_alias_prefix(network: &str) -> String {
        format!("{ALIAS_PREFIX}{}/", network_tag(network))
    }

    /// The nftables table holding this attachment's masquerade rule.
    pub fn nat_table(&self) -> String {
        format!(
            "{TABLE_PREFIX}{}-{:016x}",
            network_tag(self.network),
            self.hash(0)
        )
    }

    /// The prefix of the tables of every attachment of `network`.
    pub fn network_table_prefix(network: &str) -> String {
        format!("{TABLE_PREFIX}{}-", network_tag(network))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_and_distinct() {
        let a = Attachment::new("net1", "c1", "eth0");
        assert_eq!(
            a.host_name(0),
            Attachment::new("net1", "c1", "eth0").host_name(0)
        );
        assert_eq!(a.host_name(0).len(), 12);
        assert_ne!(a.host_name(0), a.host_name(1));
        assert_ne!(
            a.host_name(0),
            Attachment::new("net1", "c1", "eth1").host_name(0)
        );
        assert_ne!(
            a.host_name(0),
            Attachment::new("net2", "c1", "eth0").host_name(0)
        );
        // No ambiguity between ("ab", "c") and ("a", "bc").
        assert_ne!(
            Attachment::new("n", "ab", "c").host_name(0),
            Attachment::new("n", "a", "bc").host_name(0)
        );
        assert!(a
            .alias()
            .starts_with(&Attachment::network_alias_prefix("net1")));
        assert!(a.alias().ends_with("/eth0/c1"));
        let long = "x".repeat(300);
        let b = Attachment::new("net1", &long, "eth0");
        assert!(b.alias().len() <= MAX_ALIAS_LEN);
        assert!(a
            .nat_table()
            .starts_with(&Attachment::network_table_prefix("net1")));
        assert!(a.nat_table().len() <= 64);
    }
}
