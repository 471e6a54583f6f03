//! [`classify_batch`](super::classify_batch) in two stages, so a batch can be classified
//! while it streams past and without keeping its messages.
//!
//! * [`BatchIndex::push`] analyses one message's text at once (the expensive part, about
//!   4–6 µs of CPU per SMS) and keeps only compact facts about it: flags from the rule
//!   scores, the interned normalised address, 【signature】 and platform name, the local
//!   day and night flag, and its findings as interned ids. About 20 bytes per message plus
//!   8 per finding,
//!   never its body or number in plain form beyond the interned distinct values.
//! * [`BatchIndex::decide`] then makes the batch-wide decisions exactly as
//!   `classify_batch` does — creditor by signature and by the signatures an address was
//!   seen with, collection by score and sender history, night contact and excessive
//!   frequency per creditor group and local day — from those facts alone, and
//!   [`Decisions::verdict`] builds one [`Verdict`] at a time, so a caller never needs every
//!   verdict in memory at once.
//!
//! Invariant (tested against `classify_batch` in `tests`): for the same inputs, rules and
//! settings, `decide` + `verdict` give exactly `classify_batch`'s verdicts, in order.

use super::{time_patterns, Input, RuleSet, TimeSettings};
use crate::model::{Direction, Finding, Kind, Label, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// What the text analysis found in one message: independent of the rest of the batch and
/// of the time settings, so it can be stored with the message (inside its sealed record)
/// and pushed again by a later import without analysing the text again
/// ([`BatchIndex::push_analysed`]). Valid only for the rule packs named in `rules`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextFacts {
    /// The rule-pack version ([`RuleSet::version`]) that found them.
    pub rules: String,
    /// Sum of the scores of the collection rules that matched.
    pub score: i32,
    /// A hard-negative rule (a code, a receipt, an advert …) matched.
    #[serde(default, skip_serializing_if = "is_false")]
    pub negative: bool,
    /// The first 【signature】 of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// A platform name found in the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The findings, for incoming messages (only those can be collection).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Distinct strings, each stored once and named by a `u32`.
#[derive(Debug, Default)]
struct Interner {
    ids: HashMap<Box<str>, u32>,
    names: Vec<Box<str>>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.into());
        self.ids.insert(s.into(), i);
        i
    }

    fn name(&self, id: u32) -> &str {
        self.names.get(id as usize).map_or("", |s| s)
    }
}

/// "No value" for an interned id.
const NONE: u32 = u32::MAX;

/// Fact flags of one message.
const ANALYSED: u8 = 1; // not a call: the text was analysed
const INCOMING: u8 = 2; // direction in
const CLEAR: u8 = 4; // score >= threshold (incoming, analysed)
const AMBIGUOUS0: u8 = 8; // no hard negative and score >= 0
const AMBIGUOUS1: u8 = 16; // no hard negative and score >= 1
const BLANK_ADDRESS: u8 = 32; // the address is empty after trimming
const NIGHT: u8 = 64; // local time inside the night window

/// What the batch-wide decisions need of one message: 20 bytes.
#[derive(Debug, Clone, Copy)]
struct Fact {
    /// Interned `normalize_address(address)`.
    addr: u32,
    /// Interned own 【signature】, or [`NONE`].
    sig: u32,
    /// Interned platform name found in the text, or [`NONE`].
    platform: u32,
    /// Index of its first finding in [`BatchIndex::findings`]; the next fact's is the end.
    findings: u32,
    /// Flags in the low 8 bits; above them the local day + 1 (0: no instant), or
    /// [`FAR_DAY`] when the day does not fit and sits in [`BatchIndex::far_days`].
    day_flags: u32,
}

/// The day field of [`Fact::day_flags`] for a day outside 0..2²⁴−2 days from the Common
/// Era (a timestamp that is surely wrong, but judged exactly like any other).
const FAR_DAY: u32 = (1 << 24) - 1;

impl Fact {
    fn flags(&self) -> u8 {
        (self.day_flags & 0xff) as u8
    }
}

/// A finding: its (label, rule, text) interned as one key, and where it starts (its end
/// is the start plus the text's length in characters, as every finding's text is the
/// `start..end` slice of the body). 8 bytes.
#[derive(Debug, Clone, Copy)]
struct CompactFinding {
    key: u32,
    start: u32,
}

/// What [`CompactFinding::key`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct FindingKey {
    label: Label,
    rule: u32,
    text: u32,
    chars: u32,
}

