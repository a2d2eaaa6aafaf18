//! Link layers: the LINKTYPE_* numbers of pcap/pcapng, see
//! <https://www.tcpdump.org/linktypes.html>. Each function returns the network-layer bytes.

use super::{Network, SkipReason};

pub mod linktype {
    pub const NULL: u32 = 0;
    pub const ETHERNET: u32 = 1;
    pub const PPP: u32 = 9;
    pub const RAW_OPENBSD: u32 = 12;
    pub const RAW_BSDOS: u32 = 14;
    pub const PPP_HDLC: u32 = 50;
    pub const PPP_ETHER: u32 = 51;
    pub const RAW: u32 = 101;
    pub const C_HDLC: u32 = 104;
    pub const LOOP: u32 = 108;
    pub const LINUX_SLL: u32 = 113;
    pub const IPV4: u32 = 228;
    pub const IPV6: u32 = 229;
    pub const NFLOG: u32 = 239;
    pub const LINUX_SLL2: u32 = 276;
}

mod ethertype {
    pub const IPV4: u16 = 0x0800;
    pub const IPV6: u16 = 0x86dd;
    pub const VLAN: u16 = 0x8100;
    pub const QINQ: u16 = 0x88a8;
    pub const QINQ_OLD: u16 = 0x9100;
    pub const MPLS: u16 = 0x8847;
    pub const MPLS_MCAST: u16 = 0x8848;
    pub const PPPOE_SESSION: u16 = 0x8864;
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// Remove the link header of a frame of type `link_type`.
pub fn strip(link_type: u32, data: &[u8]) -> Result<Network<'_>, SkipReason> {
    use linktype::*;
    match link_type {
        ETHERNET => Ok(Network::Ethernet(data)),
        RAW | RAW_OPENBSD | RAW_BSDOS => Ok(Network::IpAny(data)),
        IPV4 => Ok(Network::Ipv4(data)),
        IPV6 => Ok(Network::Ipv6(data)),
        NULL | LOOP => bsd_loopback(data),
        PPP | PPP_HDLC => ppp(data),
        PPP_ETHER => pppoe(data),
        C_HDLC => cisco_hdlc(data),
        LINUX_SLL => sll(data),
        LINUX_SLL2 => sll2(data),
        NFLOG => nflog(data),
        _ => Err(SkipReason::UnknownLinkType),
    }
}

/// Ethernet II with any stack of 802.1Q/802.1ad tags, MPLS and PPPoE sessions inside.
pub fn ethernet(frame: &[u8]) -> Result<Network<'_>, SkipReason> {
    if frame.len() < 14 {
        return Err(SkipReason::TruncatedLinkHeader);
    }
    let mut etype = be16(frame, 12).ok_or(SkipReason::TruncatedLinkHeader)?;
    let mut pos = 14;
    while matches!(
        etype,
        ethertype::VLAN | ethertype::QINQ | ethertype::QINQ_OLD
    ) {
        etype = be16(frame, pos + 2).ok_or(SkipReason::TruncatedLinkHeader)?;
        pos += 4;
    }
    by_ethertype(etype, &frame[pos..])
}

fn by_ethertype(etype: u16, payload: &[u8]) -> Result<Network<'_>, SkipReason> {
    match etype {
        ethertype::IPV4 => Ok(Network::Ipv4(payload)),
        ethertype::IPV6 => Ok(Network::Ipv6(payload)),
        ethertype::MPLS | ethertype::MPLS_MCAST => mpls(payload),
        ethertype::PPPOE_SESSION => pppoe(payload),
        _ => Err(SkipReason::NotIp),
    }
}

/// MPLS label stack (RFC 3032): 4-byte entries until the bottom-of-stack bit. The payload
/// type is not signalled, so it is taken from the IP version nibble.
fn mpls(mut b: &[u8]) -> Result<Network<'_>, SkipReason> {
    loop {
        if b.len() < 4 {
            return Err(SkipReason::TruncatedLinkHeader);
        }
        let bottom = b[2] & 0x01 != 0;
        b = &b[4..];
        if bottom {
            return Ok(Network::IpAny(b));
        }
    }
}

/// PPPoE session header (RFC 2516): ver/type, code, session id, length, then PPP protocol.
fn pppoe(b: &[u8]) -> Result<Network<'_>, SkipReason> {
    if b.len() < 8 {
        return Err(SkipReason::TruncatedLinkHeader);
    }
    ppp_protocol(&b[6..])
}

