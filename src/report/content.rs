//! The sections of the pack, in order: cover, 证据目录, summary with charts, legal
//! analysis, evidence table, method and integrity appendix, guidance, and the letter for
//! the chosen audience.
//!
//! The evidence list needs the page numbers of later sections, so the document is laid out
//! twice: the first pass records where each section starts and ends, the second prints
//! those numbers (page numbers are 1-based, as printed in the footer).

use super::chart::{self, DayCount};
use super::layout::{Cell, Flow, Table, HEAD, MARGIN_X, TEXT_W};
use super::legal::Library;
use super::pdf::{Page, Rgb, A4_H};
use super::{Audience, PackInput, PackMessage, PackOptions};
use crate::i18n::report::{f, t};
use crate::i18n::{label_name, Lang};
use crate::model::{normalize_address, Kind, Label, Status};
use chrono::{DateTime, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// One message as placed in the pack.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    /// The input record.
    pub pm: &'a PackMessage,
    /// 序号 in the evidence table (1-based, in table order).
    pub no: usize,
    /// Creditor name the row is grouped under.
    pub creditor: String,
    /// Local time.
    pub local: DateTime<Tz>,
    /// Hex SHA-256 message hash (the model's fingerprint: kind, address, instant,
    /// direction, body).
    pub hash: String,
}

/// The messages of one creditor (one evidence item 1-k).
#[derive(Debug, Clone)]
pub struct Group {
    /// Creditor name (or the sender number when unsigned).
    pub creditor: String,
    /// Numbers it used.
    pub numbers: BTreeSet<String>,
    /// Indices into [`Model::entries`].
    pub entries: Vec<usize>,
    /// Messages (SMS/MMS).
    pub messages: usize,
    /// Calls.
    pub calls: usize,
    /// Messages per label.
    pub labels: BTreeMap<Label, usize>,
}

/// The per-message line of the canonical manifest.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ManifestMessage {
    /// 序号 in the table.
    pub no: usize,
    /// Vault record id.
    pub id: i64,
    /// Message hash (fingerprint), hex.
    pub sha256: String,
    /// SHA-256 of the canonical JSON of the effective verdict and corrections.
    pub verdict_sha256: String,
}

/// Everything derived from the input before layout.
#[derive(Debug)]
pub struct Model<'a> {
    /// Entries in table order.
    pub entries: Vec<Entry<'a>>,
    /// Groups in table order.
    pub groups: Vec<Group>,
    /// Collection messages per label over the selection.
    pub label_counts: BTreeMap<Label, usize>,
    /// First and last local date.
    pub period: (NaiveDate, NaiveDate),
    /// Canonical per-message manifest.
    pub manifest: Vec<ManifestMessage>,
    /// SHA-256 of the canonical manifest (printed on the cover).
    pub manifest_hash: String,
    /// Pack id (printed on the cover and in every page header).
    pub pack_id: String,
    /// The zone.
    pub zone: Tz,
    /// Generation time.
    pub now: DateTime<Utc>,
    /// Total messages / calls.
    pub totals: (usize, usize),
}

fn is_night(local: &DateTime<Tz>) -> bool {
    let h = local.hour();
    !(8..22).contains(&h)
}

/// Derives the model (grouping, hashes, pack id) from the input.
pub fn model<'a>(input: &'a PackInput, opts: &PackOptions) -> Model<'a> {
    let zone = input.zone;
    // Numbers a creditor signed from, so unsigned messages and calls from them join it.
    let mut by_number: BTreeMap<String, String> = BTreeMap::new();
    for pm in &input.messages {
        if let Some(c) = &pm.verdict.creditor {
            by_number
                .entry(normalize_address(&pm.message.address))
                .or_insert_with(|| c.clone());
        }
    }
    let mut tmp: Vec<(String, &PackMessage)> = input
        .messages
        .iter()
        .map(|pm| {
            let c = pm.verdict.creditor.clone().unwrap_or_else(|| {
                by_number
                    .get(&normalize_address(&pm.message.address))
                    .cloned()
                    .unwrap_or_else(|| pm.message.address.clone())
            });
            (c, pm)
        })
        .collect();
    let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
    for (c, _) in &tmp {
        *sizes.entry(c.clone()).or_default() += 1;
    }
    tmp.sort_by(|a, b| {
        sizes[&b.0]
            .cmp(&sizes[&a.0])
            .then_with(|| a.0.cmp(&b.0))
            .then_with(|| {
                a.1.message
                    .instant
                    .utc_ms()
                    .cmp(&b.1.message.instant.utc_ms())
            })
            .then_with(|| a.1.id.cmp(&b.1.id))
    });
    let mut entries = Vec::with_capacity(tmp.len());
    let mut groups: Vec<Group> = Vec::new();
    let mut label_counts = BTreeMap::new();
    for (i, (c, pm)) in tmp.into_iter().enumerate() {
        if groups.last().is_none_or(|g| g.creditor != c) {
            groups.push(Group {
                creditor: c.clone(),
                numbers: BTreeSet::new(),
                entries: Vec::new(),
                messages: 0,
                calls: 0,
                labels: BTreeMap::new(),
            });
        }
        let g = groups.last_mut().expect("a group was pushed above");
        g.numbers.insert(pm.message.address.clone());
        g.entries.push(i);
        if pm.message.kind == Kind::Call {
            g.calls += 1;
        } else {
            g.messages += 1;
        }
        for l in &pm.verdict.labels {
            *g.labels.entry(*l).or_default() += 1;
            *label_counts.entry(*l).or_default() += 1;
        }
        entries.push(Entry {
            pm,
            no: i + 1,
            creditor: c,
            local: pm.message.instant.local(zone),
            hash: hex::encode(pm.message.fingerprint()),
        });
    }
    let first = entries
        .iter()
        .map(|e| e.local.date_naive())
        .min()
        .unwrap_or_default();
    let last = entries
        .iter()
        .map(|e| e.local.date_naive())
        .max()
        .unwrap_or_default();
    let period = (
        input.since.unwrap_or(first).min(first),
        input.until.unwrap_or(last).max(last),
    );
    let manifest: Vec<ManifestMessage> = entries
        .iter()
        .map(|e| {
            let v = serde_json::to_vec(&(&e.pm.verdict, &e.pm.corrections)).unwrap_or_default();
            ManifestMessage {
                no: e.no,
                id: e.pm.id,
                sha256: e.hash.clone(),
                verdict_sha256: hex::encode(Sha256::digest(&v)),
            }
        })
        .collect();
    let manifest_hash = manifest_hash(&manifest, input);
    let mut h = Sha256::new();
    h.update(b"quzheng-pack-v1\0");
    h.update(manifest_hash.as_bytes());
    h.update(opts.now.to_rfc3339().as_bytes());
    h.update(format!("{:?}{:?}", opts.audience, input.complainant).as_bytes());
    let pack_id = hex::encode(&h.finalize()[..8]).to_uppercase();
    let calls = entries
        .iter()
        .filter(|e| e.pm.message.kind == Kind::Call)
        .count();
    Model {
        totals: (entries.len() - calls, calls),
        entries,
        groups,
        label_counts,
        period,
        manifest,
        manifest_hash,
        pack_id,
        zone,
        now: opts.now,
    }
}

