//! SIGINT and SIGTERM end the run cleanly: the reader stops, open flows are written out and the
//! logs flushed, as at the end of a trace.

use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    STOP.store(true, Ordering::Relaxed);
}

pub fn install() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

pub fn stop_requested() -> bool {
    STOP.load(Ordering::Relaxed)
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
