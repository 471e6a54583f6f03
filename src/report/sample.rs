//! The bundled synthetic case (`assets/sample`): an SB&R export, its call log and
//! `expected.jsonl`, the same records with template labels (see `make_sample.py`).
//!
//! [`demo_input`] turns it into a [`PackInput`] without the importer or classifier, for the
//! report's own tests and for `quzheng bench report`; [`scaled`] repeats it to any size.
//! `quzheng demo` itself imports the XML files through the real pipeline.

use super::{PackInput, PackMessage, PackSource};
use sha2::{Digest, Sha256};

/// The SB&R message export.
pub const SMS_XML: &[u8] = include_bytes!("../../assets/sample/sms-backup.xml");
/// The SB&R call-log export.
pub const CALLS_XML: &[u8] = include_bytes!("../../assets/sample/calls-backup.xml");
const EXPECTED: &str = include_str!("../../assets/sample/expected.jsonl");

fn source(name: &str, bytes: &[u8], found: u64) -> PackSource {
    PackSource {
        name: name.to_string(),
        size: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
        imported_at: "2026-03-01T10:00:00+08:00".to_string(),
        format: "sbr".to_string(),
        declared: Some(found),
        found: Some(found),
    }
}

/// The sample case as plain values.
pub fn demo_input() -> PackInput {
    let messages: Vec<PackMessage> = EXPECTED
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let sms = messages.iter().filter(|m| m.source == Some(0)).count() as u64;
    let calls = messages.len() as u64 - sms;
    PackInput {
        complainant: None,
        sources: vec![
            source("sms-backup.xml", SMS_XML, sms),
            source("calls-backup.xml", CALLS_XML, calls),
        ],
        messages,
        chain_head: hex::encode(Sha256::digest(b"sample chain head")),
        rule_version: "sample".to_string(),
        since: None,
        until: None,
        zone: crate::model::time::DEFAULT_ZONE,
    }
}

/// The sample repeated until it holds `n` records; copies are shifted by whole weeks so
/// time-of-day and weekday patterns stay realistic, and get fresh ids.
pub fn scaled(n: usize) -> PackInput {
    let mut input = demo_input();
    let base = std::mem::take(&mut input.messages);
    let mut out = Vec::with_capacity(n);
    let mut round = 0i64;
    while out.len() < n && !base.is_empty() {
        for m in &base {
            if out.len() >= n {
                break;
            }
            let mut m = m.clone();
            let shift = chrono::Duration::weeks(22 * round);
            m.message.instant.utc += shift;
            m.message.instant.raw = m.message.instant.utc.timestamp_millis();
            m.id = out.len() as i64 + 1;
            out.push(m);
        }
        round += 1;
    }
    input.messages = out;
    input
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_case_crosses_2026_and_has_three_creditors_and_calls() {
        let input = demo_input();
        assert!(
            (180..=260).contains(&input.messages.len()),
            "{}",
            input.messages.len()
        );
        let creditors: std::collections::BTreeSet<_> = input
            .messages
            .iter()
            .filter_map(|m| m.verdict.creditor.clone())
            .collect();
        assert_eq!(creditors.len(), 3);
        let cut = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00+08:00").unwrap();
        assert!(input.messages.iter().any(|m| m.message.instant.utc < cut));
        assert!(input.messages.iter().any(|m| m.message.instant.utc > cut));
        assert!(input
            .messages
            .iter()
            .any(|m| m.message.kind == crate::model::Kind::Call));
        for m in &input.messages {
            for f in &m.verdict.findings {
                let slice: String = m
                    .message
                    .body
                    .chars()
                    .skip(f.start)
                    .take(f.end - f.start)
                    .collect();
                assert_eq!(slice, f.text);
            }
        }
        assert_eq!(scaled(1000).messages.len(), 1000);
    }
}
