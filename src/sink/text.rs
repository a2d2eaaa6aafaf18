//! Writing numbers and addresses into a reused line buffer, in C printf's formats.

use std::io::Write;
use std::net::IpAddr;

/// The decimal digits of `v`.
fn push_decimal(buf: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// `%.6f` of `v` in integer arithmetic on its exact binary value, rounding ties to even as
/// printf does; `core::fmt`'s exact float formatting took a tenth of a run with every log on.
/// False (nothing written) for what it leaves to `core::fmt`: NaN, infinities and
/// magnitudes of 2^64 and more.
fn push_fixed6(buf: &mut Vec<u8>, v: f64) -> bool {
    const SCALE: u128 = 1_000_000;
    if !v.is_finite() {
        return false;
    }
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // v = ±mantissa × 2^exponent, exactly.
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, biased - 1075)
    };
    let (whole, millionths) = if exponent >= 0 {
        if exponent > 11 {
            return false;
        }
        (mantissa << exponent, 0)
    } else if exponent < -100 {
        // Below 2^-47: rounds to zero.
        (0, 0)
    } else {
        let shift = (-exponent) as u32;
        let whole = if shift >= 64 { 0 } else { mantissa >> shift };
        let below = (mantissa as u128) & ((1u128 << shift) - 1);
        let scaled = below * SCALE;
        let mut q = (scaled >> shift) as u64;
        let rest = scaled & ((1u128 << shift) - 1);
        let half = 1u128 << (shift - 1);
        if rest > half || (rest == half && q & 1 == 1) {
            q += 1;
        }
        if q == SCALE as u64 {
            (whole + 1, 0)
        } else {
            (whole, q)
        }
    };
    if bits >> 63 == 1 {
        buf.push(b'-');
    }
    push_decimal(buf, whole);
    buf.push(b'.');
    let mut digits = [b'0'; 6];
    let mut m = millionths;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (m % 10) as u8;
        m /= 10;
    }
    buf.extend_from_slice(&digits);
    true
}

/// A line under construction; cleared and reused for every record. It knows what the run
/// hides (`-Y`): addresses and names go through [`Line::endpoint`] and [`Line::name`].
#[derive(Default)]
pub struct Line {
    pub buf: Vec<u8>,
    started: bool,
    #[cfg(feature = "anon")]
    privacy: Option<std::sync::Arc<crate::anon::Privacy>>,
}

impl Line {
    pub fn with_capacity(n: usize) -> Line {
        Line {
            buf: Vec::with_capacity(n),
            started: false,
            #[cfg(feature = "anon")]
            privacy: None,
        }
    }

    /// Print addresses and names as `privacy` says (`None`: as they are).
    #[cfg(feature = "anon")]
    pub fn set_privacy(&mut self, privacy: Option<std::sync::Arc<crate::anon::Privacy>>) {
        self.privacy = privacy;
    }

    #[cfg(feature = "anon")]
    pub fn privacy(&self) -> Option<&std::sync::Arc<crate::anon::Privacy>> {
        self.privacy.as_ref()
    }

    /// The address a log shows for `a`, and whether it is anonymised (`-Y`).
    pub fn shown(&self, a: &IpAddr) -> (IpAddr, bool) {
        #[cfg(feature = "anon")]
        if let Some(p) = &self.privacy {
            return p.shown(a);
        }
        (*a, false)
    }

    /// Whether `a` is printed anonymised (`-Y`).
    pub fn is_crypto(&self, a: &IpAddr) -> bool {
        #[cfg(feature = "anon")]
        if let Some(p) = &self.privacy {
            return p.is_crypto(a);
        }
        let _ = a;
        false
    }

    /// An endpoint's address, anonymised when `-Y` says so; returns whether it was (the
    /// row's `*_iscrypto` flag).
    pub fn endpoint(&mut self, a: &IpAddr) -> bool {
        let (shown, crypto) = self.shown(a);
        self.addr(&shown);
        crypto
    }

    /// A host name (SNI, certificate name, fqdn, HTTP host, QUIC user agent): encrypted with
    /// `--enc`, else as it is.
    pub fn name(&mut self, text: &[u8]) {
        self.sep();
        #[cfg(feature = "anon")]
        if let Some(p) = self.privacy.as_ref().filter(|p| p.encrypts_names()) {
            p.encrypt_name_into(text, &mut self.buf);
            return;
        }
        self.buf.extend_from_slice(text);
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
        push_decimal(&mut self.buf, v);
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
        if !push_fixed6(&mut self.buf, v) {
            let _ = write!(self.buf, "{v:.6}");
        }
    }

    /// `%g`: six significant digits, trailing zeros dropped, exponent form below 1e-4 and from
    /// 1e6 on; NaN prints as glibc does (`-nan` when its sign bit is set), infinities `inf`.
    pub fn g(&mut self, v: f64) {
        self.sep();
        write_g(&mut self.buf, v);
    }

    /// `0x%x`.
    pub fn hex(&mut self, v: u32) {
        self.sep();
        let _ = write!(self.buf, "0x{v:x}");
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

    /// An address as inet_ntop writes it; IPv4 digit by digit (core::fmt's Display costed
    /// a tenth of the row formatting), IPv6 through Display (RFC 5952, as inet_ntop).
    pub fn addr(&mut self, a: &IpAddr) {
        self.sep();
        match a {
            IpAddr::V4(v4) => {
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        self.buf.push(b'.');
                    }
                    push_decimal(&mut self.buf, u64::from(octet));
                }
            }
            IpAddr::V6(_) => {
                let _ = write!(self.buf, "{a}");
            }
        }
    }

    pub fn end(&mut self) {
        self.buf.push(b'\n');
    }
}

