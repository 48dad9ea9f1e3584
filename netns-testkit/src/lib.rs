//! Test support for netns: a private sandbox per test thread.
//!
//! Every test that touches the kernel calls [`sandbox()`] first. It moves the
//! **calling thread** (and only it: `cargo test` runs each test on its own
//! thread) into a fresh mount namespace and a fresh network namespace with
//! `unshare(CLONE_NEWNS | CLONE_NEWNET)`, makes every mount private so nothing
//! propagates back to the host, mounts a tmpfs on `/run` and creates an empty
//! `/run/netns` there. `ip netns` has `/run/netns` hard-coded, so both netns
//! and `ip netns` see the same private, empty run directory, and tests can
//! compare one with the other.
//!
//! Nothing process-wide is changed: no environment variable is set, no
//! working directory is changed, other test threads are unaffected. Child
//! processes ([`Sandbox::command`]) and threads spawned from the sandboxed
//! thread inherit its namespaces. When the [`Sandbox`] is dropped the thread
//! goes back to the namespaces it came from (with `setns`) and the sandbox's
//! mounts disappear with its mount namespace.
//!
//! What the sandbox does **not** isolate: the filesystem outside its tmpfs
//! mounts. Writing to `/etc` or `/tmp` from a sandboxed thread writes to the
//! host's disk; keep test files under [`Sandbox::run_dir`] or
//! [`Sandbox::etc_dir`].
//!
//! Per-thread state is always read through `/proc/thread-self/…`:
//! `/proc/self/…` names the process's main thread, which is not sandboxed.
//!
//! ```no_run
//! let sb = netns_testkit::sandbox();
//! let out = sb.run_checked("ip", ["netns", "add", "a"]);
//! assert!(out.is_empty());
//! assert_eq!(sb.mounts_under(&sb.run_dir().join("a")).len(), 1);
//! sb.run_checked("ip", ["netns", "delete", "a"]);
//! sb.assert_clean();
//! ```

mod alloc;
pub use alloc::{allocations, Counting};
use std::ffi::OsStr;
use std::fs::File;
use std::marker::PhantomData;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use nix::mount::{mount, MsFlags};
use nix::sched::{setns, unshare, CloneFlags};

/// The sandbox's run directory: the path `ip netns` has hard-coded.
const RUN_DIR: &str = "/run/netns";
/// The sandbox's private etc directory (stands in for `/etc/netns`).
const ETC_DIR: &str = "/run/netns-test-etc";

/// A test thread's private mount + network namespace.
///
/// Created by [`sandbox()`]. Tied to the thread that created it (it is neither
/// `Send` nor `Sync`): the namespaces belong to that thread, and the helpers
/// here must run on it.
#[derive(Debug)]
pub struct Sandbox {
    run_dir: PathBuf,
    etc_dir: PathBuf,
    /// The thread's mount namespace before the sandbox, restored on drop.
    original_mnt: OwnedFd,
    /// The thread's network namespace before the sandbox, restored on drop.
    original_net: OwnedFd,
    /// The thread's working directory, restored on drop (`setns` on a mount
    /// namespace moves it to the namespace's root).
    original_cwd: Option<OwnedFd>,
    /// Keeps the sandbox on its thread.
    _not_send: PhantomData<*const ()>,
}

/// Moves the calling thread into a fresh private sandbox.
///
/// Steps, in order: `unshare(CLONE_NEWNS | CLONE_NEWNET)` (this thread only);
/// `mount(NULL, "/", NULL, MS_REC | MS_PRIVATE)` so that no mount made here
/// reaches the host; a tmpfs on `/run`; `mkdir /run/netns` (mode 0755, left
/// as a plain directory, as on a machine where `ip netns add` never ran);
/// a second tmpfs on `/run/netns-test-etc` for tests that need an etc
/// directory. The new network namespace holds only `lo`, down.
///
/// # Panics
/// When not running as root, or when any step fails; the message says which.
pub fn sandbox() -> Sandbox {
    require_root("netns_testkit::sandbox()");

    let original_mnt = open_fd("/proc/thread-self/ns/mnt");
    let original_net = open_fd("/proc/thread-self/ns/net");
    let original_cwd = File::open(".").ok().map(OwnedFd::from);

    if let Err(e) = unshare(CloneFlags::CLONE_NEWNS | CloneFlags::CLONE_NEWNET) {
        panic!("netns-testkit: unshare(CLONE_NEWNS | CLONE_NEWNET) failed: {e} (root with CAP_SYS_ADMIN needed)");
    }
    if let Err(e) = mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    ) {
        panic!("netns-testkit: making / private (MS_REC | MS_PRIVATE) failed: {e}");
    }
    mount_tmpfs("/run");
    make_dir(RUN_DIR);
    make_dir(ETC_DIR);
    mount_tmpfs(ETC_DIR);

    Sandbox {
        run_dir: PathBuf::from(RUN_DIR),
        etc_dir: PathBuf::from(ETC_DIR),
        original_mnt,
        original_net,
        original_cwd,
        _not_send: PhantomData,
    }
}

