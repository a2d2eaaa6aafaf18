//! UDP flow tracking with Tstat's semantics.
//!
//! The first packet of an unknown endpoint pair creates the flow and makes its source the
//! client. Bytes are the payload the UDP header declares. A packet identical to the previous
//! one in its direction (same IPv4 id, checksum and length, less than
//! `Min_Delta_T_UDP_Dup_Pkt` later) is a network duplicate and not counted. A flow ends after
//! `UDP_Idle_Time` without packets, or `UDP_Singleton_Time` when it saw a single packet.

use crate::decode::IpPacket;
use crate::dpi::dnshunter::DnsTag;
use crate::dpi::udp::gquic;
use crate::dpi::udp::rtp::Streams;
use crate::dpi::udp::{Pools, UdpClass, UdpPacket};
use crate::engine::observe::UdpDirectionLabels;
use crate::time::Timestamp;

use super::flow::{Dir, Endpoint, FlowKey};
use super::table::{self, FlowTable};
use super::tcp::Step;

/// Expiry queues: flows with one packet time out sooner.
const SINGLETON: usize = 0;
const ESTABLISHED: usize = 1;

/// One direction of a UDP flow.
#[derive(Debug, Clone, Copy, Default)]
pub struct UdpHalf {
    pub first: Timestamp,
    pub last: Timestamp,
    pub bytes: u64,
    pub packets: u64,
    pub ttl_min: u8,
    pub ttl_max: u8,
    /// Sum of the TTLs of the counted packets (log_mm_complete prints the average).
    pub ttl_sum: u64,
    prev_ident: u16,
    prev_checksum: u16,
    prev_ip_len: usize,
    prev_time: Timestamp,
}

/// A UDP flow as the logs report it.
#[derive(Debug, Clone, Copy, Default)]
pub struct UdpFlow {
    pub client: Endpoint,
    pub server: Endpoint,
    pub client_internal: bool,
    pub server_internal: bool,
    pub first: Timestamp,
    pub last: Timestamp,
    /// Non-duplicate packets in both directions.
    pub packets: u64,
    pub c2s: UdpHalf,
    pub s2c: UdpHalf,
    /// Application classification (c_type/s_type); stays unknown without the `dpi` feature.
    pub class: UdpClass,
    /// The DN-Hunter entry found when the flow was created.
    pub dns: Option<DnsTag>,
    /// Creation order, for a stable output order at the end of a trace.
    pub serial: u64,
    /// Opened by a packet Tstat would not see: logged, not reported to the observers.
    pub unseen: bool,
}

impl UdpFlow {
    /// The UDP type printed for a direction (c_type/s_type).
    pub fn printed_type(&self, dir: Dir) -> u8 {
        self.class
            .printed(dir, (self.client.port, self.server.port))
    }

