//! Reading rules: [`RuleRef`] (a view of one `RTM_NEWRULE` in the receive
//! buffer), [`Rule`] (an owned copy), the dump iterator, and the line `ip
//! rule show` prints.

use std::fmt;

use super::{ipproto_name, PortRange, RuleAction, FIB_RULE_HDR_LEN};
use super::{
    FR_ACT_BLACKHOLE, FR_ACT_GOTO, FR_ACT_NOP, FR_ACT_PROHIBIT, FR_ACT_TO_TBL, FR_ACT_UNREACHABLE,
};
use crate::addr::{Family, IpNet};
use crate::netlink::uapi::{
    FIB_RULE_IIF_DETACHED, FIB_RULE_INVERT, FIB_RULE_OIF_DETACHED, FIB_RULE_UNRESOLVED,
    FRA_DPORT_RANGE, FRA_DST, FRA_FWMARK, FRA_FWMASK, FRA_GOTO, FRA_IIFNAME, FRA_IP_PROTO,
    FRA_OIFNAME, FRA_PRIORITY, FRA_PROTOCOL, FRA_SPORT_RANGE, FRA_SRC, FRA_SUPPRESS_PREFIXLEN,
    FRA_TABLE, FRA_UID_RANGE,
};
use crate::netlink::{attr, Messages, RTM_DELRULE, RTM_NEWRULE};
use crate::route::{protocol_name, RouteTable, PROTO_KERNEL};
use crate::{Error, ErrorKind, Result};

/// One rule as the kernel sent it (`RTM_NEWRULE`/`RTM_DELRULE`: `struct
/// fib_rule_hdr` and `FRA_*` attributes), read in place.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RuleRef<'a> {
    header: &'a [u8],
    attrs: &'a [u8],
}

fn port_range(v: &[u8]) -> Option<PortRange> {
    let b = v.first_chunk::<4>()?;
    Some(PortRange {
        start: u16::from_ne_bytes([b[0], b[1]]),
        end: u16::from_ne_bytes([b[2], b[3]]),
    })
}

