//! Statute texts and the label → provision map, loaded from `assets/legal` and validated.
//!
//! Each `assets/legal/statutes/*.md` file is one version of one law: front matter
//! (`id`, `family`, `title`, `short`, `issuer`, `number`, `adopted`, `effective_from`,
//! optional `effective_until`, `source`, `retrieved`; dates `YYYY-MM-DD`, inclusive) and
//! one `## 第…条` section per quoted article. `assets/legal/provisions.toml` says which
//! articles each label may engage. Within a family the version is chosen by the message's
//! *local* date ([`Library::version_for`]): 行政处罚法 Art. 37 applies the law in force
//! when the act happened, so a message of 2025-12-31 cites 治安管理处罚法 (2012) Art. 42 and
//! one of 2026-01-01 cites the 2025 text's Art. 50.
//!
//! Invariants checked on load (tests run them on the bundled files): every field present,
//! dates valid and ordered, versions of a family do not overlap, every cited article exists,
//! and the pack's own wording says 可能违反/可能侵害/可能涉嫌, never 构成.

use super::Error;
use crate::model::Label;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;

const STATUTES: &[(&str, &str)] = &[
    (
        "zhian-2012.md",
        include_str!("../../assets/legal/statutes/zhian-2012.md"),
    ),
    (
        "zhian-2025.md",
        include_str!("../../assets/legal/statutes/zhian-2025.md"),
    ),
    (
        "civil-code.md",
        include_str!("../../assets/legal/statutes/civil-code.md"),
    ),
    (
        "pipl.md",
        include_str!("../../assets/legal/statutes/pipl.md"),
    ),
    (
        "criminal-law.md",
        include_str!("../../assets/legal/statutes/criminal-law.md"),
    ),
    (
        "evidence-rules.md",
        include_str!("../../assets/legal/statutes/evidence-rules.md"),
    ),
];
const PROVISIONS: &str = include_str!("../../assets/legal/provisions.toml");

/// One version of one law.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statute {
    /// File id (`zhian-2025`).
    pub id: String,
    /// Family shared by versions of the same law (`zhian`).
    pub family: String,
    /// Full title.
    pub title: String,
    /// Short citation form with version (`《治安管理处罚法》（2025年修订）`).
    pub short: String,
    /// Issuing body.
    pub issuer: String,
    /// Document number / adoption note.
    pub number: String,
    /// Adoption date.
    pub adopted: NaiveDate,
    /// First day in force.
    pub effective_from: NaiveDate,
    /// Last day in force, if superseded.
    pub effective_until: Option<NaiveDate>,
    /// Where the text was taken from.
    pub source: String,
    /// When it was copied.
    pub retrieved: NaiveDate,
    /// Article heading (`第五十条`) → text, in file order.
    pub articles: Vec<(String, String)>,
}

impl Statute {
    /// Whether the version is in force on `date`.
    pub fn in_force(&self, date: NaiveDate) -> bool {
        date >= self.effective_from && self.effective_until.is_none_or(|u| date <= u)
    }

    /// The text of an article.
    pub fn article(&self, heading: &str) -> Option<&str> {
        self.articles
            .iter()
            .find(|(h, _)| h == heading)
            .map(|(_, t)| t.as_str())
    }
}

/// One entry of `provisions.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provision {
    /// The label (contract id).
    pub label: Label,
    /// Statute family.
    pub family: String,
    /// Statute id → article heading.
    pub cite: BTreeMap<String, String>,
    /// Which item/paragraph and why, shown after the citation.
    pub item: String,
    /// 可能违反 / 可能侵害 / 可能涉嫌.
    pub verb: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvisionFile {
    schema: u32,
    provision: Vec<Provision>,
}

/// All bundled texts and provisions.
#[derive(Debug, Clone)]
pub struct Library {
    /// Statutes, in file order.
    pub statutes: Vec<Statute>,
    /// Provisions, in file order.
    pub provisions: Vec<Provision>,
}

/// The verbs the pack may use about a provision.
pub const ALLOWED_VERBS: [&str; 3] = ["可能违反", "可能侵害", "可能涉嫌"];
const FORBIDDEN_WORD: &str = "构成";

