//! The probe side: ship closed folders, stream open ones, free room only after the
//! collector's acknowledgment (docs/log_sync.md, "Client").
//!
//! One thread, one connection, one reused buffer: memory does not grow with the tree. Between
//! polls it sleeps; the only work while idle is a directory scan per poll and a ping every
//! [`PING_EVERY`].

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use super::channel::{client_handshake, Channel};
use super::keys::{Key, KeyPair};
use super::tree::{self, Folder, FolderState, Skipped};
use super::util::{log_line, sleep_unless, Backoff};
use super::wire::{Msg, DATA_CHUNK};
use crate::sink::outdir::FolderName;

/// A ping after this much silence, so a dead link is noticed.
pub const PING_EVERY: Duration = Duration::from_secs(15);

#[derive(Clone)]
pub struct ClientConfig {
    /// The collector, `HOST:PORT`.
    pub server: String,
    pub probe_id: String,
    pub key: KeyPair,
    pub server_public: Key,
    /// tstat's output folder (`tstat -s DIR`).
    pub base: PathBuf,
    /// How often open files are checked for new bytes.
    pub poll: Duration,
    /// Quiet time after which an unmarked, not-newest folder counts as closed by a crash.
    pub grace: Duration,
    /// Delete acknowledged folders (oldest first) while the tree is larger than this many
    /// bytes; `None`: never delete.
    pub keep_bytes: Option<u64>,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Connect, read and write timeout.
    pub io_timeout: Duration,
}

