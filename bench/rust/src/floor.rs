//! W(N) at the floor: the same netlink messages as [`crate::w`], with only
//! the system calls a named namespace needs and none of the registry's
//! checks, to tell the kernel's cost from netns's. What it leaves out:
//! the run directory's lock (`flock`), its verification (`openat2` with
//! `RESOLVE_BENEATH`), the `MS_SHARED` remount on each add, the checks that
//! the entry is still ours, and the delete's lookups. The run directory is
//! made a shared mount point once, first, as the registry's first add does.
//!
//! Per namespace, on one thread per core: a short-lived thread calls
//! `unshare(CLONE_NEWNET)`, creates `/run/netns/NAME` (`O_CREAT|O_EXCL`,
//! mode 0), bind-mounts `/proc/thread-self/ns/net` onto it and opens the
//! rtnetlink socket; then `lo up` and the veth in one send (as `w`). Then
//! in root the same two batches, the same dump, and `umount2(MNT_DETACH)` +
//! `unlink` of every entry on 8 threads.

use std::ffi::CString;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use netns_core::addr::{AddressSpec, IpNet};
use netns_core::link::{IfIndex, LinkChange, LinkRequest, LinkSpec};
use netns_core::{Handle, NetNs};

use crate::scale_cpu::{self, cpu_seconds};
use crate::{host_addr, host_name, ns_name, BoxError, CHUNK, INNER};

const RUN_DIR: &str = "/run/netns";

fn check(what: &str, rc: libc::c_int) -> Result<(), BoxError> {
    if rc < 0 {
        return Err(format!("{what}: {}", std::io::Error::last_os_error()).into());
    }
    Ok(())
}

fn c(s: &str) -> CString {
    CString::new(s).unwrap_or_default()
}

/// `mount(source, target, NULL, flags, NULL)`.
fn mount(source: &str, target: &str, flags: libc::c_ulong) -> Result<(), BoxError> {
    let (s, t) = (c(source), c(target));
    // SAFETY: NUL-terminated strings that outlive the call; no data argument.
    let rc = unsafe {
        libc::mount(
            s.as_ptr(),
            t.as_ptr(),
            std::ptr::null(),
            flags,
            std::ptr::null(),
        )
    };
    check(&format!("mount {target}"), rc)
}

/// The run directory as a shared mount point with a peer group of its own
/// (bind onto itself, private, shared), once.
fn prepare_run_dir() -> Result<(), BoxError> {
    std::fs::create_dir_all(RUN_DIR)?;
    mount(RUN_DIR, RUN_DIR, libc::MS_BIND | libc::MS_REC)?;
    mount("none", RUN_DIR, libc::MS_PRIVATE | libc::MS_REC)?;
    mount("none", RUN_DIR, libc::MS_SHARED | libc::MS_REC)
}

/// A new namespace named `name`, and a handle on it, from a short-lived
/// thread.
fn add(name: &str) -> Result<Handle, BoxError> {
    let path = format!("{RUN_DIR}/{name}");
    std::thread::scope(|s| {
        s.spawn(|| {
            let file = c(&path);
            // SAFETY: a NUL-terminated path; the descriptor is closed below.
            let fd = unsafe {
                libc::open(
                    file.as_ptr(),
                    libc::O_RDONLY | libc::O_CREAT | libc::O_EXCL | libc::O_CLOEXEC,
                    0,
                )
            };
            check("create", fd)?;
            // SAFETY: fd was just opened here.
            unsafe { libc::close(fd) };
            // SAFETY: changes only this short-lived thread's namespace.
            check("unshare", unsafe { libc::unshare(libc::CLONE_NEWNET) })?;
            mount("/proc/thread-self/ns/net", &path, libc::MS_BIND)?;
            Ok(Handle::current()?)
        })
        .join()
        .map_err(|_| BoxError::from("add thread panicked"))?
    })
}

/// Unmounts and unlinks `name`.
fn delete(name: &str) -> Result<(), BoxError> {
    let path = c(&format!("{RUN_DIR}/{name}"));
    // SAFETY: a NUL-terminated path.
    check("umount2", unsafe {
        libc::umount2(path.as_ptr(), libc::MNT_DETACH)
    })?;
    // SAFETY: a NUL-terminated path.
    check("unlink", unsafe { libc::unlink(path.as_ptr()) })
}

/// Runs `work(i)` for i in 0..n on `threads` threads.
fn on_threads(
    n: usize,
    threads: usize,
    work: impl Fn(usize) -> Result<(), BoxError> + Sync,
) -> Result<(), BoxError> {
    let threads = threads.clamp(1, n.max(1));
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

/// W(n) at the floor; returns the JSON line.
pub fn run(n: usize) -> Result<String, BoxError> {
    let start = Instant::now();
    let cpu0 = cpu_seconds();
    prepare_run_dir()?;
    let root = std::sync::Arc::new(NetNs::current()?);
    let names: Vec<String> = (0..n).map(ns_name).collect();
    let hosts: Vec<String> = (0..n).map(host_name).collect();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());

    let index: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
    on_threads(n, cores, |i| {
        let mut h = add(&names[i])?;
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

    let mut h = Handle::current()?;
    let index: Vec<IfIndex> = index
        .iter()
        .map(|x| IfIndex::new(x.load(Ordering::Relaxed)).ok_or("a host end has no index"))
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

    let (counts, consistent) = crate::w::count(&mut h)?;
    counts.check(n)?;
    let dumped = start.elapsed();
    let cpu3 = cpu_seconds();
    // The receive buffer grew to the largest dump (the links'): the data.
    let recv_buffer = h.socket().buffer_capacities().1;

    on_threads(n, 8, |i| delete(&names[i]))?;
    let seconds = start.elapsed().as_secs_f64();
    let cpu = scale_cpu::json([cpu0, cpu1, cpu2, cpu3, cpu_seconds()]);
    Ok(format!(
        "{{\"impl\": \"floor\", \"n\": {n}, {}, \"consistent\": {consistent}, \"recv_buffer\": {recv_buffer}, \"seconds\": {seconds:.6}, \
         \"phases\": {{\"create\": {:.6}, \"configure\": {:.6}, \"dump\": {:.6}, \"delete\": {:.6}}}, {cpu}}}",
        counts.json(),
        created.as_secs_f64(),
        (configured - created).as_secs_f64(),
        (dumped - configured).as_secs_f64(),
        seconds - dumped.as_secs_f64(),
    ))
}
