//! Independent pieces of work (a round's fits, its cross-validation folds)
//! run on native threads, their results kept in the order of the work. Each
//! piece is deterministic on its own, so the results do not depend on how
//! many threads ran them: a round is the same, byte for byte, on 1 thread or
//! on 4. In wasm32 there are no threads (the page runs pieces in its
//! workers instead), and everything runs in order on the caller's.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The threads worth using here: the machine's, at most `limit`, at least 1.
pub fn available_threads(limit: usize) -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    let machine = std::thread::available_parallelism().map_or(1, usize::from);
    #[cfg(target_arch = "wasm32")]
    let machine = 1;
    machine.clamp(1, limit.max(1))
}

/// `work` applied to every item, on up to `threads` threads (in order on
/// this thread when there is one thread, one item, or no threads at all).
/// The results are in the items' order. A panic in `work` is a panic here.
pub fn map_in_order<T, R, F>(items: &[T], threads: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let threads = threads.min(items.len());
    if threads <= 1 || cfg!(target_arch = "wasm32") {
        return items.iter().map(work).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(index) else { break };
                let result = work(item);
                if let Ok(mut slots) = results.lock() {
                    slots[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .into_iter()
        .map(|result| {
            result.expect("every item was worked on: a thread that panicked panics the scope")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_items_order_whatever_the_threads() {
        let items: Vec<u64> = (0..37).collect();
        let square = |&value: &u64| value * value;
        let one = map_in_order(&items, 1, square);
        for threads in [2, 4, 64] {
            assert_eq!(map_in_order(&items, threads, square), one);
        }
        assert!(map_in_order(&[] as &[u64], 4, square).is_empty());
        assert!(available_threads(4) >= 1 && available_threads(4) <= 4);
    }
}
