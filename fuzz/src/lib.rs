//! The fuzz targets of netns, as plain functions: the libFuzzer binaries of
//! `fuzz_targets/` call them, and so does the stable corpus replay and
//! mutation loop of `tests/replay.rs`. Each must return, whatever its input,
//! without panicking.

use std::str::FromStr;

use netns_core::addr::IpNet;
use netns_core::link::{MacAddr, MacVlanMode};
use netns_core::route::{parse_protocol, parse_scope, parse_type, RouteTable};
use netns_core::{validate_name, Nsid};

/// The kernel-reply readers of netns-core (framing, `NLMSG_ERROR`/`NLMSG_DONE`
/// with extended-ack TLVs, link/address/route views, the socket's dump,
/// request and batch loops) over datagrams encoded as in
/// `netns_core::fuzzing::datagrams`.
pub fn netlink_reply(data: &[u8]) {
    netns_core::fuzzing::netlink_reply(data);
}

/// `Topology::parse` over the input (when it is UTF-8; the CLI reads files
/// with `read_to_string`, which refuses other bytes first).
pub fn topology(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        netns_core::fuzzing::topology(text);
    }
}

/// The word parsers the CLI's `link`/`addr`/`route` commands and the
/// bindings use, over each word of the input (words split at NUL or
/// whitespace): names, CIDRs, MACs, scopes, protocols, route types and
/// tables, nsids, macvlan modes, numbers. A successful parse must print back
/// to something that parses to the same value.
pub fn cli_words(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for word in text.split(|c: char| c == '\0' || c.is_whitespace()) {
        let _ = validate_name(word);
        if let Ok(net) = IpNet::from_str(word) {
            let back = IpNet::from_str(&net.to_string());
            assert_eq!(back.ok(), Some(net), "IpNet round trip of {word:?}");
            let _ = (net.network(), net.broadcast(), net.is_host());
        }
        if let Ok(mac) = MacAddr::from_str(word) {
            let back = MacAddr::from_str(&mac.to_string());
            assert_eq!(back.ok(), Some(mac), "MacAddr round trip of {word:?}");
        }
        let _ = (parse_scope(word), parse_protocol(word), parse_type(word));
        let _ = RouteTable::from_str(word);
        let _ = Nsid::from_str(word);
        let _ = MacVlanMode::from_name(word);
        let _ = word.parse::<u32>();
    }
}
