//! The controlled experiment of issue 3: real Linux TCP between two network namespaces,
//! delay and loss imposed by a userspace forwarder between two TAP devices
//! (tests/netns/experiment.py), captured with tcpdump on the sender's side, then read by
//! tstat. Asserts:
//!
//! * c_pkts_retx (client = sender in nsA) equals the frames the forwarder dropped, within
//!   ±3 % over all connections. The forwarder drops only segments carrying new data (never
//!   SYN/FIN/RST, pure ACKs or retransmissions), so each drop costs exactly one
//!   retransmission and the two counts are equal unless Linux retransmits spuriously or the
//!   analyzer miscounts; the harness's own reading of the capture is printed beside tstat's.
//! * the min RTT is within 10 % of the imposed RTT: independently (SYN→SYN/ACK and
//!   data→ACK times in the capture, which also validates the forwarder) and from tstat's
//!   c_rtt_min column (End-to-End set).
//!
//! Needs root, `ip netns`, /dev/net/tun, python3 and tcpdump. Without them the test prints
//! one line and passes, unless TSTAT_REQUIRE_NETNS=1 (set by .ci/run), which makes it fail.

use std::collections::HashMap;

mod common;
use common::{env_is, read_log};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why the experiment cannot run here, if it cannot.
fn missing_prerequisite() -> Option<String> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not running as root".into());
    }
    if !Path::new("/dev/net/tun").exists() {
        return Some("/dev/net/tun is missing".into());
    }
    let works = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !works("ip", &["netns", "list"]) {
        return Some("`ip netns` is unavailable".into());
    }
    if !works("python3", &["-c", "pass"]) {
        return Some("python3 is missing".into());
    }
    if !works("tcpdump", &["--version"]) {
        return Some("tcpdump is missing".into());
    }
    None
}

/// result.txt: `key value` lines, and `conn <port> key value key value …` lines.
struct Results {
    scalars: HashMap<String, String>,
    conns: HashMap<String, HashMap<String, f64>>,
}

fn read_results(path: &Path) -> Results {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = Results {
        scalars: HashMap::new(),
        conns: HashMap::new(),
    };
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["conn", port, rest @ ..] => {
                let fields = rest
                    .chunks(2)
                    .map(|kv| (kv[0].to_string(), kv[1].parse().unwrap()))
                    .collect();
                r.conns.insert(port.to_string(), fields);
            }
            [k, v] => {
                r.scalars.insert(k.to_string(), v.to_string());
            }
            _ => panic!("{}: bad line {line:?}", path.display()),
        }
    }
    r
}

fn within(measured: f64, expected: f64, fraction: f64) -> bool {
    (measured - expected).abs() <= expected * fraction
}

