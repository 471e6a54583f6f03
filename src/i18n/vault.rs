//! User-facing sentences of the `vault` module and of the vault and import commands.

use super::Lang;
use crate::vault::{Error, Problem};

/// One sentence for a `vault` error.
pub fn error_message(err: &Error, lang: Lang) -> String {
    match (err, lang) {
        (Error::NotFound { path }, Lang::Zh) => format!(
            "找不到证据库 {}。请先运行 quzheng init 创建，或在导入时加 --create。",
            path.display()
        ),
        (Error::NotFound { path }, Lang::En) => format!(
            "No vault at {}. Create one with `quzheng init`, or add --create when importing.",
            path.display()
        ),
        (Error::AlreadyExists { path }, Lang::Zh) => {
            format!("{} 已存在，没有覆盖它。", path.display())
        }
        (Error::AlreadyExists { path }, Lang::En) => {
            format!("{} already exists; it was not overwritten.", path.display())
        }
        (Error::NotAVault { path }, Lang::Zh) => {
            format!("{} 不是取证证据库文件。", path.display())
        }
        (Error::NotAVault { path }, Lang::En) => {
            format!("{} is not a Quzheng vault.", path.display())
        }
        (Error::TooNew { path, found, supported }, Lang::Zh) => format!(
            "证据库 {} 由更新版本的取证创建（格式 {found}，本程序最高支持 {supported}），请升级取证后再打开；文件未被改动。",
            path.display()
        ),
        (Error::TooNew { path, found, supported }, Lang::En) => format!(
            "The vault {} was written by a newer Quzheng (format {found}; this build supports up to {supported}). Upgrade Quzheng to open it; the file was not changed.",
            path.display()
        ),
        (Error::WrongPassphrase { .. }, Lang::Zh) => {
            "密码不正确，无法打开证据库；证据库未被改动。".to_string()
        }
        (Error::WrongPassphrase { .. }, Lang::En) => {
            "Wrong passphrase: the vault was not opened and nothing changed.".to_string()
        }
        (Error::EmptyPassphrase, Lang::Zh) => "密码不能为空。".to_string(),
        (Error::EmptyPassphrase, Lang::En) => "The passphrase must not be empty.".to_string(),
        (Error::HeaderDamaged { what }, Lang::Zh) => format!(
            "证据库的文件头已损坏（{what}），无法解锁。请用备份副本恢复。"
        ),
        (Error::HeaderDamaged { what }, Lang::En) => format!(
            "The vault header is damaged ({what}) and cannot be unlocked. Restore it from a backup copy."
        ),
        (Error::RecordDamaged { table, id, seq }, Lang::Zh) => format!(
            "证据库中的记录已损坏或被篡改：{} #{id}（链序号 {seq}）。请运行 quzheng check 查看全部问题。",
            table_name(table, lang)
        ),
        (Error::RecordDamaged { table, id, seq }, Lang::En) => format!(
            "A vault record is damaged or was tampered with: {} #{id} (chain position {seq}). Run `quzheng check` to see every problem.",
            table_name(table, lang)
        ),
        (Error::UnknownMessage { id }, Lang::Zh) => format!("没有编号为 {id} 的消息。"),
        (Error::UnknownMessage { id }, Lang::En) => format!("There is no message with id {id}."),
        (Error::SourceChanged { name }, Lang::Zh) => format!(
            "文件 {name} 在导入过程中被改动了，导入已撤销。请等文件不再变化后重试。"
        ),
        (Error::SourceChanged { name }, Lang::En) => format!(
            "The file {name} changed while it was being imported; the import was undone. Try again once it no longer changes."
        ),
        (Error::SourceRead { name, source }, Lang::Zh) => format!(
            "无法读取文件 {name}：{}。导入已撤销。",
            super::io_reason(source, lang)
        ),
        (Error::SourceRead { name, source }, Lang::En) => format!(
            "Cannot read {name}: {}. The import was undone.",
            super::io_reason(source, lang)
        ),
        (Error::Io { path, source }, Lang::Zh) => format!(
            "无法创建 {}：{}。",
            path.display(),
            super::io_reason(source, lang)
        ),
        (Error::Io { path, source }, Lang::En) => format!(
            "Cannot create {}: {}.",
            path.display(),
            super::io_reason(source, lang)
        ),
        (Error::Busy, Lang::Zh) => {
            "证据库正被另一个程序使用，请关闭它（例如取证桌面版）后重试。".to_string()
        }
        (Error::Busy, Lang::En) => {
            "The vault is in use by another program (the Quzheng app?). Close it and try again."
                .to_string()
        }
        (Error::Sqlite { source }, Lang::Zh) => {
            if err.kind() == crate::ErrorKind::Damaged {
                "证据库文件已损坏，无法读取。请用备份副本恢复。".to_string()
            } else {
                format!("读写证据库失败（{source}）。请检查磁盘空间和权限。")
            }
        }
        (Error::Sqlite { source }, Lang::En) => {
            if err.kind() == crate::ErrorKind::Damaged {
                "The vault file is damaged and cannot be read. Restore it from a backup copy."
                    .to_string()
            } else {
                format!("Reading or writing the vault failed ({source}). Check disk space and permissions.")
            }
        }
    }
}

