//! Writes the man pages of `netns` (`man1/netns.1` and one page per
//! command, `netns-link.1` …) and its bash, zsh and fish completions
//! (`completions/`) under OUTDIR, from the clap definitions:
//! `cargo run -p netns-cli --example gen_docs -- OUTDIR` (`make cli-docs`).
#![allow(clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap_complete::Shell;

fn main() -> ExitCode {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: gen_docs OUTDIR");
        return ExitCode::from(2);
    };
    match generate(&out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_docs: {}: {e}", out.display());
            ExitCode::FAILURE
        }
    }
}

fn generate(out: &std::path::Path) -> std::io::Result<()> {
    let man = out.join("man1");
    std::fs::create_dir_all(&man)?;
    clap_mangen::generate_to(netns_cli::command(), &man)?;
    let completions = out.join("completions");
    std::fs::create_dir_all(&completions)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut netns_cli::command(), "netns", &completions)?;
    }
    Ok(())
}
