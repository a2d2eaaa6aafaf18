//! Column names of the log headers, in Tstat 3.2.1's order.

/// log_tcp_complete and log_tcp_nocomplete, columns 1-44.
pub const TCP_CORE: &[&str] = &[
    "c_ip",
    "c_port",
    "c_pkts_all",
    "c_rst_cnt",
    "c_ack_cnt",
    "c_ack_cnt_p",
    "c_bytes_uniq",
    "c_pkts_data",
    "c_bytes_all",
    "c_pkts_retx",
    "c_bytes_retx",
    "c_pkts_ooo",
    "c_syn_cnt",
    "c_fin_cnt",
    "s_ip",
    "s_port",
    "s_pkts_all",
    "s_rst_cnt",
    "s_ack_cnt",
    "s_ack_cnt_p",
    "s_bytes_uniq",
    "s_pkts_data",
    "s_bytes_all",
    "s_pkts_retx",
    "s_bytes_retx",
    "s_pkts_ooo",
    "s_syn_cnt",
    "s_fin_cnt",
    "first",
    "last",
    "durat",
    "c_first",
    "s_first",
    "c_last",
    "s_last",
    "c_first_ack",
    "s_first_ack",
    "c_isint",
    "s_isint",
    "c_iscrypto",
    "s_iscrypto",
    "con_t",
    "p2p_t",
    "http_t",
];

/// End-to-End set (tcplog_end_to_end): RTT and TTL per direction.
pub const TCP_E2E: &[&str] = &[
    "c_rtt_avg",
    "c_rtt_min",
    "c_rtt_max",
    "c_rtt_std",
    "c_rtt_cnt",
    "c_ttl_min",
    "c_ttl_max",
    "s_rtt_avg",
    "s_rtt_min",
    "s_rtt_max",
    "s_rtt_std",
    "s_rtt_cnt",
    "s_ttl_min",
    "s_ttl_max",
];

/// P2P set (tcplog_p2p).
pub const TCP_P2P: &[&str] = &[
    "p2p_st",
    "ed2k_data",
    "ed2k_sig",
    "ed2k_c2s",
    "ed2k_c2c",
    "ed2k_chat",
];

/// TCP Options set (tcplog_options).
pub const TCP_OPTIONS: &[&str] = &[
    "c_f1323_opt",
    "c_tm_opt",
    "c_win_scl",
    "c_sack_opt",
    "c_sack_cnt",
    "c_mss",
    "c_mss_max",
    "c_mss_min",
    "c_win_max",
    "c_win_min",
    "c_win_0",
    "c_cwin_max",
    "c_cwin_min",
    "c_cwin_ini",
    "c_pkts_rto",
    "c_pkts_fs",
    "c_pkts_reor",
    "c_pkts_dup",
    "c_pkts_unk",
    "c_pkts_fc",
    "c_pkts_unrto",
    "c_pkts_unfs",
    "c_syn_retx",
    "s_f1323_opt",
    "s_tm_opt",
    "s_win_scl",
    "s_sack_opt",
    "s_sack_cnt",
    "s_mss",
    "s_mss_max",
    "s_mss_min",
    "s_win_max",
    "s_win_min",
    "s_win_0",
    "s_cwin_max",
    "s_cwin_min",
    "s_cwin_ini",
    "s_pkts_rto",
    "s_pkts_fs",
    "s_pkts_reor",
    "s_pkts_dup",
    "s_pkts_unk",
    "s_pkts_fc",
    "s_pkts_unrto",
    "s_pkts_unfs",
    "s_syn_retx",
];

/// Layer-7 set (tcplog_layer7).
pub const TCP_LAYER7: &[&str] = &[
    "http_req_cnt",
    "http_res_cnt",
    "http_res",
    "c_pkts_push",
    "s_pkts_push",
    "c_tls_SNI",
    "s_tls_SCN",
    "c_npnalpn",
    "s_npnalpn",
    "tls_session_stat",
    "c_last_handshakeT",
    "s_last_handshakeT",
    "c_appdataT",
    "s_appdataT",
    "c_appdataB",
    "s_appdataB",
    "fqdn",
    "dns_rslv",
    "req_tm",
    "res_tm",
    "http_hostname",
    "c_TLSvers",
    "s_TLSvers",
    "dns_enc",
];

