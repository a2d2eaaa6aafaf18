//! The Noise IK handshake and the encrypted channel after it (docs/log_sync.md, "Handshake").
//!
//! 1. server → client, in clear: `TSLS`, the version byte, a 16-byte random nonce;
//! 2. client → server: the version byte, then Noise IK message 1 whose payload is the probe id;
//! 3. server → client: Noise IK message 2 (empty payload); then transport messages.
//!
//! The prologue is `tstat log_sync v1` followed by the server's nonce, so a first message
//! recorded from another connection does not decrypt here: handshakes cannot be replayed.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::TcpStream;
use std::sync::Mutex;

use super::keys::{to_hex, Key, NOISE_PARAMS};
use super::names::valid_probe_id;
use super::util::random_bytes;
use super::wire::{read_frame, write_frame, Msg, MAGIC, MAX_FRAME, MAX_PLAIN, VERSION};

const PROLOGUE: &[u8] = b"tstat log_sync v1";
const HELLO_LEN: usize = 4 + 1 + 16;

fn noise_err(what: &str, e: snow::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{what}: {e:?}"))
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

fn prologue(nonce: &[u8]) -> Vec<u8> {
    [PROLOGUE, nonce].concat()
}

fn builder<'a>() -> snow::Builder<'a> {
    // The constant parses; a failure would be a build without the needed primitives.
    snow::Builder::new(NOISE_PARAMS.parse().expect("Noise parameters"))
}

/// An authenticated, encrypted connection. Buffers are allocated once (about 200 KiB).
pub struct Channel {
    stream: TcpStream,
    noise: snow::TransportState,
    rx: Vec<u8>,
    plain: Vec<u8>,
    tx_plain: Vec<u8>,
    tx: Vec<u8>,
}

impl Channel {
    fn new(stream: TcpStream, noise: snow::TransportState) -> Channel {
        Channel {
            stream,
            noise,
            rx: vec![0; MAX_FRAME],
            plain: vec![0; MAX_FRAME],
            tx_plain: Vec::with_capacity(MAX_PLAIN),
            tx: vec![0; 4 + MAX_FRAME],
        }
    }

    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Encrypt and send one message.
    pub fn send(&mut self, msg: &Msg) -> io::Result<()> {
        let mut plain = std::mem::take(&mut self.tx_plain);
        plain.clear();
        msg.encode(&mut plain);
        let sent = self.send_encoded(&plain);
        self.tx_plain = plain;
        sent
    }

    /// Encrypt and send one already encoded message.
    pub fn send_encoded(&mut self, plain: &[u8]) -> io::Result<()> {
        if plain.len() > MAX_PLAIN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "message too large",
            ));
        }
        let n = self
            .noise
            .write_message(plain, &mut self.tx[4..])
            .map_err(|e| noise_err("encrypt", e))?;
        self.tx[..4].copy_from_slice(&(n as u32).to_be_bytes());
        io::Write::write_all(&mut self.stream, &self.tx[..4 + n])
    }

    /// Receive and decrypt one message.
    pub fn recv(&mut self) -> io::Result<Msg<'_>> {
        let n = read_frame(&mut self.stream, &mut self.rx)?;
        let m = self
            .noise
            .read_message(&self.rx[..n], &mut self.plain)
            .map_err(|_| invalid("frame does not decrypt (garbage or tampering)".into()))?;
        let plain = &self.plain[..m];
        Msg::decode(plain).ok_or_else(|| invalid("malformed message".into()))
    }
}

/// Client side: authenticate to the server whose public key is `server_public`.
pub fn client_handshake(
    mut stream: TcpStream,
    private: &Key,
    server_public: &Key,
    probe_id: &str,
) -> io::Result<Channel> {
    let mut buf = vec![0u8; MAX_FRAME];
    let n = read_frame(&mut stream, &mut buf)?;
    let hello = &buf[..n];
    if n != HELLO_LEN || &hello[..4] != MAGIC {
        return Err(invalid("not a log_sync server (bad hello)".into()));
    }
    if hello[4] != VERSION {
        return Err(invalid(format!(
            "server speaks protocol version {}, this client {VERSION}",
            hello[4]
        )));
    }
    let prologue = prologue(&hello[5..]);
    let mut hs = builder()
        .local_private_key(private)
        .and_then(|b| b.remote_public_key(server_public))
        .and_then(|b| b.prologue(&prologue))
        .and_then(|b| b.build_initiator())
        .map_err(|e| noise_err("handshake setup", e))?;
    let mut msg = vec![0u8; MAX_FRAME];
    msg[0] = VERSION;
    let len = hs
        .write_message(probe_id.as_bytes(), &mut msg[1..])
        .map_err(|e| noise_err("handshake", e))?;
    write_frame(&mut stream, &mut Vec::new(), &msg[..1 + len])?;
    let n = read_frame(&mut stream, &mut buf).map_err(|e| {
        invalid(format!(
            "server ended the handshake ({e}): this probe's id or key is not accepted, or the \
             server key is wrong"
        ))
    })?;
    hs.read_message(&buf[..n], &mut msg).map_err(|_| {
        invalid("server's handshake reply does not decrypt (wrong server key?)".into())
    })?;
    let noise = hs
        .into_transport_mode()
        .map_err(|e| noise_err("handshake", e))?;
    Ok(Channel::new(stream, noise))
}

