//! Importers: source files → [`Message`]s, streamed to a caller-supplied sink.
//!
//! One file per format (`sbr.rs`, `android.rs`, `ios.rs`, `csv.rs`, `jsonl.rs`); every
//! reader has the same shape: [`read`] picks it, it pushes each complete record into
//! `on_message` as soon as it is parsed (backups can be gigabytes), reports progress in
//! bytes of the source, and returns an [`ImportReport`].
//!
//! Invariants and units:
//! * A **fatal** problem (not this format, hostile or unreadable file, encrypted iPhone
//!   backup) is an `Err` with [`ErrorKind::BadInput`]; the caller rolls its transaction
//!   back, so nothing is half-imported.
//! * A problem with **one record** is a [`Skipped`] naming where it was ("line 12",
//!   `"<sms> #5"`, "sms ROWID 17") and the reader carries on.
//! * Anything the user should know but that loses no record (declared count ≠ found, a
//!   truncated file after every complete record was delivered, an invalid character
//!   reference replaced by U+FFFD) is a [`Warning`].
//! * Databases are opened read-only and `immutable`, so the evidence file is never
//!   modified (its SHA-256 is identical after an import).
//! * Every time conversion goes through [`crate::model::time`].
//! * Memory is bounded by the per-record limits in [`limits`], never by the file size.

mod android;
pub mod bench;
mod csv;
mod ios;
mod jsonl;
mod sbr;
mod sqlite;
mod typedstream;

use crate::error::ErrorKind;
use crate::model::Message;
use serde::Serialize;
use std::fmt;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

/// Bounds that keep memory use independent of the input size.
pub mod limits {
    /// Longest accepted JSON Lines / CSV line or record, in bytes (a message body is at most
    /// a few kB; 1 MiB leaves room for long MMS texts).
    pub const MAX_LINE_BYTES: usize = 1 << 20;
    /// Longest accepted XML tag (with its attributes), in bytes. SB&R stores MMS attachments
    /// base64-encoded in a `data` attribute; 96 MiB covers a 70 MB video, the largest MMS
    /// any carrier delivers, while keeping a 1 GB file under the 300 MB memory target.
    pub const MAX_TAG_BYTES: u64 = 96 << 20;
    /// Deepest accepted XML nesting. SB&R nests 4 levels (`smses/mms/parts/part`).
    pub const MAX_DEPTH: usize = 32;
    /// Most columns accepted in one CSV record.
    pub const MAX_CSV_FIELDS: usize = 256;
    /// How many skipped records and warnings are listed one by one; beyond that they are
    /// only counted, so a hostile file cannot grow the report without bound.
    pub const MAX_LISTED: usize = 1000;
}

/// A source format, spelled as on the command line (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Decide from the content ([`sniff`]).
    Auto,
    /// SMS Backup & Restore XML (SMS, MMS, calls).
    Sbr,
    /// Android `mmssms.db` (or a `calllog.db`).
    AndroidDb,
    /// iPhone `sms.db`, or an unencrypted iTunes/Finder backup folder.
    IosDb,
    /// CSV (UTF-8 or GB18030/GBK).
    Csv,
    /// JSON Lines in the classify input schema.
    Jsonl,
}

impl Format {
    /// The CLI spelling (`android-db`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::Sbr => "sbr",
            Format::AndroidDb => "android-db",
            Format::IosDb => "ios-db",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }

    /// Every format, `auto` first.
    pub const ALL: [Format; 6] = [
        Format::Auto,
        Format::Sbr,
        Format::AndroidDb,
        Format::IosDb,
        Format::Csv,
        Format::Jsonl,
    ];
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let low = s.trim().to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == low)
            .ok_or_else(|| Error::UnknownFormatName {
                name: s.to_string(),
            })
    }
}

impl Serialize for Format {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// How far an import has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Progress {
    /// Bytes of the source consumed so far (for databases: records done, scaled to size).
    pub bytes_done: u64,
    /// Size of the source in bytes.
    pub bytes_total: u64,
    /// Records delivered or skipped so far.
    pub records: u64,
}

