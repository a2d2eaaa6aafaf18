//! With worker threads (`--workers`), analysing packets allocates nothing per packet either:
//! batches, row buffers and channels are reused. A counting global allocator counts every
//! thread's allocations (this file holds one test, so nothing else runs meanwhile) while a
//! warm pipeline of 3 workers analyses a real trace again, twice. What may remain depends on
//! thread timing, not on packets: a recycled row buffer growing when its epoch has more rows
//! than it held before, a channel's wait registration: a few dozen at most. Each warm pass
//! of 20,000 packets or more must stay under 100; one allocation per packet would be 20,000.
#![cfg(feature = "workers")]

mod common;
use common::{load_frames as load, Frames};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use tstat::config::runtime::Runtime;
use tstat::engine::{Engine, EngineConfig};
use tstat::parallel::{Pipeline, PipelineConfig};
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

#[test]
fn warm_workers_allocate_nothing_per_packet() {
    let frames = trace();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("no_alloc_workers");
    std::fs::create_dir_all(&dir).unwrap();
    let runtime = every_set();
    let mut logs = TstatLogs::create(&dir, &runtime, tstat::sink::file::Compression::None).unwrap();
    let mut pipeline = Pipeline::start(
        PipelineConfig {
            workers: 3,
            replicate_dns: true,
            runtime: runtime.clone(),
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
        for (ts, link, data) in &frames {
            pipeline.frame(*ts, *link, data, Some(&mut *logs));
        }
        pipeline.sync(Some(&mut *logs));
        allocations() - before
    };
    let first = pass(&mut logs);
    let rows_after_first = logs.rows;
    let second = pass(&mut logs);
    let third = pass(&mut logs);
    assert!(logs.rows > rows_after_first, "the later passes wrote rows");
    let packets = frames.len();
    eprintln!(
        "no_alloc_workers: {packets} packets per pass; allocations {first}, {second}, {third}"
    );
    assert!(packets >= 20_000);
    assert!(
        second < 100 && third < 100,
        "allocations per pass {first}, {second}, {third} for {packets} packets"
    );
    pipeline.finish(Some(&mut logs));
}
