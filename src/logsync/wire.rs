//! Framing and messages. A frame is a 4-byte big-endian length and that many bytes, at most
//! [`MAX_FRAME`] (the largest Noise message). After the handshake each frame is one Noise
//! transport message whose plaintext is one [`Msg`].

use std::io::{self, Read, Write};

/// Protocol version, sent in the server hello and in the client's first handshake frame.
pub const VERSION: u8 = 1;
/// First bytes of the server hello.
pub const MAGIC: &[u8; 4] = b"TSLS";
/// Largest frame body: a Noise message is at most 65535 bytes.
pub const MAX_FRAME: usize = 65535;
/// Largest plaintext in one frame (the AEAD tag takes 16 bytes).
pub const MAX_PLAIN: usize = MAX_FRAME - 16;
/// File bytes per `Data` message: leaves room for the names and the offset.
pub const DATA_CHUNK: usize = MAX_PLAIN - 1024;

/// Why a frame could not be read.
#[derive(Debug)]
pub enum FrameError {
    /// The peer closed the connection between frames.
    Closed,
    /// The connection ended inside a frame.
    Truncated,
    /// A length above [`MAX_FRAME`], or zero.
    BadLength(u32),
    Io(io::Error),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::Closed => write!(f, "connection closed"),
            FrameError::Truncated => write!(f, "truncated frame (connection ended inside it)"),
            FrameError::BadLength(n) => write!(f, "frame length {n} outside 1..={MAX_FRAME}"),
            FrameError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<FrameError> for io::Error {
    fn from(e: FrameError) -> io::Error {
        match e {
            FrameError::Io(e) => e,
            FrameError::Closed => io::Error::new(io::ErrorKind::UnexpectedEof, e.to_string()),
            other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
        }
    }
}

/// Read one frame into `buf`; returns its length.
pub fn read_frame(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, FrameError> {
    let mut len = [0u8; 4];
    let got = read_full(r, &mut len).map_err(FrameError::Io)?;
    if got == 0 {
        return Err(FrameError::Closed);
    }
    if got < 4 {
        return Err(FrameError::Truncated);
    }
    let n = u32::from_be_bytes(len);
    if n == 0 || n as usize > MAX_FRAME || n as usize > buf.len() {
        return Err(FrameError::BadLength(n));
    }
    let body = &mut buf[..n as usize];
    if read_full(r, body).map_err(FrameError::Io)? < body.len() {
        return Err(FrameError::Truncated);
    }
    Ok(n as usize)
}

/// Fill `buf` unless the stream ends first; returns how many bytes were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match r.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Write `body` as one frame, header and body in one write.
pub fn write_frame(w: &mut impl Write, scratch: &mut Vec<u8>, body: &[u8]) -> io::Result<()> {
    if body.is_empty() || body.len() > MAX_FRAME {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "frame size"));
    }
    scratch.clear();
    scratch.extend_from_slice(&(body.len() as u32).to_be_bytes());
    scratch.extend_from_slice(body);
    w.write_all(scratch)?;
    w.flush()
}

/// Message type codes (first plaintext byte). Client requests below 0x80, replies above.
mod code {
    pub const OFFER: u8 = 0x01;
    pub const DATA: u8 = 0x02;
    pub const COMMIT: u8 = 0x03;
    pub const CLOSE_FOLDER: u8 = 0x04;
    pub const PING: u8 = 0x05;
    pub const HAVE: u8 = 0x81;
    pub const COMMITTED: u8 = 0x83;
    pub const FOLDER_CLOSED: u8 = 0x84;
    pub const PONG: u8 = 0x85;
    pub const REFUSED: u8 = 0xFF;
}

/// One message, borrowing its names and bytes from the decrypted frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg<'a> {
    /// Client: which offset do you hold for this file?
    Offer {
        folder: &'a str,
        file: &'a str,
    },
    /// Client: bytes of a file starting at `offset`. No reply.
    Data {
        folder: &'a str,
        file: &'a str,
        offset: u64,
        bytes: &'a [u8],
    },
    /// Client: the file is complete at `size`; make it durable under its final name.
    Commit {
        folder: &'a str,
        file: &'a str,
        size: u64,
    },
    /// Client: the folder is closed with these files; write its marker.
    CloseFolder {
        folder: &'a str,
        entries: Vec<(&'a str, u64)>,
    },
    Ping,
    /// Server: the bytes held of a file, and whether it is committed.
    Have {
        folder: &'a str,
        file: &'a str,
        offset: u64,
        complete: bool,
    },
    /// Server: the file is fsynced under its final name.
    Committed {
        folder: &'a str,
        file: &'a str,
        size: u64,
    },
    /// Server: the folder and its marker are fsynced.
    FolderClosed {
        folder: &'a str,
    },
    Pong,
    /// Server: the request was refused; the connection closes after this.
    Refused {
        reason: &'a str,
    },
}

