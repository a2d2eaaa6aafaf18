//! Hand-worked cases: each expectation follows from the rules in docs/semantics/tcp-sets.md,
//! not from running the code.

use super::*;

const MS: i64 = 1000;

fn cx(now: i64, ip_id: u16) -> Context {
    // No RTT samples yet: the classification uses its defaults (RTT 5 ms, RTO 500 ms).
    Context::new(
        now,
        ip_id,
        &RttStats::default(),
        &RttStats::default(),
        false,
    )
}

struct Dir {
    pool: SegmentPool,
    book: SegmentBook,
    tally: Anomalies,
    classes: PacketClasses,
    rtt: RttStats,
}

impl Dir {
    fn new(per_quadrant: u64) -> Dir {
        Dir {
            pool: SegmentPool::new(1000, per_quadrant),
            book: SegmentBook::default(),
            tally: Anomalies::default(),
            classes: PacketClasses::default(),
            rtt: RttStats::default(),
        }
    }
    fn send(&mut self, seq: u32, len: u32, now: i64, ip_id: u16) -> Verdict {
        let c = cx(now, ip_id);
        let mut tally = Tally {
            counts: &mut self.tally,
            packet: &mut self.classes,
        };
        self.book.record(&mut self.pool, seq, len, &c, &mut tally)
    }
    fn send_in(&mut self, seq: u32, len: u32, c: &Context) -> Verdict {
        let mut tally = Tally {
            counts: &mut self.tally,
            packet: &mut self.classes,
        };
        self.book.record(&mut self.pool, seq, len, c, &mut tally)
    }
    fn ack(&mut self, ack: u32, now: i64) {
        self.book
            .acknowledge(&mut self.pool, ack, now, &mut self.rtt);
    }
}

fn v(retransmitted: u64, out_of_order: bool) -> Verdict {
    Verdict {
        retransmitted,
        out_of_order,
    }
}

#[test]
fn the_ack_of_a_syn_gives_one_sample() {
    let mut d = Dir::new(100);
    d.send(1000, 1, 0, 1);
    d.ack(1001, 40 * MS);
    assert_eq!(d.rtt.count, 1);
    assert_eq!((d.rtt.min, d.rtt.max), (40_000, 40_000));
}

#[test]
fn only_the_segment_ending_at_the_ack_is_sampled() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    d.send(100, 100, 10 * MS, 2);
    // One ACK for both: the second ends at 200 and was sent at 10 ms.
    d.ack(200, 50 * MS);
    assert_eq!(d.rtt.count, 1);
    assert_eq!(d.rtt.min, 40_000);
    // A later ACK inside acknowledged data: no new sample.
    d.ack(150, 60 * MS);
    d.ack(200, 70 * MS);
    assert_eq!(d.rtt.count, 1);
}

#[test]
fn karn_no_sample_from_a_retransmitted_segment() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    assert_eq!(d.send(0, 100, 700 * MS, 2), v(100, false));
    d.ack(100, 720 * MS);
    assert_eq!(d.rtt.count, 0);
}

#[test]
fn no_sample_when_an_earlier_segment_was_sent_again_later() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    d.send(100, 100, MS, 2);
    d.send(0, 100, 600 * MS, 3); // the first one again, after the second
    d.ack(200, 620 * MS);
    assert_eq!(
        d.rtt.count, 0,
        "the second segment's sample would include the wait"
    );
}

#[test]
fn a_retransmission_after_the_timeout_is_an_rto() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    // 600 ms later (> 500 ms default RTO), another IP id.
    d.send(0, 100, 600 * MS, 2);
    assert_eq!(d.tally.rto, 1);
    assert_eq!(
        d.tally,
        Anomalies {
            rto: 1,
            ..Default::default()
        }
    );
}

#[test]
fn the_same_ip_id_again_is_a_network_duplicate() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 7);
    d.send(0, 100, 600 * MS, 7);
    assert_eq!(
        d.tally,
        Anomalies {
            network_duplicate: 1,
            ..Default::default()
        }
    );
}

#[test]
fn an_early_repeat_without_duplicate_acks_is_unknown() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    // 100 ms: under the RTO, no duplicate ACKs, not under a mean RTT of 0.
    d.send(0, 100, 100 * MS, 2);
    assert_eq!(
        d.tally,
        Anomalies {
            unknown: 1,
            ..Default::default()
        }
    );
}

