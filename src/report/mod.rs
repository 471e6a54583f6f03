//! The evidence pack: a PDF for police, regulators and courts, plus DOCX letters, CSV and
//! JSON of the same selection, and [`verify`] for a pack someone hands back.
//!
//! Input is plain model values ([`PackInput`]): messages with their *effective* verdicts
//! and the user's corrections, the source files, the vault's chain head and the rule-pack
//! version. This module never sees a vault, reads no clock (the caller passes
//! [`PackOptions::now`]) and uses no randomness, so the same input gives the same bytes.
//!
//! Layout of the module:
//! * [`font`]: the bundled CJK font and its per-pack subset;
//! * [`pdf`]: a deterministic PDF writer; [`layout`]: Chinese line breaking and page flow;
//! * [`chart`]: vector charts; [`legal`]: statute texts from `assets/legal`, chosen by date;
//! * [`content`]: the sections of the pack; [`manifest`]: the embedded manifest, the seal
//!   and [`verify`]; [`export`]: CSV, JSON and the DOCX letters.
//!
//! Times: every instant is shown in Beijing time (or [`PackInput::zone`]) *and* UTC.

pub mod bench;
pub mod chart;
pub mod content;
pub mod export;
pub mod font;
pub mod layout;
pub mod legal;
pub mod manifest;
pub mod pdf;
pub mod sample;

use crate::error::ErrorKind;
use crate::i18n::Lang;
use crate::model::{Label, Message, Verdict};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub use manifest::{verify, Problem, VerifyReport};

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The selection holds no messages, so there is nothing to put in a pack.
    #[error("no messages selected")]
    NothingSelected,
    /// A bundled legal text in `assets/legal` is malformed (a build defect, caught by tests).
    #[error("legal text {file}: {reason}")]
    LegalText {
        /// The file under `assets/legal`.
        file: String,
        /// What is wrong (missing field, bad date, missing article).
        reason: String,
    },
    /// The bundled font could not be read (a build defect, caught by tests).
    #[error("font: {0}")]
    Font(&'static str),
    /// A file given to `verify` is not an evidence pack made by Quzheng.
    #[error("{path} is not a Quzheng evidence pack")]
    NotAPack {
        /// The file.
        path: PathBuf,
    },
    /// `--creditor` names a creditor the vault does not know.
    #[error("unknown creditor {name}")]
    UnknownCreditor {
        /// The name given.
        name: String,
        /// The creditors the vault knows.
        known: Vec<String>,
    },
    /// The output file (or its directory) cannot be written; nothing was left behind.
    #[error("cannot write {path}: {source}")]
    Output {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file given to `verify` could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NothingSelected
            | Error::NotAPack { .. }
            | Error::Read { .. }
            | Error::UnknownCreditor { .. }
            | Error::Output { .. } => ErrorKind::BadInput,
            Error::LegalText { .. } | Error::Font(_) => ErrorKind::Other,
        }
    }
}

/// Who the appended letter is for (`--audience`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 报警材料/情况说明 for 110 or the local police station.
    Police,
    /// 12378 投诉书 plus a 12321 report block.
    Regulator,
    /// A 起诉状 draft with facts and the evidence list.
    Court,
}

/// A user's correction of a verdict, shown as such in the pack (never merged silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PackCorrection {
    /// Labels the user added.
    pub add: Vec<Label>,
    /// Labels the user removed.
    pub remove: Vec<Label>,
    /// The user's note.
    pub note: String,
    /// When, RFC 3339.
    pub at: String,
}

/// One message (or call) in the pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackMessage {
    /// The vault's record id (shown so the pack can be matched to the vault).
    pub id: i64,
    /// The message as imported, verbatim.
    pub message: Message,
    /// The effective verdict (classifier output with corrections applied).
    pub verdict: Verdict,
    /// The corrections behind the effective verdict, oldest first.
    #[serde(default)]
    pub corrections: Vec<PackCorrection>,
    /// Index into [`PackInput::sources`] of the file it came from.
    #[serde(default)]
    pub source: Option<usize>,
}

/// One imported source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PackSource {
    /// File name as imported.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the original bytes.
    pub sha256: String,
    /// When it was imported, RFC 3339.
    pub imported_at: String,
    /// Format (`sbr`, `android-db` …).
    #[serde(default)]
    pub format: String,
    /// Record count the file declared (SB&R `count`), if any.
    #[serde(default)]
    pub declared: Option<u64>,
    /// Records found.
    #[serde(default)]
    pub found: Option<u64>,
}

/// Everything the pack shows; plain values only.
#[derive(Debug, Clone, PartialEq)]
pub struct PackInput {
    /// The complainant's name (`--complainant`), if given.
    pub complainant: Option<String>,
    /// The selected messages and calls, in any order (the pack sorts them).
    pub messages: Vec<PackMessage>,
    /// The source files the messages came from.
    pub sources: Vec<PackSource>,
    /// The vault's hash-chain head at export time.
    pub chain_head: String,
    /// The rule-pack version that produced the verdicts.
    pub rule_version: String,
    /// The selected period, if the user chose one (else the messages' own span).
    pub since: Option<NaiveDate>,
    /// End of the selected period (inclusive).
    pub until: Option<NaiveDate>,
    /// Display zone (Asia/Shanghai by default).
    pub zone: Tz,
}

/// How to build the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct PackOptions {
    /// The generation time printed on the cover (the caller's clock or `--now`).
    pub now: DateTime<Utc>,
    /// The letter to append.
    pub audience: Option<Audience>,
    /// Language of headings and letters (the pack is written for Chinese authorities, so
    /// Chinese is the default; messages are always verbatim).
    pub lang: Lang,
}

