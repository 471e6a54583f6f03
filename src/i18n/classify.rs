//! User-facing sentences of the `classify` module (errors, `eval` headings).

use super::Lang;
use crate::classify::{Error, LineProblem};

/// One sentence for a `classify` error.
pub fn error_message(err: &Error, lang: Lang) -> String {
    match (err, lang) {
        (Error::PackSyntax { file, line, reason }, Lang::Zh) => match line {
            Some(l) => format!("规则包 {file} 第 {l} 行格式错误：{reason}。请对照 docs/rules.md 修改。"),
            None => format!("规则包 {file} 格式错误：{reason}。请对照 docs/rules.md 修改。"),
        },
        (Error::PackSyntax { file, line, reason }, Lang::En) => match line {
            Some(l) => format!("Rule pack {file}, line {l}, is malformed: {reason}. See docs/rules.md."),
            None => format!("Rule pack {file} is malformed: {reason}. See docs/rules.md."),
        },
        (Error::SchemaVersion { file, found }, Lang::Zh) => format!(
            "规则包 {file} 使用的格式版本 {found} 本程序不支持（支持版本 {}）。",
            crate::classify::rules::SCHEMA_VERSION
        ),
        (Error::SchemaVersion { file, found }, Lang::En) => format!(
            "Rule pack {file} uses schema {found}; this program reads schema {}.",
            crate::classify::rules::SCHEMA_VERSION
        ),
        (Error::UnknownLabel { file, rule, label }, Lang::Zh) => format!(
            "规则包 {file}{} 使用了未知标签“{label}”。可用标签：threat、insult、third_party_disclosure、impersonation、deception、collection。",
            rule.as_ref().map(|r| format!(" 的 {r}")).unwrap_or_default()
        ),
        (Error::UnknownLabel { file, rule, label }, Lang::En) => format!(
            "Rule pack {file}{} uses the unknown label \"{label}\". Known: threat, insult, third_party_disclosure, impersonation, deception, collection.",
            rule.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
        ),
        (Error::BadRuleId { file, rule, label }, Lang::Zh) => {
            format!("规则包 {file} 中的规则编号“{rule}”应以“{label}.”开头，且只含字母、数字、下划线。")
        }
        (Error::BadRuleId { file, rule, label }, Lang::En) => format!(
            "Rule id \"{rule}\" in {file} must start with \"{label}.\" and use only letters, digits and underscores."
        ),
        (Error::DuplicateRule { file, rule, other }, Lang::Zh) => {
            format!("规则包 {file} 中的规则 {rule} 与 {other} 中的规则重名。")
        }
        (Error::DuplicateRule { file, rule, other }, Lang::En) => {
            format!("Rule {rule} in {file} is also defined in {other}.")
        }
        (Error::EmptyRule { file, rule }, Lang::Zh) => {
            format!("规则包 {file} 中的规则 {rule} 没有任何关键词或正则表达式。")
        }
        (Error::EmptyRule { file, rule }, Lang::En) => {
            format!("Rule {rule} in {file} has no keywords and no regex.")
        }
        (Error::BadRegex { file, rule, pattern, .. }, Lang::Zh) => format!(
            "规则包 {file} 中规则 {rule} 的正则表达式“{pattern}”无效或过于复杂。"
        ),
        (Error::BadRegex { file, rule, pattern, .. }, Lang::En) => format!(
            "The regex \"{pattern}\" of rule {rule} in {file} is invalid or too large."
        ),
        (Error::NoCollectionPack, _) => lang
            .pick(
                "缺少判断是否催收的规则包（label = \"collection\"）。",
                "No rule pack decides collection (label = \"collection\").",
            )
            .to_string(),
        (Error::RulesDir { path, source }, Lang::Zh) => format!(
            "无法读取规则包目录 {}：{}。",
            path.display(),
            super::io_reason(source, lang)
        ),
        (Error::RulesDir { path, source }, Lang::En) => format!(
            "Cannot read the rule packs in {}: {}.",
            path.display(),
            super::io_reason(source, lang)
        ),
        (Error::BadSetting { flag, value }, Lang::Zh) => match *flag {
            "tz" => format!("--tz 的值“{value}”不是有效的时区名（例如 Asia/Shanghai）。"),
            "night" => format!("--night 的值“{value}”格式不对，应为 22:00-08:00 这样的形式。"),
            _ => format!("--{flag} 的值“{value}”无效，应为不小于 1 的整数。"),
        },
        (Error::BadSetting { flag, value }, Lang::En) => match *flag {
            "tz" => format!("--tz \"{value}\" is not a time zone name (e.g. Asia/Shanghai)."),
            "night" => format!("--night \"{value}\" must look like 22:00-08:00."),
            _ => format!("--{flag} \"{value}\" must be a whole number of at least 1."),
        },
        (Error::BadLine { line, problem }, Lang::Zh) => match problem {
            LineProblem::NotJson { column } => {
                format!("输入第 {line} 行不是有效的 JSON（第 {column} 列附近出错）。")
            }
            LineProblem::NotUtf8 => format!("输入第 {line} 行不是 UTF-8 文本。"),
            LineProblem::NotObject => format!("输入第 {line} 行不是 JSON 对象。"),
            LineProblem::Missing(f) => format!("输入第 {line} 行缺少必填字段“{f}”。"),
            LineProblem::BadField(f) => format!("输入第 {line} 行的字段“{f}”取值无效。"),
        },
        (Error::BadLine { line, problem }, Lang::En) => match problem {
            LineProblem::NotJson { column } => {
                format!("Input line {line} is not valid JSON (near column {column}).")
            }
            LineProblem::NotUtf8 => format!("Input line {line} is not UTF-8 text."),
            LineProblem::NotObject => format!("Input line {line} is not a JSON object."),
            LineProblem::Missing(f) => format!("Input line {line} lacks the required field \"{f}\"."),
            LineProblem::BadField(f) => format!("Input line {line} has an invalid \"{f}\"."),
        },
        (Error::Model(e), Lang::Zh) => format!("内置的统计模型文件已损坏（{e}），请重新安装本程序。"),
        (Error::Model(e), Lang::En) => {
            format!("The bundled statistical model is damaged ({e}); please reinstall the program.")
        }
    }
}

