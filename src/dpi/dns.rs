//! DNS messages (RFC 1035 §4), as a zero-copy view over a UDP payload.
//!
//! [`Message::parse`] accepts a message only if all of it reads back: the header, every
//! question and every resource record of the three sections, with names that follow the rules
//! (labels of at most 63 bytes, compression pointers inside the message and without loops,
//! names of at most 255 bytes) and answer data that fits its RDLENGTH. That is the rule Tstat's
//! DNS log inherits from ldns: a message that does not parse as a whole gives no row. Bytes
//! after the last record are allowed. Nothing is copied or allocated.

/// Compression pointers followed in one name before it is taken for a loop.
const MAX_JUMPS: usize = 100;
/// RFC 1035 §2.3.4: a name is at most 255 bytes on the wire.
const MAX_NAME: usize = 255;

pub const TYPE_A: u16 = 1;
pub const TYPE_NS: u16 = 2;
pub const TYPE_CNAME: u16 = 5;
pub const TYPE_SOA: u16 = 6;
pub const TYPE_PTR: u16 = 12;
pub const TYPE_MX: u16 = 15;
pub const TYPE_TXT: u16 = 16;
pub const TYPE_AAAA: u16 = 28;
pub const TYPE_DNAME: u16 = 39;
pub const TYPE_OPT: u16 = 41;
pub const TYPE_SPF: u16 = 99;

/// A validated DNS message.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    bytes: &'a [u8],
    pub id: u16,
    pub flags: u16,
    pub qdcount: u16,
    pub ancount: u16,
    pub nscount: u16,
    pub arcount: u16,
    /// OPT pseudo-records (EDNS) in the additional section.
    pub opt_records: u16,
    /// Offset of the first answer record.
    answers_at: usize,
}

/// A question: where its name starts, its type and class.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    pub name: Name,
    pub qtype: u16,
    pub qclass: u16,
}

/// A resource record of the answer section.
#[derive(Debug, Clone)]
pub struct Record {
    pub name: Name,
    pub rtype: u16,
    pub class: u16,
    pub ttl: u32,
    pub rdata: std::ops::Range<usize>,
}

/// A name inside a message: the offset where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Name(pub usize);

impl<'a> Message<'a> {
    /// The message in `bytes`, if all of it is well formed.
    pub fn parse(bytes: &'a [u8]) -> Option<Message<'a>> {
        Message::read(bytes, true)
    }

    /// The header, questions and answers only (what DN-Hunter reads): the authority and
    /// additional sections are not checked and their records are not available.
    pub fn parse_through_answers(bytes: &'a [u8]) -> Option<Message<'a>> {
        Message::read(bytes, false)
    }

    fn read(bytes: &'a [u8], whole: bool) -> Option<Message<'a>> {
        if bytes.len() < 12 {
            return None;
        }
        let be16 = |i: usize| u16::from_be_bytes([bytes[i], bytes[i + 1]]);
        let mut m = Message {
            bytes,
            id: be16(0),
            flags: be16(2),
            qdcount: be16(4),
            ancount: be16(6),
            nscount: be16(8),
            arcount: be16(10),
            opt_records: 0,
            answers_at: 0,
        };
        let mut pos = 12;
        for _ in 0..m.qdcount {
            pos = name_end(bytes, pos)?;
            pos = pos.checked_add(4).filter(|&p| p <= bytes.len())?;
        }
        m.answers_at = pos;
        let sections = if whole { 3 } else { 1 };
        for section in 0..sections {
            let count = [m.ancount, m.nscount, m.arcount][section];
            for _ in 0..count {
                let rr = read_record(bytes, pos)?;
                if section == 0 && whole && !rdata_fits(bytes, &rr) {
                    return None;
                }
                if section == 2 && rr.rtype == TYPE_OPT {
                    m.opt_records += 1;
                }
                pos = rr.rdata.end;
            }
        }
        Some(m)
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// QR: a response.
    pub fn is_response(&self) -> bool {
        self.flags & 0x8000 != 0
    }

    pub fn rcode(&self) -> u8 {
        (self.flags & 0x000f) as u8
    }

    pub fn questions(&self) -> impl Iterator<Item = Question> + 'a {
        let bytes = self.bytes;
        let mut pos = 12;
        (0..self.qdcount).map(move |_| {
            // Validated by parse: these reads cannot fail.
            let end = name_end(bytes, pos).unwrap_or(bytes.len());
            let q = Question {
                name: Name(pos),
                qtype: be16_at(bytes, end),
                qclass: be16_at(bytes, end + 2),
            };
            pos = end + 4;
            q
        })
    }

    pub fn answers(&self) -> impl Iterator<Item = Record> + 'a {
        let bytes = self.bytes;
        let mut pos = self.answers_at;
        (0..self.ancount).filter_map(move |_| {
            let rr = read_record(bytes, pos)?;
            pos = rr.rdata.end;
            Some(rr)
        })
    }

    /// The labels of a name, compression pointers followed.
    pub fn labels(&self, name: Name) -> Labels<'a> {
        Labels {
            bytes: self.bytes,
            pos: name.0,
            jumps: 0,
        }
    }
}

/// The labels of a name, in order.
pub struct Labels<'a> {
    bytes: &'a [u8],
    pos: usize,
    jumps: usize,
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            let len = *self.bytes.get(self.pos)? as usize;
            match len {
                0 => return None,
                l if l & 0xc0 == 0xc0 => {
                    let low = *self.bytes.get(self.pos + 1)? as usize;
                    self.jumps += 1;
                    if self.jumps > MAX_JUMPS {
                        return None;
                    }
                    self.pos = ((l & 0x3f) << 8) | low;
                }
                l if l & 0xc0 != 0 => return None,
                l => {
                    let label = self.bytes.get(self.pos + 1..self.pos + 1 + l)?;
                    self.pos += 1 + l;
                    return Some(label);
                }
            }
        }
    }
}

