//! `-Y`, `-W`, `--enc` and the key options read into what the run hides
//! (docs/semantics/privacy.md §1–§2; where we differ from Tstat, docs/differences.md).

#[cfg(feature = "anon")]
use std::path::PathBuf;
#[cfg(feature = "anon")]
use std::sync::Arc;

use super::args::Args;
use crate::config::globals::Globals;
#[cfg(feature = "anon")]
use crate::config::nets::{ListRole, NetList, CRYPTO, WHITE};

/// The anonymisation of a run and its key, which is saved beside each trace's first folder.
#[cfg(feature = "anon")]
#[derive(Clone)]
pub(super) struct RunPrivacy {
    pub(super) privacy: Arc<crate::anon::Privacy>,
    pub(super) key: crate::anon::key::Key,
}

#[cfg(not(feature = "anon"))]
#[derive(Clone)]
pub(super) struct RunPrivacy;

/// The key options given, by name and source.
#[cfg(feature = "anon")]
fn key_sources(args: &Args) -> Vec<(&'static str, crate::anon::key::KeySource)> {
    use crate::anon::key::KeySource;
    let mut out = Vec::new();
    if let Some(v) = &args.keyvalue {
        out.push(("--keyvalue", KeySource::Value(v.clone())));
    }
    if let Some(f) = &args.keyfile {
        out.push(("--keyfile", KeySource::PlainFile(PathBuf::from(f))));
    }
    if let Some(f) = &args.keybase64 {
        out.push(("--keybase64", KeySource::Base64File(PathBuf::from(f))));
    }
    out
}

/// Options that only mean something with `-Y`, named for the error when `-Y` is missing.
#[cfg(feature = "anon")]
fn needing_crypto_nets(args: &Args) -> Vec<&'static str> {
    let mut out: Vec<&str> = key_sources(args).iter().map(|(name, _)| *name).collect();
    if args.whitefile.is_some() {
        out.push("-W");
    }
    if args.enc {
        out.push("--enc");
    }
    out
}

/// What the run hides, or `None` without `-Y`. The key is read now, so that a bad key file
/// stops the run before anything is written.
#[cfg(feature = "anon")]
pub(super) fn load(args: &Args, globals: &Globals) -> Result<Option<RunPrivacy>, String> {
    let Some(crypto_file) = &args.cryptofile else {
        let orphans = needing_crypto_nets(args);
        if orphans.is_empty() {
            return Ok(None);
        }
        // Tstat warns and writes the real addresses and names: we refuse.
        return Err(format!(
            "{} only work with -Y FILE, the networks to anonymise; without it every address \
             and name would be written in clear",
            orphans.join(", ")
        ));
    };
    load_with(args, globals, crypto_file)
}

#[cfg(feature = "anon")]
fn load_with(
    args: &Args,
    globals: &Globals,
    crypto_file: &str,
) -> Result<Option<RunPrivacy>, String> {
    use crate::anon::key::KeySource;
    let sources = key_sources(args);
    if sources.len() > 1 {
        let names: Vec<&str> = sources.iter().map(|(n, _)| *n).collect();
        return Err(format!("give one key option, not {}", names.join(" and ")));
    }
    let source = sources
        .into_iter()
        .next()
        .map_or(KeySource::Random, |(_, s)| s);
    let key = source.load()?;
    let nets = |path: &str, max: u64, role: ListRole, what: &str| {
        let list = NetList::load(path, max as usize, role).map_err(|e| format!("{what} {e}"))?;
        for w in &list.warnings {
            eprintln!("tstat: warning: {what}: {w}");
        }
        Ok::<NetList, String>(list)
    };
    let crypto = nets(crypto_file, globals.max_crypto_hosts, CRYPTO, "-Y")?;
    let white = match &args.whitefile {
        Some(p) => Some(nets(p, globals.max_white_hosts, WHITE, "-W")?),
        None => None,
    };
    let masks = globals.crypto_ipv6_masks();
    let privacy = crate::anon::Privacy::new(&key.bytes, crypto, white, args.enc, masks);
    Ok(Some(RunPrivacy {
        privacy: Arc::new(privacy),
        key,
    }))
}

/// Without the `anon` feature, Args::refused has turned every privacy option away.
#[cfg(not(feature = "anon"))]
pub(super) fn load(_: &Args, _: &Globals) -> Result<Option<RunPrivacy>, String> {
    Ok(None)
}

#[cfg(feature = "anon")]
impl RunPrivacy {
    /// Save the key as `CPanKey_<minute>` in `base`, beside the trace's first folder
    /// `<minute>.out`, after Tstat's messages about the key.
    pub(super) fn save_key(
        &self,
        base: &std::path::Path,
        first_folder: &str,
    ) -> Result<(), String> {
        for m in &self.key.messages {
            println!("{m}");
        }
        let path = base.join(crate::anon::key::key_file_name(first_folder));
        crate::anon::key::write_key_file(&path, &self.key.bytes)
            .map_err(|e| format!("cannot save the Crypto-PAn key in {}: {e}", path.display()))
    }
}
