//! Traces Tstat 3.2.1 refuses or does not unwrap have no reference logs; their flows were
//! counted independently (tshark, and a separate decoder) into tests/data/unwrapped_flows.tsv.
//! Every listed flow must appear with the same packet, byte, SYN and FIN counts, and no other.

use std::collections::BTreeMap;
use std::path::PathBuf;

use tstat::engine::{Engine, EngineConfig};
use tstat::sink::Collect;
use tstat::source::{open_trace, TraceInput};

type Key = (String, String, u16, String, u16);
type Counts = Vec<String>;

fn expected() -> BTreeMap<String, BTreeMap<Key, Counts>> {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/unwrapped_flows.tsv"),
    )
    .unwrap();
    let mut out: BTreeMap<String, BTreeMap<Key, Counts>> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let key = (
            f[1].to_string(),
            f[2].to_string(),
            f[3].parse().unwrap(),
            f[4].to_string(),
            f[5].parse().unwrap(),
        );
        out.entry(f[0].to_string())
            .or_default()
            .insert(key, f[6..].iter().map(|s| s.to_string()).collect());
    }
    out
}

fn measured(trace: &std::path::Path) -> BTreeMap<Key, Counts> {
    let mut src = open_trace(&TraceInput::File(trace.to_path_buf())).unwrap();
    // The expected counts were made without Tstat's duplicate filter and without timeouts
    // (erspan.pcap has a DNS answer 11 s after its query, past UDP_Singleton_Time), so both
    // are off here: this test is about decoding.
    let mut cfg = EngineConfig::default();
    cfg.globals.min_delta_t_tcp_dup_pkt = 0.0;
    cfg.globals.min_delta_t_udp_dup_pkt = 0.0;
    cfg.globals.udp_singleton_time = 1e6;
    cfg.globals.tcp_singleton_time = 1e6;
    let mut engine = Engine::new(cfg);
    let mut sink = Collect::default();
    while let Ok(Some(f)) = src.next_frame() {
        engine.frame(f.ts, f.link_type, f.data, &mut sink);
    }
    engine.finish(&mut sink);
    let mut out = BTreeMap::new();
    for (t, _) in &sink.tcp {
        let key = (
            "TCP".into(),
            t.client.addr.to_string(),
            t.client.port,
            t.server.addr.to_string(),
            t.server.port,
        );
        let v = [
            t.c2s.pkts_all,
            t.s2c.pkts_all,
            t.c2s.bytes_all,
            t.s2c.bytes_all,
            t.c2s.syn,
            t.s2c.syn,
            t.c2s.fin,
            t.s2c.fin,
        ];
        out.insert(key, v.iter().map(u64::to_string).collect());
    }
    for u in &sink.udp {
        let key = (
            "UDP".into(),
            u.client.addr.to_string(),
            u.client.port,
            u.server.addr.to_string(),
            u.server.port,
        );
        let mut v: Vec<String> = [u.c2s.packets, u.s2c.packets, u.c2s.bytes, u.s2c.bytes]
            .iter()
            .map(u64::to_string)
            .collect();
        v.extend(["-", "-", "-", "-"].map(String::from));
        out.insert(key, v);
    }
    out
}

#[test]
fn flows_inside_encapsulations_tstat_skips() {
    let Some(reference) = std::env::var_os("TSTAT_REFERENCE") else {
        println!("unwrapped: TSTAT_REFERENCE is not set, the traces were not read");
        return;
    };
    let traces = PathBuf::from(reference).join("traces");
    let mut expected = expected();
    // Traces whose only frames are ICMP or ARP: no flow at all.
    for empty in ["zeek/linux_dlt_sll2.pcap", "tcpdump/802.1ad_QinQ.pcap"] {
        expected.insert(empty.to_string(), BTreeMap::new());
    }
    assert!(expected.len() >= 10);
    let mut failures = Vec::new();
    for (trace, flows) in &expected {
        let got = measured(&traces.join(trace));
        if &got != flows {
            failures.push(format!(
                "{trace}:\n  expected {flows:?}\n  measured {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
