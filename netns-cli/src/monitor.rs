//! `netns monitor OBJECT…`: `ip monitor`'s events (links, addresses,
//! routes, neighbours, rules, nsids) of one namespace, printed as `ip
//! monitor` prints them, from netns-core's event subscription.
//! (`netns monitor` with no object watches namespace names, as `ip netns
//! monitor`: see `netns.rs`.)

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use netns_core::event::{EventGroup, EventRef, ObjectRef, Subscription};
use netns_core::link::{IfIndex, LinkFlags};
use netns_core::Handle;

use crate::neigh::{failure, usage};
use crate::output::{self, Failure, Group, Outcome, Stage};
use crate::{Context, Usage};

/// What `monitor` watches: the groups, and the words given (`all` labels
/// each line, `[LINK]` …, as ip does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonitorCommand {
    /// The kernel's multicast groups.
    pub groups: Vec<EventGroup>,
    /// The words as given (for the round trip).
    pub words: Vec<String>,
}

/// Parses the objects of `netns monitor OBJECT…` (`link`, `address`,
/// `route`, `neigh`, `rule`, `nsid`, `all`; unique prefixes as ip takes
/// them).
pub(crate) fn parse(args: &[String]) -> Result<MonitorCommand, Usage> {
    const OBJECTS: [&str; 7] = ["all", "link", "address", "route", "neigh", "rule", "nsid"];
    let mut groups = Vec::new();
    let mut words = Vec::new();
    for a in args {
        let word = OBJECTS
            .iter()
            .find(|o| !a.is_empty() && o.starts_with(a.as_str()))
            .ok_or_else(|| {
                usage(&format!(
                    "Argument \"{a}\" is unknown, try \"netns monitor help\"."
                ))
            })?;
        for g in EventGroup::from_word(word).map_err(|e| usage(&e.to_string()))? {
            if !groups.contains(&g) {
                groups.push(g);
            }
        }
        words.push((*word).to_owned());
    }
    Ok(MonitorCommand { groups, words })
}

/// Names of the links of the namespace, kept up to date from link events.
struct Names {
    known: HashMap<IfIndex, (String, LinkFlags)>,
}

impl Names {
    fn load(h: &mut Handle) -> netns_core::Result<Names> {
        let known = h
            .links()?
            .map(|l| (l.index(), (l.name().to_owned(), l.flags())))
            .collect();
        Ok(Names { known })
    }
    fn by_number(&self) -> BTreeMap<u32, String> {
        self.known
            .iter()
            .map(|(i, (n, _))| (i.get(), n.clone()))
            .collect()
    }
    fn name(&self, index: u32) -> String {
        IfIndex::new(index)
            .and_then(|i| self.known.get(&i))
            .map_or_else(|| format!("if{index}"), |(n, _)| n.clone())
    }
    /// Learns the name of link `index` when it is not known yet (as ip's
    /// `ll_index_to_name` asks the kernel): one `RTM_GETLINK`.
    fn learn(&mut self, h: &mut Handle, index: u32) {
        let Some(i) = IfIndex::new(index) else { return };
        if self.known.contains_key(&i) {
            return;
        }
        if let Ok(l) = h.link_by_index(i) {
            self.known.insert(i, (l.name, l.flags));
        }
    }
}

/// The link an event names (its device), to learn its name first.
fn index_of(o: &ObjectRef<'_>) -> Option<u32> {
    match o {
        ObjectRef::Address(a) => Some(a.ifindex()),
        ObjectRef::Route(r) => r.oif(),
        ObjectRef::Neigh(n) => Some(n.ifindex()),
        _ => None,
    }
}

/// Runs `monitor OBJECT…` until interrupted or stdout closes; returns the
/// exit status.
pub(crate) fn execute(ctx: &Context, cmd: &MonitorCommand) -> u8 {
    output::status(watch(ctx, cmd))
}

fn watch(ctx: &Context, cmd: &MonitorCommand) -> Outcome {
    let open = |e| Failure::new(Group::NeighRule, Stage::Open, e);
    let mut sub = match &ctx.netns {
        Some(name) => ctx
            .registry
            .open(name)
            .and_then(|ns| ns.subscribe(&cmd.groups))
            .map_err(open)?,
        None => Subscription::current(&cmd.groups).map_err(open)?,
    };
    let mut names = Names::load(sub.handle()).map_err(failure)?;
    // ip 6.1 labels the lines (`[LINK]` …) only for `ip monitor all`.
    let label = cmd.words.iter().any(|w| w == "all");
    let mut out = std::io::stdout().lock();
    loop {
        let text = match sub.next_with_handle(None).map_err(failure)? {
            None => continue,
            Some((EventRef::Overrun, _)) => None,
            Some((EventRef::New(o), h)) => {
                // A device first seen in an address, route or neighbour
                // event is looked up before it is printed.
                if let Some(i) = index_of(&o) {
                    names.learn(h, i);
                }
                Some(render(&o, false, label, &mut names))
            }
            Some((EventRef::Del(o), h)) => {
                if let Some(i) = index_of(&o) {
                    names.learn(h, i);
                }
                Some(render(&o, true, label, &mut names))
            }
            Some(_) => continue,
        };
        let Some(text) = text else {
            eprintln!("netns: events were lost (the kernel's queue overflowed); listing again");
            drop(sub.resync().map_err(failure)?);
            names = Names::load(sub.handle()).map_err(failure)?;
            continue;
        };
        if out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return Ok(());
        }
    }
}

/// One event as `ip monitor` prints it.
fn render(o: &ObjectRef<'_>, deleted: bool, label: bool, names: &mut Names) -> String {
    let (tag, body) = match o {
        ObjectRef::Link(l) => {
            if deleted {
                names.known.remove(&l.index());
            } else {
                names
                    .known
                    .insert(l.index(), (l.name().to_owned(), l.flags()));
            }
            ("[LINK]", crate::link::link_event_text(l, &names.known))
        }
        ObjectRef::Address(a) => (
            "[ADDR]",
            format!(
                "{}: {}{}",
                a.ifindex(),
                names.name(a.ifindex()),
                crate::addr::address_text(a)
            ),
        ),
        ObjectRef::Route(r) => (
            "[ROUTE]",
            crate::route::route_text(r, &names.by_number(), true, &[]),
        ),
        ObjectRef::Neigh(n) => {
            let dev = names.name(n.ifindex());
            ("[NEIGH]", format!("{} \n", n.display(Some(&dev))))
        }
        ObjectRef::Rule(r) => ("[RULE]", format!("{}\n", r.display())),
        ObjectRef::Nsid(n) => (
            "[NSID]",
            match n.nsid {
                Some(id) => format!("nsid {id}\n"),
                None => "nsid unassigned\n".to_owned(),
            },
        ),
        _ => ("", String::new()),
    };
    let mut line = String::new();
    if label {
        line.push_str(tag);
    }
    if deleted {
        line.push_str("Deleted ");
    }
    line.push_str(&body);
    line
}
