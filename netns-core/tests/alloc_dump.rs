//! Zero heap allocations while iterating a 1,001-link dump: a counting global
//! allocator (this file holds a single test, so no other test thread
//! allocates while it counts).
#![allow(clippy::unwrap_used)]

use netns_core::link::LinkSpec;
use netns_core::Handle;

#[global_allocator]
static GLOBAL: netns_testkit::Counting = netns_testkit::Counting;

use netns_testkit::allocations;

#[test]
fn iterating_a_thousand_link_dump_allocates_nothing() {
    let sb = netns_testkit::sandbox();
    let mut h = Handle::current().unwrap();
    let names: Vec<(String, String)> = (0..500)
        .map(|i| (format!("a{i}"), format!("b{i}")))
        .collect();
    let adds: Vec<LinkSpec> = names.iter().map(|(a, b)| LinkSpec::veth(a, b)).collect();
    h.links_add(&adds).unwrap();

    // First dump: the receive buffer grows to the dump's size.
    let before_first = allocations();
    let first = h.links().unwrap().count();
    let first_dump = allocations() - before_first;
    assert_eq!(first, 1001);

    // Second dump: the buffer is reused; only the request is built.
    let before_dump = allocations();
    let links = h.links().unwrap();
    let dump = allocations() - before_dump;

    let before_iter = allocations();
    let (mut count, mut index_sum, mut name_bytes, mut up, mut mtu_sum, mut macs) =
        (0, 0u64, 0, 0, 0u64, 0);
    for link in links {
        count += 1;
        index_sum += u64::from(link.index().get());
        name_bytes += link.name().len();
        up += usize::from(link.flags().is_up());
        mtu_sum += u64::from(link.mtu().unwrap_or(0));
        macs += usize::from(link.address().is_some_and(|a| a.len() == 6));
        let _ = (
            link.kind(),
            link.operstate(),
            link.link_netnsid(),
            link.master(),
        );
    }
    let during_iteration = allocations() - before_iter;

    eprintln!(
        "allocations: first dump {first_dump} (receive buffer growth + request), \
         later dump {dump} (request only), iteration over {count} links {during_iteration}"
    );
    assert_eq!(count, 1001);
    assert_eq!(macs, 1001);
    assert_eq!(up, 0);
    assert!(index_sum > 0 && name_bytes > 0 && mtu_sum > 0);
    assert_eq!(during_iteration, 0, "iterating the dump allocated");

    for (a, _) in &names {
        h.link_delete(a.as_str().into()).unwrap();
    }
    drop(sb);
}
