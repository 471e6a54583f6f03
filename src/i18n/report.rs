//! User-facing sentences of the `report` module: the words of the evidence pack, the
//! letters, `verify` output and errors. Chinese first; English for `--lang en`.
//!
//! Pack text is looked up by key ([`t`]); sentences with values use `{0}`, `{1}` …
//! placeholders ([`f`]). An unknown key returns the key itself, which a test catches.

use super::Lang;
use crate::report::{Error, Problem};

/// Characters that must not start a line (Chinese 禁则, with their ASCII forms).
pub const NO_LINE_START: &str =
    "，。、；：？！）］｝」』】〕〉》”’…‥—～·%‰℃,.;:?!)]}、ー々〃〆ゝゞ％";
/// Characters that must not end a line.
pub const NO_LINE_END: &str = "（［｛「『【〔〈《“‘([{￥$＄";
/// The verbs the pack may use about a provision (it never says 构成: guilt is for the
/// police and courts to decide).
pub const LEGAL_VERBS: [&str; 3] = ["可能违反", "可能侵害", "可能涉嫌"];
/// The word the pack's own legal wording must not contain.
pub const LEGAL_FORBIDDEN: &str = "构成";

fn pair(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "sep" => ("、", ", "),
        "none" => ("无", "none"),
        "page.header" => ("取证 · 催收短信证据材料 · 证据包编号 {0}", "Quzheng evidence pack {0}"),
        "page.footer" => ("第 {0} 页 / 共 {1} 页", "Page {0} of {1}"),
        "cover.title" => ("催收短信证据材料", "Debt-collection message evidence"),
        "cover.subtitle" => ("电子数据（手机短信、通话记录）整理与完整性说明", "Electronic data (SMS, call log): compilation and integrity"),
        "cover.complainant" => ("投诉人/报案人", "Complainant"),
        "cover.unnamed" => ("（未填写，请手写）", "(not given — write by hand)"),
        "cover.respondents" => ("被投诉方（催收方）", "Respondents (collectors)"),
        "cover.respondent" => ("{0}（号码：{1}）", "{0} (numbers: {1})"),
        "cover.period" => ("期间", "Period"),
        "cover.period_v" => ("{0} 至 {1}（北京时间）", "{0} to {1} (Beijing time)"),
        "cover.counts" => ("数量", "Records"),
        "cover.counts_v" => ("短信 {0} 条，通话 {1} 次", "{0} messages, {1} calls"),
        "cover.labels" => ("分类统计", "By label"),
        "count.label" => ("{0} {1} 条", "{0}: {1}"),
        "cover.generated" => ("生成时间", "Generated"),
        "cover.generated_v" => ("{0}（北京时间）/ {1}（UTC）", "{0} (Beijing) / {1} (UTC)"),
        "cover.versions" => ("工具与规则版本", "Tool and rules"),
        "cover.versions_v" => ("取证 Quzheng {0}；规则包 {1}", "Quzheng {0}; rule pack {1}"),
        "cover.pack_id" => ("证据包编号", "Pack id"),
        "cover.manifest" => ("清单哈希（SHA-256）", "Manifest hash (SHA-256)"),
        "cover.chain" => ("保管链头（SHA-256）", "Vault chain head (SHA-256)"),
        "cover.note" => ("本材料由开源软件“取证”在本机离线生成：短信原文逐字照录，未作任何改动；分类标签为软件依据公开规则自动标注，供办案人员参考，不代表法律结论。每条短信附 SHA-256 校验值，文件内嵌校验清单，可用 quzheng verify 命令核验本文件是否被改动（见附录）。原始短信仍保存在投诉人手机中（原始载体），可当场出示。", "Generated offline by the open-source tool Quzheng. Message texts are verbatim; labels are automatic and are not legal conclusions. Each message has a SHA-256 value and the file embeds a manifest that `quzheng verify` checks (see appendix). The original messages remain on the complainant's phone."),
        "catalog.title" => ("证据目录", "Evidence list"),
        "catalog.intro" => ("依据《最高人民法院关于民事诉讼证据的若干规定》第十九条，对证据逐一分类编号，说明来源、证明对象和内容。", "Numbered with source and object of proof, per SPC evidence rules Art. 19."),
        "catalog.no" => ("序号", "No."),
        "catalog.name" => ("证据名称", "Evidence"),
        "catalog.source" => ("证据来源", "Source"),
        "catalog.purpose" => ("证明对象/证明目的", "Object of proof"),
        "catalog.pages" => ("页码", "Pages"),
        "catalog.source_phone" => ("投诉人手机（原始载体）", "Complainant's phone (original carrier)"),
        "catalog.source_file" => ("投诉人手机导出的电子数据：{0}（原件在手机中，可当场出示）", "Data exported from the complainant's phone: {0} (originals on the phone)"),
        "catalog.source_derived" => ("依据上述电子数据统计生成", "Derived from the data above"),
        "catalog.name_group" => ("{0}发送的催收短信及通话记录（电子数据打印件）", "Messages and calls from {0} (print-out of electronic data)"),
        "catalog.purpose_group" => ("证明{0}于{1}至{2}向投诉人发送短信 {3} 条、来电 {4} 次；其中 {5}；夜间（22:00—8:00）{6} 条。", "{0} sent {3} messages and made {4} calls between {1} and {2}; {5}; {6} at night (22:00–08:00)."),
        "catalog.name_summary" => ("催收频率与时间分布统计及图表", "Frequency and timing statistics with charts"),
        "catalog.purpose_summary" => ("证明催收的频率、夜间催收及集中骚扰的情况（“多次”“干扰他人正常生活”）。", "Frequency, night-time contact and bursts of messages."),
        "catalog.name_appendix" => ("数据来源、提取方法与完整性说明", "Sources, method and integrity"),
        "catalog.purpose_appendix" => ("证明电子数据的来源、提取方法及完整性（参照证据规定第九十三条），附全部校验值。", "Source, extraction method and integrity of the data (cf. Art. 93), with all hashes."),
        "catalog.sign" => ("提交人（签名）：____________________　　提交日期：______年____月____日", "Submitted by (signature): ______________   Date: ____________"),
        "summary.title" => ("概况与图表", "Summary and charts"),
        "summary.text" => ("{0} 至 {1} 期间，共收到短信 {2} 条、来电 {3} 次，涉及催收方 {4} 个；其中夜间（22:00—次日8:00）发送的短信 {5} 条。", "From {0} to {1}: {2} messages and {3} calls from {4} collectors; {5} messages at night (22:00–08:00)."),
        "summary.worst" => ("最集中的一天是 {0}：短信 {1} 条（其中夜间 {2} 条）、来电 {3} 次，来自 {4}。", "Worst day {0}: {1} messages ({2} at night), {3} calls, from {4}."),
        "summary.labels" => ("分类统计：{0}。", "By label: {0}."),
        "chart.daily" => ("每日短信与来电数量", "Messages and calls per day"),
        "chart.day" => ("白天短信", "daytime messages"),
        "chart.night" => ("夜间短信（22:00—8:00）", "night messages (22:00–08:00)"),
        "chart.calls" => ("来电", "calls"),
        "chart.hours" => ("短信按时段分布（北京时间）", "Messages by hour (Beijing time)"),
        "chart.shaded" => ("阴影：22:00—次日8:00（GB/T 45251—2025 所列不应催收时段）", "Shaded: 22:00–08:00 (no collection per GB/T 45251—2025)"),
        "chart.creditors" => ("各催收方数量（短信 / 来电）", "Per collector (messages / calls)"),
        "chart.creditors_note" => ("催收方名称取自短信中的【署名】；未署名的按发送号码归类。", "Collector names come from the 【signature】 in the message; unsigned messages are grouped by sender number."),
        "legal.title" => ("法律分析（供参考）", "Legal analysis (for reference)"),
        "legal.intro" => ("以下按分类列出可能适用的规定。每条短信依其发送日期适用当时有效的法律：2026年1月1日前发送的适用《治安管理处罚法》（2012年修正），此后发送的适用2025年修订文本（《行政处罚法》第三十七条）。是否违法、是否构成犯罪，由公安机关、监管部门或人民法院认定。", "Provisions that may apply, by label. Each message is judged under the law in force on the day it was sent (Administrative Penalty Law Art. 37). Whether an offence occurred is for the police, regulators or courts to decide."),
        "legal.label" => ("{0}（{1} 条）", "{0} ({1})"),
        "legal.examples" => ("例见证据明细序号：{0}。", "See evidence rows: {0}."),
        "legal.cite" => ("· 其中 {0} 条（发送于 {1} 至 {2}）{3}{4}{5}{6}。", "· {0} of them (sent {1} to {2}) {3} {4} {5} {6}."),
        "legal.caveat" => ("说明：《刑法》第二百九十三条之一仅适用于催收高利放贷等产生的非法债务；“情节严重”“情节恶劣”等由司法机关认定。GB/T 45251—2025 为推荐性国家标准，其22:00—8:00时段和频次要求为行业基准，不是法律规定。", "Note: Criminal Law Art. 293-1 applies only to illegal debts; GB/T 45251—2025 is a recommended standard, not law."),
        "legal.texts" => ("引用法条原文", "Texts of the provisions cited"),
        "legal.front" => ("《{0}》，{1}；{2}；施行：{3} 至 {4}；文本来源：{5}；摘录日期：{6}。", "{0}; {1}; {2}; in force {3} to {4}; source: {5}; retrieved {6}."),
        "legal.now" => ("今", "now"),
        "table.title" => ("证据明细", "Evidence table"),
        "table.intro" => ("短信原文逐字照录（含原有标点、空格与换行），黄色底纹为软件识别出的关键词。时间同时列出北京时间与协调世界时（UTC）。校验值为该条记录的 SHA-256 前12位（完整值见附录），# 后为数据库记录号。蓝色文字为用户对自动分类所作的更正，原分类结果另行保存。", "Texts are verbatim; yellow marks matched words. Times in Beijing time and UTC. Hash = first 12 hex of the record's SHA-256 (full in the appendix); # = record id. Blue = user corrections."),
        "table.group" => ("证据1-{0}　{1}（短信 {2} 条，来电 {3} 次）", "Evidence 1-{0}: {1} ({2} messages, {3} calls)"),
        "table.no" => ("序号", "No."),
        "table.time" => ("时间（北京 / UTC）", "Time (Beijing / UTC)"),
        "table.time_v" => ("{0}\nUTC {1}", "{0}\nUTC {1}"),
        "table.sender" => ("号码 / 类型", "Number / kind"),
        "table.body" => ("内容（原文）", "Text (verbatim)"),
        "table.labels" => ("分类", "Labels"),
        "table.hash" => ("校验值", "Hash"),
        "table.call" => ("（通话记录，时长 {0} 秒）", "(call, {0} s)"),
        "table.attachments" => ("［附件 {0} 个，见 JSON］", " [{0} attachments, see JSON]"),
        "table.creditor_call" => ("催收方号码来电", "call from a collector's number"),
        "table.collection" => ("催收", "collection"),
        "table.not_collection" => ("非催收", "not collection"),
        "table.model_label" => ("{0}（统计模型提示，待核实）", "{0} (statistical suggestion, to be reviewed)"),
        "table.correction" => ("用户更正：{0}", "User correction: {0}"),
        "table.corr_add" => ("增加 {0}", "added {0}"),
        "table.corr_remove" => ("删除 {0}", "removed {0}"),
        "table.corr_note" => ("备注：{0}", "note: {0}"),
        "semi" => ("；", "; "),
        "kind.sms" => ("短信", "SMS"),
        "kind.mms" => ("彩信", "MMS"),
        "kind.call" => ("通话", "call"),
        "dir.in" => ("接收", "in"),
        "dir.out" => ("发出", "out"),
        "status.blocked" => ("被拦截", "blocked"),
        "status.missed" => ("未接", "missed"),
        "status.rejected" => ("拒接", "rejected"),
        "status.voicemail" => ("语音信箱", "voicemail"),
        "status.draft" => ("草稿", "draft"),
        "status.failed" => ("发送失败", "failed"),
        "status.queued" => ("待发送", "queued"),
        "status.elsewhere" => ("他机接听", "answered elsewhere"),
        "appendix.title" => ("附录：数据来源、方法与完整性", "Appendix: sources, method, integrity"),
        "appendix.method" => ("方法：投诉人用手机备份应用（如 SMS Backup & Restore）或手机数据库导出短信与通话记录；“取证”软件以只读方式读取导出文件，计算文件的 SHA-256，将原始文件与解析出的每条记录加密保存在本机证据库中，并以哈希链记录每次导入、分类、更正与导出。分类依据公开的规则包，对每条短信标出命中的关键词。本文件中的短信原文未经任何改动。", "Method: the messages were exported from the phone, read read-only, hashed (SHA-256), stored encrypted with a hash chain of every import, classification, correction and export. Texts are unaltered."),
        "appendix.sources" => ("来源文件", "Source files"),
        "appendix.src_name" => ("文件名 / 格式", "File / format"),
        "appendix.src_size" => ("大小", "Size"),
        "appendix.src_time" => ("导入时间", "Imported"),
        "appendix.src_counts" => ("声明条数 / 实际读取 / SHA-256", "Declared / found / SHA-256"),
        "appendix.src_counts_v" => ("声明 {0}，读取 {1}\n{2}", "declared {0}, found {1}\n{2}"),
        "appendix.undeclared" => ("未声明", "not declared"),
        "appendix.bytes" => ("{0} 字节", "{0} bytes"),
        "appendix.no_sources" => ("（无来源文件记录）", "(no source files recorded)"),
        "appendix.versions" => ("版本与校验", "Versions and hashes"),
        "appendix.versions_v" => ("软件版本：{0}；规则包版本：{1}；证据库哈希链头：{2}；清单哈希：{3}；证据包编号：{4}。", "Tool {0}; rule pack {1}; vault chain head {2}; manifest hash {3}; pack id {4}."),
        "appendix.verify" => ("如何核验", "How to verify"),
        "appendix.verify_v" => ("1. 本 PDF 文件内嵌校验清单，文件末行为整文件的 SHA-256 封签。在任何电脑上运行“quzheng verify 本文件.pdf”：完好时显示“完好”；若有任何字节被改动或被追加修订，会指出改动的位置（第几页、字体、结构或追加内容）。2. 每条短信的校验值为其记录的 SHA-256（类型、号码、时间（UTC毫秒）、方向、原文），可与投诉人手机中的原始短信逐条比对。3. 清单哈希印在封面，并作为导出事件记入证据库哈希链；两者一致，说明本文件由该证据库导出后未被改动。", "1. Run `quzheng verify FILE.pdf`: it says intact, or names what changed (page, font, structure, appended update). 2. Each message hash is the SHA-256 of its record and can be checked against the phone. 3. The manifest hash on the cover is also logged in the vault's hash chain."),
        "appendix.hashes" => ("全部记录的完整 SHA-256", "Full SHA-256 of every record"),
        "appendix.record" => ("记录号", "Record"),
        "appendix.full_hash" => ("SHA-256", "SHA-256"),
        "guide.deadline" => ("本材料中最后一条记录的日期是 {0}。请尽量在 {1} 之前向公安机关报案（六个月时限，见下文第2条）。", "The last record is dated {0}. Report to the police before {1} (six-month limit, item 2 below)."),
        "guide.title" => ("维权指引", "What to do next"),
        "demo.complainant" => ("李明（示例，虚构人物）", "Li Ming (sample, fictional)"),
        "letter.blank" => ("____________", "____________"),
        "letter.facts" => ("{0} 至 {1}，{2} 向本人发送短信共 {3} 条、来电 {4} 次，其中：{5}。短信原文、时间和号码详见所附证据明细。", "From {0} to {1}, {2} sent me {3} messages and called {4} times: {5}. See the attached evidence table."),
        "letter.quote" => ("序号 {0}，{1}，号码 {2}：“{3}”", "No. {0}, {1}, from {2}: \"{3}\""),
        "letter.quotes" => ("部分短信原文", "Some of the messages, verbatim"),
        "letter.evidence" => ("证据清单", "Evidence"),
        "letter.evidence_item" => ("证据1-{0}：{1}发送的短信及通话记录 {2} 条（本材料第 {3} 页）", "Evidence {0}: {2} records from {1} (pages {3})"),
        "letter.sign" => ("报告人/投诉人（签名）：{0}　　　　日期：______年____月____日", "Signed: {0}    Date: ____________"),
        "letter.police.title" => ("报警材料（情况说明）", "Report to the police"),
        "letter.police.intro" => ("报案人：{0}　　联系电话：____________　　身份证号：____________\n本人因借款逾期，近期持续收到催收方发送的骚扰、恐吓短信和电话，严重干扰本人及家人的正常生活，现向贵所报案，情况如下：", "Reporter: {0}. I have been receiving harassing and threatening collection messages and calls:"),
        "letter.police.law" => ("上述行为可能违反{0}关于“多次发送侮辱、恐吓等信息，干扰他人正常生活”等规定；涉及冒充国家机关、散布隐私的，可能违反该法其他相关条款。详见所附法律分析。", "This may violate {0} (repeated insulting or threatening messages). See the legal analysis."),
        "letter.police.ask" => ("请求：依法受理并出具受案回执；调查发送者身份；依法责令其停止骚扰，必要时责令禁止接触。本人手机（原始载体）可随时提交查验。", "I ask you to accept the case and issue a receipt (受案回执), identify the senders, and order them to stop. My phone holds the originals."),
        "letter.reg.title" => ("投诉书（12378 银行保险消费者投诉）", "Complaint to 12378 (NFRA)"),
        "letter.reg.intro" => ("投诉人：{0}　　身份证号：____________　　联系电话：____________", "Complainant: {0}"),
        "letter.reg.respondent" => ("被投诉机构及催收号码", "Institutions and numbers"),
        "letter.reg.facts" => ("主要事实", "Facts"),
        "letter.reg.requests" => ("投诉请求", "Requests"),
        "letter.reg.requests_v" => ("1. 责令被投诉机构及其委托的催收机构立即停止向本人及本人亲友发送骚扰、恐吓、侮辱性短信和拨打骚扰电话；2. 依法查处违规催收行为；3. 在规定期限内（一般为15日，复杂的可延长）告知处理结果。（所借款项的机构名称、借款合同编号请投诉人自行补充：____________）", "1. Order the institution and its agencies to stop; 2. investigate; 3. reply within the statutory period."),
        "letter.12321.title" => ("12321 举报信息（网络不良与垃圾信息举报受理中心）", "12321 report block"),
        "letter.12321.intro" => ("可通过 www.12321.cn、12321 微信公众号或 12321 助手举报。请逐条提供被举报号码、完整原文和时间，不要修改短信原文：", "Report at www.12321.cn; give number, full text and time, unchanged:"),
        "letter.12321.item" => ("被举报号码：{0}　时间：{1}\n短信内容：{2}", "Number: {0}  Time: {1}\nText: {2}"),
        "letter.court.title" => ("民事起诉状（草稿）", "Statement of claim (draft)"),
        "letter.court.parties" => ("原告：{0}，性别：____，出生日期：____，民族：____，住址：____________，联系电话：____________\n被告：\n{1}\n（被告名称、住所地请根据借款合同或号码查询结果补充）", "Plaintiff: {0}\nDefendants:\n{1}"),
        "letter.court.claims" => ("诉讼请求", "Claims"),
        "letter.court.claims_v" => ("1. 判令被告立即停止以短信、电话等方式侵扰原告私人生活安宁，停止向原告亲友披露原告信息；2. 判令被告向原告书面赔礼道歉；3. 判令被告赔偿原告精神损害抚慰金人民币______元；4. 本案诉讼费用由被告承担。", "1. Stop the harassment; 2. apologise; 3. damages; 4. costs."),
        "letter.court.facts" => ("事实与理由", "Facts and reasons"),
        "letter.court.reasons" => ("被告的上述行为可能侵害原告的隐私权（《民法典》第一千零三十二条、第一千零三十三条）、名誉权（第一千零二十四条）及个人信息权益（第一千零三十四条、《个人信息保护法》第十条），原告有权请求停止侵害、赔礼道歉并赔偿精神损害（《民法典》第一千一百八十三条）。原告亦可依《民法典》第九百九十七条申请人格权侵害禁令。", "The conduct may infringe privacy, reputation and personal-information rights (Civil Code Arts. 1024, 1032–1034; PIPL Art. 10)."),
        "letter.court.end" => ("此致\n____________人民法院\n\n具状人（原告）：{0}\n______年____月____日", "To the ______ People's Court\nPlaintiff: {0}"),
        _ => return None,
    })
}

