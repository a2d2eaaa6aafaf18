//! What analyses the frames of a run: one engine on the caller's thread, or (`--workers`)
//! a reader handing them to engines on worker threads. Both look the same to the run loop.

use super::run::Setup;
use crate::config::runtime::{LogKind, Runtime};
use crate::engine::figures::Figures;
use crate::engine::observe::Observer;
use crate::engine::{Engine, EngineConfig};
#[cfg(feature = "workers")]
use crate::parallel::{self, Outputs, Pipeline, PipelineConfig};
use crate::sink::logs::TstatLogs;
use crate::source;
use crate::time::Timestamp;

/// `--workers`: how many analysis threads, 1 when not given on a small machine.
#[cfg(feature = "workers")]
pub(super) fn worker_count(asked: Option<usize>) -> Result<usize, String> {
    match asked {
        Some(0) => Err("--workers must be at least 1".into()),
        Some(n) if n > parallel::MAX_WORKERS => Err(format!(
            "--workers {n}: at most {} are supported",
            parallel::MAX_WORKERS
        )),
        Some(n) => Ok(n),
        None => Ok(parallel::default_workers()),
    }
}

#[cfg(not(feature = "workers"))]
pub(super) fn worker_count(asked: Option<usize>) -> Result<usize, String> {
    match asked {
        None | Some(1) => Ok(1),
        Some(n) => Err(format!(
            "--workers {n}: this build runs one engine (it was built without the `workers` feature)"
        )),
    }
}

/// Whether the run keeps histograms (an observer hears the engines).
#[cfg(feature = "workers")]
fn histograms_on(setup: &Setup) -> bool {
    #[cfg(feature = "histo")]
    return setup.histo.is_some();
    #[cfg(not(feature = "histo"))]
    {
        let _ = setup;
        false
    }
}

/// The lone engine of a single-threaded run.
fn engine_for(setup: &Setup) -> Engine {
    Engine::new(engine_config(setup))
}

fn engine_config(setup: &Setup) -> EngineConfig {
    EngineConfig {
        globals: setup.globals.clone(),
        internal: setup.internal.clone(),
        trace_udp: !setup.args.no_udp,
        trace_ipv6: !setup.args.no_ipv6,
        skype: setup.args.bayes.is_some(),
        dns_log: setup.runtime.log_enabled(LogKind::DnsComplete),
        http_log: setup.runtime.log_enabled(LogKind::HttpComplete),
        httplog_full_url: setup.runtime.httplog_full_url,
        dns_hunter: !setup.args.no_dnhunter,
        dns_replica: 0,
    }
}

/// The engine of one of `n` workers: a share of each flow table, a full DN-Hunter cache,
/// and a replica table for the other workers' DNS flows.
#[cfg(feature = "workers")]
fn worker_engine(setup: &Setup, n: usize) -> Engine {
    let mut cfg = engine_config(setup);
    let g = &mut cfg.globals;
    g.max_tcp_pairs = parallel::worker_share(g.max_tcp_pairs, n);
    g.max_udp_pairs = parallel::worker_share(g.max_udp_pairs, n);
    cfg.dns_replica = g.max_udp_pairs as usize;
    Engine::new(cfg)
}

/// One engine on the caller's thread, or a reader handing frames to worker threads.
pub(super) enum Analysis {
    Single(Box<Engine>),
    #[cfg(feature = "workers")]
    Workers(Box<Pipeline>),
}

impl Analysis {
    pub(super) fn new(setup: &Setup) -> Analysis {
        #[cfg(feature = "workers")]
        if setup.workers > 1 {
            let n = setup.workers;
            return Analysis::Workers(Box::new(Pipeline::start(
                PipelineConfig {
                    workers: n,
                    replicate_dns: !setup.args.no_dnhunter && !setup.args.no_udp,
                    runtime: setup.runtime.clone(),
                    observe: histograms_on(setup)
                        .then(|| parallel::events::Timeouts::of(&setup.globals)),
                    #[cfg(feature = "anon")]
                    privacy: setup.privacy.as_ref().map(|p| p.privacy.clone()),
                },
                |_| worker_engine(setup, n),
            )));
        }
        Analysis::Single(Box::new(engine_for(setup)))
    }

    /// One frame; `obs` hears what a lone engine sees (with workers, as their events are
    /// put back in order, a little later).
    pub(super) fn frame(
        &mut self,
        frame: &source::Frame<'_>,
        logs: Option<&mut TstatLogs>,
        obs: Option<&mut dyn Observer>,
    ) {
        match self {
            Analysis::Single(engine) => {
                let (ts, link, data) = (frame.ts, frame.link_type, frame.data);
                match logs {
                    Some(logs) => engine.frame_observed(ts, link, data, logs, obs),
                    None => engine.frame_observed(ts, link, data, &mut NullSink, obs),
                }
            }
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => p.frame(
                frame.ts,
                frame.link_type,
                frame.data,
                Outputs::new(logs, obs),
            ),
        }
    }

