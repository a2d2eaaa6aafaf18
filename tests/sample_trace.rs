//! The command line on the project's own loopback trace: the rows must match the flows
//! counted by hand in tests/data/sample.README.md (tshark and a separate pcap parser).

use std::collections::HashMap;

mod common;
use common::read_log;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(outdir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(outdir);
    let out = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .env("TZ", "UTC")
        .arg("-s")
        .arg(outdir)
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("created new outdir"), "{stdout}");
    outdir.join("2026_11_26_23_16.out")
}

fn pick<'a>(rows: &'a [HashMap<String, String>], port: &str) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r["c_port"] == port)
        .unwrap_or_else(|| panic!("no row for client port {port}"))
}

fn check(row: &HashMap<String, String>, expect: &[(&str, &str)]) {
    for (col, want) in expect {
        assert_eq!(
            row[*col], *want,
            "column {col} of the row for port {}",
            row["c_port"]
        );
    }
}

#[test]
fn sample_trace_rows_match_hand_counted_flows() {
    let dir = run(&PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sample_out"));
    let complete = read_log(&dir.join("log_tcp_complete"));
    let nocomplete = read_log(&dir.join("log_tcp_nocomplete"));
    let udp = read_log(&dir.join("log_udp_complete"));
    assert_eq!((complete.len(), nocomplete.len(), udp.len()), (4, 1, 2));
    // (client port, packets c→s, s→c, payload c→s, s→c), from sample.README.md.
    for (port, cp, sp, cb, sb) in [
        ("50972", "6", "6", "88", "221"),
        ("50984", "7", "7", "86", "51403"),
        ("50994", "6", "6", "91", "520"),
        ("50998", "6", "6", "79", "424"),
    ] {
        let row = pick(&complete, port);
        check(
            row,
            &[
                ("s_port", "55117"),
                ("c_pkts_all", cp),
                ("s_pkts_all", sp),
                ("c_bytes_all", cb),
                ("s_bytes_all", sb),
            ],
        );
        check(
            row,
            &[
                ("c_bytes_uniq", cb),
                ("s_bytes_uniq", sb),
                ("c_pkts_retx", "0"),
                ("s_pkts_retx", "0"),
            ],
        );
        check(
            row,
            &[
                ("c_syn_cnt", "1"),
                ("s_syn_cnt", "1"),
                ("c_fin_cnt", "1"),
                ("s_fin_cnt", "1"),
            ],
        );
        check(
            row,
            &[
                ("c_rst_cnt", "0"),
                ("s_rst_cnt", "0"),
                ("c_isint", "1"),
                ("s_isint", "1"),
            ],
        );
    }
    let refused = pick(&nocomplete, "53708");
    check(
        refused,
        &[
            ("s_port", "46859"),
            ("c_pkts_all", "1"),
            ("s_pkts_all", "1"),
            ("c_syn_cnt", "1"),
        ],
    );
    check(
        refused,
        &[("s_syn_cnt", "0"), ("s_rst_cnt", "1"), ("c_bytes_all", "0")],
    );
    let u = pick(&udp, "57626");
    check(
        u,
        &[
            ("s_port", "42015"),
            ("c_pkts_all", "3"),
            ("s_pkts_all", "3"),
            ("c_bytes_all", "141"),
            ("s_bytes_all", "156"),
        ],
    );
    let u = pick(&udp, "40081");
    check(
        u,
        &[
            ("c_pkts_all", "1"),
            ("s_pkts_all", "1"),
            ("c_bytes_all", "26"),
            ("s_bytes_all", "31"),
        ],
    );
    // The first packet is at 1795735009.739267 s: absolute times are in ms with 6 decimals.
    let first: Vec<&str> = complete.iter().map(|r| r["first"].as_str()).collect();
    assert!(
        first
            .iter()
            .all(|f| f.starts_with("1795735") && f.split('.').nth(1).map(str::len) == Some(6)),
        "{first:?}"
    );
}

/// Needs the `gzip` input feature (the router build may leave it out).
#[cfg(feature = "gzip")]
#[test]
fn compressed_copies_give_the_same_logs() {
    let plain =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap"))
            .unwrap();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let gz = tmp.join("sample.pcap.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, &plain).unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let reference = run(&tmp.join("plain_out"));
    let out = tmp.join("gz_out");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .env("TZ", "UTC")
        .arg("-s")
        .arg(&out)
        .arg(&gz)
        .status()
        .unwrap();
    assert!(status.success());
    for log in ["log_tcp_complete", "log_tcp_nocomplete", "log_udp_complete"] {
        let a = std::fs::read(reference.join(log)).unwrap();
        let b = std::fs::read(out.join("2026_11_26_23_16.out").join(log)).unwrap();
        assert_eq!(a, b, "{log} differs between the plain and the gzip input");
    }
}

/// Run tstat on `input` (a path, or `-` with `stdin_file` piped in) into `out`; the logs.
fn logs_from(input: &Path, stdin_file: Option<&Path>, out: &Path) -> Vec<Vec<u8>> {
    let _ = std::fs::remove_dir_all(out);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tstat"));
    cmd.env("TZ", "UTC").arg("-s").arg(out).arg(input);
    if let Some(f) = stdin_file {
        cmd.stdin(std::fs::File::open(f).unwrap());
    }
    let status = cmd.status().unwrap();
    assert!(status.success(), "tstat failed on {}", input.display());
    ["log_tcp_complete", "log_tcp_nocomplete", "log_udp_complete"]
        .iter()
        .map(|log| std::fs::read(out.join("2026_11_26_23_16.out").join(log)).unwrap())
        .collect()
}

/// zstd and xz copies (made with the zstd and xz tools, see tests/data/sample.README.md),
/// under names that do not tell the format: detection is by content.
#[cfg(all(feature = "zstd", feature = "xz"))]
#[test]
fn zstd_and_xz_copies_read_by_their_magic_bytes() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let plain = logs_from(&data.join("sample.pcap"), None, &tmp.join("magic_plain"));
    for (fixture, disguise) in [
        ("sample.pcap.zst", "zstd-input.pcap"),
        ("sample.pcap.xz", "xz-input.dat"),
    ] {
        let renamed = tmp.join(disguise);
        std::fs::copy(data.join(fixture), &renamed).unwrap();
        let got = logs_from(&renamed, None, &tmp.join(format!("magic_{disguise}")));
        assert_eq!(
            got, plain,
            "{fixture} gives other logs than the plain trace"
        );
    }
}

#[test]
fn standard_input_gives_the_same_logs() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let plain = logs_from(&data.join("sample.pcap"), None, &tmp.join("stdin_plain"));
    let piped = logs_from(
        Path::new("-"),
        Some(&data.join("sample.pcap")),
        &tmp.join("stdin_piped"),
    );
    assert_eq!(piped, plain);
}

