//! Every flag of the `quzheng` command line, defined once (../shared/contract/cli.md).

use clap::{Args, Parser, Subcommand, ValueEnum};
use quzheng::i18n::Lang;
use std::path::PathBuf;

/// 取证 Quzheng: turn debt-collection SMS into verifiable evidence, offline.
#[derive(Debug, Parser)]
#[command(name = "quzheng", version, about)]
pub struct Cli {
    /// The vault file (default: the platform data directory, e.g. ~/.local/share/quzheng/vault.qz).
    #[arg(long, global = true, env = "QUZHENG_VAULT")]
    pub vault: Option<PathBuf>,
    /// Language of messages: zh (default) or en.
    #[arg(long, global = true, env = "QUZHENG_LANG", default_value = "zh", value_parser = parse_lang)]
    pub lang: Lang,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse::<Lang>()
        .map_err(|v| format!("unsupported language {v:?} (use zh or en)"))
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty encrypted vault.
    Init,
    /// Import messages and call logs, classify them and store them encrypted.
    Import(ImportArgs),
    /// List stored messages, newest last.
    Messages(MessagesArgs),
    /// Classify JSON Lines from standard input (no vault needed).
    Classify(ClassifyArgs),
    /// Re-run classification over the vault after a rule update (corrections are kept).
    Reclassify(RulesArgs),
    /// Evaluate the classifier on a labelled JSON Lines file: per-label precision, recall, F1.
    Eval(EvalArgs),
    /// Add or remove a label on a stored message, with a note.
    Correct(CorrectArgs),
    /// List, rename or merge creditors.
    Creditors(CreditorsArgs),
    /// Write the PDF evidence pack for the chosen messages.
    Report(ReportArgs),
    /// Check an evidence pack against the manifest inside it.
    Verify(VerifyArgs),
    /// Check every record of the vault (authentication tags and the hash chain).
    Check,
    /// Change the passphrase without re-encrypting the data.
    Passwd,
    /// Build a throw-away vault from the bundled sample case and write its evidence pack.
    Demo(DemoArgs),
    /// Measure speed and memory and print the numbers.
    Bench(BenchArgs),
    /// Developer tool: train the statistical label model from labelled corpus files.
    #[command(hide = true)]
    TrainModel(TrainModelArgs),
}

/// Rule-pack selection, shared by every command that classifies.
#[derive(Debug, Args, Clone, Default)]
pub struct RulesArgs {
    /// A directory of extra rule packs (*.toml) that add to or override the bundled ones.
    #[arg(long)]
    pub rules: Option<PathBuf>,
}

/// Time-label settings, shared by every command that classifies.
#[derive(Debug, Args, Clone, Default)]
pub struct TimeArgs {
    /// Time zone for local time and time labels (default Asia/Shanghai, or the vault's).
    #[arg(long)]
    pub tz: Option<String>,
    /// Night window, local time (default 22:00-08:00).
    #[arg(long)]
    pub night: Option<String>,
    /// More than this many collection messages from one creditor on one day is excessive (default 3).
    #[arg(long = "max-per-day")]
    pub max_per_day: Option<u32>,
}

/// Source formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum FormatArg {
    /// Decide from the content.
    #[default]
    Auto,
    /// SMS Backup & Restore XML (messages or calls).
    Sbr,
    /// Android mmssms.db / calllog.db.
    AndroidDb,
    /// iPhone sms.db or an unencrypted backup folder.
    IosDb,
    /// CSV (UTF-8 or GB18030).
    Csv,
    /// JSON Lines in the classify input schema.
    Jsonl,
}

/// `quzheng import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files (or an iPhone backup folder) to import.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Source format.
    #[arg(long, value_enum, default_value_t = FormatArg::Auto)]
    pub format: FormatArg,
    /// Create the vault if it does not exist.
    #[arg(long)]
    pub create: bool,
    /// Rule packs.
    #[command(flatten)]
    pub rules: RulesArgs,
}

/// Output formats of `messages`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ListFormat {
    /// A readable table.
    #[default]
    Table,
    /// One JSON object per line.
    Jsonl,
}

/// Message selection shared by `messages` and `report`.
#[derive(Debug, Args, Clone, Default)]
pub struct SelectionArgs {
    /// Only these creditors (repeatable).
    #[arg(long)]
    pub creditor: Vec<String>,
    /// From this date (YYYY-MM-DD or RFC 3339), inclusive.
    #[arg(long)]
    pub since: Option<String>,
    /// Until this date (YYYY-MM-DD or RFC 3339), inclusive.
    #[arg(long)]
    pub until: Option<String>,
}