/// What a `<label>.model` finding means: a statistical suggestion, to be reviewed.
pub fn model_finding_why(lang: Lang) -> &'static str {
    lang.pick(
        "统计模型提示：这段文字的用词与已标注的同类催收短信相似，但没有任何规则命中。这只是提示，请人工核对后再作为证据使用。",
        "Statistical suggestion: this wording is similar to labelled examples of this kind of collection message, but no rule matched it. Please review it before relying on it as evidence.",
    )
}

/// Headings of the `eval` table: label, precision, recall, F1, support.
pub fn eval_headings(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::Zh => ["标签", "精确率", "召回率", "F1", "样本数"],
        Lang::En => ["label", "precision", "recall", "F1", "support"],
    }
}

/// Row names of the `eval` summary: collection, macro-F1, labels on non-collection,
/// findings whose text is not their span, messages.
pub fn eval_rows(lang: Lang) -> [&'static str; 5] {
    match lang {
        Lang::Zh => [
            "是否催收",
            "五类文本标签宏平均 F1",
            "非催收短信却带标签",
            "证据片段与原文不符",
            "短信数",
        ],
        Lang::En => [
            "collection",
            "macro-F1 (five text labels)",
            "labels on non-collection messages",
            "findings whose text is not their span",
            "messages",
        ],
    }
}

/// Lines of `bench classify`.
pub fn bench_lines(lang: Lang) -> [&'static str; 11] {
    match lang {
        Lang::Zh => [
            "规则包加载",
            "文本分类",
            "条/秒",
            "多样文本（语料中不同短信循环）",
            "重复文本（规则包示例循环，旧口径）",
            "冷启动（语料每条一次，刚加载的规则包）",
            "quzheng classify 剖析",
            "加载",
            "读入",
            "写出",
            "多样文本各阶段 CPU 时间",
        ],
        Lang::En => [
            "rule packs load",
            "text classification",
            "messages/s",
            "varied text (distinct corpus messages cycled)",
            "repeated text (pack examples cycled, the old figure)",
            "cold pass (each corpus message once, freshly loaded packs)",
            "profile of quzheng classify",
            "load",
            "read",
            "write",
            "varied text, CPU time per stage",
        ],
    }
}

