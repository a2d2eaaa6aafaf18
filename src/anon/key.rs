//! The Crypto-PAn key: where its 32 bytes come from (`--keyvalue`, `--keyfile`, `--keybase64`,
//! or random), and the `CPanKey_<date>` file that saves it (docs/semantics/privacy.md §2).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::base64;
use super::cryptopan::KEY_LEN;

/// Where the key comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// 32 bytes from the system's random source.
    Random,
    /// `--keyvalue TEXT`: the bytes of the text.
    Value(String),
    /// `--keyfile FILE`: the first line of the file.
    PlainFile(PathBuf),
    /// `--keybase64 FILE`: the first line of the file, base64-decoded.
    Base64File(PathBuf),
}

/// A key ready for use, with what Tstat prints about it.
#[derive(Clone)]
pub struct Key {
    pub bytes: [u8; KEY_LEN],
    /// Tstat's stdout lines for this key (source, then length), printed when the key file is
    /// written.
    pub messages: Vec<String>,
}

/// The key bytes stay out of debug output.
impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key")
            .field("messages", &self.messages)
            .finish_non_exhaustive()
    }
}

/// Tstat reads at most this much of a key file's first line (fgets into 120 bytes).
const LINE_MAX: usize = 119;

impl KeySource {
    /// Read the key now (Tstat waits for the first packet: we want a bad key file to stop the
    /// run before anything is written). Errors name the file and what is wrong with it.
    pub fn load(&self) -> Result<Key, String> {
        let (intro, raw) = match self {
            KeySource::Random => return random_key(),
            KeySource::Value(v) => (
                vec!["Using plain text key from command line".to_string()],
                v.as_bytes().to_vec(),
            ),
            KeySource::PlainFile(p) => {
                let line = first_line(p)?;
                if line.is_empty() {
                    return Err(format!(
                        "--keyfile {}: the first line is empty",
                        p.display()
                    ));
                }
                (file_messages("Reading plain text key", p), line)
            }
            KeySource::Base64File(p) => {
                let mut line = first_line(p)?;
                // A key file written on Windows: the CR is no base64 character.
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.is_empty() {
                    return Err(format!(
                        "--keybase64 {}: the first line is empty",
                        p.display()
                    ));
                }
                let bytes = base64::decode(&line)
                    .map_err(|e| format!("--keybase64 {}: {e}", p.display()))?;
                (file_messages("Reading Base64 encoded key", p), bytes)
            }
        };
        Ok(sized(intro, &raw))
    }
}

fn file_messages(what: &str, path: &Path) -> Vec<String> {
    vec![
        format!("{what} from file {} ...", path.display()),
        "... done".to_string(),
    ]
}

/// The first `n` bytes of key material, padded with zeros or cut to 32 as Tstat does, with
/// its message about the length.
fn sized(mut messages: Vec<String>, raw: &[u8]) -> Key {
    let mut bytes = [0u8; KEY_LEN];
    let n = raw.len().min(KEY_LEN);
    bytes[..n].copy_from_slice(&raw[..n]);
    if raw.len() > KEY_LEN {
        messages.push("Key is too long: using only the first 32 bytes".into());
    } else if raw.len() < KEY_LEN {
        messages.push("Key shorter than 32 bytes: padding with zeros".into());
    }
    Key { bytes, messages }
}

/// The first line of a key file without its newline, as far as Tstat reads it.
fn first_line(path: &Path) -> Result<Vec<u8>, String> {
    let mut text = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut text))
        .map_err(|e| format!("cannot read the key file {}: {e}", path.display()))?;
    if text.is_empty() {
        return Err(format!("the key file {} is empty", path.display()));
    }
    let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    text.truncate(end.min(LINE_MAX));
    Ok(text)
}

fn random_key() -> Result<Key, String> {
    let mut bytes = [0u8; KEY_LEN];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read a random key from /dev/urandom: {e}"))?;
    Ok(Key {
        bytes,
        messages: vec![
            "Generating random key (might take some time)...".into(),
            "... done".into(),
        ],
    })
}

/// `CPanKey_<minute>`: the name of the key file beside the `<minute>.out` folder.
pub fn key_file_name(out_folder_name: &str) -> String {
    format!("CPanKey_{}", out_folder_name.trim_end_matches(".out"))
}

/// The key file's contents: the base64 of the 32 key bytes and a newline (45 bytes).
pub fn key_file_text(key: &[u8; KEY_LEN]) -> Vec<u8> {
    let mut out = Vec::with_capacity(45);
    base64::encode_into(key, &mut out);
    out.push(b'\n');
    out
}

