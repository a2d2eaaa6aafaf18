//! The bytes of an RRD file, format "0003" as librrd 1.7 writes it: C structs in the native
//! layout of the machine whose rrdtool reads the file (docs/semantics/rrd.md §6).
//!
//! The layout is a value, not the C types of the machine we run on, so that one host writes
//! and tests every target's files: byte order, the size of `unsigned long` and of `time_t`.

use super::consolidate::{Archive, State};

/// How the reader's C compiler lays out librrd's structs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub big_endian: bool,
    /// `sizeof(unsigned long)`: 8 on LP64, 4 on ILP32.
    pub ulong: usize,
    /// `sizeof(time_t)`: 8, or 4 on 32-bit glibc before 2.34's time64 and musl before 1.2.
    pub time_t: usize,
    /// The NaN librrd's arithmetic produces there (readers only test `isnan`).
    pub nan: u64,
}

/// `float_cookie`: rrdtool refuses a file whose cookie does not read as this double.
const FLOAT_COOKIE: f64 = 8.642135E130;
const STAT_COOKIE: &[u8; 4] = b"RRD\0";
const VERSION: &[u8; 5] = b"0003\0";
const DS_NAME_LEN: usize = 20;
const LAST_DS_LEN: usize = 30;
const CDP_SIZE: usize = 80;
const PDP_SIZE: usize = 112;
const DS_DEF_SIZE: usize = 120;

/// A negative quiet NaN, x86's default NaN.
const NAN_X86: u64 = 0xFFF8_0000_0000_0000;
/// The quiet NaN of the ARM, s390x and MIPS2008 FPUs.
const NAN_DEFAULT: u64 = 0x7FF8_0000_0000_0000;
/// Legacy MIPS: quiet NaNs have the top fraction bit clear.
const NAN_MIPS_LEGACY: u64 = 0x7FF7_FFFF_FFFF_FFFF;

fn align8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

impl Layout {
    /// x86_64 and aarch64 Linux.
    pub const LP64_LE: Layout = Layout {
        big_endian: false,
        ulong: 8,
        time_t: 8,
        nan: NAN_X86,
    };

    /// The layout of this build's target, assuming a 64-bit `time_t` on 32-bit targets
    /// (musl 1.2 and later, every OpenWrt release since 22.03).
    pub fn native() -> Layout {
        let nan = if cfg!(any(target_arch = "x86_64", target_arch = "x86")) {
            NAN_X86
        } else if cfg!(any(target_arch = "mips", target_arch = "mips64")) {
            NAN_MIPS_LEGACY
        } else {
            NAN_DEFAULT
        };
        Layout {
            big_endian: cfg!(target_endian = "big"),
            ulong: std::mem::size_of::<std::ffi::c_ulong>(),
            time_t: 8,
            nan,
        }
    }

    fn stat_head_size(&self) -> usize {
        align8(24 + 3 * self.ulong) + 80
    }

    /// `cf_nam[20]`, `row_cnt`, `pdp_cnt`, then `par[10]` aligned to 8.
    fn rra_row_cnt_at(&self) -> usize {
        20usize.div_ceil(self.ulong) * self.ulong
    }

    fn rra_par_at(&self) -> usize {
        align8(self.rra_row_cnt_at() + 2 * self.ulong)
    }

    fn live_head_size(&self) -> usize {
        align8(self.time_t + self.ulong)
    }

    /// Byte offsets of the parts of a file with one data source and `archives` archives.
    pub fn offsets(&self, archives: usize) -> Offsets {
        let ds_def = self.stat_head_size();
        let rra_def = ds_def + DS_DEF_SIZE;
        let rra_size = self.rra_par_at() + 80;
        let live_head = rra_def + archives * rra_size;
        let pdp_prep = live_head + self.live_head_size();
        let cdp_prep = pdp_prep + PDP_SIZE;
        let rra_ptr = cdp_prep + archives * CDP_SIZE;
        Offsets {
            ds_def,
            rra_def,
            rra_size,
            live_head,
            pdp_prep,
            cdp_prep,
            rra_ptr,
            data: rra_ptr + archives * self.ulong,
        }
    }

    fn put_uint(&self, buf: &mut [u8], at: usize, size: usize, v: u64) {
        if self.big_endian {
            buf[at..at + size].copy_from_slice(&v.to_be_bytes()[8 - size..]);
        } else {
            buf[at..at + size].copy_from_slice(&v.to_le_bytes()[..size]);
        }
    }

