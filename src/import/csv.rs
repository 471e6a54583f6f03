//! CSV exports (Chinese phone-manager and spreadsheet exports, hand-made tables). See
//! `docs/formats/csv.md`.
//!
//! * **Encoding:** UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"), and
//!   otherwise GB18030 — the superset of GBK that Chinese Windows writes — decided from the
//!   first 64 KiB and decoded as a stream (encoding_rs), so memory does not grow with the file.
//! * **Separator:** comma, tab or semicolon, whichever occurs most in the first line
//!   outside quotes. Quoting follows RFC 4180 (`""` is a quote; newlines inside quotes).
//! * **Columns:** a first row whose cells name known columns (English or Chinese, see
//!   [`crate::i18n::import::CSV_HEADER_ALIASES`]) is a header; otherwise the columns are
//!   `address,body,ts,direction`. `body` and `ts` are required.
//! * **Times:** RFC 3339; Unix seconds (10 digits) or milliseconds (13 digits); or
//!   `YYYY-MM-DD HH:MM[:SS]` (also with `/` or `T`) without offset, read as **Beijing time**
//!   ([`crate::model::time::DEFAULT_ZONE`]) because that is what Chinese exports write.
//! * Records longer than [`limits::MAX_LINE_BYTES`] or with more than
//!   [`limits::MAX_CSV_FIELDS`] cells are skipped without being held in memory.

use super::{
    clip, contact_name, limits, open_counted, Error, Format, ImportReport, Sink, SkipReason,
    WarningKind,
};
use crate::i18n::import::{CSV_DIRECTION_WORDS, CSV_HEADER_ALIASES};
use crate::model::time::DEFAULT_ZONE;
use crate::model::{Direction, Instant, Kind, Message, Status, TimeUnit};
use chrono::{NaiveDateTime, TimeZone, Utc};
use encoding_rs::{Encoding, GB18030, UTF_8};
use std::io::Read;
use std::path::Path;

/// True when the first line of `head` looks like delimited text.
pub(super) fn looks_like_csv(head: &[u8]) -> bool {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = &head[..line_end];
    if line.contains(&0) {
        return false;
    }
    let decodable = std::str::from_utf8(line).is_ok()
        || GB18030
            .decode_without_bom_handling_and_without_replacement(line)
            .is_some();
    decodable && line.iter().any(|&b| b == b',' || b == b'\t' || b == b';')
}

/// The columns a CSV file may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// Record id (kept in the origin).
    Id,
    /// The other party's number.
    Address,
    /// The text.
    Body,
    /// When.
    Ts,
    /// `in`/`out` (or 接收/发送 …).
    Direction,
    /// `sms`/`mms`/`call`.
    Kind,
    /// A [`Status`] snake_case name.
    Status,
    /// Contact name.
    ContactName,
    /// Call duration in seconds.
    DurationS,
    /// Transport name.
    Service,
}

impl Column {
    /// Parses the canonical column id (`contact_name`).
    pub fn from_id(id: &str) -> Option<Column> {
        Some(match id {
            "id" => Column::Id,
            "address" => Column::Address,
            "body" => Column::Body,
            "ts" => Column::Ts,
            "direction" => Column::Direction,
            "kind" => Column::Kind,
            "status" => Column::Status,
            "contact_name" => Column::ContactName,
            "duration_s" => Column::DurationS,
            "service" => Column::Service,
            _ => return None,
        })
    }
}

fn header_column(cell: &str) -> Option<Column> {
    let c = cell
        .trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase();
    Column::from_id(&c).or_else(|| {
        CSV_HEADER_ALIASES
            .iter()
            .find(|(alias, _)| *alias == c)
            .and_then(|(_, id)| Column::from_id(id))
    })
}

