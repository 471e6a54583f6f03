//! Binary-only code: flag parsing ([`args`]), passphrase prompts, output, and the single
//! place where errors become exit codes and one plain sentence ([`main`]).

pub mod args;
mod cmd_bench;
mod cmd_classify;
mod cmd_import;
mod cmd_report;
mod cmd_vault;
mod commands;
pub mod output;

use clap::Parser;
use quzheng::i18n::{self, Lang};
use std::process::ExitCode;

/// Parses flags, runs the command, prints one sentence on error and returns the exit code.
pub fn main() -> ExitCode {
    // A panic must never show a backtrace or message text to the user: print one sentence
    // and exit 4 instead.
    std::panic::set_hook(Box::new(|_| {
        eprintln!("{}", i18n::cli::internal_error(lang_from_env()));
    }));
    let args = match args::Cli::try_parse() {
        Ok(a) => a,
        Err(e) => {
            use clap::error::ErrorKind as K;
            let code = match e.kind() {
                K::DisplayHelp
                | K::DisplayVersion
                | K::DisplayHelpOnMissingArgumentOrSubcommand => 0,
                _ => 2,
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let lang = args.lang;
    match std::panic::catch_unwind(|| commands::run(args)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => {
            eprintln!("{}", i18n::error_message(&err, lang));
            ExitCode::from(err.kind().exit_code())
        }
        Err(_) => ExitCode::from(4),
    }
}

/// The language from `--lang`/`QUZHENG_LANG` before flags are parsed (for the panic hook).
fn lang_from_env() -> Lang {
    let mut it = std::env::args();
    while let Some(a) = it.next() {
        if a == "--lang" {
            if let Some(v) = it.next() {
                return v.parse().unwrap_or_default();
            }
        } else if let Some(v) = a.strip_prefix("--lang=") {
            return v.parse().unwrap_or_default();
        }
    }
    std::env::var("QUZHENG_LANG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_default()
}
