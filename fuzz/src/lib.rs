//! The fuzz targets of netns (kernel replies, topology files, the CLI's
//! command line), as plain functions: the libFuzzer binaries of
//! `fuzz_targets/` call them, and so does the stable corpus replay and
//! mutation loop of `tests/replay.rs`. Each must return, whatever its input,
//! without panicking.

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
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
        if let Ok(topo) = netns_topology::Topology::parse(text, "fuzz.toml") {
            let _ = format!("{topo:?}");
        }
    }
}

/// The `netns` command line: the input split at NUL bytes is an argv (after
/// `netns`; words may hold spaces and bytes that are not UTF-8, kept as
/// `OsString`), given to the CLI's real parser, `netns_cli::parse` (clap,
/// the global options, the word loops of `link`/`addr`/`route`, the
/// `ip netns`-style commands). Checks: no panic; a refusal has a message
/// and an exit status of 0 (help, version), 1 or 255; parsing the same argv
/// twice gives the same result; a parsed invocation rendered back to words
/// (`Invocation::to_args`) parses to the same value, and renders the same
/// again. Then the value parsers, over each word: [`cli_values`].
pub fn cli_words(data: &[u8]) {
    let mut argv: Vec<OsString> = vec![OsString::from("netns")];
    if !data.is_empty() {
        argv.extend(
            data.split(|b| *b == 0)
                .map(|w| OsString::from_vec(w.to_vec())),
        );
    }
    let first = netns_cli::parse(&argv);
    let again = netns_cli::parse(&argv);
    assert!(
        first == again,
        "two parses of {argv:?} differ: {first:?} / {again:?}"
    );
    match first {
        Err(usage) => {
            assert!(
                !usage.message().trim().is_empty(),
                "empty usage message for {argv:?}"
            );
            assert!(
                matches!(usage.status(), 0 | 1 | 255),
                "exit status {} for {argv:?}",
                usage.status()
            );
        }
        Ok(inv) => {
            let words = inv.to_args();
            let back = netns_cli::parse(&words);
            assert!(
                back.as_ref() == Ok(&inv),
                "{argv:?} parsed to {inv:?}, rendered as {words:?}, which parsed to {back:?}"
            );
            if let Ok(back) = back {
                assert_eq!(back.to_args(), words, "rendering of {argv:?} is not stable");
            }
        }
    }
    for word in &argv[1..] {
        cli_values(word.as_bytes());
    }
}

/// The word parsers the CLI's `link`/`addr`/`route` commands and the
/// bindings use, over each word of the input (words split at NUL or
/// whitespace): names, CIDRs, MACs, scopes, protocols, route types and
/// tables, nsids, macvlan modes, numbers. A successful parse must print back
/// to something that parses to the same value.
pub fn cli_values(data: &[u8]) {
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
