//! Tstat's Layer-7 state machine for TCP (docs/semantics/tcp-dpi.md §2.1): one state per
//! connection, moved by the first bytes of segments (never reassembled), with per-state and
//! overall packet limits after which the connection is no longer looked at. Alongside it, on
//! every examined segment: the nibble counts of the BitTorrent-MSE test, the eDonkey
//! obfuscation size sequences and the RTMP first-byte check.

use super::chat::{self, ChatMessage, ChatRecord};
use super::classification::Classification;
use super::hello::Fed;
use super::tls::{self, ClientHello};
use super::web::{self, HttpClass};
use super::{con, Segment, TcpDpiConfig, TlsPool, TlsRecord, MAX_PACKETS_CON};
use crate::engine::flow::Dir;

/// Packets a state waits before giving up (Tstat's tcpL7.h).
const MAX_UNKNOWN_PACKETS: u64 = 40;
const MAX_COMMAND_PACKETS: u64 = 20;
const MAX_HTTP_RESPONSE_PACKETS: u64 = 30;
const MAX_RTSP_RESPONSE_PACKETS: u64 = 30;
const MAX_SSL_HANDSHAKE_PACKETS: u64 = 10;
/// Payload segments that feed the MSE nibble counts.
const NIBBLE_PACKETS: u8 = 4;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum State {
    #[default]
    Unknown,
    HttpCommand,
    HttpResponse,
    RtspCommand,
    RtspResponse,
    SmtpOpening,
    Pop3Opening,
    ImapOpening,
    ImapCommand,
    SslHandshake,
    SslData,
    SshServer,
    Fb0Opening,
    /// MSN: waiting for the server's VER/USR/ANS/IRO (chat.md §2).
    MsnVerC2s,
    MsnUsrC2s,
    MsnAns,
    /// Counting states: every payload segment is counted until the connection ends.
    MsnCount,
    Ymsg,
    Xmpp,
    Ignore,
}

/// Classifier state of one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct L7Flow {
    pub state: State,
    /// IPP2P stopped looking at the connection.
    pub p2p_done: bool,
    client_data_seen: bool,
    server_data_seen: bool,
    /// eDonkey obfuscation: sizes 11, 11→83, 22, 6 seen.
    obf: u8,
    /// RTMP: first payload of each side seen, and whether it was a handshake byte.
    rtmp: u8,
    nibble_packets: u8,
    nibble_count: u32,
    nibbles_high: [u16; 16],
    nibbles_low: [u16; 16],
    /// Buffer of a ClientHello split over segments, while it is gathered (hello.rs).
    pub hello: Option<u32>,
    /// Slot of the chat counters in the pool's chat slots.
    pub chat: Option<u32>,
}

const OBF_11: u8 = 1;
const OBF_11_83: u8 = 2;
const OBF_22: u8 = 4;
const OBF_6: u8 = 8;

const RTMP_C_SEEN: u8 = 1;
const RTMP_S_SEEN: u8 = 2;
const RTMP_C_HAND: u8 = 4;
const RTMP_S_HAND: u8 = 8;

/// tls_session bits.
const SESSION_ID: u32 = 1;
const CLIENT_PSK: u32 = 2;
const EARLY_DATA: u32 = 4;
const SERVER_PSK: u32 = 8;
const HELLO_RETRY: u32 = 16;

/// A positive classification also forgets the weak OBF and MSE guesses.
fn classify(c: &mut Classification, bit: u32) {
    c.con_type |= bit;
    c.con_type &= !(con::OBF | con::MSE);
}

/// The first four payload bytes, Tstat's "keyword".
fn keyword(p: &[u8]) -> &[u8] {
    p.get(..4).unwrap_or_default()
}

/// Run the machine on one segment.
pub fn segment(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool, cfg: &TcpDpiConfig) {
    split_hello(c, seg, pool);
    if c.l7.state == State::Ignore || seg.payload.is_empty() || seg.payload_len == 0 {
        return;
    }
    side_checks(c, seg, cfg);
    if !step(c, seg, pool) {
        return;
    }
    if seg.packets > MAX_PACKETS_CON {
        c.l7.state = State::Ignore;
    }
    if c.l7.state != State::Ignore {
        let seen = match seg.dir {
            Dir::C2S => c.l7.client_data_seen,
            Dir::S2C => c.l7.server_data_seen,
        };
        // Only a connection with a TLS record can print these times (it needs the SSL bit).
        if let (false, Some(r)) = (seen, c.tls.map(|s| pool.get_mut(s))) {
            match seg.dir {
                Dir::C2S => r.client_before_data = Some(seg.now),
                Dir::S2C => r.server_before_data = Some(seg.now),
            }
        }
    }
}

