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

use std::net::IpAddr;

use smoltcp::wire::TcpPacket;

use crate::decode::IpPacket;
use crate::time::Timestamp;

use super::flow::{Dir, Endpoint, FlowKey};
use super::seqspace::SeqSpace;
use super::table::FlowTable;

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
    pub ttl_min: u8,
    pub ttl_max: u8,
    pub seq: SeqSpace,
    /// Sequence number just past our FIN, and whether the peer acknowledged it.
    fin_seq: u32,
    fin_acked: bool,
    /// Time of the last non-duplicate packet, and the fields the duplicate test compares.
    last_time: Timestamp,
    prev_ident: u16,
    prev_ip_len: usize,
    prev_checksum: u16,
}

/// A TCP connection as the logs report it.
#[derive(Debug, Clone, Default)]
pub struct TcpFlow {
    pub client: Endpoint,
    pub server: Endpoint,
    pub client_internal: bool,
    pub server_internal: bool,
    pub first: Timestamp,
    pub last: Timestamp,
    pub c2s: TcpHalf,
    pub s2c: TcpHalf,
    pub serial: u64,
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
    pub counters: TcpCounters,
    serial: u64,
}

/// The fields of a TCP header the tracker uses.
struct Segment {
    src: Endpoint,
    dst: Endpoint,
    seq: u32,
    ack_number: u32,
    checksum: u16,
    syn: bool,
    ack: bool,
    fin: bool,
    rst: bool,
    /// Payload length from the IP header (the snaplen does not matter).
    payload_len: u64,
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
        syn: tcp.syn(),
        ack: tcp.ack(),
        fin: tcp.fin(),
        rst: tcp.rst(),
        payload_len: ip.payload_len.saturating_sub(header_len) as u64,
    })
}

impl TcpTracker {
    pub fn new(cfg: TcpConfig) -> TcpTracker {
        TcpTracker {
            cfg,
            table: FlowTable::with_capacity(cfg.capacity),
            counters: TcpCounters::default(),
            serial: 0,
        }
    }

    pub fn open_flows(&self) -> usize {
        self.table.len()
    }

    /// Account one segment. When it would open a new connection and `expired` is false,
    /// nothing is done and [`Step::ExpireFirst`] asks the caller to close idle flows (as Tstat
    /// does before every new flow) and call again with `expired` set.
    pub fn packet(
        &mut self,
        ts: Timestamp,
        ip: &IpPacket<'_>,
        expired: bool,
        internal: impl Fn(&IpAddr) -> bool,
        emit: &mut dyn FnMut(&TcpFlow, bool),
    ) -> Step {
        let Some(seg) = parse_segment(ip) else {
            self.counters.truncated += 1;
            return Step::Done;
        };
        let key = FlowKey::new(seg.src, seg.dst);
        let hash = key.hash64();
        let found = self.table.find(&key, hash);
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
                    return Step::Done;
                };
                self.serial += 1;
                let f = self.table.get_mut(s);
                f.client = seg.src;
                f.server = seg.dst;
                f.client_internal = internal(&seg.src.addr);
                f.server_internal = internal(&seg.dst.addr);
                f.first = ts;
                f.serial = self.serial;
                s
            }
            None => {
                self.counters.trash += 1;
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
        match track(flow, dir, ts, ip, &seg, dup_window) {
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
                let queue = if flow.singleton() {
                    SINGLETON
                } else {
                    ESTABLISHED
                };
                self.table.touch(slot, queue);
            }
            Outcome::Closed { complete } => {
                emit(flow, complete);
                self.table.remove(slot);
            }
        }
        Step::Done
    }

    /// Close every connection idle past its timeout at `now`.
    pub fn expire(&mut self, now: Timestamp, emit: &mut dyn FnMut(&TcpFlow, bool)) {
        for (queue, timeout) in [
            (SINGLETON, self.cfg.singleton_ns),
            (ESTABLISHED, self.cfg.idle_ns),
        ] {
            while let Some(slot) = self.table.oldest(queue) {
                let flow = self.table.get(slot);
                if now.0.saturating_sub(flow.last.0) <= timeout {
                    break;
                }
                emit(flow, flow.handshake_seen());
                self.table.remove(slot);
            }
        }
    }

    /// End of trace at `now`: connections already timed out are written as a timeout would
    /// (complete when both SYNs were seen); every other one is still active and so
    /// nocomplete. Both in creation order.
    pub fn flush(&mut self, now: Timestamp, emit: &mut dyn FnMut(&TcpFlow, bool)) {
        let mut slots: Vec<u32> = self.table.live_slots().collect();
        slots.sort_unstable_by_key(|&s| self.table.get(s).serial);
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
                emit(flow, flow.handshake_seen());
                self.table.remove(s);
            }
        }
        for s in slots {
            if self.table.key(s).is_some() {
                emit(self.table.get(s), false);
                self.table.remove(s);
            }
        }
    }
}

enum Outcome {
    Open,
    Duplicate,
    Closed { complete: bool },
}

/// Apply one segment to the connection, in Tstat's order of checks.
fn track(
    flow: &mut TcpFlow,
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
        return Outcome::Closed { complete: false };
    }
    let (h, other) = match dir {
        Dir::C2S => (&mut flow.c2s, &mut flow.s2c),
        Dir::S2C => (&mut flow.s2c, &mut flow.c2s),
    };
    if seg.ack && other.fin > 0 && seg.ack_number >= other.fin_seq.wrapping_add(1) {
        other.fin_acked = true;
    }
    h.last_time = ts;
    account(h, ip.ttl, seg);
    if seg.ack && other.seq.is_started() {
        let ack = other.seq.position(seg.ack_number);
        other.seq.ack(ack);
    }
    if seg.rst {
        if seg.ack {
            h.acks += 1;
        }
        return Outcome::Closed {
            complete: flow.handshake_seen(),
        };
    }
    if seg.ack {
        h.acks += 1;
        if seg.payload_len == 0 && !seg.syn && !seg.fin {
            h.pure_acks += 1;
        }
        if !seg.syn && h.first_ack.is_none() {
            h.first_ack = Some(ts);
        }
    }
    if seg.payload_len > 0 {
        if h.first_payload.is_none() {
            h.first_payload = Some(ts);
        }
        h.last_payload = Some(ts);
    }
    if flow.c2s.fin_acked && flow.s2c.fin_acked {
        return Outcome::Closed { complete: true };
    }
    Outcome::Open
}

/// Packet, byte and sequence-space counters of the sender's half.
fn account(h: &mut TcpHalf, ttl: u8, seg: &Segment) {
    if seg.payload_len > 0 {
        h.pkts_data += 1;
        h.bytes_all += seg.payload_len;
    }
    if h.pkts_all == 0 {
        h.ttl_min = ttl;
        h.ttl_max = ttl;
    }
    h.ttl_min = h.ttl_min.min(ttl);
    h.ttl_max = h.ttl_max.max(ttl);
    h.pkts_all += 1;
    let start = h.seq.unwrap(seg.seq);
    if !(seg.syn || seg.fin || seg.payload_len > 0) {
        return;
    }
    // SYN and FIN each occupy one sequence number (RFC 9293 §3.4).
    let mut len = seg.payload_len + seg.syn as u64 + seg.fin as u64;
    let verdict = h.seq.segment(start, len);
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
}
