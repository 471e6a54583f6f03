//! Generates the permission files for the app's own commands (`allow-<cmd>`), so the
//! capability can grant exactly these. Keep in sync with `handler!` in src/lib.rs.
const COMMANDS: &[&str] = &[
    "app_info",
    "ui_ready",
    "set_language",
    "pick_files",
    "pick_save_path",
    "create_vault",
    "unlock_vault",
    "lock_vault",
    "change_passphrase",
    "get_settings",
    "save_settings",
    "delete_everything",
    "import_files",
    "overview",
    "filter_messages",
    "message_rows",
    "message_detail",
    "correct_labels",
    "list_creditors",
    "rename_creditor",
    "build_report",
    "pack_pdf",
    "save_pack",
    "verify_pack",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}
