//! The engine: flow tables and the analyzers that fill them.
//!
//! Callers feed frames (timestamp, link type, bytes) or decoded IP packets; finished flows are
//! handed to a [`RecordSink`]. The engine never touches files.

pub mod figures;
pub mod flow;
pub mod observe;
mod observed;
#[cfg(feature = "workers")]
pub mod peers;
pub mod table;
pub mod tcp;
pub mod udp;
#[cfg(feature = "workers")]
mod worker;
/// A lone engine (builds without worker threads) has no peers.
#[cfg(not(feature = "workers"))]
mod worker {
    use super::udp::UdpConfig;
    use super::EngineConfig;
    use crate::time::Timestamp;

    pub(super) struct Side;

    impl Side {
        pub(super) fn new(_: &EngineConfig, _: UdpConfig) -> Side {
            Side
        }
        pub(super) fn opened(&mut self, _: Timestamp) {}
        pub(super) fn opened_after(&self, _: Timestamp) -> bool {
            false
        }
    }
}

use std::net::IpAddr;

use self::flow::Endpoint;
use crate::config::globals::Globals;
use crate::config::nets::NetList;
use crate::decode::{self, proto, Fragment, IpPacket, SkipReason};
use crate::dpi::dns;
use crate::dpi::dnshunter::{self, DnsHunter};
use crate::dpi::http::{self, HttpLog};
use crate::dpi::tcp::{Records, TcpDpiConfig};
use crate::dpi::udp::gquic;
use crate::sink::{DnsPacket, HttpPacket, RecordSink, Streams, TcpNames, UdpNames};
use crate::time::{Timestamp, NANOS_PER_SEC};

use self::observe::{Ends, Observer};
use self::tcp::{Step, TcpConfig, TcpTracker};
use self::udp::{UdpConfig, UdpTracker};

/// What the engine is told at start-up.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub globals: Globals,
    pub internal: NetList,
    pub trace_udp: bool,
    pub trace_ipv6: bool,
    /// Tstat's Skype classifier (on when a Bayes configuration is given with `-B`).
    pub skype: bool,
    /// Hand DNS messages to the sink (log_dns_complete enabled).
    pub dns_log: bool,
    /// DN-Hunter (off with `-X`).
    pub dns_hunter: bool,
    /// Hand HTTP rows to the sink (log_http_complete enabled), and runtime.conf's
    /// httplog_full_url for them.
    pub http_log: bool,
    pub httplog_full_url: u32,
    /// When this engine is one of several worker threads: how many of the other workers'
    /// DNS flows it follows at once, so that DN-Hunter also learns their responses (handed
    /// in through [`Engine::replica_dns`]). 0 for a lone engine.
    pub dns_replica: usize,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            globals: Globals::default(),
            internal: NetList::everything(),
            trace_udp: true,
            trace_ipv6: true,
            skype: false,
            dns_log: false,
            dns_hunter: true,
            http_log: false,
            httplog_full_url: 0,
            dns_replica: 0,
        }
    }
}

/// Run-wide counters, printed in the end-of-run summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub frames: u64,
    /// IP packets that reached the analyzers (Tstat's "packets seen").
    pub ip_packets: u64,
    pub skipped: [u64; SkipReason::ALL.len()],
    /// Later IP fragments (no transport header).
    pub later_fragments: u64,
    pub ipv6_ignored: u64,
    /// Leading frames stamped 1970-01-01T00:00:00, skipped.
    pub zero_time_frames: u64,
    /// Flows with both ends outside the internal networks: tracked but not logged.
    pub external_flows: u64,
}

pub struct Engine {
    internal: NetList,
    trace_udp: bool,
    trace_ipv6: bool,
    dns_log: bool,
    hunter: Option<DnsHunter>,
    pub tcp: TcpTracker,
    pub udp: UdpTracker,
    pub counters: Counters,
    /// What a worker thread knows of the others (nothing for a lone engine; see `worker`).
    side: worker::Side,
    /// Time of the latest packet.
    pub now: Timestamp,
    first_packet: Option<Timestamp>,
    /// An observer was told of the first packet Tstat would see.
    observed_first: bool,
    /// Time of the last frame read, IP or not (Tstat's clock at the end of a trace).
    pub last_frame: Timestamp,
}

