//! Time labels over a whole batch, and call-log findings.
//!
//! * `night_contact`: a collection message sent at local time `night_start ≤ t` or
//!   `t < night_end` (a window that wraps midnight; a window with start < end is read as
//!   `start ≤ t < end`). Default 22:00–08:00 (GB/T 45251—2025; the 2026 banking-association
//!   guideline).
//! * `excessive_frequency`: more than `max_per_day` collection messages from one creditor
//!   on one *local calendar* day; every one of them gets the label.
//! * Calls ([`call_findings`]): per creditor and local day, more than 3 connected calls
//!   (GB/T 45251—2025), and per number and day more than 6 attempts (the 2026
//!   banking-association guideline: at most 6 attempts per day to the same number).
//!
//! Messages without a timestamp get no time label. The zone is a parameter; nothing here
//! reads the machine's clock or zone.

use super::{Input, RuleSet, TimeSettings};
use crate::model::{Direction, Kind, Label, Verdict};
use chrono::{NaiveDate, NaiveTime, Timelike};
use std::collections::HashMap;

/// Connected calls per creditor and day above which calls are excessive (GB/T 45251—2025).
pub const MAX_CONNECTED_CALLS: u32 = 3;
/// Call attempts per number and day above which calls are excessive (2026 guideline).
pub const MAX_CALL_ATTEMPTS: u32 = 6;

/// True when local time `t` is inside the night window.
pub fn is_night(t: NaiveTime, s: &TimeSettings) -> bool {
    let t = NaiveTime::from_hms_opt(t.hour(), t.minute(), t.second()).unwrap_or(t);
    if s.night_start > s.night_end {
        t >= s.night_start || t < s.night_end
    } else {
        t >= s.night_start && t < s.night_end
    }
}

/// Adds the time labels to `verdicts` (collection messages only).
pub fn apply(inputs: &[Input], group: &[String], verdicts: &mut [Verdict], s: &TimeSettings) {
    let mut per_day: HashMap<(&str, NaiveDate), Vec<usize>> = HashMap::new();
    for (i, inp) in inputs.iter().enumerate() {
        if !verdicts[i].collection {
            continue;
        }
        let Some(instant) = inp.instant else { continue };
        let local = instant.local(s.zone);
        if is_night(local.time(), s) {
            verdicts[i].labels.push(Label::NightContact);
        }
        per_day
            .entry((group[i].as_str(), local.date_naive()))
            .or_default()
            .push(i);
    }
    for idx in per_day.values() {
        if idx.len() > s.max_per_day as usize {
            for &i in idx {
                verdicts[i].labels.push(Label::ExcessiveFrequency);
            }
        }
    }
}

/// Which call rule a [`CallFinding`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallRule {
    /// More than [`MAX_CONNECTED_CALLS`] connected calls from one creditor on one day.
    Connected,
    /// More than [`MAX_CALL_ATTEMPTS`] calls from one number on one day.
    Attempts,
}

impl CallRule {
    /// The rule id shown in reports (`calls.connected`, `calls.attempts`).
    pub fn id(self) -> &'static str {
        match self {
            CallRule::Connected => "calls.connected",
            CallRule::Attempts => "calls.attempts",
        }
    }
}

/// A call pattern on one local day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CallFinding {
    /// Which rule.
    pub rule: CallRule,
    /// Creditor display name, if known.
    pub creditor: Option<String>,
    /// The calling number for [`CallRule::Attempts`]; `None` for a creditor-wide count.
    pub address: Option<String>,
    /// The local calendar day.
    pub date: NaiveDate,
    /// How many calls counted.
    pub count: u32,
    /// The limit that was exceeded.
    pub limit: u32,
    /// Indices (into the inputs) of the calls counted.
    pub calls: Vec<usize>,
}

/// Creditor name, calling number and call indices of one number on one day.
type AttemptGroup = (Option<String>, String, Vec<usize>);

/// Call-log findings: incoming calls, grouped per creditor (connected) or per number
/// (attempts) and local day. The creditor of a call comes from the messages of the same
/// batch (`verdicts`, aligned with `inputs`): a number that sent 【速借宝】 messages is
/// 速借宝's. Calls without an instant are ignored.
pub fn call_findings(
    rules: &RuleSet,
    inputs: &[Input],
    verdicts: &[Verdict],
    time: &TimeSettings,
) -> Vec<CallFinding> {
    let _ = rules;
    // Number → creditor, from the messages' verdicts.
    let mut names: HashMap<String, Option<String>> = HashMap::new();
    for (inp, v) in inputs.iter().zip(verdicts) {
        if inp.kind != Kind::Call {
            if let Some(c) = &v.creditor {
                names
                    .entry(crate::model::normalize_address(inp.address))
                    .or_insert_with(|| Some(c.clone()));
            }
        }
    }
    let mut connected: HashMap<(String, NaiveDate), (Option<String>, Vec<usize>)> = HashMap::new();
    let mut attempts: HashMap<(String, NaiveDate), AttemptGroup> = HashMap::new();
    for (i, inp) in inputs.iter().enumerate() {
        if inp.kind != Kind::Call || inp.direction != Direction::In {
            continue;
        }
        let Some(instant) = inp.instant else { continue };
        let day = instant.local(time.zone).date_naive();
        let addr = crate::model::normalize_address(inp.address);
        let name = names.get(&addr).cloned().flatten();
        let group = match &name {
            Some(n) => format!("sig:{n}"),
            None => super::sender_key(inp.address),
        };
        if inp.duration_s.is_some_and(|d| d > 0) {
            connected
                .entry((group, day))
                .or_insert_with(|| (name.clone(), Vec::new()))
                .1
                .push(i);
        }
        attempts
            .entry((addr, day))
            .or_insert_with(|| (name, inp.address.to_string(), Vec::new()))
            .2
            .push(i);
    }
    let mut out = Vec::new();
    for ((_, date), (creditor, calls)) in connected {
        if calls.len() as u32 > MAX_CONNECTED_CALLS {
            out.push(CallFinding {
                rule: CallRule::Connected,
                creditor,
                address: None,
                date,
                count: calls.len() as u32,
                limit: MAX_CONNECTED_CALLS,
                calls,
            });
        }
    }
    for ((_, date), (creditor, address, calls)) in attempts {
        if calls.len() as u32 > MAX_CALL_ATTEMPTS {
            out.push(CallFinding {
                rule: CallRule::Attempts,
                creditor,
                address: Some(address),
                date,
                count: calls.len() as u32,
                limit: MAX_CALL_ATTEMPTS,
                calls,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.date, a.rule.id(), &a.creditor, &a.address).cmp(&(
            b.date,
            b.rule.id(),
            &b.creditor,
            &b.address,
        ))
    });
    out
}
