//! A fixed-capacity flow table.
//!
//! Slots are allocated once, at start-up, for `capacity` flows. A separate open-addressing
//! index (linear probing, backward-shift deletion, so no tombstones) maps a key to its slot.
//! Every live slot also sits on one of a few intrusive FIFO queues ordered by last activity;
//! the engine puts flows with the same idle timeout on the same queue, so the flows to expire
//! are always at the queue heads and expiry costs O(expired flows), never O(table size) and
//! never O(time gap).
//!
//! When every slot is in use, `insert` refuses and the caller counts the refusal.
//!
//! The slot vector reserves its full capacity at start-up and is filled on demand, so pages
//! of slots never used stay untouched: resident memory follows the peak number of concurrent
//! flows, and can never exceed the configured capacity.

use crate::time::Timestamp;

const NIL: u32 = u32::MAX;

/// Number of expiry queues a table keeps.
pub const QUEUES: usize = 2;

struct Entry<K, V> {
    key: Option<K>,
    hash: u64,
    prev: u32,
    next: u32,
    queue: u8,
    value: V,
}

pub struct FlowTable<K, V> {
    entries: Vec<Entry<K, V>>,
    capacity: usize,
    /// Open-addressing index: slot number, or NIL when empty.
    index: Vec<u32>,
    mask: usize,
    free: Vec<u32>,
    heads: [u32; QUEUES],
    tails: [u32; QUEUES],
    len: usize,
}

