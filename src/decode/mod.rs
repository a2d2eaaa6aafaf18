//! Decoding: from a captured frame to the IP packets it carries.
//!
//! The link layer is peeled off ([`link`]), the IP header read ([`ip`]) and known tunnels
//! opened ([`tunnel`]). Every IP layer whose payload is TCP or UDP is handed to the engine, the
//! outer one of a UDP tunnel included, since Tstat tracks that UDP flow too. Decoding is
//! zero-copy: an [`IpPacket`] borrows the frame's bytes. Nothing here allocates.

pub mod ip;
pub mod link;
mod tstat_view;
pub mod tunnel;

pub use self::ip::{Fragment, IpPacket};
pub use self::tstat_view::{tstat_layer, tstat_misread, Misread};

/// IP protocol numbers used by the decoder and the engine.
pub mod proto {
    pub const IPIP: u8 = 4;
    pub const TCP: u8 = 6;
    pub const UDP: u8 = 17;
    pub const IPV6: u8 = 41;
    pub const GRE: u8 = 47;
}

/// Why a frame, or a layer inside it, was not decoded. Each reason has its own counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum SkipReason {
    UnknownLinkType,
    TruncatedLinkHeader,
    /// ARP, LLDP, IPX, ...: a frame that carries no IP.
    NotIp,
    TruncatedIpHeader,
    BadIpHeader,
    /// Tunnels nested deeper than [`MAX_LAYERS`].
    TooManyLayers,
}

impl SkipReason {
    pub const ALL: [SkipReason; 6] = [
        SkipReason::UnknownLinkType,
        SkipReason::TruncatedLinkHeader,
        SkipReason::NotIp,
        SkipReason::TruncatedIpHeader,
        SkipReason::BadIpHeader,
        SkipReason::TooManyLayers,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SkipReason::UnknownLinkType => "unknown link type",
            SkipReason::TruncatedLinkHeader => "frame shorter than its link header",
            SkipReason::NotIp => "not IP (ARP, LLDP, ...)",
            SkipReason::TruncatedIpHeader => "frame shorter than its IP header",
            SkipReason::BadIpHeader => "malformed IP header",
            SkipReason::TooManyLayers => "tunnels nested too deep",
        }
    }
}

/// The most IP layers one frame may stack (outer + tunnels).
pub const MAX_LAYERS: usize = 4;

/// The IP layers found in one frame, outermost first.
pub type Layers<'a> = heapless::Vec<IpPacket<'a>, MAX_LAYERS>;

/// What the link layer said the payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network<'a> {
    Ipv4(&'a [u8]),
    Ipv6(&'a [u8]),
    /// Either, decided by the version nibble (raw IP links, MPLS payloads).
    IpAny(&'a [u8]),
    /// An Ethernet frame (inside VXLAN, GRE bridging, ERSPAN).
    Ethernet(&'a [u8]),
}

/// Decode a frame of the given LINKTYPE into its IP layers (`layers`, emptied first: filled in
/// place, not returned by value, as this runs once per frame). An error means the frame carried no
/// usable IP packet at all; problems in an inner tunnel layer only stop the unwrapping.
pub fn decode_frame_into<'a>(
    link_type: u32,
    data: &'a [u8],
    layers: &mut Layers<'a>,
) -> Result<(), SkipReason> {
    layers.clear();
    let mut net = link::strip(link_type, data)?;
    loop {
        if let Network::Ethernet(frame) = net {
            match link::ethernet(frame) {
                Ok(n) => net = n,
                Err(e) if layers.is_empty() => return Err(e),
                Err(_) => return Ok(()),
            }
            continue;
        }
        let packet = match ip::parse(net) {
            Ok(p) => p,
            Err(e) if layers.is_empty() => return Err(e),
            Err(_) => return Ok(()),
        };
        let inner = tunnel::inner(&packet);
        if layers.push(packet).is_err() {
            return if layers.is_empty() {
                Err(SkipReason::TooManyLayers)
            } else {
                Ok(())
            };
        }
        match inner {
            Some(n) if layers.len() < MAX_LAYERS => net = n,
            _ => return Ok(()),
        }
    }
}

/// [`decode_frame_into`] into a fresh list (tests, the fuzz targets).
pub fn decode_frame(link_type: u32, data: &[u8]) -> Result<Layers<'_>, SkipReason> {
    let mut layers = Layers::new();
    decode_frame_into(link_type, data, &mut layers)?;
    Ok(layers)
}
