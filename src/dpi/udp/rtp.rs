//! RTP and RTCP, alone or multiplexed with STUN, DTLS and TURN on one port pair (RFC 7983),
//! typed the way Tstat 3.2.1 does: a direction whose first packet parses as RTP or RTCP
//! (RFC 3550) between two ports above 1024 becomes FIRST_RTP_PLUS (28), and RTP_PLUS (29) once
//! a second packet of one of its sources follows in sequence. A packet that fits none of the
//! multiplexed protocols sends the direction back to unknown for good.
//!
//! Tstat keeps a list of sources (SSRCs) per direction. Here the lists live in a pool of fixed
//! capacity shared by all flows, taken when a direction starts to look like RTP and given back
//! when the flow ends or stops being RTP; when the pool is empty the direction is not tracked
//! and the miss is counted.

use super::rtpstats::{
    parse_report, ReportEvents, RtcpFields, RtcpStream, RtpFields, RtpStream, SequenceEvents,
};
use super::{kind, DirState};
use crate::dpi::pool::SlotPool;

/// Sources remembered per list. Tstat's MAX_COUNT_RTP_SSRC is not in the stored source; the
/// corpus needs at least 12 (a conference call with 11 RTCP senders in one direction).
pub const MAX_SOURCES: usize = 32;
/// More sources than this seen only once each means the flow is not RTP.
const MAX_SINGLETONS: usize = 10;

/// Packet types read as RTCP (marker bit and payload type together).
const RTCP_TYPES: std::ops::RangeInclusive<u8> = 191..=213;

/// The type ladder values this module sets.
const FIRST: u8 = kind::FIRST_RTP_PLUS;
const CONFIRMED: u8 = kind::RTP_PLUS;

/// Multiplexing bits of a direction (log_mm_complete c_mux_prot/s_mux_prot).
pub mod mux {
    pub const RTP: u8 = 1;
    pub const RTCP: u8 = 2;
    pub const DTLS: u8 = 4;
    pub const STUN: u8 = 8;
    pub const TURN: u8 = 16;
    pub const ZRTP: u8 = 32;
    /// Inferred (the bit after ZRTP); no corpus flow carries MS-TURN.
    pub const MS_TURN: u8 = 64;
}

/// The RTP and RTCP streams of one direction, oldest first (Tstat lists newest first).
#[derive(Debug, Default, Clone)]
pub struct Sources {
    pub rtp: heapless::Vec<RtpStream, MAX_SOURCES>,
    pub rtcp: heapless::Vec<RtcpStream, MAX_SOURCES>,
}

/// Source lists for the directions that look like RTP.
pub type RtpPool = SlotPool<Sources>;

/// The streams of both directions of a closing flow (for log_mm_complete).
#[derive(Debug, Clone, Copy, Default)]
pub struct Streams<'a> {
    pub c2s: Option<&'a Sources>,
    pub s2c: Option<&'a Sources>,
}

impl<'a> Streams<'a> {
    pub fn of(c2s: &DirState, s2c: &DirState, pool: &'a RtpPool) -> Streams<'a> {
        Streams {
            c2s: c2s.rtp.slot().map(|s| pool.get(s)),
            s2c: s2c.rtp.slot().map(|s| pool.get(s)),
        }
    }
}

/// Whether a direction holds source lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RtpLink {
    /// Never looked like RTP: a packet may still start the lists.
    #[default]
    Never,
    Tracking(u32),
    /// Looked like RTP once and stopped: Tstat never starts again, but keeps the streams
    /// for log_mm_complete until the flow ends.
    Stopped(u32),
    /// Stopped, lists given back.
    Spent,
}

impl RtpLink {
    /// Return the lists to the pool, keeping the "started once" mark.
    pub fn release(&mut self, pool: &mut RtpPool) {
        if let RtpLink::Tracking(slot) | RtpLink::Stopped(slot) = *self {
            pool.give_back(slot);
            *self = RtpLink::Spent;
        }
    }

    /// The slot holding the lists, while the flow lives.
    pub fn slot(self) -> Option<u32> {
        match self {
            RtpLink::Tracking(s) | RtpLink::Stopped(s) => Some(s),
            _ => None,
        }
    }

    fn stop(&mut self) {
        if let RtpLink::Tracking(slot) = *self {
            *self = RtpLink::Stopped(slot);
        }
    }
}

/// RFC 7983 §7: what the first byte says a multiplexed packet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Demux {
    Rtp,
    Rtcp,
    /// Microsoft TURN framing (0xff 0x10, length, 64-bit id).
    MsTurn,
    /// STUN, ZRTP, DTLS or TURN channel data, allowed beside RTP; its mux bit.
    Other(u8),
    Unknown,
}