#[test]
fn a_repeat_after_three_duplicate_acks_is_a_fast_retransmit() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    d.send(100, 100, MS, 2);
    d.send(200, 100, 2 * MS, 3);
    // The first segment acknowledged once, then three duplicate ACKs: acked 4 times.
    for t in 0..4 {
        d.ack(100, (10 + t) * MS);
    }
    d.send(100, 100, 20 * MS, 4);
    assert_eq!(
        d.tally,
        Anomalies {
            fast_retransmit: 1,
            ..Default::default()
        }
    );
}

#[test]
fn a_repeat_of_acknowledged_data_after_the_timeout_was_unneeded() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    d.ack(100, 10 * MS);
    d.send(0, 100, 700 * MS, 2);
    assert_eq!(
        d.tally,
        Anomalies {
            unneeded_rto: 1,
            ..Default::default()
        }
    );
}

#[test]
fn a_hole_filled_soon_after_is_reordering() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    d.send(200, 100, MS, 2);
    // Fills [100, 200) 1 ms after the segment above it: within the 5 ms RTT.
    assert_eq!(d.send(100, 100, 2 * MS, 3), v(0, true));
    assert_eq!(
        d.tally,
        Anomalies {
            reordering: 1,
            ..Default::default()
        }
    );
}

#[test]
fn a_one_byte_segment_into_a_zero_window_is_a_window_probe() {
    let mut d = Dir::new(100);
    d.send(0, 100, 0, 1);
    let probe = Context::new(
        900 * MS,
        2,
        &RttStats::default(),
        &RttStats::default(),
        true,
    );
    assert_eq!(d.send_in(99, 1, &probe), v(1, false));
    assert_eq!(
        d.tally,
        Anomalies {
            flow_control: 1,
            ..Default::default()
        }
    );
}

#[test]
fn a_full_quadrant_forgets_its_lowest_segment_and_the_hole_above_it() {
    let mut d = Dir::new(3);
    // Four segments with holes between them; none acknowledged.
    for i in 0..4u32 {
        d.send(i * 200, 100, i as i64 * MS, i as u16);
    }
    assert_eq!(d.pool.evicted, 1);
    assert_eq!(d.pool.in_use(), 3);
    // The second segment took over the first's start, so the hole [100, 200) reads as sent.
    assert_eq!(d.send(100, 100, 10 * MS, 9).retransmitted, 100);
}

#[test]
fn a_segment_across_a_quadrant_boundary_is_split() {
    let mut d = Dir::new(100);
    let boundary = 1u32 << 30;
    assert_eq!(d.send(boundary - 50, 100, 0, 1), v(0, false));
    assert_eq!(d.pool.in_use(), 2);
    assert_eq!(d.send(boundary - 50, 100, MS, 2).retransmitted, 100);
    // The ACK of its end gives no sample: the segment was retransmitted.
    d.ack(boundary + 50, 2 * MS);
    assert_eq!(d.rtt.count, 0);
}

#[test]
fn turning_to_the_opposite_quadrant_forgets_what_was_there() {
    let mut d = Dir::new(100);
    d.send(10, 100, 0, 1);
    // An ACK number half the sequence space away.
    d.ack(10 + (1 << 31), MS);
    assert_eq!(d.pool.in_use(), 0);
    assert_eq!(d.send(10, 100, 2 * MS, 2), v(0, false), "seen as new");
}

#[test]
fn acknowledged_neighbours_merge_and_release_gives_everything_back() {
    let mut d = Dir::new(100);
    for i in 0..5u32 {
        d.send(i * 100, 100, i as i64 * MS, i as u16);
    }
    assert_eq!(d.pool.in_use(), 5);
    d.ack(500, 10 * MS);
    assert_eq!(d.pool.in_use(), 1);
    d.book.release(&mut d.pool);
    assert_eq!(d.pool.in_use(), 0);
}

#[test]
fn an_exhausted_pool_refuses_segments_without_failing() {
    let mut pool = SegmentPool::new(16, 0);
    let mut book = SegmentBook::default();
    let (mut counts, mut classes) = (Anomalies::default(), PacketClasses::default());
    for i in 0..20u32 {
        let mut tally = Tally {
            counts: &mut counts,
            packet: &mut classes,
        };
        book.record(&mut pool, i * 200, 100, &cx(i as i64, 0), &mut tally);
    }
    assert_eq!(pool.refused, 4);
    assert_eq!(pool.in_use(), 16);
}
