//! Per-stream statistics of RTP and RTCP sources, as log_mm_complete prints them
//! (docs/semantics/mm-log.md §4–5). A stream is one SSRC in one direction of a UDP flow; it
//! lives inside the direction's source list (fixed capacity, no allocation).

/// Sequence numbers remembered per RTP stream (Tstat's RTP_WIN).
const WINDOW: usize = 16;
/// Sequence and timestamp distance beyond which a packet is not "ahead" (Tstat's OVERFLOW_TH).
const AHEAD: u32 = 2000;
/// A window jump larger than this after the window filled means the sender restarted its
/// numbering (some encoders do).
const RESET_JUMP: u32 = WINDOW as u32 * 5;
/// Payload or packet types counted per stream; Tstat's limit is not in the stored source.
pub const MAX_TYPES: usize = 16;

/// Payload (RTP) or packet (RTCP) types of a stream, in first-seen order, with their counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct TypeCounts {
    len: u8,
    ids: [u8; MAX_TYPES],
    counts: [u32; MAX_TYPES],
}

impl TypeCounts {
    fn count(&mut self, id: u8) {
        let n = usize::from(self.len);
        if let Some(i) = self.ids[..n].iter().position(|&t| t == id) {
            self.counts[i] = self.counts[i].saturating_add(1);
        } else if n < MAX_TYPES {
            self.ids[n] = id;
            self.counts[n] = 1;
            self.len += 1;
        }
    }

    /// (type, packets) pairs in first-seen order.
    pub fn iter(&self) -> impl Iterator<Item = (u8, u32)> + '_ {
        let n = usize::from(self.len);
        self.ids[..n]
            .iter()
            .copied()
            .zip(self.counts[..n].iter().copied())
    }
}

/// RFC 3550 A.8 interarrival jitter in ms, with its extremes.
#[derive(Debug, Clone, Copy)]
pub struct Jitter {
    /// The previous transit time, kept in whole ms: Tstat stores it in an `int`, so the
    /// fraction is cut (toward zero) before the next difference.
    transit: i32,
    pub value: f64,
    pub max: f32,
    /// `None` until the first sample.
    pub min: Option<f32>,
}

impl Default for Jitter {
    fn default() -> Jitter {
        Jitter {
            transit: 0,
            value: 0.0,
            max: 0.0,
            min: None,
        }
    }
}

impl Jitter {
    /// One sample: `since_first_ms` of arrival time and `media_ms` of RTP time since the
    /// stream's first packet. The previous transit starts at 0 and is kept in whole ms
    /// (Tstat's choices).
    fn sample(&mut self, since_first_ms: f64, media_ms: f64) {
        let transit = since_first_ms - media_ms;
        let d = (transit - f64::from(self.transit)).abs();
        // `as` cuts toward zero and saturates, as the C conversion does for values in range.
        self.transit = transit as i32;
        self.value += (d - self.value) / 16.0;
        let v = self.value as f32;
        if self.max < v {
            self.max = v;
        }
        if self.min.is_none_or(|m| m > v) {
            self.min = Some(v);
        }
    }
}

/// The RTP clock rate a static payload type implies (RFC 3551 §6); 0 when unknown.
pub fn clock_rate(pt: u8) -> u32 {
    match pt {
        0..=5 | 7..=9 | 12 | 13 | 15 | 18 => 8000,
        6 => 16000,
        16 => 11025,
        17 => 22050,
        10 | 11 => 44100,
        14 | 25 | 26 | 28 | 31..=33 => 90000,
        _ => 0,
    }
}

/// What one RTP packet says, as the statistics need it.
#[derive(Debug, Clone, Copy)]
pub struct RtpFields {
    pub ssrc: u32,
    pub seq: u16,
    pub ts: u32,
    pub pt: u8,
    /// RTP payload bytes by the IP length (may be negative on a bogus packet).
    pub media_len: i64,
    pub now_us: i64,
    /// The CSRC count, for the reordering delay Tstat computes with it byte-swapped.
    pub cc: u8,
}

