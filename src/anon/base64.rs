//! Base64 (RFC 4648 §4, the standard alphabet with `=` padding): the key file `CPanKey_<date>`
//! and the `--enc` host names are written in it, `--keybase64` files are read in it.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Append the base64 text of `data` to `out`, padded with `=`, without line breaks.
pub fn encode_into(data: &[u8], out: &mut Vec<u8>) {
    let mut s = Stream::default();
    s.push(data, out);
    s.finish(out);
}

/// A base64 encoder fed piece by piece (the `--enc` ciphertext, block by block), writing as
/// it goes: nothing is buffered but the last one or two bytes of a group.
#[derive(Default)]
pub struct Stream {
    pending: [u8; 3],
    len: usize,
}

impl Stream {
    pub fn push(&mut self, data: &[u8], out: &mut Vec<u8>) {
        for &b in data {
            self.pending[self.len] = b;
            self.len += 1;
            if self.len == 3 {
                group(self.pending, 3, out);
                self.len = 0;
            }
        }
    }

    /// The last group, padded.
    pub fn finish(self, out: &mut Vec<u8>) {
        if self.len > 0 {
            let mut last = [0u8; 3];
            last[..self.len].copy_from_slice(&self.pending[..self.len]);
            group(last, self.len, out);
        }
    }
}

/// Four characters for up to three bytes, `=` for the missing ones.
fn group(b: [u8; 3], len: usize, out: &mut Vec<u8>) {
    let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
    let sextet = |i: u32| ALPHABET[(n >> (18 - 6 * i) & 63) as usize];
    out.push(sextet(0));
    out.push(sextet(1));
    out.push(if len > 1 { sextet(2) } else { b'=' });
    out.push(if len > 2 { sextet(3) } else { b'=' });
}

/// The bytes of a base64 text. Padding is optional, but when present it must end the text and
/// fit its length; any byte outside the alphabet is an error naming the byte and its position
/// (0-based). Tstat's decoder maps such bytes to 0 and goes on (docs/differences.md).
pub fn decode(text: &[u8]) -> Result<Vec<u8>, String> {
    let body_len = text.iter().rposition(|&b| b != b'=').map_or(0, |i| i + 1);
    let padding = text.len() - body_len;
    if padding > 2 || (padding > 0 && text.len() % 4 != 0) || body_len % 4 == 1 {
        return Err(format!(
            "not base64: {} characters{} cannot be a whole number of bytes",
            text.len(),
            if padding > 0 { " with padding" } else { "" }
        ));
    }
    let mut out = Vec::with_capacity(body_len * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for (pos, &b) in text[..body_len].iter().enumerate() {
        let v = ALPHABET.iter().position(|&a| a == b).ok_or_else(|| {
            format!("not base64: byte 0x{b:02x} at position {pos} is not in the alphabet")
        })?;
        acc = acc << 6 | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(data: &[u8]) -> String {
        let mut out = Vec::new();
        encode_into(data, &mut out);
        String::from_utf8(out).unwrap()
    }

    /// RFC 4648 §10's test vectors.
    #[test]
    fn rfc4648_vectors_both_ways() {
        for (raw, text) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(enc(raw.as_bytes()), text);
            assert_eq!(decode(text.as_bytes()).unwrap(), raw.as_bytes(), "{text}");
        }
    }

    #[test]
    fn unpadded_text_decodes_like_padded() {
        assert_eq!(decode(b"Zm9vYmE").unwrap(), b"fooba");
        assert_eq!(decode(b"Zm9vYg").unwrap(), b"foob");
    }

    #[test]
    fn the_reference_key_file() {
        let key = decode(b"VHN0YXQzLjIuMS1yZWZlcmVuY2UtQ3J5cHRvUEFuISE=").unwrap();
        assert_eq!(key, b"Tstat3.2.1-reference-CryptoPAn!!");
        assert_eq!(enc(&key), "VHN0YXQzLjIuMS1yZWZlcmVuY2UtQ3J5cHRvUEFuISE=");
    }

    #[test]
    fn bytes_outside_the_alphabet_are_named() {
        let e = decode(b"!!!!").unwrap_err();
        assert!(e.contains("0x21 at position 0"), "{e}");
        let e = decode(b"YWJj\r").unwrap_err();
        assert!(e.contains("cannot be a whole number"), "{e}");
        let e = decode(b"YW-j").unwrap_err();
        assert!(e.contains("0x2d at position 2"), "{e}");
    }

    #[test]
    fn misplaced_or_excess_padding_is_refused() {
        for bad in [&b"=="[..], b"Zg===", b"Z===", b"Zm=9", b"A", b"Zg="] {
            assert!(decode(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