/// Reads a CSV file into `sink`.
pub(super) fn read(path: &Path, sink: &mut Sink<'_>) -> Result<ImportReport, crate::Error> {
    let mut input = open_counted(path, sink)?;
    let mut report = ImportReport::new(Format::Csv);
    let io_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    // Decide the encoding from the first 64 KiB.
    let mut first = vec![0u8; 64 << 10];
    let mut n = 0;
    while n < first.len() {
        let k = input.read(&mut first[n..]).map_err(io_err)?;
        if k == 0 {
            break;
        }
        n += k;
    }
    first.truncate(n);
    if first.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        }
        .into());
    }
    let encoding: &'static Encoding = match Encoding::for_bom(&first) {
        Some((enc, _)) => enc,
        None => {
            let valid = match std::str::from_utf8(&first) {
                Ok(_) => true,
                // A multi-byte character cut by the 64 KiB boundary is still UTF-8.
                Err(e) => e.error_len().is_none() && n == 64 << 10,
            };
            if valid {
                UTF_8
            } else {
                report.warn(None, WarningKind::DecodedAsGb18030);
                GB18030
            }
        }
    };
    let mut decoder = encoding.new_decoder_with_bom_removal();
    let mut parser = Parser::new();
    let mut text = String::with_capacity(128 << 10);
    let mut chunk = first;
    let mut replaced = false;
    loop {
        let last = chunk.is_empty();
        text.clear();
        text.reserve(
            decoder
                .max_utf8_buffer_length(chunk.len())
                .unwrap_or(chunk.len() * 3 + 16),
        );
        let (_, _, had_errors) = decoder.decode_to_string(&chunk, &mut text, last);
        replaced |= had_errors;
        for c in text.chars() {
            if let Some(rec) = parser.push(c) {
                handle(rec, &mut parser, &mut report, sink)?;
            }
        }
        if last {
            if let Some(rec) = parser.finish() {
                handle(rec, &mut parser, &mut report, sink)?;
            }
            break;
        }
        sink.progress(input.consumed);
        chunk.resize(64 << 10, 0);
        let k = input.read(&mut chunk).map_err(io_err)?;
        chunk.truncate(k);
    }
    if replaced {
        report.warn(None, WarningKind::InvalidEncoding);
    }
    if parser.header.is_none() && report.found == 0 && report.skipped.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        }
        .into());
    }
    sink.progress(input.consumed);
    Ok(report)
}

/// One parsed record: its first line number and cells (or `None` when too long).
struct Record {
    line: u64,
    cells: Option<Vec<String>>,
}

fn handle(
    rec: Record,
    parser: &mut Parser,
    report: &mut ImportReport,
    sink: &mut Sink<'_>,
) -> Result<(), crate::Error> {
    let loc = format!("line {}", rec.line);
    let Some(cells) = rec.cells else {
        report.skip(
            loc,
            SkipReason::TooLong {
                limit: limits::MAX_LINE_BYTES as u64,
            },
        );
        sink.skipped();
        return Ok(());
    };
    if cells.iter().all(|c| c.trim().is_empty()) {
        return Ok(());
    }
    if parser.header.is_none() {
        let mapped: Vec<Option<Column>> = cells.iter().map(|c| header_column(c)).collect();
        let known = mapped.iter().filter(|m| m.is_some()).count();
        if known >= 2 && mapped.contains(&Some(Column::Body)) {
            parser.header = Some(mapped);
            return Ok(());
        }
        parser.header = Some(vec![
            Some(Column::Address),
            Some(Column::Body),
            Some(Column::Ts),
            Some(Column::Direction),
        ]);
    }
    let header = parser.header.as_deref().unwrap_or(&[]);
    match build(header, &cells, &loc) {
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

fn build(header: &[Option<Column>], cells: &[String], loc: &str) -> Result<Message, SkipReason> {
    let get = |col: Column| -> Option<&str> {
        header
            .iter()
            .position(|h| *h == Some(col))
            .and_then(|i| cells.get(i))
            .map(|s| s.as_str())
    };
    let needed = header
        .iter()
        .rposition(|h| matches!(h, Some(Column::Body | Column::Ts)))
        .map_or(0, |i| i + 1);
    if cells.len() < needed {
        return Err(SkipReason::TooFewColumns {
            found: cells.len(),
            needed,
        });
    }
    let ts_raw = get(Column::Ts).map(str::trim).unwrap_or("");
    if ts_raw.is_empty() {
        return Err(SkipReason::MissingField { field: "ts".into() });
    }
    let instant = parse_time(ts_raw).ok_or_else(|| SkipReason::BadTimestamp {
        field: "ts".into(),
        value: clip(ts_raw, 40),
    })?;
    let body = get(Column::Body).unwrap_or("").to_string();
    let direction = match get(Column::Direction).map(str::trim).unwrap_or("") {
        "" => Direction::In,
        d => parse_direction(d).ok_or_else(|| SkipReason::BadField {
            field: "direction".into(),
            value: clip(d, 40),
        })?,
    };
    let kind = match get(Column::Kind)
        .map(|s| s.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("") | Some("sms") => Kind::Sms,
        Some("mms") => Kind::Mms,
        Some("call") => Kind::Call,
        Some(other) => {
            return Err(SkipReason::BadField {
                field: "kind".into(),
                value: clip(other, 40),
            })
        }
    };
    let status = match get(Column::Status).map(str::trim).unwrap_or("") {
        "" => Status::Normal,
        s => serde_json::from_value::<Status>(serde_json::Value::String(s.to_ascii_lowercase()))
            .map_err(|_| SkipReason::BadField {
                field: "status".into(),
                value: clip(s, 40),
            })?,
    };
    let duration_s = match get(Column::DurationS).map(str::trim).unwrap_or("") {
        "" => None,
        d => Some(d.parse::<u32>().map_err(|_| SkipReason::BadField {
            field: "duration_s".into(),
            value: clip(d, 40),
        })?),
    };
    let origin = match get(Column::Id).map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => format!("{loc} (id {})", clip(id, 60)),
        None => loc.to_string(),
    };
    Ok(Message {
        kind,
        direction,
        status,
        address: get(Column::Address).unwrap_or("").trim().to_string(),
        contact_name: contact_name(get(Column::ContactName)),
        body,
        instant,
        duration_s,
        service: get(Column::Service)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        attachments: Vec::new(),
        origin,
        presentation: None,
    })
}

fn parse_direction(d: &str) -> Option<Direction> {
    let low = d.to_lowercase();
    match low.as_str() {
        "in" | "incoming" | "received" | "inbox" | "1" => return Some(Direction::In),
        "out" | "outgoing" | "sent" | "2" => return Some(Direction::Out),
        _ => {}
    }
    CSV_DIRECTION_WORDS
        .iter()
        .find(|(w, _)| *w == low)
        .map(|(_, out)| if *out { Direction::Out } else { Direction::In })
}

/// Reads the time forms listed in the module docs.
pub(super) fn parse_time(s: &str) -> Option<Instant> {
    let s = s.trim();
    if let Ok(i) = Instant::parse_rfc3339(s) {
        return Some(i);
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let v: i64 = s.parse().ok()?;
        return match s.len() {
            13 => Instant::from_unix_ms(v).ok(),
            10 => Instant::from_unix_s(v).ok(),
            _ => None,
        };
    }
    let norm = s.replace('/', "-").replace('T', " ");
    let naive = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&norm, f).ok())?;
    let utc = DEFAULT_ZONE
        .from_local_datetime(&naive)
        .earliest()?
        .with_timezone(&Utc);
    Some(Instant {
        utc,
        raw: utc.timestamp_millis(),
        unit: TimeUnit::Rfc3339,
        text: Some(s.to_string()),
    })
}

