//! The collector's tree: `ROOT/<probe-id>/<YYYY_MM_DD_HH_MM.out>/<log file>`.
//!
//! A file being received is `<log file>.part`; it gets its final name when the client commits
//! it at its closed size, after an fsync. Appends are idempotent: bytes the file already holds
//! are skipped, a gap is refused. Every name is checked ([`super::names`]) before it is used.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::names::{valid_folder, valid_output_file, valid_probe_id, CLOSED_MARKER, PART_SUFFIX};
use super::util::{sync_dir, write_atomic};

/// What went wrong with a request; the text is logged and sent back in `Refused`.
pub type Refusal = String;

pub struct Store {
    root: PathBuf,
}

impl Store {
    pub fn new(root: &Path) -> io::Result<Store> {
        fs::create_dir_all(root)?;
        Ok(Store {
            root: root.to_path_buf(),
        })
    }

    /// The folder's path, once every name is known to be safe.
    fn folder_path(&self, probe: &str, folder: &str) -> Result<PathBuf, Refusal> {
        if !valid_probe_id(probe) {
            return Err(format!("bad probe id {probe:?}"));
        }
        if !valid_folder(folder) {
            return Err(format!("bad folder name {folder:?}"));
        }
        Ok(self.root.join(probe).join(folder))
    }

    /// The final and the partial path of a file.
    fn file_paths(
        &self,
        probe: &str,
        folder: &str,
        file: &str,
    ) -> Result<(PathBuf, PathBuf), Refusal> {
        let dir = self.folder_path(probe, folder)?;
        if !valid_output_file(file) {
            return Err(format!("bad file name {file:?}"));
        }
        Ok((dir.join(file), dir.join(format!("{file}{PART_SUFFIX}"))))
    }

    /// The bytes held of a file and whether it is complete.
    pub fn have(&self, probe: &str, folder: &str, file: &str) -> Result<(u64, bool), Refusal> {
        let (done, part) = self.file_paths(probe, folder, file)?;
        if let Ok(m) = fs::metadata(&done) {
            return Ok((m.len(), true));
        }
        Ok((fs::metadata(&part).map(|m| m.len()).unwrap_or(0), false))
    }

    /// Append `bytes`, which start at `offset` of the file. Bytes already held are skipped;
    /// an offset past the end is refused (the client asks for the offset again).
    pub fn append(
        &self,
        probe: &str,
        folder: &str,
        file: &str,
        offset: u64,
        bytes: &[u8],
    ) -> Result<(), Refusal> {
        let (done, part) = self.file_paths(probe, folder, file)?;
        if done.exists() {
            return Ok(()); // committed already: a resend after a lost acknowledgment
        }
        // Checked before the file is created too: a refused request leaves nothing behind.
        let before = fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        if offset > before {
            return Err(format!(
                "{folder}/{file}: data at {offset} but only {before} bytes held"
            ));
        }
        let mut f = open_part(&part).map_err(|e| format!("{}: {e}", part.display()))?;
        let held = f.metadata().map_err(|e| e.to_string())?.len();
        if offset > held {
            return Err(format!(
                "{folder}/{file}: data at {offset} but only {held} bytes held"
            ));
        }
        let skip = (held - offset).min(bytes.len() as u64) as usize;
        let new = bytes.get(skip..).unwrap_or_default();
        if !new.is_empty() {
            f.write_all(new)
                .map_err(|e| format!("{}: {e}", part.display()))?;
        }
        Ok(())
    }

    /// Make the file durable under its final name at `size`.
    pub fn commit(&self, probe: &str, folder: &str, file: &str, size: u64) -> Result<(), Refusal> {
        let (done, part) = self.file_paths(probe, folder, file)?;
        if let Ok(m) = fs::metadata(&done) {
            return if m.len() == size {
                Ok(())
            } else {
                Err(format!(
                    "{folder}/{file}: committed at {} bytes, not {size}",
                    m.len()
                ))
            };
        }
        let f = open_part(&part).map_err(|e| format!("{}: {e}", part.display()))?;
        let held = f.metadata().map_err(|e| e.to_string())?.len();
        if held != size {
            return Err(format!(
                "{folder}/{file}: commit at {size} but {held} bytes held"
            ));
        }
        f.sync_all().map_err(|e| e.to_string())?;
        fs::rename(&part, &done).map_err(|e| e.to_string())?;
        sync_dir(done.parent().unwrap_or(&self.root)).map_err(|e| e.to_string())
    }

