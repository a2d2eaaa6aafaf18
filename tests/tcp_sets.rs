//! The TCP column sets of log_tcp_complete on the project's loopback trace: values worked out
//! by hand from the packets (listed below, from `tshark -r tests/data/sample.pcap`), and the
//! header and rows when runtime.conf turns sets on and off.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

/// Run the binary on the sample trace with a runtime.conf holding `options`; returns the
/// header line and the rows (as column lists) of log_tcp_complete and log_tcp_nocomplete.
fn run(label: &str, options: &str) -> (String, Vec<Vec<String>>, String) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("tcp_sets_{label}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("runtime.conf");
    std::fs::write(&conf, format!("[options]\n{options}")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_tstat"))
        .env("TZ", "UTC")
        .arg("-T")
        .arg(&conf)
        .arg("-s")
        .arg(dir.join("out"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample.pcap"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let logs = dir.join("out/2026_11_26_23_16.out");
    let read = |log: &str| std::fs::read_to_string(logs.join(log)).unwrap();
    let complete = read("log_tcp_complete");
    let mut lines = complete.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .map(|l| l.split(' ').map(str::to_string).collect())
        .collect();
    let nocomplete_header = read("log_tcp_nocomplete")
        .lines()
        .next()
        .unwrap()
        .to_string();
    (header, rows, nocomplete_header)
}

fn names(header: &str) -> Vec<String> {
    let body = header.trim_start_matches('#');
    let body = body.split_once('#').unwrap().1;
    body.split(' ')
        .enumerate()
        .map(|(i, c)| {
            let (name, index) = c.rsplit_once(':').unwrap();
            assert_eq!(
                index,
                (i + 1).to_string(),
                "columns numbered from 1 in order"
            );
            name.to_string()
        })
        .collect()
}

fn by_name(header: &str, row: &[String]) -> HashMap<String, String> {
    names(header).into_iter().zip(row.iter().cloned()).collect()
}

const ALL: &str = "tcplog_end_to_end = 1\ntcplog_layer7 = 1\ntcplog_p2p = 1\ntcplog_options = 1\ntcplog_advanced = 1\n";

fn level(e2e: u8, l7: u8, p2p: u8, opts: u8, adv: u8) -> String {
    format!(
        "tcplog_end_to_end = {e2e}\ntcplog_layer7 = {l7}\ntcplog_p2p = {p2p}\ntcplog_options = {opts}\ntcplog_advanced = {adv}\n"
    )
}

/// The connection from client port 50972 (an HTTP GET over loopback):
///
/// ```text
/// time (s)           from   flags  seq         ack         len win   wscale mss   ttl
/// 1795735009.739267  50972  S      3258748128  0           0   65495 10     65495 64
/// 1795735009.739287  55117  SA     271747273   3258748129  0   65483 10     65495 64
/// 1795735009.739299  50972  A      3258748129  271747274   0   64                 64
/// 1795735009.739356  50972  AP     3258748129  271747274   88  64                 64
/// 1795735009.739360  55117  A      271747274   3258748217  0   64                 64
/// 1795735009.743680  55117  AP     271747274   3258748217  186 64                 64
/// 1795735009.743689  50972  A      3258748217  271747460   0   64                 64
/// 1795735009.743870  55117  AP     271747460   3258748217  35  64                 64
/// 1795735009.743872  50972  A      3258748217  271747495   0   64                 64
/// 1795735009.744017  55117  AF     271747495   3258748217  0   64                 64
/// 1795735009.744067  50972  AF     3258748217  271747496   0   64                 64
/// 1795735009.744073  55117  A      271747496   3258748218  0   64                 64
/// ```
/// Both SYNs carry SACK-permitted and timestamps.
#[test]
fn values_of_an_http_connection_worked_out_from_its_packets() {
    let (header, rows, _) = run("values", ALL);
    let row = rows
        .iter()
        .map(|r| by_name(&header, r))
        .find(|r| r["c_port"] == "50972")
        .expect("a row for client port 50972");
    let expect = [
        // Client segments and the server packets acknowledging them: SYN 20 µs, the 88-byte
        // request 4 µs, FIN 6 µs. Mean 30/3.0001 µs (Tstat's divisor), sample deviation of
        // (20, 4, 6) = sqrt(76) = 8.718 µs.
        ("c_rtt_avg", "0.010000"),
        ("c_rtt_min", "0.004000"),
        ("c_rtt_max", "0.020000"),
        ("c_rtt_std", "0.008718"),
        ("c_rtt_cnt", "3"),
        // Server: SYN/ACK 12 µs, 186 bytes 9 µs, 35 bytes 2 µs, FIN 50 µs: 73/4.0001 µs.
        ("s_rtt_avg", "0.018250"),
        ("s_rtt_min", "0.002000"),
        ("s_rtt_max", "0.050000"),
        ("s_rtt_cnt", "4"),
        ("c_ttl_min", "64"),
        ("c_ttl_max", "64"),
        ("s_ttl_max", "64"),
        ("c_f1323_opt", "1"),
        ("c_tm_opt", "1"),
        ("c_win_scl", "10"),
        ("c_sack_opt", "1"),
        ("c_sack_cnt", "0"),
        // MSS 65495 printed as a signed 16-bit number, as Tstat does.
        ("c_mss", "-41"),
        ("c_mss_max", "88"),
        ("c_mss_min", "88"),
        // The SYN's window is not scaled; later ones are 64 << 10.
        ("c_win_max", "65536"),
        ("c_win_min", "65495"),
        ("c_win_0", "0"),
        ("s_win_max", "65536"),
        ("s_win_min", "65483"),
        // In flight: the request is 88 bytes past the server's last ACK; the server's 186 and
        // 35 bytes are each just past the client's last ACK.
        ("c_cwin_max", "88"),
        ("c_cwin_min", "88"),
        ("c_cwin_ini", "88"),
        ("s_cwin_max", "186"),
        ("s_cwin_min", "35"),
        // The 35 bytes follow the client's ACK of the 186: only 186 before the first ACK.
        ("s_cwin_ini", "186"),
        ("s_mss_max", "186"),
        ("s_mss_min", "35"),
        ("c_pkts_rto", "0"),
        ("s_pkts_unk", "0"),
        ("c_syn_retx", "0"),
        // Messages: one pushed request, two pushed responses; the bare FINs add nothing.
        ("c_pkts_push", "1"),
        ("s_pkts_push", "2"),
        // GET answered by `HTTP/1.x 200` (tshark's http.response.code): HTTP, plain GET class.
        // Without the DPI classifiers, Tstat's "nothing matched" values.
        ("con_t", if cfg!(feature = "dpi") { "1" } else { "0" }),
        ("http_t", if cfg!(feature = "dpi") { "1" } else { "0" }),
        (
            "http_res",
            if cfg!(feature = "dpi") { "200" } else { "---" },
        ),
        ("c_tls_SNI", "-"),
        ("fqdn", "-"),
        ("req_tm", "0.0"),
        ("dns_enc", "0"),
    ];
    for (col, want) in expect {
        assert_eq!(row[col], want, "column {col}");
    }
}

/// (runtime.conf options, level printed, columns of log_tcp_complete)
fn levels() -> Vec<(String, &'static str, usize)> {
    vec![
        (level(0, 0, 0, 0, 0), "#00#", 44),
        (level(1, 0, 0, 0, 0), "#01#", 44 + 14),
        (level(0, 1, 0, 0, 0), "#02#", 44 + 24),
        (level(0, 0, 1, 0, 0), "#04#", 44 + 6),
        (level(0, 0, 0, 1, 0), "#08#", 44 + 46),
        (level(0, 0, 0, 0, 1), "#16#", 44),
        (level(1, 0, 1, 1, 0), "#13#", 44 + 14 + 6 + 46),
        (ALL.to_string(), "#31#", 134),
    ]
}

#[test]
fn each_set_adds_its_columns_and_only_to_complete_rows() {
    // Each test uses its own output folders: tests run in parallel.
    let (full_header, full_rows, _) = run("reference_level", ALL);
    for (i, (conf, magic, width)) in levels().into_iter().enumerate() {
        let (header, rows, nocomplete) = run(&format!("level{i}"), &conf);
        assert!(header.starts_with(magic), "{header}");
        assert_eq!(names(&header).len(), width, "{magic}");
        assert!(
            nocomplete.starts_with(magic),
            "the nocomplete header carries the level"
        );
        assert_eq!(
            names(&nocomplete).len(),
            44,
            "log_tcp_nocomplete: core only"
        );
        assert_eq!(rows.len(), full_rows.len());
        for (row, full) in rows.iter().zip(&full_rows) {
            assert_eq!(row.len(), width, "{magic}: row width");
            // Same values by column name as with every set on.
            let (a, b) = (by_name(&header, row), by_name(&full_header, full));
            for (name, value) in &a {
                assert_eq!(&b[name], value, "{magic} column {name}");
            }
        }
    }
}

#[test]
fn sets_come_in_tstat_order_whatever_the_bits() {
    // Layer-7 is bit 2 but printed last; P2P (bit 4) before Options (bit 8).
    let (header, _, _) = run("l7p2p", &level(0, 1, 1, 0, 0));
    let n = names(&header);
    assert_eq!(n[44], "p2p_st");
    assert_eq!(n[50], "http_req_cnt");
}