/// What one RTP packet did to its stream's sequence window, for the histograms
/// (`mm_oos_p`, `mm_reord_*`, `mm_burst_loss`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SequenceEvents {
    /// Its sequence number is not the largest + 1.
    pub out_of_sequence: bool,
    /// It came behind the largest one (reordered), delayed this many ms.
    pub reordered_ms: Option<f64>,
    /// A window slot was refilled in sequence: the losses counted since the last refill.
    pub burst: Option<u32>,
}

/// One RTP source of a direction.
#[derive(Debug, Clone, Copy)]
pub struct RtpStream {
    pub ssrc: u32,
    initial_seq: u16,
    largest_seq: u16,
    window: [u16; WINDOW],
    filled: bool,
    pub packets: u64,
    pub first_us: i64,
    pub last_us: i64,
    pub ipg_sum_ms: f64,
    pub ipg_samples: u32,
    first_ts: u32,
    largest_ts: u32,
    /// At the payload type's own clock rate, at 8 kHz and at 90 kHz.
    pub jitter: Jitter,
    pub jitter8k: Jitter,
    pub jitter90k: Jitter,
    pub losses: u64,
    pub out_of_seq: u64,
    pub dup: u64,
    pub late: u64,
    pub bytes: u64,
    pub max_payload: i32,
    pub min_payload: i32,
    pub squares: u64,
    pub types: TypeCounts,
    pub bogus_reset: bool,
    /// Losses since the window was last refilled in sequence (Tstat's `burst`).
    burst: u32,
}

impl RtpStream {
    /// The stream's first packet; `udp_media_len` is counted from the UDP length field, in
    /// Tstat's 32-bit unsigned arithmetic.
    pub fn open(f: &RtpFields, udp_media_len: i64) -> RtpStream {
        let len32 = udp_media_len as u32;
        let mut window = [0u16; WINDOW];
        window[0] = f.seq;
        let mut types = TypeCounts::default();
        types.count(f.pt);
        RtpStream {
            ssrc: f.ssrc,
            initial_seq: f.seq,
            largest_seq: f.seq,
            window,
            filled: false,
            packets: 1,
            first_us: f.now_us,
            last_us: f.now_us,
            ipg_sum_ms: 0.0,
            ipg_samples: 0,
            first_ts: f.ts,
            largest_ts: f.ts,
            jitter: Jitter::default(),
            jitter8k: Jitter::default(),
            jitter90k: Jitter::default(),
            losses: 0,
            out_of_seq: 0,
            dup: 0,
            late: 0,
            bytes: u64::from(len32),
            max_payload: len32 as i32,
            min_payload: len32 as i32,
            squares: u64::from(len32.wrapping_mul(len32)),
            types,
            bogus_reset: false,
            burst: 0,
        }
    }

    /// The first sequence number, for the type-28 confirmation.
    pub fn initial_seq(&self) -> u16 {
        self.initial_seq
    }

    /// A counted packet after the first; what it did to the sequence window.
    pub fn update(&mut self, f: &RtpFields) -> SequenceEvents {
        self.packets += 1;
        self.types.count(f.pt);
        self.add_payload(f.media_len.max(0));
        let mut index = usize::from(f.seq.wrapping_sub(self.initial_seq)) % WINDOW;
        if usize::from(f.seq.wrapping_sub(self.initial_seq)) >= WINDOW {
            self.filled = true;
        }
        let mut dw = u32::from(f.seq.wrapping_sub(self.window[index]));
        if dw > RESET_JUMP && f.ts.wrapping_sub(self.largest_ts) < 0xffff_0000 && self.filled {
            self.restart_numbering(f);
            index = 1;
            dw = 1;
        }
        if self.largest_seq.wrapping_add(1) == f.seq {
            self.in_order_timing(f);
        }
        if f.ts.wrapping_sub(self.largest_ts) < AHEAD {
            self.largest_ts = f.ts;
        }
        let events = self.window_verdict(f, index, dw);
        self.last_us = f.now_us;
        events
    }

