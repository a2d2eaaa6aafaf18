//! Packet timestamps.
//!
//! Traces carry seconds plus a fraction at µs or ns resolution (pcapng may use any power of ten
//! or two). We keep nanoseconds since the Unix epoch in an `i64`, which spans the years
//! 1678..2262; a capture stamped outside that range saturates instead of wrapping.

/// Nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

pub const NANOS_PER_SEC: i64 = 1_000_000_000;
pub const NANOS_PER_MS: i64 = 1_000_000;

impl Timestamp {
    pub const ZERO: Timestamp = Timestamp(0);

    pub fn from_secs_nanos(secs: i64, nanos: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(NANOS_PER_SEC).saturating_add(nanos))
    }

    pub fn from_secs_micros(secs: i64, micros: i64) -> Timestamp {
        Timestamp::from_secs_nanos(secs, micros.saturating_mul(1000))
    }

    /// The system clock (live capture stamps packets with it too).
    pub fn now() -> Timestamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp::from_secs_nanos(d.as_secs() as i64, i64::from(d.subsec_nanos()))
    }

    pub fn secs(self) -> i64 {
        self.0.div_euclid(NANOS_PER_SEC)
    }

    /// Time since the epoch in milliseconds at microsecond resolution, computed exactly as
    /// Tstat computes the absolute times of its logs (`(sec * 1e6 + usec) / 1000.0` in
    /// doubles), so the printed digits are the same.
    pub fn as_log_millis(self) -> f64 {
        let usec = self.0.rem_euclid(NANOS_PER_SEC) / 1000;
        (self.secs() as f64 * 1e6 + usec as f64) / 1000.0
    }

    /// `self - earlier` in milliseconds.
    pub fn millis_since(self, earlier: Timestamp) -> f64 {
        self.0.saturating_sub(earlier.0) as f64 / 1e6
    }

    pub fn saturating_add_secs(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(secs.saturating_mul(NANOS_PER_SEC)))
    }

    pub fn saturating_add_nanos(self, nanos: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(nanos))
    }
}
