//! Once the flow tables are warm, analysing a packet allocates nothing: a counting global
//! allocator watches a second pass over a real trace, log writing included, with every TCP
//! column set on, and every histogram fed (`include ALL -g`, in builds with `histo`). Only the allocations of the measuring thread count, since tests run in
//! parallel.

mod common;
use common::{load_frames as load, Frames};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::PathBuf;

use tstat::config::runtime::Runtime;
use tstat::engine::{Engine, EngineConfig};
use tstat::sink::logs::TstatLogs;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    ALLOCATIONS.with(|a| a.set(a.get() + 1));
}

fn allocations() -> u64 {
    ALLOCATIONS.with(|a| a.get())
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A runtime.conf turning every TCP set on, so the rows written carry every column, and
/// log_http_complete with full URLs.
fn every_set() -> Runtime {
    let text = "[log]\nlog_http_complete = 1\n\
                [options]\ntcplog_end_to_end = 1\ntcplog_layer7 = 1\ntcplog_p2p = 1\n\
                tcplog_options = 1\ntcplog_advanced = 1\nhttplog_full_url = 2\n";
    let rt = Runtime::parse("every-set.conf", text, Runtime::default()).unwrap();
    assert_eq!(rt.tcplog_level, 31);
    rt
}

/// Every histogram on, GLOBAL included (`-H include ALL -g`), writing into `dir`. Steps are
/// made too long to end within the trace: a step's files are written once per step, not per
/// packet, and the second pass's clock jumps back to the trace's start.
#[cfg(feature = "histo")]
fn histograms(dir: &std::path::Path) -> tstat::histo::Histograms {
    let mut cfg = tstat::histo::HistoConfig::new(tstat::histo::Selection::all(true));
    cfg.global = true;
    cfg.max_time_step = 1e12;
    let mut h = tstat::histo::Histograms::new(cfg);
    h.set_folder(dir);
    h
}

#[cfg(not(feature = "histo"))]
fn histograms(_: &std::path::Path) {}

#[cfg(feature = "histo")]
fn observer(h: &mut tstat::histo::Histograms) -> Option<&mut dyn tstat::engine::observe::Observer> {
    Some(h)
}

#[cfg(not(feature = "histo"))]
fn observer(_: &mut ()) -> Option<&mut dyn tstat::engine::observe::Observer> {
    None
}

/// Allocations made while a warm engine analyses `frames` a second time, the packet count, and
/// the lines of log_http_complete (headers included).
fn allocations_in_second_pass(frames: &Frames) -> (u64, u64, usize) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("no_alloc_{}", frames.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let runtime = every_set();
    let mut logs = TstatLogs::create(&dir, &runtime, tstat::sink::file::Compression::None).unwrap();
    let mut engine = Engine::new(EngineConfig {
        http_log: true,
        httplog_full_url: runtime.httplog_full_url,
        ..EngineConfig::default()
    });
    #[allow(clippy::let_unit_value)] // `()` without the histo feature
    let mut histo = histograms(&dir);
    for (ts, link, data) in frames {
        engine.frame_observed(*ts, *link, data, &mut logs, observer(&mut histo));
    }
    engine.finish_observed(&mut logs, observer(&mut histo));
    let rows_first = logs.rows;
    let before = allocations();
    for (ts, link, data) in frames {
        engine.frame_observed(*ts, *link, data, &mut logs, observer(&mut histo));
    }
    let during = allocations() - before;
    engine.finish_observed(&mut logs, observer(&mut histo));
    assert!(logs.rows > rows_first, "the second pass wrote rows too");
    drop(logs);
    let http = std::fs::read_to_string(dir.join("log_http_complete")).unwrap();
    (during, frames.len() as u64, http.lines().count())
}

#[test]
fn second_pass_over_the_sample_trace_allocates_nothing() {
    let frames = load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap"));
    let (allocs, packets, http_lines) = allocations_in_second_pass(&frames);
    assert!(packets > 20);
    if cfg!(feature = "http-log") {
        assert!(http_lines > 2, "HTTP rows were written");
    }
    assert_eq!(
        allocs, 0,
        "{allocs} allocations while analysing {packets} packets"
    );
}

#[test]
fn second_pass_over_a_reference_trace_allocates_nothing() {
    let Some(reference) = std::env::var_os("TSTAT_REFERENCE") else {
        println!("no_alloc: TSTAT_REFERENCE is not set, the reference-trace case did not run");
        return;
    };
    for trace in [
        "ndpi/1kxun.pcap",
        "zeek/echo-connections.pcap",
        "pcapplusplus/example.pcap",
        // RTP and RTCP streams: log_mm_complete rows.
        "ndpi/KakaoTalk_talk.pcap",
    ] {
        let frames = load(&PathBuf::from(&reference).join("traces").join(trace));
        let (allocs, packets, _) = allocations_in_second_pass(&frames);
        assert_eq!(
            allocs, 0,
            "{trace}: {allocs} allocations while analysing {packets} packets"
        );
    }
}
