//! The UDP classifiers (IPP2P, RTP, Skype, gQUIC, KAD, uTP, VOD, IETF QUIC) on a flow made of
//! arbitrary datagrams in both directions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tstat::dpi::udp::{Pools, UdpClass, UdpPacket};
use tstat::engine::flow::Dir;
use tstat::time::Timestamp;

fuzz_target!(|data: &[u8]| {
    let mut pools = Pools::new(4, 4);
    let mut class = UdpClass::default();
    let (mut c2s, mut s2c) = (0u64, 0u64);
    let mut rest = data;
    let mut t = 0i64;
    while rest.len() >= 3 {
        let dir = if rest[0] & 1 == 0 { Dir::C2S } else { Dir::S2C };
        let len = usize::from(u16::from_be_bytes([rest[1], rest[2]])).min(rest.len() - 3);
        let udp = &rest[3..3 + len];
        rest = &rest[3 + len..];
        match dir {
            Dir::C2S => c2s += 1,
            Dir::S2C => s2c += 1,
        }
        let (this, other) = match dir {
            Dir::C2S => (c2s, s2c),
            Dir::S2C => (s2c, c2s),
        };
        t += 1;
        let declared = udp.get(4..6).map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
        let pkt = UdpPacket {
            udp,
            declared_len: declared,
            ip_payload_len: udp.len(),
            ports: (40000, 443),
            flow_packets: c2s + s2c,
            dir_packets: this,
            other_packets: other,
            now: Timestamp::from_secs_micros(t, 0),
            dir_first: Timestamp::from_secs_micros(1, 0),
            skype: true,
        };
        class.packet(dir, &pkt, &mut pools);
        let _ = class.printed(dir, pkt.ports);
    }
    class.close(true, c2s, s2c);
    class.release(&mut pools);
});