    /// Worker threads: the replay of their events waits until the observer has acted (the
    /// histograms' folder rotation); `paused_at` is the packet time it stopped at.
    pub(super) fn paused_at(&self) -> Option<Timestamp> {
        match self {
            Analysis::Single(_) => None,
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => p.paused().then(|| p.paused_at().unwrap_or(p.now())),
        }
    }

    /// Go on replaying after a pause.
    pub(super) fn resume(&mut self, obs: Option<&mut dyn Observer>) {
        #[cfg(feature = "workers")]
        if let Analysis::Workers(p) = self {
            p.resume(obs);
        }
        #[cfg(not(feature = "workers"))]
        let _ = obs;
    }

    pub(super) fn first_packet_time(&self) -> Option<Timestamp> {
        match self {
            Analysis::Single(engine) => engine.first_packet_time(),
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => p.first_packet_time(),
        }
    }

    pub(super) fn now(&self) -> Timestamp {
        match self {
            Analysis::Single(engine) => engine.now,
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => p.now(),
        }
    }

    /// Time of the last frame read, IP or not (the end of a trace for the histograms).
    #[cfg(feature = "histo")]
    pub(super) fn last_frame(&self) -> Timestamp {
        match self {
            Analysis::Single(engine) => engine.last_frame.max(engine.now),
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => p.last_frame(),
        }
    }

    pub(super) fn figures(&self) -> Figures {
        match self {
            Analysis::Single(engine) => Figures::of(engine),
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => p.figures(),
        }
    }

    /// Live capture, between blocks: worker threads get what was read so far.
    #[cfg(feature = "live")]
    pub(super) fn hand_over(
        &mut self,
        logs: Option<&mut TstatLogs>,
        obs: Option<&mut dyn Observer>,
    ) {
        #[cfg(feature = "workers")]
        if let Analysis::Workers(p) = self {
            p.hand_over(Outputs::new(logs, obs));
        }
        #[cfg(not(feature = "workers"))]
        let _ = (logs, obs);
    }

    /// Every row of the packets so far is in `logs`, and every event heard by `obs` unless
    /// the replay is paused (before the output folder changes).
    pub(super) fn sync(&mut self, logs: Option<&mut TstatLogs>, obs: Option<&mut dyn Observer>) {
        #[cfg(feature = "workers")]
        if let Analysis::Workers(p) = self {
            p.sync(Outputs::new(logs, obs));
        }
        #[cfg(not(feature = "workers"))]
        let _ = (logs, obs);
    }

    pub(super) fn set_logs(
        &mut self,
        runtime: &Runtime,
        logs: Option<&mut TstatLogs>,
        obs: Option<&mut dyn Observer>,
    ) {
        match self {
            Analysis::Single(engine) => {
                // One engine writes straight into the logs: nothing is in flight.
                let _ = (logs, obs);
                engine.set_logs(
                    runtime.log_enabled(LogKind::DnsComplete),
                    runtime.log_enabled(LogKind::HttpComplete),
                    runtime.httplog_full_url,
                )
            }
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => p.set_logs(runtime, Outputs::new(logs, obs)),
        }
    }

    #[cfg(feature = "live")]
    pub(super) fn quiet(
        &mut self,
        wall_now: Timestamp,
        logs: &mut TstatLogs,
        obs: Option<&mut dyn Observer>,
    ) {
        match self {
            Analysis::Single(engine) => engine.quiet_observed(wall_now, logs, obs),
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => p.quiet(wall_now, Outputs::new(Some(logs), obs)),
        }
    }

    /// Write out every open flow. False when the analysis could not be completed.
    pub(super) fn finish(
        &mut self,
        logs: Option<&mut TstatLogs>,
        obs: Option<&mut dyn Observer>,
    ) -> bool {
        match self {
            Analysis::Single(engine) => {
                match logs {
                    Some(logs) => engine.finish_observed(logs, obs),
                    None => engine.finish_observed(&mut NullSink, obs),
                }
                true
            }
            #[cfg(feature = "workers")]
            Analysis::Workers(p) => {
                p.finish(Outputs::new(logs, obs));
                !p.broken()
            }
        }
    }
}

/// Where records go before the first output folder exists, or when it could not be created.
struct NullSink;

impl crate::sink::RecordSink for NullSink {
    fn tcp(&mut self, _: &crate::engine::tcp::TcpFlow, _: bool) {}
    fn udp(&mut self, _: &crate::engine::udp::UdpFlow) {}
}
