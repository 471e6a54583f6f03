//! Classification use cases shared by the CLI and the app: stateless `classify` over
//! JSON Lines, `eval` against a labelled file, and loading rules and time settings from
//! flag values.
//!
//! JSON Lines input (../shared/contract/classify.md): `id` (string or number) and `body`
//! are required; `address` defaults to `""`; `ts` is RFC 3339 and optional; `direction` is
//! `in` (default) or `out`; unknown fields are ignored. Blank lines are skipped. Line
//! numbers in errors are 1-based and count every line, blank ones included.

use crate::classify::{self, classify_batch, Error as CError, Input, LineProblem, RuleSet};
use crate::model::{Direction, Finding, Instant, Kind, Label, Verdict};
use crate::Result;
use serde::Serialize;
use std::io::{BufRead, Write};
use std::path::Path;

pub use crate::classify::TimeSettings;

/// The bundled rule packs, plus `dir`'s packs when given (`--rules DIR`).
///
/// # Errors
/// A pack error naming the file and the rule, or an unreadable directory.
pub fn load_rules(dir: Option<&Path>) -> Result<RuleSet> {
    Ok(match dir {
        Some(d) => RuleSet::with_overrides(d)?,
        None => RuleSet::bundled()?,
    })
}

/// Time settings from `--tz`, `--night` and `--max-per-day` (each optional).
///
/// # Errors
/// A malformed value, naming the flag.
pub fn time_settings(
    tz: Option<&str>,
    night: Option<&str>,
    max_per_day: Option<u32>,
) -> Result<TimeSettings> {
    Ok(TimeSettings::from_flags(tz, night, max_per_day)?)
}

/// One parsed input line.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line number.
    pub line: usize,
    /// The `id` exactly as given (string or number), echoed in the output.
    pub id: serde_json::Value,
    /// Sender address.
    pub address: String,
    /// The text.
    pub body: String,
    /// When, if given.
    pub instant: Option<Instant>,
    /// In or out.
    pub direction: Direction,
    /// Gold collection decision (labelled files only).
    pub gold_collection: Option<bool>,
    /// Gold labels (labelled files only).
    pub gold_labels: Vec<Label>,
}

impl Record {
    /// The classifier input for this record.
    pub fn input(&self) -> Input<'_> {
        Input {
            body: &self.body,
            address: &self.address,
            instant: self.instant.as_ref(),
            direction: self.direction,
            kind: Kind::Sms,
            duration_s: None,
        }
    }
}

fn bad(line: usize, problem: LineProblem) -> crate::Error {
    CError::BadLine { line, problem }.into()
}

/// Parses one line (already known not to be blank).
fn parse_line(line: usize, text: &str, labelled: bool) -> Result<Record> {
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| bad(line, LineProblem::NotJson { column: e.column() }))?;
    let obj = v
        .as_object()
        .ok_or_else(|| bad(line, LineProblem::NotObject))?;
    let id = match obj.get("id") {
        None | Some(serde_json::Value::Null) => return Err(bad(line, LineProblem::Missing("id"))),
        Some(v @ (serde_json::Value::String(_) | serde_json::Value::Number(_))) => v.clone(),
        Some(_) => return Err(bad(line, LineProblem::BadField("id"))),
    };
    let body = match obj.get("body") {
        None | Some(serde_json::Value::Null) => {
            return Err(bad(line, LineProblem::Missing("body")))
        }
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(_) => return Err(bad(line, LineProblem::BadField("body"))),
    };
    let address = match obj.get("address") {
        None | Some(serde_json::Value::Null) => String::new(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => return Err(bad(line, LineProblem::BadField("address"))),
    };
    let instant = match obj.get("ts") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => None,
        Some(serde_json::Value::String(s)) => {
            Some(Instant::parse_rfc3339(s).map_err(|_| bad(line, LineProblem::BadField("ts")))?)
        }
        Some(_) => return Err(bad(line, LineProblem::BadField("ts"))),
    };
    let direction = match obj.get("direction") {
        None | Some(serde_json::Value::Null) => Direction::In,
        Some(serde_json::Value::String(s)) if s == "in" => Direction::In,
        Some(serde_json::Value::String(s)) if s == "out" => Direction::Out,
        Some(_) => return Err(bad(line, LineProblem::BadField("direction"))),
    };
    let mut rec = Record {
        line,
        id,
        address,
        body,
        instant,
        direction,
        gold_collection: None,
        gold_labels: Vec::new(),
    };
    if labelled {
        rec.gold_collection = Some(
            obj.get("collection")
                .ok_or_else(|| bad(line, LineProblem::Missing("collection")))?
                .as_bool()
                .ok_or_else(|| bad(line, LineProblem::BadField("collection")))?,
        );
        let labels = obj
            .get("labels")
            .and_then(|l| l.as_array())
            .ok_or_else(|| bad(line, LineProblem::Missing("labels")))?;
        for l in labels {
            let l = l
                .as_str()
                .and_then(Label::from_id)
                .ok_or_else(|| bad(line, LineProblem::BadField("labels")))?;
            rec.gold_labels.push(l);
        }
    }
    Ok(rec)
}

