//! Android `mmssms.db` (the Telephony provider's database) and `calllog.db`. See
//! `docs/formats/android-db.md`.
//!
//! * Opened read-only and immutable ([`super::sqlite::open`]); the file is never modified.
//! * `sms`: columns by name (`address`, `date` in Unix **ms**, `type` 1–6, `body`); the ~50
//!   vendor columns of Samsung, MIUI or LG are ignored. Samsung's `spam_sms` table holds
//!   messages the phone blocked — often the best evidence — and is imported with
//!   [`Status::Blocked`].
//! * MMS: `pdu` (`date` in Unix **seconds**, `msg_box`, `m_type`), text from `part.text`
//!   (`text/plain`, in `seq` order, joined with `\n` like the SB&R reader), the other party
//!   from `addr` (137 from / 151 to). Attachment bytes live in separate files on the phone
//!   (`part._data`), so they are counted in a warning, not invented. Delivery and read
//!   reports (`m_type` 134, 135, 136) are not messages. Samsung `spam_pdu`/`spam_part`/
//!   `spam_addr` likewise, marked blocked.
//! * `calls` (calllog.db, or contacts2.db on old phones): `number`, `date` ms, `duration` s,
//!   `type` 1–7, `name`.
//! * A value of the wrong SQLite type in one row is a skipped row, never an abort.

use super::sbr::{call_type, mms_address, mms_box, sms_type};
use super::sqlite::{self, col_or, db_error};
use super::{clip, contact_name, Error, Format, ImportReport, Sink, SkipReason, WarningKind};
use crate::model::{Instant, Kind, Message, Status};
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;
use std::collections::HashMap;
use std::path::Path;

/// Reads an Android database into `sink`.
pub(super) fn read(path: &Path, sink: &mut Sink<'_>) -> Result<ImportReport, crate::Error> {
    let conn = sqlite::open(path)?;
    let tables = sqlite::tables(&conn, path)?;
    if !(tables.contains("sms") || tables.contains("pdu") || tables.contains("calls")) {
        return Err(if tables.contains("message") && tables.contains("handle") {
            Error::WrongFormat {
                path: path.to_path_buf(),
                format: Format::AndroidDb,
                detail: "this is an iPhone sms.db".into(),
            }
        } else {
            Error::ForeignSchema {
                path: path.to_path_buf(),
            }
        }
        .into());
    }
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    sink.set_total(size);
    let mut report = ImportReport::new(Format::AndroidDb);
    let mut st = State {
        path,
        size,
        total_rows: 0,
        done_rows: 0,
        ignored: 0,
        unavailable: 0,
    };
    for t in ["sms", "spam_sms", "pdu", "spam_pdu", "calls"] {
        if tables.contains(t) {
            st.total_rows += conn
                .query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map_err(db_error(path))?
                .max(0) as u64;
        }
    }
    for (t, blocked) in [("sms", false), ("spam_sms", true)] {
        if tables.contains(t) {
            read_sms(&conn, t, blocked, &mut st, &mut report, sink)?;
        }
    }
    for (t, part, addr, blocked) in [
        ("pdu", "part", "addr", false),
        ("spam_pdu", "spam_part", "spam_addr", true),
    ] {
        if tables.contains(t) {
            let part = tables.contains(part).then_some(part);
            let addr = tables.contains(addr).then_some(addr);
            read_mms(&conn, (t, part, addr), blocked, &mut st, &mut report, sink)?;
        }
    }
    if tables.contains("calls") {
        read_calls(&conn, &mut st, &mut report, sink)?;
    }
    if st.ignored > 0 {
        report.warn(None, WarningKind::NonMessagesIgnored { count: st.ignored });
    }
    if st.unavailable > 0 {
        report.warn(
            None,
            WarningKind::AttachmentsUnavailable {
                count: st.unavailable,
            },
        );
    }
    sink.progress(size);
    Ok(report)
}

struct State<'p> {
    path: &'p Path,
    size: u64,
    total_rows: u64,
    done_rows: u64,
    ignored: u64,
    unavailable: u64,
}

impl State<'_> {
    /// One more row done; progress in bytes is rows scaled to the file size.
    fn row(&mut self, sink: &mut Sink<'_>) {
        self.done_rows += 1;
        if let Some(done) = (self.size * self.done_rows).checked_div(self.total_rows) {
            sink.progress(done);
        }
    }
}

/// Text of a value (numbers written out); `None` for NULL.
pub(super) fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(f) => Some(f.to_string()),
        Value::Text(s) => Some(s.clone()),
        Value::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Integer of a value (text parsed); `None` for NULL or non-numbers.
