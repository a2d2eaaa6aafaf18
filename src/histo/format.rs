//! The printf formats of Tstat's histogram files, written into a reused byte buffer:
//! `%ld`, `%e`, `%.0f` and `%.Nf` as glibc prints them.
//!
//! `%e` and `%f` need the decimal digits of the exact binary value, rounded half to even (what
//! glibc does in the default rounding mode). Rust's `{:.6e}` / `{:.3}` are exact in that sense
//! (core's Dragon4 fallback; ties to even since Rust 1.67), so only the outside differs:
//! glibc writes the exponent with a sign and at least two digits, and spells the special
//! values `inf`, `-inf` and `-nan`. Every NaN that reaches these files comes from 0/0 or
//! ∞ − ∞ on x86-64, whose default NaN has the sign bit set, hence always `-nan`
//! (docs/semantics/histograms.md §2.3).

use std::io::Write;

/// `%ld`.
pub fn push_i64(buf: &mut Vec<u8>, v: i64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut m = v.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if v < 0 {
        buf.push(b'-');
    }
    buf.extend_from_slice(&digits[i..]);
}

/// `%lu` / `%llu`.
pub fn push_u64(buf: &mut Vec<u8>, v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut m = v;
    loop {
        i -= 1;
        digits[i] = b'0' + (m % 10) as u8;
        m /= 10;
        if m == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// The special values as glibc prints them; `None` for a finite `v`.
fn special(v: f64) -> Option<&'static [u8]> {
    if v.is_nan() {
        Some(b"-nan")
    } else if v == f64::INFINITY {
        Some(b"inf")
    } else if v == f64::NEG_INFINITY {
        Some(b"-inf")
    } else {
        None
    }
}

/// `%e`: `d.dddddde±XX`, six decimals, at least two exponent digits.
pub fn push_e(buf: &mut Vec<u8>, v: f64) {
    if let Some(s) = special(v) {
        buf.extend_from_slice(s);
        return;
    }
    // Rust gives `d.dddddde<exp>` with a bare exponent (`e0`, `e-3`, `e300`).
    let mut tmp = [0u8; 40];
    let len = {
        let mut cursor = std::io::Cursor::new(&mut tmp[..]);
        // 40 bytes hold any `{:.6e}` of an f64 (at most 15 bytes).
        let _ = write!(cursor, "{v:.6e}");
        cursor.position() as usize
    };
    let text = &tmp[..len];
    let Some(e) = text.iter().position(|&c| c == b'e') else {
        buf.extend_from_slice(text);
        return;
    };
    buf.extend_from_slice(&text[..=e]);
    let exp = &text[e + 1..];
    let (sign, digits) = match exp.first() {
        Some(b'-') => (b'-', &exp[1..]),
        _ => (b'+', exp),
    };
    buf.push(sign);
    if digits.len() < 2 {
        buf.push(b'0');
    }
    buf.extend_from_slice(digits);
}

/// `%.Nf` for `N` decimals.
pub fn push_fixed(buf: &mut Vec<u8>, v: f64, decimals: usize) {
    if let Some(s) = special(v) {
        buf.extend_from_slice(s);
        return;
    }
    let _ = write!(buf, "{v:.decimals$}");
}

/// `%.0f`, the form of the `#SAMPLES:` counts.
pub fn push_f0(buf: &mut Vec<u8>, v: f64) {
    push_fixed(buf, v, 0);
}

/// An IPv4 address as `inet_ntoa` prints it, from its four header bytes.
pub fn push_dotted(buf: &mut Vec<u8>, a: [u8; 4]) {
    for (i, b) in a.iter().enumerate() {
        if i > 0 {
            buf.push(b'.');
        }
        push_u64(buf, u64::from(*b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(v: f64) -> String {
        let mut b = Vec::new();
        push_e(&mut b, v);
        String::from_utf8(b).unwrap()
    }

    fn f(v: f64, d: usize) -> String {
        let mut b = Vec::new();
        push_fixed(&mut b, v, d);
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn integers_as_ld() {
        for (v, s) in [
            (0, "0"),
            (-100, "-100"),
            (65535, "65535"),
            (i64::MIN, "-9223372036854775808"),
        ] {
            let mut b = Vec::new();
            push_i64(&mut b, v);
            assert_eq!(b, s.as_bytes());
        }
        let mut b = Vec::new();
        push_u64(&mut b, u64::MAX);
        assert_eq!(b, b"18446744073709551615");
    }

    #[test]
    fn e_as_glibc_prints_it() {
        assert_eq!(e(1.0), "1.000000e+00");
        assert_eq!(e(2.336449e-03), "2.336449e-03");
        assert_eq!(e(0.0), "0.000000e+00");
        assert_eq!(e(-0.0), "-0.000000e+00");
        assert_eq!(e(1e300), "1.000000e+300");
        assert_eq!(e(5e-324), "4.940656e-324");
        assert_eq!(e(f64::INFINITY), "inf");
        assert_eq!(e(f64::NEG_INFINITY), "-inf");
        assert_eq!(e(f64::NAN), "-nan");
        // Exact ties round to even, on the binary value.
        assert_eq!(e(1234567.5), "1.234568e+06");
        assert_eq!(e(1234568.5), "1.234568e+06");
        assert_eq!(e(2.5), "2.500000e+00");
    }

    #[test]
    fn e_of_reference_global_values() {
        // Rows of the reference GLOBAL files (DnsPackets): count / total.
        assert_eq!(e(216.0 / 428.0), "5.046729e-01");
        assert_eq!(e(1.0 / 428.0), "2.336449e-03");
        assert_eq!(e(1306.0 / 2614.0), "4.996174e-01");
        assert_eq!(e(1306.0 / 2614.0 + 1306.0 / 2614.0), "9.992349e-01");
    }

    #[test]
    fn fixed_and_f0() {
        assert_eq!(f(0.0625, 3), "0.062");
        assert_eq!(f(0.0635, 3), "0.064");
        assert_eq!(f(1.5, 0), "2");
        assert_eq!(f(2.5, 0), "2");
        assert_eq!(f(2f64.powi(63), 0), "9223372036854775808");
        assert_eq!(f(-0.0, 0), "-0");
        assert_eq!(f(f64::NAN, 3), "-nan");
    }

    #[test]
    fn dotted() {
        let mut b = Vec::new();
        push_dotted(&mut b, [178, 62, 197, 0]);
        assert_eq!(b, b"178.62.197.0");
    }

    #[test]
    fn e_matches_pythons_correct_rounding_on_a_committed_table() {
        let table = include_str!("../../tests/data/histo/printf_e.tsv");
        let mut n = 0;
        for line in table.lines().filter(|l| !l.starts_with('#')) {
            let (bits, want) = line.split_once('\t').unwrap();
            let v = f64::from_bits(u64::from_str_radix(bits, 16).unwrap());
            assert_eq!(e(v), want, "{bits}");
            n += 1;
        }
        assert!(n > 400);
    }

    /// A few hundred fresh doubles against python3's `'%e'` (and `'%.3f'`) when it is there.
    #[test]
    fn e_matches_python_on_random_doubles() {
        use std::process::{Command, Stdio};
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15 ^ u64::from(std::process::id());
        let mut values = Vec::new();
        while values.len() < 400 {
            // xorshift64*: bit patterns of every magnitude, and small ratios.
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            let r = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
            let v = if values.len() % 2 == 0 {
                f64::from_bits(r)
            } else {
                (r % 1_000_003) as f64 / ((r >> 40) % 999_983 + 1) as f64
            };
            if v.is_finite() {
                values.push(v);
            }
        }
        let input: String = values
            .iter()
            .map(|v| format!("{:016x}\n", v.to_bits()))
            .collect();
        let script = "import sys,struct\nfor l in sys.stdin:\n d=struct.unpack('<d',bytes.fromhex(l.strip())[::-1])[0]\n print('%e %.3f'%(d,d) if abs(d)<1e30 else '%e'%d)";
        let child = Command::new("python3")
            .args(["-c", script])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn();
        let Ok(mut child) = child else {
            println!("e_matches_python_on_random_doubles: no python3, not run");
            return;
        };
        {
            use std::io::Write as _;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(input.as_bytes()).unwrap();
        }
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), values.len());
        for (v, want) in values.iter().zip(lines) {
            let got = if v.abs() < 1e30 {
                format!("{} {}", e(*v), f(*v, 3))
            } else {
                e(*v)
            };
            assert_eq!(got, want, "{:016x}", v.to_bits());
        }
    }
}
