//! The column reference, docs/columns.md: what each column of each log holds, its unit, and
//! the values of the coded columns.
//!
//! Names and numbers are not written here: they come from the functions that write the header
//! lines ([`columns::header`], [`header_only::header_text`]), at the levels of the reference
//! configuration. [`DOCS`] gives each name a unit and a meaning, keyed by [`Group`] and name, and
//! [`CODE_TABLES`] lists the codes. The tests check that every header column has exactly one
//! entry and every entry is used, that the code tables agree with the classifiers' constants,
//! and that docs/columns.md is what [`render_markdown`] produces (`TSTAT_BLESS=1` rewrites it).
//!
//! Meanings come from Tstat 3.2.1's documentation (doc/log_*_descr.txt of its tarball) and
//! docs/semantics/; where Tstat's source contradicts its documentation, the meaning follows the
//! source and says so.

use crate::config::runtime::{LogKind, Runtime};
use crate::sink::{columns, header_only};

/// tcplog level of the reference configuration: every TCP set (Advanced adds no column).
pub const TCPLOG_LEVEL: u32 = 31;
/// videolog level of the reference configuration: every video set.
pub const VIDEOLOG_LEVEL: u32 = 63;

/// The table a column is documented in. Within a group a name means one thing; the same name
/// can mean another thing in another group (`c_ip` of a TCP connection, of a UDP flow, of a DNS
/// message). The TCP group serves log_tcp_complete, log_tcp_nocomplete and the TCP sets of
/// log_video_complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The TCP sets: core, End-to-End, P2P, Options, Layer-7.
    Tcp,
    Udp,
    Mm,
    Chat,
    ChatMessages,
    /// The video sets of log_video_complete (its TCP sets are in [`Group::Tcp`]).
    Video,
    /// log_http_complete, request and response rows.
    Http,
    Dns,
}

/// One column: its header name (a trailing `{n}` stands for a number, as in the video log's
/// `c_rate1` … `c_rate10`), its unit as printed (empty for counts, addresses, names and codes)
/// and what it holds.
#[derive(Debug, Clone, Copy)]
pub struct ColumnDoc {
    pub group: Group,
    pub name: &'static str,
    pub unit: &'static str,
    pub meaning: &'static str,
}

const fn doc(
    group: Group,
    name: &'static str,
    unit: &'static str,
    meaning: &'static str,
) -> ColumnDoc {
    ColumnDoc {
        group,
        name,
        unit,
        meaning,
    }
}

use self::Group as G;

