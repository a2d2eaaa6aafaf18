//! Anonymisation as a user meets it, beyond what Tstat's reference runs show (issue 17,
//! docs/semantics/privacy.md §10.4): the random key and its file, a key file given back,
//! `-W` over everything, the worker threads, and every error that must stop a run before it
//! writes real addresses or anonymised ones nobody can relate to a key.
#![cfg(feature = "anon")]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_tstat");
/// The first packet's minute of tests/data/sample.pcap (TZ=UTC).
const MINUTE: &str = "2026_11_26_23_16";

fn sample() -> String {
    format!("{}/tests/data/sample.pcap", env!("CARGO_MANIFEST_DIR"))
}

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("privacy_{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("net.all"), "0.0.0.0/0\n::/0\n").unwrap();
    std::fs::write(d.join("net.lo"), "127.0.0.0/8\n").unwrap();
    d
}

fn tstat(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env("TZ", "UTC")
        .args(args)
        .output()
        .unwrap()
}

fn logs(out: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut files = common::files_under(out);
    files.retain(|name, _| name.contains("log_"));
    files
}

fn column(out: &Path, log: &str, name: &str) -> Vec<String> {
    let rows = common::read_log(&out.join(format!("{MINUTE}.out")).join(log));
    rows.iter().map(|r| r[name].clone()).collect()
}

#[test]
fn a_random_key_is_saved_and_gives_the_same_logs_back() {
    let dir = scratch("random");
    let run = |out: &str, extra: &[&str]| {
        let mut args = vec!["-Y", "net.all", "-s", out];
        args.extend(extra);
        let sample = sample();
        args.push(&sample);
        let o = tstat(&dir, &args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        o
    };
    let first = run("a", &[]);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("Generating random key (might take some time)...\n... done\n"));
    let key_file = dir.join("a").join(format!("CPanKey_{MINUTE}"));
    let key = std::fs::read(&key_file).unwrap();
    assert_eq!(key.len(), 45, "44 base64 characters and a newline");
    assert_eq!((key[43], key[44]), (b'=', b'\n'));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the key is its owner's alone");
    run("b", &[]);
    let other = std::fs::read(dir.join("b").join(format!("CPanKey_{MINUTE}"))).unwrap();
    assert_ne!(key, other, "two random keys");
    assert_ne!(logs(&dir.join("a")), logs(&dir.join("b")));
    // The saved key reproduces the first run.
    run("c", &["--keybase64", key_file.to_str().unwrap()]);
    assert_eq!(logs(&dir.join("a")), logs(&dir.join("c")));
    assert_eq!(
        std::fs::read(dir.join("c").join(format!("CPanKey_{MINUTE}"))).unwrap(),
        key
    );
}

