//! User-facing sentences of the `import` module: errors, skipped-record reasons and
//! warnings, Chinese first. Also the Chinese words the CSV reader recognises in headers
//! and direction cells (data, kept here because Rust code outside `i18n` holds no Chinese).

use super::Lang;
use crate::import::{Error, Format, SkipReason, Skipped, Warning, WarningKind};

/// CSV header cells (lower-cased) and the column id each one means (see
/// `docs/formats/csv.md`). Canonical ids (`address`, `body`, `ts` …) are always accepted.
pub const CSV_HEADER_ALIASES: &[(&str, &str)] = &[
    ("number", "address"),
    ("phone", "address"),
    ("from", "address"),
    ("sender", "address"),
    ("号码", "address"),
    ("电话", "address"),
    ("电话号码", "address"),
    ("手机号", "address"),
    ("手机号码", "address"),
    ("发件人", "address"),
    ("发送方", "address"),
    ("发信人", "address"),
    ("对方号码", "address"),
    ("联系人号码", "address"),
    ("text", "body"),
    ("content", "body"),
    ("message", "body"),
    ("内容", "body"),
    ("短信内容", "body"),
    ("信息内容", "body"),
    ("消息内容", "body"),
    ("正文", "body"),
    ("date", "ts"),
    ("time", "ts"),
    ("datetime", "ts"),
    ("timestamp", "ts"),
    ("时间", "ts"),
    ("日期", "ts"),
    ("发送时间", "ts"),
    ("接收时间", "ts"),
    ("日期时间", "ts"),
    ("type", "direction"),
    ("类型", "direction"),
    ("方向", "direction"),
    ("收发", "direction"),
    ("name", "contact_name"),
    ("contact", "contact_name"),
    ("联系人", "contact_name"),
    ("姓名", "contact_name"),
    ("duration", "duration_s"),
    ("时长", "duration_s"),
    ("通话时长", "duration_s"),
];

/// Direction words in CSV cells (lower-cased): `false` = received, `true` = sent.
pub const CSV_DIRECTION_WORDS: &[(&str, bool)] = &[
    ("接收", false),
    ("收到", false),
    ("收件", false),
    ("收件箱", false),
    ("已接收", false),
    ("来信", false),
    ("发送", true),
    ("已发送", true),
    ("发件", true),
    ("发件箱", true),
    ("发出", true),
];

fn fmt_name(f: Format, lang: Lang) -> &'static str {
    match f {
        Format::Auto => lang.pick("自动识别", "auto-detected"),
        Format::Sbr => lang.pick(
            "SMS Backup & Restore 备份（XML）",
            "an SMS Backup & Restore XML backup",
        ),
        Format::AndroidDb => lang.pick(
            "安卓短信数据库（mmssms.db）",
            "an Android mmssms.db database",
        ),
        Format::IosDb => lang.pick(
            "苹果短信数据库（sms.db）或 iPhone 备份",
            "an iPhone sms.db or backup",
        ),
        Format::Csv => lang.pick("CSV 表格", "a CSV table"),
        Format::Jsonl => lang.pick("JSON Lines 文件", "a JSON Lines file"),
    }
}

