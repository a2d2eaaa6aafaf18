//! The label maps that turn a flow's classification into histogram labels
//! (docs/semantics/histograms.md §5.12: `tcpL7.c:map_flow_type`, `YTMAP`,
//! `web.c:map_http_to_web`, `videoL7.c:VIDEO_MAP`, `p2p.c:TCP_p2p_to_L7type` and
//! `UDP_p2p_to_L7type`). Pure functions of the numbers the engine reports.

use crate::engine::observe::{TcpLabels, UdpDirectionLabels};

/// l7types.h labels used by the feed.
pub const L7_HTTP: usize = 0;
pub const L7_RTP: usize = 1;
pub const L7_RTCP: usize = 2;
pub const L7_SKYPE_E2E: usize = 5;
pub const L7_SKYPE_E2O: usize = 6;
pub const L7_SKYPE_TCP: usize = 7;
pub const L7_SSL: usize = 33;
pub const L7_UNKNOWN: usize = 49;

/// con_type bits (protocol.h).
mod bit {
    pub const HTTP: u32 = 1;
    pub const RTSP: u32 = 2;
    pub const RTP: u32 = 4;
    pub const ICY: u32 = 8;
    pub const RTCP: u32 = 16;
    pub const MSN: u32 = 32;
    pub const YMSG: u32 = 64;
    pub const XMPP: u32 = 128;
    pub const P2P: u32 = 256;
    pub const SKYPE: u32 = 512;
    pub const SMTP: u32 = 1024;
    pub const POP3: u32 = 2048;
    pub const IMAP: u32 = 4096;
    pub const SSL: u32 = 8192;
    pub const OBF: u32 = 16384;
    pub const SSH: u32 = 32768;
    pub const RTMP: u32 = 65536;
    pub const MSE: u32 = 131072;
    pub const FB0: u32 = 262144;
}

/// Whether the first messages look like an RTMP handshake (C0+C1 = 1537 bytes, S0+S1(+S2)
/// 1537 or 3073), directly or summed over the first two PSH-separated messages.
fn rtmp_handshake(l: &TcpLabels) -> bool {
    if l.c2s_messages == 0 || l.s2c_messages == 0 {
        return false;
    }
    let c = l.c2s_message_sizes;
    let s = l.s2c_message_sizes;
    let server_first = s[0] == 3073 || s[0] == 1537;
    if c[0] == 1537 && server_first {
        return true;
    }
    let s_sum = s[0].wrapping_add(s[1]);
    c[0].wrapping_add(c[1]) == 1537 && (server_first || s_sum == 3073 || s_sum == 1537)
}

/// `map_flow_type`: the L7 label of a TCP connection, each con_type bit overriding the
/// previous ones in Tstat's order. Tstat also clears the RTMP bit when the handshake sizes do
/// not match after two messages each way; that does not change this label (the bit then no
/// longer matches either), so it is the engine's business (con_t in the logs).
pub fn map_flow_type(l: &TcpLabels) -> usize {
    let t = l.con_type;
    let mut ty = L7_UNKNOWN;
    let rules: [(u32, usize); 18] = [
        (bit::MSE, 39),
        (bit::OBF, 28),
        (bit::RTMP, 38),
        (bit::HTTP, L7_HTTP),
        (bit::RTSP, 4),
        (bit::RTP, L7_RTP),
        (bit::ICY, 3),
        (bit::RTCP, L7_RTCP),
        (bit::MSN, 8),
        (bit::YMSG, 10),
        (bit::XMPP, 9),
        (bit::SMTP, 25),
        (bit::POP3, 26),
        (bit::IMAP, 27),
        (bit::SSL, L7_SSL),
        (bit::SSH, 37),
        (bit::FB0, 46),
        (bit::P2P, usize::MAX),
    ];
    for (b, label) in rules {
        if t & b == 0 {
            continue;
        }
        ty = match b {
            bit::RTMP if !rtmp_handshake(l) => continue,
            bit::P2P => tcp_p2p_to_l7(l.p2p_type),
            _ => label,
        };
    }
    if t & bit::SKYPE != 0 {
        ty = L7_SKYPE_TCP;
    }
    ty
}

