//! The unit of work between the reader and a worker: frames copied into one buffer on the
//! way in, the rows they produced (and, with an observer, the events) on the way back.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, SyncSender};

use super::events::EventLog;
use super::merge::CATCH_UP_LAG;
use crate::config::runtime::{LogKind, Runtime};
use crate::engine::figures::Figures;
use crate::engine::Engine;
use crate::sink::logs::{RowChunks, TstatLogs};
use crate::time::Timestamp;

/// Frames per batch, and bytes of frame data (a longer frame still fits an empty batch).
pub const FRAMES: usize = 2048;
const BYTES: usize = 512 << 10;

/// What a worker does after a batch's frames.
#[derive(Clone)]
pub enum Control {
    None,
    /// Close the flows idle at this (wall-clock) time: live capture on a quiet link.
    Quiet(Timestamp),
    /// runtime.conf changed: log what it enables from now on.
    Logs(Box<Runtime>),
    /// End of input at the time of the last packet: close every flow, then stop.
    Finish(Timestamp),
}

/// Where one frame sits in a batch's data, and which of its IP layers the worker takes.
struct FrameRef {
    /// The frame's number in the input (the reader counts every frame from 1).
    seq: u64,
    ts: Timestamp,
    link_type: u32,
    start: u32,
    len: u32,
    own: u8,
    replica: u8,
    /// This worker reports what Tstat reads in the frame outside its TCP and UDP layers.
    view: bool,
}

pub struct Batch {
    pub worker: usize,
    pub epoch: u64,
    /// Every frame numbered below this that this worker takes is in this batch or an
    /// earlier one.
    pub end_seq: u64,
    frames: Vec<FrameRef>,
    data: Vec<u8>,
    pub control: Control,
    /// The epoch ends at a sync point: everything before `end_seq` is written out (and, with
    /// an observer, every idle close before it is made) before the reader goes on.
    pub sync: bool,
    /// Filled by the worker: the rows of this batch, and its counters after it.
    pub rows: RowChunks,
    pub figures: Figures,
    /// With an observer: what the engine reported.
    pub events: EventLog,
}

impl Batch {
    pub fn new(worker: usize) -> Batch {
        Batch {
            worker,
            epoch: 0,
            end_seq: 0,
            frames: Vec::with_capacity(FRAMES),
            data: Vec::with_capacity(BYTES),
            control: Control::None,
            sync: false,
            rows: RowChunks::default(),
            figures: Figures::default(),
            events: EventLog::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Whether a frame of `len` bytes can be added without growing the buffers.
    pub fn fits(&self, len: usize) -> bool {
        self.frames.len() < FRAMES && (self.data.len() + len <= BYTES || self.frames.is_empty())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn push(
        &mut self,
        seq: u64,
        ts: Timestamp,
        link_type: u32,
        data: &[u8],
        own: u8,
        replica: u8,
        view: bool,
    ) {
        let start = self.data.len() as u32;
        self.data.extend_from_slice(data);
        self.frames.push(FrameRef {
            seq,
            ts,
            link_type,
            start,
            len: data.len() as u32,
            own,
            replica,
            view,
        });
    }

    /// Empty it for reuse; the buffers keep their capacity.
    pub fn clear(&mut self) {
        self.frames.clear();
        self.data.clear();
        self.control = Control::None;
        self.sync = false;
        self.events.clear();
        for b in self.rows.bufs.iter_mut() {
            b.clear();
        }
        self.rows.rows = 0;
    }
}

/// A worker thread: batches in, each analysed by `engine` with its rows formatted into
/// `sink`'s buffers (and, when `observe`, its events recorded), then handed back with those,
/// until the input ends or the reader goes away.
pub fn work(
    mut engine: Engine,
    mut sink: TstatLogs<Vec<u8>>,
    from_reader: Receiver<Batch>,
    back: SyncSender<Batch>,
    observe: bool,
) {
    // Where the last epochs ended: the catch-up with the other workers' flow openings runs
    // CATCH_UP_LAG epochs behind (parallel::merge).
    let mut ends: VecDeque<u64> = VecDeque::with_capacity(CATCH_UP_LAG + 1);
    while let Ok(mut batch) = from_reader.recv() {
        let mut log = std::mem::take(&mut batch.events);
        if observe && ends.len() == CATCH_UP_LAG {
            let point = ends[0];
            log.frame(point);
            engine.catch_up(point, &mut sink, &mut log);
        }
        for f in &batch.frames {
            let start = f.start as usize;
            let data = &batch.data[start..start + f.len as usize];
            engine.begin_frame(f.seq);
            if observe {
                log.frame(f.seq);
                engine.dispatched_frame_observed(
                    f.ts,
                    f.link_type,
                    data,
                    f.own,
                    f.replica,
                    f.view,
                    &mut sink,
                    &mut log,
                );
            } else {
                engine.dispatched_frame(f.ts, f.link_type, data, f.own, f.replica, &mut sink);
            }
        }
        engine.done_before(batch.end_seq);
        if observe && batch.sync {
            log.frame(batch.end_seq);
            engine.catch_up(batch.end_seq, &mut sink, &mut log);
        }
        let control = std::mem::replace(&mut batch.control, Control::None);
        match &control {
            Control::Quiet(now) => {
                engine.quiet_observed(*now, &mut sink, observe.then_some(&mut log as _))
            }
            Control::Finish(now) => {
                engine.advance_clock(*now);
                // The end of the input comes after every frame.
                log.frame(u64::MAX);
                engine.finish_observed(&mut sink, observe.then_some(&mut log as _));
            }
            Control::None | Control::Logs(_) => {}
        }
        batch.events = log;
        if ends.len() == CATCH_UP_LAG {
            ends.pop_front();
        }
        ends.push_back(batch.end_seq);
        sink.move_rows_into(&mut batch.rows);
        if let Control::Logs(runtime) = &control {
            engine.set_logs(
                runtime.log_enabled(LogKind::DnsComplete),
                runtime.log_enabled(LogKind::HttpComplete),
                runtime.httplog_full_url,
            );
            #[cfg(feature = "anon")]
            let privacy = sink.privacy();
            sink = TstatLogs::buffers(runtime);
            #[cfg(feature = "anon")]
            sink.set_privacy(privacy);
        }
        batch.figures = Figures::of(&engine);
        let last = matches!(control, Control::Finish(_));
        if back.send(batch).is_err() || last {
            return;
        }
    }
}
