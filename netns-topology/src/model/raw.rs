//! The topology file's serde form, with source spans.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTopology {
    pub(super) name: Option<Spanned<String>>,
    #[serde(default, rename = "namespace")]
    pub(super) namespaces: Vec<RawNamespace>,
    #[serde(default, rename = "bridge")]
    pub(super) bridges: Vec<RawBridge>,
    #[serde(default, rename = "link")]
    pub(super) links: Vec<RawLink>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNamespace {
    pub(super) name: Spanned<String>,
    #[serde(default)]
    pub(super) sysctls: BTreeMap<Spanned<String>, Spanned<SysctlValue>>,
    #[serde(default)]
    pub(super) routes: Vec<RawRoute>,
    pub(super) resolv_conf: Option<String>,
    pub(super) hosts: Option<String>,
    pub(super) uplink: Option<RawUplink>,
    /// `"up"` (the default) or `"down"`.
    pub(super) lo: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) adopt: bool,
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[serde(untagged)]
pub(super) enum SysctlValue {
    Text(String),
    Number(i64),
    Bool(bool),
}

impl fmt::Display for SysctlValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SysctlValue::Text(t) => f.write_str(t),
            SysctlValue::Number(n) => write!(f, "{n}"),
            SysctlValue::Bool(b) => f.write_str(if *b { "1" } else { "0" }),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoute {
    pub(super) to: Spanned<String>,
    pub(super) via: Option<Spanned<String>>,
    pub(super) dev: Option<Spanned<String>>,
    pub(super) metric: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUplink {
    pub(super) mode: Spanned<String>,
    pub(super) address: Spanned<String>,
    pub(super) gateway: Spanned<String>,
    pub(super) iface: Option<Spanned<String>>,
    pub(super) host_iface: Option<Spanned<String>>,
    pub(super) bridge: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBridge {
    pub(super) name: Spanned<String>,
    #[serde(default)]
    pub(super) netns: Option<Spanned<String>>,
    pub(super) address: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) addresses: Vec<Spanned<String>>,
    pub(super) mac: Option<Spanned<String>>,
    pub(super) mtu: Option<Spanned<u32>>,
    #[serde(default)]
    pub(super) ports: Vec<Spanned<String>>,
    #[serde(default)]
    pub(super) nat: bool,
    #[serde(default)]
    pub(super) adopt: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLink {
    pub(super) a: RawEnd,
    pub(super) b: RawEnd,
    #[serde(default)]
    pub(super) adopt: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEnd {
    #[serde(default)]
    pub(super) netns: Option<Spanned<String>>,
    pub(super) name: Spanned<String>,
    pub(super) address: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) addresses: Vec<Spanned<String>>,
    pub(super) mac: Option<Spanned<String>>,
    pub(super) mtu: Option<Spanned<u32>>,
}

pub(super) type DeError = (Range<usize>, String, String);

pub(super) fn deserialize(text: &str) -> std::result::Result<RawTopology, DeError> {
    let de = toml::Deserializer::parse(text).map_err(|e| {
        (
            e.span().unwrap_or(0..0),
            String::new(),
            e.message().to_string(),
        )
    })?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        // A wrong type inside a `Spanned` names serde_spanned's private
        // field: the user's path ends before it.
        let path = path.replace(".$__serde_spanned_private_value", "");
        let path = if path == "." { String::new() } else { path };
        (
            inner.span().unwrap_or(0..0),
            path,
            inner.message().to_string(),
        )
    })
}
