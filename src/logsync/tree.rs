//! The probe's output tree as tstat leaves it: `BASE/YYYY_MM_DD_HH_MM.out/log_*`.
//!
//! A folder is *closed* when it holds tstat's `.closed` marker (`<file> <size>` per line). A
//! folder without a marker that is not the newest, and in which nothing changed for the grace
//! period, was cut short by a crash: it is treated as closed with the files and sizes it has.
//! Any other folder is *open*: its files only grow, and are streamed.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use std::collections::BTreeSet;

use super::names::{
    sort_folders, valid_folder, valid_output_file, valid_step_folder, CLOSED_MARKER,
};

/// How a folder is to be shipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderState {
    /// tstat's marker: the files and their final sizes.
    Closed(Vec<(String, u64)>),
    /// No marker, not the newest, untouched for the grace period: the files as they are.
    CrashClosed(Vec<(String, u64)>),
    /// Still being written (or within the grace period).
    Open,
}

#[derive(Debug, Clone)]
pub struct Folder {
    pub name: String,
    pub path: PathBuf,
    pub state: FolderState,
}

/// Parse a `.closed` marker.
pub fn parse_marker(text: &str) -> Option<Vec<(String, u64)>> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (name, size) = l.trim().rsplit_once(' ')?;
            valid_output_file(name).then_some(())?;
            Some((name.to_string(), size.parse().ok()?))
        })
        .collect()
}

/// The files of a folder that are shipped (`log_*`, and the histogram files of its step
/// folders as `STEP/NAME`), with their sizes, sorted by name.
pub fn log_files(dir: &Path) -> io::Result<Vec<(String, u64)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if meta.is_dir() && valid_step_folder(&name) {
            for file in fs::read_dir(entry.path())?.flatten() {
                let inner = format!("{name}/{}", file.file_name().to_string_lossy());
                match file.metadata() {
                    Ok(m) if m.is_file() && valid_output_file(&inner) => out.push((inner, m.len())),
                    _ => {}
                }
            }
        } else if meta.is_file() && valid_output_file(&name) {
            out.push((name, meta.len()));
        }
    }
    crate::sort::by(&mut out, |a, b| a.cmp(b));
    Ok(out)
}

/// The newest modification time among a folder and its files.
fn last_change(dir: &Path) -> Option<SystemTime> {
    let mut newest = fs::metadata(dir).ok()?.modified().ok()?;
    for entry in fs::read_dir(dir).ok()?.flatten() {
        if let Ok(t) = entry.metadata().and_then(|m| m.modified()) {
            newest = newest.max(t);
        }
    }
    Some(newest)
}

/// Folders and files the client cannot ship, each logged once with its reason (not at every
/// poll). Holds only names still on disk, so it does not grow with the tree's history.
#[derive(Debug, Default)]
pub struct Skipped {
    reported: BTreeSet<String>,
    seen: BTreeSet<String>,
}

impl Skipped {
    fn note(&mut self, name: &str, reason: std::fmt::Arguments) {
        self.seen.insert(name.to_string());
        if self.reported.insert(name.to_string()) {
            super::util::log_line("client", format_args!("{name}: {reason}"));
        }
    }

    /// Forget names gone from disk, so a folder that comes back is reported again.
    fn end_scan(&mut self) {
        self.reported = std::mem::take(&mut self.seen);
    }
}

/// The tstat folders under `base`, oldest first, each with its state. Anything else that
/// looks like an output folder (a directory ending in `.out`), and a folder whose marker
/// cannot be read, is left alone with its reason logged once through `skipped`.
pub fn scan(
    base: &Path,
    grace: Duration,
    now: SystemTime,
    skipped: &mut Skipped,
) -> io::Result<Vec<Folder>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(base)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if valid_folder(&name) {
            names.push(name);
        } else if name.ends_with(".out") && entry.file_type().is_ok_and(|t| t.is_dir()) {
            skipped.note(
                &name,
                format_args!(
                    "not shipped: tstat names its folders YYYY_MM_DD_HH_MM.out or \
                     YYYY_MM_DD_HH_MM-N.out"
                ),
            );
        }
    }
    sort_folders(&mut names);
    let newest = names.last().cloned();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let path = base.join(&name);
        let state = match fs::read_to_string(path.join(CLOSED_MARKER)) {
            Ok(text) => match parse_marker(&text) {
                Some(entries) => FolderState::Closed(entries),
                None => {
                    skipped.note(
                        &name,
                        format_args!(
                            "not shipped: malformed {CLOSED_MARKER} marker (lines of \
                             `log_<name> <bytes>` expected)"
                        ),
                    );
                    continue;
                }
            },
            Err(_) if Some(&name) != newest.as_ref() && quiet_for(&path, grace, now) => {
                match log_files(&path) {
                    Ok(files) => FolderState::CrashClosed(files),
                    Err(_) => continue, // vanished meanwhile
                }
            }
            Err(_) => FolderState::Open,
        };
        out.push(Folder { name, path, state });
    }
    skipped.end_scan();
    Ok(out)
}

