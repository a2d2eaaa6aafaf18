//! Helpers shared by the integration tests (each test file includes this module).
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The column names of a log header (`#<level>#name:1 name:2 …`, or `#name:1 …`).
pub fn column_names(header: &str) -> Vec<String> {
    let header = header.trim_start_matches('#');
    let header = header.split_once('#').map_or(header, |(_, h)| h);
    header
        .split(' ')
        .map(|c| c.rsplit_once(':').map_or(c, |(n, _)| n).to_string())
        .collect()
}

/// The rows of a space-separated log as maps from column name to value; an empty or missing
/// file gives no rows.
pub fn read_log(path: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return Vec::new();
    };
    let names = column_names(header);
    lines
        .map(|l| {
            names
                .iter()
                .cloned()
                .zip(l.split(' ').map(str::to_string))
                .collect()
        })
        .collect()
}

/// Whether an environment variable is set to 1.
pub fn env_is(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v == "1")
}

/// The one `*.out` folder a run wrote under `root`, if there is one.
pub fn out_folder(root: &Path) -> Option<PathBuf> {
    std::fs::read_dir(root)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir() && p.extension().is_some_and(|x| x == "out"))
}

/// Whether `python3` runs (the generator-driven tests need it).
pub fn python_works() -> bool {
    std::process::Command::new("python3")
        .args(["-c", "pass"])
        .status()
        .is_ok_and(|s| s.success())
}

/// A closed output folder's `.closed` marker lists exactly its log files, and the files of
/// its histogram step folders as `STEP/NAME`, by name, with their sizes (README, "Output
/// layout").
pub fn assert_closed_marker(dir: &Path) {
    let marker = std::fs::read_to_string(dir.join(".closed"))
        .unwrap_or_else(|_| panic!("{} has no .closed marker", dir.display()));
    let mut names: Vec<String> = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            for f in std::fs::read_dir(e.path()).unwrap().flatten() {
                names.push(format!("{name}/{}", f.file_name().to_string_lossy()));
            }
        } else if name.starts_with("log_") {
            names.push(name);
        }
    }
    names.sort();
    let expected: String = names
        .iter()
        .map(|n| format!("{n} {}\n", std::fs::metadata(dir.join(n)).unwrap().len()))
        .collect();
    assert_eq!(marker, expected, "marker of {}", dir.display());
}

/// A classic pcap file header: little-endian, microseconds, Ethernet.
pub fn pcap_header() -> Vec<u8> {
    let mut h = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    h.extend_from_slice(&[0; 8]);
    h.extend_from_slice(&65535u32.to_le_bytes());
    h.extend_from_slice(&1u32.to_le_bytes());
    h
}

/// One Ethernet/IPv4/UDP frame as a pcap record: flow `n` from 10.1.x.y to 10.2.0.1:53000,
/// 20 bytes of payload, at `usec` microseconds since the epoch.
pub fn udp_record(n: u32, usec: u64) -> Vec<u8> {
    let payload = [0x55u8; 20];
    let src = [10, 1, (n >> 16) as u8, (n >> 8) as u8];
    let sport = 1024 + (n & 0xff) as u16 * 200;
    let mut ip = vec![0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0];
    ip.extend_from_slice(&src);
    ip.extend_from_slice(&[10, 2, 0, 1]);
    let total = (20 + 8 + payload.len()) as u16;
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    let sum = ip_checksum(&ip);
    ip[10..12].copy_from_slice(&sum.to_be_bytes());
    let mut frame = vec![0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00];
    frame.extend_from_slice(&ip);
    frame.extend_from_slice(&sport.to_be_bytes());
    frame.extend_from_slice(&53000u16.to_be_bytes());
    frame.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    frame.extend_from_slice(&[0, 0]);
    frame.extend_from_slice(&payload);
    let mut rec = Vec::new();
    rec.extend_from_slice(&((usec / 1_000_000) as u32).to_le_bytes());
    rec.extend_from_slice(&((usec % 1_000_000) as u32).to_le_bytes());
    rec.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    rec.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    rec.extend_from_slice(&frame);
    rec
}

fn ip_checksum(b: &[u8]) -> u16 {
    let mut s: u32 = b
        .chunks(2)
        .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
        .sum();
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    !(s as u16)
}

/// The reference corpus `TSTAT_REFERENCE` names; `None` when unset. Set but not holding the
/// corpus, the test fails (CI sets it).
pub fn reference() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("TSTAT_REFERENCE")?);
    assert!(
        dir.join("MANIFEST.tsv").is_file() && dir.join("tstat-3.2.1").is_dir(),
        "TSTAT_REFERENCE={} does not hold the reference corpus (MANIFEST.tsv, tstat-3.2.1/)",
        dir.display()
    );
    Some(dir.canonicalize().unwrap())
}

/// The corpus traces, as MANIFEST.tsv lists them (`<source>/<file>`).
pub fn corpus_traces(reference: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(reference.join("MANIFEST.tsv")).unwrap();
    manifest
        .lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .map(str::to_string)
        .collect()
}

/// A compressed trace needs its input feature (builds without default features lack them).
pub fn decompressor_built_in(trace: &str) -> bool {
    let needs = [
        (".gz", cfg!(feature = "gzip")),
        (".zst", cfg!(feature = "zstd")),
        (".xz", cfg!(feature = "xz")),
    ];
    needs
        .iter()
        .all(|(ext, built)| !trace.ends_with(ext) || *built)
}

/// A trace's frames in memory (timestamp, link type, bytes), for tests that feed an engine
/// the same packets several times.
pub type Frames = Vec<(tstat::time::Timestamp, u32, Vec<u8>)>;

pub fn load_frames(path: &Path) -> Frames {
    use tstat::source::{open_trace, TraceInput};
    let mut src = open_trace(&TraceInput::File(path.to_path_buf())).unwrap();
    let mut frames = Vec::new();
    while let Ok(Some(f)) = src.next_frame() {
        frames.push((f.ts, f.link_type, f.data.to_vec()));
    }
    frames
}

/// Wait (up to 20 s, for qemu) until `child` has read all that was written to `stdin`, its
/// standard input pipe, and is blocked reading it again: every frame written before has then
/// gone through the engine (tstat reads again only when its buffer is empty). Linux: the
/// bytes left in the pipe (FIONREAD) and where the child sleeps (/proc/PID/wchan, which
/// shows the host kernel's pipe read also for a process run by qemu-user).
pub fn wait_until_stdin_consumed(child: &std::process::Child, stdin: &std::process::ChildStdin) {
    use std::os::fd::AsRawFd;
    let wchan = format!("/proc/{}/wchan", child.id());
    let end = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut sleeping = String::new();
    while std::time::Instant::now() < end {
        let mut unread: libc::c_int = 0;
        // SAFETY: FIONREAD writes one c_int through the pointer.
        let ok = unsafe { libc::ioctl(stdin.as_raw_fd(), libc::FIONREAD, &mut unread) } == 0;
        sleeping = std::fs::read_to_string(&wchan).unwrap_or_default();
        if ok && unread == 0 && sleeping.contains("pipe_read") {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("tstat did not consume its standard input within 20 s ({wchan}: {sleeping:?})");
}

/// The samples in a histogram step file: the sum of its `label count` rows (headers start
/// with `#`).
#[allow(dead_code)] // not every test binary reads histograms
pub fn histogram_samples(file: &Path) -> u64 {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap())
        .sum()
}

/// Every file under `dir`, relative path → bytes, our `.closed` marker left out.
pub fn files_under(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
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
