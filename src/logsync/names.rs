//! Which names may reach the collector's disk. Every name a peer sends is checked here before
//! it becomes a path component, so nothing can climb out of `ROOT/<probe-id>/`.

use crate::sink::outdir::FolderName;

/// Suffix of a file being received; final names may not end with it.
pub const PART_SUFFIX: &str = ".part";
/// The marker tstat writes into a folder it will not write again.
pub const CLOSED_MARKER: &str = ".closed";

/// A probe id: 1 to 64 of `A-Z a-z 0-9 _ - .`, not starting with a dot.
pub fn valid_probe_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && !id.starts_with('.') && id.bytes().all(safe_byte)
}

/// A tstat output folder: `YYYY_MM_DD_HH_MM.out` or `YYYY_MM_DD_HH_MM-N.out`, the names
/// tstat creates (`sink::outdir::FolderName`).
pub fn valid_folder(name: &str) -> bool {
    FolderName::parse(name).is_some()
}

/// Sort folder names in the order tstat created them (minute, then `-N`).
pub fn sort_folders(names: &mut [String]) {
    crate::sort::by(names, |a, b| {
        FolderName::parse(a)
            .cmp(&FolderName::parse(b))
            .then(a.cmp(b))
    });
}

/// A log file: `log_` then up to 96 of `A-Z a-z 0-9 _ - .`, not ending in `.part`.
pub fn valid_log_file(name: &str) -> bool {
    name.len() <= 100
        && name.len() > 4
        && name.starts_with("log_")
        && !name.ends_with(PART_SUFFIX)
        && name.bytes().all(safe_byte)
}

/// A file of an output folder that is shipped: a log file, or a histogram file in one of
/// the folder's step folders (`000/`, `001/`, ..., `LAST/`, `GLOBAL/`): `STEP/NAME` with a
/// name of `A-Z a-z 0-9 _` (histogram names, `addresses`).
pub fn valid_output_file(name: &str) -> bool {
    match name.split_once('/') {
        None => valid_log_file(name),
        Some((step, file)) => {
            valid_step_folder(step)
                && (1..=64).contains(&file.len())
                && file.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        }
    }
}

/// A histogram step folder: three or more digits (`%03d`), `LAST` or `GLOBAL`.
pub fn valid_step_folder(name: &str) -> bool {
    matches!(name, "LAST" | "GLOBAL")
        || ((3..=9).contains(&name.len()) && name.bytes().all(|c| c.is_ascii_digit()))
}

fn safe_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_tstat_minute_names_only() {
        assert!(valid_folder("2024_01_31_23_59.out"));
        assert!(valid_folder("2024_01_31_23_59-2.out"));
        assert!(!valid_folder("2024_01_31_23_59-1.out"));
        assert!(!valid_folder("2024_01_31_23_59-x/.out"));
        assert!(!valid_folder("2024_01_31_23_59.ou"));
        assert!(!valid_folder("../1_01_31_23_59.out"));
        assert!(!valid_folder("2024-01-31_23_59.out"));
        assert!(!valid_folder("2024_01_31_23_5/.out"));
    }

    #[test]
    fn log_files_cannot_climb_or_hide() {
        assert!(valid_log_file("log_tcp_complete"));
        assert!(valid_log_file("log_tcp_complete.gz"));
        assert!(!valid_log_file("../log_tcp_complete"));
        assert!(!valid_log_file("log_../../etc"));
        assert!(!valid_log_file("log_x/y"));
        assert!(!valid_log_file(".closed"));
        assert!(!valid_log_file("log_tcp_complete.part"));
        assert!(!valid_log_file("log_"));
    }

    #[test]
    fn histogram_files_ship_from_step_folders_only() {
        assert!(valid_output_file("log_udp_complete"));
        assert!(valid_output_file("000/ip_len_in"));
        assert!(valid_output_file("1000/addresses"));
        assert!(valid_output_file("LAST/tcp_rtt_avg_out"));
        assert!(valid_output_file("GLOBAL/g_tcp_bitrate_in"));
        for bad in [
            "00/x",
            "last/x",
            "LAST/../x",
            "LAST/a.b",
            "LAST/",
            "../000/x",
            "000/x/y",
            "x/log_a",
        ] {
            assert!(!valid_output_file(bad), "{bad}");
        }
    }

    #[test]
    fn probe_ids() {
        assert!(valid_probe_id("router-7.lab"));
        assert!(!valid_probe_id(".."));
        assert!(!valid_probe_id("a/b"));
        assert!(!valid_probe_id(""));
        assert!(!valid_probe_id(&"x".repeat(65)));
    }
}
