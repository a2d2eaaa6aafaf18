//! Record sinks: where finished flows go. Sinks see records, never packets.

pub mod budget;
pub mod chatlog;
pub mod closed;
pub mod column_doc;
pub mod columns;
pub mod dnslog;
pub mod file;
pub mod header_only;
pub mod httplog;
pub mod logs;
pub mod mmlog;
pub mod outdir;
pub mod text;

use crate::dpi::dns::Message;
pub use crate::dpi::dnshunter::DnsName;
pub use crate::dpi::http::{HttpMessage, Text};
pub use crate::dpi::tcp::chat::{ChatMessage, ChatRecord};
use crate::dpi::tcp::TlsRecord;
pub use crate::dpi::udp::rtp::Streams;
use crate::engine::flow::Endpoint;
use crate::engine::tcp::TcpFlow;
use crate::engine::udp::UdpFlow;
use crate::time::Timestamp;

/// Names a UDP flow's row prints (each `None` prints `-`).
#[derive(Debug, Default, Clone, Copy)]
pub struct UdpNames<'a> {
    pub dns: Option<DnsName<'a>>,
    pub quic_sni: Option<&'a [u8]>,
    pub quic_ua: Option<&'a [u8]>,
}

/// Names and TLS details a TCP connection's row prints.
#[derive(Debug, Default, Clone, Copy)]
pub struct TcpNames<'a> {
    /// What DN-Hunter knew of the server when the connection opened.
    pub dns: Option<DnsName<'a>>,
    /// TLS texts and times (Layer-7 set).
    pub tls: Option<&'a TlsRecord>,
}

/// A DNS message seen in a counted UDP packet (for log_dns_complete).
pub struct DnsPacket<'a> {
    pub ts: Timestamp,
    /// The packet's source and destination.
    pub src: Endpoint,
    pub dst: Endpoint,
    pub src_internal: bool,
    pub dst_internal: bool,
    pub message: Message<'a>,
}

/// A log_http_complete row, as the packet that carried it passes.
pub struct HttpPacket<'a> {
    pub ts: Timestamp,
    /// The connection's client (SYN sender) and server.
    pub client: Endpoint,
    pub server: Endpoint,
    /// The connection's DN-Hunter name at this packet (request rows print it).
    pub fqdn: Option<&'a [u8]>,
    pub message: HttpMessage<'a>,
}

/// Receives every flow record the engine closes.
pub trait RecordSink {
    /// A TCP connection; `complete` chooses log_tcp_complete over log_tcp_nocomplete.
    fn tcp(&mut self, flow: &TcpFlow, complete: bool);
    fn udp(&mut self, flow: &UdpFlow);
    /// A DNS message, as packets pass (only when the engine is asked to log DNS).
    fn dns(&mut self, _packet: &DnsPacket<'_>) {}
    /// An HTTP request, response or continuation row (only when the engine is asked to log
    /// HTTP).
    fn http(&mut self, _packet: &HttpPacket<'_>) {}
    /// A closing UDP flow's RTP/RTCP streams (log_mm_complete), after its log_udp_complete
    /// row. Streams are tracked only with the `dpi` feature.
    fn mm(&mut self, _flow: &UdpFlow, _streams: &Streams<'_>) {}
    /// A closing connection's log_chat_complete row (before its other rows, whatever its
    /// endpoints). Chat counters exist only with the `dpi` feature.
    fn chat(&mut self, _flow: &TcpFlow, _chat: &ChatRecord) {}
    /// A counted chat message (log_chat_messages), as its packet passes.
    fn chat_message(&mut self, _message: &ChatMessage) {}
    /// A TCP connection with its names: DN-Hunter's, the TLS ones.
    fn tcp_named(&mut self, flow: &TcpFlow, complete: bool, _names: &TcpNames<'_>) {
        self.tcp(flow, complete);
    }
    /// A UDP flow with its DN-Hunter name and gQUIC names.
    fn udp_named(&mut self, flow: &UdpFlow, _names: &UdpNames<'_>) {
        self.udp(flow);
    }
    /// What also counts packets and flows as they pass (histograms), if anything does:
    /// the engine reports its events there (`engine::observe`).
    fn observer(&mut self) -> Option<&mut dyn crate::engine::observe::Observer> {
        None
    }
}

/// A sink that keeps the records in memory (tests, the library API).
#[derive(Default)]
pub struct Collect {
    pub tcp: Vec<(TcpFlow, bool)>,
    pub udp: Vec<UdpFlow>,
}

impl RecordSink for Collect {
    fn tcp(&mut self, flow: &TcpFlow, complete: bool) {
        self.tcp.push((flow.clone(), complete));
    }
    fn udp(&mut self, flow: &UdpFlow) {
        self.udp.push(*flow);
    }
}
