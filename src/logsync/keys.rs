//! Keys. Each probe and the collector own an X25519 key pair, kept in a key file:
//!
//! ```text
//! private 64-hex-digits
//! public  64-hex-digits
//! ```
//!
//! The collector's probe list has one `<probe-id> <public key hex>` per line (`#` comments);
//! it is read again when its modification time changes or on SIGHUP.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use super::names::valid_probe_id;

/// An X25519 key, private or public.
pub type Key = [u8; 32];

/// The Noise protocol both sides run.
pub const NOISE_PARAMS: &str = "Noise_IK_25519_ChaChaPoly_BLAKE2s";

/// A key pair read from a key file.
#[derive(Clone)]
pub struct KeyPair {
    pub private: Key,
    pub public: Key,
}

impl KeyPair {
    /// A fresh pair from the system's random source.
    pub fn generate() -> io::Result<KeyPair> {
        let params = NOISE_PARAMS
            .parse()
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        let kp = snow::Builder::new(params)
            .generate_keypair()
            .map_err(|e| io::Error::other(format!("key generation: {e:?}")))?;
        Ok(KeyPair {
            private: kp.private.as_slice().try_into().map_err(io::Error::other)?,
            public: kp.public.as_slice().try_into().map_err(io::Error::other)?,
        })
    }

    /// The key file's text.
    pub fn to_file_text(&self) -> String {
        format!(
            "private {}\npublic {}\n",
            to_hex(&self.private),
            to_hex(&self.public)
        )
    }

    /// Parse a key file's text.
    pub fn parse(text: &str) -> Result<KeyPair, String> {
        let (mut private, mut public) = (None, None);
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (name, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let key =
                from_hex(value.trim()).ok_or(format!("line {}: not a 64-digit hex key", n + 1))?;
            match name {
                "private" => private = Some(key),
                "public" => public = Some(key),
                other => return Err(format!("line {}: unknown entry {other:?}", n + 1)),
            }
        }
        match (private, public) {
            (Some(private), Some(public)) => Ok(KeyPair { private, public }),
            _ => Err("needs a `private` and a `public` line".into()),
        }
    }

    /// Read a key file.
    pub fn read(path: &Path) -> io::Result<KeyPair> {
        let text = std::fs::read_to_string(path)?;
        KeyPair::parse(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })
    }
}

/// A public key given as hex, or as the path of a key file whose `public` line is used.
pub fn read_public(spec: &str) -> io::Result<Key> {
    if let Some(k) = from_hex(spec.trim()) {
        return Ok(k);
    }
    let text = std::fs::read_to_string(spec)?;
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("public"))
        .find_map(|v| from_hex(v.trim()))
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("{spec}: no public key")))
}

pub fn to_hex(key: &Key) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn from_hex(text: &str) -> Option<Key> {
    let t = text.as_bytes();
    if t.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, pair) in t.chunks(2).enumerate() {
        let s = std::str::from_utf8(pair).ok()?;
        key[i] = u8::from_str_radix(s, 16).ok()?;
    }
    Some(key)
}

/// Parse a probe list: `<probe-id> <public key hex>` per line.
pub fn parse_probe_list(text: &str) -> Result<HashMap<String, Key>, String> {
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let (Some(id), Some(key), None) = (words.next(), words.next(), words.next()) else {
            return Err(format!(
                "line {}: expected `<probe-id> <public key>`",
                n + 1
            ));
        };
        if !valid_probe_id(id) {
            return Err(format!("line {}: bad probe id {id:?}", n + 1));
        }
        let key = from_hex(key).ok_or(format!("line {}: not a 64-digit hex key", n + 1))?;
        if out.insert(id.to_string(), key).is_some() {
            return Err(format!("line {}: probe {id} listed twice", n + 1));
        }
    }
    Ok(out)
}

static RELOAD_REQUESTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sighup(_: libc::c_int) {
    RELOAD_REQUESTED.store(true, Ordering::Relaxed);
}

/// Make SIGHUP request a reload of every [`ProbeKeys`].
pub fn reload_on_sighup() {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGHUP,
            on_sighup as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

type ProbeMap = Arc<HashMap<String, Key>>;

/// The collector's probe list, read again when the file changes or on SIGHUP.
pub struct ProbeKeys {
    path: PathBuf,
    /// The file's mtime when last read, and the list read then.
    state: Mutex<(Option<SystemTime>, ProbeMap)>,
}

impl ProbeKeys {
    /// Read the list; an unreadable or malformed file at start is an error.
    pub fn open(path: &Path) -> io::Result<ProbeKeys> {
        let keys = ProbeKeys {
            path: path.to_path_buf(),
            state: Mutex::new((None, Arc::new(HashMap::new()))),
        };
        let (mtime, map) = keys.load()?;
        *keys.state.lock().unwrap_or_else(|e| e.into_inner()) = (mtime, Arc::new(map));
        Ok(keys)
    }

    fn load(&self) -> io::Result<(Option<SystemTime>, HashMap<String, Key>)> {
        let mtime = std::fs::metadata(&self.path)?.modified().ok();
        let text = std::fs::read_to_string(&self.path)?;
        let map = parse_probe_list(&text).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", self.path.display()),
            )
        })?;
        Ok((mtime, map))
    }

    /// The current list. Re-reads the file when SIGHUP came or its mtime changed; a broken
    /// new file is logged and the previous list kept.
    pub fn current(&self) -> Arc<HashMap<String, Key>> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mtime = std::fs::metadata(&self.path)
            .ok()
            .and_then(|m| m.modified().ok());
        let hup = RELOAD_REQUESTED.swap(false, Ordering::Relaxed);
        if hup || mtime != state.0 {
            match self.load() {
                Ok((mtime, map)) => {
                    super::util::log_line(
                        "server",
                        format_args!("probe list reloaded: {} probes", map.len()),
                    );
                    *state = (mtime, Arc::new(map));
                }
                Err(e) => {
                    super::util::log_line(
                        "server",
                        format_args!("probe list not reloaded, keeping the old one: {e}"),
                    );
                    state.0 = mtime;
                }
            }
        }
        state.1.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip_and_rejects() {
        let mut k = [0u8; 32];
        k[0] = 0xab;
        k[31] = 0x01;
        let h = to_hex(&k);
        assert!(h.starts_with("ab00") && h.ends_with("01"));
        assert_eq!(from_hex(&h), Some(k));
        assert_eq!(from_hex(&h[1..]), None);
        assert_eq!(from_hex(&h.replace('a', "g")), None);
    }

    #[test]
    fn probe_list_lines() {
        let k = "11".repeat(32);
        let map = parse_probe_list(&format!("# lab\nr1 {k}\n\n r2  {k} \n")).unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(map["r1"], [0x11; 32]);
        assert!(parse_probe_list(&format!("../x {k}")).is_err());
        assert!(parse_probe_list(&format!("r1 {k}\nr1 {k}")).is_err());
        assert!(parse_probe_list("r1 abc").is_err());
    }
}
