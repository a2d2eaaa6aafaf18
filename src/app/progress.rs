//! `-t`: progress on stderr, and the reports of packets the kernel dropped in live capture.
//!
//! On a terminal the progress line is rewritten in place twice a second; otherwise (a log
//! file, procd's syslog) a line is written every few seconds. Drops are reported whether or
//! not `-t` is given, since they make the rows of the flows they hit wrong.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often a progress line is refreshed on a terminal, and written elsewhere.
const ON_TERMINAL: Duration = Duration::from_millis(500);
const IN_A_LOG: Duration = Duration::from_secs(5);

/// What a progress line of a trace file says.
pub(super) struct FileProgress<'a> {
    pub name: &'a str,
    pub frames: u64,
    /// Bytes of the file read so far (before decompression), and its size when known.
    pub bytes: u64,
    pub size: Option<u64>,
}

/// What a progress line of a live capture says.
#[cfg(feature = "live")]
pub(super) struct LiveProgress<'a> {
    pub interface: &'a str,
    pub packets: u64,
    pub open_flows: u64,
    pub dropped: u64,
}

pub(super) struct Progress {
    on: bool,
    terminal: bool,
    every: Duration,
    started: Instant,
    next: Instant,
    /// Frames/packets and bytes at the previous line, for the rates.
    last: (Instant, u64, u64),
    /// A line is on the terminal without its newline.
    pending_newline: bool,
}

impl Progress {
    pub(super) fn new(on: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let every = if terminal { ON_TERMINAL } else { IN_A_LOG };
        let now = Instant::now();
        Progress {
            on,
            terminal,
            every,
            started: now,
            next: now + every,
            last: (now, 0, 0),
            pending_newline: false,
        }
    }

    /// Whether a line is due at `now` (cheap; the caller reads the clock sparingly).
    pub(super) fn due(&self, now: Instant) -> bool {
        self.on && now >= self.next
    }

    pub(super) fn file(&mut self, now: Instant, p: &FileProgress<'_>) {
        let elapsed = now - self.started;
        let (rate, byte_rate) = self.rates(now, p.frames, p.bytes);
        let mut line = format!("{}: ", p.name);
        if let Some(size) = p.size.filter(|&s| s > 0) {
            let done = (p.bytes as f64 / size as f64).min(1.0);
            line += &format!("{:5.1}% of {}, ", done * 100.0, megabytes(size));
            line += &format!(
                "{} frames, {}/s, {}/s, elapsed {}",
                count(p.frames),
                count(rate),
                megabytes(byte_rate),
                clock(elapsed)
            );
            if done > 0.0 {
                let eta = elapsed.as_secs_f64() * (1.0 - done) / done;
                line += &format!(", ETA {}", clock(Duration::from_secs_f64(eta)));
            }
        } else {
            line += &format!(
                "{} read, {} frames, {}/s, {}/s, elapsed {}",
                megabytes(p.bytes),
                count(p.frames),
                count(rate),
                megabytes(byte_rate),
                clock(elapsed)
            );
        }
        self.emit(now, &line);
    }

    #[cfg(feature = "live")]
    pub(super) fn live(&mut self, now: Instant, p: &LiveProgress<'_>) {
        let (rate, _) = self.rates(now, p.packets, 0);
        let line = format!(
            "{}: {} packets/s, {} open flows, {} dropped, {} packets in {}",
            p.interface,
            count(rate),
            count(p.open_flows),
            count(p.dropped),
            count(p.packets),
            clock(now - self.started)
        );
        self.emit(now, &line);
    }

    /// End a line left open on the terminal.
    pub(super) fn done(&mut self) {
        if self.pending_newline {
            eprintln!();
            self.pending_newline = false;
        }
    }

    fn rates(&mut self, now: Instant, frames: u64, bytes: u64) -> (u64, u64) {
        let (at, f0, b0) = self.last;
        self.last = (now, frames, bytes);
        let secs = (now - at).as_secs_f64();
        if secs <= 0.0 {
            return (0, 0);
        }
        let per_sec = |d: u64| (d as f64 / secs) as u64;
        (
            per_sec(frames.saturating_sub(f0)),
            per_sec(bytes.saturating_sub(b0)),
        )
    }

    fn emit(&mut self, now: Instant, line: &str) {
        self.next = now + self.every;
        let mut err = std::io::stderr().lock();
        if self.terminal {
            // Back to the line's start, the new text, then clear what a longer line left.
            let _ = write!(err, "\rtstat: {line}\x1b[K");
            self.pending_newline = true;
        } else {
            let _ = writeln!(err, "tstat: {line}");
        }
        let _ = err.flush();
    }
}

/// Reports packets the kernel dropped during live capture as it happens, at most once per
/// [`DropWatch::QUIET`], besides the final summary.
#[cfg_attr(not(feature = "live"), allow(dead_code))]
pub(super) struct DropWatch {
    reported: u64,
    next_check: Instant,
    next_report: Instant,
}

#[cfg_attr(not(feature = "live"), allow(dead_code))]
impl DropWatch {
    /// How often the capture's counters are read.
    const CHECK: Duration = Duration::from_secs(1);
    /// At most one report in this time.
    const QUIET: Duration = Duration::from_secs(10);

    pub(super) fn new() -> DropWatch {
        let now = Instant::now();
        DropWatch {
            reported: 0,
            next_check: now,
            next_report: now,
        }
    }

    /// Whether the counters should be read at `now`.
    pub(super) fn due(&self, now: Instant) -> bool {
        now >= self.next_check
    }

    /// Given the drops so far, print a line if there are new ones and no report was made in
    /// the last [`Self::QUIET`].
    pub(super) fn check(&mut self, now: Instant, interface: &str, dropped_so_far: u64) {
        self.next_check = now + Self::CHECK;
        if dropped_so_far > self.reported && now >= self.next_report {
            eprintln!(
                "tstat: {interface}: {} packets dropped before tstat could read them \
                 ({dropped_so_far} since the start); the flows they belonged to have wrong \
                 counters",
                dropped_so_far - self.reported
            );
            self.reported = dropped_so_far;
            self.next_report = now + Self::QUIET;
        }
    }
}

/// 1234567 as "1,234,567".
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// h:mm:ss, or m:ss under an hour.
fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_clocks_read_as_people_write_them() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(clock(Duration::from_secs(65)), "1:05");
        assert_eq!(clock(Duration::from_secs(3 * 3600 + 61)), "3:01:01");
        assert_eq!(megabytes(212_900_000), "212.9 MB");
    }

    #[test]
    fn drops_are_reported_once_per_quiet_period() {
        let mut w = DropWatch::new();
        let t0 = Instant::now();
        assert_eq!(w.reported, 0);
        w.check(t0, "eth0", 0);
        assert_eq!(w.reported, 0, "nothing dropped, nothing reported");
        w.check(t0, "eth0", 7);
        assert_eq!(w.reported, 7);
        w.check(t0 + Duration::from_secs(2), "eth0", 9);
        assert_eq!(w.reported, 7, "within the quiet period");
        w.check(t0 + Duration::from_secs(11), "eth0", 9);
        assert_eq!(w.reported, 9);
    }
}
