//! The gQUIC handshake tags of log_udp_complete: quic_SNI, quic_UA, quic_CHLO, quic_REJ.
//!
//! Google QUIC before IETF QUIC sent its handshake in clear: a CHLO message with a tag table
//! (SNI, UAID, ...) from the client and a REJ from the server. Tstat 3.2.1 reads them at fixed
//! offsets, from packets whose public flags carry a connection id, while the QUIC check runs
//! (docs/semantics/gquic.md §2–§4). The names go to a pool of fixed capacity, taken at the
//! first name of a flow and given back when the flow ends; a flow that finds the pool empty
//! keeps its CHLO/REJ flags and prints no names (counted).

use crate::dpi::pool::SlotPool;

/// Names kept per flow: the SNI raw, the UAID percent-encoded (longer ones are cut).
const MAX_SNI: usize = 255;
const MAX_UA: usize = 512;
/// Tstat copies at most this much of a tag value.
const MAX_VALUE: usize = 1600;
/// Flows that can hold names at once when none is configured.
pub const DEFAULT_POOL: usize = 4096;

/// What one flow learnt from its handshake.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tags {
    pub chlo: bool,
    pub rej: bool,
    names: Option<u32>,
}

#[derive(Debug, Default, Clone)]
pub struct Names {
    pub sni: heapless::Vec<u8, MAX_SNI>,
    pub ua: heapless::Vec<u8, MAX_UA>,
}

/// Name slots for the flows that have names.
pub type NamePool = SlotPool<Names>;

impl Tags {
    /// The names this flow holds.
    pub fn names<'p>(&self, pool: &'p NamePool) -> Option<&'p Names> {
        self.names.map(|s| pool.get(s))
    }

    /// The flow ends: its slot is free again.
    pub fn release(&mut self, pool: &mut NamePool) {
        if let Some(s) = self.names.take() {
            pool.give_back(s);
        }
    }

    /// Keep `sni` as the flow's server name unless it has one (IETF QUIC's ClientHello).
    pub fn set_sni(&mut self, sni: &[u8], pool: &mut NamePool) {
        store(b"SNI\0", sni, self, pool);
    }

    /// This flow's names, taking a slot at the first one.
    fn names_mut<'p>(&mut self, pool: &'p mut NamePool) -> Option<&'p mut Names> {
        if self.names.is_none() {
            self.names = pool.take();
        }
        self.names.map(|s| pool.get_mut(s))
    }
}

