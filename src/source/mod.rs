//! Packet sources: trace files (pcap, pcapng, compressed or not) and live capture (`live`).
//!
//! A source yields [`Frame`]s that borrow its internal buffer, so reading allocates nothing per
//! packet. Sources know nothing about protocols above the link-layer type number.

mod decompress;
#[cfg(feature = "live")]
pub mod filter;
#[cfg(feature = "live")]
pub mod live;
mod pcap;
mod pcapng;
#[cfg(feature = "formats")]
mod snoop;

/// A Sun snoop file starts with these 8 bytes (RFC 1761).
const SNOOP_MAGIC: &[u8; 8] = b"snoop\0\0\0";

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::time::Timestamp;

pub use self::decompress::Compression;

/// A captured frame as the capture format stored it.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub ts: Timestamp,
    /// LINKTYPE_* number of the interface that captured it.
    pub link_type: u32,
    /// Length of the frame on the wire (may exceed `data.len()` when the snaplen cut it).
    pub wire_len: u32,
    pub data: &'a [u8],
}

/// Why reading a trace stopped early.
#[derive(Debug)]
pub struct SourceError {
    /// Byte offset in the (decompressed) stream where the problem was found.
    pub offset: u64,
    pub reason: String,
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte offset {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for SourceError {}

/// Anything that produces frames one at a time.
pub trait FrameSource {
    /// The next frame, `Ok(None)` at a clean end of input.
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, SourceError>;
}

/// Frames bigger than this are taken as a corrupt record header rather than data.
pub const MAX_FRAME_LEN: usize = 256 * 1024;

/// A byte stream with position tracking, shared by both trace formats.
pub(crate) struct Input {
    reader: Box<dyn BufRead + Send>,
    offset: u64,
    /// Bytes handed out in place by [`Input::lend`], consumed at the next read.
    lent: usize,
}

impl Input {
    pub(crate) fn new(reader: Box<dyn BufRead + Send>) -> Input {
        Input {
            reader,
            offset: 0,
            lent: 0,
        }
    }

    pub(crate) fn offset(&self) -> u64 {
        self.offset + self.lent as u64
    }

    /// Consume the bytes the last [`Input::lend`] handed out.
    fn release(&mut self) {
        if self.lent > 0 {
            self.reader.consume(self.lent);
            self.offset += self.lent as u64;
            self.lent = 0;
        }
    }

    /// The next `n` bytes in place, without copying, when the read buffer holds them
    /// already (`None` otherwise: a record across the buffer's end is read with
    /// [`Input::read_exact_or_eof`]). They stay valid until the next call on this input.
    pub(crate) fn lend(&mut self, n: usize) -> Option<&[u8]> {
        self.release();
        let available = self.reader.fill_buf().ok()?.len();
        if available < n {
            return None;
        }
        self.lent = n;
        self.reader.fill_buf().ok().map(|b| &b[..n])
    }

    /// The bytes buffered past the current position (reading more when none are).
    pub(crate) fn peek(&mut self) -> &[u8] {
        self.release();
        self.reader.fill_buf().unwrap_or(&[])
    }

    /// Fill `buf` completely. Returns `Ok(false)` on a clean EOF before the first byte, and an
    /// error naming the shortfall on EOF in the middle.
    pub(crate) fn read_exact_or_eof(
        &mut self,
        buf: &mut [u8],
        what: &str,
    ) -> Result<bool, SourceError> {
        self.release();
        let start = self.offset;
        let mut got = 0;
        while got < buf.len() {
            match self.reader.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(SourceError {
                        offset: self.offset + got as u64,
                        reason: format!("read error: {e}"),
                    })
                }
            }
        }
        self.offset += got as u64;
        if got == 0 {
            return Ok(false);
        }
        if got < buf.len() {
            return Err(SourceError {
                offset: start,
                reason: format!(
                    "truncated {what}: {} bytes expected, {got} present before end of file",
                    buf.len()
                ),
            });
        }
        Ok(true)
    }

    pub(crate) fn skip(&mut self, mut n: u64, what: &str) -> Result<(), SourceError> {
        self.release();
        let start = self.offset;
        while n > 0 {
            let avail = match self.reader.fill_buf() {
                Ok(b) => b.len(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(SourceError {
                        offset: self.offset,
                        reason: format!("read error: {e}"),
                    })
                }
            };
            if avail == 0 {
                return Err(SourceError {
                    offset: start,
                    reason: format!("truncated {what} before end of file"),
                });
            }
            let take = avail.min(n as usize);
            self.reader.consume(take);
            self.offset += take as u64;
            n -= take as u64;
        }
        Ok(())
    }
}

/// Where a trace comes from: a file path or standard input (`-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceInput {
    Stdin,
    File(PathBuf),
}

impl TraceInput {
    pub fn parse(arg: &str) -> TraceInput {
        if arg == "-" || arg == "stdin" {
            TraceInput::Stdin
        } else {
            TraceInput::File(PathBuf::from(arg))
        }
    }

