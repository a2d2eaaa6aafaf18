//! Crypto-PAn: prefix-preserving address anonymisation (J. Fan, J. Xu, M. Ammar, S. Moon,
//! "Prefix-preserving IP address anonymization", Computer Networks 46(2), 2004).
//!
//! Two addresses that share their first k bits are mapped to two addresses that share their
//! first k bits, and to nothing else. Bit i of the output is bit i of the input XOR the first
//! bit of AES_K(first i bits of the input, then the rest of the secret pad), where the pad is
//! AES_K of the second half of the 32-byte key. An IPv4 address is one 32-bit word; the IPv6
//! rules of Tstat apply the same function per 32-bit word (docs/semantics/privacy.md).

use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use aes::Aes128;

/// A Crypto-PAn key: 16 bytes of AES key, 16 bytes that make the pad.
pub const KEY_LEN: usize = 32;

/// The anonymiser of one key.
pub struct CryptoPan {
    aes: Aes128,
    pad: [u8; 16],
}

impl CryptoPan {
    pub fn new(key: &[u8; KEY_LEN]) -> CryptoPan {
        let aes = Aes128::new(GenericArray::from_slice(&key[..16]));
        let mut pad = GenericArray::clone_from_slice(&key[16..]);
        aes.encrypt_block(&mut pad);
        CryptoPan {
            aes,
            pad: pad.into(),
        }
    }

    /// The anonymised form of a 32-bit word (an IPv4 address in host order).
    pub fn anonymize_u32(&self, addr: u32) -> u32 {
        let pad_word = u32::from_be_bytes([self.pad[0], self.pad[1], self.pad[2], self.pad[3]]);
        let mut flips = 0u32;
        for pos in 0..32 {
            // The first `pos` bits of the address, the rest from the pad.
            let keep = if pos == 0 { 0 } else { u32::MAX << (32 - pos) };
            let word = (addr & keep) | (pad_word & !keep);
            let mut block = GenericArray::from(self.pad);
            block[..4].copy_from_slice(&word.to_be_bytes());
            self.aes.encrypt_block(&mut block);
            flips |= u32::from(block[0] >> 7) << (31 - pos);
        }
        addr ^ flips
    }

    /// An IPv4 address, octets in network order.
    pub fn anonymize_v4(&self, addr: [u8; 4]) -> [u8; 4] {
        self.anonymize_u32(u32::from_be_bytes(addr)).to_be_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample key and mapping published with Crypto-PAn (sample_trace_raw.dat /
    /// sample_trace_sanitized.dat of the reference implementation), the 16 addresses of the
    /// reference's canonical/ run.
    const KEY: [u8; 32] = [
        21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16, 216, 152, 143, 131,
        121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2,
    ];
    const VECTORS: [([u8; 4], [u8; 4]); 16] = [
        ([128, 11, 68, 132], [135, 242, 180, 132]),
        ([129, 118, 74, 4], [134, 136, 186, 123]),
        ([130, 132, 252, 244], [133, 68, 164, 234]),
        ([141, 223, 7, 43], [141, 167, 8, 160]),
        ([141, 233, 145, 108], [141, 129, 237, 235]),
        ([152, 163, 225, 39], [151, 140, 114, 167]),
        ([156, 29, 3, 236], [147, 225, 12, 42]),
        ([165, 247, 96, 84], [162, 9, 99, 234]),
        ([166, 107, 77, 190], [160, 132, 178, 185]),
        ([192, 102, 249, 13], [252, 138, 62, 131]),
        ([192, 215, 32, 125], [252, 43, 47, 189]),
        ([192, 233, 80, 103], [252, 25, 108, 8]),
        ([192, 41, 57, 43], [252, 222, 221, 184]),
        ([193, 150, 244, 223], [253, 169, 52, 216]),
        ([195, 205, 63, 100], [255, 186, 223, 5]),
        ([198, 200, 171, 101], [249, 199, 68, 213]),
    ];

    #[test]
    fn the_published_sample_mapping() {
        let c = CryptoPan::new(&KEY);
        for (raw, want) in VECTORS {
            assert_eq!(c.anonymize_v4(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn prefixes_are_preserved() {
        let c = CryptoPan::new(&KEY);
        let a = c.anonymize_u32(0x0a01_0203);
        let b = c.anonymize_u32(0x0a01_02ff);
        assert_eq!(a >> 8, b >> 8, "same /24 in, same /24 out");
        assert_ne!(a, b);
        let d = c.anonymize_u32(0x8a01_0203);
        assert_ne!(a >> 31, d >> 31, "first bit differs in, differs out");
    }
}