type Ephemeral = [u8; 32];

/// First-message ephemeral keys of accepted handshakes, to name replays in the log. The nonce
/// in the prologue already makes a replay fail; this only tells it apart from a wrong key.
pub struct ReplayCache {
    inner: Mutex<(HashSet<Ephemeral>, VecDeque<Ephemeral>)>,
    capacity: usize,
}

impl ReplayCache {
    pub fn new(capacity: usize) -> ReplayCache {
        ReplayCache {
            inner: Mutex::new((HashSet::new(), VecDeque::new())),
            capacity: capacity.max(1),
        }
    }

    fn seen(&self, e: &[u8; 32]) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .contains(e)
    }

    fn insert(&self, e: [u8; 32]) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if g.0.insert(e) {
            g.1.push_back(e);
        }
        while g.1.len() > self.capacity {
            if let Some(old) = g.1.pop_front() {
                g.0.remove(&old);
            }
        }
    }
}

/// Server side: authenticate a probe. The error is the reason to log; the connection is then
/// closed without a word, so a stranger learns nothing.
pub fn server_handshake(
    mut stream: TcpStream,
    private: &Key,
    probes: &HashMap<String, Key>,
    replays: &ReplayCache,
) -> Result<(Channel, String), String> {
    let nonce: [u8; 16] = random_bytes().map_err(|e| format!("no random nonce: {e}"))?;
    let mut hello = Vec::with_capacity(HELLO_LEN);
    hello.extend_from_slice(MAGIC);
    hello.push(VERSION);
    hello.extend_from_slice(&nonce);
    write_frame(&mut stream, &mut Vec::new(), &hello).map_err(|e| format!("hello: {e}"))?;

    let mut buf = vec![0u8; MAX_FRAME];
    let n = read_frame(&mut stream, &mut buf).map_err(|e| format!("handshake frame: {e}"))?;
    let first = &buf[..n];
    match first.first() {
        Some(&VERSION) => {}
        Some(v) => return Err(format!("unsupported protocol version {v}")),
        None => return Err("empty handshake".into()),
    }
    let noise_msg = &first[1..];
    let Some(ephemeral) = noise_msg
        .get(..32)
        .and_then(|e| <[u8; 32]>::try_from(e).ok())
    else {
        return Err("garbage handshake (too short)".into());
    };
    if replays.seen(&ephemeral) {
        return Err("replayed handshake (ephemeral key seen before)".into());
    }
    let prologue = prologue(&nonce);
    let mut hs = builder()
        .local_private_key(private)
        .and_then(|b| b.prologue(&prologue))
        .and_then(|b| b.build_responder())
        .map_err(|e| format!("handshake setup: {e:?}"))?;
    let mut payload = vec![0u8; MAX_FRAME];
    let len = hs.read_message(noise_msg, &mut payload).map_err(|_| {
        "handshake does not decrypt: garbage, a client with a wrong server key, or a replay"
            .to_string()
    })?;
    replays.insert(ephemeral);
    let probe = std::str::from_utf8(&payload[..len])
        .ok()
        .filter(|id| valid_probe_id(id))
        .ok_or("invalid probe id in handshake")?
        .to_string();
    let remote: [u8; 32] = hs
        .get_remote_static()
        .and_then(|k| k.try_into().ok())
        .ok_or("handshake without a static key")?;
    match probes.get(&probe) {
        None => return Err(format!("unknown probe {probe:?}")),
        Some(k) if *k != remote => {
            return Err(format!(
                "probe {probe:?} presented key {} which is not its key",
                &to_hex(&remote)[..16]
            ))
        }
        Some(_) => {}
    }
    let len = hs
        .write_message(&[], &mut payload)
        .map_err(|e| format!("handshake reply: {e:?}"))?;
    write_frame(&mut stream, &mut Vec::new(), &payload[..len])
        .map_err(|e| format!("handshake reply: {e}"))?;
    let noise = hs
        .into_transport_mode()
        .map_err(|e| format!("handshake: {e:?}"))?;
    Ok((Channel::new(stream, noise), probe))
}
