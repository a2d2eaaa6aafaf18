//! Tstat's histograms (`-H`, `-g`): the `NNN/`, `LAST/` and `GLOBAL/` folders of every `.out`
//! folder, byte for byte as Tstat 3.2.1 writes them (docs/semantics/histograms.md).
//!
//! [`Histograms`] is an [`Observer`](crate::engine::observe::Observer): the engine reports
//! plain-number events, this module turns them into samples (the feeds of §5, in `feed` and
//! `flows`), keeps the cells of the objects histo.conf switched on ([`store`]), the byte
//! counters of the fake bitrate histograms ([`bitrate`]), the averaging windows of
//! `profile_flows` and `chat_flow_num`, and the address tables ([`adx`]); every
//! `Max_Time_Step` it writes a step folder ([`write`]), and at the end `GLOBAL` and `LAST`.
//!
//! Layout: [`defs`] the 361 definitions and `-H ?`, [`conf`] histo.conf, [`labels`] the
//! label maps, [`format`] printf's number formats.

pub mod adx;
pub mod bitrate;
pub mod conf;
pub mod defs;
mod feed;
mod flows;
pub mod format;
pub mod labels;
pub mod store;
mod window;
pub mod write;

#[cfg(test)]
mod reference;
#[cfg(test)]
mod tests;

pub use conf::{ConfError, Parsed, Selection};
pub use defs::{definitions_text, Hid};

use self::adx::{Side, Table};
use self::bitrate::Rates;
use self::store::Store;
use self::window::{elapsed, ChatWindows, Profile};
use self::write::Writer;
use crate::time::Timestamp;
use std::io;
use std::path::{Path, PathBuf};

/// What a run's histograms need from the command line and the configuration files.
#[derive(Debug, Clone)]
pub struct HistoConfig {
    /// histo.conf's choice (`Selection::none()` without `-H`).
    pub selection: Selection,
    /// `-g`: the `g_*` objects exist, cumulative arrays are kept and `GLOBAL/` is written.
    pub global: bool,
    /// globals.conf `Max_Time_Step`, in seconds.
    pub max_time_step: f64,
    /// globals.conf `Max_ADX_Slots`: buckets of the address tables (their print order).
    pub adx_slots: u64,
    /// Tstat's `histo_engine`: false with `-S` (no steps, no `addresses`).
    pub engine_on: bool,
    /// runtime.conf `[log] histo_engine` (Tstat's `histo_engine_log`).
    pub log_on: bool,
    /// `-N` (or `-M`) was given: only external addresses feed `addresses`.
    pub nets_given: bool,
    /// `-t`: folder messages on stdout.
    pub ticks: bool,
    /// Distinct subnets an address table holds per period (memory bound; Tstat has none).
    pub adx_capacity: usize,
    /// `-R`: the RRD engine and the exports.
    #[cfg(feature = "rrd")]
    pub series: Option<crate::series::SeriesSetup>,
}

impl HistoConfig {
    /// Tstat's defaults around `selection`.
    pub fn new(selection: Selection) -> HistoConfig {
        HistoConfig {
            selection,
            global: false,
            max_time_step: 300.0,
            adx_slots: 70001,
            engine_on: true,
            log_on: true,
            nets_given: false,
            ticks: false,
            adx_capacity: 1 << 16,
            #[cfg(feature = "rrd")]
            series: None,
        }
    }
}

/// The `addresses2` machinery (adx2): a period table, a sub-period table, their clocks, and
/// the hits of the current packet, which count only after the packet's period check.
struct Adx2 {
    period: Table,
    sub: Table,
    period_us: u64,
    sub_us: u64,
    last: i64,
    sub_last: i64,
    packet: [Option<([u8; 4], Side, u64)>; 2],
}

/// Arrivals and departures of the packet in progress, applied to the averaging windows at its
/// end (they all happen at the packet's time, so their order does not matter).
#[derive(Debug, Clone, Copy, Default)]
struct Pending {
    tcp_arrivals: i64,
    tcp_departures: i64,
    udp_change: i64,
}

