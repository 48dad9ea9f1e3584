//! Routing policy rules (`ip rule`): add, delete, list, flush
//! (`RTM_*RULE`), IPv4 and IPv6.
//!
//! | method                 | message                                             | `ip` equivalent                          |
//! |------------------------|-----------------------------------------------------|------------------------------------------|
//! | [`Handle::rule_add`]   | `RTM_NEWRULE` + `NLM_F_CREATE│NLM_F_EXCL`            | `ip rule add from 10.0.0.0/8 lookup 100` |
//! | [`Handle::rule_del`]   | `RTM_DELRULE` (what is unset is a wildcard)          | `ip rule del pref 100`                   |
//! | [`Handle::rules`]      | `RTM_GETRULE` dump, family filtered by the kernel    | `ip rule show`, `ip -6 rule show`        |
//! | [`Handle::rule_flush`] | a dump, then batched `RTM_DELRULE`s                  | `ip rule flush`                          |
//!
//! A [`RuleSpec`] is sent as iproute2 sends it: family from its prefixes
//! (IPv4 when none), action `lookup main` when none is given on add, a table
//! id below 256 in `fib_rule_hdr.table` and a larger one in `FRA_TABLE`, no
//! priority unless one is given — the kernel then gives the new rule the
//! priority just below the first rule after priority 0 (32765 on a fresh
//! namespace, then 32764 …), as it does for `ip rule add` without `pref`.
//! With `NLM_F_EXCL` an identical rule is refused with `EEXIST`.
//!
//! Rules are printed as `ip rule show` prints them ([`RuleRef::display`],
//! [`Rule`]'s `Display`): `32766:\tfrom all lookup main`.

use std::fmt;

use netlink_packet_route::route::RouteProtocol;
use netlink_packet_route::rule::{
    RuleAction as PacketAction, RuleAttribute, RuleFlags, RuleMessage, RulePortRange, RuleUidRange,
};
use netlink_packet_route::{IpProtocol, RouteNetlinkMessage};

use crate::addr::{Family, IpNet};
use crate::link::{validate_link_name, Dev, LinkId};
use crate::netlink::uapi::FIB_RULE_INVERT;
use crate::netlink::{Request, NLM_F_CREATE, NLM_F_EXCL};
use crate::route::RouteTable;
use crate::{Error, ErrorKind, Handle, Result};

mod ensure;
#[cfg(test)]
mod tests;
mod view;

pub use view::{Rule, RuleDisplay, RuleRef, Rules};

/// `sizeof(struct fib_rule_hdr)`.
const FIB_RULE_HDR_LEN: usize = 12;

/// `FR_ACT_TO_TBL`.
const FR_ACT_TO_TBL: u8 = 1;
/// `FR_ACT_GOTO`.
const FR_ACT_GOTO: u8 = 2;
/// `FR_ACT_NOP`.
const FR_ACT_NOP: u8 = 3;
/// `FR_ACT_BLACKHOLE`.
const FR_ACT_BLACKHOLE: u8 = 6;
/// `FR_ACT_UNREACHABLE`.
const FR_ACT_UNREACHABLE: u8 = 7;
/// `FR_ACT_PROHIBIT`.
const FR_ACT_PROHIBIT: u8 = 8;

/// What a rule does with a packet it matches (`fib_rule_hdr.action`).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleAction {
    /// `lookup TABLE` (`FR_ACT_TO_TBL`).
    Table(RouteTable),
    /// `goto PRIORITY`: go on at the rule of that priority (`FR_ACT_GOTO`).
    Goto(u32),
    /// `nop` (`FR_ACT_NOP`).
    Nop,
    /// `blackhole`: drop silently (`FR_ACT_BLACKHOLE`).
    Blackhole,
    /// `unreachable`: fail with `ENETUNREACH` (`FR_ACT_UNREACHABLE`).
    Unreachable,
    /// `prohibit`: fail with `EACCES` (`FR_ACT_PROHIBIT`).
    Prohibit,
}

