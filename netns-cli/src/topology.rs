//! `netns apply|destroy|status|check FILE`: declarative topologies.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use clap::Subcommand;
use netns_core::Registry;
use netns_topology::{Options, Topology};

use crate::output::{fail, Group, Output, Stage, EXIT_DRIFT, EXIT_REFUSED};

/// The topology subcommands (flattened into `netns`'s own).
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum TopologyCommand {
    /// Make the system match a topology file (idempotent; undone on failure).
    ///
    /// What the file declares and already exists without having been created
    /// by this topology (a namespace, a link, an /etc/netns file) is refused,
    /// before any change, unless adopted. What apply creates is recorded
    /// (NETNS_STATE_DIR, default /run/netns-topology) before it is made.
    /// One apply or destroy of a topology runs at a time: another waits for
    /// its lock.
    Apply {
        /// The topology file (TOML; see docs/topology.md).
        file: PathBuf,
        /// Print the changes without making them.
        #[arg(long)]
        dry_run: bool,
        /// Adopt every declared object that exists and is not the topology's:
        /// apply manages it, destroy leaves it (per object: `adopt = true`).
        #[arg(long)]
        adopt: bool,
        /// Fail with "busy" instead of waiting while another apply or destroy
        /// of the topology runs.
        #[arg(long)]
        no_wait: bool,
    },
    /// Remove what applies of a topology file created (adopted objects stay).
    ///
    /// Only what the topology's record says it created is removed; an
    /// /etc/netns file is removed only while it holds what apply wrote.
    Destroy {
        /// The topology file.
        file: PathBuf,
        /// Fail with "busy" instead of waiting while another apply or destroy
        /// of the topology runs.
        #[arg(long)]
        no_wait: bool,
    },
    /// Show the drift between a topology file and the system (exit 1 on
    /// drift), and what the topology created and adopted.
    Status {
        /// The topology file.
        file: PathBuf,
    },
    /// Ping every declared link and route from inside its namespace (exit 1 on failure).
    Check {
        /// The topology file.
        file: PathBuf,
        /// Per-echo timeout in milliseconds (each probe tries three times).
        #[arg(long, default_value_t = 1000)]
        timeout_ms: u64,
    },
    /// Run the demo in a throwaway sandbox: the walk-through, then a topology.
    Demo,
}

fn options(reg: &Registry) -> Options {
    let opts = Options::new().registry(reg.clone());
    // Test hook of the shell suites (rollback of a failed apply), in debug
    // builds only: a release binary never reads it.
    #[cfg(debug_assertions)]
    let opts = opts.fail_at(
        std::env::var("NETNS_APPLY_FAIL_AT")
            .ok()
            .and_then(|v| v.parse().ok()),
    );
    opts
}

