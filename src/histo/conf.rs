//! histo.conf (`-H FILE`): which histograms are on, and the address (ADX) settings
//! (docs/semantics/histograms.md §4.1, `histo.c:histo_parse_conf`).
//!
//! The grammar is Tstat's: whitespace-separated `keyword argument` pairs, an argument may
//! even sit on a later line. A `#` starts a comment only where Tstat looks for one: as the
//! first character after a pair and its trailing whitespace, or as the first character of a
//! line that follows a comment or an empty line (so `  # x` on the first line is, as in Tstat,
//! an unknown keyword). End of file ends a last comment (Tstat would wait forever).
//!
//! Deliberate improvement: messages name the file and the physical line (`FILE:LINE: ...`)
//! and say what was expected, where Tstat counts keywords as "config lines". What makes
//! Tstat exit (unknown keyword, unknown histogram, missing argument) is an error; what it
//! warns about and replaces by a default (bad netmask, bad sample interval) is a warning.

use super::defs::{exists, Hid, COUNT, DEFS};
use std::fmt;
use std::path::Path;

/// Tstat's default ADX mask, /24 (`ADDR_MASK`, `ADDR2_MASK`), in network byte order.
pub const DEFAULT_MASK: [u8; 4] = [255, 255, 255, 0];
/// Default adx2 print period and max sub-period (`ADX2_BITRATE_DELTA`, `ADX2_MAX_DELTA`).
pub const DEFAULT_ADX2_SECS: u64 = 60;
pub const DEFAULT_ADX3_SECS: u64 = 1;

/// What histo.conf switched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Per object (creation order, `Hid as usize`).
    pub on: [bool; COUNT],
    /// The address engine (`addresses`): `include ALL` or `include ADX`.
    pub adx: bool,
    /// Mask of the external-address table, network byte order.
    pub adx_mask: [u8; 4],
    /// `addresses2` (`adx2_mask`), its mask and its periods in µs.
    pub adx2: bool,
    pub adx2_mask: [u8; 4],
    pub adx2_period_us: u64,
    pub adx3_period_us: u64,
}

impl Selection {
    /// Nothing on (no `-H`).
    pub fn none() -> Selection {
        Selection {
            on: [false; COUNT],
            adx: false,
            adx_mask: DEFAULT_MASK,
            adx2: false,
            adx2_mask: DEFAULT_MASK,
            adx2_period_us: DEFAULT_ADX2_SECS * 1_000_000,
            adx3_period_us: DEFAULT_ADX3_SECS * 1_000_000,
        }
    }

    /// `include ALL`: every object that exists (the `g_*` only with `-g`) and the ADX engine.
    pub fn all(global: bool) -> Selection {
        let mut s = Selection::none();
        s.include_all(global);
        s
    }

    fn include_all(&mut self, global: bool) {
        for i in 0..COUNT {
            if exists(i, global) {
                self.on[i] = true;
            }
        }
        self.adx = true;
        self.adx2 = false;
    }

    pub fn is_on(&self, id: Hid) -> bool {
        self.on[id.index()]
    }

    /// Whether anything at all will be written.
    pub fn anything(&self) -> bool {
        self.adx || self.on.iter().any(|&o| o)
    }
}

/// A parsed file and the warnings Tstat would have printed on stderr.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub selection: Selection,
    pub warnings: Vec<String>,
}

/// An error that makes the run stop, as it makes Tstat exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfError {
    pub file: String,
    /// Physical line, from 1; 0 when the file could not be read.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl std::error::Error for ConfError {}

/// Read and parse `path`.
pub fn load(path: &Path, global: bool) -> Result<Parsed, ConfError> {
    let (text, file) = read_text(path, "the histogram configuration")?;
    parse(&text, &file, global)
}

/// A configuration file's text (bytes that are not UTF-8 replaced) and its name for
/// messages; `what` names it in the error when it cannot be read.
pub fn read_text(path: &Path, what: &str) -> Result<(String, String), ConfError> {
    let file = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => Ok((String::from_utf8_lossy(&bytes).into_owned(), file)),
        Err(e) => Err(ConfError {
            file,
            line: 0,
            message: format!("cannot read {what}: {e}"),
        }),
    }
}

/// Tstat's reader over the text: characters, lines, `%s` tokens.
struct Reader<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.bump();
        }
    }

    /// `fscanf("%s")`: the next token and its line, after any whitespace.
    fn token(&mut self) -> Option<(&'a str, usize)> {
        self.skip_space();
        let start = self.pos;
        let line = self.line;
        while self.peek().is_some_and(|c| !is_space(c)) {
            self.bump();
        }
        let t = &self.text[start..self.pos];
        (!t.is_empty()).then(|| (std::str::from_utf8(t).unwrap_or("\u{fffd}"), line))
    }
}

