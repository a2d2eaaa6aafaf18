//! Small helpers shared by the client and the server: logging, randomness, durable writes.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// One line on stderr: seconds since the epoch, the side, the message.
pub fn log_line(side: &str, msg: std::fmt::Arguments) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    eprintln!(
        "{}.{:03} log_sync {side}: {msg}",
        now.as_secs(),
        now.subsec_millis()
    );
}

/// Bytes from the kernel's random source.
pub fn random_bytes<const N: usize>() -> io::Result<[u8; N]> {
    let mut out = [0u8; N];
    File::open("/dev/urandom")?.read_exact(&mut out)?;
    Ok(out)
}

/// fsync a directory, so that a rename or a creation inside it survives a crash.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Write `data` to `path` atomically: a temporary name, fsync, rename, fsync the folder.
pub fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut f = File::create(&tmp)?;
    f.write_all(data)?;
    f.sync_all()?;
    fs::rename(&tmp, path)?;
    sync_dir(dir)
}

/// Capped exponential backoff with full jitter: the n-th delay is uniform in
/// [min, min(max, min·2ⁿ)].
#[derive(Debug, Clone)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    attempt: u32,
}

impl Backoff {
    pub fn new(min: Duration, max: Duration) -> Backoff {
        Backoff {
            min,
            max: max.max(min),
            attempt: 0,
        }
    }

    /// The next delay; each call doubles the ceiling up to the cap.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self
            .min
            .saturating_mul(1u32 << self.attempt.min(20))
            .min(self.max);
        self.attempt = self.attempt.saturating_add(1);
        let spread = ceiling.saturating_sub(self.min).as_millis() as u64;
        let r = u64::from_le_bytes(random_bytes().unwrap_or([0; 8]));
        self.min + Duration::from_millis(if spread == 0 { 0 } else { r % (spread + 1) })
    }

    /// Back to the shortest delay, after a connection that worked.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

/// Sleep for `d` in short steps, returning early once `stop` is set.
pub fn sleep_unless(stop: &std::sync::atomic::AtomicBool, d: Duration) {
    let end = std::time::Instant::now() + d;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let left = end.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(Duration::from_millis(200)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_stays_within_it() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(1000));
        for n in 0..10u32 {
            let d = b.next_delay();
            let ceiling = (100u64 << n).min(1000);
            assert!(d >= Duration::from_millis(100), "{d:?}");
            assert!(d <= Duration::from_millis(ceiling), "{n}: {d:?}");
        }
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
    }
}