/// Every column of every log.
#[rustfmt::skip]
pub const DOCS: &[ColumnDoc] = &[
    // TCP core set.
    doc(G::Tcp, "c_ip", "", "Client IP address: the sender of the connection's first SYN (IPv6 in `inet_ntop` form)"),
    doc(G::Tcp, "c_port", "", "Client TCP port"),
    doc(G::Tcp, "c_pkts_all", "", "Packets sent by the client: every segment of the connection (SYN, ACKs, data, FIN, RST, retransmissions) except duplicates (same IP id, TCP checksum and IP length as the previous packet, within 2 ms)"),
    doc(G::Tcp, "c_rst_cnt", "0/1", "RST segments sent by the client: 0 or 1, since the first RST of either side closes the connection"),
    doc(G::Tcp, "c_ack_cnt", "", "Client segments with the ACK flag"),
    doc(G::Tcp, "c_ack_cnt_p", "", "Pure ACKs from the client: ACK flag, no payload, no SYN, FIN or RST"),
    doc(G::Tcp, "c_bytes_uniq", "bytes", "Unique payload bytes sent by the client (retransmitted bytes not counted)"),
    doc(G::Tcp, "c_pkts_data", "", "Client segments with payload, retransmissions included"),
    doc(G::Tcp, "c_bytes_all", "bytes", "Payload bytes sent by the client, retransmissions included"),
    doc(G::Tcp, "c_pkts_retx", "", "Retransmitted client segments (repeated SYNs and FINs included)"),
    doc(G::Tcp, "c_bytes_retx", "bytes", "Retransmitted payload bytes from the client"),
    doc(G::Tcp, "c_pkts_ooo", "", "Client segments seen out of sequence"),
    doc(G::Tcp, "c_syn_cnt", "", "SYN segments from the client, retransmissions included"),
    doc(G::Tcp, "c_fin_cnt", "", "FIN segments from the client, retransmissions included"),
    doc(G::Tcp, "s_ip", "", "Server IP address: the destination of the first SYN"),
    doc(G::Tcp, "s_port", "", "Server TCP port"),
    doc(G::Tcp, "s_pkts_all", "", "Packets sent by the server (as `c_pkts_all`)"),
    doc(G::Tcp, "s_rst_cnt", "0/1", "RST segments sent by the server: 0 or 1"),
    doc(G::Tcp, "s_ack_cnt", "", "Server segments with the ACK flag"),
    doc(G::Tcp, "s_ack_cnt_p", "", "Pure ACKs from the server"),
    doc(G::Tcp, "s_bytes_uniq", "bytes", "Unique payload bytes sent by the server"),
    doc(G::Tcp, "s_pkts_data", "", "Server segments with payload, retransmissions included"),
    doc(G::Tcp, "s_bytes_all", "bytes", "Payload bytes sent by the server, retransmissions included"),
    doc(G::Tcp, "s_pkts_retx", "", "Retransmitted server segments (repeated SYNs and FINs included)"),
    doc(G::Tcp, "s_bytes_retx", "bytes", "Retransmitted payload bytes from the server"),
    doc(G::Tcp, "s_pkts_ooo", "", "Server segments seen out of sequence"),
    doc(G::Tcp, "s_syn_cnt", "", "SYN segments from the server, retransmissions included"),
    doc(G::Tcp, "s_fin_cnt", "", "FIN segments from the server, retransmissions included"),
    doc(G::Tcp, "first", "ms", "Time of the connection's first packet, in ms since the epoch (microsecond resolution)"),
    doc(G::Tcp, "last", "ms", "Time of the connection's last packet, in ms since the epoch"),
    doc(G::Tcp, "durat", "ms", "Duration: `last` − `first`"),
    doc(G::Tcp, "c_first", "ms", "Client's first segment with payload, ms after `first` (0.000000 when there is none)"),
    doc(G::Tcp, "s_first", "ms", "Server's first segment with payload, ms after `first` (0.000000 when there is none)"),
    doc(G::Tcp, "c_last", "ms", "Client's last segment with payload, ms after `first` (0.000000 when there is none)"),
    doc(G::Tcp, "s_last", "ms", "Server's last segment with payload, ms after `first` (0.000000 when there is none)"),
    doc(G::Tcp, "c_first_ack", "ms", "Client's first ACK segment without SYN, ms after `first` (0.000000 when there is none)"),
    doc(G::Tcp, "s_first_ack", "ms", "Server's first ACK segment without SYN, ms after `first` (0.000000 when there is none)"),
    doc(G::Tcp, "c_isint", "0/1", "1 = the client address is internal (in a `-N` network; without `-N` every address is)"),
    doc(G::Tcp, "s_isint", "0/1", "1 = the server address is internal"),
    doc(G::Tcp, "c_iscrypto", "0/1", "1 = the client address is printed anonymised with Crypto-PAn (`-Y`, minus `-W`)"),
    doc(G::Tcp, "s_iscrypto", "0/1", "1 = the server address is printed anonymised (`-Y`, minus `-W`)"),
    doc(G::Tcp, "con_t", "", "Protocols recognised by the payload classifiers, a bit mask: see [con_t](#con_t) (0 without the `dpi` feature)"),
    doc(G::Tcp, "p2p_t", "", "P2P protocol found by IPP2P (`p2p_type` / 100): see [p2p_t](#p2p_t)"),
    doc(G::Tcp, "http_t", "", "Web 2.0 class of an HTTP connection's requests: see [http_t](#http_t); 0 unless `con_t` has the HTTP bit"),
    // TCP End-to-End set.
    doc(G::Tcp, "c_rtt_avg", "ms", "Average RTT of client segments: from a client segment (data, SYN or FIN) to the server's ACK ending exactly at it; retransmitted segments give no sample (Karn). Tstat divides the sum by count + 0.0001"),
    doc(G::Tcp, "c_rtt_min", "ms", "Smallest RTT sample of client segments"),
    doc(G::Tcp, "c_rtt_max", "ms", "Largest RTT sample of client segments"),
    doc(G::Tcp, "c_rtt_std", "ms", "Standard deviation (sample) of the RTT samples of client segments; 0 with 2 samples or fewer"),
    doc(G::Tcp, "c_rtt_cnt", "", "Valid RTT samples of client segments"),
    doc(G::Tcp, "c_ttl_min", "", "Smallest IP TTL (IPv6: hop limit) of the client's packets"),
    doc(G::Tcp, "c_ttl_max", "", "Largest IP TTL (IPv6: hop limit) of the client's packets"),
    doc(G::Tcp, "s_rtt_avg", "ms", "Average RTT of server segments, acknowledged by the client (as `c_rtt_avg`)"),
    doc(G::Tcp, "s_rtt_min", "ms", "Smallest RTT sample of server segments"),
    doc(G::Tcp, "s_rtt_max", "ms", "Largest RTT sample of server segments"),
    doc(G::Tcp, "s_rtt_std", "ms", "Standard deviation (sample) of the RTT samples of server segments; 0 with 2 samples or fewer"),
    doc(G::Tcp, "s_rtt_cnt", "", "Valid RTT samples of server segments"),
    doc(G::Tcp, "s_ttl_min", "", "Smallest IP TTL (IPv6: hop limit) of the server's packets"),
    doc(G::Tcp, "s_ttl_max", "", "Largest IP TTL (IPv6: hop limit) of the server's packets"),
    // TCP P2P set.
    doc(G::Tcp, "p2p_st", "", "IPP2P message subtype (`p2p_type` % 100). eDonkey: 1 hello, 9 hello answer, otherwise mostly the opcode % 100; BitTorrent: 0 handshake, 1 scrape, 2 announce, 3, 4, 5 `announce.php?` with `info_hash=`, `passkey=`, `pid=`"),
    doc(G::Tcp, "ed2k_data", "", "eDonkey connections: data messages"),
    doc(G::Tcp, "ed2k_sig", "", "eDonkey connections: signalling (not data) messages"),
    doc(G::Tcp, "ed2k_c2s", "", "eDonkey connections: client-server messages"),
    doc(G::Tcp, "ed2k_c2c", "", "eDonkey connections: client-client messages"),
    doc(G::Tcp, "ed2k_chat", "", "eDonkey connections: chat messages"),
    // TCP Options set.
    doc(G::Tcp, "c_f1323_opt", "0/1", "1 = the client sent the window scale option (RFC 1323)"),
    doc(G::Tcp, "c_tm_opt", "0/1", "1 = the client sent the timestamp option (RFC 1323)"),
    doc(G::Tcp, "c_win_scl", "", "Client's window scale shift; 0 unless both sides sent the option"),
    doc(G::Tcp, "c_sack_opt", "0/1", "1 = the client sent SACK-permitted"),
    doc(G::Tcp, "c_sack_cnt", "", "Client segments carrying SACK blocks"),
    doc(G::Tcp, "c_mss", "bytes", "MSS announced by the client, 0 if none. Printed as a signed 16-bit number, as Tstat does (65495 prints -41)"),
    doc(G::Tcp, "c_mss_max", "bytes", "Largest payload of a client segment"),
    doc(G::Tcp, "c_mss_min", "bytes", "Smallest payload of a client segment with payload (0 if none)"),
    doc(G::Tcp, "c_win_max", "bytes", "Largest receiver window announced by the client, scaled by its window scale (its SYN is not scaled)"),
    doc(G::Tcp, "c_win_min", "bytes", "Smallest non-zero receiver window announced by the client, scaled likewise"),
    doc(G::Tcp, "c_win_0", "", "Client segments announcing a zero window"),
    doc(G::Tcp, "c_cwin_max", "bytes", "Largest in-flight size of the client: its sequence number minus the server's last ACK, an estimate of the congestion window"),
    doc(G::Tcp, "c_cwin_min", "bytes", "Smallest non-zero in-flight size of the client"),
    doc(G::Tcp, "c_cwin_ini", "bytes", "Client's initial in-flight size: payload bytes it sent before the server first acknowledged its data"),
    doc(G::Tcp, "c_pkts_rto", "", "Client retransmissions after a timeout (RTO)"),
    doc(G::Tcp, "c_pkts_fs", "", "Client retransmissions by fast retransmit (three duplicate ACKs)"),
    doc(G::Tcp, "c_pkts_reor", "", "Client segments reordered by the network"),
    doc(G::Tcp, "c_pkts_dup", "", "Client segments duplicated by the network"),
    doc(G::Tcp, "c_pkts_unk", "", "Client segments out of sequence or repeated for no classified reason"),
    doc(G::Tcp, "c_pkts_fc", "", "Client retransmissions probing a zero receiver window (flow control)"),
    doc(G::Tcp, "c_pkts_unrto", "", "Unnecessary client retransmissions after a timeout"),
    doc(G::Tcp, "c_pkts_unfs", "", "Unnecessary client retransmissions by fast retransmit"),
    doc(G::Tcp, "c_syn_retx", "0/1", "1 = a repeated SYN from the client had another initial sequence number (also set by a repeated FIN ending elsewhere); not a count"),
    doc(G::Tcp, "s_f1323_opt", "0/1", "1 = the server sent the window scale option (RFC 1323)"),
    doc(G::Tcp, "s_tm_opt", "0/1", "1 = the server sent the timestamp option (RFC 1323)"),
    doc(G::Tcp, "s_win_scl", "", "Server's window scale shift; 0 unless both sides sent the option"),
    doc(G::Tcp, "s_sack_opt", "0/1", "1 = the server sent SACK-permitted"),
    doc(G::Tcp, "s_sack_cnt", "", "Server segments carrying SACK blocks"),
    doc(G::Tcp, "s_mss", "bytes", "MSS announced by the server, 0 if none (signed 16-bit, as `c_mss`)"),
    doc(G::Tcp, "s_mss_max", "bytes", "Largest payload of a server segment"),
    doc(G::Tcp, "s_mss_min", "bytes", "Smallest payload of a server segment with payload (0 if none)"),
    doc(G::Tcp, "s_win_max", "bytes", "Largest receiver window announced by the server, scaled by its window scale (its SYN+ACK is not scaled)"),
    doc(G::Tcp, "s_win_min", "bytes", "Smallest non-zero receiver window announced by the server, scaled likewise"),
    doc(G::Tcp, "s_win_0", "", "Server segments announcing a zero window"),
    doc(G::Tcp, "s_cwin_max", "bytes", "Largest in-flight size of the server: its sequence number minus the client's last ACK"),
    doc(G::Tcp, "s_cwin_min", "bytes", "Smallest non-zero in-flight size of the server"),
    doc(G::Tcp, "s_cwin_ini", "bytes", "Server's initial in-flight size: payload bytes it sent before the client first acknowledged its data"),
    doc(G::Tcp, "s_pkts_rto", "", "Server retransmissions after a timeout (RTO)"),
    doc(G::Tcp, "s_pkts_fs", "", "Server retransmissions by fast retransmit (three duplicate ACKs)"),
    doc(G::Tcp, "s_pkts_reor", "", "Server segments reordered by the network"),
    doc(G::Tcp, "s_pkts_dup", "", "Server segments duplicated by the network"),
    doc(G::Tcp, "s_pkts_unk", "", "Server segments out of sequence or repeated for no classified reason"),
    doc(G::Tcp, "s_pkts_fc", "", "Server retransmissions probing a zero receiver window (flow control)"),
    doc(G::Tcp, "s_pkts_unrto", "", "Unnecessary server retransmissions after a timeout"),
    doc(G::Tcp, "s_pkts_unfs", "", "Unnecessary server retransmissions by fast retransmit"),
    doc(G::Tcp, "s_syn_retx", "0/1", "1 = a repeated SYN from the server had another initial sequence number (as `c_syn_retx`)"),
    // TCP Layer-7 set.
    doc(G::Tcp, "http_req_cnt", "", "HTTP requests: client segments starting with GET, POST, HEAD, PUT, PATCH, DELETE or OPTIONS"),
    doc(G::Tcp, "http_res_cnt", "", "HTTP responses: server segments starting with `HTTP`"),
    doc(G::Tcp, "http_res", "", "First HTTP response code of an HTTP connection (`con_t` bit 1; `000` if unreadable), `---` otherwise"),
    doc(G::Tcp, "c_pkts_push", "", "Messages sent by the client: runs of data ended by a PSH or FIN segment (not a count of PSH segments)"),
    doc(G::Tcp, "s_pkts_push", "", "Messages sent by the server (as `c_pkts_push`)"),
    doc(G::Tcp, "c_tls_SNI", "", "TLS: server name (SNI) of the client's ClientHello (Facebook Zero: of its CHLO), `-` if none"),
    doc(G::Tcp, "s_tls_SCN", "", "TLS: subject common name of the server's certificate when it is in the ServerHello's segment, `-` otherwise (always with TLS 1.3, whose certificate is encrypted)"),
    doc(G::Tcp, "c_npnalpn", "", "TLS: NPN/ALPN protocols offered by the client, a bit mask: see [c_npnalpn, s_npnalpn](#c_npnalpn-s_npnalpn)"),
    doc(G::Tcp, "s_npnalpn", "", "TLS: NPN/ALPN protocol selected by the server, the same bit mask"),
    doc(G::Tcp, "tls_session_stat", "", "TLS session resumption, a bit mask: see [tls_session_stat](#tls_session_stat)"),
    doc(G::Tcp, "c_last_handshakeT", "ms", "TLS: client's last packet before its first application data, ms after `first` (0.000000 unless `con_t` has the TLS bit)"),
    doc(G::Tcp, "s_last_handshakeT", "ms", "TLS: server's last packet before its first application data, ms after `first` (0.000000 unless `con_t` has the TLS bit)"),
    doc(G::Tcp, "c_appdataT", "ms", "TLS: client's first application-data record, ms after `first` (0.000000 if none)"),
    doc(G::Tcp, "s_appdataT", "ms", "TLS: server's first application-data record, ms after `first` (0.000000 if none)"),
    doc(G::Tcp, "c_appdataB", "bytes", "TLS: bytes the client sent before its first application-data record (its relative sequence number)"),
    doc(G::Tcp, "s_appdataB", "bytes", "TLS: bytes the server sent before its first application-data record"),
    doc(G::Tcp, "fqdn", "", "Server name from DN-Hunter: the name in the last DNS response, seen earlier in the trace, that gave this client the server's address; `-` if none or with `-X`"),
    doc(G::Tcp, "dns_rslv", "", "Address of the resolver that sent that DNS response, `-` if no name"),
    doc(G::Tcp, "req_tm", "ms", "Time of that DNS request, ms since the epoch (`0.0` if no name)"),
    doc(G::Tcp, "res_tm", "ms", "Time of that DNS response, ms since the epoch (`0.0` if no name)"),
    doc(G::Tcp, "http_hostname", "", "`Host:` value of the connection's first HTTP request, `-` if none"),
    doc(G::Tcp, "c_TLSvers", "", "TLS: versions of the client, hex: its supported_versions list (comma-separated) if sent, else the ClientHello version (0303 = TLS 1.2); `-` if none"),
    doc(G::Tcp, "s_TLSvers", "", "TLS: version of the server, hex, from supported_versions or the ServerHello; `-` if none"),
    doc(G::Tcp, "dns_enc", "0/1", "1 = the flow has a DN-Hunter name and its resolver address (dns_rslv) is printed anonymised (`-Y`)"),
    // log_udp_complete.
    doc(G::Udp, "c_ip", "", "Client IP address: the source of the flow's first packet"),
    doc(G::Udp, "c_port", "", "Client UDP port"),
    doc(G::Udp, "c_first_abs", "ms", "Client's first packet, ms since the epoch"),
    doc(G::Udp, "c_durat", "s", "Client's last packet − its first packet, in seconds"),
    doc(G::Udp, "c_bytes_all", "bytes", "Payload bytes sent by the client: the UDP length field − 8, summed over its packets"),
    doc(G::Udp, "c_pkts_all", "", "Packets sent by the client, without duplicates (same IP id, UDP checksum and IP length as its previous packet, within 1 ms)"),
    doc(G::Udp, "c_isint", "0/1", "1 = the client address is internal (in a `-N` network; without `-N` every address is)"),
    doc(G::Udp, "c_iscrypto", "0/1", "1 = the client address is printed anonymised with Crypto-PAn (`-Y`, minus `-W`)"),
    doc(G::Udp, "c_type", "", "Protocol of the client-to-server direction: see [c_type, s_type](#c_type-s_type) (0 without the `dpi` feature)"),
    doc(G::Udp, "s_ip", "", "Server IP address: the destination of the first packet"),
    doc(G::Udp, "s_port", "", "Server UDP port"),
    doc(G::Udp, "s_first_abs", "ms", "Server's first packet, ms since the epoch (0.000000 if it sent none)"),
    doc(G::Udp, "s_durat", "s", "Server's last packet − its first packet, in seconds"),
    doc(G::Udp, "s_bytes_all", "bytes", "Payload bytes sent by the server (as `c_bytes_all`)"),
    doc(G::Udp, "s_pkts_all", "", "Packets sent by the server, without duplicates"),
    doc(G::Udp, "s_isint", "0/1", "1 = the server address is internal"),
    doc(G::Udp, "s_iscrypto", "0/1", "1 = the server address is printed anonymised (`-Y`, minus `-W`)"),
    doc(G::Udp, "s_type", "", "Protocol of the server-to-client direction: see [c_type, s_type](#c_type-s_type)"),
    doc(G::Udp, "fqdn", "", "Server name from DN-Hunter (the DNS responses seen before the flow's first packet), `-` if none or with `-X`"),
    doc(G::Udp, "quic_SNI", "", "Google QUIC: server name (SNI tag) of the first CHLO that had one; with the `dpi` feature also the server name of an IETF QUIC Initial (our addition); `-` if none"),
    doc(G::Udp, "quic_UA", "", "Google QUIC: user agent (UAID tag) of the first CHLO that had one, percent-encoded; `-` if none"),
    doc(G::Udp, "quic_CHLO", "0/1", "1 = a Google QUIC CHLO was seen in either direction"),
    doc(G::Udp, "quic_REJ", "0/1", "1 = a Google QUIC REJ was seen in either direction"),
    // log_mm_complete.
    doc(G::Mm, "a_proto", "", "`R` = an RTP stream, `T` = an RTCP stream"),
    doc(G::Mm, "direction", "", "`C` = a stream sent by the client, `S` = by the server"),
    doc(G::Mm, "c_proto", "", "Raw UDP type of the client's direction (29 RTP_PLUS, 28 FIRST_RTP_PLUS, 0, …; not the mapping of log_udp_complete): see [c_type, s_type](#c_type-s_type)"),
    doc(G::Mm, "c_ip", "", "Client IP address: the source of the UDP flow's first packet"),
    doc(G::Mm, "c_port", "", "Client UDP port"),
    doc(G::Mm, "c_internal", "0/1", "1 = the client address is internal"),
    doc(G::Mm, "c_iscrypto", "0/1", "1 = the client address is printed anonymised (`-Y`, minus `-W`)"),
    doc(G::Mm, "c_mux_prot", "", "Protocols seen multiplexed in the client's direction, a bit mask: see [c_mux_prot, s_mux_prot](#c_mux_prot-s_mux_prot)"),
    doc(G::Mm, "s_proto", "", "Raw UDP type of the server's direction"),
    doc(G::Mm, "s_ip", "", "Server IP address"),
    doc(G::Mm, "s_port", "", "Server UDP port"),
    doc(G::Mm, "s_internal", "0/1", "1 = the server address is internal"),
    doc(G::Mm, "s_iscrypto", "0/1", "1 = the server address is printed anonymised (`-Y`, minus `-W`)"),
    doc(G::Mm, "s_mux_prot", "", "Protocols seen multiplexed in the server's direction, the same bit mask"),
    doc(G::Mm, "packets", "", "Packets of the stream"),
    doc(G::Mm, "ipg", "ms", "Inter-packet gap. RTP: mean over in-order packets (`-nan` with none); RTCP: sum of the gaps / packets"),
    doc(G::Mm, "jitter_avg", "ms (RTP), RTP timestamp units (RTCP)", "RTP: RFC 3550 interarrival jitter computed by Tstat (the estimator's last value); RTCP: mean of the jitter in the report blocks (`-nan` without blocks)"),
    doc(G::Mm, "jitter_max", "ms (RTP), RTP timestamp units (RTCP)", "Largest jitter: of the estimator (RTP), reported (RTCP)"),
    doc(G::Mm, "jitter_min", "ms (RTP), RTP timestamp units (RTCP)", "Smallest jitter, 0 if never sampled"),
    doc(G::Mm, "ttl_avg", "", "Mean IP TTL of the packets of the stream's direction (all of its streams)"),
    doc(G::Mm, "ttl_max", "", "Largest IP TTL of the packets of the stream's direction"),
    doc(G::Mm, "ttl_min", "", "Smallest IP TTL of the packets of the stream's direction"),
    doc(G::Mm, "starttime", "s", "Stream's first packet, seconds since the epoch"),
    doc(G::Mm, "duration", "s (RTP), ms (RTCP)", "Stream's last packet − its first. Tstat's documentation says s; RTCP rows print ms, as Tstat does"),
    doc(G::Mm, "databytes", "bytes", "RTP: payload bytes after the RTP header, CSRCs and extension; RTCP: UDP payload bytes"),
    doc(G::Mm, "speed", "bit/s (RTP), bit/ms (RTCP)", "`databytes` × 8 / `duration` (`inf` for a single packet)"),
    doc(G::Mm, "SSRC", "", "SSRC of the stream (RTCP: of the sender), hex `0x…`"),
    doc(G::Mm, "losses", "", "RTP: lost packets, from a 16-entry window of sequence numbers; RTCP: 0"),
    doc(G::Mm, "oos", "", "RTP: packets out of sequence; RTCP: 0"),
    doc(G::Mm, "dup", "", "RTP: duplicate packets; RTCP: 0"),
    doc(G::Mm, "late", "", "RTP: late packets (window algorithm); RTCP: 0"),
    doc(G::Mm, "pt_id", "", "RTP: payload types seen; RTCP: packet types seen (200 SR, 201 RR, …); comma-separated in the order first seen, `-` if none"),
    doc(G::Mm, "pt_counters", "", "Packets of each type of `pt_id`, in the same order"),
    doc(G::Mm, "bogus", "0/1", "RTP: 1 = the sequence window was restarted after a jump (bogus reset); RTCP: 0"),
    doc(G::Mm, "rtcp_losses", "", "RTCP: cumulative packets lost of the last report block (signed); RTP: 0"),
    doc(G::Mm, "rtcp_fraclost", "%", "RTCP: mean fraction lost of the report blocks, in percent (`-nan` without blocks); RTP: 0"),
    doc(G::Mm, "rtcp_lenpack", "", "RTCP: sender's packet count of the last sender report; RTP: 0"),
    doc(G::Mm, "rtcp_lenbytes", "bytes", "RTCP: sender's octet count of the last sender report; RTP: 0"),
    doc(G::Mm, "rtt_avg", "ms", "RTCP: mean round-trip time from the report blocks' LSR and DLSR against the other direction's sender reports (`-nan` without samples); RTP: 0"),
    doc(G::Mm, "rtt_max", "ms", "RTCP: largest RTT sample; RTP: 0"),
    doc(G::Mm, "rtt_min", "ms", "RTCP: smallest RTT sample; RTP: 0"),
    doc(G::Mm, "rtt_samples", "", "RTCP: RTT samples; RTP: 0"),
    doc(G::Mm, "rtcp_trunc", "", "RTCP: 1 = a sender report or report block was cut short, 2 = a report had more than one block (the values add up); RTP: 0"),
    doc(G::Mm, "rtp_max_payload", "bytes", "RTP: largest payload; RTCP: 0"),
    doc(G::Mm, "rtp_min_payload", "bytes", "RTP: smallest payload; RTCP: 0"),
    doc(G::Mm, "rtp_avg_payload", "bytes", "RTP: `databytes` / `packets`; RTCP: 0.0"),
    doc(G::Mm, "rtp_stdev_payload", "bytes", "RTP: payload spread as Tstat computes it, √(Σp² − (Σp)²/n) / (n − 1), which is not a standard deviation; 0 for one packet; RTCP: 0.0"),
    doc(G::Mm, "jitter8k_avg", "ms", "RTP: jitter as for an 8000 Hz clock (also for dynamic payload types), the estimator's last value; RTCP: 0.0"),
    doc(G::Mm, "jitter8k_max", "ms", "RTP: largest jitter at 8000 Hz; RTCP: 0.0"),
    doc(G::Mm, "jitter8k_min", "ms", "RTP: smallest jitter at 8000 Hz; RTCP: 0.0"),
    doc(G::Mm, "jitter90k_avg", "ms", "RTP: jitter as for a 90000 Hz clock (video), the estimator's last value; RTCP: 0.0"),
    doc(G::Mm, "jitter90k_max", "ms", "RTP: largest jitter at 90000 Hz; RTCP: 0.0"),
    doc(G::Mm, "jitter90k_min", "ms", "RTP: smallest jitter at 90000 Hz; RTCP: 0.0"),
    // log_chat_complete (MSN rows; YMSG and XMPP rows are shorter, see the page).
    doc(G::Chat, "c_ip", "", "Client IP address: the sender of the connection's first SYN"),
    doc(G::Chat, "c_port", "", "Client TCP port"),
    doc(G::Chat, "c_bytes_uniq", "bytes", "Unique payload bytes sent by the client (as in log_tcp_complete)"),
    doc(G::Chat, "c_pkts_all", "", "Packets sent by the client (as in log_tcp_complete)"),
    doc(G::Chat, "c_msn", "", "MSN messages sent by the client: `MSG` segments, and `UUM`/`UBM` (to or from Yahoo! users)"),
    doc(G::Chat, "c_msn_a", "", "Client `MSG` messages of type A"),
    doc(G::Chat, "c_msn_d", "", "Client `MSG` messages of type D"),
    doc(G::Chat, "c_msn_n", "", "Client `MSG` messages of type N"),
    doc(G::Chat, "c_msn_u", "", "Client `MSG` messages of type U"),
    doc(G::Chat, "c_msn_y", "", "Client messages to or from Yahoo! users (`UUM`, `UBM`)"),
    doc(G::Chat, "s_ip", "", "Server IP address"),
    doc(G::Chat, "s_port", "", "Server TCP port"),
    doc(G::Chat, "s_bytes_uniq", "bytes", "Unique payload bytes sent by the server"),
    doc(G::Chat, "s_pkts_all", "", "Packets sent by the server"),
    doc(G::Chat, "s_msn", "", "MSN messages sent by the server (as `c_msn`)"),
    doc(G::Chat, "s_msn_a", "", "Server `MSG` messages of type A"),
    doc(G::Chat, "s_msn_d", "", "Server `MSG` messages of type D"),
    doc(G::Chat, "s_msn_n", "", "Server `MSG` messages of type N"),
    doc(G::Chat, "s_msn_u", "", "Server `MSG` messages of type U"),
    doc(G::Chat, "s_msn_y", "", "Server messages to or from Yahoo! users"),
    doc(G::Chat, "first_tm", "s", "Connection's first packet, seconds since the epoch"),
    doc(G::Chat, "durat", "s", "Connection's last packet − its first, in seconds (3 decimals)"),
    doc(G::Chat, "type", "", "Chat flow type: see [MSN flow type](#msn-flow-type), [YMSG flow type](#ymsg-flow-type), [XMPP flow type](#xmpp-flow-type)"),
    doc(G::Chat, "ver", "", "MSN: protocol version from the server's `VER` reply (as `MSNP8`), `UNK` for chat connections (type 3); YMSG rows: the protocol version number; XMPP rows: `UNK`"),
    doc(G::Chat, "c_isint", "0/1", "1 = the server address is internal: Tstat prints the server's flag under this name"),
    doc(G::Chat, "flowid", "", "Connection number in the run (creation order from 1; taken to be Tstat's id_number), the `idflow` of log_chat_messages"),
    doc(G::Chat, "T", "", "The letter `T`: a TCP connection"),
    doc(G::Chat, "con_t", "", "con_t of the connection at its close (32 MSN, 64 YMSG, 128 XMPP, plus 1 for MSN tunnelled over HTTP): see [con_t](#con_t)"),
    doc(G::Chat, "c_iscrypto", "0/1", "1 = the client address is printed anonymised (`-Y`, minus `-W`)"),
    doc(G::Chat, "s_iscrypto", "0/1", "1 = the server address is printed anonymised (`-Y`, minus `-W`)"),
    // log_chat_messages (by header name; rows have one field more, see the page).
    doc(G::ChatMessages, "idflow", "", "Connection number, the `flowid` of log_chat_complete"),
    doc(G::ChatMessages, "type", "", "Message type: `MSG_A`, `MSG_D`, `MSG_N`, `MSG_U`, `MSG_?` (MSN `MSG` of unknown type), `MSG_Y` (MSN message to or from a Yahoo! user), `MESSAGE` (YMSG, XMPP)"),
    doc(G::ChatMessages, "dir", "", "1 = client to server, -1 = server to client"),
    doc(G::ChatMessages, "paylen", "bytes", "TCP payload length of the message's segment; in rows it is preceded by an extra field, the message length (see above)"),
    doc(G::ChatMessages, "first_tm", "", "Connection's first packet in local time, quoted and with spaces: `'Thu Feb  6 08:35:46.123456 2020'`"),
    doc(G::ChatMessages, "durat", "s", "Message's packet − the connection's first packet, in seconds (3 decimals)"),
    doc(G::ChatMessages, "con_t", "", "con_t of the connection when the message passed: see [con_t](#con_t)"),
    // log_video_complete, video sets.
    doc(G::Video, "vd_type_cont", "", "Video format from the HTTP `Content-Type`: see [vd_type_cont, vd_type_pay](#vd_type_cont-vd_type_pay)"),
    doc(G::Video, "vd_type_pay", "", "Video format from the payload (container signature)"),
    doc(G::Video, "yt_id16_46", "", "YouTube video id of 16 or 46 characters, `--` otherwise"),
    doc(G::Video, "yt_itag", "", "YouTube format code (`itag`/`fmt`, e.g. 22 = 720p MP4), `--` otherwise"),
    doc(G::Video, "vd_dur", "s", "Video duration from the payload's metadata (FLV, MP4)"),
    doc(G::Video, "vd_rate_tot", "kbps (FLV), bit/s (MP4)", "Video data rate from the payload's metadata: FLV (video and audio rates, forced to kbps), MP4 (the `btrt` average bitrate, as read); Tstat's documentation says kbps for both"),
    doc(G::Video, "vd_width", "pixels", "Video width from the payload's metadata"),
    doc(G::Video, "vd_height", "pixels", "Video height from the payload's metadata"),
    doc(G::Video, "yt_id11", "", "YouTube video id of 11 characters, `--` if not a YouTube request"),
    doc(G::Video, "yt_seek", "ms", "Playback offset of the YouTube request, 0 otherwise"),
    doc(G::Video, "yt_red_mode", "", "YouTube server redirection mode, 0 to 6, from the `redirect_counter` and `st=` URL parameters"),
    doc(G::Video, "yt_red_cnt", "", "YouTube redirection count"),
    doc(G::Video, "yt_mobile", "", "Device: 0 desktop, 1 other, 2 Apple iOS, 3 Android"),
    doc(G::Video, "yt_stream", "", "YouTube streaming: 0 progressive or adaptive download (DASH), 1 HLS of recorded content, 2 HLS live, 3 advertisement, 4 HLS live (another form), 5 live FLV"),
    doc(G::Video, "c_rate_smpl", "", "Rate samples (one per `Rate_Sampling`, 1 s) of the client-to-server direction; the seven rate columns print 0 with one sample or none"),
    doc(G::Video, "c_rate_zero", "", "Empty client-to-server rate samples"),
    doc(G::Video, "c_rate_streak", "", "Longest run of consecutive empty client-to-server samples"),
    doc(G::Video, "c_rate_avg", "kbps", "Average client-to-server rate"),
    doc(G::Video, "c_rate_std", "kbps", "Standard deviation of the client-to-server rate"),
    doc(G::Video, "c_rate_min", "kbps", "Smallest non-zero client-to-server rate sample"),
    doc(G::Video, "c_rate_max", "kbps", "Largest client-to-server rate sample"),
    doc(G::Video, "s_rate_smpl", "", "Rate samples of the server-to-client direction"),
    doc(G::Video, "s_rate_zero", "", "Empty server-to-client rate samples"),
    doc(G::Video, "s_rate_streak", "", "Longest run of consecutive empty server-to-client samples"),
    doc(G::Video, "s_rate_avg", "kbps", "Average server-to-client rate"),
    doc(G::Video, "s_rate_std", "kbps", "Standard deviation of the server-to-client rate"),
    doc(G::Video, "s_rate_min", "kbps", "Smallest non-zero server-to-client rate sample"),
    doc(G::Video, "s_rate_max", "kbps", "Largest server-to-client rate sample"),
    doc(G::Video, "c_rate{n}", "bytes", "Bytes the client sent in the n-th rate sampling slot (the first 10 slots)"),
    doc(G::Video, "s_rate{n}", "bytes", "Bytes the server sent in the n-th rate sampling slot (the first 10 slots)"),
    doc(G::Video, "s_msg", "", "PSH-separated messages of the server-to-client direction"),
    doc(G::Video, "s_msgsize{n}", "bytes", "Size of the n-th PSH-separated server message (the first 10)"),
    // log_http_complete.
    doc(G::Http, "c_ip", "", "Client IP address: the sender of the connection's first SYN"),
    doc(G::Http, "c_port", "", "Client TCP port"),
    doc(G::Http, "s_ip", "", "Server IP address"),
    doc(G::Http, "s_port", "", "Server TCP port"),
    doc(G::Http, "time_abs", "s", "Time of the request's or response's segment, seconds since the epoch (6 decimals)"),
    doc(G::Http, "method", "", "Request method as sent (GET, POST, HEAD, PUT, PATCH, DELETE, OPTIONS), `-` if the request line does not parse, `REQ2` for a continuation row"),
    doc(G::Http, "hostname", "", "`Host:` value (at most 199 bytes), `-` if none"),
    doc(G::Http, "fqdn", "", "The connection's DN-Hunter name at this segment, `-` if none"),
    doc(G::Http, "path", "", "Request target: `-` with `httplog_full_url = 0`, up to the first `?` with 1, as sent with 2 (runtime.conf)"),
    doc(G::Http, "referer", "", "`Referer:` value: scheme and host only with `httplog_full_url = 0`, up to the first `?` with 1, whole with 2; `-` if none"),
    doc(G::Http, "user_agent", "", "`User-Agent:` value, `-` if none"),
    doc(G::Http, "cookie", "", "`Cookie:` value with `httplog_full_url = 2`, else `-`"),
    doc(G::Http, "dnt", "", "`DNT:` value, `-` if none"),
    doc(G::Http, "HTTP", "", "`HTTP` for a response row, `RES2` for a continuation row"),
    doc(G::Http, "response", "", "Status code (up to 3 digits), `-` if none"),
    doc(G::Http, "content_len", "bytes", "`Content-Length:` value as sent, `-` if none"),
    doc(G::Http, "content_type", "", "`Content-Type:` value, `-` if none"),
    doc(G::Http, "server", "", "`Server:` value, `-` if none"),
    doc(G::Http, "range", "", "`Content-Range:` value (partial content), `-` if none"),
    doc(G::Http, "location", "", "`Location:` value, cut by `httplog_full_url` as `referer`; `-` if none"),
    doc(G::Http, "set_cookie", "", "First `Set-Cookie:` value with `httplog_full_url = 2`, else `-`"),
    // log_dns_complete.
    doc(G::Dns, "c_ip", "", "Requester IP address: the source of a query, the destination of a response"),
    doc(G::Dns, "c_port", "", "Requester UDP port"),
    doc(G::Dns, "c_isint", "0/1", "1 = the requester address is internal"),
    doc(G::Dns, "c_iscrypto", "0/1", "1 = the requester address is printed anonymised (`-Y`, minus `-W`)"),
    doc(G::Dns, "s_ip", "", "Responder IP address"),
    doc(G::Dns, "s_port", "", "Responder UDP port"),
    doc(G::Dns, "s_isint", "0/1", "1 = the responder address is internal"),
    doc(G::Dns, "s_iscrypto", "0/1", "1 = the responder address is printed anonymised (`-Y`, minus `-W`)"),
    doc(G::Dns, "time", "ms", "Packet time, ms since the epoch"),
    doc(G::Dns, "entry", "", "`REQ` a query (one row per question), `RESP` a response (one row per answer record), `RESP_ERR` an error response (one row)"),
    doc(G::Dns, "trans_id", "", "DNS transaction id, hex `0x%04x`"),
    doc(G::Dns, "query", "", "REQ, RESP_ERR: the question name as sent (trailing dot, not escaped; `-` for the root); RESP: the answer record's owner name, escaped as ldns prints it"),
    doc(G::Dns, "ttl", "s", "TTL of the answer record (RESP), `-` otherwise"),
    doc(G::Dns, "class", "", "Class of the question (REQ, RESP_ERR: IN, CH, HS, NONE, ANY or OTHER) or of the record (RESP, as ldns names it)"),
    doc(G::Dns, "type", "", "Type of the question (REQ, RESP_ERR: A, AAAA, CNAME, PTR, … NB, or OTHER) or of the record (RESP, as ldns names it)"),
    doc(G::Dns, "answer", "", "RESP: the record's data as ldns prints it, spaces turned into TABs; RESP_ERR: the response code (NXDOMAIN, SERVFAIL, …); REQ: `-`"),
    doc(G::Dns, "flags", "", "Header flags, hex: CD 1, AD 2, RA 4, RD 8, TC 16, AA 32 (0x08: a recursive query)"),
    doc(G::Dns, "qdcount", "", "Questions of the message (header count)"),
    doc(G::Dns, "ancount", "", "Answer records of the message (header count)"),
    doc(G::Dns, "nscount", "", "Authority records of the message (header count)"),
    doc(G::Dns, "arcount", "", "Additional records of the message: the header count minus the OPT (EDNS) records"),
    doc(G::Dns, "pkt_size", "bytes", "Length of the DNS message: the IP payload length − 8"),
];

