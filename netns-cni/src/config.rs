//! The network configuration on stdin: the spec's common fields, the
//! `bridge` and `ptp` fields of the reference plugins (whose `type` names
//! the mode when netns-cni is installed under their names), `prevResult` (a
//! conflist entry after the first) and `cni.dev/valid-attachments` (GC).
//! Unknown fields are ignored, as the spec asks; fields the reference
//! plugins know but this one does not implement (`vlan`, `macspoofchk` …)
//! are refused with code 2 rather than silently ignored.

use netns_core::link::MacAddr;
use serde::Deserialize;
use serde_json::Value;

use crate::env::is_identifier;
use crate::error::{code, CniError, Result};
use crate::spec::{CniResult, Dns, Version};

/// How the container is wired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// A veth pair whose host end is a port of a bridge (the reference
    /// `bridge` plugin).
    Bridge,
    /// A veth pair routed point-to-point (the reference `ptp` plugin).
    Ptp,
}

/// The bridge created when `bridge` is not given (the reference's default).
pub const DEFAULT_BRIDGE: &str = "cni0";

/// One `{containerID, ifname}` of `cni.dev/valid-attachments`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidAttachment {
    /// The container id.
    #[serde(rename = "containerID")]
    pub container_id: String,
    /// The interface name.
    pub ifname: String,
}

/// The raw fields, as serde reads them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    name: Option<String>,
    #[serde(rename = "type")]
    plugin: Option<String>,
    mode: Option<String>,
    bridge: Option<String>,
    #[serde(default)]
    is_gateway: bool,
    #[serde(default)]
    is_default_gateway: bool,
    #[serde(default)]
    force_address: bool,
    #[serde(default)]
    ip_masq: bool,
    ip_masq_backend: Option<String>,
    mtu: Option<u32>,
    #[serde(default)]
    hairpin_mode: bool,
    #[serde(default)]
    promisc_mode: bool,
    #[serde(default)]
    allow_own_netns: bool,
    ipam: Option<Value>,
    dns: Option<Dns>,
    prev_result: Option<Value>,
    args: Option<RawArgs>,
    runtime_config: Option<RawMac>,
    #[serde(rename = "cni.dev/valid-attachments")]
    valid_attachments: Option<Vec<ValidAttachment>>,
}

/// `args` of the configuration: the reference bridge reads `args.cni.mac`.
#[derive(Debug, Deserialize)]
struct RawArgs {
    cni: Option<RawMac>,
}

/// An object with an optional `mac` (`args.cni`, `runtimeConfig`).
#[derive(Debug, Deserialize)]
struct RawMac {
    mac: Option<String>,
}

/// A checked network configuration.
#[derive(Debug, Clone)]
pub struct NetConf {
    /// `cniVersion`, as given (results are printed in it).
    pub cni_version: String,
    /// The same, parsed.
    pub version: Version,
    /// `name`: the network (the IPAM store's directory).
    pub name: String,
    /// `type`: the plugin binary's name.
    pub plugin: String,
    /// `mode` (`bridge` by default).
    pub mode: Mode,
    /// `bridge`: the bridge's name (bridge mode).
    pub bridge: String,
    /// `isGateway` (implied by `isDefaultGateway`).
    pub is_gateway: bool,
    /// `isDefaultGateway`.
    pub is_default_gateway: bool,
    /// `forceAddress`: replace another address on the bridge.
    pub force_address: bool,
    /// `ipMasq`.
    pub ip_masq: bool,
    /// `mtu`.
    pub mtu: Option<u32>,
    /// `hairpinMode`.
    pub hairpin_mode: bool,
    /// `promiscMode`.
    pub promisc_mode: bool,
    /// `allowOwnNetns`: accept a `CNI_NETNS` that is the plugin's own
    /// network namespace (refused by default: ADD would wire the host
    /// itself as a container).
    pub allow_own_netns: bool,
    /// `ipam`, unparsed (the built-in IPAM or the delegate reads it).
    pub ipam: Option<Value>,
    /// `dns`.
    pub dns: Option<Dns>,
    /// `prevResult`, read.
    pub prev_result: Option<CniResult>,
    /// `cni.dev/valid-attachments` (GC).
    pub valid_attachments: Option<Vec<ValidAttachment>>,
    /// The container interface's MAC asked for in the configuration:
    /// `runtimeConfig.mac` (the `mac` capability), else `args.cni.mac`, as
    /// the reference bridge reads them (before `CNI_ARGS` `MAC=`, see
    /// [`NetConf::container_mac`]).
    pub mac: Option<MacAddr>,
    /// The configuration exactly as received (delegates get the same bytes).
    pub bytes: Vec<u8>,
}

