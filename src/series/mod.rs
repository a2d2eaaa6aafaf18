//! Time series from the histograms: Tstat's RRD databases (`-R rrd.conf -r DIR`), and our
//! Graphite and Prometheus exports of the same values (docs/semantics/rrd.md).
//!
//! At every histogram flush (a step end, the end of the input) the [`Tracker`], owned by the
//! histograms, turns the statistics rrd.conf asks for into one batch of [`Update`]s: the
//! running statistics of the raw samples (avg, min, max, var, stdev, hit) and what the step's
//! cells give (prcP, idxN, idxoth). The batch goes to a thread of its own that hands it to
//! every [`Sink`], so no file or socket is touched on the packet path; a full queue makes the
//! flush wait rather than lose a batch.
//!
//! Layout: [`conf`] rrd.conf, [`rrd`] the database writer (no librrd), [`graphite`] carbon's
//! plaintext protocol, [`prom`] the Prometheus text file.

pub mod conf;
#[cfg(feature = "graphite")]
pub mod graphite;
pub mod prom;
pub mod rrd;

use crate::histo::defs::Hid;
use crate::histo::store::{Running, Store};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// One statistic of one histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    Hit,
    Avg,
    Min,
    Max,
    Var,
    Stdev,
    Prc(f64),
    Idx(i32),
    IdxOther,
}

impl Stat {
    /// The file name part Tstat uses: `avg`, `idx40`, `idxoth`, `prc95`, `prc99.900`.
    pub fn suffix(&self) -> String {
        match *self {
            Stat::Hit => "hit".into(),
            Stat::Avg => "avg".into(),
            Stat::Min => "min".into(),
            Stat::Max => "max".into(),
            Stat::Var => "var".into(),
            Stat::Stdev => "stdev".into(),
            Stat::Prc(p) if (p as i64) as f64 == p => format!("prc{p:.0}"),
            Stat::Prc(p) => format!("prc{p:.3}"),
            Stat::Idx(n) => format!("idx{n}"),
            Stat::IdxOther => "idxoth".into(),
        }
    }
}

/// A series: its histogram, its statistic, and its name (`ip_len_loc.prc95`, the RRD file
/// name without `.rrd`).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub hid: Hid,
    pub stat: Stat,
    pub name: String,
}

impl Series {
    pub fn histogram(&self) -> &'static str {
        self.hid.def().name
    }
}

/// Every series of a run, in Tstat's update order: histograms from the head of its list,
/// and per histogram hit, avg, min, max, var, stdev, the percentiles, the bins, `idxoth`.
pub fn series_of(cf: &conf::RrdConf) -> Vec<Series> {
    let mut out = Vec::new();
    for e in &cf.entries {
        let flags = [
            (e.hit, Stat::Hit),
            (e.avg, Stat::Avg),
            (e.min, Stat::Min),
            (e.max, Stat::Max),
            (e.var, Stat::Var),
            (e.stdev, Stat::Stdev),
        ];
        let stats = flags
            .iter()
            .filter(|f| f.0)
            .map(|f| f.1)
            .chain(e.prc.iter().map(|&p| Stat::Prc(p)))
            .chain(e.idx.iter().map(|&n| Stat::Idx(n)))
            .chain(e.idx_other.then_some(Stat::IdxOther));
        for stat in stats {
            out.push(Series {
                hid: e.id(),
                stat,
                name: format!("{}.{}", e.id().def().name, stat.suffix()),
            });
        }
    }
    out
}

/// One value of one series at a flush. `value` is what the database receives: Tstat sends
/// `%f` text, so the value rounded to 6 decimals (NaN for `-nan`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Update {
    pub series: u32,
    pub value: f64,
}

/// The text Tstat's `%f` makes of a value, which librrd keeps as the last value.
pub fn text_of(v: f64) -> String {
    if v.is_nan() {
        if v.is_sign_negative() { "-nan" } else { "nan" }.into()
    } else if v.is_infinite() {
        if v < 0.0 { "-inf" } else { "inf" }.into()
    } else {
        format!("{v:.6}")
    }
}

/// `%f` and back: the value librrd parses from Tstat's text.
pub fn rounded(v: f64) -> f64 {
    if v.is_finite() {
        text_of(v).parse().unwrap_or(v)
    } else {
        v
    }
}

/// This machine's name, for the default Graphite prefix (`probe` when it has none).
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most `buf.len()` bytes into the buffer we own.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    match std::str::from_utf8(&buf[..end]) {
        Ok(n) if rc == 0 && !n.is_empty() => n.to_string(),
        _ => "probe".into(),
    }
}

