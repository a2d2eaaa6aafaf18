//! Signals, handled between packets, never inside the handler:
//!
//! * SIGINT and SIGTERM end the run cleanly: the reader stops, open flows are written out,
//!   the logs finished and the folder closed, as at the end of a trace;
//! * SIGHUP reopens the output: the current folder is closed (with its marker) and a new one
//!   opened, for log rotation by an external tool;
//! * SIGUSR1 prints the counters to stderr and the run goes on.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static REOPEN: AtomicBool = AtomicBool::new(false);
static REPORT: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

extern "C" fn on_hup(_: libc::c_int) {
    REOPEN.store(true, Ordering::Relaxed);
}

extern "C" fn on_usr1(_: libc::c_int) {
    REPORT.store(true, Ordering::Relaxed);
}

pub fn install() {
    let stop = on_stop as extern "C" fn(libc::c_int) as libc::sighandler_t;
    let hup = on_hup as extern "C" fn(libc::c_int) as libc::sighandler_t;
    let usr1 = on_usr1 as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handlers only store to atomics, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, stop);
        libc::signal(libc::SIGTERM, stop);
        libc::signal(libc::SIGHUP, hup);
        libc::signal(libc::SIGUSR1, usr1);
    }
}

pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
}

/// A SIGHUP arrived since the last call.
pub fn take_reopen() -> bool {
    REOPEN.load(Ordering::Relaxed) && REOPEN.swap(false, Ordering::Relaxed)
}

/// A SIGUSR1 arrived since the last call.
pub fn take_report() -> bool {
    REPORT.load(Ordering::Relaxed) && REPORT.swap(false, Ordering::Relaxed)
}

/// Ask a run in another thread to stop as if signalled: an embedding without signals (the
/// Android library) stops an analysis this way.
pub fn request_stop() {
    STOP.store(true, Ordering::Relaxed);
}

/// Forget an earlier stop request, before starting another run in the same process.
pub fn clear_stop() {
    STOP.store(false, Ordering::Relaxed);
}
