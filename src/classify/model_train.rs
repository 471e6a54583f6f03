//! Reproducible training of the label model ([`super::model`]) from the labelled corpus.
//!
//! Logistic regression, one weight vector per text label over the hashed 1–3-grams of the
//! normalised text, fitted by plain stochastic gradient descent: a fixed number of epochs,
//! examples visited in an order drawn from a fixed-seed xorshift generator, a learning
//! rate that decays per epoch, L2 applied to the weights an example touches. The same
//! corpus and options always give the same bytes.
//!
//! Thresholds: the corpus is cut into `folds` contiguous blocks (the corpus files list the
//! variants of one template together, so a block holds mostly whole templates and the
//! held-out block is wording the fold's model never saw). Each block is scored by a model
//! trained on the others; the threshold of a label is the lowest grid value (from
//! `min_threshold`, 0.5 by default: the model must at least find the label more likely
//! than not, to 1) at which the
//! out-of-fold predictions reach `target_precision` on exactly the messages where the
//! model would be used: those the rules call collection and that no rule gave the label.
//! A label whose predictions never reach it is switched off (threshold above 1).
//!
//! Units: probabilities in 0..=1; `bits` is log2 of the bucket count.

use super::model::{for_each_gram, Model, LABELS};
use super::{classify_batch, Input, RuleSet, TimeSettings};
use crate::model::Label;

/// Training options (the defaults are what the bundled model was trained with).
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// log2 of the number of hashed buckets.
    pub bits: u32,
    /// Passes over the data.
    pub epochs: usize,
    /// Initial learning rate (divided by `1 + epoch / 2`).
    pub rate: f32,
    /// L2 strength per update.
    pub l2: f32,
    /// Contiguous cross-validation blocks for the thresholds.
    pub folds: usize,
    /// Precision the thresholds aim for on the gated out-of-fold predictions.
    pub target_precision: f64,
    /// Lowest threshold considered (the grid runs from here to 1 in 40 steps).
    pub min_threshold: f32,
    /// Fewest true positives a threshold needs on the out-of-fold predictions.
    pub min_true: usize,
    /// Train on every incoming message (non-collection ones as negatives for every
    /// label), not only on the gold collection messages.
    pub all_messages: bool,
    /// Choose thresholds only on messages where no rule gave the label (exactly the real
    /// use, but the rules were tuned on this corpus and miss only a handful of its
    /// messages, so every label ends up switched off); `false` (default): on every
    /// message the rules call collection.
    pub gated_thresholds: bool,
    /// Seed of the example order.
    pub seed: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            bits: 16,
            epochs: 8,
            rate: 0.5,
            l2: 1e-5,
            folds: 5,
            target_precision: 0.9,
            min_threshold: 0.5,
            min_true: 3,
            all_messages: true,
            gated_thresholds: false,
            seed: 0x5eed_2026,
        }
    }
}

/// One labelled corpus file: its inputs (classified together as one batch, like `eval`)
/// and gold (collection, labels) per input.
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    /// The messages.
    pub inputs: Vec<Input<'a>>,
    /// Gold decision per message.
    pub gold: Vec<(bool, Vec<Label>)>,
}

/// What cross-validation measured for one label at its chosen threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelReport {
    /// The label.
    pub label: Label,
    /// Chosen threshold (above 1: switched off).
    pub threshold: f32,
    /// Out-of-fold messages the thresholds were chosen on whose gold has the label.
    pub positives: usize,
    /// Of the positives, found by the model at the threshold.
    pub true_added: usize,
    /// Out-of-fold messages wrongly given the label at the threshold.
    pub false_added: usize,
}

/// The trained model and what cross-validation said about it.
#[derive(Debug, Clone)]
pub struct Trained {
    /// The model (thresholds included).
    pub model: Model,
    /// One report per text label.
    pub labels: Vec<LabelReport>,
    /// Training examples used.
    pub examples: usize,
}

struct Example {
    buckets: Vec<u32>,
    norm: f32,
    gold: [bool; LABELS],
    train: bool,
    gated: [bool; LABELS],
}

