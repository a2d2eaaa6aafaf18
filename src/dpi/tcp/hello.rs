//! A TLS ClientHello split over several TCP segments, read whole (our addition; Tstat reads
//! only the segment that starts the record: docs/differences.md).
//!
//! Browsers' ClientHellos outgrew one segment with post-quantum key shares (about 1.8 KB),
//! and the server_name extension, whose place browsers randomise, then often lies in the
//! second segment, where Tstat never looks. When the record is longer than its first segment,
//! the following client segments are placed by sequence number into a buffer of at most
//! `MAX_HELLO` bytes from a pool of fixed capacity; once the record (or the buffer) is whole,
//! it is read like a one-segment hello and fills what the first segment did not give.

use crate::dpi::pool::SlotPool;
use crate::dpi::reassembly::Reassembly;

/// Bytes of a ClientHello record kept; a longer record is read as far as this (counted).
pub const MAX_HELLO: usize = 4096;
/// Client segments a split hello may take; then the attempt is given up.
const MAX_SEGMENTS: u8 = 8;
/// Split hellos being gathered at once when none is configured.
pub const DEFAULT_POOL: usize = 256;
/// TLS record header: type, version, length.
const RECORD_HEADER: usize = 5;

/// One ClientHello record being gathered.
#[derive(Default)]
pub struct HelloAssembly {
    /// Sequence number (relative to the ISN) of the record's first byte.
    start: u32,
    /// Record bytes wanted: the whole record, at most `MAX_HELLO`.
    want: usize,
    segments: u8,
    record: Reassembly<MAX_HELLO>,
}

/// Gathering buffers, and what did not fit.
pub struct HelloPool {
    slots: SlotPool<HelloAssembly>,
    /// Records longer than `MAX_HELLO`, read only as far as the buffer goes.
    pub cut: u64,
}

/// What feeding a segment gave.
pub enum Fed<'a> {
    /// Not complete yet.
    Waiting,
    /// The whole ClientHello message (after the record header), or its first
    /// `MAX_HELLO - 5` bytes.
    Complete(&'a [u8]),
    /// Too many segments without completing: given up.
    GaveUp,
}

impl HelloPool {
    pub fn with_capacity(n: usize) -> HelloPool {
        HelloPool {
            slots: SlotPool::with_capacity(n),
            cut: 0,
        }
    }

    /// Requests refused because every buffer was in use.
    pub fn exhausted(&self) -> u64 {
        self.slots.exhausted
    }

    /// Start gathering the record whose first segment is `first` (fully captured), sent at
    /// relative sequence number `seq`; `None` when the record fits its segment or no buffer
    /// is free.
    pub fn start(&mut self, first: &[u8], seq: u32) -> Option<u32> {
        let len = usize::from(u16::from_be_bytes([*first.get(3)?, *first.get(4)?]));
        let total = RECORD_HEADER + len;
        if total <= first.len() {
            return None;
        }
        if total > MAX_HELLO {
            self.cut += 1;
        }
        let slot = self.slots.take()?;
        let a = self.slots.get_mut(slot);
        a.start = seq;
        a.want = total.min(MAX_HELLO);
        a.segments = 1;
        a.record.insert(0, first);
        Some(slot)
    }

    /// A later client segment at relative sequence number `seq`.
    pub fn feed(&mut self, slot: u32, payload: &[u8], seq: u32) -> Fed<'_> {
        let a = self.slots.get_mut(slot);
        a.segments += 1;
        // Sequence numbers wrap: a segment before the record's start has a huge offset.
        let offset = seq.wrapping_sub(a.start);
        if offset < MAX_HELLO as u32 {
            a.record.insert(u64::from(offset), payload);
        }
        let a = self.slots.get(slot);
        if a.record.contiguous() >= a.want {
            return Fed::Complete(&a.record.prefix()[RECORD_HEADER..a.want]);
        }
        if a.segments >= MAX_SEGMENTS {
            return Fed::GaveUp;
        }
        Fed::Waiting
    }

    pub fn give_back(&mut self, slot: u32) {
        self.slots.give_back(slot);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(body_len: usize) -> Vec<u8> {
        let mut r = vec![0x16, 0x03, 0x01];
        r.extend_from_slice(&(body_len as u16).to_be_bytes());
        r.extend((0..body_len).map(|i| i as u8));
        r
    }

    #[test]
    fn a_record_in_three_segments_out_of_order() {
        let r = record(2000);
        let mut pool = HelloPool::with_capacity(1);
        let slot = pool.start(&r[..1000], 1).unwrap();
        assert!(matches!(pool.feed(slot, &r[1500..], 1501), Fed::Waiting));
        match pool.feed(slot, &r[1000..1500], 1001) {
            Fed::Complete(msg) => assert_eq!(msg, &r[5..]),
            _ => panic!("complete after the gap is filled"),
        }
        assert_eq!(pool.cut, 0);
    }

    #[test]
    fn a_record_that_fits_its_segment_takes_no_buffer() {
        let r = record(300);
        let mut pool = HelloPool::with_capacity(1);
        assert!(pool.start(&r, 1).is_none());
        assert!(pool.start(&r[..4], 1).is_none(), "no length field");
        assert_eq!(pool.exhausted(), 0);
    }

    #[test]
    fn a_long_record_is_read_as_far_as_the_buffer_and_counted() {
        let r = record(10_000);
        let mut pool = HelloPool::with_capacity(1);
        let slot = pool.start(&r[..1400], 7).unwrap();
        let mut seq = 7 + 1400;
        let mut done = None;
        for piece in r[1400..].chunks(1400) {
            if let Fed::Complete(msg) = pool.feed(slot, piece, seq) {
                done = Some(msg.len());
                break;
            }
            seq += piece.len() as u32;
        }
        assert_eq!(done, Some(MAX_HELLO - 5));
        assert_eq!(pool.cut, 1);
    }

    #[test]
    fn gives_up_after_too_many_segments() {
        let r = record(3000);
        let mut pool = HelloPool::with_capacity(1);
        let slot = pool.start(&r[..100], 1).unwrap();
        let mut last = Fed::Waiting;
        for _ in 0..MAX_SEGMENTS {
            last = pool.feed(slot, b"", 50_000); // nothing useful arrives
        }
        assert!(matches!(last, Fed::GaveUp));
    }
}
