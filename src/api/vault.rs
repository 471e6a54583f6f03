//! Vault use cases shared by the CLI and the app: create, open, check, change the
//! passphrase, and list messages with their effective verdicts (corrections applied,
//! creditor aliases resolved) filtered by label, creditor and period.
//!
//! Times: filters take local dates in the vault's zone (`YYYY-MM-DD`, inclusive on both
//! ends) or RFC 3339 instants; listed `ts` values are RFC 3339 in the vault's zone
//! (Asia/Shanghai, +08:00, unless its settings say otherwise).

use crate::model::time::{self, DEFAULT_ZONE};
use crate::model::{Finding, Label, Verdict};
use crate::vault::{
    CheckReport, Correction, KdfParams, SourceInfo, StoredMessage, Vault, VaultSettings,
};
use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Environment variable that makes new passphrase wraps use tiny KDF parameters. Only for
/// tests; the parameters actually used are recorded in the vault.
pub const FAST_KDF_ENV: &str = "QUZHENG_TEST_FAST_KDF";

/// The KDF parameters for new wraps: the product default, unless `QUZHENG_TEST_FAST_KDF=1`.
pub fn kdf_params() -> KdfParams {
    match std::env::var(FAST_KDF_ENV) {
        Ok(v) if v == "1" => KdfParams::FAST_FOR_TESTS,
        _ => KdfParams::DEFAULT,
    }
}

/// The default vault file: `$XDG_DATA_HOME/quzheng/vault.qz`, else
/// `~/.local/share/quzheng/vault.qz` (on Windows `%APPDATA%\quzheng\vault.qz`).
pub fn default_vault_path() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    };
    base.map(|b| b.join("quzheng").join("vault.qz"))
}

/// Creates an empty vault.
///
/// # Errors
/// When the file exists, the passphrase is empty, or the directory cannot be written.
pub fn create(path: &Path, passphrase: &str) -> Result<Vault> {
    Ok(Vault::create_with(path, passphrase, kdf_params())?)
}

/// Opens and unlocks a vault.
///
/// # Errors
/// Wrong passphrase (kind `WrongPassphrase`), missing or foreign file, damaged header.
pub fn open(path: &Path, passphrase: &str) -> Result<Vault> {
    Ok(Vault::open(path, passphrase)?)
}

/// Opens a vault, creating it first when `create` is set and it does not exist.
///
/// # Errors
/// As [`open`] and [`create`].
pub fn open_or_create(path: &Path, passphrase: &str, create_missing: bool) -> Result<Vault> {
    if create_missing && !path.exists() {
        create(path, passphrase)
    } else {
        open(path, passphrase)
    }
}

/// Verifies every record and the hash chain.
///
/// # Errors
/// When the vault cannot be opened (a damaged header is kind `Damaged`).
pub fn check(path: &Path, passphrase: &str) -> Result<CheckReport> {
    Ok(open(path, passphrase)?.check()?)
}

/// Changes the passphrase (re-wraps the data key only).
///
/// # Errors
/// Wrong old passphrase, empty new passphrase, storage failure.
pub fn passwd(path: &Path, old: &str, new: &str) -> Result<()> {
    let mut v = open(path, old)?;
    rewrap(&mut v, new)
}

/// Changes the passphrase of an already open vault (the app's use case: it keeps the vault
/// open, not the passphrase). The current passphrase is checked first, by unlocking the
/// same file a second time and dropping that handle at once, so an unattended unlocked
/// vault cannot be taken over.
///
/// # Errors
/// Wrong current passphrase (kind `WrongPassphrase`; nothing is changed), empty new
/// passphrase, storage failure.
pub fn change_passphrase(vault: &mut Vault, old: &str, new: &str) -> Result<()> {
    if new.is_empty() {
        return Err(crate::vault::Error::EmptyPassphrase.into());
    }
    drop(open(vault.path(), old)?);
    rewrap(vault, new)
}

/// Re-wraps the data key under `new`. Tests re-wrap cheaply; otherwise the vault's KDF
/// parameters are kept, raised to the product default when they are weaker (a vault made
/// by a test build, or an older default).
fn rewrap(v: &mut Vault, new: &str) -> Result<()> {
    let params = if !kdf_params().is_strong() {
        kdf_params()
    } else if v.kdf_params().is_strong() {
        v.kdf_params()
    } else {
        KdfParams::DEFAULT
    };
    v.change_passphrase_with(new, params)?;
    Ok(())
}

/// Checks and stores new vault settings (zone, night window, maximum per day, language,
/// auto-lock minutes) as a settings event.
///
/// # Errors
/// A zone, night window or maximum the classifier would not accept (kind `BadInput`,
/// naming the value), or a storage failure.
pub fn update_settings(vault: &mut Vault, settings: &VaultSettings) -> Result<()> {
    crate::classify::TimeSettings::from_flags(
        Some(&settings.zone),
        Some(&settings.night),
        Some(settings.max_per_day),
    )?;
    vault.set_settings(settings)?;
    Ok(())
}

