//! One analysis at a time in this process, run on its own thread: what the JNI functions
//! wrap, kept free of JNI so host-side tests can call it.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

/// The analysis in progress or last finished.
struct Session {
    output_dir: PathBuf,
    thread: Option<JoinHandle<i32>>,
    exit_code: Option<i32>,
}

static SESSION: Mutex<Option<Session>> = Mutex::new(None);

#[derive(Debug, PartialEq, Eq)]
pub enum StartError {
    AlreadyRunning,
    CannotCreateOutputDir(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::AlreadyRunning => write!(f, "an analysis is already running"),
            StartError::CannotCreateOutputDir(e) => {
                write!(f, "cannot create the output folder: {e}")
            }
        }
    }
}

/// Start analysing the trace file `trace`, logs into `output_dir`, with tstat's command-line
/// flags in `extra_args` (for example `-N`, `-T`, `-G` files).
pub fn start_file_analysis(
    trace: &Path,
    output_dir: &Path,
    extra_args: &[String],
) -> Result<(), StartError> {
    start(
        output_dir,
        extra_args,
        &[trace.to_string_lossy().into_owned()],
    )
}

/// Start capturing on the network interface `interface` (`tstat -l -i`), logs into
/// `output_dir`; it runs until [`stop`]. Needs the rights to capture (root, or CAP_NET_RAW).
#[cfg(feature = "live")]
pub fn start_live_capture(
    interface: &str,
    output_dir: &Path,
    extra_args: &[String],
) -> Result<(), StartError> {
    let live = ["-l".to_string(), "-i".to_string(), interface.to_string()];
    start(output_dir, &[extra_args, &live[..]].concat(), &[])
}

/// Run tstat with `flags`, `-s output_dir`, then `inputs`, on the session's thread.
fn start(output_dir: &Path, flags: &[String], inputs: &[String]) -> Result<(), StartError> {
    let mut session = lock();
    if session.as_mut().is_some_and(|s| !finished(s)) {
        return Err(StartError::AlreadyRunning);
    }
    std::fs::create_dir_all(output_dir)
        .map_err(|e| StartError::CannotCreateOutputDir(e.to_string()))?;
    let mut argv = flags.to_vec();
    argv.push("-s".into());
    argv.push(output_dir.to_string_lossy().into_owned());
    argv.extend_from_slice(inputs);
    tstat::app::signals::clear_stop();
    log::info!("tstat: starting {argv:?}");
    let thread = std::thread::spawn(move || tstat::app::main_with_args(argv));
    *session = Some(Session {
        output_dir: output_dir.to_path_buf(),
        thread: Some(thread),
        exit_code: None,
    });
    Ok(())
}

/// Ask the running analysis to stop; it writes out its open flows and ends, as on SIGTERM.
pub fn stop() {
    tstat::app::signals::request_stop();
}

pub fn is_running() -> bool {
    lock().as_mut().is_some_and(|s| !finished(s))
}

/// Wait for the analysis to end; its exit status (0: success), None if none was started.
pub fn wait() -> Option<i32> {
    let thread = lock().as_mut().and_then(|s| s.thread.take());
    let code = thread.map(|t| t.join().unwrap_or(PANICKED));
    let mut session = lock();
    let s = session.as_mut()?;
    if code.is_some() {
        s.exit_code = code;
    }
    s.exit_code
}

/// Exit status given to an analysis whose thread panicked.
pub const PANICKED: i32 = 101;

/// Exit status of the last analysis, None while it runs or if none was started.
pub fn exit_code() -> Option<i32> {
    let mut session = lock();
    let s = session.as_mut()?;
    finished(s);
    s.exit_code
}

/// The folder tstat writes into: `output_dir/YYYY_MM_DD_HH_MM.out`, named after the first
/// packet, so None until tstat has created it.
pub fn output_folder() -> Option<PathBuf> {
    let dir = lock().as_ref()?.output_dir.clone();
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "out") && p.is_dir())
        .collect();
    folders.sort();
    folders.pop()
}

/// Rows written so far in each log of the output folder (log name, rows), in name order.
/// Rows appear as flows end, so the figures grow during the analysis.
pub fn counters() -> Vec<(String, u64)> {
    let Some(folder) = output_folder() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut counts: Vec<(String, u64)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("log_"))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                rows_in(&e.path()),
            )
        })
        .collect();
    counts.sort();
    counts
}

/// Lines of a log that are not its `#` header.
fn rows_in(log: &Path) -> u64 {
    std::fs::read(log)
        .map(|bytes| {
            bytes
                .split(|&b| b == b'\n')
                .filter(|line| !line.is_empty() && line[0] != b'#')
                .count() as u64
        })
        .unwrap_or(0)
}

/// Whether the session's thread has ended; records its exit status when it has.
fn finished(s: &mut Session) -> bool {
    if s.thread.as_ref().is_some_and(|t| t.is_finished()) {
        if let Some(t) = s.thread.take() {
            s.exit_code = Some(t.join().unwrap_or(PANICKED));
        }
    }
    s.thread.is_none()
}

/// The session lock; a panic while it was held leaves plain data behind, still usable.
fn lock() -> std::sync::MutexGuard<'static, Option<Session>> {
    SESSION
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