/// A consumer of the flushes.
pub trait Sink: Send {
    /// Every update of one flush at second `at`.
    fn flush(&mut self, at: u64, updates: &[Update]);
    /// The run ends: deliver what is pending; a line for the summary if something was lost.
    fn finish(&mut self) -> Option<String> {
        None
    }
}

/// What a run's series need, from the command line and the configuration files.
#[derive(Debug, Clone)]
pub struct SeriesSetup {
    pub series: Arc<[Series]>,
    /// `-r DIR`.
    pub rrd_dir: Option<std::path::PathBuf>,
    /// globals.conf `Max_Time_Step` in seconds: the RRD step; the heartbeat is twice it.
    pub max_time_step: f64,
    /// The engine at start: `-R`/`-r` given and runtime.conf does not set `rrd_engine = 0`.
    pub on: bool,
    /// `--graphite HOST:PORT` and the metric prefix.
    pub graphite: Option<(String, String)>,
    /// `--prom-file PATH`.
    pub prom_file: Option<std::path::PathBuf>,
}

impl SeriesSetup {
    /// The sinks' thread and the tracker that feeds it.
    pub fn start(&self) -> Tracker {
        let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
        if let Some(dir) = &self.rrd_dir {
            sinks.push(Box::new(rrd::RrdDir::new(
                dir,
                self.max_time_step as u64,
                (self.max_time_step * 2.0) as u64,
                rrd::layout::Layout::native(),
                Arc::clone(&self.series),
            )));
        }
        #[cfg(feature = "graphite")]
        if let Some((addr, prefix)) = &self.graphite {
            sinks.push(Box::new(graphite::Carbon::new(
                addr,
                prefix,
                Arc::clone(&self.series),
            )));
        }
        if let Some(path) = &self.prom_file {
            sinks.push(Box::new(prom::PromFile::new(
                path,
                Arc::clone(&self.series),
            )));
        }
        Tracker::new(Arc::clone(&self.series), sinks, self.on)
    }
}

/// A flush on its way to the sinks.
struct Batch {
    at: u64,
    updates: Vec<Update>,
}

/// Flushes in flight before a flush waits: 20 minutes of Tstat's steps.
const IN_FLIGHT: usize = 4;

/// The queue between the histograms and the sinks' thread (a mutex and a condition variable:
/// std's channels cost the router build kilobytes for two calls).
#[derive(Default)]
struct Queue {
    state: Mutex<(VecDeque<Batch>, bool)>,
    changed: Condvar,
}

impl Queue {
    /// Wait while `IN_FLIGHT` batches wait.
    fn push(&self, b: Batch) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        while st.0.len() >= IN_FLIGHT {
            match self.changed.wait(st) {
                Ok(g) => st = g,
                Err(_) => return,
            }
        }
        st.0.push_back(b);
        self.changed.notify_all();
    }

    /// The next batch; `None` once closed and empty.
    fn pop(&self) -> Option<Batch> {
        let mut st = self.state.lock().ok()?;
        loop {
            if let Some(b) = st.0.pop_front() {
                self.changed.notify_all();
                return Some(b);
            }
            if st.1 {
                return None;
            }
            st = self.changed.wait(st).ok()?;
        }
    }

    fn close(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.1 = true;
        }
        self.changed.notify_all();
    }
}

/// The statistics half of the RRD engine, inside the histograms: which histograms it reads,
/// the guard against two updates in one second, and the queue to the sinks' thread.
pub struct Tracker {
    series: Arc<[Series]>,
    /// Per histogram with series: its id, its series range, its last update second.
    histograms: Vec<(Hid, std::ops::Range<usize>, u64)>,
    on: bool,
    queue: Arc<Queue>,
    thread: Option<JoinHandle<Vec<String>>>,
}

