//! The `log_sync` command line: `client`, `server` and `keygen` (docs/log_sync.md).
//!
//! The client also reads a config file (`--config`, written by the OpenWrt service from
//! /etc/config/tstat): one `name value` per line, names as the long flags with `_` for `-`;
//! flags win over the file.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use argh::FromArgs;

use super::client::{self, ClientConfig};
use super::keys::{read_public, KeyPair};
use super::names::valid_probe_id;
use super::plain::{self, PlainConfig};
use super::server::{self, ServerConfig};

/// Default collector port.
pub const DEFAULT_PORT: u16 = 7979;

#[derive(FromArgs)]
/// Ship tstat's log folders to a collector, or be that collector.
pub struct Args {
    #[argh(subcommand)]
    cmd: Command,
}

#[derive(FromArgs)]
#[argh(subcommand)]
enum Command {
    Client(ClientArgs),
    Server(ServerArgs),
    Keygen(KeygenArgs),
}

#[derive(FromArgs, Default)]
/// Probe side: ship closed folders, stream the open one.
#[argh(subcommand, name = "client")]
pub struct ClientArgs {
    /// config file of `name value` lines (flags win)
    #[argh(option)]
    config: Option<PathBuf>,
    /// collector HOST:PORT (port 7979 if left out)
    #[argh(option)]
    server: Option<String>,
    /// this probe's id, as in the collector's probe list
    #[argh(option)]
    probe_id: Option<String>,
    /// this probe's key file (log_sync keygen)
    #[argh(option)]
    key: Option<PathBuf>,
    /// the collector's public key: 64 hex digits, or its key file
    #[argh(option)]
    server_key: Option<String>,
    /// tstat's output folder (tstat -s DIR)
    #[argh(option)]
    base: Option<PathBuf>,
    /// check open logs for new rows every MS milliseconds (default 500)
    #[argh(option)]
    poll_ms: Option<u64>,
    /// seconds without change after which an unmarked older folder counts as closed by a
    /// crash (default 120)
    #[argh(option)]
    grace_s: Option<u64>,
    /// delete folders the collector has stored, oldest first, while the tree is over KB KiB
    /// (default: never delete)
    #[argh(option)]
    keep_kb: Option<u64>,
    /// delete each folder as soon as the collector has stored it (--keep-kb 0)
    #[argh(switch)]
    delete_after_ack: bool,
    /// longest wait between reconnection attempts in seconds (default 60)
    #[argh(option)]
    backoff_max_s: Option<u64>,
    /// connect, read and write timeout in seconds: a stalled link is dropped after it
    /// (default 30)
    #[argh(option)]
    io_timeout_s: Option<u64>,
    /// instead: send "<path> <row>" lines in clear to HOST[:9001], unauthenticated
    #[argh(option)]
    plain_stream: Option<String>,
}

#[derive(FromArgs)]
/// Collector side: receive from many probes.
#[argh(subcommand, name = "server")]
pub struct ServerArgs {
    /// ADDRESS:PORT to listen on (default 0.0.0.0:7979)
    #[argh(option, default = "format!(\"0.0.0.0:{DEFAULT_PORT}\")")]
    listen: String,
    /// where probes' trees are stored: ROOT/<probe-id>/<folder>/<file>
    #[argh(option)]
    root: PathBuf,
    /// the collector's key file (log_sync keygen)
    #[argh(option)]
    key: PathBuf,
    /// probe list, `<probe-id> <public key hex>` per line; re-read on change or SIGHUP
    #[argh(option)]
    probes: PathBuf,
    /// connections at once, authenticated or not (default 512)
    #[argh(option, default = "512")]
    max_connections: usize,
    /// close a connection silent for this many seconds (default 120)
    #[argh(option, default = "120")]
    idle_timeout_s: u64,
}

#[derive(FromArgs)]
/// Write a new key pair to a file and print its public key.
#[argh(subcommand, name = "keygen")]
pub struct KeygenArgs {
    /// the key file to create (must not exist)
    #[argh(option)]
    out: PathBuf,
}

/// Run `log_sync` with `args` (without the program name); returns the exit code.
pub fn main_with_args(args: &[String]) -> i32 {
    let strs: Vec<&str> = args.iter().map(String::as_str).collect();
    let parsed = match Args::from_args(&["log_sync"], &strs) {
        Ok(a) => a,
        Err(early) => {
            let failed = early.status.is_err();
            if failed {
                eprintln!("{}", early.output);
            } else {
                println!("{}", early.output);
            }
            return i32::from(failed);
        }
    };
    let result = match parsed.cmd {
        Command::Client(c) => run_client(c),
        Command::Server(s) => run_server(s),
        Command::Keygen(k) => keygen(&k.out),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("log_sync: {e}");
            1
        }
    }
}

fn keygen(out: &std::path::Path) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let kp = KeyPair::generate().map_err(|e| e.to_string())?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(out)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    f.write_all(kp.to_file_text().as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| format!("{}: {e}", out.display()))?;
    println!("{}", super::keys::to_hex(&kp.public));
    Ok(())
}

