//! TLS handshake readers for the Layer-7 columns of log_tcp_complete (docs/semantics/tcp-dpi.md
//! §3): the ClientHello's server name, NPN/ALPN offers, versions and resumption extensions; the
//! ServerHello's version, NPN/ALPN answer and resumption flags; the certificate's common name.
//!
//! Tstat reads one segment at a time and never reassembles: a hello split over two segments is
//! read as far as the first one goes, and what is missing is simply not found. Every reader
//! here is bounded by the bytes it is given and by the record length, stops at the first field
//! that does not fit, and keeps what it found before.
//!
//! [`client_hello`] works on a Handshake message (RFC 8446 §4: the type byte 0x01 first), so
//! that a QUIC reader can hand it the ClientHello it reassembled from CRYPTO frames;
//! [`client_hello_record`] is the TCP entry point, over a TLS record (RFC 8446 §5.1).

/// NPN/ALPN bits (`c_npnalpn`, `s_npnalpn`).
pub mod npnalpn {
    pub const NPN_EMPTY: u8 = 1;
    pub const NPN_HTTP: u8 = 2;
    pub const NPN_SPDY: u8 = 4;
    pub const NPN_H2: u8 = 8;
    pub const ALPN_EMPTY: u8 = 16;
    pub const ALPN_HTTP: u8 = 32;
    pub const ALPN_SPDY: u8 = 64;
    pub const ALPN_H2: u8 = 128;
}

/// Longest server name or certificate name kept (Tstat's 80-byte buffer).
pub const MAX_NAME: usize = 79;
/// Tstat stops appending supported versions once the list reaches this many characters.
const MAX_VERSION_TEXT: usize = 74;
/// Tstat reads at most this many NPN/ALPN protocol names per extension.
const MAX_PROTOCOLS: usize = 20;

/// Extension numbers (IANA TLS ExtensionType registry).
const EXT_SERVER_NAME: u16 = 0x0000;
const EXT_ALPN: u16 = 0x0010;
const EXT_PRE_SHARED_KEY: u16 = 0x0029;
const EXT_EARLY_DATA: u16 = 0x002a;
const EXT_SUPPORTED_VERSIONS: u16 = 0x002b;
const EXT_NPN: u16 = 0x3374;

/// The ServerHello random that marks a HelloRetryRequest (RFC 8446 §4.1.3).
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
];

/// Versions as Tstat prints them: `%04x`, comma-separated.
pub type VersionText = heapless::String<80>;

/// What a ClientHello offers, as far as the given bytes go.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// `legacy_version`, when the bytes reach it.
    pub legacy_version: Option<u16>,
    /// The first host name of the server_name extension, cut at 79 bytes and at a NUL byte,
    /// when it looks like a domain name (see [`plausible_name`]).
    pub sni: Option<&'a [u8]>,
    /// NPN/ALPN bits ([`npnalpn`]).
    pub npnalpn: u8,
    /// The supported_versions list, when present (it replaces `legacy_version` in the log).
    pub supported_versions: Option<VersionText>,
    pub pre_shared_key: bool,
    pub early_data: bool,
}

/// A ClientHello's findings, kept after its bytes are gone.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OwnedHello {
    pub sni: heapless::Vec<u8, MAX_NAME>,
    pub npnalpn: u8,
    pub supported_versions: Option<VersionText>,
    pub pre_shared_key: bool,
    pub early_data: bool,
}

impl ClientHello<'_> {
    pub fn owned_names(&self) -> OwnedHello {
        let mut sni = heapless::Vec::new();
        if let Some(name) = self.sni {
            let _ = sni.extend_from_slice(&name[..name.len().min(MAX_NAME)]);
        }
        OwnedHello {
            sni,
            npnalpn: self.npnalpn,
            supported_versions: self.supported_versions.clone(),
            pre_shared_key: self.pre_shared_key,
            early_data: self.early_data,
        }
    }
}

/// Read a ClientHello Handshake message: `msg` starts at the HandshakeType byte (0x01) and
/// ends where the message (or what is known of it) ends. Fields running past the end are
/// not read; what came before them is kept. The Handshake length field is not used: the
/// caller bounds `msg` (Tstat bounds it by the record length and the captured bytes).
///
/// Offsets inside the message (RFC 8446 §4.1.2): type 0, length 1–3, legacy_version 4–5,
/// random 6–37, legacy_session_id length 38, then cipher suites, compression methods and
/// the extensions.
pub fn client_hello(msg: &[u8]) -> ClientHello<'_> {
    let mut hello = ClientHello {
        legacy_version: be16(msg, 4),
        ..ClientHello::default()
    };
    let Some(extensions) = client_extensions_start(msg) else {
        return hello;
    };
    read_client_extensions(msg, extensions, &mut hello);
    hello
}

