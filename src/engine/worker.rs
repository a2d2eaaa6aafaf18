//! What an engine does as one of several worker threads (`--workers`, feature `workers`):
//! frames handed over by a reader, other workers' DNS packets for DN-Hunter, and the flow
//! openings shared through [`super::peers`].

use std::net::IpAddr;

use super::observe::{LayeredObserver, Observer};
use super::peers::PeerView;
use super::tcp::Step;
use super::udp::{UdpConfig, UdpTracker};
use super::{learn_dns_response, Engine, EngineConfig};
use crate::decode::{self, proto, Fragment, IpPacket};
use crate::sink::RecordSink;
use crate::time::Timestamp;

/// A worker's own state: the replica of other workers' DNS flows, and its view of the
/// other workers' flow openings.
#[derive(Default)]
pub(super) struct Side {
    /// The DNS flows of the other workers, tracked as a UDP tracker would (same timeouts,
    /// same duplicate rule) so that DN-Hunter learns each of their responses with the
    /// request and response times the owning worker sees. Never logged.
    replica: Option<UdpTracker>,
    peers: Option<PeerView>,
}

impl Side {
    /// The current frame opens a flow at `ts`: the peers learn of it.
    pub(super) fn opened(&mut self, ts: Timestamp) {
        if let Some(p) = self.peers.as_mut() {
            p.opened(ts);
        }
    }

    /// Whether another engine opened a flow, before the current frame, later than
    /// `deadline` (see [`PeerView::opened_after`]).
    pub(super) fn opened_after(&self, deadline: Timestamp) -> bool {
        self.peers
            .as_ref()
            .is_some_and(|p| p.opened_after(deadline))
    }

    pub(super) fn new(cfg: &EngineConfig, udp: UdpConfig) -> Side {
        Side {
            replica: (cfg.dns_replica > 0 && cfg.dns_hunter).then(|| {
                UdpTracker::replica(UdpConfig {
                    capacity: cfg.dns_replica,
                    ..udp
                })
            }),
            peers: None,
        }
    }
}

impl Engine {
    /// A frame a reader thread decoded and handed to this worker: only the IP layers in
    /// `own` (bit i for layer i) are this worker's; those in `replica` are DNS packets of
    /// another worker's flows, for DN-Hunter only. The reader counted the frame itself.
    pub fn dispatched_frame(
        &mut self,
        ts: Timestamp,
        link_type: u32,
        data: &[u8],
        own: u8,
        replica: u8,
        sink: &mut dyn RecordSink,
    ) {
        // The reader's shortcut (parallel::quick) hands over frames it did not decode.
        let mut layers = decode::Layers::new();
        if let Err(reason) = decode::decode_frame_into(link_type, data, &mut layers) {
            self.counters.skipped[reason as usize] += 1;
            return;
        }
        for (i, ip) in layers.iter().enumerate() {
            if own & (1 << i) != 0 {
                self.ip_packet(ts, ip, sink);
            } else if replica & (1 << i) != 0 {
                self.replica_dns(ts, ip);
            }
        }
    }

