//! IETF QUIC (RFC 9000, versions 1 and 2 and the late drafts): the server name a client asks
//! for in its first Initial packets. Tstat 3.2.1 reads only Google QUIC's clear-text
//! handshake; filling `quic_SNI` for IETF QUIC is our addition (docs/differences.md).
//!
//! The ClientHello travels in CRYPTO frames of the client's Initial packets, encrypted with
//! keys derived from public constants (initial.rs). Browsers split it across packets and
//! shuffle the frames, so its bytes are gathered in a bounded buffer, taken from a pool of
//! fixed capacity only once a datagram has proved to be a QUIC Initial, and given back as soon
//! as the name is found or the handshake window has passed.

pub mod frames;
pub mod initial;

use crate::dpi::pool::SlotPool;
use crate::dpi::reassembly::Reassembly;
use frames::CryptoFrames;
use initial::{Family, Keys, LongHeader, MAX_PACKET};

/// Bytes of the handshake stream kept: a ClientHello with post-quantum key shares is about
/// 1.8 KB; anything past this is left unread.
pub const MAX_CLIENT_HELLO: usize = 4096;
/// Client datagrams examined per flow; the ClientHello is in the first few.
const MAX_CLIENT_DATAGRAMS: u8 = 8;
/// Packets coalesced in one datagram that are looked at.
const MAX_COALESCED: usize = 3;
/// Handshakes in progress at once when none is configured.
pub const DEFAULT_POOL: usize = 512;

/// The handshake stream gathered so far, and the keys that opened it.
#[derive(Default)]
pub struct Assembly {
    family: Family,
    keys: Keys,
    stream: Reassembly<MAX_CLIENT_HELLO>,
}

pub type AssemblyPool = SlotPool<Assembly>;

impl Assembly {
    /// The ClientHello message once all of it (or all the buffer holds of it) has arrived;
    /// `Err` when the stream does not start with a ClientHello.
    fn client_hello(&self) -> Result<Option<&[u8]>, ()> {
        let have = self.stream.prefix();
        let Some(&[kind, a, b, c]) = have.get(..4) else {
            return Ok(None);
        };
        if kind != 0x01 {
            return Err(());
        }
        let body = usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c);
        let whole = (4 + body).min(MAX_CLIENT_HELLO);
        Ok(have.get(..whole))
    }
}

/// Per-flow state: small, since most UDP flows are not QUIC.
#[derive(Debug, Clone, Copy, Default)]
pub struct Handshake {
    slot: Option<u32>,
    datagrams: u8,
    done: bool,
}

impl Handshake {
    /// One client→server datagram (UDP payload). Calls `found` with the server name when the
    /// ClientHello is complete and names one.
    pub fn client_datagram(
        &mut self,
        payload: &[u8],
        pool: &mut AssemblyPool,
        found: impl FnOnce(&[u8]),
    ) {
        if self.done {
            return;
        }
        self.datagrams += 1;
        if self.datagrams > MAX_CLIENT_DATAGRAMS {
            return self.finish(pool);
        }
        let mut rest = payload;
        for _ in 0..MAX_COALESCED {
            let Some(hdr) = LongHeader::parse(rest) else {
                break;
            };
            self.packet(rest, &hdr, pool);
            rest = &rest[hdr.end..];
        }
        if self.slot.is_none() {
            // A QUIC client's first datagram is an Initial; anything else ends the search.
            return self.finish(pool);
        }
        let Some(assembly) = self.slot.map(|s| pool.get(s)) else {
            return;
        };
        match assembly.client_hello() {
            Ok(None) => {}
            Ok(Some(hello)) => {
                if let Some(name) = server_name(hello).filter(|n| printable(n)) {
                    found(name);
                }
                self.finish(pool);
            }
            Err(()) => self.finish(pool),
        }
    }

    /// Open one packet of the datagram and keep its CRYPTO data.
    fn packet(&mut self, datagram: &[u8], hdr: &LongHeader<'_>, pool: &mut AssemblyPool) {
        let mut buf = [0u8; MAX_PACKET];
        let opened = match self.slot {
            Some(s) => {
                let a = pool.get(s);
                if !hdr.is_initial(a.family) {
                    return;
                }
                initial::open(datagram, hdr, &a.keys, &mut buf).map(|p| (p, None))
            }
            None => initial::families(hdr.version).iter().find_map(|&family| {
                if !hdr.is_initial(family) {
                    return None;
                }
                let keys = initial::client_keys(family, hdr.dcid);
                let plain = initial::open(datagram, hdr, &keys, &mut buf)?;
                Some((plain, Some((family, keys))))
            }),
        };
        let Some((plain, new_keys)) = opened else {
            return;
        };
        if let Some((family, keys)) = new_keys {
            let Some(s) = pool.take() else {
                self.done = true; // pool full: counted there
                return;
            };
            self.slot = Some(s);
            let a = pool.get_mut(s);
            a.family = family;
            a.keys = keys;
        }
        let Some(a) = self.slot.map(|s| pool.get_mut(s)) else {
            return;
        };
        for chunk in CryptoFrames::new(&buf[plain]) {
            a.stream.insert(chunk.offset, chunk.data);
        }
    }

    fn finish(&mut self, pool: &mut AssemblyPool) {
        self.done = true;
        self.release(pool);
    }

    /// Give the buffer back (the handshake is over, or the flow ends).
    pub fn release(&mut self, pool: &mut AssemblyPool) {
        if let Some(s) = self.slot.take() {
            pool.give_back(s);
        }
    }
}

/// A name fit for a space-separated log column: visible ASCII only.
fn printable(name: &[u8]) -> bool {
    !name.is_empty() && name.iter().all(|b| b.is_ascii_graphic())
}

/// The server name a ClientHello asks for, as sent.
fn server_name(hello: &[u8]) -> Option<&[u8]> {
    crate::dpi::tcp::tls::sent_server_name(hello)
}

#[cfg(test)]
mod tests;