    pub fn display_name(&self) -> String {
        match self {
            TraceInput::Stdin => "stdin".to_string(),
            TraceInput::File(p) => p.display().to_string(),
        }
    }
}

/// Errors that prevent a trace from being opened at all.
#[derive(Debug)]
pub struct OpenError {
    pub input: String,
    pub reason: String,
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.input, self.reason)
    }
}

impl std::error::Error for OpenError {}

const READ_BUFFER: usize = 1 << 20;

/// Open a trace file or stdin, undo any compression (detected by magic bytes) and detect
/// the capture format (pcap or pcapng, either byte order).
pub fn open_trace(input: &TraceInput) -> Result<Box<dyn FrameSource + Send>, OpenError> {
    open_trace_counted(input).map(|(src, _)| src)
}

/// How many bytes of the input (before any decompression) have been read so far; shared
/// with the reader, for progress reports. A mutex, not an atomic: 32-bit MIPS has no 64-bit
/// atomics, and it is taken once per read of up to 1 MB.
#[derive(Debug, Clone, Default)]
pub struct BytesRead(Arc<Mutex<u64>>);

impl BytesRead {
    pub fn get(&self) -> u64 {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn add(&self, n: usize) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) += n as u64;
    }
}

/// A reader that counts what passes through it into a [`BytesRead`].
struct Counted<R> {
    inner: R,
    count: BytesRead,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.add(n);
        Ok(n)
    }
}

/// Like [`open_trace`], also giving the count of input bytes read, which grows as frames
/// are read (by at most the 1 MB read buffer ahead of them).
pub fn open_trace_counted(
    input: &TraceInput,
) -> Result<(Box<dyn FrameSource + Send>, BytesRead), OpenError> {
    let name = input.display_name();
    let raw: Box<dyn Read + Send> = match input {
        TraceInput::Stdin => Box::new(io::stdin()),
        TraceInput::File(p) => Box::new(open_file(p).map_err(|reason| OpenError {
            input: name.clone(),
            reason,
        })?),
    };
    let count = BytesRead::default();
    let counted = Counted {
        inner: raw,
        count: count.clone(),
    };
    Ok((open_reader(Box::new(counted), &name)?, count))
}

fn open_file(p: &Path) -> Result<File, String> {
    File::open(p).map_err(|e| format!("cannot open: {e}"))
}

/// Like [`open_trace`] over any byte stream; `name` is used in messages.
pub fn open_reader(
    raw: Box<dyn Read + Send>,
    name: &str,
) -> Result<Box<dyn FrameSource + Send>, OpenError> {
    let err = |reason: String| OpenError {
        input: name.to_string(),
        reason,
    };
    let (head, raw) = read_head(raw).map_err(|e| err(format!("read error: {e}")))?;
    let compression = Compression::sniff(&head);
    let plain: Box<dyn Read + Send> = match compression {
        Compression::None => raw,
        other => other
            .decoder(Box::new(BufReader::with_capacity(READ_BUFFER, raw)))
            .map_err(err)?,
    };
    let (head, plain) = read_head(plain)
        .map_err(|e| err(format!("read error{}: {e}", compression.after_label())))?;
    if head.len() < 4 {
        return Err(err(format!(
            "file too short for a capture header ({} bytes)",
            head.len()
        )));
    }
    let magic = [head[0], head[1], head[2], head[3]];
    let input = Input::new(Box::new(BufReader::with_capacity(READ_BUFFER, plain)));
    if head.starts_with(SNOOP_MAGIC) {
        #[cfg(feature = "formats")]
        return Ok(Box::new(
            snoop::SnoopReader::new(input).map_err(|e| err(e.to_string()))?,
        ));
        #[cfg(not(feature = "formats"))]
        return Err(err(
            "a Sun snoop capture: this build reads pcap and pcapng only (snoop needs the \
             `formats` feature)"
                .into(),
        ));
    }
    if pcapng::is_magic(magic) {
        Ok(Box::new(
            pcapng::PcapngReader::new(input).map_err(|e| err(e.to_string()))?,
        ))
    } else if pcap::is_magic(magic) {
        Ok(Box::new(
            pcap::PcapReader::new(input).map_err(|e| err(e.to_string()))?,
        ))
    } else {
        Err(err(format!(
            "not a pcap, pcapng or snoop capture{}: first bytes are {:02x} {:02x} {:02x} {:02x}",
            compression.after_label(),
            magic[0],
            magic[1],
            magic[2],
            magic[3]
        )))
    }
}

/// Read up to 8 leading bytes (enough for any magic number) and give back a reader that
/// still yields them. A pipe may deliver fewer bytes per read, so this loops.
fn read_head(mut r: Box<dyn Read + Send>) -> io::Result<(Vec<u8>, Box<dyn Read + Send>)> {
    let mut head = [0u8; 8];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    let head = head[..got].to_vec();
    Ok((head.clone(), Box::new(io::Cursor::new(head).chain(r))))
}