/// C's `%g` (precision 6) into `out`.
pub fn write_g(out: &mut Vec<u8>, v: f64) {
    let sign: &[u8] = if v.is_sign_negative() { b"-" } else { b"" };
    if v.is_nan() {
        out.extend_from_slice(sign);
        out.extend_from_slice(b"nan");
        return;
    }
    if v.is_infinite() {
        out.extend_from_slice(sign);
        out.extend_from_slice(b"inf");
        return;
    }
    if v == 0.0 {
        out.extend_from_slice(sign);
        out.push(b'0');
        return;
    }
    // The decimal exponent after rounding to six significant digits decides the form.
    let mut sci = [0u8; 40];
    let n = {
        let mut cur = std::io::Cursor::new(&mut sci[..]);
        let _ = write!(cur, "{v:.5e}");
        cur.position() as usize
    };
    let sci = &sci[..n];
    let e_at = sci.iter().position(|&b| b == b'e').unwrap_or(n);
    let exp: i32 = std::str::from_utf8(sci.get(e_at + 1..).unwrap_or_default())
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    if !(-4..6).contains(&exp) {
        out.extend_from_slice(trim_fraction(&sci[..e_at]));
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else {
        let start = out.len();
        let _ = write!(out, "{:.*}", (5 - exp) as usize, v);
        let kept = trim_fraction(&out[start..]).len();
        out.truncate(start + kept);
    }
}

/// Drop a fraction's trailing zeros, and its point if nothing is left after it.
fn trim_fraction(digits: &[u8]) -> &[u8] {
    if !digits.contains(&b'.') {
        return digits;
    }
    let mut end = digits.len();
    while end > 0 && digits[end - 1] == b'0' {
        end -= 1;
    }
    if end > 0 && digits[end - 1] == b'.' {
        end -= 1;
    }
    &digits[..end]
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

    #[test]
    fn fixed6_rounds_the_exact_binary_value_ties_to_even() {
        // Expected strings are what printf("%.6f") prints (checked with Python's % operator).
        // Ties: k/128 has exactly 7 decimals ending in 5; printf rounds them to even.
        let cases: &[(f64, &str)] = &[
            (0.0078125, "0.007812"),
            (0.0234375, "0.023438"),
            (2.5e-7, "0.000000"),
            (1.5e-6, "0.000002"),
            (-0.0, "-0.000000"),
            (-1e-9, "-0.000000"),
            (0.9999995, "1.000000"),
            (0.9999994, "0.999999"),
            (0.99999951, "1.000000"),
            (1_581_113_120_474.299, "1581113120474.299072"),
            (9.007_199_254_740_993e15, "9007199254740992.000000"),
            (1.8e19, "18000000000000000000.000000"),
        ];
        for &(v, want) in cases {
            let mut b = Vec::new();
            let written = push_fixed6(&mut b, v);
            assert!(written, "{v} left to core::fmt");
            assert_eq!(String::from_utf8(b).unwrap(), want, "{v:e}");
        }
        let mut b = Vec::new();
        assert!(!push_fixed6(&mut b, f64::NAN) && !push_fixed6(&mut b, 2e19) && b.is_empty());
    }

    #[test]
    fn fixed6_agrees_with_core_fmt_over_magnitudes() {
        // core::fmt's exact mode is the independent reference (what float6 printed before).
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let magnitude = 10f64.powi((x % 40) as i32 - 20);
            let v = (x >> 11) as f64 / (1u64 << 53) as f64 * magnitude;
            let v = if x & 1 == 1 { -v } else { v };
            let mut b = Vec::new();
            if push_fixed6(&mut b, v) {
                assert_eq!(String::from_utf8(b).unwrap(), format!("{v:.6}"), "{v:e}");
            }
        }
    }

    #[test]
    fn ipv4_addresses_print_as_dotted_quads() {
        let mut l = Line::default();
        for a in ["0.0.0.0", "10.1.200.7", "255.255.255.255", "192.0.2.100"] {
            l.addr(&a.parse().unwrap());
        }
        assert_eq!(
            String::from_utf8(l.buf).unwrap(),
            "0.0.0.0 10.1.200.7 255.255.255.255 192.0.2.100"
        );
    }

    #[test]
    fn g_formats_like_glibc() {
        // Expected strings are what glibc's printf("%g") prints for these values.
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (20.0089, "20.0089"),
            (1.704_754_3e9, "1.70475e+09"),
            (0.050_410_2, "0.0504102"),
            (3340.5449, "3340.54"),
            (100000.0, "100000"),
            (999_999.5, "1e+06"),
            (0.000_123_456_7, "0.000123457"),
            (0.000_012_345, "1.2345e-05"),
            (-3.5, "-3.5"),
            (f64::INFINITY, "inf"),
            (f64::from_bits(0xfff8_0000_0000_0000), "-nan"),
            (64.0, "64"),
            (28.9732, "28.9732"),
        ];
        for &(v, want) in cases {
            let mut out = Vec::new();
            write_g(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), want, "{v}");
        }
    }
}