    fn get_uint(&self, buf: &[u8], at: usize, size: usize) -> u64 {
        let mut b = [0u8; 8];
        if self.big_endian {
            b[8 - size..].copy_from_slice(&buf[at..at + size]);
            u64::from_be_bytes(b)
        } else {
            b[..size].copy_from_slice(&buf[at..at + size]);
            u64::from_le_bytes(b)
        }
    }

    fn put_f64(&self, buf: &mut [u8], at: usize, v: f64) {
        let bits = if v.is_nan() { self.nan } else { v.to_bits() };
        self.put_uint(buf, at, 8, bits);
    }

    fn get_f64(&self, buf: &[u8], at: usize) -> f64 {
        f64::from_bits(self.get_uint(buf, at, 8))
    }

    /// A fresh file: the static header (`stat_head`, `ds_def`, `rra_def`), the state, and
    /// every row unknown.
    pub fn new_file(&self, ds_name: &str, st: &State) -> Vec<u8> {
        let o = self.offsets(st.archives.len());
        let rows: u64 = st.archives.iter().map(|a| a.rows).sum();
        let mut buf = vec![0u8; o.data + rows as usize * 8];
        buf[0..4].copy_from_slice(STAT_COOKIE);
        buf[4..9].copy_from_slice(VERSION);
        self.put_f64(&mut buf, 16, FLOAT_COOKIE);
        let ul = self.ulong;
        self.put_uint(&mut buf, 24, ul, 1);
        self.put_uint(&mut buf, 24 + ul, ul, st.archives.len() as u64);
        self.put_uint(&mut buf, 24 + 2 * ul, ul, st.step);
        let name = &ds_name.as_bytes()[..ds_name.len().min(DS_NAME_LEN - 1)];
        buf[o.ds_def..o.ds_def + name.len()].copy_from_slice(name);
        buf[o.ds_def + 20..o.ds_def + 25].copy_from_slice(b"GAUGE");
        self.put_uint(&mut buf, o.ds_def + 40, ul, st.heartbeat);
        self.put_f64(&mut buf, o.ds_def + 48, f64::NAN);
        self.put_f64(&mut buf, o.ds_def + 56, f64::NAN);
        for (i, a) in st.archives.iter().enumerate() {
            let at = o.rra_def + i * o.rra_size;
            buf[at..at + 7].copy_from_slice(b"AVERAGE");
            self.put_uint(&mut buf, at + self.rra_row_cnt_at(), ul, a.rows);
            self.put_uint(&mut buf, at + self.rra_row_cnt_at() + ul, ul, a.pdp_per_row);
            self.put_f64(&mut buf, at + self.rra_par_at(), a.xff);
        }
        self.write_state(&mut buf, st);
        for r in 0..rows as usize {
            self.put_f64(&mut buf, o.data + 8 * r, f64::NAN);
        }
        buf
    }

    /// Write the parts an update changes (`live_head` to `rra_ptr`) into a header buffer.
    pub fn write_state(&self, buf: &mut [u8], st: &State) {
        let o = self.offsets(st.archives.len());
        let ul = self.ulong;
        buf[o.live_head..o.data].fill(0);
        self.put_uint(buf, o.live_head, self.time_t, st.last_up);
        let text = &st.last_ds.as_bytes()[..st.last_ds.len().min(LAST_DS_LEN - 1)];
        buf[o.pdp_prep..o.pdp_prep + text.len()].copy_from_slice(text);
        self.put_uint(buf, o.pdp_prep + 32, ul, st.unknown_sec);
        self.put_f64(buf, o.pdp_prep + 40, st.pdp_value);
        for (i, a) in st.archives.iter().enumerate() {
            let at = o.cdp_prep + i * CDP_SIZE;
            self.put_f64(buf, at, a.value);
            self.put_uint(buf, at + 8, ul, a.unknown);
            self.put_f64(buf, at + 64, a.primary);
            self.put_f64(buf, at + 72, a.secondary);
            self.put_uint(buf, o.rra_ptr + i * ul, ul, a.cur_row);
        }
    }

