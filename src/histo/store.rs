//! The cells of the histograms that are on: one per-step array and, with `-g`, one cumulative
//! array per object (docs/semantics/histograms.md §1.2). Tstat's double buffer (current and
//! frozen) is not needed: a step's cells are written and reset before the next packet.
//!
//! Memory: only objects switched on get cells, allocated once in [`Store::new`], and the
//! cumulative arrays only with `-g` (Tstat allocates them always but reads them only then).
//! Objects with more than [`SPARSE_ABOVE`] cells (the sixteen 65,539-cell port histograms,
//! the 14,403-cell durations, the 10,003-cell `g_*`) start as a fixed-capacity open-addressing
//! map of their non-zero cells: a step usually touches a few hundred of them. A map that would
//! pass three quarters of its capacity turns into the dense array once, for the rest of the
//! run; so memory never exceeds Tstat's dense layout, counts stay exact, and the feed allocates
//! at most once per such object per run, never in steady state.

use super::defs::{Def, Hid, COUNT, DEFS};

/// Objects with more cells than this start sparse.
pub const SPARSE_ABOVE: usize = 4096;
/// Slots of a sparse map (a power of two); it holds up to three quarters of them.
const SPARSE_SLOTS: usize = 1024;
const SPARSE_LIMIT: usize = SPARSE_SLOTS / 4 * 3;
const EMPTY: u32 = u32::MAX;

/// `cvttsd2si`: C's conversion of a double to `long` on x86-64. Truncates toward zero; NaN,
/// infinities and values outside the i64 range give the "integer indefinite" i64::MIN (Rust's
/// saturating `as` would not) (§1.4).
pub fn cvtt(v: f64) -> i64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if !(-TWO_63..TWO_63).contains(&v) {
        i64::MIN
    } else {
        v as i64
    }
}

/// The cell a sample goes to (`histo.c:__add_histo`), and whether it is in range (then the
/// valid count grows too). `None` for NaN and infinities, which Tstat drops.
pub fn cell_of(d: &Def, v: f64) -> Option<(usize, bool)> {
    if !v.is_finite() {
        return None;
    }
    if v < d.min as f64 {
        Some((0, false))
    } else if v >= d.max as f64 {
        Some((d.overflow(), false))
    } else {
        // `((int) v + bin_size − min) / bin_size`: v lies in [min, max) and max < 2^31.
        let t = v as i64;
        Some((((t + d.bin - d.min) / d.bin) as usize, true))
    }
}

/// A fixed-capacity map of cell index → count.
struct Sparse {
    keys: Box<[u32]>,
    vals: Box<[i64]>,
    len: usize,
}

impl Sparse {
    fn new() -> Sparse {
        Sparse {
            keys: vec![EMPTY; SPARSE_SLOTS].into_boxed_slice(),
            vals: vec![0; SPARSE_SLOTS].into_boxed_slice(),
            len: 0,
        }
    }

