//! Anonymisation of addresses in the output (Tstat's `-Y`, `-W`, `-A`; docs/semantics/privacy.md).
//! So far the Crypto-PAn function itself; the flags that would use it still refuse to run.

pub mod cryptopan;
