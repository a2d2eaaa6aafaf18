//! The per-packet feeds (docs/semantics/histograms.md §5.1–§5.3, §5.5, §5.6, §5.12): what
//! each engine event adds to which histogram and byte counter. The per-flow feeds are in
//! `flows`. Events come for every packet Tstat would see; the direction filters are here.

use super::adx::Side;
use super::bitrate::Dir;
use super::defs::Hid::{self, *};
use super::labels;
use super::Histograms;
use crate::engine::observe::{
    ChatKind, Ipv4Seen, Ipv6Next, Ipv6Seen, Observer, RtcpReportSeen, RtpConfirmed, RtpSequence,
    TcpClosed, TcpRateSeen, TcpSegmentSeen, UdpClosed, UdpDatagramSeen, UdpRateSeen, Way,
};
use crate::time::Timestamp;

/// The in, out and loc objects of a family.
pub(super) fn pick(way: Way, in_: Hid, out: Hid, loc: Hid) -> Hid {
    match way {
        Way::In => in_,
        Way::Out => out,
        Way::Loc => loc,
    }
}

/// `pick` for an optional way: ext–ext traffic feeds no direction histogram.
fn pick_opt(way: Option<Way>, ids: [Hid; 3]) -> Option<Hid> {
    way.map(|w| pick(w, ids[0], ids[1], ids[2]))
}

impl Histograms {
    fn add(&mut self, id: Hid, v: f64) {
        self.store.add(id, v);
    }

    fn add_opt(&mut self, id: Option<Hid>, v: f64) {
        if let Some(id) = id {
            self.store.add(id, v);
        }
    }

    fn profile_on(&self) -> bool {
        self.store.on(profile_flows)
    }

    /// `ip_histo_stat`: an IPv4 packet after its transport step.
    fn ipv4_packet(&mut self, p: &Ipv4Seen) {
        let len = i64::from(p.total_len);
        if let Some(way) = p.ends.way() {
            let cloud = match way {
                Way::In => p.ends.src_cloud,
                _ => p.ends.dst_cloud,
            };
            let d = Dir { way, cloud };
            self.rates.l4.add(d, 3, len);
            if p.protocol == 1 {
                self.rates.l4.add(d, 2, len);
            }
            self.add(
                pick(way, ip_protocol_in, ip_protocol_out, ip_protocol_loc),
                f64::from(p.protocol),
            );
            let l3 = match p.protocol {
                6 => 0,
                17 => 1,
                _ => {
                    self.rates.l3.add(way, 2, len);
                    2
                }
            };
            self.add(
                pick(way, L3_protocol_in, L3_protocol_out, L3_protocol_loc),
                f64::from(l3),
            );
            self.add(
                pick(way, ip_len_in, ip_len_out, ip_len_loc),
                f64::from(p.total_len),
            );
            self.add(
                pick(way, ip_ttl_in, ip_ttl_out, ip_ttl_loc),
                f64::from(p.ttl),
            );
            self.add(
                pick(way, ip_tos_in, ip_tos_out, ip_tos_loc),
                f64::from(p.tos),
            );
        }
        self.ipv4_addresses(p);
    }

    /// The address tables: external ends (every end without `-N`) into `addresses`, internal
    /// ones into adx2's tables once the packet's period check has run.
    fn ipv4_addresses(&mut self, p: &Ipv4Seen) {
        let bytes = u64::from(p.total_len);
        let all = !self.nets_given;
        if let Some(t) = self.adx.as_mut() {
            if !p.ends.src_internal || all {
                t.add(p.src, Side::Src, bytes);
            }
            if !p.ends.dst_internal || all {
                t.add(p.dst, Side::Dst, bytes);
            }
        }
        if let Some(a) = self.adx2.as_mut() {
            a.packet = [
                p.ends.src_internal.then_some((p.src, Side::Src, bytes)),
                p.ends.dst_internal.then_some((p.dst, Side::Dst, bytes)),
            ];
        }
    }

