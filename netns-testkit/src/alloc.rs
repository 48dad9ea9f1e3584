//! A counting allocator for the zero-copy claims: a test binary installs it
//! with
//!
//! ```ignore
//! #[global_allocator]
//! static GLOBAL: netns_testkit::Counting = netns_testkit::Counting;
//! ```
//!
//! and reads [`allocations`] before and after the code under test (the
//! count is per thread, so other tests running at the same time do not
//! disturb it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting this thread's allocations and
/// reallocations.
pub struct Counting;

// The one place the test kit needs unsafe.
// SAFETY: forwards every call to the system allocator; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// How many allocations (and reallocations) this thread has made so far
/// through [`Counting`] (0 when it is not the global allocator).
pub fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}