/// PPP in HDLC-like framing (RFC 1662): optional 0xff 0x03, then the protocol field.
fn ppp(b: &[u8]) -> Result<Network<'_>, SkipReason> {
    let b = if b.starts_with(&[0xff, 0x03]) {
        &b[2..]
    } else {
        b
    };
    ppp_protocol(b)
}

/// PPP protocol field (RFC 1661): one byte when the low bit of the first byte is set.
fn ppp_protocol(b: &[u8]) -> Result<Network<'_>, SkipReason> {
    let first = *b.first().ok_or(SkipReason::TruncatedLinkHeader)?;
    let (proto, rest) = if first & 0x01 != 0 {
        (first as u16, &b[1..])
    } else {
        (be16(b, 0).ok_or(SkipReason::TruncatedLinkHeader)?, &b[2..])
    };
    match proto {
        0x0021 => Ok(Network::Ipv4(rest)),
        0x0057 => Ok(Network::Ipv6(rest)),
        0x0281 | 0x0283 => mpls(rest),
        _ => Err(SkipReason::NotIp),
    }
}

/// Cisco HDLC: address, control, then an Ethernet type.
fn cisco_hdlc(b: &[u8]) -> Result<Network<'_>, SkipReason> {
    let etype = be16(b, 2).ok_or(SkipReason::TruncatedLinkHeader)?;
    by_ethertype(etype, &b[4..])
}

/// BSD loopback: a 4-byte address family in the writer's byte order (NULL) or network order
/// (LOOP). The value differs between systems, so the IP version nibble decides.
fn bsd_loopback(b: &[u8]) -> Result<Network<'_>, SkipReason> {
    if b.len() < 4 {
        return Err(SkipReason::TruncatedLinkHeader);
    }
    let family = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let family = if family > 0xffff {
        family.swap_bytes()
    } else {
        family
    };
    match family {
        2 | 10 | 24 | 28 | 30 => Ok(Network::IpAny(&b[4..])),
        _ => Err(SkipReason::NotIp),
    }
}

/// Linux cooked capture v1: 16 bytes, protocol at offset 14.
fn sll(b: &[u8]) -> Result<Network<'_>, SkipReason> {
    if b.len() < 16 {
        return Err(SkipReason::TruncatedLinkHeader);
    }
    sll_protocol(
        be16(b, 14).ok_or(SkipReason::TruncatedLinkHeader)?,
        &b[16..],
    )
}

/// Linux cooked capture v2: 20 bytes, protocol at offset 0.
fn sll2(b: &[u8]) -> Result<Network<'_>, SkipReason> {
    if b.len() < 20 {
        return Err(SkipReason::TruncatedLinkHeader);
    }
    sll_protocol(be16(b, 0).ok_or(SkipReason::TruncatedLinkHeader)?, &b[20..])
}

fn sll_protocol(proto: u16, payload: &[u8]) -> Result<Network<'_>, SkipReason> {
    match proto {
        // Linux tun devices record no Ethernet type; the payload is plain IP.
        0x0000 | 0x0004 => Ok(Network::IpAny(payload)),
        p => by_ethertype(p, payload),
    }
}

/// NFLOG: a 4-byte header, then TLVs (16-bit length and type in host, i.e. little-endian,
/// order, padded to 4 bytes). TLV type 9 holds the packet.
fn nflog(b: &[u8]) -> Result<Network<'_>, SkipReason> {
    const NFULA_PAYLOAD: u16 = 9;
    if b.len() < 4 {
        return Err(SkipReason::TruncatedLinkHeader);
    }
    let family = b[0];
    let mut pos = 4;
    while pos + 4 <= b.len() {
        let len = u16::from_le_bytes([b[pos], b[pos + 1]]) as usize;
        let kind = u16::from_le_bytes([b[pos + 2], b[pos + 3]]) & 0x7fff;
        if len < 4 || pos + len > b.len() {
            return Err(SkipReason::TruncatedLinkHeader);
        }
        if kind == NFULA_PAYLOAD {
            let payload = &b[pos + 4..pos + len];
            return Ok(match family {
                2 => Network::Ipv4(payload),
                10 => Network::Ipv6(payload),
                _ => Network::IpAny(payload),
            });
        }
        pos += len.div_ceil(4) * 4;
    }
    Err(SkipReason::NotIp)
}
