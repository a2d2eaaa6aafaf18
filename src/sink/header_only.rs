//! Logs whose rows this build does not produce yet.
//!
//! Tstat creates every log that runtime.conf enables, with its header line, even when no row
//! follows. Scripts open these files unconditionally, so we create them the same way; the
//! run prints a warning naming each one, because an empty file here means "not computed",
//! not "no such traffic".

use std::fs;
use std::io;
use std::path::Path;

use crate::config::runtime::{LogKind, Runtime};

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

/// The logs this module writes, in the order a run reports them.
pub const KINDS: [LogKind; 6] = [
    LogKind::MmComplete,
    LogKind::SkypeComplete,
    LogKind::ChatComplete,
    LogKind::ChatMessages,
    LogKind::HttpComplete,
    LogKind::DnsComplete,
];

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
pub fn header_text(kind: LogKind) -> Option<String> {
    Some(match kind {
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

/// Create every enabled header-only log in `dir`; returns the kinds created.
pub fn create(dir: &Path, runtime: &Runtime) -> io::Result<Vec<LogKind>> {
    let mut created = Vec::new();
    for kind in KINDS {
        if !runtime.log_enabled(kind) {
            continue;
        }
        if let Some(text) = header_text(kind) {
            fs::write(dir.join(kind.file_name()), text)?;
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
        let text = header_text(LogKind::HttpComplete).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("#C#c_ip:1\tc_port:2\ts_ip:3"));
        assert!(lines[0].ends_with("\tcookie:12\tdnt:13"));
        assert!(lines[1].starts_with("#S#c_ip:1\t"));
        assert!(lines[1].ends_with("\tlocation:12\tset_cookie:13"));
    }

    #[test]
    fn numbering_follows_the_column_lists() {
        let mm = header_text(LogKind::MmComplete).unwrap();
        assert!(mm.starts_with("#a_proto:1 direction:2 c_proto:3 "));
        assert!(mm.ends_with(" jitter90k_min:53\n"));
        let dns = header_text(LogKind::DnsComplete).unwrap();
        assert!(dns.ends_with(" arcount:21 pkt_size:22\n"));
        assert_eq!(header_text(LogKind::SkypeComplete).unwrap(), "");
        assert_eq!(header_text(LogKind::TcpComplete), None);
    }
}
