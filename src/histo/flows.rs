//! The per-flow feeds at close (docs/semantics/histograms.md §5.4, §5.5, §5.7, §5.11, §5.13):
//! `tcp.c:make_conn_stats` with the TCP label plugins, `udp.c:make_udp_conn_stats` with
//! `p2p.c:make_p2p_conn_stats`.
//!
//! Not fed: the ICY-only `mm_*` (the events carry no SHOUTcast stream statistics:
//! inter-packet gaps, jitter, out-of-order and retransmitted packets of the s2c stream; no
//! reference trace has an ICY flow), and the Skype additions of `-B` (`skype.c`: label 7 TCP
//! bytes and the confirmed E2E/E2O UDP directions), which need a confirmation the engine does
//! not make (it prints those directions unconfirmed, as Tstat does without one).

use super::defs::Hid::{self, *};
use super::feed::pick;
use super::labels;
use super::window::elapsed;
use super::Histograms;
use crate::engine::observe::{TcpClosed, TcpHalfClosed, UdpClosed, UdpHalfClosed, Way};

/// `Average()`: Tstat divides by `count + 0.0001`.
fn average(sum: f64, count: u32) -> f64 {
    sum / (f64::from(count) + 0.0001)
}

/// `Stdev()`: 0 for fewer than three samples.
fn stdev(sum: f64, sum2: f64, n: u32) -> f64 {
    if n <= 2 {
        return 0.0;
    }
    let n = f64::from(n);
    ((sum2 - sum * sum / n) / (n - 1.0)).sqrt()
}

fn us(t: crate::time::Timestamp) -> i64 {
    super::micros(t)
}

/// The option histograms' four cases: both, client only, server only, neither.
fn both_one_none(c2s: bool, s2c: bool) -> f64 {
    match (c2s, s2c) {
        (true, true) => 1.0,
        (true, false) => 2.0,
        (false, true) => 3.0,
        (false, false) => 4.0,
    }
}

/// Which direction is outgoing and which incoming for the in/out objects; for a local flow
/// Tstat calls s2c "outgoing" and c2s "incoming" and feeds both into the loc object.
fn out_in<'a, T>(way: Way, c2s: &'a T, s2c: &'a T) -> (&'a T, &'a T) {
    match way {
        Way::Out => (c2s, s2c),
        Way::In | Way::Loc => (s2c, c2s),
    }
}

impl Histograms {
    /// A TCP connection is closed (`make_conn_stats`).
    pub(super) fn tcp_flow_closed(&mut self, f: &TcpClosed) {
        if self.store.on(profile_flows) {
            self.pending.tcp_departures += 1;
        }
        let way = Way::of(f.client_internal, f.server_internal);
        if f.complete {
            self.tcp_l7_counts(f, way);
        }
        let Some(way) = way else { return };
        if f.complete {
            self.tcp_complete(f, way);
            self.tcpdata(f);
        }
        self.tcp_interrupted_sample(f);
    }

