use std::io::Write;
use std::path::{Path, PathBuf};

use argh::FromArgs;

use std::time::{Duration, Instant};

use super::analysis::{worker_count, Analysis};
use super::args::{words_of_conf, Args};
use super::privileges;
use super::reload::RuntimeWatch;
use super::rotation::Rotation;
use super::signals;
use crate::config::globals::Globals;
use crate::config::nets::NetList;
use crate::config::runtime::{LogKind, Runtime};
use crate::decode::SkipReason;
use crate::engine::figures::Figures;
use crate::sink::budget::DiskBudget;
use crate::sink::closed;
use crate::sink::file::Compression;
use crate::sink::logs::{TstatLogs, IMPLEMENTED};
use crate::sink::outdir;
use crate::source::{self, TraceInput};
use crate::time::Timestamp;

const VERSION: &str = concat!(
    "tstat ",
    env!("CARGO_PKG_VERSION"),
    " (Rust), output-compatible with Tstat 3.2.1"
);

/// Everything fixed before the first packet.
pub(super) struct Setup {
    pub(super) args: Args,
    pub(super) globals: Globals,
    pub(super) runtime: Runtime,
    pub(super) internal: NetList,
    compression: Compression,
    /// Analysis threads (1: no worker thread).
    #[cfg(feature = "workers")]
    pub(super) workers: usize,
}

/// Run the command with `argv` (without the program name); returns the exit status.
pub fn main_with_args(argv: Vec<String>) -> i32 {
    let argv = if argv.is_empty() {
        match std::fs::read_to_string("tstat.conf") {
            Ok(text) => words_of_conf(&text),
            Err(_) => {
                eprintln!("tstat: no arguments and no ./tstat.conf to read them from. Try 'tstat --help'.");
                return 1;
            }
        }
    } else {
        argv
    };
    // argh takes a lone `-` for a malformed flag; Tstat's users mean standard input by it,
    // which our trace parser also accepts spelled `stdin`.
    let strs: Vec<&str> = argv
        .iter()
        .map(|a| if a == "-" { "stdin" } else { a.as_str() })
        .collect();
    let args = match Args::from_args(&["tstat"], &strs) {
        Ok(a) => a,
        Err(early) => {
            if early.status.is_ok() {
                println!("{}", early.output);
                println!("Globals (-G):\n{}", Globals::default().describe());
                return 0;
            }
            eprintln!("{}", early.output);
            return 1;
        }
    };
    if args.version {
        println!("{VERSION}");
        return 0;
    }
    outdir::init_timezone();
    let setup = match load_setup(args) {
        Ok(s) => s,
        Err(msg) => {
            eprintln!("tstat: {msg}");
            return 1;
        }
    };
    signals::install();
    run(&setup)
}

fn load_setup(args: Args) -> Result<Setup, String> {
    for msg in args.unsupported() {
        eprintln!("tstat: warning: {msg}");
    }
    for (path, section) in [
        (&args.globals, "[globals]"),
        (&args.runtime, "[log]/[options]"),
    ] {
        if let Some(p) = path {
            warn_keys_outside_sections(p, section);
        }
    }
    let globals = match &args.globals {
        Some(p) => Globals::load(p).map_err(|e| e.to_string())?,
        None => Globals::default(),
    };
    let mut runtime = Runtime::default();
    if args.no_logs {
        runtime.all_logs_off();
    }
    if let Some(p) = &args.runtime {
        runtime = Runtime::load(p, runtime).map_err(|e| e.to_string())?;
    }
    // -0 (strict privacy): no URL in log_http_complete whatever runtime.conf says.
    if args.privacy && runtime.httplog_full_url != 0 {
        eprintln!(
            "tstat: warning: -0 (strict privacy) sets httplog_full_url = {} to 0",
            runtime.httplog_full_url
        );
        runtime.httplog_full_url = 0;
    }
    warn_header_only(&runtime);
    let compression = args.log_compression()?;
    let internal = match &args.netfile {
        Some(p) => {
            NetList::load(p, globals.max_internal_hosts as usize).map_err(|e| e.to_string())?
        }
        None => NetList::everything(),
    };
    for w in &internal.warnings {
        eprintln!("tstat: warning: {w}");
    }
    // Checked in every build: one without worker threads refuses --workers above 1.
    #[cfg_attr(not(feature = "workers"), allow(unused_variables))]
    let workers = worker_count(args.workers)?;
    Ok(Setup {
        args,
        globals,
        runtime,
        internal,
        compression,
        #[cfg(feature = "workers")]
        workers,
    })
}

