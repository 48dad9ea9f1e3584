//! Benchmark runners (see bench/README.md): each subcommand performs one
//! workload inside the sandbox it is started in and prints one JSON line with
//! what it counted and how long the workload itself took.
//!
//! ```text
//! netns-bench w netns N          W(N) with netns-core
//! netns-bench w rtnetlink N      W(N) with rtnetlink 0.24 (feature `anchors`)
//! netns-bench w floor N          W(N) with the same messages and only the necessary syscalls
//! netns-bench names N            N named namespaces (for the listing benchmark), each with an nsid
//! netns-bench dump-setup NS P    namespace NS with P veth pairs, an address on every link
//! netns-bench dump netns NS      list every link and address of NS with netns-core
//! netns-bench dump rtnetlink NS  the same with rtnetlink 0.24 (feature `anchors`)
//! netns-bench latency K          K single adds of a namespace, a veth, an address
//! netns-bench measure CMD ARG…   runs CMD, then prints its wall time and rusage
//! netns-bench events-gen N       N ifb links, then an address on each (events.rs)
//! netns-bench events-recv [BYTES] count link and address events until idle
//! netns-bench dump10k-setup N    N permanent neighbours and N routes (dump10k.rs)
//! netns-bench dump10k ROUNDS     dumps of those, timed, allocations counted
//! ```

mod alloc;
mod dump;
mod dump10k;
mod events;
mod floor;
mod latency;
mod measure;
mod names;
#[cfg(feature = "anchors")]
mod rtnl;
mod scale_cpu;
mod w;

use std::net::Ipv4Addr;
use std::process::ExitCode;

/// A boxed error: runners only report.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// W(N)'s namespace `i`.
pub fn ns_name(i: usize) -> String {
    format!("bns{i}")
}

/// W(N)'s host end of veth pair `i` (the end in the root namespace).
pub fn host_name(i: usize) -> String {
    format!("bv{i}")
}

/// How many host ends a W runner brings up (and addresses it adds) per
/// batch call: bounds the memory of the owned requests.
pub const CHUNK: usize = 1024;

/// The name of the veth end inside every namespace.
pub const INNER: &str = "eth0";

/// W(N)'s address of host end `i`: 10.77.x.y with x.y = i + 1.
pub fn host_addr(i: usize) -> Ipv4Addr {
    let k = i + 1;
    Ipv4Addr::new(10, 77, (k >> 8) as u8, (k & 0xff) as u8)
}

/// What a W(N) run counted in its one dump of the root namespace.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Links.
    pub links: usize,
    /// IPv4 addresses outside 127.0.0.0/8.
    pub ipv4: usize,
    /// Every address (IPv6 link-locals included).
    pub addresses: usize,
}

impl Counts {
    /// Checks the counts W(n) must give: n host ends + lo, n addresses.
    pub fn check(&self, n: usize) -> Result<(), BoxError> {
        if self.links != n + 1 || self.ipv4 != n {
            return Err(format!(
                "wrong counts: {} links (want {}), {} IPv4 addresses (want {n})",
                self.links,
                n + 1,
                self.ipv4
            )
            .into());
        }
        Ok(())
    }

    /// The JSON fields.
    pub fn json(&self) -> String {
        format!(
            "\"links\": {}, \"ipv4\": {}, \"addresses\": {}",
            self.links, self.ipv4, self.addresses
        )
    }
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: netns-bench w netns|rtnetlink|floor N | names N | dump-setup NS PAIRS | dump netns|rtnetlink NS | latency K | measure CMD ARG… | events-gen N | events-recv [RCVBUF] | dump10k-setup N | dump10k ROUNDS"
    );
    ExitCode::from(2)
}

fn number(s: Option<&String>) -> Option<usize> {
    s?.parse().ok()
}

#[cfg(feature = "anchors")]
fn anchor(what: &str, arg: &str) -> Result<String, BoxError> {
    match what {
        "w" => {
            let n: usize = arg.parse()?;
            rtnl::w(n)
        }
        _ => rtnl::dump(arg),
    }
}

#[cfg(not(feature = "anchors"))]
fn anchor(_what: &str, _arg: &str) -> Result<String, BoxError> {
    Err("built without the `anchors` feature (rtnetlink)".into())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match a.as_slice() {
        ["w", "netns", n] => match n.parse() {
            Ok(n) => w::run(n),
            Err(_) => return usage(),
        },
        ["w", "rtnetlink", n] => anchor("w", n),
        ["w", "floor", n] => match n.parse() {
            Ok(n) => floor::run(n),
            Err(_) => return usage(),
        },
        ["names", n] => match n.parse() {
            Ok(n) => names::run(n),
            Err(_) => return usage(),
        },
        ["dump-setup", ns, pairs] => match pairs.parse() {
            Ok(p) => dump::setup(ns, p),
            Err(_) => return usage(),
        },
        ["dump", "netns", ns] => dump::run(ns),
        ["dump", "rtnetlink", ns] => anchor("dump", ns),
        ["events-gen", n] => match n.parse() {
            Ok(n) => events::generate(n),
            Err(_) => return usage(),
        },
        ["events-recv"] => events::receive(None, 3.0),
        ["events-recv", bytes] => match bytes.parse() {
            Ok(b) => events::receive(Some(b), 3.0),
            Err(_) => return usage(),
        },
        ["dump10k-setup", n] => match n.parse() {
            Ok(n) => dump10k::setup(n),
            Err(_) => return usage(),
        },
        ["dump10k", rounds] => match rounds.parse() {
            Ok(r) => dump10k::run(r),
            Err(_) => return usage(),
        },
        ["measure", ..] => measure::run(&args[1..]),
        ["latency", _] => match number(args.get(1)) {
            Some(k) if k > 0 => latency::run(k),
            _ => return usage(),
        },
        _ => return usage(),
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("netns-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