/// `quzheng messages`.
#[derive(Debug, Args)]
pub struct MessagesArgs {
    /// Only messages with this label (repeatable; any of them).
    #[arg(long)]
    pub label: Vec<String>,
    /// Creditor and period.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

/// `quzheng classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// Rule packs.
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Time-label settings.
    #[command(flatten)]
    pub time: TimeArgs,
}

/// `quzheng eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// A labelled JSON Lines file (classify input plus gold `collection` and `labels`).
    pub file: PathBuf,
    /// Rule packs.
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Rules only, without the statistical model's findings (for comparison).
    #[arg(long, hide = true)]
    pub no_model: bool,
    /// A model file to use instead of the bundled one (developer use).
    #[arg(long, hide = true)]
    pub model: Option<PathBuf>,
}

/// `quzheng train-model` (hidden developer command).
#[derive(Debug, Args)]
pub struct TrainModelArgs {
    /// Labelled JSON Lines files to train on (never the held-out test splits).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write the model file.
    #[arg(long)]
    pub out: PathBuf,
    /// Rule packs that decide where the model is used (as in `eval`).
    #[command(flatten)]
    pub rules: RulesArgs,
    /// log2 of the number of hashed buckets.
    #[arg(long, default_value_t = 16)]
    pub bits: u32,
    /// Passes over the data.
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Precision the per-label thresholds aim for (cross-validated).
    #[arg(long, default_value_t = 0.9)]
    pub precision: f64,
    /// Choose thresholds only where no rule gave the label (the real use; on a corpus
    /// the rules were tuned on, too few positives remain and labels switch off).
    #[arg(long)]
    pub gated: bool,
    /// Train on gold collection messages only (default: every incoming message).
    #[arg(long)]
    pub collection_only: bool,
    /// Lowest probability threshold the cross-validation may choose.
    #[arg(long, default_value_t = 0.5)]
    pub min_threshold: f32,
    /// Initial learning rate.
    #[arg(long, default_value_t = 0.5)]
    pub rate: f32,
    /// L2 strength.
    #[arg(long, default_value_t = 1e-5)]
    pub l2: f32,
}

/// `quzheng correct`.
#[derive(Debug, Args)]
pub struct CorrectArgs {
    /// The message id (as `messages` prints it).
    pub id: String,
    /// Add this label (repeatable).
    #[arg(long)]
    pub add: Vec<String>,
    /// Remove this label (repeatable).
    #[arg(long)]
    pub remove: Vec<String>,
    /// Why (kept with the correction).
    #[arg(long, default_value = "")]
    pub note: String,
}

/// `quzheng creditors`.
#[derive(Debug, Args)]
pub struct CreditorsArgs {
    /// Rename FROM to TO.
    #[arg(long, num_args = 2, value_names = ["FROM", "TO"])]
    pub rename: Option<Vec<String>>,
    /// Merge FROM into INTO.
    #[arg(long, num_args = 2, value_names = ["FROM", "INTO"])]
    pub merge: Option<Vec<String>>,
}

/// Audiences of the evidence pack's letter.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum AudienceArg {
    /// 报警材料/情况说明 for the police.
    Police,
    /// 12378 投诉书 and a 12321 report.
    Regulator,
    /// 起诉状 draft for a court.
    Court,
}

/// `quzheng report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The PDF to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Creditor and period.
    #[command(flatten)]
    pub selection: SelectionArgs,
    /// The complainant's name for the cover and letters.
    #[arg(long)]
    pub complainant: Option<String>,
    /// Append the letter for this audience.
    #[arg(long, value_enum)]
    pub audience: Option<AudienceArg>,
    /// Generation time to print (RFC 3339); fixes the output for byte-identical packs.
    #[arg(long)]
    pub now: Option<String>,
}

/// `quzheng verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The evidence pack.
    pub file: PathBuf,
}

/// `quzheng demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the demo pack (default: a new temporary directory).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `quzheng bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to measure: vault, import, classify, report, or all.
    #[arg(default_value = "all")]
    pub what: String,
    /// How many messages.
    #[arg(long, default_value_t = 100_000)]
    pub n: usize,
}
