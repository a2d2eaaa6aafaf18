//! From what the engine and its trackers noted about a packet to the observers' events
//! (`engine::observe`).

use super::observe::{
    Ends, Ipv4Seen, Ipv6Next, Ipv6Seen, Observer, RtcpReportSeen, RtpConfirmed, RtpSequence,
    TcpRateSeen, TcpSegmentSeen, UdpDatagramSeen, UdpRateSeen,
};
use super::tcp::notes::{FlowStat, TcpNotes};
use super::udp::UdpNotes;
use crate::decode::{proto, Fragment, IpPacket};
use crate::dpi::udp::rtp::RtpOutcome;
use std::net::IpAddr;

const ICMPV6: u8 = 58;

pub(super) fn ipv4(ip: &IpPacket<'_>, ends: Ends) -> Ipv4Seen {
    let octets = |a: IpAddr| match a {
        IpAddr::V4(v4) => v4.octets(),
        IpAddr::V6(_) => [0; 4],
    };
    Ipv4Seen {
        ends,
        protocol: ip.protocol,
        total_len: ip.length_field,
        ttl: ip.ttl,
        tos: ip.tos,
        src: octets(ip.src),
        dst: octets(ip.dst),
    }
}

pub(super) fn ipv6(ip: &IpPacket<'_>, ends: Ends) -> Ipv6Seen {
    let next = if ip.fragment == Fragment::Later {
        Ipv6Next::Other
    } else {
        match ip.protocol {
            proto::TCP => Ipv6Next::Tcp,
            proto::UDP => Ipv6Next::Udp,
            ICMPV6 => match ip.payload.first() {
                Some(&t) => Ipv6Next::Icmp(t),
                None => Ipv6Next::Other,
            },
            _ => Ipv6Next::Other,
        }
    };
    Ipv6Seen {
        ends,
        next_header: ip.first_next_header,
        hop_limit: ip.ttl,
        payload_len: ip.length_field,
        next,
    }
}

/// IP header plus IP payload as Tstat counts a packet in the bitrates: the IPv4 total
/// length, or 40 + the IPv6 payload length.
fn ip_len(ip: &IpPacket<'_>) -> u32 {
    if ip.is_ipv6() {
        40 + u32::from(ip.length_field)
    } else {
        u32::from(ip.length_field)
    }
}

/// Hand on what the TCP tracker noted about the segment.
pub(super) fn tcp_notes(n: &TcpNotes, ip: &IpPacket<'_>, ends: Ends, o: &mut dyn Observer) {
    if matches!(n.stat, FlowStat::Duplicate | FlowStat::Short) {
        return;
    }
    o.tcp_segment(&TcpSegmentSeen {
        ends,
        ipv6: ip.is_ipv6(),
        src_port: n.src_port,
        dst_port: n.dst_port,
        syn: n.syn,
        ack: n.ack,
        ip_len: ip_len(ip),
    });
    if let Some(opened) = n.opened {
        o.tcp_opened(opened);
    }
    if n.stat == FlowStat::Trash {
        o.tcp_trash();
        return;
    }
    if let Some(bytes) = n.in_flight {
        o.tcp_in_flight(bytes);
    }
    for &class in n.classes.classes.iter() {
        o.tcp_segment_class(ends.way(), n.c2s, class);
    }
    if let Some((len, labels)) = n.rate {
        o.tcp_rate(&TcpRateSeen { ends, len, labels });
    }
}

/// Hand on what the UDP tracker noted about the datagram.
pub(super) fn udp_notes(n: &UdpNotes, ip: &IpPacket<'_>, ends: Ends, o: &mut dyn Observer) {
    if !n.counted_header {
        return;
    }
    o.udp_datagram(&UdpDatagramSeen {
        ends,
        ipv6: ip.is_ipv6(),
        dst_port: n.dst_port,
        ip_len: ip_len(ip),
    });
    if let Some(opened) = n.opened {
        o.udp_opened(opened);
    }
    if n.direction_started {
        o.udp_direction_started(n.dst_port);
    }
    if let Some(direction) = n.labels {
        o.udp_rate(&UdpRateSeen {
            ends,
            ip_len: ip_len(ip),
            direction,
        });
    }
    rtp_outcome(&n.rtp, ends, o);
}

/// The RTP machine's events: a confirmation, sequence events, an RTCP report, all in the
/// packet's way (rtp.c decides in/out/loc from the flow's ends and the packet's direction,
/// which is the packet's own way).
fn rtp_outcome(r: &RtpOutcome, ends: Ends, o: &mut dyn Observer) {
    let way = ends.way();
    if let Some(rtcp) = r.confirmed {
        o.rtp_confirmed(&RtpConfirmed {
            way,
            cloud: false,
            rtcp,
        });
    }
    if let Some(s) = r.sequence {
        if s.out_of_sequence {
            o.rtp_sequence(way, RtpSequence::OutOfSequence);
        }
        if let Some(delay_ms) = s.reordered_ms {
            o.rtp_sequence(way, RtpSequence::Reordered { delay_ms });
        }
        if let Some(b) = s.burst {
            o.rtp_sequence(way, RtpSequence::Burst(b));
        }
    }
    if let Some(e) = r.report {
        o.rtcp_report(
            way,
            &RtcpReportSeen {
                sender_kbps: e.sender_kbps,
                jitter: e.jitter,
                fraction_lost: e.fraction_lost,
                lost_delta: e.lost_delta,
                rtt_ms: e.rtt_ms,
            },
        );
    }
}
