//! log_http_complete rows (docs/semantics/http-log.md §2–§4): 13 TAB-separated columns, the
//! values raw as found in the packet (they never hold TAB, CR or LF), `-` for a value not
//! found, `[*]` before a value continued from the previous segment and after one cut at the
//! end of its segment.

use std::io::Write;
use std::net::IpAddr;

use super::text::Line;
use super::{HttpMessage, HttpPacket, Text};
use crate::dpi::http::MARK;
use crate::time::NANOS_PER_SEC;

/// Write the row of `p` into `line` (cleared first), ending with a newline. The addresses are
/// anonymised as `-Y` says; the names never are, even with `--enc` (as in Tstat).
pub fn row(line: &mut Line, p: &HttpPacket<'_>) {
    line.clear();
    let (client, _) = line.shown(&p.client.addr);
    let (server, _) = line.shown(&p.server.addr);
    let buf = &mut line.buf;
    addr(buf, &client);
    let _ = write!(buf, "\t{}\t", p.client.port);
    addr(buf, &server);
    // Seconds and microseconds (Tstat prints the packet time with %f of seconds).
    let micros = p.ts.0.rem_euclid(NANOS_PER_SEC) / 1000;
    let _ = write!(buf, "\t{}\t{}.{micros:06}", p.server.port, p.ts.secs());
    match &p.message {
        HttpMessage::Request { method, fields } => {
            field(buf, method);
            let [host, rest @ ..] = fields;
            text(buf, host);
            field(buf, p.fqdn.unwrap_or(b"-"));
            for t in rest {
                text(buf, t);
            }
        }
        HttpMessage::Response { status, fields } => {
            field(buf, status);
            for t in fields {
                text(buf, t);
            }
        }
    }
    buf.push(b'\n');
}

fn addr(buf: &mut Vec<u8>, a: &IpAddr) {
    let _ = write!(buf, "{a}");
}

fn field(buf: &mut Vec<u8>, value: &[u8]) {
    buf.push(b'\t');
    buf.extend_from_slice(value);
}

fn text(buf: &mut Vec<u8>, t: &Text<'_>) {
    buf.push(b'\t');
    if t.lead {
        buf.extend_from_slice(MARK);
    }
    buf.extend_from_slice(t.value);
    if t.trail {
        buf.extend_from_slice(MARK);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::flow::Endpoint;
    use crate::time::Timestamp;

    fn plain(value: &[u8]) -> Text<'_> {
        Text {
            lead: false,
            value,
            trail: false,
        }
    }

    fn packet(message: HttpMessage<'_>) -> HttpPacket<'_> {
        HttpPacket {
            ts: Timestamp::from_secs_micros(1_367_526_036, 633_914),
            client: Endpoint {
                addr: "192.168.1.2".parse().unwrap(),
                port: 51000,
            },
            server: Endpoint {
                addr: "2001:db8::1".parse().unwrap(),
                port: 80,
            },
            fqdn: Some(b"www.example.com"),
            message,
        }
    }

    #[test]
    fn request_row_puts_fqdn_after_host_and_marks_around_values() {
        let cut = Text {
            lead: false,
            value: b"/very/long",
            trail: true,
        };
        let continued = Text {
            lead: true,
            value: b"Mozilla/5.0 (X11)",
            trail: false,
        };
        let p = packet(HttpMessage::Request {
            method: b"GET",
            fields: [
                plain(b"example.com"),
                cut,
                plain(b"-"),
                continued,
                plain(b"-"),
                plain(b"1"),
            ],
        });
        let mut line = Line::default();
        row(&mut line, &p);
        assert_eq!(
            String::from_utf8(line.buf).unwrap(),
            "192.168.1.2\t51000\t2001:db8::1\t80\t1367526036.633914\tGET\texample.com\t\
             www.example.com\t/very/long[*]\t-\t[*]Mozilla/5.0 (X11)\t-\t1\n"
        );
    }

    #[test]
    fn response_row_has_no_fqdn() {
        let mut p = packet(HttpMessage::Response {
            status: b"HTTP",
            fields: [
                plain(b"200"),
                plain(b"612"),
                plain(b"text/html; charset=UTF-8"),
                plain(b"Apache/2.2.22 (Ubuntu)"),
                plain(b"-"),
                plain(b"-"),
                plain(b"-"),
            ],
        });
        p.ts = Timestamp::from_secs_micros(5, 7);
        let mut line = Line::default();
        row(&mut line, &p);
        assert_eq!(
            String::from_utf8(line.buf).unwrap(),
            "192.168.1.2\t51000\t2001:db8::1\t80\t5.000007\tHTTP\t200\t612\t\
             text/html; charset=UTF-8\tApache/2.2.22 (Ubuntu)\t-\t-\t-\n"
        );
    }
}