/// Segments reserved for the segment books of all TCP connections: 8 per connection slot on
/// average. A connection normally holds a few (acknowledged neighbours merge); a pool this
/// size is 46 MB for Tstat's default 180000 connections, of which only the part in use is
/// ever touched.
fn segment_pool_size(max_tcp_pairs: u64) -> usize {
    (max_tcp_pairs as usize).saturating_mul(8)
}

/// Seconds of globals.conf as the engine's nanoseconds.
pub fn secs_to_ns(s: f64) -> i64 {
    (s * NANOS_PER_SEC as f64) as i64
}

impl Engine {
    pub fn new(cfg: EngineConfig) -> Engine {
        let g = &cfg.globals;
        let mut tcp = TcpTracker::new(TcpConfig {
            capacity: g.max_tcp_pairs as usize,
            idle_ns: secs_to_ns(g.tcp_idle_time),
            singleton_ns: secs_to_ns(g.tcp_singleton_time),
            dup_window_ns: (g.min_delta_t_tcp_dup_pkt * 1000.0) as i64,
            segments: segment_pool_size(g.max_tcp_pairs),
            segments_per_quadrant: g.max_seg_per_quad,
            dpi: cfg!(feature = "dpi").then_some(TcpDpiConfig {
                entropy_sample: g.entropy_sample as usize,
                entropy_threshold: g.entropy_threshold,
            }),
            // Every connection slot can be a TLS one; the pool's pages are touched only as
            // TLS connections take slots.
            tls_slots: g.max_tcp_pairs as usize,
        });
        tcp.http = HttpLog::new(cfg.http_log, cfg.httplog_full_url);
        let udp_config = UdpConfig {
            capacity: g.max_udp_pairs as usize,
            idle_ns: secs_to_ns(g.udp_idle_time),
            singleton_ns: secs_to_ns(g.udp_singleton_time),
            dup_window_ns: (g.min_delta_t_udp_dup_pkt * 1000.0) as i64,
            skype: cfg.skype,
            rtp_directions: g.max_rtp_directions as usize,
        };
        let udp = UdpTracker::new(udp_config);
        let side = worker::Side::new(&cfg, udp_config);
        Engine {
            internal: cfg.internal,
            trace_udp: cfg.trace_udp,
            trace_ipv6: cfg.trace_ipv6,
            dns_log: cfg.dns_log,
            hunter: cfg
                .dns_hunter
                .then(|| DnsHunter::new(g.dns_cache_size as usize, DNS_CACHE_SIZE_IPV6)),
            tcp,
            udp,
            counters: Counters::default(),
            side,
            now: Timestamp::ZERO,
            first_packet: None,
            observed_first: false,
            last_frame: Timestamp::ZERO,
        }
    }

    /// runtime.conf changed: which logs the engine feeds, how HTTP URLs are logged.
    pub fn set_logs(&mut self, dns_log: bool, http_log: bool, httplog_full_url: u32) {
        self.dns_log = dns_log;
        self.tcp.http.configure(http_log, httplog_full_url);
    }

    pub fn first_packet_time(&self) -> Option<Timestamp> {
        self.first_packet
    }

    /// Decode and analyse one captured frame.
    pub fn frame(&mut self, ts: Timestamp, link_type: u32, data: &[u8], sink: &mut dyn RecordSink) {
        self.frame_observed(ts, link_type, data, sink, None);
    }

