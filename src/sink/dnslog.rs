//! log_dns_complete rows: one per question of a query (`REQ`), one per answer record of a
//! successful response (`RESP`), one for a failed response (`RESP_ERR`), in Tstat 3.2.1's
//! formats (docs/semantics/dns.md §1). Queries and error rows print names as Tstat does (raw
//! labels); answer rows print records as ldns presents them, with every space of the record
//! data turned into a TAB.

use std::io::Write;

use super::text::Line;
use super::DnsPacket;
use crate::dpi::dns::{self, Message, Name, Record};

/// Write the rows of one DNS message; `emit` is called once per finished line.
pub fn rows(line: &mut Line, p: &DnsPacket<'_>, mut emit: impl FnMut(&mut Line)) {
    let m = &p.message;
    if !m.is_response() {
        for q in m.questions() {
            head(line, p, "REQ");
            raw_name(line, m, Some(q.name));
            line.text("-");
            line.text(tstat_class(q.qclass));
            line.text(tstat_type(q.qtype));
            line.text("-");
            tail(line, m);
            emit(line);
        }
    } else if m.rcode() != 0 {
        head(line, p, "RESP_ERR");
        match m.questions().next() {
            Some(q) => {
                raw_name(line, m, Some(q.name));
                line.text("-");
                line.text(tstat_class(q.qclass));
                line.text(tstat_type(q.qtype));
            }
            None => {
                for _ in 0..4 {
                    line.text("-");
                }
            }
        }
        line.text(rcode_name(m.rcode()));
        tail(line, m);
        emit(line);
    } else {
        for rr in m.answers() {
            head(line, p, "RESP");
            ldns_name(line.field(), m, rr.name);
            line.uint(u64::from(rr.ttl));
            ldns_class(line.field(), rr.class);
            ldns_type(line.field(), rr.rtype);
            let buf = line.field();
            let start = buf.len();
            rdata(buf, m, &rr);
            for b in &mut buf[start..] {
                if *b == b' ' {
                    *b = b'\t';
                }
            }
            tail(line, m);
            emit(line);
        }
    }
}

/// Columns 1–11: the requester, the responder, the time, the entry kind and the id.
fn head(line: &mut Line, p: &DnsPacket<'_>, entry: &str) {
    line.clear();
    let ((client, c_int), (server, s_int)) = if p.message.is_response() {
        ((&p.dst, p.dst_internal), (&p.src, p.src_internal))
    } else {
        ((&p.src, p.src_internal), (&p.dst, p.dst_internal))
    };
    let crypto = line.endpoint(&client.addr);
    line.uint(u64::from(client.port));
    line.flag(c_int);
    line.flag(crypto);
    let crypto = line.endpoint(&server.addr);
    line.uint(u64::from(server.port));
    line.flag(s_int);
    line.flag(crypto);
    line.float6(p.ts.as_log_millis());
    line.text(entry);
    let _ = write!(line.field(), "0x{:04x}", p.message.id);
}

/// Columns 17–22: header flags, the four counts (OPT records left out of ARCOUNT, as ldns
/// does) and the message length.
fn tail(line: &mut Line, m: &Message<'_>) {
    let f = m.flags;
    let bit = |n: u16| u8::from(f & (1 << n) != 0);
    // CD, AD, RA, RD, TC, AA from the low bit up.
    let flags = bit(4) | bit(5) << 1 | bit(7) << 2 | bit(8) << 3 | bit(9) << 4 | bit(10) << 5;
    let _ = write!(line.field(), "0x{flags:02x}");
    line.uint(u64::from(m.qdcount));
    line.uint(u64::from(m.ancount));
    line.uint(u64::from(m.nscount));
    line.uint(u64::from(m.arcount.saturating_sub(m.opt_records)));
    line.uint(m.bytes().len() as u64);
    line.end();
}

/// Tstat's own name form: the wire labels with `.` for each length byte and the leading one
/// dropped (`www.example.com.`), bytes unescaped; the root name is `-`.
fn raw_name(line: &mut Line, m: &Message<'_>, name: Option<Name>) {
    let buf = line.field();
    let start = buf.len();
    if let Some(n) = name {
        for label in m.labels(n) {
            if buf.len() > start {
                buf.push(b'.');
            }
            buf.extend_from_slice(label);
        }
    }
    if buf.len() == start {
        buf.push(b'-');
    } else {
        buf.push(b'.');
    }
}

