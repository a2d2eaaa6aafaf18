//! Which IP layer of a frame Tstat 3.2.1 itself analyses, if any (tcpdump.c: `callback`,
//! `find_ip_eth`; tstat.c: the IPIP/6in4 step).
//!
//! We decode more than Tstat: stacked VLAN tags, QinQ, MPLS label stacks, PPPoE carrying
//! IPv6, GRE, VXLAN, Teredo. Their inner packets make extra log rows, but the outputs that
//! count packets (histograms) must count what Tstat counts, so they observe only the layer
//! this module names.

use super::{proto, Fragment, Layers};

const ETHERNET: u32 = 1;
const PPP: u32 = 9;

/// The index in `layers` of the packet Tstat analyses, or `None` when Tstat would see no
/// IP packet in this frame.
pub fn tstat_layer(link_type: u32, frame: &[u8], layers: &Layers<'_>) -> Option<usize> {
    let first = layers.first()?;
    let seen = match link_type {
        ETHERNET => ethernet_seen_by_tstat(frame),
        PPP => ppp_seen_by_tstat(frame),
        _ => true,
    };
    if !seen {
        return None;
    }
    // An IPv4 packet carrying IPv4 or IPv6 (IPIP, 6in4) is stripped once.
    let tunnelled = !first.is_ipv6()
        && matches!(first.protocol, proto::IPIP | proto::IPV6)
        && first.fragment != Fragment::Later;
    if tunnelled {
        return (layers.len() > 1).then_some(1);
    }
    Some(0)
}

/// The IPv4 header Tstat reads where there is none: `find_ip_eth` skips one 802.1Q tag (and
/// one MPLS label after it) whatever follows, and takes the next bytes as IP when their first
/// nibble is 4. Behind a second VLAN tag whose priority makes that nibble 4, it reads the tag
/// and the real header shifted by four bytes (ndpi/zoom.pcap has 34 such frames). Such a
/// packet feeds Tstat's IP histograms only, unless its "protocol" is TCP or UDP, which Tstat
/// would go on to analyse and we do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Misread {
    pub protocol: u8,
    pub tos: u8,
    pub ttl: u8,
    pub total_len: u16,
    pub src: [u8; 4],
    pub dst: [u8; 4],
}

