//! Deep packet inspection: analyzers that read payload bytes to name the application.
//!
//! Analyzers are engine-side: they see packet bytes and flow state, never files. Everything
//! here is behind the `dpi` cargo feature; without it every flow prints Tstat's "unknown"
//! values.

pub mod dns;
pub mod dnshunter;
pub mod pool;
pub mod tcp;
pub mod udp;