    /// Write the folder's `.closed` marker, after checking that every listed file is committed
    /// at its size.
    pub fn close_folder(
        &self,
        probe: &str,
        folder: &str,
        entries: &[(&str, u64)],
    ) -> Result<(), Refusal> {
        let dir = self.folder_path(probe, folder)?;
        let mut text = String::new();
        let mut sorted = entries.to_vec();
        crate::sort::by(&mut sorted, |a, b| a.cmp(b));
        for (file, size) in &sorted {
            match self.have(probe, folder, file)? {
                (held, true) if held == *size => {}
                (held, _) => {
                    return Err(format!(
                        "{folder}: close with {file} at {size} bytes, but {held} held and not committed"
                    ))
                }
            }
            text.push_str(&format!("{file} {size}\n"));
        }
        ensure_dir(&dir).map_err(|e| e.to_string())?;
        write_atomic(&dir.join(CLOSED_MARKER), text.as_bytes()).map_err(|e| e.to_string())
    }
}

/// Open (creating) a partial file for appending; its folders are created and fsynced first.
fn open_part(part: &Path) -> io::Result<File> {
    if let Some(dir) = part.parent() {
        ensure_dir(dir)?;
    }
    OpenOptions::new().create(true).append(true).open(part)
}

/// Create `dir` and its parent if missing, fsyncing each parent so the names survive a crash.
fn ensure_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        if !parent.is_dir() {
            ensure_dir(parent)?;
        }
        match fs::create_dir(dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        sync_dir(parent)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store(name: &str) -> (Store, PathBuf) {
        let root =
            std::env::temp_dir().join(format!("logsync-store-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        (Store::new(&root).unwrap(), root)
    }

    const F: &str = "2024_01_02_03_04.out";

    #[test]
    fn appends_are_idempotent_and_gaps_refused() {
        let (s, root) = temp_store("append");
        s.append("p", F, "log_a", 0, b"abc").unwrap();
        s.append("p", F, "log_a", 1, b"bcde").unwrap(); // overlaps: only "de" is new
        s.append("p", F, "log_a", 0, b"ab").unwrap(); // all held already
        assert!(s.append("p", F, "log_a", 9, b"z").is_err());
        assert_eq!(s.have("p", F, "log_a").unwrap(), (5, false));
        assert_eq!(
            fs::read(root.join("p").join(F).join("log_a.part")).unwrap(),
            b"abcde"
        );
        assert!(s.commit("p", F, "log_a", 6).is_err());
        s.commit("p", F, "log_a", 5).unwrap();
        s.commit("p", F, "log_a", 5).unwrap();
        assert_eq!(s.have("p", F, "log_a").unwrap(), (5, true));
        assert_eq!(
            fs::read(root.join("p").join(F).join("log_a")).unwrap(),
            b"abcde"
        );
        assert!(s
            .close_folder("p", F, &[("log_a", 5), ("log_b", 1)])
            .is_err());
        s.close_folder("p", F, &[("log_a", 5)]).unwrap();
        assert_eq!(
            fs::read_to_string(root.join("p").join(F).join(".closed")).unwrap(),
            "log_a 5\n"
        );
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn names_that_climb_are_refused_before_any_path_is_touched() {
        let (s, root) = temp_store("names");
        assert!(s.append("..", F, "log_a", 0, b"x").is_err());
        assert!(s.append("p", "../../etc", "log_a", 0, b"x").is_err());
        assert!(s.append("p", F, "../log_a", 0, b"x").is_err());
        assert!(s.append("p", F, "log_a/../../x", 0, b"x").is_err());
        assert_eq!(fs::read_dir(&root).unwrap().count(), 0);
        let _ = fs::remove_dir_all(&root);
    }
}