/// The compact facts of a batch of messages, in the order they were pushed.
#[derive(Debug, Default)]
pub struct BatchIndex {
    facts: Vec<Fact>,
    findings: Vec<CompactFinding>,
    keys: Vec<FindingKey>,
    key_ids: HashMap<FindingKey, u32>,
    /// Days of facts whose day field is [`FAR_DAY`], by fact index.
    far_days: HashMap<usize, i32>,
    strings: Interner,
    scratch: super::AnalyseScratch,
}

/// A creditor group ("the same creditor" of the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Group {
    /// `sig:<signature>`.
    Sig(u32),
    /// `addr:<normalised address>`.
    Addr(u32),
}

impl BatchIndex {
    /// An empty index.
    pub fn new() -> BatchIndex {
        BatchIndex::default()
    }

    /// Messages pushed so far.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    /// Bytes of facts, findings and interned strings in use (what the import keeps per
    /// message instead of the message; allocations may be up to twice that until used).
    pub fn heap_bytes(&self) -> usize {
        let strings: usize = self.strings.names.iter().map(|s| 2 * s.len() + 48).sum();
        self.facts.len() * std::mem::size_of::<Fact>()
            + self.findings.len() * std::mem::size_of::<CompactFinding>()
            + self.keys.len() * (2 * std::mem::size_of::<FindingKey>() + 8)
            + strings
    }

    /// Findings kept (of incoming messages, collection or not yet).
    pub fn findings_len(&self) -> usize {
        self.findings.len()
    }

    /// True when nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// Forgets every message pushed after the first `n` (a file whose import was rolled
    /// back). Interned strings stay; they are only names.
    pub fn truncate(&mut self, n: usize) {
        if let Some(f) = self.facts.get(n) {
            self.findings.truncate(f.findings as usize);
            self.facts.truncate(n);
            self.far_days.retain(|&i, _| i < n);
        }
    }

    /// Analyses one message and appends its facts.
    pub fn push(&mut self, rules: &RuleSet, time: &TimeSettings, inp: &Input<'_>) {
        let facts = self.analyse(rules, inp);
        self.push_analysed(rules, time, inp, facts.as_ref());
    }

    /// The text facts of one message (`None` for a call, whose text is not analysed).
    pub fn analyse(&mut self, rules: &RuleSet, inp: &Input<'_>) -> Option<TextFacts> {
        if inp.kind == Kind::Call {
            return None;
        }
        let a = rules.analyse(inp.body, &mut self.scratch);
        // Findings only count for collection messages, and only incoming ones can be.
        let findings = if inp.direction == Direction::In && a.norm.is_some() {
            super::findings(rules, inp.body, &a)
        } else {
            Vec::new()
        };
        Some(TextFacts {
            rules: rules.version.clone(),
            score: a.score,
            negative: a.negative,
            signature: a.signature,
            platform: a.platform,
            findings,
        })
    }

    /// Appends one message's facts, given its text facts from [`BatchIndex::analyse`]
    /// (possibly stored with it by an earlier import). Facts found by other rule packs,
    /// or missing ones for a message that is not a call, are found again here.
    pub fn push_analysed(
        &mut self,
        rules: &RuleSet,
        time: &TimeSettings,
        inp: &Input<'_>,
        facts: Option<&TextFacts>,
    ) {
        let fresh;
        let facts = match facts {
            Some(f) if f.rules == rules.version && inp.kind != Kind::Call => Some(f),
            _ if inp.kind == Kind::Call => None,
            _ => {
                fresh = self.analyse(rules, inp);
                fresh.as_ref()
            }
        };
        let mut flags = 0u8;
        let (mut sig, mut platform) = (NONE, NONE);
        let first_finding = self.findings.len() as u32;
        if inp.direction == Direction::In {
            flags |= INCOMING;
        }
        if inp.address.trim().is_empty() {
            flags |= BLANK_ADDRESS;
        }
        if let Some(a) = facts {
            flags |= ANALYSED;
            // An official sender (12368) is never collection: neither clearly nor
            // through sender history (as in `classify_batch`).
            let official = rules.is_official(inp.address);
            if inp.direction == Direction::In && a.score >= rules.threshold && !official {
                flags |= CLEAR;
            }
            if !a.negative && a.score >= 0 && !official {
                flags |= AMBIGUOUS0;
            }
            if !a.negative && a.score >= 1 && !official {
                flags |= AMBIGUOUS1;
            }
            if let Some(s) = &a.signature {
                sig = self.strings.id(s);
            }
            if let Some(p) = &a.platform {
                platform = self.strings.id(p);
            }
            if inp.direction == Direction::In {
                for f in &a.findings {
                    let k = FindingKey {
                        label: f.label,
                        rule: self.strings.id(&f.rule),
                        text: self.strings.id(&f.text),
                        chars: f.end.saturating_sub(f.start) as u32,
                    };
                    let next = self.keys.len() as u32;
                    let key = *self.key_ids.entry(k).or_insert(next);
                    if key == next {
                        self.keys.push(k);
                    }
                    self.findings.push(CompactFinding {
                        key,
                        start: f.start as u32,
                    });
                }
            }
        }
        let mut day_field = 0u32;
        if let Some(instant) = inp.instant {
            let local = instant.local(time.zone);
            let day = chrono::Datelike::num_days_from_ce(&local.date_naive());
            day_field = match u32::try_from(day) {
                Ok(d) if d < FAR_DAY - 1 => d + 1,
                _ => {
                    self.far_days.insert(self.facts.len(), day);
                    FAR_DAY
                }
            };
            if time_patterns::is_night(local.time(), time) {
                flags |= NIGHT;
            }
        }
        let addr = self
            .strings
            .id(&crate::model::normalize_address(inp.address));
        self.facts.push(Fact {
            addr,
            sig,
            platform,
            findings: first_finding,
            day_flags: (day_field << 8) | u32::from(flags),
        });
    }

