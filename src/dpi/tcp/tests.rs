//! The state machine and the plugin order on hand-made connections.

use super::l7::State;
use super::*;
use crate::engine::flow::Dir::{C2S, S2C};

/// Feeds segments to one connection as the engine would.
struct Conn {
    c: Classification,
    pool: TlsPool,
    packets: u64,
    next: [u32; 2],
}

impl Conn {
    fn new() -> Conn {
        Conn {
            c: Classification::default(),
            pool: TlsPool::with_capacity(4),
            packets: 2, // the SYN and SYN+ACK
            next: [1, 1],
        }
    }

    fn send(&mut self, dir: Dir, payload: &[u8]) {
        self.send_captured(dir, payload, payload.len());
    }

    /// A segment of `len` bytes of which `payload` was captured.
    fn send_captured(&mut self, dir: Dir, payload: &[u8], len: usize) {
        let offset = self.next[dir as usize];
        self.next[dir as usize] += len as u32;
        self.send_full(dir, payload, len, offset);
    }

    /// A segment at relative sequence number `seq` (out of order, a retransmission).
    fn send_at(&mut self, dir: Dir, payload: &[u8], seq: u32) {
        self.send_full(dir, payload, payload.len(), seq);
    }

    fn send_full(&mut self, dir: Dir, payload: &[u8], len: usize, seq: u32) {
        self.packets += 1;
        let side = dir as usize;
        let offset = self.next[side].wrapping_sub(len as u32);
        let seg = Segment {
            dir,
            payload,
            payload_len: len,
            ack: true,
            psh: true,
            fin: false,
            now: Timestamp(self.packets as i64 * 1_000_000),
            packets: self.packets,
            offset_from_isn: offset,
            sent_before: offset as u64,
            seq_from_isn: seq,
            messages: [Messages::default(); 2],
        };
        segment(&mut self.c, &seg, &mut self.pool, &TcpDpiConfig::default());
    }

    fn tls(&self) -> &TlsRecord {
        self.c.tls_record(&self.pool).expect("a TLS record")
    }
}

#[test]
fn http_request_and_reply() {
    let mut k = Conn::new();
    k.send(
        C2S,
        b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n",
    );
    assert_eq!(k.c.l7.state, State::HttpCommand);
    k.send(S2C, b"HTTP/1.1 206 Partial Content\r\n\r\n");
    assert_eq!(k.c.con_type, con::HTTP);
    assert_eq!(k.c.http_response.as_slice(), b"206");
    assert_eq!(k.c.http_type(), 1);
    // A later POST to a known site refines the class.
    k.send(C2S, b"POST /ajax/chat/send.php HTTP/1.1\r\n\r\n");
    assert_eq!(k.c.http_type(), 11);
}

#[test]
fn http_status_code_is_sanity_checked() {
    let mut k = Conn::new();
    k.send(C2S, b"HEAD / HTTP/1.0\r\n\r\n");
    k.send(S2C, b"HTTP/1.0 0 OK\r\n\r\n");
    assert_eq!(k.c.http_response.as_slice(), b"0");
    let mut short = Conn::new();
    short.send(C2S, b"PUT /x HTTP/1.0\r\n\r\n");
    short.send(S2C, b"HTTP/1.0 200");
    assert_eq!(short.c.http_response.as_slice(), b"000", "under 14 bytes");
}

#[test]
fn options_then_rtsp_reply_is_nothing() {
    let mut k = Conn::new();
    k.send(C2S, b"OPTIONS rtsp://example.com/ RTSP/1.0\r\n\r\n");
    k.send(S2C, b"RTSP/1.0 200 OK\r\n\r\n");
    assert_eq!(k.c.con_type, 0);
    let mut d = Conn::new();
    d.send(C2S, b"DESCRIBE rtsp://example.com/ RTSP/1.0\r\n\r\n");
    d.send(S2C, b"RTSP/1.0 200 OK\r\n\r\n");
    assert_eq!(d.c.con_type, con::RTSP);
}

