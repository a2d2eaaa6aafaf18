//! A fixed-capacity pool of per-flow records that most flows never need (RTP source lists,
//! gQUIC names). The memory is reserved once; a slot's pages are first touched when a flow
//! first takes it, so idle capacity costs no RSS. When every slot is taken the request is
//! refused and counted.

pub struct SlotPool<T> {
    slots: Vec<T>,
    free: Vec<u32>,
    /// Requests refused because every slot was taken.
    pub exhausted: u64,
}

impl<T: Default> SlotPool<T> {
    pub fn with_capacity(n: usize) -> SlotPool<T> {
        SlotPool {
            slots: Vec::with_capacity(n),
            free: Vec::with_capacity(n),
            exhausted: 0,
        }
    }

    /// A fresh slot, or `None` (counted) when the pool is full.
    pub fn take(&mut self) -> Option<u32> {
        if let Some(s) = self.free.pop() {
            self.slots[s as usize] = T::default();
            return Some(s);
        }
        if self.slots.len() < self.slots.capacity() {
            self.slots.push(T::default());
            return Some(self.slots.len() as u32 - 1);
        }
        self.exhausted += 1;
        None
    }

    pub fn give_back(&mut self, slot: u32) {
        self.free.push(slot);
    }

    pub fn get(&self, slot: u32) -> &T {
        &self.slots[slot as usize]
    }

    pub fn get_mut(&mut self, slot: u32) -> &mut T {
        &mut self.slots[slot as usize]
    }

    /// Slots free for reuse (tests).
    pub fn free_slots(&self) -> usize {
        self.free.len()
    }
}
