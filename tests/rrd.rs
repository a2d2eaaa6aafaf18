//! The RRD engine and its exports (issue 16), without the reference corpus: Debian's rrdtool
//! reads, fetches, graphs and updates our files (and the rrdtool of the other layouts reads
//! theirs, under qemu), `hit` counts the samples the step files show, rrd.conf errors name
//! their line, `rrd_engine = 0` keeps the engine off, `--prom-file` passes promtool and
//! node_exporter, `--graphite` lands in a real carbon-cache.
//!
//! The external tools are Debian packages `.ci/run` installs (rrdtool, qemu-user-static,
//! prometheus, prometheus-node-exporter, graphite-carbon); a test whose tool is missing says
//! so and passes, unless `TSTAT_REQUIRE_TOOLS=1` (CI), where it fails.
#![cfg(all(feature = "graphite", feature = "dpi"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use tstat::series::rrd::layout::Layout;
use tstat::series::rrd::RrdDir;
use tstat::series::{conf, series_of, Series, Sink, Update};

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn tool_missing(what: &str) -> bool {
    assert!(
        !common::env_is("TSTAT_REQUIRE_TOOLS"),
        "TSTAT_REQUIRE_TOOLS=1 but {what} is missing"
    );
    println!("skipped: {what} is missing");
    true
}

fn rrdtool_works() -> bool {
    Command::new("rrdtool")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
        || tool_missing("rrdtool (Debian package rrdtool)")
}

/// The layout of the rrdtool on PATH: this machine's, or under qemu (`.ci/cross`) the x86_64
/// host's, whose rrdtool the emulated tests run.
fn host_layout() -> Layout {
    if common::env_is("TSTAT_EMULATED") {
        Layout::LP64_LE
    } else {
        Layout::native()
    }
}

