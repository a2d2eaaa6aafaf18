//! TCP payload classification: the `con_t`, `p2p_t`, `http_t` core columns, the P2P set and
//! the TLS part of the Layer-7 set of log_tcp_complete (docs/semantics/tcp-dpi.md).
//!
//! For every counted segment of a connection, Tstat runs its TCP plugins in a fixed order:
//! IPP2P ([`ipp2p`]), the Layer-7 state machine ([`l7`], which calls the TLS readers of
//! [`tls`] and the Web-2.0 rules of [`web`]), the HTTP plugin (log_http_complete, elsewhere),
//! then the behavioural check that re-runs the BitTorrent-MSE test on a FIN. Nothing is
//! reassembled: each segment is read on its own, as far as it was captured.
//!
//! Per-connection state is a few dozen bytes in the flow; the TLS names and times of the
//! connections that have them live in a [`TlsPool`] of fixed capacity.

pub mod chat;
pub mod classification;
pub mod hello;
pub mod ipp2p;
pub mod l7;
pub mod tls;
pub mod tls_services;
pub mod web;

use crate::dpi::pool::SlotPool;
use crate::engine::flow::Dir;
use crate::time::Timestamp;
use classification::Classification;

/// `con_t` bits (Tstat's protocol.h).
pub mod con {
    pub const HTTP: u32 = 1;
    pub const RTSP: u32 = 2;
    pub const ICY: u32 = 8;
    pub const P2P: u32 = 256;
    pub const SMTP: u32 = 1024;
    pub const POP3: u32 = 2048;
    pub const IMAP: u32 = 4096;
    pub const SSL: u32 = 8192;
    pub const OBF: u32 = 16384;
    pub const SSH: u32 = 32768;
    pub const RTMP: u32 = 65536;
    pub const MSE: u32 = 131072;
    /// Facebook Zero: the value is not in the protocol.h we could read (tcp-dpi.md §7).
    pub const FB0: u32 = 262144;
    /// The chat classifiers (docs/semantics/chat.md).
    pub const MSN: u32 = 32;
    pub const YMSG: u32 = 64;
    pub const XMPP: u32 = 128;
}

/// Tstat's limit on the packets of a connection its classifiers look at.
pub const MAX_PACKETS_CON: u64 = 50;

/// Settings from globals.conf.
#[derive(Debug, Clone, Copy)]
pub struct TcpDpiConfig {
    /// Bytes of each of the first four payload segments that feed the MSE entropy.
    pub entropy_sample: usize,
    /// Both nibble entropies must exceed this for MSE.
    pub entropy_threshold: f64,
}

impl Default for TcpDpiConfig {
    fn default() -> TcpDpiConfig {
        TcpDpiConfig {
            entropy_sample: 60,
            entropy_threshold: 3.7,
        }
    }
}

/// TLS texts, times and byte counts of one connection (Layer-7 set).
#[derive(Debug, Default, Clone)]
pub struct TlsRecord {
    /// c_tls_SNI (a Facebook-Zero name may be up to 119 bytes).
    pub sni: heapless::Vec<u8, 119>,
    /// s_tls_SCN.
    pub scn: heapless::Vec<u8, { tls::MAX_NAME }>,
    /// c_TLSvers, s_TLSvers.
    pub client_version: Option<tls::VersionText>,
    pub server_version: Option<tls::VersionText>,
    /// Last segment of each side examined before its first application data.
    pub client_before_data: Option<Timestamp>,
    pub server_before_data: Option<Timestamp>,
    /// First application-data record of each side, and the bytes that side sent before it.
    pub client_data: Option<(Timestamp, u64)>,
    pub server_data: Option<(Timestamp, u64)>,
}

/// Slots for the connections that have TLS texts, and the buffers of ClientHellos being
/// gathered from several segments.
pub struct TlsPool {
    records: SlotPool<TlsRecord>,
    pub hellos: hello::HelloPool,
    /// Chat counters of the connections in a chat state (as many slots as TLS records).
    pub chats: SlotPool<chat::ChatRecord>,
    /// The log_chat_messages row of the segment just classified, for the engine to take.
    pub chat_message: Option<chat::ChatMessage>,
}

impl TlsPool {
    /// `n` connections with TLS texts; split ClientHellos gathered at once: at most
    /// `hello::DEFAULT_POOL`.
    pub fn with_capacity(n: usize) -> TlsPool {
        TlsPool {
            records: SlotPool::with_capacity(n),
            hellos: hello::HelloPool::with_capacity(n.min(hello::DEFAULT_POOL)),
            chats: SlotPool::with_capacity(n),
            chat_message: None,
        }
    }