    /// How late a packet behind the largest one is (rtp.c `rtp_stat`): the missing packets'
    /// worth of media at this packet's size, plus the time since the stream's last packet.
    /// Tstat byte-swaps the 4-bit CSRC count (`ntohs(cc)`), so a CSRC list makes the size
    /// hugely negative; the size goes through a C `float`.
    fn reordering_delay_ms(&self, f: &RtpFields) -> f64 {
        let rate = clock_rate(f.pt);
        let period = if rate != 0 {
            1000.0 / f64::from(rate)
        } else {
            1000.0
        };
        let swapped_cc = i64::from(f.cc) << 8;
        let size = f.media_len + i64::from(f.cc) * 4 - swapped_cc * 4;
        let byte_period = (size as f64 * period) as f32;
        let behind = i32::from(self.largest_seq) - i32::from(f.seq);
        f64::from(behind) * f64::from(byte_period) + (f.now_us - self.last_us) as f64 / 1000.0
    }

    fn add_payload(&mut self, len: i64) {
        let len = len.min(i64::from(i32::MAX)) as i32;
        self.bytes += len as u64;
        self.max_payload = self.max_payload.max(len);
        self.min_payload = self.min_payload.min(len);
        self.squares = self.squares.wrapping_add((len as i64 * len as i64) as u64);
    }

    fn restart_numbering(&mut self, f: &RtpFields) {
        self.filled = false;
        self.largest_seq = f.seq;
        self.initial_seq = f.seq.wrapping_sub(1);
        self.first_ts =
            f.ts.wrapping_sub(self.largest_ts.wrapping_sub(self.first_ts));
        self.largest_ts = f.ts;
        self.bogus_reset = true;
        self.window = [f.seq.wrapping_sub(1); WINDOW];
    }

    /// Inter-packet gap and jitter samples, taken only on in-order packets.
    fn in_order_timing(&mut self, f: &RtpFields) {
        self.ipg_sum_ms += (f.now_us - self.last_us) as f64 / 1000.0;
        self.ipg_samples += 1;
        let since_first_ms = (f.now_us - self.first_us) as f64 / 1000.0;
        let ticks = f64::from(f.ts) - f64::from(self.first_ts);
        let rate = clock_rate(f.pt);
        if rate != 0 {
            self.jitter
                .sample(since_first_ms, ticks * (1000.0 / f64::from(rate)));
        }
        if rate != 0 || (96..=127).contains(&f.pt) {
            self.jitter8k
                .sample(since_first_ms, ticks * (1000.0 / 8000.0));
            self.jitter90k
                .sample(since_first_ms, ticks * (1000.0 / 90000.0));
        }
    }

    /// Losses, duplicates, late and out-of-sequence packets from the sequence window.
    fn window_verdict(&mut self, f: &RtpFields, index: usize, dw: u32) -> SequenceEvents {
        let seq = f.seq;
        let mut events = SequenceEvents::default();
        if !self.filled {
            if dw == 0 {
                self.dup += 1;
            }
            self.window[index] = seq;
        } else if dw >= AHEAD {
            self.late += 1;
        } else if dw == 0 {
            self.dup += 1;
        } else if dw > WINDOW as u32 {
            self.losses += 1;
            self.burst += 1;
            self.window[index] = seq;
        } else if dw == WINDOW as u32 {
            events.burst = Some(std::mem::take(&mut self.burst));
            self.window[index] = seq;
        }
        if self.largest_seq.wrapping_add(1) != seq {
            self.out_of_seq += 1;
            events.out_of_sequence = true;
            if u32::from(seq.wrapping_sub(self.largest_seq)) > AHEAD && dw != 0 {
                events.reordered_ms = Some(self.reordering_delay_ms(f));
            }
        }
        if u32::from(seq.wrapping_sub(self.largest_seq)) < AHEAD {
            self.largest_seq = seq;
        }
        events
    }
}

/// Sender information of an RTCP sender report (RFC 3550 §6.4.1).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SenderInfo {
    /// The middle 32 bits of the NTP timestamp (what receivers echo as LSR).
    pub ntp_mid: u32,
    pub packets: u32,
    pub octets: u32,
}

