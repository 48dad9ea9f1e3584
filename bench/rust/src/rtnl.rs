//! The rtnetlink 0.24 anchor, written the way its documentation shows: a
//! tokio runtime, `new_connection()` + `tokio::spawn(connection)`,
//! `NetworkNamespace::add`/`del` (which fork a child to create each
//! namespace), builders sent with `.execute().await`, one request at a
//! time. rtnetlink has no handle bound to another namespace; the in-namespace
//! steps use a connection opened on a thread that entered the namespace
//! (`setns`), so no thread of the runtime ever moves.

use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::time::Instant;

use futures_util::stream::TryStreamExt;
use rtnetlink::packet_route::address::AddressScope;
use rtnetlink::packet_route::link::{InfoData, InfoVeth};
use rtnetlink::packet_route::AddressFamily;
use rtnetlink::{new_connection, Handle, LinkUnspec, LinkVeth, NetworkNamespace, NETNS_PATH};

use crate::{host_addr, host_name, ns_name, BoxError, Counts, INNER};

fn runtime() -> Result<tokio::runtime::Runtime, BoxError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?)
}

/// A connection opened inside the namespace at `path`, on a thread that
/// entered it; its socket stays bound there.
/// Must be called inside the runtime.
fn connect_in(path: &str) -> Result<Handle, BoxError> {
    let file = std::fs::File::open(path)?;
    let rt_handle = tokio::runtime::Handle::current();
    let (conn, handle) = std::thread::scope(|s| {
        s.spawn(|| -> Result<_, BoxError> {
            // SAFETY: setns on a valid descriptor, on this short-lived
            // thread only; the runtime's threads never move.
            if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
                return Err(std::io::Error::last_os_error().into());
            }
            let _entered = rt_handle.enter();
            let (conn, handle, _) = new_connection()?;
            Ok((conn, handle))
        })
        .join()
        .map_err(|_| BoxError::from("thread panicked"))?
    })?;
    tokio::spawn(conn);
    Ok(handle)
}

async fn index_of(handle: &Handle, name: &str) -> Result<u32, BoxError> {
    let mut links = handle.link().get().match_name(name.to_string()).execute();
    match links.try_next().await? {
        Some(link) => Ok(link.header.index),
        None => Err(format!("no link {name}").into()),
    }
}

/// W(n) with rtnetlink; returns the JSON line.
pub fn w(n: usize) -> Result<String, BoxError> {
    let start = Instant::now();
    let rt = runtime()?;
    let counts = rt.block_on(async {
        let (conn, handle, _) = new_connection()?;
        tokio::spawn(conn);
        for i in 0..n {
            let ns = ns_name(i);
            let host = host_name(i);
            NetworkNamespace::add(&ns).await?;
            let path = format!("{NETNS_PATH}{ns}");
            let ns_file = std::fs::File::open(&path)?;
            let peer = LinkUnspec::new_with_name(INNER)
                .setns_by_fd(ns_file.as_raw_fd())
                .build();
            let veth = LinkVeth::new(&host, INNER)
                .set_info_data(InfoData::Veth(InfoVeth::Peer(peer)))
                .build();
            handle.link().add(veth).execute().await?;
            let index = index_of(&handle, &host).await?;
            handle
                .address()
                .add(index, IpAddr::V4(host_addr(i)), 32)
                .execute()
                .await?;
            handle
                .link()
                .set(LinkUnspec::new_with_index(index).up().build())
                .execute()
                .await?;
            let inside = connect_in(&path)?;
            for name in ["lo", INNER] {
                inside
                    .link()
                    .set(LinkUnspec::new_with_name(name).up().build())
                    .execute()
                    .await?;
            }
        }
        let counts = count(&handle).await?;
        for i in 0..n {
            NetworkNamespace::del(ns_name(i)).await?;
        }
        Ok::<_, BoxError>(counts)
    })?;
    counts.check(n)?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(format!(
        "{{\"impl\": \"rtnetlink\", \"n\": {n}, {}, \"seconds\": {seconds:.6}}}",
        counts.json()
    ))
}

async fn count(handle: &Handle) -> Result<Counts, BoxError> {
    let mut counts = Counts::default();
    let mut links = handle.link().get().execute();
    while links.try_next().await?.is_some() {
        counts.links += 1;
    }
    let mut addrs = handle.address().get().execute();
    while let Some(a) = addrs.try_next().await? {
        counts.addresses += 1;
        let loopback = a.header.scope == AddressScope::Host;
        if a.header.family == AddressFamily::Inet && !loopback {
            counts.ipv4 += 1;
        }
    }
    Ok(counts)
}

/// The dump with rtnetlink, in namespace `name`; returns the JSON line.
pub fn dump(name: &str) -> Result<String, BoxError> {
    let start = Instant::now();
    let rt = runtime()?;
    let (links, addresses) = rt.block_on(async {
        let handle = connect_in(&format!("{NETNS_PATH}{name}"))?;
        let mut links = 0usize;
        let mut stream = handle.link().get().execute();
        while stream.try_next().await?.is_some() {
            links += 1;
        }
        let mut addresses = 0usize;
        let mut stream = handle.address().get().execute();
        while stream.try_next().await?.is_some() {
            addresses += 1;
        }
        Ok::<_, BoxError>((links, addresses))
    })?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(format!(
        "{{\"impl\": \"rtnetlink\", \"links\": {links}, \"addresses\": {addresses}, \"seconds\": {seconds:.6}}}"
    ))
}