fn run_ok(cmd: &mut Command) -> String {
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Updates every ~5 min with a 20-minute gap (beyond the heartbeat) and a NaN.
const UPDATES: [(u64, f64); 9] = [
    (1413055309, 14.0),
    (1413055643, 3.0),
    (1413055985, 96.0),
    (1413056207, 107.0),
    (1413056530, f64::NAN),
    (1413056800, 2.5),
    (1413058100, 7.0),
    (1413058420, 0.125),
    (1413058700, 1e6),
];

fn one_series() -> Arc<[Series]> {
    series_of(&conf::parse("ip_len_loc avg\n", "r", false).unwrap()).into()
}

/// Our file after `UPDATES`, in `dir`, with `layout`.
fn our_file(dir: &Path, layout: Layout) -> PathBuf {
    let series = one_series();
    let mut rrd = RrdDir::new(dir, 300, 600, layout, Arc::clone(&series));
    for (t, v) in UPDATES {
        rrd.flush(
            t,
            &[Update {
                series: 0,
                value: v,
            }],
        );
    }
    assert_eq!(rrd.finish(), None, "nothing lost");
    dir.join("ip_len_loc.avg.rrd")
}

/// rrdtool's own file after the same updates, as Tstat's create and update commands make it.
fn rrdtools_file(rrdtool: &[String], dir: &Path) -> PathBuf {
    let f = dir.join("twin.rrd");
    let (prog, pre) = rrdtool.split_first().unwrap();
    let start = (UPDATES[0].0 - 10).to_string();
    run_ok(Command::new(prog).args(pre).args(["create"]).arg(&f).args([
        "--step",
        "300",
        "--start",
        &start,
        "DS:ip_len_loc:GAUGE:600:U:U",
        "RRA:AVERAGE:0.5:1:600",
        "RRA:AVERAGE:0.5:6:700",
        "RRA:AVERAGE:0.5:24:775",
        "RRA:AVERAGE:0.5:288:797",
    ]));
    for (t, v) in UPDATES {
        let text = tstat::series::text_of(v);
        run_ok(
            Command::new(prog)
                .args(pre)
                .arg("update")
                .arg(&f)
                .arg(format!("{t}:{text}")),
        );
    }
    f
}

/// `rrdtool dump` without the lines that differ between two files holding the same data.
fn dump(rrdtool: &[String], f: &Path) -> String {
    let (prog, pre) = rrdtool.split_first().unwrap();
    run_ok(Command::new(prog).args(pre).arg("dump").arg(f))
}

#[test]
fn rrdtool_reads_fetches_graphs_and_updates_our_files() {
    if !rrdtool_works() {
        return;
    }
    let dir = tmp("rrd_native");
    let ours = our_file(&dir, host_layout());
    let native = vec!["rrdtool".to_string()];
    let twin = rrdtools_file(&native, &dir);
    assert_eq!(
        dump(&native, &ours),
        dump(&native, &twin),
        "same dump as rrdtool's own file"
    );
    let info = run_ok(Command::new("rrdtool").arg("info").arg(&ours));
    for want in [
        "step = 300",
        "last_update = 1413058700",
        "ds[ip_len_loc].type = \"GAUGE\"",
        "ds[ip_len_loc].minimal_heartbeat = 600",
        "ds[ip_len_loc].last_ds = \"1000000.000000\"",
        "rra[3].pdp_per_row = 288",
        "rra[1].rows = 700",
        "rra[0].xff = 5.0000000000e-01",
    ] {
        assert!(info.contains(want), "rrdtool info lacks {want}:\n{info}");
    }
    // fetch: the 19:25 row is (140 + 3·191)/201, §5.5 A.
    let fetch = run_ok(Command::new("rrdtool").arg("fetch").arg(&ours).args([
        "AVERAGE",
        "--start",
        "1413055200",
        "--end",
        "1413055500",
    ]));
    assert!(fetch.contains("1413055500: 3.5472636816e+00"), "{fetch}");
    let png = dir.join("g.png");
    run_ok(Command::new("rrdtool").arg("graph").arg(&png).args([
        "--start",
        "1413055000",
        "--end",
        "1413059000",
        &format!("DEF:v={}:ip_len_loc:AVERAGE", ours.display()),
        "LINE1:v#ff0000:ip_len_loc",
    ]));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    // rrdtool update works on our file, as on its own.
    for f in [&ours, &twin] {
        run_ok(
            Command::new("rrdtool")
                .arg("update")
                .arg(f)
                .arg("1413059000:42"),
        );
    }
    assert_eq!(
        dump(&native, &ours),
        dump(&native, &twin),
        "after rrdtool's update"
    );
}

/// Debian's rrdtool of another architecture, under qemu (scripts/foreign-rrdtool.sh).
fn foreign_rrdtool(arch: &str, suite: &str) -> Option<Vec<String>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/foreign-rrdtool.sh");
    match Command::new(script).args([arch, suite]).output() {
        Ok(o) if o.status.success() => Some(
            String::from_utf8(o.stdout)
                .unwrap()
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        ),
        other => {
            let why = other.map_or_else(
                |e| e.to_string(),
                |o| String::from_utf8_lossy(&o.stderr).into_owned(),
            );
            tool_missing(&format!("rrdtool for {arch} {suite} ({why})"));
            None
        }
    }
}

/// The layouts of our 32-bit ARM and MIPS targets (ILP32, 64-bit time_t) and big-endian
/// order: each file is read by the rrdtool of a machine with that layout, and its dump is
/// the dump of that rrdtool's own file after the same updates. (No big-endian 32-bit rrdtool
/// is installable; the ILP32 big-endian layout is the little-endian one with each field's
/// bytes reversed, a unit test in src/series/rrd/layout.rs.)
#[test]
fn the_rrdtool_of_each_layout_reads_our_files() {
    let cases = [
        (
            "armhf",
            "trixie",
            Layout {
                big_endian: false,
                ulong: 4,
                time_t: 8,
                nan: 0x7FF8_0000_0000_0000,
            },
        ),
        (
            "s390x",
            "bookworm",
            Layout {
                big_endian: true,
                ulong: 8,
                time_t: 8,
                nan: 0x7FF8_0000_0000_0000,
            },
        ),
    ];
    for (arch, suite, layout) in cases {
        let Some(rrdtool) = foreign_rrdtool(arch, suite) else {
            continue;
        };
        let dir = tmp(&format!("rrd_{arch}"));
        let ours = our_file(&dir, layout);
        let twin = rrdtools_file(&rrdtool, &dir);
        assert_eq!(
            std::fs::metadata(&ours).unwrap().len(),
            std::fs::metadata(&twin).unwrap().len(),
            "{arch}: file size"
        );
        assert_eq!(dump(&rrdtool, &ours), dump(&rrdtool, &twin), "{arch}: dump");
        let (prog, pre) = rrdtool.split_first().unwrap();
        run_ok(
            Command::new(prog)
                .args(pre)
                .arg("update")
                .arg(&ours)
                .arg("1413059000:42"),
        );
        run_ok(
            Command::new(prog)
                .args(pre)
                .arg("update")
                .arg(&twin)
                .arg("1413059000:42"),
        );
        assert_eq!(
            dump(&rrdtool, &ours),
            dump(&rrdtool, &twin),
            "{arch}: after update"
        );
    }
}