impl Tracker {
    /// Start the sinks' thread. `sinks` see the series through the same `series` list.
    pub fn new(series: Arc<[Series]>, sinks: Vec<Box<dyn Sink>>, on: bool) -> Tracker {
        let mut histograms: Vec<(Hid, std::ops::Range<usize>, u64)> = Vec::new();
        for (i, s) in series.iter().enumerate() {
            match histograms.last_mut() {
                Some((h, r, _)) if *h == s.hid => r.end = i + 1,
                _ => histograms.push((s.hid, i..i + 1, 0)),
            }
        }
        let queue = Arc::new(Queue::default());
        let rx = Arc::clone(&queue);
        let thread = std::thread::Builder::new()
            .name("tstat-series".into())
            .spawn(move || {
                let mut sinks = sinks;
                while let Some(b) = rx.pop() {
                    for s in sinks.iter_mut() {
                        s.flush(b.at, &b.updates);
                    }
                }
                sinks.iter_mut().filter_map(|s| s.finish()).collect()
            });
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("tstat: cannot start the RRD thread ({e}): no RRD update is written");
                None
            }
        };
        Tracker {
            series,
            histograms,
            on,
            queue,
            thread,
        }
    }

    /// The histograms whose samples need running statistics.
    pub fn histograms(&self) -> impl Iterator<Item = Hid> + '_ {
        self.histograms.iter().map(|h| h.0)
    }

    /// runtime.conf `rrd_engine`.
    pub fn set_on(&mut self, on: bool) {
        self.on = on;
    }

    pub fn is_on(&self) -> bool {
        self.on
    }

    /// A flush at second `at` over the step cells in `store` (docs/semantics/rrd.md §3):
    /// a histogram already updated at or after `at` is skipped, its statistics kept.
    pub fn flush(&mut self, store: &mut Store, at: u64) {
        if !self.on {
            return;
        }
        let mut updates = Vec::with_capacity(self.series.len());
        for (hid, range, last) in self.histograms.iter_mut() {
            if *last >= at {
                continue;
            }
            *last = at;
            let running = store.running_mut(*hid).copied().unwrap_or_default();
            values_of(
                &self.series[range.clone()],
                range.start,
                &running,
                store,
                &mut updates,
            );
            if let Some(r) = store.running_mut(*hid) {
                r.reset();
            }
        }
        if self.thread.is_some() {
            self.queue.push(Batch { at, updates });
        }
    }

    /// Wait for the sinks to deliver everything; what they lost, for the summary.
    pub fn close(&mut self) -> Vec<String> {
        self.queue.close();
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        for line in self.close() {
            eprintln!("tstat: {line}");
        }
    }
}

/// The values of one histogram's series (§3.1, §3.2), in their order.
fn values_of(series: &[Series], first: usize, r: &Running, store: &Store, out: &mut Vec<Update>) {
    let Some(s0) = series.first() else { return };
    let d = s0.hid.def();
    let cell = |i: i64| -> f64 {
        if i < 0 {
            0.0
        } else {
            store.get(s0.hid, i as usize) as f64
        }
    };
    // The valid count, reduced by every listed bin before `idxoth`.
    let mut valid = cell(d.valid() as i64);
    let var = if r.count == 1 {
        -f64::NAN
    } else {
        r.pseudovar / (r.count - 1) as f64
    };
    for (k, s) in series.iter().enumerate() {
        let value = match s.stat {
            Stat::Hit => Some(r.count as f64),
            Stat::Avg => Some(r.avg),
            Stat::Min => (r.min <= 1e90).then_some(r.min),
            Stat::Max => (r.max > -1e90).then_some(r.max),
            Stat::Var => Some(var),
            Stat::Stdev => Some(if var.is_nan() { var } else { var.sqrt() }),
            Stat::Prc(p) => percentile(d, p, valid, &cell),
            Stat::Idx(n) => {
                let c = cell(conf::idx_cell(d.min, d.bin, n));
                valid -= c;
                Some(c)
            }
            Stat::IdxOther => Some(valid),
        };
        if let Some(v) = value {
            out.push(Update {
                series: (first + k) as u32,
                value: rounded(v),
            });
        }
    }
}

/// `prcP`: the lower bound of the first cell (underflow included) where the cumulative count
/// reaches P % of the valid samples; none when it never does (P > 100).
fn percentile(
    d: &crate::histo::defs::Def,
    p: f64,
    valid: f64,
    cell: &impl Fn(i64) -> f64,
) -> Option<f64> {
    let target = p * valid / 100.0;
    let mut cdf = 0.0;
    for j in 0..=d.num_col() {
        cdf += cell(j as i64);
        if cdf >= target {
            return Some((d.min + (j as i64 - 1) * d.bin) as f64);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_as_tstat() {
        let cf = conf::parse(
            "ip_len_loc avg prc:50,90,95,99.9 idx:40,1500,other hit\n",
            "r",
            false,
        )
        .unwrap();
        let names: Vec<String> = series_of(&cf).into_iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "ip_len_loc.hit",
                "ip_len_loc.avg",
                "ip_len_loc.prc50",
                "ip_len_loc.prc90",
                "ip_len_loc.prc95",
                "ip_len_loc.prc99.900",
                "ip_len_loc.idx40",
                "ip_len_loc.idx1500",
                "ip_len_loc.idxoth"
            ]
        );
    }

    #[test]
    fn printf_text() {
        assert_eq!(text_of(123.4285714), "123.428571");
        assert_eq!(text_of(-1e-9), "-0.000000");
        assert_eq!(text_of(-f64::NAN), "-nan");
        assert_eq!(text_of(0.0078125), "0.007812");
        assert_eq!(rounded(0.0078125), 0.007812);
    }
}
