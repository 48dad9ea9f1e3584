//! The panic boundary: every `extern "C"` function runs its body through
//! [`call`] (fallible functions) or [`guard`] (accessors, `_free`), which
//! catch a panic so that it never unwinds into C.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{clear_last_error, netns_result, set_last_error, Failure};

fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}

/// Runs the body of fallible C function `function`: clears the thread's last
/// error, runs `body`, and turns its failure (or a panic) into a result code
/// with the last error set.
pub(crate) fn call(
    function: &'static str,
    body: impl FnOnce() -> Result<(), Failure>,
) -> netns_result {
    clear_last_error();
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return netns_result::NETNS_OK,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::panic(panic_text(&*payload)),
    };
    set_last_error(function, &failure);
    failure.code()
}

/// Runs the body of an infallible C function (an accessor, a `_free`):
/// `fallback` when it panics. The last error is left alone.
pub(crate) fn guard<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::last_error_message;

    /// The thread's last error message, as a Rust string.
    fn last() -> String {
        let bytes = crate::ptr::bytes_arg(last_error_message(), "message").unwrap_or_default();
        String::from_utf8_lossy(bytes).into_owned()
    }

    #[test]
    fn a_panic_becomes_the_panic_code_with_its_message() {
        let r = call("netns_test", || panic!("boom"));
        assert_eq!(r, netns_result::NETNS_PANIC);
        assert_eq!(last(), "netns_test: panic: boom");
    }

    #[test]
    fn success_clears_the_last_error() {
        let r = call("netns_test", || Err(Failure::null("name")));
        assert_eq!(r, netns_result::NETNS_NULL_ARGUMENT);
        assert_eq!(last(), "netns_test: name is NULL");
        assert_eq!(call("netns_test", || Ok(())), netns_result::NETNS_OK);
        assert_eq!(last(), "");
    }

    #[test]
    fn guard_returns_the_fallback_on_panic() {
        assert_eq!(guard(7, || panic!("x")), 7);
        assert_eq!(guard(7, || 3), 3);
    }
}