/// The display name of a vault table.
pub fn table_name(table: &str, lang: Lang) -> &'static str {
    let (zh, en) = match table {
        "event" => ("事件", "event"),
        "source" => ("原始文件", "source file"),
        "chunk" => ("原始文件数据块", "source chunk"),
        "message" => ("消息", "message"),
        "verdict" => ("分类结果", "verdict"),
        "correction" => ("人工更正", "correction"),
        _ => ("记录", "record"),
    };
    lang.pick(zh, en)
}

/// One line describing a problem `check` found.
pub fn problem(p: &Problem, lang: Lang) -> String {
    match (p, lang) {
        (Problem::Damaged { table, id, seq }, Lang::Zh) => format!(
            "已损坏或被篡改：{} #{id}（链序号 {seq}）",
            table_name(table, lang)
        ),
        (Problem::Damaged { table, id, seq }, Lang::En) => format!(
            "damaged or tampered with: {} #{id} (chain position {seq})",
            table_name(table, lang)
        ),
        (Problem::ChainBroken { table, id, seq }, Lang::Zh) => format!(
            "哈希链断裂：{} #{id}（链序号 {seq}）与前一条记录对不上（记录被替换、重排或删除）",
            table_name(table, lang)
        ),
        (Problem::ChainBroken { table, id, seq }, Lang::En) => format!(
            "hash chain broken at {} #{id} (chain position {seq}): it does not follow the record before it (replaced, reordered or deleted)",
            table_name(table, lang)
        ),
        (Problem::MissingSeq { from, to }, Lang::Zh) if from == to => {
            format!("缺失记录：链序号 {from} 的记录已被删除")
        }
        (Problem::MissingSeq { from, to }, Lang::Zh) => {
            format!("缺失记录：链序号 {from}–{to} 的记录已被删除")
        }
        (Problem::MissingSeq { from, to }, Lang::En) if from == to => {
            format!("missing record: chain position {from} was deleted")
        }
        (Problem::MissingSeq { from, to }, Lang::En) => {
            format!("missing records: chain positions {from}–{to} were deleted")
        }
        (Problem::MissingRows { table, from, to }, Lang::Zh) if from == to => {
            format!("缺失{} #{from}", table_name(table, lang))
        }
        (Problem::MissingRows { table, from, to }, Lang::Zh) => {
            format!("缺失{} #{from}–#{to}", table_name(table, lang))
        }
        (Problem::MissingRows { table, from, to }, Lang::En) if from == to => {
            format!("missing {} #{from}", table_name(table, lang))
        }
        (Problem::MissingRows { table, from, to }, Lang::En) => {
            format!("missing {} #{from}–#{to}", table_name(table, lang))
        }
        (Problem::DuplicateSeq { seq }, Lang::Zh) => {
            format!("链序号 {seq} 出现了两次（记录被复制或重排）")
        }
        (Problem::DuplicateSeq { seq }, Lang::En) => {
            format!("chain position {seq} appears twice (a record was copied or reordered)")
        }
        (Problem::Unexpected { table, id, seq }, Lang::Zh) => format!(
            "多出来的记录：{} #{id}（链序号 {seq}）不是取证写入的",
            table_name(table, lang)
        ),
        (Problem::Unexpected { table, id, seq }, Lang::En) => format!(
            "unexpected record: {} #{id} (chain position {seq}) was not written by Quzheng",
            table_name(table, lang)
        ),
        (Problem::HeadDamaged, Lang::Zh) => "哈希链的终点记录已损坏".to_string(),
        (Problem::HeadDamaged, Lang::En) => "the recorded end of the hash chain is damaged".to_string(),
        (Problem::HeadMismatch, Lang::Zh) => {
            "最后一条记录与记录的链终点不符（末尾的记录被删除或替换）".to_string()
        }
        (Problem::HeadMismatch, Lang::En) => {
            "the last record does not match the recorded end of the chain (records at the end were deleted or replaced)".to_string()
        }
        (Problem::SourceMismatch { id, name }, Lang::Zh) => {
            format!("原始文件 #{id}（{name}）保存的内容与其 SHA-256 不符")
        }
        (Problem::SourceMismatch { id, name }, Lang::En) => {
            format!("stored original file #{id} ({name}) no longer matches its SHA-256")
        }
    }
}

