//! `quzheng classify` and `quzheng eval`: flags in, library use cases, text out.

use super::args::{ClassifyArgs, EvalArgs};
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
    let rules = api::load_rules(args.rules.rules.as_deref())?;
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

/// `quzheng bench classify`: prints load time and throughput.
pub fn run_bench(n: usize, lang: Lang) -> Result<()> {
    let r = api::bench(n)?;
    let w = i18n::classify::bench_lines(lang);
    println!("classify: {}: {:.2} ms", w[0], r.load_ms);
    println!(
        "classify: {}: {} msgs ({:.1} chars avg, {} collection) in {:.3} s = {:.0} {}",
        w[1], r.messages, r.avg_chars, r.collection, r.seconds, r.per_second, w[2]
    );
    Ok(())
}