impl<'a> RuleRef<'a> {
    /// A view over the payload of an `RTM_NEWRULE`/`RTM_DELRULE` message.
    ///
    /// # Errors
    /// [`ErrorKind::Protocol`] when the payload is shorter than `struct
    /// fib_rule_hdr` or its attributes are badly framed.
    pub fn parse(payload: &'a [u8]) -> Result<RuleRef<'a>> {
        let bad = || Error::new(ErrorKind::Protocol, "read", "rule message");
        if payload.len() < FIB_RULE_HDR_LEN {
            return Err(bad().with_detail("shorter than struct fib_rule_hdr"));
        }
        let (header, attrs) = payload.split_at(FIB_RULE_HDR_LEN);
        if !attr::well_formed(attrs) {
            return Err(bad().with_detail("badly framed attributes"));
        }
        Ok(RuleRef { header, attrs })
    }

    /// `family` as the kernel wrote it.
    pub fn family_raw(&self) -> u8 {
        self.header[0]
    }
    /// The family, when IPv4 or IPv6.
    pub fn family(&self) -> Option<Family> {
        Family::from_raw(self.family_raw())
    }
    /// `dst_len`.
    pub fn dst_len(&self) -> u8 {
        self.header[1]
    }
    /// `src_len`.
    pub fn src_len(&self) -> u8 {
        self.header[2]
    }
    /// `tos`.
    pub fn tos(&self) -> u8 {
        self.header[3]
    }
    /// `action` (`FR_ACT_*`) as the kernel wrote it.
    pub fn action_raw(&self) -> u8 {
        self.header[7]
    }
    /// `flags` (`FIB_RULE_*`).
    pub fn flags(&self) -> u32 {
        u32::from_ne_bytes([
            self.header[8],
            self.header[9],
            self.header[10],
            self.header[11],
        ])
    }
    /// `not`: the selector is inverted.
    pub fn is_inverted(&self) -> bool {
        self.flags() & FIB_RULE_INVERT != 0
    }
    /// The table: `FRA_TABLE` when present, else `fib_rule_hdr.table`
    /// (0 = none).
    pub fn table(&self) -> u32 {
        self.attr(FRA_TABLE)
            .and_then(attr::u32_ne)
            .unwrap_or(u32::from(self.header[4]))
    }
    /// `FRA_PRIORITY` (0 when absent: the kernel leaves it out for 0).
    pub fn priority(&self) -> u32 {
        self.attr(FRA_PRIORITY).and_then(attr::u32_ne).unwrap_or(0)
    }
    /// `FRA_SRC` with `src_len`.
    pub fn from(&self) -> Option<IpNet> {
        let ip = self.attr(FRA_SRC).and_then(attr::ip)?;
        IpNet::new(ip, self.src_len()).ok()
    }
    /// `FRA_DST` with `dst_len`.
    pub fn to(&self) -> Option<IpNet> {
        let ip = self.attr(FRA_DST).and_then(attr::ip)?;
        IpNet::new(ip, self.dst_len()).ok()
    }
    /// `FRA_IIFNAME`.
    pub fn iif(&self) -> Option<&'a str> {
        self.attr(FRA_IIFNAME).and_then(attr::c_str)
    }
    /// `FRA_OIFNAME`.
    pub fn oif(&self) -> Option<&'a str> {
        self.attr(FRA_OIFNAME).and_then(attr::c_str)
    }
    /// `FRA_FWMARK`.
    pub fn fwmark(&self) -> Option<u32> {
        self.attr(FRA_FWMARK).and_then(attr::u32_ne)
    }
    /// `FRA_FWMASK`.
    pub fn fwmask(&self) -> Option<u32> {
        self.attr(FRA_FWMASK).and_then(attr::u32_ne)
    }
    /// `FRA_GOTO`: the target of a `goto`.
    pub fn goto_target(&self) -> Option<u32> {
        self.attr(FRA_GOTO).and_then(attr::u32_ne)
    }
    /// `FRA_SUPPRESS_PREFIXLEN`, when set (the kernel reports -1 for unset).
    pub fn suppress_prefixlength(&self) -> Option<u32> {
        self.attr(FRA_SUPPRESS_PREFIXLEN)
            .and_then(attr::i32_ne)
            .and_then(|v| u32::try_from(v).ok())
    }
    /// `FRA_PROTOCOL`.
    pub fn protocol(&self) -> Option<u8> {
        self.attr(FRA_PROTOCOL).and_then(|v| v.first().copied())
    }
    /// `FRA_IP_PROTO`.
    pub fn ipproto(&self) -> Option<u8> {
        self.attr(FRA_IP_PROTO).and_then(|v| v.first().copied())
    }
    /// `FRA_SPORT_RANGE`.
    pub fn sport(&self) -> Option<PortRange> {
        self.attr(FRA_SPORT_RANGE).and_then(port_range)
    }
    /// `FRA_DPORT_RANGE`.
    pub fn dport(&self) -> Option<PortRange> {
        self.attr(FRA_DPORT_RANGE).and_then(port_range)
    }
    /// `FRA_UID_RANGE`: `(first, last)` uid.
    pub fn uid_range(&self) -> Option<(u32, u32)> {
        let v = self.attr(FRA_UID_RANGE)?;
        Some((attr::u32_ne(v)?, attr::u32_ne(v.get(4..)?)?))
    }
    /// The action, when one this crate knows.
    pub fn action(&self) -> Option<RuleAction> {
        Some(match self.action_raw() {
            FR_ACT_TO_TBL => RuleAction::Table(RouteTable::new(self.table())?),
            FR_ACT_GOTO => RuleAction::Goto(self.goto_target().unwrap_or(0)),
            FR_ACT_NOP => RuleAction::Nop,
            FR_ACT_BLACKHOLE => RuleAction::Blackhole,
            FR_ACT_UNREACHABLE => RuleAction::Unreachable,
            FR_ACT_PROHIBIT => RuleAction::Prohibit,
            _ => return None,
        })
    }
    /// The value of any attribute, borrowed in place.
    pub fn attr(&self, kind: u16) -> Option<&'a [u8]> {
        attr::find(self.attrs, kind)
    }

    /// The rule as `ip rule show` prints it (without the newline):
    /// `32766:\tfrom all lookup main`.
    pub fn display(&self) -> RuleDisplay {
        RuleDisplay(self.to_owned())
    }

    /// An owned copy.
    pub fn to_owned(&self) -> Rule {
        Rule {
            family: self.family(),
            priority: self.priority(),
            from: self.from(),
            to: self.to(),
            src_len: self.src_len(),
            dst_len: self.dst_len(),
            tos: self.tos(),
            table: self.table(),
            action_raw: self.action_raw(),
            flags: self.flags(),
            iif: self.iif().map(str::to_owned),
            oif: self.oif().map(str::to_owned),
            fwmark: self.fwmark(),
            fwmask: self.fwmask(),
            goto_target: self.goto_target(),
            suppress_prefixlength: self.suppress_prefixlength(),
            protocol: self.protocol(),
            ipproto: self.ipproto(),
            sport: self.sport(),
            dport: self.dport(),
            uid_range: self.uid_range(),
        }
    }
}

