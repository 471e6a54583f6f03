//! `check`: verify every record's authentication tag and every link of the hash chain, and
//! name each damaged, moved or missing record.
//!
//! Two passes keep memory small even with gigabytes of stored source bytes:
//! 1. read `(table, id, seq, stored hash)` of every row (about 60 bytes each);
//! 2. stream each table, open every record (the tag covers table, id, seq and the plaintext
//!    columns, so a moved or swapped record fails here) and recompute its link from the
//!    *stored* hash of the record before it. Using stored hashes keeps one bad record from
//!    flagging everything after it.
//!
//! Then seq and per-table id gaps (deleted rows) and the MAC-protected head (deleted tail)
//! are compared, and each source's chunks are hashed against its recorded SHA-256.

use super::crypto::Keys;
use super::store::{self, Table};
use super::{Error, SourceInfo};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// One thing `check` found wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Problem {
    /// The record's authentication tag fails: its bytes were changed, or it was moved.
    Damaged {
        /// Table name.
        table: String,
        /// Row id.
        id: i64,
        /// Chain position as stored.
        seq: i64,
    },
    /// The record opens, but its chain link does not match the record before it.
    ChainBroken {
        /// Table name.
        table: String,
        /// Row id.
        id: i64,
        /// Chain position.
        seq: i64,
    },
    /// Chain positions with no record: rows were deleted.
    MissingSeq {
        /// First missing position.
        from: i64,
        /// Last missing position (inclusive).
        to: i64,
    },
    /// Row ids missing from a table: rows were deleted.
    MissingRows {
        /// Table name.
        table: String,
        /// First missing id.
        from: i64,
        /// Last missing id (inclusive).
        to: i64,
    },
    /// Two records claim the same chain position.
    DuplicateSeq {
        /// The position.
        seq: i64,
    },
    /// A record sits beyond the recorded end of the chain (not written by Quzheng).
    Unexpected {
        /// Table name.
        table: String,
        /// Row id.
        id: i64,
        /// Its seq.
        seq: i64,
    },
    /// The recorded end of the chain is damaged (its MAC fails).
    HeadDamaged,
    /// The last record's hash is not the recorded end of the chain.
    HeadMismatch,
    /// A stored original file's bytes no longer hash to its recorded SHA-256.
    SourceMismatch {
        /// Source id.
        id: i64,
        /// Its file name.
        name: String,
    },
}

/// The result of [`super::Vault::check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// Records examined.
    pub records: u64,
    /// Records per table.
    pub per_table: BTreeMap<String, u64>,
    /// Hex of the recorded end of the chain.
    pub head: String,
    /// Everything wrong, in chain order where there is one.
    pub problems: Vec<Problem>,
}

impl CheckReport {
    /// True when nothing is wrong.
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }
}

struct Entry {
    table: Table,
    id: i64,
    hash: Vec<u8>,
}

