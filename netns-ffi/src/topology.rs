//! Topologies: apply, destroy, status and check of a TOML file, thin over
//! `netns_topology`; each report is handed over as JSON text (the form
//! `netns topology … -j` prints).

use std::ffi::c_char;
use std::time::Duration;

use netns_topology::{Options, Topology};

use crate::error::{netns_result, Failure};
use crate::into_c_string;
use crate::panic::call;
use crate::ptr::{bytes_arg, opt_out};

/// Apply and status: take over what exists already (`adopt = true`).
pub const NETNS_TOPOLOGY_ADOPT: u32 = 1;
/// Apply and destroy: fail with `NETNS_BUSY` instead of waiting for another
/// apply or destroy of the same topology.
pub const NETNS_TOPOLOGY_NO_WAIT: u32 = 2;

fn topology(path: *const c_char) -> Result<Topology, Failure> {
    let bytes = bytes_arg(path, "path")?;
    let path =
        std::path::Path::new(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(bytes));
    Ok(Topology::from_path(path)?)
}

fn options(flags: u32) -> Result<Options, Failure> {
    if flags & !(NETNS_TOPOLOGY_ADOPT | NETNS_TOPOLOGY_NO_WAIT) != 0 {
        return Err(Failure::invalid("flags", "unknown NETNS_TOPOLOGY_* bits"));
    }
    Ok(Options::new()
        .adopt(flags & NETNS_TOPOLOGY_ADOPT != 0)
        .wait(flags & NETNS_TOPOLOGY_NO_WAIT == 0))
}

/// Writes `value`'s JSON to `*report` unless it is NULL.
fn give<T: serde::Serialize>(report: *mut *mut c_char, value: &T) {
    if let Some(out) = opt_out(report) {
        out.set(into_c_string(
            serde_json::to_string(value).unwrap_or_default(),
        ));
    }
}

/// Makes the system match the topology file `path` (`netns topology
/// apply`): only what differs changes; on a failure every change is undone
/// and the message names the failing step. `flags`: `NETNS_TOPOLOGY_*`.
/// Writes the report (JSON: `topology`, `changes`, `elapsed`) to `*report`
/// unless NULL; free it with `netns_string_free`.
#[no_mangle]
pub extern "C" fn netns_topology_apply(
    path: *const c_char,
    flags: u32,
    report: *mut *mut c_char,
) -> netns_result {
    call("netns_topology_apply", || {
        let t = topology(path)?;
        let r = t.apply(&mut options(flags)?)?;
        give(report, &r);
        Ok(())
    })
}

/// Removes what the topology's applies created (`netns topology destroy`).
/// Report: `topology`, `removed`, `kept`, `elapsed`.
#[no_mangle]
pub extern "C" fn netns_topology_destroy(
    path: *const c_char,
    flags: u32,
    report: *mut *mut c_char,
) -> netns_result {
    call("netns_topology_destroy", || {
        let t = topology(path)?;
        let r = t.destroy(&options(flags)?)?;
        give(report, &r);
        Ok(())
    })
}

/// The differences between the file and the system (`netns topology
/// status`): writes whether there are none to `*clean` unless NULL, and the
/// report (`topology`, `drift`, `pending_changes`, `ownership`) to
/// `*report` unless NULL.
#[no_mangle]
pub extern "C" fn netns_topology_status(
    path: *const c_char,
    flags: u32,
    clean: *mut bool,
    report: *mut *mut c_char,
) -> netns_result {
    call("netns_topology_status", || {
        let t = topology(path)?;
        let r = t.status(&options(flags)?)?;
        if let Some(out) = opt_out(clean) {
            out.set(r.is_clean());
        }
        give(report, &r);
        Ok(())
    })
}

/// Pings every declared link end and route from inside its namespace
/// (`netns topology check`), each try waiting `timeout_ms` (0: 1000):
/// writes whether every probe was answered to `*ok` unless NULL, and the
/// report (`topology`, `results`) to `*report` unless NULL. Unanswered
/// probes are not an error: see `*ok`.
#[no_mangle]
pub extern "C" fn netns_topology_check(
    path: *const c_char,
    timeout_ms: u32,
    ok: *mut bool,
    report: *mut *mut c_char,
) -> netns_result {
    call("netns_topology_check", || {
        let t = topology(path)?;
        let timeout = Duration::from_millis(if timeout_ms == 0 {
            1000
        } else {
            u64::from(timeout_ms)
        });
        let r = t.check_with_timeout(&Options::new(), timeout)?;
        if let Some(out) = opt_out(ok) {
            out.set(r.ok());
        }
        give(report, &r);
        Ok(())
    })
}