/// RTP payload types registered or dynamic (RFC 3551 §6).
fn registered_payload_type(pt: u8) -> bool {
    matches!(pt, 0 | 3..=18 | 25 | 26 | 28 | 31..=34 | 96..=127)
}

fn demux(p: &[u8]) -> Demux {
    match p[0] {
        0..=3 => Demux::Other(mux::STUN),
        16..=19 => Demux::Other(mux::ZRTP),
        20..=63 => Demux::Other(mux::DTLS),
        64..=79 => Demux::Other(mux::TURN),
        128..=191 if registered_payload_type(p[1] & 0x7f) => Demux::Rtp,
        // The RTCP packet types RFC 5761 §4 keeps apart from RTP payload types.
        128..=191 if (RTCP_TYPES).contains(&p[1]) => Demux::Rtcp,
        0xff if p[1] == 0x10 => Demux::MsTurn,
        _ => Demux::Unknown,
    }
}

/// One packet as this module needs it.
pub struct RtpPacket<'a> {
    /// Captured UDP payload, at least the 12 bytes of a fixed RTP header.
    pub payload: &'a [u8],
    pub declared_len: u16,
    /// UDP header plus payload according to the IP header.
    pub ip_payload_len: usize,
    pub ports: (u16, u16),
    /// Arrival time in µs (Tstat's resolution).
    pub now_us: i64,
}

impl RtpPacket<'_> {
    fn be16(&self, i: usize) -> u16 {
        u16::from_be_bytes([self.byte(i), self.byte(i + 1)])
    }
    fn be32(&self, i: usize) -> u32 {
        u32::from_be_bytes([
            self.byte(i),
            self.byte(i + 1),
            self.byte(i + 2),
            self.byte(i + 3),
        ])
    }
    fn byte(&self, i: usize) -> u8 {
        self.payload.get(i).copied().unwrap_or(0)
    }
    fn high_ports(&self) -> bool {
        self.ports.0 > 1024 && self.ports.1 > 1024
    }
    /// RTP: the synchronisation source. RTCP: the sender's SSRC (Tstat reads it where RTP
    /// has its timestamp).
    fn rtp_ssrc(&self) -> u32 {
        self.be32(8)
    }
    fn rtcp_ssrc(&self) -> u32 {
        self.be32(4)
    }
    fn seq(&self) -> u16 {
        self.be16(2)
    }
    /// Bytes of RTP header extension (RFC 8285 one- and two-byte forms; 4 for any other).
    fn extension_len(&self) -> usize {
        if self.byte(0) & 0x10 == 0 {
            return 0;
        }
        let at = 12 + usize::from(self.byte(0) & 0x0f) * 4;
        let words = usize::from(self.be16(at + 2));
        let one_byte = self.byte(at) == 0xbe && self.byte(at + 1) == 0xde;
        let two_byte = self.byte(at) == 0x10 && self.byte(at + 1) & 0xf0 == 0;
        if one_byte || two_byte {
            4 + 4 * words
        } else {
            4
        }
    }
    fn headers_len(&self) -> i64 {
        12 + i64::from(self.byte(0) & 0x0f) * 4 + self.extension_len() as i64
    }
    /// RTP payload bytes left after the headers, by the IP header's length.
    fn media_len(&self) -> i64 {
        self.ip_payload_len as i64 - 8 - self.headers_len()
    }
    /// The same by the UDP length field (what a stream's first packet counts).
    fn udp_media_len(&self) -> i64 {
        i64::from(self.declared_len) - 8 - self.headers_len()
    }
    fn rtp_fields(&self) -> RtpFields {
        RtpFields {
            ssrc: self.rtp_ssrc(),
            seq: self.seq(),
            ts: self.be32(4),
            pt: self.byte(1) & 0x7f,
            media_len: self.media_len(),
            now_us: self.now_us,
            cc: self.byte(0) & 0x0f,
        }
    }
    /// `echoed` finds the arrival of the sender report a report block echoes.
    fn rtcp_fields(&self, echoed: impl Fn(u32) -> Option<i64>) -> RtcpFields {
        let report = parse_report(self.payload);
        let echoed_sr_us = report
            .block
            .filter(|b| b.lsr != 0)
            .and_then(|b| echoed(b.lsr));
        RtcpFields {
            ssrc: self.rtcp_ssrc(),
            packet_type: self.byte(1),
            report,
            echoed_sr_us,
            now_us: self.now_us,
        }
    }
}