impl fmt::Debug for RuleRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuleRef")
            .field("priority", &self.priority())
            .field("from", &self.from())
            .field("to", &self.to())
            .field("table", &self.table())
            .field("action", &self.action_raw())
            .finish_non_exhaustive()
    }
}

/// An owned rule: [`RuleRef::to_owned`]. `Display` prints it as `ip rule
/// show` does.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// IPv4 or IPv6.
    pub family: Option<Family>,
    /// The priority (0 for the first rule).
    pub priority: u32,
    /// `FRA_SRC` with its length.
    pub from: Option<IpNet>,
    /// `FRA_DST` with its length.
    pub to: Option<IpNet>,
    /// `src_len` (kept for `from 0/N` without an address).
    pub src_len: u8,
    /// `dst_len`.
    pub dst_len: u8,
    /// `tos`.
    pub tos: u8,
    /// The table id (0 = none).
    pub table: u32,
    /// `FR_ACT_*`.
    pub action_raw: u8,
    /// `FIB_RULE_*` flags.
    pub flags: u32,
    /// `FRA_IIFNAME`.
    pub iif: Option<String>,
    /// `FRA_OIFNAME`.
    pub oif: Option<String>,
    /// `FRA_FWMARK`.
    pub fwmark: Option<u32>,
    /// `FRA_FWMASK`.
    pub fwmask: Option<u32>,
    /// `FRA_GOTO`.
    pub goto_target: Option<u32>,
    /// `FRA_SUPPRESS_PREFIXLEN`, when set.
    pub suppress_prefixlength: Option<u32>,
    /// `FRA_PROTOCOL`.
    pub protocol: Option<u8>,
    /// `FRA_IP_PROTO`.
    pub ipproto: Option<u8>,
    /// `FRA_SPORT_RANGE`.
    pub sport: Option<PortRange>,
    /// `FRA_DPORT_RANGE`.
    pub dport: Option<PortRange>,
    /// `FRA_UID_RANGE`.
    pub uid_range: Option<(u32, u32)>,
}

impl Rule {
    /// `not`: the selector is inverted.
    pub fn is_inverted(&self) -> bool {
        self.flags & FIB_RULE_INVERT != 0
    }
}

/// A rule printed as `ip rule show` prints it ([`RuleRef::display`]).
#[derive(Debug, Clone)]
pub struct RuleDisplay(Rule);

impl fmt::Display for RuleDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The address of a prefix as ip prints it after `from`/`to`: the address,
/// and `/LEN` unless a host prefix.
fn write_prefix(f: &mut fmt::Formatter<'_>, net: &IpNet) -> fmt::Result {
    write!(f, "{}", net.addr())?;
    if !net.is_host() {
        write!(f, "/{}", net.prefix_len())?;
    }
    Ok(())
}

