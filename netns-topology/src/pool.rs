//! The worker pool of apply, destroy and the survey: one scoped thread per
//! core, each given a contiguous share of the work.

/// How many workers for `n` items: one per core, at least 1, at most `n`.
pub(crate) fn workers(n: usize) -> usize {
    std::thread::available_parallelism()
        .map_or(2, |c| c.get())
        .clamp(1, n.max(1))
}

/// Splits `items` into one contiguous share per worker ([`workers`]), runs
/// `f` on each share on its own thread and returns the results in share
/// order (the items' order). Nothing is spawned for one share or none. A
/// panic in `f` is resumed in the caller once every worker has ended.
pub(crate) fn on_workers<T: Send, R: Send>(
    mut items: Vec<T>,
    f: impl Fn(Vec<T>) -> R + Sync,
) -> Vec<R> {
    let n = workers(items.len());
    if items.is_empty() {
        return Vec::new();
    }
    if n == 1 {
        return vec![f(items)];
    }
    let chunk = items.len().div_ceil(n);
    let mut shares = Vec::with_capacity(n);
    while items.len() > chunk {
        let rest = items.split_off(chunk);
        shares.push(std::mem::replace(&mut items, rest));
    }
    shares.push(items);
    let f = &f;
    std::thread::scope(|s| {
        let running: Vec<_> = shares
            .into_iter()
            .map(|share| s.spawn(move || f(share)))
            .collect();
        running
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_once_in_order() {
        for n in [0usize, 1, 2, 3, 7, 100] {
            let items: Vec<usize> = (0..n).collect();
            let out: Vec<usize> = on_workers(items, |share| share)
                .into_iter()
                .flatten()
                .collect();
            assert_eq!(out, (0..n).collect::<Vec<_>>(), "n = {n}");
        }
    }

    #[test]
    fn shares_run_on_other_threads_when_more_than_one() {
        let me = std::thread::current().id();
        let ids = on_workers((0..64).collect::<Vec<u32>>(), |_| {
            std::thread::current().id()
        });
        if ids.len() > 1 {
            assert!(ids.iter().all(|id| *id != me));
        } else {
            assert_eq!(ids, vec![me]);
        }
    }
}
