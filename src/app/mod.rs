//! The `tstat` command: argument handling and the run loop that wires a source, the engine
//! and the log sink together.

mod analysis;
pub mod args;
mod job;
mod output;
mod privacy;
mod privileges;
mod progress;
mod reload;
mod rotation;
mod run;
pub mod signals;
mod summary;

pub use run::main_with_args;
