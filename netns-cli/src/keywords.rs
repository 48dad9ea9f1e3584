//! iproute2's words: how `ip` matches objects, subcommands and global
//! options, as tables in iproute2's own order.
//!
//! `ip` compares a word with each keyword in turn through `matches(word,
//! keyword)` (iproute2 `lib/utils.c`): the word matches when it is a
//! non-empty prefix of the keyword; the first keyword in source order wins.
//! So `ip a` is `address` (the first object), `ip r` `route`, `ip n`
//! `neighbor`, `ip ru` `rule`, `ip l` `link`, `ip link l` `lst` (list) and
//! `ip link s` `set`. A few words are compared whole (`strcmp`): `chg`,
//! `-4`, `-6`, `-0`, `-B`, `-M`.
//!
//! The tables below follow iproute2 6.1.0 (the version `make setup`
//! installs): `cmds[]` and the option loop of `main` in `ip/ip.c`,
//! `do_ipaddr` in `ip/ipaddress.c`, `do_iproute` in `ip/iproute.c`,
//! `do_iplink` in `ip/iplink.c`, `do_netns` in `ip/ipnetns.c`,
//! `do_ipneigh` in `ip/ipneigh.c`, `do_iprule` in `ip/iprule.c`, `do_ipnh` in
//! `ip/ipnexthop.c`, `matches_color` in `lib/color.c`. Read, not copied:
//! only the keywords and their order are iproute2's.

/// iproute2's `matches(prefix, keyword)`, true when it matches: `word` is a
/// non-empty prefix of `keyword`.
pub fn matches(word: &str, keyword: &str) -> bool {
    !word.is_empty() && keyword.starts_with(word)
}

/// How a keyword is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// `matches`: any non-empty prefix.
    Prefix,
    /// `strcmp`: the whole word only.
    Exact,
}

/// One keyword of a table and what it stands for.
#[derive(Debug, Clone, Copy)]
pub struct Entry<T: 'static> {
    /// The keyword as iproute2 spells it.
    pub keyword: &'static str,
    /// Prefix or whole word.
    pub by: By,
    /// What it selects.
    pub value: T,
}

const fn p<T>(keyword: &'static str, value: T) -> Entry<T> {
    Entry {
        keyword,
        by: By::Prefix,
        value,
    }
}

const fn x<T>(keyword: &'static str, value: T) -> Entry<T> {
    Entry {
        keyword,
        by: By::Exact,
        value,
    }
}

/// The first entry of `table` that `word` matches (iproute2's order).
pub fn lookup<T: Copy>(table: &[Entry<T>], word: &str) -> Option<T> {
    table
        .iter()
        .find(|e| match e.by {
            By::Prefix => matches(word, e.keyword),
            By::Exact => word == e.keyword,
        })
        .map(|e| e.value)
}

// ---------------------------------------------------------------- objects

/// An `ip` object (`ip OBJECT …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Object {
    /// `address`.
    Address,
    /// `route`.
    Route,
    /// `rule` (the lead wires it once the core has rules).
    Rule,
    /// `neighbor`/`neighbour` (the lead wires it once the core has neighbours).
    Neigh,
    /// `link`.
    Link,
    /// `netns`.
    Netns,
    /// `nexthop` (pending in the core).
    Nexthop,
    /// `help`.
    Help,
    /// An object `ip` has and netns does not: its keyword.
    Unsupported(&'static str),
}

/// `cmds[]` of `ip/ip.c`, in order.
pub const OBJECTS: &[Entry<Object>] = &[
    p("address", Object::Address),
    p("addrlabel", Object::Unsupported("addrlabel")),
    p("maddress", Object::Unsupported("maddress")),
    p("route", Object::Route),
    p("rule", Object::Rule),
    p("neighbor", Object::Neigh),
    p("neighbour", Object::Neigh),
    p("ntable", Object::Unsupported("ntable")),
    p("ntbl", Object::Unsupported("ntable")),
    p("link", Object::Link),
    p("l2tp", Object::Unsupported("l2tp")),
    p("fou", Object::Unsupported("fou")),
    p("ila", Object::Unsupported("ila")),
    p("macsec", Object::Unsupported("macsec")),
    p("tunnel", Object::Unsupported("tunnel")),
    p("tunl", Object::Unsupported("tunnel")),
    p("tuntap", Object::Unsupported("tuntap")),
    p("tap", Object::Unsupported("tuntap")),
    p("token", Object::Unsupported("token")),
    p("tcpmetrics", Object::Unsupported("tcpmetrics")),
    p("tcp_metrics", Object::Unsupported("tcpmetrics")),
    p("monitor", Object::Unsupported("monitor")),
    p("xfrm", Object::Unsupported("xfrm")),
    p("mroute", Object::Unsupported("mroute")),
    p("mrule", Object::Unsupported("mrule")),
    p("netns", Object::Netns),
    p("netconf", Object::Unsupported("netconf")),
    p("vrf", Object::Unsupported("vrf")),
    p("sr", Object::Unsupported("sr")),
    p("nexthop", Object::Nexthop),
    p("mptcp", Object::Unsupported("mptcp")),
    p("ioam", Object::Unsupported("ioam")),
    p("help", Object::Help),
    p("stats", Object::Unsupported("stats")),
];

