//! UDP flow classification: the c_type/s_type columns of log_udp_complete.
//!
//! Tstat types each direction of a UDP flow on its own. For every counted packet it runs, in
//! order, the payload matchers taken from IPP2P ([`ipp2p`]), the RTP/RTCP machine ([`rtp`]),
//! then the behavioural checks that need several packets ([`behaviour`]). With `-B`, Tstat's
//! Skype packet counts ([`skype`]) run first and judge the flow at its end.
//! See docs/semantics/udp-dpi.md for the rules and where they come from.

pub mod behaviour;
pub mod gquic;
pub mod ipp2p;
pub mod rtp;
pub mod rtpstats;
pub mod skype;

use crate::engine::flow::Dir;
use crate::time::Timestamp;

/// Tstat's UDP type numbers (the values printed in c_type/s_type).
pub mod kind {
    pub const UNKNOWN: u8 = 0;
    pub const FIRST_RTP: u8 = 1;
    pub const FIRST_RTCP: u8 = 2;
    pub const P2P_EDK: u8 = 8;
    pub const P2P_BT: u8 = 12;
    pub const P2P_PPLIVE: u8 = 15;
    pub const P2P_SOPCAST: u8 = 16;
    pub const P2P_TVANTS: u8 = 17;
    pub const P2P_OKAD: u8 = 18;
    pub const DNS: u8 = 19;
    pub const P2P_UTP: u8 = 20;
    pub const P2P_UTPBT: u8 = 21;
    pub const UDP_VOD: u8 = 22;
    pub const P2P_PPSTREAM: u8 = 23;
    pub const TEREDO: u8 = 24;
    pub const UDP_SIP: u8 = 25;
    pub const UDP_DTLS: u8 = 26;
    pub const UDP_QUIC: u8 = 27;
    pub const FIRST_RTP_PLUS: u8 = 28;
    pub const RTP_PLUS: u8 = 29;
}

/// Payload matchers give up on a direction still unknown after this many packets.
const MAX_UNKNOWN_PACKETS: u64 = 40;
/// Behavioural checks run while the flow (both directions) has fewer packets than these.
const MAX_UDP_UTP: u64 = 40;
const MAX_UDP_QUIC: u64 = 60;
const MAX_UDP_VOD: u64 = 40;
const MAX_UDP_OBFUSCATE: u64 = 10;

/// Classification state of one direction.
#[derive(Debug, Clone, Copy, Default)]
pub struct DirState {
    /// The raw type; [`UdpClass::printed`] maps it to what the log shows.
    pub kind: u8,
    pub kad: behaviour::KadDir,
    pub quic: behaviour::QuicDir,
    pub utp: behaviour::UtpDir,
    pub vod: behaviour::VodDir,
    pub rtp: rtp::RtpLink,
    /// Protocols seen multiplexed with RTP (log_mm_complete's mux bitmask).
    pub mux: u8,
    pub skype: skype::SkypeDir,
}

/// Classification state of a UDP flow.
#[derive(Debug, Clone, Copy, Default)]
pub struct UdpClass {
    pub c2s: DirState,
    pub s2c: DirState,
    /// Obfuscated-KAD verdict of the pair (any direction's match marks the pair).
    pub kad_pair: behaviour::KadState,
    /// gQUIC handshake tags of the flow.
    pub quic_tags: gquic::Tags,
    /// IETF QUIC's ClientHello, read for its server name (our addition).
    #[cfg(feature = "dpi")]
    pub ietf_quic: crate::dpi::quic::Handshake,
}

/// Memory shared by all flows' classifiers, reserved once.
pub struct Pools {
    pub rtp: rtp::RtpPool,
    pub quic_names: gquic::NamePool,
    #[cfg(feature = "dpi")]
    pub quic_hellos: crate::dpi::quic::AssemblyPool,
}

impl Pools {
    pub fn new(rtp_slots: usize, quic_slots: usize) -> Pools {
        Pools {
            rtp: rtp::RtpPool::with_capacity(rtp_slots),
            quic_names: gquic::NamePool::with_capacity(quic_slots),
            #[cfg(feature = "dpi")]
            quic_hellos: crate::dpi::quic::AssemblyPool::with_capacity(
                crate::dpi::quic::DEFAULT_POOL.min(quic_slots),
            ),
        }
    }
}

/// What the classifier needs to know about one counted packet.
pub struct UdpPacket<'a> {
    /// The captured bytes from the UDP header on.
    pub udp: &'a [u8],
    /// The UDP length field (header included).
    pub declared_len: u16,
    /// UDP header plus payload according to the IP header.
    pub ip_payload_len: usize,
    /// Ports of the flow's client and server.
    pub ports: (u16, u16),
    /// Counted packets of the whole flow and of this direction, this one included.
    pub flow_packets: u64,
    pub dir_packets: u64,
    /// Counted packets of the other direction.
    pub other_packets: u64,
    /// This packet's time and the first packet time of its direction.
    pub now: Timestamp,
    pub dir_first: Timestamp,
    /// Run Tstat's Skype classifier (it does so only when given `-B`).
    pub skype: bool,
}

