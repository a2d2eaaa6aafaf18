//! Several engines on several cores (`--workers N`).
//!
//! ```text
//!            ┌─▶ worker 0: Engine ─▶ rows ─┐
//! reader ────┼─▶ worker 1: Engine ─▶ rows ─┼──▶ writer (the reader's thread): log files
//! (decode,   └─▶ worker N-1 ...          ──┘     epoch by epoch, worker by worker
//!  flow hash)
//! ```
//!
//! The reader (the caller's thread) decodes each frame only to find its flows and appends it
//! to the batch of the worker that owns each flow: the one picked by the symmetric 5-tuple
//! hash that both directions of a flow share. Each worker owns an [`Engine`] (its own flow
//! tables, segment and DPI pools, DN-Hunter cache) and formats its rows into buffers; the
//! reader's thread writes them out. Batches are recycled, so nothing is allocated per packet
//! or per batch once the pipeline is warm.
//!
//! **Row order.** The reader cuts the input into epochs: an epoch ends when a worker's batch
//! is full, and also before every control event (a new output folder, a runtime.conf change,
//! the end). Every worker gets one batch per epoch, even an empty one. Rows are written epoch
//! after epoch and, within an epoch, worker 0's rows, then worker 1's, and so on; each worker's
//! in the order its engine produced them. Epoch boundaries depend only on the input, so a
//! given input and worker count always give the same files.
//!
//! **What is shared.** Flows are independent except through DN-Hunter: a DNS response names
//! the flows its client opens afterwards, whichever worker owns them. So every UDP packet
//! with port 53 on either side also goes, marked as a replica, to every other worker, whose
//! engine follows that DNS flow in a table of its own and learns the response in the same
//! place of the packet sequence as a single engine would.
//!
//! **Observers.** With histograms, each worker records what its engine would tell an
//! observer ([`events`]), and the reader's thread puts the workers' events back into a lone
//! engine's order and replays them into the run's observer ([`merge`]), so the histograms
//! are those of one engine. Frames that carry no TCP or UDP layer but something Tstat reads
//! (another IP protocol, a misread VLAN tag) then go to a worker too.
//!
//! docs/differences.md says where N workers and one differ (idle-flow expiry is per worker).

mod batch;
pub mod events;
pub mod merge;
pub mod quick;

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::config::runtime::Runtime;
use crate::decode::{self, proto, IpPacket};
use crate::engine::figures::Figures;
use crate::engine::flow::{Endpoint, FlowKey};
use crate::engine::observe::Observer;
use crate::engine::peers::Peers;
use crate::engine::{Counters, Engine};
use crate::sink::logs::TstatLogs;
use crate::time::Timestamp;

use self::batch::{Batch, Control};
use self::events::{EventLog, Timeouts};
use self::merge::Merge;

/// Where finished work goes on the reader's thread: rows into the logs, replayed events into
/// the observer. Either may be absent (no output folder yet, no histograms).
#[derive(Default)]
pub struct Outputs<'a> {
    pub logs: Option<&'a mut TstatLogs>,
    pub obs: Option<&'a mut dyn Observer>,
}

impl<'a> Outputs<'a> {
    pub fn new<'o: 'a>(
        logs: Option<&'a mut TstatLogs>,
        obs: Option<&'a mut (dyn Observer + 'o)>,
    ) -> Outputs<'a> {
        // The observer's own lifetime shortens to the borrow's (a coercion of each `Some`).
        #[allow(clippy::manual_map, clippy::needless_match)]
        let obs: Option<&'a mut dyn Observer> = match obs {
            Some(o) => Some(o),
            None => None,
        };
        Outputs { logs, obs }
    }

    /// A shorter borrow, to hand on and use again after.
    fn again(&mut self) -> Outputs<'_> {
        Outputs {
            logs: self.logs.as_deref_mut(),
            obs: match &mut self.obs {
                Some(o) => Some(&mut **o),
                None => None,
            },
        }
    }
}

