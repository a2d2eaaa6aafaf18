//! The "closed" marker of an output folder.
//!
//! A `.out` folder that will never be written again gets a file named `.closed`, written only
//! after every log in the folder is finished and on disk. It lists each log file with its
//! size, one `<file name> <size in bytes>\n` line per file, sorted by name, so a shipping
//! client (log_sync) knows the folder is complete and how long each file must be. Files of
//! the histogram step folders (`000/`, `LAST/`, `GLOBAL/`) are listed as `STEP/NAME`. A folder
//! without the marker is the current one, or was cut short by a crash.
//!
//! The marker is written atomically: `.closed.tmp`, fsync, rename to `.closed`, fsync of
//! the folder. A reader never sees a partial marker.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The marker's file name.
pub const MARKER: &str = ".closed";
const MARKER_TMP: &str = ".closed.tmp";

/// One log file of a closed folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub size: u64,
}

/// Put every regular file in `dir` (and in its step folders) on disk, then write the marker
/// listing them. The logs must already be finished (closed) by their writers.
pub fn close_folder(dir: &Path) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    let mut paths = Vec::new();
    for e in fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let kind = e.file_type()?;
        if kind.is_dir() {
            // A histogram step folder (000/, LAST/, GLOBAL/): its files as `STEP/NAME`.
            for inner in fs::read_dir(e.path())? {
                let inner = inner?;
                if inner.file_type()?.is_file() {
                    let path = format!("{name}/{}", inner.file_name().to_string_lossy());
                    entries.push(entry(&inner.path(), path)?);
                    paths.push(inner.path());
                }
            }
            paths.push(e.path());
            continue;
        }
        if name == MARKER || name == MARKER_TMP || !kind.is_file() {
            continue;
        }
        entries.push(entry(&e.path(), name)?);
        paths.push(e.path());
    }
    to_disk(dir, &paths)?;
    crate::sort::by(&mut entries, |a, b| a.name.cmp(&b.name));
    let tmp = dir.join(MARKER_TMP);
    let written = write_marker(&tmp, &entries).and_then(|()| fs::rename(&tmp, dir.join(MARKER)));
    if let Err(e) = written {
        // A full disk: no half-written marker is left behind for a reader to trip over.
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename itself must survive a power cut too.
    File::open(dir)?.sync_all()?;
    Ok(entries)
}

/// Everything written under `dir` on disk: one syncfs(2) of its file system, rather than an
/// fsync per file, which a folder with histograms (361 files per step) makes slow (52
/// steps: 4 s of fsyncs on a trace read in 0.3 s). Where syncfs is refused, each of `paths`
/// is fsynced.
fn to_disk(dir: &Path, paths: &[std::path::PathBuf]) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let d = File::open(dir)?;
    // SAFETY: syncfs on a descriptor we hold open.
    if unsafe { libc::syncfs(d.as_raw_fd()) } == 0 {
        return Ok(());
    }
    for p in paths {
        File::open(p)?.sync_all()?;
    }
    Ok(())
}

fn entry(path: &Path, name: String) -> io::Result<Entry> {
    Ok(Entry {
        name,
        size: fs::metadata(path)?.len(),
    })
}

fn write_marker(tmp: &Path, entries: &[Entry]) -> io::Result<()> {
    let mut f = File::create(tmp)?;
    f.write_all(marker_text(entries).as_bytes())?;
    f.sync_all()
}

/// The marker's content for `entries` (already sorted by name).
pub fn marker_text(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|e| format!("{} {}\n", e.name, e.size))
        .collect()
}

/// Whether `dir` carries the marker.
pub fn is_closed(dir: &Path) -> bool {
    dir.join(MARKER).is_file()
}

/// The marker's path in `dir`.
pub fn marker_path(dir: &Path) -> PathBuf {
    dir.join(MARKER)
}

/// What a folder being deleted is renamed to first (a name no reader takes for an output
/// folder).
const DELETING_PREFIX: &str = ".deleting.";

/// Delete a closed folder so that a crash part-way leaves no half folder: deleting the files
/// one by one could remove the marker and leave the logs, a folder that then looks cut short
/// and waits to be shipped for ever. The folder is first renamed (atomic) to
/// `.deleting.NAME` beside it, then removed; [`sweep_deletions`] finishes what a crash
/// interrupted.
pub fn delete_folder(dir: &Path) -> io::Result<()> {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return fs::remove_dir_all(dir);
    };
    let doomed = parent.join(format!("{DELETING_PREFIX}{}", name.to_string_lossy()));
    fs::rename(dir, &doomed)?;
    fs::remove_dir_all(&doomed)
}

/// Remove what interrupted [`delete_folder`]s left under `base`; returns how many.
pub fn sweep_deletions(base: &Path) -> usize {
    let Ok(entries) = fs::read_dir(base) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(DELETING_PREFIX))
        .filter(|e| fs::remove_dir_all(e.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_lists_each_file_with_its_size_sorted_by_name() {
        let dir = std::env::temp_dir().join(format!("tstat-closed-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("log_udp_complete"), b"#hdr\n1 2\n").unwrap();
        fs::write(dir.join("log_tcp_complete"), b"#h\n").unwrap();
        fs::write(dir.join("log_skype_complete"), b"").unwrap();
        fs::write(dir.join(MARKER_TMP), b"stale").unwrap();
        let entries = close_folder(&dir).unwrap();
        let text = fs::read_to_string(marker_path(&dir)).unwrap();
        assert_eq!(
            text,
            "log_skype_complete 0\nlog_tcp_complete 3\nlog_udp_complete 9\n"
        );
        assert_eq!(entries.len(), 3);
        assert!(is_closed(&dir));
        assert!(!dir.join(MARKER_TMP).exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_deletion_goes_whole_and_a_crashed_one_is_swept() {
        let base = std::env::temp_dir().join(format!("tstat-delete-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let folder = base.join("2024_01_01_00_00.out");
        fs::create_dir_all(folder.join("000")).unwrap();
        fs::write(folder.join("log_tcp_complete"), b"#h\n").unwrap();
        fs::write(folder.join("000/ip_len_out"), b"x").unwrap();
        close_folder(&folder).unwrap();
        delete_folder(&folder).unwrap();
        assert_eq!(fs::read_dir(&base).unwrap().count(), 0);
        // A crash after the rename: what is left is the renamed folder, never a folder that
        // has lost its marker but kept its logs.
        let crashed = base.join(".deleting.2024_01_01_00_05.out");
        fs::create_dir_all(&crashed).unwrap();
        fs::write(crashed.join("log_tcp_complete"), b"#h\n").unwrap();
        let kept = base.join("2024_01_01_00_10.out");
        fs::create_dir_all(&kept).unwrap();
        assert_eq!(sweep_deletions(&base), 1);
        let left: Vec<_> = fs::read_dir(&base)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, [kept.file_name().unwrap()]);
        let _ = fs::remove_dir_all(&base);
    }
}
