//! Planning bridges, veths and `lo`: creations, changes, extra links.

use std::collections::HashSet;

use super::{At, LinkState, Planner, Step};
use crate::model::{Place, Veth};
use crate::state::{link_key, Held};
use netns_core::link::MacAddr;
use netns_core::Result;

impl Planner<'_> {
    /// Bridges: created when missing, changed when not as declared.
    pub(super) fn bridges(&mut self) -> Result<()> {
        let seen = self.seen;
        for b in &self.topo.bridges {
            let object = format!("bridge {}", At(&b.netns, &b.name));
            let existing = self.state_of(&b.netns).and_then(|s| s.links.get(&b.name));
            if existing.is_some() && self.link_held(&b.netns, &b.name).is_none() {
                if seen.adopt_all || b.adopt {
                    self.claims
                        .links
                        .insert(link_key(&b.netns, &b.name), Held::Adopted);
                } else {
                    self.conflict(
                        object.clone(),
                        self.not_ours(format!("link {}", At(&b.netns, &b.name)), "created"),
                    );
                    continue;
                }
            }
            match existing {
                None => {
                    self.missing(object);
                    if !self.in_created(&b.netns) {
                        self.claims
                            .links
                            .insert(link_key(&b.netns, &b.name), Held::Created);
                    }
                    self.steps.push(Step::AddBridge {
                        place: b.netns.clone(),
                        name: b.name.clone(),
                        mac: b.mac,
                        mtu: b.mtu,
                    });
                }
                Some(l) if l.kind.as_deref() != Some("bridge") => {
                    return Err(self.refused(format!(
                        "{object}: a link of that name exists and is a {}, not a bridge",
                        l.kind.as_deref().unwrap_or("device of no kind")
                    )))
                }
                Some(l) => {
                    let (mtu, mac) = (
                        b.mtu.filter(|m| Some(*m) != l.mtu),
                        b.mac.filter(|m| Some(*m) != l.mac),
                    );
                    if mtu.is_some() || mac.is_some() || !l.up {
                        self.different(object, link_diff(mtu, mac, None, !l.up));
                        self.steps.push(Step::SetLink {
                            place: b.netns.clone(),
                            name: b.name.clone(),
                            mtu,
                            mac,
                            master: None,
                            up: (!l.up).then_some(true),
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// `lo` in the namespaces that exist: the link changes that bring it to
    /// its declared state (planned with the other link changes).
    pub(super) fn lo_of_existing(&mut self) -> Vec<Step> {
        let mut set_links = Vec::new();
        let topo = self.topo;
        for ns in &topo.namespaces {
            let Some(lo) = self
                .seen
                .states
                .get(&ns.name)
                .and_then(|s| s.links.get("lo"))
            else {
                continue;
            };
            if lo.up != ns.lo_up {
                self.different(
                    format!("link {}", At(&Some(ns.name.clone()), "lo")),
                    if ns.lo_up {
                        "down"
                    } else {
                        "up, declared down"
                    }
                    .to_string(),
                );
                set_links.push(lo_step(&ns.name, ns.lo_up));
            }
        }
        set_links
    }

    /// Veths: created when both ends are missing (their link changes, the
    /// peer's up and master, into `set_links`), changed when not as
    /// declared; refused when one end exists without the other.
    pub(super) fn veths(&mut self, set_links: &mut Vec<Step>) -> Result<()> {
        let seen = self.seen;
        let topo = self.topo;
        for (i, l) in topo.links.iter().enumerate() {
            let object = format!(
                "veth {} <-> {}",
                At(&l.a.netns, &l.a.name),
                At(&l.b.netns, &l.b.name)
            );
            let a = self
                .state_of(&l.a.netns)
                .and_then(|s| s.links.get(&l.a.name));
            let b = self
                .state_of(&l.b.netns)
                .and_then(|s| s.links.get(&l.b.name));
            for (e, st) in [(&l.a, a), (&l.b, b)] {
                if let Some(st) = st {
                    if st.kind.as_deref() != Some("veth") {
                        return Err(self.refused(format!(
                            "link {} exists and is a {}, not a veth",
                            At(&e.netns, &e.name),
                            st.kind.as_deref().unwrap_or("device of no kind")
                        )));
                    }
                }
            }
            let foreign: Vec<&crate::model::End> = [(&l.a, a), (&l.b, b)]
                .into_iter()
                .filter(|(e, st)| st.is_some() && self.link_held(&e.netns, &e.name).is_none())
                .map(|(e, _)| e)
                .collect();
            if let Some(e) = foreign.first() {
                if seen.adopt_all || l.adopt {
                    for e in &foreign {
                        self.claims
                            .links
                            .insert(link_key(&e.netns, &e.name), Held::Adopted);
                    }
                } else {
                    self.conflict(
                        object.clone(),
                        self.not_ours(format!("link {}", At(&e.netns, &e.name)), "created"),
                    );
                    continue;
                }
            }
            match (a, b) {
                (None, None) => {
                    self.missing(object);
                    for e in [&l.a, &l.b] {
                        if !self.in_created(&e.netns) {
                            self.claims
                                .links
                                .insert(link_key(&e.netns, &e.name), Held::Created);
                        }
                    }
                    self.steps.push(Step::AddVeth(i));
                    // The peer: up, and its bridge (the first end gets both in
                    // its creation message; a veth's peer cannot be brought up
                    // in it: the kernel opens it before pairing it, ENOTCONN).
                    set_links.push(Step::SetLink {
                        place: l.b.netns.clone(),
                        name: l.b.name.clone(),
                        mtu: None,
                        mac: None,
                        master: l.b.master.clone().map(Some),
                        up: Some(true),
                    });
                }
                (Some(a), Some(b)) if a.peer == Some(b.index) && b.peer == Some(a.index) => {
                    self.veth_ends(l, [a, b], set_links);
                }
                _ => {
                    return Err(self.refused(format!(
                        "{object}: one end exists without the other as its peer; destroy it first"
                    )))
                }
            }
        }
        Ok(())
    }

    /// The changes that bring both existing ends of veth `l` (`have`, as
    /// read) to their declared MTU, MAC, master and up state.
    fn veth_ends(&mut self, l: &Veth, have: [&LinkState; 2], set_links: &mut Vec<Step>) {
        for (e, st) in [(&l.a, have[0]), (&l.b, have[1])] {
            let names = &self.state_of(&e.netns).map(|s| &s.names);
            let have_master = st
                .master
                .and_then(|m| names.and_then(|n| n.get(&m)).cloned());
            let master = if have_master != e.master {
                Some(e.master.clone())
            } else {
                None
            };
            let mtu = e.mtu.filter(|m| Some(*m) != st.mtu);
            let mac = e.mac.filter(|m| Some(*m) != st.mac);
            if mtu.is_some() || mac.is_some() || master.is_some() || !st.up {
                self.different(
                    format!("link {}", At(&e.netns, &e.name)),
                    link_diff(mtu, mac, master.as_ref(), !st.up),
                );
                set_links.push(Step::SetLink {
                    place: e.netns.clone(),
                    name: e.name.clone(),
                    mtu,
                    mac,
                    master,
                    up: (!st.up).then_some(true),
                });
            }
        }
    }

    /// Extra links inside declared namespaces (reported, never deleted by
    /// apply); none in adopted namespaces.
    pub(super) fn extra_links(&mut self, declared_ifaces: &[(Place, String)]) {
        let declared: HashSet<(Option<&str>, &str)> = declared_ifaces
            .iter()
            .map(|(pl, n)| (pl.as_deref(), n.as_str()))
            .collect();
        let topo = self.topo;
        for ns in &topo.namespaces {
            if self.adopted_ns.contains(&ns.name) {
                continue;
            }
            if let Some(st) = self.seen.states.get(&ns.name) {
                let place = Some(ns.name.clone());
                for name in st.links.keys() {
                    let declared = name == "lo" || declared.contains(&(Some(&ns.name), name));
                    if !declared {
                        self.extra(format!("link {}", At(&place, name)));
                    }
                }
            }
        }
    }
}

/// `lo` of namespace `ns` up (or down).
pub(super) fn lo_step(ns: &str, up: bool) -> Step {
    Step::SetLink {
        place: Some(ns.to_string()),
        name: "lo".to_string(),
        mtu: None,
        mac: None,
        master: None,
        up: Some(up),
    }
}

pub(super) fn link_diff(
    mtu: Option<u32>,
    mac: Option<MacAddr>,
    master: Option<&Option<String>>,
    down: bool,
) -> String {
    let mut v = Vec::new();
    if let Some(m) = mtu {
        v.push(format!("mtu should be {m}"));
    }
    if let Some(m) = mac {
        v.push(format!("address should be {m}"));
    }
    match master {
        Some(Some(b)) => v.push(format!("should be a port of {b}")),
        Some(None) => v.push("should have no master".to_string()),
        None => {}
    }
    if down {
        v.push("down".to_string());
    }
    v.join(", ")
}
