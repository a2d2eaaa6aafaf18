//! Payload matchers for single UDP packets, after the IPP2P rules Tstat carries.
//!
//! Each matcher looks at one packet: the captured bytes from the UDP header on and the UDP
//! length field. They are tried in Tstat's order, each only when the length field is greater
//! than its threshold; the first match names the protocol. Offsets in comments count from the
//! start of the UDP payload.

use super::kind;

/// Protocols the matchers can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    Dns,
    BitTorrent,
    Sip,
    PpLive,
    SopCast,
    PpStream,
    Teredo,
    Dtls,
}

impl Match {
    /// The UDP type a match gives the direction. PPLive is not believed on DNS or NetBIOS
    /// ports, but it still ends the search for that packet.
    pub fn udp_type(self, ports: (u16, u16)) -> Option<u8> {
        Some(match self {
            Match::Dns => kind::DNS,
            Match::BitTorrent => kind::P2P_BT,
            Match::Sip => kind::UDP_SIP,
            Match::PpLive => {
                if [53, 137].contains(&ports.0) || [53, 137].contains(&ports.1) {
                    return None;
                }
                kind::P2P_PPLIVE
            }
            Match::SopCast => kind::P2P_SOPCAST,
            Match::PpStream => kind::P2P_PPSTREAM,
            Match::Teredo => kind::TEREDO,
            Match::Dtls => kind::UDP_DTLS,
        })
    }
}

type Matcher = fn(&Payload<'_>) -> bool;

/// Tstat 3.2.1's list (built without the obsolete protocols), with each length threshold.
/// eDonkey/KAD (threshold 9, between BitTorrent and SIP) and TVAnts (22, after SopCast) are
/// not implemented yet.
const MATCHERS: &[(Match, u16, Matcher)] = &[
    (Match::Dns, 22, dns),
    (Match::BitTorrent, 23, bittorrent),
    (Match::Sip, 22, sip),
    (Match::PpLive, 22, pplive),
    (Match::SopCast, 22, sopcast),
    (Match::PpStream, 12, ppstream),
    (Match::Teredo, 21, teredo),
    (Match::Dtls, 25, dtls),
];

/// The first matcher that recognises the packet.
pub fn find(udp: &[u8], declared_len: u16) -> Option<Match> {
    let p = Payload { udp, declared_len };
    MATCHERS
        .iter()
        .find(|(_, threshold, matcher)| declared_len > *threshold && matcher(&p))
        .map(|(m, _, _)| *m)
}

/// One packet as the matchers see it. Bytes past the capture read as 0, so a short capture
/// can only fail a match that needs them.
struct Payload<'a> {
    udp: &'a [u8],
    declared_len: u16,
}

impl Payload<'_> {
    /// Payload byte `i`.
    fn b(&self, i: usize) -> u8 {
        self.udp.get(8 + i).copied().unwrap_or(0)
    }
    fn starts_with(&self, prefix: &[u8]) -> bool {
        self.udp.get(8..).is_some_and(|p| p.starts_with(prefix))
    }
    /// Captured bytes counted from the UDP header, as Tstat's matchers count them.
    fn captured(&self) -> usize {
        self.udp.len()
    }
}

/// DNS (RFC 1035 §4.1): one or two questions, a first label of sane length starting with a
/// letter or digit, and when the question is in the capture, a known QTYPE and QCLASS.
fn dns(p: &Payload<'_>) -> bool {
    if !(p.b(4) == 0 && (p.b(5) == 1 || p.b(5) == 2)) {
        return false;
    }
    if !(0x01..=0x3f).contains(&p.b(12)) || !p.b(13).is_ascii_alphanumeric() {
        return false;
    }
    let c = p.captured();
    if c <= 22 {
        return true;
    }
    let mut end = 14;
    while end + 8 < c && p.b(end) != 0 {
        end += 1;
    }
    if end + 12 >= c {
        return true;
    }
    let qtype = p.b(end + 2);
    let qtype_ok =
        (0x01..=0x10).contains(&qtype) || [0x1c, 0x26, 0xff, 0xfd, 0xfc].contains(&qtype);
    p.b(end + 1) == 0
        && qtype_ok
        && p.b(end + 3) == 0
        && [0x01, 0x03, 0x04, 0xff].contains(&p.b(end + 4))
}

