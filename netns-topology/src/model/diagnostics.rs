//! The problems found in a topology file, each with line, column and
//! field path.

use std::fmt;
use std::ops::Range;

use netns_core::{Error, ErrorKind};

/// One problem found in a topology file: where, which field, what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// 1-based line of the offending value.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The field path, e.g. `link[1].b.address`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// Every problem found in a topology file (validation never stops at the
/// first one). Displays one line per problem: `FILE:LINE:COL: PATH: MESSAGE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The file name (or `<string>`).
    pub origin: String,
    /// The problems, in file order.
    pub items: Vec<Diagnostic>,
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{}:{}:{}: ", self.origin, d.line, d.column)?;
            if !d.path.is_empty() {
                write!(f, "{}: ", d.path)?;
            }
            f.write_str(&d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostics> for Error {
    fn from(d: Diagnostics) -> Error {
        let n = d.items.len();
        Error::new(
            ErrorKind::InvalidArgument,
            "load",
            format!("topology file {:?}", d.origin),
        )
        .with_detail(format!(
            "{n} problem{}:\n{d}",
            if n == 1 { "" } else { "s" }
        ))
    }
}

pub(super) struct Collector<'t> {
    pub(super) text: &'t str,
    pub(super) items: Vec<(usize, Diagnostic)>,
}

impl Collector<'_> {
    pub(super) fn at(
        &mut self,
        span: Range<usize>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        let (line, column) = line_col(self.text, span.start);
        self.items.push((
            span.start,
            Diagnostic {
                line,
                column,
                path: path.into(),
                message: message.into(),
            },
        ));
    }
}

pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1)
        + 1;
    (line, col)
}