/// One value of a coded column.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub value: u32,
    /// Tstat's name for it (empty when it has none).
    pub name: &'static str,
    pub meaning: &'static str,
}

/// The values of a coded column, or of several columns coded alike.
#[derive(Debug, Clone, Copy)]
pub struct CodeTable {
    /// The heading: the column names.
    pub title: &'static str,
    /// Which logs, and how to read the values.
    pub intro: &'static str,
    pub codes: &'static [Code],
}

const fn code(value: u32, name: &'static str, meaning: &'static str) -> Code {
    Code {
        value,
        name,
        meaning,
    }
}

/// The coded columns.
#[rustfmt::skip]
pub const CODE_TABLES: &[CodeTable] = &[
    CodeTable { title: "con_t", intro: "`con_t` of log_tcp_complete, log_tcp_nocomplete, log_video_complete, log_chat_complete and log_chat_messages: the protocols the payload classifiers recognised (Tstat's protocol.h), a bit mask whose values add up (257 = HTTP and P2P). A classification other than OBF, MSE and RTMP clears the OBF and MSE bits. 0 without the `dpi` feature.", codes: &[
        code(0, "UNKNOWN", "Nothing recognised"),
        code(1, "HTTP", "HTTP: a request from the client, then a server segment starting with `HTTP`"),
        code(2, "RTSP", "RTSP: `DESCRIBE` from the client, then `RTSP` from the server"),
        code(4, "RTP", "RTP over TCP: never set by Tstat 3.2.1"),
        code(8, "ICY", "ICY (Shoutcast) answer to an HTTP request"),
        code(16, "RTCP", "RTCP: never set for TCP"),
        code(32, "MSN", "MSN Messenger"),
        code(64, "YMSG", "Yahoo! Messenger"),
        code(128, "XMPP", "XMPP (Jabber, Google Talk)"),
        code(256, "P2P", "A P2P protocol found by IPP2P: see `p2p_t`"),
        code(512, "SKYPE", "Skype over TCP (Tstat with `-B`; not implemented here)"),
        code(1024, "SMTP", "SMTP"),
        code(2048, "POP3", "POP3"),
        code(4096, "IMAP", "IMAP4"),
        code(8192, "SSL", "TLS or SSL: a ClientHello, then a ServerHello"),
        code(16384, "OBF", "Obfuscated eDonkey (message size sequences)"),
        code(32768, "SSH", "SSH 2.0 or 1.99"),
        code(65536, "RTMP", "RTMP"),
        code(131072, "MSE", "BitTorrent Message Stream Encryption (MSE/PE)"),
        code(262144, "FB0", "Facebook Zero"),
    ] },
    CodeTable { title: "p2p_t", intro: "`p2p_t` of log_tcp_complete, log_tcp_nocomplete and log_video_complete: the IPP2P protocol of the connection (`p2p_type` / 100; codes of Tstat's ipp2p_tstat.h). The TCP matchers of Tstat 3.2.1 find only these two; `p2p_st` (P2P set) holds the message subtype.", codes: &[
        code(0, "", "No IPP2P match"),
        code(1, "IPP2P_EDK", "eDonkey, eMule"),
        code(9, "IPP2P_BIT", "BitTorrent: the peer handshake or an HTTP tracker request"),
    ] },
    CodeTable { title: "http_t", intro: "`http_t` of log_tcp_complete, log_tcp_nocomplete and log_video_complete: the Web 2.0 class of an HTTP connection (Tstat's `http_content` + 1), from the request path by the rules of Tstat's web.c; a later request of the connection can refine GET and POST. Many classes are of historical interest only.", codes: &[
        code(0, "", "Not an HTTP connection (`con_t` without bit 1)"),
        code(1, "HTTP_GET", "GET, HEAD, PUT, PATCH, DELETE or OPTIONS request of no specific class"),
        code(2, "HTTP_POST", "POST request of no specific class"),
        code(3, "HTTP_MSN", "MSN chat tunnelled over HTTP (POST)"),
        code(4, "HTTP_RTMPT", "RTMP tunnelled over HTTP (POST)"),
        code(5, "HTTP_YOUTUBE_VIDEO", "YouTube video download"),
        code(6, "HTTP_VIDEO_CONTENT", "FLV or MP4 video download, found in the response"),
        code(7, "HTTP_VIMEO", "Vimeo video download"),
        code(8, "HTTP_WIKI", "Wikipedia"),
        code(9, "HTTP_RAPIDSHARE", "RapidShare file download"),
        code(10, "HTTP_MEGAUPLOAD", "MegaUpload file download"),
        code(11, "HTTP_FACEBOOK", "Facebook"),
        code(12, "HTTP_ADV", "Advertisement"),
        code(13, "HTTP_FLICKR", "Flickr photo download"),
        code(14, "HTTP_GMAPS", "Google Maps images"),
        code(15, "HTTP_NETFLIX", "Netflix video"),
        code(16, "HTTP_YOUTUBE_SITE", "YouTube site content"),
        code(17, "HTTP_SOCIAL", "Localised social networks: Nasza-Klasa (PL), IWIW (HU)"),
        code(18, "HTTP_FLASHVIDEO", "FLV video of a few video sites"),
        code(19, "HTTP_MEDIAFIRE", "MediaFire file download"),
        code(20, "HTTP_HOTFILE", "Hotfile.com file download"),
        code(21, "HTTP_STORAGE", "Storage.to file download"),
        code(22, "HTTP_YOUTUBE_204", "YouTube pre-loading"),
        code(23, "HTTP_YOUTUBE_VIDEO204", "YouTube pre-loading, then video"),
        code(24, "HTTP_YOUTUBE_SITE_DIRECT", "YouTube: video request on the YouTube site"),
        code(25, "HTTP_YOUTUBE_SITE_EMBED", "YouTube: embedded video request"),
        code(26, "HTTP_TWITTER", "Twitter, unencrypted (mostly widgets)"),
        code(27, "HTTP_DROPBOX", "Dropbox client presence"),
    ] },
    CodeTable { title: "c_npnalpn, s_npnalpn", intro: "`c_npnalpn`, `s_npnalpn` of log_tcp_complete: the TLS NPN (extension 3374) and ALPN (extension 0010) protocols, a bit mask. The client has a bit for each protocol it offers, the server for the one it selects: 161 = an empty NPN and ALPN with http/1.1 and h2.", codes: &[
        code(1, "NPN_EMPTY", "NPN with no protocol (implicitly SPDY)"),
        code(2, "NPN_HTTP", "NPN: HTTP/1.x"),
        code(4, "NPN_SPDY", "NPN: SPDY"),
        code(8, "NPN_H2", "NPN: HTTP/2"),
        code(16, "ALPN_EMPTY", "ALPN with no protocol"),
        code(32, "ALPN_HTTP", "ALPN: HTTP/1.x"),
        code(64, "ALPN_SPDY", "ALPN: SPDY"),
        code(128, "ALPN_H2", "ALPN: HTTP/2"),
    ] },
    CodeTable { title: "tls_session_stat", intro: "`tls_session_stat` of log_tcp_complete: how the TLS session was set up, a bit mask. With TLS 1.2 and older it is 0 or 1.", codes: &[
        code(1, "SESSION_ID", "The ClientHello carried a session id (TLS 1.2 and older: an attempt to resume a session; TLS 1.3: always)"),
        code(2, "CLIENT_PSK", "The ClientHello carried a pre_shared_key extension (TLS 1.3)"),
        code(4, "EARLY_DATA", "The ClientHello carried an early_data extension (TLS 1.3)"),
        code(8, "SERVER_PSK", "The ServerHello carried a pre_shared_key extension (TLS 1.3)"),
        code(16, "HELLO_RETRY", "The ServerHello was a HelloRetryRequest (TLS 1.3)"),
    ] },
    CodeTable { title: "c_type, s_type", intro: "`c_type`, `s_type` of log_udp_complete: the protocol of each direction of a UDP flow (Tstat's `udp_type`), also the raw types `c_proto`, `s_proto` of log_mm_complete. log_udp_complete prints 18 for a direction of type 0, 1 or 2 of a flow that matched obfuscated KAD (unless a port is 123), and 5 or 6 only when the Skype classifier confirmed it. 0 without the `dpi` feature.", codes: &[
        code(0, "UDP_UNKNOWN", "Not classified"),
        code(1, "FIRST_RTP", "Possible RTP: not set by Tstat 3.2.1, whose RTP classifier uses 28 and 29"),
        code(2, "FIRST_RTCP", "Possible RTCP: not set by Tstat 3.2.1"),
        code(3, "RTP", "RTP: not set by Tstat 3.2.1"),
        code(4, "RTCP", "RTCP: not set by Tstat 3.2.1"),
        code(5, "SKYPE_E2E", "Skype end to end (needs `-B` and Tstat's Bayesian test, not implemented here: prints 0)"),
        code(6, "SKYPE_OUT", "SkypeOut (as 5)"),
        code(7, "SKYPE_SIG", "Skype signalling (needs `-B`)"),
        code(8, "P2P_EDK", "eDonkey (eMule)"),
        code(9, "P2P_KAD", "eMule KAD"),
        code(10, "P2P_KADU", "Adunanza (eMule mod) KAD"),
        code(11, "P2P_GNU", "Gnutella (obsolete: not in the 3.2.1 build)"),
        code(12, "P2P_BT", "BitTorrent DHT"),
        code(13, "P2P_DC", "DirectConnect (obsolete: not in the 3.2.1 build)"),
        code(14, "P2P_KAZAA", "Kazaa (obsolete: not in the 3.2.1 build)"),
        code(15, "P2P_PPLIVE", "PPLive IPTV"),
        code(16, "P2P_SOPCAST", "SopCast IPTV"),
        code(17, "P2P_TVANTS", "TVAnts IPTV"),
        code(18, "P2P_OKAD", "eMule obfuscated KAD"),
        code(19, "DNS", "DNS"),
        code(20, "P2P_UTP", "BitTorrent uTP"),
        code(21, "P2P_UTPBT", "BitTorrent uTP and DHT"),
        code(22, "UDP_VOD", "MPEG2 PES streaming over UDP"),
        code(23, "P2P_PPSTREAM", "PPStream IPTV"),
        code(24, "TEREDO", "Teredo IPv6 tunnel"),
        code(25, "UDP_SIP", "SIP"),
        code(26, "UDP_DTLS", "DTLS"),
        code(27, "UDP_QUIC", "Google QUIC (IETF QUIC is not typed by Tstat 3.2.1)"),
        code(28, "FIRST_RTP_PLUS", "Possible RTP or RTCP, not confirmed yet"),
        code(29, "RTP_PLUS", "RTP or RTCP, possibly multiplexed with STUN, DTLS, TURN or ZRTP (RFC 7983); its streams are in log_mm_complete"),
        code(30, "UDP_MTURN", "Multiplexed TURN (Skype, MS Teams): Tstat 3.2.1 has this matcher, this tstat does not"),
    ] },
    CodeTable { title: "c_mux_prot, s_mux_prot", intro: "`c_mux_prot`, `s_mux_prot` of log_mm_complete: the protocols seen in a direction of an RTP_PLUS flow (multiplexed as RFC 7983 describes), a bit mask. Common: 1 RTP, 3 RTP and RTCP, 11 RTP, RTCP and STUN.", codes: &[
        code(1, "RTP", "RTP"),
        code(2, "RTCP", "RTCP"),
        code(4, "DTLS", "DTLS"),
        code(8, "STUN", "STUN"),
        code(16, "TURN", "TURN channel data"),
        code(32, "ZRTP", "ZRTP"),
        code(64, "MTURN", "Multiplexed TURN (not in RFC 7983)"),
    ] },
    CodeTable { title: "MSN flow type", intro: "`type` of log_chat_complete for MSN connections (con_t 32): values of Tstat's msn.h. Tstat's documentation gives 5 for HTTP tunnelling; its source uses 4.", codes: &[
        code(1, "MSN_LOGIN", "Login: `VER` seen, no `USR`"),
        code(2, "MSN_PRESENCE", "Presence: `VER` and `USR` seen"),
        code(3, "MSN_CHAT", "Chat: `MSG` messages"),
        code(4, "MSN_HTTP_TUNNELING", "MSN tunnelled over HTTP"),
    ] },
    CodeTable { title: "YMSG flow type", intro: "`type` of log_chat_complete for Yahoo! Messenger connections (con_t 64): values of Tstat's ymsg.h. Tstat's documentation gives 6 for peer-to-peer chat and 7 for an unclassified connection; its source uses 5 and 9.", codes: &[
        code(2, "YMSG_PRESENCE", "Presence: an authentication response seen"),
        code(3, "YMSG_CHAT", "Chat: messages"),
        code(4, "YMSG_PRESENCE_CHAT", "Presence, then chat"),
        code(5, "YMSG_P2P", "Peer-to-peer chat (a direct connection between clients)"),
        code(9, "YMSG_YMSG", "Yahoo! Messenger connection of no other type"),
    ] },
    CodeTable { title: "XMPP flow type", intro: "`type` of log_chat_complete for XMPP connections (con_t 128): values of Tstat's jabber.h.", codes: &[
        code(2, "JABBER_PRESENCE", "Presence: a `<presence` segment seen"),
        code(3, "JABBER_CHAT", "Chat: `<message ` segments after a presence"),
    ] },
    CodeTable { title: "vd_type_cont, vd_type_pay", intro: "`vd_type_cont`, `vd_type_pay` of log_video_complete: the video format (Tstat's `video_content`), from the HTTP `Content-Type` or from the payload.", codes: &[
        code(0, "VIDEO_NOT_DEFINED", "Not video, or not classified"),
        code(1, "VIDEO_FLV", "Adobe Flash Video"),
        code(2, "VIDEO_MP4", "MPEG-4, F4V and fragmented MP4 included"),
        code(3, "VIDEO_AVI", "AVI, DivX"),
        code(4, "VIDEO_WMV", "Windows Media Video, ASF content"),
        code(5, "VIDEO_MPEG", "MPEG-1, MPEG-2, VOB"),
        code(6, "VIDEO_WEBM", "WebM (VP8)"),
        code(7, "VIDEO_3GPP", "3GPP (releases 5 and 6 are classified as MP4)"),
        code(8, "VIDEO_OGG", "Ogg"),
        code(9, "VIDEO_QUICKTIME", "QuickTime (from the `Content-Type` only)"),
        code(10, "VIDEO_ASF", "ASF control packets (ASF video is WMV)"),
        code(11, "VIDEO_UNKNOWN", "Another video format, or a `Content-Type` such as `video/*`"),
        code(12, "VIDEO_HLS", "HTTP Live Streaming"),
        code(13, "VIDEO_NFF", "NDS File Format (Cisco Videoscape, Sky+ video on demand)"),
    ] },
];

