//! The observer seam: what the engine reports while it analyses, for the outputs that count
//! packets and flows rather than log them (histograms; later RRD, the dashboard, exporters).
//!
//! An observer is reached through [`crate::sink::RecordSink::observer`]; without one the
//! engine builds no event at all. Events carry plain numbers, not engine state, so an
//! observer knows nothing about how the engine keeps its flows, and the engine nothing
//! about what is counted (docs/semantics/histograms.md §7.2 is the contract).
//!
//! Only what Tstat 3.2.1 itself would see is reported: the first IP header of a frame, or
//! the inner one of an IPIP/6in4 packet, on link layers Tstat decodes (Ethernet with at most
//! one VLAN tag or one MPLS label, PPPoE with IPv4, and the other link types). Packets found
//! inside encapsulations Tstat skips (stacked VLANs, QinQ, GRE, VXLAN, Teredo) feed the logs
//! as extra rows but no observer, so histograms stay Tstat's.

use crate::time::Timestamp;

/// Where a packet or a flow direction goes relative to the internal networks, as Tstat's
/// `in_out_loc`: `Out` from an internal to an external address, `In` the reverse, `Loc`
/// between internal ones. Both ends external is `None` (Tstat's `LOG_UNKNOWN` is off: such
/// traffic feeds no direction histogram).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    In,
    Out,
    Loc,
}

impl Way {
    /// The way from `src` to `dst`, given whether each is internal.
    pub fn of(src_internal: bool, dst_internal: bool) -> Option<Way> {
        match (src_internal, dst_internal) {
            (true, false) => Some(Way::Out),
            (false, true) => Some(Way::In),
            (true, true) => Some(Way::Loc),
            (false, false) => None,
        }
    }
}

/// A packet's two ends as the histograms see them: internal (`-N`) and cloud (`-C`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ends {
    pub src_internal: bool,
    pub dst_internal: bool,
    pub src_cloud: bool,
    pub dst_cloud: bool,
}

impl Ends {
    pub fn way(&self) -> Option<Way> {
        Way::of(self.src_internal, self.dst_internal)
    }
}

/// An IPv4 packet after its transport-layer analysis (Tstat's `ip_histo_stat`): every one
/// that was not a TCP or UDP duplicate, ICMP, other protocols, fragments, trash and cut TCP
/// or UDP included.
#[derive(Debug, Clone, Copy)]
pub struct Ipv4Seen {
    pub ends: Ends,
    pub protocol: u8,
    /// The header's total-length field.
    pub total_len: u16,
    pub ttl: u8,
    pub tos: u8,
    /// Addresses as the four bytes of the header.
    pub src: [u8; 4],
    pub dst: [u8; 4],
}

/// What follows the IPv6 header chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ipv6Next {
    Tcp,
    Udp,
    /// ICMPv6 with its type byte.
    Icmp(u8),
    /// Anything else, a later fragment included.
    Other,
}

/// An IPv6 packet at the IP layer (Tstat's `IPv6_support`), before any transport step:
/// duplicates included.
#[derive(Debug, Clone, Copy)]
pub struct Ipv6Seen {
    pub ends: Ends,
    /// The fixed header's next-header byte (0 for hop-by-hop, 44 for a fragment...).
    pub next_header: u8,
    pub hop_limit: u8,
    /// The payload-length field (extension headers included).
    pub payload_len: u16,
    /// What the walk over the extension headers ends at.
    pub next: Ipv6Next,
}

/// A TCP segment with a whole header that was neither a duplicate nor too short (trash
/// included): Tstat's `tcp_header_stat`.
#[derive(Debug, Clone, Copy)]
pub struct TcpSegmentSeen {
    pub ends: Ends,
    pub ipv6: bool,
    pub src_port: u16,
    pub dst_port: u16,
    pub syn: bool,
    pub ack: bool,
    /// IP header plus IP payload: the IPv4 total length, or 40 + the IPv6 payload length.
    pub ip_len: u32,
}

/// A UDP datagram with a whole header that was not a duplicate: `udp_header_stat`.
#[derive(Debug, Clone, Copy)]
pub struct UdpDatagramSeen {
    pub ends: Ends,
    pub ipv6: bool,
    pub dst_port: u16,
    /// As [`TcpSegmentSeen::ip_len`].
    pub ip_len: u32,
}

