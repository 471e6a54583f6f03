//! User-facing sentences of the `import` module.

use super::Lang;

/// One sentence for a `import` error.
pub fn error_message(err: &crate::import::Error, lang: Lang) -> String {
    match err {
        crate::import::Error::NotBuilt => lang
            .pick("该功能尚未完成。", "This feature is not built yet.")
            .to_string(),
    }
}
