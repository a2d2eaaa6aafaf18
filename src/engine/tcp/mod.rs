//! TCP connection tracking with Tstat's semantics (RFC 9293 for the protocol itself).
//!
//! * A connection starts at a SYN without ACK; a packet of an unknown pair that is not such a
//!   SYN is "trash": counted and dropped. The SYN's sender is the client.
//! * A packet repeating the previous one of its direction (same IPv4 id, TCP checksum and
//!   length, less than `Min_Delta_T_TCP_Dup_Pkt` later) is a network duplicate: not counted.
//! * It ends, and is written at once, when both FINs have been acknowledged (complete), at the
//!   first RST, or when the client sends data before the server has answered the SYN
//!   (half-duplex: nocomplete). Otherwise it times out after `TCP_Idle_Time`, or after
//!   `TCP_Singleton_Time` while only SYNs from one side were seen, or at the end of the trace.
//! * A RST or a timeout writes a complete record when both sides sent a SYN; a connection
//!   still active at the end of the trace is always nocomplete.

pub mod notes;
pub mod options;
pub mod rtt;
pub mod segments;

use std::net::IpAddr;

use smoltcp::wire::TcpPacket;

use crate::decode::IpPacket;
use crate::dpi::http::{self, HttpFlow, HttpLog};
use crate::dpi::tcp::{self as dpi, Records, TcpDpiConfig, TlsPool};
use crate::time::Timestamp;

use super::flow::{Dir, Endpoint, FlowKey};
use super::table::{self, FlowTable};
use crate::dpi::tcp::classification::Classification;
use notes::{FlowStat, TcpNotes};
use rtt::RttStats;
use segments::{Anomalies, Context, PacketClasses, SegmentBook, SegmentPool, Tally};

/// Expiry queues.
const SINGLETON: usize = 0;
const ESTABLISHED: usize = 1;

/// One direction of a connection: what its sender sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct TcpHalf {
    pub pkts_all: u64,
    pub rst: u64,
    pub acks: u64,
    pub pure_acks: u64,
    pub bytes_uniq: u64,
    pub pkts_data: u64,
    pub bytes_all: u64,
    pub pkts_retx: u64,
    pub bytes_retx: u64,
    pub pkts_ooo: u64,
    pub syn: u64,
    pub fin: u64,
    /// First and last segment carrying payload.
    pub first_payload: Option<Timestamp>,
    pub last_payload: Option<Timestamp>,
    /// First segment with ACK set and SYN clear.
    pub first_ack: Option<Timestamp>,
    /// Round-trip times of this direction's segments, measured at the peer's ACKs.
    pub rtt: RttStats,
    /// IPv4 TTL or IPv6 hop limit; 0 = none seen (a TTL of 0 never sets the minimum).
    pub ttl_min: u8,
    pub ttl_max: u8,
    pub opts: OptionsSet,
    pub anomalies: Anomalies,
    /// PSH- or FIN-delimited messages (`c_pkts_push`), and the sizes of the first two.
    pub messages: u32,
    pub message_sizes: [u32; 2],
    /// Highest `seq + payload` seen, not wrapped (Tstat's `max_seq`, for c_appdataB).
    pub max_seq: u64,
    /// Sequence ranges sent, in the tracker's segment pool.
    book: SegmentBook,
    /// Sequence number just past our FIN, and whether the peer acknowledged it.
    fin_seq: u32,
    fin_acked: bool,
    /// Sequence number of the last SYN, and end of the last FIN (64-bit as in Tstat).
    syn_seq: u32,
    fin_end: u64,
    /// End of the last segment that was not a retransmission.
    next_seq: u32,
    /// Last acknowledgement number sent; a SYN from the peer sets it to the peer's ISN.
    last_ack: u32,
    /// Window of the last ACK or SYN (scaled).
    window: u32,
    /// Sum of the windows of the ACK or SYN segments without RST (u32, wraps as in Tstat):
    /// the histograms' average window.
    pub win_sum: u32,
    /// Data, SYN, FIN or RST was sent since the peer's last in-flight sample (Tstat's
    /// `cwnd_flag`).
    cwnd_flag: bool,
    /// The peer acknowledged something beyond our SYN.
    data_acked: bool,
    /// `next_seq` when the last message ended.
    message_end: u32,
    /// Time of the last non-duplicate packet, and the fields the duplicate test compares.
    last_time: Timestamp,
    prev_ident: u16,
    prev_ip_len: usize,
    prev_checksum: u16,
}