/// `TCP_p2p_to_L7type`, from IPP2P's protocol (`p2p_type / 100`).
pub fn tcp_p2p_to_l7(p2p_type: u32) -> usize {
    match p2p_type / 100 {
        1 | 3 => 11, // EDK, DATA_EDK
        2 | 8 => 35, // DATA_KAZAA, KAZAA
        4 | 5 => 17, // DATA_DC, DC
        6 | 7 => 14, // DATA_GNU, GNU
        9 => 15,     // BIT
        10 => 18,    // APPLE
        11 => 19,    // SOUL
        12 => 20,    // WINMX
        13 => 21,    // ARES
        14 => 22,    // MUTE
        15 => 23,    // WASTE
        16 => 24,    // XDCC
        _ => L7_UNKNOWN,
    }
}

/// `YTMAP`: the YouTube, Twitter and Dropbox variants folded into their base class.
pub fn ytmap(http_data: u32) -> usize {
    match http_data {
        21 | 22 => 4,
        23 | 24 => 15,
        25 => 16,
        26 => 0,
        h => h as usize,
    }
}

/// `map_video_flow_type == VIDEO_FLOW_TRUE`: an HTTP flow with a video content or payload type.
pub fn is_video_flow(l: &TcpLabels) -> bool {
    l.con_type & bit::HTTP != 0 && (l.video_content != 0 || l.video_payload != 0)
}

/// `VIDEO_MAP`: the payload type unless only the content type is known; 3GPP and OGG count
/// as QuickTime.
pub fn video_map(l: &TcpLabels) -> usize {
    let class = if l.video_content == 0 {
        l.video_payload
    } else if l.video_payload == 0 {
        l.video_content
    } else {
        l.video_payload
    };
    match class {
        7..=9 => 9,
        c => c as usize,
    }
}

/// `map_http_to_web`: the web category of an HTTP flow.
pub fn map_http_to_web(l: &TcpLabels) -> usize {
    const GET: usize = 0;
    const POST: usize = 1;
    const STORAGE: usize = 2;
    const YOUTUBE: usize = 3;
    const VIDEO: usize = 4;
    const SOCIAL: usize = 5;
    const OTHER: usize = 6;
    const NETFLIX: usize = 7;
    let h = ytmap(l.http_data);
    if video_map(l) == 0 {
        match h {
            0 => GET,
            1 => POST,
            2 | 3 | 10 | 16 | 25 => SOCIAL,
            4 | 21 | 22 => YOUTUBE,
            5 | 6 | 17 => VIDEO,
            14 => NETFLIX,
            8 | 9 | 18 | 19 | 20 => STORAGE,
            _ => OTHER,
        }
    } else {
        match h {
            2 | 3 | 10 | 16 | 25 => SOCIAL,
            4 | 21 | 22 => YOUTUBE,
            14 => NETFLIX,
            _ => VIDEO,
        }
    }
}