    /// [`Engine::frame`], also reporting to `obs` (`engine::observe`) the packet Tstat would
    /// analyse in this frame, if any.
    pub fn frame_observed(
        &mut self,
        ts: Timestamp,
        link_type: u32,
        data: &[u8],
        sink: &mut dyn RecordSink,
        mut obs: Option<&mut dyn Observer>,
    ) {
        self.counters.frames += 1;
        self.last_frame = ts;
        // Like Tstat, leading frames stamped exactly at the epoch are taken as capture garbage.
        if self.first_packet.is_none() && ts == Timestamp::ZERO {
            self.counters.zero_time_frames += 1;
            return;
        }
        let mut layers = decode::Layers::new();
        if let Some(o) = again(&mut obs) {
            if let Some(m) = decode::tstat_misread(link_type, data) {
                self.misread_observed(ts, &m, o);
            }
        }
        match decode::decode_frame_into(link_type, data, &mut layers) {
            Ok(()) => {
                let seen = match obs {
                    Some(_) => decode::tstat_layer(link_type, data, &layers),
                    None => None,
                };
                for (i, ip) in layers.iter().enumerate() {
                    let tstat_sees = Some(i) == seen;
                    let unseen = obs.is_some() && !tstat_sees;
                    if matches!(ip.protocol, proto::TCP | proto::UDP) {
                        self.ip_packet_seen(ts, ip, sink, again(&mut obs), tstat_sees);
                        if unseen {
                            self.mark_created_unseen(ip.protocol);
                        }
                    } else if let (Some(o), true) = (again(&mut obs), tstat_sees) {
                        self.other_ip_observed(ts, ip, o);
                    }
                }
            }
            Err(reason) => self.counters.skipped[reason as usize] += 1,
        }
    }

    /// A flow the last packet opened is one Tstat would not have (the packet was inside an
    /// encapsulation Tstat skips): it is logged but never reported to an observer.
    fn mark_created_unseen(&mut self, protocol: u8) {
        match protocol {
            proto::TCP => {
                if let Some(slot) = self.tcp.last_created {
                    self.tcp.flow_mut(slot).unseen = true;
                }
            }
            _ => {
                if let Some(slot) = self.udp.last_created {
                    self.udp.flow_mut(slot).unseen = true;
                }
            }
        }
    }

    /// Bytes Tstat takes for an IPv4 header that is not one (`decode::Misread`): they feed its
    /// IP histograms as a packet of their own.
    fn misread_observed(&mut self, ts: Timestamp, m: &decode::Misread, o: &mut dyn Observer) {
        self.tell_first(ts, o);
        let (src, dst) = (IpAddr::from(m.src), IpAddr::from(m.dst));
        let ends = Ends {
            src_internal: self.internal.contains(&src),
            dst_internal: self.internal.contains(&dst),
            src_cloud: false,
            dst_cloud: false,
        };
        o.ipv4(&observe::Ipv4Seen {
            ends,
            protocol: m.protocol,
            total_len: m.total_len,
            ttl: m.ttl,
            tos: m.tos,
            src: m.src,
            dst: m.dst,
        });
        o.packet_end(self.now.max(ts), false);
    }

    /// An IP packet Tstat analyses that carries neither TCP nor UDP: only observed.
    fn other_ip_observed(&mut self, ts: Timestamp, ip: &IpPacket<'_>, o: &mut dyn Observer) {
        self.tell_first(ts, o);
        let ends = self.ends(ip);
        if ip.is_ipv6() {
            o.ipv6(&observed::ipv6(ip, ends));
        } else {
            o.ipv4(&observed::ipv4(ip, ends));
        }
        o.packet_end(self.now.max(ts), false);
    }

    fn tell_first(&mut self, ts: Timestamp, o: &mut dyn Observer) {
        if !self.observed_first {
            self.observed_first = true;
            o.first_packet(ts);
        }
    }

    /// A packet's ends as the observers see them.
    fn ends(&self, ip: &IpPacket<'_>) -> Ends {
        Ends {
            src_internal: self.internal.contains(&ip.src),
            dst_internal: self.internal.contains(&ip.dst),
            src_cloud: false,
            dst_cloud: false,
        }
    }