/// Every histogram of a run. See the module documentation.
pub struct Histograms {
    global: bool,
    engine_on: bool,
    log_on: bool,
    nets_given: bool,
    max_step_us: f64,
    store: Store,
    rates: Rates,
    profile: Profile,
    chat: ChatWindows,
    adx: Option<Table>,
    adx2: Option<Adx2>,
    writer: Writer,
    /// Tstat's `last_time_step` in µs: 0 until the first IP packet.
    step_start: i64,
    started: bool,
    ip_in_packet: bool,
    pending: Pending,
    steps: u64,
    /// Ask a replay of recorded events to stop once this many steps are written in the
    /// folder (its rotation).
    pause_at_steps: Option<u64>,
    /// The RRD engine and the exports (`-R`), updated at every flush.
    #[cfg(feature = "rrd")]
    series: Option<crate::series::Tracker>,
}

/// Tstat's clock: `timeval`, microseconds.
fn micros(t: Timestamp) -> i64 {
    t.0.div_euclid(1000)
}

impl Histograms {
    /// Allocate the cells of every selected object (and nothing else), once.
    pub fn new(cfg: HistoConfig) -> Histograms {
        let sel = &cfg.selection;
        let mut on = sel.on;
        for (i, o) in on.iter_mut().enumerate() {
            *o &= defs::exists(i, cfg.global);
        }
        let adx = sel
            .adx
            .then(|| Table::new(sel.adx_mask, cfg.adx_slots, cfg.adx_capacity));
        let adx2 = (sel.adx && sel.adx2).then(|| Adx2 {
            period: Table::new(sel.adx2_mask, cfg.adx_slots, cfg.adx_capacity),
            sub: Table::new(sel.adx2_mask, cfg.adx_slots, cfg.adx_capacity),
            period_us: sel.adx2_period_us,
            sub_us: sel.adx3_period_us,
            last: 0,
            sub_last: 0,
            packet: [None; 2],
        });
        #[allow(unused_mut)]
        let mut h = Histograms {
            global: cfg.global,
            engine_on: cfg.engine_on,
            log_on: cfg.log_on,
            nets_given: cfg.nets_given,
            max_step_us: cfg.max_time_step * 1_000_000.0,
            store: Store::new(&on, cfg.global),
            rates: Rates::new(),
            profile: Profile::new(),
            chat: ChatWindows::new(0),
            adx,
            adx2,
            writer: Writer::new(cfg.ticks),
            step_start: 0,
            started: false,
            ip_in_packet: false,
            pending: Pending::default(),
            steps: 0,
            pause_at_steps: None,
            #[cfg(feature = "rrd")]
            series: None,
        };
        #[cfg(feature = "rrd")]
        if let Some(s) = &cfg.series {
            h.attach_series(s.start());
        }
        h
    }

    /// Update the time series of `tracker` at every flush. Its histograms must be on (rrd.conf
    /// switches them on); their raw samples now also feed running statistics.
    #[cfg(feature = "rrd")]
    pub fn attach_series(&mut self, tracker: crate::series::Tracker) {
        for id in tracker.histograms() {
            self.store.track_running(id);
        }
        self.series = Some(tracker);
    }

    /// runtime.conf `[log] rrd_engine` changed.
    #[cfg(feature = "rrd")]
    pub fn set_series_enabled(&mut self, on: bool) {
        if let Some(t) = self.series.as_mut() {
            t.set_on(on);
        }
    }

    /// Wait until the series' sinks have written every flush; what they lost.
    #[cfg(feature = "rrd")]
    pub fn close_series(&mut self) -> Vec<String> {
        self.series.as_mut().map(|t| t.close()).unwrap_or_default()
    }