/// Where a source list stands for a new SSRC.
enum Lookup {
    Found(usize),
    /// Not found, and the list may take it.
    Room,
    /// Not found, and the list is too long or full of one-packet sources.
    Overflow,
}

/// Find `ssrc` (newest first) among streams given as (ssrc, packets), and say whether a new
/// one would fit.
fn lookup(
    list: impl DoubleEndedIterator<Item = (u32, u64)> + ExactSizeIterator,
    ssrc: u32,
) -> Lookup {
    let len = list.len();
    let mut singletons = 0;
    for (i, (s, packets)) in list.enumerate().rev() {
        if s == ssrc {
            return Lookup::Found(i);
        }
        if packets <= 1 {
            singletons += 1;
        }
    }
    if len < MAX_SOURCES && singletons <= MAX_SINGLETONS {
        Lookup::Room
    } else {
        Lookup::Overflow
    }
}

fn lookup_rtp(l: &Sources, ssrc: u32) -> Lookup {
    lookup(l.rtp.iter().map(|s| (s.ssrc, s.packets)), ssrc)
}

fn lookup_rtcp(l: &Sources, ssrc: u32) -> Lookup {
    lookup(l.rtcp.iter().map(|s| (s.ssrc, s.packets)), ssrc)
}

/// Run the RTP plugin on one counted packet of the direction `d`; `other` is the opposite
/// direction of the flow (its RTCP sender reports give round-trip times).
/// What one packet did that the histograms count (rtp.c `rtp_plus_check`, `rtp_stat`,
/// `rtcp_stat`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RtpOutcome {
    /// The direction was confirmed (type 28 to 29), by an RTCP packet (`true`) or an RTP one.
    pub confirmed: Option<bool>,
    /// A known RTP source's packet: what it did to the sequence window.
    pub sequence: Option<SequenceEvents>,
    /// A known RTCP source's packet: what it reported.
    pub report: Option<ReportEvents>,
}

pub fn packet(
    d: &mut DirState,
    other: &DirState,
    pool: &mut RtpPool,
    pkt: &RtpPacket<'_>,
) -> RtpOutcome {
    let mut out = RtpOutcome::default();
    if pkt.payload.len() < 12 {
        return out;
    }
    if d.kind == kind::UDP_DTLS {
        d.mux |= mux::DTLS;
    }
    match d.kind {
        kind::UNKNOWN | kind::UDP_DTLS if d.rtp == RtpLink::Never => start(d, other, pool, pkt),
        FIRST | CONFIRMED => {
            let RtpLink::Tracking(slot) = d.rtp else {
                return out;
            };
            let what = demux(pkt.payload);
            let rtcp = (what == Demux::Rtcp).then(|| pkt.rtcp_fields(echo_finder(other, pool)));
            let lists = pool.get_mut(slot);
            let still_rtp = if d.kind == FIRST {
                confirm(d, lists, pkt, what, rtcp, &mut out)
            } else {
                follow(d, lists, pkt, what, rtcp, &mut out)
            };
            if !still_rtp {
                d.kind = kind::UNKNOWN;
                d.rtp.stop();
            }
        }
        _ => {}
    }
    out
}

/// The arrival of the sender report with NTP id `lsr` among the other direction's RTCP
/// streams (newest first), when that direction is RTP and holds RTCP streams.
fn echo_finder<'a>(other: &DirState, pool: &'a RtpPool) -> impl Fn(u32) -> Option<i64> + 'a {
    let lists = matches!(other.kind, FIRST | CONFIRMED)
        .then(|| other.rtp.slot())
        .flatten()
        .map(|s| pool.get(s));
    move |lsr| {
        let found = lists?
            .rtcp
            .iter()
            .rev()
            .find(|s| s.sender_report().0 == lsr)?;
        Some(found.sender_report().1)
    }
}

/// A first RTP or RTCP packet between high ports opens the lists.
fn start(d: &mut DirState, other: &DirState, pool: &mut RtpPool, pkt: &RtpPacket<'_>) {
    let what = demux(pkt.payload);
    if !matches!(what, Demux::Rtp | Demux::Rtcp) || !pkt.high_ports() {
        return;
    }
    let rtcp = (what == Demux::Rtcp).then(|| pkt.rtcp_fields(echo_finder(other, pool)));
    let Some(slot) = pool.take() else {
        return;
    };
    let lists = pool.get_mut(slot);
    let _ = match rtcp {
        None => lists
            .rtp
            .push(RtpStream::open(&pkt.rtp_fields(), pkt.udp_media_len()))
            .is_ok(),
        Some(f) => lists
            .rtcp
            .push(RtcpStream::open(&f, pkt.declared_len))
            .is_ok(),
    };
    d.rtp = RtpLink::Tracking(slot);
    d.kind = FIRST;
}