/// The most workers `--workers` takes.
pub const MAX_WORKERS: usize = 64;

/// Batches each worker can have in flight: one being filled, the others queued, being
/// processed, or waiting for the slowest worker to finish their epoch. Measured with 2
/// workers on the benchmark trace: 4 gave 0.283-0.291 s, 8 gave 0.272-0.276 s (the
/// workers wait less on each other's epochs) for 6 MB more.
const BATCHES_PER_WORKER: usize = 8;

/// Per-worker table capacity for a configured `total`: an even share plus an eighth, so
/// that an uneven spread of flows over workers does not refuse flows early. The whole is
/// at most 1.125 times the configured capacity.
pub fn worker_share(total: u64, workers: usize) -> u64 {
    let even = total.div_ceil(workers.max(1) as u64);
    even + even.div_ceil(8)
}

/// What the pipeline needs to know about the run besides the engines.
pub struct PipelineConfig {
    pub workers: usize,
    /// Send port-53 UDP packets to every worker (DN-Hunter is on and UDP is traced).
    pub replicate_dns: bool,
    pub runtime: Runtime,
    /// An observer hears what the engines see (the histograms): the flow tables' idle
    /// timeouts, which place the workers' idle closes.
    pub observe: Option<Timeouts>,
    /// `-Y`: what the rows hide.
    #[cfg(feature = "anon")]
    pub privacy: Option<std::sync::Arc<crate::anon::Privacy>>,
}

struct Worker {
    to: SyncSender<Batch>,
    handle: Option<JoinHandle<()>>,
    /// Batches ready to be filled.
    free: Vec<Batch>,
    /// Batches back from the worker whose epoch is not written yet, oldest first.
    returned: VecDeque<Batch>,
    /// The worker's counters as of its last returned batch.
    figures: Figures,
}

/// The reader side of the pipeline; see the module documentation.
pub struct Pipeline {
    workers: Vec<Worker>,
    done: Receiver<Batch>,
    /// The batch being filled for each worker.
    filling: Vec<Batch>,
    /// Fresh batches taken for the next epoch while a cut gathers them.
    spare: Vec<Option<Batch>>,
    /// The largest capacity any batch's row buffer of each log has reached: every batch
    /// coming back is given as much, so buffers warm up with the data, not with which of a
    /// worker's batches the threads' timing gave the biggest epoch.
    row_capacity: [usize; crate::sink::logs::SLOTS],
    /// Epochs sent so far, and epochs written.
    sent: u64,
    written: u64,
    replicate_dns: bool,
    /// Frames, zero-time frames and undecodable frames: counted here, not by the workers.
    reader: Counters,
    first_packet: Option<Timestamp>,
    now: Timestamp,
    /// The time of the last frame read, IP or not.
    last_frame: Timestamp,
    /// A worker stopped without being asked to (it panicked): the analysis cannot go on.
    broken: bool,
    /// With an observer: the workers' events put back in order, and an epoch's logs on
    /// their way there.
    merge: Option<Merge>,
    epoch_logs: Vec<EventLog>,
}