/// The text for `key` in `lang` (the key itself if unknown, which tests catch).
pub fn t(lang: Lang, key: &str) -> &str {
    match pair(key) {
        Some((zh, en)) => lang.pick(zh, en),
        None => key,
    }
}

/// The text for `key` with `{0}`, `{1}` … replaced by `args`.
pub fn f(lang: Lang, key: &str, args: &[&str]) -> String {
    let mut s = t(lang, key).to_string();
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), a);
    }
    s
}

/// The guidance section, one paragraph per item.
pub fn guidance(lang: Lang) -> Vec<String> {
    let items: &[(&str, &str)] = &[
        ("1. 保留手机，不要删除。手机是短信的原始载体（《最高人民法院关于民事诉讼证据的若干规定》第十五条）。在报案、投诉或诉讼结束前，不要删除短信、恢复出厂设置或更换手机；办案人员要求时，当场出示手机中的原始短信。", "1. Keep the phone and do not delete anything: it is the original carrier."),
        ("2. 尽早报案：六个月内。《治安管理处罚法》（2025年修订）第二十五条规定，违反治安管理行为在六个月以内没有被公安机关发现的，不再处罚。请在最后一条骚扰短信之日起六个月内报案。", "2. Report within six months of the last message (Public Security Administration Punishments Law 2025, Art. 25)."),
        ("3. 报警：拨打 110 或到当地派出所，提交本材料（可附报警材料），并请求民警出具《受案回执》；提交的证据会登记在接受证据清单上。公安机关对报案应当立即受理并调查（2025年修订文本第九十条）。", "3. Call 110 or go to the local police station with this pack; ask for the case-acceptance receipt (受案回执)."),
        ("4. 向金融监管投诉：催收方为银行、消费金融公司或其委托的催收机构的，拨打 12378（国家金融监督管理总局银行保险消费者投诉维权热线）或通过其网站投诉。小额贷款公司等由地方金融管理部门监管。", "4. Complain to 12378 (NFRA) if the lender is a bank, consumer-finance company or their agency."),
        ("5. 举报骚扰短信：通过 www.12321.cn、12321 微信公众号或 12321 助手举报，逐条提供发送号码、完整原文和时间。举报时不要修改短信原文。", "5. Report spam to 12321 with the number, the full unchanged text and the time."),
        ("6. 向法院起诉：可就隐私权、名誉权、个人信息权益受侵害提起民事诉讼（被侵权人住所地法院可管辖信息网络侵权案件），必要时申请人格权侵害禁令（《民法典》第九百九十七条）。可附起诉状草稿。", "6. Sue in court for privacy, reputation and personal-information infringement; an injunction is possible (Civil Code Art. 997)."),
        ("7. 借款本身的问题（利息是否过高、金额是否正确）与催收方式是否违法是两回事：即使确有欠款，催收方也不得恐吓、侮辱、冒充国家机关或向您的亲友散布信息。", "7. Owing money does not make threats, insults, impersonation or disclosure lawful."),
    ];
    items
        .iter()
        .map(|(zh, en)| lang.pick(zh, en).to_string())
        .collect()
}

