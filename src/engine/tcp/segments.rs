//! The segment book of one direction: which sequence ranges its sender has transmitted, when,
//! how often, and how often the peer acknowledged them. It decides whether a segment is new,
//! retransmitted or out of order (core columns), yields the RTT samples (End-to-End set) and
//! classifies every retransmission or reordering (Options set).
//!
//! The design is tcptrace's as Tstat 3.2.1 uses it, because its corner cases are visible in the
//! logs: the 32-bit sequence space is cut into four quadrants of 2^30 numbers, each holding a
//! list of segments sorted by sequence number. Only the quadrant in use and its two neighbours
//! are kept; turning to a quadrant forgets the opposite one. Acknowledged neighbours are merged.
//! A quadrant holding more than `Max_Seg_Per_Quad` segments after an append forgets its lowest
//! segment, and the next one takes over its first byte (so a hole below it later reads as
//! already seen): that is Tstat's degradation, counted in [`SegmentPool::evicted`].
//!
//! Segments live in one [`SegmentPool`] shared by every connection, reserved once, so memory is
//! bounded and steady-state packets allocate nothing. When the pool is exhausted a segment is
//! not recorded (counted in [`SegmentPool::refused`]); Tstat, with no such bound, would have
//! allocated more.
//!
//! Sequence arithmetic is plain wrapping `u32`, with unsigned comparisons, as in Tstat.
//! Times are microseconds since the epoch (Tstat's clock resolution).

use super::rtt::{elapsed_us, RttStats};

const NIL: u32 = u32::MAX;
const QUADRANT_BITS: u32 = 30;

/// Classes of retransmissions and reorderings (Mellia, Meo, Muscariello, "TCP anomalies:
/// identification and analysis", 2005). The low four bits are the class; higher bits are flags.
mod class {
    pub const IN_SEQUENCE: u8 = 0;
    pub const RTO: u8 = 1;
    pub const FAST_RETRANSMIT: u8 = 2;
    pub const REORDERING: u8 = 3;
    pub const NETWORK_DUPLICATE: u8 = 4;
    pub const FLOW_CONTROL: u8 = 5;
    pub const UNNEEDED_RTO: u8 = 6;
    pub const UNNEEDED_FAST_RETRANSMIT: u8 = 7;
    /// Sub-cases Tstat only reports as "unknown".
    pub const DUP_BELOW_RTT: u8 = 8;
    pub const DUP_BELOW_RTO: u8 = 9;
    pub const OOO_BELOW_RTT: u8 = 10;
    pub const OOO_BELOW_RTO: u8 = 11;
    pub const UNNEEDED_BELOW_RTT: u8 = 12;
    pub const UNNEEDED_BELOW_RTO: u8 = 13;
    /// Flag: same class as the segment before (a burst of one event).
    pub const BATCH: u8 = 16;
    /// Flag: judged without an RTT estimate in both directions.
    pub const NO_RTT: u8 = 32;
}

/// Lower bounds and defaults of the timers the classification compares with, in µs.
const RTO_MIN: f64 = 100_000.0;
const RTT_MIN: f64 = 1_000.0;
const RTO_WITHOUT_SAMPLES: f64 = 500_000.0;
const RTT_WITHOUT_SAMPLES: f64 = 5_000.0;

/// Retransmissions and reorderings of one direction, by class (Options set, `c_pkts_rto` ...).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Anomalies {
    pub rto: u32,
    pub fast_retransmit: u32,
    pub reordering: u32,
    pub network_duplicate: u32,
    pub unknown: u32,
    pub flow_control: u32,
    pub unneeded_rto: u32,
    pub unneeded_fast_retransmit: u32,
}

/// The classes the pieces of the segments of one packet got, as the histograms aggregate
/// them (`tcp_anomalies_*`): 0 for a piece appended in sequence, the class 0-7 of a judged
/// piece, 63 for any other class. A segment rarely has more than a few pieces; past
/// [`PACKET_CLASSES`] they are dropped and counted.
#[derive(Debug, Clone, Default)]
pub struct PacketClasses {
    pub classes: heapless::Vec<u8, PACKET_CLASSES>,
    pub dropped: u32,
}