/// A pcap of UDP packets between internal hosts (no -N: every address is internal), one
/// every `gap` seconds from flow n % 5, over `secs` seconds.
fn udp_trace(path: &Path, secs: u64, gap: u64) {
    let mut bytes = common::pcap_header();
    let t0 = 1_413_055_000u64 * 1_000_000;
    for (n, t) in (0..secs).step_by(gap as usize).enumerate() {
        bytes.extend(common::udp_record(n as u32 % 5, t0 + t * 1_000_000 + 1234));
    }
    std::fs::write(path, bytes).unwrap();
}

fn tstat(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tstat"))
        .current_dir(dir)
        .env("TZ", "UTC")
        .args(args)
        .output()
        .unwrap()
}

/// The folders of `out`'s `.out` folder holding histogram `name`, in order (`000`, ..., `LAST`).
fn step_folders(out: &Path, name: &str) -> Vec<PathBuf> {
    let out = common::out_folder(out).expect("an output folder");
    let mut steps: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join(name).is_file())
        .collect();
    steps.sort();
    steps
}

#[test]
fn hit_counts_the_samples_of_each_step_and_graphite_gets_every_update() {
    let dir = tmp("rrd_hit");
    udp_trace(&dir.join("t.pcap"), 1400, 7);
    std::fs::write(
        dir.join("rrd.conf"),
        "# the samples\nip_len_loc hit avg max\n",
    )
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let receiver = std::thread::spawn(move || {
        let mut text = String::new();
        if let Ok((mut c, _)) = listener.accept() {
            std::io::Read::read_to_string(&mut c, &mut text).unwrap();
        }
        text
    });
    let graphite = format!("127.0.0.1:{port}");
    let o = tstat(
        &dir,
        &[
            "-s",
            "out",
            "-R",
            "rrd.conf",
            "-r",
            "rrd",
            "--graphite",
            &graphite,
            "t.pcap",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines = receiver.join().unwrap();
    let hits: Vec<(u64, i64)> = lines
        .lines()
        .filter(|l| l.contains(".ip_len_loc.hit "))
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f[2].parse().unwrap(), f[1].parse().unwrap())
        })
        .collect();
    // Step folders in order, then LAST: -R switched the histogram on, so its files exist.
    let steps = step_folders(&dir.join("out"), "ip_len_loc");
    assert_eq!(steps.last().unwrap().file_name().unwrap(), "LAST");
    let want: Vec<i64> = steps
        .iter()
        .map(|s| common::histogram_samples(&s.join("ip_len_loc")) as i64)
        .collect();
    assert!(want.len() >= 5, "{steps:?}");
    assert_eq!(
        hits.iter().map(|h| h.1).collect::<Vec<_>>(),
        want,
        "{lines}"
    );
    assert!(hits.iter().map(|h| h.1).sum::<i64>() > 0);
    // The hit file holds the last of them (read by this machine's rrdtool: not under qemu,
    // where tstat writes the emulated target's layout).
    let info = Command::new("rrdtool")
        .arg("info")
        .arg(dir.join("rrd/ip_len_loc.hit.rrd"))
        .output();
    if let (Ok(o), false) = (info, common::env_is("TSTAT_EMULATED")) {
        let text = String::from_utf8_lossy(&o.stdout);
        let last = format!("last_ds = \"{}.000000\"", want.last().unwrap());
        assert!(text.contains(&last), "{text}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.join("rrd"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(files.len(), 3, "hit, avg, max");
}

#[test]
fn rrd_conf_errors_name_the_line_and_both_options_are_needed() {
    let dir = tmp("rrd_errors");
    udp_trace(&dir.join("t.pcap"), 10, 1);
    std::fs::write(
        dir.join("bad.conf"),
        "ip_len_loc avg\n# x\nip_len_loc mean\n",
    )
    .unwrap();
    let o = tstat(
        &dir,
        &["-s", "out", "-R", "bad.conf", "-r", "rrd", "t.pcap"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("bad.conf:3: unknown word 'mean'"), "{err}");
    std::fs::write(dir.join("good.conf"), "ip_len_loc avg\n").unwrap();
    let o = tstat(&dir, &["-s", "out", "-R", "good.conf", "t.pcap"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("-r DIR"));
    assert!(!dir.join("out").exists(), "nothing analysed");
    let o = tstat(
        &dir,
        &[
            "-s",
            "out",
            "-R",
            "good.conf",
            "--graphite-prefix",
            "x",
            "t.pcap",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--graphite-prefix"));
    assert!(!dir.join("out").exists(), "nothing analysed");
}

#[test]
fn rrd_engine_0_in_runtime_conf_keeps_the_engine_off() {
    let dir = tmp("rrd_off");
    udp_trace(&dir.join("t.pcap"), 700, 7);
    std::fs::write(dir.join("r.conf"), "ip_len_loc avg\n").unwrap();
    for (engine, files) in [(0, 0), (1, 1)] {
        let runtime = format!("[log]\nrrd_engine = {engine}\n");
        std::fs::write(dir.join("runtime.conf"), runtime).unwrap();
        let out = format!("out{engine}");
        let args = [
            "-s",
            &out,
            "-T",
            "runtime.conf",
            "-R",
            "r.conf",
            "-r",
            "rrd",
            "t.pcap",
        ];
        let o = tstat(&dir, &args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let made = std::fs::read_dir(dir.join("rrd")).unwrap().count();
        assert_eq!(made, files, "rrd_engine = {engine}");
    }
}

#[test]
fn prom_file_passes_promtool_and_node_exporter() {
    let dir = tmp("rrd_prom");
    udp_trace(&dir.join("t.pcap"), 700, 7);
    std::fs::write(
        dir.join("r.conf"),
        "udp_cl_p_loc avg max hit prc:50,99.9 idx:1,other\nmm_cl_b_in avg\n",
    )
    .unwrap();
    let o = tstat(
        &dir,
        &[
            "-s",
            "out",
            "-R",
            "r.conf",
            "--prom-file",
            "tstat.prom",
            "t.pcap",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(dir.join("tstat.prom")).unwrap();
    assert!(
        text.contains("tstat_histo{histogram=\"udp_cl_p_loc\",stat=\"hit\"} "),
        "{text}"
    );
    assert!(
        text.contains("tstat_histo{histogram=\"udp_cl_p_loc\",stat=\"prc99.900\"} "),
        "{text}"
    );
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/prom-check.sh");
    if Command::new("promtool").arg("--version").output().is_err() {
        tool_missing("promtool (Debian package prometheus)");
        return;
    }
    let o = Command::new(script)
        .arg(dir.join("tstat.prom"))
        .output()
        .unwrap();
    let scraped = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{scraped}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let value_of = |l: &str| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap();
    let hit = value_of(text.lines().find(|l| l.contains("stat=\"hit\"")).unwrap());
    assert!(hit > 0.0);
    assert!(
        scraped
            .lines()
            .any(|l| l.contains("stat=\"hit\"") && value_of(l) == hit),
        "node_exporter serves hit {hit}: {scraped}"
    );
}

#[test]
fn graphite_updates_land_in_carbon_cache() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/carbon-on-loopback.sh");
    if Command::new("carbon-cache").arg("--help").output().is_err() {
        tool_missing("carbon-cache (Debian package graphite-carbon)");
        return;
    }
    let dir = tmp("rrd_carbon");
    let carbon = dir.join("carbon");
    let port = run_ok(Command::new(script).arg("start").arg(&carbon));
    let port = port.trim();
    udp_trace(&dir.join("t.pcap"), 1400, 7);
    std::fs::write(dir.join("r.conf"), "udp_cl_p_loc hit\n").unwrap();
    let o = tstat(
        &dir,
        &[
            "-s",
            "out",
            "-R",
            "r.conf",
            "-r",
            "rrd",
            "--graphite",
            &format!("127.0.0.1:{port}"),
            "--graphite-prefix",
            "tstat.ci",
            "t.pcap",
        ],
    );
    let stored = Command::new(script)
        .arg("fetch")
        .arg(&carbon)
        .args(["tstat.ci.udp_cl_p_loc.hit", "1413055000", "1413057000", "5"])
        .output()
        .unwrap();
    let _ = Command::new(script).arg("stop").arg(&carbon).status();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stored = String::from_utf8(stored.stdout).unwrap();
    let steps = step_folders(&dir.join("out"), "udp_cl_p_loc");
    let want: Vec<f64> = steps
        .iter()
        .map(|s| common::histogram_samples(&s.join("udp_cl_p_loc")) as f64)
        .collect();
    let got: Vec<f64> = stored
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(got, want, "whisper holds every hit update: {stored}");
}

/// UDP datagrams on standard output as a pcap stream, one every 10 ms, the packet clock
/// running ten times faster (100 ms a datagram), until the file argv[1] exists.
const STREAM: &str = r#"
import os, struct, sys, time
stop = sys.argv[1]
out = sys.stdout.buffer
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
START = 1704103200 * 1000000
k = 0
while not os.path.exists(stop):
    n = k % 5
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 48, 0, 0x4000, 64, 17, 0, bytes([10, 1, 0, n + 1]), bytes([10, 2, 0, 1]))
    frame = b"\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01\x08\x00" + ip + struct.pack(">HHHH", 40000 + n, 53, 28, 0) + b"x" * 20
    t = START + k * 100000
    out.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)
    out.flush()
    k += 1
    time.sleep(0.01)
"#;

#[test]
fn a_runtime_conf_reload_switches_the_rrd_engine_off_and_on() {
    if !common::python_works() {
        tool_missing("python3");
        return;
    }
    let dir = tmp("rrd_reload");
    std::fs::write(dir.join("stream.py"), STREAM).unwrap();
    std::fs::write(dir.join("r.conf"), "ip_len_loc hit\n").unwrap();
    let runtime = dir.join("runtime.conf");
    std::fs::write(&runtime, "[log]\nrrd_engine = 1\n").unwrap();
    std::fs::write(
        dir.join("globals.conf"),
        "[globals]\nRuntime_Config_Idle = 0.1\nRuntime_Mtime_Counter = 2\nMax_Time_Step = 2\n",
    )
    .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let epochs = Arc::new(std::sync::Mutex::new(Vec::<u64>::new()));
    let heard = Arc::clone(&epochs);
    let receiver = std::thread::spawn(move || {
        use std::io::BufRead;
        if let Ok((c, _)) = listener.accept() {
            for line in std::io::BufReader::new(c).lines().map_while(Result::ok) {
                let epoch = line.rsplit(' ').next().unwrap().parse().unwrap();
                heard.lock().unwrap().push(epoch);
            }
        }
    });
    let stop = dir.join("stop");
    let mut stream = Command::new("python3")
        .arg(dir.join("stream.py"))
        .arg(&stop)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let graphite = format!("127.0.0.1:{port}");
    let mut tstat = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .current_dir(&dir)
        .env("TZ", "UTC")
        .args(["-G", "globals.conf", "-T", "runtime.conf", "-R", "r.conf"])
        .args(["--graphite", &graphite, "-s", "out", "stdin"])
        .stdin(stream.stdout.take().unwrap())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("tstat.err")).unwrap())
        .spawn()
        .unwrap();
    let count = || epochs.lock().unwrap().len();
    let folders = || {
        std::fs::read_dir(dir.join("out"))
            .map(|d| d.flatten().filter(|e| e.path().is_dir()).count())
            .unwrap_or(0)
    };
    let wait = |what: &str, ready: &dyn Fn() -> bool| {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !ready() {
            assert!(
                std::time::Instant::now() < until,
                "timed out waiting for {what}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    };
    wait("three updates", &|| count() >= 3);
    std::fs::write(&runtime, "[log]\nrrd_engine = 0\n").unwrap();
    wait("the reload (a second folder)", &|| folders() >= 2);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let off_from = count();
    // 1.5 s of wall clock is 15 s of packet time: seven steps without an update.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let off_until = count();
    std::fs::write(&runtime, "[log]\nrrd_engine = 1\n").unwrap();
    wait("the second reload", &|| folders() >= 3);
    wait("updates again", &|| count() >= off_until + 3);
    std::fs::write(&stop, "").unwrap();
    let _ = stream.wait();
    let st = tstat.wait().unwrap();
    receiver.join().unwrap();
    assert!(
        st.success(),
        "{}",
        std::fs::read_to_string(dir.join("tstat.err")).unwrap()
    );
    assert_eq!(off_from, off_until, "no update while rrd_engine = 0");
    let e = epochs.lock().unwrap().clone();
    // Steps of 2 s: consecutive updates are about 2 s apart, except across the off period.
    let gap = e
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .max()
        .unwrap();
    assert!(
        gap >= 10,
        "the off period shows as a gap of packet time: {e:?}"
    );
}