    /// `make_tcpL7_conn_stats` and `make_videoL7_conn_stats` (complete flows only).
    fn tcp_l7_counts(&mut self, f: &TcpClosed, way: Option<Way>) {
        let Some(way) = way else { return };
        let l = &f.labels;
        let ty = labels::map_flow_type(l);
        let ext_cloud = if way == Way::Out {
            f.server_cloud
        } else {
            f.client_cloud
        };
        let split = |c: Hid, nc: Hid| (way != Way::Loc).then_some(if ext_cloud { c } else { nc });
        let (c_id, nc_id) = if way == Way::Out {
            (L7_TCP_num_c_out, L7_TCP_num_nc_out)
        } else {
            (L7_TCP_num_c_in, L7_TCP_num_nc_in)
        };
        self.store.add(
            pick(way, L7_TCP_num_in, L7_TCP_num_out, L7_TCP_num_loc),
            ty as f64,
        );
        if let Some(id) = split(c_id, nc_id) {
            self.store.add(id, ty as f64);
        }
        if ty == labels::L7_HTTP {
            let h = labels::ytmap(l.http_data) as f64;
            self.store.add(
                pick(way, L7_HTTP_num_in, L7_HTTP_num_out, L7_HTTP_num_loc),
                h,
            );
            let web = labels::map_http_to_web(l) as f64;
            self.store.add(
                pick(way, L7_WEB_num_in, L7_WEB_num_out, L7_WEB_num_loc),
                web,
            );
            let (c, nc) = if way == Way::Out {
                (L7_HTTP_num_c_out, L7_HTTP_num_nc_out)
            } else {
                (L7_HTTP_num_c_in, L7_HTTP_num_nc_in)
            };
            if let Some(id) = split(c, nc) {
                self.store.add(id, h);
            }
        } else if ty == labels::L7_SSL {
            let s = f64::from(l.tls_service);
            self.store
                .add(pick(way, L7_TLS_num_in, L7_TLS_num_out, L7_TLS_num_loc), s);
        }
        if labels::is_video_flow(l) {
            let v = labels::video_map(l) as f64;
            self.store.add(
                pick(way, L7_VIDEO_num_in, L7_VIDEO_num_out, L7_VIDEO_num_loc),
                v,
            );
            let (c, nc) = if way == Way::Out {
                (L7_VIDEO_num_c_out, L7_VIDEO_num_nc_out)
            } else {
                (L7_VIDEO_num_c_in, L7_VIDEO_num_nc_in)
            };
            if let Some(id) = split(c, nc) {
                self.store.add(id, v);
            }
        }
    }

    /// Feed `v(dir)` of the outgoing and incoming directions into the in/out objects, or of
    /// both into the loc one; then `v(c2s)` and `v(s2c)` into the c2s/s2c ones when given.
    fn by_direction<T>(
        &mut self,
        way: Way,
        dirs: (&T, &T),
        ids: [Hid; 3],
        c2s_s2c: Option<[Hid; 2]>,
        v: impl Fn(&T) -> f64,
    ) {
        let (c2s, s2c) = dirs;
        let (outgoing, incoming) = out_in(way, c2s, s2c);
        let [id_in, id_out, id_loc] = ids;
        if way == Way::Loc {
            self.store.add(id_loc, v(outgoing));
            self.store.add(id_loc, v(incoming));
        } else {
            self.store.add(id_out, v(outgoing));
            self.store.add(id_in, v(incoming));
        }
        if let Some([a, b]) = c2s_s2c {
            self.store.add(a, v(c2s));
            self.store.add(b, v(s2c));
        }
    }

    /// §5.4 for a complete connection that is not ext–ext.
    fn tcp_complete(&mut self, f: &TcpClosed, way: Way) {
        let (a, b) = (&f.c2s, &f.s2c);
        let s = &mut self.store;
        s.add(tcp_opts_SACK, both_one_none(a.sack, b.sack));
        s.add(tcp_opts_WS, both_one_none(a.window_scale, b.window_scale));
        s.add(tcp_opts_TS, both_one_none(a.timestamps, b.timestamps));
        s.add(tcp_opts_MPTCP, both_one_none(a.mptcp, b.mptcp));
        s.add(tcp_mss_a, f64::from(a.mss));
        s.add(tcp_mss_b, f64::from(b.mss));
        let used = if a.mss == 0 || b.mss == 0 {
            536
        } else {
            a.mss.min(b.mss)
        };
        s.add(tcp_mss_used, f64::from(used));
        let d = (a, b);
        let bytes = |h: &TcpHalfClosed| h.data_bytes as f64;
        let packets = |h: &TcpHalfClosed| h.packets as f64;
        self.by_direction(
            way,
            d,
            [tcp_cl_b_s_in, tcp_cl_b_s_out, tcp_cl_b_s_loc],
            Some([tcp_cl_b_s_c2s, tcp_cl_b_s_s2c]),
            bytes,
        );
        self.by_direction(
            way,
            d,
            [tcp_cl_b_l_in, tcp_cl_b_l_out, tcp_cl_b_l_loc],
            Some([tcp_cl_b_l_c2s, tcp_cl_b_l_s2c]),
            bytes,
        );
        self.by_direction(
            way,
            d,
            [tcp_cl_p_in, tcp_cl_p_out, tcp_cl_p_loc],
            Some([tcp_cl_p_c2s, tcp_cl_p_s2c]),
            packets,
        );
        let s = &mut self.store;
        for h in [a, b] {
            s.add(tcp_win_min, f64::from(h.win_min));
        }
        for h in [a, b] {
            if let Some(avg) = u64::from(h.win_sum).checked_div(h.packets) {
                s.add(tcp_win_avg, avg as f64);
            }
        }
        for h in [a, b] {
            s.add(tcp_win_max, f64::from(h.win_max));
        }
        if a.rtt_count >= 1 && b.rtt_count >= 1 {
            self.tcp_rtt(f, way);
        }
        self.tcp_anomaly_counts(f, way);
        self.tcp_times(f);
    }