    /// `IPv6_support` and `ICMPv6_support`.
    fn ipv6_packet(&mut self, p: &Ipv6Seen) {
        let Some(way) = p.ends.way() else { return };
        self.add(
            pick(way, ip6_protocol_in, ip6_protocol_out, ip6_protocol_loc),
            f64::from(p.next_header),
        );
        self.add(
            pick(way, ip6_hop_limit_in, ip6_hop_limit_out, ip6_hop_limit_loc),
            f64::from(p.hop_limit),
        );
        self.add(
            pick(way, ip6_plen_in, ip6_plen_out, ip6_plen_loc),
            f64::from(p.payload_len),
        );
        if let Ipv6Next::Icmp(t) = p.next {
            self.add(
                pick(way, icmpv6_type_in, icmpv6_type_out, icmpv6_type_loc),
                f64::from(t),
            );
        }
        let l3 = match p.next {
            Ipv6Next::Tcp => 3,
            Ipv6Next::Udp => 4,
            _ => {
                self.rates.add_ipv6_other(way, p.payload_len);
                5
            }
        };
        self.add(
            pick(way, L3_protocol_in, L3_protocol_out, L3_protocol_loc),
            f64::from(l3),
        );
    }

    /// `tcp_header_stat`.
    fn tcp_header(&mut self, s: &TcpSegmentSeen) {
        let Some(way) = s.ends.way() else { return };
        let (sport, dport) = (f64::from(s.src_port), f64::from(s.dst_port));
        if s.syn && !s.ack {
            self.add(
                pick(
                    way,
                    tcp_port_synsrc_in,
                    tcp_port_synsrc_out,
                    tcp_port_synsrc_loc,
                ),
                sport,
            );
            self.add(
                pick(
                    way,
                    tcp_port_syndst_in,
                    tcp_port_syndst_out,
                    tcp_port_syndst_loc,
                ),
                dport,
            );
        }
        let cloud = if way == Way::In {
            s.ends.src_cloud
        } else {
            s.ends.dst_cloud
        };
        let len = i64::from(s.ip_len);
        self.rates.l4.add(Dir { way, cloud }, 0, len);
        self.rates.l3.add(way, if s.ipv6 { 3 } else { 0 }, len);
        self.add(
            pick(way, tcp_port_src_in, tcp_port_src_out, tcp_port_src_loc),
            sport,
        );
        self.add(
            pick(way, tcp_port_dst_in, tcp_port_dst_out, tcp_port_dst_loc),
            dport,
        );
    }

    /// `udp_header_stat`.
    fn udp_header(&mut self, d: &UdpDatagramSeen) {
        let Some(way) = d.ends.way() else { return };
        let cloud = if way == Way::In {
            d.ends.src_cloud
        } else {
            d.ends.dst_cloud
        };
        let len = i64::from(d.ip_len);
        self.rates.l4.add(Dir { way, cloud }, 1, len);
        self.rates.l3.add(way, if d.ipv6 { 4 } else { 1 }, len);
        self.add(
            pick(way, udp_port_dst_in, udp_port_dst_out, udp_port_dst_loc),
            f64::from(d.dst_port),
        );
    }

    /// `make_tcpL7_rate_stats` and `make_videoL7_rate_stats`: a segment's bytes by the
    /// connection's labels at that moment.
    fn tcp_rate_bytes(&mut self, r: &TcpRateSeen) {
        let Some(way) = r.ends.way() else { return };
        let cloud = if way == Way::In {
            r.ends.src_cloud
        } else {
            r.ends.dst_cloud
        };
        let d = Dir { way, cloud };
        let len = i64::from(r.len);
        let l = &r.labels;
        let ty = labels::map_flow_type(l);
        if !matches!(
            ty,
            labels::L7_SKYPE_E2E | labels::L7_SKYPE_E2O | labels::L7_SKYPE_TCP
        ) {
            self.rates.l7_tcp.add(d, ty, len);
            if ty == labels::L7_HTTP {
                self.rates.http.add(d, labels::ytmap(l.http_data), len);
                self.rates.web.add(way, labels::map_http_to_web(l), len);
            } else if ty == labels::L7_SSL {
                self.rates.tls.add(way, usize::from(l.tls_service), len);
            }
        }
        if labels::is_video_flow(l) {
            self.rates.video.add(d, labels::video_map(l), len);
        }
    }

    /// `make_udpL7_rate_stats`.
    fn udp_rate_bytes(&mut self, r: &UdpRateSeen) {
        let Some(way) = r.ends.way() else { return };
        let ty = labels::udp_p2p_to_l7(&r.direction);
        if matches!(
            ty,
            labels::L7_SKYPE_E2E | labels::L7_SKYPE_E2O | labels::L7_SKYPE_TCP
        ) {
            return;
        }
        let cloud = if way == Way::In {
            r.ends.src_cloud
        } else {
            r.ends.dst_cloud
        };
        self.rates
            .l7_udp
            .add(Dir { way, cloud }, ty, i64::from(r.ip_len));
    }

