//! IPv4 (RFC 791) and IPv6 (RFC 8200) headers, with IPv6 extension headers walked to the
//! transport header. Built on `smoltcp::wire` views.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use smoltcp::wire::{Ipv4Packet, Ipv6Packet};

use super::{Network, SkipReason};

/// Where this packet sits in a fragmented datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fragment {
    /// A whole datagram.
    None,
    /// Offset 0 with more fragments to come: it carries the transport header.
    First,
    /// Any later fragment: no transport header.
    Later,
}

/// An IP packet whose payload is located; zero-copy over the frame.
#[derive(Debug, Clone, Copy)]
pub struct IpPacket<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// Transport protocol (after IPv6 extension headers).
    pub protocol: u8,
    /// TTL or hop limit.
    pub ttl: u8,
    /// IPv4 identification (0 for IPv6).
    pub ident: u16,
    pub fragment: Fragment,
    /// Length of the whole IP packet according to its header.
    pub total_len: usize,
    /// Length of the IP header including IPv6 extension headers.
    pub header_len: usize,
    /// Captured bytes of the payload (may be shorter than the header says when the snaplen
    /// cut the frame).
    pub payload: &'a [u8],
    /// Length of the payload according to the IP header.
    pub payload_len: usize,
    /// The header fields as written, for the histograms: IPv4 TOS or IPv6 traffic class;
    /// the IPv4 total-length or IPv6 payload-length field (0 stays 0 here); the IPv4
    /// protocol or the next-header byte of the fixed IPv6 header.
    pub tos: u8,
    pub length_field: u16,
    pub first_next_header: u8,
}

impl IpPacket<'_> {
    pub fn is_ipv6(&self) -> bool {
        matches!(self.src, IpAddr::V6(_))
    }
}

pub fn parse(net: Network<'_>) -> Result<IpPacket<'_>, SkipReason> {
    match net {
        Network::Ipv4(b) => ipv4(b),
        Network::Ipv6(b) => ipv6(b),
        Network::IpAny(b) => match b.first().map(|v| v >> 4) {
            Some(4) => ipv4(b),
            Some(6) => ipv6(b),
            Some(_) => Err(SkipReason::NotIp),
            None => Err(SkipReason::TruncatedIpHeader),
        },
        Network::Ethernet(_) => Err(SkipReason::NotIp),
    }
}

fn ipv4(b: &[u8]) -> Result<IpPacket<'_>, SkipReason> {
    if b.len() < 20 {
        return Err(SkipReason::TruncatedIpHeader);
    }
    let p = Ipv4Packet::new_unchecked(b);
    if p.version() != 4 {
        return Err(SkipReason::BadIpHeader);
    }
    let header_len = p.header_len() as usize;
    if header_len < 20 {
        return Err(SkipReason::BadIpHeader);
    }
    if b.len() < header_len {
        return Err(SkipReason::TruncatedIpHeader);
    }
    // A total length of 0 is what segmentation offload leaves in captures: trust the frame.
    let total_len = match p.total_len() as usize {
        0 => b.len(),
        n if n < header_len => return Err(SkipReason::BadIpHeader),
        n => n,
    };
    let offset = p.frag_offset();
    let fragment = match (offset, p.more_frags()) {
        (0, false) => Fragment::None,
        (0, true) => Fragment::First,
        _ => Fragment::Later,
    };
    let end = total_len.min(b.len());
    Ok(IpPacket {
        src: IpAddr::V4(Ipv4Addr::from(p.src_addr().octets())),
        dst: IpAddr::V4(Ipv4Addr::from(p.dst_addr().octets())),
        protocol: u8::from(p.next_header()),
        ttl: p.hop_limit(),
        ident: p.ident(),
        fragment,
        total_len,
        header_len,
        payload: &b[header_len..end],
        payload_len: total_len - header_len,
        tos: b[1],
        length_field: p.total_len(),
        first_next_header: u8::from(p.next_header()),
    })
}

fn ipv6(b: &[u8]) -> Result<IpPacket<'_>, SkipReason> {
    const FIXED: usize = 40;
    if b.len() < FIXED {
        return Err(SkipReason::TruncatedIpHeader);
    }
    let p = Ipv6Packet::new_unchecked(b);
    if p.version() != 6 {
        return Err(SkipReason::BadIpHeader);
    }
    let total_len = match p.payload_len() as usize {
        // Jumbograms and offloaded captures: trust the frame.
        0 => b.len(),
        n => FIXED + n,
    };
    let mut next = u8::from(p.next_header());
    let mut pos = FIXED;
    let mut fragment = Fragment::None;
    loop {
        match next {
            // Hop-by-hop, routing, destination options: 8-byte units after the first 8.
            0 | 43 | 60 => {
                let len = (*b.get(pos + 1).ok_or(SkipReason::TruncatedIpHeader)? as usize + 1) * 8;
                next = b[pos];
                pos += len;
            }
            // Fragment header (RFC 8200 §4.5).
            44 => {
                let h = b.get(pos..pos + 8).ok_or(SkipReason::TruncatedIpHeader)?;
                let offset = u16::from_be_bytes([h[2], h[3]]) >> 3;
                let more = h[3] & 1 != 0;
                fragment = match (offset, more) {
                    (0, false) => Fragment::None,
                    (0, true) => Fragment::First,
                    _ => Fragment::Later,
                };
                next = h[0];
                pos += 8;
                if fragment == Fragment::Later {
                    break;
                }
            }
            // Authentication header (RFC 4302): length in 4-byte units minus 2.
            51 => {
                let len = (*b.get(pos + 1).ok_or(SkipReason::TruncatedIpHeader)? as usize + 2) * 4;
                next = b[pos];
                pos += len;
            }
            _ => break,
        }
        if pos > b.len() || pos > total_len {
            return Err(SkipReason::TruncatedIpHeader);
        }
    }
    let end = total_len.min(b.len()).max(pos);
    Ok(IpPacket {
        src: IpAddr::V6(Ipv6Addr::from(p.src_addr().octets())),
        dst: IpAddr::V6(Ipv6Addr::from(p.dst_addr().octets())),
        protocol: next,
        ttl: p.hop_limit(),
        ident: 0,
        fragment,
        total_len,
        header_len: pos,
        payload: &b[pos..end],
        payload_len: total_len.saturating_sub(pos),
        tos: (u16::from_be_bytes([b[0], b[1]]) >> 4) as u8,
        length_field: p.payload_len(),
        first_next_header: u8::from(p.next_header()),
    })
}
