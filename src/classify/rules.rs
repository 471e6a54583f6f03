//! Rule packs: the TOML schema (docs/rules.md), loading and validation, and the compiled
//! matchers that turn a normalised text into rule hits.
//!
//! A pack is one file with `schema = 1`, a `label` (a text label id, or `collection` for
//! the pack that decides whether a message is debt collection), `[[rule]]` entries and
//! `[[example]]` cases. Loading checks the schema version, that rule ids are unique and
//! start with `<label>.`, that labels are known, that every rule has a pattern, and that
//! every regex compiles within [`REGEX_SIZE_LIMIT`] bytes, so a hostile pack cannot make
//! the program hang or eat memory. Every error names the file and the rule.
//!
//! Matching semantics: within one pack, literal keywords (`any`) are matched
//! leftmost-longest, so of two overlapping keywords the longer wins (`上门拜访` over
//! `上门`); packs match independently of each other (one automaton over all packs finds
//! every occurrence and the choice is made per pack, see [`Combined`]). Regexes
//! (`regex`) run on the same normalised text. A rule is cancelled for a message when any
//! of its `unless` patterns (regexes) matches anywhere in the normalised text.

use super::normalize::{Normalized, Normalizer};
use super::Error;
use crate::model::Label;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::sync::OnceLock;

/// The only schema version this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Compiled size limit of one regex (bytes). 256 KiB fits every bundled pattern with a
/// wide margin (the largest is under 40 KiB) and stops `a{1000}{1000}`-style bombs.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// Cache of the lazy DFA per pack's regex set (bytes; grows only as needed). Patterns
/// like `.{0,8}` over Chinese text make many DFA states: with the default 2 MiB cache the
/// sets kept clearing it and fell back to the slow engine (measured 36k messages/s).
pub const DFA_CACHE: usize = 32 << 20;

/// The pack label that decides collection instead of a text label.
pub const COLLECTION: &str = "collection";

/// One pack file as written (the schema).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    /// Schema version; must be [`SCHEMA_VERSION`].
    pub schema: u32,
    /// A text label id (`threat`) or `collection`.
    pub label: String,
    /// What the pack is for (free text).
    #[serde(default)]
    pub description: String,
    /// Collection pack only: the score from which a message is collection.
    #[serde(default)]
    pub threshold: Option<i32>,
    /// Collection pack only: sender numbers of official services (the courts' 12368)
    /// whose messages are never collection, whatever their words: a genuine court notice
    /// names cases, judgments and enforcement just as a fake one does.
    #[serde(default)]
    pub official_senders: Vec<String>,
    /// The rules.
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleDef>,
    /// Look-alike characters replaced before matching.
    #[serde(default, rename = "lookalike")]
    pub lookalikes: Vec<PairDef>,
    /// Substitutions made before matching (`bao` → `爆`).
    #[serde(default, rename = "substitute")]
    pub substitutes: Vec<PairDef>,
    /// Collection pack only: how to find a creditor's name in the text.
    #[serde(default)]
    pub creditor: Option<CreditorDef>,
    /// Cases that the pack test runs.
    #[serde(default, rename = "example")]
    pub examples: Vec<ExampleDef>,
}

/// One rule as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    /// `<label>.<slug>`, unique over all packs.
    pub id: String,
    /// Literal keywords (normalised like the text before matching).
    #[serde(default)]
    pub any: Vec<String>,
    /// Regular expressions, run on the normalised text.
    #[serde(default)]
    pub regex: Vec<String>,
    /// Regular expressions that cancel this rule when they match anywhere in the message.
    #[serde(default)]
    pub unless: Vec<String>,
    /// Short explanation for the evidence pack.
    #[serde(default)]
    pub why: String,
    /// Legal provisions this rule relates to.
    #[serde(default)]
    pub law: Vec<String>,
    /// How much a hit adds to the collection score (default 1; negative for hard negatives).
    #[serde(default = "one")]
    pub score: i32,
}

fn one() -> i32 {
    1
}

/// A `from = .., to = ..` pair.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PairDef {
    /// What the text says.
    pub from: String,
    /// What it is read as.
    pub to: String,
}

/// How to find a creditor's name (collection pack).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CreditorDef {
    /// Regexes on the normalised text whose group 1 is a platform name.
    #[serde(default)]
    pub regex: Vec<String>,
    /// Captured names that are not creditors (`我们`, `本`).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// A 【signature】 matching one of these regexes names a state organ, not a creditor.
    #[serde(default)]
    pub not_signature: Vec<String>,
}