// ---------------------------------------------------------------- subcommands

/// A subcommand of `ip link`, `ip address`, `ip route`, `ip neigh`,
/// `ip rule` or `ip nexthop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    /// `add`.
    Add,
    /// `set` (link).
    Set,
    /// `change` / `chg`.
    Change,
    /// `replace`.
    Replace,
    /// `prepend` (route).
    Prepend,
    /// `append` (route).
    Append,
    /// `test` (route).
    Test,
    /// `delete`.
    Delete,
    /// `show` / `list` / `lst`.
    Show,
    /// `get`.
    Get,
    /// `flush`.
    Flush,
    /// `save`.
    Save,
    /// `restore`.
    Restore,
    /// `showdump`.
    Showdump,
    /// `xstats` (link).
    Xstats,
    /// `afstats` (link).
    Afstats,
    /// `property` (link).
    Property,
    /// `bucket` (nexthop).
    Bucket,
    /// `help`.
    Help,
}

/// `do_iplink` (`ip/iplink.c`): `set` before `show`, so `ip link s` is set.
pub const LINK_VERBS: &[Entry<Verb>] = &[
    p("add", Verb::Add),
    p("set", Verb::Set),
    p("change", Verb::Change),
    p("replace", Verb::Replace),
    p("delete", Verb::Delete),
    p("show", Verb::Show),
    p("lst", Verb::Show),
    p("list", Verb::Show),
    p("xstats", Verb::Xstats),
    p("afstats", Verb::Afstats),
    p("property", Verb::Property),
    p("help", Verb::Help),
];

/// `do_ipaddr` (`ip/ipaddress.c`).
pub const ADDR_VERBS: &[Entry<Verb>] = &[
    p("add", Verb::Add),
    p("change", Verb::Change),
    x("chg", Verb::Change),
    p("replace", Verb::Replace),
    p("delete", Verb::Delete),
    p("list", Verb::Show),
    p("show", Verb::Show),
    p("lst", Verb::Show),
    p("flush", Verb::Flush),
    p("save", Verb::Save),
    p("showdump", Verb::Showdump),
    p("restore", Verb::Restore),
    p("help", Verb::Help),
];

/// `do_iproute` (`ip/iproute.c`).
pub const ROUTE_VERBS: &[Entry<Verb>] = &[
    p("add", Verb::Add),
    p("change", Verb::Change),
    x("chg", Verb::Change),
    p("replace", Verb::Replace),
    p("prepend", Verb::Prepend),
    p("append", Verb::Append),
    p("test", Verb::Test),
    p("delete", Verb::Delete),
    p("list", Verb::Show),
    p("show", Verb::Show),
    p("lst", Verb::Show),
    p("get", Verb::Get),
    p("flush", Verb::Flush),
    p("save", Verb::Save),
    p("restore", Verb::Restore),
    p("showdump", Verb::Showdump),
    p("help", Verb::Help),
];

/// `do_ipneigh` (`ip/ipneigh.c`), for the lead's `neigh` commands.
pub const NEIGH_VERBS: &[Entry<Verb>] = &[
    p("add", Verb::Add),
    p("change", Verb::Change),
    x("chg", Verb::Change),
    p("replace", Verb::Replace),
    p("delete", Verb::Delete),
    p("get", Verb::Get),
    p("show", Verb::Show),
    p("lst", Verb::Show),
    p("list", Verb::Show),
    p("flush", Verb::Flush),
    p("help", Verb::Help),
];

