//! Deep packet inspection: analyzers that read payload bytes to name the application.
//!
//! Analyzers are engine-side: they see packet bytes and flow state, never files. Each is
//! behind a cargo feature: the classifiers behind `dpi` (without it every flow prints Tstat's
//! "unknown" values), the DNS log behind `dns-log`, the HTTP plugin's counters behind `dpi` or
//! `http-log` and its log rows behind `http-log`.

pub mod dns;
pub mod dnshunter;
pub mod http;
pub mod pool;
#[cfg(feature = "dpi")]
pub mod quic;
pub mod reassembly;
pub mod tcp;
pub mod udp;