/// Creates an anonymous network namespace and returns an fd on it.
///
/// A short-lived thread calls `unshare(CLONE_NEWNET)`, opens
/// `/proc/thread-self/ns/net` and exits; the namespace lives as long as the
/// returned fd. No mount, no file, no name: nothing to clean up. The calling
/// thread never changes namespace.
///
/// # Panics
/// When not running as root, or when `unshare` fails.
pub fn anonymous_netns() -> OwnedFd {
    require_root("netns_testkit::anonymous_netns()");
    let worker = std::thread::Builder::new()
        .name("netns-testkit-anon".into())
        .spawn(|| {
            if let Err(e) = unshare(CloneFlags::CLONE_NEWNET) {
                panic!("netns-testkit: unshare(CLONE_NEWNET) failed: {e}");
            }
            open_fd("/proc/thread-self/ns/net")
        });
    match worker {
        Ok(handle) => match handle.join() {
            Ok(fd) => fd,
            Err(_) => panic!("netns-testkit: the thread creating an anonymous namespace panicked"),
        },
        Err(e) => panic!("netns-testkit: cannot spawn a thread: {e}"),
    }
}

/// Identity of a namespace file: (st_dev, st_ino), as the kernel compares them.
///
/// # Panics
/// When the path cannot be read.
pub fn ns_id(path: impl AsRef<Path>) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    let path = path.as_ref();
    match std::fs::metadata(path) {
        Ok(m) => (m.dev(), m.ino()),
        Err(e) => panic!("netns-testkit: cannot stat {}: {e}", path.display()),
    }
}

/// Identity of the calling thread's network namespace
/// (`/proc/thread-self/ns/net`).
pub fn current_netns_id() -> (u64, u64) {
    ns_id("/proc/thread-self/ns/net")
}

/// Identity of the calling thread's mount namespace
/// (`/proc/thread-self/ns/mnt`).
pub fn current_mntns_id() -> (u64, u64) {
    ns_id("/proc/thread-self/ns/mnt")
}

impl Sandbox {
    /// The private run directory, `/run/netns` (on the sandbox's tmpfs).
    pub fn run_dir(&self) -> &Path {
        &self.run_dir
    }

    /// A private, empty directory to use as the etc directory
    /// (`/etc/netns` stand-in), on its own tmpfs.
    pub fn etc_dir(&self) -> &Path {
        &self.etc_dir
    }

    /// Mount points at `path` or below it, one entry per line of
    /// `/proc/thread-self/mountinfo` (stacked mounts appear once each), in
    /// mount order. Octal escapes (`\040` for a space) are decoded.
    pub fn mounts_under(&self, path: impl AsRef<Path>) -> Vec<String> {
        mounts_under_in("/proc/thread-self/mountinfo", path.as_ref())
    }

    /// Entries of the run directory, sorted.
    pub fn run_dir_entries(&self) -> Vec<String> {
        dir_entries(&self.run_dir)
    }

    /// Checks that the run directory is empty and that no mount remains
    /// strictly below it. The run directory itself may be a mount point:
    /// `ip netns add` (and `netns add`) turn it into one and leave it so.
    ///
    /// # Panics
    /// With the leftover entries and mounts listed.
    pub fn assert_clean(&self) {
        let entries = self.run_dir_entries();
        let run_dir = self.run_dir.to_string_lossy();
        let mounts: Vec<String> = self
            .mounts_under(&self.run_dir)
            .into_iter()
            .filter(|m| m.as_str() != run_dir)
            .collect();
        assert!(
            entries.is_empty() && mounts.is_empty(),
            "netns-testkit: sandbox not clean: entries left in {run_dir}: {entries:?}; mounts left below it: {mounts:?}"
        );
    }

    /// A command that will run inside the sandbox.
    ///
    /// Nothing special is needed: a child inherits the namespaces of the
    /// thread that spawns it, and the sandbox can only be used on its own
    /// thread. No environment variable is set; add `NETNS_ETC_DIR` yourself
    /// (with [`Sandbox::etc_dir`]) when a test needs it.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        Command::new(program)
    }

    /// Runs `program args…` inside the sandbox and returns its output,
    /// whatever its exit status.
    ///
    /// # Panics
    /// When the program cannot be started.
    pub fn run<I, S>(&self, program: impl AsRef<OsStr>, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let program = program.as_ref();
        match self.command(program).args(args).output() {
            Ok(out) => out,
            Err(e) => panic!("netns-testkit: cannot run {program:?}: {e}"),
        }
    }

    /// Runs `program args…` inside the sandbox, expects exit status 0 and
    /// returns its standard output as text.
    ///
    /// # Panics
    /// When the program cannot be started or fails; the message carries its
    /// exit status and standard error.
    pub fn run_checked<I, S>(&self, program: impl AsRef<OsStr>, args: I) -> String
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<S> = args.into_iter().collect();
        let shown: Vec<String> = args
            .iter()
            .map(|a| a.as_ref().to_string_lossy().into_owned())
            .collect();
        let program = program.as_ref();
        let out = self.run(program, &args);
        assert!(
            out.status.success(),
            "netns-testkit: `{} {}` failed ({}): {}",
            program.to_string_lossy(),
            shown.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Names of the links in the sandbox's network namespace, as
    /// `ip -o link show` lists them (peer suffixes such as `@if3` removed).
    pub fn link_names(&self) -> Vec<String> {
        parse_ip_o_link(&self.run_checked("ip", ["-o", "link", "show"]))
    }
}

