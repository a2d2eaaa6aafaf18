//! Client Initial datagrams are built here the way RFC 9001 §5 protects them (keys checked
//! against the RFC's vectors in initial.rs), then fed to the reader.

use super::*;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::aes::cipher::BlockEncrypt;
use aes_gcm::aes::Aes128;
use aes_gcm::Aes128Gcm;

const DCID: [u8; 8] = [0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08];

/// A TLS 1.3 ClientHello handshake message naming `sni`, with filler extensions around it.
fn client_hello(sni: &[u8], filler: usize) -> Vec<u8> {
    let mut ext = Vec::new();
    ext.extend_from_slice(&[0x00, 0x15]); // padding extension first, as browsers vary order
    ext.extend_from_slice(&(filler as u16).to_be_bytes());
    ext.resize(ext.len() + filler, 0);
    let list_len = 3 + sni.len();
    ext.extend_from_slice(&[0x00, 0x00]);
    ext.extend_from_slice(&(list_len as u16 + 2).to_be_bytes());
    ext.extend_from_slice(&(list_len as u16).to_be_bytes());
    ext.push(0);
    ext.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    ext.extend_from_slice(sni);
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&[7; 32]);
    body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
    body.extend_from_slice(&(ext.len() as u16).to_be_bytes());
    body.extend_from_slice(&ext);
    let mut msg = vec![0x01, 0, (body.len() >> 8) as u8, body.len() as u8];
    msg.extend_from_slice(&body);
    msg
}

fn crypto_frame(offset: usize, data: &[u8]) -> Vec<u8> {
    let mut f = vec![0x06, 0x40 | (offset >> 8) as u8, offset as u8];
    f.extend_from_slice(&[0x40 | (data.len() >> 8) as u8, data.len() as u8]);
    f.extend_from_slice(data);
    f
}

/// A protected Initial packet of `version` carrying `frames`, padded to 1200 bytes.
fn initial_packet(version: u32, family: Family, pn: u32, frames: &[u8]) -> Vec<u8> {
    let keys = initial::client_keys(family, &DCID);
    let mut plain = frames.to_vec();
    plain.resize(1200 - 40, 0); // PADDING frames
    let length = 4 + plain.len() + 16;
    let type_bits = if family == Family::V2 { 0x10 } else { 0x00 };
    let mut p = vec![0xc3 | type_bits];
    p.extend_from_slice(&version.to_be_bytes());
    p.push(DCID.len() as u8);
    p.extend_from_slice(&DCID);
    p.extend_from_slice(&[0, 0]); // no source connection id, no token
    p.extend_from_slice(&[0x40 | (length >> 8) as u8, length as u8]);
    let pn_offset = p.len();
    p.extend_from_slice(&pn.to_be_bytes());
    let mut nonce = keys.iv;
    for (i, b) in pn.to_be_bytes().iter().enumerate() {
        nonce[8 + i] ^= b;
    }
    let tag = Aes128Gcm::new(GenericArray::from_slice(&keys.key))
        .encrypt_in_place_detached(GenericArray::from_slice(&nonce), &p, &mut plain)
        .unwrap();
    p.extend_from_slice(&plain);
    p.extend_from_slice(&tag);
    let mut mask = GenericArray::clone_from_slice(&p[pn_offset + 4..pn_offset + 20]);
    Aes128::new(GenericArray::from_slice(&keys.hp)).encrypt_block(&mut mask);
    p[0] ^= mask[0] & 0x0f;
    for i in 0..4 {
        p[pn_offset + i] ^= mask[1 + i];
    }
    p
}

fn run(datagrams: &[Vec<u8>], pool: &mut AssemblyPool) -> (Option<Vec<u8>>, Handshake) {
    let mut hs = Handshake::default();
    let mut name = None;
    for d in datagrams {
        hs.client_datagram(d, pool, |n| name = Some(n.to_vec()));
    }
    (name, hs)
}