/// Pieces of one packet whose classes are kept for the histograms.
pub const PACKET_CLASSES: usize = 16;

impl PacketClasses {
    pub fn clear(&mut self) {
        self.classes.clear();
    }

    fn push(&mut self, class: u8) {
        if self.classes.push(class).is_err() {
            self.dropped += 1;
        }
    }
}

/// Tstat's `aggregateType`: a class without its flags, classes above the last named one
/// as UNKNOWN (63).
fn aggregate(kind: u8) -> u8 {
    let class = kind & !(class::BATCH | class::NO_RTT);
    if class > class::UNNEEDED_FAST_RETRANSMIT {
        63
    } else {
        class & 7
    }
}

/// Where the classification of a segment's pieces goes: the direction's counters, and the
/// packet's list for the histograms.
pub struct Tally<'a> {
    pub counts: &'a mut Anomalies,
    pub packet: &'a mut PacketClasses,
}

impl Tally<'_> {
    fn judged(&mut self, kind: u8) {
        self.counts.count(kind);
        self.packet.push(aggregate(kind));
    }

    fn appended(&mut self) {
        self.packet.push(class::IN_SEQUENCE);
    }
}

impl Anomalies {
    fn count(&mut self, kind: u8) {
        let n = match kind & 15 {
            class::IN_SEQUENCE => return,
            class::RTO => &mut self.rto,
            class::FAST_RETRANSMIT => &mut self.fast_retransmit,
            class::REORDERING => &mut self.reordering,
            class::NETWORK_DUPLICATE => &mut self.network_duplicate,
            class::FLOW_CONTROL => &mut self.flow_control,
            class::UNNEEDED_RTO => &mut self.unneeded_rto,
            class::UNNEEDED_FAST_RETRANSMIT => &mut self.unneeded_fast_retransmit,
            _ => &mut self.unknown,
        };
        *n = n.wrapping_add(1);
    }
}

#[derive(Debug, Clone, Copy)]
struct Seg {
    first: u32,
    /// Inclusive.
    last: u32,
    /// Time of the latest transmission, µs.
    time: i64,
    /// Acknowledgements covering it (0: not acknowledged yet).
    acked: u32,
    prev: u32,
    next: u32,
    /// IP identification of the latest transmission (IPv6: the payload length, which is what
    /// Tstat reads at that offset).
    ip_id: u16,
    /// Retransmissions; 8 bits like Tstat's, so the 256th wraps to "never retransmitted".
    retrans: u8,
    kind: u8,
}

/// Storage for the segments of every connection.
pub struct SegmentPool {
    segs: Vec<Seg>,
    capacity: usize,
    free: u32,
    /// Segments a quadrant may hold; 0 for no limit.
    per_quadrant: u32,
    /// Segments forgotten because their quadrant was full (Tstat's `Max_Seg_Per_Quad`).
    pub evicted: u64,
    /// Segments not recorded because the pool was exhausted.
    pub refused: u64,
}

impl SegmentPool {
    /// A pool for at most `capacity` segments, reserved now and never reallocated.
    pub fn new(capacity: usize, per_quadrant: u64) -> SegmentPool {
        let capacity = capacity.clamp(16, (NIL - 1) as usize);
        SegmentPool {
            segs: Vec::with_capacity(capacity),
            capacity,
            free: NIL,
            per_quadrant: per_quadrant.min(u32::MAX as u64) as u32,
            evicted: 0,
            refused: 0,
        }
    }

    /// Segments in use.
    pub fn in_use(&self) -> usize {
        let mut free = 0;
        let mut i = self.free;
        while i != NIL {
            free += 1;
            i = self.segs[i as usize].next;
        }
        self.segs.len() - free
    }

    fn alloc(&mut self, seg: Seg) -> Option<u32> {
        if self.free != NIL {
            let i = self.free;
            self.free = self.segs[i as usize].next;
            self.segs[i as usize] = seg;
            return Some(i);
        }
        if self.segs.len() < self.capacity {
            self.segs.push(seg);
            return Some(self.segs.len() as u32 - 1);
        }
        self.refused += 1;
        None
    }

    fn release(&mut self, i: u32) {
        self.segs[i as usize].next = self.free;
        self.free = i;
    }