/// One sentence for an `import` error, naming the file and the place.
pub fn error_message(err: &Error, lang: Lang) -> String {
    match (err, lang) {
        (Error::UnknownFormatName { name }, Lang::Zh) => format!(
            "不认识的格式 {name}（可用 auto、sbr、android-db、ios-db、csv、jsonl）。"
        ),
        (Error::UnknownFormatName { name }, Lang::En) => format!(
            "Unknown format {name} (use auto, sbr, android-db, ios-db, csv or jsonl)."
        ),
        (Error::Open { path, .. }, Lang::Zh) => {
            format!("无法打开文件 {}：请确认文件存在且有读取权限。", path.display())
        }
        (Error::Open { path, .. }, Lang::En) => format!(
            "Cannot open {}: check that the file exists and is readable.",
            path.display()
        ),
        (Error::Read { path, source }, Lang::Zh) => {
            format!("读取文件 {} 时出错（{source}），未导入任何内容。", path.display())
        }
        (Error::Read { path, source }, Lang::En) => format!(
            "Reading {} failed ({source}); nothing was imported.",
            path.display()
        ),
        (Error::Empty { path }, Lang::Zh) => format!("文件 {} 是空的，没有可导入的内容。", path.display()),
        (Error::Empty { path }, Lang::En) => format!("{} is empty; there is nothing to import.", path.display()),
        (Error::Unrecognised { path }, Lang::Zh) => format!(
            "无法识别文件 {} 的格式。支持：SMS Backup & Restore 备份、安卓 mmssms.db、苹果 sms.db 或备份文件夹、CSV、JSON Lines。",
            path.display()
        ),
        (Error::Unrecognised { path }, Lang::En) => format!(
            "The format of {} is not recognised. Supported: SMS Backup & Restore XML, Android mmssms.db, iPhone sms.db or backup folder, CSV, JSON Lines.",
            path.display()
        ),
        (Error::Zip { path }, Lang::Zh) => format!(
            "文件 {} 是 ZIP 压缩包，请先解压，再导入其中的备份文件。",
            path.display()
        ),
        (Error::Zip { path }, Lang::En) => format!(
            "{} is a ZIP archive: unzip it first, then import the backup inside.",
            path.display()
        ),
        (Error::WrongFormat { path, format, detail }, Lang::Zh) => format!(
            "文件 {} 不是{}（{detail}），未导入任何内容。",
            path.display(),
            fmt_name(*format, lang)
        ),
        (Error::WrongFormat { path, format, detail }, Lang::En) => format!(
            "{} is not {} ({detail}); nothing was imported.",
            path.display(),
            fmt_name(*format, lang)
        ),
        (Error::Malformed { path, location: loc, detail }, Lang::Zh) => format!(
            "文件 {} 在{}处格式损坏（{detail}），未导入任何内容。",
            path.display(),
            location(loc, lang)
        ),
        (Error::Malformed { path, location, detail }, Lang::En) => format!(
            "{} is malformed at {location} ({detail}); nothing was imported.",
            path.display()
        ),
        (Error::TooLarge { path, location: loc, limit }, Lang::Zh) => format!(
            "文件 {} 在{}处有一个超过 {} MB 的元素，不像真实备份，已拒绝导入。",
            path.display(),
            location(loc, lang),
            limit >> 20
        ),
        (Error::TooLarge { path, location, limit }, Lang::En) => format!(
            "{} has an element larger than {} MB at {location}, which no real backup has; it was refused.",
            path.display(),
            limit >> 20
        ),
        (Error::TooDeep { path, location: loc, limit }, Lang::Zh) => format!(
            "文件 {} 在{}处嵌套超过 {limit} 层，不像真实备份，已拒绝导入。",
            path.display(),
            location(loc, lang)
        ),
        (Error::TooDeep { path, location, limit }, Lang::En) => format!(
            "{} nests deeper than {limit} levels at {location}, which no real backup does; it was refused.",
            path.display()
        ),
        (Error::Database { path, detail }, Lang::Zh) => format!(
            "无法读取数据库 {}（{detail}），文件可能已损坏。",
            path.display()
        ),
        (Error::Database { path, detail }, Lang::En) => format!(
            "Cannot read the database {} ({detail}); the file may be damaged.",
            path.display()
        ),
        (Error::ForeignSchema { path }, Lang::Zh) => format!(
            "{} 是 SQLite 数据库，但不是安卓短信库（mmssms.db）、通话记录库（calllog.db）或苹果短信库（sms.db）。",
            path.display()
        ),
        (Error::ForeignSchema { path }, Lang::En) => format!(
            "{} is a SQLite database but not an Android mmssms.db/calllog.db or an iPhone sms.db.",
            path.display()
        ),
        (Error::MissingColumn { path, table, column }, Lang::Zh) => format!(
            "数据库 {} 的表 {table} 缺少列 {column}，无法导入。",
            path.display()
        ),
        (Error::MissingColumn { path, table, column }, Lang::En) => format!(
            "Table {table} in {} has no column {column}; it cannot be imported.",
            path.display()
        ),
        (Error::EncryptedBackup { path }, Lang::Zh) => format!(
            "{} 是加密的 iPhone 备份，暂不支持。请在电脑上的 iTunes/访达中取消“加密本地备份”后重新备份，再导入。",
            path.display()
        ),
        (Error::EncryptedBackup { path }, Lang::En) => format!(
            "{} is an encrypted iPhone backup, which is not supported yet. Turn off \"Encrypt local backup\" in iTunes/Finder, back up again, then import.",
            path.display()
        ),
        (Error::BackupIncomplete { path, what }, Lang::Zh) => format!(
            "iPhone 备份文件夹 {} 中找不到 {what}，备份可能不完整。",
            path.display()
        ),
        (Error::BackupIncomplete { path, what }, Lang::En) => format!(
            "The iPhone backup folder {} has no {what}; the backup may be incomplete.",
            path.display()
        ),
        (Error::NotABackup { path }, Lang::Zh) => format!(
            "{} 是文件夹，但不是 iPhone 备份（里面没有 Manifest.db）。请选择备份文件本身。",
            path.display()
        ),
        (Error::NotABackup { path }, Lang::En) => format!(
            "{} is a folder but not an iPhone backup (no Manifest.db); choose the backup file itself.",
            path.display()
        ),
    }
}