    /// The RTT block: both directions have samples.
    fn tcp_rtt(&mut self, f: &TcpClosed, way: Way) {
        let d = (&f.c2s, &f.s2c);
        let avg = |h: &TcpHalfClosed| average(h.rtt_sum, h.rtt_count) / 1000.0;
        let min = |h: &TcpHalfClosed| h.rtt_min_us as f64 / 1000.0;
        let max = |h: &TcpHalfClosed| h.rtt_max_us as f64 / 1000.0;
        let dev = |h: &TcpHalfClosed| stdev(h.rtt_sum, h.rtt_sum2, h.rtt_count) / 1000.0;
        let cnt = |h: &TcpHalfClosed| f64::from(h.rtt_count);
        self.by_direction(
            way,
            d,
            [tcp_rtt_avg_in, tcp_rtt_avg_out, tcp_rtt_avg_loc],
            Some([tcp_rtt_avg_c2s, tcp_rtt_avg_s2c]),
            avg,
        );
        if way != Way::Loc {
            let (outgoing, incoming) = out_in(way, &f.c2s, &f.s2c);
            let (o, i) = if f.client_cloud || f.server_cloud {
                (tcp_rtt_c_avg_out, tcp_rtt_c_avg_in)
            } else {
                (tcp_rtt_nc_avg_out, tcp_rtt_nc_avg_in)
            };
            self.store.add(o, avg(outgoing));
            self.store.add(i, avg(incoming));
        }
        self.by_direction(
            way,
            d,
            [tcp_rtt_min_in, tcp_rtt_min_out, tcp_rtt_min_loc],
            Some([tcp_rtt_min_c2s, tcp_rtt_min_s2c]),
            min,
        );
        self.by_direction(
            way,
            d,
            [tcp_rtt_max_in, tcp_rtt_max_out, tcp_rtt_max_loc],
            Some([tcp_rtt_max_c2s, tcp_rtt_max_s2c]),
            max,
        );
        self.by_direction(
            way,
            d,
            [tcp_rtt_stdev_in, tcp_rtt_stdev_out, tcp_rtt_stdev_loc],
            Some([tcp_rtt_stdev_c2s, tcp_rtt_stdev_s2c]),
            dev,
        );
        self.by_direction(
            way,
            d,
            [tcp_rtt_cnt_in, tcp_rtt_cnt_out, tcp_rtt_cnt_loc],
            Some([tcp_rtt_cnt_c2s, tcp_rtt_cnt_s2c]),
            cnt,
        );
    }