impl Pipeline {
    /// Start `cfg.workers` threads, each with the engine `engine_for(i)` returns.
    pub fn start(cfg: PipelineConfig, engine_for: impl Fn(usize) -> Engine) -> Pipeline {
        let n = cfg.workers.clamp(1, MAX_WORKERS);
        let (done_tx, done) = mpsc::sync_channel(n * BATCHES_PER_WORKER);
        let mut workers = Vec::with_capacity(n);
        let mut filling = Vec::with_capacity(n);
        let peers = Peers::new(n);
        for i in 0..n {
            let (to, from_reader) = mpsc::sync_channel(BATCHES_PER_WORKER);
            let mut engine = engine_for(i);
            engine.join_peers(peers.view(i));
            #[allow(unused_mut)]
            let mut sink = TstatLogs::buffers(&cfg.runtime);
            #[cfg(feature = "anon")]
            sink.set_privacy(cfg.privacy.clone());
            let back = done_tx.clone();
            let observe = cfg.observe.is_some();
            let handle = std::thread::Builder::new()
                .name(format!("tstat-worker-{i}"))
                .spawn(move || batch::work(engine, sink, from_reader, back, observe))
                .expect("cannot start a worker thread");
            let mut free: Vec<Batch> = (0..BATCHES_PER_WORKER)
                .map(|_| {
                    let mut b = Batch::new(i);
                    if observe {
                        b.events = EventLog::with_capacity(batch::FRAMES);
                    }
                    b
                })
                .collect();
            filling.push(free.pop().expect("BATCHES_PER_WORKER > 0"));
            workers.push(Worker {
                to,
                handle: Some(handle),
                free,
                returned: VecDeque::with_capacity(BATCHES_PER_WORKER),
                figures: Figures::default(),
            });
        }
        Pipeline {
            workers,
            done,
            spare: (0..n).map(|_| None).collect(),
            row_capacity: [0; crate::sink::logs::SLOTS],
            filling,
            sent: 0,
            written: 0,
            replicate_dns: cfg.replicate_dns,
            reader: Counters::default(),
            first_packet: None,
            now: Timestamp::ZERO,
            last_frame: Timestamp::ZERO,
            broken: false,
            merge: cfg.observe.map(Merge::new),
            epoch_logs: Vec::with_capacity(n),
        }
    }

    /// Time of the last frame read, IP or not (the end of a trace for the histograms).
    pub fn last_frame(&self) -> Timestamp {
        self.last_frame.max(self.now)
    }

    /// The replay of events into the observer waits for [`Pipeline::resume`]: the observer
    /// asked to act first (the histograms, when the output folder must rotate).
    pub fn paused(&self) -> bool {
        self.merge.as_ref().is_some_and(|m| m.paused())
    }

    /// The time of the packet after which the replay paused.
    pub fn paused_at(&self) -> Option<Timestamp> {
        self.merge.as_ref().and_then(|m| m.paused_at())
    }

    /// Go on replaying after a pause: everything received so far, which a sync (the folder
    /// change the pause was for) has made final.
    pub fn resume(&mut self, obs: Option<&mut dyn Observer>) {
        if let (Some(m), Some(o)) = (self.merge.as_mut(), obs) {
            m.resume(o, true);
        }
    }

    /// Idle closes replayed later than a lone engine makes them (parallel::merge; expected
    /// 0 unless time goes backwards).
    pub fn late_closes(&self) -> u64 {
        self.merge.as_ref().map_or(0, |m| m.late_closes)
    }

    pub fn first_packet_time(&self) -> Option<Timestamp> {
        self.first_packet
    }

    /// Time of the latest packet handed to a worker.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// A worker died: nothing more can be analysed.
    pub fn broken(&self) -> bool {
        self.broken
    }

    /// The run's counters: the reader's and every worker's as of its last batch.
    pub fn figures(&self) -> Figures {
        let mut f = Figures {
            engine: self.reader,
            ..Figures::default()
        };
        for w in &self.workers {
            f.add(&w.figures);
        }
        f
    }

    /// Hand one captured frame to the workers owning its flows. Rows finished meanwhile are
    /// written to `logs`.
    pub fn frame(&mut self, ts: Timestamp, link_type: u32, data: &[u8], out: Outputs<'_>) {
        if self.broken {
            return;
        }
        self.reader.frames += 1;
        self.last_frame = ts;
        let seq = self.reader.frames;
        // As a lone engine does: leading frames stamped at the epoch are capture garbage.
        if self.first_packet.is_none() && ts == Timestamp::ZERO {
            self.reader.zero_time_frames += 1;
            return;
        }
        let Some(targets) = self.targets_of(link_type, data) else {
            return;
        };
        if !targets.any {
            return;
        }
        // As a lone engine's clock, the run's follows the TCP and UDP packets only.
        if targets.own.iter().any(|&o| o != 0) {
            self.first_packet.get_or_insert(ts);
            self.now = self.now.max(ts);
        }
        self.dispatch(seq, ts, link_type, data, &targets, out);
    }

