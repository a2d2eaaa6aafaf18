//! What a worker's observer heard, kept to be heard again on the reader's thread.
//!
//! With `--workers` and an observer (the histograms), each worker records the events its
//! engine reports into an [`EventLog`] that travels back with the batch; [`super::merge`]
//! puts the logs of all workers back into a lone engine's order and replays them into the
//! one observer of the run. Events are plain `Copy` numbers (`engine::observe`), so a log is
//! a vector that keeps its capacity from batch to batch: nothing is allocated per packet
//! once the pipeline is warm.

use crate::engine::observe::{
    ChatKind, Ipv4Seen, Ipv6Seen, LayeredObserver, Observer, RtcpReportSeen, RtpConfirmed,
    RtpSequence, TcpClosed, TcpRateSeen, TcpSegmentSeen, UdpClosed, UdpDatagramSeen, UdpRateSeen,
    Way,
};
use crate::time::Timestamp;

/// One observer call. Flow closes, the large events, are kept aside in [`EventLog`] and
/// referred to by index.
#[derive(Debug, Clone, Copy)]
pub enum Event {
    FirstPacket(Timestamp),
    Ipv4(Ipv4Seen),
    Ipv6(Ipv6Seen),
    TcpSegment(TcpSegmentSeen),
    UdpDatagram(UdpDatagramSeen),
    TcpOpened(bool),
    TcpTrash,
    UdpOpened(bool),
    UdpDirectionStarted(u16),
    TcpInFlight(u32),
    TcpSegmentClass(Option<Way>, bool, u8),
    TcpRate(TcpRateSeen),
    UdpRate(UdpRateSeen),
    RtpConfirmed(RtpConfirmed),
    RtpSequence(Option<Way>, RtpSequence),
    RtcpReport(Option<Way>, RtcpReportSeen),
    /// Index into [`EventLog::tcp_closes`].
    TcpClosed(u32),
    /// Index into [`EventLog::udp_closes`].
    UdpClosed(u32),
    ChatSession(ChatKind, bool, Timestamp),
    FlowOpening(Timestamp),
    PacketEnd(Timestamp, bool),
}

/// Where in the input an event happened: the frame's number, then the IP layer of the frame
/// (several workers may analyse layers of one frame).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Place {
    pub seq: u64,
    pub layer: u8,
}

#[derive(Debug, Clone, Copy)]
pub struct Stamped {
    pub at: Place,
    pub event: Event,
}

/// The idle timeouts of the flow tables, in nanoseconds: with a close's last packet time
/// they say when a lone engine's idle scan would have closed the flow.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timeouts {
    pub tcp_idle: i64,
    pub tcp_singleton: i64,
    pub udp_idle: i64,
    pub udp_singleton: i64,
}

impl Timeouts {
    /// The timeouts the engines take from globals.conf.
    pub fn of(g: &crate::config::globals::Globals) -> Timeouts {
        use crate::engine::secs_to_ns;
        Timeouts {
            tcp_idle: secs_to_ns(g.tcp_idle_time),
            tcp_singleton: secs_to_ns(g.tcp_singleton_time),
            udp_idle: secs_to_ns(g.udp_idle_time),
            udp_singleton: secs_to_ns(g.udp_singleton_time),
        }
    }

    /// After this time a lone engine closes the flow at its next flow opening.
    pub fn tcp_deadline(&self, c: &TcpClosed) -> i64 {
        let t = if c.singleton {
            self.tcp_singleton
        } else {
            self.tcp_idle
        };
        c.last.0.saturating_add(t)
    }

    pub fn udp_deadline(&self, c: &UdpClosed) -> i64 {
        let t = if c.singleton {
            self.udp_singleton
        } else {
            self.udp_idle
        };
        c.last.0.saturating_add(t)
    }
}

/// Events of one worker for one batch, in the order its engine reported them.
#[derive(Default)]
pub struct EventLog {
    pub events: Vec<Stamped>,
    pub tcp_closes: Vec<TcpClosed>,
    pub udp_closes: Vec<UdpClosed>,
    at: Place,
}

impl EventLog {
    /// Room for a batch's events, reserved once.
    pub fn with_capacity(frames: usize) -> EventLog {
        EventLog {
            events: Vec::with_capacity(frames * 6),
            tcp_closes: Vec::with_capacity(frames / 4),
            udp_closes: Vec::with_capacity(frames / 4),
            at: Place::default(),
        }
    }

    /// The events that follow are about frame `seq` (layer 0 until told otherwise).
    pub fn frame(&mut self, seq: u64) {
        self.at = Place { seq, layer: 0 };
    }

    pub fn clear(&mut self) {
        self.events.clear();
        self.tcp_closes.clear();
        self.udp_closes.clear();
    }

    fn push(&mut self, event: Event) {
        self.events.push(Stamped { at: self.at, event });
    }

