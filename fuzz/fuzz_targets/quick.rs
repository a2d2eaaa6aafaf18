//! The worker pipeline's shortcut to a frame's flow (`parallel::quick`) against the full
//! decoder, on arbitrary Ethernet frames: whenever the shortcut names a flow, the decoder
//! must find exactly one IP layer, TCP or UDP as the shortcut says, with the same flow key.
//! A difference would send the two directions of a flow, or a flow's packets, to different
//! workers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tstat::decode::{self, link::linktype, proto};
use tstat::engine::flow::FlowKey;
use tstat::parallel::quick;

fuzz_target!(|data: &[u8]| {
    let Some((key, udp)) = quick::flow_of(linktype::ETHERNET, data) else {
        return;
    };
    let layers = decode::decode_frame(linktype::ETHERNET, data).expect("the decoder reads it");
    assert_eq!(layers.len(), 1, "one IP layer");
    let ip = &layers[0];
    assert_eq!(ip.protocol, if udp { proto::UDP } else { proto::TCP });
    assert_eq!(FlowKey::of_packet(ip), Some(key));
});