/// The start of docs/columns.md.
const PREAMBLE: &str = "# Log columns\n\nWhat each column of each log holds, with its unit, and the values of the coded columns. This file is generated by `render_markdown()` in `src/sink/column_doc.rs` from the column lists that write the header lines, so names and numbers cannot drift; to change it, edit the tables there and run `TSTAT_BLESS=1 cargo test --lib column_doc` (the test fails while this file differs).\n\nEvery log starts with a header line naming each column with its number (`c_ip:1 c_port:2 …`); that line is authoritative. The numbers here are those of the reference configuration, every set on: tcplog level 31 (`#31#`), videolog level 63 (`#63#`). A set that is off leaves its columns out, and the later columns move up. Fields are separated by one space (log_http_complete: a TAB).\n\n`c_` columns describe the client, `s_` columns the server: in TCP the client sent the first SYN, in UDP the first packet. Units are those printed: `ms` or `s` as the column prints it (absolute times count from the epoch, 1970-01-01 UTC), `bytes`, `0/1` for a flag; counts, addresses, names and codes have none. Meanings come from Tstat 3.2.1's documentation and source and from the notes in [docs/semantics](semantics/).";

/// The start of the Codes section.
const CODES_INTRO: &str = "The values of the coded columns, from Tstat 3.2.1's headers (protocol.h, struct.h, ipp2p_tstat.h, msn.h, ymsg.h, jabber.h) and documentation. In a bit mask the values add up.";