/// One sentence for a `report` error.
pub fn error_message(err: &Error, lang: Lang) -> String {
    match err {
        Error::NothingSelected => lang
            .pick(
                "所选范围内没有短信，无法生成证据材料。请检查催收方名称和日期范围。",
                "No messages match the selection, so there is nothing to put in a pack. Check the creditor and dates.",
            )
            .to_string(),
        Error::LegalText { file, reason } => match lang {
            Lang::Zh => format!("内置法律文本 {file} 有误（{reason}），请向开发者报告。"),
            Lang::En => format!("The bundled legal text {file} is malformed ({reason}); please report this."),
        },
        Error::Font(why) => match lang {
            Lang::Zh => format!("内置字体无法读取（{why}），请向开发者报告。"),
            Lang::En => format!("The bundled font cannot be read ({why}); please report this."),
        },
        Error::NotAPack { path } => match lang {
            Lang::Zh => format!("{} 不是“取证”生成的证据材料（找不到内嵌清单和封签）。", path.display()),
            Lang::En => format!("{} is not a Quzheng evidence pack (no manifest or seal inside).", path.display()),
        },
        Error::UnknownCreditor { name, known } => match lang {
            Lang::Zh => format!("证据库中没有名为“{name}”的催收方。已有：{}。", known.join("、")),
            Lang::En => format!("The vault has no creditor named \"{name}\". Known: {}.", known.join(", ")),
        },
        Error::Output { path, source } => match lang {
            Lang::Zh => format!("无法写入 {}：{}；没有留下任何文件。", path.display(), super::io_reason(source, lang)),
            Lang::En => format!("Cannot write {}: {}; no file was left behind.", path.display(), super::io_reason(source, lang)),
        },
        Error::Read { path, source } => match lang {
            Lang::Zh => format!("无法读取 {}：{}。", path.display(), super::io_reason(source, lang)),
            Lang::En => format!("Cannot read {}: {}.", path.display(), super::io_reason(source, lang)),
        },
    }
}

