//! Anonymisation of the logs (Tstat's `-Y`, `-W`, `--enc` and their key options;
//! docs/semantics/privacy.md): the Crypto-PAn function, its key, and the policy the log sinks
//! apply when they print a row.

mod base64;
pub mod cryptopan;
pub mod key;
pub mod privacy;

pub use privacy::Privacy;
