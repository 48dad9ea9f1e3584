//! Namespace names, checked as iproute2 checks them, before anything touches
//! the filesystem.

use crate::error::{Error, ErrorKind, Result};

/// The longest name accepted, in bytes (`NAME_MAX`).
pub const MAX_NAME_LEN: usize = 255;

/// Checks a namespace name: refused when empty, longer than 255 bytes,
/// containing `/` or a NUL byte, or equal to `.` or `..` (iproute2's rules,
/// plus NUL, which no path can hold), or containing a control character
/// such as a newline (iproute2 accepts those; they break every listing).
///
/// # Errors
/// [`ErrorKind::InvalidName`], naming the rule that was broken.
///
/// # Examples
/// ```
/// assert!(netns_core::validate_name("blue").is_ok());
/// assert!(netns_core::validate_name("../x").is_err());
/// ```
pub fn validate_name(name: &str) -> Result<()> {
    let why = if name.is_empty() {
        "a name cannot be empty"
    } else if name.len() > MAX_NAME_LEN {
        "a name is at most 255 bytes long"
    } else if name.contains('/') {
        "a name cannot contain '/'"
    } else if name.contains('\0') {
        "a name cannot contain a NUL byte"
    } else if name.chars().any(char::is_control) {
        // iproute2 accepts them; a newline in a name breaks every listing.
        "a name cannot contain a control character (such as a newline or tab)"
    } else if name == "." || name == ".." {
        "a name cannot be \".\" or \"..\""
    } else {
        return Ok(());
    };
    Err(Error::new(
        ErrorKind::InvalidName,
        "use",
        format!("network namespace name {name:?}"),
    )
    .with_detail(why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_iproute2_accepts() {
        for ok in [
            "a",
            "netns1",
            "with space",
            "dots.in.name",
            "...",
            &"x".repeat(255),
        ] {
            assert!(validate_name(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn refuses_what_iproute2_refuses_and_nul() {
        for bad in ["", ".", "..", "../x", "a/b", "/", "a\0b", &"x".repeat(256)] {
            let e = validate_name(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidName, "{bad:?}");
        }
    }

    #[test]
    fn refuses_control_characters_unlike_iproute2() {
        for bad in ["a\nb", "a\tb", "\r", "x\u{1b}[31m", "del\u{7f}", "c1\u{85}"] {
            let e = validate_name(bad).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidName, "{bad:?}");
            assert!(e.to_string().contains("control character"), "{e}");
        }
        let e = validate_name("a/b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot use network namespace name \"a/b\": invalid name: a name cannot contain '/'"
        );
    }
}
