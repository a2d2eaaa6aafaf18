//! When a live or stdin run opens its next `.out` folder, as Tstat decides it.
//!
//! Tstat counts histogram steps in packet time: the first step starts at the first packet;
//! a step ends at the first packet more than `Max_Time_Step` after the step's start, and
//! that packet starts the next step. After `Dirs` steps a new folder is opened, named from
//! the time of the packet that ended the last step. So folders are aligned to the first
//! packet, not to the clock, and each lasts at least `Dirs × Max_Time_Step` (a little more:
//! every step waits for the next packet). Trace files never rotate.

use crate::time::Timestamp;

#[derive(Debug, Clone)]
pub struct Rotation {
    step_ns: i64,
    dirs: u64,
    step_start: Option<Timestamp>,
    steps: u64,
}

impl Rotation {
    /// `max_time_step` in seconds, `dirs` steps per folder (globals.conf).
    pub fn new(max_time_step: f64, dirs: u64) -> Rotation {
        Rotation {
            step_ns: (max_time_step * 1e9) as i64,
            dirs: dirs.max(1),
            step_start: None,
            steps: 0,
        }
    }

    /// Account for a packet at `ts`; true when a new folder is due now.
    pub fn packet(&mut self, ts: Timestamp) -> bool {
        let Some(start) = self.step_start else {
            self.step_start = Some(ts);
            return false;
        };
        // Tstat compares microseconds: a step ends strictly after Max_Time_Step.
        if (ts.0 - start.0) / 1000 <= self.step_ns / 1000 {
            return false;
        }
        self.step_start = Some(ts);
        self.steps += 1;
        if self.steps >= self.dirs {
            self.steps = 0;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_secs_micros(secs, 0)
    }

    #[test]
    fn default_globals_rotate_after_twelve_steps_of_more_than_300_s() {
        let mut r = Rotation::new(300.0, 12);
        let mut rotations = Vec::new();
        // One packet per second for three hours, from 10:00:00.
        for s in 0..3 * 3600 {
            if r.packet(at(36_000 + s)) {
                rotations.push(s);
            }
        }
        // Each step ends at the first packet more than 300 s in: 301 s per step.
        assert_eq!(rotations, vec![12 * 301, 24 * 301]);
    }

    #[test]
    fn exactly_max_time_step_is_not_yet_a_step() {
        let mut r = Rotation::new(10.0, 1);
        assert!(!r.packet(at(0)));
        assert!(!r.packet(at(10)));
        assert!(r.packet(Timestamp::from_secs_micros(10, 1)));
    }

    #[test]
    fn a_gap_counts_as_one_step() {
        // Tstat dumps one histogram step per packet, however long the gap before it.
        let mut r = Rotation::new(300.0, 2);
        assert!(!r.packet(at(0)));
        assert!(!r.packet(at(10_000)));
        assert!(r.packet(at(10_301)));
    }
}