    fn at(&self, i: u32) -> &Seg {
        &self.segs[i as usize]
    }

    fn at_mut(&mut self, i: u32) -> &mut Seg {
        &mut self.segs[i as usize]
    }
}

#[derive(Debug, Clone, Copy)]
struct Quadrant {
    head: u32,
    tail: u32,
    len: u32,
}

impl Default for Quadrant {
    fn default() -> Quadrant {
        Quadrant {
            head: NIL,
            tail: NIL,
            len: 0,
        }
    }
}

/// What the sender's and the peer's state say about the segment being judged; computed once
/// per segment, before the book changes.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// Capture time, µs.
    pub now: i64,
    pub ip_id: u16,
    /// Sum of both directions' mean RTTs, µs.
    pub mean_rtt: f64,
    /// Retransmission timeout estimate, µs.
    pub rto: f64,
    /// Sum of both directions' minimum RTTs, µs.
    pub rtt: f64,
    /// Both directions have RTT samples.
    pub rtt_known: bool,
    /// The peer announced a zero window and both sides sent a SYN: a 1-byte segment is a
    /// window probe.
    pub window_probe_possible: bool,
}

impl Context {
    /// `sender` and `peer`: RTT statistics of the two directions (whose segments each one
    /// acknowledges, see [`SegmentBook::acknowledge`]).
    pub fn new(
        now: i64,
        ip_id: u16,
        sender: &RttStats,
        peer: &RttStats,
        window_probe_possible: bool,
    ) -> Context {
        let mean_rtt = sender.mean() + peer.mean();
        let pooled = super::rtt::stdev(
            sender.sum + peer.sum,
            sender.sum2 + peer.sum2,
            sender.count as i64 + peer.count as i64,
        );
        let rtt_known = sender.count != 0 && peer.count != 0;
        let (rto, rtt) = if rtt_known {
            (
                (mean_rtt + 4.0 * pooled).max(RTO_MIN),
                ((sender.min.wrapping_add(peer.min)) as f64).max(RTT_MIN),
            )
        } else {
            (RTO_WITHOUT_SAMPLES, RTT_WITHOUT_SAMPLES)
        };
        Context {
            now,
            ip_id,
            mean_rtt,
            rto,
            rtt,
            rtt_known,
            window_probe_possible,
        }
    }
}

/// How a segment compared with what was sent before.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Sequence numbers of the segment already sent.
    pub retransmitted: u64,
    /// It fills a hole below data already sent.
    pub out_of_order: bool,
}

/// The segment book of one direction. Its segments live in a [`SegmentPool`]; give them back
/// with [`SegmentBook::release`] before dropping the book.
#[derive(Debug, Clone, Copy)]
pub struct SegmentBook {
    quads: [Quadrant; 4],
    /// The quadrant whose neighbours are set up; 4 before the first use.
    centre: u8,
}

impl Default for SegmentBook {
    fn default() -> SegmentBook {
        SegmentBook {
            quads: [Quadrant::default(); 4],
            centre: 4,
        }
    }
}

fn quadrant_of(seq: u32) -> usize {
    (seq >> QUADRANT_BITS) as usize
}

/// What a classification compares with: the segment before the judged one, if any.
struct Neighbour {
    kind: u8,
    acked: u32,
    time: i64,
}

impl SegmentBook {
    /// Record `len` sequence numbers from `seq` (SYN and FIN count one each; `len > 0`),
    /// classifying any overlap with what was sent before into `tally`.
    pub fn record(
        &mut self,
        pool: &mut SegmentPool,
        seq: u32,
        len: u32,
        cx: &Context,
        tally: &mut Tally<'_>,
    ) -> Verdict {
        let mut v = Verdict::default();
        if len == 0 {
            return v;
        }
        let last = seq.wrapping_add(len - 1);
        let q = quadrant_of(seq);
        self.turn_to(pool, q);
        if quadrant_of(last) == q {
            v.retransmitted = self.add(pool, q, seq, len, cx, tally, &mut v.out_of_order);
        } else {
            // At most two quadrants: a segment is far shorter than 2^30.
            let first_len = ((q as u32 + 1) << QUADRANT_BITS).wrapping_sub(seq);
            let next = (q + 1) % 4;
            let next_first = (next as u32) << QUADRANT_BITS;
            v.retransmitted = self.add(pool, q, seq, first_len, cx, tally, &mut v.out_of_order);
            v.retransmitted += self.add(
                pool,
                next,
                next_first,
                len - first_len,
                cx,
                tally,
                &mut v.out_of_order,
            );
        }
        v
    }

