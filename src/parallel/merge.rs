//! The workers' observer events put back into a lone engine's order, then replayed into the
//! run's one observer (the histograms).
//!
//! **Order.** Every event carries the number of its frame and the IP layer in the frame
//! ([`Place`]). An epoch's logs, one per worker and each in its engine's order, are merged
//! by place; events of the same place keep the order of their worker's log.
//!
//! **Idle closes.** A lone engine closes idle flows when any packet would open a flow (its
//! idle scan, [`Event::FlowOpening`]): a flow last seen at `last` closes at the first opening
//! after `last + timeout`. A worker's engine scans at its own openings only, and catches up
//! with the other workers' openings [`CATCH_UP_LAG`] epochs late (`Engine::catch_up`), so
//! its idle closes come later than a lone engine's, by at most that many epochs. Each close
//! is therefore put after the first opening, among all workers' and in input order, whose
//! time (the latest opening time so far) is past the flow's deadline, when that opening comes
//! before the close; any other close (a FIN, a RST, the end of the input) stays where it
//! happened, where that rule never moves it when time only goes forward. An epoch is
//! replayed only once the [`CATCH_UP_LAG`] epochs after it are in, when no later close can
//! belong in it; a close that still would (time going backwards) is replayed at once and
//! counted in [`Merge::late_closes`].
//!
//! **Pauses.** After each replayed end of packet the observer may ask to stop
//! ([`Observer::pause_requested`]: the histograms when the output folder must rotate); the
//! replay then waits for [`Merge::resume`].

use std::collections::VecDeque;

use super::events::{Event, EventLog, Place, Timeouts};
use crate::engine::observe::Observer;

/// Epochs a worker's catch-up with the other workers' flow openings lags behind, and so the
/// epochs held before one is replayed. With 2, a worker starting an epoch waits for the
/// others to have finished the one before the previous, which they nearly always have.
pub const CATCH_UP_LAG: usize = 2;

/// An event: which worker's log, which index in it.
#[derive(Debug, Clone, Copy)]
struct Ref {
    worker: u16,
    index: u32,
}

/// A close moved after a flow opening of an older epoch: the opening's position in that
/// epoch's order, and the close (in the epoch numbered `from`).
#[derive(Debug, Clone, Copy)]
struct Attached {
    after: u32,
    from: u64,
    close: Ref,
}

/// One epoch's events, merged.
#[derive(Default)]
struct Epoch {
    number: u64,
    logs: Vec<EventLog>,
    /// The events that stay where they happened, in order.
    order: Vec<Ref>,
    /// Flow openings: position in `order`, and the latest opening time up to it (ns).
    openings: Vec<(u32, i64)>,
    attached: Vec<Attached>,
}

/// Where a paused replay of the oldest epoch goes on.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    /// Next position in `order` to replay.
    next: usize,
    /// Next entry of the sorted `attached` to replay.
    attached: usize,
    /// The attached closes of the opening just replayed are still to come.
    in_opening: bool,
}

/// See the module documentation.
pub struct Merge {
    timeouts: Timeouts,
    held: VecDeque<Epoch>,
    spare_epochs: Vec<Epoch>,
    spare_logs: Vec<EventLog>,
    /// The latest flow opening time replayed so far (ns).
    replayed_max: i64,
    /// The first-packet event was heard (each worker's engine reports its own).
    first_heard: bool,
    paused: bool,
    /// Replay position within the oldest held epoch.
    cursor: Cursor,
    /// Closes that belonged before what is held: replayed at the next opportunity.
    late: VecDeque<(u64, Ref)>,
    /// Closes replayed later than where a lone engine makes them (see the module docs).
    pub late_closes: u64,
    /// The time of the last replayed end of packet, where a pause happened.
    last_packet_end: Option<crate::time::Timestamp>,
    scratch: Vec<u32>,
}

