//! Writing the histogram folders: `NNN`, `LAST` and `GLOBAL` under the current `.out` folder
//! (docs/semantics/histograms.md §2). Each file is formatted into one reused buffer and written
//! with one call. Write errors never stop the run: they are counted, the first is kept for
//! the application to report, and the next file is tried.

use super::defs::{Hid, COUNT, DEFS};
use super::format::{push_e, push_f0, push_i64};
use super::store::Store;
use crate::time::Timestamp;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Which array of the objects a folder gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The step just ended (`HISTO_PRINT_CURRENT`): `NNN/` and `LAST/`.
    Step,
    /// The cumulative arrays (`HISTO_PRINT_GLOBAL`): `GLOBAL/`.
    Global,
}

/// The output side: where files go and what went wrong.
pub struct Writer {
    folder: PathBuf,
    /// Folder messages on stdout behind `\r` (Tstat's `-t`) instead of stderr.
    ticks: bool,
    buf: Vec<u8>,
    /// Sub-folders written in the current `.out` folder (relative: `000`, `LAST`, ...).
    dirs: Vec<PathBuf>,
    errors: u64,
    first_error: Option<io::Error>,
}

impl Writer {
    pub fn new(ticks: bool) -> Writer {
        Writer {
            folder: PathBuf::new(),
            ticks,
            buf: Vec::with_capacity(64 * 1024),
            dirs: Vec::new(),
            errors: 0,
            first_error: None,
        }
    }

    pub fn set_folder(&mut self, dir: &Path) {
        self.folder = dir.to_path_buf();
        self.dirs.clear();
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    pub fn errors(&self) -> u64 {
        self.errors
    }

    pub fn take_error(&mut self) -> Option<io::Error> {
        self.first_error.take()
    }

    fn failed(&mut self, e: io::Error) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(e);
        }
    }

    /// `<folder>/<sub>`, created when missing with Tstat's message: histogram writers print
    /// `(<ctime of the packet time>) Creating output dir <path>` on stderr (stdout with `\r`
    /// under `-t`), the address writer `Creating output dir <path>` on stdout.
    pub fn ensure_dir(&mut self, sub: &str, now: Timestamp, by_histograms: bool) -> PathBuf {
        let dir = self.folder.join(sub);
        let rel = PathBuf::from(sub);
        if !self.dirs.contains(&rel) {
            self.dirs.push(rel);
        }
        if fs::metadata(&dir).is_ok() {
            return dir;
        }
        let message = if by_histograms {
            let secs = now.secs();
            let when = if secs == 0 || secs == -1 {
                "-".to_string()
            } else {
                crate::sink::outdir::ctime(now)
            };
            format!("({when}) Creating output dir {}\n", dir.display())
        } else {
            format!("Creating output dir {}\n", dir.display())
        };
        // As the application's other folder messages (println!, so test runs capture them).
        if by_histograms && !self.ticks {
            eprint!("{message}");
        } else {
            let prefix = if by_histograms { "\r" } else { "" };
            print!("{prefix}{message}");
            let _ = io::stdout().flush();
        }
        if let Err(e) = make_dir(&dir) {
            self.failed(e);
        }
        dir
    }

    /// Write `self.buf` as `dir/name` (truncating, or appending for `addresses2`).
    fn flush_file(&mut self, dir: &Path, name: &str, append: bool) {
        let path = dir.join(name);
        let opened = if append {
            fs::OpenOptions::new().create(true).append(true).open(&path)
        } else {
            File::create(&path)
        };
        let result = match opened {
            Ok(mut f) => f.write_all(&self.buf),
            Err(e) => {
                let cr = if self.ticks { "\r" } else { "" };
                eprintln!("{cr}Could not open file {}", path.display());
                Err(e)
            }
        };
        if let Err(e) = result {
            self.failed(e);
        }
    }

    /// Every object that is on, into `<folder>/<sub>`, in Tstat's list order (the reverse of
    /// creation). The local `tcp_net_dup` object shares its file name with the outgoing one,
    /// which Tstat writes after it, so it is written only when that one is off (§1.1).
    pub fn histograms(&mut self, store: &mut Store, sub: &str, kind: Kind, now: Timestamp) {
        if !(0..COUNT).any(|i| store.on_index(i)) {
            return;
        }
        let dir = self.ensure_dir(sub, now, true);
        let shadowed = Hid::tcp_net_dup_loc.index();
        for i in (0..COUNT).rev() {
            if !store.on_index(i) || (i == shadowed && store.on(Hid::tcp_net_dup_out)) {
                continue;
            }
            self.buf.clear();
            match kind {
                Kind::Step => format_step(&mut self.buf, store, i),
                Kind::Global => format_global(&mut self.buf, store, i),
            }
            self.flush_file(&dir, DEFS[i].name, false);
        }
    }

    /// A whole file from `fill` into `<folder>/<sub>/<name>`.
    pub fn file(
        &mut self,
        sub: &str,
        name: &str,
        append: bool,
        now: Timestamp,
        fill: impl FnOnce(&mut Vec<u8>),
    ) {
        let dir = self.ensure_dir(sub, now, false);
        self.buf.clear();
        fill(&mut self.buf);
        self.flush_file(&dir, name, append);
    }
}

#[cfg(unix)]
fn make_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new().mode(0o775).create(dir)
}

#[cfg(not(unix))]
fn make_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir(dir)
}