const INTRO_TCP_COMPLETE: &str = "One row per TCP connection opened by a SYN that ended with both FINs acknowledged, or with a RST or an idle timeout after SYNs from both sides; every other connection goes to log_tcp_nocomplete. Connections with neither end internal are not logged. After the core set come the sets that runtime.conf `[options]` turns on, always in this order; `tcplog_advanced` adds no column to Tstat 3.2.1's log.";

const INTRO_TCP_NOCOMPLETE: &str = "The other connections opened by a SYN: still open at the end of the trace, reset or timed out before both sides had sent a SYN, or closed when the client sent data before any server SYN. Only the core set, whatever the tcplog level; the header line has the same `#31#` prefix.";

const INTRO_UDP: &str = "One row per UDP flow (a pair of address and port endpoints), written when it has been idle for `UDP_Idle_Time` (200 s; 10 s for a flow of one packet) or at the end of the trace. The client sent the flow's first packet. Flows with neither end internal are not logged.";

const INTRO_MM: &str = "One row per RTP or RTCP stream (SSRC) of a UDP flow with a direction typed 29 (RTP_PLUS), written when the flow ends (`dpi` feature). Columns 15 to 53 differ between RTP rows (`R`) and RTCP rows (`T`): the meanings say which applies; the other kind prints 0 there.";

