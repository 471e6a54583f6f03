//! The app's in-memory view of the unlocked vault: one compact row per message, sorted
//! oldest first, for fast filtering, paging and the overview.
//!
//! The decrypted messages stay in memory only (DESIGN.md: nothing decrypted goes back to
//! disk). Filtering scans every row: ~100 bytes of lowercase text each, so 100,000 messages
//! are a ~10 MB linear scan, measured well under the 100 ms budget (see `bench_filter`).
//! Times: `utc` is the stored instant; `local` is the same instant in the vault's zone, which
//! is also the zone of calendar days and hours. Creditor names already have the vault's
//! renames and merges applied.

use chrono::{DateTime, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use quzheng::model::{Label, Message, Verdict};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One message as the list shows it.
#[derive(Debug, Clone)]
pub struct ViewRow {
    /// The vault's message id.
    pub id: i64,
    /// When it was sent, UTC.
    pub utc: DateTime<Utc>,
    /// Local calendar day (vault zone).
    pub day: NaiveDate,
    /// Local hour 0–23.
    pub hour: u8,
    /// `YYYY-MM-DD HH:MM` local.
    pub local: String,
    /// Sender (or recipient) address.
    pub address: String,
    /// Creditor after renames/merges.
    pub creditor: Option<String>,
    /// Effective labels (corrections applied).
    pub labels: Vec<Label>,
    /// Bit `i` set when `Label::ALL[i]` is in `labels`.
    pub label_bits: u8,
    /// Effective collection flag.
    pub collection: bool,
    /// The body as stored.
    pub body: String,
    /// The effective findings' spans in `body`, `[start, end)` in chars (Unicode scalar
    /// values, as `Finding`), sorted; the list highlights them.
    pub marks: Vec<[usize; 2]>,
    /// Lowercased body and address, for case-insensitive search.
    search: String,
}

/// What the list is filtered by. Empty fields do not filter.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Label ids; a message must carry at least one of them.
    pub labels: Vec<String>,
    /// Exact creditor name (after renames).
    pub creditor: Option<String>,
    /// First local day, `YYYY-MM-DD`, inclusive.
    pub since: Option<String>,
    /// Last local day, `YYYY-MM-DD`, inclusive.
    pub until: Option<String>,
    /// Text that must occur in the body or address (case-insensitive).
    pub text: String,
    /// Only collection messages.
    pub collection_only: bool,
}

/// A row as the UI receives it.
#[derive(Debug, Clone, Serialize)]
pub struct RowOut {
    /// Message id.
    pub id: i64,
    /// Local time, `YYYY-MM-DD HH:MM`.
    pub local: String,
    /// Address.
    pub address: String,
    /// Creditor.
    pub creditor: Option<String>,
    /// Label ids.
    pub labels: Vec<&'static str>,
    /// Collection flag.
    pub collection: bool,
    /// Body.
    pub body: String,
    /// Spans of the matched words in `body`, `[start, end)` in chars (Unicode scalar values,
    /// the same offsets as the detail view's findings), sorted by start.
    pub marks: Vec<[usize; 2]>,
}

/// A name with a count.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Count {
    /// Label id or creditor name.
    pub name: String,
    /// How many collection messages.
    pub n: u64,
}

/// Collection messages on one local day.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DayCount {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// All collection messages that day.
    pub n: u64,
    /// Those of them labelled night_contact.
    pub night: u64,
}

/// The overview screen's numbers (collection messages only, except `total`).
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    /// All stored messages.
    pub total: u64,
    /// Collection messages.
    pub collection: u64,
    /// Collection messages labelled night_contact.
    pub night: u64,
    /// The night window as configured, `HH:MM-HH:MM`.
    pub night_window: String,
    /// Per label id, in contract order, zero counts omitted.
    pub by_label: Vec<Count>,
    /// Per creditor, largest first.
    pub by_creditor: Vec<Count>,
    /// Per local day, every day from the first to the last collection message.
    pub per_day: Vec<DayCount>,
    /// Per local hour 0–23.
    pub per_hour: [u64; 24],
    /// The hours that fall in the night window (for shading).
    pub night_hours: Vec<u8>,
    /// The day with most collection messages (earliest on ties).
    pub worst_day: Option<DayCount>,
}

