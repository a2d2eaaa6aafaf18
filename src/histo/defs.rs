//! The 361 histogram definitions of Tstat 3.2.1, in its creation order (`histo.c:create_all_histo`).
//!
//! Each entry is `variable = (file name, min, bin_size, max, kind, description)`. The variable
//! is the C variable's name, so that the feed code reads like the specification
//! (docs/semantics/histograms.md §5); the file name is what Tstat registers, which differs for
//! five objects: `tcp_win_min` is written as `tcp_win_ini`, the three `tcp_unnrtx_*_in` and
//! `tcp_flow_ctrl_in` have longer names, and `tcp_net_dup_loc` is registered under the name
//! `tcp_net_dup_out` (a Tstat bug: its file is overwritten by the real `tcp_net_dup_out`, §1.1).
//! Kinds: `N` a normal histogram fed by samples, `F` a "fake" one whose cells are assigned at
//! every step end (§1.4), `G` a normal histogram that exists only with `-g` (§1.5). The
//! descriptions are byte for byte those of `tstat -H ?` (histo-definitions.txt), trailing spaces
//! and typos included.

use std::fmt::Write as _;

/// How an object is fed and when it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Samples through `add` (§1.3).
    Normal,
    /// Cells assigned at each step end (§1.4): bitrates, profile_*, chat_flow_num.
    Fake,
    /// A normal histogram created only with `-g` (the twelve `g_*`).
    GlobalOnly,
}

/// One histogram object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Def {
    /// The registered name: the file name and what histo.conf matches.
    pub name: &'static str,
    pub descr: &'static str,
    pub min: i64,
    pub bin: i64,
    pub max: i64,
    pub kind: Kind,
}

impl Def {
    /// Bins between `min` and `max` (Tstat's `num_col`).
    pub const fn num_col(&self) -> usize {
        ((self.max - self.min) / self.bin) as usize
    }

    /// Cells of the object: underflow, the bins, overflow, the valid count (§1.2).
    pub const fn cells(&self) -> usize {
        self.num_col() + 3
    }

    /// Index of the overflow cell (`≥ max`).
    pub const fn overflow(&self) -> usize {
        self.num_col() + 1
    }

    /// Index of the count of in-range samples, never printed as a row.
    pub const fn valid(&self) -> usize {
        self.num_col() + 2
    }

    /// The label Tstat prints for cell `i`: `min + (i − 1) · bin_size`.
    pub fn label(&self, i: usize) -> i64 {
        self.min + (i as i64 - 1) * self.bin
    }
}

macro_rules! histograms {
    ($($id:ident = ($name:literal, $min:literal, $bin:literal, $max:literal, $kind:ident, $descr:literal);)*) => {
        /// A histogram object, named after Tstat's C variable; `Hid as usize` is its creation
        /// index (§5 `#` − 1).
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Hid { $($id),* }

        /// Every object in creation order, indexed by `Hid as usize`.
        pub const DEFS: [Def; COUNT] = [$(Def {
            name: $name,
            descr: $descr,
            min: $min,
            bin: $bin,
            max: $max,
            kind: kind!($kind),
        }),*];

        impl Hid {
            /// Every id in creation order.
            pub const ALL: [Hid; COUNT] = [$(Hid::$id),*];
        }
    };
}

macro_rules! kind {
    (N) => {
        Kind::Normal
    };
    (F) => {
        Kind::Fake
    };
    (G) => {
        Kind::GlobalOnly
    };
}

/// Number of objects with `-g` (349 without it).
pub const COUNT: usize = 361;

impl Hid {
    pub const fn def(self) -> &'static Def {
        &DEFS[self as usize]
    }

    pub const fn index(self) -> usize {
        self as usize
    }
}

/// Whether object `i` exists in a run: the `g_*` only with `-g`.
pub fn exists(i: usize, global: bool) -> bool {
    global || DEFS[i].kind != Kind::GlobalOnly
}

/// The text of `tstat -H ?` from its header line on (§4.3): the header, then every object in
/// Tstat's list order, which is the reverse of creation, as `name\tmin\tbin_size\tmax\tdescr`.
/// Whatever Tstat printed before (the `-N` warning) is the caller's.
pub fn definitions_text(global: bool) -> String {
    let mut out = String::with_capacity(32 * 1024);
    out.push_str("#name\tmin\tbin_size\tmax\tdescription\n");
    for (i, d) in DEFS.iter().enumerate().rev() {
        if exists(i, global) {
            let _ = writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                d.name, d.min, d.bin, d.max, d.descr
            );
        }
    }
    out
}

