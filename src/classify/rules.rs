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
use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::contiguous::NFA;
use aho_corasick::{AhoCorasick, Anchored, MatchKind};
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
}

/// All packs' keywords, the literals their regexes need and the literals their `unless`
/// patterns need, in one Aho-Corasick automaton: a message is scanned once, byte by byte, and
/// then only the regexes and `unless` patterns that can match it run.
///
/// The results are those of matching every pack on its own: the automaton reports every
/// (overlapping) keyword occurrence, and per pack the leftmost-longest choice is made
/// from those (earliest start, then longest, then the rule listed first), which is what
/// a per-pack leftmost-longest automaton returns (the equivalence test builds exactly
/// those automata as its reference).
///
/// Why a prefilter and not one `RegexSet`: a set over all packs' regexes has one huge
/// overlapping lazy DFA whose states depend on the whole text, so on varied text it kept
/// building states and fell back to the PikeVM (measured ~3,000 messages/s over the dev
/// corpus against 210k+ on a few repeated texts). Instead, every regex and every
/// `unless` pattern gets groups of literals, one of each group being contained in every
/// match (module `classify::prefilter`); a regex runs only when one literal of each of
/// its groups occurred, and an `unless` pattern is checked only when its rule fired and
/// its groups occurred, each as its own `Regex` whose small DFA caches well. Patterns
/// without a usable literal set always run (no bundled regex; counted by
/// [`Combined::unfiltered`]). The prefilter only skips patterns that cannot match, so
/// the hits are the same as running every pattern (checked over the whole corpus by a
/// test).
///
/// Why one automaton searched by our own loop: the keyword automaton and the prefilter
/// automaton were two overlapping scans through `AhoCorasick`'s dynamically dispatched
/// automaton (a virtual call per byte) and together took about a sixth of the time; the
/// concrete contiguous NFA lets the compiler inline the transitions. Why an NFA and not a
/// DFA: over these ~5,000 literals the full DFA is 12 MB (7.6 MB with literals cut to 9
/// bytes) and nearly every byte's transition missed the CPU caches; the contiguous NFA is
/// 0.5 MB, its scan took about 30 % less time in `perf` profiles, and it builds faster
/// (packs load in 16 ms against 24–30 ms).
///
/// Why literals are grouped: a common literal such as 你 is required by a hundred
/// regexes; marking each of them per occurrence cost more than the scan. Each distinct
/// group of literals gets one bit per message, and each target is looked at only when
/// its trigger group (the one most likely rare) was seen.
#[derive(Debug, Clone)]
pub struct Combined {
    /// The automaton over every distinct literal, and its unanchored start state.
    ac: Option<(NFA, StateID)>,
    /// Per automaton pattern `p`: `kw_to[kw_off[p]..kw_off[p + 1]]` are the keywords it
    /// starts: (pack, rule, keyword start in `kw_bytes`, keyword length).
    kw_off: Vec<u32>,
    kw_to: Vec<(u32, u32, u32, u32)>,
    /// Every keyword's bytes, one after the other.
    kw_bytes: Vec<u8>,
    /// Per automaton pattern: the literal groups it belongs to (`lit_groups_off` holds
    /// each pattern's range in `lit_groups`, the same way for the lists below). A literal
    /// group is a set of literals one of which every match of some target contains.
    lit_groups_off: Vec<u32>,
    lit_groups: Vec<u32>,
    /// Per literal group: the targets for which it is the trigger (see `compile`).
    trig_off: Vec<u32>,
    trig_to: Vec<u32>,
    /// Per target: all its literal groups; it can match only when every one occurs.
    tgt_off: Vec<u32>,
    tgt_groups: Vec<u32>,
    /// Number of literal groups.
    n_groups: usize,
    /// Per regex: (pack index, rule index, index in rule.regexes). Regexes are targets
    /// `0..set_to.len()`; `unless` pattern `u` is target `set_to.len() + u`.
    set_to: Vec<(u32, u32, u32)>,
    /// Per pack, per rule: the number of its first `unless` pattern.
    unless_base: Vec<Vec<u32>>,
    /// Regexes that run on every message (no usable literal set).
    always: Vec<u32>,
    /// Per `unless` pattern: checked whenever its rule fires (no usable literal set).
    unless_always: Vec<bool>,
    /// Per extra pattern (the creditor table's regexes): runs on every message (no
    /// usable literal set). Extra pattern `x` is target `set_to.len() +
    /// unless_always.len() + x`.
    extra_always: Vec<bool>,
    /// Test reference only: per pack, its own leftmost-longest keyword automaton, and
    /// no prefilter at all.
    reference: Option<Vec<Option<AhoCorasick>>>,
}