/// Why one record was skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SkipReason {
    /// The line is not valid JSON (column of the first problem).
    BadJson {
        /// 1-based column (byte) where parsing failed.
        column: usize,
    },
    /// The line is JSON but not an object.
    NotAnObject,
    /// A required field is missing or empty.
    MissingField {
        /// The field (`ts`, `body`, `date`, `address`).
        field: String,
    },
    /// A field has a value this format does not allow.
    BadField {
        /// The field name.
        field: String,
        /// The offending value, cut to 40 characters (never a message body).
        value: String,
    },
    /// A timestamp that cannot be read or is out of range.
    BadTimestamp {
        /// The field name.
        field: String,
        /// The raw value, cut to 40 characters.
        value: String,
    },
    /// The record is longer than the per-record limit.
    TooLong {
        /// The limit in bytes.
        limit: u64,
    },
    /// An XML element of a record is malformed (bad attribute syntax).
    BadXml {
        /// What the parser said, in English.
        detail: String,
    },
    /// A CSV row has fewer cells than the columns it needs.
    TooFewColumns {
        /// Cells found.
        found: usize,
        /// Cells needed.
        needed: usize,
    },
}

/// One record that was not imported, with where it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Where in the source ("line 1234", `"<sms> #5"`, "sms ROWID 17").
    pub location: String,
    /// Why.
    pub reason: SkipReason,
}

/// Something the user should know that lost no complete record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum WarningKind {
    /// The file declares a record count that differs from the records found.
    CountMismatch {
        /// The count the file declares.
        declared: u64,
        /// Records found (imported + skipped).
        found: u64,
    },
    /// The file ends in the middle of a record; every complete record was imported.
    Truncated,
    /// A character reference that is not a valid character (an unpaired UTF-16 surrogate,
    /// zero, beyond U+10FFFF) was replaced by U+FFFD.
    InvalidCharRef {
        /// The reference as written (`&#55357;`).
        raw: String,
    },
    /// An entity other than the five XML ones was left as written.
    UnknownEntity {
        /// The entity as written (`&nbsp;`).
        raw: String,
    },
    /// Bytes that are not valid in the file's encoding were replaced by U+FFFD.
    InvalidEncoding,
    /// The CSV file was read as GB18030 (GBK) because it is not valid UTF-8.
    DecodedAsGb18030,
    /// MMS attachments whose bytes are not in this source (Android keeps them as separate
    /// files on the phone); their MIME type is not kept either.
    AttachmentsUnavailable {
        /// How many parts.
        count: u64,
    },
    /// Rows that are not messages (iPhone reactions, group renames, other system rows)
    /// were left out.
    NonMessagesIgnored {
        /// How many rows.
        count: u64,
    },
    /// Records with an empty text and no attachment were left out.
    EmptyRecordsIgnored {
        /// How many records.
        count: u64,
    },
    /// More skipped records or warnings than are listed one by one.
    MoreNotListed {
        /// How many were counted but not listed.
        count: u64,
    },
}

/// A warning, with where it applies when that is one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Where (`"<sms> #12"`, "line 7"), or `None` for the whole file.
    pub location: Option<String>,
    /// What.
    pub kind: WarningKind,
}

/// What one import found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// The format that was read (never `Auto`).
    pub format: Format,
    /// Records delivered to the sink.
    pub found: u64,
    /// The record count the file declares, if it declares one (SB&R `count`).
    pub declared: Option<u64>,
    /// Records not imported, with reason and place (at most [`limits::MAX_LISTED`]).
    pub skipped: Vec<Skipped>,
    /// How many records were skipped in all (`skipped` lists at most
    /// [`limits::MAX_LISTED`] of them).
    pub skipped_total: u64,
    /// Warnings (at most [`limits::MAX_LISTED`], then one `MoreNotListed`).
    pub warnings: Vec<Warning>,
}

impl ImportReport {
    /// An empty report for `format`.
    pub fn new(format: Format) -> Self {
        ImportReport {
            format,
            found: 0,
            declared: None,
            skipped: Vec::new(),
            skipped_total: 0,
            warnings: Vec::new(),
        }
    }

    /// Records a skipped record (listed up to the limit, then counted).
    pub(crate) fn skip(&mut self, location: impl Into<String>, reason: SkipReason) {
        self.skipped_total += 1;
        if self.skipped.len() < limits::MAX_LISTED {
            self.skipped.push(Skipped {
                location: location.into(),
                reason,
            });
        } else {
            self.count_unlisted();
        }
    }

