//! rrd.conf (`-R FILE`): which statistics of which histograms become time series
//! (docs/semantics/rrd.md §1.3).
//!
//! One histogram per line: its name, then any of `avg min max var stdev hit`, an `idx:` list
//! (bin values, `other` for the rest of the valid samples) and a `prc:` list (percentiles).
//! As in Tstat, a line holding `#` anywhere is a comment, only the last `idx:` and `prc:` word
//! of a line count, and a histogram named on several lines ORs the flags while a later list
//! replaces an earlier one.
//!
//! Deliberate differences (docs/differences.md): words are separated by any whitespace (Tstat
//! splits on spaces only, so a tab between two words glues them), blank lines are skipped,
//! messages name `FILE:LINE`, and an `idx:` value whose cell lies outside the histogram is an
//! error here (Tstat reads past its array).

use crate::histo::conf::ConfError;
use crate::histo::defs::{exists, Hid, COUNT, DEFS};
use std::path::Path;

/// The statistics rrd.conf asks of one histogram.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub hid: Hid,
    pub avg: bool,
    pub min: bool,
    pub max: bool,
    pub var: bool,
    pub stdev: bool,
    pub hit: bool,
    /// Bin values (`idx:40,1500`), in the listed order, duplicates kept.
    pub idx: Vec<i32>,
    /// `idx:...,other`.
    pub idx_other: bool,
    /// Percentiles (`prc:50,99.9`), in the listed order.
    pub prc: Vec<f64>,
}

impl Entry {
    /// No statistic yet.
    fn new(hid: Hid) -> Entry {
        Entry {
            hid,
            avg: false,
            min: false,
            max: false,
            var: false,
            stdev: false,
            hit: false,
            idx: Vec::new(),
            idx_other: false,
            prc: Vec::new(),
        }
    }

    pub fn id(&self) -> Hid {
        self.hid
    }
}

/// rrd.conf, parsed: one entry per histogram, in the order of Tstat's list (the update order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RrdConf {
    pub entries: Vec<Entry>,
}

/// Read and parse `path`; `global` is `-g` (the `g_*` histograms exist only then).
pub fn load(path: &Path, global: bool) -> Result<RrdConf, ConfError> {
    let (text, file) = crate::histo::conf::read_text(path, "the RRD configuration")?;
    parse(&text, &file, global)
}

pub fn parse(text: &str, file: &str, global: bool) -> Result<RrdConf, ConfError> {
    let mut by_index: Vec<Option<Entry>> = vec![None; COUNT];
    for (n, line) in text.lines().enumerate() {
        if line.contains('#') {
            continue;
        }
        let fail = |message: String| ConfError {
            file: file.to_string(),
            line: n + 1,
            message,
        };
        let mut words = line.split_whitespace();
        let Some(name) = words.next() else { continue };
        let i = lookup(name, global).ok_or_else(|| {
            fail(format!(
                "no histogram named '{name}' (`tstat -H ?` lists them{})",
                if !global && name.starts_with("g_") {
                    "; the g_* exist only with -g"
                } else {
                    ""
                }
            ))
        })?;
        let e = by_index[i].get_or_insert_with(|| Entry::new(Hid::ALL[i]));
        for w in words {
            apply_word(e, name, w).map_err(&fail)?;
        }
    }
    // Tstat walks its list from the head: the last created object first.
    let entries = by_index.into_iter().rev().flatten().collect();
    Ok(RrdConf { entries })
}

/// As `include NAME`: the first match from the head of Tstat's list (the last created).
fn lookup(name: &str, global: bool) -> Option<usize> {
    (0..COUNT)
        .rev()
        .find(|&i| exists(i, global) && DEFS[i].name == name)
}

fn apply_word(e: &mut Entry, name: &str, w: &str) -> Result<(), String> {
    match w {
        "avg" => e.avg = true,
        "min" => e.min = true,
        "max" => e.max = true,
        "var" => e.var = true,
        "stdev" => e.stdev = true,
        "hit" => e.hit = true,
        _ if w == name => {}
        _ if w.contains("idx:") => {
            let list = &w[w.find(':').map_or(0, |p| p + 1)..];
            e.idx.clear();
            e.idx_other = false;
            for item in list.split(',') {
                if item == "other" {
                    e.idx_other = true;
                } else {
                    let v = atoi(item);
                    check_index(e.id(), v)?;
                    e.idx.push(v);
                }
            }
        }
        _ if w.contains("prc:") => {
            let list = &w[w.find(':').map_or(0, |p| p + 1)..];
            e.prc = list.split(',').map(atof).collect();
        }
        _ => {
            return Err(format!(
                "unknown word '{w}' (expected avg, min, max, var, stdev, hit, idx:N,...,other \
                 or prc:P,...)"
            ))
        }
    }
    Ok(())
}

