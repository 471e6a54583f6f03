//! Unit tests of the vault through its library API.

use super::*;
use crate::model::{Finding, Instant};

const PASS: &str = "test passphrase";

fn fast(path: &Path) -> Vault {
    Vault::create_with(path, PASS, KdfParams::FAST_FOR_TESTS).unwrap()
}

fn msg(i: i64, body: &str) -> Message {
    Message::sms(
        format!("1380013{:04}", i % 10_000),
        body,
        Instant::from_unix_ms(1_770_000_000_000 + i * 60_000).unwrap(),
    )
}

fn src(name: &str) -> SourceMeta {
    SourceMeta {
        name: name.into(),
        size: 0,
        sha256: None,
    }
}

fn import(v: &mut Vault, bytes: &[u8], msgs: &[Message]) -> (u64, u64) {
    let mut tx = v.begin_import(src("a.jsonl"), &mut &bytes[..]).unwrap();
    for m in msgs {
        tx.add(m, &Verdict::default()).unwrap();
    }
    let r = (tx.added(), tx.duplicates());
    tx.commit(serde_json::json!({})).unwrap();
    r
}

fn threat() -> Verdict {
    Verdict {
        collection: true,
        labels: vec![Label::Threat],
        creditor: Some("Lender".into()),
        findings: vec![Finding {
            label: Label::Threat,
            rule: "threat.visit".into(),
            start: 0,
            end: 2,
            text: "上门".into(),
        }],
    }
}

#[test]
fn stores_and_reads_back_messages() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    let msgs: Vec<_> = (0..50).map(|i| msg(i, &format!("上门催收 {i}"))).collect();
    assert_eq!(import(&mut v, b"raw source bytes", &msgs), (50, 0));
    drop(v);
    let v = Vault::open(&p, PASS).unwrap();
    let got = v.messages().unwrap();
    assert_eq!(got.len(), 50);
    assert_eq!(got[7].message, msgs[7]);
    assert_eq!(got[7].id, 8);
    let s = v.sources().unwrap();
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].size, 16);
    assert_eq!(
        s[0].sha256,
        hex::encode(Sha256::digest(b"raw source bytes"))
    );
    let mut back = Vec::new();
    v.source_bytes(s[0].id, &mut back).unwrap();
    assert_eq!(back, b"raw source bytes");
    assert!(v.check().unwrap().is_intact());
}

#[test]
fn reimport_adds_nothing() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    let msgs: Vec<_> = (0..20).map(|i| msg(i, "还钱")).collect();
    assert_eq!(import(&mut v, b"x", &msgs), (20, 0));
    assert_eq!(import(&mut v, b"x", &msgs), (0, 20));
    assert_eq!(v.message_count().unwrap(), 20);
    assert!(v.check().unwrap().is_intact());
}

#[test]
fn dropped_import_rolls_back() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    {
        let mut tx = v.begin_import(src("a"), &mut &b"abc"[..]).unwrap();
        tx.add(&msg(1, "x"), &threat()).unwrap();
    }
    assert_eq!(v.message_count().unwrap(), 0);
    assert!(v.sources().unwrap().is_empty());
    assert!(v.check().unwrap().is_intact());
    assert_eq!(import(&mut v, b"abc", &[msg(1, "x")]), (1, 0));
    assert!(v.check().unwrap().is_intact());
}

#[test]
fn wrong_passphrase_is_not_damage() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    drop(fast(&p));
    let before = std::fs::read(&p).unwrap();
    let e = Vault::open(&p, "nope").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WrongPassphrase);
    assert_eq!(std::fs::read(&p).unwrap(), before);
}

#[test]
fn passwd_rewraps_only_the_key() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    import(&mut v, b"x", &[msg(1, "a"), msg(2, "b")]);
    v.change_passphrase_with("new one", KdfParams::FAST_FOR_TESTS)
        .unwrap();
    drop(v);
    assert_eq!(
        Vault::open(&p, PASS).unwrap_err().kind(),
        ErrorKind::WrongPassphrase
    );
    let v = Vault::open(&p, "new one").unwrap();
    assert_eq!(v.messages().unwrap().len(), 2);
    assert!(v.check().unwrap().is_intact());
    assert!(v
        .events()
        .unwrap()
        .iter()
        .any(|e| e.kind == EventKind::Passwd));
}