/// Why one record was skipped, in a few words ("缺少字段 ts").
pub fn skip_reason(reason: &SkipReason, lang: Lang) -> String {
    match (reason, lang) {
        (SkipReason::BadJson { column }, Lang::Zh) => format!("不是有效的 JSON（第 {column} 列）"),
        (SkipReason::BadJson { column }, Lang::En) => format!("not valid JSON (column {column})"),
        (SkipReason::NotAnObject, Lang::Zh) => "不是 JSON 对象".to_string(),
        (SkipReason::NotAnObject, Lang::En) => "not a JSON object".to_string(),
        (SkipReason::MissingField { field }, Lang::Zh) => format!("缺少字段 {field}"),
        (SkipReason::MissingField { field }, Lang::En) => format!("field {field} is missing"),
        (SkipReason::BadField { field, value }, Lang::Zh) => {
            format!("字段 {field} 的值无效：{value}")
        }
        (SkipReason::BadField { field, value }, Lang::En) => {
            format!("field {field} has an invalid value: {value}")
        }
        (SkipReason::BadTimestamp { field, value }, Lang::Zh) => {
            format!("时间 {field} 无法识别：{value}")
        }
        (SkipReason::BadTimestamp { field, value }, Lang::En) => {
            format!("time {field} cannot be read: {value}")
        }
        (SkipReason::TooLong { limit }, Lang::Zh) => format!("记录超过 {} KB，过长", limit >> 10),
        (SkipReason::TooLong { limit }, Lang::En) => {
            format!("record longer than {} KB", limit >> 10)
        }
        (SkipReason::BadXml { detail }, Lang::Zh) => format!("XML 属性格式错误（{detail}）"),
        (SkipReason::BadXml { detail }, Lang::En) => format!("malformed XML attributes ({detail})"),
        (SkipReason::TooFewColumns { found, needed }, Lang::Zh) => {
            format!("只有 {found} 列，至少需要 {needed} 列")
        }
        (SkipReason::TooFewColumns { found, needed }, Lang::En) => {
            format!("only {found} columns, {needed} needed")
        }
    }
}

/// One summary line for a skipped record: "第 12 行：缺少字段 ts" / "line 12: field ts is missing".
pub fn skipped_line(s: &Skipped, lang: Lang) -> String {
    let loc = location(&s.location, lang);
    match lang {
        Lang::Zh => format!("{loc}：{}", skip_reason(&s.reason, lang)),
        Lang::En => format!("{loc}: {}", skip_reason(&s.reason, lang)),
    }
}

/// A location as the reader wrote it ("line 12", `"<sms> #5"`), in `lang`.
pub fn location(loc: &str, lang: Lang) -> String {
    if lang == Lang::Zh {
        if let Some(n) = loc.strip_prefix("line ") {
            let (num, rest) = n.split_once(' ').unwrap_or((n, ""));
            return format!(
                "第 {num} 行{}{rest}",
                if rest.is_empty() { "" } else { " " }
            );
        }
        if let Some(n) = loc.strip_prefix("byte ") {
            return format!("第 {n} 字节");
        }
        if let Some((tag, n)) = loc.split_once(" #") {
            return format!("第 {n} 条 {tag}");
        }
    }
    loc.to_string()
}