fn log(msg: std::fmt::Arguments) {
    log_line("client", msg);
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

/// Run until `stop` is set: connect, sync, and reconnect with capped exponential backoff.
pub fn run(cfg: &ClientConfig, stop: &AtomicBool) {
    // A folder whose deletion a crash or kill interrupted (it was acknowledged already).
    let swept = crate::sink::closed::sweep_deletions(&cfg.base);
    if swept > 0 {
        log(format_args!("removed {swept} folder(s) left half deleted"));
    }
    let mut acked = BTreeSet::new();
    let mut backoff = Backoff::new(cfg.backoff_min, cfg.backoff_max);
    let mut skipped = Skipped::default();
    while !stop.load(Ordering::Relaxed) {
        match connect(cfg) {
            Ok(mut ch) => {
                log(format_args!(
                    "connected to {} as {}",
                    cfg.server, cfg.probe_id
                ));
                let started = Instant::now();
                match session(cfg, &mut ch, &mut acked, &mut skipped, stop) {
                    Ok(()) => return,
                    Err(e) => log(format_args!("connection lost: {e}")),
                }
                // Only a connection that lasted starts the backoff again: a server that
                // accepts and then refuses at once is retried ever more slowly.
                if started.elapsed() > Duration::from_secs(10) {
                    backoff.reset();
                }
            }
            Err(e) => log(format_args!("cannot connect to {}: {e}", cfg.server)),
        }
        enforce_budget(cfg, &mut acked);
        sleep_unless(stop, backoff.next_delay());
    }
}

fn connect(cfg: &ClientConfig) -> io::Result<Channel> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in cfg.server.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, cfg.io_timeout) {
            Ok(s) => {
                s.set_nodelay(true)?;
                s.set_read_timeout(Some(cfg.io_timeout))?;
                s.set_write_timeout(Some(cfg.io_timeout))?;
                return client_handshake(s, &cfg.key.private, &cfg.server_public, &cfg.probe_id);
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// What the client knows during one connection.
struct Session<'a> {
    ch: &'a mut Channel,
    /// Bytes the collector holds of each open file, learnt by an offer then counted.
    streamed: HashMap<(String, String), u64>,
    buf: Vec<u8>,
}

fn session(
    cfg: &ClientConfig,
    ch: &mut Channel,
    acked: &mut BTreeSet<String>,
    skipped: &mut Skipped,
    stop: &AtomicBool,
) -> io::Result<()> {
    let mut s = Session {
        ch,
        streamed: HashMap::new(),
        buf: vec![0; DATA_CHUNK],
    };
    let mut last_traffic = Instant::now();
    while !stop.load(Ordering::Relaxed) {
        let folders =
            tree::scan(&cfg.base, cfg.grace, SystemTime::now(), skipped).unwrap_or_else(|e| {
                log(format_args!("{}: {e}", cfg.base.display()));
                Vec::new()
            });
        let mut moved = false;
        for f in &folders {
            match &f.state {
                FolderState::Closed(entries) | FolderState::CrashClosed(entries) => {
                    if !acked.contains(&f.name) {
                        if let FolderState::CrashClosed(_) = f.state {
                            log(format_args!("{}: no marker, closed by a crash", f.name));
                        }
                        if s.ship_closed(f, entries)? {
                            acked.insert(f.name.clone());
                        }
                        moved = true;
                    }
                }
                FolderState::Open => moved |= s.stream_open(f)?,
            }
        }
        acked.retain(|n| folders.iter().any(|f| &f.name == n));
        s.streamed.retain(|(folder, _), _| {
            folders
                .iter()
                .any(|f| &f.name == folder && f.state == FolderState::Open)
        });
        enforce_budget(cfg, acked);
        if moved {
            last_traffic = Instant::now();
        } else {
            if last_traffic.elapsed() >= PING_EVERY {
                s.ch.send(&Msg::Ping)?;
                expect(s.ch, |m| matches!(m, Msg::Pong).then_some(()))?;
                last_traffic = Instant::now();
            }
            sleep_unless(stop, cfg.poll);
        }
    }
    Ok(())
}

/// Wait for the reply `accept` takes; a refusal or another message is an error.
fn expect<T>(ch: &mut Channel, accept: impl FnOnce(&Msg) -> Option<T>) -> io::Result<T> {
    let msg = ch.recv()?;
    if let Msg::Refused { reason } = msg {
        return Err(invalid(format!("server refused: {reason}")));
    }
    accept(&msg).ok_or_else(|| invalid(format!("unexpected reply {msg:?}")))
}

impl Session<'_> {
    /// The offset the collector holds of a file, and whether it is committed.
    fn offer(&mut self, folder: &str, file: &str) -> io::Result<(u64, bool)> {
        self.ch.send(&Msg::Offer { folder, file })?;
        expect(self.ch, |m| match *m {
            Msg::Have {
                folder: f,
                file: n,
                offset,
                complete,
            } if f == folder && n == file => Some((offset, complete)),
            _ => None,
        })
    }

    /// Send `path`'s bytes from `from` up to `to`; returns the offset reached. With
    /// `whole_rows`, each message ends after a newline (a row longer than a message is sent
    /// in pieces), so the collector's copy of a log being written ends on a row.
    fn send_range(
        &mut self,
        folder: &str,
        file: &str,
        path: &Path,
        from: u64,
        to: u64,
        whole_rows: bool,
    ) -> io::Result<u64> {
        let mut f = File::open(path)?;
        let mut off = from;
        while off < to {
            f.seek(SeekFrom::Start(off))?;
            let want = (to - off).min(self.buf.len() as u64) as usize;
            let n = read_up_to(&mut f, &mut self.buf[..want])?;
            if n == 0 {
                break;
            }
            let mut send = n;
            if whole_rows {
                match self.buf[..n].iter().rposition(|&b| b == b'\n') {
                    Some(i) => send = i + 1,
                    None if n == self.buf.len() => {}
                    None => break,
                }
            }
            self.ch.send(&Msg::Data {
                folder,
                file,
                offset: off,
                bytes: &self.buf[..send],
            })?;
            off += send as u64;
        }
        Ok(off)
    }

    /// Ship a closed folder: each file up to its closed size, committed, then the marker.
    /// Returns whether the collector acknowledged the whole folder.
    fn ship_closed(&mut self, f: &Folder, entries: &[(String, u64)]) -> io::Result<bool> {
        for (file, size) in entries {
            let (held, complete) = self.offer(&f.name, file)?;
            if complete || held > *size {
                if held != *size {
                    log(format_args!(
                        "{}/{file}: collector holds {held} bytes, the folder closed at {size}; \
                         folder left alone",
                        f.name
                    ));
                    return Ok(false);
                }
                continue;
            }
            let path = f.path.join(file);
            let reached = match self.send_range(&f.name, file, &path, held, *size, false) {
                Ok(r) => r,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    log(format_args!(
                        "{}/{file}: vanished before it was shipped",
                        f.name
                    ));
                    return Ok(false);
                }
                Err(e) => return Err(e),
            };
            if reached < *size {
                log(format_args!(
                    "{}/{file}: {reached} bytes on disk, the marker says {size}; folder left alone",
                    f.name
                ));
                return Ok(false);
            }
            self.ch.send(&Msg::Commit {
                folder: &f.name,
                file,
                size: *size,
            })?;
            expect(self.ch, |m| {
                matches!(*m, Msg::Committed { file: n, size: s, .. } if n == file && s == *size)
                    .then_some(())
            })?;
        }
        let entries: Vec<(&str, u64)> = entries.iter().map(|(n, s)| (n.as_str(), *s)).collect();
        self.ch.send(&Msg::CloseFolder {
            folder: &f.name,
            entries,
        })?;
        expect(self.ch, |m| {
            matches!(*m, Msg::FolderClosed { folder } if folder == f.name).then_some(())
        })?;
        log(format_args!("{}: stored by the collector", f.name));
        Ok(true)
    }

    /// Send what was appended to an open folder's files; returns whether anything was sent.
    fn stream_open(&mut self, f: &Folder) -> io::Result<bool> {
        let Ok(files) = tree::log_files(&f.path) else {
            return Ok(false);
        };
        let mut moved = false;
        for (file, size) in files {
            let key = (f.name.clone(), file.clone());
            let held = match self.streamed.get(&key) {
                Some(&held) => held,
                None => {
                    let (held, complete) = self.offer(&f.name, &file)?;
                    // A committed file is not streamed again.
                    let held = if complete { u64::MAX } else { held };
                    self.streamed.insert(key.clone(), held);
                    held
                }
            };
            if size <= held {
                continue;
            }
            let compressed = file.ends_with(".gz") || file.ends_with(".zst");
            let path = f.path.join(&file);
            match self.send_range(&f.name, &file, &path, held, size, !compressed) {
                Ok(reached) => {
                    moved |= reached > held;
                    self.streamed.insert(key, reached);
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(moved)
    }
}

fn read_up_to(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match f.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Delete acknowledged folders, oldest first, while the tree is over the budget.
fn enforce_budget(cfg: &ClientConfig, acked: &mut BTreeSet<String>) {
    let Some(keep) = cfg.keep_bytes else {
        return;
    };
    if acked.is_empty() {
        return;
    }
    let mut size = tree::tree_size(&cfg.base);
    while size > keep {
        // Oldest in tstat's creation order, not byte order ("-2.out" sorts before ".out").
        let Some(oldest) = acked
            .iter()
            .min_by(|a, b| FolderName::parse(a).cmp(&FolderName::parse(b)))
            .cloned()
        else {
            break;
        };
        acked.remove(&oldest);
        let path = cfg.base.join(&oldest);
        let freed: u64 = tree::log_files(&path)
            .map(|v| v.iter().map(|(_, s)| s).sum())
            .unwrap_or(0);
        match crate::sink::closed::delete_folder(&path) {
            Ok(()) => log(format_args!(
                "{oldest}: deleted ({freed} bytes), the collector has it"
            )),
            Err(e) => log(format_args!("{oldest}: cannot delete: {e}")),
        }
        size = size.saturating_sub(freed);
    }
}