/// Which messages to list.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    /// Any of these labels (empty = no label filter).
    pub labels: Vec<Label>,
    /// Any of these creditors, compared case-insensitively with the resolved and the
    /// original name (empty = all).
    pub creditors: Vec<String>,
    /// From this instant, inclusive.
    pub since: Option<DateTime<Utc>>,
    /// Before this instant (exclusive; an inclusive date becomes the next local midnight).
    pub until: Option<DateTime<Utc>>,
}

impl MessageFilter {
    /// Builds a filter from command-line spellings.
    ///
    /// # Errors
    /// An unknown label id, or a date that is neither `YYYY-MM-DD` nor RFC 3339 (kind
    /// `BadInput`, naming the value).
    pub fn parse(
        labels: &[String],
        creditors: &[String],
        since: Option<&str>,
        until: Option<&str>,
        zone: Tz,
    ) -> Result<MessageFilter> {
        let labels = labels
            .iter()
            .map(|l| {
                Label::from_id(l.trim()).ok_or_else(|| {
                    Error::from(crate::vault::Error::UnknownLabel { label: l.clone() })
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(MessageFilter {
            labels,
            creditors: creditors.to_vec(),
            since: since.map(|s| parse_date(s, zone, false)).transpose()?,
            until: until.map(|s| parse_date(s, zone, true)).transpose()?,
        })
    }
}

/// A local date (start of day, or start of the next day when `end`) or an RFC 3339 instant.
fn parse_date(s: &str, zone: Tz, end: bool) -> Result<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(i) = time::Instant::parse_rfc3339(s) {
        return Ok(i.utc);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Error::bad_input("date", s))?;
    let d = if end {
        d.succ_opt().ok_or_else(|| Error::bad_input("date", s))?
    } else {
        d
    };
    let midnight = d
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists on every date");
    zone.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::bad_input("date", s))
}

/// The source of a listed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// File name.
    pub name: String,
    /// Lowercase hex SHA-256 of the original file.
    pub sha256: String,
}

/// One message as `messages --format jsonl` prints it (contract fields first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListedMessage {
    /// Vault message id.
    pub id: i64,
    /// Sender or recipient address as the source wrote it.
    pub address: String,
    /// The text, verbatim.
    pub body: String,
    /// RFC 3339 in the vault's zone.
    pub ts: String,
    /// `in` or `out`.
    pub direction: &'static str,
    /// `sms`, `mms` or `call`.
    pub kind: &'static str,
    /// The original file.
    pub source: SourceRef,
    /// Whether it is a collection message (after corrections).
    pub collection: bool,
    /// Sorted labels (after corrections).
    pub labels: Vec<Label>,
    /// Creditor, with renames and merges applied.
    pub creditor: Option<String>,
    /// Findings (those of removed labels dropped).
    pub findings: Vec<Finding>,
    /// Whether the user corrected the classifier here.
    pub corrected: bool,
    /// The creditor as the classifier named it, when an alias changed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creditor_original: Option<String>,
    /// Contact name shown on the phone, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    /// Where in the source the record was.
    pub origin: String,
}

/// A stored message with its effective verdict, ready for listing or a report.
#[derive(Debug, Clone)]
pub struct EffectiveMessage {
    /// The stored message (original verdict and corrections included).
    pub stored: StoredMessage,
    /// Verdict with corrections applied and the creditor alias resolved.
    pub effective: Verdict,
}

/// Every message with its effective verdict, oldest first (ties by id).
///
/// # Errors
/// A damaged record or storage failure.
pub fn effective_messages(vault: &Vault) -> Result<Vec<EffectiveMessage>> {
    let aliases = vault.creditor_aliases()?;
    let mut out: Vec<EffectiveMessage> = vault
        .messages()?
        .into_iter()
        .map(|stored| {
            let mut effective = stored.effective();
            effective.creditor = effective
                .creditor
                .map(|c| aliases.get(&c).cloned().unwrap_or(c));
            EffectiveMessage { stored, effective }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.stored.message.instant.utc, a.stored.id)
            .cmp(&(b.stored.message.instant.utc, b.stored.id))
    });
    Ok(out)
}

/// The vault's display zone (its setting, or Asia/Shanghai when unset or unknown).
///
/// # Errors
/// A damaged record or storage failure.
pub fn zone(vault: &Vault) -> Result<Tz> {
    Ok(time::parse_zone(&vault.settings()?.zone).unwrap_or(DEFAULT_ZONE))
}