impl RuleAction {
    /// Parses an action word of `ip rule … type`: `blackhole`,
    /// `unreachable`, `prohibit`, `nop` (a table and `goto` take a value:
    /// build [`RuleAction::Table`] and [`RuleAction::Goto`] directly).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for another word.
    pub fn parse_type(word: &str) -> Result<RuleAction> {
        match word {
            "blackhole" => Ok(RuleAction::Blackhole),
            "unreachable" => Ok(RuleAction::Unreachable),
            "prohibit" => Ok(RuleAction::Prohibit),
            "nop" => Ok(RuleAction::Nop),
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                "parse",
                format!("rule type {word:?}"),
            )
            .with_detail("a rule type is blackhole, unreachable, prohibit or nop")),
        }
    }

    /// The action's word as `ip rule` prints it, without its value:
    /// `lookup`, `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`.
    pub fn word(self) -> &'static str {
        match self {
            RuleAction::Table(_) => "lookup",
            RuleAction::Goto(_) => "goto",
            RuleAction::Nop => "nop",
            RuleAction::Blackhole => "blackhole",
            RuleAction::Unreachable => "unreachable",
            RuleAction::Prohibit => "prohibit",
        }
    }

    /// The kernel's `FR_ACT_*` number.
    pub fn to_raw(self) -> u8 {
        match self {
            RuleAction::Table(_) => FR_ACT_TO_TBL,
            RuleAction::Goto(_) => FR_ACT_GOTO,
            RuleAction::Nop => FR_ACT_NOP,
            RuleAction::Blackhole => FR_ACT_BLACKHOLE,
            RuleAction::Unreachable => FR_ACT_UNREACHABLE,
            RuleAction::Prohibit => FR_ACT_PROHIBIT,
        }
    }
}

impl fmt::Display for RuleAction {
    /// As `ip rule` prints it: `lookup main`, `goto 100`, `blackhole` …
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuleAction::Table(t) => write!(f, "lookup {t}"),
            RuleAction::Goto(p) => write!(f, "goto {p}"),
            RuleAction::Nop => f.write_str("nop"),
            RuleAction::Blackhole => f.write_str("blackhole"),
            RuleAction::Unreachable => f.write_str("unreachable"),
            RuleAction::Prohibit => f.write_str("prohibit"),
        }
    }
}

/// A port range of a rule (`sport 80`, `dport 1000-2000`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// The first port.
    pub start: u16,
    /// The last port (equal to `start` for one port).
    pub end: u16,
}

impl PortRange {
    /// One port.
    pub fn single(port: u16) -> PortRange {
        PortRange {
            start: port,
            end: port,
        }
    }

    /// Parses `N` or `N-M` as `ip rule … sport|dport` does.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the text.
    pub fn parse(s: &str) -> Result<PortRange> {
        let bad = || {
            Error::new(
                ErrorKind::InvalidArgument,
                "parse",
                format!("port range {s:?}"),
            )
            .with_detail("expected a port or two ports joined by '-' (1000-2000)")
        };
        let (a, b) = s.split_once('-').unwrap_or((s, s));
        let start = a.parse().map_err(|_| bad())?;
        let end = b.parse().map_err(|_| bad())?;
        Ok(PortRange { start, end })
    }
}