/// Sentences for the classify area's [`crate::Error::BadInput`] keys; `None` for other keys.
pub fn bad_input(key: &str, what: &str, lang: Lang) -> Option<String> {
    let ids = "threat, insult, third_party_disclosure, impersonation, deception, night_contact, excessive_frequency";
    Some(match (key, lang) {
        ("label", Lang::Zh) => format!("无法识别的标签：{what}（可用：{ids}）。"),
        ("label", Lang::En) => format!("Unknown label: {what} (use one of: {ids})."),
        ("message_id", Lang::Zh) => {
            format!("没有编号为 {what} 的短信（编号见 quzheng messages 的输出）。")
        }
        ("message_id", Lang::En) => {
            format!("There is no message with id {what} (see the ids `quzheng messages` prints).")
        }
        ("correct_nothing", Lang::Zh) => {
            "请用 --add 或 --remove 指明要添加或去掉的标签。".to_string()
        }
        ("correct_nothing", Lang::En) => {
            "Say which label to add or remove with --add or --remove.".to_string()
        }
        ("creditor", Lang::Zh) => format!("债权人名称不能为空：{what}。"),
        ("creditor", Lang::En) => format!("A creditor name cannot be empty: {what}."),
        _ => return None,
    })
}

/// `reclassify` summary: messages, collection, changed verdicts, rule version.
pub fn reclassify_summary(
    lang: Lang,
    messages: u64,
    collection: u64,
    changed: u64,
    version: &str,
) -> String {
    match lang {
        Lang::Zh => format!(
            "已重新分类 {messages} 条记录：催收短信 {collection} 条，结论有变化 {changed} 条（规则版本 {version}）。用户更正均已保留。"
        ),
        Lang::En => format!(
            "Re-classified {messages} records: {collection} collection messages, {changed} verdicts changed (rules {version}). User corrections are kept."
        ),
    }
}

/// One call-log finding line: rule id, date, creditor or number, count, limit.
pub fn call_finding_line(lang: Lang, f: &crate::classify::CallFinding) -> String {
    let who = f
        .creditor
        .clone()
        .or_else(|| f.address.clone())
        .unwrap_or_default();
    match (f.rule, lang) {
        (crate::classify::CallRule::Connected, Lang::Zh) => format!(
            "{} {}：当天接通来电 {} 次（上限 {} 次，GB/T 45251—2025）",
            f.date, who, f.count, f.limit
        ),
        (crate::classify::CallRule::Connected, Lang::En) => format!(
            "{} {}: {} connected calls that day (limit {}, GB/T 45251—2025)",
            f.date, who, f.count, f.limit
        ),
        (crate::classify::CallRule::Attempts, Lang::Zh) => format!(
            "{} {}：当天同一号码来电 {} 次（上限 {} 次，2026 年催收工作指引）",
            f.date, who, f.count, f.limit
        ),
        (crate::classify::CallRule::Attempts, Lang::En) => format!(
            "{} {}: {} calls from one number that day (limit {}, 2026 guideline)",
            f.date, who, f.count, f.limit
        ),
    }
}

/// `correct` confirmation: message id and its labels now.
pub fn corrected(lang: Lang, id: &str, labels: &str) -> String {
    match lang {
        Lang::Zh => format!("已记录对短信 {id} 的更正（原分类结果保留不变）。现在的标签：{labels}"),
        Lang::En => format!("Correction to message {id} recorded (the classifier's result is kept). Labels now: {labels}"),
    }
}

/// Headings of `creditors`: name, collection messages, numbers, also known as.
pub fn creditor_headings(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::Zh => ["债权人", "催收短信", "号码", "曾用名/已合并"],
        Lang::En => ["creditor", "collection", "numbers", "aliases"],
    }
}

/// What `creditors` prints when the vault has none.
pub fn no_creditors(lang: Lang) -> &'static str {
    lang.pick(
        "保险库中还没有识别出债权人。",
        "No creditors in the vault yet.",
    )
}