    /// A packet opens a flow: as Tstat does, idle flows are closed first, at its time (and
    /// a worker tells its peers).
    fn expire_for_new_flow(
        &mut self,
        ts: Timestamp,
        sink: &mut dyn RecordSink,
        obs: Option<&mut dyn Observer>,
    ) {
        self.side.opened(ts);
        let mut obs = obs;
        if let Some(o) = again(&mut obs) {
            o.flow_opening(ts);
        }
        self.expire_observed(ts, sink, obs);
    }

    /// Analyse one IP packet whose payload is TCP or UDP.
    pub fn ip_packet(&mut self, ts: Timestamp, ip: &IpPacket<'_>, sink: &mut dyn RecordSink) {
        self.ip_packet_observed(ts, ip, sink, None);
    }

    /// [`Engine::ip_packet`], reporting to `obs` what the packet did (Tstat's order: the
    /// IPv6 header first, the transport step, then the IPv4 header unless the segment was a
    /// duplicate, then the end of the packet).
    pub fn ip_packet_observed(
        &mut self,
        ts: Timestamp,
        ip: &IpPacket<'_>,
        sink: &mut dyn RecordSink,
        obs: Option<&mut dyn Observer>,
    ) {
        self.ip_packet_seen(ts, ip, sink, obs, true);
    }

    /// `seen`: Tstat would analyse this packet, so `obs` hears of it; otherwise `obs` hears
    /// only of the flows the packet closes (idle ones it expired), which Tstat has too.
    fn ip_packet_seen(
        &mut self,
        ts: Timestamp,
        ip: &IpPacket<'_>,
        sink: &mut dyn RecordSink,
        obs: Option<&mut dyn Observer>,
        seen: bool,
    ) {
        let mut closes = obs;
        // Per-packet events only for what Tstat sees; flow closes for every packet.
        let mut obs: Option<&mut dyn Observer> = None;
        if seen {
            obs = closes.take();
        }
        if self.first_packet.is_none() {
            self.first_packet = Some(ts);
        }
        self.now = self.now.max(ts);
        if let Some(o) = again(&mut obs) {
            self.tell_first(ts, o);
        }
        if ip.is_ipv6() && !self.trace_ipv6 {
            self.counters.ipv6_ignored += 1;
            return;
        }
        let ends = if obs.is_some() {
            self.ends(ip)
        } else {
            Ends::default()
        };
        if let (Some(o), true) = (again(&mut obs), ip.is_ipv6()) {
            o.ipv6(&observed::ipv6(ip, ends));
        }
        self.counters.ip_packets += 1;
        let mut flow_stat_ok = false;
        let mut duplicate = false;
        if ip.fragment == Fragment::Later {
            self.counters.later_fragments += 1;
        } else {
            match ip.protocol {
                // Like Tstat, idle flows are only looked at when a packet would open a new flow.
                proto::TCP => {
                    let closing = if seen {
                        again(&mut obs)
                    } else {
                        again(&mut closes)
                    };
                    self.tcp_expiring_first(ts, ip, sink, closing);
                    if let Some(o) = again(&mut obs) {
                        let n = &self.tcp.notes;
                        duplicate = n.stat == tcp::notes::FlowStat::Duplicate;
                        flow_stat_ok = n.stat == tcp::notes::FlowStat::Ok;
                        observed::tcp_notes(n, ip, ends, o);
                    }
                }
                proto::UDP if self.trace_udp => {
                    let mut closing = if seen {
                        again(&mut obs)
                    } else {
                        again(&mut closes)
                    };
                    if self.udp_packet(ts, ip, false, sink, again(&mut closing))
                        == Step::ExpireFirst
                    {
                        self.expire_for_new_flow(ts, sink, again(&mut closing));
                        self.udp_packet(ts, ip, true, sink, closing);
                    }
                    self.udp_dns(ip);
                    if cfg!(feature = "dns-log") && self.dns_log {
                        self.log_dns(ts, ip, sink);
                    }
                    if let Some(o) = again(&mut obs) {
                        let n = &self.udp.notes;
                        duplicate = n.duplicate;
                        flow_stat_ok = n.in_flow;
                        observed::udp_notes(n, ip, ends, o);
                    }
                }
                _ => {}
            }
        }
        if let Some(o) = obs {
            if !ip.is_ipv6() && !duplicate {
                o.ipv4(&observed::ipv4(ip, ends));
            }
            o.packet_end(self.now, flow_stat_ok);
        }
    }

