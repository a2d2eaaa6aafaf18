//! One analysis: frames from a source through the engine into the output, with what Tstat
//! does between packets (rotation, runtime.conf, signals, the disk budget).

use std::path::{Path, PathBuf};

use std::time::Instant;

use super::analysis::Analysis;
use super::output::Output;
#[cfg(feature = "live")]
use super::progress::{DropWatch, LiveProgress};
use super::progress::{FileProgress, Progress};
use super::reload::RuntimeWatch;
use super::rotation::Rotation;
use super::run::{dump_refusal, skype_log_needs_bayes, warn_header_only, Setup};
use super::signals;
use super::summary::summary;
use crate::config::runtime::{LogKind, Runtime};
use crate::sink::budget::DiskBudget;
use crate::sink::outdir;
use crate::source::{self, TraceInput};
use crate::time::Timestamp;

/// One analysis: an engine, and the output its records go to.
pub(super) struct Job<'a> {
    setup: &'a Setup,
    engine: Analysis,
    out: Output,
    rotation: Rotation,
    watch: Option<RuntimeWatch>,
    /// globals.conf `Dirs`: histogram steps per folder of a stream.
    dirs: u64,
    frames_handled: u64,
    /// Some input could be opened (else the run ends with its error and no summary).
    opened_any: bool,
    progress: Progress,
    /// `-f` on trace files, as Tstat applies it to every libpcap handle.
    #[cfg(feature = "live")]
    filter: Option<crate::source::filter::FrameFilter>,
}

/// Frames between two readings of the wall clock for runtime.conf and the disk budget, which
/// are checked every few seconds. Read for every frame, the clock (a VM's clock source here)
/// took a tenth of the reader thread's time with `--workers`. A quiet live link reads it at
/// every timeout.
const CLOCK_EVERY: u64 = 64;

/// Why a stream's folder changes after `Dirs` histogram steps.
const ROTATION: &str = "rotation (Dirs x Max_Time_Step of packet time)";

/// Frames between two looks at whether a `-t` progress line is due.
const PROGRESS_EVERY: u64 = 4096;

