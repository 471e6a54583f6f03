//! The vault benchmark behind `quzheng bench vault`: unlock time with the real KDF
//! parameters, insert throughput and decrypt-and-list time for `n` synthetic messages.
//!
//! Goals (issue 2): insert ≥ 200,000 messages/s excluding the KDF, list 100,000 in ≤ 0.5 s,
//! peak memory ≤ 150 MB (the caller reads VmHWM). Times are wall-clock seconds.

use super::{KdfParams, SourceMeta, Vault};
use crate::model::{Finding, Instant, Label, Message, Verdict};
use serde::Serialize;
use std::path::Path;
use std::time::Instant as Clock;

/// Numbers measured by [`run`].
#[derive(Debug, Clone, Serialize)]
pub struct VaultBench {
    /// Messages inserted and listed.
    pub n: usize,
    /// KDF parameters used for unlocking.
    pub kdf: KdfParams,
    /// Seconds to open and unlock (Argon2id + key check).
    pub unlock_s: f64,
    /// Seconds to insert `n` messages in one import transaction (with commit, no KDF).
    pub insert_s: f64,
    /// Messages per second inserted.
    pub insert_per_s: f64,
    /// Seconds to decrypt and list all messages with their verdicts.
    pub list_s: f64,
    /// Seconds for a full `check`.
    pub check_s: f64,
    /// Seconds to import 1,000 more messages into the full vault (dedup set loading
    /// included): what a user waits for when adding a small backup to a big case.
    pub append_1000_s: f64,
    /// Seconds to change the passphrase (re-wrap only).
    pub passwd_s: f64,
    /// Size of the vault file, bytes.
    pub file_bytes: u64,
    /// CPU seconds of this thread for insert, list and check (when the caller can tell):
    /// on a shared machine wall-clock time overstates what the code costs.
    pub cpu_s: Option<[f64; 3]>,
}

/// Synthetic bodies (a data file, so no message text sits in the code).
const BODIES: &str = include_str!("../../assets/bench/vault-messages.txt");

/// A synthetic message; every third one with a verdict naming the creditor of its
/// 【signature】 and a finding on its first four characters after it.
fn synthetic(bodies: &[&str], i: usize) -> (Message, Verdict) {
    let body = bodies[i % bodies.len()].replace("{}", &(i % 97).to_string());
    let t = Instant::from_unix_ms(1_767_225_600_000 + i as i64 * 37_000)
        .expect("synthetic instants are in range");
    let v = if i.is_multiple_of(3) {
        let creditor = body
            .split_once('\u{3011}')
            .and_then(|(head, _)| head.split_once('\u{3010}'))
            .map(|(_, name)| name.to_string());
        let start = body
            .chars()
            .position(|c| c == '\u{3011}')
            .map_or(0, |p| p + 1);
        let text: String = body.chars().skip(start).take(4).collect();
        Verdict {
            collection: true,
            labels: vec![Label::ThirdPartyDisclosure, Label::Threat],
            creditor,
            findings: vec![Finding {
                label: Label::Threat,
                rule: "threat.visit".into(),
                start,
                end: start + text.chars().count(),
                text,
            }],
        }
    } else {
        Verdict::default()
    };
    let m = Message::sms(format!("1069{:07}", i % 5_000), body, t);
    (m, v)
}

/// Builds a vault of `n` messages under `dir` and measures it.
///
/// # Errors
/// Any vault error (the directory must be writable).
/// `cpu` returns this thread's CPU time in seconds, where the platform can tell.
pub fn run(
    dir: &Path,
    n: usize,
    kdf: KdfParams,
    cpu: &dyn Fn() -> Option<f64>,
) -> Result<VaultBench, super::Error> {
    let path = dir.join("bench.qz");
    let _ = std::fs::remove_file(&path);
    let pass = "bench passphrase";
    drop(Vault::create_with(&path, pass, kdf)?);

    let t = Clock::now();
    let mut v = Vault::open(&path, pass)?;
    let unlock_s = t.elapsed().as_secs_f64();

    let bodies: Vec<&str> = BODIES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let source = b"synthetic source file for the benchmark".to_vec();
    let c0 = cpu();
    let t = Clock::now();
    let mut tx = v.begin_import(
        SourceMeta {
            name: "bench.jsonl".into(),
            size: source.len() as u64,
            sha256: None,
        },
        &mut &source[..],
    )?;
    // Messages are made one at a time, as an importer streams them, so memory is the
    // vault's and not a pre-built array's. Making one costs well under a microsecond.
    for i in 0..n {
        let (m, verdict) = synthetic(&bodies, i);
        tx.add(&m, &verdict)?;
    }
    tx.commit(serde_json::json!({ "bench": n }))?;
    let insert_s = t.elapsed().as_secs_f64();
    let c1 = cpu();

    let t = Clock::now();
    let listed = v.messages()?;
    let list_s = t.elapsed().as_secs_f64();
    let c2 = cpu();
    debug_assert_eq!(listed.len(), n, "every inserted message is listed");
    drop(listed);

    let t = Clock::now();
    let report = v.check()?;
    let check_s = t.elapsed().as_secs_f64();
    let c3 = cpu();
    debug_assert!(report.is_intact());
    let cpu_s = match (c0, c1, c2, c3) {
        (Some(a), Some(b), Some(c), Some(d)) => Some([b - a, c - b, d - c]),
        _ => None,
    };

    let t = Clock::now();
    let mut tx = v.begin_import(
        SourceMeta {
            name: "more.jsonl".into(),
            size: 4,
            sha256: None,
        },
        &mut &b"more"[..],
    )?;
    for i in n..n + 1000 {
        let (m, verdict) = synthetic(&bodies, i);
        tx.add(&m, &verdict)?;
    }
    tx.commit(serde_json::json!({ "bench": 1000 }))?;
    let append_1000_s = t.elapsed().as_secs_f64();

    let t = Clock::now();
    v.change_passphrase_with("another bench passphrase", kdf)?;
    let passwd_s = t.elapsed().as_secs_f64();
    drop(v);

    let file_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(&path);
    Ok(VaultBench {
        n,
        kdf,
        unlock_s,
        insert_s,
        insert_per_s: n as f64 / insert_s.max(1e-9),
        list_s,
        check_s,
        passwd_s,
        append_1000_s,
        file_bytes,
        cpu_s,
    })
}

