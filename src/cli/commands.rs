//! Dispatch from parsed flags to the library's use cases: one match arm per command, each
//! calling the `cmd_*` module of its area.

use super::args::{Cli, Command};
use quzheng::Result;
use std::process::ExitCode;

/// Runs one command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    #[allow(clippy::match_single_binding)]
    let lang = cli.lang;
    match cli.command {
        Command::Classify(a) => super::cmd_classify::run_classify(&a),
        Command::Eval(a) => super::cmd_classify::run_eval(&a, lang),
        Command::Bench(a) => super::cmd_bench::run(&a, lang),
        // Areas add their arms above this line.
        other => Err(quzheng::Error::bad_input("not_built", format!("{other:?}"))),
    }
}
