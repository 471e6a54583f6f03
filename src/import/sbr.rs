//! SMS Backup & Restore (SyncTech) XML: `<smses>` with `<sms>` and `<mms>`, and the separate
//! calls file `<calls>` with `<call>`. See `docs/formats/sbr.md`.
//!
//! Streamed with quick-xml through a [`Counted`] reader: memory is bounded by the largest
//! single tag ([`limits::MAX_TAG_BYTES`]), never by the file, so multi-GB backups work.
//!
//! Units and quirks (each seen in `../shared/fixtures/sms-formats/sbr-xml`):
//! * `<sms date>`, `<mms date>` and `<call date>` are Unix **milliseconds**; `<mms
//!   date_sent>` is Unix **seconds** (`sms-backup-reader-2__sms_and_mms.xml`) and is only a
//!   fallback when `date` is missing. `readable_date` is never parsed: it is written in the
//!   phone's locale and zone.
//! * Emoji are written as UTF-16 surrogate-pair character references (`&#55357;&#56832;`),
//!   which strict XML parsers reject; attribute values are therefore unescaped here, and a
//!   pair is recombined into one character. An unpaired or invalid reference becomes
//!   U+FFFD plus a warning. Entities other than the five XML ones are never expanded (no
//!   DTD processing), which defeats entity-expansion bombs.
//! * `contact_name="(Unknown)"` means no contact.
//! * A backup cut off mid-record (`sms-backup-reader-2__sms_and_mms.xml` ends inside an
//!   `<mms>`) yields every complete record plus a `Truncated` warning; a declared `count`
//!   that differs from the records found (`mobilecombackup__calls-test-00.xml`: 56 vs 12)
//!   is a `CountMismatch` warning.

use super::{
    clip, contact_name, limits, open_counted, Error, Format, ImportReport, LimitExceeded, Sink,
    SkipReason, WarningKind,
};
use crate::model::{Attachment, Direction, Instant, Kind, Message, Presentation, Status};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use sha2::{Digest, Sha256};
use std::path::Path;

