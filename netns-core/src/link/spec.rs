//! [`LinkSpec`]: a link to create, owned and complete, as every front end
//! describes it (the CLI's words, the C builders, Python's classes and
//! topologies all make one of these). Names in it — the master, a macvlan's
//! or vxlan's parent, the namespaces — are resolved here, by the core, when
//! the spec is sent ([`Handle::link_add`], [`Handle::links_add`]);
//! a crate-private borrowed encoder builds the message underneath.

use std::fmt;
use std::sync::Arc;

use super::change::LinkChange;
use super::create::{CreatedLink, LinkAdd, LinkOp, MacVlanMode, VxlanOptions};
use super::types::{validate_link_name, IfIndex, MacAddr};
use super::{DevTable, LinkId};
use crate::netlink::BatchError;
use crate::{Error, ErrorKind, Handle, NetNs, Registry, Result};

/// A link named in a spec: by name (looked up in the namespace of the handle
/// the spec is sent on) or by index. The owned form of [`LinkId`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Dev {
    /// By interface name.
    Name(String),
    /// By interface index.
    Index(IfIndex),
}

impl Dev {
    /// The borrowed identification, for calls that take a [`LinkId`].
    pub fn as_id(&self) -> LinkId<'_> {
        match self {
            Dev::Name(n) => LinkId::Name(n),
            Dev::Index(i) => LinkId::Index(*i),
        }
    }
}

impl From<&str> for Dev {
    fn from(name: &str) -> Dev {
        Dev::Name(name.to_owned())
    }
}

impl From<String> for Dev {
    fn from(name: String) -> Dev {
        Dev::Name(name)
    }
}

impl From<IfIndex> for Dev {
    fn from(index: IfIndex) -> Dev {
        Dev::Index(index)
    }
}

impl Dev {
    /// The device as `ip` takes it after `dev`: its name, or `#INDEX`.
    pub fn word(&self) -> String {
        match self {
            Dev::Name(n) => n.clone(),
            Dev::Index(i) => format!("#{i}"),
        }
    }
}

impl fmt::Display for Dev {
    /// How errors name it: `link "veth0"`, `link with index 5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_id().fmt(f)
    }
}

/// A network namespace named in a spec (`netns …`, a veth's peer's
/// namespace): already open, or a registry name or a pid, opened when the
/// spec is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetNsRef {
    /// A namespace already open (shared: a spec can be cloned and sent
    /// several times).
    Open(Arc<NetNs>),
    /// `ip link … netns NAME|PID`: the registry entry `NAME`
    /// ([`Registry::from_env`]); when there is none and the word is a
    /// number, the namespace of that process, as iproute2 does.
    Name(String),
    /// The namespace of process `PID`.
    Pid(i32),
}

impl From<NetNs> for NetNsRef {
    fn from(ns: NetNs) -> NetNsRef {
        NetNsRef::Open(Arc::new(ns))
    }
}

impl From<Arc<NetNs>> for NetNsRef {
    fn from(ns: Arc<NetNs>) -> NetNsRef {
        NetNsRef::Open(ns)
    }
}

impl NetNsRef {
    /// Opens the namespace (shares it when already open).
    ///
    /// # Errors
    /// As [`Registry::open`] / [`NetNs::open_pid`].
    pub fn open(&self) -> Result<Arc<NetNs>> {
        match self {
            NetNsRef::Open(ns) => Ok(Arc::clone(ns)),
            NetNsRef::Pid(pid) => NetNs::open_pid(*pid).map(Arc::new),
            NetNsRef::Name(name) => match Registry::from_env().open(name) {
                Ok(ns) => Ok(Arc::new(ns)),
                Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::InvalidName) => {
                    match name.parse::<i32>() {
                        Ok(pid) => NetNs::open_pid(pid).map(Arc::new),
                        Err(_) => Err(e),
                    }
                }
                Err(e) => Err(e),
            },
        }
    }
}

impl fmt::Display for NetNsRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetNsRef::Open(ns) => write!(f, "net:[{}]", ns.inode()),
            NetNsRef::Name(n) => write!(f, "{n}"),
            NetNsRef::Pid(p) => write!(f, "{p}"),
        }
    }
}