/// Open a stream for a new source if the list has room; false when it overflows (not RTP
/// after all).
fn open_rtp(lists: &mut Sources, at: Lookup, pkt: &RtpPacket<'_>) -> bool {
    match at {
        Lookup::Room => lists
            .rtp
            .push(RtpStream::open(&pkt.rtp_fields(), pkt.udp_media_len()))
            .is_ok(),
        _ => false,
    }
}

fn open_rtcp(lists: &mut Sources, at: Lookup, f: &RtcpFields, pkt: &RtpPacket<'_>) -> bool {
    match at {
        Lookup::Room => lists
            .rtcp
            .push(RtcpStream::open(f, pkt.declared_len))
            .is_ok(),
        _ => false,
    }
}

/// FIRST_RTP_PLUS: wait for a packet that continues a known source. Returns false when the
/// direction stops being RTP.
fn confirm(
    d: &mut DirState,
    lists: &mut Sources,
    pkt: &RtpPacket<'_>,
    what: Demux,
    rtcp: Option<RtcpFields>,
    out: &mut RtpOutcome,
) -> bool {
    match (what, rtcp) {
        (Demux::Rtp, _) => match lookup_rtp(lists, pkt.rtp_ssrc()) {
            Lookup::Found(i) => {
                let s = &mut lists.rtp[i];
                // The next packet of the source must carry the next sequence number (no
                // wrap-around: Tstat compares in int). Others are ignored.
                if u32::from(s.initial_seq()) + 1 == u32::from(pkt.seq()) {
                    out.confirmed = Some(false);
                    out.sequence = Some(s.update(&pkt.rtp_fields()));
                    d.kind = CONFIRMED;
                    d.mux |= mux::RTP;
                }
                true
            }
            at => with_bit(d, mux::RTP, open_rtp(lists, at, pkt)),
        },
        (Demux::Rtcp, Some(f)) => match lookup_rtcp(lists, f.ssrc) {
            Lookup::Found(i) => {
                out.confirmed = Some(true);
                out.report = Some(lists.rtcp[i].update(&f, pkt.ip_payload_len));
                d.kind = CONFIRMED;
                d.mux |= mux::RTCP;
                true
            }
            at => with_bit(d, mux::RTCP, open_rtcp(lists, at, &f, pkt)),
        },
        (Demux::MsTurn, _) => ms_turn(d, pkt),
        (Demux::Other(bit), _) => {
            d.mux |= bit;
            true
        }
        _ => false,
    }
}

/// RTP_PLUS: keep following the sources; false when the direction stops being RTP.
fn follow(
    d: &mut DirState,
    lists: &mut Sources,
    pkt: &RtpPacket<'_>,
    what: Demux,
    rtcp: Option<RtcpFields>,
    out: &mut RtpOutcome,
) -> bool {
    match (what, rtcp) {
        (Demux::Rtp, _) if pkt.high_ports() => match lookup_rtp(lists, pkt.rtp_ssrc()) {
            Lookup::Found(i) => {
                if pkt.media_len() < 0 {
                    return false;
                }
                out.sequence = Some(lists.rtp[i].update(&pkt.rtp_fields()));
                d.mux |= mux::RTP;
                true
            }
            // A new RTP source in RTP_PLUS sets no bit (Tstat's choice).
            at => open_rtp(lists, at, pkt),
        },
        (Demux::Rtcp, Some(f)) if pkt.high_ports() => match lookup_rtcp(lists, f.ssrc) {
            Lookup::Found(i) => {
                d.mux |= mux::RTCP;
                out.report = Some(lists.rtcp[i].update(&f, pkt.ip_payload_len));
                true
            }
            at => with_bit(d, mux::RTCP, open_rtcp(lists, at, &f, pkt)),
        },
        (Demux::MsTurn, _) => ms_turn(d, pkt),
        (Demux::Other(bit), _) => {
            d.mux |= bit;
            true
        }
        _ => false,
    }
}

/// A new source opened (`opened`) sets its protocol's bit.
fn with_bit(d: &mut DirState, bit: u8, opened: bool) -> bool {
    if opened {
        d.mux |= bit;
    }
    opened
}

