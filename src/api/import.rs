//! The import use case: for each file, read it ([`crate::import::read`]), store its original
//! bytes and every new message in one vault transaction, commit; then store the verdicts
//! that changed as one classification run.
//!
//! One file = one transaction: a fatal problem with a file (not this format, unreadable,
//! killed process) leaves the vault exactly as before that file; files before it stay
//! imported. Running the same import again stores nothing twice (dedup by the keyed
//! fingerprint) and completes whatever an interrupted run did not.
//!
//! Classification is incremental and gives exactly what re-classifying the whole vault
//! gives (`quzheng reclassify`; tested with several files in several orders): each new
//! message's text is analysed once, as it streams from the reader to the writer, into a
//! compact [`BatchIndex`] (a few dozen bytes per message, never its body), and its text
//! facts are sealed into its record, so a later import reads them back instead of
//! analysing the stored messages again (unless other rule packs are in use). The
//! batch-wide decisions — sender history, creditor by signature, night contact and
//! excessive frequency per creditor and local day — are then made over the index of the
//! whole vault, and verdicts are built one at a time and compared with the stored ones.
//!
//! Threads per file: the caller's reads and decides duplicates, a classifier analyses, a
//! writer seals and stores; bounded queues (8,192 messages each, in
//! batches of 256) join them.