/// A TCP connection's classification as the histogram label maps need it (tcpL7.c,
/// web.c, videoL7.c): the numbers, not the labels, which the observer derives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpLabels {
    /// con_t bit mask.
    pub con_type: u32,
    /// p2p_type: IPP2P protocol × 100 + subtype.
    pub p2p_type: u32,
    /// The HTTP content class (http_t − 1 for HTTP connections).
    pub http_data: u32,
    /// videoL7's content and payload types (0: none).
    pub video_content: u8,
    pub video_payload: u8,
    /// The TLS service of the server name (tls_services.c: 0 other, 1 Google ... 8
    /// Instagram).
    pub tls_service: u8,
    /// Sizes of the first two messages of each direction, for the RTMP test of
    /// `map_flow_type`; and how many messages each direction has.
    pub c2s_messages: u32,
    pub s2c_messages: u32,
    pub c2s_message_sizes: [u32; 2],
    pub s2c_message_sizes: [u32; 2],
}

/// The bytes of one TCP segment for the per-class bitrates (`make_tcpL7_rate_stats`): a
/// segment of a tracked connection with RST, or with ACK or SYN, after the analyzers ran.
#[derive(Debug, Clone, Copy)]
pub struct TcpRateSeen {
    pub ends: Ends,
    /// Header plus payload length as Tstat keeps it, in a C `short` (wraps above 32767).
    pub len: i16,
    pub labels: TcpLabels,
}

/// The bytes of one UDP datagram of a flow for the per-class bitrates
/// (`make_udpL7_rate_stats`), with its direction's UDP type after the analyzers ran.
#[derive(Debug, Clone, Copy)]
pub struct UdpRateSeen {
    pub ends: Ends,
    pub ip_len: u32,
    pub direction: UdpDirectionLabels,
}

/// What the UDP label map (`UDP_p2p_to_L7type`) reads of one direction of a flow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UdpDirectionLabels {
    /// The direction's UDP type (c_type/s_type numbering, udp-dpi.md).
    pub udp_type: u8,
    /// RFC 7983 multiplexing mask of an RTP_PLUS direction (bit 1 RTP).
    pub mux_mask: u8,
    /// The Skype classifier confirmed this direction's flavour (types 5 and 6).
    pub skype_confirmed: bool,
    /// The flow's obfuscated-KAD state is one of the five OUDP states.
    pub kad_obfuscated: bool,
    /// Either port of the flow is 123 (NTP).
    pub ntp_port: bool,
}

/// A UDP direction's RTP or RTCP stream was confirmed (type 28 becomes 29: `rtp_plus_check`).
#[derive(Debug, Clone, Copy)]
pub struct RtpConfirmed {
    /// D(udpdir) of the confirming packet's direction.
    pub way: Option<Way>,
    /// Whether the cloud (`c`) twin gets the sample, else the `nc` one.
    pub cloud: bool,
    /// RTCP (value 2) rather than RTP (value 1).
    pub rtcp: bool,
}

/// A sequence event of an RTP stream (`rtp_stat`), in the packet's D(rtp).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RtpSequence {
    /// `seq ≠ largest + 1`.
    OutOfSequence,
    /// An out-of-sequence packet behind the largest one, with its delay in ms.
    Reordered { delay_ms: f64 },
    /// Losses counted since the last window refill.
    Burst(u32),
}

/// What one RTCP packet reported (`rtcp_stat`), in the packet's D(rtp).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RtcpReportSeen {
    /// A sender report after an earlier one: kbit/s between the two.
    pub sender_kbps: Option<f64>,
    /// A report block: interarrival jitter (RTP timestamp units), fraction lost (0-255),
    /// change of the cumulative loss when the stream has two samples or more, RTT in ms.
    pub jitter: Option<u32>,
    pub fraction_lost: Option<u8>,
    pub lost_delta: Option<i64>,
    pub rtt_ms: Option<f64>,
}