/// `init`: the vault was created.
pub fn created(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("已创建加密证据库：{path}"),
        Lang::En => format!("Created encrypted vault: {path}"),
    }
}

/// `check`: everything verified.
pub fn intact(records: u64, head: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("证据库完好：{records} 条记录的认证标签和哈希链全部通过校验（链终点 {head}）。"),
        Lang::En => format!("Vault intact: the authentication tags and hash chain of all {records} records verify (chain head {head})."),
    }
}

/// `check`: the heading before the problems.
pub fn damaged_heading(n: usize, records: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("证据库校验失败：在 {records} 条记录中发现 {n} 处问题："),
        Lang::En => format!("Vault check failed: {n} problem(s) among {records} records:"),
    }
}

/// `passwd`: done.
pub fn passwd_done(lang: Lang) -> &'static str {
    lang.pick(
        "密码已更改（仅重新封装了数据密钥，证据内容未改动）。",
        "Passphrase changed (only the data key was re-wrapped; no evidence was rewritten).",
    )
}

/// Prompt for the passphrase.
pub fn prompt_passphrase(lang: Lang) -> &'static str {
    lang.pick("证据库密码：", "Vault passphrase: ")
}

/// Prompt for a new passphrase.
pub fn prompt_new_passphrase(lang: Lang) -> &'static str {
    lang.pick("新密码：", "New passphrase: ")
}

/// Prompt to repeat a new passphrase.
pub fn prompt_repeat_passphrase(lang: Lang) -> &'static str {
    lang.pick("再次输入新密码：", "Repeat the new passphrase: ")
}

/// The two new passphrases differ.
pub fn passphrases_differ(lang: Lang) -> &'static str {
    lang.pick("两次输入的密码不一致。", "The two passphrases differ.")
}

/// Column headings of the `messages` table.
pub fn table_headings(lang: Lang) -> [&'static str; 6] {
    match lang {
        Lang::Zh => ["编号", "时间", "号码", "债权方", "标签", "内容"],
        Lang::En => ["id", "time", "address", "creditor", "labels", "text"],
    }
}

/// `messages`: how many were listed.
pub fn listed(n: usize, total: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("共 {n} 条（证据库共 {total} 条）。"),
        Lang::En => format!("{n} message(s) listed ({total} in the vault)."),
    }
}

/// `import`: one file's summary line.
pub fn import_summary(
    file: &str,
    imported: u64,
    duplicates: u64,
    skipped: usize,
    warnings: usize,
    lang: Lang,
) -> String {
    match lang {
        Lang::Zh => format!(
            "{file}：导入 {imported} 条，重复 {duplicates} 条（已存在，未再添加），跳过 {skipped} 条，警告 {warnings} 条。"
        ),
        Lang::En => format!(
            "{file}: imported {imported}, duplicates {duplicates} (already stored, not added again), skipped {skipped}, warnings {warnings}."
        ),
    }
}

/// `import`: a skipped record.
pub fn skipped_line(location: &str, reason: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("  跳过 {location}：{reason}"),
        Lang::En => format!("  skipped {location}: {reason}"),
    }
}

/// `import`: a warning.
pub fn warning_line(location: Option<&str>, text: &str, lang: Lang) -> String {
    match (location, lang) {
        (Some(l), Lang::Zh) => format!("  警告 {l}：{text}"),
        (Some(l), Lang::En) => format!("  warning {l}: {text}"),
        (None, Lang::Zh) => format!("  警告：{text}"),
        (None, Lang::En) => format!("  warning: {text}"),
    }
}

/// `import`: the total line, after classification.
pub fn import_total(total: u64, collection: u64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("证据库现有 {total} 条记录，其中 {collection} 条为催收消息。"),
        Lang::En => format!(
            "The vault now holds {total} records, {collection} of them collection messages."
        ),
    }
}

/// `import`: classification is not available in this build.
pub fn not_classified(lang: Lang) -> &'static str {
    lang.pick(
        "注意：本版本尚未包含分类规则，消息已保存但未分类。",
        "Note: this build has no classifier yet; messages were stored but not classified.",
    )
}
