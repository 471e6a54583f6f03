//! User-facing sentences of the `vault` module.

use super::Lang;

/// One sentence for a `vault` error.
pub fn error_message(err: &crate::vault::Error, lang: Lang) -> String {
    match err {
        crate::vault::Error::NotBuilt => lang
            .pick("该功能尚未完成。", "This feature is not built yet.")
            .to_string(),
    }
}
