//! Host-side test of the entry points the JNI functions wrap: a real analysis of the
//! repository's sample trace, started, waited for, and read back. One test function: the
//! session is one per process, so parallel tests would race for it.

use std::path::PathBuf;

#[test]
fn file_analysis_runs_and_reports_its_logs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("session_out");
    let _ = std::fs::remove_dir_all(&out);
    assert_eq!(tstat_android::session::exit_code(), None);

    tstat_android::session::start_file_analysis(&root.join("tests/data/sample.pcap"), &out, &[])
        .expect("starts");
    assert_eq!(tstat_android::session::wait(), Some(0));
    assert!(!tstat_android::session::is_running());
    assert_eq!(tstat_android::session::exit_code(), Some(0));

    let folder = tstat_android::session::output_folder().expect("an output folder");
    assert!(folder.starts_with(&out));
    // The sample trace's hand-counted flows (tests/sample_trace.rs): 5 TCP, 2 UDP, of which
    // 4 TCP connections complete.
    let counters = tstat_android::counters_text();
    assert!(counters.contains("log_udp_complete=2\n"), "{counters}");
    let tcp: u64 = tstat_android::session::counters()
        .iter()
        .filter(|(log, _)| log.starts_with("log_tcp_"))
        .map(|(_, rows)| rows)
        .sum();
    assert_eq!(tcp, 5, "{counters}");

    // A second analysis in the same process starts (the stop flag of a first one is reset),
    // and one that is stopped at once still ends with status 0.
    tstat_android::session::start_file_analysis(&root.join("tests/data/sample.pcap"), &out, &[])
        .expect("starts again");
    tstat_android::session::stop();
    assert_eq!(tstat_android::session::wait(), Some(0));

    // A trace that does not exist: started, then ends with an error status.
    let missing = PathBuf::from("/nonexistent/trace.pcap");
    tstat_android::session::start_file_analysis(&missing, &out, &[]).expect("starts");
    assert_ne!(tstat_android::session::wait(), Some(0));
}
