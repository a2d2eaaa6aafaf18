//! Checks against the Tstat 3.2.1 reference corpus, when `TSTAT_REFERENCE` points at it
//! (`../shared/reference`); without it each test prints one line saying it did not run. With
//! it set and the corpus missing, they fail.

use super::defs::{definitions_text, Kind, COUNT, DEFS};
use super::store::Store;
use super::write::format_global;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn reference_root(test: &str) -> Option<PathBuf> {
    match std::env::var_os("TSTAT_REFERENCE") {
        Some(r) => {
            let root = PathBuf::from(r);
            assert!(
                root.is_dir(),
                "TSTAT_REFERENCE={} is not a folder",
                root.display()
            );
            Some(root)
        }
        None => {
            println!("{test}: TSTAT_REFERENCE is not set, not run");
            None
        }
    }
}

#[test]
fn definitions_are_tstats() {
    let Some(root) = reference_root("definitions_are_tstats") else {
        return;
    };
    let text = fs::read_to_string(root.join("histo-definitions.txt")).unwrap();
    // What precedes the header is CheckArguments' -N warning, printed by the application.
    let from = text.find("#name\t").expect("no header line");
    assert_eq!(definitions_text(false), text[from..]);
}

/// Every `histo.tar.xz` under the reference outputs.
fn tarballs(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.join("tstat-3.2.1")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == "histo.tar.xz") {
                found.push(p);
            }
        }
    }
    found.sort();
    found
}

/// The `label count` rows of a step or LAST file as (cell, count).
fn step_rows(path: &Path, min: i64, bin: i64) -> Vec<(usize, i64)> {
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (label, count) = l.split_once(' ').expect("label count");
            let label: i64 = label.parse().unwrap();
            ((label - min) / bin + 1, count.parse().unwrap())
        })
        .map(|(c, n)| (c as usize, n))
        .collect()
}

/// The `valid=` count of a GLOBAL file.
fn global_valid(text: &str) -> i64 {
    let line = text.lines().nth(2).unwrap();
    let v = line
        .split("valid=")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    v.parse().unwrap()
}

/// Rebuild one `.out` folder's GLOBAL files from its step and LAST files through the store
/// and the writer; returns how many files were compared.
fn check_tree(out: &Path) -> usize {
    let mut folders: Vec<PathBuf> = fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n == "LAST" || (n.len() >= 3 && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    folders.sort();
    let mut store = Store::new(&[true; COUNT], true);
    let global_dir = out.join("GLOBAL");
    let ids: Vec<usize> = (0..COUNT)
        .filter(|&i| DEFS[..i].iter().all(|d| d.name != DEFS[i].name))
        .collect();
    for folder in &folders {
        for &i in &ids {
            let d = &DEFS[i];
            let rows = step_rows(&folder.join(d.name), d.min, d.bin);
            let mut valid = 0i64;
            for (c, n) in rows {
                store.set(super::Hid::ALL[i], c, n as f64);
                if (1..=d.num_col()).contains(&c) {
                    valid = valid.wrapping_add(n);
                }
            }
            if d.kind != Kind::Fake {
                store.set(super::Hid::ALL[i], d.valid(), valid as f64);
            }
        }
        store.accumulate();
        store.clear_steps();
    }
    let mut compared = 0;
    let mut buf = Vec::new();
    for &i in &ids {
        let d = &DEFS[i];
        let want = fs::read_to_string(global_dir.join(d.name)).unwrap();
        if d.kind == Kind::Fake {
            // A fake's valid cell is the truncated sum of its rates, not printed in the steps.
            store.set(super::Hid::ALL[i], d.valid(), global_valid(&want) as f64);
            store.accumulate();
            store.clear_steps();
        }
        buf.clear();
        format_global(&mut buf, &mut store, i);
        assert_eq!(
            String::from_utf8_lossy(&buf),
            want,
            "{}",
            global_dir.join(d.name).display()
        );
        compared += 1;
    }
    compared
}

#[test]
fn global_files_rebuild_from_the_step_files() {
    let Some(root) = reference_root("global_files_rebuild_from_the_step_files") else {
        return;
    };
    let balls = tarballs(&root);
    assert_eq!(
        balls.len(),
        62,
        "histo.tar.xz files under {}",
        root.display()
    );
    let tmp = std::env::temp_dir().join(format!("tstat-histo-ref-{}", std::process::id()));
    let mut compared = 0;
    for (n, ball) in balls.iter().enumerate() {
        let dir = tmp.join(n.to_string());
        fs::create_dir_all(&dir).unwrap();
        let ok = Command::new("tar")
            .arg("-xJf")
            .arg(ball)
            .arg("-C")
            .arg(&dir)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "tar -xJf {}", ball.display());
        for out in fs::read_dir(dir.join("tstat_out")).unwrap().flatten() {
            compared += check_tree(&out.path());
        }
    }
    let _ = fs::remove_dir_all(&tmp);
    assert_eq!(compared, 62 * 360);
}