    /// DN-Hunter for a UDP packet: a flow it created looks its endpoints up, then a DNS
    /// response it carries is learnt (so it cannot name its own flow, as in Tstat).
    fn udp_dns(&mut self, ip: &IpPacket<'_>) {
        let Some(hunter) = self.hunter.as_mut() else {
            return;
        };
        if let Some(slot) = self.udp.last_created {
            self.udp.flow_mut(slot).dns = hunter.lookup(ip.src, ip.dst);
        }
        learn_dns_response(hunter, &self.udp, ip);
    }

    /// Tstat's DNS log looks at every counted UDP packet whatever its ports, except between
    /// multicast addresses; a payload that parses as a whole DNS message goes to the sink.
    fn log_dns(&mut self, ts: Timestamp, ip: &IpPacket<'_>, sink: &mut dyn RecordSink) {
        let Some(counted) = self.udp.last_counted else {
            return;
        };
        let (src_internal, dst_internal) = (counted.src_internal, counted.dst_internal);
        if is_multicast(&ip.src) || is_multicast(&ip.dst) {
            return;
        }
        let Some(message) = udp_payload(ip).and_then(dns::Message::parse) else {
            return;
        };
        let port = |at: usize| u16::from_be_bytes([ip.payload[at], ip.payload[at + 1]]);
        sink.dns(&DnsPacket {
            ts,
            src: Endpoint {
                addr: ip.src,
                port: port(0),
            },
            dst: Endpoint {
                addr: ip.dst,
                port: port(2),
            },
            src_internal,
            dst_internal,
            message,
        });
    }

    /// A TCP packet; when it would open a connection, idle ones are closed first. A new
    /// connection looks its endpoints up in DN-Hunter.
    fn tcp_expiring_first(
        &mut self,
        ts: Timestamp,
        ip: &IpPacket<'_>,
        sink: &mut dyn RecordSink,
        mut obs: Option<&mut dyn Observer>,
    ) {
        if self.tcp_packet(ts, ip, false, sink, again(&mut obs)) == Step::ExpireFirst {
            self.expire_for_new_flow(ts, sink, again(&mut obs));
            self.tcp_packet(ts, ip, true, sink, obs);
        }
        if let Some(m) = self.tcp.take_chat_message() {
            sink.chat_message(&m);
        }
        if let (Some(slot), Some(hunter)) = (self.tcp.last_created, self.hunter.as_ref()) {
            self.tcp.flow_mut(slot).dns = hunter.lookup(ip.src, ip.dst);
        }
        self.log_http(ts, ip, sink);
    }

    /// The log_http_complete row the HTTP plugin made of this packet, if any, with the
    /// connection's DN-Hunter name as it is now.
    fn log_http(&mut self, ts: Timestamp, ip: &IpPacket<'_>, sink: &mut dyn RecordSink) {
        let Some(row) = self.tcp.http.take_pending() else {
            return;
        };
        let c = row.connection;
        let fqdn = self.hunter.as_ref().and_then(|h| {
            // A connection opened by this very packet was looked up after the plugin ran.
            let created = self.tcp.last_created.is_some();
            let tag = c
                .dns
                .or_else(|| created.then(|| h.lookup(c.client.addr, c.server.addr))?);
            h.resolve(tag?).map(|d| d.name)
        });
        let (client, server) = (c.client, c.server);
        sink.http(&HttpPacket {
            ts,
            client,
            server,
            fqdn,
            message: self
                .tcp
                .http
                .message(&row.pending, http::tcp_payload(ip.payload)),
        });
    }

