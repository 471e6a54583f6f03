//! Contract tests of the vault commands (`init`, `import`, `messages`, `check`, `passwd`)
//! against the real binary: exit codes, tamper detection, crash safety, dedup and that
//! nothing readable is left at rest (../shared/contract/cli.md, issue 2).

use crate::util::{fails, TempVault, PASS};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Synthetic collection messages with text, phone numbers and a lender name to grep for.
const LENDER: &str = "速借宝金融";
const PHONE: &str = "13912345678";
const SECRET_TEXT: &str = "不还钱就去你单位拉横幅";

fn sample_jsonl() -> String {
    [
        format!(r#"{{"id":"a1","address":"{PHONE}","body":"【{LENDER}】您已逾期3天，{SECRET_TEXT}。","ts":"2026-03-10T09:05:00+08:00"}}"#),
        r#"{"id":"a2","address":"10690001234","body":"【闪电贷】您的账单已还清，感谢使用。","ts":"2026-03-11T23:30:00+08:00"}"#.to_string(),
        r#"{"id":"a3","address":"+86 138-0013-8000","body":"好的，明天见","ts":"2026-03-12T10:00:00+08:00","direction":"out"}"#.to_string(),
    ]
    .join("\n")
        + "\n"
}

fn write(v: &TempVault, name: &str, text: &str) -> std::path::PathBuf {
    let p = v.file(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn jsonl_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect()
}

#[test]
fn init_prints_the_path_and_refuses_to_overwrite() {
    let v = TempVault::new();
    let out = v.cmd(&["init"]).ok();
    assert_eq!(out.trim(), v.path.display().to_string());
    assert!(v.path.is_file());
    let (code, err) = fails(&v.cmd(&["init"]).output());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("已存在"), "{err}");
}

#[test]
fn wrong_passphrase_exits_3_and_changes_nothing() {
    let v = TempVault::init();
    let f = write(&v, "a.jsonl", &sample_jsonl());
    v.cmd(&["import"]).arg(&f).ok();
    let before = std::fs::read(&v.path).unwrap();
    for cmd in [&["check"][..], &["messages"], &["passwd"]] {
        let out = v
            .cmd(cmd)
            .env("QUZHENG_PASSPHRASE", "not the passphrase")
            .env("QUZHENG_NEW_PASSPHRASE", "x")
            .output();
        let (code, err) = fails(&out);
        assert_eq!(code, 3, "{cmd:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
        assert!(err.contains("密码不正确"), "{err}");
    }
    let out = v
        .cmd(&["--lang", "en", "import"])
        .arg(&f)
        .env("QUZHENG_PASSPHRASE", "nope")
        .output();
    let (code, err) = fails(&out);
    assert_eq!(code, 3);
    assert!(err.contains("Wrong passphrase"), "{err}");
    assert_eq!(
        std::fs::read(&v.path).unwrap(),
        before,
        "vault bytes changed"
    );
}

#[test]
fn import_lists_contract_fields() {
    let v = TempVault::init();
    let text = sample_jsonl();
    let f = write(&v, "export.jsonl", &text);
    let out = v.cmd(&["import"]).arg(&f).ok();
    assert!(out.contains("导入 3 条"), "{out}");
    let lines = jsonl_lines(&v.cmd(&["messages", "--format", "jsonl"]).ok());
    assert_eq!(lines.len(), 3);
    let sha = hex::encode(Sha256::digest(text.as_bytes()));
    for l in &lines {
        for k in [
            "id",
            "address",
            "body",
            "ts",
            "direction",
            "kind",
            "source",
            "collection",
            "labels",
            "creditor",
            "findings",
        ] {
            assert!(l.get(k).is_some(), "missing {k} in {l}");
        }
        assert_eq!(l["source"]["name"], "export.jsonl");
        assert_eq!(l["source"]["sha256"], sha.as_str());
        assert_eq!(l["kind"], "sms");
        assert!(l["ts"].as_str().unwrap().ends_with("+08:00"), "{l}");
    }
    // Newest last, times in Beijing time as written.
    assert_eq!(lines[0]["ts"], "2026-03-10T09:05:00+08:00");
    assert_eq!(lines[2]["direction"], "out");
    assert_eq!(lines[0]["address"], PHONE);
    assert!(lines[0]["body"].as_str().unwrap().contains(SECRET_TEXT));
    // Period filters are local days, inclusive.
    let some = jsonl_lines(
        &v.cmd(&[
            "messages",
            "--format",
            "jsonl",
            "--since",
            "2026-03-11",
            "--until",
            "2026-03-11",
        ])
        .ok(),
    );
    assert_eq!(some.len(), 1);
    assert_eq!(some[0]["ts"], "2026-03-11T23:30:00+08:00");
    // The table names its columns.
    let table = v.cmd(&["messages"]).ok();
    assert!(table.contains("编号") && table.contains(PHONE), "{table}");
}

#[test]
fn reimport_adds_nothing() {
    let v = TempVault::init();
    let f = write(&v, "a.jsonl", &sample_jsonl());
    v.cmd(&["import"]).arg(&f).ok();
    let first = v.cmd(&["messages", "--format", "jsonl"]).ok();
    let out = v.cmd(&["import"]).arg(&f).ok();
    assert!(out.contains("导入 0 条，重复 3 条"), "{out}");
    // The same messages from a differently named copy are duplicates too.
    let g = write(&v, "copy.jsonl", &sample_jsonl());
    let out = v.cmd(&["import"]).arg(&g).ok();
    assert!(out.contains("导入 0 条，重复 3 条"), "{out}");
    assert_eq!(v.cmd(&["messages", "--format", "jsonl"]).ok(), first);
    v.cmd(&["check"]).ok();
}

#[test]
fn import_create_makes_the_vault() {
    let v = TempVault::new();
    let f = write(&v, "a.jsonl", &sample_jsonl());
    let (code, err) = fails(&v.cmd(&["import"]).arg(&f).output());
    assert_eq!(code, 2, "{err}");
    assert!(!v.path.exists());
    v.cmd(&["import", "--create"]).arg(&f).ok();
    assert_eq!(
        jsonl_lines(&v.cmd(&["messages", "--format", "jsonl"]).ok()).len(),
        3
    );
}

/// Finds `needle` in the raw vault file and flips one bit in its middle.
fn flip_raw(path: &Path, needle: &[u8]) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("blob is in the file");
    bytes[at + needle.len() / 2] ^= 0x04;
    std::fs::write(path, bytes).unwrap();
}

fn blob(path: &Path, sql: &str) -> Vec<u8> {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn flipped_byte_in_a_message_is_named() {
    let v = TempVault::init();
    let f = write(&v, "a.jsonl", &sample_jsonl());
    v.cmd(&["import"]).arg(&f).ok();
    v.cmd(&["check"]).ok();
    flip_raw(
        &v.path,
        &blob(&v.path, "SELECT ct FROM message WHERE id = 2"),
    );
    let out = v.cmd(&["check"]).output();
    let (code, _) = fails(&out);
    assert_eq!(code, 1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("消息 #2"), "{stdout}");
    // Listing refuses to show damaged evidence as if it were fine.
    let (code, err) = fails(&v.cmd(&["messages"]).output());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("消息 #2"), "{err}");
}

#[test]
fn flipped_byte_in_the_stored_original_is_named() {
    let v = TempVault::init();
    let f = write(&v, "a.jsonl", &sample_jsonl());
    v.cmd(&["import"]).arg(&f).ok();
    flip_raw(&v.path, &blob(&v.path, "SELECT ct FROM chunk WHERE id = 1"));
    let out = v.cmd(&["--lang", "en", "check"]).output();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("source chunk #1"), "{stdout}");
}