/// Fields of the reference bridge/ptp plugins this plugin does not
/// implement, with the value that means "off".
const UNIMPLEMENTED: &[(&str, Value)] = &[
    ("vlan", Value::Null),
    ("vlanTrunk", Value::Null),
    ("preserveDefaultVlan", Value::Null),
    ("macspoofchk", Value::Bool(false)),
    ("enabledad", Value::Bool(false)),
    ("disableContainerInterface", Value::Bool(false)),
    ("portIsolation", Value::Bool(false)),
];

/// Reads stdin's JSON far enough to know its version: VERSION needs no
/// more, and errors are printed in that version.
pub fn peek_version(bytes: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    v.get("cniVersion")?.as_str().map(str::to_string)
}

impl NetConf {
    /// Decodes and checks the configuration.
    ///
    /// # Errors
    /// Code 6 when stdin is not a JSON object; code 1 for an unsupported
    /// `cniVersion`; code 2 for a field this plugin does not implement;
    /// code 7 for a missing or invalid value (with the field's name).
    pub fn parse(bytes: &[u8]) -> Result<NetConf> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| {
            CniError::new(code::DECODE, "error unmarshall network config")
                .with_details(e.to_string())
        })?;
        let Some(obj) = value.as_object() else {
            return Err(
                CniError::new(code::DECODE, "error unmarshall network config")
                    .with_details("the network configuration is not a JSON object"),
            );
        };
        let version_text = match obj.get("cniVersion") {
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(invalid("cniVersion must be a string")),
            None => return Err(invalid("missing cniVersion")),
        };
        let version = Version::supported(&version_text)?;
        for (field, off) in UNIMPLEMENTED {
            if let Some(v) = obj.get(*field) {
                let is_off =
                    v == off || v.is_null() || v == &Value::Bool(false) || v == &Value::from(0);
                if !is_off {
                    return Err(CniError::new(
                        code::UNSUPPORTED_FIELD,
                        format!("unsupported field in network configuration: {field}"),
                    )
                    .with_details(format!(
                        "netns-cni does not implement {field:?} (given {v})"
                    )));
                }
            }
        }
        let raw: Raw = serde_json::from_value(value.clone())
            .map_err(|e| invalid("a field has the wrong type").with_details(e.to_string()))?;
        let name = raw.name.ok_or_else(|| invalid("missing network name"))?;
        if !is_identifier(&name) {
            return Err(invalid(format!("invalid network name {name:?}"))
                .with_details("a letter or digit first, then letters, digits, '_', '.' or '-'"));
        }
        let plugin = raw.plugin.ok_or_else(|| invalid("missing type"))?;
        let mode = mode_of(&plugin, raw.mode.as_deref())?;
        match raw.ip_masq_backend.as_deref() {
            None | Some("nftables") => {}
            Some(other) => {
                return Err(CniError::new(
                    code::UNSUPPORTED_FIELD,
                    format!("unsupported ipMasqBackend {other:?}"),
                )
                .with_details("netns-cni masquerades with nftables only (\"ipMasqBackend\": \"nftables\", or no key)"))
            }
        }
        let bridge = raw.bridge.unwrap_or_else(|| DEFAULT_BRIDGE.to_string());
        netns_core::link::validate_link_name(&bridge).map_err(|e| {
            invalid(format!("invalid bridge name {bridge:?}")).with_details(e.to_string())
        })?;
        if let Some(mtu) = raw.mtu {
            if !(68..=65535).contains(&mtu) {
                return Err(
                    invalid(format!("invalid mtu {mtu}")).with_details("the mtu is 68 to 65535")
                );
            }
        }
        if raw.hairpin_mode && raw.promisc_mode {
            return Err(invalid(
                "cannot set hairpin mode and promiscuous mode at the same time",
            ));
        }
        if let Some(ipam) = &raw.ipam {
            if !ipam.is_object() {
                return Err(invalid("ipam must be an object"));
            }
        }
        let prev_result = raw
            .prev_result
            .as_ref()
            .map(|v| CniResult::from_value(v, "prevResult"))
            .transpose()?;
        if let Some(list) = &raw.valid_attachments {
            for a in list {
                if a.container_id.is_empty() || a.ifname.is_empty() {
                    return Err(invalid(
                        "cni.dev/valid-attachments: an entry lacks containerID or ifname",
                    ));
                }
            }
        }
        let mac_text = raw
            .runtime_config
            .and_then(|r| r.mac)
            .filter(|m| !m.is_empty())
            .or_else(|| raw.args.and_then(|a| a.cni).and_then(|c| c.mac))
            .filter(|m| !m.is_empty());
        let mac = mac_text
            .map(|m| parse_mac(&m, "the configuration"))
            .transpose()?;
        if mac.is_some() && mode == Mode::Ptp {
            return Err(CniError::new(
                code::UNSUPPORTED_FIELD,
                "unsupported field in network configuration: mac",
            )
            .with_details(
                "ptp mode does not set the container's MAC (nor does the reference ptp)",
            ));
        }
        Ok(NetConf {
            cni_version: version_text,
            version,
            name,
            plugin,
            mode,
            bridge,
            is_gateway: raw.is_gateway || raw.is_default_gateway,
            is_default_gateway: raw.is_default_gateway,
            force_address: raw.force_address,
            ip_masq: raw.ip_masq,
            mtu: raw.mtu,
            hairpin_mode: raw.hairpin_mode,
            promisc_mode: raw.promisc_mode,
            allow_own_netns: raw.allow_own_netns,
            ipam: raw.ipam,
            dns: raw.dns,
            prev_result,
            valid_attachments: raw.valid_attachments,
            mac,
            bytes: bytes.to_vec(),
        })
    }

    /// The MAC to give the container interface (bridge mode): the
    /// configuration's ([`NetConf::mac`]), else `CNI_ARGS` `MAC=` (podman's
    /// `--mac-address`), as the reference bridge.
    ///
    /// # Errors
    /// Code 4 for a `CNI_ARGS` `MAC` that is not a unicast MAC address.
    pub fn container_mac(&self, env: &crate::env::Env) -> Result<Option<MacAddr>> {
        if self.mac.is_some() {
            return Ok(self.mac);
        }
        match env.cni_args()?.get("MAC").filter(|m| !m.is_empty()) {
            Some(m) => parse_mac(m, "CNI_ARGS")
                .map(Some)
                .map_err(|e| e.with_code(code::INVALID_ENV)),
            None => Ok(None),
        }
    }

    /// `ipam.type`, when there is an `ipam` section.
    pub fn ipam_type(&self) -> Option<&str> {
        self.ipam.as_ref()?.get("type")?.as_str()
    }
}

