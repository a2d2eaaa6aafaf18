//! What `rrd_update` does to a one-DS GAUGE database with AVERAGE archives: the primary data
//! point of each step as the time-weighted average of the values, and the rows of every
//! archive (docs/semantics/rrd.md §5, librrd 1.7.2 with its split of the first open step).
//! Times are whole seconds: Tstat never sends fractions.

/// The consolidation state of one archive (`cdp_prep`, `rra_ptr`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Archive {
    pub rows: u64,
    pub pdp_per_row: u64,
    pub xff: f64,
    /// Sum of PDP × count in the open row (NaN: nothing yet).
    pub value: f64,
    /// Unknown PDPs in the open row.
    pub unknown: u64,
    pub primary: f64,
    pub secondary: f64,
    pub cur_row: u64,
}

/// Everything an update reads and changes.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub step: u64,
    pub heartbeat: u64,
    pub last_up: u64,
    /// The last value as text, as librrd keeps it (at most 29 bytes).
    pub last_ds: String,
    /// Unknown seconds of the open step.
    pub unknown_sec: u64,
    /// Value × seconds accumulated in the open step (NaN: nothing known yet).
    pub pdp_value: f64,
    pub archives: Vec<Archive>,
}

/// The archives Tstat creates: AVERAGE, xff 0.5, 5 min × 600, 30 min × 700, 2 h × 775,
/// 1 day × 797 (`rrdtool.h`).
pub const TSTAT_ARCHIVES: [(u64, u64); 4] = [(1, 600), (6, 700), (24, 775), (288, 797)];

/// The update was refused: librrd's "illegal attempt to update using time T when last update
/// time is L (minimum one second step)".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAfterLast {
    pub at: u64,
    pub last: u64,
}