/// The checks that run whatever the state: MSE nibbles, eDonkey obfuscation, RTMP.
fn side_checks(c: &mut Classification, seg: &Segment<'_>, cfg: &TcpDpiConfig) {
    count_nibbles(&mut c.l7, seg.payload, cfg.entropy_sample);
    if seg.ack && seg.psh {
        obfuscation(c, seg.payload_len);
    }
    rtmp(c, seg);
    if c.con_type == 0 {
        mse_check(c, seg, cfg);
    }
}

/// Nibble histograms over the first bytes of the first payload segments.
fn count_nibbles(l: &mut L7Flow, payload: &[u8], sample: usize) {
    if l.nibble_packets >= NIBBLE_PACKETS {
        return;
    }
    for &b in &payload[..payload.len().min(sample)] {
        l.nibbles_low[(b & 0x0f) as usize] += 1;
        l.nibbles_high[(b >> 4) as usize] += 1;
        l.nibble_count += 1;
    }
    l.nibble_packets += 1;
}

/// Shannon entropy in bits of a nibble histogram.
fn entropy(counts: &[u16; 16], total: u32) -> f64 {
    if total == 0 {
        return 0.0;
    }
    let h: f64 = counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = f64::from(n) / f64::from(total);
            -p * p.ln()
        })
        .sum();
    h / std::f64::consts::LN_2
}

/// eDonkey obfuscated-protocol message sizes (PSH+ACK segments): 11→83→55, 11→55, 22→18,
/// 6→46.
fn obfuscation(c: &mut Classification, len: usize) {
    let o = &mut c.l7.obf;
    let hit = match len {
        11 => {
            *o |= OBF_11;
            false
        }
        83 => {
            if *o & OBF_11 != 0 {
                *o |= OBF_11_83;
            }
            false
        }
        55 => *o & (OBF_11 | OBF_11_83) != 0,
        22 => {
            *o |= OBF_22;
            false
        }
        18 => *o & OBF_22 != 0,
        6 => {
            *o |= OBF_6;
            false
        }
        46 => *o & OBF_6 != 0,
        _ => false,
    };
    if hit {
        c.con_type |= con::OBF;
    }
}

/// RTMP handshake: the first payload byte of each side (by sequence number) is a handshake
/// version byte.
fn rtmp(c: &mut Classification, seg: &Segment<'_>) {
    let r = &mut c.l7.rtmp;
    if *r & (RTMP_C_SEEN | RTMP_S_SEEN) == RTMP_C_SEEN | RTMP_S_SEEN || seg.offset_from_isn != 1 {
        return;
    }
    let first = seg.payload[0];
    match seg.dir {
        Dir::C2S if *r & RTMP_C_SEEN == 0 => {
            *r |= RTMP_C_SEEN;
            if matches!(first, 0x03 | 0x06 | 0x08) {
                *r |= RTMP_C_HAND;
            }
        }
        Dir::S2C if *r & RTMP_S_SEEN == 0 => {
            *r |= RTMP_S_SEEN;
            if matches!(first, 0x03 | 0x06 | 0x08 | 0x09 | 0x0a) {
                *r |= RTMP_S_HAND;
            }
        }
        _ => {}
    }
    if *r & (RTMP_C_HAND | RTMP_S_HAND) == RTMP_C_HAND | RTMP_S_HAND {
        c.con_type |= con::RTMP;
    }
}

/// BitTorrent Message Stream Encryption: each side's first message (or first two) is 96–608
/// bytes and both nibble entropies exceed the threshold. Only for unclassified connections.
pub fn mse_check(c: &mut Classification, seg: &Segment<'_>, cfg: &TcpDpiConfig) {
    let [client, server] = seg.messages;
    if client.count == 0 || server.count == 0 {
        return;
    }
    let sized = |m: super::Messages| {
        let one = u64::from(m.sizes[0]);
        let two = one + u64::from(m.sizes[1]);
        (96..=608).contains(&one) || (96..=608).contains(&two)
    };
    if !(sized(client) && sized(server)) {
        return;
    }
    let l = &c.l7;
    let high = entropy(&l.nibbles_high, l.nibble_count);
    let low = entropy(&l.nibbles_low, l.nibble_count);
    if high > cfg.entropy_threshold && low > cfg.entropy_threshold && c.con_type == 0 {
        c.con_type |= con::MSE;
    }
}

