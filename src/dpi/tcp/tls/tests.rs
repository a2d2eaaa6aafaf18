//! Hellos built by hand from RFC 8446 §4.1.2/§4.1.3 and RFC 6066 §3 layouts.

use super::*;

fn u16be(v: usize) -> [u8; 2] {
    (v as u16).to_be_bytes()
}

/// One extension: type, length, body.
fn ext(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut e = kind.to_be_bytes().to_vec();
    e.extend_from_slice(&u16be(body.len()));
    e.extend_from_slice(body);
    e
}

/// server_name with one host_name entry.
fn sni(name: &str) -> Vec<u8> {
    let mut entry = vec![0u8];
    entry.extend_from_slice(&u16be(name.len()));
    entry.extend_from_slice(name.as_bytes());
    let mut body = u16be(entry.len()).to_vec();
    body.extend_from_slice(&entry);
    ext(0x0000, &body)
}

/// A protocol name list (ALPN body, or NPN body without the outer length).
fn names(list: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    for n in list {
        v.push(n.len() as u8);
        v.extend_from_slice(n.as_bytes());
    }
    v
}

fn alpn(list: &[&str]) -> Vec<u8> {
    let l = names(list);
    let mut body = u16be(l.len()).to_vec();
    body.extend_from_slice(&l);
    ext(0x0010, &body)
}

/// A ClientHello Handshake message (type 1, 24-bit length) with a 32-byte session id.
fn client_hello_msg(extensions: &[Vec<u8>], session_id: bool) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&[0xaa; 32]);
    if session_id {
        body.push(32);
        body.extend_from_slice(&[0xbb; 32]);
    } else {
        body.push(0);
    }
    body.extend_from_slice(&[0x00, 0x04, 0x13, 0x01, 0x13, 0x02]);
    body.extend_from_slice(&[0x01, 0x00]);
    let exts: Vec<u8> = extensions.concat();
    body.extend_from_slice(&u16be(exts.len()));
    body.extend_from_slice(&exts);
    let mut msg = vec![0x01, 0, 0, 0];
    msg[1..4].copy_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    msg
}

/// A handshake record (legacy record version 3.1) around `msg`.
fn record(msg: &[u8]) -> Vec<u8> {
    let mut r = vec![0x16, 0x03, 0x01];
    r.extend_from_slice(&u16be(msg.len()));
    r.extend_from_slice(msg);
    r
}

fn curl_like() -> Vec<Vec<u8>> {
    vec![
        sni("www.example.com"),
        ext(0x3374, &[]),
        alpn(&["h2", "http/1.1"]),
        ext(0x002b, &[0x04, 0x03, 0x04, 0x03, 0x03]),
        ext(0x002a, &[]),
        ext(0x0029, &[0x00, 0x00]),
    ]
}

#[test]
fn client_hello_message_without_a_record_header() {
    let msg = client_hello_msg(&curl_like(), true);
    let h = client_hello(&msg);
    assert_eq!(h.legacy_version, Some(0x0303));
    assert_eq!(h.sni, Some(b"www.example.com".as_slice()));
    // Empty NPN (1) + ALPN http/1.1 (32) + h2 (128): curl's 161 in the corpus.
    assert_eq!(h.npnalpn, 161);
    assert_eq!(h.supported_versions.as_deref(), Some("0304,0303"));
    assert!(h.pre_shared_key && h.early_data);
}

#[test]
fn client_hello_record_and_its_checks() {
    let rec = record(&client_hello_msg(&curl_like(), false));
    assert!(is_client_hello_record(&rec));
    assert!(!is_server_hello_record(&rec));
    assert_eq!(
        client_hello_record(&rec).sni,
        Some(b"www.example.com".as_slice())
    );
    let mut wrong = rec.clone();
    wrong[2] = 0x04; // minor version 4 is not TLS
    assert!(!is_client_hello_record(&wrong));
}

#[test]
fn a_hello_cut_by_the_segment_keeps_what_came_before() {
    // SNI first, ALPN after: a segment ending inside ALPN still names the server.
    let rec = record(&client_hello_msg(
        &[sni("a.example.org"), alpn(&["h2"])],
        false,
    ));
    let cut = &rec[..rec.len() - 2];
    let h = client_hello_record(cut);
    assert_eq!(h.sni, Some(b"a.example.org".as_slice()));
    assert_eq!(h.npnalpn, 0);
    // Cut before the extensions: only the version.
    let h = client_hello_record(&rec[..60]);
    assert_eq!((h.legacy_version, h.sni), (Some(0x0303), None));
}

#[test]
fn npn_and_alpn_bits() {
    let spdy = client_hello_msg(&[ext(0x3374, &names(&["spdy/3", "http/1.1"]))], false);
    assert_eq!(
        client_hello(&spdy).npnalpn,
        npnalpn::NPN_SPDY | npnalpn::NPN_HTTP
    );
    let draft = client_hello_msg(&[alpn(&["h2-14"])], false);
    assert_eq!(client_hello(&draft).npnalpn, npnalpn::ALPN_H2);
    let h2c = client_hello_msg(&[alpn(&["h2c"])], false);
    assert_eq!(client_hello(&h2c).npnalpn, 0, "h2c is neither h2 nor h2-");
    // An empty name sets the EMPTY bit alone.
    let empty = client_hello_msg(&[alpn(&["h2", ""])], false);
    assert_eq!(client_hello(&empty).npnalpn, npnalpn::ALPN_EMPTY);
}