    pub fn half(&self, dir: Dir) -> &UdpHalf {
        match dir {
            Dir::C2S => &self.c2s,
            Dir::S2C => &self.s2c,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct UdpConfig {
    pub capacity: usize,
    pub idle_ns: i64,
    pub singleton_ns: i64,
    pub dup_window_ns: i64,
    /// Run the Skype classifier (Tstat does when given `-B`).
    pub skype: bool,
    /// Directions whose RTP streams can be followed at once (globals.conf, our addition).
    pub rtp_directions: usize,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UdpCounters {
    /// Packets with a whole UDP header (Tstat's "UDP packets traced").
    pub packets: u64,
    pub truncated: u64,
    pub duplicates: u64,
    pub flows: u64,
    /// New flows refused because the table was full.
    pub table_full: u64,
}

impl UdpTracker {
    pub fn flow(&self, slot: u32) -> &UdpFlow {
        self.table.get(slot)
    }

    pub fn flow_mut(&mut self, slot: u32) -> &mut UdpFlow {
        self.table.get_mut(slot)
    }

    /// gQUIC flows whose names found the name pool full.
    pub fn quic_names_untracked(&self) -> u64 {
        self.pools.quic_names.exhausted
    }

    /// IETF QUIC flows whose ClientHello found no free gathering buffer.
    pub fn quic_hellos_untracked(&self) -> u64 {
        #[cfg(feature = "dpi")]
        return self.pools.quic_hellos.exhausted;
        #[cfg(not(feature = "dpi"))]
        0
    }

    /// Directions that looked like RTP but found no free slot for their source lists.
    pub fn rtp_untracked(&self) -> u64 {
        self.pools.rtp.exhausted
    }
}

pub struct UdpTracker {
    cfg: UdpConfig,
    table: FlowTable<FlowKey, UdpFlow>,
    pub counters: UdpCounters,
    serial: u64,
    /// RTP source lists and gQUIC names of the flows that need them.
    pools: Pools,
    /// The last packet, if it was counted in a flow (not a duplicate, not refused):
    /// per-packet analyzers look only at those.
    pub last_counted: Option<Counted>,
    /// The flow the last packet created, if it did.
    pub last_created: Option<u32>,
    /// What the last datagram's analysis noted for the observers.
    pub notes: UdpNotes,
}

/// Where the last counted packet went.
#[derive(Debug, Clone, Copy)]
pub struct Counted {
    pub slot: u32,
    pub src_internal: bool,
    pub dst_internal: bool,
}

/// What the analysis of one datagram noted for the observers (`engine::observe`), handed
/// on by the engine once the datagram is done.
#[derive(Debug, Clone, Copy, Default)]
pub struct UdpNotes {
    /// A whole header, not a duplicate (Tstat feeds `udp_header_stat` then).
    pub counted_header: bool,
    pub duplicate: bool,
    /// It belonged to a flow (Tstat's `FLOW_STAT_OK`).
    pub in_flow: bool,
    pub dst_port: u16,
    /// It opened a flow (`Some(true)`), or found the table full.
    pub opened: Option<bool>,
    /// It was the first of its direction.
    pub direction_started: bool,
    /// Its direction's labels once the classifiers ran.
    pub labels: Option<UdpDirectionLabels>,
    /// What the RTP machine saw in it.
    pub rtp: crate::dpi::udp::rtp::RtpOutcome,
}

/// What the histogram label map reads of one direction of a flow.
pub fn direction_labels(flow: &UdpFlow, dir: Dir) -> UdpDirectionLabels {
    let (client, server) = (flow.client.port, flow.server.port);
    let ntp_port = client == 123 || server == 123;
    #[cfg(feature = "dpi")]
    {
        let d = match dir {
            Dir::C2S => &flow.class.c2s,
            Dir::S2C => &flow.class.s2c,
        };
        UdpDirectionLabels {
            udp_type: d.kind,
            mux_mask: d.mux,
            skype_confirmed: matches!(d.kind, 5 | 6),
            kad_obfuscated: flow.class.kad_pair.matched(),
            ntp_port,
        }
    }
    #[cfg(not(feature = "dpi"))]
    {
        let _ = dir;
        UdpDirectionLabels {
            udp_type: flow.printed_type(Dir::C2S),
            ntp_port,
            ..UdpDirectionLabels::default()
        }
    }
}

/// A flow at close, as the observers see it.
pub fn closed(flow: &UdpFlow) -> crate::engine::observe::UdpClosed {
    let half = |h: &UdpHalf, dir: Dir| crate::engine::observe::UdpHalfClosed {
        packets: h.packets,
        data_bytes: h.bytes,
        labels: direction_labels(flow, dir),
    };
    crate::engine::observe::UdpClosed {
        client_internal: flow.client_internal,
        server_internal: flow.server_internal,
        client_cloud: false,
        server_cloud: false,
        first: flow.first,
        last: flow.last,
        singleton: flow.packets <= 1,
        c2s: half(&flow.c2s, Dir::C2S),
        s2c: half(&flow.s2c, Dir::S2C),
    }
}

/// What the engine needs to know about a packet's endpoints.
pub struct UdpPacketInfo {
    pub src: Endpoint,
    pub dst: Endpoint,
    pub src_internal: bool,
    pub dst_internal: bool,
}

impl UdpTracker {
    pub fn new(cfg: UdpConfig) -> UdpTracker {
        let pools = if cfg!(feature = "dpi") {
            Pools::new(cfg.rtp_directions, gquic::DEFAULT_POOL)
        } else {
            Pools::new(0, 0)
        };
        UdpTracker::with_pools(cfg, pools)
    }

    /// A tracker that follows flows for their packet times only (a worker's copy of other
    /// workers' DNS flows): no classifier pools, no Skype.
    #[cfg(feature = "workers")]
    pub fn replica(cfg: UdpConfig) -> UdpTracker {
        let cfg = UdpConfig {
            skype: false,
            ..cfg
        };
        UdpTracker::with_pools(cfg, Pools::new(0, 0))
    }

    fn with_pools(cfg: UdpConfig, pools: Pools) -> UdpTracker {
        UdpTracker {
            cfg,
            table: FlowTable::with_capacity(cfg.capacity),
            counters: UdpCounters::default(),
            serial: 0,
            pools,
            last_counted: None,
            last_created: None,
            notes: UdpNotes::default(),
        }
    }

    pub fn open_flows(&self) -> usize {
        self.table.len()
    }

    /// Account one UDP packet. `internal` tells whether an address is in the internal nets.
    /// A packet that opens a flow is first refused with [`Step::ExpireFirst`] unless
    /// `expired` says idle flows were just closed, as Tstat closes them before a new flow.
    ///
    /// `opened_after(deadline)` says whether another engine (worker threads) opened a flow
    /// later than `deadline` before this packet: a flow idle past its timeout is then handed
    /// to `emit` and forgotten first, as a lone engine would have done at that opening.
    pub fn packet(
        &mut self,
        ts: Timestamp,
        ip: &IpPacket<'_>,
        expired: bool,
        internal: impl Fn(&std::net::IpAddr) -> bool,
        opened_after: &dyn Fn(Timestamp) -> bool,
        emit: &mut dyn FnMut(&UdpFlow, Option<&gquic::Names>, Streams<'_>),
    ) -> Step {
        self.last_counted = None;
        self.last_created = None;
        self.notes = UdpNotes::default();
        let Some((src, dst)) = endpoints(ip) else {
            self.counters.truncated += 1;
            return Step::Done;
        };
        self.notes.dst_port = dst.port;
        let p = ip.payload;
        let declared_len = u16::from_be_bytes([p[4], p[5]]);
        let checksum = u16::from_be_bytes([p[6], p[7]]);
        let key = FlowKey::new(src, dst);
        let hash = key.hash64();
        let found = match self.table.find(&key, hash) {
            Some(slot) if self.closed_elsewhere(slot, ts, opened_after) => {
                self.close(slot, emit);
                None
            }
            found => found,
        };
        if found.is_none() && !expired {
            return Step::ExpireFirst;
        }
        self.counters.packets += 1;
        let slot = match found {
            Some(s) => s,
            None => {
                self.counters.flows += 1;
                let Some(s) = self.table.insert(key, hash, SINGLETON) else {
                    self.counters.table_full += 1;
                    self.notes.counted_header = true;
                    self.notes.opened = Some(false);
                    return Step::Done;
                };
                self.notes.opened = Some(true);
                self.serial += 1;
                let f = self.table.get_mut(s);
                f.client = src;
                f.server = dst;
                f.client_internal = internal(&src.addr);
                f.server_internal = internal(&dst.addr);
                f.first = ts;
                f.serial = self.serial;
                self.last_created = Some(s);
                s
            }
        };
        let dup_window = self.cfg.dup_window_ns;
        let flow = self.table.get_mut(slot);
        flow.last = ts;
        let dir = if flow.client == src {
            Dir::C2S
        } else {
            Dir::S2C
        };
        let half = match dir {
            Dir::C2S => &mut flow.c2s,
            Dir::S2C => &mut flow.s2c,
        };
        let duplicate = !ip.is_ipv6()
            && half.prev_ident == ip.ident
            && half.prev_checksum == checksum
            && half.prev_ip_len == ip.total_len
            && ts.0 - half.prev_time.0 < dup_window;
        half.prev_ident = ip.ident;
        half.prev_checksum = checksum;
        half.prev_ip_len = ip.total_len;
        half.prev_time = ts;
        let queue = if flow.packets > 1 {
            ESTABLISHED
        } else {
            SINGLETON
        };
        if duplicate {
            self.counters.duplicates += 1;
            self.notes.duplicate = true;
            self.table.touch(slot, queue);
            return Step::Done;
        }
        self.notes.counted_header = true;
        self.notes.in_flow = true;
        self.notes.direction_started = half.packets == 0;
        if half.packets == 0 {
            half.first = ts;
            half.ttl_min = ip.ttl;
            half.ttl_max = ip.ttl;
        }
        half.last = ts;
        // Tstat adds the declared length minus the header; a bogus length below 8 adds nothing.
        half.bytes += (declared_len as u64).saturating_sub(8);
        half.packets += 1;
        half.ttl_min = half.ttl_min.min(ip.ttl);
        half.ttl_max = half.ttl_max.max(ip.ttl);
        half.ttl_sum += u64::from(ip.ttl);
        flow.packets += 1;
        let (src_internal, dst_internal) = match dir {
            Dir::C2S => (flow.client_internal, flow.server_internal),
            Dir::S2C => (flow.server_internal, flow.client_internal),
        };
        self.last_counted = Some(Counted {
            slot,
            src_internal,
            dst_internal,
        });
        if cfg!(feature = "dpi") {
            let pkt = UdpPacket {
                udp: ip.payload,
                declared_len,
                ip_payload_len: ip.payload_len,
                ports: (flow.client.port, flow.server.port),
                flow_packets: flow.packets,
                dir_packets: flow.half(dir).packets,
                other_packets: flow.half(dir.other()).packets,
                now: ts,
                dir_first: flow.half(dir).first,
                skype: self.cfg.skype,
            };
            self.notes.rtp = flow.class.packet(dir, &pkt, &mut self.pools);
        }
        self.notes.labels = Some(direction_labels(flow, dir));
        let queue = if flow.packets > 1 {
            ESTABLISHED
        } else {
            SINGLETON
        };
        self.table.touch(slot, queue);
        Step::Done
    }

    /// Close every flow idle past its timeout at `now`, oldest first.
    pub fn expire(
        &mut self,
        now: Timestamp,
        emit: &mut dyn FnMut(&UdpFlow, Option<&gquic::Names>, Streams<'_>),
    ) {
        for (queue, timeout) in [
            (SINGLETON, self.cfg.singleton_ns),
            (ESTABLISHED, self.cfg.idle_ns),
        ] {
            while let Some(slot) = self.table.oldest(queue) {
                let flow = self.table.get(slot);
                if now.0.saturating_sub(flow.last.0) <= timeout {
                    break;
                }
                self.close(slot, emit);
            }
        }
    }

    /// Write a flow out and forget it.
    fn close(
        &mut self,
        slot: u32,
        emit: &mut dyn FnMut(&UdpFlow, Option<&gquic::Names>, Streams<'_>),
    ) {
        let flow = self.table.get_mut(slot);
        judge_at_close(flow, self.cfg.skype);
        let streams = Streams::of(&flow.class.c2s, &flow.class.s2c, &self.pools.rtp);
        emit(
            flow,
            flow.class.quic_tags.names(&self.pools.quic_names),
            streams,
        );
        flow.class.release(&mut self.pools);
        self.table.remove(slot);
    }

    /// Whether the flow in `slot` is idle past its timeout at `ts` and another engine
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

    /// Close every flow, in creation order (end of trace).
    pub fn flush(&mut self, emit: &mut dyn FnMut(&UdpFlow, Option<&gquic::Names>, Streams<'_>)) {
        let mut slots: Vec<u32> = self.table.live_slots().collect();
        let serial = |s: u32| self.table.get(s).serial;
        crate::sort::positions(&mut slots, &|a, b| serial(a).cmp(&serial(b)));
        for s in slots {
            self.close(s, emit);
        }
    }
}

/// The flow ends: classifiers that judge at the end do so.
fn judge_at_close(flow: &mut UdpFlow, skype: bool) {
    if cfg!(feature = "dpi") {
        flow.class.close(skype, flow.c2s.packets, flow.s2c.packets);
    }
}

fn endpoints(ip: &IpPacket<'_>) -> Option<(Endpoint, Endpoint)> {
    let p = ip.payload;
    if p.len() < 8 {
        return None;
    }
    let sport = u16::from_be_bytes([p[0], p[1]]);
    let dport = u16::from_be_bytes([p[2], p[3]]);
    Some((
        Endpoint {
            addr: ip.src,
            port: sport,
        },
        Endpoint {
            addr: ip.dst,
            port: dport,
        },
    ))
}
