//! `report`, `verify` and `demo`: thin wrappers over [`quzheng::api::report`].

use super::args::{AudienceArg, DemoArgs, ReportArgs, VerifyArgs};
use quzheng::api::report as api;
use quzheng::i18n::{report as t, Lang};
use quzheng::report::Audience;
use quzheng::{Error, Result};
use std::path::Path;
use std::process::ExitCode;

fn now(given: Option<&str>) -> Result<chrono::DateTime<chrono::Utc>> {
    match given {
        Some(s) => chrono::DateTime::parse_from_rfc3339(s.trim())
            .map(|d| d.with_timezone(&chrono::Utc))
            .map_err(|_| Error::bad_input("date", s)),
        None => Ok(chrono::Utc::now()),
    }
}

/// `quzheng report`: prints the PDF's path and SHA-256.
pub fn report(vault: Option<&Path>, lang: Lang, args: &ReportArgs) -> Result<ExitCode> {
    let at = now(args.now.as_deref())?;
    let path = super::cmd_vault::vault_path(vault)?;
    let pass = super::cmd_vault::passphrase(lang)?;
    let mut v = quzheng::api::vault::open(&path, &pass)?;
    let sel = api::Selection {
        creditors: args.selection.creditor.clone(),
        since: args.selection.since.clone(),
        until: args.selection.until.clone(),
        complainant: args.complainant.clone(),
    };
    let audience = args.audience.map(|a| match a {
        AudienceArg::Police => Audience::Police,
        AudienceArg::Regulator => Audience::Regulator,
        AudienceArg::Court => Audience::Court,
    });
    let out = api::write_report(&mut v, &sel, &args.out, audience, at, lang)?;
    println!("{}", out.pdf.display());
    println!("sha256 {}", out.sha256);
    eprintln!(
        "{}",
        t::report_written(
            &out.pack_id,
            out.messages,
            out.pages,
            &out.manifest_hash,
            lang
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// `quzheng verify FILE.pdf`: exit 0 "intact", 1 naming each difference, 2 not a pack.
pub fn verify(lang: Lang, args: &VerifyArgs) -> Result<ExitCode> {
    let r = api::verify_file(&args.file)?;
    if r.intact() {
        println!(
            "{}",
            t::verify_intact(&r.pack_id, r.messages, r.pages, lang)
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{}",
            t::verify_damaged(&args.file.display().to_string(), lang)
        );
        for p in &r.problems {
            println!("  {}", t::verify_problem(p, lang));
        }
        Ok(ExitCode::from(1))
    }
}

/// `quzheng demo [--out DIR]`: prints the demo PDF's path.
pub fn demo(lang: Lang, args: &DemoArgs) -> Result<ExitCode> {
    let out = api::demo(args.out.as_deref(), chrono::Utc::now(), lang)?;
    println!("{}", out.pdf.display());
    Ok(ExitCode::SUCCESS)
}

/// `quzheng bench report`: a 1,000-message pack (or `--n` when smaller than the default
/// 100,000 meant for the vault) against headless Chromium, and a 10,000-message memory run.
pub fn bench(n: usize) -> Result<()> {
    let n = if n >= 100_000 { 1_000 } else { n };
    let r = quzheng::report::bench::run(n, 10_000)?;
    println!(
        "report benchmark ({} messages; release build recommended)",
        r.n
    );
    println!(
        "  quzheng pack : {:.3} s, {} bytes, {} pages",
        r.quzheng.seconds,
        r.quzheng.bytes,
        r.quzheng.pages.unwrap_or(0)
    );
    match &r.chromium {
        Ok(c) => {
            println!(
                "  chromium     : {:.3} s, {} bytes (same rows as an HTML table)",
                c.seconds, c.bytes
            );
            let ratio = r.quzheng.seconds / c.seconds.max(1e-9);
            println!(
                "  time ratio {:.3} (goal <= 0.25: {}), size ratio {:.3} (goal < 1: {})",
                ratio,
                if ratio <= 0.25 { "ok" } else { "MISSED" },
                r.quzheng.bytes as f64 / c.bytes.max(1) as f64,
                if r.quzheng.bytes < c.bytes {
                    "ok"
                } else {
                    "MISSED"
                }
            );
        }
        Err(why) => println!("  chromium     : not measured: {why}"),
    }
    println!(
        "  {} messages: {:.3} s, {} bytes; peak memory {} (goal <= 300 MB: {})",
        r.big_n,
        r.big_seconds,
        r.big_bytes,
        r.peak_mb
            .map(|m| format!("{m:.0} MB"))
            .unwrap_or_else(|| "unknown".into()),
        match r.peak_mb {
            Some(m) if m <= 300.0 => "ok",
            Some(_) => "MISSED",
            None => "unknown",
        }
    );
    Ok(())
}
