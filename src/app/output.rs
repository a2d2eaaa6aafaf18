//! The output side of one analysis: the current `.out` folder, its logs and the disk budget.

use std::path::PathBuf;

use std::time::{Duration, Instant};

use crate::config::runtime::Runtime;
use crate::sink::budget::DiskBudget;
use crate::sink::closed;
use crate::sink::file::Compression;
use crate::sink::logs::TstatLogs;
use crate::sink::outdir;
use crate::time::Timestamp;

/// How often the disk budget is checked besides each folder change (wall clock).
const BUDGET_CHECK: Duration = Duration::from_secs(10);
/// After a write error, how often a new folder is tried (wall clock).
pub(super) const RETRY_WRITE: Duration = Duration::from_secs(2);

/// The output side of one analysis: the current `.out` folder and its logs, the runtime
/// configuration they follow, and the disk budget. Folders are opened at the first packet
/// and then on rotation, runtime.conf changes and SIGHUP; each folder left behind is
/// finished and marked closed.
///
/// When writing fails (a full disk), the folder is finished with what could be written
/// (each log cut back to its last whole row), rows are counted as lost instead of written,
/// and every [`RETRY_WRITE`] a new folder is tried; once one can be written the analysis
/// goes on there, and the folders cut short are marked closed. tstat keeps running: a
/// supervisor restarting it would meet the same full disk.
pub(super) struct Output {
    pub(super) base: PathBuf,
    pub(super) compression: Compression,
    pub(super) runtime: Runtime,
    pub(super) logs: Option<TstatLogs>,
    /// Live or stdin input: folders rotate, and an existing folder is never replaced.
    pub(super) rotating: bool,
    pub(super) failed_to_create: bool,
    pub(super) budget: DiskBudget,
    pub(super) next_budget_check: Instant,
    /// Folders opened, and rows written into folders already closed.
    pub(super) folders: u64,
    pub(super) closed_rows: u64,
    /// Rows lost in folders already closed, or while no folder could be written.
    pub(super) lost_rows: u64,
    /// Writing failed: `logs` discards (and counts) rows until this time, when a new folder
    /// is tried.
    pub(super) waiting_until: Option<Instant>,
    /// Folders cut short by a write error, to be marked closed once the disk has room.
    pub(super) unmarked: Vec<PathBuf>,
    pub(super) ok: bool,
    /// `-H`: the histograms, whose step folders go into the current `.out` folder.
    #[cfg(feature = "histo")]
    pub(super) histo: Option<crate::histo::Histograms>,
    /// `-Y`: what the rows hide; its key is saved before the first folder is made.
    pub(super) privacy: Option<super::privacy::RunPrivacy>,
    /// The key could not be saved: nothing is written and the input is not read further.
    pub(super) stopped: bool,
}

impl Output {
    pub(super) fn new(
        base: PathBuf,
        compression: Compression,
        runtime: Runtime,
        rotating: bool,
        budget: DiskBudget,
    ) -> Output {
        Output {
            base,
            compression,
            runtime,
            logs: None,
            rotating,
            failed_to_create: false,
            budget,
            next_budget_check: Instant::now(),
            folders: 0,
            closed_rows: 0,
            lost_rows: 0,
            waiting_until: None,
            unmarked: Vec::new(),
            ok: true,
            #[cfg(feature = "histo")]
            histo: None,
            privacy: None,
            stopped: false,
        }
    }

    /// Create the base folder and write into it, before any packet is read: an unwritable
    /// `-s` is reported at once, naming the folder and the system's error.
    pub(super) fn check_writable(&self) -> Result<(), String> {
        let probe = self
            .base
            .join(format!(".tstat-write-check-{}", std::process::id()));
        std::fs::create_dir_all(&self.base)
            .and_then(|()| std::fs::write(&probe, b""))
            .and_then(|()| std::fs::remove_file(&probe))
            .map_err(|e| {
                format!(
                    "cannot write into the output folder {}: {e}",
                    self.base.display()
                )
            })
    }

