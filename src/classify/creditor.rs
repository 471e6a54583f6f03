//! Who is collecting: the creditor of each message.
//!
//! Sources, strongest first: the 【signature】 that Chinese SMS gateways require
//! (`【速借宝】…`); a platform name in the text (`你在速借宝平台的借款`, patterns in the
//! collection pack's `[creditor]` table); and the numbers a signature was seen with (an
//! unsigned message from a number that has only ever signed as 速借宝 is 速借宝's).
//! Signatures that name a state organ (`【人民法院】`) are impersonation, not creditors.
//!
//! Grouping for the time labels follows the contract: messages with the same signature
//! are one creditor even from different numbers; an unsigned message belongs to its
//! sender address, or to the one signature that address was seen with.

use super::normalize::Normalized;
use super::rules::compile_regex;
use super::{sender_key, Error, Input, RuleSet};
use crate::model::normalize_address;
use regex::Regex;
use std::collections::{BTreeSet, HashMap};

/// Longest signature accepted, in characters (gateways allow about 12; some collectors pad).
const MAX_SIGNATURE: usize = 24;

/// The compiled `[creditor]` table of the collection pack.
#[derive(Debug, Clone, Default)]
pub struct CreditorRules {
    regexes: Vec<Regex>,
    ignore: Vec<String>,
    not_signature: Vec<Regex>,
}

/// The character range of the first 【signature】's inner text, if any. Rules ignore
/// words inside it, so a platform called 星桥借款 does not make its parcel notice a
/// loan message.
pub fn signature_span(body: &str) -> Option<(usize, usize)> {
    let mut open = None;
    for (i, c) in body.chars().enumerate() {
        match c {
            '【' => open = Some(i + 1),
            '】' => {
                if let Some(s) = open {
                    if i > s && i - s <= MAX_SIGNATURE {
                        return Some((s, i));
                    }
                }
                open = None;
            }
            _ => {}
        }
    }
    None
}

/// The first 【signature】 of a body (trimmed), if any.
pub fn signature(body: &str) -> Option<String> {
    let mut rest = body;
    while let Some(a) = rest.find('【') {
        let after = &rest[a + '【'.len_utf8()..];
        let b = after.find('】')?;
        let name = after[..b].trim();
        if !name.is_empty() && name.chars().count() <= MAX_SIGNATURE && !name.contains('【') {
            return Some(name.to_string());
        }
        rest = &after[b..];
    }
    None
}

impl CreditorRules {
    /// Compiles the table.
    ///
    /// # Errors
    /// [`Error::BadRegex`] naming the file and `creditor`.
    pub fn compile(file: &str, def: &super::rules::CreditorDef) -> Result<Self, Error> {
        Ok(CreditorRules {
            regexes: def
                .regex
                .iter()
                .map(|p| compile_regex(file, "creditor", p))
                .collect::<Result<_, _>>()?,
            ignore: def.ignore.clone(),
            not_signature: def
                .not_signature
                .iter()
                .map(|p| compile_regex(file, "creditor.not_signature", p))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The platform-name regexes (for the prefilter equivalence test).
    #[cfg(test)]
    pub(crate) fn regexes(&self) -> &[Regex] {
        &self.regexes
    }

    /// True when a signature names a state organ rather than a creditor.
    pub fn is_state_organ(&self, sig: &str) -> bool {
        self.not_signature.iter().any(|r| r.is_match(sig))
    }

    /// A platform name found in the text, as the original body writes it. Regex `i` is
    /// run only if `may_match[i]` is true (or missing): the literal prefilter's verdict,
    /// false only when it cannot match (its capture groups need the slow engine).
    pub fn platform(&self, n: &Normalized, body: &str, may_match: &[bool]) -> Option<String> {
        for (i, r) in self.regexes.iter().enumerate() {
            if !may_match.get(i).copied().unwrap_or(true) {
                continue;
            }
            for c in r.captures_iter(&n.text) {
                let Some(g) = c.get(1) else { continue };
                let Some((s, e)) = n.original_span(g.start(), g.end()) else {
                    continue;
                };
                let name: String = body.chars().skip(s).take(e - s).collect();
                let name = name.trim().to_string();
                if name.is_empty() || self.ignore.iter().any(|i| *i == g.as_str()) {
                    continue;
                }
                return Some(name);
            }
        }
        None
    }
}

/// Creditor names and grouping keys for a batch.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Display name per input.
    pub name: Vec<Option<String>>,
    /// Grouping key per input ("the same creditor" of the contract).
    pub group: Vec<String>,
}

/// Resolves creditors for a batch from per-input (signature, platform name).
pub fn resolve(
    rules: &RuleSet,
    inputs: &[Input],
    found: &[(Option<&str>, Option<&str>)],
) -> Resolved {
    // Which signatures each number was seen with.
    let mut by_addr: HashMap<String, BTreeSet<&str>> = HashMap::new();
    for (inp, (sig, _)) in inputs.iter().zip(found) {
        if let (Some(s), false) = (sig, inp.address.trim().is_empty()) {
            by_addr
                .entry(normalize_address(inp.address))
                .or_default()
                .insert(s);
        }
    }
    let mut out = Resolved::default();
    for (inp, (sig, platform)) in inputs.iter().zip(found) {
        let (name, group) = if let Some(s) = sig {
            let name = (!rules.creditor.is_state_organ(s)).then(|| s.to_string());
            (name, format!("sig:{s}"))
        } else {
            let addr = normalize_address(inp.address);
            let only = by_addr
                .get(&addr)
                .filter(|_| !addr.is_empty())
                .filter(|s| s.len() == 1)
                .and_then(|s| s.iter().next().copied());
            match (only, platform) {
                (Some(s), _) => (
                    (!rules.creditor.is_state_organ(s)).then(|| s.to_string()),
                    format!("sig:{s}"),
                ),
                (None, Some(p)) => (Some(p.to_string()), sender_key(inp.address)),
                (None, None) => (None, sender_key(inp.address)),
            }
        };
        out.name.push(name);
        out.group.push(group);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_signature() {
        assert_eq!(signature("【速借宝】您已逾期").as_deref(), Some("速借宝"));
        assert_eq!(
            signature("您已逾期【 易到钱包 】").as_deref(),
            Some("易到钱包")
        );
        assert_eq!(signature("没有签名"), None);
        assert_eq!(signature("【】【乐享借】x").as_deref(), Some("乐享借"));
    }
}
