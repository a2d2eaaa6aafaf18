//! Output folders: `DIR/YYYY_MM_DD_HH_MM.out`, named from the first packet's time in local
//! time, as Tstat names them.

use std::io;
use std::path::{Path, PathBuf};

use crate::time::Timestamp;

/// Broken-down local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 = Sunday.
    pub weekday: u32,
}

/// Read the TZ variable again; call after changing it.
pub fn init_timezone() {
    extern "C" {
        fn tzset();
    }
    // SAFETY: tzset only reads the environment and updates the C library's zone data.
    unsafe { tzset() }
}

/// `ts` in the process's time zone (TZ), through the C library.
pub fn local_time(ts: Timestamp) -> LocalTime {
    let t: libc::time_t = ts.secs() as libc::time_t;
    // SAFETY: localtime_r only writes into the struct we pass; a zeroed tm is a valid value.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = unsafe { !libc::localtime_r(&t, &mut tm).is_null() };
    if !ok {
        return LocalTime {
            year: 1970,
            month: 1,
            day: 1,
            hour: 0,
            minute: 0,
            second: 0,
            weekday: 4,
        };
    }
    LocalTime {
        year: tm.tm_year + 1900,
        month: (tm.tm_mon + 1) as u32,
        day: tm.tm_mday as u32,
        hour: tm.tm_hour as u32,
        minute: tm.tm_min as u32,
        second: tm.tm_sec as u32,
        weekday: tm.tm_wday as u32,
    }
}

/// `YYYY_MM_DD_HH_MM.out`.
pub fn folder_name(ts: Timestamp) -> String {
    let t = local_time(ts);
    format!(
        "{:04}_{:02}_{:02}_{:02}_{:02}.out",
        t.year, t.month, t.day, t.hour, t.minute
    )
}

/// The name of a folder tstat creates: `YYYY_MM_DD_HH_MM.out`, or `YYYY_MM_DD_HH_MM-N.out`
/// (N from 2) for a further folder of the same minute ([`create_fresh`]). Ordered as tstat
/// created them: by minute, then by N.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FolderName<'a> {
    /// `YYYY_MM_DD_HH_MM`.
    pub minute: &'a str,
    /// 1 for the plain name, N for `-N`.
    pub seq: u32,
}

impl<'a> FolderName<'a> {
    /// Read a folder name; `None` for anything tstat does not create.
    pub fn parse(name: &'a str) -> Option<FolderName<'a>> {
        let stem = name.strip_suffix(".out")?;
        let minute = stem.get(..16)?;
        let minute_ok = minute.bytes().enumerate().all(|(i, c)| match i {
            4 | 7 | 10 | 13 => c == b'_',
            _ => c.is_ascii_digit(),
        });
        if !minute_ok {
            return None;
        }
        let seq = match &stem[16..] {
            "" => 1,
            rest => {
                let digits = rest.strip_prefix('-')?;
                // Only the names create_fresh writes: no sign, no leading zero, from 2.
                if digits.is_empty()
                    || digits.starts_with('0')
                    || !digits.bytes().all(|c| c.is_ascii_digit())
                {
                    return None;
                }
                digits.parse::<u32>().ok().filter(|&n| n >= 2)?
            }
        };
        Some(FolderName { minute, seq })
    }
}

/// ctime-style text without the newline: `Thu Feb  6 08:35:46 2020`.
pub fn ctime(ts: Timestamp) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let t = local_time(ts);
    format!(
        "{} {} {:>2} {:02}:{:02}:{:02} {}",
        DAYS[t.weekday as usize % 7],
        MONTHS[(t.month as usize + 11) % 12],
        t.day,
        t.hour,
        t.minute,
        t.second,
        t.year
    )
}

/// The base folder for a run: `-s DIR` when given, else `<trace>.out` (or `stdin.out`).
pub fn base_dir(explicit: Option<&Path>, trace_name: &str) -> PathBuf {
    match explicit {
        Some(d) => d.to_path_buf(),
        None => PathBuf::from(format!("{trace_name}.out")),
    }
}