fn le32(p: &[u8], at: usize) -> Option<u32> {
    let b = p.get(at..at + 4)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Read the tags of one packet (the whole captured UDP datagram, header included).
pub fn read_tags(udp: &[u8], tags: &mut Tags, pool: &mut NamePool) {
    let n = udp.len();
    if n <= 42 {
        return;
    }
    let p = &udp[8..];
    // Public header: flags, connection id, then a version for 0x0d/0x09; then Tstat assumes
    // a 12-byte message hash and a 4-byte stream frame header.
    let header = match p[0] {
        0x0d | 0x09 => 14,
        0x0c | 0x08 => 10,
        _ => return,
    };
    let t = header + 16;
    if p.get(t..t + 4) == Some(b"CHLO".as_slice()) {
        tags.chlo = true;
        client_hello(p, t, tags, pool);
    } else if p.get(t - 2..t + 1) == Some(b"REJ".as_slice()) {
        tags.rej = true;
    }
}

/// Walk the CHLO tag table for SNI and UAID.
fn client_hello(p: &[u8], t: usize, tags: &mut Tags, pool: &mut NamePool) {
    let Some(count) = le32(p, t + 4) else {
        return;
    };
    // Tstat reads the count as a signed int.
    let count = count as i32;
    if count <= 0 {
        return;
    }
    let count = count as usize;
    let table = t + 8;
    let values = table + 8 * count;
    if p.len() < values {
        return;
    }
    let mut previous_end = 0usize;
    for i in 0..count {
        let entry = table + 8 * i;
        let tag = &p[entry..entry + 4];
        let end = le32(p, entry + 4).unwrap_or(0) as usize;
        let wanted = tag.starts_with(b"SNI") || tag == b"UAID";
        // Quirk kept from Tstat: a value starting at offset 0 is never taken.
        if wanted && previous_end != 0 {
            let Some(value) = p.get(values + previous_end..values + end) else {
                return;
            };
            let value = &value[..value.len().min(MAX_VALUE)];
            let value = value.split(|&b| b == 0).next().unwrap_or(&[]);
            store(tag, value, tags, pool);
        }
        previous_end = end;
    }
}

/// Keep the first SNI and the first UAID of the flow.
fn store(tag: &[u8], value: &[u8], tags: &mut Tags, pool: &mut NamePool) {
    let Some(names) = tags.names_mut(pool) else {
        return;
    };
    if tag.starts_with(b"SNI") {
        if names.sni.is_empty() {
            let _ = names
                .sni
                .extend_from_slice(&value[..value.len().min(MAX_SNI)]);
        }
    } else if names.ua.is_empty() {
        percent_encode(value, &mut names.ua);
    }
}

/// Tstat's URL encoding: letters, digits and `-_.~` stay, space becomes `+`, any other byte
/// `%` and two lowercase hex digits. Stops where the buffer is full.
fn percent_encode(value: &[u8], out: &mut heapless::Vec<u8, MAX_UA>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for &b in value {
        let ok = match b {
            b if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) => out.push(b).is_ok(),
            b' ' => out.push(b'+').is_ok(),
            _ => out
                .extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
                .is_ok(),
        };
        if !ok {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client gQUIC packet (flags 0x0d, version Q035) carrying a CHLO with the given tags.
    fn chlo(tags: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
        let mut d = vec![0u8; 8];
        d.push(0x0d);
        d.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        d.extend_from_slice(b"Q035");
        d.push(1);
        d.extend_from_slice(&[0; 16]);
        d.extend_from_slice(b"CHLO");
        d.extend_from_slice(&(tags.len() as u32).to_le_bytes());
        let mut end = 0u32;
        for (tag, value) in tags {
            end += value.len() as u32;
            d.extend_from_slice(*tag);
            d.extend_from_slice(&end.to_le_bytes());
        }
        for (_, value) in tags {
            d.extend_from_slice(value);
        }
        d
    }

    #[test]
    fn reads_sni_and_encodes_the_user_agent() {
        let mut pool = NamePool::with_capacity(1);
        let mut tags = Tags::default();
        let pkt = chlo(&[
            (b"PAD\0", b"xx"),
            (b"SNI\0", b"www.example.com"),
            (b"UAID", b"Chrome/57 Mac OS"),
        ]);
        read_tags(&pkt, &mut tags, &mut pool);
        assert!(tags.chlo && !tags.rej);
        let names = tags.names(&pool).unwrap();
        assert_eq!(names.sni.as_slice(), b"www.example.com");
        assert_eq!(names.ua.as_slice(), b"Chrome%2f57+Mac+OS");
    }

    #[test]
    fn a_value_at_offset_zero_is_never_taken() {
        let mut pool = NamePool::with_capacity(1);
        let mut tags = Tags::default();
        read_tags(&chlo(&[(b"SNI\0", b"first.example")]), &mut tags, &mut pool);
        assert!(tags.chlo);
        assert!(
            tags.names(&pool).is_none(),
            "Tstat skips the first tag's value"
        );
    }

    #[test]
    fn a_server_rej_is_flagged() {
        let mut pool = NamePool::with_capacity(1);
        let mut tags = Tags::default();
        let mut d = vec![0u8; 8];
        d.push(0x08);
        d.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 1]);
        d.extend_from_slice(&[0; 14]);
        d.extend_from_slice(b"REJ\0");
        d.resize(60, 0);
        read_tags(&d, &mut tags, &mut pool);
        assert!(tags.rej && !tags.chlo);
    }
}