    /// One segment into the TCP tracker, its closed connections to the sink.
    fn tcp_packet(
        &mut self,
        ts: Timestamp,
        ip: &IpPacket<'_>,
        expired: bool,
        sink: &mut dyn RecordSink,
        mut obs: Option<&mut dyn Observer>,
    ) -> Step {
        let internal = &self.internal;
        let counters = &mut self.counters;
        let hunter = self.hunter.as_ref();
        let side = &self.side;
        self.tcp.packet(
            ts,
            ip,
            expired,
            |a: &IpAddr| internal.contains(a),
            &|deadline| side.opened_after(deadline),
            &mut |f, complete, tls| {
                emit_tcp(counters, hunter, sink, again(&mut obs), f, complete, tls)
            },
        )
    }

    /// One datagram into the UDP tracker (the same wiring as [`Engine::tcp_packet`]).
    fn udp_packet(
        &mut self,
        ts: Timestamp,
        ip: &IpPacket<'_>,
        expired: bool,
        sink: &mut dyn RecordSink,
        mut obs: Option<&mut dyn Observer>,
    ) -> Step {
        let internal = &self.internal;
        let counters = &mut self.counters;
        let hunter = self.hunter.as_ref();
        let side = &self.side;
        self.udp.packet(
            ts,
            ip,
            expired,
            |a: &IpAddr| internal.contains(a),
            &|deadline| side.opened_after(deadline),
            &mut |f, quic, streams| {
                emit_udp(counters, hunter, sink, again(&mut obs), f, quic, streams)
            },
        )
    }

    /// Close every flow idle past its timeout.
    pub fn expire(&mut self, now: Timestamp, sink: &mut dyn RecordSink) {
        self.expire_observed(now, sink, None);
    }

    /// [`Engine::expire`], closes also reported to `obs`.
    pub fn expire_observed(
        &mut self,
        now: Timestamp,
        sink: &mut dyn RecordSink,
        mut obs: Option<&mut dyn Observer>,
    ) {
        let counters = &mut self.counters;
        let hunter = self.hunter.as_ref();
        self.tcp.expire(now, &mut |f, complete, tls| {
            emit_tcp(counters, hunter, sink, again(&mut obs), f, complete, tls)
        });
        self.udp.expire(now, &mut |f, quic, streams| {
            emit_udp(counters, hunter, sink, again(&mut obs), f, quic, streams)
        });
    }

    /// Live capture on a quiet link: time passes without packets, so flows idle past their
    /// timeout are closed at `wall_now` instead of waiting for the next new flow (which is
    /// when Tstat would close them; see docs/differences.md).
    pub fn quiet(&mut self, wall_now: Timestamp, sink: &mut dyn RecordSink) {
        self.quiet_observed(wall_now, sink, None);
    }

    pub fn quiet_observed(
        &mut self,
        wall_now: Timestamp,
        sink: &mut dyn RecordSink,
        obs: Option<&mut dyn Observer>,
    ) {
        if self.first_packet.is_some() && wall_now > self.now {
            self.expire_observed(wall_now, sink, obs);
        }
    }

    /// End of trace: close every flow.
    pub fn finish(&mut self, sink: &mut dyn RecordSink) {
        self.finish_observed(sink, None);
    }

    /// [`Engine::finish`], closes also reported to `obs`.
    pub fn finish_observed(
        &mut self,
        sink: &mut dyn RecordSink,
        mut obs: Option<&mut dyn Observer>,
    ) {
        let counters = &mut self.counters;
        let hunter = self.hunter.as_ref();
        let now = self.now;
        self.tcp.flush(now, &mut |f, complete, tls| {
            emit_tcp(counters, hunter, sink, again(&mut obs), f, complete, tls)
        });
        self.udp.flush(&mut |f, quic, streams| {
            emit_udp(counters, hunter, sink, again(&mut obs), f, quic, streams)
        });
    }
}