#[test]
fn mail_and_ssh_dialogues() {
    let mut smtp = Conn::new();
    smtp.send(S2C, b"220 mail.example.com ESMTP\r\n");
    smtp.send(C2S, b"EHLO client.example.com\r\n");
    assert_eq!(smtp.c.con_type, con::SMTP);
    let mut pop = Conn::new();
    pop.send(S2C, b"+OK POP3 ready\r\n");
    pop.send(C2S, b"USER alice\r\n");
    assert_eq!(pop.c.con_type, con::POP3);
    let mut imap = Conn::new();
    imap.send(S2C, b"* OK IMAP4rev1 ready\r\n");
    imap.send(C2S, b"a001 LOGIN alice secret\r\n");
    imap.send(S2C, b"a001 OK LOGIN completed\r\n");
    assert_eq!(imap.c.con_type, con::IMAP);
    let mut ssh = Conn::new();
    ssh.send(S2C, b"SSH-2.0-OpenSSH_9.6\r\n");
    ssh.send(C2S, b"SSH-2.0-OpenSSH_9.6\r\n");
    assert_eq!(ssh.c.con_type, con::SSH);
    assert_eq!(ssh.c.l7.state, State::Ignore);
}

/// A minimal TLS 1.2 ClientHello record with a server name (RFC 8446 §4.1.2, RFC 6066 §3).
fn client_hello(name: &str) -> Vec<u8> {
    let mut sni = vec![0x00, 0x00, 0, 0, 0, 0, 0x00, 0, 0];
    let n = name.len();
    sni[2..4].copy_from_slice(&((n + 5) as u16).to_be_bytes());
    sni[4..6].copy_from_slice(&((n + 3) as u16).to_be_bytes());
    sni[7..9].copy_from_slice(&(n as u16).to_be_bytes());
    sni.extend_from_slice(name.as_bytes());
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&[7; 32]);
    body.extend_from_slice(&[0, 0, 2, 0x13, 0x01, 1, 0]);
    body.extend_from_slice(&(sni.len() as u16).to_be_bytes());
    body.extend_from_slice(&sni);
    let mut msg = vec![0x01, 0];
    msg.extend_from_slice(&(body.len() as u16).to_be_bytes());
    msg.extend_from_slice(&body);
    let mut rec = vec![0x16, 0x03, 0x01];
    rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
    rec.extend_from_slice(&msg);
    rec
}

/// A ServerHello record without extensions, then a certificate name in the same segment.
fn server_hello_and_certificate() -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&[9; 32]);
    body.extend_from_slice(&[0, 0x13, 0x01, 0, 0, 0]);
    let mut rec = vec![0x16, 0x03, 0x03, 0, 0, 0x02, 0];
    rec[3..5].copy_from_slice(&((body.len() + 4) as u16).to_be_bytes());
    rec.extend_from_slice(&(body.len() as u16).to_be_bytes());
    rec.extend_from_slice(&body);
    rec.extend_from_slice(&[0x16, 0x03, 0x03, 0x00, 0x40, 0x0b]);
    rec.extend_from_slice(&[0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 11]);
    rec.extend_from_slice(b"example.org");
    rec
}

#[test]
fn tls_handshake_names_times_and_bytes() {
    let mut k = Conn::new();
    k.send(C2S, &client_hello("www.example.org"));
    assert_eq!(k.c.l7.state, State::SslHandshake);
    k.send(S2C, &server_hello_and_certificate());
    assert_eq!(k.c.con_type, con::SSL);
    assert_eq!(k.tls().sni.as_slice(), b"www.example.org");
    assert_eq!(k.tls().scn.as_slice(), b"example.org");
    assert_eq!(k.tls().client_version.as_deref(), Some("0303"));
    assert_eq!(k.tls().server_version.as_deref(), Some("0303"));
    k.send(C2S, &[0x17, 0x03, 0x03, 0x00, 0x20, 0xaa, 0xbb]);
    let client_bytes = k.tls().client_data.unwrap().1;
    assert_eq!(
        client_bytes,
        1 + client_hello("www.example.org").len() as u64
    );
    k.send(S2C, &[0x17, 0x03, 0x03, 0x00, 0x20, 0xaa, 0xbb]);
    assert_eq!(k.c.l7.state, State::Ignore);
    // Handshake ends: the last segments examined before each side's application data.
    assert_eq!(k.tls().client_before_data, Some(Timestamp(3_000_000)));
    assert_eq!(k.tls().server_before_data, Some(Timestamp(4_000_000)));
}

#[test]
fn a_client_hello_split_over_segments_is_gathered_whole() {
    // Tstat reads only the first segment and finds no name; we gather the record (hello.rs).
    let hello = client_hello("split.example.org");
    let mut k = Conn::new();
    k.send(C2S, &hello[..50]);
    assert!(k.tls().sni.is_empty(), "not whole yet");
    assert!(k.c.l7.hello.is_some());
    k.send(C2S, &hello[50..]);
    assert_eq!(k.c.l7.state, State::SslHandshake);
    assert_eq!(k.tls().sni.as_slice(), b"split.example.org");
    assert!(k.c.l7.hello.is_none(), "the buffer went back");
    assert_eq!(k.pool.hellos.cut, 0);
}