#[test]
fn anonymised_columns_and_their_flags() {
    let dir = scratch("columns");
    let key = "0123456789abcdef0123456789abcdef";
    let sample = sample();
    for (out, extra) in [
        ("plain", vec![]),
        ("anon", vec!["-Y", "net.all", "--keyvalue", key]),
        (
            "white",
            vec!["-Y", "net.all", "-W", "net.lo", "--keyvalue", key],
        ),
    ] {
        let mut args = extra;
        args.extend(["-s", out, &sample]);
        let o = tstat(&dir, &args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (plain, anon) = (dir.join("plain"), dir.join("anon"));
    for (log, flags) in [
        ("log_tcp_complete", ["c_iscrypto", "s_iscrypto"]),
        ("log_udp_complete", ["c_iscrypto", "s_iscrypto"]),
    ] {
        for (addr, flag) in [("c_ip", flags[0]), ("s_ip", flags[1])] {
            let clear = column(&plain, log, addr);
            let hidden = column(&anon, log, addr);
            assert!(!clear.is_empty(), "{log} has rows");
            assert_eq!(clear.len(), hidden.len());
            for (c, h) in clear.iter().zip(&hidden) {
                assert_eq!(c, "127.0.0.1", "the sample is loopback traffic");
                assert_ne!(h, c, "{log} {addr}");
                // Crypto-PAn keeps prefixes: 127.0.0.1 and 127.0.0.1 agree in every bit.
                assert_eq!(h, &hidden[0]);
            }
            assert!(column(&plain, log, flag).iter().all(|f| f == "0"));
            assert!(
                column(&anon, log, flag).iter().all(|f| f == "1"),
                "{log} {flag}"
            );
        }
    }
    // Every other column is untouched.
    let rows = |d: &Path| common::read_log(&d.join(format!("{MINUTE}.out/log_tcp_complete")));
    for (p, a) in rows(&plain).iter().zip(rows(&anon)) {
        for (name, value) in p {
            if !["c_ip", "s_ip", "c_iscrypto", "s_iscrypto"].contains(&name.as_str()) {
                assert_eq!(value, &a[name], "{name}");
            }
        }
    }
    // -W over every address of the trace: the logs are the plain ones.
    assert_eq!(logs(&plain), logs(&dir.join("white")));
}

#[cfg(feature = "workers")]
#[test]
fn worker_threads_anonymise_the_same_way() {
    let dir = scratch("workers");
    let sample = sample();
    for (out, workers) in [("one", "1"), ("three", "3")] {
        let args = [
            "-Y",
            "net.all",
            "--keyvalue",
            "k",
            "--enc",
            "--workers",
            workers,
            "-s",
            out,
            &sample,
        ];
        let o = tstat(&dir, &args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let (one, three) = (logs(&dir.join("one")), logs(&dir.join("three")));
    assert!(column(&dir.join("three"), "log_tcp_complete", "c_iscrypto")
        .iter()
        .all(|f| f == "1"));
    for (name, bytes) in &one {
        let sorted = |b: &[u8]| {
            let mut lines: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
            lines.sort();
            lines.into_iter().map(<[u8]>::to_vec).collect::<Vec<_>>()
        };
        assert_eq!(sorted(bytes), sorted(&three[name]), "{name}");
    }
}

#[test]
fn what_would_leak_or_lose_the_key_stops_the_run_before_any_output() {
    let dir = scratch("errors");
    std::fs::write(dir.join("empty"), "").unwrap();
    std::fs::write(dir.join("blank"), "\nsecond\n").unwrap();
    std::fs::write(dir.join("bad.b64"), "not base64!\n").unwrap();
    let sample = sample();
    let cases: &[(&[&str], &str)] = &[
        (&["-Y", "net.all", "--keyfile", "missing"], "missing"),
        (&["-Y", "net.all", "--keyfile", "empty"], "empty"),
        (
            &["-Y", "net.all", "--keyfile", "blank"],
            "first line is empty",
        ),
        (&["-Y", "net.all", "--keybase64", "bad.b64"], "not base64"),
        (
            &["-Y", "net.all", "--keyvalue", "a", "--keyfile", "blank"],
            "one key option",
        ),
        (&["--enc"], "-Y"),
        (&["--keyvalue", "abc"], "-Y"),
        (&["-W", "net.lo"], "-Y"),
        (&["-Y", "no-such-nets"], "no-such-nets"),
    ];
    for (flags, named) in cases {
        let mut args = flags.to_vec();
        args.extend(["-s", "out", &sample]);
        let o = tstat(&dir, &args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{flags:?}: {err}");
        assert!(err.contains(named), "{flags:?} names {named}: {err}");
        assert!(!dir.join("out").exists(), "{flags:?} wrote output");
    }
    // The key file cannot be written (a folder holds its name): nothing is written.
    std::fs::create_dir_all(dir.join("out").join(format!("CPanKey_{MINUTE}"))).unwrap();
    let o = tstat(&dir, &["-Y", "net.all", "-s", "out", &sample]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot save the Crypto-PAn key"), "{err}");
    assert!(!dir.join("out").join(format!("{MINUTE}.out")).exists());
}