/// `UDP_p2p_to_L7type`: the L7 label of one UDP direction from its type (udp-dpi.md numbering).
pub fn udp_p2p_to_l7(d: &UdpDirectionLabels) -> usize {
    match d.udp_type {
        3 => L7_RTP,
        4 => L7_RTCP,
        // RTP_PLUS: Tstat tests `(mask & RTCP) == 1` and `(mask & DTLS) == 1`, never true, so
        // only the RTP bit gives a label.
        29 if d.mux_mask & 1 == 1 => L7_RTP,
        29 => L7_UNKNOWN,
        5 if d.skype_confirmed => L7_SKYPE_E2E,
        6 if d.skype_confirmed => L7_SKYPE_E2O,
        5 | 6 => L7_UNKNOWN,
        7 => 32,
        8 => 11,
        9 => 12,
        10 => 13,
        13 => 17,
        11 => 14,
        14 => 35,
        12 => 15,
        20 | 21 => 16,
        15 => 29,
        16 => 30,
        17 => 31,
        19 => 36,
        22 => 40,
        23 => 41,
        24 => 42,
        25 => 43,
        26 => 44,
        27 => 45,
        30 => 47,
        0 | 1 | 2 | 28 if d.kad_obfuscated && !d.ntp_port => 34,
        _ => L7_UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(con_type: u32) -> TcpLabels {
        TcpLabels {
            con_type,
            ..TcpLabels::default()
        }
    }

    #[test]
    fn flow_type_priorities() {
        assert_eq!(map_flow_type(&tcp(0)), 49);
        assert_eq!(map_flow_type(&tcp(bit::HTTP)), 0);
        assert_eq!(map_flow_type(&tcp(bit::SSL)), 33);
        assert_eq!(map_flow_type(&tcp(bit::HTTP | bit::SSL)), 33);
        assert_eq!(map_flow_type(&tcp(bit::MSE | bit::OBF)), 28);
        assert_eq!(map_flow_type(&tcp(bit::HTTP | bit::SKYPE)), 7);
        let mut p2p = tcp(bit::P2P | bit::HTTP);
        p2p.p2p_type = 901;
        assert_eq!(map_flow_type(&p2p), 15);
        p2p.p2p_type = 1700;
        assert_eq!(map_flow_type(&p2p), 49);
    }

    #[test]
    fn rtmp_needs_its_handshake() {
        let mut l = tcp(bit::RTMP | bit::MSE);
        assert_eq!(map_flow_type(&l), 39); // no messages yet
        l.c2s_messages = 2;
        l.s2c_messages = 1;
        l.c2s_message_sizes = [1537, 100];
        l.s2c_message_sizes = [3073, 0];
        assert_eq!(map_flow_type(&l), 38);
        l.c2s_message_sizes = [1, 1536];
        l.s2c_message_sizes = [1536, 1537];
        assert_eq!(map_flow_type(&l), 38);
        l.s2c_message_sizes = [5, 5];
        assert_eq!(map_flow_type(&l), 39);
    }

    #[test]
    fn http_maps() {
        assert_eq!(
            (ytmap(21), ytmap(24), ytmap(25), ytmap(26), ytmap(7)),
            (4, 15, 16, 0, 7)
        );
        let mut l = tcp(bit::HTTP);
        l.http_data = 22;
        assert_eq!(map_http_to_web(&l), 3);
        l.http_data = 19;
        assert_eq!(map_http_to_web(&l), 2);
        l.http_data = 7;
        assert_eq!(map_http_to_web(&l), 6);
        l.video_content = 2;
        assert!(is_video_flow(&l));
        assert_eq!(video_map(&l), 2);
        assert_eq!(map_http_to_web(&l), 4);
        l.http_data = 14;
        assert_eq!(map_http_to_web(&l), 7);
        l.video_payload = 8;
        assert_eq!(video_map(&l), 9);
        assert!(!is_video_flow(&tcp(bit::SSL)));
    }

    #[test]
    fn udp_types() {
        let d = |udp_type, mux_mask| UdpDirectionLabels {
            udp_type,
            mux_mask,
            ..UdpDirectionLabels::default()
        };
        assert_eq!(udp_p2p_to_l7(&d(29, 1)), 1);
        assert_eq!(udp_p2p_to_l7(&d(29, 2)), 49);
        assert_eq!(udp_p2p_to_l7(&d(29, 3)), 1);
        assert_eq!(udp_p2p_to_l7(&d(5, 0)), 49);
        assert_eq!(udp_p2p_to_l7(&d(19, 0)), 36);
        assert_eq!(udp_p2p_to_l7(&d(18, 0)), 49);
        assert_eq!(udp_p2p_to_l7(&d(0, 0)), 49);
        let mut kad = d(28, 0);
        kad.kad_obfuscated = true;
        assert_eq!(udp_p2p_to_l7(&kad), 34);
        kad.ntp_port = true;
        assert_eq!(udp_p2p_to_l7(&kad), 49);
        let mut s = d(6, 0);
        s.skype_confirmed = true;
        assert_eq!(udp_p2p_to_l7(&s), 6);
    }
}