/// A cheap, well-mixed 64-bit hash step (the finaliser of splitmix64).
#[inline]
pub fn mix64(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Worker threads: whether a flow last active at `last` is idle past `timeout` at `now`, and
/// another engine (`opened_after`) has opened a flow since late enough to close it, as a
/// lone engine would have. Shared by the TCP and UDP trackers.
pub fn closed_elsewhere(
    last: Timestamp,
    timeout: i64,
    now: Timestamp,
    opened_after: &dyn Fn(Timestamp) -> bool,
) -> bool {
    now.0.saturating_sub(last.0) > timeout
        && opened_after(Timestamp(last.0.saturating_add(timeout)))
}

impl<K: Eq + Copy, V: Default> FlowTable<K, V> {
    pub fn with_capacity(capacity: usize) -> FlowTable<K, V> {
        let capacity = capacity.clamp(1, (u32::MAX / 4) as usize);
        let index_len = (capacity * 2).next_power_of_two();
        FlowTable {
            entries: Vec::with_capacity(capacity),
            capacity,
            index: vec![NIL; index_len],
            mask: index_len - 1,
            free: Vec::with_capacity(capacity),
            heads: [NIL; QUEUES],
            tails: [NIL; QUEUES],
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The slot holding `key`, whose hash is `hash`.
    #[inline]
    pub fn find(&self, key: &K, hash: u64) -> Option<u32> {
        let mut pos = hash as usize & self.mask;
        loop {
            let slot = self.index[pos];
            if slot == NIL {
                return None;
            }
            let e = &self.entries[slot as usize];
            if e.hash == hash && e.key.as_ref() == Some(key) {
                return Some(slot);
            }
            pos = (pos + 1) & self.mask;
        }
    }

    /// Insert a new key at the tail of `queue`; `None` when the table is full. The value in
    /// the slot is reset to its default.
    pub fn insert(&mut self, key: K, hash: u64, queue: usize) -> Option<u32> {
        let slot = match self.free.pop() {
            Some(s) => {
                let e = &mut self.entries[s as usize];
                e.key = Some(key);
                e.hash = hash;
                e.value = V::default();
                s
            }
            None if self.entries.len() < self.capacity => {
                self.entries.push(Entry {
                    key: Some(key),
                    hash,
                    prev: NIL,
                    next: NIL,
                    queue: 0,
                    value: V::default(),
                });
                (self.entries.len() - 1) as u32
            }
            None => return None,
        };
        let mut pos = hash as usize & self.mask;
        while self.index[pos] != NIL {
            pos = (pos + 1) & self.mask;
        }
        self.index[pos] = slot;
        self.push_tail(slot, queue);
        self.len += 1;
        Some(slot)
    }

    /// Remove the flow in `slot`; its value stays readable until the slot is reused.
    pub fn remove(&mut self, slot: u32) {
        let s = slot as usize;
        if self.entries[s].key.is_none() {
            return;
        }
        self.unlink(slot);
        // Backward-shift deletion keeps every probe sequence unbroken.
        let mut pos = self.entries[s].hash as usize & self.mask;
        while self.index[pos] != slot {
            pos = (pos + 1) & self.mask;
        }
        let mut hole = pos;
        let mut next = (hole + 1) & self.mask;
        while self.index[next] != NIL {
            let home = self.entries[self.index[next] as usize].hash as usize & self.mask;
            // Move the entry back unless its home lies in the cyclic range (hole, next].
            let dist_next = next.wrapping_sub(home) & self.mask;
            let dist_hole = next.wrapping_sub(hole) & self.mask;
            if dist_next >= dist_hole {
                self.index[hole] = self.index[next];
                hole = next;
            }
            next = (next + 1) & self.mask;
        }
        self.index[hole] = NIL;
        self.entries[s].key = None;
        self.free.push(slot);
        self.len -= 1;
    }

    pub fn key(&self, slot: u32) -> Option<&K> {
        self.entries[slot as usize].key.as_ref()
    }

    pub fn get(&self, slot: u32) -> &V {
        &self.entries[slot as usize].value
    }

    pub fn get_mut(&mut self, slot: u32) -> &mut V {
        &mut self.entries[slot as usize].value
    }

    /// Mark `slot` as just active: move it to the tail of `queue`.
    #[inline]
    pub fn touch(&mut self, slot: u32, queue: usize) {
        if self.tails[queue] == slot {
            return;
        }
        self.unlink(slot);
        self.push_tail(slot, queue);
    }

    /// The queue `slot` is on.
    pub fn queue_of(&self, slot: u32) -> usize {
        self.entries[slot as usize].queue as usize
    }

    /// The least recently active slot of `queue`.
    pub fn oldest(&self, queue: usize) -> Option<u32> {
        let h = self.heads[queue];
        (h != NIL).then_some(h)
    }

    /// Every live slot.
    pub fn live_slots(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.key.is_some())
            .map(|(i, _)| i as u32)
    }

    fn push_tail(&mut self, slot: u32, queue: usize) {
        let tail = self.tails[queue];
        {
            let e = &mut self.entries[slot as usize];
            e.prev = tail;
            e.next = NIL;
            e.queue = queue as u8;
        }
        if tail != NIL {
            self.entries[tail as usize].next = slot;
        } else {
            self.heads[queue] = slot;
        }
        self.tails[queue] = slot;
    }

    fn unlink(&mut self, slot: u32) {
        let (prev, next, q) = {
            let e = &self.entries[slot as usize];
            (e.prev, e.next, e.queue as usize)
        };
        if prev != NIL {
            self.entries[prev as usize].next = next;
        } else if self.heads[q] == slot {
            self.heads[q] = next;
        }
        if next != NIL {
            self.entries[next as usize].prev = prev;
        } else if self.tails[q] == slot {
            self.tails[q] = prev;
        }
        let e = &mut self.entries[slot as usize];
        e.prev = NIL;
        e.next = NIL;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(k: u32) -> u64 {
        mix64(k as u64) & 0xff // force collisions
    }

    #[test]
    fn insert_find_remove_with_collisions() {
        let mut t: FlowTable<u32, u64> = FlowTable::with_capacity(300);
        for k in 0..300 {
            let s = t.insert(k, h(k), 0).unwrap();
            *t.get_mut(s) = k as u64 * 10;
        }
        assert!(t.insert(999, h(999), 0).is_none(), "a full table refuses");
        for k in (0..300).step_by(3) {
            let s = t.find(&k, h(k)).unwrap();
            t.remove(s);
        }
        for k in 0..300 {
            let found = t.find(&k, h(k));
            assert_eq!(found.is_some(), k % 3 != 0, "key {k}");
            if let Some(s) = found {
                assert_eq!(*t.get(s), k as u64 * 10);
            }
        }
        assert_eq!(t.len(), 200);
    }

    #[test]
    fn queues_keep_activity_order() {
        let mut t: FlowTable<u32, ()> = FlowTable::with_capacity(4);
        let a = t.insert(1, 1, 0).unwrap();
        let b = t.insert(2, 2, 0).unwrap();
        let c = t.insert(3, 3, 1).unwrap();
        assert_eq!(t.oldest(0), Some(a));
        t.touch(a, 0);
        assert_eq!(t.oldest(0), Some(b));
        t.touch(b, 1);
        assert_eq!(t.oldest(0), Some(a));
        assert_eq!(t.oldest(1), Some(c));
        t.remove(c);
        assert_eq!(t.oldest(1), Some(b));
        t.remove(b);
        t.remove(a);
        assert_eq!(t.oldest(0), None);
        assert_eq!(t.oldest(1), None);
    }
}