/// A shorter-lived reborrow of an optional observer, to hand to a callee and use again
/// after (`Option::as_deref_mut` would keep the trait object's longer lifetime).
fn again<'s>(obs: &'s mut Option<&mut dyn Observer>) -> Option<&'s mut dyn Observer> {
    match obs {
        Some(o) => Some(&mut **o),
        None => None,
    }
}

/// DN-Hunter learns the DNS response `ip` may carry, if `udp` counted it in a flow, with the
/// flow's ports and its last request and response times.
fn learn_dns_response(hunter: &mut DnsHunter, udp: &UdpTracker, ip: &IpPacket<'_>) {
    let (Some(counted), Some(payload)) = (udp.last_counted, udp_payload(ip)) else {
        return;
    };
    let flow = udp.flow(counted.slot);
    hunter.observe(&dnshunter::Response {
        src: ip.src,
        dst: ip.dst,
        ports: (flow.client.port, flow.server.port),
        payload,
        request: flow.c2s.last,
        response: flow.s2c.last,
    });
}

/// The UDP payload as long as the IP header says, never more than was captured (Tstat reads
/// the IP length and would run past a short capture).
fn udp_payload<'a>(ip: &IpPacket<'a>) -> Option<&'a [u8]> {
    let captured = ip.payload.get(8..)?;
    let len = ip.payload_len.saturating_sub(8).min(captured.len());
    Some(&captured[..len])
}

fn is_multicast(a: &IpAddr) -> bool {
    match a {
        IpAddr::V4(v4) => v4.is_multicast(),
        IpAddr::V6(v6) => v6.octets()[0] == 0xff,
    }
}

/// Tstat's DNS_CACHE_SIZE_IPV6 (compile time in Tstat, not in globals.conf).
const DNS_CACHE_SIZE_IPV6: usize = 1000;

/// Tstat logs a flow only when at least one end is internal.
fn emit_tcp(
    counters: &mut Counters,
    hunter: Option<&DnsHunter>,
    sink: &mut dyn RecordSink,
    obs: Option<&mut dyn Observer>,
    f: &tcp::TcpFlow,
    complete: bool,
    records: Records<'_>,
) {
    if let Some(o) = obs.filter(|_| !f.unseen) {
        o.tcp_closed(&tcp::notes::closed(f, complete));
    }
    // Tstat writes the chat row first, whatever the endpoints (chat.md §3).
    if let Some(chat) = records.chat.filter(|c| c.has_row()) {
        sink.chat(f, chat);
    }
    if f.client_internal || f.server_internal {
        let names = TcpNames {
            dns: hunter.zip(f.dns).and_then(|(h, tag)| h.resolve(tag)),
            tls: records.tls,
        };
        sink.tcp_named(f, complete, &names);
    } else {
        counters.external_flows += 1;
    }
}

fn emit_udp(
    counters: &mut Counters,
    hunter: Option<&DnsHunter>,
    sink: &mut dyn RecordSink,
    obs: Option<&mut dyn Observer>,
    f: &udp::UdpFlow,
    quic: Option<&gquic::Names>,
    streams: Streams<'_>,
) {
    if let Some(o) = obs.filter(|_| !f.unseen) {
        o.udp_closed(&udp::closed(f));
    }
    if f.client_internal || f.server_internal {
        let names = UdpNames {
            dns: hunter.zip(f.dns).and_then(|(h, tag)| h.resolve(tag)),
            quic_sni: quic.map(|q| q.sni.as_slice()).filter(|s| !s.is_empty()),
            quic_ua: quic.map(|q| q.ua.as_slice()).filter(|s| !s.is_empty()),
        };
        sink.udp_named(f, &names);
        sink.mm(f, &streams);
    } else {
        counters.external_flows += 1;
    }
}
