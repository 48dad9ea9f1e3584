//! The idempotent forms of neighbour and fdb adds and deletes (see
//! [`crate::ensure`]).

use super::{FdbEntry, FdbQuery, FdbSpec, NeighSpec, NeighState, Neighbour};
use crate::ensure::{self, Compared, Comparison};
use crate::link::{HwAddr, LinkType};
use crate::{ErrorKind, Handle, Result};

fn mac_text(mac: &[u8]) -> String {
    HwAddr::new(LinkType::ETHER, mac).to_string()
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

/// `Gone` for a lookup that found nothing, the comparison otherwise.
fn found<T>(r: Result<T>, compare: impl FnOnce(T) -> Compared) -> Result<Compared> {
    match r {
        Ok(v) => Ok(compare(v)),
        Err(e) if e.kind() == ErrorKind::NotFound && !e.is_lookup() => Ok(Compared::Gone),
        Err(e) => Err(e),
    }
}

impl NeighSpec {
    /// Compares an existing entry with this spec: the link-layer address
    /// (when set), the state (when permanent or noarp: the others change
    /// by themselves), the router and externally-learned flags.
    fn compare(&self, n: &Neighbour) -> Compared {
        let mut c = Comparison::default();
        c.check(
            "lladdr",
            n.mac.as_deref().map(mac_text),
            self.mac.as_deref().map(mac_text),
        );
        if !self.proxy && (self.state == NeighState::PERMANENT || self.state == NeighState::NOARP) {
            c.check(
                "nud",
                Some(n.state.to_string()),
                Some(self.state.to_string()),
            );
        }
        if !self.proxy {
            c.check(
                "router",
                Some(on_off(n.is_router())),
                Some(on_off(self.router)),
            )
            .check(
                "extern_learn",
                Some(on_off(n.flags & super::NTF_EXT_LEARNED != 0)),
                Some(on_off(self.extern_learn)),
            );
        }
        c.outcome()
    }
}

impl FdbSpec {
    /// Compares an existing entry with this spec: remote, port, VNI, VLAN,
    /// state and the sticky and externally-learned flags.
    fn compare(&self, e: &FdbEntry) -> Compared {
        let mut c = Comparison::default();
        c.check("dst", e.dst, self.dst)
            .check("port", e.port, self.port)
            .check("vni", e.vni, self.vni)
            .check("vlan", e.vlan, self.vlan)
            .check("state", Some(e.fdb_state().name()), Some(self.state.name()))
            .check(
                "sticky",
                Some(on_off(e.flags & super::NTF_STICKY != 0)),
                Some(on_off(self.sticky)),
            )
            .check(
                "extern_learn",
                Some(on_off(e.flags & super::NTF_EXT_LEARNED != 0)),
                Some(on_off(self.extern_learn)),
            );
        c.outcome()
    }

    /// The query that finds this entry again.
    fn query(&self) -> FdbQuery {
        let mut q = FdbQuery::dev(self.mac, self.dev.clone());
        q.vlan = self.vlan;
        let flags = self.flags();
        q.self_ = flags & super::NTF_SELF != 0 && !self.master;
        q.master = self.master;
        q
    }
}

impl Handle {
    /// [`Handle::neigh_add`], accepting an identical existing entry: on
    /// `EEXIST` the entry is read back ([`Handle::neigh_get`]) and compared
    /// (link-layer address; state when permanent or noarp; router and
    /// extern_learn flags). Returns whether the entry was added.
    ///
    /// # Errors
    /// As [`Handle::neigh_add`]; [`ErrorKind::AlreadyExists`] naming the
    /// field that differs (`it exists with lladdr 02:…:01, not 02:…:02`).
    #[doc(alias = "exist_ok")]
    pub fn neigh_add_exist_ok(&mut self, spec: &NeighSpec) -> Result<bool> {
        ensure::exist_ok(
            self,
            |h| h.neigh_add(spec),
            |h| {
                found(h.neigh_get(spec.dst, &spec.dev, spec.proxy), |n| {
                    spec.compare(&n)
                })
            },
        )
    }

    /// [`Handle::neigh_del`], accepting an entry that is not there.
    /// Returns whether one was deleted.
    ///
    /// # Errors
    /// As [`Handle::neigh_del`], but for the missing entry.
    #[doc(alias = "missing_ok")]
    pub fn neigh_del_missing_ok(&mut self, spec: &NeighSpec) -> Result<bool> {
        ensure::missing_ok(self.neigh_del(spec))
    }

    /// [`Handle::fdb_add`], accepting an identical existing entry: on
    /// `EEXIST` the entry is read back ([`Handle::fdb_get`]) and compared
    /// (dst, port, vni, vlan, state, sticky, extern_learn). Returns whether
    /// the entry was added.
    ///
    /// # Errors
    /// As [`Handle::fdb_add`]; [`ErrorKind::AlreadyExists`] naming the field
    /// that differs (`it exists with dst 10.0.0.2, not 10.0.0.3`).
    #[doc(alias = "exist_ok")]
    pub fn fdb_add_exist_ok(&mut self, spec: &FdbSpec) -> Result<bool> {
        ensure::exist_ok(
            self,
            |h| h.fdb_add(spec),
            |h| found(h.fdb_get(&spec.query()), |e| spec.compare(&e)),
        )
    }

    /// [`Handle::fdb_del`], accepting an entry that is not there. Returns
    /// whether one was deleted.
    ///
    /// # Errors
    /// As [`Handle::fdb_del`], but for the missing entry.
    #[doc(alias = "missing_ok")]
    pub fn fdb_del_missing_ok(&mut self, spec: &FdbSpec) -> Result<bool> {
        ensure::missing_ok(self.fdb_del(spec))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neigh::FdbState;

    #[test]
    fn fdb_entries_compare_field_by_field() {
        let spec = FdbSpec::new([2, 0, 0, 0, 0, 1], "vx0").dst("10.0.0.2".parse().unwrap());
        let mut e = FdbEntry {
            ifindex: 3,
            mac: vec![2, 0, 0, 0, 0, 1],
            dst: Some("10.0.0.2".parse().unwrap()),
            vlan: None,
            port: None,
            vni: None,
            src_vni: None,
            via: None,
            master: None,
            state: FdbState::Permanent.bits(),
            flags: super::super::NTF_SELF,
        };
        assert_eq!(spec.compare(&e), Compared::Same);
        e.dst = Some("10.0.0.3".parse().unwrap());
        match spec.compare(&e) {
            Compared::Differs(d) => {
                assert_eq!(d.to_string(), "it exists with dst 10.0.0.3, not 10.0.0.2")
            }
            other => panic!("{other:?}"),
        }
        e.dst = Some("10.0.0.2".parse().unwrap());
        e.state = FdbState::Static.bits();
        assert!(matches!(spec.compare(&e), Compared::Differs(d) if d.field == "state"));
    }
}
