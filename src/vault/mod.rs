//! The evidence vault: one SQLite file in which every piece of evidence is AES-256-GCM
//! ciphertext, chained by SHA-256 so that damage, deletion and reordering are found.
//!
//! * [`Vault::create`] / [`Vault::open`] unlock with a passphrase (Argon2id, see [`crypto`]).
//!   A wrong passphrase is [`Error::WrongPassphrase`]; a damaged header is
//!   [`Error::HeaderDamaged`] — the two are never confused (the header carries a checksum,
//!   and a key-check record is sealed under the data key).
//! * Imports run in one SQLite transaction ([`Vault::begin_import`] → [`ImportTx::add`] →
//!   [`ImportTx::commit`]; dropping the [`ImportTx`] rolls back), so a killed import leaves
//!   the vault as it was.
//! * Verdicts, corrections and events are records of their own: re-classifying never
//!   re-encrypts a message, and corrections sit beside verdicts, never over them.
//! * [`Vault::check`] verifies every tag and every chain link and names what is wrong.
//!
//! Layout and invariants: [`store`]. Times are UTC; ids are per-table row ids (from 1).
//! Nothing decrypted is ever written back to disk: SQLite keeps temporary data in memory and
//! overwrites deleted content (`secure_delete`).

pub mod bench;
mod check;
pub mod crypto;
pub mod store;

pub use check::{CheckReport, Problem};
pub use crypto::KdfParams;

use crate::error::ErrorKind;
use crate::i18n::Lang;
use crate::model::{Label, Message, Verdict};
use chrono::{DateTime, Utc};
use crypto::{Keys, SALT_LEN};
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use store::{ChainState, Extra, Head, Table};

/// Errors of the vault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No vault at this path (run `init`, or `import --create`).
    #[error("no vault at {path}")]
    NotFound {
        /// The path tried.
        path: PathBuf,
    },
    /// `init` on a path that already holds a file.
    #[error("a file already exists at {path}")]
    AlreadyExists {
        /// The path tried.
        path: PathBuf,
    },
    /// The file is not a Quzheng vault (another kind of file).
    #[error("{path} is not a quzheng vault")]
    NotAVault {
        /// The file.
        path: PathBuf,
    },
    /// The vault was written by a newer Quzheng with a schema this build does not know.
    #[error("{path} has schema {found}, this build supports up to {supported}")]
    TooNew {
        /// The file.
        path: PathBuf,
        /// The schema version found.
        found: u32,
        /// The newest schema this build knows.
        supported: u32,
    },
    /// The passphrase does not unlock the vault.
    #[error("wrong passphrase for {path}")]
    WrongPassphrase {
        /// The file.
        path: PathBuf,
    },
    /// An empty passphrase was given where a new one is set.
    #[error("empty passphrase")]
    EmptyPassphrase,
    /// The header (KDF parameters, salt, wrapped key, key check) is damaged.
    #[error("vault header damaged: {what}")]
    HeaderDamaged {
        /// Which header part failed (`checksum`, `key_check`, `head`, `format`).
        what: &'static str,
    },
    /// A record's authentication tag failed or its content cannot be read.
    #[error("record {table} #{id} (seq {seq}) is damaged")]
    RecordDamaged {
        /// The table.
        table: &'static str,
        /// The row id.
        id: i64,
        /// Its chain position.
        seq: i64,
    },
    /// No stored message has this id.
    #[error("no message with id {id}")]
    UnknownMessage {
        /// The id asked for.
        id: i64,
    },
    /// The source file changed while it was being stored (its SHA-256 differs).
    #[error("source {name} changed while being read")]
    SourceChanged {
        /// The file name.
        name: String,
    },
    /// Reading an original source file failed.
    #[error("cannot read source {name}: {source}")]
    SourceRead {
        /// The file name.
        name: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Creating the vault's directory failed.
    #[error("cannot create {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No passphrase: the variable is unset and there is no terminal to ask on.
    #[error("no passphrase (set {var} or run in a terminal)")]
    NoPassphrase {
        /// The environment variable that would supply it.
        var: &'static str,
    },
    /// The new passphrase and its repetition differ.
    #[error("the two new passphrases differ")]
    PassphrasesDiffer,
    /// No vault path given and no home directory to put the default one in.
    #[error("no vault path and no home directory")]
    NoDefaultPath,
    /// A label filter names no contract label.
    #[error("unknown label {label:?}")]
    UnknownLabel {
        /// The value given.
        label: String,
    },
    /// Another program holds the vault locked.
    #[error("vault is busy")]
    Busy,
    /// SQLite reported a failure (disk full, I/O error, corrupt page).
    #[error("storage error: {source}")]
    Sqlite {
        /// The underlying error.
        source: rusqlite::Error,
    },
}

impl Error {
    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        use rusqlite::ErrorCode as C;
        match self {
            Error::NotFound { .. }
            | Error::AlreadyExists { .. }
            | Error::NotAVault { .. }
            | Error::EmptyPassphrase
            | Error::UnknownMessage { .. }
            | Error::NoPassphrase { .. }
            | Error::PassphrasesDiffer
            | Error::NoDefaultPath
            | Error::UnknownLabel { .. }
            | Error::SourceChanged { .. }
            | Error::SourceRead { .. } => ErrorKind::BadInput,
            Error::WrongPassphrase { .. } => ErrorKind::WrongPassphrase,
            Error::HeaderDamaged { .. } | Error::RecordDamaged { .. } => ErrorKind::Damaged,
            Error::Sqlite { source } => match source.sqlite_error_code() {
                Some(C::DatabaseCorrupt) | Some(C::NotADatabase) => ErrorKind::Damaged,
                _ => ErrorKind::Other,
            },
            Error::TooNew { .. } | Error::Io { .. } | Error::Busy => ErrorKind::Other,
        }
    }

    /// Wraps a SQLite error (busy becomes [`Error::Busy`]).
    pub(crate) fn sql(e: rusqlite::Error) -> Error {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Busy
            }
            _ => Error::Sqlite { source: e },
        }
    }
}

type VResult<T> = std::result::Result<T, Error>;

/// Name, size and SHA-256 of an original file being imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// The file name (without directories: they may name the person).
    pub name: String,
    /// Size in bytes as announced by the caller (the stored size is what was read).
    pub size: u64,
    /// Lowercase hex SHA-256, when the caller already knows it: a source with the same hash
    /// is then stored only once, and a file that changes while being read is refused.
    pub sha256: Option<String>,
}

/// A stored original file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Row id in `source`.
    #[serde(default)]
    pub id: i64,
    /// File name.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of the bytes stored.
    pub sha256: String,
    /// When it was first stored (UTC).
    pub imported_at: DateTime<Utc>,
    /// The summary of the latest import of this file (from its import event).
    #[serde(default)]
    pub summary: serde_json::Value,
}

/// The id of an import event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportId(pub i64);

