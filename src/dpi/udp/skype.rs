//! Skype's UDP signature as Tstat 3.2.1 counts it (its Skype classifier runs when a Bayes
//! configuration is given with `-B`).
//!
//! Every packet of a direction is sorted by the function field of the Skype header (third
//! payload byte) or by a repeated 4-byte block (SkypeOut). When the flow ends, or early after
//! 20 s and more than 200 packets, a direction with at least 10 packets mostly made of these is
//! typed Skype. Tstat then confirms voice flows (E2E, SkypeOut) with a Bayesian and chi-square
//! test before it prints them; that test is not implemented, so those print 0, as unconfirmed
//! ones do in Tstat. Signalling flows print 7 without a confirmation.

use super::{kind, DirState};
use crate::time::Timestamp;

/// Packet classes, in Tstat's order (index 0 is "not Skype").
const NAK: usize = 1;
const FUN2: usize = 2;
const FUN3: usize = 3;
const E2E_DATA: usize = 4;
const OUT_DATA: usize = 5;
const CLASSES: usize = 6;

/// A direction needs this many packets to be judged.
const MIN_PACKETS: u64 = 10;
/// Voice needs more than this many data packets, and more than this share of all.
const MIN_DATA_PACKETS: u32 = 100;
const MIN_DATA_PERCENT: f64 = 90.0;
/// Signalling needs more than this share of Skype-looking packets (integer percent).
const MIN_SKYPE_PERCENT: u64 = 90;
/// Early judgement: after this long and more than this many packets in one direction.
const EARLY_AFTER_NS: i64 = 20_000_000_000;
const EARLY_PACKETS: u64 = 200;

#[derive(Debug, Clone, Copy, Default)]
pub struct SkypeDir {
    counts: [u32; CLASSES],
    /// The first four payload bytes of the last packet, for SkypeOut's repeated block.
    out_block: u32,
    early_done: bool,
}

/// Skype types this module sets (printed 0 unless confirmed, see the module comment).
pub const E2E: u8 = 5;
pub const OUT: u8 = 6;
pub const SIG: u8 = 7;

/// Count one packet. `payload` is the captured UDP payload; `ip_udp_len` is the UDP length
/// by the IP header.
pub fn count(d: &mut SkypeDir, payload: &[u8], ip_udp_len: usize) {
    // Tstat reads a 4-byte header (id, func and padding) or skips the packet.
    if payload.len() < 4 {
        return;
    }
    let class = classify(d, payload, ip_udp_len.saturating_sub(8));
    d.counts[class] += 1;
}

fn classify(d: &mut SkypeDir, payload: &[u8], payload_len: usize) -> usize {
    let block = u32::from_ne_bytes([payload[0], payload[1], payload[2], payload[3]]);
    let first_block = d.out_block == 0;
    let repeated = !first_block && d.out_block == block;
    d.out_block = block;
    if repeated {
        return OUT_DATA;
    }
    match payload[2] & 0x8f {
        0x07 if payload_len == 11 => NAK,
        0x02 => FUN2,
        0x03 => FUN3,
        0x0d if payload_len > 4 => E2E_DATA,
        0x0d => FUN3,
        _ => 0,
    }
}

/// Whether the early judgement is due for this direction now.
pub fn early_due(d: &SkypeDir, first: Timestamp, now: Timestamp, packets: u64) -> bool {
    !d.early_done && now.0 - first.0 > EARLY_AFTER_NS && packets > EARLY_PACKETS
}

/// Types Skype never takes over: RTP/RTCP and the P2P, Teredo and SIP matches.
fn protected(k: u8) -> bool {
    matches!(k, 3 | 4 | 8 | 10..=17 | 23..=25)
}

/// Judge one direction that saw `packets` packets.
pub fn judge(d: &mut DirState, packets: u64) {
    if packets < MIN_PACKETS || protected(d.kind) || matches!(d.kind, E2E | OUT | SIG) {
        return;
    }
    let c = &d.skype.counts;
    let share = |n: u32| f64::from(n) * 100.0 / packets as f64;
    let skype_packets: u64 = c[NAK..CLASSES].iter().map(|&n| u64::from(n)).sum();
    if c[E2E_DATA] > MIN_DATA_PACKETS && share(c[E2E_DATA]) > MIN_DATA_PERCENT {
        d.kind = E2E;
    } else if c[OUT_DATA] > MIN_DATA_PACKETS && share(c[OUT_DATA]) > MIN_DATA_PERCENT {
        d.kind = OUT;
    } else if skype_packets * 100 / packets > MIN_SKYPE_PERCENT {
        d.kind = SIG;
    } else if matches!(d.kind, kind::FIRST_RTP | kind::FIRST_RTCP) {
        d.kind = kind::UNKNOWN;
    }
}

/// Mark both directions as judged early.
pub fn mark_early(a: &mut SkypeDir, b: &mut SkypeDir) {
    a.early_done = true;
    b.early_done = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signalling_needs_more_than_ninety_percent() {
        let mut d = DirState::default();
        for i in 0..10u8 {
            // func 0x02 with varying ids: FUN2, never a repeated block.
            count(&mut d.skype, &[i, 0x55, 0x02, i, 0, 0], 14);
        }
        judge(&mut d, 10);
        assert_eq!(d.kind, SIG);

        let mut d = DirState::default();
        for i in 0..9u8 {
            count(&mut d.skype, &[i, 0x55, 0x02, i, 0, 0], 14);
        }
        count(&mut d.skype, &[0xee, 0x55, 0x41, 0, 0, 0], 14);
        judge(&mut d, 10);
        assert_eq!(d.kind, kind::UNKNOWN, "9 of 10 is not more than 90%");
    }

    #[test]
    fn short_directions_and_rtp_are_left_alone() {
        let mut d = DirState::default();
        for i in 0..9u8 {
            count(&mut d.skype, &[i, 0x55, 0x02, i], 12);
        }
        judge(&mut d, 9);
        assert_eq!(d.kind, kind::UNKNOWN);
        d.kind = 3; // RTP
        for i in 0..9u8 {
            count(&mut d.skype, &[i, 0x55, 0x02, i], 12);
        }
        judge(&mut d, 18);
        assert_eq!(d.kind, 3);
    }

    #[test]
    fn a_repeated_block_is_skypeout_data() {
        let mut d = SkypeDir::default();
        assert_eq!(
            classify(&mut d, &[1, 2, 0x41, 4], 29),
            0,
            "first block is only stored"
        );
        assert_eq!(classify(&mut d, &[1, 2, 0x41, 4], 29), OUT_DATA);
    }
}