/// The index over all messages of the open vault.
#[derive(Debug, Default)]
pub struct ViewIndex {
    rows: Vec<ViewRow>,
    by_id: HashMap<i64, usize>,
}

fn bits(labels: &[Label]) -> u8 {
    labels.iter().fold(0u8, |b, l| {
        let i = Label::ALL.iter().position(|x| x == l).unwrap_or(0);
        b | (1 << i)
    })
}

/// The non-empty finding spans, sorted and deduplicated (a word can match several rules).
fn marks(findings: &[quzheng::model::Finding]) -> Vec<[usize; 2]> {
    let mut v: Vec<[usize; 2]> = findings
        .iter()
        .filter(|f| f.end > f.start)
        .map(|f| [f.start, f.end])
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Parses `HH:MM-HH:MM`.
pub fn parse_night(window: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (a, b) = window.split_once('-')?;
    Some((
        NaiveTime::parse_from_str(a.trim(), "%H:%M").ok()?,
        NaiveTime::parse_from_str(b.trim(), "%H:%M").ok()?,
    ))
}

/// Hours whose start lies inside the night window (which may wrap midnight).
pub fn night_hours(window: &str) -> Vec<u8> {
    let Some((start, end)) = parse_night(window) else {
        return Vec::new();
    };
    (0u8..24)
        .filter(|&h| {
            let t = NaiveTime::from_hms_opt(u32::from(h), 0, 0).unwrap_or(NaiveTime::MIN);
            if start <= end {
                t >= start && t < end
            } else {
                t >= start || t < end
            }
        })
        .collect()
}

impl ViewIndex {
    /// Builds the index. `items` are (id, message, effective verdict); `aliases` maps old
    /// creditor names to their current names.
    pub fn build<'a>(
        items: impl IntoIterator<Item = (i64, &'a Message, Verdict)>,
        zone: Tz,
        aliases: &BTreeMap<String, String>,
    ) -> Self {
        let mut rows: Vec<ViewRow> = items
            .into_iter()
            .map(|(id, m, v)| {
                let local = m.instant.utc.with_timezone(&zone);
                let creditor = v
                    .creditor
                    .as_ref()
                    .map(|c| aliases.get(c).cloned().unwrap_or_else(|| c.clone()));
                ViewRow {
                    id,
                    utc: m.instant.utc,
                    day: local.date_naive(),
                    hour: local.hour() as u8,
                    local: local.format("%Y-%m-%d %H:%M").to_string(),
                    search: format!("{}\n{}", m.body.to_lowercase(), m.address.to_lowercase()),
                    address: m.address.clone(),
                    creditor,
                    label_bits: bits(&v.labels),
                    marks: marks(&v.findings),
                    labels: v.labels,
                    collection: v.collection,
                    body: m.body.clone(),
                }
            })
            .collect();
        rows.sort_by_key(|r| (r.utc, r.id));
        let by_id = rows.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        ViewIndex { rows, by_id }
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no messages.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row of message `id`.
    pub fn get(&self, id: i64) -> Option<&ViewRow> {
        self.by_id.get(&id).map(|&i| &self.rows[i])
    }

    /// Ids of the matching messages, oldest first.
    ///
    /// # Errors
    /// The offending value when a date or label id cannot be read (the caller turns it into
    /// the core's bad-input sentence).
    pub fn filter(&self, f: &Filter) -> Result<Vec<i64>, (&'static str, String)> {
        let mut want = 0u8;
        for id in &f.labels {
            let l = Label::from_id(id).ok_or(("label", id.clone()))?;
            want |= bits(&[l]);
        }
        let day = |s: &Option<String>| -> Result<Option<NaiveDate>, (&'static str, String)> {
            match s.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| ("date", d.to_string())),
            }
        };
        let (since, until) = (day(&f.since)?, day(&f.until)?);
        let text = f.text.trim().to_lowercase();
        let creditor = f.creditor.as_deref().filter(|c| !c.is_empty());
        Ok(self
            .rows
            .iter()
            .filter(|r| !f.collection_only || r.collection)
            .filter(|r| want == 0 || r.label_bits & want != 0)
            .filter(|r| creditor.is_none_or(|c| r.creditor.as_deref() == Some(c)))
            .filter(|r| since.is_none_or(|d| r.day >= d))
            .filter(|r| until.is_none_or(|d| r.day <= d))
            .filter(|r| text.is_empty() || r.search.contains(&text))
            .map(|r| r.id)
            .collect())
    }

    /// The rows for `ids` (unknown ids are left out), in the order asked.
    pub fn rows(&self, ids: &[i64]) -> Vec<RowOut> {
        ids.iter()
            .filter_map(|id| self.get(*id))
            .map(|r| RowOut {
                id: r.id,
                local: r.local.clone(),
                address: r.address.clone(),
                creditor: r.creditor.clone(),
                labels: r.labels.iter().map(|l| l.id()).collect(),
                collection: r.collection,
                body: r.body.clone(),
                marks: r.marks.clone(),
            })
            .collect()
    }

    /// Creditors of collection messages with their counts, largest first.
    pub fn creditors(&self) -> Vec<Count> {
        let mut m: BTreeMap<&str, u64> = BTreeMap::new();
        for r in self.rows.iter().filter(|r| r.collection) {
            if let Some(c) = &r.creditor {
                *m.entry(c).or_default() += 1;
            }
        }
        let mut v: Vec<Count> = m
            .into_iter()
            .map(|(name, n)| Count {
                name: name.to_string(),
                n,
            })
            .collect();
        v.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.name.cmp(&b.name)));
        v
    }

    /// The overview numbers for the night window `night` (`HH:MM-HH:MM`).
    pub fn overview(&self, night: &str) -> Overview {
        let coll: Vec<&ViewRow> = self.rows.iter().filter(|r| r.collection).collect();
        let is_night = |r: &ViewRow| r.labels.contains(&Label::NightContact);
        let by_label = Label::ALL
            .iter()
            .map(|l| Count {
                name: l.id().to_string(),
                n: coll.iter().filter(|r| r.labels.contains(l)).count() as u64,
            })
            .filter(|c| c.n > 0)
            .collect();
        let mut per_hour = [0u64; 24];
        let mut days: BTreeMap<NaiveDate, (u64, u64)> = BTreeMap::new();
        for r in &coll {
            per_hour[usize::from(r.hour.min(23))] += 1;
            let e = days.entry(r.day).or_default();
            e.0 += 1;
            e.1 += u64::from(is_night(r));
        }
        let mut per_day = Vec::new();
        if let (Some((&first, _)), Some((&last, _))) =
            (days.first_key_value(), days.last_key_value())
        {
            let mut d = first;
            // Every day in the span, so quiet days show as gaps; bounded by the data's span.
            while d <= last {
                let (n, night) = days.get(&d).copied().unwrap_or((0, 0));
                per_day.push(DayCount {
                    day: d.format("%Y-%m-%d").to_string(),
                    n,
                    night,
                });
                match d.succ_opt() {
                    Some(next) => d = next,
                    None => break,
                }
            }
        }
        let worst_day = per_day
            .iter()
            .filter(|d| d.n > 0)
            .fold(None::<&DayCount>, |best, d| match best {
                Some(b) if b.n >= d.n => Some(b),
                _ => Some(d),
            })
            .cloned();
        Overview {
            total: self.rows.len() as u64,
            collection: coll.len() as u64,
            night: coll.iter().filter(|r| is_night(r)).count() as u64,
            night_window: night.to_string(),
            by_label,
            by_creditor: self.creditors(),
            per_day,
            per_hour,
            night_hours: night_hours(night),
            worst_day,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quzheng::model::Instant;

    fn msg(body: &str, rfc: &str) -> Message {
        let utc = DateTime::parse_from_rfc3339(rfc)
            .unwrap()
            .with_timezone(&Utc);
        Message::sms(
            "10690001",
            body,
            Instant {
                utc,
                raw: utc.timestamp_millis(),
                unit: quzheng::model::TimeUnit::UnixMs,
                text: None,
            },
        )
    }

    fn verdict(labels: &[Label], creditor: &str) -> Verdict {
        Verdict {
            collection: true,
            labels: labels.to_vec(),
            creditor: Some(creditor.into()),
            findings: vec![],
        }
    }

    fn sample() -> (Vec<Message>, Vec<Verdict>) {
        let ms = vec![
            msg("再不还钱就上门找你", "2026-03-10T23:30:00+08:00"),
            msg("老赖 Pay NOW", "2026-03-10T10:00:00+08:00"),
            msg("您的验证码是 1234", "2026-03-12T07:00:00+08:00"),
            msg("通知你的亲友", "2026-03-12T06:59:00+08:00"),
        ];
        let mut vs = vec![
            verdict(&[Label::Threat, Label::NightContact], "速借宝"),
            verdict(&[Label::Insult], "速借宝"),
            Verdict::default(),
            verdict(&[Label::ThirdPartyDisclosure, Label::NightContact], "快贷"),
        ];
        vs[2].collection = false;
        (ms, vs)
    }

    fn index(aliases: &BTreeMap<String, String>) -> ViewIndex {
        let (ms, vs) = sample();
        ViewIndex::build(
            ms.iter()
                .zip(vs)
                .enumerate()
                .map(|(i, (m, v))| (i as i64 + 1, m, v)),
            chrono_tz::Asia::Shanghai,
            aliases,
        )
    }

    #[test]
    fn filters_by_text_label_creditor_and_local_day() {
        let ix = index(&BTreeMap::new());
        let f = |f: Filter| ix.filter(&f).unwrap();
        assert_eq!(f(Filter::default()), vec![2, 1, 4, 3], "oldest first");
        assert_eq!(
            f(Filter {
                collection_only: true,
                ..Default::default()
            }),
            vec![2, 1, 4]
        );
        assert_eq!(
            f(Filter {
                text: "pay now".into(),
                ..Default::default()
            }),
            vec![2]
        );
        assert_eq!(
            f(Filter {
                text: "1069".into(),
                ..Default::default()
            })
            .len(),
            4,
            "address matches"
        );
        assert_eq!(
            f(Filter {
                labels: vec!["night_contact".into()],
                ..Default::default()
            }),
            vec![1, 4]
        );
        assert_eq!(
            f(Filter {
                creditor: Some("快贷".into()),
                ..Default::default()
            }),
            vec![4]
        );
        // 23:30 Beijing on the 10th is 15:30 UTC: still the 10th locally.
        assert_eq!(
            f(Filter {
                since: Some("2026-03-10".into()),
                until: Some("2026-03-10".into()),
                ..Default::default()
            }),
            vec![2, 1]
        );
        assert_eq!(
            ix.filter(&Filter {
                since: Some("10/03/2026".into()),
                ..Default::default()
            }),
            Err(("date", "10/03/2026".into()))
        );
        assert!(ix
            .filter(&Filter {
                labels: vec!["nope".into()],
                ..Default::default()
            })
            .is_err());
    }

    #[test]
    fn overview_counts_night_days_and_aliases() {
        let aliases = BTreeMap::from([("快贷".to_string(), "速借宝".to_string())]);
        let o = index(&aliases).overview("22:00-08:00");
        assert_eq!((o.total, o.collection, o.night), (4, 3, 2));
        assert_eq!(
            o.by_creditor,
            vec![Count {
                name: "速借宝".into(),
                n: 3
            }]
        );
        assert_eq!(o.per_day.len(), 3, "the quiet 11th is included");
        assert_eq!(o.per_day[1].n, 0);
        assert_eq!(o.worst_day.unwrap().day, "2026-03-10");
        assert_eq!(o.per_hour[23] + o.per_hour[10] + o.per_hour[6], 3);
        assert_eq!(o.night_hours, vec![0, 1, 2, 3, 4, 5, 6, 7, 22, 23]);
        assert_eq!(night_hours("01:00-05:00"), vec![1, 2, 3, 4]);
        assert!(night_hours("bad").is_empty());
    }

    #[test]
    fn rows_keep_requested_order() {
        let ix = index(&BTreeMap::new());
        let r = ix.rows(&[4, 99, 1]);
        assert_eq!(r.iter().map(|r| r.id).collect::<Vec<_>>(), vec![4, 1]);
        assert_eq!(r[1].local, "2026-03-10 23:30");
        assert_eq!(r[1].labels, vec!["threat", "night_contact"]);
    }

    #[test]
    fn rows_carry_sorted_finding_spans_in_chars() {
        let m = msg("再不还钱就上门找你", "2026-03-10T23:30:00+08:00");
        let f = |start, end, label| quzheng::model::Finding {
            label,
            rule: "r".into(),
            start,
            end,
            text: m.body.chars().skip(start).take(end - start).collect(),
        };
        let mut v = verdict(&[Label::Threat], "速借宝");
        // Out of order, duplicated, and an empty (time) finding that has no text to mark.
        v.findings = vec![
            f(5, 7, Label::Threat),
            f(0, 2, Label::Threat),
            f(5, 7, Label::Threat),
            f(0, 0, Label::NightContact),
        ];
        let ix = ViewIndex::build([(1, &m, v)], chrono_tz::Asia::Shanghai, &BTreeMap::new());
        let r = ix.rows(&[1]);
        assert_eq!(r[0].marks, vec![[0, 2], [5, 7]]);
        let marked: String = r[0].body.chars().skip(5).take(2).collect();
        assert_eq!(marked, "上门", "char offsets, not bytes");
    }

    /// Filtering speed over 100,000 messages. Run:
    /// `cargo test -p quzheng-app --release bench_filter -- --ignored --nocapture`
    /// (also meaningful in debug: dependencies are optimised there too).
    #[test]
    #[ignore]
    fn bench_filter() {
        let bodies = [
            "【速借宝】您已逾期3天，今天不还款就上门到你家和单位",
            "老赖，再不还钱就爆你通讯录",
            "您的验证码是 123456，5 分钟内有效",
            "【人民法院】您涉嫌诈骗已立案，请联系承办人",
        ];
        let start = DateTime::parse_from_rfc3339("2025-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ms: Vec<Message> = (0..100_000)
            .map(|i| {
                let utc = start + chrono::Duration::minutes(i * 7);
                let mut m = msg(bodies[i as usize % 4], &utc.to_rfc3339());
                m.address = format!("1069{:07}", i % 500);
                m
            })
            .collect();
        let vs: Vec<Verdict> = (0..100_000)
            .map(|i| match i % 4 {
                0 => verdict(&[Label::Threat], "速借宝"),
                1 => verdict(&[Label::Insult, Label::ThirdPartyDisclosure], "快贷"),
                2 => Verdict::default(),
                _ => verdict(
                    &[Label::Impersonation, Label::Deception, Label::NightContact],
                    "速借宝",
                ),
            })
            .collect();
        let t = std::time::Instant::now();
        let ix = ViewIndex::build(
            ms.iter()
                .zip(vs)
                .enumerate()
                .map(|(i, (m, v))| (i as i64, m, v)),
            chrono_tz::Asia::Shanghai,
            &BTreeMap::new(),
        );
        println!("build index of 100000: {:?}", t.elapsed());
        let cases = [
            ("no filter", Filter::default()),
            (
                "collection only",
                Filter {
                    collection_only: true,
                    ..Default::default()
                },
            ),
            (
                "text 上门",
                Filter {
                    text: "上门".into(),
                    ..Default::default()
                },
            ),
            (
                "text no match",
                Filter {
                    text: "不存在的词".into(),
                    ..Default::default()
                },
            ),
            (
                "label + creditor + dates + text",
                Filter {
                    labels: vec!["threat".into()],
                    creditor: Some("速借宝".into()),
                    since: Some("2025-03-01".into()),
                    until: Some("2025-12-31".into()),
                    text: "逾期".into(),
                    collection_only: true,
                },
            ),
        ];
        let mut worst = std::time::Duration::ZERO;
        for (name, f) in cases {
            let t = std::time::Instant::now();
            let n = ix.filter(&f).unwrap().len();
            let d = t.elapsed();
            worst = worst.max(d);
            println!("filter {name}: {n} hits in {d:?}");
        }
        let t = std::time::Instant::now();
        let o = ix.overview("22:00-08:00");
        println!("overview: {} days in {:?}", o.per_day.len(), t.elapsed());
        assert!(
            worst < std::time::Duration::from_millis(100),
            "worst filter {worst:?} over the 100 ms budget"
        );
    }
}
