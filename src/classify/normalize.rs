//! Normalisation before matching, with a map back to the original characters.
//!
//! Collectors dodge keyword filters with full-width letters, traditional characters,
//! separators between characters (`后 果 自 负`, `失*信`), emoji, pinyin (`bao你通讯录`)
//! and look-alike characters. [`Normalizer::normalize`] undoes these, in this order:
//!
//! 1. NFKC width folding per character (`ＸＸ`→`xx`, `①`→`1`), ASCII lower-cased;
//! 2. look-alike characters replaced (table from the rule packs, `[[lookalike]]`; this
//!    comes first so that a pictograph standing for a character, 🚪 for 门, is kept);
//! 3. separators dropped: white space, `* . · - _ ~ | / \ # + = ^`, zero-width characters,
//!    variation selectors, emoji and other pictographs;
//! 4. traditional → simplified (the `fast2s` tables, derived from OpenCC; character for
//!    character, so the map stays exact);
//! 5. substitutions (`[[substitute]]` in the rule packs: `bao`→`爆`, `cs`→`催收`), matched
//!    leftmost-longest; a substitution made only of ASCII letters applies only when it is
//!    not part of a longer ASCII word, so `docs` never becomes `do催收`.
//!
//! Invariant: every character of [`Normalized::text`] maps to a non-empty range of
//! *character* (Unicode scalar) offsets of the original text, and those ranges never go
//! backwards. [`Normalized::original_span`] turns a *byte* range of the normalised text
//! (what `regex` and `aho-corasick` report) into the character range of the original.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use unicode_normalization::UnicodeNormalization;

/// A normalised text and its map back to the original.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// The normalised text that rules match against.
    pub text: String,
    /// One entry per character of `text`: (byte offset in `text`, original start char,
    /// original end char, exclusive).
    map: Vec<(u32, u32, u32)>,
}

impl Normalized {
    /// The original character range covered by the normalised byte range `start..end`.
    /// Returns `None` for an empty or out-of-range span.
    pub fn original_span(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        if start >= end || end > self.text.len() {
            return None;
        }
        // The entry whose byte offset is the greatest one ≤ start / ≤ end-1.
        let first = self.map.partition_point(|e| (e.0 as usize) <= start);
        let last = self.map.partition_point(|e| (e.0 as usize) < end);
        let a = self.map.get(first.checked_sub(1)?)?;
        let b = self.map.get(last.checked_sub(1)?)?;
        Some((a.1 as usize, (b.2 as usize).max(a.1 as usize + 1)))
    }

    /// Number of characters in the normalised text.
    pub fn char_len(&self) -> usize {
        self.map.len()
    }
}

/// The normalisation tables, built once per rule set.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    /// Look-alike pairs sorted by the first character (binary search).
    lookalike: Vec<(char, char)>,
    /// Whether any look-alike replaces an ASCII character (else ASCII skips the lookup).
    ascii_lookalikes: bool,
    subst: Option<AhoCorasick>,
    /// Replacement and "ASCII letters only" flag per substitution pattern.
    subst_to: Vec<(Vec<char>, bool)>,
}

/// True for characters dropped before matching (see the module docs, step 2).
pub fn is_separator(c: char) -> bool {
    if c.is_whitespace() {
        return true;
    }
    matches!(
        c,
        '*' | '.'
            | '·'
            | '•'
            | '・'
            | '-'
            | '_'
            | '~'
            | '|'
            | '/'
            | '\\'
            | '#'
            | '+'
            | '='
            | '^'
            | '`'
            | '\''
            | '"'
            | '‘'
            | '’'
            | '“'
            | '”'
            | '゛'
            | '′'
    ) || matches!(c as u32,
        0x00AD | 0x034F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064
        | 0xFEFF | 0xFE00..=0xFE0F | 0x20E3 | 0xE0020..=0xE007F
        // Arrows, technical symbols, geometric shapes, misc symbols, dingbats, emoji.
        | 0x2190..=0x21FF | 0x2300..=0x23FF | 0x25A0..=0x27BF | 0x2B00..=0x2BFF
        | 0x3030 | 0x1F000..=0x1FAFF)
}