    /// Records a warning (listed up to the limit, then counted).
    pub(crate) fn warn(&mut self, location: Option<String>, kind: WarningKind) {
        if self.warnings.len() < limits::MAX_LISTED {
            self.warnings.push(Warning { location, kind });
        } else {
            self.count_unlisted();
        }
    }

    fn count_unlisted(&mut self) {
        match self.warnings.last_mut() {
            Some(Warning {
                kind: WarningKind::MoreNotListed { count },
                ..
            }) => *count += 1,
            _ => self.warnings.push(Warning {
                location: None,
                kind: WarningKind::MoreNotListed { count: 1 },
            }),
        }
    }
}

/// Errors of this module: the file as a whole cannot be imported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `--format` names no known format.
    #[error("unknown format name {name:?}")]
    UnknownFormatName {
        /// What was given.
        name: String,
    },
    /// The file does not exist or cannot be opened.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Reading the file failed midway (a disk error, not bad content).
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{path} is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The content matches no supported format.
    #[error("{path}: format not recognised")]
    Unrecognised {
        /// The file.
        path: PathBuf,
    },
    /// The file is a ZIP archive (perhaps renamed); it must be unpacked first.
    #[error("{path} is a zip archive")]
    Zip {
        /// The file.
        path: PathBuf,
    },
    /// The file is not in the format that was asked for (or sniffed).
    #[error("{path} is not {format}: {detail}")]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// The format expected.
        format: Format,
        /// What did not fit, in English.
        detail: String,
    },
    /// The file breaks the format's syntax at a place where no salvage is possible.
    #[error("{path}: malformed at {location}: {detail}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Where ("byte 1234", `"<sms> #5"`).
        location: String,
        /// What the parser said, in English.
        detail: String,
    },
    /// One element or record is larger than the limit that keeps memory bounded.
    #[error("{path}: element at {location} exceeds {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Where ("byte 1234").
        location: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// The XML nests deeper than any real backup.
    #[error("{path}: nesting deeper than {limit} at {location}")]
    TooDeep {
        /// The file.
        path: PathBuf,
        /// Where ("byte 1234").
        location: String,
        /// The limit.
        limit: usize,
    },
    /// A SQLite file that is damaged or cannot be read.
    #[error("{path}: database unreadable: {detail}")]
    Database {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// A SQLite database without the tables of any supported phone format.
    #[error("{path}: SQLite database with a foreign schema")]
    ForeignSchema {
        /// The file.
        path: PathBuf,
    },
    /// A table lacks a column the importer needs.
    #[error("{path}: table {table} lacks column {column}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// An iPhone backup folder that is encrypted (not supported yet).
    #[error("{path}: encrypted iPhone backup")]
    EncryptedBackup {
        /// The backup folder.
        path: PathBuf,
    },
    /// An iPhone backup folder without a readable `Manifest.db` or without messages.
    #[error("{path}: iPhone backup without {what}")]
    BackupIncomplete {
        /// The backup folder.
        path: PathBuf,
        /// What is missing (`Manifest.db`, `sms.db`).
        what: String,
    },
    /// A folder that is not an iPhone backup.
    #[error("{path} is a folder, not a backup")]
    NotABackup {
        /// The folder.
        path: PathBuf,
    },
}

impl Error {
    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Read { .. } => ErrorKind::Other,
            _ => ErrorKind::BadInput,
        }
    }
}