/// One state transition. `false` when the segment is too short for the UNKNOWN state, which
/// skips the packet limit and the handshake times (Tstat returns early there).
fn step(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool) -> bool {
    let p = seg.payload;
    let n = p.len();
    let from_client = seg.dir == Dir::C2S;
    // Tstat's tests "pdata + k <= plast" need k + 1 captured bytes.
    let has = |k: usize| n > k;
    match c.l7.state {
        State::Unknown => {
            if !has(4) {
                return false;
            }
            unknown(c, seg, pool);
        }
        State::Fb0Opening => {
            if !from_client && has(6) {
                if keyword(p) == b"1QTV" {
                    classify(c, con::FB0);
                    c.l7.state = State::Ignore;
                } else {
                    give_up_after(c, seg, MAX_COMMAND_PACKETS);
                }
            }
        }
        State::SmtpOpening => {
            if from_client && has(4) {
                if matches!(keyword(p), b"HELO" | b"EHLO" | b"helo" | b"ehlo") {
                    classify(c, con::SMTP);
                    c.l7.state = State::Ignore;
                }
                give_up_after(c, seg, MAX_COMMAND_PACKETS);
            }
        }
        State::Pop3Opening => {
            if from_client && has(4) {
                if matches!(keyword(p), b"USER" | b"QUIT" | b"APOP") {
                    classify(c, con::POP3);
                    c.l7.state = State::Ignore;
                }
                give_up_after(c, seg, MAX_COMMAND_PACKETS);
            }
        }
        State::ImapOpening => {
            if from_client && has(6) {
                if imap_tag(p) {
                    c.l7.state = State::ImapCommand;
                } else {
                    give_up_after(c, seg, MAX_COMMAND_PACKETS);
                }
            }
        }
        State::ImapCommand => {
            if !from_client && has(6) {
                if p.starts_with(b"* ") || imap_tag(p) {
                    classify(c, con::IMAP);
                    c.l7.state = State::Ignore;
                } else {
                    give_up_after(c, seg, MAX_COMMAND_PACKETS);
                }
            }
        }
        State::HttpCommand => {
            if !from_client && has(4) {
                if let Some(kw) = msn_server_keyword(p) {
                    msn_server(c, seg, pool, kw, true);
                }
                http_reply(c, p);
                give_up_after(c, seg, MAX_COMMAND_PACKETS);
            }
        }
        State::HttpResponse => {
            if has(4) {
                if from_client {
                    http_next_request(c, p);
                } else {
                    if let Some(kw) = msn_server_keyword(p) {
                        msn_server(c, seg, pool, kw, true);
                    }
                    video_content(c, p);
                }
                give_up_after(c, seg, MAX_HTTP_RESPONSE_PACKETS);
            }
        }
        State::RtspCommand => {
            if !from_client && has(4) {
                if keyword(p) == b"RTSP" {
                    classify(c, con::RTSP);
                    c.l7.state = State::RtspResponse;
                }
                give_up_after(c, seg, MAX_COMMAND_PACKETS);
            }
        }
        State::RtspResponse => give_up_after(c, seg, MAX_RTSP_RESPONSE_PACKETS),
        State::SslHandshake => {
            if !from_client && has(6) && tls::is_server_hello_record(p) && seg.payload_len >= 5 {
                server_hello(c, seg, pool);
            } else if seg.packets > MAX_SSL_HANDSHAKE_PACKETS {
                c.l7.state = State::Unknown;
            }
        }
        State::SslData => ssl_data(c, seg, pool),
        State::MsnVerC2s | State::MsnUsrC2s | State::MsnAns => {
            if !from_client {
                if let Some(kw) = msn_server_keyword(p) {
                    msn_server(c, seg, pool, kw, false);
                }
            }
        }
        State::MsnCount | State::Ymsg | State::Xmpp => {
            count_chat(c, seg, pool);
            // Tstat returns here: no packet limit, no handshake times.
            return false;
        }
        State::SshServer => {
            if from_client && has(7) {
                if keyword(p) == b"SSH-" && ssh_version(p) {
                    classify(c, con::SSH);
                    c.l7.state = State::Ignore;
                }
                give_up_after(c, seg, MAX_COMMAND_PACKETS);
            }
        }
        State::Ignore => {}
    }
    true
}