/// `do_iprule` (`ip/iprule.c`), for the lead's `rule` commands.
pub const RULE_VERBS: &[Entry<Verb>] = &[
    p("list", Verb::Show),
    p("lst", Verb::Show),
    p("show", Verb::Show),
    p("save", Verb::Save),
    p("restore", Verb::Restore),
    p("add", Verb::Add),
    p("delete", Verb::Delete),
    p("flush", Verb::Flush),
    p("help", Verb::Help),
];

/// `do_ipnh` (`ip/ipnexthop.c`), for the lead's `nexthop` commands.
pub const NEXTHOP_VERBS: &[Entry<Verb>] = &[
    p("add", Verb::Add),
    p("replace", Verb::Replace),
    p("delete", Verb::Delete),
    p("list", Verb::Show),
    p("show", Verb::Show),
    p("lst", Verb::Show),
    p("get", Verb::Get),
    p("flush", Verb::Flush),
    p("bucket", Verb::Bucket),
    p("help", Verb::Help),
];

/// A subcommand of `ip netns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetnsVerb {
    /// `list` / `show` / `lst`.
    List,
    /// `list-id`.
    ListId,
    /// `help`.
    Help,
    /// `add`.
    Add,
    /// `set`.
    Set,
    /// `delete`.
    Delete,
    /// `identify`.
    Identify,
    /// `pids`.
    Pids,
    /// `exec`.
    Exec,
    /// `monitor`.
    Monitor,
    /// `attach`.
    Attach,
}

/// `do_netns` (`ip/ipnetns.c`). `list-id` comes after `list`, which it
/// does not match (a word longer than the keyword never matches).
pub const NETNS_VERBS: &[Entry<NetnsVerb>] = &[
    p("list", NetnsVerb::List),
    p("show", NetnsVerb::List),
    p("lst", NetnsVerb::List),
    p("list-id", NetnsVerb::ListId),
    p("help", NetnsVerb::Help),
    p("add", NetnsVerb::Add),
    p("set", NetnsVerb::Set),
    p("delete", NetnsVerb::Delete),
    p("identify", NetnsVerb::Identify),
    p("pids", NetnsVerb::Pids),
    p("exec", NetnsVerb::Exec),
    p("monitor", NetnsVerb::Monitor),
    p("attach", NetnsVerb::Attach),
];

// ---------------------------------------------------------------- global options

/// A global option of `ip` (before the object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalOpt {
    /// `-loops N` (flush loops; takes a value).
    Loops,
    /// `-family FAMILY` (takes a value).
    Family,
    /// `-4`.
    Inet,
    /// `-6`.
    Inet6,
    /// `-0` (link layer).
    Packet,
    /// `-M` (MPLS).
    Mpls,
    /// `-B` (bridge).
    Bridge,
    /// `-human` / `-human-readable`.
    Human,
    /// `-iec`.
    Iec,
    /// `-stats` / `-statistics`.
    Stats,
    /// `-details`.
    Details,
    /// `-resolve`.
    Resolve,
    /// `-oneline`.
    Oneline,
    /// `-timestamp`.
    Timestamp,
    /// `-tshort`.
    Tshort,
    /// `-Version`.
    Version,
    /// `-force`.
    Force,
    /// `-batch FILE` (takes a value).
    Batch,
    /// `-brief`.
    Brief,
    /// `-json`.
    Json,
    /// `-pretty`.
    Pretty,
    /// `-rcvbuf SIZE` (takes a value).
    Rcvbuf,
    /// `-color[=WHEN]` (`matches_color`, tried at this point of the loop).
    Color,
    /// `-help`.
    Help,
    /// `-netns NAME` (takes a value).
    Netns,
    /// `-Numeric`.
    Numeric,
    /// `-all`.
    All,
    /// `-echo` (compared whole).
    Echo,
}