/// The host name of a ClientHello's server_name extension (RFC 6066 §3) exactly as sent: not
/// cut, not filtered, `None` unless all of it is within `msg`. For IETF QUIC (`dpi::quic`),
/// where none of Tstat's TLS quirks apply.
pub fn sent_server_name(msg: &[u8]) -> Option<&[u8]> {
    let (base, total) = client_extensions_start(msg)?;
    let end = base.checked_add(total)?.min(msg.len());
    let mut at = base;
    while at + 4 <= end {
        let len = be16(msg, at + 2)? as usize;
        if be16(msg, at)? == EXT_SERVER_NAME {
            // server_name_list length, name_type (0 = host_name), name length, name
            let name_len = be16(msg, at + 7)? as usize;
            return (*msg.get(at + 6)? == 0).then(|| msg.get(at + 9..at + 9 + name_len))?;
        }
        at += 4 + len;
    }
    None
}

/// The offset of the extensions block and its declared length.
fn client_extensions_start(msg: &[u8]) -> Option<(usize, usize)> {
    let lim = msg.len();
    let mut at = 38;
    at += 1 + *msg.get(at)? as usize;
    if at + 2 > lim {
        return None;
    }
    at += 2 + be16(msg, at)? as usize;
    at += 1 + *msg.get(at)? as usize;
    if at + 2 > lim {
        return None;
    }
    Some((at + 2, be16(msg, at)? as usize))
}

/// Walk the extensions, each bounded by the end of `msg`.
fn read_client_extensions<'a>(
    msg: &'a [u8],
    (base, total): (usize, usize),
    hello: &mut ClientHello<'a>,
) {
    let lim = msg.len();
    let mut ii = 0usize;
    while ii < total && base + ii < lim {
        let (Some(kind), Some(len)) = (be16(msg, base + ii), be16(msg, base + ii + 2)) else {
            return;
        };
        let len = len as usize;
        ii += 4;
        let body = base + ii;
        match kind {
            EXT_SERVER_NAME => {
                let Some(name) = server_name(msg, body) else {
                    return;
                };
                if plausible_name(name) {
                    hello.sni = Some(name);
                }
            }
            EXT_NPN if len == 0 => hello.npnalpn |= npnalpn::NPN_EMPTY,
            EXT_NPN => hello.npnalpn |= protocol_list(msg, body, len, Kind::Npn),
            EXT_ALPN if len == 0 => hello.npnalpn |= npnalpn::ALPN_EMPTY,
            EXT_ALPN => {
                // Tstat skips by the list length read inside, not by the extension length.
                let Some(list) = be16(msg, body) else {
                    return;
                };
                ii += 2;
                hello.npnalpn |= protocol_list(msg, body + 2, list as usize, Kind::Alpn);
                ii += list as usize;
                continue;
            }
            EXT_SUPPORTED_VERSIONS if len != 0 => {
                let Some(text) = version_list(msg, body) else {
                    return;
                };
                hello.supported_versions = Some(text);
            }
            EXT_PRE_SHARED_KEY => hello.pre_shared_key = true,
            EXT_EARLY_DATA => hello.early_data = true,
            _ => {}
        }
        ii += len;
    }
}

/// The first name of a server_name extension body (RFC 6066 §3): list length (2), name type
/// (1), name length (2), name; cut at 79 bytes, at the end of `msg` and at a NUL byte.
fn server_name(msg: &[u8], body: usize) -> Option<&[u8]> {
    if body + 2 > msg.len() {
        return None;
    }
    let at = body + 3;
    let len = be16(msg, at)? as usize;
    let start = at + 2;
    let rest = msg.get(start..)?;
    let name = &rest[..rest.len().min(len).min(MAX_NAME)];
    Some(cut_at_nul(name))
}

/// The supported_versions list of a ClientHello (RFC 8446 §4.2.1): a one-byte length, then
/// two-byte versions. `None` when it does not fit: Tstat stops reading the hello then.
fn version_list(msg: &[u8], body: usize) -> Option<VersionText> {
    let lim = msg.len();
    if body + 2 >= lim {
        return None;
    }
    // Tstat reads the length as a signed char: 128 and more stop the reading.
    let len = *msg.get(body)?;
    if len >= 0x80 || body + 1 + len as usize >= lim {
        return None;
    }
    let mut text = VersionText::new();
    for j in (0..len as usize).step_by(2) {
        let v = be16(msg, body + 1 + j)?;
        if j == 0 {
            push_version(&mut text, v, false);
        } else if text.len() < MAX_VERSION_TEXT {
            push_version(&mut text, v, true);
        }
    }
    Some(text)
}