impl Msg<'_> {
    /// Append the encoding to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Msg::Offer { folder, file } => {
                out.push(code::OFFER);
                put_names(out, folder, file);
            }
            Msg::Data {
                folder,
                file,
                offset,
                bytes,
            } => {
                out.push(code::DATA);
                put_names(out, folder, file);
                out.extend_from_slice(&offset.to_be_bytes());
                out.extend_from_slice(bytes);
            }
            Msg::Commit { folder, file, size } => {
                out.push(code::COMMIT);
                put_names(out, folder, file);
                out.extend_from_slice(&size.to_be_bytes());
            }
            Msg::CloseFolder { folder, entries } => {
                out.push(code::CLOSE_FOLDER);
                put_str(out, folder);
                out.extend_from_slice(&(entries.len() as u16).to_be_bytes());
                for (name, size) in entries {
                    put_str(out, name);
                    out.extend_from_slice(&size.to_be_bytes());
                }
            }
            Msg::Ping => out.push(code::PING),
            Msg::Have {
                folder,
                file,
                offset,
                complete,
            } => {
                out.push(code::HAVE);
                put_names(out, folder, file);
                out.extend_from_slice(&offset.to_be_bytes());
                out.push(u8::from(*complete));
            }
            Msg::Committed { folder, file, size } => {
                out.push(code::COMMITTED);
                put_names(out, folder, file);
                out.extend_from_slice(&size.to_be_bytes());
            }
            Msg::FolderClosed { folder } => {
                out.push(code::FOLDER_CLOSED);
                put_str(out, folder);
            }
            Msg::Pong => out.push(code::PONG),
            Msg::Refused { reason } => {
                out.push(code::REFUSED);
                put_str(out, &reason[..reason.len().min(255)]);
            }
        }
    }

    /// Decode one message; `None` for anything malformed (unknown code, short fields,
    /// trailing bytes, names that are not UTF-8).
    pub fn decode(buf: &[u8]) -> Option<Msg<'_>> {
        let (&kind, rest) = buf.split_first()?;
        let mut r = Reader { buf: rest };
        let msg = match kind {
            code::OFFER => Msg::Offer {
                folder: r.str()?,
                file: r.str()?,
            },
            code::DATA => {
                let (folder, file, offset) = (r.str()?, r.str()?, r.u64()?);
                let bytes = std::mem::take(&mut r.buf);
                Msg::Data {
                    folder,
                    file,
                    offset,
                    bytes,
                }
            }
            code::COMMIT => Msg::Commit {
                folder: r.str()?,
                file: r.str()?,
                size: r.u64()?,
            },
            code::CLOSE_FOLDER => {
                let folder = r.str()?;
                let count = u16::from_be_bytes(r.array()?) as usize;
                // Each entry takes at least 9 bytes: a count beyond that is a lie.
                if count > r.buf.len() / 9 {
                    return None;
                }
                let mut entries = Vec::with_capacity(count);
                for _ in 0..count {
                    entries.push((r.str()?, r.u64()?));
                }
                Msg::CloseFolder { folder, entries }
            }
            code::PING => Msg::Ping,
            code::HAVE => Msg::Have {
                folder: r.str()?,
                file: r.str()?,
                offset: r.u64()?,
                complete: match r.array::<1>()? {
                    [0] => false,
                    [1] => true,
                    _ => return None,
                },
            },
            code::COMMITTED => Msg::Committed {
                folder: r.str()?,
                file: r.str()?,
                size: r.u64()?,
            },
            code::FOLDER_CLOSED => Msg::FolderClosed { folder: r.str()? },
            code::PONG => Msg::Pong,
            code::REFUSED => Msg::Refused { reason: r.str()? },
            _ => return None,
        };
        r.buf.is_empty().then_some(msg)
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    let s = &s.as_bytes()[..s.len().min(255)];
    out.push(s.len() as u8);
    out.extend_from_slice(s);
}

fn put_names(out: &mut Vec<u8>, folder: &str, file: &str) {
    put_str(out, folder);
    put_str(out, file);
}

/// A bounds-checked cursor over a message's fields.
struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.buf.len() {
            return None;
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.array()?))
    }

    fn str(&mut self) -> Option<&'a str> {
        let [len] = self.array()?;
        std::str::from_utf8(self.take(len as usize)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offer_is_code_then_length_prefixed_names() {
        let mut out = Vec::new();
        Msg::Offer {
            folder: "ab",
            file: "c",
        }
        .encode(&mut out);
        assert_eq!(out, [0x01, 2, b'a', b'b', 1, b'c']);
        assert_eq!(
            Msg::decode(&out),
            Some(Msg::Offer {
                folder: "ab",
                file: "c"
            })
        );
    }

    #[test]
    fn data_carries_a_big_endian_offset_and_the_rest_as_bytes() {
        let buf = [0x02, 1, b'f', 1, b'g', 0, 0, 0, 0, 0, 0, 1, 0, b'x', b'y'];
        assert_eq!(
            Msg::decode(&buf),
            Some(Msg::Data {
                folder: "f",
                file: "g",
                offset: 256,
                bytes: b"xy"
            })
        );
    }

    #[test]
    fn malformed_messages_decode_to_none() {
        assert_eq!(Msg::decode(&[]), None);
        assert_eq!(Msg::decode(&[0x42]), None);
        assert_eq!(Msg::decode(&[0x01, 5, b'a']), None);
        assert_eq!(Msg::decode(&[0x05, 0]), None, "trailing byte");
        // A CloseFolder claiming 65535 entries in 3 bytes.
        assert_eq!(Msg::decode(&[0x04, 0, 0xff, 0xff, 0]), None);
        assert_eq!(Msg::decode(&[0x01, 1, 0xff, 0]), None, "not UTF-8");
    }

    #[test]
    fn frames_are_length_prefixed_and_bounded() {
        let mut wire = Vec::new();
        write_frame(&mut wire, &mut Vec::new(), b"hello").unwrap();
        assert_eq!(wire, b"\0\0\0\x05hello");
        let mut buf = vec![0u8; MAX_FRAME];
        assert_eq!(read_frame(&mut &wire[..], &mut buf).unwrap(), 5);
        let oversize = [0u8, 1, 0, 0];
        assert!(matches!(
            read_frame(&mut &oversize[..], &mut buf),
            Err(FrameError::BadLength(65536))
        ));
        assert!(matches!(
            read_frame(&mut &wire[..7], &mut buf),
            Err(FrameError::Truncated)
        ));
        assert!(matches!(
            read_frame(&mut &[][..], &mut buf),
            Err(FrameError::Closed)
        ));
    }
}
