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
    /// Fastest of five loads of the bundled packs, milliseconds of thread CPU time.
    pub load_ms: f64,
    /// Thread CPU time of classifying every pack example once right after loading,
    /// milliseconds: the bundled packs' single regexes are compiled on first use
    /// (`rules::LazyRegex`), so this is the part of "loading" that is paid later.
    pub first_use_ms: f64,
    /// Messages classified.
    pub messages: usize,
    /// Average body length, characters.
    pub avg_chars: f64,
    /// CPU time of the classifying thread, seconds (wall time where not measurable).
    pub seconds: f64,
    /// Wall time of the classification, seconds.
    pub wall_seconds: f64,
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
        let c = thread_cpu_seconds();
        let t = std::time::Instant::now();
        let r = RuleSet::bundled()?;
        let wall = t.elapsed().as_secs_f64();
        // Thread CPU time, as for throughput (wall time where unavailable).
        let secs = match (c, thread_cpu_seconds()) {
            (Some(a), Some(b)) if b > a => b - a,
            _ => wall,
        };
        load_ms = load_ms.min(secs * 1000.0);
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
    // Every example once, so each label regex that any example needs is compiled before
    // the throughput is measured (a one-off cost per process, reported on its own).
    let warm: Vec<Input> = samples.iter().map(|b| Input::text(b)).collect();
    let c = thread_cpu_seconds();
    let t = std::time::Instant::now();
    let _ = classify_batch(&rules, &warm, &time);
    let wall = t.elapsed().as_secs_f64();
    let first_use_ms = match (c, thread_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => wall,
    } * 1000.0;
    let cpu0 = thread_cpu_seconds();
    let t = std::time::Instant::now();
    let verdicts = classify_batch(&rules, &inputs, &time);
    let wall = t.elapsed().as_secs_f64();
    // On a shared machine wall time counts other people's work; the thread's own CPU time
    // is what "messages per second on one core" means. Wall time where it is unavailable.
    let seconds = match (cpu0, thread_cpu_seconds()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => wall,
    };
    let chars: usize = bodies.iter().map(|b| b.chars().count()).sum();
    Ok(BenchReport {
        wall_seconds: wall,
        load_ms,
        first_use_ms,
        messages: inputs.len(),
        avg_chars: chars as f64 / inputs.len() as f64,
        seconds,
        per_second: inputs.len() as f64 / seconds.max(1e-9),
        collection: verdicts.iter().filter(|v| v.collection).count(),
    })
}

/// CPU time of the calling thread in seconds, from `/proc/thread-self/schedstat`
/// (nanoseconds on CPU; Linux and Android). `None` elsewhere.
fn thread_cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}
