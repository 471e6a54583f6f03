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
    /// Seconds to change the passphrase (re-wrap only).
    pub passwd_s: f64,
    /// Size of the vault file, bytes.
    pub file_bytes: u64,
    /// CPU seconds of this thread for insert, list and check (when the caller can tell):
    /// on a shared machine wall-clock time overstates what the code costs.
    pub cpu_s: Option<[f64; 3]>,
}

/// A synthetic collection message (no real person's data).
fn synthetic(i: usize) -> (Message, Verdict) {
    const BODIES: [&str; 4] = [
        "【速借宝】您的借款已逾期{}天，请今日内还款，否则将上门拜访并通知您的亲友。",
        "Your loan is {} days overdue. Pay today or we will contact your employer.",
        "【闪电贷】尊敬的客户，您的账单将于{}日到期，请按时还款。",
        "老赖，再不还钱后果自负，已立案处理 {}",
    ];
    let body = BODIES[i % BODIES.len()].replace("{}", &(i % 97).to_string());
    let t = Instant::from_unix_ms(1_767_225_600_000 + i as i64 * 37_000)
        .expect("synthetic instants are in range");
    let m = Message::sms(format!("1069{:07}", i % 5_000), body, t);
    let v = if i % 3 == 0 {
        Verdict {
            collection: true,
            labels: vec![Label::Threat, Label::ThirdPartyDisclosure],
            creditor: Some("速借宝".into()),
            findings: vec![Finding {
                label: Label::Threat,
                rule: "threat.visit".into(),
                start: 20,
                end: 24,
                text: "上门拜访".into(),
            }],
        }
    } else {
        Verdict::default()
    };
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
        let (m, verdict) = synthetic(i);
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
        file_bytes,
        cpu_s,
    })
}
