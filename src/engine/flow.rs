//! What TCP and UDP tracking share: endpoints, the direction-free flow key and its hash.

use std::net::IpAddr;

use crate::decode::{Fragment, IpPacket};

use super::table::mix64;

/// One side of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Endpoint {
    pub addr: IpAddr,
    pub port: u16,
}

impl Default for Endpoint {
    fn default() -> Endpoint {
        Endpoint {
            addr: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            port: 0,
        }
    }
}

/// The two endpoints in a canonical order, so both directions of a flow find the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlowKey {
    lo: Endpoint,
    hi: Endpoint,
}

fn addr_bits(a: &IpAddr) -> u128 {
    match a {
        IpAddr::V4(v4) => u32::from(*v4) as u128,
        IpAddr::V6(v6) => u128::from(*v6) ^ (1u128 << 127),
    }
}

impl FlowKey {
    pub fn new(a: Endpoint, b: Endpoint) -> FlowKey {
        if (addr_bits(&a.addr), a.port) <= (addr_bits(&b.addr), b.port) {
            FlowKey { lo: a, hi: b }
        } else {
            FlowKey { lo: b, hi: a }
        }
    }

    /// The key of a TCP or UDP packet: its addresses and the ports that start its payload
    /// (`None` when fewer than 4 bytes were captured). Later fragments have no ports.
    pub fn of_packet(ip: &IpPacket<'_>) -> Option<FlowKey> {
        if ip.fragment == Fragment::Later {
            return None;
        }
        let p = ip.payload.get(..4)?;
        Some(FlowKey::new(
            Endpoint {
                addr: ip.src,
                port: u16::from_be_bytes([p[0], p[1]]),
            },
            Endpoint {
                addr: ip.dst,
                port: u16::from_be_bytes([p[2], p[3]]),
            },
        ))
    }

    /// The two ports, in the key's order.
    pub fn ports(&self) -> (u16, u16) {
        (self.lo.port, self.hi.port)
    }

    /// A 64-bit hash of the key; equal for both directions by construction.
    pub fn hash64(&self) -> u64 {
        let a = addr_bits(&self.lo.addr);
        let b = addr_bits(&self.hi.addr);
        let ports = ((self.lo.port as u64) << 16) | self.hi.port as u64;
        let h = mix64(a as u64 ^ ((a >> 64) as u64).rotate_left(17) ^ ports.rotate_left(40));
        mix64(h ^ b as u64 ^ ((b >> 64) as u64).rotate_left(29))
    }
}

/// Which way a packet travels relative to the flow's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Client to server.
    C2S = 0,
    /// Server to client.
    S2C = 1,
}

impl Dir {
    /// The opposite direction.
    pub fn other(self) -> Dir {
        match self {
            Dir::C2S => Dir::S2C,
            Dir::S2C => Dir::C2S,
        }
    }
}
