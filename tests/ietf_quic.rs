//! Our one deliberate change to log_udp_complete (docs/differences.md): quic_SNI for IETF
//! QUIC flows, read from the client's decrypted Initial packets. Tstat 3.2.1 prints `-` there.
//!
//! The expected names are Wireshark's decoding of the same traces (tests/data/ietf-quic-sni.tsv,
//! with the tshark command in its header), so this checks the decryption and the ClientHello
//! reader against an independent implementation. It needs the reference corpus
//! (`TSTAT_REFERENCE`) and the `dpi` feature.

mod common;

use common::{out_folder, read_log};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// trace -> {(client port, server name)} from the expectation file.
fn wireshark_names() -> BTreeMap<String, BTreeSet<(String, String)>> {
    let text = include_str!("data/ietf-quic-sni.tsv");
    let mut names: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad expectation line: {line}");
        names
            .entry(f[0].to_string())
            .or_default()
            .insert((f[1].to_string(), f[2].to_string()));
    }
    names
}

fn run(reference: &Path, trace: &str, out: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(out);
    let status = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .current_dir(reference)
        .env("TZ", "UTC")
        .args(["-N", "conf/net.all", "-T", "conf/runtime.conf", "-s"])
        .arg(out)
        .arg(format!("traces/{trace}"))
        .output()
        .unwrap();
    assert!(status.status.success(), "tstat failed on {trace}");
    out_folder(out).expect("an output folder")
}

/// (client port, quic_SNI) of every row naming a server.
fn named_rows(log: &Path) -> BTreeSet<(String, String)> {
    read_log(log)
        .into_iter()
        .filter(|r| r["quic_SNI"] != "-")
        .map(|r| (r["c_port"].clone(), r["quic_SNI"].clone()))
        .collect()
}

#[test]
fn ietf_quic_server_names_match_wireshark() {
    let Some(reference) = std::env::var_os("TSTAT_REFERENCE").map(PathBuf::from) else {
        return; // conformance.rs says in one line that the corpus tests did not run
    };
    if !cfg!(feature = "dpi") {
        return;
    }
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ietf-quic");
    let expected = wireshark_names();
    assert!(expected.len() >= 6, "expectations for six traces");
    for (trace, names) in &expected {
        let ours = run(&reference, trace, &work.join(trace.replace('/', "__")));
        assert_eq!(
            &named_rows(&ours.join("log_udp_complete")),
            names,
            "{trace}: quic_SNI differs from Wireshark's server names"
        );
        let theirs = out_folder(
            &reference
                .join("tstat-3.2.1")
                .join(trace)
                .join("netall/tstat_out"),
        )
        .expect("reference output");
        assert!(
            named_rows(&theirs.join("log_udp_complete")).is_empty(),
            "{trace}: Tstat 3.2.1 names these flows too, so this is no longer a difference"
        );
    }
}
