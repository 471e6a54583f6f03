//! The classifier: pure functions from messages, rule packs and settings to [`Verdict`]s.
//!
//! * [`RuleSet`] holds the compiled rule packs (bundled from `assets/rules/`, optionally
//!   overridden from a directory); [`RuleSet::version`] names the exact packs used.
//! * [`classify_batch`] decides, for a whole batch: collection or not (rule scores, hard
//!   negatives, sender history), the text labels with their [`Finding`]s, the creditor
//!   ([`creditor`]) and the time labels ([`time_patterns`]).
//! * [`call_findings`] reports call-log patterns per creditor and local day.
//!
//! No I/O (except reading pack files in [`RuleSet::with_overrides`]), no clock, no globals:
//! the same inputs always give the same verdicts.
//!
//! Units and invariants: every [`Finding`]'s `start`/`end` are character offsets into the
//! original body and its `text` is exactly that slice; a message that is not collection
//! (every outgoing message, every call) has no labels and no findings; labels are sorted
//! by id and unique.

pub mod bench;
pub mod creditor;
pub mod index;
pub mod model;
pub mod model_bench;
pub mod model_train;
pub mod normalize;
mod prefilter;
pub mod rules;
pub mod time_patterns;

use crate::error::ErrorKind;
use crate::model::{Direction, Finding, Instant, Kind, Label, Message, Verdict};
use chrono::NaiveTime;
use chrono_tz::Tz;
use normalize::{Normalized, Normalizer};
use rules::{Combined, Hit, Pack, Scratch, COLLECTION};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use time_patterns::{call_findings, CallFinding, CallRule};

/// The bundled packs: (file name, text). The collection pack comes first.
pub const BUNDLED: [(&str, &str); 6] = [
    (
        "collection.toml",
        include_str!("../../assets/rules/collection.toml"),
    ),
    (
        "threat.toml",
        include_str!("../../assets/rules/threat.toml"),
    ),
    (
        "insult.toml",
        include_str!("../../assets/rules/insult.toml"),
    ),
    (
        "third_party_disclosure.toml",
        include_str!("../../assets/rules/third_party_disclosure.toml"),
    ),
    (
        "impersonation.toml",
        include_str!("../../assets/rules/impersonation.toml"),
    ),
    (
        "deception.toml",
        include_str!("../../assets/rules/deception.toml"),
    ),
];

/// Rule-id suffix of a finding of the statistical model (`threat.model`).
pub const MODEL_SUFFIX: &str = ".model";

/// Default collection threshold when the collection pack names none.
pub const DEFAULT_THRESHOLD: i32 = 2;

