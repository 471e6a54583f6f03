use super::*;
use crate::import::testutil::{build_db, run, sha256_file, shared, temp, try_run};
use crate::import::{sniff, Error as ImportError};
use crate::model::TimeUnit;

#[test]
fn attributed_body_gives_exactly_the_texts_of_the_text_column() {
    let full = shared("ios-db/cs426__sms.db");
    let half = shared("ios-db/cs426__sms-attributedbody-only.db");
    let before = sha256_file(&half);
    let (a, ra) = run(&full, Format::IosDb);
    let (b, _) = run(&half, Format::IosDb);
    assert_eq!(sha256_file(&half), before, "evidence file must not change");
    assert_eq!(a.len(), 105, "{:?}", ra.warnings);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.origin, y.origin);
        assert_eq!(x.body, y.body, "{}", x.origin);
        assert_eq!(x.fingerprint(), y.fingerprint());
    }
    assert_eq!(
        a.iter().filter(|m| m.direction == Direction::Out).count(),
        51
    );
    assert_eq!(
        a.iter()
            .filter(|m| m.service.as_deref() == Some("iMessage"))
            .count(),
        49
    );
    // 599079037641931008 ns after 2001-01-01 = 2019-12-26T18:50:37Z (the first row)
    let first = a
        .iter()
        .find(|m| m.instant.raw == 599_079_037_641_931_008)
        .unwrap();
    assert_eq!(first.instant.unit, TimeUnit::AppleNs);
    assert_eq!(
        first.instant.utc.to_rfc3339(),
        "2019-12-26T18:50:37.641931008+00:00"
    );
    assert_eq!(sniff(&full).unwrap(), Format::IosDb);
}

#[test]
fn reads_synthetic_chinese_database() {
    let (_d, p) = build_db("ios-db/chinese-sms.sql");
    let (m, r) = run(&p, Format::IosDb);
    assert!(r.skipped.is_empty(), "{:?}", r.skipped);
    let bodies: Vec<_> = m.iter().map(|x| x.body.as_str()).collect();
    assert_eq!(m.len(), 6, "{bodies:?}");
    assert_eq!(
        m[0].body,
        "【速借宝】您已逾期3天，请今日18点前还款，否则上门到你家和单位😡"
    );
    assert_eq!(
        m[1].body, "老赖，再不还钱就爆你通讯录👉👉",
        "from attributedBody"
    );
    // Longer than 127 bytes: its typedstream length is the 0x81 + i16 form.
    let court = format!(
        "【XX法院】您涉嫌诈骗已立案，请联系承办人13911112222 & 处理{}",
        "。".repeat(60)
    );
    assert!(court.len() > 127);
    assert_eq!(m[3].body, court);
    assert_eq!(m[2].direction, Direction::Out);
    assert_eq!(
        m[4].address, "chat123456789",
        "group message without handle"
    );
    assert_eq!(m[5].kind, Kind::Mms);
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::NonMessagesIgnored { count: 2 }));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::EmptyRecordsIgnored { count: 1 }));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::AttachmentsUnavailable { count: 1 }));
    // The same SMS as the SB&R export of an Android phone would give the same fingerprint
    // only if times match to the millisecond: Apple ns keep the milliseconds.
    assert_eq!(m[0].instant.utc_ms(), 1_773_104_700_000);
}

fn backup_with(sms_db: &Path, nested: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let c = rusqlite::Connection::open(dir.path().join("Manifest.db")).unwrap();
    c.execute_batch(
        "CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);",
    )
    .unwrap();
    c.execute(
        "INSERT INTO Files VALUES (?1, 'HomeDomain', 'Library/SMS/sms.db', 1, NULL)",
        [SMS_DB_FILE_ID],
    )
    .unwrap();
    drop(c);
    let target = if nested {
        std::fs::create_dir(dir.path().join("3d")).unwrap();
        dir.path().join("3d").join(SMS_DB_FILE_ID)
    } else {
        dir.path().join(SMS_DB_FILE_ID)
    };
    std::fs::copy(sms_db, target).unwrap();
    std::fs::write(
        dir.path().join("Manifest.plist"),
        "<?xml version=\"1.0\"?><plist><dict><key>IsEncrypted</key><false/></dict></plist>",
    )
    .unwrap();
    dir
}

#[test]
fn finds_sms_db_in_an_unencrypted_backup_folder() {
    let full = shared("ios-db/cs426__sms.db");
    for nested in [true, false] {
        let b = backup_with(&full, nested);
        assert_eq!(sniff(b.path()).unwrap(), Format::IosDb);
        let (m, _) = run(b.path(), Format::IosDb);
        assert_eq!(m.len(), 105);
        // The Manifest.db itself names its backup.
        let (m, _) = run(&b.path().join("Manifest.db"), Format::IosDb);
        assert_eq!(m.len(), 105);
    }
}

