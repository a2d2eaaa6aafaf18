//! runtime.conf reload, with Tstat's timing: every `Runtime_Config_Idle` seconds of wall
//! clock the file's modification time is checked; a change arms a countdown of
//! `Runtime_Mtime_Counter` checks, and the file is read again when that many checks in a row
//! have seen the same time (an editor saving in several steps is waited out).

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

#[derive(Debug)]
pub struct RuntimeWatch {
    pub path: PathBuf,
    every: Duration,
    stable_checks: u64,
    next_check: Instant,
    last_mtime: Option<SystemTime>,
    /// Stable checks still needed before a reload; 0 when nothing is pending.
    countdown: u64,
    /// A failing stat was reported (once, until it works again).
    warned: bool,
}

impl RuntimeWatch {
    /// Watch `path`, whose content is already applied; `idle` seconds between checks.
    pub fn new(path: PathBuf, idle: f64, stable_checks: u64, now: Instant) -> RuntimeWatch {
        let last_mtime = mtime(&path);
        RuntimeWatch {
            path,
            every: Duration::from_secs_f64(idle.max(0.0)),
            stable_checks: stable_checks.max(1),
            next_check: now,
            last_mtime,
            countdown: 0,
            warned: false,
        }
    }

    /// Check the file if a check is due at `now`; true when it must be read again.
    pub fn poll(&mut self, now: Instant) -> bool {
        if now < self.next_check {
            return false;
        }
        self.next_check = now + self.every;
        match mtime(&self.path) {
            Some(m) => {
                self.warned = false;
                self.observe(m)
            }
            None => {
                if !self.warned {
                    eprintln!(
                        "tstat: cannot read the modification time of {}; the running \
                         configuration stays",
                        self.path.display()
                    );
                    self.warned = true;
                }
                false
            }
        }
    }

    /// One check that saw `mtime`; true when the countdown completes.
    pub fn observe(&mut self, mtime: SystemTime) -> bool {
        if self.last_mtime != Some(mtime) {
            self.last_mtime = Some(mtime);
            self.countdown = self.stable_checks;
            return false;
        }
        if self.countdown == 0 {
            return false;
        }
        self.countdown -= 1;
        self.countdown == 0
    }
}

fn mtime(path: &std::path::Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(s)
    }

    fn watch(stable: u64) -> RuntimeWatch {
        let mut w = RuntimeWatch::new(PathBuf::from("/nonexistent"), 1.0, stable, Instant::now());
        w.last_mtime = Some(t(100));
        w
    }

    #[test]
    fn reload_after_the_configured_number_of_stable_checks() {
        let mut w = watch(3);
        assert!(!w.observe(t(100)), "unchanged: nothing to do");
        assert!(!w.observe(t(200)), "changed: countdown armed");
        assert!(!w.observe(t(200)));
        assert!(!w.observe(t(200)));
        assert!(w.observe(t(200)), "third stable check reloads");
        assert!(!w.observe(t(200)), "once");
    }

    #[test]
    fn a_further_change_restarts_the_countdown() {
        let mut w = watch(2);
        assert!(!w.observe(t(200)));
        assert!(!w.observe(t(200)));
        assert!(!w.observe(t(300)), "saved again before the countdown ended");
        assert!(!w.observe(t(300)));
        assert!(w.observe(t(300)));
    }

    #[test]
    fn checks_wait_for_the_idle_time() {
        let start = Instant::now();
        let mut w = RuntimeWatch::new(PathBuf::from("/nonexistent"), 10.0, 1, start);
        w.warned = true; // keep the test quiet
        w.poll(start);
        assert_eq!(w.next_check, start + Duration::from_secs(10));
        assert!(!w.poll(start + Duration::from_secs(5)));
        assert_eq!(w.next_check, start + Duration::from_secs(10));
    }
}