#[test]
fn verdicts_corrections_aliases_settings() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    import(&mut v, b"x", &[msg(1, "上门"), msg(2, "b")]);
    v.store_verdicts("rules-1", &[(1, threat())]).unwrap();
    v.add_correction(
        1,
        Correction {
            add: vec![Label::Insult],
            remove: vec![Label::Threat],
            note: "not a threat".into(),
            at: Utc::now(),
        },
    )
    .unwrap();
    assert_eq!(
        v.add_correction(
            99,
            Correction {
                add: vec![],
                remove: vec![],
                note: String::new(),
                at: Utc::now()
            }
        )
        .unwrap_err()
        .kind(),
        ErrorKind::BadInput
    );
    let m = v.messages().unwrap();
    assert_eq!(m[0].verdict, threat());
    let eff = m[0].effective();
    assert_eq!(eff.labels, vec![Label::Insult]);
    assert!(eff.findings.is_empty());
    v.set_creditor_alias("Lender", "Lender Co").unwrap();
    v.merge_creditor("Lender Co", "Big Lender").unwrap();
    let a = v.creditor_aliases().unwrap();
    assert_eq!(a.get("Lender").map(String::as_str), Some("Big Lender"));
    let s = VaultSettings {
        max_per_day: 5,
        ..VaultSettings::default()
    };
    v.set_settings(&s).unwrap();
    assert_eq!(v.settings().unwrap(), s);
    v.log_event(EventKind::Export, serde_json::json!({"pdf": "x"}))
        .unwrap();
    let r = v.check().unwrap();
    assert!(r.is_intact(), "{:?}", r.problems);
}

fn flip_in(p: &Path, table: &str, id: i64) {
    let c = Connection::open(p).unwrap();
    let mut ct: Vec<u8> = c
        .query_row(
            &format!("SELECT ct FROM {table} WHERE id = {id}"),
            [],
            |r| r.get(0),
        )
        .unwrap();
    ct[3] ^= 0x01;
    c.execute(&format!("UPDATE {table} SET ct = ?1 WHERE id = {id}"), [ct])
        .unwrap();
}

#[test]
fn check_names_a_flipped_message() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    import(
        &mut v,
        b"x",
        &(0..10).map(|i| msg(i, "m")).collect::<Vec<_>>(),
    );
    drop(v);
    let c = Connection::open(&p).unwrap();
    let mut ct: Vec<u8> = c
        .query_row("SELECT ct FROM message WHERE id = 4", [], |r| r.get(0))
        .unwrap();
    ct[5] ^= 0x80;
    c.execute("UPDATE message SET ct = ?1 WHERE id = 4", [ct])
        .unwrap();
    drop(c);
    let v = Vault::open(&p, PASS).unwrap();
    let r = v.check().unwrap();
    assert!(
        r.problems
            .iter()
            .any(|x| matches!(x, Problem::Damaged { table, id: 4, .. } if table == "message")),
        "{:?}",
        r.problems
    );
    assert_eq!(v.messages().unwrap_err().kind(), ErrorKind::Damaged);
}

#[test]
fn check_catches_a_flipped_chunk_and_event() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    import(&mut v, b"source", &[msg(1, "m")]);
    drop(v);
    flip_in(&p, "chunk", 1);
    flip_in(&p, "event", 1);
    let v = Vault::open(&p, PASS).unwrap();
    let r = v.check().unwrap();
    assert!(r
        .problems
        .iter()
        .any(|x| matches!(x, Problem::Damaged { table, .. } if table == "chunk")));
    assert!(r
        .problems
        .iter()
        .any(|x| matches!(x, Problem::Damaged { table, id: 1, .. } if table == "event")));
}