/// Trains the model on `batches` with `opts`; `rules` is used without a model to find
/// where the model would be asked (collection, label not given by a rule).
pub fn train(rules: &RuleSet, batches: &[Batch], opts: &Options) -> Trained {
    let plain = rules.clone().with_model(None);
    let time = TimeSettings::default();
    let mut ex: Vec<Example> = Vec::new();
    for b in batches {
        let verdicts = classify_batch(&plain, &b.inputs, &time);
        for ((inp, (gc, gl)), v) in b.inputs.iter().zip(&b.gold).zip(&verdicts) {
            let text = plain.normalize(inp.body).text;
            let mut buckets = Vec::new();
            for_each_gram(&text, opts.bits, |k, _, _| buckets.push(k as u32));
            let norm = if buckets.is_empty() {
                0.0
            } else {
                1.0 / (buckets.len() as f32).sqrt()
            };
            let mut gold = [false; LABELS];
            let mut gated = [false; LABELS];
            for (l, label) in Label::TEXT.into_iter().enumerate() {
                gold[l] = *gc && gl.contains(&label);
                gated[l] = v.collection && (!opts.gated_thresholds || !v.labels.contains(&label));
            }
            let incoming = inp.direction == crate::model::Direction::In;
            ex.push(Example {
                buckets,
                norm,
                gold,
                train: *gc || (opts.all_messages && incoming),
                gated,
            });
        }
    }
    // Out-of-fold probabilities.
    let k = opts.folds.max(2);
    let total = ex.len();
    let fold_of = |i: usize| i * k / total.max(1);
    let mut oof = vec![[0f32; LABELS]; total];
    for f in 0..k {
        let (w, bias) = fit(&ex, |i| fold_of(i) != f, opts);
        for (i, e) in ex.iter().enumerate() {
            if fold_of(i) == f {
                oof[i] = probs(&w, &bias, e);
            }
        }
    }
    let mut threshold = [2.0f32; LABELS];
    let mut reports = Vec::new();
    for (l, label) in Label::TEXT.into_iter().enumerate() {
        let cand: Vec<(f32, bool)> = ex
            .iter()
            .zip(&oof)
            .filter(|(e, _)| e.gated[l])
            .map(|(e, p)| (p[l], e.gold[l]))
            .collect();
        let missed = cand.iter().filter(|c| c.1).count();
        let mut rep = LabelReport {
            label,
            threshold: 2.0,
            positives: missed,
            true_added: 0,
            false_added: 0,
        };
        // Lowest grid threshold that reaches the precision target.
        for step in 0..=40 {
            let t = opts.min_threshold + step as f32 * (1.0 - opts.min_threshold) / 40.0;
            let tp = cand.iter().filter(|c| c.0 >= t && c.1).count();
            let fp = cand.iter().filter(|c| c.0 >= t && !c.1).count();
            if tp >= opts.min_true && tp as f64 / (tp + fp) as f64 >= opts.target_precision {
                threshold[l] = t;
                rep.threshold = t;
                rep.true_added = tp;
                rep.false_added = fp;
                break;
            }
        }
        reports.push(rep);
    }
    let (w, bias) = fit(&ex, |_| true, opts);
    Trained {
        model: Model::quantise(opts.bits, &w, bias, threshold),
        labels: reports,
        examples: ex.iter().filter(|e| e.train).count(),
    }
}

fn probs(w: &[f32], bias: &[f32; LABELS], e: &Example) -> [f32; LABELS] {
    let mut z = *bias;
    for &b in &e.buckets {
        let row = &w[b as usize * LABELS..b as usize * LABELS + LABELS];
        for l in 0..LABELS {
            z[l] += row[l] * e.norm;
        }
    }
    z.map(super::model::sigmoid)
}

/// Fits weights (bucket-major) and biases on the training examples that `keep` accepts.
fn fit(ex: &[Example], keep: impl Fn(usize) -> bool, opts: &Options) -> (Vec<f32>, [f32; LABELS]) {
    let mut w = vec![0f32; (1usize << opts.bits) * LABELS];
    let mut bias = [0f32; LABELS];
    let mut order: Vec<usize> = (0..ex.len()).filter(|&i| ex[i].train && keep(i)).collect();
    let mut rng = opts.seed | 1;
    for epoch in 0..opts.epochs {
        // Fisher–Yates with xorshift64: the same seed gives the same order everywhere.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        let rate = opts.rate / (1.0 + epoch as f32 / 2.0);
        for &i in &order {
            let e = &ex[i];
            let p = probs(&w, &bias, e);
            let mut g = [0f32; LABELS];
            for l in 0..LABELS {
                g[l] = p[l] - if e.gold[l] { 1.0 } else { 0.0 };
                bias[l] -= rate * g[l];
            }
            for &b in &e.buckets {
                let row = &mut w[b as usize * LABELS..b as usize * LABELS + LABELS];
                for l in 0..LABELS {
                    row[l] -= rate * (g[l] * e.norm + opts.l2 * row[l]);
                }
            }
        }
    }
    (w, bias)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny corpus where one word decides a label: training must find it, and the same
    /// options must give the same bytes twice.
    #[test]
    fn learns_a_separable_word_and_is_deterministic() {
        let rules = RuleSet::bundled().expect("rules");
        let mut bodies = Vec::new();
        for i in 0..60 {
            let tactic = i % 2 == 0;
            bodies.push((
                format!(
                    "{}欠款{}元请尽快处理{}",
                    ["张三", "李四", "王五"][i % 3],
                    100 + i,
                    if tactic {
                        "否则后果很严重"
                    } else {
                        "谢谢配合"
                    }
                ),
                tactic,
            ));
        }
        let batch = Batch {
            inputs: bodies.iter().map(|(b, _)| Input::text(b)).collect(),
            gold: bodies
                .iter()
                .map(|(_, t)| (true, if *t { vec![Label::Threat] } else { vec![] }))
                .collect(),
        };
        let opts = Options {
            bits: 12,
            ..Options::default()
        };
        let a = train(&rules, std::slice::from_ref(&batch), &opts);
        let b = train(&rules, std::slice::from_ref(&batch), &opts);
        assert_eq!(a.model.to_bytes(), b.model.to_bytes());
        let n = |s: &str| rules.normalize(s).text;
        let yes = a.model.probabilities(&n("赵六欠款999元否则后果很严重"))[0];
        let no = a.model.probabilities(&n("赵六欠款999元谢谢配合"))[0];
        assert!(yes > 0.8 && no < 0.2, "{yes} {no}");
    }
}
