//! Reading and correcting messages: overview, filter, rows for the visible window, detail.

use crate::error::{IpcError, Result};
use crate::state::{blocking, AppState};
use crate::view::{Filter, Overview, RowOut};
use quzheng::api::classify::parse_labels;
use quzheng::model::{Finding, Label};
use quzheng::vault::Correction;
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};

/// The overview numbers.
#[tauri::command]
pub async fn overview<R: Runtime>(app: AppHandle<R>) -> Result<Overview> {
    blocking(app, |st| {
        st.with(|s| Ok(s.index.overview(&s.settings.night)))
    })
    .await
}

/// Ids matching a filter, with the time the filtering took.
#[derive(Debug, Serialize)]
pub struct FilterResult {
    /// Matching ids, oldest first.
    pub ids: Vec<i64>,
    /// All messages in the vault.
    pub total: usize,
    /// Time spent filtering, microseconds (shown so slowness is visible, not guessed).
    pub elapsed_us: u128,
}

/// Filters the in-memory index.
#[tauri::command]
pub async fn filter_messages<R: Runtime>(
    app: AppHandle<R>,
    filter: Filter,
) -> Result<FilterResult> {
    blocking(app, move |st| {
        st.with(|s| {
            let t = std::time::Instant::now();
            let ids = s
                .index
                .filter(&filter)
                .map_err(|(k, v)| IpcError::from(quzheng::Error::bad_input(k, v)))?;
            Ok(FilterResult {
                ids,
                total: s.index.len(),
                elapsed_us: t.elapsed().as_micros(),
            })
        })
    })
    .await
}

/// Rows for the ids in view. Synchronous on purpose: a few dozen clones, well under a
/// millisecond, and scrolling should not wait for a thread hop.
#[tauri::command]
pub fn message_rows(state: State<'_, AppState>, ids: Vec<i64>) -> Result<Vec<RowOut>> {
    state.with(|s| Ok(s.index.rows(&ids)))
}

/// A correction as the UI shows it.
#[derive(Debug, Serialize)]
pub struct CorrectionOut {
    /// Added label ids.
    pub add: Vec<&'static str>,
    /// Removed label ids.
    pub remove: Vec<&'static str>,
    /// The user's note.
    pub note: String,
    /// When, local time.
    pub at: String,
}

/// Everything about one message.
#[derive(Debug, Serialize)]
pub struct Detail {
    /// The list row.
    #[serde(flatten)]
    pub row: RowOut,
    /// RFC 3339 UTC.
    pub utc: String,
    /// The display zone.
    pub zone: String,
    /// sms / mms / call.
    pub kind: &'static str,
    /// in / out.
    pub direction: &'static str,
    /// Source file name.
    pub source_name: String,
    /// Source file SHA-256.
    pub source_sha256: String,
    /// The message fingerprint (dedup key), hex.
    pub fingerprint: String,
    /// Findings of the effective verdict.
    pub findings: Vec<Finding>,
    /// Corrections in order.
    pub corrections: Vec<CorrectionOut>,
    /// Labels as the classifier gave them, before corrections.
    pub classifier_labels: Vec<&'static str>,
}

fn ids(ls: &[Label]) -> Vec<&'static str> {
    ls.iter().map(|l| l.id()).collect()
}

fn detail(s: &crate::state::Session, id: i64) -> Result<Detail> {
    let m = s.message(id)?;
    let source = s.vault.sources()?.into_iter().find(|x| x.id == m.source_id);
    let zone: chrono_tz::Tz = s
        .settings
        .zone
        .parse()
        .unwrap_or(quzheng::model::time::DEFAULT_ZONE);
    Ok(Detail {
        row: s
            .index
            .rows(&[id])
            .pop()
            .ok_or_else(|| IpcError::shell("internal"))?,
        utc: m
            .message
            .instant
            .utc
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        zone: s.settings.zone.clone(),
        kind: m.message.kind.as_str(),
        direction: m.message.direction.as_str(),
        source_name: source.as_ref().map(|x| x.name.clone()).unwrap_or_default(),
        source_sha256: source.map(|x| x.sha256).unwrap_or_default(),
        fingerprint: hex::encode(m.message.fingerprint()),
        findings: m.effective().findings,
        corrections: m
            .corrections
            .iter()
            .map(|c| CorrectionOut {
                add: ids(&c.add),
                remove: ids(&c.remove),
                note: c.note.clone(),
                at: c
                    .at
                    .with_timezone(&zone)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            })
            .collect(),
        classifier_labels: ids(&m.verdict.labels),
    })
}

/// The detail view of message `id`.
#[tauri::command]
pub async fn message_detail<R: Runtime>(app: AppHandle<R>, id: i64) -> Result<Detail> {
    blocking(app, move |st| st.with(|s| detail(s, id))).await
}

/// Stores a correction beside the classifier's verdict and returns the updated detail.
#[tauri::command]
pub async fn correct_labels<R: Runtime>(
    app: AppHandle<R>,
    id: i64,
    add: Vec<String>,
    remove: Vec<String>,
    note: String,
) -> Result<Detail> {
    blocking(app, move |st| {
        st.with(|s| {
            let (add, remove) = (parse_labels(&add)?, parse_labels(&remove)?);
            let c = Correction {
                add,
                remove,
                note,
                at: chrono::Utc::now(),
            };
            s.message(id)?;
            quzheng::api::classify::correct_in(&mut s.vault, id, c.clone())?;
            let mut stored = std::mem::take(&mut s.stored);
            if let Some(&i) = s.pos.get(&id) {
                stored[i].corrections.push(c);
            }
            s.replace(stored)?;
            detail(s, id)
        })
    })
    .await
}