fn quiet_for(dir: &Path, grace: Duration, now: SystemTime) -> bool {
    last_change(dir).is_some_and(|t| now.duration_since(t).unwrap_or_default() >= grace)
}

/// Bytes in the regular files of the tstat folders under `base`, those of their histogram
/// step folders included.
pub fn tree_size(base: &Path) -> u64 {
    let Ok(dirs) = fs::read_dir(base) else {
        return 0;
    };
    dirs.flatten()
        .filter(|e| valid_folder(&e.file_name().to_string_lossy()))
        .map(|e| files_size(&e.path(), true))
        .sum()
}

fn files_size(dir: &Path, with_steps: bool) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?, e)))
        .map(|(m, e)| {
            if m.is_file() {
                m.len()
            } else if with_steps
                && m.is_dir()
                && valid_step_folder(&e.file_name().to_string_lossy())
            {
                files_size(&e.path(), false)
            } else {
                0
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_lines_are_name_and_size() {
        assert_eq!(
            parse_marker("log_a 12\nlog_b.gz 0\n"),
            Some(vec![("log_a".into(), 12), ("log_b.gz".into(), 0)])
        );
        assert_eq!(parse_marker(""), Some(vec![]));
        assert_eq!(parse_marker("log_a twelve\n"), None);
        assert_eq!(parse_marker("../x 1\n"), None);
    }

    #[test]
    fn scan_tells_closed_crashed_and_open_folders_apart() {
        let base = std::env::temp_dir().join(format!("logsync-tree-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        for f in [
            "2024_01_01_00_00.out",
            "2024_01_01_01_00.out",
            "2024_01_01_01_00-2.out",
            "2024_01_01_02_00.out",
        ] {
            fs::create_dir_all(base.join(f)).unwrap();
            fs::write(base.join(f).join("log_a"), b"row\n").unwrap();
        }
        fs::write(base.join("2024_01_01_00_00.out/.closed"), "log_a 4\n").unwrap();
        fs::create_dir_all(base.join("not_a_folder")).unwrap();
        fs::create_dir_all(base.join("backup.out")).unwrap();
        let later = SystemTime::now() + Duration::from_secs(600);
        let mut skipped = Skipped::default();
        let folders = scan(&base, Duration::from_secs(300), later, &mut skipped).unwrap();
        let names: Vec<_> = folders.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "2024_01_01_00_00.out",
                "2024_01_01_01_00.out",
                "2024_01_01_01_00-2.out",
                "2024_01_01_02_00.out"
            ]
        );
        let states: Vec<_> = folders.iter().map(|f| f.state.clone()).collect();
        assert_eq!(
            states,
            vec![
                FolderState::Closed(vec![("log_a".into(), 4)]),
                FolderState::CrashClosed(vec![("log_a".into(), 4)]),
                FolderState::CrashClosed(vec![("log_a".into(), 4)]),
                FolderState::Open,
            ]
        );
        assert!(skipped.reported.contains("backup.out"));
        assert!(!skipped.reported.contains("not_a_folder"));
        // Within the grace period the unmarked older folders are still open.
        let folders = scan(
            &base,
            Duration::from_secs(300),
            SystemTime::now(),
            &mut skipped,
        )
        .unwrap();
        assert_eq!(folders[1].state, FolderState::Open);
        assert_eq!(tree_size(&base), 12 + 8 + 4);
        let _ = fs::remove_dir_all(&base);
    }
}
