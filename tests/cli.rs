//! The command line as a user meets it (issue 14, items 4, 5, 6 and 10): flags this build
//! cannot honour refuse with exit 2 and write nothing, help and usage errors say what to do,
//! an unwritable output folder is found before any packet is read.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_tstat");

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap")
}

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli_{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn flags_that_would_write_something_else_refuse_with_exit_2_and_write_nothing() {
    let dir = scratch("refuse");
    std::fs::write(dir.join("nets"), "10.0.0.0/8\n").unwrap();
    std::fs::write(dir.join("key"), "0123456789abcdef0123456789abcdef\n").unwrap();
    let sample = sample();
    let trace = sample.to_str().unwrap();
    // A build without anonymisation refuses its flags rather than write real addresses.
    let anon: &[(&[&str], &str)] = &[
        (
            &[
                "-Y",
                "nets",
                "--keyvalue",
                "0123456789abcdef0123456789abcdef",
            ],
            "Crypto-PAn",
        ),
        (&["-Y", "nets", "--keyfile", "key"], "Crypto-PAn"),
        (&["-Y", "nets", "--keybase64", "key"], "Crypto-PAn"),
        (&["--enc"], "Crypto-PAn"),
        (&["-W", "nets"], "Crypto-PAn"),
    ];
    let cases: &[(&[&str], &str)] = &[
        (&["-A", "0xffffff00"], "-A"),
        (&["-M", "nets"], "-M"),
        (&["-C", "nets"], "-C"),
        (&["-2"], "-2"),
        (&["-3"], "-3"),
        (&["-P"], "pcap dumps"),
        (&["-F", "nets"], "pcap dumps"),
    ];
    // A build without the RRD engine refuses -R/-r rather than write no database.
    let rrd: &[(&[&str], &str)] = &[(&["-R", "rrd.conf", "-r", "rrd"], "RRD")];
    let cases = cases
        .iter()
        .chain(rrd.iter().filter(|_| !cfg!(feature = "rrd")))
        .chain(anon.iter().filter(|_| !cfg!(feature = "anon")));
    for (flags, named) in cases {
        let out_dir = dir.join("out");
        let mut args = flags.to_vec();
        args.extend(["-s", out_dir.to_str().unwrap(), trace]);
        let out = run_in(&dir, &args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {err}");
        assert!(err.contains(named), "{flags:?} names {named}: {err}");
        assert!(!out_dir.exists(), "{flags:?} wrote output");
    }
    // A [dump] switch in runtime.conf is refused the same way.
    std::fs::write(
        dir.join("runtime.conf"),
        "[log]\nlog_tcp_complete = 1\n[dump]\nudp_dns = 1\nsnap_len = 100\n",
    )
    .unwrap();
    let out = run_in(&dir, &["-T", "runtime.conf", "-s", "out", trace]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("udp_dns"),
        "{}",
        text(&out.stderr)
    );
    // Limits alone (no class switched on) are fine.
    std::fs::write(
        dir.join("runtime.conf"),
        "[log]\nlog_tcp_complete = 1\n[dump]\nudp_dns = 0\nsnap_len = 100\n",
    )
    .unwrap();
    assert!(run_in(&dir, &["-T", "runtime.conf", "-s", "out", trace])
        .status
        .success());
}

#[test]
fn dash_h_prints_the_help_and_unknown_flags_point_to_it() {
    let dir = scratch("help");
    let out = run_in(&dir, &["-h"]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    for flag in [
        "-s",
        "-N",
        "-T",
        "-G",
        "-H",
        "-l",
        "-i",
        "-f",
        "--workers",
        "Globals (-G):",
    ] {
        assert!(help.contains(flag), "-h lists {flag}");
    }
    let out = run_in(&dir, &["--frobnicate", "x.pcap"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.starts_with("tstat: "), "{err}");
    assert!(
        err.contains("--frobnicate") && err.contains("Try 'tstat --help'"),
        "{err}"
    );
}

#[test]
fn an_error_in_tstat_conf_names_that_file() {
    let dir = scratch("conf");
    std::fs::write(dir.join("tstat.conf"), "-s out\n--frobnicate\n").unwrap();
    let out = run_in(&dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("./tstat.conf"), "{err}");
}

#[test]
fn an_input_that_cannot_be_opened_prints_no_summary() {
    let dir = scratch("noinput");
    let out = run_in(&dir, &["-s", "out", "no-such-trace.pcap"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no-such-trace.pcap"));
    assert!(
        !text(&out.stdout).contains("packets seen"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn an_unwritable_output_folder_is_reported_before_reading() {
    let dir = scratch("unwritable");
    std::fs::write(dir.join("a-file"), "").unwrap();
    // A folder under a regular file can never be created, whoever runs the test.
    let out = run_in(&dir, &["-s", "a-file/out", sample().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot write into the output folder a-file/out"),
        "{err}"
    );
    assert!(!err.contains("not even a single packet"), "{err}");
    assert!(!text(&out.stdout).contains("packets seen"));
}

#[test]
fn a_missing_histogram_configuration_is_named() {
    let dir = scratch("histo");
    let out = run_in(
        &dir,
        &["-H", "nope.conf", "-s", "out", sample().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("-H nope.conf"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn dash_z_sends_every_message_to_the_file() {
    let dir = scratch("z");
    let out = run_in(
        &dir,
        &[
            "-z",
            "messages.txt",
            "-s",
            "out",
            sample().to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let messages = std::fs::read_to_string(dir.join("messages.txt")).unwrap();
    assert!(messages.contains("60 packets seen"), "{messages}");
    assert!(
        messages.contains("warning: log_video_complete"),
        "{messages}"
    );
}
