//! JSON Lines in the classify input schema (`../shared/contract/classify.md`), one message
//! per line. See `docs/formats/jsonl.md`.
//!
//! Fields: `id` (string or number; kept as the origin), `address` (default `""`), `body`
//! (required, may be empty for calls), `ts` (RFC 3339, **required** for import, unlike
//! `classify`, because stored evidence needs a time), `direction` (`in` default, `out`);
//! optional `kind` (`sms` default, `mms`, `call`), `status` (the snake_case
//! [`crate::model::Status`] names), `contact_name`, `duration_s` (whole seconds ≥ 0),
//! `service` and `presentation` (`allowed`, `restricted`, `unknown`, `payphone`). Unknown fields are ignored. Blank lines are ignored; a line that breaks the
//! rules is a [`Skipped`](super::Skipped) "line N", never an abort.
//!
//! Lines are read with a bound of [`limits::MAX_LINE_BYTES`]; a longer line is skipped
//! without being held in memory.

use super::{
    clip, limits, open_counted, Error, Format, ImportReport, Sink, SkipReason, WarningKind,
};
use crate::model::{Direction, Instant, Kind, Message, Presentation, Status};
use serde_json::{Map, Value};
use std::io::BufRead;
use std::path::Path;

/// Reads a JSON Lines file into `sink`.
pub(super) fn read(path: &Path, sink: &mut Sink<'_>) -> Result<ImportReport, crate::Error> {
    let mut input = open_counted(path, sink)?;
    let mut report = ImportReport::new(Format::Jsonl);
    let mut line = Vec::with_capacity(4096);
    let mut line_no = 0u64;
    let mut bad_utf8 = 0u64;
    loop {
        line.clear();
        let outcome =
            read_bounded_line(&mut input, &mut line, limits::MAX_LINE_BYTES).map_err(|source| {
                Error::Read {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        let too_long = match outcome {
            LineOutcome::Eof => break,
            LineOutcome::Line => false,
            LineOutcome::TooLong => true,
        };
        line_no += 1;
        let loc = format!("line {line_no}");
        if too_long {
            report.skip(
                loc,
                SkipReason::TooLong {
                    limit: limits::MAX_LINE_BYTES as u64,
                },
            );
            sink.skipped();
            continue;
        }
        let text = match std::str::from_utf8(&line) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => {
                bad_utf8 += 1;
                String::from_utf8_lossy(&line)
            }
        };
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        match parse_line(text, &loc) {
            Ok(m) => {
                report.found += 1;
                sink.message(m)?;
            }
            Err(reason) => {
                report.skip(loc, reason);
                sink.skipped();
            }
        }
        sink.progress(input.consumed);
    }
    if bad_utf8 > 0 {
        report.warn(None, WarningKind::InvalidEncoding);
    }
    sink.progress(input.consumed);
    Ok(report)
}

/// What [`read_bounded_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum LineOutcome {
    /// End of input, nothing read.
    Eof,
    /// A line (without its `\n`) is in the buffer.
    Line,
    /// The line exceeded the bound; it was consumed but not kept.
    TooLong,
}

/// Reads one `\n`-terminated line into `out` (without the terminator), never keeping more
/// than `max` bytes: a longer line is consumed to its end and reported as `TooLong`.
pub(super) fn read_bounded_line<R: BufRead>(
    r: &mut R,
    out: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<LineOutcome> {
    let mut seen_any = false;
    let mut too_long = false;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(match (seen_any, too_long) {
                (false, _) => LineOutcome::Eof,
                (true, true) => LineOutcome::TooLong,
                (true, false) => LineOutcome::Line,
            });
        }
        seen_any = true;
        let (chunk, done) = match memchr_nl(buf) {
            Some(i) => (&buf[..i], i + 1),
            None => (buf, buf.len()),
        };
        let ended = done > chunk.len();
        if !too_long {
            if out.len() + chunk.len() > max {
                too_long = true;
                out.clear();
            } else {
                out.extend_from_slice(chunk);
            }
        }
        r.consume(done);
        if ended {
            return Ok(if too_long {
                LineOutcome::TooLong
            } else {
                LineOutcome::Line
            });
        }
    }
}

fn memchr_nl(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|&b| b == b'\n')
}

