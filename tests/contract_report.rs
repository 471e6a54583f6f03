//! Contract tests for `report`, `verify` and `demo` (../shared/contract/cli.md): exit codes,
//! what is printed, what is written, and that packs are verifiable and deterministic.

use crate::util::{fails, Cmd, TempVault};
use std::path::{Path, PathBuf};

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name)
}

/// A vault with the bundled sample case imported (and classified by `import`).
fn sample_vault() -> TempVault {
    let v = TempVault::init();
    v.cmd(&["import"])
        .arg(sample("sms-backup.xml"))
        .arg(sample("calls-backup.xml"))
        .ok();
    v
}

fn pdftotext(pdf: &Path) -> Option<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn demo_writes_a_pack_that_verifies_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = Cmd::new(&["demo", "--out"]).arg(dir.path()).ok();
    let pdf = PathBuf::from(out.trim());
    assert!(pdf.exists(), "{out}");
    let stdout = Cmd::new(&["verify"]).arg(&pdf).ok();
    assert!(stdout.contains("intact"), "{stdout}");
    for extra in ["demo.csv", "demo.json", "demo-letter.docx"] {
        assert!(dir.path().join(extra).exists(), "{extra} missing");
    }
    if let Some(text) = pdftotext(&pdf) {
        for needle in [
            "证据目录",
            "证据名称",
            "证明对象",
            "第四十二条",
            "第五十条",
            "报警材料",
            "受案回执",
            "12321",
        ] {
            assert!(text.contains(needle), "pack text lacks {needle}");
        }
        assert!(
            !text.contains("构成违法"),
            "the pack must not conclude guilt"
        );
    }
}

#[test]
fn verify_exit_codes_flipped_byte_appended_update_not_a_pack() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = PathBuf::from(Cmd::new(&["demo", "--out"]).arg(dir.path()).ok().trim());
    let good = std::fs::read(&pdf).unwrap();

    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x04;
    let bad = dir.path().join("flipped.pdf");
    std::fs::write(&bad, &flipped).unwrap();
    let stdout = Cmd::new(&["verify"]).arg(&bad).code(1);
    assert!(
        stdout.contains("damaged") && stdout.lines().count() >= 2,
        "{stdout}"
    );

    let mut appended = good.clone();
    appended.extend_from_slice(b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\nxref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 3 >>\nstartxref\n0\n%%EOF\n");
    let upd = dir.path().join("updated.pdf");
    std::fs::write(&upd, &appended).unwrap();
    let stdout = Cmd::new(&["verify", "--lang", "en"]).arg(&upd).code(1);
    assert!(stdout.contains("appended"), "{stdout}");

    let junk = dir.path().join("junk.pdf");
    std::fs::write(&junk, b"%PDF-1.4\nnot a pack\n%%EOF\n").unwrap();
    let (code, err) = fails(&Cmd::new(&["verify"]).arg(&junk).output());
    assert_eq!(code, 2, "{err}");
    assert!(!err.trim().is_empty() && err.lines().count() == 1, "{err}");

    let (code, _) = fails(
        &Cmd::new(&["verify"])
            .arg(dir.path().join("missing.pdf"))
            .output(),
    );
    assert_eq!(code, 2);
}

#[test]
fn report_prints_path_and_sha256_and_is_byte_identical_for_the_same_vault_and_now() {
    let v = sample_vault();
    // A first report classifies the vault (while `import` does not) and logs an export
    // event, which changes the vault; "the same vault" is a copy taken after that.
    v.cmd(&["report", "--out"]).arg(v.file("first.pdf")).ok();
    let copy = v.file("copy.qz");
    std::fs::copy(&v.path, &copy).unwrap();
    let a = v.file("a.pdf");
    let out = v
        .cmd(&[
            "report",
            "--now",
            "2026-03-01T12:00:00Z",
            "--complainant",
            "张三",
            "--audience",
            "court",
            "--out",
        ])
        .arg(&a)
        .ok();
    let mut lines = out.lines();
    assert_eq!(lines.next().unwrap(), a.display().to_string());
    let sha_line = lines.next().unwrap();
    let sha = sha_line.strip_prefix("sha256 ").unwrap();
    assert_eq!(sha.len(), 64);
    let b = v.file("b.pdf");
    Cmd::new(&[
        "report",
        "--now",
        "2026-03-01T12:00:00Z",
        "--complainant",
        "张三",
        "--audience",
        "court",
        "--out",
    ])
    .arg(&b)
    .env("QUZHENG_VAULT", &copy)
    .env("QUZHENG_PASSPHRASE", crate::util::PASS)
    .ok();
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "same vault + same --now must give the same bytes"
    );
    assert!(v.file("a-letter.docx").exists());
    Cmd::new(&["verify"]).arg(&a).ok();
    if let Some(text) = pdftotext(&a) {
        assert!(text.contains("民事起诉状"));
        assert!(text.contains("张三"));
    }
}

#[test]
fn report_selection_by_creditor_and_period() {
    let v = sample_vault();
    let out = v.file("one.pdf");
    v.cmd(&[
        "report",
        "--creditor",
        "易分期",
        "--since",
        "2026-01-01",
        "--until",
        "2026-01-31",
        "--out",
    ])
    .arg(&out)
    .ok();
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(v.file("one.json")).unwrap()).unwrap();
    let msgs = json["messages"].as_array().unwrap();
    assert!(!msgs.is_empty());
    for m in msgs {
        assert!(m["ts"].as_str().unwrap().starts_with("2026-01"), "{m}");
        assert_eq!(m["address"], "10655123888");
    }
}

#[test]
fn report_bad_input_exits_2_and_leaves_no_file() {
    let v = sample_vault();
    // Unknown creditor.
    let out = v.file("x.pdf");
    let (code, err) = fails(
        &v.cmd(&["report", "--creditor", "不存在的公司", "--out"])
            .arg(&out)
            .output(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("不存在的公司"), "{err}");
    assert!(!out.exists());
    // Nothing selected.
    let (code, err) = fails(
        &v.cmd(&["report", "--since", "2030-01-01", "--out"])
            .arg(&out)
            .output(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(!out.exists());
    // Unwritable output.
    let nowhere = v.file("no/such/dir/x.pdf");
    let (code, err) = fails(&v.cmd(&["report", "--out"]).arg(&nowhere).output());
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let left: Vec<_> = std::fs::read_dir(v.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        !left.iter().any(|n| n.to_string_lossy().contains(".tmp")),
        "{left:?}"
    );
}