use crate::classify::index::{BatchIndex, TextFacts};
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
            cpu: crate::measure::process_cpu_seconds(false),
        }
    }

    /// Ends the current phase under `name` and starts the next one.
    fn mark(&mut self, name: impl Into<String>) {
        let cpu = crate::measure::process_cpu_seconds(false);
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

/// One admitted message with its dedup index and, once the classifier has seen it, its
/// text facts.
type Item = ([u8; 32], Message, Option<TextFacts>);

/// Messages per queue item: one thread wake-up per batch rather than per message (with
/// single messages `perf` showed ~5 % of the CPU in futex wake-ups and task switches).
const BATCH: usize = 256;

/// What the reading thread tells the classifying thread, and that thread the writer.
enum ToWriter {
    /// Store these admitted messages, in order.
    Add(Vec<Item>),
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

/// Message ids in index order, kept as runs of consecutive ids: an import's ids are
/// consecutive, so a whole vault is usually one run — next to nothing instead of 8 bytes
/// per message (22 MB for a 1 GB backup).
#[derive(Debug, Default)]
struct Ids {
    /// (index of the run's first message, its id).
    runs: Vec<(usize, i64)>,
    len: usize,
    /// An id of 0 was pushed (a message another writer stored meanwhile).
    has_zero: bool,
}

impl Ids {
    fn push(&mut self, id: i64) {
        match self.runs.last() {
            Some(&(start, first)) if first != 0 && id == first + (self.len - start) as i64 => {}
            _ => self.runs.push((self.len, id)),
        }
        self.has_zero |= id == 0;
        self.len += 1;
    }

    /// The id at index `i` (0 when out of range).
    fn get(&self, i: usize) -> i64 {
        if i >= self.len {
            return 0;
        }
        let r = self.runs.partition_point(|&(start, _)| start <= i);
        match r.checked_sub(1).and_then(|r| self.runs.get(r)) {
            Some(&(start, first)) if first != 0 => first + (i - start) as i64,
            _ => 0,
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn extend_from(&mut self, other: &Ids) {
        for (k, &(start, first)) in other.runs.iter().enumerate() {
            let end = other.runs.get(k + 1).map_or(other.len, |r| r.0);
            for j in 0..end - start {
                self.push(if first == 0 { 0 } else { first + j as i64 });
            }
        }
    }
}

/// What storing one file's messages did.
struct StoreOut {
    /// The id each admitted message got, in order (0: stored meanwhile by another writer,
    /// so not stored again).
    ids: Ids,
    /// Messages stored.
    added: u64,
    /// Duplicates (before and under the write lock).
    dups: u64,
}

/// Batches queued between the reading, classifying and writing threads (8,192 messages).
/// Deep enough that the writer storing the original file first (~0.15 s for 39 MB) does
/// not stall the classifier, small enough (a few MB of messages) not to matter for memory.
const QUEUE: usize = 8192 / BATCH;

/// Imports `files` into the vault at `vault_path`: unlocks (or creates) it, then
/// [`import_files_into`].
///
/// # Errors
/// Only for the vault itself (missing without `create`, wrong passphrase, damaged, storage
/// failure) or a bad `--rules` folder; a file that cannot be imported is reported in its
/// [`FileOutcome`].
pub fn import_files(
    vault_path: &Path,
    passphrase: &str,
    files: &[PathBuf],
    opts: &ImportOptions,
    on_progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportOutcome> {
    let mut ph = Phases::start();
    let creating = opts.create && !vault_path.exists();
    let (rules, vault) = if creating {
        // Rule packs first: a bad `--rules` folder is refused before a vault is created.
        let rules = super::classify::load_rules(opts.rules.as_deref())?;
        (
            rules,
            super::vault::open_or_create(vault_path, passphrase, true),
        )
    } else {
        // Loading the packs (~40 ms) overlaps the Argon2id unlock (~150 ms).
        std::thread::scope(|s| {
            let rules = s.spawn(|| super::classify::load_rules(opts.rules.as_deref()));
            let vault = super::vault::open(vault_path, passphrase);
            let rules = rules
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            rules.map(|r| (r, vault))
        })?
    };
    let mut vault = vault?;
    ph.mark("unlock vault (Argon2id; rule packs load meanwhile)");
    import_with(&mut vault, &rules, files, opts.format, on_progress, ph)
}

/// Imports `files` into an open vault (the desktop app keeps one open instead of the
/// passphrase). Each file is one transaction; afterwards the verdicts that changed are
/// stored as one classification run (see the module docs). `opts.create` is not used.
///
/// # Errors
/// Only for the vault itself (damaged, storage failure) or a bad `--rules` folder; a file
/// that cannot be imported is reported in its [`FileOutcome`].
pub fn import_files_into(
    vault: &mut Vault,
    files: &[PathBuf],
    opts: &ImportOptions,
    on_progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportOutcome> {
    let mut ph = Phases::start();
    let rules = super::classify::load_rules(opts.rules.as_deref())?;
    ph.mark("load rule packs");
    import_with(vault, &rules, files, opts.format, on_progress, ph)
}

fn import_with(
    vault: &mut Vault,
    rules: &crate::classify::RuleSet,
    files: &[PathBuf],
    format: Format,
    on_progress: &mut dyn FnMut(ImportProgress),
    mut ph: Phases,
) -> Result<ImportOutcome> {
    let time = time_settings(vault)?;
    // Compact facts of every message of the vault after this run, in id order, with ids:
    // the stored ones first, from the text facts stored with them (their texts are
    // analysed again only when other rule packs found those, or none were stored), then
    // each file's new ones as they stream past.
    let mut index = BatchIndex::new();
    let mut ids = Ids::default();
    vault.for_each_message_with(|id, m, facts: Option<TextFacts>| {
        let inp = crate::classify::Input::from_message(&m);
        index.push_analysed(rules, &time, &inp, facts.as_ref());
        ids.push(id);
    })?;
    ph.mark("facts of the stored messages");
    let mut outcomes = Vec::with_capacity(files.len());
    let mut raced = false;
    for (i, path) in files.iter().enumerate() {
        let mut p = |within: Progress| {
            on_progress(ImportProgress {
                file_index: i,
                files: files.len(),
                within,
            })
        };
        let job = FileJob {
            rules,
            time: &time,
            index: &mut index,
            ids: &mut ids,
        };
        let (outcome, r) = import_one(vault, path, format, &mut p, job, &mut ph)?;
        outcomes.push(outcome);
        raced |= r;
    }
    let run = if raced {
        // Another writer stored some of these messages meanwhile: the index does not
        // describe the vault, so classify it afresh.
        drop(index);
        let run = super::classify::classify_vault_recording(vault, rules, false)?;
        StoredRun {
            collection: run.collection,
            changed: run.changed,
            rule_version: run.rule_version,
        }
    } else {
        store_decided(vault, rules, &time, &index, &ids, &mut ph)?
    };
    ph.mark("store changed verdicts (one classification run)");
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

/// Decides every message of `index` (ids in `ids`) and stores the verdicts that differ
/// from the stored ones as one classification run — one verdict built at a time.
fn store_decided(
    vault: &mut Vault,
    rules: &crate::classify::RuleSet,
    time: &crate::classify::TimeSettings,
    index: &BatchIndex,
    ids: &Ids,
    ph: &mut Phases,
) -> Result<StoredRun> {
    let d = index.decide(rules, time);
    ph.mark(format!(
        "decide (index of {} messages, {} findings: {:.1} MB)",
        index.len(),
        index.findings_len(),
        index.heap_bytes() as f64 / 1e6
    ));
    // One id per fact, by construction (facts of a rolled-back file are truncated away).
    debug_assert_eq!(d.len(), ids.len());
    let n = d.len().min(ids.len());
    // Digests of the stored verdicts only (a new message has none).
    let old = vault.verdict_digests()?;
    // Indexes (u32: 4 bytes per changed verdict) of the verdicts to store.
    let changed: Vec<u32> = (0..n as u32)
        .filter(|&i| match old.get(&ids.get(i as usize)) {
            Some(dg) => *dg != crate::vault::verdict_digest(&d.verdict(i as usize)),
            None => !d.is_default(i as usize),
        })
        .collect();
    drop(old);
    let collection = (0..n).filter(|&i| d.is_collection(i)).count() as u64;
    let version = rules.version();
    let same_version_ran = super::vault::rule_version(vault)?.as_deref() == Some(version.as_str());
    if !changed.is_empty() || !same_version_ran {
        let mut it = changed.iter().map(|&i| {
            let i = i as usize;
            (ids.get(i), std::borrow::Cow::Owned(d.verdict(i)))
        });
        vault.store_verdicts_from(&version, changed.len(), &mut it)?;
    }
    Ok(StoredRun {
        collection,
        changed: changed.len() as u64,
        rule_version: version,
    })
}

/// What one file's import adds to: the classifier, and the compact facts and ids of the
/// vault's messages so far.
struct FileJob<'a> {
    rules: &'a crate::classify::RuleSet,
    time: &'a crate::classify::TimeSettings,
    index: &'a mut BatchIndex,
    ids: &'a mut Ids,
}

/// Imports one file in one transaction. Vault failures are `Err`; problems with the file
/// are returned in the outcome (its transaction rolled back, its facts dropped from the
/// index). The messages it stores are analysed into `job.index` with their ids. Returns
/// true when another writer stored some of its messages meanwhile (then the index no
/// longer describes the vault).
fn import_one(
    vault: &mut Vault,
    path: &Path,
    format: Format,
    on_progress: &mut dyn FnMut(Progress),
    job: FileJob<'_>,
    ph: &mut Phases,
) -> Result<(FileOutcome, bool)> {
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
                return Ok((outcome, false));
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
                return Ok((outcome, false));
            }
        }
    };
    // Three threads, joined by small queues so messages never pile up in memory:
    // * this one reads the file and decides duplicates against a snapshot of the stored
    //   dedup indexes (and the file's earlier messages);
    // * a classifier analyses each new message's text into the compact index;
    // * a writer holds the file's one transaction: the original's chunks, then the
    //   messages as they arrive, then the import event. It commits only when told so
    //   after a complete read; otherwise (a file that fails to read, a thread gone) it
    //   rolls everything back. If another writer stored messages since the snapshot, the
    //   transaction decides duplicates again exactly; an id of 0 then marks a message it
    //   did not store, and the caller classifies the vault afresh.
    let mut snapshot = vault.dedup_snapshot()?;
    let mut seen = std::mem::take(&mut snapshot.indexes);
    let dedup_key = vault.dedup_key();
    let (to_classifier, classifier_queue) = std::sync::mpsc::sync_channel::<ToWriter>(QUEUE);
    let (to_writer, writer_queue) = std::sync::mpsc::sync_channel::<ToWriter>(QUEUE);
    let index_len = job.index.len();
    let snap_ref = &snapshot;
    let writer_fn =
        move |vault: &mut Vault| -> std::result::Result<Option<StoreOut>, crate::vault::Error> {
            let mut tx = vault.begin_import_after(meta, &mut original, snap_ref)?;
            // The reader and the classifier keep the other core busy.
            tx.seal_on_this_thread();
            let none = Verdict::default();
            let mut ids = Ids::default();
            for msg in writer_queue {
                match msg {
                    ToWriter::Add(batch) => {
                        for (fp, m, facts) in batch {
                            if tx.admit_index(fp) {
                                ids.push(tx.store_admitted_with(fp, &m, &none, facts.as_ref())?);
                            } else {
                                ids.push(0);
                            }
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
    let FileJob {
        rules,
        time,
        index,
        ids: all_ids,
    } = job;
    let ix = &mut *index;
    let classifier_fn = move || {
        let cpu = crate::measure::thread_cpu_seconds();
        for mut msg in classifier_queue {
            if let ToWriter::Add(batch) = &mut msg {
                for (_, m, facts) in batch.iter_mut() {
                    let inp = crate::classify::Input::from_message(m);
                    *facts = ix.analyse(rules, &inp);
                    ix.push_analysed(rules, time, &inp, facts.as_ref());
                }
            }
            if to_writer.send(msg).is_err() {
                // The writer failed; its error is reported by the caller.
                break;
            }
        }
        crate::measure::thread_cpu_seconds()
            .zip(cpu)
            .map(|(b, a)| b - a)
    };
    let mut duplicates = 0u64;
    let mut batch: Vec<Item> = Vec::with_capacity(BATCH);
    let mut report = None;
    let mut read_error = None;
    let stored = std::thread::scope(|s| {
        let writer = s.spawn(|| writer_fn(vault));
        let classifier = s.spawn(classifier_fn);
        let read = import::read(
            path,
            format,
            &mut |m| {
                let fp = dedup_key.index(&m);
                if seen.insert(crate::vault::DedupSnapshot::short(&fp)) {
                    batch.push((fp, m, None));
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        // A closed queue means the writer failed; its error is reported
                        // below.
                        to_classifier
                            .send(ToWriter::Add(full))
                            .map_err(|_| Error::bad_input("vault_writer", String::new()))?;
                    }
                } else {
                    duplicates += 1;
                }
                Ok(())
            },
            on_progress,
        );
        // The snapshot is not needed any more; free it before the verdicts are built.
        drop(std::mem::take(&mut seen));
        match read {
            Ok(r) => {
                let summary = summary_json(&r);
                let rest = std::mem::take(&mut batch);
                let _ = to_classifier.send(ToWriter::Add(rest));
                let _ = to_classifier.send(ToWriter::Commit(summary, duplicates));
                report = Some(r);
            }
            Err(e) => read_error = Some(e),
        }
        drop(to_classifier);
        ph.mark(format!(
            "read {} (classifier and writer at work meanwhile)",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        // A panic while classifying or storing is passed on as if it had happened here.
        let classifier_cpu = classifier
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        ph.mark("classifier: rest of the file");
        ph.list.push(Phase {
            name: "  (CPU of the classifier thread alone, whole file)".into(),
            wall_s: 0.0,
            cpu_s: classifier_cpu,
        });
        let r = writer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        ph.mark("writer: rest of the messages + commit");
        r
    });
    let stored = match stored {
        Ok(Some(s)) => s,
        // Rolled back after a failed read: nothing of this file is in the vault.
        Ok(None) => {
            index.truncate(index_len);
            outcome.error = read_error;
            return Ok((outcome, false));
        }
        Err(e) if e.kind() == crate::ErrorKind::BadInput => {
            index.truncate(index_len);
            outcome.error = Some(e.into());
            return Ok((outcome, false));
        }
        Err(e) => return Err(e.into()),
    };
    outcome.imported = stored.added;
    outcome.duplicates = stored.dups;
    outcome.report = report;
    let raced = stored.ids.has_zero;
    all_ids.extend_from(&stored.ids);
    Ok((outcome, raced))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Label;
    use crate::vault::KdfParams;
    use std::collections::HashMap;

    /// Writes the labelled corpus as `parts` JSONL files, message i into file i % parts,
    /// with a few shared addresses and times 12 minutes apart, so sender history, shared
    /// signatures and per-day counts span the files. Some lines are outgoing, some calls.
    fn corpus_files(dir: &Path, parts: usize) -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
        let addrs = [
            "10690001",
            "13800138000",
            "+86 138 0013 8000",
            "95588",
            "10690002",
        ];
        let mut out: Vec<String> = vec![String::new(); parts];
        let mut n = 0i64;
        for f in ["dev.jsonl", "test.jsonl"] {
            let text = std::fs::read_to_string(root.join(f)).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let body = v["body"].as_str().unwrap_or_default();
                let t = crate::model::Instant::from_unix_ms(1_767_225_600_000 + n * 720_000)
                    .unwrap()
                    .rfc3339_in(chrono_tz::Asia::Shanghai);
                let mut rec = serde_json::json!({
                    "id": n, "body": body, "address": addrs[(n % 5) as usize], "ts": t,
                });
                if n % 13 == 0 {
                    rec["direction"] = "out".into();
                }
                if n % 19 == 0 {
                    rec["kind"] = "call".into();
                    rec["body"] = "".into();
                    rec["duration_s"] = (n % 4).into();
                }
                let part = &mut out[(n as usize) % parts];
                part.push_str(&rec.to_string());
                part.push('\n');
                n += 1;
            }
        }
        out.iter()
            .enumerate()
            .map(|(i, text)| {
                let p = dir.join(format!("part{i}.jsonl"));
                std::fs::write(&p, text).unwrap();
                p
            })
            .collect()
    }

    #[test]
    fn ids_are_kept_as_runs() {
        let mut ids = Ids::default();
        for id in [1, 2, 3, 7, 8, 0, 0, 9, 10] {
            ids.push(id);
        }
        assert_eq!(ids.runs.len(), 5);
        let got: Vec<i64> = (0..ids.len()).map(|i| ids.get(i)).collect();
        assert_eq!(got, [1, 2, 3, 7, 8, 0, 0, 9, 10]);
        assert!(ids.has_zero);
        let mut more = Ids::default();
        more.push(4);
        more.extend_from(&ids);
        assert_eq!(more.get(1), 1);
        assert_eq!(more.get(9), 10);
        assert_eq!(more.get(10), 0);
        assert_eq!(more.len(), 10);
    }

    /// Messages in the corpus files [`corpus_files`] writes.
    fn corpus_len() -> usize {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
        ["dev.jsonl", "test.jsonl"]
            .iter()
            .map(|f| {
                std::fs::read_to_string(root.join(f))
                    .unwrap()
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .count()
            })
            .sum()
    }

    /// Effective verdict per message fingerprint (ids differ between import orders).
    fn verdicts_by_fingerprint(vault: &Vault) -> HashMap<[u8; 32], Verdict> {
        vault
            .messages()
            .unwrap()
            .into_iter()
            .map(|m| (m.message.fingerprint(), m.effective()))
            .collect()
    }

    // See: issue 3 — classifying only what an import adds must give what re-classifying
    // the whole vault gives, whatever the order and grouping of the files.
    #[test]
    fn imports_in_any_order_and_grouping_equal_a_full_reclassification() {
        let dir = tempfile::tempdir().unwrap();
        let mut files = corpus_files(dir.path(), 3);
        // An SB&R backup and a copy of its first half (every message a duplicate).
        let sbr = dir.path().join("sms.xml");
        crate::import::bench::generate_sbr(&sbr, 800, 5, true).unwrap();
        let half = dir.path().join("sms-half.xml");
        crate::import::bench::generate_sbr(&half, 400, 5, false).unwrap();
        files.push(sbr);
        files.push(half);
        let f = |i: usize| files[i].clone();
        let runs: Vec<Vec<Vec<PathBuf>>> = vec![
            vec![vec![f(0), f(1), f(2), f(3), f(4)]],
            vec![vec![f(2)], vec![f(4), f(0)], vec![f(1), f(3)]],
            vec![
                vec![f(1)],
                vec![f(2)],
                vec![f(3)],
                vec![f(0)],
                vec![f(4)],
                vec![f(2)],
            ],
        ];
        let rules = crate::classify::RuleSet::bundled().unwrap();
        let opts = ImportOptions {
            format: Format::Auto,
            create: false,
            rules: None,
        };
        let mut first: Option<HashMap<[u8; 32], Verdict>> = None;
        for (k, run) in runs.iter().enumerate() {
            let path = dir.path().join(format!("v{k}.qz"));
            let mut vault = Vault::create_with(&path, "pw", KdfParams::FAST_FOR_TESTS).unwrap();
            for files in run {
                let out = import_files_into(&mut vault, files, &opts, &mut |_| {}).unwrap();
                assert!(out.files.iter().all(|f| f.error.is_none()));
            }
            let got = verdicts_by_fingerprint(&vault);
            // A full re-classification (`quzheng reclassify`) changes nothing …
            let again = super::super::classify::classify_vault(&mut vault, &rules).unwrap();
            assert_eq!(again.changed, 0, "run {k}");
            assert_eq!(verdicts_by_fingerprint(&vault), got, "run {k}");
            // … and every order gives the same verdicts.
            match &first {
                None => first = Some(got),
                Some(want) => assert_eq!(&got, want, "run {k}"),
            }
        }
        let want = first.unwrap();
        assert_eq!(want.len(), corpus_len() + 800);
        // The comparison is not vacuous: every kind of verdict occurs.
        let has = |l: Label| want.values().any(|v| v.labels.contains(&l));
        for l in [
            Label::Threat,
            Label::NightContact,
            Label::ExcessiveFrequency,
        ] {
            assert!(has(l), "{l:?}");
        }
        assert!(want.values().any(|v| !v.collection && v.creditor.is_some()));
    }

    #[test]
    fn a_failed_file_leaves_no_facts_behind() {
        let dir = tempfile::tempdir().unwrap();
        let files = corpus_files(dir.path(), 2);
        // Complete records first, then nesting too deep to accept: a fatal error after
        // messages were already analysed and queued.
        let bad = dir.path().join("bad.xml");
        crate::import::bench::generate_sbr(&bad, 300, 9, true).unwrap();
        let mut text = std::fs::read_to_string(&bad).unwrap();
        text.truncate(text.rfind("</smses>").unwrap());
        text.push_str(&"<x>".repeat(crate::import::limits::MAX_DEPTH + 10));
        std::fs::write(&bad, text).unwrap();
        let opts = ImportOptions {
            format: Format::Auto,
            create: false,
            rules: None,
        };
        let path = dir.path().join("v.qz");
        let mut vault = Vault::create_with(&path, "pw", KdfParams::FAST_FOR_TESTS).unwrap();
        let list = [files[0].clone(), bad, files[1].clone()];
        let out = import_files_into(&mut vault, &list, &opts, &mut |_| {}).unwrap();
        assert!(out.files[0].error.is_none() && out.files[2].error.is_none());
        assert!(out.files[1].error.is_some());
        assert_eq!(out.total as usize, corpus_len());
        let rules = crate::classify::RuleSet::bundled().unwrap();
        let again = super::super::classify::classify_vault(&mut vault, &rules).unwrap();
        assert_eq!(again.changed, 0);
    }
}