/// MS-TURN frames carry their own length: 12 bytes of UDP and TURN header plus that.
fn ms_turn(d: &mut DirState, pkt: &RtpPacket<'_>) -> bool {
    let fits = u32::from(pkt.declared_len) == u32::from(pkt.be16(2)) + 12;
    if fits {
        d.mux |= mux::MS_TURN;
    }
    fits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtp(seq: u16, ssrc: u32) -> Vec<u8> {
        let mut p = vec![0x80, 0x00];
        p.extend_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&160u32.to_be_bytes());
        p.extend_from_slice(&ssrc.to_be_bytes());
        p.resize(172, 0xd5);
        p
    }

    fn feed(d: &mut DirState, pool: &mut RtpPool, payload: &[u8], ports: (u16, u16)) {
        let pkt = RtpPacket {
            payload,
            declared_len: payload.len() as u16 + 8,
            ip_payload_len: payload.len() + 8,
            ports,
            now_us: 0,
        };
        packet(d, &DirState::default(), pool, &pkt);
    }

    #[test]
    fn consecutive_rtp_packets_confirm_the_stream() {
        let mut pool = RtpPool::with_capacity(2);
        let mut d = DirState::default();
        feed(&mut d, &mut pool, &rtp(100, 7), (5004, 6000));
        assert_eq!(d.kind, FIRST);
        feed(&mut d, &mut pool, &rtp(102, 7), (5004, 6000));
        assert_eq!(d.kind, FIRST, "102 does not follow 100");
        feed(&mut d, &mut pool, &rtp(101, 7), (5004, 6000));
        assert_eq!(d.kind, CONFIRMED);
        // STUN between RTP packets is allowed; garbage ends it and frees the slot.
        feed(
            &mut d,
            &mut pool,
            &[0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0],
            (5004, 6000),
        );
        assert_eq!(d.kind, CONFIRMED);
        feed(&mut d, &mut pool, &[0x55; 20], (5004, 6000));
        assert_eq!(d.kind, kind::UNKNOWN);
        assert_eq!(d.mux, mux::RTP | mux::STUN);
        assert_eq!(d.rtp, RtpLink::Stopped(0), "its streams stay for the log");
        feed(&mut d, &mut pool, &rtp(1, 9), (5004, 6000));
        assert_eq!(d.kind, kind::UNKNOWN, "Tstat never starts again");
    }

    #[test]
    fn low_ports_and_a_full_pool_do_not_start() {
        let mut pool = RtpPool::with_capacity(1);
        let mut d = DirState::default();
        feed(&mut d, &mut pool, &rtp(1, 7), (1024, 6000));
        assert_eq!(d.kind, kind::UNKNOWN);
        feed(&mut d, &mut pool, &rtp(1, 7), (5004, 6000));
        let mut other = DirState::default();
        feed(&mut other, &mut pool, &rtp(1, 8), (5004, 6000));
        assert_eq!((d.kind, other.kind), (FIRST, kind::UNKNOWN));
        assert_eq!(pool.exhausted, 1);
    }

    #[test]
    fn too_many_one_packet_sources_is_not_rtp() {
        let mut pool = RtpPool::with_capacity(1);
        let mut d = DirState::default();
        for ssrc in 0..=MAX_SINGLETONS as u32 {
            feed(&mut d, &mut pool, &rtp(1, ssrc), (5004, 6000));
            assert_eq!(d.kind, FIRST);
        }
        feed(&mut d, &mut pool, &rtp(1, 999), (5004, 6000));
        assert_eq!(d.kind, kind::UNKNOWN);
    }

    #[test]
    fn garbage_in_both_directions_never_panics() {
        // A fixed LCG so the run is reproducible; first bytes biased toward RTP/RTCP so the
        // stream code is reached, not only the demultiplexer.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) as u32
        };
        let mut pool = RtpPool::with_capacity(4);
        for _ in 0..50 {
            let (mut c2s, mut s2c) = (DirState::default(), DirState::default());
            for i in 0..400 {
                let len = 12 + (next() % 80) as usize;
                let mut p: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                p[0] = [0x80, 0x81, 0x90, 0xbf, 0x01, 0xff][(next() % 6) as usize];
                if next() % 2 == 0 {
                    p[1] = [200, 201, 0, 8, 111, 0x10][(next() % 6) as usize];
                }
                let pkt = RtpPacket {
                    payload: &p,
                    declared_len: next() as u16,
                    ip_payload_len: (next() % 2000) as usize,
                    ports: (5004, 6000),
                    now_us: i64::from(i) * 20_000 - i64::from(next() % 1000),
                };
                let (this, other) = if next() % 2 == 0 {
                    (&mut c2s, &s2c)
                } else {
                    (&mut s2c, &c2s)
                };
                packet(this, other, &mut pool, &pkt);
            }
            c2s.rtp.release(&mut pool);
            s2c.rtp.release(&mut pool);
        }
    }
}