impl fmt::Display for PortRange {
    /// `80` or `1000-2000`, as `ip rule` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// IP protocol numbers by the names `/etc/protocols` gives them, for
/// `ipproto`.
const IP_PROTOCOLS: &[(u8, &str)] = &[
    (1, "icmp"),
    (2, "igmp"),
    (4, "ipencap"),
    (6, "tcp"),
    (17, "udp"),
    (41, "ipv6"),
    (47, "gre"),
    (50, "esp"),
    (51, "ah"),
    (58, "ipv6-icmp"),
    (132, "sctp"),
    (136, "udplite"),
];

/// An IP protocol (`ipproto`) from its `/etc/protocols` name (`tcp`, `udp`,
/// `icmp`, `ipv6-icmp` …) or number, as `ip rule` reads it.
pub fn parse_ipproto(s: &str) -> Option<u8> {
    IP_PROTOCOLS
        .iter()
        .find(|(_, n)| *n == s)
        .map(|(k, _)| *k)
        .or_else(|| s.parse().ok())
}

/// The `/etc/protocols` name of an IP protocol, as `ip rule` prints it
/// (`None`: ip prints the number).
pub fn ipproto_name(proto: u8) -> Option<&'static str> {
    IP_PROTOCOLS
        .iter()
        .find(|(k, _)| *k == proto)
        .map(|(_, n)| *n)
}

/// A routing rule to add or delete (`ip rule add|del SELECTOR ACTION`),
/// owned. Interfaces (`iif`, `oif`) are sent as names, as the kernel
/// matches them: a [`Dev::Name`] as given (the interface need not exist
/// yet), a [`Dev::Index`] looked up in the handle's namespace first.
///
/// On delete, what is unset is a wildcard: `RuleSpec::new().priority(100)`
/// deletes the rule of priority 100, whatever it does.
///
/// # Examples
/// ```
/// use netns_core::route::RouteTable;
/// use netns_core::rule::{RuleAction, RuleSpec};
/// let spec = RuleSpec::new()
///     .from("10.0.0.0/8".parse()?)
///     .action(RuleAction::Table(RouteTable::new(100).unwrap()))
///     .priority(1000);
/// spec.validate()?;
/// assert_eq!(spec.to_string(), "rule pref 1000 from 10.0.0.0/8 lookup 100");
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RuleSpec {
    /// The family; by default that of `from`/`to`, else IPv4 (as `ip rule`
    /// without `-6`).
    pub family: Option<Family>,
    /// `pref N` (`FRA_PRIORITY`); unset on add = chosen by the kernel.
    pub priority: Option<u32>,
    /// `from PREFIX` (`FRA_SRC`).
    pub from: Option<IpNet>,
    /// `to PREFIX` (`FRA_DST`).
    pub to: Option<IpNet>,
    /// `not`: the selector is inverted (`FIB_RULE_INVERT`).
    pub not: bool,
    /// `tos N` (`fib_rule_hdr.tos`).
    pub tos: u8,
    /// `fwmark N` (`FRA_FWMARK`).
    pub fwmark: Option<u32>,
    /// `fwmark N/MASK` (`FRA_FWMASK`).
    pub fwmask: Option<u32>,
    /// `iif NAME` (`FRA_IIFNAME`).
    pub iif: Option<Dev>,
    /// `oif NAME` (`FRA_OIFNAME`).
    pub oif: Option<Dev>,
    /// The action; unset on add = `lookup main`, as `ip rule add`.
    pub action: Option<RuleAction>,
    /// `table N` given with an action other than a lookup (`ip rule add
    /// table 15 prohibit`): the kernel keeps the table (`FRA_TABLE`) and
    /// `ip rule` shows `lookup 15 prohibit`. The builders put a table here
    /// or in [`RuleAction::Table`], whichever the action makes right.
    pub table: Option<RouteTable>,
    /// `suppress_prefixlength N` (`FRA_SUPPRESS_PREFIXLEN`): ignore lookup
    /// results with a prefix this long or shorter.
    pub suppress_prefixlength: Option<u32>,
    /// `ipproto P` (`FRA_IP_PROTO`).
    pub ipproto: Option<u8>,
    /// `sport N[-M]` (`FRA_SPORT_RANGE`).
    pub sport: Option<PortRange>,
    /// `dport N[-M]` (`FRA_DPORT_RANGE`).
    pub dport: Option<PortRange>,
    /// `protocol P` (`FRA_PROTOCOL`): who installed the rule.
    pub protocol: Option<u8>,
    /// `uidrange N-M` (`FRA_UID_RANGE`): sockets of these uids only.
    pub uid_range: Option<(u32, u32)>,
}

