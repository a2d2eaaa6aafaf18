//! One sort for the whole binary.
//!
//! Each `sort_by`/`sort_unstable_by_key` call site instantiates the standard library's sort
//! (pattern-defeating quicksort, heapsort fallback, small-sort networks) for its own element
//! type and comparator: 5 to 10 KB of code each on mipsel, about 45 KB for the eight sorts
//! the router build had, where every byte is flash. Here the comparator is a `&dyn Fn` over
//! `u32` positions, so the sort exists once; callers sort positions into their data. None
//! of these sorts is on the per-packet path (end-of-trace flushes, histogram and address
//! writes, folder listings), so the indirect call costs nothing that matters.

use std::cmp::Ordering;

/// Sort `order`, positions into some slice, by `cmp` of the elements they point at. Ties keep
/// the lower position first, so the order is the same as a stable sort's.
pub fn positions(order: &mut [u32], cmp: &dyn Fn(u32, u32) -> Ordering) {
    order.sort_unstable_by(|&a, &b| cmp(a, b).then(a.cmp(&b)));
}

/// Sort `items` stably by `cmp`, through [`positions`]: the permutation is applied in place
/// by following its cycles, so the only allocation is the position list.
pub fn by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    by_reusing(items, &mut Vec::new(), cmp);
}

/// [`by`] with the position list in `order`, whose capacity is kept for the next call.
pub fn by_reusing<T>(items: &mut [T], order: &mut Vec<u32>, cmp: impl Fn(&T, &T) -> Ordering) {
    order.clear();
    order.extend(0..items.len() as u32);
    positions(order, &|a, b| cmp(&items[a as usize], &items[b as usize]));
    permute(items, order);
}

/// Rearrange `items` so that position `i` holds what was at `order[i]`. `order` is left
/// holding the identity permutation's marks (consumed).
fn permute<T>(items: &mut [T], order: &mut [u32]) {
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        if order[start] == DONE {
            continue;
        }
        // Walk the cycle through `start`: each position takes its source's element.
        let mut at = start;
        loop {
            let from = order[at] as usize;
            order[at] = DONE;
            if from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift), so the cases are varied but fixed.
    fn pseudo_random(n: usize, seed: u32, modulo: u32) -> Vec<u32> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x % modulo
            })
            .collect()
    }

    #[test]
    fn by_equals_the_standard_stable_sort() {
        for (n, modulo) in [
            (0, 1),
            (1, 5),
            (2, 2),
            (7, 3),
            (100, 10),
            (5000, 97),
            (5000, 100000),
        ] {
            // Pairs (key, original position): a stable sort keeps equal keys in position order.
            let keys = pseudo_random(n, 2463534242 + n as u32, modulo);
            let mut ours: Vec<(u32, usize)> = keys.iter().copied().zip(0..).collect();
            let mut expected = ours.clone();
            expected.sort_by_key(|e| e.0);
            by(&mut ours, |a, b| a.0.cmp(&b.0));
            assert_eq!(ours, expected, "n {n} modulo {modulo}");
        }
    }

    #[test]
    fn positions_order_by_the_elements_and_break_ties_by_position() {
        let values = [30, 10, 20, 10, 30];
        let mut order: Vec<u32> = (0..5).collect();
        positions(&mut order, &|a, b| {
            values[a as usize].cmp(&values[b as usize])
        });
        assert_eq!(order, [1, 3, 2, 0, 4]);
        positions(&mut order, &|a, b| {
            values[b as usize].cmp(&values[a as usize])
        });
        assert_eq!(order, [0, 4, 2, 1, 3]);
    }

    #[test]
    fn by_moves_owned_values() {
        let mut names: Vec<String> = ["log_tcp", "000/ip_len", "LAST/x", "GLOBAL/y", "log_udp"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        by(&mut names, |a, b| a.cmp(b));
        assert_eq!(
            names,
            ["000/ip_len", "GLOBAL/y", "LAST/x", "log_tcp", "log_udp"]
        );
    }
}
