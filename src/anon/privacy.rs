//! What the logs hide with `-Y`: which addresses are anonymised (the crypto networks minus the
//! `-W` whitelist), their Crypto-PAn form, and with `--enc` the host names, AES-encrypted
//! (docs/semantics/privacy.md §3–§5). Applied by the log sinks when they print a row: the
//! engine keeps the real addresses, so flows, DN-Hunter and the histograms work as without it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use aes::cipher::{generic_array::GenericArray, BlockEncrypt, KeyInit};
use aes::Aes128;

use super::base64;
use super::cryptopan::{CryptoPan, KEY_LEN};
use crate::config::nets::NetList;

/// The anonymisation of one run.
pub struct Privacy {
    pan: CryptoPan,
    /// AES-128 with the first half of the key: `--enc` names.
    names: Aes128,
    crypto: NetList,
    white: Option<NetList>,
    encrypt_names: bool,
    /// The IPv6 word masks as Tstat applies them on x86_64: each mask's bytes reversed, XORed
    /// onto the big-endian word (privacy.md §3.3), so every target maps as the reference does.
    v6_masks: [u32; 4],
}

impl Privacy {
    /// `crypto`: the `-Y` networks; `white`: the `-W` ones; `masks`: globals.conf's
    /// `Crypto_IPv6_Mask_0..3` as written there.
    pub fn new(
        key: &[u8; KEY_LEN],
        crypto: NetList,
        white: Option<NetList>,
        encrypt_names: bool,
        masks: [u32; 4],
    ) -> Privacy {
        Privacy {
            pan: CryptoPan::new(key),
            names: Aes128::new(GenericArray::from_slice(&key[..16])),
            crypto,
            white,
            encrypt_names,
            v6_masks: masks.map(u32::swap_bytes),
        }
    }

    /// Whether `a` is printed anonymised: in a `-Y` network of its family and in no `-W` one.
    /// A family without `-Y` entries is never anonymised (unlike `-N`, where such a family
    /// is all internal).
    pub fn is_crypto(&self, a: &IpAddr) -> bool {
        let listed = |list: &NetList| match a {
            IpAddr::V4(_) => list.has_v4() && list.contains(a),
            IpAddr::V6(_) => list.has_v6() && list.contains(a),
        };
        listed(&self.crypto) && !self.white.as_ref().is_some_and(listed)
    }

    /// The Crypto-PAn form of `a` (IPv6: each 32-bit word on its own, after its mask).
    pub fn anonymize(&self, a: &IpAddr) -> IpAddr {
        match a {
            IpAddr::V4(v4) => IpAddr::V4(Ipv4Addr::from(self.pan.anonymize_v4(v4.octets()))),
            IpAddr::V6(v6) => {
                let bytes = v6.octets();
                let mut out = [0u8; 16];
                for (j, (word, mask)) in bytes.chunks_exact(4).zip(self.v6_masks).enumerate() {
                    let w = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
                    let o = self.pan.anonymize_u32(w ^ mask);
                    out[4 * j..4 * j + 4].copy_from_slice(&o.to_be_bytes());
                }
                IpAddr::V6(Ipv6Addr::from(out))
            }
        }
    }

    /// The address a log prints for `a`, and whether it is anonymised (the `*_iscrypto`
    /// flag).
    pub fn shown(&self, a: &IpAddr) -> (IpAddr, bool) {
        if self.is_crypto(a) {
            (self.anonymize(a), true)
        } else {
            (*a, false)
        }
    }

    /// `--enc`: whether host names are encrypted.
    pub fn encrypts_names(&self) -> bool {
        self.encrypt_names
    }

