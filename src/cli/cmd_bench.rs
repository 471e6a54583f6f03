//! `quzheng bench WHAT`: each area's measuring code lives in the library; this only
//! dispatches. (Minimal version from the classify branch; the vault area owns this file.)

use super::args::BenchArgs;
use quzheng::i18n::Lang;
use quzheng::Result;
use std::process::ExitCode;

/// Runs the benchmarks named by `args.what`.
pub fn run(args: &BenchArgs, lang: Lang) -> Result<ExitCode> {
    let all = args.what == "all";
    let mut ran = false;
    if all || args.what == "classify" {
        super::cmd_classify::run_bench(args.n, lang)?;
        ran = true;
    }
    if !ran {
        return Err(quzheng::Error::bad_input("bench_what", args.what.clone()));
    }
    Ok(ExitCode::SUCCESS)
}