/// ldns's presentation of a name: each label escaped, then `.`; the root is `.`.
fn ldns_name(buf: &mut Vec<u8>, m: &Message<'_>, name: Name) {
    let start = buf.len();
    for label in m.labels(name) {
        for &b in label {
            match b {
                b'.' | b';' | b'(' | b')' | b'\\' => buf.extend_from_slice(&[b'\\', b]),
                0x21..=0x7e => buf.push(b),
                _ => {
                    let _ = write!(buf, "\\{b:03}");
                }
            }
        }
        buf.push(b'.');
    }
    if buf.len() == start {
        buf.push(b'.');
    }
}

/// A character-string of TXT/SPF, quoted, as ldns prints it (TAB kept raw).
fn ldns_string(buf: &mut Vec<u8>, s: &[u8]) {
    buf.push(b'"');
    for &b in s {
        match b {
            b'"' | b'\\' => buf.extend_from_slice(&[b'\\', b]),
            b'\t' | 0x20..=0x7e => buf.push(b),
            _ => {
                let _ = write!(buf, "\\{b:03}");
            }
        }
    }
    buf.push(b'"');
}

fn be16(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}

/// The record data, ldns style (spaces between fields; the caller turns them into TABs).
fn rdata(buf: &mut Vec<u8>, m: &Message<'_>, rr: &Record) {
    let b = m.bytes();
    let r = &b[rr.rdata.clone()];
    let at = rr.rdata.start;
    match (rr.rtype, r.len()) {
        (dns::TYPE_A, 4) => {
            let _ = write!(buf, "{}.{}.{}.{}", r[0], r[1], r[2], r[3]);
        }
        (dns::TYPE_AAAA, 16) => {
            let mut o = [0u8; 16];
            o.copy_from_slice(r);
            let _ = write!(buf, "{}", std::net::Ipv6Addr::from(o));
        }
        (dns::TYPE_NS | dns::TYPE_CNAME | dns::TYPE_PTR | dns::TYPE_DNAME, _) => {
            ldns_name(buf, m, Name(at))
        }
        (dns::TYPE_MX, _) => {
            let _ = write!(buf, "{} ", be16(r, 0));
            ldns_name(buf, m, Name(at + 2));
        }
        (dns::TYPE_TXT | dns::TYPE_SPF, _) => {
            let mut i = 0;
            while i < r.len() {
                if i > 0 {
                    buf.push(b' ');
                }
                let len = r[i] as usize;
                ldns_string(buf, &r[i + 1..i + 1 + len]);
                i += 1 + len;
            }
        }
        (dns::TYPE_SOA, _) => soa(buf, m, at),
        _ => {
            let _ = write!(buf, "\\# {} ", r.len());
            for x in r {
                let _ = write!(buf, "{x:02X}");
            }
        }
    }
}

/// SOA: both names, then serial, refresh, retry, expire, minimum.
fn soa(buf: &mut Vec<u8>, m: &Message<'_>, at: usize) {
    let b = m.bytes();
    ldns_name(buf, m, Name(at));
    buf.push(b' ');
    // Validated by Message::parse: both names end inside the record data.
    let second = dns::name_end(b, at).unwrap_or(at);
    ldns_name(buf, m, Name(second));
    let mut i = dns::name_end(b, second).unwrap_or(second);
    for _ in 0..5 {
        let v = u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let _ = write!(buf, " {v}");
        i += 4;
    }
}

/// Tstat's class names (REQ and RESP_ERR rows).
fn tstat_class(c: u16) -> &'static str {
    match c {
        1 => "IN",
        3 => "CH",
        4 => "HS",
        254 => "NONE",
        255 => "ANY",
        _ => "OTHER",
    }
}

/// Tstat's type names (REQ and RESP_ERR rows): its own table, NetBIOS included.
fn tstat_type(t: u16) -> &'static str {
    match t {
        32 => "NB",
        _ => common_type(t).unwrap_or("OTHER"),
    }
}

/// The type names Tstat's table and ldns share.
fn common_type(t: u16) -> Option<&'static str> {
    Some(match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        13 => "HINFO",
        15 => "MX",
        16 => "TXT",
        17 => "RP",
        27 => "GPOS",
        28 => "AAAA",
        29 => "LOC",
        33 => "SRV",
        35 => "NAPTR",
        39 => "DNAME",
        43 => "DS",
        44 => "SSHFP",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        50 => "NSEC3",
        51 => "NSEC3PARAM",
        99 => "SPF",
        _ => return None,
    })
}

/// ldns's class mnemonics (RESP rows).
fn ldns_class(buf: &mut Vec<u8>, c: u16) {
    match c {
        1 | 3 | 4 | 254 | 255 => buf.extend_from_slice(tstat_class(c).as_bytes()),
        _ => {
            let _ = write!(buf, "CLASS{c}");
        }
    }
}