    /// The archive count of a file whose first bytes are `head` (at least the stat head).
    pub fn archive_count(&self, head: &[u8]) -> Result<usize, String> {
        if head.len() < self.stat_head_size() {
            return Err("too short for an RRD header".into());
        }
        if &head[0..4] != STAT_COOKIE {
            return Err("not an RRD file (no RRD cookie)".into());
        }
        if &head[4..9] != VERSION {
            return Err(format!(
                "RRD format version {:?}, expected 0003",
                String::from_utf8_lossy(&head[4..8])
            ));
        }
        if self.get_f64(head, 16) != FLOAT_COOKIE {
            return Err("written for another architecture (byte order or float format)".into());
        }
        let ds = self.get_uint(head, 24, self.ulong);
        let rra = self.get_uint(head, 24 + self.ulong, self.ulong);
        if ds != 1 || rra == 0 || rra > 64 {
            return Err(format!(
                "{ds} data sources and {rra} archives: tstat writes one data source"
            ));
        }
        Ok(rra as usize)
    }

    /// The state of a file whose header (`offsets(n).data` bytes) is `buf`.
    pub fn read_state(&self, buf: &[u8], archives: usize) -> Result<State, String> {
        let o = self.offsets(archives);
        if buf.len() < o.data {
            return Err("header cut short".into());
        }
        let ul = self.ulong;
        if &buf[o.ds_def + 20..o.ds_def + 26] != b"GAUGE\0" {
            return Err("its data source is not a GAUGE".into());
        }
        let last_ds_end = buf[o.pdp_prep..o.pdp_prep + LAST_DS_LEN]
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(LAST_DS_LEN);
        let mut st = State {
            step: self.get_uint(buf, 24 + 2 * ul, ul),
            heartbeat: self.get_uint(buf, o.ds_def + 40, ul),
            last_up: self.get_uint(buf, o.live_head, self.time_t),
            last_ds: String::from_utf8_lossy(&buf[o.pdp_prep..o.pdp_prep + last_ds_end])
                .into_owned(),
            unknown_sec: self.get_uint(buf, o.pdp_prep + 32, ul),
            pdp_value: self.get_f64(buf, o.pdp_prep + 40),
            archives: Vec::with_capacity(archives),
        };
        for i in 0..archives {
            let def = o.rra_def + i * o.rra_size;
            let cdp = o.cdp_prep + i * CDP_SIZE;
            let a = Archive {
                rows: self.get_uint(buf, def + self.rra_row_cnt_at(), ul),
                pdp_per_row: self.get_uint(buf, def + self.rra_row_cnt_at() + ul, ul),
                xff: self.get_f64(buf, def + self.rra_par_at()),
                value: self.get_f64(buf, cdp),
                unknown: self.get_uint(buf, cdp + 8, ul),
                primary: self.get_f64(buf, cdp + 64),
                secondary: self.get_f64(buf, cdp + 72),
                cur_row: self.get_uint(buf, o.rra_ptr + i * ul, ul),
            };
            if &buf[def..def + 8] != b"AVERAGE\0" || a.rows == 0 || a.pdp_per_row == 0 {
                return Err(format!(
                    "archive {i} is not an AVERAGE archive tstat writes"
                ));
            }
            if a.cur_row >= a.rows {
                return Err(format!(
                    "archive {i}: current row {} of {}",
                    a.cur_row, a.rows
                ));
            }
            st.archives.push(a);
        }
        if st.step == 0 {
            return Err("step 0".into());
        }
        Ok(st)
    }

    /// Where row `row` of archive `i` is.
    pub fn row_at(&self, st: &State, i: usize, row: u64) -> u64 {
        let o = self.offsets(st.archives.len());
        let before: u64 = st.archives[..i].iter().map(|a| a.rows).sum();
        o.data as u64 + 8 * (before + row)
    }

    /// A row value's bytes.
    pub fn f64_bytes(&self, v: f64) -> [u8; 8] {
        let mut b = [0u8; 8];
        self.put_f64(&mut b, 0, v);
        b
    }
}

/// Where each part of a file starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offsets {
    pub ds_def: usize,
    pub rra_def: usize,
    pub rra_size: usize,
    pub live_head: usize,
    pub pdp_prep: usize,
    pub cdp_prep: usize,
    pub rra_ptr: usize,
    pub data: usize,
}

#[cfg(test)]
mod tests {
    use super::super::consolidate::TSTAT_ARCHIVES;
    use super::*;

