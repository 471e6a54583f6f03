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