fn give_up_after(c: &mut Classification, seg: &Segment<'_>, limit: u64) {
    if seg.packets > limit {
        c.l7.state = State::Ignore;
    }
}

/// The UNKNOWN state: the opening keyword of either side.
fn unknown(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool) {
    let p = seg.payload;
    let from_client = seg.dir == Dir::C2S;
    let l = &mut c.l7;
    match keyword(p) {
        b"GET " => {
            if from_client {
                l.state = State::HttpCommand;
                c.http_data = web::classify_get(p) as u32;
            }
        }
        b"POST" => {
            if from_client {
                l.state = State::HttpCommand;
                c.http_data = web::classify_post(p) as u32;
            }
        }
        b"PATC" | b"OPTI" | b"DELE" => {
            let whole = [b"PATCH ".as_slice(), b"OPTIONS ", b"DELETE "];
            if from_client && whole.iter().any(|m| p.starts_with(m)) {
                l.state = State::HttpCommand;
            }
        }
        b"HEAD" | b"PUT " => {
            if from_client {
                l.state = State::HttpCommand;
            }
        }
        b"DESC" => {
            if from_client && p.len() > 8 && p.starts_with(b"DESCRIBE") {
                l.state = State::RtspCommand;
            }
        }
        b"220 " if !from_client => l.state = State::SmtpOpening,
        b"+OK " | b"-ERR" if !from_client => l.state = State::Pop3Opening,
        b"* OK" if !from_client => l.state = State::ImapOpening,
        b"SSH-" => {
            if !from_client && p.len() > 7 && ssh_version(p) {
                l.state = State::SshServer;
            }
        }
        b"1QTV" => {
            if from_client && p.len() > 14 && fb0_hello(c, p, pool) {
                c.l7.state = State::Fb0Opening;
            }
        }
        b"220 " | b"+OK " | b"-ERR" | b"* OK" => {}
        b"YMSG" => {
            c.l7.state = State::Ymsg;
            classify(c, con::YMSG);
            let version = chat::ymsg_version(p).unwrap_or(0);
            set_chat(c, pool, || {
                ChatRecord::Ymsg(chat::Ymsg {
                    version,
                    ..Default::default()
                })
            });
        }
        b"<str" => {
            c.l7.state = State::Xmpp;
            classify(c, con::XMPP);
            set_chat(c, pool, || ChatRecord::Xmpp(chat::Xmpp::default()));
        }
        b"VER " | b"USR " | b"ANS " | b"IRO " if !from_client => {
            let kw = msn_server_keyword(p).unwrap_or_default();
            msn_server(c, seg, pool, kw, false);
        }
        b"VER " | b"USR " | b"ANS " | b"IRO " => msn_client(c, p, pool),
        _ => {
            if !(from_client && p.len() > 6 && client_hello(c, seg, pool))
                && seg.packets > MAX_UNKNOWN_PACKETS
            {
                c.l7.state = State::Ignore;
            }
        }
    }
}

/// The chat counters of this connection, created by `new` at the first need (`None` when
/// the pool is full).
fn set_chat<'p>(
    c: &mut Classification,
    pool: &'p mut TlsPool,
    new: impl FnOnce() -> ChatRecord,
) -> Option<&'p mut ChatRecord> {
    if c.l7.chat.is_none() {
        c.l7.chat = pool.chats.take();
        let slot = c.l7.chat?;
        *pool.chats.get_mut(slot) = new();
    }
    c.l7.chat.map(|s| pool.chats.get_mut(s))
}

fn msn_mut<'p>(c: &mut Classification, pool: &'p mut TlsPool) -> Option<&'p mut chat::Msn> {
    match set_chat(c, pool, || ChatRecord::Msn(chat::Msn::default()))? {
        ChatRecord::Msn(m) => Some(m),
        _ => None,
    }
}

/// A server segment's MSN keyword (4 bytes captured).
fn msn_server_keyword(p: &[u8]) -> Option<[u8; 4]> {
    let kw: [u8; 4] = p.get(..4)?.try_into().ok()?;
    matches!(&kw, b"VER " | b"USR " | b"ANS " | b"IRO ").then_some(kw)
}