/// A veth's other end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VethPeer {
    /// Its name; `None` takes the first free `vethN`, as `ip link add … type
    /// veth` does.
    pub name: Option<String>,
    /// Where it is born (its own `IFLA_NET_NS_FD`); never created here and
    /// moved.
    pub netns: Option<NetNsRef>,
    /// `IFLA_ADDRESS`.
    pub mac: Option<MacAddr>,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_TXQLEN`.
    pub txqlen: Option<u32>,
    /// `IFLA_GROUP`.
    pub group: Option<u32>,
}

impl VethPeer {
    /// A peer named `name`.
    pub fn named(name: impl Into<String>) -> VethPeer {
        VethPeer {
            name: Some(name.into()),
            ..VethPeer::default()
        }
    }
}

impl VethPeer {
    /// Born in `netns`.
    pub fn netns(mut self, netns: impl Into<NetNsRef>) -> VethPeer {
        self.netns = Some(netns.into());
        self
    }
    /// Sets its MAC address.
    pub fn mac(mut self, mac: MacAddr) -> VethPeer {
        self.mac = Some(mac);
        self
    }
    /// Sets its MTU.
    pub fn mtu(mut self, mtu: u32) -> VethPeer {
        self.mtu = Some(mtu);
        self
    }
    /// Sets its transmit queue length.
    pub fn txqlen(mut self, txqlen: u32) -> VethPeer {
        self.txqlen = Some(txqlen);
        self
    }
    /// Sets its link group.
    pub fn group(mut self, group: u32) -> VethPeer {
        self.group = Some(group);
        self
    }
}

impl From<&str> for VethPeer {
    fn from(name: &str) -> VethPeer {
        VethPeer::named(name)
    }
}

impl From<&String> for VethPeer {
    fn from(name: &String) -> VethPeer {
        VethPeer::named(name.as_str())
    }
}

impl From<String> for VethPeer {
    fn from(name: String) -> VethPeer {
        VethPeer::named(name)
    }
}

/// The kind of link a [`LinkSpec`] creates, with what is its own.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkKind {
    /// A veth pair (`veth`).
    Veth(VethPeer),
    /// A bridge (`bridge`).
    Bridge,
    /// A dummy device (`dummy`).
    Dummy,
    /// An intermediate functional block (`ifb`).
    Ifb,
    /// A macvlan on `parent` (`macvlan`).
    MacVlan {
        /// The lower device.
        parent: Dev,
        /// Its mode.
        mode: MacVlanMode,
    },
    /// A vxlan (`vxlan`): `options.parent` is ignored, `parent` is used.
    Vxlan {
        /// The network identifier (24 bits).
        vni: u32,
        /// The underlay device (`dev PARENT`).
        parent: Option<Dev>,
        /// Port, addresses, ttl, learning.
        options: VxlanOptions,
    },
    /// Any other driver by name, with no kind-specific data.
    Other(String),
}

impl LinkKind {
    /// The driver name (`veth`, `bridge` …).
    pub fn name(&self) -> &str {
        match self {
            LinkKind::Veth(_) => "veth",
            LinkKind::Bridge => "bridge",
            LinkKind::Dummy => "dummy",
            LinkKind::Ifb => "ifb",
            LinkKind::MacVlan { .. } => "macvlan",
            LinkKind::Vxlan { .. } => "vxlan",
            LinkKind::Other(k) => k,
        }
    }
}

/// A link to create (`RTM_NEWLINK` with `NLM_F_CREATE|NLM_F_EXCL`), owned:
/// what `ip link add NAME [address A] [mtu N] [txqlen N] [master BR] [group
/// N] [netns NS] [up] type KIND …` says.
///
/// # Examples
/// ```no_run
/// use netns_core::link::{LinkKind, LinkSpec, NetNsRef, VethPeer};
/// let mut h = netns_core::Handle::current()?;
/// let mut peer = VethPeer::named("eth0");
/// peer.netns = Some(NetNsRef::Name("blue".into()));
/// h.link_add(&LinkSpec::new("veth0", LinkKind::Veth(peer)).up(true))?;
/// h.link_add(&LinkSpec::bridge("br0"))?;
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LinkSpec {
    /// The new link's name.
    pub name: String,
    /// Its kind and kind-specific data.
    pub kind: LinkKind,
    /// Where it is born (`IFLA_NET_NS_FD`); for a veth, the first end.
    pub netns: Option<NetNsRef>,
    /// `IFLA_ADDRESS`.
    pub mac: Option<MacAddr>,
    /// `IFLA_MTU`.
    pub mtu: Option<u32>,
    /// `IFLA_TXQLEN`.
    pub txqlen: Option<u32>,
    /// `IFLA_MASTER`: the bridge it is a port of.
    pub master: Option<Dev>,
    /// `IFLA_GROUP`.
    pub group: Option<u32>,
    /// Up in the same message.
    pub up: bool,
}

impl LinkSpec {
    /// A link `name` of `kind`, every option unset.
    pub fn new(name: impl Into<String>, kind: LinkKind) -> LinkSpec {
        LinkSpec {
            name: name.into(),
            kind,
            netns: None,
            mac: None,
            mtu: None,
            txqlen: None,
            master: None,
            group: None,
            up: false,
        }
    }

    /// A veth pair: `name` and its peer (a name, or a [`VethPeer`] with
    /// its own namespace, MAC, MTU …).
    pub fn veth(name: impl Into<String>, peer: impl Into<VethPeer>) -> LinkSpec {
        LinkSpec::new(name, LinkKind::Veth(peer.into()))
    }
    /// A bridge.
    pub fn bridge(name: impl Into<String>) -> LinkSpec {
        LinkSpec::new(name, LinkKind::Bridge)
    }
    /// A dummy device.
    pub fn dummy(name: impl Into<String>) -> LinkSpec {
        LinkSpec::new(name, LinkKind::Dummy)
    }
    /// An ifb device.
    pub fn ifb(name: impl Into<String>) -> LinkSpec {
        LinkSpec::new(name, LinkKind::Ifb)
    }
    /// A macvlan on `parent`.
    pub fn macvlan(name: impl Into<String>, parent: impl Into<Dev>, mode: MacVlanMode) -> LinkSpec {
        LinkSpec::new(
            name,
            LinkKind::MacVlan {
                parent: parent.into(),
                mode,
            },
        )
    }
    /// A vxlan with network identifier `vni`, on `options.parent`'s
    /// device when [`LinkKind::Vxlan`]'s `parent` is set.
    pub fn vxlan(name: impl Into<String>, vni: u32, options: VxlanOptions) -> LinkSpec {
        LinkSpec::new(
            name,
            LinkKind::Vxlan {
                vni,
                parent: None,
                options,
            },
        )
    }

    /// Sets [`LinkSpec::up`].
    pub fn up(mut self, up: bool) -> LinkSpec {
        self.up = up;
        self
    }
    /// Born in `netns` (for a veth, the first end).
    pub fn netns(mut self, netns: impl Into<NetNsRef>) -> LinkSpec {
        self.netns = Some(netns.into());
        self
    }
    /// Sets the MAC address.
    pub fn mac(mut self, mac: MacAddr) -> LinkSpec {
        self.mac = Some(mac);
        self
    }
    /// Sets the MTU.
    pub fn mtu(mut self, mtu: u32) -> LinkSpec {
        self.mtu = Some(mtu);
        self
    }
    /// Sets the transmit queue length.
    pub fn txqlen(mut self, txqlen: u32) -> LinkSpec {
        self.txqlen = Some(txqlen);
        self
    }
    /// A port of bridge `master`.
    pub fn master(mut self, master: impl Into<Dev>) -> LinkSpec {
        self.master = Some(master.into());
        self
    }
    /// Sets the link group.
    pub fn group(mut self, group: u32) -> LinkSpec {
        self.group = Some(group);
        self
    }
    /// A veth's peer born in `netns` (ignored for other kinds, which have
    /// no peer).
    pub fn peer_netns(mut self, netns: impl Into<NetNsRef>) -> LinkSpec {
        if let LinkKind::Veth(peer) = &mut self.kind {
            peer.netns = Some(netns.into());
        }
        self
    }

    /// Checks what can be checked without the kernel: the names, a veth
    /// peer's name, the VNI.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] naming the link and what is wrong.
    pub fn validate(&self) -> Result<()> {
        let ctx = |e: Error| e.context("add", self.to_string());
        validate_link_name(&self.name).map_err(ctx)?;
        match &self.kind {
            LinkKind::Veth(VethPeer { name: Some(p), .. }) => {
                validate_link_name(p).map_err(|e| {
                    let why = format!("peer {p:?}: {}", e.detail().unwrap_or("invalid name"));
                    ctx(e).with_detail(why)
                })?;
            }
            LinkKind::Vxlan { vni, .. } if *vni >= 1 << 24 => {
                return Err(
                    Error::new(ErrorKind::InvalidArgument, "add", self.to_string())
                        .with_detail(format!("VNI {vni} does not fit in 24 bits")),
                )
            }
            _ => {}
        }
        let peer_mac = match &self.kind {
            LinkKind::Veth(peer) => peer.mac,
            _ => None,
        };
        for mac in [self.mac, peer_mac].into_iter().flatten() {
            mac.check_unicast("add", self)?;
        }
        for dev in self.devs().into_iter().flatten() {
            if let Dev::Name(n) = dev {
                super::validate_altname(n).map_err(ctx)?;
            }
        }
        Ok(())
    }

    /// The devices the spec names: master, parent.
    fn devs(&self) -> [Option<&Dev>; 2] {
        let parent = match &self.kind {
            LinkKind::MacVlan { parent, .. } => Some(parent),
            LinkKind::Vxlan { parent, .. } => parent.as_ref(),
            _ => None,
        };
        [self.master.as_ref(), parent]
    }
}

impl fmt::Display for LinkSpec {
    /// How errors name the link: `link "veth0" (veth)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "link {:?} ({})", self.name, self.kind.name())
    }
}

