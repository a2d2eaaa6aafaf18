//! The HTTP plugin (http_req_cnt/http_res_cnt/http_hostname and log_http_complete rows) on a
//! connection made of arbitrary segments: each is a direction byte, a 2-byte big-endian
//! length and the bytes. Every row a segment produces is rendered, as the sink would.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tstat::dpi::http::{Connection, HttpFlow, HttpLog};
use tstat::engine::flow::Endpoint;

fuzz_target!(|data: &[u8]| {
    let Some((&level, mut rest)) = data.split_first() else {
        return;
    };
    let mut log = HttpLog::new(true, u32::from(level % 3));
    let mut flow = HttpFlow::default();
    let connection = Connection {
        client: Endpoint::default(),
        server: Endpoint::default(),
        dns: None,
    };
    while rest.len() >= 3 {
        let client = rest[0] & 1 == 0;
        let len = usize::from(u16::from_be_bytes([rest[1], rest[2]])).min(rest.len() - 3);
        let payload = &rest[3..3 + len];
        rest = &rest[3 + len..];
        log.packet(&mut flow, connection, client, payload, payload.len() as u64);
        if let Some(row) = log.take_pending() {
            std::hint::black_box(log.message(&row.pending, payload));
        }
    }
    std::hint::black_box(flow.hostname());
});