    pub(super) fn open(&mut self, ts: Timestamp) {
        if self.folders == 0 && !self.save_key(ts) {
            return;
        }
        match self.try_open(ts) {
            Ok(logs) => {
                self.announce(ts, &logs);
                self.logs = Some(logs);
            }
            Err(e) => {
                eprintln!(
                    "tstat: cannot create the output folder under {}: {e}",
                    self.base.display()
                );
                self.failed_to_create = true;
            }
        }
    }

    /// The first folder of a trace: save the key beside it first (Tstat does it right after
    /// the folder; a key that cannot be saved then crashes it, we stop before any row).
    fn save_key(&mut self, ts: Timestamp) -> bool {
        #[cfg(feature = "anon")]
        if let Some(p) = &self.privacy {
            if let Err(e) = p.save_key(&self.base, &outdir::folder_name(ts)) {
                eprintln!("tstat: {e}; stopping before anything is written");
                self.stopped = true;
                self.failed_to_create = true;
                return false;
            }
        }
        let _ = ts;
        true
    }

    fn try_open(&mut self, ts: Timestamp) -> std::io::Result<TstatLogs> {
        let fresh = self.rotating || self.folders > 0;
        let dir = if fresh {
            outdir::create_fresh(&self.base, ts)
        } else {
            outdir::create(&self.base, ts)
        }?;
        #[allow(unused_mut)]
        let mut logs = TstatLogs::create(&dir, &self.runtime, self.compression);
        #[cfg(feature = "anon")]
        if let Ok(l) = logs.as_mut() {
            l.set_privacy(self.privacy.as_ref().map(|p| p.privacy.clone()));
        }
        if logs.is_ok() {
            self.folders += 1;
            #[cfg(feature = "histo")]
            if let Some(h) = self.histo.as_mut() {
                h.set_folder(&dir);
            }
        }
        logs
    }

    fn announce(&self, ts: Timestamp, logs: &TstatLogs) {
        println!(
            "[{}] created new outdir {}",
            outdir::ctime(ts),
            logs.dir().display()
        );
    }

    /// A write failed, or a new folder is waiting to be tried: [`Output::check_writes`]
    /// has work (cheap: no clock, no system call).
    pub(super) fn needs_attention(&self) -> bool {
        self.waiting_until.is_some() || self.logs.as_ref().is_some_and(TstatLogs::failed)
    }

    /// Look for a write error, or, while waiting for room, try a new folder; `ts` names it.
    /// Called every few packets and on a quiet link.
    pub(super) fn check_writes(&mut self, now: Instant, ts: Timestamp) {
        match self.waiting_until {
            Some(retry) if now >= retry => self.try_resume(now, ts),
            Some(_) => {}
            None => {
                if let Some(error) = self.logs.as_ref().and_then(TstatLogs::write_error) {
                    self.write_failed(now, &error);
                }
            }
        }
    }

    fn write_failed(&mut self, now: Instant, error: &str) {
        let Some(logs) = self.logs.take() else {
            return;
        };
        let dir = logs.dir().to_path_buf();
        eprintln!(
            "tstat: writing the logs in {} failed ({error}): its logs end at their last whole \
             row; rows are counted as lost until a new folder can be written (tried every {} s)",
            dir.display(),
            RETRY_WRITE.as_secs()
        );
        // Every other log writes out what it still can.
        let end = logs.finish();
        self.closed_rows += end.rows;
        self.lost_rows += end.lost;
        self.unmarked.push(dir);
        self.logs = Some(TstatLogs::discarding(&self.runtime));
        self.waiting_until = Some(now + RETRY_WRITE);
        self.ok = false;
    }

    fn try_resume(&mut self, now: Instant, ts: Timestamp) {
        let attempt = self.try_open(ts).and_then(|mut logs| match logs.flush() {
            Ok(()) => Ok(logs),
            Err(e) => {
                let dir = logs.dir().to_path_buf();
                drop(logs);
                let _ = std::fs::remove_dir_all(&dir);
                self.folders -= 1;
                Err(e)
            }
        });
        match attempt {
            Ok(logs) => {
                let lost_meanwhile = self.logs.as_ref().map_or(0, TstatLogs::lost);
                self.lost_rows += lost_meanwhile;
                eprintln!(
                    "tstat: the output folder can be written again: {lost_meanwhile} rows were \
                     lost meanwhile ({} in all); going on in {}",
                    self.lost_rows,
                    logs.dir().display()
                );
                self.announce(ts, &logs);
                self.logs = Some(logs);
                self.waiting_until = None;
                self.mark_cut_short_folders();
                self.enforce_budget();
            }
            Err(_) => self.waiting_until = Some(now + RETRY_WRITE),
        }
    }