fn header(out: &mut Vec<u8>, i: usize) {
    let d = &DEFS[i];
    out.push(b'#');
    out.extend_from_slice(d.descr.as_bytes());
    out.extend_from_slice(b"\n#RANGE: min=");
    push_i64(out, d.min);
    out.extend_from_slice(b" bin_size=");
    push_i64(out, d.bin);
    out.extend_from_slice(b" max=");
    push_i64(out, d.max);
    out.push(b'\n');
}

/// A step or LAST file: the header, then `label count` for every non-zero cell but the
/// valid count (§2.2).
pub fn format_step(out: &mut Vec<u8>, store: &mut Store, i: usize) {
    header(out, i);
    let d = &DEFS[i];
    let valid = d.valid() as u32;
    store.each_step_cell(i, |c, v| {
        if c != valid {
            push_i64(out, d.label(c as usize));
            out.push(b' ');
            push_i64(out, v);
            out.push(b'\n');
        }
    });
}

/// A GLOBAL file: the header, the `#SAMPLES:` line, then `label pdf CDF` for every cell
/// whose pdf is positive (§2.3). The CDF sums every cell's pdf in index order: with a total
/// of 0, a zero cell's 0/0 makes it NaN from there on, which skipping the zero cells of a
/// sparse listing must reproduce.
pub fn format_global(out: &mut Vec<u8>, store: &mut Store, i: usize) {
    header(out, i);
    let d = &DEFS[i];
    let under = store.global_cell(i, 0);
    let valid = store.global_cell(i, d.valid());
    let over = store.global_cell(i, d.overflow());
    let tot = (under as u64)
        .wrapping_add(valid as u64)
        .wrapping_add(over as u64);
    out.extend_from_slice(b"#SAMPLES: <min=");
    push_f0(out, under as f64);
    out.extend_from_slice(b" valid=");
    push_f0(out, valid as f64);
    out.extend_from_slice(b" >max=");
    push_f0(out, over as f64);
    out.extend_from_slice(b" tot=");
    push_f0(out, tot as f64);
    out.push(b'\n');
    let total = tot as f64;
    let last = d.overflow() as u32;
    let mut cdf = 0.0f64;
    let mut next = 0u32;
    store.each_global_cell(i, |c, v| {
        if c > last {
            return;
        }
        if c > next && tot == 0 {
            cdf = f64::NAN;
        }
        next = c + 1;
        let pdf = v as f64 / total;
        cdf += pdf;
        if pdf > 0.0 {
            push_i64(out, d.label(c as usize));
            out.push(b' ');
            push_e(out, pdf);
            out.push(b' ');
            push_e(out, cdf);
            out.push(b'\n');
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_with(ids: &[Hid], global: bool) -> Store {
        let mut on = [false; COUNT];
        for id in ids {
            on[id.index()] = true;
        }
        Store::new(&on, global)
    }

    fn step_text(s: &mut Store, id: Hid) -> String {
        let mut b = Vec::new();
        format_step(&mut b, s, id.index());
        String::from_utf8(b).unwrap()
    }

    fn global_text(s: &mut Store, id: Hid) -> String {
        let mut b = Vec::new();
        format_global(&mut b, s, id.index());
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn step_files() {
        let mut s = store_with(
            &[
                Hid::udp_port_dst_loc,
                Hid::profile_cpu,
                Hid::icmpv6_type_out,
            ],
            false,
        );
        for p in [53.0, 53.0, 52234.0] {
            s.add(Hid::udp_port_dst_loc, p);
        }
        s.add(Hid::icmpv6_type_out, 143.0);
        assert_eq!(
            step_text(&mut s, Hid::udp_port_dst_loc),
            "#UDP destination port - local packets\n#RANGE: min=0 bin_size=1 max=65536\n53 2\n52234 1\n"
        );
        assert_eq!(
            step_text(&mut s, Hid::profile_cpu),
            "#cpu load [clock/time]\n#RANGE: min=0 bin_size=1 max=4\n"
        );
        assert!(step_text(&mut s, Hid::icmpv6_type_out).ends_with("max=143\n143 1\n"));
    }

    #[test]
    fn global_files() {
        let mut s = store_with(
            &[Hid::g_other_bitrate_in, Hid::profile_flows, Hid::ip_len_in],
            true,
        );
        for v in [-5.0, -5.0, -5.0, -5.0, 10.0] {
            s.add(Hid::g_other_bitrate_in, v);
        }
        for _ in 0..13 {
            s.add(Hid::g_other_bitrate_in, 65.0);
        }
        s.set(Hid::profile_flows, 2, 88.0);
        s.set(Hid::profile_flows, 4, 11.0);
        s.set(Hid::profile_flows, 3, f64::NAN); // i64::MIN: −∞, not printed
        s.accumulate();
        assert_eq!(
            global_text(&mut s, Hid::g_other_bitrate_in),
            "#Global OTHER bitrate IN [kbit/s]\n#RANGE: min=0 bin_size=100 max=1000000\n#SAMPLES: \
             <min=4 valid=14 >max=0 tot=18\n-100 2.222222e-01 2.222222e-01\n0 7.777778e-01 \
             1.000000e+00\n"
        );
        assert_eq!(
            global_text(&mut s, Hid::profile_flows),
            "#flows handled\n#RANGE: min=0 bin_size=1 max=5\n#SAMPLES: <min=0 valid=0 >max=0 \
             tot=0\n1 inf -nan\n3 inf -nan\n"
        );
        assert_eq!(
            global_text(&mut s, Hid::ip_len_in),
            "#IP packet length [byte] - incoming packets\n#RANGE: min=0 bin_size=4 max=1504\n#SAMPLES: \
             <min=0 valid=0 >max=0 tot=0\n"
        );
    }
}