#[test]
fn check_catches_deleted_rows_anywhere() {
    for (table, id) in [
        ("message", 3),
        ("message", 10),
        ("verdict", 1),
        ("event", 2),
    ] {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("v.qz");
        let mut v = fast(&p);
        let mut tx = v.begin_import(src("a"), &mut &b"x"[..]).unwrap();
        for i in 0..10 {
            tx.add(&msg(i, "m"), &threat()).unwrap();
        }
        tx.commit(serde_json::json!({})).unwrap();
        drop(v);
        let c = Connection::open(&p).unwrap();
        assert_eq!(
            c.execute(&format!("DELETE FROM {table} WHERE id = {id}"), [])
                .unwrap(),
            1
        );
        drop(c);
        let v = Vault::open(&p, PASS).unwrap();
        let r = v.check().unwrap();
        assert!(
            r.problems.iter().any(|x| matches!(x, Problem::MissingRows { table: t, from, .. } if t == table && *from == id)),
            "{table} {id}: {:?}",
            r.problems
        );
    }
}

#[test]
fn check_catches_swapped_records() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    import(
        &mut v,
        b"x",
        &(0..5).map(|i| msg(i, "m")).collect::<Vec<_>>(),
    );
    drop(v);
    let c = Connection::open(&p).unwrap();
    c.execute_batch(
        "UPDATE message SET id = -1 WHERE id = 2; UPDATE message SET id = 2 WHERE id = 3; UPDATE message SET id = 3 WHERE id = -1;",
    )
    .unwrap();
    drop(c);
    let v = Vault::open(&p, PASS).unwrap();
    let r = v.check().unwrap();
    let damaged: Vec<i64> = r
        .problems
        .iter()
        .filter_map(|x| match x {
            Problem::Damaged { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert!(
        damaged.contains(&2) && damaged.contains(&3),
        "{:?}",
        r.problems
    );
}

#[test]
fn newer_schema_is_refused_untouched() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    drop(fast(&p));
    let c = Connection::open(&p).unwrap();
    store::meta_set(&c, "schema", b"99").unwrap();
    drop(c);
    let before = std::fs::read(&p).unwrap();
    let e = Vault::open(&p, PASS).unwrap_err();
    assert!(matches!(e, Error::TooNew { found: 99, .. }));
    assert_eq!(std::fs::read(&p).unwrap(), before);
}

#[test]
fn damaged_header_is_not_a_wrong_passphrase() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    drop(fast(&p));
    let c = Connection::open(&p).unwrap();
    let mut w = store::meta_get(&c, "wrap_ct").unwrap().unwrap();
    w[0] ^= 1;
    store::meta_set(&c, "wrap_ct", &w).unwrap();
    drop(c);
    assert_eq!(
        Vault::open(&p, PASS).unwrap_err().kind(),
        ErrorKind::Damaged
    );
}

#[test]
fn truncated_chain_is_caught() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    import(
        &mut v,
        b"x",
        &(0..3).map(|i| msg(i, "m")).collect::<Vec<_>>(),
    );
    drop(v);
    let c = Connection::open(&p).unwrap();
    // The last record written is the import event.
    c.execute(
        "DELETE FROM event WHERE id = (SELECT max(id) FROM event)",
        [],
    )
    .unwrap();
    drop(c);
    let v = Vault::open(&p, PASS).unwrap();
    assert!(!v.check().unwrap().is_intact());
}

#[test]
fn nothing_readable_at_rest() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    let secret = "你再不还钱就上门找你父母 13912345678 SuJieBao";
    let mut m = msg(1, secret);
    m.address = "13912345678".into();
    let mut tx = v
        .begin_import(src("evidence-SuJieBao.xml"), &mut secret.as_bytes())
        .unwrap();
    tx.add(&m, &threat()).unwrap();
    tx.commit(serde_json::json!({"file": "evidence-SuJieBao.xml"}))
        .unwrap();
    v.set_creditor_alias("SuJieBao", "SuJieBao Ltd").unwrap();
    drop(v);
    let bytes = std::fs::read(&p).unwrap();
    for needle in ["13912345678", "SuJieBao", "上门"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} readable"
        );
    }
}

#[test]
fn older_schema_is_migrated_with_an_event() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("v.qz");
    let mut v = fast(&p);
    import(&mut v, b"x", &[msg(1, "a")]);
    drop(v);
    let c = Connection::open(&p).unwrap();
    store::meta_set(&c, "schema", b"0").unwrap();
    drop(c);
    let v = Vault::open(&p, PASS).unwrap();
    let e = v.events().unwrap();
    assert_eq!(e.last().unwrap().kind, EventKind::Migration);
    assert!(v.check().unwrap().is_intact());
    drop(v);
    let c = Connection::open(&p).unwrap();
    assert_eq!(
        store::meta_get(&c, "schema").unwrap().unwrap(),
        store::SCHEMA_VERSION.to_string().into_bytes()
    );
}