    /// The segment-class counters (tcp-sets.md §3.6) of each direction.
    fn tcp_anomaly_counts(&mut self, f: &TcpClosed, way: Way) {
        type Field = fn(&TcpHalfClosed) -> u32;
        let rows: [([Hid; 3], [Hid; 2], Field); 8] = [
            (
                [tcp_rtx_RTO_in, tcp_rtx_RTO_out, tcp_rtx_RTO_loc],
                [tcp_rtx_RTO_c2s, tcp_rtx_RTO_s2c],
                |h| h.rto,
            ),
            (
                [tcp_rtx_FR_in, tcp_rtx_FR_out, tcp_rtx_FR_loc],
                [tcp_rtx_FR_c2s, tcp_rtx_FR_s2c],
                |h| h.fast_retransmit,
            ),
            (
                [tcp_reordering_in, tcp_reordering_out, tcp_reordering_loc],
                [tcp_reordering_c2s, tcp_reordering_s2c],
                |h| h.reordering,
            ),
            (
                [tcp_net_dup_in, tcp_net_dup_out, tcp_net_dup_loc],
                [tcp_net_dup_c2s, tcp_net_dup_s2c],
                |h| h.network_duplicate,
            ),
            (
                [tcp_unknown_in, tcp_unknown_out, tcp_unknown_loc],
                [tcp_unknown_c2s, tcp_unknown_s2c],
                |h| h.unknown,
            ),
            (
                [tcp_flow_ctrl_in, tcp_flow_ctrl_out, tcp_flow_ctrl_loc],
                [tcp_flow_ctrl_c2s, tcp_flow_ctrl_s2c],
                |h| h.flow_control,
            ),
            (
                [tcp_unnrtx_RTO_in, tcp_unnrtx_RTO_out, tcp_unnrtx_RTO_loc],
                [tcp_unnrtx_RTO_c2s, tcp_unnrtx_RTO_s2c],
                |h| h.unneeded_rto,
            ),
            (
                [tcp_unnrtx_FR_in, tcp_unnrtx_FR_out, tcp_unnrtx_FR_loc],
                [tcp_unnrtx_FR_c2s, tcp_unnrtx_FR_s2c],
                |h| h.unneeded_fast_retransmit,
            ),
        ];
        for (ids, dirs, field) in rows {
            self.by_direction(way, (&f.c2s, &f.s2c), ids, Some(dirs), |h| {
                f64::from(field(h))
            });
        }
    }

    /// Duration and throughputs of a complete connection.
    fn tcp_times(&mut self, f: &TcpClosed) {
        let (first, last) = (us(f.first), us(f.last));
        self.store.add(tcp_tot_time, elapsed(first, last) / 1000.0);
        let cloud = f.client_cloud || f.server_cloud;
        let dirs = [
            (
                &f.c2s,
                tcp_thru_c2s,
                tcp_thru_lf_c2s,
                tcp_thru_lf_c_c2s,
                tcp_thru_lf_nc_c2s,
            ),
            (
                &f.s2c,
                tcp_thru_s2c,
                tcp_thru_lf_s2c,
                tcp_thru_lf_c_s2c,
                tcp_thru_lf_nc_s2c,
            ),
        ];
        for (h, all, large, c, nc) in dirs {
            // A direction without payload has Tstat's zero payload_end_time: no sample.
            let end = h.last_payload.map_or(0, us);
            let transfer = elapsed(first, end);
            if transfer <= 0.0 {
                continue;
            }
            let thru = h.unique_bytes as f64 / transfer * 8000.0;
            self.store.add(all, thru);
            if h.unique_bytes >= 1_000_000 {
                self.store.add(large, thru);
                self.store.add(if cloud { c } else { nc }, thru);
            }
        }
    }

    /// `profile_tcpdata` totals of a complete connection.
    fn tcpdata(&mut self, f: &TcpClosed) {
        let missing = |h: &TcpHalfClosed| -> u64 {
            let expected = h.expected_bytes;
            if expected <= h.unique_bytes {
                return 0;
            }
            let implausible = (h.data_packets == 0 && expected as f64 > 1e6)
                || (h.data_packets > 0 && expected > h.data_packets.wrapping_mul(15_000));
            if implausible {
                0
            } else {
                expected - h.unique_bytes
            }
        };
        let missed = missing(&f.c2s).wrapping_add(missing(&f.s2c));
        let p = &mut self.profile;
        p.tcpdata_received += (f.c2s.unique_bytes as f64 + f.s2c.unique_bytes as f64) / 1e6;
        p.tcpdata_missed += missed as f64 / 1e6;
    }

