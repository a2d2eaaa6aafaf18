//! Logs whose rows this build does not produce yet.
//!
//! Tstat creates every log that runtime.conf enables, with its header line, even when no row
//! follows. Scripts open these files unconditionally, so we create them the same way; the
//! run prints a warning naming each one, because an empty file here means "not computed",
//! not "no such traffic".

use std::io;
use std::path::Path;

use crate::config::runtime::{LogKind, Runtime};
use crate::sink::columns;
use crate::sink::file::{Compression, LogFile};

/// log_mm_complete (RTP/RTCP), columns 1-53.
const MM: &[&str] = &[
    "a_proto",
    "direction",
    "c_proto",
    "c_ip",
    "c_port",
    "c_internal",
    "c_iscrypto",
    "c_mux_prot",
    "s_proto",
    "s_ip",
    "s_port",
    "s_internal",
    "s_iscrypto",
    "s_mux_prot",
    "packets",
    "ipg",
    "jitter_avg",
    "jitter_max",
    "jitter_min",
    "ttl_avg",
    "ttl_max",
    "ttl_min",
    "starttime",
    "duration",
    "databytes",
    "speed",
    "SSRC",
    "losses",
    "oos",
    "dup",
    "late",
    "pt_id",
    "pt_counters",
    "bogus",
    "rtcp_losses",
    "rtcp_fraclost",
    "rtcp_lenpack",
    "rtcp_lenbytes",
    "rtt_avg",
    "rtt_max",
    "rtt_min",
    "rtt_samples",
    "rtcp_trunc",
    "rtp_max_payload",
    "rtp_min_payload",
    "rtp_avg_payload",
    "rtp_stdev_payload",
    "jitter8k_avg",
    "jitter8k_max",
    "jitter8k_min",
    "jitter90k_avg",
    "jitter90k_max",
    "jitter90k_min",
];

/// log_chat_complete (MSN/XMPP/YMSG), columns 1-30.
const CHAT: &[&str] = &[
    "c_ip",
    "c_port",
    "c_bytes_uniq",
    "c_pkts_all",
    "c_msn",
    "c_msn_a",
    "c_msn_d",
    "c_msn_n",
    "c_msn_u",
    "c_msn_y",
    "s_ip",
    "s_port",
    "s_bytes_uniq",
    "s_pkts_all",
    "s_msn",
    "s_msn_a",
    "s_msn_d",
    "s_msn_n",
    "s_msn_u",
    "s_msn_y",
    "first_tm",
    "durat",
    "type",
    "ver",
    "c_isint",
    "flowid",
    "T",
    "con_t",
    "c_iscrypto",
    "s_iscrypto",
];

/// log_chat_messages, columns 1-7.
const CHAT_MESSAGES: &[&str] = &[
    "idflow", "type", "dir", "paylen", "first_tm", "durat", "con_t",
];

/// log_dns_complete: one row per resource record, columns 1-22.
const DNS: &[&str] = &[
    "c_ip",
    "c_port",
    "c_isint",
    "c_iscrypto",
    "s_ip",
    "s_port",
    "s_isint",
    "s_iscrypto",
    "time",
    "entry",
    "trans_id",
    "query",
    "ttl",
    "class",
    "type",
    "answer",
    "flags",
    "qdcount",
    "ancount",
    "nscount",
    "arcount",
    "pkt_size",
];

/// log_http_complete request rows (`#C#`), tab separated.
const HTTP_REQUEST: &[&str] = &[
    "c_ip",
    "c_port",
    "s_ip",
    "s_port",
    "time_abs",
    "method",
    "hostname",
    "fqdn",
    "path",
    "referer",
    "user_agent",
    "cookie",
    "dnt",
];

/// log_http_complete response rows (`#S#`), tab separated.
const HTTP_RESPONSE: &[&str] = &[
    "c_ip",
    "c_port",
    "s_ip",
    "s_port",
    "time_abs",
    "HTTP",
    "response",
    "content_len",
    "content_type",
    "server",
    "range",
    "location",
    "set_cookie",
];

/// log_video_complete: columns every level prints after the TCP core (and E2E) blocks.
const VIDEO_CORE: &[&str] = &["vd_type_cont", "vd_type_pay", "yt_id16_46", "yt_itag"];
const VIDEO_INFO: &[&str] = &["vd_dur", "vd_rate_tot", "vd_width", "vd_height"];
const VIDEO_YOUTUBE: &[&str] = &[
    "yt_id11",
    "yt_seek",
    "yt_red_mode",
    "yt_red_cnt",
    "yt_mobile",
    "yt_stream",
];
const VIDEO_RATE_SUMMARY: &[&str] = &[
    "rate_smpl",
    "rate_zero",
    "rate_streak",
    "rate_avg",
    "rate_std",
    "rate_min",
    "rate_max",
];
/// Rate samples and message sizes kept per video flow (Tstat's fixed array lengths).
const VIDEO_RATE_SAMPLES: usize = 10;
const VIDEO_MESSAGE_SIZES: usize = 10;

/// videolog bits of runtime.conf [options], as Tstat numbers them.
mod videolog {
    pub const END_TO_END: u32 = 1;
    pub const LAYER7: u32 = 2;
    pub const OPTIONS: u32 = 4;
    pub const VIDEOINFO: u32 = 8;
    pub const YOUTUBE: u32 = 16;
    pub const ADVANCED: u32 = 32;
}