fn run_server(a: ServerArgs) -> Result<(), String> {
    super::keys::reload_on_sighup();
    let key = KeyPair::read(&a.key).map_err(|e| e.to_string())?;
    server::run(ServerConfig {
        listen: a.listen,
        root: a.root,
        key,
        probes: a.probes,
        max_connections: a.max_connections.max(1),
        idle_timeout: Duration::from_secs(a.idle_timeout_s.max(1)),
        handshake_timeout: Duration::from_secs(10),
    })
    .map_err(|e| e.to_string())
}

/// Fill the options the flags left out from a config file's `name value` lines.
pub fn merge_config_text(a: &mut ClientArgs, text: &str) -> Result<(), String> {
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let value = value
            .trim()
            .trim_matches('\'')
            .trim_matches('"')
            .to_string();
        let num = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("line {}: {name} needs a number", n + 1))
        };
        match name {
            "server" => a.server = a.server.take().or(Some(value)),
            "probe_id" => a.probe_id = a.probe_id.take().or(Some(value)),
            "key" => a.key = a.key.take().or(Some(value.into())),
            "server_key" => a.server_key = a.server_key.take().or(Some(value)),
            "base" => a.base = a.base.take().or(Some(value.into())),
            "poll_ms" => a.poll_ms = a.poll_ms.or(Some(num(&value)?)),
            "grace_s" => a.grace_s = a.grace_s.or(Some(num(&value)?)),
            "keep_kb" => a.keep_kb = a.keep_kb.or(Some(num(&value)?)),
            "backoff_max_s" => a.backoff_max_s = a.backoff_max_s.or(Some(num(&value)?)),
            "io_timeout_s" => a.io_timeout_s = a.io_timeout_s.or(Some(num(&value)?)),
            "delete_after_ack" => {
                a.delete_after_ack |= matches!(value.as_str(), "1" | "yes" | "true")
            }
            "plain_stream" if !value.is_empty() => {
                a.plain_stream = a.plain_stream.take().or(Some(value))
            }
            "plain_stream" => {}
            other => return Err(format!("line {}: unknown setting {other:?}", n + 1)),
        }
    }
    Ok(())
}

fn with_port(addr: String, port: u16) -> String {
    let bare_v6 = addr.starts_with('[') && addr.ends_with(']');
    if bare_v6 || !addr.contains(':') {
        format!("{addr}:{port}")
    } else {
        addr
    }
}

fn run_client(mut a: ClientArgs) -> Result<(), String> {
    if let Some(path) = a.config.clone() {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        merge_config_text(&mut a, &text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let stop = AtomicBool::new(false);
    let base = a
        .base
        .clone()
        .ok_or("--base (tstat's output folder) is needed")?;
    let poll = Duration::from_millis(a.poll_ms.unwrap_or(500).clamp(50, 60_000));
    let backoff_max = Duration::from_secs(a.backoff_max_s.unwrap_or(60).max(1));
    if let Some(target) = a.plain_stream {
        plain::run(
            &PlainConfig {
                target: with_port(target, plain::DEFAULT_PORT),
                base,
                poll,
                backoff_min: Duration::from_millis(500),
                backoff_max,
            },
            &stop,
        );
        return Ok(());
    }
    let server = a.server.ok_or("--server is needed")?;
    let probe_id = a.probe_id.ok_or("--probe-id is needed")?;
    if !valid_probe_id(&probe_id) {
        return Err(format!(
            "bad probe id {probe_id:?} (A-Z a-z 0-9 _ - ., at most 64)"
        ));
    }
    let key_path = a.key.ok_or("--key is needed")?;
    let key = KeyPair::read(&key_path).map_err(|e| e.to_string())?;
    let server_key = a.server_key.ok_or("--server-key is needed")?;
    let server_public = read_public(&server_key).map_err(|e| e.to_string())?;
    let keep_bytes = if a.delete_after_ack {
        Some(0)
    } else {
        a.keep_kb.map(|k| k.saturating_mul(1024))
    };
    client::run(
        &ClientConfig {
            server: with_port(server, DEFAULT_PORT),
            probe_id,
            key,
            server_public,
            base,
            poll,
            grace: Duration::from_secs(a.grace_s.unwrap_or(120)),
            keep_bytes,
            backoff_min: Duration::from_millis(500),
            backoff_max,
            io_timeout: Duration::from_secs(a.io_timeout_s.unwrap_or(30).max(1)),
        },
        &stop,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_file_fills_only_what_flags_left_out() {
        let mut a = ClientArgs {
            server: Some("flag:1".into()),
            ..Default::default()
        };
        merge_config_text(
            &mut a,
            "# generated\nserver 'file:2'\nprobe_id r1\nkeep_kb 100\ndelete_after_ack 0\nplain_stream ''\n",
        )
        .unwrap();
        assert_eq!(a.server.as_deref(), Some("flag:1"));
        assert_eq!(a.probe_id.as_deref(), Some("r1"));
        assert_eq!(a.keep_kb, Some(100));
        assert!(!a.delete_after_ack);
        assert_eq!(a.plain_stream, None);
        assert!(merge_config_text(&mut a, "bogus 1").is_err());
        assert!(merge_config_text(&mut a, "poll_ms fast").is_err());
    }

    #[test]
    fn default_ports() {
        assert_eq!(with_port("host".into(), 7979), "host:7979");
        assert_eq!(with_port("host:1".into(), 7979), "host:1");
        assert_eq!(with_port("[::1]".into(), 9001), "[::1]:9001");
    }
}