/// A user correction to a message's labels; stored beside the verdict, never over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    /// Labels the user adds.
    #[serde(default)]
    pub add: Vec<Label>,
    /// Labels the user removes.
    #[serde(default)]
    pub remove: Vec<Label>,
    /// Why (shown in the pack).
    #[serde(default)]
    pub note: String,
    /// When (UTC).
    pub at: DateTime<Utc>,
}

impl Correction {
    /// The effective verdict after this correction: removed labels (and their findings)
    /// go, added labels come in; adding any label marks the message as collection.
    pub fn apply(&self, verdict: &Verdict) -> Verdict {
        let mut v = verdict.clone();
        v.labels.retain(|l| !self.remove.contains(l));
        v.findings.retain(|f| !self.remove.contains(&f.label));
        for l in &self.add {
            if !v.labels.contains(l) {
                v.labels.push(*l);
            }
        }
        // Contract order: sorted by id, as the classifier writes them.
        v.labels.sort_by_key(|l| l.id());
        v.labels.dedup();
        if !self.add.is_empty() {
            v.collection = true;
        }
        v
    }

    /// Applies corrections in order.
    pub fn apply_all(verdict: &Verdict, corrections: &[Correction]) -> Verdict {
        corrections.iter().fold(verdict.clone(), |v, c| c.apply(&v))
    }
}

/// A message with everything the vault knows about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    /// Row id in `message` (what `messages` prints and `correct` takes).
    pub id: i64,
    /// The message as imported.
    pub message: Message,
    /// The latest classifier verdict (default = not classified / not collection).
    pub verdict: Verdict,
    /// The `source` it came from.
    pub source_id: i64,
    /// User corrections in order.
    pub corrections: Vec<Correction>,
}

impl StoredMessage {
    /// The verdict with the corrections applied.
    pub fn effective(&self) -> Verdict {
        Correction::apply_all(&self.verdict, &self.corrections)
    }
}

/// Per-vault settings (stored as settings events; the latest wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultSettings {
    /// IANA zone for display and time labels.
    pub zone: String,
    /// Night window, local time, `HH:MM-HH:MM`.
    pub night: String,
    /// More than this many collection messages per creditor per local day is excessive.
    pub max_per_day: u32,
    /// Language of the interface and pack.
    pub lang: Lang,
    /// Minutes of inactivity before the app locks (0 = never).
    pub auto_lock_min: u32,
}

impl Default for VaultSettings {
    fn default() -> Self {
        VaultSettings {
            zone: "Asia/Shanghai".into(),
            night: "22:00-08:00".into(),
            max_per_day: 3,
            lang: Lang::Zh,
            auto_lock_min: 10,
        }
    }
}

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// The vault was created.
    Created,
    /// A source file was imported.
    Import,
    /// Verdicts were recomputed.
    ClassificationRun,
    /// An evidence pack or export was written.
    Export,
    /// A creditor was renamed.
    CreditorRename,
    /// A creditor was merged into another.
    CreditorMerge,
    /// Settings changed.
    Settings,
    /// The passphrase changed.
    Passwd,
    /// The schema was migrated.
    Migration,
}

/// One event of the vault's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Row id in `event`.
    #[serde(default)]
    pub id: i64,
    /// What happened.
    pub kind: EventKind,
    /// When (UTC).
    pub at: DateTime<Utc>,
    /// Details (free JSON; never message bodies or passphrases).
    #[serde(default)]
    pub detail: serde_json::Value,
}

#[derive(Deserialize)]
struct MessageRecord {
    source_id: i64,
    message: Message,
}

/// [`MessageRecord`] with its optional annex: derived data the caller stores sealed
/// inside the message's record (the import keeps the classifier's text facts there).
#[derive(Deserialize)]
struct MessageRecordAnnex {
    message: Message,
    // Kept raw (one copy of its bytes) and parsed as the caller's type afterwards, so an
    // annex that does not parse is just absent rather than a damaged record.
    #[serde(default)]
    annex: Option<Box<serde_json::value::RawValue>>,
}

/// The serialising twin of [`MessageRecord`]: borrows, so storing never clones a message.
#[derive(Serialize)]
struct MessageRecordRef<'a, A: Serialize = ()> {
    source_id: i64,
    message: &'a Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    annex: Option<&'a A>,
}

/// The serialising twin of [`VerdictRecord`].
#[derive(Serialize)]
struct VerdictRecordRef<'a> {
    run: i64,
    verdict: &'a Verdict,
}

#[derive(Serialize, Deserialize)]
struct VerdictRecord {
    /// The classification-run event id (0 = given at import).
    run: i64,
    verdict: Verdict,
}

#[derive(Serialize, Deserialize)]
struct AliasDetail {
    from: String,
    to: String,
}

const KEY_CHECK_PLAINTEXT: &[u8] = b"quzheng key check v1";

/// An unlocked vault.
pub struct Vault {
    conn: Connection,
    keys: Keys,
    path: PathBuf,
    vault_id: Vec<u8>,
    kdf: KdfParams,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print keys.
        f.debug_struct("Vault").field("path", &self.path).finish()
    }
}

/// The bytes every SQLite file starts with.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

fn connect(path: &Path, create: bool) -> VResult<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(Error::sql)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(Error::sql)?;
    // Nothing readable may reach disk: temporary tables and sorts stay in memory, deleted
    // content is overwritten (an old wrapped key after `passwd`), and a rollback journal
    // (deleted after each commit) rather than a WAL keeps the vault a single file at rest.
    // FULL sync so a power cut never loses a committed import.
    conn.execute_batch(
        "PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;
         PRAGMA synchronous = FULL;
         PRAGMA cache_size = -8000;",
    )
    .map_err(Error::sql)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(Error::sql)?;
    debug_assert_eq!(mode.to_ascii_lowercase(), "delete");
    Ok(conn)
}

fn header_sum(vault_id: &[u8], kdf: &[u8], salt: &[u8], wn: &[u8], wc: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    for part in [vault_id, kdf, salt, wn, wc] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().to_vec()
}

