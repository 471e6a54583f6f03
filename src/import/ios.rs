//! iPhone `sms.db` (Messages), alone or inside an unencrypted iTunes/Finder backup folder.
//! See `docs/formats/ios-db.md`.
//!
//! * A backup folder is located through its `Manifest.db` (`Files` table, domain
//!   `HomeDomain`, path `Library/SMS/sms.db`, normally file id
//!   `3d0d7e5fb2ce288813306e4d4636395e047a3d28`, stored as `3d/3d0d…` or, in old backups,
//!   at the top level). An encrypted backup (its `Manifest.db` is not SQLite, or
//!   `Manifest.plist` says `IsEncrypted`) is refused with a clear "not supported yet".
//! * `message` joined with `handle` (the other party) and, for messages without a handle,
//!   the chat's `chat_identifier` (via `chat_message_join`). `date` counts from the Apple
//!   epoch 2001-01-01 in **seconds** (old iOS) or **nanoseconds** (iOS 11+), told apart by
//!   magnitude in [`Instant::from_apple`]. `is_from_me` = sent. `service` (`SMS`,
//!   `iMessage`, `RCS`) is kept.
//! * When `text` is NULL (iOS 16+), the text is decoded from `attributedBody`
//!   ([`super::typedstream`]); `cs426__sms-attributedbody-only.db` must give exactly the
//!   texts of `cs426__sms.db`.
//! * Reactions/tapbacks (`associated_message_type` ≠ 0) and system rows (`item_type` ≠ 0:
//!   group renames, member changes) are not messages and are only counted in a warning.
//! * Attachment files are not inside `sms.db`. In a backup folder they are found through
//!   `Manifest.db` (domain `MediaDomain`) and kept by MIME type, name, size and SHA-256;
//!   otherwise they are counted in a warning.

use super::android::{int, owned, text};
use super::sqlite::{self, db_error};
use super::{Error, Format, ImportReport, Sink, SkipReason, WarningKind};
use crate::model::{Attachment, Direction, Instant, Kind, Message, Status};
use rusqlite::types::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// File id of `HomeDomain-Library/SMS/sms.db` in every iTunes/Finder backup (its SHA-1).
pub const SMS_DB_FILE_ID: &str = "3d0d7e5fb2ce288813306e4d4636395e047a3d28";

/// Reads an `sms.db`, a backup folder, or a backup's `Manifest.db` into `sink`.
pub(super) fn read(path: &Path, sink: &mut Sink<'_>) -> Result<ImportReport, crate::Error> {
    let (db, backup) = resolve(path)?;
    read_sms_db(&db, backup.as_deref(), sink)
}

/// The `sms.db` that `path` stands for, and the backup folder it is in (if it is in one).
fn resolve(path: &Path) -> Result<(PathBuf, Option<PathBuf>), Error> {
    if path.is_dir() {
        Ok((locate_in_backup(path)?, Some(path.to_path_buf())))
    } else if is_manifest(path) {
        let folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok((locate_in_backup(&folder)?, Some(folder)))
    } else {
        Ok((path.to_path_buf(), None))
    }
}

/// The single file holding the evidence of `path`: for an iPhone backup folder (or its
/// `Manifest.db`) the `sms.db` inside it, else `path` itself. The vault keeps this file's
/// bytes as the original.
///
/// # Errors
/// As [`super::read`] for a backup that is encrypted or incomplete.
pub fn evidence_file(path: &Path) -> Result<PathBuf, Error> {
    resolve(path).map(|(db, _)| db)
}

fn is_manifest(path: &Path) -> bool {
    let Ok(conn) = sqlite::open(path) else {
        return false;
    };
    sqlite::tables(&conn, path)
        .map(|t| t.contains("Files") && !t.contains("message"))
        .unwrap_or(false)
}