/// The counters of one TCP direction at close that the per-flow histograms read.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TcpHalfClosed {
    pub packets: u64,
    /// Payload bytes, retransmissions included (c_bytes_all), and unique ones.
    pub data_bytes: u64,
    pub unique_bytes: u64,
    /// Segments carrying payload (c_pkts_data).
    pub data_packets: u64,
    pub fins: u64,
    pub resets: u64,
    /// Window: smallest non-zero, largest, and the sum (u32, wraps) over ACK- or SYN-flagged
    /// non-RST segments, whose average is `win_sum / packets`.
    pub win_min: u32,
    pub win_max: u32,
    pub win_sum: u32,
    /// MSS option (0 when none), and whether SACK-permitted, window scale, timestamps and
    /// MP_CAPABLE were asked for.
    pub mss: i32,
    pub sack: bool,
    pub window_scale: bool,
    pub timestamps: bool,
    pub mptcp: bool,
    /// RTT samples in µs: count, sum, sum of squares, smallest, largest.
    pub rtt_count: u32,
    pub rtt_sum: f64,
    pub rtt_sum2: f64,
    pub rtt_min_us: u64,
    pub rtt_max_us: u64,
    /// Segment classes (tcp-sets.md §3.6).
    pub rto: u32,
    pub fast_retransmit: u32,
    pub reordering: u32,
    pub network_duplicate: u32,
    pub unknown: u32,
    pub flow_control: u32,
    pub unneeded_rto: u32,
    pub unneeded_fast_retransmit: u32,
    /// Time of the last segment with payload (Tstat's `payload_end_time`).
    pub last_payload: Option<Timestamp>,
    /// For `profile_tcpdata`: payload bytes the sequence numbers span (Tstat's
    /// `max_seq − syn − 1`, less the FIN), 0 when nothing was sent.
    pub expected_bytes: u64,
}

/// A TCP connection at close (`make_conn_stats`).
#[derive(Debug, Clone, Copy)]
pub struct TcpClosed {
    /// Complete: FIN completion, or SYNs seen both ways.
    pub complete: bool,
    pub client_internal: bool,
    pub server_internal: bool,
    pub client_cloud: bool,
    pub server_cloud: bool,
    pub first: Timestamp,
    pub last: Timestamp,
    /// Only SYNs from one side: the connection's idle timeout is the singleton one (with
    /// `last`, when a lone engine's idle scan would close it).
    pub singleton: bool,
    pub c2s: TcpHalfClosed,
    pub s2c: TcpHalfClosed,
    pub labels: TcpLabels,
}

/// One UDP direction at close.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UdpHalfClosed {
    pub packets: u64,
    /// Σ (UDP length − 8).
    pub data_bytes: u64,
    pub labels: UdpDirectionLabels,
}

/// A UDP flow at close (`make_udp_conn_stats`).
#[derive(Debug, Clone, Copy)]
pub struct UdpClosed {
    pub client_internal: bool,
    pub server_internal: bool,
    pub client_cloud: bool,
    pub server_cloud: bool,
    pub first: Timestamp,
    pub last: Timestamp,
    /// One datagram only: the flow's idle timeout is the singleton one.
    pub singleton: bool,
    pub c2s: UdpHalfClosed,
    pub s2c: UdpHalfClosed,
}

/// Chat session bookkeeping for `chat_flow_num` (msn.c, jabber.c, ymsg.c).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    MsnChat,
    MsnPresence,
    XmppChat,
    XmppPresence,
    YmsgChat,
    YmsgPresence,
}

