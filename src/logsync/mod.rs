//! log_sync: ships Tstat log folders from probes to a collector (docs/log_sync.md).
//!
//! A probe's `client` sends every closed `YYYY_MM_DD_HH_MM.out` folder in bulk and streams the
//! bytes appended to the current folder's logs; the collector's `server` stores them under
//! `ROOT/<probe-id>/<folder>/<file>`. Both ends authenticate with per-probe X25519 keys in a
//! Noise IK handshake; every byte after it is encrypted (ChaCha20-Poly1305).
//!
//! | Module | What it does |
//! |---|---|
//! | `wire` | length framing and the plaintext messages |
//! | `names` | which probe ids, folder and file names are acceptable |
//! | `keys` | key files, the probe key list |
//! | `channel` | the Noise handshake and the encrypted channel |
//! | `tree` | the probe's output tree: closed, current and crash-closed folders |
//! | `store` | the collector's tree: offsets, appends, commits |
//! | `client`, `server` | the two loops |
//! | `plain` | `--plain-stream`: unauthenticated `"<path> <line>\n"` lines |
//! | `cli` | the `log_sync` command line and its config file |

pub mod channel;
pub mod cli;
pub mod client;
pub mod keys;
pub mod names;
pub mod plain;
pub mod server;
pub mod store;
pub mod tree;
pub mod util;
pub mod wire;
