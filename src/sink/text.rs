//! Writing numbers and addresses into a reused line buffer, in C printf's formats.

use std::io::Write;
use std::net::IpAddr;

/// A line under construction; cleared and reused for every record.
#[derive(Default)]
pub struct Line {
    pub buf: Vec<u8>,
    started: bool,
}

impl Line {
    pub fn with_capacity(n: usize) -> Line {
        Line {
            buf: Vec::with_capacity(n),
            started: false,
        }
    }

    pub fn clear(&mut self) {
        self.buf.clear();
        self.started = false;
    }

    fn sep(&mut self) {
        if self.started {
            self.buf.push(b' ');
        }
        self.started = true;
    }

    /// An unsigned integer (`%u`, `%lu`, `%llu`).
    pub fn uint(&mut self, v: u64) {
        self.sep();
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut v = v;
        loop {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&digits[i..]);
    }

    pub fn int(&mut self, v: i64) {
        if v < 0 {
            self.sep();
            let _ = write!(self.buf, "{v}");
        } else {
            self.uint(v as u64);
        }
    }

    pub fn flag(&mut self, v: bool) {
        self.uint(v as u64);
    }

    /// `%f`: six decimals, rounded as printf rounds.
    pub fn float6(&mut self, v: f64) {
        self.sep();
        let _ = write!(self.buf, "{v:.6}");
    }

    pub fn text(&mut self, s: &str) {
        self.sep();
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// Start a field and hand out the buffer to write it.
    pub fn field(&mut self) -> &mut Vec<u8> {
        self.sep();
        &mut self.buf
    }

    pub fn addr(&mut self, a: &IpAddr) {
        self.sep();
        let _ = write!(self.buf, "{a}");
    }

    pub fn end(&mut self) {
        self.buf.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_printf() {
        let mut l = Line::default();
        l.uint(0);
        l.uint(18446744073709551615);
        l.float6(1_581_113_120_474.299);
        l.float6(0.0);
        l.float6(1095.3780004);
        l.addr(&"fe80::4e5e:cff:fe9a:ec54".parse().unwrap());
        l.int(-3);
        l.end();
        assert_eq!(
            String::from_utf8(l.buf).unwrap(),
            "0 18446744073709551615 1581113120474.299072 0.000000 1095.378000 fe80::4e5e:cff:fe9a:ec54 -3\n"
        );
    }
}