/// The range of list `i` in a [`flatten`]ed layout.
#[inline]
fn range(off: &[u32], i: usize) -> std::ops::Range<usize> {
    off[i] as usize..off[i + 1] as usize
}

/// Lists laid out one after the other: (offsets with one more entry than lists, items).
fn flatten<T: Copy>(lists: &[Vec<T>]) -> (Vec<u32>, Vec<T>) {
    let mut off = Vec::with_capacity(lists.len() + 1);
    off.push(0u32);
    let mut to = Vec::new();
    for l in lists {
        to.extend_from_slice(l);
        off.push(to.len() as u32);
    }
    (off, to)
}

/// Longest literal in the automaton, bytes: longer keywords are found by their first
/// bytes and then compared, longer prefilter literals are cut (a prefix of a required
/// literal is required too). 24 is the prefilter's own limit; cutting to 9 made the
/// automaton smaller but let ~12 % more regexes and 2.7 × the `unless` checks through.
const AC_MAX_LIT: usize = 24;

/// Reusable buffers for [`Combined::hits`] (no allocation per message once warm).
#[derive(Debug, Default)]
pub struct Scratch {
    kw: Vec<(u32, u32, u32, u32)>,
    /// Regexes to run on this message (indexes into `Combined::set_to`).
    run: Vec<u32>,
    /// One bit per literal group: seen in this message.
    seen: Vec<u64>,
    /// The literal groups seen in this message, once each.
    touched: Vec<u32>,
    /// Per `unless` pattern: whether all its literal groups occur in this message.
    unless_cand: Vec<bool>,
    /// `unless` patterns whose `unless_cand` is set.
    unless_touched: Vec<u32>,
    /// Per extra pattern: whether it can match this message.
    extra_cand: Vec<bool>,
}

impl Scratch {
    /// After [`Combined::hits`]: per extra pattern given to [`Combined::compile`],
    /// whether it can match the message (false only when it certainly cannot).
    pub fn extra_candidates(&self) -> &[bool] {
        &self.extra_cand
    }
}