/// The first report block of an RTCP SR or RR.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReportBlock {
    pub fraction_lost: u8,
    /// Cumulative number of packets lost, signed 24 bits.
    pub cumulative_lost: i32,
    pub jitter: u32,
    pub lsr: u32,
    pub dlsr: u32,
}

/// Report flags (log column rtcp_trunc).
pub const TRUNCATED: u8 = 1;
pub const TOO_MANY_BLOCKS: u8 = 2;

/// What the first RTCP packet of a datagram reports.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Report {
    pub sender: Option<SenderInfo>,
    pub block: Option<ReportBlock>,
    pub flags: u8,
}

const SR: u8 = 200;
const RR: u8 = 201;
const SENDER_INFO_LEN: usize = 20;
const BLOCK_LEN: usize = 24;

fn be32(p: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(p.get(at..at + 4)?.try_into().ok()?))
}

/// Read the sender info and first report block of an SR or RR packet (other types report
/// nothing). Bounded by the captured bytes: what is cut is flagged, not read.
pub fn parse_report(p: &[u8]) -> Report {
    let mut r = Report::default();
    let (Some(&b0), Some(&packet_type)) = (p.first(), p.get(1)) else {
        return r;
    };
    let count = b0 & 0x1f;
    let mut at = 8;
    if packet_type == SR {
        let (Some(ntp), Some(packets), Some(octets)) =
            (be32(p, at + 2), be32(p, at + 12), be32(p, at + 16))
        else {
            r.flags |= TRUNCATED;
            return r;
        };
        r.sender = Some(SenderInfo {
            ntp_mid: ntp,
            packets,
            octets,
        });
        at += SENDER_INFO_LEN;
    } else if packet_type != RR {
        return r;
    }
    if count == 0 {
        return r;
    }
    if count > 1 {
        r.flags |= TOO_MANY_BLOCKS;
        return r;
    }
    let Some(block) = p.get(at..at + BLOCK_LEN) else {
        r.flags |= TRUNCATED;
        return r;
    };
    let lost = u32::from_be_bytes([0, block[5], block[6], block[7]]);
    r.block = Some(ReportBlock {
        fraction_lost: block[4],
        cumulative_lost: ((lost << 8) as i32) >> 8,
        jitter: be32(block, 12).unwrap_or(0),
        lsr: be32(block, 16).unwrap_or(0),
        dlsr: be32(block, 20).unwrap_or(0),
    });
    r
}

/// One RTCP source of a direction.
#[derive(Debug, Clone, Copy, Default)]
pub struct RtcpStream {
    pub ssrc: u32,
    pub packets: u64,
    pub first_us: i64,
    pub last_us: i64,
    pub ipg_sum_ms: f64,
    pub bytes: u64,
    pub types: TypeCounts,
    /// Arrival of the last sender report and its NTP id (0: none yet).
    last_sr_us: i64,
    last_sr_id: u32,
    pub sr_packets: u32,
    pub sr_octets: u32,
    pub jitter_sum: f64,
    pub jitter_max: f64,
    pub jitter_min: f64,
    pub jitter_samples: u32,
    pub rtt_sum: f64,
    pub rtt_max: f64,
    pub rtt_min: f64,
    pub rtt_samples: u32,
    pub cumulative_lost: i32,
    pub fraction_lost_sum: f64,
    pub flags: u8,
    /// The last RTT sample taken, ms.
    last_rtt: f64,
}

/// What one RTCP packet reported, for the histograms (`rtcp_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ReportEvents {
    /// A sender report after an earlier one: kbit/s sent between them.
    pub sender_kbps: Option<f64>,
    pub jitter: Option<u32>,
    pub fraction_lost: Option<u8>,
    /// The change of the cumulative loss, once the stream has two report blocks.
    pub lost_delta: Option<i64>,
    pub rtt_ms: Option<f64>,
}

/// One RTCP packet as the statistics need it.
pub struct RtcpFields {
    pub ssrc: u32,
    pub packet_type: u8,
    pub report: Report,
    /// When the other direction holds the SR this packet's block echoes: its arrival.
    pub echoed_sr_us: Option<i64>,
    pub now_us: i64,
}

