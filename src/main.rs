//! The `quzheng` command line (../shared/contract/cli.md). All logic lives in the library;
//! this binary parses flags, reads passphrases, prints, and maps errors to exit codes.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
