//! Hand-written segments for each rule of docs/semantics/http-log.md; the expected rows are
//! worked out from the spec, column by column (request rows without the engine's fqdn).

use super::*;
use crate::engine::flow::Endpoint;

const CLIENT: bool = true;
const SERVER: bool = false;

fn connection() -> Connection {
    let ep = |a: &str, port| Endpoint {
        addr: a.parse().unwrap(),
        port,
    };
    Connection {
        client: ep("10.0.0.1", 40000),
        server: ep("192.0.2.80", 80),
        dns: None,
    }
}

/// Columns 6-13 TAB-joined (request rows without fqdn), marks included.
fn render(m: &HttpMessage<'_>) -> String {
    let (head, fields): (&[u8], &[Text<'_>]) = match m {
        HttpMessage::Request { method, fields } => (method, fields),
        HttpMessage::Response { status, fields } => (status, fields),
    };
    let mut out = String::from_utf8_lossy(head).into_owned();
    for t in fields {
        out.push('\t');
        if t.lead {
            out.push_str("[*]");
        }
        out.push_str(&String::from_utf8_lossy(t.value));
        if t.trail {
            out.push_str("[*]");
        }
    }
    out
}

/// Feeds segments of one or more flows through one plugin, as the engine would.
struct Run {
    log: HttpLog,
    flows: Vec<HttpFlow>,
}

impl Run {
    fn new(full_url: u32) -> Run {
        Run {
            log: HttpLog::new(true, full_url),
            flows: vec![HttpFlow::default(); 2],
        }
    }

    /// One segment of flow `f`; the row it produced, if any.
    fn seg(&mut self, f: usize, client: bool, payload: &[u8]) -> Option<String> {
        self.log.packet(
            &mut self.flows[f],
            connection(),
            client,
            payload,
            payload.len() as u64,
        );
        let row = self.log.take_pending()?;
        assert_eq!(row.connection, connection());
        Some(render(&self.log.message(&row.pending, payload)))
    }
}

/// The row of a single segment at a privacy level.
fn one(full_url: u32, client: bool, payload: &[u8]) -> Option<String> {
    Run::new(full_url).seg(0, client, payload)
}

const GET: &[u8] = b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\n\
User-Agent: curl/7.68.0\r\nReferer: http://a.example/page?id=3\r\nCookie: sid=42\r\nDNT: 1\r\n\r\n";

#[test]
fn request_row_at_each_privacy_level() {
    assert_eq!(
        one(2, CLIENT, GET).unwrap(),
        "GET\texample.com\t/index.html?q=1\thttp://a.example/page?id=3\tcurl/7.68.0\tsid=42\t1"
    );
    assert_eq!(
        one(1, CLIENT, GET).unwrap(),
        "GET\texample.com\t/index.html\thttp://a.example/page\tcurl/7.68.0\t-\t1"
    );
    assert_eq!(
        one(0, CLIENT, GET).unwrap(),
        "GET\texample.com\t-\thttp://a.example/\tcurl/7.68.0\t-\t1"
    );
}

#[test]
fn counters_need_the_right_direction_and_five_bytes() {
    let mut run = Run::new(2);
    run.seg(0, CLIENT, GET);
    run.seg(0, SERVER, GET); // a request keyword from the server
    run.seg(0, CLIENT, b"HTTP/1.1 200 OK\r\n\r\n"); // a response keyword from the client
    run.seg(0, CLIENT, b"GET "); // four bytes only
    run.seg(0, CLIENT, b"GET /");
    run.seg(0, SERVER, b"HTTP/1.0 404 Not Found\r\n\r\n");
    run.seg(0, SERVER, b"HTTPX"); // no check of the '/'
    assert_eq!((run.flows[0].requests, run.flows[0].responses), (2, 2));
}

#[test]
fn long_methods_are_verified() {
    let mut run = Run::new(2);
    assert_eq!(
        run.seg(0, CLIENT, b"OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n")
            .unwrap(),
        "OPTIONS\t-\t*\t-\t-\t-\t-"
    );
    assert!(run.seg(0, CLIENT, b"DELETE /x HTTP/1.1\r\n\r\n").is_some());
    assert!(run.seg(0, CLIENT, b"PATCH /x HTTP/1.1\r\n\r\n").is_some());
    assert_eq!(run.flows[0].requests, 3);
    // Not the whole method: neither counted nor a continuation, though a request is pending.
    assert_eq!(
        run.seg(0, CLIENT, b"OPTIx / HTTP/1.1\r\nHost: h\r\n\r\n"),
        None
    );
    assert_eq!(run.seg(0, CLIENT, b"DELETEx /\r\nHost: h\r\n"), None);
    assert_eq!(run.flows[0].requests, 3);
    // CONNECT and lowercase methods start no request: a continuation row.
    assert_eq!(
        run.seg(0, CLIENT, b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n")
            .unwrap(),
        "REQ2\th:443\t-\t-\t-\t-\t-"
    );
    assert_eq!(run.flows[0].requests, 3);
}

#[test]
fn request_line_variants() {
    // No space after the letters: method and path '-', the headers still count.
    assert_eq!(
        one(2, CLIENT, b"POST/ HTTP/1.1\r\nHost: h.example\r\n\r\n").unwrap(),
        "-\th.example\t-\t-\t-\t-\t-"
    );
    // The version is not checked; a target without a following space is the long form.
    assert_eq!(
        one(2, CLIENT, b"GET / HTTP/1.\r\n\r\n").unwrap(),
        "GET\t-\t/\t-\t-\t-\t-"
    );
    assert_eq!(
        one(2, CLIENT, b"OPTIONS HTTP/1.1\r\n\r\n").unwrap(),
        "OPTIONS\t-\tHTTP/1.1\t-\t-\t-\t-"
    );
    // A keyword with nothing recognisable after it writes no row.
    assert_eq!(one(2, CLIENT, b"HEAD\r\n\r\nxyz"), None);
}

#[test]
fn method_is_cut_to_nine_bytes_and_host_to_199() {
    assert_eq!(
        one(2, CLIENT, b"POSTPONEMENT /x HTTP/1.1\r\n\r\n").unwrap(),
        "POSTPONEM\t-\t/x\t-\t-\t-\t-"
    );
    let long_host = "h".repeat(300);
    let req = format!("PUT /u HTTP/1.1\r\nHost: {long_host}\r\n\r\n");
    let mut run = Run::new(2);
    let row = run.seg(0, CLIENT, req.as_bytes()).unwrap();
    assert_eq!(row, format!("PUT\t{}\t/u\t-\t-\t-\t-", &long_host[..199]));
    assert_eq!(run.flows[0].hostname().unwrap().len(), 199);
}

#[test]
fn headers_match_inside_longer_names_and_anywhere_in_the_segment() {
    let req = b"GET / HTTP/1.1\r\nX-Forwarded-Host: proxy.example\r\nHost: real.example\r\n\r\n";
    let mut run = Run::new(2);
    assert_eq!(
        run.seg(0, CLIENT, req).unwrap(),
        "GET\tproxy.example\t/\t-\t-\t-\t-"
    );
    assert_eq!(run.flows[0].hostname(), Some(&b"proxy.example"[..]));
    // Case-sensitive, one space after the colon, non-empty value.
    assert_eq!(
        one(
            2,
            CLIENT,
            b"GET / HTTP/1.1\r\nhost: a\r\nHost:b\r\nHost: \r\n\r\n"
        )
        .unwrap(),
        "GET\t-\t/\t-\t-\t-\t-"
    );
    // An empty value is skipped for a later one, as a regex search does.
    assert_eq!(
        one(2, CLIENT, b"GET / HTTP/1.1\r\nHost: \r\nHost: b\r\n\r\n").unwrap(),
        "GET\tb\t/\t-\t-\t-\t-"
    );
    let res = b"HTTP/1.1 301 Moved\r\nX-Server: front\r\nServer: nginx\r\n\
Content-Location: /a\r\nLocation: /b\r\n\r\n";
    assert_eq!(
        one(2, SERVER, res).unwrap(),
        "HTTP\t301\t-\t-\tfront\t-\t/a\t-"
    );
}

#[test]
fn headers_of_a_request_are_searched_after_the_target() {
    // "Host: " inside the target is not taken when a space follows the target.
    let req = b"GET /?Host: inpath HTTP/1.1\r\n\r\n";
    assert_eq!(
        one(2, CLIENT, req),
        Some("GET\t-\t/?Host:\t-\t-\t-\t-".into())
    );
}

#[test]
fn nul_ends_what_the_expressions_see() {
    let mut run = Run::new(2);
    let req = b"GET /a HTTP/1.1\r\n\0Host: hidden\r\n\r\n";
    assert_eq!(run.seg(0, CLIENT, req).unwrap(), "GET\t-\t/a\t-\t-\t-\t-");
    assert_eq!(run.flows[0].requests, 1);
    assert_eq!(run.flows[0].hostname(), None);
}

#[test]
fn response_rows() {
    let res = b"HTTP/1.1 200 OK\r\nDate: x\r\nServer: Apache/2.2.22 (Ubuntu)\r\n\
Content-Length: 612\r\nContent-Range: bytes 0-611/612\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<html>";
    assert_eq!(
        one(2, SERVER, res).unwrap(),
        "HTTP\t200\t612\ttext/html; charset=UTF-8\tApache/2.2.22 (Ubuntu)\tbytes 0-611/612\t-\t-"
    );
    // The code is bytes 9-11 up to a non-digit, only from 14 bytes on.
    assert_eq!(
        one(2, SERVER, b"HTTP/1.1 30x Moved\r\n").unwrap(),
        "HTTP\t30\t-\t-\t-\t-\t-\t-"
    );
    assert_eq!(one(2, SERVER, b"HTTP/1.1 200"), None);
    assert_eq!(one(2, SERVER, b"HTTP/1.1 abc OK\r\n"), None);
    // Byte 4 not '/': counted, no row.
    let mut run = Run::new(2);
    assert_eq!(run.seg(0, SERVER, b"HTTP 200 OK\r\nServer: x\r\n"), None);
    assert_eq!(run.flows[0].responses, 1);
}

#[test]
fn set_cookie_and_location_per_privacy_level() {
    let res = b"HTTP/1.1 302 Found\r\nSet-Cookie: a=b; path=/\r\nSet-Cookie: c=d\r\n\
Location: https://x.example/z?q=1\r\n\r\n";
    assert_eq!(
        one(2, SERVER, res).unwrap(),
        "HTTP\t302\t-\t-\t-\t-\thttps://x.example/z?q=1\ta=b; path=/"
    );
    assert_eq!(
        one(1, SERVER, res).unwrap(),
        "HTTP\t302\t-\t-\t-\t-\thttps://x.example/z\t-"
    );
    assert_eq!(
        one(0, SERVER, res).unwrap(),
        "HTTP\t302\t-\t-\t-\t-\thttps://x.example/\t-"
    );
    // Level 0 keeps scheme and host only of an absolute URL.
    let rel = b"HTTP/1.1 302 Found\r\nLocation: /local\r\n\r\n";
    assert_eq!(one(0, SERVER, rel).unwrap(), "HTTP\t302\t-\t-\t-\t-\t-\t-");
}

#[test]
fn cut_path_continues_in_a_req2_row() {
    let mut run = Run::new(2);
    assert_eq!(
        run.seg(0, CLIENT, b"GET /very/long/path").unwrap(),
        "GET\t-\t/very/long/path[*]\t-\t-\t-\t-"
    );
    assert_eq!(
        run.seg(0, CLIENT, b"/rest?x=1  HTTP/1.1\r\nHost: h\r\n\r\n")
            .unwrap(),
        "REQ2\th\t[*]/rest?x=1\t-\t-\t-\t-"
    );
    assert_eq!(run.flows[0].hostname(), Some(&b"h"[..]));
    // One continuation per request.
    assert_eq!(run.seg(0, CLIENT, b"Host: again\r\n"), None);
}

#[test]
fn cut_path_is_not_followed_below_level_2() {
    let mut run = Run::new(1);
    assert_eq!(
        run.seg(0, CLIENT, b"GET /long?secret").unwrap(),
        "GET\t-\t/long\t-\t-\t-\t-"
    );
    assert_eq!(run.seg(0, CLIENT, b"/rest HTTP/1.1\r\n\r\n"), None);
}

#[test]
fn a_value_before_a_lone_cr_counts_as_cut() {
    let mut run = Run::new(2);
    assert_eq!(
        run.seg(0, CLIENT, b"GET / HTTP/1.1\r\nUser-Agent: Foo Bar\r")
            .unwrap(),
        "GET\t-\t/\t-\tFoo Bar[*]\t-\t-"
    );
    assert_eq!(
        run.seg(0, CLIENT, b"baz/1.0\r\nDNT: 1\r\n\r\n").unwrap(),
        "REQ2\t-\t-\t-\t[*]baz/1.0\t-\t1"
    );
}

#[test]
fn continuation_filling_the_whole_segment_is_marked_on_both_sides() {
    let mut run = Run::new(2);
    run.seg(0, CLIENT, b"GET / HTTP/1.1\r\nCookie: a=1; b=");
    assert_eq!(
        run.seg(0, CLIENT, b"2; c=3").unwrap(),
        "REQ2\t-\t-\t-\t-\t[*]2; c=3[*]\t-"
    );
}

#[test]
fn unmatched_continuation_prints_the_shared_buffer() {
    // Flow 0 leaves its User-Agent open; flow 1's request refills the shared buffer; flow 0's
    // next segment starts with CRLF, so the open field prints flow 1's value (§4.3).
    let mut run = Run::new(2);
    run.seg(0, CLIENT, b"GET / HTTP/1.1\r\nUser-Agent: cut-here");
    run.seg(1, CLIENT, b"GET /y HTTP/1.1\r\nUser-Agent: other\r\n\r\n");
    assert_eq!(
        run.seg(0, CLIENT, b"\r\nDNT: 1\r\n\r\n").unwrap(),
        "REQ2\t-\t-\t-\tother\t-\t1"
    );
}

#[test]
fn any_later_client_segment_can_log_a_req2_row() {
    // A POST body mentioning a header is enough (§4.1), once.
    let mut run = Run::new(2);
    run.seg(0, CLIENT, b"POST /form HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(
        run.seg(0, CLIENT, b"field=1&note=User-Agent: me").unwrap(),
        "REQ2\t-\t-\t-\tme[*]\t-\t-"
    );
    // A body without any header writes nothing.
    run.seg(0, CLIENT, b"POST /form HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(run.seg(0, CLIENT, b"field=1&x=2"), None);
}

#[test]
fn cut_location_continues_in_a_res2_row() {
    let mut run = Run::new(2);
    assert_eq!(
        run.seg(
            0,
            SERVER,
            b"HTTP/1.1 302 Found\r\nLocation: http://example.com/very"
        )
        .unwrap(),
        "HTTP\t302\t-\t-\t-\t-\thttp://example.com/very[*]\t-"
    );
    assert_eq!(
        run.seg(0, SERVER, b"/long\r\nServer: s\r\n\r\n").unwrap(),
        "RES2\t-\t-\t-\ts\t-\t[*]/long\t-"
    );
}

#[test]
fn cut_set_cookie_continues_in_a_res2_row() {
    let mut run = Run::new(2);
    run.seg(0, SERVER, b"HTTP/1.1 200 OK\r\nSet-Cookie: id=abc");
    assert_eq!(
        run.seg(0, SERVER, b"def; path=/\r\n\r\n").unwrap(),
        "RES2\t-\t-\t-\t-\t-\t-\t[*]def; path=/"
    );
}

#[test]
fn body_after_headers_gives_res2_only_when_it_holds_a_header() {
    let mut run = Run::new(2);
    assert!(run
        .seg(0, SERVER, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
        .is_some());
    assert_eq!(
        run.seg(0, SERVER, b"<p>Content-Type: text/plain</p>")
            .unwrap(),
        "RES2\t-\t-\ttext/plain</p>\t-\t-\t-\t-"
    );
    // Only the first server segment after a response.
    assert_eq!(run.seg(0, SERVER, b"Server: x\r\n"), None);
}

#[test]
fn without_the_log_only_counters_and_hostname() {
    let mut log = HttpLog::new(false, 2);
    let mut flow = HttpFlow::default();
    log.packet(&mut flow, connection(), CLIENT, GET, GET.len() as u64);
    assert_eq!(log.take_pending(), None);
    assert_eq!(flow.requests, u32::from(COUNTS));
    if COUNTS {
        assert_eq!(flow.hostname(), Some(&b"example.com"[..]));
    }
}

#[test]
fn declared_length_zero_is_ignored() {
    let mut log = HttpLog::new(true, 2);
    let mut flow = HttpFlow::default();
    log.packet(&mut flow, connection(), CLIENT, GET, 0);
    assert_eq!(flow.requests, 0);
    assert_eq!(log.take_pending(), None);
}

#[test]
fn tcp_payload_skips_the_header_and_its_options() {
    let mut seg = vec![0u8; 24];
    seg[12] = 6 << 4; // 24-byte header
    seg.extend_from_slice(b"GET /");
    assert_eq!(tcp_payload(&seg), b"GET /");
    seg[12] = 15 << 4; // longer than captured
    assert_eq!(tcp_payload(&seg), b"");
    seg[12] = 4 << 4; // below the minimum
    assert_eq!(tcp_payload(&seg), b"");
    assert_eq!(tcp_payload(&[]), b"");
}

/// A small deterministic generator (xorshift64*), so the test needs no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn garbage_and_truncated_segments_never_panic() {
    let samples: [&[u8]; 6] = [
        GET,
        b"HTTP/1.1 302 Found\r\nSet-Cookie: a=b\r\nLocation: http://x/y?z\r\nServer: s\r\n",
        b"GET /very/long/path",
        b"OPTIONS rtsp://h/a RTSP/1.0\r\nUser-Agent: u\r\n",
        b"PATCH /p HTTP/1.1\r\nReferer: https://r/\r\nContent-Range: x\r\nDNT: 0",
        b"\r\n\0\x7f\xff Host: \xfe\r\n",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet: &[u8] = b"GETPOSHADUCLIHTP/ :\r\n\0\t?x";
    for full_url in 0..=3 {
        let mut run = Run::new(full_url);
        for s in samples {
            for cut in 0..=s.len() {
                for client in [CLIENT, SERVER] {
                    run.seg(0, client, &s[..cut]);
                    run.seg(1, client, &s[cut..]);
                }
            }
        }
        for _ in 0..3000 {
            let len = (rng.next() % 64) as usize;
            let buf: Vec<u8> = (0..len)
                .map(|_| {
                    let r = rng.next();
                    if r % 3 == 0 {
                        r as u8
                    } else {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    }
                })
                .collect();
            let f = (rng.next() % 2) as usize;
            run.seg(f, rng.next() % 2 == 0, &buf);
        }
    }
}