impl RuleSpec {
    /// A rule matching everything (`from all`), action `lookup main`.
    pub fn new() -> RuleSpec {
        RuleSpec::default()
    }
    /// Sets the priority.
    pub fn priority(mut self, priority: u32) -> RuleSpec {
        self.priority = Some(priority);
        self
    }
    /// Sets the source prefix.
    pub fn from(mut self, prefix: IpNet) -> RuleSpec {
        self.from = Some(prefix);
        self
    }
    /// Sets the destination prefix.
    pub fn to(mut self, prefix: IpNet) -> RuleSpec {
        self.to = Some(prefix);
        self
    }
    /// Sets the family.
    pub fn family(mut self, family: Family) -> RuleSpec {
        self.family = Some(family);
        self
    }
    /// Sets the action. A table given before stays with the rule, as `ip
    /// rule add table 15 prohibit` keeps it.
    pub fn action(mut self, action: RuleAction) -> RuleSpec {
        if let (Some(RuleAction::Table(t)), false) =
            (self.action, matches!(action, RuleAction::Table(_)))
        {
            self.table = Some(t);
        }
        self.action = Some(action);
        self
    }
    /// `table TABLE`: `lookup TABLE`, or the table kept with an action set
    /// before (`prohibit table 15`).
    pub fn table(mut self, table: RouteTable) -> RuleSpec {
        match self.action {
            None | Some(RuleAction::Table(_)) => self.action = Some(RuleAction::Table(table)),
            Some(_) => self.table = Some(table),
        }
        self
    }
    /// Sets the firewall mark (and mask).
    pub fn fwmark(mut self, mark: u32, mask: Option<u32>) -> RuleSpec {
        self.fwmark = Some(mark);
        self.fwmask = mask;
        self
    }
    /// Sets the input interface.
    pub fn iif(mut self, dev: impl Into<Dev>) -> RuleSpec {
        self.iif = Some(dev.into());
        self
    }
    /// Sets the output interface.
    pub fn oif(mut self, dev: impl Into<Dev>) -> RuleSpec {
        self.oif = Some(dev.into());
        self
    }
    /// Inverts the selector.
    pub fn not(mut self, yes: bool) -> RuleSpec {
        self.not = yes;
        self
    }

    /// The family the rule belongs to: the one given, else that of its
    /// prefixes, else IPv4.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] when they disagree.
    pub fn resolved_family(&self) -> Result<Family> {
        let mut family = self.family;
        for net in [self.from, self.to].iter().flatten() {
            match family {
                Some(f) if f != net.family() => {
                    return Err(
                        Error::new(ErrorKind::InvalidArgument, "use", self.to_string())
                            .with_detail(format!("{net} is not an {} prefix", f.name())),
                    )
                }
                _ => family = Some(net.family()),
            }
        }
        Ok(family.unwrap_or(Family::Inet))
    }

    /// Checks what can be checked without the kernel: the family of the
    /// prefixes, the interface names, the port ranges.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the rule and what is wrong.
    pub fn validate(&self) -> Result<()> {
        self.resolved_family()?;
        let bad = |why: String| {
            Error::new(ErrorKind::InvalidArgument, "use", self.to_string()).with_detail(why)
        };
        for (what, dev) in [("iif", &self.iif), ("oif", &self.oif)] {
            if let Some(Dev::Name(n)) = dev {
                validate_link_name(n).map_err(|e| {
                    bad(format!(
                        "{what} {n:?}: {}",
                        e.detail().unwrap_or("invalid name")
                    ))
                })?;
            }
        }
        for (what, range) in [("sport", self.sport), ("dport", self.dport)] {
            if let Some(r) = range {
                if r.start > r.end {
                    return Err(bad(format!(
                        "{what} {}-{}: the range is reversed",
                        r.start, r.end
                    )));
                }
            }
        }
        if let Some((start, end)) = self.uid_range {
            if start > end {
                return Err(bad(format!(
                    "uidrange {start}-{end}: the range is reversed"
                )));
            }
        }
        if self.fwmask.is_some() && self.fwmark.is_none() {
            return Err(bad("a fwmark mask needs a fwmark".to_owned()));
        }
        Ok(())
    }

