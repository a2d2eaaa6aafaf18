//! What the analysis of one segment noted for the observers (`engine::observe`). The tracker
//! fills it while it works; the engine hands it on once the segment is done, so the tracker
//! never holds an observer.

use super::segments::PacketClasses;
use super::{TcpFlow, TcpHalf};
use crate::engine::observe::{TcpHalfClosed, TcpLabels};

/// How Tstat's `tcp_flow_stat` ended for a segment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FlowStat {
    /// It belonged to a tracked connection (`FLOW_STAT_OK`).
    #[default]
    Ok,
    /// It matched no connection and opened none (`FLOW_STAT_NULL`).
    Trash,
    /// A duplicate of the direction's last packet (`FLOW_STAT_DUP`).
    Duplicate,
    /// Too short for a TCP header (`FLOW_STAT_SHORT`).
    Short,
}

/// One segment's notes.
#[derive(Debug, Clone, Default)]
pub struct TcpNotes {
    pub stat: FlowStat,
    pub src_port: u16,
    pub dst_port: u16,
    pub syn: bool,
    pub ack: bool,
    /// A pure SYN of an unknown pair: whether a connection slot was free for it.
    pub opened: Option<bool>,
    /// Bytes in flight of the other direction, sampled at this ACK.
    pub in_flight: Option<u32>,
    /// The classes of the segment's pieces, and its direction in the connection.
    pub classes: PacketClasses,
    pub c2s: bool,
    /// The segment counts for the per-class bitrates: its IP length as Tstat's `short`,
    /// and the connection's classification once the analyzers ran.
    pub rate: Option<(i16, TcpLabels)>,
}

impl TcpNotes {
    pub fn start(&mut self) {
        self.stat = FlowStat::Ok;
        self.opened = None;
        self.in_flight = None;
        self.classes.clear();
        self.rate = None;
    }
}

/// The classification numbers the histogram label maps read.
pub fn labels(flow: &TcpFlow) -> TcpLabels {
    let c = &flow.classes;
    TcpLabels {
        con_type: c.con_type,
        p2p_type: c.p2p_type,
        http_data: c.http_data,
        video_content: 0,
        video_payload: 0,
        tls_service: c.tls_service,
        c2s_messages: flow.c2s.messages,
        s2c_messages: flow.s2c.messages,
        c2s_message_sizes: flow.c2s.message_sizes,
        s2c_message_sizes: flow.s2c.message_sizes,
    }
}

/// A direction's counters at close.
pub fn half_closed(h: &TcpHalf) -> TcpHalfClosed {
    let o = &h.opts;
    let a = &h.anomalies;
    TcpHalfClosed {
        packets: h.pkts_all,
        data_bytes: h.bytes_all,
        unique_bytes: h.bytes_uniq,
        data_packets: h.pkts_data,
        fins: h.fin,
        resets: h.rst,
        win_min: o.win_min,
        win_max: o.win_max,
        win_sum: h.win_sum,
        mss: o.mss as i32,
        sack: o.sack_permitted,
        window_scale: o.window_scale_seen,
        timestamps: o.timestamp_seen,
        mptcp: o.mptcp,
        rtt_count: h.rtt.count,
        rtt_sum: h.rtt.sum,
        rtt_sum2: h.rtt.sum2,
        rtt_min_us: h.rtt.min,
        rtt_max_us: h.rtt.max,
        rto: a.rto,
        fast_retransmit: a.fast_retransmit,
        reordering: a.reordering,
        network_duplicate: a.network_duplicate,
        unknown: a.unknown,
        flow_control: a.flow_control,
        unneeded_rto: a.unneeded_rto,
        unneeded_fast_retransmit: a.unneeded_fast_retransmit,
        last_payload: h.last_payload,
        expected_bytes: expected_bytes(h),
    }
}

/// Payload bytes the sequence numbers span (Tstat's estimate behind `profile_tcpdata`,
/// tcp.c `make_conn_stats`): from the SYN to the highest sequence number, one less when a
/// FIN came below it, in 32-bit sequence arithmetic as Tstat's `u_int` fields.
fn expected_bytes(h: &TcpHalf) -> u64 {
    let max = h.max_seq as u32;
    if max == h.syn_seq {
        return 0;
    }
    let fin_below = h.fin > 0 && max > h.fin_seq;
    let less = if fin_below { 2 } else { 1 };
    max.wrapping_sub(h.syn_seq).wrapping_sub(less) as u64
}

/// A connection at close, as the observers see it.
pub fn closed(flow: &TcpFlow, complete: bool) -> crate::engine::observe::TcpClosed {
    crate::engine::observe::TcpClosed {
        complete,
        client_internal: flow.client_internal,
        server_internal: flow.server_internal,
        client_cloud: false,
        server_cloud: false,
        first: flow.first,
        last: flow.last,
        singleton: flow.singleton(),
        c2s: half_closed(&flow.c2s),
        s2c: half_closed(&flow.s2c),
        labels: labels(flow),
    }
}
