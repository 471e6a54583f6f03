//! The import use case: for each file, read it ([`crate::import::read`]), store its original
//! bytes and every message in one vault transaction, commit; then re-classify the whole
//! vault (time labels and sender history span all messages).
//!
//! One file = one transaction: a fatal problem with a file (not this format, unreadable,
//! killed process) leaves the vault exactly as before that file; files before it stay
//! imported. Running the same import again stores nothing twice (dedup by the keyed
//! fingerprint) and completes whatever an interrupted run did not.

use crate::import::{self, Format, ImportReport, Progress};
use crate::model::Verdict;
use crate::vault::{SourceMeta, Vault};
use crate::{Error, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Source format (`Auto` sniffs each file).
    pub format: Format,
    /// Create the vault when it does not exist.
    pub create: bool,
    /// Extra rule packs for classification.
    pub rules: Option<PathBuf>,
}

/// Progress of a whole import run, for a progress bar.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ImportProgress {
    /// Index of the file being read (from 0).
    pub file_index: usize,
    /// Number of files.
    pub files: usize,
    /// Progress within the file.
    pub within: Progress,
}

/// What happened to one file.
#[derive(Debug, Serialize)]
pub struct FileOutcome {
    /// The path given.
    pub path: PathBuf,
    /// The reader's report (format, found, declared, skipped, warnings), when it finished.
    pub report: Option<ImportReport>,
    /// Messages newly stored.
    pub imported: u64,
    /// Messages already in the vault.
    pub duplicates: u64,
    /// The fatal error that stopped this file (nothing of it was kept).
    #[serde(skip)]
    pub error: Option<Error>,
}

/// What a whole import run did.
#[derive(Debug, Serialize)]
pub struct ImportOutcome {
    /// One entry per file, in the order given.
    pub files: Vec<FileOutcome>,
    /// Messages in the vault afterwards.
    pub total: u64,
    /// Collection messages in the vault afterwards (`None` when no classifier ran).
    pub collection: Option<u64>,
    /// The rule-pack version that classified the vault, if any.
    pub rule_version: Option<String>,
}

/// SHA-256 and size of a file, streamed.
fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex::encode(h.finalize()), n))
}