/// Reads JSON Lines (classify input; with `labelled`, also gold `collection` and
/// `labels`). Reads everything first: time labels and sender history span the input.
///
/// # Errors
/// The first unusable line, with its number; I/O errors as [`crate::Error::Io`].
pub fn read_records(mut reader: impl BufRead, labelled: bool, name: &Path) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    let mut buf = Vec::new();
    let mut line = 0usize;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| crate::Error::io(name, e))?;
        if n == 0 {
            break;
        }
        line += 1;
        let text = std::str::from_utf8(&buf).map_err(|_| bad(line, LineProblem::NotUtf8))?;
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        out.push(parse_line(line, text, labelled)?);
    }
    Ok(out)
}

/// Classifies records as one batch.
pub fn classify_records(rules: &RuleSet, records: &[Record], time: &TimeSettings) -> Vec<Verdict> {
    let inputs: Vec<Input> = records.iter().map(Record::input).collect();
    classify_batch(rules, &inputs, time)
}

/// One output line of `quzheng classify`, fields in contract order.
#[derive(Debug, Serialize)]
pub struct OutputLine<'a> {
    /// The input's id, as given.
    pub id: &'a serde_json::Value,
    /// Collection or not.
    pub collection: bool,
    /// Sorted, unique label ids.
    pub labels: &'a [Label],
    /// Creditor display name or null.
    pub creditor: &'a Option<String>,
    /// Findings with character spans into the body.
    pub findings: &'a [Finding],
}

/// Writes one contract output line per record (`id`, `collection`, `labels`, `creditor`,
/// `findings`), in order.
fn write_lines(
    records: &[Record],
    verdicts: &[Verdict],
    w: &mut impl Write,
) -> std::io::Result<()> {
    for (r, v) in records.iter().zip(verdicts) {
        let line = OutputLine {
            id: &r.id,
            collection: v.collection,
            labels: &v.labels,
            creditor: &v.creditor,
            findings: &v.findings,
        };
        serde_json::to_writer(&mut *w, &line)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// `quzheng classify`: JSON Lines in, JSON Lines out, same order.
///
/// # Errors
/// An unusable input line (with its number) or an I/O error.
pub fn classify_jsonl(
    reader: impl BufRead,
    mut writer: impl Write,
    rules: &RuleSet,
    time: &TimeSettings,
) -> Result<usize> {
    let stdin = Path::new("-");
    let records = read_records(reader, false, stdin)?;
    let verdicts = classify_records(rules, &records, time);
    write_lines(&records, &verdicts, &mut writer).map_err(|e| crate::Error::io("-", e))?;
    writer.flush().map_err(|e| crate::Error::io("-", e))?;
    Ok(records.len())
}

/// Counts for one label (or for collection).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// True positives.
    pub tp: u32,
    /// False positives.
    pub fp: u32,
    /// False negatives.
    pub fn_: u32,
}

impl Counts {
    fn add(&mut self, gold: bool, pred: bool) {
        match (gold, pred) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            _ => {}
        }
    }
    /// Precision (1.0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fp)
        }
    }
    /// Recall (1.0 when there was nothing to find).
    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(self.tp + self.fn_)
        }
    }
    /// F1 (1.0 when there was nothing to find and nothing was predicted).
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// Gold positives.
    pub fn support(&self) -> u32 {
        self.tp + self.fn_
    }
}

