//! Evidence-pack use cases: select messages from a vault, build the pack from plain values,
//! write it without leaving half-written files, verify a pack, and the demo.
//!
//! Files written by [`write_report`] for `--out case.pdf`: `case.pdf`, `case.csv`,
//! `case.json` and, with an audience, `case-letter.docx`. Each is written to a temporary
//! file in the same directory and renamed into place, so a failure leaves no partial file.

use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::model::{normalize_address, Kind};
use crate::report::{
    self, Audience, Pack, PackCorrection, PackInput, PackMessage, PackOptions, PackSource,
    VerifyReport,
};
use crate::vault::{EventKind, Vault};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What to put in a pack.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Creditor names (case-insensitive; empty = all).
    pub creditors: Vec<String>,
    /// First local date (`YYYY-MM-DD`) or RFC 3339 instant.
    pub since: Option<String>,
    /// Last local date, inclusive.
    pub until: Option<String>,
    /// The complainant's name.
    pub complainant: Option<String>,
}

/// What [`write_report`] wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ReportOutcome {
    /// The PDF.
    pub pdf: PathBuf,
    /// Lowercase hex SHA-256 of the PDF.
    pub sha256: String,
    /// Pack id.
    pub pack_id: String,
    /// Manifest hash (printed on the cover, logged in the vault).
    pub manifest_hash: String,
    /// Pages.
    pub pages: usize,
    /// Records in the pack.
    pub messages: usize,
    /// The CSV, JSON and DOCX written beside the PDF.
    pub extra: Vec<PathBuf>,
}

/// The rule-pack version of the latest classification run, or `unclassified`.
fn rule_version(vault: &Vault) -> Result<String> {
    Ok(vault
        .events()?
        .iter()
        .rev()
        .find(|e| e.kind == EventKind::ClassificationRun)
        .and_then(|e| {
            e.detail
                .get("rule_version")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "unclassified".to_string()))
}

/// Collects the selected messages and everything the pack shows, as plain values.
///
/// Selected: collection messages, plus calls from numbers that sent collection messages
/// (a call has no text to classify, but the number tells whose it is).
///
/// # Errors
/// A creditor that is not in the vault ([`report::Error::UnknownCreditor`]), a bad date,
/// nothing selected ([`report::Error::NothingSelected`]), or a vault failure.
pub fn pack_input(vault: &Vault, sel: &Selection) -> Result<PackInput> {
    let zone = super::vault::zone(vault)?;
    let filter = super::vault::MessageFilter::parse(
        &[],
        &[],
        sel.since.as_deref(),
        sel.until.as_deref(),
        zone,
    )?;
    let all = super::vault::effective_messages(vault)?;
    let mut number_owner: BTreeMap<String, String> = BTreeMap::new();
    for m in &all {
        if m.effective.collection {
            if let Some(c) = &m.effective.creditor {
                number_owner
                    .entry(normalize_address(&m.stored.message.address))
                    .or_insert_with(|| c.clone());
            }
        }
    }
    let known: BTreeSet<String> = number_owner
        .values()
        .cloned()
        .chain(all.iter().filter_map(|m| m.effective.creditor.clone()))
        .collect();
    let wanted: Vec<String> = sel
        .creditors
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    for (raw, w) in sel.creditors.iter().zip(&wanted) {
        if !known.iter().any(|k| k.to_lowercase() == *w) {
            return Err(report::Error::UnknownCreditor {
                name: raw.clone(),
                known: known.iter().cloned().collect(),
            }
            .into());
        }
    }
    let sources = vault.sources()?;
    let index: BTreeMap<i64, usize> = sources.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
    let mut messages = Vec::new();
    for m in all {
        let msg = &m.stored.message;
        let owner = m
            .effective
            .creditor
            .clone()
            .or_else(|| number_owner.get(&normalize_address(&msg.address)).cloned());
        let selected = m.effective.collection || (msg.kind == Kind::Call && owner.is_some());
        if !selected {
            continue;
        }
        if !wanted.is_empty()
            && !owner
                .as_ref()
                .is_some_and(|o| wanted.contains(&o.to_lowercase()))
        {
            continue;
        }
        if filter.since.is_some_and(|s| msg.instant.utc < s)
            || filter.until.is_some_and(|u| msg.instant.utc >= u)
        {
            continue;
        }
        let mut verdict = m.effective.clone();
        verdict.creditor = owner;
        messages.push(PackMessage {
            id: m.stored.id,
            message: m.stored.message.clone(),
            verdict,
            corrections: m
                .stored
                .corrections
                .iter()
                .map(|c| PackCorrection {
                    add: c.add.clone(),
                    remove: c.remove.clone(),
                    note: c.note.clone(),
                    at: c.at.to_rfc3339(),
                })
                .collect(),
            source: index.get(&m.stored.source_id).copied(),
        });
    }
    if messages.is_empty() {
        return Err(report::Error::NothingSelected.into());
    }
    let date = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
    };
    Ok(PackInput {
        complainant: sel.complainant.clone(),
        messages,
        sources: sources
            .iter()
            .map(|s| PackSource {
                name: s.name.clone(),
                size: s.size,
                sha256: s.sha256.clone(),
                imported_at: s
                    .imported_at
                    .with_timezone(&zone)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                format: s
                    .summary
                    .get("format")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                declared: s.summary.get("declared").and_then(|v| v.as_u64()),
                found: s.summary.get("found").and_then(|v| v.as_u64()),
            })
            .collect(),
        chain_head: vault.chain_head()?,
        rule_version: rule_version(vault)?,
        since: date(&sel.since),
        until: date(&sel.until),
        zone,
    })
}

