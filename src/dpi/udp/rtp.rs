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

use super::{kind, DirState};
use crate::dpi::pool::SlotPool;

/// Sources remembered per list. Tstat's MAX_COUNT_RTP_SSRC is not in the stored source; the
/// corpus needs at least 12 (a conference call with 11 RTCP senders in one direction).
pub const MAX_SOURCES: usize = 32;
/// More sources than this seen only once each means the flow is not RTP.
const MAX_SINGLETONS: usize = 10;
/// Direction slots in the pool when none is configured.
pub const DEFAULT_POOL: usize = 4096;

/// Packet types read as RTCP (marker bit and payload type together).
const RTCP_TYPES: std::ops::RangeInclusive<u8> = 191..=213;

/// The type ladder values this module sets.
const FIRST: u8 = kind::FIRST_RTP_PLUS;
const CONFIRMED: u8 = kind::RTP_PLUS;

#[derive(Debug, Clone, Copy)]
struct Source {
    ssrc: u32,
    first_seq: u16,
    /// Seen more than once (Tstat: its packet counter is above 1).
    repeated: bool,
}

/// The RTP and RTCP sources of one direction, oldest first (Tstat searches newest first).
#[derive(Debug, Default, Clone)]
pub struct Sources {
    rtp: heapless::Vec<Source, MAX_SOURCES>,
    rtcp: heapless::Vec<Source, MAX_SOURCES>,
}

/// Source lists for the directions that look like RTP.
pub type RtpPool = SlotPool<Sources>;

/// Whether a direction holds source lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RtpLink {
    /// Never looked like RTP: a packet may still start the lists.
    #[default]
    Never,
    Tracking(u32),
    /// Looked like RTP once and stopped: Tstat never starts again.
    Spent,
}

