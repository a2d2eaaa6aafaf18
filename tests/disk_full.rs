//! A full disk (issue 14): tstat reads a stream into a small tmpfs that fills up and then
//! frees. The folder being written is finished with whole rows and its header lines, rows
//! are counted as lost while nothing can be written, and once there is room tstat goes on in
//! a new folder, and marks the one cut short closed. Every flow is either a row on disk or
//! counted as lost, exactly; no `.closed.tmp` is left behind.
//!
//! Needs root (mount). Without it the test prints one line and passes, unless
//! TSTAT_REQUIRE_NETNS=1 (set by .ci/run, which runs the tests as root), which makes it fail.

mod common;
use common::{env_is, pcap_header, udp_record};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        let st = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .map_err(|e| e.to_string())?;
        if !st.success() {
            return Err(format!("mount -t tmpfs failed: {st}"));
        }
        Ok(Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn cannot_run() -> Option<&'static str> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("needs root to mount a tmpfs");
    }
    None
}

/// Every row of the log_udp_complete files under `out` (header lines left out).
fn rows_on_disk(out: &Path) -> Vec<String> {
    let mut rows = Vec::new();
    for folder in std::fs::read_dir(out).unwrap().flatten() {
        let text = std::fs::read_to_string(folder.path().join("log_udp_complete")).unwrap();
        rows.extend(
            text.lines()
                .filter(|l| !l.starts_with('#'))
                .map(str::to_string),
        );
    }
    rows
}

#[test]
fn a_disk_that_fills_and_frees_loses_only_counted_rows_and_resumes_in_a_new_folder() {
    if let Some(why) = cannot_run() {
        assert!(
            !env_is("TSTAT_REQUIRE_NETNS"),
            "disk-full test cannot run: {why}"
        );
        eprintln!("disk-full test did not run: {why}");
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("disk_full");
    let _ = Command::new("umount")
        .arg(work.join("fs"))
        .stderr(Stdio::null())
        .status();
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let fs = Tmpfs::mount(&work.join("fs"), "1m").unwrap();
    // Fill the file system, then leave about 150 KB: less than one 256 KB log buffer.
    let filler = fs.0.join("filler");
    {
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
    }
    let full = std::fs::metadata(&filler).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap()
        .set_len(full - 150_000)
        .unwrap();
    // Single-packet UDP flows end one second of packet time after their packet.
    let globals = work.join("globals.conf");
    std::fs::write(
        &globals,
        "[globals]\nUDP_Idle_Time = 1\nUDP_Singleton_Time = 1\n",
    )
    .unwrap();
    let out = fs.0.join("out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .env("TZ", "UTC")
        .arg("-G")
        .arg(&globals)
        .arg("-s")
        .arg(&out)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all += &line;
            all.push('\n');
        }
        all
    });
    let mut stdout = child.stdout.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).unwrap();
        s
    });
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&pcap_header()).unwrap();
    let t0: u64 = 1_700_000_000_000_000;
    let mut flows = 0u32;
    let mut send = |stdin: &mut std::process::ChildStdin, count: u32| {
        for _ in 0..count {
            stdin
                .write_all(&udp_record(flows, t0 + u64::from(flows) * 1000))
                .unwrap();
            flows += 1;
        }
        stdin.flush().unwrap();
    };
    let wait_line = |needle: &str, limit: Duration, feed: &mut dyn FnMut()| -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            feed();
            while let Ok(line) = rx.recv_timeout(Duration::from_millis(50)) {
                if line.contains(needle) {
                    return true;
                }
            }
        }
        false
    };
    // Phase 1: rows until a write fails.
    let failed = wait_line("failed", Duration::from_secs(30), &mut || {
        send(&mut stdin, 500)
    });
    assert!(failed, "no write failure reported");
    // Room again; rows keep coming, slowly, past the retry period.
    std::fs::remove_file(&filler).unwrap();
    let resumed = wait_line("can be written again", Duration::from_secs(30), &mut || {
        send(&mut stdin, 50);
        std::thread::sleep(Duration::from_millis(50));
    });
    assert!(resumed, "tstat did not resume writing");
    send(&mut stdin, 2000);
    drop(stdin);
    let status = child.wait().unwrap();
    let stderr = err_reader.join().unwrap();
    let stdout = out_reader.join().unwrap();
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(
        status.code(),
        Some(1),
        "rows were lost: exit 1\n{stdout}\n{stderr}"
    );
    let lost: u64 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("log rows lost, not written (disk full or write errors): "))
        .expect("the summary counts the lost rows")
        .parse()
        .unwrap();
    assert!(lost > 0);
    // Two folders, both closed, no temporary marker; every log whole rows with its header.
    let mut folders: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 2, "{folders:?}");
    for f in &folders {
        assert!(
            f.join(".closed").is_file(),
            "{} not marked closed",
            f.display()
        );
        assert!(!f.join(".closed.tmp").exists());
        for log in std::fs::read_dir(f).unwrap().flatten() {
            let name = log.file_name().to_string_lossy().into_owned();
            if !name.starts_with("log_") || name == "log_skype_complete" {
                continue;
            }
            let text = std::fs::read_to_string(log.path()).unwrap();
            assert!(
                text.starts_with('#'),
                "{name} in {} lost its header",
                f.display()
            );
            assert!(
                text.ends_with('\n'),
                "{name} in {} ends inside a row",
                f.display()
            );
        }
    }
    // Every flow once: a row on disk, or counted as lost.
    let rows = rows_on_disk(&out);
    let distinct: HashSet<&String> = rows.iter().collect();
    assert_eq!(distinct.len(), rows.len(), "a row written twice");
    assert_eq!(
        rows.len() as u64 + lost,
        u64::from(flows),
        "{} rows on disk, {lost} lost, {flows} flows",
        rows.len()
    );
    eprintln!("{flows} flows: {} rows on disk, {lost} lost", rows.len());
}