    /// The batch-wide decisions over every message pushed (see the module docs).
    pub fn decide(&self, rules: &RuleSet, time: &TimeSettings) -> Decisions<'_> {
        let n = self.facts.len();
        // Which signatures each number was seen with: none, exactly one, or several.
        #[derive(Clone, Copy, PartialEq)]
        enum Seen {
            One(u32),
            Several,
        }
        let mut by_addr: HashMap<u32, Seen> = HashMap::new();
        for f in &self.facts {
            if f.sig != NONE && f.flags() & BLANK_ADDRESS == 0 {
                by_addr
                    .entry(f.addr)
                    .and_modify(|s| {
                        if *s != Seen::One(f.sig) {
                            *s = Seen::Several;
                        }
                    })
                    .or_insert(Seen::One(f.sig));
            }
        }
        let mut organ: HashMap<u32, bool> = HashMap::new();
        let mut is_organ = |s: u32| -> bool {
            *organ
                .entry(s)
                .or_insert_with(|| rules.creditor.is_state_organ(self.strings.name(s)))
        };
        let empty_addr = self.strings.ids.get("").copied();
        let mut name = Vec::with_capacity(n);
        let mut group = Vec::with_capacity(n);
        for f in &self.facts {
            let (nm, g) = if f.sig != NONE {
                ((!is_organ(f.sig)).then_some(f.sig), Group::Sig(f.sig))
            } else {
                let only = match by_addr.get(&f.addr) {
                    Some(Seen::One(s)) if Some(f.addr) != empty_addr => Some(*s),
                    _ => None,
                };
                match (only, f.platform) {
                    (Some(s), _) => ((!is_organ(s)).then_some(s), Group::Sig(s)),
                    (None, p) if p != NONE => (Some(p), Group::Addr(f.addr)),
                    (None, _) => (None, Group::Addr(f.addr)),
                }
            };
            name.push(nm.unwrap_or(NONE));
            group.push(g);
        }
        // Pass 1: clear collection decisions; remember their senders.
        let mut collection: Vec<bool> = Vec::with_capacity(n);
        let mut collecting: HashSet<Group> = HashSet::new();
        for (i, f) in self.facts.iter().enumerate() {
            let c = f.flags() & CLEAR != 0;
            if c && f.flags() & BLANK_ADDRESS == 0 {
                collecting.insert(group[i]);
                collecting.insert(Group::Addr(f.addr));
            } else if c && matches!(group[i], Group::Sig(_)) {
                collecting.insert(group[i]);
            }
            collection.push(c);
        }
        // Pass 2: sender history (see `classify_batch`).
        for (i, f) in self.facts.iter().enumerate() {
            if collection[i] || f.flags() & INCOMING == 0 || f.flags() & ANALYSED == 0 {
                continue;
            }
            let ambiguous = if f.sig != NONE {
                f.flags() & AMBIGUOUS1 != 0
            } else {
                f.flags() & AMBIGUOUS0 != 0
            };
            let known = f.flags() & BLANK_ADDRESS == 0
                && (collecting.contains(&group[i]) || collecting.contains(&Group::Addr(f.addr)));
            let signed = matches!(group[i], Group::Sig(_)) && collecting.contains(&group[i]);
            if ambiguous && (known || signed) {
                collection[i] = true;
            }
        }
        // Time labels per collection message.
        let day = |i: usize, f: &Fact| -> Option<i32> {
            match f.day_flags >> 8 {
                0 => None,
                FAR_DAY => self.far_days.get(&i).copied(),
                d => Some(d as i32 - 1),
            }
        };
        let mut night = vec![false; n];
        let mut per_day: HashMap<(Group, i32), u32> = HashMap::new();
        for (i, f) in self.facts.iter().enumerate() {
            if !collection[i] {
                continue;
            }
            let Some(d) = day(i, f) else { continue };
            night[i] = f.flags() & NIGHT != 0;
            *per_day.entry((group[i], d)).or_default() += 1;
        }
        let excessive: Vec<bool> = self
            .facts
            .iter()
            .enumerate()
            .map(|(i, f)| {
                collection[i]
                    && day(i, f).is_some_and(|d| {
                        per_day
                            .get(&(group[i], d))
                            .is_some_and(|&c| c > time.max_per_day)
                    })
            })
            .collect();
        Decisions {
            index: self,
            collection,
            name,
            night,
            excessive,
        }
    }
}

