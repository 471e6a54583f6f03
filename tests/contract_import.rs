//! Contract tests of `quzheng import` (issue 3, ../shared/contract/cli.md): every format end
//! to end through the real binary, duplicates across formats, the summary text, and exit 2
//! with nothing half-imported on hostile files.

use crate::util::{build_db, fails, fixture, shared, TempVault};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

fn messages(v: &TempVault) -> Vec<serde_json::Value> {
    v.cmd(&["messages", "--format", "jsonl"])
        .ok()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

fn sha(p: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

fn import(v: &TempVault, args: &[&str], files: &[&Path]) -> String {
    let mut c = v.cmd(&["import"]);
    for a in args {
        c = c.arg(a);
    }
    for f in files {
        c = c.arg(f);
    }
    c.ok()
}

#[test]
fn every_format_imports_end_to_end_by_content() {
    let v = TempVault::init();
    let android = v.file("phone.bin");
    build_db("android-db/chinese-mmssms.sql", &android);
    let calllog = v.file("calllog.db");
    build_db("android-db/chinese-calllog.sql", &calllog);
    let ios = v.file("sms.db");
    build_db("ios-db/chinese-sms.sql", &ios);
    // (file, records it holds) — names deliberately say nothing true about the content.
    let cases: [(PathBuf, usize); 7] = [
        (fixture("sbr/chinese-collection.xml"), 8),
        (fixture("sbr/calls.xml"), 8),
        (android.clone(), 9),
        (calllog.clone(), 8),
        (ios.clone(), 6),
        (fixture("csv/gbk-header.csv"), 3),
        (fixture("jsonl/chinese.jsonl"), 3),
    ];
    for (f, n) in &cases {
        let v = TempVault::init();
        let out = import(&v, &[], &[f]);
        assert!(
            out.contains(&format!("导入 {n} 条")),
            "{}: {out}",
            f.display()
        );
        assert_eq!(messages(&v).len(), *n, "{}", f.display());
    }
    // One vault with the SB&R export: emoji recombined, Beijing time, kinds.
    let out = import(&v, &[], &[&fixture("sbr/chinese-collection.xml")]);
    assert!(out.contains("导入 8 条"), "{out}");
    let m = messages(&v);
    let first = m
        .iter()
        .find(|x| x["body"].as_str().unwrap().starts_with("【速借宝】"))
        .unwrap();
    assert_eq!(
        first["body"],
        "【速借宝】您已逾期3天，请今日18点前还款，否则上门到你家和单位😡"
    );
    assert_eq!(first["ts"], "2026-03-10T09:05:00+08:00");
    assert_eq!(first["kind"], "sms");
    assert!(m.iter().any(|x| x["kind"] == "mms"));
}

#[test]
fn explicit_formats_are_honoured_and_wrong_ones_refused() {
    let v = TempVault::init();
    let csv = fixture("csv/utf8-bom-noheader.csv");
    let out = import(&v, &["--format", "csv"], &[&csv]);
    assert!(out.contains("导入 2 条"), "{out}");
    let (code, err) = fails(
        &v.cmd(&["import", "--format", "ios-db"])
            .arg(fixture("sbr/calls.xml"))
            .output(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("calls.xml"), "{err}");
    assert_eq!(messages(&v).len(), 2);
}

#[test]
fn the_same_messages_from_another_format_are_duplicates() {
    let v = TempVault::init();
    import(&v, &[], &[&fixture("sbr/chinese-collection.xml")]);
    let db = v.file("mmssms.db");
    build_db("android-db/chinese-mmssms.sql", &db);
    let out = import(&v, &[], &[&db]);
    // 6 SMS + 2 MMS already there from the XML; the blocked message is new.
    assert!(out.contains("导入 1 条"), "{out}");
    assert!(out.contains("重复 8 条"), "{out}");
    let calls = v.file("calllog.db");
    build_db("android-db/chinese-calllog.sql", &calls);
    import(&v, &[], &[&fixture("sbr/calls.xml")]);
    let out = import(&v, &[], &[&calls]);
    assert!(
        out.contains("导入 0 条") && out.contains("重复 8 条"),
        "{out}"
    );
    // The truncated copy of the same backup adds nothing either.
    let out = import(&v, &[], &[&fixture("sbr/truncated.xml")]);
    assert!(
        out.contains("导入 0 条") && out.contains("重复 6 条"),
        "{out}"
    );
    assert_eq!(messages(&v).len(), 17);
}

#[test]
fn the_summary_names_skipped_places_and_warnings() {
    let v = TempVault::init();
    let out = import(
        &v,
        &[],
        &[
            &fixture("jsonl/chinese.jsonl"),
            &fixture("sbr/truncated.xml"),
        ],
    );
    assert!(out.contains("第 4 行：缺少字段 ts"), "{out}");
    assert!(out.contains("第 5 行：不是有效的 JSON"), "{out}");
    assert!(out.contains("备份被截断"), "{out}");
    assert!(out.contains("文件声明有 8 条记录，实际找到 6 条"), "{out}");
    let out = v
        .cmd(&["--lang", "en", "import"])
        .arg(fixture("csv/gbk-header.csv"))
        .ok();
    assert!(out.contains("line 6: field ts is missing"), "{out}");
    assert!(out.contains("read as GB18030"), "{out}");
}

#[test]
fn databases_are_not_modified_by_import() {
    let v = TempVault::init();
    for p in [
        shared("fixtures/sms-formats/android-db/dfrws2021__samsung_mmssms.db"),
        shared("fixtures/sms-formats/ios-db/cs426__sms-attributedbody-only.db"),
    ] {
        let before = sha(&p);
        let out = import(&v, &[], &[&p]);
        assert!(!out.contains("导入 0 条"), "{out}");
        assert_eq!(sha(&p), before, "{} changed", p.display());
        assert!(!PathBuf::from(format!("{}-journal", p.display())).exists());
        assert!(!PathBuf::from(format!("{}-wal", p.display())).exists());
    }
}

#[test]
fn hostile_files_exit_2_and_leave_the_vault_unchanged() {
    let v = TempVault::init();
    import(&v, &[], &[&fixture("jsonl/chinese.jsonl")]);
    let before = messages(&v);
    let good = std::fs::read_to_string(fixture("sbr/chinese-collection.xml")).unwrap();
    // Complete records first, then a hostile part (nesting no backup has): the whole file is
    // refused, so the six records before it are not half-imported.
    let broken_middle = good.replacen("<mms ", &format!("{}<mms ", "<x>".repeat(100)), 1);
    let deep = format!("<smses count=\"1\">{}", "<x>".repeat(50_000));
    let foreign = v.file("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE recipes (id INTEGER, name TEXT);")
        .unwrap();
    let encrypted = v.file("backup");
    std::fs::create_dir(&encrypted).unwrap();
    std::fs::write(encrypted.join("Manifest.db"), [0x33u8; 4096]).unwrap();
    std::fs::write(encrypted.join("Manifest.plist"), b"bplist00").unwrap();
    let mut random = Vec::new();
    let mut x: u32 = 0x1234_5678;
    for _ in 0..65_536 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        random.push(x as u8);
    }
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty.xml", Vec::new()),
        (
            "backup.xml",
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00rest-of-a-zip".to_vec(),
        ),
        ("random.xml", random),
        ("deep.xml", deep.into_bytes()),
        ("broken-middle.xml", broken_middle.into_bytes()),
    ];
    let mut paths: Vec<PathBuf> = files
        .into_iter()
        .map(|(name, bytes)| {
            let p = v.file(name);
            std::fs::write(&p, bytes).unwrap();
            p
        })
        .collect();
    paths.push(foreign);
    paths.push(encrypted);
    for p in &paths {
        let (code, err) = fails(&v.cmd(&["import"]).arg(p).output());
        assert_eq!(code, 2, "{}: {err}", p.display());
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        assert!(err.contains(&name), "the message names the file: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(messages(&v), before, "{} changed the vault", p.display());
    }
    let (_, err) = fails(&v.cmd(&["import"]).arg(&paths[6]).output());
    assert!(err.contains("加密"), "{err}");
    v.cmd(&["check"]).ok();
}

#[test]
fn fixture_checksums_match() {
    let dir = fixture("");
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    for line in sums.lines() {
        let (hash, name) = line.split_once("  ").unwrap();
        assert_eq!(sha(&dir.join(name)), hash, "{name}");
    }
}