/// One message the classifier got wrong (for tuning; never printed by default).
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    /// Line number in the file.
    pub line: usize,
    /// Gold collection and labels.
    pub gold: (bool, Vec<Label>),
    /// Predicted collection and text labels.
    pub got: (bool, Vec<Label>),
}

/// Result of `quzheng eval`.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Messages evaluated.
    pub messages: usize,
    /// Per text label, in contract order.
    pub labels: Vec<(Label, Counts)>,
    /// The collection decision.
    pub collection: Counts,
    /// Mean F1 over the five text labels.
    pub macro_f1: f64,
    /// Gold non-collection messages that were given any label.
    pub labels_on_non_collection: usize,
    /// Findings whose `text` is not the `start..end` slice of the body (must be 0).
    pub bad_spans: usize,
    /// The messages with any difference.
    pub misses: Vec<Miss>,
}

/// Evaluates the classifier on labelled records (text labels and collection; time
/// labels are ignored on both sides).
pub fn evaluate(rules: &RuleSet, records: &[Record]) -> EvalReport {
    let verdicts = classify_records(rules, records, &TimeSettings::default());
    let mut labels: Vec<(Label, Counts)> = Label::TEXT
        .iter()
        .map(|l| (*l, Counts::default()))
        .collect();
    let mut collection = Counts::default();
    let mut labels_on_non_collection = 0;
    let mut bad_spans = 0;
    let mut misses = Vec::new();
    for (r, v) in records.iter().zip(&verdicts) {
        let gold_c = r.gold_collection.unwrap_or(false);
        collection.add(gold_c, v.collection);
        let got: Vec<Label> = v
            .labels
            .iter()
            .copied()
            .filter(|l| !l.is_time_label())
            .collect();
        let mut gold: Vec<Label> = r
            .gold_labels
            .iter()
            .copied()
            .filter(|l| !l.is_time_label())
            .collect();
        gold.sort_by_key(|l| l.id());
        for (l, c) in labels.iter_mut() {
            c.add(gold.contains(l), got.contains(l));
        }
        if !gold_c && !got.is_empty() {
            labels_on_non_collection += 1;
        }
        for f in &v.findings {
            let slice: String = r
                .body
                .chars()
                .skip(f.start)
                .take(f.end.saturating_sub(f.start))
                .collect();
            if slice != f.text || f.end <= f.start {
                bad_spans += 1;
            }
        }
        if gold_c != v.collection || gold != got {
            misses.push(Miss {
                line: r.line,
                gold: (gold_c, gold),
                got: (v.collection, got),
            });
        }
    }
    let macro_f1 = labels.iter().map(|(_, c)| c.f1()).sum::<f64>() / labels.len() as f64;
    EvalReport {
        messages: records.len(),
        labels,
        collection,
        macro_f1,
        labels_on_non_collection,
        bad_spans,
        misses,
    }
}

/// `quzheng eval FILE`: reads and evaluates a labelled JSON Lines file.
///
/// # Errors
/// The file cannot be read, or a line is unusable (with its number).
pub fn eval_file(path: &Path, rules: &RuleSet) -> Result<EvalReport> {
    let f = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
    let records = read_records(std::io::BufReader::new(f), true, path)?;
    Ok(evaluate(rules, &records))
}