/// A built pack.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The PDF, sealed.
    pub pdf: Vec<u8>,
    /// The letter as an editable DOCX (when an audience was chosen).
    pub letters_docx: Option<Vec<u8>>,
    /// The selection as CSV (UTF-8 with BOM, so Excel opens it correctly).
    pub csv: Vec<u8>,
    /// The selection as JSON.
    pub json: Vec<u8>,
    /// The pack id printed on the cover.
    pub pack_id: String,
    /// The manifest hash printed on the cover.
    pub manifest_hash: String,
    /// Lowercase hex SHA-256 of the whole PDF.
    pub sha256: String,
    /// Number of pages.
    pub pages: usize,
}

/// The tool version printed on the cover.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Builds the pack.
///
/// # Errors
/// [`Error::NothingSelected`] when `input.messages` is empty; [`Error::LegalText`] or
/// [`Error::Font`] only if a bundled asset is broken.
pub fn build(input: &PackInput, opts: &PackOptions) -> Result<Pack, Error> {
    if input.messages.is_empty() {
        return Err(Error::NothingSelected);
    }
    let laws = legal::Library::bundled()?;
    let font = font::Font::bundled().map_err(|e| Error::Font(e.0))?;
    let built = content::render(input, opts, &laws, &font);
    let pdf = manifest::seal(built, input);
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf.bytes));
    Ok(Pack {
        letters_docx: opts
            .audience
            .map(|_| export::letter_docx(&pdf.model.letter)),
        csv: export::csv(input),
        json: export::json(input, &pdf.pack_id, &pdf.manifest_hash),
        pack_id: pdf.pack_id,
        manifest_hash: pdf.manifest_hash,
        pages: pdf.pages,
        pdf: pdf.bytes,
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> PackOptions {
        PackOptions {
            now: DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            audience: Some(Audience::Police),
            lang: Lang::Zh,
        }
    }

    #[test]
    fn same_input_and_now_give_identical_bytes() {
        let input = sample::demo_input();
        let a = build(&input, &opts()).unwrap();
        let b = build(&input, &opts()).unwrap();
        assert!(a.pdf == b.pdf, "PDF differs between two builds");
        assert_eq!(a.letters_docx, b.letters_docx);
        let mut later = opts();
        later.now += chrono::Duration::seconds(1);
        assert_ne!(build(&input, &later).unwrap().pdf, a.pdf);
        if let Ok(dir) = std::env::var("QUZHENG_KEEP_PACK") {
            std::fs::write(format!("{dir}/sample.pdf"), &a.pdf).unwrap();
        }
    }

    #[test]
    fn verify_says_intact_for_a_fresh_pack() {
        let pack = build(&sample::demo_input(), &opts()).unwrap();
        let r = verify(&pack.pdf).unwrap();
        assert!(r.intact(), "{:?}", r.problems);
        assert_eq!(r.pack_id, pack.pack_id);
        assert!(r.messages > 100 && r.pages == pack.pages);
        assert!(
            pack.pdf.len() < 2_000_000,
            "pack weighs {} bytes",
            pack.pdf.len()
        );
    }

    #[test]
    fn verify_catches_a_flipped_byte_anywhere() {
        let pack = build(&sample::demo_input(), &opts()).unwrap();
        let len = pack.pdf.len();
        // Every 997th byte, plus the first and last: each flip must be caught.
        let mut positions: Vec<usize> = (0..len).step_by(997).collect();
        positions.extend([0, 5, len - 2, len - 70, len - 200]);
        for p in positions {
            let mut bad = pack.pdf.clone();
            bad[p] ^= 0x01;
            match verify(&bad) {
                Ok(r) => assert!(!r.intact(), "flip at {p} of {len} not caught"),
                Err(()) => assert!(p < 5, "flip at {p} made it unrecognisable"),
            }
        }
    }

    #[test]
    fn verify_names_the_changed_page_and_an_appended_update() {
        let pack = build(&sample::demo_input(), &opts()).unwrap();
        let mut appended = pack.pdf.clone();
        appended.extend_from_slice(b"1 0 obj\n<< /Type /Catalog >>\nendobj\nxref\n0 1\ntrailer\n<< >>\nstartxref\n0\n%%EOF\n");
        let r = verify(&appended).unwrap();
        assert!(
            matches!(r.problems[0], Problem::Appended { .. }),
            "{:?}",
            r.problems
        );
        let m: manifest::Manifest = {
            let mark = pack
                .pdf
                .windows(22)
                .rposition(|w| w == b"/Type /QuzhengManifest")
                .unwrap();
            let s = pack.pdf[mark..]
                .windows(7)
                .position(|w| w == b"stream\n")
                .unwrap()
                + mark
                + 7;
            let e = pack.pdf[s..]
                .windows(10)
                .position(|w| w == b"\nendstream")
                .unwrap()
                + s;
            serde_json::from_slice(&pack.pdf[s..e]).unwrap()
        };
        let page3 = m.objects.iter().find(|o| o.what == "page:3").unwrap();
        let mut bad = pack.pdf.clone();
        bad[page3.offset + page3.len / 2] ^= 0x20;
        let r = verify(&bad).unwrap();
        assert!(
            r.problems
                .iter()
                .any(|p| matches!(p, Problem::Object { what, .. } if what == "page:3")),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn nothing_selected_is_bad_input() {
        let mut input = sample::demo_input();
        input.messages.clear();
        let e = build(&input, &opts()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadInput);
    }

    #[test]
    fn not_a_pdf_is_not_a_pack() {
        assert!(verify(b"hello").is_err());
        assert!(verify(b"%PDF-1.4\n%%EOF\n").is_err());
    }
}