/// Parses one non-blank line into a message.
fn parse_line(text: &str, loc: &str) -> Result<Message, SkipReason> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| SkipReason::BadJson { column: e.column() })?;
    let Value::Object(obj) = value else {
        return Err(SkipReason::NotAnObject);
    };
    let ts = match obj.get("ts") {
        None | Some(Value::Null) => return Err(missing("ts")),
        Some(Value::String(s)) if s.trim().is_empty() => return Err(missing("ts")),
        Some(Value::String(s)) => {
            Instant::parse_rfc3339(s).map_err(|_| SkipReason::BadTimestamp {
                field: "ts".into(),
                value: clip(s, 40),
            })?
        }
        Some(other) => {
            return Err(SkipReason::BadTimestamp {
                field: "ts".into(),
                value: clip(&other.to_string(), 40),
            })
        }
    };
    let body = match obj.get("body") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => return Err(missing("body")),
        Some(_) => return Err(bad("body", "not a string")),
    };
    let kind = match opt_str(&obj, "kind")? {
        None | Some("sms") => Kind::Sms,
        Some("mms") => Kind::Mms,
        Some("call") => Kind::Call,
        Some(v) => return Err(bad("kind", v)),
    };
    let direction = match opt_str(&obj, "direction")? {
        None | Some("in") => Direction::In,
        Some("out") => Direction::Out,
        Some(v) => return Err(bad("direction", v)),
    };
    let status = match obj.get("status") {
        None | Some(Value::Null) => Status::default(),
        Some(v) => serde_json::from_value::<Status>(v.clone())
            .map_err(|_| bad("status", &v.to_string()))?,
    };
    let duration_s = match obj.get("duration_s") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            v.as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| bad("duration_s", &v.to_string()))?,
        ),
    };
    let presentation = match obj.get("presentation") {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<Presentation>(v.clone())
                .map_err(|_| bad("presentation", &v.to_string()))?,
        ),
    };
    let address = opt_str(&obj, "address")?.unwrap_or("").to_string();
    let contact_name = super::contact_name(opt_str(&obj, "contact_name")?);
    let service = opt_str(&obj, "service")?
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let origin = match obj.get("id") {
        Some(Value::String(s)) => format!("{loc} (id {})", clip(s, 60)),
        Some(Value::Number(n)) => format!("{loc} (id {n})"),
        _ => loc.to_string(),
    };
    Ok(Message {
        kind,
        direction,
        status,
        address,
        contact_name,
        body,
        instant: ts,
        duration_s,
        service,
        attachments: Vec::new(),
        origin,
        presentation,
    })
}

fn missing(field: &str) -> SkipReason {
    SkipReason::MissingField {
        field: field.to_string(),
    }
}

fn bad(field: &str, value: &str) -> SkipReason {
    SkipReason::BadField {
        field: field.to_string(),
        value: clip(value, 40),
    }
}

/// An optional string field: absent or null → `None`, a string → `Some`, else a skip.
fn opt_str<'a>(obj: &'a Map<String, Value>, field: &str) -> Result<Option<&'a str>, SkipReason> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(v) => Err(bad(field, &v.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read as import_read;

    /// Writes `text` to a temporary file and reads it with [`crate::import::testutil::run`].
    fn run(text: &str) -> (Vec<Message>, ImportReport) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.jsonl");
        std::fs::write(&p, text).unwrap();
        crate::import::testutil::run(&p, Format::Jsonl)
    }

    #[test]
    fn reads_the_classify_schema_and_optional_fields() {
        let (msgs, report) = run(concat!(
            "{\"id\":\"m1\",\"address\":\"10690001234\",\"body\":\"请尽快还款\",\"ts\":\"2026-03-10T09:05:00+08:00\"}\n",
            "\n",
            "{\"id\":2,\"address\":\"13800138000\",\"body\":\"\",\"ts\":\"2026-03-10T23:05:00+08:00\",",
            "\"direction\":\"in\",\"kind\":\"call\",\"status\":\"missed\",\"duration_s\":0,\"contact_name\":\"(Unknown)\"}\n",
        ));
        assert!(report.skipped.is_empty(), "{:?}", report.skipped);
        assert_eq!(report.found, 2);
        assert_eq!(msgs[0].body, "请尽快还款");
        assert_eq!(msgs[0].instant.utc_ms(), 1_773_104_700_000);
        assert_eq!(msgs[0].origin, "line 1 (id m1)");
        assert_eq!(msgs[1].kind, Kind::Call);
        assert_eq!(msgs[1].status, Status::Missed);
        assert_eq!(msgs[1].contact_name, None);
        assert_eq!(msgs[1].origin, "line 3 (id 2)");
    }

    #[test]
    fn skips_bad_lines_with_their_line_number() {
        let (msgs, report) = run(concat!(
            "{\"id\":\"a\",\"body\":\"x\"}\n",
            "{not json\n",
            "[1,2]\n",
            "{\"id\":\"b\",\"body\":\"x\",\"ts\":\"yesterday\"}\n",
            "{\"id\":\"c\",\"body\":\"x\",\"ts\":\"2026-03-10T09:05:00Z\",\"direction\":\"sideways\"}\n",
            "{\"id\":\"d\",\"body\":\"ok\",\"ts\":\"2026-03-10T09:05:00Z\"}",
        ));
        assert_eq!(msgs.len(), 1);
        let locs: Vec<_> = report.skipped.iter().map(|s| s.location.as_str()).collect();
        assert_eq!(locs, ["line 1", "line 2", "line 3", "line 4", "line 5"]);
        assert_eq!(
            report.skipped[0].reason,
            SkipReason::MissingField { field: "ts".into() }
        );
        assert!(matches!(
            report.skipped[1].reason,
            SkipReason::BadJson { column: 2 }
        ));
        assert_eq!(report.skipped[2].reason, SkipReason::NotAnObject);
    }

    #[test]
    fn overlong_lines_are_skipped_not_buffered() {
        let mut text = String::from("{\"body\":\"");
        text.push_str(&"x".repeat(limits::MAX_LINE_BYTES + 10));
        text.push_str("\",\"ts\":\"2026-03-10T09:05:00Z\"}\n");
        text.push_str("{\"body\":\"ok\",\"ts\":\"2026-03-10T09:05:00Z\"}\n");
        let (msgs, report) = run(&text);
        assert_eq!(msgs.len(), 1);
        assert_eq!(report.skipped[0].location, "line 1");
        assert!(matches!(
            report.skipped[0].reason,
            SkipReason::TooLong { .. }
        ));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn never_panics_on_random_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("x");
            std::fs::write(&p, &bytes).unwrap();
            let _ = import_read(&p, Format::Jsonl, &mut |_| Ok(()), &mut |_| {});
        }
    }
}