    const ILP32_LE: Layout = Layout {
        big_endian: false,
        ulong: 4,
        time_t: 8,
        nan: NAN_DEFAULT,
    };
    const ILP32_BE: Layout = Layout {
        big_endian: true,
        ..ILP32_LE
    };
    const ILP32_TIME32: Layout = Layout {
        time_t: 4,
        ..ILP32_LE
    };

    /// docs/semantics/rrd.md §6.2, established on files of Debian's rrdtool 1.7.2 (x86_64,
    /// armhf trixie, armhf bookworm).
    #[test]
    fn offsets_of_the_three_layouts() {
        let lp = Layout::LP64_LE.offsets(4);
        assert_eq!(
            (
                lp.ds_def,
                lp.rra_def,
                lp.rra_size,
                lp.live_head,
                lp.pdp_prep
            ),
            (128, 248, 120, 728, 744)
        );
        assert_eq!((lp.cdp_prep, lp.rra_ptr, lp.data), (856, 1176, 1208));
        let ilp = ILP32_LE.offsets(4);
        assert_eq!(
            (
                ilp.ds_def,
                ilp.rra_def,
                ilp.rra_size,
                ilp.live_head,
                ilp.pdp_prep
            ),
            (120, 240, 112, 688, 704)
        );
        assert_eq!((ilp.cdp_prep, ilp.rra_ptr, ilp.data), (816, 1136, 1152));
        let t32 = ILP32_TIME32.offsets(4);
        assert_eq!((t32.pdp_prep, t32.cdp_prep, t32.data), (696, 808, 1144));
        let st = State::created(300, 600, 1413055299, &TSTAT_ARCHIVES);
        assert_eq!(Layout::LP64_LE.new_file("x", &st).len(), 24184);
        assert_eq!(ILP32_LE.new_file("x", &st).len(), 24128);
        assert_eq!(ILP32_TIME32.new_file("x", &st).len(), 24120);
    }

    #[test]
    fn big_endian_is_the_little_endian_file_with_every_field_swapped() {
        let st = State::created(300, 600, 1413055299, &TSTAT_ARCHIVES);
        let le = ILP32_LE.new_file("ip_len_loc", &st);
        let be = ILP32_BE.new_file("ip_len_loc", &st);
        assert_eq!(le.len(), be.len());
        let o = ILP32_LE.offsets(4);
        // Integers of 4 bytes and doubles of 8 at the same offsets, bytes reversed.
        let ints = [24, 28, 32, o.ds_def + 40, o.pdp_prep + 32, o.rra_ptr];
        for at in ints {
            let (a, b) = (&le[at..at + 4], &be[at..at + 4]);
            assert_eq!(
                a.iter().rev().collect::<Vec<_>>(),
                b.iter().collect::<Vec<_>>()
            );
        }
        for at in [16, o.live_head, o.rra_def + 32, o.cdp_prep + 64] {
            let (a, b) = (&le[at..at + 8], &be[at..at + 8]);
            assert_eq!(
                a.iter().rev().collect::<Vec<_>>(),
                b.iter().collect::<Vec<_>>()
            );
        }
        assert_eq!(
            &be[16..24],
            &[0x5b, 0x1f, 0x2b, 0x43, 0xc7, 0xc0, 0x25, 0x2f]
        );
        // Text is not swapped.
        assert_eq!(&le[o.ds_def..o.ds_def + 20], &be[o.ds_def..o.ds_def + 20]);
    }

    #[test]
    fn state_round_trips_through_the_bytes() {
        for layout in [Layout::LP64_LE, ILP32_LE, ILP32_BE, ILP32_TIME32] {
            let mut st = State::created(300, 600, 1413055299, &TSTAT_ARCHIVES);
            st.update(1413055643, 3.0, "3.000000", |_, _, _| {})
                .unwrap();
            let buf = layout.new_file("L4_flow_number", &st);
            assert_eq!(layout.archive_count(&buf), Ok(4));
            let back = layout.read_state(&buf, 4).unwrap();
            assert_eq!(format!("{back:?}"), format!("{st:?}"), "{layout:?}");
        }
    }

    #[test]
    fn a_file_of_another_layout_is_refused() {
        let st = State::created(300, 600, 1000, &TSTAT_ARCHIVES);
        let be = ILP32_BE.new_file("x", &st);
        assert!(ILP32_LE
            .archive_count(&be)
            .unwrap_err()
            .contains("another architecture"));
    }
}
