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
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
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
            Compression::Zstd => ruzstd::decoding::StreamingDecoder::new(inner)
                .map(|d| Box::new(d) as Box<dyn Read + Send>)
                .map_err(|e| format!("bad zstd stream: {e}")),
            #[cfg(feature = "xz")]
            Compression::Xz => Ok(Box::new(xz::XzReader::spawn(inner))),
            #[allow(unreachable_patterns)]
            other => Err(format!(
                "{other:?}-compressed input is not supported by this build (enable the feature)"
            )),
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
