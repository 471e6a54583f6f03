//! The import use case: for each file, read it ([`crate::import::read`]), store its original
//! bytes and every message in one vault transaction, commit; then re-classify the whole
//! vault (time labels and sender history span all messages).
//!
//! One file = one transaction: a fatal problem with a file (not this format, unreadable,
//! killed process) leaves the vault exactly as before that file; files before it stay
//! imported. Running the same import again stores nothing twice (dedup by the keyed
//! fingerprint) and completes whatever an interrupted run did not.

use crate::import::{self, Format, ImportReport, Progress};
use crate::model::{Message, Verdict};
use crate::vault::{SourceMeta, Vault};
use crate::{Error, Result};
use serde::Serialize;
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
    /// Where the time went, phase by phase (for `quzheng bench import`).
    #[serde(skip)]
    pub phases: Vec<Phase>,
}

/// Wall-clock and CPU time of one phase of an import run, for `quzheng bench import`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    /// What ran (English, for the benchmark's output).
    pub name: String,
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// CPU seconds of the whole process during the phase (user + system, all threads,
    /// so work that other threads do meanwhile counts too); `None` where /proc is missing.
    pub cpu_s: Option<f64>,
}

/// Records consecutive [`Phase`]s: each one lasts from the previous mark to the next.
struct Phases {
    list: Vec<Phase>,
    wall: std::time::Instant,
    cpu: Option<f64>,
}

impl Phases {
    fn start() -> Phases {
        Phases {
            list: Vec::new(),
            wall: std::time::Instant::now(),
            cpu: crate::import::bench::cpu_s(false),
        }
    }

    /// Ends the current phase under `name` and starts the next one.
    fn mark(&mut self, name: impl Into<String>) {
        let cpu = crate::import::bench::cpu_s(false);
        self.list.push(Phase {
            name: name.into(),
            wall_s: self.wall.elapsed().as_secs_f64(),
            cpu_s: cpu.zip(self.cpu).map(|(a, b)| a - b),
        });
        self.wall = std::time::Instant::now();
        self.cpu = cpu;
    }
}

/// What the classifier reads of a stored message (see [`crate::classify::Input`]), kept
/// for the whole-vault classification after an import: a third of a full
/// [`Message`] in memory.
pub(crate) struct Kept {
    /// The message's id in the vault.
    pub(crate) id: i64,
    body: Box<str>,
    address: Box<str>,
    instant: crate::model::Instant,
    direction: crate::model::Direction,
    kind: crate::model::Kind,
    duration_s: Option<u32>,
}

impl Kept {
    fn new(id: i64, m: &Message) -> Kept {
        Kept {
            id,
            body: m.body.as_str().into(),
            address: m.address.as_str().into(),
            instant: m.instant.clone(),
            direction: m.direction,
            kind: m.kind,
            duration_s: m.duration_s,
        }
    }

    pub(crate) fn input(&self) -> crate::classify::Input<'_> {
        crate::classify::Input {
            body: &self.body,
            address: &self.address,
            instant: Some(&self.instant),
            direction: self.direction,
            kind: self.kind,
            duration_s: self.duration_s,
        }
    }
}

/// [`Kept`] of every stored message, in id order.
pub(crate) fn kept_all(vault: &Vault) -> Result<Vec<Kept>> {
    Ok(vault
        .messages_only()?
        .into_iter()
        .map(|(id, m)| Kept::new(id, &m))
        .collect())
}

/// What the reading thread tells the writing thread.
// Nearly every item is an `Add`; boxing its message would cost one allocation per message
// to shrink the one `Commit` at the end.
#[allow(clippy::large_enum_variant)]
enum ToWriter {
    /// Store this admitted message (with its dedup index).
    Add([u8; 32], Message),
    /// The read is complete: commit, with the summary made from (imported, duplicates)
    /// and the number of duplicates found before the writer's lock.
    Commit(Box<dyn FnOnce(u64, u64) -> serde_json::Value + Send>, u64),
}

/// The import event's summary of a complete read, given the counts the writer knows.
fn summary_json(r: &ImportReport) -> Box<dyn FnOnce(u64, u64) -> serde_json::Value + Send> {
    let base = serde_json::json!({
        "format": r.format,
        "found": r.found,
        "declared": r.declared,
        "skipped": r.skipped,
        "warnings": r.warnings,
    });
    Box::new(move |imported, duplicates| {
        let mut v = base;
        if let Some(o) = v.as_object_mut() {
            o.insert("imported".into(), imported.into());
            o.insert("duplicates".into(), duplicates.into());
        }
        v
    })
}

