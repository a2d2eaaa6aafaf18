//! pcapng files (draft-ietf-opsawg-pcapng): sections, interfaces with their own link type and
//! timestamp resolution, and enhanced/simple/obsolete packet blocks. Unknown blocks are skipped.

use super::{Frame, FrameSource, Input, SourceError, MAX_FRAME_LEN};
use crate::time::Timestamp;

const SHB: u32 = 0x0a0d_0d0a;
const IDB: u32 = 1;
const OBSOLETE_PB: u32 = 2;
const SPB: u32 = 3;
const EPB: u32 = 6;
const BYTE_ORDER_MAGIC: u32 = 0x1a2b_3c4d;
const OPT_END: u16 = 0;
const OPT_IF_TSRESOL: u16 = 9;
const OPT_IF_TSOFFSET: u16 = 14;
/// Interfaces per section we keep; more than this is taken as corruption.
const MAX_INTERFACES: usize = 256;

pub(crate) fn is_magic(m: [u8; 4]) -> bool {
    u32::from_le_bytes(m) == SHB
}

#[derive(Clone, Copy)]
struct Interface {
    link_type: u32,
    /// Timestamp units per second, as a divisor/multiplier pair.
    units_per_sec: u64,
    offset_secs: i64,
}

pub(crate) struct PcapngReader {
    input: Input,
    big_endian: bool,
    interfaces: Vec<Interface>,
    block: Vec<u8>,
    /// Position of the frame data inside `block`.
    frame: (usize, usize),
}

impl PcapngReader {
    pub(crate) fn new(input: Input) -> Result<PcapngReader, SourceError> {
        Ok(PcapngReader {
            input,
            big_endian: false,
            interfaces: Vec::with_capacity(8),
            block: vec![0; MAX_FRAME_LEN + 64],
            frame: (0, 0),
        })
    }

    fn u16_at(&self, b: &[u8], at: usize) -> u16 {
        let a = [b[at], b[at + 1]];
        if self.big_endian {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        }
    }