/// BitTorrent DHT: the mainline bencoded query/response, the Vuze DHT request and reply
/// headers, and the older fixed-size tracker messages.
fn bittorrent(p: &Payload<'_>) -> bool {
    let c = p.captured();
    let mainline = c > 30 && p.starts_with(b"d1:") && (p.b(3) == b'a' || p.b(3) == b'r');
    if mainline && p.udp.get(12..20) == Some(b"d2:id20:".as_slice()) {
        return true;
    }
    let be32 = |i: usize| u32::from_be_bytes([p.b(i), p.b(i + 1), p.b(i + 2), p.b(i + 3)]);
    // Vuze DHT: a request carries the protocol marker at offset 8, a reply at offset 0.
    let vuze_request = c >= 20 && p.b(8) == 0 && p.b(9) == 0 && p.b(10) == 4 && p.b(0) & 0x80 != 0;
    let vuze_reply =
        !vuze_request && c >= 20 && p.b(0) == 0 && p.b(1) == 0 && p.b(2) == 4 && p.b(8) & 0x80 != 0;
    if vuze_request && [0x00, 0x02, 0x04, 0x06, 0x0a, 0x0b, 0x0c].contains(&p.b(11)) {
        return true;
    }
    if vuze_reply && [0x01, 0x03, 0x05, 0x07, 0x08, 0x09, 0x0d].contains(&p.b(3)) {
        return true;
    }
    let len = p.declared_len;
    match len {
        24 => c >= 16 && be32(0) == 0x0000_0417 && be32(4) == 0x2710_1980,
        44 => (c >= 40 && be32(8) == 0x400 && be32(28) == 0x104) || (c >= 20 && be32(8) == 0x400),
        65 => (c >= 40 && be32(8) == 0x404 && be32(28) == 0x104) || (c >= 20 && be32(8) == 0x404),
        67 => (c >= 40 && be32(8) == 0x406 && be32(28) == 0x104) || (c >= 20 && be32(8) == 0x406),
        211 => c >= 12 && be32(0) == 0x405,
        29 => c >= 12 && be32(0) == 0x401,
        52 => c >= 16 && be32(0) == 0x827 && be32(4) == 0x3750_2950,
        _ => len >= 40 && be32(8) == 0x402 && be32(28) == 0x104,
    }
}

/// SIP (RFC 3261 and extensions): a status line or a request line with a `sip:` URI.
fn sip(p: &Payload<'_>) -> bool {
    const STARTS: [&[u8]; 15] = [
        b"SIP/2.0",
        b"REGISTER sip:",
        b"ACK sip:",
        b"INVITE sip:",
        b"PRACK sip:",
        b"BYE sip:",
        b"OPTIONS sip:",
        b"CANCEL sip:",
        b"UPDATE sip:",
        b"SUBSCRIBE sip:",
        b"NOTIFY sip:",
        b"PUBLISH sip:",
        b"INFO sip:",
        b"REFER sip:",
        b"MESSAGE sip:",
    ];
    STARTS.iter().any(|s| p.starts_with(s))
}

/// PPLive: a fixed signature, or a loose byte-pair relation between the header and one of
/// four later positions chosen by the low bits of the first byte.
fn pplive(p: &Payload<'_>) -> bool {
    if p.b(0) == 0xe9
        && p.b(1) == 0x03
        && p.b(4) == 0x98
        && p.b(5) == 0xab
        && p.b(6) == 0x01
        && p.b(7) == 0x02
    {
        return true;
    }
    let at = usize::from((p.b(0) & 0x0f) % 8 / 2) * 2 + 5;
    let (x1, x2, x3) = (p.b(0), p.b(1), p.b(2));
    let (xa, xb) = (p.b(at), p.b(at + 1));
    if x1 == 0 || x2 == 0 || x3 == 0 || x2 != xa {
        return false;
    }
    // Tstat compares these as unsigned ints, so x3 - 1 never wraps for x3 != 0.
    let (v1, v2) = (u32::from(x3), u32::from(xb));
    (v1 % 2 == 0 && v2 == v1 + 1) || v2 + 1 == v1 || v1 == v2
}

