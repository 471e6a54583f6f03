//! `quzheng classify` and `quzheng eval`: flags in, library use cases, text out.

use super::args::{ClassifyArgs, EvalArgs, TrainModelArgs};
use quzheng::api::classify as api;
use quzheng::i18n::{self, Lang};
use quzheng::Result;
use std::io::Write;
use std::process::ExitCode;

/// `quzheng classify`: JSON Lines from stdin to stdout.
pub fn run_classify(args: &ClassifyArgs) -> Result<ExitCode> {
    let time = api::time_settings(
        args.time.tz.as_deref(),
        args.time.night.as_deref(),
        args.time.max_per_day,
    )?;
    let rules = api::load_rules(args.rules.rules.as_deref())?;
    let stdin = std::io::stdin().lock();
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    api::classify_jsonl(stdin, stdout, &rules, &time)?;
    Ok(ExitCode::SUCCESS)
}

/// `quzheng eval FILE`: prints per-label precision, recall and F1.
pub fn run_eval(args: &EvalArgs, lang: Lang) -> Result<ExitCode> {
    let mut rules = api::load_rules(args.rules.rules.as_deref())?;
    if args.no_model {
        rules = rules.with_model(None);
    } else if let Some(path) = &args.model {
        let bytes = std::fs::read(path).map_err(|e| quzheng::Error::io(path, e))?;
        let m = quzheng::classify::model::Model::from_bytes(&bytes)
            .map_err(quzheng::classify::Error::from)?;
        rules = rules.with_model(Some(m));
    }
    let r = api::eval_file(&args.file, &rules)?;
    let h = i18n::classify::eval_headings(lang);
    let rows = i18n::classify::eval_rows(lang);
    let mut out = String::new();
    out.push_str(&format!(
        "{:<24} {:>9} {:>9} {:>7} {:>7}\n",
        h[0], h[1], h[2], h[3], h[4]
    ));
    let row = |name: &str, c: &api::Counts| {
        format!(
            "{:<24} {:>9.3} {:>9.3} {:>7.3} {:>7}\n",
            name,
            c.precision(),
            c.recall(),
            c.f1(),
            c.support()
        )
    };
    for (l, c) in &r.labels {
        out.push_str(&row(l.id(), c));
    }
    out.push_str(&row(rows[0], &r.collection));
    out.push_str(&format!("{}: {:.3}\n", rows[1], r.macro_f1));
    out.push_str(&format!("{}: {}\n", rows[2], r.labels_on_non_collection));
    out.push_str(&format!("{}: {}\n", rows[3], r.bad_spans));
    out.push_str(&format!("{}: {}\n", rows[4], r.messages));
    if std::env::var_os("QUZHENG_EVAL_MISSES").is_some() {
        for m in &r.misses {
            out.push_str(&format!(
                "line {}: gold {} {:?} got {} {:?}\n",
                m.line, m.gold.0, m.gold.1, m.got.0, m.got.1
            ));
        }
    }
    let mut so = std::io::stdout().lock();
    let _ = so.write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// `quzheng train-model FILES --out PATH`: trains the label model and prints the
/// cross-validated threshold of every label (a developer command, English only).
pub fn run_train_model(args: &TrainModelArgs) -> Result<ExitCode> {
    use quzheng::classify::model_train::Options;
    let rules = api::load_rules(args.rules.rules.as_deref())?;
    let opts = Options {
        bits: args.bits,
        epochs: args.epochs,
        target_precision: args.precision,
        all_messages: args.all_messages,
        rate: args.rate,
        l2: args.l2,
        gated_thresholds: args.gated,
        min_threshold: args.min_threshold,
        ..Options::default()
    };
    let t = api::train_model(&args.files, &rules, &opts)?;
    let bytes = t.model.to_bytes();
    std::fs::write(&args.out, &bytes).map_err(|e| quzheng::Error::io(&args.out, e))?;
    let mut out = format!(
        "trained on {} messages; {} bytes, model {}\n",
        t.examples,
        bytes.len(),
        t.model.id()
    );
    out.push_str(
        "label                    threshold        positives  added-true  added-false (out-of-fold)\n",
    );
    for r in &t.labels {
        out.push_str(&format!(
            "{:<24} {:>9.4} {:>16} {:>11} {:>12}\n",
            r.label.id(),
            r.threshold,
            r.positives,
            r.true_added,
            r.false_added
        ));
    }
    // Like `eval`: a closed pipe (`| head`) is not an error.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    Ok(ExitCode::SUCCESS)
}

/// The varied text of `bench classify`: the dev split of the labelled corpus, embedded
/// in the command-line binary only (not in the library the app links).
const BENCH_CORPUS: &str = include_str!("../../tests/fixtures/corpus/dev.jsonl");

/// `quzheng bench classify`: prints load time, throughput on varied and on repeated
/// text, and where the time of a `quzheng classify` run over the corpus goes.
pub fn run_bench(n: usize, lang: Lang) -> Result<()> {
    let r = api::bench(n, BENCH_CORPUS)?;
    let w = i18n::classify::bench_lines(lang);
    let verdict = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!(
        "classify: {}: {:.2} ms (goal <= 50 ms: {}); regexes compiled on first use: {:.2} ms more",
        w[0],
        r.load_ms,
        verdict(r.load_ms <= 50.0),
        r.first_use_ms
    );
    let line = |what: &str, t: &quzheng::classify::bench::Throughput, goal: bool| {
        println!(
            "classify: {}, {}: {} msgs ({} distinct, {:.1} chars avg, {} collection) in {:.3} s CPU ({:.3} s wall) = {:.0} {}{}",
            w[1],
            what,
            t.messages,
            t.distinct,
            t.avg_chars,
            t.collection,
            t.seconds,
            t.wall_seconds,
            t.per_second,
            w[2],
            if goal {
                format!(" (goal >= 200000: {})", verdict(t.per_second >= 200_000.0))
            } else {
                String::new()
            }
        );
    };
    line(w[3], &r.varied, true);
    let repeated = quzheng::classify::bench::Throughput {
        messages: r.messages,
        distinct: r.distinct_examples,
        avg_chars: r.avg_chars,
        seconds: r.seconds,
        wall_seconds: r.wall_seconds,
        per_second: r.per_second,
        collection: r.collection,
    };
    line(w[4], &repeated, true);
    line(w[5], &r.cold, false);
    let st = &r.stages;
    println!(
        "classify: {}: normalise {:.2}, scan {:.2}, regexes+unless {:.2}, analyse {:.2}, batch {:.2} = {:.2} µs/msg",
        w[10], st.normalize, st.scan, st.regexes, st.analyse, st.batch, st.total
    );
    let p = api::profile_classify(BENCH_CORPUS)?;
    let total = p.total_ms();
    println!(
        "classify: {} (dev.jsonl, {} lines): {} {:.1} ms, {} {:.1} ms, {} {:.1} ms, {} {:.1} ms = {:.1} ms CPU ({:.0} {})",
        w[6],
        p.messages,
        w[7],
        p.load_ms,
        w[8],
        p.read_ms,
        w[1],
        p.classify_ms,
        w[9],
        p.write_ms,
        total,
        p.messages as f64 / (total / 1000.0).max(1e-9),
        w[2]
    );
    if let Some(m) = api::bench_model(n, BENCH_CORPUS)? {
        println!(
            "classify: label model: {:.0} ns per 32-char text, {:.0} ns per corpus text ({:.1} chars avg) (goal <= 1000 ns per 32 chars: {}); whole classifier on varied text: {:.0} {} with the model, {:.0} without",
            m.ns_per_32_chars,
            m.ns_per_corpus_text,
            m.corpus_avg_chars,
            verdict(m.ns_per_32_chars <= 1000.0),
            m.with_model_per_second,
            w[2],
            m.without_model_per_second,
        );
    }
    Ok(())
}

/// `quzheng reclassify`.
pub fn run_reclassify(
    vault: Option<&std::path::Path>,
    lang: Lang,
    args: &super::args::RulesArgs,
) -> Result<ExitCode> {
    let path = super::cmd_vault::vault_path(vault)?;
    let pass = super::cmd_vault::passphrase(lang)?;
    let r = api::reclassify(&path, &pass, args.rules.as_deref())?;
    println!(
        "{}",
        i18n::classify::reclassify_summary(
            lang,
            r.messages,
            r.collection,
            r.changed,
            &r.rule_version
        )
    );
    for f in &r.calls {
        println!("{}", i18n::classify::call_finding_line(lang, f));
    }
    Ok(ExitCode::SUCCESS)
}

/// `quzheng correct ID --add L --remove L --note N`.
pub fn run_correct(
    vault: Option<&std::path::Path>,
    lang: Lang,
    args: &super::args::CorrectArgs,
) -> Result<ExitCode> {
    let path = super::cmd_vault::vault_path(vault)?;
    let pass = super::cmd_vault::passphrase(lang)?;
    let v = api::correct(
        &path,
        &pass,
        &args.id,
        &args.add,
        &args.remove,
        &args.note,
        chrono::Utc::now(),
    )?;
    let labels: Vec<&str> = v.labels.iter().map(|l| l.id()).collect();
    println!(
        "{}",
        i18n::classify::corrected(lang, &args.id, &labels.join(", "))
    );
    Ok(ExitCode::SUCCESS)
}

/// `quzheng creditors [--rename FROM TO | --merge FROM INTO]`.
pub fn run_creditors(
    vault: Option<&std::path::Path>,
    lang: Lang,
    args: &super::args::CreditorsArgs,
) -> Result<ExitCode> {
    let path = super::cmd_vault::vault_path(vault)?;
    let pass = super::cmd_vault::passphrase(lang)?;
    let pair = |v: &Vec<String>| {
        (
            v.first().cloned().unwrap_or_default(),
            v.get(1).cloned().unwrap_or_default(),
        )
    };
    let rows = if let Some(r) = &args.rename {
        let (a, b) = pair(r);
        api::alias_creditor(&path, &pass, &a, &b, false)?
    } else if let Some(m) = &args.merge {
        let (a, b) = pair(m);
        api::alias_creditor(&path, &pass, &a, &b, true)?
    } else {
        api::list_creditors(&path, &pass)?
    };
    if rows.is_empty() {
        println!("{}", i18n::classify::no_creditors(lang));
        return Ok(ExitCode::SUCCESS);
    }
    let h = i18n::classify::creditor_headings(lang);
    println!("{}\t{}\t{}\t{}", h[0], h[1], h[2], h[3]);
    for r in rows {
        println!(
            "{}\t{}\t{}\t{}",
            r.name,
            r.messages,
            r.addresses.join(","),
            r.aliases.join(",")
        );
    }
    Ok(ExitCode::SUCCESS)
}