/// A client's MSN opening in UNKNOWN: VER and USR are noted, IRO starts counting at once.
fn msn_client(c: &mut Classification, p: &[u8], pool: &mut TlsPool) {
    let kw = keyword(p);
    if let Some(m) = msn_mut(c, pool) {
        let s = &mut m.sides[Dir::C2S as usize];
        match kw {
            b"VER " => s.ver = true,
            b"USR " => s.usr = true,
            _ => {}
        }
    }
    c.l7.state = match kw {
        b"VER " => State::MsnVerC2s,
        b"USR " => State::MsnUsrC2s,
        b"ANS " => State::MsnAns,
        _ => State::MsnCount,
    };
}

/// The server confirms MSN (Tstat's msn_s2c_state_update); `tunnel` when it answers an HTTP
/// request. The segment itself is not counted.
fn msn_server(
    c: &mut Classification,
    seg: &Segment<'_>,
    pool: &mut TlsPool,
    kw: [u8; 4],
    tunnel: bool,
) {
    classify(c, con::MSN);
    c.l7.state = State::MsnCount;
    let Some(m) = msn_mut(c, pool) else {
        return;
    };
    if tunnel {
        m.mft = chat::mft::HTTP_TUNNELING;
    }
    let s = &mut m.sides[Dir::S2C as usize];
    match &kw {
        b"VER " => {
            s.ver = true;
            if seg.payload.len() >= 14 {
                m.version = chat::msn_version(seg.payload);
            }
        }
        b"USR " => s.usr = true,
        _ => {}
    }
}

/// A segment of a connection in a chat state: its protocol's counter, and the message row.
fn count_chat(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool) {
    let Some(record) = c.l7.chat.map(|s| pool.chats.get_mut(s)) else {
        return;
    };
    let (dir, p) = (seg.dir, seg.payload);
    let found = match record {
        ChatRecord::Msn(m) => chat::msn(m, dir, p),
        ChatRecord::Ymsg(y) => chat::ymsg(y, dir, p),
        ChatRecord::Xmpp(x) => chat::xmpp(x, dir, p),
        ChatRecord::None => None,
    };
    if let Some((label, len)) = found {
        pool.chat_message = Some(ChatMessage {
            label,
            dir,
            len,
            paylen: seg.payload_len,
            con_t: c.con_type,
            now: seg.now,
            flow_id: 0,
            first: seg.now,
        });
    }
}

/// `SSH-1.x` or `SSH-2.x` with a digit after the dot.
fn ssh_version(p: &[u8]) -> bool {
    matches!(p.get(4..7), Some([b'1' | b'2', b'.', b'0'..=b'9']))
}

/// An IMAP tag: a space within the first six bytes right after a letter or digit.
fn imap_tag(p: &[u8]) -> bool {
    (1..6).any(|i| p.get(i) == Some(&b' ') && p[i - 1].is_ascii_alphanumeric())
}

/// The server's first HTTP_COMMAND-state answer: `HTTP` (with its status code) or `ICY `.
fn http_reply(c: &mut Classification, p: &[u8]) {
    match keyword(p) {
        b"HTTP" => {
            classify(c, con::HTTP);
            c.l7.state = State::HttpResponse;
            c.http_response = status_code(p);
        }
        b"ICY " => {
            classify(c, con::ICY);
            c.l7.state = State::Ignore;
        }
        _ => {}
    }
}

/// Bytes 9–11 of the status line cut at the first non-digit; `000` when that leaves nothing
/// or fewer than 14 bytes were captured.
fn status_code(p: &[u8]) -> heapless::Vec<u8, 3> {
    let mut code = heapless::Vec::new();
    if p.len() > 13 {
        for &b in p[9..12].iter().take_while(|b| b.is_ascii_digit()) {
            let _ = code.push(b);
        }
    }
    if code.is_empty() {
        let _ = code.extend_from_slice(b"000");
    }
    code
}

/// A later request on an HTTP connection replaces a plain GET/POST class by a specific one.
fn http_next_request(c: &mut Classification, p: &[u8]) {
    let new = match keyword(p) {
        b"GET " => web::classify_get(p),
        b"POST" => web::classify_post(p),
        _ => return,
    };
    let old = c.http_data;
    let plain = [HttpClass::Get, HttpClass::Post, HttpClass::Youtube204].map(|h| h as u32);
    if !plain.contains(&old) {
        return;
    }
    if old == HttpClass::Youtube204 as u32 && new == HttpClass::YoutubeVideo {
        c.http_data = HttpClass::YoutubeVideo204 as u32;
    } else if !matches!(new, HttpClass::Get | HttpClass::Post) {
        c.http_data = new as u32;
    }
}

