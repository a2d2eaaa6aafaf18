//! Configuration files with Tstat's syntax and semantics: globals.conf (`-G`), runtime.conf
//! (`-T`) and internal-network files (`-N`). Every error names the file and line.

pub mod globals;
pub mod ini;
pub mod nets;
pub mod runtime;

use std::fmt;

/// A configuration problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based line, 0 when the problem is the file as a whole.
    pub line: usize,
    pub message: String,
}

impl ConfigError {
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> ConfigError {
        ConfigError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

pub(crate) fn read_file(path: &str) -> Result<String, ConfigError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        Err(e) => Err(ConfigError::new(path, 0, format!("cannot read: {e}"))),
    }
}