/// Imports `files` into the vault at `vault_path`.
///
/// # Errors
/// Only for the vault itself (missing without `create`, wrong passphrase, damaged, storage
/// failure); a file that cannot be imported is reported in its [`FileOutcome`].
pub fn import_files(
    vault_path: &Path,
    passphrase: &str,
    files: &[PathBuf],
    opts: &ImportOptions,
    on_progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportOutcome> {
    let mut vault = super::vault::open_or_create(vault_path, passphrase, opts.create)?;
    let mut outcomes = Vec::with_capacity(files.len());
    for (i, path) in files.iter().enumerate() {
        let mut p = |within: Progress| {
            on_progress(ImportProgress {
                file_index: i,
                files: files.len(),
                within,
            })
        };
        outcomes.push(import_one(&mut vault, path, opts.format, &mut p)?);
    }
    let (collection, rule_version) = match classify_vault(&mut vault, opts.rules.as_deref())? {
        Some((c, v)) => (Some(c), Some(v)),
        None => (None, None),
    };
    Ok(ImportOutcome {
        files: outcomes,
        total: vault.message_count()?,
        collection,
        rule_version,
    })
}

/// Imports one file in one transaction. Vault failures are `Err`; problems with the file
/// are returned in the outcome (its transaction rolled back).
fn import_one(
    vault: &mut Vault,
    path: &Path,
    format: Format,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<FileOutcome> {
    let mut outcome = FileOutcome {
        path: path.to_path_buf(),
        report: None,
        imported: 0,
        duplicates: 0,
        error: None,
    };
    // Decide the format before storing anything, so a file that is not a backup at all
    // is refused without streaming its bytes into the vault first.
    let format = match format {
        Format::Auto => match import::sniff(path) {
            Ok(f) => f,
            Err(e) => {
                outcome.error = Some(e.into());
                return Ok(outcome);
            }
        },
        f => f,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    // A folder (an iPhone backup) has no single original; its messages still carry origin.
    let (meta, mut original): (SourceMeta, Box<dyn Read>) = if path.is_dir() {
        (
            SourceMeta {
                name,
                size: 0,
                sha256: None,
            },
            Box::new(std::io::empty()),
        )
    } else {
        let opened = hash_file(path)
            .and_then(|(sha, size)| std::fs::File::open(path).map(|f| (sha, size, f)));
        match opened {
            Ok((sha, size, f)) => (
                SourceMeta {
                    name,
                    size,
                    sha256: Some(sha),
                },
                Box::new(f),
            ),
            Err(source) => {
                outcome.error = Some(Error::Import(import::Error::Open {
                    path: path.to_path_buf(),
                    source,
                }));
                return Ok(outcome);
            }
        }
    };
    let mut tx = match vault.begin_import(meta, &mut original) {
        Ok(tx) => tx,
        Err(e) if e.kind() == crate::ErrorKind::BadInput => {
            outcome.error = Some(e.into());
            return Ok(outcome);
        }
        Err(e) => return Err(e.into()),
    };
    let none = Verdict::default();
    let read = import::read(
        path,
        format,
        &mut |m| {
            tx.add(&m, &none)?;
            Ok(())
        },
        on_progress,
    );
    match read {
        Ok(report) => {
            outcome.imported = tx.added();
            outcome.duplicates = tx.duplicates();
            let summary = serde_json::json!({
                "format": report.format,
                "found": report.found,
                "declared": report.declared,
                "imported": outcome.imported,
                "duplicates": outcome.duplicates,
                "skipped": report.skipped,
                "warnings": report.warnings,
            });
            tx.commit(summary)?;
            outcome.report = Some(report);
            Ok(outcome)
        }
        // A vault failure while storing is the vault's problem, not the file's.
        Err(e @ Error::Vault(_)) => Err(e),
        Err(e) => {
            drop(tx);
            outcome.error = Some(e);
            Ok(outcome)
        }
    }
}

/// Re-classifies every message of the vault and stores the verdicts that changed, as one
/// classification run recorded with the rule-pack version. Returns the number of collection
/// messages (classifier's view, before corrections) and the rule version.
///
/// Time labels use the vault's settings (zone, night window, maximum per day). A run that
/// changes nothing is not recorded again when the same rule version already ran, so
/// re-importing the same file adds nothing to the vault.
///
/// # Errors
/// A rule-pack or vault failure.
pub fn classify_vault(vault: &mut Vault, rules: Option<&Path>) -> Result<Option<(u64, String)>> {
    let rules = super::classify::load_rules(rules)?;
    let settings = vault.settings()?;
    // Settings were validated when set; fall back to the contract defaults rather than
    // refuse to classify if an old vault holds something this build cannot read.
    let time = crate::classify::TimeSettings::from_flags(
        Some(&settings.zone),
        Some(&settings.night),
        Some(settings.max_per_day),
    )
    .unwrap_or_default();
    let stored = vault.messages()?;
    let inputs: Vec<crate::classify::Input<'_>> = stored
        .iter()
        .map(|s| crate::classify::Input::from_message(&s.message))
        .collect();
    let verdicts = crate::classify::classify_batch(&rules, &inputs, &time);
    drop(inputs);
    let collection = verdicts.iter().filter(|v| v.collection).count() as u64;
    let changed: Vec<(i64, Verdict)> = stored
        .iter()
        .zip(verdicts)
        .filter(|(s, v)| &s.verdict != v)
        .map(|(s, v)| (s.id, v))
        .collect();
    drop(stored);
    let version = rules.version();
    let same_version_ran = super::vault::rule_version(vault)?.as_deref() == Some(version.as_str());
    if !changed.is_empty() || !same_version_ran {
        vault.store_verdicts(&version, &changed)?;
    }
    Ok(Some((collection, version)))
}