/// log_udp_complete, columns 1-23.
pub const UDP: &[&str] = &[
    "c_ip",
    "c_port",
    "c_first_abs",
    "c_durat",
    "c_bytes_all",
    "c_pkts_all",
    "c_isint",
    "c_iscrypto",
    "c_type",
    "s_ip",
    "s_port",
    "s_first_abs",
    "s_durat",
    "s_bytes_all",
    "s_pkts_all",
    "s_isint",
    "s_iscrypto",
    "s_type",
    "fqdn",
    "quic_SNI",
    "quic_UA",
    "quic_CHLO",
    "quic_REJ",
];

/// The column groups of log_tcp_complete for a tcplog level, in Tstat's order (core, then
/// End-to-End, P2P, Options, Layer-7). The Advanced set (16) adds no column: every one of its
/// columns is compiled out of Tstat 3.2.1 (the reference header at level 31 ends at
/// `dns_enc:134`).
pub fn tcp_complete_groups(level: u32) -> Vec<&'static [&'static str]> {
    use crate::config::runtime::tcplog;
    let mut groups = vec![TCP_CORE];
    for (bit, group) in [
        (tcplog::END_TO_END, TCP_E2E),
        (tcplog::P2P, TCP_P2P),
        (tcplog::OPTIONS, TCP_OPTIONS),
        (tcplog::LAYER7, TCP_LAYER7),
    ] {
        if level & bit != 0 {
            groups.push(group);
        }
    }
    groups
}

/// A header line: optional `#level#` prefix, then `name:index` pairs.
pub fn header(level: Option<u32>, groups: &[&[&str]]) -> String {
    let mut out = String::from("#");
    if let Some(l) = level {
        // Tstat prints the level with `%02d`.
        out.push_str(&format!("{l:02}#"));
    }
    let mut i = 0;
    for g in groups {
        for name in g.iter() {
            i += 1;
            if i > 1 {
                out.push(' ');
            }
            out.push_str(&format!("{name}:{i}"));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_header_matches_reference_text() {
        assert_eq!(
            header(None, &[UDP]),
            "#c_ip:1 c_port:2 c_first_abs:3 c_durat:4 c_bytes_all:5 c_pkts_all:6 c_isint:7 c_iscrypto:8 c_type:9 \
s_ip:10 s_port:11 s_first_abs:12 s_durat:13 s_bytes_all:14 s_pkts_all:15 s_isint:16 s_iscrypto:17 s_type:18 \
fqdn:19 quic_SNI:20 quic_UA:21 quic_CHLO:22 quic_REJ:23\n"
        );
        assert!(header(Some(0), &[TCP_CORE]).starts_with("#00#c_ip:1 c_port:2 "));
        assert!(header(Some(0), &[TCP_CORE]).ends_with(" http_t:44\n"));
    }

    #[test]
    fn sets_follow_the_core_in_tstat_order_and_numbering_continues() {
        // Level 12 = P2P + Options: the P2P set comes first and starts at 45.
        let h = header(Some(12), &tcp_complete_groups(12));
        assert!(h.starts_with("#12#c_ip:1 "));
        assert!(h.contains(" http_t:44 p2p_st:45 "), "{h}");
        assert!(h.contains(" ed2k_chat:50 c_f1323_opt:51 "), "{h}");
        assert!(h.ends_with(" s_syn_retx:96\n"), "{h}");
        // End-to-End alone.
        let h = header(Some(1), &tcp_complete_groups(1));
        assert!(h.starts_with("#01#"));
        assert!(h.ends_with(" s_ttl_max:58\n"), "{h}");
        // Advanced adds nothing.
        assert_eq!(tcp_complete_groups(31), tcp_complete_groups(15));
        assert_eq!(tcp_complete_groups(31).concat().len(), 134);
    }
}
