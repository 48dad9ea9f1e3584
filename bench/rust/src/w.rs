//! W(N) with netns-core, as fast as the library allows:
//!
//! 1. One worker thread per core creates its share of the namespaces
//!    ([`Registry::add_with_handle`]: `unshare` and the rtnetlink socket on
//!    one short-lived thread, no fork), and through that socket sends, in one
//!    `send`, `lo up` and the veth pair: `eth0` (up) inside the namespace,
//!    its peer `bvI` born in the root namespace (`IFLA_NET_NS_FD` in
//!    `VETH_INFO_PEER`). Neither end is ever moved.
//!    The veth request carries `NLM_F_ECHO`: the kernel's echo gives the
//!    host end's index, so no lookup is needed.
//! 2. In the root namespace: one batch brings the host ends up and one
//!    batch adds their addresses.
//! 3. One dump of every link and every address of the root namespace,
//!    counted.
//! 4. Every namespace deleted (`umount2` + `unlink`) with
//!    [`Registry::delete_many`] (on several threads).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use netns_core::addr::{AddressFilter, AddressSpec, Family, IpNet};
use netns_core::link::{IfIndex, LinkChange, LinkRequest, LinkSpec};
use netns_core::{Handle, NetNs, Registry};

use crate::scale_cpu::{self, cpu_seconds};
use crate::{host_addr, host_name, ns_name, BoxError, Counts, CHUNK, INNER};

/// Runs `work(i)` for every i in 0..n on one thread per core (at most n).
fn on_all_cores(
    n: usize,
    work: impl Fn(usize) -> Result<(), BoxError> + Sync,
) -> Result<(), BoxError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |c| c.get())
        .clamp(1, n.max(1));
    std::thread::scope(|s| {
        let work = &work;
        let workers: Vec<_> = (0..threads)
            .map(|k| s.spawn(move || (k..n).step_by(threads).try_for_each(work)))
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().map_err(|_| BoxError::from("worker panicked"))?)
    })
}

/// Counts the links and addresses of `h`'s namespace (one dump of each);
/// also whether both dumps were consistent (not interrupted on every
/// attempt: IPv6 link-local addresses may still be coming while thousands of
/// links come up).
pub fn count(h: &mut Handle) -> Result<(Counts, bool), BoxError> {
    let links = h.links()?;
    let mut consistent = links.is_consistent();
    let links = links.count();
    let mut ipv4 = 0;
    let mut addresses = 0;
    let dump = h.addresses(AddressFilter::new())?;
    consistent &= dump.is_consistent();
    for a in dump {
        addresses += 1;
        if a.family() == Some(Family::Inet) && !a.ip().is_some_and(|ip| ip.is_loopback()) {
            ipv4 += 1;
        }
    }
    Ok((
        Counts {
            links,
            ipv4,
            addresses,
        },
        consistent,
    ))
}

/// W(n); returns the JSON line.
pub fn run(n: usize) -> Result<String, BoxError> {
    let start = Instant::now();
    let cpu0 = cpu_seconds();
    let reg = Registry::from_env();
    let root = std::sync::Arc::new(NetNs::current()?);
    let names: Vec<String> = (0..n).map(ns_name).collect();
    let hosts: Vec<String> = (0..n).map(host_name).collect();

    // 1. Namespaces, lo up, veth pairs: in parallel. The veth is created
    //    with NLM_F_ECHO: the kernel's echo gives the host end's index.
    let index: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
    on_all_cores(n, |i| {
        let (_ns, mut h) = reg.add_with_handle(&names[i])?;
        let mut created = Vec::with_capacity(2);
        h.links_apply(
            &[
                LinkRequest::SetUp("lo".into(), true),
                LinkRequest::Add(
                    LinkSpec::veth(INNER, &hosts[i])
                        .peer_netns(std::sync::Arc::clone(&root))
                        .up(true),
                ),
            ],
            &mut created,
        )?;
        let peer = created[1]
            .peer
            .ok_or_else(|| format!("no echo for the veth of {}", names[i]))?;
        index[i].store(peer.get(), Ordering::Relaxed);
        Ok(())
    })?;
    let created = start.elapsed();
    let cpu1 = cpu_seconds();

    // 2. Host ends up, with their addresses.
    let mut h = Handle::current()?;
    let index: Vec<IfIndex> = index
        .iter()
        .enumerate()
        .map(|(i, x)| {
            IfIndex::new(x.load(Ordering::Relaxed))
                .ok_or_else(|| format!("host end {} has no index", hosts[i]))
        })
        .collect::<Result<_, _>>()?;
    // In chunks, so that the owned requests never cost memory in
    // proportion to N (the socket sends 128 per datagram anyway).
    for chunk in index.chunks(CHUNK) {
        let ups: Vec<LinkChange<'_>> = chunk
            .iter()
            .map(|&x| LinkChange::new(x.into()).up())
            .collect();
        let requests = ups
            .iter()
            .map(LinkChange::request)
            .collect::<Result<Vec<_>, _>>()?;
        h.socket().batch(&requests)?;
    }
    for (k, chunk) in index.chunks(CHUNK).enumerate() {
        let addrs: Vec<AddressSpec> = chunk
            .iter()
            .enumerate()
            .map(|(i, x)| AddressSpec::new(*x, IpNet::host(host_addr(k * CHUNK + i).into())))
            .collect();
        h.addresses_add(&addrs)?;
    }
    let configured = start.elapsed();
    let cpu2 = cpu_seconds();

    // 3. One dump of everything, counted.
    let (counts, consistent) = count(&mut h)?;
    counts.check(n)?;
    let dumped = start.elapsed();
    let cpu3 = cpu_seconds();
    // The receive buffer grew to the largest dump (the links'): the data.
    let recv_buffer = h.socket().buffer_capacities().1;

    // 4. Every namespace deleted.
    let report = reg.delete_many(&names);
    if let Some((_, e)) = report.failed.into_iter().next() {
        return Err(e.into());
    }
    let seconds = start.elapsed().as_secs_f64();
    let cpu = scale_cpu::json([cpu0, cpu1, cpu2, cpu3, cpu_seconds()]);
    Ok(format!(
        "{{\"impl\": \"netns\", \"n\": {n}, {}, \"consistent\": {consistent}, \"recv_buffer\": {recv_buffer}, \"seconds\": {seconds:.6}, \
         \"phases\": {{\"create\": {:.6}, \"configure\": {:.6}, \"dump\": {:.6}, \"delete\": {:.6}}}, {cpu}}}",
        counts.json(),
        created.as_secs_f64(),
        (configured - created).as_secs_f64(),
        (dumped - configured).as_secs_f64(),
        seconds - dumped.as_secs_f64(),
    ))
}