/// Lists messages matching `filter`, oldest first ("newest last").
///
/// # Errors
/// A damaged record or storage failure.
pub fn list_messages(vault: &Vault, filter: &MessageFilter) -> Result<Vec<ListedMessage>> {
    let zone = zone(vault)?;
    let aliases = vault.creditor_aliases()?;
    let sources: HashMap<i64, SourceInfo> =
        vault.sources()?.into_iter().map(|s| (s.id, s)).collect();
    let wanted: Vec<String> = filter
        .creditors
        .iter()
        .map(|c| c.trim().to_lowercase())
        .collect();
    let mut all = vault.messages()?;
    all.sort_by_key(|a| (a.message.instant.utc, a.id));
    let mut out = Vec::new();
    // Fields are moved, not cloned, and each stored message is dropped as it is listed, so
    // listing 100,000 messages holds about one copy of them.
    for sm in all {
        let m = &sm.message;
        if filter.since.is_some_and(|s| m.instant.utc < s)
            || filter.until.is_some_and(|u| m.instant.utc >= u)
        {
            continue;
        }
        let corrected = !sm.corrections.is_empty();
        let original = sm.verdict.creditor.clone();
        let mut v = if corrected {
            Correction::apply_all(&sm.verdict, &sm.corrections)
        } else {
            sm.verdict
        };
        v.creditor = v.creditor.map(|c| aliases.get(&c).cloned().unwrap_or(c));
        if !filter.labels.is_empty() && !v.labels.iter().any(|l| filter.labels.contains(l)) {
            continue;
        }
        if !wanted.is_empty() {
            let names = [v.creditor.as_deref(), original.as_deref()];
            if !names
                .iter()
                .flatten()
                .any(|n| wanted.contains(&n.trim().to_lowercase()))
            {
                continue;
            }
        }
        let src = sources.get(&sm.source_id);
        let ts = sm.message.instant.rfc3339_in(zone);
        let message = sm.message;
        out.push(ListedMessage {
            id: sm.id,
            address: message.address,
            body: message.body,
            ts,
            direction: message.direction.as_str(),
            kind: message.kind.as_str(),
            source: SourceRef {
                name: src.map(|s| s.name.clone()).unwrap_or_default(),
                sha256: src.map(|s| s.sha256.clone()).unwrap_or_default(),
            },
            collection: v.collection,
            labels: v.labels,
            creditor_original: original.filter(|o| Some(o) != v.creditor.as_ref()),
            creditor: v.creditor,
            findings: v.findings,
            corrected,
            contact_name: message.contact_name,
            origin: message.origin,
        });
    }
    Ok(out)
}

/// The rule-pack version of the latest classification run, if any ran.
///
/// # Errors
/// A damaged record or storage failure.
pub fn rule_version(vault: &Vault) -> Result<Option<String>> {
    Ok(vault
        .events()?
        .into_iter()
        .rev()
        .find(|e| e.kind == crate::vault::EventKind::ClassificationRun)
        .and_then(|e| {
            e.detail
                .get("rule_version")
                .and_then(|v| v.as_str())
                .map(str::to_string)
        }))
}

/// Counts per effective label and creditor, for summaries.
///
/// # Errors
/// A damaged record or storage failure.
pub fn label_counts(vault: &Vault) -> Result<BTreeMap<Label, u64>> {
    let mut c = BTreeMap::new();
    for em in effective_messages(vault)? {
        for l in &em.effective.labels {
            *c.entry(*l).or_insert(0) += 1;
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_local_days_inclusive() {
        let z = DEFAULT_ZONE;
        let s = parse_date("2026-03-10", z, false).unwrap();
        let u = parse_date("2026-03-10", z, true).unwrap();
        assert_eq!(s.to_rfc3339(), "2026-03-09T16:00:00+00:00");
        assert_eq!(u.to_rfc3339(), "2026-03-10T16:00:00+00:00");
        assert!(parse_date("10/03/2026", z, false).is_err());
        assert_eq!(
            parse_date("2026-03-10T09:05:00+08:00", z, true)
                .unwrap()
                .to_rfc3339(),
            "2026-03-10T01:05:00+00:00"
        );
    }

    #[test]
    fn change_passphrase_on_an_open_vault_checks_the_old_one() {
        std::env::set_var(FAST_KDF_ENV, "1");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.qz");
        let mut v = create(&path, "old pass").unwrap();
        let e = change_passphrase(&mut v, "not it", "new pass").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::WrongPassphrase);
        assert!(
            open(&path, "old pass").is_ok(),
            "unchanged after a wrong old passphrase"
        );
        assert_eq!(
            change_passphrase(&mut v, "old pass", "")
                .unwrap_err()
                .kind(),
            crate::ErrorKind::BadInput
        );
        change_passphrase(&mut v, "old pass", "new pass").unwrap();
        // The same handle keeps working, and the file now opens with the new passphrase only.
        assert!(v.settings().is_ok());
        drop(v);
        assert!(open(&path, "new pass").is_ok());
        assert_eq!(
            open(&path, "old pass").unwrap_err().kind(),
            crate::ErrorKind::WrongPassphrase
        );
    }

    #[test]
    fn unknown_labels_are_bad_input() {
        let e =
            MessageFilter::parse(&["threats".into()], &[], None, None, DEFAULT_ZONE).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::BadInput);
    }
}