#[test]
fn deleted_row_is_caught() {
    for (table, name) in [("message", "消息 #2"), ("event", "事件 #2")] {
        let v = TempVault::init();
        let f = write(&v, "a.jsonl", &sample_jsonl());
        v.cmd(&["import"]).arg(&f).ok();
        let c = rusqlite::Connection::open(&v.path).unwrap();
        assert_eq!(
            c.execute(&format!("DELETE FROM {table} WHERE id = 2"), [])
                .unwrap(),
            1
        );
        drop(c);
        let out = v.cmd(&["check"]).output();
        assert_eq!(out.status.code(), Some(1), "{table}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains(name), "{table}: {stdout}");
        assert!(stdout.contains("缺失"), "{stdout}");
    }
}

fn big_jsonl(n: usize) -> String {
    let mut s = String::with_capacity(n * 140);
    for i in 0..n {
        let day = 1 + (i / 50_000) % 28;
        let (h, m, sec) = ((i / 3600) % 24, (i / 60) % 60, i % 60);
        s.push_str(&format!(
            "{{\"id\":\"b{i}\",\"address\":\"1069{:07}\",\"body\":\"【{LENDER}】第{i}次提醒：{SECRET_TEXT}\",\"ts\":\"2026-02-{day:02}T{h:02}:{m:02}:{sec:02}+08:00\"}}\n",
            i % 1000
        ));
    }
    s
}

#[test]
fn killed_import_leaves_a_clean_vault_and_rerun_completes() {
    let v = TempVault::init();
    let n = 150_000;
    let f = write(&v, "big.jsonl", &big_jsonl(n));
    let journal = v.path.with_file_name("vault.qz-journal");
    let mut child = Command::new(env!("CARGO_BIN_EXE_quzheng"))
        .arg("import")
        .arg(&f)
        .env("QUZHENG_VAULT", &v.path)
        .env("QUZHENG_PASSPHRASE", PASS)
        .env("QUZHENG_TEST_FAST_KDF", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import transaction is writing (its journal exists), then kill -9.
    let start = Instant::now();
    while !journal.exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(400));
    let finished_early = child.try_wait().unwrap().is_some();
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    assert!(
        !finished_early,
        "import finished before it could be killed; make the file bigger"
    );
    // Whatever the interrupted transaction left on disk is ciphertext only.
    for p in [&v.path, &journal] {
        if let Ok(bytes) = std::fs::read(p) {
            for needle in [LENDER, SECRET_TEXT] {
                assert!(
                    !contains(&bytes, needle.as_bytes()),
                    "{needle} readable in {p:?}"
                );
            }
        }
    }
    let out = v.cmd(&["check"]).ok();
    assert!(out.contains("完好"), "{out}");
    let listed = v.cmd(&["messages", "--format", "jsonl"]).ok();
    assert_eq!(listed.lines().count(), 0, "a killed import keeps nothing");
    let out = v.cmd(&["import"]).arg(&f).ok();
    assert!(out.contains(&format!("导入 {n} 条")), "{out}");
    let out = v.cmd(&["import"]).arg(&f).ok();
    assert!(out.contains(&format!("导入 0 条，重复 {n} 条")), "{out}");
    v.cmd(&["check"]).ok();
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn nothing_readable_at_rest() {
    let v = TempVault::init();
    let f = write(&v, &format!("{LENDER}-{PHONE}.jsonl"), &sample_jsonl());
    v.cmd(&["import"]).arg(&f).ok();
    let mut files = vec![v.path.clone()];
    for ext in ["qz-journal", "qz-wal", "qz-shm"] {
        let p = v.path.with_extension(ext);
        if p.exists() {
            files.push(p);
        }
    }
    let normalised = "8613800138000";
    for p in files {
        let bytes = std::fs::read(&p).unwrap();
        for needle in [
            LENDER,
            PHONE,
            SECRET_TEXT,
            "闪电贷",
            "10690001234",
            "138-0013-8000",
            normalised,
            "好的，明天见",
            "export",
            "2026-03-10",
        ] {
            assert!(
                !contains(&bytes, needle.as_bytes()),
                "{needle} readable in {p:?}"
            );
        }
    }
    // Nothing else appeared beside the vault (no temp files left).
    let names: Vec<String> = std::fs::read_dir(v.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n == "vault.qz" || n.ends_with(".jsonl")),
        "{names:?}"
    );
}

#[test]
fn passwd_changes_the_passphrase_only() {
    let v = TempVault::init();
    let f = write(&v, "a.jsonl", &sample_jsonl());
    v.cmd(&["import"]).arg(&f).ok();
    let before = v.cmd(&["messages", "--format", "jsonl"]).ok();
    v.cmd(&["passwd"])
        .env("QUZHENG_NEW_PASSPHRASE", "a new passphrase")
        .ok();
    assert_eq!(fails(&v.cmd(&["messages"]).output()).0, 3);
    let after = v
        .cmd(&["messages", "--format", "jsonl"])
        .env("QUZHENG_PASSPHRASE", "a new passphrase")
        .ok();
    assert_eq!(before, after);
    v.cmd(&["check"])
        .env("QUZHENG_PASSPHRASE", "a new passphrase")
        .ok();
}

#[test]
fn newer_schema_is_refused_without_damage() {
    let v = TempVault::init();
    let c = rusqlite::Connection::open(&v.path).unwrap();
    c.execute(
        "UPDATE meta SET value = CAST('2' AS BLOB) WHERE key = 'schema'",
        [],
    )
    .unwrap();
    drop(c);
    let before = std::fs::read(&v.path).unwrap();
    for cmd in [&["messages"][..], &["check"]] {
        let (code, err) = fails(&v.cmd(cmd).output());
        assert_eq!(code, 4, "{err}");
        assert!(err.contains("升级"), "{err}");
    }
    let f = write(&v, "a.jsonl", &sample_jsonl());
    assert_eq!(fails(&v.cmd(&["import"]).arg(&f).output()).0, 4);
    assert_eq!(std::fs::read(&v.path).unwrap(), before);
}

#[test]
fn exit_codes_0_to_4() {
    let v = TempVault::init();
    let f = write(&v, "a.jsonl", &sample_jsonl());
    // 0
    v.cmd(&["import"]).arg(&f).ok();
    // 2: bad input names the value
    let (code, err) = fails(&v.cmd(&["messages", "--label", "threats"]).output());
    assert_eq!(code, 2);
    assert!(err.contains("threats"), "{err}");
    let (code, err) = fails(&v.cmd(&["messages", "--since", "March"]).output());
    assert_eq!(code, 2);
    assert!(err.contains("March"), "{err}");
    let (code, err) = fails(&v.cmd(&["import"]).arg(v.file("missing.jsonl")).output());
    assert_eq!(code, 2);
    assert!(err.contains("missing.jsonl"), "{err}");
    let notes = write(&v, "notes.txt", "just some words\n");
    let (code, _) = fails(&v.cmd(&["import"]).arg(&notes).output());
    assert_eq!(code, 2);
    // 3
    assert_eq!(
        fails(&v.cmd(&["check"]).env("QUZHENG_PASSPHRASE", "x").output()).0,
        3
    );
    // 1
    flip_raw(&v.path, &blob(&v.path, "SELECT ct FROM event WHERE id = 1"));
    assert_eq!(fails(&v.cmd(&["check"]).output()).0, 1);
    // 4: a vault from the future
    let w = TempVault::init();
    let c = rusqlite::Connection::open(&w.path).unwrap();
    c.execute(
        "UPDATE meta SET value = CAST('9' AS BLOB) WHERE key = 'schema'",
        [],
    )
    .unwrap();
    drop(c);
    assert_eq!(fails(&w.cmd(&["check"]).output()).0, 4);
    // 2: not a vault at all
    let (code, err) = fails(&cmd_for(&notes, &["check"]).output());
    assert_eq!(code, 2);
    assert!(err.contains("不是"), "{err}");
    // No panics or backtraces anywhere.
    assert!(!err.contains("panicked"));
}

fn cmd_for(path: &Path, args: &[&str]) -> crate::util::Cmd {
    crate::util::Cmd::new(args)
        .env("QUZHENG_VAULT", path)
        .env("QUZHENG_PASSPHRASE", PASS)
}