/// Per-record costs of the steps that store one message, measured one at a time on this
/// thread ([`micro`]), and the raw speed of the ciphers.
#[derive(Debug, Clone, Serialize)]
pub struct MicroBench {
    /// Records measured.
    pub n: usize,
    /// Mean plaintext size of a message record, bytes.
    pub record_bytes: f64,
    /// Microseconds per record: JSON serialisation of the message record.
    pub json_us: f64,
    /// Microseconds per record: AES-256-GCM seal (random nonce included).
    pub seal_us: f64,
    /// Microseconds per record: the chain link (SHA-256 over AAD, nonce, ciphertext).
    pub chain_us: f64,
    /// Microseconds per record: the dedup index (HMAC-SHA-256 of the fingerprint,
    /// fingerprint included).
    pub dedup_us: f64,
    /// Microseconds per record: the SQLite insert (prepared statement, one transaction,
    /// the vault's pragmas, commit with fsync included; NaN if the temp dir is unusable).
    pub sqlite_us: f64,
    /// AES-256-GCM throughput on 1 MiB records (the original file's chunks), MB/s.
    pub aes_gcm_mb_s: f64,
    /// SHA-256 throughput on 1 MiB, MB/s.
    pub sha256_mb_s: f64,
}

/// Measures the per-record steps of storing `n` synthetic messages and the raw cipher
/// speeds. AES-NI + PCLMULQDQ and SHA-NI are picked at run time by the `aes`/`ghash` and
/// `sha2` crates (`cpufeatures`); software AES-GCM manages about 100–200 MB/s and
/// software SHA-256 about 400–500 MB/s, so the MB/s here tell whether they are in use.
pub fn micro(n: usize) -> MicroBench {
    use super::crypto::Keys;
    let keys = Keys::from_data_key(super::crypto::new_data_key());
    let bodies: Vec<&str> = BODIES
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let msgs: Vec<Message> = (0..n).map(|i| synthetic(&bodies, i).0).collect();
    let t = Clock::now();
    let jsons: Vec<Vec<u8>> = msgs
        .iter()
        .map(|m| {
            super::to_json(&super::MessageRecordRef::<()> {
                source_id: 1,
                message: m,
                annex: None,
            })
        })
        .collect();
    let json_us = t.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    let record_bytes = jsons.iter().map(Vec::len).sum::<usize>() as f64 / n.max(1) as f64;
    let aad = super::store::aad(
        super::store::Table::Message,
        1,
        1,
        &super::store::Extra::None,
    );
    let t = Clock::now();
    let sealed: Vec<([u8; 12], Vec<u8>)> = jsons.iter().map(|j| keys.seal(&aad, j)).collect();
    let seal_us = t.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    let t = Clock::now();
    let mut h = [0u8; 32];
    for (nonce, ct) in &sealed {
        h = super::store::chain_hash(&h, &aad, nonce, ct);
    }
    let chain_us = t.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    std::hint::black_box(h);
    let sqlite_us = sqlite_insert_us(&sealed).unwrap_or(f64::NAN);
    let t = Clock::now();
    for m in &msgs {
        std::hint::black_box(keys.dedup_index(&m.fingerprint()));
    }
    let dedup_us = t.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
    let block = vec![0x5au8; 1 << 20];
    let rounds = 64;
    let t = Clock::now();
    for _ in 0..rounds {
        std::hint::black_box(keys.seal(&aad, &block));
    }
    let aes_gcm_mb_s = (rounds as f64 * block.len() as f64 / 1e6) / t.elapsed().as_secs_f64();
    let t = Clock::now();
    for _ in 0..rounds {
        std::hint::black_box(<sha2::Sha256 as sha2::Digest>::digest(&block));
    }
    let sha256_mb_s = (rounds as f64 * block.len() as f64 / 1e6) / t.elapsed().as_secs_f64();
    MicroBench {
        n,
        record_bytes,
        json_us,
        seal_us,
        chain_us,
        dedup_us,
        sqlite_us,
        aes_gcm_mb_s,
        sha256_mb_s,
    }
}

/// Inserts `rows` as message rows into a fresh vault-configured SQLite file in the temp
/// directory, in one transaction; microseconds per row.
fn sqlite_insert_us(rows: &[([u8; 12], Vec<u8>)]) -> Option<f64> {
    let path = std::env::temp_dir().join(format!("quzheng-micro-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let conn = super::connect(&path, true).ok()?;
    conn.execute_batch(super::store::SCHEMA_V1).ok()?;
    let t = Clock::now();
    let tx = conn.unchecked_transaction().ok()?;
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO message(id, seq, fp, nonce, ct, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .ok()?;
        for (i, (nonce, ct)) in rows.iter().enumerate() {
            let id = i as i64 + 1;
            stmt.execute(rusqlite::params![
                id,
                id,
                &[7u8; 32][..],
                &nonce[..],
                &ct[..],
                &[9u8; 32][..]
            ])
            .ok()?;
        }
    }
    tx.commit().ok()?;
    let us = t.elapsed().as_secs_f64() * 1e6 / rows.len().max(1) as f64;
    drop(conn);
    let _ = std::fs::remove_file(&path);
    Some(us)
}