/// The mode a configuration asks for: the reference plugins' types name
/// their mode (`"type": "bridge"`, `"type": "ptp"`: netns-cni installed
/// under those names, see docs/cni.md); any other type (`netns-cni`) reads
/// `mode`, `bridge` by default. A `mode` that contradicts the type is
/// refused.
///
/// # Errors
/// Code 7 for an unknown mode or one the type contradicts.
pub fn mode_of(plugin: &str, mode: Option<&str>) -> Result<Mode> {
    let named = |m: &str| match m {
        "bridge" => Ok(Mode::Bridge),
        "ptp" => Ok(Mode::Ptp),
        other => Err(invalid(format!("unknown mode {other:?}"))
            .with_details("mode is \"bridge\" (the default) or \"ptp\"")),
    };
    let by_type = match plugin {
        "bridge" => Some(Mode::Bridge),
        "ptp" => Some(Mode::Ptp),
        _ => None,
    };
    match (by_type, mode) {
        (None, None) => Ok(Mode::Bridge),
        (None, Some(m)) => named(m),
        (Some(t), None) => Ok(t),
        (Some(t), Some(m)) => {
            if named(m)? == t {
                Ok(t)
            } else {
                Err(invalid(format!("mode {m:?} contradicts type {plugin:?}")))
            }
        }
    }
}

/// A unicast MAC address given in `source`.
fn parse_mac(text: &str, source: &str) -> Result<MacAddr> {
    match text.parse::<MacAddr>() {
        Ok(m) if m.is_valid_unicast() => Ok(m),
        Ok(_) => Err(invalid(format!("invalid MAC {text:?} in {source}"))
            .with_details("not a unicast address (multicast or all zeros)")),
        Err(e) => {
            Err(invalid(format!("invalid MAC {text:?} in {source}")).with_details(e.to_string()))
        }
    }
}

