//! Source NAT (masquerade) in the calling thread's network namespace,
//! through nftables.
//!
//! A [`Masquerade`] owns one dedicated nftables table (family `ip` for an
//! IPv4 source, `ip6` for IPv6) holding one `nat` chain on the
//! `postrouting` hook with one rule:
//!
//! ```text
//! table ip netns-lab {
//!     chain postrouting {
//!         type nat hook postrouting priority srcnat; policy accept;
//!         ip saddr 10.30.0.0/24 ip daddr != 10.30.0.0/24 [oifname "eth0"] masquerade
//!     }
//! }
//! ```
//!
//! so [`Masquerade::remove`] deletes exactly that table and nothing else of
//! the ruleset. The rules are built as nftables JSON with the
//! [`nftables`] crate and handed to the `nft` tool (`nft -j -f -`), which
//! must be installed (Debian: `nftables`). `nft` runs as a child process of
//! the calling **thread**, so it acts in that thread's network namespace;
//! to act in another namespace call these methods inside
//! [`NetNs::run`](netns_core::NetNs::run).
//!
//! Forwarding is separate: set `net.ipv4.ip_forward` (or
//! `net.ipv6.conf.all.forwarding`) with [`netns_core::sysctl`].
//!
//! ```no_run
//! use netns_topology::nat::Masquerade;
//! let m = Masquerade::new("netns-lab", "10.30.0.0/24".parse()?).out_iface("eth0");
//! m.apply()?;
//! assert!(m.exists()?);
//! m.remove()?;
//! # Ok::<(), netns_core::Error>(())
//! ```

use std::borrow::Cow;

use nftables::batch::Batch;
use nftables::expr::{Expression, Meta, MetaKey, NamedExpression, Payload, PayloadField, Prefix};
use nftables::helper::{self, NftablesError};
use nftables::schema::{Chain, NfListObject, Rule, Table};
use nftables::stmt::{Match, Operator, Statement};
use nftables::types::{NfChainPolicy, NfChainType, NfFamily, NfHook};

use netns_core::addr::{Family, IpNet};
use netns_core::{Error, ErrorKind, Result};

/// The chain every [`Masquerade`] table holds.
pub const CHAIN: &str = "postrouting";

/// Masquerade of one source subnet, in a table of its own. See the
/// [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masquerade {
    /// The nftables table that holds the rule (created and deleted whole).
    pub table: String,
    /// The source subnet whose packets are masqueraded (host bits ignored).
    pub source: IpNet,
    /// Only packets leaving through this interface (`oifname`); any
    /// interface when `None`.
    pub out_iface: Option<String>,
}

impl Masquerade {
    /// Masquerade of `source` in table `table`, on any outgoing interface.
    pub fn new(table: impl Into<String>, source: IpNet) -> Masquerade {
        Masquerade {
            table: table.into(),
            source: source.network(),
            out_iface: None,
        }
    }

    /// Restricts the rule to packets leaving through `iface`.
    pub fn out_iface(mut self, iface: impl Into<String>) -> Masquerade {
        self.out_iface = Some(iface.into());
        self
    }

    fn family(&self) -> NfFamily {
        match self.source.family() {
            Family::Inet6 => NfFamily::IP6,
            _ => NfFamily::IP,
        }
    }

