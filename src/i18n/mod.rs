//! Every user-facing sentence, Chinese first, English second, by key.
//!
//! Outside this module (and rule packs, legal texts and tests) Rust code holds no Chinese
//! literals: the CLI, the PDF and the app all take their words from here so they agree.
//! Each area keeps its sentences in its own file (`i18n/vault.rs`, `i18n/import.rs`, …).

pub mod classify;
pub mod cli;
pub mod import;
pub mod report;
pub mod vault;

use crate::error::Error;
use crate::model::Label;
use serde::{Deserialize, Serialize};

/// The language of user-facing text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lang {
    /// Simplified Chinese (the default).
    #[default]
    Zh,
    /// English.
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Ok(Lang::Zh),
            "en" | "en-us" | "en_us" | "en-gb" => Ok(Lang::En),
            _ => Err(s.to_string()),
        }
    }
}

impl Lang {
    /// Picks the Chinese or the English text.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// The display name of a label (恐吓/威胁 …), one table for CLI, PDF and app.
pub fn label_name(label: Label, lang: Lang) -> &'static str {
    let (zh, en) = match label {
        Label::Threat => ("恐吓/威胁", "Threat"),
        Label::Insult => ("侮辱/诽谤", "Insult"),
        Label::ThirdPartyDisclosure => ("向第三方披露/散布隐私", "Disclosure to third parties"),
        Label::Impersonation => ("冒充国家机关", "Impersonating authorities"),
        Label::Deception => ("虚假/误导性法律后果", "False legal consequences"),
        Label::NightContact => ("夜间催收", "Night-time contact"),
        Label::ExcessiveFrequency => ("频繁骚扰", "Excessive frequency"),
    };
    lang.pick(zh, en)
}

/// One plain sentence for an error, in `lang`: what went wrong and, where it helps, what to do.
pub fn error_message(err: &Error, lang: Lang) -> String {
    match err {
        Error::Vault(e) => vault::error_message(e, lang),
        Error::Import(e) => import::error_message(e, lang),
        Error::Classify(e) => classify::error_message(e, lang),
        Error::Report(e) => report::error_message(e, lang),
        Error::BadInput { key, what } => cli::bad_input(key, what, lang),
        Error::Io { path, source } => match lang {
            Lang::Zh => format!(
                "无法读写文件 {}：{}。",
                path.display(),
                io_reason(source, lang)
            ),
            Lang::En => format!(
                "Cannot read or write {}: {}.",
                path.display(),
                io_reason(source, lang)
            ),
        },
    }
}

/// A short reason for an I/O error, in `lang` (no OS jargon where a common case applies).
pub fn io_reason(err: &std::io::Error, lang: Lang) -> String {
    use std::io::ErrorKind as K;
    let (zh, en) = match err.kind() {
        K::NotFound => ("文件或目录不存在", "it does not exist"),
        K::PermissionDenied => ("没有权限", "permission denied"),
        K::AlreadyExists => ("文件已存在", "it already exists"),
        K::StorageFull => ("磁盘空间已满", "the disk is full"),
        K::UnexpectedEof => ("文件意外结束", "the file ends unexpectedly"),
        _ => return err.to_string(),
    };
    lang.pick(zh, en).to_string()
}
