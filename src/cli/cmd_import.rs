//! `quzheng import`: a progress bar on a terminal (silence otherwise), then one summary per
//! file — imported, duplicates, skipped with reasons and places, warnings — and the total.

use super::args::{FormatArg, ImportArgs};
use super::cmd_vault::{passphrase, vault_path};
use quzheng::api::import::{self as api, ImportOptions, ImportProgress};
use quzheng::i18n::{self, Lang};
use quzheng::import::Format;
use quzheng::Result;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Auto => Format::Auto,
        FormatArg::Sbr => Format::Sbr,
        FormatArg::AndroidDb => Format::AndroidDb,
        FormatArg::IosDb => Format::IosDb,
        FormatArg::Csv => Format::Csv,
        FormatArg::Jsonl => Format::Jsonl,
    }
}

/// Runs `quzheng import`.
pub fn run(vault: Option<&Path>, lang: Lang, args: &ImportArgs) -> Result<ExitCode> {
    let path = vault_path(vault)?;
    let pass = passphrase(lang)?;
    let opts = ImportOptions {
        format: format(args.format),
        create: args.create,
        rules: args.rules.rules.clone(),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    });
    let mut on_progress = |p: ImportProgress| {
        if let Some(b) = &bar {
            b.set_prefix(format!("{}/{}", p.file_index + 1, p.files));
            b.set_length(p.within.bytes_total);
            b.set_position(p.within.bytes_done);
            b.set_message(p.within.records.to_string());
        }
    };
    let outcome = api::import_files(&path, &pass, &args.files, &opts, &mut on_progress)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut first_error: Option<quzheng::Error> = None;
    for f in outcome.files {
        let name = f.path.display().to_string();
        if let Some(e) = f.error {
            eprintln!("{}", i18n::error_message(&e, lang));
            first_error.get_or_insert(e);
            continue;
        }
        let (skipped, warnings) = f
            .report
            .as_ref()
            .map(|r| (r.skipped.clone(), r.warnings.clone()))
            .unwrap_or_default();
        println!(
            "{}",
            i18n::vault::import_summary(
                &name,
                f.imported,
                f.duplicates,
                skipped.len(),
                warnings.len(),
                lang
            )
        );
        for s in &skipped {
            println!("  {}", i18n::import::skipped_line(s, lang));
        }
        for w in &warnings {
            println!("  {}", i18n::import::warning(w, lang));
        }
    }
    match outcome.collection {
        Some(c) => println!("{}", i18n::vault::import_total(outcome.total, c, lang)),
        None => {
            println!("{}", i18n::vault::import_total(outcome.total, 0, lang));
            eprintln!("{}", i18n::vault::not_classified(lang));
        }
    }
    match first_error {
        Some(e) => Ok(ExitCode::from(e.kind().exit_code())),
        None => Ok(ExitCode::SUCCESS),
    }
}