/// An RFC 4180 state machine fed one character at a time.
struct Parser {
    header: Option<Vec<Option<Column>>>,
    delim: Option<char>,
    /// Characters of the first line, kept until the separator is known.
    pending: Vec<char>,
    cells: Vec<String>,
    field: String,
    bytes: usize,
    too_long: bool,
    in_quotes: bool,
    quote_seen: bool,
    at_field_start: bool,
    line: u64,
    record_line: u64,
    prev_cr: bool,
}

impl Parser {
    fn new() -> Self {
        Parser {
            header: None,
            delim: None,
            pending: Vec::new(),
            cells: Vec::new(),
            field: String::new(),
            bytes: 0,
            too_long: false,
            in_quotes: false,
            quote_seen: false,
            at_field_start: true,
            line: 1,
            record_line: 1,
            prev_cr: false,
        }
    }

    /// Feeds one character; returns a record when one ends.
    fn push(&mut self, c: char) -> Option<Record> {
        if self.delim.is_none() {
            // Hold the first line (bounded) until its separator is known.
            if c == '\n' || self.pending.len() >= limits::MAX_LINE_BYTES {
                self.delim = Some(detect_delim(&self.pending));
                let pending = std::mem::take(&mut self.pending);
                let mut out = None;
                for p in pending {
                    if let Some(r) = self.step(p) {
                        out = Some(r);
                    }
                }
                return self.step(c).or(out);
            }
            self.pending.push(c);
            return None;
        }
        self.step(c)
    }

    fn finish(&mut self) -> Option<Record> {
        if self.delim.is_none() {
            self.delim = Some(detect_delim(&self.pending));
            let pending = std::mem::take(&mut self.pending);
            for p in pending {
                // A first line without `\n` cannot end a record inside the loop.
                let _ = self.step(p);
            }
        }
        if self.cells.is_empty() && self.field.is_empty() && self.at_field_start {
            return None;
        }
        Some(self.end_record())
    }

    fn step(&mut self, c: char) -> Option<Record> {
        let delim = self.delim.unwrap_or(',');
        if c == '\n' {
            self.line += 1;
        }
        if self.in_quotes {
            if c == '"' {
                self.in_quotes = false;
                self.quote_seen = true;
            } else {
                self.add(c);
            }
            return None;
        }
        if self.quote_seen && c == '"' {
            // `""` inside a quoted field is one quote.
            self.quote_seen = false;
            self.in_quotes = true;
            self.add('"');
            return None;
        }
        self.quote_seen = false;
        match c {
            '"' if self.at_field_start => {
                self.in_quotes = true;
                self.at_field_start = false;
            }
            '\r' => {
                self.prev_cr = true;
                return None;
            }
            '\n' => {
                self.prev_cr = false;
                let rec = self.end_record();
                self.record_line = self.line;
                return Some(rec);
            }
            c if c == delim => {
                self.end_field();
            }
            c => {
                self.at_field_start = false;
                self.add(c);
            }
        }
        if self.prev_cr {
            self.prev_cr = false;
        }
        None
    }