    /// Steps are taken when the histogram engine or the RRD engine is on (Tstat's
    /// `histo_engine || rrd_engine`).
    fn steps_on(&self) -> bool {
        #[cfg(feature = "rrd")]
        if self.series.as_ref().is_some_and(|t| t.is_on()) {
            return true;
        }
        self.engine_on
    }

    /// The RRD update of a flush (`print_all_histo` starts with it): at the whole second of
    /// `now`, over the step cells about to be written.
    #[cfg_attr(not(feature = "rrd"), allow(unused_variables))]
    fn flush_series(&mut self, now: Timestamp) {
        #[cfg(feature = "rrd")]
        if let Some(t) = self.series.as_mut() {
            if now.0 >= 0 {
                t.flush(&mut self.store, now.0.div_euclid(1_000_000_000) as u64);
            }
        }
    }

    /// The output folder rotates every `steps` steps (live and stdin input): a replay of
    /// recorded events (worker threads) stops there so that the folder changes at the same
    /// packet as with one engine ([`Observer::pause_requested`]).
    pub fn pause_at_steps(&mut self, steps: u64) {
        self.pause_at_steps = Some(steps);
    }

    /// The `.out` folder the next files go to; call it whenever the application opens one.
    /// The step count starts again from 0 (`000`), the cumulative arrays do not.
    pub fn set_folder(&mut self, dir: &Path) {
        self.writer.set_folder(dir);
        self.steps = 0;
    }

    /// Step folders written into the current `.out` folder: with live or stdin input the
    /// application opens a new folder when this reaches globals.conf `Dirs`.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// runtime.conf `[log] histo_engine` changed: histogram files stop or resume (the feed,
    /// the steps and `addresses` go on).
    pub fn set_log_enabled(&mut self, on: bool) {
        self.log_on = on;
    }

    /// Sub-folders written in the current `.out` folder (`000`, ..., `LAST`, `GLOBAL`), for
    /// its closed marker; every one holds a file per object that is on plus `addresses`.
    pub fn written_dirs(&self) -> &[PathBuf] {
        self.writer.dirs()
    }

    /// Every file written in the current `.out` folder, relative to it.
    pub fn written_files(&self) -> Vec<PathBuf> {
        let mut names: Vec<&str> = (0..defs::COUNT)
            .filter(|&i| self.store.on_index(i))
            .map(|i| defs::DEFS[i].name)
            .collect();
        names.dedup();
        let mut files = Vec::new();
        for d in self.writer.dirs() {
            let global = d.as_os_str() == "GLOBAL";
            let written = |n: &str| d.join(n);
            let dir = self.writer.folder().join(d);
            files.extend(names.iter().map(|n| written(n)));
            for extra in ["addresses", "addresses2"] {
                if !global && dir.join(extra).is_file() {
                    files.push(written(extra));
                }
            }
        }
        files
    }

    /// Files that could not be written so far.
    pub fn write_errors(&self) -> u64 {
        self.writer.errors()
    }

    /// The first write error not yet reported.
    pub fn take_error(&mut self) -> Option<io::Error> {
        self.writer.take_error()
    }

    /// Address hits lost because a table was full.
    pub fn adx_dropped(&self) -> u64 {
        self.adx.as_ref().map_or(0, |t| t.dropped)
            + self
                .adx2
                .as_ref()
                .map_or(0, |a| a.period.dropped + a.sub.dropped)
    }

    /// The end of the input (Tstat's `ProcessFileCompleted`, also on a signal), after the
    /// engine reported the closes of every flow still open: `GLOBAL/` (with `-g`), then
    /// `LAST/` with what happened since the last step, `addresses` into `LAST/`. `now` is
    /// Tstat's `current_time` then: the time of the last frame read, whatever it carried
    /// (a trailing ARP frame counts) and even if earlier than the one before; the LAST
    /// bitrates are over the time from the last step end to it.
    pub fn finish(&mut self, now: Timestamp) {
        let now_us = micros(now);
        self.end_of_packet(now_us, now);
        // trace_done closes TCP flows without a departure from the averaging window.
        self.pending.tcp_departures = 0;
        self.apply_pending(now_us);
        self.update_fakes(now_us);
        let files = (self.engine_on || self.global) && self.log_on;
        if self.global {
            self.store.accumulate();
        }
        self.flush_series(now);
        if self.global && files {
            self.writer
                .histograms(&mut self.store, "GLOBAL", write::Kind::Global, now);
        }
        if files {
            self.writer
                .histograms(&mut self.store, "LAST", write::Kind::Step, now);
        }
        self.write_addresses("LAST", now);
        self.adx2_print("LAST", now_us, now);
        self.store.clear_steps();
        self.steps = 0;
    }

