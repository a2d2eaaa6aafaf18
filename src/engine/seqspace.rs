//! Sequence-space bookkeeping for one direction of a TCP connection, in the manner of
//! tcptrace and Tstat: a sorted list of the byte ranges seen, so each segment can be judged
//! new, retransmitted (bytes seen before) or out of order (it fills in below data already
//! seen). Acknowledged neighbouring ranges are merged as ACKs arrive.
//!
//! The list has a fixed size. When it is full, the two lowest ranges are merged into one,
//! the gap between them included: this is Tstat's own policy past `Max_Seg_Per_Quad`, and it
//! is counted in `merged_for_room`.
//!
//! Sequence numbers are unwrapped to 64 bits, so wrap-around (RFC 9293 §3.4) needs no
//! special case.

/// Ranges kept per direction.
pub const MAX_SEGMENTS: usize = 16;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Range {
    first: u64,
    /// Inclusive.
    last: u64,
    acked: bool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SeqSpace {
    started: bool,
    base: u32,
    /// Last unwrapped position seen, to pick the right 2^32 window for the next one.
    last_abs: u64,
    ranges: [Range; MAX_SEGMENTS],
    n: usize,
    /// Times the two lowest ranges had to be merged to make room.
    pub merged_for_room: u64,
}

/// What a segment was, judged against the data already seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SegmentVerdict {
    /// Sequence numbers of the segment seen before.
    pub retransmitted: u64,
    pub out_of_order: bool,
}

/// Unwrapped position of the first sequence number seen; leaves room below it.
const ORIGIN: u64 = 1 << 32;

impl SeqSpace {
    /// Map a raw sequence number to the 64-bit line, the copy closest to the last position.
    pub fn unwrap(&mut self, seq: u32) -> u64 {
        if !self.started {
            self.started = true;
            self.base = seq;
            self.last_abs = ORIGIN;
            return ORIGIN;
        }
        let abs = self.position(seq);
        self.last_abs = abs;
        abs
    }

    /// Like [`unwrap`](Self::unwrap) without moving the reference point (for ACK numbers).
    pub fn position(&self, seq: u32) -> u64 {
        if !self.started {
            return ORIGIN;
        }
        let delta = seq.wrapping_sub(self.base) as u64;
        let window = self.last_abs & !0xffff_ffff;
        let mut best = window + delta;
        for w in [window.wrapping_sub(1 << 32), window + (1 << 32)] {
            let c = w.wrapping_add(delta);
            if c.abs_diff(self.last_abs) < best.abs_diff(self.last_abs) {
                best = c;
            }
        }
        best
    }

    pub fn is_started(&self) -> bool {
        self.started
    }

    /// Record the `len` sequence numbers from `first` (len > 0) and judge them.
    pub fn segment(&mut self, mut first: u64, len: u64) -> SegmentVerdict {
        let mut v = SegmentVerdict::default();
        if len == 0 {
            return v;
        }
        let last = first + len - 1;
        // Fast path: beyond everything seen (a gap before it is lost data, not reordering).
        if self.n > 0 && first > self.ranges[self.n - 1].last {
            self.push_tail(first, last);
            return v;
        }
        let mut i = 0;
        while i < self.n {
            let s = self.ranges[i];
            if first > s.last {
                i += 1;
                continue;
            }
            if first < s.first {
                if last < s.last {
                    v.out_of_order = true;
                }
                // Ending exactly on s.first counts as no overlap, as in tcptrace.
                if last <= s.first {
                    self.insert(i, first, last);
                    return v;
                }
                self.insert(i, first, s.first - 1);
                // The rest, from s.first on, is judged against s (now one further on).
                first = s.first;
                i = self.index_of(s.first, i);
            }
            if last <= s.last {
                v.retransmitted += last - first + 1;
                return v;
            }
            v.retransmitted += s.last - first + 1;
            first = s.last + 1;
            i += 1;
        }
        self.push_tail(first, last);
        v
    }

