//! Bounded byte scanners standing in for the POSIX regular expressions Tstat 3.2.1 runs over
//! HTTP segments (docs/semantics/http-log.md §1.1). Every scanner reads a slice and returns
//! offsets into it; none allocates, none indexes past its input.

/// A matched value: `start..end` in the scanned text, `end` being where the match ends (the
/// value before any length cap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
}

impl Found {
    /// The value, cut to `cap` bytes.
    pub fn capped(self, cap: usize) -> Found {
        Found {
            start: self.start,
            end: self.end.min(self.start + cap),
        }
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.end == self.start
    }

    pub fn shifted(self, by: usize) -> Found {
        Found {
            start: self.start + by,
            end: self.end + by,
        }
    }
}

/// What the regular expressions see: the bytes up to the first NUL (they run over a C string).
pub fn c_string(data: &[u8]) -> &[u8] {
    match data.iter().position(|&b| b == 0) {
        Some(nul) => &data[..nul],
        None => data,
    }
}

/// `[:cntrl:]` in the C locale.
fn is_control(b: u8) -> bool {
    b < 0x20 || b == 0x7f
}

/// `[:space:]` in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A byte of a URL-like value: `[^[:cntrl:][:space:]]`.
pub fn is_token(b: u8) -> bool {
    !is_control(b) && !is_space(b)
}

/// A byte of a free-text value: `[^[:cntrl:]]` (spaces and bytes ≥ 0x80 kept, TAB not).
pub fn is_line(b: u8) -> bool {
    !is_control(b)
}

/// Length of the leading run of bytes in `class`.
fn run(s: &[u8], class: fn(u8) -> bool) -> usize {
    s.iter().position(|&b| !class(b)).unwrap_or(s.len())
}

/// Leftmost position of `needle` in `hay` at or after `from`.
pub fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let rest = hay.get(from..)?;
    if needle.is_empty() || rest.len() < needle.len() {
        return None;
    }
    let first = needle[0];
    let last_start = rest.len() - needle.len();
    let mut i = 0;
    while i <= last_start {
        match rest[i..=last_start].iter().position(|&b| b == first) {
            Some(p) => i += p,
            None => return None,
        }
        if rest[i..].starts_with(needle) {
            return Some(from + i);
        }
        i += 1;
    }
    None
}

/// `Name: (class+)`: the leftmost `label` (e.g. `b"Host: "`) anywhere in `hay` followed by at
/// least one byte of `class`, and the longest such run. A label followed by nothing usable is
/// skipped, as the regex search moves on to the next one.
pub fn header(hay: &[u8], label: &[u8], class: fn(u8) -> bool) -> Option<Found> {
    let mut from = 0;
    while let Some(at) = find(hay, label, from) {
        let start = at + label.len();
        let len = run(&hay[start..], class);
        if len > 0 {
            return Some(Found {
                start,
                end: start + len,
            });
        }
        from = at + 1;
    }
    None
}

/// A request line `^([A-Z]+) (token+)`: the method, the target, and whether a space follows the
/// target (Tstat's first, stricter expression).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLine {
    pub method: Found,
    pub target: Found,
    pub space_after: bool,
}

pub fn request_line(s: &[u8]) -> Option<RequestLine> {
    let letters = run(s, |b| b.is_ascii_uppercase());
    if letters == 0 || s.get(letters) != Some(&b' ') {
        return None;
    }
    let start = letters + 1;
    let len = run(&s[start..], is_token);
    if len == 0 {
        return None;
    }
    let end = start + len;
    Some(RequestLine {
        method: Found {
            start: 0,
            end: letters,
        },
        target: Found { start, end },
        space_after: s.get(end) == Some(&b' '),
    })
}

/// `^(line+)`: the first line of a continuation segment, if it starts with text.
pub fn first_line(s: &[u8]) -> Option<Found> {
    let len = run(s, is_line);
    (len > 0).then_some(Found { start: 0, end: len })
}