/// How often the disk budget is checked besides each folder change (wall clock).
const BUDGET_CHECK: Duration = Duration::from_secs(10);

/// The output side of one analysis: the current `.out` folder and its logs, the runtime
/// configuration they follow, and the disk budget. Folders are opened at the first packet
/// and then on rotation, runtime.conf changes and SIGHUP; each folder left behind is
/// finished and marked closed.
struct Output {
    base: PathBuf,
    compression: Compression,
    runtime: Runtime,
    logs: Option<TstatLogs>,
    /// Live or stdin input: folders rotate, and an existing folder is never replaced.
    rotating: bool,
    failed_to_create: bool,
    budget: DiskBudget,
    next_budget_check: Instant,
    /// Folders opened, and rows written into folders already closed.
    folders: u64,
    closed_rows: u64,
    ok: bool,
}

impl Output {
    fn open(&mut self, ts: Timestamp) {
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
    fn close(&mut self) {
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
    fn switch(&mut self, ts: Timestamp, why: &str) {
        if self.logs.is_none() {
            return;
        }
        eprintln!("tstat: {why}: closing the output folder and opening a new one");
        self.close();
        self.open(ts);
        self.enforce_budget();
    }

    fn enforce_budget(&mut self) {
        if self.budget.enabled() {
            let current = self.logs.as_ref().map(|l| l.dir().to_path_buf());
            self.budget.enforce(&self.base, current.as_deref());
        }
        self.next_budget_check = Instant::now() + BUDGET_CHECK;
    }

    fn rows(&self) -> u64 {
        self.closed_rows + self.logs.as_ref().map_or(0, |l| l.rows)
    }
}

/// One analysis: an engine, and the output its records go to.
struct Job<'a> {
    setup: &'a Setup,
    engine: Analysis,
    out: Output,
    rotation: Rotation,
    watch: Option<RuntimeWatch>,
    frames_handled: u64,
}

/// Frames between two readings of the wall clock for runtime.conf and the disk budget, which
/// are checked every few seconds. Read for every frame, the clock (a VM's clock source here)
/// took a tenth of the reader thread's time with `--workers`. A quiet live link reads it at
/// every timeout.
const CLOCK_EVERY: u64 = 64;

impl<'a> Job<'a> {
    fn new(setup: &'a Setup, trace_name: &str, rotating: bool) -> Job<'a> {
        let base = outdir::base_dir(setup.args.outdir.as_deref().map(Path::new), trace_name);
        let g = &setup.globals;
        Job {
            setup,
            engine: Analysis::new(setup),
            out: Output {
                base,
                compression: setup.compression,
                runtime: setup.runtime.clone(),
                logs: None,
                rotating,
                failed_to_create: false,
                budget: DiskBudget::new(g.max_disk_usage),
                next_budget_check: Instant::now(),
                folders: 0,
                closed_rows: 0,
                ok: true,
            },
            rotation: Rotation::new(g.max_time_step, g.dirs),
            frames_handled: 0,
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

    /// Create the output folder at the first packet.
    fn ensure_logs(&mut self, ts: Timestamp) {
        if self.out.logs.is_none() && !self.out.failed_to_create && self.out.folders == 0 {
            self.out.open(ts);
            self.out.enforce_budget();
        }
    }

    /// Read every frame of one input. Returns false when the input could not be opened.
    fn feed(&mut self, input: &TraceInput) -> bool {
        let name = input.display_name();
        let mut src = match source::open_trace(input) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("tstat: {e}");
                return false;
            }
        };
        let mut frames: u64 = 0;
        loop {
            if signals::stop_requested() {
                eprintln!("tstat: signal received: stopping and writing out open flows");
                break;
            }
            match src.next_frame() {
                Ok(Some(frame)) => {
                    frames += 1;
                    if self.setup.args.progress && frames % 1_000_000 == 0 {
                        eprintln!("tstat: {name}: {frames} frames");
                    }
                    self.handle_frame(&frame);
                }
                Ok(None) => break,
                Err(e) => {
                    eprintln!("tstat: {name}: {e}; the rest of this input is skipped, flows read so far are kept");
                    break;
                }
            }
        }
        true
    }

    /// One frame into the engine; the first timestamped one names the output folder. Then,
    /// as Tstat does after each packet: rotation, runtime.conf, signals, the disk budget.
    fn handle_frame(&mut self, frame: &source::Frame<'_>) {
        if frame.ts != Timestamp::ZERO || self.engine.first_packet_time().is_some() {
            self.ensure_logs(frame.ts);
        }
        self.engine.frame(frame, self.out.logs.as_mut());
        if self.out.rotating
            && self.engine.first_packet_time().is_some()
            && self.rotation.packet(frame.ts)
        {
            self.switch(frame.ts, "rotation (Dirs x Max_Time_Step of packet time)");
        }
        self.frames_handled = self.frames_handled.wrapping_add(1);
        self.between_packets(self.frames_handled % CLOCK_EVERY == 0);
    }

    /// Work done between packets, and on a quiet link: signals, then, when `read_clock` says
    /// the wall clock may be read, runtime.conf and the disk budget.
    fn between_packets(&mut self, read_clock: bool) {
        if signals::take_report() {
            eprint!("{}", summary(&self.engine.figures(), &self.out));
        }
        if signals::take_reopen() {
            if self.out.logs.is_some() {
                self.switch(self.engine.now(), "SIGHUP");
            } else {
                eprintln!("tstat: SIGHUP: no output folder open yet, nothing to reopen");
            }
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
        if new == self.out.runtime {
            eprintln!("tstat: {path} read again: nothing changed");
            return;
        }
        let when = self.engine.first_packet_time().map(|_| self.engine.now());
        announce_changes(&self.out.runtime, &new, when);
        warn_header_only(&new);
        self.engine.set_logs(&new, self.out.logs.as_mut());
        self.out.runtime = new;
        self.switch(self.engine.now(), &format!("{path} changed"));
    }

    /// Close the output folder and open the next, once every row so far is written.
    fn switch(&mut self, ts: Timestamp, why: &str) {
        self.engine.sync(self.out.logs.as_mut());
        self.out.switch(ts, why);
    }

    /// Capture until a signal: frames into the engine, idle flows closed on quiet reads, and
    /// the interface reopened with backoff when it fails.
    #[cfg(feature = "live")]
    fn feed_live(&mut self, cap: &mut source::live::LiveCapture) {
        use source::live::LiveEvent;
        let interface = cap.interface().to_string();
        let mut frames: u64 = 0;
        while !signals::stop_requested() {
            match cap.next_event() {
                LiveEvent::Frame(frame) => {
                    frames += 1;
                    if self.setup.args.progress && frames % 100_000 == 0 {
                        eprintln!("tstat: {interface}: {frames} frames");
                    }
                    self.handle_frame(&frame);
                }
                LiveEvent::Drained => self.engine.hand_over(self.out.logs.as_mut()),
                LiveEvent::Quiet => {
                    if let Some(logs) = self.out.logs.as_mut() {
                        self.engine.quiet(Timestamp::now(), logs);
                        let _ = logs.flush();
                    }
                    self.between_packets(true);
                }
                LiveEvent::Failed(e) => {
                    eprintln!("tstat: {e}; reopening it, open flows are kept");
                    reopen_with_backoff(cap);
                }
            }
        }
        eprintln!("tstat: signal received: stopping and writing out open flows");
    }

    /// Write out every open flow, finish the logs, mark the folder closed and print the
    /// summary.
    fn finish(mut self) -> bool {
        let analysed = self.engine.finish(self.out.logs.as_mut());
        if self.out.logs.is_none() && self.out.folders == 0 {
            eprintln!("tstat: not even a single packet read: no output folder created");
        }
        let last_dir = self.out.logs.as_ref().map(|l| l.dir().to_path_buf());
        self.out.close();
        self.out.enforce_budget();
        print!("{}", summary(&self.engine.figures(), &self.out));
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

/// Logs enabled whose rows this build does not compute: named, since their files hold only
/// the header.
fn warn_header_only(runtime: &Runtime) {
    for kind in LogKind::ALL {
        if runtime.log_enabled(kind) && !IMPLEMENTED.contains(&kind) {
            eprintln!(
                "tstat: warning: {} is enabled but its rows are not computed yet: \
                 written with its header only",
                kind.file_name()
            );
        }
    }
}

/// Tstat silently ignores keys above the first section line; say so, naming each one.
fn warn_keys_outside_sections(path: &str, section: &str) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return; // the loader reports unreadable files
    };
    for (line, key) in crate::config::ini::keys_outside_sections(&text) {
        eprintln!(
            "tstat: warning: {path}:{line}: '{key}' comes before any section and is ignored \
             (as Tstat ignores it); put it under {section}"
        );
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

/// Live capture (`-l`/`-i`): one job until SIGINT/SIGTERM.
#[cfg(feature = "live")]
fn run_live(setup: &Setup) -> i32 {
    use source::live::{LiveCapture, LiveConfig, DEFAULT_SNAPLEN};
    let args = &setup.args;
    let interface = match args.interface.clone().or_else(default_interface) {
        Some(i) => i,
        None => {
            eprintln!("tstat: no capture interface found; give one with -i");
            return 1;
        }
    };
    let filter = match &args.filter {
        Some(path) => match read_filter(path) {
            Ok(f) => Some(f),
            Err(e) => {
                eprintln!("tstat: {e}");
                return 1;
            }
        },
        None => None,
    };
    let cfg = LiveConfig {
        interface,
        snaplen: args.snaplen.unwrap_or(DEFAULT_SNAPLEN),
        filter,
        promiscuous: true,
    };
    let mut cap = match LiveCapture::open(&cfg) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tstat: {e}");
            return 1;
        }
    };
    eprintln!(
        "tstat: capturing on {} (snaplen {}{})",
        cfg.interface,
        cfg.snaplen,
        cfg.filter
            .as_deref()
            .map(|f| format!(", filter \"{f}\""))
            .unwrap_or_default()
    );
    if let Some(user) = &args.user {
        if let Err(e) = privileges::drop_to(user) {
            eprintln!("tstat: --user: {e}; not going on with root privileges");
            return 1;
        }
        eprintln!("tstat: running as user {user}");
    }
    let mut job = Job::new(setup, &cfg.interface, true);
    job.feed_live(&mut cap);
    let stats = cap.stats();
    let ok = job.finish();
    println!(
        "libpcap: {} packets received, {} dropped (buffer full), {} dropped by the interface",
        stats.received, stats.dropped, stats.if_dropped
    );
    let _ = std::io::stdout().flush();
    if ok {
        0
    } else {
        1
    }
}

/// libpcap's default device, as Tstat uses when `-l` comes without `-i`.
#[cfg(feature = "live")]
fn default_interface() -> Option<String> {
    ::pcap::Device::lookup().ok().flatten().map(|d| d.name)
}

/// A `-f` file: a tcpdump-syntax filter, possibly over several lines, `#` comments allowed.
#[cfg(feature = "live")]
fn read_filter(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{path}: cannot read the filter file: {e}"))?;
    let words: Vec<&str> = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .collect();
    if words.is_empty() {
        return Err(format!("{path}: the filter file holds no expression"));
    }
    Ok(words.join(" "))
}

/// Standard input or a FIFO: a stream with no end in sight, so its folders rotate as
/// Tstat's do (trace files keep one folder).
fn is_stream(input: &TraceInput) -> bool {
    use std::os::unix::fs::FileTypeExt;
    match input {
        TraceInput::Stdin => true,
        TraceInput::File(p) => std::fs::metadata(p).is_ok_and(|m| m.file_type().is_fifo()),
    }
}

fn run(setup: &Setup) -> i32 {
    let live = setup.args.live || setup.args.interface.is_some();
    if live && !setup.args.traces.is_empty() {
        eprintln!("tstat: give either a capture interface (-l/-i) or trace files, not both");
        return 1;
    }
    #[cfg(feature = "live")]
    if live {
        return run_live(setup);
    }
    let inputs: Vec<TraceInput> = setup
        .args
        .traces
        .iter()
        .map(|t| TraceInput::parse(t))
        .collect();
    if inputs.is_empty() {
        eprintln!("tstat: no trace file and no capture interface given. Try 'tstat --help'.");
        return 1;
    }
    if let Some(user) = &setup.args.user {
        if let Err(e) = privileges::drop_to(user) {
            eprintln!("tstat: --user: {e}; not going on with root privileges");
            return 1;
        }
    }
    let mut status = 0;
    if setup.args.concat {
        let mut job = Job::new(setup, &inputs[0].display_name(), is_stream(&inputs[0]));
        for input in &inputs {
            if !job.feed(input) {
                status = 1;
            }
        }
        if !job.finish() {
            status = 1;
        }
    } else {
        for (i, input) in inputs.iter().enumerate() {
            if inputs.len() > 1 {
                println!(
                    "\nRunning file '{}' ({} of {})",
                    input.display_name(),
                    i + 1,
                    inputs.len()
                );
            }
            let mut job = Job::new(setup, &input.display_name(), is_stream(input));
            if !job.feed(input) {
                status = 1;
            }
            if !job.finish() {
                status = 1;
            }
            if signals::stop_requested() {
                break;
            }
        }
    }
    let _ = std::io::stdout().flush();
    status
}

/// The counters block printed at the end of a run (stdout) and on SIGUSR1 (stderr).
fn summary(fig: &Figures, out: &Output) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    // Writing into a String cannot fail.
    macro_rules! line {
        ($($arg:tt)*) => { let _ = writeln!(s, $($arg)*); };
    }
    let c = &fig.engine;
    let t = &fig.tcp;
    let u = &fig.udp;
    line!("---");
    line!("frames read: {}", c.frames);
    line!("IP packets analysed: {}", c.ip_packets);
    line!(
        "TCP packets: {} (trash {}, duplicates {}, truncated {})",
        t.packets,
        t.trash,
        t.duplicates,
        t.truncated
    );
    line!(
        "UDP packets: {} (duplicates {}, truncated {})",
        u.packets,
        u.duplicates,
        u.truncated
    );
    line!(
        "TCP flows: {} (refused, table full: {})",
        t.flows,
        t.table_full
    );
    line!(
        "UDP flows: {} (refused, table full: {})",
        u.flows,
        u.table_full
    );
    line!("flows not logged, both ends external: {}", c.external_flows);
    if fig.segments_evicted > 0 || fig.segments_refused > 0 {
        line!(
            "TCP segments forgotten: {} past max_seg_per_quad, {} with the segment pool full",
            fig.segments_evicted,
            fig.segments_refused
        );
    }
    if fig.rtp_untracked > 0 {
        line!(
            "UDP directions not typed as RTP, source pool full: {}",
            fig.rtp_untracked
        );
    }
    if fig.quic_names_untracked > 0 {
        line!(
            "gQUIC flows without names, name pool full: {}",
            fig.quic_names_untracked
        );
    }
    if fig.quic_hellos_untracked > 0 {
        line!(
            "IETF QUIC flows without a server name, ClientHello buffers all in use: {}",
            fig.quic_hellos_untracked
        );
    }
    if fig.tls_exhausted > 0 {
        line!(
            "TLS connections without names, TLS pool full: {}",
            fig.tls_exhausted
        );
    }
    if fig.hellos_cut > 0 || fig.hellos_exhausted > 0 {
        line!(
            "split TLS ClientHellos: {} longer than the 4 KB buffer (read in part), {} not gathered (buffers all in use)",
            fig.hellos_cut,
            fig.hellos_exhausted
        );
    }
    if c.later_fragments > 0 {
        line!(
            "later IP fragments (no transport header): {}",
            c.later_fragments
        );
    }
    if c.zero_time_frames > 0 {
        line!(
            "leading frames stamped at the epoch, skipped: {}",
            c.zero_time_frames
        );
    }
    for r in SkipReason::ALL {
        let n = c.skipped[r as usize];
        if n > 0 {
            line!("frames skipped, {}: {n}", r.label());
        }
    }
    line!(
        "log rows written: {} in {} output folder(s)",
        out.rows(),
        out.folders
    );
    if out.budget.deleted > 0 {
        line!(
            "output folders deleted by the disk budget (Max_Disk_Usage): {}",
            out.budget.deleted
        );
    }
    line!(
        "{} packets seen, {} TCP packets traced, {} UDP packets traced",
        c.ip_packets,
        t.packets,
        u.packets
    );
    s
}
