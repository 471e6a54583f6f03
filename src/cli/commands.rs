//! Dispatch from parsed flags to the library's use cases: one match arm per command, each
//! calling the `cmd_*` module of its area.

use super::args::{Cli, Command};
use super::{cmd_bench, cmd_classify, cmd_import, cmd_report, cmd_vault};
use quzheng::Result;
use std::process::ExitCode;

/// Runs one command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let vault = cli.vault.as_deref();
    let lang = cli.lang;
    match &cli.command {
        // vault area
        Command::Init => cmd_vault::init(vault, lang),
        Command::Check => cmd_vault::check(vault, lang),
        Command::Passwd => cmd_vault::passwd(vault, lang),
        Command::Messages(a) => cmd_vault::messages(vault, lang, a),
        Command::Import(a) => cmd_import::run(vault, lang, a),
        Command::Bench(a) => cmd_bench::run(a, lang),
        // classify area
        Command::Classify(a) => cmd_classify::run_classify(a),
        Command::Eval(a) => cmd_classify::run_eval(a, lang),
        Command::Reclassify(a) => cmd_classify::run_reclassify(vault, lang, a),
        Command::Correct(a) => cmd_classify::run_correct(vault, lang, a),
        Command::Creditors(a) => cmd_classify::run_creditors(vault, lang, a),
        Command::TrainModel(a) => cmd_classify::run_train_model(a),
        // report area
        Command::Report(a) => cmd_report::report(vault, lang, a),
        Command::Verify(a) => cmd_report::verify(lang, a),
        Command::Demo(a) => cmd_report::demo(lang, a),
        // Every command has its arm now, so no catch-all (the compiler checks coverage).
    }
}