/// What storing one file's messages did.
struct StoreOut {
    /// The id each admitted message got, in order (`None`: stored meanwhile by another
    /// writer, so not stored again).
    ids: Vec<Option<i64>>,
    /// Messages stored.
    added: u64,
    /// Duplicates (before and under the write lock).
    dups: u64,
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
    // Rule packs first: a bad `--rules` folder is refused before anything is imported.
    let mut ph = Phases::start();
    let rules = super::classify::load_rules(opts.rules.as_deref())?;
    ph.mark("load rule packs");
    let mut vault = super::vault::open_or_create(vault_path, passphrase, opts.create)?;
    ph.mark("unlock vault (Argon2id)");
    let time = time_settings(&vault)?;
    // Every message of the vault after this run, decrypted once, in id order: the ones
    // stored before it (none on a first import) and then the ones it stores, kept as they
    // are read. The classification of the whole vault below needs exactly this set, so
    // nothing is decrypted twice.
    let mut all: Vec<Kept> = kept_all(&vault)?;
    ph.mark("decrypt stored messages");
    let mut outcomes = Vec::with_capacity(files.len());
    let mut verdicts = None;
    for (i, path) in files.iter().enumerate() {
        let mut p = |within: Progress| {
            on_progress(ImportProgress {
                file_index: i,
                files: files.len(),
                within,
            })
        };
        // The last file classifies the whole vault on a second thread while its messages
        // are sealed and written.
        let classify = (i + 1 == files.len()).then_some((&rules, &time));
        let (outcome, v) =
            import_one(&mut vault, path, opts.format, &mut p, &mut all, classify, &mut ph)?;
        outcomes.push(outcome);
        verdicts = v;
    }
    let verdicts = match verdicts {
        Some(v) => v,
        None => classify_all(&rules, &all, &time),
    };
    let ids: Vec<i64> = all.iter().map(|k| k.id).collect();
    drop(all);
    ph.mark("classify (when not overlapped)");
    let run = store_changed(&mut vault, &rules, &ids, verdicts, false)?;
    ph.mark("store changed verdicts (one run)");
    Ok(ImportOutcome {
        files: outcomes,
        total: vault.message_count()?,
        collection: Some(run.collection),
        rule_version: Some(run.rule_version),
        phases: ph.list,
    })
}

/// The vault's time settings for the classifier.
fn time_settings(vault: &Vault) -> Result<crate::classify::TimeSettings> {
    let settings = vault.settings()?;
    // Settings were validated when set; fall back to the contract defaults rather than
    // refuse to classify if an old vault holds something this build cannot read.
    Ok(crate::classify::TimeSettings::from_flags(
        Some(&settings.zone),
        Some(&settings.night),
        Some(settings.max_per_day),
    )
    .unwrap_or_default())
}

/// Classifies `all` as one batch (time labels and sender history span the vault).
fn classify_all(
    rules: &crate::classify::RuleSet,
    all: &[Kept],
    time: &crate::classify::TimeSettings,
) -> Vec<Verdict> {
    let inputs: Vec<crate::classify::Input<'_>> = all.iter().map(Kept::input).collect();
    crate::classify::classify_batch(rules, &inputs, time)
}

