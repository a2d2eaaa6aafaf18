//! The TCP DPI's TLS readers (ClientHello as a record and as a bare Handshake message,
//! ServerHello, certificate name), the Web-2.0 URL rules and the IPP2P TCP matchers, all on
//! the same arbitrary segment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tstat::dpi::tcp::{ipp2p, tls, web};

fuzz_target!(|seg: &[u8]| {
    let declared = seg.len();
    std::hint::black_box(tls::client_hello(seg));
    std::hint::black_box(tls::client_hello_record(seg));
    std::hint::black_box(tls::server_hello_record(seg, declared));
    std::hint::black_box(tls::certificate_name(seg));
    std::hint::black_box(tls::sent_server_name(seg));
    std::hint::black_box(tls::is_sslv2_client_hello(seg, declared));
    std::hint::black_box(web::classify_get(seg));
    std::hint::black_box(web::classify_post(seg));
    std::hint::black_box(ipp2p::find(seg, declared));
});
