//! One log file on disk: plain text as Tstat writes it, gzip (`-Z`, Tstat's `log_*.gz`) or
//! zstd (`--zstd`, our addition, `log_*.zst`).
//!
//! Rows arrive as whole lines. Write errors are kept, not raised per row, so that one full
//! disk does not stop the analysis; the first one is returned by `finish` (or `flush`).
//! zstd is written as a sequence of independent frames, one per `ZSTD_FRAME` bytes of text and
//! one at each flush, which every zstd decoder reads as one stream: a file cut short by a
//! crash keeps every frame before the cut.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

const WRITE_BUFFER: usize = 256 * 1024;

/// How log files are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compression {
    #[default]
    None,
    /// gzip, as Tstat's `-Z`.
    Gzip,
    /// zstd frames (our addition).
    Zstd,
}

impl Compression {
    /// The suffix added to a log's name.
    pub fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => ".gz",
            Compression::Zstd => ".zst",
        }
    }

    /// Whether this build can write it (the `gzip` and `zstd` features).
    pub fn available(self) -> bool {
        match self {
            Compression::None => true,
            Compression::Gzip => cfg!(feature = "gzip"),
            Compression::Zstd => cfg!(feature = "zstd"),
        }
    }
}

enum Encoder {
    Plain(BufWriter<File>),
    #[cfg(feature = "gzip")]
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    #[cfg(feature = "zstd")]
    Zstd(ZstdFrames),
}

/// An open log file.
pub struct LogFile {
    /// `None` once finished.
    encoder: Option<Encoder>,
    path: PathBuf,
    error: Option<io::Error>,
}

impl LogFile {
    /// Create `dir/name` plus the compression's suffix, replacing an old file.
    pub fn create(dir: &Path, name: &str, compression: Compression) -> io::Result<LogFile> {
        let path = dir.join(format!("{name}{}", compression.suffix()));
        let file = BufWriter::with_capacity(WRITE_BUFFER, File::create(&path)?);
        let encoder = match compression {
            #[cfg(feature = "gzip")]
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::fast(),
            )),
            #[cfg(feature = "zstd")]
            Compression::Zstd => Encoder::Zstd(ZstdFrames::new(file)),
            _ => Encoder::Plain(file),
        };
        Ok(LogFile {
            encoder: Some(encoder),
            path,
            error: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Append `bytes` (whole lines); a failure is kept for `flush`/`finish`.
    pub fn write_line(&mut self, bytes: &[u8]) -> bool {
        if self.error.is_some() {
            return false;
        }
        let result = match &mut self.encoder {
            None => Ok(()),
            Some(Encoder::Plain(w)) => w.write_all(bytes),
            #[cfg(feature = "gzip")]
            Some(Encoder::Gzip(w)) => w.write_all(bytes),
            #[cfg(feature = "zstd")]
            Some(Encoder::Zstd(w)) => w.write_all(bytes),
        };
        match result {
            Ok(()) => true,
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    /// Push what is buffered to the file (a gzip file stays open: its trailer comes at
    /// `finish`). Returns the first error met so far.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        match &mut self.encoder {
            None => Ok(()),
            Some(Encoder::Plain(w)) => w.flush(),
            #[cfg(feature = "gzip")]
            Some(Encoder::Gzip(w)) => w.flush(),
            #[cfg(feature = "zstd")]
            Some(Encoder::Zstd(w)) => w.flush(),
        }
    }

    /// Complete the file (gzip trailer, last zstd frame) and close it.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush()?;
        match self.encoder.take() {
            None => Ok(()),
            Some(Encoder::Plain(mut w)) => w.flush(),
            #[cfg(feature = "gzip")]
            Some(Encoder::Gzip(w)) => w.finish()?.flush(),
            // A log with no text at all (log_skype_complete) still gets one empty frame:
            // an empty file is not a zstd stream.
            #[cfg(feature = "zstd")]
            Some(Encoder::Zstd(mut w)) => w.flush(),
        }
    }
}

