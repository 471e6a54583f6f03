//! A small statistical recall component: logistic regression over hashed character
//! 1–3-grams of the normalised text, one weight vector per text label.
//!
//! It runs *alongside* the rule packs and is gated conservatively by
//! [`crate::classify::classify_batch`]: only on messages the rules already decided are
//! collection, only for text labels no rule gave, and only when the probability reaches
//! the label's threshold (chosen on the training data by cross-validation for precision,
//! see [`crate::classify::model_train`]). It never makes a message collection and never
//! removes a label. A model finding is an ordinary [`crate::model::Finding`] with the rule
//! id `<label>.model` and a span over the words that contributed most.
//!
//! Features and units: the normalised text ([`crate::classify::normalize`]) is read as
//! Unicode scalars; every n-gram (n = 1, 2, 3) ending at each character is hashed
//! ([`gram_hash`]; one multiply per character and one per n-gram) into one of `2^bits`
//! buckets. The score of label `l` is
//! `bias[l] + scale[l] * Σ w[bucket][l] / sqrt(grams)` (a logit), where `w` are `i8`
//! weights and `grams` is the number of n-grams of the text; the probability is the
//! logistic function of the score. Scoring allocates nothing.
//!
//! File format (`assets/model/labels.bin`, little-endian, documented in docs/model.md):
//! magic `QZMODEL\0`, `u32` format version ([`FORMAT_VERSION`]), `u32` bucket bits, `u32`
//! label count (5), `u32` max n (3), then per label a `u8` id length and the id (contract
//! order), then per label `f32` scale, `f32` bias, `f32` threshold, then `2^bits × 5` `i8`
//! weights bucket-major (the five labels of one bucket are adjacent: one cache line per
//! n-gram), then the SHA-256 of everything before it. Loading checks all of these.

use crate::model::Label;
use sha2::{Digest, Sha256};

/// The bundled model, trained by `quzheng train-model` from the labelled corpus.
pub const BUNDLED: &[u8] = include_bytes!("../../assets/model/labels.bin");

/// File magic.
pub const MAGIC: &[u8; 8] = b"QZMODEL\0";
/// The only format version this build reads.
pub const FORMAT_VERSION: u32 = 1;
/// Longest character n-gram.
pub const MAX_N: usize = 3;
/// Number of labels the model scores (the five text labels, [`Label::TEXT`] order).
pub const LABELS: usize = 5;
/// Fraction of the average positive share a character must exceed to widen a window
/// (below 1, so a window whose characters all weigh the same is kept whole).
const WINDOW_BAR: f32 = 0.5;
/// Shortest and longest span of a model finding, in normalised characters.
pub const WINDOW_MIN: usize = 6;
/// See [`WINDOW_MIN`].
pub const WINDOW_MAX: usize = 20;
/// Smallest and largest accepted bucket bits (the table is `2^bits × 5` bytes).
const BITS_RANGE: std::ops::RangeInclusive<u32> = 8..=22;

/// Why a model file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The file is shorter than its header says or does not start with the magic.
    #[error("not a quzheng model file or truncated")]
    Truncated,
    /// A format version this build cannot read.
    #[error("model format version {0} is not supported")]
    Version(u32),
    /// Bucket bits, label count or n out of range, or labels in the wrong order.
    #[error("model dimensions are invalid: {0}")]
    Dimensions(String),
    /// The SHA-256 at the end does not match the content.
    #[error("model checksum mismatch")]
    Checksum,
}

/// A loaded model: quantised weights and per-label scale, bias and threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    bits: u32,
    scale: [f32; LABELS],
    bias: [f32; LABELS],
    threshold: [f32; LABELS],
    /// `2^bits × LABELS`, bucket-major.
    weights: Vec<i8>,
    /// First 12 hex digits of the file's SHA-256 (names the exact model in versions).
    id: String,
}

