//! User-facing sentences of the `classify` module.

use super::Lang;

/// One sentence for a `classify` error.
pub fn error_message(err: &crate::classify::Error, lang: Lang) -> String {
    match err {
        crate::classify::Error::NotBuilt => lang
            .pick("该功能尚未完成。", "This feature is not built yet.")
            .to_string(),
    }
}
