use std::io::Write;
use std::path::{Path, PathBuf};

use argh::FromArgs;

use super::args::{words_of_conf, Args};
use super::signals;
use crate::config::globals::Globals;
use crate::config::nets::NetList;
use crate::config::runtime::{LogKind, Runtime};
use crate::decode::SkipReason;
use crate::engine::{Engine, EngineConfig};
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
struct Setup {
    args: Args,
    globals: Globals,
    runtime: Runtime,
    internal: NetList,
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
    for kind in LogKind::ALL {
        if runtime.log_enabled(kind) && !IMPLEMENTED.contains(&kind) {
            eprintln!(
                "tstat: warning: {} is enabled but its rows are not computed yet: \
                 written with its header only",
                kind.file_name()
            );
        }
    }
    let internal = match &args.netfile {
        Some(p) => {
            NetList::load(p, globals.max_internal_hosts as usize).map_err(|e| e.to_string())?
        }
        None => NetList::everything(),
    };
    for w in &internal.warnings {
        eprintln!("tstat: warning: {w}");
    }
    Ok(Setup {
        args,
        globals,
        runtime,
        internal,
    })
}

fn engine_for(setup: &Setup) -> Engine {
    Engine::new(EngineConfig {
        globals: setup.globals.clone(),
        internal: setup.internal.clone(),
        trace_udp: !setup.args.no_udp,
        trace_ipv6: !setup.args.no_ipv6,
        skype: setup.args.bayes.is_some(),
    })
}

/// One analysis: an engine, and the logs it writes once the first packet gives the folder name.
struct Job<'a> {
    setup: &'a Setup,
    engine: Engine,
    logs: Option<TstatLogs>,
    base: PathBuf,
    failed_to_create: bool,
}

impl<'a> Job<'a> {
    fn new(setup: &'a Setup, trace_name: &str) -> Job<'a> {
        let base = outdir::base_dir(setup.args.outdir.as_deref().map(Path::new), trace_name);
        Job {
            setup,
            engine: engine_for(setup),
            logs: None,
            base,
            failed_to_create: false,
        }
    }

    /// Create the output folder at the first packet.
    fn ensure_logs(&mut self, ts: Timestamp) {
        if self.logs.is_some() || self.failed_to_create {
            return;
        }
        let created = outdir::create(&self.base, ts)
            .and_then(|dir| TstatLogs::create(&dir, &self.setup.runtime));
        match created {
            Ok(logs) => {
                println!(
                    "[{}] created new outdir {}",
                    outdir::ctime(ts),
                    logs.dir().display()
                );
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
                    if frame.ts != Timestamp::ZERO || self.engine.first_packet_time().is_some() {
                        self.ensure_logs(frame.ts);
                    }
                    match self.logs.as_mut() {
                        Some(logs) => {
                            self.engine
                                .frame(frame.ts, frame.link_type, frame.data, logs)
                        }
                        None => {
                            self.engine
                                .frame(frame.ts, frame.link_type, frame.data, &mut NullSink)
                        }
                    }
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

    /// Write out every open flow, flush the logs and print the summary.
    fn finish(mut self) -> bool {
        let mut ok = true;
        if let Some(logs) = self.logs.as_mut() {
            self.engine.finish(logs);
            if let Err(e) = logs.flush() {
                eprintln!("tstat: writing the logs in {}: {e}", logs.dir().display());
                ok = false;
            }
        } else {
            self.engine.finish(&mut NullSink);
            eprintln!("tstat: not even a single packet read: no output folder created");
        }
        print_summary(&self.engine, self.logs.as_ref());
        ok && !self.failed_to_create
    }
}

struct NullSink;

impl crate::sink::RecordSink for NullSink {
    fn tcp(&mut self, _: &crate::engine::tcp::TcpFlow, _: bool) {}
    fn udp(&mut self, _: &crate::engine::udp::UdpFlow) {}
}

fn run(setup: &Setup) -> i32 {
    let inputs: Vec<TraceInput> = setup
        .args
        .traces
        .iter()
        .map(|t| TraceInput::parse(t))
        .collect();
    if inputs.is_empty() {
        eprintln!(
            "tstat: no trace given (live capture is not implemented yet). Try 'tstat --help'."
        );
        return 1;
    }
    let mut status = 0;
    if setup.args.concat {
        let mut job = Job::new(setup, &inputs[0].display_name());
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
            let mut job = Job::new(setup, &input.display_name());
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

fn print_summary(engine: &Engine, logs: Option<&TstatLogs>) {
    let c = &engine.counters;
    let t = &engine.tcp.counters;
    let u = &engine.udp.counters;
    println!("---");
    println!("frames read: {}", c.frames);
    println!("IP packets analysed: {}", c.ip_packets);
    println!(
        "TCP packets: {} (trash {}, duplicates {}, truncated {})",
        t.packets, t.trash, t.duplicates, t.truncated
    );
    println!(
        "UDP packets: {} (duplicates {}, truncated {})",
        u.packets, u.duplicates, u.truncated
    );
    println!(
        "TCP flows: {} (refused, table full: {})",
        t.flows, t.table_full
    );
    println!(
        "UDP flows: {} (refused, table full: {})",
        u.flows, u.table_full
    );
    println!("flows not logged, both ends external: {}", c.external_flows);
    let segs = &engine.tcp.segments;
    if segs.evicted > 0 || segs.refused > 0 {
        println!(
            "TCP segments forgotten: {} past max_seg_per_quad, {} with the segment pool full",
            segs.evicted, segs.refused
        );
    }
    if engine.udp.rtp_untracked() > 0 {
        println!(
            "UDP directions not typed as RTP, source pool full: {}",
            engine.udp.rtp_untracked()
        );
    }
    if c.later_fragments > 0 {
        println!(
            "later IP fragments (no transport header): {}",
            c.later_fragments
        );
    }
    if c.zero_time_frames > 0 {
        println!(
            "leading frames stamped at the epoch, skipped: {}",
            c.zero_time_frames
        );
    }
    for r in SkipReason::ALL {
        let n = c.skipped[r as usize];
        if n > 0 {
            println!("frames skipped, {}: {n}", r.label());
        }
    }
    if let Some(l) = logs {
        println!("log rows written: {} in {}", l.rows, l.dir().display());
    }
    println!(
        "{} packets seen, {} TCP packets traced, {} UDP packets traced",
        c.ip_packets, t.packets, u.packets
    );
}
