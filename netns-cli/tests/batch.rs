//! `netns -b FILE` against `ip -b FILE`, in a sandbox: the same exit
//! status, the same `Command failed FILE:LINE`, and the same effect, with
//! and without `-force`.
#![allow(clippy::unwrap_used)]

use netns_testkit::{sandbox, Sandbox};

const NETNS: &str = env!("CARGO_BIN_EXE_netns");

/// Line 4 fails (the pair exists); line 6 sets b0 up.
const BATCH: &str = "\
# a comment line
link add b0 type veth \\
    peer name b1
link add b0 type veth peer name b1
\"link\" 'set' b0 mtu 1400   # a quoted word
link set b0 up
";

/// Runs `PROGRAM [-force] -b FILE` and returns (status, stderr, b0's
/// flags line), then deletes the pair.
fn run_batch(sb: &Sandbox, program: &str, force: bool) -> (Option<i32>, String, String) {
    let file = "/run/batch.txt";
    std::fs::write(file, BATCH).unwrap();
    let mut args = vec![];
    if force {
        args.push("-force");
    }
    args.extend(["-b", file]);
    let out = sb.run(program, &args);
    let link = sb.run_checked("ip", ["-o", "link", "show", "b0"]);
    let flags = link.split_whitespace().nth(2).unwrap().to_owned();
    let mtu = link.split_whitespace().nth(4).unwrap().to_owned();
    sb.run_checked("ip", ["link", "del", "b0"]);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        format!("{flags} mtu {mtu}"),
    )
}

#[test]
fn batch_stops_at_the_first_failure_unless_forced_as_ip() {
    let sb = sandbox();
    for force in [false, true] {
        let ip = run_batch(&sb, "ip", force);
        let netns = run_batch(&sb, NETNS, force);
        assert_eq!(ip.0, Some(1), "ip, force {force}: {ip:?}");
        assert_eq!(netns.0, ip.0, "force {force}: {netns:?} vs {ip:?}");
        assert_eq!(netns.2, ip.2, "force {force}: the link after the batch");
        // The line where the failing command ends, as ip counts lines.
        assert!(ip.1.contains("Command failed /run/batch.txt:4"), "{}", ip.1);
        assert!(
            netns.1.contains("Command failed /run/batch.txt:4"),
            "{}",
            netns.1
        );
        assert_eq!(
            netns.1.matches("Command failed").count(),
            ip.1.matches("Command failed").count()
        );
    }
    // Without -force nothing after line 4 ran; with it, b0 is up at mtu 1400.
    let (_, _, stopped) = run_batch(&sb, NETNS, false);
    assert!(!stopped.contains(",UP"), "{stopped}");
    assert!(stopped.ends_with("mtu 1500"), "{stopped}");
    let (_, _, forced) = run_batch(&sb, NETNS, true);
    assert!(forced.contains(",UP"), "{forced}");
    assert!(forced.ends_with("mtu 1400"), "{forced}");
    // A file that cannot be opened: ip's words and status.
    let out = sb.run(NETNS, ["-batch", "/run/none.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Cannot open file \"/run/none.txt\" for reading: No such file or directory\n"
    );
    sb.assert_clean();
}
