use super::*;
use crate::import::testutil::{build_db, fixture, run, sha256_file, shared, temp, try_run};
use crate::import::{sniff, Error as ImportError};
use crate::model::Direction;

#[test]
fn reads_the_public_samsung_database_without_changing_it() {
    let p = shared("android-db/dfrws2021__samsung_mmssms.db");
    let before = sha256_file(&p);
    let (m, r) = run(&p, Format::AndroidDb);
    assert_eq!(sha256_file(&p), before, "evidence file must not change");
    let dir = p.parent().unwrap();
    for suffix in ["-journal", "-wal", "-shm"] {
        let side = dir.join(format!("dfrws2021__samsung_mmssms.db{suffix}"));
        assert!(!side.exists(), "{} was created", side.display());
    }
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    assert_eq!(m.len(), 32);
    assert_eq!(
        m.iter().filter(|x| x.direction == Direction::In).count(),
        18
    );
    assert_eq!(
        m.iter().filter(|x| x.direction == Direction::Out).count(),
        14
    );
    assert!(m.iter().any(|x| x.address == "CoopMobile"));
    assert_eq!(sniff(&p).unwrap(), Format::AndroidDb);
}

#[test]
fn reads_synthetic_chinese_database_with_blocked_and_mms() {
    let (_d, p) = build_db("android-db/chinese-mmssms.sql");
    let (m, r) = run(&p, Format::AndroidDb);
    assert_eq!(r.found, 9, "6 sms + 1 blocked + 2 mms");
    assert_eq!(r.skipped.len(), 1);
    assert_eq!(r.skipped[0].location, "sms _id 7");
    assert!(matches!(
        r.skipped[0].reason,
        SkipReason::BadTimestamp { .. }
    ));
    let blocked: Vec<_> = m.iter().filter(|x| x.status == Status::Blocked).collect();
    assert_eq!(blocked.len(), 1);
    assert_eq!(
        blocked[0].body,
        "你再不还，我们就去你单位拉横幅，让你全家丢人"
    );
    let mms: Vec<_> = m.iter().filter(|x| x.kind == Kind::Mms).collect();
    assert_eq!(mms[0].body, "这是你的欠款通知单🧾\n三天内不处理，后果自负");
    assert_eq!(mms[0].address, "10690005555");
    assert_eq!(
        mms[0].instant.utc_ms(),
        1_773_190_000_000,
        "pdu.date is seconds"
    );
    assert_eq!(mms[1].address, "13800138000");
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::NonMessagesIgnored { count: 1 }));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::AttachmentsUnavailable { count: 1 }));
}

#[test]
fn gives_the_same_fingerprints_as_the_sbr_export_of_the_same_phone() {
    let (_d, p) = build_db("android-db/chinese-mmssms.sql");
    let (db, _) = run(&p, Format::AndroidDb);
    let (xml, _) = run(&fixture("sbr/chinese-collection.xml"), Format::Sbr);
    let db_fp: std::collections::HashSet<_> = db.iter().map(|m| m.fingerprint()).collect();
    for x in &xml {
        assert!(db_fp.contains(&x.fingerprint()), "{} not matched", x.origin);
    }
    let (_d2, calls_db) = build_db("android-db/chinese-calllog.sql");
    let (c_db, r) = run(&calls_db, Format::AndroidDb);
    assert!(r.skipped.is_empty());
    let (c_xml, _) = run(&fixture("sbr/calls.xml"), Format::Sbr);
    let fp: Vec<_> = c_db.iter().map(|m| m.fingerprint()).collect();
    let fp_xml: Vec<_> = c_xml.iter().map(|m| m.fingerprint()).collect();
    assert_eq!(fp, fp_xml);
    assert_eq!(c_db[1].contact_name.as_deref(), Some("张三"));
    assert_eq!(c_db[1].duration_s, Some(125));
}

#[test]
fn refuses_foreign_and_broken_databases() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("foreign.db");
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute_batch(
        "CREATE TABLE recipes (id INTEGER, name TEXT); INSERT INTO recipes VALUES (1, 'x');",
    )
    .unwrap();
    drop(c);
    let e = try_run(&p, Format::AndroidDb).unwrap_err();
    assert!(
        matches!(e, crate::Error::Import(ImportError::ForeignSchema { .. })),
        "{e}"
    );
    assert!(matches!(sniff(&p), Err(ImportError::ForeignSchema { .. })));
    assert_eq!(e.kind(), crate::ErrorKind::BadInput);

    // A SQLite header followed by garbage.
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xA5u8, 8192));
    let (_d, p) = temp(&bytes);
    let e = try_run(&p, Format::AndroidDb).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::BadInput, "{e}");

    // `sms` without a date column.
    let p = dir.path().join("nodate.db");
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute_batch("CREATE TABLE sms (_id INTEGER, address TEXT, body TEXT);")
        .unwrap();
    drop(c);
    let e = try_run(&p, Format::AndroidDb).unwrap_err();
    assert!(
        matches!(e, crate::Error::Import(ImportError::MissingColumn { .. })),
        "{e}"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
    #[test]
    fn never_panics_on_damaged_databases(pos in 0usize..16384, len in 1usize..64, byte in proptest::prelude::any::<u8>()) {
        let (_d, p) = build_db("android-db/chinese-mmssms.sql");
        let mut bytes = std::fs::read(&p).unwrap();
        let at = pos % bytes.len();
        let end = (at + len).min(bytes.len());
        for b in &mut bytes[at..end] { *b = byte; }
        std::fs::write(&p, &bytes).unwrap();
        let _ = try_run(&p, Format::AndroidDb);
    }
}