    /// Which workers take which IP layers of a frame; `None` (counted) when the decoder
    /// finds no IP packet in it.
    fn targets_of(&mut self, link_type: u32, data: &[u8]) -> Option<Targets> {
        let mut targets = Targets::default();
        let n = self.workers.len();
        let observe = self.merge.is_some();
        if let Some((key, udp)) = quick::flow_of(link_type, data) {
            let w = owner(&key, n);
            targets.own[w] = 1;
            targets.any = true;
            if self.replicate_dns && udp && (key.ports().0 == 53 || key.ports().1 == 53) {
                targets.replicas = 1;
            }
            // Tstat sees this one layer (plain Ethernet): its owner reports it.
            targets.view = observe.then_some(w as u8);
            return Some(targets);
        }
        // What Tstat reads outside the TCP and UDP layers (a misread second VLAN tag):
        // worker 0 reports it, first among the events of the frame.
        if observe && decode::tstat_misread(link_type, data).is_some() {
            targets.view = Some(0);
            targets.any = true;
        }
        let mut layers = decode::Layers::new();
        if let Err(reason) = decode::decode_frame_into(link_type, data, &mut layers) {
            self.reader.skipped[reason as usize] += 1;
            return targets.any.then_some(targets);
        }
        for (i, ip) in layers.iter().enumerate() {
            if !matches!(ip.protocol, proto::TCP | proto::UDP) {
                continue;
            }
            targets.own[owner_of(ip, n)] |= 1 << i;
            targets.any = true;
            if self.replicate_dns && is_dns(ip) {
                targets.replicas |= 1 << i;
            }
        }
        if observe && targets.view.is_none() {
            // The layer Tstat sees: its owner reports it, or, another protocol than TCP
            // and UDP, the worker its addresses pick.
            if let Some(i) = decode::tstat_layer(link_type, data, &layers) {
                targets.view = Some(owner_of(&layers[i], n) as u8);
                targets.any = true;
            }
        }
        Some(targets)
    }

    /// Append the frame to the batch of every worker that takes a layer of it, ending the
    /// epoch first when one of those batches is full.
    fn dispatch(
        &mut self,
        seq: u64,
        ts: Timestamp,
        link_type: u32,
        data: &[u8],
        t: &Targets,
        out: Outputs<'_>,
    ) {
        let n = self.workers.len();
        let view = |w: usize| t.view == Some(w as u8);
        let wanted = |w: usize| t.own[w] != 0 || t.replicas != 0 || view(w);
        let fits = |p: &Pipeline| (0..n).all(|w| !wanted(w) || p.filling[w].fits(data.len()));
        if !fits(self) {
            self.cut(Control::None, seq, false, out);
        }
        for w in (0..n).filter(|&w| wanted(w)) {
            // A worker's own layers are never replicas to it.
            let replica = t.replicas & !t.own[w];
            self.filling[w].push(seq, ts, link_type, data, t.own[w], replica, view(w));
        }
    }