/// Parse histo.conf text; `file` names it in messages; `global` is `-g` (the `g_*` exist).
pub fn parse(text: &str, file: &str, global: bool) -> Result<Parsed, ConfError> {
    let mut r = Reader {
        text: text.as_bytes(),
        pos: 0,
        line: 1,
    };
    let mut p = Parsed {
        selection: Selection::none(),
        warnings: Vec::new(),
    };
    let err = |line: usize, message: String| ConfError {
        file: file.to_string(),
        line,
        message,
    };
    loop {
        // Tstat's one-character look at the start of each round.
        match r.peek() {
            None => break,
            Some(b'\n') => {
                r.bump();
                continue;
            }
            Some(b'#') => {
                while let Some(c) = r.bump() {
                    if c == b'\n' {
                        break;
                    }
                }
                continue;
            }
            Some(_) => {}
        }
        let Some((keyword, line)) = r.token() else {
            break;
        };
        let known = matches!(
            keyword,
            "include"
                | "include_matching"
                | "adx_mask"
                | "adx2_mask"
                | "adx2_sample"
                | "adx3_sample"
        );
        if !known {
            let hint = if keyword.starts_with('#') {
                " (a comment's '#' must be the first character of its line)"
            } else {
                ""
            };
            return Err(err(
                line,
                format!(
                    "unknown keyword '{keyword}': expected include, include_matching, adx_mask, \
                     adx2_mask, adx2_sample or adx3_sample{hint}"
                ),
            ));
        }
        let Some((arg, arg_line)) = r.token() else {
            return Err(err(line, format!("'{keyword}' needs an argument")));
        };
        let at = |m: String| format!("{file}:{arg_line}: {m}");
        apply(&mut p, keyword, arg, global, at).map_err(|m| err(arg_line, m))?;
        r.skip_space();
    }
    Ok(p)
}

/// One `keyword argument` pair; `at` prefixes a warning with its place.
fn apply(
    p: &mut Parsed,
    keyword: &str,
    arg: &str,
    global: bool,
    at: impl Fn(String) -> String,
) -> Result<(), String> {
    let s = &mut p.selection;
    match keyword {
        "include" => match arg {
            "ALL" => s.include_all(global),
            "ADX" => {
                s.adx = true;
                s.adx2 = false;
            }
            name => {
                // The first match from the head of Tstat's list, i.e. the last created: for
                // `tcp_net_dup_out` that is the local object registered under that name.
                let found = (0..COUNT)
                    .rev()
                    .find(|&i| exists(i, global) && DEFS[i].name == name);
                match found {
                    Some(i) => s.on[i] = true,
                    None => {
                        return Err(format!(
                            "no histogram named '{name}' to include (`tstat -H ?` lists them{})",
                            if !global && name.starts_with("g_") {
                                "; the g_* exist only with -g"
                            } else {
                                ""
                            }
                        ))
                    }
                }
            }
        },
        "include_matching" => {
            for (i, d) in DEFS.iter().enumerate() {
                if exists(i, global) && d.name.contains(arg) {
                    s.on[i] = true;
                }
            }
        }
        "adx_mask" => s.adx_mask = mask_or_default(arg, &mut p.warnings, &at),
        "adx2_mask" => {
            s.adx2 = true;
            s.adx2_period_us = DEFAULT_ADX2_SECS * 1_000_000;
            s.adx3_period_us = DEFAULT_ADX3_SECS * 1_000_000;
            s.adx2_mask = mask_or_default(arg, &mut p.warnings, &at);
        }
        "adx2_sample" => {
            s.adx2_period_us =
                seconds_or_default(arg, "adx2_sample", DEFAULT_ADX2_SECS, &mut p.warnings, &at);
        }
        _ => {
            s.adx3_period_us =
                seconds_or_default(arg, "adx3_sample", DEFAULT_ADX3_SECS, &mut p.warnings, &at);
            if s.adx3_period_us > s.adx2_period_us {
                p.warnings.push(at(format!(
                    "max sample interval adx3_sample <{}> is larger than adx2_sample <{}>. Using \
                     adx2_sample value for both",
                    s.adx3_period_us / 1_000_000,
                    s.adx2_period_us / 1_000_000
                )));
                s.adx3_period_us = s.adx2_period_us;
            }
        }
    }
    Ok(())
}

