//! Opening a client's IETF QUIC Initial packet (RFC 9001 §5, RFC 9369 §3 for version 2).
//!
//! Initial packets are encrypted, but with keys anyone can derive: the salt is public per
//! version and the secret is the Destination Connection ID the client chose. The steps:
//! derive the client's key, IV and header-protection key; remove header protection to learn
//! the packet number; then AES-128-GCM-open the payload, which also authenticates it, so a
//! datagram that merely looks like a long header never yields bytes.

use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::aes::cipher::BlockEncrypt;
use aes_gcm::aes::Aes128;
use aes_gcm::Aes128Gcm;
use hkdf::Hkdf;
use sha2::Sha256;

use std::ops::Range;

use super::frames::varint;

/// The Initial-key families: each has its salt, its HKDF labels and its Initial type bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Family {
    /// RFC 9000 (version 1).
    #[default]
    V1,
    /// RFC 9369 (version 2).
    V2,
    /// draft-ietf-quic-tls-29 to -32, which many deployed stacks still speak.
    Draft29,
}

/// Families to try for a version: the one it names, or for a version we do not know (a
/// greased one, a vendor's) each in turn, since the AEAD tag tells which, if any, is right.
pub fn families(version: u32) -> &'static [Family] {
    match version {
        0 => &[], // version negotiation: not encrypted, no ClientHello
        0x0000_0001 => &[Family::V1],
        0x6b33_43cf => &[Family::V2],
        0xff00_001d..=0xff00_0020 => &[Family::Draft29],
        _ => &[Family::V1, Family::Draft29, Family::V2],
    }
}

impl Family {
    fn salt(self) -> &'static [u8; 20] {
        match self {
            Family::V1 => &[
                0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8,
                0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a,
            ],
            Family::V2 => &[
                0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26,
                0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9,
            ],
            Family::Draft29 => &[
                0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61,
                0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99,
            ],
        }
    }

    /// HKDF labels for key, IV and header protection.
    fn labels(self) -> [&'static [u8]; 3] {
        match self {
            Family::V2 => [b"quicv2 key", b"quicv2 iv", b"quicv2 hp"],
            _ => [b"quic key", b"quic iv", b"quic hp"],
        }
    }

    /// The long-header packet type that means Initial (RFC 9369 §3.2 renumbered them).
    fn initial_type(self) -> u8 {
        match self {
            Family::V2 => 0b01,
            _ => 0b00,
        }
    }
}

/// The client's Initial packet protection keys.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Keys {
    pub key: [u8; 16],
    pub iv: [u8; 12],
    pub hp: [u8; 16],
}

/// HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) with an empty context.
fn expand_label(secret: &Hkdf<Sha256>, label: &[u8], out: &mut [u8]) {
    const PREFIX: &[u8] = b"tls13 ";
    let mut info = [0u8; 2 + 1 + 6 + 16 + 1];
    let len = out.len() as u16;
    info[..2].copy_from_slice(&len.to_be_bytes());
    info[2] = (PREFIX.len() + label.len()) as u8;
    info[3..9].copy_from_slice(PREFIX);
    info[9..9 + label.len()].copy_from_slice(label);
    let used = 9 + label.len() + 1; // the last byte: context length 0
                                    // Output lengths here are 12 to 32 bytes, far below HKDF's limit, so expand cannot fail.
    let _ = secret.expand(&info[..used], out);
}

/// The keys protecting the client's Initial packets sent to `dcid` (RFC 9001 §5.2).
pub fn client_keys(family: Family, dcid: &[u8]) -> Keys {
    let (_, initial) = Hkdf::<Sha256>::extract(Some(family.salt()), dcid);
    let mut client_secret = [0u8; 32];
    expand_label(&initial, b"client in", &mut client_secret);
    // A 32-byte SHA-256 output is a valid PRK, so from_prk cannot fail.
    let Ok(client) = Hkdf::<Sha256>::from_prk(&client_secret) else {
        return Keys::default();
    };
    let [key_label, iv_label, hp_label] = family.labels();
    let mut keys = Keys::default();
    expand_label(&client, key_label, &mut keys.key);
    expand_label(&client, iv_label, &mut keys.iv);
    expand_label(&client, hp_label, &mut keys.hp);
    keys
}

