//! Sun snoop files (RFC 1761), as Tstat 3.2.1's snoop reader takes them: a 16-byte file
//! header (`snoop\0\0\0`, version, datalink type), then records of a 24-byte big-endian
//! header (original length, included length, record length, drops, seconds, microseconds)
//! and the frame padded to the record length.
//!
//! Tstat reads Ethernet, FDDI and Sun's ATM datalink types and hands on IP only: an
//! Ethernet frame that is neither IPv4 nor IPv6, directly or behind one 802.1Q tag, is
//! skipped inside the reader (it never reaches the analysis, not even its clock), as are
//! ATM cells of other types and FDDI frames without an IP SNAP header. Kept the same here:
//! - Ethernet frames go on whole (the decoder strips the tag);
//! - FDDI: the IP packet after the first `AA 03 00 00 00 08 00`, to the end of the record
//!   (Tstat counts the record's padding as captured);
//! - ATM: the packet after Sun's 12-byte header, its captured length 2 bytes short (Tstat
//!   subtracts an Ethernet header's 14).

use super::{Frame, FrameSource, Input, SourceError, MAX_FRAME_LEN};
use crate::decode::link::linktype;
use crate::time::Timestamp;

const FILE_HEADER: usize = 16;
const RECORD_HEADER: usize = 24;

/// Datalink types (RFC 1761, and Sun's atmsnoop).
const DL_ETHER: u32 = 4;
const DL_FDDI: u32 = 8;
const DL_ATM: u32 = 0x12;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const FDDI_IP_SNAP: [u8; 7] = [0xAA, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00];

pub(crate) struct SnoopReader {
    input: Input,
    datalink: u32,
    buf: Vec<u8>,
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn is_ip(ethertype: u16) -> bool {
    ethertype == ETHERTYPE_IPV4 || ethertype == ETHERTYPE_IPV6
}

impl SnoopReader {
    pub(crate) fn new(mut input: Input) -> Result<SnoopReader, SourceError> {
        let mut hdr = [0u8; FILE_HEADER];
        if !input.read_exact_or_eof(&mut hdr, "snoop file header")? {
            return Err(SourceError {
                offset: 0,
                reason: "empty file".into(),
            });
        }
        let version = be32(&hdr[8..12]);
        let datalink = be32(&hdr[12..16]);
        if version != 2 {
            eprintln!(
                "tstat: warning: snoop file version {version}; Tstat reads version 2 and so do we"
            );
        }
        if ![DL_ETHER, DL_FDDI, DL_ATM].contains(&datalink) {
            return Err(SourceError {
                offset: 12,
                reason: format!(
                    "snoop datalink type {datalink} is not supported (Ethernet 4, FDDI 8 and \
                     ATM 18 are, as in Tstat)"
                ),
            });
        }
        Ok(SnoopReader {
            input,
            datalink,
            buf: vec![0; MAX_FRAME_LEN],
        })
    }