/// What is wrong with one line of JSON Lines input.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineProblem {
    /// Not JSON; the (1-based) column where the parser gave up.
    NotJson {
        /// Column of the problem.
        column: usize,
    },
    /// Not UTF-8 text.
    NotUtf8,
    /// JSON, but not an object.
    NotObject,
    /// A required field is missing.
    Missing(&'static str),
    /// A field has a value of the wrong type or form.
    BadField(&'static str),
}

/// Errors of the classifier: rule packs, settings and classify input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pack file is not valid TOML or does not follow the schema.
    #[error("rule pack {file}: {reason} (line {line:?})")]
    PackSyntax {
        /// The pack file.
        file: String,
        /// Line of the problem, when known.
        line: Option<usize>,
        /// The parser's reason.
        reason: String,
    },
    /// A pack declares a schema version this build cannot read.
    #[error("rule pack {file}: schema {found} is not supported")]
    SchemaVersion {
        /// The pack file.
        file: String,
        /// The version it declares.
        found: u32,
    },
    /// A pack or example names a label that is not a contract text label.
    #[error("rule pack {file}: unknown label {label:?} (rule {rule:?})")]
    UnknownLabel {
        /// The pack file.
        file: String,
        /// The rule or example, if the problem is in one.
        rule: Option<String>,
        /// The label as written.
        label: String,
    },
    /// A rule id does not have the form `<label>.<slug>`.
    #[error("rule pack {file}: rule id {rule:?} must start with {label}.")]
    BadRuleId {
        /// The pack file.
        file: String,
        /// The id as written.
        rule: String,
        /// The pack's label.
        label: String,
    },
    /// Two rules share an id.
    #[error("rule pack {file}: rule {rule} is also defined in {other}")]
    DuplicateRule {
        /// The pack file.
        file: String,
        /// The id.
        rule: String,
        /// The other file.
        other: String,
    },
    /// A rule has neither keywords nor regexes.
    #[error("rule pack {file}: rule {rule} has no patterns")]
    EmptyRule {
        /// The pack file.
        file: String,
        /// The rule id.
        rule: String,
    },
    /// A regex does not compile, or exceeds the size limit.
    #[error("rule pack {file}: rule {rule}: bad regex {pattern:?}: {reason}")]
    BadRegex {
        /// The pack file.
        file: String,
        /// The rule id.
        rule: String,
        /// The pattern.
        pattern: String,
        /// The compiler's reason.
        reason: String,
    },
    /// No pack with label `collection` is loaded.
    #[error("no collection rule pack")]
    NoCollectionPack,
    /// The rule-pack directory cannot be read.
    #[error("cannot read rule packs in {path}: {source}")]
    RulesDir {
        /// The directory or file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A time setting (`--tz`, `--night`, `--max-per-day`) is malformed.
    #[error("bad value {value:?} for --{flag}")]
    BadSetting {
        /// The flag name without dashes.
        flag: &'static str,
        /// The value given.
        value: String,
    },
    /// The statistical model file is broken (see [`model::ModelError`]).
    #[error("label model: {0}")]
    Model(#[from] model::ModelError),
    /// One line of JSON Lines input cannot be used.
    #[error("line {line}: {problem:?}")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        problem: LineProblem,
    },
}

impl Error {
    /// The broad class of this error: everything here is bad input (a pack, a flag or a
    /// line the user supplied), except an unreadable rules directory.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::RulesDir { source, .. } if source.kind() != std::io::ErrorKind::NotFound => {
                ErrorKind::Other
            }
            _ => ErrorKind::BadInput,
        }
    }
}

/// Settings for the time labels. `Default` is the contract's: Asia/Shanghai,
/// 22:00–08:00, more than 3 per creditor and day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeSettings {
    /// Zone for local time and calendar days.
    pub zone: Tz,
    /// Night starts (inclusive), local time.
    pub night_start: NaiveTime,
    /// Night ends (exclusive), local time.
    pub night_end: NaiveTime,
    /// More than this many collection messages from one creditor on one local day is
    /// excessive.
    pub max_per_day: u32,
}

impl Default for TimeSettings {
    fn default() -> Self {
        TimeSettings {
            zone: crate::model::time::DEFAULT_ZONE,
            night_start: NaiveTime::from_hms_opt(22, 0, 0).expect("22:00 is a valid time"),
            night_end: NaiveTime::from_hms_opt(8, 0, 0).expect("08:00 is a valid time"),
            max_per_day: 3,
        }
    }
}

impl TimeSettings {
    /// Settings from the CLI's flag values; `None` keeps the default.
    ///
    /// # Errors
    /// [`Error::BadSetting`] naming the flag when a value is malformed (`--night` must be
    /// `HH:MM-HH:MM`; `--max-per-day` must be at least 1).
    pub fn from_flags(
        tz: Option<&str>,
        night: Option<&str>,
        max_per_day: Option<u32>,
    ) -> Result<Self, Error> {
        let mut s = TimeSettings::default();
        if let Some(z) = tz {
            s.zone = crate::model::time::parse_zone(z).map_err(|v| Error::BadSetting {
                flag: "tz",
                value: v,
            })?;
        }
        if let Some(n) = night {
            let bad = || Error::BadSetting {
                flag: "night",
                value: n.to_string(),
            };
            let (a, b) = n.split_once('-').ok_or_else(bad)?;
            s.night_start = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
            s.night_end = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| bad())?;
            if s.night_start == s.night_end {
                return Err(bad());
            }
        }
        if let Some(m) = max_per_day {
            if m == 0 {
                return Err(Error::BadSetting {
                    flag: "max-per-day",
                    value: m.to_string(),
                });
            }
            s.max_per_day = m;
        }
        Ok(s)
    }
}