/// Characters that `fast2s` converts only next to certain neighbours (the keys of its
/// special-case table), so converting each character alone does not reveal them.
const T2S_IN_CONTEXT: [char; 7] = [
    '\u{85c9}', '\u{8457}', '\u{82e7}', '\u{95d4}', '\u{937e}', '\u{8b8e}', '\u{756b}',
];

/// Whether traditional → simplified conversion (step 4) can change `c`.
///
/// Why: nearly every message is already simplified, and `fast2s::convert` costs a hash
/// lookup per character plus a new string; a text without any such character is left as
/// it is, which is exactly what the conversion would return. The set is built once per
/// process from `fast2s` itself (every 3-byte character converted on its own, the only
/// kind it converts, plus `T2S_IN_CONTEXT`), about 64 K characters in a few
/// milliseconds; a bit per BMP character, 8 KiB.
pub fn t2s_may_change(c: char) -> bool {
    static SET: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    let set = SET.get_or_init(|| {
        let mut bits = vec![0u64; 0x10000 / 64];
        let chars: Vec<char> = (0x800u32..=0xFFFF).filter_map(char::from_u32).collect();
        let mut all = String::with_capacity(chars.len() * 4);
        for &c in &chars {
            all.push(c);
            all.push(' ');
        }
        let conv = fast2s::convert(&all);
        // The conversion is character for character (it pushes one per input char).
        for (a, b) in all.chars().zip(conv.chars()) {
            if a != b {
                bits[a as usize / 64] |= 1u64 << (a as usize % 64);
            }
        }
        for c in T2S_IN_CONTEXT {
            bits[c as usize / 64] |= 1u64 << (c as usize % 64);
        }
        bits
    });
    let u = c as usize;
    // Characters outside the BMP are 4 bytes in UTF-8, which fast2s leaves alone.
    u < 0x10000 && set[u / 64] & (1u64 << (u % 64)) != 0
}

/// NFKC of one character, lower-cased, pushed to `out` (fast paths for ASCII and the
/// common CJK block, which NFKC leaves alone).
fn fold(c: char, out: &mut Vec<char>) {
    let u = c as u32;
    if u < 0x80 {
        out.push(c.to_ascii_lowercase());
    } else if (0x4E00..=0x9FFF).contains(&u) || (0x3001..=0x30FF).contains(&u) {
        out.push(c);
    } else if (0xFF01..=0xFF5E).contains(&u) {
        // Full-width ASCII: a fixed offset (saves the NFKC tables on a hot path).
        let a = char::from_u32(u - 0xFEE0).unwrap_or(c);
        out.push(a.to_ascii_lowercase());
    } else {
        for d in std::iter::once(c).nfkc() {
            for l in d.to_lowercase() {
                out.push(l);
            }
        }
    }
}