histograms! {
    ip_protocol_in = ("ip_protocol_in", 0, 1, 255, N, "IP protocol - incoming packets");
    ip_protocol_out = ("ip_protocol_out", 0, 1, 255, N, "IP protocol - outgoing packets");
    ip_protocol_loc = ("ip_protocol_loc", 0, 1, 255, N, "IP protocol - local packets");
    ip_bitrate_in = ("ip_bitrate_in", 0, 1, 4, F, "IP bitrate [bit/s] - incoming packets");
    ip_bitrate_out = ("ip_bitrate_out", 0, 1, 4, F, "IP bitrate [bit/s] - outgoing packets");
    ip_bitrate_loc = ("ip_bitrate_loc", 0, 1, 4, F, "IP bitrate [bit/s] - local packets");
    ip_bitrate_c_in = ("ip_bitrate_c_in", 0, 1, 4, F, "IP bitrate [bit/s] - cloud incoming packets");
    ip_bitrate_c_out = ("ip_bitrate_c_out", 0, 1, 4, F, "IP bitrate [bit/s] - cloud outgoing packets");
    ip_bitrate_nc_in = ("ip_bitrate_nc_in", 0, 1, 4, F, "IP bitrate [bit/s] - non-cloud incoming packets");
    ip_bitrate_nc_out = ("ip_bitrate_nc_out", 0, 1, 4, F, "IP bitrate [bit/s] - non-cloud outgoing packets");
    ip_len_out = ("ip_len_out", 0, 4, 1504, N, "IP packet length [byte] - outgoing packets");
    ip_len_in = ("ip_len_in", 0, 4, 1504, N, "IP packet length [byte] - incoming packets");
    ip_len_loc = ("ip_len_loc", 0, 4, 1504, N, "IP packet length [byte] - local packets");
    ip_ttl_out = ("ip_ttl_out", 0, 1, 255, N, "IP TTL - outgoing packtes");
    ip_ttl_in = ("ip_ttl_in", 0, 1, 255, N, "IP TTL - incoming packets");
    ip_ttl_loc = ("ip_ttl_loc", 0, 1, 255, N, "IP TTL - local packets");
    ip_tos_out = ("ip_tos_out", 0, 1, 255, N, "IP TOS - outgoing packets");
    ip_tos_in = ("ip_tos_in", 0, 1, 255, N, "IP TOS - incoming packets");
    ip_tos_loc = ("ip_tos_loc", 0, 1, 255, N, "IP TOS - local packets");
    ip6_protocol_in = ("ip6_protocol_in", 0, 1, 256, N, "IPv6 protocol - incoming packets protocol type");
    ip6_hop_limit_in = ("ip6_hop_limit_in", 0, 1, 70, N, "IPv6 protocol - incoming packets hop limit");
    ip6_plen_in = ("ip6_plen_in", 0, 16, 1504, N, "IPv6 protocol - incoming packets payload length");
    ip6_protocol_out = ("ip6_protocol_out", 0, 1, 256, N, "IPv6 protocol - outgoing packets protocol type");
    ip6_hop_limit_out = ("ip6_hop_limit_out", 0, 1, 70, N, "IPv6 protocol - outgoing packets hop limit");
    ip6_plen_out = ("ip6_plen_out", 0, 16, 1504, N, "IPv6 protocol - outgoing packets payload length");
    ip6_protocol_loc = ("ip6_protocol_loc", 0, 1, 256, N, "IPv6 protocol -  local packets protocol type");
    ip6_hop_limit_loc = ("ip6_hop_limit_loc", 0, 1, 70, N, "IPv6 protocol - local packets hop limit");
    ip6_plen_loc = ("ip6_plen_loc", 0, 16, 1504, N, "IPv6 protocol - local packets payload length");
    icmpv6_type_in = ("icmpv6_type_in", 1, 1, 143, N, "ICMPv6 protocol - incoming traffic type");
    icmpv6_type_loc = ("icmpv6_type_loc", 1, 1, 143, N, "ICMPv6 protocol - local traffic type");
    icmpv6_type_out = ("icmpv6_type_out", 1, 1, 143, N, "ICMPv6 protocol - outgoing traffic type");
    tcp_port_src_in = ("tcp_port_src_in", 0, 1, 65536, N, "TCP source port - incoming segments");
    tcp_port_src_out = ("tcp_port_src_out", 0, 1, 65536, N, "TCP source port - outgoing segments");
    tcp_port_src_loc = ("tcp_port_src_loc", 0, 1, 65536, N, "TCP source port - local segments");
    tcp_port_dst_in = ("tcp_port_dst_in", 0, 1, 65536, N, "TCP destination port - incoming segments");
    tcp_port_dst_out = ("tcp_port_dst_out", 0, 1, 65536, N, "TCP destination port - outgoing segments");
    tcp_port_dst_loc = ("tcp_port_dst_loc", 0, 1, 65536, N, "TCP destination port - local segments");
    tcp_port_synsrc_in = ("tcp_port_synsrc_in", 0, 1, 65536, N, "TCP source port of SYN segments - incoming segments");
    tcp_port_synsrc_out = ("tcp_port_synsrc_out", 0, 1, 65536, N, "TCP source port of SYN segments - outgoing segments");
    tcp_port_synsrc_loc = ("tcp_port_synsrc_loc", 0, 1, 65536, N, "TCP source port of SYN segments - local segments");
    tcp_port_syndst_in = ("tcp_port_syndst_in", 0, 1, 65536, N, "TCP destination port of SYN segments - incoming segments");
    tcp_port_syndst_out = ("tcp_port_syndst_out", 0, 1, 65536, N, "TCP destination port of SYN segments - outgoing segments");
    tcp_port_syndst_loc = ("tcp_port_syndst_loc", 0, 1, 65536, N, "TCP destination port of SYN segments - local segments");
    tcp_bitrate_in = ("tcp_bitrate_in", 0, 1, 50, F, "TCP application bitrate [bit/s] - incoming segments");
    tcp_bitrate_out = ("tcp_bitrate_out", 0, 1, 50, F, "TCP application bitrate [bit/s] - outgoing segments");
    tcp_bitrate_loc = ("tcp_bitrate_loc", 0, 1, 50, F, "TCP application bitrate [bit/s] - local segments");
    tcp_bitrate_c_in = ("tcp_bitrate_c_in", 0, 1, 50, F, "TCP application bitrate [bit/s] - cloud incoming segments");
    tcp_bitrate_c_out = ("tcp_bitrate_c_out", 0, 1, 50, F, "TCP application bitrate [bit/s] - cloud outgoing segments");
    tcp_bitrate_nc_in = ("tcp_bitrate_nc_in", 0, 1, 50, F, "TCP application bitrate [bit/s] - non-cloud incoming segments");
    tcp_bitrate_nc_out = ("tcp_bitrate_nc_out", 0, 1, 50, F, "TCP application bitrate [bit/s] - non-cloud outgoing segments");
    tcp_opts_SACK = ("tcp_opts_SACK", 1, 1, 4, N, "TCP option: SACK");
    tcp_opts_WS = ("tcp_opts_WS", 1, 1, 4, N, "TCP option: WindowScale");
    tcp_opts_TS = ("tcp_opts_TS", 1, 1, 4, N, "TCP option: Timestamp");
    tcp_opts_MPTCP = ("tcp_opts_MPTCP", 1, 1, 4, N, "TCP option: MPTCP");
    tcp_mss_a = ("tcp_mss_a", 0, 4, 1600, N, "TCP declared client MSS [byte]");
    tcp_mss_b = ("tcp_mss_b", 0, 4, 1600, N, "TCP declared server MSS [byte]");
    tcp_mss_used = ("tcp_mss_used", 0, 4, 1600, N, "TCP negotiated MSS [byte]");
    tcp_win_min = ("tcp_win_ini", 0, 256, 65536, N, "TCP initial RWND [byte]");
    tcp_win_avg = ("tcp_win_avg", 0, 256, 65536, N, "TCP average RWND [byte]");
    tcp_win_max = ("tcp_win_max", 0, 256, 65536, N, "TCP max RWND [byte]");
    tcp_cwnd = ("tcp_cwnd", 0, 256, 65536, N, "TCP in-flight-size [byte]");
    tcp_cl_p_out = ("tcp_cl_p_out", 0, 1, 1000, N, "TCP flow length [packet] - outgoing flows");
    tcp_cl_p_in = ("tcp_cl_p_in", 0, 1, 1000, N, "TCP flow length [packet] - incoming flows");
    tcp_cl_p_loc = ("tcp_cl_p_loc", 0, 1, 1000, N, "TCP flow length [packet] - local flows");
    tcp_cl_p_c2s = ("tcp_cl_p_c2s", 0, 1, 1000, N, "TCP flow length [packet] - clientflows");
    tcp_cl_p_s2c = ("tcp_cl_p_s2c", 0, 1, 1000, N, "TCP flow length [packet] - server flows");
    tcp_cl_b_s_out = ("tcp_cl_b_s_out", 0, 50, 50000, N, "TCP flow length [byte] - fine granularity histogram - outgoing flows");
    tcp_cl_b_s_in = ("tcp_cl_b_s_in", 0, 50, 50000, N, "TCP flow length [byte] - fine granularity histogram - incoming flows");
    tcp_cl_b_s_loc = ("tcp_cl_b_s_loc", 0, 50, 50000, N, "TCP flow length [byte] - fine granularity histogram - local flows");
    tcp_cl_b_l_out = ("tcp_cl_b_l_out", 0, 50000, 50000000, N, "TCP flow length [byte] - coarse granularity histogram - outgoing flows");
    tcp_cl_b_l_in = ("tcp_cl_b_l_in", 0, 50000, 50000000, N, "TCP flow length [byte] - coarse granularity histogram - incoming flows");
    tcp_cl_b_l_loc = ("tcp_cl_b_l_loc", 0, 50000, 50000000, N, "TCP flow length [byte] - coarse granularity histogram - local flows");
    tcp_cl_b_s_c2s = ("tcp_cl_b_s_c2s", 0, 50, 50000, N, "TCP flow length [byte] - fine granularity histogram - client flows");
    tcp_cl_b_s_s2c = ("tcp_cl_b_s_s2c", 0, 50, 50000, N, "TCP flow length [byte] - fine granularity histogram - server flows");
    tcp_cl_b_l_c2s = ("tcp_cl_b_l_c2s", 0, 50000, 50000000, N, "TCP flow length [byte] - coarse granularity histogram - client flows");
    tcp_cl_b_l_s2c = ("tcp_cl_b_l_s2c", 0, 50000, 50000000, N, "TCP flow length [byte] - coarse granularity histogram - server flows");
    tcp_rtt_min_out = ("tcp_rtt_min_out", 0, 1, 2000, N, "TCP flow minimum RTT [ms] - outgoing flows");
    tcp_rtt_min_in = ("tcp_rtt_min_in", 0, 1, 2000, N, "TCP flow minimum RTT [ms]- incoming flows");
    tcp_rtt_min_loc = ("tcp_rtt_min_loc", 0, 1, 2000, N, "TCP flow minimum RTT - local flows");
    tcp_rtt_min_c2s = ("tcp_rtt_min_c2s", 0, 1, 2000, N, "TCP flow minimum RTT [ms] - client flows");
    tcp_rtt_min_s2c = ("tcp_rtt_min_s2c", 0, 1, 2000, N, "TCP flow minimum RTT [ms] - server flows");
    tcp_rtt_avg_out = ("tcp_rtt_avg_out", 0, 1, 2000, N, "TCP flow average RTT [ms] - outgoing flows");
    tcp_rtt_avg_in = ("tcp_rtt_avg_in", 0, 1, 2000, N, "TCP flow average RTT [ms] - incoming flows");
    tcp_rtt_avg_loc = ("tcp_rtt_avg_loc", 0, 1, 2000, N, "TCP flow average RTT [ms] - local flows");
    tcp_rtt_avg_c2s = ("tcp_rtt_avg_c2s", 0, 1, 2000, N, "TCP flow average RTT [ms] - client flows");
    tcp_rtt_avg_s2c = ("tcp_rtt_avg_s2c", 0, 1, 2000, N, "TCP flow average RTT [ms] - server flows");
    tcp_rtt_c_avg_out = ("tcp_rtt_c_avg_out", 0, 1, 2000, N, "TCP flow average RTT [ms] - cloud outgoing flows");
    tcp_rtt_c_avg_in = ("tcp_rtt_c_avg_in", 0, 1, 2000, N, "TCP flow average RTT [ms] - cloud incoming flows");
    tcp_rtt_nc_avg_out = ("tcp_rtt_nc_avg_out", 0, 1, 2000, N, "TCP flow average RTT [ms] - non-cloud outgoing flows");
    tcp_rtt_nc_avg_in = ("tcp_rtt_nc_avg_in", 0, 1, 2000, N, "TCP flow average RTT [ms] - non-cloud incoming flows");
    tcp_rtt_max_out = ("tcp_rtt_max_out", 0, 1, 2000, N, "TCP flow maximum RTT [ms] - outgoing flows");
    tcp_rtt_max_in = ("tcp_rtt_max_in", 0, 1, 2000, N, "TCP flow maximum RTT [ms] - incoming flows");
    tcp_rtt_max_loc = ("tcp_rtt_max_loc", 0, 1, 2000, N, "TCP flow maximum RTT [ms] - local flows");
    tcp_rtt_max_c2s = ("tcp_rtt_max_c2s", 0, 1, 2000, N, "TCP flow maximum RTT [ms] - client flows");
    tcp_rtt_max_s2c = ("tcp_rtt_max_s2c", 0, 1, 2000, N, "TCP flow maximum RTT [ms] - server flows");
    tcp_rtt_stdev_out = ("tcp_rtt_stdev_out", 0, 1, 2000, N, "TCP flow RTT standard deviation [ms] - outgoing flows");
    tcp_rtt_stdev_in = ("tcp_rtt_stdev_in", 0, 1, 2000, N, "TCP flow RTT standard deviation [ms] - incoming flows");
    tcp_rtt_stdev_loc = ("tcp_rtt_stdev_loc", 0, 1, 2000, N, "TCP flow RTT standard deviation [ms] - local flows");
    tcp_rtt_stdev_c2s = ("tcp_rtt_stdev_c2s", 0, 1, 2000, N, "TCP flow RTT standard deviation [ms] - client flows");
    tcp_rtt_stdev_s2c = ("tcp_rtt_stdev_s2c", 0, 1, 2000, N, "TCP flow RTT standard deviation [ms] - server flows");
    tcp_rtt_cnt_out = ("tcp_rtt_cnt_out", 0, 1, 200, N, "TCP flow RTT valid samples - outgoing flows");
    tcp_rtt_cnt_in = ("tcp_rtt_cnt_in", 0, 1, 200, N, "TCP flow RTT valid samples - incoming flows");
    tcp_rtt_cnt_loc = ("tcp_rtt_cnt_loc", 0, 1, 200, N, "TCP flow RTT valid samples - local flows");
    tcp_rtt_cnt_c2s = ("tcp_rtt_cnt_c2s", 0, 1, 200, N, "TCP flow RTT valid samples - client flows");
    tcp_rtt_cnt_s2c = ("tcp_rtt_cnt_s2c", 0, 1, 200, N, "TCP flow RTT valid samples - server flows");
    tcp_anomalies_in = ("tcp_anomalies_in", 0, 1, 64, N, "TCP total number of anomalies - incoming flows");
    tcp_anomalies_out = ("tcp_anomalies_out", 0, 1, 64, N, "TCP total number of anomalies - outgoing flows");
    tcp_anomalies_loc = ("tcp_anomalies_loc", 0, 1, 64, N, "TCP total number of anomalies - local flows");
    tcp_anomalies_c2s = ("tcp_anomalies_c2s", 0, 1, 64, N, "TCP total number of anomalies - client flows");
    tcp_anomalies_s2c = ("tcp_anomalies_s2c", 0, 1, 64, N, "TCP total number of anomalies - server flows");
    tcp_rtx_RTO_in = ("tcp_rtx_RTO_in", 0, 1, 100, N, "TCP Number of RTO Retransmission - incoming flows");
    tcp_rtx_RTO_out = ("tcp_rtx_RTO_out", 0, 1, 100, N, "TCP Number of RTO Retransmission - outgoing flows");
    tcp_rtx_RTO_loc = ("tcp_rtx_RTO_loc", 0, 1, 100, N, "TCP Number of RTO Retransmission - local flows");
    tcp_rtx_RTO_c2s = ("tcp_rtx_RTO_c2s", 0, 1, 100, N, "TCP Number of RTO Retransmission - client flows");
    tcp_rtx_RTO_s2c = ("tcp_rtx_RTO_s2c", 0, 1, 100, N, "TCP Number of RTO Retransmission - server flows");
    tcp_rtx_FR_in = ("tcp_rtx_FR_in", 0, 1, 100, N, "TCP number of FR Retransmission - incoming flows");
    tcp_rtx_FR_out = ("tcp_rtx_FR_out", 0, 1, 100, N, "TCP Number of FR Retransmission - outgoing flows");
    tcp_rtx_FR_loc = ("tcp_rtx_FR_loc", 0, 1, 100, N, "TCP Number of FR Retransmission - local flows");
    tcp_rtx_FR_c2s = ("tcp_rtx_FR_c2s", 0, 1, 100, N, "TCP Number of FR Retransmission - client flows");
    tcp_rtx_FR_s2c = ("tcp_rtx_FR_s2c", 0, 1, 100, N, "TCP number of FR Retransmission - server flows");
    tcp_reordering_in = ("tcp_reordering_in", 0, 1, 100, N, "TCP number of packet reordering - incoming flows");
    tcp_reordering_out = ("tcp_reordering_out", 0, 1, 100, N, "TCP number of packet reordering - outgoing flows");
    tcp_reordering_loc = ("tcp_reordering_loc", 0, 1, 100, N, "TCP number of packet reordering - local flows");
    tcp_reordering_c2s = ("tcp_reordering_c2s", 0, 1, 100, N, "TCP number of packet reordering - client flows");
    tcp_reordering_s2c = ("tcp_reordering_s2c", 0, 1, 100, N, "TCP number of packet reordering - server flows");
    tcp_net_dup_in = ("tcp_net_dup_in", 0, 1, 100, N, "TCP number of Network duplicates - incoming flows");
    tcp_net_dup_out = ("tcp_net_dup_out", 0, 1, 100, N, "TCP number of Network duplicates - outgoing flows");
    tcp_net_dup_loc = ("tcp_net_dup_out", 0, 1, 100, N, "TCP number of Network duplicates - local flows");
    tcp_net_dup_c2s = ("tcp_net_dup_c2s", 0, 1, 100, N, "TCP number of Network duplicates - client flows");
    tcp_net_dup_s2c = ("tcp_net_dup_s2c", 0, 1, 100, N, "TCP number of Network duplicates - server flows");
    tcp_unknown_in = ("tcp_unknown_in", 0, 1, 100, N, "TCP number of unknown anomalies - incoming flows");
    tcp_unknown_out = ("tcp_unknown_out", 0, 1, 100, N, "TCP number of unknown anomalies - outgoing flows");
    tcp_unknown_loc = ("tcp_unknown_loc", 0, 1, 100, N, "TCP number of unknown anomalies - local flows");
    tcp_unknown_c2s = ("tcp_unknown_c2s", 0, 1, 100, N, "TCP number of unknown anomalies - client flows");
    tcp_unknown_s2c = ("tcp_unknown_s2c", 0, 1, 100, N, "TCP number of unknown anomalies - server flows");
    tcp_flow_ctrl_in = ("tcp_flow_control_in", 0, 1, 100, N, "TCP number of Flow Control - incoming flows");
    tcp_flow_ctrl_out = ("tcp_flow_ctrl_out", 0, 1, 100, N, "TCP number of Flow Control - outgoing flows");
    tcp_flow_ctrl_loc = ("tcp_flow_ctrl_loc", 0, 1, 100, N, "TCP number of Flow Control - local flows");
    tcp_flow_ctrl_c2s = ("tcp_flow_ctrl_c2s", 0, 1, 100, N, "TCP number of Flow Control - client flows");
    tcp_flow_ctrl_s2c = ("tcp_flow_ctrl_s2c", 0, 1, 100, N, "TCP number of Flow Control - server flows");
    tcp_unnrtx_RTO_in = ("tcp_unnecessary_rtx_RTO_in", 0, 1, 100, N, "TCP number of Unneeded RTO retransmission - incoming flows");
    tcp_unnrtx_RTO_out = ("tcp_unnrtx_RTO_out", 0, 1, 100, N, "TCP number of Unneeded RTO retransmission - outgoing flows");
    tcp_unnrtx_RTO_loc = ("tcp_unnrtx_RTO_loc", 0, 1, 100, N, "TCP number of Unneeded RTO retransmission - local flows");
    tcp_unnrtx_RTO_c2s = ("tcp_unnrtx_RTO_c2s", 0, 1, 100, N, "TCP number of Unneeded RTO retransmission - client flows");
    tcp_unnrtx_RTO_s2c = ("tcp_unnrtx_RTO_s2c", 0, 1, 100, N, "TCP number of Unneeded RTO retransmission - server flows");
    tcp_unnrtx_FR_in = ("tcp_unnecessary_rtx_FR_in", 0, 1, 100, N, "TCP number of Unneeded FR retransmission - incoming flows");
    tcp_unnrtx_FR_out = ("tcp_unnrtx_FR_out", 0, 1, 100, N, "TCP number of Unneeded FR retransmission - outgoing flows");
    tcp_unnrtx_FR_loc = ("tcp_unnrtx_FR_loc", 0, 1, 100, N, "TCP number of Unneeded FR retransmission - local flows");
    tcp_unnrtx_FR_c2s = ("tcp_unnrtx_FR_c2s", 0, 1, 100, N, "TCP number of Unneeded FR retransmission - client flows");
    tcp_unnrtx_FR_s2c = ("tcp_unnrtx_FR_s2c", 0, 1, 100, N, "TCP number of Unneeded FR retransmission - server flows");
    tcp_tot_time = ("tcp_tot_time", 0, 50, 720000, N, "TCP flow lifetime [ms]");
    tcp_thru_c2s = ("tcp_thru_c2s", 0, 1, 1000, N, "TCP throughput [kbps] - client flows");
    tcp_thru_s2c = ("tcp_thru_s2c", 0, 1, 1000, N, "TCP throughput [kbps] - server flows");
    tcp_thru_lf_c2s = ("tcp_thru_lf_c2s", 0, 10, 20000, N, "TCP throughput [kbps] - client large flows");
    tcp_thru_lf_s2c = ("tcp_thru_lf_s2c", 0, 10, 20000, N, "TCP throughput [kbps] - server large flows");
    tcp_thru_lf_c_c2s = ("tcp_thru_lf_c_c2s", 0, 10, 20000, N, "TCP throughput [kbps] - cloud client large flows");
    tcp_thru_lf_c_s2c = ("tcp_thru_lf_c_s2c", 0, 10, 20000, N, "TCP throughput [kbps] - cloud server large flows");
    tcp_thru_lf_nc_c2s = ("tcp_thru_lf_nc_c2s", 0, 10, 20000, N, "TCP throughput [kbps] - non-cloud client large flows");
    tcp_thru_lf_nc_s2c = ("tcp_thru_lf_nc_s2c", 0, 10, 20000, N, "TCP throughput [kbps] - non-cloud server large flows");
    tcp_interrupted = ("tcp_interrupted", 0, 1, 1, N, "TCP Early interrupted flows");
    udp_cl_p_out = ("udp_cl_p_out", 0, 1, 1000, N, "UDP flow length [packet] - outgoing");
    udp_cl_p_in = ("udp_cl_p_in", 0, 1, 1000, N, "UDP flow length [packet] - incoming");
    udp_cl_p_loc = ("udp_cl_p_loc", 0, 1, 1000, N, "UDP flow length [packet] - local");
    udp_cl_b_s_out = ("udp_cl_b_s_out", 0, 50, 50000, N, "UDP flow length [byte] - outgoing");
    udp_cl_b_s_in = ("udp_cl_b_s_in", 0, 50, 50000, N, "UDP flow length [byte] - incoming");
    udp_cl_b_s_loc = ("udp_cl_b_s_loc", 0, 50, 50000, N, "UDP flow length [byte] - local");
    udp_cl_b_l_out = ("udp_cl_b_l_out", 0, 50000, 50000000, N, "UDP flow length [byte] - outgoing");
    udp_cl_b_l_in = ("udp_cl_b_l_in", 0, 50000, 50000000, N, "UDP flow length [byte] - incoming");
    udp_cl_b_l_loc = ("udp_cl_b_l_loc", 0, 50000, 50000000, N, "UDP flow length [byte] - local");
    udp_tot_time = ("udp_tot_time", 0, 50, 720000, N, "UDP flow lifetime [ms]");
    udp_port_dst_in = ("udp_port_dst_in", 0, 1, 65536, N, "UDP destination post - incoming packets");
    udp_port_dst_out = ("udp_port_dst_out", 0, 1, 65536, N, "UDP destination port - outgoing packets");
    udp_port_dst_loc = ("udp_port_dst_loc", 0, 1, 65536, N, "UDP destination port - local packets");
    udp_port_flow_dst = ("udp_port_flow_dst", 0, 1, 65536, N, "UDP destination port per flow");
    mm_type_in = ("mm_type_in", 0, 1, 8, N, "stream type - incoming flows");
    mm_type_out = ("mm_type_out", 0, 1, 8, N, "stream type - outgoing flows");
    mm_type_loc = ("mm_type_loc", 0, 1, 8, N, "stream type - local flows");
    mm_uni_multi_in = ("mm_uni_multi_in", 0, 1, 1, N, "unicast/multicast flows - incoming flows");
    mm_uni_multi_out = ("mm_uni_multi_out", 0, 1, 1, N, "unicast/multicast flows - outgoing flows");
    mm_uni_multi_loc = ("mm_uni_multi_loc", 0, 1, 1, N, "unicast/multicast flows - local flows");
    mm_rtp_pt_in = ("mm_rtp_pt_in", 0, 1, 128, N, "RTP payload type");
    mm_rtp_pt_out = ("mm_rtp_pt_out", 0, 1, 128, N, "RTP payload type");
    mm_rtp_pt_loc = ("mm_rtp_pt_loc", 0, 1, 128, N, "RTP payload type");
    mm_tot_time_in = ("mm_tot_time_in", 0, 1, 5400, N, "stream flow lifetime [s] - incoming flows");
    mm_tot_time_out = ("mm_tot_time_out", 0, 1, 5400, N, "stream flow lifetime [s] - outgoing flows");
    mm_tot_time_loc = ("mm_tot_time_loc", 0, 1, 5400, N, "stream flow lifetime [s] - local flows");
    mm_tot_time_s_in = ("mm_tot_time_s_in", 0, 1, 5000, N, "short stream flow lifetime [ms] - incoming flows");
    mm_tot_time_s_out = ("mm_tot_time_s_out", 0, 1, 5000, N, "short stream flow lifetime [ms] - outgoing flows");
    mm_tot_time_s_loc = ("mm_tot_time_s_loc", 0, 1, 5000, N, "short stream flow lifetime [ms] - local flows");
    mm_cl_p_out = ("mm_cl_p_out", 0, 10, 50000, N, "long stream flow length [packet] - outgoing flows");
    mm_cl_p_in = ("mm_cl_p_in", 0, 10, 50000, N, "long stream flow length [packet] - incoming flows");
    mm_cl_p_loc = ("mm_cl_p_loc", 0, 10, 50000, N, "long stream flow length [packet] - local flows");
    mm_cl_b_out = ("mm_cl_b_out", 0, 50000, 100000000, N, "long stream flow length [bytes] - outgoing flows");
    mm_cl_b_in = ("mm_cl_b_in", 0, 50000, 100000000, N, "long stream flow length [bytes] - incoming flows");
    mm_cl_b_loc = ("mm_cl_b_loc", 0, 50000, 100000000, N, "long stream flow length [bytes] - local flows");
    mm_cl_p_s_out = ("mm_cl_p_s_out", 0, 1, 1000, N, "short stream flow length [packet] - outgoing flows");
    mm_cl_p_s_in = ("mm_cl_p_s_in", 0, 1, 1000, N, "short stream flow length [packet] - incoming flows");
    mm_cl_p_s_loc = ("mm_cl_p_s_loc", 0, 1, 1000, N, "short stream flow length [packet] - local flows");
    mm_cl_b_s_out = ("mm_cl_b_s_out", 0, 100, 100000, N, "short stream flow length [bytes] - outgoing flows");
    mm_cl_b_s_in = ("mm_cl_b_s_in", 0, 100, 100000, N, "short stream flow length [bytes] - incoming flows");
    mm_cl_b_s_loc = ("mm_cl_b_s_loc", 0, 100, 100000, N, "short stream flow length [bytes] - local flows");
    mm_avg_bitrate_out = ("mm_avg_bitrate_out", 0, 10, 10000, N, "stream bitrate [kbit/s] - outgoing flows");
    mm_avg_bitrate_in = ("mm_avg_bitrate_in", 0, 10, 10000, N, "stream bitrate [kbit/s] - incoming flows");
    mm_avg_bitrate_loc = ("mm_avg_bitrate_loc", 0, 10, 10000, N, "stream bitrate [kbit/s] - local flows");
    mm_avg_ipg_in = ("mm_avg_ipg_in", 0, 1, 5000, N, "stream average IPG [0.1 ms]- incoming flows");
    mm_avg_ipg_out = ("mm_avg_ipg_out", 0, 1, 5000, N, "stream average IPG [0.1 ms] - outgoing flows");
    mm_avg_ipg_loc = ("mm_avg_ipg_loc", 0, 1, 5000, N, "stream average IPG [0.1 ms] - local flows");
    mm_avg_jitter_in = ("mm_avg_jitter_in", 0, 1, 5000, N, "stream average jitter [0.1 ms] - incoming flows");
    mm_avg_jitter_out = ("mm_avg_jitter_out", 0, 1, 5000, N, "stream average jitter [0.1 ms] - outgoing flows");
    mm_avg_jitter_loc = ("mm_avg_jitter_loc", 0, 1, 5000, N, "stream average jitter [0.1 ms] - local flows");
    mm_n_oos_in = ("mm_n_oos_in", 0, 1, 100, N, "stream number of out-of-sequence packets - incoming flows");
    mm_n_oos_out = ("mm_n_oos_out", 0, 1, 100, N, "stream number of out-of-sequence packets - outgoing flows");
    mm_n_oos_loc = ("mm_n_oos_loc", 0, 1, 100, N, "stream number of out-of-sequence packets - local flows");
    mm_p_oos_in = ("mm_p_oos_in", 0, 1, 1000, N, "stream prob of out-of-sequence packets - incoming flows");
    mm_p_oos_out = ("mm_p_oos_out", 0, 1, 1000, N, "stream prob of out-of-sequence packets - outgoing flows");
    mm_p_oos_loc = ("mm_p_oos_loc", 0, 1, 1000, N, "stream prob of out-of-sequence packets - local flows");
    mm_p_dup_in = ("mm_p_dup_in", 0, 1, 1000, N, "stream prob of duplicate packets - incoming flows ");
    mm_p_dup_out = ("mm_p_dup_out", 0, 1, 1000, N, "stream prob of duplicate packets - outgoing flows");
    mm_p_dup_loc = ("mm_p_dup_loc", 0, 1, 1000, N, "stream prob of duplicate packets - local flows");
    mm_p_lost_in = ("mm_p_lost_in", 0, 1, 1000, N, "stream prob of lost packets - incoming flows ");
    mm_p_lost_out = ("mm_p_lost_out", 0, 1, 1000, N, "stream prob of lost packets - outgoing flows");
    mm_p_lost_loc = ("mm_p_lost_loc", 0, 1, 1000, N, "stream prob of lost packets - local flows");
    mm_p_late_in = ("mm_p_late_in", 0, 1, 1000, N, "stream prob of late packets - incoming flows ");
    mm_p_late_out = ("mm_p_late_out", 0, 1, 1000, N, "stream prob of late packets - outgoing flows");
    mm_p_late_loc = ("mm_p_late_loc", 0, 1, 1000, N, "stream prob of late packets - local flows");
    mm_burst_loss_in = ("mm_burst_loss_in", 0, 1, 20, N, "stream burst length [packet]- incoming flows ");
    mm_burst_loss_out = ("mm_burst_loss_out", 0, 1, 20, N, "stream burst length [packet] - outgoing flows");
    mm_burst_loss_loc = ("mm_burst_loss_loc", 0, 1, 20, N, "stream burst length [packet] - local flows");
    mm_reord_p_n_in = ("mm_reord_p_n_in", 0, 1, 0, N, "stream number of reordered packets - incoming flows ");
    mm_reord_p_n_out = ("mm_reord_p_n_out", 0, 1, 0, N, "stream number of reordered packets - outgoing flows");
    mm_reord_p_n_loc = ("mm_reord_p_n_loc", 0, 1, 0, N, "stream number of reordered packets - local flows");
    mm_reord_delay_in = ("mm_reord_delay_in", 0, 1, 100, N, "stream delay of reordered packets - incoming flows ");
    mm_reord_delay_out = ("mm_reord_delay_out", 0, 1, 100, N, "stream delay of reordered packets - outgoing flows");
    mm_reord_delay_loc = ("mm_reord_delay_loc", 0, 1, 100, N, "stream delay of reordered packets - local flows");
    mm_oos_p_in = ("mm_oos_p_in", 0, 1, 0, N, "stream number of out of sequence packets - incoming flows");
    mm_oos_p_out = ("mm_oos_p_out", 0, 1, 0, N, "stream number of out of sequence packets - outgoing flows");
    mm_oos_p_loc = ("mm_oos_p_loc", 0, 1, 0, N, "stream number of out of sequence packets - local flows");
    rtcp_cl_p_out = ("rtcp_cl_p_out", 0, 1, 3000, N, "RTCP flow length [packet] - outgoing flows");
    rtcp_cl_p_in = ("rtcp_cl_p_in", 0, 1, 3000, N, "RTCP flow length [packet] - incoming flows");
    rtcp_cl_p_loc = ("rtcp_cl_p_loc", 0, 1, 3000, N, "RTCP flow length [packet] - local flows");
    rtcp_cl_b_out = ("rtcp_cl_b_out", 0, 1, 3000, N, "RTCP flow length [bytes] - outgoing flows");
    rtcp_cl_b_in = ("rtcp_cl_b_in", 0, 1, 3000, N, "RTCP flow length [bytes] - incoming flows");
    rtcp_cl_b_loc = ("rtcp_cl_b_loc", 0, 1, 3000, N, "RTCP flow length [bytes] - local flows");
    rtcp_avg_inter_in = ("rtcp_avg_inter_in", 0, 1, 5000, N, "RTCP interarrival delay - incoming flows");
    rtcp_avg_inter_out = ("rtcp_avg_inter_out", 0, 1, 5000, N, "RTCP interarrival delay - outgoing flows");
    rtcp_avg_inter_loc = ("rtcp_avg_inter_loc", 0, 1, 5000, N, "RTCP interarrival delay - local flows");
    rtcp_rtt_in = ("rtcp_rtt_in", 0, 1, 3000, N, "RTCP round trip time [ms] - incoming flows");
    rtcp_rtt_loc = ("rtcp_rtt_loc", 0, 1, 3000, N, "RTCP round trip time [ms] - local flows");
    rtcp_rtt_out = ("rtcp_rtt_out", 0, 1, 3000, N, "RTCP round trip time [ms] - outgoing flows");
    rtcp_jitter_in = ("rtcp_jitter_in", 0, 1, 1000, N, "RTCP jitter during interval - incoming flows");
    rtcp_jitter_loc = ("rtcp_jitter_loc", 0, 1, 1000, N, "RTCP jitter during interval - local flows");
    rtcp_jitter_out = ("rtcp_jitter_out", 0, 1, 1000, N, "RTCP jitter during interval - outgoing flows");
    rtcp_lost_in = ("rtcp_lost_in", 0, 1, 1000, N, "RTCP lost packets during interval - incoming flows");
    rtcp_lost_loc = ("rtcp_lost_loc", 0, 1, 1000, N, "RTCP lost packets during interval - local flows");
    rtcp_lost_out = ("rtcp_lost_out", 0, 1, 1000, N, "RTCP lost packets during interval - outgoing flows");
    rtcp_dup_in = ("rtcp_dup_in", 0, 1, 1000, N, "RTCP duplicated packets during interval - incoming flows");
    rtcp_dup_loc = ("rtcp_dup_loc", 0, 1, 1000, N, "RTCP duplicated packets during interval - local flows");
    rtcp_dup_out = ("rtcp_dup_out", 0, 1, 1000, N, "RTCP duplicated packets during interval - outgoing flows");
    rtcp_f_lost_in = ("rtcp_f_lost_in", 0, 1, 1000, N, "RTCP fraction of lost packets during interval [%.] - incoming flows");
    rtcp_f_lost_loc = ("rtcp_f_lost_loc", 0, 1, 1000, N, "RTCP fraction of lost packets during interval [%.] - local flows");
    rtcp_f_lost_out = ("rtcp_f_lost_out", 0, 1, 1000, N, "RTCP fraction of lost packets during interval [%.] - outgoing flows");
    rtcp_t_lost_in = ("rtcp_t_lost_in", 0, 10, 10000, N, "RTCP lost packets per flow - incoming flows");
    rtcp_t_lost_loc = ("rtcp_t_lost_loc", 0, 10, 10000, N, "RTCP lost packets per flow - local flows");
    rtcp_t_lost_out = ("rtcp_t_lost_out", 0, 10, 10000, N, "RTCP lost packets per flow - outgoing flows");
    rtcp_mm_cl_p_in = ("rtcp_mm_cl_p_in", 0, 10, 50000, N, "RTCP associated MM flow length [pkts] - incoming flows");
    rtcp_mm_cl_p_loc = ("rtcp_mm_cl_p_loc", 0, 10, 50000, N, "RTCP associated MM flow length [pkts] - local flows");
    rtcp_mm_cl_p_out = ("rtcp_mm_cl_p_out", 0, 10, 50000, N, "RTCP associeted MM flow length [pkts] - outgoing flows");
    rtcp_mm_cl_b_in = ("rtcp_mm_cl_b_in", 0, 50000, 100000000, N, "RTCP assocaited MM flow length [bytes] - incoming flows");
    rtcp_mm_cl_b_loc = ("rtcp_mm_cl_b_loc", 0, 50000, 100000000, N, "RTCP associated MM flow length [bytes] - local flows");
    rtcp_mm_cl_b_out = ("rtcp_mm_cl_b_out", 0, 50000, 100000000, N, "RTCP associated MM flow length [bytes] - outgoing flows");
    rtcp_mm_bt_in = ("rtcp_mm_bt_in", 0, 1, 5000, N, "RTCP associated MM flow avg bitrate during interval [kbit/s] - incoming flows");
    rtcp_mm_bt_loc = ("rtcp_mm_bt_loc", 0, 1, 5000, N, "RTCP associated MM flow avg bitrate during interval [kbit/s] - local flows");
    rtcp_mm_bt_out = ("rtcp_mm_bt_out", 0, 1, 5000, N, "RTCP associated MM flow average bitrate during interval [kbit/s] - outgoing flows");
    rtcp_bt_in = ("rtcp_bt_in", 0, 10, 10000, N, "RTCP average bitrate [bit/s] - incoming flows");
    rtcp_bt_loc = ("rtcp_bt_loc", 0, 10, 10000, N, "RTCP average bitrate [bit/s] - local flows");
    rtcp_bt_out = ("rtcp_bt_out", 0, 10, 10000, N, "RTCP average bitrate [bit/s] - outgoing flows");
    L4_flow_number = ("L4_flow_number", 0, 1, 2, N, "Number of tracked TCP/UDP flow");
    L7_TCP_num_out = ("L7_TCP_num_out", 0, 1, 50, N, "Number of tracked TCP flow per applications - outgoing flows");
    L7_TCP_num_in = ("L7_TCP_num_in", 0, 1, 50, N, "Number of tracked TCP flow per applications - incoming flows ");
    L7_TCP_num_loc = ("L7_TCP_num_loc", 0, 1, 50, N, "Number of tracked TCP flow per applications - local flows");
    L7_TCP_num_c_out = ("L7_TCP_num_c_out", 0, 1, 50, N, "Number of tracked TCP flow per applications - cloud outgoing flows");
    L7_TCP_num_c_in = ("L7_TCP_num_c_in", 0, 1, 50, N, "Number of tracked TCP flow per applications - cloud incoming flows ");
    L7_TCP_num_nc_out = ("L7_TCP_num_nc_out", 0, 1, 50, N, "Number of tracked TCP flow per applications - non-cloud outgoing flows");
    L7_TCP_num_nc_in = ("L7_TCP_num_nc_in", 0, 1, 50, N, "Number of tracked TCP flow per applications - non-cloud incoming flows ");
    L7_UDP_num_out = ("L7_UDP_num_out", 0, 1, 50, N, "Number of tracked UDP flow per applications - outgoing flows");
    L7_UDP_num_in = ("L7_UDP_num_in", 0, 1, 50, N, "Number of tracked UDP flow per applications - incoming flows ");
    L7_UDP_num_loc = ("L7_UDP_num_loc", 0, 1, 50, N, "Number of tracked UDP flow per applications - local flows");
    L7_UDP_num_c_out = ("L7_UDP_num_c_out", 0, 1, 50, N, "Number of tracked UDP flow per applications - cloud outgoing flows");
    L7_UDP_num_c_in = ("L7_UDP_num_c_in", 0, 1, 50, N, "Number of tracked UDP flow per applications - cloud incoming flows ");
    L7_UDP_num_nc_out = ("L7_UDP_num_nc_out", 0, 1, 50, N, "Number of tracked UDP flow per applications - non-cloud outgoing flows");
    L7_UDP_num_nc_in = ("L7_UDP_num_nc_in", 0, 1, 50, N, "Number of tracked UDP flow per applications - non-cloud incoming flows ");
    udp_bitrate_in = ("udp_bitrate_in", 0, 1, 50, F, "UDP application bitrate [bit/s] - incoming segments");
    udp_bitrate_out = ("udp_bitrate_out", 0, 1, 50, F, "UDP application bitrate [bit/s] - outgoing segments");
    udp_bitrate_loc = ("udp_bitrate_loc", 0, 1, 50, F, "UDP application bitrate [bit/s] - local segments");
    udp_bitrate_c_in = ("udp_bitrate_c_in", 0, 1, 50, F, "UDP application bitrate [bit/s] - cloud incoming segments");
    udp_bitrate_c_out = ("udp_bitrate_c_out", 0, 1, 50, F, "UDP application bitrate [bit/s] - cloud outgoing segments");
    udp_bitrate_nc_in = ("udp_bitrate_nc_in", 0, 1, 50, F, "UDP application bitrate [bit/s] - non-cloud incoming segments");
    udp_bitrate_nc_out = ("udp_bitrate_nc_out", 0, 1, 50, F, "UDP application bitrate [bit/s] - non-cloud outgoing segments");
    L7_HTTP_num_out = ("L7_HTTP_num_out", 0, 1, 27, N, "Number of tracked HTTP flows - outgoing flows");
    L7_HTTP_num_in = ("L7_HTTP_num_in", 0, 1, 27, N, "Number of tracked HTTP flows - incoming flows ");
    L7_HTTP_num_loc = ("L7_HTTP_num_loc", 0, 1, 27, N, "Number of tracked HTTP flows - local flows");
    L7_HTTP_num_c_out = ("L7_HTTP_num_c_out", 0, 1, 27, N, "Number of tracked HTTP flows - cloud outgoing flows");
    L7_HTTP_num_c_in = ("L7_HTTP_num_c_in", 0, 1, 27, N, "Number of tracked HTTP flows - cloud incoming flows ");
    L7_HTTP_num_nc_out = ("L7_HTTP_num_nc_out", 0, 1, 27, N, "Number of tracked HTTP flows - non-cloud outgoing flows");
    L7_HTTP_num_nc_in = ("L7_HTTP_num_nc_in", 0, 1, 27, N, "Number of tracked HTTP flows - non-cloud incoming flows ");
    http_bitrate_in = ("http_bitrate_in", 0, 1, 27, F, "HTTP content bitrate [bit/s] - incoming segments");
    http_bitrate_out = ("http_bitrate_out", 0, 1, 27, F, "HTTP content bitrate [bit/s] - outgoing segments");
    http_bitrate_loc = ("http_bitrate_loc", 0, 1, 27, F, "HTTP content bitrate [bit/s] - local segments");
    http_bitrate_c_in = ("http_bitrate_c_in", 0, 1, 27, F, "HTTP content bitrate [bit/s] - cloud incoming segments");
    http_bitrate_c_out = ("http_bitrate_c_out", 0, 1, 27, F, "HTTP content bitrate [bit/s] - cloud outgoing segments");
    http_bitrate_nc_in = ("http_bitrate_nc_in", 0, 1, 27, F, "HTTP content bitrate [bit/s] - cloud incoming segments");
    http_bitrate_nc_out = ("http_bitrate_nc_out", 0, 1, 27, F, "HTTP content bitrate [bit/s] - cloud outgoing segments");
    L7_VIDEO_num_out = ("L7_VIDEO_num_out", 0, 1, 14, N, "Number of tracked VIDEO flows - outgoing flows");
    L7_VIDEO_num_in = ("L7_VIDEO_num_in", 0, 1, 14, N, "Number of tracked VIDEO flows - incoming flows ");
    L7_VIDEO_num_loc = ("L7_VIDEO_num_loc", 0, 1, 14, N, "Number of tracked VIDEO flows - local flows");
    L7_VIDEO_num_c_out = ("L7_VIDEO_num_c_out", 0, 1, 14, N, "Number of tracked VIDEO flows - cloud outgoing flows");
    L7_VIDEO_num_c_in = ("L7_VIDEO_num_c_in", 0, 1, 14, N, "Number of tracked VIDEO flows - cloud incoming flows ");
    L7_VIDEO_num_nc_out = ("L7_VIDEO_num_nc_out", 0, 1, 14, N, "Number of tracked VIDEO flows - non-cloud outgoing flows");
    L7_VIDEO_num_nc_in = ("L7_VIDEO_num_nc_in", 0, 1, 14, N, "Number of tracked VIDEO flows - non-cloud incoming flows ");
    video_rate_in = ("video_rate_in", 0, 1, 14, F, "VIDEO content bitrate [bit/s] - incoming segments");
    video_rate_out = ("video_rate_out", 0, 1, 14, F, "VIDEO content bitrate [bit/s] - outgoing segments");
    video_rate_loc = ("video_rate_loc", 0, 1, 14, F, "VIDEO content bitrate [bit/s] - local segments");
    video_rate_c_in = ("video_rate_c_in", 0, 1, 14, F, "VIDEO content bitrate [bit/s] - cloud incoming segments");
    video_rate_c_out = ("video_rate_c_out", 0, 1, 14, F, "VIDEO content bitrate [bit/s] - cloud outgoing segments");
    video_rate_nc_in = ("video_rate_nc_in", 0, 1, 14, F, "VIDEO content bitrate [bit/s] - cloud incoming segments");
    video_rate_nc_out = ("video_rate_nc_out", 0, 1, 14, F, "VIDEO content bitrate [bit/s] - cloud outgoing segments");
    L7_WEB_num_out = ("L7_WEB_num_out", 0, 1, 8, N, "Number of tracked Web 2.0 flows - outgoing flows");
    L7_WEB_num_in = ("L7_WEB_num_in", 0, 1, 8, N, "Number of tracked Web 2.0 flows - incoming flows ");
    L7_WEB_num_loc = ("L7_WEB_num_loc", 0, 1, 8, N, "Number of tracked Web 2.0 flows - local flows");
    web_bitrate_in = ("web_bitrate_in", 0, 1, 8, F, "Web 2.0 content bitrate [bit/s] - incoming segments");
    web_bitrate_out = ("web_bitrate_out", 0, 1, 8, F, "Web 2.0 content bitrate [bit/s] - outgoing segments");
    web_bitrate_loc = ("web_bitrate_loc", 0, 1, 8, F, "Web 2.0 content bitrate [bit/s] - local segments");
    L7_TLS_num_out = ("L7_TLS_num_out", 0, 1, 9, N, "Number of tracked TLS flows - outgoing flows");
    L7_TLS_num_in = ("L7_TLS_num_in", 0, 1, 9, N, "Number of tracked TLS flows - incoming flows ");
    L7_TLS_num_loc = ("L7_TLS_num_loc", 0, 1, 9, N, "Number of tracked TLS flows - local flows");
    tls_bitrate_in = ("tls_bitrate_in", 0, 1, 9, F, "TLS content bitrate [bit/s] - incoming segments");
    tls_bitrate_out = ("tls_bitrate_out", 0, 1, 9, F, "TLS content bitrate [bit/s] - outgoing segments");
    tls_bitrate_loc = ("tls_bitrate_loc", 0, 1, 9, F, "TLS content bitrate [bit/s] - local segments");
    L3_protocol_out = ("L3_protocol_out", 0, 1, 6, N, "Layer 3 protocols - outgoing packets");
    L3_protocol_in = ("L3_protocol_in", 0, 1, 6, N, "Layer 3 protocols - incoming packets");
    L3_protocol_loc = ("L3_protocol_loc", 0, 1, 6, N, "Layer 3 protocols - local packets");
    L3_bitrate_in = ("L3_bitrate_in", 0, 1, 6, F, "Layer 3 bitrate [bit/s] - incoming packets");
    L3_bitrate_out = ("L3_bitrate_out", 0, 1, 9, F, "Layer 3 bitrate [bit/s] - outgoing packets");
    L3_bitrate_loc = ("L3_bitrate_loc", 0, 1, 6, F, "Layer 3 bitrate [bit/s] - local packets");
    chat_flow_num = ("chat_flow_num", 0, 1, 7, F, "Number of tracked IM flow");
    g_tcp_bitrate_in = ("g_tcp_bitrate_in", 0, 100, 1000000, G, "Global TCP bitrate IN [kbit/s]");
    g_tcp_bitrate_loc = ("g_tcp_bitrate_loc", 0, 100, 1000000, G, "Global TCP bitrate LOC [kbit/s]");
    g_tcp_bitrate_out = ("g_tcp_bitrate_out", 0, 100, 1000000, G, "Global TCP bitrate OUT [kbit/s]");
    g_udp_bitrate_in = ("g_udp_bitrate_in", 0, 100, 1000000, G, "Global UDP bitrate IN [kbit/s]");
    g_udp_bitrate_loc = ("g_udp_bitrate_loc", 0, 100, 1000000, G, "Global UDP bitrate LOC [kbit/s]");
    g_udp_bitrate_out = ("g_udp_bitrate_out", 0, 100, 1000000, G, "Global UDP bitrate OUT [kbit/s]");
    g_icmp_bitrate_in = ("g_icmp_bitrate_in", 0, 100, 1000000, G, "Global ICMP bitrate IN [kbit/s]");
    g_icmp_bitrate_loc = ("g_icmp_bitrate_loc", 0, 100, 1000000, G, "Global ICMP bitrate LOC [kbit/s]");
    g_icmp_bitrate_out = ("g_icmp_bitrate_out", 0, 100, 1000000, G, "Global ICMP bitrate OUT [kbit/s]");
    g_other_bitrate_in = ("g_other_bitrate_in", 0, 100, 1000000, G, "Global OTHER bitrate IN [kbit/s]");
    g_other_bitrate_loc = ("g_other_bitrate_loc", 0, 100, 1000000, G, "Global OTHER bitrate LOC [kbit/s]");
    g_other_bitrate_out = ("g_other_bitrate_out", 0, 100, 1000000, G, "Global OTHER bitrate OUT [kbit/s]");
    profile_cpu = ("profile_cpu", 0, 1, 4, F, "cpu load [clock/time]");
    profile_flows = ("profile_flows", 0, 1, 5, F, "flows handled");
    profile_tcpdata = ("profile_tcpdata", 0, 1, 3, F, "tcp data volume");
    profile_trash = ("profile_trash", 0, 1, 1, N, "trash TCP packets");
}
