//! The TCP options the Options set reports (RFC 9293 §3.1, RFC 7323, RFC 2018).
//!
//! Parsed like Tstat: EOL does not end the list (it is skipped like NOP), an option of length 0
//! or one running past the captured bytes ends it, and an option may run past the header into
//! the payload as long as it was captured.

const EOL: u8 = 0;
const NOP: u8 = 1;
const MSS: u8 = 2;
const WINDOW_SCALE: u8 = 3;
const SACK_PERMITTED: u8 = 4;
const SACK: u8 = 5;
const TIMESTAMP: u8 = 8;
const MPTCP: u8 = 30;

/// Offset of the options in the TCP header.
const FIXED_HEADER: usize = 20;
const SACK_BLOCK: usize = 8;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpOptions {
    pub mss: Option<u16>,
    pub window_scale: Option<u8>,
    pub timestamp: bool,
    pub sack_permitted: bool,
    /// A SACK option with at least one whole block.
    pub sack_blocks: bool,
    /// A Multipath TCP option (RFC 8684, kind 30).
    pub mptcp: bool,
}

/// Options of the segment whose captured bytes are `tcp` and whose header is `header_len`
/// bytes long.
pub fn parse(tcp: &[u8], header_len: usize) -> TcpOptions {
    let mut o = TcpOptions::default();
    let byte = |i: usize| tcp.get(i).copied().unwrap_or(0);
    let mut pos = FIXED_HEADER;
    while pos < header_len && pos < tcp.len() {
        let kind = tcp[pos];
        if kind == EOL || kind == NOP {
            pos += 1;
            continue;
        }
        let len = byte(pos + 1) as usize;
        if len == 0 || pos + len > tcp.len() {
            break;
        }
        match kind {
            MSS => o.mss = Some(u16::from_be_bytes([byte(pos + 2), byte(pos + 3)])),
            WINDOW_SCALE => o.window_scale = Some(byte(pos + 2)),
            TIMESTAMP => o.timestamp = true,
            SACK_PERMITTED => o.sack_permitted = true,
            SACK => o.sack_blocks |= len > 2 && pos + 2 + SACK_BLOCK <= tcp.len(),
            MPTCP => o.mptcp = true,
            _ => {}
        }
        pos += len;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A TCP header with the given option bytes (padded to a multiple of 4).
    fn header(opts: &[u8]) -> Vec<u8> {
        let mut h = vec![0u8; 20];
        h.extend_from_slice(opts);
        while h.len() % 4 != 0 {
            h.push(0);
        }
        h
    }

    #[test]
    fn a_linux_syn() {
        // MSS 1460, SACK permitted, timestamps, NOP, window scale 7.
        let h = header(&[
            2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
        ]);
        let o = parse(&h, h.len());
        assert_eq!(
            o,
            TcpOptions {
                mss: Some(1460),
                window_scale: Some(7),
                timestamp: true,
                sack_permitted: true,
                sack_blocks: false,
                mptcp: false,
            }
        );
    }

    #[test]
    fn multipath_tcp_is_noticed() {
        // MP_CAPABLE (RFC 8684 §3.1): kind 30, length 12, subtype 0, version 1.
        let h = header(&[30, 12, 0x01, 0x81, 1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(parse(&h, h.len()).mptcp);
        assert!(!parse(&header(&[2, 4, 5, 0xb4]), 24).mptcp);
    }

    #[test]
    fn eol_does_not_stop_parsing_but_length_zero_does() {
        let h = header(&[0, 3, 3, 2, 9, 0, 2, 4, 1, 0]);
        let o = parse(&h, h.len());
        assert_eq!(o.window_scale, Some(2), "the option after EOL is read");
        assert_eq!(o.mss, None, "nothing after a zero length");
    }

    #[test]
    fn sack_blocks_count_only_when_a_block_is_there_and_captured() {
        let h = header(&[1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2]);
        assert!(parse(&h, h.len()).sack_blocks);
        let empty = header(&[5, 2]);
        assert!(!parse(&empty, empty.len()).sack_blocks);
        // Captured only up to the middle of the block.
        assert!(!parse(&h[..26], h.len()).sack_blocks);
    }

    #[test]
    fn an_option_past_the_capture_ends_the_list() {
        let h = header(&[3, 3, 4, 2, 4, 0x05]);
        let o = parse(&h[..24], h.len());
        assert_eq!(o.window_scale, Some(4));
        assert_eq!(o.mss, None);
    }
}
