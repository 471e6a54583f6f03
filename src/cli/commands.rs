//! Dispatch from parsed flags to the library's use cases: one match arm per command, each
//! calling the `cmd_*` module of its area.

use super::args::Cli;
use quzheng::Result;
use std::process::ExitCode;

/// Runs one command.
pub fn run(cli: Cli) -> Result<ExitCode> {
    #[allow(clippy::match_single_binding)]
    match cli.command {
        // Areas add their arms above this line.
        other => Err(quzheng::Error::bad_input("not_built", format!("{other:?}"))),
    }
}
