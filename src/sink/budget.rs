//! The disk budget (globals.conf `Max_Disk_Usage`, in MB): when the output base folder
//! holds more than the budget, the oldest closed `.out` folders are deleted until it fits.
//! The current folder, and any folder without the closed marker, is never deleted.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::closed;

/// Bytes in the MB of `Max_Disk_Usage` (a MiB, as `du -m` counts).
pub const MB: u64 = 1 << 20;

/// One `.out` folder under the base folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    pub name: String,
    /// Bytes it occupies on disk.
    pub size: u64,
    /// When its closed marker was written; `None` while it is open (or was cut short).
    pub closed_at: Option<SystemTime>,
}

/// The folders to delete, oldest closed first, so that `total` bytes fall to `limit` or
/// below; `current` is never chosen. When even deleting every closed folder is not enough,
/// all of them are chosen.
pub fn select(folders: &[Folder], total: u64, limit: u64, current: Option<&str>) -> Vec<String> {
    let mut candidates: Vec<&Folder> = folders
        .iter()
        .filter(|f| f.closed_at.is_some() && Some(f.name.as_str()) != current)
        .collect();
    crate::sort::by(&mut candidates, |a, b| {
        a.closed_at.cmp(&b.closed_at).then(a.name.cmp(&b.name))
    });
    let mut left = total;
    let mut chosen = Vec::new();
    for f in candidates {
        if left <= limit {
            break;
        }
        left = left.saturating_sub(f.size);
        chosen.push(f.name.clone());
    }
    chosen
}

/// Bytes `path` occupies on disk (allocated blocks, as `du` counts), recursively.
pub fn disk_usage(path: &Path) -> u64 {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return 0;
    };
    let own = meta.blocks() * 512;
    if !meta.is_dir() {
        return own;
    }
    let children = fs::read_dir(path)
        .map(|rd| rd.flatten().map(|e| disk_usage(&e.path())).sum())
        .unwrap_or(0);
    own + children
}

/// The `.out` folders directly under `base`, and the bytes everything under `base` uses.
pub fn survey(base: &Path) -> io::Result<(Vec<Folder>, u64)> {
    let mut folders = Vec::new();
    let mut total = 0;
    for e in fs::read_dir(base)? {
        let e = e?;
        let path = e.path();
        let size = disk_usage(&path);
        total += size;
        let name = e.file_name().to_string_lossy().into_owned();
        if !(e.file_type()?.is_dir() && name.ends_with(".out")) {
            continue;
        }
        let closed_at = fs::metadata(closed::marker_path(&path))
            .and_then(|m| m.modified())
            .ok();
        folders.push(Folder {
            name,
            size,
            closed_at,
        });
    }
    Ok((folders, total))
}

/// Enforces the budget on one base folder and counts what it deleted.
#[derive(Debug)]
pub struct DiskBudget {
    /// Bytes; 0 means no limit.
    pub limit: u64,
    pub deleted: u64,
}

impl DiskBudget {
    pub fn new(limit_mb: f64) -> DiskBudget {
        DiskBudget {
            limit: (limit_mb.max(0.0) * MB as f64) as u64,
            deleted: 0,
        }
    }

    pub fn enabled(&self) -> bool {
        self.limit > 0
    }

    /// Delete the oldest closed folders under `base` while it exceeds the budget, each one
    /// reported on stderr. `current` is the folder being written.
    pub fn enforce(&mut self, base: &Path, current: Option<&Path>) {
        if !self.enabled() {
            return;
        }
        closed::sweep_deletions(base);
        let Ok((folders, total)) = survey(base) else {
            return;
        };
        let current_name = current
            .and_then(|c| c.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        for name in select(&folders, total, self.limit, current_name.as_deref()) {
            let path: PathBuf = base.join(&name);
            match closed::delete_folder(&path) {
                Ok(()) => {
                    self.deleted += 1;
                    eprintln!(
                        "tstat: disk budget: {} uses more than Max_Disk_Usage ({} bytes): \
                         deleted the closed folder {}",
                        base.display(),
                        self.limit,
                        path.display()
                    );
                }
                Err(e) => eprintln!("tstat: disk budget: cannot delete {}: {e}", path.display()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn folder(name: &str, size: u64, closed_secs: Option<u64>) -> Folder {
        Folder {
            name: name.into(),
            size,
            closed_at: closed_secs.map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s)),
        }
    }

    #[test]
    fn oldest_closed_folders_go_first_until_the_total_fits() {
        let folders = [
            folder("2024_01_01_02_00.out", 30, Some(300)),
            folder("2024_01_01_00_00.out", 30, Some(100)),
            folder("2024_01_01_01_00.out", 30, Some(200)),
            folder("2024_01_01_03_00.out", 30, None),
        ];
        // 120 used, 70 allowed: two closed folders (60 bytes) must go, oldest first.
        assert_eq!(
            select(&folders, 120, 70, Some("2024_01_01_03_00.out")),
            vec!["2024_01_01_00_00.out", "2024_01_01_01_00.out"]
        );
        // Within the budget: nothing.
        assert!(select(&folders, 120, 120, None).is_empty());
    }

    #[test]
    fn current_and_unclosed_folders_are_never_chosen() {
        let folders = [
            folder("a.out", 50, None),
            folder("b.out", 50, Some(1)),
            folder("c.out", 50, Some(2)),
        ];
        // Even far over budget only the closed, not current folders go.
        assert_eq!(select(&folders, 150, 0, Some("c.out")), vec!["b.out"]);
    }

    #[test]
    fn equal_closing_times_fall_back_to_the_name() {
        let folders = [folder("y.out", 10, Some(5)), folder("x.out", 10, Some(5))];
        assert_eq!(select(&folders, 20, 15, None), vec!["x.out"]);
    }

    #[test]
    fn megabytes_are_mebibytes_and_zero_is_unlimited() {
        assert_eq!(DiskBudget::new(1.5).limit, 3 * 512 * 1024);
        assert!(!DiskBudget::new(0.0).enabled());
    }
}