    /// The peer acknowledged everything below `ack` at time `now`: mark the segments, and when
    /// the acknowledgement ends exactly at a segment sent once and not overtaken by a later
    /// transmission of an earlier segment, add its round-trip time to `rtt` (Karn's rule: no
    /// sample from a retransmitted segment).
    pub fn acknowledge(&mut self, pool: &mut SegmentPool, ack: u32, now: i64, rtt: &mut RttStats) {
        let q = quadrant_of(ack);
        self.turn_to(pool, q);
        // Everything in the quadrant below is acknowledged as a whole.
        let below = (q + 3) % 4;
        let mut newest_sent = 0i64;
        let mut changed = false;
        let mut i = self.quads[below].head;
        while i != NIL {
            let s = pool.at_mut(i);
            if s.acked == 0 {
                s.acked = 1;
                changed = true;
                newest_sent = newest_sent.max(s.time);
            }
            i = s.next;
        }
        if changed {
            self.merge_acknowledged(pool, below);
        }
        changed = false;
        let mut i = self.quads[q].head;
        while i != NIL {
            let s = pool.at_mut(i);
            if ack <= s.first {
                break;
            }
            newest_sent = newest_sent.max(s.time);
            let was_acked = s.acked != 0;
            s.acked = s.acked.wrapping_add(1);
            if !was_acked {
                changed = true;
                let exact = ack == s.last.wrapping_add(1);
                if exact && newest_sent <= s.time && s.retrans == 0 {
                    rtt.add(elapsed_us(s.time, now));
                }
            }
            i = s.next;
        }
        if changed {
            self.merge_acknowledged(pool, q);
        }
    }

    /// Give every segment back to the pool.
    pub fn release(&mut self, pool: &mut SegmentPool) {
        for q in 0..4 {
            self.forget_quadrant(pool, q);
        }
        self.centre = 4;
    }

    /// Use quadrant `q`: keep its neighbours, forget the opposite quadrant.
    fn turn_to(&mut self, pool: &mut SegmentPool, q: usize) {
        if self.centre as usize != q {
            self.forget_quadrant(pool, (q + 2) % 4);
            self.centre = q as u8;
        }
    }

    fn forget_quadrant(&mut self, pool: &mut SegmentPool, q: usize) {
        let mut i = self.quads[q].head;
        while i != NIL {
            let next = pool.at(i).next;
            pool.release(i);
            i = next;
        }
        self.quads[q] = Quadrant::default();
    }