    /// The output folder is about to change mid-run (SIGHUP, a runtime.conf change): the step
    /// in progress is written now into the folder being left, as one step folder, so that
    /// no sample waits for a folder it does not belong to. Our addition: Tstat has no such
    /// moment (SIGHUP ends it; a runtime.conf change keeps its histogram folder).
    pub fn flush_step(&mut self, now: Timestamp) {
        if !self.started {
            return;
        }
        let now_us = micros(now);
        self.end_of_packet(now_us, now);
        self.apply_pending(now_us);
        self.step_end(now_us, now);
    }

    /// With `-c`, the end of an input file that is not the last: Tstat writes a step and, by
    /// a second call, another one (`stat_dumping_old_style`, then `flush_histo_engine`).
    pub fn concat_file_end(&mut self, now: Timestamp) {
        let now_us = micros(now);
        self.end_of_packet(now_us, now);
        self.apply_pending(now_us);
        self.dump_step(now_us, now);
        self.step_end(now_us, now);
    }

    /// What ends every packet before its step check: the first IP packet starts the clocks,
    /// adx2 checks its periods and then counts the packet, the windows take the packet's
    /// arrivals and departures.
    fn end_of_packet(&mut self, now_us: i64, now: Timestamp) {
        if !self.ip_in_packet {
            return;
        }
        self.ip_in_packet = false;
        if !self.started {
            self.started = true;
            self.step_start = now_us;
            if let Some(a) = self.adx2.as_mut() {
                a.last = now_us;
                a.sub_last = now_us;
            }
        }
        self.adx2_tick(now_us, now);
    }

    fn apply_pending(&mut self, now_us: i64) {
        let p = std::mem::take(&mut self.pending);
        if p.tcp_arrivals != 0 || p.tcp_departures != 0 {
            self.profile
                .active_tcp
                .change(now_us, p.tcp_arrivals - p.tcp_departures);
        }
        if p.udp_change != 0 {
            self.profile.active_udp.change(now_us, p.udp_change);
        }
    }

    /// §3.2: a tracked flow's packet more than `Max_Time_Step` after the last step end
    /// closes the step.
    fn step_check(&mut self, now_us: i64, now: Timestamp, flow_stat_ok: bool) {
        if flow_stat_ok && self.steps_on() && elapsed(self.step_start, now_us) > self.max_step_us {
            self.step_end(now_us, now);
        }
    }

    /// `flush_histo_engine`: write the step, then restart the clock and the byte counters.
    fn step_end(&mut self, now_us: i64, now: Timestamp) {
        self.dump_step(now_us, now);
        self.step_start = now_us;
        self.rates.reset();
    }

    /// `stat_dumping_old_style`: fakes, cumulative sums, the `NNN/` folder, reset.
    fn dump_step(&mut self, now_us: i64, now: Timestamp) {
        self.update_fakes(now_us);
        if self.global {
            self.store.accumulate();
        }
        self.flush_series(now);
        let sub = format!("{:03}", self.steps);
        if (self.engine_on || self.global) && self.log_on {
            self.writer
                .histograms(&mut self.store, &sub, write::Kind::Step, now);
        }
        self.write_addresses(&sub, now);
        self.store.clear_steps();
        self.steps += 1;
    }