/// The cell `idx:v` reads must exist: underflow, a bin, overflow or the valid count.
fn check_index(id: Hid, v: i32) -> Result<(), String> {
    let d = id.def();
    let pos = idx_cell(d.min, d.bin, v);
    if (0..=d.valid() as i64).contains(&pos) {
        Ok(())
    } else {
        Err(format!(
            "idx:{v} is outside {} (bins from {} to {} by {}); Tstat would read past the \
             histogram",
            d.name, d.min, d.max, d.bin
        ))
    }
}

/// The cell of `idx:v`: `(v − min)/bin + 1`, truncating toward zero as C does.
pub fn idx_cell(min: i64, bin: i64, v: i32) -> i64 {
    (v as i64 - min) / bin + 1
}

/// C's `atoi`: optional blanks and sign, then digits; anything else ends it (`abc` is 0).
fn atoi(s: &str) -> i32 {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut v: i64 = 0;
    for b in digits.bytes().take_while(u8::is_ascii_digit) {
        v = (v * 10 + (b - b'0') as i64).min(i32::MAX as i64 + 1);
    }
    let v = if neg { -v } else { v };
    v.clamp(i32::MIN as i64, i32::MAX as i64) as i32
}

/// C's `atof` on the longest numeric prefix (`abc` is 0).
fn atof(s: &str) -> f64 {
    let t = s.trim_start();
    (1..=t.len())
        .rev()
        .filter(|&n| t.is_char_boundary(n))
        .find_map(|n| t[..n].parse::<f64>().ok().filter(|v| v.is_finite()))
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> RrdConf {
        parse(text, "rrd.conf", false).unwrap()
    }

    #[test]
    fn words_and_lists() {
        let c = ok("ip_len_loc avg prc:50,90,95 idx:40,1500,other\n");
        let e = &c.entries[0];
        assert_eq!(e.id(), Hid::ip_len_loc);
        assert!(e.avg && !e.min && !e.hit);
        assert_eq!(e.prc, vec![50.0, 90.0, 95.0]);
        assert_eq!(e.idx, vec![40, 1500]);
        assert!(e.idx_other);
    }

    #[test]
    fn comments_blank_lines_and_tabs() {
        let c = ok("\n# ip_len_in avg\nip_len_in \t\t\tavg max # no\n\nudp_cl_p_in\t      avg\n");
        assert_eq!(c.entries.len(), 1, "{c:?}");
        assert_eq!(c.entries[0].id(), Hid::udp_cl_p_in);
    }

    #[test]
    fn later_lines_or_flags_and_replace_lists() {
        let c = ok("ip_len_loc avg idx:40\nip_len_loc max idx:44,44 prc:1\n");
        let e = &c.entries[0];
        assert!(e.avg && e.max);
        assert_eq!(e.idx, vec![44, 44]);
        assert_eq!(e.prc, vec![1.0]);
    }

    #[test]
    fn update_order_is_tstats_list_order() {
        let c = ok("ip_len_in avg\nudp_cl_p_in avg\n");
        let order: Vec<Hid> = c.entries.iter().map(Entry::id).collect();
        let (a, b) = (Hid::ip_len_in.index(), Hid::udp_cl_p_in.index());
        assert_eq!(order.len(), 2);
        assert_eq!(order[0].index(), a.max(b), "the later created comes first");
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse("ip_len_in avg\n# x\nnot_a_histogram avg\n", "r.conf", false).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("r.conf", 3));
        assert!(e
            .to_string()
            .starts_with("r.conf:3: no histogram named 'not_a_histogram'"));
        let e = parse("ip_len_in avg mean\n", "r.conf", false).unwrap_err();
        assert!(
            e.to_string().contains("r.conf:1: unknown word 'mean'"),
            "{e}"
        );
        let e = parse("ip_len_in idx:1000000\n", "r.conf", false).unwrap_err();
        assert!(
            e.to_string().contains("idx:1000000 is outside ip_len_in"),
            "{e}"
        );
    }

    #[test]
    fn c_number_parsing() {
        assert_eq!(
            (atoi("08"), atoi("abc"), atoi("-1"), atoi("12x")),
            (8, 0, -1, 12)
        );
        assert_eq!((atof("99.9"), atof("x"), atof("95%")), (99.9, 0.0, 95.0));
    }

    #[test]
    fn the_shipped_rrd_conf_names_172_histograms() {
        let text = include_str!("../../conf/rrd.conf");
        let c = ok(text);
        assert_eq!(c.entries.len(), 172);
    }
}
