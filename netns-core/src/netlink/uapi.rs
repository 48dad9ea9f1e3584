//! The kernel's attribute numbers (uapi headers), in one place. libc has
//! only some of them on Linux (the `RTA_*`, used from there) and
//! netlink-packet-route keeps its own private; the values are ABI and never
//! change.

// linux/if_link.h: struct ifinfomsg attributes (IFLA_*)
pub(crate) const IFLA_ADDRESS: u16 = 1;
pub(crate) const IFLA_BROADCAST: u16 = 2;
pub(crate) const IFLA_IFNAME: u16 = 3;
pub(crate) const IFLA_MTU: u16 = 4;
pub(crate) const IFLA_LINK: u16 = 5;
pub(crate) const IFLA_QDISC: u16 = 6;
pub(crate) const IFLA_MASTER: u16 = 10;
pub(crate) const IFLA_TXQLEN: u16 = 13;
pub(crate) const IFLA_OPERSTATE: u16 = 16;
pub(crate) const IFLA_LINKMODE: u16 = 17;
pub(crate) const IFLA_LINKINFO: u16 = 18;
pub(crate) const IFLA_IFALIAS: u16 = 20;
pub(crate) const IFLA_GROUP: u16 = 27;
pub(crate) const IFLA_PROMISCUITY: u16 = 30;
pub(crate) const IFLA_CARRIER: u16 = 33;
pub(crate) const IFLA_LINK_NETNSID: u16 = 37;
pub(crate) const IFLA_MIN_MTU: u16 = 50;
pub(crate) const IFLA_MAX_MTU: u16 = 51;
pub(crate) const IFLA_PERM_ADDRESS: u16 = 54;
// IFLA_LINKINFO's nested attributes (IFLA_INFO_*)
pub(crate) const IFLA_INFO_KIND: u16 = 1;
pub(crate) const IFLA_INFO_SLAVE_KIND: u16 = 4;
// IFLA_PROTINFO's bridge port attributes (IFLA_BRPORT_*)
pub(crate) const IFLA_BRPORT_MODE: u16 = 4;

// linux/if_addr.h: struct ifaddrmsg attributes (IFA_*)
pub(crate) const IFA_ADDRESS: u16 = 1;
pub(crate) const IFA_LOCAL: u16 = 2;
pub(crate) const IFA_LABEL: u16 = 3;
pub(crate) const IFA_BROADCAST: u16 = 4;
pub(crate) const IFA_CACHEINFO: u16 = 6;
pub(crate) const IFA_FLAGS: u16 = 8;
pub(crate) const IFA_RT_PRIORITY: u16 = 9;
pub(crate) const IFA_PROTO: u16 = 11;

// linux/rtnetlink.h: struct rtmsg attributes (RTA_*)
pub(crate) const RTA_DST: u16 = nix::libc::RTA_DST;
pub(crate) const RTA_SRC: u16 = nix::libc::RTA_SRC;
pub(crate) const RTA_IIF: u16 = nix::libc::RTA_IIF;
pub(crate) const RTA_OIF: u16 = nix::libc::RTA_OIF;
pub(crate) const RTA_GATEWAY: u16 = nix::libc::RTA_GATEWAY;
pub(crate) const RTA_PRIORITY: u16 = nix::libc::RTA_PRIORITY;
pub(crate) const RTA_PREFSRC: u16 = nix::libc::RTA_PREFSRC;
pub(crate) const RTA_TABLE: u16 = nix::libc::RTA_TABLE;
pub(crate) const RTA_PREF: u16 = nix::libc::RTA_PREF;
pub(crate) const RTA_METRICS: u16 = nix::libc::RTA_METRICS;
pub(crate) const RTA_MULTIPATH: u16 = nix::libc::RTA_MULTIPATH;
pub(crate) const RTA_MARK: u16 = nix::libc::RTA_MARK;
/// `RTA_UID` (linux/rtnetlink.h; not in libc).
pub(crate) const RTA_UID: u16 = 25;
/// `RTA_VIA` (linux/rtnetlink.h): a gateway of another family, `struct
/// rtvia` (`rtvia_family`, then the address).
pub(crate) const RTA_VIA: u16 = 18;
/// `RTA_NH_ID` (linux/rtnetlink.h; not in libc).
pub(crate) const RTA_NH_ID: u16 = 30;
// linux/rtnetlink.h: RTA_METRICS members (RTAX_*)
pub(crate) const RTAX_MTU: u16 = 2;
pub(crate) const RTAX_ADVMSS: u16 = 8;
/// `RTM_F_FIB_MATCH`: `ip route get … fibmatch` (the FIB entry, not the
/// resolved route).
pub(crate) const RTM_F_FIB_MATCH: u32 = 0x2000;

