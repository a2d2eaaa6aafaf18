//! `-Z` (gzip, Tstat's `log_*.gz`) and `--zstd` (`log_*.zst`, our addition): decompressed by
//! the external `gzip` and `zstd` tools, every log must be byte for byte the plain run's.
//! The closed marker of each folder lists the files as they are on disk.
//!
//! Needs the `gzip` and `zstd` programs (CI installs them); without one the test prints a
//! line and checks the other.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::out_folder;

/// Every log on: the DNS and HTTP writers are compressed too.
const RUNTIME: &str = "[log]\nlog_dns_complete = 1\nlog_http_complete = 1\n\
                       [options]\nhttplog_full_url = 2\ntcplog_advanced = 1\n";

fn run(work: &Path, name: &str, flag: Option<&str>) -> PathBuf {
    let out = work.join(name);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tstat"));
    cmd.env("TZ", "UTC")
        .arg("-T")
        .arg(work.join("runtime.conf"))
        .arg("-s")
        .arg(&out);
    if let Some(f) = flag {
        cmd.arg(f);
    }
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap");
    let o = cmd.arg(sample).output().unwrap();
    assert!(
        o.status.success(),
        "tstat {flag:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    out_folder(&out).expect("an output folder")
}

/// The files of a folder (the marker apart) and their bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("log_"))
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

fn tool_works(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn decompress(tool: &str, path: &Path) -> Vec<u8> {
    let o = Command::new(tool).arg("-dc").arg(path).output().unwrap();
    assert!(
        o.status.success(),
        "{tool} -dc {}: {}",
        path.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

#[test]
fn compressed_logs_decompress_to_the_plain_logs() {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("compressed-logs");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("runtime.conf"), RUNTIME).unwrap();
    let plain_dir = run(&work, "plain", None);
    common::assert_closed_marker(&plain_dir);
    let plain = files(&plain_dir);
    // The logs Tstat creates with this runtime.conf (log_skype_complete only with -B).
    let created: Vec<&str> = plain.keys().map(String::as_str).collect();
    assert_eq!(
        created,
        [
            "log_chat_complete",
            "log_chat_messages",
            "log_dns_complete",
            "log_http_complete",
            "log_mm_complete",
            "log_tcp_complete",
            "log_tcp_nocomplete",
            "log_udp_complete",
            "log_video_complete"
        ]
    );
    assert!(plain["log_tcp_complete"].len() > 1000);

    let mut checked = 0;
    for (flag, tool, suffix, feature) in [
        ("-Z", "gzip", ".gz", cfg!(feature = "gzip")),
        ("--zstd", "zstd", ".zst", cfg!(feature = "zstd")),
    ] {
        if !feature {
            println!("{flag}: this build has no {tool} encoder");
            continue;
        }
        if !tool_works(tool) {
            assert!(
                !common::env_is("TSTAT_REQUIRE_TOOLS"),
                "{tool} is required but missing"
            );
            println!("{flag}: the {tool} program is missing, not checked");
            continue;
        }
        let dir = run(&work, tool, Some(flag));
        common::assert_closed_marker(&dir);
        let packed = files(&dir);
        assert_eq!(
            packed.keys().cloned().collect::<Vec<_>>(),
            plain
                .keys()
                .map(|n| format!("{n}{suffix}"))
                .collect::<Vec<_>>(),
            "{flag}: the same logs, each with {suffix}"
        );
        for (name, bytes) in &plain {
            let back = decompress(tool, &dir.join(format!("{name}{suffix}")));
            assert!(back == *bytes, "{flag}: {name} differs after {tool} -dc");
        }
        checked += 1;
    }
    println!("compressed logs: {checked} compressed form(s) identical to the plain logs");
    let _ = std::fs::remove_dir_all(&work);
}
