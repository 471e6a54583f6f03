//! The shell's commands driven through Tauri's IPC with `tauri::test::mock_builder` (no
//! display): the real core, a real vault in a temporary directory, the JSON the UI gets, and
//! the real capability file (a command missing from it fails here as "not allowed").

use quzheng_app::state::AppState;
use serde_json::{json, Value};
use std::path::PathBuf;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;

const PASS: &str = "correct horse battery staple";

struct App {
    _app: tauri::App<MockRuntime>,
    w: WebviewWindow<MockRuntime>,
    _dir: tempfile::TempDir,
    vault: PathBuf,
}

fn app() -> App {
    std::env::set_var("QUZHENG_TEST_FAST_KDF", "1");
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.qz");
    let app = quzheng_app::run_app(
        mock_builder().manage(AppState::new(vault.clone())),
        tauri::generate_context!(test = true),
    )
    .unwrap();
    let w = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    App {
        _app: app,
        w,
        _dir: dir,
        vault,
    }
}

fn call(a: &App, cmd: &str, body: Value) -> Result<Value, Value> {
    get_ipc_response(
        &a.w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: a.w.url().unwrap(),
            body: InvokeBody::Json(body),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap())
}

fn ok(a: &App, cmd: &str, body: Value) -> Value {
    call(a, cmd, body).unwrap_or_else(|e| panic!("{cmd} failed: {e}"))
}

#[test]
fn first_run_create_lock_and_unlock_with_growing_delay() {
    let a = app();
    let info = ok(&a, "app_info", json!({}));
    assert_eq!(info["vault_exists"], false);
    // The cold-start mark is allowed and, without QUZHENG_READY_EXIT, does nothing.
    assert_eq!(
        ok(&a, "ui_ready", json!({"screen": "first-run"})),
        Value::Null
    );
    assert_eq!(info["labels"].as_array().unwrap().len(), 7);
    assert_eq!(info["labels"][0]["id"], "threat");
    assert_eq!(
        info["labels"][0]["name"],
        quzheng::i18n::label_name(quzheng::model::Label::Threat, quzheng::i18n::Lang::Zh)
    );

    // Locked: every vault command says so with the shell code.
    assert_eq!(
        call(&a, "overview", json!({})).unwrap_err(),
        json!({"code": "locked", "message": ""})
    );

    ok(&a, "create_vault", json!({"passphrase": PASS}));
    assert!(a.vault.exists());
    assert_eq!(
        call(&a, "create_vault", json!({"passphrase": PASS})).unwrap_err()["code"],
        "exists"
    );
    assert_eq!(ok(&a, "overview", json!({}))["total"], 0);
    ok(&a, "lock_vault", json!({}));

    ok(&a, "set_language", json!({"lang": "en"}));
    let e1 = call(&a, "unlock_vault", json!({"passphrase": "wrong"})).unwrap_err();
    assert_eq!(e1["code"], "wrong_passphrase");
    assert!(
        e1["message"].as_str().unwrap().is_ascii(),
        "English sentence: {e1}"
    );
    assert!(e1.get("retry_after_s").is_none(), "first failures are free");
    call(&a, "unlock_vault", json!({"passphrase": "wrong"})).unwrap_err();
    let e3 = call(&a, "unlock_vault", json!({"passphrase": "wrong"})).unwrap_err();
    assert_eq!(e3["retry_after_s"], 2);
    // Even the right passphrase must wait now.
    let e4 = call(&a, "unlock_vault", json!({"passphrase": PASS})).unwrap_err();
    assert_eq!(e4["code"], "retry_later");
    std::thread::sleep(std::time::Duration::from_millis(2100));
    ok(&a, "unlock_vault", json!({"passphrase": PASS}));
    ok(&a, "set_language", json!({"lang": "zh"}));
}

#[test]
fn bad_language_is_a_bad_input_sentence() {
    let a = app();
    let e = call(&a, "set_language", json!({"lang": "klingon"})).unwrap_err();
    assert_eq!(e["code"], "bad_input");
    assert!(e["message"].as_str().unwrap().contains("klingon"));
}