    /// Record `[first, first+len)` within quadrant `q`; returns the retransmitted count.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        pool: &mut SegmentPool,
        q: usize,
        mut first: u32,
        mut len: u32,
        cx: &Context,
        tally: &mut Tally<'_>,
        out_of_order: &mut bool,
    ) -> u64 {
        let last = first.wrapping_add(len).wrapping_sub(1);
        let mut repeated: u64 = 0;
        let mut split = false;
        let quad = self.quads[q];
        // The usual case: beyond everything recorded (a gap before it is loss, not reordering).
        let mut i = if quad.tail != NIL && first > pool.at(quad.tail).last {
            NIL
        } else {
            quad.head
        };
        while i != NIL {
            let s = *pool.at(i);
            if first > s.last {
                i = s.next;
                continue;
            }
            if first < s.first {
                if last < s.last {
                    *out_of_order = true;
                }
                let inserted = self.insert_before(pool, q, i, first, len, cx);
                // Ending exactly on s.first counts as no overlap (tcptrace's rule, kept).
                if last <= s.first {
                    if let Some(n) = inserted {
                        self.judge_new(pool, n, i, len, cx, tally);
                    }
                    return repeated;
                }
                if let Some(n) = inserted {
                    pool.at_mut(n).last = s.first.wrapping_sub(1);
                    // Tstat passes the piece's length minus one here.
                    let piece = s.first.wrapping_sub(1).wrapping_sub(first);
                    self.judge_new(pool, n, i, piece, cx, tally);
                }
                first = s.first;
                len = last.wrapping_sub(first).wrapping_add(1);
            }
            // From here the segment starts inside s: s is being sent again.
            let seen = pool.at_mut(i);
            seen.retrans = seen.retrans.wrapping_add(1);
            let recovery = (cx.now - seen.time) as f64;
            if !split {
                seen.time = cx.now;
            }
            if last <= s.last {
                repeated += len as u64;
                self.judge_seen(pool, i, len, recovery, cx, tally);
                return repeated;
            }
            split = true;
            repeated += s.last.wrapping_sub(first).wrapping_add(1) as u64;
            first = s.last.wrapping_add(1);
            self.judge_seen(pool, i, repeated as u32, recovery, cx, tally);
            len = last.wrapping_sub(first).wrapping_add(1);
            i = pool.at(i).next;
        }
        tally.appended();
        self.append(pool, q, first, len, cx);
        repeated
    }

    fn new_seg(first: u32, len: u32, cx: &Context) -> Seg {
        Seg {
            first,
            last: first.wrapping_add(len).wrapping_sub(1),
            time: cx.now,
            acked: 0,
            prev: NIL,
            next: NIL,
            ip_id: cx.ip_id,
            retrans: 0,
            kind: class::IN_SEQUENCE,
        }
    }

    fn insert_before(
        &mut self,
        pool: &mut SegmentPool,
        q: usize,
        at: u32,
        first: u32,
        len: u32,
        cx: &Context,
    ) -> Option<u32> {
        let prev = pool.at(at).prev;
        let n = pool.alloc(Seg {
            prev,
            next: at,
            ..Self::new_seg(first, len, cx)
        })?;
        pool.at_mut(at).prev = n;
        if prev == NIL {
            self.quads[q].head = n;
        } else {
            pool.at_mut(prev).next = n;
        }
        self.quads[q].len += 1;
        Some(n)
    }

    fn append(&mut self, pool: &mut SegmentPool, q: usize, first: u32, len: u32, cx: &Context) {
        let tail = self.quads[q].tail;
        let Some(n) = pool.alloc(Seg {
            prev: tail,
            ..Self::new_seg(first, len, cx)
        }) else {
            return;
        };
        if tail == NIL {
            self.quads[q].head = n;
        } else {
            pool.at_mut(tail).next = n;
        }
        self.quads[q].tail = n;
        self.quads[q].len += 1;
        let cap = pool.per_quadrant;
        if cap != 0 && self.quads[q].len > cap {
            self.evict_lowest(pool, q);
        }
    }

    /// Forget the lowest segment of a full quadrant; the next one takes over its first byte.
    fn evict_lowest(&mut self, pool: &mut SegmentPool, q: usize) {
        let head = self.quads[q].head;
        let (first, next) = {
            let h = pool.at(head);
            (h.first, h.next)
        };
        let n = pool.at_mut(next);
        n.prev = NIL;
        n.first = first;
        self.quads[q].head = next;
        self.quads[q].len -= 1;
        pool.release(head);
        pool.evicted += 1;
    }

    /// Merge neighbouring acknowledged segments that touch, from the lowest one on; the merged
    /// segment keeps the later transmission's time, IP id and class.
    fn merge_acknowledged(&mut self, pool: &mut SegmentPool, q: usize) {
        let mut i = self.quads[q].head;
        while i != NIL {
            let s = *pool.at(i);
            if s.next == NIL || s.acked == 0 {
                break;
            }
            let n = *pool.at(s.next);
            if n.acked == 0 || s.last.wrapping_add(1) != n.first {
                i = s.next;
                continue;
            }
            let merged = pool.at_mut(i);
            merged.last = n.last;
            merged.acked = n.acked;
            if n.time > s.time {
                merged.time = n.time;
                merged.ip_id = n.ip_id;
                merged.kind = n.kind;
            }
            merged.next = n.next;
            if n.next == NIL {
                self.quads[q].tail = i;
            } else {
                pool.at_mut(n.next).prev = i;
            }
            pool.release(s.next);
            self.quads[q].len -= 1;
        }
    }

    /// Classify the new segment `n`, inserted just before `following`, which it precedes.
    fn judge_new(
        &mut self,
        pool: &mut SegmentPool,
        n: u32,
        following: u32,
        len: u32,
        cx: &Context,
        tally: &mut Tally<'_>,
    ) {
        let before = pool.at(n).prev;
        let neighbour = (before != NIL).then(|| {
            let b = pool.at(before);
            Neighbour {
                kind: b.kind,
                acked: b.acked,
                time: b.time,
            }
        });
        let recovery = neighbour
            .as_ref()
            .map_or(-1.0, |b| (cx.now - b.time) as f64);
        let kind = classify(pool.at(following), neighbour, len, recovery, false, cx);
        pool.at_mut(n).kind = kind;
        tally.judged(kind);
    }

    /// Classify a new transmission of the recorded segment `s`, last sent `recovery` µs ago.
    fn judge_seen(
        &mut self,
        pool: &mut SegmentPool,
        s: u32,
        len: u32,
        recovery: f64,
        cx: &Context,
        tally: &mut Tally<'_>,
    ) {
        let before = pool.at(s).prev;
        let neighbour = (before != NIL).then(|| {
            let b = pool.at(before);
            Neighbour {
                kind: b.kind,
                acked: b.acked,
                time: b.time,
            }
        });
        let kind = classify(pool.at(s), neighbour, len, recovery, true, cx);
        pool.at_mut(s).kind = kind;
        tally.judged(kind);
    }
}