impl fmt::Display for Rule {
    /// `PRIO:\tSELECTOR ACTION` as iproute2's `print_rule` writes it (no
    /// newline): `0:\tfrom all lookup local`, `100:\tnot from 10.0.0.0/8
    /// fwmark 0x1/0xff iif eth0 lookup 100`, `200:\tfrom all goto 300`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:\t", self.priority)?;
        if self.is_inverted() {
            f.write_str("not ")?;
        }
        match &self.from {
            Some(n) => {
                f.write_str("from ")?;
                write_prefix(f, n)?;
            }
            None if self.src_len != 0 => write!(f, "from 0/{}", self.src_len)?,
            None => f.write_str("from all")?,
        }
        match &self.to {
            Some(n) => {
                f.write_str(" to ")?;
                write_prefix(f, n)?;
            }
            None if self.dst_len != 0 => write!(f, " to 0/{}", self.dst_len)?,
            None => {}
        }
        if self.tos != 0 {
            write!(f, " tos {:#04x}", self.tos)?;
        }
        if self.fwmark.is_some() || self.fwmask.is_some() {
            write!(f, " fwmark {:#x}", self.fwmark.unwrap_or(0))?;
            if let Some(mask) = self.fwmask.filter(|m| *m != u32::MAX) {
                write!(f, "/{mask:#x}")?;
            }
        }
        if let Some(n) = &self.iif {
            write!(f, " iif {n}")?;
            if self.flags & FIB_RULE_IIF_DETACHED != 0 {
                f.write_str(" [detached]")?;
            }
        }
        if let Some(n) = &self.oif {
            write!(f, " oif {n}")?;
            if self.flags & FIB_RULE_OIF_DETACHED != 0 {
                f.write_str(" [detached]")?;
            }
        }
        if let Some((start, end)) = self.uid_range {
            write!(f, " uidrange {start}-{end}")?;
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
        if let Some(t) = RouteTable::new(self.table) {
            write!(f, " lookup {t}")?;
            if let Some(p) = self.suppress_prefixlength {
                write!(f, " suppress_prefixlength {p}")?;
            }
        }
        match self.action_raw {
            FR_ACT_GOTO => {
                match self.goto_target {
                    Some(t) => write!(f, " goto {t}")?,
                    None => f.write_str(" goto none")?,
                }
                if self.flags & FIB_RULE_UNRESOLVED != 0 {
                    f.write_str(" [unresolved]")?;
                }
            }
            FR_ACT_NOP => f.write_str(" nop")?,
            FR_ACT_TO_TBL => {}
            other => match crate::route::type_name(other) {
                Some(name) => write!(f, " {name}")?,
                None => write!(f, " {other}")?,
            },
        }
        if let Some(p) = self.protocol.filter(|p| *p != 0 && *p != PROTO_KERNEL) {
            match protocol_name(p) {
                Some(name) => write!(f, " proto {name}")?,
                None => write!(f, " proto {p}")?,
            }
        }
        Ok(())
    }
}

/// The rules of a dump ([`Handle::rules`](crate::Handle::rules)), in the
/// kernel's order, borrowed from the socket's receive buffer.
#[derive(Debug, Clone)]
pub struct Rules<'a> {
    messages: Messages<'a>,
    family: Family,
}

impl<'a> Rules<'a> {
    pub(super) fn new(messages: Messages<'a>, family: Family) -> Rules<'a> {
        Rules { messages, family }
    }
}

impl<'a> Iterator for Rules<'a> {
    type Item = RuleRef<'a>;

    fn next(&mut self) -> Option<RuleRef<'a>> {
        loop {
            let m = self.messages.next()?;
            if m.message_type() != RTM_NEWRULE && m.message_type() != RTM_DELRULE {
                continue;
            }
            match RuleRef::parse(m.payload()) {
                Ok(r) if r.family() == Some(self.family) => return Some(r),
                _ => continue,
            }
        }
    }
}

impl std::iter::FusedIterator for Rules<'_> {}
