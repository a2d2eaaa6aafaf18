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

/// The output side of one analysis: the current `.out` folder and its logs, the runtime
/// configuration they follow, and the disk budget. Folders are opened at the first packet
/// and then on rotation, runtime.conf changes and SIGHUP; each folder left behind is
/// finished and marked closed.
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
    pub(super) ok: bool,
}

impl Output {
    pub(super) fn open(&mut self, ts: Timestamp) {
        let fresh = self.rotating || self.folders > 0;
        let dir = if fresh {
            outdir::create_fresh(&self.base, ts)
        } else {
            outdir::create(&self.base, ts)
        };
        match dir.and_then(|d| TstatLogs::create(&d, &self.runtime, self.compression)) {
            Ok(logs) => {
                println!(
                    "[{}] created new outdir {}",
                    outdir::ctime(ts),
                    logs.dir().display()
                );
                self.logs = Some(logs);
                self.folders += 1;
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

    /// Finish every log of the current folder, fsync them and write the closed marker.
    pub(super) fn close(&mut self) {
        let Some(logs) = self.logs.take() else {
            return;
        };
        let dir = logs.dir().to_path_buf();
        self.closed_rows += logs.rows;
        if let Err(e) = logs.finish() {
            eprintln!("tstat: writing the logs in {}: {e}", dir.display());
            self.ok = false;
        }
        if let Err(e) = closed::close_folder(&dir) {
            eprintln!("tstat: cannot mark {} closed: {e}", dir.display());
            self.ok = false;
        }
    }

    /// Close the current folder and open the next one, named from `ts`.
    pub(super) fn switch(&mut self, ts: Timestamp, why: &str) {
        if self.logs.is_none() {
            return;
        }
        eprintln!("tstat: {why}: closing the output folder and opening a new one");
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
        self.closed_rows + self.logs.as_ref().map_or(0, |l| l.rows)
    }
}
