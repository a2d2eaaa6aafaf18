//! The small ini dialect shared by globals.conf and runtime.conf.
//!
//! Lines split into words on blanks; a word starting with `#` ends the line; `[name]` starts a
//! section; words starting with `=` are separators, so `key = value`. A value is a decimal or
//! `0x` hexadecimal number, optionally with one `.`; a key without value means 1.

use super::ConfigError;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Int(u64),
    Float(f64),
}

impl Value {
    pub fn as_f64(self) -> f64 {
        match self {
            Value::Int(v) => v as f64,
            Value::Float(v) => v,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Section name in lower case, without brackets.
    pub section: String,
    /// Key as written.
    pub key: String,
    pub value: Value,
    pub line: usize,
}

/// Parse `text` (from `file`) into entries. Keys before the first section are ignored, as in
/// Tstat; `sections` lists the section names this file may contain.
pub fn parse(file: &str, text: &str, sections: &[&str]) -> Result<Vec<Entry>, ConfigError> {
    let mut out = Vec::new();
    let mut section: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let words: Vec<&str> = raw
            .split_whitespace()
            .take_while(|w| !w.starts_with('#'))
            .filter(|w| !w.starts_with('='))
            .collect();
        let Some(first) = words.first() else { continue };
        if first.starts_with('[') {
            let name = first
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_ascii_lowercase();
            if !first.ends_with(']') || !sections.contains(&name.as_str()) {
                return Err(ConfigError::new(
                    file,
                    line,
                    format!(
                        "unexpected section '{first}'; expected one of {}",
                        list_sections(sections)
                    ),
                ));
            }
            section = Some(name);
            continue;
        }
        if words.len() > 2 {
            return Err(ConfigError::new(
                file,
                line,
                format!("expected 'key = value', found '{}'", raw.trim()),
            ));
        }
        let value = match words.get(1) {
            None => Value::Int(1),
            Some(v) => parse_value(v).ok_or_else(|| {
                ConfigError::new(file, line, format!("'{v}' is not a non-negative number"))
            })?,
        };
        if let Some(section) = &section {
            out.push(Entry {
                section: section.clone(),
                key: first.to_string(),
                value,
                line,
            });
        }
    }
    Ok(out)
}

/// Keys written before the first section (line number, key): Tstat ignores them, and so does
/// [`parse`]; callers warn, since they are usually a forgotten section line.
pub fn keys_outside_sections(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let Some(first) = raw
            .split_whitespace()
            .take_while(|w| !w.starts_with('#'))
            .find(|w| !w.starts_with('='))
        else {
            continue;
        };
        if first.starts_with('[') {
            break;
        }
        out.push((i + 1, first.to_string()));
    }
    out
}

fn list_sections(sections: &[&str]) -> String {
    sections
        .iter()
        .map(|s| format!("[{s}]"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_value(v: &str) -> Option<Value> {
    if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(Value::Int);
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse().ok().map(Value::Int);
    }
    let dots = v.bytes().filter(|&b| b == b'.').count();
    if dots == 1 && v.bytes().all(|b| b.is_ascii_digit() || b == b'.') && v.len() > 1 {
        return v.parse().ok().map(Value::Float);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tstat_style_lines() {
        let text = "ignored = 3\n[log]\nlog_tcp_complete = 1 # on\n  # comment\nflag\n[options]\nx = 0x1f\ny = 2.5\n";
        let e = parse("f", text, &["log", "options"]).unwrap();
        assert_eq!(e.len(), 4);
        assert_eq!(
            (e[0].section.as_str(), e[0].key.as_str(), e[0].value),
            ("log", "log_tcp_complete", Value::Int(1))
        );
        assert_eq!(e[1].value, Value::Int(1));
        assert_eq!(e[2].value, Value::Int(31));
        assert_eq!(e[3].value, Value::Float(2.5));
        assert_eq!(e[3].line, 8);
    }

    #[test]
    fn keys_before_any_section_are_reported() {
        let text = "# globals\nUDP_Idle_Time = 2\n\n[globals]\nTCP_Idle_Time = 3\n";
        assert_eq!(
            keys_outside_sections(text),
            vec![(2, "UDP_Idle_Time".to_string())]
        );
        assert!(keys_outside_sections("[log]\nx = 1\n").is_empty());
    }

    #[test]
    fn errors_name_the_line() {
        let err = parse("r.conf", "[log]\nlog_tcp_complete = yes\n", &["log"]).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().starts_with("r.conf:2:"), "{err}");
        let err = parse("r.conf", "[bogus]\n", &["log"]).unwrap_err();
        assert_eq!(err.line, 1);
    }
}