    /// The peer acknowledged everything below `ack`: mark the ranges and merge neighbours.
    pub fn ack(&mut self, ack: u64) {
        for r in &mut self.ranges[..self.n] {
            if ack > r.first {
                r.acked = true;
            }
        }
        while self.n > 1
            && self.ranges[0].acked
            && self.ranges[1].acked
            && self.ranges[0].last + 1 == self.ranges[1].first
        {
            self.ranges[1].first = self.ranges[0].first;
            self.remove(0);
        }
    }

    fn index_of(&self, first: u64, from: usize) -> usize {
        (from..self.n)
            .find(|&j| self.ranges[j].first == first)
            .unwrap_or(from)
    }

    fn push_tail(&mut self, first: u64, last: u64) {
        self.make_room();
        self.ranges[self.n] = Range {
            first,
            last,
            acked: false,
        };
        self.n += 1;
    }

    fn insert(&mut self, at: usize, first: u64, last: u64) {
        if self.n == MAX_SEGMENTS {
            self.make_room();
            return self.insert(at.saturating_sub(1), first, last);
        }
        self.ranges.copy_within(at..self.n, at + 1);
        self.ranges[at] = Range {
            first,
            last,
            acked: false,
        };
        self.n += 1;
    }

    /// Merge the two lowest ranges when the list is full.
    fn make_room(&mut self) {
        if self.n == MAX_SEGMENTS {
            self.ranges[1].first = self.ranges[0].first;
            self.remove(0);
            self.merged_for_room += 1;
        }
    }

    fn remove(&mut self, at: usize) {
        self.ranges.copy_within(at + 1..self.n, at);
        self.n -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(isn: u32) -> (SeqSpace, u64) {
        let mut s = SeqSpace::default();
        let base = s.unwrap(isn);
        (s, base)
    }

    fn v(retransmitted: u64, out_of_order: bool) -> SegmentVerdict {
        SegmentVerdict {
            retransmitted,
            out_of_order,
        }
    }

    #[test]
    fn in_order_retransmitted_and_out_of_order() {
        let (mut s, d) = space(1000);
        assert_eq!(s.segment(d, 1), v(0, false), "SYN");
        assert_eq!(s.segment(d + 1, 100), v(0, false));
        // 101..200 lost; this one lands beyond it.
        assert_eq!(s.segment(d + 201, 100), v(0, false));
        // The hole filled later: out of order, nothing repeated.
        assert_eq!(s.segment(d + 101, 100), v(0, true));
        // Everything again: all retransmitted.
        assert_eq!(s.segment(d + 1, 300), v(300, false));
        // Partly new.
        assert_eq!(s.segment(d + 251, 100), v(50, false));
    }

    #[test]
    fn a_segment_ending_on_the_first_byte_of_the_next_is_not_a_retransmission() {
        let (mut s, d) = space(0);
        s.segment(d + 10, 10); // [10, 19]
        assert_eq!(s.segment(d + 5, 6), v(0, true)); // [5, 10]
    }

    #[test]
    fn acks_merge_neighbours_and_room_is_made() {
        let (mut s, d) = space(0);
        for i in 0..4 {
            s.segment(d + i * 10, 10);
        }
        assert_eq!(s.n, 4);
        s.ack(d + 40);
        assert_eq!(s.n, 1);
        for i in 0..(MAX_SEGMENTS as u64 + 3) {
            s.segment(d + 100 + i * 20, 10);
        }
        assert_eq!(s.merged_for_room, 4);
        assert_eq!(s.n, MAX_SEGMENTS);
        // Gaps swallowed by the merge now read as already seen.
        assert_eq!(s.segment(d + 40, 10).retransmitted, 10);
    }

    #[test]
    fn unwraps_across_the_32_bit_boundary() {
        let mut s = SeqSpace::default();
        let a = s.unwrap(u32::MAX - 10);
        let b = s.unwrap(5);
        assert_eq!(b - a, 16);
        let c = s.unwrap(u32::MAX - 20);
        assert_eq!(a - c, 10);
        assert_eq!(s.position(0), a + 11);
    }
}