    /// End the current epoch before frame `end_seq`: every worker gets its batch (`control`
    /// applied after its frames; `sync`, a sync point), and rows of finished epochs are
    /// written.
    fn cut(&mut self, control: Control, end_seq: u64, sync: bool, mut out: Outputs<'_>) {
        // Fresh batches first, so that all workers get this epoch at the same moment: a
        // worker asking its peers (engine::peers) waits for them to reach its frame.
        let n = self.workers.len();
        for w in 0..n {
            let fresh = self.free_batch(w, out.again());
            self.spare[w] = Some(fresh);
        }
        for w in 0..n {
            let Some(fresh) = self.spare[w].take() else {
                continue;
            };
            let mut batch = std::mem::replace(&mut self.filling[w], fresh);
            batch.epoch = self.sent;
            batch.end_seq = end_seq;
            batch.control = control.clone();
            batch.sync = sync;
            // The channel holds every batch the worker can have: send never waits. It fails
            // only when the worker is gone, which `receive` notices.
            let _ = self.workers[w].to.send(batch);
        }
        self.sent += 1;
        while let Ok(batch) = self.done.try_recv() {
            self.take_back(batch, out.again());
        }
    }

    /// A batch for worker `w` to fill, waiting for one to come back if all are out.
    fn free_batch(&mut self, w: usize, mut out: Outputs<'_>) -> Batch {
        loop {
            if let Some(b) = self.workers[w].free.pop() {
                return b;
            }
            if !self.receive(out.again()) {
                // A dead worker: an unsent batch keeps the reader going until it stops.
                return Batch::new(w);
            }
        }
    }

