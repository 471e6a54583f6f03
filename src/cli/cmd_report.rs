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
