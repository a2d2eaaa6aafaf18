//! IETF QUIC Initial opening and ClientHello gathering on arbitrary client datagrams, each
//! given as a 2-byte big-endian length and its bytes. Random bytes rarely pass the AEAD tag,
//! so the corpus is seeded with real Initials (fuzz/seed.sh).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tstat::dpi::quic::{AssemblyPool, Handshake};

fuzz_target!(|data: &[u8]| {
    let mut pool = AssemblyPool::with_capacity(2);
    let mut handshake = Handshake::default();
    let mut rest = data;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        handshake.client_datagram(&rest[2..2 + len], &mut pool, |name| {
            assert!(name.iter().all(u8::is_ascii_graphic));
        });
        rest = &rest[2 + len..];
    }
    handshake.release(&mut pool);
});