#[test]
fn a_v1_client_hello_in_one_packet() {
    let hello = client_hello(b"www.example.org", 100);
    let d = initial_packet(1, Family::V1, 0, &crypto_frame(0, &hello));
    let mut pool = AssemblyPool::with_capacity(4);
    let (name, hs) = run(&[d], &mut pool);
    assert_eq!(name.as_deref(), Some(b"www.example.org".as_slice()));
    assert!(hs.done && hs.slot.is_none());
    assert_eq!(pool.free_slots(), 1, "the buffer went back to the pool");
}

#[test]
fn a_v2_client_hello_split_over_two_packets_with_shuffled_frames() {
    let hello = client_hello(b"quic.example.net", 1500);
    let (a, b) = hello.split_at(900);
    let (a1, a2) = a.split_at(300);
    let mut first = crypto_frame(300, a2);
    first.push(0x01); // PING between the frames
    first.extend_from_slice(&crypto_frame(0, a1));
    let second = crypto_frame(900, b);
    let datagrams = [
        initial_packet(0x6b33_43cf, Family::V2, 0, &first),
        initial_packet(0x6b33_43cf, Family::V2, 1, &second),
    ];
    let mut pool = AssemblyPool::with_capacity(4);
    let (name, hs) = run(&datagrams[..1], &mut pool);
    assert_eq!(name, None, "half a ClientHello names nothing yet");
    assert!(hs.slot.is_some());
    let (name, _) = run(&datagrams, &mut pool);
    assert_eq!(name.as_deref(), Some(b"quic.example.net".as_slice()));
}

#[test]
fn an_unknown_version_is_tried_with_each_known_salt() {
    let hello = client_hello(b"grease.example", 10);
    let d = initial_packet(0x0a0a_0a0a, Family::Draft29, 0, &crypto_frame(0, &hello));
    let mut pool = AssemblyPool::with_capacity(1);
    assert_eq!(
        run(&[d], &mut pool).0.as_deref(),
        Some(b"grease.example".as_slice())
    );
}

#[test]
fn a_damaged_packet_or_a_non_quic_flow_takes_no_buffer() {
    let hello = client_hello(b"www.example.org", 100);
    let mut d = initial_packet(1, Family::V1, 0, &crypto_frame(0, &hello));
    d[300] ^= 1; // the AEAD tag no longer verifies
    let mut pool = AssemblyPool::with_capacity(1);
    let (name, hs) = run(&[d], &mut pool);
    assert_eq!(name, None);
    assert!(hs.done && pool.free_slots() == 0 && pool.exhausted == 0);
    let (name, hs) = run(&[b"\x17\x03\x03 not quic at all".to_vec()], &mut pool);
    assert!(name.is_none() && hs.done);
}

#[test]
fn names_that_would_break_a_log_column_are_dropped() {
    let hello = client_hello(b"two words", 10);
    let d = initial_packet(1, Family::V1, 0, &crypto_frame(0, &hello));
    let mut pool = AssemblyPool::with_capacity(1);
    let (name, hs) = run(&[d], &mut pool);
    assert_eq!(name, None);
    assert!(hs.done);
}

#[test]
fn truncated_and_garbage_datagrams_never_panic() {
    let hello = client_hello(b"www.example.org", 100);
    let d = initial_packet(1, Family::V1, 0, &crypto_frame(0, &hello));
    let mut pool = AssemblyPool::with_capacity(1);
    for cut in 0..d.len() {
        run(&[d[..cut].to_vec()], &mut pool);
    }
    let mut x = 0x1234_5678u32;
    for _ in 0..2000 {
        let mut g = d.clone();
        for _ in 0..8 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let i = x as usize % g.len();
            g[i] = (x >> 8) as u8;
        }
        run(&[g], &mut pool);
    }
    for cut in 0..hello.len() {
        let _ = server_name(&hello[..cut]);
    }
}