/// One entry of [`Handle::links_apply`]: a link to create, or a link to
/// bring up or down (one `RTM_SETLINK` naming it: no lookup), owned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkRequest {
    /// Create a link (its echo gives its indexes).
    Add(LinkSpec),
    /// Bring `dev` up (`true`) or down.
    SetUp(Dev, bool),
}

/// What a spec's names resolved to.
struct Resolved {
    netns: Option<Arc<NetNs>>,
    peer_netns: Option<Arc<NetNs>>,
    peer_name: String,
    master: Option<IfIndex>,
    parent: Option<IfIndex>,
}

impl Resolved {
    /// The message encoder for `spec` with these resolutions.
    fn encoder<'a>(&'a self, spec: &'a LinkSpec) -> Result<LinkAdd<'a>> {
        let name = spec.name.as_str();
        let mut add = match &spec.kind {
            LinkKind::Veth(peer) => {
                let mut add = LinkAdd::veth(name, &self.peer_name);
                if let Some(ns) = &self.peer_netns {
                    add = add.peer_netns(ns);
                }
                if let Some(a) = peer.mac {
                    add = add.peer_mac(a);
                }
                if let Some(m) = peer.mtu {
                    add = add.peer_mtu(m);
                }
                if let Some(q) = peer.txqlen {
                    add = add.peer_txqlen(q);
                }
                if let Some(g) = peer.group {
                    add = add.peer_group(g);
                }
                add
            }
            LinkKind::Bridge => LinkAdd::bridge(name),
            LinkKind::Dummy => LinkAdd::dummy(name),
            LinkKind::Ifb => LinkAdd::ifb(name),
            LinkKind::MacVlan { mode, .. } => {
                let parent = self.parent.ok_or_else(|| {
                    Error::new(ErrorKind::InvalidArgument, "add", spec.to_string())
                        .with_detail("macvlan needs a lower device")
                })?;
                LinkAdd::macvlan(name, parent, *mode)
            }
            LinkKind::Vxlan { vni, options, .. } => {
                let mut options = options.clone();
                options.parent = self.parent;
                LinkAdd::vxlan(name, *vni, options)
            }
            LinkKind::Other(kind) => LinkAdd::other(name, kind),
        };
        if let Some(ns) = &self.netns {
            add = add.netns(ns);
        }
        if let Some(a) = spec.mac {
            add = add.mac(a);
        }
        if let Some(m) = spec.mtu {
            add = add.mtu(m);
        }
        if let Some(q) = spec.txqlen {
            add = add.txqlen(q);
        }
        if let Some(m) = self.master {
            add = add.master(m);
        }
        if let Some(g) = spec.group {
            add = add.group(g);
        }
        if spec.up {
            add = add.up();
        }
        Ok(add)
    }
}