/// Length of `text` without a trailing `<spaces>HTTP/1.0` or `<spaces>HTTP/1.1` (the protocol
/// after a path continued in a new segment).
pub fn without_protocol(text: &[u8]) -> usize {
    let Some(head) = text
        .strip_suffix(b"HTTP/1.0")
        .or_else(|| text.strip_suffix(b"HTTP/1.1"))
    else {
        return text.len();
    };
    let spaces = head.iter().rev().take_while(|&&b| is_space(b)).count();
    if spaces == 0 {
        text.len()
    } else {
        head.len() - spaces
    }
}

/// `^(https?://[^/]+/?)`: scheme, host and the optional slash after it (privacy level 0).
pub fn url_clean(url: &[u8]) -> Option<usize> {
    let rest = url
        .strip_prefix(b"http://")
        .or_else(|| url.strip_prefix(b"https://"))?;
    let host = run(rest, |b| b != b'/');
    if host == 0 {
        return None;
    }
    let slash = usize::from(rest.get(host) == Some(&b'/'));
    Some(url.len() - rest.len() + host + slash)
}

/// `^([^?]+)`: the text before the first `?` (privacy level 1); `None` when it starts with one
/// or is empty.
pub fn url_partial(url: &[u8]) -> Option<usize> {
    let len = run(url, |b| b != b'?');
    (len > 0).then_some(len)
}

/// A status code: bytes 9–11 of a response of at least 14 bytes, cut at the first non-digit.
pub fn status_code(data: &[u8]) -> Option<Found> {
    if data.len() < 14 {
        return None;
    }
    let len = run(&data[9..12], |b| b.is_ascii_digit());
    (len > 0).then_some(Found {
        start: 9,
        end: 9 + len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanners() {
        assert_eq!(find(b"abcabc", b"bc", 0), Some(1));
        assert_eq!(find(b"abcabc", b"bc", 2), Some(4));
        assert_eq!(find(b"ab", b"abc", 0), None);
        assert_eq!(find(b"ab", b"b", 9), None);
        assert_eq!(without_protocol(b"/a   HTTP/1.1"), 2);
        assert_eq!(without_protocol(b"/aHTTP/1.1"), 10);
        assert_eq!(without_protocol(b"/a HTTP/1.2"), 11);
        assert_eq!(url_clean(b"http://h"), Some(8));
        assert_eq!(url_clean(b"https://h/p/q"), Some(10));
        assert_eq!(url_clean(b"http:///p"), None);
        assert_eq!(url_clean(b"ftp://h/"), None);
        assert_eq!(url_partial(b"?q"), None);
        assert_eq!(url_partial(b"/p?q"), Some(2));
        assert_eq!(c_string(b"ab\0cd"), b"ab");
        // "Host: " found inside "X-Host: ", value up to CR; an empty value skipped.
        let f = |s: usize, e: usize| Some(Found { start: s, end: e });
        assert_eq!(header(b"X-Host: ab\r\n", b"Host: ", is_token), f(8, 10));
        assert_eq!(
            header(b"Host: \r\nHost: c d", b"Host: ", is_token),
            f(14, 15)
        );
        assert_eq!(header(b"UA: c d\te", b"UA: ", is_line), f(4, 7));
        assert_eq!(header(b"Host: ", b"Host: ", is_token), None);
        let line = request_line(b"GET /a HTTP/1.1").unwrap();
        assert_eq!(
            (line.method, line.target, line.space_after),
            (f(0, 3).unwrap(), f(4, 6).unwrap(), true)
        );
        assert!(!request_line(b"GET /a").unwrap().space_after);
        assert_eq!(request_line(b"GET  /a"), None);
        assert_eq!(request_line(b"get /a "), None);
        assert_eq!(first_line(b"\r\nx"), None);
        assert_eq!(first_line(b"ab c\r\n"), f(0, 4));
        assert_eq!(status_code(b"HTTP/1.1 404 Not"), f(9, 12));
        assert_eq!(status_code(b"HTTP/1.1 404"), None);
    }
}
