use std::io::Write;

use argh::FromArgs;

use super::analysis::worker_count;
use super::args::{words_of_conf, Args};
use super::job::Job;
use super::privileges;
use super::signals;
use crate::config::globals::Globals;
use crate::config::nets::NetList;
use crate::config::runtime::{LogKind, Runtime};
use crate::sink::file::Compression;
use crate::sink::logs::IMPLEMENTED;
use crate::sink::outdir;
use crate::source::TraceInput;

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
    pub(super) compression: Compression,
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

/// Logs enabled whose rows this build does not compute: named, since their files hold only
/// the header.
pub(super) fn warn_header_only(runtime: &Runtime) {
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

/// Live capture (`-l`/`-i`): one job until SIGINT/SIGTERM.
#[cfg(feature = "live")]
fn run_live(setup: &Setup) -> i32 {
    use crate::source::live::{LiveCapture, LiveConfig, DEFAULT_SNAPLEN};
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