/// Code 7 with `msg`.
pub fn invalid(msg: impl Into<String>) -> CniError {
    CniError::new(code::INVALID_CONFIG, msg)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(v: Value) -> Result<NetConf> {
        NetConf::parse(v.to_string().as_bytes())
    }

    #[test]
    fn reads_the_reference_bridge_fields() {
        let c = parse(serde_json::json!({
            "cniVersion": "1.0.0", "name": "net1", "type": "netns-cni",
            "isDefaultGateway": true, "mtu": 1400, "hairpinMode": true,
            "ipam": {"type": "host-local", "subnet": "10.1.0.0/24"},
            "dns": {"nameservers": ["10.1.0.1"]},
            "somethingUnknown": {"x": 1}
        }))
        .unwrap();
        assert_eq!(c.mode, Mode::Bridge);
        assert_eq!(c.bridge, "cni0");
        assert!(c.is_gateway && c.is_default_gateway && c.hairpin_mode);
        assert_eq!(c.mtu, Some(1400));
        assert!(!c.allow_own_netns);
        assert_eq!(c.ipam_type(), Some("host-local"));
        assert_eq!(c.dns.unwrap().nameservers, vec!["10.1.0.1"]);
    }

    /// Installed as `bridge` or `ptp`, the type names the mode (the
    /// reference plugins' configurations carry no `mode`).
    #[test]
    fn the_reference_types_name_the_mode() {
        let conf = |t: &str, mode: Option<&str>| {
            let mut v = serde_json::json!({"cniVersion": "1.0.0", "name": "n", "type": t,
                                           "ipMasqBackend": "nftables"});
            if let Some(m) = mode {
                v["mode"] = m.into();
            }
            parse(v).map(|c| c.mode)
        };
        assert_eq!(conf("bridge", None).unwrap(), Mode::Bridge);
        assert_eq!(conf("ptp", None).unwrap(), Mode::Ptp);
        assert_eq!(conf("ptp", Some("ptp")).unwrap(), Mode::Ptp);
        assert_eq!(conf("netns-cni", None).unwrap(), Mode::Bridge);
        assert_eq!(conf("netns-cni", Some("ptp")).unwrap(), Mode::Ptp);
        assert_eq!(conf("ptp", Some("bridge")).unwrap_err().code, 7);
        assert_eq!(conf("bridge", Some("macvlan")).unwrap_err().code, 7);
    }

    /// The container MAC as the reference bridge reads it:
    /// `runtimeConfig.mac` over `args.cni.mac`.
    #[test]
    fn container_mac_keys() {
        let base = serde_json::json!({"cniVersion": "1.0.0", "name": "n", "type": "bridge"});
        let mut both = base.clone();
        both["args"] = serde_json::json!({"cni": {"mac": "02:00:00:00:00:01"}});
        assert_eq!(parse(both.clone()).unwrap().mac.unwrap().0[5], 1);
        both["runtimeConfig"] = serde_json::json!({"mac": "02:00:00:00:00:02"});
        assert_eq!(parse(both).unwrap().mac.unwrap().0[5], 2);
        assert!(parse(base.clone()).unwrap().mac.is_none());
        let mut bad = base.clone();
        bad["runtimeConfig"] = serde_json::json!({"mac": "01:00:5e:00:00:01"});
        assert_eq!(parse(bad).unwrap_err().code, 7);
        let mut ptp = base;
        ptp["type"] = "ptp".into();
        ptp["runtimeConfig"] = serde_json::json!({"mac": "02:00:00:00:00:02"});
        assert_eq!(parse(ptp).unwrap_err().code, 2);
    }

    #[test]
    fn refusals_have_the_spec_codes() {
        let base = serde_json::json!({"cniVersion": "1.0.0", "name": "n", "type": "netns-cni"});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            parse(b).map(|_| ()).unwrap_err().code
        };
        assert_eq!(NetConf::parse(b"{").unwrap_err().code, 6);
        assert_eq!(NetConf::parse(b"[1]").unwrap_err().code, 6);
        assert_eq!(with("cniVersion", "9.9.9".into()), 1);
        assert_eq!(with("cniVersion", 1.into()), 7);
        assert_eq!(with("vlan", 100.into()), 2);
        assert_eq!(with("macspoofchk", true.into()), 2);
        assert_eq!(with("name", "-x".into()), 7);
        assert_eq!(with("mode", "macvlan".into()), 7);
        assert_eq!(with("ipMasqBackend", "iptables".into()), 2);
        assert_eq!(with("mtu", 10.into()), 7);
        assert_eq!(with("mtu", "big".into()), 7);
        assert_eq!(with("bridge", "a-name-longer-than-15".into()), 7);
        assert_eq!(with("ipam", "host-local".into()), 7);
        assert_eq!(with("allowOwnNetns", "yes".into()), 7);
        assert_eq!(
            with(
                "prevResult",
                serde_json::json!({"ips": [{"address": "nope"}]})
            ),
            6
        );
        let mut both = base.clone();
        both["hairpinMode"] = true.into();
        both["promiscMode"] = true.into();
        assert_eq!(parse(both).unwrap_err().code, 7);
        let mut nameless = base.clone();
        nameless.as_object_mut().unwrap().remove("name");
        assert_eq!(parse(nameless).unwrap_err().msg, "missing network name");
        // "Off" values of unimplemented fields are accepted.
        let mut off = base;
        off["macspoofchk"] = false.into();
        off["vlan"] = 0.into();
        assert!(parse(off).is_ok());
    }
}