pub(super) fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Real(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(*f as i64),
        Value::Text(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn bad_ts(field: &str, v: &Value) -> SkipReason {
    SkipReason::BadTimestamp {
        field: field.to_string(),
        value: clip(&text(v).unwrap_or_default(), 40),
    }
}

/// An owned value; text that is not UTF-8 (a damaged or hostile file) is converted with
/// U+FFFD instead of failing, because rusqlite's own conversion panics on it.
pub(super) fn owned(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Runs `sql` and hands each row's values to `f`.
fn each_row(
    conn: &Connection,
    path: &Path,
    sql: &str,
    ncols: usize,
    f: &mut dyn FnMut(Vec<Value>) -> Result<(), crate::Error>,
) -> Result<(), crate::Error> {
    let mut stmt = conn.prepare(sql).map_err(db_error(path))?;
    let mut rows = stmt.query([]).map_err(db_error(path))?;
    while let Some(row) = rows.next().map_err(db_error(path))? {
        let mut vals = Vec::with_capacity(ncols);
        for i in 0..ncols {
            vals.push(owned(row.get_ref(i).map_err(db_error(path))?));
        }
        f(vals)?;
    }
    Ok(())
}

fn read_sms(
    conn: &Connection,
    table: &str,
    blocked: bool,
    st: &mut State<'_>,
    report: &mut ImportReport,
    sink: &mut Sink<'_>,
) -> Result<(), crate::Error> {
    let path = st.path;
    let cols = sqlite::columns(conn, table, path)?;
    sqlite::require(&cols, table, &["date"], path)?;
    let sql = format!(
        "SELECT {}, {}, date, {}, {} FROM \"{table}\" ORDER BY date, rowid",
        col_or(&cols, "_id", "rowid"),
        col_or(&cols, "address", "NULL"),
        col_or(&cols, "type", "1"),
        col_or(&cols, "body", "NULL"),
    );
    each_row(conn, path, &sql, 5, &mut |v| {
        let loc = format!("{table} _id {}", text(&v[0]).unwrap_or_default());
        st.row(sink);
        let built = (|| {
            let ms = int(&v[2]).ok_or_else(|| bad_ts("date", &v[2]))?;
            let instant = Instant::from_unix_ms(ms).map_err(|_| bad_ts("date", &v[2]))?;
            let ty = text(&v[3]).unwrap_or_else(|| "1".into());
            let (direction, status) = sms_type(&ty).ok_or_else(|| SkipReason::BadField {
                field: "type".into(),
                value: clip(&ty, 40),
            })?;
            Ok::<_, SkipReason>(Message {
                kind: Kind::Sms,
                direction,
                status: if blocked { Status::Blocked } else { status },
                address: text(&v[1]).unwrap_or_default(),
                contact_name: None,
                body: text(&v[4]).unwrap_or_default(),
                instant,
                duration_s: None,
                service: None,
                attachments: Vec::new(),
                origin: loc.clone(),
            })
        })();
        deliver(built, loc, report, sink)
    })
}

fn deliver(
    built: Result<Message, SkipReason>,
    loc: String,
    report: &mut ImportReport,
    sink: &mut Sink<'_>,
) -> Result<(), crate::Error> {
    match built {
        Ok(m) => {
            report.found += 1;
            sink.message(m)
        }
        Err(r) => {
            report.skip(loc, r);
            sink.skipped();
            Ok(())
        }
    }
}

#[derive(Default)]
struct MmsExtras {
    texts: Vec<String>,
    other_parts: u64,
    from: Vec<String>,
    to: Vec<String>,
}

fn read_mms(
    conn: &Connection,
    (table, part, addr): (&str, Option<&str>, Option<&str>),
    blocked: bool,
    st: &mut State<'_>,
    report: &mut ImportReport,
    sink: &mut Sink<'_>,
) -> Result<(), crate::Error> {
    let path = st.path;
    let cols = sqlite::columns(conn, table, path)?;
    sqlite::require(&cols, table, &["_id", "date"], path)?;
    // Parts and addresses of every MMS, keyed by message id: one scan each instead of one
    // query per message (part.mid is not indexed on every vendor's schema). Only text is
    // kept, so this is bounded by the MMS text volume, a few MB on a real phone.
    let mut extras: HashMap<i64, MmsExtras> = HashMap::new();
    if let Some(part) = part {
        let pc = sqlite::columns(conn, part, path)?;
        sqlite::require(&pc, part, &["mid"], path)?;
        let sql = format!(
            "SELECT mid, {}, {} FROM \"{part}\" ORDER BY mid, {}, rowid",
            col_or(&pc, "ct", "NULL"),
            col_or(&pc, "text", "NULL"),
            col_or(&pc, "seq", "0"),
        );
        each_row(conn, path, &sql, 3, &mut |v| {
            let Some(mid) = int(&v[0]) else { return Ok(()) };
            let ct = text(&v[1]).unwrap_or_default().to_ascii_lowercase();
            let e = extras.entry(mid).or_default();
            if ct == "application/smil" {
            } else if ct.starts_with("text/plain") {
                if let Some(t) = text(&v[2]) {
                    e.texts.push(t);
                }
            } else {
                e.other_parts += 1;
            }
            Ok(())
        })?;
    }
    if let Some(addr) = addr {
        let ac = sqlite::columns(conn, addr, path)?;
        sqlite::require(&ac, addr, &["msg_id", "address", "type"], path)?;
        let sql = format!("SELECT msg_id, address, type FROM \"{addr}\" ORDER BY msg_id, rowid");
        each_row(conn, path, &sql, 3, &mut |v| {
            let Some(mid) = int(&v[0]) else { return Ok(()) };
            let Some(a) = text(&v[1]).filter(|a| {
                let a = a.trim();
                !a.is_empty() && a != "insert-address-token" && a != "null"
            }) else {
                return Ok(());
            };
            let e = extras.entry(mid).or_default();
            match int(&v[2]) {
                Some(137) => e.from.push(a),
                Some(151) => e.to.push(a),
                _ => {}
            }
            Ok(())
        })?;
    }
    let sql = format!(
        "SELECT _id, date, {}, {} FROM \"{table}\" ORDER BY date, _id",
        col_or(&cols, "msg_box", "1"),
        col_or(&cols, "m_type", "132"),
    );
    each_row(conn, path, &sql, 4, &mut |v| {
        let id = int(&v[0]).unwrap_or(-1);
        let loc = format!("{table} _id {id}");
        st.row(sink);
        if matches!(int(&v[3]), Some(134..=136)) {
            st.ignored += 1;
            return Ok(());
        }
        let e = extras.remove(&id).unwrap_or_default();
        st.unavailable += e.other_parts;
        let built = (|| {
            let s = int(&v[1]).ok_or_else(|| bad_ts("date", &v[1]))?;
            let instant = Instant::from_unix_s(s).map_err(|_| bad_ts("date", &v[1]))?;
            let (direction, status) = mms_box(text(&v[2]).as_deref())?;
            Ok::<_, SkipReason>(Message {
                kind: Kind::Mms,
                direction,
                status: if blocked { Status::Blocked } else { status },
                address: mms_address(direction, &e.from, &e.to, None),
                contact_name: None,
                body: e.texts.join("\n"),
                instant,
                duration_s: None,
                service: None,
                attachments: Vec::new(),
                origin: loc.clone(),
            })
        })();
        deliver(built, loc, report, sink)
    })
}

fn read_calls(
    conn: &Connection,
    st: &mut State<'_>,
    report: &mut ImportReport,
    sink: &mut Sink<'_>,
) -> Result<(), crate::Error> {
    let path = st.path;
    let cols = sqlite::columns(conn, "calls", path)?;
    sqlite::require(&cols, "calls", &["number", "date", "type"], path)?;
    let sql = format!(
        "SELECT {}, number, date, type, {}, {} FROM calls ORDER BY date, rowid",
        col_or(&cols, "_id", "rowid"),
        col_or(&cols, "duration", "NULL"),
        col_or(&cols, "name", "NULL"),
    );
    each_row(conn, path, &sql, 6, &mut |v| {
        let loc = format!("calls _id {}", text(&v[0]).unwrap_or_default());
        st.row(sink);
        let built = (|| {
            let ms = int(&v[2]).ok_or_else(|| bad_ts("date", &v[2]))?;
            let instant = Instant::from_unix_ms(ms).map_err(|_| bad_ts("date", &v[2]))?;
            let ty = text(&v[3]).unwrap_or_default();
            let (direction, status) = call_type(&ty).ok_or_else(|| SkipReason::BadField {
                field: "type".into(),
                value: clip(&ty, 40),
            })?;
            let duration_s = match &v[4] {
                Value::Null => None,
                d => Some(int(d).and_then(|n| u32::try_from(n).ok()).ok_or_else(|| {
                    SkipReason::BadField {
                        field: "duration".into(),
                        value: clip(&text(d).unwrap_or_default(), 40),
                    }
                })?),
            };
            Ok::<_, SkipReason>(Message {
                kind: Kind::Call,
                direction,
                status,
                address: text(&v[1]).unwrap_or_default(),
                contact_name: contact_name(text(&v[5]).as_deref()),
                body: String::new(),
                instant,
                duration_s,
                service: None,
                attachments: Vec::new(),
                origin: loc.clone(),
            })
        })();
        deliver(built, loc, report, sink)
    })
}

#[cfg(test)]
mod tests;
