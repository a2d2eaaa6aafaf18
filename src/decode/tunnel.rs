//! Tunnels opened to reach the inner flow: IP-in-IP and 6in4 (RFC 2003, RFC 4213), GRE
//! (RFC 2784/2890) with ERSPAN types I, II and III, VXLAN (RFC 7348) and Teredo (RFC 4380).

use super::ip::{Fragment, IpPacket};
use super::{proto, Network};

pub const VXLAN_PORT: u16 = 4789;
pub const TEREDO_PORT: u16 = 3544;

/// The network payload of a tunnel packet, if `packet` is one we open. A first fragment is
/// opened too: it holds the inner headers, and the inner IP header gives the true lengths.
pub fn inner<'a>(packet: &IpPacket<'a>) -> Option<Network<'a>> {
    if packet.fragment == Fragment::Later {
        return None;
    }
    match packet.protocol {
        proto::IPIP => Some(Network::Ipv4(packet.payload)),
        proto::IPV6 => Some(Network::Ipv6(packet.payload)),
        proto::GRE => gre(packet.payload),
        proto::UDP => udp(packet.payload),
        _ => None,
    }
}

fn gre(b: &[u8]) -> Option<Network<'_>> {
    let flags = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
    let protocol = u16::from_be_bytes([*b.get(2)?, *b.get(3)?]);
    if flags & 0x0007 != 0 {
        return None; // only GRE version 0
    }
    let has_checksum = flags & 0x8000 != 0;
    let has_key = flags & 0x2000 != 0;
    let has_seq = flags & 0x1000 != 0;
    let pos = 4 + 4 * (has_checksum as usize + has_key as usize + has_seq as usize);
    let payload = b.get(pos..)?;
    match protocol {
        0x0800 => Some(Network::Ipv4(payload)),
        0x86dd => Some(Network::Ipv6(payload)),
        0x6558 => Some(Network::Ethernet(payload)),
        // ERSPAN type II carries an 8-byte header and has the sequence bit set; type I has
        // neither and starts with the mirrored frame.
        0x88be if has_seq => Some(Network::Ethernet(payload.get(8..)?)),
        0x88be => Some(Network::Ethernet(payload)),
        // ERSPAN type III: 12 bytes, plus an 8-byte platform subheader when O is set.
        0x22eb => {
            let optional = payload.get(11)? & 0x01 != 0;
            Some(Network::Ethernet(
                payload.get(12 + 8 * optional as usize..)?,
            ))
        }
        _ => None,
    }
}

fn udp(b: &[u8]) -> Option<Network<'_>> {
    let src = u16::from_be_bytes([*b.first()?, *b.get(1)?]);
    let dst = u16::from_be_bytes([*b.get(2)?, *b.get(3)?]);
    let payload = b.get(8..)?;
    if dst == VXLAN_PORT {
        // The I flag must be set for a valid VNI.
        if payload.len() >= 8 && payload[0] & 0x08 != 0 {
            return Some(Network::Ethernet(&payload[8..]));
        }
        return None;
    }
    if src == TEREDO_PORT || dst == TEREDO_PORT {
        return teredo(payload);
    }
    None
}

/// Teredo: optional authentication (type 0x0001) and origin indication (type 0x0000)
/// headers, then an IPv6 packet. Bubbles and anything that is not IPv6 are left alone.
fn teredo(mut b: &[u8]) -> Option<Network<'_>> {
    if b.len() >= 4 && b[0] == 0 && b[1] == 1 {
        let id_len = b[2] as usize;
        let auth_len = b[3] as usize;
        b = b.get(4 + id_len + auth_len + 9..)?;
    }
    if b.len() >= 8 && b[0] == 0 && b[1] == 0 {
        b = &b[8..];
    }
    if b.len() >= 40 && b[0] >> 4 == 6 {
        Some(Network::Ipv6(b))
    } else {
        None
    }
}
