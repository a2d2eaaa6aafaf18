//! `--plain-stream`: each new row of the open folder's plain logs as `"<path> <row>\n"` over
//! TCP, the line format of Tstat's mPlane streaming exporter (port 9001 there). No
//! authentication, no encryption, no resume: a row is sent once it is complete, rows written
//! while the collector is away are sent when it is back (as long as the client runs), and a
//! row cut by a dropped connection may be lost or repeated.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use super::tree::{self, FolderState};
use super::util::{log_line, sleep_unless, Backoff};

/// Default port of the mPlane exporter's collectors.
pub const DEFAULT_PORT: u16 = 9001;

pub struct PlainConfig {
    /// `HOST:PORT` of the line collector.
    pub target: String,
    pub base: PathBuf,
    pub poll: Duration,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

/// Run until `stop`: rows already in the logs at start are skipped, later ones are sent.
pub fn run(cfg: &PlainConfig, stop: &AtomicBool) {
    let mut skipped = tree::Skipped::default();
    let mut offsets = start_offsets(cfg, &mut skipped);
    let mut backoff = Backoff::new(cfg.backoff_min, cfg.backoff_max);
    let mut buf = vec![0u8; 64 * 1024];
    while !stop.load(Ordering::Relaxed) {
        match TcpStream::connect(&cfg.target) {
            Ok(mut s) => {
                log_line("plain", format_args!("connected to {}", cfg.target));
                backoff.reset();
                while !stop.load(Ordering::Relaxed) {
                    match send_new_rows(cfg, &mut s, &mut offsets, &mut buf, &mut skipped) {
                        Ok(true) => {}
                        Ok(false) => sleep_unless(stop, cfg.poll),
                        Err(e) => {
                            log_line("plain", format_args!("connection lost: {e}"));
                            break;
                        }
                    }
                }
            }
            Err(e) => log_line(
                "plain",
                format_args!("cannot connect to {}: {e}", cfg.target),
            ),
        }
        sleep_unless(stop, backoff.next_delay());
    }
}

fn open_logs(cfg: &PlainConfig, skipped: &mut tree::Skipped) -> Vec<(PathBuf, u64)> {
    let folders = tree::scan(
        &cfg.base,
        Duration::from_secs(u64::MAX / 4),
        SystemTime::now(),
        skipped,
    )
    .unwrap_or_default();
    folders
        .iter()
        .filter(|f| f.state == FolderState::Open)
        .flat_map(|f| {
            tree::log_files(&f.path)
                .unwrap_or_default()
                .into_iter()
                .filter(|(n, _)| !n.ends_with(".gz") && !n.ends_with(".zst"))
                .map(|(n, size)| (f.path.join(n), size))
        })
        .collect()
}

fn start_offsets(cfg: &PlainConfig, skipped: &mut tree::Skipped) -> HashMap<PathBuf, u64> {
    open_logs(cfg, skipped).into_iter().collect()
}

/// Send the complete rows appended since the last call; returns whether any were sent.
fn send_new_rows(
    cfg: &PlainConfig,
    out: &mut TcpStream,
    offsets: &mut HashMap<PathBuf, u64>,
    buf: &mut [u8],
    skipped: &mut tree::Skipped,
) -> io::Result<bool> {
    let logs = open_logs(cfg, skipped);
    offsets.retain(|p, _| logs.iter().any(|(q, _)| q == p));
    let mut sent = false;
    for (path, size) in logs {
        let off = *offsets.entry(path.clone()).or_insert(0);
        if size <= off {
            continue;
        }
        let Ok(mut f) = File::open(&path) else {
            continue;
        };
        f.seek(SeekFrom::Start(off))?;
        let n = f.read(buf)?;
        let Some(end) = buf[..n].iter().rposition(|&b| b == b'\n') else {
            continue;
        };
        let prefix = path.to_string_lossy();
        let mut lines = Vec::with_capacity(end + 64);
        for row in buf[..end].split(|&b| b == b'\n') {
            lines.extend_from_slice(prefix.as_bytes());
            lines.push(b' ');
            lines.extend_from_slice(row);
            lines.push(b'\n');
        }
        out.write_all(&lines)?;
        offsets.insert(path, off + end as u64 + 1);
        sent = true;
    }
    Ok(sent)
}
