//! Behavioural UDP checks: protocols recognised from a sequence of packets rather than one.
//!
//! Each check keeps a little state per direction and runs only during a flow's first packets
//! (the limits are in the parent module). When a check concludes, it types both directions.

use super::{gquic, kind, DirState};

/// Obfuscated KAD: eMule's encrypted Kademlia is recognised by request/answer sizes alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KadState {
    #[default]
    Unknown,
    Req43,
    Req59,
    Res52K25,
    Res68K25,
    SizeIn46To57,
    SizeX22,
    SizeX52,
}

impl KadState {
    /// A state that says the pair is obfuscated KAD.
    pub fn matched(self) -> bool {
        matches!(
            self,
            KadState::Res52K25
                | KadState::Res68K25
                | KadState::SizeIn46To57
                | KadState::SizeX22
                | KadState::SizeX52
        )
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct KadDir {
    state: KadState,
    /// Set once this direction has been recognised; the check then stops for the flow.
    decided: bool,
    last_len: u16,
}

/// One packet of UDP length `len` in this direction; returns the pair's verdict when it
/// becomes obfuscated KAD.
pub fn kad(this: &mut KadDir, other: &mut KadDir, len: u16) -> Option<KadState> {
    if this.decided || other.decided {
        return None;
    }
    let mut verdict = None;
    let mut decide = |other: &mut KadDir, state: KadState| {
        other.state = state;
        other.decided = true;
        verdict = Some(state);
    };
    let other_last = other.last_len;
    let answer_in = |lo: u16, hi: u16| (lo..=hi).contains(&other_last);
    match len {
        43 => this.state = KadState::Req43,
        59 => this.state = KadState::Req59,
        22 => {
            if answer_in(36, 70) {
                decide(other, KadState::SizeX22);
            }
        }
        _ if len >= 52 && (len - 52) % 25 == 0 => {
            if other.state == KadState::Req43 {
                decide(other, KadState::Res52K25);
            } else if len == 52 && answer_in(46, 57) {
                decide(other, KadState::SizeX52);
            } else {
                other.state = KadState::Unknown;
            }
        }
        _ if len >= 68 && (len - 68) % 25 == 0 => {
            if other.state == KadState::Req59 {
                decide(other, KadState::Res68K25);
            } else {
                other.state = KadState::Unknown;
            }
        }
        _ if (46..=57).contains(&len) && answer_in(46, 57) => {
            decide(other, KadState::SizeIn46To57);
        }
        _ => {
            this.state = KadState::Unknown;
            other.state = KadState::Unknown;
        }
    }
    this.last_len = len;
    verdict
}

/// A direction's progress in the gQUIC match (Google QUIC before version 46: public flags,
/// an 8-byte connection id and a one-byte packet number after it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum QuicStep {
    #[default]
    Unknown,
    /// Sent a packet with the version flag (public flags 0x0d, version "Qxxx").
    VersionSent,
    /// Sent a packet with a connection id (0x0c or 0x1c).
    IdSent,
    /// Sent a packet without connection id (0x00 or 0x10) after the other side started.
    DataSent,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct QuicDir {
    step: QuicStep,
    conn_id: [u8; 8],
    packet_number: u8,
    is_quic: bool,
}

impl QuicDir {
    /// Packet number `n` follows the last one seen.
    fn follows(&self, n: u8) -> bool {
        u16::from(n) == u16::from(self.packet_number) + 1
    }

    fn start_versioned(&mut self, p: &[u8]) {
        if p[9] != b'Q' {
            return;
        }
        self.packet_number = p[13];
        self.conn_id.copy_from_slice(&p[1..9]);
        self.step = QuicStep::VersionSent;
        // Packet number 1 with a version is a strong enough sign on its own.
        if self.packet_number == 1 {
            self.is_quic = true;
        }
    }

    fn start_with_id(&mut self, p: &[u8], other: &QuicDir) {
        self.packet_number = p[9];
        self.conn_id.copy_from_slice(&p[1..9]);
        self.step = QuicStep::IdSent;
        if other.step != QuicStep::Unknown && self.conn_id == other.conn_id {
            self.is_quic = true;
        }
    }
}

/// What a gQUIC public-flags byte announces (the values Tstat 3.2.1 knows).
enum PublicHeader {
    /// Version and connection id (0x0d, 0x09).
    Versioned,
    /// Connection id, no version (0x0c, 0x1c, 0x08, 0x18).
    WithId,
    /// No connection id: the packet number (after the 32-byte nonce for 0x04/0x14).
    Data(u8),
    Other,
}

fn public_header(udp: &[u8], p: &[u8]) -> PublicHeader {
    match p[0] {
        0x0d | 0x09 => PublicHeader::Versioned,
        0x0c | 0x1c | 0x08 | 0x18 => PublicHeader::WithId,
        0x00 | 0x10 => PublicHeader::Data(p[1]),
        0x04 | 0x14 if udp.len() > 42 => PublicHeader::Data(p[33]),
        _ => PublicHeader::Other,
    }
}

/// gQUIC as Tstat 3.2.1 recognises it: per direction, consecutive packet numbers under one
/// connection id, or the same connection id from both sides. (IETF QUIC long headers are not
/// recognised by 3.2.1 and are left unknown here too.) Each packet is then read for the
/// handshake tags of the flow.
pub fn quic(
    this: &mut DirState,
    other: &mut DirState,
    udp: &[u8],
    tags: &mut gquic::Tags,
    names: &mut gquic::NamePool,
) {
    if this.quic.is_quic && other.quic.is_quic {
        return;
    }
    if udp.len() < 27 || udp[4..6] == [0, 0] {
        return;
    }
    let p = &udp[8..];
    if p[0] > 0x3f {
        return;
    }
    let (me, peer) = (&mut this.quic, &other.quic);
    match (me.step, public_header(udp, p)) {
        (QuicStep::Unknown | QuicStep::DataSent, PublicHeader::Versioned) => me.start_versioned(p),
        (QuicStep::Unknown | QuicStep::DataSent, PublicHeader::WithId) => me.start_with_id(p, peer),
        (QuicStep::VersionSent | QuicStep::IdSent, PublicHeader::Versioned) if p[9] == b'Q' => {
            if p[1..9] == me.conn_id && me.follows(p[13]) {
                me.packet_number = p[13];
                me.is_quic = true;
            } else {
                me.start_versioned(p);
            }
        }
        (QuicStep::VersionSent | QuicStep::IdSent, PublicHeader::WithId) => {
            if p[1..9] == me.conn_id && me.follows(p[9]) {
                me.packet_number = p[9];
                me.is_quic = true;
            } else {
                me.packet_number = p[9];
                me.conn_id.copy_from_slice(&p[1..9]);
                me.step = QuicStep::IdSent;
            }
        }
        (QuicStep::DataSent, PublicHeader::Data(n)) => {
            if me.follows(n) {
                me.is_quic = true;
            }
            me.packet_number = n;
        }
        (_, PublicHeader::Data(n)) if peer.step != QuicStep::Unknown => {
            me.packet_number = n;
            me.step = QuicStep::DataSent;
        }
        _ => {}
    }
    gquic::read_tags(udp, tags, names);
    if this.quic.is_quic && other.quic.is_quic {
        this.kind = kind::UDP_QUIC;
        other.kind = kind::UDP_QUIC;
    }
}

/// A direction's progress in the uTP (BEP 29) connection-id match.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum UtpStep {
    #[default]
    Unknown,
    DataSent,
    AckSent,
    SynSent,
    DataSeen,
    AckSeen,
    SynSeen,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct UtpDir {
    step: UtpStep,
    conn_id: u16,
    syn_seq: u16,
    is_utp: bool,
}

/// uTP: a packet of one type from one side answered by the other side with the expected
/// connection id (and, after a SYN, the acknowledged sequence number).
pub fn utp(this: &mut DirState, other: &mut DirState, udp: &[u8]) {
    if this.utp.is_utp && other.utp.is_utp {
        return;
    }
    if udp.len() < 28 || udp[4..6] == [0, 0] {
        return;
    }
    let p = &udp[8..];
    let (kind_ver, ext) = (p[0], p[1]);
    if !((kind_ver & 0x31 != 0 || kind_ver == 0x41) && ext <= 2) {
        return;
    }
    let be16 = |i: usize| u16::from_be_bytes([p[i], p[i + 1]]);
    let cid = be16(2);
    let adjacent =
        |id: u16| i32::from(cid) == i32::from(id) + 1 || i32::from(cid) == i32::from(id) - 1;
    let mut both = false;
    match this.utp.step {
        UtpStep::Unknown | UtpStep::DataSent | UtpStep::SynSent | UtpStep::AckSent => {
            start_utp(this, other, kind_ver, cid, be16(16));
        }
        UtpStep::SynSeen => match kind_ver {
            0x11 | 0x31 => both = cid == other.utp.conn_id,
            0x21 => both = be16(18) == other.utp.syn_seq && cid == other.utp.conn_id,
            0x41 => start_utp(this, other, kind_ver, cid, be16(16)),
            _ => {}
        },
        UtpStep::DataSeen | UtpStep::AckSeen => match kind_ver {
            0x01 | 0x11 | 0x21 => both = adjacent(other.utp.conn_id),
            0x31 => both = cid == other.utp.conn_id,
            _ => {}
        },
    }
    if both {
        this.utp.conn_id = cid;
        this.utp.is_utp = true;
        other.utp.is_utp = true;
    }
    if this.utp.is_utp && other.utp.is_utp {
        for d in [this, other] {
            d.kind = if d.kind == kind::P2P_BT {
                kind::P2P_UTPBT
            } else {
                kind::P2P_UTP
            };
        }
    }
}

/// A DATA (0x01), STATE (0x21) or SYN (0x41) packet opens the match.
fn start_utp(this: &mut DirState, other: &mut DirState, kind_ver: u8, cid: u16, seq: u16) {
    let (sent, seen) = match kind_ver {
        0x01 => (UtpStep::DataSent, UtpStep::DataSeen),
        0x21 => (UtpStep::AckSent, UtpStep::AckSeen),
        0x41 => {
            this.utp.syn_seq = seq;
            (UtpStep::SynSent, UtpStep::SynSeen)
        }
        _ => return,
    };
    this.utp.conn_id = cid;
    this.utp.step = sent;
    other.utp.step = seen;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct VodDir {
    /// Start a new signature at the next packet (Tstat's flag starts cleared).
    restart: bool,
    signature: [i16; 2],
    count: u8,
    is_vod: bool,
}

/// MPEG-2 transport stream over UDP: 1316-byte payloads (7 TS packets) starting with the
/// 0x47 sync byte, or with the same scrambled first bytes three times in a row.
pub fn vod(this: &mut DirState, other: &mut DirState, udp: &[u8], len: u16) {
    if this.vod.is_vod && other.vod.is_vod {
        return;
    }
    if udp.len() < 9 || len != 1324 {
        this.vod.restart = true;
        return;
    }
    let p = &udp[8..];
    let second = udp.get(196).map(|&b| i16::from(b));
    let synced = p[0] == 0x47 && second.is_none_or(|b| b == 0x47);
    if synced {
        this.vod.restart = false;
        mark_vod(this, other);
        return;
    }
    let sig = [i16::from(p[0]), second.unwrap_or(-1)];
    if this.vod.restart {
        this.vod.restart = false;
        this.vod.signature = sig;
        this.vod.count = 1;
        return;
    }
    let same = match second {
        Some(_) => this.vod.signature == sig,
        None => this.vod.signature[0] == sig[0],
    };
    if !same {
        this.vod.restart = true;
        return;
    }
    this.vod.count = this.vod.count.saturating_add(1);
    if this.vod.count == 3 {
        mark_vod(this, other);
    }
}

fn mark_vod(this: &mut DirState, other: &mut DirState) {
    for d in [this, other] {
        d.vod.is_vod = true;
        d.kind = kind::UDP_VOD;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kad_request_43_answered_by_52_plus_25k() {
        let (mut a, mut b) = (KadDir::default(), KadDir::default());
        assert_eq!(kad(&mut a, &mut b, 43), None);
        assert_eq!(kad(&mut b, &mut a, 77), Some(KadState::Res52K25));
        // Decided: later sizes change nothing.
        assert_eq!(kad(&mut a, &mut b, 43), None);
    }

    #[test]
    fn kad_unrelated_sizes_reset() {
        let (mut a, mut b) = (KadDir::default(), KadDir::default());
        kad(&mut a, &mut b, 43);
        assert_eq!(kad(&mut b, &mut a, 100), None);
        assert_eq!(
            kad(&mut b, &mut a, 77),
            None,
            "the 43 request was forgotten"
        );
    }

    /// The QUIC check without a tag store (these tests look at the types only).
    fn quic_alone(this: &mut DirState, other: &mut DirState, udp: &[u8]) {
        quic(
            this,
            other,
            udp,
            &mut Default::default(),
            &mut gquic::NamePool::with_capacity(0),
        );
    }

    /// A gQUIC datagram: public flags, connection id 1..8, then a version and a packet
    /// number, or just a packet number.
    fn gquic(flags: u8, number: u8) -> Vec<u8> {
        let mut d = vec![0, 1, 1, 187, 0, 0, 0, 0, flags, 1, 2, 3, 4, 5, 6, 7, 8];
        if flags == 0x0d {
            d.extend_from_slice(b"Q035");
        }
        d.push(number);
        d.resize(100, 0);
        d[4..6].copy_from_slice(&100u16.to_be_bytes());
        d
    }

    #[test]
    fn gquic_same_connection_id_from_both_sides() {
        let (mut c, mut s) = (DirState::default(), DirState::default());
        quic_alone(&mut c, &mut s, &gquic(0x0d, 1));
        assert_eq!((c.kind, s.kind), (0, 0), "one side is not enough");
        quic_alone(&mut s, &mut c, &gquic(0x0c, 1));
        assert_eq!((c.kind, s.kind), (kind::UDP_QUIC, kind::UDP_QUIC));
    }

    #[test]
    fn gquic_other_connection_id_needs_consecutive_numbers() {
        let (mut c, mut s) = (DirState::default(), DirState::default());
        quic_alone(&mut c, &mut s, &gquic(0x0d, 1));
        let mut other_id = gquic(0x0c, 7);
        other_id[9] = 0xee;
        quic_alone(&mut s, &mut c, &other_id);
        assert_eq!(s.kind, 0);
        other_id[17] = 9;
        quic_alone(&mut s, &mut c, &other_id);
        assert_eq!(s.kind, 0, "9 does not follow 7");
        other_id[17] = 10;
        quic_alone(&mut s, &mut c, &other_id);
        assert_eq!((c.kind, s.kind), (kind::UDP_QUIC, kind::UDP_QUIC));
    }

    #[test]
    fn utp_syn_answered_by_state_with_the_syn_sequence() {
        let pkt = |t: u8, cid: u16, seq: u16, ack: u16| {
            let mut d = vec![0, 1, 0, 2, 0, 28, 0, 0, t, 0];
            d.extend_from_slice(&cid.to_be_bytes());
            d.extend_from_slice(&[0; 12]);
            d.extend_from_slice(&seq.to_be_bytes());
            d.extend_from_slice(&ack.to_be_bytes());
            d
        };
        let (mut a, mut b) = (DirState::default(), DirState::default());
        utp(&mut a, &mut b, &pkt(0x41, 1000, 77, 0));
        assert_eq!(b.kind, 0);
        utp(&mut b, &mut a, &pkt(0x21, 1000, 5, 76));
        assert_eq!(b.kind, 0, "the acknowledged number must be the SYN's");
        utp(&mut b, &mut a, &pkt(0x21, 1000, 5, 77));
        assert_eq!((a.kind, b.kind), (kind::P2P_UTP, kind::P2P_UTP));
    }

    #[test]
    fn vod_sync_bytes_type_both_directions() {
        let mut d = vec![0u8; 1324];
        d[4..6].copy_from_slice(&1324u16.to_be_bytes());
        d[8] = 0x47;
        d[196] = 0x47;
        let (mut a, mut b) = (DirState::default(), DirState::default());
        vod(&mut a, &mut b, &d, 1324);
        assert_eq!((a.kind, b.kind), (kind::UDP_VOD, kind::UDP_VOD));
    }
}