fn wrap_aad(vault_id: &[u8], kdf: &[u8], salt: &[u8]) -> Vec<u8> {
    let mut a = b"quzheng/wrap/v1\0".to_vec();
    for part in [vault_id, kdf, salt] {
        a.extend_from_slice(&(part.len() as u64).to_be_bytes());
        a.extend_from_slice(part);
    }
    a
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

impl Vault {
    /// Creates a new vault with the product's default KDF parameters.
    ///
    /// # Errors
    /// [`Error::AlreadyExists`] when the path exists, [`Error::EmptyPassphrase`],
    /// or a storage error.
    pub fn create(path: &Path, passphrase: &str) -> VResult<Vault> {
        Self::create_with(path, passphrase, KdfParams::DEFAULT)
    }

    /// Creates a new vault with the given KDF parameters (recorded in the header).
    ///
    /// # Errors
    /// As [`Vault::create`].
    pub fn create_with(path: &Path, passphrase: &str, kdf: KdfParams) -> VResult<Vault> {
        if passphrase.is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        if path.exists() {
            return Err(Error::AlreadyExists { path: path.into() });
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            // A directory made for the vault is private to its owner.
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
            b.create(dir).map_err(|source| Error::Io {
                path: dir.into(),
                source,
            })?;
        }
        // Build the vault under a temporary name and rename it into place, so a crash
        // during creation never leaves a half-made vault at the real path.
        let tmp = path.with_extension("qz-creating");
        let _ = std::fs::remove_file(&tmp);
        let made = (|| -> VResult<Vault> {
            let mut conn = connect(&tmp, true)?;
            let keys = Keys::from_data_key(crypto::new_data_key());
            let vault_id: [u8; 16] = crypto::random();
            // 16 KiB pages (SQLite's default is 4 KiB): message rows are ~450 bytes and an
            // import appends 100,000s of them; measured on the build machine, inserting
            // 100,000 such rows with commit took 1.54 µs per row instead of 1.95 µs.
            // Only a new, still empty file can take a page size.
            conn.pragma_update(None, "page_size", 16384)
                .map_err(Error::sql)?;
            let tx = conn.transaction().map_err(Error::sql)?;
            tx.execute_batch(store::SCHEMA_V1).map_err(Error::sql)?;
            tx.pragma_update(None, "user_version", store::SCHEMA_VERSION)
                .map_err(Error::sql)?;
            store::meta_set(&tx, "format", store::FORMAT_TAG.as_bytes()).map_err(Error::sql)?;
            store::meta_set(&tx, "schema", store::SCHEMA_VERSION.to_string().as_bytes())
                .map_err(Error::sql)?;
            store::meta_set(&tx, "vault_id", &vault_id).map_err(Error::sql)?;
            let (kn, kc) = keys.seal(b"quzheng/key-check/v1", KEY_CHECK_PLAINTEXT);
            store::meta_set(&tx, "check_nonce", &kn).map_err(Error::sql)?;
            store::meta_set(&tx, "check_ct", &kc).map_err(Error::sql)?;
            write_wrapped_key(&tx, &keys, &vault_id, passphrase, kdf)?;
            let mut st = ChainState::from_head(&Head::empty(&vault_id))
                .expect("an empty head is well-formed");
            append_event(
                &tx,
                &keys,
                &mut st,
                EventKind::Created,
                serde_json::json!({ "schema": store::SCHEMA_VERSION, "kdf": kdf }),
            )?;
            write_head(&tx, &keys, &st)?;
            tx.commit().map_err(Error::sql)?;
            Ok(Vault {
                conn,
                keys,
                path: path.into(),
                vault_id: vault_id.to_vec(),
                kdf,
            })
        })();
        let v = match made {
            Ok(v) => v,
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e);
            }
        };
        // Close the temporary connection before renaming, then reopen at the real path.
        let Vault {
            conn,
            keys,
            vault_id,
            ..
        } = v;
        drop(conn);
        if path.exists() {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::AlreadyExists { path: path.into() });
        }
        // Only the owner may read the vault file (its content is ciphertext, but its size
        // and existence are nobody else's business either).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600));
        }
        std::fs::rename(&tmp, path).map_err(|source| Error::Io {
            path: path.into(),
            source,
        })?;
        let conn = connect(path, false)?;
        Ok(Vault {
            conn,
            keys,
            path: path.into(),
            vault_id,
            kdf,
        })
    }

    /// Opens and unlocks an existing vault. Changes nothing on disk unless the schema is
    /// older than this build's (then it is migrated, in one transaction, with an event).
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::NotAVault`], [`Error::TooNew`],
    /// [`Error::WrongPassphrase`], [`Error::HeaderDamaged`].
    pub fn open(path: &Path, passphrase: &str) -> VResult<Vault> {
        if !path.is_file() {
            return Err(Error::NotFound { path: path.into() });
        }
        let mut magic = [0u8; 16];
        let is_sqlite = std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut magic))
            .map(|_| magic == SQLITE_MAGIC)
            .unwrap_or(false);
        if !is_sqlite {
            return Err(Error::NotAVault { path: path.into() });
        }
        let conn = connect(path, false)?;
        let has_meta: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map_err(Error::sql)?
            > 0;
        let format = if has_meta {
            store::meta_get(&conn, "format").map_err(Error::sql)?
        } else {
            None
        };
        if format.as_deref() != Some(store::FORMAT_TAG.as_bytes()) {
            return Err(Error::NotAVault { path: path.into() });
        }
        let schema: u32 = store::meta_get(&conn, "schema")
            .map_err(Error::sql)?
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|s| s.trim().parse().ok())
            .ok_or(Error::HeaderDamaged { what: "schema" })?;
        if schema > store::SCHEMA_VERSION {
            return Err(Error::TooNew {
                path: path.into(),
                found: schema,
                supported: store::SCHEMA_VERSION,
            });
        }
        let get = |k: &str| -> VResult<Vec<u8>> {
            store::meta_get(&conn, k)
                .map_err(Error::sql)?
                .ok_or(Error::HeaderDamaged { what: "checksum" })
        };
        let vault_id = get("vault_id")?;
        let kdf_raw = get("kdf")?;
        let salt = get("salt")?;
        let wn = get("wrap_nonce")?;
        let wc = get("wrap_ct")?;
        let sum = get("header_sum")?;
        if header_sum(&vault_id, &kdf_raw, &salt, &wn, &wc) != sum {
            return Err(Error::HeaderDamaged { what: "checksum" });
        }
        let kdf: KdfParams = serde_json::from_slice(&kdf_raw)
            .map_err(|_| Error::HeaderDamaged { what: "checksum" })?;
        let kek = crypto::derive_kek(passphrase, &salt, kdf)
            .ok_or(Error::HeaderDamaged { what: "checksum" })?;
        let data_key = crypto::unwrap_key(&kek, &wrap_aad(&vault_id, &kdf_raw, &salt), &wn, &wc)
            .ok_or_else(|| Error::WrongPassphrase { path: path.into() })?;
        drop(kek);
        let keys = Keys::from_data_key(data_key);
        let kn = get("check_nonce")?;
        let kc = get("check_ct")?;
        match keys.open(b"quzheng/key-check/v1", &kn, &kc) {
            Some(pt) if &pt[..] == KEY_CHECK_PLAINTEXT => {}
            _ => return Err(Error::HeaderDamaged { what: "key_check" }),
        }
        let mut v = Vault {
            conn,
            keys,
            path: path.into(),
            vault_id,
            kdf,
        };
        if schema < store::SCHEMA_VERSION {
            v.migrate(schema)?;
        }
        Ok(v)
    }

    /// Brings an older schema up to [`store::SCHEMA_VERSION`], one step at a time, in one
    /// transaction with a migration event. (Version 1 is the first; the steps go here.)
    fn migrate(&mut self, from: u32) -> VResult<()> {
        let steps: &[(u32, &str)] = &[];
        self.write(|tx, keys, st| {
            for (to, sql) in steps.iter().filter(|(to, _)| *to > from) {
                tx.execute_batch(sql).map_err(Error::sql)?;
                store::meta_set(tx, "schema", to.to_string().as_bytes()).map_err(Error::sql)?;
            }
            store::meta_set(tx, "schema", store::SCHEMA_VERSION.to_string().as_bytes())
                .map_err(Error::sql)?;
            tx.pragma_update(None, "user_version", store::SCHEMA_VERSION)
                .map_err(Error::sql)?;
            append_event(
                tx,
                keys,
                st,
                EventKind::Migration,
                serde_json::json!({ "from": from, "to": store::SCHEMA_VERSION }),
            )?;
            Ok(())
        })
    }

    /// The vault file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The KDF parameters the passphrase is currently wrapped with.
    pub fn kdf_params(&self) -> KdfParams {
        self.kdf
    }

    /// Runs `f` in one immediate write transaction with the chain state; commits the head.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&rusqlite::Transaction<'_>, &Keys, &mut ChainState) -> VResult<T>,
    ) -> VResult<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::sql)?;
        let mut st = read_head(&tx, &self.keys)?;
        let out = f(&tx, &self.keys, &mut st)?;
        write_head(&tx, &self.keys, &st)?;
        tx.commit().map_err(Error::sql)?;
        Ok(out)
    }

    /// Re-wraps the data key under a new passphrase, keeping the KDF parameters (and raising
    /// them to the product default when they are weaker). No record is re-encrypted.
    ///
    /// # Errors
    /// [`Error::EmptyPassphrase`] or a storage error.
    pub fn change_passphrase(&mut self, new: &str) -> VResult<()> {
        let kdf = if self.kdf.is_strong() {
            self.kdf
        } else {
            KdfParams::DEFAULT
        };
        self.change_passphrase_with(new, kdf)
    }

    /// Re-wraps the data key under a new passphrase with the given KDF parameters.
    ///
    /// # Errors
    /// As [`Vault::change_passphrase`].
    pub fn change_passphrase_with(&mut self, new: &str, kdf: KdfParams) -> VResult<()> {
        if new.is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        let vault_id = self.vault_id.clone();
        self.write(|tx, keys, st| {
            write_wrapped_key(tx, keys, &vault_id, new, kdf)?;
            append_event(
                tx,
                keys,
                st,
                EventKind::Passwd,
                serde_json::json!({ "kdf": kdf }),
            )?;
            Ok(())
        })?;
        self.kdf = kdf;
        Ok(())
    }

    /// Starts an import of one source file: stores its original bytes (encrypted, in 1 MiB
    /// chunks, streamed) unless a source with the same SHA-256 is already stored. Everything
    /// happens in one transaction that [`ImportTx::commit`] ends; dropping the [`ImportTx`]
    /// rolls it all back.
    ///
    /// # Errors
    /// [`Error::SourceRead`], [`Error::SourceChanged`], or a storage error.
    pub fn begin_import(
        &mut self,
        meta: SourceMeta,
        original: &mut dyn Read,
    ) -> VResult<ImportTx<'_>> {
        self.begin_import_inner(meta, original, None)
    }

    /// [`Vault::begin_import`] for a caller that decides duplicates itself against a
    /// [`DedupSnapshot`] (and against the messages it already passed in this import). When
    /// no message was stored since the snapshot was taken — checked under the write lock
    /// against the MAC-protected head — the transaction does not load or keep a dedup set
    /// of its own and [`ImportTx::admit_index`] accepts every index: that saves ~65 bytes
    /// per message (≈ 175 MB for a 1 GB backup). Otherwise it decides exactly as
    /// `begin_import` does, and [`ImportTx::trusts_caller`] is false.
    ///
    /// # Errors
    /// As [`Vault::begin_import`].
    pub fn begin_import_after(
        &mut self,
        meta: SourceMeta,
        original: &mut dyn Read,
        snapshot: &DedupSnapshot,
    ) -> VResult<ImportTx<'_>> {
        self.begin_import_inner(meta, original, Some(snapshot.last_message_id))
    }

    fn begin_import_inner(
        &mut self,
        meta: SourceMeta,
        original: &mut dyn Read,
        snapshot_last_id: Option<i64>,
    ) -> VResult<ImportTx<'_>> {
        let existing = match &meta.sha256 {
            Some(sha) => self
                .sources()?
                .into_iter()
                .find(|s| &s.sha256 == sha)
                .map(|s| s.id),
            None => None,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::sql)?;
        let keys = &self.keys;
        let mut st = read_head(&tx, keys)?;
        let source_id = match existing {
            Some(id) => id,
            None => {
                let id = st.next_id(Table::Source);
                let mut hasher = Sha256::new();
                let mut size = 0u64;
                let mut buf = vec![0u8; store::CHUNK_LEN];
                let mut idx = 0i64;
                loop {
                    let n = read_full(original, &mut buf).map_err(|source| Error::SourceRead {
                        name: meta.name.clone(),
                        source,
                    })?;
                    if n == 0 {
                        break;
                    }
                    hasher.update(&buf[..n]);
                    size += n as u64;
                    st.append(&tx, keys, Table::Chunk, Extra::Chunk(id, idx), &buf[..n])
                        .map_err(Error::sql)?;
                    idx += 1;
                    if n < buf.len() {
                        break;
                    }
                }
                // The buffer held evidence bytes; wipe it.
                zeroize::Zeroize::zeroize(&mut buf);
                let sha = hex::encode(hasher.finalize());
                if meta.sha256.as_ref().is_some_and(|s| s != &sha) {
                    return Err(Error::SourceChanged { name: meta.name });
                }
                let info = SourceInfo {
                    id: 0,
                    name: meta.name.clone(),
                    size,
                    sha256: sha,
                    imported_at: now(),
                    summary: serde_json::Value::Null,
                };
                let got = st
                    .append(&tx, keys, Table::Source, Extra::None, &to_json(&info))
                    .map_err(Error::sql)?;
                debug_assert_eq!(got, Some(id));
                id
            }
        };
        // Dedup is decided in memory against every stored index (32 bytes per message,
        // about 5 MB per 100,000), read under this write lock so it is exact. That lets
        // records be sealed in batches on several threads, and spares SQLite a UNIQUE index
        // on random keys, which cost a third of the insert time (`quzheng bench vault`:
        // 0.77 s → 0.53 s CPU per 100,000). Loading the set for 100,000 stored messages
        // takes well under 0.2 s.
        let seen = match snapshot_last_id {
            Some(last) if last == st.last_id_of(Table::Message) => None,
            _ => Some(stored_dedup_indexes(&tx)?),
        };
        Ok(ImportTx {
            tx,
            keys,
            st,
            source_id,
            added: 0,
            duplicates: 0,
            seen,
            pending: Vec::new(),
            pending_hash: None,
            sealers: 0,
        })
    }

    /// The dedup index of every stored message, read outside any write lock: a snapshot
    /// that lets a caller decide duplicates before [`Vault::begin_import`] (which decides
    /// them again, exactly, under its lock: see [`ImportTx::admit`]).
    ///
    /// # Errors
    /// A storage error.
    pub fn dedup_indexes(&self) -> VResult<std::collections::HashSet<[u8; 32]>> {
        stored_dedup_indexes(&self.conn)
    }

    /// The first 16 bytes of every stored message's dedup index, and the last message id
    /// they cover, read outside any write lock, for [`Vault::begin_import_after`].
    ///
    /// # Errors
    /// A storage error.
    pub fn dedup_snapshot(&self) -> VResult<DedupSnapshot> {
        let mut indexes = std::collections::HashSet::new();
        let mut stmt = self
            .conn
            .prepare("SELECT fp FROM message")
            .map_err(Error::sql)?;
        let mut rows = stmt.query([]).map_err(Error::sql)?;
        while let Some(r) = rows.next().map_err(Error::sql)? {
            let v: Vec<u8> = r.get(0).map_err(Error::sql)?;
            if let Ok(fp) = <[u8; 32]>::try_from(v.as_slice()) {
                indexes.insert(DedupSnapshot::short(&fp));
            }
        }
        let last_message_id = self
            .conn
            .query_row("SELECT coalesce(max(id), 0) FROM message", [], |r| r.get(0))
            .map_err(Error::sql)?;
        Ok(DedupSnapshot {
            indexes,
            last_message_id,
        })
    }

    /// Decrypts every stored message in id order and hands each to `f` with its id,
    /// without keeping them (several threads decrypt; `f` runs on this one).
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] naming the first record that fails, or a storage error.
    pub fn for_each_message(&self, mut f: impl FnMut(i64, Message)) -> VResult<()> {
        store::for_each(
            &self.conn,
            &self.keys,
            Table::Message,
            |m, r: MessageRecord| f(m.id, r.message),
        )
    }

    /// [`Vault::for_each_message`] with each message's annex
    /// ([`ImportTx::store_admitted_with`]) as `A`; `None` when it has none or it does not
    /// read as `A` (an annex is derived data: never a reason to call a record damaged).
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] naming the first record that fails, or a storage error.
    pub fn for_each_message_with<A: serde::de::DeserializeOwned>(
        &self,
        mut f: impl FnMut(i64, Message, Option<A>),
    ) -> VResult<()> {
        store::for_each(
            &self.conn,
            &self.keys,
            Table::Message,
            |m, r: MessageRecordAnnex| {
                let annex = r.annex.and_then(|v| serde_json::from_str(v.get()).ok());
                f(m.id, r.message, annex)
            },
        )
    }

    /// The dedup index of `message` in this vault (a keyed HMAC of its fingerprint), as
    /// [`ImportTx::admit`] computes it.
    pub fn dedup_index(&self, message: &Message) -> [u8; 32] {
        self.keys.dedup_index(&message.fingerprint())
    }

    /// A copy of the dedup-index key alone (wiped when dropped), to compute
    /// [`Vault::dedup_index`] on one thread while another writes to the vault.
    pub fn dedup_key(&self) -> DedupKey {
        DedupKey(self.keys.dedup_key())
    }

    /// Every stored message with its latest verdict and its corrections, in id order.
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] naming the first record that fails, or a storage error.
    pub fn messages(&self) -> VResult<Vec<StoredMessage>> {
        // Built in place (ids count from 1 without gaps, so a message's index is id − 1
        // unless rows were deleted; the map covers that case) to keep one copy in memory.
        let mut out: Vec<StoredMessage> = Vec::new();
        let mut index: HashMap<i64, usize> = HashMap::new();
        store::for_each(
            &self.conn,
            &self.keys,
            Table::Message,
            |m, r: MessageRecord| {
                if m.id != out.len() as i64 + 1 {
                    index.insert(m.id, out.len());
                }
                out.push(StoredMessage {
                    id: m.id,
                    message: r.message,
                    verdict: Verdict::default(),
                    source_id: r.source_id,
                    corrections: Vec::new(),
                });
            },
        )?;
        let find = |id: i64| -> Option<usize> {
            match index.get(&id) {
                Some(i) => Some(*i),
                None => usize::try_from(id - 1).ok(),
            }
        };
        let mut fill = |id: i64, f: &mut dyn FnMut(&mut StoredMessage)| {
            if let Some(m) = find(id).and_then(|i| out.get_mut(i)).filter(|m| m.id == id) {
                f(m);
            }
        };
        store::for_each(
            &self.conn,
            &self.keys,
            Table::Verdict,
            |m, v: VerdictRecord| {
                if let Extra::Msg(id) = m.extra {
                    let mut v = Some(v.verdict);
                    fill(id, &mut |s| s.verdict = v.take().unwrap_or_default());
                }
            },
        )?;
        store::for_each(
            &self.conn,
            &self.keys,
            Table::Correction,
            |m, c: Correction| {
                if let Extra::Msg(id) = m.extra {
                    let mut c = Some(c);
                    fill(id, &mut |s| s.corrections.extend(c.take()));
                }
            },
        )?;
        Ok(out)
    }

    /// SHA-256 of the latest verdict of each message (of its JSON form), without keeping the
    /// verdicts: enough to tell which verdicts a re-classification changes.
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] or a storage error.
    pub fn verdict_digests(&self) -> VResult<HashMap<i64, [u8; 32]>> {
        let mut out = HashMap::new();
        store::for_each(
            &self.conn,
            &self.keys,
            Table::Verdict,
            |m, v: VerdictRecord| {
                if let Extra::Msg(id) = m.extra {
                    out.insert(id, verdict_digest(&v.verdict));
                }
            },
        )?;
        Ok(out)
    }

    /// Every stored message with its id, without verdicts or corrections, in id order.
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] or a storage error.
    pub fn messages_only(&self) -> VResult<Vec<(i64, Message)>> {
        let mut out = Vec::new();
        store::for_each(
            &self.conn,
            &self.keys,
            Table::Message,
            |m, r: MessageRecord| out.push((m.id, r.message)),
        )?;
        Ok(out)
    }

    /// Number of stored messages (no decryption).
    ///
    /// # Errors
    /// A storage error.
    pub fn message_count(&self) -> VResult<u64> {
        self.conn
            .query_row("SELECT count(*) FROM message", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(Error::sql)
    }

    /// Every stored source file, with the summary of its latest import.
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] or a storage error.
    pub fn sources(&self) -> VResult<Vec<SourceInfo>> {
        let mut out: Vec<SourceInfo> = store::read_all(&self.conn, &self.keys, Table::Source)?
            .into_iter()
            .map(|(m, mut s): (store::RawMeta, SourceInfo)| {
                s.id = m.id;
                s
            })
            .collect();
        for e in self.events()? {
            if e.kind == EventKind::Import {
                let sid = e.detail.get("source_id").and_then(|v| v.as_i64());
                if let Some(s) = out.iter_mut().find(|s| Some(s.id) == sid) {
                    s.summary = e.detail.get("summary").cloned().unwrap_or_default();
                }
            }
        }
        Ok(out)
    }

    /// The original bytes of a stored source, decrypted, written to `out`.
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] for a damaged chunk, or a storage error.
    pub fn source_bytes(&self, source_id: i64, out: &mut dyn std::io::Write) -> VResult<u64> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, seq, NULL, source_id, idx, nonce, ct, hash FROM chunk WHERE source_id = ?1 ORDER BY idx")
            .map_err(Error::sql)?;
        let mut rows = stmt.query([source_id]).map_err(Error::sql)?;
        let mut n = 0u64;
        while let Some(r) = rows.next().map_err(Error::sql)? {
            let row = store::raw_row(Table::Chunk, r).map_err(Error::sql)?;
            let a = store::aad(Table::Chunk, row.id, row.seq, &row.extra);
            let pt = self
                .keys
                .open(&a, &row.nonce, &row.ct)
                .ok_or(Error::RecordDamaged {
                    table: "chunk",
                    id: row.id,
                    seq: row.seq,
                })?;
            out.write_all(&pt).map_err(|source| Error::Io {
                path: self.path.clone(),
                source,
            })?;
            n += pt.len() as u64;
        }
        Ok(n)
    }

    /// Records new verdicts from one classification run (with the rule-pack version).
    /// Only changed verdicts need to be passed; messages are not touched.
    ///
    /// # Errors
    /// [`Error::UnknownMessage`] or a storage error.
    pub fn store_verdicts(
        &mut self,
        rule_version: &str,
        changed: &[(i64, Verdict)],
    ) -> VResult<()> {
        let mut it = changed
            .iter()
            .map(|(id, v)| (*id, std::borrow::Cow::Borrowed(v)));
        self.store_verdicts_from(rule_version, changed.len(), &mut it)
    }

    /// [`Vault::store_verdicts`] from an iterator that yields exactly `count` verdicts, so a
    /// caller can build them one at a time instead of holding them all (a first
    /// classification of a 1 GB backup stores millions).
    ///
    /// # Errors
    /// [`Error::UnknownMessage`] (nothing is stored then), a count that does not match
    /// (reported as a storage error; nothing is stored), or a storage error.
    pub fn store_verdicts_from<'v>(
        &mut self,
        rule_version: &str,
        count: usize,
        verdicts: &mut dyn Iterator<Item = (i64, std::borrow::Cow<'v, Verdict>)>,
    ) -> VResult<()> {
        self.write(|tx, keys, st| {
            let last_msg = st.next_id(Table::Message) - 1;
            let run = append_event(
                tx,
                keys,
                st,
                EventKind::ClassificationRun,
                serde_json::json!({ "rule_version": rule_version, "changed": count }),
            )?;
            // Sealed in batches on several threads, like an import: a first classification
            // of 100,000 messages writes 100,000 verdicts.
            let mut written = 0usize;
            let mut batch: Vec<store::Reserved> = Vec::with_capacity(IMPORT_BATCH);
            loop {
                batch.clear();
                let before = st.hash;
                for (id, verdict) in &mut *verdicts {
                    if id < 1 || id > last_msg {
                        return Err(Error::UnknownMessage { id });
                    }
                    let rec = VerdictRecordRef {
                        run,
                        verdict: &verdict,
                    };
                    let (rid, seq) = st.reserve(Table::Verdict);
                    batch.push(store::Reserved {
                        table: Table::Verdict,
                        id: rid,
                        seq,
                        extra: Extra::Msg(id),
                        plaintext: zeroize::Zeroizing::new(to_json(&rec)),
                    });
                    if batch.len() == IMPORT_BATCH {
                        break;
                    }
                }
                if batch.is_empty() {
                    break;
                }
                written += batch.len();
                let mut hash = before;
                ChainState::write_reserved(&mut hash, tx, keys, &batch, 0).map_err(Error::sql)?;
                st.hash = hash;
            }
            if written != count {
                // The event already says `count`: refuse rather than record a wrong number.
                return Err(Error::sql(rusqlite::Error::StatementChangedRows(written)));
            }
            Ok(())
        })
    }

    /// Adds a user correction beside the message's verdict.
    ///
    /// # Errors
    /// [`Error::UnknownMessage`] or a storage error.
    pub fn add_correction(&mut self, msg_id: i64, correction: Correction) -> VResult<()> {
        self.write(|tx, keys, st| {
            if msg_id < 1 || msg_id >= st.next_id(Table::Message) {
                return Err(Error::UnknownMessage { id: msg_id });
            }
            st.append(
                tx,
                keys,
                Table::Correction,
                Extra::Msg(msg_id),
                &to_json(&correction),
            )
            .map_err(Error::sql)?;
            Ok(())
        })
    }

    /// Every event, oldest first.
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] or a storage error.
    pub fn events(&self) -> VResult<Vec<Event>> {
        Ok(store::read_all(&self.conn, &self.keys, Table::Event)?
            .into_iter()
            .map(|(m, mut e): (store::RawMeta, Event)| {
                e.id = m.id;
                e
            })
            .collect())
    }

    /// Records an event (an export, for instance) in the chain. Returns its id.
    ///
    /// # Errors
    /// A storage error.
    pub fn log_event(&mut self, kind: EventKind, detail: serde_json::Value) -> VResult<i64> {
        self.write(|tx, keys, st| append_event(tx, keys, st, kind, detail))
    }

    /// Creditor aliases, resolved: each name maps to the name it finally shows as
    /// (renames and merges followed in order; cycles stop where they would repeat).
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] or a storage error.
    pub fn creditor_aliases(&self) -> VResult<BTreeMap<String, String>> {
        let mut direct: BTreeMap<String, String> = BTreeMap::new();
        for e in self.events()? {
            if matches!(e.kind, EventKind::CreditorRename | EventKind::CreditorMerge) {
                if let Ok(a) = serde_json::from_value::<AliasDetail>(e.detail) {
                    // Renaming back undoes an alias instead of making a cycle.
                    if a.from == a.to {
                        direct.remove(&a.from);
                    } else {
                        direct.remove(&a.to);
                        direct.insert(a.from, a.to);
                    }
                }
            }
        }
        let mut resolved = BTreeMap::new();
        for from in direct.keys() {
            let mut to = from.clone();
            let mut seen = vec![from.clone()];
            while let Some(next) = direct.get(&to) {
                if seen.contains(next) {
                    break;
                }
                seen.push(next.clone());
                to = next.clone();
            }
            resolved.insert(from.clone(), to);
        }
        Ok(resolved)
    }

    /// Renames creditor `from` to `to` (shown as `to` from now on).
    ///
    /// # Errors
    /// A storage error.
    pub fn set_creditor_alias(&mut self, from: &str, to: &str) -> VResult<()> {
        self.alias(EventKind::CreditorRename, from, to)
    }

    /// Merges creditor `from` into `into` (its messages count as `into`'s).
    ///
    /// # Errors
    /// A storage error.
    pub fn merge_creditor(&mut self, from: &str, into: &str) -> VResult<()> {
        self.alias(EventKind::CreditorMerge, from, into)
    }

    fn alias(&mut self, kind: EventKind, from: &str, to: &str) -> VResult<()> {
        let d = serde_json::json!({ "from": from, "to": to });
        self.log_event(kind, d).map(|_| ())
    }

    /// The vault's settings (defaults until changed).
    ///
    /// # Errors
    /// [`Error::RecordDamaged`] or a storage error.
    pub fn settings(&self) -> VResult<VaultSettings> {
        Ok(self
            .events()?
            .into_iter()
            .rev()
            .find(|e| e.kind == EventKind::Settings)
            .and_then(|e| serde_json::from_value(e.detail).ok())
            .unwrap_or_default())
    }

    /// Changes the settings (a settings event in the chain).
    ///
    /// # Errors
    /// A storage error.
    pub fn set_settings(&mut self, settings: &VaultSettings) -> VResult<()> {
        let d = serde_json::to_value(settings).expect("settings serialise to JSON");
        self.log_event(EventKind::Settings, d).map(|_| ())
    }

    /// Hex of the last chain hash: a commitment to everything in the vault.
    ///
    /// # Errors
    /// [`Error::HeaderDamaged`] when the head's MAC fails, or a storage error.
    pub fn chain_head(&self) -> VResult<String> {
        Ok(hex::encode(read_head(&self.conn, &self.keys)?.hash))
    }

    /// Verifies every record's tag and every chain link; names what is wrong.
    ///
    /// # Errors
    /// A storage error (damage itself is reported in the [`CheckReport`]).
    pub fn check(&self) -> VResult<CheckReport> {
        check::run(&self.conn, &self.keys, &self.vault_id)
    }
}

/// The digest [`Vault::verdict_digests`] uses: SHA-256 of the verdict's JSON.
pub fn verdict_digest(v: &Verdict) -> [u8; 32] {
    Sha256::digest(to_json(v)).into()
}

/// The stored dedup indexes (`message.fp`).
fn stored_dedup_indexes(conn: &Connection) -> VResult<std::collections::HashSet<[u8; 32]>> {
    let mut seen = std::collections::HashSet::new();
    let mut stmt = conn.prepare("SELECT fp FROM message").map_err(Error::sql)?;
    let mut rows = stmt.query([]).map_err(Error::sql)?;
    while let Some(r) = rows.next().map_err(Error::sql)? {
        let v: Vec<u8> = r.get(0).map_err(Error::sql)?;
        if let Ok(fp) = <[u8; 32]>::try_from(v.as_slice()) {
            seen.insert(fp);
        }
    }
    Ok(seen)
}

/// Reads as many bytes as fit in `buf` (fewer only at end of input).
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn to_json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).expect("vault records are plain data and always serialise")
}

fn write_wrapped_key(
    tx: &Connection,
    keys: &Keys,
    vault_id: &[u8],
    passphrase: &str,
    kdf: KdfParams,
) -> VResult<()> {
    let salt: [u8; SALT_LEN] = crypto::random();
    let kdf_raw = to_json(&kdf);
    let kek =
        crypto::derive_kek(passphrase, &salt, kdf).ok_or(Error::HeaderDamaged { what: "kdf" })?;
    let (wn, wc) = keys.wrap(&kek, &wrap_aad(vault_id, &kdf_raw, &salt));
    let sum = header_sum(vault_id, &kdf_raw, &salt, &wn, &wc);
    for (k, v) in [
        ("kdf", &kdf_raw[..]),
        ("salt", &salt[..]),
        ("wrap_nonce", &wn[..]),
        ("wrap_ct", &wc[..]),
        ("header_sum", &sum[..]),
    ] {
        store::meta_set(tx, k, v).map_err(Error::sql)?;
    }
    Ok(())
}

fn append_event(
    tx: &Connection,
    keys: &Keys,
    st: &mut ChainState,
    kind: EventKind,
    detail: serde_json::Value,
) -> VResult<i64> {
    let e = Event {
        id: 0,
        kind,
        at: now(),
        detail,
    };
    st.append(tx, keys, Table::Event, Extra::None, &to_json(&e))
        .map_err(Error::sql)?
        .ok_or(Error::HeaderDamaged { what: "head" })
}

/// Reads and verifies `meta.head`.
fn read_head(conn: &Connection, keys: &Keys) -> VResult<ChainState> {
    let raw = store::meta_get(conn, "head")
        .map_err(Error::sql)?
        .ok_or(Error::HeaderDamaged { what: "head" })?;
    parse_head(keys, &raw)
        .and_then(|h| ChainState::from_head(&h))
        .ok_or(Error::HeaderDamaged { what: "head" })
}

/// Parses `mac(32) || json` and verifies the MAC.
pub(crate) fn parse_head(keys: &Keys, raw: &[u8]) -> Option<Head> {
    if raw.len() < 32 {
        return None;
    }
    let (mac, body) = raw.split_at(32);
    let head: Head = serde_json::from_slice(body).ok()?;
    let hash = hex::decode(&head.hash).ok()?;
    let expect = keys.head_mac(head.seq, &[&hash[..], body].concat());
    (expect[..] == mac[..]).then_some(head)
}

fn write_head(conn: &Connection, keys: &Keys, st: &ChainState) -> VResult<()> {
    let body = to_json(&st.to_head());
    let mac = keys.head_mac(st.seq, &[&st.hash[..], &body[..]].concat());
    let raw = [&mac[..], &body[..]].concat();
    store::meta_set(conn, "head", &raw).map_err(Error::sql)
}

/// The key of a vault's dedup index (see [`Vault::dedup_key`]).
pub struct DedupKey(crypto::SecretKey);

impl DedupKey {
    /// The dedup index of `message`: the same value as [`Vault::dedup_index`].
    pub fn index(&self, message: &Message) -> [u8; 32] {
        crypto::hmac_sha256(&self.0[..], &[&message.fingerprint()[..]])
    }
}

impl std::fmt::Debug for DedupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print keys.
        f.write_str("DedupKey")
    }
}

/// The stored dedup indexes as of one moment ([`Vault::dedup_snapshot`]).
///
/// Only the first 16 bytes of each 32-byte index are kept (16 + 1 bytes per message in the
/// set instead of 33): two different messages share a 128-bit prefix of a keyed HMAC with
/// probability about n²/2¹²⁹ — 10⁻²⁶ for ten million messages — and nobody without the
/// vault's key can construct such a pair on purpose.
#[derive(Debug, Clone, Default)]
pub struct DedupSnapshot {
    /// Shortened dedup indexes ([`DedupSnapshot::short`]) of the messages stored then.
    pub indexes: std::collections::HashSet<u128>,
    /// The last message id at that moment (0: none).
    pub last_message_id: i64,
}

impl DedupSnapshot {
    /// The shortened form of a dedup index kept in [`DedupSnapshot::indexes`].
    pub fn short(index: &[u8; 32]) -> u128 {
        let mut b = [0u8; 16];
        b.copy_from_slice(&index[..16]);
        u128::from_le_bytes(b)
    }
}

/// One import in progress: a single SQLite transaction. Dropping it without
/// [`ImportTx::commit`] rolls everything back, original bytes included.
pub struct ImportTx<'v> {
    tx: rusqlite::Transaction<'v>,
    keys: &'v Keys,
    st: ChainState,
    source_id: i64,
    added: u64,
    duplicates: u64,
    /// Dedup indexes stored or pending; `None` when the caller decides duplicates against a
    /// snapshot that is still current ([`Vault::begin_import_after`]).
    seen: Option<std::collections::HashSet<[u8; 32]>>,
    /// Reserved records not yet written.
    pending: Vec<store::Reserved>,
    /// The chain hash before the first pending record.
    pending_hash: Option<[u8; 32]>,
    /// Threads that seal a batch (0: one per core).
    sealers: usize,
}

/// Records sealed per batch: big enough to keep threads busy, small enough (a few MB) not to
/// matter for memory.
const IMPORT_BATCH: usize = 4096;

impl ImportTx<'_> {
    fn reserve(&mut self, table: Table, extra: Extra, plaintext: Vec<u8>) -> i64 {
        if self.pending_hash.is_none() {
            self.pending_hash = Some(self.st.hash);
        }
        let (id, seq) = self.st.reserve(table);
        self.pending.push(store::Reserved {
            table,
            id,
            seq,
            extra,
            plaintext: zeroize::Zeroizing::new(plaintext),
        });
        id
    }

    /// Seals and writes the pending records.
    fn flush(&mut self) -> VResult<()> {
        if let Some(mut h) = self.pending_hash.take() {
            ChainState::write_reserved(&mut h, &self.tx, self.keys, &self.pending, self.sealers)
                .map_err(Error::sql)?;
            self.st.hash = h;
            self.pending.clear();
        }
        Ok(())
    }

    /// Stores one message with the verdict given at import (skipped when it is the
    /// default: "not classified"). Returns `false` when the message is already in the vault
    /// (same fingerprint) — nothing is written then.
    ///
    /// # Errors
    /// A storage error.
    pub fn add(&mut self, message: &Message, verdict: &Verdict) -> VResult<bool> {
        match self.admit(message) {
            Some(fp) => {
                self.store_admitted(fp, message, verdict)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// The first half of [`ImportTx::add`]: decides whether `message` is new (not stored,
    /// not admitted before in this import) without writing anything. Returns its dedup
    /// index when it is new (it then counts as seen), `None` (counted as a duplicate) when
    /// not. Every admitted message must then be passed to [`ImportTx::store_admitted`] in
    /// admission order before [`ImportTx::commit`]; this lets a caller know the final set
    /// of messages (e.g. to classify it) while they are still being written.
    pub fn admit(&mut self, message: &Message) -> Option<[u8; 32]> {
        let fp = self.keys.dedup_index(&message.fingerprint());
        self.admit_index(fp).then_some(fp)
    }

    /// [`ImportTx::admit`] for a message whose dedup index the caller already computed
    /// with [`Vault::dedup_index`] (of this vault: another vault's index would defeat the
    /// dedup). Returns whether it is new.
    ///
    /// In a transaction from [`Vault::begin_import_after`] whose snapshot was current
    /// ([`ImportTx::trusts_caller`]), every index is accepted: the caller has decided.
    pub fn admit_index(&mut self, fp: [u8; 32]) -> bool {
        let Some(seen) = &mut self.seen else {
            return true;
        };
        if seen.insert(fp) {
            true
        } else {
            self.duplicates += 1;
            false
        }
    }

    /// True when this transaction leaves the dedup decision to the caller (see
    /// [`Vault::begin_import_after`]).
    pub fn trusts_caller(&self) -> bool {
        self.seen.is_none()
    }

    /// The second half of [`ImportTx::add`]: stores a message [`ImportTx::admit`] accepted
    /// (with its dedup index) and the verdict given at import (skipped when it is the
    /// default). Returns the message's id.
    ///
    /// # Errors
    /// A storage error.
    pub fn store_admitted(
        &mut self,
        fp: [u8; 32],
        message: &Message,
        verdict: &Verdict,
    ) -> VResult<i64> {
        self.store_admitted_with::<()>(fp, message, verdict, None)
    }

    /// [`ImportTx::store_admitted`] with an annex: derived data (JSON) sealed inside the
    /// message's record with it, read back by [`Vault::for_each_message_with`]. Readers
    /// that do not ask for it ignore it.
    ///
    /// # Errors
    /// A storage error.
    pub fn store_admitted_with<A: Serialize>(
        &mut self,
        fp: [u8; 32],
        message: &Message,
        verdict: &Verdict,
        annex: Option<&A>,
    ) -> VResult<i64> {
        let rec = MessageRecordRef {
            source_id: self.source_id,
            message,
            annex,
        };
        let id = self.reserve(Table::Message, Extra::Fp(fp), to_json(&rec));
        self.added += 1;
        if verdict != &Verdict::default() {
            let rec = VerdictRecordRef { run: 0, verdict };
            self.reserve(Table::Verdict, Extra::Msg(id), to_json(&rec));
        }
        if self.pending.len() >= IMPORT_BATCH {
            self.flush()?;
        }
        Ok(id)
    }

    /// Seals on the writing thread only (no helper threads): for a caller that keeps the
    /// other cores busy meanwhile (e.g. classifying), where more threads would only
    /// compete for them.
    pub fn seal_on_this_thread(&mut self) {
        self.sealers = 1;
    }

    /// The source id this import stores messages under.
    pub fn source_id(&self) -> i64 {
        self.source_id
    }

    /// Messages added so far.
    pub fn added(&self) -> u64 {
        self.added
    }

    /// Duplicates seen so far.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Records the import event (with `summary`) and commits everything.
    ///
    /// # Errors
    /// A storage error (then nothing of this import is kept).
    pub fn commit(mut self, summary: serde_json::Value) -> VResult<ImportId> {
        self.flush()?;
        let detail = serde_json::json!({
            "source_id": self.source_id,
            "added": self.added,
            "duplicates": self.duplicates,
            "summary": summary,
        });
        let id = append_event(&self.tx, self.keys, &mut self.st, EventKind::Import, detail)?;
        write_head(&self.tx, self.keys, &self.st)?;
        self.tx.commit().map_err(Error::sql)?;
        Ok(ImportId(id))
    }
}

#[cfg(test)]
mod tests;