impl Merge {
    pub fn new(timeouts: Timeouts) -> Merge {
        Merge {
            timeouts,
            held: VecDeque::with_capacity(CATCH_UP_LAG + 2),
            spare_epochs: Vec::new(),
            spare_logs: Vec::new(),
            replayed_max: i64::MIN,
            first_heard: false,
            paused: false,
            cursor: Cursor::default(),
            late: VecDeque::new(),
            late_closes: 0,
            last_packet_end: None,
            scratch: Vec::new(),
        }
    }

    /// An empty log to swap into a batch for the one it brought back.
    pub fn spare_log(&mut self, frames: usize) -> EventLog {
        self.spare_logs
            .pop()
            .unwrap_or_else(|| EventLog::with_capacity(frames))
    }

    /// Whether the replay waits for [`Merge::resume`].
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// The time of the end of packet after which the replay paused.
    pub fn paused_at(&self) -> Option<crate::time::Timestamp> {
        self.paused.then_some(self.last_packet_end).flatten()
    }

    /// Every worker's log of epoch `number`, in worker order. Epochs that no later close can
    /// reach any more are replayed into `obs`.
    pub fn epoch(&mut self, number: u64, logs: &mut Vec<EventLog>, obs: Option<&mut dyn Observer>) {
        let mut e = self.spare_epochs.pop().unwrap_or_default();
        e.number = number;
        std::mem::swap(&mut e.logs, logs);
        self.merge_into(&mut e);
        self.held.push_back(e);
        if let Some(o) = obs {
            self.replay(o, CATCH_UP_LAG);
        }
    }

    /// Replay everything held (a sync point: the workers caught up, nothing earlier can
    /// close any more), unless paused.
    pub fn flush(&mut self, obs: Option<&mut dyn Observer>) {
        if let Some(o) = obs {
            self.replay(o, 0);
        }
    }

    /// Go on after a pause, up to what may be replayed (`flush` afterwards replays all).
    pub fn resume(&mut self, obs: &mut dyn Observer, everything: bool) {
        self.paused = false;
        self.replay(obs, if everything { 0 } else { CATCH_UP_LAG });
    }

    /// Merge the epoch's logs by place, placing each close.
    fn merge_into(&mut self, e: &mut Epoch) {
        e.order.clear();
        e.openings.clear();
        e.attached.clear();
        let n = e.logs.len();
        let mut heads = [0usize; super::MAX_WORKERS];
        let mut running = self.latest_opening();
        loop {
            let mut pick: Option<(Place, usize)> = None;
            for (w, log) in e.logs.iter().enumerate().take(n) {
                if let Some(s) = log.events.get(heads[w]) {
                    if pick.is_none_or(|(p, _)| s.at < p) {
                        pick = Some((s.at, w));
                    }
                }
            }
            let Some((_, w)) = pick else {
                break;
            };
            let index = heads[w];
            heads[w] += 1;
            let r = Ref {
                worker: w as u16,
                index: index as u32,
            };
            let log = &e.logs[w];
            if let Event::FlowOpening(t) = log.events[index].event {
                running = running.max(t.0);
                e.openings.push((e.order.len() as u32, running));
                e.order.push(r);
                continue;
            }
            match log.close_deadline(index, &self.timeouts) {
                Some(deadline) => self.place_close(e, r, deadline),
                None => e.order.push(r),
            }
        }
    }

    /// The latest opening time of everything merged so far.
    fn latest_opening(&self) -> i64 {
        self.held
            .iter()
            .rev()
            .find_map(|e| e.openings.last().map(|o| o.1))
            .unwrap_or(self.replayed_max)
    }