    /// `rtp_plus_check`: a confirmed RTP (1) or RTCP (2) direction; an RTCP one in an `out`
    /// direction counts twice in `L7_UDP_num_out` (Tstat's duplicated line).
    fn rtp_confirmation(&mut self, c: &RtpConfirmed) {
        let Some(way) = c.way else { return };
        let v = if c.rtcp { 2.0 } else { 1.0 };
        self.add(pick(way, L7_UDP_num_in, L7_UDP_num_out, L7_UDP_num_loc), v);
        if c.rtcp && way == Way::Out {
            self.add(L7_UDP_num_out, v);
        }
        let split = match (way, c.cloud) {
            (Way::In, true) => Some(L7_UDP_num_c_in),
            (Way::In, false) => Some(L7_UDP_num_nc_in),
            (Way::Out, true) => Some(L7_UDP_num_c_out),
            (Way::Out, false) => Some(L7_UDP_num_nc_out),
            (Way::Loc, _) => None,
        };
        self.add_opt(split, v);
    }

    fn rtp_sequence_event(&mut self, way: Option<Way>, e: RtpSequence) {
        match e {
            RtpSequence::OutOfSequence => self.add_opt(
                pick_opt(way, [mm_oos_p_in, mm_oos_p_out, mm_oos_p_loc]),
                1.0,
            ),
            RtpSequence::Reordered { delay_ms } => {
                self.add_opt(
                    pick_opt(way, [mm_reord_p_n_in, mm_reord_p_n_out, mm_reord_p_n_loc]),
                    1.0,
                );
                let ids = [mm_reord_delay_in, mm_reord_delay_out, mm_reord_delay_loc];
                self.add_opt(pick_opt(way, ids), delay_ms);
            }
            RtpSequence::Burst(n) => {
                let ids = [mm_burst_loss_in, mm_burst_loss_out, mm_burst_loss_loc];
                self.add_opt(pick_opt(way, ids), f64::from(n));
            }
        }
    }

    /// `rtcp_stat`.
    fn rtcp_report_seen(&mut self, way: Option<Way>, r: &RtcpReportSeen) {
        let Some(way) = way else { return };
        if let Some(kbps) = r.sender_kbps {
            self.add(
                pick(way, rtcp_mm_bt_in, rtcp_mm_bt_out, rtcp_mm_bt_loc),
                kbps,
            );
        }
        if let Some(j) = r.jitter {
            self.add(
                pick(way, rtcp_jitter_in, rtcp_jitter_out, rtcp_jitter_loc),
                f64::from(j),
            );
        }
        if let Some(f) = r.fraction_lost {
            let v = f64::from(f) / 256.0 * 100.0;
            self.add(
                pick(way, rtcp_f_lost_in, rtcp_f_lost_out, rtcp_f_lost_loc),
                v,
            );
        }
        if let Some(delta) = r.lost_delta {
            let (lost, dup) = if delta >= 0 {
                (delta, 0)
            } else {
                (0, delta.wrapping_neg())
            };
            self.add(
                pick(way, rtcp_lost_in, rtcp_lost_out, rtcp_lost_loc),
                lost as f64,
            );
            self.add(
                pick(way, rtcp_dup_in, rtcp_dup_out, rtcp_dup_loc),
                dup as f64,
            );
        }
        if let Some(rtt) = r.rtt_ms.filter(|r| *r >= 0.0) {
            self.add(pick(way, rtcp_rtt_in, rtcp_rtt_out, rtcp_rtt_loc), rtt);
        }
    }

    /// `msn.c`, `jabber.c`, `ymsg.c`: a chat or presence session opened or closed.
    fn chat_change(&mut self, kind: ChatKind, open: bool, at: Timestamp) {
        let k = match kind {
            ChatKind::MsnChat => 0,
            ChatKind::MsnPresence => 1,
            ChatKind::XmppChat => 2,
            ChatKind::XmppPresence => 3,
            ChatKind::YmsgChat => 4,
            ChatKind::YmsgPresence => 5,
        };
        let now = super::micros(at);
        let w = &mut self.chat.0[k];
        if open {
            w.arrival(now);
        } else {
            w.departure(now);
        }
    }
}