    fn add(&mut self, c: char) {
        self.bytes += c.len_utf8();
        if self.bytes > limits::MAX_LINE_BYTES {
            self.too_long = true;
            self.field.clear();
            self.cells.clear();
        }
        if !self.too_long {
            self.field.push(c);
        }
    }

    fn end_field(&mut self) {
        let f = std::mem::take(&mut self.field);
        if self.cells.len() >= limits::MAX_CSV_FIELDS {
            self.too_long = true;
            self.cells.clear();
        }
        if !self.too_long {
            self.cells.push(f);
        }
        self.at_field_start = true;
    }

    fn end_record(&mut self) -> Record {
        self.end_field();
        let cells = std::mem::take(&mut self.cells);
        let rec = Record {
            line: self.record_line,
            cells: (!self.too_long).then_some(cells),
        };
        self.too_long = false;
        self.bytes = 0;
        self.in_quotes = false;
        self.quote_seen = false;
        self.at_field_start = true;
        rec
    }
}

fn detect_delim(line: &[char]) -> char {
    let mut counts = [(',', 0usize), ('\t', 0), (';', 0)];
    let mut quoted = false;
    for &c in line {
        if c == '"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in counts.iter_mut() {
                if c == *d {
                    *n += 1;
                }
            }
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(',', |(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read as import_read;

    /// Writes `bytes` to a temporary file and reads it with [`crate::import::testutil::run`].
    fn run(bytes: &[u8]) -> (Vec<Message>, ImportReport) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, bytes).unwrap();
        crate::import::testutil::run(&p, Format::Csv)
    }

    #[test]
    fn reads_headerless_rows_in_the_documented_order() {
        let (m, r) =
            run("10690001234,\"逾期未还，\"\"后果自负\"\"\",2026-03-10 23:05:00,in\n".as_bytes());
        assert!(r.skipped.is_empty(), "{:?}", r.skipped);
        assert_eq!(m[0].body, "逾期未还，\"后果自负\"");
        // 23:05 Beijing = 15:05 UTC
        assert_eq!(m[0].instant.utc.to_rfc3339(), "2026-03-10T15:05:00+00:00");
    }

    #[test]
    fn reads_gbk_with_a_chinese_header_and_quoted_newlines() {
        let text = "号码,内容,时间,类型\r\n13800138000,\"第一行\r\n第二行\",2026/03/10 09:05,接收\r\n13800138000,好的,1773104700000,发送\r\n";
        let (bytes, _, _) = GB18030.encode(text);
        let (m, r) = run(&bytes);
        assert!(r.skipped.is_empty(), "{:?}", r.skipped);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].body, "第一行\r\n第二行");
        assert_eq!(m[1].direction, Direction::Out);
        assert_eq!(m[1].origin, "line 4");
        assert!(r
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::DecodedAsGb18030));
    }

    #[test]
    fn reads_utf16_tab_separated_excel_exports() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "号码\t内容\t时间\r\n10690001234\t请还款😡\t2026-03-10 09:05\r\n".encode_utf16()
        {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let (m, r) = run(&bytes);
        assert!(r.skipped.is_empty() && r.warnings.is_empty(), "{r:?}");
        assert_eq!(m[0].body, "请还款😡");
        assert_eq!(m[0].address, "10690001234");
    }

    #[test]
    fn skips_rows_without_time_naming_the_line() {
        let (m, r) = run(b"address\tbody\tts\n1\thello\t\n2\tok\t2026-03-10T09:05:00+08:00\n");
        assert_eq!(m.len(), 1);
        assert_eq!(r.skipped[0].location, "line 2");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn never_panics_on_random_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("x");
            std::fs::write(&p, &bytes).unwrap();
            let _ = import_read(&p, Format::Csv, &mut |_| Ok(()), &mut |_| {});
        }

        #[test]
        fn quoted_cells_round_trip(body in "[^\u{0}]{0,40}") {
            let quoted = body.replace('"', "\"\"");
            let line = format!("13800138000,\"{quoted}\",2026-03-10T09:05:00+08:00\n");
            let (m, _) = run(line.as_bytes());
            proptest::prop_assert_eq!(&m[0].body, &body);
        }
    }
}
