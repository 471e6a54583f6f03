//! The classifier's benchmark (`quzheng bench classify`): rule-pack load time and text
//! classification throughput on one core.
//!
//! The messages are the bundled packs' `[[example]]` bodies (collection, hard negatives,
//! every label, evasions), cycled to `n` and each made unique by a suffix so nothing can
//! be cached; they are classified in one [`classify_batch`] call on the calling thread.
//! Goals (issue 4): ≥ 200,000 messages/s, packs load in ≤ 50 ms.

use super::{classify_batch, Error, Input, RuleSet, TimeSettings};

/// Measured numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Fastest of several loads of the bundled packs, milliseconds.
    pub load_ms: f64,
    /// Messages classified.
    pub messages: usize,
    /// Average body length, characters.
    pub avg_chars: f64,
    /// Wall time of the classification, seconds.
    pub seconds: f64,
    /// Messages per second.
    pub per_second: f64,
    /// How many came out as collection (a sanity check that real work was done).
    pub collection: usize,
}

/// Runs the benchmark with `n` messages.
///
/// # Errors
/// Only if the bundled packs fail to load.
pub fn run(n: usize) -> Result<BenchReport, Error> {
    let mut load_ms = f64::MAX;
    let mut rules = None;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let r = RuleSet::bundled()?;
        load_ms = load_ms.min(t.elapsed().as_secs_f64() * 1000.0);
        rules = Some(r);
    }
    let rules = rules.ok_or(Error::NoCollectionPack)?;
    let samples: Vec<String> = rules
        .packs()
        .iter()
        .flat_map(|p| p.def.examples.iter().map(|e| e.body.clone()))
        .collect();
    let bodies: Vec<String> = (0..n.max(1))
        .map(|i| format!("{}{}", samples[i % samples.len()], i % 997))
        .collect();
    let inputs: Vec<Input> = bodies.iter().map(|b| Input::text(b)).collect();
    let time = TimeSettings::default();
    let t = std::time::Instant::now();
    let verdicts = classify_batch(&rules, &inputs, &time);
    let seconds = t.elapsed().as_secs_f64();
    let chars: usize = bodies.iter().map(|b| b.chars().count()).sum();
    Ok(BenchReport {
        load_ms,
        messages: inputs.len(),
        avg_chars: chars as f64 / inputs.len() as f64,
        seconds,
        per_second: inputs.len() as f64 / seconds.max(1e-9),
        collection: verdicts.iter().filter(|v| v.collection).count(),
    })
}