impl Observer for Histograms {
    /// `InitAfterFirstPacketReaded`: the chat windows start, the byte counters but TLS's
    /// restart (a new input file).
    fn first_packet(&mut self, at: Timestamp) {
        self.chat = super::window::ChatWindows::new(super::micros(at));
        self.rates.reset_but_tls();
    }

    fn ipv4(&mut self, p: &Ipv4Seen) {
        self.ip_in_packet = true;
        self.ipv4_packet(p);
    }

    fn ipv6(&mut self, p: &Ipv6Seen) {
        self.ip_in_packet = true;
        self.ipv6_packet(p);
    }

    fn tcp_segment(&mut self, s: &TcpSegmentSeen) {
        self.tcp_header(s);
    }

    fn udp_datagram(&mut self, d: &UdpDatagramSeen) {
        self.udp_header(d);
    }

    /// `FindTTP`: `L4_flow_number` counts the SYN before the slot allocation; a refused one
    /// is also trash (`not_id_p`) and a missed flow.
    fn tcp_opened(&mut self, opened: bool) {
        self.add(L4_flow_number, 0.0);
        if opened {
            if self.profile_on() {
                self.pending.tcp_arrivals += 1;
            }
        } else {
            self.add(profile_trash, 0.0);
            if self.profile_on() {
                self.profile.missed_tcp += 1.0;
            }
        }
    }

    fn tcp_trash(&mut self) {
        self.add(profile_trash, 0.0);
    }

    /// `FindUTP`.
    fn udp_opened(&mut self, opened: bool) {
        self.add(L4_flow_number, 1.0);
        if !self.profile_on() {
            return;
        }
        if opened {
            self.pending.udp_change += 1;
        } else {
            self.profile.missed_udp += 1.0;
        }
    }

    fn udp_direction_started(&mut self, dst_port: u16) {
        self.add(udp_port_flow_dst, f64::from(dst_port));
    }

    fn tcp_in_flight(&mut self, bytes: u32) {
        self.add(tcp_cwnd, f64::from(bytes));
    }

    /// `rexmit.c:addseg`/`rules_test`: in/out/loc by the packet, c2s/s2c always.
    fn tcp_segment_class(&mut self, way: Option<Way>, c2s: bool, class: u8) {
        let v = f64::from(class);
        self.add_opt(
            pick_opt(
                way,
                [tcp_anomalies_in, tcp_anomalies_out, tcp_anomalies_loc],
            ),
            v,
        );
        self.add(
            if c2s {
                tcp_anomalies_c2s
            } else {
                tcp_anomalies_s2c
            },
            v,
        );
    }

    fn tcp_rate(&mut self, r: &TcpRateSeen) {
        self.tcp_rate_bytes(r);
    }

    fn udp_rate(&mut self, r: &UdpRateSeen) {
        self.udp_rate_bytes(r);
    }

    fn rtp_confirmed(&mut self, c: &RtpConfirmed) {
        self.rtp_confirmation(c);
    }

    fn rtp_sequence(&mut self, way: Option<Way>, event: RtpSequence) {
        self.rtp_sequence_event(way, event);
    }

    fn rtcp_report(&mut self, way: Option<Way>, report: &RtcpReportSeen) {
        self.rtcp_report_seen(way, report);
    }

    fn tcp_closed(&mut self, flow: &TcpClosed) {
        self.tcp_flow_closed(flow);
    }

    fn udp_closed(&mut self, flow: &UdpClosed) {
        self.udp_flow_closed(flow);
    }

    fn chat_session(&mut self, kind: ChatKind, open: bool, at: Timestamp) {
        self.chat_change(kind, open, at);
    }

    /// The packet's clocks, then the step check (§3.2).
    fn packet_end(&mut self, now: Timestamp, flow_stat_ok: bool) {
        let now_us = super::micros(now);
        self.end_of_packet(now_us, now);
        self.apply_pending(now_us);
        self.step_check(now_us, now, flow_stat_ok);
    }

    /// The folder's last step is written: with worker threads, the folder changes here.
    fn pause_requested(&self) -> bool {
        self.pause_at_steps.is_some_and(|d| self.steps >= d)
    }
}