/// One example case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleDef {
    /// The message text.
    pub body: String,
    /// Expected text labels (sorted or not).
    #[serde(default)]
    pub labels: Vec<String>,
    /// Expected collection decision (default: true when labels are given).
    #[serde(default)]
    pub collection: Option<bool>,
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Rule id.
    pub id: String,
    /// The label it gives (`None` for collection-pack rules).
    pub label: Option<Label>,
    /// Explanation for the evidence pack.
    pub why: String,
    /// Related legal provisions.
    pub law: Vec<String>,
    /// Collection score.
    pub score: i32,
    /// The pack file it came from.
    pub file: String,
    regexes: Vec<LazyRegex>,
    unless: Vec<LazyRegex>,
}

/// A rule's regex, compiled when first needed.
///
/// Why lazily: compiling every pattern twice (once alone for spans, once in the combined
/// `RegexSet`) took about half of the pack load time, and most single patterns are never
/// needed (collection-pack regexes only run in the set; a label regex is needed only once
/// the set reports it). Packs from `--rules` are still compiled on load, so a bad or
/// hostile pattern is refused there with its file and rule; the bundled packs are checked
/// the same way by the unit test `bundled_regexes_compile_within_the_limit`.
#[derive(Debug, Clone)]
pub(crate) struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    /// `eager`: compile now and report an error (packs from outside the binary).
    fn new(file: &str, rule: &str, pattern: &str, eager: bool) -> Result<LazyRegex, Error> {
        let compiled = OnceLock::new();
        if eager {
            let _ = compiled.set(Some(compile_regex(file, rule, pattern)?));
        }
        Ok(LazyRegex {
            pattern: pattern.to_string(),
            compiled,
        })
    }

    /// The compiled regex; `None` only if a pattern that skipped validation fails to
    /// compile, which the bundled-pack test rules out (it then never matches).
    fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| compile_regex("", "", &self.pattern).ok())
            .as_ref()
    }

    /// Whether the pattern matches anywhere in `text`.
    fn is_match(&self, text: &str) -> bool {
        self.get().is_some_and(|r| r.is_match(text))
    }
}

/// A compiled pack: keywords, regexes and rules.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The file name (`threat.toml`).
    pub file: String,
    /// The label, or `None` for the collection pack.
    pub label: Option<Label>,
    /// Rules of this pack.
    pub rules: Vec<Rule>,
    /// Normalised keywords of the pack and the rule index of each (matched by
    /// [`Combined`], which scans all packs at once).
    keywords: Vec<String>,
    ac_rule: Vec<usize>,
    /// All regexes of the pack and, per regex, (rule index, index in rule.regexes).
    set_pats: Vec<String>,
    set_rule: Vec<(usize, usize)>,
    /// The source as parsed (examples, threshold, creditor patterns).
    pub def: PackFile,
}

/// One rule that fired, with the normalised byte span of its first match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index of the rule in its pack.
    pub rule: usize,
    /// Byte span in the normalised text.
    pub start: usize,
    /// End of that span.
    pub end: usize,
}

pub(crate) fn compile_regex(file: &str, rule: &str, pat: &str) -> Result<Regex, Error> {
    RegexBuilder::new(pat)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(DFA_CACHE / 4)
        .build()
        .map_err(|e| Error::BadRegex {
            file: file.to_string(),
            rule: rule.to_string(),
            pattern: pat.to_string(),
            reason: e.to_string(),
        })
}

/// Parses a pack file's text.
///
/// # Errors
/// [`Error::PackSyntax`] for TOML that is not a pack, [`Error::SchemaVersion`] for
/// another schema, [`Error::UnknownLabel`] for a label that is not a contract id.
pub fn parse(file: &str, text: &str) -> Result<PackFile, Error> {
    let def: PackFile = toml::from_str(text).map_err(|e| Error::PackSyntax {
        file: file.to_string(),
        reason: e.message().to_string(),
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
    })?;
    if def.schema != SCHEMA_VERSION {
        return Err(Error::SchemaVersion {
            file: file.to_string(),
            found: def.schema,
        });
    }
    if def.label != COLLECTION {
        match Label::from_id(&def.label) {
            Some(l) if !l.is_time_label() => {}
            _ => {
                return Err(Error::UnknownLabel {
                    file: file.to_string(),
                    rule: None,
                    label: def.label.clone(),
                })
            }
        }
    }
    Ok(def)
}

