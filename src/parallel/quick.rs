//! The reader's shortcut to a frame's flow: plain Ethernet carrying IPv4 or IPv6 straight to
//! TCP or UDP, which is nearly all traffic, read at fixed offsets instead of through the
//! full decoder. Anything else (VLAN tags, tunnels, fragments, extension headers, short or
//! odd headers) returns `None` and goes through `decode::decode_frame`, so that both ways
//! give the same flow key for the same packet: the key of the one IP layer the decoder
//! would find. (Public for the `quick` fuzz target, which checks exactly that.)

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::decode::link::linktype;
use crate::decode::proto;
use crate::decode::tunnel::{TEREDO_PORT, VXLAN_PORT};
use crate::engine::flow::{Endpoint, FlowKey};

/// The flow of a frame the decoder would see as exactly one TCP or UDP packet with its
/// ports captured, and whether it is UDP.
pub fn flow_of(link_type: u32, frame: &[u8]) -> Option<(FlowKey, bool)> {
    if link_type != linktype::ETHERNET {
        return None;
    }
    let ethertype = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    let ip = frame.get(14..)?;
    let (src, dst, protocol, l4) = match ethertype {
        0x0800 => ipv4(ip)?,
        0x86dd => ipv6(ip)?,
        _ => return None,
    };
    let udp = match protocol {
        proto::TCP => false,
        proto::UDP => true,
        _ => return None,
    };
    let p = l4.get(..8)?;
    let sport = u16::from_be_bytes([p[0], p[1]]);
    let dport = u16::from_be_bytes([p[2], p[3]]);
    // The decoder opens VXLAN and Teredo: a second layer.
    if udp && (dport == VXLAN_PORT || sport == TEREDO_PORT || dport == TEREDO_PORT) {
        return None;
    }
    let key = FlowKey::new(
        Endpoint {
            addr: src,
            port: sport,
        },
        Endpoint {
            addr: dst,
            port: dport,
        },
    );
    Some((key, udp))
}

/// An unfragmented IPv4 header: addresses, protocol and the transport bytes it covers.
fn ipv4(b: &[u8]) -> Option<(IpAddr, IpAddr, u8, &[u8])> {
    let first = *b.first()?;
    let header_len = usize::from(first & 0x0f) * 4;
    if first >> 4 != 4 || header_len < 20 || b.len() < header_len {
        return None;
    }
    let total_len = usize::from(u16::from_be_bytes([b[2], b[3]]));
    let fragment = u16::from_be_bytes([b[6], b[7]]) & 0x3fff;
    if fragment != 0 || (total_len != 0 && total_len < header_len) {
        return None;
    }
    let end = if total_len == 0 {
        b.len()
    } else {
        total_len.min(b.len())
    };
    let addr = |at: usize| IpAddr::V4(Ipv4Addr::new(b[at], b[at + 1], b[at + 2], b[at + 3]));
    Some((addr(12), addr(16), b[9], &b[header_len..end]))
}

/// An IPv6 header whose next header is the transport (no extension header).
fn ipv6(b: &[u8]) -> Option<(IpAddr, IpAddr, u8, &[u8])> {
    if b.len() < 40 || b[0] >> 4 != 6 {
        return None;
    }
    let payload_len = usize::from(u16::from_be_bytes([b[4], b[5]]));
    let end = if payload_len == 0 {
        b.len()
    } else {
        (40 + payload_len).min(b.len())
    };
    let addr = |at: usize| {
        let mut o = [0u8; 16];
        o.copy_from_slice(&b[at..at + 16]);
        IpAddr::V6(Ipv6Addr::from(o))
    };
    Some((addr(8), addr(24), b[6], &b[40..end]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode;

    /// The key the full decoder gives a one-layer frame.
    fn decoded_key(frame: &[u8]) -> Option<FlowKey> {
        let layers = decode::decode_frame(linktype::ETHERNET, frame).ok()?;
        (layers.len() == 1).then(|| FlowKey::of_packet(&layers[0]))?
    }

    fn ethernet(ethertype: u16, ip: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&ethertype.to_be_bytes());
        f.extend_from_slice(ip);
        f
    }

    fn ipv4_udp(sport: u16, dport: u16, frag: u16) -> Vec<u8> {
        let mut ip = vec![0x45, 0, 0, 36, 0, 1];
        ip.extend_from_slice(&frag.to_be_bytes());
        ip.extend_from_slice(&[64, 17, 0, 0, 10, 0, 0, 1, 192, 0, 2, 7]);
        ip.extend_from_slice(&sport.to_be_bytes());
        ip.extend_from_slice(&dport.to_be_bytes());
        ip.extend_from_slice(&[0, 16, 0, 0]);
        ip.extend_from_slice(&[0xaa; 8]);
        ethernet(0x0800, &ip)
    }

    #[test]
    fn a_plain_packet_gets_the_decoders_key() {
        let f = ipv4_udp(5353, 53, 0);
        let (key, udp) = flow_of(linktype::ETHERNET, &f).unwrap();
        assert!(udp);
        assert_eq!(Some(key), decoded_key(&f));
        assert_eq!(key.ports(), (5353, 53), "10.0.0.1:5353 sorts first");
        let mut v6 = vec![0x60, 0, 0, 0, 0, 20, 6, 64];
        v6.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8].repeat(4));
        v6.extend_from_slice(&[0xfe, 0x80, 0, 0].repeat(4));
        v6.extend_from_slice(&[0x01, 0xbb, 0xc0, 0x00]);
        v6.extend_from_slice(&[0; 16]);
        let f = ethernet(0x86dd, &v6);
        let (key, udp) = flow_of(linktype::ETHERNET, &f).unwrap();
        assert!(!udp);
        assert_eq!(Some(key), decoded_key(&f));
    }

    #[test]
    fn tunnels_fragments_and_tags_take_the_decoder() {
        assert!(flow_of(linktype::ETHERNET, &ipv4_udp(1000, VXLAN_PORT, 0)).is_none());
        assert!(flow_of(linktype::ETHERNET, &ipv4_udp(TEREDO_PORT, 1000, 0)).is_none());
        assert!(flow_of(linktype::ETHERNET, &ipv4_udp(1000, 2000, 0x2000)).is_none());
        let mut tagged = ipv4_udp(1000, 2000, 0);
        tagged.splice(12..12, [0x81, 0x00, 0x00, 0x05]);
        assert!(flow_of(linktype::ETHERNET, &tagged).is_none());
        assert!(flow_of(linktype::LINUX_SLL, &ipv4_udp(1000, 2000, 0)).is_none());
    }
}