/// `quzheng train-model`: trains the label model on labelled JSON Lines files (each file
/// classified as one batch, like `eval`) and returns it with its cross-validation report.
///
/// # Errors
/// A file cannot be read, or a line is unusable (with its number).
pub fn train_model(
    files: &[std::path::PathBuf],
    rules: &RuleSet,
    opts: &classify::model_train::Options,
) -> Result<classify::model_train::Trained> {
    let mut all = Vec::new();
    for path in files {
        let f = std::fs::File::open(path).map_err(|e| crate::Error::io(path, e))?;
        all.push(read_records(std::io::BufReader::new(f), true, path)?);
    }
    let batches: Vec<classify::model_train::Batch> = all
        .iter()
        .map(|recs| classify::model_train::Batch {
            inputs: recs.iter().map(Record::input).collect(),
            gold: recs
                .iter()
                .map(|r| (r.gold_collection.unwrap_or(false), r.gold_labels.clone()))
                .collect(),
        })
        .collect();
    Ok(classify::model_train::train(rules, &batches, opts))
}

/// The label model's line of `quzheng bench classify` (`None` without a model).
///
/// # Errors
/// Only if the bundled packs or model fail to load.
pub fn bench_model(n: usize, corpus: &str) -> Result<Option<classify::model_bench::ModelBench>> {
    Ok(classify::model_bench::run(n, corpus)?)
}

/// Runs the classifier benchmark; `corpus` is JSON Lines whose `body` fields are the
/// varied text.
///
/// # Errors
/// Only if the bundled packs fail to load.
pub fn bench(n: usize, corpus: &str) -> Result<classify::bench::BenchReport> {
    Ok(classify::bench::run(n, corpus)?)
}

/// Where the time of one `quzheng classify` run goes, milliseconds of thread CPU time
/// (wall time where not measurable), measured in-process on the same code path.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ClassifyProfile {
    /// Input lines classified.
    pub messages: usize,
    /// Loading the bundled packs.
    pub load_ms: f64,
    /// Reading and parsing the JSON Lines.
    pub read_ms: f64,
    /// Classifying the batch (first use: lazily compiled regexes included).
    pub classify_ms: f64,
    /// Writing the output JSON Lines (to memory).
    pub write_ms: f64,
    /// Output bytes.
    pub output_bytes: usize,
}

impl ClassifyProfile {
    /// The sum of the stages.
    pub fn total_ms(&self) -> f64 {
        self.load_ms + self.read_ms + self.classify_ms + self.write_ms
    }
}

/// Profiles `quzheng classify` over `jsonl` stage by stage (as [`classify_jsonl`] does
/// it, with the output kept in memory).
///
/// # Errors
/// Packs that fail to load or an unusable input line.
pub fn profile_classify(jsonl: &str) -> Result<ClassifyProfile> {
    let clock = crate::measure::ThreadTimer::start;
    let ms = |t: crate::measure::ThreadTimer| t.stop().0 * 1000.0;
    let mut p = ClassifyProfile::default();
    let t = clock();
    let rules = load_rules(None)?;
    p.load_ms = ms(t);
    let time = TimeSettings::default();
    let t = clock();
    let records = read_records(jsonl.as_bytes(), false, Path::new("-"))?;
    p.read_ms = ms(t);
    p.messages = records.len();
    let t = clock();
    let verdicts = classify_records(&rules, &records, &time);
    p.classify_ms = ms(t);
    let t = clock();
    let mut out: Vec<u8> = Vec::with_capacity(jsonl.len());
    write_lines(&records, &verdicts, &mut out).map_err(|e| crate::Error::io("-", e))?;
    p.write_ms = ms(t);
    p.output_bytes = out.len();
    Ok(p)
}

// ---- vault use cases: reclassify, correct, creditors ------------------------------------

use crate::vault::{Correction, Vault};

/// What a classification run over the vault did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VaultRun {
    /// Messages (and calls) in the vault.
    pub messages: u64,
    /// Collection messages after the run (before corrections).
    pub collection: u64,
    /// Verdicts that changed and were stored.
    pub changed: u64,
    /// The rule-pack version recorded with the run.
    pub rule_version: String,
    /// Call-log findings (more than 3 connected calls per creditor and day, more than 6
    /// attempts per number and day).
    pub calls: Vec<classify::CallFinding>,
}

/// Time settings from the vault's settings (zone, night window, max per day).
///
/// # Errors
/// A stored setting that does not parse (named like the flag it mirrors).
pub fn vault_time_settings(vault: &Vault) -> Result<TimeSettings> {
    let s = vault.settings()?;
    time_settings(Some(&s.zone), Some(&s.night), Some(s.max_per_day))
}