/// C's `strtol(s, &end, 10)` and whether `*end` is the terminator; the value as the `int`
/// Tstat stores it in.
fn strtol_int(s: &str) -> (i32, bool) {
    let b = s.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let n = digits.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut v: i64 = 0;
    for c in &digits[..n] {
        v = v.saturating_mul(10).saturating_add(i64::from(c - b'0'));
    }
    if neg {
        v = -v;
    }
    let whole = n > 0 && n == digits.len();
    (v as i32, whole)
}

/// `adx2_sample`/`adx3_sample`: whole seconds ≥ 1, else the default with Tstat's warning. The
/// period is kept exactly in µs (Tstat multiplies in a C `int`, which overflows above 2147 s).
fn seconds_or_default(
    arg: &str,
    keyword: &str,
    default: u64,
    warnings: &mut Vec<String>,
    at: &impl Fn(String) -> String,
) -> u64 {
    let (v, whole) = strtol_int(arg);
    if !whole || v < 1 {
        warnings.push(at(format!(
            "wrong sample interval <{v}> for {keyword}: expected a whole number of seconds of at \
             least 1. Using default {default}"
        )));
        default * 1_000_000
    } else {
        v as u64 * 1_000_000
    }
}

/// `validate_adx_mask`: a prefix length 1–32 or a dotted mask (`inet_aton`), else /24.
fn mask_or_default(
    arg: &str,
    warnings: &mut Vec<String>,
    at: &impl Fn(String) -> String,
) -> [u8; 4] {
    if !arg.contains('.') {
        let (bits, whole) = strtol_int(arg);
        if whole && (1..=32).contains(&bits) {
            return (u32::MAX << (32 - bits)).to_be_bytes();
        }
        warnings.push(at(
            "Warning: Invalid netmask in <adx_mask> or <adx2_mask> histogram option. Using \
             default 255.255.255.0"
                .to_string(),
        ));
        return DEFAULT_MASK;
    }
    match inet_aton(arg) {
        Some(m) => m,
        None => {
            warnings.push(at(format!(
                "Warning: Invalid netmask {arg} in <adx_mask> or <adx2_mask> histogram option. \
                 Using default 255.255.255.0"
            )));
            DEFAULT_MASK
        }
    }
}

