//! The first bytes of a byte stream, gathered from pieces that arrive out of order or twice:
//! a TLS ClientHello split over TCP segments, a QUIC ClientHello split over CRYPTO frames.
//! The buffer is fixed; bytes beyond it are dropped (the caller counts that).

/// Up to `N` bytes of a stream, with one bit per byte that has arrived. `N` is a multiple of 64.
#[derive(Clone)]
pub struct Reassembly<const N: usize> {
    data: [u8; N],
    have: [u64; 64],
}

impl<const N: usize> Default for Reassembly<N> {
    fn default() -> Self {
        assert!(
            N % 64 == 0 && N / 64 <= 64,
            "Reassembly holds up to 4096 bytes"
        );
        Reassembly {
            data: [0; N],
            have: [0; 64],
        }
    }
}

impl<const N: usize> Reassembly<N> {
    /// Store `bytes` at stream offset `offset`; returns false when some of them fell beyond
    /// the buffer and were dropped.
    pub fn insert(&mut self, offset: u64, bytes: &[u8]) -> bool {
        let Ok(start) = usize::try_from(offset) else {
            return bytes.is_empty();
        };
        if start >= N {
            return bytes.is_empty();
        }
        let len = bytes.len().min(N - start);
        self.data[start..start + len].copy_from_slice(&bytes[..len]);
        for i in start..start + len {
            self.have[i / 64] |= 1 << (i % 64);
        }
        len == bytes.len()
    }

    /// Length of the gap-free start of the stream.
    pub fn contiguous(&self) -> usize {
        let mut n = 0;
        for word in &self.have[..N / 64] {
            let ones = word.trailing_ones() as usize;
            n += ones;
            if ones < 64 {
                break;
            }
        }
        n
    }

    /// The gap-free start of the stream.
    pub fn prefix(&self) -> &[u8] {
        &self.data[..self.contiguous()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_in_any_order_make_a_prefix() {
        let mut r = Reassembly::<128>::default();
        assert!(r.insert(5, b"fgh"));
        assert_eq!(r.prefix(), b"");
        assert!(r.insert(0, b"abcde"));
        assert_eq!(r.prefix(), b"abcdefgh");
        assert!(r.insert(3, b"de")); // again: no change
        assert!(r.insert(64, b"x"));
        assert_eq!(r.contiguous(), 8);
    }

    #[test]
    fn bytes_past_the_buffer_are_dropped_and_reported() {
        let mut r = Reassembly::<64>::default();
        assert!(!r.insert(60, b"123456"));
        assert!(!r.insert(64, b"7"));
        assert!(!r.insert(u64::MAX, b"7"));
        assert!(r.insert(0, &[b'.'; 60]));
        assert_eq!(r.contiguous(), 64);
        assert_eq!(&r.prefix()[60..], b"1234");
    }
}