/// Per-character mix: every character is multiplied once, and n-gram hashes combine the
/// mixes of their characters ([`combine`]), so a text costs one multiply per character
/// plus one per n-gram.
#[inline]
fn char_mix(c: char) -> u64 {
    (c as u64 ^ 0x9e37_79b9_7f4a_7c15).wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// Hash of an n-gram from the mixes of its characters (`m`, oldest first, n = m.len()):
/// position-dependent rotations, the length, then a multiply-xorshift finaliser so that
/// the top bits (the bucket) are well spread.
#[inline]
fn combine(m: &[u64]) -> u64 {
    let mut h = (m.len() as u64).wrapping_mul(0x632b_e59b_d9b4_e019);
    for (k, &x) in m.iter().rev().enumerate() {
        h ^= x.rotate_left(21 * k as u32);
    }
    h ^= h >> 31;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 29;
    h
}

/// Hash of one character n-gram (`chars` holds the n characters, oldest first).
///
/// Stable across platforms: the trained file depends on it, so changing it needs a new
/// [`FORMAT_VERSION`] or a retrained file.
pub fn gram_hash(chars: &[char]) -> u64 {
    let m: Vec<u64> = chars.iter().map(|&c| char_mix(c)).collect();
    combine(&m)
}

/// Calls `f(bucket, n, end_char_index)` for every 1–3-gram of `text`, in text order
/// (bucket = top `bits` bits of [`gram_hash`]). Allocation-free: the mixes of the last
/// three characters are kept in a small ring.
#[inline]
pub fn for_each_gram(text: &str, bits: u32, mut f: impl FnMut(usize, usize, usize)) {
    let shift = 64 - bits;
    let mut last = [0u64; MAX_N];
    for (i, c) in text.chars().enumerate() {
        last = [last[1], last[2], char_mix(c)];
        for n in 1..=MAX_N.min(i + 1) {
            let h = combine(&last[MAX_N - n..]);
            f((h >> shift) as usize, n, i);
        }
    }
}

/// Number of n-grams [`for_each_gram`] visits for a text of `chars` characters.
#[inline]
pub fn gram_count(chars: usize) -> usize {
    // n = 1..3: chars + (chars-1) + (chars-2), never negative.
    (0..MAX_N).map(|k| chars.saturating_sub(k)).sum()
}

/// The logistic function.
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Model {
    /// The model bundled with this build.
    ///
    /// # Errors
    /// Only if the bundled file is broken (a unit test guards against that).
    pub fn bundled() -> Result<Model, ModelError> {
        Model::from_bytes(BUNDLED)
    }

    /// Builds a model from float weights (`2^bits × LABELS`, bucket-major), quantising
    /// each label's weights to `i8` with its own scale.
    pub fn quantise(
        bits: u32,
        weights: &[f32],
        bias: [f32; LABELS],
        threshold: [f32; LABELS],
    ) -> Model {
        let mut scale = [0f32; LABELS];
        for (l, s) in scale.iter_mut().enumerate() {
            let max = weights
                .iter()
                .skip(l)
                .step_by(LABELS)
                .fold(0f32, |m, w| m.max(w.abs()));
            *s = if max > 0.0 { max / 127.0 } else { 1.0 };
        }
        let q: Vec<i8> = weights
            .iter()
            .enumerate()
            .map(|(i, w)| (w / scale[i % LABELS]).round().clamp(-127.0, 127.0) as i8)
            .collect();
        let mut m = Model {
            bits,
            scale,
            bias,
            threshold,
            weights: q,
            id: String::new(),
        };
        m.id = hex::encode(&Sha256::digest(m.to_bytes())[..6]);
        m
    }

    /// Serialises the model in the file format described in the module docs.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(self.weights.len() + 256);
        b.extend_from_slice(MAGIC);
        for v in [FORMAT_VERSION, self.bits, LABELS as u32, MAX_N as u32] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        for l in Label::TEXT {
            b.push(l.id().len() as u8);
            b.extend_from_slice(l.id().as_bytes());
        }
        for l in 0..LABELS {
            for v in [self.scale[l], self.bias[l], self.threshold[l]] {
                b.extend_from_slice(&v.to_le_bytes());
            }
        }
        b.extend(self.weights.iter().map(|&w| w as u8));
        let sum = Sha256::digest(&b);
        b.extend_from_slice(&sum);
        b
    }

    /// Parses and validates a model file (magic, version, dimensions, label order,
    /// checksum).
    ///
    /// # Errors
    /// [`ModelError`] naming what is wrong.
    pub fn from_bytes(data: &[u8]) -> Result<Model, ModelError> {
        if data.len() < 32 + MAGIC.len() || &data[..MAGIC.len()] != MAGIC {
            return Err(ModelError::Truncated);
        }
        let (body, sum) = data.split_at(data.len() - 32);
        let mut r = Reader { data: body, pos: 0 };
        r.take(MAGIC.len())?;
        let version = r.u32()?;
        if version != FORMAT_VERSION {
            return Err(ModelError::Version(version));
        }
        let bits = r.u32()?;
        let labels = r.u32()?;
        let max_n = r.u32()?;
        if !BITS_RANGE.contains(&bits) || labels as usize != LABELS || max_n as usize != MAX_N {
            return Err(ModelError::Dimensions(format!(
                "bits {bits}, labels {labels}, n {max_n}"
            )));
        }
        for l in Label::TEXT {
            let len = r.take(1)?[0] as usize;
            let id = r.take(len)?;
            if id != l.id().as_bytes() {
                return Err(ModelError::Dimensions(format!(
                    "label {} expected in position of {}",
                    l.id(),
                    String::from_utf8_lossy(id)
                )));
            }
        }
        let mut scale = [0f32; LABELS];
        let mut bias = [0f32; LABELS];
        let mut threshold = [0f32; LABELS];
        for l in 0..LABELS {
            scale[l] = r.f32()?;
            bias[l] = r.f32()?;
            threshold[l] = r.f32()?;
            let ok = scale[l].is_finite() && scale[l] > 0.0 && bias[l].is_finite();
            // A threshold above 1 disables the label (no probability reaches it).
            if !ok || threshold[l].is_nan() || threshold[l] < 0.0 {
                return Err(ModelError::Dimensions(format!("label {l} parameters")));
            }
        }
        let n = (1usize << bits) * LABELS;
        let w = r.take(n)?;
        if r.pos != body.len() {
            return Err(ModelError::Dimensions("trailing bytes".into()));
        }
        if Sha256::digest(body).as_slice() != sum {
            return Err(ModelError::Checksum);
        }
        Ok(Model {
            bits,
            scale,
            bias,
            threshold,
            weights: w.iter().map(|&b| b as i8).collect(),
            id: hex::encode(&Sha256::digest(data)[..6]),
        })
    }

    /// Bucket bits of the hashed feature table.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// A short id of the exact model (first 12 hex digits of the file's SHA-256).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The probability threshold of each text label ([`Label::TEXT`] order).
    pub fn thresholds(&self) -> [f32; LABELS] {
        self.threshold
    }

    /// Probability of each text label ([`Label::TEXT`] order) for a normalised text.
    /// No allocation: one hash and one 5-byte table read per n-gram.
    pub fn probabilities(&self, normalised: &str) -> [f32; LABELS] {
        let mut sum = [0i32; LABELS];
        let mut grams = 0usize;
        for_each_gram(normalised, self.bits, |b, _, _| {
            grams += 1;
            let row = &self.weights[b * LABELS..b * LABELS + LABELS];
            for (s, &w) in sum.iter_mut().zip(row) {
                *s += w as i32;
            }
        });
        let norm = if grams == 0 {
            0.0
        } else {
            1.0 / (grams as f32).sqrt()
        };
        let mut p = [0f32; LABELS];
        for l in 0..LABELS {
            p[l] = sigmoid(self.bias[l] + self.scale[l] * sum[l] as f32 * norm);
        }
        p
    }

    /// The labels (index into [`Label::TEXT`]) whose probability reaches the threshold.
    pub fn above_threshold(&self, normalised: &str) -> [bool; LABELS] {
        let p = self.probabilities(normalised);
        let mut out = [false; LABELS];
        for l in 0..LABELS {
            out[l] = p[l] >= self.threshold[l];
        }
        out
    }

    /// The contiguous window of the normalised text (as a byte range) whose characters
    /// got the highest summed weight for label `l`: every n-gram's weight is shared out
    /// equally over its n characters, each character's share is lowered by half the
    /// average positive share (so the window does not grow over the whole sentence), and
    /// of all windows of [`WINDOW_MIN`] to [`WINDOW_MAX`] characters (or the whole text if
    /// shorter) the one with the highest sum is taken, the shortest on ties — long enough
    /// for a reader to see the wording, short enough to point at it. `None` when no
    /// character has a positive share.
    pub fn best_window(&self, normalised: &str, l: usize) -> Option<(usize, usize)> {
        if l >= LABELS {
            return None;
        }
        let offs: Vec<usize> = normalised.char_indices().map(|(b, _)| b).collect();
        let mut share = vec![0f32; offs.len()];
        for_each_gram(normalised, self.bits, |b, n, end| {
            let w = self.weights[b * LABELS + l] as f32 / n as f32;
            for s in &mut share[end + 1 - n..=end] {
                *s += w;
            }
        });
        let pos: Vec<f32> = share.iter().copied().filter(|&s| s > 0.0).collect();
        if pos.is_empty() {
            return None;
        }
        let bar = pos.iter().sum::<f32>() / pos.len() as f32 * WINDOW_BAR;
        // Prefix sums of the lowered shares: any window's sum in O(1).
        let mut prefix = Vec::with_capacity(share.len() + 1);
        prefix.push(0f32);
        for s in &share {
            let last = prefix.last().copied().unwrap_or(0.0);
            prefix.push(last + s - bar);
        }
        let n = share.len();
        let (lo, hi) = (WINDOW_MIN.min(n), WINDOW_MAX.min(n));
        let mut best: Option<(f32, usize, usize)> = None;
        for len in lo..=hi {
            for start in 0..=n - len {
                let sum = prefix[start + len] - prefix[start];
                if best.is_none_or(|(b, _, _)| sum > b) {
                    best = Some((sum, start, start + len));
                }
            }
        }
        let (_, s, e) = best?;
        let end = offs.get(e).copied().unwrap_or(normalised.len());
        Some((offs[s], end))
    }
}

