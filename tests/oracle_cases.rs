//! Traffic the reference corpus lacks, run through Tstat 3.2.1 itself (the oracle,
//! `scripts/oracle-case.sh`): each folder of tests/data/oracle holds a trace, the arguments
//! it was run with, and what the oracle wrote. Our logs must be the same bytes, file for file
//! (our `.closed` marker aside). tests/data/oracle/README.md lists the cases.

#![cfg(all(feature = "dpi", feature = "dns-log", feature = "http-log"))]

mod common;

use std::path::PathBuf;
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/oracle");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expected").is_dir())
        // A snoop trace needs the `formats` feature, anonymisation (-Y) the `anon` one.
        .filter(|p| {
            cfg!(feature = "formats")
                || !std::fs::read(p.join("trace.pcap")).is_ok_and(|b| b.starts_with(b"snoop"))
        })
        .filter(|p| {
            cfg!(feature = "anon")
                || !std::fs::read_to_string(p.join("args")).is_ok_and(|a| a.contains("-Y"))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_oracle_case_gives_the_oracles_bytes() {
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no case under tests/data/oracle holds an expected/ folder (scripts/oracle-case.sh \
         makes them; .gitignore must not hide them)"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let args = std::fs::read_to_string(case.join("args")).unwrap();
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("oracle_{name}"));
        let _ = std::fs::remove_dir_all(&out);
        let st = Command::new(env!("CARGO_BIN_EXE_tstat"))
            .current_dir(case.parent().unwrap())
            .env("TZ", "UTC")
            .args(args.split_whitespace())
            .arg("-s")
            .arg(&out)
            .arg(case.join("trace.pcap"))
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&st.stderr)
        );
        let (want, got) = (
            common::files_under(&case.join("expected")),
            common::files_under(&out),
        );
        if want.keys().ne(got.keys()) {
            failures.push(format!(
                "{name}: files {:?} vs ours {:?}",
                want.keys(),
                got.keys()
            ));
            continue;
        }
        for (file, bytes) in &want {
            if got[file] != *bytes {
                failures.push(format!("{name}: {file} differs"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("{} oracle cases agree", cases.len());
}