    /// `update_fake_histos`: the bitrates over the step, the chat and profile windows.
    fn update_fakes(&mut self, now_us: i64) {
        let elapsed_ms = elapsed(self.step_start, now_us) / 1000.0;
        bitrate::update_all(&mut self.store, &self.rates, elapsed_ms, self.global);
        for (k, w) in self.chat.0.iter_mut().enumerate() {
            let avg = w.take_average(now_us);
            self.store.set(Hid::chat_flow_num, k + 1, avg);
        }
        if self.store.on(Hid::profile_flows) {
            let p = &mut self.profile;
            let tcp = p.active_tcp.take_average(now_us);
            let udp = p.active_udp.take_average(now_us);
            let (missed_tcp, missed_udp) = (p.missed_tcp, p.missed_udp);
            p.missed_tcp = 0.0;
            p.missed_udp = 0.0;
            self.store.set(Hid::profile_flows, 4, tcp);
            self.store.set(Hid::profile_flows, 2, udp);
            self.store.set(Hid::profile_flows, 3, missed_tcp);
            self.store.set(Hid::profile_flows, 1, missed_udp);
        }
        // profile_cpu samples the wall clock and the process CPU time: left header-only, as
        // in every reference file (§6).
        if self.store.on(Hid::profile_tcpdata) {
            let p = &mut self.profile;
            let (received, missed) = (p.tcpdata_received, p.tcpdata_missed);
            p.tcpdata_received = 0.0;
            p.tcpdata_missed = 0.0;
            self.store.set(Hid::profile_tcpdata, 1, received);
            self.store.set(Hid::profile_tcpdata, 2, missed);
        }
    }

    /// `addresses` (table 0) into `<folder>/<sub>`: written even when empty, but only with
    /// the histogram engine (not `-S`) and the ADX engine on.
    fn write_addresses(&mut self, sub: &str, now: Timestamp) {
        if !self.engine_on {
            return;
        }
        if let Some(t) = self.adx.as_mut() {
            self.writer
                .file(sub, "addresses", false, now, |out| t.print_addresses(out));
        }
    }

    /// §4.2: at every IP packet, the period and sub-period checks of adx2, then the packet's
    /// own hits.
    fn adx2_tick(&mut self, now_us: i64, now: Timestamp) {
        let Some(a) = self.adx2.as_mut() else { return };
        let delta = elapsed(a.last, now_us);
        let sub_delta = elapsed(a.sub_last, now_us);
        if delta > a.period_us as f64 {
            let sub = format!("{:03}", self.steps);
            self.adx2_print(&sub, now_us, now);
        } else if sub_delta > a.sub_us as f64 {
            a.sub.fold_max_into(&mut a.period, sub_delta);
            a.sub_last = now_us;
        }
        let Some(a) = self.adx2.as_mut() else { return };
        for (addr, side, bytes) in a.packet.iter_mut().filter_map(Option::take) {
            a.period.add(addr, side, bytes);
            a.sub.add(addr, side, bytes);
        }
    }

    /// Fold the sub-period and append an `addresses2` block into `<folder>/<sub>` (only with
    /// the histogram engine, as `print_adx`).
    fn adx2_print(&mut self, sub: &str, now_us: i64, now: Timestamp) {
        let Some(a) = self.adx2.as_mut() else { return };
        let delta = elapsed(a.last, now_us);
        a.sub
            .fold_max_into(&mut a.period, elapsed(a.sub_last, now_us));
        a.last = now_us;
        a.sub_last = now_us;
        if !self.engine_on {
            a.period.clear();
            return;
        }
        let secs = now_us.div_euclid(1_000_000) as f64 + now_us.rem_euclid(1_000_000) as f64 / 1e6;
        let periods = (a.period_us / 1_000_000, a.sub_us / 1_000_000);
        let period = &mut a.period;
        self.writer.file(sub, "addresses2", true, now, |out| {
            period.print_addresses2(out, secs, periods, delta)
        });
    }
}