/// Imports one file in one transaction. Vault failures are `Err`; problems with the file
/// are returned in the outcome (its transaction rolled back). The messages it stores are
/// appended to `all` with their ids. With `classify`, the whole of `all` plus this file's
/// new messages is classified while they are written, and the verdicts (one per message
/// of `all` afterwards, in order) are returned — unless the file fails.
fn import_one(
    vault: &mut Vault,
    path: &Path,
    format: Format,
    on_progress: &mut dyn FnMut(Progress),
    all: &mut Vec<Kept>,
    classify: Option<(&crate::classify::RuleSet, &crate::classify::TimeSettings)>,
    ph: &mut Phases,
) -> Result<(FileOutcome, Option<Vec<Verdict>>)> {
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
                return Ok((outcome, None));
            }
        },
        f => f,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    // A folder (an iPhone backup) has no single original; its messages still carry origin.
    let (meta, mut original): (SourceMeta, Box<dyn Read + Send>) = if path.is_dir() {
        (
            SourceMeta {
                name,
                size: 0,
                sha256: None,
            },
            Box::new(std::io::empty()),
        )
    } else {
        let opened = crate::import::sha256_file(path)
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
                return Ok((outcome, None));
            }
        }
    };
    // One transaction on a second thread (the original's chunks, the new messages, the
    // import event) while this thread reads the file and decides duplicates against a
    // snapshot of the stored dedup indexes; new messages stream to the writer through a
    // small queue, so they never pile up in memory. The writer decides dedup again under
    // its write lock; `None` in its ids marks a message another writer stored in the
    // meantime (then the verdicts computed here are not used). The writer commits only
    // when told so after a complete read; otherwise (a file that fails to read, this
    // thread gone) it rolls everything back.
    let mut seen = vault.dedup_indexes()?;
    let dedup_key = vault.dedup_key();
    let dedup = |m: &Message| dedup_key.index(m);
    let (to_writer, queue) = std::sync::mpsc::sync_channel::<ToWriter>(1024);
    let writer_fn =
        |vault: &mut Vault| -> std::result::Result<Option<StoreOut>, crate::vault::Error> {
            let mut tx = vault.begin_import(meta, &mut original)?;
            // The reader and then the classifier keep the other core busy.
            tx.seal_on_this_thread();
            let none = Verdict::default();
            let mut ids = Vec::new();
            for msg in queue {
                match msg {
                    ToWriter::Add(fp, m) => {
                        if tx.admit_index(fp) {
                            ids.push(Some(tx.store_admitted(fp, &m, &none)?));
                        } else {
                            ids.push(None);
                        }
                    }
                    ToWriter::Commit(summary, before) => {
                        let (added, dups) = (tx.added(), before + tx.duplicates());
                        tx.commit(summary(added, dups))?;
                        return Ok(Some(StoreOut { ids, added, dups }));
                    }
                }
            }
            // The sender went away without a commit: roll back.
            Ok(None)
        };
    let mut kept: Vec<Kept> = Vec::new();
    let mut duplicates = 0u64;
    let mut report = None;
    let mut read_error = None;
    let mut verdicts = None;
    let stored = std::thread::scope(|s| {
        let writer = s.spawn(|| writer_fn(vault));
        let read = import::read(
            path,
            format,
            &mut |m| {
                let fp = dedup(&m);
                if seen.insert(fp) {
                    kept.push(Kept::new(0, &m));
                    // A closed queue means the writer failed; its error is reported below.
                    to_writer
                        .send(ToWriter::Add(fp, m))
                        .map_err(|_| Error::bad_input("vault_writer", String::new()))?;
                } else {
                    duplicates += 1;
                }
                Ok(())
            },
            on_progress,
        );
        match read {
            Ok(r) => {
                let summary = summary_json(&r);
                let _ = to_writer.send(ToWriter::Commit(summary, duplicates));
                report = Some(r);
            }
            Err(e) => read_error = Some(e),
        }
        drop(to_writer);
        ph.mark("read file (writer storing meanwhile)");
        if let (Some((rules, time)), Some(_)) = (classify, &report) {
            let inputs: Vec<crate::classify::Input<'_>> =
                all.iter().chain(kept.iter()).map(Kept::input).collect();
            verdicts = Some(crate::classify::classify_batch(rules, &inputs, time));
            ph.mark("classify whole vault (writer storing meanwhile)");
        }
        // A panic while storing is passed on as if it had happened on this thread.
        let r = writer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        ph.mark("writer: rest of messages + commit");
        r
    });
    let stored = match stored {
        Ok(Some(s)) => s,
        // Rolled back after a failed read: nothing of this file is in the vault.
        Ok(None) => {
            outcome.error = read_error;
            return Ok((outcome, None));
        }
        Err(e) if e.kind() == crate::ErrorKind::BadInput => {
            outcome.error = Some(e.into());
            return Ok((outcome, None));
        }
        Err(e) => return Err(e.into()),
    };
    outcome.imported = stored.added;
    outcome.duplicates = stored.dups;
    outcome.report = report;
    let raced = stored.ids.iter().any(Option::is_none);
    all.extend(
        kept.into_iter()
            .zip(stored.ids)
            .filter_map(|(k, id)| id.map(|id| Kept { id, ..k })),
    );
    Ok((outcome, if raced { None } else { verdicts }))
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
    classify_vault_with(vault, &rules).map(Some)
}

/// [`classify_vault`] with rule packs already loaded. Returns the number of collection
/// messages and the rule version.
///
/// # Errors
/// A vault failure.
pub fn classify_vault_with(
    vault: &mut Vault,
    rules: &crate::classify::RuleSet,
) -> Result<(u64, String)> {
    let run = super::classify::classify_vault_recording(vault, rules, false)?;
    Ok((run.collection, run.rule_version))
}

/// What [`store_changed`] did.
pub(crate) struct StoredRun {
    /// Collection messages among the verdicts.
    pub collection: u64,
    /// Verdicts that differed from the stored ones and were stored.
    pub changed: u64,
    /// The rule-pack version recorded with the run.
    pub rule_version: String,
}

/// Stores the verdicts (one per message id of `ids`, in order) that differ from the stored
/// ones as one classification run. Returns the number of collection messages and the
/// rule version. A run that changes nothing is not recorded again when the same rule
/// version already ran, so re-importing the same file adds nothing to the vault.
pub(crate) fn store_changed(
    vault: &mut Vault,
    rules: &crate::classify::RuleSet,
    ids: &[i64],
    verdicts: Vec<Verdict>,
    always_record: bool,
) -> Result<StoredRun> {
    // Digests of the stored verdicts only, not the verdicts themselves: two full sets of
    // 100,000 verdicts cost ~80 MB.
    let old = vault.verdict_digests()?;
    let collection = verdicts.iter().filter(|v| v.collection).count() as u64;
    let none = Verdict::default();
    // A message without a stored verdict (every new one) changes unless its verdict is the
    // default; only the others need a digest (one serialisation and hash each).
    let changed: Vec<(i64, Verdict)> = ids
        .iter()
        .zip(verdicts)
        .filter(|(id, v)| match old.get(id) {
            Some(d) => *d != crate::vault::verdict_digest(v),
            None => *v != none,
        })
        .map(|(id, v)| (*id, v))
        .collect();
    let version = rules.version();
    let same_version_ran = super::vault::rule_version(vault)?.as_deref() == Some(version.as_str());
    if always_record || !changed.is_empty() || !same_version_ran {
        vault.store_verdicts(&version, &changed)?;
    }
    Ok(StoredRun {
        collection,
        changed: changed.len() as u64,
        rule_version: version,
    })
}
