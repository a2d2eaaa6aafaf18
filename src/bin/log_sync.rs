//! `log_sync client|server|keygen`: ships tstat's log folders to a collector
//! (docs/log_sync.md). Everything is in the library's `logsync` module.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(tstat::logsync::cli::main_with_args(&args));
}
