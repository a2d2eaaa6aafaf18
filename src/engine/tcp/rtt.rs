//! Round-trip time samples of one direction and the statistics Tstat prints from them.
//!
//! Times are whole microseconds, as in Tstat, whose clock is a `timeval`: the mean and
//! standard deviation therefore come out of the same double arithmetic and print the same
//! digits.

/// Samples taken when the peer acknowledged exactly the end of one of our segments.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RttStats {
    /// Sum and sum of squares of the samples, in µs and µs².
    pub sum: f64,
    pub sum2: f64,
    pub count: u32,
    /// Smallest and largest sample in µs; 0 when there is none (see [`RttStats::add`]).
    pub min: u64,
    pub max: u64,
}

impl RttStats {
    /// Take one sample of `us` microseconds.
    ///
    /// A minimum of 0 means "unset" to Tstat, so a sample of exactly 0 µs sets the minimum
    /// to 0 and the next sample, whatever its value, replaces it. We keep that quirk: the
    /// printed minimum must be Tstat's.
    pub fn add(&mut self, us: u64) {
        if self.min == 0 || us < self.min {
            self.min = us;
        }
        self.max = self.max.max(us);
        let x = us as f64;
        self.sum += x;
        self.sum2 += x * x;
        self.count = self.count.wrapping_add(1);
    }

    /// Mean in µs, with Tstat's guard against dividing by zero.
    pub fn mean(&self) -> f64 {
        average(self.sum, self.count as i64)
    }

    /// Sample standard deviation in µs; 0 with two samples or fewer.
    pub fn stdev(&self) -> f64 {
        stdev(self.sum, self.sum2, self.count as i64)
    }
}

/// `sum / count` with 0.0001 added to the divisor, as Tstat computes every mean: with no
/// sample it is 0, and otherwise it is a hair below the true mean (visible in the sixth
/// decimal of the logs).
pub fn average(sum: f64, count: i64) -> f64 {
    sum / (count as f64 + 0.0001)
}

/// Sample standard deviation from the sums; 0 when `n <= 2`.
pub fn stdev(sum: f64, sum2: f64, n: i64) -> f64 {
    if n <= 2 {
        return 0.0;
    }
    let n = n as f64;
    ((sum2 - sum * sum / n) / (n - 1.0)).sqrt()
}

/// `later - earlier` in µs, 0 when the clock went backwards (packets out of time order).
pub fn elapsed_us(earlier: i64, later: i64) -> u64 {
    later.saturating_sub(earlier).max(0) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_minimum_maximum_and_deviation() {
        let mut r = RttStats::default();
        for us in [1000, 3000, 2000] {
            r.add(us);
        }
        assert_eq!((r.min, r.max, r.count), (1000, 3000, 3));
        // 6000 / 3.0001, not 2000.
        assert!((r.mean() - 6000.0 / 3.0001).abs() < 1e-9);
        assert!(r.mean() < 2000.0);
        // Sample deviation of 1, 2, 3 ms is 1 ms.
        assert!((r.stdev() - 1000.0).abs() < 1e-9);
    }

    #[test]
    fn two_samples_have_no_deviation_and_none_have_no_mean() {
        let mut r = RttStats::default();
        assert_eq!(r.mean(), 0.0);
        r.add(10);
        r.add(30);
        assert_eq!(r.stdev(), 0.0);
    }

    #[test]
    fn a_zero_sample_resets_the_minimum_for_the_next_one() {
        let mut r = RttStats::default();
        r.add(500);
        r.add(0);
        assert_eq!(r.min, 0);
        r.add(900);
        assert_eq!(
            r.min, 900,
            "the sample after a 0 µs one replaces the minimum"
        );
        assert_eq!((r.max, r.count), (900, 3));
    }

    #[test]
    fn elapsed_never_negative() {
        assert_eq!(elapsed_us(10, 4), 0);
        assert_eq!(elapsed_us(4, 10), 6);
    }
}
