//! The classifier's benchmark (`quzheng bench classify`): rule-pack load time and text
//! classification throughput on one core.
//!
//! Two throughputs, both classified in one [`classify_batch`] call on the calling thread
//! and both cycled to `n` messages, each made unique by a suffix:
//! - **varied**: the bodies of a labelled corpus (the CLI passes the 4,567 messages of
//!   `tests/fixtures/corpus/dev.jsonl`), the honest figure — matchers whose caches only
//!   warm up on a few texts show here;
//! - **repeated**: the bundled packs' few dozen `[[example]]` bodies (the old figure).
//!
//! Plus a cold pass: every corpus body once on freshly loaded packs, as `quzheng
//! classify` sees it (lazy regex compilation included).
//! Goals (issue 4): ≥ 200,000 messages/s, packs load in ≤ 50 ms. Times are thread CPU
//! seconds (wall time where not measurable).

use super::{classify_batch, Error, Input, RuleSet, TimeSettings};
use crate::measure::ThreadTimer;

/// Measured numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    /// Fastest of five loads of the bundled packs, milliseconds of thread CPU time.
    pub load_ms: f64,
    /// Thread CPU time of classifying every pack example once right after loading,
    /// milliseconds: the bundled packs' single regexes are compiled on first use
    /// (`rules::LazyRegex`), so this is the part of "loading" that is paid later.
    pub first_use_ms: f64,
    /// Repeated text: messages classified.
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
    /// Distinct pack examples the repeated text cycles through.
    pub distinct_examples: usize,
    /// The same measurement on varied corpus text.
    pub varied: Throughput,
    /// Every distinct corpus body once, on packs loaded just before (no warm-up).
    pub cold: Throughput,
    /// Where the time of the varied text goes.
    pub stages: Stages,
}

/// Stage profile over the varied text, microseconds of thread CPU time per message.
/// Each stage is timed as a loop of its own over the same messages (fastest of three
/// runs), cumulatively
/// (normalise; normalise + scan; …), and reported as the difference, so the numbers
/// add up to `total` but each carries the measurement noise of two loops.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stages {
    /// Normalisation (folding, separators, traditional → simplified, substitutions).
    pub normalize: f64,
    /// The one automaton pass (keywords and prefilter literals).
    pub scan: f64,
    /// Keyword choice, candidate regexes and `unless` checks (the rest of rule matching).
    pub regexes: f64,
    /// The rest of the per-message analysis: scores, signature, platform name.
    pub analyse: f64,
    /// The batch: creditor grouping, collection decisions, findings, verdicts.
    pub batch: f64,
    /// All of it: one [`classify_batch`] call.
    pub total: f64,
}

/// Times the stages of classifying `bodies` (see [`Stages`]).
fn stages(rules: &RuleSet, bodies: &[String]) -> Stages {
    let n = bodies.len().max(1) as f64;
    // The fastest of three runs: on a shared machine the slower runs measure the others.
    let time = |f: &mut dyn FnMut()| {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = ThreadTimer::start();
            f();
            best = best.min(t.stop().0);
        }
        best * 1e6 / n
    };
    // A checksum of every stage's results keeps the optimiser from dropping the work.
    let mut sink = 0usize;
    let t_norm = time(&mut || {
        for b in bodies {
            sink += rules.normalizer.normalize(b).text.len();
        }
    });
    let mut scratch = super::AnalyseScratch::default();
    let t_scan = time(&mut || {
        for b in bodies {
            let nm = rules.normalizer.normalize(b);
            sink += rules.matcher.scan_only(&nm.text, &mut scratch.rules);
        }
    });
    scratch.hits.resize_with(rules.packs.len(), Vec::new);
    let t_hits = time(&mut || {
        for b in bodies {
            let nm = rules.normalizer.normalize(b);
            rules
                .matcher
                .hits(&rules.packs, &nm, &mut scratch.rules, &mut scratch.hits);
            sink += scratch.hits.iter().map(Vec::len).sum::<usize>();
        }
    });
    let t_analyse = time(&mut || {
        for b in bodies {
            sink += rules.analyse(b, &mut scratch).hits.len();
        }
    });
    let inputs: Vec<Input> = bodies.iter().map(|b| Input::text(b)).collect();
    let settings = TimeSettings::default();
    let t_total = time(&mut || {
        sink += classify_batch(rules, &inputs, &settings).len();
    });
    std::hint::black_box(sink);
    Stages {
        normalize: t_norm,
        scan: t_scan - t_norm,
        regexes: t_hits - t_scan,
        analyse: t_analyse - t_hits,
        batch: t_total - t_analyse,
        total: t_total,
    }
}

