//! The DNS message reader (log_dns_complete, DN-Hunter) on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tstat::dpi::dns::Message;

fuzz_target!(|data: &[u8]| {
    for parsed in [Message::parse(data), Message::parse_through_answers(data)] {
        let Some(msg) = parsed else {
            continue;
        };
        let _ = (msg.is_response(), msg.rcode());
        for q in msg.questions() {
            for label in msg.labels(q.name) {
                std::hint::black_box(label);
            }
        }
        for r in msg.answers() {
            for label in msg.labels(r.name) {
                std::hint::black_box(label);
            }
        }
    }
});
