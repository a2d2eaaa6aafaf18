//! The collector: one thread per connection (docs/log_sync.md, "Server").
//!
//! Threads, not a poll loop: each connection is a short sequence of blocking steps (handshake,
//! then request, disk write, reply), a collector serves hundreds of probes, not tens of
//! thousands, and a thread costs its buffers (about 200 KiB, allocated once) plus a small
//! stack. `max_connections` bounds threads and memory together.

use std::collections::HashMap;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::channel::{server_handshake, Channel, ReplayCache};
use super::keys::{KeyPair, ProbeKeys};
use super::store::{Refusal, Store};
use super::util::log_line;
use super::wire::Msg;

pub struct ServerConfig {
    /// `ADDRESS:PORT` to listen on.
    pub listen: String,
    /// Where probes' trees are stored.
    pub root: PathBuf,
    /// The collector's key pair.
    pub key: KeyPair,
    /// The probe list (`<probe-id> <public key>` per line).
    pub probes: PathBuf,
    /// Connections served at once, authenticated or not; more are closed at once.
    pub max_connections: usize,
    /// A connection silent this long is closed (clients ping every 15 s).
    pub idle_timeout: Duration,
    /// Time allowed for the handshake.
    pub handshake_timeout: Duration,
}

struct Shared {
    store: Store,
    key: KeyPair,
    probes: ProbeKeys,
    replays: ReplayCache,
    /// One lock per probe: two connections of one probe (a stale one and its successor)
    /// never interleave inside one request.
    probe_locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    active: AtomicUsize,
    idle_timeout: Duration,
    handshake_timeout: Duration,
}

fn log(msg: std::fmt::Arguments) {
    log_line("server", msg);
}

/// Listen and serve until the process ends.
pub fn run(cfg: ServerConfig) -> io::Result<()> {
    let listener = TcpListener::bind(&cfg.listen)?;
    log(format_args!("listening on {}", listener.local_addr()?));
    serve(listener, cfg)
}

/// Serve connections from a bound listener.
pub fn serve(listener: TcpListener, cfg: ServerConfig) -> io::Result<()> {
    let shared = Arc::new(Shared {
        store: Store::new(&cfg.root)?,
        key: cfg.key,
        probes: ProbeKeys::open(&cfg.probes)?,
        replays: ReplayCache::new(65536),
        probe_locks: Mutex::new(HashMap::new()),
        active: AtomicUsize::new(0),
        idle_timeout: cfg.idle_timeout,
        handshake_timeout: cfg.handshake_timeout,
    });
    for conn in listener.incoming() {
        let stream = match conn {
            Ok(s) => s,
            Err(e) => {
                log(format_args!("accept: {e}"));
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        let peer = stream
            .peer_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| "?".into());
        if shared.active.fetch_add(1, Ordering::AcqRel) >= cfg.max_connections {
            shared.active.fetch_sub(1, Ordering::AcqRel);
            log(format_args!(
                "{peer}: refused, {} connections already",
                cfg.max_connections
            ));
            continue;
        }
        let sh = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("log_sync conn".into())
            .stack_size(128 * 1024)
            .spawn(move || {
                connection(&sh, stream, &peer);
                sh.active.fetch_sub(1, Ordering::AcqRel);
            });
        if let Err(e) = spawned {
            shared.active.fetch_sub(1, Ordering::AcqRel);
            log(format_args!("cannot start a thread: {e}"));
        }
    }
    Ok(())
}

fn connection(sh: &Shared, stream: TcpStream, peer: &str) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(sh.handshake_timeout));
    let _ = stream.set_write_timeout(Some(sh.idle_timeout));
    let probes = sh.probes.current();
    let (mut ch, probe) = match server_handshake(stream, &sh.key.private, &probes, &sh.replays) {
        Ok(ok) => ok,
        Err(reason) => {
            log(format_args!("{peer}: rejected: {reason}"));
            return;
        }
    };
    log(format_args!("{peer}: probe {probe} authenticated"));
    let _ = ch.stream().set_read_timeout(Some(sh.idle_timeout));
    let lock = sh
        .probe_locks
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(probe.clone())
        .or_default()
        .clone();
    let end = session(sh, &mut ch, &probe, &lock);
    log(format_args!("{peer}: probe {probe}: {end}"));
}

/// Requests until the connection ends; returns why it ended.
fn session(sh: &Shared, ch: &mut Channel, probe: &str, lock: &Mutex<()>) -> String {
    let mut reply = Vec::with_capacity(512);
    loop {
        reply.clear();
        let outcome = match ch.recv() {
            Ok(msg) => {
                let _g = lock.lock().unwrap_or_else(|e| e.into_inner());
                handle(&sh.store, probe, msg, &mut reply)
            }
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return "disconnected".into(),
            Err(e) => return format!("connection dropped: {e}"),
        };
        match outcome {
            Ok(()) if reply.is_empty() => {}
            Ok(()) => {
                if let Err(e) = ch.send_encoded(&reply) {
                    return format!("reply failed: {e}");
                }
            }
            Err(reason) => {
                let _ = ch.send(&Msg::Refused { reason: &reason });
                return format!("refused: {reason}");
            }
        }
    }
}

/// Carry out one request; the reply, if any, is encoded into `reply`.
fn handle(store: &Store, probe: &str, msg: Msg, reply: &mut Vec<u8>) -> Result<(), Refusal> {
    match msg {
        Msg::Offer { folder, file } => {
            let (offset, complete) = store.have(probe, folder, file)?;
            Msg::Have {
                folder,
                file,
                offset,
                complete,
            }
            .encode(reply);
        }
        Msg::Data {
            folder,
            file,
            offset,
            bytes,
        } => store.append(probe, folder, file, offset, bytes)?,
        Msg::Commit { folder, file, size } => {
            store.commit(probe, folder, file, size)?;
            Msg::Committed { folder, file, size }.encode(reply);
        }
        Msg::CloseFolder { folder, entries } => {
            store.close_folder(probe, folder, &entries)?;
            Msg::FolderClosed { folder }.encode(reply);
        }
        Msg::Ping => Msg::Pong.encode(reply),
        other => return Err(format!("unexpected message from a client: {other:?}")),
    }
    Ok(())
}