/// The canonical manifest hash: SHA-256 over the JSON of the per-message lines, the
/// sources, the chain head and the rule version (serde_json field order is fixed).
pub fn manifest_hash(manifest: &[ManifestMessage], input: &PackInput) -> String {
    let v = serde_json::json!({
        "v": 1,
        "messages": manifest,
        "sources": input.sources,
        "chain_head": input.chain_head,
        "rule_version": input.rule_version,
    });
    hex::encode(Sha256::digest(v.to_string().as_bytes()))
}

/// Page ranges of the sections the evidence list points to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageMap {
    /// (first, last) page of each group's table part.
    pub groups: Vec<(usize, usize)>,
    /// Summary pages.
    pub summary: (usize, usize),
    /// Appendix pages.
    pub appendix: (usize, usize),
    /// Legal analysis pages.
    pub legal: (usize, usize),
}

/// The laid-out document before sealing.
pub struct Rendered<'f> {
    /// The flow with every page.
    pub flow: Flow<'f>,
    /// Section pages.
    pub map: PageMap,
    /// Model summary for the manifest.
    pub pack_id: String,
    /// Manifest hash.
    pub manifest_hash: String,
    /// Canonical manifest lines.
    pub manifest: Vec<ManifestMessage>,
    /// Generation time (for `/Info`).
    pub now: DateTime<Utc>,
    /// Title (for `/Info`).
    pub title: String,
    /// Model facts the letters reuse.
    pub model: LetterFacts,
}

/// Facts the DOCX letters need, detached from the input's lifetime.
#[derive(Debug, Clone, Default)]
pub struct LetterFacts {
    /// Pack id.
    pub pack_id: String,
    /// Manifest hash.
    pub manifest_hash: String,
    /// Paragraphs of the letter as printed in the PDF.
    pub letter: Vec<String>,
}

fn fmt_local(d: &DateTime<Tz>) -> String {
    d.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Lays the document out (twice; see the module docs).
pub fn render<'f>(
    input: &PackInput,
    opts: &PackOptions,
    laws: &Library,
    font: &'f super::font::Font,
) -> Rendered<'f> {
    let m = model(input, opts);
    let mut map = PageMap::default();
    let mut out = None;
    for _ in 0..3 {
        let (flow, new_map, letter) = layout(&m, input, opts, laws, font, &map);
        let stable = new_map == map;
        map = new_map;
        out = Some((flow, letter));
        if stable {
            break;
        }
    }
    let (mut flow, letter) = out.expect("the loop runs at least once");
    finish_pages(&mut flow, &m, opts.lang);
    Rendered {
        flow,
        map,
        pack_id: m.pack_id.clone(),
        manifest_hash: m.manifest_hash.clone(),
        manifest: m.manifest.clone(),
        now: m.now,
        title: t(opts.lang, "cover.title").to_string(),
        model: LetterFacts {
            pack_id: m.pack_id.clone(),
            manifest_hash: m.manifest_hash.clone(),
            letter,
        },
    }
}

/// Running header and footer with page numbers, drawn once the page count is known.
fn finish_pages(flow: &mut Flow, m: &Model, lang: Lang) {
    let total = flow.pages.len();
    let header = f(lang, "page.header", &[&m.pack_id]);
    let pages = std::mem::take(&mut flow.pages);
    let mut done: Vec<Page> = Vec::with_capacity(total);
    for (i, p) in pages.into_iter().enumerate() {
        flow.pages.push(p);
        if i > 0 {
            flow.text_at(MARGIN_X, 34.0, 7.0, Rgb::GREY, &header);
            flow.page()
                .line(MARGIN_X, 40.0, MARGIN_X + TEXT_W, 40.0, 0.3, Rgb::GREY);
        }
        let footer = f(
            lang,
            "page.footer",
            &[&(i + 1).to_string(), &total.to_string()],
        );
        let w = super::layout::width(flow.font(), &footer.chars().collect::<Vec<_>>(), 8.0);
        flow.text_at(
            MARGIN_X + (TEXT_W - w) / 2.0,
            A4_H - 28.0,
            8.0,
            Rgb::GREY,
            &footer,
        );
        done.push(flow.pages.pop().expect("pushed above"));
    }
    flow.pages = done;
}