    fn slot_of(&self, cell: u32) -> (usize, bool) {
        let mask = SPARSE_SLOTS - 1;
        let mut i = (cell.wrapping_mul(0x9E37_79B1) >> 22) as usize & mask;
        loop {
            match self.keys[i] {
                k if k == cell => return (i, true),
                EMPTY => return (i, false),
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn get(&self, cell: u32) -> i64 {
        match self.slot_of(cell) {
            (i, true) => self.vals[i],
            _ => 0,
        }
    }

    /// The count of `cell`, inserted at 0 if absent; `None` when the map is full.
    fn entry(&mut self, cell: u32) -> Option<&mut i64> {
        let (i, found) = self.slot_of(cell);
        if !found {
            if self.len >= SPARSE_LIMIT {
                return None;
            }
            self.keys[i] = cell;
            self.vals[i] = 0;
            self.len += 1;
        }
        Some(&mut self.vals[i])
    }

    fn clear(&mut self) {
        if self.len > 0 {
            self.keys.fill(EMPTY);
            self.len = 0;
        }
    }
}

/// The cells of one array, dense or sparse.
enum Cells {
    Dense(Box<[i64]>),
    Sparse(Sparse),
}

impl Cells {
    fn new(n: usize) -> Cells {
        if n > SPARSE_ABOVE {
            Cells::Sparse(Sparse::new())
        } else {
            Cells::Dense(vec![0; n].into_boxed_slice())
        }
    }

    fn get(&self, cell: usize) -> i64 {
        match self {
            Cells::Dense(c) => c.get(cell).copied().unwrap_or(0),
            Cells::Sparse(s) => s.get(cell as u32),
        }
    }

    /// The count of `cell` (which is below `n`, the object's cell count), turning a full sparse
    /// map into the dense array first.
    fn entry(&mut self, cell: usize, n: usize) -> Option<&mut i64> {
        if let Cells::Sparse(s) = self {
            if s.entry(cell as u32).is_none() {
                self.densify(n);
            }
        }
        match self {
            Cells::Dense(c) => c.get_mut(cell),
            Cells::Sparse(s) => s.entry(cell as u32),
        }
    }

    fn densify(&mut self, n: usize) {
        if let Cells::Sparse(s) = self {
            let mut dense = vec![0i64; n].into_boxed_slice();
            for (k, v) in s.keys.iter().zip(s.vals.iter()) {
                if let Some(c) = dense.get_mut(*k as usize) {
                    *c = *v;
                }
            }
            *self = Cells::Dense(dense);
        }
    }

    fn clear(&mut self) {
        match self {
            Cells::Dense(c) => c.fill(0),
            Cells::Sparse(s) => s.clear(),
        }
    }

    /// Call `f` with every non-zero cell in index order. A sparse map is listed through
    /// `scratch` (positions in the map), whose capacity (reserved once) holds a full map, so
    /// this does not allocate.
    fn each_nonzero(&self, scratch: &mut Vec<u32>, mut f: impl FnMut(u32, i64)) {
        match self {
            Cells::Dense(c) => {
                for (i, v) in c.iter().enumerate() {
                    if *v != 0 {
                        f(i as u32, *v);
                    }
                }
            }
            Cells::Sparse(s) => {
                scratch.clear();
                for (at, (k, v)) in s.keys.iter().zip(s.vals.iter()).enumerate() {
                    if *k != EMPTY && *v != 0 {
                        scratch.push(at as u32);
                    }
                }
                let key = |at: u32| s.keys[at as usize];
                crate::sort::positions(scratch, &|a, b| key(a).cmp(&key(b)));
                for &at in scratch.iter() {
                    f(s.keys[at as usize], s.vals[at as usize]);
                }
            }
        }
    }
}

struct Slot {
    step: Cells,
    /// A cell of `step` was written since it was last cleared: an untouched object costs
    /// nothing at a step end (no scan, no sum, no clear), and most of `include ALL` is.
    touched: bool,
    global: Option<Cells>,
    geo: Geometry,
    /// The raw samples' statistics since the last RRD update, for objects rrd.conf names.
    running: Option<Running>,
}

/// Tstat's per-object `st` (docs/semantics/rrd.md §3.1): Welford's mean and sum of squared
/// deviations over the raw sample values, underflow and overflow included. It starts zeroed,
/// not at ±1e99, as Tstat's zero-filled allocation does: the first update of a run sends a
/// `min` of at most 0 and a `max` of at least 0.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Running {
    pub count: i64,
    pub avg: f64,
    pub min: f64,
    pub max: f64,
    pub pseudovar: f64,
}

impl Running {
    #[inline]
    fn add(&mut self, v: f64) {
        let old = self.avg;
        self.count += 1;
        self.avg += (v - old) / self.count as f64;
        self.pseudovar += (v - old) * (v - self.avg);
        if v > self.max {
            self.max = v;
        }
        if v < self.min {
            self.min = v;
        }
    }

    /// After an update: no sample yet, extremes at Tstat's sentinels.
    pub fn reset(&mut self) {
        *self = Running {
            count: 0,
            avg: 0.0,
            min: 1e99,
            max: -1e99,
            pseudovar: 0.0,
        };
    }
}

/// An object's bounds and cell indexes, computed once: a sample is placed with a compare or
/// two and, unless the bins are 1 wide, one division (the feed adds a few dozen samples per
/// packet).
#[derive(Debug, Clone, Copy)]
struct Geometry {
    min: i64,
    bin: i64,
    min_f: f64,
    max_f: f64,
    overflow: usize,
    valid: usize,
    cells: usize,
}

impl Geometry {
    fn of(d: &Def) -> Geometry {
        Geometry {
            min: d.min,
            bin: d.bin,
            min_f: d.min as f64,
            max_f: d.max as f64,
            overflow: d.overflow(),
            valid: d.valid(),
            cells: d.cells(),
        }
    }

    /// [`cell_of`] with the precomputed bounds.
    #[inline]
    fn cell(&self, v: f64) -> Option<(usize, bool)> {
        if !v.is_finite() {
            return None;
        }
        if v < self.min_f {
            Some((0, false))
        } else if v >= self.max_f {
            Some((self.overflow, false))
        } else {
            let t = v as i64;
            let cell = if self.bin == 1 {
                t + 1 - self.min
            } else {
                (t + self.bin - self.min) / self.bin
            };
            Some((cell as usize, true))
        }
    }
}

/// The cells of every object that is on.
pub struct Store {
    slots: Vec<Option<Slot>>,
    /// For listing a sparse map in order.
    scratch: Vec<u32>,
}

impl Store {
    /// Cells for the objects with `on[i]`; cumulative ones too when `global`.
    pub fn new(on: &[bool; COUNT], global: bool) -> Store {
        let slots = DEFS
            .iter()
            .zip(on.iter())
            .map(|(d, &on)| {
                on.then(|| Slot {
                    step: Cells::new(d.cells()),
                    touched: false,
                    global: global.then(|| Cells::new(d.cells())),
                    geo: Geometry::of(d),
                    running: None,
                })
            })
            .collect();
        Store {
            slots,
            scratch: Vec::with_capacity(SPARSE_LIMIT),
        }
    }

    pub fn on(&self, id: Hid) -> bool {
        self.slots[id.index()].is_some()
    }

    pub fn on_index(&self, i: usize) -> bool {
        self.slots.get(i).is_some_and(Option::is_some)
    }

    /// A sample (`add_histo`): dropped when the object is off or the value not finite.
    #[inline]
    pub fn add(&mut self, id: Hid, v: f64) {
        let Some(slot) = self.slots[id.index()].as_mut() else {
            return;
        };
        let g = slot.geo;
        let Some((cell, valid)) = g.cell(v) else {
            return;
        };
        if let Some(r) = slot.running.as_mut() {
            r.add(v);
        }
        slot.touched = true;
        if let Cells::Dense(c) = &mut slot.step {
            // The cells of a dense array are all there: cell and valid are below `cells`.
            if let Some(x) = c.get_mut(cell) {
                *x = x.wrapping_add(1);
            }
            if valid {
                if let Some(x) = c.get_mut(g.valid) {
                    *x = x.wrapping_add(1);
                }
            }
            return;
        }
        if let Some(c) = slot.step.entry(cell, g.cells) {
            *c = c.wrapping_add(1);
        }
        if valid {
            if let Some(c) = slot.step.entry(g.valid, g.cells) {
                *c = c.wrapping_add(1);
            }
        }
    }

    /// Assign a cell of a fake histogram (`set_histo`), as C converts a double to `long`.
    pub fn set(&mut self, id: Hid, cell: usize, v: f64) {
        let Some(slot) = self.slots[id.index()].as_mut() else {
            return;
        };
        let n = id.def().cells();
        if cell < n {
            slot.touched = true;
            if let Some(c) = slot.step.entry(cell, n) {
                *c = cvtt(v);
            }
        }
    }

    /// Keep [`Running`] statistics for object `id` (it must be on).
    pub fn track_running(&mut self, id: Hid) {
        if let Some(slot) = self.slots[id.index()].as_mut() {
            slot.running = Some(Running::default());
        }
    }

    /// The running statistics of `id`, when tracked.
    pub fn running_mut(&mut self, id: Hid) -> Option<&mut Running> {
        self.slots[id.index()].as_mut()?.running.as_mut()
    }

    /// A cell of the step being fed (0 when off or outside the object).
    pub fn get(&self, id: Hid, cell: usize) -> i64 {
        self.slots[id.index()]
            .as_ref()
            .map_or(0, |s| s.step.get(cell))
    }

    /// `global += step` for every object (`swap_histo` with `-g`), as Tstat adds the `long`
    /// cells into `int64_t` ones through `u_int64_t` (wrapping).
    pub fn accumulate(&mut self) {
        let Store { slots, scratch } = self;
        for (i, slot) in slots.iter_mut().enumerate() {
            let Some(Slot {
                step,
                touched: true,
                global: Some(global),
                ..
            }) = slot
            else {
                continue;
            };
            let n = DEFS[i].cells();
            step.each_nonzero(scratch, |c, v| {
                if let Some(g) = global.entry(c as usize, n) {
                    *g = g.wrapping_add(v);
                }
            });
        }
    }

    /// Zero every step array.
    pub fn clear_steps(&mut self) {
        for slot in self.slots.iter_mut().flatten() {
            if std::mem::take(&mut slot.touched) {
                slot.step.clear();
            }
        }
    }

    /// Call `f` with the non-zero step cells of object `i`, in index order.
    pub fn each_step_cell(&mut self, i: usize, f: impl FnMut(u32, i64)) {
        let Store { slots, scratch } = self;
        if let Some(Some(s)) = slots.get(i) {
            if s.touched {
                s.step.each_nonzero(scratch, f);
            }
        }
    }

    /// Call `f` with the non-zero cumulative cells of object `i`, in index order.
    pub fn each_global_cell(&mut self, i: usize, f: impl FnMut(u32, i64)) {
        let Store { slots, scratch } = self;
        if let Some(Some(Slot {
            global: Some(g), ..
        })) = slots.get(i)
        {
            g.each_nonzero(scratch, f);
        }
    }

    /// A cumulative cell of object `i`.
    pub fn global_cell(&self, i: usize, cell: usize) -> i64 {
        match self.slots.get(i) {
            Some(Some(Slot {
                global: Some(g), ..
            })) => g.get(cell),
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_on() -> [bool; COUNT] {
        [true; COUNT]
    }

    #[test]
    fn cvtt_is_x86s_conversion() {
        assert_eq!(cvtt(2.9), 2);
        assert_eq!(cvtt(-2.9), -2);
        assert_eq!(cvtt(f64::NAN), i64::MIN);
        assert_eq!(cvtt(f64::INFINITY), i64::MIN);
        assert_eq!(cvtt(f64::NEG_INFINITY), i64::MIN);
        assert_eq!(cvtt(9.3e18), i64::MIN);
        assert_eq!(cvtt(-(2f64.powi(63))), i64::MIN);
        assert_eq!(cvtt(2f64.powi(63) - 1024.0), 9_223_372_036_854_774_784);
    }

    #[test]
    fn cells_follow_add_histo() {
        let d = Hid::tcp_rtt_avg_out.def(); // 0..2000 by 1
        assert_eq!(cell_of(d, 39.9999), Some((40, true))); // label 39
        assert_eq!(cell_of(d, -0.5), Some((0, false)));
        assert_eq!(cell_of(d, 2000.0), Some((2001, false)));
        assert_eq!(cell_of(d, f64::NAN), None);
        let len = Hid::ip_len_out.def(); // 0..1504 by 4
        assert_eq!(len.label(cell_of(len, 1503.0).unwrap().0), 1500);
        let proto = Hid::ip_protocol_in.def();
        assert_eq!(cell_of(proto, 255.0), Some((256, false)));
        assert_eq!(proto.label(256), 255);
        let zero = Hid::mm_oos_p_in.def(); // 0..0
        assert_eq!(cell_of(zero, 1.0), Some((1, false)));
        assert_eq!(zero.label(1), 0);
        let icmp = Hid::icmpv6_type_out.def(); // 1..143
        assert_eq!(icmp.label(cell_of(icmp, 0.0).unwrap().0), 0);
        assert_eq!(icmp.label(cell_of(icmp, 143.0).unwrap().0), 143);
    }

    #[test]
    fn sparse_objects_densify_when_full_and_stay_exact() {
        let mut on = [false; COUNT];
        on[Hid::tcp_port_src_out.index()] = true;
        let mut s = Store::new(&on, true);
        for port in 0..3000u32 {
            for _ in 0..(port % 3 + 1) {
                s.add(Hid::tcp_port_src_out, f64::from(port));
            }
        }
        let mut out = Vec::new();
        s.each_step_cell(Hid::tcp_port_src_out.index(), |c, v| out.push((c, v)));
        assert_eq!(out.len(), 3001); // 3000 ports + the valid cell
        assert_eq!(out[0], (1, 1));
        assert_eq!(out[2999], (3000, 3));
        assert_eq!(
            out[3000].1,
            (0..3000).map(|p| i64::from(p % 3 + 1)).sum::<i64>()
        );
        s.accumulate();
        s.clear_steps();
        s.add(Hid::tcp_port_src_out, 65535.0);
        s.accumulate();
        out.clear();
        s.each_global_cell(Hid::tcp_port_src_out.index(), |c, v| out.push((c, v)));
        assert_eq!(out.len(), 3002);
        assert_eq!(s.global_cell(Hid::tcp_port_src_out.index(), 65536), 1);
    }

    #[test]
    fn off_objects_take_nothing() {
        let s = Store::new(&[false; COUNT], false);
        assert!(!s.on(Hid::ip_protocol_in));
        let all = Store::new(&all_on(), false);
        assert!(all.on(Hid::profile_trash));
        assert_eq!(all.global_cell(0, 0), 0);
    }

    #[test]
    fn set_assigns_with_c_conversion() {
        let mut s = Store::new(&all_on(), false);
        s.set(Hid::chat_flow_num, 1, f64::NAN);
        s.set(Hid::ip_bitrate_in, 1, 502950.9);
        s.set(Hid::ip_bitrate_in, 99, 1.0); // outside the object: ignored
        assert_eq!(s.get(Hid::chat_flow_num, 1), i64::MIN);
        assert_eq!(s.get(Hid::ip_bitrate_in, 1), 502950);
    }
}
