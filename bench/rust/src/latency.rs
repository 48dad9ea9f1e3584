//! Per-call latency of single operations from Rust: one namespace add
//! (`Registry::add`), one veth with its peer born in that namespace
//! (`Handle::link_add`), one address (`Handle::address_add`); each repeated
//! K times, reported as median and 90th percentile in microseconds.

use std::net::IpAddr;
use std::time::Instant;

use netns_core::addr::{AddressSpec, IpNet};
use netns_core::link::LinkSpec;
use netns_core::{Handle, Registry};

use crate::{host_addr, BoxError};

fn stats(mut v: Vec<f64>) -> String {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "{{\"median_us\": {:.1}, \"p90_us\": {:.1}, \"min_us\": {:.1}}}",
        at(0.5),
        at(0.9),
        v[0]
    )
}

fn micros(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e6
}

/// K rounds of: add a namespace, add a veth into it, add an address to the
/// host end; then everything is deleted (not timed).
pub fn run(k: usize) -> Result<String, BoxError> {
    let reg = Registry::from_env();
    let mut h = Handle::current()?;
    let (mut ns_add, mut veth_add, mut addr_add) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..k {
        let name = format!("lat{i}");
        let host = format!("lv{i}");
        let t = Instant::now();
        let ns = reg.add(&name)?;
        ns_add.push(micros(t));
        let t = Instant::now();
        h.link_add(&LinkSpec::veth(&host, "eth0").peer_netns(ns))?;
        veth_add.push(micros(t));
        let index = h.link_index(&host)?;
        let t = Instant::now();
        h.address_add(&AddressSpec::new(
            index,
            IpNet::host(IpAddr::V4(host_addr(i))),
        ))?;
        addr_add.push(micros(t));
    }
    for i in 0..k {
        reg.delete(&format!("lat{i}"))?;
    }
    Ok(format!(
        "{{\"impl\": \"netns\", \"k\": {k}, \"ns_add\": {}, \"veth_add\": {}, \"addr_add\": {}}}",
        stats(ns_add),
        stats(veth_add),
        stats(addr_add)
    ))
}