fn range(r: (usize, usize)) -> String {
    if r.0 == r.1 {
        r.0.to_string()
    } else {
        format!("{}–{}", r.0, r.1)
    }
}

fn label_list(labels: &BTreeMap<Label, usize>, lang: Lang) -> String {
    let parts: Vec<String> = Label::ALL
        .iter()
        .filter_map(|l| {
            labels
                .get(l)
                .map(|n| f(lang, "count.label", &[label_name(*l, lang), &n.to_string()]))
        })
        .collect();
    parts.join(t(lang, "sep"))
}

fn layout<'f>(
    m: &Model,
    input: &PackInput,
    opts: &PackOptions,
    laws: &Library,
    font: &'f super::font::Font,
    prev: &PageMap,
) -> (Flow<'f>, PageMap, Vec<String>) {
    let lang = opts.lang;
    let mut fl = Flow::new(font);
    let mut map = PageMap::default();
    cover(&mut fl, m, input, lang);
    catalog(&mut fl, m, input, lang, prev);
    // Summary.
    fl.heading(t(lang, "summary.title"), 1);
    let s0 = fl.page_no();
    summary(&mut fl, m, lang);
    map.summary = (s0, fl.page_no());
    fl.heading(t(lang, "legal.title"), 1);
    let l0 = fl.page_no();
    legal(&mut fl, m, laws, lang);
    map.legal = (l0, fl.page_no());
    fl.heading(t(lang, "table.title"), 1);
    fl.para(t(lang, "table.intro"), 8.5);
    for (gi, g) in m.groups.iter().enumerate() {
        fl.heading(
            &f(
                lang,
                "table.group",
                &[
                    &(gi + 1).to_string(),
                    &g.creditor,
                    &g.messages.to_string(),
                    &g.calls.to_string(),
                ],
            ),
            3,
        );
        let p0 = fl.page_no();
        evidence_table(&mut fl, m, g, lang);
        map.groups.push((p0, fl.page_no()));
    }
    fl.heading(t(lang, "appendix.title"), 1);
    let a0 = fl.page_no();
    appendix(&mut fl, m, input, lang);
    map.appendix = (a0, fl.page_no());
    fl.heading(t(lang, "guide.title"), 1);
    let deadline = m
        .period
        .1
        .checked_add_months(chrono::Months::new(6))
        .unwrap_or(m.period.1);
    fl.para_at(
        &f(
            lang,
            "guide.deadline",
            &[&m.period.1.to_string(), &deadline.to_string()],
        ),
        10.5,
        HEAD,
        MARGIN_X,
        TEXT_W,
    );
    fl.space(4.0);
    for p in crate::i18n::report::guidance(lang) {
        fl.para(&p, 9.5);
        fl.space(3.0);
    }
    let mut letter = Vec::new();
    if let Some(a) = opts.audience {
        letter = letter_paragraphs(m, input, laws, a, lang, prev);
        let (title, body) = letter
            .split_first()
            .map(|(a, b)| (a.clone(), b))
            .unwrap_or_default();
        fl.heading(&title, 1);
        for p in body {
            if let Some(h) = p.strip_prefix("## ") {
                fl.heading(h, 3);
            } else {
                fl.para(p, 10.0);
                fl.space(2.0);
            }
        }
    }
    (fl, map, letter)
}

fn kv(fl: &mut Flow, k: &str, v: &str) {
    // The key column fits the longest key of the language: a 64-digit hash must still fit
    // on one line beside it (Chinese keys are shorter).
    let key_w = if k.is_ascii() || k.starts_with(|c: char| c.is_ascii()) {
        150.0
    } else {
        110.0
    };
    let y = fl.y;
    fl.para_at(k, 10.0, Rgb::GREY, MARGIN_X, key_w - 8.0);
    let after_key = fl.y;
    fl.y = y;
    fl.para_at(v, 10.0, Rgb::BLACK, MARGIN_X + key_w, TEXT_W - key_w);
    fl.y = fl.y.max(after_key);
    fl.space(3.0);
}