impl Pack {
    /// Compiles a parsed pack; keywords are normalised with `norm`. `trusted` packs (the
    /// bundled ones, unchanged) have their single regexes compiled on first use; other
    /// packs have every regex compiled and size-checked here.
    ///
    /// # Errors
    /// [`Error::BadRuleId`], [`Error::EmptyRule`], [`Error::BadRegex`].
    pub fn compile(
        file: &str,
        def: PackFile,
        norm: &Normalizer,
        trusted: bool,
    ) -> Result<Pack, Error> {
        let label = Label::from_id(&def.label);
        let prefix = format!("{}.", def.label);
        let mut rules = Vec::with_capacity(def.rules.len());
        let mut keywords: Vec<String> = Vec::new();
        let mut ac_rule = Vec::new();
        let mut set_pats: Vec<String> = Vec::new();
        let mut set_rule = Vec::new();
        for (ri, r) in def.rules.iter().enumerate() {
            let slug = r.id.strip_prefix(&prefix).unwrap_or("");
            if slug.is_empty()
                || !slug
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
            {
                return Err(Error::BadRuleId {
                    file: file.to_string(),
                    rule: r.id.clone(),
                    label: def.label.clone(),
                });
            }
            let kws: Vec<String> = r
                .any
                .iter()
                .map(|k| norm.basic(k))
                .filter(|k| !k.is_empty())
                .collect();
            if kws.is_empty() && r.regex.iter().all(|p| p.is_empty()) {
                return Err(Error::EmptyRule {
                    file: file.to_string(),
                    rule: r.id.clone(),
                });
            }
            for k in kws {
                keywords.push(k);
                ac_rule.push(ri);
            }
            let mut regexes = Vec::new();
            for (xi, p) in r.regex.iter().filter(|p| !p.is_empty()).enumerate() {
                regexes.push(LazyRegex::new(file, &r.id, p, !trusted)?);
                set_pats.push(p.clone());
                set_rule.push((ri, xi));
            }
            let unless = r
                .unless
                .iter()
                .map(|p| LazyRegex::new(file, &r.id, p, !trusted))
                .collect::<Result<Vec<_>, _>>()?;
            rules.push(Rule {
                id: r.id.clone(),
                label,
                why: r.why.clone(),
                law: r.law.clone(),
                score: r.score,
                file: file.to_string(),
                regexes,
                unless,
            });
        }
        Ok(Pack {
            file: file.to_string(),
            label,
            rules,
            keywords,
            ac_rule,
            set_pats,
            set_rule,
            def,
        })
    }

    /// Drops the hits in `out[start..]` whose rule is cancelled by an `unless` pattern
    /// (checked once per rule) and sorts the rest by (start, rule).
    fn finish(&self, n: &Normalized, out: &mut Vec<Hit>) {
        // Rules of the bundled packs number far below 64 per pack; larger packs fall back
        // to checking again (same result, a little slower).
        let mut checked = 0u64;
        let mut cancelled_mask = 0u64;
        let mut i = 0;
        while i < out.len() {
            let ri = out[i].rule;
            let bit = if ri < 64 { 1u64 << ri } else { 0 };
            let cancelled = if bit != 0 && checked & bit != 0 {
                cancelled_mask & bit != 0
            } else {
                let c = self.rules[ri].unless.iter().any(|u| u.is_match(&n.text));
                checked |= bit;
                if c {
                    cancelled_mask |= bit;
                }
                c
            };
            if cancelled {
                out.swap_remove(i);
            } else {
                i += 1;
            }
        }
        out.sort_unstable_by_key(|h| (h.start, h.rule, h.end));
    }
}

/// All packs' keywords in one Aho-Corasick automaton, and all their regexes behind one
/// literal prefilter, so a message is scanned twice in all plus once per regex that can
/// match it.
///
/// The results are those of matching every pack on its own: the automaton reports every
/// (overlapping) keyword occurrence, and per pack the leftmost-longest choice is made
/// from those (earliest start, then longest, then the keyword listed first), which is
/// what a per-pack leftmost-longest automaton returns.
///
/// Why a prefilter and not one `RegexSet`: a set over all packs' regexes has one huge
/// overlapping lazy DFA whose states depend on the whole text, so on varied text it kept
/// building states and fell back to the PikeVM (measured ~3,000 messages/s over the dev
/// corpus against 210k+ on a few repeated texts). Instead, every regex gets the set of
/// literals one of which each of its matches must contain (module `classify::prefilter`); one
/// Aho-Corasick automaton over all those literals says which regexes can match, and only
/// those run, each as its own `Regex` whose small DFA caches well. Regexes without a
/// usable literal set run on every message (none of the bundled ones; counted by
/// [`Combined::unfiltered`]). The prefilter only skips regexes that cannot match, so the
/// hits are the same as running every regex (checked over the whole corpus by a test).
#[derive(Debug, Clone)]
pub struct Combined {
    ac: Option<AhoCorasick>,
    /// Per keyword: (pack index, rule index).
    ac_to: Vec<(u32, u32)>,
    /// Per regex: (pack index, rule index, index in rule.regexes).
    set_to: Vec<(u32, u32, u32)>,
    /// The prefilter over every regex's required literals.
    pre: Option<AhoCorasick>,
    /// Per prefilter literal: the (regex index into `set_to`, literal group) pairs it
    /// satisfies.
    pre_to: Vec<Vec<(u32, u8)>>,
    /// Per regex: one bit per literal group; it runs when all of them were seen.
    need: Vec<u64>,
    /// Regexes that run on every message (no usable literal set).
    always: Vec<u32>,
}