    /// Where the analysed bytes of a record's `body` (frame and padding) are, with their link
    /// type; `None` for what Tstat's reader skips.
    fn payload(&self, body: &[u8], captured: usize) -> Option<(u32, usize, usize)> {
        let captured = captured.min(body.len());
        match self.datalink {
            DL_ETHER => {
                let ethertype = u16::from_be_bytes([*body.get(12)?, *body.get(13)?]);
                let inner = if ethertype == ETHERTYPE_VLAN && body.len() >= 18 {
                    u16::from_be_bytes([body[16], body[17]])
                } else {
                    ethertype
                };
                is_ip(inner).then_some((linktype::ETHERNET, 0, captured))
            }
            DL_FDDI => {
                let at = body
                    .windows(FDDI_IP_SNAP.len())
                    .position(|w| w == FDDI_IP_SNAP)?
                    + FDDI_IP_SNAP.len();
                Some((linktype::IPV4, at, body.len()))
            }
            _ => {
                let ethertype = u16::from_be_bytes([*body.get(10)?, *body.get(11)?]);
                let link = match ethertype {
                    ETHERTYPE_IPV4 => linktype::IPV4,
                    ETHERTYPE_IPV6 => linktype::IPV6,
                    _ => return None,
                };
                let end = (12 + captured.saturating_sub(14)).min(body.len());
                Some((link, 12, end.max(12)))
            }
        }
    }
}

impl FrameSource for SnoopReader {
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, SourceError> {
        loop {
            let at = self.input.offset();
            let mut rec = [0u8; RECORD_HEADER];
            if !self
                .input
                .read_exact_or_eof(&mut rec, "snoop record header")?
            {
                return Ok(None);
            }
            let wire_len = be32(&rec[0..4]);
            let captured = be32(&rec[4..8]) as usize;
            let record_len = be32(&rec[8..12]) as usize;
            let corrupt = |reason: String| SourceError { offset: at, reason };
            let body_len = record_len.checked_sub(RECORD_HEADER).ok_or_else(|| {
                corrupt(format!(
                    "snoop record length {record_len} is shorter than its 24-byte header; the \
                     file is corrupt"
                ))
            })?;
            if body_len > MAX_FRAME_LEN || captured > body_len {
                return Err(corrupt(format!(
                    "snoop record of {record_len} bytes claims {captured} captured (limit \
                     {MAX_FRAME_LEN}); the file is corrupt"
                )));
            }
            if !self
                .input
                .read_exact_or_eof(&mut self.buf[..body_len], "snoop record data")?
                && body_len > 0
            {
                return Err(corrupt("truncated snoop record at end of file".into()));
            }
            let Some((link_type, start, end)) = self.payload(&self.buf[..body_len], captured)
            else {
                continue;
            };
            let ts =
                Timestamp::from_secs_micros(be32(&rec[16..20]) as i64, be32(&rec[20..24]) as i64);
            return Ok(Some(Frame {
                ts,
                link_type,
                wire_len,
                data: &self.buf[start..end],
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn record(frame: &[u8], ts: (u32, u32)) -> Vec<u8> {
        let padded = frame.len().div_ceil(4) * 4;
        let mut r = Vec::new();
        for v in [
            frame.len() as u32,
            frame.len() as u32,
            (24 + padded) as u32,
            0,
            ts.0,
            ts.1,
        ] {
            r.extend_from_slice(&v.to_be_bytes());
        }
        r.extend_from_slice(frame);
        r.resize(24 + padded, 0xee);
        r
    }

    fn ether(ethertype: &[u8], rest: &[u8]) -> Vec<u8> {
        let mut f = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2];
        f.extend_from_slice(ethertype);
        f.extend_from_slice(rest);
        f
    }

    fn file(datalink: u32, records: &[Vec<u8>]) -> SnoopReader {
        let mut bytes = crate::source::SNOOP_MAGIC.to_vec();
        bytes.extend_from_slice(&2u32.to_be_bytes());
        bytes.extend_from_slice(&datalink.to_be_bytes());
        for r in records {
            bytes.extend_from_slice(r);
        }
        let input = Input::new(Box::new(BufReader::new(std::io::Cursor::new(bytes))));
        SnoopReader::new(input).unwrap()
    }

    #[test]
    fn ethernet_ip_kept_other_frames_skipped_as_tstat_does() {
        let ip = [0x45u8; 21];
        let mut r = file(
            DL_ETHER,
            &[
                record(&ether(&[0x08, 0x06], &[0; 28]), (1, 0)), // ARP: skipped
                record(&ether(&[0x08, 0x00], &ip), (2, 5)),
                record(&ether(&[0x81, 0x00, 0, 7, 0x86, 0xdd], &ip), (3, 0)), // VLAN, IPv6
                record(&ether(&[0x81, 0x00, 0, 7, 0x08, 0x06], &ip), (4, 0)), // VLAN, ARP
            ],
        );
        let f = r.next_frame().unwrap().unwrap();
        assert_eq!(
            (f.ts, f.link_type, f.data.len()),
            (Timestamp::from_secs_micros(2, 5), 1, 35)
        );
        let f = r.next_frame().unwrap().unwrap();
        assert_eq!((f.ts.secs(), f.data.len()), (3, 39), "padding is not data");
        assert!(r.next_frame().unwrap().is_none());
    }

    #[test]
    fn atm_and_fddi_give_the_ip_packet() {
        let mut atm_cell = vec![0u8; 10];
        atm_cell.extend_from_slice(&[0x08, 0x00]);
        atm_cell.extend_from_slice(&[0x45; 30]);
        let mut r = file(DL_ATM, &[record(&atm_cell, (1, 0))]);
        let f = r.next_frame().unwrap().unwrap();
        assert_eq!(
            (f.link_type, f.data.len()),
            (linktype::IPV4, 28),
            "2 bytes short, as Tstat"
        );
        let mut fddi = vec![0x50, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
        fddi.extend_from_slice(&FDDI_IP_SNAP);
        fddi.extend_from_slice(&[0x45; 22]);
        let mut r = file(DL_FDDI, &[record(&fddi, (1, 0))]);
        let f = r.next_frame().unwrap().unwrap();
        assert_eq!(f.data[0], 0x45);
        assert_eq!(
            f.data.len(),
            22 + 2,
            "to the record's end, padding included"
        );
    }

    #[test]
    fn corrupt_records_name_their_offset() {
        let mut bad = record(&ether(&[0x08, 0x00], &[0x45; 20]), (1, 0));
        bad[8..12].copy_from_slice(&10u32.to_be_bytes());
        let mut r = file(DL_ETHER, &[bad]);
        let e = r.next_frame().unwrap_err();
        assert_eq!(e.offset, 16);
        assert!(
            e.reason.contains("shorter than its 24-byte header"),
            "{}",
            e.reason
        );
    }
}