fn push_version(text: &mut VersionText, v: u16, comma: bool) {
    use core::fmt::Write;
    let _ = if comma {
        write!(text, ",{v:04x}")
    } else {
        write!(text, "{v:04x}")
    };
}

/// One version as Tstat prints it.
pub fn version_text(v: u16) -> VersionText {
    let mut text = VersionText::new();
    push_version(&mut text, v, false);
    text
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Npn,
    Alpn,
}

/// The NPN or ALPN protocol names starting at `at` (each a one-byte length and the name):
/// `spdy/…`, `h2` or `h2-…`, `http/…` set their bits; an empty name sets the EMPTY bit alone.
fn protocol_list(msg: &[u8], at: usize, len: usize, kind: Kind) -> u8 {
    use npnalpn::*;
    let (empty, spdy, h2, http) = match kind {
        Kind::Npn => (NPN_EMPTY, NPN_SPDY, NPN_H2, NPN_HTTP),
        Kind::Alpn => (ALPN_EMPTY, ALPN_SPDY, ALPN_H2, ALPN_HTTP),
    };
    let mut bits = 0;
    let mut iii = 0usize;
    for _ in 0..MAX_PROTOCOLS {
        if !(iii < len && at + iii < msg.len()) {
            break;
        }
        let n = msg[at + iii] as usize;
        if n == 0 {
            return empty;
        }
        iii += 1;
        let start = at + iii;
        if start + n > msg.len() {
            break;
        }
        // Tstat compares the prefixes without looking at the name's length.
        let tail = &msg[start..];
        if tail.starts_with(b"spdy/") {
            bits |= spdy;
        } else if tail.starts_with(b"h2") && (n == 2 || tail.get(2) == Some(&b'-')) {
            bits |= h2;
        } else if tail.starts_with(b"http/") {
            bits |= http;
        }
        iii += n;
    }
    bits
}

/// A TLS record holding a ClientHello, as Tstat recognises it (§3.1): content type 22, major
/// version 3, minor 0–3, a record length below 0x3a00, and HandshakeType 1 at byte 5.
pub fn is_client_hello_record(seg: &[u8]) -> bool {
    is_handshake_record(seg) && seg.get(5) == Some(&0x01)
}

/// The same test for a ServerHello (HandshakeType 2).
pub fn is_server_hello_record(seg: &[u8]) -> bool {
    is_handshake_record(seg) && seg.get(5) == Some(&0x02)
}

fn is_handshake_record(seg: &[u8]) -> bool {
    matches!(seg, [0x16, 0x03, 0..=3, 0..=0x39, ..])
}

/// An SSLv2-framed ClientHello (RFC 6101 appendix E.2): message type 1 at byte 2, version 3.x
/// at bytes 3–4, and a 15-bit record length equal to the rest of the segment.
pub fn is_sslv2_client_hello(seg: &[u8], payload_len: usize) -> bool {
    let [b0, b1, 0x01, 0x03, 0..=3, ..] = *seg else {
        return false;
    };
    let record = ((b0 as usize & 0x7f) << 8) | b1 as usize;
    record + 2 == payload_len
}

/// Read the ClientHello in a TLS record that passed [`is_client_hello_record`]: the message is
/// bounded by the record length and by the captured bytes.
pub fn client_hello_record(seg: &[u8]) -> ClientHello<'_> {
    client_hello(record_body(seg))
}

/// The Handshake bytes of a record: from byte 5 to the record's end or the capture's.
fn record_body(seg: &[u8]) -> &[u8] {
    let end = be16(seg, 3).map_or(0, |l| 5 + l as usize).min(seg.len());
    seg.get(5..end).unwrap_or_default()
}

/// What a ServerHello answers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ServerHello {
    pub legacy_version: Option<u16>,
    /// The selected version from supported_versions (RFC 8446 §4.2.1), when present.
    pub selected_version: Option<u16>,
    pub npnalpn: u8,
    pub pre_shared_key: bool,
    pub hello_retry: bool,
}

/// Read a ServerHello record that passed [`is_server_hello_record`]. `payload_len` is the
/// segment's payload length from the IP header. Offsets are the record's (Tstat's): version
/// 9–10, random 11–42, session id length 43.
pub fn server_hello_record(seg: &[u8], payload_len: usize) -> ServerHello {
    let mut hello = ServerHello {
        legacy_version: be16(seg, 9),
        ..ServerHello::default()
    };
    if payload_len > 43 && seg.get(11..43) == Some(HELLO_RETRY_RANDOM.as_slice()) {
        hello.hello_retry = true;
    }
    let lim = be16(seg, 3).map_or(0, |l| 5 + l as usize).min(seg.len());
    if 43 >= payload_len {
        return hello;
    }
    let Some(start) = server_extensions_start(seg, lim) else {
        return hello;
    };
    read_server_extensions(seg, lim, start, &mut hello);
    hello
}