#[test]
fn netns_experiment_retransmissions_and_rtt() {
    if let Some(why) = missing_prerequisite() {
        if env_is("TSTAT_REQUIRE_NETNS") {
            panic!("TSTAT_REQUIRE_NETNS=1 but the netns experiment cannot run: {why}");
        }
        println!(
            "netns experiment did not run: {why} (set TSTAT_REQUIRE_NETNS=1 to make this fail)"
        );
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let work =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("netns-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let out = Command::new("python3")
        .arg(root.join("tests/netns/experiment.py"))
        .arg(&work)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "experiment harness failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let res = read_results(&work.join("result.txt"));
    let scalar = |k: &str| res.scalars[k].clone();
    let imposed: f64 = scalar("imposed_rtt_ms").parse().unwrap();
    let client_ip = scalar("client_ip");

    let outdir = work.join("tstat");
    let run = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .env("TZ", "UTC")
        .arg("-N")
        .arg(work.join("net.internal"))
        .arg("-s")
        .arg(&outdir)
        .arg(work.join("capture.pcap"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "tstat failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let logdir = std::fs::read_dir(&outdir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "out"))
        .expect("an .out folder");
    let rows = read_log(&logdir.join("log_tcp_complete"));
    let names: Vec<String> = rows
        .first()
        .map(|r| r.keys().cloned().collect())
        .unwrap_or_default();
    let has_rtt = names.iter().any(|n| n == "c_rtt_min");

    let mut failures = Vec::new();
    let mut report = format!(
        "imposed RTT {imposed} ms, loss {}, {} frames captured, transfer {} s\n\
         client port  dropped  retx(capture)  c_pkts_retx  c_bytes_retx  synack_rtt  data_ack_rtt  c_rtt_min\n",
        scalar("loss"),
        scalar("frames_captured"),
        scalar("transfer_s"),
    );
    let (mut dropped, mut retx_capture, mut retx_tstat) = (0u64, 0u64, 0u64);
    let (mut min_synack, mut min_data_ack, mut min_tstat) = (f64::MAX, f64::MAX, f64::MAX);
    let mut ports: Vec<&String> = res.conns.keys().collect();
    ports.sort();
    for port in ports {
        let c = &res.conns[port];
        let Some(row) = rows
            .iter()
            .find(|r| r["c_ip"] == client_ip && &r["c_port"] == port)
        else {
            failures.push(format!("no log_tcp_complete row for client port {port}"));
            continue;
        };
        let tstat_retx: u64 = row["c_pkts_retx"].parse().unwrap();
        dropped += c["dropped"] as u64;
        retx_capture += c["retx_in_capture"] as u64;
        retx_tstat += tstat_retx;
        min_synack = min_synack.min(c["synack_rtt_ms"]);
        min_data_ack = min_data_ack.min(c["data_ack_rtt_ms"]);
        let rtt_col = row.get("c_rtt_min").map(|v| v.parse::<f64>().unwrap());
        if let Some(v) = rtt_col {
            min_tstat = min_tstat.min(v);
        }
        report += &format!(
            "{port:>11}  {:>7}  {:>13}  {tstat_retx:>11}  {:>12}  {:>10.3}  {:>12.3}  {}\n",
            c["dropped"],
            c["retx_in_capture"],
            row["c_bytes_retx"],
            c["synack_rtt_ms"],
            c["data_ack_rtt_ms"],
            rtt_col.map_or("absent".into(), |v| format!("{v:.3}")),
        );
        if c["spurious"] > 0.0 || c["unrepaired"] > 0.0 {
            report += &format!(
                "             ({} retransmissions of undropped segments, {} drops never retransmitted)\n",
                c["spurious"], c["unrepaired"]
            );
        }
    }
    report += &format!(
        "total: dropped {dropped}, retransmitted in the capture {retx_capture}, c_pkts_retx {retx_tstat}\n\
         min RTT: SYN->SYN/ACK {min_synack:.3} ms, data->ACK {min_data_ack:.3} ms, c_rtt_min {}\n",
        if has_rtt {
            format!("{min_tstat:.3} ms")
        } else {
            "absent".into()
        }
    );
    println!("{report}");

    if rows.len() != res.conns.len() {
        failures.push(format!(
            "{} log_tcp_complete rows for {} connections",
            rows.len(),
            res.conns.len()
        ));
    }
    // Enough drops for ±3 % to mean something, and a sane harness.
    if dropped < 50 {
        failures.push(format!(
            "only {dropped} frames dropped; the experiment is too small"
        ));
    }
    if scalar("tap_tx_dropped") != "0" {
        failures.push(format!(
            "the tap dropped {} frames after tcpdump saw them: not counted as drops",
            scalar("tap_tx_dropped")
        ));
    }
    if retx_tstat.abs_diff(dropped) * 100 > 3 * dropped {
        failures.push(format!(
            "c_pkts_retx total {retx_tstat} is not within 3 % of the {dropped} frames dropped \
             (the capture itself shows {retx_capture} retransmissions)"
        ));
    }
    for (what, v) in [
        ("SYN->SYN/ACK min (capture)", min_synack),
        ("data->ACK min (capture)", min_data_ack),
    ] {
        if !within(v, imposed, 0.10) {
            failures.push(format!(
                "{what} {v:.3} ms is not within 10 % of {imposed} ms"
            ));
        }
    }
    if has_rtt {
        if !within(min_tstat, imposed, 0.10) {
            failures.push(format!(
                "c_rtt_min {min_tstat:.3} ms is not within 10 % of {imposed} ms"
            ));
        }
    } else {
        failures.push("log_tcp_complete has no c_rtt_min column: tstat's RTT is unchecked".into());
    }
    assert!(
        failures.is_empty(),
        "netns experiment (files in {}; figures above):\n{}",
        work.display(),
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&work);
}
