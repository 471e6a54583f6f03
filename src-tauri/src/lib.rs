//! # quzheng-app: the desktop shell of 取证 Quzheng
//!
//! A thin Tauri 2 shell over the `quzheng` library: every command in [`commands`] locks the
//! managed [`state::AppState`], calls the core and maps its error to `{code, message}`
//! ([`error`]). The UI (`ui/`) talks to nothing else; there is no network code and the
//! CSP allows no remote origin.
//!
//! Environment (read once at start):
//! * `QUZHENG_VAULT` — the vault file, as for the CLI; default
//!   `<platform data dir>/quzheng/vault.qz` (e.g. `~/.local/share/quzheng/vault.qz`).
//! * `QUZHENG_E2E_OPEN_FILES`, `QUZHENG_E2E_SAVE_DIR` — **tests only**: replace the native
//!   open/save dialogs, which WebDriver cannot click (see [`commands::app`]).
//! * `QUZHENG_READY_EXIT` — **benchmark only**: print when the first screen is interactive
//!   and quit (`scripts/coldstart.sh`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod commands;
pub mod error;
pub mod state;
pub mod view;

use std::path::PathBuf;
use tauri::{Manager, Runtime};

/// Every command the UI may call. `build.rs` lists the same names for the permission files
/// and `capabilities/main.json` grants exactly these.
#[macro_export]
macro_rules! handler {
    () => {
        tauri::generate_handler![
            $crate::commands::app::app_info,
            $crate::commands::app::ui_ready,
            $crate::commands::app::set_language,
            $crate::commands::app::pick_files,
            $crate::commands::app::pick_save_path,
            $crate::commands::vault::create_vault,
            $crate::commands::vault::unlock_vault,
            $crate::commands::vault::lock_vault,
            $crate::commands::vault::change_passphrase,
            $crate::commands::vault::get_settings,
            $crate::commands::vault::save_settings,
            $crate::commands::vault::delete_everything,
            $crate::commands::import::import_files,
            $crate::commands::messages::overview,
            $crate::commands::messages::filter_messages,
            $crate::commands::messages::message_rows,
            $crate::commands::messages::message_detail,
            $crate::commands::messages::correct_labels,
            $crate::commands::creditors::list_creditors,
            $crate::commands::creditors::rename_creditor,
            $crate::commands::report::build_report,
            $crate::commands::report::pack_pdf,
            $crate::commands::report::save_pack,
            $crate::commands::report::verify_pack,
        ]
    };
}

/// The vault path: `QUZHENG_VAULT`, else the platform data directory.
fn vault_path<R: Runtime>(app: &tauri::App<R>) -> PathBuf {
    if let Some(p) = std::env::var_os("QUZHENG_VAULT") {
        return PathBuf::from(p);
    }
    app.path()
        .data_dir()
        .unwrap_or_else(|_| PathBuf::from("."))
        .join("quzheng")
        .join("vault.qz")
}

/// Builds the app on `builder` (the real one, or `tauri::test::mock_builder()` in tests).
///
/// # Errors
/// Tauri's error when the app cannot be built (no display, bad config).
pub fn run_app<R: Runtime>(
    builder: tauri::Builder<R>,
    context: tauri::Context<R>,
) -> tauri::Result<tauri::App<R>> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            // Tests manage their own state (a temporary vault) before building.
            if app.try_state::<state::AppState>().is_none() {
                let path = vault_path(app);
                app.manage(state::AppState::new(path));
            }
            Ok(())
        })
        .invoke_handler(handler!())
        .build(context)
}

/// Starts the desktop app.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    match run_app(tauri::Builder::default(), tauri::generate_context!()) {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            // No window could be made, so stderr is the only place left to say why.
            eprintln!("quzheng-app: {e}");
            std::process::exit(4);
        }
    }
}