fn cover(fl: &mut Flow, m: &Model, input: &PackInput, lang: Lang) {
    fl.space(60.0);
    let title = t(lang, "cover.title");
    let w = super::layout::width(fl.font(), &title.chars().collect::<Vec<_>>(), 26.0);
    fl.text_at(
        MARGIN_X + (TEXT_W - w) / 2.0,
        fl.y + 26.0,
        26.0,
        HEAD,
        title,
    );
    fl.space(40.0);
    let sub = t(lang, "cover.subtitle");
    let w = super::layout::width(fl.font(), &sub.chars().collect::<Vec<_>>(), 12.0);
    fl.text_at(
        MARGIN_X + (TEXT_W - w) / 2.0,
        fl.y + 12.0,
        12.0,
        Rgb::GREY,
        sub,
    );
    fl.space(50.0);
    let y = fl.y;
    fl.page().line(MARGIN_X, y, MARGIN_X + TEXT_W, y, 0.6, HEAD);
    fl.space(12.0);
    kv(
        fl,
        t(lang, "cover.complainant"),
        input
            .complainant
            .as_deref()
            .unwrap_or(t(lang, "cover.unnamed")),
    );
    let resp: Vec<String> = m
        .groups
        .iter()
        .map(|g| {
            let nums: Vec<&str> = g.numbers.iter().map(String::as_str).collect();
            f(
                lang,
                "cover.respondent",
                &[&g.creditor, &nums.join(t(lang, "sep"))],
            )
        })
        .collect();
    kv(fl, t(lang, "cover.respondents"), &resp.join("\n"));
    kv(
        fl,
        t(lang, "cover.period"),
        &f(
            lang,
            "cover.period_v",
            &[&m.period.0.to_string(), &m.period.1.to_string()],
        ),
    );
    kv(
        fl,
        t(lang, "cover.counts"),
        &f(
            lang,
            "cover.counts_v",
            &[&m.totals.0.to_string(), &m.totals.1.to_string()],
        ),
    );
    let labels = label_list(&m.label_counts, lang);
    kv(
        fl,
        t(lang, "cover.labels"),
        if labels.is_empty() {
            t(lang, "none")
        } else {
            &labels
        },
    );
    let bj = m.now.with_timezone(&m.zone);
    kv(
        fl,
        t(lang, "cover.generated"),
        &f(
            lang,
            "cover.generated_v",
            &[
                &fmt_local(&bj),
                &m.now.format("%Y-%m-%d %H:%M:%S").to_string(),
            ],
        ),
    );
    kv(
        fl,
        t(lang, "cover.versions"),
        &f(
            lang,
            "cover.versions_v",
            &[super::TOOL_VERSION, &input.rule_version],
        ),
    );
    kv(fl, t(lang, "cover.pack_id"), &m.pack_id);
    kv(fl, t(lang, "cover.manifest"), &m.manifest_hash);
    kv(fl, t(lang, "cover.chain"), &input.chain_head);
    fl.space(14.0);
    fl.para_at(t(lang, "cover.note"), 8.5, Rgb::GREY, MARGIN_X, TEXT_W);
}

fn catalog(fl: &mut Flow, m: &Model, input: &PackInput, lang: Lang, prev: &PageMap) {
    fl.heading(t(lang, "catalog.title"), 1);
    fl.para(t(lang, "catalog.intro"), 9.0);
    fl.space(4.0);
    let table = Table {
        widths: vec![36.0, 120.0, 120.0, 173.0, 50.0],
        header: [
            "catalog.no",
            "catalog.name",
            "catalog.source",
            "catalog.purpose",
            "catalog.pages",
        ]
        .iter()
        .map(|k| t(lang, k).to_string())
        .collect(),
        size: 8.5,
    };
    fl.table_start(&table);
    let pages =
        |r: Option<&(usize, usize)>| r.map(|r| range(*r)).unwrap_or_else(|| "000–000".into());
    let src_names: Vec<String> = input.sources.iter().map(|s| s.name.clone()).collect();
    let source = if src_names.is_empty() {
        t(lang, "catalog.source_phone").to_string()
    } else {
        f(
            lang,
            "catalog.source_file",
            &[&src_names.join(t(lang, "sep"))],
        )
    };
    for (gi, g) in m.groups.iter().enumerate() {
        let first = g
            .entries
            .first()
            .map(|&i| m.entries[i].local.date_naive().to_string())
            .unwrap_or_default();
        let last = g
            .entries
            .last()
            .map(|&i| m.entries[i].local.date_naive().to_string())
            .unwrap_or_default();
        let night = g.labels.get(&Label::NightContact).copied().unwrap_or(0);
        let purpose = f(
            lang,
            "catalog.purpose_group",
            &[
                &g.creditor,
                &first,
                &last,
                &g.messages.to_string(),
                &g.calls.to_string(),
                &label_list(&g.labels, lang),
                &night.to_string(),
            ],
        );
        fl.row(&[
            Cell::new(format!("1-{}", gi + 1)),
            Cell::new(f(lang, "catalog.name_group", &[&g.creditor])),
            Cell::new(source.clone()),
            Cell::new(purpose),
            Cell::new(pages(prev.groups.get(gi))),
        ]);
    }
    fl.row(&[
        Cell::new("2"),
        Cell::new(t(lang, "catalog.name_summary")),
        Cell::new(t(lang, "catalog.source_derived")),
        Cell::new(t(lang, "catalog.purpose_summary")),
        Cell::new(pages(Some(&prev.summary).filter(|r| r.0 > 0))),
    ]);
    fl.row(&[
        Cell::new("3"),
        Cell::new(t(lang, "catalog.name_appendix")),
        Cell::new(t(lang, "catalog.source_derived")),
        Cell::new(t(lang, "catalog.purpose_appendix")),
        Cell::new(pages(Some(&prev.appendix).filter(|r| r.0 > 0))),
    ]);
    fl.table_end();
    fl.space(16.0);
    fl.para(t(lang, "catalog.sign"), 10.0);
}