/// Reusable buffers for [`Combined::hits`] (no allocation per message once warm).
#[derive(Debug, Default)]
pub struct Scratch {
    kw: Vec<(u32, u32, u32, u32)>,
    /// Regexes to run on this message (indexes into `Combined::set_to`).
    run: Vec<u32>,
    /// Per regex: the literal groups seen in this message.
    seen: Vec<u64>,
    /// Regexes whose `seen` is not zero.
    touched: Vec<u32>,
}

impl Combined {
    /// Compiles the matchers of `packs`.
    ///
    /// # Errors
    /// [`Error::BadRegex`] when the combined automata cannot be built (naming the first
    /// pack).
    pub fn compile(packs: &[Pack]) -> Result<Combined, Error> {
        let file = packs.first().map(|p| p.file.clone()).unwrap_or_default();
        let bad = |e: String| Error::BadRegex {
            file: file.clone(),
            rule: String::new(),
            pattern: String::new(),
            reason: e,
        };
        let mut kws: Vec<&str> = Vec::new();
        let mut ac_to = Vec::new();
        let mut set_to = Vec::new();
        let mut lits: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
        let mut pre_lits: Vec<Vec<u8>> = Vec::new();
        let mut pre_to: Vec<Vec<(u32, u8)>> = Vec::new();
        let mut need = Vec::new();
        let mut always = Vec::new();
        for (pi, p) in packs.iter().enumerate() {
            for (k, &ri) in p.keywords.iter().zip(&p.ac_rule) {
                kws.push(k);
                ac_to.push((pi as u32, ri as u32));
            }
            for (x, &(ri, xi)) in p.set_pats.iter().zip(&p.set_rule) {
                let id = set_to.len() as u32;
                set_to.push((pi as u32, ri as u32, xi as u32));
                let groups = super::prefilter::required_groups(x);
                if groups.is_empty() {
                    always.push(id);
                }
                need.push(
                    (0..groups.len())
                        .map(|g| 1u64 << g)
                        .fold(0u64, |a, b| a | b),
                );
                for (g, req) in groups.into_iter().enumerate() {
                    for l in req {
                        let li = *lits.entry(l.clone()).or_insert_with(|| {
                            pre_lits.push(l);
                            pre_to.push(Vec::new());
                            pre_to.len() - 1
                        });
                        pre_to[li].push((id, g as u8));
                    }
                }
            }
        }
        let ac = if kws.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    // Contiguous NFA: over all packs' keywords a full DFA took longer to
                    // build (loads 44–48 ms against 36 ms) and searched no faster (measured
                    // 238–258k against 241–278k messages/s).
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&kws)
                    .map_err(|e| bad(e.to_string()))?,
            )
        };
        let pre = if pre_lits.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&pre_lits)
                    .map_err(|e| bad(e.to_string()))?,
            )
        };
        Ok(Combined {
            ac,
            ac_to,
            set_to,
            pre,
            pre_to,
            need,
            always,
        })
    }

    /// How many regexes run on every message because no literal prefilter could be
    /// derived for them, and how many regexes there are in all.
    pub fn unfiltered(&self) -> (usize, usize) {
        (self.always.len(), self.set_to.len())
    }

    /// Every rule of every pack that fires on `n`, appended to `out[pack]` with all its
    /// matched spans (normalised bytes), sorted by (start, rule) per pack. For the
    /// collection pack (no label) only whether a regex rule fired matters, so its regex
    /// spans are not searched for (reported as an empty span at 0).
    pub fn hits(&self, packs: &[Pack], n: &Normalized, s: &mut Scratch, out: &mut [Vec<Hit>]) {
        for o in out.iter_mut() {
            o.clear();
        }
        if let Some(ac) = &self.ac {
            s.kw.clear();
            for m in ac.find_overlapping_iter(&n.text) {
                let (pi, ri) = self.ac_to[m.pattern().as_usize()];
                s.kw.push((pi, m.start() as u32, m.end() as u32, ri));
            }
            if !s.kw.is_empty() {
                // Per pack: earliest start, then longest; pattern ids rise with the order
                // in the pack, and equal (start, end) means the same keyword text, so the
                // rule listed first wins as in a leftmost-longest automaton.
                s.kw.sort_unstable_by(|a, b| {
                    (a.0, a.1, std::cmp::Reverse(a.2), a.3).cmp(&(
                        b.0,
                        b.1,
                        std::cmp::Reverse(b.2),
                        b.3,
                    ))
                });
                let mut pack = u32::MAX;
                let mut pos = 0u32;
                for &(pi, st, en, ri) in &s.kw {
                    if pi != pack {
                        pack = pi;
                        pos = 0;
                    }
                    if st >= pos {
                        out[pi as usize].push(Hit {
                            rule: ri as usize,
                            start: st as usize,
                            end: en as usize,
                        });
                        pos = en;
                    }
                }
            }
        }
        self.candidates(&n.text, s);
        for &i in &s.run {
            let (pi, ri, xi) = self.set_to[i as usize];
            let (pi, ri) = (pi as usize, ri as usize);
            let pack = &packs[pi];
            let Some(re) = pack.rules[ri].regexes[xi as usize].get() else {
                continue;
            };
            if pack.label.is_none() {
                if re.is_match(&n.text) {
                    out[pi].push(Hit {
                        rule: ri,
                        start: 0,
                        end: 0,
                    });
                }
                continue;
            }
            for m in re.find_iter(&n.text) {
                if m.start() < m.end() {
                    out[pi].push(Hit {
                        rule: ri,
                        start: m.start(),
                        end: m.end(),
                    });
                }
            }
        }
        for (pack, o) in packs.iter().zip(out.iter_mut()) {
            if !o.is_empty() {
                pack.finish(n, o);
            }
        }
    }

    /// Fills `s.run` with the regexes that can match `text`, in ascending order: the
    /// unfiltered ones and those one of whose required literals occurs.
    fn candidates(&self, text: &str, s: &mut Scratch) {
        s.run.clear();
        s.run.extend_from_slice(&self.always);
        if let Some(pre) = &self.pre {
            s.seen.resize(self.set_to.len(), 0);
            for m in pre.find_overlapping_iter(text) {
                for &(i, g) in &self.pre_to[m.pattern().as_usize()] {
                    let seen = &mut s.seen[i as usize];
                    if *seen == 0 {
                        s.touched.push(i);
                    }
                    *seen |= 1u64 << g;
                }
            }
            for &i in &s.touched {
                let seen = std::mem::take(&mut s.seen[i as usize]);
                if seen == self.need[i as usize] {
                    s.run.push(i);
                }
            }
            s.touched.clear();
        }
        s.run.sort_unstable();
    }

    /// The hits of every regex run on its own, without the prefilter (the reference the
    /// prefilter is tested against): per regex index, whether it matches.
    #[cfg(test)]
    pub(crate) fn regex_matches_unfiltered(&self, packs: &[Pack], text: &str) -> Vec<bool> {
        self.set_to
            .iter()
            .map(|&(pi, ri, xi)| {
                packs[pi as usize].rules[ri as usize].regexes[xi as usize]
                    .get()
                    .is_some_and(|r| r.is_match(text))
            })
            .collect()
    }

    /// The same matcher with the prefilter switched off: every regex runs on every
    /// message (the reference for the equivalence test).
    #[cfg(test)]
    pub(crate) fn without_prefilter(&self) -> Combined {
        let mut c = self.clone();
        c.pre = None;
        c.pre_to.clear();
        c.need = vec![0; c.set_to.len()];
        c.always = (0..c.set_to.len() as u32).collect();
        c
    }

    /// Per regex index, whether the prefilter lets it run on `text`.
    #[cfg(test)]
    pub(crate) fn regex_candidates(&self, text: &str) -> Vec<bool> {
        let mut s = Scratch::default();
        self.candidates(text, &mut s);
        let mut out = vec![false; self.set_to.len()];
        for &i in &s.run {
            out[i as usize] = true;
        }
        out
    }
}
