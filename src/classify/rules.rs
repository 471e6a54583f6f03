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
//! leftmost-longest by one Aho-Corasick automaton, so of two overlapping keywords the
//! longer wins (`上门拜访` over `上门`); packs match independently of each other. Regexes
//! (`regex`) run on the same normalised text. A rule is cancelled for a message when any
//! of its `unless` patterns (regexes) matches anywhere in the normalised text.

use super::normalize::{Normalized, Normalizer};
use super::Error;
use crate::model::Label;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;

/// The only schema version this build reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Compiled size limit of one regex (bytes). 256 KiB fits every bundled pattern with a
/// wide margin (the largest is under 40 KiB) and stops `a{1000}{1000}`-style bombs.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;

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
    regexes: Vec<Regex>,
    unless: Vec<Regex>,
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
    /// Keyword automaton and the rule index of each keyword.
    ac: Option<AhoCorasick>,
    ac_rule: Vec<usize>,
    /// All regexes of the pack and, per regex, (rule index, index in rule.regexes).
    set: Option<RegexSet>,
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
        .dfa_size_limit(REGEX_SIZE_LIMIT * 4)
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
    /// Compiles a parsed pack; keywords are normalised with `norm`.
    ///
    /// # Errors
    /// [`Error::BadRuleId`], [`Error::EmptyRule`], [`Error::BadRegex`].
    pub fn compile(file: &str, def: PackFile, norm: &Normalizer) -> Result<Pack, Error> {
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
                regexes.push(compile_regex(file, &r.id, p)?);
                set_pats.push(p.clone());
                set_rule.push((ri, xi));
            }
            let unless = r
                .unless
                .iter()
                .map(|p| compile_regex(file, &r.id, p))
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
        let ac = if keywords.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&keywords)
                    .map_err(|e| Error::BadRegex {
                        file: file.to_string(),
                        rule: String::new(),
                        pattern: String::new(),
                        reason: e.to_string(),
                    })?,
            )
        };
        let set = if set_pats.is_empty() {
            None
        } else {
            Some(
                RegexSetBuilder::new(&set_pats)
                    .size_limit(REGEX_SIZE_LIMIT * 8)
                    .dfa_size_limit(REGEX_SIZE_LIMIT * 8)
                    .build()
                    .map_err(|e| Error::BadRegex {
                        file: file.to_string(),
                        rule: String::new(),
                        pattern: String::new(),
                        reason: e.to_string(),
                    })?,
            )
        };
        Ok(Pack {
            file: file.to_string(),
            label,
            rules,
            ac,
            ac_rule,
            set,
            set_rule,
            def,
        })
    }

    /// Every rule of this pack that fires on `n`, with all its matched spans
    /// (normalised bytes), in text order per rule.
    pub fn hits(&self, n: &Normalized, out: &mut Vec<Hit>) {
        let start = out.len();
        if let Some(ac) = &self.ac {
            for m in ac.find_iter(&n.text) {
                out.push(Hit {
                    rule: self.ac_rule[m.pattern().as_usize()],
                    start: m.start(),
                    end: m.end(),
                });
            }
        }
        if let Some(set) = &self.set {
            let matched = set.matches(&n.text);
            for i in matched.iter() {
                let (ri, xi) = self.set_rule[i];
                for m in self.rules[ri].regexes[xi].find_iter(&n.text) {
                    if m.start() < m.end() {
                        out.push(Hit {
                            rule: ri,
                            start: m.start(),
                            end: m.end(),
                        });
                    }
                }
            }
        }
        // Drop rules cancelled by an `unless` pattern (checked once per rule).
        let mut i = start;
        let mut checked: Vec<(usize, bool)> = Vec::new();
        while i < out.len() {
            let ri = out[i].rule;
            let cancelled = match checked.iter().find(|c| c.0 == ri) {
                Some(c) => c.1,
                None => {
                    let c = self.rules[ri].unless.iter().any(|u| u.is_match(&n.text));
                    checked.push((ri, c));
                    c
                }
            };
            if cancelled {
                out.swap_remove(i);
            } else {
                i += 1;
            }
        }
        out[start..].sort_by_key(|h| (h.start, h.rule));
    }
}