fn be16_at(b: &[u8], i: usize) -> u16 {
    match b.get(i..i + 2) {
        Some(s) => u16::from_be_bytes([s[0], s[1]]),
        None => 0,
    }
}

/// Where the name starting at `pos` ends (after its terminator or first pointer), if it is
/// a valid name.
pub fn name_end(b: &[u8], mut pos: usize) -> Option<usize> {
    let mut end = None;
    let mut jumps = 0;
    let mut length = 1;
    loop {
        let len = *b.get(pos)? as usize;
        if len == 0 {
            return Some(end.unwrap_or(pos + 1));
        }
        if len & 0xc0 == 0xc0 {
            let low = *b.get(pos + 1)? as usize;
            end.get_or_insert(pos + 2);
            jumps += 1;
            if jumps > MAX_JUMPS {
                return None;
            }
            pos = ((len & 0x3f) << 8) | low;
            continue;
        }
        if len & 0xc0 != 0 || pos + 1 + len > b.len() {
            return None;
        }
        length += len + 1;
        if length > MAX_NAME {
            return None;
        }
        pos += 1 + len;
    }
}

fn read_record(b: &[u8], pos: usize) -> Option<Record> {
    let at = name_end(b, pos)?;
    let fixed = b.get(at..at + 10)?;
    let rdlen = u16::from_be_bytes([fixed[8], fixed[9]]) as usize;
    let start = at + 10;
    if start + rdlen > b.len() {
        return None;
    }
    Some(Record {
        name: Name(pos),
        rtype: u16::from_be_bytes([fixed[0], fixed[1]]),
        class: u16::from_be_bytes([fixed[2], fixed[3]]),
        ttl: u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]),
        rdata: start..start + rdlen,
    })
}

/// The fields of the answer types the log prints field by field must lie inside RDLENGTH.
fn rdata_fits(b: &[u8], rr: &Record) -> bool {
    let (start, end) = (rr.rdata.start, rr.rdata.end);
    let name_inside = |at: usize| name_end(b, at).is_some_and(|e| e <= end);
    match rr.rtype {
        TYPE_NS | TYPE_CNAME | TYPE_PTR | TYPE_DNAME => name_inside(start),
        TYPE_MX => end >= start + 2 && name_inside(start + 2),
        TYPE_SOA => name_end(b, start)
            .filter(|&e| e <= end)
            .and_then(|e| name_end(b, e))
            .is_some_and(|e| e + 20 <= end),
        TYPE_TXT | TYPE_SPF => {
            let mut i = start;
            while i < end {
                i += 1 + b[i] as usize;
            }
            i == end
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A response for www.example.com: a CNAME (compressed) and an A record, and an OPT.
    fn response() -> Vec<u8> {
        let mut m = vec![0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 1];
        for l in ["www", "example", "com"] {
            m.push(l.len() as u8);
            m.extend_from_slice(l.as_bytes());
        }
        m.extend_from_slice(&[0, 0, 1, 0, 1]);
        // www.example.com CNAME example.com (pointer to offset 16)
        m.extend_from_slice(&[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 16]);
        // example.com A 192.0.2.1
        m.extend_from_slice(&[0xc0, 16, 0, 1, 0, 1, 0, 0, 1, 0, 0, 4, 192, 0, 2, 1]);
        // OPT
        m.extend_from_slice(&[0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0]);
        m
    }

    #[test]
    fn reads_questions_answers_and_counts_opt() {
        let bytes = response();
        let m = Message::parse(&bytes).unwrap();
        assert!(m.is_response());
        assert_eq!((m.id, m.rcode(), m.opt_records), (0xabcd, 0, 1));
        let q: Vec<Question> = m.questions().collect();
        assert_eq!((q[0].qtype, q[0].qclass), (TYPE_A, 1));
        let name: Vec<&[u8]> = m.labels(q[0].name).collect();
        assert_eq!(name, [b"www".as_slice(), b"example", b"com"]);
        let rr: Vec<Record> = m.answers().collect();
        assert_eq!(rr.len(), 2);
        assert_eq!((rr[0].rtype, rr[0].ttl), (TYPE_CNAME, 60));
        let target: Vec<&[u8]> = m.labels(Name(rr[0].rdata.start)).collect();
        assert_eq!(target, [b"example".as_slice(), b"com"]);
        assert_eq!(&bytes[rr[1].rdata.clone()], &[192, 0, 2, 1]);
    }

    #[test]
    fn rejects_truncation_loops_and_bad_rdata() {
        let bytes = response();
        for cut in 1..bytes.len() {
            assert!(Message::parse(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        let mut looped = bytes.clone();
        looped[12] = 0xc0; // the question name points at itself
        looped[13] = 12;
        assert!(Message::parse(&looped).is_none());
        let mut cname_past = bytes.clone();
        cname_past[44] = 1; // the CNAME's RDLENGTH of 1 cannot hold its 2-byte pointer
        assert!(Message::parse(&cname_past).is_none());
        let mut trailing = bytes;
        trailing.push(0);
        assert!(
            Message::parse(&trailing).is_some(),
            "trailing bytes are allowed"
        );
    }
}
