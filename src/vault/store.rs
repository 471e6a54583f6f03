//! The SQLite layout of a vault and the one way records are written and read.
//!
//! Tables (names are the constants of [`Table`]):
//!
//! | table | plaintext columns besides `id, seq, nonce, ct, hash` | sealed payload |
//! |---|---|---|
//! | `meta` | `key, value` (format, schema, KDF params, salt, wrapped key, key check, head) | — |
//! | `event` | — | [`super::Event`] (import, classification run, export, settings, …) |
//! | `source` | — | name, size, SHA-256, import time of an original file |
//! | `chunk` | `source_id, idx` | ≤ 1 MiB of an original file's bytes |
//! | `message` | `fp` (HMAC of the fingerprint: the dedup index) | source id + [`crate::model::Message`] |
//! | `verdict` | `msg_id` | classification-run id + [`crate::model::Verdict`] |
//! | `correction` | `msg_id` | [`super::Correction`] |
//!
//! Invariants:
//! * Rows are only ever inserted, never updated or deleted (only `meta` changes).
//! * `id` counts from 1 per table without gaps; `seq` counts from 1 across all tables without
//!   gaps, in write order. Both are inside the AES-GCM associated data, with the table name
//!   and the plaintext columns, so a record cannot be moved, swapped or re-numbered.
//! * `hash` = SHA-256(`"quzheng/chain/v1"`, previous record's `hash`, associated data, nonce,
//!   ciphertext); the first record links to SHA-256 of the vault id. The `head` in `meta`
//!   (last seq, last hash, last id per table) carries an HMAC under a key derived from the
//!   data key, so truncating the chain is caught too.

use super::crypto::Keys;
use super::Error;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// The schema version this build writes. A vault with a higher number is refused.
pub const SCHEMA_VERSION: u32 = 1;

/// The value of `meta.format`, which tells a vault from any other SQLite file.
pub const FORMAT_TAG: &str = "quzheng-vault";

/// Size of one stored chunk of an original source file, bytes.
pub const CHUNK_LEN: usize = 1 << 20;

/// Tables that hold sealed, chained records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    /// Events (import, classification run, export, settings, creditor alias, passwd).
    Event,
    /// Original source files.
    Source,
    /// Chunks of original source files.
    Chunk,
    /// Messages.
    Message,
    /// Classifier verdicts (latest per message wins).
    Verdict,
    /// User corrections.
    Correction,
}

impl Table {
    /// Every sealed table.
    pub const ALL: [Table; 6] = [
        Table::Event,
        Table::Source,
        Table::Chunk,
        Table::Message,
        Table::Verdict,
        Table::Correction,
    ];

    /// The SQL table name (also bound into every record's associated data).
    pub fn name(self) -> &'static str {
        match self {
            Table::Event => "event",
            Table::Source => "source",
            Table::Chunk => "chunk",
            Table::Message => "message",
            Table::Verdict => "verdict",
            Table::Correction => "correction",
        }
    }

    /// Parses a table name.
    pub fn from_name(name: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == name)
    }

    fn insert_sql(self) -> &'static str {
        match self {
            Table::Event => "INSERT INTO event(id, seq, nonce, ct, hash) VALUES (?1, ?2, ?6, ?7, ?8)",
            Table::Source => "INSERT INTO source(id, seq, nonce, ct, hash) VALUES (?1, ?2, ?6, ?7, ?8)",
            Table::Chunk => "INSERT INTO chunk(id, seq, source_id, idx, nonce, ct, hash) VALUES (?1, ?2, ?4, ?5, ?6, ?7, ?8)",
            Table::Message => "INSERT INTO message(id, seq, fp, nonce, ct, hash) VALUES (?1, ?2, ?3, ?6, ?7, ?8)",
            Table::Verdict => "INSERT INTO verdict(id, seq, msg_id, nonce, ct, hash) VALUES (?1, ?2, ?4, ?6, ?7, ?8)",
            Table::Correction => "INSERT INTO correction(id, seq, msg_id, nonce, ct, hash) VALUES (?1, ?2, ?4, ?6, ?7, ?8)",
        }
    }

    /// `SELECT id, seq, x_blob, x_int1, x_int2, nonce, ct, hash` in id order.
    pub fn select_sql(self) -> &'static str {
        match self {
            Table::Event => {
                "SELECT id, seq, NULL, NULL, NULL, nonce, ct, hash FROM event ORDER BY id"
            }
            Table::Source => {
                "SELECT id, seq, NULL, NULL, NULL, nonce, ct, hash FROM source ORDER BY id"
            }
            Table::Chunk => {
                "SELECT id, seq, NULL, source_id, idx, nonce, ct, hash FROM chunk ORDER BY id"
            }
            Table::Message => {
                "SELECT id, seq, fp, NULL, NULL, nonce, ct, hash FROM message ORDER BY id"
            }
            Table::Verdict => {
                "SELECT id, seq, NULL, msg_id, NULL, nonce, ct, hash FROM verdict ORDER BY id"
            }
            Table::Correction => {
                "SELECT id, seq, NULL, msg_id, NULL, nonce, ct, hash FROM correction ORDER BY id"
            }
        }
    }
}