#[test]
fn server_names_must_look_like_domains() {
    for ok in ["example.com", "a.b.co", "192.168.115.75", "x.example.com."] {
        assert!(plausible_name(ok.as_bytes()), "{ok}");
    }
    for bad in [
        "localhost",
        "example.c",
        ".com",
        "a.b-c",
        "",
        "host.x1234567890123456789012345",
    ] {
        assert!(!plausible_name(bad.as_bytes()), "{bad}");
    }
    let local = client_hello_msg(&[sni("localhost")], false);
    assert_eq!(client_hello(&local).sni, None);
}

/// A ServerHello record (RFC 8446 §4.1.3) with the given random and extensions.
fn server_hello(random: [u8; 32], extensions: &[Vec<u8>]) -> Vec<u8> {
    let mut body = vec![0x03, 0x03];
    body.extend_from_slice(&random);
    body.push(32);
    body.extend_from_slice(&[0xbb; 32]);
    body.extend_from_slice(&[0x13, 0x01, 0x00]);
    let exts: Vec<u8> = extensions.concat();
    body.extend_from_slice(&u16be(exts.len()));
    body.extend_from_slice(&exts);
    let mut msg = vec![0x02, 0, 0, 0];
    msg[1..4].copy_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&body);
    record(&msg)
}

#[test]
fn server_hello_version_alpn_and_psk() {
    let rec = server_hello(
        [0x11; 32],
        &[
            alpn(&["h2"]),
            ext(0x002b, &[0x03, 0x04]),
            ext(0x0029, &[0, 0]),
        ],
    );
    assert!(is_server_hello_record(&rec));
    let h = server_hello_record(&rec, rec.len());
    assert_eq!(h.legacy_version, Some(0x0303));
    assert_eq!(h.selected_version, Some(0x0304));
    assert_eq!(h.npnalpn, npnalpn::ALPN_H2);
    assert!(h.pre_shared_key && !h.hello_retry);
    assert_eq!(version_text(0x0304).as_str(), "0304");
}

#[test]
fn hello_retry_request_is_flagged() {
    let rec = server_hello(HELLO_RETRY_RANDOM, &[ext(0x002b, &[0x03, 0x04])]);
    assert!(server_hello_record(&rec, rec.len()).hello_retry);
}

#[test]
fn certificate_common_name() {
    // ... SEQUENCE { OID 2.5.4.3, UTF8String "*.zoom.us" } ...
    let mut seg = vec![0x16, 0x03, 0x03, 0x10, 0x00, 0x0b];
    seg.extend_from_slice(&[0x30; 20]);
    seg.extend_from_slice(&[0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 9]);
    seg.extend_from_slice(b"*.zoom.us");
    seg.extend_from_slice(&[0x30; 10]);
    assert!(is_certificate_record(&seg));
    assert_eq!(certificate_name(&seg), Some(b"*.zoom.us".as_slice()));
    // A name that is not a domain is skipped; the next acceptable one wins.
    let mut two = seg[..26].to_vec();
    two.extend_from_slice(&[0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 7]);
    two.extend_from_slice(b"Some CA");
    two.extend_from_slice(&seg[26..]);
    assert_eq!(certificate_name(&two), Some(b"*.zoom.us".as_slice()));
    assert_eq!(
        certificate_name(&seg[..29]),
        None,
        "under 30 bytes: not searched"
    );
}

#[test]
fn sslv2_client_hello() {
    // 2-byte header with the high bit, then MSG-CLIENT-HELLO (1) and version 3.1.
    let mut v2 = vec![0x80, 0x2e, 0x01, 0x03, 0x01];
    v2.resize(0x2e + 2, 0);
    assert!(is_sslv2_client_hello(&v2, v2.len()));
    assert!(!is_sslv2_client_hello(&v2, v2.len() + 1));
}

#[test]
fn garbage_and_truncations_never_panic() {
    let full = record(&client_hello_msg(&curl_like(), true));
    let server = server_hello(
        HELLO_RETRY_RANDOM,
        &[alpn(&["h2"]), ext(0x3374, &[2, b'h'])],
    );
    let mut seed = 0x2545_f491_u32;
    let mut noise = vec![0u8; 600];
    for b in noise.iter_mut() {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        *b = seed as u8;
    }
    for input in [&full[..], &server[..], &noise[..]] {
        for end in 0..input.len() {
            let p = &input[..end];
            let _ = client_hello(p);
            let _ = client_hello_record(p);
            let _ = server_hello_record(p, input.len());
            let _ = certificate_name(p);
            let _ = is_sslv2_client_hello(p, end);
        }
        // Every byte flipped in turn, with the record header kept plausible.
        for i in 5..input.len() {
            let mut m = input.to_vec();
            m[i] ^= 0xff;
            let _ = client_hello_record(&m);
            let _ = server_hello_record(&m, m.len());
        }
    }
}