/// A response body starting a segment: FLV with metadata, or MP4, makes a GET VIDEO_CONTENT.
fn video_content(c: &mut Classification, p: &[u8]) {
    let get = c.http_data == HttpClass::Get as u32;
    let video = match keyword(p) {
        b"FLV\x01" | b"\x12\x00\x03\x4b" => {
            // YouTube videos go to the video log's FLV parser instead.
            let youtube = [
                HttpClass::YoutubeVideo,
                HttpClass::YoutubeVideo204,
                HttpClass::Youtube204,
            ]
            .map(|h| h as u32);
            !youtube.contains(&c.http_data) && p.len() > 37 && &p[27..37] == b"onMetaData"
        }
        b"\x00\x00\x00\x18" => p.len() > 12 && &p[4..8] == b"ftyp",
        _ => false,
    };
    if video && get {
        c.http_data = HttpClass::VideoContent as u32;
    }
}

/// This connection's TLS record, taking a slot at the first need (`None` when the pool is
/// full).
fn tls_mut<'p>(c: &mut Classification, pool: &'p mut TlsPool) -> Option<&'p mut TlsRecord> {
    if c.tls.is_none() {
        c.tls = pool.take();
    }
    c.tls.map(|s| pool.get_mut(s))
}

/// A client segment in UNKNOWN that may open TLS (§3.1). True when it does.
fn client_hello(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool) -> bool {
    let p = seg.payload;
    if tls::is_client_hello_record(p) {
        c.l7.state = State::SslHandshake;
        let hello = tls::client_hello_record(p);
        note_client_hello(c, &hello, pool);
        // Our addition: a record longer than its (fully captured) segment is gathered.
        if c.l7.hello.is_none() && p.len() == seg.payload_len {
            c.l7.hello = pool.hellos.start(p, seg.seq_from_isn);
        }
    } else if tls::is_sslv2_client_hello(p, seg.payload_len) {
        c.l7.state = State::SslHandshake;
    } else {
        return false;
    }
    let reuse = p.len() > 43 && p[43] != 0;
    c.tls_session = (c.tls_session & !SESSION_ID) | if reuse { SESSION_ID } else { 0 };
    true
}

/// A client segment of a ClientHello being gathered; once it is whole, what it offers beyond
/// the first segment is added (hello.rs).
fn split_hello(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool) {
    let Some(slot) = c.l7.hello else {
        return;
    };
    if seg.dir != Dir::C2S || seg.payload.is_empty() {
        return;
    }
    let mut whole = None;
    match pool.hellos.feed(slot, seg.payload, seg.seq_from_isn) {
        Fed::Waiting => return,
        Fed::Complete(msg) => whole = Some(tls::client_hello(msg).owned_names()),
        Fed::GaveUp => {}
    }
    pool.hellos.give_back(slot);
    c.l7.hello = None;
    if let Some(hello) = whole {
        add_split_hello(c, &hello, pool);
    }
}

/// What a whole ClientHello adds to what its first segment gave: the server name if none
/// was read, NPN/ALPN and the session bits (or-ed), the supported_versions list.
fn add_split_hello(c: &mut Classification, hello: &tls::OwnedHello, pool: &mut TlsPool) {
    note_client_offers(c, hello.npnalpn, hello.pre_shared_key, hello.early_data);
    let Some(r) = tls_mut(c, pool) else {
        return;
    };
    if let Some(v) = &hello.supported_versions {
        r.client_version = Some(v.clone());
    }
    if r.sni.is_empty() {
        let _ = r.sni.extend_from_slice(&hello.sni);
    }
}

/// What any reading of a ClientHello adds to the connection's bit maps: NPN/ALPN, PSK,
/// early data.
fn note_client_offers(c: &mut Classification, npnalpn: u8, psk: bool, early_data: bool) {
    c.client_npnalpn |= u32::from(npnalpn);
    if psk {
        c.tls_session |= CLIENT_PSK;
    }
    if early_data {
        c.tls_session |= EARLY_DATA;
    }
}

