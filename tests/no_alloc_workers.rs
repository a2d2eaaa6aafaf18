//! With worker threads (`--workers`), analysing packets allocates nothing per packet either:
//! batches, row buffers and channels are reused. A counting global allocator counts every
//! thread's allocations (this file holds one test, so nothing else runs meanwhile) while a
//! warm pipeline of 3 workers analyses a real trace again, twice. What may remain depends on
//! thread timing, not on packets: a recycled row buffer growing when its epoch has more rows
//! than it held before, a channel's wait registration: a few dozen at most. Each warm pass
//! of 20,000 packets or more must stay under 100; one allocation per packet would be 20,000.
//! The same with every histogram fed through the workers' event logs (builds with `histo`).
#![cfg(feature = "workers")]

mod common;
use common::{load_frames as load, Frames};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use tstat::config::runtime::Runtime;
use tstat::engine::observe::Observer;
use tstat::engine::{Engine, EngineConfig};
use tstat::parallel::events::Timeouts;
use tstat::parallel::{Outputs, Pipeline, PipelineConfig};
use tstat::sink::logs::TstatLogs;

struct Counting;

// usize: 32-bit MIPS has no 64-bit atomics.
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> usize {
    ALLOCATIONS.load(Ordering::Relaxed)
}

fn every_set() -> Runtime {
    let text = "[log]\nlog_http_complete = 1\nlog_dns_complete = 1\n\
                [options]\ntcplog_end_to_end = 1\ntcplog_layer7 = 1\ntcplog_p2p = 1\n\
                tcplog_options = 1\ntcplog_advanced = 1\nhttplog_full_url = 2\n";
    Runtime::parse("every-set.conf", text, Runtime::default()).unwrap()
}

/// The trace: a reference one when the corpus is there, else the sample trace (repeated, so
/// that epochs fill).
fn trace() -> Frames {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap");
    let path = std::env::var_os("TSTAT_REFERENCE")
        .map(|r| PathBuf::from(r).join("traces/ndpi/1kxun.pcap"))
        .unwrap_or(sample);
    let once = load(&path);
    let mut frames = Vec::new();
    while frames.len() < 20_000 {
        frames.extend(once.iter().cloned());
    }
    frames
}

/// Every histogram on, GLOBAL included, with steps too long to end within the trace (a
/// step's files are written once per step, not per packet).
#[cfg(feature = "histo")]
fn histograms(dir: &std::path::Path) -> Option<tstat::histo::Histograms> {
    let mut cfg = tstat::histo::HistoConfig::new(tstat::histo::Selection::all(true));
    cfg.global = true;
    cfg.max_time_step = 1e12;
    let mut h = tstat::histo::Histograms::new(cfg);
    h.set_folder(dir);
    Some(h)
}

#[cfg(not(feature = "histo"))]
fn histograms(_: &std::path::Path) -> Option<NoHisto> {
    None
}

#[cfg(not(feature = "histo"))]
struct NoHisto;
#[cfg(not(feature = "histo"))]
impl tstat::engine::observe::Observer for NoHisto {}

/// Three passes of `frames` through a warm pipeline of 3 workers, with histograms fed
/// through the workers' event logs when `observe`: the allocations of each pass.
fn passes(frames: &Frames, dir: &std::path::Path, observe: bool) -> [usize; 3] {
    std::fs::create_dir_all(dir).unwrap();
    let runtime = every_set();
    let mut logs = TstatLogs::create(dir, &runtime, tstat::sink::file::Compression::None).unwrap();
    let mut histo = if observe { histograms(dir) } else { None };
    let observe = histo.is_some();
    let mut pipeline = Pipeline::start(
        PipelineConfig {
            workers: 3,
            replicate_dns: true,
            runtime: runtime.clone(),
            observe: observe.then(Timeouts::default),
            #[cfg(feature = "anon")]
            privacy: None,
        },
        |_| {
            let mut cfg = EngineConfig {
                http_log: true,
                dns_log: true,
                httplog_full_url: runtime.httplog_full_url,
                dns_replica: 4096,
                ..EngineConfig::default()
            };
            // Tables as a worker's share of the router globals: three engines with Tstat's
            // default tables reserve more address space than a 32-bit target has.
            cfg.globals.max_tcp_pairs = 4096;
            cfg.globals.max_udp_pairs = 8192;
            cfg.globals.dns_cache_size = 4096;
            Engine::new(cfg)
        },
    );
    let mut pass = |logs: &mut TstatLogs| {
        let before = allocations();
        for (ts, link, data) in frames {
            let obs = histo.as_mut().map(|h| h as &mut dyn Observer);
            pipeline.frame(*ts, *link, data, Outputs::new(Some(&mut *logs), obs));
        }
        let obs = histo.as_mut().map(|h| h as &mut dyn Observer);
        pipeline.sync(Outputs::new(Some(&mut *logs), obs));
        allocations() - before
    };
    let first = pass(&mut logs);
    let rows_after_first = logs.rows;
    let second = pass(&mut logs);
    let third = pass(&mut logs);
    assert!(logs.rows > rows_after_first, "the later passes wrote rows");
    let obs = histo.as_mut().map(|h| h as &mut dyn Observer);
    pipeline.finish(Outputs::new(Some(&mut logs), obs));
    [first, second, third]
}

#[test]
fn warm_workers_allocate_nothing_per_packet() {
    let frames = trace();
    let packets = frames.len();
    assert!(packets >= 20_000);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no_alloc_workers");
    for (observe, what) in [(false, "logs"), (true, "logs and histograms")] {
        let [first, second, third] = passes(&frames, &dir.join(what.replace(' ', "-")), observe);
        eprintln!(
            "no_alloc_workers ({what}): {packets} packets per pass; allocations {first}, \
             {second}, {third}"
        );
        assert!(
            second < 100 && third < 100,
            "{what}: allocations per pass {first}, {second}, {third} for {packets} packets"
        );
    }
}