/// The schema of version 1.
pub const SCHEMA_V1: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE event (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE source (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE chunk (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, source_id INTEGER NOT NULL, idx INTEGER NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE message (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, fp BLOB NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE verdict (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, msg_id INTEGER NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL, hash BLOB NOT NULL);
CREATE TABLE correction (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, msg_id INTEGER NOT NULL, nonce BLOB NOT NULL, ct BLOB NOT NULL, hash BLOB NOT NULL);
";

/// Plaintext columns of a record besides id and seq; all are bound into the AAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// No extra column.
    None,
    /// `message.fp`.
    Fp([u8; 32]),
    /// `verdict.msg_id` / `correction.msg_id`.
    Msg(i64),
    /// `chunk.source_id`, `chunk.idx`.
    Chunk(i64, i64),
}

/// A record whose id and seq are reserved, waiting to be sealed and written.
#[derive(Debug)]
pub struct Reserved {
    /// Its table.
    pub table: Table,
    /// Reserved id.
    pub id: i64,
    /// Reserved seq.
    pub seq: i64,
    /// Plaintext columns.
    pub extra: Extra,
    /// The payload to seal (wiped when dropped).
    pub plaintext: zeroize::Zeroizing<Vec<u8>>,
}

impl Extra {
    /// The values of the `fp`, first and second integer columns.
    fn columns(&self) -> (Option<&[u8]>, Option<i64>, Option<i64>) {
        match self {
            Extra::None => (None, None, None),
            Extra::Fp(fp) => (Some(&fp[..]), None, None),
            Extra::Msg(m) => (None, Some(*m), None),
            Extra::Chunk(s, i) => (None, Some(*s), Some(*i)),
        }
    }

    fn bytes(&self, out: &mut Vec<u8>) {
        match self {
            Extra::None => out.push(0),
            Extra::Fp(fp) => {
                out.push(1);
                out.extend_from_slice(fp);
            }
            Extra::Msg(m) => {
                out.push(2);
                out.extend_from_slice(&m.to_be_bytes());
            }
            Extra::Chunk(s, i) => {
                out.push(3);
                out.extend_from_slice(&s.to_be_bytes());
                out.extend_from_slice(&i.to_be_bytes());
            }
        }
    }
}

/// The associated data of a record: binds it to its table, id, seq and plaintext columns.
pub fn aad(table: Table, id: i64, seq: i64, extra: &Extra) -> Vec<u8> {
    let mut a = Vec::with_capacity(64);
    a.extend_from_slice(b"quzheng/v1\0");
    a.extend_from_slice(table.name().as_bytes());
    a.push(0);
    a.extend_from_slice(&id.to_be_bytes());
    a.extend_from_slice(&seq.to_be_bytes());
    extra.bytes(&mut a);
    a
}

/// One link of the hash chain.
pub fn chain_hash(prev: &[u8], aad: &[u8], nonce: &[u8], ct: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"quzheng/chain/v1\0");
    h.update(prev);
    h.update((aad.len() as u64).to_be_bytes());
    h.update(aad);
    h.update(nonce);
    h.update(ct);
    h.finalize().into()
}

/// The link the first record hangs from: SHA-256 of the vault id.
pub fn genesis(vault_id: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"quzheng/genesis/v1\0");
    h.update(vault_id);
    h.finalize().into()
}

/// The end of the chain as recorded in `meta.head` (MAC-protected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// The last seq written (0 for an empty vault).
    pub seq: i64,
    /// Hex of the last record's hash (the genesis link when empty).
    pub hash: String,
    /// The last id written per table name.
    pub last_ids: BTreeMap<String, i64>,
}