    /// The `RTM_NEWRULE` (`delete == false`) or `RTM_DELRULE` message, as
    /// iproute2 builds it, with `names` the interface names of `iif` and
    /// `oif` (resolved by the caller).
    fn message(&self, delete: bool, names: [Option<&str>; 2]) -> Result<RuleMessage> {
        let family = self.resolved_family()?;
        let mut msg = RuleMessage::default();
        msg.header.family = family.to_packet();
        let action = match (self.action, delete) {
            (Some(a), _) => Some(a),
            (None, false) => Some(RuleAction::Table(RouteTable::MAIN)),
            (None, true) => None,
        };
        // ip: on delete, `table N` leaves the action a wildcard.
        msg.header.action = match (action, delete) {
            (Some(RuleAction::Table(_)), true) | (None, _) => PacketAction::Unspec,
            (Some(a), _) => PacketAction::from(a.to_raw()),
        };
        if self.not {
            msg.header.flags = RuleFlags::from_bits_retain(FIB_RULE_INVERT);
        }
        msg.header.tos = self.tos;
        let a = &mut msg.attributes;
        if let Some(n) = self.from {
            msg.header.src_len = n.prefix_len();
            a.push(RuleAttribute::Source(n.addr()));
        }
        if let Some(n) = self.to {
            msg.header.dst_len = n.prefix_len();
            a.push(RuleAttribute::Destination(n.addr()));
        }
        if let Some(p) = self.priority {
            a.push(RuleAttribute::Priority(p));
        }
        if let Some(m) = self.fwmark {
            a.push(RuleAttribute::FwMark(m));
        }
        if let Some(m) = self.fwmask {
            a.push(RuleAttribute::FwMask(m));
        }
        if let Some(p) = self.protocol {
            a.push(RuleAttribute::Protocol(RouteProtocol::from(p)));
        }
        match action {
            Some(RuleAction::Table(t)) => match u8::try_from(t.id()) {
                Ok(id) => msg.header.table = id,
                Err(_) => a.push(RuleAttribute::Table(t.id())),
            },
            Some(RuleAction::Goto(p)) => a.push(RuleAttribute::Goto(p)),
            _ => {}
        }
        if let (Some(t), false) = (self.table, matches!(action, Some(RuleAction::Table(_)))) {
            match u8::try_from(t.id()) {
                Ok(id) => msg.header.table = id,
                Err(_) => a.push(RuleAttribute::Table(t.id())),
            }
        }
        if let Some(p) = self.suppress_prefixlength {
            a.push(RuleAttribute::SuppressPrefixLen(p));
        }
        let [iif, oif] = names;
        if let Some(n) = iif {
            a.push(RuleAttribute::Iifname(n.to_owned()));
        }
        if let Some(n) = oif {
            a.push(RuleAttribute::Oifname(n.to_owned()));
        }
        if let Some(p) = self.ipproto {
            a.push(RuleAttribute::IpProtocol(IpProtocol::from(p)));
        }
        if let Some(r) = self.sport {
            a.push(RuleAttribute::SourcePortRange(RulePortRange {
                start: r.start,
                end: r.end,
            }));
        }
        if let Some(r) = self.dport {
            a.push(RuleAttribute::DestinationPortRange(RulePortRange {
                start: r.start,
                end: r.end,
            }));
        }
        if let Some((start, end)) = self.uid_range {
            a.push(RuleAttribute::UidRange(RuleUidRange { start, end }));
        }
        Ok(msg)
    }
}

