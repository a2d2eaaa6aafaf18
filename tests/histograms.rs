//! Histogram folders as a run writes them (issue 15): `-H ?`, step folders following a
//! stream's folder rotation, LAST and GLOBAL at the end and on SIGTERM, the step in progress
//! flushed into the folder a SIGHUP closes, and every histogram file in the `.closed` marker.
//! Byte-identity with Tstat is tests/histo_conformance.rs.
#![cfg(feature = "histo")]

mod common;

use common::{assert_closed_marker, pcap_header, udp_record};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_tstat");

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("histograms_{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Short steps so a test trace spans several: 10 s per step, 2 steps per folder.
fn setup(dir: &Path) -> (PathBuf, PathBuf) {
    let globals = dir.join("globals.conf");
    std::fs::write(&globals, "[globals]\nMax_Time_Step = 10\nDirs = 2\n").unwrap();
    let histo = dir.join("histo.conf");
    std::fs::write(&histo, "include udp_port_dst_loc\ninclude ip_len_loc\n").unwrap();
    (globals, histo)
}

fn spawn(dir: &Path, extra: &[&str]) -> Child {
    let (globals, histo) = setup(dir);
    Command::new(BIN)
        .env("TZ", "UTC")
        .arg("-G")
        .arg(&globals)
        .arg("-H")
        .arg(&histo)
        .args(extra)
        .arg("-s")
        .arg(dir.join("out"))
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// One datagram a second from `from` for `secs` seconds, as pcap records.
fn packets(from: u64, secs: u64) -> Vec<u8> {
    let t0: u64 = 1_700_000_000_000_000;
    (from..from + secs)
        .flat_map(|s| udp_record(s as u32 % 7, t0 + s * 1_000_000))
        .collect()
}

/// The `.out` folders in the order tstat created them (`-2.out` after `.out`).
fn folders(out: &Path) -> Vec<PathBuf> {
    use tstat::sink::outdir::FolderName;
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort_by(|a, b| {
        let name = |p: &PathBuf| p.file_name().unwrap().to_string_lossy().into_owned();
        let (a, b) = (name(a), name(b));
        FolderName::parse(&a).cmp(&FolderName::parse(&b))
    });
    v
}

fn subfolders(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn a_stream_rotates_its_folders_every_dirs_steps_and_ends_with_last() {
    let dir = scratch("rotate");
    let mut child = spawn(&dir, &[]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&pcap_header()).unwrap();
    // 45 s of packets, one a second: steps end at s = 11, 22, 33, 44 (the first packet more
    // than 10 s after the previous step's end), two steps per folder.
    stdin.write_all(&packets(0, 45)).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
    let out = dir.join("out");
    let f = folders(&out);
    assert_eq!(f.len(), 3, "{f:?}");
    assert_eq!(subfolders(&f[0]), ["000", "001"]);
    assert_eq!(subfolders(&f[1]), ["000", "001"]);
    assert_eq!(subfolders(&f[2]), ["LAST"]);
    // Every packet is counted once, in the step that holds it: 12 in the first step (s=0..11,
    // the trigger included), 11 in each of the next three, 1 in LAST (s=44 is the trigger of
    // the fourth step; s=45 does not exist).
    let per_step: Vec<u64> = [
        f[0].join("000"),
        f[0].join("001"),
        f[1].join("000"),
        f[1].join("001"),
        f[2].join("LAST"),
    ]
    .iter()
    .map(|d| common::histogram_samples(&d.join("udp_port_dst_loc")))
    .collect();
    assert_eq!(per_step, [12, 11, 11, 11, 0]);
    assert_eq!(per_step.iter().sum::<u64>(), 45);
    for folder in &f {
        assert_closed_marker(folder);
        let marker = std::fs::read_to_string(folder.join(".closed")).unwrap();
        assert!(marker.contains("/udp_port_dst_loc "), "{marker}");
    }
}

#[test]
fn sigterm_writes_last_and_global_and_sighup_flushes_the_step_into_the_old_folder() {
    let dir = scratch("signals");
    let mut child = spawn(&dir, &["-g"]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&pcap_header()).unwrap();
    stdin.write_all(&packets(0, 5)).unwrap();
    stdin.flush().unwrap();
    let out = dir.join("out");
    let wait_for = |what: &dyn Fn() -> bool| {
        for _ in 0..200 {
            if what() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    };
    assert!(wait_for(&|| out.exists() && folders(&out).len() == 1));
    // SIGHUP mid-step, while tstat waits for input with the 5 packets done: it is taken after
    // the next packet, so the first 6 packets go into the folder being closed, as its step 000.
    common::wait_until_stdin_consumed(&child, &stdin);
    unsafe { libc::kill(child.id() as i32, libc::SIGHUP) };
    std::thread::sleep(Duration::from_millis(100));
    stdin.write_all(&packets(5, 3)).unwrap();
    stdin.flush().unwrap();
    assert!(wait_for(&|| folders(&out).len() == 2));
    common::wait_until_stdin_consumed(&child, &stdin);
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    // The SIGTERM is taken at the next packet too.
    stdin.write_all(&packets(8, 1)).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let f = folders(&out);
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(subfolders(&f[0]), ["000"]);
    assert_eq!(
        common::histogram_samples(&f[0].join("000/udp_port_dst_loc")),
        6
    );
    assert_eq!(subfolders(&f[1]), ["GLOBAL", "LAST"]);
    let last = common::histogram_samples(&f[1].join("LAST/udp_port_dst_loc"));
    // 2 after the SIGHUP, and the one that carried the SIGTERM (read, then the signal taken).
    assert_eq!(last, 3);
    // GLOBAL counts the whole run.
    let global = std::fs::read_to_string(f[1].join("GLOBAL/udp_port_dst_loc")).unwrap();
    let total = 6 + last;
    assert!(
        global.contains(&format!(
            "#SAMPLES: <min=0 valid={total} >max=0 tot={total}\n"
        )),
        "{global}"
    );
    for folder in &f {
        assert_closed_marker(folder);
    }
}

#[test]
fn dash_h_question_mark_lists_tstats_definitions() {
    let out = Command::new(BIN).args(["-H", "?"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // Without -N Tstat first warns that every address is internal.
    assert!(text.starts_with("\u{1b}[1mWarning:\u{1b}[0m -N option not specified.\n"));
    let defs: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("#name"))
        .collect();
    assert_eq!(defs[0], "#name\tmin\tbin_size\tmax\tdescription");
    assert_eq!(defs.len(), 1 + 349, "349 objects without -g");
    assert_eq!(defs[1], "profile_trash\t0\t1\t1\ttrash TCP packets");
    assert_eq!(
        *defs.last().unwrap(),
        "ip_protocol_in\t0\t1\t255\tIP protocol - incoming packets"
    );
    if let Some(reference) = common::reference() {
        let want = std::fs::read_to_string(reference.join("histo-definitions.txt")).unwrap();
        assert_eq!(text, want, "tstat -H ? is Tstat's list, byte for byte");
    }
    let with_g = Command::new(BIN).args(["-H", "?", "-g"]).output().unwrap();
    let n = String::from_utf8(with_g.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("g_"))
        .count();
    assert_eq!(n, 12, "-g adds the 12 g_* objects");
}

#[test]
fn histo_conf_errors_name_the_file_and_line() {
    let dir = scratch("conf");
    let bad = dir.join("histo.conf");
    std::fs::write(&bad, "include ALL\n\ninclude no_such_histogram\n").unwrap();
    let out = Command::new(BIN)
        .arg("-H")
        .arg(&bad)
        .arg("-s")
        .arg(dir.join("out"))
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3:", bad.display())), "{err}");
    assert!(err.contains("no_such_histogram"), "{err}");
}