/// Runs one topology subcommand; returns the exit status.
pub fn run(reg: &Registry, out: &Output, cmd: TopologyCommand) -> u8 {
    let load = |file: &PathBuf| Topology::from_path(file);
    match cmd {
        TopologyCommand::Demo => crate::demo::run(),
        TopologyCommand::Apply {
            file,
            dry_run,
            adopt,
            no_wait,
        } => {
            let topo = match load(&file) {
                Ok(t) => t,
                Err(e) => return fail(Group::Topology, Stage::Run, &e),
            };
            if dry_run {
                dry_run_apply(reg, out, &topo, adopt)
            } else {
                apply(reg, out, &topo, adopt, no_wait)
            }
        }
        TopologyCommand::Destroy { file, no_wait } => {
            let topo = match load(&file) {
                Ok(t) => t,
                Err(e) => return fail(Group::Topology, Stage::Run, &e),
            };
            match topo.destroy(&options(reg).wait(!no_wait)) {
                Ok(report) if out.json() => {
                    out.print_json(&report);
                    0
                }
                Ok(report) => {
                    let summary = format!(
                        "topology {:?}: {} removed",
                        report.topology,
                        report.removed.len()
                    );
                    let lines: Vec<String> = report
                        .removed
                        .iter()
                        .map(|r| format!("removed {r}"))
                        .chain(report.kept.iter().map(|k| format!("kept {k}")))
                        .collect();
                    print_lines(lines.iter().map(String::as_str), &summary);
                    0
                }
                Err(e) => fail(Group::Topology, Stage::Run, &e),
            }
        }
        TopologyCommand::Status { file } => {
            let topo = match load(&file) {
                Ok(t) => t,
                Err(e) => return fail(Group::Topology, Stage::Run, &e),
            };
            match topo.status(&options(reg)) {
                Ok(status) => {
                    if out.json() {
                        out.print_json(&status);
                    } else {
                        println!("{status}");
                    }
                    if status.is_clean() {
                        0
                    } else {
                        EXIT_DRIFT
                    }
                }
                Err(e) => fail(Group::Topology, Stage::Run, &e),
            }
        }
        TopologyCommand::Check { file, timeout_ms } => {
            let topo = match load(&file) {
                Ok(t) => t,
                Err(e) => return fail(Group::Topology, Stage::Run, &e),
            };
            match topo.check_with_timeout(&options(reg), Duration::from_millis(timeout_ms)) {
                Ok(report) => {
                    if out.json() {
                        out.print_json(&report);
                    } else {
                        println!("{report}");
                    }
                    if report.ok() {
                        0
                    } else {
                        EXIT_DRIFT
                    }
                }
                Err(e) => fail(Group::Topology, Stage::Run, &e),
            }
        }
    }
}

/// `apply --dry-run`: the plan, printed.
fn dry_run_apply(reg: &Registry, out: &Output, topo: &Topology, adopt: bool) -> u8 {
    match topo.plan(&options(reg).adopt(adopt)) {
        // What apply would refuse, refused the same way.
        Ok(plan) if !plan.conflicts().is_empty() => {
            for c in plan.conflicts() {
                eprintln!("netns: apply would refuse: {c}");
            }
            EXIT_REFUSED
        }
        Ok(plan) if out.json() => {
            out.print_json(plan.steps());
            0
        }
        Ok(plan) => {
            for s in plan.steps() {
                println!("{s}");
            }
            println!("{} change(s) planned", plan.len());
            0
        }
        Err(e) => fail(Group::Topology, Stage::Run, &e),
    }
}

/// `apply`: with a progress bar on a terminal for ten steps or more.
fn apply(reg: &Registry, out: &Output, topo: &Topology, adopt: bool, no_wait: bool) -> u8 {
    let bar = progress_bar();
    let mut opts = options(reg).adopt(adopt).wait(!no_wait);
    if let Some(bar) = bar.clone() {
        opts = opts.progress(move |done, total, step| {
            if total >= 10 {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                bar.set_message(step.to_string());
            }
        });
    }
    let result = topo.apply(&mut opts);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match result {
        Ok(report) if out.json() => {
            out.print_json(&report);
            0
        }
        Ok(report) => {
            let summary = format!(
                "topology {:?}: {} change{} in {:.1} ms",
                report.topology,
                report.changes.len(),
                if report.changes.len() == 1 { "" } else { "s" },
                report.elapsed.as_secs_f64() * 1000.0
            );
            print_lines(report.changes.iter().map(String::as_str), &summary);
            0
        }
        Err(e) => fail(Group::Topology, Stage::Run, &e),
    }
}

/// Prints `lines`, then `summary`, through one buffer (thousands of lines
/// for a big topology: one `write` per line would cost more than the
/// printing). A closed stdout is ignored, as `println!` users expect.
fn print_lines<'a>(lines: impl Iterator<Item = &'a str>, summary: &'a str) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = lines
        .chain(std::iter::once(summary))
        .try_for_each(|l| writeln!(out, "{l}"));
    let _ = out.flush();
}

/// A progress bar on stderr, only when stdout is a terminal.
fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    Some(bar)
}