impl fmt::Display for RuleSpec {
    /// How errors name the rule, in `ip rule`'s words: `rule pref 100 from
    /// 10.0.0.0/8 lookup 100` (what is unset is left out; `from all` when
    /// nothing selects).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rule")?;
        if let Some(p) = self.priority {
            write!(f, " pref {p}")?;
        }
        if self.not {
            f.write_str(" not")?;
        }
        match self.from {
            Some(n) => write!(f, " from {n}")?,
            None if self.to.is_none()
                && self.iif.is_none()
                && self.oif.is_none()
                && self.fwmark.is_none() =>
            {
                f.write_str(" from all")?
            }
            None => {}
        }
        if let Some(n) = self.to {
            write!(f, " to {n}")?;
        }
        if self.tos != 0 {
            write!(f, " tos {:#04x}", self.tos)?;
        }
        if let Some(m) = self.fwmark {
            write!(f, " fwmark {m:#x}")?;
            if let Some(mask) = self.fwmask {
                write!(f, "/{mask:#x}")?;
            }
        }
        for (what, dev) in [("iif", &self.iif), ("oif", &self.oif)] {
            match dev {
                Some(Dev::Name(n)) => write!(f, " {what} {n}")?,
                Some(Dev::Index(i)) => write!(f, " {what} #{i}")?,
                None => {}
            }
        }
        if let Some(p) = self.ipproto {
            match ipproto_name(p) {
                Some(name) => write!(f, " ipproto {name}")?,
                None => write!(f, " ipproto {p}")?,
            }
        }
        if let Some(r) = self.sport {
            write!(f, " sport {r}")?;
        }
        if let Some(r) = self.dport {
            write!(f, " dport {r}")?;
        }
        if let Some((start, end)) = self.uid_range {
            write!(f, " uidrange {start}-{end}")?;
        }
        if let (Some(t), false) = (
            self.table,
            matches!(self.action, Some(RuleAction::Table(_))),
        ) {
            write!(f, " lookup {t}")?;
        }
        if let Some(a) = self.action {
            write!(f, " {a}")?;
        }
        if let Some(p) = self.suppress_prefixlength {
            write!(f, " suppress_prefixlength {p}")?;
        }
        Ok(())
    }
}

/// What errors call a listing.
struct RulesObject(Option<Family>);

impl fmt::Display for RulesObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(Family::Inet6) => f.write_str("IPv6 rules"),
            Some(_) => f.write_str("IPv4 rules"),
            None => f.write_str("rules"),
        }
    }
}

impl Handle {
    /// The names of a rule's `iif` and `oif`: a name as given, an index
    /// looked up (`RTM_GETLINK`).
    fn rule_dev_names(&mut self, spec: &RuleSpec, op: &'static str) -> Result<[Option<String>; 2]> {
        let mut out = [None, None];
        for (slot, dev) in out.iter_mut().zip([&spec.iif, &spec.oif]) {
            *slot = match dev {
                None => None,
                Some(Dev::Name(n)) => Some(n.clone()),
                Some(Dev::Index(i)) => Some(
                    self.link(LinkId::Index(*i))
                        .map(|l| l.name().to_owned())
                        .map_err(|e| {
                            let what = match e.detail() {
                                Some(d) => format!("{}: {d}", e.object()),
                                None => e.object().to_owned(),
                            };
                            e.context(op, spec.to_string()).with_detail(what)
                        })?,
                ),
            };
        }
        Ok(out)
    }

    /// Adds a rule as `ip rule add` does: `RTM_NEWRULE` with `NLM_F_CREATE |
    /// NLM_F_EXCL`; without a priority the kernel picks one (see the module
    /// documentation).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] before the kernel ([`RuleSpec::validate`]);
    /// [`ErrorKind::AlreadyExists`] for an identical rule; another refusal
    /// with the kernel's text (e.g. a backward `goto`).
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::route::RouteTable;
    /// use netns_core::rule::RuleSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// h.rule_add(&RuleSpec::new().from("10.0.0.0/8".parse()?).table(RouteTable::new(100).unwrap()))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_NEWRULE")]
    pub fn rule_add(&mut self, spec: &RuleSpec) -> Result<()> {
        spec.validate()
            .map_err(|e| e.context("add", spec.to_string()))?;
        let [iif, oif] = self.rule_dev_names(spec, "add")?;
        let msg = spec.message(false, [iif.as_deref(), oif.as_deref()])?;
        self.socket().execute(
            &Request::new(RouteNetlinkMessage::NewRule(msg), "add", spec)
                .with_flags(NLM_F_CREATE | NLM_F_EXCL),
        )
    }

