fn main() {
    // Like other command-line tools, end quietly when the reader of our output goes away
    // (`tstat --help | head`); Rust otherwise ignores SIGPIPE and println! panics.
    // SAFETY: restoring the default disposition of one signal before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    std::process::exit(tstat::app::main_with_args(args));
}
