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

/// The file under the encoders. It counts the bytes that reached the file, and once a write
/// failed it refuses every later one, so an abandoned encoder dropped after the file was cut
/// back to its last durable point writes nothing more.
struct Disk {
    file: File,
    len: u64,
    failed: bool,
}

impl Write for Disk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed {
            return Err(io::Error::other("log file abandoned after a write error"));
        }
        match self.file.write(buf) {
            Ok(n) => {
                self.len += n as u64;
                Ok(n)
            }
            Err(e) => {
                self.failed = true;
                Err(e)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

enum Encoder {
    Plain(BufWriter<Disk>),
    #[cfg(feature = "gzip")]
    Gzip(flate2::write::GzEncoder<BufWriter<Disk>>),
    #[cfg(feature = "zstd")]
    Zstd(ZstdFrames),
}

impl Encoder {
    fn disk(&mut self) -> &mut Disk {
        match self {
            Encoder::Plain(w) => w.get_mut(),
            #[cfg(feature = "gzip")]
            Encoder::Gzip(w) => w.get_mut().get_mut(),
            #[cfg(feature = "zstd")]
            Encoder::Zstd(w) => w.file.get_mut(),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.write_all(bytes),
            #[cfg(feature = "gzip")]
            Encoder::Gzip(w) => w.write_all(bytes),
            #[cfg(feature = "zstd")]
            Encoder::Zstd(w) => w.write_all(bytes),
        }
    }

    /// Everything accepted so far onto the file: a point from which the file can be read
    /// back whole (gzip: a sync flush; zstd: a complete frame).
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(w) => w.flush(),
            #[cfg(feature = "gzip")]
            Encoder::Gzip(w) => w.flush(),
            #[cfg(feature = "zstd")]
            Encoder::Zstd(w) => w.flush(),
        }
    }

    /// Whether `more` bytes of text call for a durable point first: a plain buffer that
    /// would otherwise spill on its own, or [`SYNC_TEXT`] of text through a compressor.
    fn wants_flush(&self, pending_text: usize, more: usize) -> bool {
        match self {
            Encoder::Plain(w) => w.buffer().len() + more > w.capacity(),
            #[allow(unreachable_patterns)]
            _ => pending_text + more > SYNC_TEXT,
        }
    }
}

/// Text through a compressor between two durable points.
const SYNC_TEXT: usize = 1 << 20;

/// What finishing one or more logs gave: rows in the files, rows lost, the first error.
#[derive(Debug)]
pub struct Finished {
    pub rows: u64,
    pub lost: u64,
    pub result: io::Result<()>,
}

/// Where the file could last be read back whole, and the rows it held then.
#[derive(Debug, Clone, Copy, Default)]
struct Durable {
    len: u64,
    rows: u64,
}

/// An open log file.
///
/// Rows go to the file through a buffer; at each *durable point* (the buffer written out, a
/// compressor flushed) everything accepted is on the file. When a write fails (a full disk),
/// the file is cut back to the last durable point, so it ends with a whole row, and the rows
/// accepted since then, and every row offered later, are counted as lost: what the file
/// holds plus [`LogFile::lost`] is every row.
pub struct LogFile {
    /// `None` once finished or abandoned.
    encoder: Option<Encoder>,
    path: PathBuf,
    error: Option<io::Error>,
    durable: Durable,
    /// Rows accepted so far, and text accepted since the durable point.
    rows: u64,
    pending_text: usize,
    lost: u64,
}