    /// Deletes the first rule matching `spec` (`ip rule del …`):
    /// `RTM_DELRULE`; what the spec leaves unset matches anything.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] (`ENOENT`) when no rule matches.
    #[doc(alias = "RTM_DELRULE")]
    pub fn rule_del(&mut self, spec: &RuleSpec) -> Result<()> {
        spec.validate()
            .map_err(|e| e.context("delete", spec.to_string()))?;
        let [iif, oif] = self.rule_dev_names(spec, "delete")?;
        let msg = spec.message(true, [iif.as_deref(), oif.as_deref()])?;
        self.socket().execute(&Request::new(
            RouteNetlinkMessage::DelRule(msg),
            "delete",
            spec,
        ))
    }

    /// The rules of `family`, in the kernel's order (by priority): one
    /// `RTM_GETRULE` dump with `family` set (the kernel dumps that family
    /// only), read in place; [`Handle::rules_all`] gives both families.
    ///
    /// # Errors
    /// The kernel's refusal or a socket error.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::addr::Family;
    /// let mut h = netns_core::Handle::current()?;
    /// for r in h.rules(Family::Inet)? {
    ///     println!("{}", r.display());
    /// }
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_GETRULE")]
    #[doc(alias = "ip rule show")]
    pub fn rules(&mut self, family: Family) -> Result<Rules<'_>> {
        let mut msg = RuleMessage::default();
        msg.header.family = family.to_packet();
        let object = RulesObject(Some(family));
        let messages = self.socket().dump(&Request::new(
            RouteNetlinkMessage::GetRule(msg),
            "list",
            &object,
        ))?;
        Ok(Rules::new(messages, family))
    }

    /// The rules of both families, IPv4 first, as owned [`Rule`]s.
    ///
    /// # Errors
    /// As [`Handle::rules`].
    pub fn rules_all(&mut self) -> Result<Vec<Rule>> {
        let mut all: Vec<Rule> = self.rules(Family::Inet)?.map(|r| r.to_owned()).collect();
        all.extend(self.rules(Family::Inet6)?.map(|r| r.to_owned()));
        Ok(all)
    }

    /// Deletes every rule of `family` that has a priority, as `ip rule
    /// flush` does: the rule of priority 0 (`lookup local`) stays, the
    /// default `main` and `default` rules go too. One dump, then one batch
    /// of `RTM_DELRULE`s. Returns how many rules were deleted.
    ///
    /// # Errors
    /// The dump's or the first delete's refusal.
    pub fn rule_flush(&mut self, family: Family) -> Result<usize> {
        let doomed: Vec<Rule> = self
            .rules(family)?
            .filter(|r| r.priority() != 0)
            .map(|r| r.to_owned())
            .collect();
        let specs: Vec<RuleSpec> = doomed
            .iter()
            .map(|r| RuleSpec {
                family: Some(family),
                priority: Some(r.priority),
                ..RuleSpec::default()
            })
            .collect();
        let messages = specs
            .iter()
            .map(|s| s.message(true, [None, None]))
            .collect::<Result<Vec<_>>>()?;
        let requests: Vec<Request<'_>> = messages
            .into_iter()
            .zip(&specs)
            .map(|(m, s)| Request::new(RouteNetlinkMessage::DelRule(m), "flush", s))
            .collect();
        self.socket().batch(&requests).map_err(|e| e.error)?;
        Ok(requests.len())
    }
}