/// One message (or call) to classify, borrowed from wherever it lives.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The text (empty for calls).
    pub body: &'a str,
    /// Sender (or, for outgoing records, recipient) address.
    pub address: &'a str,
    /// When, if known; without it no time label is given.
    pub instant: Option<&'a Instant>,
    /// Received or sent.
    pub direction: Direction,
    /// SMS, MMS or call.
    pub kind: Kind,
    /// Call duration in seconds (calls only; `Some(n)` with n > 0 means connected).
    pub duration_s: Option<u32>,
}

impl<'a> Input<'a> {
    /// The input for a stored or imported message.
    pub fn from_message(m: &'a Message) -> Self {
        Input {
            body: &m.body,
            address: &m.address,
            instant: Some(&m.instant),
            direction: m.direction,
            kind: m.kind,
            duration_s: m.duration_s,
        }
    }

    /// An incoming SMS without a timestamp (tests, examples, benchmarks).
    pub fn text(body: &'a str) -> Self {
        Input {
            body,
            address: "",
            instant: None,
            direction: Direction::In,
            kind: Kind::Sms,
            duration_s: None,
        }
    }
}

/// What a rule is for, for the evidence pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInfo {
    /// Rule id.
    pub id: String,
    /// Label it gives (`None` for collection rules).
    pub label: Option<Label>,
    /// Short explanation.
    pub why: String,
    /// Related legal provisions.
    pub law: Vec<String>,
}

/// Compiled rule packs and normalisation tables.
#[derive(Debug, Clone)]
pub struct RuleSet {
    packs: Vec<Pack>,
    matcher: Combined,
    threshold: i32,
    /// Normalised addresses (`model::normalize_address`) of official senders.
    official_senders: std::collections::HashSet<String>,
    normalizer: Normalizer,
    creditor: creditor::CreditorRules,
    version: String,
    /// The statistical recall component ([`model`]); shared, the table is read-only.
    model: Option<std::sync::Arc<model::Model>>,
}

impl RuleSet {
    /// The packs bundled with this build.
    ///
    /// # Errors
    /// Only if a bundled pack is broken (a test guards against that).
    pub fn bundled() -> Result<RuleSet, Error> {
        let sources: Vec<(String, String)> = BUNDLED
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        Ok(Self::from_sources(&sources, "bundled")?.with_model(Some(model::Model::bundled()?)))
    }

    /// The bundled packs plus every `*.toml` in `dir`: a file with the same name as a
    /// bundled pack replaces it, and a rule with the id of a bundled rule replaces that
    /// rule; everything else is added.
    ///
    /// # Errors
    /// [`Error::RulesDir`] when the directory cannot be read, or any pack error, naming
    /// the file and the rule.
    pub fn with_overrides(dir: &Path) -> Result<RuleSet, Error> {
        let rd = |e| Error::RulesDir {
            path: dir.to_path_buf(),
            source: e,
        };
        let mut extra: Vec<(String, String)> = Vec::new();
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(rd)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        entries.sort();
        for p in entries {
            let text = std::fs::read_to_string(&p).map_err(|e| Error::RulesDir {
                path: p.clone(),
                source: e,
            })?;
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            extra.push((name, text));
        }
        let mut sources: Vec<(String, String)> = BUNDLED
            .iter()
            .filter(|(f, _)| !extra.iter().any(|(n, _)| n == f))
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        let n_bundled = sources.len();
        sources.extend(extra);
        // Rules redefined by an added pack drop out of the bundled packs.
        let mut parsed = Vec::new();
        for (f, t) in &sources {
            parsed.push((f.clone(), rules::parse(f, t)?));
        }
        let added_ids: Vec<String> = parsed[n_bundled..]
            .iter()
            .flat_map(|(_, p)| p.rules.iter().map(|r| r.id.clone()))
            .collect();
        for (_, p) in parsed[..n_bundled].iter_mut() {
            p.rules.retain(|r| !added_ids.contains(&r.id));
        }
        Ok(Self::from_parsed(parsed, &sources, "custom")?
            .with_model(Some(model::Model::bundled()?)))
    }

