//! `--prom-file PATH` (our addition): the values of the last flush in the Prometheus text
//! exposition format, for node_exporter's textfile collector (OpenWrt's
//! prometheus-node-exporter-lua reads the same files), so a router needs no extra server.
//!
//! One gauge family, `tstat_histo{histogram="ip_len_loc",stat="prc95"}`: histogram names as
//! metric names would break promtool's naming rules (`mm_cl_b_in` reads as a unit suffix).
//! `tstat_flush_time_seconds` is the packet time of the flush (the textfile collector refuses
//! samples with their own timestamps). The file is written beside
//! its final name and renamed over it, so a scrape sees the old or the new file, never half.

use super::{Series, Sink, Update};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct PromFile {
    path: PathBuf,
    series: Arc<[Series]>,
    text: String,
    failures: u64,
}

impl PromFile {
    pub fn new(path: &Path, series: Arc<[Series]>) -> PromFile {
        PromFile {
            path: path.to_path_buf(),
            series,
            text: String::new(),
            failures: 0,
        }
    }

    /// The exposition of one flush.
    pub fn render(&mut self, at: u64, updates: &[Update]) -> &str {
        let t = &mut self.text;
        t.clear();
        t.push_str(
            "# HELP tstat_flush_time_seconds Packet time of the flush these values are from.\n\
             # TYPE tstat_flush_time_seconds gauge\n",
        );
        let _ = writeln!(t, "tstat_flush_time_seconds {at}");
        t.push_str(
            "# HELP tstat_histo A statistic of a Tstat histogram over the last step, as rrd.conf \
             names it (RRD file <histogram>.<stat>.rrd).\n# TYPE tstat_histo gauge\n",
        );
        for u in updates {
            let s = &self.series[u.series as usize];
            let _ = writeln!(
                t,
                "tstat_histo{{histogram=\"{}\",stat=\"{}\"}} {}",
                s.histogram(),
                s.stat.suffix(),
                value_text(u.value)
            );
        }
        &self.text
    }

    fn write(&mut self) -> std::io::Result<()> {
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".tmp");
        std::fs::write(&tmp, self.text.as_bytes())?;
        std::fs::rename(&tmp, &self.path)
    }
}

/// The value as Tstat's `%f` text (the value is rounded to it already); Go's ParseFloat
/// reads `NaN`, `+Inf`, `-Inf`.
fn value_text(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        super::text_of(v)
    }
}

impl Sink for PromFile {
    fn flush(&mut self, at: u64, updates: &[Update]) {
        self.render(at, updates);
        if let Err(e) = self.write() {
            self.failures += 1;
            if self.failures == 1 {
                eprintln!(
                    "tstat: --prom-file {}: {e} (counted; written again at the next flush)",
                    self.path.display()
                );
            }
        }
    }

    fn finish(&mut self) -> Option<String> {
        (self.failures > 0).then(|| {
            format!(
                "--prom-file {}: {} flushes could not be written",
                self.path.display(),
                self.failures
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{conf, series_of};
    use super::*;

    #[test]
    fn one_family_labelled_by_histogram_and_stat() {
        let cf = conf::parse("ip_len_loc avg prc:95\nudp_cl_p_in avg\n", "r", false).unwrap();
        let series: Arc<[Series]> = series_of(&cf).into();
        let mut p = PromFile::new(Path::new("/nonexistent"), Arc::clone(&series));
        let ups: Vec<Update> = (0..series.len() as u32)
            .map(|i| Update {
                series: i,
                value: if i == 0 { f64::NAN } else { 1.5 },
            })
            .collect();
        let text = p.render(1413055309, &ups).to_string();
        assert_eq!(text.matches("# TYPE ").count(), 2, "{text}");
        assert!(text.contains("tstat_flush_time_seconds 1413055309\n"));
        let prc = "tstat_histo{histogram=\"ip_len_loc\",stat=\"prc95\"} 1.500000\n";
        assert!(text.contains(prc), "{text}");
        assert!(text.contains(",stat=\"avg\"} NaN\n"), "{text}");
    }
}
