//! The two pieces of QUIC framing an Initial packet needs: variable-length integers
//! (RFC 9000 §16) and the frames allowed in Initial packets (RFC 9000 §12.4, §19).

/// A variable-length integer at the start of `p`: its value and its encoded length.
pub fn varint(p: &[u8]) -> Option<(u64, usize)> {
    let first = *p.first()?;
    let len = 1usize << (first >> 6);
    let bytes = p.get(..len)?;
    let value = bytes[1..]
        .iter()
        .fold(u64::from(first & 0x3f), |v, &b| (v << 8) | u64::from(b));
    Some((value, len))
}

/// One CRYPTO frame's data and where it sits in the handshake stream.
#[derive(Debug, PartialEq, Eq)]
pub struct CryptoChunk<'a> {
    pub offset: u64,
    pub data: &'a [u8],
}

/// Walks the frames of a decrypted Initial payload and yields its CRYPTO data. It stops at the
/// first frame that is malformed or not allowed in an Initial packet: nothing after it can be
/// located.
pub struct CryptoFrames<'a> {
    rest: &'a [u8],
}

impl<'a> CryptoFrames<'a> {
    pub fn new(payload: &'a [u8]) -> CryptoFrames<'a> {
        CryptoFrames { rest: payload }
    }

    fn take_varint(&mut self) -> Option<u64> {
        let (v, n) = varint(self.rest)?;
        self.rest = &self.rest[n..];
        Some(v)
    }

    fn skip_varints(&mut self, n: u64) -> Option<()> {
        for _ in 0..n {
            self.take_varint()?;
        }
        Some(())
    }

    /// ACK frame (type 0x02, or 0x03 with ECN counts) after its type byte.
    fn skip_ack(&mut self, with_ecn: bool) -> Option<()> {
        self.skip_varints(2)?; // largest acknowledged, ack delay
        let ranges = self.take_varint()?;
        self.take_varint()?; // first ack range
                             // Each further range is two varints; a count larger than the bytes left is garbage.
        if ranges > self.rest.len() as u64 {
            return None;
        }
        self.skip_varints(2 * ranges)?;
        if with_ecn {
            self.skip_varints(3)?;
        }
        Some(())
    }

    /// CONNECTION_CLOSE (0x1c): error code, frame type, reason phrase.
    fn skip_close(&mut self) -> Option<()> {
        self.skip_varints(2)?;
        let len = usize::try_from(self.take_varint()?).ok()?;
        self.rest = self.rest.get(len..)?;
        Some(())
    }

    fn crypto(&mut self) -> Option<CryptoChunk<'a>> {
        let offset = self.take_varint()?;
        let len = usize::try_from(self.take_varint()?).ok()?;
        let data = self.rest.get(..len)?;
        self.rest = &self.rest[len..];
        Some(CryptoChunk { offset, data })
    }
}

impl<'a> Iterator for CryptoFrames<'a> {
    type Item = CryptoChunk<'a>;

    fn next(&mut self) -> Option<CryptoChunk<'a>> {
        loop {
            let kind = self.take_varint()?;
            let step = match kind {
                0x00 | 0x01 => Some(()), // PADDING, PING
                0x02 | 0x03 => self.skip_ack(kind == 0x03),
                0x06 => return self.crypto().or_else(|| self.stop()),
                0x1c => self.skip_close(),
                _ => None,
            };
            if step.is_none() {
                return self.stop();
            }
        }
    }
}

impl CryptoFrames<'_> {
    fn stop<T>(&mut self) -> Option<T> {
        self.rest = &[];
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_of_rfc_9000_appendix_a1() {
        assert_eq!(varint(&[0x25]), Some((37, 1)));
        assert_eq!(varint(&[0x40, 0x25]), Some((37, 2)));
        assert_eq!(varint(&[0x7b, 0xbd]), Some((15_293, 2)));
        assert_eq!(varint(&[0x9d, 0x7f, 0x3e, 0x7d]), Some((494_878_333, 4)));
        assert_eq!(
            varint(&[0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c]),
            Some((151_288_809_941_952_652, 8))
        );
        assert_eq!(varint(&[0x9d, 0x7f]), None, "truncated");
        assert_eq!(varint(&[]), None);
    }

    #[test]
    fn crypto_frames_between_padding_ping_and_ack() {
        let payload = [
            0x00, 0x00, // padding
            0x06, 0x40, 0x10, 0x03, b'x', b'y', b'z', // CRYPTO offset 16, "xyz"
            0x01, // PING
            0x02, 0x05, 0x00, 0x01, 0x00, 0x01, 0x02, // ACK with one extra range
            0x06, 0x00, 0x02, b'a', b'b', // CRYPTO offset 0, "ab"
            0x00,
        ];
        let chunks: Vec<_> = CryptoFrames::new(&payload).collect();
        assert_eq!(
            chunks,
            vec![
                CryptoChunk {
                    offset: 16,
                    data: b"xyz"
                },
                CryptoChunk {
                    offset: 0,
                    data: b"ab"
                }
            ]
        );
    }

    #[test]
    fn stops_at_a_frame_not_allowed_in_initial_packets() {
        // 0x08 is a STREAM frame: an Initial packet cannot carry it.
        let payload = [0x06, 0x00, 0x01, b'a', 0x08, 0x06, 0x01, 0x01, b'b'];
        let chunks: Vec<_> = CryptoFrames::new(&payload).collect();
        assert_eq!(
            chunks,
            vec![CryptoChunk {
                offset: 0,
                data: b"a"
            }]
        );
    }

    #[test]
    fn a_crypto_frame_longer_than_the_packet_ends_the_walk() {
        let payload = [0x06, 0x00, 0x09, b'a'];
        assert_eq!(CryptoFrames::new(&payload).count(), 0);
    }
}
