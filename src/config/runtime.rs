//! runtime.conf (`-T`): which logs are written ([log]) and which column sets the TCP logs
//! carry ([options]). The [dump] section is accepted and its keys checked.

use super::ini;
use super::{read_file, ConfigError};

/// Bits of the TCP log level; the core set (columns 1-44) is always present.
pub mod tcplog {
    pub const END_TO_END: u32 = 1;
    pub const LAYER7: u32 = 2;
    pub const P2P: u32 = 4;
    pub const OPTIONS: u32 = 8;
    pub const ADVANCED: u32 = 16;
}

/// The log files Tstat 3.2.1 knows, in its bit order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    TcpComplete,
    TcpNocomplete,
    UdpComplete,
    MmComplete,
    SkypeComplete,
    ChatComplete,
    ChatMessages,
    VideoComplete,
    HttpComplete,
    DnsComplete,
}

impl LogKind {
    pub const ALL: [LogKind; 10] = [
        LogKind::TcpComplete,
        LogKind::TcpNocomplete,
        LogKind::UdpComplete,
        LogKind::MmComplete,
        LogKind::SkypeComplete,
        LogKind::ChatComplete,
        LogKind::ChatMessages,
        LogKind::VideoComplete,
        LogKind::HttpComplete,
        LogKind::DnsComplete,
    ];

