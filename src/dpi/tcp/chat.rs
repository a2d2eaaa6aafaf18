//! Tstat's chat classifiers (docs/semantics/chat.md): MSN, Yahoo! Messenger (YMSG) and XMPP.
//! Once the Layer-7 machine has entered a chat state, every payload segment of either side is
//! counted here; the counts and the flow type make the log_chat_complete row, and each counted
//! message a log_chat_messages row. Pure functions over the captured bytes, no allocation.

use crate::engine::flow::Dir;
use crate::time::Timestamp;

/// MSN flow types (MFT).
pub mod mft {
    pub const LOGIN: u8 = 1;
    pub const PRESENCE: u8 = 2;
    pub const CHAT: u8 = 3;
    pub const HTTP_TUNNELING: u8 = 4;
}

/// YMSG flow types (YFT).
pub mod yft {
    pub const PRESENCE: u8 = 2;
    pub const CHAT: u8 = 3;
    pub const PRESENCE_CHAT: u8 = 4;
    pub const P2P: u8 = 5;
    pub const YMSG: u8 = 9;
}

/// XMPP flow types (JFT).
pub mod jft {
    pub const PRESENCE: u8 = 2;
    pub const CHAT: u8 = 3;
}

/// One side's MSN counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct MsnSide {
    pub ver: bool,
    pub usr: bool,
    /// MSG segments (UUM/UBM included), then the A/D/N/U message types, then Yahoo! ones.
    pub msg: u32,
    pub a: u32,
    pub d: u32,
    pub n: u32,
    pub u: u32,
    pub y: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Msn {
    pub sides: [MsnSide; 2],
    /// Flow type (Tstat writes both sides' copies at once, so one suffices).
    pub mft: u8,
    /// The server's protocol version token (at most 7 bytes).
    pub version: heapless::Vec<u8, 7>,
}

/// One side's YMSG counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct YmsgSide {
    pub auth_resp: bool,
    pub list: bool,
    pub skinname: bool,
    pub p2p_check: bool,
    pub p2p: bool,
    pub notify: u32,
    pub message: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ymsg {
    pub sides: [YmsgSide; 2],
    pub yft: u8,
    /// Bytes 5–6 of the first YMSG header, read as x86 does (little-endian).
    pub version: i32,
}

/// One side's XMPP counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct XmppSide {
    pub presence: bool,
    pub message: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Xmpp {
    pub sides: [XmppSide; 2],
    pub jft: u8,
}

/// A connection's chat state, kept in the TLS pool's chat slots.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum ChatRecord {
    #[default]
    None,
    Msn(Msn),
    Ymsg(Ymsg),
    Xmpp(Xmpp),
}

impl ChatRecord {
    /// Whether the connection has a log_chat_complete row (its flow type is set).
    pub fn has_row(&self) -> bool {
        match self {
            ChatRecord::None => false,
            ChatRecord::Msn(m) => m.mft != 0,
            ChatRecord::Ymsg(y) => y.yft != 0,
            ChatRecord::Xmpp(x) => x.jft != 0,
        }
    }
}

/// A counted message: one log_chat_messages row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatMessage {
    /// `MSG_A`, `MSG_?`, `MSG_Y`, `MESSAGE`.
    pub label: &'static str,
    pub dir: Dir,
    /// The length column; `None` prints `?`.
    pub len: Option<i32>,
    pub paylen: usize,
    pub con_t: u32,
    pub now: Timestamp,
    /// Filled by the engine: the connection's id and first time.
    pub flow_id: u64,
    pub first: Timestamp,
}

