//! Test-only fault injection (cargo feature `fault-injection`).
//!
//! A test arms a [`Point`] on its own thread; the library consults the point
//! when it reaches it on that thread and, if armed, fails there with the
//! given errno (or runs the given action first, to change the world under the
//! operation: a name taken or a namespace deleted half-way). Points are
//! thread-local, so tests running in parallel do not disturb one another, and
//! each arming fires a set number of times, then disarms itself.
//!
//! Without the feature this module does not exist and the library's calls to
//! it compile to nothing.
//!
//! ```ignore
//! use netns_core::fault::{self, Point};
//! fault::fail(Point::AddBeforeMount, nix::errno::Errno::EIO, 1);
//! assert!(registry.add("x").is_err()); // and nothing is left behind
//! ```

use std::cell::RefCell;

use crate::Errno;

/// A place in the library where a fault can be injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Point {
    /// [`crate::Registry::add`]: the registry file was created, the namespace
    /// not made yet.
    AddAfterCreate,
    /// [`crate::Registry::add`]: the namespace was made, not yet mounted on
    /// the registry file.
    AddBeforeMount,
    /// [`crate::netlink::Socket`]: before each `recv` from the kernel (an
    /// errno here is what `recv` returns: `ENOBUFS`, `EINTR` …).
    Recv,
    /// [`crate::netlink::Socket`]: before each `send` to the kernel.
    Send,
}

/// What an armed point does.
enum Action {
    Fail(Errno),
    Run(Box<dyn FnMut()>),
}

struct Armed {
    point: Point,
    times: usize,
    action: Action,
}

thread_local! {
    static ARMED: RefCell<Vec<Armed>> = const { RefCell::new(Vec::new()) };
}

/// Makes `point` fail with `errno` the next `times` times this thread reaches it.
pub fn fail(point: Point, errno: Errno, times: usize) {
    ARMED.with(|a| {
        a.borrow_mut().push(Armed {
            point,
            times,
            action: Action::Fail(errno),
        })
    });
}

/// Runs `action` the next time this thread reaches `point` (then goes on).
pub fn run_at(point: Point, action: impl FnMut() + 'static) {
    ARMED.with(|a| {
        a.borrow_mut().push(Armed {
            point,
            times: 1,
            action: Action::Run(Box::new(action)),
        })
    });
}

/// Disarms every point of this thread; returns how many armings had not fired.
pub fn clear() -> usize {
    ARMED.with(|a| a.borrow_mut().drain(..).filter(|x| x.times > 0).count())
}

/// Called by the library at `point`: runs a pending action, or returns the
/// injected errno.
pub(crate) fn hit(point: Point) -> Option<Errno> {
    // Take the action out first: an action may call back into the library.
    let action = ARMED.with(|a| {
        let mut armed = a.borrow_mut();
        let at = armed.iter().position(|x| x.point == point && x.times > 0)?;
        armed[at].times -= 1;
        let done = armed[at].times == 0;
        let entry = if done {
            armed.remove(at)
        } else {
            match &armed[at].action {
                Action::Fail(e) => Armed {
                    point,
                    times: 0,
                    action: Action::Fail(*e),
                },
                Action::Run(_) => armed.remove(at),
            }
        };
        Some(entry.action)
    })?;
    match action {
        Action::Fail(e) => Some(e),
        Action::Run(mut f) => {
            f();
            None
        }
    }
}