    /// Builds a rule set from pack texts (file name, TOML).
    ///
    /// # Errors
    /// Any pack error, naming the file and the rule.
    pub fn from_sources(sources: &[(String, String)], origin: &str) -> Result<RuleSet, Error> {
        let mut parsed = Vec::new();
        for (f, t) in sources {
            parsed.push((f.clone(), rules::parse(f, t)?));
        }
        Self::from_parsed(parsed, sources, origin)
    }

    fn from_parsed(
        parsed: Vec<(String, rules::PackFile)>,
        sources: &[(String, String)],
        origin: &str,
    ) -> Result<RuleSet, Error> {
        let mut look = Vec::new();
        let mut subst = Vec::new();
        for (_, p) in &parsed {
            for l in &p.lookalikes {
                let mut f = l.from.chars();
                let mut t = l.to.chars();
                if let (Some(a), None, Some(b), None) = (f.next(), f.next(), t.next(), t.next()) {
                    look.push((a, b));
                }
            }
            for s in &p.substitutes {
                subst.push((s.from.clone(), s.to.clone()));
            }
        }
        let normalizer = Normalizer::new(&look, &subst);
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut packs = Vec::new();
        for ((f, p), (_, text)) in parsed.into_iter().zip(sources) {
            // The bundled packs, unchanged, are validated by the test suite; their single
            // regexes are compiled when first needed (see `rules::LazyRegex`).
            let trusted = BUNDLED
                .iter()
                .any(|(bf, bt)| *bf == f && *bt == text.as_str());
            for r in &p.rules {
                if let Some(other) = seen.insert(r.id.clone(), f.clone()) {
                    return Err(Error::DuplicateRule {
                        file: f.clone(),
                        rule: r.id.clone(),
                        other,
                    });
                }
            }
            for ex in &p.examples {
                for l in &ex.labels {
                    if Label::from_id(l).is_none_or(|l| l.is_time_label()) {
                        return Err(Error::UnknownLabel {
                            file: f.clone(),
                            rule: Some(format!("example {:?}", ex.body)),
                            label: l.clone(),
                        });
                    }
                }
            }
            packs.push(Pack::compile(&f, p, &normalizer, trusted)?);
        }
        let collection = packs
            .iter()
            .position(|p| p.def.label == COLLECTION)
            .ok_or(Error::NoCollectionPack)?;
        let cdef = packs[collection].def.creditor.clone().unwrap_or_default();
        let creditor = creditor::CreditorRules::compile(&packs[collection].file, &cdef)?;
        // Merge further collection packs' rules by keeping them as separate packs; only the
        // first decides the threshold and creditor patterns.
        let threshold = packs[collection].def.threshold.unwrap_or(DEFAULT_THRESHOLD);
        let official_senders = packs[collection]
            .def
            .official_senders
            .iter()
            .map(|a| crate::model::normalize_address(a))
            .collect();
        let mut h = Sha256::new();
        let mut sorted: Vec<&(String, String)> = sources.iter().collect();
        sorted.sort();
        for (f, t) in sorted {
            h.update(f.as_bytes());
            h.update([0]);
            h.update(t.as_bytes());
            h.update([0]);
        }
        let digest = hex::encode(h.finalize());
        let version = format!(
            "rules-v{}-{origin}-{}",
            rules::SCHEMA_VERSION,
            &digest[..12]
        );
        let matcher = Combined::compile(&packs, &cdef.regex)?;
        Ok(RuleSet {
            packs,
            matcher,
            threshold,
            official_senders,
            normalizer,
            creditor,
            version,
            model: None,
        })
    }