    pub fn file_name(self) -> &'static str {
        match self {
            LogKind::TcpComplete => "log_tcp_complete",
            LogKind::TcpNocomplete => "log_tcp_nocomplete",
            LogKind::UdpComplete => "log_udp_complete",
            LogKind::MmComplete => "log_mm_complete",
            LogKind::SkypeComplete => "log_skype_complete",
            LogKind::ChatComplete => "log_chat_complete",
            LogKind::ChatMessages => "log_chat_messages",
            LogKind::VideoComplete => "log_video_complete",
            LogKind::HttpComplete => "log_http_complete",
            LogKind::DnsComplete => "log_dns_complete",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// On when no runtime.conf says otherwise.
    fn default_on(self) -> bool {
        !matches!(self, LogKind::HttpComplete | LogKind::DnsComplete)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    logs: u32,
    pub tcplog_level: u32,
    pub videolog_level: u32,
    pub httplog_full_url: u32,
    pub histo_engine: bool,
    /// `[log] rrd_engine`, when the file sets it: the RRD engine runs with `-R`/`-r` unless
    /// this is `Some(false)`.
    pub rrd_engine: Option<bool>,
    /// The [dump] switches set to a non-zero value, in file order (dumps are not written
    /// yet, so the run refuses them).
    pub dumps_on: Vec<String>,
}

impl Default for Runtime {
    fn default() -> Runtime {
        Runtime {
            logs: LogKind::ALL
                .iter()
                .filter(|k| k.default_on())
                .map(|k| k.bit())
                .sum(),
            tcplog_level: tcplog::END_TO_END | tcplog::LAYER7 | tcplog::P2P | tcplog::OPTIONS,
            videolog_level: 31,
            httplog_full_url: 0,
            histo_engine: true,
            rrd_engine: None,
            dumps_on: Vec::new(),
        }
    }
}

/// [dump] keys that are limits, not switches.
const DUMP_LIMITS: [&str; 7] = [
    "snap_len",
    "slice_win",
    "udp_maxpackets",
    "udp_maxbytes",
    "tcp_maxpackets",
    "tcp_maxbytes",
    "stop_dumping_mask",
];

const DUMP_KEYS: [&str; 36] = [
    "snap_len",
    "slice_win",
    "udp_dns",
    "udp_rtp",
    "udp_rtcp",
    "udp_edk",
    "udp_kad",
    "udp_kadu",
    "udp_okad",
    "udp_gnutella",
    "udp_bittorrent",
    "udp_utp",
    "udp_dc",
    "udp_kazaa",
    "udp_pplive",
    "udp_sopcast",
    "udp_tvants",
    "udp_ppstream",
    "udp_teredo",
    "udp_vod",
    "udp_sip",
    "udp_dtls",
    "udp_quic",
    "udp_mturn",
    "udp_stun",
    "udp_unknown",
    "tcp_videostreaming",
    "ip_complete",
    "udp_complete",
    "udp_maxpackets",
    "udp_maxbytes",
    "tcp_complete",
    "tcp_maxpackets",
    "tcp_maxbytes",
    "dns_filter",
    "stop_dumping_mask",
];

impl Runtime {
    /// `-L`: start with every log off (runtime.conf may turn some back on).
    pub fn all_logs_off(&mut self) {
        self.logs = 0;
    }

    pub fn log_enabled(&self, kind: LogKind) -> bool {
        self.logs & kind.bit() != 0
    }

    pub fn set_log(&mut self, kind: LogKind, on: bool) {
        if on {
            self.logs |= kind.bit();
        } else {
            self.logs &= !kind.bit();
        }
    }

    pub fn load(path: &str, base: Runtime) -> Result<Runtime, ConfigError> {
        Runtime::parse(path, &read_file(path)?, base)
    }

    /// Apply the settings of `text` on top of `base`.
    pub fn parse(file: &str, text: &str, base: Runtime) -> Result<Runtime, ConfigError> {
        let mut rt = base;
        for e in ini::parse(file, text, &["log", "options", "dump"])? {
            let on = e.value.as_f64() > 0.0;
            let bad = |what: &str| {
                ConfigError::new(file, e.line, format!("unknown key '{}' in [{what}]", e.key))
            };
            match e.section.as_str() {
                "log" => match e.key.as_str() {
                    "histo_engine" => rt.histo_engine = on,
                    "rrd_engine" => rt.rrd_engine = Some(on),
                    key => {
                        let kind = LogKind::ALL
                            .into_iter()
                            .find(|k| k.file_name() == key)
                            .ok_or_else(|| bad("log"))?;
                        rt.set_log(kind, on);
                    }
                },
                "options" => {
                    let (level, bit) = match e.key.as_str() {
                        "tcplog_end_to_end" => (&mut rt.tcplog_level, tcplog::END_TO_END),
                        "tcplog_layer7" => (&mut rt.tcplog_level, tcplog::LAYER7),
                        "tcplog_p2p" => (&mut rt.tcplog_level, tcplog::P2P),
                        "tcplog_options" => (&mut rt.tcplog_level, tcplog::OPTIONS),
                        "tcplog_advanced" => (&mut rt.tcplog_level, tcplog::ADVANCED),
                        "videolog_end_to_end" => (&mut rt.videolog_level, 1),
                        "videolog_layer7" => (&mut rt.videolog_level, 2),
                        "videolog_options" => (&mut rt.videolog_level, 4),
                        "videolog_videoinfo" => (&mut rt.videolog_level, 8),
                        "videolog_youtube" => (&mut rt.videolog_level, 16),
                        "videolog_advanced" => (&mut rt.videolog_level, 32),
                        "httplog_full_url" => {
                            let v = e.value.as_f64() as u32;
                            if v > 2 {
                                return Err(ConfigError::new(
                                    file,
                                    e.line,
                                    "httplog_full_url must be 0, 1 or 2",
                                ));
                            }
                            rt.httplog_full_url = v;
                            continue;
                        }
                        _ => return Err(bad("options")),
                    };
                    if on {
                        *level |= bit;
                    } else {
                        *level &= !bit;
                    }
                }
                _ => {
                    if !DUMP_KEYS.contains(&e.key.as_str()) {
                        return Err(bad("dump"));
                    }
                    if !DUMP_LIMITS.contains(&e.key.as_str()) {
                        rt.dumps_on.retain(|k| *k != e.key);
                        if on {
                            rt.dumps_on.push(e.key.clone());
                        }
                    }
                }
            }
        }
        Ok(rt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_tstat() {
        let rt = Runtime::default();
        assert_eq!(rt.tcplog_level, 15);
        assert!(rt.log_enabled(LogKind::TcpComplete));
        assert!(!rt.log_enabled(LogKind::DnsComplete));
    }

    #[test]
    fn reference_config_gives_level_31() {
        let text = "[log]\nlog_dns_complete = 1\nlog_udp_complete = 0\n[options]\ntcplog_advanced = 1\ntcplog_p2p = 0\n";
        let rt = Runtime::parse("r", text, Runtime::default()).unwrap();
        assert_eq!(rt.tcplog_level, 1 | 2 | 8 | 16);
        assert!(rt.log_enabled(LogKind::DnsComplete));
        assert!(!rt.log_enabled(LogKind::UdpComplete));
    }

    #[test]
    fn unknown_log_key_is_located() {
        let e = Runtime::parse("r.conf", "[log]\nlog_foo = 1\n", Runtime::default()).unwrap_err();
        assert_eq!(e.line, 2);
    }
}