/// A cursor over the model file.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self.pos.checked_add(n).ok_or(ModelError::Truncated)?;
        let s = self.data.get(self.pos..end).ok_or(ModelError::Truncated)?;
        self.pos = end;
        Ok(s)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_bits(self.u32()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Model {
        let bits = 8;
        let mut w = vec![0f32; (1 << bits) * LABELS];
        // Make the grams of "坐牢" strongly deception (index 4).
        for_each_gram("坐牢", bits, |b, _, _| w[b * LABELS + 4] = 4.0);
        Model::quantise(bits, &w, [-1.0; LABELS], [0.5; LABELS])
    }

    #[test]
    fn round_trips_and_rejects_damage() {
        let m = tiny();
        let bytes = m.to_bytes();
        let back = Model::from_bytes(&bytes).expect("loads");
        assert_eq!(back.weights, m.weights);
        assert_eq!(back.threshold, m.threshold);
        let mut bad = bytes.clone();
        let mid = bad.len() / 2;
        bad[mid] ^= 1;
        assert_eq!(Model::from_bytes(&bad), Err(ModelError::Checksum));
        assert_eq!(
            Model::from_bytes(&bytes[..bytes.len() - 40]),
            Err(ModelError::Truncated)
        );
        let mut v2 = bytes.clone();
        v2[8] = 2;
        assert_eq!(Model::from_bytes(&v2), Err(ModelError::Version(2)));
        assert_eq!(Model::from_bytes(b"nonsense"), Err(ModelError::Truncated));
    }

    #[test]
    fn scores_and_window_point_at_the_weighted_words() {
        let m = tiny();
        let p = m.probabilities("你要坐牢了");
        assert!(p[4] > 0.5, "{p:?}");
        assert!(p[0] < 0.3, "{p:?}");
        let text = "你要坐牢了";
        let (s, e) = m.best_window(text, 4).expect("window");
        assert_eq!(&text[s..e], text, "shorter than the minimum: all of it");
        let long = "今天天气很好我们去公园你要坐牢了明天见吧朋友们大家好";
        let (s, e) = m.best_window(long, 4).expect("window");
        assert!(long[s..e].contains("坐牢"), "{}", &long[s..e]);
        assert_eq!(long[s..e].chars().count(), WINDOW_MIN);
        assert_eq!(m.best_window(text, 0), None);
        assert_eq!(m.above_threshold(text), [false, false, false, false, true]);
    }

    /// The shipped file loads, and scores typical corpus wordings the way its training
    /// data says (retraining on a changed corpus should keep these; if one flips, look at
    /// the new data before changing the example).
    #[test]
    fn shipped_model_loads_and_scores_examples() {
        let m = Model::bundled().expect("bundled model loads");
        assert_eq!(m.to_bytes(), BUNDLED, "re-serialises byte for byte");
        let rules = crate::classify::RuleSet::bundled().expect("rules");
        let n = |s: &str| rules.normalize(s).text;
        let t = m.thresholds();
        assert!(
            t.iter().any(|&x| x <= 1.0),
            "every label switched off: {t:?}"
        );
        // (text, label index expected above its threshold)
        let yes = [
            ("再不还钱,我们明天就上门找你,后果自负", 0),
            ("你这个老赖,不要脸的东西", 1),
            ("我们会把你欠款的事通知你的家人和同事", 2),
            ("我是某某派出所民警,你涉嫌一起借贷纠纷", 3),
            ("你已涉嫌恶意逃废债,马上立案,等着坐牢吧", 4),
        ];
        for (text, l) in yes {
            let p = m.probabilities(&n(text));
            assert!(p[l] >= t[l], "{text}: {p:?} vs {t:?}");
        }
        for text in ["您的验证码是482913,5分钟内有效", "周末一起去吃火锅吗"] {
            let above = m.above_threshold(&n(text));
            assert_eq!(
                above,
                [false; LABELS],
                "{text}: {:?}",
                m.probabilities(&n(text))
            );
        }
    }

    #[test]
    fn walk_buckets_are_gram_hashes() {
        let text: Vec<char> = "你要坐牢了abc".chars().collect();
        let mut got = Vec::new();
        for_each_gram(&text.iter().collect::<String>(), 16, |b, n, end| {
            got.push((b, n, end))
        });
        for (b, n, end) in got {
            let h = gram_hash(&text[end + 1 - n..=end]);
            assert_eq!(b, (h >> 48) as usize);
        }
        assert_ne!(gram_hash(&['a', 'b']), gram_hash(&['b', 'a']));
    }

    #[test]
    fn gram_count_matches_the_walk() {
        for t in ["", "a", "ab", "abc", "你好世界"] {
            let mut n = 0;
            for_each_gram(t, 10, |_, _, _| n += 1);
            assert_eq!(n, gram_count(t.chars().count()), "{t}");
        }
    }
}
