//! The dump benchmark: a namespace with P veth pairs (both ends inside, an
//! address on every link), then every link and address listed.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use netns_core::addr::{AddressFilter, AddressSpec, IpNet};
use netns_core::link::LinkSpec;
use netns_core::{Handle, NetNs, Registry};

use crate::alloc::allocations;
use crate::BoxError;

/// The address of link number `k` (1-based) of the dump namespace.
fn link_addr(k: usize) -> Ipv4Addr {
    Ipv4Addr::new(10, (k >> 16) as u8, (k >> 8) as u8, k as u8)
}

/// Creates namespace `name` with `pairs` veth pairs `dA{i}` ↔ `dB{i}` inside
/// it, each end with one IPv4 address (not timed by the driver).
pub fn setup(name: &str, pairs: usize) -> Result<String, BoxError> {
    let reg = Registry::from_env();
    let (_ns, mut h) = reg.add_with_handle(name)?;
    let names: Vec<(String, String)> = (0..pairs)
        .map(|i| (format!("dA{i}"), format!("dB{i}")))
        .collect();
    let adds: Vec<LinkSpec> = names.iter().map(|(a, b)| LinkSpec::veth(a, b)).collect();
    h.links_add(&adds)?;
    let mut addrs = Vec::with_capacity(2 * pairs);
    let mut k = 0;
    for link in h.links()? {
        if link.name() == "lo" {
            continue;
        }
        k += 1;
        addrs.push(AddressSpec::new(
            link.index(),
            IpNet::host(IpAddr::V4(link_addr(k))),
        ));
    }
    h.addresses_add(&addrs)?;
    Ok(format!(
        "{{\"setup\": \"{name}\", \"links\": {}, \"addresses\": {}}}",
        k + 1,
        addrs.len()
    ))
}

/// Lists every link through `h`, reading a few fields of each (as a caller
/// would); returns (links, a checksum the compiler cannot drop).
fn list_links(h: &mut Handle) -> Result<(usize, u64), netns_core::Error> {
    let mut sum = 0u64;
    let mut links = 0;
    for link in h.links()? {
        links += 1;
        sum += u64::from(link.index().get()) + link.name().len() as u64;
        sum += u64::from(link.mtu().unwrap_or(0)) + u64::from(link.flags().bits());
        sum += link
            .address()
            .and_then(|mac| mac.last())
            .map_or(0, |&b| u64::from(b));
    }
    Ok((links, sum))
}

/// Lists every address through `h`, as [`list_links`] does.
fn list_addresses(h: &mut Handle) -> Result<(usize, u64), netns_core::Error> {
    let mut sum = 0u64;
    let mut addresses = 0;
    for a in h.addresses(AddressFilter::new())? {
        addresses += 1;
        if let Some(IpAddr::V4(ip)) = a.ip() {
            sum += u64::from(u32::from(ip));
        }
        sum += u64::from(a.ifindex()) + u64::from(a.prefix_len());
    }
    Ok((addresses, sum))
}

/// The dump with netns-core; also counts the heap allocations of a second
/// dump (buffers already grown), split between the requests (building and
/// receiving) and the iteration over the links and addresses.
pub fn run(name: &str) -> Result<String, BoxError> {
    let start = Instant::now();
    let ns = Registry::from_env().open(name)?;
    // Two sockets in the namespace (opened from one thread), the link dump
    // and the address dump read at once on two threads.
    let mut handles = NetNs::handles(&[&ns, &ns])?;
    let (mut h, mut h2) = match (handles.pop(), handles.pop()) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err("two handles asked, fewer given".into()),
    };
    let (links, addrs) = std::thread::scope(|s| {
        let addrs = s.spawn(|| {
            let t = Instant::now();
            list_addresses(&mut h2).map(|r| (r, t.elapsed().as_secs_f64()))
        });
        let t = Instant::now();
        let links = list_links(&mut h).map(|r| (r, t.elapsed().as_secs_f64()));
        (links, addrs.join())
    });
    let ((links, link_sum), link_seconds) = links?;
    let ((addresses, addr_sum), addr_seconds) = addrs.map_err(|_| "address thread panicked")??;
    let sum = link_sum.wrapping_add(addr_sum);
    let seconds = start.elapsed().as_secs_f64();

    // Allocations of a second dump, once the receive buffer has its size.
    let a0 = allocations();
    let dump = h.links()?;
    let a1 = allocations();
    let mut n = 0u64;
    for link in dump {
        n += u64::from(link.index().get()) + link.name().len() as u64;
    }
    let a2 = allocations();
    let dump = h.addresses(AddressFilter::new())?;
    let a3 = allocations();
    for a in dump {
        n += u64::from(a.ifindex()) + u64::from(a.prefix_len());
    }
    let a4 = allocations();
    std::hint::black_box(n);
    let per_link = (a2 - a1) as f64 / links.max(1) as f64;
    let per_addr = (a4 - a3) as f64 / addresses.max(1) as f64;
    Ok(format!(
        "{{\"impl\": \"netns\", \"links\": {links}, \"addresses\": {addresses}, \
         \"seconds\": {seconds:.6}, \"link_dump_seconds\": {link_seconds:.6}, \
         \"address_dump_seconds\": {addr_seconds:.6}, \"checksum\": {sum}, \
         \"alloc\": {{\"link_dump_request\": {}, \"per_link_iterated\": {per_link}, \
         \"addr_dump_request\": {}, \"per_address_iterated\": {per_addr}}}}}",
        a1 - a0,
        a3 - a2,
    ))
}
