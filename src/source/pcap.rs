//! Classic libpcap files: 24-byte file header, then 16-byte record headers.
//! Both byte orders, with microsecond (a1b2c3d4) or nanosecond (a1b23c4d) fractions, and
//! Alexey Kuznetsov's patched format (a1b2cd34), whose record headers carry 8 more bytes
//! (interface index, protocol, packet type, padding), which libpcap and Tstat read too.

use super::{Frame, FrameSource, Input, SourceError, MAX_FRAME_LEN};
use crate::time::Timestamp;

const MAGIC_USEC: u32 = 0xa1b2_c3d4;
const MAGIC_NSEC: u32 = 0xa1b2_3c4d;
const MAGIC_KUZNETSOV: u32 = 0xa1b2_cd34;
const MAGICS: [u32; 3] = [MAGIC_USEC, MAGIC_NSEC, MAGIC_KUZNETSOV];

pub(crate) fn is_magic(m: [u8; 4]) -> bool {
    MAGICS.contains(&u32::from_le_bytes(m)) || MAGICS.contains(&u32::from_be_bytes(m))
}

pub(crate) struct PcapReader {
    input: Input,
    big_endian: bool,
    nanos: bool,
    link_type: u32,
    /// Bytes of a record header: 16, or 24 in Kuznetsov's format.
    record_header: usize,
    buf: Vec<u8>,
}

impl PcapReader {
    pub(crate) fn new(mut input: Input) -> Result<PcapReader, SourceError> {
        let mut hdr = [0u8; 24];
        if !input.read_exact_or_eof(&mut hdr, "pcap file header")? {
            return Err(SourceError {
                offset: 0,
                reason: "empty file".into(),
            });
        }
        let magic_le = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        let big_endian = !MAGICS.contains(&magic_le);
        let rd = |b: &[u8]| field_u32(b, big_endian);
        let magic = rd(&hdr[0..4]);
        // The top bits of the link-type field carry FCS information (pcap-savefile(5)).
        let link_type = rd(&hdr[20..24]) & 0x0fff_ffff;
        Ok(PcapReader {
            input,
            big_endian,
            nanos: magic == MAGIC_NSEC,
            link_type,
            record_header: if magic == MAGIC_KUZNETSOV { 24 } else { 16 },
            buf: vec![0; MAX_FRAME_LEN],
        })
    }
}

impl PcapReader {
    fn timestamp(&self, secs: u32, frac: u32) -> Timestamp {
        if self.nanos {
            Timestamp::from_secs_nanos(secs as i64, frac as i64)
        } else {
            Timestamp::from_secs_micros(secs as i64, frac as i64)
        }
    }
}

fn field_u32(b: &[u8], big_endian: bool) -> u32 {
    let a = [b[0], b[1], b[2], b[3]];
    if big_endian {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    }
}

impl FrameSource for PcapReader {
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, SourceError> {
        let be = self.big_endian;
        let at = self.input.offset();
        let hdr_len = self.record_header;
        // Most records lie whole in the read buffer: handed out in place, not copied.
        let peeked = self.input.peek();
        if let Some(rec) = peeked.get(..hdr_len) {
            let caplen = field_u32(&rec[8..12], be) as usize;
            if caplen <= MAX_FRAME_LEN && peeked.len() >= hdr_len + caplen {
                let (secs, frac) = (field_u32(&rec[0..4], be), field_u32(&rec[4..8], be));
                let wire_len = field_u32(&rec[12..16], be);
                let ts = self.timestamp(secs, frac);
                let link_type = self.link_type;
                let record = self.input.lend(hdr_len + caplen).unwrap_or(&[]);
                return Ok(Some(Frame {
                    ts,
                    link_type,
                    wire_len,
                    data: record.get(hdr_len..).unwrap_or(&[]),
                }));
            }
        }
        let mut rec = [0u8; 24];
        if !self
            .input
            .read_exact_or_eof(&mut rec[..hdr_len], "pcap record header")?
        {
            return Ok(None);
        }
        let secs = field_u32(&rec[0..4], be);
        let frac = field_u32(&rec[4..8], be);
        let caplen = field_u32(&rec[8..12], be) as usize;
        let wire_len = field_u32(&rec[12..16], be);
        if caplen > MAX_FRAME_LEN {
            return Err(SourceError {
                offset: at,
                reason: format!("record header claims {caplen} captured bytes (limit {MAX_FRAME_LEN}); the file is corrupt"),
            });
        }
        if !self
            .input
            .read_exact_or_eof(&mut self.buf[..caplen], "pcap record data")?
            && caplen > 0
        {
            return Err(SourceError {
                offset: at,
                reason: "truncated pcap record: data missing at end of file".into(),
            });
        }
        Ok(Some(Frame {
            ts: self.timestamp(secs, frac),
            link_type: self.link_type,
            wire_len,
            data: &self.buf[..caplen],
        }))
    }
}
