//! IPP2P's TCP matchers as Tstat 3.2.1 runs them (docs/semantics/tcp-dpi.md §5): eDonkey/eMule
//! messages and BitTorrent handshakes or tracker requests, tried in that order on every
//! segment with more than 20 payload bytes. A match is `code * 100 + subtype`, Tstat's
//! `p2p_type`. The UDP matchers ([`crate::dpi::udp::ipp2p`]) are different rules (DHT, KAD
//! datagrams) and share nothing with these but the protocol codes.

/// IPP2P protocol codes (`p2p_t`).
pub const EDK: u16 = 1;
pub const BIT: u16 = 9;

/// Matchers run only on segments whose IP-declared payload is longer than this.
const MIN_PAYLOAD: usize = 20;

/// A match: protocol code and subtype, and for eDonkey the message's first byte and opcode,
/// which the eDonkey counters sort on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct P2pMatch {
    pub code: u16,
    pub subtype: u16,
    pub edk_message: (u8, u8),
}

impl P2pMatch {
    /// Tstat's combined value.
    pub fn p2p_type(self) -> u16 {
        self.code * 100 + self.subtype
    }
}

/// eDonkey client-to-server opcodes (eMule protocol specification, OP_* of the server TCP
/// protocol), which the `ed2k_c2s` counter separates from client-to-client messages.
fn edonkey_client_server(op: u8) -> bool {
    matches!(op, 0x01 | 0x05 | 0x14..=0x16 | 0x18..=0x1a | 0x1c..=0x1f | 0x21 | 0x23)
        || matches!(op, 0x32..=0x36 | 0x38..=0x3d | 0x40..=0x44)
}

/// The matchers, in Tstat's order; `payload` is what was captured, `plen` the IP-declared
/// payload length.
pub fn find(payload: &[u8], plen: usize) -> Option<P2pMatch> {
    if payload.is_empty() || plen <= MIN_PAYLOAD {
        return None;
    }
    all_edk(payload, plen).or_else(|| bittorrent(payload, plen))
}

/// eDonkey (E3), eMule extended (C5) and eMule packed (D4) messages: a type byte, a
/// little-endian length at bytes 1–2 (the opcode included), the opcode at byte 5.
fn all_edk(p: &[u8], plen: usize) -> Option<P2pMatch> {
    let kind = *p.first()?;
    if !matches!(kind, 0xe3 | 0xc5 | 0xd4) {
        return None;
    }
    let b = |i: usize| p.get(i).copied();
    let op = b(5)?;
    let len = u16::from_le_bytes([b(1)?, b(2)?]) as usize;
    let subtype = if len + 5 == plen {
        whole_message_subtype(kind, op)
    } else if b(3)? == 0 && b(4)? == 0 {
        partial_message_subtype(kind, op)?
    } else {
        return None;
    };
    Some(P2pMatch {
        code: EDK,
        subtype,
        edk_message: (kind, op),
    })
}

/// The message fits the segment: hello 1, hello answer 9, compressed/packed data 3 and 4,
/// anything else its opcode modulo 100.
fn whole_message_subtype(kind: u8, op: u8) -> u16 {
    match (kind, op) {
        (_, 0x01) => 1,
        (_, 0x4c) => 9,
        (0xc5 | 0xd4, 0x40) => 3,
        (0xe3, 0x46) => 4,
        _ => op as u16 % 100,
    }
}

/// The message continues past the segment: only known opcodes count. A packed (D4) message
/// other than opcode 15 is tried against the extended (C5) list, as Tstat's switch falls
/// through.
fn partial_message_subtype(kind: u8, op: u8) -> Option<u16> {
    let sub = match (kind, op) {
        (0xe3, 0x46) => 4,
        (0xe3, _) if edonkey_client_server(op) || matches!(op, 0x47..=0x59 | 0x5b..=0x61) => {
            op as u16 % 100
        }
        (0xe3, _) => return None,
        (0xd4, 0x15) => 21,
        (_, 0x40) => 3,
        (_, 0x01 | 0x02 | 0x60 | 0x81..=0x87 | 0x90..=0xa4) => op as u16 % 100,
        _ => return None,
    };
    Some(sub)
}

/// BitTorrent: the peer handshake (19, "BitTorrent protocol") or an HTTP tracker request.
fn bittorrent(p: &[u8], plen: usize) -> Option<P2pMatch> {
    let n = p.len();
    let bit = |subtype| {
        Some(P2pMatch {
            code: BIT,
            subtype,
            edk_message: (0, 0),
        })
    };
    if plen <= MIN_PAYLOAD || n <= 6 {
        return None;
    }
    // Tstat compares the protocol name over what was captured, at most its 19 bytes.
    let name = b"BitTorrent protocol";
    let m = (n - 1).min(name.len());
    if p[0] == 0x13 && p[1..1 + m] == name[..m] {
        return bit(0);
    }
    if !p.starts_with(b"GET /") {
        return None;
    }
    // Byte 5 decides between a request at the root and one under a 32-character prefix.
    let at = if matches!(p[5], b'a' | b's') { 5 } else { 38 };
    if at == 38 && n <= 45 {
        return None;
    }
    tracker_request(p, at).and_then(bit)
}