#[test]
fn a_split_client_hello_arriving_out_of_order() {
    let hello = client_hello("late.example.org");
    let mut k = Conn::new();
    k.send(C2S, &hello[..40]);
    // The third piece overtakes the second: both are placed by sequence number.
    let (second, third) = hello[40..].split_at(20);
    let third_seq = 1 + 40 + 20;
    k.send_at(C2S, third, third_seq);
    assert!(k.tls().sni.is_empty());
    k.send_at(C2S, second, 1 + 40);
    assert_eq!(k.tls().sni.as_slice(), b"late.example.org");
}

#[test]
fn a_hello_that_fits_its_segment_takes_no_buffer() {
    let mut k = Conn::new();
    k.send(C2S, &client_hello("whole.example.org"));
    assert!(k.c.l7.hello.is_none());
    assert_eq!(k.tls().sni.as_slice(), b"whole.example.org");
    let cut = client_hello("cut.example.org");
    let mut snap = Conn::new();
    // Captured short of its IP length (snaplen): never gathered.
    snap.send_captured(C2S, &cut[..40], cut.len());
    assert!(snap.c.l7.hello.is_none());
}

#[test]
fn handshake_state_falls_back_after_ten_packets() {
    let mut k = Conn::new();
    k.send(C2S, &client_hello("a.example.org"));
    for _ in 0..8 {
        k.send(S2C, b"not a server hello");
    }
    assert_eq!(k.c.l7.state, State::Unknown);
}

#[test]
fn edonkey_counts_and_p2p_type() {
    let mut hello = vec![0xe3, 119, 0, 0, 0, 0x01];
    hello.resize(124, 0x41);
    let mut answer = vec![0xe3, 127, 0, 0, 0, 0x4c];
    answer.resize(132, 0x42);
    let mut k = Conn::new();
    k.send(C2S, &hello);
    k.send(S2C, &answer);
    assert_eq!((k.c.p2p_protocol(), k.c.p2p_subtype()), (1, 9));
    assert_eq!(k.c.con_type, con::P2P);
    assert_eq!((k.c.ed2k.signalling, k.c.ed2k.client_to_client), (2, 1));
}

#[test]
fn unknown_connections_are_dropped_after_forty_packets() {
    let mut k = Conn::new();
    for _ in 0..40 {
        k.send(C2S, b"hello there, nothing to see");
    }
    assert_eq!(k.c.l7.state, State::Ignore);
    // IPP2P looks until the 50th packet.
    assert!(!k.c.l7.p2p_done);
    for _ in 0..9 {
        k.send(S2C, b"still nothing");
    }
    assert!(k.c.l7.p2p_done);
}

#[test]
fn rtmp_and_obfuscation_side_checks() {
    let mut k = Conn::new();
    k.send(C2S, &[0x03; 1537]);
    k.send(S2C, &[0x03; 1537]);
    assert_eq!(k.c.con_type & con::RTMP, con::RTMP);
    let mut o = Conn::new();
    o.send(C2S, &[0x55; 11]);
    o.send(S2C, &[0x66; 55]);
    assert_eq!(o.c.con_type, con::OBF);
}

#[test]
fn garbage_segments_never_panic() {
    let mut seed = 0x9e37_79b9_u32;
    let mut k = Conn::new();
    for round in 0..400 {
        let len = (round * 7) % 90;
        let mut p = vec![0u8; len];
        for b in p.iter_mut() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            *b = seed as u8;
        }
        // Keep some rounds on the interesting paths.
        match round % 5 {
            0 if len > 6 => p[..6].copy_from_slice(&[0x16, 0x03, 0x01, 0x00, 0x30, 0x01]),
            1 if len > 6 => p[..6].copy_from_slice(&[0x16, 0x03, 0x03, 0x00, 0x30, 0x02]),
            2 if len > 4 => p[..4].copy_from_slice(b"1QTV"),
            _ => {}
        }
        if round % 50 == 0 {
            k = Conn::new();
        }
        k.send(if round % 2 == 0 { C2S } else { S2C }, &p);
    }
}

#[path = "tests/chat.rs"]
mod chat;
