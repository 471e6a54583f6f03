//! User-facing sentences of the `report` module.

use super::Lang;

/// One sentence for a `report` error.
pub fn error_message(err: &crate::report::Error, lang: Lang) -> String {
    match err {
        crate::report::Error::NotBuilt => lang
            .pick("该功能尚未完成。", "This feature is not built yet.")
            .to_string(),
    }
}
