//! The label model's share of `quzheng bench classify`: the cost of scoring one text
//! (hashing every 1–3-gram and reading the weight table; no allocation), and the whole
//! classifier's throughput on the same varied text with and without the model.
//!
//! Units: nanoseconds of thread CPU time per text (wall time where not measurable);
//! messages per second on one core.

use super::bench::corpus_bodies;
use super::{classify_batch, Error, Input, RuleSet, TimeSettings};
use crate::measure::ThreadTimer;
use std::hint::black_box;

/// Measured numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelBench {
    /// Texts scored per measurement.
    pub texts: usize,
    /// Nanoseconds per 32-character normalised text (scoring only).
    pub ns_per_32_chars: f64,
    /// Nanoseconds per normalised corpus text (scoring only).
    pub ns_per_corpus_text: f64,
    /// Average characters of the normalised corpus texts.
    pub corpus_avg_chars: f64,
    /// Whole classifier on the varied corpus text, with the model, messages per second.
    pub with_model_per_second: f64,
    /// The same without the model.
    pub without_model_per_second: f64,
}

/// Runs the model benchmark over `n` texts cycled from the `body` fields of `corpus`.
///
/// # Errors
/// Only if the bundled packs or model fail to load.
pub fn run(n: usize, corpus: &str) -> Result<Option<ModelBench>, Error> {
    let rules = RuleSet::bundled()?;
    let Some(model) = rules.model() else {
        return Ok(None);
    };
    let bodies = corpus_bodies(corpus);
    if bodies.is_empty() {
        return Ok(None);
    }
    let n = n.max(1);
    let norm: Vec<String> = bodies.iter().map(|b| rules.normalize(b).text).collect();
    let short: Vec<&str> = norm
        .iter()
        .filter_map(|t| t.char_indices().nth(32).map(|(b, _)| &t[..b]))
        .collect();
    let time_scoring = |texts: &[&str]| {
        let t = ThreadTimer::start();
        for i in 0..n {
            black_box(model.probabilities(black_box(texts[i % texts.len()])));
        }
        t.stop().0 * 1e9 / n as f64
    };
    let all: Vec<&str> = norm.iter().map(String::as_str).collect();
    let ns_per_32_chars = if short.is_empty() {
        0.0
    } else {
        time_scoring(&short)
    };
    let ns_per_corpus_text = time_scoring(&all);
    let chars: usize = norm.iter().map(|t| t.chars().count()).sum();
    // Whole classifier, same cycled texts (unique suffixes, as `bench classify` does).
    let cycled: Vec<String> = (0..n)
        .map(|i| format!("{}{}", bodies[i % bodies.len()], i % 997))
        .collect();
    let inputs: Vec<Input> = cycled.iter().map(|b| Input::text(b)).collect();
    let time = TimeSettings::default();
    let plain = rules.clone().with_model(None);
    // Warm both (lazy regexes) before timing.
    black_box(classify_batch(
        &rules,
        &inputs[..inputs.len().min(5000)],
        &time,
    ));
    // Alternating, best of two each: whichever runs second otherwise looks faster.
    let (mut with, mut without) = (0f64, 0f64);
    for _ in 0..2 {
        let t = ThreadTimer::start();
        black_box(classify_batch(&plain, &inputs, &time));
        without = without.max(n as f64 / t.stop().0.max(1e-9));
        let t = ThreadTimer::start();
        black_box(classify_batch(&rules, &inputs, &time));
        with = with.max(n as f64 / t.stop().0.max(1e-9));
    }
    Ok(Some(ModelBench {
        texts: n,
        ns_per_32_chars,
        ns_per_corpus_text,
        corpus_avg_chars: chars as f64 / norm.len() as f64,
        with_model_per_second: with,
        without_model_per_second: without,
    }))
}