/// The anomaly class of a segment compared with the recorded segment `s`, after Mellia et
/// al.: `seen` when it repeats `s`, otherwise it fills a hole just below `s`; `recovery` is
/// the time since the relevant earlier transmission (-1 when there is none).
fn classify(
    s: &Seg,
    before: Option<Neighbour>,
    len: u32,
    mut recovery: f64,
    seen: bool,
    cx: &Context,
) -> u8 {
    use class::*;
    let flag = |c: u8| if cx.rtt_known { c } else { c | NO_RTT };
    if !cx.rtt_known && recovery == -1.0 {
        recovery = (cx.now - s.time) as f64;
    }
    let previous_kind = before.as_ref().map_or(IN_SEQUENCE, |b| b.kind);
    let other_ip_id = s.ip_id != cx.ip_id;
    let beyond_rto = recovery > cx.rto;
    let within_mean_rtt = recovery < cx.mean_rtt;
    let after_dup_acks = before
        .as_ref()
        .is_some_and(|b| b.acked > 3 && recovery < cx.rto);
    let within_rtt = ((cx.now - s.time) as f64) < cx.rtt;
    if len == 1 && cx.window_probe_possible {
        return FLOW_CONTROL;
    }
    if within_mean_rtt && previous_kind != IN_SEQUENCE {
        return previous_kind | BATCH;
    }
    let retransmission = |fast: u8, timeout: u8| flag(if after_dup_acks { fast } else { timeout });
    if s.acked != 0 {
        return if !other_ip_id {
            flag(NETWORK_DUPLICATE)
        } else if beyond_rto || after_dup_acks {
            retransmission(UNNEEDED_FAST_RETRANSMIT, UNNEEDED_RTO)
        } else if within_mean_rtt {
            flag(UNNEEDED_BELOW_RTT)
        } else {
            flag(UNNEEDED_BELOW_RTO)
        };
    }
    if seen {
        if !other_ip_id {
            flag(NETWORK_DUPLICATE)
        } else if beyond_rto || after_dup_acks {
            retransmission(FAST_RETRANSMIT, RTO)
        } else if within_mean_rtt {
            flag(DUP_BELOW_RTT)
        } else {
            flag(DUP_BELOW_RTO)
        }
    } else if beyond_rto || after_dup_acks {
        retransmission(FAST_RETRANSMIT, RTO)
    } else if within_rtt {
        flag(REORDERING)
    } else if within_mean_rtt {
        flag(OOO_BELOW_RTT)
    } else {
        flag(OOO_BELOW_RTO)
    }
}

#[cfg(test)]
mod tests;