#[test]
fn keeps_attachments_found_in_a_backup_folder() {
    let (_d, db) = build_db("ios-db/chinese-sms.sql");
    let b = backup_with(&db, true);
    let photo = b"\xFF\xD8\xFF\xE0 synthetic jpeg bytes";
    let id = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
    std::fs::create_dir_all(b.path().join("5e")).unwrap();
    std::fs::write(b.path().join("5e").join(id), photo).unwrap();
    let c = rusqlite::Connection::open(b.path().join("Manifest.db")).unwrap();
    c.execute(
        "INSERT INTO Files VALUES (?1, 'MediaDomain', 'Library/SMS/Attachments/ab/01/ATT-1/IMG_0001.jpeg', 1, NULL)",
        [id],
    )
    .unwrap();
    drop(c);
    let (m, r) = run(b.path(), Format::IosDb);
    let with = m.iter().find(|x| !x.attachments.is_empty()).unwrap();
    let a = &with.attachments[0];
    assert_eq!(a.mime, "image/jpeg");
    assert_eq!(a.name.as_deref(), Some("IMG_0001.jpeg"));
    assert_eq!(a.size, photo.len() as u64);
    assert_eq!(
        a.sha256,
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(photo))
    );
    assert!(!r
        .warnings
        .iter()
        .any(|w| matches!(w.kind, WarningKind::AttachmentsUnavailable { .. })));
    let inner = b.path().join("3d").join(SMS_DB_FILE_ID);
    assert_eq!(
        crate::import::evidence_file(b.path(), Format::Auto).unwrap(),
        inner
    );
    assert_eq!(crate::import::evidence_file(&db, Format::Auto).unwrap(), db);
}

#[test]
fn refuses_encrypted_and_incomplete_backups() {
    let full = shared("ios-db/cs426__sms.db");
    let b = backup_with(&full, true);
    std::fs::write(
        b.path().join("Manifest.plist"),
        "<?xml version=\"1.0\"?><plist><dict><key>IsEncrypted</key>\n  <true/></dict></plist>",
    )
    .unwrap();
    let e = try_run(b.path(), Format::IosDb).unwrap_err();
    assert!(
        matches!(e, crate::Error::Import(ImportError::EncryptedBackup { .. })),
        "{e}"
    );
    assert_eq!(e.kind(), crate::ErrorKind::BadInput);

    // Encrypted Manifest.db (random bytes), binary plist we do not parse.
    let b = backup_with(&full, true);
    std::fs::write(b.path().join("Manifest.plist"), b"bplist00\x01\x02").unwrap();
    std::fs::write(b.path().join("Manifest.db"), [0x5Au8; 4096]).unwrap();
    let e = try_run(b.path(), Format::IosDb).unwrap_err();
    assert!(
        matches!(e, crate::Error::Import(ImportError::EncryptedBackup { .. })),
        "{e}"
    );

    let b = backup_with(&full, true);
    std::fs::remove_file(b.path().join("3d").join(SMS_DB_FILE_ID)).unwrap();
    let e = try_run(b.path(), Format::IosDb).unwrap_err();
    assert!(
        matches!(
            e,
            crate::Error::Import(ImportError::BackupIncomplete { .. })
        ),
        "{e}"
    );

    let empty = tempfile::tempdir().unwrap();
    let e = try_run(empty.path(), Format::IosDb).unwrap_err();
    assert!(
        matches!(e, crate::Error::Import(ImportError::NotABackup { .. })),
        "{e}"
    );
}

#[test]
fn refuses_android_and_foreign_databases() {
    let (_d, p) = build_db("android-db/chinese-mmssms.sql");
    let e = try_run(&p, Format::IosDb).unwrap_err();
    assert!(
        matches!(e, crate::Error::Import(ImportError::WrongFormat { .. })),
        "{e}"
    );
    let (_d, p) = temp(b"SQLite format 3\0not really");
    assert_eq!(
        try_run(&p, Format::IosDb).unwrap_err().kind(),
        crate::ErrorKind::BadInput
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
    #[test]
    fn never_panics_on_damaged_databases(pos in 0usize..16384, len in 1usize..64, byte in proptest::prelude::any::<u8>()) {
        let (_d, p) = build_db("ios-db/chinese-sms.sql");
        let mut bytes = std::fs::read(&p).unwrap();
        let at = pos % bytes.len();
        let end = (at + len).min(bytes.len());
        for b in &mut bytes[at..end] { *b = byte; }
        std::fs::write(&p, &bytes).unwrap();
        let _ = try_run(&p, Format::IosDb);
    }
}