/// Classifies every message of the vault as one batch (time labels and sender history
/// span the vault) and stores the verdicts that changed as one classification run with `rules.version()`.
/// Corrections are stored beside verdicts and are never touched, so they survive.
///
/// # Errors
/// A vault failure.
pub fn classify_vault(vault: &mut Vault, rules: &RuleSet) -> Result<VaultRun> {
    classify_vault_recording(vault, rules, true)
}

/// [`classify_vault`]; with `always_record` false, a run that changes nothing under a rule
/// version that already ran is not recorded again (so re-importing adds nothing).
pub(crate) fn classify_vault_recording(
    vault: &mut Vault,
    rules: &RuleSet,
    always_record: bool,
) -> Result<VaultRun> {
    let time = vault_time_settings(vault)?;
    // Only what the classifier reads of each message (a third of a full message).
    let kept = super::import::kept_all(vault)?;
    let inputs: Vec<Input> = kept.iter().map(|k| k.input()).collect();
    // Creditor names are stored as the classifier found them; renames and merges are
    // applied when messages are listed (`api::vault::effective_messages`).
    let verdicts = classify_batch(rules, &inputs, &time);
    let calls = classify::call_findings(rules, &inputs, &verdicts, &time);
    let ids: Vec<i64> = kept.iter().map(|k| k.id).collect();
    drop(inputs);
    drop(kept);
    let messages = ids.len() as u64;
    let run = super::import::store_changed(vault, rules, &ids, verdicts, always_record)?;
    Ok(VaultRun {
        messages,
        collection: run.collection,
        changed: run.changed,
        rule_version: run.rule_version,
        calls,
    })
}

/// `quzheng reclassify`: opens the vault and re-runs classification.
///
/// # Errors
/// Wrong passphrase, rule-pack or vault failure.
pub fn reclassify(path: &Path, passphrase: &str, rules_dir: Option<&Path>) -> Result<VaultRun> {
    let rules = load_rules(rules_dir)?;
    let mut vault = super::vault::open(path, passphrase)?;
    classify_vault(&mut vault, &rules)
}

/// Parses label ids given on the command line.
///
/// # Errors
/// [`crate::Error::BadInput`] (`label`) naming the first unknown id.
pub fn parse_labels(ids: &[String]) -> Result<Vec<Label>> {
    ids.iter()
        .map(|s| {
            Label::from_id(s.trim()).ok_or_else(|| crate::Error::bad_input("label", s.clone()))
        })
        .collect()
}

/// `quzheng correct ID --add L --remove L --note N`: stores a correction beside the
/// message's verdict (encrypted, in the hash chain). `at` is the correction time.
///
/// # Errors
/// Unknown message id or label, nothing to change, wrong passphrase, vault failure.
pub fn correct(
    path: &Path,
    passphrase: &str,
    id: &str,
    add: &[String],
    remove: &[String],
    note: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Verdict> {
    let msg_id: i64 = id
        .trim()
        .parse()
        .map_err(|_| crate::Error::bad_input("message_id", id))?;
    let add = parse_labels(add)?;
    let remove = parse_labels(remove)?;
    if add.is_empty() && remove.is_empty() {
        return Err(crate::Error::bad_input("correct_nothing", id));
    }
    if let Some(l) = add.iter().find(|l| remove.contains(l)) {
        return Err(crate::Error::bad_input("label", l.id()));
    }
    let mut vault = super::vault::open(path, passphrase)?;
    correct_in(
        &mut vault,
        msg_id,
        Correction {
            add,
            remove,
            note: note.to_string(),
            at,
        },
    )?;
    let m = vault
        .messages()?
        .into_iter()
        .find(|m| m.id == msg_id)
        .ok_or_else(|| crate::Error::bad_input("message_id", id))?;
    Ok(m.effective())
}

/// Stores `correction` of message `msg_id` in an already open vault (the app's use case:
/// it keeps the vault open, not the passphrase). A note alone is a correction too (the
/// CLI's `correct` asks for a label change before calling this).
///
/// # Errors
/// Nothing to store (no label change and an empty note: `correct_nothing`), a label both
/// added and removed (`label`), an unknown message id, vault failure.
pub fn correct_in(vault: &mut Vault, msg_id: i64, correction: Correction) -> Result<()> {
    let c = &correction;
    if c.add.is_empty() && c.remove.is_empty() && c.note.trim().is_empty() {
        return Err(crate::Error::bad_input(
            "correct_nothing",
            msg_id.to_string(),
        ));
    }
    if let Some(l) = c.add.iter().find(|l| c.remove.contains(l)) {
        return Err(crate::Error::bad_input("label", l.id()));
    }
    vault.add_correction(msg_id, correction)?;
    Ok(())
}

/// One creditor as listed by `quzheng creditors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreditorRow {
    /// Display name (after renames and merges).
    pub name: String,
    /// Collection messages (after corrections).
    pub messages: u64,
    /// Sender addresses seen with it.
    pub addresses: Vec<String>,
    /// Names merged or renamed into it.
    pub aliases: Vec<String>,
}