/// What Tstat misreads in a frame it does not read as we do, if anything.
pub fn tstat_misread(link_type: u32, frame: &[u8]) -> Option<Misread> {
    if link_type != ETHERNET || ethernet_seen_by_tstat(frame) {
        return None;
    }
    let be16 = |at: usize| {
        frame
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    let at = match be16(12)? {
        0x8100 if be16(16) == Some(0x8847) => 22,
        0x8100 | 0x8847 => 18,
        _ => return None,
    };
    let h = frame.get(at..at + 20)?;
    if h[0] >> 4 != 4 || matches!(h[9], proto::TCP | proto::UDP) {
        return None;
    }
    let four = |i: usize| [h[i], h[i + 1], h[i + 2], h[i + 3]];
    Some(Misread {
        protocol: h[9],
        tos: h[1],
        ttl: h[8],
        total_len: u16::from_be_bytes([h[2], h[3]]),
        src: four(12),
        dst: four(16),
    })
}

/// Ethernet as `find_ip_eth` reads it: IPv4 or IPv6 right after the header, IPv4 in a PPPoE
/// session, one 802.1Q tag before IP or before one MPLS label, or one MPLS label.
fn ethernet_seen_by_tstat(frame: &[u8]) -> bool {
    let be16 = |at: usize| {
        frame
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    let ip_at = |at: usize| frame.get(at).is_some_and(|b| matches!(b >> 4, 4 | 6));
    // The bottom-of-stack bit of the MPLS label at `at`: Tstat skips exactly one label.
    let one_label_at = |at: usize| frame.get(at + 2).is_some_and(|b| b & 1 == 1);
    match be16(12) {
        Some(0x0800 | 0x86dd) => true,
        Some(0x8864) => be16(20) == Some(0x0021),
        Some(0x8100) => match be16(16) {
            Some(0x0800 | 0x86dd) => true,
            Some(0x8847) => one_label_at(18) && ip_at(22),
            _ => false,
        },
        Some(0x8847) => one_label_at(14) && ip_at(18),
        _ => false,
    }
}

/// PPP as `find_ip_ppp` reads it: IPv4 behind HDLC framing (`ff 03 00 21`), Cisco HDLC
/// (`0f`), or a compressed or plain IPv4 protocol field; not IPv6, not MPLS.
fn ppp_seen_by_tstat(frame: &[u8]) -> bool {
    match frame.first() {
        Some(0xff) => frame.get(2..4) == Some(&[0x00, 0x21]),
        Some(0x0f) | Some(0x21) => true,
        Some(0x00) => frame.get(1) == Some(&0x21),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode_frame;

    fn ipv4_udp() -> Vec<u8> {
        let mut ip = vec![
            0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        ip.extend_from_slice(&[0x12, 0x34, 0x00, 0x35, 0, 8, 0, 0]);
        ip
    }

    fn eth(types: &[u16], payload: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        for (i, t) in types.iter().enumerate() {
            f.extend_from_slice(&t.to_be_bytes());
            if i + 1 < types.len() {
                f.extend_from_slice(&[0x00, 0x07]); // a VLAN TCI
            }
        }
        f.extend_from_slice(payload);
        f
    }

    fn layer(frame: &[u8]) -> Option<usize> {
        let layers = decode_frame(ETHERNET, frame).unwrap();
        tstat_layer(ETHERNET, frame, &layers)
    }

    #[test]
    fn plain_and_single_tag_frames_are_seen_stacked_tags_are_not() {
        assert_eq!(layer(&eth(&[0x0800], &ipv4_udp())), Some(0));
        assert_eq!(layer(&eth(&[0x8100, 0x0800], &ipv4_udp())), Some(0));
        assert_eq!(layer(&eth(&[0x8100, 0x8100, 0x0800], &ipv4_udp())), None);
        assert_eq!(layer(&eth(&[0x88a8, 0x8100, 0x0800], &ipv4_udp())), None);
    }

    #[test]
    fn a_second_tag_with_priority_2_is_misread_as_ipv4() {
        // vlan 113 with priority 2: TCI 0x4071, then the real IPv4/UDP packet.
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x81, 0x00, 0x0d, 0x42, 0x81, 0x00, 0x40, 0x71, 0x08, 0x00]);
        f.extend_from_slice(&ipv4_udp());
        let m = tstat_misread(ETHERNET, &f).unwrap();
        // The "header" starts at the inner tag: length = the ethertype, TTL and protocol
        // are bytes 4 and 5 of the real header, the "source" its TTL, protocol, checksum.
        assert_eq!(m.total_len, 0x0800);
        assert_eq!(m.src, [64, 17, 0, 0]);
        assert_eq!(m.ttl, 0);
        // Priority 0 (TCI 0x0071): not a 4, nothing read.
        f[18] = 0x00;
        assert_eq!(tstat_misread(ETHERNET, &f), None);
        assert_eq!(tstat_misread(ETHERNET, &eth(&[0x0800], &ipv4_udp())), None);
    }

    #[test]
    fn one_mpls_label_is_seen_a_stack_is_not() {
        let one = [[0x00, 0x01, 0x01, 0x40].as_slice(), &ipv4_udp()].concat();
        assert_eq!(layer(&eth(&[0x8847], &one)), Some(0));
        let two = [
            [0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40].as_slice(),
            &ipv4_udp(),
        ]
        .concat();
        assert_eq!(layer(&eth(&[0x8847], &two)), None);
    }

    #[test]
    fn ppp_carries_ipv4_only_for_tstat() {
        let with = |head: &[u8]| {
            let frame = [head, &ipv4_udp()].concat();
            let layers = decode_frame(PPP, &frame).unwrap();
            tstat_layer(PPP, &frame, &layers)
        };
        assert_eq!(with(&[0xff, 0x03, 0x00, 0x21]), Some(0));
        assert_eq!(with(&[0x00, 0x21]), Some(0));
        // MPLS over PPP: we read the label stack, Tstat does not.
        let label = [0x18, 0x96, 0x01, 0x01];
        assert_eq!(
            with(&[[0xff, 0x03, 0x02, 0x81].as_slice(), &label].concat()),
            None
        );
    }

    #[test]
    fn ipip_is_stripped_once() {
        let mut outer = vec![
            0x45, 0, 0, 48, 0, 0, 0, 0, 64, 4, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
        ];
        outer.extend_from_slice(&ipv4_udp());
        assert_eq!(layer(&eth(&[0x0800], &outer)), Some(1));
    }
}
