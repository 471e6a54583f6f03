//! `init`, `check`, `passwd`, `messages`, plus the vault path and passphrase helpers every
//! command that opens the vault uses ([`vault_path`], [`passphrase`]).

use super::args::{ListFormat, MessagesArgs};
use quzheng::api::vault as api;
use quzheng::i18n::{self, vault as t, Lang};
use quzheng::{Error, Result};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeroize::Zeroizing;

/// The vault file: `--vault`/`QUZHENG_VAULT`, else the platform data directory.
///
/// # Errors
/// When neither is available (no home directory).
pub fn vault_path(given: Option<&Path>) -> Result<PathBuf> {
    given
        .map(Path::to_path_buf)
        .or_else(api::default_vault_path)
        .ok_or_else(|| Error::bad_input("vault_path", "--vault"))
}

/// The passphrase: `QUZHENG_PASSPHRASE`, else a prompt that does not echo.
///
/// # Errors
/// When there is no terminal to prompt on.
pub fn passphrase(lang: Lang) -> Result<Zeroizing<String>> {
    from_env_or_prompt("QUZHENG_PASSPHRASE", t::prompt_passphrase(lang))
}

fn from_env_or_prompt(var: &str, prompt: &str) -> Result<Zeroizing<String>> {
    if let Some(v) = std::env::var_os(var) {
        return Ok(Zeroizing::new(v.to_string_lossy().into_owned()));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|_| Error::bad_input("passphrase", var))
}

/// A new passphrase from `var`, or prompted twice.
fn new_passphrase(var: &str, lang: Lang) -> Result<Zeroizing<String>> {
    if std::env::var_os(var).is_some() {
        return from_env_or_prompt(var, "");
    }
    let a = from_env_or_prompt(var, t::prompt_new_passphrase(lang))?;
    let b = from_env_or_prompt(var, t::prompt_repeat_passphrase(lang))?;
    if a != b {
        return Err(Error::bad_input(
            "passphrase_mismatch",
            t::passphrases_differ(lang),
        ));
    }
    Ok(a)
}

/// `quzheng init`.
pub fn init(vault: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let path = vault_path(vault)?;
    if path.exists() {
        return Err(quzheng::vault::Error::AlreadyExists { path }.into());
    }
    let pass = new_passphrase("QUZHENG_PASSPHRASE", lang)?;
    let v = api::create(&path, &pass)?;
    drop(v);
    println!("{}", path.display());
    eprintln!("{}", t::created(&path.display().to_string(), lang));
    Ok(ExitCode::SUCCESS)
}

/// `quzheng check`: exit 0 when intact, 1 naming every problem.
pub fn check(vault: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let path = vault_path(vault)?;
    let pass = passphrase(lang)?;
    let report = api::check(&path, &pass)?;
    if report.is_intact() {
        println!("{}", t::intact(report.records, &report.head, lang));
        return Ok(ExitCode::SUCCESS);
    }
    let heading = t::damaged_heading(report.problems.len(), report.records, lang);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{heading}");
    for p in &report.problems {
        let _ = writeln!(out, "  - {}", t::problem(p, lang));
    }
    eprintln!("{heading}");
    Ok(ExitCode::from(1))
}

/// `quzheng passwd`.
pub fn passwd(vault: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    let path = vault_path(vault)?;
    let old = passphrase(lang)?;
    // Check the old passphrase before asking for a new one.
    drop(api::open(&path, &old)?);
    let new = new_passphrase("QUZHENG_NEW_PASSPHRASE", lang)?;
    api::passwd(&path, &old, &new)?;
    println!("{}", t::passwd_done(lang));
    Ok(ExitCode::SUCCESS)
}

/// `quzheng messages`.
pub fn messages(vault: Option<&Path>, lang: Lang, args: &MessagesArgs) -> Result<ExitCode> {
    let path = vault_path(vault)?;
    let pass = passphrase(lang)?;
    let v = api::open(&path, &pass)?;
    let zone = api::zone(&v)?;
    let filter = api::MessageFilter::parse(
        &args.label,
        &args.selection.creditor,
        args.selection.since.as_deref(),
        args.selection.until.as_deref(),
        zone,
    )?;
    let list = api::list_messages(&v, &filter)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // A closed pipe (`| head`) is not an error worth a message.
    let res = match args.format {
        ListFormat::Jsonl => list.iter().try_for_each(|m| {
            let line = serde_json::to_string(m).expect("listed messages serialise to JSON");
            writeln!(out, "{line}")
        }),
        ListFormat::Table => write_table(&mut out, &list, zone, lang).and_then(|_| {
            let total = v.message_count().unwrap_or(0) as usize;
            writeln!(out, "{}", t::listed(list.len(), total, lang))
        }),
    };
    let _ = res.and_then(|_| out.flush());
    Ok(ExitCode::SUCCESS)
}

fn write_table(
    out: &mut dyn Write,
    list: &[api::ListedMessage],
    zone: chrono_tz::Tz,
    lang: Lang,
) -> std::io::Result<()> {
    let h = t::table_headings(lang);
    let wide = std::io::stdout().is_terminal();
    writeln!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}",
        h[0], h[1], h[2], h[3], h[4], h[5]
    )?;
    for m in list {
        let when = chrono::DateTime::parse_from_rfc3339(&m.ts)
            .map(|d| d.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|_| m.ts.clone());
        let labels: Vec<&str> = m
            .labels
            .iter()
            .map(|l| i18n::label_name(*l, lang))
            .collect();
        let sep = lang.pick("、", ", ");
        let mut body: String = m
            .body
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' || c == '\t' {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        // On a terminal keep rows on one line; piped output keeps the full text.
        if wide && body.chars().count() > 60 {
            body = body.chars().take(59).collect::<String>() + "…";
        }
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            m.id,
            when,
            m.address,
            m.creditor.as_deref().unwrap_or("-"),
            if labels.is_empty() {
                "-".to_string()
            } else {
                labels.join(sep)
            },
            body
        )?;
    }
    Ok(())
}