/// The option loop of `main` in `ip/ip.c`, in order (after one leading
/// `-` of a `--word` is dropped, as ip does). So `-b` is `-batch` (before
/// `-brief`), `-br` `-brief`, `-n`/`-net`/`-netns` a namespace, `-h`
/// `-human`, `-a` `-all`, `-c` `-color`, `-f` `-family`, `-fo` `-force`.
pub const GLOBAL_OPTS: &[Entry<GlobalOpt>] = &[
    p("-loops", GlobalOpt::Loops),
    p("-family", GlobalOpt::Family),
    x("-4", GlobalOpt::Inet),
    x("-6", GlobalOpt::Inet6),
    x("-0", GlobalOpt::Packet),
    x("-M", GlobalOpt::Mpls),
    x("-B", GlobalOpt::Bridge),
    p("-human", GlobalOpt::Human),
    p("-human-readable", GlobalOpt::Human),
    p("-iec", GlobalOpt::Iec),
    p("-stats", GlobalOpt::Stats),
    p("-statistics", GlobalOpt::Stats),
    p("-details", GlobalOpt::Details),
    p("-resolve", GlobalOpt::Resolve),
    p("-oneline", GlobalOpt::Oneline),
    p("-timestamp", GlobalOpt::Timestamp),
    p("-tshort", GlobalOpt::Tshort),
    p("-Version", GlobalOpt::Version),
    p("-force", GlobalOpt::Force),
    p("-batch", GlobalOpt::Batch),
    p("-brief", GlobalOpt::Brief),
    p("-json", GlobalOpt::Json),
    p("-pretty", GlobalOpt::Pretty),
    p("-rcvbuf", GlobalOpt::Rcvbuf),
    p("-color", GlobalOpt::Color),
    p("-help", GlobalOpt::Help),
    p("-netns", GlobalOpt::Netns),
    p("-Numeric", GlobalOpt::Numeric),
    p("-all", GlobalOpt::All),
    x("-echo", GlobalOpt::Echo),
];

/// `read_family` (`lib/utils.c`): the words of `-f FAMILY`.
pub fn read_family(word: &str) -> Option<Family> {
    Some(match word {
        "inet" => Family::Inet,
        "inet6" => Family::Inet6,
        "link" => Family::Packet,
        "mpls" => Family::Mpls,
        "bridge" => Family::Bridge,
        _ => return None,
    })
}

/// The protocol family of `-4`, `-6`, `-0`, `-M`, `-B`, `-f FAMILY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `-4`, `-f inet`.
    Inet,
    /// `-6`, `-f inet6`.
    Inet6,
    /// `-0`, `-f link`: link-layer information only.
    Packet,
    /// `-M`, `-f mpls`.
    Mpls,
    /// `-B`, `-f bridge`.
    Bridge,
}

impl Family {
    /// The word `-f` takes for it.
    pub fn word(self) -> &'static str {
        match self {
            Family::Inet => "inet",
            Family::Inet6 => "inet6",
            Family::Packet => "link",
            Family::Mpls => "mpls",
            Family::Bridge => "bridge",
        }
    }
}

// ---------------------------------------------------------------- words inside a command

/// The keyword `word` stands for in `table` (ip's prefix match), or `word`
/// itself (a name, a value, or a keyword compared whole).
pub fn keyword<'a>(table: &[Entry<&'static str>], word: &'a str) -> &'a str {
    lookup(table, word).unwrap_or(word)
}

/// The keywords `iplink_parse` (`ip/iplink.c`) matches by prefix, in its
/// order, among those netns reads (the rest, `up`, `name`, `mtu`, `netns`,
/// `dev` …, ip compares whole). So `ip link set v0 a MAC` is `address`,
/// `t` is `txqueuelen` (before `type`), `m` `master`, `n` `nomaster`.
pub const LINK_WORDS: &[Entry<&str>] = &[
    p("link", "link"),
    p("address", "address"),
    p("txqueuelen", "txqueuelen"),
    p("txqlen", "txqlen"),
    p("master", "master"),
    p("nomaster", "nomaster"),
    p("type", "type"),
];

/// The keywords `ipaddr_modify` (`ip/ipaddress.c`) matches by prefix, in
/// its order, among those netns reads: `b` is `broadcast`, `m` `metric`,
/// `p`/`pri` `priority`, `pre` `preference`.
pub const ADDR_WORDS: &[Entry<&str>] = &[
    p("broadcast", "broadcast"),
    p("metric", "metric"),
    p("priority", "priority"),
    p("preference", "preference"),
];

/// The keywords `iproute_modify` (`ip/iproute.c`) matches by prefix, in its
/// order, among those netns reads: `m` is `metric`, `p`/`pr` `priority`,
/// `pro` `protocol`, `t` `table`.
pub const ROUTE_WORDS: &[Entry<&str>] = &[
    p("metric", "metric"),
    p("priority", "priority"),
    p("protocol", "protocol"),
    p("table", "table"),
];

/// The keywords `iproute_list_flush_or_save` (`ip/iproute.c`) matches by
/// prefix, in its order, among those netns reads.
pub const ROUTE_SHOW_WORDS: &[Entry<&str>] = &[
    p("table", "table"),
    p("protocol", "protocol"),
    p("scope", "scope"),
    p("type", "type"),
    p("metric", "metric"),
    p("priority", "metric"),
];

