//! Tstat's log files: one folder per run, one file per enabled log, each starting with its
//! header line, rows in Tstat's column order and number formats.

use std::io;
use std::path::{Path, PathBuf};

use crate::config::runtime::{tcplog, LogKind, Runtime};
use crate::engine::flow::Dir;
use crate::engine::tcp::{OptionsSet, TcpFlow, TcpHalf};
use crate::engine::udp::{UdpFlow, UdpHalf};

use super::chatlog;
use super::columns;
use super::dnslog;
use super::file::{Compression, Finished, LogFile};
use super::header_only;
use super::httplog;
use super::mmlog;
use super::text::Line;
use super::RecordSink;
use super::{ChatMessage, ChatRecord, DnsPacket, HttpPacket, Streams, TcpNames, UdpNames};

/// Logs this build writes.
pub const IMPLEMENTED: &[LogKind] = &[
    LogKind::TcpComplete,
    LogKind::TcpNocomplete,
    LogKind::UdpComplete,
    #[cfg(feature = "dns-log")]
    LogKind::DnsComplete,
    #[cfg(feature = "http-log")]
    LogKind::HttpComplete,
    #[cfg(feature = "dpi")]
    LogKind::MmComplete,
    #[cfg(feature = "dpi")]
    LogKind::ChatComplete,
    #[cfg(feature = "dpi")]
    LogKind::ChatMessages,
];

/// Where rows go: a log file, or (in a worker thread) a buffer of rows on their way to one.
pub trait RowTarget {
    /// Append one row (a whole line); false when it could not be written.
    fn write_row(&mut self, bytes: &[u8]) -> bool;
}

impl RowTarget for LogFile {
    fn write_row(&mut self, bytes: &[u8]) -> bool {
        LogFile::write_line(self, bytes, 1)
    }
}

impl RowTarget for Vec<u8> {
    fn write_row(&mut self, bytes: &[u8]) -> bool {
        self.extend_from_slice(bytes);
        true
    }
}

/// The logs with rows, each at a fixed index of [`TstatLogs`]'s slots.
const SLOT_KINDS: [LogKind; SLOTS] = [
    LogKind::TcpComplete,
    LogKind::TcpNocomplete,
    LogKind::UdpComplete,
    LogKind::DnsComplete,
    LogKind::HttpComplete,
    LogKind::MmComplete,
    LogKind::ChatComplete,
    LogKind::ChatMessages,
];
pub const SLOTS: usize = 8;
const TCP_COMPLETE: usize = 0;
const TCP_NOCOMPLETE: usize = 1;
const UDP_COMPLETE: usize = 2;
const DNS_COMPLETE: usize = 3;
const HTTP_COMPLETE: usize = 4;
const MM_COMPLETE: usize = 5;
const CHAT_COMPLETE: usize = 6;
const CHAT_MESSAGES: usize = 7;

/// The rows one worker formatted, per log slot, on their way to the files.
#[derive(Default)]
pub struct RowChunks {
    pub bufs: [Vec<u8>; SLOTS],
    pub rows: u64,
}

/// The row-writing logs of one output folder: files ([`TstatLogs::create`]) or, in a worker
/// thread, row buffers ([`TstatLogs::buffers`]) that the files take in later.
pub struct TstatLogs<W: RowTarget = LogFile> {
    dir: PathBuf,
    /// Indexed by the position of the log in `SLOT_KINDS`; `None` when the log is off.
    slots: [Option<W>; SLOTS],
    line: Line,
    /// tcplog level: which sets log_tcp_complete rows carry.
    level: u32,
    pub rows: u64,
}

/// Whether this build computes rows for the log in `slot` and runtime.conf enables it.
fn slot_enabled(runtime: &Runtime, slot: usize) -> bool {
    let kind = SLOT_KINDS[slot];
    IMPLEMENTED.contains(&kind) && runtime.log_enabled(kind)
}

fn slot_header(runtime: &Runtime, slot: usize) -> String {
    let level = runtime.tcplog_level;
    match slot {
        TCP_COMPLETE => columns::header(Some(level), &columns::tcp_complete_groups(level)),
        TCP_NOCOMPLETE => columns::header(Some(level), &[columns::TCP_CORE]),
        UDP_COMPLETE => columns::header(None, &[columns::UDP]),
        _ => header_only::header_text(SLOT_KINDS[slot], runtime).unwrap_or_default(),
    }
}