fn bad(file: &str, reason: impl Into<String>) -> Error {
    Error::LegalText {
        file: file.to_string(),
        reason: reason.into(),
    }
}

/// Parses one statute file.
///
/// # Errors
/// [`Error::LegalText`] naming the file and the problem.
pub fn parse_statute(file: &str, text: &str) -> Result<Statute, Error> {
    let rest = text
        .strip_prefix("---\n")
        .ok_or_else(|| bad(file, "no front matter"))?;
    let (front, body) = rest
        .split_once("\n---\n")
        .ok_or_else(|| bad(file, "front matter not closed"))?;
    let mut fields = BTreeMap::new();
    for (i, line) in front.lines().enumerate() {
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| bad(file, format!("front matter line {} has no `key:`", i + 2)))?;
        fields.insert(k.trim().to_string(), v.trim().to_string());
    }
    let get = |k: &str| -> Result<String, Error> {
        fields
            .get(k)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| bad(file, format!("missing field `{k}`")))
    };
    let date = |k: &str| -> Result<NaiveDate, Error> {
        let v = get(k)?;
        NaiveDate::parse_from_str(&v, "%Y-%m-%d")
            .map_err(|_| bad(file, format!("field `{k}` is not a YYYY-MM-DD date: {v}")))
    };
    let effective_until = match fields.get("effective_until") {
        Some(_) => Some(date("effective_until")?),
        None => None,
    };
    let mut articles: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            articles.push((h.trim().to_string(), String::new()));
        } else if let Some((_, t)) = articles.last_mut() {
            if !line.trim().is_empty() {
                if !t.is_empty() {
                    t.push('\n');
                }
                t.push_str(line.trim_end());
            }
        } else if !line.trim().is_empty() {
            return Err(bad(file, "text before the first `## 第…条` heading"));
        }
    }
    if articles.is_empty() || articles.iter().any(|(_, t)| t.is_empty()) {
        return Err(bad(file, "no article, or an article without text"));
    }
    let s = Statute {
        id: get("id")?,
        family: get("family")?,
        title: get("title")?,
        short: get("short")?,
        issuer: get("issuer")?,
        number: get("number")?,
        adopted: date("adopted")?,
        effective_from: date("effective_from")?,
        effective_until,
        source: get("source")?,
        retrieved: date("retrieved")?,
        articles,
    };
    if s.effective_until.is_some_and(|u| u < s.effective_from) {
        return Err(bad(file, "effective_until is before effective_from"));
    }
    if s.adopted > s.effective_from {
        return Err(bad(file, "adopted after it took effect"));
    }
    Ok(s)
}

impl Library {
    /// Loads and validates the bundled files.
    ///
    /// # Errors
    /// [`Error::LegalText`] naming the file and the problem.
    pub fn bundled() -> Result<Library, Error> {
        let statutes = STATUTES
            .iter()
            .map(|(f, t)| parse_statute(f, t))
            .collect::<Result<Vec<_>, _>>()?;
        let pf: ProvisionFile = toml::from_str(PROVISIONS)
            .map_err(|e| bad("provisions.toml", e.message().to_string()))?;
        if pf.schema != 1 {
            return Err(bad("provisions.toml", "unknown schema"));
        }
        Library::new(statutes, pf.provision)
    }