#[test]
fn delete_everything_needs_the_token_and_removes_the_vault() {
    let a = app();
    ok(&a, "create_vault", json!({"passphrase": PASS}));
    assert_eq!(
        call(&a, "delete_everything", json!({"confirm": "yes"})).unwrap_err()["code"],
        "confirm"
    );
    assert!(a.vault.exists());
    ok(
        &a,
        "delete_everything",
        json!({"confirm": "delete-everything"}),
    );
    assert!(!a.vault.exists());
    assert_eq!(ok(&a, "app_info", json!({}))["vault_exists"], false);
    assert_eq!(
        call(&a, "overview", json!({})).unwrap_err()["code"],
        "locked"
    );
}

#[test]
fn settings_round_trip_and_reject_bad_zone() {
    let a = app();
    ok(&a, "create_vault", json!({"passphrase": PASS}));
    let mut s = ok(&a, "get_settings", json!({}));
    assert_eq!(s["night"], "22:00-08:00");
    s["max_per_day"] = json!(5);
    s["night"] = json!("23:00-07:00");
    ok(&a, "save_settings", json!({"settings": s}));
    assert_eq!(ok(&a, "get_settings", json!({}))["max_per_day"], 5);
    s["zone"] = json!("Mars/Olympus");
    assert_eq!(
        call(&a, "save_settings", json!({"settings": s})).unwrap_err()["code"],
        "bad_input"
    );
    assert_eq!(
        ok(&a, "get_settings", json!({}))["zone"],
        "Asia/Shanghai",
        "nothing changed"
    );
}

#[test]
fn change_passphrase_checks_the_old_one() {
    let a = app();
    ok(&a, "create_vault", json!({"passphrase": PASS}));
    let e = call(
        &a,
        "change_passphrase",
        json!({"old": "nope", "new": "a new long passphrase"}),
    )
    .unwrap_err();
    assert_eq!(e["code"], "wrong_passphrase");
    assert_eq!(
        ok(&a, "overview", json!({}))["total"],
        0,
        "still unlocked after a refused change"
    );
    ok(
        &a,
        "change_passphrase",
        json!({"old": PASS, "new": "a new long passphrase"}),
    );
    ok(&a, "lock_vault", json!({}));
    assert!(call(&a, "unlock_vault", json!({"passphrase": PASS})).is_err());
    ok(
        &a,
        "unlock_vault",
        json!({"passphrase": "a new long passphrase"}),
    );
}

fn fixture(rel: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(rel)
        .display()
        .to_string()
}