/// Reads the start of a file (up to `n` bytes).
fn head(path: &Path, n: usize) -> Result<Vec<u8>, Error> {
    let f = std::fs::File::open(path).map_err(|source| Error::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let mut buf = Vec::with_capacity(n);
    f.take(n as u64)
        .read_to_end(&mut buf)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(buf)
}

/// Decides the format of `path` from its content, never from its name.
///
/// A folder is an iPhone backup; a SQLite file is told apart by its tables; text is
/// SB&R XML when its root element is `<smses>` or `<calls>`, JSON Lines when it starts
/// with `{`, otherwise CSV when its first line has a separator.
///
/// # Errors
/// [`Error::Empty`], [`Error::Zip`], [`Error::ForeignSchema`], [`Error::Unrecognised`]
/// (all `BadInput`), or an I/O error opening the file.
pub fn sniff(path: &Path) -> Result<Format, Error> {
    if path.is_dir() {
        return Ok(Format::IosDb);
    }
    let bytes = head(path, 64 * 1024)?;
    if bytes.is_empty() {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Err(Error::Zip {
            path: path.to_path_buf(),
        });
    }
    if bytes.starts_with(sqlite::MAGIC) {
        return sqlite::sniff_tables(path);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        // UTF-16 with BOM: Excel's "Unicode text" export, a tab-separated table.
        let (text, _, _) = encoding_rs::UTF_16LE.decode(&bytes);
        if csv::looks_like_csv(text.as_bytes()) {
            return Ok(Format::Csv);
        }
        return Err(Error::Unrecognised {
            path: path.to_path_buf(),
        });
    }
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let first = text.iter().position(|b| !b.is_ascii_whitespace());
    let Some(first) = first else {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    };
    let text = &text[first..];
    if text.starts_with(b"<") {
        if sbr::looks_like_sbr(text) {
            return Ok(Format::Sbr);
        }
        return Err(Error::Unrecognised {
            path: path.to_path_buf(),
        });
    }
    if text.starts_with(b"{") {
        return Ok(Format::Jsonl);
    }
    if csv::looks_like_csv(text) {
        return Ok(Format::Csv);
    }
    Err(Error::Unrecognised {
        path: path.to_path_buf(),
    })
}

/// The single file whose bytes are the evidence for `path` in `format`: the `sms.db` inside
/// an iPhone backup folder (or named by its `Manifest.db`), otherwise `path` itself. The
/// import use case stores this file's bytes as the original.
///
/// # Errors
/// For an iPhone backup that is encrypted or incomplete (as [`read`] would).
pub fn evidence_file(path: &Path, format: Format) -> Result<PathBuf, Error> {
    let ios = match format {
        Format::IosDb => true,
        Format::Auto => sniff(path)? == Format::IosDb,
        _ => false,
    };
    if ios {
        ios::evidence_file(path)
    } else {
        Ok(path.to_path_buf())
    }
}

/// Reads every record of `path` in `format` (sniffed when `Auto`), handing each complete
/// [`Message`] to `on_message` in source order and calling `on_progress` now and then.
///
/// An `Err` from `on_message` stops the import and is returned unchanged.
///
/// # Errors
/// An [`Error`] of this module (kind `BadInput`, or `Other` for disk failures) when the
/// file as a whole cannot be imported; whatever `on_message` returned.
pub fn read(
    path: &Path,
    format: Format,
    on_message: &mut dyn FnMut(Message) -> Result<(), crate::Error>,
    on_progress: &mut dyn FnMut(Progress),
) -> Result<ImportReport, crate::Error> {
    let format = match format {
        Format::Auto => sniff(path)?,
        f => {
            // Whatever format was asked for, an empty file or a ZIP archive is none of them;
            // say so plainly instead of a parser's complaint.
            if !path.is_dir() {
                let h = head(path, 4)?;
                if h.is_empty() {
                    return Err(Error::Empty {
                        path: path.to_path_buf(),
                    }
                    .into());
                }
                if h.starts_with(b"PK\x03\x04") || h.starts_with(b"PK\x05\x06") {
                    return Err(Error::Zip {
                        path: path.to_path_buf(),
                    }
                    .into());
                }
            }
            f
        }
    };
    let mut sink = Sink {
        on_message,
        on_progress,
        records: 0,
        total: 0,
        last_reported: 0,
    };
    match format {
        // `sniff` never answers `Auto`; refusing is the safe reading if it ever did.
        Format::Auto => Err(Error::Unrecognised {
            path: path.to_path_buf(),
        }
        .into()),
        Format::Jsonl => jsonl::read(path, &mut sink),
        Format::Sbr => sbr::read(path, &mut sink),
        Format::Csv => csv::read(path, &mut sink),
        Format::AndroidDb => android::read(path, &mut sink),
        Format::IosDb => ios::read(path, &mut sink),
    }
}

/// What every reader pushes into: the caller's callbacks plus progress pacing.
pub(crate) struct Sink<'a> {
    on_message: &'a mut dyn FnMut(Message) -> Result<(), crate::Error>,
    on_progress: &'a mut dyn FnMut(Progress),
    records: u64,
    total: u64,
    last_reported: u64,
}