impl Combined {
    /// Compiles the matchers of `packs`, with `extra` regexes (the creditor table's) put
    /// behind the same prefilter: after [`Combined::hits`],
    /// [`Scratch::extra_candidates`] says which of them can match.
    ///
    /// # Errors
    /// [`Error::BadRegex`] when the combined automaton cannot be built (naming the first
    /// pack).
    pub fn compile(packs: &[Pack], extra: &[String]) -> Result<Combined, Error> {
        let file = packs.first().map(|p| p.file.clone()).unwrap_or_default();
        let bad = |e: String| Error::BadRegex {
            file: file.clone(),
            rule: String::new(),
            pattern: String::new(),
            reason: e,
        };
        // Distinct literals, each with its keyword and prefilter duties.
        let mut index: std::collections::HashMap<Vec<u8>, usize> = std::collections::HashMap::new();
        let mut lits: Vec<Vec<u8>> = Vec::new();
        let mut kw_lists: Vec<Vec<(u32, u32, u32, u32)>> = Vec::new();
        let mut kw_bytes: Vec<u8> = Vec::new();
        let mut intern = |l: &[u8], lits: &mut Vec<Vec<u8>>, kw_lists: &mut Vec<Vec<_>>| {
            let l = &l[..l.len().min(AC_MAX_LIT)];
            *index.entry(l.to_vec()).or_insert_with(|| {
                lits.push(l.to_vec());
                kw_lists.push(Vec::new());
                lits.len() - 1
            })
        };
        let mut set_to = Vec::new();
        let mut always = Vec::new();
        let mut patterns: Vec<(u32, &str)> = Vec::new();
        for (pi, p) in packs.iter().enumerate() {
            for (k, &ri) in p.keywords.iter().zip(&p.ac_rule) {
                let li = intern(k.as_bytes(), &mut lits, &mut kw_lists);
                kw_lists[li].push((pi as u32, ri as u32, kw_bytes.len() as u32, k.len() as u32));
                kw_bytes.extend_from_slice(k.as_bytes());
            }
            for (x, &(ri, xi)) in p.set_pats.iter().zip(&p.set_rule) {
                let id = set_to.len() as u32;
                set_to.push((pi as u32, ri as u32, xi as u32));
                patterns.push((id, x));
            }
        }
        let mut unless_base = Vec::with_capacity(packs.len());
        let mut unless_always = Vec::new();
        for p in packs {
            let mut bases = Vec::with_capacity(p.rules.len());
            for r in &p.rules {
                bases.push(unless_always.len() as u32);
                for u in &r.unless {
                    let id = (set_to.len() + unless_always.len()) as u32;
                    unless_always.push(false);
                    patterns.push((id, &u.pattern));
                }
            }
            unless_base.push(bases);
        }
        let extra_base = set_to.len() + unless_always.len();
        let mut extra_always = vec![false; extra.len()];
        for (x, p) in extra.iter().enumerate() {
            patterns.push(((extra_base + x) as u32, p));
        }
        // Distinct literal groups (sets of automaton patterns), shared between targets.
        let mut group_index: std::collections::HashMap<Vec<usize>, u32> =
            std::collections::HashMap::new();
        let mut group_lits: Vec<Vec<usize>> = Vec::new();
        let n_targets = extra_base + extra.len();
        let mut target_groups: Vec<Vec<u32>> = vec![Vec::new(); n_targets];
        for (id, x) in patterns {
            let groups = super::prefilter::required_groups(x);
            if groups.is_empty() {
                match (id as usize).checked_sub(set_to.len()) {
                    None => always.push(id),
                    Some(u) if u < unless_always.len() => unless_always[u] = true,
                    Some(u) => extra_always[u - unless_always.len()] = true,
                }
            }
            for req in groups {
                let mut ls: Vec<usize> = req
                    .iter()
                    .map(|l| intern(l, &mut lits, &mut kw_lists))
                    .collect();
                ls.sort_unstable();
                ls.dedup();
                let g = *group_index.entry(ls.clone()).or_insert_with(|| {
                    group_lits.push(ls);
                    (group_lits.len() - 1) as u32
                });
                if !target_groups[id as usize].contains(&g) {
                    target_groups[id as usize].push(g);
                }
            }
        }
        // Each target is looked at only when its trigger group occurs: the group most
        // likely to be rare (longest shortest literal, then fewest literals), so common
        // groups such as {你, 您} do not make every message visit hundreds of targets.
        let rarity = |g: u32| {
            let ls = &group_lits[g as usize];
            (
                ls.iter().map(|&l| lits[l].len()).min().unwrap_or(0),
                std::cmp::Reverse(ls.len()),
            )
        };
        let mut trig_lists: Vec<Vec<u32>> = vec![Vec::new(); group_lits.len()];
        for (t, gs) in target_groups.iter().enumerate() {
            if let Some(&g) = gs
                .iter()
                .max_by_key(|&&g| (rarity(g), std::cmp::Reverse(g)))
            {
                trig_lists[g as usize].push(t as u32);
            }
        }
        let mut lit_group_lists: Vec<Vec<u32>> = vec![Vec::new(); lits.len()];
        for (g, ls) in group_lits.iter().enumerate() {
            for &l in ls {
                lit_group_lists[l].push(g as u32);
            }
        }
        let (kw_off, kw_to) = flatten(&kw_lists);
        let (lit_groups_off, lit_groups) = flatten(&lit_group_lists);
        let (trig_off, trig_to) = flatten(&trig_lists);
        let (tgt_off, tgt_groups) = flatten(&target_groups);
        let ac = if lits.is_empty() {
            None
        } else {
            let nfa = aho_corasick::nfa::contiguous::Builder::new()
                .match_kind(MatchKind::Standard)
                // Our own loop does no skipping, so start states need not be special.
                .prefilter(false)
                .build(&lits)
                .map_err(|e| bad(e.to_string()))?;
            let start = nfa
                .start_state(Anchored::No)
                .map_err(|e| bad(e.to_string()))?;
            Some((nfa, start))
        };
        Ok(Combined {
            ac,
            kw_off,
            kw_to,
            kw_bytes,
            lit_groups_off,
            lit_groups,
            trig_off,
            trig_to,
            tgt_off,
            tgt_groups,
            n_groups: group_lits.len(),
            set_to,
            unless_base,
            always,
            unless_always,
            extra_always,
            reference: None,
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
        s.kw.clear();
        s.run.clear();
        s.seen.resize(self.n_groups.div_ceil(64), 0);
        s.unless_cand.resize(self.unless_always.len(), false);
        s.extra_cand.clear();
        s.extra_cand.extend_from_slice(&self.extra_always);
        self.scan(n.text.as_bytes(), s);
        if let Some(reference) = &self.reference {
            // Test reference: each pack's own automaton, every regex.
            s.kw.clear();
            for (pi, ac) in reference.iter().enumerate() {
                let Some(ac) = ac else { continue };
                for m in ac.find_iter(&n.text) {
                    let ri = packs[pi].ac_rule[m.pattern().as_usize()];
                    s.kw.push((pi as u32, m.start() as u32, m.end() as u32, ri as u32));
                }
            }
            s.run.extend(0..self.set_to.len() as u32);
            s.extra_cand.iter_mut().for_each(|c| *c = true);
        } else {
            s.run.extend_from_slice(&self.always);
        }
        if !s.kw.is_empty() {
            // Per pack: earliest start, then longest; equal (start, end) means the same
            // keyword text, so the rule listed first wins as in a leftmost-longest
            // automaton.
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
        let n_regex = self.set_to.len();
        if self.reference.is_none() {
            for &g in &s.touched {
                for &t in &self.trig_to[range(&self.trig_off, g as usize)] {
                    if !self.all_groups_seen(t as usize, &s.seen) {
                        continue;
                    }
                    match (t as usize).checked_sub(n_regex) {
                        None => s.run.push(t),
                        Some(u) if u < self.unless_always.len() => {
                            s.unless_cand[u] = true;
                            s.unless_touched.push(u as u32);
                        }
                        Some(u) => s.extra_cand[u - self.unless_always.len()] = true,
                    }
                }
            }
        }
        for &g in &s.touched {
            s.seen[g as usize / 64] = 0;
        }
        s.touched.clear();
        s.run.sort_unstable();
        for &i in &s.run {
            let (pi, ri, xi) = self.set_to[i as usize];
            let (pi, ri) = (pi as usize, ri as usize);
            let pack = &packs[pi];
            let Some(re) = pack.rules[ri].regexes[xi as usize].get() else {
                continue;
            };
            if pack.label.is_none() {
                // Only whether a collection rule fired matters: once one of its regexes
                // matched (they run in order), its other regexes add nothing.
                if out[pi]
                    .last()
                    .is_some_and(|h| h.rule == ri && h.start == 0 && h.end == 0)
                {
                    continue;
                }
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
        for (pi, (pack, o)) in packs.iter().zip(out.iter_mut()).enumerate() {
            if !o.is_empty() {
                self.finish(pi, pack, n, s, o);
            }
        }
        for &u in &s.unless_touched {
            s.unless_cand[u as usize] = false;
        }
        s.unless_touched.clear();
    }

    /// One pass of the automaton over `text`: keyword occurrences into `s.kw`, literal
    /// groups seen into the bits of `s.seen` and, once each, into `s.touched`.
    fn scan(&self, text: &[u8], s: &mut Scratch) {
        let Some((nfa, start)) = &self.ac else {
            return;
        };
        let mut sid = *start;
        for (i, &b) in text.iter().enumerate() {
            sid = nfa.next_state(Anchored::No, sid, b);
            // Without a prefilter the only special states of an unanchored standard
            // search are match states (it never dies).
            if !nfa.is_special(sid) || !nfa.is_match(sid) {
                continue;
            }
            let end = i + 1;
            for k in 0..nfa.match_len(sid) {
                let pid = nfa.match_pattern(sid, k);
                let p = pid.as_usize();
                let kws = range(&self.kw_off, p);
                if !kws.is_empty() {
                    // The automaton knows a keyword's first bytes; the rest is compared.
                    let st = end - nfa.pattern_len(pid);
                    for &(pi, ri, ks, kl) in &self.kw_to[kws] {
                        let kw = &self.kw_bytes[ks as usize..(ks + kl) as usize];
                        if text.get(st..st + kw.len()) == Some(kw) {
                            s.kw.push((pi, st as u32, (st + kw.len()) as u32, ri));
                        }
                    }
                }
                for &g in &self.lit_groups[range(&self.lit_groups_off, p)] {
                    let (w, bit) = (g as usize / 64, 1u64 << (g % 64));
                    if s.seen[w] & bit == 0 {
                        s.seen[w] |= bit;
                        s.touched.push(g);
                    }
                }
            }
        }
    }

    /// Whether every literal group of target `t` is marked in `seen`.
    #[inline]
    fn all_groups_seen(&self, t: usize, seen: &[u64]) -> bool {
        self.tgt_groups[range(&self.tgt_off, t)]
            .iter()
            .all(|&g| seen[g as usize / 64] & (1u64 << (g % 64)) != 0)
    }

    /// Only the automaton's pass over `text` (for the benchmark's stage profile): how
    /// many keyword occurrences and literal groups it saw. Leaves `s` clean.
    pub(crate) fn scan_only(&self, text: &str, s: &mut Scratch) -> usize {
        s.kw.clear();
        s.seen.resize(self.n_groups.div_ceil(64), 0);
        self.scan(text.as_bytes(), s);
        let n = s.kw.len() + s.touched.len();
        s.seen.iter_mut().for_each(|w| *w = 0);
        s.touched.clear();
        n
    }

    /// Drops the hits in `out` whose rule is cancelled by an `unless` pattern (checked
    /// once per rule) and sorts the rest by (start, rule).
    fn finish(&self, pi: usize, pack: &Pack, n: &Normalized, s: &Scratch, out: &mut Vec<Hit>) {
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
                let c = self.cancelled(pi, ri, pack, n, s);
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

    /// Whether an `unless` pattern of rule `ri` of pack `pi` matches: only those whose
    /// literals occur are run.
    fn cancelled(&self, pi: usize, ri: usize, pack: &Pack, n: &Normalized, s: &Scratch) -> bool {
        let base = self.unless_base[pi][ri] as usize;
        pack.rules[ri].unless.iter().enumerate().any(|(k, u)| {
            let id = base + k;
            (self.reference.is_some() || self.unless_always[id] || s.unless_cand[id])
                && u.is_match(&n.text)
        })
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

    /// Per `unless` pattern, whether it matches `text` on its own.
    #[cfg(test)]
    pub(crate) fn unless_matches_unfiltered(&self, packs: &[Pack], text: &str) -> Vec<bool> {
        packs
            .iter()
            .flat_map(|p| p.rules.iter().flat_map(|r| r.unless.iter()))
            .map(|u| u.is_match(text))
            .collect()
    }

    /// The same matcher with no prefilter and no shared automaton: every regex runs on
    /// every message, every `unless` pattern of a rule that fired is checked, and each
    /// pack's keywords come from the pack's own leftmost-longest automaton (the
    /// reference for the equivalence test).
    #[cfg(test)]
    pub(crate) fn without_prefilter(&self, packs: &[Pack]) -> Combined {
        let mut c = self.clone();
        c.reference = Some(
            packs
                .iter()
                .map(|p| {
                    (!p.keywords.is_empty()).then(|| {
                        aho_corasick::AhoCorasickBuilder::new()
                            .match_kind(MatchKind::LeftmostLongest)
                            .build(&p.keywords)
                            .expect("keyword automaton")
                    })
                })
                .collect(),
        );
        c
    }

    /// Per target (every regex, then every `unless` pattern, then every extra pattern),
    /// whether the prefilter lets it run on `text`.
    #[cfg(test)]
    pub(crate) fn candidates(&self, text: &str) -> Vec<bool> {
        let mut s = Scratch {
            seen: vec![0; self.n_groups.div_ceil(64)],
            ..Scratch::default()
        };
        self.scan(text.as_bytes(), &mut s);
        let n_targets = self.tgt_off.len() - 1;
        let mut out = vec![false; n_targets];
        for &i in &self.always {
            out[i as usize] = true;
        }
        for (u, &a) in self.unless_always.iter().enumerate() {
            out[self.set_to.len() + u] |= a;
        }
        let extra_base = self.set_to.len() + self.unless_always.len();
        for (x, &a) in self.extra_always.iter().enumerate() {
            out[extra_base + x] |= a;
        }
        for (t, o) in out.iter_mut().enumerate() {
            *o |= !self.tgt_groups[range(&self.tgt_off, t)].is_empty()
                && self.all_groups_seen(t, &s.seen);
        }
        out
    }
}