    /// Mark the folders a write error cut short as closed, now that there may be room.
    fn mark_cut_short_folders(&mut self) {
        self.unmarked.retain(|dir| match closed::close_folder(dir) {
            Ok(_) => false,
            Err(e) => {
                eprintln!("tstat: cannot mark {} closed yet: {e}", dir.display());
                true
            }
        });
    }

    /// Finish every log of the current folder, fsync them and write the closed marker.
    pub(super) fn close(&mut self) {
        let Some(logs) = self.logs.take() else {
            return;
        };
        if self.waiting_until.take().is_some() {
            // No folder was open: the rows given meanwhile are lost.
            self.lost_rows += logs.lost();
            self.mark_cut_short_folders();
            return;
        }
        let dir = logs.dir().to_path_buf();
        let end = logs.finish();
        self.closed_rows += end.rows;
        self.lost_rows += end.lost;
        if let Err(e) = end.result {
            eprintln!("tstat: writing the logs in {}: {e}", dir.display());
            self.ok = false;
        }
        if let Err(e) = closed::close_folder(&dir) {
            eprintln!("tstat: cannot mark {} closed: {e}", dir.display());
            self.ok = false;
        }
        self.mark_cut_short_folders();
    }

    /// Close the current folder and open the next one, named from `ts`. `mid_step`: the
    /// change does not fall on a histogram step (SIGHUP, a runtime.conf change), whose step
    /// in progress then goes into the folder being closed.
    pub(super) fn switch(&mut self, ts: Timestamp, why: &str, mid_step: bool) {
        if self.logs.is_none() || self.waiting_until.is_some() {
            return;
        }
        eprintln!("tstat: {why}: closing the output folder and opening a new one");
        #[cfg(feature = "histo")]
        if mid_step {
            if let Some(h) = self.histo.as_mut() {
                h.flush_step(ts);
            }
            self.check_histograms();
        }
        #[cfg(not(feature = "histo"))]
        let _ = mid_step;
        self.close();
        self.open(ts);
        self.enforce_budget();
    }

    pub(super) fn enforce_budget(&mut self) {
        if self.budget.enabled() {
            let current = self.logs.as_ref().map(|l| l.dir().to_path_buf());
            self.budget.enforce(&self.base, current.as_deref());
        }
        self.next_budget_check = Instant::now() + BUDGET_CHECK;
    }

    pub(super) fn rows(&self) -> u64 {
        self.closed_rows + self.logs.as_ref().map_or(0, TstatLogs::rows_written)
    }

    /// The logs and the histograms at once (the engine writes rows into the one and reports
    /// what it sees to the other).
    pub(super) fn sinks(
        &mut self,
    ) -> (
        Option<&mut TstatLogs>,
        Option<&mut dyn crate::engine::observe::Observer>,
    ) {
        #[cfg(feature = "histo")]
        let obs = self
            .histo
            .as_mut()
            .map(|h| h as &mut dyn crate::engine::observe::Observer);
        #[cfg(not(feature = "histo"))]
        let obs = None;
        (self.logs.as_mut(), obs)
    }

    /// Report a histogram write error once, as the logs' are.
    #[cfg(feature = "histo")]
    pub(super) fn check_histograms(&mut self) {
        if let Some(e) = self.histo.as_mut().and_then(|h| h.take_error()) {
            eprintln!(
                "tstat: writing histograms under {}: {e}",
                self.base.display()
            );
            self.ok = false;
        }
    }

    /// Rows lost so far, the current folder's included.
    pub(super) fn lost(&self) -> u64 {
        self.lost_rows + self.logs.as_ref().map_or(0, TstatLogs::lost)
    }
}