impl Sink<'_> {
    /// Delivers one message.
    pub(crate) fn message(&mut self, m: Message) -> Result<(), crate::Error> {
        self.records += 1;
        (self.on_message)(m)
    }

    /// Counts a skipped record for progress.
    pub(crate) fn skipped(&mut self) {
        self.records += 1;
    }

    /// Reports progress, at most every 256 KiB of input so callbacks stay cheap.
    pub(crate) fn progress(&mut self, bytes_done: u64) {
        if bytes_done >= self.last_reported + (256 << 10) || bytes_done >= self.total {
            self.last_reported = bytes_done;
            (self.on_progress)(Progress {
                bytes_done,
                bytes_total: self.total,
                records: self.records,
            });
        }
    }

    /// Sets the total size used by progress reports.
    pub(crate) fn set_total(&mut self, total: u64) {
        self.total = total;
    }
}

/// Opens `path` for streaming with a byte counter, recording its size in `sink`.
pub(crate) fn open_counted(
    path: &Path,
    sink: &mut Sink<'_>,
) -> Result<Counted<std::io::BufReader<std::fs::File>>, Error> {
    let f = std::fs::File::open(path).map_err(|source| Error::Open {
        path: path.to_path_buf(),
        source,
    })?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    sink.set_total(size);
    Ok(Counted {
        inner: std::io::BufReader::with_capacity(256 << 10, f),
        consumed: 0,
        mark: 0,
        limit: u64::MAX,
    })
}

/// A `BufRead` that counts consumed bytes and can refuse to buffer more than `limit`
/// bytes past a mark (so one giant XML tag cannot exhaust memory).
pub(crate) struct Counted<R> {
    inner: R,
    /// Bytes consumed since the start.
    pub(crate) consumed: u64,
    mark: u64,
    limit: u64,
}

/// The marker inside the `io::Error` a [`Counted`] returns when its limit is exceeded.
#[derive(Debug)]
pub(crate) struct LimitExceeded;

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("element too large")
    }
}

impl std::error::Error for LimitExceeded {}

impl<R> Counted<R> {
    /// Starts a new element: at most `limit` more bytes may be consumed before the next mark.
    pub(crate) fn mark(&mut self, limit: u64) {
        self.mark = self.consumed;
        self.limit = limit;
    }
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.consumed.saturating_sub(self.mark) > self.limit {
            return Err(std::io::Error::other(LimitExceeded));
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.consumed += amt as u64;
        self.inner.consume(amt);
    }
}