/// The decisions of [`BatchIndex::decide`]; [`Decisions::verdict`] builds verdicts from them.
#[derive(Debug)]
pub struct Decisions<'a> {
    index: &'a BatchIndex,
    collection: Vec<bool>,
    name: Vec<u32>,
    night: Vec<bool>,
    excessive: Vec<bool>,
}

impl Decisions<'_> {
    /// Number of messages decided.
    pub fn len(&self) -> usize {
        self.collection.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.collection.is_empty()
    }

    /// Whether message `i` (in push order) is collection.
    pub fn is_collection(&self, i: usize) -> bool {
        self.collection.get(i).copied().unwrap_or(false)
    }

    /// True when message `i`'s verdict is the default one (not collection, no creditor),
    /// without building it.
    pub fn is_default(&self, i: usize) -> bool {
        !self.is_collection(i) && self.name.get(i).is_none_or(|&n| n == NONE)
    }

    /// The verdict of message `i` (in push order), exactly as `classify_batch` gives it;
    /// the default verdict for an index out of range.
    pub fn verdict(&self, i: usize) -> Verdict {
        let ix = self.index;
        let Some(f) = ix.facts.get(i) else {
            return Verdict::default();
        };
        let mut v = Verdict {
            collection: self.collection[i],
            creditor: (self.name[i] != NONE).then(|| ix.strings.name(self.name[i]).to_string()),
            ..Verdict::default()
        };
        if v.collection {
            let end = ix
                .facts
                .get(i + 1)
                .map_or(ix.findings.len(), |n| n.findings as usize);
            for c in ix
                .findings
                .get(f.findings as usize..end)
                .unwrap_or_default()
            {
                let Some(k) = ix.keys.get(c.key as usize) else {
                    continue;
                };
                v.findings.push(Finding {
                    label: k.label,
                    rule: ix.strings.name(k.rule).to_string(),
                    start: c.start as usize,
                    end: (c.start + k.chars) as usize,
                    text: ix.strings.name(k.text).to_string(),
                });
                v.labels.push(k.label);
            }
            if self.night[i] {
                v.labels.push(Label::NightContact);
            }
            if self.excessive[i] {
                v.labels.push(Label::ExcessiveFrequency);
            }
        }
        v.labels.sort_by_key(|l| l.id());
        v.labels.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Instant, Message};

    /// Every verdict of the index equals `classify_batch`'s on the same batch.
    fn same_as_batch(msgs: &[Message], time: &TimeSettings) {
        let rules = RuleSet::bundled().unwrap();
        let inputs: Vec<Input> = msgs.iter().map(Input::from_message).collect();
        let want = super::super::classify_batch(&rules, &inputs, time);
        let mut ix = BatchIndex::new();
        for i in &inputs {
            ix.push(&rules, time, i);
        }
        let d = ix.decide(&rules, time);
        assert_eq!(d.len(), want.len());
        for (i, w) in want.iter().enumerate() {
            assert_eq!(&d.verdict(i), w, "message {i}");
            assert_eq!(d.is_default(i), *w == Verdict::default(), "message {i}");
        }
    }

    fn corpus_messages() -> Vec<Message> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
        let mut out = Vec::new();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        // Addresses and times are reused across messages on purpose, so sender history,
        // shared signatures and per-day counts all come into play.
        let addrs = [
            "10690001",
            "13800138000",
            "+86 138 0013 8000",
            "",
            "95588",
            "10690002",
        ];
        let mut n = 0i64;
        for p in files {
            let text = std::fs::read_to_string(&p).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let Some(body) = v.get("body").and_then(|b| b.as_str()) else {
                    continue;
                };
                // Every 101st at a day before the Common Era, which the compact day field
                // cannot hold: judged like any other.
                let ms = if n % 101 == 0 {
                    -62_300_000_000_000 + (n % 7) * 3_600_000
                } else {
                    1_767_225_600_000 + n * 3_600_000 / 5
                };
                let t = Instant::from_unix_ms(ms).unwrap();
                let mut m = Message::sms(addrs[(n % 6) as usize], body, t);
                if n % 11 == 0 {
                    m.direction = Direction::Out;
                }
                if n % 17 == 0 {
                    m.kind = Kind::Call;
                    m.body.clear();
                    m.duration_s = Some((n % 3) as u32);
                }
                out.push(m);
                n += 1;
            }
        }
        out
    }

    #[test]
    fn equals_classify_batch_on_the_corpus() {
        let msgs = corpus_messages();
        assert!(msgs.len() > 1000);
        same_as_batch(&msgs, &TimeSettings::default());
        let tight = TimeSettings::from_flags(Some("UTC"), Some("09:00-17:00"), Some(1)).unwrap();
        same_as_batch(&msgs, &tight);
    }

    #[test]
    fn equals_classify_batch_on_the_benchmark_generator() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("b.xml");
        crate::import::bench::generate_sbr(&p, 3000, 3, true).unwrap();
        let (msgs, _) = crate::import::testutil::run(&p, crate::import::Format::Sbr);
        same_as_batch(&msgs, &TimeSettings::default());
    }

    #[test]
    fn stored_text_facts_give_the_same_verdicts_and_other_rules_are_not_trusted() {
        let rules = RuleSet::bundled().unwrap();
        let time = TimeSettings::default();
        let msgs = corpus_messages();
        let inputs: Vec<Input> = msgs.iter().map(Input::from_message).collect();
        let mut fresh = BatchIndex::new();
        let mut stored = BatchIndex::new();
        let mut foreign = BatchIndex::new();
        for i in &inputs {
            fresh.push(&rules, &time, i);
            // Through JSON, as an import stores them.
            let facts = stored.analyse(&rules, i);
            let json = serde_json::to_string(&facts).unwrap();
            let back: Option<TextFacts> = serde_json::from_str(&json).unwrap();
            stored.push_analysed(&rules, &time, i, back.as_ref());
            // Facts from other rule packs (here: nonsense) are not used.
            let wrong = back.map(|mut f| {
                f.rules = "rules-v1-custom-000000000000".into();
                f.score = 99;
                f.findings.clear();
                f
            });
            foreign.push_analysed(&rules, &time, i, wrong.as_ref());
        }
        let (a, b, c) = (
            fresh.decide(&rules, &time),
            stored.decide(&rules, &time),
            foreign.decide(&rules, &time),
        );
        for i in 0..inputs.len() {
            assert_eq!(a.verdict(i), b.verdict(i));
            assert_eq!(a.verdict(i), c.verdict(i));
        }
    }

    #[test]
    fn truncate_forgets_a_rolled_back_tail() {
        let rules = RuleSet::bundled().unwrap();
        let time = TimeSettings::default();
        let msgs = corpus_messages();
        let inputs: Vec<Input> = msgs.iter().take(200).map(Input::from_message).collect();
        let mut a = BatchIndex::new();
        let mut b = BatchIndex::new();
        for i in &inputs[..120] {
            a.push(&rules, &time, i);
            b.push(&rules, &time, i);
        }
        for i in &inputs[120..] {
            b.push(&rules, &time, i);
        }
        b.truncate(120);
        let (da, db) = (a.decide(&rules, &time), b.decide(&rules, &time));
        for i in 0..120 {
            assert_eq!(da.verdict(i), db.verdict(i));
        }
        assert_eq!(db.len(), 120);
    }
}
