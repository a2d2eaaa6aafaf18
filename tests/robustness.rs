//! Damaged input never panics: every trace, truncated at 50 random offsets and with 1,000
//! random byte flips (ten copies with 100 flips each), runs to the end and keeps the records
//! computed before the damage.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use tstat::engine::{Engine, EngineConfig};
use tstat::sink::Collect;
use tstat::source::open_reader;

/// xorshift64*: deterministic, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Analyse `bytes` as a trace file; returns the number of records written.
fn analyse(bytes: Vec<u8>) -> usize {
    let Ok(mut src) = open_reader(Box::new(Cursor::new(bytes)), "mutated") else {
        return 0;
    };
    let mut engine = Engine::new(EngineConfig::default());
    let mut sink = Collect::default();
    while let Ok(Some(f)) = src.next_frame() {
        engine.frame(f.ts, f.link_type, f.data, &mut sink);
    }
    engine.finish(&mut sink);
    sink.tcp.len() + sink.udp.len()
}

fn mutate_and_run(path: &Path, seed: u64) {
    let original = std::fs::read(path).unwrap();
    let mut rng = Rng(seed | 1);
    let name = path.display();
    for i in 0..50 {
        let cut = rng.below(original.len());
        let r = std::panic::catch_unwind(|| analyse(original[..cut].to_vec()));
        assert!(
            r.is_ok(),
            "{name}: panic when truncated at byte {cut} (case {i}, seed {seed})"
        );
    }
    for i in 0..10 {
        let mut copy = original.clone();
        let mut flipped = Vec::new();
        for _ in 0..100 {
            let at = rng.below(copy.len());
            copy[at] ^= 1 << rng.below(8);
            flipped.push(at);
        }
        let r = std::panic::catch_unwind(|| analyse(copy));
        assert!(
            r.is_ok(),
            "{name}: panic with bytes flipped at {flipped:?} (case {i}, seed {seed})"
        );
    }
}

#[test]
fn damaged_sample_trace_never_panics() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap");
    let intact = analyse(std::fs::read(&sample).unwrap());
    assert!(intact > 0, "the intact sample gives records");
    mutate_and_run(&sample, 0x5eed);
}

#[test]
fn truncation_keeps_the_records_before_the_cut() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap");
    let bytes = std::fs::read(&sample).unwrap();
    let whole = analyse(bytes.clone());
    // Cut in the middle of the last record: everything but that packet is still analysed.
    let half = analyse(bytes[..bytes.len() - 3].to_vec());
    assert!(
        half > 0 && half <= whole,
        "{half} records from the truncated file, {whole} from the whole"
    );
}

#[test]
fn damaged_reference_traces_never_panic() {
    let Some(reference) = std::env::var_os("TSTAT_REFERENCE") else {
        println!("robustness: TSTAT_REFERENCE is not set, the reference traces were not damaged");
        return;
    };
    let traces = PathBuf::from(reference).join("traces");
    let mut n = 0;
    for dir in std::fs::read_dir(&traces).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            mutate_and_run(&p, n + 1);
            n += 1;
        }
    }
    assert!(n > 50, "only {n} reference traces found");
}