    pub fn take(&mut self) -> Option<u32> {
        self.records.take()
    }

    pub fn give_back(&mut self, slot: u32) {
        self.records.give_back(slot);
    }

    pub fn get(&self, slot: u32) -> &TlsRecord {
        self.records.get(slot)
    }

    pub fn get_mut(&mut self, slot: u32) -> &mut TlsRecord {
        self.records.get_mut(slot)
    }

    /// Connections that found no free TLS slot.
    pub fn exhausted(&self) -> u64 {
        self.records.exhausted
    }
}

/// A closing connection's pooled records.
#[derive(Debug, Default, Clone, Copy)]
pub struct Records<'a> {
    pub tls: Option<&'a TlsRecord>,
    pub chat: Option<&'a chat::ChatRecord>,
}

/// PSH-delimited messages of one direction so far: their count and the first two sizes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Messages {
    pub count: u32,
    pub sizes: [u32; 2],
}

/// One counted segment as the classifiers see it.
pub struct Segment<'a> {
    pub dir: Dir,
    /// The captured payload (never past the IP length).
    pub payload: &'a [u8],
    /// Payload length from the IP header.
    pub payload_len: usize,
    pub ack: bool,
    pub psh: bool,
    pub fin: bool,
    pub now: Timestamp,
    /// Counted packets of the connection, this one included.
    pub packets: u64,
    /// `next - ISN - payload_len` of this direction: 1 for the first payload byte.
    pub offset_from_isn: u32,
    /// Bytes this direction sent before this segment (`max_seq - ISN - payload_len`).
    pub sent_before: u64,
    /// This segment's sequence number relative to its direction's ISN.
    pub seq_from_isn: u32,
    /// Messages of the client and of the server.
    pub messages: [Messages; 2],
}

/// Run the TCP plugins on one counted segment.
pub fn segment(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool, cfg: &TcpDpiConfig) {
    p2p(c, seg);
    l7::segment(c, seg, pool, cfg);
    // The behavioural plugin: a FIN gives an unclassified connection one more MSE check.
    if seg.fin && c.con_type == 0 {
        l7::mse_check(c, seg, cfg);
    }
}

/// IPP2P over TCP (§5.1): matched until 50 packets, eDonkey connections to the end.
fn p2p(c: &mut Classification, seg: &Segment<'_>) {
    if c.l7.p2p_done {
        return;
    }
    if !seg.payload.is_empty() && seg.payload_len > 0 {
        if let Some(m) = ipp2p::find(seg.payload, seg.payload_len) {
            note_p2p(c, m);
        }
    }
    if c.p2p_type / 100 != u32::from(ipp2p::EDK) && seg.packets > MAX_PACKETS_CON {
        c.l7.p2p_done = true;
    }
}

fn note_p2p(c: &mut Classification, m: ipp2p::P2pMatch) {
    c.con_type |= con::P2P;
    c.con_type &= !(con::OBF | con::MSE);
    let new = u32::from(m.p2p_type());
    if c.p2p_type == 0 || c.p2p_type / 100 == u32::from(m.code) {
        c.p2p_type = new;
    }
    if m.code == ipp2p::EDK {
        c.ed2k.count(m.edk_message);
    }
}

impl Classification {
    /// Give back the connection's TLS slot (when it is written).
    pub fn release(&mut self, pool: &mut TlsPool) {
        if let Some(s) = self.tls.take() {
            pool.give_back(s);
        }
        if let Some(s) = self.l7.hello.take() {
            pool.hellos.give_back(s);
        }
        if let Some(s) = self.l7.chat.take() {
            pool.chats.give_back(s);
        }
    }

    /// The connection's chat counters, if it reached a chat state.
    pub fn chat_record<'p>(&self, pool: &'p TlsPool) -> Option<&'p chat::ChatRecord> {
        self.l7.chat.map(|s| pool.chats.get(s))
    }

    /// What a closing connection's rows print besides the flow itself.
    pub fn records<'p>(&self, pool: &'p TlsPool) -> Records<'p> {
        Records {
            tls: self.tls_record(pool),
            chat: self.chat_record(pool),
        }
    }

    /// The connection's TLS texts and times, if it has any.
    pub fn tls_record<'p>(&self, pool: &'p TlsPool) -> Option<&'p TlsRecord> {
        self.tls.map(|s| pool.get(s))
    }
}

#[cfg(test)]
mod tests;