/// The tracker request kinds, each compared over what was captured from `at`.
fn tracker_request(p: &[u8], at: usize) -> Option<u16> {
    const PATHS: [(&[u8], u16); 5] = [
        (b"scrape?info_hash=", 1),
        (b"announce?info_hash=", 2),
        (b"announce.php?info_hash=", 3),
        (b"announce.php?passkey=", 4),
        (b"announce.php?pid=", 5),
    ];
    let rest = p.get(at..)?;
    if !matches!(rest.first(), Some(b'a' | b's')) {
        return None;
    }
    PATHS.iter().find_map(|(path, sub)| {
        let m = rest.len().min(path.len());
        (rest[..m] == path[..m]).then_some(*sub)
    })
}

/// eDonkey message counters of the P2P set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ed2kCounts {
    pub data: u32,
    pub signalling: u32,
    pub client_to_server: u32,
    pub client_to_client: u32,
    pub chat: u32,
}

impl Ed2kCounts {
    /// Count one matched eDonkey message.
    pub fn count(&mut self, (kind, op): (u8, u8)) {
        if matches!((kind, op), (0xe3, 0x46) | (0xd4, 0x40) | (0xc5, 0x40)) {
            self.data += 1;
        } else {
            self.signalling += 1;
        }
        if op != 0x01 {
            let c2s = match kind {
                0xe3 => edonkey_client_server(op),
                0xd4 => op == 0x15,
                _ => false,
            };
            if c2s {
                self.client_to_server += 1;
            } else {
                self.client_to_client += 1;
            }
        }
        if (kind, op) == (0xe3, 0x4e) {
            self.chat += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An eDonkey message: type, little-endian length (opcode + body), opcode, body.
    fn edk(kind: u8, op: u8, body: usize) -> Vec<u8> {
        let len = (body + 1) as u16;
        let mut m = vec![kind, len.to_le_bytes()[0], len.to_le_bytes()[1], 0, 0, op];
        m.resize(6 + body, 0x55);
        m
    }

    #[test]
    fn whole_edonkey_hello_and_answer() {
        // A 124-byte hello (opcode 01) and a 132-byte hello answer (4C), as in edonkey.pcap.
        let hello = edk(0xe3, 0x01, 118);
        let m = find(&hello, hello.len()).unwrap();
        assert_eq!((m.code, m.subtype, m.p2p_type()), (EDK, 1, 101));
        let answer = edk(0xe3, 0x4c, 126);
        assert_eq!(find(&answer, answer.len()).unwrap().subtype, 9);
        let mut counts = Ed2kCounts::default();
        counts.count((0xe3, 0x01));
        counts.count((0xe3, 0x4c));
        assert_eq!(
            counts,
            Ed2kCounts {
                signalling: 2,
                client_to_client: 1,
                ..Ed2kCounts::default()
            }
        );
    }

    #[test]
    fn edonkey_subtypes_by_opcode() {
        let data = edk(0xe3, 0x46, 40);
        assert_eq!(find(&data, data.len()).unwrap().subtype, 4);
        let packed = edk(0xd4, 0x40, 40);
        assert_eq!(find(&packed, packed.len()).unwrap().subtype, 3);
        // Opcode 0x81 (129) prints as 29.
        let ext = edk(0xc5, 0x81, 40);
        assert_eq!(find(&ext, ext.len()).unwrap().subtype, 29);
    }

    #[test]
    fn edonkey_message_longer_than_the_segment() {
        // Declared 1000 bytes but the segment holds 60: bytes 3-4 are zero, so the opcode
        // lists decide.
        let mut m = edk(0xe3, 0x58, 54);
        m[1..3].copy_from_slice(&1000u16.to_le_bytes());
        assert_eq!(find(&m, m.len()).unwrap().subtype, 88);
        m[5] = 0x5a; // not in the list
        assert_eq!(find(&m, m.len()), None);
        m[0] = 0xd4;
        m[5] = 0x15;
        assert_eq!(find(&m, m.len()).unwrap().subtype, 21);
        m[5] = 0x90; // packed falls through to the extended list
        assert_eq!(find(&m, m.len()).unwrap().subtype, 44);
    }

    #[test]
    fn bittorrent_handshake_and_tracker_requests() {
        // IPP2P_BIT is 9 in Tstat 3.2.1's ipp2p_tstat.h: codes 900 + subtype.
        let mut hs = vec![0x13];
        hs.extend_from_slice(b"BitTorrent protocol");
        hs.extend_from_slice(&[0; 48]);
        assert_eq!(find(&hs, hs.len()).unwrap().p2p_type(), 900);
        let req = b"GET /announce?info_hash=%12%34&peer_id=ABC HTTP/1.1\r\n";
        assert_eq!(find(req, req.len()).unwrap().p2p_type(), 902);
        let mut deep = b"GET /0123456789abcdef0123456789abcdef/".to_vec();
        deep.extend_from_slice(b"scrape?info_hash=xyz HTTP/1.0\r\n");
        assert_eq!(find(&deep, deep.len()).unwrap().p2p_type(), 901);
        let plain = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
        assert_eq!(find(plain, plain.len()), None);
    }

    #[test]
    fn short_payloads_are_not_matched() {
        let hello = edk(0xe3, 0x01, 14); // 20 bytes: not more than 20
        assert_eq!(find(&hello, hello.len()), None);
    }
}