impl RtcpStream {
    /// The stream's first packet; `udp_len` is the UDP length field.
    pub fn open(f: &RtcpFields, udp_len: u16) -> RtcpStream {
        let mut s = RtcpStream {
            ssrc: f.ssrc,
            packets: 1,
            first_us: f.now_us,
            last_us: f.now_us,
            bytes: u64::from(udp_len).wrapping_sub(8),
            ..RtcpStream::default()
        };
        s.types.count(f.packet_type);
        s.take_report(f, true);
        s
    }

    /// A later packet; `ip_payload_len` counts the UDP header and payload by the IP length.
    /// Returns what it reported, for the histograms (rtp.c `rtcp_stat`).
    pub fn update(&mut self, f: &RtcpFields, ip_payload_len: usize) -> ReportEvents {
        self.packets += 1;
        self.ipg_sum_ms += (f.now_us - self.last_us) as f64 / 1000.0;
        self.bytes = self
            .bytes
            .wrapping_add((ip_payload_len as u64).wrapping_sub(8));
        self.types.count(f.packet_type);
        let mut events = ReportEvents::default();
        if let Some(sr) = f.report.sender {
            if self.last_sr_us != 0 {
                let since_ms = (f.now_us - self.last_sr_us) as f64 / 1000.0;
                let bits = sr.octets.wrapping_sub(self.sr_octets).wrapping_mul(8);
                if since_ms != 0.0 {
                    events.sender_kbps = Some(f64::from(bits) / since_ms);
                }
            }
        }
        let lost_before = self.cumulative_lost;
        let rtt_before = self.rtt_samples;
        self.take_report(f, false);
        if let Some(b) = f.report.block {
            events.jitter = Some(b.jitter);
            events.fraction_lost = Some(b.fraction_lost);
            // Both signed 24-bit numbers, as Tstat's swap24 reads them.
            if self.jitter_samples >= 2 {
                events.lost_delta = Some(i64::from(b.cumulative_lost) - i64::from(lost_before));
            }
            if self.rtt_samples > rtt_before {
                events.rtt_ms = Some(self.last_rtt);
            }
        }
        self.last_us = f.now_us;
        events
    }

    /// The SR id this stream last sent, with the SR's arrival, for the other direction's RTT.
    pub fn sender_report(&self) -> (u32, i64) {
        (self.last_sr_id, self.last_sr_us)
    }

    fn take_report(&mut self, f: &RtcpFields, opening: bool) {
        let r = &f.report;
        self.flags |= r.flags;
        if let Some(sr) = r.sender {
            self.last_sr_us = f.now_us;
            self.last_sr_id = sr.ntp_mid;
            self.sr_packets = sr.packets;
            self.sr_octets = sr.octets;
        }
        let Some(b) = r.block else {
            return;
        };
        let j = f64::from(b.jitter);
        if opening {
            (self.jitter_sum, self.jitter_max, self.jitter_min) = (j, j, j);
        } else {
            self.jitter_sum += j;
            self.jitter_max = self.jitter_max.max(j);
            // A stream opened without a block keeps its minimum at 0 (Tstat's choice).
            self.jitter_min = self.jitter_min.min(j);
        }
        self.jitter_samples += 1;
        self.cumulative_lost = b.cumulative_lost;
        self.fraction_lost_sum += f64::from(b.fraction_lost);
        if let Some(sr_us) = f.echoed_sr_us {
            let rtt = (f.now_us - sr_us) as f64 / 1000.0 - f64::from(b.dlsr) * 1000.0 / 65536.0;
            self.rtt_sample(rtt);
        }
    }

