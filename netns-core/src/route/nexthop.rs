//! The paths of a multipath route (`nexthop via GW dev X weight N`):
//! [`NextHop`], as a spec gives it and as a dump reads it back
//! (`RTA_MULTIPATH`, a list of `struct rtnexthop` each followed by its own
//! attributes), and its encoding.

#[allow(clippy::wildcard_imports)]
use super::*;
use netlink_packet_route::route::{RouteNextHop, RouteNextHopFlags};

/// `sizeof(struct rtnexthop)`: `rtnh_len` (u16), `rtnh_flags` (u8),
/// `rtnh_hops` (u8), `rtnh_ifindex` (i32).
const RTNEXTHOP_LEN: usize = 8;

/// One path of a multipath route: `nexthop via GW dev X weight N onlink`.
///
/// # Examples
/// ```
/// use netns_core::route::{NextHop, RouteSpec};
/// let spec = RouteSpec::towards("10.9.0.0/16")?
///     .nexthop(NextHop::via("10.1.1.2".parse().unwrap()).dev("veth0").weight(2))
///     .nexthop(NextHop::via("10.2.2.2".parse().unwrap()).dev("veth1"));
/// assert_eq!(
///     spec.to_string(),
///     "10.9.0.0/16 nexthop via 10.1.1.2 dev veth0 weight 2 nexthop via 10.2.2.2 dev veth1"
/// );
/// # Ok::<(), netns_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct NextHop {
    /// `via`: the gateway.
    pub gateway: Option<IpAddr>,
    /// `dev`: the output device (by index when read from the kernel).
    pub dev: Option<Dev>,
    /// `weight` (1 to 256; the kernel's `rtnh_hops` is one less); `None`
    /// is 1.
    pub weight: Option<u16>,
    /// `rtnh_flags`: `onlink` when set by a spec ([`RTNH_F_ONLINK`]); as
    /// the kernel reports them when read (`dead`, `linkdown` …).
    pub flags: u32,
}

impl NextHop {
    /// A path through gateway `gateway`.
    pub fn via(gateway: IpAddr) -> NextHop {
        NextHop {
            gateway: Some(gateway),
            ..NextHop::default()
        }
    }
    /// A path out of `dev` (no gateway).
    pub fn out(dev: impl Into<Dev>) -> NextHop {
        NextHop {
            dev: Some(dev.into()),
            ..NextHop::default()
        }
    }
    /// Sets the output device.
    pub fn dev(mut self, dev: impl Into<Dev>) -> NextHop {
        self.dev = Some(dev.into());
        self
    }
    /// Sets the weight (1 to 256).
    pub fn weight(mut self, weight: u16) -> NextHop {
        self.weight = Some(weight);
        self
    }
    /// `onlink`: the gateway is on the link even without a route to it.
    pub fn onlink(mut self, on: bool) -> NextHop {
        if on {
            self.flags |= RTNH_F_ONLINK;
        } else {
            self.flags &= !RTNH_F_ONLINK;
        }
        self
    }

    /// Checks the weight and that the path says where to go.
    pub(super) fn validate(&self, route: &dyn fmt::Display) -> Result<()> {
        let refuse = |why: String| {
            Err(
                Error::new(ErrorKind::InvalidArgument, "use", format!("route {route}"))
                    .with_detail(why),
            )
        };
        if let Some(w) = self.weight {
            if !(1..=256).contains(&w) {
                return refuse(format!("weight {w} is not from 1 to 256"));
            }
        }
        if self.gateway.is_none() && self.dev.is_none() {
            return refuse("a nexthop needs \"via\" or \"dev\"".to_owned());
        }
        if let Some(Dev::Name(n)) = &self.dev {
            crate::link::validate_dev(&Dev::Name(n.clone()))?;
        }
        Ok(())
    }

    /// The `struct rtnexthop` and its gateway (`RTA_VIA` when not of the
    /// route's `family`), the device resolved to `oif`.
    pub(super) fn encode(&self, oif: Option<IfIndex>, family: Family) -> RouteNextHop {
        let mut attributes = Vec::new();
        if let Some(gw) = self.gateway {
            attributes.push(gateway_attribute(gw, family));
        }
        let mut hop = RouteNextHop::default();
        hop.flags = RouteNextHopFlags::from_bits_retain(self.flags as u8);
        hop.hops = u8::try_from(self.weight.unwrap_or(1).saturating_sub(1)).unwrap_or(u8::MAX);
        hop.interface_index = oif.map_or(0, IfIndex::get);
        hop.attributes = attributes;
        hop
    }
}

impl NextHop {
    /// The path as `ip` writes it in a route of `family`: `nexthop via inet6
    /// fe80::1 dev veth0` for a gateway of the other family.
    pub fn words(&self, family: Option<Family>) -> String {
        struct Words<'a>(&'a NextHop, Option<Family>);
        impl fmt::Display for Words<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write(f, self.1)
            }
        }
        Words(self, family).to_string()
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, family: Option<Family>) -> fmt::Result {
        f.write_str("nexthop")?;
        if let Some(gw) = self.gateway {
            write!(f, " via {}", gateway_words(gw, family))?;
        }
        if let Some(d) = &self.dev {
            write!(f, " dev {}", d.word())?;
        }
        if let Some(w) = self.weight.filter(|w| *w != 1) {
            write!(f, " weight {w}")?;
        }
        if self.flags & RTNH_F_ONLINK != 0 {
            f.write_str(" onlink")?;
        }
        Ok(())
    }
}

impl fmt::Display for NextHop {
    /// `nexthop via 10.1.1.2 dev veth0 weight 2 onlink`, as `ip` writes it
    /// (a gateway bare; see [`NextHop::words`] for `via inet6`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, None)
    }
}

/// The paths of an `RTA_MULTIPATH` value, read in place.
#[derive(Debug, Clone)]
pub struct NextHops<'a> {
    rest: &'a [u8],
}

impl<'a> NextHops<'a> {
    pub(super) fn new(value: &'a [u8]) -> NextHops<'a> {
        NextHops { rest: value }
    }
}

impl Iterator for NextHops<'_> {
    type Item = NextHop;

    fn next(&mut self) -> Option<NextHop> {
        let head = self.rest.get(..RTNEXTHOP_LEN)?;
        let len = usize::from(u16::from_ne_bytes([head[0], head[1]]));
        if len < RTNEXTHOP_LEN || len > self.rest.len() {
            self.rest = &[];
            return None;
        }
        let attrs = &self.rest[RTNEXTHOP_LEN..len];
        let index = u32::from_ne_bytes([head[4], head[5], head[6], head[7]]);
        self.rest = self.rest.get(attr::align(len)..).unwrap_or(&[]);
        Some(NextHop {
            gateway: gateway_in(attrs),
            dev: IfIndex::new(index).map(Dev::Index),
            weight: Some(u16::from(head[3]) + 1),
            flags: u32::from(head[2]),
        })
    }
}