    /// [`Engine::dispatched_frame`] with an observer, which hears what a lone engine's
    /// observer hears of this worker's layers: the layer Tstat sees when it is one of them,
    /// and the closes every one of them causes. With `view` this worker also reports what
    /// Tstat reads in the frame outside any TCP or UDP layer (a misread second VLAN tag, an
    /// IP packet of another protocol): the reader gives that part of each frame to one
    /// worker.
    #[allow(clippy::too_many_arguments)]
    pub fn dispatched_frame_observed(
        &mut self,
        ts: Timestamp,
        link_type: u32,
        data: &[u8],
        own: u8,
        replica: u8,
        view: bool,
        sink: &mut dyn RecordSink,
        obs: &mut dyn LayeredObserver,
    ) {
        if view {
            if let Some(m) = decode::tstat_misread(link_type, data) {
                obs.layer(0);
                self.misread_observed(ts, &m, obs);
            }
        }
        let mut layers = decode::Layers::new();
        if let Err(reason) = decode::decode_frame_into(link_type, data, &mut layers) {
            // A frame handed over only for its view was decoded (and counted) by the reader.
            if own != 0 {
                self.counters.skipped[reason as usize] += 1;
            }
            return;
        }
        let seen = decode::tstat_layer(link_type, data, &layers);
        for (i, ip) in layers.iter().enumerate() {
            let tstat_sees = Some(i) == seen;
            if own & (1 << i) != 0 {
                obs.layer(i as u8);
                self.ip_packet_seen(ts, ip, sink, Some(&mut *obs), tstat_sees);
                if !tstat_sees {
                    self.mark_created_unseen(ip.protocol);
                }
            } else if replica & (1 << i) != 0 {
                self.replica_dns(ts, ip);
            } else if view && tstat_sees && !matches!(ip.protocol, proto::TCP | proto::UDP) {
                obs.layer(i as u8);
                self.other_ip_observed(ts, ip, obs);
            }
        }
    }

    /// Worker threads with an observer: close the flows a lone engine would have closed by
    /// frame `seq`. A lone engine's idle scan runs at every flow opening, a worker's only at
    /// its own, so this one scans at the latest opening any engine made before `seq` (every
    /// flow idle past its timeout then is one a lone engine has closed by then). Waits until
    /// every engine has passed `seq`. The observer hears the closes; whoever replays them
    /// puts each at the opening that closed it in the lone engine.
    pub fn catch_up(&mut self, seq: u64, sink: &mut dyn RecordSink, obs: &mut dyn Observer) {
        let latest = self
            .side
            .peers
            .as_ref()
            .and_then(|p| p.latest_opening_before(seq));
        if let Some(at) = latest {
            self.expire_observed(at, sink, Some(obs));
        }
    }

    /// A UDP packet with port 53 on either side that belongs to another worker's flow: it
    /// goes through the replica tracker, and DN-Hunter learns its response as the owning
    /// worker does. Nothing is logged or counted.
    pub fn replica_dns(&mut self, ts: Timestamp, ip: &IpPacket<'_>) {
        if !self.trace_udp || (ip.is_ipv6() && !self.trace_ipv6) || ip.fragment == Fragment::Later {
            return;
        }
        let Side { replica, peers } = &mut self.side;
        let (Some(replica), Some(hunter)) = (replica.as_mut(), self.hunter.as_mut()) else {
            return;
        };
        let anywhere = |_: &IpAddr| false;
        let opened_after = |deadline| peers.as_ref().is_some_and(|p| p.opened_after(deadline));
        if replica.packet(ts, ip, false, anywhere, &opened_after, &mut |_, _, _| {})
            == Step::ExpireFirst
        {
            replica.expire(ts, &mut |_, _, _| {});
            replica.packet(ts, ip, true, anywhere, &opened_after, &mut |_, _, _| {});
        }
        learn_dns_response(hunter, replica, ip);
    }

    /// Make this engine one of several: it publishes its flow openings to `view` and asks
    /// it before going on with a flow idle past its timeout.
    pub fn join_peers(&mut self, view: PeerView) {
        self.side.peers = Some(view);
    }

    /// The next frame is number `seq` of the input (worker threads).
    pub fn begin_frame(&mut self, seq: u64) {
        if let Some(p) = self.side.peers.as_mut() {
            p.begin_frame(seq);
        }
    }

    /// Every frame of this engine numbered below `seq` is done (worker threads).
    pub fn done_before(&mut self, seq: u64) {
        if let Some(p) = self.side.peers.as_mut() {
            p.done_before(seq);
        }
    }

    /// Time has reached `now` elsewhere (a worker learns the reader's clock at the end).
    pub fn advance_clock(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
    }
}
