//! The run's counters in one copyable value, so that several engines (one per worker
//! thread) add up to the figures one engine would print.

use super::tcp::TcpCounters;
use super::udp::UdpCounters;
use super::{Counters, Engine};

/// Everything the end-of-run summary prints about the analysis.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub engine: Counters,
    pub tcp: TcpCounters,
    pub udp: UdpCounters,
    /// TCP segments forgotten past max_seg_per_quad, and refused with the pool full.
    pub segments_evicted: u64,
    pub segments_refused: u64,
    pub rtp_untracked: u64,
    pub quic_names_untracked: u64,
    pub quic_hellos_untracked: u64,
    pub tls_exhausted: u64,
    /// Split ClientHellos longer than their buffer, and not gathered (buffers in use).
    pub hellos_cut: u64,
    pub hellos_exhausted: u64,
    /// TCP and UDP flows open now (a gauge: the sum over engines is the run's).
    pub open_flows: u64,
}

impl Figures {
    pub fn of(engine: &Engine) -> Figures {
        Figures {
            engine: engine.counters,
            tcp: engine.tcp.counters,
            udp: engine.udp.counters,
            segments_evicted: engine.tcp.segments.evicted,
            segments_refused: engine.tcp.segments.refused,
            rtp_untracked: engine.udp.rtp_untracked(),
            quic_names_untracked: engine.udp.quic_names_untracked(),
            quic_hellos_untracked: engine.udp.quic_hellos_untracked(),
            tls_exhausted: engine.tcp.tls.exhausted(),
            hellos_cut: engine.tcp.tls.hellos.cut,
            hellos_exhausted: engine.tcp.tls.hellos.exhausted(),
            open_flows: (engine.tcp.open_flows() + engine.udp.open_flows()) as u64,
        }
    }

    /// Add another engine's figures to these.
    pub fn add(&mut self, o: &Figures) {
        self.engine.add(&o.engine);
        let (t, u) = (&mut self.tcp, &mut self.udp);
        t.packets += o.tcp.packets;
        t.trash += o.tcp.trash;
        t.truncated += o.tcp.truncated;
        t.flows += o.tcp.flows;
        t.table_full += o.tcp.table_full;
        t.duplicates += o.tcp.duplicates;
        u.packets += o.udp.packets;
        u.truncated += o.udp.truncated;
        u.duplicates += o.udp.duplicates;
        u.flows += o.udp.flows;
        u.table_full += o.udp.table_full;
        self.segments_evicted += o.segments_evicted;
        self.segments_refused += o.segments_refused;
        self.rtp_untracked += o.rtp_untracked;
        self.quic_names_untracked += o.quic_names_untracked;
        self.quic_hellos_untracked += o.quic_hellos_untracked;
        self.tls_exhausted += o.tls_exhausted;
        self.hellos_cut += o.hellos_cut;
        self.hellos_exhausted += o.hellos_exhausted;
        self.open_flows += o.open_flows;
    }
}

impl Counters {
    pub fn add(&mut self, o: &Counters) {
        self.frames += o.frames;
        self.ip_packets += o.ip_packets;
        for (a, b) in self.skipped.iter_mut().zip(o.skipped) {
            *a += b;
        }
        self.later_fragments += o.later_fragments;
        self.ipv6_ignored += o.ipv6_ignored;
        self.zero_time_frames += o.zero_time_frames;
        self.external_flows += o.external_flows;
    }
}
