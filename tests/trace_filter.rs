//! `-f FILE` on trace files (issue 14): Tstat installs the tcpdump-syntax filter on every
//! libpcap handle, files included, so only matching frames are analysed. Checked on the
//! sample trace against its hand-counted flows (tests/data/sample.README.md): 4 complete and
//! 1 refused TCP connection on port 55117/46859, 2 UDP flows.
#![cfg(feature = "live")]

mod common;
use std::path::PathBuf;
use std::process::Command;

fn run_with_filter(expr: &str, name: &str) -> (PathBuf, String) {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("filter_{name}"));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let filter = tmp.join("filter.txt");
    std::fs::write(&filter, format!("# a comment line\n{expr}\n")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .env("TZ", "UTC")
        .arg("-f")
        .arg(&filter)
        .arg("-s")
        .arg(tmp.join("out"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = common::out_folder(&tmp.join("out")).unwrap();
    (dir, String::from_utf8(out.stdout).unwrap())
}

fn rows(dir: &std::path::Path, log: &str) -> usize {
    std::fs::read_to_string(dir.join(log))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .count()
}

#[test]
fn only_frames_passing_the_filter_are_analysed() {
    let (dir, stdout) = run_with_filter("udp", "udp");
    assert_eq!(rows(&dir, "log_udp_complete"), 2);
    assert_eq!(rows(&dir, "log_tcp_complete"), 0);
    assert_eq!(rows(&dir, "log_tcp_nocomplete"), 0);
    assert!(
        stdout.contains("frames not passing the -f filter: 52\n"),
        "{stdout}"
    );

    let (dir, _) = run_with_filter("tcp port 55117", "http");
    assert_eq!(rows(&dir, "log_tcp_complete"), 4);
    assert_eq!(rows(&dir, "log_tcp_nocomplete"), 0);
    assert_eq!(rows(&dir, "log_udp_complete"), 0);
}

#[test]
fn a_filter_that_does_not_compile_stops_before_reading() {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("filter_bad");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("f"), "udp prot 53\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .arg("-f")
        .arg(tmp.join("f"))
        .arg("-s")
        .arg(tmp.join("out"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("does not compile"), "{err}");
    assert!(!tmp.join("out").exists(), "nothing read, no folder");
}