    /// Put a close of epoch `e` (being merged) after the first opening past its deadline
    /// that comes before it, or where it happened.
    fn place_close(&mut self, e: &mut Epoch, close: Ref, deadline: i64) {
        if self.replayed_max > deadline {
            // Its opening is replayed already.
            self.late_closes += 1;
            self.late.push_back((e.number, close));
            return;
        }
        let first_past = |openings: &[(u32, i64)]| openings.partition_point(|o| o.1 <= deadline);
        for held in self.held.iter_mut() {
            if held.openings.last().is_some_and(|o| o.1 > deadline) {
                let at = held.openings[first_past(&held.openings)].0;
                held.attached.push(Attached {
                    after: at,
                    from: e.number,
                    close,
                });
                return;
            }
        }
        let i = first_past(&e.openings);
        match e.openings.get(i) {
            Some(&(at, _)) => e.attached.push(Attached {
                after: at,
                from: e.number,
                close,
            }),
            None => e.order.push(close),
        }
    }

    /// Replay the oldest epochs while more than `keep` are held.
    fn replay(&mut self, o: &mut dyn Observer, keep: usize) {
        while !self.paused && self.held.len() > keep {
            if !self.replay_oldest(o) {
                return;
            }
            let mut done = self.held.pop_front().expect("an epoch was replayed");
            for mut log in done.logs.drain(..) {
                log.clear();
                self.spare_logs.push(log);
            }
            self.spare_epochs.push(done);
            self.cursor = Cursor::default();
        }
    }

    /// Replay the rest of the oldest epoch; false when paused part-way.
    fn replay_oldest(&mut self, o: &mut dyn Observer) -> bool {
        self.sort_attached();
        while let Some((from, close)) = self.late.pop_front() {
            self.hear(from, close, o);
        }
        let len = self.held[0].order.len();
        loop {
            if self.cursor.in_opening {
                self.replay_attached(o);
                self.cursor.in_opening = false;
            }
            if self.cursor.next >= len {
                // Nothing is attached past the last opening; should anything be, it is heard.
                while let Some(&a) = self.held[0].attached.get(self.cursor.attached) {
                    self.cursor.attached += 1;
                    self.hear(a.from, a.close, o);
                }
                break;
            }
            let number = self.held[0].number;
            let r = self.held[0].order[self.cursor.next];
            self.cursor.next += 1;
            let event = self.held[0].logs[r.worker as usize].events[r.index as usize].event;
            self.hear(number, r, o);
            match event {
                Event::FlowOpening(t) => {
                    self.replayed_max = self.replayed_max.max(t.0);
                    self.cursor.in_opening = true;
                }
                Event::PacketEnd(t, _) => {
                    self.last_packet_end = Some(t);
                    if o.pause_requested() {
                        self.paused = true;
                        return false;
                    }
                }
                _ => {}
            }
        }
        true
    }

    /// The closes attached to the opening just replayed (position `cursor.next - 1`).
    fn replay_attached(&mut self, o: &mut dyn Observer) {
        let at = (self.cursor.next - 1) as u32;
        loop {
            let Some(&a) = self.held[0].attached.get(self.cursor.attached) else {
                return;
            };
            if a.after > at {
                return;
            }
            self.cursor.attached += 1;
            self.hear(a.from, a.close, o);
        }
    }

    /// The oldest epoch's attached closes not replayed yet, by opening (stable: in the order
    /// they came). Closes attached during a pause come after those sorted before.
    fn sort_attached(&mut self) {
        let from = self.cursor.attached;
        let rest = &mut self.held[0].attached[from..];
        if rest.len() > 1 {
            crate::sort::by_reusing(rest, &mut self.scratch, |a, b| a.after.cmp(&b.after));
        }
    }

    /// Replay one event of the held epoch numbered `from`.
    fn hear(&mut self, from: u64, r: Ref, o: &mut dyn Observer) {
        let oldest = self.held[0].number;
        let e = &self.held[(from - oldest) as usize];
        let log = &e.logs[r.worker as usize];
        if let Event::FirstPacket(_) = log.events[r.index as usize].event {
            if self.first_heard {
                return;
            }
            self.first_heard = true;
        }
        log.replay(r.index as usize, o);
    }
}