/// Create `base/YYYY_MM_DD_HH_MM.out`, replacing a previous run's folder of the same name as
/// Tstat does.
pub fn create(base: &Path, first_packet: Timestamp) -> io::Result<PathBuf> {
    std::fs::create_dir_all(base)?;
    let dir = base.join(folder_name(first_packet));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir(&dir)?;
    Ok(dir)
}

/// Create a folder for `ts` under `base` without touching any existing folder: when
/// `YYYY_MM_DD_HH_MM.out` exists (an earlier folder of the same minute, which may hold logs
/// not shipped yet), the new one is `YYYY_MM_DD_HH_MM-2.out`, `-3`, ... Used when a run
/// opens a second folder (rotation, reload, SIGHUP) and for live and stdin input.
pub fn create_fresh(base: &Path, ts: Timestamp) -> io::Result<PathBuf> {
    std::fs::create_dir_all(base)?;
    let name = folder_name(ts);
    let stem = name.trim_end_matches(".out");
    for n in 1..=u32::MAX {
        let dir = if n == 1 {
            base.join(&name)
        } else {
            base.join(format!("{stem}-{n}.out"))
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free folder name left"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_read_back_in_creation_order() {
        let parse = |n| FolderName::parse(n).map(|f| (f.minute, f.seq));
        assert_eq!(parse("2024_01_31_23_59.out"), Some(("2024_01_31_23_59", 1)));
        assert_eq!(
            parse("2024_01_31_23_59-2.out"),
            Some(("2024_01_31_23_59", 2))
        );
        assert_eq!(
            parse("2024_01_31_23_59-17.out"),
            Some(("2024_01_31_23_59", 17))
        );
        for bad in [
            "2024_01_31_23_59.ou",
            "2024_01_31_23_59-1.out",
            "2024_01_31_23_59-02.out",
            "2024_01_31_23_59-.out",
            "2024_01_31_23_59--2.out",
            "2024_01_31_23_59-2x.out",
            "2024_01_31_23_59-99999999999.out",
            "../1_01_31_23_59.out",
            "2024-01-31_23_59.out",
            "backup.out",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        // Plain byte order puts "-2.out" before ".out" and "-10" before "-2".
        let mut names = vec![
            "2024_01_01_00_01.out",
            "2024_01_01_00_00-10.out",
            "2024_01_01_00_00-2.out",
            "2024_01_01_00_00.out",
        ];
        names.sort_by_key(|n| FolderName::parse(n));
        assert_eq!(
            names,
            [
                "2024_01_01_00_00.out",
                "2024_01_01_00_00-2.out",
                "2024_01_01_00_00-10.out",
                "2024_01_01_00_01.out"
            ]
        );
    }

    #[test]
    fn names_follow_tstat_in_utc() {
        std::env::set_var("TZ", "UTC");
        init_timezone();
        // 2020-02-06 08:35:46 UTC
        let ts = Timestamp::from_secs_micros(1_580_978_146, 717_893);
        assert_eq!(folder_name(ts), "2020_02_06_08_35.out");
        assert_eq!(ctime(ts), "Thu Feb  6 08:35:46 2020");
    }

    #[test]
    fn fresh_folders_never_replace_an_existing_one() {
        std::env::set_var("TZ", "UTC");
        init_timezone();
        let base = std::env::temp_dir().join(format!("tstat-outdir-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let ts = Timestamp::from_secs_micros(1_580_978_146, 0);
        let first = create_fresh(&base, ts).unwrap();
        std::fs::write(first.join("log_tcp_complete"), b"kept").unwrap();
        let second = create_fresh(&base, ts).unwrap();
        let third = create_fresh(&base, ts).unwrap();
        assert_eq!(first.file_name().unwrap(), "2020_02_06_08_35.out");
        assert_eq!(second.file_name().unwrap(), "2020_02_06_08_35-2.out");
        assert_eq!(third.file_name().unwrap(), "2020_02_06_08_35-3.out");
        assert_eq!(
            std::fs::read(first.join("log_tcp_complete")).unwrap(),
            b"kept"
        );
        let _ = std::fs::remove_dir_all(&base);
    }
}
