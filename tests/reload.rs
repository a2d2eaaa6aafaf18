//! runtime.conf reload and the output signals while tstat reads a stream (issue 5).
//!
//! The stream is a slow pipe into tstat's standard input, not a live capture: python3 writes
//! one TCP connection and one UDP exchange every 20 ms, in real time, until told to stop.
//! The reload path is the same for both inputs (it runs between packets), and a pipe drops
//! nothing, needs no root and no namespaces, so the row count can be checked exactly. In
//! order, while the stream flows:
//!
//! 1. a malformed edit of runtime.conf is rejected, naming file and line; no new folder;
//! 2. a valid edit switches an [options] set (tcplog_end_to_end off): after
//!    Runtime_Mtime_Counter stable checks a new folder appears whose log_tcp_complete
//!    header is the new level's, and the old folder gets its `.closed` marker;
//! 3. SIGUSR1 prints the counters on stderr and the run goes on;
//! 4. SIGHUP closes the folder (marker) and opens a new one.
//!
//! At the end every connection and every UDP exchange is exactly one row in exactly one
//! folder: none lost, none duplicated across the switches.

mod common;
use common::{column_names, read_log};
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GENERATOR: &str = r#"
import os, struct, sys, time
stop, count_file = sys.argv[1], sys.argv[2]
START = 1704103200  # 2024-01-01 10:00:00 UTC
out = sys.stdout.buffer
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
SERVER = bytes([192, 0, 2, 1])
def ip(src, dst, proto, payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, src, dst) + payload
def tcp(sport, dport, seq, ack, flags, data=b""):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0) + data
def udp(sport, dport, data):
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data
def frame(usec, packet):
    eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + packet
    out.write(struct.pack("<IIII", usec // 1000000, usec % 1000000, len(eth), len(eth)) + eth)
i = 0
while not os.path.exists(stop):
    t = START * 1000000 + i * 20000
    client = bytes([10, 2, (i >> 8) & 255, i & 255])
    port = 20000 + i
    for us, a, b, sp, dp, fl, seq, ack, data in [
        (0, client, SERVER, port, 80, 0x02, 1000, 0, b""),
        (1000, SERVER, client, 80, port, 0x12, 5000, 1001, b""),
        (2000, client, SERVER, port, 80, 0x10, 1001, 5001, b""),
        (3000, client, SERVER, port, 80, 0x18, 1001, 5001, b"q" * 100),
        (4000, SERVER, client, 80, port, 0x18, 5001, 1101, b"r" * 500),
        (5000, client, SERVER, port, 80, 0x11, 1101, 5501, b""),
        (6000, SERVER, client, 80, port, 0x11, 5501, 1102, b""),
        (7000, client, SERVER, port, 80, 0x10, 1102, 5502, b""),
    ]:
        frame(t + us, ip(a, b, 6, tcp(sp, dp, seq, ack, fl, data)))
    frame(t + 10000, ip(client, SERVER, 17, udp(port, 7000, b"u" * 50)))
    frame(t + 11000, ip(SERVER, client, 17, udp(7000, port, b"v" * 80)))
    out.flush()
    i += 1
    time.sleep(0.02)
open(count_file, "w").write(str(i))
"#;

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn folders(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(out)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    // Creation order: the base name, then -2, -3.
    v.sort_by_key(|p| {
        let n = p.file_name().unwrap().to_string_lossy().into_owned();
        let stem = n.trim_end_matches(".out");
        match stem.rsplit_once('-') {
            Some((minute, k)) => (minute.to_string(), k.parse::<u32>().unwrap_or(0)),
            None => (stem.to_string(), 1),
        }
    });
    v
}

fn header(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Text a file of the work folder holds so far (stdout and stderr go to files, so the test
/// can read them while tstat runs).
fn text(path: &Path) -> String {
    let mut s = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut s);
    }
    s
}

fn signal(pid: u32, sig: libc::c_int) {
    // SAFETY: kill(2) on our own child.
    assert_eq!(unsafe { libc::kill(pid as i32, sig) }, 0);
}

#[test]
fn reload_and_signals_switch_folders_without_losing_a_row() {
    if !common::python_works() {
        assert!(
            !common::env_is("TSTAT_REQUIRE_NETNS"),
            "python3 is required for the reload test"
        );
        println!("reload: did not run (python3 missing)");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reload");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("gen.py"), GENERATOR).unwrap();
    let runtime = work.join("runtime.conf");
    std::fs::write(&runtime, "[options]\ntcplog_end_to_end = 1\n").unwrap();
    std::fs::write(
        work.join("globals.conf"),
        "[globals]\nRuntime_Config_Idle = 0.1\nRuntime_Mtime_Counter = 2\n\
         Max_TCP_Pairs = 10000\nMax_UDP_Pairs = 10000\nHash_Table_Size = 20011\n",
    )
    .unwrap();
    let (stop, count) = (work.join("stop"), work.join("count"));
    let mut gen = Command::new("python3")
        .arg(work.join("gen.py"))
        .arg(&stop)
        .arg(&count)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = work.join("out");
    let (stdout_path, stderr_path) = (work.join("tstat.out"), work.join("tstat.err"));
    let mut tstat = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .env("TZ", "UTC")
        .arg("-G")
        .arg(work.join("globals.conf"))
        .arg("-T")
        .arg(&runtime)
        .arg("-s")
        .arg(&out)
        .arg("stdin")
        .stdin(gen.stdout.take().unwrap())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let pid = tstat.id();
    wait_for("the first folder", || folders(&out).len() == 1);
    let first = folders(&out)[0].clone();
    std::thread::sleep(Duration::from_millis(300));

    // 1. A malformed edit: rejected, the running configuration stays.
    std::fs::write(&runtime, "[options]\ntcplog_end_to_end = off\n").unwrap();
    wait_for("the rejection", || {
        text(&stderr_path).contains("reload rejected")
    });
    let err = text(&stderr_path);
    assert!(
        err.contains(&format!("{}:2", runtime.display())),
        "names file and line: {err}"
    );
    assert_eq!(folders(&out).len(), 1, "no new folder for a rejected edit");
    assert!(!first.join(".closed").exists());

    // 2. A valid edit of [options]: a new folder with the new header.
    std::thread::sleep(Duration::from_millis(50));
    std::fs::write(&runtime, "[options]\ntcplog_end_to_end = 0\n").unwrap();
    wait_for("the folder of the new configuration", || {
        folders(&out).len() == 2
    });
    let second = folders(&out)[1].clone();
    wait_for("the first folder's marker", || {
        first.join(".closed").exists()
    });
    std::thread::sleep(Duration::from_millis(300));

    // 3. SIGUSR1: counters on stderr, nothing else changes.
    signal(pid, libc::SIGUSR1);
    wait_for("the counters on stderr", || {
        text(&stderr_path).contains("frames read:")
    });
    assert_eq!(folders(&out).len(), 2);

    // 4. SIGHUP: the folder is closed and a new one opened.
    signal(pid, libc::SIGHUP);
    wait_for("the folder after SIGHUP", || folders(&out).len() == 3);
    wait_for("the second folder's marker", || {
        second.join(".closed").exists()
    });
    std::thread::sleep(Duration::from_millis(300));

    std::fs::write(&stop, b"").unwrap();
    assert!(gen.wait().unwrap().success());
    let status = tstat.wait().unwrap();
    assert!(status.success(), "tstat: {}", text(&stderr_path));
    let sessions: usize = text(&count).trim().parse().unwrap();

    let dirs = folders(&out);
    assert_eq!(dirs.len(), 3, "{dirs:?}");
    let levels: Vec<String> = dirs
        .iter()
        .map(|d| {
            header(&d.join("log_tcp_complete"))
                .split('#')
                .nth(1)
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        levels,
        ["15", "14", "14"],
        "the TCP log level of each folder"
    );
    let second_columns = column_names(&header(&second.join("log_tcp_complete")));
    assert!(!second_columns.iter().any(|c| c == "c_rtt_avg"));
    assert!(column_names(&header(&first.join("log_tcp_complete")))
        .iter()
        .any(|c| c == "c_rtt_avg"));

    // Every connection and every UDP exchange: one row, in one folder.
    let mut rows_per_folder = Vec::new();
    for (log, what) in [("log_tcp_complete", "TCP"), ("log_udp_complete", "UDP")] {
        let mut seen = HashSet::new();
        let mut total = 0;
        for d in &dirs {
            assert!(d.join(".closed").exists(), "{} closed", d.display());
            let rows = read_log(&d.join(log));
            if log == "log_tcp_complete" {
                rows_per_folder.push(rows.len());
            }
            for r in rows {
                total += 1;
                assert!(
                    seen.insert((r["c_ip"].clone(), r["c_port"].clone())),
                    "{what} row for {}:{} twice",
                    r["c_ip"],
                    r["c_port"]
                );
            }
        }
        assert_eq!(total, sessions, "{what} rows against {sessions} generated");
    }
    assert!(
        rows_per_folder.iter().all(|&n| n > 0),
        "each folder holds connections: {rows_per_folder:?}"
    );
    println!(
        "reload: {sessions} connections and UDP exchanges, TCP rows per folder {rows_per_folder:?}, \
         none lost or duplicated"
    );
    let _ = std::fs::remove_dir_all(&work);
}