    /// This rule set with the statistical recall component `m` (or without one). The
    /// model's id is appended to [`RuleSet::version`], so a run records which model
    /// added findings.
    pub fn with_model(mut self, m: Option<model::Model>) -> RuleSet {
        if let Some(base) = self.version.split("-model-").next() {
            self.version = base.to_string();
        }
        if let Some(m) = &m {
            self.version = format!("{}-model-{}", self.version, m.id());
        }
        self.model = m.map(std::sync::Arc::new);
        self
    }

    /// The statistical recall component, if this rule set has one.
    pub fn model(&self) -> Option<&model::Model> {
        self.model.as_deref()
    }

    /// The version recorded with every classification run: schema, origin (`bundled` or
    /// `custom`) and a hash over every pack's name and text.
    pub fn version(&self) -> String {
        self.version.clone()
    }

    /// Whether `address` is an official service's number (the collection pack's
    /// `official_senders`): its messages are never collection.
    pub fn is_official(&self, address: &str) -> bool {
        !self.official_senders.is_empty()
            && self
                .official_senders
                .contains(&crate::model::normalize_address(address))
    }

    /// The compiled packs (for listing and documentation).
    pub fn packs(&self) -> &[Pack] {
        &self.packs
    }

    /// What a rule id means (for the evidence pack), if the rule exists.
    pub fn rule(&self, id: &str) -> Option<RuleInfo> {
        if let Some(label) = id
            .strip_suffix(MODEL_SUFFIX)
            .and_then(|l| Label::TEXT.into_iter().find(|t| t.id() == l))
        {
            return self.model.as_ref().map(|_| RuleInfo {
                id: id.to_string(),
                label: Some(label),
                why: crate::i18n::classify::model_finding_why(crate::i18n::Lang::En).to_string(),
                law: Vec::new(),
            });
        }
        self.packs
            .iter()
            .flat_map(|p| p.rules.iter())
            .find(|r| r.id == id)
            .map(|r| RuleInfo {
                id: r.id.clone(),
                label: r.label,
                why: r.why.clone(),
                law: r.law.clone(),
            })
    }

    /// Normalises a text as the matchers see it (for tests and debugging).
    pub fn normalize(&self, body: &str) -> Normalized {
        self.normalizer.normalize(body)
    }

    /// Text analysis of one body: score, hard-negative flag, label hits, names.
    fn analyse(&self, body: &str, scratch: &mut AnalyseScratch) -> TextAnalysis {
        let n = self.normalizer.normalize(body);
        let mut a = TextAnalysis::default();
        let sig = if body.contains('【') {
            creditor::signature_span(body)
        } else {
            None
        };
        if scratch.hits.len() != self.packs.len() {
            scratch.hits.resize_with(self.packs.len(), Vec::new);
        }
        self.matcher
            .hits(&self.packs, &n, &mut scratch.rules, &mut scratch.hits);
        for (pi, (pack, hits)) in self.packs.iter().zip(scratch.hits.iter_mut()).enumerate() {
            if hits.is_empty() {
                continue;
            }
            if let Some((ss, se)) = sig {
                hits.retain(|h| {
                    h.start == h.end
                        || n.original_span(h.start, h.end)
                            .is_none_or(|(s, e)| !(s >= ss && e <= se))
                });
            }
            scratch.scored.clear();
            for h in hits.iter() {
                let rule = &pack.rules[h.rule];
                if !scratch.scored.contains(&h.rule) {
                    scratch.scored.push(h.rule);
                    a.score += rule.score;
                    if rule.score < 0 {
                        a.negative = true;
                    }
                    if rule.score > 0 {
                        a.positive = true;
                    }
                }
                if pack.label.is_some() {
                    a.hits.push((pi, *h));
                }
            }
        }
        a.signature = creditor::signature(body);
        // Platform names are looked for only where collection is possible: capture
        // groups need the slow regex engine.
        if a.signature.is_none() && a.score >= 1 {
            a.platform = self
                .creditor
                .platform(&n, body, scratch.rules.extra_candidates());
        }
        // The label model scores every message that can still turn out to be collection
        // (clearly, or through sender history, which needs no hard negative and a score of
        // at least 0 — see `classify_batch`); its labels count only if it does. Scoring
        // here reuses the normalised text, so nothing is normalised twice.
        if let Some(m) = &self.model {
            if a.score >= self.threshold || (!a.negative && a.score >= 0) {
                a.model = m.above_threshold(&n.text);
            }
        }
        a.norm = if a.hits.is_empty() && !a.model.contains(&true) {
            None
        } else {
            Some(n)
        };
        a
    }
}