/// The TCP Options set of one direction, in Tstat's units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OptionsSet {
    /// A window-scale / timestamp / SACK-permitted / Multipath TCP option was seen.
    pub window_scale_seen: bool,
    pub mptcp: bool,
    pub timestamp_seen: bool,
    pub sack_permitted: bool,
    /// Shift of the last window-scale option; reset to 0 once data flows unless both sides
    /// sent one.
    pub window_scale: u8,
    /// Segments with SACK blocks.
    pub sacks: u32,
    /// MSS option of the last segment carrying one, read as a signed 16-bit number the way
    /// Tstat stores it: 65495 (loopback) is -41, and 65535 reads as -1, "no option".
    pub mss: i16,
    /// Largest and smallest payload (0: no payload).
    pub seg_max: u32,
    pub seg_min: u32,
    /// Largest and smallest non-zero window announced, scaled; count of zero windows.
    pub win_max: u32,
    pub win_min: u32,
    pub win_zero: u32,
    /// Largest and smallest bytes in flight, and payload sent before the first ACK of data.
    pub in_flight_max: u32,
    pub in_flight_min: u32,
    pub initial_window: u32,
    /// A repeated SYN (or FIN) carried a different sequence number.
    pub inconsistent_syn: bool,
}

/// A TCP connection as the logs report it.
#[derive(Debug, Clone, Default)]
pub struct TcpFlow {
    /// The DN-Hunter entry found when the connection was created.
    pub dns: Option<crate::dpi::dnshunter::DnsTag>,
    pub client: Endpoint,
    pub server: Endpoint,
    pub client_internal: bool,
    pub server_internal: bool,
    pub first: Timestamp,
    pub last: Timestamp,
    pub c2s: TcpHalf,
    pub s2c: TcpHalf,
    /// Filled by the payload classifiers (none yet).
    pub classes: Classification,
    /// The HTTP plugin's per-connection state (counters, http_hostname).
    pub http: HttpFlow,
    pub serial: u64,
    /// Opened by a packet Tstat would not see (inside an encapsulation it skips): logged,
    /// but not reported to the observers.
    pub unseen: bool,
}

impl TcpFlow {
    pub fn half(&self, dir: Dir) -> &TcpHalf {
        match dir {
            Dir::C2S => &self.c2s,
            Dir::S2C => &self.s2c,
        }
    }

    fn half_mut(&mut self, dir: Dir) -> &mut TcpHalf {
        match dir {
            Dir::C2S => &mut self.c2s,
            Dir::S2C => &mut self.s2c,
        }
    }

    /// Both sides sent a SYN.
    pub fn handshake_seen(&self) -> bool {
        self.c2s.syn > 0 && self.s2c.syn > 0
    }

    /// Only SYNs, and only from one side: such a connection times out sooner.
    fn singleton(&self) -> bool {
        (self.c2s.syn > 0) != (self.s2c.syn > 0)
            && self.c2s.pkts_all + self.s2c.pkts_all == self.c2s.syn + self.s2c.syn
    }