/// ldns's type mnemonics (RESP rows).
fn ldns_type(buf: &mut Vec<u8>, t: u16) {
    let name = common_type(t).or(match t {
        32 => Some("NIMLOC"),
        41 => Some("OPT"),
        64 => Some("SVCB"),
        65 => Some("HTTPS"),
        255 => Some("ANY"),
        _ => None,
    });
    match name {
        Some(n) => buf.extend_from_slice(n.as_bytes()),
        None => {
            let _ = write!(buf, "TYPE{t}");
        }
    }
}

fn rcode_name(rcode: u8) -> &'static str {
    match rcode {
        1 => "FORMERR",
        2 => "SERVFAIL",
        3 => "NXDOMAIN",
        4 => "NOTIMPL",
        5 => "REFUSED",
        6 => "YXDOMAIN",
        7 => "YXRRSET",
        8 => "NXRRSET",
        9 => "NOTAUTH",
        10 => "NOTZONE",
        _ => "UNKNOWN-ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::flow::Endpoint;
    use crate::time::Timestamp;

    fn packet(bytes: &[u8]) -> Option<DnsPacket<'_>> {
        let ep = |a: &str, port| Endpoint {
            addr: a.parse().unwrap(),
            port,
        };
        Some(DnsPacket {
            ts: Timestamp::from_secs_micros(1_000_000_000, 250),
            src: ep("192.0.2.53", 53),
            dst: ep("10.0.0.7", 40000),
            src_internal: false,
            dst_internal: true,
            message: Message::parse(bytes)?,
        })
    }

    fn lines(bytes: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = packet(bytes) {
            rows(&mut Line::default(), &p, |l| {
                out.push(String::from_utf8_lossy(&l.buf).into_owned())
            });
        }
        out
    }

    /// A response for mail.example.com: MX and TXT (with a space and a TAB) answers.
    fn response() -> Vec<u8> {
        let mut m = vec![0x12, 0x34, 0x85, 0x80, 0, 1, 0, 2, 0, 0, 0, 0];
        for l in ["mail", "example", "com"] {
            m.push(l.len() as u8);
            m.extend_from_slice(l.as_bytes());
        }
        m.extend_from_slice(&[0, 0, 15, 0, 1]);
        m.extend_from_slice(&[0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 30, 0, 4, 0, 10, 0xc0, 12]);
        let txt = b"v=spf1 ptr\t?all";
        m.extend_from_slice(&[0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 30, 0, txt.len() as u8 + 1]);
        m.push(txt.len() as u8);
        m.extend_from_slice(txt);
        m
    }

    #[test]
    fn answer_rows_print_records_like_ldns() {
        let rows = lines(&response());
        assert_eq!(rows.len(), 2);
        let head = "10.0.0.7 40000 1 0 192.0.2.53 53 0 0 1000000000000.250000 RESP 0x1234";
        assert_eq!(
            rows[0],
            format!("{head} mail.example.com. 30 IN MX 10\tmail.example.com. 0x2c 1 2 0 0 78\n")
        );
        assert_eq!(
            rows[1],
            format!("{head} mail.example.com. 30 IN TXT \"v=spf1\tptr\t?all\" 0x2c 1 2 0 0 78\n")
        );
    }

    #[test]
    fn queries_and_errors_use_tstat_names() {
        let mut q = response();
        q.truncate(34);
        q[2] = 0x01; // a query with RD
        q[3] = 0x00;
        q[7] = 0; // no answers
        let rows = lines(&q);
        assert_eq!(rows.len(), 1);
        assert!(
            rows[0].starts_with("192.0.2.53 53 0 0 10.0.0.7 40000 1 0 "),
            "{}",
            rows[0]
        );
        assert!(
            rows[0].ends_with(" REQ 0x1234 mail.example.com. - IN MX - 0x08 1 0 0 0 34\n"),
            "{}",
            rows[0]
        );
        q[2] = 0x81;
        q[3] = 0x83; // NXDOMAIN
        let rows = lines(&q);
        assert!(
            rows[0].contains(" RESP_ERR 0x1234 mail.example.com. - IN MX NXDOMAIN 0x0c "),
            "{}",
            rows[0]
        );
    }

    #[test]
    fn damaged_messages_never_panic() {
        let good = response();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut m = good.clone();
            for _ in 0..3 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let at = (seed % m.len() as u64) as usize;
                m[at] = (seed >> 32) as u8;
            }
            let _ = lines(&m);
        }
    }
}
