//! Required-literal analysis of a regex, for the literal prefilter of
//! [`super::rules::Combined`].
//!
//! [`required`] returns a set of literals (UTF-8 byte strings) such that every match of
//! the pattern contains at least one of them as a substring, or `None` when no useful
//! set exists (the pattern can match the empty string, or only huge sets would do). A
//! regex then needs to run on a text only if one of its literals occurs in it, so the
//! result of matching is unchanged (the set is a necessary condition, never a
//! sufficient one).
//!
//! Invariants: every literal is non-empty; a set holds at most [`MAX_SET`] literals of
//! at most [`MAX_LEN`] bytes. The analysis is over the translated HIR, so case
//! insensitivity and Unicode classes are already spelled out as classes.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most literals in one set; larger sets are dropped (cross products of classes grow
/// fast and a long literal list filters little anyway).
pub const MAX_SET: usize = 64;

/// Longest literal kept, bytes; longer exact strings are cut to a required factor
/// (a prefix of a required substring is itself required).
pub const MAX_LEN: usize = 24;

/// Largest character class expanded into single-character literals.
const MAX_CLASS: usize = 16;

/// What is known about the strings a sub-pattern matches.
#[derive(Debug, Clone)]
struct Info {
    /// Every string it can match, when that set is small (may contain `""`).
    exact: Option<Vec<Vec<u8>>>,
    /// A set of non-empty literals one of which every match contains.
    required: Option<Vec<Vec<u8>>>,
    /// More such sets, all of which hold at once (the factors of a concatenation).
    all: Vec<Vec<Vec<u8>>>,
}

/// Groups of literals such that every match of `pattern` contains, for each group, at
/// least one literal of that group; empty when nothing useful is known. At most
/// [`MAX_GROUPS`] groups, each sorted and without duplicates.
pub fn required_groups(pattern: &str) -> Vec<Vec<Vec<u8>>> {
    let Ok(hir) = regex_syntax::Parser::new().parse(pattern) else {
        return Vec::new();
    };
    let info = analyse(&hir);
    let mut groups = info.all;
    groups.extend(info.required);
    groups.extend(info.exact.as_ref().and_then(|e| as_required(e)));
    for g in &mut groups {
        g.sort();
        g.dedup();
    }
    groups.sort();
    groups.dedup();
    groups.truncate(MAX_GROUPS);
    groups
}

/// Most literal groups kept per pattern (they are tracked as bits of a `u64`).
pub const MAX_GROUPS: usize = 64;

/// The single best literal set one of which every match of `pattern` contains.
#[cfg(test)]
pub fn required(pattern: &str) -> Option<Vec<Vec<u8>>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let info = analyse(&hir);
    let mut best = info.required;
    if let Some(ex) = info.exact.as_ref().and_then(|e| as_required(e)) {
        best = better(best, Some(ex));
    }
    best.map(|mut s| {
        s.sort();
        s.dedup();
        s
    })
}

/// An exact set used as a required set: usable only if it has no empty string.
fn as_required(exact: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if exact.is_empty() || exact.iter().any(|s| s.is_empty()) {
        return None;
    }
    Some(
        exact
            .iter()
            .map(|s| s[..cut(s, MAX_LEN)].to_vec())
            .collect(),
    )
}

/// The longest prefix of `s` of at most `max` bytes (any byte boundary is sound for a
/// substring test on bytes).
fn cut(s: &[u8], max: usize) -> usize {
    s.len().min(max)
}

/// The better of two required sets: the one whose shortest literal is longest (a
/// rarer factor), then the smaller one.
fn better(a: Option<Vec<Vec<u8>>>, b: Option<Vec<Vec<u8>>>) -> Option<Vec<Vec<u8>>> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => {
            let key = |s: &Vec<Vec<u8>>| {
                (
                    s.iter().map(|l| l.len()).min().unwrap_or(0),
                    std::cmp::Reverse(s.len()),
                )
            };
            if key(&b) > key(&a) {
                Some(b)
            } else {
                Some(a)
            }
        }
    }
}

