//! Runs of [`Histograms`] on made-up events: steps, folders, LAST and GLOBAL, the feeds that
//! the reference corpus never reaches.

use super::conf::Selection;
use super::defs::{definitions_text, Hid, COUNT};
use super::{HistoConfig, Histograms};
use crate::engine::observe::*;
use crate::time::Timestamp;
use std::fs;
use std::path::{Path, PathBuf};

const SEC: i64 = 1_000_000_000;

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tstat-histo-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn run(name: &str, cfg: HistoConfig) -> (Histograms, PathBuf) {
    let dir = temp_dir(name);
    let mut h = Histograms::new(cfg);
    h.set_folder(&dir);
    (h, dir)
}

fn all(global: bool) -> HistoConfig {
    let mut c = HistoConfig::new(Selection::all(global));
    c.global = global;
    c.nets_given = true;
    c
}

fn read(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The rows of a step file (after its two header lines).
fn rows(dir: &Path, file: &str) -> Vec<String> {
    read(dir, file).lines().skip(2).map(String::from).collect()
}

fn t(secs: i64) -> Timestamp {
    Timestamp(secs * SEC)
}

fn ends(src_internal: bool, dst_internal: bool) -> Ends {
    Ends {
        src_internal,
        dst_internal,
        ..Ends::default()
    }
}

/// One UDP packet of a tracked flow from an internal to an external host.
fn udp_packet(h: &mut Histograms, at: Timestamp, len: u16) {
    let e = ends(true, false);
    h.ipv4(&Ipv4Seen {
        ends: e,
        protocol: 17,
        total_len: len,
        ttl: 64,
        tos: 0,
        src: [10, 0, 0, 1],
        dst: [8, 8, 8, 8],
    });
    h.udp_datagram(&UdpDatagramSeen {
        ends: e,
        ipv6: false,
        dst_port: 53,
        ip_len: u32::from(len),
    });
    h.packet_end(at, true);
}

#[test]
fn definitions_text_starts_and_ends_as_tstats() {
    let text = definitions_text(false);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 350);
    assert_eq!(lines[0], "#name\tmin\tbin_size\tmax\tdescription");
    assert_eq!(lines[1], "profile_trash\t0\t1\t1\ttrash TCP packets");
    assert_eq!(
        lines[349],
        "ip_protocol_in\t0\t1\t255\tIP protocol - incoming packets"
    );
    assert!(text.contains("\nL7_TCP_num_in\t0\t1\t50\tNumber of tracked TCP flow per applications - incoming flows \n"));
    assert_eq!(text.matches("\ntcp_net_dup_out\t").count(), 2);
    let with_g = definitions_text(true);
    assert_eq!(with_g.lines().count(), 362);
    let g = with_g.find("g_other_bitrate_out").unwrap();
    assert!(with_g.find("profile_cpu").unwrap() < g && g < with_g.find("chat_flow_num").unwrap());
    assert_eq!(COUNT, Hid::profile_trash as usize + 1);
}