impl Normalizer {
    /// Builds the tables: `lookalike` pairs (from → to, one character each) and
    /// `substitute` pairs (from → to, any length). Patterns are themselves folded and
    /// lower-cased, so packs may write them in any width or case.
    pub fn new(lookalike: &[(char, char)], substitute: &[(String, String)]) -> Self {
        let mut pairs: Vec<(char, char)> = Vec::new();
        // Later pairs win, as with a map built in order.
        for &(a, b) in lookalike.iter().rev() {
            if !pairs.iter().any(|p| p.0 == a) {
                pairs.push((a, b));
            }
        }
        pairs.sort_unstable();
        let mut n = Normalizer {
            ascii_lookalikes: pairs.iter().any(|p| p.0.is_ascii()),
            lookalike: pairs,
            subst: None,
            subst_to: Vec::new(),
        };
        let mut froms = Vec::new();
        for (from, to) in substitute {
            let f = n.basic(from);
            if f.is_empty() {
                continue;
            }
            let ascii = f.chars().all(|c| c.is_ascii_alphabetic());
            froms.push(f);
            n.subst_to.push((to.chars().collect(), ascii));
        }
        if !froms.is_empty() {
            // A full DFA: with the ~200 substitutions of the v14 packs the default
            // (a non-contiguous NFA) made this scan, which runs on every message, cost
            // about 2.6k instructions per message against under 1k before (cachegrind).
            n.subst = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&froms)
                .ok();
        }
        n
    }

    /// Steps 1–4 only (used for patterns and substitution sources).
    pub fn basic(&self, s: &str) -> String {
        let mut n = Normalized::default();
        self.steps_1_to_4(s, &mut n);
        n.text
    }

    fn steps_1_to_4(&self, s: &str, out: &mut Normalized) {
        out.text.clear();
        out.text.reserve(s.len());
        out.map.clear();
        out.map.reserve(s.len() / 2);
        let mut buf: Vec<char> = Vec::new();
        let mut may_convert = false;
        for (i, c) in s.chars().enumerate() {
            let i = i as u32;
            // Fast path: ASCII and common CJK fold to themselves or a fixed offset, so
            // no buffer is needed (the general path below handles everything else).
            let u = c as u32;
            let single = if u < 0x80 {
                Some(c.to_ascii_lowercase())
            } else if (0x4E00..=0x9FFF).contains(&u) || (0x3001..=0x30FF).contains(&u) {
                Some(c)
            } else {
                None
            };
            if let Some(d) = single {
                self.push(d, i, out, &mut may_convert);
                continue;
            }
            buf.clear();
            fold(c, &mut buf);
            for &d in &buf {
                self.push(d, i, out, &mut may_convert);
            }
        }
        if may_convert {
            let simp = fast2s::convert(&out.text);
            // fast2s converts character for character; if that ever changed, keep the
            // unconverted text rather than a map that no longer lines up.
            if simp.len() == out.text.len() && simp != out.text {
                // Byte offsets are rewritten from the converted text (a converted
                // character may in principle have another UTF-8 length).
                let mut n = 0usize;
                for ((b, _), slot) in simp.char_indices().zip(out.map.iter_mut()) {
                    slot.0 = b as u32;
                    n += 1;
                }
                if n == out.map.len() {
                    out.text = simp;
                } else {
                    let mut b = 0u32;
                    for (slot, c) in out.map.iter_mut().zip(out.text.chars()) {
                        slot.0 = b;
                        b += c.len_utf8() as u32;
                    }
                }
            } else if simp.len() != out.text.len() && simp.chars().count() == out.map.len() {
                for ((b, _), slot) in simp.char_indices().zip(out.map.iter_mut()) {
                    slot.0 = b as u32;
                }
                out.text = simp;
            }
        }
    }

    /// Steps 2 and 3 for one folded character: replaces look-alikes, drops separators,
    /// appends to `out` with its original character index `i`.
    #[inline]
    fn push(&self, d: char, i: u32, out: &mut Normalized, may_convert: &mut bool) {
        // Look-alikes first, so a pictograph written for a character (a door emoji for
        // 门) is read as that character instead of being dropped as a separator.
        let d = if d.is_ascii() && !self.ascii_lookalikes {
            d
        } else {
            match self.lookalike.binary_search_by_key(&d, |p| p.0) {
                Ok(k) => self.lookalike[k].1,
                Err(_) => d,
            }
        };
        if is_separator(d) {
            return;
        }
        *may_convert |= !d.is_ascii() && t2s_may_change(d);
        out.map.push((out.text.len() as u32, i, i + 1));
        out.text.push(d);
    }

    /// Normalises `s` (all five steps).
    pub fn normalize(&self, s: &str) -> Normalized {
        let mut n = Normalized::default();
        self.steps_1_to_4(s, &mut n);
        let Some(ac) = &self.subst else {
            return n;
        };
        let bytes = n.text.as_bytes();
        let mut hits = Vec::new();
        for m in ac.find_iter(&n.text) {
            let (to, ascii) = &self.subst_to[m.pattern().as_usize()];
            if *ascii {
                let before = m.start().checked_sub(1).map(|i| bytes[i]);
                let after = bytes.get(m.end()).copied();
                if before.is_some_and(|b| b.is_ascii_alphabetic())
                    || after.is_some_and(|b| b.is_ascii_alphabetic())
                {
                    continue;
                }
            }
            hits.push((m.start(), m.end(), to));
        }
        if hits.is_empty() {
            return n;
        }
        let mut text = String::with_capacity(n.text.len());
        let mut map = Vec::with_capacity(n.map.len());
        let mut idx = 0usize; // index into n.map
        let mut hit = hits.into_iter().peekable();
        while idx < n.map.len() {
            let b = n.map[idx].0 as usize;
            if let Some(&(hs, he, to)) = hit.peek() {
                if hs == b {
                    let first = n.map[idx];
                    let mut last = first;
                    while idx < n.map.len() && (n.map[idx].0 as usize) < he {
                        last = n.map[idx];
                        idx += 1;
                    }
                    for &c in to {
                        map.push((text.len() as u32, first.1, last.2));
                        text.push(c);
                    }
                    hit.next();
                    continue;
                }
            }
            let c = n.text[b..]
                .chars()
                .next()
                .expect("map entries sit on char boundaries");
            map.push((text.len() as u32, n.map[idx].1, n.map[idx].2));
            text.push(c);
            idx += 1;
        }
        Normalized { text, map }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(s: &str, a: usize, b: usize) -> String {
        s.chars().skip(a).take(b - a).collect()
    }

    fn norm() -> Normalizer {
        Normalizer::new(
            &[('囗', '口')],
            &[
                ("bao".into(), "爆".into()),
                ("cs".into(), "催收".into()),
                ("f院".into(), "法院".into()),
                ("失xin".into(), "失信".into()),
            ],
        )
    }

    #[test]
    fn folds_width_case_and_traditional() {
        let n = norm().normalize("ＸＸ你個騙子");
        assert_eq!(n.text, "xx你个骗子");
    }

    #[test]
    fn removes_separators_and_maps_back() {
        let body = "后 果 自 负,明天";
        let n = norm().normalize(body);
        assert_eq!(n.text, "后果自负,明天");
        let b = n.text.find("自负").unwrap();
        let (s, e) = n.original_span(b, b + "自负".len()).unwrap();
        assert_eq!(slice(body, s, e), "自 负");
        let (s, e) = n.original_span(0, "后果自负".len()).unwrap();
        assert_eq!(slice(body, s, e), "后 果 自 负");
    }

    #[test]
    fn drops_zero_width_and_emoji() {
        let n = norm().normalize("失\u{200b}信😡名单");
        assert_eq!(n.text, "失信名单");
    }

    #[test]
    fn substitutes_pinyin_with_exact_spans() {
        let body = "再不还就BAO你通讯录,f院见,cs来了,失xin";
        let n = norm().normalize(body);
        assert_eq!(n.text, "再不还就爆你通讯录,法院见,催收来了,失信");
        let b = n.text.find("爆").unwrap();
        let (s, e) = n.original_span(b, b + "爆".len()).unwrap();
        assert_eq!(slice(body, s, e), "BAO");
        let b = n.text.find("法院").unwrap();
        let (s, e) = n.original_span(b, b + "法院".len()).unwrap();
        assert_eq!(slice(body, s, e), "f院");
    }

    #[test]
    fn ascii_substitutions_need_word_boundaries() {
        let n = norm().normalize("see docs and baobab");
        assert_eq!(n.text, "seedocsandbaobab");
        // No boundary inside a run of letters once spaces are gone: nothing replaced.
        let n = norm().normalize("你是cs吗");
        assert_eq!(n.text, "你是催收吗");
    }

    #[test]
    fn traditional_characters_are_known() {
        for c in "們還錢個說".chars().chain(T2S_IN_CONTEXT) {
            assert!(t2s_may_change(c), "{c}");
        }
        for c in "们还钱个说abc😡".chars() {
            assert!(!t2s_may_change(c), "{c}");
        }
        // Every character fast2s changes in some neighbourhood is in the set.
        for c in (0x800u32..=0xFFFF).filter_map(char::from_u32) {
            for ctx in [format!("a{c}b"), format!("{c}"), format!("口{c}家")] {
                if fast2s::convert(&ctx) != ctx {
                    assert!(t2s_may_change(c), "{c}");
                }
            }
        }
    }

    #[test]
    fn lookalikes_are_replaced() {
        assert_eq!(norm().normalize("囗头").text, "口头");
    }
}