#[cfg(unix)]
#[test]
fn vault_file_and_new_directory_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("new/dir/v.qz");
    drop(fast(&p));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&p), 0o600);
    assert_eq!(mode(p.parent().unwrap()), 0o700);
}

/// A vault with a record in every table.
fn full_vault(p: &Path) {
    let mut v = fast(p);
    let mut tx = v
        .begin_import(src("a.xml"), &mut &b"original bytes"[..])
        .unwrap();
    for i in 0..3 {
        tx.add(&msg(i, "m"), &threat()).unwrap();
    }
    tx.commit(serde_json::json!({})).unwrap();
    v.add_correction(
        1,
        Correction {
            add: vec![Label::Insult],
            remove: vec![],
            note: "n".into(),
            at: Utc::now(),
        },
    )
    .unwrap();
}

#[test]
fn every_flipped_blob_and_deleted_row_is_caught() {
    let d = tempfile::tempdir().unwrap();
    let base = d.path().join("base.qz");
    full_vault(&base);
    let cols: &[(&str, &[&str])] = &[
        ("event", &["nonce", "ct", "hash"]),
        ("source", &["nonce", "ct", "hash"]),
        ("chunk", &["nonce", "ct", "hash"]),
        ("message", &["fp", "nonce", "ct", "hash"]),
        ("verdict", &["nonce", "ct", "hash"]),
        ("correction", &["nonce", "ct", "hash"]),
    ];
    let mut n = 0;
    for (table, blobs) in cols {
        for col in *blobs {
            let p = d.path().join(format!("{table}-{col}.qz"));
            std::fs::copy(&base, &p).unwrap();
            let c = Connection::open(&p).unwrap();
            let mut b: Vec<u8> = c
                .query_row(
                    &format!("SELECT {col} FROM {table} WHERE id = 1"),
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let mid = b.len() / 2;
            b[mid] ^= 0x10;
            c.execute(&format!("UPDATE {table} SET {col} = ?1 WHERE id = 1"), [b])
                .unwrap();
            drop(c);
            let r = Vault::open(&p, PASS).unwrap().check().unwrap();
            assert!(!r.is_intact(), "flipped {table}.{col} not caught");
            n += 1;
        }
        let p = d.path().join(format!("{table}-deleted.qz"));
        std::fs::copy(&base, &p).unwrap();
        let c = Connection::open(&p).unwrap();
        assert_eq!(
            c.execute(&format!("DELETE FROM {table} WHERE id = 1"), [])
                .unwrap(),
            1
        );
        drop(c);
        let r = Vault::open(&p, PASS).unwrap().check().unwrap();
        assert!(
            r.problems
                .iter()
                .any(|x| matches!(x, Problem::MissingRows { table: t, from: 1, .. } if t == table)),
            "deleted {table} #1 not named: {:?}",
            r.problems
        );
        n += 1;
    }
    assert_eq!(n, 25);
    // Header blobs: a damaged header is damage, never "wrong passphrase".
    for key in [
        "salt",
        "kdf",
        "wrap_nonce",
        "wrap_ct",
        "header_sum",
        "check_ct",
        "vault_id",
    ] {
        let p = d.path().join(format!("meta-{key}.qz"));
        std::fs::copy(&base, &p).unwrap();
        let c = Connection::open(&p).unwrap();
        let mut b = store::meta_get(&c, key).unwrap().unwrap();
        b[0] ^= 0x01;
        store::meta_set(&c, key, &b).unwrap();
        drop(c);
        let e = Vault::open(&p, PASS).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Damaged, "meta {key}: {e:?}");
    }
    let p = d.path().join("meta-head.qz");
    std::fs::copy(&base, &p).unwrap();
    let c = Connection::open(&p).unwrap();
    let mut b = store::meta_get(&c, "head").unwrap().unwrap();
    b[40] ^= 0x01;
    store::meta_set(&c, "head", &b).unwrap();
    drop(c);
    let r = Vault::open(&p, PASS).unwrap().check().unwrap();
    assert!(r.problems.contains(&Problem::HeadDamaged));
}