fn note_client_hello(c: &mut Classification, hello: &ClientHello<'_>, pool: &mut TlsPool) {
    note_client_offers(c, hello.npnalpn, hello.pre_shared_key, hello.early_data);
    let Some(r) = tls_mut(c, pool) else {
        return;
    };
    if r.client_version.is_none() {
        r.client_version = hello.legacy_version.map(tls::version_text);
    }
    if let Some(v) = &hello.supported_versions {
        r.client_version = Some(v.clone());
    }
    if let Some(name) = hello.sni {
        r.sni.clear();
        let _ = r.sni.extend_from_slice(name);
    }
}

/// The server's hello in SSL_HANDSHAKE: TLS is confirmed.
fn server_hello(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool) {
    let hello = tls::server_hello_record(seg.payload, seg.payload_len);
    c.server_npnalpn |= u32::from(hello.npnalpn);
    if hello.pre_shared_key {
        c.tls_session |= SERVER_PSK;
    }
    if hello.hello_retry {
        c.tls_session |= HELLO_RETRY;
    }
    if let Some(r) = tls_mut(c, pool) {
        if r.server_version.is_none() {
            r.server_version = hello.legacy_version.map(tls::version_text);
        }
        if let Some(v) = hello.selected_version {
            r.server_version = Some(tls::version_text(v));
        }
        if let Some(name) = tls::certificate_name(seg.payload) {
            set_name(&mut r.scn, name);
        }
    }
    classify(c, con::SSL);
    c.l7.state = State::SslData;
    // Tstat names the service once, as the TLS state settles (map_tls_service).
    let sni = tls_mut(c, pool).map(|r| r.sni.clone());
    c.tls_service = super::tls_services::of(sni.as_deref().filter(|s| !s.is_empty()));
}

fn set_name<const N: usize>(to: &mut heapless::Vec<u8, N>, name: &[u8]) {
    to.clear();
    let _ = to.extend_from_slice(&name[..name.len().min(N)]);
}

/// SSL_DATA: the first application-data record of each side; a later Certificate record is
/// searched for a name only when one is already known (Tstat's quirk).
fn ssl_data(c: &mut Classification, seg: &Segment<'_>, pool: &mut TlsPool) {
    let p = seg.payload;
    if p.len() <= 6 {
        return;
    }
    let at = (seg.now, seg.sent_before);
    match seg.dir {
        Dir::C2S => {
            if !c.l7.client_data_seen && tls::is_application_data(p) {
                c.l7.client_data_seen = true;
                if let Some(r) = tls_mut(c, pool) {
                    r.client_data = Some(at);
                }
            }
        }
        Dir::S2C => {
            if let Some(r) = c.tls.map(|s| pool.get_mut(s)) {
                if !r.scn.is_empty() && tls::is_certificate_record(p) {
                    if let Some(name) = tls::certificate_name(p) {
                        set_name(&mut r.scn, name);
                    }
                }
            }
            if !c.l7.server_data_seen && tls::is_application_data(p) {
                c.l7.server_data_seen = true;
                if let Some(r) = tls_mut(c, pool) {
                    r.server_data = Some(at);
                }
            }
        }
    }
    if c.l7.client_data_seen && c.l7.server_data_seen {
        c.l7.state = State::Ignore;
    }
}

/// Facebook Zero: a `1QTV` header with a CHLO at offset 9, whose SNI tag names the server.
/// True when the CHLO is there.
fn fb0_hello(c: &mut Classification, p: &[u8], pool: &mut TlsPool) -> bool {
    if p.get(9..13) != Some(b"CHLO".as_slice()) {
        return false;
    }
    let tags = p[13] as usize;
    let values = 17 + 8 * tags;
    if p.len() < values {
        return true;
    }
    let mut last = 0usize;
    for i in 0..tags {
        let tag = 17 + 8 * i;
        let end = p[tag + 4] as usize;
        if p.len() >= values + end && p[tag..].starts_with(b"SNI") {
            let name = p.get(values + last..values + end).unwrap_or_default();
            let name = &name[..name.len().min(119)];
            let name = name.split(|&b| b == 0).next().unwrap_or_default();
            if tls::plausible_name(name) {
                if let Some(r) = tls_mut(c, pool) {
                    set_name(&mut r.sni, name);
                }
            }
        }
        last = end;
    }
    true
}
