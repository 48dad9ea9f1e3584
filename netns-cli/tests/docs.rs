//! The man pages and completions `make cli-docs` installs: generated from
//! the clap definitions by examples/gen_docs.rs, here checked for what a
//! reader relies on (every command has a page; the shells complete them).
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn man_pages_and_completions_cover_every_command() {
    let out = std::env::temp_dir().join(format!("netns-cli-docs-{}", std::process::id()));
    let status = Command::new(env!("CARGO"))
        .args([
            "run",
            "-q",
            "-p",
            "netns-cli",
            "--example",
            "gen_docs",
            "--",
        ])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let man = std::fs::read_to_string(out.join("man1/netns.1")).unwrap();
    assert!(man.starts_with(".ie"), "{}", &man[..80.min(man.len())]);
    assert!(man.contains(".TH netns 1"), "no title");
    let commands: Vec<String> = netns_cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_owned())
        .collect();
    assert!(commands.len() > 10, "{commands:?}");
    for c in &commands {
        let page = out.join(format!("man1/netns-{c}.1"));
        assert!(page.exists(), "no page for {c}");
    }
    // `ip link`'s syntax is on netns-link(1).
    let link = std::fs::read_to_string(out.join("man1/netns-link.1")).unwrap();
    assert!(link.contains("veth peer"), "netns-link.1 lacks the usage");
    for (file, needle) in [
        ("completions/netns.bash", "complete -F _netns"),
        ("completions/_netns", "#compdef netns"),
        ("completions/netns.fish", "complete -c netns"),
    ] {
        let text = std::fs::read_to_string(out.join(file)).unwrap();
        assert!(text.contains(needle), "{file}");
        for c in ["add", "exec", "link", "apply"] {
            assert!(text.contains(c), "{file} does not complete {c}");
        }
    }
    std::fs::remove_dir_all(&out).unwrap();
}