#[test]
fn rows_corrections_creditors_and_passphrase_work_on_the_open_vault() {
    let a = app();
    ok(&a, "create_vault", json!({"passphrase": PASS}));
    let s = ok(
        &a,
        "import_files",
        json!({"paths": [fixture("sbr/chinese-collection.xml")]}),
    );
    assert_eq!(
        (s["imported"].as_u64(), s["failed"].as_u64()),
        (Some(8), Some(0))
    );

    // List rows carry the findings' spans (char offsets), the same as the detail view's.
    let ids = ok(
        &a,
        "filter_messages",
        json!({"filter": {"collection_only": true}}),
    )["ids"]
        .clone();
    let rows = ok(&a, "message_rows", json!({ "ids": ids }));
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["marks"].as_array().unwrap().is_empty())
        .expect("a collection row with matched words");
    let id = row["id"].as_i64().unwrap();
    let d = ok(&a, "message_detail", json!({ "id": id }));
    let body: Vec<char> = row["body"].as_str().unwrap().chars().collect();
    for m in row["marks"].as_array().unwrap() {
        let (s, e) = (
            m[0].as_u64().unwrap() as usize,
            m[1].as_u64().unwrap() as usize,
        );
        let text: String = body[s..e].iter().collect();
        assert!(
            d["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["start"] == m[0] && f["end"] == m[1] && f["text"] == text.as_str()),
            "mark {m} is a finding of the detail view"
        );
    }

    // Corrections go to the open vault: a label change, a note alone, and nothing at all.
    let d = ok(
        &a,
        "correct_labels",
        json!({"id": id, "add": ["excessive_frequency"], "remove": [], "note": "checked"}),
    );
    assert!(d["labels"]
        .as_array()
        .unwrap()
        .contains(&json!("excessive_frequency")));
    ok(
        &a,
        "correct_labels",
        json!({"id": id, "add": [], "remove": [], "note": "a note alone"}),
    );
    assert_eq!(
        call(
            &a,
            "correct_labels",
            json!({"id": id, "add": [], "remove": [], "note": " "})
        )
        .unwrap_err()["code"],
        "bad_input"
    );

    // Rename: the list, the overview and the rows all show the new name.
    let before = ok(&a, "list_creditors", json!({}));
    let old = before[0]["name"].as_str().unwrap().to_string();
    ok(
        &a,
        "rename_creditor",
        json!({"from": old, "to": "e2e creditor"}),
    );
    let after = ok(&a, "list_creditors", json!({}));
    assert_eq!(after[0]["name"], "e2e creditor");
    assert_eq!(after[0]["aliases"], json!([old]));
    assert_eq!(
        ok(&a, "overview", json!({}))["by_creditor"][0]["name"],
        "e2e creditor"
    );
    let ids = ok(
        &a,
        "filter_messages",
        json!({"filter": {"creditor": "e2e creditor"}}),
    )["ids"]
        .clone();
    assert!(!ids.as_array().unwrap().is_empty());

    // The passphrase changes on the open vault; a later import (on the same open vault,
    // no passphrase held) still works, and only the new passphrase unlocks afterwards.
    ok(
        &a,
        "change_passphrase",
        json!({"old": PASS, "new": "another long passphrase"}),
    );
    let again = ok(
        &a,
        "import_files",
        json!({"paths": [fixture("sbr/chinese-collection.xml")]}),
    );
    assert_eq!(again["duplicates"], 8);
    ok(&a, "lock_vault", json!({}));
    assert_eq!(
        call(&a, "unlock_vault", json!({"passphrase": PASS})).unwrap_err()["code"],
        "wrong_passphrase"
    );
    ok(
        &a,
        "unlock_vault",
        json!({"passphrase": "another long passphrase"}),
    );
    assert_eq!(ok(&a, "overview", json!({}))["total"], 8);
}

#[test]
fn unreadable_files_are_one_sentence_each_and_change_nothing() {
    let a = app();
    ok(&a, "create_vault", json!({"passphrase": PASS}));
    let junk = a.vault.with_file_name("junk.bin");
    std::fs::write(&junk, [0u8, 159, 146, 150, 1, 2, 3]).unwrap();
    let missing = a.vault.with_file_name("no-such-file.xml");
    let s = ok(
        &a,
        "import_files",
        json!({"paths": [junk.display().to_string(), missing.display().to_string()]}),
    );
    assert_eq!(s["failed"], 2);
    assert_eq!(s["imported"], 0);
    for f in s["files"].as_array().unwrap() {
        let e = f["error"].as_str().expect("a sentence per refused file");
        assert!(
            !e.is_empty() && !e.contains("Error") && !e.contains("{"),
            "{e}"
        );
    }
    assert_eq!(ok(&a, "overview", json!({}))["total"], 0, "nothing kept");
    ok(&a, "overview", json!({}));
}

#[test]
fn a_damaged_vault_is_one_sentence_not_a_crash() {
    let a = app();
    ok(&a, "create_vault", json!({"passphrase": PASS}));
    ok(&a, "lock_vault", json!({}));
    // Keep SQLite's 100-byte header (so it is still recognised as a database file) and
    // lose everything after it, as a broken copy or a failing disk would.
    let bytes = std::fs::read(&a.vault).unwrap();
    std::fs::write(&a.vault, &bytes[..100]).unwrap();
    let e = call(&a, "unlock_vault", json!({"passphrase": PASS})).unwrap_err();
    let msg = e["message"].as_str().unwrap();
    assert!(
        ["damaged", "bad_input"].contains(&e["code"].as_str().unwrap()),
        "{e}"
    );
    assert!(!msg.is_empty() && !msg.contains("Sqlite"), "{e}");
    // Garbage instead of a vault: refused with a sentence too.
    std::fs::write(&a.vault, b"not a vault at all").unwrap();
    let e = call(&a, "unlock_vault", json!({"passphrase": PASS})).unwrap_err();
    assert!(!e["message"].as_str().unwrap().is_empty(), "{e}");
}