/// What a counter found in a segment: the row's label and length column.
pub type Found = Option<(&'static str, Option<i32>)>;

fn side(dir: Dir) -> usize {
    dir as usize
}

/// The MSN counter on one segment (§2.1), then the flow-type update.
pub fn msn(m: &mut Msn, dir: Dir, p: &[u8]) -> Found {
    let found = msn_count(&mut m.sides[side(dir)], dir, p);
    msn_flow_type(m, dir);
    found
}

fn msn_count(s: &mut MsnSide, dir: Dir, p: &[u8]) -> Found {
    match p.get(..4)? {
        b"VER " => s.ver = true,
        b"USR " => s.usr = true,
        b"MSG " => {
            s.msg += 1;
            return msn_message(s, dir, p);
        }
        b"UUM " | b"UBM " => {
            s.msg += 1;
            s.y += 1;
            return Some(("MSG_Y", None));
        }
        _ => {}
    }
    None
}

/// The `MSG trID type length` line: type counters and the row (none for N ≤ 5).
fn msn_message(s: &mut MsnSide, dir: Dir, p: &[u8]) -> Found {
    let n = p.len();
    if n <= 5 {
        return None;
    }
    let end = 4 + (n - 5).min(19);
    let text = p.get(4..end).unwrap_or_default();
    let text = text.split(|&b| b == 0).next().unwrap_or_default();
    let (mut label, mut len) = ("MSG_?", -1);
    if text.len() >= 3 {
        let (fields, type_char, length) = scan_msg_header(text);
        if fields >= 2 {
            let counter = match type_char {
                b'A' => Some((&mut s.a, "MSG_A")),
                b'D' => Some((&mut s.d, "MSG_D")),
                b'N' => Some((&mut s.n, "MSG_N")),
                b'U' => Some((&mut s.u, "MSG_U")),
                _ => None,
            };
            if let Some((count, name)) = counter {
                *count += 1;
                label = name;
                if dir == Dir::C2S && fields == 3 {
                    len = length;
                }
            }
        }
    }
    Some((label, Some(len)))
}

/// C `sscanf("%d %c %d")`: how many of trID, type, length were read, the type and length.
fn scan_msg_header(t: &[u8]) -> (u8, u8, i32) {
    let mut at = 0;
    if scan_int(t, &mut at).is_none() {
        return (0, 0, 0);
    }
    skip_space(t, &mut at);
    let Some(&c) = t.get(at) else {
        return (1, 0, 0);
    };
    at += 1;
    match scan_int(t, &mut at) {
        Some(len) => (3, c, len),
        None => (2, c, 0),
    }
}

fn skip_space(t: &[u8], at: &mut usize) {
    while t.get(*at).is_some_and(|b| b.is_ascii_whitespace()) {
        *at += 1;
    }
}

/// `%d`: leading whitespace, an optional sign, digits (wrapping like a C int would not
/// matter here: at most 19 bytes are scanned).
fn scan_int(t: &[u8], at: &mut usize) -> Option<i32> {
    skip_space(t, at);
    let mut i = *at;
    let negative = match t.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut v: i64 = 0;
    while let Some(d) = t.get(i).filter(|b| b.is_ascii_digit()) {
        v = (v * 10 + i64::from(d - b'0')).min(i64::from(i32::MAX) + 1);
        i += 1;
    }
    if i == start {
        return None;
    }
    *at = i;
    let v = if negative { -v } else { v };
    Some(v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
}

/// MFT: only while unknown, login or tunnelled; a version seen wins over a message.
fn msn_flow_type(m: &mut Msn, dir: Dir) {
    if !matches!(m.mft, 0 | mft::LOGIN | mft::HTTP_TUNNELING) {
        return;
    }
    let s = m.sides[side(dir)];
    if s.msg > 0 && m.mft != mft::LOGIN {
        m.mft = mft::CHAT;
    }
    if s.ver {
        m.mft = if s.usr { mft::PRESENCE } else { mft::LOGIN };
    }
}

/// The server's version token of a `VER ` line: from offset 6, after blanks, up to 7 bytes.
pub fn msn_version(p: &[u8]) -> heapless::Vec<u8, 7> {
    let mut v = heapless::Vec::new();
    if p.len() < 14 {
        return v;
    }
    let rest = &p[6..];
    let start = rest
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    for &b in rest[start..]
        .iter()
        .take_while(|b| !b.is_ascii_whitespace() && **b != 0)
        .take(7)
    {
        let _ = v.push(b);
    }
    v
}

/// The YMSG version of an opening segment: bytes 5 and 6, little-endian (needs 6 bytes; a
/// missing 7th byte reads as 0).
pub fn ymsg_version(p: &[u8]) -> Option<i32> {
    if p.len() < 6 {
        return None;
    }
    let low = i32::from(p[5]);
    let high = i32::from(p.get(6).copied().unwrap_or(0));
    Some(low + 256 * high)
}

/// The YMSG counter on one segment (§2.2), then the flow-type update.
pub fn ymsg(y: &mut Ymsg, dir: Dir, p: &[u8]) -> Found {
    let found = ymsg_count(y, dir, p);
    ymsg_flow_type(y, dir);
    found
}

fn ymsg_count(y: &mut Ymsg, dir: Dir, p: &[u8]) -> Found {
    if p.get(..4)? != b"YMSG" {
        return None;
    }
    if y.yft == 0 {
        y.yft = yft::YMSG;
    }
    if p.len() < 13 {
        return None;
    }
    let s = &mut y.sides[side(dir)];
    match p[11] {
        0x54 => s.auth_resp = true,
        0x55 => s.list = true,
        0x15 => s.skinname = true,
        0x4b => s.notify += 1,
        0x06 => {
            s.message += 1;
            let len = i32::from(p[9]) + 256 * i32::from(p[10]);
            return Some(("MESSAGE", Some(len)));
        }
        0x4f => s.p2p_check = true,
        0x4d => s.p2p = true,
        _ => {}
    }
    None
}

fn ymsg_flow_type(y: &mut Ymsg, dir: Dir) {
    let s = y.sides[side(dir)];
    if y.yft == yft::PRESENCE && y.sides[side(Dir::S2C)].p2p_check {
        y.yft = yft::P2P;
    }
    if matches!(y.yft, 0 | yft::YMSG | yft::PRESENCE) && s.message > 0 {
        y.yft = if y.yft == yft::PRESENCE {
            yft::PRESENCE_CHAT
        } else {
            yft::CHAT
        };
    }
    if matches!(y.yft, 0 | yft::YMSG) && s.auth_resp {
        y.yft = yft::PRESENCE;
    }
}

/// C `strncmp(p, word, min(9, z))` = 0 with z the first NUL (or the captured length).
fn c_prefix(p: &[u8], word: &[u8]) -> bool {
    let z = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    let k = z.min(9).min(word.len());
    p[..k] == word[..k]
}

/// The XMPP counter on one segment (§2.3), then the flow-type update.
pub fn xmpp(x: &mut Xmpp, dir: Dir, p: &[u8]) -> Found {
    let mut found = None;
    let s = &mut x.sides[side(dir)];
    if c_prefix(p, b"<presence") {
        s.presence = true;
    } else if c_prefix(p, b"<message ") && matches!(x.jft, jft::PRESENCE | jft::CHAT) {
        s.message += 1;
        found = Some(("MESSAGE", None));
    }
    let s = x.sides[side(dir)];
    if x.jft == jft::PRESENCE && s.message > 0 {
        x.jft = jft::CHAT;
    }
    if x.jft == 0 && s.presence {
        x.jft = jft::PRESENCE;
    }
    found
}