impl Handle {
    /// Creates the link `spec` describes: its names resolved in this
    /// handle's namespace (the master and parent by `RTM_GETLINK`, an unnamed
    /// veth peer as the first free `vethN` by one link dump), its
    /// namespaces opened, then one `RTM_NEWLINK` with
    /// `NLM_F_CREATE|NLM_F_EXCL`, acknowledged by the kernel.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] before the kernel (names, VNI, MAC);
    /// [`ErrorKind::NotFound`] for a master, parent or namespace that does
    /// not exist; [`ErrorKind::AlreadyExists`] when a link of that name
    /// exists; [`ErrorKind::Unsupported`] when the kernel has no such driver
    /// (`cannot add link "d0" (dummy): not supported (kernel: Unknown device
    /// type.)`); any other refusal with the kernel's text.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::LinkSpec;
    /// let pod = netns_core::NetNs::new_anonymous()?;
    /// let mut h = netns_core::Handle::current()?;
    /// h.link_add(&LinkSpec::veth("veth0", "eth0").peer_netns(pod).up(true))?;
    /// # Ok::<(), netns_core::Error>(())
    /// ```
    #[doc(alias = "RTM_NEWLINK")]
    #[doc(alias = "ip link add")]
    pub fn link_add(&mut self, spec: &LinkSpec) -> Result<()> {
        let resolved = self.resolve_spec(spec, &DevTable::default())?;
        let add = resolved.encoder(spec)?;
        self.link_add_encoded(&add)
    }

