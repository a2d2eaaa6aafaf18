//! Histograms byte for byte as Tstat 3.2.1 writes them (issue 15), on the reference corpus.
//!
//! For every trace with a reference histogram tree (`netpriv/histo.tar.xz`), tstat runs the
//! reference command and every file of every step folder (`000/`, `001/`, ...), `LAST/` and
//! `GLOBAL/` must be the reference's, byte for byte, and the same files must exist. Only the
//! `profile_*` histograms are left out: the reference README says they vary from run to run
//! (they read the CPU clock). Runs only with `TSTAT_REFERENCE` set (CI sets it); unset it
//! says so in one line.
#![cfg(all(
    feature = "histo",
    feature = "dpi",
    feature = "dns-log",
    feature = "http-log"
))]

mod common;

use common::{corpus_traces, decompressor_built_in, reference};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Traces whose histograms differ from Tstat's by design, each for a reason written in
/// docs/differences.md ("Histograms"). They are still run; their differences are reported
/// and counted, not failed.
const DIFFERENT_BY_DESIGN: &[(&str, &str)] = &[
    (
        "pcapplusplus/pcapng-example.pcapng",
        "Tstat stops at its second interface (another link type), we read every interface",
    ),
    (
        "tcpdump/mpls-traceroute.pcap",
        "on PPP links Tstat counts each non-IP frame as a second copy of the IP packet before it",
    ),
    (
        "ndpi/1kxun.pcap",
        "one HTTP video flow: video classification (videoL7) is not implemented yet (issue 18)",
    ),
];

/// Every histogram file under `out`'s `.out` folder: `STEP/NAME` → bytes.
fn histogram_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let Some(out) = common::out_folder(root) else {
        return files;
    };
    for step in std::fs::read_dir(&out).unwrap().flatten() {
        if !step.path().is_dir() {
            continue;
        }
        let step_name = step.file_name().to_string_lossy().into_owned();
        for f in std::fs::read_dir(step.path()).unwrap().flatten() {
            let name = f.file_name().to_string_lossy().into_owned();
            if name.starts_with("profile_") {
                continue;
            }
            files.insert(
                format!("{step_name}/{name}"),
                std::fs::read(f.path()).unwrap(),
            );
        }
    }
    files
}

fn unpack(tarball: &Path, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    let st = Command::new("tar")
        .arg("-xJf")
        .arg(tarball)
        .arg("-C")
        .arg(into)
        .status()
        .unwrap();
    assert!(st.success(), "tar -xJf {}", tarball.display());
}

fn run_tstat(reference: &Path, trace: &str, outdir: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .current_dir(reference)
        .env("TZ", "UTC")
        .args(["-N", "conf/net.private", "-T", "conf/runtime.conf"])
        .args(["-H", "conf/histo.conf", "-B", "conf/bayes", "-g", "-s"])
        .arg(outdir)
        .arg(format!("traces/{trace}"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tstat failed on {trace}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The first line where two files differ, for the report.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: ours {y:?}, Tstat {x:?}", i + 1);
        }
    }
    format!("{} lines, Tstat {}", b.lines().count(), a.lines().count())
}

#[test]
fn histograms_agree_with_tstat_3_2_1_byte_for_byte() {
    let Some(reference) = reference() else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "histogram conformance: TSTAT_REFERENCE is not set, so it did not run"
        );
        return;
    };
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("histo_conformance");
    let _ = std::fs::remove_dir_all(&work);
    let (mut traces, mut files, mut identical) = (0, 0, 0);
    let mut failures = Vec::new();
    let mut by_design = Vec::new();
    for trace in corpus_traces(&reference) {
        let tarball = reference
            .join("tstat-3.2.1")
            .join(&trace)
            .join("netpriv/histo.tar.xz");
        if !tarball.is_file() || !decompressor_built_in(&trace) {
            continue;
        }
        let case = work.join(trace.replace('/', "__"));
        let excused = DIFFERENT_BY_DESIGN.iter().find(|(t, _)| *t == trace);
        let before = failures.len();
        unpack(&tarball, &case.join("ref"));
        run_tstat(&reference, &trace, &case.join("ours"));
        let theirs = histogram_files(&case.join("ref/tstat_out"));
        let ours = histogram_files(&case.join("ours"));
        traces += 1;
        let missing: Vec<_> = theirs.keys().filter(|k| !ours.contains_key(*k)).collect();
        let extra: Vec<_> = ours.keys().filter(|k| !theirs.contains_key(*k)).collect();
        if !missing.is_empty() || !extra.is_empty() {
            failures.push(format!(
                "{trace}: {} files missing (e.g. {:?}), {} extra (e.g. {:?})",
                missing.len(),
                missing.first(),
                extra.len(),
                extra.first()
            ));
        }
        for (name, bytes) in &theirs {
            files += 1;
            match ours.get(name) {
                Some(b) if b == bytes => identical += 1,
                Some(b) => failures.push(format!("{trace} {name}: {}", first_difference(bytes, b))),
                None => {}
            }
        }
        if let Some((_, why)) = excused {
            let differing = failures.split_off(before);
            by_design.push(format!("{trace}: {} files differ ({why})", differing.len()));
        }
    }
    assert!(traces > 0, "no histo.tar.xz under {}", reference.display());
    let report = work.join("failures.txt");
    std::fs::write(&report, failures.join("\n")).unwrap();
    println!("histogram conformance: {traces} traces, {identical}/{files} files byte-identical");
    for line in &by_design {
        println!("histogram conformance: by design: {line}");
    }
    assert!(
        failures.is_empty(),
        "{} disagreements with Tstat 3.2.1 (all in {}; the first 40):\n{}",
        failures.len(),
        report.display(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