    fn family_name(&self) -> &'static str {
        match self.family() {
            NfFamily::IP6 => "ip6",
            _ => "ip",
        }
    }

    fn object(&self) -> String {
        format!(
            "nftables table {} {:?} (masquerade {})",
            self.family_name(),
            self.table,
            self.source.network()
        )
    }

    fn check(&self, op: &'static str) -> Result<()> {
        let ok = !self.table.is_empty()
            && self.table.len() <= 64
            && self
                .table
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !ok {
            return Err(Error::new(ErrorKind::InvalidArgument, op, self.object())
                .with_detail("a table name is 1 to 64 letters, digits, '-', '_' or '.'"));
        }
        Ok(())
    }

    /// The nftables JSON commands [`Masquerade::apply`] sends: add the
    /// table, flush it (so a re-apply replaces the rule instead of adding a
    /// second one), add the chain and the rule — one `nft` transaction.
    pub fn ruleset(&self) -> nftables::schema::Nftables<'static> {
        let family = self.family();
        let proto = self.family_name();
        let table: Cow<'static, str> = Cow::Owned(self.table.clone());
        let net = self.source.network();
        let prefix = || {
            Expression::Named(NamedExpression::Prefix(Prefix {
                addr: Box::new(Expression::String(Cow::Owned(net.addr().to_string()))),
                len: u32::from(net.prefix_len()),
            }))
        };
        let field = |f: &'static str| {
            Expression::Named(NamedExpression::Payload(Payload::PayloadField(
                PayloadField {
                    protocol: Cow::Borrowed(proto),
                    field: Cow::Borrowed(f),
                },
            )))
        };
        let mut expr = vec![
            Statement::Match(Match {
                left: field("saddr"),
                right: prefix(),
                op: Operator::EQ,
            }),
            Statement::Match(Match {
                left: field("daddr"),
                right: prefix(),
                op: Operator::NEQ,
            }),
        ];
        if let Some(iface) = &self.out_iface {
            expr.push(Statement::Match(Match {
                left: Expression::Named(NamedExpression::Meta(Meta {
                    key: MetaKey::Oifname,
                })),
                right: Expression::String(Cow::Owned(iface.clone())),
                op: Operator::EQ,
            }));
        }
        expr.push(Statement::Masquerade(None));

        let mut batch = Batch::new();
        let t = Table {
            family,
            name: table.clone(),
            handle: None,
        };
        batch.add(NfListObject::Table(t.clone()));
        batch.add_cmd(nftables::schema::NfCmd::Flush(
            nftables::schema::FlushObject::Table(t),
        ));
        batch.add(NfListObject::Chain(Chain {
            family,
            table: table.clone(),
            name: Cow::Borrowed(CHAIN),
            _type: Some(NfChainType::NAT),
            hook: Some(NfHook::Postrouting),
            prio: Some(100),
            policy: Some(NfChainPolicy::Accept),
            ..Chain::default()
        }));
        batch.add(NfListObject::Rule(Rule {
            family,
            table,
            chain: Cow::Borrowed(CHAIN),
            expr: Cow::Owned(expr),
            handle: None,
            index: None,
            comment: Some(Cow::Borrowed("netns masquerade")),
        }));
        batch.to_nftables()
    }

    /// Creates (or replaces) the table with its chain and rule, atomically
    /// (`nft -j -f -`, one transaction).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a bad table name;
    /// [`ErrorKind::NotFound`] when `nft` is not installed; the text `nft`
    /// printed when it refused.
    pub fn apply(&self) -> Result<()> {
        self.check("apply")?;
        run_nft(&self.ruleset()).map_err(|e| nft_error(e, "apply", self.object()))
    }

    /// Whether the table exists (`nft -j list table FAMILY NAME`).
    ///
    /// # Errors
    /// When `nft` cannot run or fails for another reason than a missing table.
    pub fn exists(&self) -> Result<bool> {
        self.check("look up")?;
        table_exists(self.family_name(), &self.table)
            .map_err(|e| e.context("look up", self.object()))
    }

    /// Deletes the table (and so the chain and rule) if it exists; returns
    /// whether it existed. Nothing else of the ruleset is touched.
    ///
    /// # Errors
    /// When `nft` cannot run or refuses.
    pub fn remove(&self) -> Result<bool> {
        self.check("remove")?;
        if !self.exists()? {
            return Ok(false);
        }
        let mut batch = Batch::new();
        batch.delete(NfListObject::Table(Table {
            family: self.family(),
            name: Cow::Owned(self.table.clone()),
            handle: None,
        }));
        run_nft(&batch.to_nftables()).map_err(|e| nft_error(e, "remove", self.object()))?;
        Ok(true)
    }
}

/// Whether nftables table `family name` exists in the calling thread's
/// namespace (`nft -j list table FAMILY NAME`).
///
/// # Errors
/// When `nft` cannot run or fails for another reason than a missing table.
pub fn table_exists(family: &str, name: &str) -> Result<bool> {
    match helper::get_current_ruleset_raw(None::<&str>, ["list", "table", family, name]) {
        Ok(_) => Ok(true),
        Err(NftablesError::NftFailed { stderr, .. })
            if stderr.contains("No such file or directory") =>
        {
            Ok(false)
        }
        Err(e) => Err(nft_error(
            e,
            "look up",
            format!("nftables table {family} {name:?}"),
        )),
    }
}

/// The names of the tables of the ruleset as `FAMILY NAME` (`nft -j list
/// tables`), for tests and status reports.
///
/// # Errors
/// When `nft` cannot run or its output cannot be read.
pub fn tables() -> Result<Vec<String>> {
    let rs = helper::get_current_ruleset_with_args(None::<&str>, ["list", "tables"])
        .map_err(|e| nft_error(e, "list", "nftables tables".to_string()))?;
    let mut names = Vec::new();
    for obj in rs.objects.iter() {
        if let nftables::schema::NfObject::ListObject(NfListObject::Table(t)) = obj {
            let fam = serde_json::to_value(t.family)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            names.push(format!("{fam} {}", t.name));
        }
    }
    names.sort();
    Ok(names)
}

/// `nft -j -f -` with the JSON on stdin; unlike the crate's helper, stderr
/// is captured, so a refusal carries nft's own words.
fn run_nft(ruleset: &nftables::schema::Nftables<'_>) -> Result<(), NftablesError> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let program = std::ffi::OsString::from("nft");
    let json = serde_json::to_string(ruleset).map_err(NftablesError::NftInvalidJson)?;
    let exec = |inner| NftablesError::NftExecution {
        program: program.clone(),
        inner,
    };
    let mut child = Command::new(&program)
        .args(["-j", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(exec)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(json.as_bytes()).map_err(exec)?;
    }
    let out = child.wait_with_output().map_err(exec)?;
    if out.status.success() {
        return Ok(());
    }
    Err(NftablesError::NftFailed {
        program,
        hint: "applying ruleset".to_string(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

fn nft_error(e: NftablesError, op: &'static str, object: String) -> Error {
    match e {
        NftablesError::NftExecution { inner, .. } => {
            Error::io(&inner, op, object).with_detail("cannot run nft (is nftables installed?)")
        }
        NftablesError::NftFailed { stderr, .. } => {
            let text = stderr.trim();
            Error::new(ErrorKind::Kernel, op, object).with_detail(if text.is_empty() {
                "nft refused the ruleset".to_string()
            } else {
                format!("nft: {text}")
            })
        }
        other => Error::new(ErrorKind::Protocol, op, object).with_detail(other.to_string()),
    }
}
