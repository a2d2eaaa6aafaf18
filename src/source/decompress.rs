//! Compressed traces, recognised by their magic bytes rather than by their names.

use std::io::{self, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Xz,
}

impl Compression {
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) || zstd_skippable(head) {
            Compression::Zstd
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else {
            Compression::None
        }
    }

    pub fn after_label(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => " (after gzip decompression)",
            Compression::Zstd => " (after zstd decompression)",
            Compression::Xz => " (after xz decompression)",
        }
    }

    /// Wrap `inner` in a streaming decoder.
    pub fn decoder(
        self,
        inner: Box<dyn io::BufRead + Send>,
    ) -> Result<Box<dyn Read + Send>, String> {
        match self {
            Compression::None => Ok(Box::new(inner)),
            #[cfg(feature = "gzip")]
            Compression::Gzip => Ok(Box::new(flate2::bufread::MultiGzDecoder::new(inner))),
            #[cfg(feature = "zstd")]
            Compression::Zstd => Ok(Box::new(zstd::Frames::new(inner))),
            #[cfg(feature = "xz")]
            Compression::Xz => Ok(Box::new(xz::XzReader::spawn(inner))),
            #[allow(unreachable_patterns)]
            other => Err(format!(
                "{other:?}-compressed input is not supported by this build (enable the feature)"
            )),
        }
    }
}

/// A zstd skippable frame's magic, 0x184D2A50 to 0x184D2A5F little-endian (RFC 8878 §3.1.2).
/// pzstd starts its output with one; any zstd stream may hold them between frames.
fn zstd_skippable(head: &[u8]) -> bool {
    head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]
}

#[cfg(feature = "zstd")]
mod zstd {
    //! Every frame of a zstd stream, in order (RFC 8878 §3.1: a stream is a sequence of
    //! Zstandard and skippable frames). ruzstd's streaming decoder reads one frame only.
    use std::io::{self, BufRead, Read};

    use ruzstd::decoding::StreamingDecoder;

    type Source = Box<dyn BufRead + Send>;

    enum State {
        /// Between frames.
        Between(Source),
        /// Inside a Zstandard frame.
        Frame(Box<StreamingDecoder<Source, ruzstd::decoding::FrameDecoder>>),
        /// After the end or an error.
        Done,
    }

    pub struct Frames {
        state: State,
        /// Byte offset of the compressed stream where the current frame began, for errors.
        frames: u64,
    }

    impl Frames {
        pub fn new(inner: Source) -> Frames {
            Frames {
                state: State::Between(inner),
                frames: 0,
            }
        }

        /// Skip skippable frames; start the next Zstandard frame, or end at end of input.
        fn next_frame(&mut self, mut src: Source) -> io::Result<()> {
            loop {
                let head = src.fill_buf()?;
                if head.is_empty() {
                    self.state = State::Done;
                    return Ok(());
                }
                if super::zstd_skippable(head) {
                    let mut hdr = [0u8; 8];
                    src.read_exact(&mut hdr)
                        .map_err(|e| bad(self.frames, "truncated skippable frame header", e))?;
                    let len = u32::from_le_bytes([hdr[4], hdr[5], hdr[6], hdr[7]]) as u64;
                    let skipped = io::copy(&mut (&mut src).take(len), &mut io::sink())?;
                    if skipped != len {
                        return Err(invalid(format!(
                            "zstd frame {}: skippable frame cut short ({skipped} of {len} bytes)",
                            self.frames + 1
                        )));
                    }
                    self.frames += 1;
                    continue;
                }
                self.frames += 1;
                let dec = StreamingDecoder::new(src)
                    .map_err(|e| invalid(format!("bad zstd stream, frame {}: {e}", self.frames)))?;
                self.state = State::Frame(Box::new(dec));
                return Ok(());
            }
        }
    }

    fn invalid(msg: String) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, msg)
    }

    fn bad(frame: u64, what: &str, e: io::Error) -> io::Error {
        invalid(format!("zstd frame {}: {what}: {e}", frame + 1))
    }

    impl Read for Frames {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if buf.is_empty() {
                return Ok(0);
            }
            loop {
                match std::mem::replace(&mut self.state, State::Done) {
                    State::Done => return Ok(0),
                    State::Between(src) => self.next_frame(src)?,
                    State::Frame(mut dec) => {
                        let n = dec.read(buf)?;
                        if n > 0 {
                            self.state = State::Frame(dec);
                            return Ok(n);
                        }
                        self.state = State::Between(dec.into_inner());
                    }
                }
            }
        }
    }
}

#[cfg(feature = "xz")]
mod xz {
    //! lzma-rs decodes xz into a `Write`; a helper thread feeds its output through a bounded
    //! channel so the trace is still streamed with bounded memory.
    use std::io::{self, BufRead, Read, Write};
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
    use std::thread;

    const CHUNK: usize = 256 * 1024;
    const CHUNKS_IN_FLIGHT: usize = 4;

    pub struct XzReader {
        rx: Receiver<Result<Vec<u8>, String>>,
        current: Vec<u8>,
        pos: usize,
        done: bool,
    }

    struct ChannelWriter {
        tx: SyncSender<Result<Vec<u8>, String>>,
        pending: Vec<u8>,
    }

    impl Write for ChannelWriter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.pending.extend_from_slice(buf);
            if self.pending.len() >= CHUNK {
                self.flush()?;
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            if !self.pending.is_empty() {
                let chunk = std::mem::replace(&mut self.pending, Vec::with_capacity(CHUNK));
                self.tx
                    .send(Ok(chunk))
                    .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "reader gone"))?;
            }
            Ok(())
        }
    }

    impl XzReader {
        pub fn spawn(mut inner: Box<dyn BufRead + Send>) -> XzReader {
            let (tx, rx) = sync_channel(CHUNKS_IN_FLIGHT);
            thread::spawn(move || {
                let mut w = ChannelWriter {
                    tx: tx.clone(),
                    pending: Vec::with_capacity(CHUNK),
                };
                let r = lzma_rs::xz_decompress(&mut inner, &mut w);
                let _ = w.flush();
                if let Err(e) = r {
                    let _ = tx.send(Err(format!("bad xz stream: {e}")));
                }
            });
            XzReader {
                rx,
                current: Vec::new(),
                pos: 0,
                done: false,
            }
        }
    }

    impl Read for XzReader {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            while self.pos >= self.current.len() {
                if self.done {
                    return Ok(0);
                }
                match self.rx.recv() {
                    Ok(Ok(chunk)) => {
                        self.current = chunk;
                        self.pos = 0;
                    }
                    Ok(Err(e)) => {
                        self.done = true;
                        return Err(io::Error::new(io::ErrorKind::InvalidData, e));
                    }
                    Err(_) => self.done = true,
                }
            }
            let n = buf.len().min(self.current.len() - self.pos);
            buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }
}
