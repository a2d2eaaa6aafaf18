//! tstat for Android apps: the JNI functions behind `org.tstat.Tstat`
//! (java/org/tstat/Tstat.java). Each wraps a function of [`session`], which host-side tests
//! call directly (no JVM is needed for those).
//!
//! A panic never crosses into Java: each function catches it and returns its error value.

pub mod session;

use jni::objects::{JClass, JString};
use jni::sys::{jboolean, jint, jstring, JNI_FALSE, JNI_TRUE};
use jni::JNIEnv;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// Returned by `startFileAnalysis` when the arguments are not readable strings.
const BAD_ARGUMENT: jint = -2;
/// Returned when the analysis could not start (one already runs, no output folder).
const NOT_STARTED: jint = -1;
/// startLiveCapture in a library built without the `live` feature.
#[cfg(not(feature = "live"))]
const NO_LIVE: jint = -3;
/// Returned by `exitCode` while the analysis runs or before any.
const NO_EXIT_CODE: jint = -1;

/// Android's log (logcat, tag "tstat"); elsewhere, nothing to set up.
fn init_logging() {
    #[cfg(target_os = "android")]
    android_logger::init_once(
        android_logger::Config::default()
            .with_tag("tstat")
            .with_max_level(log::LevelFilter::Info),
    );
}

fn java_string(env: &mut JNIEnv, s: &JString) -> Option<String> {
    env.get_string(s).ok().map(String::from)
}

/// A Java string, or null if it cannot be made.
fn to_java(env: &mut JNIEnv, s: &str) -> jstring {
    env.new_string(s)
        .map(|j| j.into_raw())
        .unwrap_or(std::ptr::null_mut())
}

/// `int startFileAnalysis(String trace, String outputDir)`: 0 when started.
#[no_mangle]
pub extern "system" fn Java_org_tstat_Tstat_startFileAnalysis<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    trace: JString<'local>,
    output_dir: JString<'local>,
) -> jint {
    init_logging();
    let (Some(trace), Some(output_dir)) = (
        java_string(&mut env, &trace),
        java_string(&mut env, &output_dir),
    ) else {
        return BAD_ARGUMENT;
    };
    start_status(|| {
        session::start_file_analysis(&PathBuf::from(trace), &PathBuf::from(output_dir), &[])
    })
}

/// Run a session start for Java: 0 when started, `NOT_STARTED` on an error (logged) or a
/// panic, which must not cross into the JVM.
fn start_status(start: impl FnOnce() -> Result<(), session::StartError>) -> jint {
    match catch_unwind(AssertUnwindSafe(start)) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            log::warn!("tstat: not started: {e}");
            NOT_STARTED
        }
        Err(_) => NOT_STARTED,
    }
}

/// `int startLiveCapture(String iface, String outputDir)`: 0 when started; `NO_LIVE` when the
/// library was built without the `live` feature.
#[no_mangle]
pub extern "system" fn Java_org_tstat_Tstat_startLiveCapture<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    interface: JString<'local>,
    output_dir: JString<'local>,
) -> jint {
    init_logging();
    let (Some(interface), Some(output_dir)) = (
        java_string(&mut env, &interface),
        java_string(&mut env, &output_dir),
    ) else {
        return BAD_ARGUMENT;
    };
    #[cfg(feature = "live")]
    {
        start_status(|| session::start_live_capture(&interface, &PathBuf::from(output_dir), &[]))
    }
    #[cfg(not(feature = "live"))]
    {
        log::warn!("tstat: live capture of {interface} into {output_dir}: built without `live`");
        NO_LIVE
    }
}

/// `void stop()`: the analysis writes out its open flows and ends.
#[no_mangle]
pub extern "system" fn Java_org_tstat_Tstat_stop<'local>(
    _env: JNIEnv<'local>,
    _class: JClass<'local>,
) {
    session::stop();
}

/// `boolean isRunning()`.
#[no_mangle]
pub extern "system" fn Java_org_tstat_Tstat_isRunning<'local>(
    _env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jboolean {
    match catch_unwind(session::is_running) {
        Ok(true) => JNI_TRUE,
        _ => JNI_FALSE,
    }
}

/// `int exitCode()`: tstat's exit status once the analysis ended (0: success), else -1.
#[no_mangle]
pub extern "system" fn Java_org_tstat_Tstat_exitCode<'local>(
    _env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jint {
    catch_unwind(session::exit_code)
        .ok()
        .flatten()
        .unwrap_or(NO_EXIT_CODE)
}

/// `String outputFolder()`: the `*.out` folder being written, or null before it exists.
#[no_mangle]
pub extern "system" fn Java_org_tstat_Tstat_outputFolder<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jstring {
    match catch_unwind(session::output_folder).ok().flatten() {
        Some(path) => to_java(&mut env, &path.to_string_lossy()),
        None => std::ptr::null_mut(),
    }
}

/// `String counters()`: one `log_name=rows` line per log, rows written so far.
#[no_mangle]
pub extern "system" fn Java_org_tstat_Tstat_counters<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jstring {
    let text = catch_unwind(AssertUnwindSafe(counters_text)).unwrap_or_default();
    to_java(&mut env, &text)
}

/// The counters as `counters()` gives them to Java.
pub fn counters_text() -> String {
    session::counters()
        .iter()
        .map(|(log, rows)| format!("{log}={rows}\n"))
        .collect()
}