#[test]
fn new_vaults_use_16_kib_pages() {
    let dir = tempfile::tempdir().unwrap();
    let v = fast(&dir.path().join("v.qz"));
    let size: i64 = v
        .conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(size, 16384);
}

#[test]
fn import_after_a_current_snapshot_trusts_the_caller_and_a_stale_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = fast(&dir.path().join("v.qz"));
    import(&mut v, b"a", &[msg(1, "one"), msg(2, "two")]);
    let snap = v.dedup_snapshot().unwrap();
    assert_eq!(snap.last_message_id, 2);
    assert!(snap
        .indexes
        .contains(&DedupSnapshot::short(&v.dedup_index(&msg(1, "one")))));
    // Current: the caller decides.
    let tx = v
        .begin_import_after(src("b"), &mut &b"b"[..], &snap)
        .unwrap();
    assert!(tx.trusts_caller());
    drop(tx);
    // Stale: another import stored a message since; the transaction decides exactly.
    import(&mut v, b"c", &[msg(3, "three")]);
    let mut tx = v
        .begin_import_after(src("d"), &mut &b"d"[..], &snap)
        .unwrap();
    assert!(!tx.trusts_caller());
    let fp = tx.admit(&msg(3, "three"));
    assert!(fp.is_none());
    assert_eq!(tx.duplicates(), 1);
}

#[test]
fn an_annex_is_sealed_with_its_message_and_read_back_only_when_asked_for() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Facts {
        score: i32,
    }
    #[derive(Debug, Deserialize)]
    struct Other {
        #[allow(dead_code)]
        name: String,
    }
    let dir = tempfile::tempdir().unwrap();
    let mut v = fast(&dir.path().join("v.qz"));
    let mut tx = v.begin_import(src("a"), &mut &b"a"[..]).unwrap();
    let (a, b) = (msg(1, "one"), msg(2, "two"));
    let fa = tx.admit(&a).unwrap();
    tx.store_admitted_with(fa, &a, &Verdict::default(), Some(&Facts { score: 7 }))
        .unwrap();
    let fb = tx.admit(&b).unwrap();
    tx.store_admitted(fb, &b, &Verdict::default()).unwrap();
    tx.commit(serde_json::json!({})).unwrap();
    let mut got = Vec::new();
    v.for_each_message_with(|id, m, f: Option<Facts>| got.push((id, m.body, f)))
        .unwrap();
    assert_eq!(
        got,
        vec![
            (1, "one".to_string(), Some(Facts { score: 7 })),
            (2, "two".to_string(), None)
        ]
    );
    // An annex of another shape is not damage, just absent.
    let mut n = 0;
    v.for_each_message_with(|_, _, f: Option<Other>| {
        assert!(f.is_none());
        n += 1;
    })
    .unwrap();
    assert_eq!(n, 2);
    assert_eq!(v.messages().unwrap()[0].message, a);
    assert!(v.check().unwrap().is_intact());
}

#[test]
fn streamed_verdicts_must_match_their_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = fast(&dir.path().join("v.qz"));
    import(&mut v, b"a", &[msg(1, "one"), msg(2, "two")]);
    let t = threat();
    let mut it = [(1, std::borrow::Cow::Borrowed(&t))].into_iter();
    assert!(v.store_verdicts_from("r1", 2, &mut it).is_err());
    assert_eq!(v.messages().unwrap()[0].verdict, Verdict::default());
    let mut it = [(1, std::borrow::Cow::Borrowed(&t))].into_iter();
    v.store_verdicts_from("r1", 1, &mut it).unwrap();
    assert_eq!(v.messages().unwrap()[0].verdict, t);
    let mut it = [(9, std::borrow::Cow::Borrowed(&t))].into_iter();
    assert!(matches!(
        v.store_verdicts_from("r1", 1, &mut it),
        Err(Error::UnknownMessage { id: 9 })
    ));
    assert!(v.check().unwrap().is_intact());
}