fn known_or_zero(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

impl State {
    /// A database as `rrdtool create --step STEP --start START` leaves it (§4): the open step
    /// unknown up to START, each archive's open row unknown up to the step of START. Every
    /// row is NaN and `cur_row` is `rows − 1` (librrd picks it at random; the first row
    /// written is then row 0).
    pub fn created(step: u64, heartbeat: u64, start: u64, archives: &[(u64, u64)]) -> State {
        let proc_st = start - start % step;
        State {
            step,
            heartbeat,
            last_up: start,
            last_ds: "U".to_string(),
            unknown_sec: start % step,
            pdp_value: f64::NAN,
            archives: archives
                .iter()
                .map(|&(pdp_per_row, rows)| Archive {
                    rows,
                    pdp_per_row,
                    xff: 0.5,
                    value: f64::NAN,
                    unknown: (proc_st % (step * pdp_per_row)) / step,
                    primary: 0.0,
                    secondary: 0.0,
                    cur_row: rows - 1,
                })
                .collect(),
        }
    }

    /// One `update FILE at:text` with `value` = strtod(text) (NaN for `nan`, `-nan` and `U`).
    /// `put(archive, row, value)` receives every row written, in order.
    pub fn update(
        &mut self,
        at: u64,
        value: f64,
        text: &str,
        mut put: impl FnMut(usize, u64, f64),
    ) -> Result<(), NotAfterLast> {
        if at <= self.last_up {
            return Err(NotAfterLast {
                at,
                last: self.last_up,
            });
        }
        let s = self.step;
        let interval = at - self.last_up;
        let new = if text != "U" && interval <= self.heartbeat {
            value * interval as f64
        } else {
            f64::NAN
        };
        self.last_ds = text.chars().take(29).collect();
        let proc_st = self.last_up - self.last_up % s;
        let occu_st = at - at % s;
        let el = (occu_st - proc_st) / s;
        let proc_cnt = proc_st / s;
        if el == 0 {
            if new.is_nan() {
                self.unknown_sec += interval;
            } else {
                self.pdp_value = known_or_zero(self.pdp_value) + new;
            }
        } else {
            let pre = occu_st - self.last_up;
            let post = at % s;
            let mut step = Closing {
                interval,
                pre,
                post,
                el,
                new,
                proc_cnt,
            };
            // The step left open by the last update ends before the first boundary: close
            // it on its own when more than one boundary is crossed.
            let open = pre % s;
            if el > 1 && open > 0 {
                let open_new = new * open as f64 / interval as f64;
                self.close(
                    Closing {
                        interval: open,
                        pre: open,
                        post: 0,
                        el: 1,
                        new: open_new,
                        proc_cnt,
                    },
                    &mut put,
                );
                step.new -= open_new;
                step.interval -= open;
                step.pre -= open;
                step.el -= 1;
                step.proc_cnt += 1;
            }
            self.close(step, &mut put);
        }
        self.last_up = at;
        Ok(())
    }

    /// Close `el` steps: the PDP of the steps ended, the rows it completes.
    fn close(&mut self, c: Closing, put: &mut impl FnMut(usize, u64, f64)) {
        let s = self.step;
        let pre_unknown = if c.new.is_nan() {
            c.pre
        } else {
            self.pdp_value =
                known_or_zero(self.pdp_value) + c.new / c.interval as f64 * c.pre as f64;
            0
        };
        let pdp = if c.interval > self.heartbeat || self.unknown_sec > s / 2 {
            f64::NAN
        } else {
            self.pdp_value / ((c.el * s - self.unknown_sec) as f64 - pre_unknown as f64)
        };
        if c.new.is_nan() {
            self.unknown_sec = c.post;
            self.pdp_value = f64::NAN;
        } else {
            self.unknown_sec = 0;
            self.pdp_value = c.new / c.interval as f64 * c.post as f64;
        }
        for (i, a) in self.archives.iter_mut().enumerate() {
            a.consolidate(i, pdp, c.el, c.proc_cnt, put);
        }
    }
}

/// One call of librrd's step closing: `el` steps end, the first at step `proc_cnt`.
#[derive(Debug, Clone, Copy)]
struct Closing {
    interval: u64,
    pre: u64,
    post: u64,
    el: u64,
    new: f64,
    proc_cnt: u64,
}

impl Archive {
    fn consolidate(
        &mut self,
        i: usize,
        pdp: f64,
        el: u64,
        proc_cnt: u64,
        put: &mut impl FnMut(usize, u64, f64),
    ) {
        let p = self.pdp_per_row;
        let missing = p - proc_cnt % p;
        let rows = if missing <= el {
            ((el - missing) / p + 1).min(self.rows)
        } else {
            0
        };
        if p == 1 {
            self.primary = pdp;
            if el >= 2 {
                self.secondary = pdp;
            }
        } else if rows == 0 {
            if pdp.is_nan() {
                self.unknown += el;
            } else {
                self.value = known_or_zero(self.value) + pdp * el as f64;
            }
        } else {
            if pdp.is_nan() {
                self.unknown += missing;
                self.secondary = f64::NAN;
            } else {
                self.secondary = pdp;
            }
            self.primary = if self.unknown as f64 > p as f64 * self.xff {
                f64::NAN
            } else {
                (known_or_zero(self.value) + known_or_zero(pdp) * missing as f64)
                    / (p - self.unknown) as f64
            };
            let into = (el - missing) % p;
            self.value = if into == 0 || pdp.is_nan() {
                0.0
            } else {
                pdp * into as f64
            };
            self.unknown = if pdp.is_nan() { into } else { 0 };
        }
        for k in 0..rows {
            self.cur_row = (self.cur_row + 1) % self.rows;
            put(
                i,
                self.cur_row,
                if k == 0 { self.primary } else { self.secondary },
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(updates: &[(u64, f64)], start: u64) -> (State, Vec<(usize, u64, f64)>) {
        let mut st = State::created(300, 600, start, &TSTAT_ARCHIVES);
        let mut rows = Vec::new();
        for &(t, v) in updates {
            let text = format!("{v:.6}");
            st.update(t, v, &text, |a, r, x| rows.push((a, r, x)))
                .unwrap();
        }
        (st, rows)
    }

    /// docs/semantics/rrd.md §5.5 A: DnsPackets `L4_flow_number.idx1`.
    #[test]
    fn dnspackets_flow_number_rows() {
        let ups = [
            (1413055309, 14.0),
            (1413055643, 3.0),
            (1413055985, 96.0),
            (1413056207, 107.0),
        ];
        let (st, rows) = rows_of(&ups, 1413055299);
        let first: Vec<f64> = rows.iter().filter(|r| r.0 == 0).map(|r| r.2).collect();
        let want = [3.5472636816, 51.67, 100.2166667];
        assert_eq!(first.len(), 3);
        for (g, w) in first.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{g} vs {w}");
        }
        assert_eq!(st.pdp_value, 11449.0);
        assert_eq!(st.unknown_sec, 0);
        assert_eq!(st.last_ds, "107.000000");
        assert_eq!(rows[0].1, 0, "the first row written is row 0");
    }

    /// §5.5 B: two boundaries in one update split the open step (wireshark).
    #[test]
    fn wireshark_split_step() {
        let ups = [
            (1120469938, 1.0),
            (1120470267, 1.0),
            (1120470796, 0.0),
            (1120471018, 0.0),
        ];
        let (_, rows) = rows_of(&ups, 1120469928);
        let first: Vec<f64> = rows.iter().filter(|r| r.0 == 0).map(|r| r.2).collect();
        assert!(
            first[0].is_nan(),
            "228 s unknown of the first step: {first:?}"
        );
        assert_eq!(&first[1..], &[0.89, 0.0, 0.0]);
    }

    #[test]
    fn refuses_an_update_not_after_the_last() {
        let mut st = State::created(300, 600, 1000, &TSTAT_ARCHIVES);
        assert_eq!(
            st.update(1000, 1.0, "1", |_, _, _| {}),
            Err(NotAfterLast {
                at: 1000,
                last: 1000
            })
        );
    }

    #[test]
    fn gaps_beyond_the_heartbeat_are_unknown() {
        let (_, rows) = rows_of(&[(1010, 5.0), (2000, 5.0), (2300, 5.0)], 1000);
        let first: Vec<f64> = rows.iter().filter(|r| r.0 == 0).map(|r| r.2).collect();
        // The step of the creation is closed on its own (the split) with its 10 known
        // seconds; the steps the 990 s gap spans are unknown.
        assert_eq!(first[0], 5.0);
        assert!(first[1..].iter().all(|v| v.is_nan()), "{first:?}");
        assert_eq!(first.len(), 4);
    }
}
