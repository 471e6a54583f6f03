//! User-facing sentences of the command line and the use-case layer.

use super::Lang;

/// The sentence for an [`crate::Error::BadInput`] with the given key and value.
pub fn bad_input(key: &str, what: &str, lang: Lang) -> String {
    // classify area keys (label, message_id, …).
    if let Some(s) = super::classify::bad_input(key, what, lang) {
        return s;
    }
    match (key, lang) {
        ("lang", Lang::Zh) => format!("不支持的语言：{what}（可用 zh 或 en）。"),
        ("lang", Lang::En) => format!("Unsupported language: {what} (use zh or en)."),
        ("zone", Lang::Zh) => format!("无法识别的时区：{what}（例如 Asia/Shanghai）。"),
        ("zone", Lang::En) => format!("Unknown time zone: {what} (e.g. Asia/Shanghai)."),
        ("date", Lang::Zh) => format!("无法识别的日期：{what}（请用 2026-03-10 这样的格式）。"),
        ("date", Lang::En) => format!("Cannot read the date {what} (use a form like 2026-03-10)."),
        (_, Lang::Zh) => format!("输入有误：{what}。"),
        (_, Lang::En) => format!("Bad input: {what}."),
    }
}

/// The sentence shown instead of a panic.
pub fn internal_error(lang: Lang) -> &'static str {
    lang.pick(
        "程序内部出错，操作已中止；您的数据未被修改。请把所用命令告诉开发者。",
        "An internal error stopped the operation; your data was not changed. Please report the command you ran.",
    )
}