/// Kuznetsov's pcap variant (magic a1b2cd34, 8 more bytes per record header; made by
/// Wireshark's editcap, tests/data/sample.README.md), which Tstat reads through libpcap.
#[test]
fn kuznetsov_pcap_gives_the_same_logs() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let plain = logs_from(&data.join("sample.pcap"), None, &tmp.join("kuz_plain"));
    let got = logs_from(&data.join("sample.modpcap"), None, &tmp.join("kuz_mod"));
    assert_eq!(got, plain);
}

/// Streams made by Debian's pzstd (a skippable frame before each Zstandard frame) and two
/// of them concatenated (a valid zstd stream of two frames, RFC 8878 §3.1), read through
/// stdin and from a file: the logs of the plain trace.
#[cfg(feature = "zstd")]
#[test]
fn pzstd_and_multi_frame_zstd_give_the_same_logs() {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    if Command::new("pzstd").arg("--version").output().is_err() {
        assert!(
            !std::env::var("TSTAT_REQUIRE_TOOLS").is_ok_and(|v| v == "1"),
            "pzstd (Debian's zstd package) is needed"
        );
        eprintln!("pzstd not installed: pzstd input not tested");
        return;
    }
    let pcap = std::fs::read(data.join("sample.pcap")).unwrap();
    let pzstd = |bytes: &[u8], name: &str| -> Vec<u8> {
        let src = tmp.join(name);
        std::fs::write(&src, bytes).unwrap();
        let dst = tmp.join(format!("{name}.zst"));
        let st = Command::new("pzstd")
            .args(["-q", "-f", "-p", "2", "-o"])
            .arg(&dst)
            .arg(&src)
            .status()
            .unwrap();
        assert!(st.success());
        std::fs::read(dst).unwrap()
    };
    let whole = pzstd(&pcap, "pz_whole");
    assert_eq!(
        &whole[..4],
        &[0x50, 0x2a, 0x4d, 0x18],
        "pzstd starts with a skippable frame"
    );
    let (a, b) = pcap.split_at(pcap.len() / 2 + 1234);
    let mut two = pzstd(a, "pz_a");
    two.extend(pzstd(b, "pz_b"));
    let plain = logs_from(&data.join("sample.pcap"), None, &tmp.join("pz_plain"));
    for (bytes, name) in [(whole, "pz_whole.trace"), (two, "pz_two.trace")] {
        let f = tmp.join(name);
        std::fs::write(&f, bytes).unwrap();
        assert_eq!(
            logs_from(&f, None, &tmp.join(format!("{name}_out"))),
            plain,
            "{name}"
        );
        let piped = logs_from(Path::new("-"), Some(&f), &tmp.join(format!("{name}_stdin")));
        assert_eq!(piped, plain, "{name} through stdin");
    }
}