/// Everything an observer may be told. Every method has an empty default, so an observer
/// implements what it counts. Within one packet the events come in the engine's order; the
/// packet ends with [`Observer::packet_end`], after everything it caused, flow closes
/// included.
#[allow(unused_variables)]
pub trait Observer {
    /// The first packet of the run (Tstat's `InitAfterFirstPacketReaded`), before any other
    /// event of that packet. Tstat runs it again at the first packet of every input file
    /// without `-c`; the histograms then restart their chat windows and their byte counters
    /// (TLS's excepted). The histogram clock does not start here but at the first IP packet:
    /// the `packet_end` of the first packet that had an `ipv4` or `ipv6` event.
    fn first_packet(&mut self, at: Timestamp) {}
    fn ipv4(&mut self, p: &Ipv4Seen) {}
    fn ipv6(&mut self, p: &Ipv6Seen) {}
    fn tcp_segment(&mut self, s: &TcpSegmentSeen) {}
    fn udp_datagram(&mut self, d: &UdpDatagramSeen) {}
    /// A pure SYN of an unknown pair opened a connection (`opened`) or found no free slot.
    /// A refused SYN is also Tstat's trash (`not_id_p`, `profile_trash`): the observer counts
    /// it from this call, so it gets no `tcp_trash` as well.
    fn tcp_opened(&mut self, opened: bool) {}
    /// A segment that matched no connection and was no pure SYN (Tstat's trash). Not for a
    /// SYN refused for want of a slot: that is `tcp_opened(false)`.
    fn tcp_trash(&mut self) {}
    /// A datagram opened a UDP flow (`opened`) or found no free slot.
    fn udp_opened(&mut self, opened: bool) {}
    /// The first datagram of either direction of a flow, with its destination port.
    fn udp_direction_started(&mut self, dst_port: u16) {}
    /// Bytes in flight of the opposite direction, sampled at an ACK (`tcp_cwnd`).
    fn tcp_in_flight(&mut self, bytes: u32) {}
    /// A segment piece classified (tcp-sets.md §3.6: 0-7, or 63 for the other classes);
    /// `way` is the packet's, `c2s` its direction in the connection.
    fn tcp_segment_class(&mut self, way: Option<Way>, c2s: bool, class: u8) {}
    fn tcp_rate(&mut self, r: &TcpRateSeen) {}
    fn udp_rate(&mut self, r: &UdpRateSeen) {}
    fn rtp_confirmed(&mut self, c: &RtpConfirmed) {}
    fn rtp_sequence(&mut self, way: Option<Way>, event: RtpSequence) {}
    fn rtcp_report(&mut self, way: Option<Way>, report: &RtcpReportSeen) {}
    /// A TCP connection closed: by the packet in progress (FIN/RST completion, half-duplex
    /// rule, the idle scan a new flow triggers), or at the end of the input, after the last
    /// `packet_end` (Tstat's `trace_done`, which the histograms' open-flow average does not
    /// count as departures). Ext–ext connections too.
    fn tcp_closed(&mut self, flow: &TcpClosed) {}
    /// A UDP flow closed (idle scan or end of input), ext–ext flows too.
    fn udp_closed(&mut self, flow: &UdpClosed) {}
    /// A chat session of `kind` opened (`true`) or closed, at `at`.
    fn chat_session(&mut self, kind: ChatKind, open: bool, at: Timestamp) {}
    /// The packet in progress, at `at`, would open a flow (a TCP connection or a UDP flow,
    /// opened or refused for want of a slot), so the engine closed the flows idle past their
    /// timeout first, as Tstat does; their closes follow. Reported for every such packet,
    /// also those Tstat does not see (as closes are). Worker threads use it to put each
    /// idle close where a lone engine makes it.
    fn flow_opening(&mut self, at: Timestamp) {}
    /// Whether the observer must act before it hears of the next packet; asked after each
    /// `packet_end` by whoever replays recorded events (worker threads), which then stops
    /// until told to go on. The histograms ask when their step count reaches the output
    /// folder's rotation (`Dirs` steps), so the folder changes at the same packet as with
    /// one engine.
    fn pause_requested(&self) -> bool {
        false
    }
    /// The packet at `now` is done; `flow_stat_ok` when its TCP segment or UDP datagram
    /// belonged to a tracked flow (Tstat's `FLOW_STAT_OK`: not trash, not a duplicate, not
    /// cut), the only packets that may end a histogram step. `now` is the time of every event
    /// of the packet (flow openings and closes included: the histograms' open-flow averages
    /// take them at this time), so it must come for every packet that had events.
    fn packet_end(&mut self, now: Timestamp, flow_stat_ok: bool) {}
}

/// An observer that keeps events to be replayed elsewhere (worker threads): before the
/// events of each IP layer of a frame it is told which layer they are about (0 also for what
/// comes before the layers), so that the events of a frame whose layers several workers
/// analysed can be put back in a lone engine's order.
pub trait LayeredObserver: Observer {
    fn layer(&mut self, index: u8);
}

/// An observer that counts nothing.
pub struct NoObserver;

impl Observer for NoObserver {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ways_follow_tstats_in_out_loc() {
        assert_eq!(Way::of(true, false), Some(Way::Out));
        assert_eq!(Way::of(false, true), Some(Way::In));
        assert_eq!(Way::of(true, true), Some(Way::Loc));
        assert_eq!(Way::of(false, false), None);
    }
}
