//! The RRD databases (`-r DIR`): `DIR/<histogram>.<stat>.rrd`, one GAUGE data source named
//! after the histogram, step `Max_Time_Step`, heartbeat twice that, four AVERAGE archives
//! (docs/semantics/rrd.md §2, §4). Written by our own code: librrd pulls in cairo and pango,
//! and OpenWrt only packages rrdtool 1.0.
//!
//! A file is created at the first flush that finds it missing, with its start 10 s before
//! that flush (as Tstat's `--start now-10`), and every update reads its header, consolidates
//! ([`consolidate`]) and writes back what changed ([`layout`]). A file that fails is reported
//! once, counted, and tried again at the next flush; the analysis goes on.

pub mod consolidate;
pub mod layout;

use self::consolidate::{State, TSTAT_ARCHIVES};
use self::layout::Layout;
use super::{text_of, Series, Sink, Update};
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// librrd's longest data source name (`DS_NAM_SIZE` − 1).
pub const DS_NAME_MAX: usize = 19;

/// What the databases have seen, for the summary and the tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: u64,
    pub updates: u64,
    /// Updates refused because the file's last update is not earlier (time went back).
    pub refused: u64,
    /// Updates lost to I/O errors or foreign files.
    pub failed: u64,
}

/// The databases of one run.
pub struct RrdDir {
    dir: PathBuf,
    layout: Layout,
    step: u64,
    heartbeat: u64,
    series: Arc<[Series]>,
    /// Per series: the file exists (checked once, then kept), and its failure was reported.
    exists: Vec<bool>,
    reported: Vec<bool>,
    counts: Counts,
    header: Vec<u8>,
}

impl RrdDir {
    /// `step` and `heartbeat` in whole seconds (Tstat: `Max_Time_Step` and twice it).
    pub fn new(
        dir: &Path,
        step: u64,
        heartbeat: u64,
        layout: Layout,
        series: Arc<[Series]>,
    ) -> RrdDir {
        let n = series.len();
        RrdDir {
            dir: dir.to_path_buf(),
            layout,
            step: step.max(1),
            heartbeat: heartbeat.max(1),
            series,
            exists: vec![false; n],
            reported: vec![false; n],
            counts: Counts::default(),
            header: Vec::new(),
        }
    }

    pub fn path_of(&self, i: usize) -> PathBuf {
        self.dir.join(format!("{}.rrd", self.series[i].name))
    }

    /// Create the file of series `i` if it is missing: Tstat's `rrdtool create` with
    /// `--start at-10`.
    fn ensure(&mut self, i: usize, at: u64) -> io::Result<()> {
        if self.exists[i] {
            return Ok(());
        }
        let path = self.path_of(i);
        let ds: String = self.series[i]
            .histogram()
            .chars()
            .take(DS_NAME_MAX)
            .collect();
        let st = State::created(self.step, self.heartbeat, at - 10, &TSTAT_ARCHIVES);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(&self.layout.new_file(&ds, &st))?;
                self.counts.created += 1;
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        self.exists[i] = true;
        Ok(())
    }

    /// One update of series `i`.
    fn update(&mut self, i: usize, at: u64, value: f64) -> io::Result<()> {
        let path = self.path_of(i);
        let invalid = |m: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("not a tstat RRD file: {m}"),
            )
        };
        let mut f = match OpenOptions::new().read(true).write(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                // Deleted while we run: made again at the next flush, as Tstat does.
                self.exists[i] = false;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let st = self.read_header(&mut f).map_err(|e| match e {
            HeaderError::Io(e) => e,
            HeaderError::Invalid(m) => invalid(m),
        })?;
        let mut st = st;
        let text = text_of(value);
        let mut rows: Vec<(usize, u64, f64)> = Vec::new();
        if let Err(e) = st.update(at, value, &text, |a, r, v| rows.push((a, r, v))) {
            self.counts.refused += 1;
            return Err(io::Error::other(format!(
                "update at {} refused: its last update is at {} (time went back)",
                e.at, e.last
            )));
        }
        for (a, r, v) in rows {
            f.write_all_at(&self.layout.f64_bytes(v), self.layout.row_at(&st, a, r))?;
        }
        self.layout.write_state(&mut self.header, &st);
        let o = self.layout.offsets(st.archives.len());
        f.write_all_at(&self.header[o.live_head..o.data], o.live_head as u64)?;
        self.counts.updates += 1;
        Ok(())
    }

    fn read_header(&mut self, f: &mut File) -> Result<State, HeaderError> {
        let probe = self.layout.offsets(1).ds_def;
        self.header.resize(probe, 0);
        f.read_exact(&mut self.header).map_err(HeaderError::Io)?;
        let n = self
            .layout
            .archive_count(&self.header)
            .map_err(HeaderError::Invalid)?;
        let len = self.layout.offsets(n).data;
        self.header.resize(len, 0);
        f.read_exact(&mut self.header[probe..])
            .map_err(HeaderError::Io)?;
        self.layout
            .read_state(&self.header, n)
            .map_err(HeaderError::Invalid)
    }

    fn report(&mut self, i: usize, e: &io::Error) {
        self.counts.failed += 1;
        if !std::mem::replace(&mut self.reported[i], true) {
            eprintln!(
                "tstat: RRD {}: {e} (counted; tried again at the next flush)",
                self.path_of(i).display()
            );
        }
    }
}

enum HeaderError {
    Io(io::Error),
    Invalid(String),
}

impl Sink for RrdDir {
    fn flush(&mut self, at: u64, updates: &[Update]) {
        if at < 10 {
            return;
        }
        // Tstat creates every missing file before the first update of a flush.
        for i in 0..self.series.len() {
            if let Err(e) = self.ensure(i, at) {
                self.report(i, &e);
            }
        }
        for u in updates {
            let i = u.series as usize;
            if self.exists[i] {
                if let Err(e) = self.update(i, at, u.value) {
                    self.report(i, &e);
                }
            }
        }
    }

    fn finish(&mut self) -> Option<String> {
        let c = self.counts;
        (c.failed > 0).then(|| {
            format!(
                "RRD: {} updates lost ({} refused as not later than the last), {} made, in {}",
                c.failed,
                c.refused,
                c.updates,
                self.dir.display()
            )
        })
    }
}