impl TstatLogs<LogFile> {
    /// Create the enabled, implemented log files in `dir`, each with its header, stored as
    /// `compression` says.
    pub fn create(
        dir: &Path,
        runtime: &Runtime,
        compression: Compression,
    ) -> io::Result<TstatLogs> {
        header_only::create(dir, runtime, compression)?;
        let mut slots: [Option<LogFile>; SLOTS] = Default::default();
        for (i, slot) in slots.iter_mut().enumerate() {
            if slot_enabled(runtime, i) {
                let mut w = LogFile::create(dir, SLOT_KINDS[i].file_name(), compression)?;
                w.write_line(slot_header(runtime, i).as_bytes(), 0);
                // The header on disk at once: a disk that fills up later still leaves every
                // log with its header, not an empty file.
                w.flush()?;
                *slot = Some(w);
            }
        }
        Ok(TstatLogs {
            dir: dir.to_path_buf(),
            slots,
            line: Line::with_capacity(1024),
            level: runtime.tcplog_level,
            rows: 0,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Append the rows a worker formatted, log by log.
    pub fn append(&mut self, chunks: &RowChunks) {
        for (slot, buf) in self.slots.iter_mut().zip(&chunks.bufs) {
            if let (Some(w), false) = (slot.as_mut(), buf.is_empty()) {
                // Every row is one line (a header is never in a chunk).
                let rows = buf.iter().filter(|&&b| b == b'\n').count() as u64;
                if w.write_line(buf, rows) {
                    self.rows += rows;
                }
            }
        }
    }

    /// Logs that write nothing and count every row as lost: what the rows go to while no
    /// folder can be written (a full disk).
    pub fn discarding(runtime: &Runtime) -> TstatLogs {
        let mut slots: [Option<LogFile>; SLOTS] = Default::default();
        for (i, slot) in slots.iter_mut().enumerate() {
            if slot_enabled(runtime, i) {
                *slot = Some(LogFile::discarding());
            }
        }
        TstatLogs {
            dir: PathBuf::new(),
            slots,
            line: Line::with_capacity(1024),
            level: runtime.tcplog_level,
            rows: 0,
        }
    }

    /// Rows in the files, as far as the writes so far tell (a write error takes back the
    /// rows after a log's last durable point).
    pub fn rows_written(&self) -> u64 {
        self.slots.iter().flatten().map(LogFile::rows).sum()
    }

    /// Rows that could not be written (LogFile's accounting), over every log.
    pub fn lost(&self) -> u64 {
        self.slots.iter().flatten().map(LogFile::lost).sum()
    }

    /// Whether a log met a write error.
    pub fn failed(&self) -> bool {
        self.slots.iter().flatten().any(|w| w.error().is_some())
    }

    /// The first write error of a log, named with its file.
    pub fn write_error(&self) -> Option<String> {
        self.slots.iter().flatten().find_map(|w| {
            let name = w.path().file_name().unwrap_or_default().to_string_lossy();
            w.error().map(|e| format!("{name}: {e}"))
        })
    }

    /// Push every file's buffered rows to disk; the first error met while writing is
    /// returned (a gzip file stays open until [`TstatLogs::finish`]).
    pub fn flush(&mut self) -> io::Result<()> {
        let mut first = Ok(());
        for w in self.slots.iter_mut().flatten() {
            if let Err(e) = w.flush() {
                if first.is_ok() {
                    first = Err(e);
                }
            }
        }
        first
    }

    /// Complete and close every file (gzip trailers, last zstd frames). Every file is
    /// finished even after an error; the first error is returned. (A `TstatLogs` dropped
    /// without it still completes each file: [`LogFile`]'s own `Drop` does.)
    /// Also gives the rows written and lost in this folder's logs, finishing included.
    pub fn finish(mut self) -> Finished {
        let mut all = Finished {
            rows: 0,
            lost: 0,
            result: Ok(()),
        };
        for slot in self.slots.iter_mut() {
            if let Some(w) = slot.take() {
                let one = w.finish();
                all.rows += one.rows;
                all.lost += one.lost;
                if all.result.is_ok() {
                    all.result = one.result;
                }
            }
        }
        all
    }
}

impl TstatLogs<Vec<u8>> {
    /// Row buffers for the logs `runtime` enables (no header: the files have it).
    pub fn buffers(runtime: &Runtime) -> TstatLogs<Vec<u8>> {
        let mut slots: [Option<Vec<u8>>; SLOTS] = Default::default();
        for (i, slot) in slots.iter_mut().enumerate() {
            if slot_enabled(runtime, i) {
                *slot = Some(Vec::with_capacity(64 * 1024));
            }
        }
        TstatLogs {
            dir: PathBuf::new(),
            slots,
            line: Line::with_capacity(1024),
            level: runtime.tcplog_level,
            rows: 0,
        }
    }

    /// Hand the rows gathered so far to `chunks` (whose old buffers, emptied, are kept for
    /// the next rows: nothing is allocated once both are warm).
    pub fn move_rows_into(&mut self, chunks: &mut RowChunks) {
        for (slot, buf) in self.slots.iter_mut().zip(chunks.bufs.iter_mut()) {
            buf.clear();
            if let Some(mine) = slot.as_mut() {
                std::mem::swap(mine, buf);
            }
        }
        chunks.rows = std::mem::take(&mut self.rows);
    }
}

impl<W: RowTarget> TstatLogs<W> {
    /// Anonymise the rows as `privacy` says (`-Y`; `None`: real addresses).
    #[cfg(feature = "anon")]
    pub fn set_privacy(&mut self, privacy: Option<std::sync::Arc<crate::anon::Privacy>>) {
        self.line.set_privacy(privacy);
    }

    #[cfg(feature = "anon")]
    pub fn privacy(&self) -> Option<std::sync::Arc<crate::anon::Privacy>> {
        self.line.privacy().cloned()
    }

    fn write_line(&mut self, slot: usize) {
        if let Some(w) = self.slots[slot].as_mut() {
            if w.write_row(&self.line.buf) {
                self.rows += 1;
            }
        }
    }

    /// Write every row `fill` makes into `slot`'s log (a message or flow with several rows).
    fn write_rows(&mut self, slot: usize, fill: impl FnOnce(&mut Line, &mut dyn FnMut(&Line))) {
        let Some(w) = self.slots[slot].as_mut() else {
            return;
        };
        let rows = &mut self.rows;
        fill(&mut self.line, &mut |line: &Line| {
            if w.write_row(&line.buf) {
                *rows += 1;
            }
        });
    }

    fn enabled(&self, slot: usize) -> bool {
        self.slots[slot].is_some()
    }
}

impl<W: RowTarget> RecordSink for TstatLogs<W> {
    fn tcp(&mut self, flow: &TcpFlow, complete: bool) {
        self.tcp_named(flow, complete, &TcpNames::default());
    }

    fn udp(&mut self, flow: &UdpFlow) {
        self.udp_named(flow, &UdpNames::default());
    }

    fn tcp_named(&mut self, flow: &TcpFlow, complete: bool, names: &TcpNames<'_>) {
        let slot = if complete {
            TCP_COMPLETE
        } else {
            TCP_NOCOMPLETE
        };
        if !self.enabled(slot) {
            return;
        }
        self.line.clear();
        tcp_core(&mut self.line, flow);
        // Only complete connections carry the sets (Tstat's choice).
        if complete {
            tcp_sets(&mut self.line, flow, self.level, names);
        }
        self.line.end();
        self.write_line(slot);
    }

    fn udp_named(&mut self, flow: &UdpFlow, names: &UdpNames<'_>) {
        if !self.enabled(UDP_COMPLETE) {
            return;
        }
        self.line.clear();
        udp_row(&mut self.line, flow, names);
        self.line.end();
        self.write_line(UDP_COMPLETE);
    }

    fn dns(&mut self, packet: &DnsPacket<'_>) {
        self.write_rows(DNS_COMPLETE, |line, out| {
            dnslog::rows(line, packet, |l| out(l))
        });
    }

    fn http(&mut self, packet: &HttpPacket<'_>) {
        if self.enabled(HTTP_COMPLETE) {
            httplog::row(&mut self.line, packet);
            self.write_line(HTTP_COMPLETE);
        }
    }

    fn chat(&mut self, flow: &TcpFlow, chat: &ChatRecord) {
        if self.enabled(CHAT_COMPLETE) && chatlog::complete_row(&mut self.line, flow, chat) {
            self.write_line(CHAT_COMPLETE);
        }
    }

    fn chat_message(&mut self, message: &ChatMessage) {
        if self.enabled(CHAT_MESSAGES) {
            chatlog::message_row(&mut self.line, message);
            self.write_line(CHAT_MESSAGES);
        }
    }

    fn mm(&mut self, flow: &UdpFlow, streams: &Streams<'_>) {
        self.write_rows(MM_COMPLETE, |line, out| {
            mmlog::rows(line, flow, streams, |l| out(l))
        });
    }
}

fn tcp_half(l: &mut Line, h: &TcpHalf) {
    l.uint(h.pkts_all);
    l.uint(h.rst);
    l.uint(h.acks);
    l.uint(h.pure_acks);
    l.uint(h.bytes_uniq);
    l.uint(h.pkts_data);
    l.uint(h.bytes_all);
    l.uint(h.pkts_retx);
    l.uint(h.bytes_retx);
    l.uint(h.pkts_ooo);
    l.uint(h.syn);
    l.uint(h.fin);
}

/// Columns 1-44.
pub fn tcp_core(l: &mut Line, f: &TcpFlow) {
    let client_crypto = l.endpoint(&f.client.addr);
    l.uint(f.client.port as u64);
    tcp_half(l, &f.c2s);
    let server_crypto = l.endpoint(&f.server.addr);
    l.uint(f.server.port as u64);
    tcp_half(l, &f.s2c);
    l.float6(f.first.as_log_millis());
    l.float6(f.last.as_log_millis());
    l.float6(f.last.millis_since(f.first));
    l.float6(f.rel_ms(f.c2s.first_payload));
    l.float6(f.rel_ms(f.s2c.first_payload));
    l.float6(f.rel_ms(f.c2s.last_payload));
    l.float6(f.rel_ms(f.s2c.last_payload));
    l.float6(f.rel_ms(f.c2s.first_ack));
    l.float6(f.rel_ms(f.s2c.first_ack));
    l.flag(f.client_internal);
    l.flag(f.server_internal);
    l.flag(client_crypto);
    l.flag(server_crypto);
    l.uint(f.classes.con_type as u64);
    l.uint(f.classes.p2p_protocol() as u64);
    l.uint(f.classes.http_type() as u64);
}

/// The sets enabled in `level`, in Tstat's order.
pub fn tcp_sets(l: &mut Line, f: &TcpFlow, level: u32, names: &TcpNames<'_>) {
    if level & tcplog::END_TO_END != 0 {
        end_to_end(l, &f.c2s);
        end_to_end(l, &f.s2c);
    }
    if level & tcplog::P2P != 0 {
        p2p(l, f);
    }
    if level & tcplog::OPTIONS != 0 {
        options(l, &f.c2s);
        options(l, &f.s2c);
    }
    if level & tcplog::LAYER7 != 0 {
        layer7(l, f, names);
    }
    // tcplog_advanced: Tstat 3.2.1 prints nothing for it (all its columns are compiled out).
}

/// Columns 45-51 (client) or 52-58 (server): RTT in ms, TTL.
fn end_to_end(l: &mut Line, h: &TcpHalf) {
    l.float6(h.rtt.mean() / 1000.0);
    l.float6(h.rtt.min as f64 / 1000.0);
    l.float6(h.rtt.max as f64 / 1000.0);
    l.float6(h.rtt.stdev() / 1000.0);
    l.uint(h.rtt.count as u64);
    l.uint(h.ttl_min as u64);
    l.uint(h.ttl_max as u64);
}

fn p2p(l: &mut Line, f: &TcpFlow) {
    let c = &f.classes;
    l.uint(c.p2p_subtype() as u64);
    l.uint(c.ed2k.data as u64);
    l.uint(c.ed2k.signalling as u64);
    l.uint(c.ed2k.client_to_server as u64);
    l.uint(c.ed2k.client_to_client as u64);
    l.uint(c.ed2k.chat as u64);
}

/// One direction of the Options set (65-87 client, 88-110 server).
fn options(l: &mut Line, h: &TcpHalf) {
    let o: &OptionsSet = &h.opts;
    l.flag(o.window_scale_seen);
    l.flag(o.timestamp_seen);
    l.uint(o.window_scale as u64);
    l.flag(o.sack_permitted);
    l.uint(o.sacks as u64);
    l.int(o.mss as i64);
    l.uint(o.seg_max as u64);
    l.uint(o.seg_min as u64);
    l.uint(o.win_max as u64);
    l.uint(o.win_min as u64);
    l.uint(o.win_zero as u64);
    l.uint(o.in_flight_max as u64);
    l.uint(o.in_flight_min as u64);
    l.uint(o.initial_window as u64);
    let a = &h.anomalies;
    for n in [
        a.rto,
        a.fast_retransmit,
        a.reordering,
        a.network_duplicate,
        a.unknown,
        a.flow_control,
        a.unneeded_rto,
        a.unneeded_fast_retransmit,
    ] {
        l.uint(n as u64);
    }
    l.flag(o.inconsistent_syn);
}

/// Columns 111-134. Without a classifier match Tstat prints fixed placeholders: `---` for the
/// HTTP response, `-` for names, `0.000000` for TLS times, `0.0` for the DNS times.
fn layer7(l: &mut Line, f: &TcpFlow, names: &TcpNames<'_>) {
    let c = &f.classes;
    let tls = names.tls;
    l.uint(f.http.requests as u64);
    l.uint(f.http.responses as u64);
    bytes_or(l, c.is_http().then_some(c.http_response.as_slice()), "---");
    l.uint(f.c2s.messages as u64);
    l.uint(f.s2c.messages as u64);
    name_or_dash(l, tls.map(|t| t.sni.as_slice()).filter(|s| !s.is_empty()));
    name_or_dash(l, tls.map(|t| t.scn.as_slice()).filter(|s| !s.is_empty()));
    l.uint(c.client_npnalpn as u64);
    l.uint(c.server_npnalpn as u64);
    l.uint(c.tls_session as u64);
    tls_times(l, f, tls);
    // fqdn, dns_rslv, req_tm, res_tm: DN-Hunter's answer, or Tstat's placeholders.
    // dns_enc: the resolver's address is anonymised.
    let resolver_crypto = match names.dns {
        Some(d) => {
            l.name(d.name);
            let crypto = l.endpoint(&d.resolver);
            l.float6(d.request.as_log_millis());
            l.float6(d.response.as_log_millis());
            crypto
        }
        None => {
            l.text("-");
            l.text("-");
            l.text("0.0");
            l.text("0.0");
            false
        }
    };
    name_or_dash(l, f.http.hostname());
    let client_version = tls.and_then(|t| t.client_version.as_ref());
    bytes_or(l, client_version.map(|v| v.as_bytes()), "-");
    let server_version = tls.and_then(|t| t.server_version.as_ref());
    bytes_or(l, server_version.map(|v| v.as_bytes()), "-");
    l.flag(resolver_crypto);
}

/// A host name (encrypted with `--enc`), or `-` when there is none.
fn name_or_dash(l: &mut Line, name: Option<&[u8]>) {
    match name {
        Some(n) => l.name(n),
        None => l.text("-"),
    }
}

/// A text field, or `none` when there is no text.
fn bytes_or(l: &mut Line, text: Option<&[u8]>, none: &str) {
    match text {
        Some(t) => l.field().extend_from_slice(t),
        None => l.text(none),
    }
}

/// c/s_last_handshakeT (only for TLS connections), c/s_appdataT, c/s_appdataB.
fn tls_times(l: &mut Line, f: &TcpFlow, tls: Option<&crate::dpi::tcp::TlsRecord>) {
    // Tstat's elapsed() is 0 for a time before the first packet (or never set).
    let ms = |t: Option<crate::time::Timestamp>| f.rel_ms(t).max(0.0);
    let tls_flow = f.classes.is_tls();
    let handshake = |t: Option<crate::time::Timestamp>| if tls_flow { ms(t) } else { 0.0 };
    l.float6(handshake(tls.and_then(|t| t.client_before_data)));
    l.float6(handshake(tls.and_then(|t| t.server_before_data)));
    let (client, server) = (
        tls.and_then(|t| t.client_data),
        tls.and_then(|t| t.server_data),
    );
    l.float6(ms(client.map(|d| d.0)));
    l.float6(ms(server.map(|d| d.0)));
    l.uint(client.map_or(0, |d| d.1));
    l.uint(server.map_or(0, |d| d.1));
}

fn udp_half(l: &mut Line, h: &UdpHalf, internal: bool, crypto: bool, udp_type: u8) {
    if h.packets == 0 {
        l.float6(0.0);
        l.float6(0.0);
    } else {
        l.float6(h.first.as_log_millis());
        l.float6(h.last.millis_since(h.first) / 1000.0);
    }
    l.uint(h.bytes);
    l.uint(h.packets);
    l.flag(internal);
    l.flag(crypto);
    l.uint(udp_type as u64);
}

/// Columns 1-23.
pub fn udp_row(l: &mut Line, f: &UdpFlow, names: &UdpNames<'_>) {
    let crypto = l.endpoint(&f.client.addr);
    l.uint(f.client.port as u64);
    udp_half(
        l,
        &f.c2s,
        f.client_internal,
        crypto,
        f.printed_type(Dir::C2S),
    );
    let crypto = l.endpoint(&f.server.addr);
    l.uint(f.server.port as u64);
    udp_half(
        l,
        &f.s2c,
        f.server_internal,
        crypto,
        f.printed_type(Dir::S2C),
    );
    for text in [names.dns.map(|d| d.name), names.quic_sni, names.quic_ua] {
        name_or_dash(l, text);
    }
    l.flag(f.class.quic_tags.chlo);
    l.flag(f.class.quic_tags.rej);
}
