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

/// A header line: optional `#level#` prefix (two digits at least, as Tstat prints it), then
/// `name:index` pairs.
pub fn header(level: Option<u32>, groups: &[&[&str]]) -> String {
    let mut out = String::from("#");
    if let Some(l) = level {
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
}