pub(super) fn run(
    conn: &rusqlite::Connection,
    keys: &Keys,
    vault_id: &[u8],
) -> Result<CheckReport, Error> {
    let mut problems = Vec::new();
    let head = store::meta_get(conn, "head")
        .map_err(Error::sql)?
        .and_then(|raw| super::parse_head(keys, &raw));
    if head.is_none() {
        problems.push(Problem::HeadDamaged);
    }

    // Pass 1: the chain's skeleton.
    let mut by_seq: HashMap<i64, Entry> = HashMap::new();
    let mut per_table = BTreeMap::new();
    let mut max_id: HashMap<Table, i64> = HashMap::new();
    let mut ids: HashMap<Table, Vec<i64>> = HashMap::new();
    for t in Table::ALL {
        let sql = format!("SELECT id, seq, hash FROM {} ORDER BY id", t.name());
        let mut stmt = conn.prepare(&sql).map_err(Error::sql)?;
        let mut rows = stmt.query([]).map_err(Error::sql)?;
        let mut n = 0u64;
        let tids = ids.entry(t).or_default();
        while let Some(r) = rows.next().map_err(Error::sql)? {
            let id: i64 = r.get(0).map_err(Error::sql)?;
            let seq: i64 = r.get(1).map_err(Error::sql)?;
            let hash: Vec<u8> = r.get(2).map_err(Error::sql)?;
            n += 1;
            tids.push(id);
            let e = max_id.entry(t).or_insert(0);
            *e = (*e).max(id);
            if by_seq.insert(seq, Entry { table: t, id, hash }).is_some() {
                problems.push(Problem::DuplicateSeq { seq });
            }
        }
        per_table.insert(t.name().to_string(), n);
    }
    let records = per_table.values().sum();

    // Pass 2: tags and links.
    let genesis = store::genesis(vault_id);
    let mut sources: Vec<SourceInfo> = Vec::new();
    let mut chunk_hash: BTreeMap<i64, Sha256> = BTreeMap::new();
    let mut bad: Vec<(i64, Problem)> = Vec::new();
    for t in Table::ALL {
        let mut stmt = conn.prepare(t.select_sql()).map_err(Error::sql)?;
        let mut rows = stmt.query([]).map_err(Error::sql)?;
        while let Some(r) = rows.next().map_err(Error::sql)? {
            let row = store::raw_row(t, r).map_err(Error::sql)?;
            let a = store::aad(t, row.id, row.seq, &row.extra);
            let pt = keys.open(&a, &row.nonce, &row.ct);
            let Some(pt) = pt else {
                bad.push((
                    row.seq,
                    Problem::Damaged {
                        table: t.name().into(),
                        id: row.id,
                        seq: row.seq,
                    },
                ));
                continue;
            };
            match t {
                Table::Source => {
                    if let Ok(mut s) = serde_json::from_slice::<SourceInfo>(&pt) {
                        s.id = row.id;
                        sources.push(s);
                    }
                }
                Table::Chunk => {
                    if let store::Extra::Chunk(sid, _) = row.extra {
                        chunk_hash.entry(sid).or_default().update(&pt[..]);
                    }
                }
                _ => {}
            }
            // The link is verifiable only when the previous position exists.
            let prev: Option<Vec<u8>> = if row.seq == 1 {
                Some(genesis.to_vec())
            } else {
                by_seq.get(&(row.seq - 1)).map(|e| e.hash.clone())
            };
            if let Some(prev) = prev {
                let h = store::chain_hash(&prev, &a, &row.nonce, &row.ct);
                if h[..] != row.hash[..] {
                    bad.push((
                        row.seq,
                        Problem::ChainBroken {
                            table: t.name().into(),
                            id: row.id,
                            seq: row.seq,
                        },
                    ));
                }
            }
        }
    }

    // Gaps in the chain and in each table's ids.
    let head_seq = head.as_ref().map(|h| h.seq).unwrap_or(0);
    let max_seq = by_seq.keys().copied().max().unwrap_or(0).max(head_seq);
    let mut gap: Option<(i64, i64)> = None;
    for s in 1..=max_seq {
        if by_seq.contains_key(&s) {
            if let Some((f, t)) = gap.take() {
                bad.push((f, Problem::MissingSeq { from: f, to: t }));
            }
        } else {
            gap = Some(match gap {
                Some((f, _)) => (f, s),
                None => (s, s),
            });
        }
    }
    if let Some((f, t)) = gap {
        bad.push((f, Problem::MissingSeq { from: f, to: t }));
    }
    for t in Table::ALL {
        let last = head
            .as_ref()
            .map(|h| h.last_id(t))
            .unwrap_or(0)
            .max(max_id.get(&t).copied().unwrap_or(0));
        let have: std::collections::HashSet<i64> = ids
            .get(&t)
            .map(|v| v.iter().copied().collect())
            .unwrap_or_default();
        let mut run: Option<(i64, i64)> = None;
        let flush = |run: &mut Option<(i64, i64)>, problems: &mut Vec<Problem>| {
            if let Some((f, to)) = run.take() {
                problems.push(Problem::MissingRows {
                    table: t.name().into(),
                    from: f,
                    to,
                });
            }
        };
        for id in 1..=last {
            if have.contains(&id) {
                flush(&mut run, &mut problems);
            } else {
                run = Some(match run {
                    Some((f, _)) => (f, id),
                    None => (id, id),
                });
            }
        }
        flush(&mut run, &mut problems);
    }
    if let Some(h) = &head {
        for (seq, e) in &by_seq {
            if *seq > h.seq {
                bad.push((
                    *seq,
                    Problem::Unexpected {
                        table: e.table.name().into(),
                        id: e.id,
                        seq: *seq,
                    },
                ));
            }
        }
        let last_hash = if h.seq == 0 {
            Some(genesis.to_vec())
        } else {
            by_seq.get(&h.seq).map(|e| e.hash.clone())
        };
        // A missing last record is already a MissingSeq; only report a real mismatch.
        if let Some(lh) = last_hash {
            if hex::encode(lh) != h.hash {
                problems.push(Problem::HeadMismatch);
            }
        }
    }
    for s in &sources {
        if let Some(h) = chunk_hash.remove(&s.id) {
            if hex::encode(h.finalize()) != s.sha256 {
                problems.push(Problem::SourceMismatch {
                    id: s.id,
                    name: s.name.clone(),
                });
            }
        } else if s.size > 0 {
            problems.push(Problem::SourceMismatch {
                id: s.id,
                name: s.name.clone(),
            });
        }
    }
    bad.sort_by_key(|(seq, _)| *seq);
    let mut all: Vec<Problem> = bad.into_iter().map(|(_, p)| p).collect();
    all.extend(problems);
    Ok(CheckReport {
        records,
        per_table,
        head: head.map(|h| h.hash).unwrap_or_default(),
        problems: all,
    })
}