/// SopCast: two header layouts, each carrying the packet length.
fn sopcast(p: &Payload<'_>) -> bool {
    let len = u32::from(p.declared_len);
    match p.b(0) {
        0x00 => {
            let pair = (p.b(8), p.b(9));
            p.b(2) == 0x01
                && [(0x06, 0x01), (0x01, 0x01), (0x01, 0xff), (0x03, 0xff)].contains(&pair)
                && u32::from(p.b(10)) * 256 + u32::from(p.b(11)) + 16 == len
        }
        0xff => p.b(1) == 0xff && p.b(2) == 0x01 && p.b(10) == 0 && u32::from(p.b(11)) + 16 == len,
        _ => false,
    }
}

/// PPStream: a marker byte and a little-endian length matching the packet.
fn ppstream(p: &Payload<'_>) -> bool {
    // Tstat reads the u16 in host order; the reference machines are little-endian.
    let len = i32::from(u16::from_le_bytes([p.b(0), p.b(1)]));
    let ulen = i32::from(p.declared_len);
    p.b(2) == 0x43 && [ulen - 8, ulen - 12, ulen - 14].contains(&len)
}

/// Teredo (RFC 4380): an IPv6 header with zero traffic class and flow label whose source is
/// in 2001:0::/32.
fn teredo(p: &Payload<'_>) -> bool {
    p.starts_with(&[0x60, 0, 0, 0]) && p.udp.get(16..20) == Some([0x20, 0x01, 0, 0].as_slice())
}

/// DTLS (RFC 6347): a handshake record of a DTLS 1.x version.
fn dtls(p: &Payload<'_>) -> bool {
    p.b(0) == 0x16 && p.b(1) == 0xfe && p.b(2) >= 0xfb && p.b(11) <= 0x39
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A UDP datagram around `payload`, with its length field filled in.
    fn udp(payload: &[u8]) -> Vec<u8> {
        let len = (payload.len() + 8) as u16;
        let mut v = vec![0x30, 0x39, 0, 53];
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(&[0, 0]);
        v.extend_from_slice(payload);
        v
    }

    fn classify(payload: &[u8]) -> Option<Match> {
        let d = udp(payload);
        find(&d, d.len() as u16)
    }

    /// A real query for www.example.com A IN (RFC 1035 wire format).
    fn dns_query() -> Vec<u8> {
        let mut q = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        for label in ["www", "example", "com"] {
            q.push(label.len() as u8);
            q.extend_from_slice(label.as_bytes());
        }
        q.extend_from_slice(&[0, 0, 1, 0, 1]);
        q
    }

    #[test]
    fn dns_query_matches_and_a_bad_qclass_does_not() {
        assert_eq!(classify(&dns_query()), Some(Match::Dns));
        let mut bad = dns_query();
        let last = bad.len() - 1;
        bad[last] = 0x02; // QCLASS CSNET is not in the list
        assert_ne!(classify(&bad), Some(Match::Dns));
        let mut three_questions = dns_query();
        three_questions[5] = 3;
        assert_ne!(classify(&three_questions), Some(Match::Dns));
    }

    #[test]
    fn sip_teredo_dtls_and_dht() {
        assert_eq!(
            classify(b"OPTIONS sip:alice@example.com SIP/2.0\r\n"),
            Some(Match::Sip)
        );
        let mut teredo = vec![0x60, 0, 0, 0, 0, 0, 0x3b, 0x15, 0x20, 0x01, 0, 0];
        teredo.resize(40, 0);
        assert_eq!(classify(&teredo), Some(Match::Teredo));
        let mut hello = vec![0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x80, 0x01];
        hello.resize(40, 0);
        assert_eq!(classify(&hello), Some(Match::Dtls));
        let ping = b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
        assert_eq!(classify(ping), Some(Match::BitTorrent));
    }

    #[test]
    fn short_datagrams_skip_matchers_by_threshold() {
        // 13 bytes of UDP: only PPStream (threshold 12) may run.
        assert_eq!(classify(b"\x05\x00\x43ab"), Some(Match::PpStream));
        assert_eq!(classify(b"SIP/2"), None);
    }
}