impl Head {
    /// The head of an empty vault.
    pub fn empty(vault_id: &[u8]) -> Head {
        Head {
            seq: 0,
            hash: hex::encode(genesis(vault_id)),
            last_ids: Table::ALL
                .iter()
                .map(|t| (t.name().to_string(), 0))
                .collect(),
        }
    }

    /// The last id of `table`.
    pub fn last_id(&self, table: Table) -> i64 {
        self.last_ids.get(table.name()).copied().unwrap_or(0)
    }
}

/// A raw row as stored.
#[derive(Debug, Clone)]
pub struct RawRow {
    /// Row id within its table.
    pub id: i64,
    /// Position in the chain.
    pub seq: i64,
    /// Plaintext columns.
    pub extra: Extra,
    /// AES-GCM nonce.
    pub nonce: Vec<u8>,
    /// Ciphertext with tag.
    pub ct: Vec<u8>,
    /// Stored chain hash.
    pub hash: Vec<u8>,
}

/// Maps one `select_sql` row.
pub fn raw_row(table: Table, r: &rusqlite::Row<'_>) -> rusqlite::Result<RawRow> {
    let extra = match table {
        Table::Message => {
            let v: Vec<u8> = r.get(2)?;
            let mut fp = [0u8; 32];
            // A wrong-length fp is damage; keep the row and let its tag check fail.
            if v.len() == 32 {
                fp.copy_from_slice(&v);
            }
            Extra::Fp(fp)
        }
        Table::Verdict | Table::Correction => Extra::Msg(r.get(3)?),
        Table::Chunk => Extra::Chunk(r.get(3)?, r.get(4)?),
        Table::Event | Table::Source => Extra::None,
    };
    Ok(RawRow {
        id: r.get(0)?,
        seq: r.get(1)?,
        extra,
        nonce: r.get(5)?,
        ct: r.get(6)?,
        hash: r.get(7)?,
    })
}

/// Where the chain stands inside a write transaction.
pub struct ChainState {
    /// The last seq written.
    pub seq: i64,
    /// The last hash written.
    pub hash: [u8; 32],
    /// Last id per table (indexed like [`Table::ALL`]).
    pub last_ids: [i64; 6],
}

impl ChainState {
    /// From a verified head.
    pub fn from_head(head: &Head) -> Option<ChainState> {
        let h = hex::decode(&head.hash).ok()?;
        let mut hash = [0u8; 32];
        if h.len() != 32 {
            return None;
        }
        hash.copy_from_slice(&h);
        let mut last_ids = [0i64; 6];
        for (i, t) in Table::ALL.iter().enumerate() {
            last_ids[i] = head.last_id(*t);
        }
        Some(ChainState {
            seq: head.seq,
            hash,
            last_ids,
        })
    }

    /// Back to a head for `meta`.
    pub fn to_head(&self) -> Head {
        Head {
            seq: self.seq,
            hash: hex::encode(self.hash),
            last_ids: Table::ALL
                .iter()
                .enumerate()
                .map(|(i, t)| (t.name().to_string(), self.last_ids[i]))
                .collect(),
        }
    }

    fn index(table: Table) -> usize {
        Table::ALL
            .iter()
            .position(|t| *t == table)
            .expect("every table is in Table::ALL")
    }

    /// The last id written to `table` (0: none).
    pub fn last_id_of(&self, table: Table) -> i64 {
        self.last_ids[Self::index(table)]
    }