/// `s` cut to at most `n` characters, for values quoted in reasons.
pub(crate) fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Converts the contact name a phone stored into ours: empty and "(Unknown)" mean none.
pub(crate) fn contact_name(raw: Option<&str>) -> Option<String> {
    let s = raw?.trim();
    if s.is_empty() || s == "(Unknown)" || s == "null" {
        None
    } else {
        Some(s.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
        }
        assert!("xml".parse::<Format>().is_err());
    }

    #[test]
    fn sniffs_by_content_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("backup.csv");
        std::fs::write(&p, "{\"id\":\"1\",\"body\":\"x\"}\n").unwrap();
        assert_eq!(sniff(&p).unwrap(), Format::Jsonl);
        std::fs::write(&p, "<?xml version='1.0'?>\n<smses count=\"0\"></smses>").unwrap();
        assert_eq!(sniff(&p).unwrap(), Format::Sbr);
        std::fs::write(&p, "").unwrap();
        assert!(matches!(sniff(&p), Err(Error::Empty { .. })));
        std::fs::write(&p, b"PK\x03\x04rest").unwrap();
        assert!(matches!(sniff(&p), Err(Error::Zip { .. })));
        let mut tsv = vec![0xFF, 0xFE];
        for u in "号码\t内容\t时间\n".encode_utf16() {
            tsv.extend_from_slice(&u.to_le_bytes());
        }
        std::fs::write(&p, &tsv).unwrap();
        assert_eq!(sniff(&p).unwrap(), Format::Csv);
        std::fs::write(&p, "<html><body>hi</body></html>").unwrap();
        assert!(matches!(sniff(&p), Err(Error::Unrecognised { .. })));
    }

    #[test]
    fn empty_and_zip_files_are_refused_whatever_the_format() {
        for f in Format::ALL {
            let (_d, p) = testutil::temp(b"");
            let e = testutil::try_run(&p, f).unwrap_err();
            assert!(
                matches!(e, crate::Error::Import(Error::Empty { .. })),
                "{f}: {e}"
            );
            let (_d, p) = testutil::temp(b"PK\x03\x04\x14\x00zipped");
            let e = testutil::try_run(&p, f).unwrap_err();
            assert!(
                matches!(e, crate::Error::Import(Error::Zip { .. })),
                "{f}: {e}"
            );
        }
    }

    #[test]
    fn progress_reaches_the_file_size() {
        let p = testutil::fixture("sbr/chinese-collection.xml");
        let size = std::fs::metadata(&p).unwrap().len();
        for f in [Format::Sbr, Format::Auto] {
            let mut last = Progress::default();
            read(&p, f, &mut |_| Ok(()), &mut |pr| last = pr).unwrap();
            assert_eq!(
                (last.bytes_done, last.bytes_total, last.records),
                (size, size, 8)
            );
        }
    }

    #[test]
    fn report_lists_are_bounded() {
        let mut r = ImportReport::new(Format::Jsonl);
        for i in 0..(limits::MAX_LISTED + 50) {
            r.skip(format!("line {i}"), SkipReason::NotAnObject);
        }
        assert_eq!(r.skipped.len(), limits::MAX_LISTED);
        assert_eq!(r.skipped_total, limits::MAX_LISTED as u64 + 50);
        assert_eq!(
            r.warnings.last().map(|w| w.kind.clone()),
            Some(WarningKind::MoreNotListed { count: 50 })
        );
    }
}

/// Helpers for the readers' unit tests.
#[cfg(test)]
pub(crate) mod testutil {
    use super::*;
    use std::path::PathBuf;

    /// Reads `path` and collects everything; panics on a fatal error.
    pub(crate) fn run(path: &Path, format: Format) -> (Vec<Message>, ImportReport) {
        try_run(path, format).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reads `path` and collects everything.
    pub(crate) fn try_run(
        path: &Path,
        format: Format,
    ) -> Result<(Vec<Message>, ImportReport), crate::Error> {
        let mut out = Vec::new();
        let r = read(
            path,
            format,
            &mut |m| {
                out.push(m);
                Ok(())
            },
            &mut |_| {},
        )?;
        Ok((out, r))
    }

    /// A file under `tests/fixtures`.
    pub(crate) fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(rel)
    }

    /// A public third-party sample under `../shared/fixtures/sms-formats`.
    pub(crate) fn shared(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/fixtures/sms-formats")
            .join(rel)
    }

    /// Builds a SQLite database from a SQL script under `tests/fixtures`.
    pub(crate) fn build_db(sql_rel: &str) -> (tempfile::TempDir, PathBuf) {
        let sql = std::fs::read_to_string(fixture(sql_rel)).expect("fixture script");
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("built.db");
        let conn = rusqlite::Connection::open(&p).expect("create db");
        conn.execute_batch(&sql).expect("run fixture script");
        drop(conn);
        (dir, p)
    }

    /// Lower-case hex SHA-256 of a file.
    pub(crate) fn sha256_file(p: &Path) -> String {
        use sha2::{Digest, Sha256};
        hex::encode(Sha256::digest(std::fs::read(p).expect("read file")))
    }

    /// Writes `bytes` to a temp file and returns it (with its directory guard).
    pub(crate) fn temp(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("input");
        std::fs::write(&p, bytes).expect("write temp file");
        (dir, p)
    }
}

/// Lowercase hex SHA-256 and size in bytes of a file, streamed in 1 MiB blocks (sources
/// can be gigabytes). Shared by the importers and the import use case, which records each
/// source file's hash.
///
/// # Errors
/// Opening or reading the file.
pub fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex::encode(h.finalize()), n))
}