/// Finds `sms.db` inside an unencrypted backup folder.
fn locate_in_backup(folder: &Path) -> Result<PathBuf, Error> {
    let manifest = folder.join("Manifest.db");
    let plist = folder.join("Manifest.plist");
    if plist_says_encrypted(&plist) {
        return Err(Error::EncryptedBackup {
            path: folder.to_path_buf(),
        });
    }
    if !manifest.is_file() {
        if plist.is_file() || folder.join("Info.plist").is_file() {
            return Err(Error::BackupIncomplete {
                path: folder.to_path_buf(),
                what: "Manifest.db".into(),
            });
        }
        return Err(Error::NotABackup {
            path: folder.to_path_buf(),
        });
    }
    let head = super::head(&manifest, 16)?;
    if head != sqlite::MAGIC {
        // Encrypted backups encrypt Manifest.db itself.
        return Err(Error::EncryptedBackup {
            path: folder.to_path_buf(),
        });
    }
    let conn = sqlite::open(&manifest)?;
    let id: Option<String> = conn
        .query_row(
            "SELECT fileID FROM Files WHERE domain = 'HomeDomain' AND relativePath = 'Library/SMS/sms.db' LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    let id = id.unwrap_or_else(|| SMS_DB_FILE_ID.to_string());
    let mut candidates = Vec::new();
    if let Some(prefix) = id.get(..2) {
        candidates.push(folder.join(prefix).join(&id));
    }
    candidates.push(folder.join(&id));
    candidates
        .into_iter()
        .find(|p| p.is_file())
        .ok_or_else(|| Error::BackupIncomplete {
            path: folder.to_path_buf(),
            what: "sms.db".into(),
        })
}

/// True when an XML `Manifest.plist` has `<key>IsEncrypted</key><true/>`. (A binary plist
/// is not parsed; an encrypted backup is then recognised by its unreadable `Manifest.db`.)
fn plist_says_encrypted(plist: &Path) -> bool {
    let Ok(bytes) = super::head(plist, 1 << 20) else {
        return false;
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(i) = text.find("<key>IsEncrypted</key>") else {
        return false;
    };
    text[i + "<key>IsEncrypted</key>".len()..]
        .trim_start()
        .starts_with("<true/>")
}

fn read_sms_db(
    path: &Path,
    backup: Option<&Path>,
    sink: &mut Sink<'_>,
) -> Result<ImportReport, crate::Error> {
    let conn = sqlite::open(path)?;
    let tables = sqlite::tables(&conn, path)?;
    if !(tables.contains("message") && tables.contains("handle")) {
        return Err(if tables.contains("sms") || tables.contains("pdu") {
            Error::WrongFormat {
                path: path.to_path_buf(),
                format: Format::IosDb,
                detail: "this is an Android mmssms.db".into(),
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
    let cols = sqlite::columns(&conn, "message", path)?;
    sqlite::require(&cols, "message", &["date"], path)?;
    // Chat identifiers and attachment counts per message: one scan each (bounded by the
    // number of messages), instead of a correlated subquery per row.
    let mut chats: HashMap<i64, String> = HashMap::new();
    if tables.contains("chat_message_join") && tables.contains("chat") {
        let mut stmt = conn
            .prepare(
                "SELECT cmj.message_id, c.chat_identifier FROM chat_message_join cmj \
                 JOIN chat c ON c.ROWID = cmj.chat_id ORDER BY cmj.rowid",
            )
            .map_err(db_error(path))?;
        let mut rows = stmt.query([]).map_err(db_error(path))?;
        while let Some(r) = rows.next().map_err(db_error(path))? {
            let id = int(&owned(r.get_ref(0).map_err(db_error(path))?));
            let chat = text(&owned(r.get_ref(1).map_err(db_error(path))?));
            if let (Some(id), Some(chat)) = (id, chat) {
                chats.entry(id).or_insert(chat);
            }
        }
    }
    // Attachments per message. Their files are not in sms.db; in a backup folder they are
    // (domain MediaDomain), and are hashed as evidence.
    let mut attachments: HashMap<i64, Vec<AttachmentRow>> = HashMap::new();
    if tables.contains("message_attachment_join") && tables.contains("attachment") {
        let ac = sqlite::columns(&conn, "attachment", path)?;
        let a = |name: &str| -> String {
            if ac.contains(name) {
                format!("a.\"{name}\"")
            } else {
                "NULL".to_string()
            }
        };
        let sql = format!(
            "SELECT j.message_id, {}, {}, {} FROM message_attachment_join j \
             JOIN attachment a ON a.ROWID = j.attachment_id ORDER BY j.message_id, a.ROWID",
            a("filename"),
            a("mime_type"),
            a("transfer_name"),
        );
        let mut stmt = conn.prepare(&sql).map_err(db_error(path))?;
        let mut rows = stmt.query([]).map_err(db_error(path))?;
        while let Some(r) = rows.next().map_err(db_error(path))? {
            let mut v = Vec::with_capacity(4);
            for i in 0..4 {
                v.push(owned(r.get_ref(i).map_err(db_error(path))?));
            }
            if let Some(id) = int(&v[0]) {
                attachments.entry(id).or_default().push(AttachmentRow {
                    filename: text(&v[1]),
                    mime: text(&v[2]),
                    name: text(&v[3]),
                });
            }
        }
    }
    let media = match backup {
        Some(folder) => Some(MediaIndex::open(folder)?),
        None => None,
    };
    let total_rows = conn
        .query_row("SELECT count(*) FROM message", [], |r| r.get::<_, i64>(0))
        .map_err(db_error(path))?
        .max(1) as u64;
    // Qualified with `m.`: `handle` has columns of the same names (`service`).
    let m = |name: &str, fallback: &str| -> String {
        if cols.contains(name) {
            format!("m.\"{name}\"")
        } else {
            fallback.to_string()
        }
    };
    let sql = format!(
        "SELECT m.ROWID, {}, {}, m.date, {}, {}, h.id, {}, {}, {}, {} FROM message m \
         LEFT JOIN handle h ON h.ROWID = {} ORDER BY m.date, m.ROWID",
        m("text", "NULL"),
        m("attributedbody", "NULL"),
        m("is_from_me", "0"),
        m("service", "NULL"),
        m("associated_message_type", "0"),
        m("item_type", "0"),
        m("cache_has_attachments", "0"),
        m("error", "0"),
        m("handle_id", "NULL"),
    );
    let mut report = ImportReport::new(Format::IosDb);
    let (mut ignored, mut empty, mut unavailable, mut done) = (0u64, 0u64, 0u64, 0u64);
    let mut stmt = conn.prepare(&sql).map_err(db_error(path))?;
    let mut rows = stmt.query([]).map_err(db_error(path))?;
    while let Some(row) = rows.next().map_err(db_error(path))? {
        let mut v: Vec<Value> = Vec::with_capacity(11);
        for i in 0..11 {
            v.push(owned(row.get_ref(i).map_err(db_error(path))?));
        }
        done += 1;
        sink.progress(size * done / total_rows);
        let rowid = int(&v[0]).unwrap_or(-1);
        let loc = format!("message ROWID {rowid}");
        if int(&v[7]).unwrap_or(0) != 0 || int(&v[8]).unwrap_or(0) != 0 {
            ignored += 1;
            continue;
        }
        let rows = attachments.remove(&rowid).unwrap_or_default();
        let n_att = if rows.is_empty() {
            u64::from(int(&v[9]).unwrap_or(0) != 0)
        } else {
            rows.len() as u64
        };
        let body = match text(&v[1]).filter(|t| !t.is_empty()) {
            Some(t) => t,
            None => match &v[2] {
                Value::Blob(b) => super::typedstream::text(b).unwrap_or_default(),
                _ => String::new(),
            },
        };
        if body.is_empty() && n_att == 0 {
            empty += 1;
            continue;
        }
        let mut kept = Vec::new();
        for row in &rows {
            match media.as_ref().and_then(|m| m.attachment(row)) {
                Some(a) => kept.push(a),
                None => unavailable += 1,
            }
        }
        unavailable += n_att.saturating_sub(rows.len() as u64);
        let instant = match int(&v[3]).map(Instant::from_apple) {
            Some(Ok(i)) => i,
            _ => {
                report.skip(
                    loc,
                    SkipReason::BadTimestamp {
                        field: "date".into(),
                        value: super::clip(&text(&v[3]).unwrap_or_default(), 40),
                    },
                );
                sink.skipped();
                continue;
            }
        };
        let from_me = int(&v[4]).unwrap_or(0) != 0;
        let direction = if from_me {
            Direction::Out
        } else {
            Direction::In
        };
        let status = if from_me && int(&v[10]).unwrap_or(0) != 0 {
            Status::Failed
        } else {
            Status::Normal
        };
        let service = text(&v[5]).filter(|s| !s.is_empty());
        let address = text(&v[6])
            .filter(|s| !s.is_empty())
            .or_else(|| chats.get(&rowid).cloned())
            .unwrap_or_default();
        let kind = if n_att > 0 && service.as_deref() == Some("SMS") {
            Kind::Mms
        } else {
            Kind::Sms
        };
        report.found += 1;
        sink.message(Message {
            kind,
            direction,
            status,
            address,
            contact_name: None,
            body,
            instant,
            duration_s: None,
            service,
            attachments: kept,
            origin: loc,
            presentation: None,
        })?;
    }
    if ignored > 0 {
        report.warn(None, WarningKind::NonMessagesIgnored { count: ignored });
    }
    if empty > 0 {
        report.warn(None, WarningKind::EmptyRecordsIgnored { count: empty });
    }
    if unavailable > 0 {
        report.warn(
            None,
            WarningKind::AttachmentsUnavailable { count: unavailable },
        );
    }
    sink.progress(size);
    Ok(report)
}

/// One row of `attachment` joined to its message.
struct AttachmentRow {
    /// `~/Library/SMS/Attachments/ab/01/<guid>/IMG_0001.jpeg`.
    filename: Option<String>,
    mime: Option<String>,
    name: Option<String>,
}

/// Finds attachment files inside a backup folder through `Manifest.db`.
struct MediaIndex {
    folder: PathBuf,
    conn: rusqlite::Connection,
}

impl MediaIndex {
    fn open(folder: &Path) -> Result<Self, Error> {
        let conn = sqlite::open(&folder.join("Manifest.db"))?;
        Ok(MediaIndex {
            folder: folder.to_path_buf(),
            conn,
        })
    }

    /// The attachment with its size and SHA-256, when its file is in the backup.
    fn attachment(&self, row: &AttachmentRow) -> Option<Attachment> {
        let filename = row.filename.as_deref()?;
        let rel = filename
            .strip_prefix("~/")
            .or_else(|| filename.strip_prefix("/var/mobile/"))
            .unwrap_or(filename);
        let id: String = self
            .conn
            .query_row(
                "SELECT fileID FROM Files WHERE domain = 'MediaDomain' AND relativePath = ?1 LIMIT 1",
                [rel],
                |r| r.get(0),
            )
            .ok()?;
        // The id comes from a file we do not trust: it must be a plain hex name.
        if id.len() < 3 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let p = [self.folder.join(&id[..2]).join(&id), self.folder.join(&id)]
            .into_iter()
            .find(|p| p.is_file())?;
        let (sha256, size) = super::sha256_file(&p).ok()?;
        Some(Attachment {
            mime: row
                .mime
                .clone()
                .unwrap_or_else(|| "application/octet-stream".to_string()),
            name: row
                .name
                .clone()
                .or_else(|| filename.rsplit('/').next().map(str::to_string)),
            size,
            sha256,
        })
    }
}

#[cfg(test)]
mod tests;