/// The line `verify` prints for an intact pack.
pub fn verify_intact(pack_id: &str, messages: usize, pages: usize, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("intact 完好：证据包 {pack_id}，{pages} 页、{messages} 条记录的校验值全部一致，文件未被改动或追加。"),
        Lang::En => format!("intact: pack {pack_id}, {pages} pages and {messages} records match; nothing was changed or appended."),
    }
}

/// The first line `verify` prints for a damaged pack.
pub fn verify_damaged(file: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("damaged 已被改动：{file} 与其内嵌校验清单不一致："),
        Lang::En => format!("damaged: {file} does not match its embedded manifest:"),
    }
}

/// What `report` prints on standard error after writing a pack.
pub fn report_written(
    pack_id: &str,
    records: usize,
    pages: usize,
    manifest: &str,
    lang: Lang,
) -> String {
    match lang {
        Lang::Zh => format!("已生成证据包 {pack_id}：{records} 条记录，{pages} 页；清单哈希 {manifest}（已记入证据库）。"),
        Lang::En => format!("Wrote pack {pack_id}: {records} records, {pages} pages; manifest hash {manifest} (logged in the vault)."),
    }
}

/// One line naming a difference found by `verify`.
pub fn verify_problem(p: &Problem, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match p {
        Problem::Appended { bytes } => {
            if zh {
                format!("文件封签之后被追加了 {bytes} 字节（增量修订或其他追加内容）。")
            } else {
                format!("{bytes} bytes were appended after the seal (an incremental update or other data).")
            }
        }
        Problem::SealMissing => lang
            .pick(
                "文件末尾的封签缺失或已损坏。",
                "The seal at the end of the file is missing or damaged.",
            )
            .to_string(),
        Problem::ManifestUnreadable => lang
            .pick(
                "内嵌校验清单无法读取（已被改动）。",
                "The embedded manifest cannot be read (it was changed).",
            )
            .to_string(),
        Problem::ManifestChanged => lang
            .pick(
                "内嵌校验清单与封签记录不一致（清单被改动）。",
                "The embedded manifest differs from the seal (it was changed).",
            )
            .to_string(),
        Problem::ManifestInconsistent => lang
            .pick(
                "清单哈希与清单中的记录不一致（清单被改动）。",
                "The manifest hash does not match its records (the manifest was edited).",
            )
            .to_string(),
        Problem::Object { obj, what } => {
            let part = if let Some(n) = what.strip_prefix("page:") {
                if zh {
                    format!("第 {n} 页的内容")
                } else {
                    format!("page {n}")
                }
            } else {
                match (what.as_str(), zh) {
                    ("font", true) => "嵌入字体".to_string(),
                    ("font", false) => "the embedded font".to_string(),
                    ("pages", true) => "页面目录".to_string(),
                    ("catalog", true) => "文档目录".to_string(),
                    ("info", true) => "文档信息".to_string(),
                    (w, _) => w.to_string(),
                }
            };
            if zh {
                format!("{part}已被改动（对象 {obj}）。")
            } else {
                format!("{part} was changed (object {obj}).")
            }
        }
        Problem::Structure => lang
            .pick(
                "文件结构（交叉引用表、文件尾或封签）已被改动。",
                "The file structure (cross-reference table, trailer or seal) was changed.",
            )
            .to_string(),
    }
}
