//! Read-only access to phone databases, shared by the Android and iPhone readers.
//!
//! Evidence files must not change: every database is opened through a `file:` URI with
//! `mode=ro&immutable=1` and `SQLITE_OPEN_READ_ONLY`, so SQLite neither writes nor creates
//! a `-journal`/`-wal`/`-shm` file next to it (the file's SHA-256 is identical afterwards).
//! Columns are looked up by name, so vendor columns (Samsung, MIUI, LG) are harmless.

use super::{Error, Format};
use rusqlite::{Connection, OpenFlags};
use std::collections::HashSet;
use std::path::Path;

/// The first 16 bytes of every SQLite 3 file.
pub(super) const MAGIC: &[u8] = b"SQLite format 3\0";

/// A `file:` URI for `path` with `%`, `?`, `#` and non-ASCII bytes percent-encoded.
fn uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file:");
    for &b in abs.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str("?mode=ro&immutable=1");
    out
}

/// Opens `path` read-only and immutable, and checks that it really is a database.
pub(super) fn open(path: &Path) -> Result<Connection, Error> {
    let db_err = |e: rusqlite::Error| Error::Database {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    if !path.is_file() {
        return Err(Error::Open {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "not a file"),
        });
    }
    let conn = Connection::open_with_flags(
        uri(path),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db_err)?;
    // No progress handler is needed against hostile files: only plain tables (never views
    // or triggers, see `tables`) are read, with linear scans and indexed-by-rowid lookups.
    // Reading the schema proves the header and first page are sane.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(db_err)?;
    Ok(conn)
}

/// Names of the tables in `conn`.
pub(super) fn tables(conn: &Connection, path: &Path) -> Result<HashSet<String>, Error> {
    let db_err = |e: rusqlite::Error| Error::Database {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .map_err(db_err)?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(db_err)?
        .collect::<Result<HashSet<_>, _>>()
        .map_err(db_err)?;
    Ok(names)
}

/// Names of the columns of `table`, lower-cased.
pub(super) fn columns(
    conn: &Connection,
    table: &str,
    path: &Path,
) -> Result<HashSet<String>, Error> {
    let db_err = |e: rusqlite::Error| Error::Database {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info(?1)")
        .map_err(db_err)?;
    let names = stmt
        .query_map([table], |r| r.get::<_, String>(0))
        .map_err(db_err)?
        .map(|r| r.map(|s| s.to_ascii_lowercase()))
        .collect::<Result<HashSet<_>, _>>()
        .map_err(db_err)?;
    Ok(names)
}

/// Fails with [`Error::MissingColumn`] unless `table` has every column in `needed`.
pub(super) fn require(
    cols: &HashSet<String>,
    table: &str,
    needed: &[&str],
    path: &Path,
) -> Result<(), Error> {
    for c in needed {
        if !cols.contains(*c) {
            return Err(Error::MissingColumn {
                path: path.to_path_buf(),
                table: table.to_string(),
                column: (*c).to_string(),
            });
        }
    }
    Ok(())
}

/// `column` if the table has it, else `fallback` (an SQL literal), for SELECT lists over
/// schemas that vary between vendors and OS versions.
pub(super) fn col_or(cols: &HashSet<String>, column: &str, fallback: &str) -> String {
    if cols.contains(column) {
        format!("\"{column}\"")
    } else {
        fallback.to_string()
    }
}

/// Which phone format a SQLite file holds, from its tables.
pub(super) fn sniff_tables(path: &Path) -> Result<Format, Error> {
    let conn = open(path)?;
    let t = tables(&conn, path)?;
    if t.contains("message") && t.contains("handle") {
        Ok(Format::IosDb)
    } else if t.contains("files") && !t.contains("sms") {
        // A backup's Manifest.db given directly: its folder is the backup.
        Ok(Format::IosDb)
    } else if t.contains("sms") || t.contains("pdu") || t.contains("calls") {
        Ok(Format::AndroidDb)
    } else {
        Err(Error::ForeignSchema {
            path: path.to_path_buf(),
        })
    }
}

/// A rusqlite error as an import error naming the file.
pub(super) fn db_error(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |e| Error::Database {
        path: path.to_path_buf(),
        detail: e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_query_characters() {
        let u = uri(Path::new("/tmp/a b?c#d%e.db"));
        assert_eq!(u, "file:/tmp/a%20b%3Fc%23d%25e.db?mode=ro&immutable=1");
    }
}