impl UdpClass {
    /// Run the matchers on one counted packet going in `dir`; what the RTP machine saw.
    pub fn packet(&mut self, dir: Dir, pkt: &UdpPacket<'_>, pools: &mut Pools) -> rtp::RtpOutcome {
        if pkt.skype {
            self.skype(dir, pkt);
        }
        self.match_payload(dir, pkt);
        let rtp_pkt = rtp::RtpPacket {
            payload: pkt.udp.get(8..).unwrap_or_default(),
            declared_len: pkt.declared_len,
            ip_payload_len: pkt.ip_payload_len,
            ports: pkt.ports,
            now_us: pkt.now.0.div_euclid(1000),
        };
        let (this, other) = self.both(dir);
        let rtp_outcome = rtp::packet(this, other, &mut pools.rtp, &rtp_pkt);
        self.behaviour(dir, pkt, &mut pools.quic_names);
        #[cfg(feature = "dpi")]
        if dir == Dir::C2S {
            let (tags, names) = (&mut self.quic_tags, &mut pools.quic_names);
            let payload = pkt.udp.get(8..).unwrap_or_default();
            self.ietf_quic
                .client_datagram(payload, &mut pools.quic_hellos, |sni| {
                    tags.set_sni(sni, names)
                });
        }
        rtp_outcome
    }

    /// Skype counts every packet, and may judge the flow early.
    fn skype(&mut self, dir: Dir, pkt: &UdpPacket<'_>) {
        let payload = pkt.udp.get(8..).unwrap_or_default();
        let this = self.both(dir).0;
        skype::count(&mut this.skype, payload, pkt.ip_payload_len);
        if skype::early_due(&this.skype, pkt.dir_first, pkt.now, pkt.dir_packets) {
            let (this, other) = self.both(dir);
            skype::mark_early(&mut this.skype, &mut other.skype);
            skype::judge(this, pkt.dir_packets);
            skype::judge(other, pkt.other_packets);
        }
    }

    /// The flow ends: Skype judges each direction on its packet count (with `-B`).
    pub fn close(&mut self, skype: bool, c2s_packets: u64, s2c_packets: u64) {
        if skype {
            skype::judge(&mut self.c2s, c2s_packets);
            skype::judge(&mut self.s2c, s2c_packets);
        }
    }

    /// Give back what the flow holds in shared pools (when it ends).
    pub fn release(&mut self, pools: &mut Pools) {
        self.c2s.rtp.release(&mut pools.rtp);
        self.s2c.rtp.release(&mut pools.rtp);
        self.quic_tags.release(&mut pools.quic_names);
        #[cfg(feature = "dpi")]
        self.ietf_quic.release(&mut pools.quic_hellos);
    }

    /// The value Tstat prints for a direction: an untyped direction of a flow that looks like
    /// obfuscated KAD prints 18, unless it is NTP (port 123); Skype voice that the Bayesian
    /// test did not confirm prints 0.
    pub fn printed(&self, dir: Dir, ports: (u16, u16)) -> u8 {
        let kind = self.dir(dir).kind;
        if kind == skype::E2E || kind == skype::OUT {
            return kind::UNKNOWN;
        }
        let untyped = matches!(kind, kind::UNKNOWN | kind::FIRST_RTP | kind::FIRST_RTCP);
        if untyped && self.kad_pair.matched() && ports.0 != 123 && ports.1 != 123 {
            kind::P2P_OKAD
        } else {
            kind
        }
    }

    fn dir(&self, dir: Dir) -> &DirState {
        match dir {
            Dir::C2S => &self.c2s,
            Dir::S2C => &self.s2c,
        }
    }

    /// This direction and the other one.
    fn both(&mut self, dir: Dir) -> (&mut DirState, &mut DirState) {
        match dir {
            Dir::C2S => (&mut self.c2s, &mut self.s2c),
            Dir::S2C => (&mut self.s2c, &mut self.c2s),
        }
    }

    /// IPP2P's payload matchers type a direction that is still unknown.
    fn match_payload(&mut self, dir: Dir, pkt: &UdpPacket<'_>) {
        let this = self.both(dir).0;
        if this.kind != kind::UNKNOWN || pkt.dir_packets > MAX_UNKNOWN_PACKETS {
            return;
        }
        if let Some(m) = ipp2p::find(pkt.udp, pkt.declared_len) {
            if let Some(k) = m.udp_type(pkt.ports) {
                this.kind = k;
            }
        }
    }

    fn behaviour(&mut self, dir: Dir, pkt: &UdpPacket<'_>, names: &mut gquic::NamePool) {
        let n = pkt.flow_packets;
        let (this, other) = match dir {
            Dir::C2S => (&mut self.c2s, &mut self.s2c),
            Dir::S2C => (&mut self.s2c, &mut self.c2s),
        };
        if n < MAX_UDP_UTP {
            behaviour::utp(this, other, pkt.udp);
        }
        if n < MAX_UDP_QUIC {
            behaviour::quic(this, other, pkt.udp, &mut self.quic_tags, names);
        }
        if n < MAX_UDP_VOD {
            behaviour::vod(this, other, pkt.udp, pkt.declared_len);
        }
        if n < MAX_UDP_OBFUSCATE {
            if let Some(verdict) = behaviour::kad(&mut this.kad, &mut other.kad, pkt.declared_len) {
                self.kad_pair = verdict;
            }
        }
    }
}