    /// Creates every link of `specs` in one batch (as few `send` calls as
    /// possible), returning the indexes the kernel gave each (from its
    /// echo: no lookup by name afterwards). Names are resolved first, with
    /// one link dump for all of them when there are more than a few;
    /// nothing is sent if one cannot be.
    ///
    /// # Errors
    /// A [`BatchError`]: the index of the first spec that failed, how many
    /// were sent, and the error; the links before it were created.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::LinkSpec;
    /// let mut h = netns_core::Handle::current()?;
    /// let specs: Vec<LinkSpec> =
    ///     (0..100).map(|i| LinkSpec::veth(format!("a{i}"), format!("b{i}"))).collect();
    /// let created = h.links_add(&specs)?;
    /// let b0 = created[0].peer; // b0's index
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn links_add(&mut self, specs: &[LinkSpec]) -> Result<Vec<CreatedLink>, BatchError> {
        let mut created = Vec::new();
        self.links_send(specs.iter().map(Some), |_| None, &mut created)?;
        Ok(created)
    }

    /// Creates links and brings links up or down in one batch, in order,
    /// with as few `send` calls as possible (e.g. `lo up` and a namespace's
    /// veth in one `send`), writing for each entry into `created` (cleared
    /// first, its allocation reused) the indexes the kernel gave what it
    /// created (default for a change), from its echo. The specs' names are
    /// resolved first (one link dump for all of them when there are more
    /// than a few); nothing is sent if one cannot be.
    ///
    /// # Errors
    /// A [`BatchError`]: the index of the first entry that failed, how many
    /// were sent; `created` keeps the indexes of what the entries before it
    /// created.
    ///
    /// # Examples
    /// ```no_run
    /// use netns_core::link::{LinkRequest, LinkSpec};
    /// let root = netns_core::NetNs::current()?;
    /// let (_pod, mut h) = netns_core::NetNs::new_anonymous_with_handle()?;
    /// let mut created = Vec::new();
    /// h.links_apply(
    ///     &[
    ///         LinkRequest::SetUp("lo".into(), true),
    ///         LinkRequest::Add(LinkSpec::veth("eth0", "veth7").peer_netns(root).up(true)),
    ///     ],
    ///     &mut created,
    /// )?;
    /// let host_end = created[1].peer; // veth7's index in the root namespace
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn links_apply(
        &mut self,
        requests: &[LinkRequest],
        created: &mut Vec<CreatedLink>,
    ) -> Result<(), BatchError> {
        fn spec_of(r: &LinkRequest) -> Option<&LinkSpec> {
            match r {
                LinkRequest::Add(s) => Some(s),
                LinkRequest::SetUp(..) => None,
            }
        }
        let change_of = |i: usize| match &requests[i] {
            LinkRequest::SetUp(dev, up) => Some((dev, *up)),
            LinkRequest::Add(_) => None,
        };
        self.links_send(requests.iter().map(spec_of), change_of, created)
    }

