//! Errors as they cross IPC: `{code, message}` (plus `retry_after_s` for the unlock delay).
//!
//! `code` is `ErrorKind::code()` for core errors (`bad_input`, `wrong_passphrase`, `damaged`,
//! `other`) or one of the shell's own codes (`locked`, `retry_later`, `no_pack`, `cancelled`,
//! `exists`, `missing`, `confirm`, `internal`). Core errors carry their sentence, already in
//! the user's language, from `quzheng::i18n::error_message`. The shell's own codes carry an
//! empty message: the UI owns those sentences (`ui/src/i18n`), because the Rust side keeps no
//! user-facing Chinese outside the core's `i18n`. Nothing internal (paths of panics, `Debug`
//! output, message bodies) ever reaches the UI.

use quzheng::i18n::Lang;
use serde::Serialize;
use std::sync::atomic::{AtomicU8, Ordering};

/// The UI language, for translating core errors. A process-wide value because every command
/// needs it to build its error, and it changes only when the user switches language.
static LANG: AtomicU8 = AtomicU8::new(0);

/// Sets the language used for error sentences.
pub fn set_lang(lang: Lang) {
    LANG.store(if lang == Lang::En { 1 } else { 0 }, Ordering::Relaxed);
}

/// The language used for error sentences.
pub fn lang() -> Lang {
    if LANG.load(Ordering::Relaxed) == 1 {
        Lang::En
    } else {
        Lang::Zh
    }
}

/// An error for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IpcError {
    /// Machine-readable code (see the module docs).
    pub code: String,
    /// One sentence in the user's language; empty for shell codes (the UI fills it in).
    pub message: String,
    /// Seconds until the next unlock attempt is allowed (only with `retry_later` and
    /// `wrong_passphrase`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
}

impl IpcError {
    /// One of the shell's own codes; the UI supplies the sentence.
    pub fn shell(code: &'static str) -> Self {
        IpcError {
            code: code.into(),
            message: String::new(),
            retry_after_s: None,
        }
    }

    /// Adds the unlock delay.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_s = (secs > 0).then_some(secs);
        self
    }
}

impl From<quzheng::Error> for IpcError {
    fn from(err: quzheng::Error) -> Self {
        IpcError {
            code: err.kind().code().into(),
            message: quzheng::i18n::error_message(&err, lang()),
            retry_after_s: None,
        }
    }
}

impl From<quzheng::vault::Error> for IpcError {
    fn from(err: quzheng::vault::Error) -> Self {
        quzheng::Error::from(err).into()
    }
}

/// The shell's result type.
pub type Result<T> = std::result::Result<T, IpcError>;

/// Maps an I/O error on `path` to the core's sentence for it.
pub fn io(path: &std::path::Path, err: std::io::Error) -> IpcError {
    quzheng::Error::io(path, err).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_error_has_code_and_empty_message() {
        let json = serde_json::to_value(IpcError::shell("locked")).unwrap();
        assert_eq!(json, serde_json::json!({"code": "locked", "message": ""}));
    }

    #[test]
    fn core_error_is_translated_and_coded() {
        set_lang(Lang::En);
        let e: IpcError = quzheng::Error::bad_input("date", "2026-13-40").into();
        assert_eq!(e.code, "bad_input");
        assert!(e.message.contains("2026-13-40"), "{}", e.message);
        set_lang(Lang::Zh);
        let e: IpcError = quzheng::Error::bad_input("date", "x").into();
        assert!(!e.message.is_ascii());
        let json = serde_json::to_value(e.retry_after(3)).unwrap();
        assert_eq!(json["retry_after_s"], 3);
    }

    #[test]
    fn a_full_disk_is_one_plain_sentence() {
        // What saving a pack returns when the disk is full (write_atomic's error). A real
        // full disk cannot be made in a test without mounting a filesystem; the sentence
        // for that error is what this checks.
        let full = || std::io::Error::from(std::io::ErrorKind::StorageFull);
        let err = |path: &str| {
            quzheng::Error::from(quzheng::report::Error::Output {
                path: path.into(),
                source: full(),
            })
        };
        let e: IpcError = err("/media/usb/quzheng-evidence.pdf").into();
        let reasons = [Lang::Zh, Lang::En].map(|l| quzheng::i18n::io_reason(&full(), l));
        assert!(
            reasons.iter().any(|r| e.message.contains(r.as_str())),
            "{}",
            e.message
        );
        assert!(e.message.contains("quzheng-evidence.pdf"));
        assert_eq!(e.message.lines().count(), 1, "one sentence");
        assert!(!e.message.contains("StorageFull") && !e.message.contains("os error"));
    }
}
