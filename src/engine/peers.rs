//! What one engine of several (worker threads) knows of the others: when flows opened.
//!
//! A lone engine closes idle flows whenever a packet opens a new flow, at that packet's
//! time (Tstat's rule). With several engines each sees only its own new flows, so a flow
//! idle past its timeout may still be open in its engine when its next packet arrives,
//! where a lone engine would have closed it at another flow's opening. To decide such a
//! packet exactly as a lone engine would, every engine publishes the sequence number and
//! time of each flow opening it handles, and an engine that finds an idle-expired flow asks
//! whether any engine opened a flow, before this packet, late enough to have closed it.
//! That question waits until every engine has passed this packet's place in the input.
//!
//! Frames are numbered by the reader; each engine's published openings are in that order.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use self::word::{AtomicI64, AtomicU64};

use crate::time::Timestamp;

/// Openings an engine keeps published. An engine is never further ahead of another than
/// the batches in flight allow (8 batches of 2048 frames, up to 4 IP layers each: 65,536
/// openings at most); with twice that, the entry a question needs is never overwritten.
const RING: usize = 1 << 17;

struct Opening {
    seq: AtomicU64,
    /// The latest opening time so far (nanoseconds): the times of one engine's openings,
    /// made monotone.
    latest: AtomicI64,
}

struct Clock {
    /// Every frame of this engine numbered below this has been handled.
    progress: AtomicU64,
    published: AtomicU64,
    ring: Box<[Opening]>,
}

/// The clocks of all the engines of a run.
pub struct Peers {
    clocks: Box<[Clock]>,
}

impl Peers {
    pub fn new(engines: usize) -> Arc<Peers> {
        let clocks = (0..engines)
            .map(|_| Clock {
                progress: AtomicU64::new(0),
                published: AtomicU64::new(0),
                ring: (0..RING)
                    .map(|_| Opening {
                        seq: AtomicU64::new(0),
                        latest: AtomicI64::new(i64::MIN),
                    })
                    .collect(),
            })
            .collect();
        Arc::new(Peers { clocks })
    }

    /// Engine `me`'s view.
    pub fn view(self: &Arc<Peers>, me: usize) -> PeerView {
        PeerView {
            peers: Arc::clone(self),
            me,
            seq: 0,
            latest: i64::MIN,
        }
    }
}

/// One engine's handle on the shared clocks.
pub struct PeerView {
    peers: Arc<Peers>,
    me: usize,
    /// The frame being handled.
    seq: u64,
    latest: i64,
}

impl PeerView {
    fn mine(&self) -> &Clock {
        &self.peers.clocks[self.me]
    }

    /// This engine starts on frame `seq`: everything of its own before it is done.
    pub fn begin_frame(&mut self, seq: u64) {
        self.seq = seq;
        self.mine().progress.store(seq, Ordering::Release);
    }

    /// Every frame of this engine before `seq` is done (the end of a batch).
    pub fn done_before(&mut self, seq: u64) {
        self.mine().progress.store(seq, Ordering::Release);
    }

    /// The current frame opens a flow at `ts`.
    pub fn opened(&mut self, ts: Timestamp) {
        self.latest = self.latest.max(ts.0);
        let clock = &self.peers.clocks[self.me];
        let n = clock.published.load(Ordering::Relaxed);
        let entry = &clock.ring[n as usize % RING];
        entry.seq.store(self.seq, Ordering::Relaxed);
        entry.latest.store(self.latest, Ordering::Relaxed);
        clock.published.store(n + 1, Ordering::Release);
    }

    /// The latest time at which any engine opened a flow before frame `seq` (`None` when
    /// none did). Waits until every engine has reached `seq`.
    pub fn latest_opening_before(&self, seq: u64) -> Option<Timestamp> {
        let latest = self
            .peers
            .clocks
            .iter()
            .map(|clock| latest_before(clock, seq))
            .max()?;
        (latest != i64::MIN).then_some(Timestamp(latest))
    }

    /// Whether some engine opened a flow before the current frame at a time later than
    /// `deadline`: a lone engine would have closed, then, a flow idle until `deadline`.
    /// Waits until every engine has reached the current frame.
    pub fn opened_after(&self, deadline: Timestamp) -> bool {
        self.peers
            .clocks
            .iter()
            .any(|clock| latest_before(clock, self.seq) > deadline.0)
    }
}

/// The latest opening time `clock`'s engine published for frames before `seq`, once that
/// engine has handled them all.
fn latest_before(clock: &Clock, seq: u64) -> i64 {
    let mut spins = 0u32;
    while clock.progress.load(Ordering::Acquire) < seq {
        spins += 1;
        if spins < 64 {
            std::hint::spin_loop();
        } else if spins < 256 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(std::time::Duration::from_micros(20));
        }
    }
    let n = clock.published.load(Ordering::Acquire);
    let oldest = n.saturating_sub(RING as u64);
    // Openings are published in frame order: find the last one numbered below `seq`.
    let (mut lo, mut hi) = (oldest, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if clock.ring[mid as usize % RING].seq.load(Ordering::Relaxed) < seq {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if lo == oldest {
        return i64::MIN;
    }
    clock.ring[(lo - 1) as usize % RING]
        .latest
        .load(Ordering::Relaxed)
}

/// 64-bit atomics; 32-bit MIPS has none, and there a mutex stands in (a router runs one
/// worker, which never asks).
mod word {
    #[cfg(target_has_atomic = "64")]
    pub use std::sync::atomic::{AtomicI64, AtomicU64};

    #[cfg(not(target_has_atomic = "64"))]
    mod locked {
        use std::sync::atomic::Ordering;
        use std::sync::Mutex;

        macro_rules! locked_word {
            ($name:ident, $t:ty) => {
                pub struct $name(Mutex<$t>);

                impl $name {
                    pub fn new(v: $t) -> $name {
                        $name(Mutex::new(v))
                    }
                    pub fn load(&self, _: Ordering) -> $t {
                        *self.0.lock().unwrap_or_else(|e| e.into_inner())
                    }
                    pub fn store(&self, v: $t, _: Ordering) {
                        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = v;
                    }
                }
            };
        }
        locked_word!(AtomicU64, u64);
        locked_word!(AtomicI64, i64);
    }
    #[cfg(not(target_has_atomic = "64"))]
    pub use locked::{AtomicI64, AtomicU64};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opening_counts_only_before_the_asking_frame() {
        let peers = Peers::new(2);
        let (mut a, mut b) = (peers.view(0), peers.view(1));
        a.begin_frame(10);
        a.opened(Timestamp(5_000));
        a.done_before(100);
        b.begin_frame(10);
        // a's opening is at frame 10 itself: not before it.
        assert!(!b.opened_after(Timestamp(1_000)));
        b.begin_frame(11);
        assert!(b.opened_after(Timestamp(4_999)));
        assert!(!b.opened_after(Timestamp(5_000)));
    }

    #[test]
    fn an_engine_waits_for_a_slower_one() {
        let peers = Peers::new(2);
        let mut slow = peers.view(0);
        let mut asking = peers.view(1);
        asking.begin_frame(50);
        let t = std::thread::spawn(move || asking.opened_after(Timestamp(1_000)));
        std::thread::sleep(std::time::Duration::from_millis(20));
        slow.begin_frame(40);
        slow.opened(Timestamp(2_000));
        slow.done_before(60);
        assert!(t.join().unwrap());
    }
}