/// One summary line for a warning.
pub fn warning(w: &Warning, lang: Lang) -> String {
    let text = match (&w.kind, lang) {
        (WarningKind::CountMismatch { declared, found }, Lang::Zh) => format!(
            "文件声明有 {declared} 条记录，实际找到 {found} 条；备份可能不完整。"
        ),
        (WarningKind::CountMismatch { declared, found }, Lang::En) => format!(
            "The file declares {declared} records but {found} were found; the backup may be incomplete."
        ),
        (WarningKind::Truncated, Lang::Zh) => {
            "文件在一条记录中间结束（备份被截断）；之前所有完整的记录均已导入。".to_string()
        }
        (WarningKind::Truncated, Lang::En) => {
            "The file ends in the middle of a record (truncated backup); every complete record before it was imported.".to_string()
        }
        (WarningKind::InvalidCharRef { raw }, Lang::Zh) => {
            format!("无效字符 {raw} 已替换为 �。")
        }
        (WarningKind::InvalidCharRef { raw }, Lang::En) => {
            format!("The invalid character reference {raw} was replaced by �.")
        }
        (WarningKind::UnknownEntity { raw }, Lang::Zh) => format!("未知实体 {raw} 按原样保留。"),
        (WarningKind::UnknownEntity { raw }, Lang::En) => format!("The unknown entity {raw} was kept as written."),
        (WarningKind::InvalidEncoding, Lang::Zh) => "部分字节不是有效的文字编码，已替换为 �。".to_string(),
        (WarningKind::InvalidEncoding, Lang::En) => "Some bytes were not valid text and were replaced by �.".to_string(),
        (WarningKind::DecodedAsGb18030, Lang::Zh) => "文件不是 UTF-8，已按 GB18030（GBK）编码读取。".to_string(),
        (WarningKind::DecodedAsGb18030, Lang::En) => "The file is not UTF-8; it was read as GB18030 (GBK).".to_string(),
        (WarningKind::AttachmentsUnavailable { count }, Lang::Zh) => format!(
            "{count} 个附件（图片、视频等）的内容不在此文件中，未能保存。"
        ),
        (WarningKind::AttachmentsUnavailable { count }, Lang::En) => format!(
            "{count} attachment(s) (pictures, videos …) are not contained in this file and were not kept."
        ),
        (WarningKind::NonMessagesIgnored { count }, Lang::Zh) => format!(
            "已忽略 {count} 条非短信记录（表情回应、群组变更等系统记录）。"
        ),
        (WarningKind::NonMessagesIgnored { count }, Lang::En) => format!(
            "{count} rows that are not messages (reactions, group changes, other system rows) were left out."
        ),
        (WarningKind::EmptyRecordsIgnored { count }, Lang::Zh) => format!("已忽略 {count} 条没有内容的空记录。"),
        (WarningKind::EmptyRecordsIgnored { count }, Lang::En) => format!("{count} empty records without text or attachment were left out."),
        (WarningKind::MoreNotListed { count }, Lang::Zh) => format!("另有 {count} 条提示未逐条列出。"),
        (WarningKind::MoreNotListed { count }, Lang::En) => format!("{count} more notices are not listed one by one."),
    };
    match (&w.location, lang) {
        (Some(loc), Lang::Zh) => format!("{}：{text}", location(loc, lang)),
        (Some(loc), Lang::En) => format!("{loc}: {text}"),
        (None, _) => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_naturally_in_chinese() {
        assert_eq!(location("line 1234", Lang::Zh), "第 1234 行");
        assert_eq!(location("line 3 (id m1)", Lang::Zh), "第 3 行 (id m1)");
        assert_eq!(location("<sms> #5", Lang::Zh), "第 5 条 <sms>");
        assert_eq!(location("sms ROWID 17", Lang::Zh), "sms ROWID 17");
    }

    #[test]
    fn skipped_lines_name_the_place() {
        let s = Skipped {
            location: "line 12".into(),
            reason: SkipReason::MissingField { field: "ts".into() },
        };
        assert_eq!(skipped_line(&s, Lang::Zh), "第 12 行：缺少字段 ts");
        assert_eq!(skipped_line(&s, Lang::En), "line 12: field ts is missing");
    }
}