/// Creditors of the vault with their collection-message counts, most messages first.
///
/// # Errors
/// A vault failure.
pub fn creditors(vault: &Vault) -> Result<Vec<CreditorRow>> {
    let aliases = vault.creditor_aliases()?;
    let mut rows: std::collections::BTreeMap<String, CreditorRow> = Default::default();
    for m in vault.messages()? {
        let v = m.effective();
        let Some(c) = v.creditor else { continue };
        let name = aliases.get(&c).cloned().unwrap_or(c);
        let row = rows.entry(name.clone()).or_insert_with(|| CreditorRow {
            name,
            messages: 0,
            addresses: Vec::new(),
            aliases: Vec::new(),
        });
        if v.collection {
            row.messages += 1;
        }
        if !m.message.address.is_empty() && !row.addresses.contains(&m.message.address) {
            row.addresses.push(m.message.address.clone());
        }
    }
    for (from, to) in &aliases {
        if let Some(r) = rows.get_mut(to) {
            r.aliases.push(from.clone());
        }
    }
    let mut out: Vec<CreditorRow> = rows.into_values().collect();
    out.sort_by(|a, b| b.messages.cmp(&a.messages).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// `quzheng creditors --rename FROM TO` (`merge = false`) or `--merge FROM INTO`
/// (`merge = true`), recorded as an event in the vault's chain; listings show the new
/// name from then on. Returns the new list.
///
/// # Errors
/// An empty name, wrong passphrase, vault failure.
pub fn alias_creditor(
    path: &Path,
    passphrase: &str,
    from: &str,
    to: &str,
    merge: bool,
) -> Result<Vec<CreditorRow>> {
    let (from, to) = (from.trim(), to.trim());
    if from.is_empty() || to.is_empty() {
        return Err(crate::Error::bad_input(
            "creditor",
            format!("{from:?} {to:?}"),
        ));
    }
    let mut vault = super::vault::open(path, passphrase)?;
    alias_creditor_in(&mut vault, from, to, merge)?;
    creditors(&vault)
}

/// Renames (`merge = false`) or merges (`merge = true`) creditor `from` into `to` in an
/// already open vault, recorded as an event in its chain (the app's use case).
///
/// # Errors
/// An empty name (`creditor`), vault failure.
pub fn alias_creditor_in(vault: &mut Vault, from: &str, to: &str, merge: bool) -> Result<()> {
    let (from, to) = (from.trim(), to.trim());
    if from.is_empty() || to.is_empty() {
        return Err(crate::Error::bad_input(
            "creditor",
            format!("{from:?} {to:?}"),
        ));
    }
    if merge {
        vault.merge_creditor(from, to)?;
    } else {
        vault.set_creditor_alias(from, to)?;
    }
    Ok(())
}

/// `quzheng creditors` without flags.
///
/// # Errors
/// Wrong passphrase, vault failure.
pub fn list_creditors(path: &Path, passphrase: &str) -> Result<Vec<CreditorRow>> {
    let vault = super::vault::open(path, passphrase)?;
    creditors(&vault)
}