impl<'a> Job<'a> {
    pub(super) fn new(setup: &'a Setup, trace_name: &str, rotating: bool) -> Job<'a> {
        let base = outdir::base_dir(setup.args.outdir.as_deref().map(Path::new), trace_name);
        let g = &setup.globals;
        #[allow(unused_mut)]
        let mut out = Output::new(
            base,
            setup.compression,
            setup.runtime.clone(),
            rotating,
            DiskBudget::new(g.max_disk_usage),
        );
        #[cfg(feature = "histo")]
        {
            out.histo = setup.histo.clone().map(crate::histo::Histograms::new);
            if rotating {
                // Worker threads replay the histograms' events: they stop at the step that
                // ends the folder, which changes there as with one engine.
                if let Some(h) = out.histo.as_mut() {
                    h.pause_at_steps(g.dirs.max(1));
                }
            }
        }
        out.privacy = setup.privacy.clone();
        Job {
            setup,
            engine: Analysis::new(setup),
            out,
            rotation: Rotation::new(g.max_time_step, g.dirs),
            dirs: g.dirs.max(1),
            frames_handled: 0,
            opened_any: false,
            progress: Progress::new(setup.args.progress),
            #[cfg(feature = "live")]
            filter: None,
            watch: setup.args.runtime.as_ref().map(|p| {
                RuntimeWatch::new(
                    PathBuf::from(p),
                    g.runtime_config_idle,
                    g.runtime_mtime_counter,
                    Instant::now(),
                )
            }),
        }
    }

    /// Frames of trace files go through this filter first (`-f`).
    #[cfg(feature = "live")]
    pub(super) fn set_filter(&mut self, filter: crate::source::filter::FrameFilter) {
        self.filter = Some(filter);
    }

    /// Frames the `-f` filter rejected.
    fn filtered_out(&self) -> u64 {
        #[cfg(feature = "live")]
        if let Some(f) = &self.filter {
            return f.rejected;
        }
        0
    }

    /// A stream's next folder is due: after `Dirs` histogram steps when histograms are kept
    /// (Tstat counts its rotation in histogram steps), else by packet time alone.
    fn rotation_due(&mut self, ts: Timestamp) -> bool {
        #[cfg(feature = "histo")]
        if let Some(h) = self.out.histo.as_ref() {
            return h.steps() >= self.dirs;
        }
        let _ = self.dirs;
        self.rotation.packet(ts)
    }

    /// The output folder can be created and written (checked before any packet is read).
    pub(super) fn check_output(&self) -> Result<(), String> {
        self.out.check_writable()
    }

    /// Create the output folder at the first packet.
    fn ensure_logs(&mut self, ts: Timestamp) {
        if self.out.logs.is_none() && !self.out.failed_to_create && self.out.folders == 0 {
            self.out.open(ts);
            self.out.enforce_budget();
        }
    }

    /// Read every frame of one input. Returns false when the input could not be opened.
    pub(super) fn feed(&mut self, input: &TraceInput) -> bool {
        let name = input.display_name();
        let (mut src, bytes_read) = match source::open_trace_counted(input) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("tstat: {e}");
                return false;
            }
        };
        self.opened_any = true;
        let size = match input {
            TraceInput::File(p) => std::fs::metadata(p)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
            TraceInput::Stdin => None,
        };
        let mut frames: u64 = 0;
        loop {
            if signals::stop_requested() {
                eprintln!("tstat: signal received: stopping and writing out open flows");
                break;
            }
            if self.out.stopped {
                break;
            }
            match src.next_frame() {
                Ok(Some(frame)) => {
                    frames += 1;
                    #[cfg(feature = "live")]
                    if let Some(f) = self.filter.as_mut() {
                        match f.accepts(&frame) {
                            Ok(true) => {}
                            Ok(false) => continue,
                            Err(e) => {
                                eprintln!("tstat: {name}: {e}; the rest of this input is skipped");
                                break;
                            }
                        }
                    }
                    self.handle_frame(&frame);
                    if frames % PROGRESS_EVERY == 0 {
                        let now = Instant::now();
                        if self.progress.due(now) {
                            let p = FileProgress {
                                name: &name,
                                frames,
                                bytes: bytes_read.get(),
                                size,
                            };
                            self.progress.file(now, &p);
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    self.progress.done();
                    eprintln!("tstat: {name}: {e}; the rest of this input is skipped, flows read so far are kept");
                    break;
                }
            }
        }
        self.progress.done();
        true
    }

    /// One frame into the engine; the first timestamped one names the output folder. Then,
    /// as Tstat does after each packet: rotation, runtime.conf, signals, the disk budget.
    fn handle_frame(&mut self, frame: &source::Frame<'_>) {
        if frame.ts != Timestamp::ZERO || self.engine.first_packet_time().is_some() {
            self.ensure_logs(frame.ts);
        }
        let (logs, obs) = self.out.sinks();
        self.engine.frame(frame, logs, obs);
        if self.out.rotating
            && self.engine.first_packet_time().is_some()
            && self.rotation_due(frame.ts)
        {
            if self.engine.paused_at().is_some() {
                // Worker threads: the replay stopped at the step that ends the folder. The
                // rows so far go into it, then it changes there.
                let (logs, obs) = self.out.sinks();
                self.engine.sync(logs, obs);
                self.rotate_where_paused();
            } else {
                self.switch(frame.ts, ROTATION, false);
            }
        }
        self.frames_handled = self.frames_handled.wrapping_add(1);
        self.between_packets(self.frames_handled % CLOCK_EVERY == 0);
    }

    /// Work done between packets, and on a quiet link: signals, then, when `read_clock` says
    /// the wall clock may be read, runtime.conf and the disk budget.
    fn between_packets(&mut self, read_clock: bool) {
        if signals::take_report() {
            eprint!(
                "{}",
                summary(&self.engine.figures(), &self.out, self.filtered_out())
            );
        }
        if signals::take_reopen() {
            if self.out.logs.is_some() {
                self.switch(self.engine.now(), "SIGHUP", true);
            } else {
                eprintln!("tstat: SIGHUP: no output folder open yet, nothing to reopen");
            }
        }
        if read_clock && self.out.needs_attention() {
            self.out.check_writes(Instant::now(), self.engine.now());
        }
        if !read_clock || (self.watch.is_none() && !self.out.budget.enabled()) {
            return;
        }
        let now = Instant::now();
        if self.watch.as_mut().is_some_and(|w| w.poll(now)) {
            self.reload();
        }
        if self.out.budget.enabled() && now >= self.out.next_budget_check {
            self.out.enforce_budget();
        }
    }

    /// Read runtime.conf again on top of the running configuration, as Tstat does. A
    /// malformed file is rejected whole; any change of [log] or [options] closes the
    /// current folder and opens a new one with the new logs and headers.
    fn reload(&mut self) {
        let Some(path) = self.watch.as_ref().map(|w| w.path.display().to_string()) else {
            return;
        };
        let mut new = match Runtime::load(&path, self.out.runtime.clone()) {
            Ok(r) => r,
            Err(e) => {
                eprintln!(
                    "tstat: runtime.conf reload rejected: {e}; the running configuration stays"
                );
                return;
            }
        };
        if self.setup.args.privacy {
            new.httplog_full_url = 0;
        }
        skype_log_needs_bayes(&mut new, &self.setup.args);
        if let Some(msg) = dump_refusal(&new) {
            eprintln!(
                "tstat: runtime.conf reload rejected: {msg}; the running configuration stays"
            );
            return;
        }
        if new == self.out.runtime {
            eprintln!("tstat: {path} read again: nothing changed");
            return;
        }
        let when = self.engine.first_packet_time().map(|_| self.engine.now());
        announce_changes(&self.out.runtime, &new, when);
        warn_header_only(&new);
        let (logs, obs) = self.out.sinks();
        self.engine.set_logs(&new, logs, obs);
        self.rotate_where_paused();
        #[cfg(feature = "rrd")]
        if new.rrd_engine != self.out.runtime.rrd_engine {
            if let Some(h) = self.out.histo.as_mut() {
                // Tstat keeps its engine as the last file said; a key removed changes nothing.
                if let Some(on) = new.rrd_engine {
                    h.set_series_enabled(on);
                }
            }
        }
        self.out.runtime = new;
        self.switch(self.engine.now(), &format!("{path} changed"), true);
    }

    /// Close the output folder and open the next, once every row so far is written (and,
    /// with worker threads, every histogram event heard).
    fn switch(&mut self, ts: Timestamp, why: &str, mid_step: bool) {
        let (logs, obs) = self.out.sinks();
        self.engine.sync(logs, obs);
        self.rotate_where_paused();
        self.out.switch(ts, why, mid_step);
    }

    /// Worker threads: the histograms' replay stopped where a folder ends (it can while a
    /// sync replays what was held): rotate there, then go on, as often as that happens.
    fn rotate_where_paused(&mut self) {
        while let Some(at) = self.engine.paused_at() {
            self.out.switch(at, ROTATION, false);
            self.resume_replay();
        }
    }

    fn resume_replay(&mut self) {
        let (_, obs) = self.out.sinks();
        self.engine.resume(obs);
    }

    /// Capture until a signal: frames into the engine, idle flows closed on quiet reads, and
    /// the interface reopened with backoff when it fails.
    #[cfg(feature = "live")]
    pub(super) fn feed_live(&mut self, cap: &mut source::live::LiveCapture) {
        use source::live::LiveEvent;
        self.opened_any = true;
        let mut frames: u64 = 0;
        let mut drops = DropWatch::new();
        while !signals::stop_requested() {
            match cap.next_event() {
                LiveEvent::Frame(frame) => {
                    frames += 1;
                    self.handle_frame(&frame);
                }
                LiveEvent::Drained => {
                    let (logs, obs) = self.out.sinks();
                    self.engine.hand_over(logs, obs);
                    self.rotate_where_paused();
                    self.watch_capture(cap, &mut drops, frames);
                }
                LiveEvent::Quiet => {
                    let (logs, obs) = self.out.sinks();
                    if let Some(logs) = logs {
                        self.engine.quiet(Timestamp::now(), logs, obs);
                        let _ = logs.flush();
                    }
                    self.rotate_where_paused();
                    self.between_packets(true);
                    self.watch_capture(cap, &mut drops, frames);
                }
                LiveEvent::Failed(e) => {
                    eprintln!("tstat: {e}; reopening it, open flows are kept");
                    reopen_with_backoff(cap);
                }
            }
        }
        self.progress.done();
        eprintln!("tstat: signal received: stopping and writing out open flows");
    }

    /// After each block of packets and on a quiet link: report new drops, and the `-t` line.
    #[cfg(feature = "live")]
    fn watch_capture(
        &mut self,
        cap: &mut source::live::LiveCapture,
        drops: &mut DropWatch,
        packets: u64,
    ) {
        let now = Instant::now();
        if !drops.due(now) && !self.progress.due(now) {
            return;
        }
        let stats = cap.stats();
        let dropped = stats.dropped + stats.if_dropped;
        drops.check(now, cap.interface(), dropped);
        if self.progress.due(now) {
            let p = LiveProgress {
                interface: cap.interface(),
                packets,
                open_flows: self.engine.figures().open_flows,
                dropped,
            };
            self.progress.live(now, &p);
        }
    }

    /// Write out every open flow, finish the logs, mark the folder closed and print the
    /// summary.
    pub(super) fn finish(mut self) -> bool {
        if !self.opened_any {
            return false; // the input's error said it all; nothing was read
        }
        let (logs, obs) = self.out.sinks();
        let analysed = self.engine.finish(logs, obs);
        self.rotate_where_paused();
        #[cfg(feature = "histo")]
        if self.engine.first_packet_time().is_some() {
            let now = self.engine.last_frame();
            if let Some(h) = self.out.histo.as_mut() {
                h.finish(now);
                // The RRD files and exports are written before the summary says we are done.
                #[cfg(feature = "rrd")]
                for line in h.close_series() {
                    eprintln!("tstat: {line}");
                }
            }
            self.out.check_histograms();
        }
        if self.out.logs.is_none() && self.out.folders == 0 {
            eprintln!("tstat: not even a single packet read: no output folder created");
        }
        let last_dir = self.out.logs.as_ref().map(|l| l.dir().to_path_buf());
        self.out.close();
        self.out.enforce_budget();
        print!(
            "{}",
            summary(&self.engine.figures(), &self.out, self.filtered_out())
        );
        if let Some(dir) = last_dir {
            println!("last output folder: {}", dir.display());
        }
        analysed && self.out.ok && !self.out.failed_to_create
    }
}

/// Tstat's stdout lines for a reloaded runtime.conf: `[<time>] Enabling <log>`, the TCP and
/// video levels, the HTTP URL setting. `<time>` is the current packet's, `-` before any.
fn announce_changes(old: &Runtime, new: &Runtime, when: Option<Timestamp>) {
    let ts = when.map_or_else(|| "-".to_string(), outdir::ctime);
    for kind in LogKind::ALL {
        match (old.log_enabled(kind), new.log_enabled(kind)) {
            (false, true) => println!("[{ts}] Enabling {}", kind.file_name()),
            (true, false) => println!("[{ts}] Disabling {}", kind.file_name()),
            _ => {}
        }
    }
    if LogKind::ALL.iter().all(|&k| !new.log_enabled(k)) {
        println!("[{ts}] All logs disabled");
    }
    if old.tcplog_level != new.tcplog_level {
        println!("[{ts}] TCP log level set to {}", new.tcplog_level);
    }
    if old.videolog_level != new.videolog_level {
        println!("[{ts}] Video log level set to {}", new.videolog_level);
    }
    if old.httplog_full_url != new.httplog_full_url {
        let what = match new.httplog_full_url {
            0 => "Disabling",
            1 => "Enabling partial",
            _ => "Enabling full",
        };
        println!("({ts}) {what} HTTP URL log");
    }
}

/// Retry opening the interface, waiting 1 s, 2 s, 4 s... up to 30 s between tries, until it
/// works or a signal asks to stop.
#[cfg(feature = "live")]
fn reopen_with_backoff(cap: &mut source::live::LiveCapture) {
    let mut wait = std::time::Duration::from_secs(1);
    while !signals::stop_requested() {
        std::thread::sleep(wait);
        match cap.reopen() {
            Ok(()) => {
                eprintln!("tstat: capturing on {} again", cap.interface());
                return;
            }
            Err(e) => eprintln!(
                "tstat: {e}; next try in {} s",
                (wait * 2).min(MAX_BACKOFF).as_secs()
            ),
        }
        wait = (wait * 2).min(MAX_BACKOFF);
    }
}

#[cfg(feature = "live")]
const MAX_BACKOFF: std::time::Duration = std::time::Duration::from_secs(30);