    /// The id the next record of `table` gets.
    pub fn next_id(&self, table: Table) -> i64 {
        self.last_ids[Self::index(table)] + 1
    }

    /// Reserves the id and seq of the next record of `table` without writing it; the
    /// record must then be written by [`ChainState::write_reserved`] in reservation order.
    pub fn reserve(&mut self, table: Table) -> (i64, i64) {
        let i = Self::index(table);
        self.last_ids[i] += 1;
        self.seq += 1;
        (self.last_ids[i], self.seq)
    }

    /// Writes records reserved with [`ChainState::reserve`], in order. Sealing (AES-GCM) runs
    /// on up to `threads` threads (0: as many as there are cores, at most four); chaining
    /// and inserting stay sequential because each link depends on the one before. `hash`
    /// must be the chain hash before the first of them.
    pub fn write_reserved(
        hash: &mut [u8; 32],
        conn: &Connection,
        keys: &Keys,
        batch: &[Reserved],
        threads: usize,
    ) -> rusqlite::Result<()> {
        let threads = match threads {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 4),
            n => n,
        };
        let seal = |r: &Reserved| {
            let a = aad(r.table, r.id, r.seq, &r.extra);
            let (nonce, ct) = keys.seal(&a, &r.plaintext);
            (a, nonce, ct)
        };
        let sealed: Vec<(Vec<u8>, [u8; 12], Vec<u8>)> = if threads == 1 || batch.len() < 256 {
            batch.iter().map(seal).collect()
        } else {
            let per = batch.len().div_ceil(threads);
            std::thread::scope(|s| {
                let hs: Vec<_> = batch
                    .chunks(per)
                    .map(|c| s.spawn(move || c.iter().map(seal).collect::<Vec<_>>()))
                    .collect();
                hs.into_iter()
                    .flat_map(|h| h.join().expect("sealing a record does not panic"))
                    .collect()
            })
        };
        // One prepared statement per table for the whole batch (looking one up in the
        // statement cache hashes its SQL text: measurable at 100,000 rows).
        let mut stmts: [Option<rusqlite::CachedStatement<'_>>; 6] = Default::default();
        for (r, (a, nonce, ct)) in batch.iter().zip(sealed) {
            let h = chain_hash(&hash[..], &a, &nonce, &ct);
            let (fp, x1, x2) = r.extra.columns();
            let slot = &mut stmts[ChainState::index(r.table)];
            let stmt = match slot {
                Some(s) => s,
                None => slot.insert(conn.prepare_cached(r.table.insert_sql())?),
            };
            let n = stmt.execute(params![
                r.id,
                r.seq,
                fp,
                x1,
                x2,
                &nonce[..],
                &ct[..],
                &h[..]
            ])?;
            if n != 1 {
                // Only a message whose fingerprint is already stored can be ignored, and the
                // caller checked that before reserving: refuse rather than leave a gap.
                return Err(rusqlite::Error::StatementChangedRows(n));
            }
            *hash = h;
        }
        Ok(())
    }

    /// Seals `plaintext` as the next record of `table` and inserts it. Returns the new id, or
    /// `None` when a message with the same dedup index already exists (nothing written).
    pub fn append(
        &mut self,
        conn: &Connection,
        keys: &Keys,
        table: Table,
        extra: Extra,
        plaintext: &[u8],
    ) -> rusqlite::Result<Option<i64>> {
        let id = self.next_id(table);
        let seq = self.seq + 1;
        let a = aad(table, id, seq, &extra);
        let (nonce, ct) = keys.seal(&a, plaintext);
        let hash = chain_hash(&self.hash, &a, &nonce, &ct);
        let (fp, x1, x2) = extra.columns();
        let mut stmt = conn.prepare_cached(table.insert_sql())?;
        let n = stmt.execute(params![id, seq, fp, x1, x2, &nonce[..], ct, &hash[..]])?;
        if n == 0 {
            return Ok(None);
        }
        self.seq = seq;
        self.hash = hash;
        self.last_ids[Self::index(table)] = id;
        Ok(Some(id))
    }
}