    /// The one batching path of link creation: entry `i` creates
    /// `specs[i]` when it is `Some`, else brings `change_of(i)` up or down.
    /// Every name is resolved and every message encoded before anything is
    /// sent.
    fn links_send<'s>(
        &mut self,
        specs: impl Iterator<Item = Option<&'s LinkSpec>> + Clone,
        change_of: impl Fn(usize) -> Option<(&'s Dev, bool)>,
        created: &mut Vec<CreatedLink>,
    ) -> Result<(), BatchError> {
        let fail = BatchError::unsent;
        let table = self
            .dev_table(
                specs
                    .clone()
                    .flatten()
                    .flat_map(|s| s.devs().into_iter().flatten()),
            )
            .map_err(fail(0))?;
        let mut resolved = Vec::new();
        for (i, spec) in specs.clone().enumerate() {
            resolved.push(match spec {
                Some(spec) => Some(self.resolve_spec(spec, &table).map_err(fail(i))?),
                None => None,
            });
        }
        let mut ops = Vec::with_capacity(resolved.len());
        for (i, (spec, res)) in specs.zip(&resolved).enumerate() {
            ops.push(match (spec, res, change_of(i)) {
                (Some(spec), Some(res), _) => LinkOp::Add(res.encoder(spec).map_err(fail(i))?),
                (_, _, Some((dev, up))) => {
                    let change = LinkChange::new(dev.as_id());
                    LinkOp::Change(if up { change.up() } else { change.down() })
                }
                _ => unreachable!("an entry is a spec or a change"),
            });
        }
        self.links_batch_into(&ops, created)
    }

    /// Resolves `spec`'s names (through `table`, the batch's devices).
    fn resolve_spec(&mut self, spec: &LinkSpec, table: &DevTable) -> Result<Resolved> {
        spec.validate()?;
        // The spec names the operation; what could not be resolved goes in
        // the detail (`cannot add link "v0" (veth): not found: network
        // namespace of process 4194304`).
        let ctx = |e: Error| {
            let what = match e.detail() {
                Some(d) if !e.object().is_empty() => format!("{}: {d}", e.object()),
                Some(d) => d.to_owned(),
                None => e.object().to_owned(),
            };
            e.context("add", spec.to_string()).with_detail(what)
        };
        let [master, parent] = spec.devs();
        let master = master
            .map(|d| self.dev_index_in(table, d))
            .transpose()
            .map_err(ctx)?;
        let parent = parent
            .map(|d| self.dev_index_in(table, d))
            .transpose()
            .map_err(ctx)?;
        let netns = spec
            .netns
            .as_ref()
            .map(NetNsRef::open)
            .transpose()
            .map_err(ctx)?;
        let (peer_name, peer_netns) = match &spec.kind {
            LinkKind::Veth(peer) => {
                let name = match &peer.name {
                    Some(n) => n.clone(),
                    None => self.first_free_veth_name(&spec.name).map_err(ctx)?,
                };
                let ns = peer
                    .netns
                    .as_ref()
                    .map(NetNsRef::open)
                    .transpose()
                    .map_err(ctx)?;
                (name, ns)
            }
            _ => (String::new(), None),
        };
        Ok(Resolved {
            netns,
            peer_netns,
            peer_name,
            master,
            parent,
        })
    }

    /// The first `vethN` that no link of this namespace has and that is not
    /// `own` (the first end's name), as the kernel names an unnamed veth
    /// peer (which, unlike this, can pick the first end's own name: `ip link
    /// add veth0 type veth` fails with "File exists").
    fn first_free_veth_name(&mut self, own: &str) -> Result<String> {
        let taken: std::collections::HashSet<String> =
            self.links()?.map(|l| l.name().to_owned()).collect();
        Ok((0..)
            .map(|i| format!("veth{i}"))
            .find(|n| n != own && !taken.contains(n))
            .unwrap_or_else(|| "veth".to_owned()))
    }
}