    fn u32_at(&self, b: &[u8], at: usize) -> u32 {
        let a = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        if self.big_endian {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }

    /// Read one block into `self.block`; returns its type and body length (without the
    /// 8-byte header and 4-byte trailer).
    fn read_block(&mut self) -> Result<Option<(u32, usize, u64)>, SourceError> {
        let at = self.input.offset();
        let mut head = [0u8; 8];
        if !self
            .input
            .read_exact_or_eof(&mut head, "pcapng block header")?
        {
            return Ok(None);
        }
        let raw_type = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        if raw_type == SHB {
            // The byte order is only known after reading the byte-order magic that follows.
            let mut bom = [0u8; 4];
            self.input
                .read_exact_or_eof(&mut bom, "pcapng section header")?;
            self.big_endian = match u32::from_le_bytes(bom) {
                BYTE_ORDER_MAGIC => false,
                m if m.swap_bytes() == BYTE_ORDER_MAGIC => true,
                _ => {
                    return Err(SourceError {
                        offset: at + 8,
                        reason: "bad pcapng byte-order magic".into(),
                    })
                }
            };
            let total = self.u32_at(&head, 4) as usize;
            if total < 28 || total % 4 != 0 {
                return Err(SourceError {
                    offset: at,
                    reason: format!("bad section header length {total}"),
                });
            }
            self.input
                .skip((total - 12) as u64, "pcapng section header")?;
            self.interfaces.clear();
            return Ok(Some((SHB, 0, at)));
        }
        let block_type = self.u32_at(&head, 0);
        let total = self.u32_at(&head, 4) as usize;
        if total < 12 || total % 4 != 0 {
            return Err(SourceError {
                offset: at,
                reason: format!("bad pcapng block length {total}"),
            });
        }
        let body = total - 12;
        if body > self.block.len() {
            if matches!(block_type, EPB | SPB | OBSOLETE_PB | IDB) {
                return Err(SourceError {
                    offset: at,
                    reason: format!("pcapng block of {total} bytes exceeds the {MAX_FRAME_LEN}-byte frame limit; the file is corrupt"),
                });
            }
            self.input.skip(body as u64 + 4, "pcapng block")?;
            return Ok(Some((block_type, 0, at)));
        }
        let mut rest = std::mem::take(&mut self.block);
        let r = self
            .input
            .read_exact_or_eof(&mut rest[..body + 4], "pcapng block body");
        self.block = rest;
        r?;
        Ok(Some((block_type, body, at)))
    }

    fn add_interface(&mut self, body: usize, at: u64) -> Result<(), SourceError> {
        if body < 8 {
            return Err(SourceError {
                offset: at,
                reason: "interface description block too short".into(),
            });
        }
        if self.interfaces.len() >= MAX_INTERFACES {
            return Err(SourceError {
                offset: at,
                reason: format!("more than {MAX_INTERFACES} interfaces in one section"),
            });
        }
        let b = &self.block[..body];
        let mut iface = Interface {
            link_type: self.u16_at(b, 0) as u32,
            units_per_sec: 1_000_000,
            offset_secs: 0,
        };
        let mut pos = 8;
        while pos + 4 <= body {
            let code = self.u16_at(b, pos);
            let len = self.u16_at(b, pos + 2) as usize;
            let val = pos + 4;
            if code == OPT_END || val + len > body {
                break;
            }
            match (code, len) {
                (OPT_IF_TSRESOL, 1) => iface.units_per_sec = tsresol_units(b[val]),
                (OPT_IF_TSOFFSET, 8) => {
                    let lo = self.u32_at(b, val) as u64;
                    let hi = self.u32_at(b, val + 4) as u64;
                    let v = if self.big_endian {
                        (lo << 32) | hi
                    } else {
                        (hi << 32) | lo
                    };
                    iface.offset_secs = v as i64;
                }
                _ => {}
            }
            pos = val + len.div_ceil(4) * 4;
        }
        self.interfaces.push(iface);
        Ok(())
    }

    fn timestamp(iface: &Interface, hi: u32, lo: u32) -> Timestamp {
        let units = ((hi as u64) << 32) | lo as u64;
        let per = iface.units_per_sec.max(1);
        let secs = (units / per) as i64;
        let rem = units % per;
        let nanos = ((rem as u128 * 1_000_000_000) / per as u128) as i64;
        Timestamp::from_secs_nanos(secs.saturating_add(iface.offset_secs), nanos)
    }
}

/// if_tsresol: high bit set means a power of two, else a power of ten.
fn tsresol_units(v: u8) -> u64 {
    let exp = (v & 0x7f) as u32;
    if v & 0x80 != 0 {
        1u64.checked_shl(exp.min(63)).unwrap_or(u64::MAX)
    } else {
        10u64.checked_pow(exp.min(19)).unwrap_or(u64::MAX)
    }
}

impl FrameSource for PcapngReader {
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, SourceError> {
        loop {
            let Some((block_type, body, at)) = self.read_block()? else {
                return Ok(None);
            };
            let ts;
            let iface;
            let wire_len;
            match block_type {
                IDB => {
                    self.add_interface(body, at)?;
                    continue;
                }
                EPB | OBSOLETE_PB => {
                    if body < 20 {
                        return Err(SourceError {
                            offset: at,
                            reason: "packet block too short".into(),
                        });
                    }
                    let b = &self.block[..body];
                    let id = if block_type == EPB {
                        self.u32_at(b, 0)
                    } else {
                        self.u16_at(b, 0) as u32
                    } as usize;
                    let caplen = self.u32_at(b, 12) as usize;
                    wire_len = self.u32_at(b, 16);
                    if caplen > body - 20 {
                        return Err(SourceError {
                            offset: at,
                            reason: format!(
                                "packet block claims {caplen} captured bytes but holds {}",
                                body - 20
                            ),
                        });
                    }
                    let Some(i) = self.interfaces.get(id).copied() else {
                        return Err(SourceError {
                            offset: at,
                            reason: format!("packet refers to undeclared interface {id}"),
                        });
                    };
                    iface = i;
                    ts = Self::timestamp(&iface, self.u32_at(b, 4), self.u32_at(b, 8));
                    self.frame = (20, 20 + caplen);
                }
                SPB => {
                    let Some(i) = self.interfaces.first().copied() else {
                        return Err(SourceError {
                            offset: at,
                            reason: "simple packet block before any interface".into(),
                        });
                    };
                    if body < 4 {
                        return Err(SourceError {
                            offset: at,
                            reason: "simple packet block too short".into(),
                        });
                    }
                    iface = i;
                    wire_len = self.u32_at(&self.block, 0);
                    let caplen = (wire_len as usize).min(body - 4);
                    ts = Timestamp::ZERO;
                    self.frame = (4, 4 + caplen);
                }
                _ => continue,
            }
            let (s, e) = self.frame;
            return Ok(Some(Frame {
                ts,
                link_type: iface.link_type,
                wire_len,
                data: &self.block[s..e],
            }));
        }
    }
}