    /// Validates a set of statutes and provisions.
    ///
    /// # Errors
    /// [`Error::LegalText`] when a provision cites a missing statute or article, uses a
    /// forbidden verb, or two versions of a family overlap in time.
    pub fn new(statutes: Vec<Statute>, provisions: Vec<Provision>) -> Result<Library, Error> {
        for (i, a) in statutes.iter().enumerate() {
            for b in &statutes[i + 1..] {
                if a.id == b.id {
                    return Err(bad(&a.id, "duplicate id"));
                }
                if a.family == b.family {
                    let a_end = a.effective_until.unwrap_or(NaiveDate::MAX);
                    let b_end = b.effective_until.unwrap_or(NaiveDate::MAX);
                    if a.effective_from <= b_end && b.effective_from <= a_end {
                        return Err(bad(&b.id, format!("in force at the same time as {}", a.id)));
                    }
                }
            }
        }
        for (i, p) in provisions.iter().enumerate() {
            let at = format!("provisions.toml entry {}", i + 1);
            if !ALLOWED_VERBS.contains(&p.verb.as_str()) {
                return Err(bad(&at, format!("verb `{}` is not allowed", p.verb)));
            }
            if p.item.contains(FORBIDDEN_WORD) {
                return Err(bad(&at, "wording must not say 构成"));
            }
            if p.cite.is_empty() {
                return Err(bad(&at, "cites nothing"));
            }
            for (sid, art) in &p.cite {
                let s = statutes
                    .iter()
                    .find(|s| &s.id == sid)
                    .ok_or_else(|| bad(&at, format!("unknown statute {sid}")))?;
                if s.family != p.family {
                    return Err(bad(&at, format!("{sid} is not in family {}", p.family)));
                }
                if s.article(art).is_none() {
                    return Err(bad(&at, format!("{sid} has no article {art}")));
                }
            }
        }
        Ok(Library {
            statutes,
            provisions,
        })
    }

    /// The statute with this id.
    pub fn statute(&self, id: &str) -> Option<&Statute> {
        self.statutes.iter().find(|s| s.id == id)
    }

    /// The version of `family` in force on `date`, if any.
    pub fn version_for(&self, family: &str, date: NaiveDate) -> Option<&Statute> {
        self.statutes
            .iter()
            .find(|s| s.family == family && s.in_force(date))
    }

    /// The provisions for a label, in file order.
    pub fn provisions_for(&self, label: Label) -> impl Iterator<Item = &Provision> {
        self.provisions.iter().filter(move |p| p.label == label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn bundled_legal_files_validate() {
        let lib = Library::bundled().unwrap();
        assert!(lib.statutes.len() >= 6);
        for l in Label::ALL {
            assert!(lib.provisions_for(l).count() > 0, "no provision for {l}");
        }
    }

    #[test]
    fn public_security_law_is_chosen_by_date() {
        let lib = Library::bundled().unwrap();
        let old = lib.version_for("zhian", d("2025-12-31")).unwrap();
        let new = lib.version_for("zhian", d("2026-01-01")).unwrap();
        assert_eq!(old.id, "zhian-2012");
        assert_eq!(new.id, "zhian-2025");
        let p = lib.provisions_for(Label::Threat).next().unwrap();
        assert_eq!(p.cite[&old.id], "第四十二条");
        assert_eq!(p.cite[&new.id], "第五十条");
        assert!(old
            .article("第四十二条")
            .unwrap()
            .contains("五百元以下罚款"));
        assert!(new.article("第五十条").unwrap().contains("一千元以下罚款"));
        let imp = lib.provisions_for(Label::Impersonation).next().unwrap();
        assert_eq!(imp.cite["zhian-2012"], "第五十一条");
        assert_eq!(imp.cite["zhian-2025"], "第六十二条");
    }

    #[test]
    fn malformed_statutes_are_rejected_with_the_reason() {
        let ok = STATUTES[0].1;
        assert!(parse_statute(
            "x.md",
            &ok.replace("effective_from: 2013-01-01", "effective_from: 2013/01/01")
        )
        .is_err());
        assert!(parse_statute("x.md", &ok.replace("source:", "sauce:")).is_err());
        assert!(parse_statute("x.md", "no front matter").is_err());
        let err = parse_statute(
            "x.md",
            &ok.replace("effective_until: 2025-12-31", "effective_until: 2001-01-01"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("x.md"));
    }

    #[test]
    fn provisions_must_not_say_constitutes_and_must_cite_real_articles() {
        let lib = Library::bundled().unwrap();
        let mut p = lib.provisions.clone();
        p[0].verb = "构成".into();
        assert!(Library::new(lib.statutes.clone(), p).is_err());
        let mut p = lib.provisions.clone();
        p[0].cite.insert("zhian-2012".into(), "第九百条".into());
        assert!(Library::new(lib.statutes.clone(), p).is_err());
        let mut s = lib.statutes.clone();
        s[0].effective_until = None; // 2012 and 2025 texts would overlap
        assert!(Library::new(s, lib.provisions.clone()).is_err());
    }
}