    /// `tcp_interrupted` (every close that is not ext–ext): the server had sent data and no
    /// FIN or RST, the client reset, and the server's last payload came less than the sum of
    /// the mean RTTs before the end.
    fn tcp_interrupted_sample(&mut self, f: &TcpClosed) {
        let (a, b) = (&f.c2s, &f.s2c);
        let eligible = !(b.fins > 0 || b.resets > 0) && b.unique_bytes > 0 && a.resets > 0;
        let rtt = average(a.rtt_sum, a.rtt_count) + average(b.rtt_sum, b.rtt_count);
        let end = b.last_payload.map_or(0, us);
        let interrupted = eligible && elapsed(us(f.last), end) < rtt;
        self.store
            .add(tcp_interrupted, if interrupted { 1.0 } else { 0.0 });
    }

    /// A UDP flow is closed (`close_udp_flow` → `make_udp_conn_stats`).
    pub(super) fn udp_flow_closed(&mut self, f: &UdpClosed) {
        if self.store.on(profile_flows) {
            self.pending.udp_change -= 1;
        }
        let Some(way) = Way::of(f.client_internal, f.server_internal) else {
            return;
        };
        let d = (&f.c2s, &f.s2c);
        // Tstat's udp loc samples are s2c then c2s, as for TCP.
        let bytes = |h: &UdpHalfClosed| h.data_bytes as f64;
        let packets = |h: &UdpHalfClosed| h.packets as f64;
        self.by_direction(
            way,
            d,
            [udp_cl_b_s_in, udp_cl_b_s_out, udp_cl_b_s_loc],
            None,
            bytes,
        );
        self.by_direction(
            way,
            d,
            [udp_cl_b_l_in, udp_cl_b_l_out, udp_cl_b_l_loc],
            None,
            bytes,
        );
        self.by_direction(
            way,
            d,
            [udp_cl_p_in, udp_cl_p_out, udp_cl_p_loc],
            None,
            packets,
        );
        self.udp_l7_counts(f);
        self.store
            .add(udp_tot_time, elapsed(us(f.first), us(f.last)) / 1000.0);
    }

    /// `make_p2p_conn_stats`: one `L7_UDP_num` sample per direction (s2c only if it carried
    /// packets), unless a direction is RTP, RTCP or Skype voice (types 3–6).
    fn udp_l7_counts(&mut self, f: &UdpClosed) {
        if [&f.c2s, &f.s2c]
            .iter()
            .any(|h| (3..=6).contains(&h.labels.udp_type))
        {
            return;
        }
        let (ci, si) = (f.client_internal, f.server_internal);
        // C2S: out when the client is internal; its external end is the server.
        let c2s_way = Way::of(ci, si);
        let c2s_cloud = match c2s_way {
            Some(Way::Out) => f.server_cloud,
            _ => f.client_cloud,
        };
        self.udp_l7_sample(c2s_way, c2s_cloud, &f.c2s);
        if f.s2c.packets != 0 {
            let s2c_way = Way::of(si, ci);
            let s2c_cloud = match s2c_way {
                Some(Way::Out) => f.client_cloud,
                _ => f.server_cloud,
            };
            self.udp_l7_sample(s2c_way, s2c_cloud, &f.s2c);
        }
    }

    fn udp_l7_sample(&mut self, way: Option<Way>, cloud: bool, h: &UdpHalfClosed) {
        let Some(way) = way else { return };
        let v = labels::udp_p2p_to_l7(&h.labels) as f64;
        self.store
            .add(pick(way, L7_UDP_num_in, L7_UDP_num_out, L7_UDP_num_loc), v);
        let split = match (way, cloud) {
            (Way::In, true) => Some(L7_UDP_num_c_in),
            (Way::In, false) => Some(L7_UDP_num_nc_in),
            (Way::Out, true) => Some(L7_UDP_num_c_out),
            (Way::Out, false) => Some(L7_UDP_num_nc_out),
            (Way::Loc, _) => None,
        };
        if let Some(id) = split {
            self.store.add(id, v);
        }
    }
}