    /// Append `name` encrypted as Tstat's `--enc` does: AES-128-ECB over the text padded with
    /// NULs to a whole number of blocks, then base64; the empty text stays empty.
    pub fn encrypt_name_into(&self, name: &[u8], out: &mut Vec<u8>) {
        let mut text = base64::Stream::default();
        for chunk in name.chunks(16) {
            let mut block = GenericArray::from([0u8; 16]);
            block[..chunk.len()].copy_from_slice(chunk);
            self.names.encrypt_block(&mut block);
            text.push(&block, out);
        }
        text.finish(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8; 32] = b"Tstat3.2.1-reference-CryptoPAn!!";

    /// globals.conf's `Crypto_IPv6_Mask_0..3` without `-G`.
    fn default_masks() -> [u32; 4] {
        crate::config::globals::Globals::default().crypto_ipv6_masks()
    }

    fn nets(text: &str) -> NetList {
        NetList::parse_for("test", text, 40, crate::config::nets::CRYPTO).unwrap()
    }

    fn all(masks: [u32; 4]) -> Privacy {
        Privacy::new(KEY, nets("0.0.0.0/0\n::/0\n"), None, false, masks)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// privacy.md §3.1: addresses of the reference variants with the reference key.
    #[test]
    fn reference_key_ipv4_vectors() {
        let p = all(default_masks());
        for (raw, want) in [
            ("192.168.115.8", "190.7.138.136"),
            ("192.168.5.16", "190.7.198.192"),
            ("183.131.48.145", "251.251.79.81"),
            ("8.8.8.8", "54.200.39.183"),
            ("168.95.1.1", "238.161.214.166"),
            ("0.0.0.0", "62.55.207.135"),
            ("63.168.65.3", "11.168.62.197"),
        ] {
            assert_eq!(p.anonymize(&ip(raw)), ip(want), "{raw}");
        }
    }

    /// privacy.md §3.3: the default masks, and custom ones that pin the byte-reversed reading.
    #[test]
    fn ipv6_words_after_their_masks() {
        let p = all(default_masks());
        for (raw, want) in [
            (
                "fe80::406:55a8:6453:25dd",
                "3f63:f0:9e0f:f07:34f6:ba9d:67ad:15d1",
            ),
            ("ff02::1:2", "3ee1:fcfe:9e0f:f07:3333:12f2:3e36:8842"),
            ("ff02::1", "3ee1:fcfe:9e0f:f07:3333:12f2:3e37:cf86"),
        ] {
            assert_eq!(p.anonymize(&ip(raw)), ip(want), "{raw}");
        }
        let p = all([0x0000_00ff, 0x1234_5678, 0, 0x0f0f_0f0f]);
        for (raw, want) in [
            (
                "fe80::217:f2ff:fed7:cf65",
                "3fc8:4847:78aa:b93:3d12:f50f:9fd8:c7ea",
            ),
            ("ff02::fb", "3e35:9047:78aa:b93:3e37:cf87:3333:1203"),
        ] {
            assert_eq!(p.anonymize(&ip(raw)), ip(want), "{raw}");
        }
    }

    #[test]
    fn whitelist_wins_and_unlisted_families_stay_clear() {
        let private = "10.0.0.0/8\n172.16.0.0/12\n192.168.0.0/16\n";
        let p = Privacy::new(
            KEY,
            nets("0.0.0.0/0\n"),
            Some(nets(private)),
            false,
            default_masks(),
        );
        assert!(p.is_crypto(&ip("8.8.8.8")));
        assert!(!p.is_crypto(&ip("192.168.1.1")));
        assert!(!p.is_crypto(&ip("fe80::1")), "no IPv6 entry in -Y");
        assert_eq!(p.shown(&ip("192.168.1.1")), (ip("192.168.1.1"), false));
        assert_eq!(p.shown(&ip("8.8.8.8")), (ip("54.200.39.183"), true));
        // A whitelist of one family leaves the other family's crypto networks alone.
        let p = Privacy::new(
            KEY,
            nets("0.0.0.0/0\n::/0\n"),
            Some(nets("fe80::/10\n")),
            false,
            default_masks(),
        );
        assert!(p.is_crypto(&ip("8.8.8.8")));
        assert!(!p.is_crypto(&ip("fe80::1")));
        assert!(p.is_crypto(&ip("ff02::1")));
    }

    /// privacy.md §5's vectors (reference key): one block, two blocks, a multiple of 16.
    #[test]
    fn names_encrypt_as_tstat_enc() {
        let p = Privacy::new(KEY, nets("0.0.0.0/0\n"), None, true, default_masks());
        for (name, want) in [
            ("192.168.115.75", "IOpY6PIjDOd6UXwcmsJq9Q=="),
            ("jp.kankan.1kxun.mobi", "Zj64oWcuZZ5ajHIP3PE4X+ZWG1zEnwi23GpHj0O0sYA="),
            ("kankan.1kxun.com", "JUfbBgN4M1fzwNYzsr5tNA=="),
            ("pagead2.googlesyndication.com", "KAxbm058Lq3zinDmZnS3+voRuICes29nu4BGJYMBel0="),
            (
                "beta+Chrome%2f57.0.2987.98+Intel+Mac+OS+X+10_12_3",
                "jozdD+bzeAd+o2eg8ootxqZ0JIt/YXii/+NvwuL8mfnftajNSjZKb+1R8PK0Ht153hCH4sBLGtRxnb4nlZ+siQ==",
            ),
            ("", ""),
        ] {
            let mut out = b"x ".to_vec();
            p.encrypt_name_into(name.as_bytes(), &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), format!("x {want}"), "{name}");
        }
    }
}
