//! The events benchmark (bench/events.py drives it): a generator that
//! creates links and addresses as fast as netns-core's batches let the
//! kernel go, and the netns-core receiver ([`NetNs::subscribe`]) that counts
//! what the kernel announces meanwhile.
//!
//! ```text
//! netns-bench events-gen N          N ifb links, then an IPv4 address on each
//! netns-bench events-recv [RCVBUF]  subscribe to link + address, count until idle
//! ```
//!
//! Both run in the same (sandboxed) namespace. Times are `CLOCK_MONOTONIC`
//! seconds, comparable between processes (Python's `time.monotonic`).

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::AsRawFd;
use std::time::Duration;

use netns_core::addr::{AddressSpec, IpNet};
use netns_core::event::{EventGroup, EventRef, ObjectRef};
use netns_core::link::LinkSpec;
use netns_core::{Handle, NetNs};

use crate::{BoxError, CHUNK};

/// `CLOCK_MONOTONIC`, in seconds.
pub fn monotonic() -> f64 {
    // SAFETY: an all-zero timespec is a valid value of this plain C struct.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: `ts` is valid and writable; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

/// User + system CPU seconds of this process (`getrusage(RUSAGE_SELF)`).
fn cpu_seconds() -> f64 {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is valid and writable.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let s = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    s(ru.ru_utime) + s(ru.ru_stime)
}

/// The address of generated link `i`: 10.x.y.z/32 with x.y.z = i + 1.
fn gen_addr(i: usize) -> Ipv4Addr {
    let k = i + 1;
    Ipv4Addr::new(10, (k >> 16) as u8, (k >> 8) as u8, k as u8)
}

/// Creates `n` ifb links `ev{i}` (this kernel has no dummy driver) (down: no IPv6 link-local address, no
/// route), in batches of [`CHUNK`], then one IPv4 address on each, in
/// batches: every link gives one `RTM_NEWLINK`, every address one
/// `RTM_NEWADDR`.
pub fn generate(n: usize) -> Result<String, BoxError> {
    let mut h = Handle::current()?;
    let names: Vec<String> = (0..n).map(|i| format!("ev{i}")).collect();
    let start = monotonic();
    let mut indexes = Vec::with_capacity(n);
    for chunk in names.chunks(CHUNK) {
        let specs: Vec<LinkSpec> = chunk.iter().map(LinkSpec::ifb).collect();
        for created in h.links_add(&specs)? {
            indexes.push(created.index.ok_or("no echo of a created link")?);
        }
    }
    let links_done = monotonic();
    for (c, chunk) in indexes.chunks(CHUNK).enumerate() {
        let specs: Vec<AddressSpec> = chunk
            .iter()
            .enumerate()
            .map(|(j, &index)| {
                AddressSpec::new(index, IpNet::host(IpAddr::V4(gen_addr(c * CHUNK + j))))
            })
            .collect();
        h.addresses_add(&specs)?;
    }
    let end = monotonic();
    Ok(format!(
        "{{\"links\": {n}, \"addresses\": {n}, \"start\": {start:.6}, \"links_done\": {links_done:.6}, \
         \"end\": {end:.6}, \"seconds\": {:.6}}}",
        end - start
    ))
}

/// `SO_RCVBUF` as the kernel reports it (twice what was asked: its
/// bookkeeping overhead included).
fn receive_buffer(fd: i32) -> i64 {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: `v` and `len` are valid and sized for an int option.
    let r = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    if r == 0 {
        i64::from(v)
    } else {
        -1
    }
}

/// Subscribes to links and addresses in this namespace (as `ip monitor
/// link address`), with `rcvbuf` bytes forced (`SO_RCVBUFFORCE`) or the
/// subscription's own default; prints a `ready` line; then counts events
/// in place ([`netns_core::event::Subscription::next_ref`]) until none came
/// for `idle` seconds once the generator has finished (the driver creates
/// the file named by `EVENTS_GEN_DONE` then; without it, `idle` seconds
/// after the first event), or for 120 s before the first.
pub fn receive(rcvbuf: Option<usize>, idle: f64) -> Result<String, BoxError> {
    let mut groups = EventGroup::from_word("link")?;
    groups.extend(EventGroup::from_word("address")?);
    let mut sub = NetNs::current()?.subscribe(&groups)?;
    let fd = sub.as_raw_fd();
    if let Some(size) = rcvbuf {
        let size = libc::c_int::try_from(size)?;
        // SAFETY: a valid int option on a socket we own.
        let r = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUFFORCE,
                (&size as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r != 0 {
            return Err(format!("SO_RCVBUFFORCE: {}", std::io::Error::last_os_error()).into());
        }
    }
    let buffer = receive_buffer(fd);
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{{\"ready\": true, \"rcvbuf\": {buffer}}}")?;
        out.flush()?;
    }
    let cpu0 = cpu_seconds();
    let (mut links, mut addresses, mut other, mut overruns) = (0u64, 0u64, 0u64, 0u64);
    let (mut first, mut last) = (0.0, 0.0);
    let mut sum = 0u64;
    // The RTNL lock is shared by every namespace: another process's work
    // can pause the generator for longer than `idle`.
    let done = std::env::var_os("EVENTS_GEN_DONE").map(std::path::PathBuf::from);
    let generator_done = || done.as_ref().is_none_or(|p| p.exists());
    loop {
        let wait = if first == 0.0 { 120.0 } else { idle };
        let Some(event) = sub.next_ref(Some(Duration::from_secs_f64(wait)))? else {
            if first != 0.0 && !generator_done() {
                continue;
            }
            break;
        };
        let now = monotonic();
        if first == 0.0 {
            first = now;
        }
        last = now;
        match event {
            EventRef::New(o) | EventRef::Del(o) => match o {
                ObjectRef::Link(l) => {
                    links += 1;
                    sum += u64::from(l.index().get()) + l.name().len() as u64;
                }
                ObjectRef::Address(a) => {
                    addresses += 1;
                    sum += u64::from(a.ifindex()) + u64::from(a.prefix_len());
                }
                _ => other += 1,
            },
            EventRef::Overrun => overruns += 1,
            _ => other += 1,
        }
    }
    let cpu = cpu_seconds() - cpu0;
    std::hint::black_box(sum);
    Ok(format!(
        "{{\"impl\": \"netns\", \"received\": {}, \"links\": {links}, \"addresses\": {addresses}, \
         \"other\": {other}, \"overruns\": {overruns}, \"first\": {first:.6}, \"last\": {last:.6}, \
         \"cpu\": {cpu:.6}, \"rcvbuf\": {buffer}}}",
        links + addresses + other
    ))
}