/// The logs this module writes, in the order a run reports them.
pub const KINDS: &[LogKind] = &[
    #[cfg(not(feature = "dpi"))]
    LogKind::MmComplete,
    LogKind::SkypeComplete,
    #[cfg(not(feature = "dpi"))]
    LogKind::ChatComplete,
    #[cfg(not(feature = "dpi"))]
    LogKind::ChatMessages,
    LogKind::VideoComplete,
    #[cfg(not(feature = "http-log"))]
    LogKind::HttpComplete,
    #[cfg(not(feature = "dns-log"))]
    LogKind::DnsComplete,
];

/// The video log's column names for a videolog level: the TCP core, then each set in
/// Tstat's order.
fn video_columns(level: u32) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |group: &[&str]| names.extend(group.iter().map(|n| n.to_string()));
    add(columns::TCP_CORE);
    if level & videolog::END_TO_END != 0 {
        add(columns::TCP_E2E);
    }
    add(VIDEO_CORE);
    if level & videolog::VIDEOINFO != 0 {
        add(VIDEO_INFO);
    }
    if level & videolog::YOUTUBE != 0 {
        add(VIDEO_YOUTUBE);
    }
    if level & videolog::ADVANCED != 0 {
        for side in ["c", "s"] {
            names.extend(VIDEO_RATE_SUMMARY.iter().map(|n| format!("{side}_{n}")));
        }
        for side in ["c", "s"] {
            names.extend((1..=VIDEO_RATE_SAMPLES).map(|i| format!("{side}_rate{i}")));
        }
        names.push("s_msg".into());
        names.extend((1..=VIDEO_MESSAGE_SIZES).map(|i| format!("s_msgsize{i}")));
    }
    let mut add = |group: &[&str]| names.extend(group.iter().map(|n| n.to_string()));
    if level & videolog::OPTIONS != 0 {
        add(columns::TCP_OPTIONS);
    }
    if level & videolog::LAYER7 != 0 {
        add(columns::TCP_LAYER7);
    }
    names
}

/// `prefix` then `name:index` pairs joined by `sep`, one line.
fn header_line(prefix: &str, names: &[&str], sep: char) -> String {
    let mut out = String::from(prefix);
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&(i + 1).to_string());
    }
    out.push('\n');
    out
}

/// The whole header text of a header-only log. Tstat 3.2.1 writes no header in
/// log_skype_complete, so that file starts empty.
pub fn header_text(kind: LogKind, runtime: &Runtime) -> Option<String> {
    Some(match kind {
        LogKind::VideoComplete => {
            let level = runtime.videolog_level;
            let names = video_columns(level);
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            header_line(&format!("#{level:02}#"), &names, ' ')
        }
        LogKind::MmComplete => header_line("#", MM, ' '),
        LogKind::SkypeComplete => String::new(),
        LogKind::ChatComplete => header_line("#", CHAT, ' '),
        LogKind::ChatMessages => header_line("#", CHAT_MESSAGES, ' '),
        LogKind::DnsComplete => header_line("#", DNS, ' '),
        LogKind::HttpComplete => {
            header_line("#C#", HTTP_REQUEST, '\t') + &header_line("#S#", HTTP_RESPONSE, '\t')
        }
        _ => return None,
    })
}

/// Create every enabled header-only log in `dir`, complete (no row will follow); returns
/// the kinds created.
pub fn create(dir: &Path, runtime: &Runtime, compression: Compression) -> io::Result<Vec<LogKind>> {
    let mut created = Vec::new();
    for &kind in KINDS {
        if !runtime.log_enabled(kind) {
            continue;
        }
        if let Some(text) = header_text(kind, runtime) {
            let mut file = LogFile::create(dir, kind.file_name(), compression)?;
            file.write_line(text.as_bytes(), 0);
            file.finish().result?;
            created.push(kind);
        }
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_header_has_both_row_kinds_tab_separated() {
        let text = header_text(LogKind::HttpComplete, &Runtime::default()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("#C#c_ip:1\tc_port:2\ts_ip:3"));
        assert!(lines[0].ends_with("\tcookie:12\tdnt:13"));
        assert!(lines[1].starts_with("#S#c_ip:1\t"));
        assert!(lines[1].ends_with("\tlocation:12\tset_cookie:13"));
    }

    #[test]
    fn numbering_follows_the_column_lists() {
        let rt = Runtime::default();
        let mm = header_text(LogKind::MmComplete, &rt).unwrap();
        assert!(mm.starts_with("#a_proto:1 direction:2 c_proto:3 "));
        assert!(mm.ends_with(" jitter90k_min:53\n"));
        let dns = header_text(LogKind::DnsComplete, &rt).unwrap();
        assert!(dns.ends_with(" arcount:21 pkt_size:22\n"));
        assert_eq!(header_text(LogKind::SkypeComplete, &rt).unwrap(), "");
        assert_eq!(header_text(LogKind::TcpComplete, &rt), None);
    }

    #[test]
    fn video_header_follows_its_level() {
        let mut rt = Runtime::default();
        rt.videolog_level = 0;
        let bare = header_text(LogKind::VideoComplete, &rt).unwrap();
        assert!(bare.starts_with("#00#c_ip:1 "));
        assert!(
            bare.ends_with(" http_t:44 vd_type_cont:45 vd_type_pay:46 yt_id16_46:47 yt_itag:48\n")
        );
        rt.videolog_level = 32;
        let advanced = header_text(LogKind::VideoComplete, &rt).unwrap();
        assert!(advanced.contains(" yt_itag:48 c_rate_smpl:49 "));
        assert!(advanced.contains(" s_rate_max:62 c_rate1:63 "));
        assert!(advanced.ends_with(" s_msgsize10:93\n"));
    }
}