/// One throughput measurement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Throughput {
    /// Messages classified.
    pub messages: usize,
    /// Distinct bodies they were cycled from.
    pub distinct: usize,
    /// Average body length, characters.
    pub avg_chars: f64,
    /// CPU time of the classifying thread, seconds (wall time where not measurable).
    pub seconds: f64,
    /// Wall time, seconds.
    pub wall_seconds: f64,
    /// Messages per second (CPU time).
    pub per_second: f64,
    /// How many came out as collection.
    pub collection: usize,
}

/// Times one [`classify_batch`] over `bodies`.
fn measure(rules: &RuleSet, bodies: &[String], distinct: usize) -> Throughput {
    let inputs: Vec<Input> = bodies.iter().map(|b| Input::text(b)).collect();
    let time = TimeSettings::default();
    let t = ThreadTimer::start();
    let verdicts = classify_batch(rules, &inputs, &time);
    let (seconds, wall) = t.stop();
    let chars: usize = bodies.iter().map(|b| b.chars().count()).sum();
    let n = inputs.len().max(1);
    Throughput {
        messages: inputs.len(),
        distinct,
        avg_chars: chars as f64 / n as f64,
        seconds,
        wall_seconds: wall,
        per_second: inputs.len() as f64 / seconds.max(1e-9),
        collection: verdicts.iter().filter(|v| v.collection).count(),
    }
}

/// The `body` fields of a JSON Lines text (lines without one are skipped).
pub fn corpus_bodies(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("body").and_then(|b| b.as_str()).map(str::to_string))
        .collect()
}

/// `samples` cycled to `n`, each made unique by a suffix so no result can be reused.
fn cycled(samples: &[String], n: usize) -> Vec<String> {
    if samples.is_empty() {
        return Vec::new();
    }
    (0..n.max(1))
        .map(|i| format!("{}{}", samples[i % samples.len()], i % 997))
        .collect()
}

/// Runs the benchmark with `n` messages per throughput; `corpus` holds the varied
/// bodies (JSON Lines with a `body` field).
///
/// # Errors
/// Only if the bundled packs fail to load.
pub fn run(n: usize, corpus: &str) -> Result<BenchReport, Error> {
    let varied_samples = corpus_bodies(corpus);
    // Cold pass first, on packs nothing has run on yet.
    let fresh = RuleSet::bundled()?;
    let cold = measure(&fresh, &varied_samples, varied_samples.len());
    drop(fresh);
    let mut load_ms = f64::MAX;
    let mut rules = None;
    for _ in 0..5 {
        // Thread CPU time, as for throughput.
        let t = ThreadTimer::start();
        let r = RuleSet::bundled()?;
        load_ms = load_ms.min(t.stop().0 * 1000.0);
        rules = Some(r);
    }
    let rules = rules.ok_or(Error::NoCollectionPack)?;
    let samples: Vec<String> = rules
        .packs()
        .iter()
        .flat_map(|p| p.def.examples.iter().map(|e| e.body.clone()))
        .collect();
    // Every example once, so each label regex that any example needs is compiled before
    // the throughput is measured (a one-off cost per process, reported on its own).
    let first_use_ms = measure(&rules, &samples, samples.len()).seconds * 1000.0;
    let repeated = measure(&rules, &cycled(&samples, n), samples.len());
    let varied_bodies = cycled(&varied_samples, n);
    let varied = measure(&rules, &varied_bodies, varied_samples.len());
    let stages = stages(&rules, &varied_bodies);
    Ok(BenchReport {
        wall_seconds: repeated.wall_seconds,
        load_ms,
        first_use_ms,
        messages: repeated.messages,
        avg_chars: repeated.avg_chars,
        seconds: repeated.seconds,
        per_second: repeated.per_second,
        collection: repeated.collection,
        distinct_examples: samples.len(),
        varied,
        cold,
        stages,
    })
}
