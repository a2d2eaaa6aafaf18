//! Tstat's time-averaging windows (`misc.c:AVE_*`) behind `profile_flows` and
//! `chat_flow_num` (docs/semantics/histograms.md §5.13), in µs on Tstat's `timeval` clock.

/// `output.c:elapsed`: µs from `a` to `b`, 0 when `b` is earlier.
pub fn elapsed(a: i64, b: i64) -> f64 {
    if b < a {
        0.0
    } else {
        b.wrapping_sub(a) as f64
    }
}

/// A birth–death process `n(t)` and its integral since `t0`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    t0: i64,
    t: i64,
    pub n: f64,
    tot: f64,
}

impl Window {
    /// `AVE_init` at `now` (µs).
    pub fn new(now: i64) -> Window {
        Window {
            t0: now,
            t: now,
            n: 0.0,
            tot: 0.0,
        }
    }

    fn advance(&mut self, now: i64) {
        self.tot += elapsed(self.t, now) / 1000.0 * self.n;
        self.t = now;
    }

    /// `AVE_arrival`.
    pub fn arrival(&mut self, now: i64) {
        self.advance(now);
        self.n += 1.0;
    }

    /// `AVE_departure`.
    pub fn departure(&mut self, now: i64) {
        self.advance(now);
        self.n -= 1.0;
    }

    /// Several arrivals and departures at the same instant: the integral grows once by
    /// `n · elapsed`, the later ones add nothing, so their order does not matter.
    pub fn change(&mut self, now: i64, delta: i64) {
        self.advance(now);
        self.n += delta as f64;
    }

    /// `AVE_get_stat`: the time average of `n` over `[t0, now]` (0/0 for an empty window), then
    /// a new window from `now`.
    pub fn take_average(&mut self, now: i64) -> f64 {
        self.tot += elapsed(self.t, now) / 1000.0 * self.n;
        let avg = self.tot / elapsed(self.t0, now) * 1000.0;
        self.tot = 0.0;
        self.t = now;
        self.t0 = now;
        avg
    }
}

/// The six chat windows in `chat_flow_num`'s cell order (cells 1–6): MSN chat, MSN
/// presence, XMPP chat, XMPP presence, YMSG chat, YMSG presence.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChatWindows(pub [Window; 6]);

impl ChatWindows {
    pub fn new(now: i64) -> ChatWindows {
        ChatWindows([Window::new(now); 6])
    }
}

/// `profile_flows` and `profile_tcpdata` state.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub active_tcp: Window,
    pub active_udp: Window,
    /// Flows refused for want of a slot in this step (the `n` of Tstat's missed windows).
    pub missed_tcp: f64,
    pub missed_udp: f64,
    /// MB of unique payload and of estimated missing payload of complete TCP flows.
    pub tcpdata_received: f64,
    pub tcpdata_missed: f64,
}

impl Profile {
    /// Tstat initialises these windows before any packet, at time 0: the epoch.
    pub fn new() -> Profile {
        Profile {
            active_tcp: Window::new(0),
            active_udp: Window::new(0),
            missed_tcp: 0.0,
            missed_udp: 0.0,
            tcpdata_received: 0.0,
            tcpdata_missed: 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_over_the_window() {
        let mut w = Window::new(0);
        w.arrival(1_000_000);
        w.arrival(2_000_000);
        w.departure(3_000_000);
        // n: 0 for 1 s, 1 for 1 s, 2 for 1 s, 1 for 1 s → 4/4 s.
        assert_eq!(w.take_average(4_000_000), 1.0);
        // A new window from 4 s, n = 1.
        assert_eq!(w.take_average(6_000_000), 1.0);
        assert!(w.take_average(6_000_000).is_nan());
        w.change(7_000_000, -1);
        assert_eq!(w.n, 0.0);
    }

    #[test]
    fn same_instant_changes_commute() {
        let mut a = Window::new(0);
        a.arrival(5);
        a.arrival(10);
        a.departure(10);
        a.arrival(10);
        let mut b = Window::new(0);
        b.arrival(5);
        b.change(10, 1);
        assert_eq!(a.take_average(20), b.take_average(20));
    }

    #[test]
    fn elapsed_is_never_negative() {
        assert_eq!(elapsed(10, 4), 0.0);
        assert_eq!(elapsed(4, 10), 6.0);
    }
}