    /// Milliseconds from the connection's first packet to `t`, 0 when `t` never happened.
    pub fn rel_ms(&self, t: Option<Timestamp>) -> f64 {
        t.map_or(0.0, |t| t.millis_since(self.first))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct TcpConfig {
    pub capacity: usize,
    pub idle_ns: i64,
    pub singleton_ns: i64,
    pub dup_window_ns: i64,
    /// Segments the shared segment pool holds, and per sequence-space quadrant (0: no limit).
    pub segments: usize,
    pub segments_per_quadrant: u64,
    /// Payload classifiers (`None`: not run, as in builds without the `dpi` feature), and
    /// how many connections can hold TLS texts at once.
    pub dpi: Option<TcpDpiConfig>,
    pub tls_slots: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpCounters {
    /// Segments with a whole TCP header.
    pub packets: u64,
    /// Segments of no known connection that could not open one.
    pub trash: u64,
    pub truncated: u64,
    pub flows: u64,
    /// New connections refused because the table was full.
    pub table_full: u64,
    pub duplicates: u64,
}

/// What a tracker asks of its caller after a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Done,
    /// The packet opens a flow: expire idle flows, then hand the packet in again.
    ExpireFirst,
}

pub struct TcpTracker {
    cfg: TcpConfig,
    table: FlowTable<FlowKey, TcpFlow>,
    pub segments: SegmentPool,
    /// TLS texts and times of the connections that have them.
    pub tls: TlsPool,
    pub counters: TcpCounters,
    serial: u64,
    /// The connection the last packet created, if it did.
    pub last_created: Option<u32>,
    /// The HTTP plugin; the engine takes the row the last packet produced from it.
    pub http: HttpLog,
    /// What the last segment's analysis noted for the observers.
    pub notes: TcpNotes,
}

/// The fields of a TCP header the tracker uses.
struct Segment {
    src: Endpoint,
    dst: Endpoint,
    seq: u32,
    ack_number: u32,
    checksum: u16,
    window: u16,
    syn: bool,
    ack: bool,
    fin: bool,
    rst: bool,
    psh: bool,
    /// Payload length from the IP header (the snaplen does not matter).
    payload_len: u64,
    options: options::TcpOptions,
    /// TCP header length: the payload starts there.
    header_len: usize,
    /// What Tstat compares as "IP id": IPv4's identification, IPv6's payload length (the
    /// field at the same offset).
    ip_id: u16,
}

fn parse_segment(ip: &IpPacket<'_>) -> Option<Segment> {
    if ip.payload.len() < 20 {
        return None;
    }
    let tcp = TcpPacket::new_unchecked(ip.payload);
    let header_len = tcp.header_len() as usize;
    Some(Segment {
        src: Endpoint {
            addr: ip.src,
            port: tcp.src_port(),
        },
        dst: Endpoint {
            addr: ip.dst,
            port: tcp.dst_port(),
        },
        seq: tcp.seq_number().0 as u32,
        ack_number: tcp.ack_number().0 as u32,
        checksum: tcp.checksum(),
        window: tcp.window_len(),
        syn: tcp.syn(),
        ack: tcp.ack(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        psh: tcp.psh(),
        payload_len: ip.payload_len.saturating_sub(header_len) as u64,
        options: options::parse(ip.payload, header_len),
        header_len,
        ip_id: if ip.is_ipv6() {
            ip.total_len.saturating_sub(40) as u16
        } else {
            ip.ident
        },
    })
}

impl TcpTracker {
    pub fn flow_mut(&mut self, slot: u32) -> &mut TcpFlow {
        self.table.get_mut(slot)
    }

    pub fn new(cfg: TcpConfig) -> TcpTracker {
        TcpTracker {
            cfg,
            table: FlowTable::with_capacity(cfg.capacity),
            segments: SegmentPool::new(cfg.segments, cfg.segments_per_quadrant),
            tls: TlsPool::with_capacity(if cfg.dpi.is_some() { cfg.tls_slots } else { 0 }),
            counters: TcpCounters::default(),
            serial: 0,
            last_created: None,
            http: HttpLog::default(),
            notes: TcpNotes::default(),
        }
    }

    /// The log_chat_messages row of the last packet, if it carried a counted message.
    pub fn take_chat_message(&mut self) -> Option<dpi::chat::ChatMessage> {
        self.tls.chat_message.take()
    }

    pub fn open_flows(&self) -> usize {
        self.table.len()
    }

    /// Account one segment. When it would open a new connection and `expired` is false,
    /// nothing is done and [`Step::ExpireFirst`] asks the caller to close idle flows (as Tstat
    /// does before every new flow) and call again with `expired` set.
    ///
    /// `opened_after(deadline)` says whether another engine (worker threads) opened a flow
    /// later than `deadline` before this packet: a connection idle past its timeout is then
    /// written out and forgotten first, as a lone engine would have done at that opening.
    pub fn packet(
        &mut self,
        ts: Timestamp,
        ip: &IpPacket<'_>,
        expired: bool,
        internal: impl Fn(&IpAddr) -> bool,
        opened_after: &dyn Fn(Timestamp) -> bool,
        emit: &mut dyn FnMut(&TcpFlow, bool, Records<'_>),
    ) -> Step {
        self.last_created = None;
        self.notes.start();
        let Some(seg) = parse_segment(ip) else {
            self.counters.truncated += 1;
            self.notes.stat = FlowStat::Short;
            return Step::Done;
        };
        self.notes.src_port = seg.src.port;
        self.notes.dst_port = seg.dst.port;
        self.notes.syn = seg.syn;
        self.notes.ack = seg.ack;
        let key = FlowKey::new(seg.src, seg.dst);
        let hash = key.hash64();
        let found = match self.table.find(&key, hash) {
            Some(slot) if self.closed_elsewhere(slot, ts, opened_after) => {
                let flow = self.table.get(slot);
                emit(flow, flow.handshake_seen(), flow.classes.records(&self.tls));
                self.close(slot);
                None
            }
            found => found,
        };
        let opens = found.is_none() && seg.syn && !seg.ack;
        if opens && !expired {
            return Step::ExpireFirst;
        }
        self.counters.packets += 1;
        let slot = match found {
            Some(s) => s,
            None if opens => {
                self.counters.flows += 1;
                let Some(s) = self.table.insert(key, hash, SINGLETON) else {
                    self.counters.table_full += 1;
                    self.counters.trash += 1;
                    self.notes.opened = Some(false);
                    self.notes.stat = FlowStat::Trash;
                    return Step::Done;
                };
                self.notes.opened = Some(true);
                self.serial += 1;
                let f = self.table.get_mut(s);
                f.client = seg.src;
                f.server = seg.dst;
                f.client_internal = internal(&seg.src.addr);
                f.server_internal = internal(&seg.dst.addr);
                f.first = ts;
                f.serial = self.serial;
                self.last_created = Some(s);
                s
            }
            None => {
                self.counters.trash += 1;
                self.notes.stat = FlowStat::Trash;
                return Step::Done;
            }
        };
        let dup_window = self.cfg.dup_window_ns;
        let flow = self.table.get_mut(slot);
        let dir = if flow.client == seg.src {
            Dir::C2S
        } else {
            Dir::S2C
        };
        flow.last = ts;
        let mut l7 = L7 {
            pool: &mut self.tls,
            cfg: self.cfg.dpi.as_ref(),
        };
        self.notes.c2s = dir == Dir::C2S;
        let outcome = track(
            flow,
            &mut self.segments,
            &mut l7,
            &mut self.notes,
            dir,
            ts,
            ip,
            &seg,
            dup_window,
        );
        if outcome.analysed() {
            let payload = http::tcp_payload(ip.payload);
            let connection = http::Connection {
                client: flow.client,
                server: flow.server,
                dns: flow.dns,
            };
            let client = dir == Dir::C2S;
            self.http
                .packet(&mut flow.http, connection, client, payload, seg.payload_len);
        }
        match outcome {
            Outcome::Open => {
                let queue = if flow.singleton() {
                    SINGLETON
                } else {
                    ESTABLISHED
                };
                self.table.touch(slot, queue);
            }
            Outcome::Duplicate => {
                self.counters.duplicates += 1;
                self.notes.stat = FlowStat::Duplicate;
                let queue = if flow.singleton() {
                    SINGLETON
                } else {
                    ESTABLISHED
                };
                self.table.touch(slot, queue);
            }
            Outcome::Closed { complete, .. } => {
                emit(flow, complete, flow.classes.records(&self.tls));
                self.close(slot);
            }
        }
        Step::Done
    }

    /// Whether the connection in `slot` is idle past its timeout at `ts` and another engine
    /// has opened a flow since late enough to close it ([`table::closed_elsewhere`]).
    fn closed_elsewhere(
        &self,
        slot: u32,
        ts: Timestamp,
        opened_after: &dyn Fn(Timestamp) -> bool,
    ) -> bool {
        let timeout = if self.table.queue_of(slot) == SINGLETON {
            self.cfg.singleton_ns
        } else {
            self.cfg.idle_ns
        };
        table::closed_elsewhere(self.table.get(slot).last, timeout, ts, opened_after)
    }

    /// Close every connection idle past its timeout at `now`.
    pub fn expire(&mut self, now: Timestamp, emit: &mut dyn FnMut(&TcpFlow, bool, Records<'_>)) {
        for (queue, timeout) in [
            (SINGLETON, self.cfg.singleton_ns),
            (ESTABLISHED, self.cfg.idle_ns),
        ] {
            while let Some(slot) = self.table.oldest(queue) {
                let flow = self.table.get(slot);
                if now.0.saturating_sub(flow.last.0) <= timeout {
                    break;
                }
                emit(flow, flow.handshake_seen(), flow.classes.records(&self.tls));
                self.close(slot);
            }
        }
    }

    /// Forget a written connection, giving its segments back to the pool.
    fn close(&mut self, slot: u32) {
        let flow = self.table.get_mut(slot);
        flow.c2s.book.release(&mut self.segments);
        flow.s2c.book.release(&mut self.segments);
        flow.classes.release(&mut self.tls);
        self.table.remove(slot);
    }

    /// End of trace at `now`: connections already timed out are written as a timeout would
    /// (complete when both SYNs were seen); every other one is still active and so
    /// nocomplete. Both in creation order.
    pub fn flush(&mut self, now: Timestamp, emit: &mut dyn FnMut(&TcpFlow, bool, Records<'_>)) {
        let mut slots: Vec<u32> = self.table.live_slots().collect();
        let serial = |s: u32| self.table.get(s).serial;
        crate::sort::positions(&mut slots, &|a, b| serial(a).cmp(&serial(b)));
        let timed_out = |t: &TcpTracker, s: u32| {
            let flow = t.table.get(s);
            let timeout = if flow.singleton() {
                t.cfg.singleton_ns
            } else {
                t.cfg.idle_ns
            };
            now.0.saturating_sub(flow.last.0) > timeout
        };
        for &s in &slots {
            if timed_out(self, s) {
                let flow = self.table.get(s);
                emit(flow, flow.handshake_seen(), flow.classes.records(&self.tls));
                self.close(s);
            }
        }
        for s in slots {
            if self.table.key(s).is_some() {
                let flow = self.table.get(s);
                emit(flow, false, flow.classes.records(&self.tls));
                self.close(s);
            }
        }
    }
}

enum Outcome {
    Open,
    Duplicate,
    /// `analysed`: the packet reached protocol analysis before the connection closed.
    Closed {
        complete: bool,
        analysed: bool,
    },
}

impl Outcome {
    /// The payload plugins see this packet: not a duplicate, not the half-duplex give-up.
    fn analysed(&self) -> bool {
        match self {
            Outcome::Open => true,
            Outcome::Duplicate => false,
            Outcome::Closed { analysed, .. } => *analysed,
        }
    }
}

/// The payload classifiers' share of the tracker.
struct L7<'a> {
    pool: &'a mut TlsPool,
    cfg: Option<&'a TcpDpiConfig>,
}

/// Apply one segment to the connection, in Tstat's order of checks.
#[allow(clippy::too_many_arguments)]
fn track(
    flow: &mut TcpFlow,
    pool: &mut SegmentPool,
    l7: &mut L7<'_>,
    notes: &mut TcpNotes,
    dir: Dir,
    ts: Timestamp,
    ip: &IpPacket<'_>,
    seg: &Segment,
    dup_window: i64,
) -> Outcome {
    let h = flow.half_mut(dir);
    let duplicate = !ip.is_ipv6()
        && h.prev_ident == ip.ident
        && h.prev_checksum == seg.checksum
        && h.prev_ip_len == ip.total_len
        && h.pkts_all > 0
        && ts.0 - h.last_time.0 < dup_window;
    h.prev_ident = ip.ident;
    h.prev_checksum = seg.checksum;
    h.prev_ip_len = ip.total_len;
    if duplicate {
        return Outcome::Duplicate;
    }
    if seg.syn {
        h.syn += 1;
    }
    if seg.rst {
        h.rst += 1;
    }
    if seg.fin {
        h.fin += 1;
        h.fin_seq = seg.seq.wrapping_add(seg.payload_len as u32);
    }
    // Client data before any answer from the server: Tstat gives up on the connection.
    if dir == Dir::C2S && !seg.syn && flow.s2c.syn == 0 && seg.payload_len != 0 {
        return Outcome::Closed {
            complete: false,
            analysed: false,
        };
    }
    let (h, other) = match dir {
        Dir::C2S => (&mut flow.c2s, &mut flow.s2c),
        Dir::S2C => (&mut flow.s2c, &mut flow.c2s),
    };
    if seg.ack && other.fin > 0 && seg.ack_number >= other.fin_seq.wrapping_add(1) {
        other.fin_acked = true;
    }
    // In flight from the peer: its last new byte less our last acknowledgement, once per
    // flight of the peer's (Tstat's `tcp_cwnd`).
    if seg.ack && other.cwnd_flag {
        notes.in_flight = Some(other.next_seq.wrapping_sub(h.last_ack));
        other.cwnd_flag = false;
    }
    if seg.payload_len != 0 || seg.syn || seg.fin || seg.rst {
        h.cwnd_flag = true;
    }
    // The window is scaled with what was known before this segment's own options.
    let window = announced_window(h, other, seg);
    h.last_time = ts;
    note_syn_and_fin(h, other, seg);
    note_options(h, other, seg);
    if seg.payload_len > 0 {
        h.pkts_data += 1;
        h.bytes_all += seg.payload_len;
        note_segment_size(&mut h.opts, seg.payload_len as u32);
    }
    note_ttl(h, ip.ttl);
    h.pkts_all += 1;
    h.max_seq = h.max_seq.max(seg.seq as u64 + seg.payload_len);
    let now = micros(ts);
    let verdict = account_sequence(h, other, pool, &mut notes.classes, seg, now);
    if seg.ack {
        other
            .book
            .acknowledge(pool, seg.ack_number, now, &mut other.rtt);
    }
    let retransmitted = verdict.retransmitted > 0;
    if !retransmitted {
        h.next_seq = seg.seq.wrapping_add(seg.payload_len as u32);
    }
    if seg.rst {
        if seg.ack {
            h.acks += 1;
        }
        classify(flow, l7, dir, ts, ip, seg);
        notes.rate = Some((ip_len_short(ip), notes::labels(flow)));
        return Outcome::Closed {
            complete: flow.handshake_seen(),
            analysed: true,
        };
    }
    note_window(h, seg, window);
    if seg.ack {
        h.acks += 1;
        if seg.payload_len == 0 && !seg.syn && !seg.fin {
            h.pure_acks += 1;
        }
        h.last_ack = seg.ack_number;
    }
    note_initial_window(h, other, seg, retransmitted);
    if seg.ack && !seg.syn && h.first_ack.is_none() {
        h.first_ack = Some(ts);
    }
    if seg.payload_len > 0 {
        if h.first_payload.is_none() {
            h.first_payload = Some(ts);
        }
        h.last_payload = Some(ts);
    }
    if !seg.syn && !verdict.out_of_order && !retransmitted {
        note_in_flight(h, other, seg);
    }
    count_message(h, seg);
    classify(flow, l7, dir, ts, ip, seg);
    notes.rate = Some((ip_len_short(ip), notes::labels(flow)));
    if flow.c2s.fin_acked && flow.s2c.fin_acked {
        return Outcome::Closed {
            complete: true,
            analysed: true,
        };
    }
    Outcome::Open
}

/// The TCP plugins (IPP2P, the Layer-7 machine) on a counted segment.
fn classify(
    flow: &mut TcpFlow,
    l7: &mut L7<'_>,
    dir: Dir,
    ts: Timestamp,
    ip: &IpPacket<'_>,
    seg: &Segment,
) {
    let Some(cfg) = l7.cfg else {
        return;
    };
    let captured = ip.payload.get(seg.header_len..).unwrap_or_default();
    let payload = &captured[..captured.len().min(seg.payload_len as usize)];
    let h = flow.half(dir);
    let messages = |h: &TcpHalf| dpi::Messages {
        count: h.messages,
        sizes: h.message_sizes,
    };
    let view = dpi::Segment {
        dir,
        payload,
        payload_len: seg.payload_len as usize,
        ack: seg.ack,
        psh: seg.psh,
        fin: seg.fin,
        now: ts,
        packets: flow.c2s.pkts_all + flow.s2c.pkts_all,
        offset_from_isn: h
            .next_seq
            .wrapping_sub(h.syn_seq)
            .wrapping_sub(seg.payload_len as u32),
        sent_before: h
            .max_seq
            .wrapping_sub(h.syn_seq as u64)
            .wrapping_sub(seg.payload_len),
        seq_from_isn: seg.seq.wrapping_sub(h.syn_seq),
        messages: [messages(&flow.c2s), messages(&flow.s2c)],
    };
    dpi::segment(&mut flow.classes, &view, l7.pool, cfg);
    if let Some(m) = l7.pool.chat_message.as_mut() {
        m.flow_id = flow.serial;
        m.first = flow.first;
    }
}

/// The IP header plus IP payload length in a C `short`, as Tstat passes it to the per-class
/// bitrates (tcp.c: `short ip_len`): above 32767 bytes it wraps negative.
fn ip_len_short(ip: &IpPacket<'_>) -> i16 {
    (ip.header_len + ip.payload_len) as i16
}

/// Tstat's clock: whole microseconds.
fn micros(ts: Timestamp) -> i64 {
    ts.0.div_euclid(1000)
}

/// The receive window a segment announces (RFC 7323 §2.3): scaled by the sender's shift once
/// both sides have sent a window-scale option; 0 for a segment with neither ACK nor SYN.
fn announced_window(h: &TcpHalf, other: &TcpHalf, seg: &Segment) -> u64 {
    if !(seg.ack || seg.syn) {
        return 0;
    }
    let w = seg.window as u64;
    if h.opts.window_scale_seen && other.opts.window_scale_seen {
        // A shift of 64 or more wraps like the x86 shift Tstat compiles to.
        w.wrapping_shl(h.opts.window_scale as u32)
    } else {
        w
    }
}

/// A repeated SYN or FIN with a different sequence number marks the direction; a SYN also
/// tells the peer where our sequence space starts.
fn note_syn_and_fin(h: &mut TcpHalf, other: &mut TcpHalf, seg: &Segment) {
    if seg.syn {
        if h.syn > 1 && h.syn_seq != seg.seq {
            h.opts.inconsistent_syn = true;
        }
        h.syn_seq = seg.seq;
        other.last_ack = seg.seq;
    }
    if seg.fin {
        let end = seg.seq as u64 + seg.payload_len;
        if h.fin > 1 && h.fin_end != end {
            h.opts.inconsistent_syn = true;
        }
        h.fin_end = end;
    }
}

fn note_options(h: &mut TcpHalf, other: &mut TcpHalf, seg: &Segment) {
    let o = &seg.options;
    if let Some(mss) = o.mss.map(|m| m as i16).filter(|&m| m != -1) {
        h.opts.mss = mss;
    }
    if let Some(shift) = o.window_scale {
        h.opts.window_scale = shift;
        h.opts.window_scale_seen = true;
    }
    h.opts.timestamp_seen |= o.timestamp;
    // Scaling is in force only when both SYNs asked for it (RFC 7323 §2.2).
    let both_scale = h.opts.window_scale_seen && other.opts.window_scale_seen;
    if !seg.syn && !both_scale {
        h.opts.window_scale = 0;
        other.opts.window_scale = 0;
    }
    h.opts.sack_permitted |= o.sack_permitted;
    h.opts.mptcp |= o.mptcp;
    if o.sack_blocks {
        h.opts.sacks += 1;
    }
}

fn note_segment_size(o: &mut OptionsSet, len: u32) {
    o.seg_max = o.seg_max.max(len);
    if o.seg_min == 0 || len < o.seg_min {
        o.seg_min = len;
    }
}

fn note_ttl(h: &mut TcpHalf, ttl: u8) {
    if h.ttl_min == 0 || ttl < h.ttl_min {
        h.ttl_min = ttl;
    }
    h.ttl_max = h.ttl_max.max(ttl);
}

/// Window statistics of a segment with ACK or SYN (a RST never gets here).
fn note_window(h: &mut TcpHalf, seg: &Segment, window: u64) {
    if !(seg.ack || seg.syn) {
        return;
    }
    h.window = window as u32;
    h.win_sum = h.win_sum.wrapping_add(window as u32);
    let o = &mut h.opts;
    if window > o.win_max as u64 {
        o.win_max = window as u32;
    }
    if window > 0 && (o.win_min == 0 || window < o.win_min as u64) {
        o.win_min = window as u32;
    }
    if seg.ack && window == 0 {
        o.win_zero += 1;
    }
}

/// Payload sent before the peer acknowledged anything beyond our SYN.
fn note_initial_window(h: &mut TcpHalf, other: &mut TcpHalf, seg: &Segment, retransmitted: bool) {
    if seg.ack && !other.data_acked && other.syn_seq.wrapping_add(1) != seg.ack_number {
        other.data_acked = true;
    }
    if seg.payload_len > 0 && !h.data_acked && !retransmitted {
        h.opts.initial_window = h.opts.initial_window.wrapping_add(seg.payload_len as u32);
    }
}

/// Bytes in flight: from the peer's last ACK to the end of this segment.
fn note_in_flight(h: &mut TcpHalf, other: &TcpHalf, seg: &Segment) {
    let end = seg.seq.wrapping_add(seg.payload_len as u32);
    let in_flight = end.wrapping_sub(other.last_ack);
    if (in_flight as i32) <= 0 {
        return;
    }
    let o = &mut h.opts;
    o.in_flight_max = o.in_flight_max.max(in_flight);
    if o.in_flight_min == 0 || in_flight < o.in_flight_min {
        o.in_flight_min = in_flight;
    }
}

/// A PSH or FIN with ACK ends a message if new data was sent since the last one.
fn count_message(h: &mut TcpHalf, seg: &Segment) {
    if !(seg.ack && (seg.psh || seg.fin)) || h.message_end >= h.next_seq {
        return;
    }
    let size = if h.message_end == 0 {
        h.next_seq.wrapping_sub(h.syn_seq).wrapping_sub(1)
    } else {
        h.next_seq.wrapping_sub(h.message_end)
    };
    if let Some(slot) = h.message_sizes.get_mut(h.messages as usize) {
        *slot = size;
    }
    if size != 0 {
        h.messages += 1;
    }
    h.message_end = h.next_seq;
}

/// Judge the sequence numbers of a segment with SYN, FIN or payload against what this
/// direction sent before: unique, retransmitted and out-of-order counters, and the anomaly
/// classification.
fn account_sequence(
    h: &mut TcpHalf,
    other: &TcpHalf,
    pool: &mut SegmentPool,
    classes: &mut PacketClasses,
    seg: &Segment,
    now: i64,
) -> segments::Verdict {
    if !(seg.syn || seg.fin || seg.payload_len > 0) {
        return segments::Verdict::default();
    }
    // SYN and FIN each occupy one sequence number (RFC 9293 §3.4).
    let mut len = seg.payload_len + seg.syn as u64 + seg.fin as u64;
    let cx = Context::new(
        now,
        seg.ip_id,
        &h.rtt,
        &other.rtt,
        other.window == 0 && h.syn != 0 && other.syn != 0,
    );
    let mut tally = Tally {
        counts: &mut h.anomalies,
        packet: classes,
    };
    let verdict = h.book.record(pool, seg.seq, len as u32, &cx, &mut tally);
    let mut repeated = verdict.retransmitted;
    if seg.syn {
        len -= 1;
        if h.syn > 1 && repeated > 0 {
            repeated -= 1;
        }
    }
    if seg.fin {
        len -= 1;
        if h.fin > 1 && repeated > 0 {
            repeated -= 1;
        }
    }
    if repeated < len {
        h.bytes_uniq += len - repeated;
    }
    if verdict.out_of_order {
        h.pkts_ooo += 1;
    }
    if verdict.retransmitted > 0 {
        h.pkts_retx += 1;
        h.bytes_retx += repeated;
    }
    verdict
}