// linux/net_namespace.h: RTM_*NSID attributes (NETNSA_*)
pub(crate) const NETNSA_NSID: u16 = 1;
pub(crate) const NETNSA_CURRENT_NSID: u16 = 5;

// linux/netlink.h: extended-ack attributes of NLMSG_ERROR (NLMSGERR_ATTR_*)
pub(crate) const NLMSGERR_ATTR_MSG: u16 = 1;
pub(crate) const NLMSGERR_ATTR_OFFS: u16 = 2;

// linux/neighbour.h: struct ndmsg attributes (NDA_*), flags (NTF_*)
pub(crate) const NDA_DST: u16 = 1;
pub(crate) const NDA_LLADDR: u16 = 2;
pub(crate) const NDA_CACHEINFO: u16 = 3;
pub(crate) const NDA_PROBES: u16 = 4;
pub(crate) const NDA_MASTER: u16 = 9;
pub(crate) const NDA_PROTOCOL: u16 = 12;
pub(crate) const NDA_FLAGS_EXT: u16 = 15;
pub(crate) const NTF_PROXY: u8 = 0x08;
pub(crate) const NTF_EXT_LEARNED: u8 = 0x10;
pub(crate) const NTF_OFFLOADED: u8 = 0x20;
pub(crate) const NTF_EXT_MANAGED: u32 = 0x01;
pub(crate) const NTF_ROUTER: u8 = 0x80;

// linux/fib_rules.h: struct fib_rule_hdr attributes (FRA_*), flags
pub(crate) const FRA_DST: u16 = 1;
pub(crate) const FRA_SRC: u16 = 2;
pub(crate) const FRA_IIFNAME: u16 = 3;
pub(crate) const FRA_GOTO: u16 = 4;
pub(crate) const FRA_PRIORITY: u16 = 6;
pub(crate) const FRA_FWMARK: u16 = 10;
pub(crate) const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
pub(crate) const FRA_TABLE: u16 = 15;
pub(crate) const FRA_FWMASK: u16 = 16;
pub(crate) const FRA_OIFNAME: u16 = 17;
pub(crate) const FRA_UID_RANGE: u16 = 20;
pub(crate) const FRA_PROTOCOL: u16 = 21;
pub(crate) const FRA_IP_PROTO: u16 = 22;
pub(crate) const FRA_SPORT_RANGE: u16 = 23;
pub(crate) const FRA_DPORT_RANGE: u16 = 24;
pub(crate) const FIB_RULE_INVERT: u32 = 0x2;
pub(crate) const FIB_RULE_UNRESOLVED: u32 = 0x4;
pub(crate) const FIB_RULE_IIF_DETACHED: u32 = 0x8;
pub(crate) const FIB_RULE_OIF_DETACHED: u32 = 0x10;

// linux/if_link.h: more IFLA_* (statistics, tun)
pub(crate) const IFLA_STATS64: u16 = 23;
pub(crate) const IFLA_INFO_DATA: u16 = 2;
// IFLA_INFO_DATA of kind "tun" (IFLA_TUN_*)
pub(crate) const IFLA_TUN_OWNER: u16 = 1;
pub(crate) const IFLA_TUN_GROUP: u16 = 2;
pub(crate) const IFLA_TUN_TYPE: u16 = 3;
pub(crate) const IFLA_TUN_PI: u16 = 4;
pub(crate) const IFLA_TUN_VNET_HDR: u16 = 5;
pub(crate) const IFLA_TUN_PERSIST: u16 = 6;
pub(crate) const IFLA_TUN_MULTI_QUEUE: u16 = 7;
pub(crate) const IFLA_TUN_NUM_QUEUES: u16 = 8;
pub(crate) const IFLA_TUN_NUM_DISABLED_QUEUES: u16 = 9;