const INTRO_CHAT: &str = "One row per MSN, Yahoo! Messenger or XMPP connection (con_t 32, 64, 128), written at its close whatever its endpoints (`dpi` feature). The header is that of MSN rows; YMSG and XMPP rows have 20 fields: `c_ip c_port c_bytes_uniq c_pkts_all c_msgs s_ip s_port s_bytes_uniq s_pkts_all s_msgs first_tm durat type ver isint flowid T con_t c_iscrypto s_iscrypto`, where `msgs` counts the side's messages. No trace of the reference corpus holds chat traffic: these rows follow Tstat's source and are not verified.";

const INTRO_CHAT_MESSAGES: &str = "One row per counted chat message, written as its packet passes (`dpi` feature). The header names 7 columns but rows have 8 fields, `idflow type dir len paylen 'first_tm' durat con_t`, and the quoted time holds spaces: `len` is the message length (MSN: from its `MSG` line, -1 when unknown; YMSG: from its header; `?` for MSN messages of Yahoo! users and for XMPP). The table follows the header names.";

const INTRO_VIDEO: &str = "Created with its header when runtime.conf enables it (on by default, as in Tstat), but its rows are not computed yet. In Tstat, one row per TCP video connection: HTTP video, RTMP, YouTube and Netflix over TLS. The sets keep this order: the TCP core, End-to-End (`videolog_end_to_end`), the video sets (Video Core, always; Video Information, `videolog_videoinfo`; YouTube, `videolog_youtube`; Video Advanced, `videolog_advanced`), then TCP Options (`videolog_options`) and Layer-7 (`videolog_layer7`).";

const INTRO_HTTP: &str = "One row per HTTP request or response segment, written as it passes (`http-log` feature; off by default, `log_http_complete = 1` in runtime.conf). Fields are separated by TABs. Request rows and response rows have their own header line (`#C#`, `#S#`) and columns; column 6 tells them apart. A value cut by the end of its segment ends with `[*]` (for path, referer and location only with `httplog_full_url = 2`); the next segment of the same side gives a `REQ2` or `RES2` row when it holds a header or the rest of a cut value.";

const INTRO_DNS: &str = "One row per DNS question of a query, answer record of a response, or error response, written as the packet passes (`dns-log` feature; off by default, `log_dns_complete = 1` in runtime.conf). Every UDP packet of a tracked flow is parsed, whatever its ports (NetBIOS name service too); multicast is skipped.";

const INTRO_SKYPE: &str = "Tstat 3.2.1 writes no header line in this file, and this tstat computes none of its rows: the file is empty.";

/// A TCP column set, as log_tcp_complete and log_video_complete print it.
struct TcpSet {
    name: &'static str,
    tcp_switch: &'static str,
    video_switch: &'static str,
    columns: &'static [&'static str],
}

