//! The whole engine on arbitrary frames: decoding, flow tables, TCP/UDP analysis and every
//! payload classifier reachable from a packet. The input is a link type selector followed by
//! length-prefixed frames; time advances 1 ms a frame, with a long jump now and then so that
//! flows expire mid-input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tstat::engine::{Engine, EngineConfig};
use tstat::sink::Collect;
use tstat::time::Timestamp;

const LINK_TYPES: [u32; 5] = [1, 101, 113, 228, 229];

fn config() -> EngineConfig {
    let mut cfg = EngineConfig {
        dns_log: true,
        http_log: true,
        httplog_full_url: 2,
        skype: true,
        ..EngineConfig::default()
    };
    let g = &mut cfg.globals;
    g.max_tcp_pairs = 64;
    g.max_udp_pairs = 64;
    g.hash_table_size = 64;
    g.dns_cache_size = 64;
    cfg
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, mut rest)) = data.split_first() else {
        return;
    };
    let link_type = LINK_TYPES[usize::from(selector) % LINK_TYPES.len()];
    let mut engine = Engine::new(config());
    let mut sink = Collect::default();
    let mut ms = 1_000_000_000i64;
    let mut n = 0u32;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let frame = &rest[2..2 + len];
        rest = &rest[2 + len..];
        n += 1;
        ms += if n % 16 == 0 { 400_000 } else { 1 };
        let ts = Timestamp::from_secs_micros(ms / 1000, (ms % 1000) * 1000);
        engine.frame(ts, link_type, frame, &mut sink);
    }
    engine.finish(&mut sink);
});