/// The destination's keywords there, matched by prefix in ip's order:
/// `to`, then `root`, `match`, `exact`.
pub const ROUTE_TO_WORDS: &[Entry<&str>] = &[
    p("to", "to"),
    p("root", "root"),
    p("match", "match"),
    p("exact", "exact"),
];

// ---------------------------------------------------------------- refusals

/// ip's refusal of a subcommand it does not know (`exit(-1)`: 255).
pub(crate) fn unknown(object: &str, word: &str) -> crate::Usage {
    crate::Usage::new(
        format!("Command \"{word}\" is unknown, try \"netns {object} help\"."),
        255,
    )
}

/// A subcommand ip has and netns does not have yet (docs/cli.md): 255.
pub(crate) fn pending(object: &str, word: &str, table: &[Entry<Verb>]) -> crate::Usage {
    let keyword = table
        .iter()
        .find(|e| lookup(std::slice::from_ref(*e), word).is_some())
        .map_or(word, |e| e.keyword);
    crate::Usage::new(
        format!("\"{object} {keyword}\" is not supported by netns yet (docs/cli.md)."),
        255,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_in_iproute2_order_wins() {
        let obj = |w| lookup(OBJECTS, w);
        assert_eq!(obj("a"), Some(Object::Address));
        assert_eq!(obj("addr"), Some(Object::Address));
        assert_eq!(obj("r"), Some(Object::Route));
        assert_eq!(obj("ro"), Some(Object::Route));
        assert_eq!(obj("ru"), Some(Object::Rule));
        assert_eq!(obj("n"), Some(Object::Neigh));
        assert_eq!(obj("net"), Some(Object::Netns));
        assert_eq!(obj("l"), Some(Object::Link));
        assert_eq!(obj("li"), Some(Object::Link));
        assert_eq!(obj("addresses"), None);
        assert_eq!(obj(""), None);
        assert_eq!(lookup(LINK_VERBS, "s"), Some(Verb::Set));
        assert_eq!(lookup(LINK_VERBS, "l"), Some(Verb::Show));
        assert_eq!(lookup(ADDR_VERBS, "s"), Some(Verb::Show));
        assert_eq!(lookup(ADDR_VERBS, "ch"), Some(Verb::Change));
        assert_eq!(lookup(ADDR_VERBS, "chg"), Some(Verb::Change));
        assert_eq!(lookup(ROUTE_VERBS, "a"), Some(Verb::Add));
        assert_eq!(lookup(ROUTE_VERBS, "g"), Some(Verb::Get));
        assert_eq!(lookup(NETNS_VERBS, "l"), Some(NetnsVerb::List));
        assert_eq!(lookup(NETNS_VERBS, "list-id"), Some(NetnsVerb::ListId));
        assert_eq!(lookup(NETNS_VERBS, "d"), Some(NetnsVerb::Delete));
        let opt = |w| lookup(GLOBAL_OPTS, w);
        assert_eq!(opt("-b"), Some(GlobalOpt::Batch));
        assert_eq!(opt("-br"), Some(GlobalOpt::Brief));
        assert_eq!(opt("-n"), Some(GlobalOpt::Netns));
        assert_eq!(opt("-net"), Some(GlobalOpt::Netns));
        assert_eq!(opt("-f"), Some(GlobalOpt::Family));
        assert_eq!(opt("-fo"), Some(GlobalOpt::Force));
        assert_eq!(opt("-s"), Some(GlobalOpt::Stats));
        assert_eq!(opt("-h"), Some(GlobalOpt::Human));
        assert_eq!(opt("-4"), Some(GlobalOpt::Inet));
        assert_eq!(opt("-44"), None);
        assert_eq!(opt("-e"), None);
        assert_eq!(keyword(LINK_WORDS, "a"), "address");
        assert_eq!(keyword(LINK_WORDS, "t"), "txqueuelen");
        assert_eq!(keyword(LINK_WORDS, "ty"), "type");
        assert_eq!(keyword(LINK_WORDS, "veth0"), "veth0");
        assert_eq!(keyword(ADDR_WORDS, "pre"), "preference");
        assert_eq!(keyword(ROUTE_WORDS, "p"), "priority");
        assert_eq!(keyword(ROUTE_WORDS, "pro"), "protocol");
    }
}