fn day_counts(m: &Model) -> Vec<DayCount> {
    let mut days: BTreeMap<NaiveDate, DayCount> = BTreeMap::new();
    let mut d = m.period.0;
    while d <= m.period.1 {
        days.insert(
            d,
            DayCount {
                date: d,
                day: 0,
                night: 0,
                calls: 0,
            },
        );
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    for e in &m.entries {
        let Some(c) = days.get_mut(&e.local.date_naive()) else {
            continue;
        };
        if e.pm.message.kind == Kind::Call {
            c.calls += 1;
        } else if is_night(&e.local) {
            c.night += 1;
        } else {
            c.day += 1;
        }
    }
    days.into_values().collect()
}

fn summary(fl: &mut Flow, m: &Model, lang: Lang) {
    let days = day_counts(m);
    let night_total: u32 = days.iter().map(|d| d.night).sum();
    let worst = days
        .iter()
        .max_by_key(|d| (d.day + d.night + d.calls, std::cmp::Reverse(d.date)))
        .copied();
    fl.para(
        &f(
            lang,
            "summary.text",
            &[
                &m.period.0.to_string(),
                &m.period.1.to_string(),
                &m.totals.0.to_string(),
                &m.totals.1.to_string(),
                &m.groups.len().to_string(),
                &night_total.to_string(),
            ],
        ),
        10.0,
    );
    if let Some(w) = worst {
        let on_day: BTreeSet<&str> = m
            .entries
            .iter()
            .filter(|e| e.local.date_naive() == w.date)
            .map(|e| e.creditor.as_str())
            .collect();
        fl.para(
            &f(
                lang,
                "summary.worst",
                &[
                    &w.date.to_string(),
                    &(w.day + w.night).to_string(),
                    &w.night.to_string(),
                    &w.calls.to_string(),
                    &on_day.into_iter().collect::<Vec<_>>().join(t(lang, "sep")),
                ],
            ),
            10.0,
        );
    }
    fl.para(
        &f(
            lang,
            "summary.labels",
            &[&{
                let l = label_list(&m.label_counts, lang);
                if l.is_empty() {
                    t(lang, "none").to_string()
                } else {
                    l
                }
            }],
        ),
        10.0,
    );
    fl.heading(t(lang, "chart.daily"), 3);
    chart::daily(
        fl,
        &days,
        [
            t(lang, "chart.day"),
            t(lang, "chart.night"),
            t(lang, "chart.calls"),
        ],
    );
    fl.heading(t(lang, "chart.hours"), 3);
    let mut hours = [0u32; 24];
    for e in &m.entries {
        if e.pm.message.kind != Kind::Call {
            hours[e.local.hour() as usize] += 1;
        }
    }
    chart::hours(fl, &hours, t(lang, "chart.shaded"));
    fl.heading(t(lang, "chart.creditors"), 3);
    let rows: Vec<(String, u32, u32)> = m
        .groups
        .iter()
        .map(|g| (g.creditor.clone(), g.messages as u32, g.calls as u32))
        .collect();
    chart::creditors(fl, &rows);
    fl.para_at(
        t(lang, "chart.creditors_note"),
        8.0,
        Rgb::GREY,
        MARGIN_X,
        TEXT_W,
    );
}

fn legal(fl: &mut Flow, m: &Model, laws: &Library, lang: Lang) {
    fl.para(t(lang, "legal.intro"), 9.5);
    let mut cited: BTreeSet<(String, String)> = BTreeSet::new();
    for label in Label::ALL {
        let with: Vec<&Entry> = m
            .entries
            .iter()
            .filter(|e| e.pm.verdict.labels.contains(&label))
            .collect();
        if with.is_empty() {
            continue;
        }
        fl.heading(
            &f(
                lang,
                "legal.label",
                &[label_name(label, lang), &with.len().to_string()],
            ),
            2,
        );
        let examples: Vec<String> = with.iter().take(8).map(|e| e.no.to_string()).collect();
        fl.para(
            &f(lang, "legal.examples", &[&examples.join(t(lang, "sep"))]),
            9.0,
        );
        for p in laws.provisions_for(label) {
            // Group this label's messages by the version of the family in force that day.
            let mut by_version: BTreeMap<String, (usize, NaiveDate, NaiveDate)> = BTreeMap::new();
            for e in &with {
                let date = e.local.date_naive();
                if let Some(s) = laws.version_for(&p.family, date) {
                    if p.cite.contains_key(&s.id) {
                        let v = by_version.entry(s.id.clone()).or_insert((0, date, date));
                        v.0 += 1;
                        v.1 = v.1.min(date);
                        v.2 = v.2.max(date);
                    }
                }
            }
            for (sid, (n, from, to)) in by_version {
                let Some(s) = laws.statute(&sid) else {
                    continue;
                };
                let art = &p.cite[&sid];
                cited.insert((sid.clone(), art.clone()));
                let line = f(
                    lang,
                    "legal.cite",
                    &[
                        &n.to_string(),
                        &from.to_string(),
                        &to.to_string(),
                        &p.verb,
                        &s.short,
                        art,
                        &p.item,
                    ],
                );
                fl.para_at(&line, 9.5, Rgb::BLACK, MARGIN_X + 10.0, TEXT_W - 10.0);
                fl.space(2.0);
            }
        }
    }
    fl.space(4.0);
    fl.para_at(t(lang, "legal.caveat"), 8.5, Rgb::GREY, MARGIN_X, TEXT_W);
    fl.heading(t(lang, "legal.texts"), 2);
    for s in &laws.statutes {
        let arts: Vec<&(String, String)> = s
            .articles
            .iter()
            .filter(|(h, _)| cited.contains(&(s.id.clone(), h.clone())))
            .collect();
        if arts.is_empty() {
            continue;
        }
        fl.heading(&s.short, 3);
        let until = s
            .effective_until
            .map(|d| d.to_string())
            .unwrap_or_else(|| t(lang, "legal.now").to_string());
        fl.para_at(
            &f(
                lang,
                "legal.front",
                &[
                    &s.title,
                    &s.issuer,
                    &s.number,
                    &s.effective_from.to_string(),
                    &until,
                    &s.source,
                    &s.retrieved.to_string(),
                ],
            ),
            7.5,
            Rgb::GREY,
            MARGIN_X,
            TEXT_W,
        );
        for (h, text) in arts {
            fl.para_at(
                &format!("{h}\u{3000}{text}"),
                8.5,
                Rgb::BLACK,
                MARGIN_X + 10.0,
                TEXT_W - 10.0,
            );
            fl.space(2.0);
        }
    }
}

fn kind_text(pm: &PackMessage, lang: Lang) -> String {
    let msg = &pm.message;
    let kind = match msg.kind {
        Kind::Sms => t(lang, "kind.sms"),
        Kind::Mms => t(lang, "kind.mms"),
        Kind::Call => t(lang, "kind.call"),
    };
    let dir = t(
        lang,
        if msg.direction == crate::model::Direction::In {
            "dir.in"
        } else {
            "dir.out"
        },
    );
    let status = match msg.status {
        Status::Normal => "",
        Status::Blocked => t(lang, "status.blocked"),
        Status::Missed => t(lang, "status.missed"),
        Status::Rejected => t(lang, "status.rejected"),
        Status::Voicemail => t(lang, "status.voicemail"),
        Status::Draft => t(lang, "status.draft"),
        Status::Failed => t(lang, "status.failed"),
        Status::Outbox | Status::Queued => t(lang, "status.queued"),
        Status::AnsweredElsewhere => t(lang, "status.elsewhere"),
    };
    let mut s = format!("{}\n{kind}·{dir}", msg.address);
    if !status.is_empty() {
        s.push_str(&format!("·{status}"));
    }
    s
}

fn evidence_table(fl: &mut Flow, m: &Model, g: &Group, lang: Lang) {
    let table = Table {
        widths: vec![24.0, 78.0, 68.0, 184.0, 82.0, 63.0],
        header: [
            "table.no",
            "table.time",
            "table.sender",
            "table.body",
            "table.labels",
            "table.hash",
        ]
        .iter()
        .map(|k| t(lang, k).to_string())
        .collect(),
        size: 7.5,
    };
    fl.table_start(&table);
    for &i in &g.entries {
        let e = &m.entries[i];
        let msg = &e.pm.message;
        let utc = msg.instant.local(chrono_tz::UTC);
        let time = f(
            lang,
            "table.time_v",
            &[
                &fmt_local(&e.local),
                // Month-day and time keep the UTC line on one line in the column; the
                // year is the local one give or take a day, and CSV/JSON carry full UTC.
                &utc.format("%m-%d %H:%M:%S").to_string(),
            ],
        );
        let mut body = Cell::new(msg.body.clone());
        if msg.kind == Kind::Call {
            body = Cell::new(f(
                lang,
                "table.call",
                &[&msg.duration_s.unwrap_or(0).to_string()],
            ));
            body.color = Some(Rgb::GREY);
        } else {
            body.highlights =
                e.pm.verdict
                    .findings
                    .iter()
                    .map(|f| (f.start, f.end))
                    .collect();
            if !msg.attachments.is_empty() {
                body.text.push_str(&f(
                    lang,
                    "table.attachments",
                    &[&msg.attachments.len().to_string()],
                ));
            }
        }
        // Contract order (text labels first), whatever order the verdict lists them in.
        // A label that only the statistical model suggested (every finding of it is a
        // `<label>.model` one) says so, so the reader knows it is to be reviewed.
        let findings = &e.pm.verdict.findings;
        let mut labels: Vec<String> = Label::ALL
            .iter()
            .filter(|l| e.pm.verdict.labels.contains(l))
            .map(|l| {
                let name = label_name(*l, lang);
                let mut of_label = findings.iter().filter(|x| x.label == *l).peekable();
                let model_only = of_label.peek().is_some()
                    && of_label.all(|x| x.rule.ends_with(crate::classify::MODEL_SUFFIX));
                if model_only {
                    f(lang, "table.model_label", &[name])
                } else {
                    name.to_string()
                }
            })
            .collect();
        if labels.is_empty() && msg.kind == Kind::Call {
            labels.push(t(lang, "table.creditor_call").to_string());
        } else if labels.is_empty() {
            labels.push(
                t(
                    lang,
                    if e.pm.verdict.collection {
                        "table.collection"
                    } else {
                        "table.not_collection"
                    },
                )
                .to_string(),
            );
        }
        let mut label_cell = Cell::new(labels.join("\n"));
        for c in &e.pm.corrections {
            let add: Vec<&str> = c.add.iter().map(|l| label_name(*l, lang)).collect();
            let rem: Vec<&str> = c.remove.iter().map(|l| label_name(*l, lang)).collect();
            label_cell.text.push('\n');
            let mut parts = Vec::new();
            if !add.is_empty() {
                parts.push(f(lang, "table.corr_add", &[&add.join(t(lang, "sep"))]));
            }
            if !rem.is_empty() {
                parts.push(f(lang, "table.corr_remove", &[&rem.join(t(lang, "sep"))]));
            }
            if !c.note.trim().is_empty() {
                parts.push(f(lang, "table.corr_note", &[c.note.trim()]));
            }
            label_cell.text.push_str(&f(
                lang,
                "table.correction",
                &[&parts.join(t(lang, "semi"))],
            ));
        }
        if !e.pm.corrections.is_empty() {
            label_cell.color = Some(Rgb(0.1, 0.25, 0.65));
        }
        fl.row(&[
            Cell::new(e.no.to_string()),
            Cell::new(time),
            Cell::new(kind_text(e.pm, lang)),
            body,
            label_cell,
            Cell::new(format!("{}\n#{}", &e.hash[..12], e.pm.id)),
        ]);
    }
    fl.table_end();
}

fn appendix(fl: &mut Flow, m: &Model, input: &PackInput, lang: Lang) {
    fl.para(t(lang, "appendix.method"), 9.5);
    fl.heading(t(lang, "appendix.sources"), 3);
    let table = Table {
        widths: vec![120.0, 60.0, 90.0, 229.0],
        header: [
            "appendix.src_name",
            "appendix.src_size",
            "appendix.src_time",
            "appendix.src_counts",
        ]
        .iter()
        .map(|k| t(lang, k).to_string())
        .collect(),
        size: 8.0,
    };
    fl.table_start(&table);
    for s in &input.sources {
        let declared = s
            .declared
            .map(|d| d.to_string())
            .unwrap_or_else(|| t(lang, "appendix.undeclared").to_string());
        let found = s
            .found
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".to_string());
        fl.row(&[
            Cell::new(format!("{}\n{}", s.name, s.format)),
            Cell::new(f(lang, "appendix.bytes", &[&s.size.to_string()])),
            Cell::new(s.imported_at.clone()),
            Cell::new(f(
                lang,
                "appendix.src_counts_v",
                &[&declared, &found, &s.sha256],
            )),
        ]);
    }
    fl.table_end();
    if input.sources.is_empty() {
        fl.para(t(lang, "appendix.no_sources"), 9.0);
    }
    fl.heading(t(lang, "appendix.versions"), 3);
    fl.para(
        &f(
            lang,
            "appendix.versions_v",
            &[
                super::TOOL_VERSION,
                &input.rule_version,
                &input.chain_head,
                &m.manifest_hash,
                &m.pack_id,
            ],
        ),
        9.0,
    );
    fl.heading(t(lang, "appendix.verify"), 3);
    fl.para(t(lang, "appendix.verify_v"), 9.0);
    fl.heading(t(lang, "appendix.hashes"), 3);
    let table = Table {
        widths: vec![36.0, 50.0, 413.0],
        header: ["table.no", "appendix.record", "appendix.full_hash"]
            .iter()
            .map(|k| t(lang, k).to_string())
            .collect(),
        size: 7.5,
    };
    fl.table_start(&table);
    for e in &m.manifest {
        fl.row(&[
            Cell::new(e.no.to_string()),
            Cell::new(format!("#{}", e.id)),
            Cell::new(e.sha256.clone()),
        ]);
    }
    fl.table_end();
}

/// Up to `per` messages of each creditor that carry a text label, with distinct texts, so a
/// letter quotes every respondent without repeating the same template.
fn flagged_distinct<'m, 'a>(m: &'m Model<'a>, per: usize) -> Vec<&'m Entry<'a>> {
    let mut out = Vec::new();
    for g in &m.groups {
        let mut seen = BTreeSet::new();
        for e in g.entries.iter().map(|&i| &m.entries[i]) {
            if seen.len() >= per {
                break;
            }
            let flagged = e.pm.verdict.labels.iter().any(|l| !l.is_time_label());
            if flagged && e.pm.message.kind != Kind::Call && seen.insert(e.pm.message.body.as_str())
            {
                out.push(e);
            }
        }
    }
    out
}

/// The letter for an audience, as paragraphs: the first is the title, `## ` starts a
/// sub-heading. Also used for the DOCX.
fn letter_paragraphs(
    m: &Model,
    input: &PackInput,
    laws: &Library,
    a: Audience,
    lang: Lang,
    prev: &PageMap,
) -> Vec<String> {
    let who = input
        .complainant
        .clone()
        .unwrap_or_else(|| t(lang, "letter.blank").to_string());
    let creditors: Vec<String> = m
        .groups
        .iter()
        .map(|g| {
            f(
                lang,
                "cover.respondent",
                &[
                    &g.creditor,
                    &g.numbers
                        .iter()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(t(lang, "sep")),
                ],
            )
        })
        .collect();
    let facts = f(
        lang,
        "letter.facts",
        &[
            &m.period.0.to_string(),
            &m.period.1.to_string(),
            &creditors.join(t(lang, "sep")),
            &m.totals.0.to_string(),
            &m.totals.1.to_string(),
            &{
                let l = label_list(&m.label_counts, lang);
                if l.is_empty() {
                    t(lang, "none").to_string()
                } else {
                    l
                }
            },
        ],
    );
    let last = m.period.1;
    let zhian_now = laws
        .version_for("zhian", last)
        .map(|s| s.short.clone())
        .unwrap_or_default();
    let mut out = Vec::new();
    let quotes: Vec<String> = flagged_distinct(m, 4)
        .into_iter()
        .map(|e| {
            f(
                lang,
                "letter.quote",
                &[
                    &e.no.to_string(),
                    &fmt_local(&e.local),
                    &e.pm.message.address,
                    &e.pm.message.body,
                ],
            )
        })
        .collect();
    let evidence: Vec<String> = m
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            f(
                lang,
                "letter.evidence_item",
                &[
                    &(i + 1).to_string(),
                    &g.creditor,
                    &(g.messages + g.calls).to_string(),
                    &prev.groups.get(i).map(|r| range(*r)).unwrap_or_default(),
                ],
            )
        })
        .collect();
    match a {
        Audience::Police => {
            out.push(t(lang, "letter.police.title").to_string());
            out.push(f(lang, "letter.police.intro", &[&who]));
            out.push(facts);
            out.push(f(lang, "letter.police.law", &[&zhian_now]));
            out.push(t(lang, "letter.police.ask").to_string());
            out.push(format!("## {}", t(lang, "letter.quotes")));
            out.extend(quotes);
            out.push(format!("## {}", t(lang, "letter.evidence")));
            out.extend(evidence);
            out.push(f(lang, "letter.sign", &[&who]));
        }
        Audience::Regulator => {
            out.push(t(lang, "letter.reg.title").to_string());
            out.push(f(lang, "letter.reg.intro", &[&who]));
            out.push(format!("## {}", t(lang, "letter.reg.respondent")));
            out.extend(creditors.clone());
            out.push(format!("## {}", t(lang, "letter.reg.facts")));
            out.push(facts);
            out.push(format!("## {}", t(lang, "letter.reg.requests")));
            out.push(t(lang, "letter.reg.requests_v").to_string());
            out.push(format!("## {}", t(lang, "letter.evidence")));
            out.extend(evidence);
            out.push(format!("## {}", t(lang, "letter.12321.title")));
            out.push(t(lang, "letter.12321.intro").to_string());
            for e in flagged_distinct(m, 6) {
                out.push(f(
                    lang,
                    "letter.12321.item",
                    &[
                        &e.pm.message.address,
                        &fmt_local(&e.local),
                        &e.pm.message.body,
                    ],
                ));
            }
            out.push(f(lang, "letter.sign", &[&who]));
        }
        Audience::Court => {
            out.push(t(lang, "letter.court.title").to_string());
            out.push(f(
                lang,
                "letter.court.parties",
                &[&who, &creditors.join("\n")],
            ));
            out.push(format!("## {}", t(lang, "letter.court.claims")));
            out.push(t(lang, "letter.court.claims_v").to_string());
            out.push(format!("## {}", t(lang, "letter.court.facts")));
            out.push(facts);
            out.extend(quotes);
            out.push(t(lang, "letter.court.reasons").to_string());
            out.push(format!("## {}", t(lang, "letter.evidence")));
            out.extend(evidence);
            out.push(f(lang, "letter.court.end", &[&who]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{sample, Audience, PackOptions};

    #[test]
    fn every_text_key_resolves_in_both_languages_for_every_audience() {
        let input = sample::demo_input();
        let laws = Library::bundled().unwrap();
        let font = crate::report::font::Font::bundled().unwrap();
        for lang in [Lang::Zh, Lang::En] {
            for audience in [
                Some(Audience::Police),
                Some(Audience::Regulator),
                Some(Audience::Court),
                None,
            ] {
                let opts = PackOptions {
                    now: Utc::now(),
                    audience,
                    lang,
                };
                let r = render(&input, &opts, &laws, &font);
                let text: String = r.flow.pages.iter().map(|p| p.text.as_str()).collect();
                for prefix in [
                    "cover.",
                    "catalog.",
                    "legal.",
                    "table.",
                    "appendix.",
                    "letter.",
                    "chart.",
                    "summary.",
                    "guide.",
                    "kind.",
                    "status.",
                    "dir.",
                    "page.",
                    "{0}",
                    "{1}",
                ] {
                    // A key is `area.name`: the prefix directly followed by a lowercase letter.
                    let unresolved = text.match_indices(prefix).any(|(i, _)| {
                        prefix.starts_with('{')
                            || text[i + prefix.len()..]
                                .starts_with(|c: char| c.is_ascii_lowercase())
                    });
                    assert!(!unresolved, "{lang:?} {audience:?}: unresolved {prefix}");
                }
            }
        }
    }

    #[test]
    fn law_version_follows_each_message_date() {
        let input = sample::demo_input();
        let laws = Library::bundled().unwrap();
        let font = crate::report::font::Font::bundled().unwrap();
        let opts = PackOptions {
            now: Utc::now(),
            audience: None,
            lang: Lang::Zh,
        };
        let r = render(&input, &opts, &laws, &font);
        let legal: String = r.flow.pages[r.map.legal.0 - 1..r.map.legal.1]
            .iter()
            .map(|p| p.text.as_str())
            .collect();
        // Pre-2026 conduct cites the 2012 text's Art. 42 with an end date in 2025; later
        // conduct cites the 2025 text's Art. 50 with a start date in 2026.
        let old = legal
            .lines()
            .find(|l| l.contains("2012") && l.contains("第四十二条"))
            .expect("2012 citation");
        assert!(old.contains("至 2025-"), "{old}");
        let new = legal
            .lines()
            .find(|l| l.contains("2025年修订") && l.contains("第五十条"))
            .expect("2025 citation");
        assert!(new.contains("2026-"), "{new}");
        assert!(!legal.contains("构成违"), "never conclude guilt");
    }

    #[test]
    fn evidence_list_page_numbers_point_at_the_tables() {
        let input = sample::demo_input();
        let laws = Library::bundled().unwrap();
        let font = crate::report::font::Font::bundled().unwrap();
        let opts = PackOptions {
            now: Utc::now(),
            audience: None,
            lang: Lang::Zh,
        };
        let r = render(&input, &opts, &laws, &font);
        let catalog = &r.flow.pages[1].text;
        for (i, (a, b)) in r.map.groups.iter().enumerate() {
            let range = if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            };
            assert!(
                catalog.contains(&range),
                "group {i} range {range} not in catalog"
            );
            // The group heading is on its first page.
            assert!(r.flow.pages[a - 1]
                .text
                .contains(&format!("证据1-{}", i + 1)));
        }
    }
}
