use std::io::Write;

use argh::FromArgs;

use super::analysis::worker_count;
use super::args::{words_of_conf, Args};
use super::job::Job;
use super::privileges;
use super::signals;
use crate::config::globals::Globals;
use crate::config::nets::{self, NetList};
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
    /// `-H`: what the histograms of each job are made of (`None`: no histogram).
    #[cfg(feature = "histo")]
    pub(super) histo: Option<crate::histo::HistoConfig>,
    /// `-Y`: what the logs hide, and the key saved beside each trace's first folder.
    pub(super) privacy: Option<super::privacy::RunPrivacy>,
}

/// Run the command with `argv` (without the program name); returns the exit status.
pub fn main_with_args(argv: Vec<String>) -> i32 {
    let (argv, origin) = if argv.is_empty() {
        match std::fs::read_to_string(CONF_FILE) {
            Ok(text) => (words_of_conf(&text), format!("{CONF_FILE}: ")),
            Err(_) => {
                eprintln!(
                    "tstat: no arguments and no {CONF_FILE} to read them from. Try 'tstat --help'."
                );
                return 1;
            }
        }
    } else {
        (argv, String::new())
    };
    let args = match parse_args(&argv) {
        Ok(a) => a,
        Err(early) if early.status.is_ok() => {
            println!("{}", early.output);
            println!("Globals (-G):\n{}", Globals::default().describe());
            return 0;
        }
        Err(early) => {
            eprintln!(
                "tstat: {origin}{}\nTry 'tstat --help'.",
                early.output.trim_end()
            );
            return 1;
        }
    };
    if let Some(path) = &args.messages_to {
        if let Err(e) = redirect_messages(path) {
            eprintln!("tstat: -z {path}: cannot open the messages file: {e}");
            return 1;
        }
    }
    if args.version {
        println!("{VERSION}");
        return 0;
    }
    #[cfg(feature = "histo")]
    if args.histo.as_deref() == Some("?") {
        print_histogram_definitions(&args);
        return 0;
    }
    outdir::init_timezone();
    let setup = match load_setup(args) {
        Ok(s) => s,
        Err(SetupError::Refused(reasons)) => {
            for r in reasons {
                eprintln!("tstat: {r}");
            }
            eprintln!("tstat: refusing to run rather than write something else than asked");
            return 2;
        }
        Err(SetupError::Failed(msg)) => {
            eprintln!("tstat: {origin}{msg}");
            return 1;
        }
    };
    signals::install();
    run(&setup)
}

/// Where the arguments come from when none are given, as in Tstat.
const CONF_FILE: &str = "./tstat.conf";

/// Tstat's command line through argh: `-h` is Tstat's help flag, and a lone `-` means
/// standard input (argh would take it for a malformed flag; the trace parser also accepts
/// `stdin`).
fn parse_args(argv: &[String]) -> Result<Args, argh::EarlyExit> {
    let strs: Vec<&str> = argv
        .iter()
        .map(|a| match a.as_str() {
            "-" => "stdin",
            "-h" => "--help",
            other => other,
        })
        .collect();
    Args::from_args(&["tstat"], &strs)
}