/// Reads a `meta` value.
pub fn meta_get(conn: &Connection, key: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
        // Values are written as blobs, but a hand-edited vault may hold text.
        match r.get_ref(0)? {
            rusqlite::types::ValueRef::Blob(b) => Ok(b.to_vec()),
            rusqlite::types::ValueRef::Text(t) => Ok(t.to_vec()),
            rusqlite::types::ValueRef::Integer(i) => Ok(i.to_string().into_bytes()),
            _ => Ok(Vec::new()),
        }
    })
    .optional()
}

/// Writes a `meta` value.
pub fn meta_set(conn: &Connection, key: &str, value: &[u8]) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Decrypts every record of `table` in id order into `T`. The first record whose tag fails
/// stops the read with [`Error::RecordDamaged`] (use `check` to list them all).
pub fn read_all<T: serde::de::DeserializeOwned + Send>(
    conn: &Connection,
    keys: &Keys,
    table: Table,
) -> Result<Vec<(RawMeta, T)>, Error> {
    let mut out = Vec::new();
    for_each(conn, keys, table, |m, v| out.push((m, v)))?;
    Ok(out)
}

/// Decrypts every record of `table` and hands each to `f` in id order, without keeping
/// them all: superseded verdicts, for instance, are dropped as soon as they are replaced.
///
/// Rows are fetched in batches and opened on up to four threads: AES-GCM and JSON parsing
/// are most of the cost of listing 100,000 messages, and SQLite reads are not.
///
/// # Errors
/// [`Error::RecordDamaged`] for the first record whose tag fails, or a storage error.
pub fn for_each<T: serde::de::DeserializeOwned + Send>(
    conn: &Connection,
    keys: &Keys,
    table: Table,
    mut f: impl FnMut(RawMeta, T),
) -> Result<(), Error> {
    const BATCH: usize = 8192;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let mut stmt = conn
        .prepare_cached(table.select_sql())
        .map_err(Error::sql)?;
    let mut rows = stmt.query([]).map_err(Error::sql)?;
    let mut batch: Vec<RawRow> = Vec::with_capacity(BATCH);
    loop {
        batch.clear();
        while batch.len() < BATCH {
            match rows.next().map_err(Error::sql)? {
                Some(r) => batch.push(raw_row(table, r).map_err(Error::sql)?),
                None => break,
            }
        }
        if batch.is_empty() {
            break;
        }
        if threads == 1 || batch.len() < 256 {
            for row in &batch {
                let (m, v) = open_row(keys, table, row)?;
                f(m, v);
            }
        } else {
            let per = batch.len().div_ceil(threads);
            let parts: Vec<Result<Vec<(RawMeta, T)>, Error>> = std::thread::scope(|s| {
                let handles: Vec<_> = batch
                    .chunks(per)
                    .map(|chunk| {
                        s.spawn(move || {
                            chunk
                                .iter()
                                .map(|row| open_row(keys, table, row))
                                .collect::<Result<Vec<_>, Error>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("decrypting a record does not panic"))
                    .collect()
            });
            for p in parts {
                for (m, v) in p? {
                    f(m, v);
                }
            }
        }
        if batch.len() < BATCH {
            break;
        }
    }
    Ok(())
}

/// The plaintext columns of a decrypted record.
#[derive(Debug, Clone, Copy)]
pub struct RawMeta {
    /// Row id.
    pub id: i64,
    /// Chain position.
    pub seq: i64,
    /// Plaintext columns.
    pub extra: Extra,
}

/// Opens one row and parses its payload.
pub fn open_row<T: serde::de::DeserializeOwned>(
    keys: &Keys,
    table: Table,
    row: &RawRow,
) -> Result<(RawMeta, T), Error> {
    let damaged = || Error::RecordDamaged {
        table: table.name(),
        id: row.id,
        seq: row.seq,
    };
    let a = aad(table, row.id, row.seq, &row.extra);
    let pt = keys.open(&a, &row.nonce, &row.ct).ok_or_else(damaged)?;
    let v: T = serde_json::from_slice(&pt).map_err(|_| damaged())?;
    Ok((
        RawMeta {
            id: row.id,
            seq: row.seq,
            extra: row.extra,
        },
        v,
    ))
}