impl Drop for LogFile {
    /// A file dropped without `finish` (an unwinding panic, an early return) is still
    /// completed: its rows must not be lost.
    fn drop(&mut self) {
        let _ = self.flush();
        #[cfg(feature = "gzip")]
        if let Some(Encoder::Gzip(w)) = &mut self.encoder {
            let _ = w.try_finish();
        }
    }
}

/// Text gathered into zstd frames. ruzstd's encoder panics when its output fails, so each
/// frame is compressed into memory and written here, where an error is an error.
#[cfg(feature = "zstd")]
struct ZstdFrames {
    file: BufWriter<File>,
    text: Vec<u8>,
    /// At least one frame is in the file.
    framed: bool,
}

/// Text per zstd frame: large enough to compress well, small enough to bound memory.
#[cfg(feature = "zstd")]
const ZSTD_FRAME: usize = 1 << 20;

#[cfg(feature = "zstd")]
impl ZstdFrames {
    fn new(file: BufWriter<File>) -> ZstdFrames {
        ZstdFrames {
            file,
            text: Vec::with_capacity(ZSTD_FRAME),
            framed: false,
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.text.len() + bytes.len() > ZSTD_FRAME {
            self.emit_frame()?;
        }
        self.text.extend_from_slice(bytes);
        Ok(())
    }

    fn emit_frame(&mut self) -> io::Result<()> {
        if self.text.is_empty() && self.framed {
            return Ok(());
        }
        self.framed = true;
        let frame = ruzstd::encoding::compress_to_vec(
            self.text.as_slice(),
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        self.text.clear();
        self.file.write_all(&frame)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit_frame()?;
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(any(feature = "gzip", feature = "zstd"))]
    use std::io::Read;

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("tstat-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn lines() -> Vec<String> {
        (0..5000)
            .map(|i| format!("10.0.0.{} {} 443 {}\n", i % 250, 40000 + i, i * 7))
            .collect()
    }

    fn write(dir: &Path, compression: Compression) -> PathBuf {
        let mut f = LogFile::create(dir, "log_tcp_complete", compression).unwrap();
        for l in lines() {
            assert!(f.write_line(l.as_bytes()));
        }
        let path = f.path().to_path_buf();
        f.finish().unwrap();
        path
    }

    #[test]
    fn plain_text_is_written_as_is() {
        let dir = temp_dir("plain");
        let path = write(&dir, Compression::None);
        assert_eq!(path.file_name().unwrap(), "log_tcp_complete");
        assert_eq!(std::fs::read_to_string(path).unwrap(), lines().concat());
    }

    #[cfg(feature = "gzip")]
    #[test]
    fn gzip_logs_read_back_with_a_gzip_decoder() {
        let dir = temp_dir("gzip");
        let path = write(&dir, Compression::Gzip);
        assert_eq!(path.file_name().unwrap(), "log_tcp_complete.gz");
        let mut text = String::new();
        flate2::read::GzDecoder::new(File::open(&path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, lines().concat());
        assert!(std::fs::metadata(&path).unwrap().len() < text.len() as u64 / 3);
    }

    #[cfg(feature = "zstd")]
    #[test]
    fn zstd_logs_are_frames_a_decoder_reads_as_one_stream() {
        let dir = temp_dir("zstd");
        let mut f = LogFile::create(&dir, "log_udp_complete", Compression::Zstd).unwrap();
        let all = lines();
        for (i, l) in all.iter().enumerate() {
            f.write_line(l.as_bytes());
            if i == 1000 {
                f.flush().unwrap(); // a frame boundary in the middle
            }
        }
        let path = f.path().to_path_buf();
        f.finish().unwrap();
        assert_eq!(path.file_name().unwrap(), "log_udp_complete.zst");
        let bytes = std::fs::read(&path).unwrap();
        let mut text = Vec::new();
        let mut decoder = ruzstd::decoding::StreamingDecoder::new(bytes.as_slice()).unwrap();
        decoder.read_to_end(&mut text).unwrap();
        let mut rest = decoder.into_inner();
        while !rest.is_empty() {
            let mut d = ruzstd::decoding::StreamingDecoder::new(&mut rest).unwrap();
            d.read_to_end(&mut text).unwrap();
        }
        assert_eq!(String::from_utf8(text).unwrap(), all.concat());
    }
}