/// Buffers reused from message to message.
#[derive(Debug, Default)]
struct AnalyseScratch {
    rules: Scratch,
    hits: Vec<Vec<Hit>>,
    scored: Vec<usize>,
}

#[derive(Debug, Default)]
struct TextAnalysis {
    score: i32,
    negative: bool,
    positive: bool,
    hits: Vec<(usize, Hit)>,
    signature: Option<String>,
    platform: Option<String>,
    norm: Option<Normalized>,
    /// Text labels ([`Label::TEXT`] order) whose model probability reached the threshold.
    model: [bool; model::LABELS],
}

/// Classifies a batch: text labels, collection (with sender history), creditor, and time
/// labels over the whole batch. One verdict per input, in order.
pub fn classify_batch(rules: &RuleSet, inputs: &[Input], time: &TimeSettings) -> Vec<Verdict> {
    let mut scratch = AnalyseScratch::default();
    let analyses: Vec<Option<TextAnalysis>> = inputs
        .iter()
        .map(|i| (i.kind != Kind::Call).then(|| rules.analyse(i.body, &mut scratch)))
        .collect();
    let cred = creditor::resolve(rules, inputs, &analyses_view(&analyses));
    // Genuine official senders (the courts' 12368) are never collection; decided once per
    // message, since both passes below need it.
    let official: Vec<bool> = inputs
        .iter()
        .map(|i| i.direction == Direction::In && rules.is_official(i.address))
        .collect();
    // Pass 1: clear collection decisions; remember their senders.
    let mut collection: Vec<bool> = Vec::with_capacity(inputs.len());
    let mut collecting: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, inp) in inputs.iter().enumerate() {
        let c = match &analyses[i] {
            Some(a) if inp.direction == Direction::In && !official[i] => a.score >= rules.threshold,
            _ => false,
        };
        // An empty address says nothing about the sender (stateless `classify` input
        // often has none), so it never links messages.
        if c && !inp.address.trim().is_empty() {
            collecting.insert(cred.group[i].clone());
            collecting.insert(sender_key(inp.address));
        } else if c && cred.group[i].starts_with("sig:") {
            collecting.insert(cred.group[i].clone());
        }
        collection.push(c);
    }
    // Pass 2: sender history. Any message without a hard negative (a code, a receipt, an
    // advert …) from a sender who sends collection messages is collection too: a
    // collector's "人呢?" is part of the collection.
    for (i, inp) in inputs.iter().enumerate() {
        if collection[i] || inp.direction != Direction::In {
            continue;
        }
        if let Some(a) = &analyses[i] {
            // A signed sender is a platform gateway that also sends service notices, so
            // it needs some positive evidence; a private number needs none.
            let min = if a.signature.is_some() { 1 } else { 0 };
            let ambiguous = !a.negative && a.score >= min && !official[i];
            let known = !inp.address.trim().is_empty()
                && (collecting.contains(&cred.group[i])
                    || collecting.contains(&sender_key(inp.address)));
            let signed = cred.group[i].starts_with("sig:") && collecting.contains(&cred.group[i]);
            if ambiguous && (known || signed) {
                collection[i] = true;
            }
        }
    }
    let mut verdicts: Vec<Verdict> = Vec::with_capacity(inputs.len());
    for (i, inp) in inputs.iter().enumerate() {
        let mut v = Verdict {
            collection: collection[i],
            creditor: cred.name[i].clone(),
            ..Verdict::default()
        };
        if v.collection {
            if let Some(a) = &analyses[i] {
                v.findings = findings(rules, inp.body, a);
                for f in &v.findings {
                    v.labels.push(f.label);
                }
            }
        }
        verdicts.push(v);
    }
    time_patterns::apply(inputs, &cred.group, &mut verdicts, time);
    for v in &mut verdicts {
        v.labels.sort_by_key(|l| l.id());
        v.labels.dedup();
    }
    verdicts
}