#[test]
fn steps_last_and_global() {
    let (mut h, dir) = run("steps", all(true));
    h.first_packet(t(1000));
    udp_packet(&mut h, t(1000), 100);
    udp_packet(&mut h, t(1300), 100); // exactly 300 s: no step (strict >)
    assert_eq!(h.steps(), 0);
    udp_packet(&mut h, Timestamp(1300 * SEC + 1000), 200); // 300.000001 s: step 000 ends
    assert_eq!(h.steps(), 1);
    // A packet that may not end a step (not FLOW_STAT_OK) does not, however late.
    h.packet_end(t(5000), false);
    assert_eq!(h.steps(), 1);
    udp_packet(&mut h, t(5001), 50);
    assert_eq!(h.steps(), 2);
    udp_packet(&mut h, t(5002), 60);
    h.finish(t(5002));
    assert_eq!(rows(&dir.join("000"), "udp_port_dst_out"), ["53 3"]);
    assert_eq!(rows(&dir.join("000"), "ip_len_out"), ["100 2", "200 1"]);
    assert_eq!(rows(&dir.join("001"), "udp_port_dst_out"), ["53 1"]);
    assert_eq!(rows(&dir.join("LAST"), "ip_len_out"), ["60 1"]);
    // 60 bytes over 1 s.
    assert_eq!(
        rows(&dir.join("LAST"), "ip_bitrate_out"),
        ["1 480", "3 480"]
    );
    let g = read(&dir.join("GLOBAL"), "udp_port_dst_out");
    assert!(
        g.ends_with("#SAMPLES: <min=0 valid=5 >max=0 tot=5\n53 1.000000e+00 1.000000e+00\n"),
        "{g}"
    );
    assert_eq!(fs::read_dir(dir.join("000")).unwrap().count(), 361);
    assert_eq!(fs::read_dir(dir.join("GLOBAL")).unwrap().count(), 360);
    assert_eq!(
        rows(&dir.join("000"), "addresses"),
        ["8.8.8.0\t0\t3\t0\t400"]
    );
    let dirs: Vec<_> = h
        .written_dirs()
        .iter()
        .map(|d| d.display().to_string())
        .collect();
    assert_eq!(dirs, ["000", "001", "GLOBAL", "LAST"]);
    assert_eq!(h.written_files().len(), 3 * 361 + 360);
    assert_eq!(h.write_errors(), 0);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn the_step_clock_starts_at_the_first_ip_packet() {
    let (mut h, dir) = run("clock", all(false));
    // A frame without IP: no clock yet, so the first IP packet starts it (not the epoch).
    h.packet_end(t(100), false);
    udp_packet(&mut h, t(500), 10);
    assert_eq!(h.steps(), 0);
    udp_packet(&mut h, t(801), 10);
    assert_eq!(h.steps(), 1);
    h.finish(t(801));
    assert!(dir.join("000").is_dir() && !dir.join("GLOBAL").exists());
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn profile_flows_and_chat_windows() {
    let (mut h, dir) = run("profile", all(true));
    h.first_packet(t(10));
    h.udp_opened(true);
    udp_packet(&mut h, t(10), 10);
    h.udp_opened(false);
    h.tcp_opened(false);
    h.packet_end(t(10), false);
    h.chat_session(ChatKind::MsnChat, true, t(10));
    h.chat_session(ChatKind::MsnChat, false, t(20));
    h.udp_closed(&UdpClosed {
        client_internal: true,
        server_internal: false,
        client_cloud: false,
        server_cloud: false,
        first: t(10),
        last: t(10),
        singleton: true,
        c2s: UdpHalfClosed::default(),
        s2c: UdpHalfClosed::default(),
    });
    h.finish(t(30));
    // One UDP flow open for 20 s of [1970, 30 s]: 20/30 → 0; one missed of each.
    assert_eq!(rows(&dir.join("LAST"), "profile_flows"), ["0 1", "2 1"]);
    assert_eq!(rows(&dir.join("LAST"), "profile_trash"), ["0 1"]);
    assert_eq!(rows(&dir.join("LAST"), "L4_flow_number"), ["0 1", "1 2"]);
    // A chat open 10 s of the 20 s since the first packet: 0.5 → 0.
    assert!(rows(&dir.join("LAST"), "chat_flow_num").is_empty());
    let g = read(&dir.join("GLOBAL"), "profile_flows");
    assert!(g.ends_with("tot=0\n0 inf -nan\n2 inf -nan\n"), "{g}");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn zero_length_windows_give_i64_min() {
    let (mut h, dir) = run("zero", all(false));
    h.first_packet(t(7));
    udp_packet(&mut h, t(7), 10);
    h.finish(t(7));
    let chat = rows(&dir.join("LAST"), "chat_flow_num");
    assert_eq!(chat.len(), 6);
    assert!(chat.iter().all(|r| r.ends_with(" -9223372036854775808")));
    let _ = fs::remove_dir_all(&dir);
}

fn half(packets: u64, data: u64) -> TcpHalfClosed {
    TcpHalfClosed {
        packets,
        data_bytes: data,
        unique_bytes: data,
        data_packets: packets / 2,
        win_min: 1000,
        win_max: 64000,
        win_sum: 30_000,
        mss: 1460,
        rtt_count: 4,
        rtt_sum: 160_000.0, // 40 ms mean: bins as 39 (count + 0.0001)
        rtt_sum2: 6.4e9,
        rtt_min_us: 39_500,
        rtt_max_us: 40_500,
        ..TcpHalfClosed::default()
    }
}

fn tcp_flow(client_internal: bool, server_internal: bool, con_type: u32) -> TcpClosed {
    TcpClosed {
        complete: true,
        client_internal,
        server_internal,
        client_cloud: false,
        server_cloud: false,
        first: t(100),
        last: t(102),
        singleton: false,
        c2s: half(10, 500),
        s2c: TcpHalfClosed {
            last_payload: Some(t(101)),
            ..half(20, 2_000_000)
        },
        labels: TcpLabels {
            con_type,
            tls_service: 2,
            ..TcpLabels::default()
        },
    }
}

#[test]
fn tcp_flows_at_close() {
    let (mut h, dir) = run("tcp", all(false));
    h.first_packet(t(100));
    udp_packet(&mut h, t(100), 10);
    h.tcp_closed(&tcp_flow(true, false, 8192)); // out, TLS to YouTube
    h.tcp_closed(&tcp_flow(true, true, 1)); // local HTTP
    h.tcp_closed(&tcp_flow(false, false, 1)); // ext–ext: nothing
    let mut incomplete = tcp_flow(false, true, 0);
    incomplete.complete = false;
    h.tcp_closed(&incomplete);
    h.finish(t(200));
    let last = dir.join("LAST");
    assert_eq!(rows(&last, "L7_TCP_num_out"), ["33 1"]);
    assert_eq!(rows(&last, "L7_TCP_num_nc_out"), ["33 1"]);
    assert_eq!(rows(&last, "L7_TLS_num_out"), ["2 1"]);
    assert_eq!(rows(&last, "L7_TCP_num_loc"), ["0 1"]);
    assert_eq!(rows(&last, "L7_HTTP_num_loc"), ["0 1"]);
    assert_eq!(rows(&last, "L7_WEB_num_loc"), ["0 1"]);
    assert_eq!(rows(&last, "tcp_cl_p_out"), ["10 1"]);
    assert_eq!(rows(&last, "tcp_cl_p_in"), ["20 1"]);
    assert_eq!(rows(&last, "tcp_cl_p_loc"), ["10 1", "20 1"]);
    assert_eq!(rows(&last, "tcp_cl_p_c2s"), ["10 2"]);
    assert_eq!(rows(&last, "tcp_rtt_avg_out"), ["39 1"]);
    assert_eq!(rows(&last, "tcp_rtt_nc_avg_in"), ["39 1"]);
    assert_eq!(rows(&last, "tcp_rtt_min_c2s"), ["39 2"]);
    assert_eq!(rows(&last, "tcp_rtt_stdev_c2s"), ["0 2"]);
    assert_eq!(rows(&last, "tcp_win_avg"), ["1280 2", "2816 2"]);
    assert_eq!(rows(&last, "tcp_opts_SACK"), ["4 2"]);
    assert_eq!(rows(&last, "tcp_mss_used"), ["1460 2"]);
    assert_eq!(rows(&last, "tcp_tot_time"), ["2000 2"]);
    // 2 MB over 1 s from the first packet: 16,000 kbit/s, a large flow.
    assert_eq!(rows(&last, "tcp_thru_s2c"), ["1000 2"]);
    assert_eq!(rows(&last, "tcp_thru_lf_s2c"), ["16000 2"]);
    assert_eq!(rows(&last, "tcp_thru_lf_nc_s2c"), ["16000 2"]);
    assert!(rows(&last, "tcp_thru_c2s").is_empty());
    assert_eq!(rows(&last, "tcp_interrupted"), ["0 3"]);
    assert_eq!(rows(&last, "profile_tcpdata"), ["0 4"]);
    // The local flow's net_dup samples go to the shadowed object: its file is the outgoing one.
    assert_eq!(rows(&last, "tcp_net_dup_out"), ["0 1"]);
    assert!(
        read(&last, "tcp_net_dup_out").starts_with("#TCP number of Network duplicates - outgoing")
    );
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn packet_feeds_and_rates() {
    let (mut h, dir) = run("packets", all(false));
    h.first_packet(Timestamp(1));
    let e = Ends {
        src_internal: false,
        dst_internal: true,
        src_cloud: true,
        dst_cloud: false,
    };
    h.ipv6(&Ipv6Seen {
        ends: e,
        next_header: 0,
        hop_limit: 255,
        payload_len: 32,
        next: Ipv6Next::Icmp(135),
    });
    h.tcp_segment(&TcpSegmentSeen {
        ends: e,
        ipv6: true,
        src_port: 443,
        dst_port: 50000,
        syn: true,
        ack: false,
        ip_len: 72,
    });
    let labels = TcpLabels {
        con_type: 1,
        http_data: 22,
        ..TcpLabels::default()
    };
    h.tcp_rate(&TcpRateSeen {
        ends: e,
        len: -32768,
        labels,
    });
    h.tcp_segment_class(Some(Way::In), false, 63);
    h.tcp_in_flight(70_000);
    h.packet_end(Timestamp(1), true);
    h.rtp_confirmed(&RtpConfirmed {
        way: Some(Way::Out),
        cloud: false,
        rtcp: true,
    });
    h.rtp_sequence(Some(Way::Loc), RtpSequence::Reordered { delay_ms: 12.5 });
    h.rtcp_report(
        Some(Way::In),
        &RtcpReportSeen {
            fraction_lost: Some(128),
            lost_delta: Some(-3),
            rtt_ms: Some(-1.0),
            ..RtcpReportSeen::default()
        },
    );
    h.finish(t(2));
    let last = dir.join("LAST");
    assert_eq!(rows(&last, "ip6_hop_limit_in"), ["70 1"]);
    assert_eq!(rows(&last, "icmpv6_type_in"), ["135 1"]);
    assert_eq!(rows(&last, "L3_protocol_in"), ["5 1"]);
    assert_eq!(rows(&last, "tcp_port_synsrc_in"), ["443 1"]);
    assert_eq!(rows(&last, "tcp_port_dst_in"), ["50000 1"]);
    assert_eq!(rows(&last, "tcp_anomalies_in"), ["63 1"]);
    assert_eq!(rows(&last, "tcp_anomalies_s2c"), ["63 1"]);
    assert_eq!(rows(&last, "tcp_cwnd"), ["65536 1"]);
    assert_eq!(rows(&last, "L7_UDP_num_out"), ["2 2"]);
    assert_eq!(rows(&last, "L7_UDP_num_nc_out"), ["2 1"]);
    assert_eq!(rows(&last, "mm_reord_p_n_loc"), ["0 1"]);
    assert_eq!(rows(&last, "mm_reord_delay_loc"), ["12 1"]);
    assert_eq!(rows(&last, "rtcp_f_lost_in"), ["50 1"]);
    assert_eq!(rows(&last, "rtcp_dup_in"), ["3 1"]);
    assert_eq!(rows(&last, "rtcp_lost_in"), ["0 1"]);
    assert!(rows(&last, "rtcp_rtt_in").is_empty());
    // The clock starts at the IPv6 packet (µs 0): 72 TCP bytes over 2 s, label 0; no IPv4.
    assert_eq!(rows(&last, "ip_bitrate_c_in"), ["0 288"]);
    assert_eq!(rows(&last, "L3_bitrate_in"), ["3 288", "5 128"]);
    // A `short` length of −32768 wraps in the u64 counter: an absurd rate, as in Tstat.
    assert_eq!(rows(&last, "tcp_bitrate_in"), ["0 -9223372036854775808"]);
    assert_eq!(rows(&last, "http_bitrate_in"), ["4 -9223372036854775808"]);
    assert_eq!(rows(&last, "web_bitrate_in"), ["3 -9223372036854775808"]);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn switches() {
    // -S -g: no steps, no addresses, but LAST and GLOBAL.
    let mut cfg = all(true);
    cfg.engine_on = false;
    let (mut h, dir) = run("minus-s", cfg);
    udp_packet(&mut h, t(10), 10);
    udp_packet(&mut h, t(1000), 10);
    h.finish(t(1000));
    assert_eq!(h.steps(), 0);
    assert!(!dir.join("000").exists());
    assert!(dir.join("GLOBAL/ip_len_out").is_file() && !dir.join("LAST/addresses").exists());
    let _ = fs::remove_dir_all(&dir);
    // histo_engine logs off: addresses only.
    let (mut h, dir) = run("log-off", all(false));
    h.set_log_enabled(false);
    udp_packet(&mut h, t(10), 10);
    h.finish(t(10));
    assert_eq!(fs::read_dir(dir.join("LAST")).unwrap().count(), 1);
    let _ = fs::remove_dir_all(&dir);
    // Nothing selected: no folder at all.
    let (mut h, dir) = run("none", HistoConfig::new(Selection::none()));
    udp_packet(&mut h, t(10), 10);
    h.finish(t(10));
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn unwritable_folders_are_counted_not_fatal() {
    let dir = temp_dir("unwritable");
    let file = dir.join("not-a-folder");
    fs::write(&file, b"x").unwrap();
    let mut h = Histograms::new(all(false));
    h.set_folder(&file);
    udp_packet(&mut h, t(10), 10);
    h.finish(t(10));
    assert!(h.write_errors() > 300);
    assert!(h.take_error().is_some());
    assert!(h.take_error().is_none());
    let _ = fs::remove_dir_all(&dir);
}