/// True when the first element of `head` is `<smses` or `<calls` (prolog, comments,
/// processing instructions and a doctype may come first).
pub(super) fn looks_like_sbr(head: &[u8]) -> bool {
    let mut rest = head;
    loop {
        let Some(i) = rest.iter().position(|&b| b == b'<') else {
            return false;
        };
        rest = &rest[i..];
        if rest.starts_with(b"<?") {
            match find(rest, b"?>") {
                Some(j) => rest = &rest[j + 2..],
                None => return false,
            }
        } else if rest.starts_with(b"<!--") {
            match find(rest, b"-->") {
                Some(j) => rest = &rest[j + 3..],
                None => return false,
            }
        } else if rest.starts_with(b"<!") {
            match rest.iter().position(|&b| b == b'>') {
                Some(j) => rest = &rest[j + 1..],
                None => return false,
            }
        } else {
            let name = &rest[1..];
            return [&b"smses"[..], b"calls"].iter().any(|root| {
                name.starts_with(root)
                    && name
                        .get(root.len())
                        .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            });
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The MMS being assembled between `<mms>` and `</mms>`.
struct PendingMms {
    loc: String,
    attrs: MmsAttrs,
    texts: Vec<String>,
    attachments: Vec<Attachment>,
    unavailable: u64,
    from: Vec<String>,
    to: Vec<String>,
    bad: Option<SkipReason>,
}

#[derive(Default)]
struct MmsAttrs {
    date: Option<String>,
    date_sent: Option<String>,
    msg_box: Option<String>,
    address: Option<String>,
    contact_name: Option<String>,
    tr_id: Option<String>,
}

/// Reads an SB&R XML file into `sink`.
pub(super) fn read(path: &Path, sink: &mut Sink<'_>) -> Result<ImportReport, crate::Error> {
    let input = open_counted(path, sink)?;
    let total = input_total(path);
    let mut reader = Reader::from_reader(input);
    {
        let cfg = reader.config_mut();
        cfg.check_end_names = false;
        cfg.allow_unmatched_ends = true;
        cfg.check_comments = false;
        cfg.expand_empty_elements = false;
    }
    let mut report = ImportReport::new(Format::Sbr);
    let mut buf: Vec<u8> = Vec::with_capacity(64 << 10);
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut counts = Counters::default();
    let mut mms: Option<PendingMms> = None;
    loop {
        buf.clear();
        if buf.capacity() > 4 << 20 {
            // One huge MMS attachment should not pin its buffer for the rest of the file.
            buf.shrink_to(64 << 10);
        }
        reader.get_mut().mark(limits::MAX_TAG_BYTES);
        let event = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => {
                let consumed = reader.get_ref().consumed;
                let at = reader.error_position();
                return handle_error(
                    e,
                    path,
                    at,
                    consumed,
                    total,
                    root_seen,
                    mms.as_ref(),
                    &mut report,
                    counts.skipped,
                    sink,
                );
            }
        };
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(e) | Event::Empty(e) if !root_seen => {
                let name = e.local_name();
                let name = name.as_ref();
                if name != b"smses" && name != b"calls" {
                    return Err(wrong(path, "the root element is not <smses> or <calls>"));
                }
                root_seen = true;
                report.declared = attr_value(&e, b"count", &mut report, None)
                    .and_then(|c| c.trim().parse::<u64>().ok());
                if is_start {
                    depth = 1;
                }
                // An empty root (`<smses count="0"/>`) has no records.
                if depth == 0 {
                    break;
                }
            }
            Event::Start(e) => {
                depth += 1;
                if depth > limits::MAX_DEPTH {
                    return Err(Error::TooDeep {
                        path: path.to_path_buf(),
                        location: format!("byte {}", reader.buffer_position()),
                        limit: limits::MAX_DEPTH,
                    }
                    .into());
                }
                element(
                    &e,
                    depth - 1,
                    true,
                    &mut mms,
                    &mut counts,
                    &mut report,
                    sink,
                )?;
            }
            Event::Empty(e) => {
                element(&e, depth, false, &mut mms, &mut counts, &mut report, sink)?;
            }
            Event::End(e) => {
                if depth == 2 && e.local_name().as_ref() == b"mms" {
                    if let Some(p) = mms.take() {
                        finish_mms(p, &mut counts, &mut report, sink)?;
                    }
                }
                depth = depth.saturating_sub(1);
                if depth == 0 && root_seen {
                    break;
                }
            }
            Event::Eof => {
                if !root_seen {
                    return Err(wrong(path, "no <smses> or <calls> element"));
                }
                // The file ended between tags without closing the root: a truncated backup.
                let loc = mms.as_ref().map(|p| p.loc.clone());
                report.warn(loc, WarningKind::Truncated);
                break;
            }
            Event::Text(t) => {
                if !root_seen && !t.iter().all(u8::is_ascii_whitespace) {
                    return Err(wrong(path, "text before the root element"));
                }
            }
            // No DTD processing: entity declarations are never expanded.
            Event::CData(_)
            | Event::Comment(_)
            | Event::Decl(_)
            | Event::PI(_)
            | Event::DocType(_)
            | Event::GeneralRef(_) => {}
        }
        sink.progress(reader.get_ref().consumed);
    }
    finish(&mut report, counts.skipped, sink, reader.get_ref().consumed);
    Ok(report)
}

fn input_total(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn wrong(path: &Path, detail: &str) -> crate::Error {
    Error::WrongFormat {
        path: path.to_path_buf(),
        format: Format::Sbr,
        detail: detail.to_string(),
    }
    .into()
}

#[allow(clippy::too_many_arguments)] // one call site; bundling would only rename the locals
fn handle_error(
    e: quick_xml::Error,
    path: &Path,
    at: u64,
    consumed: u64,
    total: u64,
    root_seen: bool,
    mms: Option<&PendingMms>,
    report: &mut ImportReport,
    skipped: u64,
    sink: &mut Sink<'_>,
) -> Result<ImportReport, crate::Error> {
    if let quick_xml::Error::Io(io) = &e {
        if io
            .get_ref()
            .is_some_and(|inner| inner.downcast_ref::<LimitExceeded>().is_some())
        {
            return Err(Error::TooLarge {
                path: path.to_path_buf(),
                location: format!("byte {at}"),
                limit: limits::MAX_TAG_BYTES,
            }
            .into());
        }
        return Err(Error::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(io.kind(), io.to_string()),
        }
        .into());
    }
    // quick-xml's syntax errors all mean "the input ended inside a construct"; when that
    // happens at the very end of a backup whose root was seen, it is a truncated backup.
    if matches!(e, quick_xml::Error::Syntax(_)) && root_seen && consumed >= total {
        let loc = mms.map(|p| p.loc.clone());
        report.warn(loc, WarningKind::Truncated);
        finish(report, skipped, sink, consumed);
        return Ok(std::mem::replace(report, ImportReport::new(Format::Sbr)));
    }
    if !root_seen {
        return Err(wrong(path, &e.to_string()));
    }
    Err(Error::Malformed {
        path: path.to_path_buf(),
        location: format!("byte {at}"),
        detail: clip(&e.to_string(), 120),
    }
    .into())
}

/// Declared-count check and the final progress report. Complete records only count: a
/// record cut off by truncation was not found.
fn finish(report: &mut ImportReport, skipped: u64, sink: &mut Sink<'_>, consumed: u64) {
    let records_seen = report.found + skipped;
    if let Some(declared) = report.declared {
        if declared != records_seen {
            report.warn(
                None,
                WarningKind::CountMismatch {
                    declared,
                    found: records_seen,
                },
            );
        }
    }
    sink.progress(consumed.max(sink.total));
}

#[derive(Default)]
struct Counters {
    sms: u64,
    mms: u64,
    call: u64,
    /// Complete records that were skipped.
    skipped: u64,
}

/// Passes a parsed single-element record (`<sms/>`, `<call/>`) to the sink, or records
/// it as skipped at `loc`.
fn deliver(
    parsed: Result<Message, SkipReason>,
    loc: String,
    counts: &mut Counters,
    report: &mut ImportReport,
    sink: &mut Sink<'_>,
) -> Result<(), crate::Error> {
    match parsed {
        Ok(m) => {
            report.found += 1;
            sink.message(m)
        }
        Err(r) => {
            counts.skipped += 1;
            report.skip(loc, r);
            sink.skipped();
            Ok(())
        }
    }
}

/// Handles one element start (`<x>` or `<x/>`) at `depth` (1 = child of the root).
#[allow(clippy::too_many_arguments)] // one call site per event kind; all are plain state
fn element(
    e: &BytesStart<'_>,
    depth: usize,
    is_start: bool,
    mms: &mut Option<PendingMms>,
    counts: &mut Counters,
    report: &mut ImportReport,
    sink: &mut Sink<'_>,
) -> Result<(), crate::Error> {
    let name = e.local_name();
    match (depth, name.as_ref()) {
        (1, b"sms") => {
            counts.sms += 1;
            let loc = format!("<sms> #{}", counts.sms);
            let parsed = sms(e, &loc, report);
            deliver(parsed, loc, counts, report, sink)?;
        }
        (1, b"call") => {
            counts.call += 1;
            let loc = format!("<call> #{}", counts.call);
            let parsed = call(e, &loc, report);
            deliver(parsed, loc, counts, report, sink)?;
        }
        (1, b"mms") => {
            counts.mms += 1;
            let loc = format!("<mms> #{}", counts.mms);
            let mut p = PendingMms {
                loc,
                attrs: MmsAttrs::default(),
                texts: Vec::new(),
                attachments: Vec::new(),
                unavailable: 0,
                from: Vec::new(),
                to: Vec::new(),
                bad: None,
            };
            match collect(e, &p.loc.clone(), report, &mut |k, v| {
                let slot = match k {
                    b"date" => &mut p.attrs.date,
                    b"date_sent" => &mut p.attrs.date_sent,
                    b"msg_box" => &mut p.attrs.msg_box,
                    b"address" => &mut p.attrs.address,
                    b"contact_name" => &mut p.attrs.contact_name,
                    b"tr_id" => &mut p.attrs.tr_id,
                    _ => return,
                };
                *slot = Some(v);
            }) {
                Ok(()) => {}
                Err(r) => p.bad = Some(r),
            }
            if is_start {
                *mms = Some(p);
            } else {
                finish_mms(p, counts, report, sink)?;
            }
        }
        (d, b"part") if d >= 2 => {
            if let Some(p) = mms.as_mut() {
                mms_part(e, p, report);
            }
        }
        (d, b"addr") if d >= 2 => {
            if let Some(p) = mms.as_mut() {
                let (mut address, mut ty) = (None, None);
                let loc = p.loc.clone();
                if let Err(r) = collect(e, &loc, report, &mut |k, v| match k {
                    b"address" => address = Some(v),
                    b"type" => ty = Some(v),
                    _ => {}
                }) {
                    p.bad.get_or_insert(r);
                }
                if let Some(a) = address.filter(|a| is_real_address(a)) {
                    match ty.as_deref().map(str::trim) {
                        Some("137") => p.from.push(a),
                        Some("151") => p.to.push(a),
                        _ => {}
                    }
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// `insert-address-token` is Android's placeholder for "my own number" in sent MMS.
fn is_real_address(a: &str) -> bool {
    let a = a.trim();
    !a.is_empty() && a != "insert-address-token" && a != "null"
}

fn mms_part(e: &BytesStart<'_>, p: &mut PendingMms, report: &mut ImportReport) {
    let loc = p.loc.clone();
    let (mut ct, mut text, mut name) = (None, None, None);
    // Hashed straight from the tag buffer: an attachment can be tens of MB, never copy it.
    let mut data: Option<Option<(u64, String)>> = None;
    let r = collect_raw(e, &loc, report, &mut |k, raw, report| match k {
        b"ct" => ct = Some(unescape(raw, &loc, report)),
        b"text" => text = Some(unescape(raw, &loc, report)),
        b"name" | b"fn" | b"cl" => {
            let v = unescape(raw, &loc, report);
            if name.is_none() && v != "null" && !v.is_empty() {
                name = Some(v);
            }
        }
        // base64 holds no markup, so the raw bytes are the value.
        b"data" => data = Some(hash_base64(raw)),
        _ => {}
    });
    if let Err(r) = r {
        p.bad.get_or_insert(r);
        return;
    }
    let ct = ct.unwrap_or_default();
    let ct_l = ct.to_ascii_lowercase();
    if ct_l == "application/smil" {
        return;
    }
    if ct_l.starts_with("text/plain") {
        if let Some(t) = text.filter(|t| t != "null") {
            p.texts.push(t);
        }
        return;
    }
    match data.flatten() {
        Some((size, sha256)) => p.attachments.push(Attachment {
            mime: ct,
            name,
            size,
            sha256,
        }),
        None => p.unavailable += 1,
    }
}

fn finish_mms(
    p: PendingMms,
    counts: &mut Counters,
    report: &mut ImportReport,
    sink: &mut Sink<'_>,
) -> Result<(), crate::Error> {
    if p.unavailable > 0 {
        report.warn(
            Some(p.loc.clone()),
            WarningKind::AttachmentsUnavailable {
                count: p.unavailable,
            },
        );
    }
    match build_mms(&p) {
        Ok(m) => {
            report.found += 1;
            sink.message(m)
        }
        Err(r) => {
            counts.skipped += 1;
            report.skip(p.loc, r);
            sink.skipped();
            Ok(())
        }
    }
}

fn build_mms(p: &PendingMms) -> Result<Message, SkipReason> {
    if let Some(r) = &p.bad {
        return Err(r.clone());
    }
    let a = &p.attrs;
    let instant = match (&a.date, &a.date_sent) {
        (Some(d), _) if !d.trim().is_empty() => ms_instant("date", d)?,
        (_, Some(s)) if !s.trim().is_empty() && s.trim() != "0" => {
            let v = parse_i64("date_sent", s)?;
            Instant::from_unix_s(v).map_err(|_| bad_ts("date_sent", s))?
        }
        _ => {
            return Err(SkipReason::MissingField {
                field: "date".into(),
            })
        }
    };
    let (direction, status) = mms_box(a.msg_box.as_deref())?;
    let address = mms_address(direction, &p.from, &p.to, a.address.as_deref());
    let rcs = a.tr_id.as_deref().is_some_and(|t| t.starts_with("proto:"))
        || a.address
            .as_deref()
            .is_some_and(|s| s.ends_with("@rcs.google.com"));
    Ok(Message {
        kind: Kind::Mms,
        direction,
        status,
        address,
        contact_name: contact_name(a.contact_name.as_deref()),
        body: p.texts.join("\n"),
        instant,
        duration_s: None,
        service: rcs.then(|| "RCS".to_string()),
        attachments: p.attachments.clone(),
        origin: p.loc.clone(),
        presentation: None,
    })
}

/// The other party of an MMS: the sender (`addr type=137`) when received, the recipients
/// (`151`, joined with `~` as Android does) when sent; else the `address` attribute.
/// Shared with the `mmssms.db` reader so the same MMS gets the same fingerprint.
pub(super) fn mms_address(
    direction: Direction,
    from: &[String],
    to: &[String],
    fallback: Option<&str>,
) -> String {
    let picked = match direction {
        Direction::In => from.first().cloned(),
        Direction::Out if !to.is_empty() => Some(to.join("~")),
        Direction::Out => None,
    };
    picked
        .or_else(|| fallback.map(str::to_string))
        .unwrap_or_default()
}

/// `msg_box` (Telephony `MESSAGE_BOX_*`): 1 inbox, 2 sent, 3 drafts, 4 outbox, 5 failed.
pub(super) fn mms_box(v: Option<&str>) -> Result<(Direction, Status), SkipReason> {
    Ok(match v.map(str::trim) {
        Some("1") | None => (Direction::In, Status::Normal),
        Some("2") => (Direction::Out, Status::Normal),
        Some("3") => (Direction::Out, Status::Draft),
        Some("4") => (Direction::Out, Status::Outbox),
        Some("5") => (Direction::Out, Status::Failed),
        Some(other) => {
            return Err(SkipReason::BadField {
                field: "msg_box".into(),
                value: clip(other, 40),
            })
        }
    })
}

/// SMS `type` (Telephony `MESSAGE_TYPE_*`): 1 inbox, 2 sent, 3 draft, 4 outbox, 5 failed,
/// 6 queued. Shared with the `mmssms.db` reader.
pub(super) fn sms_type(v: &str) -> Option<(Direction, Status)> {
    Some(match v.trim() {
        "1" => (Direction::In, Status::Normal),
        "2" => (Direction::Out, Status::Normal),
        "3" => (Direction::Out, Status::Draft),
        "4" => (Direction::Out, Status::Outbox),
        "5" => (Direction::Out, Status::Failed),
        "6" => (Direction::Out, Status::Queued),
        _ => return None,
    })
}

/// Call `type` (`CallLog.Calls`): 1 incoming, 2 outgoing, 3 missed, 4 voicemail,
/// 5 rejected, 6 blocked, 7 answered on another device. Shared with `calllog.db`.
pub(super) fn call_type(v: &str) -> Option<(Direction, Status)> {
    Some(match v.trim() {
        "1" => (Direction::In, Status::Normal),
        "2" => (Direction::Out, Status::Normal),
        "3" => (Direction::In, Status::Missed),
        "4" => (Direction::In, Status::Voicemail),
        "5" => (Direction::In, Status::Rejected),
        "6" => (Direction::In, Status::Blocked),
        "7" => (Direction::In, Status::AnsweredElsewhere),
        _ => return None,
    })
}

fn sms(e: &BytesStart<'_>, loc: &str, report: &mut ImportReport) -> Result<Message, SkipReason> {
    let (mut address, mut date, mut ty, mut body, mut name) = (None, None, None, None, None);
    collect(e, loc, report, &mut |k, v| match k {
        b"address" => address = Some(v),
        b"date" => date = Some(v),
        b"type" => ty = Some(v),
        b"body" => body = Some(v),
        b"contact_name" => name = Some(v),
        _ => {}
    })?;
    let date = date.ok_or_else(|| SkipReason::MissingField {
        field: "date".into(),
    })?;
    let instant = ms_instant("date", &date)?;
    let ty = ty.unwrap_or_else(|| "1".into());
    let (direction, status) = sms_type(&ty).ok_or_else(|| SkipReason::BadField {
        field: "type".into(),
        value: clip(&ty, 40),
    })?;
    Ok(Message {
        kind: Kind::Sms,
        direction,
        status,
        address: address.unwrap_or_default(),
        contact_name: contact_name(name.as_deref()),
        body: body.filter(|b| b != "null").unwrap_or_default(),
        instant,
        duration_s: None,
        service: None,
        attachments: Vec::new(),
        origin: loc.to_string(),
        presentation: None,
    })
}

fn call(e: &BytesStart<'_>, loc: &str, report: &mut ImportReport) -> Result<Message, SkipReason> {
    let (mut number, mut date, mut ty, mut duration, mut name) = (None, None, None, None, None);
    let mut presentation = None;
    collect(e, loc, report, &mut |k, v| match k {
        b"presentation" => {
            presentation = v
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(Presentation::from_code)
        }
        b"number" => number = Some(v),
        b"date" => date = Some(v),
        b"type" => ty = Some(v),
        b"duration" => duration = Some(v),
        b"contact_name" => name = Some(v),
        _ => {}
    })?;
    let date = date.ok_or_else(|| SkipReason::MissingField {
        field: "date".into(),
    })?;
    let instant = ms_instant("date", &date)?;
    let ty = ty.ok_or_else(|| SkipReason::MissingField {
        field: "type".into(),
    })?;
    let (direction, status) = call_type(&ty).ok_or_else(|| SkipReason::BadField {
        field: "type".into(),
        value: clip(&ty, 40),
    })?;
    let duration_s = match duration.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(d.parse::<u32>().map_err(|_| SkipReason::BadField {
            field: "duration".into(),
            value: clip(d, 40),
        })?),
    };
    Ok(Message {
        kind: Kind::Call,
        direction,
        status,
        address: number.unwrap_or_default(),
        contact_name: contact_name(name.as_deref()),
        body: String::new(),
        instant,
        duration_s,
        service: None,
        attachments: Vec::new(),
        origin: loc.to_string(),
        presentation,
    })
}

fn parse_i64(field: &str, v: &str) -> Result<i64, SkipReason> {
    v.trim().parse::<i64>().map_err(|_| bad_ts(field, v))
}

fn bad_ts(field: &str, v: &str) -> SkipReason {
    SkipReason::BadTimestamp {
        field: field.to_string(),
        value: clip(v, 40),
    }
}

fn ms_instant(field: &str, v: &str) -> Result<Instant, SkipReason> {
    let ms = parse_i64(field, v)?;
    Instant::from_unix_ms(ms).map_err(|_| bad_ts(field, v))
}

/// Calls `f` with each attribute's key and unescaped value.
fn collect(
    e: &BytesStart<'_>,
    loc: &str,
    report: &mut ImportReport,
    f: &mut dyn FnMut(&[u8], String),
) -> Result<(), SkipReason> {
    collect_raw(e, loc, report, &mut |k, raw, report| {
        let v = unescape(raw, loc, report);
        f(k, v)
    })
}

/// A callback taking an attribute's key, raw value and the report (for warnings).
type RawAttrFn<'a> = dyn FnMut(&[u8], &[u8], &mut ImportReport) + 'a;

/// Calls `f` with each attribute's key and raw (still escaped) value.
fn collect_raw(
    e: &BytesStart<'_>,
    _loc: &str,
    report: &mut ImportReport,
    f: &mut RawAttrFn<'_>,
) -> Result<(), SkipReason> {
    for a in e.html_attributes().with_checks(false) {
        let a = a.map_err(|err| SkipReason::BadXml {
            detail: clip(&err.to_string(), 80),
        })?;
        f(a.key.local_name().as_ref(), &a.value, report);
    }
    Ok(())
}

/// The unescaped value of attribute `key`, if present.
fn attr_value(
    e: &BytesStart<'_>,
    key: &[u8],
    report: &mut ImportReport,
    loc: Option<&str>,
) -> Option<String> {
    let mut out = None;
    let loc = loc.unwrap_or("<smses>");
    let _ = collect(e, loc, report, &mut |k, v| {
        if k == key {
            out = Some(v);
        }
    });
    out
}

/// Unescapes an attribute value: the five XML entities and numeric character references,
/// with UTF-16 surrogate pairs recombined. Invalid references become U+FFFD and unknown
/// entities stay as written, each with a warning at `loc`; invalid UTF-8 becomes U+FFFD.
pub(super) fn unescape(raw: &[u8], loc: &str, report: &mut ImportReport) -> String {
    let text = match std::str::from_utf8(raw) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            report.warn(Some(loc.to_string()), WarningKind::InvalidEncoding);
            String::from_utf8_lossy(raw)
        }
    };
    if !text.contains('&') {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest: &str = &text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        // An entity is at most a few characters; look no further than 12 for the `;`.
        let semi = rest.as_bytes().iter().take(12).position(|&b| b == b';');
        let Some(semi) = semi else {
            // A bare `&`: keep it (SB&R writes `&amp;`, but be forgiving).
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let after = &rest[semi + 1..];
        if let Some(num) = ent.strip_prefix('#') {
            match char_ref(num) {
                Some(Code::Char(c)) => {
                    out.push(c);
                    rest = after;
                }
                Some(Code::High(hi)) => {
                    // Look for the low half right after.
                    let low = after
                        .strip_prefix("&#")
                        .and_then(|s| {
                            s.find(';')
                                .filter(|&j| j <= 8)
                                .map(|j| (&s[..j], &s[j + 1..]))
                        })
                        .and_then(|(n, tail)| match char_ref(n) {
                            Some(Code::Low(lo)) => Some((lo, tail)),
                            _ => None,
                        });
                    match low {
                        Some((lo, tail)) => {
                            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                            out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                            rest = tail;
                        }
                        None => {
                            invalid_ref(&rest[..=semi], loc, report, &mut out);
                            rest = after;
                        }
                    }
                }
                Some(Code::Low(_)) | None => {
                    invalid_ref(&rest[..=semi], loc, report, &mut out);
                    rest = after;
                }
            }
        } else {
            match ent {
                "amp" => out.push('&'),
                "lt" => out.push('<'),
                "gt" => out.push('>'),
                "quot" => out.push('"'),
                "apos" => out.push('\''),
                _ => {
                    report.warn(
                        Some(loc.to_string()),
                        WarningKind::UnknownEntity {
                            raw: clip(&rest[..=semi], 16),
                        },
                    );
                    out.push_str(&rest[..=semi]);
                }
            }
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn invalid_ref(raw: &str, loc: &str, report: &mut ImportReport, out: &mut String) {
    report.warn(
        Some(loc.to_string()),
        WarningKind::InvalidCharRef { raw: clip(raw, 16) },
    );
    out.push('\u{FFFD}');
}

enum Code {
    Char(char),
    High(u32),
    Low(u32),
}

/// Decodes the digits of `&#…;` (`x` prefix = hex).
fn char_ref(num: &str) -> Option<Code> {
    let v = match num.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => num.parse::<u32>().ok()?,
    };
    match v {
        0 => None,
        0xD800..=0xDBFF => Some(Code::High(v)),
        0xDC00..=0xDFFF => Some(Code::Low(v)),
        _ => char::from_u32(v).map(Code::Char),
    }
}

/// Size and SHA-256 of base64 `data` decoded in a streaming way (whitespace ignored);
/// `None` when it is not base64.
pub(super) fn hash_base64(data: &[u8]) -> Option<(u64, String)> {
    let mut h = Sha256::new();
    let mut out = [0u8; 3 * 1024];
    let mut n_out = 0usize;
    let mut size = 0u64;
    let mut acc = 0u32;
    let mut bits = 0u32;
    let mut padding = false;
    for &b in data {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out[n_out] = (acc >> bits) as u8;
            n_out += 1;
            if n_out == out.len() {
                h.update(&out[..n_out]);
                size += n_out as u64;
                n_out = 0;
            }
        }
    }
    h.update(&out[..n_out]);
    size += n_out as u64;
    Some((size, hex::encode(h.finalize())))
}

#[cfg(test)]
mod tests;