fn analyses_view(a: &[Option<TextAnalysis>]) -> Vec<(Option<&str>, Option<&str>)> {
    a.iter()
        .map(|x| match x {
            Some(t) => (t.signature.as_deref(), t.platform.as_deref()),
            None => (None, None),
        })
        .collect()
}

/// The key of a sender address for history and grouping.
pub fn sender_key(address: &str) -> String {
    format!("addr:{}", crate::model::normalize_address(address))
}

/// Adds a `<label>.model` finding for every text label whose model probability reached
/// its threshold (`above`, from [`RuleSet::analyse`]) and that no rule finding in `out`
/// gives. Only reached through [`findings`], whose findings count only for collection
/// messages, so the model never makes a message collection and never removes a label.
fn model_findings(
    m: &model::Model,
    body: &str,
    n: &Normalized,
    above: &[bool; model::LABELS],
    out: &mut Vec<Finding>,
) {
    let mut added = false;
    for (l, label) in Label::TEXT.into_iter().enumerate() {
        if !above[l] || out.iter().any(|f| f.label == label) {
            continue;
        }
        let Some((s, e)) = m
            .best_window(&n.text, l)
            .and_then(|(s, e)| n.original_span(s, e))
        else {
            continue;
        };
        let text: String = body.chars().skip(s).take(e - s).collect();
        if text.is_empty() {
            continue;
        }
        out.push(Finding {
            label,
            rule: format!("{}{MODEL_SUFFIX}", label.id()),
            start: s,
            end: e,
            text,
        });
        added = true;
    }
    if added {
        out.sort_by(|x, y| (x.start, x.end, &x.rule).cmp(&(y.start, y.end, &y.rule)));
    }
}

/// Findings from the label hits, as original character spans; identical (rule, span)
/// pairs are reported once.
fn findings(rules: &RuleSet, body: &str, a: &TextAnalysis) -> Vec<Finding> {
    let Some(n) = &a.norm else {
        return Vec::new();
    };
    // Byte offset of every char of the original body, plus the end.
    let mut offs: Vec<usize> = body.char_indices().map(|(b, _)| b).collect();
    offs.push(body.len());
    let mut out: Vec<Finding> = Vec::new();
    for (pi, h) in &a.hits {
        let pack = &rules.packs[*pi];
        let rule = &pack.rules[h.rule];
        let Some(label) = rule.label else { continue };
        let Some((s, e)) = n.original_span(h.start, h.end) else {
            continue;
        };
        let (Some(&bs), Some(&be)) = (offs.get(s), offs.get(e)) else {
            continue;
        };
        if out
            .iter()
            .any(|f| f.rule == rule.id && f.start == s && f.end == e)
        {
            continue;
        }
        out.push(Finding {
            label,
            rule: rule.id.clone(),
            start: s,
            end: e,
            text: body[bs..be].to_string(),
        });
    }
    // A finding inside a longer finding of the same label adds nothing for the reader
    // (上门 inside 上门到你家): keep the longer one.
    let spans: Vec<(Label, usize, usize)> = out.iter().map(|f| (f.label, f.start, f.end)).collect();
    out.retain(|f| {
        !spans.iter().any(|&(l, s, e)| {
            l == f.label && s <= f.start && f.end <= e && (e - s) > (f.end - f.start)
        })
    });
    out.sort_by(|x, y| (x.start, x.end, &x.rule).cmp(&(y.start, y.end, &y.rule)));
    if let Some(m) = rules.model() {
        model_findings(m, body, n, &a.model, &mut out);
    }
    out
}

#[cfg(test)]
mod tests;