/// glibc's `inet_aton`: one to four parts, each decimal, octal (`0…`) or hex (`0x…`), the
/// last one filling the remaining bytes. Network byte order.
pub fn inet_aton(s: &str) -> Option<[u8; 4]> {
    let b = s.as_bytes();
    let mut parts: [u64; 3] = [0; 3];
    let mut np = 0;
    let mut i = 0;
    let val = loop {
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let mut base = 10;
        if b[i] == b'0' {
            i += 1;
            if matches!(b.get(i), Some(b'x' | b'X')) {
                base = 16;
                i += 1;
            } else {
                base = 8;
            }
        }
        let mut v: u64 = 0;
        while let Some(&c) = b.get(i) {
            let d = match c {
                b'0'..=b'9' if base == 8 && c >= b'8' => return None,
                b'0'..=b'9' => u64::from(c - b'0'),
                b'a'..=b'f' if base == 16 => u64::from(c - b'a' + 10),
                b'A'..=b'F' if base == 16 => u64::from(c - b'A' + 10),
                _ => break,
            };
            v = v * base + d;
            if v > 0xffff_ffff {
                return None;
            }
            i += 1;
        }
        if b.get(i) == Some(&b'.') {
            if np > 2 || v > 0xff {
                return None;
            }
            parts[np] = v;
            np += 1;
            i += 1;
        } else {
            break v;
        }
    };
    if i != b.len() && !b[i..].iter().all(|&c| is_space(c)) {
        return None;
    }
    let limit = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff][np];
    if val > limit {
        return None;
    }
    let mut v = val;
    for (k, p) in parts.iter().take(np).enumerate() {
        v |= p << (24 - 8 * k);
    }
    Some((v as u32).to_be_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Parsed {
        parse(text, "h.conf", true).unwrap()
    }

    fn fails(text: &str) -> ConfError {
        parse(text, "h.conf", true).unwrap_err()
    }

    #[test]
    fn include_all_and_adx() {
        let p = ok("include ALL\n");
        assert!(p.selection.on.iter().all(|&o| o));
        assert!(p.selection.adx && !p.selection.adx2);
        let no_g = parse("include ALL\n", "h", false).unwrap().selection;
        assert!(!no_g.is_on(Hid::g_tcp_bitrate_in) && no_g.is_on(Hid::profile_trash));
        let adx = ok("include ADX").selection;
        assert!(adx.adx && !adx.on.iter().any(|&o| o));
    }

    #[test]
    fn include_by_name_finds_the_local_net_dup_object() {
        let s = ok("include tcp_net_dup_out\ninclude tcp_win_ini").selection;
        assert!(s.is_on(Hid::tcp_net_dup_loc) && !s.is_on(Hid::tcp_net_dup_out));
        assert!(s.is_on(Hid::tcp_win_min));
        assert_eq!(s.on.iter().filter(|&&o| o).count(), 2);
    }

    #[test]
    fn include_matching_is_a_substring_test() {
        let s = ok("include_matching rtt_avg").selection;
        assert!(s.is_on(Hid::tcp_rtt_avg_in) && !s.is_on(Hid::tcp_rtt_c_avg_in));
        assert_eq!(s.on.iter().filter(|&&o| o).count(), 5);
        assert!(!ok("include_matching nothing_like_this")
            .selection
            .anything());
    }

    #[test]
    fn comments_where_tstat_sees_them() {
        let p = ok("# a comment\n\ninclude ip_len_in\n   # indented after a pair\ninclude ip_len_out # trailing\n# last");
        assert!(p.selection.is_on(Hid::ip_len_in) && p.selection.is_on(Hid::ip_len_out));
        let e = fails("include ALL\n# c\n  # indented after a comment\n");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("first character"), "{e}");
        assert!(ok("#only a comment without newline")
            .selection
            .on
            .iter()
            .all(|&o| !o));
    }

    #[test]
    fn errors_name_file_and_physical_line() {
        let e = fails("include ALL\n\nfoo bar\n");
        assert_eq!(e.to_string().split(' ').next(), Some("h.conf:3:"));
        let e = fails("include ip_len_in\ninclude nonexistent\n");
        assert_eq!((e.line, e.message.contains("nonexistent")), (2, true));
        let e = fails("\ninclude");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("needs an argument"));
        let e = parse("include g_tcp_bitrate_in", "h", false).unwrap_err();
        assert!(e.message.contains("-g"));
        // The argument may follow on a later line, as with fscanf.
        assert!(ok("include\nALL").selection.adx);
    }

    #[test]
    fn masks_and_samples() {
        let s = ok("adx_mask 16\nadx2_mask 255.255.0.0\nadx2_sample 30\nadx3_sample 5").selection;
        assert_eq!(s.adx_mask, [255, 255, 0, 0]);
        assert_eq!((s.adx2, s.adx2_mask), (true, [255, 255, 0, 0]));
        assert_eq!(
            (s.adx2_period_us, s.adx3_period_us),
            (30_000_000, 5_000_000)
        );
        let p =
            ok("adx_mask 33\nadx_mask 1.2.3.4.5\nadx2_sample 0\nadx2_sample 5x\nadx3_sample 90");
        assert_eq!(p.selection.adx_mask, DEFAULT_MASK);
        assert_eq!(p.warnings.len(), 5, "{:?}", p.warnings);
        assert!(p.warnings[0].starts_with("h.conf:1: Warning: Invalid netmask in"));
        assert!(p.warnings[1].contains("Invalid netmask 1.2.3.4.5 in"));
        assert!(p.warnings[2].contains("<0> for adx2_sample"));
        assert!(p.warnings[3].contains("<5> for adx2_sample"));
        assert!(p.warnings[4].contains("adx3_sample <90> is larger than adx2_sample <60>"));
        assert_eq!(p.selection.adx3_period_us, 60_000_000);
        // adx2_mask resets the periods, include ALL switches adx2 off.
        let s = ok("adx2_sample 30\nadx2_mask 24\ninclude ALL").selection;
        assert_eq!((s.adx2, s.adx2_period_us), (false, 60_000_000));
    }

    #[test]
    fn unreadable_files_are_errors() {
        let e = load(Path::new("/nonexistent/histo.conf"), false).unwrap_err();
        assert_eq!(e.line, 0);
        assert!(
            e.to_string()
                .starts_with("/nonexistent/histo.conf: cannot read"),
            "{e}"
        );
    }

    #[test]
    fn inet_aton_forms() {
        assert_eq!(inet_aton("255.255.255.0"), Some([255, 255, 255, 0]));
        assert_eq!(inet_aton("0xff.0377.255.0"), Some([255, 255, 255, 0]));
        assert_eq!(inet_aton("255.16777215"), Some([255, 255, 255, 255]));
        assert_eq!(inet_aton("255.255.65280"), Some([255, 255, 255, 0]));
        assert_eq!(inet_aton("256.0.0.0"), None);
        assert_eq!(inet_aton("08.0.0.0"), None);
        assert_eq!(inet_aton("1.2.3."), None);
        assert_eq!(inet_aton("a.b.c.d"), None);
    }
}