/// `-z FILE`: stdout and stderr both go to FILE (created or truncated), as in Tstat.
fn redirect_messages(path: &str) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let file = std::fs::File::create(path)?;
    for fd in [libc::STDOUT_FILENO, libc::STDERR_FILENO] {
        // SAFETY: dup2 on a file descriptor we own onto the standard ones.
        if unsafe { libc::dup2(file.as_raw_fd(), fd) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Why a run cannot start: a flag or setting this build would not honour (exit 2), or a
/// configuration error (exit 1).
enum SetupError {
    Refused(Vec<String>),
    Failed(String),
}

impl From<String> for SetupError {
    fn from(msg: String) -> SetupError {
        SetupError::Failed(msg)
    }
}

fn load_setup(args: Args) -> Result<Setup, SetupError> {
    let refused = args.refused();
    if !refused.is_empty() {
        return Err(SetupError::Refused(refused));
    }
    for msg in args.warnings() {
        eprintln!("tstat: warning: {msg}");
    }
    if let Some(h) = args.histo.as_deref().filter(|&h| h != "?") {
        std::fs::metadata(h)
            .map_err(|e| format!("-H {h}: cannot read the histogram configuration: {e}"))?;
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
    if let Some(msg) = dump_refusal(&runtime) {
        return Err(SetupError::Refused(vec![msg]));
    }
    skype_log_needs_bayes(&mut runtime, &args);
    if runtime.rrd_engine == Some(true) && args.rrd_dir.is_none() {
        eprintln!("tstat: warning: runtime.conf sets rrd_engine but no -r/-R is given: no RRD is written (as in Tstat)");
    }
    warn_header_only(&runtime);
    let compression = args.log_compression()?;
    let internal = match &args.netfile {
        Some(p) => NetList::load(p, globals.max_internal_hosts as usize, nets::INTERNAL)
            .map_err(|e| e.to_string())?,
        None => NetList::everything(),
    };
    for w in &internal.warnings {
        eprintln!("tstat: warning: {w}");
    }
    // Checked in every build: one without worker threads refuses --workers above 1.
    #[cfg_attr(not(feature = "workers"), allow(unused_variables))]
    let workers = worker_count(args.workers)?;
    #[cfg(feature = "histo")]
    let histo = histo_config(&args, &globals, &runtime)?;
    let privacy = super::privacy::load(&args, &globals)?;
    Ok(Setup {
        args,
        globals,
        runtime,
        internal,
        compression,
        #[cfg(feature = "workers")]
        workers,
        #[cfg(feature = "histo")]
        histo,
        privacy,
    })
}

/// `-H FILE` (and `-R FILE`, whose histograms it switches on) read into what each job's
/// histograms are made of; `None` without either.
#[cfg(feature = "histo")]
fn histo_config(
    args: &Args,
    globals: &Globals,
    runtime: &Runtime,
) -> Result<Option<crate::histo::HistoConfig>, SetupError> {
    #[cfg(feature = "rrd")]
    let series = series_setup(args, globals, runtime)?;
    #[cfg(not(feature = "rrd"))]
    let series: Option<()> = None;
    let selection = match args.histo.as_deref() {
        Some(path) => {
            let parsed = crate::histo::conf::load(std::path::Path::new(path), args.global_histo)
                .map_err(|e| SetupError::Failed(format!("-H: {e}")))?;
            for w in &parsed.warnings {
                eprintln!("tstat: warning: {w}");
            }
            parsed.selection
        }
        None if series.is_some() => crate::histo::Selection::none(),
        None => return Ok(None),
    };
    let mut cfg = crate::histo::HistoConfig::new(selection);
    cfg.global = args.global_histo;
    cfg.max_time_step = globals.max_time_step;
    cfg.adx_slots = globals.max_adx_slots;
    cfg.engine_on = !args.no_histo;
    cfg.log_on = runtime.histo_engine;
    cfg.nets_given = args.netfile.is_some() || args.macfile.is_some();
    cfg.ticks = args.progress;
    #[cfg(feature = "rrd")]
    if let Some(s) = series {
        // As in Tstat, rrd.conf switches its histograms on: their files are written too.
        for x in s.series.iter() {
            cfg.selection.on[x.hid.index()] = true;
        }
        cfg.series = Some(s);
    }
    Ok(Some(cfg))
}

/// `-R rrd.conf -r DIR` and the exports (docs/semantics/rrd.md §1): `None` without `-R`.
#[cfg(feature = "rrd")]
fn series_setup(
    args: &Args,
    globals: &Globals,
    runtime: &Runtime,
) -> Result<Option<crate::series::SeriesSetup>, SetupError> {
    if args.graphite_prefix.is_some() && args.graphite.is_none() {
        return Err(SetupError::Failed(
            "--graphite-prefix names the metrics of --graphite HOST:PORT: give that too".into(),
        ));
    }
    let exports = args.graphite.is_some() || args.prom_file.is_some();
    let conf =
        match (&args.rrd_conf, &args.rrd_dir) {
            (None, None) if !exports => return Ok(None),
            (None, _) if exports => return Err(SetupError::Failed(
                "--graphite and --prom-file send the statistics rrd.conf names: give -R rrd.conf"
                    .into(),
            )),
            (Some(c), Some(_)) => c,
            (Some(c), None) if exports => c,
            _ => return Err(SetupError::Failed(
                "give both the RRD configuration (-R rrd.conf) and the database folder (-r DIR), \
                 as Tstat wants"
                    .into(),
            )),
        };
    let parsed = crate::series::conf::load(std::path::Path::new(conf), args.global_histo)
        .map_err(|e| SetupError::Failed(format!("-R: {e}")))?;
    let rrd_dir = args.rrd_dir.as_ref().map(std::path::PathBuf::from);
    if let Some(d) = &rrd_dir {
        std::fs::create_dir_all(d).map_err(|e| {
            SetupError::Failed(format!(
                "-r {}: cannot create the RRD folder: {e}",
                d.display()
            ))
        })?;
    }
    let graphite = args.graphite.clone().map(|addr| {
        let prefix = args
            .graphite_prefix
            .clone()
            .unwrap_or_else(|| format!("tstat.{}", crate::series::host_name().replace('.', "_")));
        (addr, prefix)
    });
    Ok(Some(crate::series::SeriesSetup {
        series: crate::series::series_of(&parsed).into(),
        rrd_dir,
        max_time_step: globals.max_time_step,
        on: runtime.rrd_engine != Some(false),
        graphite,
        prom_file: args.prom_file.as_ref().map(std::path::PathBuf::from),
    }))
}

/// `-H ?`: the histogram definitions, as Tstat lists them (after its warning about a
/// missing `-N`), and nothing else.
#[cfg(feature = "histo")]
fn print_histogram_definitions(args: &Args) {
    if args.netfile.is_none() {
        println!(
            "\x1b[1mWarning:\x1b[0m -N option not specified.\n         All subnets are assumed to be internal"
        );
    }
    print!("{}", crate::histo::definitions_text(args.global_histo));
}

/// Tstat creates log_skype_complete only with `-B` (its Bayes classifier), whatever
/// runtime.conf says.
pub(super) fn skype_log_needs_bayes(runtime: &mut Runtime, args: &Args) {
    if args.bayes.is_none() {
        runtime.set_log(LogKind::SkypeComplete, false);
    }
}

/// runtime.conf's [dump] switches are not implemented: the reason to refuse them, if any is on.
pub(super) fn dump_refusal(runtime: &Runtime) -> Option<String> {
    (!runtime.dumps_on.is_empty()).then(|| {
        format!(
            "runtime.conf [dump] turns on {}: pcap dumps are not implemented yet, so no dump \
             would be written; set them to 0",
            runtime.dumps_on.join(", ")
        )
    })
}

/// Logs enabled whose rows this build does not compute: named, since their files hold only
/// the header.
pub(super) fn warn_header_only(runtime: &Runtime) {
    for kind in LogKind::ALL {
        if runtime.log_enabled(kind) && !IMPLEMENTED.contains(&kind) {
            // Tstat 3.2.1 writes no header line in log_skype_complete.
            let written = if kind == LogKind::SkypeComplete {
                "created empty, as Tstat creates it"
            } else {
                "written with its header only"
            };
            eprintln!(
                "tstat: warning: {} is enabled but its rows are not computed yet: {written}",
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
    use crate::source::live::{self, LiveCapture, LiveConfig, DEFAULT_SNAPLEN};
    let args = &setup.args;
    let interface = match &args.interface {
        Some(i) => i.clone(),
        None => match live::default_interface() {
            Some(i) => {
                eprintln!("tstat: no -i given: capturing on {i}, libpcap's default interface");
                i
            }
            None => {
                eprintln!("tstat: no capture interface found; give one with -i");
                return 1;
            }
        },
    };
    let known = live::interface_names();
    if !known.is_empty() && !known.contains(&interface) {
        eprintln!(
            "tstat: there is no interface named '{interface}'; the interfaces here are: {}",
            known.join(", ")
        );
        return 1;
    }
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
    if let Err(e) = job.check_output() {
        eprintln!("tstat: {e}");
        return 1;
    }
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

/// The `-f` filter for trace files, compiled (a syntax error is reported before reading).
#[cfg(feature = "live")]
fn trace_filter(setup: &Setup) -> Result<Option<crate::source::filter::FrameFilter>, String> {
    match &setup.args.filter {
        Some(path) => {
            let expr = read_filter(path)?;
            crate::source::filter::FrameFilter::new(&expr)
                .map(Some)
                .map_err(|e| format!("-f {path}: {e}"))
        }
        None => Ok(None),
    }
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
        #[cfg(feature = "live")]
        match trace_filter(setup) {
            Ok(Some(f)) => job.set_filter(f),
            Ok(None) => {}
            Err(e) => {
                eprintln!("tstat: {e}");
                return 1;
            }
        }
        if let Err(e) = job.check_output() {
            eprintln!("tstat: {e}");
            return 1;
        }
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
            #[cfg(feature = "live")]
            match trace_filter(setup) {
                Ok(Some(f)) => job.set_filter(f),
                Ok(None) => {}
                Err(e) => {
                    eprintln!("tstat: {e}");
                    return 1;
                }
            }
            if let Err(e) = job.check_output() {
                eprintln!("tstat: {e}");
                status = 1;
                continue;
            }
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