/// Builds a pack from plain values (what the app calls when it already holds them).
///
/// # Errors
/// Nothing selected, or a broken bundled asset.
pub fn build_pack(input: &PackInput, opts: &PackOptions) -> Result<Pack> {
    Ok(report::build(input, opts)?)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and renames it
/// into place, so a full disk or a crash never leaves a half-written evidence file. Used by
/// the CLI and the app for every file of a pack.
///
/// # Errors
/// [`report::Error::Output`] naming `path`; the temporary file is removed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let out_err = |source: std::io::Error| {
        Error::from(report::Error::Output {
            path: path.to_path_buf(),
            source,
        })
    };
    std::fs::write(&tmp, bytes).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        out_err(e)
    })?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        out_err(e)
    })
}

fn sibling(pdf: &Path, suffix: &str) -> PathBuf {
    let stem = pdf
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "pack".into());
    pdf.with_file_name(format!("{stem}{suffix}"))
}

/// Builds the pack for `sel`, writes the PDF (and CSV, JSON, DOCX beside it) and logs an
/// export event with the manifest hash in the vault's chain.
///
/// # Errors
/// Selection errors (see [`pack_input`]), an unwritable output
/// ([`report::Error::Output`], nothing left behind), or a vault failure.
pub fn write_report(
    vault: &mut Vault,
    sel: &Selection,
    out: &Path,
    audience: Option<Audience>,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<ReportOutcome> {
    ensure_classified(vault)?;
    let input = pack_input(vault, sel)?;
    let pack = report::build(
        &input,
        &PackOptions {
            now,
            audience,
            lang,
        },
    )?;
    write_atomic(out, &pack.pdf)?;
    let mut extra = Vec::new();
    let mut files: Vec<(PathBuf, &[u8])> = vec![
        (sibling(out, ".csv"), &pack.csv),
        (sibling(out, ".json"), &pack.json),
    ];
    if let Some(d) = &pack.letters_docx {
        files.push((sibling(out, "-letter.docx"), d));
    }
    for (p, b) in files {
        if let Err(e) = write_atomic(&p, b) {
            // All or nothing: remove what this call already wrote.
            let _ = std::fs::remove_file(out);
            for q in &extra {
                let _ = std::fs::remove_file(q);
            }
            return Err(e);
        }
        extra.push(p);
    }
    record_export(vault, &pack, input.messages.len())?;
    Ok(ReportOutcome {
        pdf: out.to_path_buf(),
        sha256: pack.sha256,
        pack_id: pack.pack_id,
        manifest_hash: pack.manifest_hash,
        pages: pack.pages,
        messages: input.messages.len(),
        extra,
    })
}

/// Logs an export event for `pack` in the vault's hash chain (pack id, manifest hash, file
/// hash, record count; never message text). Call it after saving a pack, as
/// [`write_report`] does, so a later forgery no longer matches the vault's record.
///
/// # Errors
/// A vault failure.
pub fn record_export(vault: &mut Vault, pack: &Pack, records: usize) -> Result<()> {
    vault.log_event(
        EventKind::Export,
        serde_json::json!({
            "what": "evidence_pack",
            "pack_id": pack.pack_id,
            "manifest_hash": pack.manifest_hash,
            "sha256": pack.sha256,
            "records": records,
        }),
    )?;
    Ok(())
}

/// Checks a pack file.
///
/// # Errors
/// An unreadable file ([`report::Error::Read`]) or one that is not a pack
/// ([`report::Error::NotAPack`]); both are bad input (exit 2). Damage is *not* an error:
/// it is in the report's `problems`.
pub fn verify_file(path: &Path) -> Result<VerifyReport> {
    let bytes = std::fs::read(path).map_err(|source| report::Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    report::verify(&bytes).map_err(|()| {
        report::Error::NotAPack {
            path: path.to_path_buf(),
        }
        .into()
    })
}

/// A vault whose messages were never classified (imported by a build whose import use
/// case does not classify yet) is classified once with the bundled rules, as a recorded
/// classification run, so a pack never silently shows unclassified messages.
fn ensure_classified(vault: &mut Vault) -> Result<()> {
    let classified = vault
        .events()?
        .iter()
        .any(|e| e.kind == EventKind::ClassificationRun);
    if !classified && vault.message_count()? > 0 {
        classify_all(vault)?;
    }
    Ok(())
}

/// Classifies every message of the vault with the bundled rules and stores the verdicts as
/// one classification run; returns the rule version. Used by the demo while
/// `api::import::classify_vault` is not wired to the classifier.
fn classify_all(vault: &mut Vault) -> Result<String> {
    let rules = super::classify::load_rules(None)?;
    let stored = vault.messages()?;
    let inputs: Vec<crate::classify::Input> = stored
        .iter()
        .map(|s| crate::classify::Input {
            body: &s.message.body,
            address: &s.message.address,
            instant: Some(&s.message.instant),
            direction: s.message.direction,
            kind: s.message.kind,
            duration_s: s.message.duration_s,
        })
        .collect();
    let verdicts =
        crate::classify::classify_batch(&rules, &inputs, &crate::classify::TimeSettings::default());
    let changed: Vec<(i64, crate::model::Verdict)> = stored
        .iter()
        .zip(verdicts)
        .filter(|(s, v)| s.verdict != *v)
        .map(|(s, v)| (s.id, v))
        .collect();
    let version = rules.version();
    vault.store_verdicts(&version, &changed)?;
    Ok(version)
}

/// `quzheng demo`: a throw-away vault in `dir` (a new temporary directory when `None`) from
/// the bundled sample (an SB&R export and its call log), imported and classified through
/// the real pipeline, and its evidence pack `demo.pdf` (police letter appended).
///
/// # Errors
/// An unwritable directory, or any pipeline failure.
pub fn demo(dir: Option<&Path>, now: DateTime<Utc>, lang: Lang) -> Result<ReportOutcome> {
    let dir = match dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|source| report::Error::Output {
                path: d.to_path_buf(),
                source,
            })?;
            d.to_path_buf()
        }
        None => {
            let d = std::env::temp_dir().join(format!("quzheng-demo-{}", std::process::id()));
            std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
            d
        }
    };
    let sms = dir.join("sms-backup.xml");
    let calls = dir.join("calls-backup.xml");
    write_atomic(&sms, report::sample::SMS_XML)?;
    write_atomic(&calls, report::sample::CALLS_XML)?;
    let vault_path = dir.join("demo-vault.qz");
    let _ = std::fs::remove_file(&vault_path);
    let passphrase = "quzheng-demo";
    drop(super::vault::create(&vault_path, passphrase)?);
    let opts = super::import::ImportOptions {
        format: crate::import::Format::Auto,
        create: false,
        rules: None,
    };
    let outcome =
        super::import::import_files(&vault_path, passphrase, &[sms, calls], &opts, &mut |_| {})?;
    if let Some(e) = outcome.files.into_iter().find_map(|f| f.error) {
        return Err(e);
    }
    let mut vault = super::vault::open(&vault_path, passphrase)?;
    super::import::classify_vault(&mut vault, None)?;
    let sel = Selection {
        complainant: Some(crate::i18n::report::t(lang, "demo.complainant").to_string()),
        ..Selection::default()
    };
    write_report(
        &mut vault,
        &sel,
        &dir.join("demo.pdf"),
        Some(Audience::Police),
        now,
        lang,
    )
}
