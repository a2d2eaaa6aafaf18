//! Traffic the reference corpus lacks, run through Tstat 3.2.1 itself (the oracle,
//! `scripts/oracle-case.sh`): each folder of tests/data/oracle holds a trace, the arguments
//! it was run with, and what the oracle wrote. Our logs must be the same bytes, file for file
//! (our `.closed` marker aside). tests/data/oracle/README.md lists the cases.

#![cfg(all(feature = "dpi", feature = "dns-log", feature = "http-log"))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/oracle");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expected").is_dir())
        // A snoop trace needs the `formats` feature.
        .filter(|p| {
            cfg!(feature = "formats")
                || !std::fs::read(p.join("trace.pcap")).is_ok_and(|b| b.starts_with(b"snoop"))
        })
        .collect();
    out.sort();
    out
}

/// Every file under `dir`, relative path → bytes, our `.closed` marker left out.
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != ".closed" {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
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
        let (want, got) = (files(&case.join("expected")), files(&out));
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