static TCP_SETS: [TcpSet; 5] = [
    TcpSet {
        name: "Core set",
        tcp_switch: "always present",
        video_switch: "always present",
        columns: columns::TCP_CORE,
    },
    TcpSet {
        name: "End-to-End set",
        tcp_switch: "`tcplog_end_to_end`",
        video_switch: "`videolog_end_to_end`",
        columns: columns::TCP_E2E,
    },
    TcpSet {
        name: "P2P set",
        tcp_switch: "`tcplog_p2p`",
        video_switch: "not in this log",
        columns: columns::TCP_P2P,
    },
    TcpSet {
        name: "TCP Options set",
        tcp_switch: "`tcplog_options`",
        video_switch: "`videolog_options`",
        columns: columns::TCP_OPTIONS,
    },
    TcpSet {
        name: "Layer-7 set",
        tcp_switch: "`tcplog_layer7`",
        video_switch: "`videolog_layer7`",
        columns: columns::TCP_LAYER7,
    },
];

/// Columns of one table of a log's page, numbered as in the header line.
struct Section {
    /// Heading; empty for a page with one table.
    title: String,
    group: Group,
    columns: Vec<(usize, String)>,
    /// Documented on another log's page: a line points there.
    see: Option<&'static str>,
}

/// One log.
struct Page {
    file: &'static str,
    intro: &'static str,
    sections: Vec<Section>,
}

/// The columns of a header line: `(number, name)` from its `name:number` pairs, after the
/// `#`, `#31#` or `#C#` prefix.
fn header_columns(line: &str) -> Vec<(usize, String)> {
    let line = line.trim_end_matches('\n');
    let body = line.strip_prefix('#').unwrap_or(line);
    let body = match body.find('#') {
        Some(i) => &body[i + 1..],
        None => body,
    };
    let mut out = Vec::new();
    for token in body.split([' ', '\t']) {
        if token.is_empty() {
            continue;
        }
        if let Some((name, number)) = token.rsplit_once(':') {
            if let Ok(n) = number.parse::<usize>() {
                out.push((n, name.to_string()));
            }
        }
    }
    out
}

/// Whether an entry's name stands for a header name (`c_rate{n}` for `c_rate1`, …).
fn name_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix("{n}") {
        Some(prefix) => match name.strip_prefix(prefix) {
            Some(rest) => !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()),
            None => false,
        },
        None => pattern == name,
    }
}

/// The entries documenting `name` in `group` (exactly one, as the tests check).
fn entries(group: Group, name: &str) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, d) in DOCS.iter().enumerate() {
        if d.group == group && name_matches(d.name, name) {
            out.push(i);
        }
    }
    out
}

fn reference_runtime() -> Runtime {
    let mut rt = Runtime::default();
    rt.tcplog_level = TCPLOG_LEVEL;
    rt.videolog_level = VIDEOLOG_LEVEL;
    rt
}

/// A log's columns cut into runs of one TCP set each, and runs of other (video) columns.
fn tcp_sections(
    columns: Vec<(usize, String)>,
    video: bool,
    see: Option<&'static str>,
) -> Vec<Section> {
    // (index of the TCP set, or None for video columns; the run's numbered columns)
    type Run = (Option<usize>, Vec<(usize, String)>);
    let mut runs: Vec<Run> = Vec::new();
    for (number, name) in columns {
        let set = TCP_SETS
            .iter()
            .position(|s| s.columns.contains(&name.as_str()));
        let same = match runs.last() {
            Some(run) => run.0 == set,
            None => false,
        };
        if same {
            if let Some(run) = runs.last_mut() {
                run.1.push((number, name));
            }
        } else {
            runs.push((set, vec![(number, name)]));
        }
    }
    let mut sections = Vec::new();
    for (set, columns) in runs {
        match set {
            Some(i) => {
                let s = &TCP_SETS[i];
                let switch = if video { s.video_switch } else { s.tcp_switch };
                sections.push(Section {
                    title: format!("{} ({})", s.name, switch),
                    group: Group::Tcp,
                    columns,
                    see,
                });
            }
            None => sections.push(Section {
                title: "Video sets".to_string(),
                group: Group::Video,
                columns,
                see: None,
            }),
        }
    }
    sections
}

/// One untitled table, or none for a log without a header.
fn one_section(columns: Vec<(usize, String)>, group: Group) -> Vec<Section> {
    if columns.is_empty() {
        return Vec::new();
    }
    vec![Section {
        title: String::new(),
        group,
        columns,
        see: None,
    }]
}

/// Every log, its columns taken from the header lines the logs are written with.
fn pages() -> Vec<Page> {
    let rt = reference_runtime();
    let level = rt.tcplog_level;
    let header_of = |kind: LogKind| header_only::header_text(kind, &rt).unwrap_or_default();
    let tcp_complete = columns::header(Some(level), &columns::tcp_complete_groups(level));
    let tcp_nocomplete = columns::header(Some(level), &[columns::TCP_CORE]);
    let udp = columns::header(None, &[columns::UDP]);

    let mut http_sections = Vec::new();
    for line in header_of(LogKind::HttpComplete).lines() {
        let title = if line.starts_with("#C#") {
            "Request rows (`#C#`)"
        } else if line.starts_with("#S#") {
            "Response rows (`#S#`)"
        } else {
            ""
        };
        let columns = header_columns(line);
        if !columns.is_empty() {
            http_sections.push(Section {
                title: title.to_string(),
                group: Group::Http,
                columns,
                see: None,
            });
        }
    }

    let complete = LogKind::TcpComplete.file_name();
    vec![
        Page {
            file: complete,
            intro: INTRO_TCP_COMPLETE,
            sections: tcp_sections(header_columns(&tcp_complete), false, None),
        },
        Page {
            file: LogKind::TcpNocomplete.file_name(),
            intro: INTRO_TCP_NOCOMPLETE,
            sections: tcp_sections(header_columns(&tcp_nocomplete), false, Some(complete)),
        },
        Page {
            file: LogKind::UdpComplete.file_name(),
            intro: INTRO_UDP,
            sections: one_section(header_columns(&udp), Group::Udp),
        },
        Page {
            file: LogKind::MmComplete.file_name(),
            intro: INTRO_MM,
            sections: one_section(header_columns(&header_of(LogKind::MmComplete)), Group::Mm),
        },
        Page {
            file: LogKind::ChatComplete.file_name(),
            intro: INTRO_CHAT,
            sections: one_section(
                header_columns(&header_of(LogKind::ChatComplete)),
                Group::Chat,
            ),
        },
        Page {
            file: LogKind::ChatMessages.file_name(),
            intro: INTRO_CHAT_MESSAGES,
            sections: one_section(
                header_columns(&header_of(LogKind::ChatMessages)),
                Group::ChatMessages,
            ),
        },
        Page {
            file: LogKind::VideoComplete.file_name(),
            intro: INTRO_VIDEO,
            sections: tcp_sections(
                header_columns(&header_of(LogKind::VideoComplete)),
                true,
                Some(complete),
            ),
        },
        Page {
            file: LogKind::HttpComplete.file_name(),
            intro: INTRO_HTTP,
            sections: http_sections,
        },
        Page {
            file: LogKind::DnsComplete.file_name(),
            intro: INTRO_DNS,
            sections: one_section(header_columns(&header_of(LogKind::DnsComplete)), Group::Dns),
        },
        Page {
            file: LogKind::SkypeComplete.file_name(),
            intro: INTRO_SKYPE,
            sections: one_section(
                header_columns(&header_of(LogKind::SkypeComplete)),
                Group::Udp,
            ),
        },
    ]
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, other punctuation dropped.
fn slug(heading: &str) -> String {
    let mut out = String::new();
    for c in heading.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            out.extend(c.to_lowercase());
        } else if c == ' ' {
            out.push('-');
        }
    }
    out
}

/// A table cell's text.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn render_page(out: &mut String, page: &Page) {
    out.push_str(&format!("## {}\n\n{}\n\n", page.file, page.intro));
    for section in &page.sections {
        if !section.title.is_empty() {
            out.push_str(&format!("### {}\n\n", section.title));
        }
        if let Some(other) = section.see {
            if let (Some(first), Some(last)) = (section.columns.first(), section.columns.last()) {
                out.push_str(&format!(
                    "Columns {}–{} (`{}` … `{}`): as in [{}](#{}).\n\n",
                    first.0,
                    last.0,
                    first.1,
                    last.1,
                    other,
                    slug(other)
                ));
            }
            continue;
        }
        out.push_str("| # | Column | Unit | Meaning |\n|---:|---|---|---|\n");
        for (number, name) in &section.columns {
            let (unit, meaning) = match entries(section.group, name).first() {
                Some(&i) => (DOCS[i].unit, DOCS[i].meaning),
                None => ("", "(not documented)"),
            };
            out.push_str(&format!(
                "| {} | `{}` | {} | {} |\n",
                number,
                name,
                cell(unit),
                cell(meaning)
            ));
        }
        out.push('\n');
    }
}

fn render_codes(out: &mut String, table: &CodeTable) {
    out.push_str(&format!(
        "### {}\n\n{}\n\n| Value | Name | Meaning |\n|---:|---|---|\n",
        table.title, table.intro
    ));
    for c in table.codes {
        let name = if c.name.is_empty() {
            String::new()
        } else {
            format!("`{}`", c.name)
        };
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            c.value,
            name,
            cell(c.meaning)
        ));
    }
    out.push('\n');
}

