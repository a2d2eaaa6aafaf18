//! Record sinks: where finished flows go. Sinks see records, never packets.

pub mod columns;
pub mod header_only;
pub mod logs;
pub mod outdir;
pub mod text;

use crate::engine::tcp::TcpFlow;
use crate::engine::udp::UdpFlow;

/// Receives every flow record the engine closes.
pub trait RecordSink {
    /// A TCP connection; `complete` chooses log_tcp_complete over log_tcp_nocomplete.
    fn tcp(&mut self, flow: &TcpFlow, complete: bool);
    fn udp(&mut self, flow: &UdpFlow);
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