impl LogFile {
    /// Create `dir/name` plus the compression's suffix, replacing an old file.
    pub fn create(dir: &Path, name: &str, compression: Compression) -> io::Result<LogFile> {
        let path = dir.join(format!("{name}{}", compression.suffix()));
        let disk = Disk {
            file: File::create(&path)?,
            len: 0,
            failed: false,
        };
        let file = BufWriter::with_capacity(WRITE_BUFFER, disk);
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
            durable: Durable::default(),
            rows: 0,
            pending_text: 0,
            lost: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rows in the file (as far as the writes so far tell).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Rows that could not be written (see the type's documentation).
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// The write error that stopped this file, if one did.
    pub fn error(&self) -> Option<&io::Error> {
        self.error.as_ref()
    }

    /// Append `bytes`, whole lines holding `rows` rows (0 for a header). False when they
    /// could not be written: they are counted as lost.
    pub fn write_line(&mut self, bytes: &[u8], rows: u64) -> bool {
        let Some(enc) = self.encoder.as_mut() else {
            self.lost += rows;
            return false;
        };
        if enc.wants_flush(self.pending_text, bytes.len()) {
            if let Err(e) = self.durable_point() {
                self.abandon(e);
                self.lost += rows;
                return false;
            }
        }
        let enc = self.encoder.as_mut().expect("checked above");
        match enc.write_all(bytes) {
            Ok(()) => {
                self.rows += rows;
                self.pending_text += bytes.len();
                true
            }
            Err(e) => {
                self.abandon(e);
                self.lost += rows;
                false
            }
        }
    }

    /// Write everything accepted onto the file and record the point.
    fn durable_point(&mut self) -> io::Result<()> {
        let Some(enc) = self.encoder.as_mut() else {
            return Ok(());
        };
        enc.flush()?;
        self.durable = Durable {
            len: enc.disk().len,
            rows: self.rows,
        };
        self.pending_text = 0;
        Ok(())
    }

    /// A write failed: cut the file back to its last durable point, count the rows after it
    /// as lost, and write nothing more.
    fn abandon(&mut self, e: io::Error) {
        if let Some(mut enc) = self.encoder.take() {
            let disk = enc.disk();
            disk.failed = true;
            let _ = disk.file.set_len(self.durable.len);
            // Dropped now, the encoder's own flushes meet the failed Disk and write nothing.
        }
        self.lost += self.rows - self.durable.rows;
        self.rows = self.durable.rows;
        self.error.get_or_insert(e);
    }

    /// Push what is buffered to the file (a gzip file stays open: its trailer comes at
    /// `finish`). Returns the error that stopped the file, if one did.
    pub fn flush(&mut self) -> io::Result<()> {
        if let Err(e) = self.durable_point() {
            self.abandon(e);
        }
        match &self.error {
            Some(e) => Err(io::Error::new(e.kind(), e.to_string())),
            None => Ok(()),
        }
    }

    /// A log that writes nothing and counts every row it is given as lost.
    pub fn discarding() -> LogFile {
        LogFile {
            encoder: None,
            path: PathBuf::new(),
            error: None,
            durable: Durable::default(),
            rows: 0,
            pending_text: 0,
            lost: 0,
        }
    }

    /// Complete the file (gzip trailer, last zstd frame) and close it; also gives the rows
    /// it holds and the rows lost.
    pub fn finish(mut self) -> Finished {
        if let Err(e) = self.flush() {
            return Finished {
                rows: self.rows,
                lost: self.lost,
                result: Err(e),
            };
        }
        let (rows, lost) = (self.rows, self.lost);
        let result = match self.encoder.take() {
            None => Ok(()),
            Some(Encoder::Plain(mut w)) => w.flush(),
            #[cfg(feature = "gzip")]
            Some(Encoder::Gzip(w)) => w.finish().and_then(|mut f| f.flush()),
            // A log with no text at all (log_skype_complete) still gets one empty frame:
            // an empty file is not a zstd stream.
            #[cfg(feature = "zstd")]
            Some(Encoder::Zstd(mut w)) => w.flush(),
        };
        Finished { rows, lost, result }
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
    file: BufWriter<Disk>,
    text: Vec<u8>,
    /// At least one frame is in the file.
    framed: bool,
}

/// Text per zstd frame: large enough to compress well, small enough to bound memory.
#[cfg(feature = "zstd")]
const ZSTD_FRAME: usize = 1 << 20;

#[cfg(feature = "zstd")]
impl ZstdFrames {
    fn new(file: BufWriter<Disk>) -> ZstdFrames {
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
            assert!(f.write_line(l.as_bytes(), 1));
        }
        let path = f.path().to_path_buf();
        f.finish().result.unwrap();
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
            f.write_line(l.as_bytes(), 1);
            if i == 1000 {
                f.flush().unwrap(); // a frame boundary in the middle
            }
        }
        let path = f.path().to_path_buf();
        f.finish().result.unwrap();
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