/// docs/columns.md.
pub fn render_markdown() -> String {
    let pages = pages();
    let mut out = String::new();
    out.push_str(PREAMBLE);
    out.push_str("\n\n## Contents\n\n");
    for page in &pages {
        out.push_str(&format!("- [{}](#{})\n", page.file, slug(page.file)));
    }
    out.push_str("- [Codes](#codes)\n");
    for table in CODE_TABLES {
        out.push_str(&format!("  - [{}](#{})\n", table.title, slug(table.title)));
    }
    out.push('\n');
    for page in &pages {
        render_page(&mut out, page);
    }
    out.push_str("## Codes\n\n");
    out.push_str(CODES_INTRO);
    out.push_str("\n\n");
    for table in CODE_TABLES {
        render_codes(&mut out, table);
    }
    let mut text = out.trim_end().to_string();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_column_has_exactly_one_entry_and_every_entry_is_used() {
        let mut used = vec![false; DOCS.len()];
        let mut logs = 0;
        for page in pages() {
            for section in &page.sections {
                for (number, name) in &section.columns {
                    let hits = entries(section.group, name);
                    assert_eq!(
                        hits.len(),
                        1,
                        "{} column {} `{}`: {} entries in the {:?} table of column_doc.rs",
                        page.file,
                        number,
                        name,
                        hits.len(),
                        section.group
                    );
                    used[hits[0]] = true;
                }
            }
            logs += 1;
        }
        assert_eq!(logs, 10);
        for (i, d) in DOCS.iter().enumerate() {
            assert!(
                used[i],
                "the {:?} entry `{}` documents no column of any header",
                d.group, d.name
            );
        }
    }

    #[test]
    fn numbers_are_those_of_the_reference_headers() {
        let pages = pages();
        let numbers = |file: &str| -> Vec<usize> {
            let page = pages.iter().find(|p| p.file == file).unwrap();
            page.sections
                .iter()
                .flat_map(|s| s.columns.iter().map(|c| c.0))
                .collect()
        };
        // The reference header of log_tcp_complete ends at dns_enc:134, that of
        // log_video_complete (level 63) at 187; both count from 1 without a gap.
        assert_eq!(numbers("log_tcp_complete"), (1..=134).collect::<Vec<_>>());
        assert_eq!(numbers("log_tcp_nocomplete"), (1..=44).collect::<Vec<_>>());
        assert_eq!(numbers("log_video_complete"), (1..=187).collect::<Vec<_>>());
        assert_eq!(numbers("log_udp_complete"), (1..=23).collect::<Vec<_>>());
        assert_eq!(numbers("log_mm_complete"), (1..=53).collect::<Vec<_>>());
        assert_eq!(numbers("log_skype_complete"), Vec::<usize>::new());
        let mut http: Vec<usize> = (1..=13).collect();
        http.extend(1..=13);
        assert_eq!(numbers("log_http_complete"), http);
    }

    #[test]
    fn names_with_a_number_stand_for_the_numbered_columns() {
        assert!(name_matches("c_rate{n}", "c_rate10"));
        assert!(!name_matches("c_rate{n}", "c_rate_smpl"));
        assert!(!name_matches("c_rate{n}", "c_rate"));
        assert!(!name_matches("s_msgsize{n}", "s_msg"));
        assert!(name_matches("s_msg", "s_msg"));
    }

    fn code_value(title: &str, name: &str) -> u32 {
        let table = CODE_TABLES
            .iter()
            .find(|t| t.title == title)
            .unwrap_or_else(|| panic!("no code table {title}"));
        table
            .codes
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no {name} in the {title} table"))
            .value
    }

    #[test]
    fn code_values_are_unique_and_ascending() {
        for table in CODE_TABLES {
            for pair in table.codes.windows(2) {
                assert!(
                    pair[0].value < pair[1].value,
                    "{}: {} then {}",
                    table.title,
                    pair[0].value,
                    pair[1].value
                );
            }
        }
    }

    #[test]
    fn code_tables_agree_with_the_classifiers_constants() {
        use crate::dpi::tcp::chat::{jft, mft, yft};
        use crate::dpi::tcp::con;
        use crate::dpi::tcp::tls::npnalpn;
        use crate::dpi::tcp::web::HttpClass;
        use crate::dpi::udp::kind;
        use crate::dpi::udp::rtp::mux;

        for (name, value) in [
            ("HTTP", con::HTTP),
            ("RTSP", con::RTSP),
            ("ICY", con::ICY),
            ("MSN", con::MSN),
            ("YMSG", con::YMSG),
            ("XMPP", con::XMPP),
            ("P2P", con::P2P),
            ("SMTP", con::SMTP),
            ("POP3", con::POP3),
            ("IMAP", con::IMAP),
            ("SSL", con::SSL),
            ("OBF", con::OBF),
            ("SSH", con::SSH),
            ("RTMP", con::RTMP),
            ("MSE", con::MSE),
            ("FB0", con::FB0),
        ] {
            assert_eq!(code_value("con_t", name), value, "con_t {name}");
        }

        for (name, value) in [
            ("UDP_UNKNOWN", kind::UNKNOWN),
            ("FIRST_RTP", kind::FIRST_RTP),
            ("FIRST_RTCP", kind::FIRST_RTCP),
            ("P2P_EDK", kind::P2P_EDK),
            ("P2P_BT", kind::P2P_BT),
            ("P2P_PPLIVE", kind::P2P_PPLIVE),
            ("P2P_SOPCAST", kind::P2P_SOPCAST),
            ("P2P_TVANTS", kind::P2P_TVANTS),
            ("P2P_OKAD", kind::P2P_OKAD),
            ("DNS", kind::DNS),
            ("P2P_UTP", kind::P2P_UTP),
            ("P2P_UTPBT", kind::P2P_UTPBT),
            ("UDP_VOD", kind::UDP_VOD),
            ("P2P_PPSTREAM", kind::P2P_PPSTREAM),
            ("TEREDO", kind::TEREDO),
            ("UDP_SIP", kind::UDP_SIP),
            ("UDP_DTLS", kind::UDP_DTLS),
            ("UDP_QUIC", kind::UDP_QUIC),
            ("FIRST_RTP_PLUS", kind::FIRST_RTP_PLUS),
            ("RTP_PLUS", kind::RTP_PLUS),
        ] {
            assert_eq!(
                code_value("c_type, s_type", name),
                u32::from(value),
                "c_type {name}"
            );
        }

        for (name, class) in [
            ("HTTP_GET", HttpClass::Get),
            ("HTTP_POST", HttpClass::Post),
            ("HTTP_MSN", HttpClass::Msn),
            ("HTTP_RTMPT", HttpClass::Rtmpt),
            ("HTTP_YOUTUBE_VIDEO", HttpClass::YoutubeVideo),
            ("HTTP_VIDEO_CONTENT", HttpClass::VideoContent),
            ("HTTP_VIMEO", HttpClass::Vimeo),
            ("HTTP_WIKI", HttpClass::Wiki),
            ("HTTP_RAPIDSHARE", HttpClass::Rapidshare),
            ("HTTP_MEGAUPLOAD", HttpClass::Megaupload),
            ("HTTP_FACEBOOK", HttpClass::Facebook),
            ("HTTP_ADV", HttpClass::Adv),
            ("HTTP_FLICKR", HttpClass::Flickr),
            ("HTTP_GMAPS", HttpClass::Gmaps),
            ("HTTP_NETFLIX", HttpClass::Netflix),
            ("HTTP_YOUTUBE_SITE", HttpClass::YoutubeSite),
            ("HTTP_SOCIAL", HttpClass::Social),
            ("HTTP_FLASHVIDEO", HttpClass::FlashVideo),
            ("HTTP_MEDIAFIRE", HttpClass::Mediafire),
            ("HTTP_HOTFILE", HttpClass::Hotfile),
            ("HTTP_STORAGE", HttpClass::Storage),
            ("HTTP_YOUTUBE_204", HttpClass::Youtube204),
            ("HTTP_YOUTUBE_VIDEO204", HttpClass::YoutubeVideo204),
            ("HTTP_YOUTUBE_SITE_DIRECT", HttpClass::YoutubeSiteDirect),
            ("HTTP_YOUTUBE_SITE_EMBED", HttpClass::YoutubeSiteEmbed),
            ("HTTP_TWITTER", HttpClass::Twitter),
            ("HTTP_DROPBOX", HttpClass::Dropbox),
        ] {
            // http_t prints the class + 1.
            assert_eq!(
                code_value("http_t", name),
                class as u32 + 1,
                "http_t {name}"
            );
        }

        for (name, value) in [
            ("NPN_EMPTY", npnalpn::NPN_EMPTY),
            ("NPN_HTTP", npnalpn::NPN_HTTP),
            ("NPN_SPDY", npnalpn::NPN_SPDY),
            ("NPN_H2", npnalpn::NPN_H2),
            ("ALPN_EMPTY", npnalpn::ALPN_EMPTY),
            ("ALPN_HTTP", npnalpn::ALPN_HTTP),
            ("ALPN_SPDY", npnalpn::ALPN_SPDY),
            ("ALPN_H2", npnalpn::ALPN_H2),
        ] {
            assert_eq!(
                code_value("c_npnalpn, s_npnalpn", name),
                u32::from(value),
                "npnalpn {name}"
            );
        }

        for (name, value) in [
            ("RTP", mux::RTP),
            ("RTCP", mux::RTCP),
            ("DTLS", mux::DTLS),
            ("STUN", mux::STUN),
            ("TURN", mux::TURN),
            ("ZRTP", mux::ZRTP),
            ("MTURN", mux::MS_TURN),
        ] {
            assert_eq!(
                code_value("c_mux_prot, s_mux_prot", name),
                u32::from(value),
                "mux {name}"
            );
        }

        for (title, name, value) in [
            ("MSN flow type", "MSN_LOGIN", mft::LOGIN),
            ("MSN flow type", "MSN_PRESENCE", mft::PRESENCE),
            ("MSN flow type", "MSN_CHAT", mft::CHAT),
            ("MSN flow type", "MSN_HTTP_TUNNELING", mft::HTTP_TUNNELING),
            ("YMSG flow type", "YMSG_PRESENCE", yft::PRESENCE),
            ("YMSG flow type", "YMSG_CHAT", yft::CHAT),
            ("YMSG flow type", "YMSG_PRESENCE_CHAT", yft::PRESENCE_CHAT),
            ("YMSG flow type", "YMSG_P2P", yft::P2P),
            ("YMSG flow type", "YMSG_YMSG", yft::YMSG),
            ("XMPP flow type", "JABBER_PRESENCE", jft::PRESENCE),
            ("XMPP flow type", "JABBER_CHAT", jft::CHAT),
        ] {
            assert_eq!(code_value(title, name), u32::from(value), "{title} {name}");
        }
    }

    #[test]
    fn links_point_to_headings() {
        let text = render_markdown();
        let anchors: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| slug(l.trim_start_matches('#').trim()))
            .collect();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](#") {
            let after = &rest[i + 3..];
            let end = after.find(')').unwrap_or(after.len());
            let target = &after[..end];
            assert!(
                anchors.iter().any(|a| a == target),
                "docs/columns.md links to #{target}, which no heading has"
            );
            rest = &after[end..];
        }
    }

    /// docs/columns.md is `render_markdown()`, byte for byte; `TSTAT_BLESS=1` rewrites it.
    #[test]
    fn docs_columns_md_is_generated_from_the_tables() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/columns.md");
        let text = render_markdown();
        if std::env::var("TSTAT_BLESS").as_deref() == Ok("1") {
            std::fs::write(&path, &text).expect("write docs/columns.md");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            let line = committed
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(text.lines().count()));
            panic!(
                "docs/columns.md differs from render_markdown() (first at line {}: {:?} instead of {:?}).\n\
                 Regenerate it with: TSTAT_BLESS=1 cargo test --lib column_doc",
                line + 1,
                committed.lines().nth(line).unwrap_or(""),
                text.lines().nth(line).unwrap_or("")
            );
        }
    }
}