/// Write the key file, readable by its owner only (Tstat leaves it world-readable).
pub fn write_key_file(path: &Path, key: &[u8; KEY_LEN]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(&key_file_text(key))?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str, content: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tstat-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    fn text_of(k: &Key) -> String {
        String::from_utf8(key_file_text(&k.bytes)).unwrap()
    }

    const REFERENCE: &str = "VHN0YXQzLjIuMS1yZWZlcmVuY2UtQ3J5cHRvUEFuISE=\n";

    #[test]
    fn a_32_byte_value_is_the_key_as_is() {
        let k = KeySource::Value("Tstat3.2.1-reference-CryptoPAn!!".into())
            .load()
            .unwrap();
        assert_eq!(text_of(&k), REFERENCE);
        assert_eq!(k.messages, ["Using plain text key from command line"]);
    }

    /// docs/semantics/privacy.md §2.3: `--keyvalue abc` and `""` as the oracle saves them.
    #[test]
    fn short_and_long_values_are_padded_or_cut() {
        let k = KeySource::Value("abc".into()).load().unwrap();
        assert_eq!(
            text_of(&k),
            "YWJjAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
        );
        assert_eq!(
            k.messages[1],
            "Key shorter than 32 bytes: padding with zeros"
        );
        let k = KeySource::Value(String::new()).load().unwrap();
        assert_eq!(k.bytes, [0; 32]);
        let long = "Tstat3.2.1-reference-CryptoPAn!!and more";
        let k = KeySource::Value(long.into()).load().unwrap();
        assert_eq!(text_of(&k), REFERENCE);
        assert_eq!(
            k.messages[1],
            "Key is too long: using only the first 32 bytes"
        );
    }

    #[test]
    fn plain_key_files_keep_everything_but_the_newline() {
        let lf = temp("lf", b"Tstat3.2.1-reference-CryptoPAn!!\nsecond line\n");
        let k = KeySource::PlainFile(lf).load().unwrap();
        assert_eq!(text_of(&k), REFERENCE);
        let no_newline = temp("nonl", b"Tstat3.2.1-reference-CryptoPAn!!");
        assert_eq!(
            text_of(&KeySource::PlainFile(no_newline).load().unwrap()),
            REFERENCE
        );
        // As in Tstat: the CR of a CRLF file is a key byte.
        let crlf = temp("crlf", b"abc\r\n");
        let k = KeySource::PlainFile(crlf).load().unwrap();
        assert_eq!(
            text_of(&k),
            "YWJjDQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
        );
    }

    #[test]
    fn base64_key_files_decode_to_the_same_key() {
        let b64 = temp("b64", REFERENCE.as_bytes());
        assert_eq!(
            text_of(&KeySource::Base64File(b64).load().unwrap()),
            REFERENCE
        );
        let crlf = temp(
            "b64crlf",
            b"VHN0YXQzLjIuMS1yZWZlcmVuY2UtQ3J5cHRvUEFuISE=\r\n",
        );
        assert_eq!(
            text_of(&KeySource::Base64File(crlf).load().unwrap()),
            REFERENCE
        );
        let k = KeySource::Base64File(temp("abc", b"YWJj\n"))
            .load()
            .unwrap();
        assert_eq!(&k.bytes[..4], b"abc\0");
    }

    #[test]
    fn bad_key_files_are_errors_naming_the_file() {
        let missing = std::env::temp_dir().join("tstat-no-such-key-file");
        let e = KeySource::PlainFile(missing.clone()).load().unwrap_err();
        assert!(e.contains(&missing.display().to_string()), "{e}");
        let empty = temp("empty", b"");
        let e = KeySource::Base64File(empty.clone()).load().unwrap_err();
        assert!(e.contains("is empty") && e.contains("empty"), "{e}");
        let blank = temp("blank", b"\nkey\n");
        let e = KeySource::PlainFile(blank.clone()).load().unwrap_err();
        assert!(e.contains("first line is empty") && e.contains(&blank.display().to_string()));
        let bad = temp("bad", b"!!!!\n");
        let e = KeySource::Base64File(bad.clone()).load().unwrap_err();
        assert!(e.contains("0x21 at position 0") && e.contains(&bad.display().to_string()));
    }

    #[test]
    fn random_keys_differ() {
        let a = KeySource::Random.load().unwrap();
        let b = KeySource::Random.load().unwrap();
        assert_ne!(a.bytes, b.bytes);
        assert_eq!(
            a.messages[0],
            "Generating random key (might take some time)..."
        );
    }

    #[test]
    fn the_key_file_sits_beside_its_folder() {
        assert_eq!(
            key_file_name("2016_08_02_02_19.out"),
            "CPanKey_2016_08_02_02_19"
        );
    }
}