/// Where the parts of one long-header packet lie in its datagram (RFC 9000 §17.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongHeader<'a> {
    pub first: u8,
    pub version: u32,
    pub dcid: &'a [u8],
    /// Offset of the (protected) packet number.
    pub pn_offset: usize,
    /// Offset just past this packet (the datagram may hold more, coalesced).
    pub end: usize,
}

impl<'a> LongHeader<'a> {
    /// The long header at the start of `p`, if it is one with a Length field (every type
    /// but Retry and version negotiation has one; which type it is depends on the version).
    pub fn parse(p: &'a [u8]) -> Option<LongHeader<'a>> {
        let first = *p.first()?;
        if first & 0xc0 != 0xc0 {
            return None; // short header, or the fixed bit clear: not QUIC v1/v2
        }
        let version = u32::from_be_bytes(p.get(1..5)?.try_into().ok()?);
        let dcid_len = usize::from(*p.get(5)?);
        if dcid_len > 20 {
            return None;
        }
        let dcid = p.get(6..6 + dcid_len)?;
        let mut at = 6 + dcid_len;
        at += 1 + usize::from(*p.get(at)?); // source connection id
        let (token_len, n) = varint(p.get(at..)?)?;
        at = at
            .checked_add(n)?
            .checked_add(usize::try_from(token_len).ok()?)?;
        let (length, n) = varint(p.get(at..)?)?;
        let pn_offset = at + n;
        let end = pn_offset.checked_add(usize::try_from(length).ok()?)?;
        if end > p.len() {
            return None;
        }
        Some(LongHeader {
            first,
            version,
            dcid,
            pn_offset,
            end,
        })
    }

    /// Whether this is an Initial packet under `family`'s numbering.
    pub fn is_initial(&self, family: Family) -> bool {
        (self.first >> 4) & 0b11 == family.initial_type()
    }
}

/// Largest packet we open; Initial datagrams are at least 1200 bytes and rarely above a
/// path MTU. Larger ones are skipped rather than given a bigger buffer.
pub const MAX_PACKET: usize = 1600;

/// AES-GCM's tag length and the header-protection sample's.
const TAG: usize = 16;
const SAMPLE: usize = 16;

/// Decrypt the Initial packet `hdr` locates in `datagram` into `buf`; returns where the
/// plaintext lies in `buf`, or `None` if the packet is too short, too long, or its tag does
/// not verify under `keys`.
pub fn open(
    datagram: &[u8],
    hdr: &LongHeader<'_>,
    keys: &Keys,
    buf: &mut [u8; MAX_PACKET],
) -> Option<Range<usize>> {
    let end = hdr.end;
    if end > MAX_PACKET || end < hdr.pn_offset + 4 + SAMPLE {
        return None;
    }
    let packet = &mut buf[..end];
    packet.copy_from_slice(datagram.get(..end)?);
    let pn_len = remove_header_protection(packet, hdr.pn_offset, &keys.hp);
    let header_len = hdr.pn_offset + pn_len;
    if end < header_len + TAG {
        return None;
    }
    let mut nonce = keys.iv;
    for (i, b) in packet[hdr.pn_offset..header_len].iter().enumerate() {
        nonce[12 - pn_len + i] ^= b;
    }
    let (header, body) = packet.split_at_mut(header_len);
    let (ciphertext, tag) = body.split_at_mut(body.len() - TAG);
    let cipher = Aes128Gcm::new(GenericArray::from_slice(&keys.key));
    cipher
        .decrypt_in_place_detached(
            GenericArray::from_slice(&nonce),
            header,
            ciphertext,
            GenericArray::from_slice(tag),
        )
        .ok()?;
    Some(header_len..end - TAG)
}

/// RFC 9001 §5.4: unmask the low bits of the first byte and the packet number in place;
/// returns the packet number's length.
fn remove_header_protection(packet: &mut [u8], pn_offset: usize, hp: &[u8; 16]) -> usize {
    let mut mask = GenericArray::clone_from_slice(&packet[pn_offset + 4..pn_offset + 4 + SAMPLE]);
    Aes128::new(GenericArray::from_slice(hp)).encrypt_block(&mut mask);
    packet[0] ^= mask[0] & 0x0f;
    let pn_len = usize::from(packet[0] & 0x03) + 1;
    for i in 0..pn_len {
        packet[pn_offset + i] ^= mask[1 + i];
    }
    pn_len
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The connection ID of RFC 9001 Appendix A and RFC 9369 Appendix A.
    const DCID: &str = "8394c8f03e515708";

    #[test]
    fn v1_client_keys_of_rfc_9001_appendix_a1() {
        let keys = client_keys(Family::V1, &hex(DCID));
        assert_eq!(keys.key.to_vec(), hex("1f369613dd76d5467730efcbe3b1a22d"));
        assert_eq!(keys.iv.to_vec(), hex("fa044b2f42a3fd3b46fb255c"));
        assert_eq!(keys.hp.to_vec(), hex("9f50449e04a0e810283a1e9933adedd2"));
    }

    #[test]
    fn v2_client_keys_of_rfc_9369_appendix_a1() {
        let keys = client_keys(Family::V2, &hex(DCID));
        assert_eq!(keys.key.to_vec(), hex("8b1a0bc121284290a29e0971b5cd045d"));
        assert_eq!(keys.iv.to_vec(), hex("91f73e2351d8fa91660e909f"));
        assert_eq!(keys.hp.to_vec(), hex("45b95e15235d6f45a6b19cbcb0294ba9"));
    }

    #[test]
    fn header_protection_mask_of_rfc_9001_appendix_a2() {
        // RFC 9001 A.2: sample d1b1c98dd7689fb8ec11d242b123dc9b gives mask 437b9aec36; the
        // protected first byte c0 unmasks to c3 (4-byte packet number 00000002).
        let keys = client_keys(Family::V1, &hex(DCID));
        let mut packet = vec![0xc0, 0, 0, 0, 0];
        packet.extend(hex("437b9aec34")[1..].iter()); // protected pn = 00000002 ^ mask[1..5]
        packet.extend(hex("d1b1c98dd7689fb8ec11d242b123dc9b"));
        let pn_len = remove_header_protection(&mut packet, 5, &keys.hp);
        assert_eq!(pn_len, 4);
        assert_eq!(packet[0], 0xc3);
        assert_eq!(&packet[5..9], &[0x00, 0x00, 0x00, 0x02]);
    }

    #[test]
    fn version_families() {
        assert_eq!(families(1), &[Family::V1]);
        assert_eq!(families(0x6b33_43cf), &[Family::V2]);
        assert_eq!(families(0xff00_001d), &[Family::Draft29]);
        assert!(families(0).is_empty());
        assert_eq!(families(0x0a0a_0a0a).len(), 3);
    }

    #[test]
    fn long_header_fields() {
        // c3, v1, dcid 8394c8f03e515708, empty scid, token length 0, length 0x449e (1182).
        let mut p = hex("c3000000010883 94c8f03e515708 0000449e"
            .replace(' ', "")
            .as_str());
        p.resize(p.len() + 1182, 0);
        let h = LongHeader::parse(&p).unwrap();
        assert_eq!(h.version, 1);
        assert_eq!(h.dcid, hex(DCID).as_slice());
        assert_eq!(h.pn_offset, 18);
        assert_eq!(h.end, 18 + 1182);
        assert!(h.is_initial(Family::V1) && !h.is_initial(Family::V2));
        assert_eq!(
            LongHeader::parse(&p[..100]),
            None,
            "Length beyond the datagram"
        );
        assert_eq!(LongHeader::parse(&[0x40, 0, 0, 0, 1]), None, "short header");
    }
}
