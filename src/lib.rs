//! tstat: a passive network traffic analyzer, output-compatible with Tstat 3.2.1.
//!
//! The pipeline runs one way:
//!
//! ```text
//! source (trace files) → decode (link, IP, tunnels) → engine (flow tables, analyzers) → sink (logs)
//! ```
//!
//! [`config`] reads Tstat's configuration files and [`app`] is the command line that wires
//! the stages together. The engine can be used directly: feed it frames with
//! [`engine::Engine::frame`] and collect records with any [`sink::RecordSink`].

#[cfg(feature = "anon")]
pub mod anon;
pub mod app;
pub mod config;
pub mod decode;
pub mod dpi;
pub mod engine;
#[cfg(feature = "histo")]
pub mod histo;
#[cfg(feature = "log-sync")]
pub mod logsync;
#[cfg(feature = "workers")]
pub mod parallel;
#[cfg(feature = "rrd")]
pub mod series;
pub mod sink;
pub mod sort;
pub mod source;
pub mod time;