    fn rtt_sample(&mut self, rtt: f64) {
        if rtt < 0.0 {
            return;
        }
        let first = self.rtt_sum == 0.0;
        if first || self.rtt_min > rtt {
            self.rtt_min = rtt;
        }
        if first || self.rtt_max < rtt {
            self.rtt_max = rtt;
        }
        self.rtt_sum += rtt;
        self.rtt_samples += 1;
        self.last_rtt = rtt;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(seq: u16, ts: u32, pt: u8, now_us: i64) -> RtpFields {
        RtpFields {
            ssrc: 1,
            seq,
            ts,
            pt,
            media_len: 160,
            now_us,
            cc: 0,
        }
    }

    #[test]
    fn jitter_follows_rfc3550_with_a_zero_first_transit() {
        // PCMU (8 kHz): 160 ticks = 20 ms. Packets at 0, 20, 45 ms.
        let mut s = RtpStream::open(&fields(10, 1000, 0, 0), 160);
        s.update(&fields(11, 1160, 0, 20_000));
        // transit 20 - 20 = 0; previous transit 0 -> D = 0.
        assert_eq!(s.jitter.value, 0.0);
        s.update(&fields(12, 1320, 0, 45_000));
        // transit 45 - 40 = 5 ms; J = 5/16.
        assert!((s.jitter.value - 5.0 / 16.0).abs() < 1e-12);
        assert_eq!(s.jitter.max, (5.0f64 / 16.0) as f32);
        assert_eq!(s.jitter.min, Some(0.0));
        assert_eq!(s.ipg_samples, 2);
        assert!((s.ipg_sum_ms - 45.0).abs() < 1e-12);
        // Same ticks at 90 kHz: 320 ticks = 3.5556 ms; transit 45 - 3.5556. The previous
        // transit (18.22 ms) is kept as a whole 18 ms.
        let t90 = 45.0 - 320.0 / 90.0;
        let t90_prev = 20.0 - 160.0 / 90.0;
        let j1 = t90_prev / 16.0;
        let j2 = j1 + ((t90 - 18.0f64).abs() - j1) / 16.0;
        assert!((s.jitter90k.value - j2).abs() < 1e-12);
    }

    #[test]
    fn dynamic_types_sample_only_the_reference_rates() {
        let mut s = RtpStream::open(&fields(1, 0, 111, 0), 100);
        s.update(&fields(2, 960, 111, 20_000));
        assert_eq!(s.jitter.min, None, "no clock rate for 111");
        assert!(s.jitter8k.min.is_some() && s.jitter90k.min.is_some());
    }

    #[test]
    fn window_counts_duplicates_reordering_and_losses() {
        let mut s = RtpStream::open(&fields(100, 0, 0, 0), 160);
        s.update(&fields(101, 160, 0, 1));
        s.update(&fields(101, 160, 0, 2)); // same number again
        assert_eq!((s.dup, s.out_of_seq), (1, 1));
        s.update(&fields(103, 480, 0, 3)); // 102 skipped
        s.update(&fields(102, 320, 0, 4)); // 102 arrives late
        assert_eq!(s.out_of_seq, 3);
        // Fill the window (seq - initial >= 16), then jump 17 ahead of an entry: a loss.
        for (i, seq) in (104..=116).enumerate() {
            s.update(&fields(seq, 0, 0, 10 + i as i64));
        }
        assert_eq!(s.losses, 0);
        // Entry for 118 holds 102 (index 2): 118 - 102 = 16, in order.
        s.update(&fields(117, 0, 0, 100));
        s.update(&fields(118, 0, 0, 101));
        assert_eq!(s.losses, 0);
        // 136 lands on index 4 which holds 104: distance 32 > 16 -> a loss.
        s.update(&fields(136, 0, 0, 102));
        assert_eq!(s.losses, 1);
        assert!(!s.bogus_reset);
    }

    #[test]
    fn a_big_jump_after_a_full_window_is_a_bogus_reset() {
        let mut s = RtpStream::open(&fields(0, 0, 0, 0), 160);
        for seq in 1..=16 {
            s.update(&fields(
                seq,
                160 * u32::from(seq),
                0,
                i64::from(seq) * 20_000,
            ));
        }
        s.update(&fields(5000, 160 * 17, 0, 17 * 20_000));
        assert!(s.bogus_reset);
        assert_eq!((s.late, s.losses), (0, 0));
        s.update(&fields(5001, 160 * 18, 0, 18 * 20_000));
        assert_eq!(s.out_of_seq, 1, "only the jump itself was out of sequence");
    }

    #[test]
    fn payload_extremes_and_type_counts() {
        let mut s = RtpStream::open(&fields(1, 0, 8, 0), 48);
        let mut f = fields(2, 160, 101, 1);
        f.media_len = 34;
        s.update(&f);
        assert_eq!((s.max_payload, s.min_payload, s.bytes), (48, 34, 82));
        assert_eq!(s.squares, 48 * 48 + 34 * 34);
        let types: Vec<_> = s.types.iter().collect();
        assert_eq!(types, [(8, 1), (101, 1)]);
    }

    /// RFC 3550 §6.4.1 SR with one report block, built field by field.
    fn sender_report() -> Vec<u8> {
        let mut p = vec![0x81, 200, 0, 12];
        p.extend_from_slice(&0x1111_2222u32.to_be_bytes()); // sender SSRC
        p.extend_from_slice(&[0xAA, 0xBB, 0x12, 0x34, 0x56, 0x78, 0xCC, 0xDD]); // NTP
        p.extend_from_slice(&7u32.to_be_bytes()); // RTP ts
        p.extend_from_slice(&99u32.to_be_bytes()); // packet count
        p.extend_from_slice(&15840u32.to_be_bytes()); // octet count
        p.extend_from_slice(&0x3333_4444u32.to_be_bytes()); // source
        p.extend_from_slice(&[64, 0xFF, 0xFF, 0xFE]); // 25% lost, cumulative -2
        p.extend_from_slice(&500u32.to_be_bytes()); // highest seq
        p.extend_from_slice(&77u32.to_be_bytes()); // jitter
        p.extend_from_slice(&0x0102_0304u32.to_be_bytes()); // LSR
        p.extend_from_slice(&65536u32.to_be_bytes()); // DLSR = 1 s
        p
    }

    #[test]
    fn sender_report_fields() {
        let r = parse_report(&sender_report());
        assert_eq!(
            r.sender,
            Some(SenderInfo {
                ntp_mid: 0x1234_5678,
                packets: 99,
                octets: 15840
            })
        );
        let b = r.block.unwrap();
        assert_eq!((b.fraction_lost, b.cumulative_lost, b.jitter), (64, -2, 77));
        assert_eq!((b.lsr, b.dlsr, r.flags), (0x0102_0304, 65536, 0));
        let cut = parse_report(&sender_report()[..40]);
        assert_eq!(cut.flags, TRUNCATED);
        let mut two = sender_report();
        two[0] = 0x82;
        assert_eq!(parse_report(&two).flags, TOO_MANY_BLOCKS);
    }

    #[test]
    fn rtcp_stream_keeps_jitter_loss_and_rtt() {
        let p = sender_report();
        let f = |now_us, echoed| RtcpFields {
            ssrc: 0x1111_2222,
            packet_type: 200,
            report: parse_report(&p),
            echoed_sr_us: echoed,
            now_us,
        };
        let mut s = RtcpStream::open(&f(0, None), p.len() as u16 + 8);
        assert_eq!(
            (s.jitter_sum, s.jitter_min, s.jitter_samples),
            (77.0, 77.0, 1)
        );
        assert_eq!(s.bytes, p.len() as u64);
        // Echoed SR arrived 1.25 s before; DLSR 1 s -> RTT 250 ms.
        s.update(&f(2_000_000, Some(750_000)), p.len() + 8);
        assert_eq!((s.rtt_samples, s.rtt_min, s.rtt_max), (1, 250.0, 250.0));
        assert_eq!(s.ipg_sum_ms, 2000.0);
        assert_eq!((s.cumulative_lost, s.fraction_lost_sum), (-2, 128.0));
        assert_eq!(s.sender_report(), (0x1234_5678, 2_000_000));
        // A negative RTT is dropped.
        s.update(&f(2_100_000, Some(2_000_000)), p.len() + 8);
        assert_eq!(s.rtt_samples, 1);
    }
}
