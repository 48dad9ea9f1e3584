//! `netns -b FILE` / `netns -batch -`: one command per line, as `ip -batch`.
//!
//! The reading follows iproute2 6.1.0's `do_batch`, `getcmdline` and
//! `makeargs` (`lib/utils.c`): `#` starts a comment, a line ending in `\`
//! continues on the next, words are split on blanks, and a word that starts
//! with `'` or `"` runs to the same quote. Each line is a command without
//! the program name (`link add v0 type veth`); the global options of the
//! batch (`-n NAME`, `-j`, `-4` …) apply to every line. A failed line
//! prints `Command failed FILE:LINE` (the line where the command ends) and
//! stops the batch, unless `-force`; the status is then 1. A line that ip
//! would refuse by exiting (a usage error with status 255: an unknown
//! subcommand, a missing argument) ends the batch with 255, `-force` or
//! not, as ip's `exit(-1)` does.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read};

use crate::{Context, Invocation};

/// Runs the commands of `file` (`-` for stdin); returns the exit status.
pub(crate) fn run(ctx: &Context, file: &str) -> u8 {
    let input: Box<dyn Read> = if file == "-" {
        Box::new(std::io::stdin())
    } else {
        match std::fs::File::open(file) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!(
                    "Cannot open file \"{file}\" for reading: {}",
                    crate::output::strerror(&e)
                );
                return 1;
            }
        }
    };
    let mut lines = Lines {
        input: BufReader::new(input),
        number: 0,
    };
    let mut status = 0;
    loop {
        let line = match lines.command() {
            Ok(Some(line)) => line,
            Ok(None) => break,
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        };
        let words = match split_words(&line) {
            Ok(w) => w,
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        };
        if words.is_empty() {
            continue;
        }
        let code = run_line(ctx, words);
        if code == 255 {
            return 255;
        }
        if code != 0 {
            eprintln!("Command failed {file}:{}", lines.number);
            status = 1;
            if !ctx.options.force {
                break;
            }
        }
    }
    status
}

/// One line's command with the batch's global options.
fn run_line(ctx: &Context, words: Vec<String>) -> u8 {
    let argv: Vec<OsString> = std::iter::once("netns".to_owned())
        .chain(words)
        .map(OsString::from)
        .collect();
    let inv: Invocation = match crate::parse(&argv) {
        Ok(inv) => inv,
        Err(usage) => return usage.report(),
    };
    if matches!(inv.command, crate::Command::Batch { .. }) {
        eprintln!("netns: a batch inside a batch is refused");
        return 1;
    }
    let options = crate::IpOptions {
        family: inv.options.family.or(ctx.options.family),
        oneline: inv.options.oneline || ctx.options.oneline,
        brief: inv.options.brief || ctx.options.brief,
        stats: inv.options.stats.max(ctx.options.stats),
        details: inv.options.details.max(ctx.options.details),
        force: ctx.options.force,
        all: inv.options.all || ctx.options.all,
    };
    let line_ctx = Context {
        registry: ctx.registry.clone(),
        netns: inv.netns.or_else(|| ctx.netns.clone()),
        out: if inv.json || inv.pretty {
            crate::output::Output::new(inv.json, inv.pretty)
        } else {
            ctx.out
        },
        options,
    };
    crate::run(&line_ctx, inv.command)
}

/// Lines of a batch as `getcmdline` reads them.
struct Lines<R> {
    input: R,
    /// The number of the last physical line read (1-based).
    number: usize,
}

impl<R: BufRead> Lines<R> {
    fn raw(&mut self) -> Result<Option<String>, String> {
        let mut buf = Vec::new();
        match self.input.read_until(b'\n', &mut buf) {
            Ok(0) => Ok(None),
            Ok(_) => {
                self.number += 1;
                let mut line = String::from_utf8_lossy(&buf).into_owned();
                if let Some(at) = line.find('#') {
                    line.truncate(at);
                }
                Ok(Some(line))
            }
            Err(e) => Err(format!("Cannot read the batch: {e}")),
        }
    }

    /// The next command: a line, with its continuations joined.
    fn command(&mut self) -> Result<Option<String>, String> {
        let Some(mut line) = self.raw()? else {
            return Ok(None);
        };
        while let Some(at) = line.find("\\\n") {
            let Some(next) = self.raw()? else {
                return Err("Missing continuation line".to_owned());
            };
            line.truncate(at);
            line.push_str(&next);
        }
        Ok(Some(line))
    }
}

/// `makeargs`: words split on blanks; `'…'` and `"…"` quote a word.
pub(crate) fn split_words(line: &str) -> Result<Vec<String>, String> {
    const BLANK: &[char] = &[' ', '\t', '\r', '\n'];
    let mut words = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start_matches(BLANK);
        let Some(first) = rest.chars().next() else {
            break;
        };
        if first == '\'' || first == '"' {
            let body = &rest[1..];
            let Some(end) = body.find(first) else {
                return Err("Unterminated quoted string".to_owned());
            };
            words.push(body[..end].to_owned());
            rest = &body[end + 1..];
        } else {
            let end = rest.find(BLANK).unwrap_or(rest.len());
            words.push(rest[..end].to_owned());
            // ip overwrites the blank after a word: the next word starts
            // one character later whatever that character is.
            rest = rest.get(end + 1..).unwrap_or("");
        }
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_join_continuations_and_drop_comments() {
        let text = "link add a \\\n  type veth # a pair\n\n# only a comment\naddr show\n";
        let mut lines = Lines {
            input: text.as_bytes(),
            number: 0,
        };
        assert_eq!(
            lines.command().unwrap().as_deref(),
            Some("link add a   type veth ")
        );
        assert_eq!(lines.number, 2);
        assert_eq!(lines.command().unwrap().as_deref(), Some("\n"));
        assert_eq!(lines.command().unwrap().as_deref(), Some(""));
        assert_eq!(lines.command().unwrap().as_deref(), Some("addr show\n"));
        assert_eq!(lines.number, 5);
        assert_eq!(lines.command().unwrap(), None);
    }

    #[test]
    fn words_split_on_blanks_and_quotes() {
        assert_eq!(
            split_words("link set \"a b\" alias 'x y'\n").unwrap(),
            ["link", "set", "a b", "alias", "x y"]
        );
        assert!(split_words("").unwrap().is_empty());
        assert_eq!(
            split_words("x \"y").unwrap_err(),
            "Unterminated quoted string"
        );
    }
}