    /// Hear event `i` again.
    pub fn replay(&self, i: usize, o: &mut dyn Observer) {
        match self.events[i].event {
            Event::FirstPacket(t) => o.first_packet(t),
            Event::Ipv4(p) => o.ipv4(&p),
            Event::Ipv6(p) => o.ipv6(&p),
            Event::TcpSegment(s) => o.tcp_segment(&s),
            Event::UdpDatagram(d) => o.udp_datagram(&d),
            Event::TcpOpened(b) => o.tcp_opened(b),
            Event::TcpTrash => o.tcp_trash(),
            Event::UdpOpened(b) => o.udp_opened(b),
            Event::UdpDirectionStarted(p) => o.udp_direction_started(p),
            Event::TcpInFlight(b) => o.tcp_in_flight(b),
            Event::TcpSegmentClass(w, c2s, class) => o.tcp_segment_class(w, c2s, class),
            Event::TcpRate(r) => o.tcp_rate(&r),
            Event::UdpRate(r) => o.udp_rate(&r),
            Event::RtpConfirmed(c) => o.rtp_confirmed(&c),
            Event::RtpSequence(w, e) => o.rtp_sequence(w, e),
            Event::RtcpReport(w, r) => o.rtcp_report(w, &r),
            Event::TcpClosed(k) => o.tcp_closed(&self.tcp_closes[k as usize]),
            Event::UdpClosed(k) => o.udp_closed(&self.udp_closes[k as usize]),
            Event::ChatSession(k, open, t) => o.chat_session(k, open, t),
            Event::FlowOpening(t) => o.flow_opening(t),
            Event::PacketEnd(t, ok) => o.packet_end(t, ok),
        }
    }

    /// When a lone engine's idle scan would close the flow event `i` closes (`None` for an
    /// event that is not a close).
    pub fn close_deadline(&self, i: usize, timeouts: &Timeouts) -> Option<i64> {
        match self.events[i].event {
            Event::TcpClosed(k) => Some(timeouts.tcp_deadline(&self.tcp_closes[k as usize])),
            Event::UdpClosed(k) => Some(timeouts.udp_deadline(&self.udp_closes[k as usize])),
            _ => None,
        }
    }
}

impl LayeredObserver for EventLog {
    fn layer(&mut self, index: u8) {
        self.at.layer = index;
    }
}

impl Observer for EventLog {
    fn first_packet(&mut self, at: Timestamp) {
        self.push(Event::FirstPacket(at));
    }
    fn ipv4(&mut self, p: &Ipv4Seen) {
        self.push(Event::Ipv4(*p));
    }
    fn ipv6(&mut self, p: &Ipv6Seen) {
        self.push(Event::Ipv6(*p));
    }
    fn tcp_segment(&mut self, s: &TcpSegmentSeen) {
        self.push(Event::TcpSegment(*s));
    }
    fn udp_datagram(&mut self, d: &UdpDatagramSeen) {
        self.push(Event::UdpDatagram(*d));
    }
    fn tcp_opened(&mut self, opened: bool) {
        self.push(Event::TcpOpened(opened));
    }
    fn tcp_trash(&mut self) {
        self.push(Event::TcpTrash);
    }
    fn udp_opened(&mut self, opened: bool) {
        self.push(Event::UdpOpened(opened));
    }
    fn udp_direction_started(&mut self, dst_port: u16) {
        self.push(Event::UdpDirectionStarted(dst_port));
    }
    fn tcp_in_flight(&mut self, bytes: u32) {
        self.push(Event::TcpInFlight(bytes));
    }
    fn tcp_segment_class(&mut self, way: Option<Way>, c2s: bool, class: u8) {
        self.push(Event::TcpSegmentClass(way, c2s, class));
    }
    fn tcp_rate(&mut self, r: &TcpRateSeen) {
        self.push(Event::TcpRate(*r));
    }
    fn udp_rate(&mut self, r: &UdpRateSeen) {
        self.push(Event::UdpRate(*r));
    }
    fn rtp_confirmed(&mut self, c: &RtpConfirmed) {
        self.push(Event::RtpConfirmed(*c));
    }
    fn rtp_sequence(&mut self, way: Option<Way>, event: RtpSequence) {
        self.push(Event::RtpSequence(way, event));
    }
    fn rtcp_report(&mut self, way: Option<Way>, report: &RtcpReportSeen) {
        self.push(Event::RtcpReport(way, *report));
    }
    fn tcp_closed(&mut self, flow: &TcpClosed) {
        self.tcp_closes.push(*flow);
        self.push(Event::TcpClosed(self.tcp_closes.len() as u32 - 1));
    }
    fn udp_closed(&mut self, flow: &UdpClosed) {
        self.udp_closes.push(*flow);
        self.push(Event::UdpClosed(self.udp_closes.len() as u32 - 1));
    }
    fn chat_session(&mut self, kind: ChatKind, open: bool, at: Timestamp) {
        self.push(Event::ChatSession(kind, open, at));
    }
    fn flow_opening(&mut self, at: Timestamp) {
        self.push(Event::FlowOpening(at));
    }
    fn packet_end(&mut self, now: Timestamp, flow_stat_ok: bool) {
        self.push(Event::PacketEnd(now, flow_stat_ok));
    }
}