fn cross(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len().saturating_mul(b.len()) > MAX_SET {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut s = x.clone();
            s.extend_from_slice(y);
            if s.len() > MAX_LEN * 4 {
                return None;
            }
            out.push(s);
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

fn analyse(hir: &Hir) -> Info {
    let none = Info {
        exact: None,
        required: None,
        all: Vec::new(),
    };
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Info {
            exact: Some(vec![Vec::new()]),
            required: None,
            all: Vec::new(),
        },
        HirKind::Literal(l) => Info {
            exact: Some(vec![l.0.to_vec()]),
            required: None,
            all: Vec::new(),
        },
        HirKind::Class(c) => Info {
            exact: class_strings(c),
            required: None,
            all: Vec::new(),
        },
        HirKind::Capture(c) => analyse(&c.sub),
        HirKind::Repetition(r) => {
            if r.min == 0 {
                return none;
            }
            let sub = analyse(&r.sub);
            let mut req = sub.required.clone();
            if let Some(ex) = sub.exact.as_ref().and_then(|e| as_required(e)) {
                req = better(req, Some(ex));
            }
            let mut all = sub.all;
            all.extend(req.clone());
            // Exactly once: the same strings as the sub-pattern.
            if r.min == 1 && r.max == Some(1) {
                return Info {
                    exact: sub.exact,
                    required: req,
                    all,
                };
            }
            Info {
                exact: None,
                required: req,
                all,
            }
        }
        HirKind::Alternation(subs) => {
            let infos: Vec<Info> = subs.iter().map(analyse).collect();
            let mut exact: Option<Vec<Vec<u8>>> = Some(Vec::new());
            let mut required: Option<Vec<Vec<u8>>> = Some(Vec::new());
            for i in &infos {
                exact = match (exact, &i.exact) {
                    (Some(mut a), Some(b)) if a.len() + b.len() <= MAX_SET => {
                        a.extend(b.iter().cloned());
                        Some(a)
                    }
                    _ => None,
                };
                // Each branch contributes its own best required set.
                let mut r = i.required.clone();
                if let Some(ex) = i.exact.as_ref().and_then(|e| as_required(e)) {
                    r = better(r, Some(ex));
                }
                required = match (required, r) {
                    (Some(mut a), Some(b)) if a.len() + b.len() <= MAX_SET => {
                        a.extend(b);
                        Some(a)
                    }
                    _ => None,
                };
            }
            Info {
                exact,
                required,
                all: Vec::new(),
            }
        }
        HirKind::Concat(subs) => {
            let infos: Vec<Info> = subs.iter().map(analyse).collect();
            let mut best: Option<Vec<Vec<u8>>> = None;
            // Runs of adjacent exact parts are multiplied out into longer literals; each
            // run's product (or the run so far when the product would be too big) and
            // each non-exact part's own required set are candidates.
            let mut run: Option<Vec<Vec<u8>>> = None;
            let mut whole: Option<Vec<Vec<u8>>> = Some(vec![Vec::new()]);
            // Every factor's own required sets hold together.
            let mut all: Vec<Vec<Vec<u8>>> = Vec::new();
            for i in &infos {
                all.extend(i.all.iter().cloned());
                match &i.exact {
                    Some(ex) => {
                        run = match run {
                            None => Some(ex.clone()),
                            Some(r) => match cross(&r, ex) {
                                Some(c) => Some(c),
                                None => {
                                    all.extend(as_required(&r));
                                    best = better(best, as_required(&r));
                                    Some(ex.clone())
                                }
                            },
                        };
                        whole = whole.and_then(|w| cross(&w, ex));
                    }
                    None => {
                        if let Some(r) = run.take() {
                            all.extend(as_required(&r));
                            best = better(best, as_required(&r));
                        }
                        all.extend(i.required.clone());
                        best = better(best, i.required.clone());
                        whole = None;
                    }
                }
            }
            if let Some(r) = run {
                all.extend(as_required(&r));
                best = better(best, as_required(&r));
            }
            Info {
                exact: whole,
                required: best,
                all,
            }
        }
    }
}

/// The number of members of a class with these range sizes, or `None` once it passes
/// `MAX_CLASS` (checked as it adds, so a huge class costs nothing more).
fn small_class_size(mut range_sizes: impl Iterator<Item = usize>) -> Option<usize> {
    range_sizes.try_fold(0usize, |n, size| Some(n + size).filter(|&n| n <= MAX_CLASS))
}

/// The strings a small class matches (UTF-8 of each character, or each byte).
fn class_strings(c: &Class) -> Option<Vec<Vec<u8>>> {
    match c {
        Class::Unicode(u) => {
            let n = small_class_size(
                u.ranges()
                    .iter()
                    .map(|r| (r.end() as usize) - (r.start() as usize) + 1),
            )?;
            let mut out = Vec::with_capacity(n);
            for r in u.ranges() {
                for ch in r.start()..=r.end() {
                    let mut b = [0u8; 4];
                    out.push(ch.encode_utf8(&mut b).as_bytes().to_vec());
                }
            }
            Some(out)
        }
        Class::Bytes(b) => {
            let n = small_class_size(
                b.ranges()
                    .iter()
                    .map(|r| usize::from(r.end()) - usize::from(r.start()) + 1),
            )?;
            let mut out = Vec::with_capacity(n);
            for r in b.ranges() {
                for x in r.start()..=r.end() {
                    out.push(vec![x]);
                }
            }
            Some(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::required;

    fn req(p: &str) -> Option<Vec<String>> {
        required(p).map(|s| {
            s.into_iter()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
                .collect()
        })
    }

    #[test]
    fn concatenation_picks_a_required_factor() {
        assert_eq!(req("abc.{0,8}defg"), Some(vec!["defg".to_string()]));
        assert_eq!(
            req("(?:ab|cd).{0,8}x"),
            Some(vec!["ab".to_string(), "cd".to_string()])
        );
    }

    #[test]
    fn optional_or_empty_patterns_have_none() {
        assert_eq!(req("a*"), None);
        assert_eq!(req("(?:abc)?"), None);
        assert_eq!(req("abc|"), None);
        assert_eq!(req(".+"), None);
        assert_eq!(req("(?:ab|.{2,3})"), None);
    }

    #[test]
    fn case_insensitive_and_classes_expand() {
        // Unicode case folding adds the Kelvin sign for `k`.
        let r = req("(?i)ok").unwrap_or_default();
        assert_eq!(r.len(), 6);
        assert!(r.contains(&"ok".to_string()) && r.contains(&"OK".to_string()));
        assert_eq!(req("[ab]c"), Some(vec!["ac".to_string(), "bc".to_string()]));
    }

    #[test]
    fn concatenation_factors_are_all_required() {
        let g: Vec<Vec<String>> = super::required_groups("(削|打)(死)?(你|您).{0,3}x+")
            .into_iter()
            .map(|g| {
                g.into_iter()
                    .map(|l| String::from_utf8_lossy(&l).into_owned())
                    .collect()
            })
            .collect();
        assert!(
            g.contains(&vec!["削".to_string(), "打".to_string()]),
            "{g:?}"
        );
        assert!(
            g.contains(&vec!["你".to_string(), "您".to_string()]),
            "{g:?}"
        );
        assert!(g.contains(&vec!["x".to_string()]), "{g:?}");
        assert!(super::required_groups("a*|b").is_empty());
    }

    #[test]
    fn repetitions_keep_their_required_literal() {
        assert_eq!(req("(?:xy)+z*"), Some(vec!["xy".to_string()]));
        assert_eq!(req("a{2}"), Some(vec!["a".to_string()]));
    }
}