/// The offset of the ServerHello's extensions and their declared length. Tstat skips the
/// compression method as a two-byte length when it is not 0.
fn server_extensions_start(seg: &[u8], lim: usize) -> Option<(usize, usize)> {
    let sid = *seg.get(43)? as usize;
    let mut at = 43 + if sid == 0 { 1 } else { sid + 1 };
    if at + 2 >= lim {
        return None;
    }
    at += 2;
    at += match *seg.get(at)? {
        0 => 1,
        _ => be16(seg, at)? as usize + 2,
    };
    if at + 2 >= lim {
        return None;
    }
    Some((at + 2, be16(seg, at)? as usize))
}

fn read_server_extensions(
    seg: &[u8],
    lim: usize,
    (base, total): (usize, usize),
    h: &mut ServerHello,
) {
    let mut ii = 0usize;
    while ii < total && base < lim {
        let Some(kind) = be16(seg, base + ii) else {
            return;
        };
        ii += 2;
        if base + ii + 2 >= lim {
            return;
        }
        let Some(mut len) = be16(seg, base + ii).map(usize::from) else {
            return;
        };
        ii += 2;
        let body = base + ii;
        let within = &seg[..lim];
        match kind {
            EXT_NPN if body < lim => h.npnalpn |= protocol_list(within, body, len, Kind::Npn),
            EXT_ALPN => {
                if body + 2 >= lim {
                    return;
                }
                len = be16(seg, body).map_or(0, usize::from);
                ii += 2;
                h.npnalpn |= protocol_list(within, body + 2, len, Kind::Alpn);
            }
            EXT_SUPPORTED_VERSIONS if len != 0 => {
                if body + 1 >= lim {
                    return;
                }
                h.selected_version = be16(seg, body);
            }
            EXT_PRE_SHARED_KEY => h.pre_shared_key = true,
            _ => {}
        }
        ii += len;
    }
}

/// The first acceptable certificate common name in a segment: the DER bytes of the
/// commonName attribute (OID 2.5.4.3: `06 03 55 04 03`), a string type, a one-byte length,
/// then the name. Segments shorter than 30 bytes are not searched.
pub fn certificate_name(seg: &[u8]) -> Option<&[u8]> {
    const CN_OID: [u8; 5] = [0x06, 0x03, 0x55, 0x04, 0x03];
    if seg.len() < 30 {
        return None;
    }
    for i in 0..seg.len() - 7 {
        if seg[i..].starts_with(&CN_OID) {
            // Tstat reads the length as a signed char: 128 and more give an empty name.
            let len = seg[i + 6];
            let len = if len >= 0x80 { 0 } else { len as usize };
            let rest = seg.get(i + 7..).unwrap_or_default();
            let name = cut_at_nul(&rest[..rest.len().min(len).min(MAX_NAME)]);
            if plausible_name(name) {
                return Some(name);
            }
        }
    }
    None
}

/// Tstat's test of a server or certificate name: it ends with a label of 1+ letters or
/// digits, a dot, a label of 2–24 letters or digits, and an optional final dot
/// (`[A-Za-z0-9]+\.[A-Za-z0-9]{2,24}\.?$`). IP literals pass; `localhost` does not.
pub fn plausible_name(name: &[u8]) -> bool {
    let name = name.strip_suffix(b".").unwrap_or(name);
    let tld_len = name
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if !(2..=24).contains(&tld_len) {
        return false;
    }
    let before = &name[..name.len() - tld_len];
    let Some(before) = before.strip_suffix(b".") else {
        return false;
    };
    before.last().is_some_and(|b| b.is_ascii_alphanumeric())
}

/// A C string ends at its first NUL.
fn cut_at_nul(b: &[u8]) -> &[u8] {
    b.split(|&c| c == 0).next().unwrap_or_default()
}

/// Application data from an established session: content type 23, version 3.0–3.3.
pub fn is_application_data(seg: &[u8]) -> bool {
    matches!(seg, [0x17, 0x03, 0..=3, ..])
}

/// A Certificate handshake record (HandshakeType 11) at the start of a segment.
pub fn is_certificate_record(seg: &[u8]) -> bool {
    seg.first() == Some(&0x16) && seg.get(5) == Some(&0x0b)
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let x = b.get(at..at + 2)?;
    Some(u16::from_be_bytes([x[0], x[1]]))
}

#[cfg(test)]
mod tests;
