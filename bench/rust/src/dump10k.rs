//! Dumps of many neighbours and many routes (bench/events.py drives it):
//!
//! ```text
//! netns-bench dump10k-setup N   veth nA (up, 10.1.0.1/16, peer nB): N permanent
//!                               neighbours on nA and N routes 10.200.x.y/32 dev nA
//! netns-bench dump10k ROUNDS    ROUNDS dumps of each with netns-core: median
//!                               time, heap allocations of the request and of the
//!                               iteration
//! ```

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use netns_core::addr::{AddressSpec, Family, IpNet};
use netns_core::link::LinkSpec;
use netns_core::neigh::{NeighFilter, NeighSpec};
use netns_core::route::{RouteSpec, RouteTable};
use netns_core::Handle;

use crate::alloc::allocations;
use crate::BoxError;

/// The device every neighbour and route is on.
const DEV: &str = "nA";

/// Neighbour `i`: 10.1.x.y, x.y = i + 2 (10.1.0.1 is nA's own address).
fn neigh_addr(i: usize) -> Ipv4Addr {
    let k = i + 2;
    Ipv4Addr::new(10, 1, (k >> 8) as u8, k as u8)
}

/// Route `i`: 10.200.x.y/32.
fn route_dst(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, 200, (i >> 8) as u8, i as u8)
}

/// Creates the device, `n` permanent neighbours (not subject to the
/// neighbour table's gc_thresh3 limit) and `n` routes (not timed).
pub fn setup(n: usize) -> Result<String, BoxError> {
    if n > 65_000 {
        return Err("at most 65,000 entries".into());
    }
    let mut h = Handle::current()?;
    h.links_add(&[LinkSpec::veth(DEV, "nB")])?;
    h.link_set_up(DEV.into())?;
    h.addresses_add(&[AddressSpec::new(
        DEV,
        IpNet::new(IpAddr::V4(Ipv4Addr::new(10, 1, 0, 1)), 16)?,
    )])?;
    let specs: Vec<NeighSpec> = (0..n)
        .map(|i| {
            NeighSpec::new(IpAddr::V4(neigh_addr(i)), DEV).mac(vec![
                2,
                0,
                0,
                (i >> 16) as u8,
                (i >> 8) as u8,
                i as u8,
            ])
        })
        .collect();
    h.neighs_add(&specs)?;
    for i in 0..n {
        h.route_add(&RouteSpec::to(IpNet::host(IpAddr::V4(route_dst(i)))).dev(DEV))?;
    }
    Ok(format!(
        "{{\"setup\": \"dump10k\", \"neighbours\": {n}, \"routes\": {n}}}"
    ))
}

/// One dump of the neighbours (IPv4, on nA, every entry read as a caller
/// would); returns (entries, checksum, allocations of the request,
/// allocations of the iteration).
fn neighbours(h: &mut Handle, filter: &NeighFilter) -> Result<(usize, u64, u64, u64), BoxError> {
    let a0 = allocations();
    let dump = h.neighbours(filter)?;
    let a1 = allocations();
    let (mut count, mut sum) = (0, 0u64);
    for n in dump {
        count += 1;
        if let Some(IpAddr::V4(ip)) = n.dst() {
            sum += u64::from(u32::from(ip));
        }
        sum += n.mac().and_then(|m| m.last()).map_or(0, |&b| u64::from(b));
        sum += u64::from(n.state().bits()) + u64::from(n.ifindex());
    }
    let a2 = allocations();
    Ok((count, sum, a1 - a0, a2 - a1))
}

/// One dump of the IPv4 routes of table main, as [`neighbours`] does.
fn routes(h: &mut Handle) -> Result<(usize, u64, u64, u64), BoxError> {
    let a0 = allocations();
    let dump = h.routes(Some(RouteTable::MAIN), Some(Family::Inet))?;
    let a1 = allocations();
    let (mut count, mut sum) = (0, 0u64);
    for r in dump {
        if r.table() != 254 {
            continue;
        }
        count += 1;
        if let Some(net) = r.destination() {
            if let IpAddr::V4(ip) = net.addr() {
                sum += u64::from(u32::from(ip));
            }
        }
        sum += u64::from(r.oif().unwrap_or(0)) + u64::from(r.scope());
    }
    let a2 = allocations();
    Ok((count, sum, a1 - a0, a2 - a1))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `rounds` dumps of each (after one that grows the receive buffer).
pub fn run(rounds: usize) -> Result<String, BoxError> {
    let mut h = Handle::current()?;
    let filter = NeighFilter::new().dev(DEV).family(Family::Inet);
    neighbours(&mut h, &filter)?;
    routes(&mut h)?;
    let (mut nt, mut rt) = (Vec::new(), Vec::new());
    let mut last = ((0, 0, 0, 0), (0, 0, 0, 0));
    let mut sum = 0u64;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let n = neighbours(&mut h, &filter)?;
        nt.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let r = routes(&mut h)?;
        rt.push(t.elapsed().as_secs_f64());
        sum = sum.wrapping_add(n.1).wrapping_add(r.1);
        last = (n, r);
    }
    let ((nc, _, nreq, niter), (rc, _, rreq, riter)) = last;
    Ok(format!(
        "{{\"impl\": \"netns\", \"neighbours\": {nc}, \"routes\": {rc}, \
         \"neigh_seconds\": {:.6}, \"route_seconds\": {:.6}, \"checksum\": {sum}, \
         \"alloc\": {{\"neigh_request\": {nreq}, \"neigh_iteration\": {niter}, \
         \"route_request\": {rreq}, \"route_iteration\": {riter}}}}}",
        median(&mut nt),
        median(&mut rt),
    ))
}