    /// Wait for one batch to come back. False when a worker died.
    fn receive(&mut self, out: Outputs<'_>) -> bool {
        loop {
            match self.done.recv_timeout(Duration::from_millis(200)) {
                Ok(batch) => {
                    self.take_back(batch, out);
                    return true;
                }
                Err(RecvTimeoutError::Timeout) => {
                    if self.any_worker_stopped() {
                        self.fail();
                        return false;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.fail();
                    return false;
                }
            }
        }
    }

    fn any_worker_stopped(&self) -> bool {
        self.workers
            .iter()
            .any(|w| w.handle.as_ref().is_none_or(|h| h.is_finished()))
    }

    fn fail(&mut self) {
        if !self.broken {
            eprintln!("tstat: a worker thread stopped unexpectedly; the analysis cannot go on");
        }
        self.broken = true;
    }

    /// A processed batch: keep its figures, queue it, and write every epoch now complete.
    fn take_back(&mut self, batch: Batch, mut out: Outputs<'_>) {
        let w = batch.worker;
        self.workers[w].figures = batch.figures;
        self.workers[w].returned.push_back(batch);
        while self
            .workers
            .iter()
            .all(|w| w.returned.front().is_some_and(|b| b.epoch == self.written))
        {
            for w in self.workers.iter_mut() {
                let Some(mut b) = w.returned.pop_front() else {
                    continue;
                };
                if let Some(l) = out.logs.as_deref_mut() {
                    l.append(&b.rows);
                }
                if let Some(m) = self.merge.as_mut() {
                    let fresh = m.spare_log(batch::FRAMES);
                    self.epoch_logs
                        .push(std::mem::replace(&mut b.events, fresh));
                }
                b.clear();
                for (seen, buf) in self.row_capacity.iter_mut().zip(b.rows.bufs.iter_mut()) {
                    *seen = (*seen).max(buf.capacity());
                    buf.reserve(*seen);
                }
                w.free.push(b);
            }
            if let Some(m) = self.merge.as_mut() {
                m.epoch(self.written, &mut self.epoch_logs, out.again().obs);
                self.epoch_logs.clear();
            }
            self.written += 1;
        }
    }

    /// End the epoch with `control` at a sync point and wait until every row before this
    /// point is written and every event replayed (unless the replay is paused).
    fn sync_with(&mut self, control: Control, mut out: Outputs<'_>) {
        self.cut(control, self.reader.frames + 1, true, out.again());
        while self.written < self.sent && !self.broken {
            self.receive(out.again());
        }
        if let Some(m) = self.merge.as_mut() {
            m.flush(out.obs);
        }
    }

    /// Write every row produced so far (before a new output folder opens).
    pub fn sync(&mut self, out: Outputs<'_>) {
        self.sync_with(Control::None, out);
    }

    /// Live capture between two blocks of packets: hand the frames gathered so far to the
    /// workers, so that rows do not wait for full batches on a slow link. Rows come back
    /// as the workers finish; nothing waits for them here.
    pub fn hand_over(&mut self, out: Outputs<'_>) {
        if self.filling.iter().any(|b| !b.is_empty()) {
            self.cut(Control::None, self.reader.frames + 1, false, out);
        }
    }

    /// Live capture on a quiet link: every worker closes flows idle at `wall_now`.
    pub fn quiet(&mut self, wall_now: Timestamp, out: Outputs<'_>) {
        if self.first_packet.is_some() && wall_now > self.now {
            self.sync_with(Control::Quiet(wall_now), out);
        }
    }

    /// runtime.conf changed: the workers log what `runtime` enables from the next packet on.
    pub fn set_logs(&mut self, runtime: &Runtime, out: Outputs<'_>) {
        self.sync_with(Control::Logs(Box::new(runtime.clone())), out);
    }

    /// End of input: every worker closes its flows at the time of the last packet; their rows
    /// are written, their events replayed (unless paused) and the threads joined. Returns
    /// the run's figures.
    pub fn finish(&mut self, out: Outputs<'_>) -> Figures {
        self.sync_with(Control::Finish(self.now), out);
        for w in self.workers.iter_mut() {
            if let Some(h) = w.handle.take() {
                let _ = h.join();
            }
        }
        self.figures()
    }
}

impl Drop for Pipeline {
    /// Workers stop when their channel closes; wait for them so none outlives the run.
    fn drop(&mut self) {
        let handles: Vec<_> = self
            .workers
            .iter_mut()
            .filter_map(|w| w.handle.take())
            .collect();
        self.workers.clear();
        for h in handles {
            let _ = h.join();
        }
    }
}

/// Which IP layers of a frame go to which worker.
struct Targets {
    /// Bit i: layer i is this worker's.
    own: [u8; MAX_WORKERS],
    /// Bit i: layer i is a DNS packet every other worker follows too.
    replicas: u8,
    /// With an observer: the worker that reports what Tstat reads outside the TCP and UDP
    /// layers.
    view: Option<u8>,
    /// Some worker takes the frame.
    any: bool,
}

impl Default for Targets {
    fn default() -> Targets {
        Targets {
            own: [0; MAX_WORKERS],
            replicas: 0,
            view: None,
            any: false,
        }
    }
}

/// The worker that owns the flow of a TCP or UDP packet: the same for both directions.
/// Later fragments carry no ports and go by their addresses alone.
fn owner_of(ip: &IpPacket<'_>, workers: usize) -> usize {
    let key = FlowKey::of_packet(ip).unwrap_or_else(|| {
        let end = |addr| Endpoint { addr, port: 0 };
        FlowKey::new(end(ip.src), end(ip.dst))
    });
    owner(&key, workers)
}

/// The worker of a flow key. The high half of the hash picks it: flow tables index with the
/// low bits, which stay evenly spread within each worker.
fn owner(key: &FlowKey, workers: usize) -> usize {
    (((key.hash64() >> 32) * workers as u64) >> 32) as usize
}

/// A UDP packet DN-Hunter may learn from (it reads responses on port 53).
fn is_dns(ip: &IpPacket<'_>) -> bool {
    ip.protocol == proto::UDP
        && FlowKey::of_packet(ip).is_some_and(|k| k.ports().0 == 53 || k.ports().1 == 53)
}

/// How many workers to run when `--workers` is not given: one engine, no worker thread, on
/// small machines (up to 3 cores); else one per core left after the reader, at most 3. The
/// reader thread bounds the pipeline: on the benchmark trace it spends about 125 ns per
/// packet and a worker about 190, so past 2 or 3 workers more only cost memory.
pub fn default_workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cores <= 3 {
        1
    } else {
        (cores - 1).min(3)
    }
}
