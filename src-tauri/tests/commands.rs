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