impl RtpLink {
    /// Return the lists to the pool, keeping the "started once" mark.
    pub fn release(&mut self, pool: &mut RtpPool) {
        if let RtpLink::Tracking(slot) = *self {
            pool.give_back(slot);
            *self = RtpLink::Spent;
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
    /// STUN, ZRTP, DTLS or TURN channel data: allowed beside RTP.
    Other,
    Unknown,
}

/// RTP payload types registered or dynamic (RFC 3551 §6).
fn registered_payload_type(pt: u8) -> bool {
    matches!(pt, 0 | 3..=18 | 25 | 26 | 28 | 31..=34 | 96..=127)
}

fn demux(p: &[u8]) -> Demux {
    match p[0] {
        0..=3 | 16..=19 | 20..=63 | 64..=79 => Demux::Other,
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
    /// RTP payload bytes left after the headers, by the IP header's length.
    fn media_len(&self) -> i64 {
        let csrc = usize::from(self.byte(0) & 0x0f) * 4;
        self.ip_payload_len as i64 - 8 - 12 - csrc as i64 - self.extension_len() as i64
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

/// Find `ssrc`, newest first, and say whether a new one would fit.
fn lookup(list: &[Source], ssrc: u32) -> Lookup {
    let mut singletons = 0;
    for (i, s) in list.iter().enumerate().rev() {
        if s.ssrc == ssrc {
            return Lookup::Found(i);
        }
        if !s.repeated {
            singletons += 1;
        }
    }
    if list.len() < MAX_SOURCES && singletons <= MAX_SINGLETONS {
        Lookup::Room
    } else {
        Lookup::Overflow
    }
}

/// Run the RTP plugin on one counted packet of the direction `d`.
pub fn packet(d: &mut DirState, pool: &mut RtpPool, pkt: &RtpPacket<'_>) {
    if pkt.payload.len() < 12 {
        return;
    }
    match d.kind {
        kind::UNKNOWN | kind::UDP_DTLS if d.rtp == RtpLink::Never => start(d, pool, pkt),
        FIRST | CONFIRMED => {
            let RtpLink::Tracking(slot) = d.rtp else {
                return;
            };
            let lists = pool.get_mut(slot);
            let still_rtp = if d.kind == FIRST {
                confirm(&mut d.kind, lists, pkt)
            } else {
                follow(lists, pkt)
            };
            if !still_rtp {
                d.kind = kind::UNKNOWN;
                d.rtp.release(pool);
            }
        }
        _ => {}
    }
}

/// A first RTP or RTCP packet between high ports opens the lists.
fn start(d: &mut DirState, pool: &mut RtpPool, pkt: &RtpPacket<'_>) {
    let what = demux(pkt.payload);
    if !matches!(what, Demux::Rtp | Demux::Rtcp) || !pkt.high_ports() {
        return;
    }
    let Some(slot) = pool.take() else {
        return;
    };
    let lists = pool.get_mut(slot);
    let _ = match what {
        Demux::Rtp => lists.rtp.push(new_source(pkt.rtp_ssrc(), pkt.seq())),
        _ => lists.rtcp.push(new_source(pkt.rtcp_ssrc(), 0)),
    };
    d.rtp = RtpLink::Tracking(slot);
    d.kind = FIRST;
}

fn new_source(ssrc: u32, first_seq: u16) -> Source {
    Source {
        ssrc,
        first_seq,
        repeated: false,
    }
}

/// Add a source if the list has room; false when it overflows (not RTP after all).
fn remember(list: &mut heapless::Vec<Source, MAX_SOURCES>, at: Lookup, source: Source) -> bool {
    match at {
        Lookup::Room => list.push(source).is_ok(),
        _ => false,
    }
}

/// FIRST_RTP_PLUS: wait for a packet that continues a known source. Returns false when the
/// direction stops being RTP.
fn confirm(kind_now: &mut u8, lists: &mut Sources, pkt: &RtpPacket<'_>) -> bool {
    match demux(pkt.payload) {
        Demux::Rtp => match lookup(&lists.rtp, pkt.rtp_ssrc()) {
            Lookup::Found(i) => {
                let s = &mut lists.rtp[i];
                // The next packet of the source must carry the next sequence number (no
                // wrap-around: Tstat compares in int).
                if u32::from(s.first_seq) + 1 == u32::from(pkt.seq()) {
                    s.repeated = true;
                    *kind_now = CONFIRMED;
                }
                true
            }
            at => remember(&mut lists.rtp, at, new_source(pkt.rtp_ssrc(), pkt.seq())),
        },
        Demux::Rtcp => match lookup(&lists.rtcp, pkt.rtcp_ssrc()) {
            Lookup::Found(i) => {
                lists.rtcp[i].repeated = true;
                *kind_now = CONFIRMED;
                true
            }
            at => remember(&mut lists.rtcp, at, new_source(pkt.rtcp_ssrc(), 0)),
        },
        Demux::MsTurn => ms_turn_fits(pkt),
        Demux::Other => true,
        Demux::Unknown => false,
    }
}

/// RTP_PLUS: keep following the sources; false when the direction stops being RTP.
fn follow(lists: &mut Sources, pkt: &RtpPacket<'_>) -> bool {
    match demux(pkt.payload) {
        Demux::Rtp if pkt.high_ports() => match lookup(&lists.rtp, pkt.rtp_ssrc()) {
            Lookup::Found(i) => {
                lists.rtp[i].repeated = true;
                pkt.media_len() >= 0
            }
            at => remember(&mut lists.rtp, at, new_source(pkt.rtp_ssrc(), pkt.seq())),
        },
        Demux::Rtcp if pkt.high_ports() => match lookup(&lists.rtcp, pkt.rtcp_ssrc()) {
            Lookup::Found(i) => {
                lists.rtcp[i].repeated = true;
                true
            }
            at => remember(&mut lists.rtcp, at, new_source(pkt.rtcp_ssrc(), 0)),
        },
        Demux::Rtp | Demux::Rtcp => false,
        Demux::MsTurn => ms_turn_fits(pkt),
        Demux::Other => true,
        Demux::Unknown => false,
    }
}

/// MS-TURN frames carry their own length: 12 bytes of UDP and TURN header plus that.
fn ms_turn_fits(pkt: &RtpPacket<'_>) -> bool {
    u32::from(pkt.declared_len) == u32::from(pkt.be16(2)) + 12
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
        };
        packet(d, pool, &pkt);
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
        assert_eq!(pool.free_slots(), 1, "its slot is free again");
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
}