impl Drop for Sandbox {
    /// Moves the thread back to the namespaces it had before the sandbox.
    /// If the mount namespace cannot be restored (a thread spawned inside the
    /// sandbox still shares this thread's filesystem context), the thread
    /// stays in the sandbox, which ends when the thread does.
    fn drop(&mut self) {
        if let Err(e) = setns(&self.original_mnt, CloneFlags::CLONE_NEWNS) {
            eprintln!("netns-testkit: thread stays in its sandbox: setns(mnt) failed: {e}");
            return;
        }
        if let Some(cwd) = &self.original_cwd {
            if let Err(e) = nix::unistd::fchdir(cwd) {
                eprintln!("netns-testkit: cannot restore the working directory: {e}");
            }
        }
        if let Err(e) = setns(&self.original_net, CloneFlags::CLONE_NEWNET) {
            eprintln!("netns-testkit: setns(net) back to the original namespace failed: {e}");
        }
    }
}

fn require_root(what: &str) {
    if !nix::unistd::geteuid().is_root() {
        panic!(
            "{what} needs root (CAP_SYS_ADMIN to create namespaces and mount); \
             run the tests as root, e.g. `sudo -E make test`"
        );
    }
}

fn open_fd(path: &str) -> OwnedFd {
    match File::open(path) {
        Ok(f) => OwnedFd::from(f),
        Err(e) => panic!("netns-testkit: cannot open {path}: {e}"),
    }
}

fn mount_tmpfs(target: &str) {
    if let Err(e) = mount(
        Some("tmpfs"),
        target,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NODEV,
        Some("mode=0755"),
    ) {
        panic!("netns-testkit: mounting a tmpfs on {target} failed: {e}");
    }
}

fn make_dir(path: &str) {
    use std::os::unix::fs::DirBuilderExt;
    if let Err(e) = std::fs::DirBuilder::new().mode(0o755).create(path) {
        panic!("netns-testkit: mkdir {path} failed: {e}");
    }
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) => panic!("netns-testkit: cannot read {}: {e}", dir.display()),
    };
    let mut names: Vec<String> = read
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mounts_under_in(mountinfo: &str, path: &Path) -> Vec<String> {
    let text = match std::fs::read_to_string(mountinfo) {
        Ok(t) => t,
        Err(e) => panic!("netns-testkit: cannot read {mountinfo}: {e}"),
    };
    parse_mount_points(&text)
        .into_iter()
        .filter(|m| Path::new(m).starts_with(path))
        .collect()
}

/// The mount point (fifth field) of each mountinfo line, unescaped.
fn parse_mount_points(mountinfo: &str) -> Vec<String> {
    mountinfo
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(unescape_octal)
        .collect()
}

/// Decodes the kernel's `\ooo` escapes (space, tab, newline, backslash).
fn unescape_octal(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 3 < bytes.len() && is_octal_escape(&bytes[i + 1..i + 4]) {
            let v = (bytes[i + 1] - b'0') * 64 + (bytes[i + 2] - b'0') * 8 + (bytes[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn is_octal_escape(b: &[u8]) -> bool {
    b.len() == 3 && b[0] <= b'3' && b.iter().all(|c| (b'0'..=b'7').contains(c))
}

/// Link names from `ip -o link show` output (`N: NAME[@PEER]: <FLAGS> …`).
fn parse_ip_o_link(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.split(": ").nth(1))
        .map(|name| name.split('@').next().unwrap_or(name).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_give_unescaped_mount_points() {
        let text = "22 1 0:21 / /run rw,nosuid - tmpfs tmpfs rw\n\
                    30 22 0:4 net:[4026532] /run/netns/a\\040b rw - nsfs nsfs rw\n";
        assert_eq!(parse_mount_points(text), vec!["/run", "/run/netns/a b"]);
    }

    #[test]
    fn ip_o_link_names_drop_peer_suffix() {
        let text = "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN\n\
                    5: veth0@if4: <BROADCAST> mtu 1500 qdisc noop state DOWN\n";
        assert_eq!(parse_ip_o_link(text), vec!["lo", "veth0"]);
    }
}
